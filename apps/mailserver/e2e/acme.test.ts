/**
 * Issue 18, certificates: `minimail serve` with MINIMAIL_ACME=on against Debian's pebble on loopback.
 * The HTTP service answers HTTP-01, the certificate lands in the data dir (0600), the IMAPS listener
 * serves it without a restart, and it is renewed at two thirds of its (here 30-second) lifetime.
 * Renewal arithmetic, TLS-ALPN-01 and a failed challenge are tested in packages/acme.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pebbleUnavailable, startPebble, type Pebble } from '@minimail/acme/testing';
import { cliEnv, freePort, startServer, tempDataDir, type RunningServer } from './support.js';

const unavailable = pebbleUnavailable();
if (unavailable) console.warn(`SKIPPED: minimail serve with ACME: ${unavailable}`);

const HOST = 'mail.example.test';

function servedCertificate(port: number): Promise<X509Certificate> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect(
      { host: '127.0.0.1', port, servername: HOST, rejectUnauthorized: false },
      () => {
        resolve(socket.getPeerX509Certificate()!);
        socket.destroy();
      },
    );
    socket.on('error', reject);
  });
}

describe.skipIf(unavailable !== null)('minimail serve with MINIMAIL_ACME=on', () => {
  let pebble: Pebble;
  let data: ReturnType<typeof tempDataDir>;
  let server: RunningServer | undefined;
  let imapsPort: number;

  beforeAll(async () => {
    const httpPort = await freePort();
    imapsPort = await freePort();
    pebble = await startPebble({ httpPort, tlsPort: await freePort(), validitySeconds: 30 });
    data = tempDataDir();
    const caFile = path.join(data.dir, 'pebble-ca.pem');
    writeFileSync(caFile, pebble.caPem);
    server = await startServer(
      [],
      cliEnv(data.dir, {
        MINIMAIL_PROFILE: 'production',
        MINIMAIL_BIND: '127.0.0.1',
        MINIMAIL_HOSTNAME: HOST,
        MINIMAIL_INBOUND_CHECKS: 'off',
        MINIMAIL_HTTP_PORT: String(httpPort),
        MINIMAIL_IMAPS_PORT: String(imapsPort),
        MINIMAIL_ACME: 'on',
        MINIMAIL_ACME_CONTACT: 'postmaster@example.test',
        MINIMAIL_ACME_DIRECTORY_URL: pebble.directoryUrl,
        MINIMAIL_ACME_DIRECTORY_CA: caFile,
      }),
    );
  });
  afterAll(async () => {
    await server?.stop();
    await pebble?.stop();
    data?.cleanup();
  });

  it('is issued through the HTTP service, served by IMAPS at once, and renewed at 2/3 of its life', async () => {
    await server!.waitFor(/ACME: certificate issued and installed/, 30_000);
    const acmeDir = path.join(data.dir, 'acme');
    const onDisk = new X509Certificate(readFileSync(path.join(acmeDir, 'cert.pem')));
    expect(onDisk.issuer).toMatch(/Pebble Intermediate CA/);
    expect(onDisk.subjectAltName).toBe(`DNS:${HOST}`);
    for (const file of ['cert.pem', 'key.pem', 'account.key', 'issued.json']) {
      expect((statSync(path.join(acmeDir, file)).mode & 0o777).toString(8), file).toBe('600');
    }
    expect((statSync(acmeDir).mode & 0o777).toString(8)).toBe('700');
    await server!.waitFor(/TLS certificate reloaded/);
    expect((await servedCertificate(imapsPort)).fingerprint256).toBe(onDisk.fingerprint256);

    // Two thirds of 30 seconds later, the renewal: a second issuance, served without a restart.
    const renewedAfter = server!.output().length;
    await waitFor(
      () =>
        (
          server!
            .output()
            .slice(renewedAfter)
            .match(/certificate issued and installed/g) ?? []
        ).length >= 1,
      60_000,
    );
    await waitFor(() => /TLS certificate reloaded/.test(server!.output().slice(renewedAfter)), 10_000);
    const renewed = new X509Certificate(readFileSync(path.join(acmeDir, 'cert.pem')));
    expect(renewed.fingerprint256).not.toBe(onDisk.fingerprint256);
    expect((await servedCertificate(imapsPort)).fingerprint256).toBe(renewed.fingerprint256);
    expect(server!.child.exitCode).toBeNull();
  });
});

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}
