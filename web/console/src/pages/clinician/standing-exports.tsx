/**
 * The vaccination nurse's standing exports of the due list (ADR 0022): she asks once for a period
 * (POST /v1/due-list/standing-exports), a data-protection officer approves it, and each run
 * (POST /v1/exports/{id}/runs) is a disclosure of its own, its rows marked for her, whose file the
 * browser saves under a name that holds dates only. Her requests: GET /v1/exports?mine=true; a
 * request's earlier runs: GET /v1/exports/{id}/runs.
 */
import { DownloadOutlined } from '@ant-design/icons';
import {
  Alert,
  App,
  Button,
  Card,
  DatePicker,
  Empty,
  Flex,
  Form,
  Grid,
  Input,
  List,
  Radio,
  Table,
  Tag,
  Typography,
} from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, must } from '../../api/client.ts';
import { ErrorAlert } from '../../components/error-alert.tsx';
import { TableRegion } from '../../components/table-region.tsx';
import { useLoad } from '../../components/use-load.ts';
import { useTitle } from '../../components/use-title.ts';
import { dateTime } from '../../format.ts';
import { saveBlob } from './save-blob.ts';
import { beijingToday, standingState, type StandingState } from './standing-state.ts';
import './standing-exports.css';

const ymd = (d: Dayjs) => d.format('YYYY-MM-DD');

async function mine() {
  const r = await must(api.GET('/v1/exports', { params: { query: { mine: 'true', limit: 200 } } }));
  return r.exports.filter((e) => e.kind === 'due_list');
}
type Standing = Awaited<ReturnType<typeof mine>>[number];
const TAG: Record<StandingState, string> = {
  waiting: 'tv-tag-wait',
  approved: 'tv-tag-ok',
  refused: 'tv-tag-bad',
  expired: 'tv-tag-info',
};

export function StandingExportsPage() {
  const { t } = useTranslation('clinician');
  useTitle(t('standing.title'));
  const list = useLoad(mine, []);
  return (
    <>
      <Typography.Title level={1} className="tv-page-title">
        {t('standing.title')}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{t('standing.intro')}</Typography.Paragraph>
      <Alert className="tv-block" type="warning" showIcon title={t('standing.recorded')} />
      <Card className="tv-block" title={<h2 className="tv-card-title">{t('standing.mine')}</h2>}>
        {list.error !== undefined && <ErrorAlert error={list.error} />}
        {list.data?.length === 0 && <Empty description={t('standing.none')} />}
        <Flex vertical gap="middle">
          {(list.data ?? []).map((e) => (
            <StandingCard key={e.id} e={e} />
          ))}
        </Flex>
      </Card>
      <AskCard onAsked={list.reload} />
    </>
  );
}

