/**
 * A synthetic city, seeded and reproducible: hospitals with obstetric wards, families with valid
 * resident ids (real GB/T 2260 region codes, correct check characters), allocated mobile prefixes,
 * real province/prefecture/district names, and version histories that look like life: a temporary
 * name then the registered one, bed moves, discharge after 3-5 days, vaccinations on the national
 * schedule, occasional phone and address changes.
 *
 * Pure: it yields plain values and times; ../sim/load.ts writes them into a vault.
 */
import { makeResidentId } from '../schema/resident-id.ts';
import { allDistricts, districtsOf, prefectureName, provinceName, type Region } from '../schema/regions.ts';
import { formatLocal } from '../schema/date-time.ts';
import { localMidnight } from '../schema/local-date.ts';
import type { Vaccination } from '../schema/field-kind.ts';
import { fullName, givenName, mobile, surname } from './people.ts';
import { Rng } from './random.ts';

export interface CityOptions {
  readonly seed: string | number;
  /** Number of families (birth records). */
  readonly families: number;
  /** Prefecture code (4 digits, GB/T 2260); default 3701, Jinan. */
  readonly prefecture?: string;
  readonly hospitals?: number;
  /**
   * The end of the simulated period (ISO); births fall in the year before. Fixed by default so a seed always gives
   * the same city.
   */
  readonly until?: string;
  /** Length of the simulated period in days (default 365). */
  readonly days?: number;
  /** The end of the window in which births fall (ISO; default `until`): histories still run to `until`. */
  readonly birthsUntil?: string;
}

export interface SimHospital {
  readonly index: number;
  readonly name: string;
  readonly district: Region;
  readonly wards: readonly string[];
}

export interface SimChange {
  /** When it became true (ISO 8601, +08:00). It is also when it was recorded. */
  readonly at: string;
  readonly values: Readonly<Record<string, string | readonly Vaccination[]>>;
}

export interface SimFamily {
  readonly index: number;
  readonly hospital: number;
  readonly birthEpochMs: number;
  readonly initial: SimChange;
  readonly later: readonly SimChange[];
}

export interface City {
  readonly prefecture: string;
  readonly hospitals: readonly SimHospital[];
  readonly until: string;
  families(): Generator<SimFamily>;
}

export const DEFAULT_UNTIL = '2026-11-01T00:00:00+08:00';

const REAL_HOSPITALS: Record<string, readonly [string, string][]> = {
  '3701': [
    ['山东大学齐鲁医院', '370102'],
    ['山东省立医院', '370104'],
    ['山东省妇幼保健院', '370112'],
    ['济南市妇幼保健院', '370104'],
    ['济南市中心医院', '370102'],
    ['山东省千佛山医院', '370102'],
    ['济南市第四人民医院', '370103'],
    ['济南市第五人民医院', '370104'],
  ],
};

const ROADS = [
  '经十路',
  '经七路',
  '经四路',
  '纬二路',
  '泉城路',
  '解放路',
  '和平路',
  '文化东路',
  '历山路',
  '山大路',
  '花园路',
  '工业南路',
  '二环东路',
  '北园大街',
  '明湖西路',
  '英雄山路',
  '舜耕路',
  '旅游路',
  '奥体中路',
  '凤鸣路',
  '世纪大道',
  '刘长山路',
  '阳光新路',
  '堤口路',
  '无影山路',
  '黄台南路',
  '华信路',
  '洪楼西路',
  '建设路',
  '人民路',
  '幸福路',
  '兴隆路',
  '育英路',
  '青年路',
];
const COMPOUNDS = [
  '阳光花园',
  '鲁能领秀城',
  '绿地国际城',
  '万科城',
  '恒大名都',
  '中海国际社区',
  '保利华庭',
  '华润中央公园',
  '金色悦城',
  '燕山新居',
  '舜玉小区',
  '山大南路小区',
  '甸柳新村',
  '佛山苑',
  '玉函小区',
  '银座花园',
  '融创御园',
  '龙湖春江郦城',
  '名士豪庭',
  '翡翠郡',
];
const STREETS = ['泉城', '千佛山', '文化', '燕山', '姚家', '龙洞', '舜华', '智远', '甸柳', '解放', '洪楼', '全福'];
const WARD_NAMES = ['产科1病区', '产科2病区', '产科3病区', '产科4病区'];

