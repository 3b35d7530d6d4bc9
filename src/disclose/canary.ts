/**
 * Canaries in export files: synthetic families, drawn by the synthetic-city generator (hospital and
 * ward mix taken from the rows they join, birth-time curve, surname frequencies, allocated phone
 * prefixes, addresses in the city's districts, histories), minted for exactly one disclosure and
 * never reused. They are not records: they exist only in the file they were minted for, so they
 * never reach clinical screens, statistics, reminder lists or counts. Resident id columns are left
 * empty in canary rows (a fabricated id could be a real person's).
 *
 * What is kept: a keyed reference to the canary's virtual key (fingerprint.ts) to find it in a
 * leak, and the row itself sealed (AES-256-GCM) under a key derived from the tenant's index key,
 * for investigators. Density: 2% of the exported rows by default, at least one.
 */
import { createHash } from 'node:crypto';
import { generateCity } from '../sim/city.ts';
import { snapshot } from '../sim/snapshot.ts';
import { aad, seal, open } from '../crypto/aead.ts';
import { newId } from '../crypto/ids.ts';
import { KINDS, type FieldValue } from '../schema/field-kind.ts';
import { BIRTH, validateRecord, type RecordType } from '../schema/record-type.ts';
import type { Db } from '../store/db.ts';
import { virtualKey } from './fingerprint.ts';

export const DEFAULT_DENSITY = 0.02;
const AAD = aad('tracevault-canary', 'row', 1);

export interface CanaryKeys {
  /** HMAC key for references to virtual keys. */
  readonly refKey: (vkey: string) => Buffer;
  /** AES-256-GCM key sealing canary rows. */
  readonly sealKey: Buffer;
}

export interface MintedCanary {
  readonly id: string;
  readonly row: Record<string, FieldValue>;
  /** The contact point whose phone the canary carries, if one was given. */
  contactId?: string;
}

/**
 * Mints canary rows for one disclosure of `rows` (birth records only). `secret` seeds the generator
 * (derive it from the disclosure's key: the same disclosure always gets the same canaries).
 */
export function mintCanaries(type: RecordType, rows: readonly Readonly<Record<string, FieldValue>>[], fields: readonly string[], secret: Uint8Array, density = DEFAULT_DENSITY, now = new Date()): MintedCanary[] {
  if (type.name !== BIRTH.name || rows.length === 0 || density <= 0) return [];
  const n = Math.max(1, Math.ceil(rows.length * density));
  const seed = createHash('sha256').update(secret).digest('hex');
  const out: MintedCanary[] = [];
  for (const f of generateCity({ seed, families: n * 2, until: now.toISOString() }).families()) {
    if (out.length >= n) break;
    // Hospital and ward as in a row of this export, so the mix follows the recipient's data.
    const like = rows[(f.index * 7919) % rows.length]!;
    const snap = { ...snapshot(f) };
    if (typeof like.hospital === 'string') snap.hospital = like.hospital;
    if (typeof like.ward === 'string') {
      snap.ward = like.ward;
      snap.bed = `${like.ward}-${(f.index % 40) + 1}床`;
    }
    const v = validateRecord(BIRTH, snap, { now });
    if (!v.ok) continue;
    const row: Record<string, FieldValue> = {};
    for (const field of fields) {
      const value = v.record.values.get(field);
      if (value !== undefined && KINDS[BIRTH.fields.find((d) => d.name === field)!.kind].index !== 'residentId') row[field] = value;
    }
    out.push({ id: newId('c'), row });
  }
  return out;
}

/** Inserts canary rows among the real ones at places drawn from `secret`. */
export function interleave<T>(rows: readonly T[], canaries: readonly T[], secret: Uint8Array): T[] {
  const out = [...rows];
  canaries.forEach((c, k) => {
    const h = createHash('sha256').update(secret).update(String(k)).digest();
    out.splice(h.readUInt32BE(0) % (out.length + 1), 0, c);
  });
  return out;
}

export async function storeCanaries(tx: Db, tenantId: string, disclosureId: string, canaries: readonly MintedCanary[], keys: CanaryKeys, at: string): Promise<void> {
  for (const c of canaries) {
    const vkey = virtualKey(c.row);
    await tx.run('INSERT INTO canaries (id, tenant_id, disclosure_id, vkey_ref, sealed, created_at, contact_id) VALUES (?, ?, ?, ?, ?, ?, ?)', [
      c.id, tenantId, disclosureId, vkey === undefined ? null : keys.refKey(vkey), seal(keys.sealKey, Buffer.from(JSON.stringify(c.row), 'utf8'), AAD), at, c.contactId ?? null,
    ]);
    if (c.contactId) await tx.run('UPDATE canary_contacts SET assigned = assigned + 1 WHERE id = ?', [c.contactId]);
  }
}

