/**
 * Disclosures: every clear value that leaves the vault is recorded first — who, for which purpose,
 * over which channel, when, under which request, and exactly which record field versions. Written
 * in the same transaction as its ledger entry, before the response: no disclosure, no data.
 * A justification is free text and may name a person, so it is sealed, never stored in clear.
 */
import { newTimeOrderedId } from '../crypto/ids.ts';
import { localDate } from '../schema/local-date.ts';
import type { Db, Param } from '../store/db.ts';

export type Channel = 'api' | 'export' | 'portal' | 'partner';

export interface DisclosedItem {
  readonly recordSeq: number;
  readonly field: string;
  readonly version: number;
}

export interface NewDisclosure {
  readonly tenantId: string;
  readonly principalId: string;
  readonly orgId: string | null;
  readonly purpose: string;
  readonly channel: Channel;
  readonly at: string;
  readonly requestId?: string;
  readonly exportId?: string;
  readonly justificationSealed?: Buffer;
  /** The fingerprint scheme the values were marked with (see marks.ts), if any. */
  readonly fingerprint?: string;
  readonly items: readonly DisclosedItem[];
}

/**
 * A new disclosure id: taken before the values are rendered, since their marks depend on it.
 * Time-ordered: every read that reveals a value writes one, and its index stays compact.
 */
export function newDisclosureId(): string {
  return newTimeOrderedId('d');
}

export async function recordDisclosure(tx: Db, d: NewDisclosure, id = newDisclosureId()): Promise<string> {
  await tx.run(
    'INSERT INTO disclosures (id, tenant_id, principal_id, org_id, purpose, channel, at, ' +
      'request_id, export_id, justification, fingerprint) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    [
      id,
      d.tenantId,
      d.principalId,
      d.orgId,
      d.purpose,
      d.channel,
      d.at,
      d.requestId ?? null,
      d.exportId ?? null,
      d.justificationSealed ?? null,
      d.fingerprint ?? null,
    ],
  );
  const rows: Param[][] = d.items.map((i) => [id, i.recordSeq, i.field, i.version]);
  for (let i = 0; i < rows.length; i += 5000)
    await tx.insertMany(
      'INSERT INTO disclosure_items (disclosure_id, record_seq, field, version) VALUES',
      rows.slice(i, i + 5000),
    );
  return id;
}

/**
 * The guard's history of a principal: how many distinct records it received in clear on each
 * local day (UTC+8) since `since`, and which records it has received today.
 */
export async function clearHistory(
  db: Db,
  principalId: string,
  since: string,
  today: string,
): Promise<{ days: Map<string, number>; today: Set<number> }> {
  const rows = await db.all<{ record_seq: number; hour: string }>(
    `SELECT i.record_seq AS record_seq, substr(d.at, 1, 13) AS hour
     FROM disclosures d JOIN disclosure_items i ON i.disclosure_id = d.id
     WHERE d.principal_id = ? AND d.at >= ? GROUP BY i.record_seq, substr(d.at, 1, 13)`,
    [principalId, since],
  );
  const perDay = new Map<string, Set<number>>();
  for (const r of rows) {
    const day = localDate(Date.parse(`${r.hour}:00:00Z`));
    let set = perDay.get(day);
    if (!set) perDay.set(day, (set = new Set()));
    set.add(Number(r.record_seq));
  }
  return { days: new Map([...perDay].map(([d, set]) => [d, set.size])), today: perDay.get(today) ?? new Set() };
}
