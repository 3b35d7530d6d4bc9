/**
 * The key-encryption key (KEK) lives outside the database: in a key file readable by its owner only,
 * or in the TRACEVAULT_KEK environment variable (base64 of 32 bytes). A key file that others can
 * read is refused: fail closed.
 */
import { createHash, randomBytes } from 'node:crypto';
import { openSync, writeSync, closeSync, fsyncSync, readFileSync, statSync } from 'node:fs';
import { TracevaultError } from '../errors.ts';
import { KEY_BYTES } from './aead.ts';

const PREFIX = 'tracevault-kek-v1:';
export const KEK_ENV = 'TRACEVAULT_KEK';

export interface Kek {
  readonly key: Buffer;
  /** A fingerprint that names the KEK without revealing it: SHA-256("tracevault/kek-id" ‖ key)[:8]. */
  readonly id: string;
}

export function kekFromBytes(key: Buffer): Kek {
  if (key.length !== KEY_BYTES) throw new TracevaultError('ERR_KEY_FILE');
  const id = createHash('sha256').update('tracevault/kek-id').update(key).digest('hex').slice(0, 16);
  return { key, id };
}

/** Creates a new key file (exclusive create, mode 0600) and returns its key. */
export function createKeyFile(path: string): Kek {
  const key = randomBytes(KEY_BYTES);
  const fd = openSync(path, 'wx', 0o600);
  try {
    writeSync(fd, `${PREFIX}${key.toString('base64')}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return kekFromBytes(key);
}

function parse(text: string): Buffer {
  const t = text.trim();
  const b64 = t.startsWith(PREFIX) ? t.slice(PREFIX.length) : t;
  if (!/^[A-Za-z0-9+/]{43}=$/.test(b64)) throw new TracevaultError('ERR_KEY_FILE');
  return Buffer.from(b64, 'base64');
}

/** Loads the KEK from the environment if set, else from the key file (which must be 0600 or stricter). */
export function loadKek(path: string, env: NodeJS.ProcessEnv = process.env): Kek {
  const fromEnv = env[KEK_ENV];
  if (fromEnv !== undefined && fromEnv !== '') return kekFromBytes(parse(fromEnv));
  let text: string;
  try {
    const st = statSync(path);
    if (process.platform !== 'win32' && (st.mode & 0o077) !== 0) throw new TracevaultError('ERR_KEY_FILE');
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (e instanceof TracevaultError) throw e;
    throw new TracevaultError('ERR_KEY_FILE', {}, { cause: e });
  }
  return kekFromBytes(parse(text));
}
