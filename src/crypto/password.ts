/**
 * Passwords for people: argon2id (RFC 9106) with the OWASP parameters (19 MiB, 2 passes,
 * 1 lane). node:crypto has no argon2 before Node 24, so @node-rs/argon2 computes it; its verify
 * compares in constant time.
 */
import { hash, verify } from '@node-rs/argon2';
import { TracevaultError } from '../errors.ts';

const PARAMS = {
  algorithm: 2 /* Algorithm.Argon2id (a const enum) */,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;

export async function hashPassword(password: string): Promise<string> {
  if (typeof password !== 'string' || password.length < 12 || password.length > 256) {
    throw new TracevaultError('ERR_INVALID_FIELD', { field: 'password', rule: 'length12to256' });
  }
  return hash(password.normalize('NFC'), PARAMS);
}

/** A hash of no password, verified against when the account does not exist: the same work either way. */
let dummy: Promise<string> | undefined;

const dummyHash = (): Promise<string> => (dummy ??= hash('no account has this password', PARAMS));

/** Starts making the dummy hash, so that the first login of an unknown name does not take longer. */
export function prepareDummyHash(): void {
  void dummyHash();
}

export async function verifyPassword(stored: string | null, password: string): Promise<boolean> {
  const target = stored ?? (await dummyHash());
  try {
    const ok = await verify(target, password.normalize('NFC'));
    return stored !== null && ok;
  } catch {
    return false;
  }
}
