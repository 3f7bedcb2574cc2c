import type { SmtpStore } from '@minimail/store';
import type { Profile } from '../envelope-policy.js';

export interface Route {
  userIds: number[];
  relay: string[];
}

/**
 * Where a message Sieve sends on (redirect, vacation reply, reject notice) goes: local users get
 * it in their INBOX; in production a remote address goes to the outbound queue; in dev nothing
 * leaves the machine, so every address gets a mailbox (as the MX does for RCPT TO).
 */
export async function routeAddress(store: SmtpStore, profile: Profile, address: string): Promise<Route> {
  const resolution = await store.resolveRecipient(address.toLowerCase());
  if (resolution.kind === 'local') {
    if (profile === 'production')
      return { userIds: resolution.users.map((u) => u.id), relay: resolution.forward };
    const created = await Promise.all(resolution.forward.map((a) => store.ensureUser(a)));
    return { userIds: [...resolution.users, ...created].map((u) => u.id), relay: [] };
  }
  if (profile === 'dev') return { userIds: [(await store.ensureUser(address.toLowerCase())).id], relay: [] };
  if (resolution.kind === 'remote') return { userIds: [], relay: [address] };
  return { userIds: [], relay: [] };
}
