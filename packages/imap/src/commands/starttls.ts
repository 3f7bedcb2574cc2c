import { bad } from '../errors.js';
import { NOT_AUTHENTICATED } from '../session/state.js';
import type { CommandSpec } from './types.js';

/**
 * RFC 3501 6.2.1: OK, then the TLS handshake starts on the same connection. The session discards
 * anything the client pipelined after the command (RFC 2595 3.1) before handing the socket to TLS.
 */
export const starttlsCommand: CommandSpec<'STARTTLS'> = {
  name: 'STARTTLS',
  states: NOT_AUTHENTICATED,
  async handler(ctx) {
    if (ctx.secure) throw bad('TLS is already active');
    if (ctx.server.secureContext === null) throw bad('STARTTLS is not available');
    return { text: 'Begin TLS negotiation now', afterReply: () => ctx.startTls() };
  },
};
