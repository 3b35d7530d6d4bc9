import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BACKENDS } from '../../test/helpers/backends.ts';
import { initVault, type Vault, type Principal } from '../store/vault.ts';
import { loadCity } from '../sim/load.ts';
import { tableAuditSink } from '../store/audit.ts';
import { entryLeafHash, Ledger, leafInput, receiptFor, type EntryRow } from './log.ts';
import { verifyReceipt } from './receipt.ts';
import { leafHash, rootOf, verifyConsistency, verifyInclusion } from './merkle.ts';
import { noteKeyFromSeed, parseSignerKey, parseVerifierKey } from './signed-note.ts';
import { openCheckpoint } from './checkpoint.ts';
import { verifyLedger } from './verify.ts';

const ORIGIN = 'tracevault.test/ledger';
const key = noteKeyFromSeed(ORIGIN, Buffer.alloc(32, 3));
const signer = parseSignerKey(key.signerKey),
  verifier = parseVerifierKey(key.verifierKey);

for (const backend of BACKENDS) {
  describe(`ledger on ${backend.name}`, () => {
    let vault: Vault, admin: Principal, env: Awaited<ReturnType<typeof backend.fresh>>, ledger: Ledger;
    const entries = async () => vault.db.all<EntryRow>('SELECT * FROM audit_events ORDER BY seq');
    const dba = async (sql: string, params: (string | number)[] = []) => {
      // A DBA bypasses the append-only triggers first.
      if (vault.db.dialect === 'sqlite') {
        await vault.db.exec('DROP TRIGGER IF EXISTS audit_events_no_update');
        await vault.db.exec('DROP TRIGGER IF EXISTS audit_events_no_delete');
      } else await vault.db.exec('DROP TRIGGER IF EXISTS audit_events_no_change ON audit_events');
      await vault.db.run(sql, params);
    };
    before(async () => {
      env = await backend.fresh();
      ({ vault, admin } = await initVault(env.dir, { database: env.database }));
      await loadCity(vault, admin, { seed: 'ledger', families: 60 });
      ledger = new Ledger(vault.db);
    });
    after(async () => {
      await vault.close();
      await env.cleanup();
    });

    test('integration matches a tree rebuilt from the entries; proofs from tiles verify', async () => {
      const first = await ledger.checkpoint(ORIGIN, signer, new Date('2026-11-20T00:00:00Z'));
      const rows = await entries();
      assert.equal(first.size, rows.length);
      assert.ok(rows.length > 256, 'more than one tile');
      const leaves = rows.map((r) => leafHash(leafInput(r)));
      const cp1 = openCheckpoint(first.note, verifier).checkpoint;
      assert.deepEqual(cp1.root, rootOf(leaves));
      for (const i of [0, 1, 255, 256, 257, rows.length - 1]) {
        assert.ok(
          verifyInclusion(i, cp1.size, leaves[i]!, await ledger.inclusionProof(i, cp1.size), cp1.root),
          `index ${i}`,
        );
      }
      // More entries, a second checkpoint, consistent with the first.
      await loadCity(vault, admin, { seed: 'ledger-2', families: 20 });
      const second = openCheckpoint((await ledger.checkpoint(ORIGIN, signer)).note, verifier).checkpoint;
      assert.ok(second.size > cp1.size);
      assert.ok(
        verifyConsistency(
          cp1.size,
          second.size,
          cp1.root,
          second.root,
          await ledger.consistencyProof(cp1.size, second.size),
        ),
      );
      // No new entries: the same checkpoint comes back, not a second signature.
      assert.equal((await ledger.checkpoint(ORIGIN, signer)).size, second.size);
      assert.deepEqual(await verifyLedger(vault.db, verifier), { ok: true, entries: second.size, checkpoints: 2 });
    });

    test('salted leaves: one entry, two salts, unrelated hashes; old unsalted entries verify', async () => {
      const rows = await entries();
      assert.ok(rows.every((r) => typeof r.salt === 'string' && /^[0-9a-f]{32}$/.test(r.salt)));
      assert.equal(new Set(rows.map((r) => r.salt)).size, rows.length, 'a fresh salt for every entry');
      // Two identical events appended together differ only in seq and salt; with seq made equal,
      // their leaf hashes still differ: the salt alone is enough.
      const head = rows.length;
      await vault.db.transaction(async (tx) => {
        const e = { action: 'login.failed' as const, principalId: 'unauthenticated', outcome: 'denied' as const };
        await tableAuditSink.append(tx, vault.tenantId, '2026-11-20T00:00:00.000Z', [e, e]);
      });
      const [a, b] = (await entries()).slice(head);
      assert.equal(a!.entry, b!.entry);
      assert.notDeepEqual(entryLeafHash({ ...b!, seq: a!.seq }), entryLeafHash(a!));
      // Whoever guesses an entry exactly (seq, tenant, time, JSON) cannot confirm it from the public
      // hash without its salt: neither unsalted nor under another salt does it hash to the tile's.
      const stored = await ledger.subtree(5, 6);
      assert.deepEqual(entryLeafHash(rows[5]!), stored);
      assert.notDeepEqual(entryLeafHash({ ...rows[5]!, salt: null }), stored);
      assert.notDeepEqual(entryLeafHash({ ...rows[5]!, salt: '0'.repeat(32) }), stored);
      // A row read without its salt column is refused, not hashed as an unsalted entry.
      const { salt: _dropped, ...noSalt } = rows[5]!;
      assert.throws(() => entryLeafHash(noSalt as EntryRow));
      // A receipt carries the salt in its leaf input, and verifies offline.
      const receipt = await receiptFor(vault.db, ledger, 5);
      const check = verifyReceipt(receipt, verifier);
      assert.equal(check.valid, true);
      assert.equal(check.entry, leafInput(rows[5]!).toString('utf8'));
      assert.match(check.entry, /^6\n[^\n]+\n[^\n]+\nsalt [0-9a-f]{32}\n\{/);
      // An entry appended before salts existed (salt NULL) keeps its four-line leaf and verifies.
      const last = (await entries()).at(-1)!;
      await vault.db.insertMany(
        'INSERT INTO audit_events (seq, tenant_id, at, principal_id, action, record_ref, entry, salt) VALUES',
        [
          [
            Number(last.seq) + 1,
            last.tenant_id,
            last.at,
            'system',
            'key.rotate',
            null,
            '{"action":"key.rotate"}',
            null,
          ],
        ],
      );
      const legacy = (await entries()).at(-1)!;
      assert.equal(
        leafInput(legacy).toString('utf8'),
        `${legacy.seq}\n${legacy.tenant_id}\n${legacy.at}\n{"action":"key.rotate"}`,
      );
      await ledger.integrate();
      assert.deepEqual(await ledger.subtree(Number(legacy.seq) - 1, Number(legacy.seq)), entryLeafHash(legacy));
      assert.equal((await verifyLedger(vault.db, verifier)).ok, true);
    });

    test('the database refuses UPDATE and DELETE on the log', async () => {
      await assert.rejects(vault.db.run("UPDATE audit_events SET action = 'read' WHERE seq = 1"), {
        code: 'ERR_STORAGE',
      });
      await assert.rejects(vault.db.run('DELETE FROM audit_events WHERE seq = 1'), { code: 'ERR_STORAGE' });
    });

    test(
      'tampering is detected and the first bad index named: ' + 'a changed byte, a reorder, a deletion, a truncation',
      async () => {
        const rows = await entries();
        const n = rows.length;
        // Change one byte of entry 10 (leaf index 9).
        const original = rows[9]!.entry;
        const flipped = original.slice(0, 12) + (original[12] === 'x' ? 'y' : 'x') + original.slice(13);
        assert.notEqual(flipped, original);
        await dba('UPDATE audit_events SET entry = ? WHERE seq = 10', [flipped]);
        assert.deepEqual(await verifyLedger(vault.db, verifier), {
          ok: false,
          entries: n,
          checkpoints: 2,
          firstBadIndex: 9,
          problem: 'entry changed or moved',
        });
        await dba('UPDATE audit_events SET entry = ? WHERE seq = 10', [original]);
        assert.equal((await verifyLedger(vault.db, verifier)).ok, true);
        // Reorder entries 20 and 21.
        await dba('UPDATE audit_events SET entry = ?, principal_id = ? WHERE seq = 20', [
          rows[20]!.entry,
          rows[20]!.principal_id as string,
        ]);
        await dba('UPDATE audit_events SET entry = ?, principal_id = ? WHERE seq = 21', [
          rows[19]!.entry,
          rows[19]!.principal_id as string,
        ]);
        const reordered = await verifyLedger(vault.db, verifier);
        assert.equal(reordered.ok, false);
        assert.equal(reordered.firstBadIndex, 19);
        await dba('UPDATE audit_events SET entry = ? WHERE seq = 20', [rows[19]!.entry]);
        await dba('UPDATE audit_events SET entry = ? WHERE seq = 21', [rows[20]!.entry]);
        assert.equal((await verifyLedger(vault.db, verifier)).ok, true);
        // Delete entry 100 (leaf index 99).
        await dba('DELETE FROM audit_events WHERE seq = 100');
        assert.deepEqual(await verifyLedger(vault.db, verifier), {
          ok: false,
          entries: n - 1,
          checkpoints: 2,
          firstBadIndex: 99,
          problem: 'missing entry',
        });
        // Truncate: the last 50 entries gone (the deletion above is still there, and comes first).
        await dba('DELETE FROM audit_events WHERE seq > ?', [n - 50]);
        const truncated = await verifyLedger(vault.db, verifier);
        assert.equal(truncated.firstBadIndex, 99);
        await vault.db.insertMany(
          'INSERT INTO audit_events (seq, tenant_id, at, principal_id, action, record_ref, entry, salt) VALUES',
          [
            [
              100,
              rows[99]!.tenant_id,
              rows[99]!.at,
              rows[99]!.principal_id as string,
              rows[99]!.action as string,
              (rows[99]!.record_ref as string | null) ?? null,
              rows[99]!.entry,
              rows[99]!.salt,
            ],
          ],
        );
        assert.deepEqual(await verifyLedger(vault.db, verifier), {
          ok: false,
          entries: n - 50,
          checkpoints: 2,
          firstBadIndex: n - 50,
          problem: 'log truncated',
        });
      },
    );
  });
}
