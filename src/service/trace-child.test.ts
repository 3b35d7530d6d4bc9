/**
 * A trace job's child process (trace-child.ts) as `npm start` runs it: `bin/tracevault.js serve`
 * (TypeScript through tsx's register API, no loader flag on the server) starts a job's process with
 * a heap cap and the loader in its own flags, nothing of the job or its keys in argv or the
 * environment, every thread of it lowered in priority (Linux); and a server killed outright (SIGKILL,
 * no chance to stop its jobs) leaves no trace process behind.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { BACKENDS } from '../../test/helpers/backends.ts';
import { initVault } from '../store/vault.ts';
import { loadCity } from '../sim/load.ts';
import { generateCity } from '../synth/city.ts';
import { snapshot } from '../synth/snapshot.ts';

const CITY = { seed: 'trace-child-test', families: 100, hospitals: 1 } as const;
const COLUMNS = ['motherName', 'motherPhone', 'motherResidentId', 'birthTime', 'babyName'] as const;
const BIN = new URL('../../bin/tracevault.js', import.meta.url).pathname;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A leak of `n` rows: the city's families again and again, later copies with other last digits. */
function leak(n: number): string {
  const fams = [...generateCity(CITY).families()].map((f) => snapshot(f));
  const out = [COLUMNS.join(',')];
  for (let i = 0; i < n; i++) {
    const cells = COLUMNS.map((c) => String(fams[i % fams.length]![c] ?? '').replaceAll(',', ' '));
    const copy = Math.floor(i / fams.length);
    if (copy > 0) cells[1] = cells[1]!.slice(0, -4) + String(copy % 10_000).padStart(4, '0');
    out.push(cells.join(','));
  }
  return out.join('\n') + '\n';
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

/** The processes whose parent is `pid` (Linux: /proc). */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]![0] !== 'Z';
  } catch {
    return false;
  }
};

/** Every thread's nice value (field 19 of /proc/PID/task/TID/stat). */
const niceOf = (pid: number) =>
  readdirSync(`/proc/${pid}/task`).map((tid) => {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
  });

describe(
  'a trace job in its own process, under bin/tracevault.js serve',
  { skip: process.platform !== 'linux' },
  () => {
    const backend = BACKENDS[0]!; // the process's life does not depend on the database
    let env: Awaited<ReturnType<typeof backend.fresh>>;
    let server: ChildProcess | undefined;
    let token = '';

    before(async () => {
      env = await backend.fresh();
      const { vault, admin } = await initVault(env.dir, { database: env.database });
      await loadCity(vault, admin, CITY);
      token = (await vault.createPrincipal(admin, { displayName: 'inv', roles: ['investigator'] })).token;
      await vault.close();
    });
    after(async () => {
      if (server?.pid && alive(server.pid)) server.kill('SIGKILL');
      await env?.cleanup();
    });

    test('the job runs in a niced child with a capped heap; killing the server takes it down', async () => {
      const port = await freePort();
      server = spawn(process.execPath, [BIN, 'serve', '--data', env.dir, '--port', String(port)], {
        stdio: ['ignore', 'pipe', 'ignore'], // its request log: not wanted here
        // A token in the server's environment (as the CLI reads one) is not handed on to the job.
        env: { ...process.env, NODE_OPTIONS: '', TRACEVAULT_TOKEN: token },
      });
      let out = '';
      server.stdout!.setEncoding('utf8').on('data', (s: string) => (out += s));
      for (let i = 0; i < 300 && !out.includes('listening'); i++) await sleep(100);
      assert.match(out, /listening/);
      const base = `http://127.0.0.1:${port}`;
      const res = await fetch(`${base}/v1/traces`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv', prefer: 'respond-async' },
        body: leak(150_000),
      });
      assert.equal(res.status, 202);
      const { id } = (await res.json()) as { id: string };

      // The job's process: found among the server's children while its job runs.
      let child: number | undefined;
      for (let i = 0; i < 300 && child === undefined; i++) {
        child = childrenOf(server.pid!).find((p) => readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('trace-child'));
        if (child === undefined) await sleep(50);
      }
      assert.ok(child, 'a trace-child process was started');
      const argv = readFileSync(`/proc/${child}/cmdline`, 'utf8').split('\0').filter(Boolean);
      assert.equal(argv.length, 5, argv.join(' ')); // node, --import, the tsx loader, the heap cap, the entry
      assert.ok(argv.some((a) => /^--max-old-space-size=\d+$/.test(a)));
      assert.ok(!argv.join(' ').includes(id) && !argv.join(' ').includes(env.dir), 'no job, no vault in argv');
      const environ = readFileSync(`/proc/${child}/environ`, 'utf8');
      assert.ok(!environ.includes(token) && !environ.includes(id) && !environ.includes('TRACEVAULT_TOKEN'));
      // Lowered: every thread of it, once it has read its job (the first message).
      let nice: number[] = [];
      for (let i = 0; i < 100; i++) {
        const s = await (
          await fetch(`${base}/v1/traces/${id}`, { headers: { authorization: `Bearer ${token}` } })
        ).json();
        nice = niceOf(child);
        if ((s as { status: string }).status === 'running' && nice.every((n) => n === 10)) break;
        await sleep(100);
      }
      assert.ok(nice.length > 1 && nice.every((n) => n === 10), `threads' nice values ${nice.join(',')}`);

      // The server killed outright: its job's process goes too, within seconds.
      server.kill('SIGKILL');
      for (let i = 0; i < 100 && alive(child); i++) await sleep(100);
      assert.ok(!alive(child), 'the trace process outlived its server');
    });
  },
);
