/**
 * How messages leave the registry: a gateway (an SMS provider's webhook, webhook-gateway.ts; a file
 * for the demo and the tests, outbox-gateway.ts) behind a dispatcher that sends off the request path.
 *
 * A request only queues its message and answers: whether a message was sent, and how long sending
 * took or whether it failed, never shows in the answer or its timing (an enrolment or a login
 * answers the same whether or not a code went out). Messages go one at a time, in order. A failure
 * is reported to the failure listener with the channel, the template and the error's class name —
 * never the number or the text. Without a gateway nothing is sent (each message is reported as a
 * failure `NoGateway`), and the requests still answer as always: fail closed, tell nothing.
 *
 * A message holds the recipient's own number and what the template says (a code); no other personal
 * value goes into one (messages.ts).
 */

export type Channel = 'sms';

export interface OutgoingMessage {
  readonly channel: Channel;
  /** The recipient's number, normalised (11 digits). */
  readonly to: string;
  /** The template's name (messages.ts), e.g. `portal.otp`. */
  readonly template: string;
  readonly text: string;
}

/** A message as it leaves: with the time it was queued (ISO 8601). */
export interface SentMessage extends OutgoingMessage {
  readonly at: string;
}

export interface MessageGateway {
  /** Delivers one message to the provider (or the file); rejects when it was not accepted. */
  send(m: SentMessage): Promise<void>;
}

/** What a failure report says: never the number, never the text. */
export interface MessageFailure {
  readonly channel: Channel;
  readonly template: string;
  readonly error: string;
}

/** Messages waiting beyond this are dropped (and reported): a flood must not hold memory. */
const MAX_QUEUED = 10_000;

export class MessageDispatcher {
  #gateway: MessageGateway | undefined;
  readonly #queue: SentMessage[] = [];
  readonly #listeners: ((f: MessageFailure) => void)[] = [];
  #running: Promise<void> | undefined;

  constructor(gateway?: MessageGateway) {
    this.#gateway = gateway;
  }

  /** The gateway messages leave through from now on (serve: --sms-webhook or --outbox). */
  connect(gateway: MessageGateway): void {
    this.#gateway = gateway;
  }

  get connected(): boolean {
    return this.#gateway !== undefined;
  }

  /** Calls `fn` for each message that could not be sent (request logs: server/routes/portal.ts). */
  onFailure(fn: (f: MessageFailure) => void): void {
    this.#listeners.push(fn);
  }

  /** Queues a message and returns at once; it is sent in the background, after what was queued before it. */
  dispatch(m: OutgoingMessage, at: Date = new Date()): void {
    if (this.#queue.length >= MAX_QUEUED) {
      this.#fail(m, 'QueueFull');
      return;
    }
    this.#queue.push({ at: at.toISOString(), channel: m.channel, to: m.to, template: m.template, text: m.text });
    // Started on a later turn of the event loop, never within the request that queued it.
    this.#running ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.#run());
  }

  /** Reports a message that could not even be queued (its code could not be stored): `error`'s class name only. */
  reportUnsent(channel: Channel, template: string, error: unknown): void {
    this.#fail({ channel, template }, error instanceof Error ? error.name : 'Error');
  }

  /** Resolves once every message queued so far was sent or reported (a server stopping, a test). */
  async drain(): Promise<void> {
    while (this.#running) await this.#running;
  }

  async #run(): Promise<void> {
    try {
      for (let m = this.#queue.shift(); m; m = this.#queue.shift()) {
        const gateway = this.#gateway;
        if (!gateway) {
          this.#fail(m, 'NoGateway');
          continue;
        }
        try {
          await gateway.send(m);
        } catch (e) {
          this.#fail(m, e instanceof Error ? e.name : 'Error');
        }
      }
    } finally {
      this.#running = undefined;
    }
  }

  #fail(m: Pick<OutgoingMessage, 'channel' | 'template'>, error: string): void {
    const f: MessageFailure = { channel: m.channel, template: m.template, error };
    for (const fn of this.#listeners) {
      try {
        fn(f);
      } catch {
        // A listener that throws must not stop the queue.
      }
    }
  }
}
