import { X509Certificate } from 'node:crypto';
import { copyFile, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureDevCertificate } from './dev-certificate.js';
import { socketPair, type SocketPair } from './testing/socket-pair.js';
import {
  createServerSecureContext,
  createTlsContextProvider,
  loadTlsFiles,
  TlsConfigError,
  TlsHandshakeError,
  upgradeToTls,
  type TlsContextProvider,
} from './tls.js';

let dir: string;
let pair: SocketPair | null = null;
let provider: TlsContextProvider | null = null;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'minimail-protocol-tls-'));
});
afterEach(async () => {
  provider?.close();
  provider = null;
  await pair?.close();
  pair = null;
  await rm(dir, { recursive: true, force: true });
});

/** Handshake over a loopback pair; resolves with the certificate the client saw. */
async function handshake(context: tls.SecureContext, clientOptions: tls.ConnectionOptions = {}) {
  pair = await socketPair();
  const { server, client } = pair;
  const [secureServer, secureClient] = await Promise.all([
    upgradeToTls(server, context),
    new Promise<tls.TLSSocket>((resolve, reject) => {
      const socket = tls.connect({ socket: client, rejectUnauthorized: false, ...clientOptions }, () =>
        resolve(socket),
      );
      socket.once('error', reject);
    }),
  ]);
  const result = { peer: secureClient.getPeerX509Certificate(), protocol: secureClient.getProtocol() };
  secureClient.destroy();
  secureServer.destroy();
  return result;
}

describe('ensureDevCertificate', () => {
  it('makes an RSA 2048 certificate for the hostname, localhost and loopback, with a private key file', async () => {
    const files = await ensureDevCertificate(dir, 'mail.example.test');
    const cert = new X509Certificate(files.cert);
    expect(cert.subject).toBe('CN=mail.example.test');
    expect(cert.subjectAltName).toBe(
      'DNS:mail.example.test, DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1',
    );
    expect(cert.publicKey.asymmetricKeyType).toBe('rsa');
    expect(cert.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect((await stat(join(dir, 'tls', 'key.pem'))).mode & 0o777).toBe(0o600);
    expect(await readFile(join(dir, 'tls', 'cert.pem'), 'utf8')).toBe(files.cert);
    // Made in a worker thread: selfsigned's modules never enter this process's module cache.
    const loaded = Object.keys(createRequire(import.meta.url).cache);
    expect(loaded.filter((file) => file.includes('/selfsigned/'))).toStrictEqual([]);
  });

  it('reuses the stored certificate, also when several callers race to create it', async () => {
    const [a, b, c] = await Promise.all([
      ensureDevCertificate(dir, 'mail.example.test'),
      ensureDevCertificate(dir, 'mail.example.test'),
      ensureDevCertificate(dir, 'mail.example.test'),
    ]);
    expect(b).toEqual(a);
    expect(c).toEqual(a);
    expect(await ensureDevCertificate(dir, 'mail.example.test')).toEqual(a);
  });

  it('serves TLS 1.2 or later and refuses older clients', async () => {
    const context = createServerSecureContext(await ensureDevCertificate(dir, 'mail.example.test'));
    const { protocol } = await handshake(context);
    expect(protocol).toMatch(/^TLSv1\.[23]$/);
    await pair?.close();
    pair = null;
    await expect(handshake(context, { maxVersion: 'TLSv1.1', minVersion: 'TLSv1' })).rejects.toThrow();
  });
});

describe('loadTlsFiles', () => {
  it('loads a matching pair and refuses a key from another certificate', async () => {
    const first = await ensureDevCertificate(join(dir, 'a'), 'a.test');
    await ensureDevCertificate(join(dir, 'b'), 'b.test');
    expect(await loadTlsFiles(join(dir, 'a/tls/cert.pem'), join(dir, 'a/tls/key.pem'))).toEqual(first);
    await expect(
      loadTlsFiles(join(dir, 'a/tls/cert.pem'), join(dir, 'b/tls/key.pem')),
    ).rejects.toBeInstanceOf(TlsConfigError);
  });
});

describe('createTlsContextProvider', () => {
  it('picks up renewed certificate files without a restart', async () => {
    await ensureDevCertificate(join(dir, 'a'), 'first.test');
    await ensureDevCertificate(join(dir, 'b'), 'second.test');
    const certPath = join(dir, 'cert.pem');
    const keyPath = join(dir, 'key.pem');
    await copyFile(join(dir, 'a/tls/cert.pem'), certPath);
    await copyFile(join(dir, 'a/tls/key.pem'), keyPath);
    let markReloaded: () => void = () => {};
    const reloaded = new Promise<void>((resolve) => (markReloaded = resolve));
    provider = await createTlsContextProvider({
      certPath,
      keyPath,
      pollIntervalMs: 20,
      onReload: () => markReloaded(),
      onError: () => {}, // the half-renewed state (new cert, old key) is expected here
    });
    expect((await handshake(provider.current())).peer?.subject).toBe('CN=first.test');
    const firstCert = provider.files().cert;
    const seenBySubscriber: string[] = [];
    provider.subscribe((files) => seenBySubscriber.push(files.cert));
    await pair?.close();
    pair = null;

    // Renewal writes the certificate and the key one after the other, like certbot.
    await new Promise((resolve) => setTimeout(resolve, 30)); // a different mtime
    await copyFile(join(dir, 'b/tls/cert.pem'), certPath);
    await copyFile(join(dir, 'b/tls/key.pem'), keyPath);
    await reloaded;
    await new Promise((resolve) => setTimeout(resolve, 100)); // both files seen
    expect((await handshake(provider.current())).peer?.subject).toBe('CN=second.test');
    // Subscribers (smtp-server's updateSecureContext) get the new pair; files() follows too.
    expect(provider.files().cert).not.toBe(firstCert);
    expect(seenBySubscriber.at(-1)).toBe(provider.files().cert);
  });

  it('fails at start-up for missing files', async () => {
    await expect(
      createTlsContextProvider({
        certPath: join(dir, 'nope.pem'),
        keyPath: join(dir, 'nope.key'),
        onError: () => {},
      }),
    ).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('upgradeToTls', () => {
  it('gives up on a client that never starts the handshake', async () => {
    const context = createServerSecureContext(await ensureDevCertificate(dir, 'mail.example.test'));
    pair = await socketPair();
    const closed = new Promise((resolve) => pair!.client.once('close', resolve));
    await expect(upgradeToTls(pair.server, context, { handshakeTimeoutMs: 100 })).rejects.toBeInstanceOf(
      TlsHandshakeError,
    );
    pair.client.resume();
    await closed;
  });

  it('rejects when the client speaks plaintext instead of TLS', async () => {
    const context = createServerSecureContext(await ensureDevCertificate(dir, 'mail.example.test'));
    pair = await socketPair();
    const upgrade = upgradeToTls(pair.server, context);
    pair.client.write('EHLO not-tls\r\n');
    await expect(upgrade).rejects.toMatchObject({ code: 'TLS_HANDSHAKE' });
    expect(pair.server.destroyed).toBe(true);
  });
});
