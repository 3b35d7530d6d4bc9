/**
 * The trace report as a readable page, in Chinese (zh-CN, the default) or English (issue 22): it
 * names people, not ids — each principal by display name, role, organisation and ward, each
 * disclosure by its channel and date — and gives every time in Beijing time (UTC+8). Ids stay beside
 * the names, for the record. Nothing is loaded from elsewhere and nothing runs: inline styles and an
 * inline SVG chart (the page's content-security policy says so, routes/traces.ts). It shows the
 * report's own words and the registry's staff; never a value of the leaked rows. Pure.
 */
import type { SourceScore } from './evidence.ts';
import { DEFAULT_MARGIN, DEFAULT_THRESHOLD } from './linkage.ts';
import { beijing, type ReportDisclosure, type ReportPerson } from './people.ts';
import type { TraceReport } from './report.ts';

export type ReportLang = 'zh-CN' | 'en';
export const REPORT_LANGS: readonly ReportLang[] = ['zh-CN', 'en'];

type Words = typeof EN;

const EN = {
  title: 'Trace report',
  /** The page's <title> (as it always was in English). */
  pageTitle: 'Trace',
  paren: (parts: readonly string[]) => ` (${parts.join(', ')})`,
  comma: ', ',
  colon: ': ',
  semi: '; ',
  accused: 'Accused',
  none: 'No source accused at the stated bound; see the confidence sets.',
  disclosure: 'disclosure',
  epsilon: 'false-accusation bound ε',
  set: 'confidence set at ε = ',
  empty: '(empty)',
  rows: 'rows',
  rowCounts: (r: TraceReport['rows']) =>
    `${r.total} total, ${r.linked} linked (${r.current} current, ${r.stale} stale), ` +
    `${r.unlinked} unlinked, ${r.canaries} canaries`,
  copied: 'copied between (Beijing time)',
  agree: (a: number, n: number) => `${a} of ${n} linked rows agree`,
  unknown: 'unknown',
  affected: 'affected families',
  affectedCount: (total: number, seen: number) => `${total} (${seen} seen in the leak)`,
  hinge: 'leave-one-row-out',
  hinges: (rows: readonly number[]) => `the verdict hinges on row(s) ${rows.join(', ')}`,
  stable: 'stable',
  mixture: 'mixture of sources',
  mixRows: (n: number) => `${n} rows`,
  accusedMark: ' (accused)',
  created: 'report made (Beijing time)',
  people: 'People named',
  name: 'Name',
  role: 'Role',
  organisation: 'Organisation',
  ward: 'Ward or district',
  account: 'Account',
  disabled: 'disabled',
  disclosures: 'Disclosures named',
  disclosureId: 'Disclosure',
  channel: 'Channel',
  purpose: 'Purpose',
  when: 'Date (Beijing time)',
  candidates: 'Candidates',
  candidatesNote:
    'Dark bars: uniform model; light bars: any-subset model (log10 likelihood ratio against "obtained elsewhere").',
  threshold: 'accusation threshold',
  chart: 'log10 likelihood ratio per candidate',
  assumptions: 'Assumptions',
  missing: 'Missing evidence',
  noneMissing: 'none',
  regulator: 'Draft notice to the regulator',
  families: 'Draft notice to families',
  elsewhere: 'obtained elsewhere',
  roles: {
    clinician: 'Clinician',
    records_clerk: 'Records clerk',
    vaccination_nurse: 'Vaccination nurse',
    dpo: 'Data-protection officer',
    auditor: 'Auditor',
    statistician: 'Statistician',
    partner: 'Partner staff',
    investigator: 'Investigator',
    administrator: 'Administrator',
  } as Record<string, string>,
  channels: {
    api: 'API read',
    export: 'export file',
    portal: 'parents’ portal',
    partner: 'partner',
  } as Record<string, string>,
  purposes: {
    treatment: 'treatment',
    vaccination: 'vaccination',
    birth_registration: 'birth registration',
    statistics: 'statistics',
    partner_contact: 'partner contact',
    investigation: 'investigation',
    data_subject_request: 'data subject’s request',
  } as Record<string, string>,
  assumptionsText: [] as readonly string[],
  missingText: (s: string) => s,
};

