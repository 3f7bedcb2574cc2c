import type { Readable } from 'node:stream';
import { authenticate } from 'mailauth';
import { toMailauthResolver, type DnsResolver } from '../outbound/resolver.js';

export interface InboundAuthOptions {
  /** DNS for SPF, DKIM keys, DMARC and ARC; tests and dev pass one that never queries the network. */
  resolver: DnsResolver;
  /** RFC 7489 6.6.2 / 10.3: refuse at DATA mail failing DMARC whose domain publishes p=reject. */
  rejectDmarcFailures: boolean;
}

/** Who handed us the message: what SPF (RFC 7208 4.1) checks. */
export interface SmtpClientFacts {
  /** Client IP address. */
  ip: string;
  /** The EHLO/HELO name as given. */
  helo: string;
  /** MAIL FROM, '' for the null sender (SPF then checks postmaster@<helo>, RFC 7208 2.4). */
  sender: string;
}

/** The outcome of the checks, as header text to prepend and a decision. */
export interface InboundVerdict {
  /** `Received-SPF` and `Authentication-Results` (RFC 8601) header fields, each ending in CRLF. */
  headers: string;
  /** True when DMARC failed, the domain asks for p=reject and the option to honour it is on. */
  reject: boolean;
  /** Short results for the transaction log. */
  summary: { spf: string; dkim: string[]; dmarc: string; arc: string };
}

/**
 * Runs SPF, DKIM, DMARC and ARC on a received message with mailauth and returns the
 * Authentication-Results (RFC 8601) to prepend, with `hostname` as the authserv-id. BIMI is
 * skipped: it is a display feature for mailbox providers, and costs DNS and HTTP lookups.
 */
export async function checkInbound(
  /** The message, or a stream of it (a spooled message, read from its file). */
  message: Buffer | Readable,
  client: SmtpClientFacts,
  hostname: string,
  options: InboundAuthOptions,
): Promise<InboundVerdict> {
  const result = await authenticate(message, {
    ip: client.ip,
    helo: client.helo,
    ...(client.sender !== '' ? { sender: client.sender } : {}),
    mta: hostname,
    resolver: toMailauthResolver(options.resolver),
    disableBimi: true,
  });
  const dmarc = result.dmarc === false ? null : result.dmarc;
  const dmarcFailed = dmarc !== null && dmarc.status.result === 'fail';
  // RFC 7489 6.3: p= is the policy of the organizational domain; sp= for its subdomains, which
  // mailauth has already applied in `policy`.
  const reject = options.rejectDmarcFailures && dmarcFailed && dmarc.policy === 'reject';
  return {
    headers: result.headers,
    reject,
    summary: {
      spf: result.spf === false ? 'none' : result.spf.status.result,
      // An unsigned message has one result without a signing domain: just its status ('none').
      dkim: result.dkim.results.map((r) =>
        r.signingDomain ? `${r.signingDomain}:${r.status.result}` : r.status.result,
      ),
      dmarc: dmarc === null ? 'none' : `${dmarc.status.result}${dmarc.policy ? ` p=${dmarc.policy}` : ''}`,
      arc: result.arc === false ? 'none' : result.arc.status.result,
    },
  };
}
