/**
 * The organisation's correction requests (GET /v1/requests?kind=correction), newest first with their
 * deadlines and the overdue marked; accept, or refuse with a reason the parent sees
 * (POST /v1/requests/{id}/decide).
 */
import { App, Button, Card, Form, Input, Modal, Segmented, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { api, must } from '../../api/client.ts';
import { ErrorAlert } from '../../components/error-alert.tsx';
import { TableRegion } from '../../components/table-region.tsx';
import { useLoad } from '../../components/use-load.ts';
import { useTitle } from '../../components/use-title.ts';
import { dateTime } from '../../format.ts';

type Status = 'pending' | 'accepted' | 'refused';
async function list(status?: Status) {
  return (
    await must(api.GET('/v1/requests', { params: { query: { kind: 'correction', ...(status ? { status } : {}) } } }))
  ).requests;
}
type Request = Awaited<ReturnType<typeof list>>[number];

export function RequestsPage() {
  const { t, i18n } = useTranslation('clerk');
  const { t: tr } = useTranslation('records');
  const { t: ts } = useTranslation('shell');
  useTitle(t('requests.title'));
  const navigate = useNavigate();
  const { message } = App.useApp();
  const [status, setStatus] = useState<Status | 'all'>('pending');
  const requests = useLoad(() => list(status === 'all' ? undefined : status), [status]);
  const [refusing, setRefusing] = useState<Request>();
  const [error, setError] = useState<unknown>();

  const decide = async (r: Request, decision: 'accept' | 'refuse', reason?: string) => {
    setError(undefined);
    try {
      await must(
        api.POST('/v1/requests/{id}/decide', {
          params: { path: { id: r.id } },
          body: { decision, ...(reason ? { reason } : {}) },
        }),
      );
      void message.success(t('requests.decided'));
      requests.reload();
      return true;
    } catch (e) {
      setError(e);
      return false;
    }
  };

  const statusTag = (r: Request) =>
    r.status === 'pending' ? (
      <Space size={4} wrap>
        <Tag className="tv-tag-wait">{t('requests.pending')}</Tag>
        {r.overdue && <Tag className="tv-tag-bad">{t('requests.overdue')}</Tag>}
      </Space>
    ) : r.status === 'accepted' ? (
      <Tag className="tv-tag-ok">{t('requests.accepted')}</Tag>
    ) : (
      <Tag>{t('requests.refused')}</Tag>
    );

  return (
    <>
      <Typography.Title level={1} className="tv-page-title">
        {t('requests.title')}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{t('requests.intro')}</Typography.Paragraph>
      <div className="tv-toolbar">
        <Segmented<Status | 'all'>
          value={status}
          onChange={setStatus}
          aria-label={t('requests.status')}
          options={(['pending', 'accepted', 'refused', 'all'] as const).map((s) => ({
            value: s,
            label: t(`requests.${s}`),
          }))}
        />
      </div>
      {(error ?? requests.error) !== undefined && (
        <div className="tv-block">
          <ErrorAlert error={error ?? requests.error} />
        </div>
      )}
      <Card>
        <TableRegion label={t('requests.title')}>
          <Table<Request>
            rowKey="id"
            size="middle"
            loading={requests.loading}
            dataSource={requests.data ?? []}
            pagination={{ pageSize: 20, hideOnSinglePage: true }}
            locale={{ emptyText: t('requests.none') }}
            columns={[
              { title: t('requests.status'), key: 'status', render: (_, r) => statusTag(r) },
              {
                title: t('requests.created'),
                dataIndex: 'createdAt',
                render: (at: string) => dateTime(at, i18n.language),
              },
              {
                title: t('requests.deadline'),
                dataIndex: 'deadline',
                render: (at: string) => dateTime(at, i18n.language),
              },
              {
                title: t('requests.fields'),
                key: 'fields',
                render: (_, r) =>
                  Object.keys(r.fields ?? {})
                    .map((f) => tr(`fields.${f}` as 'fields.babyName', { defaultValue: f }))
                    .join('、') || '—',
              },
              { title: t('requests.reason'), dataIndex: 'reason', render: (x: string | null) => x ?? '—' },
              {
                title: '',
                key: 'actions',
                render: (_, r) => (
                  <Space size={4} wrap>
                    <Button size="small" onClick={() => void navigate(`/records/${encodeURIComponent(r.recordId)}`)}>
                      {t('requests.record')}
                    </Button>
                    {r.status === 'pending' && (
                      <>
                        <Button size="small" type="primary" onClick={() => void decide(r, 'accept')}>
                          {t('requests.accept')}
                        </Button>
                        <Button size="small" danger onClick={() => setRefusing(r)}>
                          {t('requests.refuse')}
                        </Button>
                      </>
                    )}
                  </Space>
                ),
              },
            ]}
          />
        </TableRegion>
      </Card>
      {refusing && (
        <RefuseModal
          onCancel={() => setRefusing(undefined)}
          onRefuse={async (reason) => {
            if (await decide(refusing, 'refuse', reason)) setRefusing(undefined);
          }}
          cancel={ts('actions.cancel')}
        />
      )}
    </>
  );
}

function RefuseModal({
  onCancel,
  onRefuse,
  cancel,
}: {
  readonly onCancel: () => void;
  readonly onRefuse: (reason: string) => Promise<void>;
  readonly cancel: string;
}) {
  const { t } = useTranslation('clerk');
  const [form] = Form.useForm<{ reason: string }>();
  return (
    <Modal
      open
      title={t('requests.refuseTitle')}
      okText={t('requests.refuse')}
      okButtonProps={{ danger: true }}
      cancelText={cancel}
      onCancel={onCancel}
      onOk={() => form.submit()}
    >
      <Form form={form} name="refuse" layout="vertical" onFinish={(v) => void onRefuse(v.reason.trim())}>
        <Form.Item name="reason" label={t('requests.refuseReason')} rules={[{ required: true, whitespace: true }]}>
          <Input.TextArea rows={3} maxLength={1000} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
