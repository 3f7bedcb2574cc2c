/**
 * What each command and reply minimail speaks means, in one line, with the RFC section that
 * defines it (issue 16): data, not code. The web app shows the matching entry beside each
 * transcript line. Keys are upper-case command names, or reply codes (SMTP three digits, POP3
 * `+OK`/`-ERR`, IMAP `OK`/`NO`/`BAD`/`PREAUTH`/`BYE` and untagged data names).
 */
export interface Annotation {
  text: string;
  rfc: string;
}

export interface ProtocolAnnotations {
  commands: Record<string, Annotation>;
  replies: Record<string, Annotation>;
}

const smtp: ProtocolAnnotations = {
  commands: {
    EHLO: {
      text: 'The client says who it is and asks which extensions the server supports.',
      rfc: 'RFC 5321 4.1.1.1',
    },
    HELO: { text: 'The old greeting: who the client is, without extensions.', rfc: 'RFC 5321 4.1.1.1' },
    MAIL: { text: 'Starts a message: the envelope sender (where bounces go).', rfc: 'RFC 5321 4.1.1.2' },
    RCPT: {
      text: 'One envelope recipient: who the message is for (not the To: header).',
      rfc: 'RFC 5321 4.1.1.3',
    },
    DATA: {
      text: 'The message itself follows: headers, a blank line, the body, then a lone dot.',
      rfc: 'RFC 5321 4.1.1.4',
    },
    BDAT: { text: 'A chunk of the message of a given size (CHUNKING).', rfc: 'RFC 3030 2' },
    '.': { text: 'The lone dot ends the message; the server now stores it.', rfc: 'RFC 5321 4.1.1.4' },
    RSET: { text: 'Forget the message in progress.', rfc: 'RFC 5321 4.1.1.5' },
    VRFY: { text: 'Asks whether an address exists (minimail does not tell).', rfc: 'RFC 5321 4.1.1.6' },
    NOOP: { text: 'Does nothing; checks the connection is alive.', rfc: 'RFC 5321 4.1.1.9' },
    QUIT: { text: 'The client is done; the server closes the connection.', rfc: 'RFC 5321 4.1.1.10' },
    HELP: { text: 'Asks for help text.', rfc: 'RFC 5321 4.1.1.8' },
    STARTTLS: { text: 'Switch this connection to TLS (encrypted) before going on.', rfc: 'RFC 3207 4' },
    AUTH: { text: 'Log in with a SASL mechanism; the password is masked here.', rfc: 'RFC 4954 4' },
  },
  replies: {
    '220': { text: 'Service ready (the greeting), or ready to start TLS.', rfc: 'RFC 5321 4.2.3' },
    '221': { text: 'Closing the connection.', rfc: 'RFC 5321 4.2.3' },
    '235': { text: 'Authentication succeeded.', rfc: 'RFC 4954 6' },
    '250': {
      text: 'OK. After the message: it is stored durably, the sender may forget it.',
      rfc: 'RFC 5321 4.2.3',
    },
    '251': { text: 'User not local; will forward.', rfc: 'RFC 5321 4.2.3' },
    '252': { text: 'Cannot verify the user, but will accept the message.', rfc: 'RFC 5321 4.2.3' },
    '334': { text: 'Authentication continues: the server waits for the next SASL step.', rfc: 'RFC 4954 4' },
    '354': {
      text: 'Go ahead: send the message, end it with a line holding only a dot.',
      rfc: 'RFC 5321 4.2.3',
    },
    '421': {
      text: 'Service not available; the connection is closing (try again later).',
      rfc: 'RFC 5321 4.2.3',
    },
    '450': { text: 'Mailbox unavailable for now; try again later.', rfc: 'RFC 5321 4.2.3' },
    '451': { text: 'Local error; nothing was stored, try again later.', rfc: 'RFC 5321 4.2.3' },
    '452': { text: 'Out of room (too many recipients, or storage); try again later.', rfc: 'RFC 5321 4.2.3' },
    '454': { text: 'Temporary authentication or TLS failure.', rfc: 'RFC 4954 6' },
    '500': { text: 'Syntax error: command not recognised.', rfc: 'RFC 5321 4.2.3' },
    '501': { text: 'Syntax error in the arguments.', rfc: 'RFC 5321 4.2.3' },
    '502': { text: 'Command not implemented.', rfc: 'RFC 5321 4.2.3' },
    '503': { text: 'Bad sequence of commands (e.g. DATA before RCPT).', rfc: 'RFC 5321 4.2.3' },
    '504': { text: 'Parameter not implemented (e.g. an unknown AUTH mechanism).', rfc: 'RFC 5321 4.2.3' },
    '530': { text: 'Authentication required first.', rfc: 'RFC 4954 6' },
    '535': { text: 'Authentication failed: wrong user name or password.', rfc: 'RFC 4954 6' },
    '550': { text: 'Refused for good: no such mailbox, or not allowed.', rfc: 'RFC 5321 4.2.3' },
    '551': { text: 'User not local.', rfc: 'RFC 5321 4.2.3' },
    '552': { text: 'Too big: over the size limit.', rfc: 'RFC 1870 6' },
    '553': { text: 'Mailbox name not allowed.', rfc: 'RFC 5321 4.2.3' },
    '554': { text: 'Transaction failed (refused for good).', rfc: 'RFC 5321 4.2.3' },
  },
};

