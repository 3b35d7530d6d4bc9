/**
 * The policy editor (GET /v1/policies/current, POST /v1/policies/validate, POST /v1/policies/preview,
 * PUT /v1/policies/current): the Cedar text, its validation messages at line and column, the
 * difference from the current version line by line, and what a principal would see for a purpose
 * under the current and the edited text, before saving.
 */
import { App, Button, Card, Checkbox, Empty, Input, Select, Table, Tag, Typography } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, must } from '../../api/client.ts';
import { ErrorAlert } from '../../components/error-alert.tsx';
import { TableRegion } from '../../components/table-region.tsx';
import { useLoad } from '../../components/use-load.ts';
import { useTitle } from '../../components/use-title.ts';
import '../../oversight.css';
import { lineDiff } from './line-diff.ts';

type Validation = Awaited<ReturnType<typeof validate>>;
type Preview = Awaited<ReturnType<typeof preview>>;
type Purpose = NonNullable<Parameters<typeof preview>[2]>;
const validate = (text: string) => must(api.POST('/v1/policies/validate', { body: { text } }));
const preview = (
  text: string,
  principalId: string,
  purpose?:
    | 'treatment'
    | 'vaccination'
    | 'birth_registration'
    | 'statistics'
    | 'partner_contact'
    | 'investigation'
    | 'data_subject_request',
  standing: Partial<Record<Standing, boolean>> = {},
) =>
  must(
    api.POST('/v1/policies/preview', {
      body: { text, principalId, standing, ...(purpose ? { purpose } : {}) },
    }),
  );
/** What the previewed person is assumed to stand in to a record (no record named). */
const STANDINGS = ['sameOrg', 'inCare', 'inDistrict', 'consented'] as const;
type Standing = (typeof STANDINGS)[number];
const PURPOSES: readonly Purpose[] = [
  'treatment',
  'vaccination',
  'birth_registration',
  'statistics',
  'partner_contact',
  'investigation',
  'data_subject_request',
];

