/**
 * The queued body starts with the Return-Path the MX or submission prepended (RFC 5321 4.4: only
 * the final delivery adds Return-Path, so a relay must not pass ours on). Removes that first
 * header field, folded continuation lines included, and nothing else.
 */
export function stripReturnPath(message: Buffer): Buffer {
  const text = message.subarray(0, Math.min(message.length, 2048)).toString('latin1');
  if (!/^return-path:/i.test(text)) return message;
  let end = text.indexOf('\r\n');
  // RFC 5322 2.2.3: a line starting with white space continues the field.
  while (end !== -1 && /^[ \t]/.test(text.slice(end + 2, end + 3))) end = text.indexOf('\r\n', end + 2);
  return end === -1 ? message : message.subarray(end + 2);
}

/** The domain of the (first) From header address, lower-cased: the DKIM d= that DMARC aligns with. */
export function fromHeaderDomain(message: Buffer): string | null {
  const headerEnd = message.indexOf('\r\n\r\n');
  const headers = message.subarray(0, headerEnd === -1 ? message.length : headerEnd).toString('latin1');
  const unfolded = headers.replace(/\r\n[ \t]+/g, ' ');
  const from = /^from:(.*)$/im.exec(unfolded)?.[1];
  if (from === undefined) return null;
  const angle = /<[^<>@\s]+@([^<>\s]+)>/.exec(from)?.[1];
  const bare = /[^\s<>"@,;:]+@([A-Za-z0-9.-]+)/.exec(from)?.[1];
  const domain = angle ?? bare;
  return domain === undefined ? null : domain.toLowerCase();
}

/** The domain part of an address (`user@Example.COM` -> `example.com`). */
export function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1).toLowerCase();
}