const ZH: Words = {
  title: '溯源报告',
  pageTitle: '溯源报告',
  paren: (parts) => `（${parts.join('，')}）`,
  comma: '，',
  colon: '：',
  semi: '；',
  accused: '认定来源',
  none: '在给定的误判上限下未认定来源；请见置信集合。',
  disclosure: '披露',
  epsilon: '误判上限 ε',
  set: '置信集合，ε = ',
  empty: '（空）',
  rows: '行数',
  rowCounts: (r) =>
    `共 ${r.total} 行，关联到记录 ${r.linked} 行（现行 ${r.current}，已更新 ${r.stale}），` +
    `未关联 ${r.unlinked} 行，金丝雀 ${r.canaries} 行`,
  copied: '数据被复制的时间（北京时间）',
  agree: (a, n) => `${n} 行已关联数据中 ${a} 行与此一致`,
  unknown: '不详',
  affected: '受影响家庭',
  affectedCount: (total, seen) => `${total} 户（泄露文件中直接出现 ${seen} 户）`,
  hinge: '逐行剔除检验',
  hinges: (rows) => `结论取决于第 ${rows.join('、')} 行`,
  stable: '稳定',
  mixture: '来源构成',
  mixRows: (n) => `${n} 行`,
  accusedMark: '（认定来源）',
  created: '报告生成时间（北京时间）',
  people: '涉及人员',
  name: '姓名',
  role: '角色',
  organisation: '机构',
  ward: '病区或辖区',
  account: '账号',
  disabled: '已停用',
  disclosures: '涉及的披露',
  disclosureId: '披露编号',
  channel: '渠道',
  purpose: '目的',
  when: '日期（北京时间）',
  candidates: '候选来源',
  candidatesNote: '深色条：均匀模型；浅色条：任意子集模型（相对于“从其他途径获得”的 log10 似然比）。',
  threshold: '认定阈值',
  chart: '各候选来源的 log10 似然比',
  assumptions: '前提假设',
  missing: '未找到的证据',
  noneMissing: '无',
  regulator: '向监管部门报告（草稿）',
  families: '致受影响家庭的通知（草稿）',
  elsewhere: '从其他途径获得',
  roles: {
    clinician: '医生',
    records_clerk: '病案管理员',
    vaccination_nurse: '接种护士',
    dpo: '个人信息保护负责人',
    auditor: '审计员',
    statistician: '统计人员',
    partner: '合作机构工作人员',
    investigator: '调查员',
    administrator: '系统管理员',
  },
  channels: { api: '接口查询', export: '导出文件', portal: '家长门户', partner: '合作机构' },
  purposes: {
    treatment: '治疗',
    vaccination: '预防接种',
    birth_registration: '出生登记',
    statistics: '统计',
    partner_contact: '合作机构联系',
    investigation: '调查',
    data_subject_request: '个人权利请求',
  },
  // The same statements as assumptions.ts, in its order.
  assumptionsText: [
    '“从其他途径获得”：泄露行按医院和登记月份，从登记系统中均匀抽取，比例与泄露文件相同。',
    '均匀模型：泄露者从来源以明文获得的全部数据中均匀抽取（先验 1/2），或从其某一个导出文件中抽取（1/2，由各文件平分）；' +
      '其中比例 η 的行（在 0–75% 上积分）来自其他途径。',
    '与某次披露的指纹码字相矛盾的标记（以 100 : 1 反对该行来自该副本）使该行与该披露不一致；' +
      '只在其他来源的标记完整可见的字段上读取。',
    '任意子集模型：泄露者自行选择泄露哪些记录（重复出现的记录只计一次）；对每个竞争来源都使用，' +
      '因此没有来源仅因其访问量大小而被排除。',
    '置信集合：只有当一个正当的似然比（另一来源的均匀模型，或“其他途径”）以 |E|/ε 胜过某来源的较优模型时，' +
      '该来源才被排除，因此真实来源被排除的概率至多为 ε。',
    '每个金丝雀计 10^12（金丝雀只存在于为其披露生成的文件中）；指纹证据是无辜披露得分的上界。',
    `泄露行在 Fellegi–Sunter 权重达到 ${DEFAULT_THRESHOLD} 比特、且高出次优记录 ${DEFAULT_MARGIN} 比特时才关联到一条记录。`,
  ],
  missingText: (s) =>
    s.startsWith('no fingerprint')
      ? '未能读取任何指纹标记（泄露数据可能经过规范化，或其来源不是带标记的导出文件）'
      : s === 'no canary found in the leak'
        ? '泄露数据中未发现金丝雀'
        : s === 'no recorded disclosure gave the linked records'
          ? '没有任何已记录的披露包含所关联的记录'
          : s.replace(
              /^(\d+) rows could not be linked to a record .*$/,
              '$1 行无法关联到任何记录（伪造、来自其他登记系统或损坏过重）',
            ),
};

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A Beijing time for people: `2027-03-01 18:30`. */
const shown = (iso: string | null | undefined, w: Words) =>
  iso ? beijing(iso).slice(0, 16).replace('T', ' ') : w.unknown;

