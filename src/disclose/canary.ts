/**
 * Canaries in export files: synthetic families grown by the synthetic-city generator from a recipe
 * (CanaryRecipe: born within two days of one row of the export, living where another row lives,
 * in its hospital and ward), minted for exactly one disclosure and grown again, older, into the
 * same recipient's later exports with the same filter. They are not records: they exist only in
 * the files they were minted for, so they never reach clinical screens, statistics, reminder lists
 * or counts. Resident id columns are left empty in canary rows (a fabricated id could be a real
 * person's).
 *
 * What is kept: a keyed reference to the canary's virtual key (fingerprint.ts) to find it in a
 * leak, and its row and recipe sealed (AES-256-GCM) under a key derived from the tenant's index
 * key, for investigators. How many: canaryPlan (2% of the rows by default, weighted by how many
 * other recipients hold them; at least one).
 */
import { hash } from 'node:crypto';
import { generateCity } from '../synth/city.ts';
import { snapshot } from '../synth/snapshot.ts';
import { aad } from '../crypto/aead.ts';
import type { CipherSuite } from '../crypto/cipher-suite.ts';
import type { MacHash } from '../crypto/hmac.ts';
import { newId } from '../crypto/ids.ts';
import { KINDS, type FieldValue, type Vaccination } from '../schema/field-kind.ts';
import { splitAddress } from '../schema/address.ts';
import { BIRTH, validateRecord, type RecordType } from '../schema/record-type.ts';
import type { Db } from '../store/db.ts';
import { virtualKey } from './fingerprint.ts';

export const DEFAULT_DENSITY = 0.02;
/**
 * The column a canary-aware export adds: "1" on canary rows, empty elsewhere, so that a recipient
 * who contacts families can skip them. Such an export's canaries can be stripped by its recipient;
 * its fingerprint marks and versions still name it. The approving officer sees the request.
 */
export const CANARY_FLAG_COLUMN = 'canary';
const AAD = aad('tracevault-canary', 'row', 1);

export interface CanaryKeys {
  /** HMAC key for references to virtual keys. */
  readonly refKey: (vkey: string) => Buffer;
  /** The key sealing canary rows, with the vault's cipher suite. */
  readonly sealKey: Buffer;
  readonly suite: CipherSuite;
}

/**
 * What a canary is grown from: the generator's seed, the window its birth falls in, and where it
 * lives — taken from the real row it joins (hospital, ward, home district), so that the pair
 * (hospital, district) and the clinics follow the recipient's data. Kept sealed with the row, so
 * the same canary can be grown again at a later snapshot for the same recipient.
 */
export interface CanaryRecipe {
  readonly seed: string;
  readonly birthsUntil: string;
  readonly hospital?: string;
  readonly ward?: string;
  /** Province, prefecture and district of the home address, as written in the row joined. */
  readonly place?: string;
  readonly district?: string;
}

export interface MintedCanary {
  readonly id: string;
  readonly row: Record<string, FieldValue>;
  readonly recipe: CanaryRecipe;
  /** The contact point whose phone the canary carries, if one was given. */
  contactId?: string;
}

export interface CanaryPlan {
  /** How many canaries. */
  readonly count: number;
  /**
   * Per row of the disclosure, how likely a canary is drawn like it (the overlap weights below); uniform when
   * absent.
   */
  readonly weights?: readonly number[];
}

/**
 * How many canaries a disclosure gets and where, after Papadimitriou & Garcia-Molina, IEEE TKDE
 * 23(1), 2011, §6: a row held by |V_t| recipients makes a leak of it point to each with weight
 * 1/|V_t| (their eq. 3), so a row only this recipient holds already names it, and a fake — held by
 * one recipient alone — adds most where the recipient's rows are shared with others. `others[t]`
 * is how many other principals received row t in clear; a row's weight is 1 − 1/|V_t|. The count is
 * `density` × rows × (½ + mean weight): half the density for data no one else holds, the density
 * itself when each row has one other holder, up to 1.5× for widely shared data; at least one.
 * The rows canaries are drawn like are chosen in proportion to their weight (plus a floor).
 */
export function canaryPlan(density: number, others: readonly number[]): CanaryPlan {
  if (others.length === 0 || density <= 0) return { count: 0 };
  const weights = others.map((o) => 1 - 1 / (1 + Math.max(0, o)));
  const mean = weights.reduce((a, b) => a + b, 0) / weights.length;
  return {
    count: Math.max(1, Math.round(others.length * density * (0.5 + mean))),
    weights: weights.map((w) => w + 0.05),
  };
}