// The national immunisation programme schedule (2021 edition): age in days, vaccine, dose.
const SCHEDULE: readonly [number, string, number][] = [
  [0, 'HepB', 1],
  [0, 'BCG', 1],
  [30, 'HepB', 2],
  [60, 'IPV', 1],
  [90, 'IPV', 2],
  [90, 'DTaP', 1],
  [120, 'bOPV', 1],
  [120, 'DTaP', 2],
  [150, 'DTaP', 3],
  [180, 'HepB', 3],
  [180, 'MPSV-A', 1],
  [240, 'MR', 1],
  [240, 'JE-L', 1],
  [270, 'MPSV-A', 2],
  [540, 'DTaP', 4],
  [540, 'MMR', 1],
  [540, 'HepA-L', 1],
  [730, 'JE-L', 2],
];

const DAY = 86_400_000;
const HOUR = 3_600_000;

/**
 * Real county-level regions only (functional zones such as development areas have statistics codes, not GB/T 2260
 * ones).
 */
function isCounty(r: Region): boolean {
  return !/(开发区|示范区|园区|管理区|经济|新城)$/.test(r.name) && Number(r.code.slice(4)) < 70;
}

function address(rng: Rng, district: Region): string {
  const pref = prefectureName(district.code) ?? '';
  const prov = provinceName(district.code) ?? '';
  const floor = rng.int(1, 26);
  return (
    `${prov}${pref}${district.name}${rng.pick(ROADS)}${rng.int(1, 300)}号` +
    `${rng.pick(COMPOUNDS)}${rng.int(1, 30)}号楼${rng.int(1, 4)}单元${floor}${String(rng.int(1, 4)).padStart(2, '0')}`
  );
}

/** Births by hour of day: a morning peak of scheduled caesareans, otherwise spread (normalised weights). */
const HOUR_WEIGHTS = [3, 3, 3, 3, 3, 3, 4, 5, 8, 9, 9, 8, 6, 5, 5, 6, 6, 5, 4, 4, 4, 3, 3, 3];
const HOUR_CUM = HOUR_WEIGHTS.reduce<number[]>((a, w) => [...a, (a[a.length - 1] ?? 0) + w], []);

function birthHour(rng: Rng): number {
  const x = rng.next() * HOUR_CUM[23]!;
  return HOUR_CUM.findIndex((c) => c > x);
}

