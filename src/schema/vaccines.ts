/**
 * The vaccines a Chinese vaccination certificate (预防接种证) names: the national immunisation
 * programme (国家免疫规划) and the common non-programme vaccines (非免疫规划疫苗), each with the code
 * the registry stores, its Chinese name for people, every name and abbreviation that clinics write,
 * and the programme's schedule where it has one.
 *
 * Schedule: 国家卫生健康委《国家免疫规划疫苗儿童免疫程序及说明（2021年版）》(国卫疾控发〔2021〕10号,
 * 2021-03), table "国家免疫规划疫苗儿童免疫程序表". Ages are the table's recommended ages
 * (出生时 = 0 months, "n岁" = 12n months). The 2021 edition replaced the 2016 edition's 麻风疫苗
 * (MR, 8 months) with a first dose of 麻腮风疫苗 (MMR) at 8 months; a dose of MR given under the
 * older schedule still counts as a measles-containing dose (`countsToward`).
 *
 * Where the programme offers a live or an inactivated vaccine for the same disease (乙脑, 甲肝), the
 * live one is the default (`alternativeOf` on the inactivated one): a child follows the inactivated
 * schedule only once a dose of it is recorded.
 */
import { parseDate } from './date-time.ts';

export interface VaccineDose {
  readonly dose: number;
  /** age at which the dose is due */
  readonly ageMonths: number;
}

export interface Vaccine {
  /** the stored code, e.g. 'HepB' (ASCII letters, digits and '-', at most 16) */
  readonly code: string;
  /** the Chinese name for people, e.g. '乙肝疫苗' */
  readonly zh: string;
  /** every accepted Chinese name and abbreviation (e.g. '乙肝疫苗', '乙型肝炎疫苗', '乙肝') */
  readonly names: readonly string[];
  /** English name */
  readonly en: string;
  /** in the national immunisation programme (免疫规划) or not */
  readonly programme: boolean;
  /** the national schedule (empty for non-programme) */
  readonly schedule: readonly VaccineDose[];
  /** the programme vaccine this one replaces when chosen (inactivated instead of live) */
  readonly alternativeOf?: string;
  /** each dose of this vaccine counts as one dose of that programme vaccine (MR toward MMR) */
  readonly countsToward?: string;
}

function doses(...ages: number[]): readonly VaccineDose[] {
  return Object.freeze(ages.map((ageMonths, i) => Object.freeze({ dose: i + 1, ageMonths })));
}

const NONE: readonly VaccineDose[] = Object.freeze([]);

type Row = Omit<Vaccine, 'schedule'> & { schedule?: readonly VaccineDose[] };

