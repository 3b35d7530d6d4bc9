/**
 * What a database failure means to a caller (ADR 0028), decided from the driver's error and never
 * from its message text alone: the database cannot be reached — a PostgreSQL restart, a refused or
 * dropped connection — is ERR_STORE_UNAVAILABLE (503, try again: nothing was returned); no space
 * left — SQLite's SQLITE_FULL, PostgreSQL's disk_full, ENOSPC or EDQUOT from a file — is
 * ERR_STORE_FULL (507); anything else the database refused is ERR_STORAGE. The driver's error is
 * kept as the cause (for the server's log), never in the message.
 */
import { TracevaultError, type ErrorCode } from '../../errors.ts';

/**
 * PostgreSQL SQLSTATEs (postgresql.org/docs/current/errcodes-appendix.html): class 08 connection
 * exceptions; 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now (starting or
 * stopping); 53300 too_many_connections. 53100 disk_full.
 */
const PG_UNAVAILABLE = new Set(['57P01', '57P02', '57P03', '53300']);
const PG_FULL = new Set(['53100']);
/** System call errors: a connection refused, reset or timed out; a file system out of space. */
const NET = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND']);
const DISK_FULL = new Set(['ENOSPC', 'EDQUOT', 'SQLITE_FULL']);
/** node-postgres's own errors for a connection that ended or could not be made in time. */
const PG_CLIENT = [
  /^Connection terminated/,
  /not queryable/,
  /^timeout exceeded when trying to connect/,
  /^Client was closed and is not queryable/,
];

export function storeErrorCode(e: unknown): ErrorCode {
  if (e instanceof TracevaultError) return e.code;
  const given = (e as { code?: unknown } | null)?.code;
  const code = typeof given === 'string' ? given : '';
  if (DISK_FULL.has(code) || PG_FULL.has(code)) return 'ERR_STORE_FULL';
  if (NET.has(code) || PG_UNAVAILABLE.has(code) || code.startsWith('08')) return 'ERR_STORE_UNAVAILABLE';
  const message = e instanceof Error ? e.message : '';
  if (code === '' && PG_CLIENT.some((re) => re.test(message))) return 'ERR_STORE_UNAVAILABLE';
  return 'ERR_STORAGE';
}

/** `e` as the vault's error: a TracevaultError stays as it is. */
export function storeError(e: unknown): TracevaultError {
  if (e instanceof TracevaultError) return e;
  return new TracevaultError(storeErrorCode(e), {}, { cause: e });
}

/** True when a connection may be broken: the pool must not hand it out again. */
export function connectionLost(e: unknown): boolean {
  const cause = e instanceof TracevaultError ? e.cause : e;
  return storeErrorCode(cause) === 'ERR_STORE_UNAVAILABLE';
}
