/**
 * All command-line output goes through here. Callers pass only safe text: counts, ids, field and
 * rule names, masked values. Progress goes to stderr, on a terminal only.
 */
import { ruleText } from '../schema/rules.ts';

export function out(line: string): void {
  process.stdout.write(`${line}\n`);
}

export function err(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** The server's request log (server/logging.ts): JSON lines, each ending in its newline, on stderr. */
export const logLines = { write: (line: string): boolean => process.stderr.write(line) };

export function json(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** A progress line on stderr, redrawn at most every 100 ms; silent when stderr is not a terminal. */
export function progress(label: string): { update: (done: number, total?: number) => void; end: () => void } {
  const tty = process.stderr.isTTY === true;
  const started = Date.now();
  let last = 0;
  const draw = (done: number, total?: number) => {
    const secs = Math.max(0.001, (Date.now() - started) / 1000);
    const rate = Math.round(done / secs).toLocaleString('en');
    if (total && total > 0) {
      const frac = Math.min(1, done / total);
      const width = 24;
      const bar = '#'.repeat(Math.round(frac * width)).padEnd(width, '.');
      process.stderr.write(
        `\r${label} [${bar}] ${(frac * 100).toFixed(0).padStart(3)}% ` +
          `${done.toLocaleString('en')}/${total.toLocaleString('en')} ${rate}/s `,
      );
    } else {
      process.stderr.write(`\r${label} ${done.toLocaleString('en')} ${rate}/s `);
    }
  };
  return {
    update(done, total) {
      if (!tty) return;
      const now = Date.now();
      if (now - last < 100 && done !== total) return;
      last = now;
      draw(done, total);
    },
    end() {
      if (tty) process.stderr.write('\n');
    },
  };
}

/** A cell's place and rule as a line, with the rule's words (schema/rules.ts): never the value. */
export function cellLine(c: { row?: number; field: string; rule: string }, warning = false): string {
  const words = ruleText(c.rule)?.en;
  return `  row ${c.row}: ${c.field}: ${c.rule}${warning ? ' (warning)' : ''}${words ? ` — ${words}` : ''}`;
}
