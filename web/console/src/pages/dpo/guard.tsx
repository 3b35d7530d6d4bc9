/**
 * Guard settings (GET/PUT /v1/guard/settings, ADR 0023): the thresholds as a form, the action per
 * rule, the overrides per role and per organisation (which can only lower a limit); saving sends
 * the version it was read at, and a change made meanwhile by someone else is refused and reloaded.
 */
import { App, Button, Card, Form, InputNumber, Select, Table, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, isApiError, must } from '../../api/client.ts';
import { ErrorAlert } from '../../components/error-alert.tsx';
import { TableRegion } from '../../components/table-region.tsx';
import { useLoad } from '../../components/use-load.ts';
import { useTitle } from '../../components/use-title.ts';
import { dateTime } from '../../format.ts';
import { ROLES, useMe } from '../../me.tsx';
import '../../oversight.css';

type Loaded = Awaited<ReturnType<typeof load>>;
type Settings = Loaded['settings'];
type Limits = NonNullable<Settings['roles']>[string];
const load = () => must(api.GET('/v1/guard/settings'));

const BASE = [
  'headroom',
  'justifyAfter',
  'velocityPerMinute',
  'offHoursPerHour',
  'scanWindow',
  'peerFactor',
  'peerMinimum',
] as const;
const LIMITS = ['headroom', 'justifyAfter', 'velocityPerMinute', 'offHoursPerHour', 'normalCap'] as const;
type Action = 'alert' | 'justify' | 'block';

