import type { AccountStore, DeliveryStore } from '@minimail/store';
import { buildDsn, type DsnRecipient } from './dsn.js';
import { stripReturnPath } from './message-prep.js';

export interface BounceInput {
  /** Both the relay worker's and the SMTP listeners' stores (a "delivered" DSN is sent at DATA). */
  store: DeliveryStore & Pick<AccountStore, 'resolveRecipient'>;
  hostname: string;
  /** The original envelope sender; '' means none will be sent (RFC 5321 4.5.5, RFC 3464 2). */
  sender: string;
  recipients: DsnRecipient[];
  original: Buffer;
  arrivalDate: Date;
  /** RFC 3461 ENVID and RET of the message. */
  envid?: string;
  returnFull?: boolean;
}

export type BounceOutcome = 'none-null-sender' | 'delivered-locally' | 'queued' | 'undeliverable';

/**
 * Sends one DSN to the envelope sender with the null reverse-path: into local INBOXes when the
 * sender is ours (one store transaction), otherwise onto the outbound queue with sender '' so a
 * failing bounce is never bounced again. Resolves after the DSN is durably stored or queued.
 */
export async function sendBounce(input: BounceInput): Promise<BounceOutcome> {
  // RFC 5321 4.5.5 / RFC 3464 2: never a DSN about a message whose sender was null.
  if (input.sender === '') return 'none-null-sender';
  const dsn = buildDsn({
    reportingMta: input.hostname,
    to: input.sender,
    recipients: input.recipients,
    original: stripReturnPath(input.original),
    arrivalDate: input.arrivalDate,
    ...(input.envid !== undefined ? { envid: input.envid } : {}),
    ...(input.returnFull === true ? { returnFull: true } : {}),
  });
  // RFC 5321 4.4: the final delivery adds Return-Path; for the null sender it is `<>`.
  const raw = Buffer.concat([Buffer.from('Return-Path: <>\r\n', 'latin1'), dsn]);
  const resolution = await input.store.resolveRecipient(input.sender);
  if (resolution.kind === 'local' && resolution.users.length + resolution.forward.length > 0) {
    await input.store.deliver({
      raw,
      targets: resolution.users.map((user) => ({ userId: user.id })),
      ...(resolution.forward.length > 0 ? { outbound: { sender: '', recipients: resolution.forward } } : {}),
    });
    return resolution.users.length > 0 ? 'delivered-locally' : 'queued';
  }
  if (resolution.kind === 'remote') {
    await input.store.deliver({ raw, targets: [], outbound: { sender: '', recipients: [input.sender] } });
    return 'queued';
  }
  // Our domain but no such user any more: nobody to tell.
  return 'undeliverable';
}
