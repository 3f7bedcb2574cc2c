import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { LineReader } from '../line-reader.js';
import { startListener, type Listener } from '../listener.js';
import { createLogger } from '../logging.js';
import { devFiles } from '../test-support/dev-files.js';
import { createServerSecureContext, upgradeToTls } from '../tls.js';
import { RawClient, RawClientError } from './index.js';

let listener: Listener | null = null;
let client: RawClient | null = null;

afterEach(async () => {
  await client?.close();
  client = null;
  await listener?.close();
  listener = null;
});

/**
 * A POP3-flavoured session showing how protocol packages use the plumbing for STLS (RFC 2595 4):
 * detach the reader, drop pipelined plaintext, answer, handshake, re-attach.
 */
async function startDemoServer(): Promise<number> {
  const secureContext = createServerSecureContext(await devFiles());
  listener = await startListener({
    host: '127.0.0.1',
    port: 0,
    logger: createLogger({ level: 'silent' }),
    onConnection: async (plain) => {
      let socket: Socket | TLSSocket = plain;
      const reader = new LineReader(socket);
      socket.write('+OK demo\r\n');
      while (true) {
        const line = (await reader.readLine())?.toString();
        if (line === undefined || line === 'QUIT') break;
        if (line === 'STLS') {
          reader.detach();
          const dropped = reader.discardBuffered();
          socket.write(`+OK begin TLS (dropped ${dropped} bytes)\r\n`);
          socket = await upgradeToTls(plain, secureContext);
          reader.attach(socket);
        } else if (line === 'LIST') {
          socket.write('+OK 2 messages\r\n1 120\r\n..dot-stuffed\r\n.\r\n');
        } else if (line === 'EHLO x') {
          socket.write('250-demo\r\n250-PIPELINING\r\n250 STARTTLS\r\n');
        } else if (line === 'a1 NOOP') {
          socket.write('* 3 EXISTS\r\na1 OK NOOP completed\r\n');
        } else if (line === 'SLOW') {
          setTimeout(() => socket.write('+OK slow\r\n'), 150);
        } else {
          socket.write(`-ERR unknown ${line}\r\n`);
        }
      }
      socket.end('+OK bye\r\n');
    },
  });
  return listener.port;
}

describe('RawClient', () => {
  it('upgrades with STLS and the server ignores plaintext pipelined after it', async () => {
    client = await RawClient.connect(await startDemoServer());
    await client.expect('+OK demo');
    client.sendRaw('STLS\r\nQUIT\r\n');
    await client.expect('+OK begin TLS (dropped 6 bytes)');
    await client.startTls();
    expect(client.secure).toBe(true);
    client.send('NOOP');
    await client.expect('-ERR unknown NOOP');
    client.send('QUIT');
    await client.expect('+OK bye');
    await client.closed();
  });

  it('reads multi-line replies up to the lone dot, keeping dot-stuffing', async () => {
    client = await RawClient.connect(await startDemoServer());
    await client.expect('+OK demo');
    client.send('LIST');
    await client.expect('+OK 2 messages');
    expect(await client.readMultiline()).toEqual(['1 120', '..dot-stuffed']);
  });

  it('reports a mismatch with the conversation so far', async () => {
    client = await RawClient.connect(await startDemoServer());
    await client.expect('+OK demo');
    client.send('BOGUS');
    const error = await client.expect('+OK yes').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RawClientError);
    expect((error as Error).message).toBe(
      'expected "+OK yes", got "-ERR unknown BOGUS"\nconversation:\nS: +OK demo\nC: BOGUS\nS: -ERR unknown BOGUS',
    );
  });

  it('does not lose a line that arrives after a read timed out', async () => {
    client = await RawClient.connect(await startDemoServer());
    await client.expect('+OK demo');
    client.send('SLOW');
    await expect(client.readLine(20)).rejects.toThrow(/no line from the server within 20 ms/);
    await client.expect('+OK slow');
  });

  it('reads until a predicate matches and fails clearly when the server hangs up', async () => {
    client = await RawClient.connect(await startDemoServer());
    client.send('A');
    client.send('B');
    expect(await client.readUntil(/^-ERR unknown B$/)).toEqual([
      '+OK demo',
      '-ERR unknown A',
      '-ERR unknown B',
    ]);
    client.send('QUIT');
    await client.expect('+OK bye');
    await expect(client.readLine()).rejects.toThrow(/closed the connection/);
  });

  it('reads SMTP multi-line replies and IMAP responses up to the tagged line', async () => {
    client = await RawClient.connect(await startDemoServer());
    await client.expect('+OK demo');
    client.send('EHLO x');
    expect(await client.readSmtpReply()).toEqual(['250-demo', '250-PIPELINING', '250 STARTTLS']);
    client.send('a1 NOOP');
    expect(await client.readTagged('a1')).toEqual(['* 3 EXISTS', 'a1 OK NOOP completed']);
  });
});
