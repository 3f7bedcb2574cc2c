import { describe, expect, it } from 'vitest';
import { MAX_BOUNDARY_LENGTH, MAX_MIME_DEPTH, MAX_MIME_PARTS } from './limits.js';
import { parseMessage } from './parse.js';
import { crlf, lf, slice, walk } from './test-support/messages.js';
import type { MimePart } from './types.js';

function header(raw: Buffer, p: MimePart): string {
  return slice(raw, p.headerStart, p.headerEnd);
}
function body(raw: Buffer, p: MimePart): string {
  return slice(raw, p.bodyStart, p.bodyEnd);
}

describe('parseMessage: header block and body', () => {
  it('splits a CRLF message at the blank line, which belongs to the header', () => {
    const raw = crlf('Subject: hi', 'From: a@b.c', '', 'line 1', 'line 2');
    const root = parseMessage(raw);
    expect(header(raw, root)).toBe('Subject: hi\r\nFrom: a@b.c\r\n\r\n');
    expect(body(raw, root)).toBe('line 1\r\nline 2\r\n');
    expect(root).toMatchObject({ headerStart: 0, bodyEnd: raw.length, bodyLines: 2, children: [] });
    expect(root.contentType).toEqual({ type: 'text', subtype: 'plain', params: { charset: 'us-ascii' } });
  });

  it('handles bare LF line endings with the same rules', () => {
    const raw = lf('Subject: hi', '', 'body');
    const root = parseMessage(raw);
    expect(header(raw, root)).toBe('Subject: hi\n\n');
    expect(body(raw, root)).toBe('body\n');
    expect(root.bodyLines).toBe(1);
  });

  it('keeps folded header fields in the header', () => {
    const raw = crlf(
      'Subject: a',
      ' folded',
      '\tagain',
      'Content-Type: text/html;',
      ' charset="utf-8"',
      '',
      'x',
    );
    const root = parseMessage(raw);
    expect(body(raw, root)).toBe('x\r\n');
    expect(root.contentType).toEqual({ type: 'text', subtype: 'html', params: { charset: 'utf-8' } });
  });

  it('treats a header without a blank line as header only, with an empty body', () => {
    const raw = Buffer.from('Subject: no body\r\nFrom: a@b.c');
    const root = parseMessage(raw);
    expect(root).toMatchObject({
      headerStart: 0,
      headerEnd: raw.length,
      bodyStart: raw.length,
      bodyEnd: raw.length,
    });
    expect(root.bodyLines).toBe(0);
  });

  it('treats input that does not start with a header field as all body', () => {
    const raw = Buffer.from('this is not a message');
    const root = parseMessage(raw);
    expect(root).toMatchObject({
      headerStart: 0,
      headerEnd: 0,
      bodyStart: 0,
      bodyEnd: raw.length,
      bodyLines: 0,
    });
  });

  it('ends the header at a line that is neither a field nor a continuation (no blank line)', () => {
    const raw = crlf('Subject: x', 'From: a@b.c', 'this starts the body', 'more');
    const root = parseMessage(raw);
    expect(header(raw, root)).toBe('Subject: x\r\nFrom: a@b.c\r\n');
    expect(body(raw, root)).toBe('this starts the body\r\nmore\r\n');
  });

  it('skips an mbox From_ line and a leading continuation line before the first field', () => {
    const raw = crlf('From someone@example.com Mon Jan  1 00:00:00 2024', 'Subject: x', '', 'b');
    expect(body(raw, parseMessage(raw))).toBe('b\r\n');
    const spaces = crlf('     ', 'Subject: y', '', 'c');
    expect(body(spaces, parseMessage(spaces))).toBe('c\r\n');
  });

  it('keeps raw 8-bit octets and reports byte offsets, not character offsets', () => {
    const raw = Buffer.concat([
      Buffer.from('Subject: '),
      Buffer.from([0xe4, 0xf6]),
      Buffer.from('\r\n\r\n'),
      Buffer.from('h\u00e9llo\r\n'),
    ]);
    const root = parseMessage(raw);
    expect(root.headerEnd).toBe(15);
    expect(root.bodyEnd - root.bodyStart).toBe(8);
  });

  it('reads the MIME fields BODYSTRUCTURE needs', () => {
    const raw = crlf(
      'Content-Type: Application/PDF; name="=?utf-8?q?x?="; name*=utf-8\'\'r%C3%A9sum%C3%A9.pdf',
      'Content-Transfer-Encoding: BASE64',
      'Content-Disposition: attachment; filename*0="long-";',
      ' filename*1="name.pdf"',
      'Content-ID: <id1@x>',
      'Content-Description: my file',
      'Content-Language: en, de',
      'Content-Location: http://x/y',
      'Content-MD5: Q2hlY2sgSW50ZWdyaXR5IQ==',
      '',
      'AAAA',
    );
    const root = parseMessage(raw);
    expect(root.contentType).toEqual({ type: 'application', subtype: 'pdf', params: { name: 'résumé.pdf' } });
    expect(root.disposition).toEqual({ type: 'attachment', params: { filename: 'long-name.pdf' } });
    expect(root).toMatchObject({
      encoding: 'BASE64',
      id: '<id1@x>',
      description: 'my file',
      language: ['en', 'de'],
      location: 'http://x/y',
      md5: 'Q2hlY2sgSW50ZWdyaXR5IQ==',
    });
  });

  it('falls back to text/plain; charset=us-ascii for an unreadable Content-Type (RFC 2045 5.2)', () => {
    for (const value of ['text', 'garbage here', '/plain', '']) {
      const raw = crlf(`Content-Type: ${value}`, '', 'x');
      expect(parseMessage(raw).contentType, value).toEqual({
        type: 'text',
        subtype: 'plain',
        params: { charset: 'us-ascii' },
      });
    }
  });
});

