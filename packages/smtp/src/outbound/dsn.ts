import { randomBytes } from 'node:crypto';
import { rfc5322Date } from '../received-header.js';
import { MAX_RETURNED_HEADER_BYTES, MAX_RETURNED_MESSAGE_BYTES } from './limits.js';

/** One recipient's line in a delivery status notification (RFC 3464 2.3). */
export interface DsnRecipient {
  address: string;
  /**
   * RFC 3464 2.3.3: failed = bounced for good; delayed = still trying; delivered = in the
   * mailbox (RFC 3461 NOTIFY=SUCCESS); relayed = handed to a next hop that takes no DSN request.
   */
  action: 'failed' | 'delayed' | 'delivered' | 'relayed';
  /** RFC 3463 status, e.g. `5.1.1`. */
  status: string;
  /** The remote server's reply (`smtp; 550 5.1.1 ...`) or our own reason. */
  diagnostic: string;
  /** The host that answered, if any (RFC 3464 2.3.5 Remote-MTA). */
  remoteMta?: string;
  /** RFC 3461 ORCPT (`rfc822;` + address, xtext decoded): RFC 3464 2.3.1 Original-Recipient. */
  originalRecipient?: string;
}

export interface DsnInput {
  /** Our host name: Reporting-MTA and the From address's domain. */
  reportingMta: string;
  /** Who gets the report: the original envelope sender (never empty: null senders get no DSN). */
  to: string;
  recipients: DsnRecipient[];
  /** The original message, as queued (trace headers stripped or not). */
  original: Buffer;
  arrivalDate: Date;
  now?: Date;
  /** RFC 3461 4.4 ENVID (xtext decoded): RFC 3464 2.2.1 Original-Envelope-Id. */
  envid?: string;
  /** RFC 3461 4.3 RET=FULL: a failure report returns the whole message, not only its headers. */
  returnFull?: boolean;
}

/**
 * Builds an RFC 3464 delivery status notification: multipart/report (RFC 6522) with a readable
 * explanation, a message/delivery-status part and the original headers as text/rfc822-headers.
 * Mail clients (Thunderbird, Apple Mail, Outlook) recognise this shape and show it as a bounce.
 * The caller sends it with the null reverse-path (RFC 5321 4.5.5) so it can never bounce back.
 */
export function buildDsn(input: DsnInput): Buffer {
  const now = input.now ?? new Date();
  const failed = input.recipients.some((recipient) => recipient.action === 'failed');
  const delayed = input.recipients.some((recipient) => recipient.action === 'delayed');
  const boundary = `=_minimail_dsn_${randomBytes(12).toString('hex')}`;
  const subject = failed
    ? 'Undelivered Mail Returned to Sender'
    : delayed
      ? 'Delayed Mail (still being retried)'
      : 'Successful Mail Delivery Report';
  // RFC 3461 4.3: RET applies to failure reports; other reports carry the headers only.
  const full = failed && input.returnFull === true;
  const header = [
    `From: Mail Delivery System <MAILER-DAEMON@${input.reportingMta}>`,
    `To: <${input.to}>`,
    `Subject: ${subject}`,
    `Date: ${rfc5322Date(now)}`,
    `Message-ID: <${randomBytes(12).toString('hex')}@${input.reportingMta}>`,
    // RFC 3834 5: automatic replies to this must not be sent.
    'Auto-Submitted: auto-replied',
    'MIME-Version: 1.0',
    `Content-Type: multipart/report; report-type=delivery-status;\r\n\tboundary="${boundary}"`,
  ];
  const explanation = failed
    ? [
        `This is the mail system at host ${input.reportingMta}.`,
        '',
        'Your message could not be delivered to one or more recipients.',
        'It is attached below (headers only).',
      ]
    : delayed
      ? [
          `This is the mail system at host ${input.reportingMta}.`,
          '',
          'Your message has not been delivered yet to the recipients below.',
          'Delivery is still being retried; you do not need to send it again.',
        ]
      : [
          `This is the mail system at host ${input.reportingMta}.`,
          '',
          'Your message was delivered (or handed on) as you asked to be told (RFC 3461 NOTIFY=SUCCESS).',
        ];
  for (const recipient of input.recipients) {
    explanation.push('', `<${recipient.address}>: ${recipient.diagnostic}`);
  }
  // RFC 3464 2.2: per-message fields, then one block per recipient separated by blank lines.
  const status = [
    ...(input.envid !== undefined ? [`Original-Envelope-Id: ${oneLine(input.envid)}`] : []),
    `Reporting-MTA: dns; ${input.reportingMta}`,
    `Arrival-Date: ${rfc5322Date(input.arrivalDate)}`,
  ];
  for (const recipient of input.recipients) {
    status.push(
      '',
      ...(recipient.originalRecipient !== undefined
        ? [`Original-Recipient: ${oneLine(recipient.originalRecipient)}`]
        : []),
      `Final-Recipient: rfc822; ${recipient.address}`,
      `Action: ${recipient.action}`,
      `Status: ${recipient.status}`,
      ...(recipient.remoteMta !== undefined ? [`Remote-MTA: dns; ${recipient.remoteMta}`] : []),
      `Diagnostic-Code: smtp; ${oneLine(recipient.diagnostic)}`,
    );
  }
  const before = [
    header.join('\r\n'),
    '',
    'This is a MIME-encapsulated message.',
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    'Content-Description: Notification',
    '',
    explanation.join('\r\n'),
    '',
    `--${boundary}`,
    'Content-Type: message/delivery-status',
    'Content-Description: Delivery report',
    '',
    status.join('\r\n'),
    '',
    `--${boundary}`,
    full ? 'Content-Type: message/rfc822' : 'Content-Type: text/rfc822-headers',
    full ? 'Content-Description: Undelivered Message' : 'Content-Description: Message Headers',
    '',
    '',
  ];
  // The original bytes go back exactly as they came (8-bit headers are not re-encoded).
  return Buffer.concat([
    Buffer.from(before.join('\r\n'), 'utf8'),
    full
      ? withFinalCrlf(input.original.subarray(0, MAX_RETURNED_MESSAGE_BYTES))
      : originalHeaders(input.original),
    // RFC 2046 5.1.1: the CRLF before a boundary belongs to it, so the headers keep their own.
    Buffer.from(`\r\n--${boundary}--\r\n`, 'latin1'),
  ]);
}

/** The header block of a message (up to its blank line), bounded, ending in CRLF. */
export function originalHeaders(message: Buffer): Buffer {
  const bounded = message.subarray(0, MAX_RETURNED_HEADER_BYTES);
  const end = bounded.indexOf('\r\n\r\n');
  const headers = end === -1 ? bounded : bounded.subarray(0, end + 2);
  return headers.subarray(headers.length - 2).toString('latin1') === '\r\n'
    ? headers
    : Buffer.concat([headers, Buffer.from('\r\n')]);
}

function withFinalCrlf(bytes: Buffer): Buffer {
  return bytes.subarray(bytes.length - 2).toString('latin1') === '\r\n'
    ? bytes
    : Buffer.concat([bytes, Buffer.from('\r\n')]);
}

/** A diagnostic is one header field: folded line breaks and control characters would break it. */
function oneLine(text: string): string {
  return text
    .replace(/[\r\n\t]+/g, ' ')
    .replace(/[^\x20-\x7e]/g, '?')
    .trim();
}
