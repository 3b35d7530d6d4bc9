/**
 * Two small classifiers and the AUC, for the canary flatness test: AdaBoost over decision stumps
 * (Freund & Schapire 1997; catches any difference in one feature's distribution, however
 * non-linear) and logistic regression on standardised features (catches linear combinations).
 * Features are numbers; a missing value is NaN and goes to its own side of every stump.
 */
import { Rng } from '../../src/synth/random.ts';

export type Sample = { readonly x: readonly number[]; readonly y: 0 | 1 };

/** Area under the ROC curve: the chance a random positive scores above a random negative (ties count half). */
export function auc(scores: readonly number[], labels: readonly (0 | 1)[]): number {
  const idx = scores.map((_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let rankSum = 0,
    pos = 0;
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j + 1 < idx.length && scores[idx[j + 1]!] === scores[idx[i]!]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++)
      if (labels[idx[k]!] === 1) {
        rankSum += rank;
        pos++;
      }
    i = j + 1;
  }
  const neg = labels.length - pos;
  return pos === 0 || neg === 0 ? 0.5 : (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

interface Stump {
  f: number;
  t: number;
  nanLeft: boolean;
  sign: 1 | -1;
  alpha: number;
}

export function adaBoost(train: readonly Sample[], rounds = 60): (x: readonly number[]) => number {
  const n = train.length;
  const dims = train[0]!.x.length;
  const ys = train.map((s) => (s.y === 1 ? 1 : -1));
  // Candidate thresholds: 16 quantiles of each feature.
  const cuts = Array.from({ length: dims }, (_, f) => {
    const v = train
      .map((s) => s.x[f]!)
      .filter((x) => !Number.isNaN(x))
      .sort((a, b) => a - b);
    return [...new Set(Array.from({ length: 15 }, (_, q) => v[Math.floor(((q + 1) / 16) * (v.length - 1))]!))].filter(
      (x) => x !== undefined,
    );
  });
  let w = new Array<number>(n).fill(1 / n);
  const stumps: Stump[] = [];
  const side = (s: Stump, x: readonly number[]) => {
    const v = x[s.f]!;
    const left = Number.isNaN(v) ? s.nanLeft : v <= s.t;
    return left ? s.sign : -s.sign;
  };
  for (let r = 0; r < rounds; r++) {
    let best: (Stump & { err: number }) | undefined;
    for (let f = 0; f < dims; f++) {
      for (const t of cuts[f]!) {
        for (const nanLeft of [true, false]) {
          let errPlus = 0;
          for (let i = 0; i < n; i++) {
            const v = train[i]!.x[f]!;
            const left = Number.isNaN(v) ? nanLeft : v <= t;
            if ((left ? 1 : -1) !== ys[i]) errPlus += w[i]!;
          }
          for (const [sign, err] of [
            [1, errPlus],
            [-1, 1 - errPlus],
          ] as const) {
            if (!best || err < best.err) best = { f, t, nanLeft, sign, alpha: 0, err };
          }
        }
      }
    }
    if (!best) break;
    const err = Math.min(Math.max(best.err, 1e-10), 1 - 1e-10);
    best.alpha = 0.5 * Math.log((1 - err) / err);
    stumps.push(best);
    w = w.map((wi, i) => wi * Math.exp(-best.alpha * ys[i]! * side(best, train[i]!.x)));
    const z = w.reduce((a, b) => a + b, 0);
    w = w.map((wi) => wi / z);
  }
  return (x) => stumps.reduce((a, s) => a + s.alpha * side(s, x), 0);
}

export function logistic(train: readonly Sample[], epochs = 300, rate = 0.1): (x: readonly number[]) => number {
  const dims = train[0]!.x.length;
  const clean = (v: number) => (Number.isNaN(v) ? 0 : v);
  const mean = Array.from({ length: dims }, (_, f) => train.reduce((a, s) => a + clean(s.x[f]!), 0) / train.length);
  const sd = Array.from(
    { length: dims },
    (_, f) => Math.sqrt(train.reduce((a, s) => a + (clean(s.x[f]!) - mean[f]!) ** 2, 0) / train.length) || 1,
  );
  // Missing values as their own indicator, so "absent" is a feature too.
  const z = (x: readonly number[]) => [
    ...x.map((v, f) => (clean(v) - mean[f]!) / sd[f]!),
    ...x.map((v) => (Number.isNaN(v) ? 1 : 0)),
  ];
  const rows = train.map((s) => ({ x: z(s.x), y: s.y }));
  const pos = train.filter((s) => s.y === 1).length;
  // Balanced classes: each class weighs half.
  const cw = { 1: 0.5 / Math.max(1, pos), 0: 0.5 / Math.max(1, train.length - pos) };
  const beta = new Array<number>(2 * dims + 1).fill(0);
  for (let e = 0; e < epochs; e++) {
    const grad = new Array<number>(beta.length).fill(0);
    for (const r of rows) {
      let s = beta[0]!;
      for (let k = 0; k < r.x.length; k++) s += beta[k + 1]! * r.x[k]!;
      const g = (1 / (1 + Math.exp(-s)) - r.y) * cw[r.y];
      grad[0]! += g;
      for (let k = 0; k < r.x.length; k++) grad[k + 1]! += g * r.x[k]!;
    }
    for (let k = 0; k < beta.length; k++) beta[k]! -= rate * (grad[k]! + 1e-3 * beta[k]!);
  }
  return (x) => {
    const v = z(x);
    let s = beta[0]!;
    for (let k = 0; k < v.length; k++) s += beta[k + 1]! * v[k]!;
    return s;
  };
}

/** Splits samples into training and held-out sets (a seeded shuffle). */
export function split<T>(xs: readonly T[], heldOut: number, seed: string): { train: T[]; test: T[] } {
  const rng = new Rng(seed);
  const order = xs
    .map((x) => ({ x, k: rng.next() }))
    .sort((a, b) => a.k - b.k)
    .map((e) => e.x);
  const cut = Math.round(order.length * (1 - heldOut));
  return { train: order.slice(0, cut), test: order.slice(cut) };
}
