import { afterEach, describe, expect, it } from 'vitest';
import { HOSTNAME, base64, deliver, logIn, message, startHarness } from './test-support/harness.js';
import type { Harness, HarnessOptions } from './test-support/harness.js';

let harness: Harness | null = null;

afterEach(async () => {
  await harness?.close();
  harness = null;
});

async function start(options: HarnessOptions = {}): Promise<Harness> {
  harness = await startHarness(options);
  return harness;
}

const GREETING = `+OK ${HOSTNAME} POP3 server ready`;
const COMMON_HEAD = ['TOP', 'UIDL'];
const PLAINTEXT_AUTH = ['USER', 'SASL PLAIN LOGIN'];
const COMMON_TAIL = ['RESP-CODES', 'AUTH-RESP-CODE', 'PIPELINING'];
const IDENTITY = ['EXPIRE NEVER', 'IMPLEMENTATION minimail'];

describe('greeting and CAPA (RFC 2449 5)', () => {
  it.each([
    [
      'dev, plain listener',
      { profile: 'dev' },
      false,
      [...COMMON_HEAD, ...PLAINTEXT_AUTH, ...COMMON_TAIL, 'STLS', ...IDENTITY],
    ],
    [
      'dev, no certificate',
      { profile: 'dev', tls: false },
      false,
      [...COMMON_HEAD, ...PLAINTEXT_AUTH, ...COMMON_TAIL, ...IDENTITY],
    ],
    [
      'production, plain listener',
      { profile: 'production' },
      false,
      [...COMMON_HEAD, ...COMMON_TAIL, 'STLS', ...IDENTITY],
    ],
    [
      'production, implicit TLS',
      { profile: 'production', implicitTls: true },
      true,
      [...COMMON_HEAD, ...PLAINTEXT_AUTH, ...COMMON_TAIL, ...IDENTITY],
    ],
  ] as const)('%s', async (_name, options, tls, expected) => {
    const h = await start(options);
    const client = await h.connect({ tls });
    await client.expect(GREETING);
    client.send('CAPA');
    await client.expect('+OK capability list follows');
    expect(await client.readMultiline()).toEqual(expected);
  });

  it('lists the same capabilities in the TRANSACTION state', async () => {
    const h = await start();
    const client = await h.connect();
    await logIn(client, 'bob@local.test');
    client.send('CAPA');
    await client.expect('+OK capability list follows');
    expect(await client.readMultiline()).toEqual([
      ...COMMON_HEAD,
      ...PLAINTEXT_AUTH,
      ...COMMON_TAIL,
      'STLS',
      ...IDENTITY,
    ]);
  });
});

