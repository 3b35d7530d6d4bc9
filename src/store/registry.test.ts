import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { STORAGE_MATRIX } from '../../test/helpers/suites.ts';
import { initVault, openVault, readAdminToken, type Vault, type Principal } from './vault.ts';
import { BIRTH, VEHICLE, validateRecord } from '../schema/record-type.ts';
import type { FieldValue } from '../schema/field-kind.ts';
import { rotateKeys } from './key-rotation.ts';

const NOW = new Date('2026-11-23T00:00:00Z');
const input = {
  babyName: '张三之子',
  babySex: '男',
  birthTime: '2026-11-20T03:17:00+08:00',
  hospital: '济南市妇幼保健院',
  ward: '产科3病区',
  bed: '产科3病区-12床',
  motherName: '张三',
  motherPhone: '13812345678',
  motherResidentId: '11010519491231002X',
  address: '山东省济南市历下区泉城路88号3栋2单元501',
  vaccinations: [{ vaccine: 'HepB', dose: 1, date: '2026-11-20', clinic: '历下区预防接种门诊' }],
};
const values = (): ReadonlyMap<string, FieldValue> => {
  const r = validateRecord(BIRTH, input, { now: NOW });
  assert.ok(r.ok);
  return r.record.values;
};

for (const { backend, suite, name } of STORAGE_MATRIX) {
  describe(`registry on ${name}`, () => {
    let vault: Vault, admin: Principal, env: Awaited<ReturnType<typeof backend.fresh>>;
    before(async () => {
      env = await backend.fresh();
      ({ vault, admin } = await initVault(env.dir, { database: env.database, cipherSuite: suite.name }));
    });
    after(async () => {
      await vault.close();
      await env.cleanup();
    });

    test('init writes an owner-only key file and admin token; the token authenticates', async () => {
      for (const f of ['vault.key', 'admin.token']) assert.equal(statSync(join(env.dir, f)).mode & 0o077, 0, f);
      const p = await vault.authenticate(readAdminToken(env.dir));
      assert.equal(p.id, admin.id);
      await assert.rejects(vault.authenticate('tv_wrong'), { code: 'ERR_UNAUTHENTICATED' });
      await assert.rejects(initVault(env.dir, { database: env.database }), { code: 'ERR_VAULT_EXISTS' });
    });

    test('collect, read back, and a duplicate id is skipped', async () => {
      const id = vault.registry.contentId(BIRTH, values());
      assert.deepEqual(await vault.registry.collect(admin, BIRTH, { id, values: values() }), { id, created: true });
      assert.deepEqual(await vault.registry.collect(admin, BIRTH, { id, values: values() }), { id, created: false });
      const rec = await vault.registry.get(id);
      assert.equal(rec.current.get('motherPhone')!.value, '13812345678');
      assert.equal(rec.current.get('babySex')!.value, 'male');
      assert.deepEqual(rec.current.get('vaccinations')!.value, input.vaccinations);
      assert.equal(rec.current.get('motherPhone')!.recordedBy, admin.id);
    });

    test('updates are new versions with validity intervals; nothing is overwritten', async () => {
      const id = vault.registry.newRecordId();
      await vault.registry.collect(admin, BIRTH, { id, values: values(), validFrom: '2026-11-20T00:00:00.000Z' });
      assert.deepEqual(
        await vault.registry.update(
          admin,
          id,
          new Map([
            ['motherPhone', '13900001111'],
            ['babySex', 'male'],
          ]),
          { validFrom: '2027-03-01T00:00:00.000Z' },
        ),
        ['motherPhone'],
      );
      const rec = await vault.registry.get(id, { history: true });
      const phones = rec.history!.filter((v) => v.field === 'motherPhone');
      assert.deepEqual(
        phones.map((v) => [v.version, v.value, v.validFrom, v.validTo]),
        [
          [1, '13812345678', '2026-11-20T00:00:00.000Z', '2027-03-01T00:00:00.000Z'],
          [2, '13900001111', '2027-03-01T00:00:00.000Z', null],
        ],
      );
      assert.equal(rec.current.get('motherPhone')!.value, '13900001111');
      // Blind index search: the current value by default; a stale value with anyVersion.
      assert.ok((await vault.registry.search('phone', '139-0000-1111')).includes(id));
      assert.ok(!(await vault.registry.search('phone', '13812345678')).includes(id));
      assert.ok((await vault.registry.search('phone', '+86 138 1234 5678', { anyVersion: true })).includes(id));
      assert.ok((await vault.registry.search('residentId', '11010519491231002x')).includes(id));
      assert.ok((await vault.registry.search('name', '张三')).includes(id));
    });

    test('a sealed value moved to another record or relabelled as another field fails to decrypt', async () => {
      const a = vault.registry.newRecordId(),
        b = vault.registry.newRecordId();
      await vault.registry.collect(admin, BIRTH, { id: a, values: values() });
      await vault.registry.collect(admin, BIRTH, { id: b, values: values() });
      const seq = async (id: string) =>
        (await vault.db.get<{ seq: number }>('SELECT seq FROM records WHERE id = ?', [id]))!.seq;
      const sealedOf = async (id: string) =>
        (await vault.db.get<{ sealed: Buffer }>(
          'SELECT sealed FROM record_changes WHERE record_seq = ? AND change = 1',
          [await seq(id)],
        ))!.sealed;
      const put = async (id: string, sealed: Buffer) =>
        vault.db.run('UPDATE record_changes SET sealed = ? WHERE record_seq = ? AND change = 1', [
          sealed,
          await seq(id),
        ]);
      const original = await sealedOf(a),
        originalB = await sealedOf(b);
      const full = { history: true };
      // A DBA relabels the mother's phone as the father's phone (same length, only the label moves).
      await put(a, Buffer.from(original.toString('latin1').replace('motherPhone', 'fatherPhone'), 'latin1'));
      await assert.rejects(vault.registry.get(a, full), { code: 'ERR_DECRYPT' });
      // Or copies record A's sealed values into record B.
      await put(b, original);
      await assert.rejects(vault.registry.get(b, full), { code: 'ERR_DECRYPT' });
      await put(a, original);
      await put(b, originalB);
      assert.equal((await vault.registry.get(a, full)).current.get('motherPhone')!.value, '13812345678');
      // The sealed current versions (what a plain read opens) are bound the same way: moved to
      // another record, or replaced by one of the record's own changes, they fail to open.
      const currentOf = async (id: string) =>
        (await vault.db.get<{ sealed: Buffer }>('SELECT sealed FROM record_current WHERE record_seq = ?', [
          await seq(id),
        ]))!.sealed;
      const putCurrent = async (id: string, sealed: Buffer) =>
        vault.db.run('UPDATE record_current SET sealed = ? WHERE record_seq = ?', [sealed, await seq(id)]);
      const currentA = await currentOf(a),
        currentB = await currentOf(b);
      await putCurrent(b, currentA);
      await assert.rejects(vault.registry.get(b), { code: 'ERR_DECRYPT' });
      await putCurrent(b, (await sealedOf(b)).subarray(4 + (await sealedOf(b)).readUInt32BE(0)));
      await assert.rejects(vault.registry.get(b), { code: 'ERR_DECRYPT' });
      await putCurrent(b, currentB);
      assert.equal((await vault.registry.get(b)).current.get('motherPhone')!.value, '13812345678');
    });

    test(
      'a read of the current versions gives what the whole history gives, ' + 'after changes and a key rotation',
      async () => {
        const id = vault.registry.newRecordId();
        await vault.registry.collect(admin, BIRTH, { id, values: values() });
        await vault.registry.update(
          admin,
          id,
          new Map([
            ['motherPhone', '13912345678'],
            ['babyName', '李小明'],
          ]),
        );
        await vault.registry.update(admin, id, new Map([['motherPhone', '15012345678']]));
        const same = async () => {
          const quick = await vault.registry.get(id),
            full = await vault.registry.get(id, { history: true });
          assert.deepEqual([...quick.current], [...full.current]);
          return quick;
        };
        const r = await same();
        assert.equal(r.current.get('motherPhone')!.version, 3);
        assert.equal(r.current.get('babyName')!.value, '李小明');
        await rotateKeys(vault, admin);
        await same();
        // Without the sealed current versions (a record written before them) a read opens the changes.
        await vault.db.run('DELETE FROM record_current WHERE record_seq = ?', [r.seq]);
        assert.deepEqual([...(await vault.registry.get(id)).current], [...r.current]);
      },
    );

    test(
      'histories: a record re-keyed between the statement for its key and the one for its changes ' + 'is read again',
      async () => {
        const id = vault.registry.newRecordId();
        await vault.registry.collect(admin, BIRTH, { id, values: values() });
        await vault.registry.update(admin, id, new Map([['motherPhone', '13912345678']]));
        const { seq } = await vault.registry.get(id);
        let rotated = false;
        // The keys are read, then a rotation commits, then the changes are read.
        const racing = Object.create(vault.db, {
          all: {
            value: async (sql: string, params: readonly unknown[]) => {
              const rows = await vault.db.all(sql, params as never);
              if (!rotated && sql.startsWith('SELECT r.seq, r.id, k.gen')) {
                rotated = true;
                await rotateKeys(vault, admin);
              }
              return rows;
            },
          },
        }) as typeof vault.db;
        const [rec] = await vault.registry.histories([seq], racing);
        assert.ok(rotated);
        assert.deepEqual(
          rec!.history!.filter((v) => v.field === 'motherPhone').map((v) => v.value),
          ['13812345678', '13912345678'],
        );
      },
    );

    test(
      'histories of some fields read only the changes that hold them, ' + "and give those fields' whole history",
      async () => {
        const id = vault.registry.newRecordId();
        await vault.registry.collect(admin, BIRTH, { id, values: values(), validFrom: '2026-11-20T00:00:00.000Z' });
        const shot = (dose: number) => ({
          vaccine: 'HepB',
          dose,
          date: `2026-12-${10 + dose}`,
          clinic: '历下区预防接种门诊',
        });
        await vault.registry.update(admin, id, new Map([['vaccinations', [...input.vaccinations, shot(2)]]]), {
          validFrom: '2026-12-12T00:00:00.000Z',
        });
        await vault.registry.update(admin, id, new Map([['motherPhone', '13912345678']]), {
          validFrom: '2026-12-20T00:00:00.000Z',
        });
        await vault.registry.update(admin, id, new Map([['vaccinations', [...input.vaccinations, shot(2), shot(3)]]]), {
          validFrom: '2027-01-13T00:00:00.000Z',
        });
        const { seq } = await vault.registry.get(id);
        const read: unknown[][] = [];
        const counting = Object.create(vault.db, {
          all: {
            value: async (sql: string, params: readonly unknown[]) => {
              const rows = await vault.db.all(sql, params as never);
              if (sql.includes('FROM record_changes')) read.push(rows);
              return rows;
            },
          },
        }) as typeof vault.db;
        const wanted = new Set(['motherPhone', 'babyName']);
        const [some] = await vault.registry.histories([seq], counting, wanted);
        assert.equal(read.flat().length, 2, "the first change and the phone's, not the vaccinations'");
        const [all] = await vault.registry.histories([seq]);
        const of = (r: typeof all, f: string) => r!.history!.filter((v) => v.field === f);
        for (const f of wanted) assert.deepEqual(of(some, f), of(all, f));
        assert.deepEqual(
          of(some, 'motherPhone').map((v) => [v.version, v.validTo]),
          [
            [1, '2026-12-20T00:00:00.000Z'],
            [2, null],
          ],
        );
        assert.equal(of(all, 'vaccinations').length, 3);
        // Changes stored without a mask (before migration 15) are read; a key rotation fills the mask in.
        await vault.db.run('UPDATE record_changes SET fields = NULL WHERE record_seq = ?', [seq]);
        read.length = 0;
        await vault.registry.histories([seq], counting, wanted);
        assert.equal(read.flat().length, 4);
        await rotateKeys(vault, admin);
        read.length = 0;
        assert.deepEqual(
          of((await vault.registry.histories([seq], counting, wanted))[0], 'motherPhone'),
          of(some, 'motherPhone'),
        );
        assert.equal(read.flat().length, 2);
      },
    );

    test('erasure destroys the record key', async () => {
      const id = vault.registry.newRecordId();
      await vault.registry.collect(admin, VEHICLE, {
        id,
        values: new Map([
          ['ownerName', '王五'],
          ['plateNumber', '鲁A12345'],
        ]),
      });
      assert.ok((await vault.registry.search('plate', '鲁a12345')).includes(id));
      await vault.registry.erase(admin, id);
      await assert.rejects(vault.registry.get(id), { code: 'ERR_ERASED' });
      assert.deepEqual(await vault.registry.search('plate', '鲁A12345'), []);
      assert.equal(
        await vault.db.get('SELECT 1 AS x FROM record_keys k JOIN records r ON r.seq = k.record_seq WHERE r.id = ?', [
          id,
        ]),
        undefined,
      );
      await assert.rejects(vault.registry.erase(admin, id), { code: 'ERR_ERASED' });
    });

    test('every collect and change is attributed in the audit events, which hold no personal value', async () => {
      const events = await vault.db.all<{ principal_id: string; action: string; entry: string }>(
        'SELECT principal_id, action, entry FROM audit_events ORDER BY seq',
      );
      assert.ok(events.some((e) => e.action === 'collect' && e.principal_id === admin.id));
      assert.ok(events.some((e) => e.action === 'update'));
      const all = JSON.stringify(events);
      for (const v of ['13812345678', '13900001111', '11010519491231002X', '张三', '泉城路', '鲁A12345'])
        assert.ok(!all.includes(v), 'leak in audit');
      const seqs = (await vault.db.all<{ seq: number }>('SELECT seq FROM audit_events ORDER BY seq')).map((r) =>
        Number(r.seq),
      );
      assert.deepEqual(
        seqs,
        seqs.map((_, i) => i + 1),
      );
    });

    test('reopening with the wrong key-encryption key is refused', async () => {
      const env2 = { TRACEVAULT_KEK: Buffer.alloc(32, 9).toString('base64') };
      await assert.rejects(openVault(env.dir, { env: env2 }), { code: 'ERR_KEY_MISMATCH' });
      const again = await openVault(env.dir, { env: {} });
      assert.equal((await again.authenticate(readFileSync(join(env.dir, 'admin.token'), 'utf8'))).id, admin.id);
      await again.close();
    });

    test('the cipher suite is recorded twice and enforced: a vault opened with another fails closed', async () => {
      const file = join(env.dir, 'vault.json');
      const config = readFileSync(file, 'utf8');
      assert.equal(JSON.parse(config).cipherSuite, suite.name);
      const meta = async () =>
        (await vault.db.get<{ value: string }>("SELECT value FROM meta WHERE key = 'cipher_suite'"))?.value;
      assert.equal(await meta(), suite.name);
      const other = suite.name === 'aes' ? 'gm' : 'aes';
      const withSuite = (s: string | undefined) =>
        writeFileSync(file, JSON.stringify({ ...JSON.parse(config), cipherSuite: s }), { mode: 0o600 });
      try {
        // vault.json edited to the other suite, or to one that does not exist: refused before any key is used.
        for (const s of [other, 'des']) {
          withSuite(s);
          await assert.rejects(openVault(env.dir, { env: {} }), { code: 'ERR_CIPHER_SUITE' });
        }
        // No suite in vault.json reads as a vault made before the choice: aes, which the database contradicts.
        withSuite(undefined);
        if (suite.name === 'gm') await assert.rejects(openVault(env.dir, { env: {} }), { code: 'ERR_CIPHER_SUITE' });
        else {
          // A vault made before the choice existed has neither record: it opens, as aes.
          await vault.db.run("DELETE FROM meta WHERE key = 'cipher_suite'");
          await (await openVault(env.dir, { env: {} })).close();
          await vault.db.run("INSERT INTO meta (key, value) VALUES ('cipher_suite', 'aes')");
        }
        // Both records changed together still open nothing: the wrapped keys are of the first suite.
        withSuite(other);
        await vault.db.run("UPDATE meta SET value = ? WHERE key = 'cipher_suite'", [other]);
        await assert.rejects(openVault(env.dir, { env: {} }), { code: 'ERR_KEY_MISMATCH' });
      } finally {
        writeFileSync(file, config, { mode: 0o600 });
        await vault.db.run("UPDATE meta SET value = ? WHERE key = 'cipher_suite'", [suite.name]);
      }
      await (await openVault(env.dir, { env: {} })).close();
    });
  });
}
