import { open, stat } from 'node:fs/promises';
import { StoreError, type SpooledMessage } from './types.js';

/**
 * A first-come-first-served bound on the bytes of spooled messages held in memory at once
 * (docs/adr/0027). `acquire` waits for room instead of refusing: the message is already safe in
 * its spool file, and its client waits for the commit anyway. One request is always admitted
 * when nothing is held, so a message larger than the bound is stored alone rather than never.
 */
export class LoadGate {
  private held = 0;
  private readonly waiting: { bytes: number; admit: () => void }[] = [];

  constructor(readonly limitBytes: number) {}

  /** Bytes admitted now. */
  get inUse(): number {
    return this.held;
  }

  /** Resolves with the release function once `bytes` fit (call it exactly once; extra calls do nothing). */
  acquire(bytes: number): Promise<() => void> {
    return new Promise((resolve) => {
      const admit = (): void => {
        this.held += bytes;
        let released = false;
        resolve(() => {
          if (released) return;
          released = true;
          this.held -= bytes;
          this.admitWaiting();
        });
      };
      if (this.waiting.length === 0 && this.fits(bytes)) admit();
      else this.waiting.push({ bytes, admit });
    });
  }

  private fits(bytes: number): boolean {
    return this.held === 0 || this.held + bytes <= this.limitBytes;
  }

  private admitWaiting(): void {
    for (let next = this.waiting[0]; next !== undefined && this.fits(next.bytes); next = this.waiting[0]) {
      this.waiting.shift();
      next.admit();
    }
  }
}

/** The size of a spooled message in octets (head plus the file from its offset). */
export async function spooledSize(spooled: SpooledMessage): Promise<number> {
  const offset = spooled.offset ?? 0;
  let size: number;
  try {
    size = (await stat(spooled.path)).size;
  } catch (error) {
    throw spoolError(error, spooled.path);
  }
  if (!Number.isSafeInteger(offset) || offset < 0 || offset > size)
    throw new StoreError('INVALID', `spool offset ${offset} is outside the file`);
  return (spooled.head?.length ?? 0) + size - offset;
}

/**
 * Reads a spooled message into one buffer of its exact size (no chunk list, no second copy). A
 * file that changed size since `spooledSize` is refused: the caller still writes to it.
 */
export async function readSpooled(spooled: SpooledMessage, size: number): Promise<Buffer> {
  const head = spooled.head ?? new Uint8Array(0);
  const whole = Buffer.allocUnsafe(size);
  whole.set(head, 0);
  let filled = head.length;
  let file;
  try {
    file = await open(spooled.path, 'r');
  } catch (error) {
    throw spoolError(error, spooled.path);
  }
  try {
    let position = spooled.offset ?? 0;
    while (filled < size) {
      const { bytesRead } = await file.read(whole, filled, size - filled, position);
      if (bytesRead === 0) break;
      filled += bytesRead;
      position += bytesRead;
    }
    if (filled !== size || (await file.read(Buffer.alloc(1), 0, 1, position)).bytesRead !== 0) {
      throw new StoreError('INVALID', 'spool file changed while it was read');
    }
  } catch (error) {
    throw error instanceof StoreError ? error : spoolError(error, spooled.path);
  } finally {
    await file.close();
  }
  return whole;
}

function spoolError(error: unknown, path: string): StoreError {
  const code = (error as NodeJS.ErrnoException).code;
  // A missing spool file is the caller's mistake; an I/O failure may pass (TEMPORARY: retry).
  return code === 'ENOENT'
    ? new StoreError('INVALID', `spool file ${path} does not exist`)
    : new StoreError('TEMPORARY', `reading spool file ${path} failed: ${String(error)}`);
}
