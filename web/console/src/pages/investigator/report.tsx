/**
 * A trace's report (GET /v1/traces/{id}), naming people, not ids: the verdict (the accused
 * disclosure and person — name, role, organisation, ward — or the confidence sets), the time window
 * on a timeline with the candidates' disclosures (ECharts, Beijing time), the families affected (a
 * count; no one is named), the mixture of sources, the evidence per candidate, and the draft
 * notices, sent to the families' portal with one action (POST /v1/traces/{id}/confirm).
 */
import { Alert, App, Button, Card, Checkbox, Descriptions, Statistic, Table, Tag, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router';
import { api, must, raw } from '../../api/client.ts';
import { Chart, TEXT_TOOLTIP } from '../../components/chart.tsx';
import { ErrorAlert } from '../../components/error-alert.tsx';
import { TableRegion } from '../../components/table-region.tsx';
import { useLoad } from '../../components/use-load.ts';
import { useTitle } from '../../components/use-title.ts';
import { date, dateTime } from '../../format.ts';
import '../../oversight.css';
import type { Candidate, TraceReport } from './report-types.ts';

const ACTIONS = [
  'source_account_suspended',
  'exports_reviewed',
  'regulator_informed',
  'partner_access_revoked',
  'police_informed',
] as const;
type Action = (typeof ACTIONS)[number];

export function ReportPage() {
  const { t, i18n } = useTranslation('investigation');
  const { t: ts } = useTranslation('shell');
  useTitle(t('report.title'));
  const { message } = App.useApp();
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const lng = i18n.language;
  const got = useLoad(() => raw<TraceReport>('GET', `/v1/traces/${encodeURIComponent(id)}`), [id]);
  const [actions, setActions] = useState<Action[]>([]);
  const [sent, setSent] = useState<{ guardians: number; records: number }>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const r = got.data?.candidates ? got.data : undefined;

  const who = (principalId: string) => {
    const p = r?.people?.[principalId];
    if (!p) return principalId === 'elsewhere' ? t('report.elsewhere') : principalId;
    return p.displayName;
  };
  const role = (principalId: string) =>
    (r?.people?.[principalId]?.roles ?? []).map((x) => ts(`roles.${x}` as 'roles.dpo', { defaultValue: x })).join('、');
  const place = (principalId: string) => {
    const p = r?.people?.[principalId];
    return p ? [...(p.wards ?? []), ...(p.districts ?? [])].join('、') || '—' : '—';
  };
  const disclosure = (disclosureId: string | null) => (disclosureId ? r?.disclosures?.[disclosureId] : undefined);
  const purpose = (p: string) => ts(`purposes.${p}` as 'purposes.treatment', { defaultValue: p });
  const channel = (c: string) => t(`report.channels.${c}` as 'report.channels.export', { defaultValue: c });

  const timeline = useMemo(() => {
    if (!r) return undefined;
    const points = r.candidates
      .map((c) => ({ c, d: disclosure(c.disclosureId) }))
      .filter((x) => x.d)
      .map((x) => ({
        name: who(x.c.principalId),
        value: [Date.parse(x.d!.at), x.c.principalId === r.accused?.principalId ? 1 : 0],
      }));
    const from = r.window.from ? Date.parse(r.window.from) : undefined;
    const to = r.window.to ? Date.parse(r.window.to) : Date.now();
    // Month and day in Beijing time (the year is in the words below the chart): short enough for a phone.
    const md = new Intl.DateTimeFormat(lng === 'en' ? 'en-GB' : 'zh-CN', {
      timeZone: 'Asia/Shanghai',
      month: '2-digit',
      day: '2-digit',
    });
    const fmt = (v: number) => md.format(new Date(v));
    // The axis spans the window and every disclosure, with a margin of a twentieth on each side.
    const times = [...points.map((p) => p.value[0]!), ...(from !== undefined ? [from, to] : [])];
    const lo = Math.min(...times),
      hi = Math.max(...times);
    const pad = Math.max((hi - lo) / 20, 86_400_000);
    return {
      tooltip: {
        ...TEXT_TOOLTIP,
        trigger: 'item',
        formatter: (p: { name: string; value: number[] }) =>
          `${p.name} ${dateTime(new Date(p.value[0]!).toISOString(), lng)}`,
      },
      grid: { left: 24, right: 24, top: 40, bottom: 40 },
      xAxis: {
        type: 'time',
        min: lo - pad,
        max: hi + pad,
        splitNumber: 4,
        axisLabel: { formatter: fmt, hideOverlap: true },
      },
      yAxis: { type: 'value', show: false, min: -1, max: 2 },
      series: [
        {
          type: 'scatter',
          symbolSize: 14,
          data: points,
          itemStyle: { color: '#b91c1c' },
          label: { show: true, position: 'top', formatter: (p: { name: string }) => p.name, color: '#111827' },
          markArea:
            from !== undefined
              ? {
                  itemStyle: { color: 'rgba(29,78,216,0.12)' },
                  data: [[{ xAxis: from, name: t('report.window') }, { xAxis: to }]],
                }
              : undefined,
        },
      ],
    };
  }, [r, lng]);
  const mixture = useMemo(
    () =>
      r?.mixture && r.mixture.length > 0
        ? {
            tooltip: { ...TEXT_TOOLTIP, trigger: 'item' },
            grid: { left: 120, right: 32, top: 16, bottom: 24, containLabel: false },
            xAxis: { type: 'value', minInterval: 1 },
            yAxis: { type: 'category', inverse: true, data: r.mixture.map((m) => who(m.principalId)) },
            series: [
              {
                type: 'bar',
                name: t('report.mixtureRows'),
                data: r.mixture.map((m) => ({
                  value: m.rows,
                  itemStyle: { color: m.accused ? '#b91c1c' : '#64748b' },
                })),
                label: { show: true, position: 'right' },
              },
            ],
          }
        : undefined,
    [r, lng],
  );

  const confirm = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const s = await must(api.POST('/v1/traces/{id}/confirm', { params: { path: { id } }, body: { actions } }));
      setSent({ guardians: s.guardians, records: s.records });
      void message.success(t('report.sent', { guardians: s.guardians, records: s.records }));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  if (got.error || !r)
    return (
      <>
        <Typography.Title level={1} className="tv-page-title">
          {t('report.title')}
        </Typography.Title>
        <ErrorAlert error={got.error} />
        {!got.error && <Card loading />}
      </>
    );

  const accused = r.accused;
  const accusedDisclosure = disclosure(accused?.disclosureId ?? null);
  const sets = Object.entries(r.confidenceSets);
  return (
    <>
      <Typography.Title level={1} className="tv-page-title">
        {t('report.title')}
      </Typography.Title>
      <Typography.Paragraph type="secondary">
        {t('report.created', { at: dateTime(r.createdAt, lng) })}
      </Typography.Paragraph>
      <div className="tv-toolbar">
        <Button onClick={() => void navigate('/trace')}>{t('report.back')}</Button>
      </div>
      <Card className="tv-block" title={<h2 className="tv-card-title">{t('report.verdict')}</h2>}>
        {accused ? (
          <section aria-label={t('report.accused')} className="tv-verdict">
            <Typography.Paragraph strong>{t('report.accused')}</Typography.Paragraph>
            <Descriptions column={1} size="small" bordered>
              <Descriptions.Item label={t('report.person')}>
                <strong data-testid="accused-name">{who(accused.principalId)}</strong>
              </Descriptions.Item>
              <Descriptions.Item label={t('report.role')}>{role(accused.principalId) || '—'}</Descriptions.Item>
              <Descriptions.Item label={t('report.organization')}>
                {r.people?.[accused.principalId]?.organizationName ?? '—'}
              </Descriptions.Item>
              <Descriptions.Item label={t('report.ward')}>{place(accused.principalId)}</Descriptions.Item>
              {accusedDisclosure && (
                <Descriptions.Item label={t('report.disclosure')}>
                  {channel(accusedDisclosure.channel)} · {purpose(accusedDisclosure.purpose)} ·{' '}
                  {dateTime(accusedDisclosure.at, lng)}
                </Descriptions.Item>
              )}
            </Descriptions>
            <Typography.Paragraph className="tv-top-gap">
              {t('report.strength', { lr: accused.log10LR.toFixed(1) })}
            </Typography.Paragraph>
          </section>
        ) : (
          <>
            <Typography.Paragraph>{t('report.noAccused')}</Typography.Paragraph>
            {sets.map(([eps, ids]) => (
              <Typography.Paragraph key={eps}>
                <strong>{t('report.confidence', { eps })}</strong>
                {lng === 'en' ? ': ' : '：'}
                {ids.map((x) => who(x)).join(lng === 'en' ? ', ' : '、')}
              </Typography.Paragraph>
            ))}
          </>
        )}
      </Card>
      <div className="tv-report-stats tv-block">
        <Card>
          <Statistic
            title={<h2 className="tv-card-title">{t('report.affected')}</h2>}
            value={t('report.affectedCount', { count: r.affected.total })}
          />
          <Typography.Paragraph type="secondary" className="tv-top-gap">
            {t('report.affectedDirect', { count: r.affected.direct.length })}
            <br />
            {t('report.affectedVia', { count: r.affected.viaSource.length })}
          </Typography.Paragraph>
        </Card>
        <Card>
          <Statistic title={<h2 className="tv-card-title">{t('report.rows')}</h2>} value={r.rows.total} />
          <Typography.Paragraph type="secondary" className="tv-top-gap">
            {t('report.rowsDetail', r.rows)}
          </Typography.Paragraph>
        </Card>
      </div>
      <Card className="tv-block" title={<h2 className="tv-card-title">{t('report.window')}</h2>}>
        {timeline && (r.window.from || r.candidates.some((c) => disclosure(c.disclosureId))) && (
          <Chart
            option={timeline}
            height={200}
            label={t('report.windowLabel', {
              from: dateTime(r.window.from, lng),
              to: r.window.to ? dateTime(r.window.to, lng) : t('report.unknownTime'),
              at: accusedDisclosure ? dateTime(accusedDisclosure.at, lng) : t('report.unknownTime'),
            })}
          />
        )}
        <Descriptions column={{ xs: 1, md: 3 }} size="small" className="tv-top-gap">
          <Descriptions.Item label={t('report.windowFrom')}>{dateTime(r.window.from, lng)}</Descriptions.Item>
          <Descriptions.Item label={t('report.windowTo')}>
            {r.window.to ? dateTime(r.window.to, lng) : t('report.unknownTime')}
          </Descriptions.Item>
          <Descriptions.Item label={t('report.disclosedAt')}>
            {accusedDisclosure ? dateTime(accusedDisclosure.at, lng) : t('report.unknownTime')}
          </Descriptions.Item>
        </Descriptions>
      </Card>
      {mixture && r.mixture && (
        <Card className="tv-block" title={<h2 className="tv-card-title">{t('report.mixture')}</h2>}>
          <Chart
            option={mixture}
            height={Math.max(120, 48 * r.mixture.length + 40)}
            label={t('report.mixtureLabel', {
              summary: r.mixture.map((m) => `${who(m.principalId)} ${m.rows}`).join('；'),
            })}
          />
        </Card>
      )}
      <Card className="tv-block" title={<h2 className="tv-card-title">{t('report.candidates')}</h2>}>
        <TableRegion label={t('report.candidates')}>
          <Table<Candidate>
            rowKey={(c) => `${c.principalId}-${c.disclosureId ?? ''}`}
            size="small"
            pagination={{ pageSize: 10, hideOnSinglePage: true }}
            dataSource={[...r.candidates]}
            rowClassName={(c) => (c.principalId === accused?.principalId ? 'tv-overdue-row' : '')}
            columns={[
              {
                title: t('report.person'),
                key: 'who',
                render: (_: unknown, c: Candidate) => (
                  <>
                    <strong>{who(c.principalId)}</strong>
                    {c.principalId === accused?.principalId && <Tag className="tv-tag-bad">{t('report.accused')}</Tag>}
                    <br />
                    <Typography.Text type="secondary">
                      {[role(c.principalId), r.people?.[c.principalId]?.organizationName, place(c.principalId)]
                        .filter((x) => x && x !== '—')
                        .join(' · ')}
                    </Typography.Text>
                  </>
                ),
              },
              {
                title: t('report.disclosure'),
                key: 'disclosure',
                render: (_: unknown, c: Candidate) => {
                  const d = disclosure(c.disclosureId);
                  return d ? `${channel(d.channel)} · ${purpose(d.purpose)} · ${date(d.at, lng)}` : '—';
                },
              },
              { title: t('report.consistentRows'), dataIndex: 'consistentRows' },
              { title: t('report.lr'), dataIndex: 'log10LR', render: (n: number) => n.toFixed(1) },
              { title: t('report.fingerprint'), dataIndex: 'log10Fingerprint', render: (n: number) => n.toFixed(1) },
              { title: t('report.canaries'), dataIndex: 'canaries' },
            ]}
          />
        </TableRegion>
        {(r.missingEvidence?.length ?? 0) > 0 && (
          <>
            <h3 className="tv-subtitle tv-top-gap">{t('report.missing')}</h3>
            <ul className="tv-list">
              {r.missingEvidence!.map((m) => (
                <li key={m}>{m}</li>
              ))}
            </ul>
          </>
        )}
      </Card>
      <Card className="tv-block" title={<h2 className="tv-card-title">{t('report.notices')}</h2>}>
        <div className="tv-side-by-side tv-notices">
          <section>
            <h3 className="tv-subtitle">{t('report.regulator')}</h3>
            <pre className="tv-notice">{r.notices.regulator}</pre>
          </section>
          <section>
            <h3 className="tv-subtitle">{t('report.families')}</h3>
            <pre className="tv-notice">{r.notices.families}</pre>
          </section>
        </div>
        <fieldset className="tv-top-gap tv-fieldset">
          <legend>{t('report.confirmIntro')}</legend>
          <Checkbox.Group
            value={actions}
            onChange={(v) => setActions(v)}
            options={ACTIONS.map((a) => ({ value: a, label: t(`report.actions.${a}`) }))}
          />
        </fieldset>
        <ErrorAlert error={error} />
        {sent ? (
          <Alert type="success" showIcon role="status" title={t('report.sent', sent)} />
        ) : (
          <Button type="primary" loading={busy} onClick={() => void confirm()}>
            {t('report.confirm')}
          </Button>
        )}
      </Card>
    </>
  );
}
