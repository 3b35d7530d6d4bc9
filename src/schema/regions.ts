/**
 * GB/T 2260 administrative division codes (provinces, prefectures, counties and districts), used to
 * check the region of resident ids and to build real addresses in the synthetic city.
 */
import { REGIONS_DATA } from './regions-data.ts';

export interface Region {
  readonly code: string;
  readonly name: string;
}

let byCode: Map<string, string> | undefined;

function table(): Map<string, string> {
  if (!byCode) {
    byCode = new Map();
    for (const line of REGIONS_DATA.split('\n')) byCode.set(line.slice(0, 6), line.slice(6));
  }
  return byCode;
}

/** The name of a code, or undefined for a code not in the current table (old codes stay valid). */
export function regionName(code: string): string | undefined {
  return table().get(code);
}

/** Province-level codes (GB/T 2260: the first two digits), including 71 Taiwan, 81 Hong Kong, 82 Macao. */
const PROVINCE_PREFIXES = new Set([
  '11',
  '12',
  '13',
  '14',
  '15',
  '21',
  '22',
  '23',
  '31',
  '32',
  '33',
  '34',
  '35',
  '36',
  '37',
  '41',
  '42',
  '43',
  '44',
  '45',
  '46',
  '50',
  '51',
  '52',
  '53',
  '54',
  '61',
  '62',
  '63',
  '64',
  '65',
  '71',
  '81',
  '82',
]);

export function isProvincePrefix(two: string): boolean {
  return PROVINCE_PREFIXES.has(two);
}

/** County-level regions (districts, counties, county-level cities) below a prefecture code (4 digits). */
export function districtsOf(prefecture: string): Region[] {
  const out: Region[] = [];
  for (const [code, name] of table()) {
    if (code.startsWith(prefecture) && !code.endsWith('00')) out.push({ code, name });
  }
  return out;
}

/** Every county-level region in the table. */
export function allDistricts(): Region[] {
  const out: Region[] = [];
  for (const [code, name] of table()) if (!code.endsWith('00')) out.push({ code, name });
  return out;
}

/** Province name for the first two digits of a code (e.g. "北京市", "山东省"). */
export function provinceName(code: string): string | undefined {
  return table().get(`${code.slice(0, 2)}0000`);
}

/** Prefecture name for the first four digits; municipalities list "市辖区" there, which reads as none. */
export function prefectureName(code: string): string | undefined {
  const n = table().get(`${code.slice(0, 4)}00`);
  return n === '市辖区' || n === '县' || n === '省直辖县级行政区划' || n === '自治区直辖县级行政区划' ? undefined : n;
}

export function provinceNames(): string[] {
  const out: string[] = [];
  for (const [code, name] of table()) if (code.endsWith('0000')) out.push(name);
  return out;
}
