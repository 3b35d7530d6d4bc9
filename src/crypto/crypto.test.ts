import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, chmodSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { HmacSha256 } from './hmac.ts';
import fc from 'fast-check';
import { aad } from './aead.ts';
import { SUITES } from '../../test/helpers/suites.ts';
import { createKeyFile, loadKek, kekFromBytes } from './key-file.ts';
import { newDataKey, TenantKeys, tenantKeysOf } from './keyring.ts';
import { changeLabels, openChange, sealChange } from './field-cipher.ts';
import { base32, isWellFormedId, newTimeOrderedId } from './ids.ts';

for (const suite of SUITES) {
  const kek = kekFromBytes(Buffer.alloc(32, 7), suite.name);
  const keys = () => new TenantKeys(kek, 't1', [newDataKey(kek, 't1', 'data', 1), newDataKey(kek, 't1', 'index', 1)]);

  test(`${suite.name}: sealed values round-trip; any change to ciphertext or associated data fails`, () => {
    const k = randomBytes(32);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat({ max: 1000 }), (pt, pos) => {
        const s = suite.seal(k, pt, aad('x', 1));
        assert.deepEqual(new Uint8Array(suite.open(k, s, aad('x', 1))), pt);
        assert.throws(() => suite.open(k, s, aad('x', 2)), { code: 'ERR_DECRYPT' });
        const t = Buffer.from(s);
        t[pos % t.length]! ^= 1;
        assert.throws(() => suite.open(k, t, aad('x', 1)), { code: 'ERR_DECRYPT' });
      }),
      { numRuns: 300 },
    );
  });

  test(`${suite.name}: sealed JSON, the value back under its key and associated data, under no other`, () => {
    const key = randomBytes(32);
    const value = { reason: '名字写错了', fields: { babyName: '王小明' }, n: 3 };
    const sealed = suite.sealJson(key, value, aad('t', 'id-1', 'request'));
    assert.deepEqual(suite.openJson(key, sealed, aad('t', 'id-1', 'request')), value);
    assert.throws(() => suite.openJson(key, sealed, aad('t', 'id-1', 'answer')), { code: 'ERR_DECRYPT' });
    assert.throws(() => suite.openJson(randomBytes(32), sealed, aad('t', 'id-1', 'request')), { code: 'ERR_DECRYPT' });
  });

  test(`${suite.name}: field cipher, a change moved to another record, change or key, or relabelled, fails`, () => {
    const tk = keys();
    const { key } = tk.newRecordKey('r_a');
    const place = { recordType: 'birth', recordId: 'r_a', change: 1, keyGen: 1 };
    const entries = [
      { field: 'motherPhone', version: 1, value: Buffer.from('13812345678') },
      { field: 'fatherPhone', version: 3, value: Buffer.from('13900001111') },
    ];
    const ct = sealChange(suite, key, place, entries);
    assert.deepEqual(
      openChange(suite, key, place, ct).map((e) => [e.field, e.version, Buffer.from(e.value).toString()]),
      [
        ['motherPhone', 1, '13812345678'],
        ['fatherPhone', 3, '13900001111'],
      ],
    );
    assert.deepEqual(changeLabels(ct), [
      { field: 'motherPhone', version: 1 },
      { field: 'fatherPhone', version: 3 },
    ]);
    for (const moved of [
      { ...place, recordId: 'r_b' },
      { ...place, change: 2 },
      { ...place, keyGen: 2 },
      { ...place, recordType: 'vehicle' },
    ]) {
      assert.throws(() => openChange(suite, key, moved, ct), { code: 'ERR_DECRYPT' });
    }
    // Relabel: the mother's phone presented as the father's (same length, so only the label changes).
    const relabelled = Buffer.from(
      ct
        .toString('latin1')
        .replace('motherPhone', 'xatherPhone')
        .replace('fatherPhone', 'motherPhone')
        .replace('xatherPhone', 'fatherPhone'),
      'latin1',
    );
    assert.deepEqual(
      changeLabels(relabelled).map((l) => l.field),
      ['fatherPhone', 'motherPhone'],
    );
    assert.throws(() => openChange(suite, key, place, relabelled), { code: 'ERR_DECRYPT' });
    // A version label changed.
    const bumped = Buffer.from(ct);
    bumped.writeUInt32BE(2, 4 + 2 + 1 + 'motherPhone'.length);
    assert.throws(() => openChange(suite, key, place, bumped), { code: 'ERR_DECRYPT' });
    // Another record's key cannot open it either; truncation is refused.
    assert.throws(() => openChange(suite, tk.newRecordKey('r_a').key, place, ct), { code: 'ERR_DECRYPT' });
    assert.throws(() => openChange(suite, key, place, ct.subarray(0, 20)), { code: 'ERR_DECRYPT' });
  });

  test(`${suite.name}: keyring, record keys wrap under the data key and re-wrap under a new version`, () => {
    const tk = keys();
    const { key, wrapped } = tk.newRecordKey('r_1');
    assert.deepEqual(tk.unwrapRecordKey(wrapped), key);
    assert.throws(() => tk.unwrapRecordKey({ ...wrapped, recordId: 'r_2' }), { code: 'ERR_DECRYPT' });
    tk.addDataKey(kek, newDataKey(kek, 't1', 'data', 2));
    const re = tk.rewrapRecordKey(wrapped);
    assert.equal(re.dekVersion, 2);
    tk.dropDataKey(1);
    assert.deepEqual(tk.unwrapRecordKey(re), key);
    assert.throws(() => tk.unwrapRecordKey(wrapped), { code: 'ERR_KEY_MISMATCH' });
    // Blind indexes are deterministic per tenant and scope, and keyed.
    assert.deepEqual(tk.blindIndex('phone', '13812345678'), tk.blindIndex('phone', '13812345678'));
    assert.notDeepEqual(tk.blindIndex('phone', '13812345678'), tk.blindIndex('name', '13812345678'));
    assert.notDeepEqual(tk.blindIndex('phone', '13812345678'), keys().blindIndex('phone', '13812345678'));
  });

  test(
    `${suite.name}: keyring, a record key unwrapped again comes from the cache, only for the same wrapped ` +
      'bytes, and is forgotten on erasure',
    () => {
      const tk = keys();
      const { key, wrapped } = tk.newRecordKey('r_1');
      const first = tk.unwrapRecordKey(wrapped);
      first.fill(0); // the caller's copy: zeroing it leaves the cached key intact
      assert.deepEqual(tk.unwrapRecordKey(wrapped), key);
      // Any other wrapped bytes, generation or record is not a hit: it is opened, and fails.
      const flipped = Buffer.from(wrapped.wrapped);
      flipped[flipped.length - 1]! ^= 1;
      assert.throws(() => tk.unwrapRecordKey({ ...wrapped, wrapped: flipped }), { code: 'ERR_DECRYPT' });
      assert.throws(() => tk.unwrapRecordKey({ ...wrapped, gen: 2 }), { code: 'ERR_DECRYPT' });
      assert.throws(() => tk.unwrapRecordKey({ ...wrapped, recordId: 'r_10' }), { code: 'ERR_DECRYPT' });
      // Erased: the cached key is gone (its wrapped form, deleted from the vault, would be opened anew).
      tk.forgetRecordKey('r_1');
      assert.deepEqual(tk.unwrapRecordKey(wrapped), key);
      // Thousands of records: the cache stays bounded and every key is still right.
      const many = Array.from({ length: 5000 }, (_, i) => tk.newRecordKey(`r_m${i}`));
      for (const m of many) assert.deepEqual(tk.unwrapRecordKey(m.wrapped), m.key);
      assert.deepEqual(tk.unwrapRecordKey(many[0]!.wrapped), many[0]!.key);
    },
  );

  test(`${suite.name}: keyring, a worker's keys from transferred copies open the same records`, () => {
    const wrapped = [newDataKey(kek, 't1', 'data', 1), newDataKey(kek, 't1', 'index', 1)];
    const { key, wrapped: w } = new TenantKeys(kek, 't1', wrapped).newRecordKey('r_1');
    const received = {
      kek: { key: Uint8Array.from(kek.key), id: kek.id, suite: kek.suite },
      tenantId: 't1',
      wrapped: structuredClone(wrapped),
    };
    const inWorker = tenantKeysOf(received);
    assert.deepEqual(inWorker.unwrapRecordKey(w), key);
    assert.ok(received.kek.key.every((b) => b === 0));
    assert.ok(
      kek.key.some((b) => b !== 0),
      "the caller's KEK is another copy",
    );
  });

  test(`${suite.name}: keyring, the wrong KEK is refused`, () => {
    const other = kekFromBytes(Buffer.alloc(32, 8), suite.name);
    const wrapped = [newDataKey(kek, 't1', 'data', 1), newDataKey(kek, 't1', 'index', 1)];
    assert.throws(() => new TenantKeys(other, 't1', wrapped), { code: 'ERR_KEY_MISMATCH' });
  });

  test(`${suite.name}: keyring, data keys wrapped by the other suite are refused`, () => {
    const other = SUITES.find((o) => o !== suite)!;
    const otherKek = kekFromBytes(Buffer.alloc(32, 7), other.name);
    assert.notEqual(otherKek.id, kek.id, "the KEK's id is the suite's hash");
    const theirs = [newDataKey(otherKek, 't1', 'data', 1), newDataKey(otherKek, 't1', 'index', 1)];
    assert.throws(() => new TenantKeys(kek, 't1', theirs), { code: 'ERR_KEY_MISMATCH' });
    // Even with the id matched, this suite opens none of the other's wrapped keys (format byte, algorithm).
    assert.throws(() => new TenantKeys({ ...kek, id: otherKek.id }, 't1', theirs), { code: 'ERR_DECRYPT' });
  });
}

