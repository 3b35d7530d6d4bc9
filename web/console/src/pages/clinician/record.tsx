/**
 * One record's card: masked on opening (GET /v1/records/{id}, a `read` in the ledger); "see in
 * clear" with a purpose and the fields wanted, and, when the server asks for one
 * (ERR_JUSTIFICATION_REQUIRED), a justification sent in the X-Justification header (URL-encoded),
 * never in the URL; "call this family" (POST /v1/calls, issue 9): the 4-digit code to say.
 */
import { ArrowLeftOutlined, EyeOutlined, MailOutlined, PhoneOutlined } from '@ant-design/icons';
import {
  Alert,
  Button,
  Card,
  Checkbox,
  Col,
  Descriptions,
  Form,
  Input,
  Row,
  Select,
  Tag,
  Timeline,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router';
import { api, isApiError, must } from '../../api/client.ts';
import { ErrorAlert } from '../../components/error-alert.tsx';
import { useLoad } from '../../components/use-load.ts';
import { useTitle } from '../../components/use-title.ts';
import { colon, dateTime, list, paren } from '../../format.ts';
import { hasRole, useMe } from '../../me.tsx';
import { asText, asVaccinations, BIRTH_FIELDS, PURPOSES, type Purpose, type RecordView } from '../../records.ts';

const REVEALABLE = BIRTH_FIELDS.filter((f) => f.sensitivity !== 'public').map((f) => f.name);

async function readRecord(
  id: string,
  clear?: { purpose: Purpose; reveal: readonly string[]; justification?: string },
): Promise<RecordView> {
  const query = clear ? { purpose: clear.purpose, reveal: clear.reveal.join(',') } : {};
  const headers = clear?.justification ? { 'x-justification': encodeURIComponent(clear.justification) } : undefined;
  return (await must(
    api.GET('/v1/records/{id}', { params: { path: { id }, query }, ...(headers ? { headers } : {}) }),
  )) as RecordView;
}

export function RecordPage() {
  const { t, i18n } = useTranslation('clinician');
  const { t: tr } = useTranslation('records');
  const { t: ts } = useTranslation('shell');
  useTitle(t('record.title'));
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const me = useMe();
  const masked = useLoad(() => readRecord(id), [id]);
  const [shown, setShown] = useState<RecordView>();
  const rec = shown ?? masked.data;

  return (
    <>
      <Button type="link" icon={<ArrowLeftOutlined />} onClick={() => void navigate('/search')} className="tv-back">
        {t('record.back')}
      </Button>
      <Typography.Title level={1} className="tv-page-title">
        {t('record.title')}
      </Typography.Title>
      {masked.error !== undefined && <ErrorAlert error={masked.error} />}
      {rec && (
        <Row gutter={[16, 16]}>
          <Col xs={24} xl={14}>
            <Card
              title={<h2 className="tv-card-title">{asText(rec.fields.babyName) || t('record.title')}</h2>}
              extra={
                rec.clear.length ? (
                  <Button size="small" onClick={() => setShown(undefined)}>
                    {t('reveal.hide')}
                  </Button>
                ) : (
                  <Tag>{t('record.masked')}</Tag>
                )
              }
            >
              {rec.disclosureId && rec.clear.length > 0 && (
                <Alert
                  className="tv-block"
                  type="warning"
                  showIcon
                  title={t('record.clearNote', { id: rec.disclosureId })}
                />
              )}
              <Descriptions
                column={{ xs: 1, sm: 2 }}
                size="small"
                bordered
                items={BIRTH_FIELDS.filter((f) => f.name !== 'vaccinations' && rec.fields[f.name] !== undefined).map(
                  (f) => ({
                    key: f.name,
                    label: tr(`fields.${f.name}` as 'fields.babyName'),
                    children: (
                      <span className={rec.clear.includes(f.name) ? 'tv-clear' : 'tv-masked'}>
                        {f.name === 'babySex'
                          ? tr(`sex.${asText(rec.fields[f.name])}` as 'sex.male', {
                              defaultValue: asText(rec.fields[f.name]),
                            })
                          : asText(rec.fields[f.name])}
                      </span>
                    ),
                  }),
                )}
              />
              <Typography.Paragraph type="secondary" className="tv-meta">
                {t('record.created', { at: dateTime(rec.createdAt, i18n.language) })}
              </Typography.Paragraph>
              <h3 className="tv-subtitle">{t('record.vaccinations')}</h3>
              {asVaccinations(rec.fields.vaccinations).length === 0 ? (
                <Typography.Text type="secondary">{t('record.noVaccinations')}</Typography.Text>
              ) : (
                <ul className="tv-list">
                  {asVaccinations(rec.fields.vaccinations).map((v) => (
                    <li key={`${v.vaccine}-${v.dose}`}>
                      {v.name ?? v.vaccine} · {t('record.dose', { dose: v.dose })} · {v.date}
                    </li>
                  ))}
                </ul>
              )}
              <h3 className="tv-subtitle">{t('record.history')}</h3>
              <History id={id} />
            </Card>
          </Col>
          <Col xs={24} xl={10}>
            <RevealCard id={id} onShown={setShown} />
            {hasRole(me, ['clinician', 'vaccination_nurse', 'records_clerk']) && <CallCard id={id} />}
            {hasRole(me, ['clinician', 'records_clerk']) && (
              <Card className="tv-top-gap">
                <Button
                  icon={<MailOutlined />}
                  onClick={() => void navigate(`/records/${encodeURIComponent(id)}/invitation`)}
                >
                  {t('record.invite')}
                </Button>
              </Card>
            )}
          </Col>
        </Row>
      )}
      {!rec && masked.loading && <Typography.Paragraph>{ts('app.loading')}</Typography.Paragraph>}
    </>
  );
}

interface RevealValues {
  purpose: Purpose;
  fields: string[];
  justification?: string;
}

function RevealCard({ id, onShown }: { readonly id: string; readonly onShown: (r: RecordView) => void }) {
  const { t } = useTranslation('clinician');
  const { t: tr } = useTranslation('records');
  const { t: ts } = useTranslation('shell');
  const me = useMe();
  const [form] = Form.useForm<RevealValues>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [needsJustification, setNeedsJustification] = useState(false);
  const initial: Purpose = me.roles.includes('vaccination_nurse') ? 'vaccination' : 'treatment';

  const submit = async (v: RevealValues) => {
    setBusy(true);
    setError(undefined);
    try {
      onShown(await readRecord(id, { purpose: v.purpose, reveal: v.fields, justification: v.justification?.trim() }));
      setNeedsJustification(false);
      form.setFieldValue('justification', '');
    } catch (e) {
      if (isApiError(e) && e.code === 'ERR_JUSTIFICATION_REQUIRED') setNeedsJustification(true);
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card title={<h2 className="tv-card-title">{t('reveal.title')}</h2>} className="tv-block">
      <Typography.Paragraph type="secondary">{t('reveal.intro')}</Typography.Paragraph>
      {error !== undefined && (
        <div className="tv-block">
          <ErrorAlert error={error} />
        </div>
      )}
      <Form<RevealValues>
        form={form}
        name="reveal"
        layout="vertical"
        initialValues={{ purpose: initial, fields: ['motherName', 'motherPhone'] }}
        onFinish={(v) => void submit(v)}
        requiredMark={false}
      >
        <Form.Item name="purpose" label={t('reveal.purpose')} rules={[{ required: true }]}>
          <Select
            aria-label={t('reveal.purpose')}
            options={PURPOSES.map((p) => ({ value: p, label: ts(`purposes.${p}`) }))}
          />
        </Form.Item>
        {/* Not `required`: antd would put aria-required on the group, which no checkbox group may carry. */}
        <Form.Item
          name="fields"
          label={t('reveal.fields')}
          rules={[
            {
              validator: (_, v: unknown[] | undefined) =>
                v?.length ? Promise.resolve() : Promise.reject(new Error(t('reveal.fields'))),
            },
          ]}
        >
          <Checkbox.Group
            className="tv-checks"
            options={REVEALABLE.map((f) => ({ value: f, label: tr(`fields.${f}` as 'fields.babyName') }))}
          />
        </Form.Item>
        {needsJustification && (
          <>
            <Alert className="tv-block" type="info" showIcon title={t('reveal.justificationNeeded')} />
            <Form.Item
              name="justification"
              label={t('reveal.justification')}
              rules={[{ required: true, min: 10, whitespace: true, message: t('reveal.justificationShort') }]}
            >
              <Input.TextArea rows={3} maxLength={500} showCount />
            </Form.Item>
          </>
        )}
        <Button type="primary" htmlType="submit" icon={<EyeOutlined />} loading={busy}>
          {t('reveal.submit')}
        </Button>
      </Form>
    </Card>
  );
}

interface CallValues {
  purpose: string;
  fromNumber: string;
}

function CallCard({ id }: { readonly id: string }) {
  const { t, i18n } = useTranslation('clinician');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [call, setCall] = useState<{ code: string; expiresAt: string }>();

  const submit = async (v: CallValues) => {
    setBusy(true);
    setError(undefined);
    try {
      const r = await must(
        api.POST('/v1/calls', { body: { recordId: id, purpose: v.purpose.trim(), fromNumber: v.fromNumber.trim() } }),
      );
      setCall({ code: r.code, expiresAt: r.expiresAt });
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card title={<h2 className="tv-card-title">{t('call.title')}</h2>}>
      <Typography.Paragraph type="secondary">{t('call.intro')}</Typography.Paragraph>
      {error !== undefined && (
        <div className="tv-block">
          <ErrorAlert error={error} />
        </div>
      )}
      {call ? (
        <div role="status" className="tv-call-code">
          <Typography.Paragraph>{t('call.registered')}</Typography.Paragraph>
          <p className="tv-code-big" data-testid="call-code">
            {call.code}
          </p>
          <Typography.Text type="secondary">
            {t('call.expires', { at: dateTime(call.expiresAt, i18n.language) })}
          </Typography.Text>
        </div>
      ) : (
        <Form<CallValues> name="call" layout="vertical" onFinish={(v) => void submit(v)} requiredMark={false}>
          <Form.Item
            name="purpose"
            label={t('call.purpose')}
            extra={t('call.purposeHint')}
            rules={[{ required: true, whitespace: true }]}
          >
            <Input maxLength={200} />
          </Form.Item>
          <Form.Item
            name="fromNumber"
            label={t('call.from')}
            extra={t('call.fromHint')}
            rules={[{ required: true, whitespace: true, min: 3 }]}
          >
            <Input inputMode="tel" maxLength={32} />
          </Form.Item>
          <Button type="primary" htmlType="submit" icon={<PhoneOutlined />} loading={busy}>
            {t('call.submit')}
          </Button>
        </Form>
      )}
    </Card>
  );
}

interface Versions {
  readonly versions: readonly {
    readonly field: string;
    readonly version: number;
    readonly recordedAt: string;
    readonly recordedBy: string;
    readonly value: unknown;
  }[];
  readonly people: Readonly<
    Record<string, { displayName: string; roles: readonly string[]; organizationName: string | null }>
  >;
}

/**
 * The record's versions (GET /v1/records/{id}/versions: masked as a read, and recorded as one), newest
 * change first: when, who (name, roles, organisation), which fields and their masked values.
 */
function History({ id }: { readonly id: string }) {
  const { t, i18n } = useTranslation('clinician');
  const { t: tr } = useTranslation('records');
  const { t: ts } = useTranslation('shell');
  const history = useLoad(async () => {
    const body: unknown = await must(api.GET('/v1/records/{id}/versions', { params: { path: { id } } }));
    return body as Versions;
  }, [id]);
  if (history.error !== undefined) return <ErrorAlert error={history.error} />;
  if (!history.data) return <Typography.Text type="secondary">{ts('app.loading')}</Typography.Text>;
  const { versions, people } = history.data;
  const changes = new Map<string, { at: string; by: string; fields: { name: string; value: string }[] }>();
  for (const v of versions) {
    const key = `${v.recordedAt}|${v.recordedBy}`;
    const c = changes.get(key) ?? { at: v.recordedAt, by: v.recordedBy, fields: [] };
    const value = Array.isArray(v.value)
      ? t('record.doses', { count: v.value.length })
      : typeof v.value === 'string'
        ? v.value
        : '';
    c.fields.push({ name: tr(`fields.${v.field}` as 'fields.babyName', { defaultValue: v.field }), value });
    changes.set(key, c);
  }
  const items = [...changes.values()].sort((a, b) => b.at.localeCompare(a.at));
  const who = (id: string) => {
    const p = people[id];
    if (!p) return id;
    const roles = list(
      p.roles.map((r) => ts(`roles.${r}` as 'roles.clinician', { defaultValue: r })),
      i18n.language,
    );
    return paren(p.displayName, `${roles}${p.organizationName ? ` · ${p.organizationName}` : ''}`, i18n.language);
  };
  return (
    <Timeline
      className="tv-history"
      items={items.map((c, i) => ({
        key: `${c.at}-${c.by}`,
        content: (
          <div>
            <div className="tv-strong">
              {dateTime(c.at, i18n.language)} · {who(c.by)}
            </div>
            <div className="tv-sub">
              {colon(
                i === items.length - 1 ? t('record.first') : t('record.changed'),
                list(
                  c.fields.map((f) => `${f.name} ${f.value}`),
                  i18n.language,
                ),
                i18n.language,
              )}
            </div>
          </div>
        ),
      }))}
    />
  );
}
