/**
 * The guard's settings as a data-protection officer writes them (PUT /v1/guard/settings): checked
 * here before they are stored, so that a stored version is always one the guard can run. Pure.
 *
 * What is refused, each as ERR_INVALID_FIELD naming the property (`roles.dpo.headroom`) and a rule:
 *   - limits that are not whole numbers in their range (`range`): a velocity of 0 would block every
 *     read, a scan window under 5 would call any five reads in a row a scan;
 *   - a justification asked after the block (`justifyAfterHeadroom`): justifyAfter ≤ headroom;
 *   - a night of no hours or of every hour (`night`);
 *   - an action for an unknown rule, or for the quota, whose two levels are fixed (`unknownRule`);
 *   - an override of a role that does not exist (`unknownRole`) or of an organisation that does not
 *     (`unknownOrganisation`);
 *   - an override that raises a limit above the base (`aboveBase`). An override can only lower: the
 *     guard takes the lowest of the base and of every override that applies (access/guard.ts
 *     `limitsFor`), so a higher value would be silently ignored — it is refused instead, so that what
 *     the DPO reads is what the guard does (docs/adr/0023-guard-settings-as-data.md).
 */
import { TracevaultError } from '../errors.ts';
import type { GuardAction, GuardConfig, GuardLimits, GuardRule } from './guard.ts';
import { ROLES } from './roles.ts';

/** The rules whose action a DPO may change, with what each does by default. */
export const RULE_DEFAULTS: Readonly<Record<Exclude<GuardRule, 'quota'>, GuardAction>> = Object.freeze({
  velocity: 'block',
  scan: 'block',
  outsideCare: 'alert',
  peerOutlier: 'alert',
  offHours: 'justify',
  poison: 'block',
});

const ACTIONS: readonly GuardAction[] = ['alert', 'justify', 'block'];
const LIMITS = ['headroom', 'justifyAfter', 'velocityPerMinute', 'offHoursPerHour', 'normalCap'] as const;

/** [min, max] of each limit (whole numbers). */
const RANGES: Readonly<Record<(typeof LIMITS)[number] | 'scanWindow' | 'peerMinimum', readonly [number, number]>> = {
  headroom: [1, 1_000_000],
  justifyAfter: [0, 1_000_000],
  velocityPerMinute: [1, 100_000],
  offHoursPerHour: [1, 1_000_000],
  normalCap: [0, 1_000_000],
  scanWindow: [5, 100_000],
  peerMinimum: [1, 1_000_000],
};

const invalid = (field: string, rule: string) => new TracevaultError('ERR_INVALID_FIELD', { field, rule });

function whole(field: string, v: unknown, [min, max]: readonly [number, number]): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw invalid(field, 'range');
  return v;
}

function overrides(
  field: 'roles' | 'organisations',
  given: GuardConfig['roles'],
  base: Required<GuardLimits>,
  known: (key: string) => boolean,
): Record<string, Partial<GuardLimits>> {
  const out: Record<string, Partial<GuardLimits>> = {};
  for (const [key, o] of Object.entries(given ?? {})) {
    const at = `${field}.${key.slice(0, 40)}`;
    if (!known(key)) throw invalid(at, field === 'roles' ? 'unknownRole' : 'unknownOrganisation');
    if (typeof o !== 'object' || o === null) throw invalid(at, 'type');
    const limits: Partial<Record<keyof GuardLimits, number>> = {};
    for (const [k, v] of Object.entries(o)) {
      if (!(LIMITS as readonly string[]).includes(k)) throw invalid(`${at}.${k.slice(0, 24)}`, 'unknownLimit');
      const name = k as keyof GuardLimits;
      if (v === undefined) continue;
      const n = whole(`${at}.${name}`, v, RANGES[name]);
      if (n > base[name]) throw invalid(`${at}.${name}`, 'aboveBase');
      limits[name] = n;
    }
    out[key] = limits;
  }
  return out;
}

/**
 * The settings checked and normalised (a missing `normalCap` is no ceiling, missing overrides and
 * actions are none), or ERR_INVALID_FIELD. `organisationExists` says whether an organisation id is
 * one of the vault's.
 */
export function checkGuardSettings(given: GuardConfig, organisationExists: (id: string) => boolean): GuardConfig {
  const headroom = whole('headroom', given.headroom, RANGES.headroom);
  const justifyAfter = whole('justifyAfter', given.justifyAfter, RANGES.justifyAfter);
  if (justifyAfter > headroom) throw invalid('justifyAfter', 'justifyAfterHeadroom');
  const velocityPerMinute = whole('velocityPerMinute', given.velocityPerMinute, RANGES.velocityPerMinute);
  const offHoursPerHour = whole('offHoursPerHour', given.offHoursPerHour, RANGES.offHoursPerHour);
  const normalCap =
    given.normalCap === undefined || given.normalCap === null
      ? undefined
      : whole('normalCap', given.normalCap, RANGES.normalCap);
  const scanWindow = whole('scanWindow', given.scanWindow, RANGES.scanWindow);
  const peerMinimum = whole('peerMinimum', given.peerMinimum, RANGES.peerMinimum);
  const peerFactor = given.peerFactor;
  if (typeof peerFactor !== 'number' || !Number.isFinite(peerFactor) || peerFactor < 1 || peerFactor > 1000)
    throw invalid('peerFactor', 'range');
  if (!Array.isArray(given.night) || given.night.length !== 2) throw invalid('night', 'type');
  const night = [whole('night.0', given.night[0], [0, 23]), whole('night.1', given.night[1], [0, 23])] as const;
  if (night[0] === night[1]) throw invalid('night', 'night');
  const actions: Partial<Record<Exclude<GuardRule, 'quota'>, GuardAction>> = {};
  for (const [rule, action] of Object.entries(given.actions ?? {})) {
    if (!Object.hasOwn(RULE_DEFAULTS, rule)) throw invalid(`actions.${rule.slice(0, 24)}`, 'unknownRule');
    if (!ACTIONS.includes(action)) throw invalid(`actions.${rule}`, 'unknownAction');
    actions[rule as Exclude<GuardRule, 'quota'>] = action;
  }
  const base = { headroom, justifyAfter, velocityPerMinute, offHoursPerHour, normalCap: normalCap ?? Infinity };
  const roles = overrides('roles', given.roles, base, (r) => (ROLES as readonly string[]).includes(r));
  const organisations = overrides('organisations', given.organisations, base, organisationExists);
  return {
    headroom,
    justifyAfter,
    velocityPerMinute,
    offHoursPerHour,
    ...(normalCap !== undefined && { normalCap }),
    scanWindow,
    peerFactor,
    peerMinimum,
    night,
    actions,
    roles,
    organisations,
  };
}
