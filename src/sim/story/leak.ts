/**
 * The copy of a file that turns up for sale (seed 000: "the data was offered for 32,000 yuan from
 * hospitals where the children were vaccinated"; "over 60 percent of the data of a sampling list …
 * are accurate"). The seller relabels the columns in Chinese, drops a few, shuffles the rows, and
 * pads the list: `noise` of the rows are fabricated families or carry a slip of the keyboard in a
 * phone or a name. The rows that remain are copied cell for cell, so the marks of the disclosure they
 * came from survive (disclose/marks.ts). Pure: the same input and seed give the same copy.
 */
import { generateCity } from '../../synth/city.ts';
import { Rng } from '../../synth/random.ts';
import { snapshot } from '../../synth/snapshot.ts';

/** What the seller calls the columns (each a header the tracer knows: trace/columns.ts). */
const SELLER_HEADERS: Readonly<Record<string, string>> = {
  babyName: '宝宝姓名',
  babySex: '性别',
  birthTime: '出生时间',
  birthDate: '出生日期',
  motherName: '母亲姓名',
  motherPhone: '妈妈手机',
  fatherPhone: '父亲电话',
  hospital: '出生医院',
};

/** Columns a seller leaves out: the recipient's own flag of canary rows, ids that say where a row came from. */
const DROPPED = /^(canary|recordId|id)$/i;

export interface LeakedCopy {
  readonly header: readonly string[];
  readonly rows: readonly string[][];
  /** The rows of the file (0-based) that the copy fabricated over or altered. */
  readonly altered: ReadonlySet<number>;
}

function slip(rng: Rng, v: string): string {
  const c = [...v];
  if (c.length < 2) return v;
  const i = rng.int(0, c.length - 2);
  [c[i], c[i + 1]] = [c[i + 1]!, c[i]!];
  return c.join('') === v ? `${v}0` : c.join('');
}

export function leakedCopy(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  opts: {
    readonly seed: string;
    readonly noise: number;
    /** Rows the story needs as they were (the canary a buyer of the copy calls). */
    readonly intact?: (row: readonly string[]) => boolean;
  },
): LeakedCopy {
  const rng = new Rng(`leak\0${opts.seed}`);
  const keep = header.map((h, i) => ({ h, i })).filter(({ h }) => !DROPPED.test(h));
  const out: string[][] = [];
  const fabricated = [...generateCity({ seed: `leak-fab-${opts.seed}`, families: rows.length + 2 }).families()];
  const altered = new Set<number>();
  for (const [n, row] of rows.entries()) {
    const original = keep.map(({ i }) => row[i] ?? '');
    let cells = [...original];
    if (rng.chance(opts.noise) && !opts.intact?.(row)) {
      if (rng.chance(0.5)) {
        // A made-up family, with the rest of its row (the dose due…) taken from another row of the file.
        const f = snapshot(fabricated[n]!);
        const other = rows[rng.int(0, rows.length - 1)]!;
        cells = keep.map(({ h, i }) => {
          const born = typeof f.birthTime === 'string' ? f.birthTime.slice(0, 10) : '';
          const v = h === 'birthDate' ? born : f[h];
          return typeof v === 'string' && v !== '' ? v : (other[i] ?? '');
        });
      } else {
        const field = rng.chance(0.5) ? 'motherPhone' : 'motherName';
        const j = keep.findIndex(({ h }) => h === field);
        if (j >= 0 && cells[j]) cells[j] = slip(rng, cells[j]);
      }
      if (cells.some((c, k) => c !== original[k])) altered.add(n);
    }
    out.push(cells);
  }
  // Fisher–Yates, so the order says nothing of the file's.
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return { header: keep.map(({ h }) => SELLER_HEADERS[h] ?? h), rows: out, altered };
}
