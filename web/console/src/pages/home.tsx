/** The start: the person's name and roles, and a card for each page their roles may use. */
import { Card, Col, Row, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useTitle } from '../components/use-title.ts';
import { list } from '../format.ts';
import { hasRole, useMe } from '../me.tsx';
import { PAGES } from '../nav.tsx';

export function HomePage() {
  const { t, i18n } = useTranslation('shell');
  const me = useMe();
  useTitle(t('home.title', { name: me.displayName }));
  const pages = PAGES.filter((p) => !p.hidden && hasRole(me, p.roles));
  return (
    <>
      <Typography.Title level={1} className="tv-page-title">
        {t('home.title', { name: me.displayName })}
      </Typography.Title>
      <Typography.Paragraph type="secondary">
        {list(
          me.roles.map((r) => t(`roles.${r}`)),
          i18n.language,
        )}
        {me.organizationName ? ` · ${me.organizationName}` : ''}
      </Typography.Paragraph>
      <Typography.Paragraph>{pages.length ? t('home.intro') : t('home.none')}</Typography.Paragraph>
      <Row gutter={[16, 16]}>
        {pages.map((p) => (
          <Col key={p.path} xs={24} sm={12} xl={8}>
            <Link to={p.path} className="tv-home-link">
              <Card hoverable size="small">
                <span className="tv-home-icon" aria-hidden="true">
                  {p.icon}
                </span>
                <span className="tv-home-label">{t(p.labelKey as 'app.name')}</span>
              </Card>
            </Link>
          </Col>
        ))}
      </Row>
    </>
  );
}
