/**
 * Who the report's ids are (issue 22: "the report names people, not ids"): each principal it names
 * — accused, candidate, in a confidence set or the mixture — by display name, roles, organisation
 * and care relationships (ward, district), and each disclosure it names by principal, channel,
 * purpose and date, with the time in Beijing time (UTC+8, schema/local-date.ts). These are the
 * registry's staff and its own disclosures, read when the trace is made; never a data subject's value.
 */
import type { Db } from '../store/db.ts';
import { localDateTime, SHANGHAI_OFFSET } from '../schema/local-date.ts';

export interface ReportPerson {
  readonly displayName: string;
  readonly roles: readonly string[];
  readonly organizationId: string | null;
  readonly organizationName: string | null;
  readonly organizationKind: string;
  /** Wards of its care relationships (in its hospital). */
  readonly wards: readonly string[];
  /** Districts (GB/T 2260 county codes) of its care relationships. */
  readonly districts: readonly string[];
  /** Disabled (its credentials revoked) when the trace was made. */
  readonly disabled: boolean;
}

export interface ReportDisclosure {
  readonly principalId: string;
  /** api, export, portal, partner (disclose/disclosure.ts). */
  readonly channel: string;
  readonly purpose: string;
  /** When it was made, ISO 8601 UTC as stored. */
  readonly at: string;
  /** The same instant in Beijing time, `YYYY-MM-DDTHH:MM:SS+08:00`. */
  readonly atBeijing: string;
  readonly exportId: string | null;
}

/** An instant in Beijing time, ISO 8601 with its offset: `2027-03-01T18:30:00+08:00`. */
export function beijing(iso: string): string {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? iso : `${localDateTime(ms)}${SHANGHAI_OFFSET}`;
}

const CHUNK = 500;

async function chunked<T>(ids: readonly string[], fn: (page: readonly string[]) => Promise<T[]>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < ids.length; i += CHUNK) out.push(...(await fn(ids.slice(i, i + CHUNK))));
  return out;
}

const marks = (n: number) => Array.from({ length: n }, () => '?').join(', ');

/** The principals and disclosures named, by id; ids not found (`elsewhere`, an erased export) are left out. */
export async function whoIsWho(
  db: Db,
  tenantId: string,
  principalIds: readonly string[],
  disclosureIds: readonly string[],
): Promise<{ people: Record<string, ReportPerson>; disclosures: Record<string, ReportDisclosure> }> {
  const pids = [...new Set(principalIds)];
  const dids = [...new Set(disclosureIds)];
  const disclosures: Record<string, ReportDisclosure> = {};
  const drows = await chunked(dids, (page) =>
    db.all<{
      id: string;
      principal_id: string;
      channel: string;
      purpose: string;
      at: string;
      export_id: string | null;
    }>(
      'SELECT id, principal_id, channel, purpose, at, export_id FROM disclosures ' +
        `WHERE tenant_id = ? AND id IN (${marks(page.length)})`,
      [tenantId, ...page],
    ),
  );
  for (const d of drows) {
    disclosures[d.id] = {
      principalId: d.principal_id,
      channel: d.channel,
      purpose: d.purpose,
      at: d.at,
      atBeijing: beijing(d.at),
      exportId: d.export_id,
    };
    if (!pids.includes(d.principal_id)) pids.push(d.principal_id);
  }
  const people: Record<string, ReportPerson> = {};
  const prows = await chunked(pids, (page) =>
    db.all<{
      id: string;
      display_name: string;
      roles: string;
      org_id: string | null;
      org_name: string | null;
      org_kind: string | null;
      disabled_at: string | null;
    }>(
      'SELECT p.id, p.display_name, p.roles, p.org_id, o.name AS org_name, o.kind AS org_kind, p.disabled_at ' +
        'FROM principals p LEFT JOIN organisations o ON o.id = p.org_id ' +
        `WHERE p.tenant_id = ? AND p.id IN (${marks(page.length)})`,
      [tenantId, ...page],
    ),
  );
  const rels = await chunked(
    prows.map((p) => p.id),
    (page) =>
      db.all<{ principal_id: string; kind: string; value: string }>(
        `SELECT principal_id, kind, value FROM care_relationships WHERE principal_id IN (${marks(page.length)}) ` +
          "AND kind IN ('ward', 'district') ORDER BY value",
        [...page],
      ),
  );
  for (const p of prows) {
    const of = (kind: string) => rels.filter((r) => r.principal_id === p.id && r.kind === kind).map((r) => r.value);
    people[p.id] = {
      displayName: p.display_name,
      roles: p.roles.split(',').filter(Boolean),
      organizationId: p.org_id,
      organizationName: p.org_name,
      organizationKind: p.org_kind ?? 'operator',
      wards: of('ward'),
      districts: of('district'),
      disabled: p.disabled_at !== null,
    };
  }
  return { people, disclosures };
}
