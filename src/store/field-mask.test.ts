import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldBit, fieldMask } from './field-mask.ts';
import { BIRTH } from '../schema/record-type.ts';

test("a field mask is a positive 31-bit integer holding each field's bit", () => {
  const m = fieldMask(BIRTH.fields.map((f) => f.name));
  assert.ok(Number.isInteger(m) && m > 0 && m < 2 ** 31);
  for (const f of BIRTH.fields) assert.notEqual(m & fieldBit(f.name), 0);
  assert.equal(fieldMask([]), 0);
});

test("a birth's vaccinations share their bit with no other field (so a trace can skip them)", () => {
  const v = fieldBit('vaccinations');
  for (const f of BIRTH.fields) if (f.name !== 'vaccinations') assert.equal(fieldBit(f.name) & v, 0, f.name);
});
