import { FUZZ_SEED, int, pick, prng } from '@minimail/protocol/testing';
import { describe, expect, it } from 'vitest';
import { DotStuffer, stuffBody, topOfMessage } from './byte-stuffing.js';

const b = (text: string): Buffer => Buffer.from(text, 'latin1');

describe('byte stuffing (RFC 1939 3)', () => {
  it.each([
    ['', '.\r\n'],
    ['a\r\n', 'a\r\n.\r\n'],
    ['.\r\n', '..\r\n.\r\n'],
    ['a\r\n.b\r\n..c\r\n', 'a\r\n..b\r\n...c\r\n.\r\n'],
    ['no final newline', 'no final newline\r\n.\r\n'],
    ['a.b\r\n x.\r\n', 'a.b\r\n x.\r\n.\r\n'],
    ['.', '..\r\n.\r\n'],
  ])('%j -> %j', (body, expected) => {
    expect(stuffBody(b(body)).toString('latin1')).toBe(expected);
  });

  it('stuffs a dot at a line start that falls on a chunk boundary', () => {
    const stuffer = new DotStuffer();
    const out = [
      stuffer.stuff(b('one\r\n')),
      stuffer.stuff(b('.two\r')),
      stuffer.stuff(b('\n.')),
      stuffer.stuff(b('x\r\n')),
      stuffer.end(),
    ];
    expect(Buffer.concat(out).toString('latin1')).toBe('one\r\n..two\r\n..x\r\n.\r\n');
  });

  it('returns the chunk itself when nothing needs stuffing (no copy)', () => {
    const chunk = b('plain\r\ntext\r\n');
    expect(new DotStuffer().stuff(chunk)).toBe(chunk);
  });

  it('matches a line-by-line reference on random bodies cut at random chunk boundaries', () => {
    // The reference: split into lines, double a leading ".", then the terminator line.
    const reference = (text: string): string => {
      const lines = text.split('\n');
      const last = lines.pop() ?? '';
      const stuffed = lines.map((line) => (line.startsWith('.') ? '.' : '') + line + '\n').join('');
      const tail = last === '' ? '' : (last.startsWith('.') ? '.' : '') + last + '\r\n';
      return stuffed + tail + '.\r\n';
    };
    const random = prng(FUZZ_SEED);
    for (let round = 0; round < 500; round += 1) {
      const length = int(random, 40);
      let text = '';
      for (let i = 0; i < length; i += 1) text += pick(random, ['.', '.', '\r\n', '\n', 'a', '\r']);
      const stuffer = new DotStuffer();
      const out: Buffer[] = [];
      for (let offset = 0; offset < text.length;) {
        const end = Math.min(text.length, offset + 1 + int(random, 6));
        out.push(stuffer.stuff(b(text.slice(offset, end))));
        offset = end;
      }
      out.push(stuffer.end());
      expect(Buffer.concat(out).toString('latin1'), JSON.stringify(text)).toBe(reference(text));
    }
  });
});

describe('topOfMessage (RFC 1939 7)', () => {
  const raw = b('Subject: x\r\nFrom: a@b\r\n\r\nline 1\r\nline 2\r\nline 3\r\n');
  it.each([
    [0, 'Subject: x\r\nFrom: a@b\r\n\r\n'],
    [2, 'Subject: x\r\nFrom: a@b\r\n\r\nline 1\r\nline 2\r\n'],
    [3, raw.toString('latin1')],
    [100, raw.toString('latin1')],
  ])('%i body lines', (lines, expected) => {
    expect(topOfMessage(raw, lines).toString('latin1')).toBe(expected);
  });

  it('treats a message without a blank line as all header', () => {
    expect(topOfMessage(b('Subject: x\r\n'), 0).toString('latin1')).toBe('Subject: x\r\n');
  });

  it('handles an empty header and a last line without CRLF', () => {
    expect(topOfMessage(b('\r\nbody'), 0).toString('latin1')).toBe('\r\n');
    expect(topOfMessage(b('S: x\r\n\r\nbody'), 5).toString('latin1')).toBe('S: x\r\n\r\nbody');
  });
});
