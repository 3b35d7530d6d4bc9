/** The ledger from the command line: a witness process, cosigned checkpoints, receipts, verification. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';

const BIN = new URL('../bin/tracevault.js', import.meta.url).pathname;
const run = (...args: string[]) =>
  spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, TRACEVAULT_TOKEN: '' } });

test('witness serve, ledger add-witness, checkpoint, receipt, verify-receipt, verify', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tv-ledger-cli-'));
  const vault = join(dir, 'vault'),
    wdir = join(dir, 'witness');
  try {
    assert.equal(run('init', '--data', vault).status, 0);
    assert.equal(run('sim', '--data', vault, '--families', '30', '--seed', 'l').status, 0);
    // The log's key is created on the first checkpoint; the witness must trust it.
    const first = run('ledger', 'checkpoint', '--data', vault);
    assert.equal(first.status, 0, first.stderr);
    assert.equal(statSync(join(vault, 'ledger.key')).mode & 0o077, 0);
    const logKey = readFileSync(join(vault, 'ledger.pub'), 'utf8').trim();
    const witness = spawn(
      process.execPath,
      [BIN, 'witness', 'serve', '--data', wdir, '--port', '0', '--trust', logKey],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      let banner = '';
      while (!/verifier key: /.test(banner))
        banner += ((await once(witness.stdout, 'data')) as Buffer[])[0]!.toString();
      const url = /on (http:\/\/[^ ]+) /.exec(banner)![1]!;
      const wKey = /verifier key: (\S+)/.exec(banner)![1]!;
      assert.equal(run('ledger', 'add-witness', '--data', vault, '--url', url, '--key', wKey).status, 0);
      assert.equal(run('sim', '--data', vault, '--families', '10', '--seed', 'm').status, 0);
      const cp = run('ledger', 'checkpoint', '--data', vault);
      assert.equal(cp.status, 0, cp.stderr);
      assert.match(cp.stderr, /cosigned/);
      assert.equal(cp.stdout.split('\n').filter((l) => l.startsWith('— ')).length, 2);
      const receipt = run('ledger', 'receipt', '--data', vault, '--index', '5');
      assert.equal(receipt.status, 0, receipt.stderr);
      assert.match(receipt.stdout, /^c2sp\.org\/tlog-proof@v1\nextra /);
      const file = join(dir, 'entry-5.tlog-proof');
      writeFileSync(file, receipt.stdout);
      const ok = run('ledger', 'verify-receipt', file, '--log-key', logKey, '--witness-key', wKey, '--quorum', '1');
      assert.equal(ok.status, 0, ok.stdout + ok.stderr);
      assert.match(ok.stdout, /valid/);
      writeFileSync(file, receipt.stdout.replace(/^index 5$/m, 'index 6'));
      assert.equal(run('ledger', 'verify-receipt', file, '--log-key', logKey, '--witness-key', wKey).status, 1);
      writeFileSync(file, 'not a receipt');
      assert.equal(run('ledger', 'verify-receipt', file, '--log-key', logKey).status, 2);
      const fhir = run('ledger', 'export', '--data', vault, '--since', '3')
        .stdout.trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      assert.ok(fhir.length > 10);
      assert.equal(fhir[0].resourceType, 'AuditEvent');
      assert.equal(fhir[0].id, 'default-4');
      const verify = run('ledger', 'verify', '--data', vault);
      assert.equal(verify.status, 0, verify.stdout + verify.stderr);
      assert.match(verify.stdout, /ledger verified: \d+ entries, 2 signed checkpoints/);
    } finally {
      witness.kill('SIGTERM');
      await once(witness, 'exit');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
