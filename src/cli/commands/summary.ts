import { summarise, type VaultSummary } from '../../store/summary.ts';
import { withVault, type VaultOptions } from '../context.ts';
import { json, out } from '../output.ts';

export function printSummary(s: VaultSummary): void {
  const recs =
    Object.entries(s.records)
      .map(([k, v]) => `${v.toLocaleString('en')} ${k}`)
      .join(', ') || 'none';
  out(`database:        ${s.database}`);
  out(`records:         ${recs}${s.erased ? ` (+${s.erased} erased)` : ''}`);
  out(
    `changes:         ${s.changes.toLocaleString('en')} ` +
      `(field versions recorded together; each sealed with its record's key)`,
  );
  out(`blind index:     ${s.blindIndexEntries.toLocaleString('en')} keyed entries (phone, resident id, name, plate)`);
  out(
    `organisations:   ${Object.entries(s.organisations)
      .map(([k, v]) => `${v} ${k}`)
      .join(', ')}`,
  );
  out(`principals:      ${s.principals}`);
  out(`audit events:    ${s.auditEvents.toLocaleString('en')}`);
  out(`data key:        version ${s.dataKeyVersion}`);
  const suite = s.cipherSuite === 'gm' ? 'SM4-CTR with HMAC-SM3, HMAC-SM3' : 'AES-256-GCM, HMAC-SHA-256';
  out(`cipher suite:    ${s.cipherSuite} (${suite})`);
}

export async function summaryCommand(opts: VaultOptions & { json?: boolean }): Promise<void> {
  await withVault(opts, async (vault) => {
    const s = await summarise(vault);
    if (opts.json) json(s);
    else printSummary(s);
  });
}
