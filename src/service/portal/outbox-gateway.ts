/**
 * The outbox: messages written to a file instead of sent, for the demo and the tests
 * (`tracevault serve --outbox FILE`). One JSON line per message, `{at, channel, to, template, text}`,
 * appended (O_APPEND: concurrent writers never interleave a line) and synced to disk before the send
 * counts as done. The file is created owner-only (0600): it holds numbers and codes.
 */
import { open } from 'node:fs/promises';
import type { MessageGateway, SentMessage } from './message-gateway.ts';

export class OutboxGateway implements MessageGateway {
  readonly file: string;

  constructor(file: string) {
    this.file = file;
  }

  async send(m: SentMessage): Promise<void> {
    const line = `${JSON.stringify({ at: m.at, channel: m.channel, to: m.to, template: m.template, text: m.text })}\n`;
    const fh = await open(this.file, 'a', 0o600);
    try {
      await fh.appendFile(line, 'utf8');
      await fh.datasync();
    } finally {
      await fh.close();
    }
  }
}