test('key file: created owner-only; refused when others can read it; env var wins', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tv-key-'));
  const p = join(dir, 'vault.key');
  const k = createKeyFile(p);
  assert.deepEqual(loadKek(p, {}).key, k.key);
  assert.throws(() => createKeyFile(p));
  chmodSync(p, 0o644);
  assert.throws(() => loadKek(p, {}), { code: 'ERR_KEY_FILE' });
  assert.throws(() => loadKek(join(dir, 'missing'), {}), { code: 'ERR_KEY_FILE' });
  const env = { TRACEVAULT_KEK: Buffer.alloc(32, 1).toString('base64') };
  assert.equal(loadKek(join(dir, 'missing'), env).id, kekFromBytes(Buffer.alloc(32, 1)).id);
  writeFileSync(join(dir, 'bad'), 'nonsense', { mode: 0o600 });
  assert.throws(() => loadKek(join(dir, 'bad'), {}), { code: 'ERR_KEY_FILE' });
});

test('base32: RFC 4648 §10 vectors (lower case, unpadded)', () => {
  const cases: [string, string][] = [
    ['', ''],
    ['f', 'my'],
    ['fo', 'mzxq'],
    ['foo', 'mzxw6'],
    ['foob', 'mzxw6yq'],
    ['fooba', 'mzxw6ytb'],
    ['foobar', 'mzxw6ytboi'],
  ];
  for (const [i, o] of cases) assert.equal(base32(Buffer.from(i)), o);
});

