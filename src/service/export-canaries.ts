/**
 * An export file's canaries: the recipient's earlier ones for the same filter, grown to today (two
 * snapshots must not tell them apart), then new ones for this disclosure, as many and where the
 * overlap with other recipients asks (disclose/canary.ts canaryPlan), given the operator's phone
 * contact points when the file has a phone column.
 */
import type { FieldValue } from '../schema/field-kind.ts';
import type { RecordType } from '../schema/record-type.ts';
import { newId } from '../crypto/ids.ts';
import {
  canaryPlan,
  DEFAULT_DENSITY,
  growCanary,
  mintCanaries,
  openCanary,
  openText,
  type MintedCanary,
} from '../disclose/canary.ts';
import { CanaryRepo } from '../store/repos/canaries.ts';
import type { ExportRow } from '../store/repos/exports.ts';
import { RecordLists } from '../store/repos/record-lists.ts';
import type { Gate } from './gate.ts';
import type { ServiceKeys } from './keys.ts';

export class ExportCanaries {
  readonly #gate: Gate;
  readonly #keys: ServiceKeys;
  readonly #density: number;
  readonly #repo: CanaryRepo;
  readonly #records: RecordLists;

  constructor(gate: Gate, keys: ServiceKeys, density = DEFAULT_DENSITY) {
    this.#gate = gate;
    this.#keys = keys;
    this.#density = density;
    this.#repo = new CanaryRepo(gate.vault.db, gate.vault.tenantId);
    this.#records = new RecordLists(gate.vault.db, gate.vault.tenantId);
  }

  /** The canaries of a file of `rows` (records `seqs`) for `principalId`, minted under `markKey`. */
  async forFile(
    principalId: string,
    info: ExportRow,
    type: RecordType,
    rows: readonly Record<string, FieldValue>[],
    seqs: readonly number[],
    markKey: Uint8Array,
  ): Promise<MintedCanary[]> {
    const now = this.#gate.now();
    const earlier = await this.#earlier(principalId, info, now);
    const plan = canaryPlan(this.#density, await this.#records.otherHolders(principalId, seqs));
    const count = plan.count - earlier.length;
    const fresh = mintCanaries(type, rows, info.fields, markKey, { ...plan, count }, now, this.#keys.suite.macHash);
    if (info.fields.includes('motherPhone')) await this.#assignContacts(fresh);
    return [...earlier, ...fresh];
  }

  /**
   * The canaries this principal received in earlier exports with the same filter, each grown again
   * to `now` from its recipe (a temporary name becomes the registered one, vaccinations follow the
   * schedule), keeping the contact phone it was given.
   */
  async #earlier(principalId: string, info: ExportRow, now: Date): Promise<MintedCanary[]> {
    const out = new Map<string, MintedCanary>();
    for (const c of await this.#repo.earlier(principalId, JSON.stringify(info.filter))) {
      const { row: before, recipe } = openCanary(this.#keys.canary, c.sealed);
      if (!recipe) continue;
      const row = growCanary(recipe, info.fields, now);
      if (!row) continue;
      const keepsPhone = c.contactId && typeof before.motherPhone === 'string' && info.fields.includes('motherPhone');
      if (keepsPhone) row.motherPhone = before.motherPhone!;
      out.set(recipe.seed, { id: newId('c'), row, recipe, ...(c.contactId ? { contactId: c.contactId } : {}) });
    }
    return [...out.values()];
  }

  /**
   * Gives canaries the operator's phone contact points (the least used first), so that a call to a
   * canary reaches the operator, never a stranger who happens to hold a generated number.
   */
  async #assignContacts(canaries: MintedCanary[]): Promise<void> {
    const contacts = await this.#repo.phoneContacts();
    if (contacts.length === 0) return;
    canaries.forEach((c, i) => {
      const contact = contacts[i % contacts.length]!;
      c.row.motherPhone = openText(this.#keys.canary, contact.sealed, 'contact');
      c.contactId = contact.id;
    });
  }
}
