/**
 * The services' derived keys seal and MAC with the vault's cipher suite: a gm vault's justifications,
 * canary texts, portal phones and calls are SM4-CTR+HMAC-SM3 values (first byte 0x02), an aes
 * vault's AES-GCM ones (0x01); each opens only under its own suite and keys.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SUITES } from '../../test/helpers/suites.ts';
import { kekFromBytes } from '../crypto/key-file.ts';
import { newDataKey, TenantKeys } from '../crypto/keyring.ts';
import { openText, sealText } from '../disclose/canary.ts';
import { ServiceKeys } from './keys.ts';
import { PortalKeys } from './portal/portal-keys.ts';

const FORMAT = { aes: 0x01, gm: 0x02 } as const;

function tenantKeys(suite: 'aes' | 'gm'): TenantKeys {
  const kek = kekFromBytes(Buffer.alloc(32, 3), suite);
  return new TenantKeys(kek, 't1', [newDataKey(kek, 't1', 'data', 1), newDataKey(kek, 't1', 'index', 1)]);
}

for (const suite of SUITES) {
  test(`${suite.name}: justifications, canary texts, portal phones and calls are sealed with the suite`, () => {
    const keys = tenantKeys(suite.name);
    const service = new ServiceKeys(keys);
    const portal = new PortalKeys(keys);
    assert.equal(service.suite, suite);
    const sealed = [
      service.sealJustification('p_1', '复诊核对母亲电话'),
      sealText(service.canary, '13812345678', 'contact'),
      portal.sealPhone('g_1', '13812345678'),
      portal.sealCall('c_1', { code: '4821', purpose: '疫苗接种提醒', fromNumber: '02160001234' }),
    ];
    for (const s of sealed) assert.equal(s[0], FORMAT[suite.name]);
    assert.equal(service.openJustification(sealed[0]!), '复诊核对母亲电话');
    assert.equal(openText(service.canary, sealed[1]!, 'contact'), '13812345678');
    assert.equal(portal.openPhone('g_1', sealed[2]!), '13812345678');
    assert.deepEqual(portal.openCall('c_1', sealed[3]!).purpose, '疫苗接种提醒');
    // Bound to its row: another guardian's id does not open the phone.
    assert.throws(() => portal.openPhone('g_2', sealed[2]!), { code: 'ERR_DECRYPT' });
  });
}

test("a value sealed in an aes vault opens in no gm vault; the fingerprint code's PRF follows the suite", () => {
  const [aes, gm] = [tenantKeys('aes'), tenantKeys('gm')];
  const phone = new PortalKeys(aes).sealPhone('g_1', '13812345678');
  assert.throws(() => new PortalKeys(gm).openPhone('g_1', phone), { code: 'ERR_DECRYPT' });
  assert.equal(new ServiceKeys(gm).code.mac, 'sm3');
  assert.equal(new ServiceKeys(aes).code.mac, 'sha256');
});
