/**
 * An Apple configuration profile (unsigned `.mobileconfig`, a property list) with one Mail account
 * payload (`com.apple.mail.managed`, Apple's Configuration Profile Reference, "Mail"). Opening it on
 * iOS, iPadOS or macOS adds the account; the password is asked for there and never in the profile.
 * The UUIDs are derived from the address and host, so downloading it again replaces, not duplicates.
 */
import { createHash } from 'node:crypto';
import { escapeXml, type ClientSettings } from './client-settings.js';

function stableUuid(...parts: string[]): string {
  const hex = createHash('sha256').update(parts.join('\0')).digest('hex');
  // RFC 9562 5.8 layout with version 8 (custom) and the RFC variant bits.
  return [
    hex.slice(0, 8),
    hex.slice(8, 12),
    `8${hex.slice(13, 16)}`,
    ((parseInt(hex.slice(16, 18), 16) & 0x3f) | 0x80).toString(16) + hex.slice(18, 20),
    hex.slice(20, 32),
  ]
    .join('-')
    .toUpperCase();
}

const entry = (key: string, value: string | number | boolean): string =>
  `\t\t\t<key>${key}</key>\n\t\t\t${
    typeof value === 'string'
      ? `<string>${escapeXml(value)}</string>`
      : typeof value === 'number'
        ? `<integer>${value}</integer>`
        : value
          ? '<true/>'
          : '<false/>'
  }`;

/** Null when the configuration has no incoming server or no submission (Mail needs both). */
export function appleMobileconfig(settings: ClientSettings, address: string): string | null {
  const incoming = settings.imap ?? settings.pop3;
  if (!incoming || !settings.submission) return null;
  const domain = address.slice(address.lastIndexOf('@') + 1);
  const reverse = settings.hostname.split('.').reverse().join('.');
  const account = [
    entry('EmailAccountDescription', address),
    entry('EmailAccountName', address),
    entry('EmailAccountType', settings.imap ? 'EmailTypeIMAP' : 'EmailTypePOP'),
    entry('EmailAddress', address),
    entry('IncomingMailServerAuthentication', 'EmailAuthPassword'),
    entry('IncomingMailServerHostName', settings.hostname),
    entry('IncomingMailServerPortNumber', incoming.port),
    // UseSSL covers both implicit TLS and STARTTLS: Mail negotiates TLS on the given port.
    entry('IncomingMailServerUseSSL', true),
    entry('IncomingMailServerUsername', address),
    entry('OutgoingMailServerAuthentication', 'EmailAuthPassword'),
    entry('OutgoingMailServerHostName', settings.hostname),
    entry('OutgoingMailServerPortNumber', settings.submission.port),
    entry('OutgoingMailServerUseSSL', true),
    entry('OutgoingMailServerUsername', address),
    entry('OutgoingPasswordSameAsIncomingPassword', true),
    entry('PayloadDescription', `Mail account ${address}`),
    entry('PayloadDisplayName', address),
    entry('PayloadIdentifier', `${reverse}.mail.${stableUuid('account', address, settings.hostname)}`),
    entry('PayloadType', 'com.apple.mail.managed'),
    entry('PayloadUUID', stableUuid('account', address, settings.hostname)),
    entry('PayloadVersion', 1),
  ].join('\n');
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    '<plist version="1.0">',
    '<dict>',
    '\t<key>PayloadContent</key>',
    '\t<array>',
    '\t\t<dict>',
    account,
    '\t\t</dict>',
    '\t</array>',
    '\t<key>PayloadDescription</key>',
    `\t<string>${escapeXml(`Mail settings for ${address} at ${domain}`)}</string>`,
    '\t<key>PayloadDisplayName</key>',
    `\t<string>${escapeXml(`${domain} mail`)}</string>`,
    '\t<key>PayloadIdentifier</key>',
    `\t<string>${escapeXml(`${reverse}.mail.profile.${stableUuid('profile', address, settings.hostname)}`)}</string>`,
    '\t<key>PayloadRemovalDisallowed</key>',
    '\t<false/>',
    '\t<key>PayloadType</key>',
    '\t<string>Configuration</string>',
    '\t<key>PayloadUUID</key>',
    `\t<string>${stableUuid('profile', address, settings.hostname)}</string>`,
    '\t<key>PayloadVersion</key>',
    '\t<integer>1</integer>',
    '</dict>',
    '</plist>',
    '',
  ].join('\n');
}
