import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageSpool } from '@minimail/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { CommandAssembler, findLiteralMarker, type AssemblerEvent } from './assembler.js';
import { describeFrame, isSpooled } from './frame.js';

/** Events reduced to comparable values: frames as loggable text, errors as their fields. */
function summarize(events: AssemblerEvent[]): unknown[] {
  return events.map((event) => {
    if (event.kind === 'command')
      return { command: event.frame.segments, literals: event.frame.literals.map(String) };
    if (event.kind === 'continue') return 'continue';
    const { code, tag, status, responseCode, closeConnection, message } = event.error;
    return { error: { code, tag, status, responseCode, closeConnection, message } };
  });
}

function feed(assembler: CommandAssembler, ...chunks: string[]): unknown[] {
  return chunks.flatMap((chunk) => summarize(assembler.push(Buffer.from(chunk, 'latin1'))));
}

describe('CommandAssembler', () => {
  it('splits pipelined lines and accepts bare LF', () => {
    expect(feed(new CommandAssembler(), 'a1 NOOP\r\na2 CAPABILITY\na3 LOG', 'OUT\r\n')).toEqual([
      { command: ['a1 NOOP'], literals: [] },
      { command: ['a2 CAPABILITY'], literals: [] },
      { command: ['a3 LOGOUT'], literals: [] },
    ]);
  });

  it('ignores empty lines between commands', () => {
    expect(feed(new CommandAssembler(), '\r\n\r\na1 NOOP\r\n')).toEqual([
      { command: ['a1 NOOP'], literals: [] },
    ]);
  });

  it('asks for a synchronizing literal and collects it across chunks', () => {
    const assembler = new CommandAssembler();
    expect(feed(assembler, 'a1 LOGIN {5}\r\n')).toEqual(['continue']);
    expect(feed(assembler, 'ali', 'ce {3}\r\n')).toEqual(['continue']);
    expect(feed(assembler, 'p\r\n', '\r\n')).toEqual([
      { command: ['a1 LOGIN {5}', ' {3}', ''], literals: ['alice', 'p\r\n'] },
    ]);
  });

  it('takes LITERAL+ without a continuation (RFC 7888)', () => {
    expect(feed(new CommandAssembler(), 'a1 LOGIN {5+}\r\nalice {1+}\r\nx\r\n')).toEqual([
      { command: ['a1 LOGIN {5+}', ' {1+}', ''], literals: ['alice', 'x'] },
    ]);
  });

  it('handles a zero-length literal', () => {
    expect(feed(new CommandAssembler(), 'a1 LOGIN {0}\r\n "x"\r\n')).toEqual([
      'continue',
      { command: ['a1 LOGIN {0}', ' "x"'], literals: [''] },
    ]);
  });

  it('hands APPEND bodies out as Buffers, byte-exact', () => {
    const assembler = new CommandAssembler();
    const body = Buffer.from([0x00, 0xff, 0x0d, 0x0a, 0x41]);
    const events = [
      ...assembler.push(Buffer.from(`a1 APPEND INBOX {${body.length}+}\r\n`)),
      ...assembler.push(body),
      ...assembler.push(Buffer.from('\r\n')),
    ];
    expect(events).toHaveLength(1);
    const event = events[0];
    expect(event?.kind).toBe('command');
    if (event?.kind === 'command') {
      expect(Buffer.isBuffer(event.frame.literals[0])).toBe(true);
      expect((event.frame.literals[0] as Buffer | undefined)?.equals(body)).toBe(true);
      expect(describeFrame(event.frame)).toBe('a1 APPEND INBOX {5+}<5 octets>');
    }
  });

  it.each([
    [
      'synchronizing over the limit: BAD [TOOBIG], keep serving',
      'a1 LOGIN {101}\r\n',
      'LITERAL_TOO_BIG',
      'BAD',
      'TOOBIG',
      false,
    ],
    [
      'non-synchronizing over the limit: RFC 7888 4, close after reply',
      'a1 LOGIN {101+}\r\n',
      'LITERAL_TOO_BIG',
      'BAD',
      'TOOBIG',
      true,
    ],
    [
      'APPEND over the limit: NO [TOOBIG]',
      'a1 APPEND INBOX {1001}\r\n',
      'LITERAL_TOO_BIG',
      'NO',
      'TOOBIG',
      false,
    ],
    ['huge size', 'a1 LOGIN {99999999999999999999}\r\n', 'LITERAL_TOO_BIG', 'BAD', 'TOOBIG', false],
    ['negative size', 'a1 LOGIN {-1}\r\n', 'BAD_LITERAL', 'BAD', null, false],
    ['negative non-synchronizing size', 'a1 LOGIN {-1+}\r\n', 'BAD_LITERAL', 'BAD', null, true],
    ['letters', 'a1 LOGIN {abc}\r\n', 'BAD_LITERAL', 'BAD', null, false],
    ['empty braces', 'a1 LOGIN {}\r\n', 'BAD_LITERAL', 'BAD', null, false],
  ])('rejects %s', (_name, line, code, status, responseCode, closeConnection) => {
    const assembler = new CommandAssembler({ maxLiteralSize: 100, maxAppendSize: 1000 });
    const events = feed(assembler, line);
    expect(events).toEqual([
      {
        error: {
          code,
          tag: 'a1',
          status,
          responseCode,
          closeConnection,
          message: code === 'BAD_LITERAL' ? 'Invalid literal size' : 'Literal too big',
        },
      },
    ]);
    expect(assembler.failed).toBe(closeConnection);
    // After a recoverable error the next line is a new command; after a fatal one nothing is read.
    expect(feed(assembler, 'a2 NOOP\r\n')).toEqual(
      closeConnection ? [] : [{ command: ['a2 NOOP'], literals: [] }],
    );
  });

  it('bounds the sum of literals of one non-APPEND command', () => {
    const assembler = new CommandAssembler({ maxLiteralSize: 100, maxCommandSize: 150 });
    const events = feed(assembler, `a1 LOGIN {90+}\r\n${'x'.repeat(90)} {90+}\r\n`);
    expect(events).toMatchObject([{ error: { code: 'LITERAL_TOO_BIG', tag: 'a1', closeConnection: true } }]);
  });

  it('drops an over-long line without buffering it and resynchronizes at the next line', () => {
    const assembler = new CommandAssembler({ maxLineLength: 20 });
    const events = feed(assembler, 'a1 SEARCH ', 'X'.repeat(50), 'Y'.repeat(5000), ' ALL\r\na2 NOOP\r\n');
    expect(events).toEqual([
      {
        error: {
          code: 'LINE_TOO_LONG',
          tag: 'a1',
          status: 'BAD',
          responseCode: null,
          closeConnection: false,
          message: 'Command line too long',
        },
      },
      { command: ['a2 NOOP'], literals: [] },
    ]);
  });

  it('closes when an over-long line ended with a non-synchronizing literal', () => {
    const assembler = new CommandAssembler({ maxLineLength: 20 });
    const events = feed(assembler, `a1 LOGIN ${'x'.repeat(40)} {5+}\r\nhello\r\n`);
    expect(events).toMatchObject([{ error: { code: 'LINE_TOO_LONG', tag: 'a1', closeConnection: true } }]);
    expect(assembler.failed).toBe(true);
  });

  it('answers an over-long line with an unreadable tag untagged', () => {
    const events = feed(new CommandAssembler({ maxLineLength: 10 }), `+bad ${'x'.repeat(40)}\r\n`);
    expect(events).toMatchObject([{ error: { code: 'LINE_TOO_LONG', tag: null } }]);
  });

  it('accepts a line of exactly the limit', () => {
    const line = `a1 X ${'y'.repeat(15)}`;
    expect(line.length).toBe(20);
    expect(feed(new CommandAssembler({ maxLineLength: 20 }), `${line}\r\n`)).toEqual([
      { command: [line], literals: [] },
    ]);
  });

  it('reset() drops buffered input (STARTTLS injection)', () => {
    const assembler = new CommandAssembler();
    expect(feed(assembler, 'a1 STARTTLS\r\na2 LOG')).toEqual([{ command: ['a1 STARTTLS'], literals: [] }]);
    assembler.reset();
    expect(feed(assembler, 'a3 NOOP\r\n')).toEqual([{ command: ['a3 NOOP'], literals: [] }]);
  });
});

