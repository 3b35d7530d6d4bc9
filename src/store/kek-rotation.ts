/**
 * `keys rotate-kek`: a new key-encryption key; every tenant data key re-wrapped under it (the data
 * keys themselves, and so every record key and sealed value, stay as they are). Resumable: each
 * step leaves a state the next run recognises, so a run killed anywhere is completed by running it
 * again, and the old KEK is needed until it is.
 *
 *   1. DIR/vault.key.next: the new KEK, written to a temporary file, synced, renamed in (atomic).
 *      A run that finds it uses it rather than making another.
 *   2. Each data key still under the old KEK re-wrapped under the new, one transaction each
 *      (`UPDATE … WHERE kek_id = old`: a second run skips what the first did).
 *   3. One transaction: meta.kek_id becomes the new KEK's id, with the ledger entry.
 *   4. DIR/vault.key moved to DIR/vault.key.retired-<old id> (backups made before still need it),
 *      then DIR/vault.key.next to DIR/vault.key; the directory synced.
 *
 * Servers already running keep their unwrapped data keys in memory and are not disturbed; a server
 * started between steps 3 and 4 fails closed (ERR_KEY_MISMATCH) until the run is completed. With
 * the KEK in TRACEVAULT_KEK instead of a file, the new KEK is left in DIR/vault.key for the operator
 * to move into the secret store.
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { TracevaultError } from '../errors.ts';
import { createKeyFile, KEK_ENV, loadKek, type Kek } from '../crypto/key-file.ts';
import { isCipherSuiteName } from '../crypto/cipher-suite.ts';
import { rewrapDataKey } from '../crypto/keyring.ts';
import { tableAuditSink } from './audit.ts';
import { FILES, loadDataKeys, NEXT_KEK, openVaultDb, type VaultConfig } from './vault.ts';

export interface KekRotationReport {
  readonly from: string;
  readonly to: string;
  readonly rewrapped: number;
  readonly resumed: boolean;
  /** Where the old KEK went (null if it came from the environment). */
  readonly retired: string | null;
  readonly fromEnv: boolean;
}

function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export async function rotateKek(
  dirIn: string,
  opts: { env?: NodeJS.ProcessEnv; onStep?: (done: number, total: number) => void | Promise<void> } = {},
): Promise<KekRotationReport> {
  const dir = resolve(dirIn);
  const env = opts.env ?? process.env;
  let config: VaultConfig;
  try {
    config = JSON.parse(readFileSync(join(dir, FILES.config), 'utf8')) as VaultConfig;
  } catch {
    throw new TracevaultError('ERR_NO_VAULT');
  }
  const suite = config.cipherSuite ?? 'aes';
  if (!isCipherSuiteName(suite)) throw new TracevaultError('ERR_CIPHER_SUITE');
  const fromEnv = Boolean(env[KEK_ENV]);
  const keyPath = join(dir, FILES.key);
  const nextPath = join(dir, NEXT_KEK);
  const db = await openVaultDb(dir);
  try {
    const meta = (await db.get<{ value: string }>("SELECT value FROM meta WHERE key = 'kek_id'"))?.value;
    // The old KEK: absent only if a run stopped between the two renames of step 4.
    let old: Kek | undefined;
    if (fromEnv || existsSync(keyPath)) old = loadKek(keyPath, env, suite);
    const resumed = existsSync(nextPath);
    let next: Kek;
    if (resumed) {
      next = loadKek(nextPath, {}, suite);
    } else {
      if (!old || old.id !== meta) throw new TracevaultError('ERR_KEY_MISMATCH');
      const tmp = `${nextPath}.tmp`;
      rmSync(tmp, { force: true });
      createKeyFile(tmp, suite);
      renameSync(tmp, nextPath);
      fsyncDir(dir);
      next = loadKek(nextPath, {}, suite);
    }
    const from = old?.id ?? meta ?? '';
    // Step 2: every data key of every tenant not yet under the new KEK.
    const tenants = (await db.all<{ id: string }>('SELECT id FROM tenants ORDER BY id')).map((t) => t.id);
    const pending = [];
    for (const t of tenants) for (const w of await loadDataKeys(db, t)) if (w.kekId !== next.id) pending.push(w);
    let done = 0;
    for (const w of pending) {
      if (!old) throw new TracevaultError('ERR_KEY_FILE');
      const r = rewrapDataKey(old, next, w);
      await db.transaction(async (tx) => {
        await tx.run(
          'UPDATE data_keys SET kek_id = ?, wrapped = ? ' +
            'WHERE tenant_id = ? AND purpose = ? AND version = ? AND kek_id = ?',
          [r.kekId, r.wrapped, w.tenantId, w.purpose, w.version, w.kekId],
        );
      });
      await opts.onStep?.(++done, pending.length);
    }
    // Step 3: the vault's KEK is the new one, and the ledger says so.
    if (meta !== next.id) {
      await db.transaction(async (tx) => {
        await tx.run("UPDATE meta SET value = ? WHERE key = 'kek_id'", [next.id]);
        const at = new Date().toISOString();
        for (const t of tenants)
          await tableAuditSink.append(tx, t, at, [
            {
              action: 'key.rotate',
              principalId: 'system',
              outcome: 'ok',
              detail: { kind: 'kek', from, to: next.id, rewrapped: pending.length },
            },
          ]);
      });
    }
    // Step 4: the files.
    let retired: string | null = null;
    if (existsSync(keyPath) && old && old.id !== next.id && !fromEnv) {
      retired = join(dir, `${FILES.key}.retired-${old.id}`);
      renameSync(keyPath, retired);
    }
    renameSync(nextPath, keyPath);
    fsyncDir(dir);
    return { from, to: next.id, rewrapped: pending.length, resumed, retired, fromEnv };
  } finally {
    await db.close();
  }
}
