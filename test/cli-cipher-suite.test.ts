/**
 * `tracevault init --cipher-suite gm`, end to end as a person would run it: the vault records its
 * suite, imports, searches, rotates keys and reads back under SM4/SM3, its database file holds no
 * clear value, and it refuses to open under another suite. (test/cli.test.ts runs the same commands
 * on the default suite.)
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateCity } from '../src/synth/city.ts';
import { snapshot } from '../src/synth/snapshot.ts';
import { writeCsv } from '../src/sim/files.ts';
import { BIRTH } from '../src/schema/record-type.ts';
import { findClearValues } from './helpers/scan.ts';

const BIN = new URL('../bin/tracevault.js', import.meta.url).pathname;

function run(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, TRACEVAULT_TOKEN: '' },
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe('tracevault init --cipher-suite', () => {
  let dir: string, vault: string;
  const rows = [...generateCity({ seed: 'cli-gm', families: 300 }).families()].map((f) => snapshot(f));
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tv-cli-gm-'));
    vault = join(dir, 'vault');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('an unknown suite is a usage error; gm is recorded in vault.json and named in the output', () => {
    const bad = run('init', '--data', vault, '--cipher-suite', 'des');
    assert.equal(bad.code, 2);
    assert.ok(!existsSync(join(vault, 'vault.json')));
    const r = run('init', '--data', vault, '--cipher-suite', 'gm');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /cipher suite GM: SM4-CTR, HMAC-SM3/);
    assert.equal(JSON.parse(readFileSync(join(vault, 'vault.json'), 'utf8')).cipherSuite, 'gm');
  });

  test('import, search, get, keys rotate: the vault works; its files hold no clear value', async () => {
    const file = join(dir, 'births.csv');
    await writeCsv(
      file,
      rows,
      BIRTH.fields.map((f) => f.name),
    );
    const imp = run('import', file, '--data', vault, '--schema', 'birth', '--json');
    assert.equal(imp.code, 0, imp.stderr);
    assert.equal(JSON.parse(imp.stdout).created, rows.length);
    assert.equal(run('keys', 'rotate', '--data', vault).code, 0);
    const id = run('records', 'search', '--data', vault, '--phone', rows[7]!.motherPhone as string).stdout.trim();
    assert.match(id, /^r_[a-z2-7]{26}$/);
    const get = run('records', 'get', id, '--data', vault, '--history');
    assert.equal(get.code, 0, get.stderr);
    assert.match(get.stdout, /motherPhone\s+1\d\d\*\*\*\*\d{4}/);
    const bytes = Buffer.concat(
      ['vault.db', 'vault.db-wal']
        .map((f) => join(vault, f))
        .filter(existsSync)
        .map((f) => readFileSync(f)),
    );
    const secrets = rows.flatMap((r) =>
      ['motherPhone', 'fatherPhone', 'motherResidentId', 'fatherResidentId', 'motherName', 'fatherName']
        .map((f) => r[f])
        .filter((v): v is string => typeof v === 'string'),
    );
    assert.deepEqual(findClearValues(bytes, secrets), [], 'clear personal values found in the database file');
  });

  test('opened as another suite, the vault fails closed with ERR_CIPHER_SUITE', () => {
    const file = join(vault, 'vault.json');
    const config = readFileSync(file, 'utf8');
    writeFileSync(file, JSON.stringify({ ...JSON.parse(config), cipherSuite: 'aes' }));
    const r = run('summary', '--data', vault);
    writeFileSync(file, config);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /ERR_CIPHER_SUITE/);
    const summary = run('summary', '--data', vault);
    assert.equal(summary.code, 0);
    assert.match(summary.stdout, /cipher suite: +gm \(SM4-CTR with HMAC-SM3, HMAC-SM3\)/);
  });
});
