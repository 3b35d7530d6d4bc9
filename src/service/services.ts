/**
 * The use cases of Tracevault, one area each, as the interfaces (server/, cli/) reach them.
 * TRANSITIONAL: delegates to access/access.ts while the areas move into their own modules.
 */
import { Access, type AccessOptions } from '../access/access.ts';
import type { Vault } from '../store/vault.ts';
import type { Ledger } from '../ledger/log.ts';
import { ledgerRead, type ReadResponse } from '../ledger/read-api.ts';
import { receiptFor } from '../ledger/log.ts';

export interface ServiceOptions extends AccessOptions {
  /** The ledger whose public read paths and receipts are served (server only). */
  readonly ledger?: Ledger;
}

export class Services {
  readonly vault: Vault;
  readonly #a: Access;
  readonly #ledger: Ledger | undefined;

  private constructor(vault: Vault, access: Access, ledger: Ledger | undefined) {
    this.vault = vault;
    this.#a = access;
    this.#ledger = ledger;
  }

  static async open(vault: Vault, opts: ServiceOptions = {}): Promise<Services> {
    return new Services(vault, await new Access(vault, opts).start(), opts.ledger);
  }

  get sessions() {
    const a = this.#a;
    return { authenticate: a.authenticate.bind(a), login: a.login.bind(a), logout: a.logout.bind(a) };
  }
  get directory() {
    const a = this.#a;
    return { createOrganisation: a.createOrganisation.bind(a), createPrincipal: a.createPrincipal.bind(a) };
  }
  get records() {
    const a = this.#a;
    return { collect: a.collect.bind(a), collectMany: a.collectMany.bind(a), read: a.read.bind(a), search: a.search.bind(a), update: a.update.bind(a), erase: a.erase.bind(a) };
  }
  get consents() {
    const a = this.#a;
    return { grant: a.grantConsent.bind(a), withdraw: a.withdrawConsent.bind(a), list: a.consents.bind(a) };
  }
  get exports() {
    const a = this.#a;
    return { request: a.requestExport.bind(a), get: a.export.bind(a), decide: a.decideExport.bind(a), file: a.exportFile.bind(a) };
  }
  get oversight() {
    const a = this.#a;
    return {
      alerts: a.alerts.bind(a), resolveAlert: a.resolveAlert.bind(a), getPolicy: a.getPolicy.bind(a), setPolicy: a.setPolicy.bind(a),
      hashIdentifier: a.hashIdentifier.bind(a), addPoison: a.addPoison.bind(a),
    };
  }
  get stats() {
    const a = this.#a;
    return { count: a.stats.bind(a) };
  }
  get canaries() {
    const a = this.#a;
    return { find: a.findCanaries.bind(a), addContactPoint: a.addContactPoint.bind(a), report: a.reportContact.bind(a) };
  }
  get traces() {
    const a = this.#a;
    return { run: a.trace.bind(a), get: a.getTrace.bind(a) };
  }
  get ledger() {
    const db = this.vault.db;
    const ledger = this.#ledger;
    return {
      /** A public read path of the ledger (c2sp tlog-tiles), relative to /v1/ledger/. */
      read: (path: string, params: URLSearchParams): Promise<ReadResponse> => ledgerRead(db, need(ledger), path, params),
      /** An offline-verifiable receipt (c2sp tlog-proof) for entry `index`. */
      receipt: (index: number): Promise<string> => receiptFor(db, need(ledger), index),
    };
  }

  /** Resolves once everything committed so far is on disk (a response must not show less). */
  durable(): Promise<void> {
    return this.vault.db.durable();
  }
}

function need(ledger: Ledger | undefined): Ledger {
  if (!ledger) throw new Error('no ledger given to Services.open');
  return ledger;
}
