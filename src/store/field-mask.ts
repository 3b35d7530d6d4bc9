/**
 * Which fields a change holds, as a 31-bit mask stored beside it in clear (`record_changes.fields`)
 * so that a reader that needs a few fields' histories (a trace compares the leak's columns) can leave
 * the other changes — a child's every vaccination — on disk. A one-hash Bloom filter of the field
 * names: a field's bit comes from its name alone, so the mask of a stored change never depends on
 * the order of a schema's fields; two fields sharing a bit only make a reader open a change it did
 * not need. It reveals nothing new: a sealed change already carries its field names in clear, as
 * associated data (crypto/field-cipher.ts).
 */
import { createHash } from 'node:crypto';

const bits = new Map<string, number>();

/** The field's bit: the first four bytes of SHA-256(name), mod 31 (a positive int in JS and SQL). */
export function fieldBit(field: string): number {
  let b = bits.get(field);
  if (b === undefined) bits.set(field, (b = 2 ** (createHash('sha256').update(field).digest().readUInt32BE(0) % 31)));
  return b;
}

export function fieldMask(fields: Iterable<string>): number {
  let m = 0;
  for (const f of fields) m |= fieldBit(f);
  return m;
}
