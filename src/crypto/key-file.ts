/**
 * The key-encryption key (KEK) lives outside the database: in a key file readable by its owner only,
 * or in the TRACEVAULT_KEK environment variable (base64 of 32 bytes). A key file that others can
 * read is refused: fail closed.
 */
import { randomBytes } from 'node:crypto';
import { openSync, writeSync, closeSync, fsyncSync, readFileSync, statSync } from 'node:fs';
import { TracevaultError } from '../errors.ts';
import { KEY_BYTES } from './aead.ts';
import { cipherSuite, type CipherSuiteName } from './cipher-suite.ts';

const PREFIX = 'tracevault-kek-v1:';
export const KEK_ENV = 'TRACEVAULT_KEK';

export interface Kek {
  readonly key: Buffer;
  /**
   * A fingerprint that names the KEK without revealing it: H("tracevault/kek-id" ‖ key)[:8], H the
   * suite's hash (SHA-256 for `aes`, SM3 for `gm`).
   */
  readonly id: string;
  /** The vault's cipher suite (crypto/cipher-suite.ts): what the KEK wraps the data keys with. */
  readonly suite: CipherSuiteName;
}

export function kekFromBytes(key: Buffer, suite: CipherSuiteName = 'aes'): Kek {
  if (key.length !== KEY_BYTES) throw new TracevaultError('ERR_KEY_FILE');
  const id = cipherSuite(suite)
    .hash(Buffer.concat([Buffer.from('tracevault/kek-id', 'latin1'), key]))
    .toString('hex')
    .slice(0, 16);
  return { key, id, suite };
}

/** Creates a new key file (exclusive create, mode 0600) and returns its key. */
export function createKeyFile(path: string, suite: CipherSuiteName = 'aes'): Kek {
  const key = randomBytes(KEY_BYTES);
  const fd = openSync(path, 'wx', 0o600);
  try {
    writeSync(fd, `${PREFIX}${key.toString('base64')}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return kekFromBytes(key, suite);
}

function parse(text: string): Buffer {
  const t = text.trim();
  const b64 = t.startsWith(PREFIX) ? t.slice(PREFIX.length) : t;
  if (!/^[A-Za-z0-9+/]{43}=$/.test(b64)) throw new TracevaultError('ERR_KEY_FILE');
  return Buffer.from(b64, 'base64');
}

/** Loads the KEK from the environment if set, else from the key file (which must be 0600 or stricter). */
export function loadKek(path: string, env: NodeJS.ProcessEnv = process.env, suite: CipherSuiteName = 'aes'): Kek {
  const fromEnv = env[KEK_ENV];
  if (fromEnv !== undefined && fromEnv !== '') return kekFromBytes(parse(fromEnv), suite);
  let text: string;
  try {
    const st = statSync(path);
    if (process.platform !== 'win32' && (st.mode & 0o077) !== 0) throw new TracevaultError('ERR_KEY_FILE');
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (e instanceof TracevaultError) throw e;
    throw new TracevaultError('ERR_KEY_FILE', {}, { cause: e });
  }
  return kekFromBytes(parse(text), suite);
}
