/**
 * Policy as data: Cedar text (see default-policy.ts), parsed once per version and evaluated with
 * @cedar-policy/cedar-wasm. A Cedar call costs about a quarter of a millisecond, so decisions are
 * cached: everything a policy can see is in the request (the principal's roles and organisation
 * kind, the action, the record type or field, the purpose and three booleans), so the cache key is
 * exactly the request and a cached decision is the decision. A new policy version is a new engine
 * with an empty cache. Anything but an explicit allow is a deny (fail closed).
 */
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
  | 'consent';

export interface Subject {
  readonly roles: readonly string[];
  readonly orgKind: string;
}

export interface PolicyContext {
  readonly purpose?: string;
  readonly sameOrg?: boolean;
  readonly inCare?: boolean;
  readonly consented?: boolean;
}

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

  /** Parses `text` (ERR_POLICY_INVALID if it does not parse). */
  constructor(text: string, version: number) {
    this.#id = `tracevault-${++engines}`;
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
    const key =
      `${roles.join(',')}|${subject.orgKind}|${action}|${resource.type}:${resId}|` +
      `${ctx.purpose ?? ''}|${ctx.sameOrg ? 1 : 0}${ctx.inCare ? 1 : 0}${ctx.consented ? 1 : 0}`;
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
      context: {
        purpose: ctx.purpose ?? '',
        sameOrg: ctx.sameOrg ?? false,
        inCare: ctx.inCare ?? false,
        consented: ctx.consented ?? false,
      },
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
    const key =
      `${subject.roles.join(',')}|${subject.orgKind}|${type.name}|` +
      `${ctx.purpose ?? ''}|${ctx.sameOrg ? 1 : 0}${ctx.inCare ? 1 : 0}${ctx.consented ? 1 : 0}`;
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
