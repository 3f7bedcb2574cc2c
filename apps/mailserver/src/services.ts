/**
 * The services `minimail serve` can run, each a set of listeners. `--services` picks a subset so that
 * docker-compose can run SMTP, IMAP and POP3 as separate containers over one data volume.
 *
 * Each service imports its server package only when it starts: an IMAP-only process does not load
 * the SMTP stack (smtp-server, nodemailer, mailauth), whose modules would otherwise sit in the
 * resident memory of every process (docs/benchmarks.md, "Idle", lists what each module costs).
 */
import {
  createMetrics,
  type AcmeChallengeResponder,
  type AuthThrottle,
  type MessageSpool,
  type Metrics,
  type ServiceListener,
  type TlsSource,
  type Recordings,
} from '@minimail/protocol';
import type { Chaos, SmtpServiceOptions } from '@minimail/smtp';
import type { HttpServiceOptions } from '@minimail/http';
import type { MailStore } from '@minimail/store';
import type { Logger } from 'pino';
import type { Config, ListenerName } from './config.js';
import { rspamdOptions, spamLearningHook } from './spam-learning.js';
import { webAppRoot } from './paths.js';

export interface ServiceContext {
  config: Config;
  store: MailStore;
  logger: Logger;
  /** The certificate: a provider following the configured files (reloaded without restart), or PEM text. */
  tls: TlsSource;
  /** One registry per process, served by the http service at /metrics (serve passes one when it runs http). */
  metrics?: Metrics;
  /** One failed-login throttle for every listener of the process (guessing is slowed across ports). */
  authThrottle?: AuthThrottle;
  /** ACME HTTP-01 answers, served by the http service when MINIMAIL_ACME=on. */
  acmeChallenges?: AcmeChallengeResponder;
  /** Where large APPEND literals and DATA go while they arrive (`<data dir>/spool`, docs/adr/0027). */
  spool?: MessageSpool;
  /** The process's recorded conversations (issue 16), when recording is on; shared with http. */
  recordings?: Recordings;
  /** The services this process runs (e.g. whether SMTP is here for /api/v1/chaos to act on). */
  services?: readonly string[];
}

/** The optional per-process parts of a context, present only when given (exactOptionalPropertyTypes). */
function shared(ctx: ServiceContext, protocol: string, commands: readonly string[]) {
  return {
    ...(ctx.authThrottle ? { authThrottle: ctx.authThrottle } : {}),
    ...(ctx.spool ? { spool: ctx.spool } : {}),
    ...(ctx.recordings ? { recordings: ctx.recordings } : {}),
    ...(ctx.metrics ? { metrics: ctx.metrics.forProtocol(protocol, commands) } : {}),
  };
}

/** IMAP moves into and out of Junk teach Rspamd, when its controller is configured. */
function learningHook(ctx: ServiceContext) {
  const logger = ctx.logger.child({ proto: 'rspamd' });
  const options = rspamdOptions(ctx.config, logger);
  if (!options?.controllerUrl) return {};
  return { onMessagesMoved: spamLearningHook(ctx.store, options, logger) };
}

/** A bound listener: which config port it serves, where it listens, how to stop it. */
export interface RunningListener {
  listener: ListenerName;
  port: number;
  close(): Promise<void>;
}

/** Background work of a service that has no socket (the relay worker), stopped with the listeners. */
export interface RunningTask {
  task: string;
  close(): Promise<void>;
}

interface ServiceSpec {
  description: string;
  /**
   * Takes in mail at the rate the network sends it: a process running one of these writes on the
   * store's writer thread, keeping the SQL and COMMITs off the event loop (docs/adr/0013).
   */
  ingestsMail?: true;
  start(ctx: ServiceContext): Promise<RunningListener[]>;
  startTasks?(ctx: ServiceContext): Promise<RunningTask[]>;
}

/**
 * The relay worker delivers the outbound queue. Never in dev: nothing is ever relayed there
 * (DESIGN.md), and the dev profile makes no DNS queries.
 */
