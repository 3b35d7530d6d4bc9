/**
 * Organisations (administrator): create one (POST /v1/organizations), and the list
 * (GET /v1/organizations).
 */
import { Button, Card, Form, Input, Select, Table, Typography, App } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, must } from '../../api/client.ts';
import { ErrorAlert } from '../../components/error-alert.tsx';
import { TableRegion } from '../../components/table-region.tsx';
import { listOrganizations } from '../../components/organizations.ts';
import { useLoad } from '../../components/use-load.ts';
import { useTitle } from '../../components/use-title.ts';

const KINDS = [
  'hospital',
  'vaccination_clinic',
  'data_centre',
  'statistics_office',
  'partner',
  'regulator',
  'operator',
] as const;

interface Values {
  name: string;
  kind: (typeof KINDS)[number];
  region?: string;
}

export function OrganizationsPage() {
  const { t } = useTranslation('admin');
  useTitle(t('organizations.title'));
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const orgs = useLoad(listOrganizations);

  const submit = async (v: Values) => {
    setBusy(true);
    setError(undefined);
    try {
      const o = await must(
        api.POST('/v1/organizations', {
          body: { name: v.name.trim(), kind: v.kind, ...(v.region ? { region: v.region.trim() } : {}) },
        }),
      );
      void message.success(t('organizations.created', { name: o.name }));
      form.resetFields();
      orgs.reload();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <Typography.Title level={1} className="tv-page-title">
        {t('organizations.title')}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{t('organizations.intro')}</Typography.Paragraph>
      <Card title={<h2 className="tv-card-title">{t('organizations.create')}</h2>} className="tv-block">
        {error !== undefined && (
          <div className="tv-block">
            <ErrorAlert error={error} />
          </div>
        )}
        <Form<Values>
          form={form}
          name="organization"
          layout="vertical"
          onFinish={(v) => void submit(v)}
          className="tv-form-narrow"
        >
          <Form.Item name="name" label={t('organizations.name')} rules={[{ required: true, whitespace: true }]}>
            <Input maxLength={200} />
          </Form.Item>
          <Form.Item name="kind" label={t('organizations.kind')} rules={[{ required: true }]}>
            <Select options={KINDS.map((k) => ({ value: k, label: t(`kinds.${k}`) }))} />
          </Form.Item>
          <Form.Item
            name="region"
            label={t('organizations.region')}
            extra={t('organizations.regionHelp')}
            rules={[{ pattern: /^\d{6}$/ }]}
          >
            <Input inputMode="numeric" maxLength={6} />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={busy}>
            {t('principals.submit')}
          </Button>
        </Form>
      </Card>
      <Card title={<h2 className="tv-card-title">{t('organizations.list')}</h2>}>
        {orgs.error !== undefined ? (
          <ErrorAlert error={orgs.error} />
        ) : (
          <TableRegion label={t('organizations.list')}>
            <Table
              rowKey="id"
              size="middle"
              loading={orgs.loading}
              dataSource={orgs.data ?? []}
              pagination={{ pageSize: 20, hideOnSinglePage: true }}
              locale={{ emptyText: t('organizations.empty') }}
              columns={[
                { title: t('organizations.name'), dataIndex: 'name' },
                {
                  title: t('organizations.kind'),
                  dataIndex: 'kind',
                  render: (k: string) => t(`kinds.${k}` as 'kinds.hospital'),
                },
                { title: t('organizations.region'), dataIndex: 'region', render: (r: string | null) => r ?? '—' },
                { title: t('organizations.id'), dataIndex: 'id', render: (id: string) => <code>{id}</code> },
              ]}
            />
          </TableRegion>
        )}
      </Card>
    </>
  );
}
