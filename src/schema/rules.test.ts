import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RULES, ruleText } from './rules.ts';
import { KINDS } from './field-kind.ts';

const NOW = { now: new Date('2026-11-23T00:00:00Z') };

test('every rule the validators name has words in both languages, none holding a value', () => {
  const dir = new URL('.', import.meta.url).pathname;
  const named = new Set<string>();
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.ts') && !n.endsWith('.test.ts') && n !== 'rules.ts')) {
    const text = readFileSync(join(dir, f), 'utf8');
    for (const m of text.matchAll(/(?:rule: |bad\(|warnings: \[|\[)'([a-zA-Z]+\.[a-zA-Z]+)'/g)) named.add(m[1]!);
  }
  assert.ok(named.has('vaccinations.vaccine') && named.has('mobile.prefixUnknown'), [...named].join(' '));
  for (const rule of named) {
    const t = ruleText(rule);
    assert.ok(t, `${rule} has words`);
    assert.ok(t.zh.length > 0 && t.en.length > 0);
  }
  for (const r of RULES) assert.ok(!/\d{7,}/.test(r.zh + r.en), r.rule);
});

test('warnings and errors as the kinds give them; generic rules by their last part', () => {
  const w = KINDS.mobile.parse('15412345678', NOW);
  assert.ok(w.ok && ruleText(w.warnings[0]!)?.warning === true);
  const v = KINDS.vaccinations.parse([{ vaccine: '神仙疫苗', dose: 1, date: '2026-01-01', clinic: 'x' }], NOW);
  assert.ok(!v.ok);
  assert.match(ruleText(v.rule)!.en, /^unknown vaccine/);
  assert.match(ruleText(v.rule)!.zh, /^未知的疫苗/);
  const masked = KINDS.mobile.parse('138****5678', NOW);
  assert.ok(!masked.ok && ruleText(masked.rule)?.en.includes('masked'));
  assert.equal(ruleText('vaccinations.clinic.length')?.en, 'the value is too long');
  assert.equal(ruleText('nonsense'), undefined);
  assert.equal(ruleText('x.nonsense'), undefined);
});