/**
 * The canary's row at `now`: grown by the generator from its recipe, placed like the row it joined, validated;
 * undefined when it does not validate.
 */
export function growCanary(
  recipe: CanaryRecipe,
  fields: readonly string[],
  now: Date,
): Record<string, FieldValue> | undefined {
  const city = generateCity({
    seed: recipe.seed,
    families: 1,
    until: now.toISOString(),
    birthsUntil: recipe.birthsUntil,
    days: 4,
  });
  const first = city.families().next();
  if (first.done) return undefined;
  const f = first.value;
  const snap = { ...snapshot(f, now.getTime()) };
  const own = splitAddress(typeof snap.address === 'string' ? snap.address : '');
  const ownHospital = snap.hospital;
  if (recipe.hospital) snap.hospital = recipe.hospital;
  if (recipe.ward) snap.ward = recipe.ward;
  if (recipe.ward && typeof snap.bed === 'string')
    snap.bed = `${recipe.ward}-${/(\d+)床$/.exec(snap.bed)?.[1] ?? '1'}床`;
  if (recipe.place && own.district) snap.address = recipe.place + own.detail;
  if (Array.isArray(snap.vaccinations)) {
    // Birth doses are given where the baby was born; later ones at the home district's clinic.
    snap.vaccinations = (snap.vaccinations as readonly Vaccination[]).map((v) => ({
      ...v,
      clinic:
        v.clinic === ownHospital && recipe.hospital
          ? recipe.hospital
          : recipe.district && own.district && v.clinic.startsWith(own.district)
            ? recipe.district + v.clinic.slice(own.district.length)
            : v.clinic,
    }));
  }
  const v = validateRecord(BIRTH, snap, { now });
  if (!v.ok) return undefined;
  const row: Record<string, FieldValue> = {};
  for (const field of fields) {
    const value = v.record.values.get(field);
    // Resident ids are never fabricated: a made-up id could be a real person's.
    if (value !== undefined && KINDS[BIRTH.fields.find((d) => d.name === field)!.kind].index !== 'residentId')
      row[field] = value;
  }
  return row;
}

const DAY = 86_400_000;

/**
 * Mints canary rows for one disclosure of `rows` (birth records only). `secret` seeds the generator
 * (derive it from the disclosure's key: the same disclosure always gets the same canaries). Each
 * canary is placed like one row of the disclosure (drawn by the plan's weights: its hospital, ward
 * and home district) and born within two days of another such row.
 */
export function mintCanaries(
  type: RecordType,
  rows: readonly Readonly<Record<string, FieldValue>>[],
  fields: readonly string[],
  secret: Uint8Array,
  plan: CanaryPlan,
  now = new Date(),
  /** The vault suite's hash (SHA-256, or SM3 in a `gm` vault): the draws are keyed by `secret`. */
  hashName: MacHash = 'sha256',
): MintedCanary[] {
  if (type.name !== BIRTH.name || rows.length === 0 || plan.count <= 0) return [];
  const seed = hash(hashName, secret, 'hex');
  const cumulative: number[] = [];
  let total = 0;
  for (let i = 0; i < rows.length; i++) cumulative.push((total += plan.weights?.[i] ?? 1));
  const out: MintedCanary[] = [];
  const draw = (what: string) => {
    const x = (hash(hashName, `${seed}${what}`, 'buffer').readUInt32BE(0) / 2 ** 32) * total;
    return rows[
      Math.min(
        rows.length - 1,
        cumulative.findIndex((c) => c > x),
      )
    ]!;
  };
  for (let k = 0; out.length < plan.count && k < plan.count * 4; k++) {
    // Where it lives from one row, when it was born from another: tied to a single row, a canary
    // would always have a real neighbour born the same days in the same place (a classifier sees that).
    const like = draw(`like:${k}`);
    const when = draw(`when:${k}`);
    const likeBirth = typeof when.birthTime === 'string' ? Date.parse(when.birthTime) : NaN;
    const anchor = Number.isNaN(likeBirth) ? now.getTime() - 30 * DAY : likeBirth + 2 * DAY;
    const place = typeof like.address === 'string' ? splitAddress(like.address) : undefined;
    const recipe: CanaryRecipe = {
      seed: `${seed}:${k}`,
      birthsUntil: new Date(Math.min(anchor, now.getTime())).toISOString(),
      ...(typeof like.hospital === 'string' ? { hospital: like.hospital } : {}),
      ...(typeof like.ward === 'string' ? { ward: like.ward } : {}),
      ...(place?.district
        ? { place: `${place.province ?? ''}${place.prefecture ?? ''}${place.district}`, district: place.district }
        : {}),
    };
    const row = growCanary(recipe, fields, now);
    if (row) out.push({ id: newId('c'), row, recipe });
  }
  return out;
}