describe('parseMessage: multipart', () => {
  const mixed = crlf(
    'Content-Type: multipart/mixed; boundary="XX"',
    '',
    'preamble',
    '--XX',
    'Content-Type: text/plain',
    '',
    'one',
    '--XX',
    '',
    'two (no header)',
    '',
    '--XX--',
    'epilogue',
  );

  it('splits parts at delimiter lines; a part excludes the CRLF before the next delimiter', () => {
    const root = parseMessage(mixed);
    expect(root.contentType.type).toBe('multipart');
    expect(root.children).toHaveLength(2);
    const [one, two] = root.children as [MimePart, MimePart];
    expect(header(mixed, one)).toBe('Content-Type: text/plain\r\n\r\n');
    expect(body(mixed, one)).toBe('one');
    expect(header(mixed, two)).toBe('\r\n');
    expect(body(mixed, two)).toBe('two (no header)\r\n');
    expect(two.contentType).toEqual({ type: 'text', subtype: 'plain', params: { charset: 'us-ascii' } });
    expect(one.bodyLines).toBe(0);
    expect(two.bodyLines).toBe(1);
  });

  it(`honours a boundary of MAX_BOUNDARY_LENGTH (${MAX_BOUNDARY_LENGTH}) octets and makes a longer one a leaf`, () => {
    const multipart = (boundary: string): Buffer =>
      crlf(
        `Content-Type: multipart/mixed; boundary="${boundary}"`,
        '',
        `--${boundary}`,
        '',
        'a',
        `--${boundary}--`,
      );
    const longest = parseMessage(multipart('b'.repeat(MAX_BOUNDARY_LENGTH)));
    expect(longest.children).toHaveLength(1);
    const tooLong = multipart('b'.repeat(MAX_BOUNDARY_LENGTH + 1));
    const leaf = parseMessage(tooLong);
    expect(leaf.children).toEqual([]);
    expect(leaf.contentType).toEqual({ type: 'text', subtype: 'plain', params: { charset: 'us-ascii' } });
  });

  it('lets the last part run to the end when the close delimiter is missing', () => {
    const raw = crlf('Content-Type: multipart/mixed; boundary=b', '', '--b', '', 'a', '--b', '', 'last');
    const root = parseMessage(raw);
    expect(root.children.map((c) => body(raw, c))).toEqual(['a', 'last\r\n']);
  });

  it('serves a multipart whose boundary never occurs, or is missing, as one text part', () => {
    for (const ct of [
      'multipart/mixed; boundary=nothere',
      'multipart/mixed',
      'multipart/mixed; boundary=""',
    ]) {
      const raw = crlf(`Content-Type: ${ct}`, '', '--other', '', 'text');
      const root = parseMessage(raw);
      expect(root.children, ct).toEqual([]);
      expect(root.contentType, ct).toEqual({
        type: 'text',
        subtype: 'plain',
        params: { charset: 'us-ascii' },
      });
      expect(body(raw, root)).toBe('--other\r\n\r\ntext\r\n');
    }
  });

  it('does not mistake a longer, similar nested boundary for its own', () => {
    const raw = crlf(
      'Content-Type: multipart/mixed; boundary=b',
      '',
      '--b',
      'Content-Type: multipart/alternative; boundary=b_2',
      '',
      '--b_2',
      '',
      'inner 1',
      '--b_2',
      '',
      'inner 2',
      '--b_2--',
      '--b',
      '',
      'outer 2',
      '--b--',
    );
    const root = parseMessage(raw);
    expect(root.children).toHaveLength(2);
    expect(root.children[0]?.children.map((c) => body(raw, c))).toEqual(['inner 1', 'inner 2']);
    expect(body(raw, root.children[1] as MimePart)).toBe('outer 2');
  });

  it('accepts text after a delimiter on its line (RFC 2046 5.1.1 prefix rule) and LWSP padding', () => {
    const raw = crlf(
      'Content-Type: multipart/mixed; boundary=b',
      '',
      '--b  ',
      '',
      'a',
      '--b ignored text',
      '',
      'c',
      '--b--  trailing',
    );
    expect(parseMessage(raw).children.map((c) => body(raw, c))).toEqual(['a', 'c']);
  });

  it('defaults parts of multipart/digest to message/rfc822 (RFC 2046 5.1.5)', () => {
    const raw = crlf(
      'Content-Type: multipart/digest; boundary=d',
      '',
      '--d',
      '',
      'Subject: in digest',
      '',
      'x',
      '--d--',
    );
    const part = parseMessage(raw).children[0] as MimePart;
    expect(part.contentType).toEqual({ type: 'message', subtype: 'rfc822', params: {} });
    expect(part.message?.envelope?.subject).toBe('in digest');
  });

  it('parses message/rfc822 into an embedded message with offsets into the whole raw message', () => {
    const raw = crlf(
      'Content-Type: message/rfc822',
      '',
      'Subject: inner',
      'Content-Type: text/html',
      '',
      '<p>hi</p>',
    );
    const root = parseMessage(raw);
    const inner = root.message as MimePart;
    expect(inner.headerStart).toBe(root.bodyStart);
    expect(header(raw, inner)).toBe('Subject: inner\r\nContent-Type: text/html\r\n\r\n');
    expect(body(raw, inner)).toBe('<p>hi</p>\r\n');
    expect(inner.contentType.subtype).toBe('html');
    expect(root.bodyLines).toBe(4);
    expect(inner.envelope?.subject).toBe('inner');
  });
});

