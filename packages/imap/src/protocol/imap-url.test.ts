import { describe, expect, it } from 'vitest';
import { parseImapUrl, urlRespText } from './imap-url.js';

describe('parseImapUrl (RFC 5092 message URLs, RFC 5550 PARTIAL)', () => {
  it.each([
    [
      '/Drafts;UIDVALIDITY=385759045/;UID=20/;section=HEADER',
      {
        user: null,
        host: null,
        mailbox: 'Drafts',
        uidValidity: 385759045,
        uid: 20,
        section: 'HEADER',
        partial: null,
      },
    ],
    [
      'imap://alice%40example.com;AUTH=*@imap.test:143/INBOX/;UID=7/;SECTION=1.2/;PARTIAL=10.5',
      {
        user: 'alice@example.com',
        host: 'imap.test',
        mailbox: 'INBOX',
        uidValidity: null,
        uid: 7,
        section: '1.2',
        partial: { offset: 10, length: 5 },
      },
    ],
    [
      'IMAP://IMAP.TEST/Archive/2024%20%C3%A4;UIDVALIDITY=3/;UID=1/;SECTION=HEADER.FIELDS%20(FROM%20TO)',
      {
        user: null,
        host: 'imap.test',
        mailbox: 'Archive/2024 ä',
        uidValidity: 3,
        uid: 1,
        section: 'HEADER.FIELDS (FROM TO)',
        partial: null,
      },
    ],
    [
      // RFC 4469 Appendix A's spelling, without "/" before ;section=
      '/INBOX;UIDVALIDITY=785799047/;UID=113330;section=1.5.9',
      {
        user: null,
        host: null,
        mailbox: 'INBOX',
        uidValidity: 785799047,
        uid: 113330,
        section: '1.5.9',
        partial: null,
      },
    ],
    [
      ';UID=4/;PARTIAL=0',
      {
        user: null,
        host: null,
        mailbox: null,
        uidValidity: null,
        uid: 4,
        section: null,
        partial: { offset: 0, length: null },
      },
    ],
  ])('%s', (url, expected) => {
    expect(parseImapUrl(url)).toEqual(expected);
  });

  it.each([
    ['a mailbox URL names no message', '/INBOX;UIDVALIDITY=1'],
    ['a search URL', '/INBOX?SUBJECT%20x'],
    ['URLAUTH is not offered', '/INBOX/;UID=1;URLAUTH=anonymous:internal:0123'],
    ['EXPIRE belongs to URLAUTH', '/INBOX/;UID=1;EXPIRE=2030-01-01T00:00:00Z'],
    ['UID 0', '/INBOX/;UID=0'],
    ['UID beyond 32 bits', '/INBOX/;UID=4294967296'],
    ['a PARTIAL of length 0', '/INBOX/;UID=1/;PARTIAL=0.0'],
    ['another scheme', 'http://imap.test/INBOX/;UID=1'],
    ['a network path without scheme', '//imap.test/INBOX/;UID=1'],
    ['bad percent-encoding', '/IN%G0BOX/;UID=1'],
    ['not UTF-8 once decoded', '/%FF/;UID=1'],
    ['a raw space', '/My Box/;UID=1'],
    ['a relative mailbox path', 'INBOX/;UID=1'],
    ['an empty URL', ''],
  ])('refuses %s', (_why, url) => {
    expect(parseImapUrl(url)).toBeNull();
  });

  it('url-resp-text (RFC 4469 5, errata 2002) percent-encodes "]" and non-ASCII', () => {
    expect(urlRespText('/INBOX;UIDVALIDITY=1/;UID=2')).toBe('/INBOX;UIDVALIDITY=1/;UID=2');
    expect(urlRespText('/a]b ä\r')).toBe('/a%5Db %C3%A4%0D');
  });
});
