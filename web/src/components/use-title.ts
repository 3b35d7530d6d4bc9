import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';

/** The document's title names the page first (WCAG 2.4.2), in the page's language. */
export function useTitle(page: string): void {
  const { t } = useTranslation();
  useEffect(() => {
    document.title = t('app.pageTitle', { page });
  }, [page, t]);
}
