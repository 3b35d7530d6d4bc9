/**
 * Traces: a leaked list uploaded as it was found (a file in its own content type, or JSON), traced
 * to the disclosures it came from as a job off the request path (service/trace-jobs.ts); where the
 * job stands, then the report, as JSON or as a readable page (trace/report.ts).
 *
 * The upload is not parsed here: this plugin's content-type parsers hand the body on as a stream,
 * which the job's owner-only file receives as it arrives (bounded). `POST` waits up to 10 s for the
 * job (`Prefer: wait=N` up to 60 s; `Prefer: respond-async` not at all, RFC 7240) and answers as a
 * trace did before jobs, 201 with the report or the job's coded error — or, if it has not ended,
 * 202 with the job, whose progress GET tells.
 */
import type { FastifyPluginCallback, FastifyReply } from 'fastify';
import { Readable } from 'node:stream';
import { z } from 'zod';
import { TracevaultError } from '../../errors.ts';
import { renderHtml, type ReportLang } from '../../trace/report-html.ts';
import type { TraceReport } from '../../trace/report.ts';
import type { LeakFormat } from '../../trace/leak-table.ts';
import type { UploadKind } from '../../trace/leak-upload.ts';
import type { RequestContext } from '../../service/context.ts';
import type { ReportPeriod } from '../../service/portal/reports.ts';
import type { Services } from '../../service/services.ts';
import type { TraceJobView } from '../../service/traces.ts';
import { router, type AreaOptions } from '../route.ts';
import * as S from '../schemas.ts';

/** Upload content types of a leak, and the format each means (JSON is a request: its rows, or a file inside). */
export const LEAK_TYPES: Readonly<Record<string, LeakFormat>> = {
  'text/csv': 'csv',
  'text/plain': 'text',
  'application/json': 'json',
  'application/x-ndjson': 'jsonl',
  'application/jsonl': 'jsonl',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
  'application/octet-stream': 'csv',
};

/** The page's language without `?lang`: the first of Accept-Language (RFC 9110 §12.5.4) we have, else zh-CN. */
function pageLang(header: string | undefined): ReportLang {
  for (const tag of String(header ?? '').split(',')) {
    const t = tag.split(';')[0]!.trim().toLowerCase();
    if (t.startsWith('zh')) return 'zh-CN';
    if (t.startsWith('en')) return 'en';
  }
  return 'zh-CN';
}

/** The page's own rules: nothing loaded from anywhere, no script; its charts are inline SVG. */
const REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

/** The longest `Prefer: wait` honoured, and the wait without a preference, in seconds. */
const MAX_WAIT = 60;
const DEFAULT_WAIT = 10;

const TraceProgress = z
  .object({
    phase: z.string().meta({
      description:
        'queued, read (rows of the file read), index (records indexed for linkage, once per vault), ' +
        'canaries, link (rows linked), evidence, window, report, seal; done; a failed job keeps the phase it failed in',
    }),
    rowsRead: z.number().int().meta({ description: 'rows of the leak read so far' }),
    done: z.number().int().meta({ description: 'what the phase has done (rows, records), when it counts' }),
    total: z.number().int().meta({ description: 'what the phase has to do, when known (else 0)' }),
  })
  .meta({ description: 'where the job stands: a phase and counts, never a value of the leak' });

const TraceJob = z.object({
  id: z.string().meta({ description: 'the trace id; the report, once done, has the same' }),
  status: z.enum(['queued', 'running', 'done', 'failed']),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
  progress: TraceProgress,
  error: z
    .object({ code: z.string(), message: z.string(), details: z.record(z.string(), z.unknown()).optional() })
    .optional()
    .meta({
      description:
        'a failed job: ERR_MALFORMED_FILE, ERR_ENCODING, ERR_UNSAFE_ARCHIVE, ERR_FILE_TOO_LARGE ' +
        '(details.rule "memory": beyond the job\'s heap), ERR_JOB_INTERRUPTED (its server stopped), ERR_INTERNAL…',
    }),
});

const TraceReportShape = z
  .object({
    id: z.string(),
    status: z.literal('done').optional(),
    createdAt: z.string(),
    epsilon: z.number(),
    accused: z.object({ principalId: z.string(), disclosureId: z.string().nullable(), log10LR: z.number() }).nullable(),
    confidenceSets: z.record(z.string(), z.array(z.string())),
    candidates: z.array(z.record(z.string(), z.unknown())),
    window: z.record(z.string(), z.unknown()),
    affected: z.object({ direct: z.array(z.string()), viaSource: z.array(z.string()), total: z.number() }),
    rows: z.record(z.string(), z.number()),
    notices: z.record(z.string(), z.string()),
  })
  .loose()
  .meta({ description: 'the report (README, Trace): record and principal ids, never a personal value' });

