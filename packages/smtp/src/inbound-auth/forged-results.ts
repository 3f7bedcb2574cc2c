/**
 * RFC 8601 5: a receiving MTA must remove (or rename) Authentication-Results fields that carry its
 * own authserv-id before adding its own, or a sender could forge "dkim=pass" from us. Only fields
 * of the message's header block are looked at; everything else stays byte for byte.
 */
export function removeForgedResults(message: Buffer, authservId: string): Buffer {
  const text = message.toString('latin1');
  const headerEnd = text.indexOf('\r\n\r\n');
  const headerBlock = headerEnd === -1 ? text : text.slice(0, headerEnd + 2);
  // One field: its first line plus folded continuation lines (RFC 5322 2.2.3).
  const fields = headerBlock.match(/[^\r\n]*\r\n(?:[ \t][^\r\n]*\r\n)*/g) ?? [];
  const wanted = authservId.toLowerCase();
  const kept = fields.filter((field) => {
    const match = /^authentication-results:\s*([^\s;]+)/i.exec(field.replace(/\r\n[ \t]+/g, ' '));
    return match === null || match[1]?.toLowerCase() !== wanted;
  });
  if (kept.length === fields.length) return message;
  return Buffer.from(kept.join('') + text.slice(headerBlock.length), 'latin1');
}
