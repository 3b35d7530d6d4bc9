/**
 * The guard watches reads as they happen, per principal, and answers allow, justify (ask for a
 * justification) or block, with the alerts it raised. Rules:
 *
 * Volumes count distinct records disclosed in clear: opening the same record again is not new volume.
 *
 *   quota        clear records per day beyond the principal's normal daily volume (the most it
 *                disclosed on one day in the last 28): a justification is asked beyond +50, and
 *                beyond +100 (the `headroom`) the principal is blocked. A principal with no
 *                history has a normal volume of 0.
 *   velocity     more clear records in one minute than anyone reads by hand: block
 *   scan         sequential (record order) or alphabetical (name order) runs: block
 *   outsideCare  a read in the principal's own hospital but outside its wards and patients: alert
 *   peerOutlier  a day's clear volume several times the median of same-role peers: alert
 *   offHours     bulk clear reads at night (Asia/Shanghai): justify
 *   poison       a record no legitimate workflow ever reads: block
 *
 * The volume limits (quota, velocity, off hours) depend on the principal's roles: whoever reads a
 * few records a day by hand (a data-protection officer answering data subjects, an investigator)
 * gets lower ones than a ward, and the lowest of its roles' limits when it holds several
 * (docs/adr/0008-guard-limits-by-role.md). No role is exempt. An organisation's override lowers them
 * the same way (docs/adr/0023-guard-settings-as-data.md).
 *
 * The settings are data: a data-protection officer reads and replaces them (service/guard-settings.ts);
 * `configure` adopts a new version at once, keeping the counters of the day.
 *
 * A block stays until a data-protection officer resolves its alert. The guard's counters live in
 * this process; several servers on one PostgreSQL share them through `exportCounters` and
 * `importCounters` (service/shared-guard.ts, ADR 0027): every counter but the names an
 * alphabetical scan compares, which stay in the process (a value never leaves it). Pure: the
 * caller persists alerts, blocks and counters.
 */
import { localDate, localHour } from '../schema/local-date.ts';

export type GuardRule = 'quota' | 'velocity' | 'scan' | 'outsideCare' | 'peerOutlier' | 'offHours' | 'poison';
export type GuardAction = 'alert' | 'justify' | 'block';

/** The volume limits, which depend on the principal's roles. */
export interface GuardLimits {
  /** Beyond normal + headroom clear records in a day: block. */
  readonly headroom: number;
  /** Beyond normal + justifyAfter: a justification for each further record. */
  readonly justifyAfter: number;
  readonly velocityPerMinute: number;
  /** At night, more clear records than this in an hour ask for a justification. */
  readonly offHoursPerHour: number;
  /** The most that counts as a normal day, however busy the last 28 were (default: no ceiling). */
  readonly normalCap?: number;
}

export interface GuardConfig extends GuardLimits {
  readonly scanWindow: number;
  readonly peerFactor: number;
  readonly peerMinimum: number;
  /**
   * Lower limits for roles that read few records by hand. Each limit of a principal is the lowest
   * of the base and of those its roles set: a role can only lower a limit, never raise it.
   */
  readonly roles?: Readonly<Partial<Record<string, Partial<GuardLimits>>>>;
  /** Lower limits for the principals of an organisation (by its id), as for roles: only lower. */
  readonly organisations?: Readonly<Partial<Record<string, Partial<GuardLimits>>>>;
  /** Local hours [start, end) that count as night, UTC+8. */
  readonly night: readonly [number, number];
  /** What a rule does when it fires, instead of its default (the quota's two levels are fixed). */
  readonly actions?: Readonly<Partial<Record<Exclude<GuardRule, 'quota'>, GuardAction>>>;
}