const ROWS: readonly Row[] = [
  // --- 国家免疫规划疫苗 (2021 edition) ---
  {
    code: 'HepB',
    zh: '乙肝疫苗',
    names: ['乙肝疫苗', '乙型肝炎疫苗', '重组乙型肝炎疫苗', '乙肝'],
    en: 'Hepatitis B vaccine',
    programme: true,
    schedule: doses(0, 1, 6),
  },
  {
    code: 'BCG',
    zh: '卡介苗',
    names: ['卡介苗', '皮内注射用卡介苗'],
    en: 'BCG vaccine',
    programme: true,
    schedule: doses(0),
  },
  {
    code: 'IPV',
    zh: '脊灰灭活疫苗',
    names: ['脊灰灭活疫苗', '脊髓灰质炎灭活疫苗', '灭活脊髓灰质炎疫苗', '脊灰灭活'],
    en: 'Inactivated poliovirus vaccine',
    programme: true,
    schedule: doses(2, 3),
  },
  {
    code: 'bOPV',
    zh: '脊灰减毒活疫苗',
    names: ['脊灰减毒活疫苗', '二价脊灰减毒活疫苗', '脊髓灰质炎减毒活疫苗', '口服脊灰减毒活疫苗', '脊灰糖丸', '糖丸'],
    en: 'Bivalent oral poliovirus vaccine',
    programme: true,
    schedule: doses(4, 48),
  },
  {
    code: 'DTaP',
    zh: '百白破疫苗',
    names: ['百白破疫苗', '吸附无细胞百白破联合疫苗', '无细胞百白破疫苗', '百白破'],
    en: 'Diphtheria, tetanus and acellular pertussis vaccine',
    programme: true,
    schedule: doses(3, 4, 5, 18),
  },
  {
    code: 'DT',
    zh: '白破疫苗',
    names: ['白破疫苗', '吸附白喉破伤风联合疫苗', '白破二联疫苗', '白破'],
    en: 'Diphtheria and tetanus vaccine',
    programme: true,
    schedule: doses(72),
  },
  {
    code: 'MMR',
    zh: '麻腮风疫苗',
    names: ['麻腮风疫苗', '麻疹腮腺炎风疹联合减毒活疫苗', '麻腮风联合减毒活疫苗', '麻腮风'],
    en: 'Measles, mumps and rubella vaccine',
    programme: true,
    schedule: doses(8, 18),
  },
  {
    code: 'JE-L',
    zh: '乙脑减毒活疫苗',
    names: ['乙脑减毒活疫苗', '乙型脑炎减毒活疫苗', '乙脑减毒'],
    en: 'Japanese encephalitis vaccine, live',
    programme: true,
    schedule: doses(8, 24),
  },
  {
    code: 'JE-I',
    zh: '乙脑灭活疫苗',
    names: ['乙脑灭活疫苗', '乙型脑炎灭活疫苗', '乙脑灭活'],
    en: 'Japanese encephalitis vaccine, inactivated',
    programme: true,
    // 8 months two doses 7-10 days apart, then 2 and 6 years.
    schedule: doses(8, 8, 24, 72),
    alternativeOf: 'JE-L',
  },
  {
    code: 'MPSV-A',
    zh: 'A群流脑多糖疫苗',
    names: ['A群流脑多糖疫苗', 'A群脑膜炎球菌多糖疫苗', 'A群流脑疫苗', 'A群流脑'],
    en: 'Group A meningococcal polysaccharide vaccine',
    programme: true,
    schedule: doses(6, 9),
  },
  {
    code: 'MPSV-AC',
    zh: 'A群C群流脑多糖疫苗',
    names: ['A群C群流脑多糖疫苗', 'A群C群脑膜炎球菌多糖疫苗', 'AC群流脑多糖疫苗', 'A+C流脑疫苗', 'AC流脑疫苗'],
    en: 'Group A and C meningococcal polysaccharide vaccine',
    programme: true,
    schedule: doses(36, 72),
  },
  {
    code: 'HepA-L',
    zh: '甲肝减毒活疫苗',
    names: ['甲肝减毒活疫苗', '甲型肝炎减毒活疫苗', '甲肝减毒'],
    en: 'Hepatitis A vaccine, live',
    programme: true,
    schedule: doses(18),
  },
  {
    code: 'HepA-I',
    zh: '甲肝灭活疫苗',
    names: ['甲肝灭活疫苗', '甲型肝炎灭活疫苗', '甲肝灭活'],
    en: 'Hepatitis A vaccine, inactivated',
    programme: true,
    schedule: doses(18, 24),
    alternativeOf: 'HepA-L',
  },
  // --- 2016 edition, replaced by MMR at 8 months in the 2021 edition ---
  {
    code: 'MR',
    zh: '麻风疫苗',
    names: ['麻风疫苗', '麻疹风疹联合减毒活疫苗', '麻风二联疫苗', '麻风联合疫苗'],
    en: 'Measles and rubella vaccine',
    programme: false,
    countsToward: 'MMR',
  },
  // --- 非免疫规划疫苗 (common, given at the family's choice and cost) ---
  {
    code: 'PCV13',
    zh: '13价肺炎球菌多糖结合疫苗',
    names: ['13价肺炎球菌多糖结合疫苗', '13价肺炎球菌结合疫苗', '13价肺炎疫苗', '13价肺炎', '肺炎13价'],
    en: '13-valent pneumococcal conjugate vaccine',
    programme: false,
  },
  {
    code: 'PPV23',
    zh: '23价肺炎球菌多糖疫苗',
    names: ['23价肺炎球菌多糖疫苗', '23价肺炎疫苗', '23价肺炎'],
    en: '23-valent pneumococcal polysaccharide vaccine',
    programme: false,
  },
  {
    code: 'Hib',
    zh: 'b型流感嗜血杆菌结合疫苗',
    names: ['b型流感嗜血杆菌结合疫苗', 'b型流感嗜血杆菌疫苗', 'Hib疫苗', '流感嗜血杆菌疫苗'],
    en: 'Haemophilus influenzae type b conjugate vaccine',
    programme: false,
  },
  {
    code: 'DTaP-IPV-Hib',
    zh: '五联疫苗',
    names: [
      '五联疫苗',
      '吸附无细胞百白破灭活脊髓灰质炎和b型流感嗜血杆菌联合疫苗',
      '百白破-脊灰-Hib联合疫苗',
      'DTaP-IPV/Hib',
      '五联',
    ],
    en: 'DTaP-IPV/Hib combined vaccine',
    programme: false,
  },
  {
    code: 'DTaP-Hib',
    zh: '四联疫苗',
    names: ['四联疫苗', '无细胞百白破b型流感嗜血杆菌联合疫苗', '百白破-Hib联合疫苗', 'DTaP/Hib', '四联'],
    en: 'DTaP-Hib combined vaccine',
    programme: false,
  },
  {
    code: 'RV',
    zh: '轮状病毒疫苗',
    names: ['轮状病毒疫苗', '口服轮状病毒活疫苗', '五价轮状病毒疫苗', '轮状疫苗', '轮状'],
    en: 'Rotavirus vaccine',
    programme: false,
  },
  {
    code: 'VarV',
    zh: '水痘疫苗',
    names: ['水痘疫苗', '水痘减毒活疫苗', '水痘'],
    en: 'Varicella vaccine',
    programme: false,
  },
  {
    code: 'Flu',
    zh: '流感疫苗',
    names: ['流感疫苗', '流行性感冒疫苗', '流感病毒裂解疫苗', '四价流感疫苗', '流感'],
    en: 'Influenza vaccine',
    programme: false,
  },
  {
    code: 'EV71',
    zh: '肠道病毒71型灭活疫苗',
    names: ['肠道病毒71型灭活疫苗', 'EV71疫苗', '手足口疫苗', '手足口病疫苗'],
    en: 'Enterovirus 71 vaccine, inactivated',
    programme: false,
  },
  {
    code: 'MPCV-AC',
    zh: 'AC群流脑结合疫苗',
    names: ['AC群流脑结合疫苗', 'A群C群脑膜炎球菌多糖结合疫苗', 'AC结合疫苗', 'AC流脑结合疫苗'],
    en: 'Group A and C meningococcal conjugate vaccine',
    programme: false,
  },
  {
    code: 'MPSV-ACYW',
    zh: 'ACYW135群流脑多糖疫苗',
    names: ['ACYW135群流脑多糖疫苗', 'ACYW135群脑膜炎球菌多糖疫苗', '四价流脑疫苗', '四价流脑多糖疫苗'],
    en: 'Group A, C, Y and W135 meningococcal polysaccharide vaccine',
    programme: false,
  },
  {
    code: 'HepE',
    zh: '戊肝疫苗',
    names: ['戊肝疫苗', '戊型肝炎疫苗', '重组戊型肝炎疫苗'],
    en: 'Hepatitis E vaccine',
    programme: false,
  },
  {
    code: 'HPV',
    zh: 'HPV疫苗',
    names: ['HPV疫苗', '人乳头瘤病毒疫苗', '宫颈癌疫苗', '二价HPV疫苗', '四价HPV疫苗', '九价HPV疫苗'],
    en: 'Human papillomavirus vaccine',
    programme: false,
  },
  {
    code: 'RabV',
    zh: '狂犬病疫苗',
    names: ['狂犬病疫苗', '人用狂犬病疫苗', '狂犬疫苗'],
    en: 'Rabies vaccine',
    programme: false,
  },
];

