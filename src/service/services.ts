/**
 * The use cases of Tracevault, one area each, as the interfaces (server/, cli/) reach them. Every
 * area passes the same gate (gate.ts): one policy, one guard, one path to commit.
 */
import type { GuardConfig } from '../access/guard.ts';
import { prepareDummyHash } from '../crypto/password.ts';
import type { Vault } from '../store/vault.ts';
import type { Ledger } from '../ledger/log.ts';
import { Administration } from './administration.ts';
import { Canaries } from './canaries.ts';
import { Consents } from './consents.ts';
import { Directory } from './directory.ts';
import { DueLists } from './due-lists.ts';
import { ExportLists } from './export-lists.ts';
import { Exports, type ExportOptions } from './exports.ts';
import { Gate } from './gate.ts';
import { ImportJobs, type ImportJobOptions } from './import-jobs.ts';
import { GuardSettings } from './guard-settings.ts';
import { ServiceKeys } from './keys.ts';
import { LedgerReads } from './ledger.ts';
import { Oversight } from './oversight.ts';
import { Portal, type PortalOptions } from './portal/portal.ts';
import { Records, type RecordOptions } from './records.ts';
import { RightsRequests } from './requests.ts';
import { Sessions, type SessionOptions } from './sessions.ts';
import { Stats } from './stats.ts';
import { Traces } from './traces.ts';
import type { TraceJobOptions } from './trace-jobs.ts';

export interface ServiceOptions extends ExportOptions, SessionOptions, RecordOptions, PortalOptions {
  readonly guard?: GuardConfig;
  /** Trace jobs: how many at once, their heap, their uploads' limit (service/trace-jobs.ts). */
  readonly traceJobs?: TraceJobOptions;
  /** Imports over HTTP: their uploads' limit, how many at once (service/import-jobs.ts). */
  readonly importJobs?: ImportJobOptions;
  /** The ledger whose read paths and receipts are served (the server's). */
  readonly ledger?: Ledger;
}

export class Services {
  readonly vault: Vault;
  readonly gate: Gate;
  readonly sessions: Sessions;
  readonly directory: Directory;
  readonly records: Records;
  readonly consents: Consents;
  readonly exports: Exports;
  readonly oversight: Oversight;
  readonly guardSettings: GuardSettings;
  readonly stats: Stats;
  readonly canaries: Canaries;
  readonly traces: Traces;
  readonly ledger: LedgerReads;
  readonly portal: Portal;
  readonly requests: RightsRequests;
  readonly dueLists: DueLists;
  readonly administration: Administration;
  readonly exportLists: ExportLists;
  readonly imports: ImportJobs;

  private constructor(vault: Vault, opts: ServiceOptions) {
    const gate = new Gate(vault, opts.guard);
    const keys = new ServiceKeys(vault.keys);
    this.vault = vault;
    this.gate = gate;
    this.sessions = new Sessions(gate, opts);
    this.directory = new Directory(gate);
    this.records = new Records(gate, keys, opts);
    this.consents = new Consents(gate);
    this.exports = new Exports(gate, keys, opts);
    this.oversight = new Oversight(gate);
    this.guardSettings = new GuardSettings(gate);
    this.stats = new Stats(gate);
    this.canaries = new Canaries(gate, keys);
    this.traces = new Traces(gate, keys, opts.traceJobs);
    this.ledger = new LedgerReads(gate, opts.ledger);
    this.portal = new Portal(gate, opts, (id) => this.traces.storedReport(id));
    this.requests = new RightsRequests(gate, keys);
    this.dueLists = new DueLists(gate, keys, this.exports, opts.canaryDensity);
    this.administration = new Administration(gate, (id) => this.sessions.forget(id));
    this.exportLists = new ExportLists(gate, keys);
    this.imports = new ImportJobs(gate, opts.importJobs);
  }

  /**
   * The use cases on a vault: loads the policy (the default in a new vault), the guard's blocks, the poison
   * records.
   */
  static async open(vault: Vault, opts: ServiceOptions = {}): Promise<Services> {
    const s = new Services(vault, opts);
    prepareDummyHash();
    await s.gate.start();
    return s;
  }

  /** Resolves once everything committed so far is on disk (a response must not show less). */
  durable(): Promise<void> {
    return this.vault.db.durable();
  }
}
