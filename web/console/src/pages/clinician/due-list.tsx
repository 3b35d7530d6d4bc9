/**
 * The vaccination nurse's due list (GET /v1/due-list?from=&to=, ADR 0022): the children of the
 * clinic's districts with a dose due in the window, masked (only dates in the URL); "dose given"
 * records a dose (POST /v1/records/{id}/doses), so that the next list is right; a link to the list as
 * a file, a standing export (standing-exports.tsx).
 */
import { CheckOutlined, FileDoneOutlined } from '@ant-design/icons';
import { App, Button, Card, DatePicker, Form, Grid, Input, List, Modal, Space, Table, Tag, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api, must } from '../../api/client.ts';
import { ErrorAlert } from '../../components/error-alert.tsx';
import { TableRegion } from '../../components/table-region.tsx';
import { useLoad } from '../../components/use-load.ts';
import { useTitle } from '../../components/use-title.ts';
import { useMe } from '../../me.tsx';

const PAGE = 50;
const ymd = (d: Dayjs) => d.format('YYYY-MM-DD');

async function dueList(from: string, to: string, page: number) {
  return must(api.GET('/v1/due-list', { params: { query: { from, to, limit: PAGE, offset: (page - 1) * PAGE } } }));
}
type Row = Awaited<ReturnType<typeof dueList>>['rows'][number];
type Dose = Row['due'][number];

export function DueListPage() {
  const { t } = useTranslation('clinician');
  useTitle(t('due.title'));
  const me = useMe();
  const { message } = App.useApp();
  const [window, setWindow] = useState<[Dayjs, Dayjs]>([dayjs(), dayjs().add(30, 'day')]);
  const [page, setPage] = useState(1);
  const from = ymd(window[0]),
    to = ymd(window[1]);
  const list = useLoad(() => dueList(from, to, page), [from, to, page]);
  const [giving, setGiving] = useState<{ row: Row; dose: Dose }>();
  const wide = Grid.useBreakpoint().md ?? true;
  const giveButtons = (r: Row) => (
    <div className="tv-doses">
      {[...r.overdue, ...r.due].map((d) => (
        <Button
          key={`${d.vaccine}-${d.dose}`}
          size="small"
          icon={<CheckOutlined />}
          onClick={() => setGiving({ row: r, dose: d })}
          aria-label={`${t('due.doseGiven')}: ${d.name} ${d.dose}`}
        >
          {d.name} {d.dose}
        </Button>
      ))}
    </div>
  );
  const dueTags = (r: Row) => (
    <div className="tv-doses">
      {r.due.map((d) => (
        <div key={`${d.vaccine}-${d.dose}`} className="tv-nowrap">
          <Tag className="tv-tag-info">
            {d.name} {d.dose}
          </Tag>
          <span className="tv-sub">{d.due}</span>
        </div>
      ))}
    </div>
  );

  const districts = [
    ...((me.raw.districts as string[] | undefined) ?? []),
    ...(typeof (me.raw.organization as { region?: unknown } | null)?.region === 'string'
      ? [(me.raw.organization as { region: string }).region]
      : []),
  ];
  const doses = (ds: readonly { name: string; dose: number }[], cls?: string) =>
    ds.length === 0 ? (
      '—'
    ) : (
      <Space size={[4, 4]} wrap>
        {ds.map((d) => (
          <Tag key={`${d.name}-${d.dose}`} className={cls}>
            {d.name} {d.dose}
          </Tag>
        ))}
      </Space>
    );

  return (
    <>
      <Typography.Title level={1} className="tv-page-title">
        {t('due.title')}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{t('due.intro')}</Typography.Paragraph>
      <Typography.Paragraph>
        <Link to="/due-list/standing">
          <FileDoneOutlined /> {t('due.askFile')}
        </Link>
      </Typography.Paragraph>
      {districts.length > 0 && (
        <Typography.Paragraph>{t('due.districts', { list: [...new Set(districts)].join('、') })}</Typography.Paragraph>
      )}
      <Card className="tv-block">
        <Form layout={wide ? 'inline' : 'vertical'} className="tv-due-form">
          <Form.Item label={t('due.window')}>
            <DatePicker.RangePicker
              value={window}
              allowClear={false}
              aria-label={t('due.window')}
              onChange={(v) => {
                if (v?.[0] && v[1]) {
                  setWindow([v[0], v[1]]);
                  setPage(1);
                }
              }}
            />
          </Form.Item>
        </Form>
      </Card>
      {list.error !== undefined && (
        <div className="tv-block">
          <ErrorAlert error={list.error} />
        </div>
      )}
      <Card>
        {list.data && (
          <Typography.Paragraph aria-live="polite">
            {list.data.total ? t('due.total', { count: list.data.total }) : t('due.none')}
          </Typography.Paragraph>
        )}
        {wide ? (
          <TableRegion label={t('due.title')}>
            <Table<Row>
              rowKey="id"
              size="middle"
              loading={list.loading}
              dataSource={list.data?.rows ?? []}
              pagination={{
                pageSize: PAGE,
                current: page,
                total: list.data?.total ?? 0,
                hideOnSinglePage: true,
                onChange: setPage,
              }}
              columns={[
                {
                  title: t('due.child'),
                  key: 'baby',
                  render: (_, r) => (
                    <div className="tv-nowrap">
                      <span className="tv-masked">{r.babyName}</span>
                      <div className="tv-sub">{r.birthDate}</div>
                    </div>
                  ),
                },
                {
                  title: t('due.mother'),
                  key: 'mother',
                  render: (_, r) => (
                    <div className="tv-nowrap">
                      <span className="tv-masked">{r.motherName}</span>
                      <div className="tv-sub tv-masked">{r.motherPhone}</div>
                    </div>
                  ),
                },
                {
                  title: t('due.dueDoses'),
                  key: 'due',
                  render: (_, r) => dueTags(r),
                },
                { title: t('due.overdue'), key: 'overdue', render: (_, r) => doses(r.overdue, 'tv-tag-bad') },
                {
                  title: t('due.given'),
                  key: 'given',
                  render: (_, r) =>
                    r.given.length === 0 ? (
                      '—'
                    ) : (
                      <span className="tv-given">{r.given.map((g) => `${g.name} ${g.dose}`).join('、')}</span>
                    ),
                },
                {
                  title: t('due.action'),
                  key: 'action',
                  render: (_, r) => giveButtons(r),
                },
              ]}
            />
          </TableRegion>
        ) : (
          <List
            loading={list.loading}
            dataSource={list.data?.rows ?? []}
            rowKey="id"
            pagination={
              (list.data?.total ?? 0) > PAGE
                ? { pageSize: PAGE, current: page, total: list.data?.total ?? 0, onChange: setPage }
                : false
            }
            renderItem={(r) => (
              <List.Item data-row-key={r.id} className="tv-due-item">
                <div className="tv-due-card">
                  <div>
                    <span className="tv-masked tv-strong">{r.babyName}</span>
                    <span className="tv-sub">{r.birthDate}</span>
                  </div>
                  <div className="tv-sub tv-masked">
                    {r.motherName} · {r.motherPhone}
                  </div>
                  <div className="tv-due-line">
                    <span className="tv-sub">{t('due.dueDoses')}</span>
                    {dueTags(r)}
                  </div>
                  {r.overdue.length > 0 && (
                    <div className="tv-due-line">
                      <span className="tv-sub">{t('due.overdue')}</span>
                      {doses(r.overdue, 'tv-tag-bad')}
                    </div>
                  )}
                  <div className="tv-due-line">
                    <span className="tv-sub">{t('due.action')}</span>
                    {giveButtons(r)}
                  </div>
                </div>
              </List.Item>
            )}
          />
        )}
      </Card>
      {giving && (
        <DoseGivenModal
          row={giving.row}
          dose={giving.dose}
          onClose={(done) => {
            setGiving(undefined);
            if (done) {
              void message.success(done);
              list.reload();
            }
          }}
        />
      )}
    </>
  );
}

