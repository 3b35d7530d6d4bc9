import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { verifyProofDocument } from '../../ledger/proof-file.ts';
import { Ledger } from '../../ledger/log.ts';
import { ensureLedgerKey, loadLedgerSigner, loadLedgerVerifier } from '../../ledger/log-key.ts';
import { verifyLedger } from '../../ledger/verify.ts';
import { openVaultDb } from '../../store/vault.ts';
import { err, out, progress } from '../output.ts';

/** `tracevault ledger checkpoint --data DIR`: integrate new entries, sign a checkpoint, print it. */
export async function checkpointCommand(opts: { data: string }): Promise<void> {
  const dir = resolve(opts.data);
  const db = await openVaultDb(dir);
  try {
    ensureLedgerKey(dir);
    const signer = loadLedgerSigner(dir);
    const { note } = await new Ledger(db).checkpoint(signer.name, signer);
    process.stdout.write(note);
  } finally {
    await db.close();
  }
}

/** `tracevault ledger verify --data DIR`: exit 0 if the ledger verifies, 1 naming the first bad index. */
export async function ledgerVerifyCommand(opts: { data: string }): Promise<number> {
  const dir = resolve(opts.data);
  const db = await openVaultDb(dir);
  try {
    const bar = progress('verifying');
    const r = await verifyLedger(db, loadLedgerVerifier(dir), (n) => bar.update(n));
    bar.end();
    if (r.ok) {
      out(`ledger verified: ${r.entries} entries, ${r.checkpoints} signed checkpoints`);
      return 0;
    }
    out(`ledger INVALID: first bad index ${r.firstBadIndex} (${r.problem}); ${r.entries} entries, ${r.checkpoints} checkpoints`);
    return 1;
  } finally {
    await db.close();
  }
}

/** `tracevault ledger verify-proof FILE`: exit 0 if valid, 1 if invalid, 2 if the input is malformed. */
export function verifyProofCommand(file: string): number {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    err('error ERR_BAD_REQUEST: the proof file is missing or not JSON');
    return 2;
  }
  try {
    const r = verifyProofDocument(doc);
    out(`${r.kind} proof: ${r.valid ? 'valid' : 'INVALID'}`);
    return r.valid ? 0 : 1;
  } catch (e) {
    const field = (e as { details?: { field?: string } }).details?.field;
    err(`error ERR_BAD_REQUEST: not an inclusion or consistency proof${field ? `: field ${field}` : ''}`);
    return 2;
  }
}
