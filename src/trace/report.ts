/**
 * The trace report: JSON for machines, a readable HTML page with charts, and drafts of the breach
 * notices PIPL Art. 57 requires (to the regulator and to the families): (1) the categories of
 * personal information involved, the cause and the possible harm; (2) the remedial measures taken
 * and what individuals can do to reduce the harm; (3) how to contact the handler. The report names
 * record and principal ids and field names, never a personal value. Pure.
 */
import type { MixtureComponent, SourceScore } from './evidence.ts';
import type { Window } from './window.ts';

export interface TraceReport {
  readonly id: string;
  readonly createdAt: string;
  readonly epsilon: number;
  readonly file: { readonly format: string; readonly columns: readonly { header: string; target?: string }[] };
  readonly complaints: boolean;
  readonly accused: { principalId: string; disclosureId: string | null; log10LR: number } | null;
  readonly threshold: number;
  readonly confidenceSets: Readonly<Record<string, readonly string[]>>;
  readonly candidates: readonly SourceScore[];
  readonly mixture: readonly MixtureComponent[];
  readonly window: Window & { disclosedAt?: string | null };
  readonly affected: {
    readonly direct: readonly string[];
    readonly viaSource: readonly string[];
    readonly total: number;
  };
  readonly rows: { total: number; linked: number; current: number; stale: number; unlinked: number; canaries: number };
  readonly fragile: { readonly verdictHingesOnOneRow: boolean; readonly rows: readonly number[] };
  readonly fields: readonly string[];
  readonly assumptions: readonly string[];
  readonly missingEvidence: readonly string[];
  readonly notices: { readonly regulator: string; readonly families: string };
}

const FIELD_ZH: Record<string, string> = {
  babyName: '新生儿姓名',
  babySex: '性别',
  birthTime: '出生时间',
  babyResidentId: '新生儿身份证号',
  birthCertificateNo: '出生医学证明编号',
  hospital: '医院',
  ward: '病区',
  bed: '床号',
  motherName: '母亲姓名',
  motherResidentId: '母亲身份证号',
  motherPhone: '母亲电话',
  fatherName: '父亲姓名',
  fatherResidentId: '父亲身份证号',
  fatherPhone: '父亲电话',
  address: '家庭住址',
  dischargeTime: '出院时间',
  vaccinations: '疫苗接种记录',
  '*name': '姓名',
  '*phone': '电话号码',
  '*residentId': '身份证号',
};

