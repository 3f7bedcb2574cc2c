import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDevCertificate } from '../dev-certificate.js';
import type { TlsFiles } from '../tls.js';

let cached: Promise<TlsFiles> | null = null;

/** One self-signed certificate per test file (RSA generation costs ~100 ms). */
export function devFiles(): Promise<TlsFiles> {
  cached ??= mkdtemp(join(tmpdir(), 'minimail-protocol-cert-')).then((dir) =>
    ensureDevCertificate(dir, 'mail.test'),
  );
  return cached;
}
