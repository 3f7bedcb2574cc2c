/**
 * Turns the configuration into the relay worker's and the MX checks' typed options: the DNS
 * resolver (system DNS in production, a static table for tests, never any in dev), smarthost and
 * retry schedule. The packages never read config or env themselves.
 */
import { promises as systemDns } from 'node:dns';
import {
  createRelayWorker,
  staticResolver,
  type DnsResolver,
  type InboundAuthOptions,
  type RelayWorker,
  type SmarthostOptions,
} from '@minimail/smtp';
import type { MailStore } from '@minimail/store';
import type { Logger } from 'pino';
import type { Config } from './config.js';

/** The resolver relay and checks use: MINIMAIL_RELAY_RESOLVE_TO (tests) or the system's DNS. */
export function relayResolver(config: Config): DnsResolver {
  if (config.relayResolveTo !== undefined) return staticResolver(config.relayResolveTo);
  return systemDns;
}

/** MX checks: off in dev (they need DNS), on in production unless MINIMAIL_INBOUND_CHECKS=false. */
export function inboundAuthOptions(config: Config): InboundAuthOptions | null {
  if (!config.inboundChecks) return null;
  return { resolver: relayResolver(config), rejectDmarcFailures: config.dmarcReject };
}

/**
 * Submission's lookups at RCPT for the relay's destination check (issue 11): production without a
 * smarthost (a smarthost decides destinations itself) and without the test-only static resolver.
 */
export function submissionRelayResolver(config: Config): DnsResolver | undefined {
  if (config.profile !== 'production' || config.smarthost !== undefined) return undefined;
  if (config.relayResolveTo !== undefined) return undefined;
  return systemDns;
}

const SMARTHOST_TLS = { starttls: 'starttls', tls: 'implicit', none: 'none' } as const;

export function smarthostOptions(config: Config): SmarthostOptions | null {
  if (config.smarthost === undefined) return null;
  const separator = config.smarthost.lastIndexOf(':');
  return {
    host: config.smarthost.slice(0, separator),
    port: Number(config.smarthost.slice(separator + 1)),
    tls: SMARTHOST_TLS[config.smarthostTls],
    ...(config.smarthostUser !== undefined && config.smarthostPassword !== undefined
      ? { auth: { user: config.smarthostUser, pass: config.smarthostPassword } }
      : {}),
  };
}

export function buildRelayWorker(config: Config, store: MailStore, logger: Logger): RelayWorker {
  return createRelayWorker({
    store,
    logger,
    hostname: config.hostname,
    resolver: relayResolver(config),
    smarthost: smarthostOptions(config),
    mxPort: config.relayPort,
    // Only the test-only static resolver may point the relay at loopback (the e2e stand-in MX).
    allowPrivateDestinations: config.relayResolveTo !== undefined,
    leaseMs: config.relayLease,
    retry: {
      delaysMs: config.retrySchedule,
      maxAgeMs: config.queueLifetime,
      delayNoticeAfterMs: config.delayWarning,
    },
    // MTA-STS (RFC 8461) is on for MX delivery; TLS-RPT (RFC 8460) reports go daily to the
    // domains whose `_smtp._tls` record asks, from postmaster@ our host name.
    tlsReporting: { organization: config.hostname, contact: `postmaster@${config.hostname}` },
  });
}
