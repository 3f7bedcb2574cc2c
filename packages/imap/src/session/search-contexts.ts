/**
 * RFC 5267 4.3 updating contexts, as the mailbox view sees them: a SEARCH or SORT with
 * `RETURN (UPDATE)` leaves behind a context that the view asks, whenever it announces changes,
 * for the `* ESEARCH ... ADDTO/REMOVEFROM` update to send. The contexts themselves are built by
 * the commands (commands/search-context.ts), which know how to evaluate a search; the view only
 * holds them for as long as the mailbox stays selected (4.3: "Updates will cease when the mailbox
 * is no longer selected") and places their updates among its other responses.
 */

/** What changed since the contexts were last asked. */
export interface ContextDelta {
  /**
   * Messages that may have entered or left a result: new to the view, or with changed flags
   * (by any session, this one included). Ascending UIDs, all still in the view.
   */
  readonly changed: readonly number[];
  /**
   * Messages about to be announced as expunged: still in the view, so their sequence numbers are
   * still the ones the client knows (RFC 5267 4.3.4: REMOVEFROM before the EXPUNGE).
   */
  readonly expunged: readonly number[];
}

export interface UpdatingContext {
  /** The tag of the command that asked for updates (its ESEARCH correlator). */
  readonly tag: string;
  /** The `ESEARCH ...` update line (without `* `) for these changes, or null when none is due. */
  update(delta: ContextDelta): Promise<string | null>;
}
