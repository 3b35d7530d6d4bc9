import { rotateKeys } from '../../store/key-rotation.ts';
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
