/**
 * Oversight: the guard's alerts and their resolution, aggregate statistics rounded and with small
 * cells suppressed, and the Cedar policy (service/oversight.ts, service/stats.ts).
 */
import type { FastifyPluginCallback } from 'fastify';
import { router, type AreaOptions } from '../route.ts';
import * as S from '../schemas.ts';
import * as X from '../staff-schemas.ts';

export const oversightRoutes: FastifyPluginCallback<AreaOptions> = (app, { services }, done) => {
  const route = router(app, services);
  const { oversight } = services;

  route({
    method: 'GET',
    url: '/alerts',
    tag: 'oversight',
    summary: 'Guard alerts, newest first (data-protection officer, auditor)',
    query: S.AlertsQuery,
    handler: async ({ query, ctx }) => ({ alerts: await oversight.alerts(ctx, query) }),
  });

  route({
    method: 'GET',
    url: '/alerts/{id}',
    tag: 'oversight',
    summary: "An alert with its principal and that principal's recent activity (data-protection officer, auditor)",
    description:
      'Who (name, roles, organisation, blocked now) and what they did lately: distinct records disclosed in clear ' +
      'per hour (24 h) and per day (28 days), the last disclosures (channel, purpose, size), other alerts by rule. ' +
      'Counts and times only, no record named.',
    response: { 200: X.AlertContext },
    handler: async ({ params, ctx }) => oversight.alert(ctx, params.id!),
  });

  route({
    method: 'POST',
    url: '/alerts/{id}/keep-blocked',
    tag: 'oversight',
    summary: 'Review an alert and keep its block, with a reason from a list (data-protection officer); a ledger entry',
    description:
      'The alert leaves the open queue (`resolution: kept_blocked`); the principal stays blocked until a ' +
      '`POST /v1/alerts/{id}/resolve` lifts it. Never an alert about oneself (`403`, rule `ownAlert`).',
    body: X.KeepBlockedBody,
    response: { 200: X.KeptBlocked },
    handler: async ({ params, body, ctx }) => oversight.keepBlocked(ctx, params.id!, body.reason),
  });

  route({
    method: 'POST',
    url: '/alerts/{id}/resolve',
    tag: 'oversight',
    summary: 'Resolve an alert; a block it caused is lifted (data-protection officer)',
    response: { 200: S.ResolvedAlert },
    handler: async ({ params, ctx }) => {
      await oversight.resolveAlert(ctx, params.id!);
      return { id: params.id, resolved: true };
    },
  });

  route({
    method: 'GET',
    url: '/stats',
    tag: 'oversight',
    summary: 'Aggregate counts by hospital, birthYear, birthMonth, babySex or district; rounded, small cells withheld',
    description:
      "Counts are randomly rounded to a multiple of `roundingBase` (5) by a key of the cell's records, so the " +
      'same records always give the same answer; a cell is shown only when its rounded count proves `minCell` ' +
      '(10) records, never one cell alone is withheld, and the total is the sum of the rounded cells.',
    query: S.StatsQuery,
    response: { 200: S.StatsResult },
    handler: async ({ query, ctx }) => services.stats.count(ctx, query.groupBy, query.recordType),
  });

  route({
    method: 'GET',
    url: '/policies/current',
    tag: 'oversight',
    summary: 'The current policy, Cedar text (data-protection officer)',
    response: { 200: X.PolicyCurrent },
    handler: async ({ ctx }) => oversight.getPolicy(ctx),
  });

  route({
    method: 'PUT',
    url: '/policies/current',
    tag: 'oversight',
    summary: 'Replace the policy: { text, expectedVersion? } or text/plain (data-protection officer); a ledger entry',
    body: X.PolicyPut,
    prepare: (raw) => (typeof raw === 'string' ? { text: raw } : raw),
    handler: async ({ body, ctx }) => oversight.setPolicy(ctx, body.text, body.expectedVersion),
  });

  route({
    method: 'POST',
    url: '/policies/validate',
    tag: 'oversight',
    summary: 'Check a Cedar text without adopting it: ok, or the errors at line and column (data-protection officer)',
    body: X.PolicyTextBody,
    response: { 200: X.PolicyCheck },
    handler: async ({ body, ctx }) => oversight.validatePolicy(ctx, body.text),
  });

  route({
    method: 'POST',
    url: '/policies/preview',
    tag: 'oversight',
    summary:
      'What a principal would see (clear, masked, hidden) and may do for a purpose, under a proposed text and ' +
      'the current one (data-protection officer)',
    description:
      'Nothing is adopted. With `recordId`, the standing (same organisation, care, district, consent) is the ' +
      "principal's own for that record, and the preview is a ledger entry (`policy.preview`); without, " +
      '`recordType` and `standing` say what to assume. A text that does not parse → `400 ERR_POLICY_INVALID` ' +
      '(see /v1/policies/validate); an unknown principal or record → `404`. Field names and verdicts only.',
    body: X.PolicyPreviewBody,
    response: { 200: X.PolicyPreview },
    handler: async ({ body, ctx }) => oversight.previewPolicy(ctx, body),
  });
  done();
};
