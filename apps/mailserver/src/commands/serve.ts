import { mkdirSync } from 'node:fs';
import path from 'node:path';
import {
  AuthThrottle,
  MessageSpool,
  SharedTranscriptBook,
  createLogger,
  createMetrics,
  createTlsContextProvider,
  ensureDevCertificate,
  type TlsContextProvider,
  type TlsSource,
} from '@minimail/protocol';
import { CliError } from '../cli-error.js';
import { setUpAcme, type AcmeSetup } from '../acme-setup.js';
import { LISTENERS } from '../config.js';
import { openConfiguredStore } from '../open-store.js';
import {
  SERVICES,
  ingestsMail,
  selectServices,
  type RunningListener,
  type RunningTask,
} from '../services.js';
import type { CommandSpec } from './command.js';

/** Resolves on the first SIGTERM or SIGINT; a second one while stopping exits at once. */
function untilStopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      process.once('SIGTERM', () => process.exit(130));
      process.once('SIGINT', () => process.exit(130));
      resolve(signal);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}

export const serveCommand: CommandSpec = {
  usage: 'serve [--services smtp,submission,relay,pop3,imap,http]',
  summary: 'run the mail services until SIGTERM/SIGINT',
  arity: 0,
  options: {
    services: { type: 'string', description: 'comma-separated subset of services to run (default: all)' },
  },
  run: async ({ config, options }) => {
    let services: string[];
    try {
      services = selectServices(typeof options['services'] === 'string' ? options['services'] : undefined);
    } catch (err) {
      throw new CliError((err as Error).message, 2);
    }
    const logger = createLogger({ level: config.logLevel, name: 'minimail' });
    // Only the server's user may look inside (issue 11).
    mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    // Only the kind: the URL may carry a password.
    const storeKind = config.databaseUrl === undefined ? 'sqlite' : 'postgresql';
    const store = await openConfiguredStore(config, {
      logger,
      writer: ingestsMail(services) ? 'thread' : 'inline',
    });

    let tls: TlsSource;
    let provider: TlsContextProvider | null = null;
    let acme: AcmeSetup | null = null;
    if (config.acme) {
      acme = await setUpAcme(config, logger, services.includes('http') && config.ports.http !== 0);
      provider = acme.provider;
      tls = provider;
    } else if (config.tlsCert && config.tlsKey) {
      // Renewed files (certbot, cert-manager) are picked up by new connections without a restart:
      // the files are polled, and SIGHUP reloads at once.
      const { tlsCert, tlsKey } = config;
      provider = await createTlsContextProvider({
        certPath: tlsCert,
        keyPath: tlsKey,
        onReload: () => logger.info({ cert: tlsCert }, 'TLS certificate reloaded'),
        onError: (err) =>
          logger.error({ err, cert: tlsCert }, 'TLS certificate reload failed; keeping the old one'),
      });
      tls = provider;
    } else {
      if (config.profile === 'production') {
        logger.warn('no MINIMAIL_TLS_CERT/MINIMAIL_TLS_KEY given: using a self-signed certificate');
      }
      tls = await ensureDevCertificate(config.dataDir, config.hostname);
    }

    const onHangup = (): void => {
      provider
        ?.reload()
        .catch((err: unknown) => logger.error({ err }, 'SIGHUP: TLS certificate reload failed'));
    };
    process.on('SIGHUP', onHangup);
    // Only the http listener serves /metrics, and only its own process's: without it the counters
    // could never be read, so none are kept (prom-client and the process metrics' event-loop
    // histogram stay out of, e.g., an IMAP-only container's memory).
    const servesMetrics = services.includes('http') && config.ports.http !== 0;
    const metrics = servesMetrics ? createMetrics({ outboundQueue: store }) : null;
    const authThrottle = new AuthThrottle({
      freeFailures: config.authFreeFailures,
      maxDelayMs: config.authMaxDelay,
    });
    // Large messages are written here while they arrive, not held in memory (docs/adr/0027); files
    // a killed process left are swept now, and every file in use is removed at stop.
    const spool = new MessageSpool({ dir: path.join(config.dataDir, 'spool') });
    // Recorded conversations (issue 16, docs/adr/0028, 0035): one book for every listener of the
    // process, kept in the store so every process and node on it sees every session.
    const recordings = config.recordSessions
      ? new SharedTranscriptBook(
          store,
          { maxSessions: config.recordMaxSessions, maxBytes: config.recordMaxBytes },
          (err, message) => logger.warn({ err }, message),
        )
      : null;
    const context = {
      config,
      store,
      logger,
      tls,
      authThrottle,
      spool,
      services,
      ...(metrics ? { metrics } : {}),
      ...(acme ? { acmeChallenges: acme.responder } : {}),
      ...(recordings ? { recordings } : {}),
    };

    const running: RunningListener[] = [];
    const tasks: RunningTask[] = [];
    const stopAll = async (): Promise<void> => {
      await acme?.manager?.stop();
      await Promise.allSettled([...running, ...tasks].map((part) => part.close()));
      spool.discardAll();
      process.off('SIGHUP', onHangup);
      provider?.close();
      // The last buffered lines go to the store before it closes.
      await recordings?.close();
      await store.close();
    };
    try {
      for (const name of services) {
        const spec = SERVICES[name]!;
        running.push(...(await spec.start(context)));
        tasks.push(...((await spec.startTasks?.(context)) ?? []));
      }
    } catch (err) {
      await stopAll();
      throw new CliError(`cannot start: ${(err as Error).message}`);
    }
    for (const listener of running) {
      logger.info(
        { listener: listener.listener, address: config.bind, port: listener.port },
        `listening: ${LISTENERS[listener.listener].what} on ${config.bind}:${listener.port}`,
      );
    }
    // After the listeners: the CA's validation of HTTP-01 needs the http service to answer.
    acme?.manager?.start();
    logger.info(
      { profile: config.profile, dataDir: config.dataDir, services, store: storeKind },
      `minimail ready (${config.profile} profile, data in ${config.dataDir}, store: ${storeKind})`,
    );

    const signal = await untilStopSignal();
    logger.info({ signal }, 'stopping: no new connections, finishing what is in flight');
    await stopAll();
    logger.info('stopped cleanly');
    logger.flush();
  },
};