test('time-ordered ids: well formed, 128 bits, the time first, unique within a millisecond', () => {
  const t = Date.UTC(2026, 11, 1, 8);
  const ids = Array.from({ length: 1000 }, () => newTimeOrderedId('d', t));
  assert.ok(ids.every((id) => isWellFormedId(id) && id.length === 2 + 26));
  assert.equal(new Set(ids).size, ids.length);
  // 48 bits of time = the first 9 base32 characters and 3 bits of the tenth.
  assert.ok(ids.every((id) => id.slice(2, 11) === ids[0]!.slice(2, 11)));
  assert.notEqual(newTimeOrderedId('d', t + 8).slice(2, 11), ids[0]!.slice(2, 11));
});

test('HMAC-SHA-256: RFC 4231 test cases 1-4, 6, 7, and equal to createHmac for any key and message', () => {
  const hex = (s: string) => Buffer.from(s, 'hex');
  const cases: [Buffer, Buffer, string][] = [
    [
      Buffer.alloc(20, 0x0b),
      Buffer.from('Hi There'),
      'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7',
    ],
    [
      Buffer.from('Jefe'),
      Buffer.from('what do ya want for nothing?'),
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    ],
    [
      Buffer.alloc(20, 0xaa),
      Buffer.alloc(50, 0xdd),
      '773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe',
    ],
    [
      hex('0102030405060708090a0b0c0d0e0f10111213141516171819'),
      Buffer.alloc(50, 0xcd),
      '82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b',
    ],
    [
      Buffer.alloc(131, 0xaa),
      Buffer.from('Test Using Larger Than Block-Size Key - Hash Key First'),
      '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54',
    ],
    [
      Buffer.alloc(131, 0xaa),
      Buffer.from(
        'This is a test using a larger than block-size key and a larger than block-size data. ' +
          'The key needs to be hashed before being used by the HMAC algorithm.',
      ),
      '9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2',
    ],
  ];
  for (const [key, data, mac] of cases) assert.equal(new HmacSha256(key).digest(data).toString('hex'), mac);
  fc.assert(
    fc.property(
      fc.uint8Array({ maxLength: 200 }),
      fc.array(fc.string({ maxLength: 700 }), { maxLength: 4 }),
      (key, parts) => {
        const h = new HmacSha256(key);
        const want = createHmac('sha256', key).update(parts.join(''), 'utf8').digest();
        assert.deepEqual(h.digest(...parts), want);
        assert.deepEqual(h.digest(...parts), want, 'the scratch space leaves no trace between calls');
      },
    ),
    { numRuns: 300 },
  );
});

test("KEK id: the suite's hash of the label and key — SHA-256 for aes as in every earlier vault, SM3 for gm", () => {
  const key = Buffer.alloc(32, 7);
  const id = (h: string) => createHash(h).update('tracevault/kek-id').update(key).digest('hex').slice(0, 16);
  assert.equal(kekFromBytes(key).id, id('sha256'));
  assert.equal(kekFromBytes(key, 'aes').id, id('sha256'));
  assert.equal(kekFromBytes(key, 'gm').id, id('sm3'));
});