export const DEFAULT_GUARD: GuardConfig = Object.freeze({
  headroom: 100,
  justifyAfter: 50,
  velocityPerMinute: 30,
  scanWindow: 20,
  peerFactor: 4,
  peerMinimum: 40,
  offHoursPerHour: 20,
  night: [22, 6] as const,
  // ADR 0008: a DPO answers data subjects' requests (one family each, a handful a day); an
  // investigator reads the records a trace or a complaint names (tens, not hundreds).
  roles: Object.freeze({
    dpo: Object.freeze({ justifyAfter: 5, headroom: 20, velocityPerMinute: 10, offHoursPerHour: 5, normalCap: 20 }),
    investigator: Object.freeze({
      justifyAfter: 10,
      headroom: 40,
      velocityPerMinute: 10,
      offHoursPerHour: 10,
      normalCap: 50,
    }),
  }),
});

/** A principal's limits: for each, the lowest of the base and of what its roles and organisation set. */
export function limitsFor(config: GuardConfig, roles: readonly string[], orgId?: string | null): Required<GuardLimits> {
  const out = {
    headroom: config.headroom,
    justifyAfter: config.justifyAfter,
    velocityPerMinute: config.velocityPerMinute,
    offHoursPerHour: config.offHoursPerHour,
    normalCap: config.normalCap ?? Infinity,
  };
  const overrides = roles.map((role) => (Object.hasOwn(config.roles ?? {}, role) ? config.roles![role] : undefined));
  if (orgId && Object.hasOwn(config.organisations ?? {}, orgId)) overrides.push(config.organisations![orgId]);
  for (const own of overrides) {
    if (!own) continue;
    for (const k of Object.keys(out) as (keyof typeof out)[]) {
      const v = own[k];
      if (typeof v === 'number' && v < out[k]) out[k] = v;
    }
  }
  return out;
}

export interface GuardAlert {
  readonly rule: GuardRule;
  readonly action: GuardAction;
  /** Counts and thresholds only. */
  readonly detail: Readonly<Record<string, number | string>>;
}

export interface GuardVerdict {
  readonly action: 'allow' | GuardAction;
  readonly alerts: readonly GuardAlert[];
}

export interface ReadFacts {
  readonly principalId: string;
  /** The principal's roles: they set its volume limits (`limitsFor`). */
  readonly roles: readonly string[];
  /** The principal's organisation: it may lower them too. */
  readonly orgId?: string | null;
  /** Peer group: role and organisation. */
  readonly peerGroup: string;
  readonly at: Date;
  readonly recordSeq: number;
  /** A sort key for alphabetical scans (a name), when known. */
  readonly nameKey?: string;
  /** Whether this read discloses values of the record in clear. */
  readonly clear: boolean;
  readonly justified: boolean;
  readonly poison: boolean;
  readonly outsideCare: boolean;
}

interface State {
  day: string;
  /** Normal daily clear volume (from history). */
  normal: number;
  clearToday: number;
  /** Records already disclosed in clear today: reading one again is not new volume. */
  seen: Set<number>;
  clearMinute: number[];
  clearHour: number[];
  seqs: number[];
  names: string[];
  alerted: Set<string>;
}

/**
 * A principal's counters of the day, as several servers share them: counts, record sequence
 * numbers and times only (no name: alphabetical scans are watched per process).
 */
export interface GuardCounters {
  readonly day: string;
  readonly normal: number;
  readonly clearToday: number;
  readonly seen: readonly number[];
  readonly clearMinute: readonly number[];
  readonly clearHour: readonly number[];
  readonly seqs: readonly number[];
  readonly alerted: readonly string[];
  readonly blocked: boolean;
}

const collator = new Intl.Collator('zh-Hans-CN-u-co-pinyin');

export class Guard {
  #config: GuardConfig;
  readonly #state = new Map<string, State>();
  readonly #peers = new Map<string, Map<string, number>>();
  readonly #blocked = new Set<string>();

  constructor(config: GuardConfig = DEFAULT_GUARD) {
    this.#config = config;
  }

  get config(): GuardConfig {
    return this.#config;
  }

  /** Adopts new settings at once; the counters of the day are kept (a window shrinks at the next read). */
  configure(config: GuardConfig): void {
    this.#config = config;
  }

