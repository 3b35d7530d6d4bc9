/**
 * Checks a ZIP archive (an XLSX workbook is one) before anything inflates it: the central directory
 * (APPNOTE.TXT §4.3.12, §4.3.16) lists every entry's compressed and uncompressed size, so a zip bomb
 * shows itself as a total or a ratio beyond the limits. ZIP64 archives are refused (no spreadsheet
 * a registry imports needs one). Sizes can lie, so `checkInflation` then inflates every entry once,
 * counting what it really produces, before any spreadsheet reader sees the file.
 */
import { closeSync, createReadStream, fstatSync, openSync, readSync } from 'node:fs';
import { createInflateRaw } from 'node:zlib';
import { TracevaultError } from '../errors.ts';
import { DEFAULT_XML_LIMITS, isXmlPart, XmlShapeCheck, type XmlLimits } from './xml-check.ts';

export interface ZipLimits {
  readonly maxEntries: number;
  readonly maxUncompressedBytes: number;
  /** Largest uncompressed/compressed ratio of one entry. */
  readonly maxRatio: number;
  /** The shape of the XML parts, checked as they inflate (xml-check.ts). */
  readonly xml?: XmlLimits;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxEntries: 2000,
  maxUncompressedBytes: 1 << 30,
  maxRatio: 200,
  xml: DEFAULT_XML_LIMITS,
};

const EOCD_SIG = 0x06054b50;
const CDH_SIG = 0x02014b50;

export function checkZip(
  path: string,
  limits: ZipLimits = DEFAULT_ZIP_LIMITS,
): { entries: number; uncompressed: number } {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    // The end-of-central-directory record is in the last 22 + 65,535 (comment) bytes.
    const tailLen = Math.min(size, 22 + 65535);
    const tail = Buffer.alloc(tailLen);
    readSync(fd, tail, 0, tailLen, size - tailLen);
    let eocd = -1;
    for (let i = tailLen - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === EOCD_SIG) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) throw new TracevaultError('ERR_MALFORMED_FILE');
    const entries = tail.readUInt16LE(eocd + 10);
    const cdSize = tail.readUInt32LE(eocd + 12);
    const cdOffset = tail.readUInt32LE(eocd + 16);
    if (entries === 0xffff || cdOffset === 0xffffffff) throw new TracevaultError('ERR_UNSAFE_ARCHIVE');
    if (entries > limits.maxEntries) throw new TracevaultError('ERR_UNSAFE_ARCHIVE', { limit: limits.maxEntries });
    if (cdOffset + cdSize > size) throw new TracevaultError('ERR_MALFORMED_FILE');
    const cd = Buffer.alloc(cdSize);
    readSync(fd, cd, 0, cdSize, cdOffset);
    let p = 0,
      total = 0;
    for (let n = 0; n < entries; n++) {
      if (p + 46 > cd.length || cd.readUInt32LE(p) !== CDH_SIG) throw new TracevaultError('ERR_MALFORMED_FILE');
      const compressed = cd.readUInt32LE(p + 20);
      const uncompressed = cd.readUInt32LE(p + 24);
      if (compressed === 0xffffffff || uncompressed === 0xffffffff) throw new TracevaultError('ERR_UNSAFE_ARCHIVE');
      total += uncompressed;
      if (uncompressed > 1024 * 1024 && uncompressed / Math.max(1, compressed) > limits.maxRatio) {
        throw new TracevaultError('ERR_UNSAFE_ARCHIVE', { limit: limits.maxRatio });
      }
      p += 46 + cd.readUInt16LE(p + 28) + cd.readUInt16LE(p + 30) + cd.readUInt16LE(p + 32);
    }
    if (total > limits.maxUncompressedBytes)
      throw new TracevaultError('ERR_UNSAFE_ARCHIVE', { limit: limits.maxUncompressedBytes });
    return { entries, uncompressed: total };
  } finally {
    closeSync(fd);
  }
}

const LOCAL_SIG = 0x04034b50;
/** General-purpose flag bit 3 (APPNOTE.TXT §4.4.4): sizes are in a data descriptor after the data. */
const DATA_DESCRIPTOR = 0x0008;

interface CentralEntry {
  readonly name: string;
  readonly method: number;
  readonly compressed: number;
  readonly uncompressed: number;
  readonly localOffset: number;
}

