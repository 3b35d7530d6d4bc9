/**
 * The ledger's public read paths over HTTP (c2sp tlog-tiles as the server serves them under
 * /v1/ledger/): what `checkLedger` reads in the page. `fetch` is passed in, so that tests can point
 * it anywhere.
 */
import type { LedgerSource } from './ledger-check.ts';

type Fetch = (url: string, init?: { headers?: Record<string, string> }) => Promise<Response>;

const isProof = (v: unknown): v is { size1: number; size2: number; proof: string[] } =>
  typeof v === 'object' &&
  v !== null &&
  Array.isArray((v as { proof?: unknown }).proof) &&
  (v as { proof: unknown[] }).proof.every((h) => typeof h === 'string');

export function httpLedgerSource(fetchFn: Fetch, base = ''): LedgerSource {
  return {
    async checkpoint() {
      const r = await fetchFn(`${base}/v1/ledger/checkpoint`, { headers: { accept: 'text/plain' } });
      if (r.status === 404) return undefined;
      if (!r.ok) throw new Error(`checkpoint: ${r.status}`);
      return r.text();
    },
    async consistency(size1, size2) {
      const r = await fetchFn(`${base}/v1/ledger/proof/consistency?old=${size1}&size=${size2}`);
      if (r.status === 404) return undefined;
      if (!r.ok) throw new Error(`consistency: ${r.status}`);
      const body: unknown = await r.json();
      if (!isProof(body) || body.size1 !== size1 || body.size2 !== size2) return undefined;
      return body.proof;
    },
  };
}
