import type { Socket } from 'node:net';
import {
  LIMITS,
  LineReader,
  LineTooLongError,
  TlsHandshakeError,
  Transcript,
  recordBodyPreview,
  transcriptSinks,
  upgradeToTls,
} from '@minimail/protocol';
import type { MessageAction, SessionRecorder, TranscriptSink } from '@minimail/protocol';
import type { Logger, SecureContextSource } from '@minimail/protocol';
import { DotStuffer } from './byte-stuffing.js';
import type { SecurityContext } from './capabilities.js';
import { COMMANDS } from './commands/index.js';
import type { CommandContext, SessionServices } from './commands/types.js';
import { ConnectionClosedError, replyForError } from './errors.js';
import { gate } from './gate.js';
import {
  MAX_AUTH_FAILURES_PER_SESSION,
  MAX_UNKNOWN_COMMANDS,
  MAX_COMMAND_LINE_BYTES,
  MAX_COMMAND_LINE_OCTETS,
  RETR_CHUNK_BYTES,
} from './limits.js';
import { parseCommandLine } from './parse.js';
import type { CommandLine } from './parse.js';
import { REPLIES } from './replies.js';
import { initialState } from './state.js';
import type { SessionState } from './state.js';
import { writePiecesWithBackpressure, writeWithBackpressure } from './socket-writer.js';

const CRLF = '\r\n';

/** After we end a connection, how long the peer gets to close its side before we destroy it. */
const END_GRACE_MS = 1_000;

export interface SessionOptions {
  socket: Socket;
  /** The socket is already TLS (the implicit-TLS listener). */
  secure: boolean;
  /** Certificate for STLS; null when STLS is not offered (no certificate, or implicit TLS). */
  stlsContext: SecureContextSource | null;
  services: SessionServices;
  logger: Logger;
  cid: string;
  remoteIp: string;
  idleTimeoutMs: number;
}

type EndReason =
  | 'quit'
  | 'client-closed'
  | 'idle'
  | 'line-too-long'
  | 'unknown-commands'
  | 'auth-failures'
  | 'shutdown'
  | 'tls-failed'
  | 'error';

/** Socket errors that only mean the client went away (a normal ending, not a server fault). */
const PEER_GONE_CODES = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED']);

function isPeerGone(error: unknown): boolean {
  if (error instanceof ConnectionClosedError) return true;
  return (
    error instanceof Error &&
    'code' in error &&
    typeof error.code === 'string' &&
    PEER_GONE_CODES.has(error.code)
  );
}

/**
 * One POP3 conversation: reads a command line, lets the gate pick the handler for the current
 * state, runs it to completion, and repeats. Commands are answered strictly in order, which is all
 * RFC 2449 6.6 PIPELINING asks.
 */
export class Pop3Session implements CommandContext {
  readonly services: SessionServices;
  readonly logger: Logger;
  readonly cid: string;
  readonly remoteIp: string;
  readonly security: SecurityContext;

  private socket: Socket;
  private readonly reader: LineReader;
  private readonly stlsContext: SecureContextSource | null;
  private readonly idleTimeoutMs: number;
  private state: SessionState = initialState();
  /** The user whose maildrop lock this session holds. */
  private lockedUserId: number | null = null;
  private closing = false;
  private waitingForCommand = false;
  private endReason: EndReason = 'client-closed';
  private unknownCommands = 0;
  private authFailures = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  /**
   * The conversation at debug level, credentials redacted (protocol demos). Lines go straight to
   * the log; none are kept in memory (maxLines 0).
   */
  private readonly transcript: TranscriptSink | null;
  /** The debug log's own transcript (bodies only as a size there), or null. */
  private readonly debugTranscript: Transcript | null;
  /** The recorded conversation (issue 16, docs/adr/0028); null when recording is off. */
  private readonly recorder: SessionRecorder | null;

  constructor(options: SessionOptions) {
    this.socket = options.socket;
    this.services = options.services;
    this.logger = options.logger;
    this.cid = options.cid;
    this.remoteIp = options.remoteIp;
    this.stlsContext = options.stlsContext;
    this.idleTimeoutMs = options.idleTimeoutMs;
    this.security = {
      profile: options.services.profile,
      secure: options.secure,
      stlsConfigured: options.stlsContext !== null && !options.secure,
    };
    this.recorder =
      options.services.recordings?.open({
        id: options.cid,
        protocol: 'pop3',
        remoteIp: options.remoteIp,
        tls: options.secure,
      }) ?? null;
    this.debugTranscript = this.logger.isLevelEnabled('debug')
      ? new Transcript({ maxLines: 0, onLine: (line) => this.logger.debug({ line }, 'pop3 transcript') })
      : null;
    this.transcript = transcriptSinks(this.debugTranscript, this.recorder);
    this.watchSocketErrors(this.socket);
    // The reader's bound is the SASL response's (RFC 5034 4 lets AUTH responses exceed the
    // command limit); each command line is read with RFC 2449's 255 octets (readCommandLine).
    this.reader = new LineReader(this.socket, {
      maxLineBytes: Math.max(MAX_COMMAND_LINE_BYTES, LIMITS.maxSaslResponseBytes),
    });
  }

