/**
 * Records (collect, read, search, update, erase) and the consents recorded for them. Reads are
 * masked unless a purpose and the fields to reveal are given (service/records.ts); a record outside
 * the caller's reach is not found.
 */
import type { FastifyPluginCallback } from 'fastify';
import { TracevaultError } from '../../errors.ts';
import type { IndexScope } from '../../schema/field-kind.ts';
import { aliases } from '../aliases.ts';
import { router, type AreaOptions } from '../route.ts';
import * as S from '../schemas.ts';
import * as X from '../staff-schemas.ts';

const BATCH_LIMIT = 16 * 1024 * 1024;

/** The search parameters and the blind index each looks in. */
const SEARCH_SCOPES: Readonly<Record<string, IndexScope>> = {
  motherPhone: 'phone',
  fatherPhone: 'phone',
  phone: 'phone',
  residentId: 'residentId',
  name: 'name',
  plateNumber: 'plate',
};

interface RecordBody {
  recordType: string;
  organizationId?: string;
  fields: Record<string, unknown>;
}

/** A record body: `{ recordType?, fields }` or the fields at the top level (with an optional recordType). */
function recordBody(body: Readonly<Record<string, unknown>>): RecordBody {
  const { organizationId, ...b } = body;
  if (organizationId !== undefined && typeof organizationId !== 'string') {
    throw new TracevaultError('ERR_BAD_REQUEST', { field: 'organizationId' });
  }
  const recordType = typeof b.recordType === 'string' ? b.recordType : 'birth';
  if (b.fields !== undefined) {
    if (typeof b.fields !== 'object' || b.fields === null || Array.isArray(b.fields)) {
      throw new TracevaultError('ERR_BAD_REQUEST', { field: 'fields' });
    }
    return { recordType, organizationId, fields: b.fields as Record<string, unknown> };
  }
  const { recordType: _t, ...fields } = b;
  return { recordType, organizationId, fields };
}

