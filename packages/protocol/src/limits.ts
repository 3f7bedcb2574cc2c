/**
 * Defaults for every bound the shared plumbing enforces, each with the reason for its value.
 * Protocol packages may override any of them through their typed options; nothing here reads
 * the environment.
 */
export const LIMITS = {
  /**
   * Longest command line accepted, without its CRLF. RFC 5321 4.5.3.1.4 allows 512 octets for an
   * SMTP command line and RFC 1939 says 255 for POP3, but RFC 7162 3.2.4 asks IMAP servers to
   * accept at least 8192 octets (long UID sets). One generous default serves all three; SMTP and
   * POP3 may pass a smaller one.
   */
  maxLineBytes: 8192,

  /**
   * Bytes the line reader keeps buffered before it pauses the socket. Pipelined commands beyond
   * this wait in the kernel, so a client that floods us costs at most this much memory per
   * connection (plus one socket read chunk, at most 64 KiB).
   */
  readBufferBytes: 64 * 1024,

  /**
   * Longest base64 SASL response accepted (RFC 4954 4 leaves the size to the server). PLAIN carries
   * two 255-octet names and a 255-octet password (RFC 4616 2), about 1 KiB once base64-encoded;
   * 12 KiB also leaves room for larger mechanisms without letting a client send megabytes.
   */
  maxSaslResponseBytes: 12 * 1024,

  /** RFC 4616 2: authzid, authcid and passwd are each at most 255 octets of UTF-8. */
  maxSaslFieldBytes: 255,

  /**
   * Failed logins answered without delay, per IP and per account: a person mistyping a password
   * a couple of times should not wait.
   */
  authFreeFailures: 3,

  /** First throttle delay after the free failures; it doubles with each further failure. */
  authBaseDelayMs: 1_000,

  /**
   * Longest throttle delay. Long enough to make online guessing useless (at most ~2 guesses per
   * minute per IP and per account), short enough that the session timeout is not reached.
   */
  authMaxDelayMs: 30_000,

  /** After this long without a failure, an IP's or account's failure count is forgotten. */
  authQuietWindowMs: 15 * 60_000,

  /**
   * IPs plus accounts remembered by the throttle. Each entry is ~100 bytes, so the cap keeps the
   * table under a few MiB even when a botnet sprays logins from many addresses.
   */
  authMaxTrackedKeys: 20_000,

  /** Simultaneous connections per listener: well beyond a small domain, far below fd limits. */
  maxConnections: 1_000,

  /**
   * Simultaneous connections from one IP. Thunderbird opens up to 5 IMAP connections per account
   * and an office behind NAT shares one address, so 50 leaves room without letting one host take
   * the whole server.
   */
  maxConnectionsPerIp: 50,

  /**
   * A TLS handshake (implicit TLS or after STARTTLS) must finish within this time, or the
   * connection is dropped: a half-open handshake otherwise holds a connection slot for free.
   */
  tlsHandshakeTimeoutMs: 10_000,

  /**
   * How long listener close() waits for sessions to finish (they are asked to stop through an
   * AbortSignal) before destroying their sockets.
   */
  closeGraceMs: 5_000,

  /**
   * After a server has ended its side of a connection (BYE, -ERR, 421, LOGOUT, QUIT), how long a
   * client that keeps sending is read and ignored before its socket is destroyed. Long enough for
   * the last reply to arrive at a client reading it, short enough that a hostile client holds
   * a connection slot for at most this long (issue 11).
   */
  closeLingerMs: 1_000,

  /**
   * Message bytes (IMAP APPEND literals, SMTP DATA) the whole process holds in memory at once.
   * Four 64 MiB APPENDs or ten 25 MiB messages in flight; past it APPEND gets `NO [LIMIT]` and
   * DATA `452 4.3.1` (temporary: the client retries), instead of the process growing (issue 11).
   */
  messageMemoryBudgetBytes: 256 * 1024 * 1024,

  /**
   * A message larger than this (an IMAP APPEND literal, SMTP DATA) is written to a spool file in
   * the data dir while it arrives, not held in memory (docs/adr/0027): each such message then
   * costs at most this much memory however large it is, and the store reads it from the file
   * when its commit comes. Below it, the message stays in memory under the budget above.
   */
  spoolThresholdBytes: 1024 * 1024,

  /**
   * Spool files older than this found when a spool opens were left by a process that was killed
   * (SIGKILL, power loss); nothing was acknowledged for them, so they are removed. Longer than any
   * transaction can stay open (a file's time is its last write: an idle upload times out sooner).
   */
  spoolStaleAfterMs: 60 * 60 * 1000,

  /** How often changed certificate files are looked for (fs.watchFile polls; it works on volumes). */
  tlsReloadPollMs: 60_000,

  /** Lines a Transcript keeps; older conversation is summarised as a count of dropped lines. */
  transcriptMaxLines: 2_000,

  /** Characters of one transcript line kept; message bodies do not belong in a transcript. */
  transcriptMaxLineChars: 1_000,
} as const;

export type Limits = typeof LIMITS;
