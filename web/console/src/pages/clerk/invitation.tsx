/**
 * A record's parents' portal invitation, to print (POST /v1/records/{id}/invitations): made on a
 * button, shown once (kept in this page's memory only, never in the URL or storage), laid out as a
 * letter with print styles (the console's frame is not printed).
 */
import { ArrowLeftOutlined, PrinterOutlined } from '@ant-design/icons';
import { Button, Card, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router';
import { api, must } from '../../api/client.ts';
import { ErrorAlert } from '../../components/error-alert.tsx';
import { useTitle } from '../../components/use-title.ts';
import { dateTime } from '../../format.ts';
import { useMe } from '../../me.tsx';

export function InvitationPage() {
  const { t, i18n } = useTranslation('clerk');
  useTitle(t('invite.title'));
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const me = useMe();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [invitation, setInvitation] = useState<{ code: string; expiresAt: string }>();

  const issue = async () => {
    setBusy(true);
    setError(undefined);
    try {
      setInvitation(await must(api.POST('/v1/records/{id}/invitations', { params: { path: { id } } })));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <div className="tv-no-print">
        <Button
          type="link"
          icon={<ArrowLeftOutlined />}
          className="tv-back"
          onClick={() => void navigate(`/records/${encodeURIComponent(id)}`)}
        >
          {t('invite.back')}
        </Button>
      </div>
      {!invitation ? (
        <>
          <Typography.Title level={1} className="tv-page-title">
            {t('invite.title')}
          </Typography.Title>
          <Typography.Paragraph type="secondary">{t('invite.intro')}</Typography.Paragraph>
          {error !== undefined && (
            <div className="tv-block">
              <ErrorAlert error={error} />
            </div>
          )}
          <Button type="primary" loading={busy} onClick={() => void issue()}>
            {t('invite.issue')}
          </Button>
        </>
      ) : (
        <>
          <div className="tv-toolbar tv-no-print">
            <Button type="primary" icon={<PrinterOutlined />} onClick={() => window.print()}>
              {t('invite.print')}
            </Button>
          </div>
          <Card className="tv-letter">
            <Typography.Title level={1} className="tv-page-title">
              {t('invite.printTitle')}
            </Typography.Title>
            {me.organizationName && <p className="tv-letter-from">{me.organizationName}</p>}
            <p>{t('invite.printIntro')}</p>
            <ol className="tv-letter-steps">
              <li>
                {t('invite.step1')} <strong>{`${location.origin}/portal/`}</strong>
              </li>
              <li>{t('invite.step2')}</li>
              <li>{t('invite.step3')}</li>
            </ol>
            <div className="tv-letter-code">
              <span className="tv-letter-code-label">{t('invite.code')}</span>
              <span className="tv-code-big" data-testid="invitation-code">
                {invitation.code}
              </span>
              <span>{t('invite.expires', { at: dateTime(invitation.expiresAt, i18n.language) })}</span>
            </div>
            <p className="tv-letter-note">{t('invite.note')}</p>
          </Card>
          <Typography.Paragraph type="secondary" className="tv-no-print tv-top-gap">
            {t('invite.gone')}
          </Typography.Paragraph>
        </>
      )}
    </>
  );
}
