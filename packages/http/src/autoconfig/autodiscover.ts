/**
 * Outlook's "POX" autodiscover ([MS-OXDSCLI], the responseschema/2006a Outlook provider): Outlook
 * POSTs a small XML request naming <EMailAddress> to https://autodiscover.<domain>/autodiscover/autodiscover.xml
 * (or https://<domain>/...) and reads IMAP/POP3/SMTP settings from the answer. Many other clients
 * (eM Client, some Android mail apps) read the same answer.
 */
import { escapeXml, parseAddress, type ClientSettings, type ServerEndpoint } from './client-settings.js';

/** The address in an autodiscover request body, or null ([MS-OXDSCLI] 2.2.3: Request/EMailAddress). */
export function autodiscoverRequestAddress(body: string): string | null {
  const match = /<EMailAddress>\s*([^<\s]{1,254})\s*<\/EMailAddress>/i.exec(body);
  return parseAddress(match?.[1])?.address ?? null;
}

function protocol(
  type: 'IMAP' | 'POP3' | 'SMTP',
  hostname: string,
  endpoint: ServerEndpoint,
  login: string,
): string {
  return [
    '      <Protocol>',
    `        <Type>${type}</Type>`,
    `        <Server>${escapeXml(hostname)}</Server>`,
    `        <Port>${endpoint.port}</Port>`,
    '        <DomainRequired>off</DomainRequired>',
    `        <LoginName>${escapeXml(login)}</LoginName>`,
    '        <SPA>off</SPA>',
    // SSL on = TLS from the first byte; Encryption TLS = STARTTLS ([MS-OXDSCLI] 2.2.4.1.1.2.6/.21).
    endpoint.socket === 'SSL' ? '        <SSL>on</SSL>' : '        <Encryption>TLS</Encryption>',
    '        <AuthRequired>on</AuthRequired>',
    '      </Protocol>',
  ].join('\n');
}

export function autodiscoverResponseXml(settings: ClientSettings, address: string): string {
  const lines = [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006">',
    '  <Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a">',
    '    <Account>',
    '      <AccountType>email</AccountType>',
    '      <Action>settings</Action>',
  ];
  if (settings.imap) lines.push(protocol('IMAP', settings.hostname, settings.imap, address));
  if (settings.pop3) lines.push(protocol('POP3', settings.hostname, settings.pop3, address));
  if (settings.submission) lines.push(protocol('SMTP', settings.hostname, settings.submission, address));
  lines.push('    </Account>', '  </Response>', '</Autodiscover>', '');
  return lines.join('\n');
}
