import type { ProtocolMetrics } from '@minimail/protocol';

/**
 * Command names counted by `minimail_commands_total` (RFC 5321 4.1 plus the extensions
 * smtp-server implements). Anything else a client sends counts as OTHER, so garbage cannot make
 * a time series per word.
 */
export const SMTP_COMMANDS = [
  'HELO',
  'EHLO',
  'MAIL',
  'RCPT',
  'DATA',
  'BDAT',
  'RSET',
  'NOOP',
  'QUIT',
  'VRFY',
  'HELP',
  'STARTTLS',
  'AUTH',
] as const;

/** The part of smtp-server's bunyan-style logger interface we implement. */
interface BunyanLike {
  trace(...args: unknown[]): void;
  debug(...args: unknown[]): void;
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
  fatal(...args: unknown[]): void;
}

/**
 * smtp-server has no command hook, but it reports every command it parses to its `logger`
 * option as `{ tnx: 'command', command: NAME }` (a documented, bunyan-compatible interface, and
 * the command name is already redacted of arguments). This logger counts those and drops every
 * other record: our own transaction log says what matters, without echoing protocol lines.
 */
export function commandCountingLogger(metrics: ProtocolMetrics): BunyanLike {
  const ignore = (): void => {};
  return {
    trace: ignore,
    debug(entry: unknown) {
      if (typeof entry !== 'object' || entry === null) return;
      const record = entry as { tnx?: unknown; command?: unknown };
      if (record.tnx === 'command' && typeof record.command === 'string') metrics.command(record.command);
    },
    info: ignore,
    warn: ignore,
    error: ignore,
    fatal: ignore,
  };
}
