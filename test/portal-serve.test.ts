/**
 * `tracevault serve --sms-webhook URL` end to end: a served vault sends a guardian's one-time code
 * to an SMS provider's webhook (a local server standing in for it) as JSON, off the request path,
 * and the code opens a portal session. `--sms-webhook` and `--outbox` exclude each other.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initVault } from '../src/store/vault.ts';
import { loadCity } from '../src/sim/load.ts';
import { serve } from '../src/cli/commands/serve.ts';

const BIN = new URL('../bin/tracevault.js', import.meta.url).pathname;

test('serve --sms-webhook: the one-time code reaches the provider, and opens a session', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tv-serve-portal-'));
  const received: { to: string; template: string; text: string; channel: string; at: string }[] = [];
  const provider = createServer((req, res) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString('utf8')));
    req.on('end', () => {
      received.push(JSON.parse(data) as (typeof received)[number]);
      res.writeHead(200).end('{}');
    });
  });
  await new Promise<void>((r) => provider.listen(0, '127.0.0.1', r));
  let stop: (() => Promise<void>) | undefined;
  try {
    const { vault, admin } = await initVault(dir);
    const city = await loadCity(vault, admin, { seed: 'serve-portal', families: 3, hospitals: 1 });
    const h = city.hospitals[0]!;
    const { token } = await vault.createPrincipal(admin, {
      displayName: 'nurse',
      roles: ['clinician'],
      orgId: h.orgId,
    });
    const rec = (await vault.db.get<{ id: string }>('SELECT id FROM records ORDER BY seq LIMIT 1'))!.id;
    const phone = (await vault.registry.get(rec)).current.get('motherPhone')?.value as string;
    await vault.close();

    const webhookUrl = `http://127.0.0.1:${(provider.address() as AddressInfo).port}/sms`;
    const served = await serve({ data: dir, port: 0, host: '127.0.0.1', quiet: true, smsWebhook: webhookUrl });
    stop = served.stop;
    const post = async (path: string, body: unknown, bearer?: string) => {
      const res = await fetch(served.url + path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(bearer && { authorization: `Bearer ${bearer}` }) },
        body: JSON.stringify(body),
      });
      return { status: res.status, json: (await res.json()) as Record<string, string> };
    };
    const inv = await post(`/v1/records/${rec}/invitations`, {}, token);
    assert.equal(inv.status, 201);
    assert.equal((await post('/v1/portal/enrol', { code: inv.json.code, phone })).status, 202);
    for (let i = 0; i < 100 && received.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(received.length, 1);
    assert.deepEqual([received[0]!.channel, received[0]!.to, received[0]!.template], ['sms', phone, 'portal.otp']);
    const otp = /\d{6}/.exec(received[0]!.text)![0];
    const session = await post('/v1/portal/sessions', { phone, otp });
    assert.equal(session.status, 201);
    assert.match(session.json.token!, /^tvp_/);
  } finally {
    await stop?.();
    await new Promise<void>((r) => provider.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  }
});

test('serve takes --sms-webhook or --outbox, not both; the webhook must be http(s)', () => {
  const both = spawnSync(
    process.execPath,
    [BIN, 'serve', '--data', '/nonexistent', '--sms-webhook', 'http://127.0.0.1:9/', '--outbox', 'x.jsonl'],
    { encoding: 'utf8' },
  );
  assert.equal(both.status, 2);
  assert.match(both.stderr, /cannot be used with/);
  const bad = spawnSync(process.execPath, [BIN, 'serve', '--data', '/nonexistent', '--sms-webhook', 'ftp://x/'], {
    encoding: 'utf8',
  });
  assert.equal(bad.status, 2);
});
