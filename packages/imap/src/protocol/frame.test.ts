import { describe, expect, it } from 'vitest';
import { describeFrame, isIdleDone, lineFrame, type CommandFrame } from './frame.js';

describe('describeFrame', () => {
  it.each<[CommandFrame, string]>([
    [lineFrame('a1 SELECT INBOX'), 'a1 SELECT INBOX'],
    [
      { segments: ['a1 APPEND INBOX {3+}', ''], literals: [Buffer.from('abc')] },
      'a1 APPEND INBOX {3+}<3 octets>',
    ],
    [lineFrame('a1 LOGIN alice "secret"'), 'a1 LOGIN <redacted>'],
    [{ segments: ['a1 login {5}', ' pw'], literals: [Buffer.from('alice')] }, 'a1 login <redacted>'],
    [lineFrame('a1 AUTHENTICATE PLAIN AGFsaWNlAHB3'), 'a1 AUTHENTICATE <redacted>'],
  ])('%j', (frame, text) => expect(describeFrame(frame)).toBe(text));
});

describe('isIdleDone (RFC 2177 3)', () => {
  it.each([
    ['DONE', true],
    ['done', true],
    ['a1 DONE', false],
    ['DONE ', false],
  ])('%j', (line, expected) => expect(isIdleDone(lineFrame(line))).toBe(expected));
});
