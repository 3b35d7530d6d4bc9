/** The administrator's pages (nav.tsx). */
import { ApartmentOutlined, TeamOutlined } from '@ant-design/icons';
import type { ConsolePage } from '../../console-page.ts';
import { OrganizationsPage } from './organizations.tsx';
import { PrincipalsPage } from './principals.tsx';

export const ADMIN_PAGES: readonly ConsolePage[] = [
  {
    path: '/admin/principals',
    roles: ['administrator'],
    labelKey: 'admin:nav.principals',
    icon: <TeamOutlined />,
    element: <PrincipalsPage />,
  },
  {
    path: '/admin/organizations',
    roles: ['administrator'],
    labelKey: 'admin:nav.organizations',
    icon: <ApartmentOutlined />,
    element: <OrganizationsPage />,
  },
];
