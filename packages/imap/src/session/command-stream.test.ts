/**
 * CommandStream over a real loopback socket: what next() answers, in which order, and that a
 * finished connection leaves nothing behind on the listener's long-lived shutdown signal.
 */
import { getEventListeners } from 'node:events';
import net, { type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { CommandStream } from './command-stream.js';

interface Pair {
  server: net.Server;
  serverSide: Socket;
  client: Socket;
}

let pair: Pair | null = null;
afterEach(async () => {
  if (!pair) return;
  const { server, serverSide, client } = pair;
  pair = null;
  client.destroy();
  serverSide.destroy();
  await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
});

/** A connected socket pair; the server side starts paused, as the listener hands it over. */
async function connectedPair(): Promise<Pair> {
  const server = net.createServer({ pauseOnConnect: true, allowHalfOpen: true });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const accepted = new Promise<Socket>((resolve) => server.once('connection', resolve));
  const client = net.connect((server.address() as AddressInfo).port, '127.0.0.1');
  const serverSide = await accepted;
  pair = { server, serverSide, client };
  return pair;
}

describe('CommandStream', () => {
  it('answers a command that arrives while waiting, then end when the client leaves', async () => {
    const { serverSide, client } = await connectedPair();
    const stream = new CommandStream(serverSide, new AbortController().signal);
    const first = stream.next(5_000);
    // Half a line completes nothing: next() keeps waiting for the rest.
    client.write('a1 NO');
    client.write('OP\r\n');
    expect(await first).toEqual({ kind: 'command', frame: { segments: ['a1 NOOP'], literals: [] } });
    client.end();
    expect(await stream.next(5_000)).toEqual({ kind: 'end' });
  });

  it('answers timeout when the client says nothing, and poke when woken', async () => {
    const { serverSide } = await connectedPair();
    const stream = new CommandStream(serverSide, new AbortController().signal);
    expect(await stream.next(20)).toEqual({ kind: 'timeout' });
    const waiting = stream.next(5_000);
    stream.poke();
    expect(await waiting).toEqual({ kind: 'poke' });
  });

  it('answers shutdown when the listener closes', async () => {
    const { serverSide } = await connectedPair();
    const shutdown = new AbortController();
    const stream = new CommandStream(serverSide, shutdown.signal);
    const waiting = stream.next(5_000);
    shutdown.abort();
    expect(await waiting).toEqual({ kind: 'shutdown' });
  });

  it('takes its listener off the shutdown signal once the connection has ended', async () => {
    const { serverSide, client } = await connectedPair();
    const shutdown = new AbortController();
    const stream = new CommandStream(serverSide, shutdown.signal);
    expect(getEventListeners(shutdown.signal, 'abort')).toHaveLength(1);
    client.end();
    expect(await stream.next(5_000)).toEqual({ kind: 'end' });
    expect(getEventListeners(shutdown.signal, 'abort')).toHaveLength(0);
  });
});