export interface CanaryHit {
  readonly canaryId: string;
  readonly disclosureId: string;
  /** Leaked rows (0-based) that are this canary. */
  readonly rows: number[];
}

/** The canaries found in a leaked table, by virtual key, with the disclosure each was minted for. */
export async function findCanaries(db: Db, tenantId: string, rows: readonly Readonly<Record<string, unknown>>[], keys: CanaryKeys): Promise<CanaryHit[]> {
  const rowsOf = new Map<string, { ref: Buffer; rows: number[] }>();
  for (const [i, row] of rows.entries()) {
    const vkey = virtualKey(row);
    if (vkey === undefined) continue;
    const ref = keys.refKey(vkey);
    const e = rowsOf.get(ref.toString('hex')) ?? { ref, rows: [] };
    e.rows.push(i);
    rowsOf.set(ref.toString('hex'), e);
  }
  const hits = new Map<string, CanaryHit>();
  const refs = [...rowsOf.values()];
  for (let p = 0; p < refs.length; p += 500) {
    const page = refs.slice(p, p + 500);
    const found = await db.all<{ id: string; disclosure_id: string; sealed: Buffer; vkey_ref: Buffer }>(
      `SELECT id, disclosure_id, sealed, vkey_ref FROM canaries WHERE tenant_id = ? AND vkey_ref IN (${page.map(() => '?').join(',')})`, [tenantId, ...page.map((e) => e.ref)],
    );
    for (const c of found) {
      // Canaries given the same contact phone share a virtual key: the names tell them apart.
      const minted = openCanaryRow(keys, c.sealed);
      for (const i of rowsOf.get(Buffer.from(c.vkey_ref).toString('hex'))?.rows ?? []) {
        const row = rows[i]!;
        if (['babyName', 'motherName'].some((f) => typeof row[f] === 'string' && typeof minted[f] === 'string' && (row[f] as string).trim() !== minted[f])) continue;
        const hit = hits.get(c.id) ?? { canaryId: c.id, disclosureId: c.disclosure_id, rows: [] };
        hit.rows.push(i);
        hits.set(c.id, hit);
      }
    }
  }
  for (const h of hits.values()) h.rows.sort((a, b) => a - b);
  return [...hits.values()];
}

/** A canary's row as it was minted (investigators only: the caller checks the role). */
export function openCanaryRow(keys: CanaryKeys, sealed: Buffer): Record<string, FieldValue> {
  return JSON.parse(open(keys.sealKey, sealed, AAD).toString('utf8')) as Record<string, FieldValue>;
}

// --- Contact points --------------------------------------------------------------------------------

/** Seals a contact point's value or a reported quote (same key as canary rows, its own label). */
export function sealText(keys: CanaryKeys, text: string, label: string): Buffer {
  return seal(keys.sealKey, Buffer.from(text, 'utf8'), aad('tracevault-canary', label, 1));
}

export function openText(keys: CanaryKeys, sealed: Buffer, label: string): string {
  return open(keys.sealKey, sealed, aad('tracevault-canary', label, 1)).toString('utf8');
}

/**
 * Whether a reported call or message quotes what only this canary's recipients could know: the
 * fake baby's name or its birth date (2025-12-03, 2025/12/03, 12月3日). A ward alone is not
 * specific, and a bare call proves nothing: unpublished numbers get unsolicited calls every few days.
 */
export function quotesCanary(quote: string, row: Readonly<Record<string, FieldValue>>): boolean {
  const q = quote.normalize('NFC').replace(/\s+/g, '');
  const name = typeof row.babyName === 'string' ? row.babyName : undefined;
  if (name && q.includes(name)) return true;
  const birth = typeof row.birthTime === 'string' ? /^(\d{4})-(\d{2})-(\d{2})/.exec(row.birthTime) : null;
  if (birth) {
    const [, y, m, d] = birth;
    const forms = [`${y}-${m}-${d}`, `${y}/${m}/${d}`, `${y}年${Number(m)}月${Number(d)}日`, `${Number(m)}月${Number(d)}日`, `${y}${m}${d}`];
    if (forms.some((f) => q.includes(f))) return true;
  }
  return false;
}
