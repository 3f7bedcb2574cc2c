import { signMessage } from './dkim-sign.js';
import type { RelayContext } from './context.js';
import type { Group } from './grouping.js';
import { domainOf, fromHeaderDomain, stripReturnPath } from './message-prep.js';
import { isForbiddenDestination } from './forbidden-destinations.js';
import { lookupDestination, RouteError } from './mx-lookup.js';
import { sendOverSmtp, SmtpSendError, type SendOutcome, type SmtpTarget } from './smtp-client.js';
import { enhancedStatus, perRecipient, type Verdict } from './verdicts.js';

/** One delivery attempt of a group; a verdict per recipient address. */
export async function attemptDelivery(ctx: RelayContext, group: Group): Promise<Map<string, Verdict>> {
  const recipients = group.entries.map((entry) => entry.recipient);
  const all = (verdict: Verdict): Map<string, Verdict> =>
    new Map(recipients.map((recipient) => [recipient, verdict]));
  let message: Buffer;
  try {
    message = await prepareMessage(ctx, group);
  } catch (error) {
    ctx.logger.error({ err: error, domain: group.domain }, 'relay: preparing the message failed');
    return all({ kind: 'temporary', diagnostic: `local error preparing the message: ${errorText(error)}` });
  }
  let targets: Array<SmtpTarget & { mta: string }>;
  try {
    targets = await routeTargets(ctx, group.domain);
  } catch (error) {
    if (error instanceof RouteError) {
      return all(
        error.permanent
          ? { kind: 'permanent', status: error.status, diagnostic: error.message }
          : { kind: 'temporary', diagnostic: error.message },
      );
    }
    throw error;
  }
  let last: Verdict = { kind: 'temporary', diagnostic: 'no host to try' };
  for (const target of targets) {
    let outcome: SendOutcome;
    try {
      outcome = await sendOverSmtp(target, {
        heloName: ctx.hostname,
        sender: group.sender,
        recipients,
        message,
      });
    } catch (error) {
      if (!(error instanceof SmtpSendError)) throw error;
      ctx.logger.warn(
        { domain: group.domain, host: target.mta, address: target.host, code: error.code, err: error },
        'relay: attempt failed',
      );
      // RFC 5321 5.1: a permanent reply is final; anything else, try the next host.
      if (error.permanent) {
        return all({
          kind: 'permanent',
          status: enhancedStatus(error.diagnostic, error.code ?? 550),
          diagnostic: error.diagnostic,
          remoteMta: target.mta,
        });
      }
      last = { kind: 'temporary', diagnostic: error.diagnostic, remoteMta: target.mta };
      continue;
    }
    return perRecipient(outcome, recipients, target.mta);
  }
  return all(last);
}

/** The message as it goes out: our Return-Path removed, DKIM-signed when we hold a key. */
async function prepareMessage(ctx: RelayContext, group: Group): Promise<Buffer> {
  const message = stripReturnPath(await ctx.store.readBody(group.bodyHash));
  // Sign as the From domain (what DMARC aligns with), else as the envelope sender's domain.
  const candidates = [fromHeaderDomain(message), group.sender === '' ? null : domainOf(group.sender)];
  for (const domain of candidates) {
    if (domain === null) continue;
    const key = await ctx.store.getDkimKey(domain);
    if (key !== null) return signMessage(message, key);
  }
  return message;
}

async function routeTargets(ctx: RelayContext, domain: string): Promise<Array<SmtpTarget & { mta: string }>> {
  const smarthost = ctx.smarthost;
  if (smarthost !== null) {
    return [
      {
        host: smarthost.host,
        port: smarthost.port,
        servername: smarthost.host,
        tls: smarthost.tls,
        verifyCertificate: smarthost.verifyCertificate ?? true,
        ...(smarthost.auth !== undefined ? { auth: smarthost.auth } : {}),
        mta: smarthost.host,
      },
    ];
  }
  const found = await lookupDestination(domain, ctx.resolver);
  // Issue 11: never to loopback, private, link-local or own addresses, whatever DNS says (an
  // attacker controls the DNS of the domains it sends to).
  const hosts = ctx.allowPrivateDestinations
    ? found
    : found.map((host) => ({ ...host, addresses: host.addresses.filter((a) => !isForbiddenDestination(a)) }));
  if (hosts.every((host) => host.addresses.length === 0)) {
    throw new RouteError(`${domain} resolves only to private, loopback or own addresses`, true, '5.4.6');
  }
  return hosts.flatMap((host) =>
    host.addresses.map((address) => ({
      host: address,
      port: ctx.mxPort,
      servername: host.name,
      tls: 'opportunistic' as const,
      verifyCertificate: false,
      mta: host.name,
    })),
  );
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
