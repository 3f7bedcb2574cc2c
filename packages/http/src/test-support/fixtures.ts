import type { MailStore } from '@minimail/store';

/** A 1x1 PNG (70 bytes): small, and a real image a browser decodes (naturalWidth 1). */
export const PNG_1X1 = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==',
  'base64',
);

/** An attachment whose bytes cover every octet value, to prove downloads are byte-exact. */
export const BINARY_ATTACHMENT = Buffer.from(Array.from({ length: 512 }, (_, i) => i % 256));

/**
 * A newsletter-like message: text and HTML alternatives (the HTML with a link, a cid: image, a
 * remote image, a script and an onerror handler that must never run), and a binary attachment.
 */
export function richMessage(options: {
  to: string;
  subject: string;
  link: string;
  extraText?: string;
}): string {
  const wrap = (b64: string) => b64.replace(/.{1,76}/g, '$&\r\n');
  return [
    'From: "Shop" <noreply@shop.test>',
    `To: ${options.to}`,
    `Subject: ${options.subject}`,
    'Date: Tue, 24 Nov 2026 10:00:00 +0000',
    'Message-ID: <rich-1@shop.test>',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="mixed"',
    '',
    '--mixed',
    'Content-Type: multipart/related; boundary="related"',
    '',
    '--related',
    'Content-Type: multipart/alternative; boundary="alt"',
    '',
    '--alt',
    'Content-Type: text/plain; charset=utf-8',
    '',
    `Please confirm: ${options.link}`,
    options.extraText ?? '',
    '--alt',
    'Content-Type: text/html; charset=utf-8',
    '',
    '<html><head><title>t</title></head><body>',
    `<p id="greeting">Welcome!</p><p><a id="confirm" href="${options.link}">Confirm your address</a></p>`,
    '<p><img id="logo" src="cid:logo@shop.test" alt="logo"></p>',
    '<p><img id="remote" src="http://127.0.0.1:9/track.png" alt="tracker"></p>',
    '<script>parent.postMessage("script-ran", "*"); document.title = "pwned";</script>',
    '<img id="broken" src="cid:missing" onerror="parent.postMessage(\'onerror-ran\', \'*\'); document.title = \'pwned\'">',
    '</body></html>',
    '--alt--',
    '--related',
    'Content-Type: image/png',
    'Content-ID: <logo@shop.test>',
    'Content-Disposition: inline',
    'Content-Transfer-Encoding: base64',
    '',
    wrap(PNG_1X1.toString('base64')).trimEnd(),
    '--related--',
    '--mixed',
    'Content-Type: application/octet-stream; name="data.bin"',
    'Content-Disposition: attachment; filename="data.bin"',
    'Content-Transfer-Encoding: base64',
    '',
    wrap(BINARY_ATTACHMENT.toString('base64')).trimEnd(),
    '--mixed--',
    '',
  ].join('\r\n');
}

/** Delivers one message to several recipients' INBOXes in one delivery (one row, several copies). */
export async function deliverToMany(
  store: MailStore,
  addresses: string[],
  raw: string,
  internalDate?: Date,
): Promise<void> {
  const users = await Promise.all(addresses.map((address) => store.ensureUser(address)));
  await store.deliver({
    raw: Buffer.from(raw.replace(/\r?\n/g, '\r\n')),
    targets: users.map((user) => ({ userId: user.id })),
    ...(internalDate ? { internalDate } : {}),
  });
}

/** A plain text message. */
export function plainMessage(from: string, to: string, subject: string, body: string): string {
  return `From: ${from}\r\nTo: ${to}\r\nSubject: ${subject}\r\nDate: Tue, 24 Nov 2026 10:00:00 +0000\r\n\r\n${body}\r\n`;
}
