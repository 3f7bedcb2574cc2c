/**
 * MTA-STS (RFC 8461) and TLS-RPT (RFC 8460) with real servers on 127.0.0.1: an HTTPS stand-in
 * serves `mta-sts.remote.test`'s policy, a stand-in MX offers STARTTLS with a certificate for
 * `mx.remote.test` (or for the wrong name), and the resolver is a table (no DNS).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import pino from 'pino';
import { selfSignedPemPair } from '@minimail/protocol/testing';
import { openStore, type MailStore } from '@minimail/store';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startRemoteMx, type RemoteMx } from '../../test-support/remote-mx.js';
import { staticResolver } from '../resolver.js';
import { createRelayWorker, type RelayWorker } from '../worker.js';
import { mxMatches, parseStsPolicy, parseStsRecord, parseTlsRptRecord, StsPolicyError } from './index.js';

describe('MTA-STS records and policies (RFC 8461 3, 4.1)', () => {
  it.each([
    [[['v=STSv1; id=20260101T000000;']], '20260101T000000'],
    [[['v=STSv1;', ' id=abc123']], 'abc123'],
    [[['v=STSv1; id=abc'], ['v=STSv1; id=def']], null], // two records: none
    [[['v=spf1 -all']], null],
    [[['v=STSv1; id=not-alnum!']], null],
    [[['v=STSv1;']], null],
  ])('record %j -> %j', (txt, id) => {
    expect(parseStsRecord(txt)).toBe(id);
  });

  it('parses a policy, CRLF or LF, several mx lines, unknown keys ignored', () => {
    expect(
      parseStsPolicy(
        'version: STSv1\r\nmode: enforce\r\nmx: mx1.example.com\r\nmx: *.Example.net\r\nmax_age: 86400\r\nx: y\r\n',
      ),
    ).toEqual({
      mode: 'enforce',
      mx: ['mx1.example.com', '*.example.net'],
      maxAgeSeconds: 86400,
      lines: [
        'version: STSv1',
        'mode: enforce',
        'mx: mx1.example.com',
        'mx: *.Example.net',
        'max_age: 86400',
        'x: y',
      ],
    });
    expect(parseStsPolicy('version: STSv1\nmode: none\nmax_age: 999999999\n')).toMatchObject({
      mode: 'none',
      mx: [],
      maxAgeSeconds: 31_557_600,
    });
  });

  it.each([
    ['mode: enforce\nmx: a.example\nmax_age: 1\n', 'policy version is not STSv1'],
    [
      'version: STSv1\nmode: strict\nmx: a.example\nmax_age: 1\n',
      'policy mode is not enforce, testing or none: strict',
    ],
    ['version: STSv1\nmode: enforce\nmax_age: 1\n', 'policy names no mx'],
    ['version: STSv1\nmode: enforce\nmx: a.example\n', 'policy max_age is missing'],
    ['version: STSv1\nmode: enforce\nmx: a b\nmax_age: 1\n', 'policy mx pattern is not a host name: a b'],
    ['<html>', 'policy line without a colon: <html>'],
  ])('refuses %j', (text, message) => {
    expect(() => parseStsPolicy(text)).toThrow(new StsPolicyError(message));
  });

  it.each([
    ['mx.example.com', 'MX.example.com.', true],
    ['*.example.com', 'mx1.example.com', true],
    ['*.example.com', 'a.b.example.com', false],
    ['*.example.com', 'example.com', false],
    ['mx.example.com', 'mx.example.org', false],
  ])('pattern %s vs host %s -> %s', (pattern, host, matches) => {
    expect(mxMatches(pattern, host)).toBe(matches);
  });

  it('reads the mailto: addresses of a TLS-RPT record (RFC 8460 3)', () => {
    expect(
      parseTlsRptRecord([
        ['v=TLSRPTv1; rua=mailto:tls@example.com,https://r.example/x,mailto:b%40x@example.org'],
      ]),
    ).toEqual(['tls@example.com', 'b@x@example.org']);
    expect(parseTlsRptRecord([['v=spf1']])).toEqual([]);
  });
});

// ---- with servers -----------------------------------------------------------------------------

const HOSTNAME = 'relay.local.test';
const BODY = 'From: alice@local.test\r\nTo: bob@remote.test\r\nSubject: hi\r\n\r\nHi\r\n';

let mxCert: { key: string; cert: string };
let wrongCert: { key: string; cert: string };
let stsCert: { key: string; cert: string };
beforeAll(async () => {
  [mxCert, wrongCert, stsCert] = await Promise.all([
    selfSignedPemPair('mx.remote.test'),
    selfSignedPemPair('elsewhere.test'),
    selfSignedPemPair('mta-sts.remote.test'),
  ]);
});

let dir: string;
let store: MailStore;
let remote: RemoteMx | null = null;
let https: Server | null = null;
let fetches = 0;
const workers: RelayWorker[] = [];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'minimail-sts-'));
  store = openStore({ path: join(dir, 'minimail.sqlite') });
  fetches = 0;
});
afterEach(async () => {
  for (const w of workers.splice(0)) await w.stop();
  await remote?.close();
  remote = null;
  await new Promise<void>((resolve) => (https ? https.close(() => resolve()) : resolve()));
  https = null;
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The HTTPS stand-in for mta-sts.remote.test: serves `policy` (or the given status). */
async function policyServer(policy: string, status = 200): Promise<number> {
  https = createServer({ key: stsCert.key, cert: stsCert.cert }, (request, response) => {
    fetches += 1;
    if (request.url !== '/.well-known/mta-sts.txt' || status !== 200) {
      response.writeHead(status === 200 ? 404 : status).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'text/plain' }).end(policy);
  });
  await new Promise<void>((resolve) => https!.listen(0, '127.0.0.1', resolve));
  return (https.address() as AddressInfo).port;
}

