import { X509Certificate, createPrivateKey } from 'node:crypto';
import { watchFile, unwatchFile } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Socket } from 'node:net';
import tls from 'node:tls';
import { LIMITS } from './limits.js';
import { closeAfterEnd } from './socket-end.js';

/** PEM text of a certificate (chain) and its private key. */
export interface TlsFiles {
  key: string;
  cert: string;
}

/** A fixed context, or a function giving the current one (see createTlsContextProvider). */
export type SecureContextSource = tls.SecureContext | (() => tls.SecureContext);

/** TLS 1.0 and 1.1 are deprecated by RFC 8996; RFC 8314 4.1 asks mail servers for 1.2 or later. */
export const MIN_TLS_VERSION = 'TLSv1.2' as const;

/**
 * What a server offers (issue 11). TLS 1.2: forward-secret AEAD suites only, ECDHE with AES-GCM or
 * ChaCha20-Poly1305 (RFC 9325 4.2); no CBC, no static-RSA key exchange, no finite-field DHE.
 * TLS 1.3: OpenSSL's own three suites, named so that setting the 1.2 list keeps them on.
 */
export const SERVER_CIPHERS = [
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'TLS_AES_128_GCM_SHA256',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');

export class TlsConfigError extends Error {
  readonly code = 'TLS_CONFIG' as const;
  constructor(message: string, options?: { cause: unknown }) {
    super(message, options);
    this.name = 'TlsConfigError';
  }
}

export class TlsHandshakeError extends Error {
  readonly code = 'TLS_HANDSHAKE' as const;
  constructor(message: string, options?: { cause: unknown }) {
    super(message, options);
    this.name = 'TlsHandshakeError';
  }
}

/** Throws TlsConfigError unless `key` is the private key of the first certificate in `cert`. */
export function assertKeyMatchesCertificate(files: TlsFiles, label = 'certificate'): void {
  let matches: boolean;
  try {
    matches = new X509Certificate(files.cert).checkPrivateKey(createPrivateKey(files.key));
  } catch (error) {
    throw new TlsConfigError(`${label}: cannot parse certificate or key`, { cause: error });
  }
  if (!matches) throw new TlsConfigError(`${label}: the private key does not belong to the certificate`);
}

/** Read a PEM certificate (chain) and key, checking that they belong together. */
export async function loadTlsFiles(certPath: string, keyPath: string): Promise<TlsFiles> {
  const [cert, key] = await Promise.all([readFile(certPath, 'utf8'), readFile(keyPath, 'utf8')]);
  const files = { cert, key };
  assertKeyMatchesCertificate(files, certPath);
  return files;
}

/** A server SecureContext with our protocol floor. */
export function createServerSecureContext(files: TlsFiles): tls.SecureContext {
  return tls.createSecureContext({
    key: files.key,
    cert: files.cert,
    minVersion: MIN_TLS_VERSION,
    ciphers: SERVER_CIPHERS,
  });
}

export interface TlsContextProviderOptions {
  certPath: string;
  keyPath: string;
  /** How often the files are checked for changes. Defaults to LIMITS.tlsReloadPollMs. */
  pollIntervalMs?: number;
  /** Called after a changed certificate was loaded. */
  onReload?: (files: TlsFiles) => void;
  /**
   * Called when changed files could not be loaded (e.g. certbot wrote the cert but not yet the
   * key). The previous context stays in use; the next change is tried again.
   */
  onError: (error: Error) => void;
}

export interface TlsContextProvider {
  /** The context new connections should use. */
  readonly current: () => tls.SecureContext;
  /** The PEM files behind `current` (for servers that build their own contexts, like smtp-server). */
  readonly files: () => TlsFiles;
  /**
   * Calls `listener` after each successful reload, until the returned function is called. Lets a
   * server that caches its context (smtp-server's updateSecureContext) follow renewals.
   */
  subscribe(listener: (files: TlsFiles) => void): () => void;
  /** Load the files now (e.g. on SIGHUP). Rejects and keeps the old context if they are bad. */
  reload(): Promise<void>;
  /** Stop watching the files. */
  close(): void;
}

/**
 * A SecureContext that follows certificate files on disk, so renewed production certificates are
 * used by new connections without a restart. Fails at start-up if the files are bad.
 */
export async function createTlsContextProvider(
  options: TlsContextProviderOptions,
): Promise<TlsContextProvider> {
  let files = await loadTlsFiles(options.certPath, options.keyPath);
  let context = createServerSecureContext(files);
  const listeners = new Set<(files: TlsFiles) => void>();
  const reload = async (): Promise<void> => {
    const loaded = await loadTlsFiles(options.certPath, options.keyPath);
    context = createServerSecureContext(loaded);
    files = loaded;
    options.onReload?.(loaded);
    for (const listener of listeners) listener(loaded);
  };
  const onChange = (current: { mtimeMs: number }, previous: { mtimeMs: number }): void => {
    if (current.mtimeMs === previous.mtimeMs) return;
    reload().catch((error: unknown) => {
      options.onError(error instanceof Error ? error : new Error(String(error)));
    });
  };
  const interval = options.pollIntervalMs ?? LIMITS.tlsReloadPollMs;
  // fs.watchFile polls stat(), which also works on network and container volumes where inotify
  // does not; persistent: false keeps the watcher from holding the process open.
  for (const path of [options.certPath, options.keyPath]) {
    watchFile(path, { interval, persistent: false }, onChange);
  }
  return {
    current: () => context,
    files: () => files,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    reload,
    close: () => {
      unwatchFile(options.certPath, onChange);
      unwatchFile(options.keyPath, onChange);
    },
  };
}

/** What a server is given for TLS: fixed PEM text, or a provider that follows files on disk. */
export type TlsSource = { key: string | Buffer; cert: string | Buffer } | TlsContextProvider;

export function isTlsContextProvider(source: TlsSource): source is TlsContextProvider {
  return typeof (source as Partial<TlsContextProvider>).current === 'function';
}

/** A SecureContextSource for the hand-written servers: reloads are seen by the next handshake. */
export function secureContextSourceOf(source: TlsSource): SecureContextSource {
  if (isTlsContextProvider(source)) return source.current;
  return createServerSecureContext({ key: pemText(source.key), cert: pemText(source.cert) });
}

function pemText(pem: string | Buffer): string {
  return typeof pem === 'string' ? pem : pem.toString('utf8');
}

export function resolveSecureContext(source: SecureContextSource): tls.SecureContext {
  return typeof source === 'function' ? source() : source;
}

export interface UpgradeOptions {
  /** Defaults to LIMITS.tlsHandshakeTimeoutMs. */
  handshakeTimeoutMs?: number;
  /** Defaults to LIMITS.closeLingerMs (socket-end.ts). */
  closeLingerMs?: number;
}

/**
 * Server side of a TLS handshake on an accepted socket: implicit TLS (993/995/465) or after
 * STARTTLS/STLS. Resolves with the encrypted socket once the handshake is done; on failure or
 * timeout the socket is destroyed and the promise rejects with TlsHandshakeError.
 *
 * For STARTTLS, detach the LineReader from `socket` before writing the "go ahead" reply, so the
 * client's ClientHello is read by TLS and not by the reader.
 */
export function upgradeToTls(
  socket: Socket,
  source: SecureContextSource,
  options: UpgradeOptions = {},
): Promise<tls.TLSSocket> {
  const timeoutMs = options.handshakeTimeoutMs ?? LIMITS.tlsHandshakeTimeoutMs;
  return new Promise((resolve, reject) => {
    const secure = new tls.TLSSocket(socket, { isServer: true, secureContext: resolveSecureContext(source) });
    // The raw socket never sees the session end its TLS side: the guard goes on the TLS socket.
    closeAfterEnd(secure, options.closeLingerMs);
    const fail = (error: TlsHandshakeError): void => {
      cleanup();
      secure.destroy();
      socket.destroy();
      reject(error);
    };
    const onSecure = (): void => {
      cleanup();
      resolve(secure);
    };
    const onError = (error: Error): void =>
      fail(new TlsHandshakeError(`TLS handshake failed: ${error.message}`, { cause: error }));
    const onClose = (): void => fail(new TlsHandshakeError('connection closed during TLS handshake'));
    // The raw socket is half-open capable, so a client that gives up mid-handshake (sends FIN
    // without its Finished message) shows up as 'end', not 'close': without this its slot would be
    // held until the handshake timeout.
    const onEnd = (): void => fail(new TlsHandshakeError('client ended the connection during TLS handshake'));
    const timer = setTimeout(
      () => fail(new TlsHandshakeError(`TLS handshake timed out after ${timeoutMs} ms`)),
      timeoutMs,
    );
    const cleanup = (): void => {
      clearTimeout(timer);
      secure.off('secure', onSecure);
      secure.off('error', onError);
      secure.off('close', onClose);
      secure.off('end', onEnd);
    };
    secure.once('secure', onSecure);
    secure.once('error', onError);
    secure.once('close', onClose);
    secure.once('end', onEnd);
  });
}
