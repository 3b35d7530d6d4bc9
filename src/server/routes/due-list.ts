/**
 * The vaccination clinic's due list (service/due-lists.ts, ADR 0022): masked at `GET /v1/due-list`;
 * in clear only as a run of a standing export, which a nurse asks for once for a period, a
 * data-protection officer approves once (`POST /v1/exports/{id}/approve`), and each run of which is
 * its own disclosure, fingerprinted and with canaries.
 */
import type { FastifyPluginCallback } from 'fastify';
import { TracevaultError } from '../../errors.ts';
import { CONTENT_TYPES } from '../../disclose/export-writer.ts';
import { router, type AreaOptions } from '../route.ts';
import * as D from '../due-list-schemas.ts';

export const dueListRoutes: FastifyPluginCallback<AreaOptions> = (app, { services }, done) => {
  const route = router(app, services);
  const { dueLists } = services;

  route({
    method: 'GET',
    url: '/due-list',
    tag: 'due-list',
    summary: "The children of the clinic's districts with a dose due in a window (a vaccination nurse), masked",
    description:
      'The districts are the clinic’s region and the nurse’s `district` relationships; a child is in one when its ' +
      'home address is. Purpose `vaccination` (implied). Masked values only; one ledger entry (`due_list`) covering ' +
      'the children listed. Clear values: a run of a standing export (`POST /v1/due-list/standing-exports`).',
    query: D.DueListQuery,
    response: { 200: D.DueListPage },
    handler: async ({ query, ctx }) => dueLists.list(ctx, query),
  });

  route({
    method: 'POST',
    url: '/due-list/standing-exports',
    tag: 'due-list',
    summary: 'Ask for a standing export of the due list for a period (a vaccination nurse); it waits for a DPO',
    description:
      'A DPO who is not the requester approves it once (`POST /v1/exports/{id}/approve`); it then holds until the ' +
      'end of `validTo` (Asia/Shanghai). A period already over is refused (`ERR_EXPIRED`). The request is an export ' +
      'of kind `due_list` (`GET /v1/exports/{id}`).',
    body: D.NewStandingDueList,
    status: 201,
    handler: async ({ body, ctx }) => dueLists.requestStanding(ctx, body),
  });

  route({
    method: 'POST',
    url: '/exports/{id}/runs',
    tag: 'due-list',
    summary: 'Run an approved standing due list: the file of the children due in a window, a disclosure of its own',
    description:
      'Its requester only, within the approved period (`ERR_EXPIRED` after it, `ERR_CONFLICT` before it). Every run ' +
      'is recorded as its own disclosure, its rows marked for it and canaries among them, before the file is sent. ' +
      'Columns: babyName, motherName, motherPhone, birthDate, vaccinations (the doses given, JSON), dueVaccine, ' +
      'dueVaccineName, dueDose, dueDate (the doses due in the window, `;`-separated). Headers: `x-disclosure-id`, ' +
      '`x-record-count`, `x-due-from`, `x-due-to`.',
    body: D.RunWindow,
    status: 201,
    prepare: (raw) => raw ?? {},
    produces: Object.values(CONTENT_TYPES),
    handler: async ({ params, body, ctx, reply }) => {
      const r = await dueLists.run(ctx, params.id!, body ?? {});
      void reply
        .header('content-type', CONTENT_TYPES[r.format])
        .header('content-disposition', `attachment; filename="due-list-${r.window.from}-${r.window.to}.${r.format}"`)
        .header('x-disclosure-id', r.disclosureId)
        .header('x-record-count', String(r.records))
        .header('x-due-from', r.window.from)
        .header('x-due-to', r.window.to);
      return r.body;
    },
  });

  route({
    method: 'GET',
    url: '/exports/{id}/runs',
    tag: 'due-list',
    summary: 'The runs of a standing due list: each disclosure, its window, rows and file hash (requester, DPO)',
    response: { 200: D.RunList },
    handler: async ({ params, ctx }) => {
      if (!params.id) throw new TracevaultError('ERR_NOT_FOUND');
      return { runs: await dueLists.runs(ctx, params.id) };
    },
  });
  route({
    method: 'POST',
    url: '/records/{id}/doses',
    tag: 'due-list',
    summary: 'Record a dose given: added to the record’s vaccinations (a nurse of its district or organisation)',
    description:
      'Adds one dose; a dose already recorded (same vaccine and dose number) stays as it is and nothing changes. ' +
      'A nurse of the child’s district who may not otherwise change the record may do this and nothing else ' +
      '(`PATCH /v1/records/{id}` with only `vaccinations` adds the doses the same way for her). The next due list ' +
      'reflects it. A ledger entry (`update`, purpose `vaccination`).',
    body: D.NewDose,
    status: 201,
    response: { 201: D.DoseAdded },
    handler: async ({ params, body, ctx }) => ({
      id: params.id!,
      ...(await dueLists.recordDose(ctx, params.id!, body)),
    }),
  });
  done();
};
