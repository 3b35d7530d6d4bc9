/**
 * A leak as it was uploaded for a trace job, read from the file the upload was stored in: a file in
 * one of the leak formats, or the JSON of a request — the rows themselves (`{ rows: [...] }` or an
 * array), or a file inside JSON (`{ content, format, encoding: "base64" | "utf8" }`), either with
 * an optional `epsilon`. Read where the job runs (a worker thread), never on the request path.
 */
import { readFileSync } from 'node:fs';
import { TracevaultError } from '../errors.ts';
import { LEAK_FORMATS, leakFromJson, readLeakBytes, readLeakFile, type ReadLeakOptions } from './leak-file.ts';
import type { LeakFormat, LeakTable } from './leak-table.ts';

/** What an upload is: a file in a leak format, or `request` (the JSON of a request, above). */
/**
 * `table`: a table the server built itself (a complaint set of reported calls, as JSON), traced as a
 * job like any upload; never a kind a client names (the route maps content types to the others).
 */
export type UploadKind = LeakFormat | 'request' | 'table';

export const UPLOAD_KINDS: readonly UploadKind[] = [...LEAK_FORMATS, 'request'];

export async function readLeakUpload(
  path: string,
  kind: UploadKind,
  opts: ReadLeakOptions = {},
): Promise<{ table: LeakTable; epsilon?: number }> {
  if (kind === 'table') return { table: JSON.parse(readFileSync(path, 'utf8')) as LeakTable };
  if (kind !== 'request') return { table: await readLeakFile(path, { ...opts, format: kind }) };
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8').replace(/^\uFEFF/, ''));
  } catch {
    throw new TracevaultError('ERR_MALFORMED_FILE', { rule: 'json' });
  }
  const inBody = (doc as { epsilon?: unknown } | null)?.epsilon;
  const epsilon = typeof inBody === 'number' ? inBody : undefined;
  if (!isFileInJson(doc)) return { table: leakFromJson(doc), epsilon };
  const f = (typeof doc.format === 'string' ? doc.format : opts.format) ?? 'csv';
  if (!(LEAK_FORMATS as readonly string[]).includes(f)) throw new TracevaultError('ERR_UNSUPPORTED_FORMAT');
  const bytes = Buffer.from(doc.content, doc.encoding === 'base64' ? 'base64' : 'utf8');
  doc = undefined; // the content is held once, as bytes
  return { table: await readLeakBytes(bytes, f as LeakFormat, opts), epsilon };
}

function isFileInJson(body: unknown): body is { content: string; format?: unknown; encoding?: unknown } {
  return (
    typeof body === 'object' &&
    body !== null &&
    !Array.isArray(body) &&
    typeof (body as { content?: unknown }).content === 'string'
  );
}
