import { setTimeout as sleep } from 'node:timers/promises';
import { decodeSaslPlain } from '@minimail/protocol';
import { StoreError, type User } from '@minimail/store';
import { isPlaintextAuthAllowed } from '../capabilities.js';
import { response } from '../wire.js';
import { str, type CommandContext, type CommandSpec } from './types.js';

/** Dev: any password for any address (the login creates the account); production: the stored hash. */
async function verify(ctx: CommandContext, address: string, password: string): Promise<User | null> {
  const { store, profile } = ctx.services;
  if (profile === 'production') return store.verifyPassword(address, password);
  try {
    return await store.ensureUser(address);
  } catch (error) {
    if (error instanceof StoreError && error.code === 'INVALID') return null;
    throw error;
  }
}

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
    const user =
      decoded.ok && decoded.value.authzid !== null && decoded.value.authzid !== decoded.value.authcid
        ? null // no proxy authorization
        : decoded.ok
          ? await verify(ctx, decoded.value.authcid.toLowerCase(), decoded.value.password)
          : null;
    const account = decoded.ok ? decoded.value.authcid.toLowerCase() : null;
    const { throttle } = ctx.services;
    if (user === null) {
      // The delay comes before the NO, so a guesser learns nothing faster than the throttle allows.
      const delayMs = throttle.delayFor(ctx.remoteIp, account);
      throttle.recordFailure(ctx.remoteIp, account);
      ctx.logger.info({ user: account, delayMs }, 'managesieve login failed');
      if (delayMs > 0) await sleep(delayMs);
      if (ctx.countAuthFailure()) {
        await ctx.send(response('BYE', null, 'Too many failed authentications'));
        ctx.end();
        return;
      }
      await ctx.send(response('NO', null, 'Authentication failed'));
      return;
    }
    throttle.recordSuccess(ctx.remoteIp, user.address);
    ctx.setState({ kind: 'authenticated', user });
    ctx.logger.info({ user: user.address }, 'managesieve login');
    await ctx.send(response('OK', null, 'Authenticated'));
  },
};
