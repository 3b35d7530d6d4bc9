/**
 * The policy editor's server side (issue 22, the DPO's policy screen): validating a Cedar text
 * without adopting it, and previewing what a principal would see and may do for a purpose under a
 * proposed text beside the current one. Nothing is adopted; the diff of the texts is the browser's.
 *
 * A preview about a real record opens it (its ward and home district decide the principal's
 * standing), so it is a ledger entry naming the record's keyed reference; the answer holds field
 * names and verdicts only, never a value.
 */
import { TracevaultError } from '../errors.ts';
import { checkPolicyText, outlook, type PolicyCheck } from '../access/policy-check.ts';
import { PolicyEngine, type PolicyContext } from '../access/policy.ts';
import { purposeOf } from '../access/purposes.ts';
import { recordType as typeOf } from '../schema/record-type.ts';
import { entryOf, type RequestContext } from './context.ts';
import type { Gate } from './gate.ts';

export interface PreviewInput {
  readonly text: string;
  readonly principalId: string;
  readonly purpose?: string;
  readonly recordId?: string;
  /** Without a record: its type (default birth) and the standing to assume (default: none). */
  readonly recordType?: string;
  readonly standing?: { sameOrg?: boolean; inCare?: boolean; inDistrict?: boolean; consented?: boolean };
}

type View = 'clear' | 'masked' | 'hidden';

const PREVIEW_ID = 'tracevault-preview';

export interface Preview {
  readonly principal: { id: string; displayName: string; roles: readonly string[]; orgKind: string };
  readonly purpose: string | null;
  readonly recordType: string;
  readonly standing: { sameOrg: boolean; inCare: boolean; inDistrict: boolean; consented: boolean };
  readonly currentVersion: number;
  readonly fields: { name: string; current: View; proposed: View }[];
  readonly actions: { action: string; current: boolean; proposed: boolean }[];
  /** Field and action names whose verdict the proposed text changes. */
  readonly changed: string[];
}

/** Whether a Cedar text parses (errors at line and column) and what it names that does not exist. */
export async function validatePolicy(gate: Gate, ctx: RequestContext, text: string): Promise<PolicyCheck> {
  await gate.authorise(ctx, 'manage_policy', { type: 'Api', area: 'policies' });
  return checkPolicyText(text);
}

export async function previewPolicy(gate: Gate, ctx: RequestContext, input: PreviewInput): Promise<Preview> {
  await gate.authorise(ctx, 'manage_policy', { type: 'Api', area: 'policies' });
  const check = checkPolicyText(input.text);
  if (!check.ok) throw new TracevaultError('ERR_POLICY_INVALID', { count: check.errors.length });
  const purpose = input.purpose === undefined ? undefined : purposeOf(input.purpose).name;
  const subject = await gate.vault.principal(input.principalId);
  if (!subject) throw new TracevaultError('ERR_NOT_FOUND', { field: 'principalId' });
  const current = await gate.policy(true);
  let standing: PolicyContext;
  let typeName = input.recordType ?? 'birth';
  if (input.recordId !== undefined) {
    const event = { ...entryOf(ctx), action: 'policy.preview', purpose } as const;
    const rec = await gate.load(input.recordId, event);
    typeName = rec.recordType;
    standing = await gate.standing({ principal: subject, requestId: ctx.requestId }, rec, purpose);
    await gate.commit(async (_tx, events) => {
      events.push({
        ...event,
        recordRef: gate.ref(rec.id),
        outcome: 'ok',
        detail: { principal: subject.id, version: current.version },
      });
    });
  } else {
    standing = { purpose, ...input.standing };
  }
  const type = typeOf(typeName);
  const was = outlook(current, subject, type, standing);
  // Parsed, asked and dropped in one synchronous step: its fixed id is reused by the next preview.
  const will = outlook(new PolicyEngine(input.text, current.version + 1, PREVIEW_ID), subject, type, standing);
  const fields = type.fields.map((f) => ({
    name: f.name,
    current: was.fields.get(f.name)!,
    proposed: will.fields.get(f.name)!,
  }));
  const actions = [...was.actions.keys()].map((a) => ({
    action: a,
    current: was.actions.get(a)!,
    proposed: will.actions.get(a)!,
  }));
  return {
    principal: { id: subject.id, displayName: subject.displayName, roles: subject.roles, orgKind: subject.orgKind },
    purpose: purpose ?? null,
    recordType: type.name,
    standing: {
      sameOrg: standing.sameOrg ?? false,
      inCare: standing.inCare ?? false,
      inDistrict: standing.inDistrict ?? false,
      consented: standing.consented ?? false,
    },
    currentVersion: current.version,
    fields,
    actions,
    changed: [
      ...fields.filter((f) => f.current !== f.proposed).map((f) => f.name),
      ...actions.filter((a) => a.current !== a.proposed).map((a) => a.action),
    ],
  };
}
