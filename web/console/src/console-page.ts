import type { ReactNode } from 'react';
import type { Namespace } from './i18n/resources.ts';
import type { Role } from './me.tsx';

/** One page of the console, as an area lists it (pages/<area>/index.tsx) for the registry (nav.tsx). */
export interface ConsolePage {
  /** Below /console, beginning with '/': '/search', '/records/:id'. */
  readonly path: string;
  /** Who may open it (any one of these roles). */
  readonly roles: readonly Role[];
  /** The menu's label and the page's name: `namespace:key` (i18n/<namespace>.ts). */
  readonly labelKey: `${Namespace}:${string}`;
  readonly icon?: ReactNode;
  readonly element: ReactNode;
  /** Not in the menu (a page reached from another, e.g. one record's card). */
  readonly hidden?: boolean;
}
