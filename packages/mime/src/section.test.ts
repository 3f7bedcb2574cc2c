import { describe, expect, it } from 'vitest';
import { parseMessage } from './parse.js';
import { extractSection, parseSectionSpec, partial } from './section.js';
import { CORPUS_AVAILABLE, CORPUS_NOTE, corpusFile, crlf, toCrlf } from './test-support/messages.js';
import type { SectionSpec } from './types.js';

describe('parseSectionSpec (RFC 3501 6.4.5 / 9)', () => {
  it.each<[string, SectionSpec | null]>([
    ['', { part: [], text: null, fields: [] }],
    ['HEADER', { part: [], text: 'HEADER', fields: [] }],
    ['text', { part: [], text: 'TEXT', fields: [] }],
    ['1', { part: [1], text: null, fields: [] }],
    ['4.2.2.1', { part: [4, 2, 2, 1], text: null, fields: [] }],
    ['3.MIME', { part: [3], text: 'MIME', fields: [] }],
    ['3.HEADER', { part: [3], text: 'HEADER', fields: [] }],
    ['HEADER.FIELDS (To From)', { part: [], text: 'HEADER.FIELDS', fields: ['To', 'From'] }],
    [
      '2.header.fields.not ("Subject" x-a)',
      { part: [2], text: 'HEADER.FIELDS.NOT', fields: ['Subject', 'x-a'] },
    ],
    ['MIME', null],
    ['0', null],
    ['1.', null],
    ['1..2', null],
    ['01', null],
    ['BODY', null],
    ['HEADER.FIELDS ()', null],
    ['HEADER.FIELDS', null],
    ['HEADER.FIELDS (To "From)', null],
  ])('%j', (spec, expected) => {
    expect(parseSectionSpec(spec)).toEqual(expected);
  });
});

function section(raw: Buffer, spec: string): string | null {
  const parsed = parseSectionSpec(spec);
  if (parsed === null) throw new Error(`bad spec ${spec}`);
  const out = extractSection(raw, parseMessage(raw), parsed);
  return out === null ? null : out.toString('utf8');
}

describe.skipIf(!CORPUS_AVAILABLE)(
  `extractSection: the RFC 3501 6.4.5 sample message (from the shared corpus)${CORPUS_NOTE}`,
  () => {
    // The sample says in each part which part specifier reaches it.
    const raw = CORPUS_AVAILABLE ? toCrlf(corpusFile('mimekit/messages__rfc2060.txt')) : Buffer.alloc(0);

    it.each(['1', '2', '3.1', '3.2', '4.1', '4.2.1', '4.2.2.1', '4.2.2.2'])(
      'BODY[%s] is the part that names itself',
      (spec) => {
        expect(section(raw, spec)).toBe(`This part specifier should be: ${spec}\r\n`);
      },
    );

    it('reaches message/rfc822 parts, their header, text and MIME header', () => {
      expect(section(raw, '3.HEADER')).toContain('Subject: This part specifier should be: 3\r\n');
      expect(section(raw, '3.HEADER')?.endsWith('boundary="3.x"\r\n\r\n')).toBe(true);
      expect(section(raw, '3.TEXT')?.startsWith('--3.x\r\n')).toBe(true);
      expect(section(raw, '3')?.startsWith('From: me@myself.com\r\n')).toBe(true);
      expect(section(raw, '3.MIME')).toBe('Content-Type: MESSAGE/RFC822\r\n\r\n');
      expect(section(raw, '4.2.HEADER.FIELDS (subject)')).toBe(
        'Subject: This part specifier should be: 4.2\r\n\r\n',
      );
      expect(section(raw, '4.2.2.MIME')).toBe(
        'Content-Type: MULTIPART/ALTERNATIVE; boundary="4.2.2.x"\r\n\r\n',
      );
    });

    it('returns null for parts that do not exist and for HEADER/TEXT of a non-message part', () => {
      for (const spec of ['5', '1.1', '3.3', '4.3', '4.2.2.3', '1.HEADER', '4.TEXT']) {
        expect(section(raw, spec), spec).toBeNull();
      }
    });
  },
);

describe('extractSection: whole message and header fields', () => {
  const raw = crlf(
    'From: a@x.test',
    'Subject: one',
    ' folded',
    'X-Other: 1',
    'subject: two',
    '',
    'body text',
  );

  it('BODY[] is the whole message; HEADER and TEXT split it at the blank line', () => {
    expect(section(raw, '')).toBe(raw.toString());
    expect(section(raw, 'HEADER')).toBe(
      'From: a@x.test\r\nSubject: one\r\n folded\r\nX-Other: 1\r\nsubject: two\r\n\r\n',
    );
    expect(section(raw, 'TEXT')).toBe('body text\r\n');
  });

  it('HEADER.FIELDS keeps matching fields folded and in order, case-insensitively, and ends with a blank line', () => {
    expect(section(raw, 'HEADER.FIELDS (SUBJECT)')).toBe('Subject: one\r\n folded\r\nsubject: two\r\n\r\n');
    expect(section(raw, 'HEADER.FIELDS.NOT (Subject From)')).toBe('X-Other: 1\r\n\r\n');
    expect(section(raw, 'HEADER.FIELDS (Nothing)')).toBe('\r\n');
  });

  it('part 1 of a non-multipart message is its body, and 1.MIME its header', () => {
    expect(section(raw, '1')).toBe('body text\r\n');
    expect(section(raw, '1.MIME')).toBe(section(raw, 'HEADER'));
  });

  it('adds a line break to a last field that has none (header without body)', () => {
    const headerOnly = Buffer.from('Subject: x\r\nTo: y@z');
    expect(section(headerOnly, 'HEADER.FIELDS (To)')).toBe('To: y@z\r\n\r\n');
  });
});

describe('partial (RFC 3501 6.4.5 <offset.length>)', () => {
  const data = Buffer.from('0123456789');
  it.each<[number, number | undefined, string]>([
    [0, 4, '0123'],
    [5, 100, '56789'],
    [3, undefined, '3456789'],
    [10, 5, ''],
    [42, 1, ''],
    [2, 0, ''],
  ])('<%i.%s>', (offset, length, expected) => {
    expect(partial(data, offset, length).toString()).toBe(expected);
  });
});
