import { response } from '../wire.js';
import type { CommandSpec } from './types.js';

/** RFC 5804 2.2 STARTTLS: OK, the handshake, then the capabilities again (they change with TLS). */
export const starttls: CommandSpec = {
  name: 'STARTTLS',
  states: ['anonymous'],
  minArgs: 0,
  maxArgs: 0,
  async run(ctx) {
    if (ctx.secure || !ctx.starttlsAvailable) {
      await ctx.send(response('NO', null, 'STARTTLS is not available'));
      return;
    }
    await ctx.startTls(response('OK', null, 'Begin TLS negotiation now.'));
    await ctx.send(
      ctx.capabilities().join('\r\n') + '\r\n' + response('OK', null, 'TLS negotiation successful.'),
    );
  },
};
