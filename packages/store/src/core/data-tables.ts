/**
 * The data model as tables, the same in every backend: what `store copy` moves row for row so
 * that one data set can live in either backend with every id, UIDVALIDITY, UID, flag and modseq
 * unchanged (clients see no change). Values are numbers, strings, null or (body data) bytes.
 * Not copied: the change feed (a notification channel, rebuilt by new writes) and maildrop locks.
 */
export const DATA_TABLES = [
  'meta',
  'domains',
  'users',
  'aliases',
  'mailboxes',
  'subscriptions',
  'bodies',
  'messages',
  'expunged_uids',
  'outbound',
  'dkim_keys',
  'app_passwords',
  'sieve_scripts',
  'sieve_vacation_replies',
] as const;
export type DataTable = (typeof DATA_TABLES)[number];

/** Each table's columns, key first (rows are read and compared in key order). */
export const DATA_COLUMNS: Record<DataTable, readonly string[]> = {
  meta: ['key', 'value'],
  domains: ['id', 'name', 'created_at', 'quota_bytes', 'quota_messages'],
  // used_bytes/used_messages are not copied: the quota triggers count the messages as they
  // arrive, and the verification compares the result with the source.
  users: ['id', 'address', 'domain_id', 'password_hash', 'created_at', 'quota_bytes', 'quota_messages'],
  aliases: ['id', 'source', 'destination'],
  mailboxes: [
    'id',
    'user_id',
    'name',
    'special_use',
    'noselect',
    'uid_validity',
    'uid_next',
    'highest_modseq',
    'expunged_floor',
    'recent_uid',
  ],
  subscriptions: ['id', 'user_id', 'name'],
  // refcount is not copied: the triggers count the message and queue rows as they arrive, and
  // the verification compares the result with the source.
  bodies: ['hash', 'size', 'data', 'structure', 'sort_keys'],
  messages: [
    'id',
    'mailbox_id',
    'uid',
    'body_hash',
    'size',
    'internal_date',
    'flags',
    'seen',
    'deleted',
    'modseq',
    'save_date',
  ],
  // RFC 7162 QRESYNC history: a copy resyncs clients as exactly as the original (docs/adr/0026).
  expunged_uids: ['id', 'mailbox_id', 'uid', 'modseq', 'expunged_at'],
  outbound: [
    'id',
    'sender',
    'recipient',
    'body_hash',
    'size',
    'created_at',
    'next_attempt_at',
    'attempts',
    'last_error',
    'status',
    'delay_notified',
    'dsn',
  ],
  dkim_keys: ['domain', 'selector', 'algorithm', 'private_key', 'public_key', 'created_at'],
  app_passwords: ['id', 'user_id', 'name', 'hash', 'created_at'],
  sieve_scripts: ['id', 'user_id', 'name', 'content', 'active', 'updated_at'],
  sieve_vacation_replies: ['id', 'user_id', 'handle', 'sender', 'sent_at'],
};

/** Columns compared after a copy: the copied ones, the bodies' reference counts and the users' usage. */
export const VERIFIED_COLUMNS: Record<DataTable, readonly string[]> = {
  ...DATA_COLUMNS,
  bodies: [...DATA_COLUMNS.bodies, 'refcount'],
  users: [...DATA_COLUMNS.users, 'used_bytes', 'used_messages'],
};

export type DataRow = Record<string, unknown>;

/** A backend's data seen as tables, read in one consistent snapshot. */
export interface TableReader {
  /** Up to `limit` rows after `afterKey` (null: from the start), in key order, with `columns`. */
  rows(table: DataTable, columns: readonly string[], afterKey: unknown, limit: number): Promise<DataRow[]>;
  close(): Promise<void>;
}

/** A backend's empty data, filled table by table in one transaction. */
export interface TableWriter {
  /** Whether the target holds no data yet (copying refuses to merge into existing data). */
  isEmpty(): Promise<boolean>;
  insert(table: DataTable, rows: DataRow[]): Promise<void>;
  /** Commits durably (and moves id counters past the copied ids). */
  commit(): Promise<void>;
  /** Abandons the copy (rolls back). */
  abort(): Promise<void>;
}