/** Inserts canary rows among the real ones at places drawn from `secret`. */
export function interleave<T>(
  rows: readonly T[],
  canaries: readonly T[],
  secret: Uint8Array,
  hashName: MacHash = 'sha256',
): T[] {
  const out = [...rows];
  canaries.forEach((c, k) => {
    const h = hash(hashName, Buffer.concat([secret, Buffer.from(String(k), 'utf8')]), 'buffer');
    out.splice(h.readUInt32BE(0) % (out.length + 1), 0, c);
  });
  return out;
}

export async function storeCanaries(
  tx: Db,
  tenantId: string,
  disclosureId: string,
  canaries: readonly MintedCanary[],
  keys: CanaryKeys,
  at: string,
): Promise<void> {
  for (const c of canaries) {
    const vkey = virtualKey(c.row);
    await tx.run(
      'INSERT INTO canaries (id, tenant_id, disclosure_id, vkey_ref, sealed, created_at, contact_id) ' +
        'VALUES (?, ?, ?, ?, ?, ?, ?)',
      [
        c.id,
        tenantId,
        disclosureId,
        vkey === undefined ? null : keys.refKey(vkey),
        keys.suite.seal(keys.sealKey, Buffer.from(JSON.stringify({ row: c.row, recipe: c.recipe }), 'utf8'), AAD),
        at,
        c.contactId ?? null,
      ],
    );
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
export async function findCanaries(
  db: Db,
  tenantId: string,
  rows: readonly Readonly<Record<string, unknown>>[],
  keys: CanaryKeys,
): Promise<CanaryHit[]> {
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
      'SELECT id, disclosure_id, sealed, vkey_ref FROM canaries ' +
        `WHERE tenant_id = ? AND vkey_ref IN (${page.map(() => '?').join(',')})`,
      [tenantId, ...page.map((e) => e.ref)],
    );
    for (const c of found) {
      // Canaries given the same contact phone share a virtual key: the names tell them apart.
      const minted = openCanaryRow(keys, c.sealed);
      for (const i of rowsOf.get(Buffer.from(c.vkey_ref).toString('hex'))?.rows ?? []) {
        const row = rows[i]!;
        if (
          ['babyName', 'motherName'].some(
            (f) => typeof row[f] === 'string' && typeof minted[f] === 'string' && row[f].trim() !== minted[f],
          )
        )
          continue;
        const hit = hits.get(c.id) ?? { canaryId: c.id, disclosureId: c.disclosure_id, rows: [] };
        hit.rows.push(i);
        hits.set(c.id, hit);
      }
    }
  }
  for (const h of hits.values()) h.rows.sort((a, b) => a - b);
  return [...hits.values()];
}

/** A canary as it was minted: its row and its recipe (investigators only: the caller checks the role). */
export function openCanary(
  keys: CanaryKeys,
  sealed: Buffer,
): { row: Record<string, FieldValue>; recipe?: CanaryRecipe } {
  const v = JSON.parse(keys.suite.open(keys.sealKey, sealed, AAD).toString('utf8')) as {
    row?: Record<string, FieldValue>;
    recipe?: CanaryRecipe;
  } & Record<string, FieldValue>;
  // Canaries sealed before recipes were kept hold the row alone.
  return v.row && v.recipe ? { row: v.row, recipe: v.recipe } : { row: v };
}

export function openCanaryRow(keys: CanaryKeys, sealed: Buffer): Record<string, FieldValue> {
  return openCanary(keys, sealed).row;
}

// --- Contact points --------------------------------------------------------------------------------

/** Seals a contact point's value or a reported quote (same key as canary rows, its own label). */
export function sealText(keys: CanaryKeys, text: string, label: string): Buffer {
  return keys.suite.seal(keys.sealKey, Buffer.from(text, 'utf8'), aad('tracevault-canary', label, 1));
}

export function openText(keys: CanaryKeys, sealed: Buffer, label: string): string {
  return keys.suite.open(keys.sealKey, sealed, aad('tracevault-canary', label, 1)).toString('utf8');
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
    const forms = [
      `${y}-${m}-${d}`,
      `${y}/${m}/${d}`,
      `${y}年${Number(m)}月${Number(d)}日`,
      `${Number(m)}月${Number(d)}日`,
      `${y}${m}${d}`,
    ];
    if (forms.some((f) => q.includes(f))) return true;
  }
  return false;
}
