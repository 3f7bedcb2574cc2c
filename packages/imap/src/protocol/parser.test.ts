import { describe, expect, it } from 'vitest';
import { CommandAssembler } from './assembler.js';
import { ImapWireError } from './errors.js';
import type { CommandFrame } from './frame.js';
import { lineFrame } from './frame.js';
import { parseCommand, type ParseOptions } from './parser.js';

/** Raw client bytes -> the one frame the assembler makes of them (literals included). */
function frameOf(raw: string): CommandFrame {
  const events = new CommandAssembler().push(Buffer.from(raw, 'utf8'));
  const commands = events.flatMap((event) => (event.kind === 'command' ? [event.frame] : []));
  if (commands.length !== 1 || commands[0] === undefined) throw new Error(`expected one frame from ${raw}`);
  return commands[0];
}

function parse(raw: string, options?: ParseOptions): unknown {
  const frame = raw.includes('\r\n') ? frameOf(raw) : lineFrame(raw);
  const { tag, name, uid, args } = parseCommand(frame, options);
  return { tag, name, uid, args };
}

function failure(raw: string, options?: ParseOptions): unknown {
  try {
    parseCommand(raw.includes('\r\n') ? frameOf(raw) : lineFrame(raw), options);
  } catch (error) {
    if (!(error instanceof ImapWireError)) throw error;
    return {
      code: error.code,
      tag: error.tag,
      status: error.status,
      responseCode: error.responseCode,
      message: error.message,
    };
  }
  throw new Error(`expected ${raw} to fail`);
}

const cmd = (name: string, args: unknown, uid = false, tag = 'a1'): unknown => ({ tag, name, uid, args });

describe('parseCommand: commands without arguments', () => {
  it.each(['CAPABILITY', 'NOOP', 'LOGOUT', 'STARTTLS', 'NAMESPACE', 'CHECK', 'CLOSE', 'UNSELECT', 'IDLE'])(
    '%s',
    (name) => {
      expect(parse(`a1 ${name.toLowerCase()}`)).toEqual(cmd(name, {}));
    },
  );
  it('EXPUNGE', () => expect(parse('a1 EXPUNGE')).toEqual(cmd('EXPUNGE', { sequence: null })));
  it('UID EXPUNGE (RFC 4315)', () =>
    expect(parse('a1 UID EXPUNGE 3:5')).toEqual(cmd('EXPUNGE', { sequence: [{ start: 3, end: 5 }] }, true)));
});

describe('parseCommand: authentication', () => {
  it.each([
    ['a1 LOGIN alice secret', { username: 'alice', password: 'secret' }],
    [
      'a1 LOGIN "alice@example.com" "se\\"c\\\\ret"',
      { username: 'alice@example.com', password: 'se"c\\ret' },
    ],
    ['a1 LOGIN {5}\r\nalice {6+}\r\np w\r\nd\r\n', { username: 'alice', password: 'p w\r\nd' }],
    ['a1 LOGIN alice ]x', { username: 'alice', password: ']x' }],
  ])('%j', (raw, args) => expect(parse(raw)).toEqual(cmd('LOGIN', args)));

  it.each([
    ['a1 AUTHENTICATE plain', { mechanism: 'PLAIN', initialResponse: null }],
    ['a1 AUTHENTICATE PLAIN AGFsaWNlAHB3', { mechanism: 'PLAIN', initialResponse: 'AGFsaWNlAHB3' }],
    ['a1 AUTHENTICATE PLAIN =', { mechanism: 'PLAIN', initialResponse: '' }],
  ])('%j', (raw, args) => expect(parse(raw)).toEqual(cmd('AUTHENTICATE', args)));
});

