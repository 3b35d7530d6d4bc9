import { resolve } from 'node:path';
import { Checkpointer } from '../../ledger/checkpointer.ts';
import { ensureLedgerKey, loadLedgerSigner } from '../../ledger/log-key.ts';
import { Ledger } from '../../ledger/log.ts';
import { loadWitnesses } from '../../ledger/witness-client.ts';
import { checkRollback, describeRollback } from '../../ledger/rollback.ts';
import { TracevaultError } from '../../errors.ts';
import { buildServer } from '../../server/app.ts';
import type { MessageGateway } from '../../service/portal/message-gateway.ts';
import { OutboxGateway } from '../../service/portal/outbox-gateway.ts';
import { WebhookGateway } from '../../service/portal/webhook-gateway.ts';
import { Services } from '../../service/services.ts';
import { openVault } from '../../store/vault.ts';
import { PgCoordination } from '../../store/dialect/pg-coordination.ts';
import { takeServeLock } from '../../store/dialect/serve-lock.ts';
import { err, logLines, out } from '../output.ts';

export interface ServeOptions {
  readonly data: string;
  readonly port: number;
  readonly host: string;
  readonly quiet?: boolean;
  /** Canaries in export files as a share of their rows (access/access.ts, disclose/canary.ts). */
  readonly canaryDensity?: number;
  /** The parents' portal's messages (one-time codes) are POSTed to this SMS provider's webhook. */
  readonly smsWebhook?: string;
  /** … or appended to this file, one JSON line each (the demo, tests). */
  readonly outbox?: string;
}

/** Where the portal's messages leave: the webhook, the outbox file, or nowhere (none is sent). */
export function messageGateway(opts: Pick<ServeOptions, 'smsWebhook' | 'outbox'>): MessageGateway | undefined {
  if (opts.smsWebhook && opts.outbox) throw new TypeError('--sms-webhook and --outbox: give one of them');
  if (opts.smsWebhook) return new WebhookGateway(opts.smsWebhook);
  if (opts.outbox) return new OutboxGateway(resolve(opts.outbox));
  return undefined;
}

/**
 * Starts the HTTP API on a vault with its background checkpointer; resolves once listening, stops on
 * SIGINT/SIGTERM. On SQLite one server only (a second is refused: ERR_VAULT_IN_USE); on PostgreSQL
 * any number, which hear each other's notices and take turns to sign checkpoints (ADR 0027).
 */
export async function serve(opts: ServeOptions): Promise<{ url: string; stop: () => Promise<void> }> {
  const dir = resolve(opts.data);
  const messages = messageGateway(opts);
  const vault = await openVault(dir);
  let lock: { release: () => void } | undefined;
  let coordination: PgCoordination | undefined;
  try {
    const database = vault.config.database;
    if (database.kind === 'sqlite') lock = takeServeLock(dir);
    else
      coordination = await PgCoordination.open({
        url: database.url ?? 'postgres://postgres@127.0.0.1:5432/test',
        schema: database.schema,
        tenantId: vault.tenantId,
      });
    ensureLedgerKey(dir);
    const ledger = new Ledger(vault.db);
    // A ledger behind what its witnesses cosigned (a rollback: ADR 0029) is not served.
    const rollback = await checkRollback(vault.db, ledger, loadWitnesses(dir));
    for (const w of rollback.unreachable) err(`witness ${w}: unreachable at start; rollback not checked with it`);
    if (rollback.rolledBack) {
      err(`ledger ROLLED BACK: ${describeRollback(rollback)}`);
      throw new TracevaultError('ERR_LEDGER_ROLLBACK');
    }
    const services = await Services.open(vault, {
      canaryDensity: opts.canaryDensity,
      ledger,
      messages,
      notices: coordination,
    });
    const checkpointer = new Checkpointer(vault.db, ledger, loadLedgerSigner(dir), {
      witnesses: loadWitnesses(dir),
      ...(coordination && {
        lease: () => coordination!.lead(),
        onLead: () => out(`checkpointer: this server (pid ${process.pid}) signs checkpoints`),
      }),
    });
    services.ledger.watch(checkpointer);
    // Request logs: one JSON line each on stderr (none when quiet: the demo, the benchmarks).
    const app = await buildServer(services, { log: opts.quiet ? undefined : logLines });
    await app.listen({ port: opts.port, host: opts.host });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : opts.port;
    const url = `http://${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${port}`;
    await checkpointer.tick();
    checkpointer.start();
    let stopping: Promise<void> | undefined;
    const stop = () =>
      (stopping ??= (async () => {
        await app.close();
        await services.portal.messages.drain();
        await checkpointer.stop();
        await checkpointer.tick().catch(() => undefined);
        await coordination?.close();
        await vault.close();
        lock?.release();
      })());
    for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => void stop().then(() => process.exit(0)));
    return { url, stop };
  } catch (e) {
    await coordination?.close();
    await vault.close();
    lock?.release();
    throw e;
  }
}

/** `tracevault serve --data DIR --port N [--host H] [--sms-webhook URL | --outbox FILE]`. */
export async function serveCommand(opts: ServeOptions): Promise<void> {
  const { url } = await serve(opts);
  out(`tracevault listening on ${url} (API docs ${url}/docs, OpenAPI ${url}/openapi.json)`);
  await new Promise(() => undefined);
}
