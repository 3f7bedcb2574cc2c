/**
 * RFC 7888: LITERAL- beside LITERAL+ by default (a client that knows only LITERAL- keeps its
 * non-synchronizing literals to 4096 octets; one that knows LITERAL+ may send bigger ones), and
 * LITERAL- alone when the server is configured so: a non-synchronizing literal above 4096 octets
 * is then BAD [TOOBIG] and the connection is closed (its octets are already on the way).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ByteClient, byteLogin } from '../test-support/byte-client.js';
import { BASE_CAPS, startHarness, type Harness } from '../test-support/harness.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

describe('LITERAL- (RFC 7888)', () => {
  it('is advertised beside LITERAL+; non-synchronizing literals of 4096 octets and beyond are taken', async () => {
    h = await startHarness();
    const c = await ByteClient.connect(h.port);
    expect(await c.greeting()).toContain(' LITERAL+ LITERAL- ');
    c.send(`a LOGIN {17+}\r\nalice@example.com {4096+}\r\n${'p'.repeat(4096)}\r\n`);
    expect(await c.text('a')).toMatch(/^a OK /);
    c.send('s SELECT INBOX\r\n');
    await c.reply('s');
    c.send(`b SEARCH TEXT {4097+}\r\n${'n'.repeat(4097)}\r\n`);
    expect(await c.text('b')).toBe('* SEARCH\r\nb OK SEARCH completed\r\n');
  });

  it('LITERAL- alone: up to 4096 octets non-synchronizing, then BAD [TOOBIG] and the connection closes', async () => {
    h = await startHarness({ literalPlus: false });
    const c = await ByteClient.connect(h.port);
    const greeting = await c.greeting();
    expect(greeting).toContain(BASE_CAPS.replace('LITERAL+ ', ''));
    expect(greeting).not.toContain('LITERAL+');
    c.send(`a LOGIN {17+}\r\nalice@example.com {4096+}\r\n${'p'.repeat(4096)}\r\n`);
    expect(await c.text('a')).toMatch(/^a OK /);
    c.send('s SELECT INBOX\r\n');
    await c.reply('s');
    // Synchronizing literals of any size stay fine.
    c.send('b SEARCH TEXT {4097}\r\n');
    expect(await c.greeting()).toBe('+ Ready for literal data');
    c.send(`${'n'.repeat(4097)}\r\n`);
    expect(await c.text('b')).toBe('* SEARCH\r\nb OK SEARCH completed\r\n');
    c.send(`c SEARCH TEXT {4097+}\r\n${'n'.repeat(4097)}\r\n`);
    expect(await c.text('c')).toBe('c BAD [TOOBIG] Non-synchronizing literal above 4096 octets\r\n');
    expect((await c.reply('*')).toString()).toBe('* BYE Cannot continue reading this connection\r\n');
    await c.closedByServer();
  });

  it('APPEND under LITERAL- alone: a big message needs a synchronizing literal', async () => {
    h = await startHarness({ literalPlus: false });
    const c = await byteLogin(h.port);
    const message = `Subject: big\r\n\r\n${'x'.repeat(5000)}\r\n`;
    c.send(`a APPEND INBOX {${message.length}}\r\n`);
    expect(await c.greeting()).toBe('+ Ready for literal data');
    c.send(`${message}\r\n`);
    expect(await c.text('a')).toMatch(/^a OK \[APPENDUID \d+ 1\] APPEND completed\r\n$/);
  });
});
