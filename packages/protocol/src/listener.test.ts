import type { Socket } from 'node:net';
import tls from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { ConnectionLimiter } from './connection-limits.js';
import { LineReader } from './line-reader.js';
import { startListener, type ConnectionInfo, type Listener, type ListenerOptions } from './listener.js';
import { createLogger } from './logging.js';
import { createMetrics } from './metrics.js';
import { createSessionId } from './session-id.js';
import { devFiles } from './test-support/dev-files.js';
import { capturingLogger, metricSample, RawClient, scrapeWhen } from './testing/index.js';
import { createServerSecureContext } from './tls.js';

const logger = createLogger({ level: 'silent' });
let listener: Listener | null = null;
const clients: RawClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await listener?.close();
  listener = null;
});

/** A tiny echo protocol: greet, answer each line with "+OK <line>", QUIT ends the session. */
async function echoSession(socket: Socket, info: ConnectionInfo): Promise<void> {
  const reader = new LineReader(socket);
  socket.write(`+OK ready ${info.secure ? 'secure' : 'plain'} ${info.remoteAddress}\r\n`);
  while (true) {
    const line = await reader.readLine();
    if (line === null || line.toString() === 'QUIT') break;
    socket.write(`+OK ${line.toString()}\r\n`);
  }
  socket.end('+OK bye\r\n');
}

/** The message and error message of each captured record: what the failure tests compare. */
function failures(records: Array<Record<string, unknown>>): Array<{ msg: unknown; err?: unknown }> {
  return records.map((record) => {
    const err = record['err'] as { message: unknown } | undefined;
    return err ? { msg: record['msg'], err: err.message } : { msg: record['msg'] };
  });
}

async function start(options: Partial<ListenerOptions> = {}): Promise<Listener> {
  listener = await startListener({
    host: '127.0.0.1',
    port: 0,
    logger,
    onConnection: echoSession,
    ...options,
  });
  return listener;
}

async function connect(port: number, tls = false): Promise<RawClient> {
  const client = await RawClient.connect(port, { tls });
  clients.push(client);
  return client;
}