/** How a principal is named: display name (role, organisation, ward), its id kept beside it. */
function who(id: string, people: Readonly<Record<string, ReportPerson>>, w: Words, withId = true): string {
  if (id === 'elsewhere') return esc(w.elsewhere);
  const p = people[id];
  if (!p) return `<code>${esc(id)}</code>`;
  const role = p.roles.map((r) => w.roles[r] ?? r).join(' / ');
  const where = w.paren([role, p.organizationName ?? '', ...p.wards].filter(Boolean));
  return `<strong>${esc(p.displayName)}</strong>${esc(where)}${withId ? ` <code>${esc(id)}</code>` : ''}`;
}

function disclosureLine(id: string | null, r: TraceReport, w: Words): string {
  if (!id) return `${esc(w.disclosure)} ${esc(w.unknown)}`;
  const d: ReportDisclosure | undefined = r.disclosures?.[id];
  if (!d) return `${esc(w.disclosure)} <code>${esc(id)}</code>`;
  const channel = w.channels[d.channel] ?? d.channel;
  return `${esc(w.disclosure)} <code>${esc(id)}</code>${esc(w.paren([channel, shown(d.at, w)]))}`;
}

function bars(candidates: readonly SourceScore[], threshold: number, r: TraceReport, w: Words): string {
  const shownRows = candidates.slice(0, 12);
  const max = Math.max(threshold, 1, ...shownRows.map((c) => Math.max(c.log10LR, c.log10LRAnySubset)));
  const h = 22,
    width = 620,
    left = 300;
  const scale = (v: number) => Math.max(0, (v / max) * (width - left - 10));
  const label = (c: SourceScore) => {
    const p = r.people?.[c.principalId];
    if (!p) return c.principalId;
    const role = p.roles.map((x) => w.roles[x] ?? x).join('/');
    return `${p.displayName} · ${role} · ${p.organizationName ?? ''}`.slice(0, 48);
  };
  const rows = shownRows
    .map(
      (c, i) =>
        `<text x="0" y="${i * h + 15}" font-size="12">${esc(label(c))}</text>` +
        `<rect x="${left}" y="${i * h + 3}" ` +
        `width="${scale(c.log10LRAnySubset).toFixed(1)}" height="8" fill="#c8d6e5"/>` +
        `<rect x="${left}" y="${i * h + 11}" width="${scale(c.log10LR).toFixed(1)}" height="8" fill="#2e86de"/>`,
    )
    .join('');
  const tx = left + scale(threshold);
  return (
    `<svg role="img" aria-label="${esc(w.chart)}" width="${width}" ` +
    `height="${shownRows.length * h + 20}" xmlns="http://www.w3.org/2000/svg">${rows}` +
    `<line x1="${tx}" x2="${tx}" y1="0" y2="${shownRows.length * h}" stroke="#ee5253" stroke-dasharray="4"/>` +
    `<text x="${tx + 3}" y="${shownRows.length * h + 14}" font-size="11" fill="#ee5253">` +
    `${esc(w.threshold)} ${threshold.toFixed(1)}</text></svg>`
  );
}

const STYLE =
  'body{font:14px system-ui,"PingFang SC","Microsoft YaHei",sans-serif;max-width:64rem;margin:2rem auto;' +
  'padding:0 1rem}th{text-align:left;padding-right:1rem;vertical-align:top}td{vertical-align:top}' +
  'table.list{border-collapse:collapse}' +
  'table.list td,table.list th{border-bottom:1px solid #dfe4ea;padding:.25rem .75rem .25rem 0}' +
  'pre{white-space:pre-wrap;background:#f5f6fa;padding:1rem}code{font-size:12px;color:#57606f}';

