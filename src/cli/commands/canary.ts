import { Services } from '../../service/services.ts';
import { TracevaultError } from '../../errors.ts';
import { withVault, type VaultOptions } from '../context.ts';
import { json, out } from '../output.ts';

/** `tracevault canary contact-add --data DIR (--phone P | --mailbox M) --token T` (investigator or DPO). */
export async function contactAddCommand(opts: VaultOptions & { phone?: string; mailbox?: string }): Promise<void> {
  if (!opts.phone === !opts.mailbox) throw new TracevaultError('ERR_BAD_REQUEST', { rule: 'phoneOrMailbox' });
  await withVault(opts, async (vault, me) => {
    const services = await Services.open(vault);
    const { id } = await services.canaries.addContactPoint(
      { principal: me, requestId: 'cli' },
      opts.phone ? 'phone' : 'mailbox',
      (opts.phone ?? opts.mailbox)!,
    );
    out(`contact point ${id} registered; canaries of later exports with phone columns carry it`);
  });
}

/**
 * `tracevault canary hit --data DIR --contact X --at ISO --quote TEXT --token T [--json]`: intake of a call or
 * message.
 */
export async function hitCommand(
  opts: VaultOptions & { contact: string; at: string; quote: string; json?: boolean },
): Promise<void> {
  await withVault(opts, async (vault, me) => {
    const services = await Services.open(vault);
    const r = await services.canaries.report(
      { principal: me, requestId: 'cli' },
      { contact: opts.contact, at: opts.at, quote: opts.quote },
    );
    if (opts.json) json(r);
    else
      out(
        r.confirmed
          ? `confirmed: the quote names a canary of disclosure ${r.disclosureIds.join(', ')}`
          : 'recorded, not confirmed: the quote holds nothing specific to a canary given this contact point',
      );
  });
}