describe('parseCommand: mailboxes', () => {
  it.each([
    ['a1 SELECT inbox', 'SELECT', { mailbox: 'INBOX', condstore: false, qresync: null }],
    ['a1 EXAMINE "InBoX"', 'EXAMINE', { mailbox: 'INBOX', condstore: false, qresync: null }],
    ['a1 SELECT INBOX/Sub', 'SELECT', { mailbox: 'INBOX/Sub', condstore: false, qresync: null }],
    ['a1 SELECT INBOX (condstore)', 'SELECT', { mailbox: 'INBOX', condstore: true, qresync: null }],
    ['a1 EXAMINE Sent (CONDSTORE)', 'EXAMINE', { mailbox: 'Sent', condstore: true, qresync: null }],
    ['a1 CREATE "Entw&APw-rfe"', 'CREATE', { mailbox: 'Entwürfe', specialUse: [] }],
    // RFC 6154 3 / 5.2: the USE create parameter.
    [
      'a1 CREATE MySpecial (USE (\\Drafts \\Sent))',
      'CREATE',
      { mailbox: 'MySpecial', specialUse: ['\\Drafts', '\\Sent'] },
    ],
    ['a1 CREATE Junk2 (use (\\junk))', 'CREATE', { mailbox: 'Junk2', specialUse: ['\\junk'] }],
    ['a1 CREATE Plain (USE ())', 'CREATE', { mailbox: 'Plain', specialUse: [] }],
    ['a1 DELETE Archive/2024', 'DELETE', { mailbox: 'Archive/2024' }],
    ['a1 SUBSCRIBE "A &- B"', 'SUBSCRIBE', { mailbox: 'A & B' }],
    ['a1 UNSUBSCRIBE {3}\r\nabc\r\n', 'UNSUBSCRIBE', { mailbox: 'abc' }],
    ['a1 RENAME Old "New Name"', 'RENAME', { from: 'Old', to: 'New Name' }],
  ])('%j', (raw, name, args) => expect(parse(raw)).toEqual(cmd(name, args)));

  it.each([
    [
      'a1 LIST "" *',
      {
        reference: '',
        patterns: ['*'],
        selectOptions: [],
        returnOptions: [],
        statusItems: null,
        extended: false,
      },
    ],
    [
      'a1 LIST "" ""',
      {
        reference: '',
        patterns: [''],
        selectOptions: [],
        returnOptions: [],
        statusItems: null,
        extended: false,
      },
    ],
    [
      'a1 LIST ~/Mail/ %',
      {
        reference: '~/Mail/',
        patterns: ['%'],
        selectOptions: [],
        returnOptions: [],
        statusItems: null,
        extended: false,
      },
    ],
    [
      'a1 LIST "" "*" RETURN (SPECIAL-USE)',
      {
        reference: '',
        patterns: ['*'],
        selectOptions: [],
        returnOptions: ['SPECIAL-USE'],
        statusItems: null,
        extended: true,
      },
    ],
    [
      'a1 LIST (SPECIAL-USE subscribed) "" (INBOX "Dr*") RETURN (children subscribed)',
      {
        reference: '',
        patterns: ['INBOX', 'Dr*'],
        selectOptions: ['SPECIAL-USE', 'SUBSCRIBED'],
        returnOptions: ['CHILDREN', 'SUBSCRIBED'],
        statusItems: null,
        extended: true,
      },
    ],
    [
      'a1 LIST () "" %',
      {
        reference: '',
        patterns: ['%'],
        selectOptions: [],
        returnOptions: [],
        statusItems: null,
        extended: true,
      },
    ],
  ])('%j', (raw, args) => expect(parse(raw)).toEqual(cmd('LIST', args)));

  it.each([
    // RFC 5819 4: the example.
    [
      'a1 LIST "" % RETURN (STATUS (MESSAGES UNSEEN))',
      { returnOptions: [], statusItems: ['MESSAGES', 'UNSEEN'] },
    ],
    [
      'a1 LIST "" * RETURN (CHILDREN status (mailboxid uidnext) SUBSCRIBED)',
      { returnOptions: ['CHILDREN', 'SUBSCRIBED'], statusItems: ['MAILBOXID', 'UIDNEXT'] },
    ],
  ])('LIST-STATUS %j', (raw, expected) =>
    expect(parse(raw)).toMatchObject({ name: 'LIST', args: { ...expected, extended: true } }),
  );

  it.each([
    ['a1 LIST "" % RETURN (STATUS ())', 'Empty list'],
    ['a1 LIST "" % RETURN (STATUS)', 'Expected a space'],
    ['a1 LIST "" % RETURN (STATUS (MESSAGES) STATUS (UNSEEN))', 'Duplicate LIST return option STATUS'],
    ['a1 LIST "" % RETURN (STATUS (BOGUS))', 'Unknown status item BOGUS'],
    ['a1 CREATE x (USE (\\Sent) USE (\\Junk))', 'Duplicate CREATE parameter USE'],
    ['a1 CREATE x (FOO (bar))', 'Unknown CREATE parameter'],
    ['a1 CREATE x (USE (Sent))', 'Expected a special-use attribute'],
    ['a1 CREATE x ()', 'Empty list'],
  ])('extension syntax errors %j', (raw, message) =>
    expect(failure(raw)).toMatchObject({ status: 'BAD', message }),
  );

  it('LSUB', () => expect(parse('a1 LSUB "" "%"')).toEqual(cmd('LSUB', { reference: '', pattern: '%' })));

  it('STATUS', () =>
    expect(parse('a1 STATUS INBOX (messages UIDNEXT UIDVALIDITY UNSEEN RECENT)')).toEqual(
      cmd('STATUS', { mailbox: 'INBOX', items: ['MESSAGES', 'UIDNEXT', 'UIDVALIDITY', 'UNSEEN', 'RECENT'] }),
    ));
});