const pop3: ProtocolAnnotations = {
  commands: {
    CAPA: { text: 'Asks which extensions the server supports.', rfc: 'RFC 2449 5' },
    USER: { text: 'The user name to log in with.', rfc: 'RFC 1939 7' },
    PASS: { text: 'The password (masked here).', rfc: 'RFC 1939 7' },
    APOP: { text: 'Log in with a digest instead of the password.', rfc: 'RFC 1939 7' },
    AUTH: { text: 'Log in with a SASL mechanism; the password is masked here.', rfc: 'RFC 5034 4' },
    STLS: { text: 'Switch this connection to TLS before logging in.', rfc: 'RFC 2595 4' },
    STAT: { text: 'How many messages are in the mailbox, and their total size.', rfc: 'RFC 1939 5' },
    LIST: { text: 'Lists messages by number with their sizes.', rfc: 'RFC 1939 5' },
    UIDL: {
      text: "Lists each message's unique id, so the client knows which it already has.",
      rfc: 'RFC 1939 7',
    },
    RETR: { text: 'Downloads one whole message.', rfc: 'RFC 1939 5' },
    TOP: { text: 'Downloads the headers and the first lines of one message.', rfc: 'RFC 1939 7' },
    DELE: { text: 'Marks a message for deletion; it goes only when QUIT succeeds.', rfc: 'RFC 1939 5' },
    RSET: { text: 'Unmarks every message marked for deletion.', rfc: 'RFC 1939 5' },
    NOOP: { text: 'Does nothing; keeps the connection alive.', rfc: 'RFC 1939 5' },
    QUIT: {
      text: 'Ends the session; messages marked with DELE are removed now (UPDATE state).',
      rfc: 'RFC 1939 6',
    },
  },
  replies: {
    '+OK': { text: 'Success.', rfc: 'RFC 1939 3' },
    '-ERR': { text: 'Failure; the text (and a [CODE]) says why.', rfc: 'RFC 1939 3' },
    '+': { text: 'Continue: the server waits for the next SASL step.', rfc: 'RFC 5034 4' },
    '.': { text: 'End of a multi-line answer.', rfc: 'RFC 1939 3' },
  },
};

