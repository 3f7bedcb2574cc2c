/**
 * One client's picture of its selected mailbox, built only from what the server told it, and the
 * RFC invariants every response must keep (checked as each response is applied):
 * - RFC 3501 2.3.1.2 / 7.3.1 / 7.4.1: a sequence number is never above the count the client
 *   was told (EXISTS, minus EXPUNGEs); EXISTS never shrinks the count; EXPUNGE names a message.
 * - RFC 3501 2.3.1.1: UIDs ascend with sequence numbers and a message's UID never changes.
 * - RFC 7162 3.1: a message's MODSEQ as told to the client never decreases.
 * - RFC 3501 7.2.6: every keyword in a FETCH FLAGS was listed by FLAGS before, and (read-write)
 *   by PERMANENTFLAGS.
 * - RFC 3501 7.4.1: no EXPUNGE during FETCH, STORE or SEARCH (their UID forms may).
 * - RFC 7162 3.2.10: once QRESYNC is enabled, VANISHED and never EXPUNGE; VANISHED names only
 *   messages the client counts, VANISHED (EARLIER) only UIDs it does not (and only when asked).
 */
import { stringsOf, type Token } from './response-reader.js';

export class Violation extends Error {
  override readonly name = 'Violation';
  /** The client whose model broke the rule, when known (its transcript is printed). */
  constructor(
    message: string,
    readonly client: number | null = null,
  ) {
    super(message);
  }
}

export interface MessageModel {
  /** Null until the server told it (FETCH UID). */
  uid: number | null;
  /** Null until the server told them. Never contains \Recent. */
  flags: Set<string> | null;
  /** Null until told (MODSEQ item). */
  modseq: number | null;
}

/** What a FETCH response told (only the items it carried). */
export interface FetchFacts {
  sequence: number;
  uid?: number;
  flags?: string[];
  modseq?: number;
}

export class MailboxModel {
  messages: MessageModel[] = [];
  /** RFC 3501 7.2.6 FLAGS, as last told. */
  flagList = new Set<string>();
  /** RFC 3501 7.1 PERMANENTFLAGS, as last told. */
  permanentFlags = new Set<string>();
  highestModseq = 0;
  recentCount = 0;
  uidValidity = 0;

  constructor(readonly readOnly: boolean) {}

  get count(): number {
    return this.messages.length;
  }

  exists(count: number): void {
    // RFC 9051 7.4.1 (and 3501 7.3.1): EXISTS reports the new size; it never removes messages.
    if (count < this.count) throw new Violation(`EXISTS ${count} below the known count ${this.count}`);
    while (this.messages.length < count) this.messages.push({ uid: null, flags: null, modseq: null });
  }

  expunge(sequence: number): MessageModel {
    this.checkSequence(sequence, 'EXPUNGE');
    return this.messages.splice(sequence - 1, 1)[0] as MessageModel;
  }

  /**
   * RFC 7162 3.2.10: VANISHED removes the message with this UID. A message the client never
   * learnt the UID of may be the one: among the messages between the nearest known UIDs below
   * and above it, any one whose UID is unknown. They are alike unless the client assumed flags
   * for one (its own STORE .SILENT by sequence number, which the server rightly leaves unanswered
   * when that message was already expunged elsewhere): then the client cannot tell which one
   * went, so what it assumed about the others is forgotten (null: unknown, not checked).
   */
  vanish(uid: number): void {
    const known = this.sequenceOfUid(uid);
    if (known !== null) {
      this.messages.splice(known - 1, 1);
      return;
    }
    let low = -1;
    let high = this.messages.length;
    this.messages.forEach((message, index) => {
      if (message.uid === null) return;
      if (message.uid < uid) low = index;
      else if (message.uid > uid && high === this.messages.length) high = index;
    });
    const candidates: MessageModel[] = [];
    for (let index = low + 1; index < high; index += 1) {
      const message = this.messages[index];
      if (message?.uid === null) candidates.push(message);
    }
    const removed = candidates[0];
    if (removed !== undefined) {
      this.messages.splice(this.messages.indexOf(removed), 1);
      const alike =
        candidates.length === 1 ||
        candidates.every((message) => message.flags === null && message.modseq === null);
      if (!alike)
        for (const message of candidates) {
          message.flags = null;
          message.modseq = null;
        }
      return;
    }
    throw new Violation(`VANISHED names UID ${uid}, which the client does not count`);
  }