describe('parseCommand: APPEND', () => {
  it('flags, date-time and a binary-safe literal', () => {
    const raw = 'a1 APPEND Sent (\\seen $Label) "17-Jul-1996 02:44:25 -0700" {7+}\r\nA\r\nB\0\xff\r\n';
    const parsed = parseCommand(frameOf(raw));
    expect(parsed.name).toBe('APPEND');
    if (parsed.name !== 'APPEND') return;
    expect(parsed.args.mailbox).toBe('Sent');
    const [message] = parsed.args.messages;
    expect(message?.flags).toEqual(['\\Seen', '$Label']);
    expect(message?.internalDate?.toISOString()).toBe('1996-07-17T09:44:25.000Z');
    expect(message?.message).toEqual(Buffer.from('A\r\nB\0\xff', 'utf8'));
    expect(message?.binary).toBe(false);
  });

  it('only the mailbox and the literal', () => {
    expect(parse('a1 APPEND INBOX {2}\r\nhi\r\n')).toEqual(
      cmd('APPEND', {
        mailbox: 'INBOX',
        messages: [{ flags: [], internalDate: null, message: Buffer.from('hi'), binary: false, utf8: false }],
      }),
    );
  });

  it('a day with a leading space', () => {
    const parsed = parseCommand(frameOf('a1 APPEND INBOX " 7-Feb-2024 00:00:00 +0000" {1}\r\nx\r\n'));
    expect(parsed.name === 'APPEND' && parsed.args.messages[0]?.internalDate?.toISOString()).toBe(
      '2024-02-07T00:00:00.000Z',
    );
  });

  it('RFC 3502 MULTIAPPEND: several messages, each with its own flags and date', () => {
    expect(
      parse(
        'a1 APPEND saved-messages (\\Seen) {3}\r\none (\\Draft) "17-Jul-1996 02:44:25 -0700" {3+}\r\ntwo {5+}\r\nthree\r\n',
      ),
    ).toEqual(
      cmd('APPEND', {
        mailbox: 'saved-messages',
        messages: [
          { flags: ['\\Seen'], internalDate: null, message: Buffer.from('one'), binary: false, utf8: false },
          {
            flags: ['\\Draft'],
            internalDate: new Date('1996-07-17T09:44:25.000Z'),
            message: Buffer.from('two'),
            binary: false,
            utf8: false,
          },
          { flags: [], internalDate: null, message: Buffer.from('three'), binary: false, utf8: false },
        ],
      }),
    );
  });

  it('RFC 3516 4.4: a literal8 message (~{n}), NUL and all', () => {
    expect(parse('a1 APPEND INBOX ~{5}\r\na\0b\xff\r\n')).toEqual(
      cmd('APPEND', {
        mailbox: 'INBOX',
        messages: [
          {
            flags: [],
            internalDate: null,
            message: Buffer.from('a\0b\xff', 'utf8'),
            binary: true,
            utf8: false,
          },
        ],
      }),
    );
  });

  it('RFC 4469 5: CATENATE with TEXT literals (literal8 too) and URL astrings, beside a literal message', () => {
    expect(
      parse(
        'a1 APPEND Drafts (\\Draft) CATENATE (URL "/INBOX/;UID=3" TEXT {2+}\r\nhi TEXT ~{1+}\r\n\0 URL ;UID=1) {1+}\r\nx\r\n',
      ),
    ).toEqual(
      cmd('APPEND', {
        mailbox: 'Drafts',
        messages: [
          {
            flags: ['\\Draft'],
            internalDate: null,
            message: Buffer.alloc(0),
            catenate: [
              { kind: 'url', url: '/INBOX/;UID=3' },
              { kind: 'text', data: Buffer.from('hi'), binary: false },
              { kind: 'text', data: Buffer.from('\0'), binary: true },
              { kind: 'url', url: ';UID=1' },
            ],
            binary: false,
            utf8: false,
          },
          { flags: [], internalDate: null, message: Buffer.from('x'), binary: false, utf8: false },
        ],
      }),
    );
  });

  it('RFC 6855 4: the UTF8 data item, always a literal8', () => {
    expect(parse('a1 APPEND INBOX (\\Seen) UTF8 (~{3+}\r\nabc)\r\n')).toEqual(
      cmd('APPEND', {
        mailbox: 'INBOX',
        messages: [
          { flags: ['\\Seen'], internalDate: null, message: Buffer.from('abc'), binary: true, utf8: true },
        ],
      }),
    );
  });

  it('RFC 6855 3: with UTF8=ACCEPT mailbox names are UTF-8, "&" is itself', () => {
    expect(parse('a1 CREATE "Entwürfe & Co"', { utf8: true })).toEqual(
      cmd('CREATE', { mailbox: 'Entwürfe & Co', specialUse: [] }),
    );
    expect(parse('a1 LIST "" "Entw*"', { utf8: true })).toMatchObject({ args: { patterns: ['Entw*'] } });
    expect(failure('a1 CREATE "Entw\u0001"', { utf8: true })).toMatchObject({
      status: 'NO',
      code: 'BAD_MAILBOX_NAME',
    });
  });

  it.each([
    ['a1 APPEND INBOX UTF8 ({3}\r\nabc)\r\n', 'Expected a literal8'],
    ['a1 APPEND INBOX UTF8 (~{3}\r\nabc\r\n', 'Expected ")"'],
    ['a1 APPEND INBOX UTF8 ~{3}\r\nabc\r\n', 'Expected "("'],
    ['a1 APPEND INBOX (\\Seen) {1}\r\nx (\\Seen)\r\n', 'Expected a space'],
    ['a1 APPEND INBOX {1}\r\nx  {1}\r\ny\r\n', 'Expected the message as a literal'],
    ['a1 APPEND INBOX ~"x"', 'Expected the message as a literal'],
    ['a1 LOGIN ~{1}\r\nx ~{1}\r\ny\r\n', 'Expected a space'],
  ])('APPEND syntax errors %j', (raw, message) =>
    expect(failure(raw)).toMatchObject({ status: 'BAD', message }),
  );
});

describe('parseCommand: FETCH', () => {
  const simple = (...kinds: string[]): unknown[] => kinds.map((kind) => ({ kind }));
  const section = (
    peek: boolean,
    part: number[],
    specifier: string | null,
    fields: string[] = [],
    partial: unknown = null,
  ) => ({
    kind: 'BODY[]',
    peek,
    section: { part, specifier, fields },
    partial,
  });
  it.each([
    ['a1 FETCH 1 ALL', simple('FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE')],
    ['a1 FETCH 1 fast', simple('FLAGS', 'INTERNALDATE', 'RFC822.SIZE')],
    ['a1 FETCH 1 FULL', simple('FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE', 'BODY')],
    ['a1 FETCH 1 flags', simple('FLAGS')],
    [
      'a1 FETCH 1 (UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODY BODYSTRUCTURE RFC822 RFC822.HEADER RFC822.TEXT)',
      simple(
        'UID',
        'FLAGS',
        'INTERNALDATE',
        'RFC822.SIZE',
        'ENVELOPE',
        'BODY',
        'BODYSTRUCTURE',
        'RFC822',
        'RFC822.HEADER',
        'RFC822.TEXT',
      ),
    ],
    ['a1 FETCH 1 BODY[]', [section(false, [], null)]],
    ['a1 FETCH 1 BODY.PEEK[]<0.2048>', [section(true, [], null, [], { offset: 0, length: 2048 })]],
    ['a1 FETCH 1 (BODY[HEADER] BODY[TEXT])', [section(false, [], 'HEADER'), section(false, [], 'TEXT')]],
    ['a1 FETCH 1 body.peek[1.2.mime]', [section(true, [1, 2], 'MIME')]],
    ['a1 FETCH 1 BODY[3]', [section(false, [3], null)]],
    ['a1 FETCH 1 BODY[2.HEADER]', [section(false, [2], 'HEADER')]],
    [
      'a1 FETCH 1 (BODY.PEEK[HEADER.FIELDS (From "Subject" message-id)] UID)',
      [section(true, [], 'HEADER.FIELDS', ['FROM', 'SUBJECT', 'MESSAGE-ID']), { kind: 'UID' }],
    ],
    [
      'a1 FETCH 1 BODY[HEADER.FIELDS.NOT (X-Spam)]<10.5>',
      [section(false, [], 'HEADER.FIELDS.NOT', ['X-SPAM'], { offset: 10, length: 5 })],
    ],
  ])('%s', (raw, items) =>
    expect(parse(raw)).toEqual(
      cmd('FETCH', { sequence: [{ start: 1, end: 1 }], items, changedSince: null, vanished: false }),
    ),
  );

  it('UID FETCH with a range to *', () =>
    expect(parse('a1 UID FETCH 4:* (FLAGS)')).toEqual(
      cmd(
        'FETCH',
        {
          sequence: [{ start: 4, end: '*' }],
          items: [{ kind: 'FLAGS' }],
          changedSince: null,
          vanished: false,
        },
        true,
      ),
    ));

  it.each([
    ['a1 FETCH 1 (FLAGS MODSEQ)', [{ kind: 'FLAGS' }, { kind: 'MODSEQ' }], null],
    ['a1 FETCH 1 modseq', [{ kind: 'MODSEQ' }], null],
    ['a1 FETCH 1 (FLAGS) (CHANGEDSINCE 12345)', [{ kind: 'FLAGS' }], 12345],
    [
      'a1 FETCH 1 FAST (changedsince 0)',
      [{ kind: 'FLAGS' }, { kind: 'INTERNALDATE' }, { kind: 'RFC822.SIZE' }],
      0,
    ],
    ['a1 FETCH 1 UID (CHANGEDSINCE 9007199254740991)', [{ kind: 'UID' }], Number.MAX_SAFE_INTEGER],
    // RFC 8970 3.2: PREVIEW (LAZY) is the item's own modifier; other lists stay fetch modifiers.
    ['a1 FETCH 1 PREVIEW (CHANGEDSINCE 5)', [{ kind: 'PREVIEW', lazy: false }], 5],
  ])('RFC 7162: %s', (raw, items, changedSince) =>
    expect(parse(raw)).toEqual(
      cmd('FETCH', { sequence: [{ start: 1, end: 1 }], items, changedSince, vanished: false }),
    ),
  );

  it.each([
    ['a1 UID FETCH 300:500 (FLAGS) (CHANGEDSINCE 12345 VANISHED)', 12345],
    ['a1 uid fetch 300:500 (FLAGS) (vanished changedsince 7)', 7],
  ])('RFC 7162 3.2.6: %s', (raw, changedSince) =>
    expect(parse(raw)).toEqual(
      cmd(
        'FETCH',
        { sequence: [{ start: 300, end: 500 }], items: [{ kind: 'FLAGS' }], changedSince, vanished: true },
        true,
      ),
    ),
  );
});

