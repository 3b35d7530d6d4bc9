/**
 * The gate every use case passes: the current policy, authorisation, refusals that are ledger
 * entries, the record a request is about and its standing (same organisation, in care, consented),
 * the guard, and the one path by which an operation commits with its ledger entries.
 *
 * A refusal is written to the ledger before it is thrown. A record outside the principal's reach is
 * ERR_NOT_FOUND (whether it exists is not disclosed). A storage fault while committing is
 * ERR_LEDGER_UNAVAILABLE: the entry could not be written, so nothing happened and nothing is returned;
 * unless the database is out of reach or out of space, which say so (ERR_STORE_UNAVAILABLE,
 * ERR_STORE_FULL; ADR 0028), with the same promise.
 */
import { createHash } from 'node:crypto';
import { TracevaultError } from '../errors.ts';
import { DEFAULT_POLICY } from '../access/default-policy.ts';
import { PolicyEngine, type Action, type PolicyContext, type Resource } from '../access/policy.ts';
import { DEFAULT_GUARD, Guard, type GuardConfig } from '../access/guard.ts';
import { districtCode, isDistrictCode } from '../schema/address-district.ts';
import type { AuditEvent } from '../store/audit.ts';
import type { Db } from '../store/db.ts';
import type { StoredRecord } from '../store/registry.ts';
import type { CareRelationship, Principal, Vault } from '../store/vault.ts';
import { PolicyRepo } from '../store/repos/policies.ts';
import { AccountRepo } from '../store/repos/accounts.ts';
import { OversightRepo } from '../store/repos/oversight.ts';
import { ConsentRepo } from '../store/repos/consents.ts';
import { entryOf, type RequestContext } from './context.ts';
import { GuardState } from './guard-state.ts';
import { SharedGuard } from './shared-guard.ts';

/** The policy's view of a record relative to the principal asking. */
export interface Standing extends PolicyContext {
  readonly outsideCare: boolean;
}

/** How often the policy's version is checked in the database (another process may change it). */
const POLICY_RECHECK_MS = 1000;

export class Gate {
  readonly vault: Vault;
  readonly guard: Guard;
  /** The guard's settings in force: a DPO's newest version, else the configuration given here. */
  readonly guardState: GuardState;
  /** The guard's counters shared with the other servers of a PostgreSQL vault (ADR 0027). */
  readonly sharedGuard: SharedGuard;
  readonly oversight: OversightRepo;
  readonly consents: ConsentRepo;
  readonly #policies: PolicyRepo;
  readonly #accounts: AccountRepo;
  #policy: PolicyEngine | undefined;
  #policyCheckedAt = 0;
  readonly #policyListeners: (() => void)[] = [];
  readonly #relationships = new Map<string, readonly CareRelationship[]>();
  /** The districts each principal serves (districtsOf), kept as its relationships are. */
  readonly #districts = new Map<string, ReadonlySet<string>>();
  readonly #poison = new Set<string>();

  constructor(vault: Vault, guard: GuardConfig = DEFAULT_GUARD) {
    this.vault = vault;
    this.guard = new Guard(guard);
    this.guardState = new GuardState(vault.db, vault.tenantId, this.guard, guard);
    this.sharedGuard = new SharedGuard(vault.db, vault.tenantId, this.guard, vault.db.dialect === 'postgres');
    this.#policies = new PolicyRepo(vault.db, vault.tenantId);
    this.#accounts = new AccountRepo(vault.db, vault.tenantId);
    this.oversight = new OversightRepo(vault.db, vault.tenantId);
    this.consents = new ConsentRepo(vault.db);
  }

  /** Loads the policy (writing the default as version 1 in a new vault), the guard's blocks and the poison records. */
  async start(): Promise<void> {
    if (!(await this.#policies.exists())) {
      await this.commit(async (tx, events) => {
        await this.#policies.insert(
          tx,
          { version: 1, text: DEFAULT_POLICY, at: this.now().toISOString(), by: 'system' },
          true,
        );
        events.push({
          action: 'policy.change',
          principalId: 'system',
          detail: { version: 1, sha256: sha256(DEFAULT_POLICY) },
        });
      });
    }
    await this.policy(true);
    await this.guardState.current(true);
    for (const p of await this.oversight.blockedPrincipals()) this.guard.block(p);
    for (const ref of await this.oversight.poisonRefs()) this.#poison.add(ref);
  }

