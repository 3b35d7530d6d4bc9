/**
 * What the demo story's people know before it starts, read from the vault as it was loaded: the
 * families of the first hospital in collection order (a scraper walks them; their parents know
 * their own phone numbers, which is how they enrol in the portal). Read only: the story writes
 * nothing except through the HTTP API. Kept in the demo directory's story file (mode 0600), which
 * holds synthetic values only.
 */
import type { Services } from '../../service/services.ts';
import type { Vault } from '../../store/vault.ts';

export interface StoryFamily {
  readonly id: string;
  /** The mother's phone as stored (the number the family enrols with). */
  readonly motherPhone: string;
}

export interface StoryFacts {
  readonly hospitalOrgId: string;
  /** The families of the first hospital, in collection order, poison records left out. */
  readonly families: readonly StoryFamily[];
}

export async function gatherFacts(vault: Vault, services: Services, hospitalOrgId: string): Promise<StoryFacts> {
  const rows = await vault.db.all<{ id: string }>(
    'SELECT id FROM records WHERE org_id = ? AND erased_at IS NULL ORDER BY seq',
    [hospitalOrgId],
  );
  const families: StoryFamily[] = [];
  for (const { id } of rows) {
    if (services.gate.isPoison(id)) continue;
    const phone = (await vault.registry.get(id)).current.get('motherPhone')?.value;
    if (typeof phone === 'string') families.push({ id, motherPhone: phone });
  }
  return { hospitalOrgId, families };
}

/** The digits of a phone as an export file renders it (`138 1234 5678`, `+86-138…`): the last eleven. */
export function phoneDigits(text: string): string {
  return text.replace(/\D/g, '').slice(-11);
}
