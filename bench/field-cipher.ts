/**
 * Field encryption per value, against @47ng/cloak (AES-256-GCM, no associated data) on the same
 * values in the same run. Tracevault seals the values of one change in one AES-256-GCM message
 * whose associated data binds record type, record id, change, key generation and each (field,
 * version): measured as the registry stores a birth record (its ~15 values in one change), and
 * also at one value per message, the worst case. Then the swap test: a ciphertext copied from one
 * record into another — which library notices?
 */
import { randomBytes } from 'node:crypto';
import { decryptString, decryptStringSync, encryptString, encryptStringSync, generateKey, parseKey } from '@47ng/cloak';
import { openChange, sealChange, type FieldEntry } from '../src/crypto/field-cipher.ts';
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

const oursChange = await perValue(() => {
  records.forEach((entries, i) => openChange(key, place(i), sealChange(key, place(i), entries)));
});
const oursSingle = await perValue(() => {
  let i = 0;
  for (const entries of records) for (const e of entries) openChange(key, place(i), sealChange(key, place(i++), [e]));
});
const cloakKey = await parseKey(generateKey());
const cloakSync = await perValue(() => {
  for (const v of strings) decryptStringSync(encryptStringSync(v, cloakKey), cloakKey);
});
const cloakAsync = await perValue(async () => {
  for (const v of strings) await decryptString(await encryptString(v, cloakKey), cloakKey);
});

// Swap test: record A's sealed phone placed into record B.
const phoneA = [{ field: 'motherPhone', version: 1, value: Buffer.from('13812345678') }];
let oursRefuses = false;
try {
  openChange(key, place(2), sealChange(key, place(1), phoneA));
} catch {
  oursRefuses = true;
}
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
console.log(
  `tracevault, one change per record:  ${oursChange.toFixed(2)} µs per value  ` +
    `(${(best / oursChange).toFixed(1)}x faster than cloak's best)`,
);
console.log(
  `tracevault, one value per message:  ${oursSingle.toFixed(2)} µs per value  (${(best / oursSingle).toFixed(1)}x)`,
);
console.log(`@47ng/cloak sync:                   ${cloakSync.toFixed(2)} µs per value`);
console.log(`@47ng/cloak async:                  ${cloakAsync.toFixed(2)} µs per value`);
console.log(
  `swap test (record A's ciphertext in record B): ` +
    `tracevault ${oursRefuses ? 'refuses it (pass)' : 'ACCEPTS it (fail)'}; ` +
    `cloak ${cloakRefuses ? 'refuses it' : 'accepts it (fail)'}`,
);
