/**
 * The portal's words: zh-CN first (the default and the fallback), English by a visible switch. Every
 * string of the page comes from here; the keys are typed (i18n.d.ts), so a missing one does not
 * compile.
 */
import { zhCN } from './zh-CN.ts';

type Shape<T> = { [K in keyof T]: T[K] extends string ? string : Shape<T[K]> };

/** The shape every language fills; English adds its singular forms (Chinese has one plural form). */
export type Messages = Shape<typeof zhCN> & {
  home: { children_one?: string };
  ledger: { verifiedDetail_one?: string };
  history: { allVerified_one?: string; someVerified_one?: string; pendingNote_one?: string; count_one?: string };
};

export const LANGUAGES = ['zh-CN', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
export const DEFAULT_LANGUAGE: Language = 'zh-CN';

export const isLanguage = (v: unknown): v is Language => LANGUAGES.includes(v as Language);
