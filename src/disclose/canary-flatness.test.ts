/**
 * Flatness: canaries must not be told from real rows. Classifiers are trained on what a recipient
 * sees — the exported fields of one snapshot, and the changes between two snapshots of the same
 * export — and must separate canaries from real families with an AUC of at most 0.6 on held-out
 * rows. Exports here carry no resident-id columns: canaries never carry a fabricated id, so an
 * export that includes id columns shows its canaries by their empty id cells (README, canaries).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateCity } from '../synth/city.ts';
import { snapshot } from '../synth/snapshot.ts';
import { splitAddress } from '../schema/address.ts';
import { SHANGHAI_OFFSET_MS } from '../schema/local-date.ts';
import { BIRTH, validateRecord } from '../schema/record-type.ts';
import type { FieldValue, Vaccination } from '../schema/field-kind.ts';
import { canaryPlan, growCanary, mintCanaries } from './canary.ts';
import { adaBoost, auc, logistic, split, type Sample } from '../../test/helpers/classifier.ts';

const FIELDS = BIRTH.fields.map((f) => f.name).filter((f) => !/ResidentId$/.test(f));
const DAY = 86_400_000;
const T1 = new Date('2026-09-01T00:00:00+08:00');
const T2 = new Date('2026-11-01T00:00:00+08:00');

type Row = Record<string, FieldValue>;

function realRows(at: Date): Map<number, Row> {
  const out = new Map<number, Row>();
  for (const f of generateCity({ seed: 'flatness', families: 3000, until: T2.toISOString() }).families()) {
    if (Date.parse(f.initial.at) > at.getTime()) continue;
    const v = validateRecord(BIRTH, snapshot(f, at.getTime()), { now: at });
    if (!v.ok) continue;
    out.set(
      f.index,
      Object.fromEntries(FIELDS.flatMap((k) => (v.record.values.has(k) ? [[k, v.record.values.get(k)!]] : []))),
    );
  }
  return out;
}

/** Frequency of a value among all rows (no labels): how common a surname, a prefix, a place is. */
function frequencies(rows: readonly Row[], key: (r: Row) => string): (r: Row) => number {
  const n = new Map<string, number>();
  for (const r of rows) n.set(key(r), (n.get(key(r)) ?? 0) + 1);
  return (r) => (n.get(key(r)) ?? 0) / rows.length;
}

const str = (v: FieldValue | undefined) => (typeof v === 'string' ? v : '');
const time = (v: FieldValue | undefined) => (typeof v === 'string' ? Date.parse(v) : NaN);
const shots = (r: Row) => (Array.isArray(r.vaccinations) ? (r.vaccinations as readonly Vaccination[]) : []);

/** Everything a recipient could compute from one exported row, and from the whole file around it. */
function featurise(rows: readonly Row[], at: Date): number[][] {
  const surnameF = frequencies(rows, (r) => [...str(r.motherName)][0] ?? '');
  const prefixF = frequencies(rows, (r) => str(r.motherPhone).slice(0, 3));
  const placeF = frequencies(rows, (r) => `${str(r.hospital)}|${splitAddress(str(r.address)).district ?? ''}`);
  const districtF = frequencies(rows, (r) => splitAddress(str(r.address)).district ?? '');
  const wardF = frequencies(rows, (r) => `${str(r.hospital)}|${str(r.ward)}`);
  const clinicF = frequencies(rows, (r) => shots(r).at(-1)?.clinic ?? '');
  // Neighbours: rows of the same hospital and home district born within two days.
  const cells = new Map<string, number[]>();
  for (const r of rows) {
    const k = `${str(r.hospital)}|${splitAddress(str(r.address)).district}`;
    (cells.get(k) ?? cells.set(k, []).get(k)!).push(time(r.birthTime));
  }
  return rows.map((r) => {
    const birth = time(r.birthTime);
    const local = new Date(birth + SHANGHAI_OFFSET_MS);
    const detail = splitAddress(str(r.address)).detail;
    const numbers = [...detail.matchAll(/\d+/g)].map((m) => Number(m[0]));
    const v = shots(r);
    const cell = cells.get(`${str(r.hospital)}|${splitAddress(str(r.address)).district}`) ?? [];
    return [
      local.getUTCHours(),
      local.getUTCMinutes(),
      local.getUTCDay(),
      (at.getTime() - birth) / DAY,
      /之[子女]$/.test(str(r.babyName)) ? 1 : 0,
      [...str(r.babyName)].length,
      r.babySex === 'male' ? 1 : 0,
      [...str(r.motherName)].length,
      surnameF(r),
      prefixF(r),
      r.fatherName ? 1 : 0,
      r.fatherPhone ? 1 : 0,
      r.fatherName && !/之[子女]$/.test(str(r.babyName))
        ? [...str(r.babyName)][0] === [...str(r.fatherName)][0]
          ? 1
          : 0
        : NaN,
      placeF(r),
      districtF(r),
      wardF(r),
      detail.length,
      numbers[0] ?? NaN,
      numbers.at(-1) ?? NaN,
      Number(/(\d+)床$/.exec(str(r.bed))?.[1] ?? NaN),
      r.dischargeTime ? (time(r.dischargeTime) - birth) / 3600_000 : NaN,
      r.birthCertificateNo ? str(r.birthCertificateNo).charCodeAt(0) : NaN,
      v.length,
      v.length ? (Date.parse(v.at(-1)!.date) - birth) / DAY : NaN,
      v[0]?.clinic === r.hospital ? 1 : 0,
      v.at(-1)?.clinic.startsWith(splitAddress(str(r.address)).district ?? '\u0000') ? 1 : 0,
      clinicF(r),
      cell.filter((t) => Math.abs(t - birth) < 2 * DAY).length,
    ];
  });
}

