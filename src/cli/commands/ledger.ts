import { readFileSync } from 'node:fs';
import { verifyProofDocument } from '../../ledger/proof-file.ts';
import { err, out } from '../output.ts';

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
