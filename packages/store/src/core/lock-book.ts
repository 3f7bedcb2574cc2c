import type { HeldLock, LockBackend } from './backend.js';

/**
 * Which maildrop locks this process holds (RFC 1939 8), kept the same way for every backend: a
 * lock taken is remembered until unlocked, kept alive by the backend's heartbeat, and released
 * when the store closes, so a clean shutdown never leaves a maildrop locked.
 */
export class LockBook {
  private readonly held = new Map<string, HeldLock>();

  constructor(private readonly backend: LockBackend) {}

  async lock(userId: number, owner: string): Promise<boolean> {
    const locked = await this.backend.lock(userId, owner);
    if (locked) this.held.set(key(userId, owner), { userId, owner });
    return locked;
  }

  async unlock(userId: number, owner: string): Promise<void> {
    await this.backend.unlock([{ userId, owner }]);
    this.held.delete(key(userId, owner));
  }

  /** Refreshes every held lock (nothing to do when none is held). */
  heartbeat(): Promise<void> {
    const held = [...this.held.values()];
    return held.length === 0 ? Promise.resolve() : this.backend.heartbeat(held);
  }

  /** Releases every held lock (at close). */
  releaseAll(): Promise<void> {
    const held = [...this.held.values()];
    this.held.clear();
    return held.length === 0 ? Promise.resolve() : this.backend.unlock(held);
  }
}

function key(userId: number, owner: string): string {
  return `${userId}\u0000${owner}`;
}
