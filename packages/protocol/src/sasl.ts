import { LIMITS } from './limits.js';

/** Why a SASL response was refused; sessions map these to their protocol's error reply. */
export type SaslErrorCode =
  /** RFC 4954 4: the client sent "*" to abandon the exchange. */
  | 'CANCELLED'
  /** Not canonical base64 (RFC 4648 4). */
  | 'BAD_BASE64'
  /** Decoded, but not the mechanism's message format. */
  | 'MALFORMED'
  /** Longer than the response or field limit. */
  | 'TOO_LONG';

export interface SaslError {
  code: SaslErrorCode;
  /** For logs only; never sent to the client. */
  detail: string;
}

export type SaslResult<T> = { ok: true; value: T } | { ok: false; error: SaslError };

export interface SaslPlainCredentials {
  /** Identity to act as; null when empty, which means "the same as authcid" (RFC 4616 2). */
  authzid: string | null;
  /** The login name. */
  authcid: string;
  password: string;
}

export interface SaslLimits {
  /** Longest base64 response. Defaults to LIMITS.maxSaslResponseBytes. */
  maxResponseBytes?: number;
  /** Longest decoded field. Defaults to LIMITS.maxSaslFieldBytes. */
  maxFieldBytes?: number;
}

/** Server challenges of the LOGIN mechanism (draft-murchison-sasl-login): "Username:" and "Password:". */
export const SASL_LOGIN_USERNAME_CHALLENGE = Buffer.from('Username:').toString('base64');
export const SASL_LOGIN_PASSWORD_CHALLENGE = Buffer.from('Password:').toString('base64');

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

const fail = <T>(code: SaslErrorCode, detail: string): SaslResult<T> => ({
  ok: false,
  error: { code, detail },
});

/**
 * Decode one client response line of a SASL exchange. RFC 4954 4: "*" cancels the exchange and
 * "=" stands for an empty response; anything else must be strict base64 (Buffer.from alone
 * would silently skip invalid characters).
 */
export function decodeSaslResponse(text: string, limits: SaslLimits = {}): SaslResult<Buffer> {
  const maxResponseBytes = limits.maxResponseBytes ?? LIMITS.maxSaslResponseBytes;
  const trimmed = text.trim();
  if (trimmed === '*') return fail('CANCELLED', 'client cancelled the exchange');
  if (trimmed === '=') return { ok: true, value: Buffer.alloc(0) };
  if (trimmed.length > maxResponseBytes) return fail('TOO_LONG', `response of ${trimmed.length} bytes`);
  if (trimmed.length === 0 || !BASE64.test(trimmed)) return fail('BAD_BASE64', 'not canonical base64');
  return { ok: true, value: Buffer.from(trimmed, 'base64') };
}

function decodeField(bytes: Buffer, name: string, maxFieldBytes: number): SaslResult<string> {
  if (bytes.length > maxFieldBytes) return fail('TOO_LONG', `${name} longer than ${maxFieldBytes} bytes`);
  try {
    return { ok: true, value: utf8.decode(bytes) };
  } catch {
    return fail('MALFORMED', `${name} is not UTF-8`);
  }
}

/** RFC 4616 2: message = [authzid] NUL authcid NUL passwd, base64-encoded. */
export function decodeSaslPlain(text: string, limits: SaslLimits = {}): SaslResult<SaslPlainCredentials> {
  const decoded = decodeSaslResponse(text, limits);
  if (!decoded.ok) return decoded;
  const maxFieldBytes = limits.maxFieldBytes ?? LIMITS.maxSaslFieldBytes;
  const bytes = decoded.value;
  const first = bytes.indexOf(0);
  const second = first < 0 ? -1 : bytes.indexOf(0, first + 1);
  if (second < 0) return fail('MALFORMED', 'PLAIN message needs two NUL separators');
  if (bytes.indexOf(0, second + 1) >= 0) return fail('MALFORMED', 'PLAIN message has more than two NULs');
  const authzid = decodeField(bytes.subarray(0, first), 'authzid', maxFieldBytes);
  if (!authzid.ok) return authzid;
  const authcid = decodeField(bytes.subarray(first + 1, second), 'authcid', maxFieldBytes);
  if (!authcid.ok) return authcid;
  const password = decodeField(bytes.subarray(second + 1), 'passwd', maxFieldBytes);
  if (!password.ok) return password;
  // RFC 4616 2: authcid and passwd are 1*SAFE; only authzid may be empty.
  if (authcid.value === '') return fail('MALFORMED', 'empty authcid');
  if (password.value === '') return fail('MALFORMED', 'empty passwd');
  return {
    ok: true,
    value: {
      authzid: authzid.value === '' ? null : authzid.value,
      authcid: authcid.value,
      password: password.value,
    },
  };
}

/**
 * One response of the LOGIN mechanism (the username, then the password), each a base64 line.
 * Empty values and NULs are refused: neither is a usable name or password.
 */
export function decodeSaslLoginResponse(text: string, limits: SaslLimits = {}): SaslResult<string> {
  const decoded = decodeSaslResponse(text, limits);
  if (!decoded.ok) return decoded;
  if (decoded.value.length === 0) return fail('MALFORMED', 'empty LOGIN response');
  if (decoded.value.includes(0)) return fail('MALFORMED', 'NUL in LOGIN response');
  return decodeField(decoded.value, 'LOGIN response', limits.maxFieldBytes ?? LIMITS.maxSaslFieldBytes);
}