  /** Principals blocked (loaded from the database at start, added by verdicts). */
  block(principalId: string): void {
    this.#blocked.add(principalId);
  }

  unblock(principalId: string): void {
    this.#blocked.delete(principalId);
    this.#state.delete(principalId);
  }

  isBlocked(principalId: string): boolean {
    return this.#blocked.has(principalId);
  }

  /** True when the principal's counters for the day at `at` still need loading (see `start`). */
  needsHistory(principalId: string, at: Date): boolean {
    return this.#state.get(principalId)?.day !== localDate(at);
  }

  /** Starts a principal's day: its normal volume and what it already disclosed today. */
  start(principalId: string, at: Date, history: { normal: number; today: ReadonlySet<number> }): void {
    this.#state.set(principalId, {
      day: localDate(at),
      normal: history.normal,
      clearToday: history.today.size,
      seen: new Set(history.today),
      clearMinute: [],
      clearHour: [],
      seqs: [],
      names: [],
      alerted: new Set(),
    });
  }

  /** A principal's counters of the day, to share with other servers (undefined before its first read). */
  exportCounters(principalId: string): GuardCounters | undefined {
    const s = this.#state.get(principalId);
    if (!s) return undefined;
    return {
      day: s.day,
      normal: s.normal,
      clearToday: s.clearToday,
      seen: [...s.seen],
      clearMinute: s.clearMinute,
      clearHour: s.clearHour,
      seqs: s.seqs,
      alerted: [...s.alerted],
      blocked: this.#blocked.has(principalId),
    };
  }

  /**
   * Adopts a principal's counters as another server left them (undefined: none yet, so the day
   * starts from its history). The names of this process's alphabetical window are kept.
   */
  importCounters(principalId: string, c: GuardCounters | undefined): void {
    const names = this.#state.get(principalId)?.names ?? [];
    if (!c) {
      this.#state.delete(principalId);
      return;
    }
    if (c.blocked) this.#blocked.add(principalId);
    this.#state.set(principalId, {
      day: c.day,
      normal: c.normal,
      clearToday: c.clearToday,
      seen: new Set(c.seen),
      clearMinute: [...c.clearMinute],
      clearHour: [...c.clearHour],
      seqs: [...c.seqs],
      names,
      alerted: new Set(c.alerted),
    });
  }

  /** The day's clear volumes of a peer group as the servers share them (peerOutlier compares with them). */
  setPeers(group: string, day: string, counts: ReadonlyMap<string, number>): void {
    const m = this.#peerCounts(group, day);
    for (const [id, n] of counts) m.set(id, n);
  }

  /** Decides on one read (call `start` first when `needsHistory`). Counts it unless blocked. */
  check(f: ReadFacts): GuardVerdict {
    const c = this.config;
    const s = this.#state.get(f.principalId);
    if (!s) throw new Error('guard: start the principal first');
    if (this.#blocked.has(f.principalId)) return { action: 'block', alerts: [] };
    const l = limitsFor(c, f.roles, f.orgId);
    const normal = Math.min(s.normal, l.normalCap);
    const alerts: GuardAlert[] = [];
    let verdict = 'allow' as 'allow' | GuardAction;
    const rank = { allow: 0, alert: 0, justify: 1, block: 2 } as const;
    // Every rule that fires shapes the verdict; its alert is raised once a day (a block always).
    const raise = (rule: GuardRule, dflt: GuardAction, detail: Record<string, number | string>) => {
      let action = rule === 'quota' ? dflt : (c.actions?.[rule] ?? dflt);
      // A justification given with the read answers a rule that asks for one.
      if (action === 'justify' && f.justified && rule !== 'quota') action = 'alert';
      if (rank[action] > rank[verdict]) verdict = action;
      const key = `${rule}:${action}` as const;
      if (action !== 'block' && s.alerted.has(key)) return;
      s.alerted.add(key);
      alerts.push({ rule, action, detail });
    };
    const t = f.at.getTime();
    if (f.poison) raise('poison', 'block', {});

    s.seqs.push(f.recordSeq);
    if (f.nameKey !== undefined) s.names.push(f.nameKey);
    // splice, not shift: a smaller window adopted since the last read trims at once.
    if (s.seqs.length > c.scanWindow) s.seqs.splice(0, s.seqs.length - c.scanWindow);
    if (s.names.length > c.scanWindow) s.names.splice(0, s.names.length - c.scanWindow);
    if (isSequentialRun(s.seqs, c.scanWindow)) raise('scan', 'block', { pattern: 'sequential', window: c.scanWindow });
    else if (isAlphabeticalRun(s.names, c.scanWindow))
      raise('scan', 'block', { pattern: 'alphabetical', window: c.scanWindow });

    if (f.outsideCare) raise('outsideCare', 'alert', {});

    const fresh = f.clear && !s.seen.has(f.recordSeq);
    if (fresh) {
      const after = s.clearToday + 1;
      if (after > normal + l.headroom) raise('quota', 'block', { normal, today: after, limit: normal + l.headroom });
      else if (after > normal + l.justifyAfter && !f.justified)
        raise('quota', 'justify', { normal, today: after, limit: normal + l.justifyAfter });

      s.clearMinute = s.clearMinute.filter((x) => t - x < 60_000);
      if (s.clearMinute.length + 1 > l.velocityPerMinute)
        raise('velocity', 'block', { perMinute: s.clearMinute.length + 1, limit: l.velocityPerMinute });

      const hour = localHour(f.at);
      const [from, to] = c.night;
      s.clearHour = s.clearHour.filter((x) => t - x < 3_600_000);
      if ((hour >= from || hour < to) && s.clearHour.length + 1 > l.offHoursPerHour) {
        raise('offHours', 'justify', { perHour: s.clearHour.length + 1, limit: l.offHoursPerHour });
      }

      const peers = this.#peerCounts(f.peerGroup, s.day);
      const others = [...peers].filter(([id]) => id !== f.principalId).map(([, n]) => n);
      const med = median(others);
      if (others.length >= 2 && after >= c.peerMinimum && after > c.peerFactor * Math.max(med, 1)) {
        raise('peerOutlier', 'alert', { today: after, peerMedian: med, peers: others.length });
      }
    }
    const action = verdict === 'alert' ? 'allow' : verdict;
    if (action === 'block') this.#blocked.add(f.principalId);
    if (action === 'allow' && fresh) {
      s.clearToday++;
      s.seen.add(f.recordSeq);
      s.clearMinute.push(t);
      s.clearHour.push(t);
      this.#peerCounts(f.peerGroup, s.day).set(f.principalId, s.clearToday);
    }
    return { action, alerts };
  }

  #peerCounts(group: string, day: string): Map<string, number> {
    const key = `${day}|${group}`;
    let m = this.#peers.get(key);
    if (!m) {
      for (const k of this.#peers.keys()) if (!k.startsWith(day)) this.#peers.delete(k);
      this.#peers.set(key, (m = new Map<string, number>()));
    }
    return m;
  }
}

/** Almost every step of the window goes to the next few records in order. */
export function isSequentialRun(seqs: readonly number[], window: number): boolean {
  if (seqs.length < window) return false;
  let steps = 0;
  for (let i = 1; i < seqs.length; i++) {
    const d = seqs[i]! - seqs[i - 1]!;
    if (d >= 1 && d <= 3) steps++;
  }
  return steps >= seqs.length - 2;
}

/** Every step of the window goes forward in pinyin order over distinct names. */
export function isAlphabeticalRun(names: readonly string[], window: number): boolean {
  if (names.length < window || new Set(names).size < window - 1) return false;
  for (let i = 1; i < names.length; i++) if (collator.compare(names[i - 1]!, names[i]!) > 0) return false;
  return true;
}

function median(xs: readonly number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
