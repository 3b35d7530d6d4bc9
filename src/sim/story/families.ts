/**
 * The demo story's parents in the portal: a family is invited by its hospital (the invitation
 * printed on the discharge paper), the mother enrols with it and her phone, reads the SMS code
 * (the demo's outbox file), and holds a portal session; then she can report a suspicious call or
 * ask for a correction, as /portal/report and /portal/requests do.
 */
import { existsSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { StoryError, type StoryApi } from './http.ts';
import type { StoryFamily } from './facts.ts';

/** How long a one-time code may take to reach the outbox (the dispatcher sends off the request path). */
const OTP_WAIT_MS = 10_000;

/** The messages to `phone` in the outbox so far. */
function messagesTo(outbox: string, phone: string): string[] {
  if (!existsSync(outbox)) return [];
  return readFileSync(outbox, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { to: string; text: string })
    .filter((m) => m.to === phone)
    .map((m) => m.text);
}

/** The one-time code of the next message to `phone` after the `seen` ones. */
async function nextCode(outbox: string, phone: string, seen: number): Promise<string> {
  const until = Date.now() + OTP_WAIT_MS;
  for (;;) {
    const texts = messagesTo(outbox, phone);
    const code = texts.length > seen ? /(?<!\d)(\d{6})(?!\d)/.exec(texts.at(-1)!)?.[1] : undefined;
    if (code) return code;
    if (Date.now() > until) throw new StoryError('no one-time code reached the outbox');
    await sleep(25);
  }
}

/**
 * The family's portal token: an invitation by `staffToken` (someone of the record's organisation),
 * the enrolment with the mother's phone and the SMS code.
 */
export async function enrolFamily(
  api: StoryApi,
  outbox: string,
  staffToken: string,
  family: StoryFamily,
): Promise<string> {
  const invitation = await api.call<{ code: string }>('POST', `/v1/records/${family.id}/invitations`, {
    token: staffToken,
  });
  const seen = messagesTo(outbox, family.motherPhone).length;
  await api.call('POST', '/v1/portal/enrol', { body: { code: invitation.json.code, phone: family.motherPhone } });
  const otp = await nextCode(outbox, family.motherPhone, seen);
  const session = await api.call<{ token: string }>('POST', '/v1/portal/sessions', {
    body: { phone: family.motherPhone, otp },
  });
  return session.json.token;
}

export interface SuspiciousCall {
  readonly callerNumber?: string;
  readonly claimedToBe: string;
  readonly knew: readonly string[];
  readonly quote: string;
}

/** A guardian reports a call about her child that came at `at`. */
export async function reportCall(
  api: StoryApi,
  portalToken: string,
  childId: string,
  call: SuspiciousCall,
  at: Date,
): Promise<string> {
  const r = await api.call<{ id: string }>('POST', '/v1/portal/reports', {
    token: portalToken,
    body: { at: at.toISOString(), childId, ...call, knew: [...call.knew] },
  });
  return r.json.id;
}
