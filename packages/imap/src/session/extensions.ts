/**
 * The extensions a client can switch on (RFC 5161 ENABLE, and the other "enabling commands" of
 * RFC 7162 3.1), as data: each row says what enabling it does. The session keeps the enabled
 * ones in a set (`ctx.enabled.has('CONDSTORE')`), so an extension that changes behaviour once
 * enabled is one row here plus its command file.
 *
 * Only what works today is enableable. IMAP4rev2 (RFC 9051) switches the connection to the
 * revision 2 protocol (session/rev2.ts lists what changes, docs/adr/0030).
 */
export type Extension = 'CONDSTORE' | 'QRESYNC' | 'UTF8=ACCEPT' | 'IMAP4rev2';

/** What the session does when an extension is first enabled (not again on a repeat). */
export interface ExtensionHooks {
  /** RFC 7162 3.1.2.1: a CONDSTORE enabling command with a mailbox selected tells its HIGHESTMODSEQ. */
  announceHighestModseq(): Promise<void>;
}

export interface EnableableExtension {
  name: Extension;
  /** Capabilities enabling it also enables (RFC 7162 3.2.3: QRESYNC implies CONDSTORE). */
  implies: readonly Extension[];
  onEnable(hooks: ExtensionHooks): Promise<void>;
}

export const ENABLEABLE: ReadonlyMap<string, EnableableExtension> = new Map<string, EnableableExtension>([
  // RFC 7162 3.1: CONDSTORE-aware from then on (MODSEQ in every untagged FETCH).
  ['CONDSTORE', { name: 'CONDSTORE', implies: [], onEnable: (hooks) => hooks.announceHighestModseq() }],
  // RFC 6855 3: mailbox names in UTF-8 both ways from then on, and APPEND's UTF8 data item.
  ['UTF8=ACCEPT', { name: 'UTF8=ACCEPT', implies: [], onEnable: () => Promise.resolve() }],
  // RFC 7162 3.2.3: implies CONDSTORE; from then on VANISHED replaces EXPUNGE (the mailbox view
  // reads the set), SELECT/EXAMINE take (QRESYNC ...) and UID FETCH takes VANISHED.
  ['QRESYNC', { name: 'QRESYNC', implies: ['CONDSTORE'], onEnable: () => Promise.resolve() }],
  // RFC 9051 (Appendix E): no \Recent, SEARCH answered by ESEARCH, LIST on SELECT, UTF-8 mailbox
  // names, ... from then on; the handlers ask `isRev2(ctx.enabled)` (session/rev2.ts).
  ['IMAP4REV2', { name: 'IMAP4rev2', implies: [], onEnable: () => Promise.resolve() }],
]);

/** The enabled set of one connection; grows only (RFC 5161 3.1: there is no DISABLE). */
export class EnabledExtensions {
  /** Null until the first ENABLE (most connections never send one: no Set each, issue 20). */
  private set: Set<Extension> | null = null;

  has(name: Extension): boolean {
    return this.set?.has(name) ?? false;
  }

  /**
   * Enables an extension (and what it implies); true when it was not enabled before. Unknown or
   * not-yet-implemented names are refused (false, nothing changes).
   */
  async enable(name: string, hooks: ExtensionHooks): Promise<boolean> {
    const entry = ENABLEABLE.get(name);
    if (entry === undefined) return false;
    for (const implied of entry.implies) await this.enable(implied, hooks);
    if (this.set?.has(entry.name) === true) return true;
    (this.set ??= new Set()).add(entry.name);
    await entry.onEnable(hooks);
    return true;
  }
}
