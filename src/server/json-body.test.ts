/**
 * The streaming JSON body parser: the same values as JSON.parse, however the body is split; the limits
 * and refusals fastify's own parser has; and no long turn of the event loop on a large body.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { MAX_DEPTH, parseJsonBody } from './json-body.ts';

const chunked = (text: string, size: number): Readable => {
  const b = Buffer.from(text, 'utf8'),
    parts: Buffer[] = [];
  for (let i = 0; i < b.length; i += size) parts.push(b.subarray(i, i + size));
  return Readable.from(parts);
};

/** Chunks delivered one per turn of the event loop, as a socket delivers them. */
const socketLike = (text: string, size: number): Readable => {
  const b = Buffer.from(text, 'utf8');
  let at = 0;
  return new Readable({
    read() {
      setImmediate(() => {
        this.push(at < b.length ? b.subarray(at, (at += size)) : null);
      });
    },
  });
};

const refusal = async (text: string, limit = 1 << 20) => {
  try {
    await parseJsonBody(chunked(text, 7), limit);
  } catch (e) {
    return (e as { statusCode: number }).statusCode;
  }
  return 'parsed';
};

test('gives what JSON.parse gives, whatever the chunk boundaries (multi-byte characters split too)', async () => {
  const docs = [
    '{"motherName":"王秀英","n":-1.5e3,"ok":true,"none":null,"list":[1,[2,{"a":"\\u00e9\\n"}]]}',
    '[]',
    '"张"',
    '{"rows":[{"babyName":"李🍼","x":0}],"empty":{}}',
  ];
  for (const doc of docs) {
    for (const size of [1, 2, 3, 5, 64 * 1024])
      assert.deepEqual(await parseJsonBody(chunked(doc, size), 1 << 20), JSON.parse(doc));
  }
});

test('refuses what fastify refuses: bad JSON, empty, prototype keys, too deep, too large', async () => {
  assert.equal(await refusal('{"a":1'), 400);
  assert.equal(await refusal('{"a":1} {"b":2}'), 400);
  assert.equal(await refusal(''), 400);
  assert.equal(await refusal('{"__proto__":{"polluted":true}}'), 400);
  assert.equal(await refusal('{"a":{"constructor":{"prototype":{}}}}'), 400);
  assert.equal(await refusal('{"a":"__proto__"}'), 'parsed', 'as a value it is only text');
  assert.equal(await refusal('['.repeat(MAX_DEPTH) + ']'.repeat(MAX_DEPTH)), 'parsed');
  assert.equal(await refusal('['.repeat(MAX_DEPTH + 1) + ']'.repeat(MAX_DEPTH + 1)), 400);
  assert.equal(await refusal(JSON.stringify({ a: 'x'.repeat(100) }), 50), 413);
  await assert.rejects(parseJsonBody(chunked('{}', 2), 10, 11), { statusCode: 413 }, 'declared beyond the limit');
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test('a 16 MiB body is parsed in short turns: the event loop is never held for long', async () => {
  const row = { motherName: '王秀英', motherPhone: '13912345678', address: '山东省济南市历下区某路1号', n: 12345 };
  const text = JSON.stringify({ rows: Array.from({ length: 150_000 }, () => row) });
  assert.ok(Buffer.byteLength(text) > 16 * 1024 * 1024, String(Buffer.byteLength(text)));
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  const parsed = (await parseJsonBody(socketLike(text, 64 * 1024), 32 << 20)) as { rows: unknown[] };
  h.disable();
  assert.equal(parsed.rows.length, 150_000);
  const maxMs = h.max / 1e6;
  assert.ok(h.count > 100, 'the loop turned while the body was parsed');
  assert.ok(maxMs < 100, `longest turn ${maxMs.toFixed(1)} ms`);
  console.log(`# 16 MiB JSON body: longest event-loop delay ${maxMs.toFixed(1)} ms`);
});