describe('findLiteralMarker', () => {
  it.each([
    ['a1 LOGIN {5}', { kind: 'literal', size: 5, synchronizing: true }],
    ['a1 LOGIN {5+}', { kind: 'literal', size: 5, synchronizing: false }],
    ['a1 LOGIN "{5}"', { kind: 'none' }],
    ['a1 LOGIN "a{" b}', { kind: 'none' }],
    ['a1 NOOP', { kind: 'none' }],
    ['a1 LOGIN {5x}', { kind: 'malformed', nonSynchronizing: false }],
    ['a1 LOGIN {+}', { kind: 'malformed', nonSynchronizing: true }],
  ])('%s', (line, expected) => {
    expect(findLiteralMarker(line)).toEqual(expected);
  });
});

describe('CommandAssembler over a real socket', () => {
  let server: net.Server | undefined;
  afterEach(async () => {
    if (server) await new Promise<void>((resolve) => server?.close(() => resolve()));
    server = undefined;
  });

  it('drives the literal continuation handshake byte by byte', async () => {
    const received: string[] = [];
    server = net.createServer((socket) => {
      const assembler = new CommandAssembler();
      socket.on('data', (chunk: Buffer) => {
        for (const event of assembler.push(chunk)) {
          if (event.kind === 'continue') socket.write('+ Ready for literal data\r\n');
          if (event.kind === 'command') {
            received.push(describeFrame(event.frame));
            socket.end(`${event.frame.segments[0]?.split(' ')[0]} OK done\r\n`);
          }
        }
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const address = server.address() as net.AddressInfo;
    const client = net.connect(address.port, '127.0.0.1');
    await once(client, 'connect');
    const replies: string[] = [];
    client.setEncoding('latin1');
    client.on('data', (data: string) => {
      replies.push(data);
      if (data.startsWith('+ ')) for (const byte of 'INBOX (UIDNEXT)\r\n') client.write(byte);
    });
    for (const byte of 'c1 STATUS {5}\r\n') client.write(byte);
    await once(client, 'end');
    client.destroy();
    expect(replies.join('')).toBe('+ Ready for literal data\r\nc1 OK done\r\n');
    expect(received).toEqual(['c1 STATUS {5}<5 octets> (UIDNEXT)']);
  });
});

describe('CommandAssembler line limit edges', () => {
  it('rejects a line one byte over the limit even without CR', () => {
    const line = `a1 X ${'y'.repeat(16)}`;
    expect(feed(new CommandAssembler({ maxLineLength: 20 }), `${line}\n`)).toMatchObject([
      { error: { code: 'LINE_TOO_LONG', tag: 'a1', closeConnection: false } },
    ]);
  });

  it('counts the limit per line, not per command with literals', () => {
    const assembler = new CommandAssembler({ maxLineLength: 20 });
    expect(feed(assembler, `a1 LOGIN {5+}\r\nalice ${'p'.repeat(14)}\r\n`)).toEqual([
      { command: ['a1 LOGIN {5+}', ` ${'p'.repeat(14)}`], literals: ['alice'] },
    ]);
  });
});

describe('CommandAssembler with a large APPEND', () => {
  it('reassembles a literal split across many chunks byte-exactly', () => {
    const body = Buffer.alloc(256 * 1024);
    for (let i = 0; i < body.length; i += 1) body[i] = (i * 31 + 7) & 0xff;
    const wire = Buffer.concat([
      Buffer.from(`a1 APPEND INBOX (\\Seen) {${body.length}}\r\n`),
      body,
      Buffer.from('\r\na2 NOOP\r\n'),
    ]);
    const assembler = new CommandAssembler();
    const events: AssemblerEvent[] = [];
    for (let offset = 0; offset < wire.length; offset += 1000)
      events.push(...assembler.push(wire.subarray(offset, offset + 1000)));
    expect(events.map((event) => event.kind)).toEqual(['continue', 'command', 'command']);
    const append = events[1];
    expect(append?.kind === 'command' && (append.frame.literals[0] as Buffer | undefined)?.equals(body)).toBe(
      true,
    );
    expect(append?.kind === 'command' && append.frame.segments).toEqual([
      `a1 APPEND INBOX (\\Seen) {${body.length}}`,
      '',
    ]);
  });
});

describe('CommandAssembler with a spool (docs/adr/0027)', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  const spoolIn = (thresholdBytes: number): MessageSpool => {
    const dir = mkdtempSync(join(tmpdir(), 'minimail-assembler-spool-'));
    dirs.push(dir);
    return new MessageSpool({ dir: join(dir, 'spool'), thresholdBytes });
  };

  it('streams a large APPEND literal into a spool file and keeps small ones and other commands in memory', async () => {
    const spool = spoolIn(1000);
    const assembler = new CommandAssembler({
      spoolAppend: (size) => (size > spool.thresholdBytes ? spool.writer(size) : null),
    });
    const body = Buffer.alloc(5000, 'm');
    const wire = Buffer.concat([
      Buffer.from(`a1 APPEND INBOX {${body.length}+}\r\n`),
      body,
      Buffer.from('\r\na2 APPEND INBOX {3+}\r\nabc\r\na3 LOGIN {4000+}\r\n'),
      Buffer.alloc(4000, 'u'),
      Buffer.from(' pw\r\n'),
    ]);
    const events: AssemblerEvent[] = [];
    for (let offset = 0; offset < wire.length; offset += 700)
      events.push(...assembler.push(wire.subarray(offset, offset + 700)));
    expect(events.map((event) => event.kind)).toEqual(['command', 'command', 'command']);
    const [large, small] = events;
    if (large?.kind !== 'command' || small?.kind !== 'command') throw new Error('expected commands');
    const literal = large.frame.literals[0];
    if (literal === undefined || !isSpooled(literal)) throw new Error('expected a spooled literal');
    expect(literal.length).toBe(5000);
    expect(describeFrame(large.frame)).toBe('a1 APPEND INBOX {5000+}<5000 octets>');
    const outcome = await literal.writer.finish();
    expect(outcome.kind === 'file' && readFileSync(outcome.path).equals(body)).toBe(true);
    expect(spool.fileCount).toBe(1);
    // The frame's reservation is what removes the file once the command is answered.
    large.frame.reservation?.release();
    expect(spool.fileCount).toBe(0);
    expect(readdirSync(spool.dir)).toEqual([]);
    expect(Buffer.isBuffer(small.frame.literals[0])).toBe(true);
    // Only an APPEND message is ever spooled: another command's literal stays in memory, whatever its size.
    const login = events[2];
    expect(login?.kind === 'command' && Buffer.isBuffer(login.frame.literals[0])).toBe(true);
  });

  it('a reset in the middle of a spooled literal (STARTTLS, connection gone) removes its file', async () => {
    const spool = spoolIn(10);
    const assembler = new CommandAssembler({ spoolAppend: (size) => spool.writer(size) });
    expect(assembler.push(Buffer.from('a1 APPEND INBOX {100}\r\n'))).toEqual([{ kind: 'continue' }]);
    assembler.push(Buffer.alloc(50, 'x'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(spool.fileCount).toBe(1);
    assembler.reset();
    expect(spool.fileCount).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(readdirSync(spool.dir)).toEqual([]);
  });
});

describe('CommandAssembler: MULTIAPPEND and LITERAL- (RFC 3502, RFC 7888)', () => {
  it('holds the budget of every message of a MULTIAPPEND until the frame is released', async () => {
    const { MessageMemoryBudget } = await import('@minimail/protocol');
    const budget = new MessageMemoryBudget({ limitBytes: 100, collectWhenEmptied: false });
    const assembler = new CommandAssembler({ reserveAppend: (size) => budget.tryReserve(size) });
    const events = assembler.push(
      Buffer.from('a1 APPEND INBOX {30+}\r\n' + 'x'.repeat(30) + ' {40+}\r\n' + 'y'.repeat(40) + '\r\n'),
    );
    const frame = events[0]?.kind === 'command' ? events[0].frame : null;
    expect(frame?.literals.map((literal) => literal.length)).toEqual([30, 40]);
    expect(frame?.reservation?.bytes).toBe(70);
    expect(budget.inUse).toBe(70);
    // A third message that does not fit the rest of the budget is refused (NO [LIMIT]).
    const refused = summarize(
      assembler.push(Buffer.from('a2 APPEND INBOX {20}\r\n' + 'z'.repeat(20) + ' {20}\r\n')),
    );
    expect(refused).toEqual([
      'continue',
      {
        error: {
          code: 'OVER_BUDGET',
          tag: 'a2',
          status: 'NO',
          responseCode: 'LIMIT',
          closeConnection: false,
          message: 'Too many messages being received, try again later',
        },
      },
    ]);
    frame?.reservation?.release();
    expect(budget.inUse).toBe(0);
  });

  it('LITERAL- alone: non-synchronizing literals up to 4096 octets; a bigger one is BAD [TOOBIG] and closes', () => {
    const assembler = new CommandAssembler({ maxNonSyncLiteralSize: 4096 });
    expect(feed(assembler, `a1 LOGIN {4096+}\r\n${'p'.repeat(4096)} x\r\n`)).toEqual([
      { command: ['a1 LOGIN {4096+}', ' x'], literals: ['p'.repeat(4096)] },
    ]);
    // A synchronizing literal of any allowed size is still fine.
    expect(feed(assembler, 'a2 LOGIN {5000}\r\n')).toEqual(['continue']);
    expect(feed(assembler, `${'q'.repeat(5000)} y\r\n`)).toEqual([
      { command: ['a2 LOGIN {5000}', ' y'], literals: ['q'.repeat(5000)] },
    ]);
    expect(feed(assembler, 'a3 LOGIN {4097+}\r\n')).toEqual([
      {
        error: {
          code: 'LITERAL_TOO_BIG',
          tag: 'a3',
          status: 'BAD',
          responseCode: 'TOOBIG',
          closeConnection: true,
          message: 'Non-synchronizing literal above 4096 octets',
        },
      },
    ]);
    expect(assembler.failed).toBe(true);
  });
});
