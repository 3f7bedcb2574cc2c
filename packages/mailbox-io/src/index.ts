export type {
  ExportMessage,
  ExportStore,
  ImportDelivery,
  ImportStore,
  MailboxSink,
  SourceFolder,
  SourceItem,
  SourceMessage,
  SourceSkip,
  StoreMailbox,
  StoreMessage,
} from './types.js';
export { MAILBOX_IO_LIMITS, type MailboxIoLimits } from './limits.js';
export { decodeMutf7, encodeMutf7 } from './mutf7.js';
export { toCrlf, toLf } from './line-endings.js';
export {
  flagsFromMaildirInfo,
  flagsFromMboxHeaders,
  maildirInfoFromFlags,
  mboxHeadersFromFlags,
  parseDovecotKeywords,
  serializeDovecotKeywords,
} from './flags.js';
export { mailboxNameOfMaildirFolder, maildirFolderOfMailboxName } from './maildir-names.js';
export { isMaildir, listMaildirFolders, parseDovecotUidlist, readMaildir } from './maildir-reader.js';
export { maildirSink } from './maildir-writer.js';
export { formatFromLine, parseFromLineDate } from './mbox-format.js';
export { readMboxFile, readMboxStream } from './mbox-reader.js';
export { formatMboxEntry, mboxTreeSink, quoteFromLines } from './mbox-writer.js';
export { detectFormat, readLocal, type LocalFormat } from './sources.js';
export {
  bodyHashOf,
  importMessages,
  type ImportOptions,
  type ImportProgress,
  type ImportReport,
} from './importer.js';
export { exportMailboxes, type ExportProgress } from './exporter.js';
export { fileResumeStore, memoryResumeStore, type ResumeState, type ResumeStore } from './resume-file.js';
export {
  mailboxNameOfRemote,
  readImapAccount,
  type ImapSource,
  type ImapSourceOptions,
} from './imap-source.js';
