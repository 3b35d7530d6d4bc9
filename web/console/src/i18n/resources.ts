/**
 * Every area's words, one file per area (so that the people writing two areas never edit one file),
 * each an i18next namespace: `useTranslation('clinician')`, or `t('clinician:search.title')`. A new
 * area adds its file and one line here; the keys are typed (i18n.d.ts), so a missing one does not
 * compile, and English must fill the same keys as zh-CN (words.ts).
 */
import { admin } from './admin.ts';
import { clerk } from './clerk.ts';
import { clinician } from './clinician.ts';
import { investigation } from './investigation.ts';
import { oversight } from './oversight.ts';
import { records } from './records.ts';
import { shell } from './shell.ts';
import { statistics } from './statistics.ts';

export const AREAS = {
  shell,
  records,
  clinician,
  clerk,
  admin,
  oversight,
  investigation,
  statistics,
  // The areas of the DPO, the investigator and the statistician go here (one line each).
} as const;

export type Namespace = keyof typeof AREAS;

export const LANGUAGES = ['zh-CN', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
export const DEFAULT_LANGUAGE: Language = 'zh-CN';
export const isLanguage = (v: unknown): v is Language => LANGUAGES.includes(v as Language);
