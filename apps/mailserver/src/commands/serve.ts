import { mkdirSync } from 'node:fs';
import { createLogger, ensureDevCertificate, loadTlsFiles } from '@minimail/protocol';
import { CliError } from '../cli-error.js';
import { LISTENERS } from '../config.js';
import { openAppStore } from '../open-store.js';
import { SERVICES, selectServices, type RunningListener, type RunningTask } from '../services.js';
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
  usage: 'serve [--services smtp,submission,relay,pop3,imap]',
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
    mkdirSync(config.dataDir, { recursive: true });
    const store = openAppStore(config.dataDir, logger);

    let tls: { key: string; cert: string };
    if (config.tlsCert && config.tlsKey) {
      tls = await loadTlsFiles(config.tlsCert, config.tlsKey);
    } else {
      if (config.profile === 'production') {
        logger.warn('no MINIMAIL_TLS_CERT/MINIMAIL_TLS_KEY given: using a self-signed certificate');
      }
      tls = await ensureDevCertificate(config.dataDir, config.hostname);
    }

    const running: RunningListener[] = [];
    const tasks: RunningTask[] = [];
    const stopAll = async (): Promise<void> => {
      await Promise.allSettled([...running, ...tasks].map((part) => part.close()));
      await store.close();
    };
    try {
      for (const name of services) {
        const spec = SERVICES[name]!;
        running.push(...(await spec.start({ config, store, logger, tls })));
        tasks.push(...((await spec.startTasks?.({ config, store, logger, tls })) ?? []));
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
    logger.info(
      { profile: config.profile, dataDir: config.dataDir, services },
      `minimail ready (${config.profile} profile, data in ${config.dataDir})`,
    );

    const signal = await untilStopSignal();
    logger.info({ signal }, 'stopping: no new connections, finishing what is in flight');
    await stopAll();
    logger.info('stopped cleanly');
    logger.flush();
  },
};
