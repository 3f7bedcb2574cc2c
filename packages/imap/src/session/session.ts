/**
 * One IMAP connection: reads commands one at a time (pipelined commands are answered in order),
 * parses them, asks the gate, runs the command's handler, announces mailbox changes at the
 * moments RFC 3501 7.4.1 allows, and writes the tagged completion.
 */
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import {
  TlsHandshakeError,
  Transcript,
  sessionLogger,
  transcriptSinks,
  upgradeToTls,
  type ConnectionInfo,
  type Logger,
  type MessageAction,
  type SessionRecorder,
  type TranscriptSink,
} from '@minimail/protocol';
import { recordImapResponses } from './transcript-lines.js';
import type { Mailbox, ImapStore, User } from '@minimail/store';
import { capabilityList } from '../capabilities.js';
import { replyForError, bad } from '../errors.js';
import type { ImapCommand } from '../protocol/commands.js';
import { continuation, tagged, untaggedStatus, responseCode, atom } from '../protocol/compiler.js';
import { ImapWireError } from '../protocol/errors.js';
import { describeFrame, isIdleDone, type CommandFrame } from '../protocol/frame.js';
import { parseCommand } from '../protocol/parser.js';
import type { ServerContext } from '../server-context.js';
import { CommandStream, type StreamEvent } from './command-stream.js';
import { CompressedStream } from './compression.js';
import { ConnectionClosedError, Output } from './output.js';
import type { CommandCompletion, CommandContext, CommandSpec } from './command-spec.js';
import { EnabledExtensions, type Extension, type ExtensionHooks } from './extensions.js';
import { gateRefusal } from './gate.js';
import { MailboxView } from './mailbox-view.js';
import { utf8MailboxNames } from './rev2.js';
import { SessionNotify } from './notify-state.js';
import { sendNewMessages } from './notify-new-messages.js';
import type { SessionState } from './state.js';

/** RFC 7888 4: the largest non-synchronizing literal LITERAL- alone allows. */
const LITERAL_MINUS_MAX = 4096;

/** RFC 5465 5.4 / 5.5: commands after which the user's mailbox list is re-read for NOTIFY. */
const LIST_CHANGING: ReadonlySet<string> = new Set([
  'CREATE',
  'DELETE',
  'RENAME',
  'SUBSCRIBE',
  'UNSUBSCRIBE',
]);

/** What a handler that has nothing left to do returns (one shared settled promise). */
const SETTLED: Promise<void> = Promise.resolve();

export class Session {
  private state: SessionState = { kind: 'notAuthenticated' };
  private secure: boolean;
  /** RFC 4978: COMPRESS DEFLATE is active (it cannot be undone or repeated). */
  private compressed = false;
  private readonly stream: CommandStream;
  private readonly output: Output;
  /** The session's child logger, made on first use (most sessions never log a line, issue 20). */
  private sessionLog: Logger | null = null;
  /** The conversation at debug level (credentials and literals hidden), for demos and debugging. */
  private readonly transcript: TranscriptSink | null;
  /** The debug log's own transcript (literals only as a size there), or null. */
  private readonly debugTranscript: Transcript | null;
  /** The recorded conversation (issue 16, docs/adr/0028); null when recording is off. */
  private readonly recorder: SessionRecorder | null;
  private commandsBeforeAuth = 0;
  private failedAuth = 0;
  private consecutiveBad = 0;
  private idling = false;
  /** RFC 5161 ENABLE and RFC 7162 3.1 enabling commands: lasts until the connection ends. */
  private readonly enabled = new EnabledExtensions();
  /** Set when the session must end after the current reply (`* BYE` already sent). */
  private closing = false;
  /** `* BYE` text to send once the current command has been answered. */
  private byeAfterReply: string | null = null;
  /** RFC 5465 NOTIFY settings; null until the first NOTIFY (most sessions never send one). */
  private notifyState: SessionNotify | null = null;