export function PolicyPage() {
  const { t } = useTranslation('oversight');
  const { t: ts } = useTranslation('shell');
  const { t: tr } = useTranslation('records');
  useTitle(t('policy.title'));
  const { message } = App.useApp();
  const current = useLoad(() => must(api.GET('/v1/policies/current')));
  const [text, setText] = useState('');
  const [checked, setChecked] = useState<Validation>();
  const [seen, setSeen] = useState<Preview>();
  const [principalId, setPrincipalId] = useState('');
  const [purpose, setPurpose] = useState<Purpose>('treatment');
  const [standing, setStanding] = useState<Standing[]>(['sameOrg', 'inCare']);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState<string>();
  useEffect(() => setText(current.data?.text ?? ''), [current.data]);
  const diff = useMemo(() => lineDiff(current.data?.text ?? '', text), [current.data, text]);
  const changed = diff.some((d) => d.kind !== 'same');

  const run = async (what: string, f: () => Promise<void>) => {
    setBusy(what);
    setError(undefined);
    try {
      await f();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(undefined);
    }
  };
  const save = () =>
    run('save', async () => {
      const v = await validate(text);
      setChecked(v);
      if (!v.ok) return;
      const r = (await must(api.PUT('/v1/policies/current', { body: { text } }))) as { version?: number } | undefined;
      void message.success(t('policy.savedVersion', { version: r?.version ?? '' }));
      current.reload();
    });
  const problems = [
    ...(checked?.errors ?? []).map((p) => ({ ...p, level: 'error' as const })),
    ...(checked?.warnings ?? []).map((p) => ({ ...p, level: 'warning' as const })),
  ];

  return (
    <>
      <Typography.Title level={1} className="tv-page-title">
        {t('policy.title')}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{t('policy.intro')}</Typography.Paragraph>
      <ErrorAlert error={current.error ?? error} />
      {current.data && (
        <>
          <Card
            className="tv-block"
            title={<h2 className="tv-card-title">{t('policy.version', { version: current.data.version })}</h2>}
          >
            <label htmlFor="tv-policy-text" className="tv-subtitle">
              {t('policy.text')}
            </label>
            <Input.TextArea
              id="tv-policy-text"
              className="tv-policy-text"
              rows={16}
              spellCheck={false}
              value={text}
              onChange={(e) => {
                setText(e.target.value);
                setChecked(undefined);
              }}
            />
            <div className="tv-toolbar tv-top-gap">
              <Button
                loading={busy === 'validate'}
                onClick={() => void run('validate', async () => setChecked(await validate(text)))}
              >
                {t('policy.validate')}
              </Button>
              <Button type="primary" disabled={!changed} loading={busy === 'save'} onClick={() => void save()}>
                {t('policy.save')}
              </Button>
            </div>
            <div aria-live="polite" className="tv-top-gap">
              {checked &&
                (checked.ok && problems.length === 0 ? (
                  <Tag className="tv-tag-ok">{t('policy.valid')}</Tag>
                ) : (
                  <ul className="tv-list">
                    {problems.map((p, i) => (
                      <li key={i}>
                        <Tag className={p.level === 'error' ? 'tv-tag-bad' : 'tv-tag-wait'}>
                          {p.level === 'error' ? t('policy.problems', { count: 1 }) : t('policy.warning')}
                        </Tag>
                        {p.line !== undefined && (
                          <strong>{t('policy.line', { line: p.line, column: p.column ?? 1 })}: </strong>
                        )}
                        {p.message}
                        {p.help ? ` (${p.help})` : ''}
                      </li>
                    ))}
                  </ul>
                ))}
            </div>
          </Card>
          <Card className="tv-block" title={<h2 className="tv-card-title">{t('policy.diff')}</h2>}>
            {changed ? (
              <pre className="tv-diff" aria-label={t('policy.diff')}>
                {diff
                  .filter(
                    (d, i) => d.kind !== 'same' || diff.slice(Math.max(0, i - 2), i + 3).some((x) => x.kind !== 'same'),
                  )
                  .map((d, i) => (
                    <div key={i} className={d.kind === 'add' ? 'tv-diff-add' : d.kind === 'del' ? 'tv-diff-del' : ''}>
                      {d.kind === 'add' ? '+ ' : d.kind === 'del' ? '- ' : '  '}
                      {d.text}
                    </div>
                  ))}
              </pre>
            ) : (
              <Typography.Text type="secondary">{t('policy.noDiff')}</Typography.Text>
            )}
          </Card>
          <Card className="tv-block" title={<h2 className="tv-card-title">{t('policy.preview')}</h2>}>
            <Typography.Paragraph type="secondary">{t('policy.previewIntro')}</Typography.Paragraph>
            <div className="tv-toolbar">
              <Input
                aria-label={t('policy.principal')}
                placeholder={t('policy.principal')}
                className="tv-search-input"
                value={principalId}
                onChange={(e) => setPrincipalId(e.target.value.trim())}
              />
              <Select
                aria-label={t('policy.purpose')}
                className="tv-select-kind"
                value={purpose}
                onChange={setPurpose}
                options={PURPOSES.map((p) => ({
                  value: p,
                  label: ts(`purposes.${p}` as 'purposes.treatment', { defaultValue: p }),
                }))}
              />
              <Checkbox.Group
                aria-label={t('policy.standing')}
                value={standing}
                onChange={(v) => setStanding(v)}
                options={STANDINGS.map((k) => ({ value: k, label: t(`policy.standings.${k}`) }))}
              />
              <Button
                disabled={!principalId}
                loading={busy === 'preview'}
                onClick={() =>
                  void run('preview', async () =>
                    setSeen(
                      await preview(
                        text,
                        principalId,
                        purpose,
                        Object.fromEntries(STANDINGS.map((k) => [k, standing.includes(k)])),
                      ),
                    ),
                  )
                }
              >
                {t('policy.preview')}
              </Button>
            </div>
            {seen ? (
              <>
                <Typography.Paragraph className="tv-top-gap">
                  <strong>{seen.principal.displayName}</strong> ·{' '}
                  {seen.principal.roles.map((r) => ts(`roles.${r}` as 'roles.dpo', { defaultValue: r })).join('、')}
                </Typography.Paragraph>
                <TableRegion label={t('policy.field')}>
                  <Table
                    rowKey="name"
                    size="small"
                    pagination={false}
                    dataSource={seen.fields}
                    rowClassName={(f) => (f.current !== f.proposed ? 'tv-overdue-row' : '')}
                    columns={[
                      {
                        title: t('policy.field'),
                        dataIndex: 'name',
                        render: (f: string) => tr(`fields.${f}` as 'fields.babyName', { defaultValue: f }),
                      },
                      {
                        title: t('policy.current'),
                        dataIndex: 'current',
                        render: (v: 'clear') => t(`policy.vis.${v}`),
                      },
                      {
                        title: t('policy.proposed'),
                        dataIndex: 'proposed',
                        render: (v: 'clear', f: Preview['fields'][number]) =>
                          f.current !== v ? (
                            <strong>
                              {t(`policy.vis.${v}`)} · {t('policy.changed')}
                            </strong>
                          ) : (
                            t(`policy.vis.${v}`)
                          ),
                      },
                    ]}
                  />
                </TableRegion>
                <TableRegion label={t('policy.actionName')}>
                  <Table
                    rowKey="action"
                    size="small"
                    className="tv-top-gap"
                    pagination={false}
                    dataSource={seen.actions}
                    columns={[
                      { title: t('policy.actionName'), dataIndex: 'action' },
                      {
                        title: t('policy.current'),
                        dataIndex: 'current',
                        render: (b: boolean) => (b ? t('policy.yes') : t('policy.no')),
                      },
                      {
                        title: t('policy.proposed'),
                        dataIndex: 'proposed',
                        render: (b: boolean, a: Preview['actions'][number]) =>
                          a.current !== b ? (
                            <strong>
                              {b ? t('policy.yes') : t('policy.no')} · {t('policy.changed')}
                            </strong>
                          ) : b ? (
                            t('policy.yes')
                          ) : (
                            t('policy.no')
                          ),
                      },
                    ]}
                  />
                </TableRegion>
              </>
            ) : (
              <Empty className="tv-top-gap" description={t('policy.previewIntro')} />
            )}
          </Card>
        </>
      )}
    </>
  );
}
