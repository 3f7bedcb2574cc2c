/**
 * Every SMTP limit in one place, each with the reason for its value. Options of
 * `SmtpServiceOptions` override the first three; the rest are fixed policy.
 */

/** RFC 1870 SIZE: 25 MiB is what large providers accept, big enough for real attachments. */
export const DEFAULT_MAX_MESSAGE_SIZE = 25 * 1024 * 1024;

/** RFC 5321 4.5.3.1.8 asks for at least 100 recipients per transaction; more is list-server work. */
export const DEFAULT_MAX_RECIPIENTS = 100;

/** Concurrent connections per listener: bounds sockets and buffered DATA (each up to the size limit). */
export const DEFAULT_MAX_CLIENTS = 200;

/**
 * Concurrent connections from one IP per listener. A busy MTA opens a handful of parallel
 * connections to us; an office behind NAT submits from one address. 20 leaves room for both
 * while one host cannot take the whole listener.
 */
export const DEFAULT_MAX_CONNECTIONS_PER_IP = 20;

/** RFC 5321 4.5.3.2.7: a server should wait at least 5 minutes for the next command. */
export const SOCKET_TIMEOUT_MS = 5 * 60 * 1000;

/** How long close() lets in-flight transactions finish before cutting connections with 421. */
export const CLOSE_GRACE_MS = 10 * 1000;

/**
 * Commands a submission client may send before it authenticates: EHLO, STARTTLS, EHLO again and
 * a few mistakes. Stops a client from probing with endless MAIL/RCPT it will never be allowed.
 */
export const MAX_UNAUTHENTICATED_COMMANDS = 10;

/**
 * Free octets collectMessage reserves before each message for the trace headers, which are then
 * written in place instead of copying the message again. Return-Path and Received take ~170
 * octets with short names, and the inbound checks' Received-SPF and Authentication-Results ~300
 * more (472 in all in mx.test's checked message, which asserts they fit); longer headers fall back
 * to one extra copy, so this bounds nothing but the saving.
 */
export const TRACE_HEADROOM = 1024;

/** RFC 5321 4.5.3.1.2: a domain is at most 255 octets; a longer HELO name is cut in Received. */
export const MAX_HELO_NAME_IN_HEADER = 255;

// Failed-login throttling (free failures, doubling delay, cap, quiet window, memory bound) uses
// @minimail/protocol's AuthThrottle and its LIMITS, shared with POP3 and IMAP.
