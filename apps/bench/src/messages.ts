/**
 * Test mail: every message unique (minimail stores bodies by content hash, so repeated bytes
 * would be stored once and flatter it), CRLF line endings, lines of 76 characters like a
 * base64 attachment, no line starting with "." (no dot-stuffing needed).
 */

const LINE = 'QmVuY2htYXJrIGJvZHkgdGV4dCBmb3IgbWluaW1haWwsIG9uZSBsaW5lIG9mIGJhc2U2NCBsaWtlIGF0dGFj';

function filler(bytes: number): string {
  const lines: string[] = [];
  let size = 0;
  while (size < bytes) {
    lines.push(LINE);
    size += LINE.length + 2;
  }
  return lines.join('\r\n') + '\r\n';
}

const fillers = new Map<number, string>();

/** A message of about `bytes` octets whose headers make it unique. */
export function benchMessage(index: number, bytes: number, to = 'user@bench.test'): Buffer {
  const head =
    `From: Bench Sender <sender@load.test>\r\n` +
    `To: <${to}>\r\n` +
    `Subject: bench message ${index} ${process.pid}\r\n` +
    `Date: Wed, 25 Nov 2026 00:00:00 +0000\r\n` +
    `Message-ID: <${index}.${process.pid}.${Date.now()}@load.test>\r\n` +
    `MIME-Version: 1.0\r\n` +
    `Content-Type: text/plain; charset=us-ascii\r\n` +
    `\r\n`;
  const bodyBytes = Math.max(0, bytes - head.length);
  let body = fillers.get(bodyBytes);
  if (body === undefined) {
    body = filler(bodyBytes);
    fillers.set(bodyBytes, body);
  }
  return Buffer.from(head + body, 'latin1');
}
