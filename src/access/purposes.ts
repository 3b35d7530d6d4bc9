/**
 * Purposes of processing, each with its legal basis (PIPL art. 13; for minors under 14 art. 31
 * asks for a guardian's consent or a statutory basis). A reveal names one; the policy decides what
 * it opens. Purposes are fixed by the code, policies by data.
 */
import { TracevaultError } from '../errors.ts';

export interface Purpose {
  readonly name: string;
  readonly legalBasis: string;
  /** The basis is the guardian's consent (PIPL art. 13(1), art. 31): it holds only where one is recorded. */
  readonly byConsent: boolean;
}

const p = (name: string, legalBasis: string, byConsent = false): Purpose =>
  Object.freeze({ name, legalBasis, byConsent });

export const PURPOSES: ReadonlyMap<string, Purpose> = new Map(
  [
    p('treatment', 'PIPL art. 13(3): necessary to protect life and health'),
    p('vaccination', 'PIPL art. 13(3) and the Vaccine Administration Law art. 47: immunisation records'),
    p(
      'birth_registration',
      'PIPL art. 13(3): statutory duty (Maternal and Infant Health Care Law, birth certificates)',
    ),
    p('statistics', 'PIPL art. 13(5) and the Statistics Law: aggregates only'),
    p('partner_contact', "PIPL art. 13(1) and art. 31: the guardian's separate consent", true),
    p('investigation', "PIPL art. 13(3) and art. 64: a regulator's or investigator's statutory duty"),
    p('data_subject_request', "PIPL arts. 44-47: the data subject's own request"),
  ].map((x) => [x.name, x]),
);

/** The purpose named, or ERR_PURPOSE_REQUIRED / ERR_UNKNOWN_PURPOSE. */
export function purposeOf(name: string | undefined | null): Purpose {
  if (name === undefined || name === null || name === '') throw new TracevaultError('ERR_PURPOSE_REQUIRED');
  const purpose = PURPOSES.get(name);
  if (!purpose) throw new TracevaultError('ERR_UNKNOWN_PURPOSE', { field: 'purpose' });
  return purpose;
}