function DoseGivenModal({
  row,
  dose,
  onClose,
}: {
  readonly row: Row;
  readonly dose: Dose;
  readonly onClose: (done?: string) => void;
}) {
  const { t } = useTranslation('clinician');
  const { t: ts } = useTranslation('shell');
  const [form] = Form.useForm<{ date: Dayjs; clinic?: string }>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const save = async (v: { date: Dayjs; clinic?: string }) => {
    setBusy(true);
    setError(undefined);
    try {
      const r = await must(
        api.POST('/v1/records/{id}/doses', {
          params: { path: { id: row.id } },
          body: {
            vaccine: dose.vaccine,
            dose: dose.dose,
            date: ymd(v.date),
            ...(v.clinic?.trim() ? { clinic: v.clinic.trim() } : {}),
          },
        }),
      );
      onClose(r.changed.length ? t('due.recorded', { vaccine: dose.name, dose: dose.dose }) : t('due.alreadyRecorded'));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      open
      title={t('due.doseGivenTitle', { vaccine: dose.name, dose: dose.dose })}
      okText={ts('actions.save')}
      cancelText={ts('actions.cancel')}
      confirmLoading={busy}
      onOk={() => form.submit()}
      onCancel={() => onClose()}
    >
      {error !== undefined && (
        <div className="tv-block">
          <ErrorAlert error={error} />
        </div>
      )}
      <Form form={form} name="dose" layout="vertical" initialValues={{ date: dayjs() }} onFinish={(v) => void save(v)}>
        <Form.Item name="date" label={t('due.date')} rules={[{ required: true }]}>
          <DatePicker disabledDate={(d) => d.isAfter(dayjs(), 'day')} allowClear={false} />
        </Form.Item>
        <Form.Item name="clinic" label={t('due.clinic')}>
          <Input maxLength={100} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
