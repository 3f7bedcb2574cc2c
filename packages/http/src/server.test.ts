import { afterEach, describe, expect, it } from 'vitest';
import { metricSample } from '@minimail/protocol/testing';
import { request } from './test-support/http-client.js';
import { startHttp, type Setup } from './test-support/setup.js';

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

  it('answers 405 with Allow for a known path and a wrong method, 400 for a bad escape', async () => {
    setup = await startHttp('dev');
    const answer = await request(setup.port, 'POST', '/healthz');
    expect(answer.status).toBe(405);
    expect(answer.headers['allow']).toBe('GET');
    expect(answer.json()).toEqual({ error: 'method not allowed' });
    const badEscape = await request(setup.port, 'GET', '/api/messages/%E0%A4%A');
    expect(badEscape.status).toBe(400);
    expect(badEscape.json()).toEqual({ error: 'bad path' });
    expect((await request(setup.port, 'HEAD', '/healthz')).status).toBe(200);
  });
});