  /** Serve the connection until it ends. Never rejects. */
  async run(): Promise<void> {
    try {
      this.touch();
      await this.reply(REPLIES.greeting(this.services.hostname));
      while (!this.closing) {
        const line = await this.readCommandLine();
        if (line === null) break;
        await this.dispatch(line);
      }
    } catch (error) {
      if (error instanceof TlsHandshakeError) {
        this.endReason = 'tls-failed';
        this.logger.info({ err: error }, 'pop3 STLS handshake failed');
      } else if (!isPeerGone(error)) {
        this.endReason = 'error';
        this.logger.warn({ err: error }, 'pop3 session failed');
      }
    } finally {
      clearTimeout(this.idleTimer);
      // RFC 1939 6: a session that ends without QUIT in TRANSACTION removes nothing; just unlock.
      await this.releaseMaildrop();
      this.logEnd();
      this.endSocket();
      this.recorder?.close();
    }
  }

  /**
   * Server shutdown: a session waiting for a command is told and closed now; one running a
   * command (e.g. QUIT's expunge) finishes it first.
   */
  shutdown(): void {
    if (this.closing) return;
    this.closing = true;
    this.endReason = 'shutdown';
    if (this.waitingForCommand) this.endSocket(REPLIES.shuttingDown);
  }

  // ---- CommandContext ------------------------------------------------------------------------

  link(mailboxId: number, uid: number, action: MessageAction): void {
    this.recorder?.link(mailboxId, uid, action);
  }

  setState(state: SessionState): void {
    this.state = state;
    if (state.kind === 'transaction') this.recorder?.user(state.user.address);
    if (state.kind === 'transaction') this.lockedUserId = state.user.id;
  }

  async reply(line: string): Promise<void> {
    this.transcript?.server(line);
    if (line.startsWith('-ERR')) this.services.metrics?.error(errorKind(line));
    await writeWithBackpressure(this.socket, line + CRLF);
  }

  async replyLines(status: string, lines: readonly string[]): Promise<void> {
    this.transcript?.server(status);
    this.transcript?.note(`[${lines.length} lines]`);
    let batch = status + CRLF;
    for (const line of lines) {
      // RFC 1939 3: byte-stuff lines that start with the termination octet.
      batch += (line.startsWith('.') ? '.' : '') + line + CRLF;
      if (batch.length >= RETR_CHUNK_BYTES) {
        await writeWithBackpressure(this.socket, batch);
        batch = '';
      }
    }
    await writeWithBackpressure(this.socket, batch + '.' + CRLF);
  }

  async replyBody(status: string, body: Buffer): Promise<void> {
    this.transcript?.server(status);
    this.debugTranscript?.note(`[message, ${body.length} octets before dot-stuffing]`);
    if (this.recorder) recordBodyPreview(this.recorder, 'S', body);
    const stuffer = new DotStuffer();
    let offset = 0;
    do {
      const end = Math.min(offset + RETR_CHUNK_BYTES, body.length);
      // One writev per chunk: the status line rides with the first chunk and the terminator with
      // the last, so a message under RETR_CHUNK_BYTES costs one syscall and one client wake-up
      // instead of three (the bench's per-RETR round trip was mostly those extra writes), and the
      // body is not copied to join them.
      const stuffed = stuffer.stuff(body.subarray(offset, end));
      const pieces: Buffer[] = [];
      if (offset === 0) pieces.push(Buffer.from(status + CRLF, 'latin1'));
      pieces.push(stuffed);
      if (end === body.length) pieces.push(stuffer.end());
      // A client that is reading, however slowly, is not idle.
      this.touch();
      await writePiecesWithBackpressure(this.socket, pieces);
      offset = end;
    } while (offset < body.length);
  }

  async readClientLine(): Promise<string | null> {
    this.touch();
    const line = await this.reader.readLine();
    if (line !== null) this.transcript?.client(line);
    return line === null ? null : line.toString('utf8');
  }

  async startTls(): Promise<void> {
    const context = this.stlsContext;
    if (context === null) throw new Error('STLS without a certificate');
    // RFC 2595 4 / RFC 3207 4.2: nothing the client pipelined behind STLS may be read as a
    // command, so the plaintext reader lets go of the socket and drops what it buffered.
    this.reader.detach();
    const discarded = this.reader.discardBuffered();
    if (discarded > 0) this.logger.info({ discarded }, 'pop3 discarded bytes pipelined after STLS');
    await this.reply(REPLIES.stlsGo);
    // A failed handshake rejects (the socket is already destroyed) and ends the session.
    const secure = await upgradeToTls(this.socket, context);
    this.socket = secure;
    this.watchSocketErrors(secure);
    this.security.secure = true;
    this.security.stlsConfigured = false;
    this.recorder?.tls();
    // RFC 2595 4: the client must forget what it knew; nothing from before STLS carries over.
    this.state = initialState();
    this.reader.attach(secure);
  }

