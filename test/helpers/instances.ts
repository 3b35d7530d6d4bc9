/**
 * Real `tracevault serve` processes on one vault (issue 23): started with `node bin/tracevault.js
 * serve --port 0`, their URL read from the line they print, their output kept (the checkpointer's
 * leader announces itself), stopped with SIGKILL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

const BIN = new URL('../../bin/tracevault.js', import.meta.url).pathname;

export interface Instance {
  readonly url: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** Everything it printed on stdout so far. */
  output(): string;
  kill(): Promise<void>;
}

/** Starts one server on the vault in `dir`; resolves once it listens (rejects with its output if it exits). */
export async function startInstance(dir: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<Instance> {
  const child = spawn(
    process.execPath,
    [BIN, 'serve', '--data', dir, '--port', '0', '--host', '127.0.0.1', '--quiet'],
    {
      env: { ...process.env, ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setInterval(() => {
      const m = /listening on (http:\/\/\S+) /.exec(out);
      if (m) {
        clearInterval(timer);
        resolve(m[1]!);
      }
    }, 20);
    child.once('exit', (code) => {
      clearInterval(timer);
      reject(Object.assign(new Error(`serve exited ${code}: ${err.trim()}`), { code, stderr: err, stdout: out }));
    });
  });
  return {
    url,
    pid: child.pid!,
    child,
    output: () => out,
    kill: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    },
  };
}

export interface Answer {
  readonly status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly json: any;
}

export async function call(
  base: string,
  method: string,
  path: string,
  token?: string,
  body?: unknown,
): Promise<Answer> {
  const res = await fetch(base + path, {
    method,
    headers: {
      ...(body !== undefined && { 'content-type': 'application/json' }),
      ...(token && { authorization: `Bearer ${token}` }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as unknown) : undefined };
}
