/**
 * A seeded pseudo-random generator for the synthetic city: sfc32 (Chris Doty-Humphrey's Small Fast
 * Counting generator, PractRand-clean), seeded from SHA-256 of the seed text. Reproducible across
 * machines; not for secrets.
 */
import { createHash } from 'node:crypto';

export class Rng {
  #a: number;
  #b: number;
  #c: number;
  #d: number;

  constructor(seed: string | number) {
    const h = createHash('sha256').update(`tracevault-sim\0${seed}`).digest();
    this.#a = h.readUInt32LE(0);
    this.#b = h.readUInt32LE(4);
    this.#c = h.readUInt32LE(8);
    this.#d = h.readUInt32LE(12) | 1;
    for (let i = 0; i < 15; i++) this.next();
  }

  /** A uniform float in [0, 1). */
  next(): number {
    const t = (((this.#a + this.#b) | 0) + this.#d) | 0;
    this.#d = (this.#d + 1) | 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) | 0;
    this.#c = (this.#c << 21) | (this.#c >>> 11);
    this.#c = (this.#c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** Standard normal by Box–Muller. */
  normal(mean = 0, sd = 1): number {
    const u = 1 - this.next();
    return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  digits(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += String(Math.floor(this.next() * 10));
    return s;
  }

  /** A child generator, so that one part of the city does not shift another when it changes. */
  fork(label: string): Rng {
    return new Rng(`${this.next()}\0${label}`);
  }
}

/** Draws from a weighted table in O(log n). */
export class Weighted<T> {
  readonly #items: readonly T[];
  readonly #cum: number[];

  constructor(entries: readonly (readonly [T, number])[]) {
    this.#items = entries.map((e) => e[0]);
    let s = 0;
    this.#cum = entries.map((e) => (s += e[1]));
  }

  draw(rng: Rng): T {
    const x = rng.next() * this.#cum[this.#cum.length - 1]!;
    let lo = 0,
      hi = this.#cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.#cum[mid]! > x) hi = mid;
      else lo = mid + 1;
    }
    return this.#items[lo]!;
  }
}
