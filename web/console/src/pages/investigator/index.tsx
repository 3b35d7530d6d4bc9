/** The investigator's pages (nav.tsx): trace a leaked file, its report, parents' reports, canary hits. */
import { AlertOutlined, FileSearchOutlined, PhoneOutlined } from '@ant-design/icons';
import type { ConsolePage } from '../../console-page.ts';
import { CanaryHitsPage } from './canary-hits.tsx';
import { ReportPage } from './report.tsx';
import { ReportsPage } from './reports.tsx';
import { TracePage } from './trace.tsx';

export const INVESTIGATOR_PAGES: readonly ConsolePage[] = [
  {
    path: '/trace',
    roles: ['investigator'],
    labelKey: 'investigation:nav.trace',
    icon: <FileSearchOutlined />,
    element: <TracePage />,
  },
  {
    path: '/traces/:id',
    roles: ['investigator'],
    labelKey: 'investigation:report.title',
    element: <ReportPage />,
    hidden: true,
  },
  {
    path: '/call-reports',
    roles: ['investigator', 'dpo'],
    labelKey: 'investigation:nav.reports',
    icon: <PhoneOutlined />,
    element: <ReportsPage />,
  },
  {
    path: '/canary-hits',
    roles: ['investigator', 'dpo'],
    labelKey: 'investigation:nav.canaries',
    icon: <AlertOutlined />,
    element: <CanaryHitsPage />,
  },
];