const policyText = (mode: string, mx = 'mx.remote.test'): string =>
  `version: STSv1\r\nmode: ${mode}\r\nmx: ${mx}\r\nmax_age: 604800\r\n`;

function relay(mxPort: number, stsPort: number): RelayWorker {
  const worker = createRelayWorker({
    store,
    logger: pino({ level: 'silent' }),
    hostname: HOSTNAME,
    // MX of remote.test is mx.remote.test; every name is 127.0.0.1; the TXT records as published.
    resolver: staticResolver('127.0.0.1', {
      '_mta-sts.remote.test': [['v=STSv1; id=20261205;']],
      '_smtp._tls.remote.test': [['v=TLSRPTv1; rua=mailto:tlsrpt@remote.test']],
    }),
    mxPort,
    allowPrivateDestinations: true,
    retry: { delaysMs: [60_000], maxAgeMs: 600_000, delayNoticeAfterMs: 600_000 },
    mtaSts: { port: stsPort, ca: stsCert.cert },
    mxCa: [mxCert.cert, wrongCert.cert],
    tlsReporting: { organization: 'minimail test', contact: 'postmaster@relay.local.test' },
  });
  workers.push(worker);
  return worker;
}

async function queue(): Promise<void> {
  await store.deliver({
    raw: Buffer.from(BODY),
    targets: [],
    outbound: { sender: 'alice@local.test', recipients: ['bob@remote.test'] },
  });
}

/** The report queued for tlsrpt@remote.test, its JSON unzipped. */
async function queuedReport(): Promise<{ headers: string; json: Record<string, unknown> }> {
  const entries = (await store.listOutbound()).filter((e) => e.recipient === 'tlsrpt@remote.test');
  expect(entries.map((e) => e.sender)).toEqual(['']);
  const raw = (await store.readBody(entries[0]!.bodyHash)).toString('utf8');
  const attachment = /Content-Disposition: attachment;[^\r]*\r\n\r\n([A-Za-z0-9+/=\r\n]+?)\r\n\r\n--/.exec(
    raw,
  )?.[1];
  const json = JSON.parse(
    gunzipSync(Buffer.from(attachment!.replace(/\r\n/g, ''), 'base64')).toString('utf8'),
  );
  return { headers: raw.slice(0, raw.indexOf('\r\n\r\n')), json: json as Record<string, unknown> };
}

