/**
 * The HTTP API's end-to-end tests (src/server/*.http.test.ts), on one backend: a vault holding the
 * synthetic city, served over real HTTP on a free port; a token per principal (two administrators,
 * two clinicians and a records clerk of hospital A, a clinician of hospital B, a DPO who may log in,
 * an auditor, a statistician; those that act on records created by one administrator, approved by
 * the other and enrolled, as over HTTP they must be); the record ids of each hospital; and `api()`,
 * which keeps every refused response body. Every log line is kept too, and `leaks()` scans a text
 * for the city's personal values.
 */
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Backend } from './backends.ts';
import { initVault, type Principal, type Vault } from '../../src/store/vault.ts';
import { loadCity, type LoadResult } from '../../src/sim/load.ts';
import { generateCity } from '../../src/synth/city.ts';
import { Services } from '../../src/service/services.ts';
import { DEFAULT_GUARD } from '../../src/access/guard.ts';
import { Ledger } from '../../src/ledger/log.ts';
import { buildServer } from '../../src/server/app.ts';
import { enrolOverHttp } from './enrol.ts';

export const CITY = { seed: 'server-test', families: 260, hospitals: 2 } as const;

/** Every phone, resident id and name the synthetic city holds, for scanning outputs. */
function seededValues(): string[] {
  const out = new Set<string>();
  for (const f of generateCity(CITY).families()) {
    for (const c of [f.initial, ...f.later]) {
      for (const [k, v] of Object.entries(c.values)) {
        if (typeof v === 'string' && /Phone|ResidentId|Name$/.test(k) && v.length >= 2) out.add(v);
      }
    }
  }
  return [...out];
}

export function leaks(text: string, values: readonly string[]): string[] {
  return values.filter((v) => text.includes(v));
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are asserted field by field
export type Json = any;

export interface Api {
  (
    method: string,
    path: string,
    token?: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; json: Json; text: string; headers: Headers }>;
}

/** What `before` opens: the vault and its administrator, the loaded city, the services behind the server. */
export interface Opened {
  readonly vault: Vault;
  readonly admin: Principal;
  readonly city: LoadResult;
  readonly services: Services;
}

export interface HttpVault {
  readonly api: Api;
  /**
   * Tokens by principal name: admin, admin2 (a second administrator, who approves what admin creates),
   * clinicianA, clinicianA2, clerkA, clinicianB, dpo, auditor, statistician.
   */
  readonly tokens: Record<string, string>;
  readonly seeded: readonly string[];
  /** Record ids of hospital A and of hospital B, in collection order (filled by `before`). */
  readonly recordsA: string[];
  readonly recordsB: string[];
  readonly refusedBodies: string[];
  readonly logLines: string[];
  /** The server's URL (`http://127.0.0.1:port`), for requests whose bytes matter, once `before` has run. */
  base(): string;
  /** The vault and the rest, once `before` has run. */
  opened(): Opened;
  /** A principal made over HTTP by `admin`, approved by `admin2` if it must be, and enrolled (enrol.ts). */
  principal(
    body: { roles: string[]; password?: string } & Record<string, unknown>,
  ): Promise<{ id: string; token: string }>;
}

/**
 * Registers, in the calling `describe`, the `before` that opens a fresh vault on `backend` and serves it, and
 * the `after` that closes both. Call it first in the block, so that its `before` runs before the file's own.
 */
export function httpVault(backend: Backend): HttpVault {
  let env: Awaited<ReturnType<typeof backend.fresh>>;
  let state: Opened | undefined;
  let app: FastifyInstance, base: string;
  const logLines: string[] = [];
  const refusedBodies: string[] = [];
  const tokens: Record<string, string> = {};
  const seeded = seededValues();
  const recordsA: string[] = [],
    recordsB: string[] = [];

  const api: Api = async (method, path, token, body, headers = {}) => {
    const res = await fetch(base + path, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status >= 400) refusedBodies.push(text);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, json, text, headers: res.headers };
  };

  before(async () => {
    env = await backend.fresh();
    const { vault, admin } = await initVault(env.dir, { database: env.database });
    const city = await loadCity(vault, admin, CITY);
    // The quota rule is what these suites' scraper meets; the fast-scraper test uses the defaults.
    const guard = { ...DEFAULT_GUARD, velocityPerMinute: 10_000, scanWindow: 10_000 };
    const services = await Services.open(vault, { guard, ledger: new Ledger(vault.db) });
    state = { vault, admin, city, services };
    app = await buildServer(services, { log: { write: (l: string) => logLines.push(l) } });
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    // Two administrators: one creates a principal that acts on records, the other approves it (enrol.ts).
    const administrator = async (displayName: string) =>
      (await vault.createPrincipal(null, { displayName, roles: ['administrator'], orgId: admin.orgId })).token;
    const adminToken = await administrator('test admin');
    tokens.admin = adminToken;
    tokens.admin2 = await administrator('second admin');
    const [a, b] = city.hospitals;
    const make = async (name: string, roles: string[], organizationId: string | null, extra: object = {}) => {
      const r = await enrolOverHttp(base, adminToken, tokens.admin2!, {
        displayName: name,
        roles,
        ...(organizationId ? { organizationId } : {}),
        ...extra,
      });
      assert.match(r.token, /^tv_/);
      tokens[name] = r.token;
      return r.id;
    };
    const stats = await api('POST', '/v1/organizations', adminToken, { name: '市统计局', kind: 'statistics_office' });
    assert.equal(stats.status, 201, stats.text);
    await make('clinicianA', ['clinician'], a!.orgId);
    await make('clinicianA2', ['clinician'], a!.orgId);
    await make('clerkA', ['records_clerk'], a!.orgId);
    await make('clinicianB', ['clinician'], b!.orgId);
    await make('dpo', ['dpo'], admin.orgId, { login: 'dpo.li', password: 'correct horse battery' });
    await make('auditor', ['auditor'], admin.orgId);
    await make('statistician', ['statistician'], stats.json.id);
    const ids = async (orgId: string) =>
      (await vault.db.all<{ id: string }>('SELECT id FROM records WHERE org_id = ? ORDER BY seq', [orgId])).map(
        (r) => r.id,
      );
    recordsA.push(...(await ids(a!.orgId)));
    recordsB.push(...(await ids(b!.orgId)));
    assert.ok(recordsA.length > 110 && recordsB.length > 10, `${recordsA.length} / ${recordsB.length}`);
  });

  after(async () => {
    // Whatever a file's tests did, no log line or refused answer of its server holds a personal value.
    assert.deepEqual(leaks(logLines.join('\n'), seeded), [], 'a log line holds a personal value');
    assert.deepEqual(leaks(refusedBodies.join('\n'), seeded), [], 'a refused answer holds a personal value');
    assert.ok(
      logLines.every((l) => !l.includes('?')),
      'no query string is logged',
    );
    await app?.close();
    await state?.vault.close();
    await env?.cleanup();
  });

  return {
    api,
    tokens,
    seeded,
    recordsA,
    recordsB,
    refusedBodies,
    logLines,
    base: () => base,
    opened() {
      assert.ok(state, 'the HTTP vault is opened in before()');
      return state;
    },
    principal: (body) => enrolOverHttp(base, tokens.admin!, tokens.admin2!, body),
  };
}
