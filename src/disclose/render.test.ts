import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BIRTH } from '../schema/record-type.ts';
import type { FieldVersion } from '../store/types.ts';
import { renderRecord } from './render.ts';

const DOSES = [
  { vaccine: 'HepB', dose: 1, date: '2026-11-20', clinic: '济南市妇幼保健院' },
  { vaccine: 'OLD-CODE', dose: 1, date: '2026-11-21', clinic: '某卫生院' },
];

test('vaccinations render with the Chinese name beside the code, masked and in clear; stored codes stay', () => {
  const current = new Map([['vaccinations', { value: DOSES, version: 1 } as unknown as FieldVersion]]);
  const show = (reveal: boolean) =>
    renderRecord(
      BIRTH,
      1,
      current,
      new Map([['vaccinations', { view: true, reveal: true }]]),
      new Set(reveal ? ['vaccinations'] : []),
    ).fields.vaccinations;
  assert.deepEqual(show(true), [
    { vaccine: 'HepB', name: '乙肝疫苗', dose: 1, date: '2026-11-20', clinic: '济南市妇幼保健院' },
    // A code the vocabulary does not know (an older record) is shown as it is.
    { vaccine: 'OLD-CODE', name: 'OLD-CODE', dose: 1, date: '2026-11-21', clinic: '某卫生院' },
  ]);
  const masked = show(false) as readonly { vaccine: string; name: string; date: string }[];
  assert.deepEqual(
    masked.map((d) => [d.vaccine, d.name]),
    [
      ['HepB', '乙肝疫苗'],
      ['OLD-CODE', 'OLD-CODE'],
    ],
  );
  assert.notEqual(masked[0]!.date, '2026-11-20');
  assert.deepEqual(DOSES[0], { vaccine: 'HepB', dose: 1, date: '2026-11-20', clinic: '济南市妇幼保健院' });
});
