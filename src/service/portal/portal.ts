/**
 * The parents' portal, as the interfaces reach it (issue 21): invitations issued by staff, the
 * guardians' way in (enrol, log in, portal sessions), registered calls and their checks, and the
 * dispatcher through which its messages leave. Every part passes the same gate as the rest of the
 * registry (../gate.ts): one policy, one guard, one path to commit with the ledger entries.
 */
import type { Ledger } from '../../ledger/log.ts';
import type { Gate } from '../gate.ts';
import { Calls } from './calls.ts';
import { GuardianConsents } from './consents.ts';
import { GuardianAccess, type GuardianAccessOptions } from './guardian-access.ts';
import { PortalHistory } from './history.ts';
import { Invitations } from './invitations.ts';
import { MessageDispatcher, type MessageGateway } from './message-gateway.ts';
import { Notices, type TraceReportOf } from './notices.ts';
import { PortalKeys } from './portal-keys.ts';
import { Reports } from './reports.ts';

export interface PortalOptions extends GuardianAccessOptions {
  /** Where messages leave (serve: --sms-webhook or --outbox); without one, none is sent. */
  readonly messages?: MessageGateway;
  /** The ledger whose proofs the access history carries (the server's). */
  readonly ledger?: Ledger;
}

export class Portal {
  readonly messages: MessageDispatcher;
  readonly invitations: Invitations;
  readonly access: GuardianAccess;
  readonly calls: Calls;
  readonly history: PortalHistory;
  readonly reports: Reports;
  readonly consents: GuardianConsents;
  readonly notices: Notices;

  constructor(gate: Gate, opts: PortalOptions, traceReport: TraceReportOf) {
    const keys = new PortalKeys(gate.vault.keys);
    this.messages = new MessageDispatcher(opts.messages);
    this.invitations = new Invitations(gate, keys);
    this.access = new GuardianAccess(gate, keys, this.messages, opts);
    this.calls = new Calls(gate, keys);
    this.history = new PortalHistory(gate, this.access, opts.ledger);
    this.reports = new Reports(gate);
    this.consents = new GuardianConsents(gate);
    this.notices = new Notices(gate, keys, this.messages, traceReport);
  }
}
