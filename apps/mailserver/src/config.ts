/**
 * Configuration: one zod schema, parsed once at start-up. Sources, lowest priority first:
 * profile defaults, an optional JSON file (`--config FILE` or MINIMAIL_CONFIG), then the environment
 * ("env wins", DESIGN.md). Every error names the key that was wrong, as the user spelled it.
 * Only this app reads the environment; packages receive the typed result.
 */
import { readFileSync } from 'node:fs';
import { hostname as osHostname } from 'node:os';
import path from 'node:path';
import { PROFILES, RECORDING_LIMITS, type Profile } from '@minimail/protocol';
import { z } from 'zod';
import { parseDuration } from './duration.js';
import { defaultDataDir } from './paths.js';

export { PROFILES, type Profile };

/** Every listener, its env variable, and its port per profile (dev = 1000 + the standard port). */
export const LISTENERS = {
  smtp: { env: 'MINIMAIL_SMTP_PORT', dev: 1025, production: 25, what: 'SMTP MX (inbound mail)' },
  submission: {
    env: 'MINIMAIL_SUBMISSION_PORT',
    dev: 1587,
    production: 587,
    what: 'SMTP submission, STARTTLS',
  },
  submissions: { env: 'MINIMAIL_SUBMISSIONS_PORT', dev: 1465, production: 465, what: 'SMTP submission, TLS' },
  pop3: { env: 'MINIMAIL_POP3_PORT', dev: 1110, production: 110, what: 'POP3, STLS' },
  pop3s: { env: 'MINIMAIL_POP3S_PORT', dev: 1995, production: 995, what: 'POP3 over TLS' },
  imap: { env: 'MINIMAIL_IMAP_PORT', dev: 1143, production: 143, what: 'IMAP, STARTTLS' },
  imaps: { env: 'MINIMAIL_IMAPS_PORT', dev: 1993, production: 993, what: 'IMAP over TLS' },
  http: { env: 'MINIMAIL_HTTP_PORT', dev: 8025, production: 8025, what: 'HTTP (health, metrics)' },
  managesieve: {
    env: 'MINIMAIL_MANAGESIEVE_PORT',
    dev: 14190,
    production: 4190,
    what: 'ManageSieve, STARTTLS',
  },
} as const;
export type ListenerName = keyof typeof LISTENERS;
export const LISTENER_NAMES = Object.keys(LISTENERS) as ListenerName[];

const port = z.coerce.number().int().min(0).max(65535);

/** A boolean from JSON, or from the environment as true/false, 1/0, yes/no, on/off. */
const booleanSetting = z.union([
  z.boolean(),
  z.stringbool({ truthy: ['true', '1', 'yes', 'on'], falsy: ['false', '0', 'no', 'off'] }),
]);

/** A duration setting (`300ms`, `5s`, `10m`, `4h`, `5d`) in milliseconds; a bad one is a config error. */
function toMs(text: string, ctx: z.RefinementCtx): number {
  try {
    return parseDuration(text);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
    return 0;
  }
}

