/**
 * Canary hits (GET /v1/canaries/hits): the calls and messages reported to the operator's contact
 * points, newest first, in Beijing time. A confirmed one (the caller quoted a canary's fake baby)
 * names, to an investigator, the disclosure the canary was minted for: the recipient's name, role
 * and organisation, the channel and the date — people, not ids. A DPO sees the hits, not whose they
 * are (the server sends disclosureId null). What the caller said is never listed.
 */
import { Button, Card, Empty, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { api, must } from '../../api/client.ts';
import { ErrorAlert } from '../../components/error-alert.tsx';
import { TableRegion } from '../../components/table-region.tsx';
import { useLoad } from '../../components/use-load.ts';
import { useTitle } from '../../components/use-title.ts';
import { date, dateTime, list } from '../../format.ts';
import { hasRole, useMe } from '../../me.tsx';
import '../../oversight.css';
import './canary-hits.css';
import type { ReportDisclosure, ReportPerson } from './report-types.ts';

interface Hit {
  readonly id: string;
  readonly at: string;
  readonly atBeijing: string;
  readonly recordedAt: string;
  readonly confirmed: boolean;
  readonly contactKind: 'phone' | 'mailbox';
  readonly disclosureId: string | null;
}
interface Hits {
  readonly hits: readonly Hit[];
  readonly disclosures: Readonly<Record<string, ReportDisclosure>>;
  readonly people: Readonly<Record<string, ReportPerson>>;
}

const load = async () => (await must(api.GET('/v1/canaries/hits', { params: { query: { limit: 200 } } }))) as Hits;

export function CanaryHitsPage() {
  const { t, i18n } = useTranslation('investigation');
  const { t: ts } = useTranslation('shell');
  useTitle(t('canaries.title'));
  const lng = i18n.language;
  const navigate = useNavigate();
  const me = useMe();
  const got = useLoad(load, []);
  const d = got.data;
  const investigator = hasRole(me, ['investigator']);

  const role = (p: ReportPerson) =>
    list(
      p.roles.map((x) => ts(`roles.${x}` as 'roles.dpo', { defaultValue: x })),
      lng,
    );
  const channel = (c: string) => t(`report.channels.${c}` as 'report.channels.export', { defaultValue: c });
  const named = (h: Hit) => {
    const dis = h.disclosureId ? d?.disclosures[h.disclosureId] : undefined;
    if (!h.confirmed)
      return (
        <Typography.Text type="secondary" className="tv-canary-named">
          {t('canaries.unconfirmedNote')}
        </Typography.Text>
      );
    if (!dis)
      return (
        <Typography.Text type="secondary" className="tv-canary-named">
          {t('canaries.notNamed')}
        </Typography.Text>
      );
    const p = d?.people[dis.principalId];
    return (
      <div className="tv-canary-named">
        <strong>{p?.displayName ?? t('canaries.unknownPerson')}</strong>
        {p && (
          <span>
            {' · '}
            {[role(p), p.organizationName].filter(Boolean).join(' · ')}
          </span>
        )}
        <div>
          {channel(dis.channel)} · {date(dis.at, lng)}
        </div>
      </div>
    );
  };

  return (
    <>
      <Typography.Title level={1} className="tv-page-title">
        {t('canaries.title')}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{t('canaries.intro')}</Typography.Paragraph>
      <ErrorAlert error={got.error} />
      {d && (
        <Card
          className="tv-block"
          title={<h2 className="tv-card-title">{t('canaries.total', { count: d.hits.length })}</h2>}
          extra={
            investigator && d.hits.some((h) => h.confirmed) ? (
              <Button onClick={() => void navigate('/trace')}>{t('canaries.trace')}</Button>
            ) : undefined
          }
        >
          {d.hits.length === 0 ? (
            <Empty description={t('canaries.none')} />
          ) : (
            <TableRegion label={t('canaries.title')}>
              <Table<Hit>
                rowKey="id"
                size="small"
                pagination={{ pageSize: 20, hideOnSinglePage: true }}
                dataSource={[...d.hits]}
                columns={[
                  { title: t('canaries.at'), dataIndex: 'at', render: (at: string) => dateTime(at, lng) },
                  {
                    title: t('canaries.contact'),
                    dataIndex: 'contactKind',
                    render: (k: Hit['contactKind']) => t(`canaries.kinds.${k}`),
                  },
                  {
                    title: t('canaries.status'),
                    dataIndex: 'confirmed',
                    render: (c: boolean) =>
                      c ? (
                        <Tag className="tv-tag-bad">{t('canaries.confirmed')}</Tag>
                      ) : (
                        <Tag className="tv-tag-info">{t('canaries.unconfirmed')}</Tag>
                      ),
                  },
                  { title: t('canaries.disclosure'), key: 'named', render: (_: unknown, h: Hit) => named(h) },
                ]}
              />
            </TableRegion>
          )}
        </Card>
      )}
    </>
  );
}
