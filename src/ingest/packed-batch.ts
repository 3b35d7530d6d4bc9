/**
 * A sealed batch crosses from a worker to the main thread as one transferred ArrayBuffer holding
 * every binary value (wrapped keys, sealed changes and current versions, digests), each replaced
 * by its [offset, length]: no copy, and one allocation a batch instead of thousands of small
 * buffers to collect.
 */
import type { PreparedRecord } from '../store/seal-record.ts';
import type { SealedRows } from './seal-rows.ts';

type Span = readonly [number, number];

export interface PackedRows extends Omit<SealedRows, 'records'> {
  readonly records: readonly (Omit<PreparedRecord, 'key' | 'changes' | 'current' | 'digests'> & {
    readonly key: Omit<PreparedRecord['key'], 'wrapped'> & { readonly wrapped: Span };
    readonly current: Span;
    readonly changes: readonly (Omit<PreparedRecord['changes'][number], 'sealed'> & { readonly sealed: Span })[];
    readonly digests: Span;
  })[];
}

export function pack(r: SealedRows): { result: PackedRows; bytes: ArrayBuffer } {
  let size = 0;
  for (const p of r.records) {
    size += p.key.wrapped.length + p.current.length;
    for (const c of p.changes) size += c.sealed.length;
    size += p.digests.length;
  }
  const out = Buffer.from(new ArrayBuffer(size));
  let at = 0;
  const put = (b: Buffer): Span => {
    b.copy(out, at);
    at += b.length;
    return [at - b.length, b.length];
  };
  const records = r.records.map((p) => ({
    ...p,
    key: { ...p.key, wrapped: put(p.key.wrapped) },
    changes: p.changes.map((c) => ({ ...c, sealed: put(c.sealed) })),
    current: put(p.current),
    digests: put(p.digests),
  }));
  return { result: { ...r, records }, bytes: out.buffer };
}

export function unpack(r: PackedRows, bytes: ArrayBuffer): SealedRows {
  const get = ([off, len]: Span) => Buffer.from(bytes, off, len);
  const records: PreparedRecord[] = r.records.map((p) => ({
    ...p,
    key: { ...p.key, wrapped: get(p.key.wrapped) },
    changes: p.changes.map((c) => ({ ...c, sealed: get(c.sealed) })),
    current: get(p.current),
    digests: get(p.digests),
  }));
  return { ...r, records };
}
