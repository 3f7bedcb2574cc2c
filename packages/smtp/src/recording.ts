import type { ProtocolMetrics, RecordedProtocol, SessionRecorder, Recordings } from '@minimail/protocol';

/** The part of smtp-server's bunyan-style logger interface we implement. */
export interface BunyanLike {
  trace(...args: unknown[]): void;
  debug(...args: unknown[]): void;
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
  fatal(...args: unknown[]): void;
}

interface LogRecord {
  tnx?: unknown;
  cid?: unknown;
  host?: unknown;
  command?: unknown;
}

/**
 * Records the conversations of one SMTP listener (issue 16). smtp-server has no line hook, but it
 * reports every command line it reads (`C:`, AUTH payloads already replaced by `/* secured *\/`)
 * and every reply it writes (`S:`) to its documented `logger` option, keyed by connection id
 * (session.id), with `connection` and `close` records around them. This logger turns those into
 * the protocol package's SessionRecorder calls; the Transcript masks credentials once more.
 */
export class SmtpRecordings {
  private readonly open = new Map<string, { recorder: SessionRecorder; startTlsAsked: boolean }>();

  constructor(
    private readonly book: Recordings,
    private readonly protocol: RecordedProtocol,
    private readonly implicitTls: boolean,
  ) {}

  /** The recorder of a connection (session.id), while it is open. */
  get(cid: string): SessionRecorder | undefined {
    return this.open.get(cid)?.recorder;
  }

  /** smtp-server's logger: records lines, and counts commands into `metrics` when given. */
  logger(metrics: ProtocolMetrics | undefined): BunyanLike {
    const ignore = (): void => {};
    return {
      trace: ignore,
      debug: (entry: unknown, _format: unknown, line: unknown) => {
        const record = asRecord(entry);
        if (record === null) return;
        if (record.tnx === 'command' && typeof record.command === 'string') metrics?.command(record.command);
        if (typeof record.cid !== 'string' || (typeof line !== 'string' && !Buffer.isBuffer(line))) return;
        const open = this.open.get(record.cid);
        if (open === undefined) return;
        const text = line.toString();
        const user = (entry as { user?: unknown }).user;
        if (open.recorder.record.user === null && typeof user === 'object' && user !== null) {
          const address = (user as { address?: unknown }).address;
          if (typeof address === 'string') open.recorder.user(address);
        }
        if (record.tnx === 'command') {
          open.recorder.client(text);
          open.startTlsAsked = /^STARTTLS\s*$/i.test(text);
        } else if (record.tnx === 'send') {
          for (const reply of text.split('\r\n')) open.recorder.server(reply);
          // RFC 3207 4: after "220 Ready to start TLS" the conversation restarts inside TLS.
          if (open.startTlsAsked && text.startsWith('220')) open.recorder.tls();
          open.startTlsAsked = false;
        }
      },
      info: (entry: unknown) => {
        const record = asRecord(entry);
        if (record === null || typeof record.cid !== 'string') return;
        if (record.tnx === 'connection' && !this.open.has(record.cid)) {
          const recorder = this.book.open({
            id: record.cid,
            protocol: this.protocol,
            remoteIp: typeof record.host === 'string' ? record.host : '',
            tls: this.implicitTls,
          });
          this.open.set(record.cid, { recorder, startTlsAsked: false });
        } else if (record.tnx === 'close') {
          this.open.get(record.cid)?.recorder.close();
          this.open.delete(record.cid);
        }
      },
      warn: ignore,
      error: ignore,
      fatal: ignore,
    };
  }
}

function asRecord(entry: unknown): LogRecord | null {
  return typeof entry === 'object' && entry !== null ? (entry as LogRecord) : null;
}
