/**
 * Finding a record (POST /v1/records/search: the value in the body, never in a URL): by phone number,
 * resident id or name; the masked results, each opening its card. The last search is kept in memory
 * only (not in the URL or storage), so that coming back from a card shows it again.
 */
import { Button, Card, Form, Grid, Input, List, Segmented, Table, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { api, must } from '../../api/client.ts';
import { ErrorAlert } from '../../components/error-alert.tsx';
import { TableRegion } from '../../components/table-region.tsx';
import { useTitle } from '../../components/use-title.ts';
import { asText, type RecordView } from '../../records.ts';

const KEYS = ['phone', 'residentId', 'name'] as const;
type Key = (typeof KEYS)[number];

/** The last results, for coming back from a record's card (memory only). */
let last: { by: Key; results: RecordView[] } | undefined;

export function SearchPage() {
  const { t } = useTranslation('clinician');
  const { t: tr } = useTranslation('records');
  useTitle(t('search.title'));
  const navigate = useNavigate();
  const [by, setBy] = useState<Key>(last?.by ?? 'phone');
  const [results, setResults] = useState<RecordView[] | undefined>(last?.results);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [form] = Form.useForm<{ value: string }>();
  const wide = Grid.useBreakpoint().md ?? true;
  const open = (r: RecordView) => void navigate(`/records/${encodeURIComponent(r.id)}`);

  const submit = async ({ value }: { value: string }) => {
    setBusy(true);
    setError(undefined);
    try {
      const body = { [by]: value.trim() } as { phone?: string; residentId?: string; name?: string };
      const r = (await must(api.POST('/v1/records/search', { body }))) as { records: RecordView[] };
      setResults(r.records);
      last = { by, results: r.records };
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <Typography.Title level={1} className="tv-page-title">
        {t('search.title')}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{t('search.intro')}</Typography.Paragraph>
      <Card className="tv-block">
        <Form form={form} name="search" layout="vertical" onFinish={(v) => void submit(v)} requiredMark={false}>
          <Form.Item label={t('search.by')}>
            <Segmented<Key>
              value={by}
              onChange={setBy}
              options={KEYS.map((k) => ({ value: k, label: t(`search.${k}`) }))}
              aria-label={t('search.by')}
            />
          </Form.Item>
          <div className="tv-search-row">
            <Form.Item
              name="value"
              label={t(`search.${by}`)}
              rules={[{ required: true, whitespace: true, message: t(`search.${by}`) }]}
              className="tv-search-input"
            >
              <Input
                size="large"
                autoComplete="off"
                inputMode={by === 'phone' ? 'tel' : 'text'}
                maxLength={by === 'name' ? 64 : 32}
              />
            </Form.Item>
            <Button type="primary" htmlType="submit" size="large" loading={busy} className="tv-search-button">
              {t('search.submit')}
            </Button>
          </div>
        </Form>
      </Card>
      {error !== undefined && (
        <div className="tv-block">
          <ErrorAlert error={error} />
        </div>
      )}
      {results && (
        <Card title={<h2 className="tv-card-title">{t('search.results')}</h2>}>
          <Typography.Paragraph aria-live="polite">
            {results.length ? t('search.count', { count: results.length }) : t('search.none')}
          </Typography.Paragraph>
          {results.length > 0 && !wide && (
            <List
              dataSource={results}
              rowKey="id"
              renderItem={(r) => (
                <List.Item
                  data-row-key={r.id}
                  actions={[
                    <Button key="open" size="small" onClick={() => open(r)}>
                      {t('search.open')}
                    </Button>,
                  ]}
                >
                  <List.Item.Meta
                    title={<span className="tv-masked">{asText(r.fields.babyName)}</span>}
                    description={
                      <>
                        <span className="tv-masked">
                          {asText(r.fields.motherName)} · {asText(r.fields.motherPhone)}
                        </span>
                        <br />
                        {t('search.born')} {asText(r.fields.birthTime)}
                      </>
                    }
                  />
                </List.Item>
              )}
            />
          )}
          {results.length > 0 && wide && (
            <TableRegion label={t('search.results')}>
              <Table<RecordView>
                rowKey="id"
                size="middle"
                dataSource={results}
                pagination={{ pageSize: 20, hideOnSinglePage: true }}
                columns={[
                  {
                    title: tr('fields.babyName'),
                    key: 'baby',
                    render: (_, r) => <span className="tv-masked">{asText(r.fields.babyName)}</span>,
                  },
                  {
                    title: tr('fields.motherName'),
                    key: 'mother',
                    render: (_, r) => <span className="tv-masked">{asText(r.fields.motherName)}</span>,
                  },
                  {
                    title: tr('fields.motherPhone'),
                    key: 'phone',
                    render: (_, r) => <span className="tv-masked">{asText(r.fields.motherPhone)}</span>,
                  },
                  { title: t('search.born'), key: 'born', render: (_, r) => asText(r.fields.birthTime) },
                  { title: tr('fields.hospital'), key: 'hospital', render: (_, r) => asText(r.fields.hospital) },
                  {
                    title: '',
                    key: 'open',
                    render: (_, r) => (
                      <Button size="small" onClick={() => open(r)}>
                        {t('search.open')}
                      </Button>
                    ),
                  },
                ]}
              />
            </TableRegion>
          )}
        </Card>
      )}
    </>
  );
}
