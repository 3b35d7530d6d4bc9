/**
 * Tracing a leaked file (POST /v1/traces with `Prefer: respond-async`, then GET /v1/traces/{id}
 * until the job is done): a file dropped (CSV in any encoding, XLSX) or text pasted, sent as the
 * request's body (never in an address), the job's progress, then the report's page.
 */
import { InboxOutlined } from '@ant-design/icons';
import { Button, Card, Input, Progress, Typography, Upload } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { ApiError, raw, sendFile } from '../../api/client.ts';
import { ErrorAlert } from '../../components/error-alert.tsx';
import { useTitle } from '../../components/use-title.ts';
import '../../oversight.css';

export interface TraceJob {
  readonly id: string;
  readonly status?: 'queued' | 'running' | 'done' | 'failed';
  readonly progress?: { phase: string; rowsRead: number; done: number; total: number };
  readonly error?: { code: string; message: string; details?: Record<string, unknown> };
  readonly candidates?: unknown[];
}

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const typeOf = (f: File) =>
  /\.xlsx$/i.test(f.name)
    ? XLSX
    : /\.jsonl$/i.test(f.name)
      ? 'application/x-ndjson'
      : /\.(txt|text)$/i.test(f.name)
        ? 'text/plain'
        : 'text/csv';
/** The job is over when the answer is the report (it has candidates) or the job failed. */
const finished = (j: TraceJob) => j.candidates !== undefined || j.status === 'failed';

/** Follows a trace's job until it ends; `onDone` gets the trace's id. */
export function useTraceJob(onDone: (id: string) => void) {
  const [job, setJob] = useState<TraceJob>();
  const [error, setError] = useState<unknown>();
  const timer = useRef<number | undefined>(undefined);
  useEffect(() => () => window.clearTimeout(timer.current), []);
  const follow = (j: TraceJob) => {
    setJob(j);
    if (j.status === 'failed' && j.error) setError(new ApiError(400, j.error.code, j.error.message, j.error.details));
    else if (finished(j)) onDone(j.id);
    else
      timer.current = window.setTimeout(() => {
        raw<TraceJob>('GET', `/v1/traces/${encodeURIComponent(j.id)}`).then(follow, setError);
      }, 500);
  };
  return { job, error, setError, follow, reset: () => (setJob(undefined), setError(undefined)) };
}

export function TracePage() {
  const { t } = useTranslation('investigation');
  useTitle(t('trace.title'));
  const navigate = useNavigate();
  const [file, setFile] = useState<File>();
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const trace = useTraceJob((id) => void navigate(`/traces/${encodeURIComponent(id)}`));

  const start = async () => {
    trace.reset();
    setBusy(true);
    try {
      const body = file ?? new Blob([text], { type: 'text/plain' });
      trace.follow(
        await sendFile<TraceJob>('/v1/traces', body, file ? typeOf(file) : 'text/plain', { prefer: 'respond-async' }),
      );
    } catch (e) {
      trace.setError(e);
    } finally {
      setBusy(false);
    }
  };
  const job = trace.job;
  const p = job?.progress;
  const percent =
    job && finished(job) ? 100 : p && p.total > 0 ? Math.min(99, Math.floor((p.done / p.total) * 100)) : job ? 5 : 0;
  const running = busy || (job !== undefined && !finished(job));

  return (
    <>
      <Typography.Title level={1} className="tv-page-title">
        {t('trace.title')}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{t('trace.intro')}</Typography.Paragraph>
      <Card className="tv-block">
        <Upload.Dragger
          accept=".csv,.xlsx,.txt,.jsonl,text/csv"
          multiple={false}
          maxCount={1}
          beforeUpload={(f) => {
            setFile(f);
            trace.reset();
            return false;
          }}
          onRemove={() => setFile(undefined)}
          fileList={file ? [{ uid: 'file', name: file.name, status: 'done' }] : []}
        >
          <p className="ant-upload-drag-icon">
            <InboxOutlined />
          </p>
          <p className="ant-upload-text">{t('trace.drop')}</p>
          <p className="ant-upload-hint">{t('trace.dropHint')}</p>
        </Upload.Dragger>
        <h2 className="tv-subtitle tv-top-gap">
          <label htmlFor="tv-paste">{t('trace.or')}</label>
        </h2>
        <Input.TextArea
          id="tv-paste"
          className="tv-paste"
          rows={4}
          placeholder={t('trace.pasteHint')}
          disabled={file !== undefined}
          value={text}
          onChange={(e) => setText(e.target.value)}
        />
        <div className="tv-toolbar tv-top-gap">
          <Button type="primary" disabled={!file && text.trim() === ''} loading={running} onClick={() => void start()}>
            {t('trace.start')}
          </Button>
        </div>
        {job && (
          <div aria-live="polite" className="tv-import-progress">
            <Typography.Text strong>
              {t(`trace.phase.${p?.phase ?? (finished(job) ? 'done' : 'queued')}` as 'trace.phase.done', {
                defaultValue: p?.phase ?? '',
              })}
            </Typography.Text>
            <Progress
              percent={percent}
              status={job.status === 'failed' ? 'exception' : finished(job) ? 'success' : 'active'}
              aria-label={t('trace.title')}
            />
            {p && <Typography.Text type="secondary">{t('trace.progress', { rows: p.rowsRead })}</Typography.Text>}
          </div>
        )}
      </Card>
      <div className="tv-block">
        <ErrorAlert error={trace.error} />
      </div>
    </>
  );
}
