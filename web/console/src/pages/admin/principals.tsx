/**
 * People and accounts (administrator, ADR 0012 dual control): create a principal
 * (POST /v1/principals) — an active one's API token, or a pending one's first half of the
 * enrolment code, each shown once; approve another administrator's pending principal
 * (POST /v1/principals/{id}/approve: the other half, shown once); everyone, with disabling
 * (GET /v1/principals, DELETE /v1/principals/{id}).
 */
import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { App, Button, Card, Form, Input, Modal, Select, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, must } from '../../api/client.ts';
import { ErrorAlert } from '../../components/error-alert.tsx';
import { TableRegion } from '../../components/table-region.tsx';
import { listOrganizations } from '../../components/organizations.ts';
import { useLoad } from '../../components/use-load.ts';
import { useTitle } from '../../components/use-title.ts';
import { dateTime, paren } from '../../format.ts';
import { ROLES, useMe, type Role } from '../../me.tsx';

const RELATIONSHIPS = ['ward', 'patient', 'district'] as const;

interface Values {
  displayName: string;
  roles: Role[];
  organizationId?: string;
  login?: string;
  relationships?: { kind: (typeof RELATIONSHIPS)[number]; value: string }[];
}

/** What is shown once: a token, or a half of an enrolment code. */
interface Once {
  readonly title: string;
  readonly text: string;
  readonly secret: string;
  readonly expiresAt?: string;
}

const PAGE = 20;

async function listPrincipals(page: number) {
  return must(api.GET('/v1/principals', { params: { query: { limit: PAGE, offset: (page - 1) * PAGE } } }));
}

type Listed = Awaited<ReturnType<typeof listPrincipals>>['principals'][number];
type Relationship = Listed['relationships'][number];

