import { copyFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { TracevaultError } from '../../errors.ts';
import { loadKek } from '../../crypto/key-file.ts';
import type { CipherSuiteName } from '../../crypto/cipher-suite.ts';
import { backupVault } from '../../store/backup.ts';
import type { Progress } from '../../store/backup-file.ts';
import { restoreVault } from '../../store/restore.ts';
import { FILES } from '../../store/vault.ts';
import { out, progress } from '../output.ts';

function bars(): { onProgress: Progress; end: () => void } {
  const open = new Map<string, ReturnType<typeof progress>>();
  return {
    onProgress: (phase, done, total) => {
      let bar = open.get(phase);
      if (!bar) {
        for (const b of open.values()) b.end();
        open.clear();
        open.set(phase, (bar = progress(phase)));
      }
      bar.update(done, total);
    },
    end: () => {
      for (const b of open.values()) b.end();
    },
  };
}

/** `tracevault backup --data DIR --out FILE`: a consistent online backup, without the KEK. */
export async function backupCommand(opts: { data: string; out: string }): Promise<void> {
  const p = bars();
  const started = Date.now();
  const { header, bytes } = await backupVault(opts.data, opts.out, { onProgress: p.onProgress });
  p.end();
  out(
    `backup written to ${resolve(opts.out)}: ${bytes.toLocaleString('en')} bytes, ${header.dialect}, ` +
      `${header.entries} ledger entries, latest cosigned checkpoint ` +
      `${header.checkpoint ? `of ${header.checkpoint.size} entries` : 'none'}, ` +
      `in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  out(`not in it: the key-encryption key (id ${header.kekId}); keep it apart, restore needs it`);
}

/**
 * `tracevault restore FILE --data NEWDIR [--key KEYFILE] [--database URL] [--pg-schema NAME]`.
 * NEWDIR must be empty or absent. The KEK comes apart: --key copies a key file to NEWDIR/vault.key
 * (checked against the backup's KEK id), or TRACEVAULT_KEK, or copy it there afterwards.
 */
export async function restoreCommand(
  file: string,
  opts: { data: string; key?: string; database?: string; pgSchema?: string },
): Promise<void> {
  const p = bars();
  const started = Date.now();
  const { header } = await restoreVault(resolve(file), opts.data, {
    database: opts.database || opts.pgSchema ? { url: opts.database, schema: opts.pgSchema } : undefined,
    onProgress: p.onProgress,
  });
  p.end();
  const dir = resolve(opts.data);
  const suite = header.cipherSuite as CipherSuiteName;
  out(
    `restored into ${dir}: ${header.entries} ledger entries, backup of ${header.createdAt}, ` +
      `in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  if (opts.key) {
    const kek = loadKek(resolve(opts.key), {}, suite);
    if (kek.id !== header.kekId) throw new TracevaultError('ERR_KEY_MISMATCH');
    copyFileSync(resolve(opts.key), join(dir, FILES.key));
    out(`key-encryption key ${kek.id} installed in ${join(dir, FILES.key)}`);
  } else if (process.env.TRACEVAULT_KEK) {
    const kek = loadKek('', process.env, suite);
    if (kek.id !== header.kekId) throw new TracevaultError('ERR_KEY_MISMATCH');
    out(`key-encryption key ${kek.id} from TRACEVAULT_KEK matches`);
  } else if (!existsSync(join(dir, FILES.key))) {
    out(
      `supply the key-encryption key (id ${header.kekId}): ` +
        `copy it to ${join(dir, FILES.key)} (0600) or set TRACEVAULT_KEK`,
    );
  }
  out(`next: tracevault ledger verify --data ${dir} (asks the witnesses whether this ledger was rolled back)`);
}
