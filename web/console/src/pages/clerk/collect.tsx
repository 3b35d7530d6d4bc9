/**
 * Registering a birth (POST /v1/records): the birth record's fields in four groups; the server's
 * validators decide, and each invalid field is marked where it is with what its rule means
 * (details.errors: field + rule, never the value; components/rule-text.ts). Warnings of a stored
 * record are listed the same way.
 */
import { Alert, Button, Card, Col, Form, Input, Result, Row, Select, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { api, isApiError, must } from '../../api/client.ts';
import { ErrorAlert } from '../../components/error-alert.tsx';
import { useRuleText } from '../../components/rule-text.ts';
import { useTitle } from '../../components/use-title.ts';
import { useMe } from '../../me.tsx';

interface Field {
  readonly name: string;
  readonly required?: boolean;
  readonly kind?: 'text' | 'sex' | 'time' | 'phone' | 'id';
}

const GROUPS: readonly { readonly key: 'baby' | 'mother' | 'father' | 'other'; readonly fields: Field[] }[] = [
  {
    key: 'baby',
    fields: [
      { name: 'babyName', required: true },
      { name: 'babySex', required: true, kind: 'sex' },
      { name: 'birthTime', required: true, kind: 'time' },
      { name: 'babyResidentId', kind: 'id' },
      { name: 'birthCertificateNo' },
      { name: 'hospital', required: true },
      { name: 'ward' },
      { name: 'bed' },
    ],
  },
  {
    key: 'mother',
    fields: [
      { name: 'motherName', required: true },
      { name: 'motherResidentId', kind: 'id' },
      { name: 'motherPhone', kind: 'phone' },
    ],
  },
  {
    key: 'father',
    fields: [{ name: 'fatherName' }, { name: 'fatherResidentId', kind: 'id' }, { name: 'fatherPhone', kind: 'phone' }],
  },
  { key: 'other', fields: [{ name: 'address' }, { name: 'dischargeTime', kind: 'time' }] },
];

type Values = Record<string, string | undefined>;
interface RowError {
  readonly field: string;
  readonly rule: string;
}

export function CollectPage() {
  const { t } = useTranslation('clerk');
  const { t: tr } = useTranslation('records');
  useTitle(t('collect.title'));
  const me = useMe();
  const navigate = useNavigate();
  const ruleText = useRuleText();
  const [form] = Form.useForm<Values>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [invalid, setInvalid] = useState(0);
  const [done, setDone] = useState<{ id: string; warnings: readonly RowError[] }>();

  const submit = async (v: Values) => {
    setBusy(true);
    setError(undefined);
    setInvalid(0);
    const fields = Object.fromEntries(
      Object.entries(v)
        .map(([k, x]) => [k, typeof x === 'string' ? x.trim() : x] as const)
        .filter(([, x]) => x !== undefined && x !== ''),
    );
    try {
      const r = await must(api.POST('/v1/records', { body: { recordType: 'birth', fields } }));
      setDone({ id: r.id, warnings: r.warnings ?? [] });
      form.resetFields();
    } catch (e) {
      const errors = isApiError(e) && Array.isArray(e.details?.errors) ? (e.details.errors as RowError[]) : [];
      const one =
        isApiError(e) && typeof e.details?.field === 'string'
          ? [{ field: e.details.field, rule: typeof e.details.rule === 'string' ? e.details.rule : 'required' }]
          : [];
      const all = [...errors, ...one].filter((x) => GROUPS.some((g) => g.fields.some((f) => f.name === x.field)));
      if (all.length) {
        form.setFields(all.map((x) => ({ name: x.field, errors: [ruleText(x.rule)] })));
        setInvalid(all.length);
        document.getElementById(`collect_${all[0]!.field}`)?.focus();
      } else setError(e);
    } finally {
      setBusy(false);
    }
  };

  if (done) {
    return (
      <Result
        status="success"
        title={<h1 className="tv-result-title">{t('collect.done')}</h1>}
        subTitle={t('collect.doneIntro')}
        extra={[
          <Button key="open" type="primary" onClick={() => void navigate(`/records/${encodeURIComponent(done.id)}`)}>
            {t('collect.open')}
          </Button>,
          <Button key="invite" onClick={() => void navigate(`/records/${encodeURIComponent(done.id)}/invitation`)}>
            {t('collect.invite')}
          </Button>,
          <Button key="again" onClick={() => setDone(undefined)}>
            {t('collect.another')}
          </Button>,
        ]}
      >
        {done.warnings.length > 0 && (
          <Alert
            type="warning"
            showIcon
            title={t('collect.warnings')}
            description={
              <ul className="tv-list">
                {done.warnings.map((w) => (
                  <li key={`${w.field}-${w.rule}`}>
                    {tr(`fields.${w.field}` as 'fields.babyName', { defaultValue: w.field })}：{ruleText(w.rule)}
                  </li>
                ))}
              </ul>
            }
          />
        )}
      </Result>
    );
  }

  const control = (f: Field) => {
    if (f.kind === 'sex')
      return (
        <Select
          options={(['male', 'female'] as const).map((s) => ({ value: s, label: tr(`sex.${s}`) }))}
          aria-required={f.required}
        />
      );
    return (
      <Input
        autoComplete="off"
        inputMode={f.kind === 'phone' ? 'tel' : undefined}
        placeholder={f.kind === 'time' ? '2026-11-28 08:30' : undefined}
        aria-required={f.required}
      />
    );
  };

  return (
    <>
      <Typography.Title level={1} className="tv-page-title">
        {t('collect.title')}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{t('collect.intro')}</Typography.Paragraph>
      {error !== undefined && (
        <div className="tv-block">
          <ErrorAlert error={error} />
        </div>
      )}
      {invalid > 0 && (
        <Alert
          className="tv-block"
          type="error"
          showIcon
          role="alert"
          title={t('collect.invalid', { count: invalid })}
        />
      )}
      <Form<Values>
        form={form}
        name="collect"
        layout="vertical"
        onFinish={(v) => void submit(v)}
        initialValues={{ hospital: me.organizationName ?? undefined }}
      >
        {GROUPS.map((g) => (
          <Card key={g.key} className="tv-block" title={<h2 className="tv-card-title">{t(`collect.${g.key}`)}</h2>}>
            <Row gutter={16}>
              {g.fields.map((f) => (
                <Col key={f.name} xs={24} md={12} xl={8}>
                  <Form.Item
                    name={f.name}
                    label={tr(`fields.${f.name}` as 'fields.babyName')}
                    required={f.required}
                    extra={f.kind === 'time' ? t('collect.timeHint') : undefined}
                  >
                    {control(f)}
                  </Form.Item>
                </Col>
              ))}
            </Row>
          </Card>
        ))}
        <Button type="primary" htmlType="submit" size="large" loading={busy}>
          {t('collect.submit')}
        </Button>
      </Form>
    </>
  );
}
