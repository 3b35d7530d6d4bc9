/** A worker thread of an import: seals batches of rows (seal-rows.ts) for the main thread to insert. */
import { parentPort, workerData } from 'node:worker_threads';
import { TracevaultError } from '../errors.ts';
import { tenantKeysOf, type TransferredKeys } from '../crypto/keyring.ts';
import { recordType } from '../schema/record-type.ts';
import { sealRows, type SealJob } from './seal-rows.ts';
import { pack } from './packed-batch.ts';

export interface WorkerInit extends TransferredKeys {
  readonly type: string;
  readonly actorId: string;
  readonly orgId: string | null;
}

const init = workerData as WorkerInit;
const keys = tenantKeysOf(init);
const ctx = { keys, type: recordType(init.type), actorId: init.actorId, orgId: init.orgId };

parentPort!.on('message', ({ id, job }: { id: number; job: SealJob }) => {
  try {
    const { result, bytes } = pack(sealRows(ctx, job));
    parentPort!.postMessage({ id, result, bytes }, [bytes]);
  } catch (e) {
    // Only the code crosses back: a message might quote a value.
    parentPort!.postMessage({ id, code: e instanceof TracevaultError ? e.code : 'ERR_INTERNAL' });
  }
});
