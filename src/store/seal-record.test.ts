import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { openCurrentVersions, sealCurrentVersions } from './seal-record.ts';
import { sealCurrent } from '../crypto/field-cipher.ts';
import type { FieldVersion } from './types.ts';

const place = { recordType: 'birth', recordId: 'r_test', change: 2, keyGen: 1 };
const current: FieldVersion[] = [
  {
    field: 'motherName',
    version: 1,
    validFrom: '2026-07-15T23:18:00.000Z',
    validTo: null,
    recordedAt: '2026-07-16T02:18:00.000Z',
    recordedBy: 'p_a',
    value: '石琴敏',
  },
  {
    field: 'motherPhone',
    version: 2,
    validFrom: '2026-08-21T06:33:00.000Z',
    validTo: null,
    recordedAt: '2026-08-21T06:33:00.000Z',
    recordedBy: 'p_b',
    value: '19907217586',
  },
  {
    field: 'vaccinations',
    version: 1,
    validFrom: '2026-07-15T23:18:00.000Z',
    validTo: null,
    recordedAt: '2026-07-16T02:18:00.000Z',
    recordedBy: 'p_a',
    value: [{ vaccine: 'HepB', dose: 1, date: '2026-07-16', clinic: '济南市中心医院' }],
  },
];

test('current versions: sealed and opened back the same, each change stamp written once', () => {
  const key = randomBytes(32);
  const sealed = sealCurrentVersions(key, place, current);
  assert.deepEqual([...openCurrentVersions(key, place, sealed).values()], current);
  assert.ok(
    sealed.length <
      1 +
        12 +
        16 +
        Buffer.byteLength(
          JSON.stringify(current.map((v) => [v.field, v.version, v.validFrom, v.recordedAt, v.recordedBy, v.value])),
        ),
  );
});

test('current versions: the first form (every field with its own stamp) is still read', () => {
  const key = randomBytes(32);
  const first = sealCurrent(
    key,
    place,
    Buffer.from(
      JSON.stringify(current.map((v) => [v.field, v.version, v.validFrom, v.recordedAt, v.recordedBy, v.value])),
      'utf8',
    ),
  );
  assert.deepEqual([...openCurrentVersions(key, place, first).values()], current);
});
