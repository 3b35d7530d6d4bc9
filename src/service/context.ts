/**
 * Who is asking, and under which request: what every use case receives from an interface (the
 * HTTP server, the command line) and what its ledger entries carry.
 */
import type { Principal } from '../store/vault.ts';

export interface RequestContext {
  readonly principal: Principal;
  readonly requestId: string;
}
