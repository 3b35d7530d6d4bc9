/** The start page: what the portal is for, in plain words, and the two ways in. */
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useTitle } from '../components/use-title.ts';

export function StartPage() {
  const { t } = useTranslation();
  useTitle(t('start.title'));
  return (
    <>
      <h1>{t('start.title')}</h1>
      <p className="tv-lead">{t('start.lead')}</p>
      <ul className="tv-list">
        <li>{t('start.can1')}</li>
        <li>{t('start.can2')}</li>
        <li>{t('start.can3')}</li>
      </ul>
      <section className="tv-section" aria-labelledby="enrol-title">
        <h2 id="enrol-title">{t('start.enrolTitle')}</h2>
        <p>{t('start.enrolText')}</p>
        <Link className="tv-button tv-button-primary" to="/enrol">
          {t('start.enrolButton')}
        </Link>
      </section>
      <section className="tv-section" aria-labelledby="login-title">
        <h2 id="login-title">{t('start.loginTitle')}</h2>
        <Link className="tv-button tv-button-secondary" to="/login">
          {t('start.loginButton')}
        </Link>
      </section>
    </>
  );
}
