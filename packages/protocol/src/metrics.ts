import { createRequire } from 'node:module';
import type * as PromClient from 'prom-client';
import type { Registry } from 'prom-client';

/**
 * Prometheus metrics shared by every listener of one process. The app makes one `Metrics` with
 * createMetrics(), hands `metrics.forProtocol(name)` to each server, and the HTTP service serves
 * `metrics.registry` at /metrics. A registry per process (not prom-client's global one) keeps tests
 * and several servers in one process apart.
 */

/**
 * Anything that can list the outbound queue (the store does). Structural, so this package does not
 * depend on the store: only the `status` of each entry is read.
 */
export interface OutboundQueueSource {
  listOutbound(): Promise<ReadonlyArray<{ status: string }>>;
}

export interface CreateMetricsOptions {
  /** Queue depth (`minimail_queue_depth{status}`) is read from here at scrape time. */
  outboundQueue?: OutboundQueueSource;
  /** Node process metrics (memory, CPU, event loop lag, fds). Defaults to true. */
  processMetrics?: boolean;
}

/** Records for one protocol (`smtp`, `submission`, `pop3`, `imap`, ...); every label is bounded. */
export interface ProtocolMetrics {
  /** A connection was accepted; call the returned function once when it closes (idempotent). */
  connectionOpened(): () => void;
  /** A connection was refused before it was served, e.g. `reason` = `limit`. */
  connectionRefused(reason: string): void;
  /** A client command; names outside the protocol's known set are counted as `OTHER`. */
  command(name: string): void;
  /** A reply that reports failure, or a session that ended badly; `kind` is e.g. a reply code. */
  error(kind: string): void;
  /** A message received (`in`: SMTP DATA, IMAP APPEND) or served (`out`: RETR, FETCH BODY[]). */
  message(direction: MessageDirection, bytes: number): void;
  /** A failed login (wrong password, unknown user, throttled). */
  authFailure(): void;
}

export type MessageDirection = 'in' | 'out';

export interface Metrics {
  readonly registry: Registry;
  /**
   * The recorder of one protocol. `knownCommands` bounds the `command` label: a hostile client
   * sending random words must not create a time series per word.
   */
  forProtocol(protocol: string, knownCommands: readonly string[]): ProtocolMetrics;
  /** The Prometheus text exposition of every metric. */
  scrape(): Promise<string>;
  /** The content type of scrape()'s text (Prometheus text format 0.0.4). */
  readonly contentType: string;
}

/** Label value of commands outside the known set (keeps label cardinality bounded). */
export const OTHER_COMMAND = 'OTHER';

/** `kind` labels longer than this are cut, so an error label can never carry client text. */
const MAX_LABEL_CHARS = 32;

/**
 * prom-client is loaded by the first createMetrics(), not when this package is imported: every
 * process imports @minimail/protocol, and one that serves no /metrics (an IMAP-only container)
 * makes no registry and so never pays for prom-client's modules (~3 MiB resident).
 */
const require = createRequire(import.meta.url);

