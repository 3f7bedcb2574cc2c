import type { Readable } from 'node:stream';
import { readFile } from 'node:fs/promises';
import {
  SpoolError,
  type MemoryReservation,
  type MessageMemoryBudget,
  type MessageSpool,
  type SpoolWriter,
} from '@minimail/protocol';
import type { DeliveryRequest, DeliveryResult, OutboundDsn, SmtpStore } from '@minimail/store';
import type { RecipientPlan } from './envelope-policy.js';
import { TRACE_HEADROOM } from './limits.js';
import type { Profile } from './envelope-policy.js';
import { deliverWithSieve } from './sieve/deliver.js';
import type { SieveDeliveryOptions } from './sieve/options.js';

export interface CollectedMessage {
  /** The message bytes in memory, or null when spooled, over the limit or the budget. */
  data: Buffer | null;
  /**
   * The message in a spool file (docs/adr/0027): line endings already CRLF, `size` octets.
   * Removed by `discard()`, which the caller runs once the message is stored or refused.
   */
  spooled: { path: string; size: number } | null;
  /** Octets the client sent, counted even past the limit. */
  size: number;
  /** True when the process's message budget had no room: answer 452 4.3.1, not 552. */
  overBudget: boolean;
  /** True when the spool file could not be written (disk full): answer 452 4.3.1. */
  spoolFailed: boolean;
  /** Why the spool file could not be written, for the log. */
  spoolError?: unknown;
  /** What `data` holds on the budget's account: release it once the message is stored or refused. */
  reservation: MemoryReservation | null;
  /** Gives back what the message holds: its budget share and its spool file. Idempotent. */
  discard(): void;
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
 * Reads DATA, bounded by `maxBytes`: once the limit is passed what was kept is dropped and the
 * rest of the stream is drained without being kept, so an oversized message costs at most
 * `maxBytes` (RFC 1870 6.1: still read it all, then answer 552). Without a spool the chunks are
 * held in memory under the budget and copied once, behind TRACE_HEADROOM free octets for the
 * trace headers. With a spool (docs/adr/0027) line endings are made CRLF as the bytes arrive, and
 * a message past the spool's threshold, or one the budget has no room for, goes on to a file.
 */
export function collectMessage(
  stream: Readable,
  maxBytes: number,
  budget: MessageMemoryBudget | null = null,
  spool: MessageSpool | null = null,
): Promise<CollectedMessage> {
  return new Promise((resolve, reject) => {
    let chunks: Buffer[] | null = [];
    let size = 0;
    let overBudget = false;
    // Grown chunk by chunk: the size of DATA is known only at its end (SIZE= is a client's claim).
    let reservation = budget?.tryReserve(0) ?? null;
    let writer: SpoolWriter | null = spool?.writer() ?? null;
    const normalize = writer === null ? null : lineEndingNormalizer();
    const dropAll = (): void => {
      chunks = null;
      reservation?.release();
      reservation = null;
      writer?.discard();
      writer = null;
    };
    const collected = (fields: Partial<CollectedMessage>): CollectedMessage => {
      const spoolWriter = writer;
      const held = reservation;
      return {
        data: null,
        spooled: null,
        size,
        overBudget,
        spoolFailed: false,
        reservation: held,
        discard: () => {
          held?.release();
          spoolWriter?.discard();
        },
        ...fields,
      };
    };
    const keepInSpool = (chunk: Buffer): void => {
      if (writer === null) return;
      const wasSpilled = writer.spilled;
      if (!wasSpilled && reservation !== null && !reservation.grow(chunk.length * DATA_MEMORY_FACTOR)) {
        // No room in memory: this message goes to disk now instead of being refused.
        writer.spill();
      }
      if (!writer.write(chunk)) {
        stream.pause();
        void writer.drained().then(() => stream.resume());
      }
      if (!wasSpilled && writer.spilled) {
        // On disk now: its memory is no longer held on the budget's account.
        reservation?.release();
        reservation = null;
      }
    };
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (chunks === null) return;
      if (size > maxBytes) {
        dropAll();
        return;
      }
      if (normalize !== null) {
        keepInSpool(normalize(chunk, false));
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
      dropAll();
      reject(error);
    });
    stream.once('end', () => {
      ended = true;
      if (chunks === null) {
        resolve(collected({}));
        return;
      }
      if (writer === null || normalize === null) {
        resolve(collected({ data: joinWithHeadroom(chunks, size) }));
        return;
      }
      keepInSpool(normalize(Buffer.alloc(0), true));
      const finishing = writer;
      finishing.finish().then(
        (outcome) => {
          if (outcome.kind === 'memory') {
            resolve(collected({ data: joinWithHeadroom(outcome.chunks, outcome.size) }));
          } else {
            resolve(collected({ spooled: { path: outcome.path, size: outcome.size } }));
          }
        },
        (error: unknown) => {
          if (!(error instanceof SpoolError)) {
            dropAll();
            reject(error);
            return;
          }
          // The disk is full or failing: nothing was kept; the client keeps the message.
          dropAll();
          resolve(collected({ spoolFailed: true, spoolError: error }));
        },
      );
    });
    // A client that disconnects mid-DATA leaves a stream that never ends: fail instead of hanging.
    stream.once('close', () => {
      if (ended) return;
      dropAll();
      reject(new Error('connection closed before the end of DATA'));
    });
  });
}

