import type { Logger } from '@minimail/protocol';
import type { MailboxAccess } from '@minimail/store';
import { READ_AHEAD_MAX_OCTETS } from './limits.js';
import type { MaildropMessage } from './maildrop.js';

/** One guessed body: `body` is set once the read has arrived; `settled` is null on failure. */
interface Guess {
  readonly bodyHash: string;
  body: Buffer | null;
  settled: Promise<Buffer | null>;
  /** Dropped unused (the client asked for another message): a read not yet started is skipped. */
  abandoned: boolean;
}

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
  private guess: Guess | null = null;

  constructor(
    private readonly store: MailboxAccess,
    private readonly logger: Logger,
  ) {}

  /**
   * The body of `message` if it was read ahead and has already arrived, else null (then call
   * read()). Synchronous, so the usual RETR awaits nothing between the command and its reply.
   */
  take(message: MaildropMessage): Buffer | null {
    const guess = this.guess;
    if (guess === null || guess.body === null || guess.bodyHash !== message.bodyHash) return null;
    this.guess = null;
    return guess.body;
  }

  /**
   * The body of `message`: the one read ahead if it was this message's, else a read now. A failed
   * read-ahead is retried here, so the store's error reaches the command as if there had been none.
   */
  async read(message: MaildropMessage): Promise<Buffer> {
    const guess = this.guess;
    this.guess = null;
    if (guess !== null && guess.bodyHash === message.bodyHash) {
      const body = guess.body ?? (await guess.settled);
      if (body !== null) return body;
    } else if (guess !== null) {
      guess.abandoned = true;
    }
    return this.store.readBody(message.bodyHash);
  }

  /** Start reading `message`'s body for a later take()/read(); replaces any earlier guess. */
  prefetch(message: MaildropMessage | undefined): void {
    if (this.guess !== null) this.guess.abandoned = true;
    this.guess = null;
    if (message === undefined || message.size > READ_AHEAD_MAX_OCTETS) return;
    let settle!: (body: Buffer | null) => void;
    const guess: Guess = {
      bodyHash: message.bodyHash,
      body: null,
      settled: new Promise((resolve) => {
        settle = resolve;
      }),
      abandoned: false,
    };
    // setImmediate: after the current reply has been handed to the socket, not before it.
    setImmediate(() => {
      // Dropped before it started (the client asked for something else): read nothing.
      if (guess.abandoned) return settle(null);
      const failed = (error: unknown): void => {
        // Not lost: read() reads again on demand and the command reports that read's error.
        this.logger.debug({ err: error }, 'pop3 read-ahead failed');
        settle(null);
      };
      try {
        this.store.readBody(guess.bodyHash).then((body) => {
          guess.body = body;
          settle(body);
        }, failed);
      } catch (error) {
        // A store that throws instead of rejecting must not throw out of a timer callback.
        failed(error);
      }
    });
    this.guess = guess;
  }
}
