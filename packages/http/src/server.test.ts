import { afterEach, describe, expect, it } from 'vitest';
import { metricSample } from '@minimail/protocol/testing';
import { request } from './test-support/http-client.js';
import { startHttp, type Setup } from './test-support/setup.js';
import { buildApp } from './server.js';

let setup: Setup | null = null;
afterEach(async () => {
  await setup?.close();
  setup = null;
});

describe('operations endpoints', () => {
  it('answers /healthz with 200 ok while the store reads, 503 once it cannot', async () => {
    setup = await startHttp('production');
    const healthy = await request(setup.port, 'GET', '/healthz');
    expect(healthy.status).toBe(200);
    expect(healthy.text).toBe('ok\n');
    await setup.store.close();
    const sick = await request(setup.port, 'GET', '/healthz');
    expect(sick.status).toBe(503);
    expect(sick.text).toBe('store unavailable\n');
  });

  it('serves the process registry at /metrics in the Prometheus text format, queue depth included', async () => {
    setup = await startHttp('production');
    const smtp = setup.metrics.forProtocol('smtp', ['EHLO']);
    smtp.command('EHLO');
    const answer = await request(setup.port, 'GET', '/metrics');
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    // metricSample reads the whole sample line: "... 1" would also be contained in "... 10".
    expect(metricSample(answer.text, 'minimail_commands_total{protocol="smtp",command="EHLO"}')).toBe(1);
    expect(metricSample(answer.text, 'minimail_queue_depth{status="queued"}')).toBe(0);
  });

  it('has no mail-catcher API or web page in production', async () => {
    setup = await startHttp('production');
    for (const path of [
      '/',
      '/app.js',
      '/api/messages',
      '/api/messages/1-1',
      '/api/messages/wait?to=a@b.test',
    ]) {
      const answer = await request(setup.port, 'GET', path);
      expect(answer.status, path).toBe(404);
      expect(answer.json()).toEqual({ error: 'not found' });
    }
    expect((await request(setup.port, 'DELETE', '/api/messages')).status).toBe(404);
  });

  it('answers 404 for a wrong method, 400 for a bad escape, and HEAD like GET', async () => {
    setup = await startHttp('dev');
    const answer = await request(setup.port, 'POST', '/healthz');
    expect(answer.status).toBe(404);
    expect(answer.json()).toEqual({ error: 'not found' });
    const badEscape = await request(setup.port, 'GET', '/api/messages/%E0%A4%A');
    expect(badEscape.status).toBe(400);
    expect((await request(setup.port, 'HEAD', '/healthz')).status).toBe(200);
  });

  it('in production serves /metrics to loopback, and elsewhere only with the bearer token; /healthz to all', async () => {
    setup = await startHttp('production', { metricsToken: 's3cret-token' });
    // Over a real socket from 127.0.0.1: served without a token.
    expect((await request(setup.port, 'GET', '/metrics')).status).toBe(200);
    // This machine may have no other interface: the same app, injected with a remote peer address.
    const { app } = await buildApp(
      { ...setup.options, profile: 'production', metricsToken: 's3cret-token' },
      new AbortController().signal,
    );
    try {
      const remote = { remoteAddress: '203.0.113.7' };
      const denied = await app.inject({ ...remote, url: '/metrics' });
      expect(denied.statusCode).toBe(401);
      expect(denied.headers['www-authenticate']).toBe('Bearer realm="metrics"');
      // A forwarded-for header claiming loopback changes nothing.
      const forwarded = await app.inject({
        ...remote,
        url: '/metrics',
        headers: { 'x-forwarded-for': '127.0.0.1' },
      });
      expect(forwarded.statusCode).toBe(401);
      const wrong = await app.inject({
        ...remote,
        url: '/metrics',
        headers: { authorization: 'Bearer s3cret-tokex' },
      });
      expect(wrong.statusCode).toBe(401);
      const allowed = await app.inject({
        ...remote,
        url: '/metrics',
        headers: { authorization: 'Bearer s3cret-token' },
      });
      expect(allowed.statusCode).toBe(200);
      expect(allowed.body).toContain('minimail_queue_depth');
      const health = await app.inject({ ...remote, url: '/healthz' });
      expect(health.statusCode).toBe(200);
      expect(health.body).toBe('ok\n');
      expect((await app.inject({ remoteAddress: '::ffff:127.0.0.1', url: '/metrics' })).statusCode).toBe(200);
    } finally {
      await app.close();
    }
  });

  it('in production without a token serves /metrics to loopback only; in dev to anyone', async () => {
    setup = await startHttp('production');
    const production = await buildApp(
      { ...setup.options, profile: 'production' },
      new AbortController().signal,
    );
    const dev = await buildApp({ ...setup.options, profile: 'dev' }, new AbortController().signal);
    try {
      const remote = { remoteAddress: '198.51.100.2', url: '/metrics' };
      expect(
        (await production.app.inject({ ...remote, headers: { authorization: 'Bearer ' } })).statusCode,
      ).toBe(401);
      expect((await production.app.inject({ remoteAddress: '::1', url: '/metrics' })).statusCode).toBe(200);
      expect((await dev.app.inject(remote)).statusCode).toBe(200);
    } finally {
      await production.app.close();
      await dev.app.close();
    }
  });
});
