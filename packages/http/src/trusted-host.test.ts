import { afterEach, describe, expect, it } from 'vitest';
import { request } from './test-support/http-client.js';
import { startHttp, type Setup } from './test-support/setup.js';
import { isTrustedHost } from './trusted-host.js';

describe('isTrustedHost', () => {
  it.each([
    ['localhost:8025', true],
    ['LOCALHOST', true],
    ['app.localhost:8025', true],
    ['127.0.0.1:8025', true],
    ['[::1]:8025', true],
    ['192.0.2.7', true],
    ['mail.example.com:8025', true], // configured
    ['attacker.example:8025', false],
    ['localhost.attacker.example', false],
    ['127.0.0.1.nip.io:8025', false],
  ])('%s -> %s', (host, trusted) => {
    expect(isTrustedHost(host, ['mail.example.com'])).toBe(trusted);
  });
});

describe('the dev catcher refuses other hosts (DNS rebinding)', () => {
  let setup: Setup | null = null;
  afterEach(async () => {
    await setup?.close();
    setup = null;
  });

  it('answers 403 to a rebound name, and serves loopback names and health checks', async () => {
    setup = await startHttp('dev');
    const rebound = await request(setup.port, 'GET', '/api/messages', { host: 'attacker.example:8025' });
    expect(rebound.status).toBe(403);
    expect(rebound.json()).toEqual({ error: 'host not allowed' });
    expect((await request(setup.port, 'GET', '/', { host: 'attacker.example' })).status).toBe(403);
    expect((await request(setup.port, 'DELETE', '/api/messages', { host: 'attacker.example' })).status).toBe(
      403,
    );
    expect(
      (await request(setup.port, 'GET', '/api/messages', { host: `localhost:${setup.port}` })).status,
    ).toBe(200);
    expect((await request(setup.port, 'GET', '/api/messages')).status).toBe(200); // Host: 127.0.0.1:port
    expect((await request(setup.port, 'GET', '/healthz', { host: 'minimail-smtp:8025' })).status).toBe(200);
  });
});
