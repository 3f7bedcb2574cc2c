import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../logging.js';

/**
 * A logger made by createLogger (with its redaction, so tests read what an operator would) whose
 * every record lands, parsed, in `records`.
 */
export function capturingLogger(level: 'error' | 'info' | 'debug'): {
  logger: Logger;
  records: Array<Record<string, unknown>>;
} {
  const records: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n'))
        if (line !== '') records.push(JSON.parse(line) as Record<string, unknown>);
      callback();
    },
  });
  return { logger: createLogger({ level, destination }), records };
}