export function notices(r: Pick<TraceReport, 'fields' | 'window' | 'affected' | 'accused' | 'rows'>): {
  regulator: string;
  families: string;
} {
  const fields = r.fields.map((f) => FIELD_ZH[f] ?? f).join('、') || '（未能识别）';
  const when =
    r.window.from || r.window.to
      ? `${r.window.from?.slice(0, 10) ?? '不详'} 至 ${r.window.to?.slice(0, 10) ?? '不详'}`
      : '尚未确定';
  const cause = r.accused
    ? `经溯源分析，泄露数据来自内部账号 ${r.accused.principalId} 所获披露（披露编号 ${r.accused.disclosureId ?? '不详'}）。`
    : '泄露来源尚未确定，调查仍在进行。';
  const regulator = [
    '个人信息泄露事件报告（草稿）',
    '',
    '一、发生或者可能发生泄露的个人信息种类、原因和可能造成的危害',
    `涉及信息种类：${fields}。涉及个人：约 ${r.affected.total} 户家庭（泄露样本中直接核实 ${r.affected.direct.length} 户）。`,
    `${cause}数据被复制的时间窗口：${when}。`,
    '可能造成的危害：不法分子冒充医院、月子会所或“医院摄影师”进行电话推销和诈骗，骚扰新生儿家庭。',
    '',
    '二、个人信息处理者采取的补救措施和个人可以采取的减轻危害的措施',
    '已采取：暂停相关账号权限、固定审计日志证据、复核同类账号访问、加强导出审批；逐户通知受影响家庭。',
    '个人可采取：对自称医院或相关机构的来电保持警惕，不透露验证码和银行信息；可通过家长门户查询谁查看过孩子的记录并核验来电者身份。',
    '',
    '三、个人信息处理者的联系方式',
    '个人信息保护负责人：[姓名]，电话：[电话]，邮箱：[邮箱]。',
    '',
    '(English) Draft breach report under PIPL Art. 57: categories of information, cause and possible harm; ' +
      'remedial measures and what individuals can do; contact of the handler.',
  ].join('\n');
  const families = [
    '尊敬的家长：',
    '',
    `我们发现，您家庭在本院登记的部分信息（${fields}）可能于 ${when} 期间被泄露。` +
      (r.accused
        ? '泄露来源已查明，相关人员权限已被暂停，并已报告监管部门。'
        : '我们正在调查泄露来源，并已报告监管部门。'),
    '可能的危害：有人可能冒充医院工作人员、摄影师或母婴机构给您打电话，并说出孩子的出生时间等信息以取得信任。',
    '建议您：不要向来电者透露验证码、银行卡或身份证信息；不要点击陌生短信链接；如有疑问，请通过家长门户核验来电者身份，或拨打下方电话。',
    '联系方式：个人信息保护负责人 [姓名]，电话 [电话]。',
    '',
    '(English) Notice to families: what may have leaked and when, the possible harm ' +
      '(callers posing as hospital staff), what to do, and whom to contact.',
  ].join('\n');
  return { regulator, families };
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function bars(candidates: readonly SourceScore[], threshold: number): string {
  const shown = candidates.slice(0, 12);
  const max = Math.max(threshold, 1, ...shown.map((c) => Math.max(c.log10LR, c.log10LRAnySubset)));
  const h = 22,
    width = 520,
    left = 200;
  const scale = (v: number) => Math.max(0, (v / max) * (width - left - 10));
  const rows = shown
    .map(
      (c, i) =>
        `<text x="0" y="${i * h + 15}" font-size="12">${esc(c.principalId)}</text>` +
        `<rect x="${left}" y="${i * h + 3}" ` +
        `width="${scale(c.log10LRAnySubset).toFixed(1)}" height="8" fill="#c8d6e5"/>` +
        `<rect x="${left}" y="${i * h + 11}" width="${scale(c.log10LR).toFixed(1)}" height="8" fill="#2e86de"/>`,
    )
    .join('');
  const tx = left + scale(threshold);
  return (
    `<svg role="img" aria-label="log10 likelihood ratio per candidate" width="${width}" ` +
    `height="${shown.length * h + 20}" xmlns="http://www.w3.org/2000/svg">${rows}` +
    `<line x1="${tx}" x2="${tx}" y1="0" y2="${shown.length * h}" stroke="#ee5253" stroke-dasharray="4"/>` +
    `<text x="${tx + 3}" y="${shown.length * h + 14}" font-size="11" fill="#ee5253">` +
    `accusation threshold ${threshold.toFixed(1)}</text></svg>`
  );
}

const STYLE =
  'body{font:14px system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}' +
  'th{text-align:left;padding-right:1rem;vertical-align:top}pre{white-space:pre-wrap;background:#f5f6fa;padding:1rem}';

const CANDIDATES_NOTE =
  'Dark bars: uniform model; light bars: any-subset model (log10 likelihood ratio against "obtained elsewhere").';

export function renderHtml(r: TraceReport): string {
  const kv = (k: string, v: string) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`;
  const sets = Object.entries(r.confidenceSets)
    .map(([e, s]) => kv(`confidence set at ε = ${e}`, s.join(', ') || '(empty)'))
    .join('');
  const verdict = r.accused
    ? `Accused: <strong>${esc(r.accused.principalId)}</strong> ` +
      `(disclosure ${esc(r.accused.disclosureId ?? 'unknown')}), ` +
      `log10 LR ${r.accused.log10LR.toFixed(1)} ≥ ${r.threshold.toFixed(1)}`
    : 'No source accused at the stated bound; see the confidence sets.';
  const rowCounts =
    `${r.rows.total} total, ${r.rows.linked} linked (${r.rows.current} current, ${r.rows.stale} stale), ` +
    `${r.rows.unlinked} unlinked, ${r.rows.canaries} canaries`;
  const copied =
    `${r.window.from ?? 'unknown'} and ${r.window.to ?? 'unknown'} ` +
    `(${r.window.consistentRows} of ${r.window.rows} linked rows agree; ${r.window.basis.join('; ')})`;
  const hinge = r.fragile.verdictHingesOnOneRow
    ? `the verdict hinges on row(s) ${r.fragile.rows.join(', ')}`
    : 'stable';
  const mixture =
    r.mixture.length > 1
      ? kv(
          'mixture',
          r.mixture.map((m) => `${m.principalId}: ${m.rows} rows${m.accused ? ' (accused)' : ''}`).join('; '),
        )
      : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Trace ${esc(r.id)}</title>
<style>${STYLE}</style></head><body>
<h1>Trace report <code>${esc(r.id)}</code></h1>
<p id="verdict">${verdict}</p>
<table>${kv('false-accusation bound ε', String(r.epsilon))}${sets}
${kv('rows', rowCounts)}
${kv('copied between', copied)}
${kv('affected families', `${r.affected.total} (${r.affected.direct.length} seen in the leak)`)}
${kv('leave-one-row-out', hinge)}
${mixture}</table>
<h2>Candidates</h2><p>${CANDIDATES_NOTE}</p>${bars(r.candidates, r.threshold)}
<h2>Assumptions</h2><ul>${r.assumptions.map((a) => `<li>${esc(a)}</li>`).join('')}</ul>
<h2>Missing evidence</h2><ul>${r.missingEvidence.map((a) => `<li>${esc(a)}</li>`).join('') || '<li>none</li>'}</ul>
<h2>Draft notice to the regulator</h2><pre lang="zh-CN">${esc(r.notices.regulator)}</pre>
<h2>Draft notice to families</h2><pre lang="zh-CN">${esc(r.notices.families)}</pre>
</body></html>`;
}
