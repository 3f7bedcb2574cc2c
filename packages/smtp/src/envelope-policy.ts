import { isForbiddenRecipientDomain } from './outbound/forbidden-destinations.js';
import { fitsQuota, isQuotaFull, type SmtpStore, type User } from '@minimail/store';
import type { ReplyName } from './replies.js';

import type { Profile } from '@minimail/protocol';

export type { Profile };

/**
 * What accepting one RCPT means at delivery time. Every recipient's plan has the same shape so
 * a transaction's plans merge by plain set union (duplicates collapse there).
 */
export interface RecipientPlan {
  /** Local users whose INBOX gets a copy. */
  userIds: number[];
  /** Dev profile: addresses whose account is created at delivery (store.ensureUser). */
  create: string[];
  /** Remote addresses handed to the outbound queue in the same commit. */
  relay: string[];
}

export type Decision<T> = { ok: true; value: T } | { ok: false; reply: ReplyName; error?: unknown };

export interface RecipientContext {
  profile: Profile;
  /** Only an authenticated submission client may have mail relayed (RFC 6409 4.3). */
  authenticated: boolean;
  /** Our host name, the domain of the domain-less `postmaster` recipient. */
  hostname: string;
  /**
   * True when a remote domain resolves only to addresses the relay never connects to (private,
   * loopback, link-local, our own); absent: no lookup at RCPT (the relay worker still filters).
   */
  resolvesOnlyToForbidden?: (domain: string) => Promise<boolean>;
  /** RFC 1870 SIZE= of MAIL FROM, when the client declared one: checked against quotas at RCPT. */
  declaredSize?: number;
}

/**
 * Decides whether RCPT TO is accepted and what it will deliver to.
 *
 * Relaying is decided on the address exactly as smtp-server parsed it: source routes
 * (`<@a.com:b@c.com>`) have been stripped to `b@c.com` (RFC 5321 4.1.2 / C: accept and ignore),
 * and `%` or `!` in a local part is never interpreted, so `b%c.com@local.test` is the literal
 * mailbox `b%c.com` at local.test. Addresses with two `@` (`b@c.com@a.com`, `"b@c.com"@a`) never
 * get here: smtp-server answers them 501.
 */
export async function decideRecipient(
  store: SmtpStore,
  context: RecipientContext,
  rawAddress: string,
): Promise<Decision<RecipientPlan>> {
  // RFC 5321 4.1.1.3: the domain-less "postmaster" must be accepted; it means ours.
  const barePostmaster = rawAddress.toLowerCase() === 'postmaster';
  const address = barePostmaster ? `postmaster@${context.hostname}` : rawAddress.toLowerCase();
  let resolution;
  try {
    resolution = await store.resolveRecipient(address);
  } catch (error) {
    return storeFailure(error);
  }
  if (context.profile === 'dev') {
    // Dev catches everything: known addresses resolve as configured, the rest get a mailbox,
    // and alias forwards stay local too. Nothing is ever relayed out.
    if (resolution.kind === 'local') {
      const full = await mailboxFull(store, resolution.users, resolution.forward.length, context);
      if (full !== null) return full;
      return accept({
        userIds: resolution.users.map((user) => user.id),
        create: resolution.forward,
        relay: [],
      });
    }
    return accept({ userIds: [], create: [address], relay: [] });
  }
  switch (resolution.kind) {
    case 'local': {
      const full = await mailboxFull(store, resolution.users, resolution.forward.length, context);
      if (full !== null) return full;
      // Forwards configured by the admin (alias -> remote address) go out through the queue.
      return accept({
        userIds: resolution.users.map((user) => user.id),
        create: [],
        relay: resolution.forward,
      });
    }
    case 'unknown':
      return { ok: false, reply: 'UNKNOWN_RECIPIENT' };
    case 'remote':
      // Our host name is not a mail domain here: nobody to hand postmaster mail to, but it is
      // not a relay attempt either (the admin adds the domain and a postmaster alias).
      if (barePostmaster) return { ok: false, reply: 'UNKNOWN_RECIPIENT' };
      if (!context.authenticated) return { ok: false, reply: 'RELAY_DENIED' };
      return (await forbiddenDestination(context, address))
        ? { ok: false, reply: 'DESTINATION_REFUSED' }
        : accept({ userIds: [], create: [], relay: [address] });
  }
}

