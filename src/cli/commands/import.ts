import { writeFileSync } from 'node:fs';
import { importFile } from '../../ingest/import.ts';
import type { SourceFormat } from '../../ingest/readers.ts';
import { withVault, type VaultOptions } from '../context.ts';
import { cellLine, json, out, progress } from '../output.ts';

export async function importCommand(
  file: string,
  opts: VaultOptions & {
    schema: string;
    format?: SourceFormat;
    skipInvalid?: boolean;
    errors?: string;
    json?: boolean;
    batchSize?: number;
    threads?: number;
  },
): Promise<void> {
  await withVault(opts, async (vault, me) => {
    const bar = progress('importing');
    const report = await importFile(vault, me, file, {
      schema: opts.schema,
      format: opts.format,
      skipInvalid: opts.skipInvalid,
      batchSize: opts.batchSize,
      threads: opts.threads,
      onProgress: (p) => bar.update(p.rows),
    });
    bar.end();
    if (opts.errors)
      writeFileSync(
        opts.errors,
        ['row,field,rule', ...report.errors.map((e) => `${e.row},${e.field},${e.rule}`)].join('\n') + '\n',
      );
    if (opts.json) return json(report);
    out(
      `import ${report.importId}: ${report.rows} rows ` +
        `(${report.format}${report.encoding ? `, ${report.encoding}` : ''}), ` +
        `${report.created} records created, ${report.duplicates} already present, ` +
        `${report.invalid} invalid skipped` +
        `${report.warnings ? `, ${report.warnings} warnings` : ''}` +
        `${report.resumedAfterRow ? `, resumed after row ${report.resumedAfterRow}` : ''}`,
    );
    for (const e of report.errors.slice(0, 20)) out(cellLine(e));
    if (report.errors.length > 20)
      out(`  … ${report.invalid} invalid rows in all${opts.errors ? '' : ' (--errors FILE writes the list)'}`);
    // Imported, but worth a look (e.g. a mobile prefix not in the table): row, field and rule, never the value.
    for (const w of report.warned.slice(0, 20)) out(cellLine(w, true));
    if (report.warnings > 20) out(`  … ${report.warnings} warnings in all (--json lists the first 1000)`);
  });
}
