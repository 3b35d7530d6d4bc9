/**
 * The words of each validation rule (schema/rules.ts): errors and warnings name a field and a rule,
 * never the value; a client shows what the rule means, in Chinese or English, from here. Public:
 * fixed texts, nothing about any record or caller.
 */
import type { FastifyPluginCallback } from 'fastify';
import { z } from 'zod';
import { RULES, ruleText } from '../../schema/rules.ts';
import { router, type AreaOptions } from '../route.ts';

const GENERIC_SUFFIXES = ['type', 'masked', 'empty', 'chars', 'length'] as const;

const RuleList = z.object({
  rules: z.array(
    z.object({
      rule: z.string().describe('as in `details.errors[].rule` and `warnings[].rule`, e.g. `vaccinations.vaccine`'),
      warning: z.boolean().describe('true: the value was stored and deserves a look; false: it was refused'),
      zh: z.string(),
      en: z.string(),
    }),
  ),
  generic: z
    .array(z.object({ suffix: z.string(), zh: z.string(), en: z.string() }))
    .describe('rules of any text kind by their last part: `text.length`, `vaccinations.clinic.empty`'),
});

export const validationRuleRoutes: FastifyPluginCallback<AreaOptions> = (app, { services }, done) => {
  const route = router(app, services);
  route({
    method: 'GET',
    url: '/validation-rules',
    auth: false,
    tag: 'records',
    summary: 'What each validation rule means (errors and warnings), in Chinese and English',
    response: { 200: RuleList },
    handler: ({ reply }) => {
      void reply.header('cache-control', 'public, max-age=3600');
      return {
        rules: RULES,
        generic: GENERIC_SUFFIXES.map((suffix) => {
          const t = ruleText(`any.${suffix}`)!;
          return { suffix, zh: t.zh, en: t.en };
        }),
      };
    },
  });
  done();
};