/**
 * Issue 18: RCPT to a mailbox whose quota is used up, or has no room for the declared SIZE=, is
 * refused with 452 4.2.2 (RFC 3463 X.2.2 mailbox full; temporary, the user can make room). Only
 * when no one behind the address could take the message: an alias with one full member among
 * others, or with remote forwards, is accepted (DATA then stores what fits, issue 18 in
 * transaction-hooks.ts). Null: accept.
 */
async function mailboxFull(
  store: SmtpStore,
  users: readonly User[],
  otherTargets: number,
  context: RecipientContext,
): Promise<Decision<never> | null> {
  if (users.length === 0 || otherTargets > 0) return null;
  try {
    for (const user of users) {
      const quota = await store.getQuota(user.address);
      const room = !isQuotaFull(quota) && fitsQuota(quota, context.declaredSize ?? 0, 1);
      if (room) return null;
    }
  } catch (error) {
    return storeFailure(error);
  }
  return { ok: false, reply: 'MAILBOX_FULL' };
}

/**
 * RFC 6409 6.1: a submission client may only use MAIL FROM addresses it owns (its login address
 * or an alias pointing to it). The null sender is refused: bounces are not submitted.
 */
export async function decideSender(
  store: SmtpStore,
  userId: number,
  address: string,
): Promise<Decision<string>> {
  if (address === '') return { ok: false, reply: 'SENDER_NOT_OWNED' };
  let sendable: string[];
  try {
    sendable = await store.sendableAddresses(userId);
  } catch (error) {
    return storeFailure(error);
  }
  const wanted = address.toLowerCase();
  return sendable.some((own) => own.toLowerCase() === wanted)
    ? { ok: true, value: wanted }
    : { ok: false, reply: 'SENDER_NOT_OWNED' };
}

/**
 * Issue 11: the relay reaches only the internet. An address literal, localhost, our own name, or
 * (with a resolver) a name whose every address is private, loopback, link-local or ours.
 */
async function forbiddenDestination(context: RecipientContext, address: string): Promise<boolean> {
  const domain = address.slice(address.lastIndexOf('@') + 1);
  if (isForbiddenRecipientDomain(domain, context.hostname)) return true;
  if (context.resolvesOnlyToForbidden === undefined) return false;
  try {
    return await context.resolvesOnlyToForbidden(domain);
  } catch {
    // A lookup that fails now may work later: the relay worker decides (and never connects to
    // a forbidden address either way).
    return false;
  }
}

function accept(plan: RecipientPlan): Decision<RecipientPlan> {
  return { ok: true, value: plan };
}

/**
 * Any store failure while deciding is answered 451 (try again later), INVALID included:
 * smtp-server has already checked the address syntax, and a closed or broken store also reports
 * INVALID; a temporary answer can never bounce mail that we would have accepted later.
 */
function storeFailure(error: unknown): Decision<never> {
  return { ok: false, reply: 'LOCAL_ERROR', error };
}

/** Merges the plans of every accepted recipient; each target appears once. */
export function mergePlans(plans: Iterable<RecipientPlan>): RecipientPlan {
  const userIds = new Set<number>();
  const create = new Set<string>();
  const relay = new Set<string>();
  for (const plan of plans) {
    plan.userIds.forEach((id) => userIds.add(id));
    plan.create.forEach((address) => create.add(address.toLowerCase()));
    plan.relay.forEach((address) => relay.add(address.toLowerCase()));
  }
  return { userIds: [...userIds], create: [...create], relay: [...relay] };
}
