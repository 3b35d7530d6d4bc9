/**
 * The ledger: its public read paths (c2sp tlog-tiles: checkpoint, hash tiles, proofs), and for those
 * who may audit its entries (entry bundles) and offline-verifiable receipts (c2sp tlog-proof), and
 * the keyed references of an identifier for investigators. The read paths answer as the c2sp
 * specifications say (plain-text errors, immutable tiles); the ledger holds no personal value, and
 * its public hashes show none of what its entries say (service/ledger.ts).
 */
import type { FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify';
import { TracevaultError } from '../../errors.ts';
import type { ReadResponse } from '../../ledger/read-api.ts';
import type { Services } from '../../service/services.ts';
import { router, type AreaOptions } from '../route.ts';
import * as S from '../schemas.ts';
import * as X from '../staff-schemas.ts';

const PREFIX = '/v1/ledger/';

/** The read path of a request, from its own URL, as the ledger reads it (ledger/read-api.ts). */
const pathOf = (req: FastifyRequest) => new URL(req.url, 'http://x');

function send(reply: FastifyReply, r: ReadResponse) {
  void reply.code(r.status).header('content-type', r.contentType).header('cache-control', r.cacheControl);
  return reply.send(r.body);
}

/** Serves a public read path. */
function readPath(services: Services) {
  return async ({ req, reply }: { req: FastifyRequest; reply: FastifyReply }) => {
    const url = pathOf(req);
    return send(reply, await services.ledger.read(url.pathname.slice(PREFIX.length), url.searchParams));
  };
}

/** A repeated query key counts once, as its first value (the ledger reads the URL the same way). */
function firstValues(raw: unknown): unknown {
  if (typeof raw !== 'object' || raw === null) return raw;
  return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]));
}

export const ledgerRoutes: FastifyPluginCallback<AreaOptions> = (app, { services }, done) => {
  const route = router(app, services);
  const read = readPath(services);
  const octets = ['application/octet-stream'];
  // Query strings are read as their first values before they are checked (see S.InclusionQuery).
  app.addHook('preValidation', (req, _reply, next) => {
    req.query = firstValues(req.query);
    next();
  });

  route({
    method: 'POST',
    url: '/hash-identifier',
    tag: 'ledger',
    summary: 'The ledger references (keyed HMACs) of an identifier, for investigators (administrator)',
    body: S.HashIdentifier,
    response: { 200: S.RecordRefs },
    handler: async ({ body, ctx }) => services.oversight.hashIdentifier(ctx, body.kind, body.value),
  });

  route({
    method: 'GET',
    url: '/receipt/{index}',
    tag: 'ledger',
    summary:
      'An offline-verifiable receipt (c2sp tlog-proof) for one entry, with the entry (auditor, DPO, investigator)',
    produces: ['text/plain'],
    handler: async ({ params, reply, ctx }) => {
      const index = Number(params.index);
      if (!Number.isSafeInteger(index) || index < 0) throw new TracevaultError('ERR_BAD_REQUEST', { field: 'index' });
      const receipt = await services.ledger.receipt(ctx, index);
      void reply.header('content-type', 'text/plain; charset=utf-8');
      return receipt;
    },
  });

  route({
    method: 'GET',
    url: '/health',
    tag: 'ledger',
    summary: 'The ledger at a glance: entries, latest checkpoint, witnesses and their cosignatures (auditor, DPO)',
    description:
      "The latest signed checkpoint (size, root, time, whether the log's key signed it, entries since), each " +
      "witness with its cosignature on it (valid, when), the background checkpointer's last step, the last " +
      'verification. Counts and hashes only.',
    response: { 200: X.LedgerHealth },
    handler: async ({ ctx }) => services.ledger.health(ctx),
  });

  route({
    method: 'POST',
    url: '/verify',
    tag: 'ledger',
    summary: 'Verify the whole ledger now, within 20 s: ok, failed at an index, or incomplete (auditor, DPO)',
    description:
      'Rebuilds the tree from every entry and checks it against the stored tiles, the signed checkpoints and the ' +
      'cosignatures (as `tracevault ledger verify`). One at a time per server process (`409`); a ledger too large ' +
      'for the budget answers `status: incomplete` with the entries checked: verify it in full with the command line.',
    response: { 200: X.LedgerVerification },
    handler: async ({ ctx }) => services.ledger.verify(ctx),
  });

  route({
    method: 'GET',
    url: '/checkpoint',
    tag: 'ledger',
    summary: 'The latest signed checkpoint with its cosignatures (c2sp tlog-checkpoint)',
    auth: false,
    produces: ['text/plain'],
    handler: read,
  });

  route({
    method: 'GET',
    url: '/tile/{L}/{N}',
    rest: true,
    tag: 'ledger',
    summary: 'A hash tile (c2sp tlog-tiles); partial tiles as …/N.p/W',
    description: 'N is the tile index in c2sp path form (`x001/x234/067`), W the width of a partial tile.',
    auth: false,
    produces: octets,
    handler: read,
  });

  route({
    method: 'GET',
    url: '/tile/entries/{N}',
    rest: true,
    tag: 'ledger',
    summary: 'An entry bundle (c2sp tlog-tiles); partial bundles as …/N.p/W (auditor, DPO, investigator)',
    description:
      'Each entry as a big-endian u16 length and its leaf input, salt included (the hashes alone are public).',
    produces: octets,
    handler: async ({ req, reply, ctx }) =>
      send(reply, await services.ledger.entries(ctx, pathOf(req).pathname.slice(PREFIX.length))),
  });

  route({
    method: 'GET',
    url: '/proof/inclusion',
    tag: 'ledger',
    summary: 'Inclusion proof: ?index=I&size=S',
    query: S.InclusionQuery,
    auth: false,
    handler: read,
  });

  route({
    method: 'GET',
    url: '/proof/consistency',
    tag: 'ledger',
    summary: 'Consistency proof: ?old=M&size=N',
    query: S.ConsistencyQuery,
    auth: false,
    handler: read,
  });

  // Whatever else is asked below tile/ and proof/ gets the ledger's own answer (a plain 404).
  for (const url of ['/tile/{path}', '/proof/{path}']) {
    route({ method: 'GET', url, rest: true, tag: 'ledger', summary: '', auth: false, hidden: true, handler: read });
  }
  done();
};
