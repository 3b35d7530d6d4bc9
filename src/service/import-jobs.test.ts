/**
 * Import jobs as a use case (import-jobs.ts, ADR 0025): a file imported whole off the request path
 * and its job seen by its uploader only; a job whose process stopped is failed by the next look at
 * it (ERR_JOB_INTERRUPTED) with a ledger entry, never left running.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { BACKENDS } from '../../test/helpers/backends.ts';
import { serviceVault, type ServiceVault } from '../../test/helpers/service-vault.ts';
import { BIRTH } from '../schema/record-type.ts';
import { toCsv } from '../sim/files.ts';
import { generateCity } from '../synth/city.ts';
import { snapshot } from '../synth/snapshot.ts';
import { ImportJobRepo } from '../store/repos/import-jobs.ts';

const COLUMNS = BIRTH.fields.map((f) => f.name);

function csvOf(n: number, seed: string): Buffer {
  return Buffer.from(
    toCsv(
      [...generateCity({ seed, families: n }).families()].map((f) => snapshot(f)),
      COLUMNS,
    ),
  );
}

for (const backend of BACKENDS) {
  describe(`import jobs on ${backend.name}`, () => {
    let sv: ServiceVault;
    before(async () => {
      sv = await serviceVault(backend);
    });
    after(async () => {
      await sv?.close();
    });

    test('a file imported whole as a job; its job is its uploader’s only', async () => {
      const jobs = sv.services.imports;
      const job = await jobs.submit(sv.as.clerk, Readable.from([csvOf(6, 'import-jobs')]), {
        recordType: 'birth',
        format: 'csv',
      });
      assert.ok(['queued', 'running'].includes(job.status));
      await jobs.wait(job.id, 30_000);
      const done = await jobs.status(sv.as.clerk, job.id);
      assert.equal(done.status, 'done', JSON.stringify(done));
      assert.deepEqual([done.result?.created, done.progress.rowsTotal, done.progress.rowsStored], [6, 6, 6]);
      await sv.refused(jobs.status(sv.as.clinician, job.id), 'ERR_NOT_FOUND');
      await sv.refused(
        jobs.submit(sv.as.statistician, Readable.from([Buffer.from('x\n')]), { recordType: 'birth' }),
        'ERR_FORBIDDEN',
      );
    });

    test('a job whose process stopped is failed when looked at, with a ledger entry', async () => {
      const repo = new ImportJobRepo(sv.vault.db, sv.vault.tenantId);
      const old = new Date(Date.now() - 10 * 60_000).toISOString();
      await repo.insert({
        id: 'ij_orphan',
        at: old,
        by: sv.as.clerk.principal.id,
        recordType: 'birth',
        format: 'csv',
        owner: 'w_gone',
        heartbeat: old,
      });
      const head = await sv.head();
      const job = await sv.services.imports.status(sv.as.clerk, 'ij_orphan');
      assert.deepEqual([job.status, job.error?.code], ['failed', 'ERR_JOB_INTERRUPTED']);
      const e = await sv.onlyEntrySince(head);
      assert.deepEqual([e.action, e.outcome, e.detail?.job], ['import', 'error', 'ij_orphan']);
      // Looked at again: failed once, no second entry.
      assert.equal((await sv.services.imports.status(sv.as.clerk, 'ij_orphan')).status, 'failed');
      assert.equal(await sv.head(), e.seq);
    });
  });
}
