import { describe, expect, it } from 'vitest';
import { Transcript } from './transcript.js';

type Step = ['C' | 'S', string];

function record(steps: Step[]): string[] {
  const transcript = new Transcript();
  for (const [who, line] of steps) {
    if (who === 'C') transcript.client(line);
    else transcript.server(line);
  }
  return [...transcript.lines()];
}

describe('Transcript', () => {
  it.each<[string, Step[], string[]]>([
    [
      'SMTP AUTH PLAIN with an initial response',
      [
        ['S', '220 mx ESMTP'],
        ['C', 'AUTH PLAIN AGFsaWNlAHNlY3JldA=='],
        ['S', '235 2.7.0 ok'],
        ['C', 'MAIL FROM:<a@b>'],
      ],
      ['S: 220 mx ESMTP', 'C: AUTH PLAIN ***', 'S: 235 2.7.0 ok', 'C: MAIL FROM:<a@b>'],
    ],
    [
      'SMTP AUTH LOGIN over continuations',
      [
        ['C', 'AUTH LOGIN'],
        ['S', '334 VXNlcm5hbWU6'],
        ['C', 'YWxpY2U='],
        ['S', '334 UGFzc3dvcmQ6'],
        ['C', 'c2VjcmV0'],
        ['S', '235 ok'],
        ['C', 'QUIT'],
      ],
      [
        'C: AUTH LOGIN',
        'S: 334 VXNlcm5hbWU6',
        'C: ***',
        'S: 334 UGFzc3dvcmQ6',
        'C: ***',
        'S: 235 ok',
        'C: QUIT',
      ],
    ],
    [
      'POP3 USER/PASS and APOP',
      [
        ['C', 'USER alice'],
        ['C', 'PASS hunter2'],
        ['C', 'APOP bob c4c9334bac560ecc979e58001b3e22fb'],
      ],
      ['C: USER alice', 'C: PASS ***', 'C: APOP bob ***'],
    ],
    [
      'IMAP LOGIN, with a literal password',
      [
        ['C', 'a1 LOGIN alice {6}'],
        ['S', '+ Ready'],
        ['C', 'secret'],
        ['S', 'a1 OK done'],
        ['C', 'a2 SELECT INBOX'],
      ],
      ['C: a1 LOGIN ***', 'S: + Ready', 'C: ***', 'S: a1 OK done', 'C: a2 SELECT INBOX'],
    ],
    [
      'IMAP AUTHENTICATE PLAIN, then APPEND literals stay visible',
      [
        ['C', 'a1 AUTHENTICATE PLAIN'],
        ['S', '+ '],
        ['C', 'AGFsaWNlAHNlY3JldA=='],
        ['S', 'a1 OK'],
        ['C', 'a2 APPEND INBOX {5}'],
        ['S', '+ Ready'],
        ['C', 'hello'],
      ],
      [
        'C: a1 AUTHENTICATE PLAIN',
        'S: + ',
        'C: ***',
        'S: a1 OK',
        'C: a2 APPEND INBOX {5}',
        'S: + Ready',
        'C: hello',
      ],
    ],
    [
      'IMAP SASL-IR initial response',
      [
        ['C', 'a1 authenticate plain AGFsaWNlAHNlY3JldA=='],
        ['S', 'a1 OK'],
      ],
      ['C: a1 authenticate plain ***', 'S: a1 OK'],
    ],
  ])('%s', (_name, steps, expected) => {
    expect(record(steps)).toEqual(expected);
  });

  it('strips line endings, clips long lines and keeps a bounded number of lines', () => {
    const seen: string[] = [];
    const transcript = new Transcript({ maxLines: 2, maxLineChars: 10, onLine: (line) => seen.push(line) });
    transcript.server(Buffer.from('+OK hi\r\n'));
    transcript.client('x'.repeat(30));
    transcript.note('5 bytes');
    expect(transcript.lines()).toEqual(['C: xxxxxxx... [33 chars]', '-- 5 bytes']);
    expect(transcript.dropped).toBe(1);
    expect(seen[0]).toBe('S: +OK hi');
    expect(transcript.toString()).toBe('-- 1 earlier lines dropped\nC: xxxxxxx... [33 chars]\n-- 5 bytes');
  });
});
