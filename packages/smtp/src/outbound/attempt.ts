import { signMessage } from './dkim-sign.js';
import type { RelayContext } from './context.js';
import type { Group } from './grouping.js';
import { domainOf, fromHeaderDomain, stripReturnPath } from './message-prep.js';
import { isForbiddenDestination } from './forbidden-destinations.js';
import { aLabel as aLabelOf, lookupDestination, RouteError } from './mx-lookup.js';
import type { OutboundDsn } from '@minimail/store';
import {
  sendOverSmtp,
  SmtpSendError,
  type OutgoingMessage,
  type SendOutcome,
  type SmtpTarget,
} from './smtp-client.js';
import { enhancedStatus, perRecipient, type Verdict } from './verdicts.js';
import { policyAllowsMx, type StsPolicy, type TlsFailure } from './mta-sts/index.js';

type Target = SmtpTarget & { mta: string; sts: StsPolicy | null };

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
  let targets: Target[];
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
    const dsn = group.entries[0]?.dsn ?? null;
    const outgoing = {
      heloName: ctx.hostname,
      sender: group.sender,
      recipients,
      message,
      ...(dsn !== null ? { dsn: nextHopDsn(dsn) } : {}),
    };
    try {
      outcome = await sendWithPolicy(ctx, group.domain, target, outgoing);
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

/**
 * One SMTP transaction under the domain's MTA-STS policy (RFC 8461 5): with a policy, STARTTLS
 * with a certificate valid for the MX name. In enforce mode a TLS failure fails this host (the
 * caller tries the next, then defers); in testing mode it is reported and the message goes as
 * without a policy. Every session with a policy is counted for TLS-RPT (RFC 8460).
 */
async function sendWithPolicy(
  ctx: RelayContext,
  domain: string,
  target: Target,
  outgoing: Parameters<typeof sendOverSmtp>[1],
): Promise<SendOutcome> {
  const policy = target.sts;
  if (policy === null) return sendOverSmtp(target, outgoing);
  try {
    const outcome = await sendOverSmtp(target, outgoing);
    ctx.tlsReports?.recordSuccess(domain, policy);
    return outcome;
  } catch (error) {
    const failure = error instanceof SmtpSendError ? tlsFailureOf(error) : null;
    if (failure === null) throw error;
    ctx.tlsReports?.recordFailure(domain, policy, {
      ...failure,
      receivingMxHostname: target.mta,
      receivingIp: target.host,
    });
    ctx.logger.warn(
      { domain, host: target.mta, mode: policy.mode, result: failure.resultType },
      'relay: MTA-STS TLS check failed',
    );
    if (policy.mode === 'enforce') throw error;
    // Testing mode: report, then deliver as without a policy (RFC 8461 5).
    return sendOverSmtp({ ...target, tls: 'opportunistic', verifyCertificate: false }, outgoing);
  }
}

/**
 * A TLS failure as a TLS-RPT result type (RFC 8460 4.3), or null when the failure is not about
 * TLS. nodemailer passes node's certificate errors on as ESOCKET with node's message (the code is
 * lost), so the messages are read too.
 */
function tlsFailureOf(error: SmtpSendError): Omit<TlsFailure, 'receivingMxHostname' | 'receivingIp'> | null {
  const codes: string[] = [];
  const messages: string[] = [];
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    if ('code' in e) codes.push(String(e.code));
    messages.push(e.message);
  }
  const text = messages.join(' | ');
  const failureReason = messages.at(-1) ?? error.message;
  const seen = (code: RegExp, message: RegExp): boolean =>
    codes.some((c) => code.test(c)) || message.test(text);
  if (seen(/^ERR_TLS_CERT_ALTNAME_INVALID$/, /does not match certificate's altnames/i))
    return { resultType: 'certificate-host-mismatch', failureReason };
  if (seen(/^CERT_HAS_EXPIRED$/, /certificate has expired/i))
    return { resultType: 'certificate-expired', failureReason };
  if (
    seen(
      /SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|CERT_UNTRUSTED/,
      /self[- ]signed certificate|unable to verify the first certificate|unable to get (local )?issuer/i,
    )
  )
    return { resultType: 'certificate-not-trusted', failureReason };
  if (codes.includes('ETLS')) {
    return /handshake|certificate|alert/i.test(text)
      ? { resultType: 'validation-failure', failureReason }
      : { resultType: 'starttls-not-supported', failureReason };
  }
  return null;
}

async function routeTargets(ctx: RelayContext, domain: string): Promise<Target[]> {
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
        sts: null,
      },
    ];
  }
  const found = await lookupDestination(domain, ctx.resolver);
  const policy = ctx.mtaSts === null ? null : await ctx.mtaSts.policyFor(aLabelOf(domain));
  // Issue 11: never to loopback, private, link-local or own addresses, whatever DNS says (an
  // attacker controls the DNS of the domains it sends to).
  const hosts = ctx.allowPrivateDestinations
    ? found
    : found.map((host) => ({ ...host, addresses: host.addresses.filter((a) => !isForbiddenDestination(a)) }));
  if (hosts.every((host) => host.addresses.length === 0)) {
    throw new RouteError(`${domain} resolves only to private, loopback or own addresses`, true, '5.4.6');
  }
  // RFC 8461 4.1: in enforce mode only MX hosts the policy names are candidates.
  const allowed =
    policy?.mode === 'enforce' ? hosts.filter((host) => policyAllowsMx(policy, host.name)) : hosts;
  if (allowed.length === 0) {
    ctx.tlsReports?.recordFailure(aLabelOf(domain), policy, {
      resultType: 'validation-failure',
      failureReason: 'no MX host matches the MTA-STS policy',
    });
    throw new RouteError(`no MX host of ${domain} matches its MTA-STS policy (enforce)`, false, '4.7.5');
  }
  return allowed.flatMap((host) =>
    host.addresses.map((address) => ({
      host: address,
      port: ctx.mxPort,
      servername: host.name,
      // RFC 8461 4.2: with a policy, TLS with a certificate valid for the MX name (WebPKI).
      tls: policy === null ? ('opportunistic' as const) : ('starttls' as const),
      verifyCertificate: policy !== null,
      ...(policy !== null && ctx.mxCa !== undefined ? { ca: ctx.mxCa } : {}),
      mta: host.name,
      sts: policy !== null && policyAllowsMx(policy, host.name) ? policy : testingOnly(policy),
    })),
  );
}

/** A testing-mode policy still applies (and reports) to hosts it does not name. */
function testingOnly(policy: StsPolicy | null): StsPolicy | null {
  return policy?.mode === 'testing' ? policy : null;
}

/** RFC 3461 5.2: the parameters as the next hop gets them (the client encodes them as xtext). */
function nextHopDsn(dsn: OutboundDsn): NonNullable<OutgoingMessage['dsn']> {
  return {
    ...(dsn.ret !== undefined ? { ret: dsn.ret } : {}),
    ...(dsn.envid !== undefined ? { envid: dsn.envid } : {}),
    ...(dsn.notify !== undefined ? { notify: dsn.notify } : {}),
    ...(dsn.orcpt !== undefined ? { orcpt: dsn.orcpt } : {}),
  };
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
