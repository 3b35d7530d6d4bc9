/**
 * What a leaked column holds: from its header (Chinese or English, as people and spreadsheets write
 * them, or our own field names) or, when the header says nothing, from its values (resident id
 * check character, allocated mobile prefixes, name shape, dates, hospital and address shapes).
 * Masked values (138****5678, 张*明, 1101**********1234) are recognised as what they mask.
 *
 * A target is a field of the schema, or a kind alone (`*name`, `*phone`, `*residentId`) when the
 * column does not say whose it is: linkage then compares it with every field of that kind.
 */
import { isAcceptedMobile, normaliseMobile } from '../schema/mobile.ts';
import { checkCharacter } from '../schema/resident-id.ts';
import { vaccineAtStart } from '../schema/vaccines.ts';

export type Target =
  | 'babyName'
  | 'babySex'
  | 'birthTime'
  | 'babyResidentId'
  | 'birthCertificateNo'
  | 'hospital'
  | 'ward'
  | 'bed'
  | 'motherName'
  | 'motherResidentId'
  | 'motherPhone'
  | 'fatherName'
  | 'fatherResidentId'
  | 'fatherPhone'
  | 'address'
  | 'dischargeTime'
  | 'vaccinations'
  | 'ownerName'
  | 'ownerResidentId'
  | 'ownerPhone'
  | 'plateNumber'
  | 'brand'
  | 'registeredAt'
  | '*name'
  | '*phone'
  | '*residentId'
  | 'calledAt';

const HEADERS: Readonly<Record<Target, readonly string[]>> = {
  babyName: [
    '新生儿姓名',
    '婴儿姓名',
    '宝宝姓名',
    '新生儿',
    '宝宝',
    '婴儿',
    '孩子姓名',
    '小孩姓名',
    '孩子',
    'babyname',
    'baby',
    'childname',
    'child',
    'newborn',
    'infantname',
  ],
  babySex: ['性别', '婴儿性别', '新生儿性别', '宝宝性别', 'sex', 'gender', 'babysex'],
  birthTime: [
    '出生时间',
    '出生日期',
    '分娩时间',
    '分娩日期',
    '生日',
    '出生',
    '出生日期时间',
    'birthtime',
    'birthdate',
    'dob',
    'birth',
    'dateofbirth',
    'born',
    'birthday',
  ],
  babyResidentId: ['新生儿身份证号', '新生儿身份证', '婴儿身份证号', '宝宝身份证号', 'babyresidentid', 'babyid'],
  birthCertificateNo: [
    '出生证号',
    '出生医学证明编号',
    '出生证明编号',
    '出生证',
    '出生医学证明号',
    'birthcertificateno',
    'birthcertificate',
    'certificate',
  ],
  hospital: ['医院', '分娩医院', '出生医院', '医疗机构', '接生医院', 'hospital', 'hospitalname'],
  ward: ['病区', '科室', '病房', 'ward', 'department'],
  bed: ['床号', '床位', '床位号', 'bed', 'bedno'],
  motherName: [
    '母亲姓名',
    '母亲',
    '妈妈',
    '妈妈姓名',
    '产妇',
    '产妇姓名',
    '母亲名字',
    '宝妈',
    'mothername',
    'mother',
    'mom',
  ],
  motherResidentId: [
    '母亲身份证号',
    '母亲身份证',
    '母亲身份证号码',
    '产妇身份证号',
    '产妇身份证',
    '妈妈身份证号',
    '妈妈身份证',
    'motherresidentid',
    'motherid',
    'motheridcard',
  ],
  motherPhone: [
    '母亲电话',
    '母亲手机',
    '母亲手机号',
    '母亲联系电话',
    '妈妈电话',
    '妈妈手机',
    '产妇电话',
    '产妇手机',
    '宝妈电话',
    'motherphone',
    'mothermobile',
    'mothertel',
  ],
  fatherName: ['父亲姓名', '父亲', '爸爸', '爸爸姓名', '丈夫', '丈夫姓名', 'fathername', 'father', 'dad'],
  fatherResidentId: ['父亲身份证号', '父亲身份证', '爸爸身份证号', '丈夫身份证号', 'fatherresidentid', 'fatherid'],
  fatherPhone: [
    '父亲电话',
    '父亲手机',
    '父亲手机号',
    '爸爸电话',
    '爸爸手机',
    '丈夫电话',
    'fatherphone',
    'fathermobile',
  ],
  address: [
    '地址',
    '家庭住址',
    '住址',
    '家庭地址',
    '现住址',
    '联系地址',
    '居住地址',
    '户籍地址',
    'address',
    'homeaddress',
    'addr',
  ],
  dischargeTime: ['出院时间', '出院日期', 'dischargetime', 'discharge', 'dischargedate'],
  vaccinations: ['疫苗', '接种记录', '疫苗接种', '疫苗接种记录', 'vaccinations', 'vaccines'],
  ownerName: ['车主', '车主姓名', 'ownername', 'owner'],
  ownerResidentId: ['车主身份证号', '车主身份证', 'ownerresidentid'],
  ownerPhone: ['车主电话', '车主手机', 'ownerphone'],
  plateNumber: ['车牌', '车牌号', '车牌号码', 'platenumber', 'plate'],
  brand: ['品牌', '车辆品牌', 'brand'],
  registeredAt: ['登记日期', '注册日期', 'registeredat'],
  '*name': ['姓名', '名字', '名称', 'name', 'fullname'],
  '*phone': [
    '电话',
    '手机',
    '手机号',
    '手机号码',
    '联系电话',
    '联系方式',
    '电话号码',
    '联系人电话',
    'phone',
    'mobile',
    'tel',
    'telephone',
    'contact',
    'phonenumber',
  ],
  '*residentId': ['身份证', '身份证号', '身份证号码', '证件号', '证件号码', 'idcard', 'idnumber', 'residentid', 'idno'],
  calledAt: [
    '来电时间',
    '通话时间',
    '接到电话时间',
    '来电日期',
    '致电时间',
    '电话时间',
    'calledat',
    'calltime',
    'callat',
    'callreceived',
    'calldate',
  ],
};

