/**
 * DNS-rebinding guard for the dev mail catcher. A web page on any site can make a browser resolve its
 * own name to 127.0.0.1 and then read http://its-name:8025/api/messages as same-origin: the only trace
 * is the Host header, which carries the attacker's name. The catcher therefore answers only requests
 * addressed to a loopback name, an IP literal, or a host name the operator configured.
 */
import { isIP } from 'node:net';

/** The host part of a Host header value: `name:port`, `1.2.3.4:port` or `[::1]:port`. */
function hostOf(header: string): string {
  const value = header.trim().toLowerCase();
  if (value.startsWith('['))
    return value.slice(1, value.indexOf(']') === -1 ? undefined : value.indexOf(']'));
  const colon = value.lastIndexOf(':');
  return colon === -1 ? value : value.slice(0, colon);
}

/** Whether a request with this Host header may read the catcher. */
export function isTrustedHost(header: string | undefined, allowedHosts: readonly string[]): boolean {
  // HTTP/1.1 requires Host; a request without one was not sent by a browser.
  if (header === undefined || header === '') return true;
  const host = hostOf(header);
  if (host === 'localhost' || host.endsWith('.localhost')) return true; // RFC 6761 6.3
  if (isIP(host) !== 0) return true;
  return allowedHosts.some((allowed) => allowed.toLowerCase() === host);
}
