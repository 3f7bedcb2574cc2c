import {
  SASL_LOGIN_PASSWORD_CHALLENGE,
  SASL_LOGIN_USERNAME_CHALLENGE,
  decodeSaslLoginResponse,
  decodeSaslPlain,
} from '@minimail/protocol';
import type { SaslError } from '@minimail/protocol';
import { SASL_MECHANISMS, plaintextAuthAllowed } from '../capabilities.js';
import type { SaslMechanism } from '../capabilities.js';
import { logIn } from '../login.js';
import { splitArguments } from '../parse.js';
import { REPLIES } from '../replies.js';
import type { CommandContext, CommandSpec } from './types.js';

/** RFC 5034 4: a server challenge is "+ " followed by base64 (empty for PLAIN). */
const challenge = (base64: string): string => `+ ${base64}`;

type Step<T> = { ok: true; value: T } | { ok: false; reply: string };

const saslFailure = (error: SaslError): string =>
  // RFC 5034 4: "*" cancels, and the server must answer -ERR.
  error.code === 'CANCELLED' ? REPLIES.authCancelled : REPLIES.authMalformed;

/** The initial response if the client sent one (RFC 5034 4), otherwise the answer to a challenge. */
async function clientResponse(
  ctx: CommandContext,
  initial: string | undefined,
  base64Challenge: string,
): Promise<string | null> {
  if (initial !== undefined) return initial;
  await ctx.reply(challenge(base64Challenge));
  return ctx.readClientLine();
}

/** RFC 4616: one message "[authzid] NUL authcid NUL passwd". */
async function plain(
  ctx: CommandContext,
  initial: string | undefined,
): Promise<Step<{ user: string; password: string }> | null> {
  const response = await clientResponse(ctx, initial, '');
  if (response === null) return null;
  const decoded = decodeSaslPlain(response);
  if (!decoded.ok) return { ok: false, reply: saslFailure(decoded.error) };
  const { authzid, authcid, password } = decoded.value;
  // Acting as another user (proxy authorization) is not offered: only the authcid itself.
  if (authzid !== null && authzid.toLowerCase() !== authcid.toLowerCase())
    return { ok: false, reply: REPLIES.loginFailed };
  return { ok: true, value: { user: authcid, password } };
}

/** LOGIN: "Username:" then "Password:" challenges; an initial response is the user name. */
async function login(
  ctx: CommandContext,
  initial: string | undefined,
): Promise<Step<{ user: string; password: string }> | null> {
  const userLine = await clientResponse(ctx, initial, SASL_LOGIN_USERNAME_CHALLENGE);
  if (userLine === null) return null;
  const user = decodeSaslLoginResponse(userLine);
  if (!user.ok) return { ok: false, reply: saslFailure(user.error) };
  const passwordLine = await clientResponse(ctx, undefined, SASL_LOGIN_PASSWORD_CHALLENGE);
  if (passwordLine === null) return null;
  const password = decodeSaslLoginResponse(passwordLine);
  if (!password.ok) return { ok: false, reply: saslFailure(password.error) };
  return { ok: true, value: { user: user.value, password: password.value } };
}

const MECHANISMS: Record<SaslMechanism, typeof plain> = { PLAIN: plain, LOGIN: login };

const isMechanism = (name: string): name is SaslMechanism =>
  (SASL_MECHANISMS as readonly string[]).includes(name);

/**
 * RFC 5034: AUTH mechanism [initial-response]. A bare "AUTH" lists the mechanisms (the older
 * RFC 1734 form, which Outlook still sends).
 */
export const AUTH: CommandSpec = {
  name: 'AUTH',
  handlers: {
    authorization: async (ctx, _state, rest) => {
      if (!plaintextAuthAllowed(ctx.security)) return ctx.reply(REPLIES.plaintextNeedsTls);
      const args = splitArguments(rest);
      const [mechanismName, initial] = args;
      if (mechanismName === undefined) return ctx.replyLines(REPLIES.authMechanisms, SASL_MECHANISMS);
      if (args.length > 2) return ctx.reply(REPLIES.syntax('AUTH mechanism [initial-response]'));
      const mechanism = mechanismName.toUpperCase();
      if (!isMechanism(mechanism)) return ctx.reply(REPLIES.authUnsupported);
      const outcome = await MECHANISMS[mechanism](ctx, initial);
      if (outcome === null) return ctx.close(); // the connection ended mid-exchange
      if (!outcome.ok) return ctx.reply(outcome.reply);
      return logIn(ctx, outcome.value.user, outcome.value.password);
    },
  },
};
