/** The records clerk's pages (nav.tsx); the invitation's printable page is reached from a record's card. */
import { AuditOutlined, FormOutlined, UploadOutlined } from '@ant-design/icons';
import type { ConsolePage } from '../../console-page.ts';
import { CollectPage } from './collect.tsx';
import { ImportPage } from './import.tsx';
import { InvitationPage } from './invitation.tsx';
import { RequestsPage } from './requests.tsx';

export const CLERK_PAGES: readonly ConsolePage[] = [
  {
    path: '/collect',
    roles: ['records_clerk'],
    labelKey: 'clerk:nav.collect',
    icon: <FormOutlined />,
    element: <CollectPage />,
  },
  {
    path: '/import',
    roles: ['records_clerk'],
    labelKey: 'clerk:nav.import',
    icon: <UploadOutlined />,
    element: <ImportPage />,
  },
  {
    path: '/requests',
    roles: ['records_clerk', 'clinician'],
    labelKey: 'clerk:nav.requests',
    icon: <AuditOutlined />,
    element: <RequestsPage />,
  },
  {
    path: '/records/:id/invitation',
    roles: ['records_clerk', 'clinician'],
    labelKey: 'clerk:invite.title',
    element: <InvitationPage />,
    hidden: true,
  },
];
