import type { Logger } from '@minimail/protocol';
import type { MailStore } from '@minimail/store';
import { READ_AHEAD_MAX_OCTETS } from './limits.js';
import type { MaildropMessage } from './maildrop.js';

/**
 * Reads the body a download client will ask for next while it is still reading the last one.
 *
 * Clients that download a maildrop (fetchmail, Thunderbird, K-9) send RETR 1, RETR 2, ... one at
 * a time and wait for each reply, so without read-ahead the store read sits on every round trip
 * while the server is idle between them. After each RETR the session starts reading the next
 * message's body on the next event-loop turn (after the reply is written), and RETR takes it from
 * here. Bodies are content-addressed and never change (store/bodies.ts), so a body read early is
 * byte for byte what a read on demand would give; a guess that does not match is dropped.
 *
 * At most one body of at most READ_AHEAD_MAX_OCTETS is held per session.
 */
export class BodyReadAhead {
  private pending: { bodyHash: string; body: Promise<Buffer | null> } | null = null;

  constructor(
    private readonly store: MailStore,
    private readonly logger: Logger,
  ) {}

  /**
   * The body of `message`: the one read ahead if it was this message's, else a read now. A failed
   * read-ahead is retried here, so the store's error reaches the command as if there had been none.
   */
  async read(message: MaildropMessage): Promise<Buffer> {
    const pending = this.pending;
    this.pending = null;
    if (pending !== null && pending.bodyHash === message.bodyHash) {
      const body = await pending.body;
      if (body !== null) return body;
    }
    return this.store.readBody(message.bodyHash);
  }

  /** Start reading `message`'s body for a later read(); replaces any earlier guess. */
  prefetch(message: MaildropMessage | undefined): void {
    this.pending = null;
    if (message === undefined || message.size > READ_AHEAD_MAX_OCTETS) return;
    const { bodyHash } = message;
    const body = (async (): Promise<Buffer | null> => {
      // setImmediate: after the current reply has been handed to the socket, not before it.
      await new Promise<void>((resolve) => setImmediate(resolve));
      try {
        return await this.store.readBody(bodyHash);
      } catch (error) {
        // Not lost: read() reads again on demand and the command reports that read's error.
        this.logger.debug({ err: error }, 'pop3 read-ahead failed');
        return null;
      }
    })();
    this.pending = { bodyHash, body };
  }
}
