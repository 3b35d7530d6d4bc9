/**
 * What the page says when nothing can be checked, and how it remembers a checkpoint: no keys, no
 * checkpoint yet and an unreachable server are "unavailable", never "verified" nor "altered"; a
 * damaged memory is as none; a smaller checkpoint never replaces a larger one. (Verified and
 * altered, on a real server's bytes: test/portal-proof.test.ts.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { recall, remember, type KeyValueStore } from './checkpoint-memory.ts';
import { checkLedger, decodeProof, type LedgerSource } from './ledger-check.ts';
import { httpLedgerSource } from './http-source.ts';
import { ED25519, parseNoteKey } from './note-key.ts';

const vectors = JSON.parse(
  readFileSync(fileURLToPath(new URL('../../../test/vectors/signed-note.json', import.meta.url)), 'utf8'),
);

const memory = (): KeyValueStore & { map: Map<string, string> } => {
  const map = new Map<string, string>();
  return { map, getItem: (k) => map.get(k) ?? null, setItem: (k, v) => void map.set(k, v) };
};

const never = async (): Promise<never> => {
  throw new Error('not called');
};

test('no keys, no checkpoint, no network: unavailable', async () => {
  const log = (await parseNoteKey(vectors.signers[0].verifierKey, ED25519))!;
  const keys = { log, witnesses: [], quorum: 0 };
  const none: LedgerSource = { checkpoint: async () => undefined, consistency: never };
  const down: LedgerSource = { checkpoint: never, consistency: never };
  assert.deepEqual(await checkLedger(none, undefined, memory()), { state: 'unavailable', reason: 'no-keys' });
  assert.deepEqual(await checkLedger(none, keys, memory()), { state: 'unavailable', reason: 'no-checkpoint' });
  assert.deepEqual(await checkLedger(down, keys, memory()), { state: 'unavailable', reason: 'network' });
  // A note that is not one, by a server that answers: altered, not unavailable.
  const junk: LedgerSource = { checkpoint: async () => 'not a note', consistency: never };
  assert.deepEqual(await checkLedger(junk, keys, memory()), { state: 'altered', reason: 'malformed' });
});

test('the remembered checkpoint: per origin, only ever larger, a damaged entry is none', () => {
  const store = memory();
  const root = (b: number) => new Uint8Array(32).fill(b);
  assert.equal(recall(store, 'log.a'), undefined);
  remember(store, { origin: 'log.a', size: 10, root: root(1) });
  remember(store, { origin: 'log.a', size: 7, root: root(2) });
  remember(store, { origin: 'log.b', size: 3, root: root(3) });
  assert.deepEqual(recall(store, 'log.a'), { size: 10, root: root(1) });
  assert.deepEqual(recall(store, 'log.b'), { size: 3, root: root(3) });
  for (const bad of ['{', '{"size":-1,"root":"AAAA"}', '{"size":1,"root":"AA"}', 'null', '"x"']) {
    store.setItem('tracevault.checkpoint.v1:log.c', bad);
    assert.equal(recall(store, 'log.c'), undefined, bad);
  }
});

test('proofs and answers of the wrong shape are refused', async () => {
  assert.equal(decodeProof(['AAAA', 'not base64!']), undefined);
  assert.deepEqual(decodeProof([]), []);
  const answer = (status: number, body: string) => async () => new Response(body, { status });
  assert.equal(await httpLedgerSource(answer(404, 'not found\n')).checkpoint(), undefined);
  await assert.rejects(httpLedgerSource(answer(503, 'down')).checkpoint());
  const wrong = httpLedgerSource(answer(200, JSON.stringify({ size1: 1, size2: 9, proof: ['AAAA'] })));
  assert.equal(await wrong.consistency(2, 9), undefined, 'a proof for other sizes');
  const right = httpLedgerSource(answer(200, JSON.stringify({ size1: 2, size2: 9, proof: ['AAAA'] })));
  assert.deepEqual(await right.consistency(2, 9), ['AAAA']);
});
