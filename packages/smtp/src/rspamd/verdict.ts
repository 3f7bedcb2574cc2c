/**
 * What the MX does with Rspamd's action (its names, as the rspamd milter maps them):
 * reject -> 550 at DATA; soft reject and greylist -> 451 (the client retries); add header and
 * rewrite subject -> stored with X-Spam headers and filed into Junk; no action -> stored with the
 * score. When Rspamd cannot be asked the message is accepted, marked unchecked (never lost).
 */
import type { RspamdVerdict } from './client.js';

export type SpamDecision =
  | { kind: 'reject'; verdict: RspamdVerdict }
  | { kind: 'greylist'; verdict: RspamdVerdict }
  | { kind: 'accept'; spam: boolean; headers: string };

export function decide(verdict: RspamdVerdict): SpamDecision {
  switch (verdict.action) {
    case 'reject':
      return { kind: 'reject', verdict };
    case 'soft reject':
    case 'greylist':
      return { kind: 'greylist', verdict };
    case 'add header':
    case 'rewrite subject':
      return { kind: 'accept', spam: true, headers: spamHeaders(verdict, true) };
    default:
      return { kind: 'accept', spam: false, headers: spamHeaders(verdict, false) };
  }
}

/** The headers a checked message is stored with (a Sieve script can test them). */
export function spamHeaders(verdict: RspamdVerdict, spam: boolean): string {
  const score = verdict.score.toFixed(2);
  const required = verdict.requiredScore.toFixed(2);
  return (
    `X-Spam: ${spam ? 'Yes' : 'No'}\r\n` +
    `X-Spam-Score: ${score}\r\n` +
    `X-Spam-Status: ${spam ? 'Yes' : 'No'}, score=${score} required=${required} action=${verdict.action.replace(/\s+/g, '_')}\r\n`
  );
}

/** Rspamd could not be asked: the message goes in, marked so. */
export const UNCHECKED_HEADERS = 'X-Spam-Status: Unchecked (spam filter unavailable)\r\n';