  constructor(
    socket: Socket | TLSSocket,
    private readonly info: ConnectionInfo,
    private readonly server: ServerContext,
  ) {
    this.secure = info.secure;
    this.stream = new CommandStream(
      socket,
      info.signal,
      undefined,
      server.literalPlus ? undefined : LITERAL_MINUS_MAX,
      server.spool,
    );
    this.output = new Output(socket);
    this.recorder =
      server.recordings?.open({
        id: info.id,
        protocol: 'imap',
        remoteIp: info.remoteAddress,
        tls: info.secure,
      }) ?? null;
    this.debugTranscript = server.logger.isLevelEnabled('debug')
      ? new Transcript({ maxLines: 0, onLine: (line) => this.logger.debug({ line }, 'imap transcript') })
      : null;
    this.transcript = transcriptSinks(this.debugTranscript, this.recorder);
  }

  /**
   * The session's logger (with its connection id and address). A pino child costs ~1 KiB of heap
   * per connection, so it is made when the session first logs, not for every idle connection.
   */
  private get logger(): Logger {
    return (this.sessionLog ??= sessionLogger(this.server.logger, {
      cid: this.info.id,
      proto: 'imap',
      remote: this.info.remoteAddress,
    }));
  }

  /** The connection's socket, plain or (after STARTTLS) TLS; the output holds the one reference. */
  private get socket(): Socket | TLSSocket {
    return this.output.socket;
  }

  async run(): Promise<void> {
    const debug = this.server.logger.isLevelEnabled('debug');
    if (debug) this.logger.debug('connected');
    try {
      await this.send(
        untaggedStatus('OK', this.capabilityCode(), `${this.server.hostname} minimail IMAP4rev1 ready`),
      );
      while (!this.closing) {
        await this.handleEvent(await this.nextEvent());
        if (this.byeAfterReply !== null) await this.bye(this.byeAfterReply);
      }
    } catch (error) {
      if (!(error instanceof ConnectionClosedError)) await this.failSession(error);
    } finally {
      this.leaveMailbox();
      // Every change-feed watch and hub subscription of NOTIFY ends with the connection.
      this.notifyState?.close();
      this.state = { kind: 'logout' };
      await this.output.flush().catch((error: unknown) => {
        if (!(error instanceof ConnectionClosedError)) throw error;
      });
      this.socket.end();
      this.recorder?.close();
      if (debug) this.logger.debug('disconnected');
    }
  }

  /**
   * Something outside any one command failed (e.g. the store while announcing changes): log it,
   * tell the client, and end only this session. A connection never takes the process down.
   */
  private async failSession(error: unknown): Promise<void> {
    this.logger.error({ err: error }, 'session failed');
    try {
      await this.bye('Internal server error');
    } catch (writeError) {
      if (!(writeError instanceof ConnectionClosedError)) throw writeError;
    }
  }

  /**
   * Handles one event from the client. Not async, and neither is handleFrame: each hands back the
   * promise of the work itself, so run() awaits a long command (IDLE) directly, without a promise
   * per level in between (each awaiting async level measured ~0.4 KiB of heap per idle connection,
   * 100,000 of them under --expose-gc; 10,000 IDLE clients, issue 6).
   */
  private handleEvent(event: StreamEvent): Promise<void> {
    switch (event.kind) {
      case 'end':
        this.closing = true;
        return SETTLED;
      case 'timeout':
        // RFC 3501 5.4: autologout.
        return this.bye('Autologout; idle for too long');
      case 'shutdown':
        return this.bye('Server shutting down');
      case 'poke':
        // RFC 5465: NOTIFY delivers between commands too, not only in IDLE.
        return this.pushNotifications();
      case 'continue':
        // RFC 3501 7.5: ready for the rest of a synchronizing literal.
        return this.send(continuation('Ready for literal data'));
      case 'error':
        return this.unreadable(event.error);
      case 'command':
        return this.handleFrame(event.frame);
    }
  }

  private async unreadable(error: ImapWireError): Promise<void> {
    await this.answerWireError(error);
    if (error.closeConnection || this.stream.failed)
      await this.bye('Cannot continue reading this connection');
  }

