import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hashPassword } from '@minimail/store';
import { afterEach, describe, expect, it } from 'vitest';
import { parsePasswordFile } from './basic-auth.js';
import { request } from './test-support/http-client.js';
import { deliverToMany, plainMessage } from './test-support/fixtures.js';
import { startHttp, type Setup } from './test-support/setup.js';

let setup: Setup | null = null;
let server: Server | null = null;
afterEach(async () => {
  await setup?.close();
  setup = null;
  await new Promise((done) => (server === null ? done(null) : server.close(done)));
  server = null;
});

const subjects = async (port: number): Promise<string[]> =>
  (await request(port, 'GET', '/api/v1/messages?limit=100'))
    .json<{ messages: Array<{ Subject: string }> }>()
    .messages.map((m) => m.Subject);

describe('what teams need', () => {
  it('retention keeps the newest MINIMAIL_MAX_MESSAGES and drops what is older than MINIMAIL_MAX_AGE', async () => {
    setup = await startHttp('dev', { retention: { maxMessages: 3, maxAgeMs: 24 * 3600_000 } });
    const now = Date.now();
    // Two days old: past the age limit.
    await deliverToMany(
      setup.store,
      ['a@dev.test'],
      plainMessage('x@y.test', 'a@dev.test', 'Ancient', 'old'),
      new Date(now - 48 * 3600_000),
    );
    for (let i = 1; i <= 4; i++) {
      await deliverToMany(
        setup.store,
        ['a@dev.test', 'b@dev.test'],
        plainMessage('x@y.test', 'a@dev.test', `Fresh ${i}`, 'new'),
        new Date(now - (10 - i) * 60_000),
      );
    }
    await expect
      .poll(() => subjects(setup!.port), { timeout: 10_000 })
      .toEqual(['Fresh 4', 'Fresh 3', 'Fresh 2']);
    // Every copy of a dropped message went (both recipients' INBOXes).
    const b = await setup.store.getUser('b@dev.test');
    const inbox = await setup.store.getMailbox(b!.id, 'INBOX');
    expect((await setup.store.listMessages(inbox!.id)).length).toBe(3);
  });

  it('posts each new message to the webhook as JSON, retrying a failing endpoint a bounded number of times', async () => {
    const calls: Array<{ status: number; body: { Subject: string; Recipients: string[] } }> = [];
    let failFirst = 2;
    server = createServer((req: IncomingMessage, res) => {
      let text = '';
      req.on('data', (chunk: Buffer) => (text += chunk.toString()));
      req.on('end', () => {
        const status = failFirst-- > 0 ? 500 : 200;
        calls.push({ status, body: JSON.parse(text) as { Subject: string; Recipients: string[] } });
        res.statusCode = status;
        res.end();
      });
    });
    await new Promise<void>((done) => server!.listen(0, '127.0.0.1', done));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    setup = await startHttp('dev', { webhook: { url, retryBaseMs: 20 } });
    await deliverToMany(
      setup.otherStore(),
      ['c@dev.test', 'd@dev.test'],
      plainMessage('x@y.test', 'c@dev.test', 'Hooked', 'body'),
    );
    await expect.poll(() => calls.length, { timeout: 10_000 }).toBe(3);
    expect(calls.map((c) => c.status)).toEqual([500, 500, 200]);
    expect(calls[2]!.body).toMatchObject({ Subject: 'Hooked', Recipients: ['c@dev.test', 'd@dev.test'] });

    // An endpoint that always fails is tried WEBHOOK_ATTEMPTS (3) times, then given up.
    failFirst = 100;
    await deliverToMany(
      setup.store,
      ['c@dev.test'],
      plainMessage('x@y.test', 'c@dev.test', 'Doomed', 'body'),
    );
    await expect
      .poll(() => calls.filter((c) => c.body.Subject === 'Doomed').length, { timeout: 10_000 })
      .toBe(3);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(calls.filter((c) => c.body.Subject === 'Doomed').length).toBe(3);
  });

  it('asks for basic auth from the password file, except /healthz and /metrics', async () => {
    const users = parsePasswordFile(`# team\nalice:${await hashPassword('wonderland')}\nbob:plain-secret\n`);
    setup = await startHttp('dev', { basicAuth: { users } });
    const basic = (user: string, password: string) => ({
      authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
    });
    const denied = await request(setup.port, 'GET', '/api/v1/messages');
    expect(denied.status).toBe(401);
    expect(denied.headers['www-authenticate']).toBe('Basic realm="minimail", charset="UTF-8"');
    expect((await request(setup.port, 'GET', '/api/v1/messages', basic('alice', 'wrong'))).status).toBe(401);
    const alice = await request(setup.port, 'GET', '/api/v1/messages', basic('alice', 'wonderland'));
    expect(alice.status, alice.text).toBe(200);
    expect((await request(setup.port, 'GET', '/', basic('bob', 'plain-secret'))).status).toBe(200);
    expect((await request(setup.port, 'GET', '/healthz')).status).toBe(200);
    expect((await request(setup.port, 'GET', '/metrics')).status).toBe(200);
    expect(() => parsePasswordFile('nocolon')).toThrow('password file line 1: expected user:password');
  });
});