export function PrincipalsPage() {
  const { t, i18n } = useTranslation('admin');
  const { t: ts } = useTranslation('shell');
  useTitle(t('principals.title'));
  const me = useMe();
  const { message, modal } = App.useApp();
  const [form] = Form.useForm<Values>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [once, setOnce] = useState<Once>();
  const orgs = useLoad(listOrganizations);
  const pending = useLoad(async () => (await must(api.GET('/v1/principals/pending'))).principals);
  const [page, setPage] = useState(1);
  const everyone = useLoad(() => listPrincipals(page), [page]);
  const [editing, setEditing] = useState<Listed>();
  const [actionError, setActionError] = useState<unknown>();

  const orgName = (id: string | null) => orgs.data?.find((o) => o.id === id)?.name ?? id ?? '—';
  const roleTags = (roles: readonly string[]) => (
    <Space size={[4, 4]} wrap>
      {roles.map((r) => (
        <Tag key={r}>{ts(`roles.${r}` as 'roles.clinician', { defaultValue: r })}</Tag>
      ))}
    </Space>
  );

  const submit = async (v: Values) => {
    setBusy(true);
    setError(undefined);
    try {
      const rels = (v.relationships ?? []).filter((r) => r?.kind && r.value?.trim());
      const r = await must(
        api.POST('/v1/principals', {
          body: {
            displayName: v.displayName.trim(),
            roles: v.roles,
            ...(v.organizationId ? { organizationId: v.organizationId } : {}),
            ...(v.login?.trim() ? { login: v.login.trim() } : {}),
            ...(rels.length ? { relationships: rels.map((x) => ({ kind: x.kind, value: x.value.trim() })) } : {}),
          },
        }),
      );
      form.resetFields();
      if (r.token) setOnce({ title: t('principals.createdTitle'), text: t('principals.tokenOnce'), secret: r.token });
      else if (r.enrolment)
        setOnce({
          title: t('principals.createdTitle'),
          text: t('principals.halfOnce'),
          secret: r.enrolment.code,
          expiresAt: r.enrolment.expiresAt,
        });
      pending.reload();
      everyone.reload();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const approve = async (id: string) => {
    setActionError(undefined);
    try {
      const r = await must(api.POST('/v1/principals/{id}/approve', { params: { path: { id } } }));
      setOnce({
        title: t('principals.approvedTitle'),
        text: t('principals.approvedOnce'),
        secret: r.enrolment.code,
        expiresAt: r.enrolment.expiresAt,
      });
      pending.reload();
    } catch (e) {
      setActionError(e);
    }
  };

  const disable = (p: Listed) => {
    modal.confirm({
      title: t('principals.disableConfirm', { name: p.displayName }),
      okText: t('principals.disable'),
      okButtonProps: { danger: true },
      cancelText: ts('actions.cancel'),
      onOk: async () => {
        setActionError(undefined);
        try {
          await must(api.DELETE('/v1/principals/{id}', { params: { path: { id: p.id } } }));
          void message.success(t('principals.disabledDone', { name: p.displayName }));
          everyone.reload();
        } catch (e) {
          setActionError(e);
        }
      },
    });
  };

  const statusOf = (p: Listed) => {
    if (p.status === 'disabled') return <Tag>{t('principals.disabled')}</Tag>;
    if (p.status === 'pending') return <Tag className="tv-tag-wait">{t('principals.statusPending')}</Tag>;
    return <Tag className="tv-tag-ok">{t('principals.active')}</Tag>;
  };
  const relationsOf = (rs: readonly Relationship[]) =>
    rs.length === 0 ? '—' : rs.map((r) => `${t(`relationships.${r.kind}`)} ${r.value}`).join('、');

  return (
    <>
      <Typography.Title level={1} className="tv-page-title">
        {t('principals.title')}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{t('principals.intro')}</Typography.Paragraph>

      <Card title={<h2 className="tv-card-title">{t('principals.create')}</h2>} className="tv-block">
        {error !== undefined && (
          <div className="tv-block">
            <ErrorAlert error={error} />
          </div>
        )}
        <Form<Values>
          form={form}
          name="principal"
          layout="vertical"
          onFinish={(v) => void submit(v)}
          className="tv-form-narrow"
          initialValues={{ organizationId: me.organizationId ?? undefined }}
        >
          <Form.Item
            name="displayName"
            label={t('principals.displayName')}
            rules={[{ required: true, whitespace: true }]}
          >
            <Input maxLength={200} autoComplete="off" />
          </Form.Item>
          <Form.Item name="roles" label={t('principals.roles')} rules={[{ required: true }]}>
            <Select
              mode="multiple"
              options={ROLES.map((r) => ({ value: r, label: ts(`roles.${r}`) }))}
              aria-label={t('principals.roles')}
            />
          </Form.Item>
          <Form.Item name="organizationId" label={t('principals.organization')}>
            {orgs.data ? (
              <Select
                showSearch={{ optionFilterProp: 'label' }}
                options={orgs.data.map((o) => ({
                  value: o.id,
                  label: paren(o.name, t(`kinds.${o.kind}` as 'kinds.hospital'), i18n.language),
                }))}
                aria-label={t('principals.organization')}
              />
            ) : (
              <Input autoComplete="off" />
            )}
          </Form.Item>
          <Form.Item name="login" label={t('principals.login')} extra={t('principals.loginHelp')}>
            <Input autoComplete="off" maxLength={64} />
          </Form.Item>
          <Form.Item label={t('principals.relationships')} extra={t('principals.relationshipsHelp')}>
            <Form.List name="relationships">
              {(fields, { add, remove }) => (
                <>
                  {fields.map((f) => (
                    <Space key={f.key} align="baseline" wrap>
                      <Form.Item name={[f.name, 'kind']} rules={[{ required: true }]}>
                        <Select
                          className="tv-select-kind"
                          aria-label={t('principals.kind')}
                          options={RELATIONSHIPS.map((k) => ({ value: k, label: t(`relationships.${k}`) }))}
                        />
                      </Form.Item>
                      <Form.Item name={[f.name, 'value']} rules={[{ required: true, whitespace: true }]}>
                        <Input aria-label={t('principals.value')} maxLength={100} />
                      </Form.Item>
                      <Button
                        type="text"
                        icon={<MinusCircleOutlined />}
                        aria-label={t('principals.remove')}
                        onClick={() => remove(f.name)}
                      />
                    </Space>
                  ))}
                  <Button type="dashed" icon={<PlusOutlined />} onClick={() => add({ kind: 'district', value: '' })}>
                    {t('principals.addRelationship')}
                  </Button>
                </>
              )}
            </Form.List>
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={busy}>
            {t('principals.submit')}
          </Button>
        </Form>
      </Card>

      {actionError !== undefined && (
        <div className="tv-block">
          <ErrorAlert error={actionError} />
        </div>
      )}

      <Card title={<h2 className="tv-card-title">{t('principals.pending')}</h2>} className="tv-block">
        <Typography.Paragraph type="secondary">{t('principals.pendingIntro')}</Typography.Paragraph>
        {pending.error !== undefined ? (
          <ErrorAlert error={pending.error} />
        ) : (
          <TableRegion label={t('principals.pending')}>
            <Table
              rowKey="id"
              size="middle"
              loading={pending.loading}
              dataSource={pending.data ?? []}
              pagination={false}
              locale={{ emptyText: t('principals.noPending') }}
              columns={[
                { title: t('principals.displayName'), dataIndex: 'displayName' },
                { title: t('principals.roles'), dataIndex: 'roles', render: roleTags },
                { title: t('principals.organization'), dataIndex: 'organizationId', render: orgName },
                {
                  title: t('principals.createdAt'),
                  dataIndex: 'createdAt',
                  render: (at: string) => dateTime(at, i18n.language),
                },
                {
                  title: '',
                  key: 'action',
                  render: (_: unknown, p: { id: string; approvedBy: string | null; createdBy: string }) =>
                    p.approvedBy ? (
                      <Tag>{t('principals.approved')}</Tag>
                    ) : p.createdBy === me.id ? null : (
                      <Button size="small" type="primary" onClick={() => void approve(p.id)}>
                        {t('principals.approve')}
                      </Button>
                    ),
                },
              ]}
            />
          </TableRegion>
        )}
      </Card>

      <Card title={<h2 className="tv-card-title">{t('principals.all')}</h2>}>
        {everyone.error !== undefined ? (
          <ErrorAlert error={everyone.error} />
        ) : (
          <TableRegion label={t('principals.all')}>
            <Table
              rowKey="id"
              size="middle"
              loading={everyone.loading}
              dataSource={everyone.data?.principals ?? []}
              pagination={{
                pageSize: PAGE,
                current: page,
                total: everyone.data?.total ?? 0,
                hideOnSinglePage: true,
                onChange: setPage,
              }}
              locale={{ emptyText: t('principals.empty') }}
              columns={[
                { title: t('principals.displayName'), dataIndex: 'displayName' },
                { title: t('principals.roles'), dataIndex: 'roles', render: roleTags },
                {
                  title: t('principals.organization'),
                  dataIndex: 'organizationName',
                  render: (n: string | null, p: Listed) => n ?? orgName(p.organizationId),
                },
                { title: t('principals.login'), dataIndex: 'login', render: (l: string | null) => l ?? '—' },
                { title: t('principals.relationships'), dataIndex: 'relationships', render: relationsOf },
                { title: t('principals.status'), key: 'status', render: (_: unknown, p: Listed) => statusOf(p) },
                {
                  title: '',
                  key: 'action',
                  render: (_: unknown, p: Listed) =>
                    p.id === me.id || p.status === 'disabled' ? null : (
                      <Space size={4} wrap>
                        <Button size="small" onClick={() => setEditing(p)}>
                          {t('principals.editRelationships')}
                        </Button>
                        <Button size="small" danger onClick={() => disable(p)}>
                          {t('principals.disable')}
                        </Button>
                      </Space>
                    ),
                },
              ]}
            />
          </TableRegion>
        )}
      </Card>

      {editing && (
        <RelationshipsModal
          principal={editing}
          onClose={(changed) => {
            setEditing(undefined);
            if (changed) everyone.reload();
          }}
        />
      )}

      <Modal
        open={once !== undefined}
        destroyOnHidden
        title={once?.title}
        onCancel={() => setOnce(undefined)}
        footer={
          <Button type="primary" onClick={() => setOnce(undefined)}>
            {ts('actions.close')}
          </Button>
        }
      >
        <Typography.Paragraph>{once?.text}</Typography.Paragraph>
        <Typography.Paragraph copyable={{ text: once?.secret ?? '' }} className="tv-secret">
          <code data-testid="shown-once">{once?.secret}</code>
        </Typography.Paragraph>
        {once?.expiresAt && (
          <Typography.Paragraph type="secondary">
            {t('principals.expires', { at: dateTime(once.expiresAt, i18n.language) })}
          </Typography.Paragraph>
        )}
      </Modal>
    </>
  );
}

/** A principal's care relationships, replaced as a whole (PUT /v1/principals/{id}/relationships). */
function RelationshipsModal({
  principal,
  onClose,
}: {
  readonly principal: Listed;
  readonly onClose: (changed: boolean) => void;
}) {
  const { t } = useTranslation('admin');
  const { t: ts } = useTranslation('shell');
  const [form] = Form.useForm<{ relationships: Relationship[] }>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const save = async (v: { relationships?: Relationship[] }) => {
    setBusy(true);
    setError(undefined);
    try {
      const relationships = (v.relationships ?? [])
        .filter((r) => r?.kind && r.value?.trim())
        .map((r) => ({ kind: r.kind, value: r.value.trim() }));
      await must(
        api.PUT('/v1/principals/{id}/relationships', {
          params: { path: { id: principal.id } },
          body: { relationships },
        }),
      );
      onClose(true);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      open
      title={t('principals.relationshipsOf', { name: principal.displayName })}
      onCancel={() => onClose(false)}
      okText={ts('actions.save')}
      cancelText={ts('actions.cancel')}
      confirmLoading={busy}
      onOk={() => form.submit()}
    >
      {error !== undefined && (
        <div className="tv-block">
          <ErrorAlert error={error} />
        </div>
      )}
      <Form
        form={form}
        name="relationships"
        layout="vertical"
        initialValues={{ relationships: principal.relationships }}
        onFinish={(v) => void save(v)}
      >
        <Form.List name="relationships">
          {(fields, { add, remove }) => (
            <>
              {fields.map((f) => (
                <Space key={f.key} align="baseline" wrap>
                  <Form.Item name={[f.name, 'kind']} rules={[{ required: true }]}>
                    <Select
                      className="tv-select-kind"
                      aria-label={t('principals.kind')}
                      options={RELATIONSHIPS.map((k) => ({ value: k, label: t(`relationships.${k}`) }))}
                    />
                  </Form.Item>
                  <Form.Item name={[f.name, 'value']} rules={[{ required: true, whitespace: true }]}>
                    <Input aria-label={t('principals.value')} maxLength={100} />
                  </Form.Item>
                  <Button
                    type="text"
                    icon={<MinusCircleOutlined />}
                    aria-label={t('principals.remove')}
                    onClick={() => remove(f.name)}
                  />
                </Space>
              ))}
              <Button type="dashed" icon={<PlusOutlined />} onClick={() => add({ kind: 'district', value: '' })}>
                {t('principals.addRelationship')}
              </Button>
            </>
          )}
        </Form.List>
      </Form>
    </Modal>
  );
}