describe('parseCommand: RFC 7162 3.2.5 SELECT/EXAMINE (QRESYNC ...)', () => {
  const range = (start: number, end = start) => ({ start, end });
  it.each([
    [
      'a1 SELECT INBOX (QRESYNC (67890007 715194045000))',
      { uidValidity: 67890007, modseq: 715194045000, knownUids: null, seqMatch: null },
    ],
    [
      'a1 SELECT INBOX (QRESYNC (67890007 715194045000 41:211,214:541))',
      {
        uidValidity: 67890007,
        modseq: 715194045000,
        knownUids: [range(41, 211), range(214, 541)],
        seqMatch: null,
      },
    ],
    [
      'a1 EXAMINE INBOX (QRESYNC (67890007 715194045000 1:29997 (5000,7500,9000,9990:9999 15000,22500,27000,29970,29973,29976,29979,29982,29985,29988,29991,29994,29997)))',
      {
        uidValidity: 67890007,
        modseq: 715194045000,
        knownUids: [range(1, 29997)],
        seqMatch: {
          sequences: [range(5000), range(7500), range(9000), range(9990, 9999)],
          uids: [
            15000, 22500, 27000, 29970, 29973, 29976, 29979, 29982, 29985, 29988, 29991, 29994, 29997,
          ].map((uid) => range(uid)),
        },
      },
    ],
    [
      'a1 SELECT INBOX (QRESYNC (1 2 (1:2 3,9)))',
      {
        uidValidity: 1,
        modseq: 2,
        knownUids: null,
        seqMatch: { sequences: [range(1, 2)], uids: [range(3), range(9)] },
      },
    ],
  ])('%s', (raw, qresync) => {
    const parsed = parse(raw) as { args: unknown };
    expect(parsed.args).toEqual({ mailbox: 'INBOX', condstore: false, qresync });
  });

  it('takes CONDSTORE beside QRESYNC', () =>
    expect((parse('a1 SELECT INBOX (CONDSTORE QRESYNC (5 6))') as { args: unknown }).args).toEqual({
      mailbox: 'INBOX',
      condstore: true,
      qresync: { uidValidity: 5, modseq: 6, knownUids: null, seqMatch: null },
    }));
});

describe('parseCommand: FETCH extensions (BINARY, PREVIEW, OBJECTID)', () => {
  const binary = (
    peek: boolean,
    part: number[],
    partial: { offset: number; length: number } | null = null,
  ) => ({
    kind: 'BINARY[]',
    peek,
    part,
    partial,
  });
  it.each([
    // RFC 3516 4.2 and its examples.
    ['a1 FETCH 1 (BINARY[1.2])', [binary(false, [1, 2])]],
    ['a1 FETCH 1 BINARY.PEEK[]', [binary(true, [])]],
    ['a1 FETCH 1 binary.peek[3]<0.1024>', [binary(true, [3], { offset: 0, length: 1024 })]],
    [
      'a1 FETCH 1 (BINARY.SIZE[1] BINARY.SIZE[])',
      [
        { kind: 'BINARY.SIZE', part: [1] },
        { kind: 'BINARY.SIZE', part: [] },
      ],
    ],
    // RFC 8970 3.2.
    ['a1 FETCH 1 (PREVIEW)', [{ kind: 'PREVIEW', lazy: false }]],
    [
      'a1 FETCH 1 (FLAGS PREVIEW (LAZY) UID)',
      [{ kind: 'FLAGS' }, { kind: 'PREVIEW', lazy: true }, { kind: 'UID' }],
    ],
    ['a1 FETCH 1 preview (lazy)', [{ kind: 'PREVIEW', lazy: true }]],
    // The drafts before RFC 8970, as Dovecot takes them (PREVIEW=FUZZY, SNIPPET=FUZZY).
    ['a1 FETCH 1 (PREVIEW (FUZZY))', [{ kind: 'PREVIEW', lazy: false, fuzzy: 'PREVIEW' }]],
    ['a1 FETCH 1 (PREVIEW (LAZY FUZZY))', [{ kind: 'PREVIEW', lazy: true, fuzzy: 'PREVIEW' }]],
    ['a1 FETCH 1 PREVIEW (LAZY=FUZZY)', [{ kind: 'PREVIEW', lazy: true, fuzzy: 'PREVIEW' }]],
    [
      'a1 FETCH 1 (SNIPPET (FUZZY) UID)',
      [{ kind: 'PREVIEW', lazy: false, fuzzy: 'SNIPPET' }, { kind: 'UID' }],
    ],
    ['a1 FETCH 1 snippet (lazy=fuzzy)', [{ kind: 'PREVIEW', lazy: true, fuzzy: 'SNIPPET' }]],
    ['a1 FETCH 1 SNIPPET', [{ kind: 'PREVIEW', lazy: false, fuzzy: 'SNIPPET' }]],
    // RFC 8474 5.
    ['a1 FETCH 1 (EMAILID THREADID)', [{ kind: 'EMAILID' }, { kind: 'THREADID' }]],
  ])('%s', (raw, items) =>
    expect(parse(raw)).toEqual(
      cmd('FETCH', { sequence: [{ start: 1, end: 1 }], items, changedSince: null, vanished: false }),
    ),
  );

  it.each([
    ['a1 SEARCH EMAILID M6d99ac3275bb4e', { key: 'EMAILID', id: 'M6d99ac3275bb4e' }],
    ['a1 SEARCH threadid T64b478a75b7ea9', { key: 'THREADID', id: 'T64b478a75b7ea9' }],
  ])('RFC 8474 6: %s', (raw, key) =>
    expect(parse(raw)).toEqual(
      cmd('SEARCH', { returnOptions: null, partial: null, charset: null, criteria: [key] }),
    ),
  );

  it('COMPRESS', () =>
    expect(parse('a1 COMPRESS deflate')).toEqual(cmd('COMPRESS', { mechanism: 'DEFLATE' })));
});

