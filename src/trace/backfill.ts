/**
 * Blocking keys for records sealed before the vault kept them (schema migration 9 marks such a
 * vault `trace_blocks = pending`): every record's states are replayed from its history and their
 * keys added to the blind index. Runs once, before the first trace; resumable (inserts ignore
 * what is there), reports progress.
 */
import type { Registry } from '../store/registry.ts';
import { addBlockDigests } from '../store/seal-record.ts';
import type { Param } from '../store/db.ts';

export async function backfillBlocks(
  registry: Registry,
  onProgress?: (done: number, total: number) => void,
): Promise<number> {
  const db = registry.db;
  const pending = await db.get<{ value: string }>("SELECT value FROM meta WHERE key = 'trace_blocks'");
  if (pending?.value !== 'pending') return 0;
  const total = Number(
    (await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM records WHERE tenant_id = ?', [registry.tenantId]))?.n ?? 0,
  );
  let after = 0,
    done = 0;
  for (;;) {
    const page = (
      await db.all<{ seq: number }>(
        'SELECT seq FROM records WHERE tenant_id = ? AND seq > ? AND erased_at IS NULL ORDER BY seq LIMIT 2000',
        [registry.tenantId, after],
      )
    ).map((r) => Number(r.seq));
    if (page.length === 0) break;
    const rows: Param[][] = [];
    for (const rec of await registry.histories(page)) {
      const state = new Map<string, unknown>();
      const digests: Buffer[] = [];
      const versions = [...(rec.history ?? [])].sort((a, b) => a.validFrom.localeCompare(b.validFrom));
      for (let i = 0; i < versions.length; i++) {
        state.set(versions[i]!.field, versions[i]!.value);
        if (versions[i + 1]?.validFrom !== versions[i]!.validFrom) addBlockDigests(registry.keys, state, digests);
      }
      for (const d of digests) rows.push([d, rec.seq]);
    }
    await db.transaction((tx) =>
      tx.insertMany('INSERT INTO blind_index (digest, record_seq) VALUES', rows, 'ON CONFLICT DO NOTHING'),
    );
    done += page.length;
    after = page[page.length - 1]!;
    onProgress?.(done, total);
  }
  await db.run("UPDATE meta SET value = 'done' WHERE key = 'trace_blocks'");
  return done;
}