/** What changed between two snapshots of the same family. */
function changes(a: Row, b: Row): number[] {
  return [
    a.babyName === b.babyName ? 0 : 1,
    a.dischargeTime ? 0 : b.dischargeTime ? 1 : 0,
    shots(b).length - shots(a).length,
    a.motherPhone === b.motherPhone ? 0 : 1,
    a.address === b.address ? 0 : 1,
    a.bed === b.bed ? 0 : 1,
    a.birthCertificateNo ? 0 : b.birthCertificateNo ? 1 : 0,
  ];
}

function heldOutAuc(samples: readonly Sample[], seed: string): { boost: number; linear: number } {
  const { train, test: held } = split(samples, 0.3, seed);
  const labels = held.map((s) => s.y);
  const boost = adaBoost(train);
  const linear = logistic(train);
  return {
    boost: auc(
      held.map((s) => boost(s.x)),
      labels,
    ),
    linear: auc(
      held.map((s) => linear(s.x)),
      labels,
    ),
  };
}

test('canaries cannot be told from real rows in one export or across two snapshots (held-out AUC at most 0.6)', () => {
  const real1 = realRows(T1);
  const real2 = realRows(T2);
  const rows1 = [...real1.values()];
  // One export's worth of canaries is a handful; mint many (as over many exports) to measure.
  const minted = mintCanaries(
    BIRTH,
    rows1,
    FIELDS,
    Buffer.from('flatness-disclosure'),
    {
      ...canaryPlan(
        0.2,
        rows1.map(() => 1),
      ),
      count: 500,
    },
    T1,
  );
  assert.ok(minted.length >= 450, `${minted.length} canaries`);

  // One snapshot: the export at T1 (real rows and canaries together, as the recipient gets them).
  const all1 = [...rows1, ...minted.map((c) => c.row)];
  const x1 = featurise(all1, T1);
  const one = heldOutAuc(
    all1.map((_, i) => ({ x: x1[i]!, y: i < rows1.length ? 0 : 1 })),
    'one',
  );

  // Two snapshots: the same export again at T2; the canaries have lived (grown again from their recipes).
  const grown = minted.map((c) => growCanary(c.recipe, FIELDS, T2)!);
  const pairs: { a: Row; b: Row; y: 0 | 1 }[] = [
    ...[...real1].map(([k, a]) => ({ a, b: real2.get(k)!, y: 0 as const })),
    ...minted.map((c, i) => ({ a: c.row, b: grown[i]!, y: 1 as const })),
  ];
  const x2 = featurise(
    pairs.map((p) => p.b),
    T2,
  );
  const two = heldOutAuc(
    pairs.map((p, i) => ({ x: [...x2[i]!, ...changes(p.a, p.b)], y: p.y })),
    'two',
  );

  const worst = Math.max(one.boost, one.linear, two.boost, two.linear);
  assert.ok(
    worst <= 0.6,
    `AUC one snapshot ${one.boost.toFixed(3)} / ${one.linear.toFixed(3)}, ` +
      `two ${two.boost.toFixed(3)} / ${two.linear.toFixed(3)}`,
  );
  // The classifiers do see a difference when there is one: canaries that are all newborns at the
  // time of the export (a generator that ignores the rows' birth dates) are found at once.
  const naive = minted
    .map((c) => growCanary({ ...c.recipe, birthsUntil: T1.toISOString() }, FIELDS, T1))
    .filter((r): r is Row => r !== undefined);
  const allN = [...rows1, ...naive];
  const xN = featurise(allN, T1);
  const control = heldOutAuc(
    allN.map((_, i) => ({ x: xN[i]!, y: i < rows1.length ? 0 : 1 })),
    'control',
  );
  assert.ok(
    Math.max(control.boost, control.linear) > 0.9,
    `control AUC ${control.boost.toFixed(3)} / ${control.linear.toFixed(3)}`,
  );
  // Reported for bench/RESULTS.md.
  process.stdout.write(
    `# flatness AUC: one snapshot boosted ${one.boost.toFixed(3)}, linear ${one.linear.toFixed(3)}; ` +
      `two snapshots boosted ${two.boost.toFixed(3)}, linear ${two.linear.toFixed(3)}\n`,
  );
});
