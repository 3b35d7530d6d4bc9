/**
 * The browser's check of a child's access history (web/src/proof/history-check.ts) against trees and
 * checkpoints made by the server's own code (src/ledger/merkle.ts, checkpoint.ts): every entry with
 * a good proof verified; an entry newer than the checkpoint pending; a changed proof hash, a row whose
 * action or time differs from its leaf, an entry said to be uncovered though the checkpoint covers
 * it, and an answer whose size is not its checkpoint's all "altered"; no checkpoint: nothing verified.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { signCheckpoint } from '../src/ledger/checkpoint.ts';
import { inclusionProof, leafHashOfText, nodeHash, splitPoint, type Hash } from '../src/ledger/merkle.ts';
import { noteKeyFromSeed, parseSignerKey } from '../src/ledger/signed-note.ts';
import { checkHistory, type HistoryAnswer, type HistoryEntry } from '../web/src/proof/history-check.ts';
import { ED25519, parseNoteKey } from '../web/src/proof/note-key.ts';
import type { KeyValueStore } from '../web/src/proof/checkpoint-memory.ts';

const ORIGIN = 'tracevault.test/history-check';
const key = noteKeyFromSeed(ORIGIN, Buffer.alloc(32, 3));
const signer = parseSignerKey(key.signerKey);

const memory = (): KeyValueStore => {
  const map = new Map<string, string>();
  return { getItem: (k) => map.get(k) ?? null, setItem: (k, v) => void map.set(k, v) };
};
const noConsistency = async (): Promise<readonly string[] | undefined> => undefined;

/** Leaf inputs as the ledger writes them: `<seq>\n<tenant>\n<at>\nsalt <hex>\n<entry JSON>`. */
function leafText(index: number, action: string): string {
  const at = new Date(Date.UTC(2026, 11, 4, 8, 0, index)).toISOString();
  return `${index + 1}\nt_1\n${at}\nsalt ${'ab'.repeat(16)}\n${JSON.stringify({ action, principalId: 'p_1' })}`;
}

/** A log of `n` entries, a checkpoint of its first `size`, and the history of `indices` as the server answers it. */
function history(n: number, size: number, indices: readonly number[]) {
  const texts = Array.from({ length: n }, (_, i) => leafText(i, i % 2 ? 'reveal' : 'read'));
  const leaves = texts.map(leafHashOfText);
  const sub = (lo: number, hi: number): Hash =>
    hi - lo === 1 ? leaves[lo]! : nodeHash(sub(lo, lo + splitPoint(hi - lo)), sub(lo + splitPoint(hi - lo), hi));
  const checkpoint = signCheckpoint({ origin: ORIGIN, size, root: sub(0, size) }, signer);
  const entries: HistoryEntry[] = indices.map((i) => {
    const lines = texts[i]!.split('\n');
    return {
      index: i,
      at: lines[2]!,
      action: (JSON.parse(lines[4]!) as { action: string }).action,
      leaf: Buffer.from(texts[i]!, 'utf8').toString('base64'),
      proof: i < size ? inclusionProof(i, size, sub).map((h) => h.toString('base64')) : null,
    };
  });
  return { checkpoint, size, entries } satisfies HistoryAnswer;
}

const keys = async () => ({ log: (await parseNoteKey(key.verifierKey, ED25519))!, witnesses: [], quorum: 0 });

test('every entry with a good proof is verified; one newer than the checkpoint is pending', async () => {
  const answer = history(13, 12, [12, 11, 7, 4, 0]);
  const check = await checkHistory(answer, noConsistency, await keys(), memory());
  assert.equal(check.ledger.state, 'verified');
  assert.equal(check.altered, false);
  assert.deepEqual(Object.fromEntries(check.entries), {
    12: 'pending',
    11: 'verified',
    7: 'verified',
    4: 'verified',
    0: 'verified',
  });
});

test('a changed proof hash, a row that says other than its leaf, a covered entry without proof: altered', async () => {
  const answer = history(12, 12, [9, 6, 3, 1]);
  const [a, b, c, d] = answer.entries;
  const h = a!.proof![0]!;
  const tampered: HistoryAnswer = {
    ...answer,
    entries: [
      { ...a!, proof: [(h[0] === 'A' ? 'B' : 'A') + h.slice(1), ...a!.proof!.slice(1)] },
      { ...b!, action: 'read' === b!.action ? 'reveal' : 'read' },
      { ...c!, proof: null },
      d!,
    ],
  };
  const check = await checkHistory(tampered, noConsistency, await keys(), memory());
  assert.equal(check.altered, true);
  assert.deepEqual(Object.fromEntries(check.entries), { 9: 'altered', 6: 'altered', 3: 'altered', 1: 'verified' });
  // The time shown is the leaf's, too.
  const later = { ...answer, entries: [{ ...d!, at: '2027-01-01T00:00:00.000Z' }] };
  assert.equal((await checkHistory(later, noConsistency, await keys(), memory())).entries.get(1), 'altered');
});

test('an answer whose size is not its checkpoint’s, or a foreign checkpoint: nothing verified', async () => {
  const answer = history(8, 8, [5, 2]);
  const wrongSize = await checkHistory({ ...answer, size: 7 }, noConsistency, await keys(), memory());
  assert.equal(wrongSize.altered, true);
  assert.deepEqual([...wrongSize.entries.values()], ['altered', 'altered']);
  const other = noteKeyFromSeed(ORIGIN, Buffer.alloc(32, 4));
  const foreign = { log: (await parseNoteKey(other.verifierKey, ED25519))!, witnesses: [], quorum: 0 };
  assert.equal((await checkHistory(answer, noConsistency, foreign, memory())).altered, true);
});

test('no checkpoint yet, or no pinned keys: unavailable, no entry verified and none said altered', async () => {
  const answer = { ...history(4, 4, [3, 1]), checkpoint: null, size: 0 };
  const none = await checkHistory(answer, noConsistency, await keys(), memory());
  assert.equal(none.ledger.state, 'unavailable');
  assert.equal(none.altered, false);
  assert.deepEqual([...none.entries.values()], ['unchecked', 'unchecked']);
  const noKeys = await checkHistory(history(4, 4, [3]), noConsistency, undefined, memory());
  assert.deepEqual([...noKeys.entries.values()], ['unchecked']);
});
