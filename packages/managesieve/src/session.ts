/**
 * One ManageSieve conversation (RFC 5804): the greeting (capabilities and OK), then commands read
 * by the wire module, checked by one gate (known, allowed in this state, argument count), and run
 * one at a time. Bad input gets NO or, past the limits, BYE; the session never throws at the server.
 */
import type { Socket } from 'node:net';
import { LineReader, TlsHandshakeError, upgradeToTls } from '@minimail/protocol';
import type { Logger, SecureContextSource } from '@minimail/protocol';
import { capabilityLines } from './capabilities.js';
import { COMMANDS } from './commands/index.js';
import type { CommandContext, SessionServices } from './commands/types.js';
import { MAX_AUTH_FAILURES, MAX_BAD_COMMANDS } from './limits.js';
import type { SessionState } from './state.js';
import { ProtocolError, readCommand, response, type Word } from './wire.js';

export interface SessionOptions {
  socket: Socket;
  secure: boolean;
  starttls: SecureContextSource | null;
  services: SessionServices;
  logger: Logger;
  remoteIp: string;
  idleTimeoutMs: number;
}

export class ManageSieveSession implements CommandContext {
  readonly services: SessionServices;
  readonly logger: Logger;
  readonly remoteIp: string;
  state: SessionState = { kind: 'anonymous' };
  secure: boolean;
  private socket: Socket;
  private readonly reader: LineReader;
  private readonly starttls: SecureContextSource | null;
  private ending = false;
  private authFailures = 0;
  private badCommands = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  private readonly idleTimeoutMs: number;

  constructor(options: SessionOptions) {
    this.socket = options.socket;
    this.secure = options.secure;
    this.starttls = options.starttls;
    this.services = options.services;
    this.logger = options.logger;
    this.remoteIp = options.remoteIp;
    this.idleTimeoutMs = options.idleTimeoutMs;
    this.reader = new LineReader(this.socket);
    this.socket.on('error', () => undefined);
  }

  get starttlsAvailable(): boolean {
    return this.starttls !== null;
  }

  setState(state: SessionState): void {
    this.state = state;
  }

  capabilities(): string[] {
    return capabilityLines({
      secure: this.secure,
      starttls: this.starttls !== null,
      authenticated: this.state.kind === 'authenticated',
      profile: this.services.profile,
    });
  }

  send(text: string): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.destroyed) return resolve();
      this.socket.write(text, () => resolve());
    });
  }

  async startTls(ok: string): Promise<void> {
    const context = this.starttls;
    if (context === null) throw new Error('STARTTLS without a certificate');
    // RFC 5804 2.2: nothing pipelined behind STARTTLS may be read as a command.
    this.reader.detach();
    this.reader.discardBuffered();
    await this.send(ok);
    const secure = await upgradeToTls(this.socket, context);
    secure.on('error', () => undefined);
    this.socket = secure;
    this.secure = true;
    // RFC 5804 2.2: the client must forget what it learned before TLS.
    this.state = { kind: 'anonymous' };
    this.reader.attach(secure);
  }

  readContinuation(): Promise<Word[] | null> {
    return readCommand(this.reader);
  }

  countAuthFailure(): boolean {
    return ++this.authFailures >= MAX_AUTH_FAILURES;
  }

  end(): void {
    this.ending = true;
  }

  shutdown(): void {
    if (this.ending) return;
    this.ending = true;
    void this.send(response('BYE', null, 'Server shutting down')).then(() => this.socket.end());
  }

  private touch(): void {
    if (this.idleTimer) this.idleTimer.refresh();
    else
      this.idleTimer = setTimeout(() => {
        this.ending = true;
        void this.send(response('BYE', null, 'Idle for too long')).then(() => this.socket.destroy());
      }, this.idleTimeoutMs);
  }

  async run(): Promise<void> {
    try {
      // RFC 5804 1.7: the greeting is the capability list and OK.
      await this.send(
        this.capabilities().join('\r\n') + '\r\n' + response('OK', null, 'minimail ManageSieve ready'),
      );
      while (!this.ending) {
        this.touch();
        let words: Word[] | null;
        try {
          words = await readCommand(this.reader);
        } catch (error) {
          if (error instanceof ProtocolError) {
            if (error.fatal || ++this.badCommands >= MAX_BAD_COMMANDS) {
              await this.send(response('BYE', null, error.message));
              break;
            }
            await this.send(response('NO', null, error.message));
            continue;
          }
          throw error;
        }
        if (words === null) break;
        await this.dispatch(words);
      }
    } catch (error) {
      if (!(error instanceof TlsHandshakeError))
        this.logger.warn({ err: error }, 'managesieve session failed');
    } finally {
      clearTimeout(this.idleTimer);
      this.socket.end();
    }
  }

  /** The one gate: known command, allowed in this state, right number of arguments. */
  private async dispatch(words: Word[]): Promise<void> {
    const first = words[0];
    if (!first || first.kind !== 'atom') return this.bad('Expected a command');
    const spec = COMMANDS.get(first.value.toUpperCase());
    if (!spec) return this.bad(`Unknown command ${first.value.slice(0, 32)}`);
    if (!spec.states.includes(this.state.kind)) {
      return this.bad(this.state.kind === 'anonymous' ? 'Authenticate first' : 'Already authenticated');
    }
    const args = words.slice(1);
    if (args.length < spec.minArgs || args.length > spec.maxArgs)
      return this.bad(`Wrong number of arguments for ${spec.name}`);
    this.logger.debug({ command: spec.name }, 'managesieve command');
    await spec.run(this, args);
  }

  private async bad(text: string): Promise<void> {
    if (++this.badCommands >= MAX_BAD_COMMANDS) {
      await this.send(response('BYE', null, 'Too many bad commands'));
      this.ending = true;
      return;
    }
    await this.send(response('NO', null, text));
  }
}