async function startRelay(ctx: ServiceContext): Promise<RunningTask[]> {
  if (ctx.config.profile === 'dev') {
    ctx.logger.info('relay: dev profile, outbound mail is never relayed');
    return [];
  }
  const { buildRelayWorker } = await import('./relay.js');
  const logger = ctx.logger.child({ proto: 'relay' });
  const worker = buildRelayWorker(ctx.config, ctx.store, logger);
  worker.start();
  const via = ctx.config.smarthost === undefined ? 'MX lookup' : `smarthost ${ctx.config.smarthost}`;
  logger.info({ via }, `relay: delivering the outbound queue via ${via}`);
  return [{ task: 'relay', close: () => worker.stop() }];
}

/** The dev catcher's team settings: retention, webhook, basic auth (any profile), release. */
async function catcherOptions(ctx: ServiceContext): Promise<Partial<HttpServiceOptions>> {
  const { config } = ctx;
  const options: Partial<HttpServiceOptions> = {
    retention: { maxMessages: config.maxMessages, maxAgeMs: config.maxAge },
  };
  if (config.webhookUrl !== undefined) options.webhook = { url: config.webhookUrl };
  if (config.httpAuthFile !== undefined) {
    const { readFileSync } = await import('node:fs');
    const { parsePasswordFile } = await import('@minimail/http');
    options.basicAuth = { users: parsePasswordFile(readFileSync(config.httpAuthFile, 'utf8')) };
  }
  if (config.releaseSmtp !== undefined && config.profile === 'dev') {
    const { sendOverSmtp } = await import('@minimail/smtp');
    const [host = '', port = '25'] = config.releaseSmtp.split(':');
    const tls = config.releaseTls === 'tls' ? 'implicit' : config.releaseTls;
    const auth =
      config.releaseUser !== undefined && config.releasePassword !== undefined
        ? { auth: { user: config.releaseUser, pass: config.releasePassword } }
        : {};
    // The relay engine's SMTP client (packages/smtp outbound), to the one configured server.
    options.release = async (message, recipients, from) => {
      const outcome = await sendOverSmtp(
        { host, port: Number(port), servername: host, tls, verifyCertificate: tls !== 'none', ...auth },
        { heloName: config.hostname, sender: from, recipients, message },
      );
      return { accepted: outcome.accepted, rejected: outcome.rejected };
    };
  }
  return options;
}

/**
 * The process's one SMTP chaos engine (dev only): every SMTP listener and /api/v1/chaos share it,
 * so a trigger set over HTTP applies to the next SMTP command. Created on first use.
 */
const chaosByConfig = new WeakMap<Config, Promise<Chaos | undefined>>();
async function processChaos(config: Config): Promise<Chaos | undefined> {
  let chaos = chaosByConfig.get(config);
  if (chaos === undefined) {
    chaos =
      config.profile === 'dev'
        ? import('@minimail/smtp').then(
            ({ Chaos, parseChaosSpec }) => new Chaos({ triggers: parseChaosSpec(config.chaos) }),
          )
        : Promise.resolve(undefined);
    chaosByConfig.set(config, chaos);
  }
  return chaos;
}

