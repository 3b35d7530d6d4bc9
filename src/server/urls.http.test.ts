/**
 * Over-long and malformed URLs (issue 20, low finding): answered in the API's own error format, with
 * nothing of the path echoed, over real HTTP.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyServer } from '../../test/helpers/empty-server.ts';

describe('URLs the router cannot take', () => {
  const server = emptyServer('urls');

  const marker = 'zhang.san.13912345678';
  for (const [what, path] of [
    ['an over-long parameter', `/v1/records/${marker}${'x'.repeat(200)}`],
    ['an over-long parameter before more path', `/v1/records/${marker}${'x'.repeat(200)}/consents/o`],
    ['a malformed percent-encoding', `/v1/records/${marker}%zz`],
  ] as const) {
    test(`${what}: 400 ERR_BAD_REQUEST, the path not echoed`, async () => {
      const r = await fetch(server.url(path));
      const text = await r.text();
      assert.equal(r.status, 400);
      assert.deepEqual(JSON.parse(text), {
        statusCode: 400,
        code: 'ERR_BAD_REQUEST',
        error: 'Bad Request',
        message: 'bad request',
      });
      assert.ok(!text.includes(marker));
      assert.equal(r.headers.get('cache-control'), 'no-store');
      assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
    });
  }
});
