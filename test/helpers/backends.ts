/**
 * The storage test matrix: every storage test runs once per backend — SQLite in a temporary
 * directory, and PostgreSQL on 127.0.0.1:5432 in a schema of its own, dropped afterwards.
 * PostgreSQL is not optional: if it is unreachable the tests fail.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { DatabaseConfig } from '../../src/store/db.ts';

export const PG_URL = process.env.TRACEVAULT_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface Backend {
  readonly name: 'sqlite' | 'postgres';
  /** A fresh database config for one test, and the directory to hold its vault. */
  fresh(): Promise<{ dir: string; database: DatabaseConfig; cleanup: () => Promise<void> }>;
}

export const BACKENDS: readonly Backend[] = [
  {
    name: 'sqlite',
    async fresh() {
      const dir = mkdtempSync(join(tmpdir(), 'tv-test-'));
      return {
        dir,
        database: { kind: 'sqlite', file: 'vault.db' },
        cleanup: async () => rmSync(dir, { recursive: true, force: true }),
      };
    },
  },
  {
    name: 'postgres',
    async fresh() {
      const dir = mkdtempSync(join(tmpdir(), 'tv-test-'));
      const schema = `tv_test_${randomBytes(6).toString('hex')}`;
      return {
        dir,
        database: { kind: 'postgres', url: PG_URL, schema },
        cleanup: async () => {
          rmSync(dir, { recursive: true, force: true });
          const c = new pg.Client({ connectionString: PG_URL });
          await c.connect();
          await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
          await c.end();
        },
      };
    },
  },
];