describe('USER / PASS (RFC 1939 7)', () => {
  it('dev: any password logs in and creates the account', async () => {
    const h = await start();
    const client = await h.connect();
    expect(await h.store.getUser('new@local.test')).toBeNull();
    await client.expect(GREETING);
    client.send('USER new@local.test');
    await client.expect('+OK send PASS');
    client.send('PASS whatever you like');
    await client.expect('+OK maildrop locked and ready, 0 messages (0 octets)');
    expect(await h.store.getUser('new@local.test')).toMatchObject({
      address: 'new@local.test',
      hasPassword: false,
    });
  });

  it('reports the snapshot size at login', async () => {
    const h = await start();
    await deliver(h.store, 'bob@local.test', message('one', 'hello\r\n'));
    await deliver(h.store, 'bob@local.test', message('two', 'world!\r\n'));
    const client = await h.connect();
    expect(await logIn(client, 'bob@local.test')).toBe(
      '+OK maildrop locked and ready, 2 messages (137 octets)',
    );
  });

  it('PASS without USER, USER without a name, PASS without a password', async () => {
    const h = await start();
    const client = await h.connect();
    await client.expect(GREETING);
    client.send('PASS secret');
    await client.expect('-ERR send USER first');
    client.send('USER');
    await client.expect('-ERR syntax: USER name');
    client.send('USER a@b.test extra');
    await client.expect('-ERR syntax: USER name');
    client.send('USER a@b.test');
    await client.expect('+OK send PASS');
    client.send('PASS');
    await client.expect('-ERR syntax: PASS string');
    // The USER name was used up by the failed PASS.
    client.send('PASS secret');
    await client.expect('-ERR send USER first');
  });

  it('dev: a name the store cannot hold is a failed login', async () => {
    const h = await start();
    const client = await h.connect();
    await client.expect(GREETING);
    client.send('USER not-an-address');
    await client.expect('+OK send PASS');
    client.send('PASS x');
    await client.expect('-ERR [AUTH] invalid login or password');
  });

  it('production: checks the stored password; a wrong one gets -ERR [AUTH]', async () => {
    const h = await start({ profile: 'production', implicitTls: true });
    await h.store.addDomain('local.test');
    await h.store.addUser('bob@local.test', 'right password');
    const client = await h.connect();
    await client.expect(GREETING);
    client.send('USER bob@local.test');
    await client.expect('+OK send PASS');
    client.send('PASS wrong');
    await client.expect('-ERR [AUTH] invalid login or password');
    client.send('USER nobody@local.test');
    await client.expect('+OK send PASS');
    client.send('PASS right password');
    await client.expect('-ERR [AUTH] invalid login or password');
    client.send('USER bob@local.test');
    await client.expect('+OK send PASS');
    client.send('PASS right password');
    await client.expect('+OK maildrop locked and ready, 0 messages (0 octets)');
  });

  it('production: USER, PASS and AUTH are refused before TLS', async () => {
    const h = await start({ profile: 'production' });
    const client = await h.connect();
    await client.expect(GREETING);
    for (const command of [
      'USER bob@local.test',
      'PASS secret',
      'AUTH PLAIN',
      `AUTH PLAIN ${base64('\0bob@local.test\0pw')}`,
      'AUTH',
    ]) {
      client.send(command);
      await client.expect('-ERR [AUTH] plaintext authentication requires TLS, use STLS first');
    }
  });

  it('delays failed logins with the throttle and closes the session after five', async () => {
    const h = await start({ profile: 'production', implicitTls: true });
    const client = await h.connect();
    await client.expect(GREETING);
    for (let attempt = 1; attempt <= 4; attempt += 1) {
      client.send(`AUTH PLAIN ${base64('\0nobody@local.test\0pw')}`);
      await client.expect('-ERR [AUTH] invalid login or password', 10_000);
    }
    client.send(`AUTH PLAIN ${base64('\0nobody@local.test\0pw')}`);
    await client.expect('-ERR [AUTH] too many failed logins, closing connection', 10_000);
    await client.closed();
    // The login policy: three free failures, then the attempt waits (1 s, doubling) before the check.
    const delays = h.logs.filter((log) => log.msg === 'login failed').map((log) => log.delayMs);
    expect(delays).toEqual([0, 0, 0, 0, 1000]);
  });

  it('QUIT in AUTHORIZATION just says goodbye', async () => {
    const h = await start();
    const client = await h.connect();
    await client.expect(GREETING);
    client.send('QUIT');
    await client.expect('+OK bye');
    await client.closed();
  });

  it('TRANSACTION commands are refused before login, and AUTHORIZATION ones after', async () => {
    const h = await start();
    const client = await h.connect();
    await client.expect(GREETING);
    for (const command of ['STAT', 'LIST', 'UIDL', 'RETR 1', 'TOP 1 0', 'DELE 1', 'RSET', 'NOOP']) {
      client.send(command);
      await client.expect('-ERR command not valid in this state');
    }
    client.send('USER bob@local.test');
    await client.expect('+OK send PASS');
    client.send('PASS x');
    await client.expect('+OK maildrop locked and ready, 0 messages (0 octets)');
    for (const command of ['USER bob@local.test', 'PASS x', 'AUTH PLAIN', 'STLS']) {
      client.send(command);
      await client.expect('-ERR command not valid in this state');
    }
  });
});

