/**
 * The pause before the SMTP greeting. smtp-server waits 100 ms after accepting a connection
 * before it sends "220" and answers any command sent before that with "421 You talk too soon":
 * spam engines that do not wait for the greeting (RFC 5321 4.3.1 says a client must) give
 * themselves away. That is worth 100 ms per connection on a public MX, and nothing but latency
 * where clients are our own users (submission) or a developer's tests (dev profile), where a
 * client that opens one connection per message is capped at ten messages a second per session.
 */
import type { Profile } from '@minimail/protocol';

export interface GreetingPolicy {
  /** Keep smtp-server's pause and its "talk too soon" rejection. */
  rejectEarlyTalkers: boolean;
}

/** Production MX keeps the pause; submission (authenticated users) and dev never pay it. */
export function greetingPolicy(kind: 'mx' | 'submission', profile: Profile): GreetingPolicy {
  return { rejectEarlyTalkers: kind === 'mx' && profile === 'production' };
}

/** The public part of smtp-server's SMTPConnection this file relies on (smtp-connection.d.ts). */
interface ReadyableConnection {
  connectionReady(next?: () => void): void;
}

/**
 * Greets at once instead of after smtp-server's 100 ms timer. Called right after smtp-server's
 * `connect()` has created the connection and armed the timer: the connection's own
 * `connectionReady` (public API: it sends the greeting once onConnect allowed the client) runs
 * now, and the timer's later call is made a no-op, so the greeting is sent exactly once.
 *
 * Why this survives upgrades: it uses only `SMTPServer.connect` and
 * `SMTPConnection.connectionReady`, both public in the typings, and hardening.test.ts pins the
 * behaviour (dev greets an early talker normally; production MX still answers it 421) so a
 * changed mechanism fails a test instead of silently adding latency or double greetings.
 */
export function greetWithoutDelay(connection: ReadyableConnection): void {
  const ready = connection.connectionReady.bind(connection);
  let called = false;
  connection.connectionReady = (next) => {
    if (called) return;
    called = true;
    ready(next);
  };
  connection.connectionReady();
}
