/**
 * The alerts queue (GET /v1/alerts; GET /v1/alerts/{id} with the principal's recent activity;
 * POST …/resolve lifts the block, POST …/keep-blocked keeps it with a reason). The activity is a
 * chart of records seen in clear per day (ECharts, text tooltips) with the same numbers as a table.
 */
import { App, Button, Card, Descriptions, Empty, Select, Table, Tag, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, must, raw } from '../../api/client.ts';
import { Chart, TEXT_TOOLTIP } from '../../components/chart.tsx';
import { ErrorAlert } from '../../components/error-alert.tsx';
import { TableRegion } from '../../components/table-region.tsx';
import { useLoad } from '../../components/use-load.ts';
import { useTitle } from '../../components/use-title.ts';
import { date, dateTime } from '../../format.ts';
import '../../oversight.css';

interface Alert {
  readonly id: string;
  readonly at: string;
  readonly principalId: string;
  readonly rule: string;
  readonly action: string;
  readonly resolvedAt: string | null;
  readonly resolution: 'lifted' | 'kept_blocked' | null;
}
type Detail = Awaited<ReturnType<typeof loadOne>>;
const loadOne = (id: string) => must(api.GET('/v1/alerts/{id}', { params: { path: { id } } }));
const REASONS = ['under_investigation', 'confirmed_misuse', 'awaiting_explanation', 'credentials_compromised'] as const;

export function AlertsPage() {
  const { t, i18n } = useTranslation('oversight');
  useTitle(t('alerts.title'));
  const lng = i18n.language;
  const list = useLoad(() => raw<{ alerts: Alert[] }>('GET', '/v1/alerts?limit=100'));
  const [chosen, setChosen] = useState<string>();
  const alerts = list.data?.alerts ?? [];
  const id = chosen ?? alerts.find((a) => !a.resolvedAt)?.id ?? alerts[0]?.id;
  const ruleName = (r: string) => t(`alerts.rules.${r}` as 'alerts.rules.velocity', { defaultValue: r });

  return (
    <>
      <Typography.Title level={1} className="tv-page-title">
        {t('alerts.title')}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{t('alerts.intro')}</Typography.Paragraph>
      <ErrorAlert error={list.error} />
      {list.data && alerts.length === 0 && (
        <Card className="tv-block">
          <Empty description={t('alerts.none')} />
        </Card>
      )}
      {id && (
        <div className="tv-side-by-side tv-block">
          <section aria-labelledby="tv-alert-list">
            <h2 id="tv-alert-list" className="tv-subtitle">
              {t('alerts.title')} ({alerts.length})
            </h2>
            {alerts.map((a) => (
              <Button
                key={a.id}
                className={`tv-pick${a.id === id ? ' tv-pick-on' : ''}`}
                aria-pressed={a.id === id}
                onClick={() => setChosen(a.id)}
              >
                <strong>{ruleName(a.rule)}</strong> ·{' '}
                {a.resolvedAt ? (
                  <Tag className="tv-tag-ok">
                    {t(a.resolution === 'kept_blocked' ? 'alerts.keptBlocked' : 'alerts.lifted')}
                  </Tag>
                ) : (
                  <Tag className="tv-tag-bad">{t('alerts.unresolved')}</Tag>
                )}
                <br />
                <Typography.Text type="secondary">{dateTime(a.at, lng)}</Typography.Text>
              </Button>
            ))}
          </section>
          <AlertDetail key={id} id={id} onDone={list.reload} />
        </div>
      )}
    </>
  );
}

