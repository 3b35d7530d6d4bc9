/**
 * Canaries after they left: the operator's contact points given to them, the intake of calls and
 * messages to those points, and the canaries found in a leaked table (disclose/canary.ts).
 */
import { TracevaultError } from '../errors.ts';
import { KINDS } from '../schema/field-kind.ts';
import { newId } from '../crypto/ids.ts';
import { findCanaries, openCanaryRow, quotesCanary, sealText, type CanaryHit } from '../disclose/canary.ts';
import { CanaryRepo, type HitRow } from '../store/repos/canaries.ts';
import { beijing, whoIsWho, type ReportDisclosure, type ReportPerson } from '../trace/people.ts';
import { entryOf, type RequestContext } from './context.ts';
import type { Gate } from './gate.ts';
import type { ServiceKeys } from './keys.ts';

export interface ContactReport {
  readonly contact: string;
  readonly at: string;
  readonly quote: string;
}

const MAX_QUOTE = 4000;

export class Canaries {
  readonly #gate: Gate;
  readonly #keys: ServiceKeys;
  readonly #repo: CanaryRepo;

  constructor(gate: Gate, keys: ServiceKeys) {
    this.#gate = gate;
    this.#keys = keys;
    this.#repo = new CanaryRepo(gate.vault.db, gate.vault.tenantId);
  }

  /** The canaries found in a leaked table (rows as field → cell) and the disclosures they were minted for. */
  async find(ctx: RequestContext, rows: readonly Readonly<Record<string, unknown>>[]): Promise<CanaryHit[]> {
    const gate = this.#gate;
    // Which disclosure a canary was minted for is readable with the investigator's action alone.
    await gate.authorise(ctx, 'trace', { type: 'Api', area: 'canaries' });
    const hits = await findCanaries(gate.vault.db, gate.vault.tenantId, rows, this.#keys.canary);
    await gate.commit(async (_tx, events) => {
      events.push({
        ...entryOf(ctx),
        action: 'read',
        outcome: 'ok',
        detail: { canaryLookup: rows.length, hits: hits.length },
      });
    });
    return hits;
  }

  /** Registers a phone number or mailbox the operator controls, to be given to canaries (investigators, DPOs). */
  async addContactPoint(ctx: RequestContext, kind: 'phone' | 'mailbox', value: string): Promise<{ id: string }> {
    const gate = this.#gate;
    await gate.authorise(ctx, 'investigate', { type: 'Api', area: 'canaries' });
    const normalised = this.#contactValue(kind, value);
    const id = newId('k');
    const valueRef = this.#keys.canary.refKey(`contact:${normalised}`);
    await gate.commit(async (tx, events) => {
      if (await this.#repo.contactId(valueRef, tx)) throw new TracevaultError('ERR_CONFLICT', { field: 'value' });
      const sealed = sealText(this.#keys.canary, normalised, 'contact');
      await this.#repo.insertContact(tx, { id, kind, valueRef, sealed, at: gate.now().toISOString() });
      events.push({ ...entryOf(ctx), action: 'policy.change', outcome: 'ok', detail: { canaryContact: id, kind } });
    });
    return { id };
  }

  /**
   * Intake of "a call or message to contact point X at time T quoting Y". A hit counts only when
   * the quote holds content specific to a canary given that contact point; then it names the
   * canary's disclosure. Every report is kept (the quote sealed) and is a ledger entry.
   */
  async report(
    ctx: RequestContext,
    report: ContactReport,
  ): Promise<{ id: string; confirmed: boolean; disclosureIds: string[] }> {
    const gate = this.#gate;
    await gate.authorise(ctx, 'investigate', { type: 'Api', area: 'canaries' });
    if (Number.isNaN(Date.parse(report.at)))
      throw new TracevaultError('ERR_INVALID_FIELD', { field: 'at', rule: 'dateTime' });
    const value = this.#contactValue(/@/.test(report.contact) ? 'mailbox' : 'phone', report.contact);
    const contactId = await this.#repo.contactId(this.#keys.canary.refKey(`contact:${value}`));
    if (!contactId) throw new TracevaultError('ERR_NOT_FOUND', { field: 'contact' });
    const matches: { canaryId: string; disclosureId: string }[] = [];
    for (const c of await this.#repo.ofContact(contactId)) {
      if (quotesCanary(report.quote, openCanaryRow(this.#keys.canary, c.sealed))) {
        matches.push({ canaryId: c.id, disclosureId: c.disclosureId });
      }
    }
    const id = newId('h');
    const at = new Date(report.at).toISOString();
    const disclosures = [...new Set(matches.map((m) => m.disclosureId))];
    await gate.commit(async (tx, events) => {
      const quote = sealText(this.#keys.canary, report.quote.slice(0, MAX_QUOTE), 'quote');
      const recordedAt = gate.now().toISOString();
      for (const m of matches.length ? matches : [undefined]) {
        await this.#repo.insertHit(tx, {
          id: m ? `${id}.${m.canaryId}` : id,
          contactId,
          at,
          canaryId: m?.canaryId ?? null,
          disclosureId: m?.disclosureId ?? null,
          quote,
          recordedAt,
        });
      }
      events.push({
        ...entryOf(ctx),
        action: 'alert',
        outcome: 'ok',
        detail: { canaryHit: id, confirmed: matches.length > 0, disclosures: disclosures.join(',') },
      });
    });
    // The canary's disclosure is named to investigators only; a DPO records the call and sees whether it was confirmed.
    const mayTrace = await gate.allows(ctx, 'trace', { type: 'Api', area: 'canaries' });
    return { id, confirmed: matches.length > 0, disclosureIds: mayTrace ? disclosures : [] };
  }

  /**
   * The calls and messages reported to the contact points, newest first: when, whether confirmed,
   * and to an investigator the disclosure a confirmed one names, with its recipient by name. Quotes
   * (what the caller said) stay sealed.
   */
  async hits(
    ctx: RequestContext,
    limit: number,
  ): Promise<{
    hits: (HitRow & { atBeijing: string })[];
    disclosures: Record<string, ReportDisclosure>;
    people: Record<string, ReportPerson>;
  }> {
    const gate = this.#gate;
    await gate.authorise(ctx, 'investigate', { type: 'Api', area: 'canaries' });
    const mayTrace = await gate.allows(ctx, 'trace', { type: 'Api', area: 'canaries' });
    const rows = await this.#repo.hits(limit);
    const hits = rows.map((h) => ({ ...h, disclosureId: mayTrace ? h.disclosureId : null, atBeijing: beijing(h.at) }));
    const named = hits.flatMap((h) => (h.disclosureId ? [h.disclosureId] : []));
    const { people, disclosures } = named.length
      ? await whoIsWho(gate.vault.db, gate.vault.tenantId, [], named)
      : { people: {}, disclosures: {} };
    return { hits, disclosures, people };
  }

  #contactValue(kind: 'phone' | 'mailbox', value: string): string {
    if (kind === 'phone') {
      const m = KINDS.mobile.parse(value, { now: this.#gate.now() });
      if (!m.ok) throw new TracevaultError('ERR_INVALID_FIELD', { field: 'value', rule: m.rule });
      return m.value as string;
    }
    const v = value.trim().toLowerCase();
    if (!/^[^\s@]{1,64}@[^\s@]{1,255}$/.test(v))
      throw new TracevaultError('ERR_INVALID_FIELD', { field: 'value', rule: 'mailbox' });
    return v;
  }
}
