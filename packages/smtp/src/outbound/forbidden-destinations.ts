import { BlockList, isIP } from 'node:net';
import { networkInterfaces } from 'node:os';

/**
 * Addresses the relay never connects to (issue 11: "the relay reaches only the internet", as
 * Postfix refuses mail that "loops back to myself"): loopback, private (RFC 1918, RFC 4193),
 * shared (RFC 6598), link-local, unspecified, multicast and reserved ranges, and every address of
 * this machine's own interfaces. An attacker who can submit mail must not make the server talk
 * SMTP to its own ports or to hosts behind its firewall.
 */
const BLOCKED = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  BLOCKED.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  BLOCKED.addSubnet(network, prefix, 'ipv6');
}

let ownAddresses: Set<string> | null = null;

function isOwnAddress(address: string): boolean {
  ownAddresses ??= new Set(
    Object.values(networkInterfaces())
      .flat()
      .flatMap((info) => (info ? [info.address.toLowerCase()] : [])),
  );
  return ownAddresses.has(address.toLowerCase());
}

/** True for an address the relay must not connect to (see above). */
export function isForbiddenDestination(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  // An IPv4-mapped IPv6 address (::ffff:127.0.0.1) is judged as the IPv4 address it carries.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped !== undefined) return isForbiddenDestination(mapped);
  return BLOCKED.check(address, family === 4 ? 'ipv4' : 'ipv6') || isOwnAddress(address);
}

/**
 * A recipient domain the relay refuses at RCPT without any lookup: an address literal
 * (`[192.0.2.1]`, `[IPv6:...]`, RFC 5321 4.1.3; a sender can name any host with one), `localhost`
 * and its subdomains (RFC 6761 6.3), and our own host name.
 */
export function isForbiddenRecipientDomain(domain: string, ownHostname: string): boolean {
  const name = domain.toLowerCase().replace(/\.$/, '');
  if (name.startsWith('[')) return true;
  if (isIP(name) !== 0) return true;
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  return name === ownHostname.toLowerCase();
}
