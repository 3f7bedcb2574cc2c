/**
 * Counting semaphores by key: at most `limit` holders per key at once, the rest wait in order.
 * The worker keeps one per destination domain (RFC 5321 4.5.4.1 asks clients not to open many
 * connections to one server) and one overall.
 */
export class Slots {
  private readonly held = new Map<string, number>();
  private readonly waiting = new Map<string, Array<() => void>>();

  constructor(private readonly limit: number) {}

  async acquire(key: string): Promise<() => void> {
    if ((this.held.get(key) ?? 0) >= this.limit) {
      await new Promise<void>((resolve) => {
        const queue = this.waiting.get(key) ?? [];
        queue.push(resolve);
        this.waiting.set(key, queue);
      });
    } else {
      this.held.set(key, (this.held.get(key) ?? 0) + 1);
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.release(key);
    };
  }

  private release(key: string): void {
    const queue = this.waiting.get(key);
    const next = queue?.shift();
    if (queue !== undefined && queue.length === 0) this.waiting.delete(key);
    // The slot passes straight to the next waiter, so the count stays the same.
    if (next !== undefined) {
      next();
      return;
    }
    const count = (this.held.get(key) ?? 1) - 1;
    if (count === 0) this.held.delete(key);
    else this.held.set(key, count);
  }
}
