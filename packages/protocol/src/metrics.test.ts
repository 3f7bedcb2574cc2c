import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { createMetrics, OTHER_COMMAND } from './metrics.js';
import { metricSample } from './testing/metric-sample.js';

/** Whether prom-client is in this worker's module cache (vitest gives each test file its own). */
function promClientLoaded(): boolean {
  return Object.keys(createRequire(import.meta.url).cache).some((file) => file.includes('/prom-client/'));
}

describe('createMetrics', () => {
  // First in the file: a process that makes no registry (no /metrics served) never loads prom-client.
  it('loads prom-client with the first registry, not with the module', () => {
    expect(promClientLoaded()).toBe(false);
    createMetrics({ processMetrics: false });
    expect(promClientLoaded()).toBe(true);
  });

  it('counts connections, commands, errors, messages and auth failures per protocol', async () => {
    const metrics = createMetrics({ processMetrics: false });
    const smtp = metrics.forProtocol('smtp', ['EHLO', 'MAIL']);
    const pop3 = metrics.forProtocol('pop3', ['USER']);
    const closeFirst = smtp.connectionOpened();
    smtp.connectionOpened();
    closeFirst();
    closeFirst(); // idempotent: the gauge goes down once
    smtp.command('ehlo');
    smtp.command('EHLO');
    smtp.command('GET'); // not an SMTP command: one bounded series, not one per word
    smtp.error('550');
    smtp.error('bad label\r\nwith text');
    smtp.message('in', 1000);
    smtp.message('in', 24);
    pop3.authFailure();
    pop3.connectionRefused('limit');

    const text = await metrics.scrape();
    expect(metricSample(text, 'minimail_connections_open{protocol="smtp"}')).toBe(1);
    expect(metricSample(text, 'minimail_connections_total{protocol="smtp"}')).toBe(2);
    expect(metricSample(text, 'minimail_connections_open{protocol="pop3"}')).toBe(0);
    expect(metricSample(text, 'minimail_commands_total{protocol="smtp",command="EHLO"}')).toBe(2);
    expect(metricSample(text, `minimail_commands_total{protocol="smtp",command="${OTHER_COMMAND}"}`)).toBe(1);
    expect(metricSample(text, 'minimail_errors_total{protocol="smtp",kind="550"}')).toBe(1);
    expect(metricSample(text, 'minimail_errors_total{protocol="smtp",kind="bad_label__with_text"}')).toBe(1);
    expect(metricSample(text, 'minimail_messages_total{protocol="smtp",direction="in"}')).toBe(2);
    expect(metricSample(text, 'minimail_message_bytes_total{protocol="smtp",direction="in"}')).toBe(1024);
    expect(metricSample(text, 'minimail_auth_failures_total{protocol="pop3"}')).toBe(1);
    expect(metricSample(text, 'minimail_auth_failures_total{protocol="smtp"}')).toBe(0);
    expect(metricSample(text, 'minimail_connections_refused_total{protocol="pop3",reason="limit"}')).toBe(1);
    expect(metrics.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
  });

  it('reads the queue depth per status at scrape time', async () => {
    let entries = [{ status: 'queued' }, { status: 'queued' }, { status: 'failed' }];
    const metrics = createMetrics({
      processMetrics: false,
      outboundQueue: { listOutbound: () => Promise.resolve(entries) },
    });
    let text = await metrics.scrape();
    expect(metricSample(text, 'minimail_queue_depth{status="queued"}')).toBe(2);
    expect(metricSample(text, 'minimail_queue_depth{status="delivering"}')).toBe(0);
    expect(metricSample(text, 'minimail_queue_depth{status="failed"}')).toBe(1);
    entries = [];
    text = await metrics.scrape();
    expect(metricSample(text, 'minimail_queue_depth{status="queued"}')).toBe(0);
  });

  it('includes process metrics by default, in a registry of its own', async () => {
    const first = createMetrics();
    const second = createMetrics(); // a second registry in one process must not clash
    expect(await first.scrape()).toMatch(/^minimail_process_resident_memory_bytes \d+/m);
    expect(await second.scrape()).toMatch(/minimail_nodejs_heap_size_used_bytes/);
  });
});
