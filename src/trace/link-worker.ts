/** The worker thread of a large trace: opens candidate histories and links rows to them (linker.ts). */
import { parentPort, workerData } from 'node:worker_threads';
import { TracevaultError } from '../errors.ts';
import { tenantKeysOf } from '../crypto/keyring.ts';
import { LinkState, unpackBuffers, type LinkJob, type LinkWorkerInit, type PackedBuffers } from './linker.ts';

const init = workerData as LinkWorkerInit;
const keys = tenantKeysOf(init);
const state = new LinkState(keys, new Set(init.fields), init.counts);

parentPort!.on('message', ({ id, job, packed }: { id: number; job: LinkJob; packed: PackedBuffers }) => {
  try {
    unpackBuffers(job.records, packed);
    parentPort!.postMessage({ id, linked: state.run(job) });
  } catch (e) {
    // Only the code crosses back: a message might quote a value.
    parentPort!.postMessage({ id, code: e instanceof TracevaultError ? e.code : 'ERR_INTERNAL' });
  }
});
