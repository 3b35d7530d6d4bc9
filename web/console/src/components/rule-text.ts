/**
 * What a validation rule means to the person who typed the value: the server's own words
 * (GET /v1/validation-rules, src/schema/rules.ts, fetched once per page), else the console's
 * (i18n/records.ts), else the rule's name. A field and a rule, never a value.
 */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, must } from '../api/client.ts';

type Rules = Awaited<ReturnType<typeof load>>;

async function load() {
  return must(api.GET('/v1/validation-rules'));
}

let cached: Promise<Rules> | undefined;

/** A function from a rule (`mobile.length`) to its words in the page's language. */
export function useRuleText(): (rule: string) => string {
  const { t, i18n } = useTranslation('records');
  const [rules, setRules] = useState<Rules>();
  useEffect(() => {
    cached ??= load();
    cached.then(setRules, () => {
      cached = undefined;
    });
  }, []);
  const en = i18n.language === 'en';
  return (rule: string) => {
    const exact = rules?.rules.find((r) => r.rule === rule);
    if (exact) return en ? exact.en : exact.zh;
    const local = t(`rules.${rule}` as 'rules.required', { defaultValue: '' });
    if (local) return local;
    const suffix = rules?.generic.find((g) => rule.endsWith(`.${g.suffix}`));
    if (suffix) return en ? suffix.en : suffix.zh;
    return t('rules.other', { rule });
  };
}
