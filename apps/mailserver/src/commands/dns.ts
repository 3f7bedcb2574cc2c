import { println } from '../io.js';
import type { CommandSpec } from './command.js';
import { withStore } from './with-store.js';

/** RFC 1035 3.3.14: one TXT character-string holds at most 255 octets; longer values are split. */
const TXT_STRING_MAX = 255;

/** A TXT value as zone-file character-strings, split where needed (DKIM RSA keys are ~400 chars). */
export function txtStrings(value: string): string {
  const parts: string[] = [];
  for (let at = 0; at < value.length; at += TXT_STRING_MAX)
    parts.push(`"${value.slice(at, at + TXT_STRING_MAX)}"`);
  return parts.length > 1 ? `( ${parts.join(' ')} )` : (parts[0] ?? '""');
}

/**
 * RFC 6186 SRV records that let mail clients find the servers, with the standard ports
 * (production defaults); port 0 = "not offered" is RFC 2782's "." target.
 */
const SRV_SERVICES = [
  { service: '_submissions._tcp', port: 465 },
  { service: '_submission._tcp', port: 587 },
  { service: '_imaps._tcp', port: 993 },
  { service: '_imap._tcp', port: 143 },
  { service: '_pop3s._tcp', port: 995 },
  { service: '_pop3._tcp', port: 110 },
] as const;

export const dnsCommand: CommandSpec = {
  usage: 'dns DOMAIN',
  summary: 'print the DNS records to publish for DOMAIN (MX, SPF, DKIM, DMARC, autoconfig), zone-file format',
  arity: 1,
  run: async ({ config, io, args: [domainArg] }) => {
    // Loaded on use: the DKIM helpers live in the SMTP package, which other commands do not need.
    const { dkimRecordName, dkimRecordValue } = await import('@minimail/smtp');
    await withStore(config, async (store) => {
      const domain = domainArg!.toLowerCase();
      const host = `${config.hostname}.`;
      const key = await store.getDkimKey(domain);
      const lines = [
        `; DNS records for ${domain}, served by ${config.hostname} (minimail). Paste into the zone.`,
        `; ${config.hostname} itself needs A/AAAA records and a matching PTR record.`,
        `${domain}. 3600 IN MX 10 ${host}`,
        // RFC 7208: only our MX hosts send for the domain; -all lets receivers reject the rest.
        config.smarthost === undefined
          ? `${domain}. 3600 IN TXT "v=spf1 mx -all"`
          : `${domain}. 3600 IN TXT "v=spf1 mx ~all" ; add your smarthost's SPF include before ~all`,
        key === null
          ? `; no DKIM key yet: run \`minimail dkim generate ${domain}\`, then print these records again`
          : `${dkimRecordName(key)}. 3600 IN TXT ${txtStrings(dkimRecordValue(key))}`,
        // RFC 7489 6.3: start at p=none or quarantine; move to reject once reports look clean.
        `_dmarc.${domain}. 3600 IN TXT "v=DMARC1; p=quarantine; adkim=r; aspf=r; rua=mailto:postmaster@${domain}"`,
        // Thunderbird autoconfig and Outlook autodiscover look these names up.
        `autoconfig.${domain}. 3600 IN CNAME ${host}`,
        `autodiscover.${domain}. 3600 IN CNAME ${host}`,
        ...SRV_SERVICES.map(({ service, port }) => `${service}.${domain}. 3600 IN SRV 0 1 ${port} ${host}`),
      ];
      for (const line of lines) println(io.stdout, line);
    });
  },
};
