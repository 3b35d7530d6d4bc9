/**
 * The guard on each read (access/guard.ts decides; this module feeds it and acts on its verdict):
 * the principal's normal daily volume from its disclosures of the last 28 days, the read's facts
 * (its roles among them: they set its limits, and no role goes unguarded), then alerts written
 * with their ledger entries, and a block or a request for a justification refused as a ledger
 * entry too.
 */
import { TracevaultError } from '../errors.ts';
import type { GuardAlert } from '../access/guard.ts';
import { clearHistory } from '../disclose/disclosure.ts';
import { localDate } from '../schema/local-date.ts';
import { newId } from '../crypto/ids.ts';
import type { AuditEvent } from '../store/audit.ts';
import type { Db } from '../store/db.ts';
import type { StoredRecord } from '../store/registry.ts';
import { entryOf, type RequestContext } from './context.ts';
import type { Gate, Standing } from './gate.ts';

const HISTORY_DAYS = 28;

export interface GuardedRead {
  readonly base: AuditEvent;
  readonly purpose: string | undefined;
  readonly rec: StoredRecord;
  readonly standing: Standing;
  /** Whether clear values would leave. */
  readonly clear: boolean;
  readonly justified: boolean;
}

/** Passes the read through the guard: returns if allowed, else writes its alerts and refuses. */
export async function guardRead(gate: Gate, ctx: RequestContext, r: GuardedRead): Promise<void> {
  const p = ctx.principal;
  const at = gate.now();
  await gate.guardState.current();
  const today = localDate(at);
  const peerGroup = `${p.orgId}|${[...p.roles].sort().join(',')}`;
  const cur = r.rec.current;
  const name = cur.get('motherName')?.value ?? cur.get('ownerName')?.value ?? cur.get('babyName')?.value;
  // On PostgreSQL the counters are the servers' shared ones, locked while this read is checked.
  const verdict = await gate.sharedGuard.around(p.id, peerGroup, today, async (db) => {
    if (gate.guard.needsHistory(p.id, at)) {
      const since = new Date(at.getTime() - HISTORY_DAYS * 86_400_000).toISOString();
      const history = await clearHistory(db, p.id, since, today);
      const normal = Math.max(0, ...[...history.days].filter(([d]) => d !== today).map(([, n]) => n));
      gate.guard.start(p.id, at, { normal, today: history.today });
    }
    return gate.guard.check({
      principalId: p.id,
      roles: p.roles,
      orgId: p.orgId,
      peerGroup,
      at,
      recordSeq: r.rec.seq,
      nameKey: typeof name === 'string' ? name : undefined,
      clear: r.clear,
      justified: r.justified,
      poison: gate.isPoison(r.rec.id),
      outsideCare: r.standing.outsideCare,
    });
  });
  if (verdict.alerts.length === 0 && verdict.action === 'allow') return;
  const block = verdict.action === 'block';
  const alertIds = await gate.commit((tx, events) => writeAlerts(gate, tx, events, ctx, verdict.alerts, block));
  const rules = verdict.alerts.map((a) => a.rule);
  if (block) {
    await gate.refuse(
      { ...r.base, purpose: r.purpose, outcome: 'blocked', detail: { alerts: alertIds.join(',') } },
      new TracevaultError('ERR_GUARD_BLOCKED', { rules }),
    );
  }
  if (verdict.action === 'justify') {
    await gate.refuse(
      { ...r.base, purpose: r.purpose, outcome: 'denied' },
      new TracevaultError('ERR_JUSTIFICATION_REQUIRED', { rules }),
    );
  }
}

async function writeAlerts(
  gate: Gate,
  tx: Db,
  events: AuditEvent[],
  ctx: RequestContext,
  alerts: readonly GuardAlert[],
  block: boolean,
): Promise<string[]> {
  const at = gate.now().toISOString();
  const ids: string[] = [];
  for (const a of alerts) {
    const id = newId('a');
    ids.push(id);
    await gate.oversight.insertAlert(tx, {
      id,
      at,
      principalId: ctx.principal.id,
      rule: a.rule,
      action: a.action,
      detail: a.detail,
    });
    events.push({
      ...entryOf(ctx),
      action: 'alert',
      outcome: 'ok',
      detail: { alert: id, rule: a.rule, response: a.action },
    });
    if (block && a.action === 'block') {
      await gate.oversight.insertBlock(tx, { principalId: ctx.principal.id, since: at, rule: a.rule, alertId: id });
    }
  }
  return ids;
}
