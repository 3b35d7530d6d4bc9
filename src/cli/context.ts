/** What every vault command shares: opening the vault and acting as a principal. */
import { readAdminToken, openVault, type Principal, type Vault } from '../store/vault.ts';

export interface VaultOptions {
  readonly data: string;
  readonly token?: string;
}

/** Opens the vault and authenticates: --token, else TRACEVAULT_TOKEN, else DIR/admin.token. */
export async function withVault<T>(opts: VaultOptions, fn: (vault: Vault, me: Principal) => Promise<T>): Promise<T> {
  const vault = await openVault(opts.data);
  try {
    const token = opts.token || process.env.TRACEVAULT_TOKEN || readAdminToken(opts.data);
    const me = await vault.authenticate(token);
    return await fn(vault, me);
  } finally {
    await vault.close();
  }
}
