/**
 * Breach notices (service/portal/notices.ts, PIPL art. 57): an investigator or a DPO confirms a
 * trace (`POST /v1/traces/{id}/confirm`), and the families its leak exposed find the notice in the
 * parents' portal (`GET /v1/portal/notices`) and get an SMS saying so. Mounted at `/v1`.
 */
import type { FastifyPluginCallback } from 'fastify';
import { z } from 'zod';
import { FAMILY_STEPS, REGISTRY_ACTIONS, SOURCE_KINDS } from '../../service/portal/notices.ts';
import { router, type AreaOptions } from '../route.ts';

const Window = z
  .object({ from: z.string().nullable(), to: z.string().nullable() })
  .meta({ description: 'when the leaked copy was taken, as the trace dated it (null: not known)' });

const fields = z.array(z.string()).meta({ description: 'the record fields the leak holds (names, never values)' });
const sourceKind = z.enum(SOURCE_KINDS).meta({
  description: 'the likely source: an approved export, a partner, an insider’s account, or not yet known',
});
const actions = z.array(z.enum(REGISTRY_ACTIONS)).meta({ description: 'what the registry did' });

const Confirm = z
  .object({
    actions: actions
      .max(REGISTRY_ACTIONS.length)
      .optional()
      .meta({ description: 'what the registry has done, told to the families (a fixed list: no free text)' }),
  })
  .strict();

const Confirmed = z.object({
  noticeId: z.string(),
  traceId: z.string(),
  confirmedAt: z.string(),
  sourceKind,
  fields,
  window: Window,
  actions,
  records: z.number().int().meta({ description: 'the records (families) the leak exposed, now notified' }),
  guardians: z.number().int().meta({ description: 'the guardians enrolled for them now, each sent one SMS' }),
});

const Notice = z
  .object({
    id: z.string(),
    childIds: z.array(z.string()).meta({ description: 'your children whose records were in the leak' }),
    confirmedAt: z.string(),
    fields,
    window: Window,
    sourceKind,
    actions,
    steps: z.array(z.enum(FAMILY_STEPS)).meta({ description: 'what you can do' }),
  })
  .meta({ description: 'a breach notice (PIPL art. 57): what leaked, when, the likely source, what was done' });

export const portalNoticeRoutes: FastifyPluginCallback<AreaOptions> = (app, { services }, done) => {
  const route = router(app, services);
  const { notices } = services.portal;

  route({
    method: 'POST',
    url: '/traces/{id}/confirm',
    tag: 'traces',
    summary: 'Confirm a traced leak (investigator or DPO): the families it exposed are notified (PIPL art. 57)',
    description:
      'A breach notice for the records seen in the leak (the report’s affected.direct), shown in the parents’ ' +
      'portal to their guardians, enrolled now or later, each of whom enrolled now gets one SMS. Once per trace ' +
      '(`409 ERR_CONFLICT`); the accused principal cannot confirm (`403 ERR_SELF_APPROVAL`); an unknown trace: ' +
      '`404 ERR_NOT_FOUND`. A ledger entry (`trace.confirm`), and one `notice.issue` per record.',
    body: Confirm,
    response: { 201: Confirmed },
    status: 201,
    handler: async ({ params, body, ctx }) => notices.confirm(ctx, params.id!, body ?? {}),
  });

  route({
    method: 'GET',
    url: '/portal/notices',
    auth: 'portal',
    tag: 'portal',
    summary: 'Breach notices about your children: what leaked, when, the likely source, what was done, what to do',
    description: 'Only notices about your own children. A ledger entry (`notice.list`).',
    response: { 200: z.object({ notices: z.array(Notice) }) },
    handler: async ({ guardian }) => ({ notices: await notices.forGuardian(guardian!) }),
  });
  done();
};