async function smtpOptions(ctx: ServiceContext, proto: string): Promise<SmtpServiceOptions> {
  const { inboundAuthOptions, submissionRelayResolver } = await import('./relay.js');
  const relayResolver = proto === 'smtp' ? undefined : submissionRelayResolver(ctx.config);
  const { SMTP_COMMANDS } = await import('@minimail/smtp');
  return {
    store: ctx.store,
    logger: ctx.logger.child({ proto }),
    hostname: ctx.config.hostname,
    profile: ctx.config.profile,
    tls: ctx.tls,
    maxMessageSize: ctx.config.maxMessageSize,
    maxRecipients: ctx.config.maxRecipients,
    inboundAuth: inboundAuthOptions(ctx.config),
    maxClients: ctx.config.maxConnections,
    maxConnectionsPerIp: ctx.config.maxConnectionsPerIp,
    socketTimeoutMs: ctx.config.smtpTimeout,
    allowAnyHeaderSender: ctx.config.submissionAnySender,
    ...(relayResolver !== undefined ? { relayResolver } : {}),
    rspamd: rspamdOptions(ctx.config, ctx.logger.child({ proto: 'rspamd' })),
    // Each local recipient's active Sieve script runs at delivery (scripts live in the store).
    sieve: {
      scripts: ctx.store,
      hostname: ctx.config.hostname,
      logger: ctx.logger.child({ proto: 'sieve' }),
    },
    chaos: await processChaos(ctx.config),
    // 465 counts as submission: one protocol label per kind of service.
    ...shared(ctx, proto === 'smtp' ? 'smtp' : 'submission', SMTP_COMMANDS),
  };
}

/**
 * Starts one listener unless its port is 0 (disabled). The server is built only then: a disabled
 * listener costs nothing (the http one, e.g., would otherwise create a metrics registry).
 */
async function listen(
  ctx: ServiceContext,
  listener: ListenerName,
  build: () => ServiceListener | Promise<ServiceListener>,
): Promise<RunningListener[]> {
  const configured = ctx.config.ports[listener];
  if (configured === 0) return [];
  const server = await build();
  const port = await server.listen(configured, ctx.config.bind);
  return [{ listener, port, close: () => server.close() }];
}