describe('parseCommand: STORE, COPY, MOVE', () => {
  it.each([
    ['a1 STORE 1 FLAGS (\\Seen)', 'replace', false, ['\\Seen']],
    ['a1 STORE 1 +FLAGS.SILENT (\\deleted \\FLAGGED)', 'add', true, ['\\Deleted', '\\Flagged']],
    ['a1 STORE 1 -flags \\Seen $Junk', 'remove', false, ['\\Seen', '$Junk']],
    ['a1 STORE 1 FLAGS ()', 'replace', false, []],
  ])('%s', (raw, operation, silent, flags) =>
    expect(parse(raw)).toEqual(
      cmd('STORE', { sequence: [{ start: 1, end: 1 }], operation, silent, flags, unchangedSince: null }),
    ),
  );

  it.each([
    [
      'a1 STORE 1 (UNCHANGEDSINCE 320162338) +FLAGS.SILENT (\\Deleted)',
      'add',
      true,
      ['\\Deleted'],
      320162338,
    ],
    ['a1 STORE 1 (unchangedsince 0) FLAGS ()', 'replace', false, [], 0],
  ])('RFC 7162: %s', (raw, operation, silent, flags, unchangedSince) =>
    expect(parse(raw)).toEqual(
      cmd('STORE', { sequence: [{ start: 1, end: 1 }], operation, silent, flags, unchangedSince }),
    ),
  );

  it('UID COPY', () =>
    expect(parse('a1 UID COPY 1:3,7 Trash')).toEqual(
      cmd(
        'COPY',
        {
          sequence: [
            { start: 1, end: 3 },
            { start: 7, end: 7 },
          ],
          mailbox: 'Trash',
        },
        true,
      ),
    ));
  it('MOVE (RFC 6851)', () =>
    expect(parse('a1 MOVE 2 "Archive"')).toEqual(
      cmd('MOVE', { sequence: [{ start: 2, end: 2 }], mailbox: 'Archive' }),
    ));
  it('$ when SEARCHRES is on', () =>
    expect(parse('a1 MOVE $ Junk', { allowSavedResult: true })).toEqual(
      cmd('MOVE', { sequence: '$', mailbox: 'Junk' }),
    ));
});

