/**
 * The answers an ACME server's validation asks for (RFC 8555 8), shared between the code that
 * orders certificates (packages/acme) and the listeners that must answer: the HTTP service mounts
 * `answerAcmeHttp01` in front of its routes. Kept here, beside the TLS plumbing, so the HTTP service
 * needs no new dependency and the ACME client none on the HTTP service.
 */

/** RFC 8555 8.3: the HTTP-01 resource path. */
export const ACME_HTTP01_PREFIX = '/.well-known/acme-challenge/';

/** RFC 8555 8.3: a token is base64url, at least 128 bits; anything else is not ours to answer. */
const TOKEN = /^[A-Za-z0-9_-]{22,128}$/;

/** Challenges in progress, keyed by token; the ACME client adds and removes them. */
export class AcmeChallengeResponder {
  private readonly http01 = new Map<string, string>();

  /** `keyAuthorization` is `token.thumbprint` (RFC 8555 8.1). */
  setHttp01(token: string, keyAuthorization: string): void {
    this.http01.set(token, keyAuthorization);
  }

  deleteHttp01(token: string): void {
    this.http01.delete(token);
  }

  keyAuthorizationFor(token: string): string | undefined {
    return this.http01.get(token);
  }
}

/**
 * The answer to a request path, or null when the path is not an HTTP-01 resource (the caller
 * goes on routing). RFC 8555 8.3: the body is the key authorization, `application/octet-stream`;
 * an unknown token is 404. Any Host is answered: the validator names the domain being validated.
 */
export function answerAcmeHttp01(
  responder: AcmeChallengeResponder,
  pathname: string,
): { status: 200 | 404; contentType: string; body: string } | null {
  if (!pathname.startsWith(ACME_HTTP01_PREFIX)) return null;
  const token = pathname.slice(ACME_HTTP01_PREFIX.length);
  const answer = TOKEN.test(token) ? responder.keyAuthorizationFor(token) : undefined;
  if (answer === undefined)
    return { status: 404, contentType: 'text/plain; charset=utf-8', body: 'not found\n' };
  return { status: 200, contentType: 'application/octet-stream', body: answer };
}
