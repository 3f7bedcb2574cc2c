/**
 * Certificates from a real ACME server (Debian's pebble) on loopback: issued through HTTP-01 answered
 * by a real HTTP listener and through TLS-ALPN-01; installed in files a TLS listener follows without
 * a restart; renewed at two thirds of the lifetime; a failed challenge (the validator sent to an
 * address where nothing listens) changes nothing and the old certificate keeps being served, and
 * the loop retries with backoff until the challenge passes again.
 */
import { X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import {
  AcmeChallengeResponder,
  answerAcmeHttp01,
  createTlsContextProvider,
  ensureDevCertificate,
  type TlsContextProvider,
} from '@minimail/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AcmeManager, type AcmeManagerOptions } from './manager.js';
import { renewalTime, retryDelayMs } from './schedule.js';
import { freePort, pebbleUnavailable, startPebble, type Pebble } from './testing/pebble.js';

describe('renewal arithmetic', () => {
  it('renews at two thirds of the lifetime', () => {
    expect(
      renewalTime(new Date('2026-01-01T00:00:00Z'), new Date('2026-04-01T00:00:00Z')).toISOString(),
    ).toBe('2026-03-02T00:00:00.000Z');
  });
  it.each([
    [1, 60_000],
    [2, 120_000],
    [5, 960_000],
    [20, 21_600_000],
  ])('retry %i waits %i ms', (failures, ms) => {
    expect(retryDelayMs(failures)).toBe(ms);
  });
});

const unavailable = pebbleUnavailable();
if (unavailable) console.warn(`SKIPPED: ACME against pebble: ${unavailable}`);

const HOST = 'mail.example.test';
const logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

describe.skipIf(unavailable !== null)('ACME against pebble', () => {
  let pebble: Pebble;
  let web: http.Server;
  let httpPort: number;
  let tlsPort: number;
  let dir: string;
  const responder = new AcmeChallengeResponder();

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'minimail-acme-'));
    httpPort = await freePort();
    tlsPort = await freePort();
    web = http.createServer((req, res) => {
      const answer = answerAcmeHttp01(responder, new URL(req.url ?? '/', 'http://x').pathname);
      if (!answer) return void res.writeHead(404).end();
      res.writeHead(answer.status, { 'content-type': answer.contentType }).end(answer.body);
    });
    await new Promise<void>((resolve) => web.listen(httpPort, '127.0.0.1', resolve));
    pebble = await startPebble({ httpPort, tlsPort });
  });
  afterAll(async () => {
    await pebble?.stop();
    await new Promise((resolve) => web?.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  function manager(sub: string, extra: Partial<AcmeManagerOptions> = {}): AcmeManager {
    return new AcmeManager({
      directoryUrl: pebble.directoryUrl,
      directoryCaPem: pebble.caPem,
      contact: 'postmaster@example.test',
      hostnames: [HOST],
      dir: path.join(dir, sub),
      challenge: 'http-01',
      responder,
      tlsAlpn: { port: tlsPort, host: '127.0.0.1' },
      logger,
      ...extra,
    });
  }

  /** The certificate a TLS listener presents to a client naming HOST, as PEM-less fingerprint. */
  async function served(port: number): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = tls.connect(
        { host: '127.0.0.1', port, servername: HOST, rejectUnauthorized: false },
        () => {
          resolve(socket.getPeerX509Certificate()!.fingerprint256);
          socket.destroy();
        },
      );
      socket.on('error', reject);
    });
  }

  it('issues by HTTP-01, renews at 2/3, and keeps the old certificate when a challenge fails', async () => {
    let now = Date.now();
    const acme = manager('http');
    // The listener starts on a placeholder, as `minimail serve` does before the first order.
    const placeholder = await ensureDevCertificate(path.join(dir, 'placeholder'), HOST);
    mkdirSync(acme.paths.dir, { recursive: true });
    writeFileSync(acme.paths.key, placeholder.key);
    writeFileSync(acme.paths.cert, placeholder.cert);
    let provider: TlsContextProvider | null = null;
    provider = await createTlsContextProvider({
      certPath: acme.paths.cert,
      keyPath: acme.paths.key,
      pollIntervalMs: 60_000,
      onError: () => undefined,
    });
    const listener = tls.createServer({ SNICallback: (_n, cb) => cb(null, provider!.current()) });
    listener.on('secureConnection', (s) => s.end());
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    const port = (listener.address() as import('node:net').AddressInfo).port;
    const fingerprint = (pem: string): string => new X509Certificate(pem).fingerprint256;
    expect(await served(port)).toBe(fingerprint(placeholder.cert));
    try {
      const reload = async (): Promise<void> => provider!.reload();
      const issuing = manager('http', { now: () => now, onCertificate: reload });

      expect(await issuing.renewIfDue()).toBe('issued');
      const first = readFileSync(issuing.paths.cert, 'utf8');
      const firstCert = new X509Certificate(first);
      expect(firstCert.subjectAltName).toBe(`DNS:${HOST}`);
      expect(firstCert.issuer).toMatch(/Pebble Intermediate CA/);
      for (const file of [
        issuing.paths.key,
        issuing.paths.cert,
        issuing.paths.accountKey,
        issuing.paths.issued,
      ]) {
        expect((statSync(file).mode & 0o777).toString(8), file).toBe('600');
      }
      expect((statSync(issuing.paths.dir).mode & 0o777).toString(8)).toBe('700');
      expect(await served(port)).toBe(fingerprint(first));
      expect(await issuing.renewIfDue()).toBe('current');

      // Two thirds of the lifetime later: renewed, and the listener serves the new one.
      const due = await issuing.dueAt();
      expect(due.getTime()).toBe(
        renewalTime(new Date(firstCert.validFrom), new Date(firstCert.validTo)).getTime(),
      );
      now = due.getTime() + 1000;
      expect(await issuing.renewIfDue()).toBe('issued');
      const second = readFileSync(issuing.paths.cert, 'utf8');
      expect(fingerprint(second)).not.toBe(fingerprint(first));
      expect(await served(port)).toBe(fingerprint(second));

      // The validator is sent to 127.0.0.2, where nothing listens: the order fails, no file changes.
      now = (await issuing.dueAt()).getTime() + 1000;
      await pebble.pointHost(HOST, '127.0.0.2');
      await expect(issuing.renewIfDue()).rejects.toThrow(/127\.0\.0\.2.*refused|refused.*127\.0\.0\.2/);
      expect(readFileSync(issuing.paths.cert, 'utf8')).toBe(second);
      expect(await served(port)).toBe(fingerprint(second));

      // The loop retries with backoff; once validation can reach us again, the renewal goes through.
      const looping = manager('http', {
        now: () => now,
        onCertificate: reload,
        retryMinMs: 200,
        retryMaxMs: 400,
      });
      looping.start();
      try {
        await waitUntil(() => looping.status().failures >= 2);
        expect(looping.status().lastError).toBeTruthy();
        expect(readFileSync(issuing.paths.cert, 'utf8')).toBe(second);
        await pebble.resetHost(HOST);
        await waitUntil(
          () => readFileSync(issuing.paths.cert, 'utf8') !== second && looping.status().failures === 0,
        );
        const third = readFileSync(issuing.paths.cert, 'utf8');
        expect(await served(port)).toBe(fingerprint(third));
      } finally {
        await looping.stop();
      }
    } finally {
      provider.close();
      await new Promise((resolve) => listener.close(resolve));
    }
  });

  it('issues by TLS-ALPN-01 (RFC 8737)', async () => {
    const acme = manager('alpn', { challenge: 'tls-alpn-01' });
    expect(await acme.renewIfDue()).toBe('issued');
    expect(new X509Certificate(readFileSync(acme.paths.cert)).subjectAltName).toBe(`DNS:${HOST}`);
    await acme.stop();
  });
});

async function waitUntil(condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
