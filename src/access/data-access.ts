/**
 * Whether a policy lets a principal act on records at all: read or reveal, collect, change, erase
 * or export one, or record a consent, for any purpose and any standing. Such a principal is not
 * created by one administrator alone (service/directory.ts): asked of the current policy, so that a
 * role the policy opens to records counts whatever roles.ts lists.
 */
import { PURPOSES } from './purposes.ts';
import type { Action, PolicyContext, PolicyEngine, Subject } from './policy.ts';
import { RECORD_TYPES } from '../schema/record-type.ts';

const RECORD_ACTIONS: readonly Action[] = [
  'read',
  'collect',
  'update',
  'erase',
  'export',
  'consent',
  'due_list',
  'record_dose',
];

/** Every purpose (and none) with every combination of the standing's four booleans. */
const CONTEXTS: readonly Required<PolicyContext>[] = ['', ...PURPOSES.keys()].flatMap((purpose) =>
  Array.from({ length: 16 }, (_, b) => ({
    purpose,
    sameOrg: (b & 1) !== 0,
    consented: (b & 2) !== 0,
    inCare: (b & 4) !== 0,
    inDistrict: (b & 8) !== 0,
  })),
);

/**
 * `care`: whether the principal has care relationships (a ward or a patient: `inCare`; a district:
 * `inDistrict`). Without them its standing is never in care, so the policy's rules on care do not
 * make every role one that acts on records.
 */
export function actsOnRecords(
  policy: PolicyEngine,
  subject: Subject,
  care: { readonly inCare: boolean; readonly inDistrict: boolean },
): boolean {
  const possible = CONTEXTS.filter((c) => (care.inCare || !c.inCare) && (care.inDistrict || !c.inDistrict));
  for (const type of RECORD_TYPES.keys()) {
    const resource = { type: 'Record', recordType: type } as const;
    for (const ctx of possible)
      for (const a of RECORD_ACTIONS) if (policy.allows(subject, a, resource, ctx)) return true;
  }
  return false;
}
