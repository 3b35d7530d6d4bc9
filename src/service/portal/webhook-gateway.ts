/**
 * An SMS provider reached through an HTTP webhook (`tracevault serve --sms-webhook URL`): each
 * message is POSTed as JSON, `{at, channel, to, template, text}`; any 2xx answer means accepted.
 * Anything else, a network error or no answer within the timeout is a failure, reported by the
 * dispatcher without the number (message-gateway.ts). Redirects are not followed: a message goes to
 * the URL configured and nowhere else.
 */
import type { MessageGateway, SentMessage } from './message-gateway.ts';

/** The provider answered, but not with a 2xx: the message was not accepted. */
export class MessageRejected extends Error {
  override readonly name = 'MessageRejected';
  readonly status: number;

  constructor(status: number) {
    super(`the message gateway answered ${status}`);
    this.status = status;
  }
}

export interface WebhookOptions {
  readonly timeoutMs?: number;
  /** Extra headers, e.g. the provider's authorization (never logged). */
  readonly headers?: Readonly<Record<string, string>>;
}

export class WebhookGateway implements MessageGateway {
  readonly #url: URL;
  readonly #timeoutMs: number;
  readonly #headers: Readonly<Record<string, string>>;

  constructor(url: string, opts: WebhookOptions = {}) {
    const u = new URL(url);
    if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new TypeError('the SMS webhook must be http(s)');
    this.#url = u;
    this.#timeoutMs = opts.timeoutMs ?? 10_000;
    this.#headers = opts.headers ?? {};
  }

  async send(m: SentMessage): Promise<void> {
    const res = await fetch(this.#url, {
      method: 'POST',
      headers: { ...this.#headers, 'content-type': 'application/json' },
      body: JSON.stringify({ at: m.at, channel: m.channel, to: m.to, template: m.template, text: m.text }),
      redirect: 'manual',
      signal: AbortSignal.timeout(this.#timeoutMs),
    });
    // The body is not needed; reading it frees the connection.
    await res.arrayBuffer().catch(() => undefined);
    if (res.status < 200 || res.status > 299) throw new MessageRejected(res.status);
  }
}
