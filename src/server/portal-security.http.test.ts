/**
 * The parents' portal's security, across every path, over real HTTP, on SQLite and on PostgreSQL.
 * Every path under /v1/portal in /openapi.json must have a row in CASES below, which says how to
 * call it (a new path without one fails the first test). With two enrolled families A and B and a
 * third record C nobody enrolled for: every id a path carries (child, ledger index, consent, a
 * call's code or number, a phone) swapped for the other family's, for C's or for one that does not
 * exist gets one answer, status and body (request ids aside), and never the answer to the caller's
 * own id; no token is 401 and a staff token 401 or 403 on every portal path. Every log line the
 * server wrote (its logger, the console, stderr), every refused answer, every ledger entry the run
 * wrote and every message of the outbox holds no personal value of either family (names, phones in
 * common spellings, resident ids, address, birth and discharge times) and none of the free text
 * the guardians typed (XSS payloads among it); messages say the recipient's code and nothing else.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BACKENDS } from '../../test/helpers/backends.ts';
import { httpVault, type Json } from '../../test/helpers/http-vault.ts';
import { portalHarness } from '../../test/helpers/portal.ts';
import { Checkpointer } from '../ledger/checkpointer.ts';
import { Ledger } from '../ledger/log.ts';
import { noteKeyFromSeed, parseSignerKey } from '../ledger/signed-note.ts';

const signer = parseSignerKey(noteKeyFromSeed('tracevault.test/portal-security', Buffer.alloc(32, 7)).signerKey);

/** The kinds of object id a portal path carries, each swapped in turn. */
type Kind = 'child' | 'index' | 'consent' | 'callCode' | 'callNumber' | 'phone';

interface Ids {
  child: string;
  index: string;
  consent: string;
  callCode: string;
  callNumber: string;
  phone: string;
  invitation: string;
  otp: string;
}

interface Family {
  readonly name: 'A' | 'B' | 'C';
  token: string;
  child: string;
  phone: string;
  ids: Ids;
  /** What the family's guardian typed (reports, requests): free text, XSS payloads among it. */
  typed: string[];
  /** Its personal values, in the spellings a log line could hold them in. */
  values: string[];
}

interface Req {
  readonly method: string;
  readonly url: string;
  readonly body?: unknown;
}

interface Case {
  readonly auth: 'public' | 'portal';
  /** The object ids it carries: each is swapped for another family's, for C's and for none. */
  readonly objects: readonly Kind[];
  /** The request with these ids (`kind`: the one being swapped, when the body takes one at a time). */
  readonly call: (ids: Ids, me: Family, kind?: Kind) => Req;
  /** Public paths that answer the same whatever matched, the caller's own included. */
  readonly ownSame?: boolean;
  /** After the call with the caller's own ids succeeded: put back what it changed. */
  readonly restore?: (me: Family) => Promise<void>;
  /** Called with its own ids on a spare session of the caller (it ends the session). */
  readonly spare?: boolean;
}

const typedFor = (f: 'A' | 'B') => ({
  claim: `自称妇幼保健院摄影师${f}<img src=x onerror=alert(1)>`,
  quote: `"><script>alert('quote-${f}')</script>您家宝宝哪天出院我们都知道${f}号`,
  reason: `</textarea><svg onload=alert(${f})>名字登错了，请改正${f}`,
  name: f === 'A' ? '欧阳晓曦' : '司马云舒',
  caller: f === 'A' ? '+86 171-0531-7701' : '17105317702',
});

const PORTAL = '/v1/portal';

