import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { extendMobilePrefixes, extraMobilePrefixes, parseMobile } from './mobile.ts';

// Extending the table changes this process's validation: these tests have a file of their own.

test('a deployment extends the table (also over the data/IoT refusal); malformed prefixes throw', () => {
  assert.deepEqual(parseMobile('15412345678'), { ok: true, value: '15412345678', warnings: ['mobile.prefixUnknown'] });
  extendMobilePrefixes(['1541', ' 14405 ', '']);
  assert.deepEqual(extraMobilePrefixes(), ['14405', '1541']);
  assert.deepEqual(parseMobile('15412345678'), { ok: true, value: '15412345678', warnings: [] });
  assert.deepEqual(parseMobile('15422345678'), { ok: true, value: '15422345678', warnings: ['mobile.prefixUnknown'] });
  assert.deepEqual(parseMobile('14405345678'), { ok: true, value: '14405345678', warnings: [] });
  assert.deepEqual(parseMobile('14415345678'), { ok: false, rule: 'mobile.prefix' });
  for (const bad of ['12', '1201', '139012', '13a']) assert.throws(() => extendMobilePrefixes([bad]), RangeError, bad);
});

function withEnv(value: string): ReturnType<typeof spawnSync> {
  const code =
    "const m = await import('./src/schema/mobile.ts');" +
    "console.log(JSON.stringify([m.extraMobilePrefixes(), m.parseMobile('16012345678')]));";
  return spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    env: { ...process.env, TRACEVAULT_MOBILE_PREFIXES: value },
    encoding: 'utf8',
  });
}

test('TRACEVAULT_MOBILE_PREFIXES extends the table of every process that loads the module', () => {
  const r = withEnv('160, 1741');
  assert.equal(r.status, 0, String(r.stderr));
  assert.deepEqual(JSON.parse(String(r.stdout)), [['160', '1741'], { ok: true, value: '16012345678', warnings: [] }]);
  const bad = withEnv('160,12x');
  assert.notEqual(bad.status, 0);
  assert.match(String(bad.stderr), /TRACEVAULT_MOBILE_PREFIXES: mobile prefix "12x"/);
});
