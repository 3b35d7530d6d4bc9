/**
 * Field encryption per value, against @47ng/cloak (AES-256-GCM, no associated data) on the same
 * values in the same run. Tracevault seals the values of one change in one message of the vault's
 * cipher suite — AES-256-GCM (`aes`) or SM4-CTR with HMAC-SM3 (`gm`), both measured here side by
 * side — whose associated data binds record type, record id, change, key generation and each
 * (field, version): measured as the registry stores a birth record (its ~15 values in one change),
 * and also at one value per message, the worst case. Then the swap test: a ciphertext copied from
 * one record into another — which library notices?
 */
import { randomBytes } from 'node:crypto';
import { decryptString, decryptStringSync, encryptString, encryptStringSync, generateKey, parseKey } from '@47ng/cloak';
import { openChange, sealChange, type FieldEntry } from '../src/crypto/field-cipher.ts';
import { AES_SUITE, GM_SUITE, type CipherSuite } from '../src/crypto/cipher-suite.ts';
import { encodeValue } from '../src/schema/field-kind.ts';
import { BIRTH, fieldDef } from '../src/schema/record-type.ts';
import { generateCity } from '../src/synth/city.ts';
import { machine, median } from './common.ts';

const ROUNDS = 7;
const records: FieldEntry[][] = [];
for (const f of generateCity({ seed: 'cipher', families: 2000 }).families()) {
  records.push(
    Object.entries(f.initial.values).map(([field, v]) => ({
      field,
      version: 1,
      value: encodeValue(fieldDef(BIRTH, field)!.kind, v),
    })),
  );
}
const strings = records.flat().map((e) => Buffer.from(e.value).toString('utf8'));
const key = randomBytes(32);
const place = (i: number) => ({ recordType: 'birth', recordId: `r_${i}`, change: 1, keyGen: 1 });

async function perValue(fn: () => unknown): Promise<number> {
  const times: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return (median(times) * 1000) / strings.length; // µs per value
}

interface SuiteResult {
  readonly suite: CipherSuite;
  readonly change: number;
  readonly single: number;
  readonly refusesSwap: boolean;
}

async function measure(suite: CipherSuite): Promise<SuiteResult> {
  const change = await perValue(() => {
    records.forEach((entries, i) => openChange(suite, key, place(i), sealChange(suite, key, place(i), entries)));
  });
  const single = await perValue(() => {
    let i = 0;
    for (const entries of records)
      for (const e of entries) openChange(suite, key, place(i), sealChange(suite, key, place(i++), [e]));
  });
  // Swap test: record A's sealed phone placed into record B.
  const phoneA = [{ field: 'motherPhone', version: 1, value: Buffer.from('13812345678') }];
  let refusesSwap = false;
  try {
    openChange(suite, key, place(2), sealChange(suite, key, place(1), phoneA));
  } catch {
    refusesSwap = true;
  }
  return { suite, change, single, refusesSwap };
}

const ours = [await measure(AES_SUITE), await measure(GM_SUITE)];
const cloakKey = await parseKey(generateKey());
const cloakSync = await perValue(() => {
  for (const v of strings) decryptStringSync(encryptStringSync(v, cloakKey), cloakKey);
});
const cloakAsync = await perValue(async () => {
  for (const v of strings) await decryptString(await encryptString(v, cloakKey), cloakKey);
});

const cloakedA = encryptStringSync('13812345678', cloakKey);
let cloakRefuses = false;
try {
  decryptStringSync(cloakedA, cloakKey); // stored in record B's column: nothing ties it to A
} catch {
  cloakRefuses = true;
}

const best = Math.min(cloakSync, cloakAsync);
console.log(`machine: ${machine()}`);
console.log(
  `values: ${strings.length} (all fields of ${records.length} synthetic births), ` +
    `encrypt + decrypt, median of ${ROUNDS} rounds`,
);
const label = (s: CipherSuite) => (s.name === 'aes' ? 'aes (AES-256-GCM),' : 'gm (SM4-CTR + HMAC-SM3),').padEnd(26);
for (const r of ours) {
  console.log(
    `tracevault ${label(r.suite)} one change per record:  ${r.change.toFixed(2)} µs per value  ` +
      `(${(best / r.change).toFixed(1)}x faster than cloak's best)`,
  );
  console.log(
    `tracevault ${label(r.suite)} one value per message:  ${r.single.toFixed(2)} µs per value  ` +
      `(${(best / r.single).toFixed(1)}x)`,
  );
}
const [aes, gm] = ours as [SuiteResult, SuiteResult];
const ratio = (g: number, a: number) => `${(g / a).toFixed(2)}x`;
console.log(`gm / aes: ${ratio(gm.change, aes.change)} as stored, ${ratio(gm.single, aes.single)} one per message`);
console.log(`@47ng/cloak sync:                   ${cloakSync.toFixed(2)} µs per value`);
console.log(`@47ng/cloak async:                  ${cloakAsync.toFixed(2)} µs per value`);
console.log(
  `swap test (record A's ciphertext in record B): ` +
    ours
      .map((r) => `tracevault ${r.suite.name} ${r.refusesSwap ? 'refuses it (pass)' : 'ACCEPTS it (fail)'}; `)
      .join('') +
    `cloak ${cloakRefuses ? 'refuses it' : 'accepts it (fail)'}`,
);
