/**
 * A real vault as `tracevault serve` runs it, for the parents' portal's tests (test/portal-proof,
 * test/browser/portal): SQLite, a small synthetic city, the log's key in DIR/ledger.key and
 * DIR/ledger.pub, a witness of its own over real HTTP configured in DIR/witnesses.json, the HTTP API
 * on a free port, messages written to an outbox file, and `checkpoint()`, which signs what arrived
 * and has the witness cosign it.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Checkpointer } from '../../src/ledger/checkpointer.ts';
import { cosignerKeyFromSeed, parseCosignerKey } from '../../src/ledger/cosignature.ts';
import { ensureLedgerKey, LEDGER_FILES, loadLedgerSigner } from '../../src/ledger/log-key.ts';
import { Ledger } from '../../src/ledger/log.ts';
import { parseVerifierKey } from '../../src/ledger/signed-note.ts';
import { serveWitness, Witness, WITNESS_SCHEMA } from '../../src/ledger/witness.ts';
import { loadWitnesses, WITNESSES_FILE } from '../../src/ledger/witness-client.ts';
import { buildServer } from '../../src/server/app.ts';
import { OutboxGateway } from '../../src/service/portal/outbox-gateway.ts';
import { Services } from '../../src/service/services.ts';
import { loadCity, type LoadResult } from '../../src/sim/load.ts';
import type { Db } from '../../src/store/db.ts';
import { openDb } from '../../src/store/dialect/open-db.ts';
import { initVault, type Principal, type Vault } from '../../src/store/vault.ts';

export const WITNESS_NAME = 'witness.test/portal';

export interface WitnessedVault {
  readonly dir: string;
  readonly vault: Vault;
  readonly admin: Principal;
  readonly city: LoadResult;
  readonly services: Services;
  readonly base: string;
  /** The log's verifier key (DIR/ledger.pub) and the witness's. */
  readonly logKey: string;
  readonly witnessKey: string;
  /** Integrates, signs and has the witness cosign: the new size. */
  checkpoint(): Promise<number>;
  /** The one-time code of the last message to `phone` in the outbox. */
  otpFor(phone: string): Promise<string>;
  close(): Promise<void>;
}

export async function witnessedVault(opts: { seed: string; families: number }): Promise<WitnessedVault> {
  const dir = mkdtempSync(join(tmpdir(), 'tv-portal-'));
  const { vault, admin } = await initVault(dir);
  const city = await loadCity(vault, admin, { seed: opts.seed, families: opts.families, hospitals: 1 });
  ensureLedgerKey(dir);
  const logKey = readFileSync(join(dir, LEDGER_FILES.verifier), 'utf8').trim();
  const w = cosignerKeyFromSeed(WITNESS_NAME, Buffer.alloc(32, 9));
  const wdb: Db = await openDb({ kind: 'sqlite', file: join(dir, 'witness.db') });
  await wdb.exec(WITNESS_SCHEMA);
  const witness: Server = await serveWitness(
    new Witness(parseCosignerKey(w.signerKey), [parseVerifierKey(logKey)], wdb),
    0,
  );
  const witnessUrl = `http://127.0.0.1:${(witness.address() as AddressInfo).port}`;
  writeFileSync(join(dir, WITNESSES_FILE), JSON.stringify([{ url: witnessUrl, verifierKey: w.verifierKey }]));
  const ledger = new Ledger(vault.db);
  const outbox = join(dir, 'outbox.jsonl');
  const services = await Services.open(vault, { ledger, messages: new OutboxGateway(outbox) });
  const app: FastifyInstance = await buildServer(services);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const checkpointer = new Checkpointer(vault.db, ledger, loadLedgerSigner(dir), {
    witnesses: loadWitnesses(dir),
    intervalMs: 0,
  });
  return {
    dir,
    vault,
    admin,
    city,
    services,
    base,
    logKey,
    witnessKey: w.verifierKey,
    checkpoint: async () => (await checkpointer.tick()).size,
    async otpFor(phone) {
      await services.portal.messages.drain();
      const lines = existsSync(outbox) ? readFileSync(outbox, 'utf8').split('\n').filter(Boolean) : [];
      const last = lines.map((l) => JSON.parse(l) as { to: string; text: string }).findLast((m) => m.to === phone);
      const code = last && /(?<!\d)(\d{6})(?!\d)/.exec(last.text)?.[1];
      if (!code) throw new Error('no one-time code went to that phone');
      return code;
    },
    async close() {
      await app.close();
      await new Promise((r) => witness.close(r));
      await wdb.close();
      await vault.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
