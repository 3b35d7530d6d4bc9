/**
 * The shapes (zod) of the guard's settings (service/guard-settings.ts), for validation and the
 * OpenAPI document. Types and names are checked here (ERR_BAD_REQUEST, ERR_UNKNOWN_FIELD naming
 * the property); ranges and consistency by access/guard-settings.ts (ERR_INVALID_FIELD naming it).
 */
import { z } from 'zod';

const count = z.number().int();
const action = z.enum(['alert', 'justify', 'block']);

export const GuardLimits = z
  .object({
    headroom: count.optional(),
    justifyAfter: count.optional(),
    velocityPerMinute: count.optional(),
    offHoursPerHour: count.optional(),
    normalCap: count.optional(),
  })
  .strict()
  .describe('Lower limits (never higher than the base) for the principals of a role or an organisation');

export const GuardConfig = z
  .object({
    headroom: count.describe('Beyond normal + headroom distinct clear records in a day: block'),
    justifyAfter: count.describe('Beyond normal + justifyAfter: a justification for each further record'),
    velocityPerMinute: count.describe('More clear records in one minute: block (or `actions.velocity`)'),
    offHoursPerHour: count.describe('At night, more clear records in an hour: justify (or `actions.offHours`)'),
    normalCap: count
      .nullable()
      .optional()
      .describe('The most that counts as a normal day (absent or null: no ceiling)'),
    scanWindow: count.describe('Reads in record or name order in a row that make a scan'),
    peerFactor: z.number().describe('A day this many times the median of same-role peers: alert'),
    peerMinimum: count.describe('…once the day has at least this many clear records'),
    night: z.tuple([count, count]).describe('Local hours [start, end) that count as night, Asia/Shanghai'),
    actions: z
      .record(z.string().max(40), action)
      .optional()
      .describe('What a rule does when it fires (velocity, scan, outsideCare, peerOutlier, offHours, poison)'),
    roles: z.record(z.string().max(40), GuardLimits).optional().describe('Lower limits by role'),
    organisations: z.record(z.string().max(64), GuardLimits).optional().describe('Lower limits by organisation id'),
  })
  .strict();

export const GuardSettingsPut = z
  .object({
    expectedVersion: count.min(0).describe('The version read (GET): refused with ERR_CONFLICT if no longer the newest'),
    settings: GuardConfig,
  })
  .strict();

export const GuardSettingsView = z.object({
  version: count.describe('0 until a data-protection officer first changes them (the built-in defaults)'),
  settings: GuardConfig,
  changedAt: z.string().nullable(),
  changedBy: z.string().nullable().describe('The principal id of the DPO who stored this version'),
  ruleDefaults: z.record(z.string(), action).describe('What each rule does unless `actions` says otherwise'),
});

export const GuardSettingsVersions = z.object({
  versions: z.array(
    z.object({
      version: count,
      changedAt: z.string(),
      changedBy: z.string().describe('The principal id of the DPO who stored it'),
      changed: z.array(z.string()).describe('The properties it changed from the version before'),
    }),
  ),
});
