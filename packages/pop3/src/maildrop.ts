import type { MessageSummary } from '@minimail/store';

/** One message as this session numbers it. */
export interface MaildropMessage {
  /** RFC 1939 5: message numbers run 1..N over the snapshot taken at login. */
  number: number;
  uid: number;
  /** Octets exactly as RETR sends them (stored with CRLF line endings, RFC 1939 11). */
  size: number;
  bodyHash: string;
  /** RFC 1939 7 (UIDL): stable across sessions; see uniqueId(). */
  uniqueId: string;
}

export type MessageLookup =
  { ok: true; message: MaildropMessage } | { ok: false; reason: 'no-such' | 'deleted' };

/**
 * RFC 1939 7 (UIDL): a unique-id is 1 to 70 characters in 0x21..0x7E and must never be reused for
 * another message in the maildrop. "<uidvalidity>.<uid>" is exactly that: UIDs never repeat within
 * a UIDVALIDITY, and a new UIDVALIDITY changes every id (clients then re-download, which is right).
 */
export function uniqueId(uidValidity: number, uid: number): string {
  return `${uidValidity}.${uid}`;
}

/**
 * The maildrop as one session sees it: the snapshot of INBOX taken at login (new mail waits for
 * the next session, RFC 1939 8) and the messages marked deleted, which are removed only in the
 * UPDATE state.
 */
export class Maildrop {
  readonly mailboxId: number;
  private readonly messages: readonly MaildropMessage[];
  private readonly deleted = new Set<number>();
  /** RETR count for the session-end log line. */
  retrieved = 0;

  constructor(mailboxId: number, uidValidity: number, summaries: readonly MessageSummary[]) {
    this.mailboxId = mailboxId;
    this.messages = summaries.map((summary, index) => ({
      number: index + 1,
      uid: summary.uid,
      size: summary.size,
      bodyHash: summary.bodyHash,
      uniqueId: uniqueId(uidValidity, summary.uid),
    }));
  }

  /** RFC 1939 5: a message marked deleted may not be referred to by any later command. */
  lookup(number: number): MessageLookup {
    const message = this.messages[number - 1];
    if (!message) return { ok: false, reason: 'no-such' };
    if (this.deleted.has(number)) return { ok: false, reason: 'deleted' };
    return { ok: true, message };
  }

  /** The first message after `number` not marked deleted (what a downloading client asks for next). */
  nextLive(number: number): MaildropMessage | undefined {
    for (let next = number + 1; next <= this.messages.length; next += 1) {
      if (!this.deleted.has(next)) return this.messages[next - 1];
    }
    return undefined;
  }

  /** Messages not marked deleted, in number order. */
  live(): MaildropMessage[] {
    return this.messages.filter((message) => !this.deleted.has(message.number));
  }

  /** RFC 1939 5 (STAT): count and total octets of the messages not marked deleted. */
  stat(): { count: number; octets: number } {
    let count = 0;
    let octets = 0;
    for (const message of this.messages) {
      if (this.deleted.has(message.number)) continue;
      count += 1;
      octets += message.size;
    }
    return { count, octets };
  }

  markDeleted(number: number): void {
    this.deleted.add(number);
  }

  /** RFC 1939 5 (RSET): unmark every message marked deleted. */
  reset(): void {
    this.deleted.clear();
  }

  /** UIDs to expunge in the UPDATE state. */
  deletedUids(): number[] {
    return this.messages.filter((message) => this.deleted.has(message.number)).map((message) => message.uid);
  }
}
