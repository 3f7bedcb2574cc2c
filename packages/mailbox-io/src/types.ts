/**
 * What the readers produce and what the importer/exporter need of a store. The store interfaces are
 * written here, narrow and structural, instead of importing @minimail/store: any store whose methods
 * have these shapes (the SQLite and PostgreSQL backends do) can be moved into and out of, and this
 * package stays free of SQL and of the store's internals.
 */

/** One message read from a source, in the store's form (CRLF line endings). */
export interface SourceMessage {
  kind: 'message';
  /** Mailbox name with `/` hierarchy, `INBOX` for the inbox. */
  folder: string;
  raw: Buffer;
  /** System flags and keywords, IMAP spelling (`\Seen`, `$Forwarded`). Never `\Recent`. */
  flags: string[];
  internalDate: Date;
  /** Where it came from, for reports (a file path, `folder uid N`). */
  origin: string;
  /** Called once the message is durably stored or found already there (resumable sources). */
  done?: () => void | Promise<void>;
}

/** Something a reader could not turn into a message; the import reports it and goes on. */
export interface SourceSkip {
  kind: 'skip';
  folder: string;
  origin: string;
  reason: string;
}

/** A folder the source has, even if it holds no messages (so empty folders move too). */
export interface SourceFolder {
  kind: 'folder';
  folder: string;
  subscribed: boolean;
}

export type SourceItem = SourceMessage | SourceSkip | SourceFolder;

export interface StoreMailbox {
  id: number;
  name: string;
  noselect?: boolean;
}

export interface StoreMessage {
  uid: number;
  flags: string[];
  internalDate: Date;
  /** Hex sha256 of the stored bytes: how the importer recognises a message already imported. */
  bodyHash: string;
}

/** The part of the store an import writes through. */
export interface ImportStore {
  listMailboxes(userId: number): Promise<StoreMailbox[]>;
  createMailbox(userId: number, name: string): Promise<StoreMailbox>;
  setSubscribed(userId: number, name: string, subscribed: boolean): Promise<void>;
  listMessages(mailboxId: number): Promise<StoreMessage[]>;
  /** Several messages in one durable commit, all or none, UIDs in the given order. */
  deliverAll(requests: ImportDelivery[]): Promise<unknown>;
}

/** One message as the importer hands it to the store. */
export interface ImportDelivery {
  raw: Buffer;
  targets: Array<{ mailboxId: number }>;
  flags: string[];
  internalDate: Date;
}

/** The part of the store an export reads through. */
export interface ExportStore {
  listMailboxes(userId: number): Promise<Array<StoreMailbox & { subscribed?: boolean }>>;
  listMessages(mailboxId: number): Promise<StoreMessage[]>;
  readBody(bodyHash: string): Promise<Buffer>;
}

/** A message as the writers receive it. */
export interface ExportMessage {
  raw: Buffer;
  flags: string[];
  internalDate: Date;
  uid: number;
}

/** Where an export writes: a Maildir++ tree or a directory of mbox files. */
export interface MailboxSink {
  /** Called once per folder, before its messages, also for an empty folder. */
  openFolder(folder: string, subscribed: boolean): Promise<void>;
  write(folder: string, message: ExportMessage): Promise<void>;
  close(): Promise<void>;
}
