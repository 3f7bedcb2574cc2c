/**
 * Hostile clients against the real CLI server (SMTP, POP3 and IMAP in one `minimail serve`): slow
 * drip, floods of unknown commands (10,000 pipelined), half-open and silent sockets, literal bombs,
 * huge lines and headers, oversized messages. After each attack the server must still answer a
 * normal session, and at the end its resident memory must still be bounded.
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { RawClient } from '@minimail/protocol/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cliEnv,
  freePort,
  pop3Bye,
  pop3ReadyCount,
  REPLY,
  sendOneMessage,
  startServer,
  tempDataDir,
  type RunningServer,
} from './support.js';

/** Small enough that an oversized message is cheap to send, large enough for real mail in tests. */
const MAX_MESSAGE_SIZE = 1024 * 1024;
/** Growth of the server's RSS over the whole file that still counts as bounded. */
const MAX_RSS_GROWTH_BYTES = 150 * 1024 * 1024;
const UNKNOWN_COMMANDS = 10_000;

let data: ReturnType<typeof tempDataDir>;
let server: RunningServer | undefined;
const ports = { smtp: 0, pop3: 0, imap: 0 };
let baselineRss = 0;

function rssBytes(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? 0) * 1024;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A plain socket for attacks RawClient is too polite for (drips, floods, half-closes). */
function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port }, () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Everything the server sends until it closes the connection (or `timeoutMs` passes). */
function collectUntilClosed(
  socket: net.Socket,
  timeoutMs: number,
): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve) => {
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
    socket.on('error', () => undefined); // a reset after our flood is one way of being hung up on
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ text, closed: false });
    }, timeoutMs);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve({ text, closed: true });
    });
  });
}

/** Normal sessions: the proof that the server survived. */
async function normalSmtp(): Promise<void> {
  const client = await RawClient.connect(ports.smtp);
  try {
    await client.expect(REPLY.smtpGreeting);
    await sendOneMessage(client, {
      from: 'a@client.test',
      to: 'check@example.test',
      raw: 'Subject: still alive\r\n\r\nhello\r\n',
    });
    client.send('QUIT');
    await client.expect(REPLY.smtpBye);
  } finally {
    await client.close();
  }
}

async function normalPop3(): Promise<void> {
  const client = await RawClient.connect(ports.pop3);
  try {
    await client.expect(REPLY.pop3Greeting);
    client.send('USER check@example.test');
    await client.expect(REPLY.pop3SendPass);
    client.send('PASS any');
    const count = pop3ReadyCount(await client.readLine());
    expect(count).not.toBeNull();
    client.send('STAT');
    await client.expect(new RegExp(`^\\+OK ${count} \\d+$`));
    client.send('QUIT');
    await client.expect(pop3Bye(count ?? 0));
  } finally {
    await client.close();
  }
}

async function normalImap(): Promise<void> {
  const client = await RawClient.connect(ports.imap);
  try {
    await client.expect(/^\* OK \[CAPABILITY [^\]]+\] localhost minimail IMAP4rev1 ready$/);
    client.send('n1 LOGIN check@example.test any');
    expect((await client.readTagged('n1')).at(-1)).toMatch(/^n1 OK \[CAPABILITY [^\]]+\] Logged in$/);
    client.send('n2 SELECT INBOX');
    expect((await client.readTagged('n2')).at(-1)).toBe('n2 OK [READ-WRITE] SELECT completed');
    client.send('n3 LOGOUT');
    const bye = await client.readTagged('n3');
    expect(bye[0]).toBe('* BYE Logging out');
    expect(bye.at(-1)).toBe('n3 OK LOGOUT completed');
  } finally {
    await client.close();
  }
}

async function allServe(): Promise<void> {
  await normalSmtp();
  await normalPop3();
  await normalImap();
}

beforeAll(async () => {
  data = tempDataDir();
  ports.smtp = await freePort();
  ports.pop3 = await freePort();
  ports.imap = await freePort();
  server = await startServer(
    ['--services', 'smtp,pop3,imap'],
    cliEnv(data.dir, {
      MINIMAIL_SMTP_PORT: String(ports.smtp),
      MINIMAIL_POP3_PORT: String(ports.pop3),
      MINIMAIL_IMAP_PORT: String(ports.imap),
      MINIMAIL_MAX_MESSAGE_SIZE: String(MAX_MESSAGE_SIZE),
    }),
  );
  await allServe();
  baselineRss = rssBytes(server.child.pid!);
});

afterAll(async () => {
  await server?.stop('SIGTERM');
  data.cleanup();
});

