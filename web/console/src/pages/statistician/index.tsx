/** The statistician's pages (nav.tsx). */
import { BarChartOutlined } from '@ant-design/icons';
import type { ConsolePage } from '../../console-page.ts';
import { StatsPage } from './stats.tsx';

export const STATISTICIAN_PAGES: readonly ConsolePage[] = [
  {
    path: '/stats',
    roles: ['statistician'],
    labelKey: 'statistics:nav.stats',
    icon: <BarChartOutlined />,
    element: <StatsPage />,
  },
];