export const VACCINES: readonly Vaccine[] = Object.freeze(
  ROWS.map((r) => Object.freeze({ ...r, names: Object.freeze([...r.names]), schedule: r.schedule ?? NONE })),
);

/** NFKC (full-width letters and digits, 'Ａ群'), no spaces anywhere, lower case for the Latin part. */
function key(input: string): string {
  return input.normalize('NFKC').replace(/\s+/g, '').toLowerCase();
}

const BY_KEY: ReadonlyMap<string, Vaccine> = (() => {
  const m = new Map<string, Vaccine>();
  const add = (k: string, v: Vaccine): void => {
    const existing = m.get(k);
    if (existing !== undefined && existing !== v) throw new Error(`vaccine name used twice: ${k}`);
    m.set(k, v);
  };
  for (const v of VACCINES) {
    add(key(v.code), v);
    add(key(v.zh), v);
    add(key(v.en), v);
    for (const n of v.names) add(key(n), v);
  }
  return m;
})();

const BY_CODE: ReadonlyMap<string, Vaccine> = new Map(VACCINES.map((v) => [v.code, v]));

/** The vaccine a code, a Chinese name or an abbreviation names (NFKC, trimmed; codes case-insensitive). */
export function vaccineByName(input: string): Vaccine | undefined {
  if (typeof input !== 'string' || input.length > 100) return undefined;
  const k = key(input);
  // A certificate may add the product after the name: 乙肝疫苗（10μg）, 重组乙型肝炎疫苗(CHO细胞).
  return BY_KEY.get(k) ?? BY_KEY.get(k.replace(/[(（[【][^()（）[\]【】]*[)）\]】]$/u, ''));
}

/** The vaccine of a stored code, exactly as stored. */
export function vaccineByCode(code: string): Vaccine | undefined {
  return BY_CODE.get(code);
}

