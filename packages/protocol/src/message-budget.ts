import v8 from 'node:v8';
import vm from 'node:vm';
import { LIMITS } from './limits.js';

/** Bytes held under a MessageMemoryBudget; give them back with release() (idempotent). */
export interface MemoryReservation {
  readonly bytes: number;
  /** Asks for `more` bytes on top; false (and nothing taken) when the budget has no room. */
  grow(more: number): boolean;
  release(): void;
}

export interface MessageMemoryBudgetOptions {
  /** Defaults to LIMITS.messageMemoryBudgetBytes. */
  limitBytes?: number;
  /**
   * Collect garbage once the budget has emptied after large messages (default true). Without it
   * the released message buffers stay in the process until V8 next collects, which an idle
   * server may not do for hours (issue 11: 2.5 GB stayed after 40 APPENDs had closed).
   */
  collectWhenEmptied?: boolean;
}

/**
 * A process-wide bound on the message bytes held in memory at once: IMAP APPEND literals and SMTP
 * DATA reserve what they keep before they keep it, and are refused (IMAP `NO [LIMIT]`, SMTP
 * `452 4.3.1`) when the budget has no room, instead of growing the process (issue 11: 40 parallel
 * 64 MiB APPENDs from one user took it from 114 MB to 2.3 GB).
 */
export class MessageMemoryBudget {
  readonly limitBytes: number;
  private held = 0;
  /** Bytes released since the last collection: what a collection would give back. */
  private releasedSinceCollect = 0;
  private collectScheduled = false;
  private readonly collectWhenEmptied: boolean;

  constructor(options: MessageMemoryBudgetOptions = {}) {
    this.limitBytes = options.limitBytes ?? LIMITS.messageMemoryBudgetBytes;
    this.collectWhenEmptied = options.collectWhenEmptied ?? true;
  }

  /** Bytes reserved now. */
  get inUse(): number {
    return this.held;
  }

  /** A reservation of `bytes`, or null when that would pass the limit. */
  tryReserve(bytes: number): MemoryReservation | null {
    if (!this.take(bytes)) return null;
    let reserved = bytes;
    let released = false;
    return {
      get bytes() {
        return reserved;
      },
      grow: (more: number): boolean => {
        if (released || !this.take(more)) return false;
        reserved += more;
        return true;
      },
      release: (): void => {
        if (released) return;
        released = true;
        this.give(reserved);
      },
    };
  }

  private take(bytes: number): boolean {
    if (bytes < 0 || this.held + bytes > this.limitBytes) return false;
    this.held += bytes;
    return true;
  }

  private give(bytes: number): void {
    this.held -= bytes;
    this.releasedSinceCollect += bytes;
    if (this.held === 0 && this.collectWhenEmptied && this.releasedSinceCollect >= COLLECT_AFTER_BYTES) {
      this.scheduleCollection();
    }
  }

  /**
   * Two full collections a moment apart: the first finalises the sockets and promises that still
   * point at the message buffers, the second frees the buffers (measured: one alone left 512 of
   * 576 MiB). Only when the budget is empty, so at most once per burst of large messages.
   */
  private scheduleCollection(): void {
    if (this.collectScheduled) return;
    const gc = exposedGc();
    if (gc === null) return;
    this.collectScheduled = true;
    const timer = setTimeout(() => {
      gc();
      const second = setTimeout(() => {
        this.collectScheduled = false;
        this.releasedSinceCollect = 0;
        gc();
      }, COLLECT_PAUSE_MS);
      second.unref();
    }, COLLECT_PAUSE_MS);
    timer.unref();
  }
}

/** Released bytes below this are not worth a full collection. */
const COLLECT_AFTER_BYTES = 32 * 1024 * 1024;
const COLLECT_PAUSE_MS = 50;

let gcFunction: (() => void) | null | undefined;

/** V8's gc(), exposed at run time (the same as --expose-gc; nothing else changes). */
function exposedGc(): (() => void) | null {
  if (gcFunction !== undefined) return gcFunction;
  try {
    v8.setFlagsFromString('--expose-gc');
    const gc: unknown = vm.runInNewContext('gc');
    gcFunction = typeof gc === 'function' ? (gc as () => void) : null;
  } catch {
    gcFunction = null;
  }
  return gcFunction;
}

/** The one budget of the process, shared by every listener unless a server is given its own. */
export const processMessageBudget = new MessageMemoryBudget();