describe('parseCommand: SEARCH', () => {
  const search = (raw: string): unknown => {
    const parsed = parseCommand(raw.includes('\r\n') ? frameOf(raw) : lineFrame(raw));
    return parsed.name === 'SEARCH' ? parsed.args : parsed;
  };
  const day = (year: number, month: number, d: number) => ({ year, month, day: d });

  it('every flag key', () => {
    const keys = [
      'ALL',
      'ANSWERED',
      'DELETED',
      'DRAFT',
      'FLAGGED',
      'NEW',
      'OLD',
      'RECENT',
      'SEEN',
      'UNANSWERED',
      'UNDELETED',
      'UNDRAFT',
      'UNFLAGGED',
      'UNSEEN',
    ];
    expect(search(`a1 SEARCH ${keys.join(' ').toLowerCase()}`)).toEqual({
      returnOptions: null,
      partial: null,
      charset: null,
      criteria: keys.map((key) => ({ key })),
    });
  });

  it.each([
    ['a1 SEARCH FROM alice', [{ key: 'FROM', value: 'alice' }]],
    [
      'a1 SEARCH TO "b b" CC c BCC d SUBJECT e BODY f TEXT g',
      [
        { key: 'TO', value: 'b b' },
        { key: 'CC', value: 'c' },
        { key: 'BCC', value: 'd' },
        { key: 'SUBJECT', value: 'e' },
        { key: 'BODY', value: 'f' },
        { key: 'TEXT', value: 'g' },
      ],
    ],
    ['a1 SEARCH HEADER Message-ID "<x@y>"', [{ key: 'HEADER', field: 'Message-ID', value: '<x@y>' }]],
    [
      'a1 SEARCH KEYWORD $Label1 UNKEYWORD $Junk',
      [
        { key: 'KEYWORD', flag: '$Label1' },
        { key: 'UNKEYWORD', flag: '$Junk' },
      ],
    ],
    [
      'a1 SEARCH BEFORE 1-Feb-1994 ON "01-feb-1994" SINCE 29-Feb-2024',
      [
        { key: 'BEFORE', date: day(1994, 2, 1) },
        { key: 'ON', date: day(1994, 2, 1) },
        { key: 'SINCE', date: day(2024, 2, 29) },
      ],
    ],
    [
      'a1 SEARCH SENTBEFORE 1-Jan-2000 SENTON 2-Jan-2000 SENTSINCE 3-Jan-2000',
      [
        { key: 'SENTBEFORE', date: day(2000, 1, 1) },
        { key: 'SENTON', date: day(2000, 1, 2) },
        { key: 'SENTSINCE', date: day(2000, 1, 3) },
      ],
    ],
    [
      'a1 SEARCH LARGER 100 SMALLER 2000',
      [
        { key: 'LARGER', size: 100 },
        { key: 'SMALLER', size: 2000 },
      ],
    ],
    [
      'a1 SEARCH 1:3,5 UID 10:*',
      [
        {
          key: 'SEQUENCE',
          set: [
            { start: 1, end: 3 },
            { start: 5, end: 5 },
          ],
        },
        { key: 'UID', set: [{ start: 10, end: '*' }] },
      ],
    ],
    ['a1 SEARCH NOT SEEN', [{ key: 'NOT', operand: { key: 'SEEN' } }]],
    // RFC 7162 3.1.5: the entry name and type are read and ignored (one modseq per message).
    ['a1 SEARCH MODSEQ 620162338', [{ key: 'MODSEQ', modseq: 620162338 }]],
    [
      'a1 SEARCH MODSEQ "/flags/\\\\draft" all 620162338 SEEN',
      [{ key: 'MODSEQ', modseq: 620162338 }, { key: 'SEEN' }],
    ],
    [
      'a1 SEARCH OR FROM a (TO b NOT DELETED)',
      [
        {
          key: 'OR',
          left: { key: 'FROM', value: 'a' },
          right: {
            key: 'AND',
            operands: [
              { key: 'TO', value: 'b' },
              { key: 'NOT', operand: { key: 'DELETED' } },
            ],
          },
        },
      ],
    ],
    [
      'a1 SEARCH OR OR SEEN FLAGGED DRAFT',
      [
        {
          key: 'OR',
          left: { key: 'OR', left: { key: 'SEEN' }, right: { key: 'FLAGGED' } },
          right: { key: 'DRAFT' },
        },
      ],
    ],
  ])('%s', (raw, criteria) =>
    expect(search(raw)).toEqual({ returnOptions: null, partial: null, charset: null, criteria }),
  );

  it('CHARSET UTF-8 with a literal', () =>
    expect(search('a1 SEARCH CHARSET utf-8 SUBJECT {6}\r\nMüsli\r\n')).toEqual({
      returnOptions: null,
      partial: null,
      charset: 'UTF-8',
      criteria: [{ key: 'SUBJECT', value: 'Müsli' }],
    }));

  it('UID SEARCH', () =>
    expect(parse('a1 UID SEARCH ALL')).toEqual(
      cmd('SEARCH', { returnOptions: null, partial: null, charset: null, criteria: [{ key: 'ALL' }] }, true),
    ));

  it('RFC 4731 RETURN options, upper-cased and unique; RETURN () is RETURN (ALL)', () => {
    expect(search('a1 SEARCH RETURN (min Count MIN save) CHARSET UTF-8 ALL')).toEqual({
      returnOptions: ['MIN', 'COUNT', 'SAVE'],
      partial: null,
      charset: 'UTF-8',
      criteria: [{ key: 'ALL' }],
    });
    expect(search('a1 SEARCH RETURN () SEEN')).toEqual({
      returnOptions: ['ALL'],
      partial: null,
      charset: null,
      criteria: [{ key: 'SEEN' }],
    });
    expect(() => search('a1 SEARCH RETURN (FIRST) ALL')).toThrow('Unknown search return option FIRST');
  });

  it('RFC 5267 CONTEXT, UPDATE and PARTIAL (a range in either order, once, never with ALL)', () => {
    expect(search('a1 SEARCH RETURN (context update partial 500:1 COUNT) ALL')).toEqual({
      returnOptions: ['CONTEXT', 'UPDATE', 'PARTIAL', 'COUNT'],
      partial: { low: 1, high: 500 },
      charset: null,
      criteria: [{ key: 'ALL' }],
    });
    // CONTEXT is a hint only: alone it asks for ALL, as RETURN () does.
    expect(search('a1 SEARCH RETURN (CONTEXT) ALL')).toMatchObject({ returnOptions: ['CONTEXT', 'ALL'] });
    expect(() => search('a1 SEARCH RETURN (PARTIAL) ALL')).toThrow('Expected a space');
    expect(() => search('a1 SEARCH RETURN (PARTIAL 0:5) ALL')).toThrow('Invalid partial range');
    expect(() => search('a1 SEARCH RETURN (PARTIAL 1:*) ALL')).toThrow('Invalid partial range');
    expect(() => search('a1 SEARCH RETURN (PARTIAL 5) ALL')).toThrow('Invalid partial range');
    expect(() => search('a1 SEARCH RETURN (PARTIAL 1:5 PARTIAL 6:9) ALL')).toThrow(
      'PARTIAL can be given only once',
    );
    expect(() => search('a1 SEARCH RETURN (ALL PARTIAL 1:5) ALL')).toThrow('PARTIAL conflicts with ALL');
  });

  it('RFC 5267 CANCELUPDATE takes one or more quoted tags', () => {
    expect(parse('a1 CANCELUPDATE "B01" "b 2"')).toEqual(cmd('CANCELUPDATE', { tags: ['B01', 'b 2'] }));
    expect(() => parse('a1 CANCELUPDATE')).toThrow('Expected a space');
    expect(() => parse('a1 CANCELUPDATE B01')).toThrow('Expected a quoted tag');
  });

  it('RFC 5032 OLDER/YOUNGER and RFC 5182 $', () =>
    expect(parse('a1 UID SEARCH OLDER 3600 YOUNGER 60 UID $ $', { allowSavedResult: true })).toEqual(
      cmd(
        'SEARCH',
        {
          returnOptions: null,
          partial: null,
          charset: null,
          criteria: [
            { key: 'OLDER', seconds: 3600 },
            { key: 'YOUNGER', seconds: 60 },
            { key: 'UID', set: '$' },
            { key: 'SEQUENCE', set: '$' },
          ],
        },
        true,
      ),
    ));

  it('marks a failure after RETURN (SAVE) so the saved result is emptied (RFC 5182 2.1)', () => {
    const thrown = (raw: string): unknown => {
      try {
        parse(raw);
      } catch (error) {
        return error;
      }
      return null;
    };
    expect(thrown('a1 SEARCH RETURN (SAVE) NOSUCHKEY')).toMatchObject({ resetsSavedResult: true, tag: 'a1' });
    expect(thrown('a1 SEARCH RETURN (MIN) NOSUCHKEY')).toMatchObject({ resetsSavedResult: false });
  });
});

