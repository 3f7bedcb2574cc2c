import { describe, expect, it } from 'vitest';
import { fromHeaderDomain, stripReturnPath } from './message-prep.js';
import { lookupDestination, RouteError } from './mx-lookup.js';
import { missingRecord, staticResolver, type DnsResolver } from './resolver.js';
import { delayNoticeDue, nextAttemptAt, type RetrySchedule } from './retry-schedule.js';
import { originalHeaders } from './dsn.js';

const SCHEDULE: RetrySchedule = {
  delaysMs: [1000, 5000, 20_000],
  maxAgeMs: 60_000,
  delayNoticeAfterMs: 30_000,
};
const created = new Date(0);

describe('retry schedule', () => {
  it.each([
    [1, 1000],
    [2, 5000],
    [3, 20_000],
    [9, 20_000],
  ])('after %i failed attempts waits %i ms (growing, last step repeats)', (attempts, delay) => {
    const now = new Date(10_000);
    expect(nextAttemptAt(SCHEDULE, { attempts, createdAt: created }, now)?.getTime()).toBe(10_000 + delay);
  });

  it('gives up (null) once the entry is as old as the queue lifetime', () => {
    expect(nextAttemptAt(SCHEDULE, { attempts: 4, createdAt: created }, new Date(60_000))).toBeNull();
  });

  it('owes one delay notice after delayNoticeAfterMs, and none once sent', () => {
    expect(delayNoticeDue(SCHEDULE, { createdAt: created, delayNotified: false }, new Date(29_999))).toBe(
      false,
    );
    expect(delayNoticeDue(SCHEDULE, { createdAt: created, delayNotified: false }, new Date(30_000))).toBe(
      true,
    );
    expect(delayNoticeDue(SCHEDULE, { createdAt: created, delayNotified: true }, new Date(90_000))).toBe(
      false,
    );
  });
});

describe('message preparation', () => {
  it('strips only the first Return-Path field, folded lines included', () => {
    const raw = Buffer.from(
      'Return-Path: <a@b.test>\r\n (folded)\r\nReceived: x\r\nReturn-Path: kept\r\n\r\nbody\r\n',
    );
    expect(stripReturnPath(raw).toString()).toBe('Received: x\r\nReturn-Path: kept\r\n\r\nbody\r\n');
    const none = Buffer.from('Subject: x\r\n\r\n');
    expect(stripReturnPath(none)).toBe(none);
  });

  it.each([
    ['From: Alice <Alice@Example.COM>\r\n\r\n', 'example.com'],
    ['From: bob@plain.test\r\n\r\n', 'plain.test'],
    ['From: "Folded"\r\n <c@fold.test>\r\nSubject: x\r\n\r\n', 'fold.test'],
    ['Subject: no from\r\n\r\nFrom: body@not.test\r\n', null],
  ])('finds the From domain of %j', (text, domain) =>
    expect(fromHeaderDomain(Buffer.from(text))).toBe(domain),
  );

  it('returns only the header block to a DSN', () => {
    expect(originalHeaders(Buffer.from('A: 1\r\nB: 2\r\n\r\nsecret body\r\n')).toString()).toBe(
      'A: 1\r\nB: 2\r\n',
    );
    // 8-bit header bytes come back unchanged, not re-encoded.
    expect(originalHeaders(Buffer.from([0x53, 0x3a, 0x20, 0xe9, 0x0d, 0x0a]))).toEqual(
      Buffer.from([0x53, 0x3a, 0x20, 0xe9, 0x0d, 0x0a]),
    );
  });
});

describe('MX lookup (RFC 5321 5.1)', () => {
  const table = (
    mx: Record<string, Array<{ exchange: string; priority: number }>>,
    a: Record<string, string[]>,
  ): DnsResolver => ({
    resolveMx: (name) => (mx[name] ? Promise.resolve(mx[name]) : Promise.reject(missingRecord(name, 'MX'))),
    resolve4: (name) => (a[name] ? Promise.resolve(a[name]) : Promise.reject(missingRecord(name, 'A'))),
    resolve6: (name) => Promise.reject(missingRecord(name, 'AAAA')),
    resolveTxt: (name) => Promise.reject(missingRecord(name, 'TXT')),
  });

  it('orders MX hosts by preference and resolves each to addresses', async () => {
    const resolver = table(
      {
        'd.test': [
          { exchange: 'b.d.test', priority: 20 },
          { exchange: 'a.d.test', priority: 10 },
          { exchange: 'gone.d.test', priority: 30 },
        ],
      },
      { 'a.d.test': ['192.0.2.1'], 'b.d.test': ['192.0.2.2'] },
    );
    expect(await lookupDestination('d.test', resolver)).toEqual([
      { name: 'a.d.test', addresses: ['192.0.2.1'] },
      { name: 'b.d.test', addresses: ['192.0.2.2'] },
    ]);
  });

  it('uses an address literal as is, and the A record as an implicit MX', async () => {
    expect(await lookupDestination('[192.0.2.9]', staticResolver('127.0.0.1'))).toEqual([
      { name: '192.0.2.9', addresses: ['192.0.2.9'] },
    ]);
    expect(await lookupDestination('host.test', table({}, { 'host.test': ['192.0.2.3'] }))).toEqual([
      { name: 'host.test', addresses: ['192.0.2.3'] },
    ]);
  });

  it('fails permanently for a domain with nothing, temporarily when DNS itself fails', async () => {
    await expect(lookupDestination('void.test', table({}, {}))).rejects.toMatchObject({
      permanent: true,
      status: '5.1.2',
    });
    const failing: DnsResolver = {
      ...staticResolver('127.0.0.1'),
      resolveMx: () =>
        Promise.reject(Object.assign(new Error('queryMx ESERVFAIL d.test'), { code: 'ESERVFAIL' })),
    };
    const error = await lookupDestination('d.test', failing).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RouteError);
    expect(error).toMatchObject({ permanent: false, status: '4.4.3' });
  });
});
