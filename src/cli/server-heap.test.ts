/** `tracevault serve` runs in a child with the server's heap flags, and never outlives its parent. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { needsServerHeap, SERVER_HEAP_FLAGS } from './server-heap.ts';

const BIN = new URL('../../bin/tracevault.js', import.meta.url).pathname;

test('only serving commands without a young-generation size of their own run again', () => {
  const argv = (...a: string[]) => ['node', BIN, ...a];
  assert.equal(needsServerHeap(argv('serve', '--data', 'v'), [], ''), true);
  assert.equal(needsServerHeap(argv('demo'), [], ''), true);
  assert.equal(needsServerHeap(argv('demo', '--no-serve'), [], ''), false);
  assert.equal(needsServerHeap(argv('serve', '--help'), [], ''), false);
  assert.equal(needsServerHeap(argv('import', 'f.csv'), [], ''), false);
  assert.equal(needsServerHeap(argv('witness', 'serve'), [], ''), false);
  assert.equal(needsServerHeap(argv('serve'), [...SERVER_HEAP_FLAGS], ''), false);
  assert.equal(needsServerHeap(argv('serve'), [], '--max-semi-space-size=64'), false);
});

/** The processes whose parent is `pid`, with their command lines. */
function children(pid: number): { pid: number; cmdline: string[] }[] {
  const out: { pid: number; cmdline: string[] }[] = [];
  for (const d of readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      const ppid = Number(readFileSync(`/proc/${d}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
      if (ppid === pid) out.push({ pid: Number(d), cmdline: readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0') });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

async function started(child: ChildProcess): Promise<string> {
  for await (const line of createInterface({ input: child.stdout! })) {
    const m = /listening on (\S+) /.exec(line);
    if (m) return m[1]!;
  }
  throw new Error('the server did not start');
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  return !alive(pid);
}

test('serve: the server is a child with the flags; SIGTERM stops both with code 0; a killed parent takes the server with it', { skip: process.platform !== 'linux' && 'reads /proc' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tv-heap-'));
  try {
    assert.equal(spawnSync(process.execPath, [BIN, 'init', '--data', dir]).status, 0);
    for (const ending of ['SIGTERM', 'SIGKILL'] as const) {
      const parent = spawn(process.execPath, [BIN, 'serve', '--data', dir, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
      const url = await started(parent);
      const [server, ...more] = children(parent.pid!);
      assert.equal(more.length, 0);
      assert.ok(server!.cmdline.includes(SERVER_HEAP_FLAGS[0]!), server!.cmdline.join(' '));
      assert.equal((await fetch(`${url}/openapi.json`)).status, 200);
      const exited = new Promise<number | null>((r) => parent.once('exit', (code) => r(code)));
      parent.kill(ending);
      const code = await exited;
      if (ending === 'SIGTERM') assert.equal(code, 0);
      assert.ok(await gone(server!.pid), `the server outlived its parent (${ending})`);
      await assert.rejects(fetch(`${url}/openapi.json`));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
