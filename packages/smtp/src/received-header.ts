import { MAX_HELO_NAME_IN_HEADER } from './limits.js';

export interface ReceivedInfo {
  /** The name the client gave in HELO/EHLO (untrusted, sanitized here). */
  heloName: string;
  /** The client's IP address as seen on the socket. */
  remoteAddress: string;
  /** Our own host name. */
  hostname: string;
  /** Whether the client used EHLO (ESMTP) rather than HELO (SMTP). */
  esmtp: boolean;
  secure: boolean;
  authenticated: boolean;
  /** The session id, so a Received line can be matched to our log line. */
  id: string;
  /** The only recipient, or null when there are several (RFC 5321 4.4 privacy note). */
  singleRecipient: string | null;
  date: Date;
}

/**
 * RFC 3848 "with" protocol names: ESMTP, plus S for TLS, plus A for an authenticated client.
 * Plain HELO sessions are SMTP; TLS or AUTH need EHLO, so those only combine with ESMTP.
 */
export function transmissionType(info: Pick<ReceivedInfo, 'esmtp' | 'secure' | 'authenticated'>): string {
  if (!info.esmtp) return 'SMTP';
  return `ESMTP${info.secure ? 'S' : ''}${info.authenticated ? 'A' : ''}`;
}

/**
 * The Received trace header (RFC 5321 4.4), folded, ending in CRLF:
 *   Received: from helo.name ([192.0.2.1])
 *           by mx.example.com with ESMTPS id 0a1b2c
 *           for <bob@example.com>; Tue, 24 Nov 2026 23:40:00 +0000
 */
export function receivedHeader(info: ReceivedInfo): string {
  // RFC 5321 4.4: TCP-info is the address literal of the connection, IPv6 with its tag.
  const literal = info.remoteAddress.includes(':')
    ? `[IPv6:${info.remoteAddress}]`
    : `[${info.remoteAddress}]`;
  const lines = [
    `Received: from ${sanitizeHeloName(info.heloName)} (${literal})`,
    `\tby ${info.hostname} with ${transmissionType(info)} id ${info.id}`,
  ];
  const date = rfc5322Date(info.date);
  if (info.singleRecipient !== null) {
    lines.push(`\tfor <${info.singleRecipient}>; ${date}`);
  } else {
    lines[lines.length - 1] += `; ${date}`;
  }
  return lines.join('\r\n') + '\r\n';
}

/**
 * The HELO name is whatever the client typed: keep only characters of a domain or address
 * literal, so nothing it sends can break the header or inject another one.
 */
function sanitizeHeloName(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9.\-_:[\]]/g, '').slice(0, MAX_HELO_NAME_IN_HEADER);
  return cleaned.length > 0 ? cleaned : 'unknown';
}

/** The last date formatted (an invalid date's NaN second never matches, so it is never reused). */
const lastDate = { second: Number.NaN, text: '' };

/**
 * RFC 5322 3.3 date-time in UTC: `Tue, 24 Nov 2026 23:40:00 +0000`. toUTCString() already has the
 * RFC 5322 shape (ECMA-262 21.4.4.43); only the obsolete zone name `GMT` becomes the numeric zone.
 */
export function rfc5322Date(date: Date): string {
  const second = Math.floor(date.getTime() / 1000);
  // Every message received in the same second has the same date text: format it once per second.
  if (second !== lastDate.second) {
    lastDate.second = second;
    lastDate.text = date.toUTCString().replace('GMT', '+0000');
  }
  return lastDate.text;
}

/** RFC 5321 4.4: the final delivery records the envelope sender; `<>` for the null sender. */
export function returnPathHeader(sender: string): string {
  return `Return-Path: <${sender}>\r\n`;
}
