/**
 * RFC 5429 2.1: after the SMTP transaction a reject becomes a delivery status notification
 * (RFC 3464) to the envelope sender, naming the recipient and carrying the script's reason and
 * the original header. Sent with the null reverse path and Auto-Submitted so nothing answers it.
 */
export interface RejectNotice {
  to: string;
  recipient: string;
  reason: string;
  originalHeader: string;
  hostname: string;
  id: string;
  now: Date;
}

export function buildRejectNotice(n: RejectNotice): Buffer {
  const boundary = `=_reject_${n.id}`;
  const date = n.now.toUTCString().replace('GMT', '+0000');
  const reason = n.reason.replace(/\r?\n/g, '\r\n').replace(/(\r\n)?$/, '\r\n');
  const text = [
    `From: Mail Delivery System <MAILER-DAEMON@${n.hostname}>`,
    `To: <${n.to}>`,
    'Subject: Message rejected by the recipient',
    `Date: ${date}`,
    `Message-ID: <${n.id}@${n.hostname}>`,
    'Auto-Submitted: auto-replied (rejected)',
    'MIME-Version: 1.0',
    `Content-Type: multipart/report; report-type=delivery-status; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    `Your message to <${n.recipient}> was rejected by the recipient's mail filter:`,
    '',
    reason,
    `--${boundary}`,
    'Content-Type: message/delivery-status',
    '',
    `Reporting-MTA: dns; ${n.hostname}`,
    '',
    `Final-Recipient: rfc822; ${n.recipient}`,
    'Action: failed',
    'Status: 5.7.1',
    '',
    `--${boundary}`,
    'Content-Type: text/rfc822-headers',
    '',
    n.originalHeader.replace(/\r\n$/, ''),
    '',
    `--${boundary}--`,
    '',
  ];
  return Buffer.from(text.join('\r\n'), 'utf8');
}