describe('AUTH (RFC 5034)', () => {
  const plain = base64('\0bob@local.test\0secret');

  it('lists mechanisms for a bare AUTH', async () => {
    const h = await start();
    const client = await h.connect();
    await client.expect(GREETING);
    client.send('AUTH');
    await client.expect('+OK supported SASL mechanisms follow');
    expect(await client.readMultiline()).toEqual(['PLAIN', 'LOGIN']);
  });

  it('PLAIN with an initial response', async () => {
    const h = await start();
    const client = await h.connect();
    await client.expect(GREETING);
    client.send(`AUTH PLAIN ${plain}`);
    await client.expect('+OK maildrop locked and ready, 0 messages (0 octets)');
  });

  it('PLAIN after an empty challenge, with the mechanism in lower case', async () => {
    const h = await start();
    const client = await h.connect();
    await client.expect(GREETING);
    client.send('AUTH plain');
    await client.expect('+ ');
    client.send(plain);
    await client.expect('+OK maildrop locked and ready, 0 messages (0 octets)');
  });

  it('accepts a SASL response longer than the 255-octet command limit (RFC 5034 4)', async () => {
    const h = await start();
    const client = await h.connect();
    await client.expect(GREETING);
    const response = base64(`\0bob@local.test\0${'p'.repeat(250)}`);
    expect(response.length).toBeGreaterThan(255);
    client.send('AUTH PLAIN');
    await client.expect('+ ');
    client.send(response);
    await client.expect('+OK maildrop locked and ready, 0 messages (0 octets)');
  });

  it('PLAIN with an authzid naming someone else is refused', async () => {
    const h = await start();
    const client = await h.connect();
    await client.expect(GREETING);
    client.send(`AUTH PLAIN ${base64('alice@local.test\0bob@local.test\0secret')}`);
    await client.expect('-ERR [AUTH] invalid login or password');
  });

  it('LOGIN without an initial response', async () => {
    const h = await start();
    const client = await h.connect();
    await client.expect(GREETING);
    client.send('AUTH LOGIN');
    await client.expect('+ VXNlcm5hbWU6');
    client.send(base64('bob@local.test'));
    await client.expect('+ UGFzc3dvcmQ6');
    client.send(base64('secret'));
    await client.expect('+OK maildrop locked and ready, 0 messages (0 octets)');
  });

  it('LOGIN with the user name as initial response', async () => {
    const h = await start();
    const client = await h.connect();
    await client.expect(GREETING);
    client.send(`AUTH LOGIN ${base64('bob@local.test')}`);
    await client.expect('+ UGFzc3dvcmQ6');
    client.send(base64('secret'));
    await client.expect('+OK maildrop locked and ready, 0 messages (0 octets)');
  });

  it('production: LOGIN with a wrong password gets -ERR [AUTH]', async () => {
    const h = await start({ profile: 'production', implicitTls: true });
    await h.store.addDomain('local.test');
    await h.store.addUser('bob@local.test', 'secret');
    const client = await h.connect();
    await client.expect(GREETING);
    client.send(`AUTH LOGIN ${base64('bob@local.test')}`);
    await client.expect('+ UGFzc3dvcmQ6');
    client.send(base64('wrong'));
    await client.expect('-ERR [AUTH] invalid login or password');
  });

  it('cancel, bad base64, malformed PLAIN, unknown mechanism, too many arguments', async () => {
    const h = await start();
    const client = await h.connect();
    await client.expect(GREETING);
    client.send('AUTH PLAIN');
    await client.expect('+ ');
    client.send('*');
    await client.expect('-ERR authentication cancelled');
    client.send('AUTH LOGIN');
    await client.expect('+ VXNlcm5hbWU6');
    client.send('*');
    await client.expect('-ERR authentication cancelled');
    client.send('AUTH PLAIN not*base64');
    await client.expect('-ERR malformed SASL response');
    client.send(`AUTH PLAIN ${base64('no separators')}`);
    await client.expect('-ERR malformed SASL response');
    client.send('AUTH CRAM-MD5');
    await client.expect('-ERR unsupported SASL mechanism');
    client.send('AUTH PLAIN a b');
    await client.expect('-ERR syntax: AUTH mechanism [initial-response]');
  });
});

describe('STLS (RFC 2595 4)', () => {
  it('production: STLS, then CAPA offers USER and SASL, then AUTH PLAIN logs in', async () => {
    const h = await start({ profile: 'production' });
    await h.store.addDomain('local.test');
    await h.store.addUser('bob@local.test', 'secret');
    const client = await h.connect();
    await client.expect(GREETING);
    client.send('STLS');
    await client.expect('+OK begin TLS negotiation');
    await client.startTls();
    client.send('CAPA');
    await client.expect('+OK capability list follows');
    expect(await client.readMultiline()).toEqual([
      ...COMMON_HEAD,
      ...PLAINTEXT_AUTH,
      ...COMMON_TAIL,
      ...IDENTITY,
    ]);
    client.send('STLS');
    await client.expect('-ERR command not permitted when TLS active');
    client.send(`AUTH PLAIN ${base64('\0bob@local.test\0secret')}`);
    await client.expect('+OK maildrop locked and ready, 0 messages (0 octets)');
  });

  it('discards commands pipelined after STLS', async () => {
    const h = await start({ profile: 'production' });
    await h.store.addDomain('local.test');
    await h.store.addUser('bob@local.test', 'secret');
    const client = await h.connect();
    await client.expect(GREETING);
    client.sendRaw(`STLS\r\nAUTH PLAIN ${base64('\0bob@local.test\0secret')}\r\n`);
    await client.expect('+OK begin TLS negotiation');
    await client.startTls();
    // Had the injected AUTH run inside TLS, this would be the TRANSACTION state.
    client.send('STAT');
    await client.expect('-ERR command not valid in this state');
  });

  it('a failed handshake ends only that session', async () => {
    const h = await start({ profile: 'production' });
    const client = await h.connect();
    await client.expect(GREETING);
    client.send('STLS');
    await client.expect('+OK begin TLS negotiation');
    client.send('USER plaintext@local.test');
    await client.closed();
    const next = await h.connect();
    await next.expect(GREETING);
    await expect
      .poll(() => h.logs.find((log) => log.msg === 'pop3 session end'))
      .toMatchObject({ reason: 'tls-failed' });
  });

  it('is refused with arguments, without a certificate, and on the implicit-TLS listener', async () => {
    let h = await start({ tls: false });
    let client = await h.connect();
    await client.expect(GREETING);
    client.send('STLS now');
    await client.expect('-ERR syntax: STLS');
    client.send('STLS');
    await client.expect('-ERR STLS not available');
    await h.close();
    h = await start({ implicitTls: true });
    client = await h.connect();
    await client.expect(GREETING);
    client.send('STLS');
    await client.expect('-ERR command not permitted when TLS active');
  });
});
