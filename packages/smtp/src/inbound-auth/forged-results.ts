/**
 * RFC 8601 5: a receiving MTA must remove (or rename) Authentication-Results fields that carry its
 * own authserv-id before adding its own, or a sender could forge "dkim=pass" from us. Only fields
 * of the message's header block are looked at; everything else stays byte for byte.
 */
export function removeForgedResults(message: Buffer, authservId: string): Buffer {
  // Only the header block is decoded: the body is not looked at, so it is not copied either.
  const headerEnd = message.indexOf('\r\n\r\n');
  const headerBytes = headerEnd === -1 ? message.length : headerEnd + 2;
  const headerBlock = message.toString('latin1', 0, headerBytes);
  // One field: its first line plus folded continuation lines (RFC 5322 2.2.3).
  const fields = headerBlock.match(/[^\r\n]*\r\n(?:[ \t][^\r\n]*\r\n)*/g) ?? [];
  const wanted = authservId.toLowerCase();
  const kept = fields.filter((field) => {
    const match = /^authentication-results:\s*([^\s;]+)/i.exec(field.replace(/\r\n[ \t]+/g, ' '));
    return match === null || match[1]?.toLowerCase() !== wanted;
  });
  if (kept.length === fields.length) return message;
  return Buffer.concat([Buffer.from(kept.join(''), 'latin1'), message.subarray(headerBytes)]);
}
