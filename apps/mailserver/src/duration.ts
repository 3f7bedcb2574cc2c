/**
 * Durations as the configuration writes them (`300ms`, `5s`, `10m`, `4h`, `5d`). The format is the
 * app's, so the app parses it: importing it from @minimail/smtp loaded the whole SMTP stack
 * (smtp-server, nodemailer, mailauth) into every process, IMAP-only ones too: measured 106.7 ->
 * 83.6 MiB RSS at start of `serve --services imap` once it no longer did.
 */
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds in `text`, or an Error whose message says what a duration looks like. */
export function parseDuration(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/.exec(text);
  if (match === null) throw new Error(`"${text}" is not a duration like 300ms, 5s, 10m, 4h or 5d`);
  return Math.round(Number(match[1]) * (UNIT_MS[match[2] ?? 's'] ?? 1));
}
