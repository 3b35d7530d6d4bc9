import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { checkCharacter, makeResidentId, parseResidentId } from './resident-id.ts';
import { isAcceptedMobile, isAllocatedMobile, parseMobile, MOBILE_PREFIXES } from './mobile.ts';
import { parsePersonName } from './person-name.ts';
import { parseAddress } from './address.ts';
import { parseDateTime } from './date-time.ts';
import {
  maskAddress,
  maskBed,
  maskDateTime,
  maskMobile,
  maskPersonName,
  maskResidentId,
  maskCode,
  maskDate,
  maskPlate,
} from './mask.ts';
import { BIRTH, VEHICLE, validateRecord, maskRecord } from './record-type.ts';
import { KINDS } from './field-kind.ts';
import { regionName, allDistricts } from './regions.ts';
import { vectorPath } from '../../test/helpers/vectors.ts';

const vectors = (name: string) => JSON.parse(readFileSync(vectorPath(name), 'utf8'));
const NOW = new Date('2026-11-23T00:00:00Z');

test('resident ids: the vectors of GB 11643-1999', () => {
  const v = vectors('resident-id.json');
  for (const c of v.valid) {
    const r = parseResidentId(c.id, NOW);
    assert.ok(r.ok, c.id);
    assert.equal(r.value.region, c.region);
    assert.equal(r.value.birthDate, c.birthDate);
    assert.equal(r.value.sex, c.sex);
  }
  for (const c of v.invalid) assert.equal(parseResidentId(c.id, NOW).ok, false, c.why);
  // A lowercase x is accepted and normalised to X.
  const lower = parseResidentId('11010519491231002x', NOW);
  assert.ok(lower.ok && lower.value.id === '11010519491231002X');
});

test('resident ids: any single-digit change breaks the check character', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 16 }), fc.integer({ min: 1, max: 9 }), (pos, delta) => {
      const id = '11010519491231002X';
      const d = (Number(id[pos]) + delta) % 10;
      const changed = id.slice(0, pos) + d + id.slice(pos + 1);
      assert.notEqual(checkCharacter(changed), 'X');
    }),
  );
});

test('resident ids: generated ids validate; 15-digit legacy ids; unknown regions warn', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 38000 }), fc.integer({ min: 0, max: 999 }), (days, seq) => {
      const date = new Date(Date.UTC(1920, 0, 1) + days * 86400_000).toISOString().slice(0, 10);
      const r = parseResidentId(makeResidentId('370102', date, seq), NOW);
      assert.ok(r.ok);
      assert.equal(r.value.sex, seq % 2 ? 'male' : 'female');
      assert.deepEqual(r.value.warnings, []);
    }),
  );
  const legacy = parseResidentId('110105491231002', NOW);
  assert.ok(legacy.ok && legacy.value.legacy && legacy.value.birthDate === '1949-12-31');
  const old = parseResidentId('440524188001010014', NOW);
  assert.ok(old.ok);
  assert.deepEqual(old.value.warnings, ['residentId.unknownRegion']);
  assert.equal(parseResidentId(makeResidentId('990101', '1990-01-01', 1), NOW).ok, false);
});

test('mobiles: normalisation and allocated prefixes agree with libphonenumber (max metadata) plus 149', () => {
  assert.deepEqual(parseMobile('+86 138-1234-5678'), { ok: true, value: '13812345678', warnings: [] });
  assert.deepEqual(parseMobile('0086 13812345678'), { ok: true, value: '13812345678', warnings: [] });
  assert.deepEqual(parseMobile('１３８１２３４５６７８'), { ok: true, value: '13812345678', warnings: [] });
  assert.deepEqual(parseMobile('1381234567'), { ok: false, rule: 'mobile.length' });
  assert.ok(MOBILE_PREFIXES.length > 40);
  // Ranges libphonenumber lags behind, allocated here.
  const ADDED = /^149/;
  fc.assert(
    fc.property(fc.stringMatching(/^1[3-9]\d{9}$/), (n) => {
      const lib = parsePhoneNumberFromString(n, 'CN');
      const libOk = !!lib && lib.isValid() && /MOBILE/.test(lib.getType() ?? '');
      assert.equal(isAllocatedMobile(n), libOk || ADDED.test(n), n);
    }),
    { numRuns: 3000 },
  );
});

test('mobiles: 149 allocated; an unknown prefix of mobile shape warns; data/IoT and malformed refused', () => {
  assert.deepEqual(parseMobile('149 0123 4567'), { ok: true, value: '14901234567', warnings: [] });
  for (const n of ['15412345678', '16012345678', '17912345678', '17411234567'])
    assert.deepEqual(parseMobile(n), { ok: true, value: n, warnings: ['mobile.prefixUnknown'] }, n);
  for (const n of ['14012345678', '14112345678', '14212345678', '14312345678', '14412345678', '14612345678'])
    assert.deepEqual(parseMobile(n), { ok: false, rule: 'mobile.prefix' }, n);
  assert.deepEqual(parseMobile('14812345678'), { ok: false, rule: 'mobile.prefix' });
  for (const n of ['10012345678', '11012345678', '12012345678'])
    assert.deepEqual(parseMobile(n), { ok: false, rule: 'mobile.prefix' }, n);
  assert.deepEqual(parseMobile('1381234567x'), { ok: false, rule: 'mobile.format' });
  assert.deepEqual(parseMobile('138123456789'), { ok: false, rule: 'mobile.length' });
  // The field kind carries the warning (the record's warnings name field and rule, not the value).
  const r = KINDS.mobile.parse('15412345678', { now: NOW });
  assert.deepEqual(r, { ok: true, value: '15412345678', warnings: ['mobile.prefixUnknown'] });
  assert.equal(isAcceptedMobile('15412345678'), true);
  assert.equal(isAcceptedMobile('14412345678'), false);
});

