/** A worker thread of an import: seals batches of rows (seal-rows.ts) for the main thread to insert. */
import { workerData } from 'node:worker_threads';
import { answerRequests } from '../worker-thread.ts';
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

answerRequests(({ job }: { job: SealJob }) => {
  const { result, bytes } = pack(sealRows(ctx, job));
  return { reply: { result, bytes }, transfer: [bytes] };
});
