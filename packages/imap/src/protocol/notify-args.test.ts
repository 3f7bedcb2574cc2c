/** RFC 5465 8 NOTIFY grammar as a table: raw command line -> parsed arguments (or BAD). */
import { describe, expect, it } from 'vitest';
import { ImapWireError } from './errors.js';
import { lineFrame } from './frame.js';
import { parseCommand } from './parser.js';

function parse(line: string): unknown {
  const command = parseCommand(lineFrame(line));
  if (command.name !== 'NOTIFY') throw new Error('not NOTIFY');
  return command.args;
}

describe('NOTIFY arguments', () => {
  const cases: Array<[string, unknown]> = [
    ['a NOTIFY NONE', { kind: 'none' }],
    ['a notify none', { kind: 'none' }],
    [
      'a NOTIFY SET (selected (MessageNew MessageExpunge))',
      {
        kind: 'set',
        status: false,
        groups: [
          { filter: { kind: 'selected' }, events: ['MessageNew', 'MessageExpunge'], fetchItems: null },
        ],
      },
    ],
    [
      // RFC 5465 3's example spelling: events without parentheses, fetch-att after MessageNew.
      'a notify set status (selected MessageNew (uid body.peek[header.fields (from to subject)]) MessageExpunge) (subtree Lists MessageNew MessageExpunge)',
      {
        kind: 'set',
        status: true,
        groups: [
          {
            filter: { kind: 'selected' },
            events: ['MessageNew', 'MessageExpunge'],
            fetchItems: [
              { kind: 'UID' },
              {
                kind: 'BODY[]',
                peek: true,
                section: { part: [], specifier: 'HEADER.FIELDS', fields: ['FROM', 'TO', 'SUBJECT'] },
                partial: null,
              },
            ],
          },
          {
            filter: { kind: 'subtree', mailboxes: ['Lists'] },
            events: ['MessageNew', 'MessageExpunge'],
            fetchItems: null,
          },
        ],
      },
    ],
    [
      'a NOTIFY SET (mailboxes (INBOX "Lists/IETF") (mailboxname subscriptionchange)) (inboxes NONE)',
      {
        kind: 'set',
        status: false,
        groups: [
          {
            filter: { kind: 'mailboxes', mailboxes: ['INBOX', 'Lists/IETF'] },
            events: ['MailboxName', 'SubscriptionChange'],
            fetchItems: null,
          },
          { filter: { kind: 'inboxes' }, events: [], fetchItems: null },
        ],
      },
    ],
    [
      // event-ext = atom: kept as sent, for NO [BADEVENT] to judge.
      'a NOTIFY SET (personal (XFuture annotationchange))',
      {
        kind: 'set',
        status: false,
        groups: [{ filter: { kind: 'personal' }, events: ['XFuture', 'AnnotationChange'], fetchItems: null }],
      },
    ],
  ];
  for (const [line, expected] of cases) it(line, () => expect(parse(line)).toEqual(expected));

  const bad = [
    'a NOTIFY',
    'a NOTIFY SET',
    'a NOTIFY SET STATUS',
    'a NOTIFY RESET (selected NONE)',
    'a NOTIFY SET (everything (MessageNew MessageExpunge))',
    'a NOTIFY SET (subtree (MessageNew))',
    'a NOTIFY SET (selected ())',
    'a NOTIFY SET (selected NONE',
    'a NOTIFY SET (selected (MessageNew (FAST) MessageExpunge))',
    'a NOTIFY NONE extra',
  ];
  for (const line of bad) it(`BAD: ${line}`, () => expect(() => parse(line)).toThrow(ImapWireError));
});
