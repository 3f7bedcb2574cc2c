import type { SMTPServerError } from 'smtp-server';

/**
 * The replies this package chooses itself (smtp-server answers protocol errors on its own).
 * Each carries its RFC 3463 enhanced status code, which the listener sends as given instead of
 * smtp-server's default for the reply code (see listener.ts).
 */
export const REPLIES = {
  /** RFC 5321 4.2.2 + RFC 3463 2.6.0: the message is stored; sent only after the commit. */
  DELIVERED: { code: 250, enhanced: '2.6.0', text: 'Message accepted for delivery' },
  /**
   * RFC 5321 3.8 / 4.2.3 + RFC 3463 4.7.0: connection limit (total or per IP) reached; the
   * client comes back later. 421 also makes smtp-server close the connection.
   */
  TOO_MANY_CONNECTIONS: { code: 421, enhanced: '4.7.0', text: 'Too many connections, try again later' },
  /** RFC 5321 4.2.3 + RFC 3463 4.3.0: the store failed; the client keeps the message and retries. */
  LOCAL_ERROR: { code: 451, enhanced: '4.3.0', text: 'Requested action aborted: local error in processing' },
  /**
   * RFC 5321 4.2.2 452 + RFC 3463 4.3.1 (mail system full): the process's message memory budget
   * is spent by other messages in flight; the client keeps this one and retries.
   */
  OVER_BUDGET: { code: 452, enhanced: '4.3.1', text: 'Too many messages being received, try again later' },
  /**
   * RFC 5321 4.2.2 452 + RFC 3463 4.2.2 (mailbox full), at RCPT: the recipient's quota is used up
   * (or has no room for the SIZE= the client declared). Temporary: the user may make room, and
   * RFC 5321 4.5.3.1.10 has clients treat a 552 at RCPT as temporary anyway.
   */
  MAILBOX_FULL: { code: 452, enhanced: '4.2.2', text: 'Mailbox full, try again later' },
  /** RFC 5321 4.2.2 452 + RFC 3463 4.3.1: the spool file could not be written (disk full). */
  SPOOL_FAILED: { code: 452, enhanced: '4.3.1', text: 'Insufficient system storage, try again later' },
  /** RFC 4954 6 + RFC 3463 4.7.0: the account could not be checked right now. */
  AUTH_TEMPORARY: { code: 454, enhanced: '4.7.0', text: 'Temporary authentication failure' },
  /** RFC 4954 6: MAIL, RCPT and DATA need a login on the submission port (RFC 6409 4.3). */
  AUTH_REQUIRED: { code: 530, enhanced: '5.7.0', text: 'Authentication required' },
  /** RFC 4954 6 + RFC 3463 5.7.8: wrong user name or password. */
  AUTH_FAILED: { code: 535, enhanced: '5.7.8', text: 'Authentication credentials invalid' },
  /** RFC 5321 4.2.2 + RFC 3463 5.1.1: our domain, but nobody has this address. */
  UNKNOWN_RECIPIENT: { code: 550, enhanced: '5.1.1', text: 'No such user here' },
  /** RFC 1870 6.1 + RFC 3463 5.3.4: the message is larger than SIZE allows. */
  MESSAGE_TOO_BIG: { code: 552, enhanced: '5.3.4', text: 'Message size exceeds fixed maximum message size' },
  /**
   * RFC 5321 4.2.2 552 (exceeded storage allocation) + RFC 3463 5.2.2 (mailbox full), after DATA:
   * storing this message would pass every recipient's quota; nothing was stored.
   */
  OVER_QUOTA: {
    code: 552,
    enhanced: '5.2.2',
    text: "Mailbox full: the message exceeds the recipient's storage quota",
  },
  /** RFC 6409 6.1 + RFC 3463 5.7.1: a submitter may only send as one of its own addresses. */
  SENDER_NOT_OWNED: {
    code: 553,
    enhanced: '5.7.1',
    text: 'Sender address not owned by the authenticated user',
  },
  /** RFC 6409 6.1 + RFC 3463 5.7.1: the header From:/Sender: must be the user's own too. */
  HEADER_SENDER_NOT_OWNED: {
    code: 553,
    enhanced: '5.7.1',
    text: 'From/Sender header address not owned by the authenticated user',
  },
  /**
   * RFC 5321 3.6.2 + RFC 3463 5.7.1: the relay does not deliver to address literals, localhost,
   * our own name or names of private addresses (issue 11), even for an authenticated user.
   */
  DESTINATION_REFUSED: { code: 550, enhanced: '5.7.1', text: 'Relay to this destination not allowed' },
  /** RFC 5321 3.6.2 + RFC 3463 5.7.1: no relaying for unauthenticated clients, ever. */
  RELAY_DENIED: { code: 554, enhanced: '5.7.1', text: 'Relay access denied' },
  /** RFC 7489 6.6.2 + RFC 3463 5.7.1: the From domain's DMARC policy is p=reject and the message failed it. */
  /** RFC 3463 5.7.1: Rspamd's action is reject (above the reject score). */
  SPAM_REJECTED: { code: 550, enhanced: '5.7.1', text: 'Message rejected as spam' },
  /** RFC 5321 4.2.3 + RFC 3463 4.7.1: Rspamd says greylist or soft reject; the client retries later. */
  GREYLISTED: { code: 451, enhanced: '4.7.1', text: 'Greylisted, please try again later' },
  DMARC_REJECTED: {
    code: 550,
    enhanced: '5.7.1',
    text: 'Message rejected by the DMARC policy of the sender domain',
  },
} as const satisfies Record<string, SmtpReply>;

export interface SmtpReply {
  code: number;
  enhanced: string;
  text: string;
}

export type ReplyName = keyof typeof REPLIES;

/** The reply text as smtp-server should send it: enhanced code first, then the text. */
export function replyText(name: ReplyName): string {
  const reply: SmtpReply = REPLIES[name];
  return `${reply.enhanced} ${reply.text}`;
}

/** An error that smtp-server turns into exactly this reply when passed to a hook's callback. */
export function replyError(name: ReplyName): SMTPServerError {
  const reply: SmtpReply = REPLIES[name];
  const error: SMTPServerError = new Error(replyText(name));
  error.responseCode = reply.code;
  return error;
}

/** Matches a reply text that already starts with an RFC 3463 enhanced status code. */
export const ENHANCED_CODE_PREFIX = /^[245]\.\d{1,3}\.\d{1,3} /;
