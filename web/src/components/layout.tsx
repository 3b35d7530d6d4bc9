/**
 * Every page's frame: a skip link, the portal's name, the language switch and the large-text
 * switch (visible on every page, as buttons with their state), the page, and a footer.
 */
import { Button } from 'antd-mobile';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { applyLargeText, loadLargeText } from '../display-settings.ts';
import { changeLanguage } from '../i18n/setup.ts';

export function Layout({ children }: { readonly children: ReactNode }) {
  const { t, i18n } = useTranslation();
  const [large, setLarge] = useState(loadLargeText);
  const other = i18n.language === 'en' ? 'zh-CN' : 'en';
  return (
    <div className="tv-app">
      <a className="tv-skip" href="#main">
        {t('app.skip')}
      </a>
      <header className="tv-header">
        <div className="tv-header-inner">
          <Link className="tv-brand" to="/">
            <span className="tv-brand-name">{t('app.name')}</span>
            <span className="tv-brand-owner">{t('app.owner')}</span>
          </Link>
          <div className="tv-settings" role="group" aria-label={t('settings.group')}>
            <Button size="small" fill="outline" className="tv-setting" onClick={() => void changeLanguage(other)}>
              <span lang={other}>{t('settings.otherLanguage')}</span>
            </Button>
            <Button
              size="small"
              fill="outline"
              className="tv-setting"
              aria-pressed={large}
              onClick={() => {
                applyLargeText(!large);
                setLarge(!large);
              }}
            >
              {t('settings.largeText')}
            </Button>
          </div>
        </div>
      </header>
      <main id="main" className="tv-main" tabIndex={-1}>
        {children}
      </main>
      <footer className="tv-footer">
        <p>{t('app.footer')}</p>
      </footer>
    </div>
  );
}