describe('hostile clients against minimail serve', () => {
  it('SMTP: a command dripped one byte at a time is answered like any other', async () => {
    const socket = await connect(ports.smtp);
    const received = collectUntilClosed(socket, 10_000);
    for (const byte of 'EHLO drip.test\r\nQUIT\r\n') {
      socket.write(byte);
      await sleep(5);
    }
    const { text, closed } = await received;
    expect(closed).toBe(true);
    expect(text).toMatch(
      /^220 [^\r\n]+\r\n250-[^\r\n]+\r\n(?:250-[^\r\n]+\r\n)*250 [^\r\n]+\r\n221 [^\r\n]+\r\n$/,
    );
    await allServe();
  });

  it('POP3 and IMAP: dripped commands are answered like any other', async () => {
    const pop3 = await connect(ports.pop3);
    const popReceived = collectUntilClosed(pop3, 10_000);
    const imap = await connect(ports.imap);
    const imapReceived = collectUntilClosed(imap, 10_000);
    const popLine = 'CAPA\r\nQUIT\r\n';
    const imapLine = 'd1 CAPABILITY\r\nd2 LOGOUT\r\n';
    for (let i = 0; i < Math.max(popLine.length, imapLine.length); i++) {
      if (i < popLine.length) pop3.write(popLine[i]!);
      if (i < imapLine.length) imap.write(imapLine[i]!);
      await sleep(5);
    }
    const pop = await popReceived;
    expect(pop.closed).toBe(true);
    expect(pop.text).toMatch(/^\+OK [^\r\n]*\r\n\+OK[^\r\n]*\r\n(?:[^\r\n]+\r\n)+\.\r\n\+OK[^\r\n]*\r\n$/);
    const im = await imapReceived;
    expect(im.closed).toBe(true);
    expect(im.text).toMatch(
      /^\* OK [^\r\n]*\r\n\* CAPABILITY [^\r\n]+\r\nd1 OK [^\r\n]*\r\n\* BYE [^\r\n]*\r\nd2 OK [^\r\n]*\r\n$/,
    );
    await allServe();
  });

  it(`SMTP: ${UNKNOWN_COMMANDS} pipelined unknown commands get a bounded number of errors, then a hang-up`, async () => {
    const socket = await connect(ports.smtp);
    const received = collectUntilClosed(socket, 15_000);
    socket.write('XYZZY plugh\r\n'.repeat(UNKNOWN_COMMANDS));
    const { text, closed } = await received;
    expect(closed).toBe(true);
    // smtp-server answers nine 500s and hangs up with 421 on the tenth (RFC 5321 3.8).
    expect(text).toBe(
      '220 localhost ESMTP minimail\r\n' +
        '500 5.5.2 Error: command not recognized\r\n'.repeat(9) +
        '421 4.4.2 Error: too many unrecognized commands\r\n',
    );
    await allServe();
  });

  it(`POP3: ${UNKNOWN_COMMANDS} pipelined unknown commands get a bounded number of -ERR, then a hang-up`, async () => {
    const socket = await connect(ports.pop3);
    const received = collectUntilClosed(socket, 15_000);
    socket.write('XYZZY\r\n'.repeat(UNKNOWN_COMMANDS));
    const { text, closed } = await received;
    expect(closed).toBe(true);
    // pop3 MAX_UNKNOWN_COMMANDS (10): the tenth is answered and the session closed.
    expect(text).toBe(
      '+OK localhost POP3 server ready\r\n' +
        '-ERR unknown command\r\n'.repeat(9) +
        '-ERR too many unknown commands, closing connection\r\n',
    );
    await allServe();
  });

  it(`IMAP: ${UNKNOWN_COMMANDS} pipelined unknown commands get a bounded number of BAD, then BYE`, async () => {
    const socket = await connect(ports.imap);
    const received = collectUntilClosed(socket, 15_000);
    let flood = '';
    for (let i = 0; i < UNKNOWN_COMMANDS; i++) flood += `u${i} XYZZY\r\n`;
    socket.write(flood);
    const { text, closed } = await received;
    expect(closed).toBe(true);
    const lines = text.split('\r\n').filter(Boolean);
    expect(lines[0]).toMatch(/^\* OK /);
    expect(lines.at(-1)).toMatch(/^\* BYE /);
    // imap maxConsecutiveBad (20): twenty BADs, then BYE.
    expect(lines.slice(1, -1)).toEqual(
      Array.from({ length: 20 }, (_, i) => `u${i} BAD Unknown command XYZZY`),
    );
    await allServe();
  });

  it('floods of valid commands from many connections at once leave the server serving', async () => {
    const sockets = await Promise.all(
      Array.from({ length: 10 }, (_, i) => connect([ports.smtp, ports.pop3, ports.imap][i % 3]!)),
    );
    const done = sockets.map((socket) => collectUntilClosed(socket, 3_000));
    sockets.forEach((socket, i) => {
      const line = ['NOOP\r\n', 'NOOP\r\n', `f${i} NOOP\r\n`][i % 3]!;
      socket.write(line.repeat(2_000));
    });
    await Promise.all(done);
    await allServe();
  });

  it('half-open and silent sockets do not block anyone else', async () => {
    const silent = await Promise.all(
      [ports.smtp, ports.pop3, ports.imap].flatMap((port) => Array.from({ length: 10 }, () => connect(port))),
    );
    for (const [index, socket] of silent.entries()) {
      socket.on('error', () => undefined);
      // A third send half a command and half-close; a third send half a command and go silent;
      // a third never send anything.
      if (index % 3 === 0) socket.end('NOOP');
      else if (index % 3 === 1) socket.write('NO');
    }
    await allServe();
    for (const socket of silent) socket.destroy();
    await allServe();
  });

  it('SMTP: an over-long command line is answered 421 and the connection closed', async () => {
    const client = await RawClient.connect(ports.smtp);
    try {
      await client.expect(REPLY.smtpGreeting);
      client.sendRaw(`NOOP ${'x'.repeat(100_000)}\r\n`);
      await client.expect('421 4.4.2 Error: Command line too long');
      await client.closed();
    } finally {
      await client.close();
    }
    await allServe();
  });

  it('SMTP: a header twice the message size limit is refused with 552, the session goes on', async () => {
    const client = await RawClient.connect(ports.smtp, { timeoutMs: 15_000 });
    try {
      await client.expect(REPLY.smtpGreeting);
      client.send('EHLO huge.test');
      // RFC 1870: SIZE announces the configured limit the 552 below enforces.
      expect(await client.readSmtpReply()).toEqual([
        '250-localhost Hello [127.0.0.1]',
        '250-PIPELINING',
        '250-8BITMIME',
        '250-SMTPUTF8',
        '250-ENHANCEDSTATUSCODES',
        '250-DSN',
        '250-STARTTLS',
        `250 SIZE ${MAX_MESSAGE_SIZE}`,
      ]);
      client.send('MAIL FROM:<a@huge.test>');
      await client.expect(REPLY.smtpMailAccepted);
      client.send('RCPT TO:<huge@example.test>');
      await client.expect(REPLY.smtpRcptAccepted);
      client.send('DATA');
      await client.expect(REPLY.smtpSendData);
      // One 2 MiB header line, twice the message size limit: refused, not stored.
      client.sendRaw(`X-Huge: ${'h'.repeat(2 * MAX_MESSAGE_SIZE)}\r\n\r\nbody\r\n.\r\n`);
      // smtp-server's own reply: it stops reading the data once the limit is passed (RFC 1870 6.1).
      await client.expect(`552 5.3.4 Error: message exceeds fixed maximum message size ${MAX_MESSAGE_SIZE}`);
      client.send('NOOP');
      await client.expect(REPLY.smtpNoop);
      client.send('QUIT');
      await client.expect(REPLY.smtpBye);
    } finally {
      await client.close();
    }
    await allServe();
  });

  it('POP3: an over-long command line is refused and the session closed (RFC 2449 4)', async () => {
    const client = await RawClient.connect(ports.pop3);
    try {
      await client.expect(REPLY.pop3Greeting);
      client.sendRaw(`USER ${'x'.repeat(100_000)}\r\n`);
      await client.expect('-ERR command line longer than 255 octets, closing connection');
      await client.closed();
    } finally {
      await client.close();
    }
    await allServe();
  });

  it('IMAP: literal bombs and huge lines get BAD/NO [TOOBIG], never the memory they ask for', async () => {
    const client = await RawClient.connect(ports.imap, { timeoutMs: 15_000 });
    try {
      await client.expect(/^\* OK /);
      // A synchronizing literal of 4 GB is refused before the client sends a byte of it.
      client.send('b1 LOGIN {4000000000}');
      await client.expect(/^b1 BAD \[TOOBIG\] /);
      client.send('b2 LOGIN bomb@example.test any');
      expect((await client.readTagged('b2')).at(-1)).toMatch(/^b2 OK /);
      client.send('b3 APPEND INBOX {999999999999}');
      await client.expect(/^b3 NO \[TOOBIG\] /);
      // A 200 KB command line (beyond the 64 KiB limit) is dropped with BAD; the session goes on.
      client.sendRaw(`b4 SELECT ${'x'.repeat(200_000)}\r\n`);
      await client.expect(/^b4 BAD /);
      client.send('b5 NOOP');
      expect((await client.readTagged('b5')).at(-1)).toMatch(/^b5 OK /);
      // RFC 7888 4: a too-big NON-synchronizing literal cannot be skipped: BAD, BYE, close.
      client.send('b6 APPEND INBOX {999999999+}');
      const last = await client.readUntil(/^\* BYE /);
      expect(last[0]).toMatch(/^b6 (?:BAD|NO) \[TOOBIG\] /);
      await client.closed();
    } finally {
      await client.close();
    }
    await allServe();
  });

  it('keeps its resident memory bounded after all of the above', async () => {
    await allServe();
    const running = server!;
    const after = rssBytes(running.child.pid!);
    expect(after - baselineRss).toBeLessThan(MAX_RSS_GROWTH_BYTES);
    expect(running.child.exitCode).toBeNull();
  });
});
