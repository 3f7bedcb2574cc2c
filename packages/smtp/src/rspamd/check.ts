/** The MX's question to Rspamd for one message, and what it means for the reply and delivery. */
import type { ReplyName } from '../replies.js';
import { rspamdCheck, type RspamdCheckInput } from './client.js';
import type { RspamdOptions } from './options.js';
import { decide, UNCHECKED_HEADERS } from './verdict.js';

export interface SpamOutcome {
  /** A refusal at DATA, or null to store the message. */
  reply: Extract<ReplyName, 'SPAM_REJECTED' | 'GREYLISTED'> | null;
  /** Headers to store the message with. */
  headers: string;
  /** File local copies into Junk (unless the recipient's Sieve script decides). */
  junk: boolean;
  log: object;
}

export async function checkSpam(options: RspamdOptions, input: RspamdCheckInput): Promise<SpamOutcome> {
  let verdict;
  try {
    verdict = await rspamdCheck(options, input);
  } catch (error) {
    // Never lose mail to a spam filter outage: accept, mark unchecked, log.
    options.logger.warn(
      { err: error, queueId: input.queueId },
      'rspamd unavailable; message accepted unchecked',
    );
    return { reply: null, headers: UNCHECKED_HEADERS, junk: false, log: { spam: 'unchecked' } };
  }
  const log = { spam: { action: verdict.action, score: verdict.score } };
  const decision = decide(verdict);
  if (decision.kind === 'reject') return { reply: 'SPAM_REJECTED', headers: '', junk: false, log };
  if (decision.kind === 'greylist') return { reply: 'GREYLISTED', headers: '', junk: false, log };
  return { reply: null, headers: decision.headers, junk: decision.spam, log };
}