describe('parseMessage: limits', () => {
  function nested(depth: number): Buffer {
    const lines: string[] = [];
    for (let i = 0; i < depth; i++)
      lines.push(`Content-Type: multipart/mixed; boundary=b${i}`, '', `--b${i}`);
    lines.push('Content-Type: text/plain', '', 'deepest');
    for (let i = depth - 1; i >= 0; i--) lines.push(`--b${i}--`);
    return crlf(...lines);
  }

  it(`stops nesting at MAX_MIME_DEPTH (${MAX_MIME_DEPTH}) even for 10,000 levels, without an exception`, () => {
    const raw = nested(10_000);
    const root = parseMessage(raw);
    let deepest = 0;
    walk(root, (p, depth) => {
      deepest = Math.max(deepest, depth);
      expect(p.bodyEnd).toBeLessThanOrEqual(raw.length);
    });
    expect(deepest).toBe(MAX_MIME_DEPTH);
    let leaf = root;
    while (leaf.children[0] !== undefined) leaf = leaf.children[0];
    expect(leaf.contentType).toEqual({ type: 'text', subtype: 'plain', params: { charset: 'us-ascii' } });
    expect(leaf.bodyLines).toBeGreaterThan(0);
  });

  it('stops nesting of message/rfc822 at the same depth', () => {
    const raw = Buffer.from(
      'Content-Type: message/rfc822\r\n\r\n'.repeat(5_000) + 'Subject: end\r\n\r\nx\r\n',
    );
    let depth = 0;
    for (let p: MimePart | undefined = parseMessage(raw); p?.message !== undefined; p = p.message) depth++;
    expect(depth).toBe(MAX_MIME_DEPTH);
  });

  it(`caps a 50,000-part message at MAX_MIME_PARTS (${MAX_MIME_PARTS}) entities; the last part runs to the end`, () => {
    const parts = Array.from({ length: 50_000 }, (_, i) => `--b\r\n\r\npart ${i}\r\n`).join('');
    const raw = Buffer.from(`Content-Type: multipart/mixed; boundary=b\r\n\r\n${parts}--b--\r\n`);
    const root = parseMessage(raw);
    expect(root.children).toHaveLength(MAX_MIME_PARTS - 1);
    expect(body(raw, root.children[0] as MimePart)).toBe('part 0');
    const last = root.children[MAX_MIME_PARTS - 2] as MimePart;
    expect(last.bodyEnd).toBe(raw.length);
    expect(body(raw, last).startsWith(`part ${MAX_MIME_PARTS - 2}\r\n--b\r\n`)).toBe(true);
  });
});

describe('parseMessage: part budget across nesting', () => {
  it('never creates more than MAX_MIME_PARTS entities, however the parts nest', () => {
    const inner = Array.from({ length: 6_000 }, (_, i) => `--i\r\n\r\nin ${i}\r\n`).join('');
    const outer = Array.from({ length: 6_000 }, (_, i) => `--o\r\n\r\nout ${i}\r\n`).join('');
    const raw = Buffer.from(
      'Content-Type: multipart/mixed; boundary=o\r\n\r\n' +
        `--o\r\nContent-Type: multipart/mixed; boundary=i\r\n\r\n${inner}--i--\r\n` +
        `${outer}--o--\r\n`,
    );
    let count = 0;
    walk(parseMessage(raw), () => count++);
    expect(count).toBeLessThanOrEqual(MAX_MIME_PARTS);
  });
});
