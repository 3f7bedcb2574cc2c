/**
 * Local delivery through each recipient's active Sieve script (RFC 5228 2.10): the actions become
 * the delivery's targets (INBOX or folders, with imap4flags), relay recipients (redirect), and,
 * after the commit, vacation replies (RFC 5230, once per sender per period) and reject notices
 * (RFC 5429). Whatever goes wrong with a script (parse error, runtime limit, a store error while
 * planning) ends in the implicit keep: the message is never lost to a script.
 */
import { randomBytes } from 'node:crypto';
import {
  buildVacationReply,
  compileScript,
  DEFAULT_LIMITS,
  messageFromRaw,
  runSieveSafely,
  type SieveAction,
  type VacationAction,
} from '@minimail/sieve';
import type { DeliveryResult, DeliveryTarget, SmtpStore, OutboundDsn } from '@minimail/store';
import type { Profile } from '../envelope-policy.js';
import type { SieveDeliveryOptions } from './options.js';
import { buildRejectNotice } from './reject-notice.js';
import { routeAddress } from './route.js';

export interface SieveDeliveryInput {
  store: SmtpStore;
  sieve: SieveDeliveryOptions;
  profile: Profile;
  /** The message as it will be stored (trace headers included). */
  raw: Buffer;
  sender: string;
  userIds: readonly number[];
  /** Remote recipients of the transaction itself. */
  relay: readonly string[];
  /** The spam filter says spam: users without an active script get the copy in Junk. */
  junk?: boolean;
  /** RFC 3461 parameters of the transaction's recipients (redirect targets have none). */
  dsn?: ReadonlyMap<string, OutboundDsn>;
}

interface Plan {
  targets: DeliveryTarget[];
  relay: Set<string>;
  /** Work for after the commit (replies and notices are new messages). */
  after: Array<() => Promise<void>>;
}

export async function deliverWithSieve(input: SieveDeliveryInput): Promise<DeliveryResult> {
  const plan: Plan = { targets: [], relay: new Set(input.relay), after: [] };
  for (const userId of input.userIds) {
    try {
      await planUser(input, userId, plan);
    } catch (error) {
      // A store error while planning (reading the script, listing mailboxes): deliver as without Sieve.
      input.sieve.logger.warn({ err: error, userId }, 'sieve: planning failed; implicit keep');
      plan.targets.push({ userId });
    }
  }
  let result: DeliveryResult = { copies: [], queued: [], bodyHash: '' };
  if (plan.targets.length > 0 || plan.relay.size > 0) {
    result = await input.store.deliver({
      raw: input.raw,
      targets: plan.targets,
      // Issue 18: a user whose quota this message would pass gets no copy (keep, fileinto and
      // redirect alike, checked inside the store's write transaction); when nobody is left and
      // nothing is relayed the store refuses it (OVER_QUOTA) and no reply or notice goes out.
      quota: 'enforce',
      ...(plan.relay.size > 0
        ? {
            outbound: {
              sender: input.sender,
              recipients: [...plan.relay],
              ...(input.dsn !== undefined
                ? { dsn: [...plan.relay].map((a) => input.dsn?.get(a.toLowerCase()) ?? null) }
                : {}),
            },
          }
        : {}),
    });
  }
  // Only once the message is durably stored: a reply for a message we then refuse would be wrong.
  for (const task of plan.after) {
    try {
      await task();
    } catch (error) {
      input.sieve.logger.warn({ err: error }, 'sieve: sending a vacation reply or reject notice failed');
    }
  }
  return result;
}

async function planUser(input: SieveDeliveryInput, userId: number, plan: Plan): Promise<void> {
  const { store, sieve } = input;
  const active = await sieve.scripts.activeSieveScript(userId);
  if (active === null) {
    plan.targets.push(input.junk ? { userId, mailbox: 'Junk' } : { userId });
    return;
  }
  const log = sieve.logger.child({ userId, script: active.name });
  let program;
  try {
    program = compileScript(active.content, defaults(sieve));
  } catch (error) {
    // Checked at upload, so only a script stored before a stricter version gets here.
    log.warn({ err: error }, 'sieve: script does not parse; implicit keep');
    plan.targets.push({ userId });
    return;
  }
  const mailboxes = new Set((await store.listMailboxes(userId)).map((m) => m.name));
  const includes = program.required.has('include')
    ? await sieve.scripts.allSieveScripts(userId)
    : new Map<string, string>();
  const now = sieve.now?.() ?? Date.now();
  const result = runSieveSafely(program, {
    message: messageFromRaw(input.raw),
    envelope: { from: input.sender, to: active.address },
    mailboxExists: (name) => mailboxes.has(name) || name.toUpperCase() === 'INBOX',
    // RFC 6609: personal scripts are the user's own; there are no global scripts (yet).
    loadScript: (name, personal) => (personal ? (includes.get(name) ?? null) : null),
    now,
    ...(sieve.localZone !== undefined ? { localZone: sieve.localZone } : {}),
    ...(sieve.limits ? { limits: sieve.limits } : {}),
  });
  if (result.error)
    log.warn(
      { code: result.error.code, detail: result.error.message },
      'sieve: runtime error; implicit keep',
    );
  log.info({ actions: result.actions.map(describe), notes: result.notes, steps: result.steps }, 'sieve: ran');
  for (const action of result.actions) {
    await apply(input, userId, active.address, action, mailboxes, now, plan, log);
  }
}

