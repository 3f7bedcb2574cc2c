/**
 * RFC 5230 vacation: who never gets an automatic reply (4.5, 4.6; RFC 3834 2), the reply's fields
 * (4.3 subject, 4.4 from, 4.2 handle, 4.1 days), and the reply message itself (5: with
 * Auto-Submitted: auto-replied, In-Reply-To, References; sent with the null reverse path).
 * Whether this sender already had a reply within :days is the host's business (it keeps the record).
 */
import { createHash } from 'node:crypto';
import { parseAddressList } from './address.js';
import { VACATION_DEFAULT_DAYS, VACATION_MAX_DAYS, VACATION_MIN_DAYS } from './limits.js';
import type { SieveEnvelope, SieveMessage } from './message.js';

export interface VacationAction {
  type: 'vacation';
  /** Who gets the reply: the envelope sender of the message. */
  to: string;
  /** The From of the reply (RFC 5230 4.4: :from, else the recipient's address). */
  from: string;
  subject: string;
  reason: string;
  /** RFC 5230 4.8: the reason is a whole MIME entity (headers and body). */
  mime: boolean;
  /** Reply at most once per this many days to one sender (RFC 5230 4.1). */
  days: number;
  /** Identifies "the same" vacation for the once-per-period record (RFC 5230 4.2). */
  handle: string;
  /** The Message-ID of the message being answered, for In-Reply-To/References. */
  inReplyTo: string | null;
}

export interface VacationInput {
  days: number | null;
  subject: string | null;
  from: string | null;
  addresses: string[];
  mime: boolean;
  handle: string | null;
  reason: string;
}

/** RFC 5230 4.6 (and common practice): senders that are programs, not people. */
const NEVER_REPLY_LOCALPARTS = [
  /^owner-/i,
  /-request$/i,
  /^mailer-daemon$/i,
  /^listserv$/i,
  /^majordomo$/i,
  /^postmaster$/i,
];
/** RFC 2369 and RFC 2919 list headers: a message with one came through a list (RFC 5230 4.5). */
const LIST_HEADERS = [
  'list-id',
  'list-help',
  'list-subscribe',
  'list-unsubscribe',
  'list-post',
  'list-owner',
  'list-archive',
];
/** RFC 5230 4.5: the recipient must be named in one of these for a reply. */
const RECIPIENT_HEADERS = ['to', 'cc', 'bcc', 'resent-to', 'resent-cc', 'resent-bcc'];

/** Why a vacation produced no reply (for the log), or null when it replies. */
export function vacationRefusal(
  message: SieveMessage,
  envelope: SieveEnvelope,
  myAddresses: readonly string[],
): string | null {
  const sender = envelope.from.toLowerCase();
  // RFC 5230 4.5 / RFC 3834 3.3: never answer the null reverse path (bounces, other auto-replies).
  if (sender === '') return 'null sender';
  const mine = new Set(myAddresses.map((a) => a.toLowerCase()));
  if (mine.has(sender)) return 'sender is the recipient';
  const local = sender.slice(0, Math.max(0, sender.lastIndexOf('@')));
  if (NEVER_REPLY_LOCALPARTS.some((r) => r.test(local))) return 'sender is a program';
  // RFC 3834 2 / RFC 5230 4.5: an auto-submitted message never gets an automatic answer.
  for (const v of message.header('auto-submitted')) {
    if (v.split(';')[0]!.trim().toLowerCase() !== 'no') return 'auto-submitted';
  }
  for (const v of message.header('precedence')) {
    if (/^(bulk|list|junk)$/i.test(v.trim())) return 'bulk precedence';
  }
  if (LIST_HEADERS.some((h) => message.header(h).length > 0)) return 'mailing list';
  // RFC 5230 4.5: reply only when one of the user's addresses is a visible recipient.
  const named = RECIPIENT_HEADERS.flatMap((h) => message.header(h).flatMap(parseAddressList)).map((a) =>
    a.toLowerCase(),
  );
  if (!named.some((a) => mine.has(a))) return 'recipient not named in To/Cc/Bcc';
  return null;
}

/** The reply the vacation command asks for, or null with the reason it must not reply. */
export function vacationAction(
  input: VacationInput,
  message: SieveMessage,
  envelope: SieveEnvelope,
  userAddresses: readonly string[],
): VacationAction | { refused: string } {
  const mine = [envelope.to, ...input.addresses, ...userAddresses].filter((a) => a !== '');
  const refused = vacationRefusal(message, envelope, mine);
  if (refused) return { refused };
  const days = Math.min(VACATION_MAX_DAYS, Math.max(VACATION_MIN_DAYS, input.days ?? VACATION_DEFAULT_DAYS));
  // RFC 5230 4.3: without :subject, "Auto:" and the original subject.
  const original = message.header('subject')[0]?.trim() ?? '';
  const subject = input.subject ?? (original === '' ? 'Automated reply' : `Auto: ${original}`);
  // RFC 5230 4.2: without :handle, the same reason/subject/from/mime are the same vacation.
  const handle =
    input.handle ??
    createHash('sha256')
      .update(JSON.stringify([input.reason, input.subject, input.from, input.mime]))
      .digest('hex')
      .slice(0, 32);
  return {
    type: 'vacation',
    to: envelope.from,
    from: input.from ?? envelope.to,
    subject,
    reason: input.reason,
    mime: input.mime,
    days,
    handle,
    inReplyTo: message.header('message-id')[0]?.trim() ?? null,
  };
}

/** RFC 2047 encoded word for a header value that is not plain ASCII. */
function encodeHeader(value: string): string {
  const clean = value.replace(/[\r\n]+/g, ' ');
  if (/^[\x20-\x7e]*$/.test(clean)) return clean;
  return `=?UTF-8?B?${Buffer.from(clean, 'utf8').toString('base64')}?=`;
}

export interface VacationReplyOptions {
  now: Date;
  /** Right-hand side of the reply's Message-ID. */
  hostname: string;
  /** Unique left-hand side for the Message-ID. */
  id: string;
}

/** The reply message (CRLF line ends), to be queued with the null reverse path to action.to. */
export function buildVacationReply(action: VacationAction, opts: VacationReplyOptions): Buffer {
  const lines = [
    `From: ${encodeHeader(action.from)}`,
    `To: <${action.to}>`,
    `Subject: ${encodeHeader(action.subject)}`,
    `Date: ${opts.now.toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: <${opts.id}@${opts.hostname}>`,
    // RFC 3834 5.1 / RFC 5230 5: the mark that stops other responders answering us.
    'Auto-Submitted: auto-replied (vacation)',
  ];
  if (action.inReplyTo) lines.push(`In-Reply-To: ${action.inReplyTo}`, `References: ${action.inReplyTo}`);
  lines.push('MIME-Version: 1.0');
  let body: string;
  if (action.mime) {
    // RFC 5230 4.8: the reason carries its own MIME headers.
    body = action.reason.replace(/\r?\n/g, '\r\n');
    return Buffer.from(lines.join('\r\n') + '\r\n' + body, 'utf8');
  }
  lines.push('Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit');
  body = action.reason.replace(/\r?\n/g, '\r\n');
  if (!body.endsWith('\r\n')) body += '\r\n';
  return Buffer.from(lines.join('\r\n') + '\r\n\r\n' + body, 'utf8');
}
