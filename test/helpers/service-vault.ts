/**
 * A vault for the service layer's tests (src/service/*.test.ts), on one backend: the operator (its
 * administrator, a DPO, an auditor, an investigator), a hospital (a clinician, a records clerk), a
 * vaccination clinic (a nurse, a records clerk), a partner and a statistics office, one principal
 * per role; and a handful of valid birth records from the synthetic city, twelve collected by the
 * hospital's clerk and four by the clinic's. `personal` holds every personal value collected, for
 * scanning ledger entries and errors.
 */
import assert from 'node:assert/strict';
import type { Backend } from './backends.ts';
import { TracevaultError, type ErrorCode } from '../../src/errors.ts';
import { initVault, readAdminToken, type Vault } from '../../src/store/vault.ts';
import type { CipherSuiteName } from '../../src/crypto/cipher-suite.ts';
import type { AuditEvent } from '../../src/store/audit.ts';
import { Services, type ServiceOptions } from '../../src/service/services.ts';
import { createOrganisation, createPrincipal, type NewPrincipal } from '../../src/service/directory.ts';
import type { RequestContext } from '../../src/service/context.ts';
import { generateCity } from '../../src/synth/city.ts';

export type Who =
  | 'admin'
  | 'dpo'
  | 'auditor'
  | 'investigator'
  | 'clinician'
  | 'clerk'
  | 'nurse'
  | 'clinicClerk'
  | 'partner'
  | 'statistician';

export type Input = Record<string, unknown>;

/** A ledger entry as stored (`audit_events.entry`), with its sequence number. */
export type Entry = AuditEvent & { readonly seq: number };

/** The hospital's region: a `district` care relationship with this value covers all its records. */
export const HOSPITAL_REGION = '370102';

/** `n` valid birth records (a family's first state in the synthetic city), different for each seed. */
export function births(n: number, seed = 'service-tests'): Input[] {
  return [...generateCity({ seed, families: n, hospitals: 2 }).families()].map((f) => ({ ...f.initial.values }));
}

/** The personal values of some inputs: names, phones, resident ids, addresses. */
export function personalValues(inputs: readonly Input[]): string[] {
  const out = new Set<string>();
  for (const input of inputs) {
    for (const [k, v] of Object.entries(input)) {
      if (typeof v === 'string' && /Name$|Phone$|ResidentId$|^address$/.test(k)) out.add(v);
    }
  }
  return [...out];
}

export class ServiceVault {
  readonly personal: string[];

  constructor(
    readonly dir: string,
    readonly vault: Vault,
    readonly services: Services,
    readonly orgs: Readonly<Record<'operator' | 'hospital' | 'clinic' | 'partner' | 'statistics', string>>,
    readonly as: Readonly<Record<Who, RequestContext>>,
    readonly records: { readonly hospital: readonly string[]; readonly clinic: readonly string[] },
    readonly inputs: readonly Input[],
    readonly cleanup: () => Promise<void>,
  ) {
    this.personal = personalValues(inputs);
  }

  /** A principal made for one test (with a login, relationships, …), as a request context. */
  async principal(p: NewPrincipal): Promise<RequestContext> {
    const { id } = await createPrincipal(this.vault, { id: this.as.admin.principal.id, orgId: this.orgs.operator }, p);
    return { principal: (await this.vault.principal(id))!, requestId: `req-${p.displayName}` };
  }

  /** The sequence number of the newest ledger entry. */
  async head(): Promise<number> {
    const r = await this.vault.db.get<{ seq: number | null }>('SELECT MAX(seq) AS seq FROM audit_events');
    return Number(r?.seq ?? 0);
  }

  /** The ledger entries written after `seq`, oldest first. */
  async entriesSince(seq: number): Promise<Entry[]> {
    const rows = await this.vault.db.all<{ seq: number; entry: string }>(
      'SELECT seq, entry FROM audit_events WHERE seq > ? ORDER BY seq',
      [seq],
    );
    return rows.map((r) => ({ ...(JSON.parse(r.entry) as AuditEvent), seq: Number(r.seq) }));
  }

  /** The one ledger entry an operation wrote after `seq` (asserting there is exactly one). */
  async onlyEntrySince(seq: number): Promise<Entry> {
    const entries = await this.entriesSince(seq);
    assert.equal(entries.length, 1, JSON.stringify(entries));
    return entries[0]!;
  }

