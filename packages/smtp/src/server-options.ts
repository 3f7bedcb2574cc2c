import type { SieveDeliveryOptions } from './sieve/options.js';
import type { RspamdOptions } from './rspamd/options.js';
import type { Chaos } from './chaos.js';
import type { SMTPServerOptions } from 'smtp-server';
import type { SmtpStore } from '@minimail/store';
import type { DnsResolver } from './outbound/resolver.js';
import {
  isTlsContextProvider,
  MIN_TLS_VERSION,
  SERVER_CIPHERS,
  type MessageMemoryBudget,
  type ServiceListener,
  type ServiceOptions,
} from '@minimail/protocol';
import {
  CLOSE_GRACE_MS,
  DEFAULT_MAX_CLIENTS,
  DEFAULT_MAX_CONNECTIONS_PER_IP,
  DEFAULT_MAX_MESSAGE_SIZE,
  DEFAULT_MAX_RECIPIENTS,
  MAX_UNAUTHENTICATED_COMMANDS,
  SOCKET_TIMEOUT_MS,
} from './limits.js';
import { replyText } from './replies.js';
import { commandCountingLogger } from './smtp-metrics.js';
import { greetingPolicy } from './greeting.js';
import type { ListenerExtras } from './listener.js';
import type { InboundAuthOptions } from './inbound-auth/index.js';

export interface SmtpServiceOptions extends ServiceOptions {
  store: SmtpStore;
  // maxClients defaults to 200, maxConnectionsPerIp to DEFAULT_MAX_CONNECTIONS_PER_IP; authThrottle
  // is for submission; metrics count connections, commands, error replies, messages, failed auths.
  /** RFC 1870 SIZE limit in octets; default 25 MiB. */
  maxMessageSize?: number;
  /** Recipients per transaction; default 100. */
  maxRecipients?: number;
  /** Idle time allowed between commands; default SOCKET_TIMEOUT_MS (RFC 5321 4.5.3.2.7). */
  socketTimeoutMs?: number;
  /**
   * Submission in production: MX/A lookups at RCPT, to refuse (550 5.7.1) remote domains that
   * resolve only to private, loopback, link-local or own addresses. Absent: only address
   * literals, localhost and our own name are refused at RCPT (the relay worker filters the rest).
   */
  relayResolver?: DnsResolver;
  /**
   * Submission in production: accept header From:/Sender: addresses the user does not own (for a
   * trusted relay that submits on behalf of many senders). Default false: 553 5.7.1.
   */
  allowAnyHeaderSender?: boolean;
  /**
   * Bounds the DATA bytes held in memory (452 4.3.1 past it). Defaults to the process's one
   * budget, shared with IMAP APPEND (@minimail/protocol processMessageBudget).
   */
  messageBudget?: MessageMemoryBudget;
  /**
   * Keep smtp-server's 100 ms pause before the greeting and its "421 You talk too soon" for
   * clients that do not wait. Default: only on the production MX (see greeting.ts).
   */
  rejectEarlyTalkers?: boolean;
  /**
   * MX only: SPF, DKIM, DMARC and ARC checks on every message, results prepended as
   * Authentication-Results. Absent or null: no checks (the dev default: they need DNS).
   */
  inboundAuth?: InboundAuthOptions | null;
  /** Runs each local recipient's active Sieve script at delivery; absent or null: INBOX only. */
  sieve?: SieveDeliveryOptions | null;
  /** MX only: Rspamd spam checks (reject, greylist, X-Spam headers and Junk). Absent or null: none. */
  rspamd?: RspamdOptions | null;
  /** Dev: SMTP fault injection (chaos.ts); the same engine may be shared by listeners and the HTTP API. */
  chaos?: Chaos | undefined;
}

/** close() stops accepting, lets in-flight deliveries commit and answer, then closes every connection. */
export type SmtpListener = ServiceListener;

/**
 * The extensions each listener advertises in its EHLO reply, as a table. smtp-server implements
 * them; these are the `hide*` switches it reads. REQUIRETLS stays off: the outbound side cannot
 * honour it yet, and advertising a promise we cannot keep is worse than not offering it.
 */
