/**
 * The servers' coordination over a real PostgreSQL (ADR 0027): a notice published by one server is
 * heard by the others of the same vault and by no other vault; one server at a time holds the
 * checkpointer's lease, which passes on when its holder's connection ends; a connection cut by
 * the database makes `live` false until it has reconnected by itself.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { PG_URL } from '../../../test/helpers/backends.ts';
import { PgCoordination, type NoticeKind } from './pg-coordination.ts';

const until = async (cond: () => boolean, ms = 3000) => {
  const t = Date.now();
  while (!cond()) {
    if (Date.now() - t > ms) return false;
    await new Promise((r) => setTimeout(r, 10));
  }
  return true;
};

test('notices reach the vault’s servers only; one lease holder; a cut connection is not live', async () => {
  const schema = `tv_coord_${randomBytes(5).toString('hex')}`;
  const open = (s = schema) => PgCoordination.open({ url: PG_URL, schema: s, tenantId: 'default' });
  const [a, b, other] = [await open(), await open(), await open(`${schema}_x`)];
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  try {
    const heard: [string, NoticeKind, string][] = [];
    for (const [name, c] of [
      ['a', a],
      ['b', b],
      ['other', other],
    ] as const)
      c.subscribe((kind, id) => heard.push([name, kind, id]));
    await a.publish('principal', 'p_1:x');
    await a.publish('session', 'abc+/=');
    assert.ok(await until(() => heard.length >= 4));
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(heard.sort(), [
      ['a', 'principal', 'p_1:x'],
      ['a', 'session', 'abc+/='],
      ['b', 'principal', 'p_1:x'],
      ['b', 'session', 'abc+/='],
    ]);

    // One holder of the lease per vault; another vault's is its own.
    assert.equal(await a.lead(), true);
    assert.equal(await b.lead(), false);
    assert.equal(await other.lead(), true);
    // Its holder's connection ends: the next to ask takes it (PostgreSQL releases it with the session).
    await a.close();
    let took = false;
    for (let i = 0; i < 100 && !took; i++) took = await b.lead();
    assert.equal(took, true);

    // The database ends b's connection: not live, no lease, until it reconnects by itself.
    const pids = await admin.query<{ pid: number }>(
      "SELECT pid FROM pg_stat_activity WHERE query = 'SELECT pg_try_advisory_lock($1, $2) AS ok'",
    );
    assert.ok(pids.rows.length >= 1);
    for (const { pid } of pids.rows) await admin.query('SELECT pg_terminate_backend($1)', [pid]);
    assert.ok(await until(() => !b.live));
    assert.equal(b.leading, false);
    assert.ok(await until(() => b.live, 5000), 'reconnected');
    assert.equal(await b.lead(), true);
    const before = heard.length;
    await b.publish('principal', 'p_2');
    assert.ok(await until(() => heard.length === before + 1));
  } finally {
    await Promise.all([a.close(), b.close(), other.close()]);
    await admin.end();
  }
});