/**
 * How long POST waits for its job (RFC 7240): `Prefer: respond-async` not at all (§4.1), `wait=N` N
 * seconds (§4.3, at most MAX_WAIT), no preference DEFAULT_WAIT — so a trace that ends quickly is
 * answered as before jobs (201, the report) and a long one as a job (202) while it runs.
 */
function preferredWait(header: string | string[] | undefined): number {
  const prefer = String(header ?? '');
  if (/(?:^|[,;\s])respond-async(?:$|[,;\s])/i.test(prefer)) return 0;
  const m = /(?:^|[,;\s])wait\s*=\s*"?(\d{1,6})"?/i.exec(prefer);
  return m ? Math.min(Number(m[1]), MAX_WAIT) : DEFAULT_WAIT;
}

/** A report's JSON text with `status: "done"` first, sent as it is (a large report is neither parsed nor rewritten). */
function reportJson(reply: FastifyReply, report: string): string {
  void reply.header('content-type', 'application/json; charset=utf-8');
  return report.startsWith('{"') ? `{"status":"done",${report.slice(1)}` : report;
}

/** A trace of reported calls (README: POST /v1/traces with `reports`). */
const ReportsRequest = z
  .object({
    reports: z
      .object({
        from: z.string().min(10).max(40).meta({ description: 'calls reported from this instant (ISO 8601)' }),
        to: z.string().min(10).max(40).meta({ description: 'to this one, excluded (at most 366 days later)' }),
      })
      .strict(),
    epsilon: z.number().gt(0).lt(1).optional(),
  })
  .strict()
  .meta({
    description:
      'the calls guardians reported in the portal in a period (POST /v1/portal/reports), traced as a complaint set: ' +
      "each report is a row of the fields the caller knew, as the child's record held them when the call came, " +
      'its time bounding the window',
  });

/** The most bytes of a JSON body looked at for `reports` (such a request is a few dozen bytes). */
const PEEK_BYTES = 4096;

/**
 * Reads up to PEEK_BYTES of a JSON body: a whole small body that is a reports request is returned
 * as one; anything else is handed on whole (the bytes read first, then the rest of the stream).
 */
async function peekReportsRequest(
  body: Readable,
): Promise<{ request?: z.infer<typeof ReportsRequest>; body: AsyncIterable<Uint8Array> }> {
  const it = body[Symbol.asyncIterator]() as AsyncIterator<Uint8Array>;
  const head: Uint8Array[] = [];
  let size = 0;
  let ended = false;
  while (size <= PEEK_BYTES) {
    const r = await it.next();
    if (r.done) {
      ended = true;
      break;
    }
    head.push(r.value);
    size += r.value.length;
  }
  if (ended) {
    let doc: unknown;
    try {
      doc = JSON.parse(
        Buffer.concat(head)
          .toString('utf8')
          .replace(/^\uFEFF/, ''),
      );
    } catch {
      doc = undefined;
    }
    if (typeof doc === 'object' && doc !== null && 'reports' in doc) {
      const parsed = ReportsRequest.safeParse(doc);
      if (!parsed.success) throw new TracevaultError('ERR_BAD_REQUEST', { field: 'reports', rule: 'shape' });
      return { request: parsed.data, body: (async function* () {})() };
    }
  }
  async function* rest(): AsyncIterable<Uint8Array> {
    yield* head;
    for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
  }
  return { body: rest() };
}

/** The reported calls of a period as a complaint set, the job's upload (kind `table`). */
async function complaintSetBody(services: Services, ctx: RequestContext, period: ReportPeriod): Promise<Readable> {
  return Readable.from([Buffer.from(JSON.stringify(await services.portal.reports.complaintSet(ctx, period)))]);
}

