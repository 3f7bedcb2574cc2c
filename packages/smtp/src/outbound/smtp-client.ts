import SMTPConnection from 'nodemailer/lib/smtp-connection';
import type { NodemailerError } from 'nodemailer/lib/errors';
import { MIN_TLS_VERSION } from '@minimail/protocol';
import { aLabel } from './mx-lookup.js';
import { CONNECT_TIMEOUT_MS, GREETING_TIMEOUT_MS, SOCKET_TIMEOUT_MS } from './limits.js';

/**
 * How a connection is protected. MX delivery is `opportunistic` (RFC 3207 4.1: STARTTLS when
 * offered, without certificate checks, since MX certificates are rarely valid for the MX name and
 * plaintext is the alternative); smarthosts use `starttls` or `implicit` with verification.
 */
export type TlsMode = 'opportunistic' | 'starttls' | 'implicit' | 'none';

export interface SmtpTarget {
  /** Address (or name) to connect to. MX delivery passes resolved IPs so the client makes no DNS query. */
  host: string;
  port: number;
  /** Name for TLS SNI and certificate checks (the MX or smarthost name). */
  servername?: string;
  tls: TlsMode;
  /** Verify the server certificate; only meaningful for `starttls`/`implicit`. */
  verifyCertificate: boolean;
  /** Trusted CAs instead of the system's (tests of verified MX delivery). */
  ca?: string | string[];
  auth?: { user: string; pass: string };
}

export interface OutgoingMessage {
  /** Our name in EHLO (RFC 5321 4.1.1.1: the client's FQDN). */
  heloName: string;
  /** '' for the null reverse-path (bounces). */
  sender: string;
  recipients: string[];
  message: Buffer;
  /**
   * RFC 3461 parameters for the next hop (text, not xtext: the client encodes); one set for the
   * whole transaction, so the relay groups only recipients with the same parameters.
   */
  dsn?: { ret?: string; envid?: string; notify?: string[]; orcpt?: string };
}

/** What the server said about each recipient of one transaction. */
export interface SendOutcome {
  accepted: string[];
  rejected: Array<{ address: string; code: number; reply: string }>;
  /** The final reply to DATA. */
  response: string;
  /** The server offered DSN, so the RFC 3461 parameters went with the transaction. */
  dsnPassed?: boolean;
}

