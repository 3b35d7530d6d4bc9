/**
 * A throwaway PostgreSQL cluster of a test's own (issue 23's fault tests): `initdb` in a temporary
 * directory as the `postgres` user, served on a free port of 127.0.0.1 with trust authentication,
 * so that a test may stop, restart or starve it without touching the shared server on 5432.
 * Optionally its data directory lies on a size-limited tmpfs (a full disk).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = '/usr/lib/postgresql/15/bin';

export interface OwnPostgres {
  readonly url: string;
  readonly port: number;
  /** The cluster's data directory. */
  readonly data: string;
  start(): void;
  /** Whether its postmaster runs (a PANIC on a full disk may end it). */
  running(): boolean;
  /** A fast shutdown: sessions are ended, as an operator's restart does. */
  stop(): void;
  cleanup(): void;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

function asPostgres(args: readonly string[]): void {
  const r = spawnSync('runuser', ['-u', 'postgres', '--', ...args], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`${args[0]} failed: ${r.stderr}${r.stdout}`);
}

/** A new cluster, started. `under`: a directory (e.g. a tmpfs mount) to hold its data. */
export async function ownPostgres(opts: { under?: string; initdb?: readonly string[] } = {}): Promise<OwnPostgres> {
  const root = opts.under ?? mkdtempSync(join(tmpdir(), 'tv-own-pg-'));
  const data = join(root, 'data');
  mkdirSync(data, { recursive: true });
  chownSync(root, 101, 104);
  execFileSync('chown', ['-R', 'postgres:postgres', root]);
  asPostgres([
    `${BIN}/initdb`,
    '-D',
    data,
    '-U',
    'postgres',
    '--auth=trust',
    '-E',
    'UTF8',
    '--no-sync',
    ...(opts.initdb ?? []),
  ]);
  const port = await freePort();
  const options = `-p ${port} -k ${root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=40`;
  const log = join(root, 'postgres.log');
  const pgCtl = (...args: string[]) => asPostgres([`${BIN}/pg_ctl`, '-D', data, ...args]);
  const start = () => pgCtl('-o', options, '-l', log, '-w', 'start');
  const stop = () => pgCtl('-m', 'fast', '-w', 'stop');
  start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    data,
    start,
    stop,
    running: () => spawnSync('runuser', ['-u', 'postgres', '--', `${BIN}/pg_ctl`, '-D', data, 'status']).status === 0,
    cleanup: () => {
      try {
        stop();
      } catch {
        // Already stopped.
      }
      if (!opts.under) rmSync(root, { recursive: true, force: true });
    },
  };
}