export function generateCity(opts: CityOptions): City {
  const prefecture = opts.prefecture ?? '3701';
  const root = new Rng(opts.seed);
  const districts = districtsOf(prefecture).filter(isCounty);
  if (districts.length === 0) throw new RangeError('unknown prefecture');
  const province = allDistricts().filter((d) => d.code.startsWith(prefecture.slice(0, 2)) && isCounty(d));
  const elsewhere = allDistricts().filter(
    (d) => !d.code.startsWith(prefecture.slice(0, 2)) && isCounty(d) && Number(d.code.slice(0, 2)) < 70,
  );
  const hrng = root.fork('hospitals');
  const hospitals: SimHospital[] = [];
  const want = opts.hospitals ?? 8;
  for (const [name, code] of REAL_HOSPITALS[prefecture] ?? []) {
    if (hospitals.length >= want) break;
    const district = districts.find((d) => d.code === code) ?? districts[0]!;
    hospitals.push({ index: hospitals.length, name, district, wards: WARD_NAMES.slice(0, hrng.int(2, 4)) });
  }
  for (let i = 0; hospitals.length < want; i++) {
    const district = districts[i % districts.length]!;
    const kind = ['人民医院', '妇幼保健院', '中医医院', '第二人民医院'][Math.floor(i / districts.length) % 4]!;
    hospitals.push({
      index: hospitals.length,
      name: `${district.name}${kind}`,
      district,
      wards: WARD_NAMES.slice(0, hrng.int(2, 3)),
    });
  }
  const until = opts.until ?? DEFAULT_UNTIL;
  const untilMs = Date.parse(until);
  const birthsUntilMs = opts.birthsUntil ? Math.min(untilMs, Date.parse(opts.birthsUntil)) : untilMs;
  const days = opts.days ?? 365;
  const seedBase = String(opts.seed);

  function* families(): Generator<SimFamily> {
    for (let i = 0; i < opts.families; i++) yield family(new Rng(`${seedBase}\0family\0${i}`), i);
  }

  function idRegion(rng: Rng, home: Region): Region {
    const x = rng.next();
    return x < 0.55 ? home : x < 0.8 ? rng.pick(province) : rng.pick(elsewhere);
  }

  function family(rng: Rng, index: number): SimFamily {
    const hospital = hospitals[Math.floor(rng.next() * hospitals.length)]!;
    const home = rng.chance(0.6) ? hospital.district : rng.pick(districts);
    // Birth time: a uniform day in the period, an hour by the daily curve, whole minutes.
    const birth =
      localMidnight(birthsUntilMs - rng.int(1, days) * DAY) + birthHour(rng) * HOUR + rng.int(0, 59) * 60_000;
    // Office hours on a day `d` days after the birth: discharges, registrations, clinic visits.
    const dayAfter = (d: number) => localMidnight(birth) + d * DAY + rng.int(8, 16) * HOUR + rng.int(0, 59) * 60_000;
    const birthDate = formatLocal(birth).slice(0, 10);
    const sex = rng.chance(0.52) ? 'male' : 'female';
    const motherAge = Math.max(20, Math.min(44, Math.round(rng.normal(30, 4))));
    const fatherAge = Math.max(20, Math.min(55, motherAge + Math.round(rng.normal(2, 3))));
    const dob = (age: number) => formatLocal(birth - age * 365.25 * DAY - rng.int(0, 364) * DAY).slice(0, 10);
    const motherName = fullName(rng, 'female', 'parent');
    const fatherSurname = surname(rng);
    const fatherName = fatherSurname + givenName(rng, 'male', 'parent');
    const ward = rng.pick(hospital.wards);
    const bed = () => `${ward}-${rng.int(1, 40)}床`;
    const clinic = `${home.name}${rng.pick(STREETS)}街道社区卫生服务中心`;
    const at = (ms: number) => formatLocal(ms);
    const values: Record<string, string | readonly Vaccination[]> = {
      babyName: `${motherName}${sex === 'male' ? '之子' : '之女'}`,
      babySex: sex,
      birthTime: at(birth),
      hospital: hospital.name,
      ward,
      bed: bed(),
      motherName,
      motherResidentId: makeResidentId(idRegion(rng, home).code, dob(motherAge), rng.int(0, 499) * 2),
      motherPhone: mobile(rng),
      address: address(rng, home),
      vaccinations: [
        { vaccine: 'HepB', dose: 1, date: birthDate, clinic: hospital.name },
        { vaccine: 'BCG', dose: 1, date: birthDate, clinic: hospital.name },
      ],
    };
    if (rng.chance(0.92)) values.fatherName = fatherName;
    if (values.fatherName && rng.chance(0.85))
      values.fatherResidentId = makeResidentId(idRegion(rng, home).code, dob(fatherAge), rng.int(0, 499) * 2 + 1);
    if (values.fatherName && rng.chance(0.8)) values.fatherPhone = mobile(rng);
    const initial: SimChange = { at: at(birth + rng.int(1, 6) * HOUR), values };

    const later: SimChange[] = [];
    const add = (ms: number, v: SimChange['values']) => {
      if (ms < untilMs) later.push({ at: at(ms), values: v });
    };
    if (rng.chance(0.15)) add(birth + rng.int(8, 48) * HOUR, { bed: bed() });
    const discharge = dayAfter(rng.int(3, 5));
    add(discharge, {
      dischargeTime: at(discharge),
      birthCertificateNo: `${rng.pick(['O', 'P', 'Q', 'R'])}${prefecture.slice(0, 2)}${rng.digits(7)}`,
    });
    if (rng.chance(0.88)) {
      const family = rng.chance(0.9) ? fatherSurname : [...motherName][0]!;
      add(dayAfter(rng.int(10, 40)), { babyName: family + givenName(rng, sex, 'baby') });
    }
    if (rng.chance(0.6))
      add(dayAfter(rng.int(20, 60)), {
        babyResidentId: makeResidentId(home.code, birthDate, rng.int(0, 499) * 2 + (sex === 'male' ? 1 : 0)),
      });
    let shots: Vaccination[] = [...(values.vaccinations as Vaccination[])];
    for (const [age, vaccine, dose] of SCHEDULE) {
      if (age === 0) continue;
      const ms = dayAfter(age + rng.int(0, 10));
      if (ms >= untilMs || rng.chance(0.03)) continue;
      shots = [...shots, { vaccine, dose, date: formatLocal(ms).slice(0, 10), clinic }];
      add(ms, { vaccinations: shots });
    }
    const span = untilMs - discharge;
    if (span > 0 && rng.chance(0.04 * (span / (365 * DAY))))
      add(discharge + rng.next() * span, { motherPhone: mobile(rng) });
    if (span > 0 && rng.chance(0.03 * (span / (365 * DAY))))
      add(discharge + rng.next() * span, { address: address(rng, rng.pick(districts)) });
    later.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
    return { index, hospital: hospital.index, birthEpochMs: birth, initial, later };
  }

  return { prefecture, hospitals, until, families };
}
