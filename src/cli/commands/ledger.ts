import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { TracevaultError } from '../../errors.ts';
import { parseCosignerVerifier } from '../../ledger/cosignature.ts';
import { verifyReceipt } from '../../ledger/receipt.ts';
import { parseVerifierKey } from '../../ledger/signed-note.ts';
import {
  cosignedCheckpoint,
  submitToWitnesses,
  loadWitnesses as witnesses,
  WITNESSES_FILE as WITNESSES,
} from '../../ledger/witness-client.ts';
import { verifyProofDocument } from '../../ledger/proof-file.ts';
import { ENTRY_COLUMNS, Ledger, receiptFor, type EntryRow } from '../../ledger/log.ts';
import { toAuditEvent } from '../../ledger/fhir.ts';
import { ensureLedgerKey, loadLedgerSigner, loadLedgerVerifier } from '../../ledger/log-key.ts';
import { verifyLedger } from '../../ledger/verify.ts';
import { checkRollback, describeRollback } from '../../ledger/rollback.ts';
import { openVaultDb } from '../../store/vault.ts';
import { err, out, progress } from '../output.ts';

/** `tracevault ledger add-witness --data DIR --url URL --key VKEY`: checkpoints go to it from now on. */
export function addWitnessCommand(opts: { data: string; url: string; key: string }): void {
  const dir = resolve(opts.data);
  const name = parseCosignerVerifier(opts.key).name;
  if (!/^https?:\/\/[^\s]+$/.test(opts.url)) throw new TracevaultError('ERR_BAD_REQUEST', { field: 'url' });
  const list = witnesses(dir).filter((w) => parseCosignerVerifier(w.verifierKey).name !== name);
  writeFileSync(
    join(dir, WITNESSES),
    `${JSON.stringify([...list, { url: opts.url, verifierKey: opts.key.trim() }], null, 2)}\n`,
  );
  out(`witness ${name} added (${list.length + 1} in all)`);
}

/**
 * `tracevault ledger checkpoint --data DIR`: integrate new entries, sign a checkpoint, send it to the
 * witnesses, print it with their cosignatures.
 */
export async function checkpointCommand(opts: { data: string }): Promise<void> {
  const dir = resolve(opts.data);
  const db = await openVaultDb(dir);
  try {
    ensureLedgerKey(dir);
    const signer = loadLedgerSigner(dir);
    const ledger = new Ledger(db);
    const { size, note } = await ledger.checkpoint(signer.name, signer);
    for (const o of await submitToWitnesses(db, ledger, note, witnesses(dir))) {
      err(`witness ${o.witness}: ${o.cosigned ? 'cosigned' : `refused or unreachable (HTTP ${o.status || 'none'})`}`);
    }
    process.stdout.write((await cosignedCheckpoint(db, size)) ?? note);
  } finally {
    await db.close();
  }
}

/** `tracevault ledger export --data DIR [--since SEQ]`: entries as FHIR R4 AuditEvent resources, one JSON a line. */
export async function exportCommand(opts: { data: string; since: number }): Promise<void> {
  const db = await openVaultDb(resolve(opts.data));
  try {
    for (let after = opts.since; ; ) {
      const rows = await db.all<EntryRow>(
        `SELECT ${ENTRY_COLUMNS} FROM audit_events WHERE seq > ? ORDER BY seq LIMIT 5000`,
        [after],
      );
      if (rows.length === 0) break;
      process.stdout.write(rows.map((r) => `${JSON.stringify(toAuditEvent(r))}\n`).join(''));
      after = Number(rows[rows.length - 1]!.seq);
    }
  } finally {
    await db.close();
  }
}

/** `tracevault ledger receipt --data DIR --index N`: an offline-verifiable receipt (c2sp tlog-proof). */
export async function receiptCommand(opts: { data: string; index: number }): Promise<void> {
  const dir = resolve(opts.data);
  const db = await openVaultDb(dir);
  try {
    process.stdout.write(await receiptFor(db, new Ledger(db), opts.index));
  } finally {
    await db.close();
  }
}

/**
 * `tracevault ledger verify-receipt FILE --log-key VKEY [--witness-key VKEY…] [--quorum N]`: exit 0 valid, 1 invalid,
 * 2 malformed.
 */
export function verifyReceiptCommand(
  file: string,
  opts: { logKey: string; witnessKey?: string[]; quorum?: number },
): number {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    err('error ERR_BAD_REQUEST: the receipt file is missing');
    return 2;
  }
  try {
    const r = verifyReceipt(text, parseVerifierKey(opts.logKey), (opts.witnessKey ?? []).map(parseCosignerVerifier), {
      quorum: opts.quorum ?? 0,
    });
    const checkpoint = r.size
      ? ` (checkpoint of ${r.size} entries, ` +
        `cosigned by ${r.witnesses.length ? r.witnesses.join(', ') : 'no known witness'})`
      : '';
    out(`receipt for entry ${r.index}: ${r.valid ? 'valid' : 'INVALID'}${checkpoint}`);
    if (r.valid && r.entry) out(r.entry.split('\n').pop()!);
    return r.valid ? 0 : 1;
  } catch {
    err('error ERR_BAD_REQUEST: not a tlog-proof receipt, or a malformed key');
    return 2;
  }
}

/**
 * `tracevault ledger verify --data DIR [--checkpoint FILE…]`: exit 0 if the ledger verifies, 1 naming
 * the first bad index, or naming a rollback: a witness (or a cosigned checkpoint kept elsewhere) that
 * has seen more than this ledger holds (ledger/rollback.ts, ADR 0029).
 */
export async function ledgerVerifyCommand(opts: { data: string; checkpoint?: string[] }): Promise<number> {
  const dir = resolve(opts.data);
  const db = await openVaultDb(dir);
  try {
    const bar = progress('verifying');
    const log = loadLedgerVerifier(dir);
    const configured = witnesses(dir);
    const r = await verifyLedger(
      db,
      log,
      (n) => bar.update(n),
      configured.map((w) => parseCosignerVerifier(w.verifierKey)),
    );
    bar.end();
    let known: string[];
    try {
      known = (opts.checkpoint ?? []).map((f) => readFileSync(f, 'utf8'));
    } catch {
      throw new TracevaultError('ERR_BAD_REQUEST', { field: 'checkpoint' });
    }
    const rb = await checkRollback(db, new Ledger(db), configured, { log, knownCheckpoints: known });
    for (const w of rb.unreachable) err(`witness ${w}: unreachable; not asked whether this ledger was rolled back`);
    if (rb.rolledBack) {
      out(`ledger ROLLED BACK: ${describeRollback(rb)}`);
      return 1;
    }
    if (r.ok) {
      const asked = rb.checked.length > 0 ? `; not behind its witnesses (${rb.checked.join(', ')})` : '';
      out(`ledger verified: ${r.entries} entries, ${r.checkpoints} signed checkpoints${asked}`);
      return 0;
    }
    out(
      `ledger INVALID: first bad index ${r.firstBadIndex} (${r.problem}); ` +
        `${r.entries} entries, ${r.checkpoints} checkpoints`,
    );
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
