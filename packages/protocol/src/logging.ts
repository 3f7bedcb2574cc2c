import { pino } from 'pino';

export type Logger = pino.Logger;

/**
 * Log field names that may hold credentials: censored at the top level and one level down in
 * every record (e.g. `{ user: { password } }`), and at the top level of a child logger's bindings.
 */
export const REDACTED_KEYS: readonly string[] = [
  'password',
  'pass',
  'passwd',
  'auth',
  'authorization',
  'credentials',
  'secret',
];

export const REDACTION_CENSOR = '***';

const REDACTED = new Set(REDACTED_KEYS);

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
    // Records are censored by one walk (redactCredentials). pino's own `redact` keeps only the
    // top-level paths, for child loggers' bindings (pino formats those once, without `formatters`):
    // with `*.key` wildcard paths it re-parsed every path for every key of every record, measured
    // 11.8 us per SMTP transaction record against 2.8 us this way.
    redact: { paths: [...REDACTED_KEYS], censor: REDACTION_CENSOR },
    formatters: { log: redactCredentials },
  };
  if (options.name !== undefined) settings.name = options.name;
  return options.destination ? pino(settings, options.destination) : pino(settings);
}

/**
 * The record with every REDACTED_KEYS field, at the top level or one level down, replaced by the
 * censor. Copies only what it changes; a changed object keeps its prototype and every own
 * property (an Error keeps its message and stack for pino's serializer).
 */
export function redactCredentials(record: Record<string, unknown>): Record<string, unknown> {
  let result = record;
  for (const key of Object.keys(record)) {
    const value = record[key];
    let replacement: unknown = value;
    if (REDACTED.has(key)) replacement = REDACTION_CENSOR;
    else if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      replacement = redactedCopy(value);
    }
    if (replacement !== value) {
      if (result === record) result = { ...record };
      result[key] = replacement;
    }
  }
  return result;
}

/** `value` itself when none of its own keys is a credential, else a censored copy. */
function redactedCopy(value: object): object {
  const keys = Object.keys(value).filter((key) => REDACTED.has(key));
  if (keys.length === 0) return value;
  const properties: PropertyDescriptorMap = Object.getOwnPropertyDescriptors(value);
  for (const key of keys) {
    properties[key] = { value: REDACTION_CENSOR, enumerable: true, writable: true, configurable: true };
  }
  return Object.create(Object.getPrototypeOf(value) as object | null, properties) as object;
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
