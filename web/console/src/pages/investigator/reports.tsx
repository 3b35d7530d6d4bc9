/**
 * Parents' suspicious-call reports (GET /v1/reports?from&to): clustered by who the caller claimed to
 * be and the calling number, with what the callers knew (field names and counts, never a value);
 * the period's reports traced as a complaint set (POST /v1/traces { reports: { from, to } }, a job
 * followed to its report's page).
 */
import { Button, Card, DatePicker, Empty, Progress, Table, Tag, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { api, must, raw } from '../../api/client.ts';
import { ErrorAlert } from '../../components/error-alert.tsx';
import { TableRegion } from '../../components/table-region.tsx';
import { useLoad } from '../../components/use-load.ts';
import { useTitle } from '../../components/use-title.ts';
import { dateTime } from '../../format.ts';
import '../../oversight.css';
import { useTraceJob, type TraceJob } from './trace.tsx';

type Cluster = Awaited<ReturnType<typeof load>>['clusters'][number];
const load = (from: string, to: string) => must(api.GET('/v1/reports', { params: { query: { from, to } } }));

export function ReportsPage() {
  const { t, i18n } = useTranslation('investigation');
  const { t: tr } = useTranslation('records');
  useTitle(t('reports.title'));
  const lng = i18n.language;
  const navigate = useNavigate();
  const [range, setRange] = useState<[Dayjs, Dayjs]>([dayjs().subtract(90, 'day'), dayjs()]);
  const [asked, setAsked] = useState(range);
  // Instants, the days taken in Beijing time: from the first day's start to the day after the last (excluded).
  const from = `${asked[0].format('YYYY-MM-DD')}T00:00:00+08:00`;
  const to = `${asked[1].add(1, 'day').format('YYYY-MM-DD')}T00:00:00+08:00`;
  const got = useLoad(() => load(from, to), [from, to]);
  const trace = useTraceJob((id) => void navigate(`/traces/${encodeURIComponent(id)}`));
  const [busy, setBusy] = useState(false);

  const traceAll = async () => {
    trace.reset();
    setBusy(true);
    try {
      trace.follow(await raw<TraceJob>('POST', '/v1/traces', { reports: { from, to } }));
    } catch (e) {
      trace.setError(e);
    } finally {
      setBusy(false);
    }
  };
  const field = (f: string) => tr(`fields.${f}` as 'fields.babyName', { defaultValue: f });
  const d = got.data;
  return (
    <>
      <Typography.Title level={1} className="tv-page-title">
        {t('reports.title')}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{t('reports.intro')}</Typography.Paragraph>
      <Card className="tv-block">
        <div className="tv-toolbar">
          <DatePicker.RangePicker
            aria-label={`${t('reports.from')} – ${t('reports.to')}`}
            value={range}
            allowClear={false}
            onChange={(v) => v && v[0] && v[1] && setRange([v[0], v[1]])}
          />
          <Button onClick={() => setAsked(range)}>{t('reports.load')}</Button>
          <Button
            type="primary"
            disabled={!d || d.reports === 0}
            loading={busy || (trace.job !== undefined && !trace.error)}
            onClick={() => void traceAll()}
          >
            {t('reports.trace')}
          </Button>
        </div>
        {trace.job && !trace.error && (
          <div aria-live="polite" className="tv-import-progress">
            <Progress
              percent={
                trace.job.progress?.total ? Math.floor((trace.job.progress.done / trace.job.progress.total) * 100) : 10
              }
              status="active"
              aria-label={t('reports.trace')}
            />
          </div>
        )}
        <ErrorAlert error={trace.error ?? got.error} />
      </Card>
      {d && (
        <Card
          className="tv-block"
          title={<h2 className="tv-card-title">{t('reports.total', { count: d.reports })}</h2>}
        >
          {d.clusters.length === 0 ? (
            <Empty description={t('reports.none')} />
          ) : (
            <TableRegion label={t('reports.title')}>
              <Table<Cluster>
                rowKey="id"
                size="small"
                pagination={{ pageSize: 10, hideOnSinglePage: true }}
                dataSource={d.clusters}
                columns={[
                  {
                    title: t('reports.claimed'),
                    dataIndex: 'claimedToBe',
                    render: (c: string[]) => c.join('、') || '—',
                  },
                  {
                    title: t('reports.knew'),
                    dataIndex: 'knew',
                    render: (k: Cluster['knew']) => (
                      <span className="tv-cluster-knew">
                        {k.map((x) => (
                          <Tag key={x.field}>
                            {field(x.field)} × {x.reports}
                          </Tag>
                        ))}
                      </span>
                    ),
                  },
                  { title: t('reports.reports'), dataIndex: 'reports' },
                  { title: t('reports.families'), dataIndex: 'families' },
                  {
                    title: t('reports.callers'),
                    dataIndex: 'callers',
                    render: (c: Cluster['callers']) => c.map((x) => `${x.masked} (${x.reports})`).join('、'),
                  },
                  {
                    title: t('reports.period'),
                    key: 'period',
                    render: (_: unknown, c: Cluster) =>
                      `${dateTime(c.firstCallAt, lng)} – ${dateTime(c.lastCallAt, lng)}`,
                  },
                ]}
              />
            </TableRegion>
          )}
        </Card>
      )}
    </>
  );
}
