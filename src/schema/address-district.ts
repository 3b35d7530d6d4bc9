/**
 * Where an address is, as a GB/T 2260 county-level code (`370112` for 山东省济南市历城区): the
 * region a district care relationship names. Coarse and non-identifying (a district holds hundreds
 * of thousands of people); read from the address's administrative part (address.ts), never from the
 * free text after it.
 */
import { splitAddress } from './address.ts';
import { allDistricts, prefectureName, provinceName, regionName } from './regions.ts';

let byName: Map<string, string> | undefined;

/** `province|prefecture|district` → code; the names are unique in the table (one code each). */
function index(): Map<string, string> {
  if (!byName) {
    byName = new Map();
    for (const d of allDistricts()) {
      byName.set(`${provinceName(d.code) ?? ''}|${prefectureName(d.code) ?? ''}|${d.name}`, d.code);
    }
  }
  return byName;
}

/** The county-level code of an address, or undefined when its administrative part names none. */
export function districtCode(address: string): string | undefined {
  const { province, prefecture, district } = splitAddress(address);
  if (province === undefined) return undefined;
  const codes = index();
  if (district !== undefined) {
    const code = codes.get(`${province}|${prefecture ?? ''}|${district}`);
    if (code !== undefined) return code;
  }
  // A county-level city directly under its province (湖北省仙桃市) reads as a prefecture.
  return prefecture !== undefined ? codes.get(`${province}||${prefecture}`) : undefined;
}

/** Whether `code` is a county-level code of the table: what a district relationship must name. */
export function isDistrictCode(code: string): boolean {
  const name = /^\d{4}(?!00)\d{2}$/.test(code) ? regionName(code) : undefined;
  return name !== undefined && name !== '市辖区';
}
