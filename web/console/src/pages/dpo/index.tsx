/** The data-protection officer's pages (nav.tsx): alerts, approvals, policy, guard, rights requests, ledger. */
import {
  AlertOutlined,
  AuditOutlined,
  CheckSquareOutlined,
  FileProtectOutlined,
  SafetyCertificateOutlined,
  SlidersOutlined,
} from '@ant-design/icons';
import type { ConsolePage } from '../../console-page.ts';
import { AlertsPage } from './alerts.tsx';
import { ApprovalsPage } from './approvals.tsx';
import { GuardPage } from './guard.tsx';
import { LedgerPage } from './ledger.tsx';
import { PolicyPage } from './policy.tsx';
import { RightsPage } from './rights.tsx';

export const DPO_PAGES: readonly ConsolePage[] = [
  {
    path: '/alerts',
    roles: ['dpo', 'auditor'],
    labelKey: 'oversight:nav.alerts',
    icon: <AlertOutlined />,
    element: <AlertsPage />,
  },
  {
    path: '/approvals',
    roles: ['dpo'],
    labelKey: 'oversight:nav.approvals',
    icon: <CheckSquareOutlined />,
    element: <ApprovalsPage />,
  },
  {
    path: '/policy',
    roles: ['dpo'],
    labelKey: 'oversight:nav.policy',
    icon: <FileProtectOutlined />,
    element: <PolicyPage />,
  },
  {
    path: '/guard',
    roles: ['dpo'],
    labelKey: 'oversight:nav.guard',
    icon: <SlidersOutlined />,
    element: <GuardPage />,
  },
  {
    path: '/rights',
    roles: ['dpo'],
    labelKey: 'oversight:nav.rights',
    icon: <AuditOutlined />,
    element: <RightsPage />,
  },
  {
    path: '/ledger',
    roles: ['dpo', 'auditor', 'investigator'],
    labelKey: 'oversight:nav.ledger',
    icon: <SafetyCertificateOutlined />,
    element: <LedgerPage />,
  },
];
