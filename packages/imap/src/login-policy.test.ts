/**
 * Issue 11, one login policy: through IMAP, with the account throttled, a right password waits
 * exactly as long as a wrong one (the delay comes before any password work), so the timing of
 * the answer tells a guesser nothing before the throttle allows.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuthThrottle, createLogger } from '@minimail/protocol';
import { RawClient, selfSignedPemPair } from '@minimail/protocol/testing';
import { openStore, type MailStore } from '@minimail/store';
import { createImapServer, type ImapListener } from './index.js';
import { PLAIN_GREETING } from './test-support/harness.js';

// Far above scrypt's own time on a loaded CI machine, so "waits as long" is not lost in the noise.
const DELAY_MS = 1_500;
let dir: string;
let store: MailStore;
let server: ImapListener | null = null;
const clients: RawClient[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'minimail-imap-login-'));
  store = openStore({ path: join(dir, 'minimail.sqlite') });
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await server?.close();
  server = null;
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('IMAP login through the shared login policy', () => {
  it('a throttled account answers a right password as late as a wrong one', async () => {
    await store.addDomain('local.test');
    await store.addUser('bob@local.test', 'secret');
    const throttle = new AuthThrottle({ freeFailures: 0, baseDelayMs: DELAY_MS, maxDelayMs: DELAY_MS });
    server = createImapServer({
      store,
      logger: createLogger({ level: 'silent' }),
      hostname: 'imap.test',
      profile: 'production',
      tls: await selfSignedPemPair('imap.test'),
      implicitTls: true,
      authThrottle: throttle,
    });
    const port = await server.listen(0, '127.0.0.1');
    // Failures against the account from elsewhere: this client's own IP has none.
    throttle.recordFailure('198.51.100.7', 'bob@local.test');
    const timedLogin = async (password: string, reply: RegExp): Promise<number> => {
      const client = await RawClient.connect(port, { tls: true });
      clients.push(client);
      await client.expect(PLAIN_GREETING);
      const started = performance.now();
      // The name in another case is the same account (one counter, normalised by the policy).
      client.send(`a LOGIN Bob@Local.Test ${password}`);
      await client.expect(reply);
      return performance.now() - started;
    };
    const wrong = await timedLogin('wrong', /^a NO \[AUTHENTICATIONFAILED\] Invalid credentials$/);
    const right = await timedLogin('secret', /^a OK \[CAPABILITY [^\]]+\] Logged in$/);
    expect(wrong).toBeGreaterThanOrEqual(DELAY_MS - 5);
    expect(right).toBeGreaterThanOrEqual(DELAY_MS - 5);
    expect(Math.abs(right - wrong)).toBeLessThan(DELAY_MS / 2);
  });

  it('holds app passwords to the same policy: a guess counts, and a right one waits out the throttle', async () => {
    await store.addDomain('local.test');
    await store.addUser('bob@local.test', 'secret');
    const { password } = await store.addAppPassword('bob@local.test', 'phone');
    const throttle = new AuthThrottle({ freeFailures: 0, baseDelayMs: DELAY_MS, maxDelayMs: DELAY_MS });
    server = createImapServer({
      store,
      logger: createLogger({ level: 'silent' }),
      hostname: 'imap.test',
      profile: 'production',
      tls: await selfSignedPemPair('imap.test'),
      implicitTls: true,
      authThrottle: throttle,
    });
    const port = await server.listen(0, '127.0.0.1');
    const login = async (secret: string, reply: RegExp): Promise<number> => {
      const client = await RawClient.connect(port, { tls: true });
      clients.push(client);
      await client.expect(PLAIN_GREETING);
      const started = performance.now();
      client.send(`a LOGIN bob@local.test ${secret}`);
      await client.expect(reply);
      return performance.now() - started;
    };
    // A guess shaped like an app password is a failed login like any other, counted by the throttle.
    expect(throttle.delayFor('127.0.0.1', 'bob@local.test')).toBe(0);
    await login('abcd-efgh-jkmn-pqrs-tuvw', /^a NO \[AUTHENTICATIONFAILED\] Invalid credentials$/);
    expect(throttle.delayFor('127.0.0.1', 'bob@local.test')).toBeGreaterThanOrEqual(DELAY_MS);
    // The right app password then waits the delay before it is looked at, and logs in.
    const right = await login(password, /^a OK \[CAPABILITY [^\]]+\] Logged in$/);
    expect(right).toBeGreaterThanOrEqual(DELAY_MS - 5);
    // A success clears the account's failures.
    expect(throttle.delayFor('198.51.100.7', 'bob@local.test')).toBe(0);
  });
});
