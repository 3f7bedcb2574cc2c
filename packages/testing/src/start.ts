/**
 * `startMailServer()`: the minimail dev stack (SMTP MX, submission, IMAP, POP3, the HTTP catcher)
 * in the calling process, on free loopback ports, over a store in a fresh temporary directory.
 * This package composes the server packages the way apps/mailserver does, with the dev profile's
 * fixed choices (any address gets a mailbox, any password logs in, nothing is relayed), so a test
 * suite needs no config, no environment and no child process.
 */
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sortKeysOfMessage } from '@minimail/imap/sort-keys';
import { parseMessage, serializeStructure } from '@minimail/mime';
import {
  createLogger,
  createMetrics,
  ensureDevCertificate,
  type Logger,
  type ServiceListener,
} from '@minimail/protocol';
import { indexBody } from '@minimail/http/index-body';
import type { ChaosTriggers } from '@minimail/smtp';
import { openStore, type MailStore } from '@minimail/store';
import { readMessage, type Message } from './message.js';

export const SERVICES = ['smtp', 'submission', 'imap', 'pop3', 'http'] as const;
export type ServiceName = (typeof SERVICES)[number];

export interface StartMailServerOptions {
  /** Services to run; default all. */
  services?: readonly ServiceName[];
  /** Where the store lives; default a new temporary directory, removed by `stop()`. */
  dataDir?: string;
  /** Greeting and Received host name; default `localhost`. */
  hostname?: string;
  /** Address to listen on; default 127.0.0.1. */
  host?: string;
  /** A pino logger for the servers; default silent. */
  logger?: Logger;
}

export interface MessageFilter {
  /** The recipient (whose INBOX it is), any case. */
  to?: string;
  /** A part of the Subject, or a pattern it matches. */
  subject?: string | RegExp;
}

/** The SMTP chaos engine's triggers (`@minimail/smtp`), as `/api/v1/chaos` also sets them. */
export type { ChaosStage, ChaosTrigger, ChaosTriggers } from '@minimail/smtp';

export interface WaitForOptions extends MessageFilter {
  /** Milliseconds before `waitFor` rejects; default 10 000. */
  timeout?: number;
}

export interface MailServer extends AsyncDisposable {
  /** Where every listener listens (127.0.0.1). */
  readonly host: string;
  /** Port of the SMTP MX: point the application under test here (`smtp://host:smtp`). */
  readonly smtp: number;
  /** Port of SMTP submission (STARTTLS, any login is accepted). */
  readonly submission: number;
  readonly imap: number;
  readonly pop3: number;
  /** Port of the HTTP catcher (web page and API). */
  readonly http: number;
  readonly dataDir: string;
  /** The store itself, for what the helpers do not cover. */
  readonly store: MailStore;
  /** Caught messages, oldest first. */
  messages(filter?: MessageFilter): Promise<Message[]>;
  /** The first message matching the filter, as soon as it has arrived (maybe already). */
  waitFor(options: WaitForOptions): Promise<Message>;
  /**
   * SMTP fault injection, the engine `/api/v1/chaos` drives (both see the same triggers), on the
   * MX and submission listeners: `mail.chaos({ rcpt: { code: 451, probability: 100 } })` makes
   * every RCPT answer 451; a stage left out is off; `mail.chaos({})` turns all off. A string takes
   * the MINIMAIL_CHAOS form (`rcpt=451:100,data=552:50`). Without an argument it only reads them.
   * Returns the triggers now in force. Throws a RangeError for a code outside 400-599 or a
   * probability outside 0-100.
   */
  chaos(triggers?: Partial<ChaosTriggers> | string): ChaosTriggers;
  /** Removes every caught message and turns chaos off. */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

interface Listening {
  port: number;
  close(): Promise<void>;
}

/** How often `waitFor` looks again besides being woken by a delivery (another process's, say). */
const RECHECK_MS = 250;
const DEFAULT_TIMEOUT_MS = 10_000;

function matches(message: Message, filter: MessageFilter): boolean {
  if (filter.subject === undefined) return true;
  const subject = message.subject ?? '';
  return typeof filter.subject === 'string' ? subject.includes(filter.subject) : filter.subject.test(subject);
}

/** The store, with every delivery announced once it is committed (waitFor wakes on it). */
function announcing(store: MailStore, events: EventEmitter): MailStore {
  return new Proxy(store, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver) as unknown;
      if (typeof value !== 'function') return value;
      if (key === 'deliver') {
        return async (...args: unknown[]) => {
          const result = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          events.emit('delivered');
          return result;
        };
      }
      return (value as (...a: unknown[]) => unknown).bind(target);
    },
  });
}