  async releaseMaildrop(): Promise<void> {
    const userId = this.lockedUserId;
    if (userId === null) return;
    this.lockedUserId = null;
    try {
      await this.services.store.unlockMaildrop(userId, this.cid);
    } catch (error) {
      // The lock is also released when this process exits (the store checks its holder).
      this.logger.error({ err: error }, 'pop3 could not unlock maildrop');
    }
  }

  countAuthFailure(): boolean {
    this.authFailures += 1;
    if (this.authFailures < MAX_AUTH_FAILURES_PER_SESSION) return false;
    this.endReason = 'auth-failures';
    return true;
  }

  close(): void {
    this.closing = true;
    if (this.endReason === 'client-closed') this.endReason = 'quit';
  }

  // ---- the loop ------------------------------------------------------------------------------

  /** The next command line; null when the session is over (client gone, or a fatal line). */
  private async readCommandLine(): Promise<Buffer | null> {
    this.waitingForCommand = true;
    this.touch();
    try {
      // An overlong line is dropped as it streams in, never buffered past the limit.
      const line = await this.reader.readLine(MAX_COMMAND_LINE_BYTES);
      if (line === null || this.closing) return null;
      this.transcript?.client(line);
      return line;
    } catch (error) {
      if (!(error instanceof LineTooLongError)) throw error;
    } finally {
      this.waitingForCommand = false;
    }
    // RFC 2449 4: over 255 octets. We answer and hang up (docs/adr/0007-pop3-server.md).
    this.transcript?.note(`[line over ${MAX_COMMAND_LINE_OCTETS} octets]`);
    this.endReason = 'line-too-long';
    await this.reply(REPLIES.lineTooLong);
    return null;
  }

  private async dispatch(line: Buffer): Promise<void> {
    const command = parseCommandLine(line);
    try {
      await this.answer(command);
    } finally {
      // Counted once the reply is with the socket, where the client no longer waits for it.
      // Unknown keywords are counted as OTHER by the metrics, so garbage adds no series.
      this.services.metrics?.command(command?.keyword ?? '');
    }
  }

  private async answer(command: CommandLine | null): Promise<void> {
    const decision = command ? gate(COMMANDS, command, this.state) : ({ kind: 'unknown' } as const);
    if (decision.kind === 'wrong-state') return this.reply(REPLIES.wrongState);
    if (decision.kind === 'unknown') {
      this.unknownCommands += 1;
      if (this.unknownCommands >= MAX_UNKNOWN_COMMANDS) {
        this.endReason = 'unknown-commands';
        this.closing = true;
        return this.reply(REPLIES.tooManyUnknownCommands);
      }
      return this.reply(REPLIES.unknownCommand);
    }
    try {
      await decision.run(this);
    } catch (error) {
      if (error instanceof ConnectionClosedError || this.socket.destroyed) throw error;
      if (error instanceof LineTooLongError) {
        // An overlong SASL response: same treatment as an overlong command line.
        this.endReason = 'line-too-long';
        this.closing = true;
        return this.reply(REPLIES.lineTooLong);
      }
      // Bad input or store trouble: -ERR, and the session goes on.
      this.logger.error({ err: error, command: command?.keyword }, 'pop3 command failed');
      return this.reply(replyForError(error));
    }
  }

  private touch(): void {
    // Called for every command and every RETR chunk: re-arming the one timer is cheaper than
    // clearing it and allocating a new one each time.
    if (this.idleTimer) this.idleTimer.refresh();
    else this.idleTimer = setTimeout(() => this.onIdle(), this.idleTimeoutMs);
  }

  /** RFC 1939 3: the autologout timer. The session ends without entering UPDATE. */
  private onIdle(): void {
    this.endReason = 'idle';
    this.closing = true;
    this.endSocket(REPLIES.idleTimeout);
  }

  private logEnd(): void {
    const state = this.state;
    const fields =
      state.kind === 'authorization'
        ? { user: null, retrieved: 0, deleted: 0 }
        : state.kind === 'transaction'
          ? { user: state.user.address, retrieved: state.maildrop.retrieved, deleted: 0 }
          : { user: state.user.address, retrieved: state.retrieved, deleted: state.deleted };
    this.logger.info({ ...fields, reason: this.endReason }, 'pop3 session end');
  }

  /** Send a last line if given, close our side, and destroy the socket if the peer lingers. */
  private endSocket(lastLine?: string): void {
    const socket = this.socket;
    if (socket.destroyed) return;
    if (lastLine !== undefined && socket.writable) {
      this.transcript?.server(lastLine);
      socket.write(lastLine + CRLF);
    }
    socket.end();
    setTimeout(() => socket.destroy(), END_GRACE_MS).unref();
  }

  private watchSocketErrors(socket: Socket): void {
    // Resets and broken pipes are normal endings for a mail client; the loop sees the close.
    socket.on('error', (error) => this.logger.debug({ err: error }, 'pop3 socket error'));
  }
}

/** The metrics kind of an -ERR reply: its RFC 2449 response code (e.g. `AUTH`, `SYS/TEMP`) or `ERR`. */
function errorKind(line: string): string {
  return /^-ERR \[([A-Z/-]+)\]/.exec(line)?.[1] ?? 'ERR';
}