export function GuardPage() {
  const { t, i18n } = useTranslation('oversight');
  const { t: ts } = useTranslation('shell');
  useTitle(t('guard.title'));
  const { message } = App.useApp();
  const me = useMe();
  const got = useLoad(load);
  const [settings, setSettings] = useState<Settings>();
  const [error, setError] = useState<unknown>();
  const [saving, setSaving] = useState(false);
  const [newRole, setNewRole] = useState<string>();
  useEffect(() => setSettings(got.data?.settings), [got.data]);

  const save = async () => {
    if (!got.data || !settings) return;
    setSaving(true);
    setError(undefined);
    try {
      const r = await must(api.PUT('/v1/guard/settings', { body: { expectedVersion: got.data.version, settings } }));
      void message.success(t('common.saved', { version: r.version }));
      got.reload();
    } catch (e) {
      setError(e);
      if (isApiError(e) && e.status === 409) {
        void message.warning(t('guard.conflict'));
        got.reload();
      }
    } finally {
      setSaving(false);
    }
  };

  const data = got.data;
  const set = (patch: Partial<Settings>) => setSettings((s) => (s ? { ...s, ...patch } : s));
  const setRole = (role: string, key: (typeof LIMITS)[number], value: number | null) =>
    setSettings((s) => {
      if (!s) return s;
      const roles = { ...(s.roles ?? {}) };
      const next: Limits = { ...(roles[role] ?? {}) };
      if (value === null) delete next[key];
      else next[key] = value;
      roles[role] = next;
      return { ...s, roles };
    });
  const roleName = (r: string) => ts(`roles.${r}` as 'roles.dpo', { defaultValue: r });
  const rules = data ? Object.keys(data.ruleDefaults) : [];
  const roleRows = Object.entries(settings?.roles ?? {}).map(([role, limits]) => ({ role, limits }));

  return (
    <>
      <Typography.Title level={1} className="tv-page-title">
        {t('guard.title')}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{t('guard.intro')}</Typography.Paragraph>
      <ErrorAlert error={got.error} />
      {data && settings && (
        <>
          <Typography.Paragraph>
            <strong>{t('guard.version', { version: data.version })}</strong> ·{' '}
            {data.changedAt
              ? data.changedBy === me.id
                ? t('guard.changed', { at: dateTime(data.changedAt, i18n.language), by: me.displayName })
                : t('guard.changedAt', { at: dateTime(data.changedAt, i18n.language) })
              : t('guard.never')}
          </Typography.Paragraph>
          <Card className="tv-block" title={<h2 className="tv-card-title">{t('guard.base')}</h2>}>
            <Form layout="vertical" className="tv-guard-form">
              <div className="tv-guard-grid">
                {BASE.map((k) => (
                  <Form.Item key={k} label={t(`guard.${k}`)} htmlFor={`tv-guard-${k}`}>
                    <InputNumber
                      id={`tv-guard-${k}`}
                      min={0}
                      value={settings[k]}
                      onChange={(v) => typeof v === 'number' && set({ [k]: v })}
                    />
                  </Form.Item>
                ))}
                <Form.Item label={t('guard.normalCap')} htmlFor="tv-guard-normalCap">
                  <InputNumber
                    id="tv-guard-normalCap"
                    min={0}
                    value={settings.normalCap ?? null}
                    onChange={(v) => set({ normalCap: typeof v === 'number' ? v : null })}
                  />
                </Form.Item>
                <Form.Item label={t('guard.nightFrom')} htmlFor="tv-guard-nightFrom">
                  <InputNumber
                    id="tv-guard-nightFrom"
                    min={0}
                    max={23}
                    value={settings.night[0]}
                    onChange={(v) => typeof v === 'number' && set({ night: [v, settings.night[1] ?? 0] })}
                  />
                </Form.Item>
                <Form.Item label={t('guard.nightTo')} htmlFor="tv-guard-nightTo">
                  <InputNumber
                    id="tv-guard-nightTo"
                    min={0}
                    max={24}
                    value={settings.night[1]}
                    onChange={(v) => typeof v === 'number' && set({ night: [settings.night[0] ?? 0, v] })}
                  />
                </Form.Item>
              </div>
            </Form>
          </Card>
          <Card className="tv-block" title={<h2 className="tv-card-title">{t('guard.actions')}</h2>}>
            <div className="tv-guard-grid">
              {rules.map((rule) => (
                <label key={rule} className="tv-guard-action">
                  <span>{t(`alerts.rules.${rule}` as 'alerts.rules.velocity', { defaultValue: rule })}</span>
                  <Select<Action>
                    aria-label={t(`alerts.rules.${rule}` as 'alerts.rules.velocity', { defaultValue: rule })}
                    value={settings.actions?.[rule] ?? data.ruleDefaults[rule]}
                    onChange={(v) => set({ actions: { ...(settings.actions ?? {}), [rule]: v } })}
                    options={(['alert', 'justify', 'block'] as const).map((a) => ({
                      value: a,
                      label: t(`guard.act.${a}`),
                    }))}
                  />
                </label>
              ))}
            </div>
          </Card>
          <Card className="tv-block" title={<h2 className="tv-card-title">{t('guard.roles')}</h2>}>
            <TableRegion label={t('guard.roles')}>
              <Table
                rowKey="role"
                size="small"
                pagination={false}
                dataSource={roleRows}
                columns={[
                  {
                    title: t('guard.role'),
                    dataIndex: 'role',
                    render: (r: string) => ts(`roles.${r}` as 'roles.dpo', { defaultValue: r }),
                  },
                  ...LIMITS.map((k) => ({
                    title: t(`guard.${k}`),
                    key: k,
                    render: (_: unknown, row: { role: string; limits: Limits }) => (
                      <InputNumber
                        aria-label={`${roleName(row.role)} · ${t(`guard.${k}`)}`}
                        min={0}
                        value={row.limits[k] ?? null}
                        onChange={(v) => setRole(row.role, k, typeof v === 'number' ? v : null)}
                      />
                    ),
                  })),
                ]}
              />
            </TableRegion>
            <div className="tv-toolbar tv-top-gap">
              {/* A native select: antd's leaves an unnamed listbox in the page once opened (axe). */}
              <select
                aria-label={t('guard.role')}
                className="tv-native-select"
                value={newRole ?? ''}
                onChange={(e) => setNewRole(e.target.value || undefined)}
              >
                <option value="">{t('guard.role')}</option>
                {ROLES.filter((r) => !settings.roles?.[r]).map((r) => (
                  <option key={r} value={r}>
                    {ts(`roles.${r}`)}
                  </option>
                ))}
              </select>
              <Button
                disabled={!newRole}
                onClick={() => {
                  if (newRole) set({ roles: { ...(settings.roles ?? {}), [newRole]: {} } });
                  setNewRole(undefined);
                }}
              >
                {t('guard.add')}
              </Button>
            </div>
          </Card>
          <ErrorAlert error={error} />
          <div className="tv-toolbar tv-block">
            <Button type="primary" loading={saving} onClick={() => void save()}>
              {t('guard.save')}
            </Button>
          </div>
        </>
      )}
    </>
  );
}
