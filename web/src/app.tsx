/** The portal's pages, under /portal/ (the server sends index.html for every path there). */
import { ConfigProvider } from 'antd-mobile';
import enUS from 'antd-mobile/es/locales/en-US';
import zhCNKit from 'antd-mobile/es/locales/zh-CN';
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { BrowserRouter, Route, Routes, useLocation } from 'react-router';
import { FlowProvider } from './components/flow.tsx';
import { Layout } from './components/layout.tsx';
import { ConsentsPage } from './pages/consents.tsx';
import { CallerPage } from './pages/caller.tsx';
import { ChildPage } from './pages/child.tsx';
import { EnrolPage } from './pages/enrol.tsx';
import { HistoryPage } from './pages/history.tsx';
import { HomePage } from './pages/home.tsx';
import { LoginPage } from './pages/login.tsx';
import { NotFoundPage } from './pages/not-found.tsx';
import { NoticesPage } from './pages/notices.tsx';
import { ReportPage } from './pages/report.tsx';
import { RightsPage } from './pages/rights.tsx';
import { StartPage } from './pages/start.tsx';
import { VerifyPage } from './pages/verify.tsx';

/**
 * On moving to another page, focus goes to its main content and the view to the top, as after a
 * page load (WCAG 2.4.3); the first page loads as any page does, with the skip link first.
 */
function FocusOnNavigate() {
  const { pathname } = useLocation();
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    window.scrollTo(0, 0);
    document.getElementById('main')?.focus({ preventScroll: true });
  }, [pathname]);
  return null;
}

export function App() {
  const { i18n } = useTranslation();
  return (
    <ConfigProvider locale={i18n.language === 'en' ? enUS : zhCNKit}>
      <BrowserRouter basename="/portal">
        <FlowProvider>
          <FocusOnNavigate />
          <Layout>
            <Routes>
              <Route path="/" element={<StartPage />} />
              <Route path="/enrol" element={<EnrolPage />} />
              <Route path="/login" element={<LoginPage />} />
              <Route path="/verify" element={<VerifyPage />} />
              <Route path="/home" element={<HomePage />} />
              <Route path="/children/:id" element={<ChildPage />} />
              <Route path="/children/:id/history" element={<HistoryPage />} />
              <Route path="/rights" element={<RightsPage />} />
              <Route path="/consents" element={<ConsentsPage />} />
              <Route path="/notices" element={<NoticesPage />} />
              <Route path="/caller" element={<CallerPage />} />
              <Route path="/report" element={<ReportPage />} />
              <Route path="*" element={<NotFoundPage />} />
            </Routes>
          </Layout>
        </FlowProvider>
      </BrowserRouter>
    </ConfigProvider>
  );
}
