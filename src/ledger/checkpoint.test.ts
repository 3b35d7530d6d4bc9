import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatCheckpoint, openCheckpoint, parseCheckpoint, signCheckpoint } from './checkpoint.ts';
import { noteKeyFromSeed, parseSignerKey, parseVerifierKey, generateNoteKey } from './signed-note.ts';
import { verifyProofDocument } from './proof-file.ts';
import { EMPTY_ROOT, leafHash, rootOf } from './merkle.ts';
import { vectorPath } from '../../test/helpers/vectors.ts';

const ORIGIN = 'tracevault.example/ledger';
const fixed = noteKeyFromSeed(ORIGIN, Buffer.alloc(32, 7));

test('checkpoint: format, parse, sign and open round trip with a fixed key (Ed25519 is deterministic)', () => {
  const root = rootOf([leafHash(Buffer.from('a')), leafHash(Buffer.from('b'))]);
  const c = { origin: ORIGIN, size: 2, root };
  const text = formatCheckpoint(c);
  assert.equal(text, `${ORIGIN}\n2\n${root.toString('base64')}\n`);
  assert.deepEqual(parseCheckpoint(text), { ...c, extensions: [] });
  const signed = signCheckpoint(c, parseSignerKey(fixed.signerKey));
  // The same key and checkpoint always give the same note.
  assert.equal(signed, signCheckpoint(c, parseSignerKey(fixed.signerKey)));
  assert.equal(signed.split('\n').at(-2)!.split(' ')[1], ORIGIN);
  const opened = openCheckpoint(signed, parseVerifierKey(fixed.verifierKey));
  assert.equal(opened.checkpoint.size, 2);
  assert.deepEqual(opened.checkpoint.root, root);
  // Another log's key, a forged size, or a malformed body are refused.
  assert.throws(() => openCheckpoint(signed, parseVerifierKey(generateNoteKey(ORIGIN).verifierKey)), {
    code: 'ERR_UNVERIFIED_NOTE',
  });
  assert.throws(() => openCheckpoint(signed.replace('\n2\n', '\n3\n'), parseVerifierKey(fixed.verifierKey)), {
    code: 'ERR_UNVERIFIED_NOTE',
  });
  for (const bad of [`${ORIGIN}\n02\n${root.toString('base64')}\n`, `${ORIGIN}\n2\nAAAA\n`, `${ORIGIN}\n2\n`, '']) {
    assert.throws(() => parseCheckpoint(bad), { code: 'ERR_MALFORMED_NOTE' });
  }
  assert.equal(
    formatCheckpoint({ origin: ORIGIN, size: 0, root: EMPTY_ROOT }),
    `${ORIGIN}\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n`,
  );
});

const VECTORS = `${vectorPath('tlog/transparency-dev-merkle')}/`;
const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((n) =>
    statSync(join(dir, n)).isDirectory() ? files(join(dir, n)) : n.endsWith('.json') ? [join(dir, n)] : [],
  );

test('proof files: the 196 probes read as documents give the expected verdicts', () => {
  for (const f of files(VECTORS)) {
    const v = JSON.parse(readFileSync(f, 'utf8'));
    assert.equal(verifyProofDocument(v).valid, !v.wantErr, f);
  }
  assert.throws(() => verifyProofDocument({ leafIdx: 0 }), { code: 'ERR_BAD_REQUEST' });
  assert.throws(() => verifyProofDocument([]), { code: 'ERR_BAD_REQUEST' });
});

test('tracevault ledger verify-proof: exit 0 valid, 1 invalid, 2 malformed', () => {
  const bin = new URL('../../bin/tracevault.js', import.meta.url).pathname;
  const run = (f: string) =>
    spawnSync(process.execPath, [bin, 'ledger', 'verify-proof', f], { encoding: 'utf8' }).status;
  const dir = mkdtempSync(join(tmpdir(), 'tv-proof-'));
  try {
    assert.equal(run(join(VECTORS, 'inclusion/1/happy-path.json')), 0);
    assert.equal(run(join(VECTORS, 'consistency/2/happy-path.json')), 0);
    assert.equal(run(join(VECTORS, 'inclusion/1/wrong-leaf.json')), 1);
    assert.equal(run(join(VECTORS, 'consistency/1/swapped-roots.json')), 1);
    writeFileSync(join(dir, 'bad.json'), '{ not json');
    writeFileSync(
      join(dir, 'shape.json'),
      JSON.stringify({ leafIdx: 'x', treeSize: 2, root: '', leafHash: '', proof: null }),
    );
    assert.equal(run(join(dir, 'bad.json')), 2);
    assert.equal(run(join(dir, 'shape.json')), 2);
    assert.equal(run(join(dir, 'missing.json')), 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
