/**
 * Seed 000 in the demo city: the vaccination clinic's monthly due list, a standing export the DPO
 * approved once, run by the clinic's nurse; the file leaks, a relabelled and padded copy of it is
 * offered for sale, and the investigator traces the copy back to the nurse's run.
 */
import { writeFileSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { CsvParser } from '../../ingest/csv.ts';
import { localDate } from '../../schema/local-date.ts';
import { csvLine } from '../files.ts';
import { phoneDigits, type StoryFacts } from './facts.ts';
import { StoryError, type StoryApi } from './http.ts';
import { leakedCopy } from './leak.ts';

/** The share of the copy's rows that are fabricated or altered (the seed's "over 60 percent … accurate"). */
export const LEAK_NOISE = 0.4;

export interface DueListRun {
  /** The standing export and the disclosure of the run that leaked. */
  readonly standingExportId: string;
  readonly disclosureId: string;
  readonly rows: number;
  /** The families of the first hospital on the list whose rows the copy for sale holds as they were. */
  readonly families: readonly string[];
  /** What a buyer says when the canary's number rings: the canary baby's name (synthetic). */
  readonly canaryQuote?: string;
}

export interface DueListCast {
  readonly nurse: string;
  readonly dpo: string;
}

/** The rows of a CSV file (UTF-8, with or without a byte order mark). */
export function csvRows(text: string): string[][] {
  const p = new CsvParser();
  return [...p.push(text.replace(/^\uFEFF/, '')), ...p.end()].map((r) => r.fields);
}

/**
 * The nurse's standing export of the due list: asked for, approved by the DPO, run once (a
 * disclosure, fingerprinted, with canaries); the file's copy written to `leakFile`.
 */
export async function runDueList(
  api: StoryApi,
  cast: DueListCast,
  o: { contact: string; leakFile: string; seed: string; facts: StoryFacts },
): Promise<DueListRun> {
  const { standingExportId, disclosureId, csv } = await dueListFile(api, cast);
  const [header = [], ...rows] = csvRows(csv);
  const phone = header.indexOf('motherPhone');
  const name = header.indexOf('babyName');
  const isCanary = (r: readonly string[]) => phoneDigits(r[phone] ?? '') === phoneDigits(o.contact);
  const copy = leakedCopy(header, rows, { seed: o.seed, noise: LEAK_NOISE, intact: isCanary });
  const lines = [copy.header, ...copy.rows].map((r) => csvLine(r));
  writeFileSync(o.leakFile, `${lines.join('\r\n')}\r\n`, { mode: 0o600 });
  const byPhone = new Map(o.facts.families.map((f) => [phoneDigits(f.motherPhone), f.id]));
  const families: string[] = [];
  let canaryQuote: string | undefined;
  for (const [n, r] of rows.entries()) {
    const id = byPhone.get(phoneDigits(r[phone] ?? ''));
    if (id && !copy.altered.has(n)) families.push(id);
    if (isCanary(r) && !canaryQuote && r[name])
      canaryQuote = `对方问：“是${r[name]}的妈妈吗？宝宝该打下一针疫苗了，先交预约费。”`;
  }
  return { standingExportId, disclosureId, rows: rows.length, families, canaryQuote };
}

/**
 * The due list's file as the nurse downloads it (issue 22 part 1, service/due-lists.ts): a standing
 * export for the coming year asked for by the nurse, approved by the DPO, and its first run, the
 * children due in the next 30 days, as CSV.
 */
async function dueListFile(
  api: StoryApi,
  cast: DueListCast,
): Promise<{ standingExportId: string; disclosureId: string; csv: string }> {
  const today = localDate(Date.now());
  const standing = await api.call<{ id: string }>('POST', '/v1/due-list/standing-exports', {
    token: cast.nurse,
    body: {
      purpose: 'vaccination',
      format: 'csv',
      validFrom: today,
      validTo: localDate(Date.now() + 365 * 86_400_000),
      justification: '每月按接种程序通知辖区内适龄儿童家长带孩子接种。',
    },
  });
  const id = standing.json.id;
  await api.call('POST', `/v1/exports/${id}/approve`, { token: cast.dpo });
  const run = await api.call('POST', `/v1/exports/${id}/runs`, { token: cast.nurse, body: {} });
  return { standingExportId: id, disclosureId: run.headers.get('x-disclosure-id') ?? '', csv: run.text };
}

/**
 * The investigator drops the copy into a trace (a job; its progress polled) and waits for the
 * report. Returns the trace's id and the principal it accuses, if any.
 */
export async function traceLeak(
  api: StoryApi,
  investigator: string,
  leakFile: string,
  onProgress?: (done: number, total: number) => void,
): Promise<{ id: string; accused: string | null }> {
  interface Job {
    id: string;
    status: string;
    error?: { code: string };
    progress?: { done?: number; total?: number };
    accused?: { principalId: string } | null;
  }
  const started = await api.call<Job>('POST', '/v1/traces', {
    token: investigator,
    raw: { bytes: readFileSync(leakFile), type: 'text/csv' },
    headers: { prefer: 'respond-async' },
    expect: [201, 202],
  });
  let r = started;
  while (r.json?.status !== 'done') {
    if (r.json?.status === 'failed') throw new StoryError(`the trace failed (${r.json.error?.code})`);
    const p = r.json?.progress;
    if (p?.total) onProgress?.(p.done ?? 0, p.total);
    await sleep(200);
    r = await api.call('GET', `/v1/traces/${started.json.id}`, { token: investigator });
  }
  return { id: r.json.id, accused: r.json.accused?.principalId ?? null };
}