function defaults(sieve: SieveDeliveryOptions) {
  return { ...DEFAULT_LIMITS, ...sieve.limits };
}

function describe(a: SieveAction): string {
  switch (a.type) {
    case 'fileinto':
      return `fileinto ${a.mailbox}`;
    case 'redirect':
      return `redirect ${a.address}`;
    case 'vacation':
      return `vacation ${a.to}`;
    default:
      return a.type;
  }
}

async function apply(
  input: SieveDeliveryInput,
  userId: number,
  address: string,
  action: SieveAction,
  mailboxes: Set<string>,
  now: number,
  plan: Plan,
  log: SieveDeliveryOptions['logger'],
): Promise<void> {
  const { store, sieve } = input;
  const flagged = (flags: string[]) => (flags.length > 0 ? { flags } : {});
  switch (action.type) {
    case 'keep':
      plan.targets.push({ userId, ...flagged(action.flags) });
      return;
    case 'fileinto': {
      let name = action.mailbox;
      if (name.toUpperCase() === 'INBOX') name = 'INBOX';
      if (!mailboxes.has(name) && name !== 'INBOX') {
        if (!action.create) {
          // RFC 5228 4.1: a missing mailbox is an error; we keep the message in INBOX instead.
          log.warn({ mailbox: name }, 'sieve: fileinto a mailbox that does not exist; kept in INBOX');
          plan.targets.push({ userId, ...flagged(action.flags) });
          return;
        }
        // RFC 5490 3.2: fileinto :create makes the mailbox first.
        try {
          await store.createMailbox(userId, name);
          mailboxes.add(name);
        } catch (error) {
          log.warn({ err: error, mailbox: name }, 'sieve: fileinto :create failed; kept in INBOX');
          plan.targets.push({ userId, ...flagged(action.flags) });
          return;
        }
      }
      plan.targets.push({ userId, mailbox: name, ...flagged(action.flags) });
      return;
    }
    case 'redirect': {
      const route = await routeAddress(store, input.profile, action.address);
      for (const id of route.userIds) plan.targets.push({ userId: id });
      for (const r of route.relay) plan.relay.add(r.toLowerCase());
      return;
    }
    case 'discard':
      return;
    case 'reject':
      if (input.sender === '') return; // never notify the null sender (RFC 5429 2.1, RFC 3464)
      plan.after.push(async () => {
        const headerEnd = input.raw.indexOf('\r\n\r\n');
        const notice = buildRejectNotice({
          to: input.sender,
          recipient: address,
          reason: action.reason,
          originalHeader: input.raw
            .subarray(0, headerEnd < 0 ? input.raw.length : headerEnd + 2)
            .toString('utf8'),
          hostname: sieve.hostname,
          id: randomBytes(9).toString('hex'),
          now: new Date(now),
        });
        await sendGenerated(input, input.sender, notice);
      });
      return;
    case 'vacation':
      plan.after.push(() => sendVacation(input, userId, action, now));
      return;
  }
}

async function sendVacation(
  input: SieveDeliveryInput,
  userId: number,
  action: VacationAction,
  now: number,
): Promise<void> {
  // RFC 5230 4.1: one reply per sender per :days for this vacation (its handle).
  const send = await input.sieve.scripts.claimVacationReply(
    userId,
    action.handle,
    action.to,
    action.days,
    now,
  );
  if (!send) {
    input.sieve.logger.info(
      { userId, to: action.to },
      'sieve: vacation already answered this sender in the period',
    );
    return;
  }
  const reply = buildVacationReply(action, {
    now: new Date(now),
    hostname: input.sieve.hostname,
    id: randomBytes(9).toString('hex'),
  });
  await sendGenerated(input, action.to, reply);
}

/** A message we generate goes out with the null reverse path (RFC 3834 3.3, RFC 3464 2). */
async function sendGenerated(input: SieveDeliveryInput, to: string, raw: Buffer): Promise<void> {
  const route = await routeAddress(input.store, input.profile, to);
  if (route.userIds.length === 0 && route.relay.length === 0) return;
  await input.store.deliver({
    raw,
    targets: route.userIds.map((userId) => ({ userId })),
    ...(route.relay.length > 0 ? { outbound: { sender: '', recipients: route.relay } } : {}),
  });
}
