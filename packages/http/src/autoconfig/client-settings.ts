/**
 * What a mail client must be told to reach this server, derived by the app from the running
 * configuration (host name and the listeners that are on), so the answers cannot disagree with it.
 * Implicit TLS is preferred over STARTTLS where both listen (RFC 8314 3.3: clients should use it).
 */

export type SocketType = 'SSL' | 'STARTTLS';

export interface ServerEndpoint {
  port: number;
  /** SSL: TLS from the first byte (993, 995, 465). STARTTLS: upgraded after connecting (143, 110, 587). */
  socket: SocketType;
}

export interface ClientSettings {
  /** The host name clients connect to (MINIMAIL_HOSTNAME; the certificate's name). */
  hostname: string;
  imap: ServerEndpoint | null;
  pop3: ServerEndpoint | null;
  submission: ServerEndpoint | null;
}

/** The best endpoint of a protocol from its implicit-TLS and STARTTLS ports (0 = listener off). */
export function pickEndpoint(implicitTlsPort: number, starttlsPort: number): ServerEndpoint | null {
  if (implicitTlsPort > 0) return { port: implicitTlsPort, socket: 'SSL' };
  if (starttlsPort > 0) return { port: starttlsPort, socket: 'STARTTLS' };
  return null;
}

/** Largest e-mail address considered (RFC 5321 4.5.3.1.3: a path is at most 256 octets). */
export const MAX_ADDRESS_LENGTH = 254;

/** The address if it looks like one (local@domain, no spaces or markup), lower-cased domain; else null. */
export function parseAddress(text: string | undefined | null): { address: string; domain: string } | null {
  if (!text || text.length > MAX_ADDRESS_LENGTH) return null;
  const match = /^([^\s@<>"&'\\]+)@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)$/.exec(text.trim());
  if (!match) return null;
  const domain = match[2]!.toLowerCase();
  return { address: `${match[1]}@${domain}`, domain };
}

/** XML text/attribute escaping (XML 1.0 2.4): the five characters that may break markup. */
export function escapeXml(text: string): string {
  return text.replace(
    /[<>&'"]/g,
    (c) => `&${{ '<': 'lt', '>': 'gt', '&': 'amp', "'": 'apos', '"': 'quot' }[c]!};`,
  );
}
