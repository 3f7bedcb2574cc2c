import { pino, type Logger } from 'pino';

/** Paths whose values never reach a log line (credentials), wherever a component logs them. */
export const REDACTED_PATHS = [
  'password',
  'pass',
  '*.password',
  '*.pass',
  'auth.credentials',
  'authorization',
  '*.authorization',
];

export function createAppLogger(level: string): Logger {
  return pino({
    level,
    base: { app: 'minimail' },
    redact: { paths: REDACTED_PATHS, censor: '***' },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}
