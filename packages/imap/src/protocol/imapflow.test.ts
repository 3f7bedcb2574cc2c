/**
 * The wire layer against a real client: a throwaway loopback server built only from
 * CommandAssembler, parseCommand and the compiler answers imapflow's session, and every command
 * imapflow sends must parse. (The real server with the store is packages/imap/src/session.)
 */
import { once } from 'node:events';
import net from 'node:net';
import { ImapFlow } from 'imapflow';
import { afterEach, describe, expect, it } from 'vitest';
import { CommandAssembler } from './assembler.js';
import type { ImapCommand } from './commands.js';
import {
  atom,
  continuation,
  fetchResponse,
  responseCode,
  tagged,
  untagged,
  untaggedStatus,
  type ResponseValue,
} from './compiler.js';
import { errorResponse } from './error-response.js';
import { ImapWireError } from './errors.js';
import { fetchItemResponseName } from './fetch-items.js';
import { parseCommand } from './parser.js';
import { encodeMailboxName } from './mutf7.js';
import { formatDateTime } from './imap-date.js';

const CAPABILITIES =
  'IMAP4rev1 LITERAL+ SASL-IR AUTH=PLAIN ID ENABLE IDLE UIDPLUS MOVE UNSELECT NAMESPACE SPECIAL-USE LIST-EXTENDED';
const MESSAGE = Buffer.from('From: bob@example.com\r\nSubject: hi\r\n\r\nHello\r\n');
const INTERNAL_DATE = new Date('2024-02-07T10:00:00Z');

/** Canned answers: just enough for imapflow to carry on. */
function respond(command: ImapCommand): Buffer[] {
  const ok = (code: string | null = null): Buffer =>
    tagged(command.tag, 'OK', code, `${command.name} completed`);
  switch (command.name) {
    case 'CAPABILITY':
      return [untagged(`CAPABILITY ${CAPABILITIES}`), ok()];
    case 'ID':
      return [untagged('ID', ['name', 'minimail-test']), ok()];
    case 'ENABLE':
      return [untagged('ENABLED'), ok()];
    case 'NAMESPACE':
      return [untagged('NAMESPACE', [['', '/']], null, null), ok()];
    case 'LIST':
      return [
        untagged('LIST', [atom('\\HasNoChildren')], '/', 'INBOX'),
        untagged('LIST', [atom('\\HasNoChildren'), atom('\\Sent')], '/', 'Sent'),
        untagged('LIST', [atom('\\HasNoChildren')], '/', encodeMailboxName('Entwürfe')),
        ok(),
      ];
    case 'LSUB':
      return [untagged('LSUB', [], '/', 'INBOX'), untagged('LSUB', [], '/', 'Sent'), ok()];
    case 'SELECT':
    case 'EXAMINE':
      return [
        untagged('FLAGS', [atom('\\Seen'), atom('\\Flagged'), atom('\\Deleted')]),
        untagged('1 EXISTS'),
        untagged('0 RECENT'),
        untaggedStatus('OK', responseCode('UIDVALIDITY', 7), 'UIDs valid'),
        untaggedStatus('OK', responseCode('UIDNEXT', 2), 'Predicted next UID'),
        ok(command.name === 'SELECT' ? 'READ-WRITE' : 'READ-ONLY'),
      ];
    case 'FETCH': {
      const items: Array<[string, ResponseValue]> = [['UID', 1]];
      for (const item of command.args.items) {
        if (item.kind === 'FLAGS') items.push(['FLAGS', [atom('\\Seen')]]);
        if (item.kind === 'INTERNALDATE') items.push(['INTERNALDATE', formatDateTime(INTERNAL_DATE)]);
        if (item.kind === 'RFC822.SIZE') items.push(['RFC822.SIZE', MESSAGE.length]);
        if (item.kind === 'BODY[]') items.push([fetchItemResponseName(item), MESSAGE]);
      }
      return [fetchResponse(1, items), ok()];
    }
    case 'SEARCH':
      return [untagged('SEARCH 1'), ok()];
    case 'STORE':
      return command.args.silent
        ? [ok()]
        : [
            fetchResponse(1, [
              ['UID', 1],
              ['FLAGS', [atom('\\Seen'), atom('\\Flagged')]],
            ]),
            ok(),
          ];
    case 'APPEND':
      return [ok(responseCode('APPENDUID', 7, 2))];
    case 'MOVE':
    case 'COPY':
      return [
        untaggedStatus('OK', responseCode('COPYUID', 7, atom('1'), atom('5')), 'Moved'),
        untagged('1 EXPUNGE'),
        ok(),
      ];
    case 'LOGOUT':
      return [untaggedStatus('BYE', null, 'Logging out'), ok()];
    default:
      return [ok()];
  }
}

interface Transcript {
  commands: ImapCommand[];
  errors: ImapWireError[];
  /** Decoded SASL responses received after a `+` challenge. */
  saslResponses: string[];
}

