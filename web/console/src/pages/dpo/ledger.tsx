/**
 * The ledger's health (GET /v1/ledger/health; POST /v1/ledger/verify): entries and how many a signed
 * checkpoint covers, the latest checkpoint (size, root, when, its signature), each witness and its
 * cosignature of the latest, the last full verification, and a button that runs one.
 */
import { Button, Card, Descriptions, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, must } from '../../api/client.ts';
import { ErrorAlert } from '../../components/error-alert.tsx';
import { TableRegion } from '../../components/table-region.tsx';
import { useLoad } from '../../components/use-load.ts';
import { useTitle } from '../../components/use-title.ts';
import { dateTime } from '../../format.ts';
import '../../oversight.css';

type Health = Awaited<ReturnType<typeof load>>;
type Verification = NonNullable<Health['lastVerification']>;
const load = () => must(api.GET('/v1/ledger/health'));

export function LedgerPage() {
  const { t, i18n } = useTranslation('oversight');
  useTitle(t('ledger.title'));
  const health = useLoad(load);
  const [verifying, setVerifying] = useState(false);
  const [error, setError] = useState<unknown>();
  const [result, setResult] = useState<Verification>();
  const lng = i18n.language;

  const verify = async () => {
    setVerifying(true);
    setError(undefined);
    try {
      setResult(await must(api.POST('/v1/ledger/verify')));
      health.reload();
    } catch (e) {
      setError(e);
    } finally {
      setVerifying(false);
    }
  };
  const h = health.data;
  const last = result ?? h?.lastVerification ?? null;
  const yesNo = (b: boolean | null | undefined, yes: string, no: string) =>
    b === null || b === undefined ? (
      <Tag className="tv-tag-wait">{t('ledger.unknown')}</Tag>
    ) : b ? (
      <Tag className="tv-tag-ok">{yes}</Tag>
    ) : (
      <Tag className="tv-tag-bad">{no}</Tag>
    );

  return (
    <>
      <Typography.Title level={1} className="tv-page-title">
        {t('ledger.title')}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{t('ledger.intro')}</Typography.Paragraph>
      <ErrorAlert error={health.error} />
      {h && (
        <>
          <Card className="tv-block" title={<h2 className="tv-card-title">{t('ledger.checkpoint')}</h2>}>
            <Descriptions column={1} size="small" bordered>
              <Descriptions.Item label={t('ledger.entries')}>
                <span data-testid="ledger-entries">{h.entries}</span>
              </Descriptions.Item>
              <Descriptions.Item label={t('ledger.integrated')}>{h.integrated}</Descriptions.Item>
              {h.checkpoint ? (
                <>
                  <Descriptions.Item label={t('ledger.size')}>
                    {h.checkpoint.size}
                    {h.checkpoint.behind > 0 && (
                      <Tag className="tv-tag-wait">{t('ledger.behind', { count: h.checkpoint.behind })}</Tag>
                    )}
                  </Descriptions.Item>
                  <Descriptions.Item label={t('ledger.root')}>
                    <code className="tv-mono">{h.checkpoint.root}</code>
                  </Descriptions.Item>
                  <Descriptions.Item label={t('ledger.signedAt')}>
                    {dateTime(h.checkpoint.signedAt, lng)}
                  </Descriptions.Item>
                  <Descriptions.Item label={t('ledger.signature')}>
                    {yesNo(h.checkpoint.signatureValid, t('ledger.valid'), t('ledger.invalid'))}
                  </Descriptions.Item>
                </>
              ) : (
                <Descriptions.Item label={t('ledger.checkpoint')}>{t('ledger.noCheckpoint')}</Descriptions.Item>
              )}
            </Descriptions>
          </Card>
          <Card className="tv-block" title={<h2 className="tv-card-title">{t('ledger.witnesses')}</h2>}>
            <TableRegion label={t('ledger.witnesses')}>
              <Table
                rowKey="name"
                size="small"
                pagination={false}
                locale={{ emptyText: t('ledger.noWitnesses') }}
                dataSource={h.witnesses}
                columns={[
                  { title: t('ledger.witness'), dataIndex: 'name' },
                  {
                    title: t('ledger.configured'),
                    dataIndex: 'configured',
                    render: (b: boolean) => (b ? t('ledger.yes') : t('ledger.no')),
                  },
                  {
                    title: t('ledger.lastCosigned'),
                    dataIndex: 'lastCosignedSize',
                    render: (n: number | null) => n ?? '—',
                  },
                  {
                    title: t('ledger.onLatest'),
                    key: 'latest',
                    render: (_: unknown, w: Health['witnesses'][number]) =>
                      w.onLatest ? (
                        <>
                          {yesNo(w.onLatest.valid, t('ledger.valid'), t('ledger.invalid'))}{' '}
                          {dateTime(w.onLatest.at, lng)}
                        </>
                      ) : (
                        '—'
                      ),
                  },
                ]}
              />
            </TableRegion>
          </Card>
          <Card className="tv-block" title={<h2 className="tv-card-title">{t('ledger.verification')}</h2>}>
            <div aria-live="polite">
              {last ? (
                <Typography.Paragraph>
                  <Tag
                    className={
                      last.status === 'ok' ? 'tv-tag-ok' : last.status === 'failed' ? 'tv-tag-bad' : 'tv-tag-wait'
                    }
                  >
                    {t(`ledger.status.${last.status}`)}
                  </Tag>{' '}
                  {dateTime(last.startedAt, lng)} ·{' '}
                  {t('ledger.verified', { entries: last.entries, checkpoints: last.checkpoints, ms: last.ms })}
                  {last.firstBadIndex !== undefined && <> · {t('ledger.firstBad', { index: last.firstBadIndex })}</>}
                </Typography.Paragraph>
              ) : (
                <Typography.Paragraph>{t('ledger.never')}</Typography.Paragraph>
              )}
            </div>
            <ErrorAlert error={error} />
            <Button type="primary" loading={verifying} onClick={() => void verify()}>
              {verifying ? t('ledger.verifying') : t('ledger.verify')}
            </Button>
          </Card>
        </>
      )}
    </>
  );
}
