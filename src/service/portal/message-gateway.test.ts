/**
 * Messages leave off the request path, in order, through a real adapter: the outbox file (one JSON
 * line each, owner-only) and an HTTP webhook (a local server standing in for the SMS provider).
 * A failure is reported by template and error class, never with the number or the text.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageDispatcher, type MessageFailure, type SentMessage } from './message-gateway.ts';
import { otpMessage } from './messages.ts';
import { OutboxGateway } from './outbox-gateway.ts';
import { WebhookGateway } from './webhook-gateway.ts';

const PHONE = '13905310001';

async function webhook(answer: (req: IncomingMessage, res: ServerResponse) => void) {
  const bodies: unknown[] = [];
  const server = createServer((req, res) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString('utf8')));
    req.on('end', () => {
      bodies.push({ method: req.method, type: req.headers['content-type'], body: JSON.parse(data) as unknown });
      answer(req, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sms`;
  return { url, bodies, close: () => new Promise<void>((r) => server.close(() => r())) };
}

test('the text of a one-time code: the code, the purpose, a warning; nothing about the family', () => {
  const m = otpMessage(PHONE, '012345', 'enrol', 10);
  assert.equal(m.to, PHONE);
  assert.equal(m.template, 'portal.otp');
  assert.match(m.text, /验证码 012345/);
  assert.match(m.text, /10 分钟/);
  assert.ok(!m.text.includes(PHONE));
  assert.deepEqual(m.text.match(/\d{6}/g), ['012345']);
});

test('the outbox: queued and answered at once, then one synced JSON line per message, in order', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tv-outbox-'));
  try {
    const file = join(dir, 'outbox.jsonl');
    const d = new MessageDispatcher(new OutboxGateway(file));
    d.dispatch(otpMessage(PHONE, '111111', 'enrol', 10), new Date('2026-11-23T08:00:00Z'));
    d.dispatch(otpMessage(PHONE, '222222', 'login', 10));
    // Nothing is written within the request that queued it.
    assert.throws(() => statSync(file));
    await d.drain();
    const lines = readFileSync(file, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as SentMessage);
    assert.deepEqual(
      lines.map((l) => Object.keys(l)),
      [
        ['at', 'channel', 'to', 'template', 'text'],
        ['at', 'channel', 'to', 'template', 'text'],
      ],
    );
    assert.equal(lines[0]!.at, '2026-11-23T08:00:00.000Z');
    assert.deepEqual(
      lines.map((l) => /\d{6}/.exec(l.text)?.[0]),
      ['111111', '222222'],
    );
    assert.equal(statSync(file).mode & 0o777, 0o600);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the webhook: each message POSTed as JSON; a refusal or no gateway is reported without the number', async () => {
  const ok = await webhook((_req, res) => res.writeHead(204).end());
  const failures: MessageFailure[] = [];
  try {
    const d = new MessageDispatcher(new WebhookGateway(ok.url));
    d.onFailure((f) => failures.push(f));
    d.dispatch(otpMessage(PHONE, '333333', 'login', 10));
    await d.drain();
    assert.equal(ok.bodies.length, 1);
    const got = ok.bodies[0] as { method: string; type: string; body: SentMessage };
    assert.equal(got.method, 'POST');
    assert.equal(got.type, 'application/json');
    assert.deepEqual(Object.keys(got.body), ['at', 'channel', 'to', 'template', 'text']);
    assert.equal(got.body.to, PHONE);
    assert.equal(failures.length, 0);
  } finally {
    await ok.close();
  }

  const refusing = await webhook((_req, res) => res.writeHead(302, { location: 'http://127.0.0.1:1/' }).end());
  try {
    const d = new MessageDispatcher(new WebhookGateway(refusing.url));
    d.onFailure((f) => failures.push(f));
    d.dispatch(otpMessage(PHONE, '444444', 'login', 10));
    await d.drain();
    assert.deepEqual(failures, [{ channel: 'sms', template: 'portal.otp', error: 'MessageRejected' }]);
  } finally {
    await refusing.close();
  }

  const none = new MessageDispatcher();
  const reported: MessageFailure[] = [];
  none.onFailure((f) => reported.push(f));
  none.dispatch(otpMessage(PHONE, '555555', 'login', 10));
  await none.drain();
  assert.deepEqual(reported, [{ channel: 'sms', template: 'portal.otp', error: 'NoGateway' }]);
  assert.ok(!JSON.stringify([...failures, ...reported]).includes(PHONE));
  assert.throws(() => new WebhookGateway('file:///etc/passwd'), TypeError);
});
