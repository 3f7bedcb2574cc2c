/**
 * RFC 3461 parameters from the SMTP envelope (smtp-server parses and checks them when DSN is
 * advertised, and decodes their xtext): RET and ENVID of MAIL FROM, NOTIFY and ORCPT of each RCPT TO, as one OutboundDsn
 * per recipient, kept with its queue entry or used for a local delivery notice.
 */
import type { OutboundDsn } from '@minimail/store';
import type { SMTPServerSession } from 'smtp-server';

/** The DSN parameters of each recipient of the transaction, by lower-cased address (none: absent). */
export function dsnByRecipient(session: SMTPServerSession): Map<string, OutboundDsn> {
  const envelope = session.envelope.dsn;
  const byAddress = new Map<string, OutboundDsn>();
  for (const rcpt of session.envelope.rcptTo) {
    const dsn: OutboundDsn = {
      ...(rcpt.dsn?.notify !== undefined
        ? { notify: rcpt.dsn.notify as NonNullable<OutboundDsn['notify']> }
        : {}),
      ...(rcpt.dsn?.orcpt !== undefined ? { orcpt: rcpt.dsn.orcpt } : {}),
      ...(envelope?.ret === 'FULL' || envelope?.ret === 'HDRS' ? { ret: envelope.ret } : {}),
      ...(envelope?.envid !== undefined && envelope.envid !== null ? { envid: envelope.envid } : {}),
    };
    if (Object.keys(dsn).length > 0) byAddress.set(rcpt.address.toLowerCase(), dsn);
  }
  return byAddress;
}
