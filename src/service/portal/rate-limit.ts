/**
 * A sliding-window limit per key (a client address), in memory: at most `limit` events within
 * `windowMs`. Pure but for the map it keeps; the clock is the caller's (`now`). The map is bounded:
 * beyond `maxKeys` keys the oldest key is forgotten, so a flood of addresses costs memory once, not
 * without end (a forgotten address starts afresh, which only ever allows more, never refuses a caller
 * who should pass).
 */

export interface WindowLimit {
  readonly limit: number;
  readonly windowMs: number;
}

const MAX_KEYS = 50_000;

export class RateLimiter {
  readonly #limit: WindowLimit;
  readonly #maxKeys: number;
  readonly #events = new Map<string, number[]>();

  constructor(limit: WindowLimit, maxKeys = MAX_KEYS) {
    this.#limit = limit;
    this.#maxKeys = maxKeys;
  }

  /** Counts one event for `key` at `now` if the window allows it; false (and nothing counted) if not. */
  take(key: string, now: number): boolean {
    const { limit, windowMs } = this.#limit;
    const recent = (this.#events.get(key) ?? []).filter((t) => now - t < windowMs);
    const allowed = recent.length < limit;
    if (allowed) recent.push(now);
    // Re-inserted: the map's order is the order keys were last used, its first key the oldest.
    this.#events.delete(key);
    this.#events.set(key, recent);
    if (this.#events.size > this.#maxKeys) this.#events.delete(this.#events.keys().next().value!);
    return allowed;
  }
}
