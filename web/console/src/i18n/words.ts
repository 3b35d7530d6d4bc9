/** The shape each language fills for an area's words: the zh-CN object's, every leaf a string. */
export type Words<T> = { [K in keyof T]: T[K] extends string ? string : Words<T[K]> };

/** One area's words in both languages: zh-CN first (the default and the fallback). */
export interface AreaWords<T> {
  readonly 'zh-CN': T;
  readonly en: Words<T>;
}

export const area = <T>(zhCN: T, en: Words<T>): AreaWords<T> => ({ 'zh-CN': zhCN, en });