/** How to call every portal path: a path missing here fails the first test. */
const CASES: Record<string, Case> = {
  'POST /v1/portal/enrol': {
    auth: 'public',
    objects: ['phone'],
    ownSame: true,
    call: (ids) => ({ method: 'POST', url: `${PORTAL}/enrol`, body: { code: ids.invitation, phone: ids.phone } }),
  },
  'POST /v1/portal/login': {
    auth: 'public',
    objects: ['phone'],
    ownSame: true,
    call: (ids) => ({ method: 'POST', url: `${PORTAL}/login`, body: { phone: ids.phone } }),
  },
  'POST /v1/portal/sessions': {
    auth: 'public',
    objects: ['phone'],
    call: (ids) => ({ method: 'POST', url: `${PORTAL}/sessions`, body: { phone: ids.phone, otp: ids.otp } }),
  },
  'DELETE /v1/portal/sessions': {
    auth: 'portal',
    objects: [],
    spare: true,
    call: () => ({ method: 'DELETE', url: `${PORTAL}/sessions` }),
  },
  'GET /v1/portal/me': { auth: 'portal', objects: [], call: () => ({ method: 'GET', url: `${PORTAL}/me` }) },
  'GET /v1/portal/calls': { auth: 'portal', objects: [], call: () => ({ method: 'GET', url: `${PORTAL}/calls` }) },
  'POST /v1/portal/calls/verify': {
    auth: 'portal',
    objects: ['callCode', 'callNumber'],
    call: (ids, _me, kind) => ({
      method: 'POST',
      url: `${PORTAL}/calls/verify`,
      body: kind === 'callNumber' ? { number: ids.callNumber } : { code: ids.callCode },
    }),
  },
  'POST /v1/portal/requests': {
    auth: 'portal',
    objects: ['child'],
    call: (ids, me) => {
      const t = typedFor(me.name as 'A' | 'B');
      return {
        method: 'POST',
        url: `${PORTAL}/requests`,
        body: { childId: ids.child, kind: 'correction', fields: { babyName: t.name }, reason: t.reason },
      };
    },
  },
  'GET /v1/portal/requests': {
    auth: 'portal',
    objects: [],
    call: () => ({ method: 'GET', url: `${PORTAL}/requests` }),
  },
  'GET /v1/portal/children/{id}/copy': {
    auth: 'portal',
    objects: ['child'],
    call: (ids) => ({ method: 'GET', url: `${PORTAL}/children/${ids.child}/copy?format=json` }),
  },
  'GET /v1/portal/children/{id}/consents': {
    auth: 'portal',
    objects: ['child'],
    call: (ids) => ({ method: 'GET', url: `${PORTAL}/children/${ids.child}/consents` }),
  },
  'POST /v1/portal/children/{id}/consents': {
    auth: 'portal',
    objects: ['child'],
    call: (ids) => ({
      method: 'POST',
      url: `${PORTAL}/children/${ids.child}/consents`,
      body: { organizationId: ids.consent },
    }),
  },
  'DELETE /v1/portal/children/{id}/consents/{consentId}': {
    auth: 'portal',
    objects: ['child', 'consent'],
    call: (ids) => ({ method: 'DELETE', url: `${PORTAL}/children/${ids.child}/consents/${ids.consent}` }),
    restore: async () => {}, // set in the suite: grants the consent again
  },
  'GET /v1/portal/notices': { auth: 'portal', objects: [], call: () => ({ method: 'GET', url: `${PORTAL}/notices` }) },
  'POST /v1/portal/reports': {
    auth: 'portal',
    objects: ['child'],
    call: (ids, me) => {
      const t = typedFor(me.name as 'A' | 'B');
      return {
        method: 'POST',
        url: `${PORTAL}/reports`,
        body: {
          at: new Date(Date.now() - 3_600_000).toISOString(),
          callerNumber: t.caller,
          claimedToBe: t.claim,
          knew: ['babyName', 'birthTime', 'hospital'],
          quote: t.quote,
          childId: ids.child,
        },
      };
    },
  },
  'GET /v1/portal/children': {
    auth: 'portal',
    objects: [],
    call: () => ({ method: 'GET', url: `${PORTAL}/children` }),
  },
  'GET /v1/portal/children/{id}': {
    auth: 'portal',
    objects: ['child'],
    call: (ids) => ({ method: 'GET', url: `${PORTAL}/children/${ids.child}` }),
  },
  'GET /v1/portal/children/{id}/accesses': {
    auth: 'portal',
    objects: ['child'],
    call: (ids) => ({ method: 'GET', url: `${PORTAL}/children/${ids.child}/accesses` }),
  },
  'GET /v1/portal/children/{id}/accesses/{index}/receipt': {
    auth: 'portal',
    objects: ['child', 'index'],
    call: (ids) => ({ method: 'GET', url: `${PORTAL}/children/${ids.child}/accesses/${ids.index}/receipt` }),
  },
};