  private handleFrame(frame: CommandFrame): Promise<void> {
    // Literals appear as their size only: APPEND bodies and literal passwords stay out of logs.
    this.transcript?.client(describeFrame(frame));
    let command: ImapCommand;
    try {
      // RFC 5182: SEARCHRES is advertised, so `$` is a sequence set everywhere one is allowed.
      // RFC 6855 3 / RFC 9051 5.1: after ENABLE UTF8=ACCEPT or IMAP4rev2 mailbox names are UTF-8.
      command = parseCommand(frame, { allowSavedResult: true, utf8: utf8MailboxNames(this.enabled) });
    } catch (error) {
      if (!(error instanceof ImapWireError)) throw error;
      // RFC 5182 2.1: a SEARCH ... RETURN (SAVE) answered NO or BAD empties the saved result.
      if (error.resetsSavedResult && this.state.kind === 'selected') this.state.view.savedResult = [];
      this.logger.debug(
        { command: describeFrame(frame).slice(0, 200), err: error.message },
        'unparsable command',
      );
      // The keyword is counted even when its arguments did not parse (unknown words are OTHER).
      this.server.metrics?.command(commandKeyword(frame));
      return this.answerWireError(error);
    }
    this.server.metrics?.command(command.name);
    if (this.state.kind === 'notAuthenticated') {
      this.commandsBeforeAuth += 1;
      if (this.commandsBeforeAuth > this.server.limits.maxCommandsBeforeAuth) {
        return this.bye('Too many commands before login');
      }
    }
    const spec = this.server.commands[command.name] as unknown as CommandSpec;
    const refusal = gateRefusal(spec, this.state);
    if (refusal !== null) {
      if (refusal.status === 'BAD') this.countBad();
      return this.complete(command.tag, refusal.status, refusal.code, refusal.text);
    }
    return this.execute(spec, command);
  }

  private async execute(spec: CommandSpec, command: ImapCommand): Promise<void> {
    let completion: CommandCompletion;
    let status: 'OK' | 'NO' | 'BAD' = 'OK';
    try {
      completion = await spec.handler(this.context(command.tag), command as never);
      this.consecutiveBad = 0;
    } catch (error) {
      if (error instanceof ConnectionClosedError) throw error;
      const { error: reply, internal } = replyForError(error);
      if (internal !== null) this.logger.error({ err: internal, command: command.name }, 'command failed');
      status = reply.status;
      completion = { code: reply.code, text: reply.message };
      if (status === 'BAD') this.countBad();
    }
    // RFC 5465 5.4 / 5.5: this process's other NOTIFY sessions (and this one) hear of it at once.
    const user =
      this.state.kind === 'authenticated' || this.state.kind === 'selected' ? this.state.user : null;
    if (status === 'OK' && user !== null && LIST_CHANGING.has(command.name))
      await this.server.notifyHub.refresh(user.id);
    // RFC 3501 7.4.1: no EXPUNGE during FETCH, STORE, SEARCH (their UID forms may).
    const allowExpunge = (spec.expungeNotices ?? 'always') === 'always' || command.uid;
    await this.announceChanges(allowExpunge);
    // A code computed once the changes were told (RFC 7162 3.2.7 HIGHESTMODSEQ after EXPUNGE).
    const code = typeof completion.code === 'function' ? completion.code() : (completion.code ?? null);
    await this.complete(command.tag, status, code, completion.text);
    if (status === 'OK' && completion.afterReply) await completion.afterReply();
    // RFC 3501 6.1.3: after LOGOUT's OK the server closes the connection.
    if (this.state.kind === 'logout') this.closing = true;
  }

  /** Sends what other sessions changed in the selected mailbox since we last told the client. */
  private async announceChanges(allowExpunge: boolean, deferFlags = false): Promise<void> {
    if (this.state.kind === 'selected') {
      const view = this.state.view;
      const before = view.highestUid;
      await view.announce({ allowExpunge, condstore: this.enabled.has('CONDSTORE'), deferFlags });
      // RFC 5465 5.2: MessageNew's fetch-att for the new messages, right after their EXISTS.
      const items = this.notifyState?.newMessageItems ?? null;
      if (items !== null && view.highestUid > before) await sendNewMessages(this.server, view, before, items);
      if (view.gone) await this.checkSelectedMailbox(view);
    }
    // RFC 5465: STATUS and LIST notifications about other mailboxes.
    if (this.notifyState?.pending) await this.notifyState.flush();
  }

