/**
 * Reported calls (service/portal/reports.ts): a guardian reports a suspicious call from the portal
 * (`POST /v1/portal/reports`, a portal token); investigators and DPOs see the reports of a period
 * clustered (`GET /v1/reports`). Tracing them as a complaint set is `POST /v1/traces {reports}`
 * (routes/traces.ts). The report's text and number travel in the body only, and are never logged.
 */
import type { FastifyPluginCallback } from 'fastify';
import { z } from 'zod';
import { REPORT_FIELDS } from '../../service/portal/reports-fields.ts';
import { router, type AreaOptions } from '../route.ts';

const NewReport = z
  .object({
    at: z.string().min(10).max(40).meta({ description: 'when the call came (ISO 8601; without an offset, +08:00)' }),
    callerNumber: z
      .string()
      .min(3)
      .max(32)
      .regex(/^[\d+\-\s().\uFF10-\uFF19]+$/)
      .optional()
      .meta({ description: 'the number shown, if any (sealed; never logged)' }),
    claimedToBe: z
      .string()
      .min(1)
      .max(200)
      .meta({ description: 'who the caller said they were, as the guardian writes it ("妇幼保健院摄影师")' }),
    knew: z
      .array(z.enum(REPORT_FIELDS))
      .max(REPORT_FIELDS.length)
      .meta({ description: "what the caller knew: the registry's field names (babyName, birthTime, hospital…)" }),
    quote: z.string().max(2000).optional().meta({ description: 'what the caller said, in a few words (sealed)' }),
    childId: z
      .string()
      .min(1)
      .max(64)
      .optional()
      .meta({ description: 'the child it is about; default every child the guardian enrolled for' }),
  })
  .strict();

const ReportId = z.object({ id: z.string().meta({ description: 'the report (rp_…)' }) });

const ReportsQuery = z
  .object({
    from: z.string().min(10).max(40).meta({ description: 'calls from this instant (ISO 8601)' }),
    to: z.string().min(10).max(40).meta({ description: 'to this one, excluded; at most 366 days later' }),
  })
  .strict();

const Cluster = z
  .object({
    id: z.string().meta({ description: 'the cluster: its first report id' }),
    reports: z.number().int(),
    families: z.number().int().meta({ description: 'children the reports are about' }),
    firstCallAt: z.string(),
    lastCallAt: z.string(),
    claimedToBe: z.array(z.string()).meta({ description: 'what the callers claimed to be, as written (distinct)' }),
    callers: z
      .array(z.object({ ref: z.string(), masked: z.string(), reports: z.number().int() }))
      .meta({ description: 'the calling numbers: a keyed reference and the number masked (138****5678)' }),
    knew: z
      .array(z.object({ field: z.string(), reports: z.number().int() }))
      .meta({ description: 'how many reports say the caller knew each field' }),
    reportIds: z.array(z.string()),
  })
  .meta({ description: 'reports that share a claim or a calling number (transitively)' });

const Clusters = z.object({
  from: z.string(),
  to: z.string(),
  reports: z.number().int(),
  clusters: z.array(Cluster),
});

export const portalReportRoutes: FastifyPluginCallback<AreaOptions> = (app, { services }, done) => {
  const route = router(app, services);
  const { reports } = services.portal;

  route({
    method: 'POST',
    url: '/portal/reports',
    auth: 'portal',
    tag: 'portal',
    summary: 'Report a suspicious call: when, the number, who they claimed to be, what they knew, what they said',
    description:
      'Stored (what was said and the number sealed), one ledger entry per child (`call.report`: field names only), ' +
      'and a complaint row for investigators’ traces. Another family’s `childId`: `404`. At most 10 reports a day ' +
      'per guardian and 30 an hour per address: `429 ERR_RATE_LIMITED`.',
    body: NewReport,
    response: { 201: ReportId },
    status: 201,
    handler: async ({ body, guardian, req }) => reports.submit(guardian!, req.ip, body),
  });

  route({
    method: 'GET',
    url: '/reports',
    tag: 'traces',
    summary: 'Reported calls of a period, clustered by claim and calling number (investigator, DPO)',
    description:
      'Clusters of reports that share what the caller claimed to be or the number (transitively), with the fields ' +
      'known and when; no value of a family. Reading them is a ledger entry. Trace them as a complaint set with ' +
      '`POST /v1/traces {"reports": {"from", "to"}}`.',
    query: ReportsQuery,
    response: { 200: Clusters },
    handler: async ({ query, ctx }) => reports.clusters(ctx, query),
  });
  done();
};