export function renderHtml(r: TraceReport, lang: ReportLang = 'zh-CN'): string {
  const w = lang === 'en' ? EN : ZH;
  const people = r.people ?? {};
  const kv = (k: string, v: string) => `<tr><th>${esc(k)}</th><td>${v}</td></tr>`;
  const sets = Object.entries(r.confidenceSets)
    .map(([e, s]) => kv(`${w.set}${e}`, s.map((id) => who(id, people, w, false)).join(w.semi) || esc(w.empty)))
    .join('');
  const verdict = r.accused
    ? `${esc(w.accused)}${w.colon}${who(r.accused.principalId, people, w)} — ` +
      `${disclosureLine(r.accused.disclosureId, r, w)}${w.comma}` +
      `log10 LR ${r.accused.log10LR.toFixed(1)} ≥ ${r.threshold.toFixed(1)}`
    : esc(w.none);
  const copied =
    `${esc(shown(r.window.from, w))} — ${esc(shown(r.window.to, w))} ` +
    `(${esc(w.agree(r.window.consistentRows, r.window.rows))}; ${esc(r.window.basis.join('; '))})`;
  const hinge = r.fragile.verdictHingesOnOneRow ? w.hinges(r.fragile.rows) : w.stable;
  const mixture =
    r.mixture.length > 1
      ? kv(
          w.mixture,
          r.mixture
            .map(
              (m) =>
                `${who(m.principalId, people, w, false)}${w.colon}${esc(w.mixRows(m.rows))}` +
                (m.accused ? esc(w.accusedMark) : ''),
            )
            .join('<br>'),
        )
      : '';
  const peopleRows = Object.entries(people)
    .map(
      ([id, p]) =>
        `<tr><td>${esc(p.displayName)}${p.disabled ? ` (${esc(w.disabled)})` : ''}</td>` +
        `<td>${esc(p.roles.map((x) => w.roles[x] ?? x).join(' / '))}</td><td>${esc(p.organizationName ?? '')}</td>` +
        `<td>${esc([...p.wards, ...p.districts].join('、'))}</td><td><code>${esc(id)}</code></td></tr>`,
    )
    .join('');
  const disclosureRows = Object.entries(r.disclosures ?? {})
    .map(
      ([id, d]) =>
        `<tr><td><code>${esc(id)}</code></td><td>${who(d.principalId, people, w, false)}</td>` +
        `<td>${esc(w.channels[d.channel] ?? d.channel)}</td><td>${esc(w.purposes[d.purpose] ?? d.purpose)}</td>` +
        `<td>${esc(shown(d.at, w))}</td></tr>`,
    )
    .join('');
  const head = (cells: readonly string[]) => `<tr>${cells.map((c) => `<th>${esc(c)}</th>`).join('')}</tr>`;
  const assumptions = r.assumptions.map((a, i) => w.assumptionsText[i] ?? a);
  const list = (title: string, cells: readonly string[], rows: string) =>
    rows ? `<h2>${esc(title)}</h2><table class="list">${head(cells)}${rows}</table>` : '';
  const items = (xs: readonly string[]) => xs.map((a) => `<li>${esc(a)}</li>`).join('');
  const missing = items(r.missingEvidence.map(w.missingText)) || `<li>${esc(w.noneMissing)}</li>`;
  const title = `${esc(w.pageTitle)} ${esc(r.id)}`;
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><title>${title}</title>
<style>${STYLE}</style></head><body>
<h1>${esc(w.title)} <code>${esc(r.id)}</code></h1>
<p id="verdict">${verdict}</p>
<table>${kv(w.created, esc(shown(r.createdAt, w)))}${kv(w.epsilon, esc(String(r.epsilon)))}${sets}
${kv(w.rows, esc(w.rowCounts(r.rows)))}
${kv(w.copied, copied)}
${kv(w.affected, esc(w.affectedCount(r.affected.total, r.affected.direct.length)))}
${kv(w.hinge, esc(hinge))}
${mixture}</table>
${list(w.people, [w.name, w.role, w.organisation, w.ward, w.account], peopleRows)}
${list(w.disclosures, [w.disclosureId, w.name, w.channel, w.purpose, w.when], disclosureRows)}
<h2>${esc(w.candidates)}</h2><p>${esc(w.candidatesNote)}</p>${bars(r.candidates, r.threshold, r, w)}
<h2>${esc(w.assumptions)}</h2><ul>${items(assumptions)}</ul>
<h2>${esc(w.missing)}</h2><ul>${missing}</ul>
<h2>${esc(w.regulator)}</h2><pre lang="zh-CN">${esc(r.notices.regulator)}</pre>
<h2>${esc(w.families)}</h2><pre lang="zh-CN">${esc(r.notices.families)}</pre>
</body></html>`;
}