  now(): Date {
    return this.vault.registry.now();
  }

  /** The ledger's keyed reference to a record (never its id). */
  ref(recordId: string): string {
    return this.vault.registry.recordRef(recordId);
  }

  // --- The policy -----------------------------------------------------------------------------------

  /** The current policy (its version re-read at most once a second). */
  async policy(force = false): Promise<PolicyEngine> {
    const now = Date.now();
    if (this.#policy && !force && now - this.#policyCheckedAt < POLICY_RECHECK_MS) return this.#policy;
    this.#policyCheckedAt = now;
    const version = await this.#policies.latestVersion();
    if (!this.#policy || this.#policy.version !== version) {
      const text = await this.#policies.text(version);
      if (text === undefined) throw new TracevaultError('ERR_POLICY_INVALID');
      this.#adopt(new PolicyEngine(text, version));
    }
    return this.#policy!;
  }

  /** Writes a new version of the policy (the text must parse) with its ledger entry, and adopts it. */
  async replacePolicy(ctx: RequestContext, text: string): Promise<PolicyEngine> {
    const current = await this.policy(true);
    const next = new PolicyEngine(text, current.version + 1);
    await this.commit(async (tx, events) => {
      await this.#policies.insert(tx, {
        version: next.version,
        text,
        at: this.now().toISOString(),
        by: ctx.principal.id,
      });
      events.push({
        ...entryOf(ctx),
        action: 'policy.change',
        outcome: 'ok',
        detail: { version: next.version, sha256: sha256(text) },
      });
    });
    this.#adopt(next);
    return next;
  }

  /** Calls `fn` whenever another version of the policy is adopted (caches that depend on it). */
  onPolicyChange(fn: () => void): void {
    this.#policyListeners.push(fn);
  }

  #adopt(engine: PolicyEngine): void {
    const changed = this.#policy !== undefined;
    this.#policy = engine;
    if (changed) for (const fn of this.#policyListeners) fn();
  }

  async decision(): Promise<string> {
    return `allow@${(await this.policy()).version}`;
  }

  /** Throws ERR_FORBIDDEN (after a ledger entry) unless the policy allows. */
  async authorise(ctx: RequestContext, action: Action, resource: Resource, pctx: PolicyContext = {}): Promise<void> {
    const policy = await this.policy();
    if (policy.allows(ctx.principal, action, resource, pctx)) return;
    const area = resource.type === 'Api' ? resource.area : resource.recordType;
    await this.refuse(
      {
        ...entryOf(ctx),
        action: ledgerAction(action),
        decision: `deny@${policy.version}`,
        outcome: 'denied',
        detail: { area },
      },
      new TracevaultError('ERR_FORBIDDEN'),
    );
  }

  /** Whether the policy allows, without a ledger entry (for what an answer includes). */
  async allows(ctx: RequestContext, action: Action, resource: Resource, pctx: PolicyContext = {}): Promise<boolean> {
    return (await this.policy()).allows(ctx.principal, action, resource, pctx);
  }

  // --- Committing -------------------------------------------------------------------------------------

  /** Records a refusal in the ledger, then throws `error`. */
  async refuse(event: AuditEvent, error: TracevaultError): Promise<never> {
    await this.commit(async (_tx, events) => {
      events.push(event);
    });
    throw error;
  }

  /** The one path by which a use case writes: its operation and its ledger entries in one transaction. */
  async commit<T>(fn: (tx: Db, events: AuditEvent[]) => Promise<T>): Promise<T> {
    return this.committed(() => this.vault.registry.audited(fn));
  }

  /** A registry operation that commits itself with its ledger entries (update, erase), under the same faults. */
  async committed<T>(op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (e) {
      // A database out of reach or out of space says so (ADR 0028): the entry was not written either.
      if (e instanceof TracevaultError && e.code !== 'ERR_STORAGE') throw e;
      throw new TracevaultError('ERR_LEDGER_UNAVAILABLE', {}, { cause: e });
    }
  }

  // --- The record and the principal's standing ----------------------------------------------------------

  /** A record by id; one that does not exist or was erased is refused as ERR_NOT_FOUND (a ledger entry). */
  async load(recordId: string, event: AuditEvent): Promise<StoredRecord> {
    try {
      return await this.vault.registry.get(recordId);
    } catch (e) {
      if (e instanceof TracevaultError && (e.code === 'ERR_NOT_FOUND' || e.code === 'ERR_ERASED')) {
        await this.refuse({ ...event, outcome: 'denied' }, new TracevaultError('ERR_NOT_FOUND'));
      }
      throw e;
    }
  }

  /**
   * Same organisation? In the principal's care (its ward, its patient)? In its district (the child's
   * home address, not where it was born: a district relationship names a GB/T 2260 county code, and
   * the policy sees it for reads only, access/policy.ts)? Consented to its organisation?
   */
  async standing(ctx: RequestContext, rec: StoredRecord, purpose: string | undefined): Promise<Standing> {
    const p = ctx.principal;
    const sameOrg = p.orgId !== null && p.orgId === rec.orgId;
    const rels = await this.#relationshipsOf(p.id);
    let inCare = false;
    for (const r of rels) {
      if (r.kind === 'patient' && r.value === rec.id) inCare = true;
      else if (r.kind === 'ward' && sameOrg && rec.current.get('ward')?.value === r.value) inCare = true;
    }
    const districts = await this.districtsOf(ctx.principal);
    let inDistrict = false;
    if (districts.size > 0) {
      const address = rec.current.get('address')?.value;
      const home = typeof address === 'string' ? districtCode(address) : undefined;
      inDistrict = home !== undefined && districts.has(home);
    }
    const wardsOnly = rels.some((r) => r.kind === 'ward' || r.kind === 'patient');
    let consented = false;
    if (p.orgKind === 'partner' && p.orgId) consented = await this.consents.has(rec.seq, p.orgId, 'partner_contact');
    return { purpose, sameOrg, inCare, inDistrict, consented, outsideCare: sameOrg && wardsOnly && !inCare };
  }

  /**
   * The districts a principal serves (GB/T 2260 county codes, ADR 0009): its `district` relationships
   * and, for a principal of a vaccination clinic, the clinic's own region when it names a district (a
   * clinic serves the children living there, ADR 0022).
   */
  async districtsOf(p: Principal): Promise<ReadonlySet<string>> {
    const cached = this.#districts.get(p.id);
    if (cached) return cached;
    const out = new Set((await this.#relationshipsOf(p.id)).filter((r) => r.kind === 'district').map((r) => r.value));
    if (p.orgId && p.orgKind === 'vaccination_clinic') {
      const org = await this.vault.organisation(p.orgId);
      if (org?.region && isDistrictCode(org.region)) out.add(org.region);
    }
    if (this.#districts.size > 10_000) this.#districts.clear();
    this.#districts.set(p.id, out);
    return out;
  }

  /** Forgets a principal's cached care relationships (a new principal may reuse nothing stale). */
  forgetRelationships(principalId: string): void {
    this.#relationships.delete(principalId);
    this.#districts.delete(principalId);
  }

  async #relationshipsOf(principalId: string): Promise<readonly CareRelationship[]> {
    let r = this.#relationships.get(principalId);
    if (!r) {
      r = await this.#accounts.relationships(principalId);
      if (this.#relationships.size > 10_000) this.#relationships.clear();
      this.#relationships.set(principalId, r);
    }
    return r;
  }

  // --- Poison records ---------------------------------------------------------------------------------

  isPoison(recordId: string): boolean {
    return this.#poison.has(this.ref(recordId));
  }

  async addPoison(recordId: string): Promise<void> {
    const ref = this.ref(recordId);
    await this.oversight.addPoison(ref, this.now().toISOString());
    this.#poison.add(ref);
  }
}

/** The ledger action of a refused policy action. */
function ledgerAction(action: Action): AuditEvent['action'] {
  switch (action) {
    case 'aggregate':
      return 'aggregate';
    case 'approve':
      return 'approve';
    case 'export':
      return 'export.request';
    case 'manage_policy':
      return 'policy.change';
    case 'hash_identifier':
      return 'identifier.hash';
    case 'collect':
      return 'collect';
    case 'update':
      return 'update';
    case 'erase':
      return 'erase';
    case 'administer':
      return 'principal.create';
    case 'trace':
      return 'trace';
    default:
      return 'read';
  }
}

export function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
