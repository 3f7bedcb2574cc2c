import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, sessionLogger } from './logging.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, destination };
}

describe('createLogger', () => {
  it('redacts credentials at the top level and one level down', () => {
    const { lines, destination } = capture();
    const logger = createLogger({ destination, name: 'minimail' });
    logger.info(
      {
        password: 'p1',
        pass: 'p2',
        auth: 'AGFsaWNlAHNlY3JldA==',
        authorization: 'Basic x',
        user: { password: 'p3' },
        ok: 'visible',
      },
      'login',
    );
    expect(lines[0]).toMatchObject({
      name: 'minimail',
      msg: 'login',
      password: '***',
      pass: '***',
      auth: '***',
      authorization: '***',
      user: { password: '***' },
      ok: 'visible',
    });
  });

  it('adds session fields to every line of a session logger', () => {
    const { lines, destination } = capture();
    const log = sessionLogger(createLogger({ destination, level: 'debug' }), {
      cid: 'abc123',
      proto: 'imap',
      remote: '192.0.2.1',
    });
    log.debug({ command: 'NOOP' }, 'command');
    expect(lines[0]).toMatchObject({
      level: 20,
      cid: 'abc123',
      proto: 'imap',
      remote: '192.0.2.1',
      command: 'NOOP',
    });
  });
});
