import { describe, expect, it } from 'vitest';
import { recordBodyPreview, TranscriptBook, transcriptText } from './recording.js';

describe('TranscriptBook (issue 16: recorded conversations)', () => {
  it('records both sides with timestamps, masks credentials, marks TLS and links messages', () => {
    const book = new TranscriptBook();
    const before = Date.now();
    const pop = book.open({ id: 'p1', protocol: 'pop3', remoteIp: '127.0.0.1' });
    pop.server('+OK ready');
    pop.client('STLS');
    pop.server('+OK begin TLS');
    pop.tls();
    pop.client('USER bob@dev.test');
    pop.server('+OK');
    pop.client('PASS hunter2');
    pop.server('+OK logged in');
    pop.user('bob@dev.test');
    pop.client('RETR 1');
    pop.link(7, 3, 'read');
    pop.server('+OK 120 octets');
    recordBodyPreview(
      pop,
      'S',
      Buffer.from('Subject: hi\r\nFrom: a@b\r\n\r\nline 1\r\nline 2\r\nline 3\r\n'),
    );
    pop.close();

    const record = book.get('p1')!;
    expect(record.lines.map((l) => `${l.dir} ${l.text}`)).toEqual([
      'S +OK ready',
      'C STLS',
      'S +OK begin TLS',
      '- [TLS started: what follows is encrypted on the wire]',
      'C USER bob@dev.test',
      'S +OK',
      'C PASS ***',
      'S +OK logged in',
      'C RETR 1',
      'S +OK 120 octets',
      'S Subject: hi',
      'S From: a@b',
      'S ',
      'S line 1',
      '- [message body, 50 octets; 16 more octets not shown]',
    ]);
    expect(record.lines.every((l) => l.at >= before && l.at <= Date.now())).toBe(true);
    expect(record.tls).toBe(true);
    expect(record.user).toBe('bob@dev.test');
    expect(record.endedAt).not.toBeNull();
    expect(record.links).toEqual([{ mailboxId: 7, uid: 3, action: 'read', line: 9 }]);
    expect(JSON.stringify(record)).not.toContain('hunter2');
    expect(transcriptText(record)).toMatch(/^\d\d:\d\d:\d\d\.\d{3} C: PASS \*\*\*$/m);
  });

  it('masks SASL exchanges: the initial response and every answer to a continuation', () => {
    const book = new TranscriptBook();
    const smtp = book.open({ id: 's1', protocol: 'submission', remoteIp: '::1' });
    smtp.client('AUTH LOGIN');
    smtp.server('334 VXNlcm5hbWU6');
    smtp.client('Ym9i');
    smtp.server('334 UGFzc3dvcmQ6');
    smtp.client('c2VjcmV0');
    smtp.server('235 2.7.0 Authentication successful');
    smtp.client('AUTH PLAIN AGJvYgBzZWNyZXQ=');
    expect(
      book
        .get('s1')!
        .lines.filter((l) => l.dir === 'C')
        .map((l) => l.text),
    ).toEqual(['AUTH LOGIN', '***', '***', 'AUTH PLAIN ***']);
  });

  it('follows a message through MOVE to the sessions that touched its earlier copy', () => {
    const book = new TranscriptBook();
    const smtp = book.open({ id: 'a', protocol: 'smtp', remoteIp: '127.0.0.1' });
    smtp.link(1, 5, 'delivered');
    const imap = book.open({ id: 'b', protocol: 'imap', remoteIp: '127.0.0.1' });
    imap.link(1, 5, 'moved', { mailboxId: 2, uid: 1 });
    book.open({ id: 'c', protocol: 'pop3', remoteIp: '127.0.0.1' }).link(9, 9, 'read');
    expect(book.journey([{ mailboxId: 2, uid: 1 }]).map((step) => step.session.id)).toEqual(['a', 'b']);
  });

  it('stays within its bounds under a flood: count and bytes, the oldest dropped first', () => {
    const book = new TranscriptBook({ maxSessions: 50, maxBytes: 64 * 1024, maxLinesPerSession: 100 });
    for (let i = 0; i < 1_000; i += 1) {
      const session = book.open({ id: `s${i}`, protocol: 'smtp', remoteIp: '127.0.0.1' });
      for (let line = 0; line < 150; line += 1) session.client(`NOOP ${'x'.repeat(i % 7 === 0 ? 900 : 10)}`);
      session.close();
      expect(book.size).toBeLessThanOrEqual(50);
      expect(book.bytes).toBeLessThanOrEqual(64 * 1024);
    }
    // The newest are kept, the oldest gone; a long session keeps 100 lines and counts the rest.
    expect(book.get('s999')).not.toBeNull();
    expect(book.get('s0')).toBeNull();
    expect(book.get('s999')!.lines).toHaveLength(100);
    expect(book.get('s999')!.droppedLines).toBe(50);
    expect(book.droppedSessions).toBe(1_000 - book.size);
    const listed = book.list();
    expect(listed[0]!.id).toBe('s999');
    expect(listed.reduce((sum, s) => sum + s.bytes, 0)).toBe(book.bytes);
  });

  it('a live session the bounds dropped holds none of its later lines (issue 20: 10,000 IDLE sessions)', () => {
    const book = new TranscriptBook({ maxSessions: 2, maxBytes: 1024 * 1024, maxLinesPerSession: 100 });
    const first = book.open({ id: 'first', protocol: 'imap', remoteIp: '127.0.0.1' });
    first.client('a LOGIN alice secret');
    first.server('a OK Logged in');
    book.open({ id: 'second', protocol: 'imap', remoteIp: '127.0.0.1' });
    book.open({ id: 'third', protocol: 'imap', remoteIp: '127.0.0.1' });
    expect(book.get('first')).toBeNull();
    // The first session is still connected: it goes on counting, but keeps nothing.
    for (let i = 0; i < 10; i += 1) first.server(`* ${i} EXISTS`);
    expect(first.record.lines).toEqual([]);
    expect(first.record.links).toEqual([]);
    expect(first.record.lineCount).toBe(12);
    expect(book.get('third')!.lines).toEqual([]);
    expect(book.list().map((s) => s.id)).toEqual(['third', 'second']);
  });

  it('filters by protocol, address and client IP, newest first', () => {
    const book = new TranscriptBook();
    book.open({ id: '1', protocol: 'smtp', remoteIp: '10.0.0.1' }).address('Alice@Dev.test');
    book.open({ id: '2', protocol: 'imap', remoteIp: '10.0.0.2' }).user('bob@dev.test');
    book.open({ id: '3', protocol: 'smtp', remoteIp: '10.0.0.2' });
    expect(book.list({ protocol: 'smtp' }).map((s) => s.id)).toEqual(['3', '1']);
    expect(book.list({ address: 'alice@' }).map((s) => s.id)).toEqual(['1']);
    expect(book.list({ remoteIp: '10.0.0.2' }).map((s) => s.id)).toEqual(['3', '2']);
  });

  it('pushes session and line events to subscribers', () => {
    const book = new TranscriptBook();
    const seen: string[] = [];
    const stop = book.subscribe((event) =>
      seen.push(
        event.kind === 'session'
          ? `session ${event.session.id} ${event.session.endedAt === null ? 'open' : 'ended'}`
          : `line ${event.index} ${event.line.text}`,
      ),
    );
    const s = book.open({ id: 'x', protocol: 'pop3', remoteIp: '127.0.0.1' });
    s.server('+OK');
    s.close();
    stop();
    s.server('late');
    expect(seen).toEqual(['session x open', 'line 0 +OK', 'session x ended']);
  });
});
