/** Logins as the store keeps them (store/repos/accounts.ts, store/vault.ts). */

/**
 * A login as it is stored and looked up: Unicode NFKC (UAX #15: compatibility forms such as
 * full-width letters fold to their plain ones), then lower case. "Dpo.Li", "DPO.LI" and "ｄｐｏ.ｌｉ"
 * are one account, so no second account can be made that differs from another only in case.
 */
export function normaliseLogin(login: string): string {
  return login.normalize('NFKC').toLowerCase();
}
