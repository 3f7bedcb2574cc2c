/**
 * The quota warning message (issue 18), written to the user's INBOX when a delivery brings them to
 * the warning threshold. Plain text, CRLF, a Date and a Message-ID as RFC 5322 3.6 asks.
 */
import { randomUUID } from 'node:crypto';
import { quotaPercent } from './quotas.js';
import type { QuotaUsage } from './types.js';

function formatSize(bytes: number): string {
  if (bytes >= 1024 * 1024 * 1024) return `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} bytes`;
}

export function quotaWarningMessage(usage: QuotaUsage, percent: number, now: Date): Buffer {
  const { before } = usage;
  const usedBytes = before.usedBytes + usage.addedBytes;
  const usedMessages = before.usedMessages + usage.addedMessages;
  const share = Math.floor(quotaPercent(before, usedBytes, usedMessages));
  const domain = usage.address.slice(usage.address.lastIndexOf('@') + 1);
  const lines = [
    `From: Mail system <postmaster@${domain}>`,
    `To: <${usage.address}>`,
    `Subject: Your mailbox is ${share}% full`,
    `Date: ${now.toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: <quota-warning.${randomUUID()}@${domain}>`,
    'Auto-Submitted: auto-generated',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    `Your mailbox has reached ${share}% of its quota (warning at ${percent}%).`,
    '',
  ];
  if (before.limitBytes !== null)
    lines.push(`Storage: ${formatSize(usedBytes)} of ${formatSize(before.limitBytes)}`);
  if (before.limitMessages !== null) lines.push(`Messages: ${usedMessages} of ${before.limitMessages}`);
  lines.push(
    '',
    'When it is full, new mail is refused and returned to its senders.',
    'Delete messages you no longer need (and empty the Trash) to make room.',
    '',
  );
  return Buffer.from(lines.join('\r\n'), 'utf8');
}
