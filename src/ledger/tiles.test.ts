import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeIndex, encodeIndex, entriesPath, parseTilePath, tilePath, tilesForSize } from './tiles.ts';

test('tile paths: the spec example and round trips', () => {
  assert.equal(encodeIndex(1234067), 'x001/x234/067');
  assert.equal(encodeIndex(0), '000');
  assert.equal(encodeIndex(999), '999');
  assert.equal(encodeIndex(1000), 'x001/000');
  assert.equal(tilePath(0, 1234067), 'tile/0/x001/x234/067');
  assert.equal(tilePath(1, 1, 17), 'tile/1/001.p/17');
  assert.equal(entriesPath(273, 112), 'tile/entries/273.p/112');
  assert.deepEqual(parseTilePath('tile/0/x001/x234/067'), { entries: false, level: 0, index: 1234067, width: 256 });
  assert.deepEqual(parseTilePath('tile/entries/273.p/112'), { entries: true, level: 0, index: 273, width: 112 });
  for (const bad of [
    'tile/0/1234067',
    'tile/0/x1/234',
    'tile/00/000',
    'tile/0/000.p/256',
    'tile/0/000.p/0',
    'tile/0/x000/001',
    '../tile/0/000',
  ]) {
    assert.equal(parseTilePath(bad), undefined, bad);
  }
  fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 40 }), (n) => assert.equal(decodeIndex(encodeIndex(n)), n)));
});

test('tiles of the spec example, a tree of 70,000 entries', () => {
  const tiles = tilesForSize(70_000);
  const at = (level: number) => tiles.filter((t) => t.level === level);
  // Level 0: 273 full tiles of leaf hashes and a partial one of 70,000 − 273·256 = 112.
  assert.equal(at(0).length, 274);
  assert.deepEqual(at(0).at(-1), { level: 0, index: 273, width: 112 });
  // Level 1: 273 level-8 hashes: one full tile and a partial one of 17.
  assert.deepEqual(at(1), [
    { level: 1, index: 0, width: 256 },
    { level: 1, index: 1, width: 17 },
  ]);
  // Level 2: a single level-16 hash (65,536 leaves).
  assert.deepEqual(at(2), [{ level: 2, index: 0, width: 1 }]);
  assert.equal(tiles.length, 277);
  assert.equal(tilePath(0, 273, 112), 'tile/0/273.p/112');
  assert.deepEqual(tilesForSize(0), []);
  assert.deepEqual(tilesForSize(256), [
    { level: 0, index: 0, width: 256 },
    { level: 1, index: 0, width: 1 },
  ]);
});
