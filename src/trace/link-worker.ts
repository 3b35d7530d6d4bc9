/** The worker thread of a large trace: opens candidate histories and links rows to them (linker.ts). */
import { workerData } from 'node:worker_threads';
import { answerRequests } from '../worker-thread.ts';
import { tenantKeysOf } from '../crypto/keyring.ts';
import { LinkState, unpackBuffers, type LinkJob, type LinkWorkerInit, type PackedBuffers } from './linker.ts';

const init = workerData as LinkWorkerInit;
const keys = tenantKeysOf(init);
const state = new LinkState(keys, new Set(init.fields), init.counts);

answerRequests(({ job, packed }: { job: LinkJob; packed: PackedBuffers }) => {
  unpackBuffers(job.records, packed);
  return { reply: { linked: state.run(job) } };
});
