/**
 * One server per SQLite vault (issue 23, ADR 0027). SQLite is the embedded default for one server:
 * the guard's counters, login throttles and cached authentications live in that server's memory,
 * so a second server on the same file would give a scraper a second allowance. `serve` therefore
 * takes an exclusive lock on `serve.lock` beside the vault (a small SQLite file held in
 * `locking_mode=EXCLUSIVE` inside an open write transaction): the operating system releases it
 * when the process ends, however it ends (`kill -9` included), so a stale lock never blocks a
 * restart, and a second server is refused at once with ERR_VAULT_IN_USE.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { TracevaultError } from '../../errors.ts';

export const SERVE_LOCK_FILE = 'serve.lock';

/** Holds the vault's serve lock until `release` (or the process ends); ERR_VAULT_IN_USE if taken. */
export function takeServeLock(dir: string): { release: () => void } {
  const db = new Database(join(dir, SERVE_LOCK_FILE), { timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
    db.exec('CREATE TABLE IF NOT EXISTS held (pid INTEGER)');
  } catch (e) {
    db.close();
    const code = (e as { code?: unknown }).code;
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') throw new TracevaultError('ERR_VAULT_IN_USE');
    throw new TracevaultError('ERR_STORAGE', {}, { cause: e });
  }
  return {
    release: () => {
      if (db.open) db.close();
    },
  };
}