/**
 * RFC 5321 2.3.8 as a stream: bare LF and bare CR become CRLF chunk by chunk (what
 * normalizeLineEndings does for a whole message). A CR at the end of a chunk is held until the
 * next one shows whether an LF follows; `last` flushes it.
 */
export function lineEndingNormalizer(): (chunk: Buffer, last: boolean) => Buffer {
  let pendingCr = false;
  return (chunk, last) => {
    const endsWithCr = chunk.length > 0 && chunk[chunk.length - 1] === CR;
    if (!pendingCr && !endsWithCr && onlyCrlf(chunk)) return chunk;
    let text = (pendingCr ? '\r' : '') + chunk.toString('latin1');
    pendingCr = !last && text.endsWith('\r');
    if (pendingCr) text = text.slice(0, -1);
    return Buffer.from(text.replace(/\r\n|\r|\n/g, '\r\n'), 'latin1');
  };
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

/**
 * A message in a spool file (docs/adr/0027): `head` (its own header, rewritten, or nothing)
 * followed by the file's bytes from `offset`.
 */
export interface SpooledSource {
  path: string;
  head: Buffer;
  offset: number;
}

export interface LocalDelivery {
  store: SmtpStore;
  /** Trace headers (Return-Path, Received), each ending in CRLF, put before the message. */
  traceHeaders: string;
  /**
   * The message with CRLF line endings already (normalizeLineEndings ran once, before checks),
   * in memory or in a spool file.
   */
  message: Buffer | SpooledSource;
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
 * the commit; the caller answers 250 after that. A spooled message is read from its file by the
 * store, with the trace headers as the head before it.
 */
export async function deliverMessage(delivery: LocalDelivery): Promise<DeliveryResult> {
  const { store, plan, message } = delivery;
  const userIds = new Set(plan.userIds);
  for (const address of plan.create) {
    // Dev profile: the first message to an address creates its account (store.ensureUser).
    const user = await store.ensureUser(address);
    userIds.add(user.id);
  }
  if (delivery.sieve) {
    // Sieve reads the message (header and body tests): a spooled one is read into memory here,
    // bounded by the message size limit the spool file was written under (docs/adr/0027).
    return deliverWithSieve({
      store,
      sieve: delivery.sieve.options,
      profile: delivery.sieve.profile,
      raw: prependTraceHeaders(
        delivery.traceHeaders,
        Buffer.isBuffer(message) ? message : await spooledBytes(message),
      ),
      sender: delivery.sender,
      userIds: [...userIds],
      relay: plan.relay,
      junk: delivery.junk === true,
      ...(delivery.dsn !== undefined ? { dsn: delivery.dsn } : {}),
    });
  }
  const request: DeliveryRequest = Buffer.isBuffer(message)
    ? { raw: prependTraceHeaders(delivery.traceHeaders, message), targets: [] }
    : {
        spooled: {
          path: message.path,
          head: Buffer.concat([Buffer.from(delivery.traceHeaders, 'utf8'), message.head]),
          offset: message.offset,
        },
        targets: [],
      };
  request.targets = [...userIds].map((userId) => (delivery.junk ? { userId, mailbox: 'Junk' } : { userId }));
  // Issue 18: a user whose quota this message would pass gets no copy (checked inside the
  // store's write transaction); when nobody is left the store refuses it (OVER_QUOTA).
  request.quota = 'enforce';
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

/** A spooled message's bytes in memory: its head, then the file from its offset. */
export async function spooledBytes(source: SpooledSource): Promise<Buffer> {
  const file = await readFile(source.path);
  return Buffer.concat([source.head, file.subarray(source.offset)]);
}
