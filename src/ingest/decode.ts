/**
 * Text encodings of files people actually export: UTF-8 (with or without a byte-order mark),
 * UTF-16 with a BOM (Excel's "Unicode text"), and GBK/GB18030 (Chinese spreadsheets and Windows
 * default exports; GB18030 is a superset of GBK). Detection: a BOM wins; else valid UTF-8 in the
 * sample means UTF-8; else the sample must decode strictly as GB18030. NUL bytes mean a binary
 * file. Decoding is strict (`fatal`): an invalid byte sequence anywhere stops with ERR_ENCODING.
 */
import { TracevaultError } from '../errors.ts';

export type TextEncoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'gb18030';

export function detectEncoding(sample: Uint8Array): TextEncoding {
  if (sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf) return 'utf-8';
  if (sample[0] === 0xff && sample[1] === 0xfe) return 'utf-16le';
  if (sample[0] === 0xfe && sample[1] === 0xff) return 'utf-16be';
  if (sample.includes(0)) throw new TracevaultError('ERR_ENCODING');
  // A sample cut mid-character: drop up to 3 trailing bytes of an incomplete UTF-8 sequence.
  if (validUtf8(trimPartial(sample))) return 'utf-8';
  try {
    new TextDecoder('gb18030', { fatal: true }).decode(sample, { stream: true });
    return 'gb18030';
  } catch {
    throw new TracevaultError('ERR_ENCODING');
  }
}

function validUtf8(b: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(b);
    return true;
  } catch {
    return false;
  }
}

function trimPartial(b: Uint8Array): Uint8Array {
  for (let back = 1; back <= Math.min(3, b.length); back++) {
    const c = b[b.length - back]!;
    if ((c & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead
    if (c >= 0xc0) {
      const need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
      return need > back ? b.subarray(0, b.length - back) : b;
    }
    return b;
  }
  return b;
}

/** Decodes a byte stream to text chunks, strictly; the BOM is removed. */
export async function* decodeStream(chunks: AsyncIterable<Uint8Array>, encoding: TextEncoding): AsyncGenerator<string> {
  const d = new TextDecoder(encoding, { fatal: true });
  try {
    for await (const c of chunks) {
      const s = d.decode(c, { stream: true });
      if (s.length > 0) yield s;
    }
    const tail = d.decode();
    if (tail.length > 0) yield tail;
  } catch (e) {
    if (e instanceof TracevaultError) throw e;
    if (e instanceof TypeError) throw new TracevaultError('ERR_ENCODING', {}, { cause: e });
    throw e;
  }
}
