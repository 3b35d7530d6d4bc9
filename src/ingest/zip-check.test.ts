/**
 * Archives whose headers lie (issue 20, finding 1): sizes are read from the central directory by
 * checkZip, then every entry is inflated once by checkInflation, counting what it really produces.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipWith, type Lies } from '../../test/helpers/zip.ts';
import { openSource } from './readers.ts';
import { checkInflation, checkZip } from './zip-check.ts';

const SHEET = 'xl/worksheets/sheet1.xml';

async function withZip<T>(content: Buffer, lies: Lies, fn: (path: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'tv-zip-'));
  try {
    const path = join(dir, 'book.xlsx');
    writeFileSync(path, zipWith(SHEET, content, lies));
    return await fn(path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('a cell that inflates to 64 MiB behind headers claiming 1,000 bytes is refused before any reader', async () => {
  const big = Buffer.alloc(64 * 1024 * 1024, 0x41);
  await withZip(big, { declared: 1000 }, async (path) => {
    // The declared sizes are small and plausible: the directory alone cannot tell.
    assert.deepEqual(checkZip(path), { entries: 1, uncompressed: 1000 });
    const before = process.memoryUsage().rss;
    await assert.rejects(checkInflation(path), { code: 'ERR_UNSAFE_ARCHIVE' });
    // Counting stops at the first bytes beyond the declaration: nothing near 64 MiB is held.
    assert.ok(process.memoryUsage().rss - before < 48 * 1024 * 1024);
    const source = openSource(path, { format: 'xlsx' });
    await assert.rejects(
      (async () => {
        for await (const _ of source.rows()) break;
      })(),
      { code: 'ERR_UNSAFE_ARCHIVE' },
    );
  });
});

test('an honest archive passes; headers that disagree or a cut stream are refused', async () => {
  const xml = Buffer.from('<worksheet>' + 'x'.repeat(5000) + '</worksheet>');
  await withZip(xml, {}, (path) => checkInflation(path));
  await withZip(xml, { localDeclared: 10 }, (path) =>
    assert.rejects(checkInflation(path), { code: 'ERR_UNSAFE_ARCHIVE', details: { rule: 'headersDisagree' } }),
  );
  await withZip(xml, { declared: 6000 }, (path) =>
    assert.rejects(checkInflation(path), { code: 'ERR_UNSAFE_ARCHIVE', details: { rule: 'sizeMismatch' } }),
  );
  await withZip(xml, { compressedDeclared: 8 }, (path) =>
    assert.rejects(checkInflation(path), { code: 'ERR_MALFORMED_FILE' }),
  );
});