export const traceRoutes: FastifyPluginCallback<AreaOptions> = (app, { services }, done) => {
  const route = router(app, services);
  const { traces } = services;

  // The body reaches the handler as a stream (the job's file takes it): no parser holds it here.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(Object.keys(LEAK_TYPES), (_req, payload, next) => next(null, payload));
  // This server's jobs end with it, as after a restart (interrupted). (Servers of stub services have none.)
  app.addHook('onClose', async () => (traces as typeof traces | undefined)?.close());

  route({
    method: 'POST',
    url: '/traces',
    tag: 'traces',
    summary:
      'Trace a leaked list (investigator), as a job: upload the file as the body (text/csv, XLSX, application/json, ' +
      'application/x-ndjson, text/plain for pasted chat text), or JSON { rows } / { content, format, encoding }; ' +
      '201 and the report if the job ends within 10 s (Prefer: wait=N, up to 60 s), else 202 with the job ' +
      '(Location: its URL); Prefer: respond-async answers 202 at once',
    description:
      'Up to 64 MiB, stored as it arrives and traced on a worker thread; GET /v1/traces/{id} tells where it stands. ' +
      'JSON `{"reports": {"from", "to"}, "epsilon"?}` traces the calls guardians reported in that period ' +
      '(POST /v1/portal/reports) as a complaint set instead, as a job too; no report in the period 404. ' +
      'Too many jobs at once: 429 ERR_RATE_LIMITED. An unreadable file fails the job with its coded error ' +
      '(with Prefer: wait, that error is the answer). The finished trace is a ledger entry, a failed one too.',
    query: S.TraceQuery,
    consumes: Object.keys(LEAK_TYPES),
    response: { 202: TraceJob, 201: TraceReportShape },
    handler: async ({ req, query, ctx, reply }) => {
      const type = String(req.headers['content-type'] ?? '')
        .split(';')[0]!
        .trim()
        .toLowerCase();
      const kind: UploadKind = type === 'application/json' ? 'request' : (query.format ?? LEAK_TYPES[type] ?? 'csv');
      const declared = Number(req.headers['content-length']);
      // `{reports: {from, to}}`: the calls guardians reported in a period, built here into a complaint
      // set (service/portal/reports.ts) and traced as a job like a leak, off the server's thread.
      const peeked = kind === 'request' ? await peekReportsRequest(req.body as Readable) : undefined;
      const reports = peeked?.request;
      const job = reports
        ? await traces.submit(ctx, await complaintSetBody(services, ctx, reports.reports), {
            kind: 'table',
            epsilon: reports.epsilon ?? query.epsilon,
          })
        : await traces.submit(ctx, peeked?.body ?? (req.body as Readable), {
            kind,
            format: query.format,
            epsilon: query.epsilon,
            declaredBytes: Number.isFinite(declared) ? declared : undefined,
          });
      void reply.header('location', `/v1/traces/${job.id}`);
      const wait = preferredWait(req.headers.prefer);
      if (req.headers.prefer !== undefined)
        void reply.header('preference-applied', wait > 0 ? `wait=${wait}` : 'respond-async');
      if (wait > 0) {
        await traces.jobs.wait(job.id, wait * 1000);
        const now = await traces.status(ctx, job.id);
        if (now.report !== undefined) return reply.code(201).send(reportJson(reply, now.report));
        const error = now.job?.error;
        if (error) throw new TracevaultError(error.code, error.details);
        return reply.code(202).send(now.job);
      }
      return reply.code(202).send(job satisfies TraceJobView);
    },
  });

  route({
    method: 'GET',
    url: '/traces/{id}',
    tag: 'traces',
    summary:
      'A trace (investigator): while its job runs, the job (status queued or running, progress); once done, the ' +
      'report (JSON with status "done", or the readable HTML page with charts and draft notices: ?format=html or ' +
      'Accept: text/html, in Chinese or English: ?lang=zh-CN|en, else Accept-Language, else zh-CN); a failed job, ' +
      'with its coded error',
    description:
      'Reading a report is a ledger entry. The page of a trace not done is 409 ERR_CONFLICT. A job whose server ' +
      'stopped is failed (ERR_JOB_INTERRUPTED) once its heartbeat is 30 s old.',
    query: S.TraceReportQuery,
    produces: ['application/json', 'text/html'],
    response: {
      200: z.union([TraceReportShape, TraceJob]).meta({
        description: 'the report once done (or its page, text/html), else the job',
      }),
    },
    handler: async ({ params, query, ctx, req, reply }) => {
      const { job, report } = await traces.status(ctx, params.id!);
      const accepts = /text\/html/.test(String(req.headers.accept ?? ''));
      const html = query.format === 'html' || (query.format === undefined && accepts);
      if (report === undefined) {
        if (html) throw new TracevaultError('ERR_CONFLICT', { rule: 'traceNotDone' });
        if (job?.status === 'queued' || job?.status === 'running') void reply.header('retry-after', '1');
        return job;
      }
      if (!html) return reportJson(reply, report);
      void reply.header('content-type', 'text/html; charset=utf-8').header('content-security-policy', REPORT_CSP);
      return renderHtml(JSON.parse(report) as TraceReport, query.lang ?? pageLang(req.headers['accept-language']));
    },
  });
  done();
};
