import { pino } from 'pino';

export type Logger = pino.Logger;

/**
 * Log fields that may hold credentials, at the top level and one level down (e.g. `{ user: {
 * password } }`). pino's redaction works on paths, so the likely shapes are listed.
 */
export const REDACTED_PATHS: readonly string[] = [
  'password',
  'pass',
  'passwd',
  'auth',
  'authorization',
  'credentials',
  'secret',
].flatMap((key) => [key, `*.${key}`]);

export const REDACTION_CENSOR = '***';

export interface CreateLoggerOptions {
  /** Defaults to 'info'. */
  level?: pino.LevelWithSilent;
  /** Added to every line as `name`, e.g. 'minimail'. */
  name?: string;
  /** Where lines go; defaults to stdout. Tests pass a stream to read them back. */
  destination?: pino.DestinationStream;
}

/** The app's root logger; packages receive it (or a child) through their options. */
export function createLogger(options: CreateLoggerOptions = {}): Logger {
  const settings: pino.LoggerOptions = {
    level: options.level ?? 'info',
    redact: { paths: [...REDACTED_PATHS], censor: REDACTION_CENSOR },
  };
  if (options.name !== undefined) settings.name = options.name;
  return options.destination ? pino(settings, options.destination) : pino(settings);
}

export interface SessionLogFields {
  /** Session id (createSessionId), the key that ties a conversation's lines together. */
  cid: string;
  proto: 'smtp' | 'submission' | 'pop3' | 'imap' | (string & {});
  /** Client address. */
  remote: string;
}

/** A per-connection child logger carrying the session's id, protocol and peer on every line. */
export function sessionLogger(logger: Logger, fields: SessionLogFields): Logger {
  return logger.child({ cid: fields.cid, proto: fields.proto, remote: fields.remote });
}
