/**
 * The console's pages, one registry: each area lists its pages in pages/<area>/index.tsx as
 * `ConsolePage`s ({ path, roles, labelKey, icon, element }), and this file joins the lists. The
 * router makes a route of each (app.tsx), the menu shows those the person's roles may use
 * (layout.tsx), and a page opened by someone whose roles are not listed says so instead of showing
 * (the server refuses anyway). To add an area: its words (i18n/<area>.ts, one line in
 * i18n/resources.ts), its pages (pages/<area>/index.tsx), one line below.
 */
import type { ConsolePage } from './console-page.ts';
import { ADMIN_PAGES } from './pages/admin/index.tsx';
import { CLERK_PAGES } from './pages/clerk/index.tsx';
import { CLINICIAN_PAGES } from './pages/clinician/index.tsx';
import { DPO_PAGES } from './pages/dpo/index.tsx';
import { INVESTIGATOR_PAGES } from './pages/investigator/index.tsx';
import { STATISTICIAN_PAGES } from './pages/statistician/index.tsx';

export type { ConsolePage };

export const PAGES: readonly ConsolePage[] = [
  ...CLINICIAN_PAGES,
  ...CLERK_PAGES,
  ...ADMIN_PAGES,
  ...DPO_PAGES,
  ...INVESTIGATOR_PAGES,
  ...STATISTICIAN_PAGES,
  // The DPO's, the investigator's and the statistician's pages go here (one line each).
];
