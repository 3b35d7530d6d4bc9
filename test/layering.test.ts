/**
 * The layering rules of .dependency-cruiser.cjs (run by `npm run lint`) bite: on a small tree laid
 * out like src/ in which every file breaks one rule, each rule reports its import and nothing else;
 * on a tree that makes every kind of import the rules allow, nothing is reported.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { cruise, type ICruiseResult } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';

const ROOT = join(import.meta.dirname, '..');
const FIXTURES = join(import.meta.dirname, 'fixtures', 'layering');

async function violations(fixture: string): Promise<string[]> {
  const options = await extractDepcruiseOptions(join(ROOT, '.dependency-cruiser.cjs'));
  const { output } = await cruise(['src', 'test', 'web'], { ...options, baseDir: join(FIXTURES, fixture) });
  return (output as ICruiseResult).summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`).sort();
}

test('each illegal import is reported under its rule', async () => {
  assert.deepEqual(await violations('illegal'), [
    'access-only-on-schema: src/access/bad.ts → src/store/x.ts',
    'disclose-on-store: src/disclose/d.ts → src/index.ts',
    'every-module-has-a-layer: src/portal/p.ts → src/schema/z.ts',
    'ledger-on-store: src/ledger/sibling.ts → src/disclose/d.ts',
    'lower-tests-not-on-interfaces: src/trace/bad.test.ts → src/server/app.ts',
    'no-circular: src/store/a.ts → src/store/b.ts',
    'no-test-code-in-production: src/ledger/helper.ts → test/helpers/h.ts',
    // A type-only import is a dependency too.
    'schema-is-the-bottom: src/schema/bad.ts → src/store/x.ts',
    'server-not-on-web: src/server/serves-web.ts → web/src/page.ts',
    'service-below-the-interfaces: src/service/bad.ts → src/sim/s.ts',
    'synth-only-on-schema: src/synth/bad.ts → src/crypto/c.ts',
    'web-over-http-only: web/src/bad.ts → src/schema/z.ts',
  ]);
});

test('the imports the layering allows report nothing', async () => {
  assert.deepEqual(await violations('legal'), []);
});
