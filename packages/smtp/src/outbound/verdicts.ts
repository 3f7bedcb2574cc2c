import type { SendOutcome } from './smtp-client.js';

/** What became of each recipient of a group after one attempt. */
export type Verdict =
  /** `dsnPassed`: the next hop took the DSN request on (RFC 3461 5.2), so it reports success. */
  | { kind: 'delivered'; remoteMta?: string; dsnPassed?: boolean }
  | { kind: 'temporary'; diagnostic: string; remoteMta?: string }
  | { kind: 'permanent'; status: string; diagnostic: string; remoteMta?: string };

/** Verdicts from a transaction the server took: accepted, or refused per RCPT reply class. */
export function perRecipient(outcome: SendOutcome, recipients: string[], mta: string): Map<string, Verdict> {
  const verdicts = new Map<string, Verdict>();
  const accepted = new Set(outcome.accepted.map((address) => address.toLowerCase()));
  const refused = new Map(outcome.rejected.map((rejection) => [rejection.address.toLowerCase(), rejection]));
  for (const recipient of recipients) {
    const rejection = refused.get(recipient.toLowerCase());
    if (accepted.has(recipient.toLowerCase()) && rejection === undefined) {
      verdicts.set(recipient, { kind: 'delivered', remoteMta: mta, dsnPassed: outcome.dsnPassed === true });
    } else if (rejection !== undefined && rejection.code >= 500) {
      verdicts.set(recipient, {
        kind: 'permanent',
        status: enhancedStatus(rejection.reply, rejection.code),
        diagnostic: rejection.reply,
        remoteMta: mta,
      });
    } else {
      verdicts.set(recipient, {
        kind: 'temporary',
        diagnostic: rejection?.reply ?? 'recipient not confirmed by the server',
        remoteMta: mta,
      });
    }
  }
  return verdicts;
}

/** RFC 3463 codes for replies that carry none, where the reply code alone says what went wrong. */
const STATUS_BY_REPLY_CODE: Record<number, string> = {
  /** RFC 1870 6.1: message too big for the server. */
  552: '5.3.4',
  /** RFC 5321 4.2.2: insufficient system storage. */
  452: '4.3.1',
  /** RFC 5321 4.2.2: service not available, closing (4.4.2: connection dropped). */
  421: '4.4.2',
};

/** The RFC 3463 code in a reply (`550 5.1.1 ...`), else one for the reply code or its class. */
export function enhancedStatus(reply: string, code: number): string {
  const found = /\b([245]\.\d{1,3}\.\d{1,3})\b/.exec(reply)?.[1];
  if (found !== undefined) return found;
  return STATUS_BY_REPLY_CODE[code] ?? (code >= 500 ? '5.0.0' : '4.0.0');
}
