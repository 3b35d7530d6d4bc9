/**
 * The console's routes, under /console/ (the server sends index.html for every path there): the
 * login page, and the shell (who is logged in, the menu) around the registered pages (nav.tsx).
 * antd is given the page's style nonce (docs/adr/0024-staff-console.md) and its locale.
 */
import { App as AntApp, ConfigProvider } from 'antd';
import enUS from 'antd/es/locale/en_US';
import zhCN from 'antd/es/locale/zh_CN';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { BrowserRouter, Route, Routes, useLocation } from 'react-router';
import { RoleGate, Shell } from './components/shell.tsx';
import { PAGES } from './nav.tsx';
import { HomePage } from './pages/home.tsx';
import { LoginPage } from './pages/login.tsx';
import { NotFoundPage } from './pages/not-found.tsx';

/** On moving to another page, focus goes to its main content and the view to the top (WCAG 2.4.3). */
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

/**
 * antd's default greys for secondary text (45% black) fall under WCAG's 4.5:1 on white and on the
 * page's grey: darker ones, each at least 4.5:1 on #f3f5f8.
 */
const THEME = {
  token: {
    colorPrimary: '#1d4ed8',
    // Hover and pressed darker, not lighter: a hovered button's text stays at 4.5:1 or more.
    colorPrimaryHover: '#1e40af',
    colorPrimaryActive: '#1e3a8a',
    colorLinkHover: '#1e40af',
    colorLink: '#1d4ed8',
    colorInfo: '#1d4ed8',
    colorTextSecondary: '#4b5563',
    colorTextTertiary: '#4b5563',
    colorTextDescription: '#4b5563',
    colorTextPlaceholder: '#5f6673',
    colorTextDisabled: '#5f6673',
    colorError: '#b91c1c',
    colorSuccess: '#15803d',
    colorWarning: '#a16207',
    borderRadius: 6,
    fontSize: 15,
  },
};

export function App({ nonce }: { readonly nonce: string }) {
  const { i18n } = useTranslation();
  const en = i18n.language === 'en';
  dayjs.locale(en ? 'en' : 'zh-cn');
  return (
    <ConfigProvider locale={en ? enUS : zhCN} csp={nonce ? { nonce } : undefined} theme={THEME}>
      <AntApp>
        <BrowserRouter basename="/console">
          <FocusOnNavigate />
          <Routes>
            <Route path="/login" element={<LoginPage />} />
            <Route element={<Shell />}>
              <Route index element={<HomePage />} />
              {PAGES.map((p) => (
                <Route key={p.path} path={p.path} element={<RoleGate roles={p.roles}>{p.element}</RoleGate>} />
              ))}
              <Route path="*" element={<NotFoundPage />} />
            </Route>
          </Routes>
        </BrowserRouter>
      </AntApp>
    </ConfigProvider>
  );
}
