import { describe, expect, it } from 'vitest';
import {
  flagsFromMaildirInfo,
  flagsFromMboxHeaders,
  maildirInfoFromFlags,
  mboxHeadersFromFlags,
  parseDovecotKeywords,
} from './flags.js';
import { takeHeaderFields } from './header-block.js';
import { toCrlf, toLf } from './line-endings.js';
import { mailboxNameOfMaildirFolder, maildirFolderOfMailboxName } from './maildir-names.js';
import { parseDovecotUidlist } from './maildir-reader.js';
import { formatFromLine, parseFromLineDate } from './mbox-format.js';
import { quoteFromLines } from './mbox-writer.js';
import { decodeMutf7, encodeMutf7 } from './mutf7.js';

describe('modified UTF-7 (RFC 3501 5.1.3)', () => {
  it.each([
    ['INBOX', 'INBOX'],
    ['Entwürfe', 'Entw&APw-rfe'],
    ['R&D', 'R&-D'],
    ['日本語', '&ZeVnLIqe-'],
    ['😀', '&2D3eAA-'],
  ])('%s <-> %s', (plain, encoded) => {
    expect(encodeMutf7(plain)).toBe(encoded);
    expect(decodeMutf7(encoded)).toBe(plain);
  });
  it('encodes extra characters on request and still decodes them', () => {
    expect(encodeMutf7('v1.2', '.')).toBe('v1&AC4-2');
    expect(decodeMutf7('v1&AC4-2')).toBe('v1.2');
  });
  it('rejects a malformed run', () => {
    expect(() => decodeMutf7('&!!-')).toThrow(/modified UTF-7/);
  });
});

describe('Maildir++ folder names', () => {
  it.each([
    ['.Sent', 'Sent'],
    ['.Archive.2024', 'Archive/2024'],
    ['.Entw&APw-rfe', 'Entwürfe'],
    ['.v1&AC4-2', 'v1.2'],
  ])('%s <-> %s', (dir, name) => {
    expect(mailboxNameOfMaildirFolder(dir)).toBe(name);
    expect(maildirFolderOfMailboxName(name)).toBe(dir);
  });
  it.each(['.', '..', 'cur', '.a..b', '.INBOX', `.${'a.'.repeat(40)}a`])('is not a folder: %s', (dir) => {
    expect(mailboxNameOfMaildirFolder(dir)).toBeNull();
  });
});

describe('flags', () => {
  const keywords = parseDovecotKeywords('0 $Forwarded\n1 Work\nnot a line\n99 TooFar\n2 bad(kw\n');
  it('reads dovecot-keywords, ignoring what is not its format', () => {
    expect([...keywords]).toEqual([
      [0, '$Forwarded'],
      [1, 'Work'],
    ]);
  });
  it('maps Maildir info letters and keyword letters', () => {
    expect(flagsFromMaildirInfo('DFRSTab', keywords).sort()).toEqual(
      ['$Forwarded', 'Work', '\\Answered', '\\Deleted', '\\Draft', '\\Flagged', '\\Seen'].sort(),
    );
    expect(flagsFromMaildirInfo('P', new Map())).toEqual(['$Forwarded']);
    expect(flagsFromMaildirInfo('z', keywords)).toEqual([]);
  });
  it('writes info letters in ASCII order and grows the keyword list', () => {
    const list: string[] = [];
    expect(maildirInfoFromFlags(['\\Seen', 'Work', '\\Answered', '$Forwarded', '\\Recent'], list)).toEqual({
      info: 'RSab',
      dropped: [],
    });
    expect(list).toEqual(['Work', '$Forwarded']);
  });
  it('drops keywords past the 26th letter and says so', () => {
    const list = Array.from({ length: 26 }, (_, i) => `k${i}`);
    expect(maildirInfoFromFlags(['k0', 'extra'], list)).toEqual({ info: 'a', dropped: ['extra'] });
  });
  it('maps mbox Status/X-Status/X-Keywords both ways', () => {
    const flags = ['\\Seen', '\\Answered', '\\Flagged', '\\Draft', '\\Deleted', 'Work', '$Label1'];
    const lines = mboxHeadersFromFlags(flags);
    expect(lines).toEqual(['Status: RO', 'X-Status: ADFT', 'X-Keywords: Work $Label1']);
    expect(
      flagsFromMboxHeaders({ status: 'RO', xStatus: 'ADFT', xKeywords: 'Work, $Label1' }).sort(),
    ).toEqual([...flags].sort());
    expect(mboxHeadersFromFlags([])).toEqual(['Status: O']);
    expect(flagsFromMboxHeaders({ status: 'O' })).toEqual([]);
  });
});

describe('mbox format pieces', () => {
  it('parses separator dates in the forms found in the wild', () => {
    expect(parseFromLineDate('From MAILER-DAEMON Sat Dec  4 18:00:00 2026')?.toISOString()).toBe(
      '2026-12-04T18:00:00.000Z',
    );
    expect(parseFromLineDate('From a@b.c Thu Jan  1 00:00:00 +0100 1998')?.toISOString()).toBe(
      '1997-12-31T23:00:00.000Z',
    );
    expect(parseFromLineDate('From a@b.c Mon Mar 10 09:05 2025')?.toISOString()).toBe(
      '2025-03-10T09:05:00.000Z',
    );
    expect(parseFromLineDate('From here on we talk about dates')).toBeNull();
  });
  it('formats a separator line that parses back', () => {
    const date = new Date('2024-02-29T07:08:09Z');
    expect(formatFromLine(date)).toBe('From MAILER-DAEMON Thu Feb 29 07:08:09 2024');
    expect(parseFromLineDate(formatFromLine(date))?.getTime()).toBe(date.getTime());
  });
  it('quotes From lines the mboxrd way', () => {
    expect(quoteFromLines(Buffer.from('a\nFrom x\n>From y\n>>From z\nFromage\n')).toString()).toBe(
      'a\n>From x\n>>From y\n>>>From z\nFromage\n',
    );
    expect(quoteFromLines(Buffer.from('From top\n')).toString()).toBe('>From top\n');
  });
  it('takes metadata fields out of the header block only, with their folded lines', () => {
    const message = Buffer.from(
      'Subject: s\r\nStatus: RO\r\nX-Keywords: a\r\n b\r\nTo: t\r\n\r\nStatus: body\r\n',
    );
    const { message: rest, values } = takeHeaderFields(message, ['status', 'x-keywords']);
    expect(rest.toString()).toBe('Subject: s\r\nTo: t\r\n\r\nStatus: body\r\n');
    expect([...values]).toEqual([
      ['status', 'RO'],
      ['x-keywords', 'a b'],
    ]);
  });
  it('converts line ends as exact inverses on CRLF text', () => {
    const crlf = Buffer.from('a\r\nb\rc\r\n\r\n');
    expect(toLf(crlf).toString()).toBe('a\nb\rc\n\n');
    expect(toCrlf(toLf(crlf)).equals(crlf)).toBe(true);
    expect(toCrlf(Buffer.from('x\ny\r\n')).toString()).toBe('x\r\ny\r\n');
  });
});

describe('dovecot-uidlist', () => {
  it('maps base names to UIDs (version 3 lines with extensions)', () => {
    const text = '3 V1700000000 N3 G0123\n1 :1700000000.M1P2.host\n2 G1a2b :1700000001.M2P2.host,S=100\n';
    expect([...parseDovecotUidlist(text)]).toEqual([
      ['1700000000.M1P2.host', 1],
      ['1700000001.M2P2.host,S=100', 2],
    ]);
  });
});
