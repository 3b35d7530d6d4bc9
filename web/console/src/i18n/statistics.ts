/** The statistician's words: aggregate counts with small cells withheld. */
import { area } from './words.ts';

const zhCN = {
  nav: { stats: '统计' },
  stats: {
    title: '统计',
    intro:
      '出生记录的汇总数。为保护个人信息，数值经过取整（以 {{base}} 为单位），少于 {{min}} 的格子不予公布，显示为“不予公布”，而不是 0。',
    groupBy: '分组',
    groups: { hospital: '医院', birthYear: '出生年份', birthMonth: '出生月份', babySex: '性别', district: '辖区' },
    value: '分组值',
    count: '数量',
    withheld: '不予公布',
    total: '合计：{{total}}',
    totalWithheld: '合计：不予公布',
    chartLabel: '按{{group}}的出生记录数：{{summary}}',
    none: '没有数据',
  },
};

export const statistics = area(zhCN, {
  nav: { stats: 'Statistics' },
  stats: {
    title: 'Statistics',
    intro:
      'Counts of birth records. To protect people, counts are rounded (to {{base}}) and a cell under {{min}} is ' +
      'withheld: shown as "withheld", never as 0.',
    groupBy: 'Group by',
    groups: {
      hospital: 'Hospital',
      birthYear: 'Year of birth',
      birthMonth: 'Month of birth',
      babySex: 'Sex',
      district: 'District',
    },
    value: 'Group',
    count: 'Count',
    withheld: 'withheld',
    total: 'Total: {{total}}',
    totalWithheld: 'Total: withheld',
    chartLabel: 'Birth records by {{group}}: {{summary}}',
    none: 'No data',
  },
});
