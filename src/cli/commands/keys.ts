import { rotateKeys } from '../../store/key-rotation.ts';
import { rotateKek } from '../../store/kek-rotation.ts';
import { withVault, type VaultOptions } from '../context.ts';
import { out, progress } from '../output.ts';

export async function rotateCommand(opts: VaultOptions & { batchSize?: number }): Promise<void> {
  await withVault(opts, async (vault, me) => {
    const bar = progress('re-encrypting');
    const r = await rotateKeys(vault, me, { batchSize: opts.batchSize, onProgress: (d, t) => bar.update(d, t) });
    bar.end();
    out(
      `data key version ${r.toVersion} is current; ` +
        `${r.records} records re-encrypted${r.resumed ? ' (resumed an interrupted rotation)' : ''}; ` +
        `older data keys deleted`,
    );
  });
}

/**
 * `tracevault keys rotate-kek --data DIR`: a new KEK; every data key re-wrapped under it. Killed
 * midway, run it again: it completes (store/kek-rotation.ts). `--pause-ms` waits between data keys
 * (tests kill it there).
 */
export async function rotateKekCommand(opts: { data: string; pauseMs?: number }): Promise<void> {
  const r = await rotateKek(opts.data, {
    onStep: async (done, total) => {
      out(`re-wrapped data key ${done}/${total}`);
      if (opts.pauseMs) await new Promise((s) => setTimeout(s, opts.pauseMs));
    },
  });
  out(
    `key-encryption key ${r.to} is current (was ${r.from}); ${r.rewrapped} data keys re-wrapped` +
      `${r.resumed ? ' (completed an interrupted rotation)' : ''}`,
  );
  if (r.retired) out(`the old KEK is in ${r.retired}: keep it (offline) while backups made before today are kept`);
  if (r.fromEnv) out(`TRACEVAULT_KEK holds the old KEK: put the new one (now in ${opts.data}/vault.key) in its place`);
}