describe('relay under MTA-STS', () => {
  it('enforce: delivers over verified STARTTLS to a listed MX, fetches the policy once, reports the sessions', async () => {
    const stsPort = await policyServer(policyText('enforce'));
    remote = await startRemoteMx({ certificate: mxCert });
    const worker = relay(remote.port, stsPort);
    await queue();
    await queue();
    expect(await worker.runOnce()).toBe(2);
    expect(remote.received.map((m) => [m.to, m.secure])).toEqual([
      [['bob@remote.test'], true],
      [['bob@remote.test'], true],
    ]);
    await queue();
    expect(await worker.runOnce()).toBe(1);
    // Cached for max_age while the TXT id stays the same (RFC 8461 5.1).
    expect(fetches).toBe(1);
    expect(await worker.sendTlsReports(Date.UTC(2026, 11, 6))).toHaveLength(1);
    const { json } = await queuedReport();
    expect(json['policies']).toEqual([
      {
        policy: {
          'policy-type': 'sts',
          'policy-string': ['version: STSv1', 'mode: enforce', 'mx: mx.remote.test', 'max_age: 604800'],
          'mx-host': ['mx.remote.test'],
          'policy-domain': 'remote.test',
        },
        summary: { 'total-successful-session-count': 3, 'total-failure-session-count': 0 },
      },
    ]);
  });

  it('enforce: refuses a certificate for another name, defers, and reports certificate-host-mismatch', async () => {
    const stsPort = await policyServer(policyText('enforce'));
    remote = await startRemoteMx({ certificate: wrongCert });
    const worker = relay(remote.port, stsPort);
    await queue();
    await worker.runOnce();
    expect(remote.received).toEqual([]);
    const [entry] = await store.listOutbound();
    expect(entry).toMatchObject({ recipient: 'bob@remote.test', status: 'queued', attempts: 1 });
    const day = Date.UTC(2026, 11, 6);
    const ids = await worker.sendTlsReports(day);
    expect(ids).toHaveLength(1);
    const { headers, json } = await queuedReport();
    expect(headers).toContain('\r\nTo: tlsrpt@remote.test\r\n');
    expect(headers).toMatch(
      /\r\nSubject: Report Domain: remote\.test Submitter: relay\.local\.test Report-ID: <[^>]+>\r\n/,
    );
    expect(headers).toContain(
      '\r\nTLS-Report-Domain: remote.test\r\nTLS-Report-Submitter: relay.local.test\r\n',
    );
    expect(headers).toContain('Content-Type: multipart/report; report-type="tlsrpt"');
    expect(json).toMatchObject({
      'organization-name': 'minimail test',
      'contact-info': 'postmaster@relay.local.test',
      'date-range': { 'end-datetime': '2026-12-06T00:00:00Z' },
    });
    const [policy] = json['policies'] as Array<Record<string, unknown>>;
    expect(policy!['summary']).toEqual({
      'total-successful-session-count': 0,
      'total-failure-session-count': 1,
    });
    expect(policy!['failure-details']).toEqual([
      expect.objectContaining({
        'result-type': 'certificate-host-mismatch',
        'receiving-mx-hostname': 'mx.remote.test',
        'receiving-ip': '127.0.0.1',
        'failed-session-count': 1,
      }),
    ]);
    // A new period starts empty: nothing more to send.
    expect(await worker.sendTlsReports(day + 1)).toEqual([]);
  });

  it('enforce: an MX the policy does not list is never tried; the message waits', async () => {
    const stsPort = await policyServer(policyText('enforce', '*.elsewhere.test'));
    remote = await startRemoteMx({ certificate: mxCert });
    const worker = relay(remote.port, stsPort);
    await queue();
    await worker.runOnce();
    expect(remote.received).toEqual([]);
    const [entry] = await store.listOutbound();
    expect(entry).toMatchObject({
      status: 'queued',
      lastError: 'no MX host of remote.test matches its MTA-STS policy (enforce)',
    });
  });

  it('enforce: an MX without STARTTLS is refused and reported as starttls-not-supported', async () => {
    const stsPort = await policyServer(policyText('enforce'));
    remote = await startRemoteMx({ tls: false });
    const worker = relay(remote.port, stsPort);
    await queue();
    await worker.runOnce();
    expect(remote.received).toEqual([]);
    await worker.sendTlsReports();
    const [policy] = (await queuedReport()).json['policies'] as Array<Record<string, unknown>>;
    expect(policy!['failure-details']).toEqual([
      expect.objectContaining({ 'result-type': 'starttls-not-supported', 'failed-session-count': 1 }),
    ]);
  });

  it('testing: a bad certificate is reported, and the message is delivered all the same', async () => {
    const stsPort = await policyServer(policyText('testing'));
    remote = await startRemoteMx({ certificate: wrongCert });
    const worker = relay(remote.port, stsPort);
    await queue();
    await worker.runOnce();
    expect(remote.received.map((m) => m.to)).toEqual([['bob@remote.test']]);
    expect(await store.listOutbound()).toEqual([]);
    await worker.sendTlsReports();
    const [policy] = (await queuedReport()).json['policies'] as Array<Record<string, unknown>>;
    expect(policy!['failure-details']).toEqual([
      expect.objectContaining({
        'result-type': 'certificate-host-mismatch',
        'receiving-mx-hostname': 'mx.remote.test',
      }),
    ]);
  });

  it('a policy that cannot be fetched is no policy: delivered as before, reported as sts-policy-fetch-error', async () => {
    const stsPort = await policyServer('', 404);
    remote = await startRemoteMx({ certificate: wrongCert });
    const worker = relay(remote.port, stsPort);
    await queue();
    await worker.runOnce();
    expect(remote.received).toHaveLength(1);
    await worker.sendTlsReports();
    const [policy] = (await queuedReport()).json['policies'] as Array<Record<string, unknown>>;
    expect(policy!['policy']).toEqual({ 'policy-type': 'no-policy-found', 'policy-domain': 'remote.test' });
    expect(policy!['failure-details']).toEqual([
      {
        'result-type': 'sts-policy-fetch-error',
        'failed-session-count': 1,
        'failure-reason-code': 'mta-sts.remote.test answered HTTP 404',
      },
    ]);
  });
});
