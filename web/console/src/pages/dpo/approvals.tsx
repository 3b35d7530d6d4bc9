/**
 * Export approvals (GET /v1/exports?status=pending; POST /v1/exports/{id}/approve|refuse): the
 * waiting exports and standing exports (a due list, ADR 0022) on one side, what the chosen one asks
 * on the other: kind, fields, purpose, rows, requester with roles and organisation, period, and the
 * requester's justification (shown to the approver only, never written to the ledger).
 */
import { Alert, App, Button, Card, Descriptions, Empty, Space, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, must } from '../../api/client.ts';
import { ErrorAlert } from '../../components/error-alert.tsx';
import { useLoad } from '../../components/use-load.ts';
import { useTitle } from '../../components/use-title.ts';
import { date, dateTime } from '../../format.ts';
import { useMe } from '../../me.tsx';
import '../../oversight.css';

type Pending = Awaited<ReturnType<typeof load>>['exports'][number];
const load = () => must(api.GET('/v1/exports', { params: { query: { status: 'pending', limit: 100 } } }));

export function ApprovalsPage() {
  const { t, i18n } = useTranslation('oversight');
  const { t: ts } = useTranslation('shell');
  const { t: tr } = useTranslation('records');
  useTitle(t('approvals.title'));
  const me = useMe();
  const { message } = App.useApp();
  const list = useLoad(load);
  const [chosen, setChosen] = useState<string>();
  const [busy, setBusy] = useState<'approve' | 'refuse'>();
  const [error, setError] = useState<unknown>();
  const lng = i18n.language;
  const exports = list.data?.exports ?? [];
  const current: Pending | undefined = exports.find((e) => e.id === chosen) ?? exports[0];

  const decide = async (e: Pending, how: 'approve' | 'refuse') => {
    setBusy(how);
    setError(undefined);
    try {
      const params = { params: { path: { id: e.id } } };
      await must(
        how === 'approve' ? api.POST('/v1/exports/{id}/approve', params) : api.POST('/v1/exports/{id}/refuse', params),
      );
      void message.success(t(how === 'approve' ? 'approvals.approved' : 'approvals.refused'));
      setChosen(undefined);
      list.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(undefined);
    }
  };
  const kindOf = (e: Pending) => (e.kind === 'records' ? t('approvals.export') : t('approvals.standing'));
  const purpose = (p: string) => ts(`purposes.${p}` as 'purposes.treatment', { defaultValue: p });

  return (
    <>
      <Typography.Title level={1} className="tv-page-title">
        {t('approvals.title')}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{t('approvals.intro')}</Typography.Paragraph>
      <ErrorAlert error={list.error} />
      {list.data && exports.length === 0 && (
        <Card className="tv-block">
          <Empty description={t('approvals.none')} />
        </Card>
      )}
      {current && (
        <div className="tv-side-by-side tv-block">
          <section aria-labelledby="tv-waiting">
            <h2 id="tv-waiting" className="tv-subtitle">
              {t('approvals.title')} ({exports.length})
            </h2>
            {exports.map((e) => (
              <Button
                key={e.id}
                className={`tv-pick${e.id === current.id ? ' tv-pick-on' : ''}`}
                aria-pressed={e.id === current.id}
                onClick={() => setChosen(e.id)}
              >
                <strong>{e.requester.displayName ?? e.requestedBy}</strong> · {kindOf(e)} · {purpose(e.purpose)}
                <br />
                <Typography.Text type="secondary">
                  {e.requester.organizationName ?? ''} · {dateTime(e.requestedAt, lng)}
                </Typography.Text>
              </Button>
            ))}
          </section>
          <Card title={<h2 className="tv-card-title">{t('approvals.asked')}</h2>}>
            <Descriptions column={1} size="small" bordered>
              <Descriptions.Item label={t('approvals.kind')}>
                {kindOf(current)}
                {current.canaryAware ? <Tag className="tv-tag-info">{t('approvals.canary')}</Tag> : null}
              </Descriptions.Item>
              <Descriptions.Item label={t('approvals.requester')}>
                {current.requester.displayName ?? current.requestedBy}
              </Descriptions.Item>
              <Descriptions.Item label={t('approvals.roles')}>
                {current.requester.roles.map((r) => ts(`roles.${r}` as 'roles.dpo', { defaultValue: r })).join('、')}
              </Descriptions.Item>
              <Descriptions.Item label={t('approvals.organization')}>
                {current.requester.organizationName ?? '—'}
              </Descriptions.Item>
              <Descriptions.Item label={t('approvals.purpose')}>{purpose(current.purpose)}</Descriptions.Item>
              <Descriptions.Item label={t('approvals.fields')}>
                <Space wrap size={[4, 4]}>
                  {current.fields.map((f) => (
                    <Tag key={f}>{tr(`fields.${f}` as 'fields.babyName', { defaultValue: f })}</Tag>
                  ))}
                </Space>
              </Descriptions.Item>
              <Descriptions.Item label={t('approvals.rows')}>{current.estimatedRows ?? '—'}</Descriptions.Item>
              <Descriptions.Item label={t('approvals.format')}>{current.format.toUpperCase()}</Descriptions.Item>
              {(current.validFrom || current.validTo) && (
                <Descriptions.Item label={t('approvals.period')}>
                  {date(current.validFrom, lng)} – {date(current.validTo, lng)}
                </Descriptions.Item>
              )}
              <Descriptions.Item label={t('approvals.requestedAt')}>
                {dateTime(current.requestedAt, lng)}
              </Descriptions.Item>
              <Descriptions.Item label={t('approvals.justification')}>
                {current.justification ?? t('approvals.noJustification')}
              </Descriptions.Item>
            </Descriptions>
            {current.requestedBy === me.id && (
              <Alert className="tv-top-gap" type="info" showIcon title={t('approvals.ownRequest')} />
            )}
            <ErrorAlert error={error} />
            <div className="tv-toolbar tv-top-gap">
              <Button
                type="primary"
                loading={busy === 'approve'}
                disabled={busy !== undefined || current.requestedBy === me.id}
                onClick={() => void decide(current, 'approve')}
              >
                {t('approvals.approve')}
              </Button>
              <Button
                danger
                loading={busy === 'refuse'}
                disabled={busy !== undefined || current.requestedBy === me.id}
                onClick={() => void decide(current, 'refuse')}
              >
                {t('approvals.refuse')}
              </Button>
            </div>
          </Card>
        </div>
      )}
    </>
  );
}
