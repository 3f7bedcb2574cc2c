/**
 * `MINIMAIL_ACME=on` for `minimail serve`: every listener's TLS follows `<data>/acme/{key,cert}.pem`
 * (packages/protocol's reloading provider), and the process that runs the http service also runs the
 * ACME manager, which answers HTTP-01 through that service (or TLS-ALPN-01 on its own port), writes
 * the files and asks the provider to reload. Other processes on the same data dir (docker-compose's
 * separate SMTP/IMAP/POP3 containers) pick the new files up by polling. Until the first certificate
 * arrives, the listeners serve a self-signed placeholder.
 */
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { AcmeManager, acmePaths } from '@minimail/acme';
import {
  AcmeChallengeResponder,
  createTlsContextProvider,
  ensureDevCertificate,
  type Logger,
  type TlsContextProvider,
} from '@minimail/protocol';
import type { Config } from './config.js';

export interface AcmeSetup {
  provider: TlsContextProvider;
  responder: AcmeChallengeResponder;
  /** Present in the process that orders certificates (the one running the http service). */
  manager: AcmeManager | null;
}

export async function setUpAcme(
  config: Config,
  logger: Logger,
  ordersCertificates: boolean,
): Promise<AcmeSetup> {
  const paths = acmePaths(path.join(config.dataDir, 'acme'));
  await mkdir(paths.dir, { recursive: true, mode: 0o700 });
  await chmod(paths.dir, 0o700);
  if (!existsSync(paths.cert) || !existsSync(paths.key)) {
    const placeholder = await ensureDevCertificate(config.dataDir, config.hostname);
    await writeFile(paths.key, placeholder.key, { mode: 0o600 });
    await writeFile(paths.cert, placeholder.cert, { mode: 0o600 });
    logger.warn('ACME: serving a self-signed placeholder until the first certificate is issued');
  }
  const provider = await createTlsContextProvider({
    certPath: paths.cert,
    keyPath: paths.key,
    onReload: () => logger.info({ cert: paths.cert }, 'TLS certificate reloaded'),
    onError: (err) =>
      logger.error({ err, cert: paths.cert }, 'TLS certificate reload failed; keeping the old one'),
  });
  const responder = new AcmeChallengeResponder();
  if (!ordersCertificates) return { provider, responder, manager: null };
  if (config.acmeChallenge === 'http-01' && config.ports.http !== 80) {
    logger.warn(
      { port: config.ports.http },
      'ACME http-01: the CA validates on port 80; forward port 80 to the HTTP service or set MINIMAIL_HTTP_PORT=80',
    );
  }
  const manager = new AcmeManager({
    directoryUrl: config.acmeDirectoryUrl,
    contact: config.acmeContact!,
    hostnames: config.acmeHostnames,
    dir: paths.dir,
    challenge: config.acmeChallenge,
    responder,
    tlsAlpn: { port: config.acmeTlsAlpnPort, host: config.bind },
    ...(config.acmeDirectoryCa ? { directoryCaPem: readFileSync(config.acmeDirectoryCa, 'utf8') } : {}),
    logger,
    onCertificate: () => provider.reload(),
  });
  return { provider, responder, manager };
}
