import { randomBytes, X509Certificate } from 'node:crypto';
import { link, mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import type { generate } from 'selfsigned';
import { assertKeyMatchesCertificate, TlsConfigError, type TlsFiles } from './tls.js';

/**
 * Apple platforms refuse TLS server certificates valid for more than 825 days, even self-signed
 * ones the user chose to trust, so Apple Mail would fail with a longer validity.
 */
const DEV_CERT_VALIDITY_DAYS = 825;
/** A certificate this close to expiry is replaced at start-up rather than left to fail later. */
const DEV_CERT_RENEW_BEFORE_DAYS = 30;
const DAY_MS = 86_400_000;
const require = createRequire(import.meta.url);

type SelfsignedOptions = NonNullable<Parameters<typeof generate>[1]>;
/**
 * SMTP, IMAP and POP3 containers may start together on one data volume. The loser of the race
 * waits this long for the winner to finish writing cert.pem.
 */
const CONCURRENT_CREATE_WAIT_MS = 15_000;
const CONCURRENT_CREATE_POLL_MS = 100;

/**
 * The dev profile's self-signed certificate: made once (RSA 2048, SAN for `hostname`, localhost,
 * 127.0.0.1 and ::1) and reused from `<dir>/tls/key.pem` (mode 0600) and `<dir>/tls/cert.pem`.
 *
 * Several processes may call this at once on a shared directory: key.pem is claimed with an
 * exclusive hard link, and cert.pem, renamed into place last, marks a finished pair.
 */
export async function ensureDevCertificate(dir: string, hostname: string): Promise<TlsFiles> {
  const tlsDir = join(dir, 'tls');
  const keyPath = join(tlsDir, 'key.pem');
  const certPath = join(tlsDir, 'cert.pem');
  await mkdir(tlsDir, { recursive: true, mode: 0o700 });

  const existing = await readPair(keyPath, certPath);
  if (existing && !expiresSoon(existing.cert)) {
    assertKeyMatchesCertificate(existing, certPath);
    return existing;
  }
  if (existing) {
    // Expiring: move the pair aside (kept for inspection) and make a new one below.
    await rename(certPath, `${certPath}.expired`);
    await rename(keyPath, `${keyPath}.expired`);
  }

  const generated = await generateDevCertificate(hostname);
  const suffix = `${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  const keyTmp = `${keyPath}.${suffix}`;
  const certTmp = `${certPath}.${suffix}`;
  await writeFile(keyTmp, generated.key, { mode: 0o600, flag: 'wx' });
  await writeFile(certTmp, generated.cert, { mode: 0o644, flag: 'wx' });
  try {
    await link(keyTmp, keyPath); // fails with EEXIST if another process got there first
  } catch (error) {
    await Promise.all([unlink(keyTmp), unlink(certTmp)]);
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return waitForPair(keyPath, certPath);
  }
  await unlink(keyTmp);
  await rename(certTmp, certPath);
  return generated;
}

/**
 * The generator's code, run in a worker thread: selfsigned with @peculiar/x509 and pkijs costs
 * ~10 MiB of resident memory (modules and the heap they leave behind) that a process loading it
 * itself would keep for its whole life, though it needs them once per data dir. A worker's
 * isolate, modules and heap go away when it exits. Plain CommonJS so that it runs as it is from
 * src/ under the tests and from dist/ alike.
 */
const GENERATOR_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
require(workerData.module)
  .generate(workerData.attributes, workerData.options)
  .then((pems) => parentPort.postMessage({ key: pems.private, cert: pems.cert }));
`;

async function generateDevCertificate(hostname: string): Promise<TlsFiles> {
  const now = Date.now();
  const attributes = [{ name: 'commonName', value: hostname }];
  const options = {
    keyType: 'rsa',
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate: new Date(now - DAY_MS), // tolerate clients whose clock runs a little behind
    notAfterDate: new Date(now + DEV_CERT_VALIDITY_DAYS * DAY_MS),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          ...[...new Set([hostname, 'localhost'])].map((value) => ({ type: 2 as const, value })),
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  } satisfies SelfsignedOptions;
  const worker = new Worker(GENERATOR_SOURCE, {
    eval: true,
    workerData: { module: require.resolve('selfsigned'), attributes, options },
  });
  return new Promise<TlsFiles>((resolve, reject) => {
    worker.once('message', (pems: TlsFiles) => resolve({ key: pems.key, cert: pems.cert }));
    worker.once('error', reject); // selfsigned failed: its error, cloned from the worker
    // After a message this is a no-op; without one it ends the wait instead of hanging start-up.
    worker.once('exit', (code) =>
      reject(new Error(`the certificate generator exited (code ${code}) without a certificate`)),
    );
  });
}

function expiresSoon(certPem: string): boolean {
  const validTo = Date.parse(new X509Certificate(certPem).validTo);
  return validTo - Date.now() < DEV_CERT_RENEW_BEFORE_DAYS * DAY_MS;
}

/** Both files, or null if either is missing. */
async function readPair(keyPath: string, certPath: string): Promise<TlsFiles | null> {
  try {
    // cert.pem first: it is written last, so if it exists the key is complete.
    const cert = await readFile(certPath, 'utf8');
    const key = await readFile(keyPath, 'utf8');
    return { key, cert };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

async function waitForPair(keyPath: string, certPath: string): Promise<TlsFiles> {
  const deadline = Date.now() + CONCURRENT_CREATE_WAIT_MS;
  while (Date.now() < deadline) {
    const pair = await readPair(keyPath, certPath);
    if (pair) {
      assertKeyMatchesCertificate(pair, certPath);
      return pair;
    }
    await sleep(CONCURRENT_CREATE_POLL_MS);
  }
  throw new TlsConfigError(
    `${keyPath} exists but ${certPath} never appeared; remove ${keyPath} to make a new certificate`,
  );
}