const configSchema = z
  .object({
    profile: z.enum(PROFILES),
    dataDir: z.string().min(1),
    hostname: z.string().regex(/^[A-Za-z0-9.-]+$/, 'must be a host name'),
    bind: z.string().min(1),
    ports: z.object(
      Object.fromEntries(LISTENER_NAMES.map((name) => [name, port])) as Record<ListenerName, typeof port>,
    ),
    tlsCert: z.string().min(1).optional(),
    tlsKey: z.string().min(1).optional(),
    maxMessageSize: z.coerce.number().int().min(1024),
    maxRecipients: z.coerce.number().int().min(1).max(10_000),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    // ---- outbound relay and mail authentication (docs/adr/0009) ----
    /** `host:port` of a smarthost that takes all outbound mail instead of MX delivery. */
    smarthost: z
      .string()
      .regex(/^[A-Za-z0-9.-]+:\d{1,5}$/, 'must be host:port')
      .optional(),
    // ---- spam filtering (off unless rspamdUrl is set) ----
    /** Rspamd's normal worker, e.g. http://127.0.0.1:11333: the MX asks its /checkv2. */
    rspamdUrl: z.string().url().optional(),
    /** Rspamd's controller, e.g. http://127.0.0.1:11334: IMAP moves into/out of Junk teach it. */
    rspamdControllerUrl: z.string().url().optional(),
    rspamdPassword: z.string().min(1).optional(),
    smarthostUser: z.string().min(1).optional(),
    smarthostPassword: z.string().min(1).optional(),
    /** tls = implicit TLS (465), starttls = required STARTTLS (587), none = plaintext (never with a password). */
    smarthostTls: z.enum(['starttls', 'tls', 'none']),
    /** Delays between delivery attempts, the last repeating, e.g. `5m,10m,20m,40m,67m`. */
    retrySchedule: z.string().transform((text, ctx) => {
      const delays = text.split(',').map((part) => toMs(part, ctx));
      if (delays.length === 0) ctx.addIssue({ code: 'custom', message: 'needs at least one delay' });
      return delays;
    }),
    /** How long a message is retried before it bounces, e.g. `5d`. */
    queueLifetime: z.string().transform((text, ctx) => toMs(text, ctx)),
    /** When the sender hears that delivery is delayed, e.g. `4h`. */
    delayWarning: z.string().transform((text, ctx) => toMs(text, ctx)),
    /** How long a delivery worker owns a claimed entry; a crashed worker's entries return after it. */
    relayLease: z.string().transform((text, ctx) => toMs(text, ctx)),
    /** Run SPF/DKIM/DMARC/ARC on MX mail (needs DNS: default on in production only). */
    inboundChecks: booleanSetting,
    /** Refuse at DATA mail that fails DMARC when the sender domain publishes p=reject. */
    dmarcReject: booleanSetting,
    /** Submission: accept header From:/Sender: the user does not own (trusted relays only). */
    submissionAnySender: booleanSetting,
    // ---- recorded conversations (issue 16, docs/adr/0028) ----
    /** Record every SMTP/submission/POP3/IMAP session's transcript (dev: on; production: off). */
    recordSessions: booleanSetting,
    /** Most sessions kept; the oldest are dropped beyond it. */
    recordMaxSessions: z.coerce.number().int().min(1).max(1_000_000),
    /** Most bytes of transcripts kept; the oldest sessions are dropped beyond it. */
    recordMaxBytes: z.coerce
      .number()
      .int()
      .min(4096)
      .max(4 * 1024 * 1024 * 1024),
    /** Port of remote MX hosts (25). Test-only override, with relayResolveTo. */
    relayPort: port,
    /** Test-only: answer every DNS question of relay and checks with this address, querying nothing. */
    relayResolveTo: z.string().min(1).optional(),
    // ---- abuse limits (issue 6); each default is safe for a small domain ----
    /** Simultaneous connections per listener (each of smtp, submission, pop3, imap...). */
    maxConnections: z.coerce.number().int().min(1).max(100_000),
    /** Simultaneous connections from one IP per listener (an office behind NAT shares one IP). */
    maxConnectionsPerIp: z.coerce.number().int().min(1).max(100_000),
    /** SMTP idle time between commands; RFC 5321 4.5.3.2.7 asks for at least 5 minutes. */
    smtpTimeout: z.string().transform((text, ctx) => atLeast(toMs(text, ctx), 10_000, ctx)),
    /** POP3 autologout; RFC 1939 3 asks for at least 10 minutes. */
    pop3IdleTimeout: z.string().transform((text, ctx) => atLeast(toMs(text, ctx), 10_000, ctx)),
    /** IMAP autologout, also while IDLE; RFC 3501 5.4: at least 30 minutes (clients re-IDLE at 29). */
    imapIdleTimeout: z.string().transform((text, ctx) => atLeast(toMs(text, ctx), 30 * 60_000, ctx)),
    /** Failed logins per IP and per account answered without delay, before the throttle doubles. */
    authFreeFailures: z.coerce.number().int().min(0).max(1_000),
    /** Cap of the failed-login delay. */
    authMaxDelay: z.string().transform((text, ctx) => toMs(text, ctx)),
    // ---- HTTP (issue 14, issue 11) ----
    /** Production: bearer token that admits non-loopback /metrics scrapers (loopback always may). */
    metricsToken: z.string().min(16, 'must be at least 16 characters').optional(),
    /** Dev: SMTP fault injection, `stage=code:percent,...` (stages mail, rcpt, data, auth); '' = off. */
    chaos: z.string().refine((text) => chaosSpecError(text) === null, {
      message: 'must be stage=code:percent,... (e.g. rcpt=451:50)',
    }),
    /** Dev catcher retention: keep at most this many messages (0 keeps all). */
    maxMessages: z.coerce.number().int().min(0).max(10_000_000),
    /** Dev catcher retention: delete caught mail older than this (e.g. `7d`); unset keeps it. */
    maxAge: z
      .string()
      .transform((text, ctx) => toMs(text, ctx))
      .optional(),
    /** Dev: POST each newly caught message as JSON here. */
    webhookUrl: z.url({ protocol: /^https?$/ }).optional(),
    /** A file of `user:password` (or `user:scrypt$...`) lines: basic auth for the web app and API. */
    httpAuthFile: z.string().min(1).optional(),
    /** Dev: `host:port` of the SMTP server that "release" sends caught mail through. */
    releaseSmtp: z
      .string()
      .regex(/^[A-Za-z0-9.-]+:\d{1,5}$/, 'must be host:port')
      .optional(),
    releaseTls: z.enum(['starttls', 'tls', 'none']),
    releaseUser: z.string().min(1).optional(),
    releasePassword: z.string().min(1).optional(),
    /** More host names the web app and API answer to (comma-separated), e.g. a compose service name. */
    httpTrustedHosts: z
      .string()
      .transform((text) =>
        text
          .split(',')
          .map((name) => name.trim().toLowerCase())
          .filter((name) => name !== ''),
      )
      .pipe(z.array(z.string().regex(/^[a-z0-9.-]+$/, 'must be host names'))),
    // ---- the store's backend (docs/adr/0015): unset = SQLite in the data dir ----
    /** `postgres://user:password@host:port/database`: the PostgreSQL backend, shared by several nodes. */
    databaseUrl: z
      .string()
      .regex(/^postgres(ql)?:\/\//i, 'must be a postgres:// URL')
      .optional(),
    /** Connections per node to PostgreSQL. */
    databasePoolSize: z.coerce.number().int().min(1).max(1000),
    /** PostgreSQL statement_timeout, e.g. `30s` (0 = none). */
    databaseStatementTimeout: z.string().transform((text, ctx) => (text === '0' ? 0 : toMs(text, ctx))),
    /** TLS to PostgreSQL, certificate verified (also `?sslmode=` in the URL). */
    databaseTls: booleanSetting,
    /** PEM file of the CA that signed the PostgreSQL server's certificate (implies TLS). */
    databaseCa: z.string().min(1).optional(),
  })
  .strict();

/** A duration setting that must not go below `minMs` (an RFC minimum or a sanity floor). */
function atLeast(ms: number, minMs: number, ctx: z.RefinementCtx): number {
  if (ms < minMs) ctx.addIssue({ code: 'custom', message: `must be at least ${minMs / 1000} seconds` });
  return ms;
}

export type Config = z.infer<typeof configSchema>;

/** Plain keys a config file may hold, and the env variable that overrides each. */
const ENV_KEYS: Record<string, string> = {
  profile: 'MINIMAIL_PROFILE',
  dataDir: 'MINIMAIL_DATA_DIR',
  hostname: 'MINIMAIL_HOSTNAME',
  bind: 'MINIMAIL_BIND',
  tlsCert: 'MINIMAIL_TLS_CERT',
  tlsKey: 'MINIMAIL_TLS_KEY',
  maxMessageSize: 'MINIMAIL_MAX_MESSAGE_SIZE',
  maxRecipients: 'MINIMAIL_MAX_RECIPIENTS',
  logLevel: 'MINIMAIL_LOG_LEVEL',
  metricsToken: 'MINIMAIL_METRICS_TOKEN',
  chaos: 'MINIMAIL_CHAOS',
  maxMessages: 'MINIMAIL_MAX_MESSAGES',
  maxAge: 'MINIMAIL_MAX_AGE',
  webhookUrl: 'MINIMAIL_WEBHOOK_URL',
  httpAuthFile: 'MINIMAIL_HTTP_AUTH_FILE',
  releaseSmtp: 'MINIMAIL_RELEASE_SMTP',
  releaseTls: 'MINIMAIL_RELEASE_TLS',
  releaseUser: 'MINIMAIL_RELEASE_USER',
  releasePassword: 'MINIMAIL_RELEASE_PASSWORD',
  httpTrustedHosts: 'MINIMAIL_HTTP_TRUSTED_HOSTS',
  smarthost: 'MINIMAIL_SMARTHOST',
  rspamdUrl: 'MINIMAIL_RSPAMD_URL',
  rspamdControllerUrl: 'MINIMAIL_RSPAMD_CONTROLLER_URL',
  rspamdPassword: 'MINIMAIL_RSPAMD_PASSWORD',
  smarthostUser: 'MINIMAIL_SMARTHOST_USER',
  smarthostPassword: 'MINIMAIL_SMARTHOST_PASSWORD',
  smarthostTls: 'MINIMAIL_SMARTHOST_TLS',
  retrySchedule: 'MINIMAIL_RETRY_SCHEDULE',
  queueLifetime: 'MINIMAIL_QUEUE_LIFETIME',
  delayWarning: 'MINIMAIL_DELAY_WARNING',
  relayLease: 'MINIMAIL_RELAY_LEASE',
  inboundChecks: 'MINIMAIL_INBOUND_CHECKS',
  dmarcReject: 'MINIMAIL_DMARC_REJECT',
  submissionAnySender: 'MINIMAIL_SUBMISSION_ANY_SENDER',
  recordSessions: 'MINIMAIL_RECORD_SESSIONS',
  recordMaxSessions: 'MINIMAIL_RECORD_MAX_SESSIONS',
  recordMaxBytes: 'MINIMAIL_RECORD_MAX_BYTES',
  relayPort: 'MINIMAIL_RELAY_PORT',
  relayResolveTo: 'MINIMAIL_RELAY_RESOLVE_TO',
  maxConnections: 'MINIMAIL_MAX_CONNECTIONS',
  maxConnectionsPerIp: 'MINIMAIL_MAX_CONNECTIONS_PER_IP',
  smtpTimeout: 'MINIMAIL_SMTP_TIMEOUT',
  pop3IdleTimeout: 'MINIMAIL_POP3_IDLE_TIMEOUT',
  imapIdleTimeout: 'MINIMAIL_IMAP_IDLE_TIMEOUT',
  authFreeFailures: 'MINIMAIL_AUTH_FREE_FAILURES',
  authMaxDelay: 'MINIMAIL_AUTH_MAX_DELAY',
  databaseUrl: 'MINIMAIL_DATABASE_URL',
  databasePoolSize: 'MINIMAIL_DATABASE_POOL_SIZE',
  databaseStatementTimeout: 'MINIMAIL_DATABASE_STATEMENT_TIMEOUT',
  databaseTls: 'MINIMAIL_DATABASE_TLS',
  databaseCa: 'MINIMAIL_DATABASE_CA',
};

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export interface LoadConfigInput {
  env: NodeJS.ProcessEnv;
  /** Path of a JSON config file; falls back to MINIMAIL_CONFIG. */
  file?: string | undefined;
}

type Source = Map<string, string>; // config path ("ports.smtp") -> how the user named it

export function loadConfig({ env, file }: LoadConfigInput): Config {
  const sources: Source = new Map();
  const raw: Record<string, unknown> = { ports: {} };
  const ports = raw['ports'] as Record<string, unknown>;

  const configFile = file ?? env['MINIMAIL_CONFIG'];
  if (configFile) {
    const fromFile = readConfigFile(configFile);
    for (const [key, value] of Object.entries(fromFile)) {
      if (key === 'ports' && value && typeof value === 'object' && !Array.isArray(value)) {
        for (const [name, p] of Object.entries(value)) {
          ports[name] = p;
          sources.set(`ports.${name}`, `${configFile}: ports.${name}`);
        }
      } else {
        raw[key] = value;
        sources.set(key, `${configFile}: ${key}`);
      }
    }
  }

  for (const [key, envName] of Object.entries(ENV_KEYS)) {
    const value = env[envName];
    if (value !== undefined && value !== '') {
      raw[key] = value;
      sources.set(key, envName);
    }
  }
  for (const name of LISTENER_NAMES) {
    const value = env[LISTENERS[name].env];
    if (value !== undefined && value !== '') {
      ports[name] = value;
      sources.set(`ports.${name}`, LISTENERS[name].env);
    }
  }

  // Defaults depend on the profile, so settle it first (and report it by its own name).
  const profileResult = z.enum(PROFILES).safeParse(raw['profile'] ?? 'dev');
  if (!profileResult.success) {
    throw new ConfigError(`${sources.get('profile') ?? 'profile'}: must be one of ${PROFILES.join(', ')}`);
  }
  const profile = profileResult.data;
  raw['profile'] = profile;
  raw['dataDir'] ??= defaultDataDir();
  raw['hostname'] ??= profile === 'dev' ? 'localhost' : osHostname();
  raw['bind'] ??= profile === 'dev' ? '127.0.0.1' : '0.0.0.0';
  raw['maxMessageSize'] ??= 25 * 1024 * 1024;
  raw['maxRecipients'] ??= 100;
  raw['logLevel'] ??= 'info';
  raw['httpTrustedHosts'] ??= '';
  raw['chaos'] ??= '';
  raw['maxMessages'] ??= 5000;
  raw['releaseTls'] ??= 'starttls';
  raw['smarthostTls'] ??= 'starttls';
  // Postfix-like growing backoff, 5 days of retries, a delay notice after 4 hours (ADR 0009).
  raw['retrySchedule'] ??= '5m,10m,20m,40m,67m';
  raw['queueLifetime'] ??= '5d';
  raw['delayWarning'] ??= '4h';
  raw['relayLease'] ??= '10m';
  // The checks query DNS; the dev profile makes no DNS queries at all.
  raw['inboundChecks'] ??= profile === 'production';
  raw['dmarcReject'] ??= false;
  raw['submissionAnySender'] ??= false;
  // Transcripts hold addresses and message previews: on for a developer, a choice in production.
  raw['recordSessions'] ??= profile === 'dev';
  raw['recordMaxSessions'] ??= RECORDING_LIMITS.maxSessions;
  raw['recordMaxBytes'] ??= RECORDING_LIMITS.maxBytes;
  raw['relayPort'] ??= 25;
  // Abuse limits: the protocol package's LIMITS, and the RFC minimum timeouts.
  raw['maxConnections'] ??= 1000;
  raw['maxConnectionsPerIp'] ??= 50;
  raw['smtpTimeout'] ??= '5m';
  raw['pop3IdleTimeout'] ??= '10m';
  raw['imapIdleTimeout'] ??= '30m';
  raw['authFreeFailures'] ??= 3;
  raw['authMaxDelay'] ??= '30s';
  raw['databasePoolSize'] ??= 10;
  raw['databaseStatementTimeout'] ??= '30s';
  raw['databaseTls'] ??= false;
  for (const name of LISTENER_NAMES) ports[name] ??= LISTENERS[name][profile];

  const result = configSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    const key = issue?.path.join('.') ?? '';
    const named = sources.get(key) ?? (key || (configFile ? `config file ${configFile}` : 'config'));
    const message =
      issue?.code === 'unrecognized_keys' ? `unknown key(s) ${issue.keys.join(', ')}` : issue?.message;
    throw new ConfigError(`${named}: ${message ?? 'invalid'}`);
  }
  const config = result.data;
  config.dataDir = path.resolve(config.dataDir);
  if ((config.tlsCert === undefined) !== (config.tlsKey === undefined)) {
    throw new ConfigError('MINIMAIL_TLS_CERT and MINIMAIL_TLS_KEY must be given together');
  }
  if ((config.smarthostUser === undefined) !== (config.smarthostPassword === undefined)) {
    throw new ConfigError('MINIMAIL_SMARTHOST_USER and MINIMAIL_SMARTHOST_PASSWORD must be given together');
  }
  if (config.smarthostPassword !== undefined && config.smarthostTls === 'none') {
    throw new ConfigError('MINIMAIL_SMARTHOST_TLS: none would send the smarthost password in plaintext');
  }
  return config;
}

function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`config file ${file}: ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`config file ${file}: not valid JSON (${(err as Error).message})`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError(`config file ${file}: must hold a JSON object`);
  }
  return parsed as Record<string, unknown>;
}

/** Null when `text` is a valid chaos spec (same grammar as @minimail/smtp's parseChaosSpec). */
function chaosSpecError(text: string): string | null {
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '')) {
    const match = /^(mail|rcpt|data|auth)=([45]\d\d):(\d{1,3}(?:\.\d+)?)$/i.exec(part);
    if (match === null || Number(match[3]) > 100) return part;
  }
  return null;
}