/** The Chinese name for people of a stored code; an unknown code (an older record) as it is. */
export function vaccineZh(code: string): string {
  return BY_CODE.get(code)?.zh ?? code;
}

/** Every name, longest first: the first that a text starts with is the longest that fits. */
const NAMES_LONGEST_FIRST: readonly [string, Vaccine][] = [...BY_KEY.entries()].sort(
  (a, b) => b[0].length - a[0].length,
);

/**
 * The vaccine a text starts with, by any of its names or its code ('乙肝疫苗 第1剂', 'HepB(1)'):
 * how the trace's readers recognise a vaccination column of a leaked file, in codes or in Chinese.
 */
export function vaccineAtStart(text: string): Vaccine | undefined {
  const k = key(text.slice(0, 120));
  for (const [name, v] of NAMES_LONGEST_FIRST) {
    if (!k.startsWith(name)) continue;
    const next = k.charAt(name.length);
    // A Latin code ends at a word boundary ('MR' is not the start of 'MRI'); a short Chinese
    // abbreviation at the end of the word ('白破' is not the start of the name '白破军').
    if (/[a-z0-9]$/.test(name) && /[a-z]/.test(next)) continue;
    if (!name.endsWith('苗') && /\p{Script=Han}/u.test(next) && next !== '第') continue;
    return v;
  }
  return undefined;
}

/** Doses as people read them: each vaccine's code with its Chinese name (`name`), stored codes kept. */
export function withVaccineNames<T extends { readonly vaccine: string }>(
  list: readonly T[],
): (T & { readonly name: string })[] {
  return list.map((x) => {
    const { vaccine, ...rest } = x;
    return { vaccine, name: vaccineZh(vaccine), ...rest } as T & { readonly name: string };
  });
}

function two(n: number): string {
  return String(n).padStart(2, '0');
}

/** A calendar date plus whole months; a day past the end of the month becomes its last day. */
export function addMonths(date: string, months: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const total = y * 12 + (m - 1) + months;
  const ny = Math.floor(total / 12);
  const nm = (total % 12) + 1;
  const last = new Date(Date.UTC(ny, nm, 0)).getUTCDate();
  return `${String(ny).padStart(4, '0')}-${two(nm)}-${two(Math.min(d, last))}`;
}

/**
 * The next dose due of each programme vaccine for a child born on birthDate (YYYY-MM-DD):
 * for each vaccine with a schedule, the first scheduled dose not in `given`, with its due date
 * (birth date + ageMonths, calendar months, clamped to month end). Sorted by due date, then code.
 *
 * `given[].vaccine` may be a code or any name `vaccineByName` knows. An inactivated alternative
 * (JE-I, HepA-I) is followed instead of its live default once a dose of it is given; a dose of a
 * vaccine that `countsToward` another (MR toward MMR) covers that vaccine's earliest missing dose.
 * Throws a RangeError (naming no value) when birthDate is not a date.
 */
export function nextDue(
  birthDate: string,
  given: readonly { vaccine: string; dose: number }[],
): readonly { vaccine: string; dose: number; due: string }[] {
  const b = parseDate(birthDate);
  if (!b.ok) throw new RangeError('birthDate is not a YYYY-MM-DD date');
  const doneBy = new Map<string, Set<number>>();
  for (const g of given) {
    const code = vaccineByName(g.vaccine)?.code ?? g.vaccine;
    let s = doneBy.get(code);
    if (s === undefined) doneBy.set(code, (s = new Set()));
    s.add(g.dose);
  }
  const started = (code: string): boolean => (doneBy.get(code)?.size ?? 0) > 0;
  const out: { vaccine: string; dose: number; due: string }[] = [];
  for (const v of VACCINES) {
    if (v.schedule.length === 0) continue;
    // A live default gives way to its inactivated alternative once that is started (and not itself).
    if (v.alternativeOf !== undefined && !(started(v.code) && !started(v.alternativeOf))) continue;
    const alt = VACCINES.find((a) => a.alternativeOf === v.code);
    if (alt !== undefined && started(alt.code) && !started(v.code)) continue;
    const done = doneBy.get(v.code) ?? new Set<number>();
    let covered = VACCINES.filter((s) => s.countsToward === v.code).reduce(
      (n, s) => n + (doneBy.get(s.code)?.size ?? 0),
      0,
    );
    for (const d of v.schedule) {
      if (done.has(d.dose)) continue;
      if (covered > 0) {
        covered--;
        continue;
      }
      out.push({ vaccine: v.code, dose: d.dose, due: addMonths(b.value, d.ageMonths) });
      break;
    }
  }
  out.sort((x, y) => (x.due < y.due ? -1 : x.due > y.due ? 1 : x.vaccine < y.vaccine ? -1 : 1));
  return out;
}