describe('parseCommand: ID and ENABLE', () => {
  it('ID NIL', () => expect(parse('a1 ID NIL')).toEqual(cmd('ID', { params: null })));
  it('ID list', () =>
    expect(parse('a1 ID ("name" "Thunderbird" "version" NIL)')).toEqual(
      cmd('ID', {
        params: new Map([
          ['name', 'Thunderbird'],
          ['version', null],
        ]),
      }),
    ));
  it('ENABLE', () =>
    expect(parse('a1 ENABLE condstore UTF8=ACCEPT')).toEqual(
      cmd('ENABLE', { capabilities: ['CONDSTORE', 'UTF8=ACCEPT'] }),
    ));
});

describe('parseCommand: errors', () => {
  const bad = (message: string, code = 'SYNTAX', tag: string | null = 'a1') => ({
    code,
    tag,
    status: 'BAD',
    responseCode: null,
    message,
  });
  // RFC 3501 5.1.3: a name that parses but is not modified UTF-7 is refused with NO.
  const no = (message: string, code: string) => ({
    code,
    tag: 'a1',
    status: 'NO',
    responseCode: null,
    message,
  });
  it.each([
    ['', bad('Expected a tag', 'SYNTAX', null)],
    [' NOOP', bad('Expected a tag', 'SYNTAX', null)],
    ['a+1 NOOP', bad('Invalid tag', 'BAD_TAG', null)],
    ['a"1 NOOP', bad('Invalid tag', 'BAD_TAG', null)],
    ['a1', bad('Expected a space')],
    ['a1 ', bad('Expected a command name')],
    ['a1  NOOP', bad('Expected a command name')],
    ['a1 FROB', bad('Unknown command FROB', 'UNKNOWN_COMMAND')],
    ['a1 UID LOGIN a b', bad('UID LOGIN is not a command', 'UNKNOWN_COMMAND')],
    ['a1 NOOP extra', bad('Unexpected extra arguments')],
    ['a1 NOOP ', bad('Unexpected extra arguments')],
    ['a1 LOGIN alice', bad('Expected a space')],
    ['a1 LOGIN alice "unterminated', bad('Unterminated quoted string')],
    ['a1 LOGIN alice "bad\\x"', bad('Invalid escape in quoted string')],
    ['a1 LOGIN alice "a\0b"', bad('NUL in quoted string')],
    ['a1 LOGIN alice {5}', bad('Invalid literal')],
    ['a1 AUTHENTICATE PLAIN abc', bad('Invalid base64 initial response')],
    ['a1 SELECT', bad('Expected a space')],
    [
      'a1 SELECT "Entw&APw"',
      no('Invalid mailbox name: unterminated "&" shift in mailbox name', 'BAD_MAILBOX_NAME'),
    ],
    [
      'a1 SELECT "Entwürfe"',
      no('Invalid mailbox name: mailbox name must be 7-bit printable (modified UTF-7)', 'BAD_MAILBOX_NAME'),
    ],
    ['a1 SELECT (x)', bad('Expected a mailbox name')],
    ['a1 FETCH 0 FLAGS', bad('Invalid sequence set: 0')],
    ['a1 FETCH 1:0 FLAGS', bad('Invalid sequence set: 1:0')],
    ['a1 FETCH 1,,2 FLAGS', bad('Invalid sequence set: 1,,2')],
    ['a1 FETCH 1:2:3 FLAGS', bad('Invalid sequence set: 1:2:3')],
    ['a1 FETCH 4294967296 FLAGS', bad('Invalid sequence set: 4294967296')],
    ['a1 FETCH $ FLAGS', bad('Invalid sequence set: $')],
    ['a1 FETCH x FLAGS', bad('Expected a sequence set')],
    ['a1 FETCH 1 (ALL)', bad('Unknown fetch item ALL')],
    ['a1 FETCH 1 ()', bad('Empty list')],
    ['a1 FETCH 1 BINARY[1.HEADER]', bad('Expected a section part')],
    ['a1 FETCH 1 BINARY[TEXT]', bad('Expected a section part')],
    ['a1 FETCH 1 BINARY[0]', bad('Invalid section part')],
    ['a1 FETCH 1 BINARY', bad('Unknown fetch item BINARY')],
    ['a1 FETCH 1 BINARY.SIZE[1]<0.5>', bad('Unexpected extra arguments')],
    ['a1 FETCH 1 (PREVIEW (LAZY SHORT))', bad('Unknown PREVIEW modifier')],
    ['a1 FETCH 1 (SNIPPET (FUZZY "x"))', bad('Expected a PREVIEW modifier')],
    ['a1 FETCH 1 SNIPPET[]', bad('Unknown fetch item SNIPPET')],
    ['a1 FETCH 1 PREVIEW[]', bad('Unknown fetch item PREVIEW')],
    ['a1 FETCH 1 BODY[MIME]', bad('Invalid section MIME')],
    ['a1 FETCH 1 BODY[0]', bad('Invalid section part')],
    ['a1 FETCH 1 BODY[1.]', bad('Invalid section')],
    ['a1 FETCH 1 BODY[HEADER.FIELDS ()]', bad('Empty list')],
    ['a1 FETCH 1 BODY[]<0.0>', bad('Invalid partial length')],
    ['a1 FETCH 1 BODY[]<5>', bad('Expected "." in partial')],
    ['a1 FETCH 1 (FLAGS', bad('Expected ")"')],
    ['a1 STORE 1 FLAGZ (\\Seen)', bad('Invalid store item FLAGZ')],
    ['a1 STORE 1 FLAGS (\\*)', bad('Expected a flag')],
    // SIZE is known since STATUS=SIZE (RFC 8438), DELETED and DELETED-STORAGE since RFC 9208 QUOTA.
    ['a1 STATUS INBOX (MESSAGES NOSUCHITEM)', bad('Unknown status item NOSUCHITEM')],
    ['a1 SELECT INBOX (QRESYNC)', bad('Expected a space')],
    ['a1 SELECT INBOX (QRESYNC (1))', bad('Expected a space')],
    ['a1 SELECT INBOX (QRESYNC (0 5))', bad('Invalid UIDVALIDITY')],
    ['a1 SELECT INBOX (QRESYNC (1 0))', bad('Invalid mod-sequence 0')],
    ['a1 SELECT INBOX (QRESYNC (1 2 1:*))', bad('known-uids may not contain *')],
    [
      'a1 SELECT INBOX (QRESYNC (1 2 1:5 (1:2 3)))',
      bad('known-sequence-set and known-uid-set differ in size'),
    ],
    ['a1 SELECT INBOX (QRESYNC (1 2 1:5 (1:* 3)))', bad('known-sequence-set may not contain *')],
    ['a1 SELECT INBOX (QRESYNC (1 2) QRESYNC (1 2))', bad('Duplicate SELECT parameter QRESYNC')],
    ['a1 SELECT INBOX (FOO)', bad('Unknown SELECT parameter FOO')],
    ['a1 SELECT INBOX ()', bad('Empty list')],
    ['a1 FETCH 1 FLAGS (CHANGEDSINCE)', bad('Expected a space')],
    ['a1 FETCH 1 FLAGS (CHANGEDSINCE x)', bad('Expected a mod-sequence')],
    ['a1 FETCH 1 FLAGS (CHANGEDSINCE 9007199254740992)', bad('Invalid mod-sequence')],
    ['a1 FETCH 1 FLAGS (CHANGEDSINCE 1 CHANGEDSINCE 2)', bad('Duplicate modifier CHANGEDSINCE')],
    ['a1 FETCH 1 FLAGS (FOO 1)', bad('Unknown FETCH modifier FOO')],
    ['a1 FETCH 1 FLAGS (CHANGEDSINCE 1 VANISHED)', bad('VANISHED is only allowed with UID FETCH')],
    ['a1 UID FETCH 1 FLAGS (VANISHED)', bad('VANISHED needs CHANGEDSINCE')],
    ['a1 UID FETCH 1 FLAGS (VANISHED VANISHED CHANGEDSINCE 1)', bad('Duplicate modifier VANISHED')],
    ['a1 FETCH 1 FLAGS extra', bad('Expected a parenthesized list')],
    ['a1 STORE 1 (CHANGEDSINCE 5) FLAGS ()', bad('Unknown modifier CHANGEDSINCE')],
    ['a1 STORE 1 (UNCHANGEDSINCE 5)FLAGS ()', bad('Expected a space')],
    ['a1 SEARCH MODSEQ', bad('Expected a space')],
    ['a1 SEARCH MODSEQ "/flags/\\\\draft" none 5', bad('Invalid MODSEQ entry type')],
    ['a1 SEARCH MODSEQ "/other/x" all 5', bad('Invalid MODSEQ entry name')],
    ['a1 STATUS INBOX ()', bad('Empty list')],
    ['a1 LIST (RECURSIVEMATCH) "" *', bad('RECURSIVEMATCH needs another selection option')],
    ['a1 LIST (FOO) "" *', bad('Unknown LIST selection option FOO')],
    ['a1 LIST "" * EXTRA', bad('Expected RETURN')],
    ['a1 APPEND INBOX "hello"', bad('Invalid date-time: hello')],
    ['a1 APPEND INBOX (\\Seen)', bad('Expected a space')],
    [
      'a1 APPEND INBOX "31-Feb-2024 00:00:00 +0000" {1}',
      bad('Invalid date-time: 31-Feb-2024 00:00:00 +0000'),
    ],
    ['a1 APPEND INBOX msg', bad('Expected the message as a literal')],
    ['a1 SEARCH', bad('Expected a space')],
    ['a1 SEARCH FOO', bad('Unknown search key FOO')],
    ['a1 SEARCH BEFORE 32-Jan-2020', bad('Invalid date: 32-Jan-2020')],
    ['a1 SEARCH BEFORE 1-Foo-2020', bad('Invalid date: 1-Foo-2020')],
    ['a1 SEARCH LARGER x', bad('Expected a size')],
    ['a1 SEARCH OR SEEN', bad('Expected a space')],
    ['a1 SEARCH (SEEN', bad('Expected ")"')],
    ['a1 SEARCH ()', bad('Expected a search key')],
    ['a1 ID ("name")', bad('Expected a space')],
    ['a1 ENABLE', bad('Expected a space')],
  ])('%j', (raw, expected) => expect(failure(raw)).toEqual(expected));

  it('NO [BADCHARSET] for an unknown charset (RFC 3501 6.4.4)', () =>
    expect(failure('a1 SEARCH CHARSET KOI8-R ALL')).toEqual({
      code: 'BAD_CHARSET',
      tag: 'a1',
      status: 'NO',
      responseCode: 'BADCHARSET (US-ASCII UTF-8)',
      message: 'Unsupported charset',
    }));

  it('bounds nesting', () => {
    expect(failure(`a1 SEARCH ${'NOT '.repeat(17)}SEEN`)).toMatchObject({
      code: 'TOO_COMPLEX',
      message: 'Too deeply nested',
    });
    expect(failure(`a1 SEARCH ${'('.repeat(17)}SEEN${')'.repeat(17)}`)).toMatchObject({
      code: 'TOO_COMPLEX',
    });
    expect(parse(`a1 SEARCH ${'NOT '.repeat(16)}SEEN`)).toMatchObject({ name: 'SEARCH' });
  });

  it('bounds the number of arguments', () => {
    expect(failure(`a1 SEARCH${' SEEN'.repeat(1001)}`)).toMatchObject({
      code: 'TOO_COMPLEX',
      message: 'Too many arguments',
    });
    expect(failure(`a1 FETCH ${'1,'.repeat(1000)}1 FLAGS`)).toMatchObject({ code: 'TOO_COMPLEX' });
  });

  it('bounds ID (RFC 2971 3.3)', () => {
    const pairs = Array.from({ length: 31 }, (_, i) => `"f${i}" "v"`).join(' ');
    expect(failure(`a1 ID (${pairs})`)).toMatchObject({ message: 'Too many ID fields' });
    expect(failure(`a1 ID ("${'x'.repeat(31)}" NIL)`)).toMatchObject({ message: 'ID field name too long' });
  });
});
