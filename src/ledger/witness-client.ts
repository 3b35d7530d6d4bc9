/**
 * The log's side of c2sp.org/tlog-witness: each new checkpoint goes to every configured witness
 * with a consistency proof from the size that witness last cosigned; valid cosignatures are kept
 * beside the checkpoint. A witness that is down or refuses does not stop the log: the result says so.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TracevaultError } from '../errors.ts';
import type { Db } from '../store/db.ts';
import { parseCheckpoint } from './checkpoint.ts';
import { parseCosignerVerifier } from './cosignature.ts';
import type { Ledger } from './log.ts';
import { openNote } from './signed-note.ts';

export interface WitnessConfig {
  /** The submission prefix: add-checkpoint is POSTed to `${url}/add-checkpoint`. */
  readonly url: string;
  /** The witness's cosigner verifier key (type 0x04); its name is the witness's name. */
  readonly verifierKey: string;
}

export interface WitnessOutcome {
  readonly witness: string;
  readonly status: number;
  readonly cosigned: boolean;
}

async function post(url: string, body: string): Promise<{ status: number; type: string; text: string }> {
  const r = await fetch(`${url.replace(/\/$/, '')}/add-checkpoint`, {
    method: 'POST',
    body,
    signal: AbortSignal.timeout(10_000),
  });
  return { status: r.status, type: r.headers.get('content-type') ?? '', text: await r.text() };
}

export async function submitToWitnesses(
  db: Db,
  ledger: Ledger,
  note: string,
  witnesses: readonly WitnessConfig[],
): Promise<WitnessOutcome[]> {
  const cp = parseCheckpoint(note.slice(0, note.indexOf('\n\n') + 1));
  const out: WitnessOutcome[] = [];
  for (const w of witnesses) {
    const verifier = parseCosignerVerifier(w.verifierKey);
    let old = Number(
      (await db.get<{ size: number }>('SELECT size FROM ledger_witness_sizes WHERE witness = ?', [verifier.name]))
        ?.size ?? 0,
    );
    let outcome: WitnessOutcome = { witness: verifier.name, status: 0, cosigned: false };
    try {
      for (let attempt = 0; attempt < 2; attempt++) {
        const proof = old > 0 && old < cp.size ? await ledger.consistencyProof(old, cp.size) : [];
        const r = await post(w.url, `old ${old}\n${proof.map((h) => `${h.toString('base64')}\n`).join('')}\n${note}`);
        outcome = { witness: verifier.name, status: r.status, cosigned: false };
        // 409 with a size: the witness last cosigned another size; try once from there.
        if (
          r.status === 409 &&
          r.type.startsWith('text/x.tlog.size') &&
          /^\d+\n$/.test(r.text) &&
          Number(r.text) <= cp.size &&
          attempt === 0
        ) {
          old = Number(r.text);
          continue;
        }
        if (r.status === 200) {
          const lines = r.text.split('\n').filter((l) => l.startsWith(`— ${verifier.name} `));
          const valid = lines.filter((l) => {
            try {
              return openNote(`${note}${l}\n`, [verifier]).verified.length > 0;
            } catch {
              return false;
            }
          });
          if (valid.length > 0) {
            await db.transaction(async (tx) => {
              await tx.run(
                'INSERT INTO ledger_cosignatures (size, witness, line) VALUES (?, ?, ?) ' +
                  'ON CONFLICT (size, witness) DO UPDATE SET line = excluded.line',
                [cp.size, verifier.name, valid[0]!],
              );
              await tx.run(
                'INSERT INTO ledger_witness_sizes (witness, size) VALUES (?, ?) ' +
                  'ON CONFLICT (witness) DO UPDATE SET size = excluded.size',
                [verifier.name, cp.size],
              );
            });
            outcome = { ...outcome, cosigned: true };
          }
        }
        break;
      }
    } catch {
      outcome = { witness: verifier.name, status: 0, cosigned: false };
    }
    out.push(outcome);
  }
  return out;
}

/** A checkpoint note with every cosignature kept for it. */
export async function cosignedCheckpoint(db: Db, size: number): Promise<string | undefined> {
  const cp = await db.get<{ note: string }>('SELECT note FROM ledger_checkpoints WHERE size = ?', [size]);
  if (!cp) return undefined;
  const lines = await db.all<{ line: string }>('SELECT line FROM ledger_cosignatures WHERE size = ? ORDER BY witness', [
    size,
  ]);
  return cp.note + lines.map((l) => `${l.line}\n`).join('');
}

export const WITNESSES_FILE = 'witnesses.json';

/** The witnesses configured for a vault (DIR/witnesses.json; none if absent). */
export function loadWitnesses(dir: string): WitnessConfig[] {
  const f = join(dir, WITNESSES_FILE);
  if (!existsSync(f)) return [];
  try {
    return JSON.parse(readFileSync(f, 'utf8')) as WitnessConfig[];
  } catch (e) {
    throw new TracevaultError('ERR_BAD_REQUEST', { field: WITNESSES_FILE }, { cause: e });
  }
}
