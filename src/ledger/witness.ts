/**
 * A witness, c2sp.org/tlog-witness: it keeps, per log origin, the latest checkpoint it cosigned,
 * and cosigns a new one only with a consistency proof from that one. So a log cannot show two
 * different histories (a fork) to parties who check the witness's cosignature.
 *
 *   POST <prefix>/add-checkpoint
 *   body:  "old <size>\n" <proof hashes, base64, one a line, at most 63> "\n" <signed checkpoint>
 *   200    cosignature line(s)                       400 malformed, or old size > checkpoint size
 *   403    no valid signature by a trusted log key   404 unknown origin
 *   409    old size is not the last cosigned size (body: that size, text/x.tlog.size), or same size, other root
 *   422    the consistency proof does not verify
 *
 * The check against the stored size and the update are one transaction (the spec's race).
 */
import { createServer, type Server } from 'node:http';
import { isTracevaultError } from '../errors.ts';
import type { Db } from '../store/db.ts';
import { parseCheckpoint } from './checkpoint.ts';
import type { Cosigner } from './cosignature.ts';
import { HASH_BYTES, verifyConsistency } from './merkle.ts';
import { openNote, type NoteVerifier } from './signed-note.ts';

export interface WitnessResponse {
  readonly status: number;
  readonly body: string;
  readonly contentType: string;
}

const text = (status: number, body = ''): WitnessResponse => ({
  status,
  body,
  contentType: 'text/plain; charset=utf-8',
});

export const WITNESS_SCHEMA =
  'CREATE TABLE IF NOT EXISTS witness_state ' +
  '(origin TEXT PRIMARY KEY, size INTEGER NOT NULL, root BLOB NOT NULL, updated_at TEXT NOT NULL)';

export class Witness {
  readonly #cosigner: Cosigner;
  readonly #logs: readonly NoteVerifier[];
  readonly #db: Db;
  readonly #now: () => Date;

  constructor(cosigner: Cosigner, trustedLogs: readonly NoteVerifier[], db: Db, now: () => Date = () => new Date()) {
    this.#cosigner = cosigner;
    this.#logs = trustedLogs;
    this.#db = db;
    this.#now = now;
  }

  get name(): string {
    return this.#cosigner.name;
  }

  async addCheckpoint(body: string): Promise<WitnessResponse> {
    const split = body.indexOf('\n\n');
    if (split < 0) return text(400, 'malformed request\n');
    const head = body.slice(0, split).split('\n');
    const note = body.slice(split + 2);
    const old = /^old (0|[1-9][0-9]*)$/.exec(head[0] ?? '');
    const proofLines = head.slice(1);
    if (!old || proofLines.length > 63) return text(400, 'malformed request\n');
    const proof = proofLines.map((l) => Buffer.from(l, 'base64'));
    if (proof.some((p, i) => p.length !== HASH_BYTES || p.toString('base64') !== proofLines[i]))
      return text(400, 'malformed proof\n');
    const oldSize = Number(old[1]);
    // The origin names the log; only its trusted keys count.
    let origin: string;
    try {
      origin = parseCheckpoint(note.slice(0, note.indexOf('\n\n') + 1)).origin;
    } catch {
      return text(400, 'malformed checkpoint\n');
    }
    const keys = this.#logs.filter((k) => k.name === origin);
    if (keys.length === 0) return text(404, 'unknown log\n');
    let checkpointText: string;
    try {
      checkpointText = openNote(note, keys).text;
    } catch (e) {
      return isTracevaultError(e) && e.code === 'ERR_UNVERIFIED_NOTE'
        ? text(403, 'no valid signature by the log\n')
        : text(400, 'malformed checkpoint\n');
    }
    const cp = parseCheckpoint(checkpointText);
    if (oldSize > cp.size) return text(400, 'old size is larger than the checkpoint size\n');
    return this.#db.transaction(async (tx) => {
      const state = await tx.get<{ size: number; root: Buffer }>(
        'SELECT size, root FROM witness_state WHERE origin = ?',
        [origin],
      );
      const stored = state ? Number(state.size) : 0;
      if (oldSize !== stored) return { status: 409, body: `${stored}\n`, contentType: 'text/x.tlog.size' };
      if (
        oldSize === 0
          ? proof.length > 0
          : oldSize === cp.size
            ? !cp.root.equals(state!.root)
            : !verifyConsistency(oldSize, cp.size, state!.root, cp.root, proof)
      ) {
        return oldSize === cp.size
          ? text(409, 'same size, different root: a fork\n')
          : text(422, 'the consistency proof does not verify\n');
      }
      await tx.run(
        'INSERT INTO witness_state (origin, size, root, updated_at) VALUES (?, ?, ?, ?) ' +
          'ON CONFLICT (origin) DO UPDATE SET ' +
          'size = excluded.size, root = excluded.root, updated_at = excluded.updated_at',
        [origin, cp.size, cp.root, this.#now().toISOString()],
      );
      return text(200, this.#cosigner.cosign(checkpointText, Math.floor(this.#now().getTime() / 1000)));
    });
  }
}

const MAX_BODY = 64 * 1024;

/** Serves a witness over HTTP (loopback by default). */
export function serveWitness(witness: Witness, port: number, host = '127.0.0.1'): Promise<Server> {
  const server = createServer((req, res) => {
    const send = (r: WitnessResponse) => {
      res.writeHead(r.status, { 'content-type': r.contentType, 'content-length': Buffer.byteLength(r.body) });
      res.end(r.body);
    };
    if (req.method !== 'POST' || !/^\/(?:.*\/)?add-checkpoint$/.test(req.url ?? ''))
      return send(text(404, 'not found\n'));
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        send(text(413, 'request too large\n'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => {
      if (size > MAX_BODY) return;
      witness
        .addCheckpoint(Buffer.concat(chunks).toString('utf8'))
        .then(send, () => send(text(500, 'internal error\n')));
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