  /**
   * RFC 5465: a change arrived while no command runs. The selected mailbox's changes are pushed
   * only as its `selected`/`selected-delayed` filter asks (EXPUNGE only with `selected`, whose
   * client gave up on stable sequence numbers); the rest waits for the next command.
   */
  private pushNotifications(): Promise<void> {
    const notify = this.notifyState;
    if (notify === null || this.closing) return SETTLED;
    const push = notify.selectedPush;
    if (push === null || this.state.kind !== 'selected') return notify.pending ? notify.flush() : SETTLED;
    return this.announceChanges(push.allowExpunge, !push.flags);
  }

  /** The selected mailbox was renamed or deleted by someone: follow a rename, leave on delete. */
  private async checkSelectedMailbox(view: MailboxView): Promise<void> {
    view.gone = false;
    const mailbox = await this.server.store.getMailboxById(view.mailboxId);
    if (mailbox && !mailbox.noselect && mailbox.uidValidity === view.uidValidity) {
      view.name = mailbox.name;
      return;
    }
    await this.bye('Selected mailbox was deleted');
  }

  private async answerWireError(error: ImapWireError): Promise<void> {
    if (error.status === 'BAD') this.countBad();
    if (error.tag !== null) {
      await this.complete(error.tag, error.status, error.responseCode, error.message);
      return;
    }
    // RFC 3501 7.1.3: an untagged BAD for a line whose tag could not be read.
    this.server.metrics?.error('BAD');
    await this.send(untaggedStatus('BAD', error.responseCode, error.message));
  }

  /** The tagged completion of a command; NO and BAD are counted as errors by their status. */
  private async complete(
    tag: string,
    status: 'OK' | 'NO' | 'BAD',
    code: string | null,
    text: string,
  ): Promise<void> {
    if (status !== 'OK') this.server.metrics?.error(status);
    await this.send(tagged(tag, status, code, text));
  }

  /** A peer that keeps sending nonsense is told BYE once its last BAD has been answered. */
  private countBad(): void {
    this.consecutiveBad += 1;
    if (this.consecutiveBad >= this.server.limits.maxConsecutiveBad)
      this.byeAfterReply = 'Too many invalid commands';
  }

