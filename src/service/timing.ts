/**
 * Response-time floors. Work that depends on what the registry holds (a search that finds records
 * the caller may not read still loads and decrypts them) would otherwise show in how long an answer
 * takes: a caller who may not see a record could learn that it exists from the clock (issue 20, low
 * finding: ~0.15 ms per hidden match). Answering no earlier than a fixed time after the request
 * started hides any variation that stays below the floor (cf. Kocher, "Timing Attacks on
 * Implementations of Diffie-Hellman, RSA, DSS", CRYPTO '96: remove the data dependence, or mask it).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { performance } from 'node:perf_hooks';

/** Resolves once `ms` milliseconds have passed since `started` (a performance.now() reading). */
export async function notBefore(started: number, ms: number): Promise<void> {
  const left = started + ms - performance.now();
  if (left > 0) await sleep(Math.ceil(left));
}
