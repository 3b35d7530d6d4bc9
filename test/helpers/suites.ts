/**
 * The cipher-suite axis of the test matrix (crypto/cipher-suite.ts): the storage, swap and tamper
 * tests run once per suite, and with BACKENDS (backends.ts) once per suite and backend — the same
 * test bodies, never copies.
 */
import { AES_SUITE, GM_SUITE, type CipherSuite } from '../../src/crypto/cipher-suite.ts';
import { BACKENDS, type Backend } from './backends.ts';

export const SUITES: readonly CipherSuite[] = [AES_SUITE, GM_SUITE];

export interface StorageCase {
  readonly backend: Backend;
  readonly suite: CipherSuite;
  /** e.g. "sqlite, gm": for test names. */
  readonly name: string;
}

/** Every backend with every suite. */
export const STORAGE_MATRIX: readonly StorageCase[] = BACKENDS.flatMap((backend) =>
  SUITES.map((suite) => ({ backend, suite, name: `${backend.name}, ${suite.name}` })),
);
