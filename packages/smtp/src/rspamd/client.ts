/**
 * Rspamd's HTTP protocol (https://rspamd.com/doc/developers/protocol.html): POST the message to
 * /checkv2 with the envelope in headers (IP, Helo, From, one Rcpt per recipient, User), read the
 * JSON verdict; POST to the controller's /learnspam or /learnham to teach its Bayes classifier.
 */
import http from 'node:http';
import https from 'node:https';
import { DEFAULT_RSPAMD_TIMEOUT_MS, MAX_RSPAMD_REPLY_BYTES, type RspamdOptions } from './options.js';

export interface RspamdCheckInput {
  raw: Buffer;
  ip: string;
  helo: string | null;
  from: string;
  recipients: readonly string[];
  user: string | null;
  queueId: string;
}

/** The parts of a /checkv2 reply we act on. */
export interface RspamdVerdict {
  action: string;
  score: number;
  requiredScore: number;
  symbols: string[];
  /** Rspamd's own SMTP text for a reject, if it gave one. */
  smtpMessage: string | null;
}

function post(
  base: string,
  path: string,
  headers: Record<string, string | string[]>,
  body: Buffer,
  timeoutMs: number,
): Promise<{ status: number; body: Buffer }> {
  const url = new URL(path, base);
  const lib = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(
      url,
      { method: 'POST', headers: { ...headers, 'Content-Length': String(body.length) } },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_RSPAMD_REPLY_BYTES) {
            req.destroy(new Error('rspamd reply too large'));
            return;
          }
          chunks.push(c);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`rspamd did not answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** Asks Rspamd about one message. Throws when Rspamd cannot be reached or answers nonsense. */
export async function rspamdCheck(options: RspamdOptions, input: RspamdCheckInput): Promise<RspamdVerdict> {
  const headers: Record<string, string | string[]> = {
    IP: input.ip,
    From: input.from,
    'Queue-Id': input.queueId,
  };
  if (input.helo) headers['Helo'] = input.helo;
  if (input.recipients.length > 0) headers['Rcpt'] = [...input.recipients];
  if (input.user) headers['User'] = input.user;
  const res = await post(
    options.url,
    '/checkv2',
    headers,
    input.raw,
    options.timeoutMs ?? DEFAULT_RSPAMD_TIMEOUT_MS,
  );
  if (res.status !== 200) throw new Error(`rspamd answered HTTP ${res.status}`);
  const json = JSON.parse(res.body.toString('utf8')) as {
    action?: unknown;
    score?: unknown;
    required_score?: unknown;
    symbols?: Record<string, unknown>;
    messages?: { smtp_message?: unknown };
  };
  if (typeof json.action !== 'string' || typeof json.score !== 'number')
    throw new Error('rspamd reply has no action/score');
  return {
    action: json.action,
    score: json.score,
    requiredScore: typeof json.required_score === 'number' ? json.required_score : 0,
    symbols: Object.keys(json.symbols ?? {}).sort(),
    smtpMessage: typeof json.messages?.smtp_message === 'string' ? json.messages.smtp_message : null,
  };
}

/** A busy statfile is retried with growing pauses, up to about 20 s in all (a loaded machine). */
const LEARN_ATTEMPTS = 12;
const LEARN_RETRY_MS = 300;
const LEARN_RETRY_MAX_MS = 3_000;

function learnOnce(
  options: RspamdOptions,
  kind: 'spam' | 'ham',
  headers: Record<string, string>,
  raw: Buffer,
): ReturnType<typeof post> {
  return post(
    options.controllerUrl as string,
    kind === 'spam' ? '/learnspam' : '/learnham',
    headers,
    raw,
    options.timeoutMs ?? DEFAULT_RSPAMD_TIMEOUT_MS,
  );
}

function isBackendBusy(res: { status: number; body: Buffer }): boolean {
  return res.status === 404 && /cannot find statfile backend/.test(res.body.toString('utf8'));
}

/** Teaches Rspamd's classifier that a message is spam or ham (its controller's /learnspam, /learnham). */
export async function rspamdLearn(options: RspamdOptions, kind: 'spam' | 'ham', raw: Buffer): Promise<void> {
  if (!options.controllerUrl) return;
  const headers: Record<string, string> = {};
  if (options.password) headers['Password'] = options.password;
  // Rspamd's controller answers 404 "cannot find statfile backend" while another of its workers
  // holds the class's SQLite statfile (seen on a loaded machine): a moment later the same learn
  // succeeds, so that answer is retried a few times before it counts as a failure.
  let res = await learnOnce(options, kind, headers, raw);
  for (let attempt = 1; attempt < LEARN_ATTEMPTS && isBackendBusy(res); attempt += 1) {
    await new Promise((resolve) =>
      setTimeout(resolve, Math.min(LEARN_RETRY_MS * attempt, LEARN_RETRY_MAX_MS)),
    );
    res = await learnOnce(options, kind, headers, raw);
  }
  // 208 (or, in Rspamd 3.4, 404 "already learned"): it knows this message as this class already.
  if (res.status === 404 && /already learned/.test(res.body.toString('utf8'))) return;
  if (res.status !== 200 && res.status !== 208)
    throw new Error(
      `rspamd learn${kind} answered HTTP ${res.status}: ${res.body.toString('utf8').slice(0, 200)}`,
    );
}