async function startServer(transcript: Transcript): Promise<net.Server> {
  const server = net.createServer((socket) => {
    const assembler = new CommandAssembler();
    /** Tag of an AUTHENTICATE waiting for its SASL response line (RFC 3501 6.2.2). */
    let authenticating: string | null = null;
    socket.write(untaggedStatus('OK', `CAPABILITY ${CAPABILITIES}`, 'test server ready'));
    socket.on('data', (chunk: Buffer) => {
      for (const event of assembler.push(chunk)) {
        if (event.kind === 'continue') {
          socket.write(continuation('Ready for literal data'));
        } else if (event.kind === 'error') {
          transcript.errors.push(event.error);
          socket.write(errorResponse(event.error));
        } else if (authenticating !== null) {
          transcript.saslResponses.push(
            Buffer.from(event.frame.segments[0] ?? '', 'base64').toString('utf8'),
          );
          socket.write(tagged(authenticating, 'OK', null, 'AUTHENTICATE completed'));
          authenticating = null;
        } else {
          try {
            const command = parseCommand(event.frame);
            if (command.name === 'AUTHENTICATE' && command.args.initialResponse === null) {
              transcript.commands.push(command);
              authenticating = command.tag;
              socket.write(continuation(''));
              continue;
            }
            transcript.commands.push(command);
            for (const reply of respond(command)) socket.write(reply);
            if (command.name === 'LOGOUT') socket.end();
          } catch (error) {
            if (!(error instanceof ImapWireError)) throw error;
            transcript.errors.push(error);
            socket.write(errorResponse(error));
          }
        }
      }
    });
    socket.on('error', () => socket.destroy());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

describe('imapflow against the wire layer', () => {
  let server: net.Server | undefined;
  let client: ImapFlow | undefined;
  afterEach(async () => {
    client?.close();
    if (server) await new Promise<void>((resolve) => server?.close(() => resolve()));
    server = undefined;
    client = undefined;
  });

  it('parses every command of a typical session', async () => {
    const transcript: Transcript = { commands: [], errors: [], saslResponses: [] };
    server = await startServer(transcript);
    const { port } = server.address() as net.AddressInfo;
    client = new ImapFlow({
      host: '127.0.0.1',
      port,
      secure: false,
      doSTARTTLS: false,
      disableAutoIdle: true,
      logger: false,
      auth: { user: 'alice@example.com', pass: 'pass word' },
    });
    await client.connect();
    const mailboxes = await client.list();
    await client.mailboxOpen('INBOX');
    const fetched: Array<{ uid: number; source: string | undefined }> = [];
    for await (const message of client.fetch('1:*', {
      uid: true,
      flags: true,
      source: true,
      internalDate: true,
    })) {
      fetched.push({ uid: message.uid, source: message.source?.toString('utf8') });
    }
    const found = await client.search(
      { seen: false, from: 'bob', since: new Date('2024-01-01T00:00:00Z') },
      { uid: true },
    );
    await client.messageFlagsAdd('1', ['\\Flagged'], { uid: true });
    await client.append('Sent', MESSAGE, ['\\Seen'], INTERNAL_DATE);
    await client.messageMove('1', 'Entwürfe', { uid: true });
    await client.logout();

    expect(transcript.errors).toEqual([]);
    expect(mailboxes.map((box) => [box.path, box.specialUse])).toEqual([
      ['INBOX', '\\Inbox'],
      ['Sent', '\\Sent'],
      ['Entwürfe', '\\Drafts'], // imapflow guesses special use from well-known names
    ]);
    expect(fetched).toEqual([{ uid: 1, source: MESSAGE.toString('utf8') }]);
    expect(found).toEqual([1]);

    const byName = (name: string): ImapCommand[] =>
      transcript.commands.filter((command) => command.name === name);
    expect(transcript.commands[transcript.commands.length - 1]?.name).toBe('LOGOUT');
    expect(byName('AUTHENTICATE')).toMatchObject([{ args: { mechanism: 'PLAIN', initialResponse: null } }]);
    expect(transcript.saslResponses).toEqual(['\0alice@example.com\0pass word']);
    expect(byName('SELECT')).toMatchObject([{ args: { mailbox: 'INBOX' } }]);
    expect(byName('FETCH')).toMatchObject([{ uid: false, args: { sequence: [{ start: 1, end: '*' }] } }]);
    expect(byName('SEARCH')).toMatchObject([{ uid: true }]);
    expect(byName('STORE')).toMatchObject([{ uid: true, args: { operation: 'add', flags: ['\\Flagged'] } }]);
    const [append] = byName('APPEND');
    expect(append?.name === 'APPEND' && append.args).toEqual({
      mailbox: 'Sent',
      messages: [
        { flags: ['\\Seen'], internalDate: INTERNAL_DATE, message: MESSAGE, binary: false, utf8: false },
      ],
    });
    expect(byName('MOVE')).toMatchObject([
      { uid: true, args: { mailbox: 'Entwürfe', sequence: [{ start: 1, end: 1 }] } },
    ]);
    expect(byName('LIST')).toMatchObject([
      {
        args: {
          reference: '',
          patterns: ['*'],
          returnOptions: ['SPECIAL-USE', 'CHILDREN', 'SUBSCRIBED'],
          extended: true,
        },
      },
    ]);
    expect(byName('FETCH')[0]?.args).toMatchObject({
      items: [
        { kind: 'UID' },
        { kind: 'FLAGS' },
        { kind: 'INTERNALDATE' },
        { kind: 'BODY[]', peek: true, section: { part: [], specifier: null, fields: [] }, partial: null },
      ],
    });
    expect(byName('SEARCH')[0]?.args).toEqual({
      returnOptions: null,
      partial: null,
      charset: null,
      criteria: [
        { key: 'UNSEEN' },
        { key: 'FROM', value: 'bob' },
        { key: 'SINCE', date: { year: 2024, month: 1, day: 1 } },
      ],
    });
    // The whole conversation, as a record of what this real client sends.
    expect(transcript.commands.map((command) => `${command.uid ? 'UID ' : ''}${command.name}`)).toEqual([
      'ID',
      'AUTHENTICATE',
      'CAPABILITY',
      'ID',
      'NAMESPACE',
      'LIST',
      'LSUB',
      'SELECT',
      'FETCH',
      'UID SEARCH',
      'UID STORE',
      'APPEND',
      'UID MOVE',
      'LOGOUT',
    ]);
  });
});
