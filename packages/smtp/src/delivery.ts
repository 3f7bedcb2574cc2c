import type { Readable } from 'node:stream';
import type { MemoryReservation, MessageMemoryBudget } from '@minimail/protocol';
import type { DeliveryRequest, DeliveryResult, MailStore, OutboundDsn } from '@minimail/store';
import type { RecipientPlan } from './envelope-policy.js';
import { TRACE_HEADROOM } from './limits.js';
import type { Profile } from './envelope-policy.js';
import { deliverWithSieve } from './sieve/deliver.js';
import type { SieveDeliveryOptions } from './sieve/options.js';

export interface CollectedMessage {
  /** The message bytes, or null when it went over the limit or the budget (then nothing was kept). */
  data: Buffer | null;
  /** Octets the client sent, counted even past the limit. */
  size: number;
  /** True when the process's message budget had no room: answer 452 4.3.1, not 552. */
  overBudget: boolean;
  /** What `data` holds on the budget's account: release it once the message is stored or refused. */
  reservation: MemoryReservation | null;
}

/**
 * Budget per received octet: the chunks and their joined copy (both alive for a moment), and
 * the store's copy while it writes (as IMAP APPEND counts, imap session/command-stream.ts).
 */
const DATA_MEMORY_FACTOR = 3;

/**
 * Buffers returned by collectMessage, with the free octets reserved just before each in the same
 * memory. deliverMessage writes the trace headers there instead of copying the whole message into
 * a second buffer. Only this module's own allocations are listed, so a caller's bytes are never
 * overwritten; an entry is removed when its headroom is used.
 */
const reservedHeadroom = new WeakMap<Buffer, number>();

/**
 * Reads DATA into one Buffer, bounded by `maxBytes`: once the limit is passed the chunks read so
 * far are dropped and the rest of the stream is drained without being kept, so an oversized
 * message costs at most `maxBytes` of memory (RFC 1870 6.1: still read it all, then answer 552).
 * The chunks are copied once, behind TRACE_HEADROOM free octets for the trace headers.
 */
export function collectMessage(
  stream: Readable,
  maxBytes: number,
  budget: MessageMemoryBudget | null = null,
): Promise<CollectedMessage> {
  return new Promise((resolve, reject) => {
    let chunks: Buffer[] | null = [];
    let size = 0;
    let overBudget = false;
    // Grown chunk by chunk: the size of DATA is known only at its end (SIZE= is a client's claim).
    let reservation = budget?.tryReserve(0) ?? null;
    const dropAll = (): void => {
      chunks = null;
      reservation?.release();
      reservation = null;
    };
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (chunks === null) return;
      if (size > maxBytes) {
        dropAll();
        return;
      }
      if (reservation !== null && !reservation.grow(chunk.length * DATA_MEMORY_FACTOR)) {
        // Past the budget: keep reading (RFC 5321 4.1.1.4, the reply comes after the final dot)
        // but keep nothing.
        overBudget = true;
        dropAll();
        return;
      }
      chunks.push(chunk);
    });
    let ended = false;
    stream.once('error', (error) => {
      reservation?.release();
      reject(error);
    });
    stream.once('end', () => {
      ended = true;
      const data = chunks === null ? null : joinWithHeadroom(chunks, size);
      resolve({ data, size, overBudget, reservation });
    });
    // A client that disconnects mid-DATA leaves a stream that never ends: fail instead of hanging.
    stream.once('close', () => {
      if (ended) return;
      reservation?.release();
      reject(new Error('connection closed before the end of DATA'));
    });
  });
}

function joinWithHeadroom(chunks: readonly Buffer[], size: number): Buffer {
  const whole = Buffer.allocUnsafe(TRACE_HEADROOM + size);
  let offset = TRACE_HEADROOM;
  for (const chunk of chunks) offset += chunk.copy(whole, offset);
  const data = whole.subarray(TRACE_HEADROOM);
  reservedHeadroom.set(data, TRACE_HEADROOM);
  return data;
}

/**
 * The trace headers followed by the message, as one Buffer. A message from collectMessage (and
 * not replaced since, e.g. by normalizeLineEndings) gets them written into its headroom, so its
 * octets are not copied again; otherwise, or when they do not fit, the two are concatenated.
 */