function centralEntries(fd: number): CentralEntry[] {
  const size = fstatSync(fd).size;
  const tailLen = Math.min(size, 22 + 65535);
  const tail = Buffer.alloc(tailLen);
  readSync(fd, tail, 0, tailLen, size - tailLen);
  let eocd = -1;
  for (let i = tailLen - 22; i >= 0 && eocd < 0; i--) if (tail.readUInt32LE(i) === EOCD_SIG) eocd = i;
  if (eocd < 0) throw new TracevaultError('ERR_MALFORMED_FILE');
  const entries = tail.readUInt16LE(eocd + 10);
  const cd = Buffer.alloc(tail.readUInt32LE(eocd + 12));
  readSync(fd, cd, 0, cd.length, tail.readUInt32LE(eocd + 16));
  const out: CentralEntry[] = [];
  for (let n = 0, p = 0; n < entries; n++) {
    if (p + 46 > cd.length || cd.readUInt32LE(p) !== CDH_SIG) throw new TracevaultError('ERR_MALFORMED_FILE');
    out.push({
      name: cd.toString('latin1', p + 46, p + 46 + cd.readUInt16LE(p + 28)),
      method: cd.readUInt16LE(p + 10),
      compressed: cd.readUInt32LE(p + 20),
      uncompressed: cd.readUInt32LE(p + 24),
      localOffset: cd.readUInt32LE(p + 42),
    });
    p += 46 + cd.readUInt16LE(p + 28) + cd.readUInt16LE(p + 30) + cd.readUInt16LE(p + 32);
  }
  return out;
}

/**
 * Inflates every entry once, streaming, counting the bytes it really produces: an entry that
 * inflates beyond the size both headers declare, or an archive beyond `maxUncompressedBytes` in
 * all, is refused the moment it crosses the line (ERR_UNSAFE_ARCHIVE), so a workbook whose headers
 * lie about a 300 MiB cell never reaches the spreadsheet reader. Local headers must agree with the
 * central directory (a reader that walks the local headers would otherwise see another archive),
 * and every deflate stream must end where the directory says. The XML parts pass the shape
 * check on the way (xml-check.ts: nesting depth, cell and tag sizes, no DTD). Run after `checkZip`.
 */
export async function checkInflation(path: string, limits: ZipLimits = DEFAULT_ZIP_LIMITS): Promise<void> {
  const fd = openSync(path, 'r');
  try {
    let total = 0;
    for (const e of centralEntries(fd)) {
      const local = Buffer.alloc(30);
      readSync(fd, local, 0, 30, e.localOffset);
      if (local.readUInt32LE(0) !== LOCAL_SIG) throw new TracevaultError('ERR_MALFORMED_FILE');
      const flags = local.readUInt16LE(6);
      const sizesAgree = local.readUInt32LE(18) === e.compressed && local.readUInt32LE(22) === e.uncompressed;
      if (local.readUInt16LE(8) !== e.method || (!(flags & DATA_DESCRIPTOR) && !sizesAgree)) {
        throw new TracevaultError('ERR_UNSAFE_ARCHIVE', { rule: 'headersDisagree' });
      }
      const start = e.localOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
      const xml = isXmlPart(e.name) ? new XmlShapeCheck(limits.xml ?? DEFAULT_XML_LIMITS) : undefined;
      const cap = Math.min(e.uncompressed, limits.maxUncompressedBytes - total);
      const produced = await inflatedSize(path, start, e, cap, xml);
      xml?.end();
      if (produced !== e.uncompressed) throw new TracevaultError('ERR_UNSAFE_ARCHIVE', { rule: 'sizeMismatch' });
      total += produced;
    }
  } finally {
    closeSync(fd);
  }
}

/** The bytes one entry inflates to, refusing at the first byte beyond `cap`; each chunk goes through `xml`. */
async function inflatedSize(
  path: string,
  start: number,
  e: CentralEntry,
  cap: number,
  xml?: XmlShapeCheck,
): Promise<number> {
  if (e.method === 0) {
    if (e.compressed > cap) refuse(cap);
    if (xml && e.compressed > 0)
      for await (const chunk of createReadStream(path, { start, end: start + e.compressed - 1 }))
        xml.push(chunk as Buffer);
    return e.compressed;
  }
  if (e.method !== 8) throw new TracevaultError('ERR_UNSUPPORTED_FORMAT', { rule: 'zipMethod' });
  if (e.compressed === 0) throw new TracevaultError('ERR_MALFORMED_FILE');
  const inflate = createInflateRaw();
  let produced = 0;
  const counted = new Promise<number>((resolve, reject) => {
    inflate.on('data', (chunk: Buffer) => {
      produced += chunk.length;
      try {
        if (produced > cap) refuse(cap);
        xml?.push(chunk);
      } catch (err) {
        inflate.destroy();
        reject(err instanceof TracevaultError ? err : new TracevaultError('ERR_INTERNAL', {}, { cause: err }));
      }
    });
    inflate.on('end', () => resolve(produced));
    // A deflate stream cut short (a compressed size that lies) ends in an error, as does garbage.
    inflate.on('error', () => reject(new TracevaultError('ERR_MALFORMED_FILE', { rule: 'inflate' })));
  });
  const source = createReadStream(path, { start, end: start + e.compressed - 1 });
  source.on('error', () => inflate.destroy());
  source.pipe(inflate);
  try {
    return await counted;
  } finally {
    source.destroy();
  }
}

function refuse(cap: number): never {
  throw new TracevaultError('ERR_UNSAFE_ARCHIVE', { limit: cap, rule: 'inflatesBeyondDeclared' });
}