export const SERVICES: Record<string, ServiceSpec> = {
  smtp: {
    description: 'SMTP MX: inbound mail (port 1025 dev, 25 production)',
    ingestsMail: true,
    start: async (ctx) => {
      const { createMxServer } = await import('@minimail/smtp');
      return listen(ctx, 'smtp', async () => createMxServer(await smtpOptions(ctx, 'smtp')));
    },
  },
  submission: {
    description: 'SMTP submission for mail clients (1587 STARTTLS and 1465 TLS dev; 587 and 465 production)',
    ingestsMail: true,
    start: async (ctx) => {
      const { createSubmissionServer } = await import('@minimail/smtp');
      return [
        ...(await listen(ctx, 'submission', async () =>
          createSubmissionServer({ ...(await smtpOptions(ctx, 'submission')), implicitTls: false }),
        )),
        ...(await listen(ctx, 'submissions', async () =>
          createSubmissionServer({ ...(await smtpOptions(ctx, 'submissions')), implicitTls: true }),
        )),
      ];
    },
  },
  relay: {
    description: 'outbound relay: delivers queued mail to remote MX hosts or a smarthost (production only)',
    start: () => Promise.resolve([]),
    startTasks: startRelay,
  },
  pop3: {
    description: 'POP3 (1110 STLS and 1995 TLS dev; 110 and 995 production)',
    start: async (ctx) => {
      const { createPop3Server, POP3_COMMAND_NAMES } = await import('@minimail/pop3');
      const options = {
        store: ctx.store,
        logger: ctx.logger.child({ proto: 'pop3' }),
        hostname: ctx.config.hostname,
        profile: ctx.config.profile,
        tls: ctx.tls,
        maxClients: ctx.config.maxConnections,
        maxConnectionsPerIp: ctx.config.maxConnectionsPerIp,
        idleTimeoutMs: ctx.config.pop3IdleTimeout,
        ...shared(ctx, 'pop3', POP3_COMMAND_NAMES),
      };
      return [
        ...(await listen(ctx, 'pop3', () => createPop3Server({ ...options, implicitTls: false }))),
        ...(await listen(ctx, 'pop3s', () => createPop3Server({ ...options, implicitTls: true }))),
      ];
    },
  },
  imap: {
    description: 'IMAP (1143 STARTTLS and 1993 TLS dev; 143 and 993 production)',
    start: async (ctx) => {
      const { createImapServer, IMAP_COMMAND_NAMES } = await import('@minimail/imap');
      const options = {
        store: ctx.store,
        logger: ctx.logger.child({ proto: 'imap' }),
        hostname: ctx.config.hostname,
        profile: ctx.config.profile,
        tls: ctx.tls,
        maxClients: ctx.config.maxConnections,
        maxConnectionsPerIp: ctx.config.maxConnectionsPerIp,
        limits: { autologoutMs: ctx.config.imapIdleTimeout },
        ...shared(ctx, 'imap', IMAP_COMMAND_NAMES),
        ...learningHook(ctx),
      };
      return [
        ...(await listen(ctx, 'imap', () => createImapServer({ ...options, implicitTls: false }))),
        ...(await listen(ctx, 'imaps', () => createImapServer({ ...options, implicitTls: true }))),
      ];
    },
  },
  http: {
    description: 'HTTP on 8025: /healthz, /metrics; in dev also the mail-catcher API and web page',
    start: async (ctx) => {
      const { createHttpServer, pickEndpoint } = await import('@minimail/http');
      // Only when this process also runs SMTP: the triggers act on its listeners.
      const smtpHere =
        ctx.services?.some((name) => name === 'smtp' || name.startsWith('submission')) ?? false;
      const chaos = smtpHere ? await processChaos(ctx.config) : undefined;
      const catcher = await catcherOptions(ctx);
      const { ports, hostname } = ctx.config;
      // What autoconfig/autodiscover/.mobileconfig advertise: exactly the listeners that are on.
      const clientSettings = {
        hostname,
        imap: pickEndpoint(ports.imaps, ports.imap),
        pop3: pickEndpoint(ports.pop3s, ports.pop3),
        submission: pickEndpoint(ports.submissions, ports.submission),
      };
      return listen(ctx, 'http', () =>
        createHttpServer({
          store: ctx.store,
          logger: ctx.logger.child({ proto: 'http' }),
          registry: (ctx.metrics ?? createMetrics({ outboundQueue: ctx.store })).registry,
          profile: ctx.config.profile,
          allowedHosts: [ctx.config.hostname, ...ctx.config.httpTrustedHosts],
          metricsToken: ctx.config.metricsToken,
          webRoot: webAppRoot(),
          chaos,
          recordings: ctx.recordings,
          ...catcher,
          clientSettings,
          ...(ctx.acmeChallenges ? { acmeChallenges: ctx.acmeChallenges } : {}),
        }),
      );
    },
  },
  managesieve: {
    description: 'ManageSieve (RFC 5804) on 14190 dev, 4190 production: users upload Sieve scripts',
    start: async (ctx) => {
      const { createManageSieveServer, MANAGESIEVE_COMMANDS } = await import('@minimail/managesieve');
      return listen(ctx, 'managesieve', () =>
        createManageSieveServer({
          store: ctx.store,
          logger: ctx.logger.child({ proto: 'managesieve' }),
          hostname: ctx.config.hostname,
          profile: ctx.config.profile,
          tls: ctx.tls,
          maxClients: ctx.config.maxConnections,
          maxConnectionsPerIp: ctx.config.maxConnectionsPerIp,
          ...shared(ctx, 'managesieve', MANAGESIEVE_COMMANDS),
        }),
      );
    },
  },
};

export const SERVICE_NAMES = Object.keys(SERVICES);

/** Whether any of these services takes in mail (then the store writes on its writer thread). */
export function ingestsMail(services: readonly string[]): boolean {
  return services.some((name) => SERVICES[name]?.ingestsMail === true);
}

/** Parses `--services a,b` (default: every service) or fails naming the bad entry. */
export function selectServices(list: string | undefined): string[] {
  if (list === undefined || list.trim() === '') return [...SERVICE_NAMES];
  const names = [
    ...new Set(
      list
        .split(',')
        .map((name) => name.trim().toLowerCase())
        .filter(Boolean),
    ),
  ];
  for (const name of names) {
    if (!SERVICES[name]) throw new Error(`unknown service "${name}" (known: ${SERVICE_NAMES.join(', ')})`);
  }
  return names;
}
