import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, redactCredentials, sessionLogger } from './logging.js';

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

  it('redacts child bindings, and credentials on an Error while keeping its message and stack', () => {
    const { lines, destination } = capture();
    const logger = createLogger({ destination }).child({
      secret: 's',
      peer: 'h',
    });
    const error = Object.assign(new Error('boom'), { password: 'p', code: 'E1' });
    logger.warn({ err: error, list: [{ password: 'in an array stays' }] }, 'failed');
    expect(lines[0]).toMatchObject({
      secret: '***',
      peer: 'h',
      err: { type: 'Error', message: 'boom', password: '***', code: 'E1' },
      list: [{ password: 'in an array stays' }],
      msg: 'failed',
    });
    expect(String((lines[0]?.['err'] as { stack: string }).stack)).toMatch(/^Error: boom\n/);
    // The caller's objects are not changed.
    expect(error.password).toBe('p');
  });

  it('returns a record without credentials as it is, and copies only a changed one', () => {
    const clean = { user: { name: 'alice' }, size: 3 };
    expect(redactCredentials(clean)).toBe(clean);
    const nested = { name: 'alice' };
    const dirty = { user: nested, other: { pass: 'x' } };
    const redacted = redactCredentials(dirty);
    expect(redacted).toEqual({ user: { name: 'alice' }, other: { pass: '***' } });
    expect(redacted['user']).toBe(nested);
    expect(dirty.other.pass).toBe('x');
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