const BY_HEADER = new Map<string, Target>();
for (const [target, names] of Object.entries(HEADERS) as [Target, readonly string[]][])
  for (const n of names) BY_HEADER.set(n, target);

function headerKey(h: string): string {
  return h
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s_\-.:：()（）[\]【】]/g, '');
}

/** The target a header names, if any. */
export function targetOfHeader(header: string): Target | undefined {
  return BY_HEADER.get(headerKey(header));
}

/** The mask characters people use. */
export const MASK = /[*＊×✱#]/gu;

const HAN_NAME = /^\p{Script=Han}{2,4}$/u;
const MASKED_NAME = /^\p{Script=Han}{1,2}[*＊×]{1,3}\p{Script=Han}?$/u;
const TEMP_NAME = /^\p{Script=Han}{1,5}(之子|之女|之儿|之婴|之宝|之孩)$/u;
const DATE = /^\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?/;
const TIME_ONLY = /^\d{1,2}[:：时]\d{2}(?:[:：分]\d{2}秒?)?分?$/;

/** What a single value looks like, or undefined. Used when a header does not say. */
export function kindOfValue(raw: string): Target | 'date' | 'time' | 'sex' | undefined {
  const v = raw.normalize('NFKC').trim();
  if (v === '') return undefined;
  const digits = normaliseMobile(v).replace(MASK, '*');
  if (/^1\d{2}[\d*]{4}\d{4}$/.test(digits) && (digits.includes('*') || isAcceptedMobile(digits))) return '*phone';
  const id = v.toUpperCase().replace(/\s/g, '').replace(MASK, '*');
  if (/^\d{6}[\d*]{8}[\d*]{3}[\dX*]$/.test(id) && (id.includes('*') || checkCharacter(id.slice(0, 17)) === id[17]))
    return '*residentId';
  if (/^\d{15}$/.test(id) && !/^1\d{10}/.test(id)) return '*residentId';
  // A vaccine's code or any of its Chinese names, first: '乙肝疫苗' has a name's shape, and a dose
  // written out ('乙肝疫苗 第1剂 2026-01-02 某妇幼保健院') holds a hospital's and an address's words.
  if (vaccineAtStart(v) !== undefined || /^\[\s*\{\s*"vaccine"/.test(v)) return 'vaccinations';
  if (DATE.test(v)) return 'date';
  if (TIME_ONLY.test(v)) return 'time';
  if (/^(男|女|male|female|m|f|男婴|女婴)$/i.test(v)) return 'sex';
  if (/(医院|保健院|卫生院|妇幼|hospital)/i.test(v) && v.length <= 40) return 'hospital';
  if (/(病区|产科|科室)/.test(v) && !/床/.test(v)) return 'ward';
  if (/床$/.test(v) || /^\d{1,3}床$/.test(v)) return 'bed';
  if (/(省|市|区|县|路|街|号|村|镇|小区)/u.test(v) && [...v].length >= 6) return 'address';
  if (TEMP_NAME.test(v)) return 'babyName';
  if (HAN_NAME.test(v) || MASKED_NAME.test(v) || /^\p{Script=Han}+·\p{Script=Han}+$/u.test(v)) return '*name';
  if (/^(JE|MPSV|HepA)/i.test(v)) return 'vaccinations';
  return undefined;
}

/**
 * Targets for columns without a telling header, from a sample of their values (the kind most
 * values have, if at least half do). Names and phones without an owner stay generic, except that
 * a temporary name (张三之子) is the baby's.
 */
export function inferColumns(
  headers: readonly (Target | undefined)[],
  sample: readonly (readonly string[])[],
): (Target | undefined)[] {
  const out = [...headers];
  for (let c = 0; c < out.length; c++) {
    if (out[c] !== undefined) continue;
    const votes = new Map<string, number>();
    let filled = 0;
    for (const row of sample) {
      const v = row[c] ?? '';
      if (v.trim() === '') continue;
      filled++;
      const k = kindOfValue(v);
      if (k) votes.set(k, (votes.get(k) ?? 0) + 1);
    }
    const best = [...votes].sort((a, b) => b[1] - a[1])[0];
    if (!best || best[1] * 2 < filled) continue;
    const k = best[0];
    out[c] =
      k === 'date'
        ? out.includes('birthTime')
          ? 'dischargeTime'
          : 'birthTime'
        : k === 'sex'
          ? 'babySex'
          : k === 'time'
            ? undefined
            : (k as Target);
  }
  return out;
}