/** A phone number in the spellings a person or a log might write it in. */
function phoneForms(p: string): string[] {
  const [a, b, c] = [p.slice(0, 3), p.slice(3, 7), p.slice(7)];
  return [p, `${a}-${b}-${c}`, `${a} ${b} ${c}`, `+86${p}`, `86-${p}`, p.slice(3), `${b}${c}`];
}

/** A time in the spellings a log might write it in. */
function timeForms(t: string): string[] {
  const d = new Date(t);
  if (Number.isNaN(d.getTime())) return [t];
  return [t, t.replace('T', ' ').slice(0, 16), d.toISOString(), String(d.getTime()), t.slice(0, 16)];
}

/** Every version of a record's personal fields, in those spellings. */
function personalValues(history: readonly { field: string; value: unknown }[]): string[] {
  const out = new Set<string>();
  for (const { field: k, value: raw } of history) {
    if (typeof raw !== 'string' || raw.length < 2) continue;
    if (/Phone$/.test(k)) for (const f of phoneForms(raw)) out.add(f);
    else if (/Time$/.test(k)) for (const f of timeForms(raw)) out.add(f);
    else if (/ResidentId$/.test(k)) {
      out.add(raw);
      out.add(raw.toLowerCase());
      out.add(`${raw.slice(0, 6)} ${raw.slice(6, 14)} ${raw.slice(14)}`);
    } else if (/Name$|^address$|CertificateNo$/.test(k)) out.add(raw);
  }
  return [...out];
}

/** A response's status and body, its request id aside: what must not differ between two refusals. */
function answer(r: { status: number; json: Json; text: string; headers: Headers }) {
  const body =
    r.json && typeof r.json === 'object'
      ? (({ requestId: _r, ...rest }) => rest)(r.json as Record<string, unknown>)
      : r.text;
  return { status: r.status, type: r.headers.get('content-type'), body };
}

const found = (text: string, values: readonly string[]) => values.filter((v) => text.includes(v));

