import { decodeSaslPlain } from '@minimail/protocol';
import { isPlaintextAuthAllowed } from '../capabilities.js';
import { response } from '../wire.js';
import { str, type CommandSpec } from './types.js';

/**
 * RFC 5804 2.1 AUTHENTICATE "PLAIN" [initial-response]. Without an initial response the server
 * sends an empty challenge ("") and reads the client's response string; "*" cancels.
 */
export const authenticate: CommandSpec = {
  name: 'AUTHENTICATE',
  states: ['anonymous'],
  minArgs: 1,
  maxArgs: 2,
  async run(ctx, args) {
    if (str(args[0]).toUpperCase() !== 'PLAIN') {
      await ctx.send(response('NO', null, 'Unsupported SASL mechanism'));
      return;
    }
    if (!isPlaintextAuthAllowed({ secure: ctx.secure, profile: ctx.services.profile })) {
      // RFC 5804 1.3 ENCRYPT-NEEDED: STARTTLS first.
      await ctx.send(response('NO', 'ENCRYPT-NEEDED', 'Use STARTTLS before authenticating'));
      return;
    }
    let initial = args[1]?.value;
    if (initial === undefined) {
      await ctx.send('""\r\n');
      const reply = await ctx.readContinuation();
      if (reply === null) return;
      initial = reply[0]?.value ?? '';
      if (initial === '*') {
        await ctx.send(response('NO', null, 'Authentication cancelled'));
        return;
      }
    }
    const decoded = decodeSaslPlain(initial);
    // No proxy authorization: an authzid other than the authcid fails like a wrong password, as a
    // name that is no address (through the policy, so it is delayed and counted alike).
    const proxied =
      decoded.ok && decoded.value.authzid !== null && decoded.value.authzid !== decoded.value.authcid;
    const outcome = await ctx.services.login.attempt({
      username: decoded.ok && !proxied ? decoded.value.authcid : '',
      password: decoded.ok && !proxied ? decoded.value.password : '',
      ip: ctx.remoteIp,
      logger: ctx.logger,
    });
    if (outcome.kind === 'temporary') {
      // RFC 5804 1.3 TRYLATER: the store could not answer; nothing was counted against the client.
      await ctx.send(response('NO', 'TRYLATER', 'Authentication is unavailable, try again later'));
      return;
    }
    if (outcome.kind === 'failed') {
      if (ctx.countAuthFailure()) {
        await ctx.send(response('BYE', null, 'Too many failed authentications'));
        ctx.end();
        return;
      }
      await ctx.send(response('NO', null, 'Authentication failed'));
      return;
    }
    const { user } = outcome;
    ctx.setState({ kind: 'authenticated', user });
    ctx.logger.info({ user: user.address }, 'managesieve login');
    await ctx.send(response('OK', null, 'Authenticated'));
  },
};
