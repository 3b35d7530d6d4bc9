/** One schema migration (../migrations.ts runs them, in version order, once each). */
import type { Dialect } from '../db.ts';

export interface Migration {
  readonly version: number;
  readonly name: string;
  /** DDL with the dialect placeholders of ../dialect/ddl.ts. */
  readonly sql: string;
  /** Runs on this dialect only (recorded as applied on both). */
  readonly only?: Dialect;
}
