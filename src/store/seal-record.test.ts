import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { openCurrentVersions, sealCurrentVersions } from './seal-record.ts';
import { sealCurrent } from '../crypto/field-cipher.ts';
import type { FieldVersion } from './types.ts';
import { SUITES } from '../../test/helpers/suites.ts';

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

for (const suite of SUITES) {
  test(`${suite.name}: current versions sealed and opened back the same, each change stamp written once`, () => {
    const key = randomBytes(32);
    const sealed = sealCurrentVersions(suite, key, place, current);
    assert.deepEqual([...openCurrentVersions(suite, key, place, sealed).values()], current);
    const overhead = suite.seal(key, Buffer.alloc(0), Buffer.alloc(0)).length;
    assert.ok(
      sealed.length <
        overhead +
          Buffer.byteLength(
            JSON.stringify(current.map((v) => [v.field, v.version, v.validFrom, v.recordedAt, v.recordedBy, v.value])),
          ),
    );
  });

  test(`${suite.name}: current versions in the first form (every field with its own stamp) are still read`, () => {
    const key = randomBytes(32);
    const first = sealCurrent(
      suite,
      key,
      place,
      Buffer.from(
        JSON.stringify(current.map((v) => [v.field, v.version, v.validFrom, v.recordedAt, v.recordedBy, v.value])),
        'utf8',
      ),
    );
    assert.deepEqual([...openCurrentVersions(suite, key, place, first).values()], current);
  });
}
