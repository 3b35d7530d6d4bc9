/**
 * The symmetric Tardos code (G. Tardos, "Optimal probabilistic fingerprint codes", STOC 2003, J.
 * ACM 55(2) 2008; the symmetric score of B. Škorić, S. Katzenbeisser, M. U. Celik, "Symmetric
 * Tardos fingerprinting codes for arbitrary alphabet sizes", Des. Codes Cryptogr. 46, 2008).
 *
 * Positions are open-ended (one per family and field, see fingerprint.ts), so nothing is stored per
 * position: the bias p of a position is derived from the tenant's bias key (HMAC-SHA-256 → uniform
 * → arcsine density with cutoff t: p = sin²(r), r uniform on [arcsin √t, π/2 − arcsin √t]), and a
 * disclosure's symbol there from its own key (HMAC → uniform u; symbol 1 when u < p). Both are
 * reproducible bit for bit from the keys.
 *
 * Score: for each observed position with symbol y, a candidate whose symbol is x scores
 *   y = 1:  x = 1 → √((1−p)/p),  x = 0 → −√(p/(1−p))
 *   y = 0:  x = 0 → √(p/(1−p)),  x = 1 → −√((1−p)/p)
 * For an innocent candidate x is independent of y, so every term has mean 0 and variance 1 and is
 * bounded by b = √((1−t)/t); by Bernstein's inequality P(S ≥ s) ≤ exp(−s² / (2(n + b·s/3))) over n
 * observed positions, whatever the leaker did to the marks. Missing positions contribute nothing.
 *
 * The bound used for accusations is tighter and as rigorous: Chernoff's, with the exact moment
 * generating function of each term given its bias and the observed symbol,
 *   P(S ≥ s) ≤ min over λ > 0 of exp(K(λ) − λ·s),  K(λ) = Σ log E[exp(λ·term)],
 * minimised over a fixed grid of λ (any λ gives a valid bound). It depends on the leak only, so it
 * is computed once per leak and costs a few operations per candidate.
 */
import { Hmac, type MacHash } from '../crypto/hmac.ts';
import type { Symbol01 } from './fingerprint.ts';

/** Default cutoff t: a bias stays in [t, 1 − t]; larger t bounds each term tighter (b ≈ 4.4 at 0.05). */
export const DEFAULT_CUTOFF = 0.05;

/** Keyed MACs by hash and key content: a trace scores thousands of positions under one disclosure's key. */
const macs = new Map<string, Hmac>();

function uniform(algorithm: MacHash, key: Uint8Array, label: string): number {
  const id = `${algorithm}\0${Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('latin1')}`;
  let mac = macs.get(id);
  if (!mac) {
    if (macs.size >= 4096) macs.clear();
    mac = new Hmac(algorithm, key);
    macs.set(id, mac);
  }
  const h = mac.digest(label);
  // 48 bits: exactly representable, uniform on [0, 1).
  return h.readUIntBE(0, 6) / 2 ** 48;
}

export class TardosCode {
  readonly cutoff: number;
  /** The PRF's hash: the vault's cipher suite's (HMAC-SHA-256, or HMAC-SM3 in a `gm` vault). */
  readonly mac: MacHash;
  readonly #biasKey: Uint8Array;
  /** Biases of positions met recently: a reveal marks the same few positions of a record again. */
  readonly #biases = new Map<string, number>();

  constructor(biasKey: Uint8Array, cutoff = DEFAULT_CUTOFF, mac: MacHash = 'sha256') {
    if (!(cutoff > 0 && cutoff < 0.5)) throw new RangeError('cutoff must be in (0, 0.5)');
    this.#biasKey = biasKey;
    this.cutoff = cutoff;
    this.mac = mac;
  }

  /** The bias p of a position, in [t, 1 − t]. */
  bias(pos: string): number {
    let p = this.#biases.get(pos);
    if (p === undefined) {
      const lo = Math.asin(Math.sqrt(this.cutoff));
      p = Math.sin(lo + uniform(this.mac, this.#biasKey, pos) * (Math.PI / 2 - 2 * lo)) ** 2;
      if (this.#biases.size >= 65_536) this.#biases.clear();
      this.#biases.set(pos, p);
    }
    return p;
  }

  /** The symbol a disclosure (by its key) carries at a position. */
  symbol(disclosureKey: Uint8Array, pos: string, p = this.bias(pos)): Symbol01 {
    return uniform(this.mac, disclosureKey, pos) < p ? 1 : 0;
  }

  /** The bound b on one term's magnitude. */
  get termBound(): number {
    return Math.sqrt((1 - this.cutoff) / this.cutoff);
  }
}

/** One term of the symmetric score. */
export function scoreTerm(x: Symbol01, y: Symbol01, p: number): number {
  if (y === 1) return x === 1 ? Math.sqrt((1 - p) / p) : -Math.sqrt(p / (1 - p));
  return x === 0 ? Math.sqrt(p / (1 - p)) : -Math.sqrt((1 - p) / p);
}

/** Bernstein's bound on the chance that an innocent candidate scores `score` or more over `n` positions. */
export function innocentTail(score: number, n: number, termBound: number): number {
  if (score <= 0 || n === 0) return 1;
  return Math.min(1, Math.exp(-(score * score) / (2 * (n + (termBound * score) / 3))));
}

/** λ values the Chernoff bound is minimised over. */
const LAMBDAS = Array.from({ length: 96 }, (_, i) => 0.005 * 1.07 ** i);

/**
 * The Chernoff tail for the observed positions (bias p, symbol y): a function from an innocent
 * candidate's score to the bound on the chance of scoring that much or more. K(λ) is computed only
 * where the search needs it — every eighth λ of the grid, then the neighbours of the best — and
 * kept; any λ gives a valid bound, so searching part of the grid never understates the tail.
 */
export function chernoffTail(observed: readonly { p: number; y: Symbol01 }[]): (score: number) => number {
  const k = new Float64Array(LAMBDAS.length).fill(NaN);
  const K = (i: number) => {
    if (Number.isNaN(k[i]!)) {
      const lambda = LAMBDAS[i]!;
      let sum = 0;
      for (const { p, y } of observed) {
        // The term is scoreTerm(x, y, p) with x ~ Bernoulli(p).
        sum += Math.log(p * Math.exp(lambda * scoreTerm(1, y, p)) + (1 - p) * Math.exp(lambda * scoreTerm(0, y, p)));
      }
      k[i] = sum;
    }
    return k[i]!;
  };
  return (score) => {
    if (score <= 0 || observed.length === 0) return 1;
    const at = (i: number) => K(i) - LAMBDAS[i]! * score;
    let bestI = 0;
    for (let i = 0; i < LAMBDAS.length; i += 8) if (at(i) < at(bestI)) bestI = i;
    let best = Math.min(0, at(bestI));
    for (let i = Math.max(0, bestI - 7); i <= Math.min(LAMBDAS.length - 1, bestI + 7); i++)
      best = Math.min(best, at(i));
    return Math.exp(best);
  };
}