/** "Ask for a monthly list as a file": the period, the format, a justification for the approver. */
function AskCard({ onAsked }: { readonly onAsked: () => void }) {
  const { t } = useTranslation('clinician');
  const { message } = App.useApp();
  const wide = Grid.useBreakpoint().md ?? true;
  const [form] = Form.useForm<{ period: [Dayjs, Dayjs]; format: 'csv' | 'xlsx'; justification?: string }>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const ask = async (v: { period: [Dayjs, Dayjs]; format: 'csv' | 'xlsx'; justification?: string }) => {
    setBusy(true);
    setError(undefined);
    try {
      await must(
        api.POST('/v1/due-list/standing-exports', {
          body: {
            format: v.format,
            validFrom: ymd(v.period[0]),
            validTo: ymd(v.period[1]),
            ...(v.justification?.trim() ? { justification: v.justification.trim() } : {}),
          },
        }),
      );
      void message.success(t('standing.asked'));
      form.resetFields(['justification']);
      onAsked();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card title={<h2 className="tv-card-title">{t('standing.ask')}</h2>}>
      <Typography.Paragraph type="secondary">{t('standing.askIntro')}</Typography.Paragraph>
      {error !== undefined && (
        <div className="tv-block">
          <ErrorAlert error={error} />
        </div>
      )}
      <Form
        form={form}
        name="standing"
        layout="vertical"
        initialValues={{ period: [dayjs(), dayjs().add(6, 'month')], format: 'csv' }}
        onFinish={(v) => void ask(v)}
      >
        <Form.Item name="period" label={t('standing.period')} rules={[{ required: true }]}>
          <DatePicker.RangePicker
            allowClear={false}
            disabledDate={(d) => d.isBefore(dayjs(), 'day') || d.isAfter(dayjs().add(366, 'day'), 'day')}
            aria-label={t('standing.period')}
            className={wide ? undefined : 'tv-full'}
          />
        </Form.Item>
        <Form.Item name="format" label={t('standing.format')}>
          <Radio.Group
            options={[
              { value: 'csv', label: 'CSV' },
              { value: 'xlsx', label: 'Excel (XLSX)' },
            ]}
          />
        </Form.Item>
        <Form.Item name="justification" label={t('standing.justification')} extra={t('standing.justificationHint')}>
          <Input.TextArea rows={2} maxLength={500} />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={busy}>
          {t('standing.submit')}
        </Button>
      </Form>
    </Card>
  );
}

/** One request: its status and period; when approved, "run this month's list" and its earlier runs. */
function StandingCard({ e }: { readonly e: Standing }) {
  const { t, i18n } = useTranslation('clinician');
  const { message } = App.useApp();
  const state = standingState(e);
  /** Approved for a period not begun: runs are refused until its first day (409). */
  const notYet = e.validFrom !== null && e.validFrom > beijingToday();
  const wide = Grid.useBreakpoint().md ?? true;
  const runs = useLoad(
    async () =>
      state === 'approved' || state === 'expired'
        ? (await must(api.GET('/v1/exports/{id}/runs', { params: { path: { id: e.id } } }))).runs
        : [],
    [e.id, state],
  );
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const period = `${e.validFrom ?? '—'} – ${e.validTo ?? '—'}`;
  const run = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const call = api.POST('/v1/exports/{id}/runs', { params: { path: { id: e.id } }, body: {}, parseAs: 'blob' });
      const file = await must(call);
      const h = (await call).response.headers;
      // Dates only in the name: never a person's value (the file holds those).
      saveBlob(file, `due-list-${h.get('x-due-from') ?? beijingToday()}-${h.get('x-due-to') ?? ''}.${e.format}`);
      void message.success(t('standing.ran', { count: Number(h.get('x-record-count') ?? 0) }));
      runs.reload();
    } catch (x) {
      setError(x);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card size="small" type="inner" data-export-id={e.id}>
      <Flex wrap align="center" justify="space-between" gap="small" className="tv-standing-head">
        <h3 className="tv-card-title">
          {t('standing.item', { format: e.format.toUpperCase() })} <span className="tv-sub">{period}</span>
        </h3>
        <Tag className={TAG[state]}>
          {state === 'approved' ? t('standing.state.approved', { date: e.validTo }) : t(`standing.state.${state}`)}
        </Tag>
      </Flex>
      <Typography.Paragraph className="tv-sub">
        {t('standing.requestedAt', { at: dateTime(e.requestedAt, i18n.language) })}
        {e.decidedAt ? ` · ${t('standing.decidedAt', { at: dateTime(e.decidedAt, i18n.language) })}` : ''}
      </Typography.Paragraph>
      {error !== undefined && (
        <div className="tv-block">
          <ErrorAlert error={error} />
        </div>
      )}
      {state === 'approved' && (
        <div className="tv-block">
          <Button
            type="primary"
            icon={<DownloadOutlined />}
            loading={busy}
            disabled={notYet}
            onClick={() => void run()}
          >
            {t('standing.run')}
          </Button>
          <Typography.Paragraph type="secondary" className="tv-standing-note">
            {notYet ? t('standing.notYet', { date: e.validFrom }) : t('standing.runNote')}
          </Typography.Paragraph>
        </div>
      )}
      {runs.error !== undefined && <ErrorAlert error={runs.error} />}
      {(runs.data?.length ?? 0) > 0 && !wide && (
        <List
          size="small"
          aria-label={t('standing.runs')}
          header={<span className="tv-strong">{t('standing.runs')}</span>}
          dataSource={runs.data ?? []}
          rowKey="disclosureId"
          renderItem={(r) => (
            <List.Item>
              <div>
                <div>
                  {dateTime(r.at, i18n.language)} · {t('standing.rowsCount', { count: r.records })}
                </div>
                <div className="tv-sub">
                  {t('standing.window')} {r.from} – {r.to}
                </div>
                <div className="tv-sub">
                  {t('standing.disclosure')} <code className="tv-id">{r.disclosureId}</code>
                </div>
              </div>
            </List.Item>
          )}
        />
      )}
      {(runs.data?.length ?? 0) > 0 && wide && (
        <TableRegion label={t('standing.runs')}>
          <Table
            size="small"
            rowKey="disclosureId"
            pagination={false}
            dataSource={runs.data ?? []}
            columns={[
              { title: t('standing.runAt'), key: 'at', render: (_, r) => dateTime(r.at, i18n.language) },
              { title: t('standing.window'), key: 'window', render: (_, r) => `${r.from} – ${r.to}` },
              { title: t('standing.rows'), dataIndex: 'records', key: 'records' },
              {
                title: t('standing.disclosure'),
                key: 'disclosure',
                render: (_, r) => <code className="tv-id">{r.disclosureId}</code>,
              },
            ]}
          />
        </TableRegion>
      )}
    </Card>
  );
}