export async function startMailServer(options: StartMailServerOptions = {}): Promise<MailServer> {
  const services = new Set(options.services ?? SERVICES);
  const host = options.host ?? '127.0.0.1';
  const hostname = options.hostname ?? 'localhost';
  const ownDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'minimail-testing-'));
  const logger = options.logger ?? createLogger({ level: 'silent', name: 'minimail-testing' });
  const events = new EventEmitter();
  events.setMaxListeners(0);
  const store = announcing(
    openStore({
      path: path.join(dataDir, 'minimail.sqlite'),
      describeBody: (raw) => serializeStructure(parseMessage(raw)),
      // IMAP SORT/THREAD keys recorded at delivery (docs/adr/0037).
      sortKeysOf: (raw) => sortKeysOfMessage(raw),
      // The catcher's search index, so /api/v1/search answers as under `minimail serve`.
      indexBody,
    }),
    events,
  );
  const listening = new Map<ServiceName, Listening>();
  const stop = async (): Promise<void> => {
    await Promise.allSettled([...listening.values()].map((l) => l.close()));
    listening.clear();
    await store.close();
    if (ownDir) rmSync(dataDir, { recursive: true, force: true });
  };

  // One chaos engine for every SMTP listener and the HTTP API, as `minimail serve` has.
  const { Chaos, parseChaosSpec } = await import('@minimail/smtp');
  const chaos = new Chaos();
  try {
    const tls = await ensureDevCertificate(dataDir, hostname);
    const common = { store, hostname, profile: 'dev' as const, tls };
    const listen = async (name: ServiceName, server: ServiceListener): Promise<void> => {
      const port = await server.listen(0, host);
      listening.set(name, { port, close: () => server.close() });
    };
    if (services.has('smtp')) {
      const { createMxServer } = await import('@minimail/smtp');
      await listen('smtp', createMxServer({ ...common, chaos, logger: logger.child({ proto: 'smtp' }) }));
    }
    if (services.has('submission')) {
      const { createSubmissionServer } = await import('@minimail/smtp');
      const logger_ = logger.child({ proto: 'submission' });
      await listen(
        'submission',
        createSubmissionServer({ ...common, chaos, logger: logger_, implicitTls: false }),
      );
    }
    if (services.has('imap')) {
      const { createImapServer } = await import('@minimail/imap');
      await listen(
        'imap',
        createImapServer({ ...common, logger: logger.child({ proto: 'imap' }), implicitTls: false }),
      );
    }
    if (services.has('pop3')) {
      const { createPop3Server } = await import('@minimail/pop3');
      await listen(
        'pop3',
        createPop3Server({ ...common, logger: logger.child({ proto: 'pop3' }), implicitTls: false }),
      );
    }
    if (services.has('http')) {
      const { createHttpServer } = await import('@minimail/http');
      const registry = createMetrics({ outboundQueue: store, processMetrics: false }).registry;
      await listen(
        'http',
        createHttpServer({
          store,
          logger: logger.child({ proto: 'http' }),
          registry,
          profile: 'dev',
          allowedHosts: [hostname],
          chaos,
        }),
      );
    }
  } catch (error) {
    await stop();
    throw error;
  }

  const port = (name: ServiceName): number => {
    const found = listening.get(name);
    if (found === undefined) throw new Error(`@minimail/testing: the ${name} service was not started`);
    return found.port;
  };

  const messages = async (filter: MessageFilter = {}): Promise<Message[]> => {
    const users =
      filter.to === undefined ? await store.listUsers() : [await store.getUser(filter.to.toLowerCase())];
    const found: Message[] = [];
    for (const user of users) {
      if (user === null) continue;
      const inbox = await store.getMailbox(user.id, 'INBOX');
      if (inbox === null) continue;
      for (const summary of await store.listMessages(inbox.id)) {
        const raw = await store.readBody(summary.bodyHash);
        const message = readMessage(raw, {
          id: `${inbox.id}-${summary.uid}`,
          to: user.address,
          uid: summary.uid,
          receivedAt: summary.internalDate,
        });
        if (matches(message, filter)) found.push(message);
      }
    }
    return found.sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime() || a.uid - b.uid);
  };

  const waitFor = async (options: WaitForOptions): Promise<Message> => {
    const timeout = options.timeout ?? DEFAULT_TIMEOUT_MS;
    const deadline = Date.now() + timeout;
    for (;;) {
      // Listen before looking, so a delivery between the two is not missed.
      let wake: () => void = () => {};
      const woken = new Promise<void>((resolve) => (wake = resolve));
      events.once('delivered', wake);
      try {
        const [first] = await messages(options);
        if (first !== undefined) return first;
        const left = deadline - Date.now();
        if (left <= 0) {
          const what = [
            options.to && `to ${options.to}`,
            options.subject !== undefined && `subject ${String(options.subject)}`,
          ]
            .filter(Boolean)
            .join(', ');
          throw new Error(`@minimail/testing: no message${what ? ` ${what}` : ''} within ${timeout} ms`);
        }
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          woken,
          new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.min(left, RECHECK_MS)))),
        ]);
        clearTimeout(timer);
      } finally {
        events.off('delivered', wake);
      }
    }
  };

  const setChaos = (triggers?: Partial<ChaosTriggers> | string): ChaosTriggers => {
    if (triggers === undefined) return chaos.get();
    return chaos.set(typeof triggers === 'string' ? parseChaosSpec(triggers) : triggers);
  };

  const reset = async (): Promise<void> => {
    chaos.set({});
    for (const user of await store.listUsers()) {
      for (const mailbox of await store.listMailboxes(user.id)) {
        const uids = (await store.listMessages(mailbox.id)).map((summary) => summary.uid);
        if (uids.length > 0) await store.expunge(mailbox.id, uids);
      }
    }
  };

  return {
    host,
    get smtp() {
      return port('smtp');
    },
    get submission() {
      return port('submission');
    },
    get imap() {
      return port('imap');
    },
    get pop3() {
      return port('pop3');
    },
    get http() {
      return port('http');
    },
    dataDir,
    store,
    messages,
    waitFor,
    chaos: setChaos,
    reset,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
