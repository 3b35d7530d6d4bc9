import { test } from 'node:test';
import assert from 'node:assert/strict';
import { districtCode, isDistrictCode } from './address-district.ts';
import { generateCity } from '../synth/city.ts';

test("an address's county-level code: by province, prefecture and district; none when unnamed", () => {
  assert.equal(districtCode('山东省济南市历下区泉城路1号'), '370102');
  assert.equal(districtCode('山东省济南市长清区大学路2号3单元'), '370113');
  // 市中区 is a district of five cities: the prefecture decides.
  assert.equal(districtCode('山东省济南市市中区经七路1号'), '370103');
  assert.equal(districtCode('山东省枣庄市市中区青檀路1号'), '370402');
  assert.equal(districtCode('北京市朝阳区建国路1号'), '110105');
  assert.equal(districtCode('上海市浦东新区世纪大道1号'), '310115');
  assert.equal(districtCode('湖北省仙桃市钱沟路1号'), '429004');
  for (const a of ['济南市历下区泉城路1号', '山东省济南市泉城路1号', '历下区泉城路1号', '']) {
    assert.equal(districtCode(a), undefined, a);
  }
});

test("every address of the synthetic city has its district's code", () => {
  const city = generateCity({ seed: 'districts', families: 300 });
  for (const f of city.families()) {
    const code = districtCode(f.initial.values.address as string);
    assert.ok(code?.startsWith('3701') && isDistrictCode(code), String(f.initial.values.address));
  }
});

test('a district code is a county-level code of GB/T 2260', () => {
  assert.equal(isDistrictCode('370102'), true);
  for (const c of ['370100', '370000', '370101', '历下区', '37010', '3701020', '999999']) {
    assert.equal(isDistrictCode(c), false, c);
  }
});
