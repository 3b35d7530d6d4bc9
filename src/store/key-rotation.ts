/**
 * `keys rotate`: a new data-key version for the tenant, then, batch by batch, every record gets a
 * new record key wrapped under it and its field versions are re-encrypted with that key. Each batch
 * is one transaction, so readers (which load a record key and its versions in one statement) always
 * see a matching pair; they are never stopped. An interrupted rotation resumes where it stopped.
 * When every record is done, the old data keys are deleted.
 */
import { newDataKey } from '../crypto/keyring.ts';
import { openChange, openCurrent, sealChange, sealCurrent } from '../crypto/field-cipher.ts';
import { fieldMask } from './field-mask.ts';
import { wrappedKeyOf } from './open-record.ts';
import type { Vault } from './vault.ts';
import type { Actor } from './registry.ts';

export interface RotationReport {
  readonly toVersion: number;
  readonly records: number;
  readonly resumed: boolean;
}

export async function rotateKeys(
  vault: Vault,
  actor: Actor,
  opts: { batchSize?: number; onProgress?: (done: number, total: number) => void } = {},
): Promise<RotationReport> {
  const { db, keys, tenantId } = vault;
  const batchSize = opts.batchSize ?? 500;
  await vault.reloadKeys();
  const running = await db.get<{ to_version: number }>(
    "SELECT to_version FROM key_rotations WHERE tenant_id = ? AND status = 'running'",
    [tenantId],
  );
  let toVersion: number;
  if (running) {
    toVersion = Number(running.to_version);
  } else {
    toVersion = keys.currentVersion + 1;
    const w = newDataKey(vault.kek, tenantId, 'data', toVersion);
    await vault.registry.audited(async (tx, events) => {
      const now = vault.registry.now().toISOString();
      await tx.run(
        'INSERT INTO data_keys (tenant_id, purpose, version, kek_id, wrapped, created_at) VALUES (?, ?, ?, ?, ?, ?)',
        [tenantId, 'data', toVersion, w.kekId, w.wrapped, now],
      );
      await tx.run(
        'INSERT INTO key_rotations (tenant_id, to_version, status, records_done, started_at) ' +
          "VALUES (?, ?, 'running', 0, ?)",
        [tenantId, toVersion, now],
      );
      events.push({
        action: 'key.rotate',
        principalId: actor.id,
        outcome: 'ok',
        detail: { phase: 'start', toVersion },
      });
    });
    keys.addDataKey(vault.kek, w);
  }
  const totalRow = await db.get<{ n: number }>(
    'SELECT COUNT(*) AS n FROM record_keys k JOIN records r ON r.seq = k.record_seq ' +
      'WHERE r.tenant_id = ? AND k.dek_version < ?',
    [tenantId, toVersion],
  );
  const total = Number(totalRow?.n ?? 0);
  let done = 0;
  for (;;) {
    const n = await vault.registry.audited(async (tx) => {
      const batch = await tx.all<{
        seq: number;
        id: string;
        record_type: string;
        gen: number;
        dek_version: number;
        wrapped: Buffer;
      }>(
        `SELECT r.seq, r.id, r.record_type, k.gen, k.dek_version, k.wrapped
         FROM record_keys k JOIN records r ON r.seq = k.record_seq
         WHERE r.tenant_id = ? AND k.dek_version < ? ORDER BY k.record_seq LIMIT ?`,
        [tenantId, toVersion, batchSize],
      );
      for (const rec of batch) {
        const oldKey = keys.unwrapRecordKey(wrappedKeyOf(rec.id, rec));
        const gen = Number(rec.gen) + 1;
        const { key, wrapped } = keys.newRecordKey(rec.id, gen);
        const changes = await tx.all<{ change: number; key_gen: number; sealed: Buffer }>(
          'SELECT change, key_gen, sealed FROM record_changes WHERE record_seq = ?',
          [rec.seq],
        );
        for (const c of changes) {
          const place = { recordType: rec.record_type, recordId: rec.id, change: Number(c.change) };
          const entries = openChange(keys.suite, oldKey, { ...place, keyGen: Number(c.key_gen) }, c.sealed);
          await tx.run(
            'UPDATE record_changes SET sealed = ?, key_gen = ?, fields = ? WHERE record_seq = ? AND change = ?',
            [
              sealChange(keys.suite, key, { ...place, keyGen: gen }, entries),
              gen,
              fieldMask(entries.map((e) => e.field)),
              rec.seq,
              c.change,
            ],
          );
          for (const e of entries) e.value.fill(0);
        }
        const cur = await tx.get<{ change: number; key_gen: number; sealed: Buffer }>(
          'SELECT change, key_gen, sealed FROM record_current WHERE record_seq = ?',
          [rec.seq],
        );
        if (cur) {
          const place = { recordType: rec.record_type, recordId: rec.id, change: Number(cur.change) };
          const plain = openCurrent(keys.suite, oldKey, { ...place, keyGen: Number(cur.key_gen) }, cur.sealed);
          await tx.run('UPDATE record_current SET sealed = ?, key_gen = ? WHERE record_seq = ?', [
            sealCurrent(keys.suite, key, { ...place, keyGen: gen }, plain),
            gen,
            rec.seq,
          ]);
          plain.fill(0);
        }
        await tx.run('UPDATE record_keys SET gen = ?, dek_version = ?, wrapped = ? WHERE record_seq = ?', [
          gen,
          wrapped.dekVersion,
          wrapped.wrapped,
          rec.seq,
        ]);
        oldKey.fill(0);
        key.fill(0);
      }
      await tx.run('UPDATE key_rotations SET records_done = records_done + ? WHERE tenant_id = ? AND to_version = ?', [
        batch.length,
        tenantId,
        toVersion,
      ]);
      return batch.length;
    });
    done += n;
    opts.onProgress?.(done, total);
    if (n < batchSize) break;
  }
  await vault.registry.audited(async (tx, events) => {
    await tx.run("DELETE FROM data_keys WHERE tenant_id = ? AND purpose = 'data' AND version < ?", [
      tenantId,
      toVersion,
    ]);
    await tx.run("UPDATE key_rotations SET status = 'done', finished_at = ? WHERE tenant_id = ? AND to_version = ?", [
      vault.registry.now().toISOString(),
      tenantId,
      toVersion,
    ]);
    events.push({
      action: 'key.rotate',
      principalId: actor.id,
      outcome: 'ok',
      detail: { phase: 'done', toVersion, records: done },
    });
  });
  for (let v = 1; v < toVersion; v++) keys.dropDataKey(v);
  return { toVersion, records: done, resumed: running !== undefined };
}
