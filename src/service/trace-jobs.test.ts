/**
 * Trace jobs (issue 20, finding 8), on SQLite and PostgreSQL: an upload is stored and traced on a
 * worker thread, its report the one an in-process trace gives; a job that fails — an unreadable
 * file, a worker out of its heap — is failed with a coded error and a ledger entry, the server's
 * process untouched; a job whose process stopped is failed by the next; only investigators submit,
 * and no one else's upload is read; the number of jobs is bounded; progress names no value.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { STORAGE_MATRIX } from '../../test/helpers/suites.ts';
import { serviceVault, type ServiceVault } from '../../test/helpers/service-vault.ts';
import { zipWith } from '../../test/helpers/zip.ts';
import { TraceJobRepo } from '../store/repos/traces.ts';
import { readLeakBytes } from '../trace/leak-file.ts';
import type { TraceReport } from '../trace/report.ts';
import { ServiceKeys } from './keys.ts';
import { Traces, type TraceJobView } from './traces.ts';
import type { TraceJobOptions, UploadHow } from './trace-jobs.ts';

const COLUMNS = ['motherName', 'motherPhone', 'motherResidentId', 'birthTime', 'babyName'];

const body = (text: string | Buffer) => Readable.from([Buffer.from(text)]);

/** Polls a job until it ends (jobs here are small: seconds at most). */
async function ended(traces: Traces, sv: ServiceVault, id: string): Promise<TraceJobView> {
  for (let i = 0; i < 600; i++) {
    await traces.jobs.wait(id, 100);
    const { job } = await traces.status(sv.as.investigator, id);
    if (job && (job.status === 'done' || job.status === 'failed')) return job;
  }
  throw new Error('the job did not end');
}