export function prependTraceHeaders(traceHeaders: string, message: Buffer): Buffer {
  const length = Buffer.byteLength(traceHeaders, 'utf8');
  if (length > (reservedHeadroom.get(message) ?? 0)) {
    return Buffer.concat([Buffer.from(traceHeaders, 'utf8'), message]);
  }
  // Used once: a second delivery of the same Buffer must not overwrite what the first one stored.
  reservedHeadroom.delete(message);
  const raw = Buffer.from(message.buffer, message.byteOffset - length, length + message.length);
  raw.write(traceHeaders, 0, length, 'utf8');
  return raw;
}

/**
 * RFC 5321 2.3.8: lines end in CRLF. Bare LF and bare CR (which sloppy clients send) become CRLF
 * so the stored bytes, their size and every later IMAP offset agree. Works on latin1 so 8-bit
 * bodies pass through byte for byte.
 */
export function normalizeLineEndings(message: Buffer): Buffer {
  if (onlyCrlf(message)) return message;
  const text = message.toString('latin1');
  return Buffer.from(text.replace(/\r\n|\r|\n/g, '\r\n'), 'latin1');
}

const CR = 0x0d;
const LF = 0x0a;

/**
 * Whether every CR is followed by LF and every LF preceded by CR: what nearly every client sends,
 * so it is checked per line with Buffer.indexOf (native) instead of decoding the whole message
 * to a string for a regular expression.
 */
function onlyCrlf(message: Buffer): boolean {
  let pos = 0;
  for (;;) {
    const lf = message.indexOf(LF, pos);
    if (lf === -1) return message.indexOf(CR, pos) === -1;
    // The line's first CR must be the one just before its LF.
    if (lf === 0 || message[lf - 1] !== CR || message.indexOf(CR, pos) !== lf - 1) return false;
    pos = lf + 1;
  }
}

export interface LocalDelivery {
  store: MailStore;
  /** Trace headers (Return-Path, Received), each ending in CRLF, put before the message. */
  traceHeaders: string;
  /** The message with CRLF line endings already (normalizeLineEndings ran once, before checks). */
  message: Buffer;
  /** The envelope sender, '' for the null sender. */
  sender: string;
  plan: RecipientPlan;
  /** Run each local recipient's active Sieve script (absent: every copy goes to INBOX). */
  sieve?: { options: SieveDeliveryOptions; profile: Profile } | null | undefined;
  /** The spam filter says spam: local copies go to Junk (a recipient's Sieve script decides itself). */
  junk?: boolean;
  /** RFC 3461 parameters by lower-cased recipient (kept with the queue entries of relayed ones). */
  dsn?: ReadonlyMap<string, OutboundDsn>;
}

/**
 * Stores one message: creates dev accounts, then makes every local copy and queue entry in ONE
 * store.deliver call, so either all of it is durably committed or nothing is. Resolves only after
 * the commit; the caller answers 250 after that.
 */
export async function deliverMessage(delivery: LocalDelivery): Promise<DeliveryResult> {
  const { store, plan } = delivery;
  const userIds = new Set(plan.userIds);
  for (const address of plan.create) {
    // Dev profile: the first message to an address creates its account (store.ensureUser).
    const user = await store.ensureUser(address);
    userIds.add(user.id);
  }
  if (delivery.sieve) {
    return deliverWithSieve({
      store,
      sieve: delivery.sieve.options,
      profile: delivery.sieve.profile,
      raw: prependTraceHeaders(delivery.traceHeaders, delivery.message),
      sender: delivery.sender,
      userIds: [...userIds],
      relay: plan.relay,
      junk: delivery.junk === true,
      ...(delivery.dsn !== undefined ? { dsn: delivery.dsn } : {}),
    });
  }
  const request: DeliveryRequest = {
    raw: prependTraceHeaders(delivery.traceHeaders, delivery.message),
    targets: [...userIds].map((userId) => (delivery.junk ? { userId, mailbox: 'Junk' } : { userId })),
    // Issue 18: a user whose quota this message would pass gets no copy (checked inside the
    // store's write transaction); when nobody is left the store refuses it (OVER_QUOTA).
    quota: 'enforce',
  };
  if (plan.relay.length > 0)
    request.outbound = {
      sender: delivery.sender,
      recipients: plan.relay,
      ...(delivery.dsn !== undefined
        ? { dsn: plan.relay.map((a) => delivery.dsn?.get(a.toLowerCase()) ?? null) }
        : {}),
    };
  return store.deliver(request);
}