export const EXTENSIONS = {
  /** RFC 2920: clients may send MAIL, RCPT... without waiting for each reply. */
  hidePIPELINING: false,
  /** RFC 6152: 8-bit bodies pass through untouched. */
  hide8BITMIME: false,
  /** RFC 6531: UTF-8 addresses and headers. */
  hideSMTPUTF8: false,
  /** RFC 2034: every reply carries an RFC 3463 code (smtp-server hides them by default). */
  hideENHANCEDSTATUSCODES: false,
  /**
   * RFC 3461: NOTIFY, RET, ENVID and ORCPT are kept with each queue entry, passed to the next hop
   * that offers DSN, and honoured in our own failure, delay, relayed and delivered notices.
   */
  hideDSN: false,
  /** RFC 8689: not offered, see above. */
  hideREQUIRETLS: true,
} as const satisfies Partial<SMTPServerOptions>;

/** Resolved numeric limits of one service. */
export interface ServiceLimits {
  maxMessageSize: number;
  maxRecipients: number;
  maxClients: number;
  maxConnectionsPerIp: number;
}

export function serviceLimits(options: SmtpServiceOptions): ServiceLimits {
  return {
    maxMessageSize: options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE,
    maxRecipients: options.maxRecipients ?? DEFAULT_MAX_RECIPIENTS,
    maxClients: options.maxClients ?? DEFAULT_MAX_CLIENTS,
    maxConnectionsPerIp: options.maxConnectionsPerIp ?? DEFAULT_MAX_CONNECTIONS_PER_IP,
  };
}

/** smtp-server options every listener shares; mx.ts and submission.ts add AUTH and TLS policy. */
export function commonServerOptions(options: SmtpServiceOptions): SMTPServerOptions {
  const limits = serviceLimits(options);
  const common: SMTPServerOptions = {
    ...EXTENSIONS,
    name: options.hostname,
    // Greeting "220 <hostname> ESMTP minimail": no software version for scanners to match.
    banner: 'minimail',
    heloResponse: '%s Hello %s',
    // RFC 1870: SIZE advertised; smtp-server answers an oversized DATA with 552 5.3.4.
    size: limits.maxMessageSize,
    rejectOversized: true,
    // RFC 5321 4.5.3.1.10: 452 4.5.3 once the recipient limit is reached.
    maxRecipients: limits.maxRecipients,
    // No smtp-server maxClients: connection-policy.ts counts in total and per IP in onConnect.
    // Never a DNS query: no reverse lookup of clients (the Received header uses the IP literal).
    disableReverseLookup: true,
    // We log one line per transaction ourselves; smtp-server's own log would echo protocol lines.
    // With metrics, its command records are counted (and dropped) instead.
    logger: options.metrics ? commandCountingLogger(options.metrics) : false,
    socketTimeout: options.socketTimeoutMs ?? SOCKET_TIMEOUT_MS,
    closeTimeout: CLOSE_GRACE_MS,
    maxAllowedUnauthenticatedCommands: MAX_UNAUTHENTICATED_COMMANDS,
    authRequiredMessage: replyText('AUTH_REQUIRED'),
  };
  if (options.tls !== null) {
    const files = isTlsContextProvider(options.tls) ? options.tls.files() : options.tls;
    common.key = files.key;
    common.cert = files.cert;
    // RFC 8996 / RFC 8314 4.1: TLS 1.2 or later (smtp-server's own default still allows TLS 1.0).
    common.minVersion = MIN_TLS_VERSION;
    // Forward-secret AEAD suites only (protocol SERVER_CIPHERS, issue 11).
    common.ciphers = SERVER_CIPHERS;
  }
  return common;
}

/** What createListener needs beyond smtp-server's options, for an MX or submission listener. */
export function listenerExtras(options: SmtpServiceOptions, kind: 'mx' | 'submission'): ListenerExtras {
  return {
    tls: options.tls,
    rejectEarlyTalkers:
      options.rejectEarlyTalkers ?? greetingPolicy(kind, options.profile).rejectEarlyTalkers,
    metrics: options.metrics,
    // RFC 4954 4 / RFC 8314 3: in production the STARTTLS port offers AUTH only inside TLS, so a
    // client never sends a password (SASL-IR) on the plain connection (issue 11).
    hideAuthBeforeTls: kind === 'submission' && options.profile === 'production',
  };
}