export function createMetrics(options: CreateMetricsOptions = {}): Metrics {
  const { collectDefaultMetrics, Counter, Gauge, Registry } = require('prom-client') as typeof PromClient;
  const registry = new Registry();
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'minimail_' });

  const connectionsOpen = new Gauge({
    name: 'minimail_connections_open',
    help: 'Connections open now, per protocol.',
    labelNames: ['protocol'] as const,
    registers: [registry],
  });
  const connectionsTotal = new Counter({
    name: 'minimail_connections_total',
    help: 'Connections accepted since start, per protocol.',
    labelNames: ['protocol'] as const,
    registers: [registry],
  });
  const connectionsRefused = new Counter({
    name: 'minimail_connections_refused_total',
    help: 'Connections refused before being served (connection limits), per protocol and reason.',
    labelNames: ['protocol', 'reason'] as const,
    registers: [registry],
  });
  const commands = new Counter({
    name: 'minimail_commands_total',
    help: 'Client commands, per protocol and command.',
    labelNames: ['protocol', 'command'] as const,
    registers: [registry],
  });
  const errors = new Counter({
    name: 'minimail_errors_total',
    help: 'Error replies and failed sessions, per protocol and kind.',
    labelNames: ['protocol', 'kind'] as const,
    registers: [registry],
  });
  const messages = new Counter({
    name: 'minimail_messages_total',
    help: 'Messages received (in) or served (out), per protocol.',
    labelNames: ['protocol', 'direction'] as const,
    registers: [registry],
  });
  const messageBytes = new Counter({
    name: 'minimail_message_bytes_total',
    help: 'Octets of the messages counted by minimail_messages_total.',
    labelNames: ['protocol', 'direction'] as const,
    registers: [registry],
  });
  const authFailures = new Counter({
    name: 'minimail_auth_failures_total',
    help: 'Failed logins, per protocol.',
    labelNames: ['protocol'] as const,
    registers: [registry],
  });
  const queue = options.outboundQueue;
  new Gauge({
    name: 'minimail_queue_depth',
    help: 'Outbound queue entries, per status (read from the store at scrape time).',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      if (queue === undefined) return;
      const counts = new Map<string, number>(QUEUE_STATUSES.map((status) => [status, 0]));
      for (const entry of await queue.listOutbound()) {
        counts.set(entry.status, (counts.get(entry.status) ?? 0) + 1);
      }
      this.reset();
      for (const [status, count] of counts) this.set({ status }, count);
    },
  });

  const forProtocol = (protocol: string, knownCommands: readonly string[]): ProtocolMetrics => {
    // Label sets are bound once here: prom-client hashes a label object on every inc(), which
    // costs about a microsecond, and commands and messages are counted on every round trip.
    const open = connectionsOpen.labels({ protocol });
    const accepted = connectionsTotal.labels({ protocol });
    const failedLogins = authFailures.labels({ protocol });
    const commandCounters = new Map<string, PromClient.Counter.Internal>();
    for (const name of [...knownCommands.map((known) => known.toUpperCase()), OTHER_COMMAND]) {
      commandCounters.set(name, commands.labels({ protocol, command: name }));
    }
    const other = commandCounters.get(OTHER_COMMAND)!;
    const byDirection = {
      in: {
        count: messages.labels({ protocol, direction: 'in' }),
        bytes: messageBytes.labels({ protocol, direction: 'in' }),
      },
      out: {
        count: messages.labels({ protocol, direction: 'out' }),
        bytes: messageBytes.labels({ protocol, direction: 'out' }),
      },
    };
    // Series appear at 0 once the listener exists, so rate() works from the first scrape.
    open.inc(0);
    accepted.inc(0);
    failedLogins.inc(0);
    return {
      connectionOpened() {
        open.inc();
        accepted.inc();
        let closed = false;
        return () => {
          if (closed) return;
          closed = true;
          open.dec();
        };
      },
      connectionRefused(reason) {
        connectionsRefused.inc({ protocol, reason: boundedLabel(reason) });
      },
      command(name) {
        (commandCounters.get(name) ?? commandCounters.get(name.toUpperCase()) ?? other).inc();
      },
      error(kind) {
        errors.inc({ protocol, kind: boundedLabel(kind) });
      },
      message(direction, bytes) {
        const counters = byDirection[direction];
        counters.count.inc();
        counters.bytes.inc(bytes);
      },
      authFailure() {
        failedLogins.inc();
      },
    };
  };

  return {
    registry,
    forProtocol,
    scrape: () => registry.metrics(),
    contentType: registry.contentType,
  };
}

/** Every status an outbound entry can have, reported even at 0 so alerts see the series. */
const QUEUE_STATUSES = ['queued', 'delivering', 'failed'] as const;

function boundedLabel(value: string): string {
  return value.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, MAX_LABEL_CHARS);
}
