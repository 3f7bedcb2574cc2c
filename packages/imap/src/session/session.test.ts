/**
 * Raw transcripts of the session layer: greeting, capabilities per state, authentication, the
 * state gate, literals, errors that keep the session going, and the limits.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { BASE_CAPS, PLAIN_GREETING, startHarness, type Harness } from '../test-support/harness.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

const b64 = (text: string): string => Buffer.from(text).toString('base64');

describe('greeting and capabilities', () => {
  it('dev profile with TLS available: STARTTLS and AUTH mechanisms before login, neither after', async () => {
    h = await startHarness({ tls: true });
    const c = await h.raw();
    await c.expect(
      `* OK [CAPABILITY ${BASE_CAPS} STARTTLS AUTH=PLAIN AUTH=LOGIN] imap.test minimail IMAP4rev1 ready`,
    );
    c.send('a CAPABILITY');
    await c.expect(`* CAPABILITY ${BASE_CAPS} STARTTLS AUTH=PLAIN AUTH=LOGIN`);
    await c.expect('a OK Capability completed');
    c.send('b LOGIN alice@example.com anything');
    await c.expect(`b OK [CAPABILITY ${BASE_CAPS}] Logged in`);
    c.send('c CAPABILITY');
    await c.expect(`* CAPABILITY ${BASE_CAPS}`);
    await c.expect('c OK Capability completed');
  });

  it('production without TLS: LOGINDISABLED, LOGIN refused with PRIVACYREQUIRED; after STARTTLS AUTH=PLAIN works', async () => {
    h = await startHarness({ tls: true, profile: 'production' });
    await h.store.addDomain('example.com');
    await h.store.addUser('carol@example.com', 'right-password');
    const c = await h.raw();
    await c.expect(
      `* OK [CAPABILITY ${BASE_CAPS} STARTTLS LOGINDISABLED] imap.test minimail IMAP4rev1 ready`,
    );
    c.send('a LOGIN carol@example.com right-password');
    await c.expect('a NO [PRIVACYREQUIRED] Plaintext authentication is disabled; use STARTTLS first');
    c.send('b STARTTLS');
    await c.expect('b OK Begin TLS negotiation now');
    await c.startTls();
    c.send('c CAPABILITY');
    await c.expect(`* CAPABILITY ${BASE_CAPS} AUTH=PLAIN AUTH=LOGIN`);
    await c.expect('c OK Capability completed');
    c.send(`d AUTHENTICATE PLAIN ${b64('\0carol@example.com\0wrong')}`);
    await c.expect('d NO [AUTHENTICATIONFAILED] Invalid credentials');
    c.send(`e AUTHENTICATE PLAIN ${b64('\0carol@example.com\0right-password')}`);
    await c.expect(`e OK [CAPABILITY ${BASE_CAPS}] Authenticated`);
  });

  it('implicit TLS: no STARTTLS, plaintext auth allowed in production', async () => {
    h = await startHarness({ implicitTls: true, profile: 'production' });
    const c = await h.raw({ tls: true });
    await c.expect(PLAIN_GREETING);
  });

  it('commands pipelined after STARTTLS are discarded, not run inside TLS (RFC 2595 3.1)', async () => {
    h = await startHarness({ tls: true });
    const c = await h.raw();
    await c.expect(/^\* OK /);
    c.sendRaw('a STARTTLS\r\nb LOGIN alice@example.com x\r\n');
    await c.expect('a OK Begin TLS negotiation now');
    await c.startTls();
    c.send('c NOOP');
    await c.expect('c OK NOOP completed');
  });
});

describe('authentication', () => {
  it('AUTHENTICATE PLAIN with an empty challenge, and LOGIN with two challenges', async () => {
    h = await startHarness();
    const c = await h.raw();
    await c.expect(/^\* OK /);
    c.send('a AUTHENTICATE PLAIN');
    await c.expect('+ ');
    c.send(b64('\0alice@example.com\0pw'));
    await c.expect(/^a OK \[CAPABILITY .*\] Authenticated$/);
    const d = await h.raw();
    await d.expect(/^\* OK /);
    d.send('b AUTHENTICATE LOGIN');
    await d.expect(`+ ${b64('Username:')}`);
    d.send(b64('bob@example.com'));
    await d.expect(`+ ${b64('Password:')}`);
    d.send(b64('pw'));
    await d.expect(/^b OK \[CAPABILITY .*\] Authenticated$/);
  });

  it('a cancelled exchange is BAD, an unknown mechanism NO, and the session goes on', async () => {
    h = await startHarness();
    const c = await h.raw();
    await c.expect(/^\* OK /);
    c.send('a AUTHENTICATE PLAIN');
    await c.expect('+ ');
    c.send('*');
    await c.expect('a BAD Authentication cancelled');
    c.send('b AUTHENTICATE CRAM-MD5');
    await c.expect('b NO Unsupported authentication mechanism CRAM-MD5');
    c.send('c LOGIN {17}');
    await c.expect('+ Ready for literal data');
    c.sendRaw('alice@example.com {2+}\r\npw\r\n');
    await c.expect(/^c OK /);
  });

  it('after too many failed logins the server says BYE and closes', async () => {
    h = await startHarness({ implicitTls: true, profile: 'production' });
    const d = await h.raw({ tls: true });
    await d.expect(/^\* OK /);
    for (const tag of ['a', 'b', 'c']) {
      d.send(`${tag} LOGIN nobody@example.com x`);
      await d.expect(`${tag} NO [AUTHENTICATIONFAILED] Invalid credentials`);
    }
    await d.expect('* BYE Too many failed login attempts');
    await d.closed();
  });
});

describe('the state gate and errors', () => {
  it('answers commands not allowed in the current state with BAD and keeps serving', async () => {
    h = await startHarness();
    const c = await h.raw();
    await c.expect(/^\* OK /);
    c.send('a SELECT INBOX');
    await c.expect('a BAD SELECT is not allowed before login');
    c.send('b FETCH 1 FLAGS');
    await c.expect('b BAD FETCH is not allowed before login');
    c.send('c LOGIN alice@example.com x');
    await c.expect(/^c OK /);
    c.send('d FETCH 1 FLAGS');
    await c.expect('d BAD FETCH is not allowed without a selected mailbox');
    c.send('e LOGIN alice@example.com x');
    await c.expect('e BAD LOGIN is not allowed without a selected mailbox');
    c.send('f NOSUCH');
    await c.expect('f BAD Unknown command NOSUCH');
    c.send('+ NOOP');
    await c.expect('* BAD Invalid tag');
    c.send('g NOOP');
    await c.expect('g OK NOOP completed');
  });

  it('answers pipelined commands in order', async () => {
    h = await startHarness();
    const c = await h.raw();
    await c.expect(/^\* OK /);
    c.sendRaw('a LOGIN alice@example.com x\r\nb SELECT INBOX\r\nc NOOP\r\nd LOGOUT\r\n');
    await c.expect(/^a OK /);
    const select = await c.readTagged('b');
    expect(select.at(-1)).toBe('b OK [READ-WRITE] SELECT completed');
    await c.expect('c OK NOOP completed');
    await c.expect('* BYE Logging out');
    await c.expect('d OK LOGOUT completed');
    await c.closed();
  });

  it('a line over the limit is BAD and the next command still works', async () => {
    h = await startHarness();
    const c = await h.raw();
    await c.expect(/^\* OK /);
    c.send(`a NOOP ${'x'.repeat(70_000)}`);
    await c.expect('a BAD Command line too long');
    c.send('b NOOP');
    await c.expect('b OK NOOP completed');
  });

  it('too many commands before login end the connection', async () => {
    h = await startHarness({ limits: { maxCommandsBeforeAuth: 3 } });
    const c = await h.raw();
    await c.expect(/^\* OK /);
    for (const tag of ['a', 'b', 'c']) {
      c.send(`${tag} NOOP`);
      await c.expect(`${tag} OK NOOP completed`);
    }
    c.send('d NOOP');
    await c.expect('* BYE Too many commands before login');
    await c.closed();
  });

  it('autologout after the inactivity timer (RFC 3501 5.4), also while IDLE', async () => {
    h = await startHarness({ limits: { autologoutMs: 300 } });
    const c = await h.raw();
    await c.expect(/^\* OK /);
    await c.expect('* BYE Autologout; idle for too long', 3_000);
    await c.closed();
    const d = await h.raw();
    await d.expect(/^\* OK /);
    d.send('a LOGIN alice@example.com x');
    await d.expect(/^a OK /);
    d.send('b IDLE');
    await d.expect('+ idling');
    await d.expect('* BYE Autologout; idle for too long', 3_000);
  });

  it('a server shutdown says BYE to open sessions', async () => {
    h = await startHarness();
    const c = await h.raw();
    await c.expect(/^\* OK /);
    const closing = h.server.close();
    await c.expect('* BYE Server shutting down');
    await c.closed();
    await closing;
  });
});

describe('transcript and throttling', () => {
  it('logs the conversation at debug level with credentials and literals hidden', async () => {
    const lines: string[] = [];
    const logger = pino(
      { level: 'debug' },
      { write: (line: string) => void lines.push((JSON.parse(line) as { line?: string }).line ?? '') },
    );
    h = await startHarness({ logger });
    const c = await h.raw();
    await c.expect(/^\* OK /);
    c.send('a LOGIN alice@example.com hunter2');
    await c.expect(/^a OK /);
    c.send('b APPEND INBOX {5+}');
    c.sendRaw('x\r\ny\r\n');
    await c.expect(/^b OK /);
    const text = lines.join('\n');
    expect(text).not.toContain('hunter2');
    expect(text).toContain('C: a LOGIN ***');
    expect(text).toContain('C: b APPEND INBOX {5+}<5 octets>');
    expect(text).toContain('S: b OK [APPENDUID');
  });

  it('delays further attempts once an address has failed repeatedly (AuthThrottle)', async () => {
    h = await startHarness({ implicitTls: true, profile: 'production' });
    const c = await h.raw({ tls: true });
    await c.expect(/^\* OK /);
    for (const tag of ['a', 'b', 'c']) {
      c.send(`${tag} LOGIN nobody@example.com x`);
      await c.expect(`${tag} NO [AUTHENTICATIONFAILED] Invalid credentials`);
    }
    await c.expect('* BYE Too many failed login attempts');
    const d = await h.raw({ tls: true });
    await d.expect(/^\* OK /);
    // The protocol package's AuthThrottle lets 3 failures pass undelayed, then waits 1 s, doubling.
    d.send('a LOGIN nobody@example.com x');
    await d.expect('a NO [AUTHENTICATIONFAILED] Invalid credentials');
    const started = Date.now();
    d.send('b LOGIN nobody@example.com x');
    await d.expect('b NO [AUTHENTICATIONFAILED] Invalid credentials', 5_000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });
});

describe('STARTTLS failures', () => {
  it('a client that sends garbage instead of a TLS handshake only loses its own connection', async () => {
    h = await startHarness({ tls: true });
    const c = await h.raw();
    await c.expect(/^\* OK /);
    c.send('a STARTTLS');
    await c.expect('a OK Begin TLS negotiation now');
    c.send('this is not a ClientHello');
    await c.closed();
    const d = await h.raw();
    await d.expect(/^\* OK /);
    d.send('b NOOP');
    await d.expect('b OK NOOP completed');
  });
});