  private async bye(text: string): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    await this.send(untaggedStatus('BYE', null, text));
  }

  private capabilityCode(): string {
    return responseCode('CAPABILITY', ...this.capabilities().map((name) => atom(name)));
  }

  private capabilities(): string[] {
    return capabilityList({
      state: this.state.kind,
      secure: this.secure,
      tlsAvailable: this.server.secureContext !== null,
      profile: this.server.profile,
      literalPlus: this.server.literalPlus,
    });
  }

  async send(data: Buffer): Promise<void> {
    if (this.debugTranscript) this.recordServer(this.debugTranscript, data);
    // The recording keeps every response line, and a preview of each literal (issue 16).
    if (this.recorder) recordImapResponses(this.recorder, data);
    await this.output.send(data);
  }

  /**
   * Everything sent so far reaches the socket, then the next client event (the only place the
   * session waits). Not async: when the socket takes the output at once, the wait is the stream's
   * own promise and nothing more. A client that is gone throws ConnectionClosedError.
   */
  private nextEvent(): Promise<StreamEvent> {
    const timeoutMs = this.server.limits.autologoutMs;
    const draining = this.output.flushNow();
    return draining === null ? this.stream.next(timeoutMs) : draining.then(() => this.stream.next(timeoutMs));
  }

  /** First line of a response; what follows (literal data, more lines) only as a size. */
  private recordServer(transcript: Transcript, data: Buffer): void {
    const end = data.indexOf('\r\n');
    transcript.server(end === -1 ? data : data.subarray(0, end));
    if (end !== -1 && end + 2 < data.length) transcript.note(`[${data.length - end - 2} more octets]`);
  }

  private setState(next: SessionState): void {
    if (this.state.kind === 'selected' && (next.kind !== 'selected' || next.view !== this.state.view)) {
      this.state.view.close();
    }
    this.state = next;
  }

  private leaveMailbox(): void {
    if (this.state.kind === 'selected') this.state.view.close();
  }

  private async readContinuation(prompt: string): Promise<string | null> {
    // RFC 4959 3 / RFC 3501 7.5: an empty SASL challenge is "+ " with nothing after it.
    await this.send(prompt === '' ? Buffer.from('+ \r\n') : continuation(prompt));
    for (;;) {
      const event = await this.nextEvent();
      switch (event.kind) {
        case 'command':
          this.transcript?.client(describeFrame(event.frame));
          return event.frame.segments.join('');
        case 'error':
          throw bad(event.error.message);
        case 'poke':
        case 'continue':
          continue;
        default:
          this.closing = true;
          return null;
      }
    }
  }

  /** RFC 2177: announce changes as they happen until the client sends DONE. */
  private async idle(): Promise<boolean> {
    await this.send(continuation('idling'));
    this.idling = true;
    try {
      for (;;) {
        await this.announceChanges(true);
        if (this.closing) return false;
        const event = await this.nextEvent();
        switch (event.kind) {
          case 'poke':
            continue;
          case 'command':
            this.transcript?.client(describeFrame(event.frame));
            if (isIdleDone(event.frame)) return true;
            throw bad('Expected DONE');
          case 'continue':
            await this.send(continuation('Ready for literal data'));
            continue;
          case 'error':
            throw bad(event.error.message);
          case 'timeout':
            await this.bye('Autologout; idle for too long');
            return false;
          case 'shutdown':
            await this.bye('Server shutting down');
            return false;
          case 'end':
            this.closing = true;
            return false;
        }
      }
    } finally {
      this.idling = false;
      this.stream.clearPoke();
    }
  }

  private async startTls(): Promise<void> {
    const context = this.server.secureContext;
    if (!context) throw new Error('STARTTLS without a certificate (the capability gate should prevent this)');
    // The OK must reach the client in plaintext before the handshake starts.
    await this.output.flush();
    // RFC 3501 6.2.1 / RFC 2595 3.1: nothing pipelined after STARTTLS is executed.
    this.stream.detachAndDiscard();
    let secure: TLSSocket;
    try {
      secure = await upgradeToTls(this.socket as Socket, context);
    } catch (error) {
      // A client that cannot or will not finish the handshake is not a server fault.
      if (!(error instanceof TlsHandshakeError)) throw error;
      this.logger.info({ err: error }, 'STARTTLS handshake failed');
      this.closing = true;
      throw new ConnectionClosedError('TLS handshake failed');
    }
    this.output.socket = secure;
    this.secure = true;
    this.recorder?.tls();
    this.stream.attach(secure);
  }

  /**
   * RFC 4978 3: after the tagged OK of COMPRESS, everything both ways is DEFLATE-compressed. The
   * OK leaves uncompressed; a conforming client sends nothing more before it, so anything already
   * buffered is dropped (as after STARTTLS), and the compressed stream takes the socket's place
   * under the reader and the writer.
   */
  private async startCompression(): Promise<void> {
    await this.output.flush();
    this.stream.detachAndDiscard();
    const compressed = new CompressedStream(this.socket);
    // The reader and writer use only what a Duplex shares with a socket (data/end/close/error,
    // pause/resume, write/drain, end, destroyed/writable).
    const socket = compressed as unknown as Socket;
    this.output.socket = socket;
    this.stream.attach(socket);
    this.compressed = true;
  }

  /**
   * What enabling an extension may do to the session (session/extensions.ts): the session is its
   * own ExtensionHooks, a method on the prototype rather than an object and a closure per session.
   * RFC 7162 3.1: the first CONDSTORE enabling command issued while a mailbox is selected is
   * answered with that mailbox's HIGHESTMODSEQ, so the client learns where it starts from.
   */
  announceHighestModseq(): Promise<void> {
    return this.state.kind === 'selected' ? this.state.view.announceHighestModseq() : SETTLED;
  }

  /** Per-connection count only: the throttle and metrics are the login policy's (authenticate-user.ts). */
  private async authFailed(_account: string | null): Promise<void> {
    this.failedAuth += 1;
    if (this.failedAuth >= this.server.limits.maxFailedAuthPerConnection)
      this.byeAfterReply = 'Too many failed login attempts';
  }

  private authSucceeded(user: User): void {
    this.recorder?.user(user.address);
    this.setState({ kind: 'authenticated', user });
  }

  private context(tag: string): CommandContext {
    return new Session.CommandContext(tag, this);
  }

  /**
   * The handle a command handler gets. A class with its methods on the prototype, not an object
   * literal of closures: the context of a long command (IDLE) lives as long as the command, and
   * fifteen closures plus a dictionary-mode object cost ~1.7 KiB for each idle connection.
   * Declared inside Session so that it may reach the session's private members.
   */
  private static readonly CommandContext = class implements CommandContext {
    constructor(
      readonly tag: string,
      private readonly session: Session,
    ) {}
    get server(): ServerContext {
      return this.session.server;
    }
    get store(): ImapStore {
      return this.session.server.store;
    }
    get logger(): Logger {
      return this.session.logger;
    }
    get state(): SessionState {
      return this.session.state;
    }
    get secure(): boolean {
      return this.session.secure;
    }
    get compressed(): boolean {
      return this.session.compressed;
    }
    startCompression(): Promise<void> {
      return this.session.startCompression();
    }
    get enabled(): { has(name: Extension): boolean } {
      return this.session.enabled;
    }
    get remoteAddress(): string {
      return this.session.info.remoteAddress;
    }
    enable(name: string): Promise<boolean> {
      const hooks: ExtensionHooks = this.session;
      return this.session.enabled.enable(name, hooks);
    }
    send(data: Buffer): Promise<void> {
      return this.session.send(data);
    }
    setState(state: SessionState): void {
      this.session.setState(state);
    }
    capabilities(): string[] {
      return this.session.capabilities();
    }
    readContinuation(prompt: string): Promise<string | null> {
      return this.session.readContinuation(prompt);
    }
    startTls(): Promise<void> {
      return this.session.startTls();
    }
    idle(): Promise<boolean> {
      return this.session.idle();
    }
    openView(mailbox: Mailbox, readOnly: boolean): Promise<MailboxView> {
      const session = this.session;
      return MailboxView.open(
        session.server.store,
        mailbox,
        readOnly,
        session.server.recent,
        (data) => session.send(data),
        () => {
          if (session.idling || session.notifyState?.selectedPush) session.stream.poke();
        },
        session.enabled,
      );
    }
    authSucceeded(user: User): void {
      this.session.authSucceeded(user);
    }
    notify(): SessionNotify {
      const session = this.session;
      session.notifyState ??= new SessionNotify({
        store: session.server.store,
        hub: session.server.notifyHub,
        limits: session.server.limits,
        send: (data) => session.send(data),
        poke: () => session.stream.poke(),
        enabled: session.enabled,
        selectedId: () => (session.state.kind === 'selected' ? session.state.view.mailboxId : null),
      });
      return session.notifyState;
    }
    authFailed(account: string | null): Promise<void> {
      return this.session.authFailed(account);
    }
    link(
      mailboxId: number,
      uid: number,
      action: MessageAction,
      to?: { mailboxId: number; uid: number },
    ): void {
      this.session.recorder?.link(mailboxId, uid, action, to);
    }
  };
}

/**
 * The command word of a frame (after the tag, and after `UID`), for the metrics label of a
 * command whose arguments did not parse. Metrics count words outside IMAP_COMMAND_NAMES as OTHER.
 */
function commandKeyword(frame: CommandFrame): string {
  const words = (frame.segments[0] ?? '').split(' ', 3);
  const name = words[1] ?? '';
  return name.toUpperCase() === 'UID' ? (words[2] ?? '') : name;
}
