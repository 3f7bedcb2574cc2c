/**
 * Orders, renews and installs the server certificate by ACME (RFC 8555) with acme-client. The
 * certificate lives in `<data>/acme/{key,cert}.pem`; the listeners' TLS provider (packages/protocol)
 * follows those files, and `onCertificate` asks it to reload at once, so every listener uses a new
 * certificate for its next handshake without a restart. A failed order changes no file: the old
 * certificate stays in use and the order is retried with exponential backoff.
 */
import https from 'node:https';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import acme from 'acme-client';
import type { AcmeChallengeResponder } from '@minimail/protocol';
import {
  acmePaths,
  ensureDir,
  readIssued,
  readValidity,
  writePrivate,
  type AcmePaths,
  type IssuedRecord,
} from './files.js';
import { ACME_SCHEDULE, renewalTime, retryDelayMs } from './schedule.js';
import { TlsAlpnResponder } from './tls-alpn-responder.js';

export type AcmeChallengeType = 'http-01' | 'tls-alpn-01';

export interface AcmeLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export interface AcmeManagerOptions {
  /** The CA's directory (Let's Encrypt production or staging, or any RFC 8555 CA). */
  directoryUrl: string;
  /** Contact e-mail address for the account (the CA writes about expiry and problems). */
  contact: string;
  /** Host names the certificate covers; the first is its common name. */
  hostnames: readonly string[];
  /** Where the account key and certificate are kept (`<data>/acme`). */
  dir: string;
  challenge: AcmeChallengeType;
  /** HTTP-01: where the HTTP service looks up answers. */
  responder: AcmeChallengeResponder;
  /** TLS-ALPN-01: where to answer (port 443 of the host, as the validator connects there). */
  tlsAlpn?: { port: number; host: string };
  /** PEM of a CA that signs the directory's HTTPS certificate, when not a public one (a test CA). */
  directoryCaPem?: string;
  renewFraction?: number;
  retryMinMs?: number;
  retryMaxMs?: number;
  /** The clock (tests move it forward to reach the renewal time). */
  now?: () => number;
  logger: AcmeLogger;
  /** Called after new key.pem and cert.pem are in place. */
  onCertificate?: (paths: { key: string; cert: string }) => void | Promise<void>;
}

export interface AcmeStatus {
  notBefore: Date | null;
  notAfter: Date | null;
  /** When the next order is due (renewal time, or a retry after a failure). */
  nextAttempt: Date | null;
  failures: number;
  lastError: string | null;
}

export class AcmeManager {
  readonly paths: AcmePaths;
  private readonly options: AcmeManagerOptions;
  private readonly now: () => number;
  private readonly alpn: TlsAlpnResponder | null;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  private stopped = false;
  private state: AcmeStatus = {
    notBefore: null,
    notAfter: null,
    nextAttempt: null,
    failures: 0,
    lastError: null,
  };

  constructor(options: AcmeManagerOptions) {
    if (options.hostnames.length === 0) throw new Error('ACME needs at least one host name');
    if (options.challenge === 'tls-alpn-01' && !options.tlsAlpn)
      throw new Error('TLS-ALPN-01 needs a port to answer on');
    this.options = options;
    this.paths = acmePaths(options.dir);
    this.now = options.now ?? Date.now;
    this.alpn = options.tlsAlpn ? new TlsAlpnResponder(options.tlsAlpn) : null;
    if (options.directoryCaPem) {
      // acme-client talks to the directory through its own axios instance: trust the test CA there.
      acme.axios.defaults.httpsAgent = new https.Agent({ ca: options.directoryCaPem });
    }
  }

  status(): AcmeStatus {
    return { ...this.state };
  }

  /**
   * When the current certificate is due: now if there is none, if it was not issued by this CA for
   * exactly these host names (a placeholder, or the configuration changed), else at the renewal time.
   */
  async dueAt(): Promise<Date> {
    const validity = await readValidity(this.paths);
    this.state.notBefore = validity?.notBefore ?? null;
    this.state.notAfter = validity?.notAfter ?? null;
    const issued = await readIssued(this.paths);
    const wanted = [...this.options.hostnames].map((h) => h.toLowerCase()).sort();
    const matches =
      issued !== null &&
      issued.directoryUrl === this.options.directoryUrl &&
      JSON.stringify([...issued.hostnames].sort()) === JSON.stringify(wanted);
    if (!validity || !matches) return new Date(this.now());
    return renewalTime(
      validity.notBefore,
      validity.notAfter,
      this.options.renewFraction ?? ACME_SCHEDULE.renewFraction,
    );
  }

