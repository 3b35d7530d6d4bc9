/**
 * Checks a ZIP archive (an XLSX workbook is one) before anything inflates it: the central directory
 * (APPNOTE.TXT §4.3.12, §4.3.16) lists every entry's compressed and uncompressed size, so a zip bomb
 * shows itself as a total or a ratio beyond the limits. ZIP64 archives are refused (no spreadsheet
 * a registry imports needs one). The reader also counts what it inflates, since sizes can lie.
 */
import { openSync, readSync, fstatSync, closeSync } from 'node:fs';
import { TracevaultError } from '../errors.ts';

export interface ZipLimits {
  readonly maxEntries: number;
  readonly maxUncompressedBytes: number;
  /** Largest uncompressed/compressed ratio of one entry. */
  readonly maxRatio: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = { maxEntries: 2000, maxUncompressedBytes: 1 << 30, maxRatio: 200 };

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