export const recordRoutes: FastifyPluginCallback<AreaOptions> = (app, { services }, done) => {
  const route = router(app, services);
  const { records, consents } = services;

  route({
    method: 'POST',
    url: '/records',
    tag: 'records',
    summary: 'Collect one record: { recordType?, fields: {…} } or the fields at the top level',
    body: S.RecordInput,
    response: { 201: S.CollectedRecord },
    status: 201,
    handler: async ({ body, ctx, reply }) => {
      const { recordType, organizationId, fields } = recordBody(body);
      // Records are collected for the caller's own organisation; naming another is refused.
      if (organizationId !== undefined && organizationId !== ctx.principal.orgId) {
        throw new TracevaultError('ERR_FORBIDDEN', { field: 'organizationId' });
      }
      const r = await records.collect(ctx, recordType, fields);
      void reply.header('location', `/v1/records/${r.id}`);
      return { id: r.id, recordType, warnings: r.warnings };
    },
  });

  route({
    method: 'POST',
    url: '/records/batch',
    tag: 'records',
    summary: 'Collect up to 5,000 records: all valid and stored, or none',
    description: 'The body is `{ recordType?, records: [...] }` or the array of records itself.',
    body: S.RecordBatch,
    bodyLimit: BATCH_LIMIT,
    prepare: (raw) => (Array.isArray(raw) ? { records: raw } : raw),
    response: { 201: S.CollectedBatch },
    status: 201,
    handler: async ({ body, ctx }) => {
      const inputs = body.records.map((r) => recordBody(r).fields);
      const rs = await records.collectMany(ctx, body.recordType ?? 'birth', inputs);
      const ids = rs.map((r) => r.id);
      return { count: rs.length, ids, records: rs.map((r) => ({ id: r.id, warnings: r.warnings })) };
    },
  });

  route({
    method: 'GET',
    url: '/records/{id}',
    tag: 'records',
    summary:
      'Read a record: masked; with purpose and reveal=f1,f2 the allowed fields in clear (recorded as a disclosure)',
    description:
      'A justification, where one is needed, as `justification=` or an `X-Justification` header (URL-encoded). ' +
      'A `HEAD` with `reveal` is refused (`400`): it would disclose values that no one receives.',
    query: S.ReadQuery,
    handler: async ({ query, params, req, ctx }) => {
      const header = req.headers['x-justification'];
      const reveal = query.reveal
        ?.split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      // Fastify answers HEAD with this handler too, and drops the body: a reveal would be a disclosure
      // in the ledger, counted by the guard, of values no one receives. A HEAD reads masked only.
      if (req.method === 'HEAD' && reveal?.length) {
        throw new TracevaultError('ERR_BAD_REQUEST', { field: 'reveal', rule: 'notOnHead' });
      }
      // The header (URL-encoded) is read only when the query gives no justification.
      const fromHeader = () => (typeof header === 'string' ? percentDecoded(header, 'x-justification') : undefined);
      const justification = query.justification ?? fromHeader();
      return records.read(ctx, params.id!, { purpose: query.purpose, reveal, justification });
    },
  });

  route({
    method: 'GET',
    url: '/records/{id}/versions',
    tag: 'records',
    summary: "A record's version history: every version of the fields the caller may view, masked, with its recorder",
    description:
      'Oldest first: `{id, recordType, versions, people}`, each version `{field, version, validFrom, validTo, ' +
      'recordedAt, recordedBy, value}`; `people` names each recorder (display name, roles, organisation). Values ' +
      'are masked as in a read; recorded in the ledger as a read.',
    handler: async ({ params, ctx }) => records.versions(ctx, params.id!),
  });

  route({
    method: 'GET',
    url: '/records',
    tag: 'records',
    summary:
      'Search by motherPhone, fatherPhone, phone, residentId, name or plateNumber (blind indexes); masked results',
    query: S.SearchQuery,
    handler: async ({ query, ctx }) => {
      const given = Object.entries(query).filter(([, v]) => v !== undefined);
      if (given.length !== 1) throw new TracevaultError('ERR_BAD_REQUEST', { rule: 'exactlyOneSearchParameter' });
      const [key, value] = given[0]!;
      return { records: await records.search(ctx, SEARCH_SCOPES[key]!, value) };
    },
  });

  route({
    method: 'POST',
    url: '/records/search',
    tag: 'records',
    summary: 'Search as GET /v1/records?…, the value in the body: for browsers, no personal value in a URL',
    description:
      'Exactly one of motherPhone, fatherPhone, phone, residentId, name, plateNumber. The same results, ' +
      'ledger entries (a read of each record found) and guard counting as the GET.',
    body: X.SearchBody,
    handler: async ({ body, ctx }) => {
      const given = Object.entries(body).filter(([, v]) => v !== undefined);
      if (given.length !== 1) throw new TracevaultError('ERR_BAD_REQUEST', { rule: 'exactlyOneSearchParameter' });
      const [key, value] = given[0]!;
      return { records: await records.search(ctx, SEARCH_SCOPES[key]!, value) };
    },
  });

  route({
    method: 'PATCH',
    url: '/records/{id}',
    tag: 'records',
    summary: 'Record new versions of some fields ({ fields: {…} } or the fields)',
    body: S.RecordInput,
    response: { 200: S.UpdatedRecord },
    handler: async ({ body, params, ctx }) => ({
      id: params.id!,
      ...(await records.revise(ctx, params.id!, recordBody(body).fields)),
    }),
  });

  route({
    method: 'DELETE',
    url: '/records/{id}',
    tag: 'records',
    summary: 'Erase a record (data-protection officer, purpose=data_subject_request): its key is destroyed',
    query: S.EraseQuery,
    status: 204,
    handler: async ({ query, params, ctx }) => records.erase(ctx, params.id!, query.purpose),
  });

  route({
    method: 'POST',
    url: '/records/{id}/consents',
    tag: 'records',
    summary:
      "Record a guardian's consent for a partner organisation ({ organizationId, purpose: partner_contact }): " +
      "the record's organisation or a DPO; a ledger entry",
    body: S.NewConsent,
    prepare: aliases,
    status: 201,
    handler: async ({ body, params, ctx }) => consents.grant(ctx, params.id!, body),
  });

  route({
    method: 'GET',
    url: '/records/{id}/consents',
    tag: 'records',
    summary: "The consents recorded for a record (the record's organisation or a DPO)",
    handler: async ({ params, ctx }) => ({ consents: await consents.list(ctx, params.id!) }),
  });

  route({
    method: 'DELETE',
    url: '/records/{id}/consents/{organizationId}',
    tag: 'records',
    summary: "Withdraw a consent (?purpose=partner_contact, the default): the partner's next read is refused",
    query: S.ConsentQuery,
    status: 204,
    handler: async ({ query, params, ctx }) =>
      consents.withdraw(ctx, params.id!, params.organizationId!, query.purpose),
  });
  done();
};

/** A URL-encoded header's text; a malformed escape (`%E4%B8`) is the caller's error, not ours. */
function percentDecoded(value: string, field: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw new TracevaultError('ERR_BAD_REQUEST', { field, rule: 'percentEncoding' });
  }
}
