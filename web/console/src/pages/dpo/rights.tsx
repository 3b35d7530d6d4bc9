/**
 * Rights requests (GET /v1/requests; POST /v1/requests/{id}/decide): every kind — copy, correction,
 * restriction, erasure — by deadline, times in Beijing time, an overdue one highlighted (its row
 * and a tag, not by colour alone), and accept or refuse with a reason the parent reads.
 */
import { App, Button, Card, Input, Modal, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, must } from '../../api/client.ts';
import { ErrorAlert } from '../../components/error-alert.tsx';
import { TableRegion } from '../../components/table-region.tsx';
import { useLoad } from '../../components/use-load.ts';
import { useTitle } from '../../components/use-title.ts';
import { dateTime } from '../../format.ts';
import '../../oversight.css';

type Request = Awaited<ReturnType<typeof load>>['requests'][number];
const load = () => must(api.GET('/v1/requests'));

export function RightsPage() {
  const { t, i18n } = useTranslation('oversight');
  useTitle(t('rights.title'));
  const { message } = App.useApp();
  const lng = i18n.language;
  const list = useLoad(load);
  const [refusing, setRefusing] = useState<Request>();
  const [reason, setReason] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState<string>();
  const decide = async (r: Request, decision: 'accept' | 'refuse', why?: string) => {
    setBusy(r.id);
    setError(undefined);
    try {
      await must(
        api.POST('/v1/requests/{id}/decide', {
          params: { path: { id: r.id } },
          body: decision === 'refuse' ? { decision, reason: why } : { decision },
        }),
      );
      void message.success(t('rights.decided'));
      setRefusing(undefined);
      setReason('');
      list.reload();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(undefined);
    }
  };
  const rows = [...(list.data?.requests ?? [])].sort(
    (a, b) => Number(b.status === 'pending') - Number(a.status === 'pending') || a.deadline.localeCompare(b.deadline),
  );
  return (
    <>
      <Typography.Title level={1} className="tv-page-title">
        {t('rights.title')}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{t('rights.intro')}</Typography.Paragraph>
      <ErrorAlert error={list.error ?? error} />
      <Card className="tv-block">
        <TableRegion label={t('rights.title')}>
          <Table
            rowKey="id"
            size="small"
            loading={list.loading}
            locale={{ emptyText: t('rights.none') }}
            dataSource={rows}
            rowClassName={(r) => (r.overdue && r.status === 'pending' ? 'tv-overdue-row' : '')}
            pagination={{ pageSize: 20, hideOnSinglePage: true }}
            columns={[
              { title: t('rights.kind'), dataIndex: 'kind', render: (k: Request['kind']) => t(`rights.kinds.${k}`) },
              {
                title: t('rights.status'),
                dataIndex: 'status',
                render: (s: Request['status'], r: Request) => (
                  <>
                    <Tag className={s === 'pending' ? 'tv-tag-wait' : s === 'accepted' ? 'tv-tag-ok' : 'tv-tag-info'}>
                      {t(`rights.statuses.${s}`)}
                    </Tag>
                    {r.overdue && s === 'pending' && <Tag className="tv-tag-bad">{t('rights.overdue')}</Tag>}
                  </>
                ),
              },
              { title: t('rights.created'), dataIndex: 'createdAt', render: (a: string) => dateTime(a, lng) },
              {
                title: t('rights.deadline'),
                dataIndex: 'deadline',
                render: (a: string, r: Request) =>
                  r.overdue && r.status === 'pending' ? <strong>{dateTime(a, lng)}</strong> : dateTime(a, lng),
              },
              { title: t('rights.reason'), dataIndex: 'reason', render: (x: string | null) => x ?? '—' },
              {
                title: '',
                key: 'act',
                render: (_: unknown, r: Request) =>
                  r.status === 'pending' ? (
                    <div className="tv-toolbar">
                      <Button
                        size="small"
                        type="primary"
                        loading={busy === r.id}
                        onClick={() => void decide(r, 'accept')}
                      >
                        {t('rights.accept')}
                      </Button>
                      <Button size="small" danger onClick={() => setRefusing(r)}>
                        {t('rights.refuse')}
                      </Button>
                    </div>
                  ) : (
                    dateTime(r.decidedAt, lng)
                  ),
              },
            ]}
          />
        </TableRegion>
      </Card>
      <Modal
        open={refusing !== undefined}
        title={t('rights.refuse')}
        okText={t('rights.refuse')}
        okButtonProps={{ danger: true, disabled: reason.trim().length === 0, loading: busy !== undefined }}
        onOk={() => refusing && void decide(refusing, 'refuse', reason.trim())}
        onCancel={() => setRefusing(undefined)}
      >
        <label htmlFor="tv-refuse-reason">{t('rights.refuseReason')}</label>
        <Input.TextArea id="tv-refuse-reason" rows={3} value={reason} onChange={(e) => setReason(e.target.value)} />
      </Modal>
    </>
  );
}
