/** The clinician's and the vaccination nurse's pages (nav.tsx). */
import { CalendarOutlined, FileDoneOutlined, SearchOutlined } from '@ant-design/icons';
import type { ConsolePage } from '../../console-page.ts';
import { DueListPage } from './due-list.tsx';
import { RecordPage } from './record.tsx';
import { SearchPage } from './search.tsx';
import { StandingExportsPage } from './standing-exports.tsx';

export const CLINICIAN_PAGES: readonly ConsolePage[] = [
  {
    path: '/search',
    roles: ['clinician', 'vaccination_nurse', 'records_clerk'],
    labelKey: 'clinician:nav.search',
    icon: <SearchOutlined />,
    element: <SearchPage />,
  },
  {
    path: '/records/:id',
    roles: ['clinician', 'vaccination_nurse', 'records_clerk', 'dpo', 'investigator'],
    labelKey: 'clinician:record.title',
    element: <RecordPage />,
    hidden: true,
  },
  {
    path: '/due-list',
    roles: ['vaccination_nurse'],
    labelKey: 'clinician:nav.dueList',
    icon: <CalendarOutlined />,
    element: <DueListPage />,
  },
  {
    path: '/due-list/standing',
    roles: ['vaccination_nurse'],
    labelKey: 'clinician:nav.standing',
    icon: <FileDoneOutlined />,
    element: <StandingExportsPage />,
  },
];
