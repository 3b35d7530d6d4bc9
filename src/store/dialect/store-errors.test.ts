/**
 * What a database failure means (store-errors.ts, ADR 0028): the driver's codes decide, and the
 * TracevaultError keeps the driver's error only as its cause. The faults themselves are tested
 * with real processes in test/fault-*.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TracevaultError } from '../../errors.ts';
import { connectionLost, storeError, storeErrorCode } from './store-errors.ts';

const coded = (code: string, message = 'x') => Object.assign(new Error(message), { code });

test('a database out of reach is ERR_STORE_UNAVAILABLE', () => {
  for (const code of ['57P01', '57P02', '57P03', '53300', '08006', '08001', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE'])
    assert.equal(storeErrorCode(coded(code)), 'ERR_STORE_UNAVAILABLE', code);
  assert.equal(storeErrorCode(new Error('Connection terminated unexpectedly')), 'ERR_STORE_UNAVAILABLE');
  assert.equal(
    storeErrorCode(new Error('Client has encountered a connection error and is not queryable')),
    'ERR_STORE_UNAVAILABLE',
  );
  assert.ok(connectionLost(storeError(coded('57P01'))));
});

test('no space left is ERR_STORE_FULL; anything else stays ERR_STORAGE', () => {
  for (const code of ['SQLITE_FULL', '53100', 'ENOSPC', 'EDQUOT'])
    assert.equal(storeErrorCode(coded(code)), 'ERR_STORE_FULL', code);
  for (const code of ['23505', 'SQLITE_CONSTRAINT_PRIMARYKEY', 'SQLITE_BUSY', '42P01'])
    assert.equal(storeErrorCode(coded(code)), 'ERR_STORAGE', code);
  // A message alone decides nothing when the driver gave a code.
  assert.equal(storeErrorCode(coded('23505', 'Connection terminated')), 'ERR_STORAGE');
  assert.equal(connectionLost(coded('23505')), false);
});

test('the error keeps its cause, never its message; a TracevaultError stays as it is', () => {
  const cause = coded('ENOSPC', 'no space writing /data/13800138000');
  const e = storeError(cause);
  assert.equal(e.code, 'ERR_STORE_FULL');
  assert.equal(e.cause, cause);
  assert.doesNotMatch(e.message, /13800138000/);
  const given = new TracevaultError('ERR_NOT_FOUND');
  assert.equal(storeError(given), given);
});
