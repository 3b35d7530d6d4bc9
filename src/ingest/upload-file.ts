/**
 * A file sent in a request body, written to a new owner-only file as it arrives: never held whole
 * in memory, refused the moment it passes its limit (ERR_PAYLOAD_TOO_LARGE), and removed if it does
 * not arrive whole (a client that goes away, a limit passed, a full disk).
 */
import { createWriteStream, rmSync } from 'node:fs';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { TracevaultError } from '../errors.ts';

const DISK = new Set(['ENOSPC', 'EDQUOT', 'EACCES', 'EPERM', 'EEXIST', 'EROFS', 'EIO', 'ENOENT']);

/** Writes `body` to `path` (which must not exist), at most `limit` bytes; returns the bytes written. */
export async function saveUpload(body: Readable | AsyncIterable<Uint8Array>, path: string, limit: number) {
  let bytes = 0;
  const count = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      if (bytes > limit) done(new TracevaultError('ERR_PAYLOAD_TOO_LARGE', { limit }));
      else done(null, chunk);
    },
  });
  const out = createWriteStream(path, { flags: 'wx', mode: 0o600 });
  try {
    await pipeline(body, count, out);
  } catch (e) {
    // The file is opened asynchronously: one refused at once may only now come to exist. Removed once closed.
    if (!out.closed) await new Promise<void>((resolve) => out.once('close', () => resolve()));
    rmSync(path, { force: true });
    if (e instanceof TracevaultError) throw e;
    if (DISK.has((e as NodeJS.ErrnoException).code ?? '')) throw new TracevaultError('ERR_STORAGE', {}, { cause: e });
    // The client went away or sent a broken body: nothing to keep, nothing to say about it.
    throw new TracevaultError('ERR_BAD_REQUEST', { rule: 'uploadIncomplete' }, { cause: e });
  }
  return bytes;
}
