/**
 * Aggregate counts (GET /v1/stats?groupBy=…): a bar chart and the same numbers as a table. A cell the
 * server withheld (under its minimum, `suppressed`) is shown as such — an empty hatched bar labelled
 * "withheld" in the chart, the word in the table — never as 0, which would be a false number.
 */
import { Card, Table, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, must } from '../../api/client.ts';
import { Chart, TEXT_TOOLTIP } from '../../components/chart.tsx';
import { ErrorAlert } from '../../components/error-alert.tsx';
import { TableRegion } from '../../components/table-region.tsx';
import { useLoad } from '../../components/use-load.ts';
import { useTitle } from '../../components/use-title.ts';
import '../../oversight.css';

const GROUPS = ['hospital', 'birthYear', 'birthMonth', 'babySex', 'district'] as const;
type Group = (typeof GROUPS)[number];
type Stats = Awaited<ReturnType<typeof load>>;
type Cell = Stats['cells'][number];
const load = (groupBy: Group) => must(api.GET('/v1/stats', { params: { query: { groupBy } } }));

export function StatsPage() {
  const { t } = useTranslation('statistics');
  const { t: tr } = useTranslation('records');
  useTitle(t('stats.title'));
  const [group, setGroup] = useState<Group>('hospital');
  const got = useLoad(() => load(group), [group]);
  const s = got.data;
  const valueOf = (c: Cell) =>
    group === 'babySex' ? tr(`sex.${c.value}` as 'sex.male', { defaultValue: c.value }) : c.value;
  const withheld = t('stats.withheld');
  const option = useMemo(() => {
    if (!s) return undefined;
    return {
      tooltip: { ...TEXT_TOOLTIP, trigger: 'item' },
      grid: { left: 56, right: 16, top: 24, bottom: 64 },
      xAxis: {
        type: 'category',
        data: s.cells.map(valueOf),
        axisLabel: { interval: 0, rotate: s.cells.length > 6 ? 40 : 0 },
      },
      yAxis: { type: 'value', minInterval: 1 },
      series: [
        {
          type: 'bar',
          name: t('stats.count'),
          data: s.cells.map((c) =>
            c.suppressed || c.count === null
              ? '-' // no bar: a withheld cell has no number to draw, not even 0
              : { value: c.count, itemStyle: { color: '#1d4ed8' }, label: { show: true, position: 'top' } },
          ),
          // Each withheld cell: its whole column hatched and labelled, so that it reads as "not told",
          // never as a small or a large count.
          markArea: {
            silent: false,
            itemStyle: {
              color: '#eef0f3',
              borderColor: '#6b7280',
              borderType: 'dashed',
              borderWidth: 1,
              decal: {
                symbol: 'rect',
                symbolSize: 1,
                dashArrayX: [1, 0],
                dashArrayY: [2, 4],
                rotation: Math.PI / 4,
                color: '#9ca3af',
              },
            },
            label: { show: true, position: 'inside', rotate: 90, color: '#111827', formatter: withheld },
            data: s.cells
              .filter((c) => c.suppressed || c.count === null)
              .map((c) => [{ xAxis: valueOf(c) }, { xAxis: valueOf(c) }]),
          },
        },
      ],
    };
  }, [s, t, group]);
  const summary = s ? s.cells.map((c) => `${valueOf(c)} ${c.suppressed ? withheld : c.count}`).join('；') : '';

  return (
    <>
      <Typography.Title level={1} className="tv-page-title">
        {t('stats.title')}
      </Typography.Title>
      <Typography.Paragraph type="secondary">
        {t('stats.intro', { base: s?.roundingBase ?? 5, min: s?.minCell ?? 10 })}
      </Typography.Paragraph>
      <Card className="tv-block">
        <div className="tv-toolbar">
          <label htmlFor="tv-stats-group">{t('stats.groupBy')}</label>
          {/* A native select: antd's leaves an unnamed listbox in the page while it closes (axe). */}
          <select
            id="tv-stats-group"
            className="tv-native-select"
            value={group}
            onChange={(e) => setGroup(e.target.value as Group)}
          >
            {GROUPS.map((g) => (
              <option key={g} value={g}>
                {t(`stats.groups.${g}`)}
              </option>
            ))}
          </select>
        </div>
      </Card>
      <ErrorAlert error={got.error} />
      {s && option && (
        <Card
          className="tv-block"
          title={
            <h2 className="tv-card-title">
              {s.total === null ? t('stats.totalWithheld') : t('stats.total', { total: s.total })}
            </h2>
          }
        >
          <Chart
            option={option}
            height={320}
            label={t('stats.chartLabel', { group: t(`stats.groups.${group}`), summary })}
          />
          <TableRegion label={t('stats.title')}>
            <Table<Cell>
              rowKey="value"
              size="small"
              className="tv-top-gap"
              pagination={{ pageSize: 20, hideOnSinglePage: true }}
              locale={{ emptyText: t('stats.none') }}
              dataSource={s.cells}
              columns={[
                { title: t('stats.value'), key: 'value', render: (_: unknown, c: Cell) => valueOf(c) },
                {
                  title: t('stats.count'),
                  key: 'count',
                  render: (_: unknown, c: Cell) =>
                    c.suppressed || c.count === null ? <span className="tv-withheld">{withheld}</span> : c.count,
                },
              ]}
            />
          </TableRegion>
        </Card>
      )}
    </>
  );
}
