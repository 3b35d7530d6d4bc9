/**
 * Every page's frame once logged in: a skip link; a header with the console's name, who is logged
 * in (name, roles, organisation), the language switch and logging out; the menu of the pages the
 * person's roles may use (a side bar on a desktop, a drawer behind a button on a phone); the page.
 */
import { LogoutOutlined, MenuOutlined } from '@ant-design/icons';
import { Button, Drawer, Grid, Layout, Menu, Typography } from 'antd';
import { useMemo, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useLocation, useNavigate } from 'react-router';
import { list } from '../format.ts';
import { changeLanguage } from '../i18n/setup.ts';
import { hasRole, useMe } from '../me.tsx';
import { PAGES } from '../nav.tsx';

/** The menu entry for a path: the registered page whose pattern it matches, longest first. */
function selectedKey(pathname: string): string {
  const hit = PAGES.filter((p) => !p.hidden)
    .map((p) => p.path)
    .filter((p) => pathname === p || pathname.startsWith(`${p}/`))
    .sort((a, b) => b.length - a.length)[0];
  return hit ?? pathname;
}

export function ShellLayout({ children, onLogout }: { readonly children: ReactNode; readonly onLogout: () => void }) {
  const { t, i18n } = useTranslation('shell');
  const me = useMe();
  const screens = Grid.useBreakpoint();
  const wide = screens.lg ?? true;
  const [open, setOpen] = useState(false);
  const navigate = useNavigate();
  const { pathname } = useLocation();
  const other = i18n.language === 'en' ? 'zh-CN' : 'en';

  const items = useMemo(
    () =>
      PAGES.filter((p) => !p.hidden && hasRole(me, p.roles)).map((p) => ({
        key: p.path,
        icon: p.icon,
        label: t(p.labelKey as 'app.name'),
      })),
    [me, t],
  );
  const menu = (
    <Menu
      mode="inline"
      selectedKeys={[selectedKey(pathname)]}
      items={items}
      onClick={({ key }) => {
        setOpen(false);
        void navigate(key);
      }}
    />
  );
  const roles = list(
    me.roles.map((r) => t(`roles.${r}`)),
    i18n.language,
  );

  return (
    <Layout className="tv-shell">
      <a className="tv-skip" href="#main">
        {t('app.skip')}
      </a>
      <Layout.Header className="tv-header">
        {!wide && (
          <Button
            type="text"
            className="tv-menu-button"
            icon={<MenuOutlined />}
            aria-label={t('app.menu')}
            aria-expanded={open}
            onClick={() => setOpen(true)}
          />
        )}
        <a
          className="tv-brand"
          href="/console/"
          onClick={(e) => {
            e.preventDefault();
            void navigate('/');
          }}
        >
          <span className="tv-brand-name">{t('app.name')}</span>
          {wide && <span className="tv-brand-owner">{t('app.owner')}</span>}
        </a>
        <div className="tv-header-end">
          {wide && (
            <div className="tv-who" role="group" aria-label={t('app.signedInAs')}>
              <span className="tv-who-name">{me.displayName}</span>
              <span className="tv-who-roles">
                {roles}
                {me.organizationName ? ` · ${me.organizationName}` : ''}
              </span>
            </div>
          )}
          <Button size="small" onClick={() => void changeLanguage(other)}>
            <span lang={other}>{t('app.otherLanguage')}</span>
          </Button>
          <Button size="small" icon={<LogoutOutlined />} onClick={onLogout}>
            {t('app.logout')}
          </Button>
        </div>
      </Layout.Header>
      <Layout>
        {wide ? (
          <Layout.Sider width={232} theme="light" className="tv-sider">
            <nav aria-label={t('app.navigation')}>{menu}</nav>
          </Layout.Sider>
        ) : (
          <Drawer placement="left" open={open} onClose={() => setOpen(false)} title={t('app.menu')} size={280}>
            {/* On a phone the header has no room for who is logged in: the menu says it. */}
            <div className="tv-drawer-who">
              <div className="tv-strong">{me.displayName}</div>
              <div className="tv-sub">
                {roles}
                {me.organizationName ? ` · ${me.organizationName}` : ''}
              </div>
            </div>
            <nav aria-label={t('app.navigation')}>{menu}</nav>
          </Drawer>
        )}
        {/* Not Layout.Content: it is a <main> of its own, and the page's is the one below. */}
        <div className="tv-content">
          <main id="main" className="tv-main" tabIndex={-1}>
            {children}
          </main>
          <footer className="tv-footer">
            <Typography.Text type="secondary">{t('app.footer')}</Typography.Text>
          </footer>
        </div>
      </Layout>
    </Layout>
  );
}
