/**
 * Imports over HTTP (service/import-jobs.ts, ADR 0025): a records clerk uploads a CSV (UTF-8, UTF-16
 * or GBK/GB18030), an XLSX or a JSON Lines file as the request body; it is imported as a job, all
 * or nothing, as `tracevault import` does. `POST` waits up to 10 s for the job (`Prefer: wait=N` up
 * to 60 s; `Prefer: respond-async` not at all, RFC 7240): 201 with the finished job, or the job's
 * coded error, or 202 with the job while it runs; `GET /v1/imports/{id}` tells where it stands.
 *
 * The upload is not parsed here: this plugin's content-type parsers hand the body on as a stream,
 * which the job's owner-only file receives as it arrives (bounded).
 */
import type { FastifyPluginCallback } from 'fastify';
import type { Readable } from 'node:stream';
import { TracevaultError } from '../../errors.ts';
import type { SourceFormat } from '../../ingest/readers.ts';
import { router, type AreaOptions } from '../route.ts';
import * as I from '../import-schemas.ts';

/** Upload content types, and the format each means (undefined: told from the file's bytes). */
const IMPORT_TYPES: Readonly<Record<string, SourceFormat | undefined>> = {
  'text/csv': 'csv',
  'text/plain': 'csv',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
  'application/x-ndjson': 'jsonl',
  'application/jsonl': 'jsonl',
  'application/octet-stream': undefined,
};

const MAX_WAIT = 60;
const DEFAULT_WAIT = 10;

/** RFC 7240: `respond-async` (§4.1) no wait; `wait=N` (§4.3) N seconds, at most MAX_WAIT. */
function preferredWait(header: string | string[] | undefined): number {
  const prefer = String(header ?? '');
  if (/(?:^|[,;\s])respond-async(?:$|[,;\s])/i.test(prefer)) return 0;
  const m = /(?:^|[,;\s])wait\s*=\s*"?(\d{1,6})"?/i.exec(prefer);
  return m ? Math.min(Number(m[1]), MAX_WAIT) : DEFAULT_WAIT;
}

export const importRoutes: FastifyPluginCallback<AreaOptions> = (app, { services }, done) => {
  const route = router(app, services);
  const imports = services.imports;

  app.removeAllContentTypeParsers();
  app.addContentTypeParser(Object.keys(IMPORT_TYPES), (_req, payload, next) => next(null, payload));
  // This server's waiting jobs end with it (interrupted); the running one is given a few seconds.
  app.addHook('onClose', async () => (imports as typeof imports | undefined)?.close());

  route({
    method: 'POST',
    url: '/imports',
    tag: 'imports',
    summary:
      'Import a file of records (records clerk) as a job: the file as the body (text/csv in UTF-8, UTF-16 or ' +
      'GBK/GB18030; XLSX; application/x-ndjson); all rows or none; 201 with the finished job within 10 s ' +
      '(Prefer: wait=N up to 60), else 202 with the job (Location); Prefer: respond-async answers 202 at once',
    description:
      'As `tracevault import` does: the same readers, limits and archive checks; any invalid row refuses the whole ' +
      'file (`ERR_IMPORT_INVALID_ROWS`, its rows as row, field and rule, never a value). Up to 256 MiB. Records are ' +
      'collected for your organisation (`collect` on the record type, else `403`). A file imported before is found ' +
      'done (its rows counted as duplicates). Too many jobs at once: `429`. The import is a ledger entry (`import`), ' +
      'a failed one too (outcome `error`).',
    query: I.ImportQuery,
    consumes: Object.keys(IMPORT_TYPES),
    response: { 201: I.ImportJob, 202: I.ImportJob },
    handler: async ({ req, query, ctx, reply }) => {
      const type = String(req.headers['content-type'] ?? '')
        .split(';')[0]!
        .trim()
        .toLowerCase();
      const declared = Number(req.headers['content-length']);
      const job = await imports.submit(ctx, req.body as Readable, {
        recordType: query.recordType,
        format: query.format ?? IMPORT_TYPES[type],
        declaredBytes: Number.isFinite(declared) ? declared : undefined,
      });
      void reply.header('location', `/v1/imports/${job.id}`);
      const wait = preferredWait(req.headers.prefer);
      if (req.headers.prefer !== undefined)
        void reply.header('preference-applied', wait > 0 ? `wait=${wait}` : 'respond-async');
      if (wait === 0) return reply.code(202).send(job);
      await imports.wait(job.id, wait * 1000);
      const now = await imports.status(ctx, job.id);
      if (now.status === 'done') return reply.code(201).send(now);
      if (now.error) throw new TracevaultError(now.error.code, now.error.details);
      return reply.code(202).send(now);
    },
  });

  route({
    method: 'GET',
    url: '/imports/{id}',
    tag: 'imports',
    summary:
      'An import job (its uploader): status, progress (rows read, validated, invalid, stored, total), result or error',
    description:
      'Another principal’s job is `404`. A failed job holds its coded error: for invalid rows, `details.count` and ' +
      '`details.errors` (row, field, rule; never a value). A job whose server stopped is failed ' +
      '(`ERR_JOB_INTERRUPTED`) once its heartbeat is 30 s old.',
    response: { 200: I.ImportJob },
    handler: async ({ params, ctx, reply }) => {
      const job = await imports.status(ctx, params.id!);
      if (job.status === 'queued' || job.status === 'running') void reply.header('retry-after', '1');
      return job;
    },
  });
  done();
};