for (const backend of BACKENDS) {
  describe(`HTTP API on ${backend.name}: the parents' portal's security, every path`, () => {
    const v = httpVault(backend);
    const { api, tokens, recordsA, recordsB, logLines, refusedBodies } = v;
    const portal = portalHarness(v);
    const fam: Record<'A' | 'B' | 'C', Family> = {} as Record<'A' | 'B' | 'C', Family>;
    const none: Ids = {
      child: '',
      index: '9999999999',
      consent: 'o_doesnotexist0000',
      callCode: '',
      callNumber: '13800000000',
      phone: '19900001234',
      invitation: '',
      otp: '000000',
    };
    /** Every answer a family's token got: none may hold the other family's values or ids. */
    const seenBy: Record<'A' | 'B', string[]> = { A: [], B: [] };
    let firstSeq = 0;
    /** The session the own call of POST /v1/portal/sessions opened: what DELETE /v1/portal/sessions ends. */
    let spareToken = '';
    const console_: string[] = [];
    const restoreConsole: (() => void)[] = [];

    const as = async (who: Family | undefined, token: string | undefined, req: Req) => {
      const r = await api(req.method, req.url, token, req.body);
      if (who && who.name !== 'C') seenBy[who.name].push(r.text, JSON.stringify([...r.headers]));
      // What a guardian typed comes back as data, never as a page: no HTML, no sniffing, no caching.
      const type = r.headers.get('content-type') ?? '';
      if (r.status !== 204) assert.match(type, /^(application\/json|text\/plain|application\/pdf)/, req.url);
      assert.equal(r.headers.get('x-content-type-options'), 'nosniff', req.url);
      assert.match(r.headers.get('cache-control') ?? '', /no-store/, req.url);
      return r;
    };

    before(async () => {
      // Everything the process writes besides the server's logger: the console and stderr.
      for (const m of ['log', 'info', 'warn', 'error', 'debug'] as const) {
        const orig = console[m].bind(console);
        console[m] = (...args: unknown[]) => {
          console_.push(args.map(String).join(' '));
          orig(...args);
        };
        restoreConsole.push(() => (console[m] = orig));
      }
      const write = process.stderr.write.bind(process.stderr);
      process.stderr.write = ((chunk: unknown, ...rest: unknown[]) => {
        console_.push(String(chunk));
        return Reflect.apply(write, process.stderr, [chunk, ...rest]);
      }) as typeof write;
      restoreConsole.push(() => (process.stderr.write = write));

      portal.connect();
      const { vault, services } = v.opened();
      firstSeq = Number(
        (await vault.db.all<{ s: number | string | null }>('SELECT MAX(seq) AS s FROM audit_events'))[0]?.s ?? 0,
      );
      // Three families whose values are distinct from each other's: A and B enrol, C does not.
      const pick = async (ids: readonly string[], avoid: readonly string[]) => {
        for (const id of ids) {
          const rec = await vault.registry.get(id, { history: true });
          const values = personalValues(rec.history ?? []);
          if (!(await portal.phones(id)).father) continue;
          if (values.some((x) => avoid.some((y) => x.includes(y) || y.includes(x)))) continue;
          return { id, values };
        }
        throw new Error('no record fits');
      };
      const a = await pick(recordsA.slice(30), []);
      const b = await pick(recordsA.slice(40), a.values);
      const c = await pick(recordsB.slice(5), [...a.values, ...b.values]);
      const blank = (): Ids => ({ ...none });
      for (const [name, p] of [
        ['A', a],
        ['B', b],
        ['C', c],
      ] as const) {
        const phone = (await portal.phones(p.id)).mother!;
        fam[name] = {
          name,
          token: '',
          child: p.id,
          phone,
          ids: { ...blank(), child: p.id, phone },
          typed: [],
          values: p.values,
        };
      }
      for (const f of [fam.A, fam.B]) {
        f.token = (await portal.enrolled(f.child)).token;
        const t = typedFor(f.name as 'A' | 'B');
        f.typed.push(t.claim, t.quote, t.reason, t.name, ...phoneForms(t.caller.replace(/\D/g, '').slice(-11)));
      }
      // A leak of hospital A's births (A's and B's among them), traced and confirmed: breach notices and their SMS.
      const regulator = await api('POST', '/v1/organizations', tokens.admin, { name: '网信办', kind: 'regulator' });
      const investigator = (
        await v.principal({ displayName: 'investigator', roles: ['investigator'], organizationId: regulator.json.id })
      ).token;
      const exp = await api('POST', '/v1/exports', tokens.clerkA, {
        purpose: 'birth_registration',
        fields: ['babyName', 'motherName', 'birthTime', 'address', 'hospital'],
        format: 'csv',
        filter: { organizationId: v.opened().city.hospitals[0]!.orgId },
      });
      assert.equal(exp.status, 201, exp.text);
      assert.equal((await api('POST', `/v1/exports/${exp.json.id}/approve`, tokens.dpo)).status, 200);
      const leaked = (await api('GET', `/v1/exports/${exp.json.id}/file`, tokens.clerkA)).text.replace(/^\uFEFF/, '');
      const trace = await api('POST', '/v1/traces', investigator, leaked, {
        'content-type': 'text/csv',
        prefer: 'wait=60',
      });
      assert.equal(trace.status, 201, trace.text);
      for (const f of [fam.A, fam.B]) assert.ok(trace.json.affected.direct.includes(f.child), f.name);
      const confirmed = await api('POST', `/v1/traces/${trace.json.id}/confirm`, investigator, {});
      assert.equal(confirmed.status, 201, confirmed.text);
      // A partner each family consents to, and one nobody does (C's).
      for (const f of [fam.A, fam.B, fam.C]) {
        const org = await api('POST', '/v1/organizations', tokens.admin, {
          name: `合作机构${f.name}`,
          kind: 'partner',
        });
        assert.equal(org.status, 201, org.text);
        f.ids.consent = org.json.id;
      }
      for (const f of [fam.A, fam.B]) {
        const g = await api('POST', `${PORTAL}/children/${f.child}/consents`, f.token, {
          organizationId: f.ids.consent,
        });
        assert.equal(g.status, 201, g.text);
      }
      CASES['DELETE /v1/portal/children/{id}/consents/{consentId}'] = {
        ...CASES['DELETE /v1/portal/children/{id}/consents/{consentId}']!,
        restore: async (me) => {
          const g = await api('POST', `${PORTAL}/children/${me.child}/consents`, me.token, {
            organizationId: me.ids.consent,
          });
          assert.equal(g.status, 201, g.text);
        },
      };
      // A registered call to each family, from a number of its own, with codes that differ.
      // C is hospital B's: its own clinician calls.
      const staffOf = (f: Family) => (f.name === 'C' ? tokens.clinicianB : tokens.clinicianA);
      const codes = new Set<string>();
      for (const [i, f] of [fam.A, fam.B, fam.C].entries()) {
        const fromNumber = `1390531000${i}`;
        do {
          const reg = await api('POST', '/v1/calls', staffOf(f), {
            recordId: f.child,
            purpose: 'vaccination',
            fromNumber,
          });
          assert.equal(reg.status, 201, reg.text);
          f.ids.callCode = reg.json.code;
        } while (codes.has(f.ids.callCode));
        codes.add(f.ids.callCode);
        f.ids.callNumber = fromNumber;
      }
      none.callCode = ['0000', '1111', '2222', '3333'].find((x) => !codes.has(x))!;
      // An id shaped as a record's that is no record.
      none.child = `${fam.A.child.slice(0, 2)}${'z'.repeat(fam.A.child.length - 2)}`;
      // Staff at work on each record, then a checkpoint: every family has entries with receipts.
      for (const f of [fam.A, fam.B, fam.C]) {
        const r = await api('GET', `/v1/records/${f.child}?purpose=treatment&reveal=motherPhone`, staffOf(f));
        assert.equal(r.status, 200, r.text);
      }
      const { vault: vv } = v.opened();
      await new Checkpointer(vv.db, new Ledger(vv.db), signer, { intervalMs: 0 }).tick();
      for (const f of [fam.A, fam.B]) {
        const h = await api('GET', `${PORTAL}/children/${f.child}/accesses`, f.token);
        assert.equal(h.status, 200, h.text);
        const e = h.json.entries.find((x: Json) => x.kind === 'revealed');
        assert.ok(e, 'a reveal in the history');
        f.ids.index = String(e.index);
      }
      // C's: an entry about C's record, read from the ledger's index of records.
      const cRow = await vault.db.all<{ seq: number | string }>(
        'SELECT seq FROM ledger_record_entries WHERE record_ref = ? ORDER BY seq DESC',
        [services.gate.ref(fam.C.child)],
      );
      assert.ok(cRow.length > 0);
      fam.C.ids.index = String(Number(cRow[0]!.seq) - 1);
      assert.notEqual(fam.C.ids.index, fam.A.ids.index);
    });

    after(() => {
      for (const r of restoreConsole) r();
    });

    test('every path under /v1/portal in /openapi.json has a row in the table, and every row a path', async () => {
      const doc = (await api('GET', '/openapi.json')).json;
      const listed: string[] = [];
      for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, Json>>)) {
        if (!path.startsWith(`${PORTAL}/`)) continue;
        for (const [method, op] of Object.entries(ops)) {
          if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
          listed.push(`${method.toUpperCase()} ${path}`);
          const portalAuth = (op.security ?? []).some((s: Json) => 'portal' in s);
          assert.equal(portalAuth, CASES[`${method.toUpperCase()} ${path}`]?.auth === 'portal', `${method} ${path}`);
        }
      }
      assert.deepEqual(
        listed.filter((k) => !(k in CASES)),
        [],
        'a portal path this test does not know how to call: add it to CASES',
      );
      assert.deepEqual(
        Object.keys(CASES).filter((k) => !listed.includes(k)),
        [],
        'a row of CASES for a path that is no longer served',
      );
      // Every path parameter is one of the objects the row swaps.
      for (const k of listed) {
        const params = [...k.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
        const kinds = params.map((p) => (p === 'id' ? 'child' : p === 'consentId' ? 'consent' : p));
        for (const kind of kinds) assert.ok(CASES[k]!.objects.includes(kind as Kind), `${k}: ${kind}`);
      }
    });

    test('without a token 401; with a staff token 401 or 403; with a forged portal token 401', async () => {
      for (const [key, c] of Object.entries(CASES)) {
        if (c.auth !== 'portal') continue;
        const req = c.call(fam.A.ids, fam.A, c.objects[0]);
        const anon = await api(req.method, req.url, undefined, req.body);
        assert.equal(anon.status, 401, `${key}: ${anon.text}`);
        assert.equal(anon.json.code, 'ERR_UNAUTHENTICATED', key);
        for (const staff of ['clinicianA', 'clerkA', 'admin', 'dpo', 'auditor']) {
          const r = await api(req.method, req.url, tokens[staff], req.body);
          assert.ok([401, 403].includes(r.status), `${key} as ${staff}: ${r.status} ${r.text}`);
        }
        const forged = await api(req.method, req.url, `tvp_${'A'.repeat(43)}`, req.body);
        assert.equal(forged.status, 401, `${key}: forged`);
        assert.equal(forged.json.code, anon.json.code, key);
      }
    });

    test('a portal token is refused on every staff path (401), whatever its ids', async () => {
      const doc = (await api('GET', '/openapi.json')).json;
      let n = 0;
      for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, Json>>)) {
        for (const [method, op] of Object.entries(ops)) {
          if (op.security !== undefined) continue; // public, or the portal's own
          const url = path.replace(/\{(\w+)\}/g, (_m, p: string) => (p === 'id' ? fam.A.child : '0'));
          const r = await api(method.toUpperCase(), url, fam.A.token, method === 'get' ? undefined : {});
          assert.equal(r.status, 401, `${method} ${path}: ${r.text}`);
          n++;
        }
      }
      assert.ok(n > 20, `${n} staff paths`);
    });

    test('another family’s id, an unenrolled record’s and none: one answer, never the own id’s', async () => {
      for (const [me, them] of [
        [fam.A, fam.B],
        [fam.B, fam.A],
      ] as const) {
        for (const [key, c] of Object.entries(CASES)) {
          const fresh = async (): Promise<Partial<Ids>> => {
            if (key === 'POST /v1/portal/enrol') return { invitation: await portal.invite(me.child) };
            if (key === 'POST /v1/portal/sessions') {
              assert.equal((await api('POST', `${PORTAL}/login`, undefined, { phone: me.phone })).status, 202);
              return { otp: await portal.otpFor(me.phone) };
            }
            return {};
          };
          const token = c.auth === 'portal' ? me.token : undefined;
          assert.ok(!c.spare || spareToken, `${key}: a spare session comes from POST /v1/portal/sessions`);
          // Each id alone, then (for paths with several) all of them: another family's own pair.
          const kinds: (Kind | 'all' | undefined)[] = c.objects.length ? [...c.objects] : [undefined];
          if (c.objects.length > 1) kinds.push('all');
          for (const kind of kinds) {
            const extra = await fresh();
            const own: Ids = { ...me.ids, ...extra };
            const swapped = kind === 'all' ? c.objects : kind ? [kind] : [];
            const with_ = (other: Ids) => {
              const ids = { ...own };
              for (const k of swapped) ids[k] = other[k];
              return c.call(ids, me, kind === 'all' ? undefined : kind);
            };
            const msgsBefore = (await portal.messages()).length;
            if (kind) {
              const nobody = answer(await as(me, token, with_(none)));
              const theirs = answer(await as(me, token, with_(them.ids)));
              const stranger = answer(await as(me, token, with_(fam.C.ids)));
              assert.deepEqual(theirs, nobody, `${key} [${kind}] as ${me.name} with ${them.name}'s`);
              assert.deepEqual(stranger, nobody, `${key} [${kind}] as ${me.name} with C's`);
              // A guess at another family's object sends nothing to anyone.
              if (c.auth === 'portal') assert.equal((await portal.messages()).length, msgsBefore, `${key}: a message`);
              const r = await as(me, c.spare ? spareToken : token, with_(own));
              if (r.status === 201 && typeof r.json?.token === 'string') spareToken = r.json.token;
              const mine = answer(r);
              if (c.ownSame) assert.deepEqual(mine, nobody, `${key}: the own id answers the same`);
              else {
                assert.ok(mine.status < 300, `${key} [${kind}] own: ${JSON.stringify(mine)}`);
                assert.notDeepEqual(mine, nobody, key);
              }
            } else {
              const r = await as(me, c.spare ? spareToken : token, with_(own));
              assert.ok(r.status < 300, `${key}: ${r.status} ${r.text}`);
            }
            if (c.restore) await c.restore(me);
          }
        }
        // What the other family consented to stands: nothing the guesses did reached its child.
        const theirs = await api('GET', `${PORTAL}/children/${them.child}/consents`, them.token);
        const granted = theirs.json.consents.filter((x: Json) => x.state === 'granted').map((x: Json) => x.consentId);
        assert.deepEqual(granted, [them.ids.consent]);
        const reqs = (await api('GET', `${PORTAL}/requests`, them.token)).json.requests;
        assert.ok(reqs.every((x: Json) => x.childId === them.child));
      }
    });

    test('no answer to a family holds the other family’s values, child id or typed text', async () => {
      // The values are spelled as the registry holds them: the family's own copy shows them.
      const copy = await api('GET', `${PORTAL}/children/${fam.A.child}/copy?format=json`, fam.A.token);
      assert.equal(copy.status, 200, copy.text);
      assert.ok(found(copy.text, fam.A.values).length >= 6, 'the own copy holds the family’s values');
      for (const [me, them] of [
        [fam.A, fam.B],
        [fam.B, fam.A],
      ] as const) {
        const text = seenBy[me.name as 'A' | 'B'].join('\n');
        assert.ok(text.length > 0);
        assert.deepEqual(found(text, [...them.values, ...them.typed, them.child, ...fam.C.values, fam.C.child]), []);
      }
    });

    test('no log line, refused answer, ledger entry or message holds a family’s value or typed text', async () => {
      const secrets = [fam.A, fam.B, fam.C].flatMap((f) => [...f.values, ...f.typed]);
      const logs = [...logLines, ...console_].join('\n');
      assert.ok(logLines.length > 100, 'the server logged the run');
      assert.deepEqual(found(logs, secrets), [], 'a log line holds a personal value');
      for (const f of [fam.A, fam.B, fam.C]) assert.ok(!logs.includes(f.child), 'no record id in a log line');
      assert.deepEqual(found(refusedBodies.join('\n'), secrets), [], 'a refused answer holds a personal value');

      const { vault } = v.opened();
      const rows = await vault.db.all<{
        principal_id: string;
        action: string;
        record_ref: string | null;
        entry: string;
      }>('SELECT principal_id, action, record_ref, entry FROM audit_events WHERE seq > ? ORDER BY seq', [firstSeq]);
      assert.ok(rows.length > 50, `${rows.length} entries`);
      const ledger = rows.map((r) => `${r.principal_id} ${r.action} ${r.record_ref ?? ''} ${r.entry}`).join('\n');
      assert.deepEqual(found(ledger, secrets), [], 'a ledger entry holds a personal value');
      for (const f of [fam.A, fam.B, fam.C]) assert.ok(!ledger.includes(f.child), 'records are named by reference');

      const messages = await portal.messages();
      assert.ok(messages.length > 5);
      assert.ok(
        messages.some((m) => m.template === 'portal.breach_notice'),
        'a breach notice went out',
      );
      for (const f of [fam.A, fam.B]) {
        const n = await api('GET', `${PORTAL}/notices`, f.token);
        assert.equal(n.status, 200, n.text);
        assert.ok(n.json.notices.length > 0, `${f.name} has a notice`);
      }
      const phones = new Set([fam.A.phone, fam.B.phone]);
      for (const m of messages) {
        assert.ok(phones.has(m.to), 'messages go to the enrolled families’ own phones only');
        // The text: no value of any family, the recipient's number included (it is in `to` only).
        assert.deepEqual(found(m.text, secrets), [], m.template);
        for (const f of [fam.A, fam.B, fam.C]) assert.ok(!m.text.includes(f.child));
        // Its digits: the one-time code (6) and how many minutes it lasts; nothing else.
        const runs = m.text.match(/\d+/g) ?? [];
        assert.ok(
          runs.every((d) => d.length === 6 || d.length <= 2),
          `${m.template}: ${runs.join(',')}`,
        );
      }
    });
  });
}