test('names: compound surnames, temporary newborn names, minority and Latin names', () => {
  for (const ok of ['张三', '欧阳娜娜', '张三之子', '李四之女', '阿依古丽·买买提', 'John Smith', '司马相如']) {
    assert.ok(parsePersonName(ok).ok, ok);
  }
  for (const bad of ['', '张', '张3', 'a', '之子', '张*明', '张\u0000三'])
    assert.equal(parsePersonName(bad).ok, false, bad);
  assert.equal((parsePersonName('欧阳娜娜') as { value: { surname: string } }).value.surname, '欧阳');
});

test('addresses and date-times', () => {
  assert.ok(parseAddress('北京市朝阳区建国路88号3栋2单元501').ok);
  assert.deepEqual(parseAddress('北京市朝阳区'), { ok: false, rule: 'address.detail' });
  const noProv = parseAddress('建国路88号');
  assert.ok(noProv.ok && noProv.warnings.includes('address.noProvince'));
  assert.deepEqual(parseDateTime('2026/11/20 3:17'), {
    ok: true,
    value: '2026-11-20T03:17:00+08:00',
    epochMs: Date.parse('2026-11-20T03:17:00+08:00'),
  });
  assert.equal(parseDateTime('2026-02-30T00:00:00+08:00').ok, false);
  assert.equal(parseDateTime('2027-01-01T00:00:00+08:00', NOW).ok, false);
});

test('masking: the vectors', () => {
  const v = vectors('masking.json');
  const fns: Record<string, (s: string) => string> = {
    mobile: maskMobile,
    residentId: maskResidentId,
    personName: maskPersonName,
    address: maskAddress,
    bed: maskBed,
    birthTime: maskDateTime,
  };
  for (const c of v.cases) assert.equal(fns[c.kind]!(c.in), c.out, `${c.kind}`);
});

const ALL_MASKS = [
  maskMobile,
  maskResidentId,
  maskPersonName,
  maskAddress,
  maskBed,
  maskDateTime,
  maskDate,
  maskCode,
  maskPlate,
];

test('masking: total and idempotent on any Unicode input', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (s) => {
      for (const m of ALL_MASKS) {
        const once = m(s);
        assert.equal(m(once), once);
      }
    }),
    { numRuns: 2000 },
  );
  fc.assert(
    fc.property(fc.string({ unit: 'grapheme', maxLength: 20 }), (s) => {
      for (const m of ALL_MASKS) assert.equal(m(m(s)), m(s));
    }),
    { numRuns: 2000 },
  );
});

const hanChar = fc.integer({ min: 0x4e00, max: 0x9fa5 }).map((c) => String.fromCharCode(c));
const hanName = fc.array(hanChar, { minLength: 2, maxLength: 4 }).map((a) => a.join(''));
const phone = fc
  .tuple(fc.constantFrom(...MOBILE_PREFIXES), fc.stringMatching(/^\d{8}$/))
  .map(([p, r]) => (p + r).slice(0, 11));
const districts = allDistricts().filter((d) => d.code.startsWith('11') || d.code.startsWith('37'));

test('masking: a masked valid value never contains the whole clear value', () => {
  fc.assert(fc.property(phone, (p) => assert.ok(!maskMobile(p).includes(p))));
  fc.assert(fc.property(hanName, (n) => assert.ok(!maskPersonName(n).includes(n))));
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 30000 }), fc.integer({ min: 0, max: 999 }), (days, seq) => {
      const id = makeResidentId(
        '370102',
        new Date(Date.UTC(1950, 0, 1) + days * 86400_000).toISOString().slice(0, 10),
        seq,
      );
      assert.ok(!maskResidentId(id).includes(id));
    }),
  );
  fc.assert(
    fc.property(fc.constantFrom(...districts), fc.integer({ min: 1, max: 999 }), (d, n) => {
      const a = `${regionName(d.code.slice(0, 2) + '0000')}${d.name}某某路${n}号`;
      assert.ok(!maskAddress(a).includes(a), a);
    }),
  );
});

test('records: validation names field and rule, never the value; masking by sensitivity', () => {
  const r = validateRecord(
    BIRTH,
    {
      babyName: '张三之子',
      babySex: '男',
      birthTime: '2026-11-20 03:17',
      hospital: '济南市妇幼保健院',
      motherName: '张三',
      motherPhone: '14412345678',
      motherResidentId: '110105194912310021',
      extra: 'x',
    },
    { now: NOW },
  );
  assert.equal(r.ok, false);
  const errors = (r as { errors: { field: string; rule: string }[] }).errors;
  assert.deepEqual(errors.map((e) => `${e.field}:${e.rule}`).sort(), [
    'extra:unknownField',
    'motherPhone:mobile.prefix',
    'motherResidentId:residentId.checksum',
  ]);
  assert.ok(!JSON.stringify(errors).includes('14412345678'));
  const good = validateRecord(VEHICLE, { ownerName: '王五', plateNumber: '鲁A12345', brand: '比亚迪' }, { now: NOW });
  assert.ok(good.ok);
  const masked = maskRecord(VEHICLE, good.record.values);
  assert.equal(masked.get('brand'), '比亚迪');
  assert.equal(masked.get('ownerName'), '王*');
  assert.equal(masked.get('plateNumber'), '鲁A****5');
});
