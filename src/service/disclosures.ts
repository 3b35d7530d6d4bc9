/**
 * Committing a read: its disclosure (when clear values leave) and its ledger entry in one
 * transaction, before anything is returned (disclose/disclosure.ts writes the rows).
 */
import { recordDisclosure, type Channel, type DisclosedItem } from '../disclose/disclosure.ts';
import type { AuditEvent } from '../store/audit.ts';
import type { Db } from '../store/db.ts';
import type { RequestContext } from './context.ts';
import type { Gate } from './gate.ts';
import type { ServiceKeys } from './keys.ts';

export interface ReadCommit {
  readonly event: AuditEvent;
  readonly purpose: string | undefined;
  readonly items: readonly DisclosedItem[];
  readonly justification?: string;
  readonly channel?: Channel;
  readonly exportId?: string;
  /** Record a disclosure even with no item (an export file is one, whatever it holds). */
  readonly always?: boolean;
  readonly disclosureId?: string;
  /** The fingerprint scheme of the clear values (disclose/marks.ts). */
  readonly fingerprint?: string;
  /** More writes in the same transaction (an export's canaries). */
  readonly extra?: (tx: Db) => Promise<void>;
}

/** Returns the disclosure id, if a disclosure was recorded. */
export async function commitRead(
  gate: Gate,
  keys: ServiceKeys,
  ctx: RequestContext,
  c: ReadCommit,
): Promise<string | undefined> {
  const p = ctx.principal;
  return gate.commit(async (tx, events) => {
    let disclosureId: string | undefined;
    if (c.items.length > 0 || c.always) {
      disclosureId = await recordDisclosure(
        tx,
        {
          tenantId: gate.vault.tenantId,
          principalId: p.id,
          orgId: p.orgId,
          purpose: c.purpose ?? '',
          channel: c.channel ?? 'api',
          at: gate.now().toISOString(),
          requestId: ctx.requestId,
          exportId: c.exportId,
          justificationSealed: c.justification ? keys.sealJustification(p.id, c.justification) : undefined,
          items: c.items,
          fingerprint: c.fingerprint,
        },
        c.disclosureId,
      );
      await c.extra?.(tx);
    }
    events.push({ ...c.event, disclosureId });
    return disclosureId;
  });
}