  checkSequence(sequence: number, what: string): void {
    if (!Number.isInteger(sequence) || sequence < 1 || sequence > this.count)
      throw new Violation(`${what} names message ${sequence} but the client knows ${this.count}`);
  }

  fetch(facts: FetchFacts): MessageModel {
    this.checkSequence(facts.sequence, 'FETCH');
    const message = this.messages[facts.sequence - 1] as MessageModel;
    if (facts.uid !== undefined) {
      if (message.uid !== null && message.uid !== facts.uid)
        throw new Violation(`message ${facts.sequence} had UID ${message.uid}, now told UID ${facts.uid}`);
      this.checkUidOrder(facts.sequence, facts.uid);
      message.uid = facts.uid;
    }
    if (facts.flags !== undefined) {
      for (const flag of facts.flags) {
        if (flag.startsWith('\\')) continue;
        if (!this.flagList.has(flag))
          throw new Violation(`keyword ${flag} in FETCH FLAGS was never announced by FLAGS`);
        if (!this.readOnly && !this.permanentFlags.has(flag))
          throw new Violation(`keyword ${flag} in FETCH FLAGS was never listed by PERMANENTFLAGS`);
      }
      message.flags = new Set(facts.flags.filter((flag) => flag !== '\\Recent'));
    }
    if (facts.modseq !== undefined) {
      if (message.modseq !== null && facts.modseq < message.modseq)
        throw new Violation(
          `MODSEQ of message ${facts.sequence} (UID ${message.uid ?? '?'}) went back from ${message.modseq} to ${facts.modseq}`,
        );
      message.modseq = facts.modseq;
    }
    return message;
  }

  private checkUidOrder(sequence: number, uid: number): void {
    for (let i = sequence - 2; i >= 0; i -= 1) {
      const before = this.messages[i]?.uid;
      if (before === null || before === undefined) continue;
      if (before >= uid)
        throw new Violation(`UID ${uid} at ${sequence} is not above UID ${before} at ${i + 1}`);
      break;
    }
    for (let i = sequence; i < this.messages.length; i += 1) {
      const after = this.messages[i]?.uid;
      if (after === null || after === undefined) continue;
      if (after <= uid)
        throw new Violation(`UID ${uid} at ${sequence} is not below UID ${after} at ${i + 1}`);
      break;
    }
  }

  sequenceOfUid(uid: number): number | null {
    const index = this.messages.findIndex((message) => message.uid === uid);
    return index === -1 ? null : index + 1;
  }
}

/** The items of a FETCH response's attribute list (`(UID 4 FLAGS (\Seen) MODSEQ (14) ...)`). */
export function fetchFacts(sequence: number, attributes: Token | undefined): FetchFacts {
  if (!Array.isArray(attributes)) throw new Violation(`FETCH ${sequence} without an attribute list`);
  const facts: FetchFacts = { sequence };
  for (let i = 0; i < attributes.length; i += 2) {
    const name = attributes[i];
    const value = attributes[i + 1];
    if (typeof name !== 'string')
      throw new Violation(`FETCH item name is not an atom: ${JSON.stringify(name)}`);
    switch (name.toUpperCase()) {
      case 'UID':
        facts.uid = Number(value);
        break;
      case 'FLAGS':
        facts.flags = stringsOf(value);
        break;
      case 'MODSEQ':
        facts.modseq = Number(stringsOf(value)[0]);
        break;
    }
  }
  return facts;
}
