/**
 * What each validation rule means, in words for people (zh-CN and English): an error or a warning
 * names its field and rule, never the value, and this says what is wrong with it. Fixed texts: a
 * rule's words never hold a value. `GET /v1/validation-rules` serves them; the command line's
 * import prints them beside each row.
 */

export interface RuleText {
  readonly rule: string;
  /** A warning: the value was stored and deserves a look. Otherwise the value was refused. */
  readonly warning: boolean;
  readonly zh: string;
  readonly en: string;
}

type Row = readonly [rule: string, zh: string, en: string];

const ERRORS: readonly Row[] = [
  ['required', '必填项为空', 'a required field is empty'],
  ['unknownField', '该字段不属于此记录类型', 'not a field of this record type'],
  ['mobile.format', '手机号含有数字以外的字符', 'a mobile number holds characters other than digits'],
  ['mobile.length', '手机号应为11位', 'a mobile number has 11 digits'],
  [
    'mobile.prefix',
    '不是手机号：号段格式不对，或为物联网/数据专用号段（140-144、146、148）',
    'not a mobile number: a malformed prefix or a data/IoT range (140-144, 146, 148)',
  ],
  [
    'residentId.format',
    '身份证号格式不对（18位，末位可为X；或15位旧号）',
    'a resident id has 18 characters (last may be X) or 15 digits',
  ],
  ['residentId.length', '身份证号应为18位或15位', 'a resident id has 18 or 15 characters'],
  [
    'residentId.checksum',
    '身份证号校验位不对（GB 11643）',
    'the check character of the resident id is wrong (GB 11643)',
  ],
  ['residentId.region', '身份证号的省份代码不存在', 'the province code of the resident id does not exist'],
  ['residentId.birthDate', '身份证号中的出生日期不存在', 'the birth date in the resident id does not exist'],
  ['residentId.futureBirthDate', '身份证号中的出生日期在将来', 'the birth date in the resident id is in the future'],
  ['personName.empty', '姓名为空', 'the name is empty'],
  ['personName.chars', '姓名含有不允许的字符', 'the name holds characters a name does not'],
  ['personName.length', '姓名过长', 'the name is too long'],
  ['personName.temporary', '临时姓名格式不对（如“张三之子”）', 'a temporary name is written as 张三之子 / 张三之女'],
  ['sex.value', '性别应为男、女或未知', 'the sex is male, female or unknown (男, 女)'],
  ['dateTime.format', '时间格式不对（如 2026-11-20 03:17）', 'a date-time is written as 2026-11-20 03:17'],
  ['dateTime.date', '日期不存在', 'the date does not exist'],
  ['dateTime.time', '时刻不存在', 'the time of day does not exist'],
  ['dateTime.offset', '时区偏移超出范围', 'the offset is out of range'],
  ['dateTime.future', '时间在将来', 'the time is in the future'],
  ['date.format', '日期格式不对（如 2026-11-20）', 'a date is written as 2026-11-20'],
  ['date.date', '日期不存在', 'the date does not exist'],
  ['date.future', '日期在将来', 'the date is in the future'],
  ['address.detail', '地址缺少详细地址（街道、门牌）', 'the address lacks its detail (street, number)'],
  ['code.format', '编号格式不对（4-32位字母、数字或连字符）', 'a code has 4 to 32 letters, digits or dashes'],
  ['bed.format', '床位应含数字或字母', 'a bed holds a digit or a letter'],
  ['plate.format', '车牌号格式不对（GA 36-2018）', 'not a number plate (GA 36-2018)'],
  ['vaccinations.format', '疫苗接种记录应为剂次列表', 'vaccinations are a list of doses'],
  [
    'vaccinations.vaccine',
    '未知的疫苗：请写疫苗名称（如“乙肝疫苗”“卡介苗”）或代码（如 HepB）',
    'unknown vaccine: write its name (乙肝疫苗, 卡介苗) or its code (HepB)',
  ],
  ['vaccinations.dose', '剂次应为1到9', 'a dose number is 1 to 9'],
  ['vaccinations.date', '接种日期不对或在将来', 'the date of a dose is not a date or is in the future'],
  ['vaccinations.clinic', '接种单位为空或过长', 'the clinic of a dose is empty or too long'],
];

const WARNINGS: readonly Row[] = [
  [
    'mobile.prefixUnknown',
    '号段不在号段表中：已保存，请核对号码',
    'a prefix not in the table: stored; check the number',
  ],
  [
    'residentId.unknownRegion',
    '身份证号的地区代码不在现行代码表中（可能是旧代码）：已保存',
    'a region code not in the current table (perhaps an old one): stored',
  ],
  ['address.noProvince', '地址未写省份：已保存', 'the address names no province: stored'],
];

/** Rules that any text kind may give (`text.length`, `vaccinations.clinic.empty`…): by their last part. */
const GENERIC: Readonly<Record<string, readonly [string, string]>> = {
  type: ['值的类型不对', 'a value of the wrong type'],
  masked: ['这是掩码后的值（含 *），不是原值', 'a masked value (with *), not the value itself'],
  empty: ['值为空', 'the value is empty'],
  chars: ['含有控制字符', 'holds control characters'],
  length: ['值过长', 'the value is too long'],
};

const TABLE: ReadonlyMap<string, RuleText> = new Map<string, RuleText>([
  ...ERRORS.map(([rule, zh, en]) => [rule, { rule, warning: false, zh, en }] as const),
  ...WARNINGS.map(([rule, zh, en]) => [rule, { rule, warning: true, zh, en }] as const),
]);

/** Every rule named here, errors first. */
export const RULES: readonly RuleText[] = Object.freeze([...TABLE.values()]);

/** The words of a rule; a kind's generic rule (`text.length`) by its last part; undefined if unknown. */
export function ruleText(rule: string): RuleText | undefined {
  const known = TABLE.get(rule);
  if (known) return known;
  const last = rule.slice(rule.lastIndexOf('.') + 1);
  const g = rule.includes('.') ? GENERIC[last] : undefined;
  return g ? { rule, warning: false, zh: g[0], en: g[1] } : undefined;
}