function AlertDetail({ id, onDone }: { readonly id: string; readonly onDone: () => void }) {
  const { t, i18n } = useTranslation('oversight');
  const { t: ts } = useTranslation('shell');
  const { t: ti } = useTranslation('investigation');
  const { message } = App.useApp();
  const lng = i18n.language;
  const one = useLoad(() => loadOne(id), [id]);
  const [reason, setReason] = useState<(typeof REASONS)[number]>('under_investigation');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const d: Detail | undefined = one.data;
  const days = d?.activity.clearPerDay ?? [];
  const name = d?.principal.displayName ?? d?.principal.id ?? '';
  const option = useMemo(
    () => ({
      tooltip: TEXT_TOOLTIP,
      grid: { left: 48, right: 16, top: 24, bottom: 32 },
      xAxis: { type: 'category', data: days.map((x) => date(x.day, lng)) },
      yAxis: { type: 'value', minInterval: 1 },
      series: [
        { type: 'bar', name: t('alerts.records'), data: days.map((x) => x.records), itemStyle: { color: '#1d4ed8' } },
      ],
    }),
    [days, lng, t],
  );
  const act = async (how: 'resolve' | 'keep') => {
    setBusy(true);
    setError(undefined);
    try {
      if (how === 'resolve') await must(api.POST('/v1/alerts/{id}/resolve', { params: { path: { id } } }));
      else await must(api.POST('/v1/alerts/{id}/keep-blocked', { params: { path: { id } }, body: { reason } }));
      void message.success(t('alerts.done'));
      one.reload();
      onDone();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  if (one.error) return <ErrorAlert error={one.error} />;
  if (!d) return <Card loading />;
  const summary = days.map((x) => `${date(x.day, lng)} ${x.records}`).join('；');
  return (
    <Card title={<h2 className="tv-card-title">{t('alerts.what')}</h2>}>
      <Descriptions column={1} size="small" bordered>
        <Descriptions.Item label={t('alerts.rule')}>
          {t(`alerts.rules.${d.alert.rule}` as 'alerts.rules.velocity', { defaultValue: d.alert.rule })}
        </Descriptions.Item>
        <Descriptions.Item label={t('alerts.action')}>
          {t(`guard.act.${d.alert.action}` as 'guard.act.block', { defaultValue: d.alert.action })}
        </Descriptions.Item>
        <Descriptions.Item label={t('common.at')}>{dateTime(d.alert.at, lng)}</Descriptions.Item>
        <Descriptions.Item label={t('alerts.principal')}>
          {name} · {d.principal.roles.map((r) => ts(`roles.${r}` as 'roles.dpo', { defaultValue: r })).join('、')}
          {d.principal.organization ? ` · ${d.principal.organization.name}` : ''}
          {d.principal.blocked && <Tag className="tv-tag-bad tv-tag-after">{t('alerts.blocked')}</Tag>}
        </Descriptions.Item>
        <Descriptions.Item label={t('alerts.status')}>
          {d.alert.resolvedAt
            ? `${t(d.alert.resolution === 'kept_blocked' ? 'alerts.keptBlocked' : 'alerts.lifted')} · ` +
              dateTime(d.alert.resolvedAt, lng)
            : t('alerts.unresolved')}
        </Descriptions.Item>
      </Descriptions>
      <h3 className="tv-subtitle tv-top-gap">{t('alerts.perDay')}</h3>
      <Chart option={option} label={t('alerts.chartLabel', { name, days: days.length, summary })} height={220} />
      <TableRegion label={t('alerts.disclosures')}>
        <Table
          rowKey="id"
          size="small"
          className="tv-top-gap"
          pagination={{ pageSize: 5, hideOnSinglePage: true }}
          title={() => t('alerts.disclosures')}
          dataSource={d.activity.recentDisclosures}
          columns={[
            { title: t('common.at'), dataIndex: 'at', render: (a: string) => dateTime(a, lng) },
            {
              title: t('alerts.channel'),
              dataIndex: 'channel',
              render: (c: string) => ti(`report.channels.${c}` as 'report.channels.export', { defaultValue: c }),
            },
            {
              title: t('alerts.purpose'),
              dataIndex: 'purpose',
              render: (p: string) => ts(`purposes.${p}` as 'purposes.treatment', { defaultValue: p }),
            },
            { title: t('alerts.records'), dataIndex: 'records' },
            { title: t('alerts.fields'), dataIndex: 'fields' },
          ]}
        />
      </TableRegion>
      <ErrorAlert error={error} />
      {!d.alert.resolvedAt && (
        <div className="tv-toolbar tv-top-gap">
          <Button type="primary" loading={busy} onClick={() => void act('resolve')}>
            {t('alerts.resolve')}
          </Button>
          <Select
            aria-label={t('alerts.keepReason')}
            className="tv-select-kind"
            value={reason}
            onChange={setReason}
            options={REASONS.map((r) => ({ value: r, label: t(`alerts.reasons.${r}`) }))}
          />
          <Button danger loading={busy} onClick={() => void act('keep')}>
            {t('alerts.keep')}
          </Button>
        </div>
      )}
    </Card>
  );
}
