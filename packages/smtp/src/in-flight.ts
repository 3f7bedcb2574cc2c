/**
 * The transactions currently in DATA (from the DATA command until their reply), by connection
 * id. close() lets each finish, so a shutdown never cuts a message that is being received or
 * committed, and never leaves a client without the 250 its message earned.
 */
export class InFlight {
  private readonly pending = new Map<string, Promise<unknown>>();

  track<T>(connectionId: string, work: Promise<T>): Promise<T> {
    this.pending.set(connectionId, work);
    const forget = (): void => {
      if (this.pending.get(connectionId) === work) this.pending.delete(connectionId);
    };
    work.then(forget, forget);
    return work;
  }

  /** Resolves when this connection's transaction (if any) has settled, or after `timeoutMs`. */
  async settled(connectionId: string, timeoutMs: number): Promise<void> {
    const work = this.pending.get(connectionId);
    if (work === undefined) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
      timer.unref();
    });
    await Promise.race([work.then(noop, noop), timeout]);
    clearTimeout(timer);
  }
}

function noop(): void {}
