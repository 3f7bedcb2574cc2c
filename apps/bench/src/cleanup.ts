/**
 * What the bench must undo if it dies early: its servers (minimail children, Dovecot, Postfix, the
 * PostgreSQL cluster) run as separate processes and outlive a bench that is interrupted, or whose
 * output pipe closes (`npm run bench | head` ends it with EPIPE). Each starter registers a synchronous
 * undo here; `installAbortHandlers` runs them all when the bench is stopped or fails, so a broken run
 * leaves no server listening and no load on the machine.
 */
const undos = new Set<() => void>();

/** Registers `undo` (synchronous: it runs while the process exits); returns its unregistration. */
export function onAbort(undo: () => void): () => void {
  undos.add(undo);
  return () => undos.delete(undo);
}

/** Runs every registered undo once, newest first; an undo that throws does not stop the others. */
export function runAbortUndos(): void {
  for (const undo of [...undos].reverse()) {
    undos.delete(undo);
    try {
      undo();
    } catch {
      // Best effort: the process is going away; the next undo may still succeed.
    }
  }
}

/** Signals and a closed stdout end the bench after its servers are stopped. */
export function installAbortHandlers(): void {
  const abort = (code: number): void => {
    runAbortUndos();
    process.exit(code);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => abort(130));
  }
  // A reader that went away (a pager, `head`): nothing more can be shown, so stop cleanly.
  process.stdout.on('error', () => abort(1));
  process.once('exit', runAbortUndos);
}
