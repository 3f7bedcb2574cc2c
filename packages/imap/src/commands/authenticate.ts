import {
  SASL_LOGIN_PASSWORD_CHALLENGE,
  SASL_LOGIN_USERNAME_CHALLENGE,
  decodeSaslLoginResponse,
  decodeSaslPlain,
  type SaslResult,
} from '@minimail/protocol';
import { bad, no } from '../errors.js';
import { atom, responseCode } from '../protocol/compiler.js';
import { assertPlaintextAllowed, authenticateUser } from '../session/authenticate-user.js';
import { NOT_AUTHENTICATED } from '../session/state.js';
import type { CommandContext, CommandSpec } from './types.js';

/** RFC 3501 6.2.2 with SASL-IR (RFC 4959): PLAIN (RFC 4616) and LOGIN. */
export const authenticateCommand: CommandSpec<'AUTHENTICATE'> = {
  name: 'AUTHENTICATE',
  states: NOT_AUTHENTICATED,
  async handler(ctx, command) {
    const { mechanism, initialResponse } = command.args;
    const mechanismHandler = MECHANISMS[mechanism];
    if (!mechanismHandler) throw no(`Unsupported authentication mechanism ${mechanism.slice(0, 20)}`);
    assertPlaintextAllowed(ctx);
    const credentials = await mechanismHandler(ctx, initialResponse);
    await authenticateUser(ctx, credentials.username, credentials.password);
    return { code: responseCode('CAPABILITY', ...ctx.capabilities().map(atom)), text: 'Authenticated' };
  },
};

type Mechanism = (
  ctx: CommandContext,
  initialResponse: string | null,
) => Promise<{ username: string; password: string }>;

const MECHANISMS: Readonly<Record<string, Mechanism>> = {
  async PLAIN(ctx, initialResponse) {
    // RFC 4959 3: "=" is an empty initial response; none at all means send an empty challenge.
    const response =
      initialResponse === null ? await clientLine(ctx, '') : initialResponse === '' ? '=' : initialResponse;
    const plain = unwrap(decodeSaslPlain(response));
    // RFC 4616 2: acting as someone else (authzid) is not allowed here.
    if (plain.authzid !== null && plain.authzid.toLowerCase() !== plain.authcid.toLowerCase()) {
      throw no('Authorization identity must match the login', 'AUTHORIZATIONFAILED');
    }
    return { username: plain.authcid, password: plain.password };
  },
  async LOGIN(ctx, initialResponse) {
    const userLine = initialResponse ?? (await clientLine(ctx, SASL_LOGIN_USERNAME_CHALLENGE));
    const username = unwrap(decodeSaslLoginResponse(userLine === '' ? '=' : userLine));
    const password = unwrap(decodeSaslLoginResponse(await clientLine(ctx, SASL_LOGIN_PASSWORD_CHALLENGE)));
    return { username, password };
  },
};

async function clientLine(ctx: CommandContext, challenge: string): Promise<string> {
  const line = await ctx.readContinuation(challenge);
  if (line === null) throw bad('Connection closed during authentication');
  return line;
}

/** RFC 3501 6.2.2: a cancelled exchange ("*") or an undecodable response is answered BAD. */
function unwrap<T>(result: SaslResult<T>): T {
  if (result.ok) return result.value;
  if (result.error.code === 'CANCELLED') throw bad('Authentication cancelled');
  throw bad('Invalid SASL response');
}