/** A failure of the whole transaction: `code` is the SMTP reply, or null when none was received. */
export class SmtpSendError extends Error {
  override name = 'SmtpSendError';
  constructor(
    message: string,
    readonly code: number | null,
    /** What to put in a DSN's Diagnostic-Code: the server's reply, or our account of what broke. */
    readonly diagnostic: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** RFC 5321 4.2.1: 5yz is permanent; everything else (4yz, no reply, broken connection) is not. */
  get permanent(): boolean {
    return this.code !== null && this.code >= 500 && this.code !== 503;
  }
}

/**
 * Sends one message over one SMTP connection with nodemailer's SMTP client: connect, EHLO,
 * STARTTLS as `tls` says, AUTH when given, MAIL/RCPT/DATA, QUIT. Recipients refused at RCPT come
 * back in `rejected`; a failure of the transaction as a whole (no recipient accepted, DATA
 * refused, connection lost) throws SmtpSendError.
 */
export async function sendOverSmtp(target: SmtpTarget, outgoing: OutgoingMessage): Promise<SendOutcome> {
  const connection = new SMTPConnection({
    host: target.host,
    port: target.port,
    ...(target.servername !== undefined ? { servername: target.servername } : {}),
    name: outgoing.heloName,
    secure: target.tls === 'implicit',
    requireTLS: target.tls === 'starttls',
    opportunisticTLS: target.tls === 'opportunistic',
    ignoreTLS: target.tls === 'none',
    tls: {
      rejectUnauthorized: target.verifyCertificate && target.tls !== 'opportunistic',
      ...(target.servername !== undefined ? { servername: target.servername } : {}),
      ...(target.ca !== undefined ? { ca: target.ca } : {}),
      minVersion: MIN_TLS_VERSION,
    },
    connectionTimeout: CONNECT_TIMEOUT_MS,
    greetingTimeout: GREETING_TIMEOUT_MS,
    socketTimeout: SOCKET_TIMEOUT_MS,
    logger: false,
  });
  // Socket failures (refused, reset, timeout) arrive only as 'error' events, not through the
  // callbacks, so every step races this promise.
  let failed: (error: SmtpSendError) => void = () => undefined;
  const connectionFailed = new Promise<never>((_resolve, reject) => {
    failed = reject;
  });
  // Each step races it and reports it; this only keeps a failure after the last step (or one
  // before the first race) from being an unhandled rejection.
  connectionFailed.catch(() => undefined);
  connection.on('error', (error: NodemailerError) => failed(toSendError(error, 'connection')));
  const step = <T>(
    run: (resolve: (value: T) => void, reject: (error: SmtpSendError) => void) => void,
  ): Promise<T> => Promise.race([new Promise<T>(run), connectionFailed]);
  try {
    await step<void>((resolve, reject) =>
      connection.connect((error) => (error ? reject(toSendError(error, 'connect')) : resolve())),
    );
    if (target.auth !== undefined) {
      const credentials = { credentials: target.auth };
      await step<void>((resolve, reject) =>
        connection.login(credentials, (error) => (error ? reject(toSendError(error, 'AUTH')) : resolve())),
      );
    }
    // RFC 6531 3.2: without SMTPUTF8 at the next hop, a UTF-8 domain travels as its A-label.
    const smtpUtf8 = (
      connection as unknown as { _supportedExtensions: string[] }
    )._supportedExtensions.includes('SMTPUTF8');
    const onWire = (address: string): string => (smtpUtf8 ? address : withALabelDomain(address));
    const original = new Map(outgoing.recipients.map((address) => [onWire(address).toLowerCase(), address]));
    const back = (address: string): string => original.get(address.toLowerCase()) ?? address;
    const sent = await step<SendOutcome>((resolve, reject) =>
      connection.send(
        {
          from: onWire(outgoing.sender),
          to: outgoing.recipients.map(onWire),
          size: outgoing.message.length,
          use8BitMime: true,
          ...(outgoing.dsn !== undefined ? { dsn: outgoing.dsn } : {}),
        },
        outgoing.message,
        (error, result) => {
          if (error) {
            // Every recipient refused at RCPT: report them one by one, like a partial refusal.
            if (error.code === 'EENVELOPE' && (error.rejectedErrors?.length ?? 0) > 0) {
              resolve({ accepted: [], rejected: rejections(error.rejectedErrors ?? []), response: '' });
            } else reject(toSendError(error, 'send'));
            return;
          }
          resolve({
            accepted: result.accepted,
            rejected: rejections(result.rejectedErrors ?? []),
            response: result.response,
          });
        },
      ),
    );
    connection.quit();
    // Verdicts are kept by the addresses as queued, whatever form went on the wire.
    return {
      ...sent,
      dsnPassed:
        outgoing.dsn !== undefined &&
        (connection as unknown as { _supportedExtensions: string[] })._supportedExtensions.includes('DSN'),
      accepted: sent.accepted.map(back),
      rejected: sent.rejected.map((rejection) => ({ ...rejection, address: back(rejection.address) })),
    };
  } catch (error) {
    connection.close();
    if (error instanceof SmtpSendError) throw error;
    throw toSendError(error as NodemailerError, 'smtp');
  }
}

/** `user@bücher.example` -> `user@xn--bcher-kva.example`; the local part is left as it is. */
function withALabelDomain(address: string): string {
  const at = address.lastIndexOf('@');
  return at === -1 ? address : address.slice(0, at + 1) + aLabel(address.slice(at + 1));
}

function rejections(errors: NodemailerError[]): SendOutcome['rejected'] {
  return errors.map((rejection) => ({
    address: rejection.recipient ?? '',
    code: rejection.responseCode ?? 0,
    reply: rejection.response ?? rejection.message,
  }));
}

/**
 * The transaction-level error with the reply code that decides retry vs bounce. Two exceptions
 * to "5xx is permanent": an AUTH refusal from a smarthost is our misconfiguration, not the
 * message's fault, so it stays temporary until the admin fixes the password; and a message over
 * the server's advertised SIZE (refused by the client before sending) is a permanent 552.
 */
function toSendError(error: NodemailerError, stage: string): SmtpSendError {
  const reply = error.response !== undefined && error.response !== '' ? error.response : null;
  const diagnostic = reply ?? `${stage} ${codeOf(error)}: ${error.message}`;
  let code = error.responseCode ?? null;
  if (error.code === 'EAUTH') code = null;
  // Issue 11: only a 5xx to MAIL, RCPT or DATA says the message cannot be delivered. A refused
  // STARTTLS (TLS required), a failed handshake or a 5xx greeting or EHLO is about the path to
  // the next hop, not the recipient: defer and retry.
  if (stage !== 'send' || error.code === 'ETLS') code = null;
  // RFC 1870 6.1 / RFC 3463 5.3.4: the remote's SIZE limit is below the message size.
  if (error.code === 'EMESSAGE' && code === null && /larger than allowed/i.test(error.message)) code = 552;
  return new SmtpSendError(`${stage} failed: ${error.message}`, code, diagnostic, { cause: error });
}

function codeOf(error: NodemailerError): string {
  return error.code !== undefined ? `(${error.code})` : '';
}
