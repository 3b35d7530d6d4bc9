/**
 * The trace report: JSON for machines, a readable HTML page with charts, and drafts of the breach
 * notices PIPL Art. 57 requires (to the regulator and to the families): (1) the categories of
 * personal information involved, the cause and the possible harm; (2) the remedial measures taken
 * and what individuals can do to reduce the harm; (3) how to contact the handler. The report names
 * record ids, principals (by id, and by the staff member's name, role and organisation: people.ts)
 * and field names, never a data subject's value. Pure; the page is report-html.ts.
 */
import type { MixtureComponent, SourceScore } from './evidence.ts';
import type { ReportDisclosure, ReportPerson } from './people.ts';
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
  /**
   * Who the ids are (people.ts): each principal the report names by display name, roles,
   * organisation, wards and districts; each disclosure by principal, channel, purpose and date.
   * Absent from reports made before they were added (issue 22).
   */
  readonly people?: Readonly<Record<string, ReportPerson>>;
  readonly disclosures?: Readonly<Record<string, ReportDisclosure>>;
  /** The report's times in Beijing time (UTC+8), `YYYY-MM-DDTHH:MM:SS+08:00`. */
  readonly beijingTime?: {
    readonly createdAt: string;
    readonly windowFrom: string | null;
    readonly windowTo: string | null;
    readonly disclosedAt: string | null;
  };
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

export function notices(r: Pick<TraceReport, 'fields' | 'window' | 'affected' | 'accused' | 'rows' | 'people'>): {
  regulator: string;
  families: string;
} {
  const fields = r.fields.map((f) => FIELD_ZH[f] ?? f).join('、') || '（未能识别）';
  const when =
    r.window.from || r.window.to
      ? `${r.window.from?.slice(0, 10) ?? '不详'} 至 ${r.window.to?.slice(0, 10) ?? '不详'}`
      : '尚未确定';
  const person = r.accused ? r.people?.[r.accused.principalId] : undefined;
  const named = person
    ? `${person.displayName}（${[person.organizationName, ...person.wards].filter(Boolean).join('，')}）的`
    : '';
  const cause = r.accused
    ? `经溯源分析，泄露数据来自${named}内部账号 ${r.accused.principalId} 所获披露（披露编号 ${r.accused.disclosureId ?? '不详'}）。`
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