  /** Asserts that none of the texts holds a personal value collected into this vault. */
  assertNoPersonal(...texts: string[]): void {
    const text = texts.join('\n');
    assert.deepEqual(
      this.personal.filter((v) => text.includes(v)),
      [],
    );
  }

  /** Awaits a refusal: a TracevaultError with `code`, whose message and details hold no personal value. */
  async refused(p: Promise<unknown>, code: ErrorCode): Promise<TracevaultError> {
    const e = await p.then(
      () => undefined,
      (x: unknown) => x,
    );
    assert.ok(e instanceof TracevaultError, `expected ${code}, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    this.assertNoPersonal(e.message, JSON.stringify(e.details));
    return e;
  }

  /** Runs `fn` while every insert into audit_events fails, as a full disk would make it. */
  async withLedgerFault(fn: () => Promise<void>): Promise<void> {
    const db = this.vault.db;
    const sqlite = db.dialect === 'sqlite';
    if (sqlite) {
      await db.exec(
        'CREATE TRIGGER ledger_full BEFORE INSERT ON audit_events ' +
          "BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END",
      );
    } else {
      await db.exec(
        'CREATE OR REPLACE FUNCTION ledger_full() RETURNS trigger LANGUAGE plpgsql AS ' +
          "$$ BEGIN RAISE EXCEPTION 'could not extend file: No space left on device'; END $$",
      );
      await db.exec(
        'CREATE TRIGGER ledger_full BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION ledger_full()',
      );
    }
    try {
      await fn();
    } finally {
      await db.exec(sqlite ? 'DROP TRIGGER ledger_full' : 'DROP TRIGGER ledger_full ON audit_events');
    }
  }

  async close(): Promise<void> {
    await this.vault.close();
    await this.cleanup();
  }
}

/** A fresh vault on `backend` (and cipher suite) with its organisations, principals and records (see above). */
export async function serviceVault(
  backend: Backend,
  opts: ServiceOptions = {},
  cipherSuite: CipherSuiteName = 'aes',
): Promise<ServiceVault> {
  const env = await backend.fresh();
  const { vault } = await initVault(env.dir, { database: env.database, cipherSuite });
  const services = await Services.open(vault, opts);
  const admin = await services.sessions.authenticate(readAdminToken(env.dir));
  const system = { id: admin.id, orgId: admin.orgId };
  const org = (name: string, kind: string, region?: string) =>
    createOrganisation(vault, system, { name, kind, region });
  const orgs = {
    operator: admin.orgId!,
    hospital: await org('山东大学齐鲁医院', 'hospital', HOSPITAL_REGION),
    clinic: await org('历下区预防接种门诊', 'vaccination_clinic'),
    partner: await org('宝贝影像工作室', 'partner'),
    statistics: await org('市统计局', 'statistics_office'),
  };
  const make = async (displayName: string, role: string, orgId: string): Promise<RequestContext> => {
    const { id } = await createPrincipal(vault, system, { displayName, roles: [role], orgId });
    return { principal: (await vault.principal(id))!, requestId: `req-${displayName}` };
  };
  const as: Record<Who, RequestContext> = {
    admin: { principal: admin, requestId: 'req-admin' },
    dpo: await make('dpo', 'dpo', orgs.operator),
    auditor: await make('auditor', 'auditor', orgs.operator),
    investigator: await make('investigator', 'investigator', orgs.operator),
    clinician: await make('clinician', 'clinician', orgs.hospital),
    clerk: await make('clerk', 'records_clerk', orgs.hospital),
    nurse: await make('nurse', 'vaccination_nurse', orgs.clinic),
    clinicClerk: await make('clinicClerk', 'records_clerk', orgs.clinic),
    partner: await make('partner', 'partner', orgs.partner),
    statistician: await make('statistician', 'statistician', orgs.statistics),
  };
  const inputs = births(16);
  const ids = async (ctx: RequestContext, batch: Input[]) =>
    (await services.records.collectMany(ctx, 'birth', batch)).map((r) => r.id);
  const records = {
    hospital: await ids(as.clerk, inputs.slice(0, 12)),
    clinic: await ids(as.clinicClerk, inputs.slice(12)),
  };
  return new ServiceVault(env.dir, vault, services, orgs, as, records, inputs, env.cleanup);
}