for (const { backend, suite, name } of STORAGE_MATRIX) {
  describe(`trace jobs on ${name}`, () => {
    let sv: ServiceVault;
    let csv = '';
    const made: Traces[] = [];
    const traces = (opts: TraceJobOptions = {}) => {
      const t = new Traces(sv.services.gate, new ServiceKeys(sv.vault.keys), opts);
      made.push(t);
      return t;
    };
    const submit = (t: Traces, text: string | Buffer, how: UploadHow = { kind: 'csv' }) =>
      t.submit(sv.as.investigator, body(text), how);

    before(async () => {
      sv = await serviceVault(backend, {}, suite.name);
      const rows = sv.inputs.slice(0, 12).map((r) => COLUMNS.map((c) => String(r[c] ?? '')).join(','));
      csv = [COLUMNS.join(','), ...rows].join('\n') + '\n';
    });
    after(async () => {
      for (const t of made) await t.close();
      await sv?.close();
    });

    test("an upload is traced on a worker thread; the job's report is the one run gives", async () => {
      const t = traces();
      const head = await sv.head();
      const queued = await submit(t, csv);
      assert.equal(queued.status, 'queued');
      assert.deepEqual(queued.progress, { phase: 'queued', rowsRead: 0, done: 0, total: 0 });
      const job = await ended(t, sv, queued.id);
      assert.equal(job.status, 'done', JSON.stringify(job));
      assert.equal(job.progress.phase, 'done');
      assert.equal(job.progress.rowsRead, 12);
      const { report } = await t.status(sv.as.investigator, queued.id);
      const fromJob = JSON.parse(report!) as TraceReport;
      assert.equal(fromJob.id, queued.id);
      assert.equal(fromJob.createdAt, queued.createdAt);
      const here = await t.run(sv.as.investigator, await readLeakBytes(Buffer.from(csv), 'csv'));
      // Made at different instants: the ids and times apart, the same report.
      const strip = ({ id: _id, createdAt: _at, beijingTime, ...rest }: TraceReport) => ({
        ...rest,
        beijingTime: { ...beijingTime, createdAt: '' },
      });
      assert.deepEqual(strip(fromJob), strip(here));
      assert.ok(fromJob.rows.linked >= 11, JSON.stringify(fromJob.rows));
      // One entry for the job's trace (as run writes it), one for the reading.
      const [done, read] = (await sv.entriesSince(head)).filter((e) => e.detail?.trace === queued.id);
      assert.deepEqual(
        [done?.action, done?.outcome, done?.principalId],
        ['trace', 'ok', sv.as.investigator.principal.id],
      );
      assert.deepEqual(done?.detail, {
        trace: queued.id,
        rows: 12,
        linked: fromJob.rows.linked,
        accused: 'none',
        keyHolder: false,
      });
      assert.deepEqual(read?.detail, { trace: queued.id, read: true });
      // The upload is gone; the report is sealed at rest.
      assert.deepEqual(readdirSync(t.jobs.dir), []);
      const stored = await sv.vault.db.get<{ report: Buffer }>('SELECT report FROM traces WHERE id = ?', [queued.id]);
      assert.ok(stored && !stored.report.toString('latin1').includes('"rows"'));
    });

    test('an unreadable upload fails its job with a coded error and an entry; the next job runs', async () => {
      const t = traces();
      const head = await sv.head();
      const notAList = await ended(t, sv, (await submit(t, '{"rows": 5}', { kind: 'request' })).id);
      assert.equal(notAList.status, 'failed');
      assert.deepEqual(notAList.error, {
        code: 'ERR_MALFORMED_FILE',
        message: 'the file is malformed',
        details: { rule: 'notAList' },
      });
      const e = (await sv.entriesSince(head)).find((x) => x.detail?.trace === notAList.id);
      assert.deepEqual(
        [e?.action, e?.outcome, e?.detail],
        ['trace', 'error', { trace: notAList.id, code: 'ERR_MALFORMED_FILE' }],
      );
      // A workbook nested beyond the XML cap (finding 1) fails in the worker, before exceljs.
      const deep = Buffer.from('<worksheet>' + '<x>'.repeat(100) + '</x>'.repeat(100) + '</worksheet>');
      const xlsx = zipWith('xl/worksheets/sheet1.xml', deep);
      const unsafe = await ended(t, sv, (await submit(t, xlsx, { kind: 'xlsx' })).id);
      assert.equal(unsafe.error?.code, 'ERR_UNSAFE_ARCHIVE');
      assert.equal(unsafe.error?.details?.rule, 'xmlDepth');
      assert.equal(unsafe.progress.phase, 'read', 'a failed job keeps the phase it failed in');
      const ok = await ended(t, sv, (await submit(t, csv)).id);
      assert.equal(ok.status, 'done');
      sv.assertNoPersonal(JSON.stringify([notAList, unsafe, ok, await sv.entriesSince(head)]));
    });

    test('a worker out of its heap fails the job (ERR_FILE_TOO_LARGE, rule memory), not the process', async () => {
      const t = traces({ heapMb: 4 });
      const job = await ended(t, sv, (await submit(t, csv)).id);
      assert.equal(job.status, 'failed');
      assert.deepEqual(job.error?.code, 'ERR_FILE_TOO_LARGE');
      assert.deepEqual(job.error?.details, { rule: 'memory', limit: 4 });
      assert.deepEqual(readdirSync(t.jobs.dir), []);
    });

    test('a job whose process stopped is failed by the next process that looks', async () => {
      const repo = new TraceJobRepo(sv.vault.db, sv.vault.tenantId);
      const old = new Date(Date.now() - 60_000).toISOString();
      const by = sv.as.investigator.principal.id;
      for (const id of ['t_gone1', 't_gone2']) await repo.insert({ id, at: old, by, owner: 'w_gone', heartbeat: old });
      await repo.insert({ id: 't_alive', at: old, by, owner: 'w_alive', heartbeat: new Date().toISOString() });
      const t = traces();
      mkdirSync(t.jobs.dir, { recursive: true });
      writeFileSync(join(t.jobs.dir, 't_gone1.leak'), 'left behind');
      const head = await sv.head();
      const gone = await t.status(sv.as.investigator, 't_gone1');
      assert.equal(gone.job?.status, 'failed');
      assert.equal(gone.job?.error?.code, 'ERR_JOB_INTERRUPTED');
      assert.ok(!existsSync(join(t.jobs.dir, 't_gone1.leak')), 'its upload is removed');
      // The sweep before the first job took the other silent one too, and left the living one alone.
      assert.equal((await repo.get('t_gone2'))?.status, 'failed');
      assert.equal((await t.status(sv.as.investigator, 't_alive')).job?.status, 'queued');
      const entries = (await sv.entriesSince(head)).filter((e) => e.outcome === 'error');
      assert.deepEqual(entries.map((e) => [e.principalId, e.detail?.code]).sort(), [
        [by, 'ERR_JOB_INTERRUPTED'],
        [by, 'ERR_JOB_INTERRUPTED'],
      ]);
    });

    test('only investigators submit, and no one else gets a byte of their upload read', async () => {
      const t = traces();
      const untouchable = {
        [Symbol.asyncIterator]() {
          throw new Error('the upload of a refused caller was read');
        },
      } as AsyncIterable<Uint8Array>;
      for (const who of ['dpo', 'clerk', 'admin'] as const) {
        const head = await sv.head();
        await sv.refused(t.submit(sv.as[who], untouchable, { kind: 'csv' }), 'ERR_FORBIDDEN');
        const e = await sv.onlyEntrySince(head);
        assert.deepEqual([e.action, e.outcome], ['trace', 'denied']);
        await sv.refused(t.status(sv.as[who], 't_gone1'), 'ERR_FORBIDDEN');
      }
      await sv.refused(t.status(sv.as.investigator, 't_nope'), 'ERR_NOT_FOUND');
    });

    test('jobs beyond the limit are refused; an upload beyond its limit too; closing interrupts', async () => {
      const t = traces({ maxJobs: 1, uploadLimit: 4096 });
      const first = await submit(t, csv);
      await sv.refused(submit(t, csv), 'ERR_RATE_LIMITED');
      await t.close();
      const after = await t.status(sv.as.investigator, first.id);
      assert.equal(after.job?.error?.code, 'ERR_JOB_INTERRUPTED');
      const small = traces({ uploadLimit: 100 });
      await sv.refused(submit(small, csv), 'ERR_PAYLOAD_TOO_LARGE');
      await sv.refused(
        small.submit(sv.as.investigator, body(csv), { kind: 'csv', declaredBytes: 101 }),
        'ERR_PAYLOAD_TOO_LARGE',
      );
      assert.deepEqual(readdirSync(small.jobs.dir), [], 'nothing of a refused upload is kept');
    });
  });
}
