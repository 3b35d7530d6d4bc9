/**
 * Chinese postal addresses, written from the largest unit down: province (省, 自治区, or one of the
 * four municipalities 市), prefecture (市, 自治州, 地区, 盟), county or district (区, 县, 市, 旗), then
 * the street detail. Only the leading administrative part is parsed; the rest is free text.
 */
import { toHalfWidthDigits } from './mobile.ts';

const PROVINCE =
  /^(北京市|天津市|上海市|重庆市|香港特别行政区|澳门特别行政区|内蒙古自治区|广西壮族自治区|西藏自治区|宁夏回族自治区|新疆维吾尔自治区|\p{Script=Han}{2,3}省)/u;
const PREFECTURE = /^(\p{Script=Han}{1,9}?(?:自治州|地区|盟|市))/u;
const DISTRICT = /^(\p{Script=Han}{1,8}?(?:新区|区|县|旗|市))/u;

export interface AddressParts {
  readonly province?: string;
  readonly prefecture?: string;
  readonly district?: string;
  /** Everything after the administrative part. */
  readonly detail: string;
}

export function splitAddress(address: string): AddressParts {
  const province = PROVINCE.exec(address)?.[1];
  if (province === undefined) return { province, prefecture: undefined, district: undefined, detail: address };
  let rest = address.slice(province.length);
  // In a municipality the next unit is already the district.
  const municipality = /^(北京|天津|上海|重庆)市$/.test(province);
  const prefecture = municipality ? undefined : PREFECTURE.exec(rest)?.[1];
  if (prefecture !== undefined) rest = rest.slice(prefecture.length);
  const district = DISTRICT.exec(rest)?.[1];
  if (district !== undefined) rest = rest.slice(district.length);
  return { province, prefecture, district, detail: rest };
}

export type AddressResult = { ok: true; value: string; warnings: string[] } | { ok: false; rule: string };

/** Folds whitespace and full-width digits; requires some detail beyond the administrative part. */
export function parseAddress(input: string): AddressResult {
  const value = toHalfWidthDigits(input.normalize('NFC')).trim().replace(/\s+/g, ' ');
  if (value.length === 0) return { ok: false, rule: 'address.empty' };
  if (/\p{Cc}/u.test(value)) return { ok: false, rule: 'address.chars' };
  if ([...value].length > 200) return { ok: false, rule: 'address.length' };
  const parts = splitAddress(value);
  if (parts.detail.trim().length === 0) return { ok: false, rule: 'address.detail' };
  return { ok: true, value, warnings: parts.province === undefined ? ['address.noProvince'] : [] };
}
