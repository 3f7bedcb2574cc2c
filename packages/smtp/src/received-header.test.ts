import { describe, expect, it } from 'vitest';
import { receivedHeader, returnPathHeader, rfc5322Date, transmissionType } from './received-header.js';

const base = {
  heloName: 'client.example',
  remoteAddress: '192.0.2.7',
  hostname: 'mx.example.com',
  esmtp: true,
  secure: false,
  authenticated: false,
  id: 'abc123',
  singleRecipient: 'bob@example.com',
  date: new Date(Date.UTC(2026, 10, 24, 23, 40, 5)),
};

describe('receivedHeader (RFC 5321 4.4)', () => {
  it('names helo, ip literal, our host, protocol, id, single recipient and date', () => {
    expect(receivedHeader(base)).toBe(
      'Received: from client.example ([192.0.2.7])\r\n' +
        '\tby mx.example.com with ESMTP id abc123\r\n' +
        '\tfor <bob@example.com>; Tue, 24 Nov 2026 23:40:05 +0000\r\n',
    );
  });

  it('leaves out "for" when there are several recipients', () => {
    expect(receivedHeader({ ...base, singleRecipient: null })).toBe(
      'Received: from client.example ([192.0.2.7])\r\n' +
        '\tby mx.example.com with ESMTP id abc123; Tue, 24 Nov 2026 23:40:05 +0000\r\n',
    );
  });

  it('tags IPv6 literals and strips anything a client could use to inject a header', () => {
    const header = receivedHeader({ ...base, remoteAddress: '::1', heloName: 'evil\r\nX-Injected: yes' });
    expect(header.startsWith('Received: from evilX-Injected:yes ([IPv6:::1])\r\n')).toBe(true);
    expect(receivedHeader({ ...base, heloName: '' })).toContain('from unknown (');
  });
});

describe('transmissionType (RFC 3848)', () => {
  it.each([
    [{ esmtp: false, secure: false, authenticated: false }, 'SMTP'],
    [{ esmtp: true, secure: false, authenticated: false }, 'ESMTP'],
    [{ esmtp: true, secure: true, authenticated: false }, 'ESMTPS'],
    [{ esmtp: true, secure: false, authenticated: true }, 'ESMTPA'],
    [{ esmtp: true, secure: true, authenticated: true }, 'ESMTPSA'],
  ])('%j -> %s', (info, expected) => {
    expect(transmissionType(info)).toBe(expected);
  });
});

describe('small headers', () => {
  it('formats dates per RFC 5322 3.3 and Return-Path per RFC 5321 4.4', () => {
    expect(rfc5322Date(new Date(Date.UTC(2024, 0, 5, 3, 4, 9)))).toBe('Fri, 05 Jan 2024 03:04:09 +0000');
    expect(returnPathHeader('a@b.test')).toBe('Return-Path: <a@b.test>\r\n');
    expect(returnPathHeader('')).toBe('Return-Path: <>\r\n');
  });

  it('formats each second anew, also when it reuses the text within one second', () => {
    const second = Date.UTC(2024, 0, 5, 3, 4, 9);
    expect(rfc5322Date(new Date(second))).toBe('Fri, 05 Jan 2024 03:04:09 +0000');
    expect(rfc5322Date(new Date(second + 999))).toBe('Fri, 05 Jan 2024 03:04:09 +0000');
    expect(rfc5322Date(new Date(second + 1000))).toBe('Fri, 05 Jan 2024 03:04:10 +0000');
    expect(rfc5322Date(new Date(second - 1))).toBe('Fri, 05 Jan 2024 03:04:08 +0000');
    expect(rfc5322Date(new Date(Number.NaN))).toBe('Invalid Date');
  });
});
