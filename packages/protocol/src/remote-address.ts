/**
 * A client's address as limits and logs should see it. A dual-stack listener reports IPv4 peers
 * as "::ffff:192.0.2.1"; without unmapping, one host would count as two for per-IP limits.
 */
export function normalizeRemoteAddress(address: string | undefined): string {
  if (address === undefined) return 'unknown'; // the socket was already closed
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  return mapped?.[1] ?? address.toLowerCase();
}
