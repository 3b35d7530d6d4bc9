/**
 * The parents' portal in HTTP tests (src/server/portal*.http.test.ts): an outbox file connected to
 * the served vault's message dispatcher, the messages it received, a record's parents' phones, and a
 * guardian enrolled end to end (invitation → enrol → the SMS's one-time code → a portal session).
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OutboxGateway } from '../../src/service/portal/outbox-gateway.ts';
import type { HttpVault } from './http-vault.ts';

export interface OutboxLine {
  readonly at: string;
  readonly channel: string;
  readonly to: string;
  readonly template: string;
  readonly text: string;
}

export interface PortalHarness {
  /** Connects the outbox (call in a `before`, after the HTTP vault's). */
  connect(): void;
  readonly file: () => string;
  /** Every message written so far, once the queue has drained. */
  messages(): Promise<OutboxLine[]>;
  /** The one-time code of the last message to `phone`. */
  otpFor(phone: string): Promise<string>;
  /** The record's mother's and father's phones, normalised as stored. */
  phones(recordId: string): Promise<{ mother?: string; father?: string }>;
  /** An invitation for the record, by the given staff token (default: clinicianA). */
  invite(recordId: string, token?: string): Promise<string>;
  /** Invitation, enrolment with the mother's phone, the code from the outbox, the session: the portal token. */
  enrolled(recordId: string): Promise<{ token: string; phone: string }>;
}

export function portalHarness(v: HttpVault): PortalHarness {
  let file = '';
  const messages = async (): Promise<OutboxLine[]> => {
    await v.opened().services.portal.messages.drain();
    if (!existsSync(file)) return [];
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as OutboxLine);
  };
  const h: PortalHarness = {
    connect() {
      const { vault, services } = v.opened();
      file = join(vault.dir, 'outbox.jsonl');
      services.portal.messages.connect(new OutboxGateway(file));
    },
    file: () => file,
    messages,
    async otpFor(phone) {
      const last = (await messages()).filter((m) => m.to === phone).at(-1);
      assert.ok(last, 'a message went to the phone');
      const m = /(?<!\d)(\d{6})(?!\d)/.exec(last.text);
      assert.ok(m, 'the message holds a 6-digit code');
      return m[1]!;
    },
    async phones(recordId) {
      const cur = (await v.opened().vault.registry.get(recordId)).current;
      const get = (f: string) => {
        const x = cur.get(f)?.value;
        return typeof x === 'string' ? x : undefined;
      };
      return { mother: get('motherPhone'), father: get('fatherPhone') };
    },
    async invite(recordId, token = v.tokens.clinicianA) {
      const r = await v.api('POST', `/v1/records/${recordId}/invitations`, token);
      assert.equal(r.status, 201, r.text);
      return r.json.code as string;
    },
    async enrolled(recordId) {
      const code = await h.invite(recordId);
      const phone = (await h.phones(recordId)).mother!;
      const e = await v.api('POST', '/v1/portal/enrol', undefined, { code, phone });
      assert.equal(e.status, 202, e.text);
      const s = await v.api('POST', '/v1/portal/sessions', undefined, { phone, otp: await h.otpFor(phone) });
      assert.equal(s.status, 201, s.text);
      return { token: s.json.token as string, phone };
    },
  };
  return h;
}
