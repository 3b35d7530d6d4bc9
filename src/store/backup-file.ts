/**
 * The backup file's format (store/backup.ts writes it, store/restore.ts reads it; ADR 0029): JSON
 * lines, the header first, the end line's SHA-256 over every line before it.
 */
import { createHash } from 'node:crypto';
import { closeSync, createReadStream, fsyncSync, openSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { TracevaultError } from '../errors.ts';
import type { Param } from './db.ts';

export const BACKUP_FORMAT = 'tracevault-backup/1';

/** Files of a vault directory that go into a backup: never vault.key (the KEK). */
export const BACKED_UP = /^(vault\.json|ledger\.key|ledger\.pub|witnesses\.json|admin(-\d+)?\.token)$/;

export interface BackupHeader {
  readonly format: typeof BACKUP_FORMAT;
  readonly createdAt: string;
  readonly dialect: 'sqlite' | 'postgres';
  readonly tenantId: string;
  readonly cipherSuite: string;
  /** The id (a fingerprint, not the key) of the KEK the data keys are wrapped under. */
  readonly kekId: string;
  readonly schemaVersion: number;
  /** Ledger entries in the backup. */
  readonly entries: number;
  /** The latest checkpoint a witness cosigned, with its cosignatures; null if none was. */
  readonly checkpoint: { readonly size: number; readonly note: string } | null;
}

export interface Progress {
  (phase: string, done: number, total?: number): void;
}

/** A value as JSON: binary as {"b64": …}. */
export const encode = (v: unknown): unknown =>
  Buffer.isBuffer(v) ? { b64: v.toString('base64') } : typeof v === 'bigint' ? Number(v) : v;
export const decode = (v: unknown): Param =>
  v !== null && typeof v === 'object' && 'b64' in v
    ? Buffer.from(String((v as { b64: string }).b64), 'base64')
    : (v as Param);

export function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Reads a backup's lines; the last must be the end line whose digest covers all the others. */
export async function* lines(file: string): AsyncGenerator<string> {
  const rl = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  for await (const l of rl) yield l;
}

/** Checks a backup's digest and returns its header: ERR_MALFORMED_FILE if damaged. */
export async function checkBackup(file: string): Promise<BackupHeader> {
  const hash = createHash('sha256');
  let prev: string | undefined;
  let n = 0;
  let first: string | undefined;
  try {
    for await (const l of lines(file)) {
      if (prev !== undefined) {
        hash.update(`${prev}\n`);
        n++;
      }
      first ??= l;
      prev = l;
    }
  } catch (e) {
    throw new TracevaultError('ERR_MALFORMED_FILE', { field: 'file' }, { cause: e });
  }
  let end: { end?: boolean; lines?: number; sha256?: string } | undefined;
  let header: BackupHeader | undefined;
  try {
    end = JSON.parse(prev ?? '') as typeof end;
    header = JSON.parse(first ?? '') as BackupHeader;
  } catch {
    /* below */
  }
  if (!end?.end || end.lines !== n || end.sha256 !== hash.digest('hex') || header?.format !== BACKUP_FORMAT)
    throw new TracevaultError('ERR_MALFORMED_FILE', { field: 'sha256' });
  return header;
}