  /** Orders a certificate if one is due. Throws (and changes no file) when the order fails. */
  async renewIfDue(): Promise<'issued' | 'current'> {
    if ((await this.dueAt()).getTime() > this.now()) return 'current';
    await this.order();
    return 'issued';
  }

  /** Runs `renewIfDue` now and then whenever due, retrying failures with backoff, until `stop`. */
  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
    await this.alpn?.stop();
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    const sleep = Math.max(0, Math.min(delayMs, ACME_SCHEDULE.maxSleepMs));
    this.state.nextAttempt = new Date(this.now() + delayMs);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.running = this.tick().finally(() => {
        this.running = null;
      });
    }, sleep);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    const { logger } = this.options;
    try {
      if ((await this.renewIfDue()) === 'issued') {
        this.state.failures = 0;
        this.state.lastError = null;
        logger.info(
          { hostnames: this.options.hostnames, notAfter: this.state.notAfter },
          'ACME: certificate issued and installed',
        );
      }
      this.schedule((await this.dueAt()).getTime() - this.now());
    } catch (err) {
      this.state.failures++;
      this.state.lastError = err instanceof Error ? err.message : String(err);
      const delay = retryDelayMs(
        this.state.failures,
        this.options.retryMinMs ?? ACME_SCHEDULE.retryMinMs,
        this.options.retryMaxMs ?? ACME_SCHEDULE.retryMaxMs,
      );
      logger.error(
        { err, failures: this.state.failures, retryInMs: delay },
        'ACME: certificate order failed; the current certificate stays in use',
      );
      this.schedule(delay);
    }
  }

  private async accountKey(): Promise<Buffer> {
    if (existsSync(this.paths.accountKey)) return readFile(this.paths.accountKey);
    const key = await acme.crypto.createPrivateEcdsaKey('P-256');
    await writePrivate(this.paths.accountKey, key);
    return key;
  }

  private async order(): Promise<void> {
    const { options } = this;
    await ensureDir(this.paths.dir);
    const client = new acme.Client({
      directoryUrl: options.directoryUrl,
      accountKey: await this.accountKey(),
      // acme-client's own retries of a pending status; our schedule handles failed orders.
      backoffAttempts: 10,
      backoffMin: 200,
      backoffMax: 5000,
    });
    const [commonName, ...rest] = options.hostnames;
    const [key, csr] = await acme.crypto.createCsr({
      commonName: commonName!,
      altNames: [commonName!, ...rest],
    });
    const cert = await client.auto({
      csr,
      email: options.contact,
      termsOfServiceAgreed: true,
      challengePriority: [options.challenge],
      // acme-client would fetch the challenge itself first, through DNS; the CA's validation is
      // the test that counts, and minimail makes no DNS queries of its own here.
      skipChallengeVerification: true,
      challengeCreateFn: async (authz, challenge, keyAuthorization) => {
        // acme-client's types list http-01 and dns-01 only; RFC 8737 adds tls-alpn-01.
        const type: string = challenge.type;
        if (challenge.type === 'http-01') {
          options.responder.setHttp01(challenge.token, keyAuthorization);
        } else if (type === 'tls-alpn-01' && this.alpn) {
          const [alpnKey, alpnCert] = await acme.crypto.createAlpnCertificate(authz, keyAuthorization);
          await this.alpn.add(authz.identifier.value, alpnKey.toString(), alpnCert.toString());
        } else {
          throw new Error(`cannot answer a ${type} challenge`);
        }
      },
      challengeRemoveFn: async (authz, challenge) => {
        if (challenge.type === 'http-01') options.responder.deleteHttp01(challenge.token);
        else if ((challenge.type as string) === 'tls-alpn-01')
          await this.alpn?.remove(authz.identifier.value);
      },
    });
    // Key first, then the chain: the TLS provider checks that they belong together before it
    // switches, so a reload between the two renames keeps the old pair.
    await writePrivate(this.paths.key, key);
    await writePrivate(this.paths.cert, cert);
    const record: IssuedRecord = {
      directoryUrl: options.directoryUrl,
      hostnames: options.hostnames.map((h) => h.toLowerCase()),
    };
    await writePrivate(this.paths.issued, `${JSON.stringify(record)}\n`);
    await this.dueAt();
    await options.onCertificate?.({ key: this.paths.key, cert: this.paths.cert });
  }
}