describe('startListener', () => {
  it('serves plain connections on an ephemeral port', async () => {
    const { port } = await start();
    expect(port).toBeGreaterThan(0);
    const client = await connect(port);
    await client.expect('+OK ready plain 127.0.0.1');
    client.send('HELLO');
    await client.expect('+OK HELLO');
    client.send('QUIT');
    await client.expect('+OK bye');
    await client.closed();
  });

  it('answers a client that half-closes after its last command', async () => {
    const { port } = await start();
    const client = await connect(port);
    await client.expect('+OK ready plain 127.0.0.1');
    client.sendRaw('LAST\r\n');
    client.end();
    await client.expect('+OK LAST');
    await client.expect('+OK bye');
    await client.closed();
  });

  it('does implicit TLS when given a secure context', async () => {
    const { port } = await start({ tls: { secureContext: createServerSecureContext(await devFiles()) } });
    const client = await connect(port, true);
    expect(client.secure).toBe(true);
    await client.expect('+OK ready secure 127.0.0.1');
    client.send('QUIT');
    await client.expect('+OK bye');
  });

  it('refuses connections over the limit with the given reply and frees slots on close', async () => {
    const limiter = new ConnectionLimiter({ maxTotal: 10, maxPerIp: 1 });
    const { port } = await start({ limiter, limitReply: '-ERR [SYS/TEMP] too many connections' });
    const first = await connect(port);
    await first.expect('+OK ready plain 127.0.0.1');
    const second = await connect(port);
    await second.expect('-ERR [SYS/TEMP] too many connections');
    await second.closed();
    first.send('QUIT');
    await first.expect('+OK bye');
    await first.closed();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(limiter.count()).toBe(0);
    const third = await connect(port);
    await third.expect('+OK ready plain 127.0.0.1');
  });

  it('counts accepted, open and refused connections when given metrics', async () => {
    const metrics = createMetrics({ processMetrics: false });
    const limiter = new ConnectionLimiter({ maxTotal: 10, maxPerIp: 1 });
    const { port } = await start({ limiter, metrics: metrics.forProtocol('pop3', []) });
    const first = await connect(port);
    await first.expect('+OK ready plain 127.0.0.1');
    const second = await connect(port);
    await second.closed();
    const open = 'minimail_connections_open{protocol="pop3"}';
    let text = await metrics.scrape();
    // metricSample reads the whole sample line: "... 1" would also be contained in "... 10".
    expect(metricSample(text, open)).toBe(1);
    expect(metricSample(text, 'minimail_connections_refused_total{protocol="pop3",reason="limit"}')).toBe(1);
    first.send('QUIT');
    await first.expect('+OK bye');
    await first.closed();
    text = await scrapeWhen(() => metrics.scrape(), open, 0);
    expect(metricSample(text, open)).toBe(0);
    expect(metricSample(text, 'minimail_connections_total{protocol="pop3"}')).toBe(1);
  });

  it('frees the slot of a client that drops out of the TLS handshake at once', async () => {
    let sessions = 0;
    const { port } = await start({
      tls: { secureContext: createServerSecureContext(await devFiles()) },
      onConnection: () => {
        sessions += 1;
      },
    });
    // TLS 1.3: the client's Finished is still queued when secureConnect fires; destroy() drops
    // it, so the server sees FIN in the middle of its handshake (a half-open handshake).
    const socket = tls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false });
    await new Promise((resolve) => socket.once('secureConnect', resolve));
    socket.destroy();
    const deadline = Date.now() + 2_000; // far below the 10 s handshake timeout
    while (listener!.connections > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(listener!.connections).toBe(0);
    expect(sessions).toBeLessThanOrEqual(1);
  });

  it('logs and closes a session whose handler fails', async () => {
    const { logger: failureLogger, records } = capturingLogger('error');
    const { port } = await start({
      logger: failureLogger,
      onConnection: () => {
        throw new Error('boom');
      },
    });
    const client = await connect(port);
    await client.closed();
    expect(failures(records)).toStrictEqual([{ msg: 'session failed', err: 'boom' }]);
  });

  it('logs and closes a session whose handler rejects', async () => {
    const { logger: failureLogger, records } = capturingLogger('error');
    const { port } = await start({
      logger: failureLogger,
      onConnection: () => Promise.reject(new Error('boom')),
    });
    const client = await connect(port);
    await client.closed();
    expect(failures(records)).toStrictEqual([{ msg: 'session failed', err: 'boom' }]);
  });

  it('lets every open session listen for shutdown without a MaxListenersExceededWarning', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error): void => void warnings.push(warning.name);
    process.on('warning', onWarning);
    try {
      const { port } = await start({
        onConnection: (socket, info) => {
          info.signal.addEventListener('abort', () => socket.end());
          socket.on('end', () => socket.end()); // the client hangs up first in afterEach
          socket.resume();
          socket.write('* OK ready\r\n');
        },
      });
      const opened = await Promise.all(Array.from({ length: 12 }, () => connect(port)));
      await Promise.all(opened.map((client) => client.expect('* OK ready')));
      await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on a later tick
      expect(warnings).toStrictEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('signals sessions on close, then destroys the ones still open after the grace period', async () => {
    const seen: string[] = [];
    const { port } = await start({
      closeGraceMs: 200,
      onConnection: async (socket, info) => {
        const reader = new LineReader(socket);
        socket.write('* OK ready\r\n');
        const polite = (await reader.readLine())?.toString() === 'POLITE';
        seen.push(polite ? 'polite' : 'stubborn');
        info.signal.addEventListener('abort', () => {
          if (polite) socket.end('* BYE shutting down\r\n');
        });
      },
    });
    const polite = await connect(port);
    const stubborn = await connect(port);
    await polite.expect('* OK ready');
    await stubborn.expect('* OK ready');
    polite.send('POLITE');
    stubborn.send('STUBBORN');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(seen.sort()).toEqual(['polite', 'stubborn']);
    expect(listener?.connections).toBe(2);

    const closing = listener!.close();
    await polite.expect('* BYE shutting down');
    await polite.closed();
    await stubborn.closed(2_000);
    await closing;
    expect(listener?.connections).toBe(0);
  });
});

describe('createSessionId', () => {
  it('is short, URL-safe and unique', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => createSessionId()));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{12}$/);
  });
});
