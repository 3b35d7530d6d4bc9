/**
 * One server for bench/read-path.ts, in a process of its own (the load generator must not share
 * its event loop): `tracevault DIR` serves the vault through the full read path; `baseline FILE`
 * is bare fastify + better-sqlite3 reading the same records in clear, answering the same JSON
 * shape. Prints its URL, then, at each line on stdin, a JSON line with its memory and the p50 / p99
 * of its own request times (from the request's arrival to its last byte written) since the last
 * line: what the server adds, apart from the load generator sharing the machine; and the CPU time
 * its process (every thread) has used so far.
 */
import http from 'node:http';
import Fastify from 'fastify';
import Database from 'better-sqlite3';
import { serve } from '../src/cli/commands/serve.ts';

const [mode, path] = process.argv.slice(2);
let times: number[] = [];
// eslint-disable-next-line @typescript-eslint/unbound-method -- called below with the server as `this`
const emit = http.Server.prototype.emit;
http.Server.prototype.emit = function (this: http.Server, event: string, ...args: unknown[]): boolean {
  if (event === 'request') {
    const t = performance.now();
    (args[1] as http.ServerResponse).once('finish', () => times.push(performance.now() - t));
  }
  return Reflect.apply(emit, this, [event, ...args]) as boolean;
} as typeof emit;
let url: string;
if (mode === 'tracevault') {
  url = (await serve({ data: path!, port: 0, host: '127.0.0.1', quiet: true })).url;
} else {
  const db = new Database(path, { readonly: true });
  const stmt = db.prepare('SELECT json FROM clear_records WHERE id = ?');
  const app = Fastify({ logger: false });
  app.get('/v1/records/:id', async (req, reply) => {
    const row = stmt.get((req.params as { id: string }).id) as { json: string } | undefined;
    if (!row) return reply.code(404).send({ code: 'ERR_NOT_FOUND' });
    const q = req.query as { purpose?: string; reveal?: string };
    const r = JSON.parse(row.json) as Record<string, unknown>;
    return { ...r, clear: q.reveal ? q.reveal.split(',') : [], purpose: q.purpose, disclosureId: 'd_baseline' };
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const a = app.server.address();
  url = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
}
process.stdout.write(`${url}\n`);
const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
process.stdin.on('data', () => {
  const m = process.memoryUsage();
  const cpu = process.cpuUsage();
  const sorted = times.sort((a, b) => a - b);
  times = [];
  const stats = {
    rss: m.rss,
    heapUsed: m.heapUsed,
    p50: quantile(sorted, 0.5),
    p99: quantile(sorted, 0.99),
    cpuMicros: cpu.user + cpu.system,
  };
  process.stdout.write(`${JSON.stringify(stats)}\n`);
});
