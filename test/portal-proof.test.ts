/**
 * The parents' portal verifies the ledger in the browser with web/src/proof/: here the same code
 * runs under Node.js against a real vault served over HTTP (SQLite, a synthetic city, the log's key
 * and a witness cosigning over HTTP), on what the server really serves — its checkpoint, its
 * proofs, its hash tiles — and then on the same bytes with one byte changed.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkLedger, verifyEntry, type LedgerSource } from '../web/src/proof/ledger-check.ts';
import { httpLedgerSource } from '../web/src/proof/http-source.ts';
import { leafHash } from '../web/src/proof/merkle.ts';
import { COSIGNATURE_V1, ED25519, parseNoteKey } from '../web/src/proof/note-key.ts';
import type { PinnedKeys } from '../web/src/proof/checkpoint.ts';
import type { KeyValueStore } from '../web/src/proof/checkpoint-memory.ts';
import { ENTRY_COLUMNS, leafInput, type EntryRow } from '../src/ledger/log.ts';
import { tilePath } from '../src/ledger/tiles.ts';
import { witnessedVault, type WitnessedVault } from './helpers/witnessed-vault.ts';

class MemoryStore implements KeyValueStore {
  readonly map: Map<string, string>;
  constructor(entries: [string, string][] = []) {
    this.map = new Map(entries);
  }
  getItem = (k: string) => this.map.get(k) ?? null;
  setItem = (k: string, v: string) => void this.map.set(k, v);
}

/** One byte of a base64 hash changed: the first character replaced by another. */
const flip = (b64: string) => (b64[0] === 'A' ? 'B' : 'A') + b64.slice(1);

describe("the portal's proof checks against a real server", () => {
  let v: WitnessedVault, keys: PinnedKeys, http: LedgerSource;

  before(async () => {
    v = await witnessedVault({ seed: 'portal-proof', families: 12 });
    keys = {
      log: (await parseNoteKey(v.logKey, ED25519))!,
      witnesses: [(await parseNoteKey(v.witnessKey, COSIGNATURE_V1))!],
      quorum: 1,
    };
    http = httpLedgerSource(fetch, v.base);
  });
  after(async () => v?.close());

  test('the checkpoint, then a grown log proven consistent with it; a smaller or forked one is refused', async () => {
    const size1 = await v.checkpoint();
    const store = new MemoryStore();
    const first = await checkLedger(http, keys, store);
    assert.equal(first.state, 'verified', JSON.stringify(first));
    assert.ok(first.state === 'verified' && first.checkpoint.size === size1 && first.previousSize === undefined);
    assert.deepEqual(first.state === 'verified' && first.witnesses.map((w) => w.name), ['witness.test/portal']);
    // More entries (logins, failed), a new checkpoint: the next visit checks the consistency proof.
    for (const password of ['wrong one', 'wrong two'])
      await fetch(`${v.base}/v1/sessions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ login: 'nobody.here', password }),
      });
    const size2 = await v.checkpoint();
    assert.ok(size2 > size1);
    const second = await checkLedger(http, keys, store);
    assert.ok(second.state === 'verified' && second.previousSize === size1 && second.checkpoint.size === size2);
    // The same visit again: same size, same root.
    assert.equal((await checkLedger(http, keys, store)).state, 'verified');

    // A consistency proof with one byte changed.
    const fresh = new MemoryStore();
    const older: LedgerSource = { ...http, checkpoint: async () => firstNote };
    const firstNote = await (async () => {
      // The first checkpoint as the log signed it, from the database (the server serves only the latest).
      const row = await v.vault.db.get<{ note: string }>('SELECT note FROM ledger_checkpoints WHERE size = ?', [size1]);
      const cos = await v.vault.db.all<{ line: string }>('SELECT line FROM ledger_cosignatures WHERE size = ?', [
        size1,
      ]);
      return row!.note + cos.map((c) => `${c.line}\n`).join('');
    })();
    assert.equal((await checkLedger(older, keys, fresh)).state, 'verified');
    const tampered: LedgerSource = {
      ...http,
      consistency: async (a, b) => (await http.consistency(a, b))!.map((h, i) => (i === 0 ? flip(h) : h)),
    };
    assert.deepEqual(await checkLedger(tampered, keys, new MemoryStore([...fresh.map])), {
      state: 'altered',
      reason: 'consistency',
    });
    // The log shows a smaller tree than this browser saw: a rollback.
    assert.deepEqual(await checkLedger(older, keys, store), { state: 'altered', reason: 'rollback' });
  });

  test('every byte of the served checkpoint matters', async () => {
    await v.checkpoint();
    const note = (await http.checkpoint())!;
    assert.equal((await checkLedger(http, keys, new MemoryStore())).state, 'verified');
    // Each byte of the body and of the signature lines, changed one at a time.
    const positions = Array.from({ length: note.length }, (_, i) => i).filter(
      (i) => note[i] !== '\n' && note[i] !== ' ' && note[i] !== '—',
    );
    let refused = 0;
    for (const i of positions) {
      const c = note[i] === 'A' ? 'B' : 'A';
      const changed = note.slice(0, i) + c + note.slice(i + 1);
      const r = await checkLedger({ ...http, checkpoint: async () => changed }, keys, new MemoryStore());
      if (r.state === 'altered') refused++;
      else assert.fail(`byte ${i} changed and the checkpoint still ${r.state}`);
    }
    assert.equal(refused, positions.length);
    // Without the witness's cosignature, the quorum of one is not met.
    const logOnly = note
      .split('\n')
      .filter((l) => !l.startsWith('— witness.test/portal '))
      .join('\n');
    assert.deepEqual(await checkLedger({ ...http, checkpoint: async () => logOnly }, keys, new MemoryStore()), {
      state: 'altered',
      reason: 'witnesses',
    });
  });

  test('inclusion proofs of real entries: their leaf hashes from the entries and from the tiles', async () => {
    await v.checkpoint();
    const status = await checkLedger(http, keys, new MemoryStore());
    assert.ok(status.state === 'verified');
    const { size } = status.checkpoint;
    const width = Math.min(size, 256);
    const tile = new Uint8Array(await (await fetch(`${v.base}/v1/ledger/${tilePath(0, 0, width)}`)).arrayBuffer());
    assert.equal(tile.length, width * 32);
    for (const index of [0, 1, Math.floor(width / 2), width - 1]) {
      // The entry as the log salted and stored it; its leaf hash, computed by the browser's code, is the tile's.
      const row = await v.vault.db.get<EntryRow>(`SELECT ${ENTRY_COLUMNS} FROM audit_events WHERE seq = ?`, [
        index + 1,
      ]);
      const leaf = await leafHash(Uint8Array.from(leafInput(row!)));
      assert.deepEqual(leaf, tile.subarray(index * 32, index * 32 + 32), `leaf ${index}`);
      const res = await fetch(`${v.base}/v1/ledger/proof/inclusion?index=${index}&size=${size}`);
      const { proof } = (await res.json()) as { proof: string[] };
      assert.equal(await verifyEntry(status.checkpoint, index, leaf, proof), true, `entry ${index}`);
      // One byte of the proof, of the leaf, or another index: refused.
      if (proof.length > 0)
        assert.equal(await verifyEntry(status.checkpoint, index, leaf, [flip(proof[0]!), ...proof.slice(1)]), false);
      const other = Uint8Array.from(leaf);
      other[31] = other[31]! ^ 1;
      assert.equal(await verifyEntry(status.checkpoint, index, other, proof), false);
      assert.equal(await verifyEntry(status.checkpoint, index + 1, leaf, proof), false);
    }
  });
});
