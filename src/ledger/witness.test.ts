import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Server, AddressInfo } from 'node:net';
import { BACKENDS } from '../../test/helpers/backends.ts';
import { initVault, type Vault, type Principal } from '../store/vault.ts';
import type { Db } from '../store/db.ts';
import { openDb } from '../store/dialect/open-db.ts';
import { loadCity } from '../sim/load.ts';
import { Ledger, receiptFor } from './log.ts';
import { parseReceipt, verifyReceipt } from './receipt.ts';
import { noteKeyFromSeed, openNote, parseSignerKey, parseVerifierKey } from './signed-note.ts';
import { cosignerKeyFromSeed, parseCosignerKey, parseCosignerVerifier } from './cosignature.ts';
import { serveWitness, Witness, WITNESS_SCHEMA } from './witness.ts';
import { cosignedCheckpoint, submitToWitnesses } from './witness-client.ts';
import { signCheckpoint } from './checkpoint.ts';
import { leafHash } from './merkle.ts';

const ORIGIN = 'tracevault.test/ledger';
const logKey = noteKeyFromSeed(ORIGIN, Buffer.alloc(32, 5));
const wKey = cosignerKeyFromSeed('witness.test/w1', Buffer.alloc(32, 6));

for (const backend of BACKENDS) {
  describe(`witness (log on ${backend.name})`, () => {
    let vault: Vault,
      admin: Principal,
      env: Awaited<ReturnType<typeof backend.fresh>>,
      wdb: Db,
      server: Server,
      url: string;
    const post = async (body: string) => {
      const r = await fetch(`${url}/add-checkpoint`, { method: 'POST', body });
      return { status: r.status, type: r.headers.get('content-type'), text: await r.text() };
    };
    before(async () => {
      env = await backend.fresh();
      ({ vault, admin } = await initVault(env.dir, { database: env.database }));
      wdb = await openDb({ kind: 'sqlite', file: `${env.dir}/witness.db` });
      await wdb.exec(WITNESS_SCHEMA);
      server = await serveWitness(
        new Witness(parseCosignerKey(wKey.signerKey), [parseVerifierKey(logKey.verifierKey)], wdb),
        0,
      );
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(async () => {
      await new Promise((r) => server.close(r));
      await wdb.close();
      await vault.close();
      await env.cleanup();
    });

    test('checkpoints are cosigned over HTTP, with consistency proofs; cosigned notes verify offline', async () => {
      const ledger = new Ledger(vault.db);
      const witnesses = [{ url, verifierKey: wKey.verifierKey }];
      await loadCity(vault, admin, { seed: 'w1', families: 20 });
      const c1 = await ledger.checkpoint(ORIGIN, parseSignerKey(logKey.signerKey));
      assert.deepEqual(await submitToWitnesses(vault.db, ledger, c1.note, witnesses), [
        { witness: 'witness.test/w1', status: 200, cosigned: true },
      ]);
      await loadCity(vault, admin, { seed: 'w2', families: 20 });
      const c2 = await ledger.checkpoint(ORIGIN, parseSignerKey(logKey.signerKey));
      assert.deepEqual(await submitToWitnesses(vault.db, ledger, c2.note, witnesses), [
        { witness: 'witness.test/w1', status: 200, cosigned: true },
      ]);
      const note = (await cosignedCheckpoint(vault.db, c2.size))!;
      const opened = openNote(note, [parseVerifierKey(logKey.verifierKey), parseCosignerVerifier(wKey.verifierKey)]);
      assert.deepEqual(
        opened.verified.map((v) => v.name),
        [ORIGIN, 'witness.test/w1'],
      );
      // A receipt for an entry verifies offline, with the witness as a quorum of one.
      const receipt = await receiptFor(vault.db, ledger, 7);
      const log = parseVerifierKey(logKey.verifierKey),
        wit = parseCosignerVerifier(wKey.verifierKey);
      const check = verifyReceipt(receipt, log, [wit], { quorum: 1 });
      assert.equal(check.valid, true);
      assert.deepEqual(check.witnesses, ['witness.test/w1']);
      assert.match(check.entry!, /^8\n/);
      assert.equal(verifyReceipt(receipt, log, [wit], { quorum: 2 }).valid, false);
      // Another entry's data in the receipt does not verify.
      const forged = receipt.replace(/^extra .*$/m, `extra ${Buffer.from('8\ndefault\nx\n{}').toString('base64')}`);
      assert.equal(verifyReceipt(forged, log, [wit]).valid, false);
      assert.deepEqual(parseReceipt(receipt).index, 7);
    });

    test(
      'a forked checkpoint is refused and named: ' + 'same size other root (409), or a proof that does not hold (422)',
      async () => {
        const state = (await wdb.get<{ size: number; root: Buffer }>(
          'SELECT size, root FROM witness_state WHERE origin = ?',
          [ORIGIN],
        ))!;
        const signer = parseSignerKey(logKey.signerKey);
        // The operator (who holds the log key) shows someone a different history of the same size.
        const fork = signCheckpoint(
          { origin: ORIGIN, size: Number(state.size), root: leafHash(Buffer.from('rewritten')) },
          signer,
        );
        const r1 = await post(`old ${state.size}\n\n${fork}`);
        assert.equal(r1.status, 409);
        assert.match(r1.text, /fork/);
        // Or a larger tree that does not extend the cosigned one.
        const bigger = signCheckpoint(
          { origin: ORIGIN, size: Number(state.size) + 10, root: leafHash(Buffer.from('other')) },
          signer,
        );
        const r2 = await post(`old ${state.size}\n${leafHash(Buffer.from('p')).toString('base64')}\n\n${bigger}`);
        assert.equal(r2.status, 422);
        // The witness's record did not move.
        assert.equal(
          Number((await wdb.get<{ size: number }>('SELECT size FROM witness_state WHERE origin = ?', [ORIGIN]))!.size),
          Number(state.size),
        );
      },
    );

    test('the documented status codes: 409 with the size, 404, 403, 400', async () => {
      const state = (await wdb.get<{ size: number }>('SELECT size FROM witness_state WHERE origin = ?', [ORIGIN]))!;
      const cp = signCheckpoint(
        { origin: ORIGIN, size: Number(state.size) + 1, root: leafHash(Buffer.from('x')) },
        parseSignerKey(logKey.signerKey),
      );
      const stale = await post(`old 1\n\n${cp}`);
      assert.deepEqual([stale.status, stale.type, stale.text], [409, 'text/x.tlog.size', `${state.size}\n`]);
      const stranger = noteKeyFromSeed('other.test/log', Buffer.alloc(32, 9));
      assert.equal(
        (
          await post(
            `old 0\n\n` +
              signCheckpoint(
                { origin: 'other.test/log', size: 1, root: leafHash(Buffer.from('y')) },
                parseSignerKey(stranger.signerKey),
              ),
          )
        ).status,
        404,
      );
      const impostor = noteKeyFromSeed(ORIGIN, Buffer.alloc(32, 10));
      assert.equal(
        (
          await post(
            `old 0\n\n` +
              signCheckpoint(
                { origin: ORIGIN, size: 1, root: leafHash(Buffer.from('y')) },
                parseSignerKey(impostor.signerKey),
              ),
          )
        ).status,
        403,
      );
      assert.equal((await post('nonsense')).status, 400);
      assert.equal((await post(`old ${Number(state.size) + 5}\n\n${cp}`)).status, 400);
      assert.equal((await fetch(`${url}/other`)).status, 404);
    });
  });
}
