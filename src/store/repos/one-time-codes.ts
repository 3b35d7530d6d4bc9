/**
 * One-time codes of the parents' portal, one row per phone (its keyed reference): the current code
 * as a keyed HMAC, what redeeming it does (enrol a record, or log in), until when and how many tries
 * it has had, and the phone's send and failure counters (service/portal/otp-policy.ts). A phone that
 * never matched has no row.
 *
 * A try is claimed before the code is compared, in one UPDATE that also checks the code is still
 * alive (`tries < max`, not expired): concurrent guesses queue on the row and each claims its own
 * try, so no burst of requests gets more than the allowed number of comparisons.
 */
import type { Db } from '../db.ts';
import type { Relation } from './guardians.ts';

export type OtpPurpose = 'enrol' | 'login';

export interface OtpRow {
  readonly codeHash: Buffer | null;
  readonly purpose: OtpPurpose | null;
  readonly recordSeq: number | null;
  readonly relation: Relation | null;
  readonly invitationId: string | null;
  readonly expiresAt: string | null;
  readonly tries: number;
  readonly sends: number;
  readonly sendsSince: string | null;
  readonly failures: number;
  readonly failuresSince: string | null;
}

type Raw = {
  code_hash: Buffer | null;
  purpose: OtpPurpose | null;
  record_seq: number | null;
  relation: Relation | null;
  invitation_id: string | null;
  expires_at: string | null;
  tries: number;
  sends: number;
  sends_since: string | null;
  failures: number;
  failures_since: string | null;
};

const COLUMNS =
  'code_hash, purpose, record_seq, relation, invitation_id, expires_at, tries, sends, sends_since, failures, ' +
  'failures_since';

export class OneTimeCodeRepo {
  readonly #tenant: string;

  constructor(tenantId: string) {
    this.#tenant = tenantId;
  }

  async get(db: Db, phoneRef: Buffer): Promise<OtpRow | undefined> {
    const r = await db.get<Raw>(`SELECT ${COLUMNS} FROM portal_otps WHERE tenant_id = ? AND phone_ref = ?`, [
      this.#tenant,
      phoneRef,
    ]);
    if (!r) return undefined;
    return {
      codeHash: r.code_hash ? Buffer.from(r.code_hash) : null,
      purpose: r.purpose,
      recordSeq: r.record_seq === null ? null : Number(r.record_seq),
      relation: r.relation,
      invitationId: r.invitation_id,
      expiresAt: r.expires_at,
      tries: Number(r.tries),
      sends: Number(r.sends),
      sendsSince: r.sends_since,
      failures: Number(r.failures),
      failuresSince: r.failures_since,
    };
  }

  /** The phone's row as given: a new code (with no tries yet) replaces any earlier one. */
  async put(tx: Db, phoneRef: Buffer, o: OtpRow): Promise<void> {
    const values = [
      o.codeHash,
      o.purpose,
      o.recordSeq,
      o.relation,
      o.invitationId,
      o.expiresAt,
      o.tries,
      o.sends,
      o.sendsSince,
      o.failures,
      o.failuresSince,
    ];
    await tx.run(
      `INSERT INTO portal_otps (tenant_id, phone_ref, ${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ` +
        'ON CONFLICT (tenant_id, phone_ref) DO UPDATE SET code_hash = excluded.code_hash, ' +
        'purpose = excluded.purpose, ' +
        'record_seq = excluded.record_seq, relation = excluded.relation, invitation_id = excluded.invitation_id, ' +
        'expires_at = excluded.expires_at, tries = excluded.tries, sends = excluded.sends, ' +
        'sends_since = excluded.sends_since, failures = excluded.failures, failures_since = excluded.failures_since',
      [this.#tenant, phoneRef, ...values],
    );
  }

  /**
   * Claims one try of the phone's live code (true), or finds none alive (false: no row, no code,
   * expired, or out of tries). For a phone without a row the statement matches nothing: the same work.
   */
  async claimTry(tx: Db, phoneRef: Buffer, now: string, maxTries: number): Promise<boolean> {
    const n = await tx.run(
      'UPDATE portal_otps SET tries = tries + 1 WHERE tenant_id = ? AND phone_ref = ? AND code_hash IS NOT NULL ' +
        'AND expires_at > ? AND tries < ?',
      [this.#tenant, phoneRef, now, maxTries],
    );
    return n > 0;
  }

  /** A wrong code: the failure counters as given; the code dies when `kill` (tries spent, or locked out). */
  async failed(
    tx: Db,
    phoneRef: Buffer,
    c: { failures: number; failuresSince: string | null; kill: boolean },
  ): Promise<void> {
    await tx.run(
      'UPDATE portal_otps SET failures = ?, failures_since = ?, ' +
        'code_hash = CASE WHEN ? = 1 THEN NULL ELSE code_hash END WHERE tenant_id = ? AND phone_ref = ?',
      [c.failures, c.failuresSince, c.kill ? 1 : 0, this.#tenant, phoneRef],
    );
  }

  /** The code was redeemed: it is gone (the phone's counters stay). */
  async consume(tx: Db, phoneRef: Buffer): Promise<void> {
    await tx.run(
      'UPDATE portal_otps SET code_hash = NULL, purpose = NULL, record_seq = NULL, relation = NULL, ' +
        'invitation_id = NULL, expires_at = NULL WHERE tenant_id = ? AND phone_ref = ?',
      [this.#tenant, phoneRef],
    );
  }
}
