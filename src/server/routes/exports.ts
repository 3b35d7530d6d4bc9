/**
 * Bulk exports: requested with a purpose, approved or refused by a data-protection officer who is
 * not the requester, downloaded by the requester before they expire. Every download is a disclosure
 * of each field version in the file, with its fingerprint and canaries (service/exports.ts).
 */
import type { FastifyPluginCallback } from 'fastify';
import { TracevaultError } from '../../errors.ts';
import { CONTENT_TYPES } from '../../disclose/export-writer.ts';
import { router, type AreaOptions } from '../route.ts';
import * as S from '../schemas.ts';

export const exportRoutes: FastifyPluginCallback<AreaOptions> = (app, { services }, done) => {
  const route = router(app, services);
  const { exports } = services;

  route({
    method: 'POST',
    url: '/exports',
    tag: 'exports',
    summary: 'Request a bulk export (purpose, filter, fields, format, justification); it waits for approval',
    description: 'The justification is stored sealed, shown with the request to its approver, never in the ledger.',
    body: S.NewExport,
    status: 201,
    handler: async ({ body, ctx }) => exports.request(ctx, body),
  });

  route({
    method: 'GET',
    url: '/exports/{id}',
    tag: 'exports',
    summary: "An export request, its status and its requester's justification (the requester, a DPO)",
    handler: async ({ params, ctx }) => exports.get(ctx, params.id!),
  });

  route({
    method: 'POST',
    url: '/exports/{id}/approve',
    tag: 'exports',
    summary: 'Approve an export (data-protection officer, never the requester)',
    handler: async ({ params, ctx }) => exports.decide(ctx, params.id!, true),
  });

  route({
    method: 'POST',
    url: '/exports/{id}/refuse',
    tag: 'exports',
    summary: 'Refuse an export (data-protection officer)',
    handler: async ({ params, ctx }) => exports.decide(ctx, params.id!, false),
  });

  route({
    method: 'GET',
    url: '/exports/{id}/file',
    tag: 'exports',
    summary: 'Download an approved export (its requester, before it expires); recorded as a disclosure',
    description: 'Headers: `x-disclosure-id` (the disclosure) and `x-record-count`. A `HEAD` is refused (`400`).',
    produces: Object.values(CONTENT_TYPES),
    handler: async ({ params, ctx, req, reply }) => {
      // A HEAD would run this too: a disclosure recorded, and a download counted, for a file thrown away.
      if (req.method === 'HEAD') throw new TracevaultError('ERR_BAD_REQUEST', { rule: 'notOnHead' });
      const f = await exports.file(ctx, params.id!);
      void reply
        .header('content-type', CONTENT_TYPES[f.format])
        .header('content-disposition', `attachment; filename="export-${params.id}.${f.format}"`)
        .header('x-disclosure-id', f.disclosureId)
        .header('x-record-count', String(f.records));
      return f.body;
    },
  });
  done();
};
