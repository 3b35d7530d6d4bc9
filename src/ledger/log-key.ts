/**
 * The log's checkpoint key lives outside the database: DIR/ledger.key (the signer key, owner-only)
 * and DIR/ledger.pub (the verifier key, public; its name is the log's origin). Created on first use.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { TracevaultError } from '../errors.ts';
import { base32 } from '../crypto/ids.ts';
import {
  generateNoteKey,
  parseSignerKey,
  parseVerifierKey,
  type NoteSigner,
  type NoteVerifier,
} from './signed-note.ts';

export const LEDGER_FILES = { signer: 'ledger.key', verifier: 'ledger.pub' } as const;

export function ensureLedgerKey(dir: string): void {
  const skey = join(dir, LEDGER_FILES.signer);
  if (existsSync(skey)) return;
  const k = generateNoteKey(`tracevault.local/ledger/${base32(randomBytes(5))}`);
  writeFileSync(skey, `${k.signerKey}\n`, { mode: 0o600, flag: 'wx' });
  writeFileSync(join(dir, LEDGER_FILES.verifier), `${k.verifierKey}\n`, { flag: 'w' });
}

export function loadLedgerSigner(dir: string): NoteSigner {
  const path = join(dir, LEDGER_FILES.signer);
  try {
    if ((statSync(path).mode & 0o077) !== 0) throw new TracevaultError('ERR_KEY_FILE');
    return parseSignerKey(readFileSync(path, 'utf8'));
  } catch (e) {
    throw e instanceof TracevaultError && e.code === 'ERR_KEY_FILE'
      ? e
      : new TracevaultError('ERR_KEY_FILE', {}, { cause: e });
  }
}

export function loadLedgerVerifier(dir: string): NoteVerifier {
  try {
    return parseVerifierKey(readFileSync(join(dir, LEDGER_FILES.verifier), 'utf8'));
  } catch (e) {
    throw new TracevaultError('ERR_KEY_FILE', {}, { cause: e });
  }
}
