import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';

/** The document's title: the page's, then the console's name (WCAG 2.4.2). */
export function useTitle(title: string): void {
  const { t } = useTranslation('shell');
  useEffect(() => {
    document.title = `${title} · ${t('app.name')}`;
  }, [title, t]);
}
