/**
 * Importing a file of records (POST /v1/imports, the file as the body; then GET /v1/imports/{id}
 * until it is done): a progress bar from the job's counts, the result, and for a refused file its
 * invalid rows as row, field and rule with what the rule means (never a value).
 */
import { InboxOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Progress, Result, Table, Typography, Upload } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError, must, sendFile } from '../../api/client.ts';
import { ErrorAlert } from '../../components/error-alert.tsx';
import { TableRegion } from '../../components/table-region.tsx';
import { useRuleText } from '../../components/rule-text.ts';
import { useTitle } from '../../components/use-title.ts';
import { paren } from '../../format.ts';

type Job = Awaited<ReturnType<typeof poll>>;
async function poll(id: string) {
  return must(api.GET('/v1/imports/{id}', { params: { path: { id } } }));
}
interface RowError {
  readonly row?: number;
  readonly field: string;
  readonly rule: string;
}

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const typeOf = (f: File) =>
  /\.xlsx$/i.test(f.name) ? XLSX : /\.jsonl$/i.test(f.name) ? 'application/x-ndjson' : 'text/csv';

export function ImportPage() {
  const { t } = useTranslation('clerk');
  const { t: tr, i18n } = useTranslation('records');
  useTitle(t('import.title'));
  const ruleText = useRuleText();
  const [file, setFile] = useState<File>();
  const [job, setJob] = useState<Job>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const timer = useRef<number | undefined>(undefined);
  useEffect(() => () => window.clearTimeout(timer.current), []);

  const follow = (id: string) => {
    timer.current = window.setTimeout(() => {
      poll(id).then(
        (j) => {
          setJob(j);
          if (j.status === 'queued' || j.status === 'running') follow(id);
          else setBusy(false);
        },
        (e: unknown) => {
          setError(e);
          setBusy(false);
        },
      );
    }, 400);
  };

  const start = async () => {
    if (!file) return;
    setBusy(true);
    setError(undefined);
    setJob(undefined);
    try {
      const j = await sendFile<Job>('/v1/imports?recordType=birth', file, typeOf(file), { prefer: 'respond-async' });
      setJob(j);
      if (j.status === 'queued' || j.status === 'running') follow(j.id);
      else setBusy(false);
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };

  const p = job?.progress;
  const percent =
    job?.status === 'done'
      ? 100
      : p?.rowsTotal
        ? Math.min(99, Math.floor(((p.rowsValidated || p.rowsRead) / p.rowsTotal) * 100))
        : job
          ? 5
          : 0;
  const errors = (job?.error?.details?.errors ?? []) as RowError[];
  const columns = [
    { title: t('import.row'), dataIndex: 'row', render: (r?: number) => r ?? '—' },
    {
      title: t('import.field'),
      dataIndex: 'field',
      render: (f: string) => paren(tr(`fields.${f}` as 'fields.babyName', { defaultValue: f }), f, i18n.language),
    },
    { title: t('import.rule'), dataIndex: 'rule', render: (r: string) => <code>{r}</code> },
    { title: t('import.meaning'), key: 'meaning', render: (_: unknown, e: RowError) => ruleText(e.rule) },
  ];

  return (
    <>
      <Typography.Title level={1} className="tv-page-title">
        {t('import.title')}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{t('import.intro')}</Typography.Paragraph>
      <Card className="tv-block">
        <Upload.Dragger
          accept=".csv,.xlsx,.jsonl,text/csv"
          multiple={false}
          maxCount={1}
          beforeUpload={(f) => {
            setFile(f);
            setJob(undefined);
            return false;
          }}
          onRemove={() => setFile(undefined)}
          fileList={file ? [{ uid: 'file', name: file.name, status: 'done' }] : []}
        >
          <p className="ant-upload-drag-icon">
            <InboxOutlined />
          </p>
          <p className="ant-upload-text">{t('import.drop')}</p>
          <p className="ant-upload-hint">{t('import.dropHint')}</p>
        </Upload.Dragger>
        <div className="tv-toolbar tv-top-gap">
          <Button type="primary" disabled={!file} loading={busy} onClick={() => void start()}>
            {t('import.start')}
          </Button>
        </div>
        {job && (
          <div aria-live="polite" className="tv-import-progress">
            <Typography.Text strong>
              {t(`import.phase.${job.progress.phase}` as 'import.phase.done', { defaultValue: job.progress.phase })}
            </Typography.Text>
            <Progress
              percent={percent}
              status={job.status === 'failed' ? 'exception' : job.status === 'done' ? 'success' : 'active'}
              aria-label={t('import.title')}
            />
            <Typography.Text type="secondary">
              {p?.rowsTotal
                ? t('import.progressTotal', { read: p.rowsRead, total: p.rowsTotal, invalid: p.rowsInvalid })
                : t('import.progress', { read: p?.rowsRead ?? 0, invalid: p?.rowsInvalid ?? 0 })}
            </Typography.Text>
          </div>
        )}
      </Card>
      {error !== undefined && (
        <div className="tv-block">
          <ErrorAlert error={error} />
        </div>
      )}
      {job?.status === 'done' && job.result && (
        <Card className="tv-block">
          <Result status="success" title={<h2 className="tv-result-title">{t('import.done', job.result)}</h2>} />
          {job.result.warned.length > 0 && (
            <>
              <h3 className="tv-subtitle">{t('import.warned')}</h3>
              <TableRegion label={t('import.warned')}>
                <Table
                  rowKey={(e) => `${e.row}-${e.field}-${e.rule}`}
                  size="small"
                  columns={columns}
                  dataSource={job.result.warned}
                  pagination={{ pageSize: 20, hideOnSinglePage: true }}
                />
              </TableRegion>
            </>
          )}
        </Card>
      )}
      {job?.status === 'failed' && (
        <Card className="tv-block">
          <Alert type="error" showIcon role="alert" title={t('import.failed')} className="tv-block" />
          {job.error && errors.length === 0 && (
            <ErrorAlert error={new ApiError(400, job.error.code, job.error.message, job.error.details)} />
          )}
          {errors.length > 0 && (
            <>
              <h2 className="tv-card-title tv-block">
                {t('import.invalidRows', { count: job.error?.details?.count ?? errors.length })}
              </h2>
              <TableRegion label={t('import.title')}>
                <Table
                  rowKey={(e) => `${e.row}-${e.field}-${e.rule}`}
                  size="small"
                  columns={columns}
                  dataSource={errors}
                  pagination={{ pageSize: 20, hideOnSinglePage: true }}
                />
              </TableRegion>
            </>
          )}
        </Card>
      )}
    </>
  );
}