const imap: ProtocolAnnotations = {
  commands: {
    CAPABILITY: { text: 'Asks which extensions the server supports.', rfc: 'RFC 9051 6.1.1' },
    NOOP: { text: 'Does nothing, but lets the server report changes.', rfc: 'RFC 9051 6.1.2' },
    LOGOUT: { text: 'Ends the session.', rfc: 'RFC 9051 6.1.3' },
    STARTTLS: { text: 'Switch this connection to TLS before logging in.', rfc: 'RFC 9051 6.2.1' },
    AUTHENTICATE: {
      text: 'Log in with a SASL mechanism; the password is masked here.',
      rfc: 'RFC 9051 6.2.2',
    },
    LOGIN: { text: 'Log in with user name and password (masked here).', rfc: 'RFC 9051 6.2.3' },
    ENABLE: { text: 'Turns on extensions for this session.', rfc: 'RFC 5161 3.1' },
    ID: { text: 'Client and server tell each other their names and versions.', rfc: 'RFC 2971 3.1' },
    SELECT: { text: 'Opens a mailbox to work with its messages.', rfc: 'RFC 9051 6.3.2' },
    EXAMINE: { text: 'Opens a mailbox read-only.', rfc: 'RFC 9051 6.3.3' },
    CREATE: { text: 'Creates a mailbox (folder).', rfc: 'RFC 9051 6.3.4' },
    DELETE: { text: 'Deletes a mailbox.', rfc: 'RFC 9051 6.3.5' },
    RENAME: { text: 'Renames a mailbox.', rfc: 'RFC 9051 6.3.6' },
    SUBSCRIBE: { text: 'Adds a mailbox to the subscribed list.', rfc: 'RFC 9051 6.3.7' },
    UNSUBSCRIBE: { text: 'Removes a mailbox from the subscribed list.', rfc: 'RFC 9051 6.3.8' },
    LIST: { text: 'Lists mailboxes.', rfc: 'RFC 9051 6.3.9' },
    LSUB: { text: 'Lists subscribed mailboxes (IMAP4rev1).', rfc: 'RFC 3501 6.3.9' },
    NAMESPACE: { text: 'Where personal and shared mailboxes live.', rfc: 'RFC 9051 6.3.10' },
    STATUS: { text: 'Counts of a mailbox (messages, unseen) without opening it.', rfc: 'RFC 9051 6.3.11' },
    APPEND: { text: 'Uploads a message into a mailbox (e.g. Sent).', rfc: 'RFC 9051 6.3.12' },
    GETQUOTA: { text: "A quota root's limits and how much of them is used.", rfc: 'RFC 9208 4.1.1' },
    GETQUOTAROOT: {
      text: "The quota roots of a mailbox, with each one's limits and usage.",
      rfc: 'RFC 9208 4.1.2',
    },
    IDLE: { text: 'Waits for the server to push changes as they happen.', rfc: 'RFC 2177 3' },
    DONE: { text: 'Ends IDLE.', rfc: 'RFC 2177 3' },
    CHECK: { text: 'A checkpoint of the mailbox (IMAP4rev1).', rfc: 'RFC 3501 6.4.1' },
    CLOSE: { text: 'Closes the mailbox, removing messages marked \\Deleted.', rfc: 'RFC 9051 6.4.1' },
    UNSELECT: { text: 'Closes the mailbox without removing anything.', rfc: 'RFC 9051 6.4.2' },
    EXPUNGE: { text: 'Removes every message marked \\Deleted for good.', rfc: 'RFC 9051 6.4.3' },
    SEARCH: { text: 'Finds messages matching criteria.', rfc: 'RFC 9051 6.4.4' },
    FETCH: { text: 'Reads parts of messages: flags, headers, the body.', rfc: 'RFC 9051 6.4.5' },
    STORE: { text: 'Changes flags, e.g. \\Seen (read) or \\Deleted.', rfc: 'RFC 9051 6.4.6' },
    COPY: { text: 'Copies messages to another mailbox.', rfc: 'RFC 9051 6.4.7' },
    MOVE: { text: 'Moves messages to another mailbox.', rfc: 'RFC 9051 6.4.8' },
    UID: {
      text: 'The same command, naming messages by UID (stable) instead of number.',
      rfc: 'RFC 9051 6.4.9',
    },
    SORT: { text: 'Searches and sorts messages.', rfc: 'RFC 5256 3' },
    CANCELUPDATE: { text: 'Stops the updates of a search the client asked to follow.', rfc: 'RFC 5267 4' },
    COMPRESS: { text: 'Compresses the rest of the conversation (DEFLATE).', rfc: 'RFC 4978 3' },
    NOTIFY: {
      text: 'Asks to be told of changes in other mailboxes too (new mail, flags, new folders).',
      rfc: 'RFC 5465 5',
    },
    THREAD: { text: 'Searches and groups messages into threads.', rfc: 'RFC 5256 3' },
  },
  replies: {
    OK: { text: 'Success (tagged: this command is done).', rfc: 'RFC 9051 7.1.1' },
    NO: { text: 'The command failed (e.g. wrong password, no such mailbox).', rfc: 'RFC 9051 7.1.2' },
    BAD: { text: 'Protocol error: the command was not understood.', rfc: 'RFC 9051 7.1.3' },
    PREAUTH: { text: 'Greeting: already logged in.', rfc: 'RFC 9051 7.1.4' },
    BYE: { text: 'The server is closing the connection.', rfc: 'RFC 9051 7.1.5' },
    CAPABILITY: { text: 'The extensions the server supports.', rfc: 'RFC 9051 7.2.2' },
    ENABLED: { text: 'The extensions now on.', rfc: 'RFC 5161 3.2' },
    LIST: { text: 'One mailbox.', rfc: 'RFC 9051 7.3.1' },
    LSUB: { text: 'One subscribed mailbox.', rfc: 'RFC 3501 7.2.3' },
    STATUS: { text: 'The counts of a mailbox.', rfc: 'RFC 9051 7.3.4' },
    SEARCH: { text: 'The messages that matched.', rfc: 'RFC 3501 7.2.5' },
    ESEARCH: { text: 'The messages that matched (extended form).', rfc: 'RFC 4731 3.1' },
    FLAGS: { text: 'The flags this mailbox uses.', rfc: 'RFC 9051 7.3.5' },
    EXISTS: { text: 'How many messages the mailbox holds now.', rfc: 'RFC 9051 7.4.1' },
    RECENT: { text: 'How many messages are new since the last look.', rfc: 'RFC 3501 7.3.2' },
    EXPUNGE: { text: 'A message was removed; later numbers shift down.', rfc: 'RFC 9051 7.5.1' },
    FETCH: { text: 'Data about one message: flags, headers or body.', rfc: 'RFC 9051 7.5.2' },
    '+': { text: 'Continue: the server waits for more (a literal, a SASL step, IDLE).', rfc: 'RFC 9051 7.6' },
  },
};

/** Per protocol; `submission` speaks SMTP. */
export const ANNOTATIONS: Record<'smtp' | 'submission' | 'pop3' | 'imap', ProtocolAnnotations> = {
  smtp,
  submission: smtp,
  pop3,
  imap,
};
