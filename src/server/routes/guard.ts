/**
 * The guard's settings as data (service/guard-settings.ts, docs/adr/0023-guard-settings-as-data.md):
 * read by a data-protection officer or an auditor, replaced by a DPO as a new version.
 */
import type { FastifyPluginCallback } from 'fastify';
import type { GuardConfig } from '../../access/guard.ts';
import { router, type AreaOptions } from '../route.ts';
import * as G from '../guard-schemas.ts';

export const guardRoutes: FastifyPluginCallback<AreaOptions> = (app, { services }, done) => {
  const route = router(app, services);

  route({
    method: 'GET',
    url: '/guard/settings',
    tag: 'oversight',
    summary: "The guard's thresholds and actions in force, with their version (data-protection officer, auditor)",
    response: { 200: G.GuardSettingsView },
    handler: async ({ ctx }) => services.guardSettings.get(ctx),
  });

  route({
    method: 'GET',
    url: '/guard/settings/versions',
    tag: 'oversight',
    summary: 'Every stored version of the guard settings, newest first, with what each changed (DPO, auditor)',
    response: { 200: G.GuardSettingsVersions },
    handler: async ({ ctx }) => ({ versions: await services.guardSettings.versions(ctx) }),
  });

  route({
    method: 'PUT',
    url: '/guard/settings',
    tag: 'oversight',
    summary: "Replace the guard's settings: a new version, in force at once; a ledger entry (data-protection officer)",
    description:
      'The whole settings, with the version they were read at (`expectedVersion`): if another version was ' +
      'stored since, `409 ERR_CONFLICT`. A role or organisation override can only lower a limit ' +
      '(`ERR_INVALID_FIELD`, rule `aboveBase`); values out of range or inconsistent are refused naming the ' +
      'property (`field`) and the `rule`.',
    body: G.GuardSettingsPut,
    response: { 200: G.GuardSettingsView },
    handler: async ({ body, ctx }) =>
      services.guardSettings.put(ctx, body.expectedVersion, body.settings as GuardConfig),
  });
  done();
};
