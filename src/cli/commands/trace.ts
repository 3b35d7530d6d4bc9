import { writeFileSync } from 'node:fs';
import { Services } from '../../service/services.ts';
import { withVault, type VaultOptions } from '../context.ts';
import { CommanderError } from 'commander';
import { err, json, out, progress } from '../output.ts';
import { readLeakFile, LEAK_FORMATS, type LeakFormat } from '../../trace/leak-file.ts';
import { renderHtml, REPORT_LANGS, type ReportLang } from '../../trace/report-html.ts';
import type { TraceReport } from '../../trace/report.ts';
import { TracevaultError } from '../../errors.ts';

/**
 * `tracevault trace FILE --data DIR [--json] [--epsilon E] [--html OUT [--lang zh-CN|en]] [--format F] [--token T]`, or
 * `tracevault trace --reports FROM..TO …` (or `--reports-from F --reports-to T`): the calls guardians
 * reported in the portal in that period, traced as a complaint set.
 * With a token, the trace runs as that principal (an investigator); without one, as the holder of
 * the vault's key file (its administrator). Either way it is a ledger entry.
 */
export async function traceCommand(
  file: string | undefined,
  opts: VaultOptions & TraceFlags & { json?: boolean; epsilon?: number; html?: string; lang?: string; format?: string },
): Promise<void> {
  if (opts.format !== undefined && !(LEAK_FORMATS as readonly string[]).includes(opts.format))
    throw new TracevaultError('ERR_UNSUPPORTED_FORMAT');
  const lang = (opts.lang ?? 'zh-CN') as ReportLang;
  if (!REPORT_LANGS.includes(lang)) throw usage('--lang takes zh-CN or en');
  const period = reportPeriod(opts);
  if ((file === undefined) === (period === undefined)) throw usage('give a leaked file or --reports FROM..TO');
  const keyHolder = !opts.token && !process.env.TRACEVAULT_TOKEN;
  await withVault(opts, async (vault, me) => {
    const services = await Services.open(vault);
    const ctx = { principal: me, requestId: 'cli' };
    // The calls guardians reported (service/portal/reports.ts), as a complaint set; or the leaked file.
    const table = period
      ? await services.portal.reports.complaintSet(ctx, period, { keyHolder })
      : await readLeakFile(file!, { format: opts.format as LeakFormat | undefined });
    const bars = new Map<string, ReturnType<typeof progress>>();
    const report = await services.traces.run(
      ctx,
      table,
      {
        epsilon: opts.epsilon,
        onProgress: (stage, done, total) => {
          if (stage !== 'index' && stage !== 'link') return;
          let bar = bars.get(stage);
          if (!bar)
            bars.set(stage, (bar = progress(stage === 'index' ? 'indexing records for linkage' : 'linking rows')));
          bar.update(done, total);
          if (done >= total) bar.end();
        },
      },
      { keyHolder },
    );
    if (opts.html) writeFileSync(opts.html, renderHtml(report, lang), { mode: 0o600 });
    if (opts.json) json(report);
    else summary(report);
  });
}

function summary(r: TraceReport): void {
  out(
    `trace ${r.id}: ${r.rows.total} rows, ` +
      `${r.rows.linked} linked (${r.rows.current} current, ${r.rows.stale} stale), ` +
      `${r.rows.unlinked} unlinked, ${r.rows.canaries} canaries`,
  );
  out(
    r.accused
      ? `accused: ${r.accused.principalId} (disclosure ${r.accused.disclosureId ?? 'unknown'}), ` +
          `log10 LR ${r.accused.log10LR.toFixed(1)} >= ${r.threshold.toFixed(1)} at epsilon ${r.epsilon}`
      : `no source accused at epsilon ${r.epsilon}`,
  );
  for (const [eps, set] of Object.entries(r.confidenceSets))
    out(`confidence set at ${eps}: ${set.join(', ') || '(empty)'}`);
  out(
    `copied between ${r.window.from ?? 'unknown'} and ${r.window.to ?? 'unknown'} ` +
      `(${r.window.consistentRows}/${r.window.rows} rows agree)`,
  );
  out(`affected families: ${r.affected.total} (${r.affected.direct.length} in the leak)`);
  if (r.fragile.verdictHingesOnOneRow) out(`warning: the verdict hinges on row(s) ${r.fragile.rows.join(', ')}`);
}

interface TraceFlags {
  readonly reports?: string;
  readonly reportsFrom?: string;
  readonly reportsTo?: string;
}

/** `--reports FROM..TO`, or `--reports-from` with `--reports-to`; undefined when neither is given. */
export function reportPeriod(o: TraceFlags): { from: string; to: string } | undefined {
  if (o.reports !== undefined) {
    const m = /^(.+?)\.\.(.+)$/.exec(o.reports);
    if (!m || o.reportsFrom !== undefined || o.reportsTo !== undefined)
      throw usage('--reports takes FROM..TO (ISO 8601), alone');
    return { from: m[1]!, to: m[2]! };
  }
  if (o.reportsFrom === undefined && o.reportsTo === undefined) return undefined;
  if (o.reportsFrom === undefined || o.reportsTo === undefined)
    throw usage('--reports-from and --reports-to go together');
  return { from: o.reportsFrom, to: o.reportsTo };
}

/** A usage error (exit 2), said in one line. */
function usage(message: string): CommanderError {
  err(`error: ${message}`);
  return new CommanderError(2, 'tracevault.usage', message);
}
