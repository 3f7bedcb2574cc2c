/**
 * Thunderbird's autoconfig file, clientConfig version 1.1
 * (https://wiki.mozilla.org/Thunderbird:Autoconfiguration:ConfigFileFormat). Thunderbird fetches it
 * from https://autoconfig.<domain>/mail/config-v1.1.xml?emailaddress=... and from
 * https://<domain>/.well-known/autoconfig/mail/config-v1.1.xml; K-9/Thunderbird for Android and
 * Evolution read the same file. The user name is the full address (%EMAILADDRESS%), as minimail logs in.
 */
import { escapeXml, type ClientSettings, type ServerEndpoint } from './client-settings.js';

function server(
  element: 'incomingServer' | 'outgoingServer',
  type: string,
  hostname: string,
  endpoint: ServerEndpoint,
): string {
  return [
    `    <${element} type="${type}">`,
    `      <hostname>${escapeXml(hostname)}</hostname>`,
    `      <port>${endpoint.port}</port>`,
    `      <socketType>${endpoint.socket}</socketType>`,
    // The password travels inside TLS; minimail offers PLAIN/LOGIN only over TLS in production.
    `      <authentication>password-cleartext</authentication>`,
    `      <username>%EMAILADDRESS%</username>`,
    `    </${element}>`,
  ].join('\n');
}

export function thunderbirdConfigXml(settings: ClientSettings, domain: string): string {
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<clientConfig version="1.1">',
    `  <emailProvider id="${escapeXml(domain)}">`,
    `    <domain>${escapeXml(domain)}</domain>`,
    `    <displayName>${escapeXml(domain)} mail</displayName>`,
    `    <displayShortName>${escapeXml(domain)}</displayShortName>`,
  ];
  // Thunderbird offers the first incoming server it can use: IMAP before POP3.
  if (settings.imap) lines.push(server('incomingServer', 'imap', settings.hostname, settings.imap));
  if (settings.pop3) lines.push(server('incomingServer', 'pop3', settings.hostname, settings.pop3));
  if (settings.submission)
    lines.push(server('outgoingServer', 'smtp', settings.hostname, settings.submission));
  lines.push('  </emailProvider>', '</clientConfig>', '');
  return lines.join('\n');
}
