/**
 * Policy as data: Cedar text (see default-policy.ts), parsed once per version and evaluated with
 * @cedar-policy/cedar-wasm. A Cedar call costs about a quarter of a millisecond, so decisions are
 * cached: everything a policy can see is in the request (the principal's roles and organisation
 * kind, the action, the record type or field, the purpose and four booleans), so the cache key is
 * exactly the request and a cached decision is the decision. A new policy version is a new engine
 * with an empty cache. Anything but an explicit allow is a deny (fail closed).
 *
 * One invariant holds whatever the policy says: a district relationship (`inDistrict`: the child
 * lives in a district the principal serves) is seen only by reads, and by reveals for the
 * vaccination purpose (issue 20, finding 7). It never opens a change, an erasure, an export or a
 * consent on another organisation's records, nor a clear value for any other purpose. Two actions of
 * the vaccination purpose see it too (issue 22, ADR 0022): `due_list` (a child on the clinic's due
 * list) and `record_dose` (a dose given, written to the vaccinations field and no other: the
 * service enforces that, service/records.ts).
 */
import './wasm-calls.ts';
import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import { TracevaultError } from '../errors.ts';
import type { FieldDef, RecordType } from '../schema/record-type.ts';

export type Action =
  | 'read'
  | 'view'
  | 'reveal'
  | 'collect'
  | 'update'
  | 'erase'
  | 'export'
  | 'approve'
  | 'aggregate'
  | 'administer'
  | 'manage_policy'
  | 'view_alerts'
  | 'hash_identifier'
  | 'investigate'
  | 'trace'
  | 'consent'
  | 'audit'
  | 'invite'
  | 'due_list'
  | 'record_dose';

export interface Subject {
  readonly roles: readonly string[];
  readonly orgKind: string;
}

export interface PolicyContext {
  readonly purpose?: string;
  readonly sameOrg?: boolean;
  readonly inCare?: boolean;
  /** The record's home address is in a district the principal serves (see the invariant above). */
  readonly inDistrict?: boolean;
  readonly consented?: boolean;
}

/** Whether the policy may see a district relationship for this action and purpose (the invariant above). */
export function districtCounts(action: Action, purpose: string | undefined): boolean {
  if (action === 'read' || action === 'view') return true;
  return purpose === 'vaccination' && (action === 'reveal' || action === 'due_list' || action === 'record_dose');
}

/** The booleans of a context for one action, as the policy sees them: `sameOrg inCare inDistrict consented`. */
function flags(action: Action, ctx: PolicyContext) {
  return {
    sameOrg: ctx.sameOrg ?? false,
    inCare: ctx.inCare ?? false,
    inDistrict: (ctx.inDistrict ?? false) && districtCounts(action, ctx.purpose),
    consented: ctx.consented ?? false,
  };
}

const bits = (f: ReturnType<typeof flags>) =>
  `${f.sameOrg ? 1 : 0}${f.inCare ? 1 : 0}${f.inDistrict ? 1 : 0}${f.consented ? 1 : 0}`;

export type Resource =
  | { readonly type: 'Record'; readonly recordType: string }
  | { readonly type: 'Field'; readonly recordType: string; readonly field: FieldDef }
  | { readonly type: 'Api'; readonly area: string };

/** How a field comes back: in clear, masked, or not at all. */
export type FieldView = 'clear' | 'masked' | 'hidden';

let engines = 0;
const CACHE_LIMIT = 50_000;

export class PolicyEngine {
  readonly version: number;
  readonly text: string;
  readonly #id: string;
  readonly #cache = new Map<string, boolean>();
  readonly #views = new Map<string, ReadonlyMap<string, { view: boolean; reveal: boolean }>>();

  /**
   * Parses `text` (ERR_POLICY_INVALID if it does not parse). The evaluator keeps every parsed set for
   * the life of the process; an engine made only to be asked and dropped at once (a preview) passes
   * a fixed `id`, whose set the next such engine replaces.
   */
  constructor(text: string, version: number, id?: string) {
    this.#id = id ?? `tracevault-${++engines}`;
    const r = cedar.preparsePolicySet(this.#id, { staticPolicies: text });
    if (r.type !== 'success') throw new TracevaultError('ERR_POLICY_INVALID', { count: r.errors.length });
    this.text = text;
    this.version = version;
  }

  /** Allow (true) or deny (false). */
  allows(subject: Subject, action: Action, resource: Resource, ctx: PolicyContext = {}): boolean {
    const resId =
      resource.type === 'Record'
        ? resource.recordType
        : resource.type === 'Field'
          ? `${resource.recordType}.${resource.field.name}`
          : resource.area;
    const roles = [...subject.roles].sort();
    const f = flags(action, ctx);
    const key =
      `${roles.join(',')}|${subject.orgKind}|${action}|${resource.type}:${resId}|${ctx.purpose ?? ''}|` + bits(f);
    const hit = this.#cache.get(key);
    if (hit !== undefined) return hit;
    const attrs: Record<string, string> =
      resource.type === 'Record'
        ? { recordType: resource.recordType }
        : resource.type === 'Field'
          ? {
              name: resource.field.name,
              recordType: resource.recordType,
              kind: resource.field.kind,
              sensitivity: resource.field.sensitivity,
            }
          : { area: resource.area };
    const principal = { type: 'Principal', id: 'subject' };
    const res = { type: resource.type, id: resId };
    const answer = cedar.statefulIsAuthorized({
      principal,
      action: { type: 'Action', id: action },
      resource: res,
      preparsedPolicySetId: this.#id,
      context: { purpose: ctx.purpose ?? '', ...f },
      entities: [
        { uid: principal, attrs: { roles, orgKind: subject.orgKind }, parents: [] },
        { uid: res, attrs, parents: [] },
      ],
    });
    // An evaluation error in a policy makes that policy not apply; a failed call is a deny.
    const allow = answer.type === 'success' && answer.response.decision === 'allow';
    if (this.#cache.size >= CACHE_LIMIT) this.#cache.clear();
    this.#cache.set(key, allow);
    return allow;
  }

  /** For each field of a record type: clear (reveal permitted for the purpose), masked (viewable) or hidden. */
  fieldViews(
    subject: Subject,
    type: RecordType,
    ctx: PolicyContext,
  ): ReadonlyMap<string, { view: boolean; reveal: boolean }> {
    // The view and reveal flags of the context (a district counts for both when the purpose is vaccination).
    const key =
      `${subject.roles.join(',')}|${subject.orgKind}|${type.name}|` +
      `${ctx.purpose ?? ''}|${bits(flags('view', ctx))}${bits(flags('reveal', ctx))}`;
    const hit = this.#views.get(key);
    if (hit) return hit;
    const out = new Map<string, { view: boolean; reveal: boolean }>();
    for (const field of type.fields) {
      const resource = { type: 'Field', recordType: type.name, field } as const;
      out.set(field.name, {
        view: this.allows(subject, 'view', resource, ctx),
        reveal: ctx.purpose ? this.allows(subject, 'reveal', resource, ctx) : false,
      });
    }
    if (this.#views.size >= CACHE_LIMIT) this.#views.clear();
    this.#views.set(key, out);
    return out;
  }
}
