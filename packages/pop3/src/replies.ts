/**
 * Extended response codes (RFC 2449 8, RESP-CODES) that this server sends, one comment per code.
 * A code appears in brackets right after "-ERR " so that clients can tell why a command failed.
 */
export const RESPONSE_CODES = {
  /** RFC 2449 8.1.1: the maildrop is locked by another session; try again later. */
  IN_USE: 'IN-USE',
  /** RFC 3206 5: the failure is about the credentials (or the policy on sending them). */
  AUTH: 'AUTH',
  /** RFC 3206 4: a temporary system problem (e.g. the store is busy); retrying may work. */
  SYS_TEMP: 'SYS/TEMP',
  /** RFC 3206 4: a permanent system problem; retrying will not help. */
  SYS_PERM: 'SYS/PERM',
} as const;

export type ResponseCode = (typeof RESPONSE_CODES)[keyof typeof RESPONSE_CODES];

/** "+OK text". */
export const ok = (text: string): string => (text === '' ? '+OK' : `+OK ${text}`);

/** "-ERR text" or "-ERR [CODE] text". */
export const err = (text: string, code?: ResponseCode): string =>
  code === undefined ? `-ERR ${text}` : `-ERR [${code}] ${text}`;

/** Fixed reply texts, so tests and handlers agree on every line. */
export const REPLIES = {
  greeting: (hostname: string) => ok(`${hostname} POP3 server ready`),
  unknownCommand: err('unknown command'),
  wrongState: err('command not valid in this state'),
  tooManyUnknownCommands: err('too many unknown commands, closing connection'),
  lineTooLong: err('command line longer than 255 octets, closing connection'),
  idleTimeout: err('idle for too long, closing connection'),
  tooManyClients: err('too many connections, try again later', RESPONSE_CODES.SYS_TEMP),
  shuttingDown: err('server shutting down', RESPONSE_CODES.SYS_TEMP),
  syntax: (usage: string) => err(`syntax: ${usage}`),
  noSuchMessage: err('no such message'),
  messageDeleted: (n: number) => err(`message ${n} already deleted`),

  // AUTHORIZATION state (RFC 1939 7, RFC 5034, RFC 2595)
  userAccepted: ok('send PASS'),
  passWithoutUser: err('send USER first'),
  loginFailed: err('invalid login or password', RESPONSE_CODES.AUTH),
  loginUnavailable: err('cannot check the password now, try again later', RESPONSE_CODES.SYS_TEMP),
  tooManyAuthFailures: err('too many failed logins, closing connection', RESPONSE_CODES.AUTH),
  plaintextNeedsTls: err('plaintext authentication requires TLS, use STLS first', RESPONSE_CODES.AUTH),
  maildropInUse: err('maildrop is locked by another session', RESPONSE_CODES.IN_USE),
  loggedIn: (count: number, octets: number) =>
    ok(`maildrop locked and ready, ${count} messages (${octets} octets)`),
  authMechanisms: ok('supported SASL mechanisms follow'),
  authUnsupported: err('unsupported SASL mechanism'),
  authCancelled: err('authentication cancelled'),
  authMalformed: err('malformed SASL response'),
  stlsGo: ok('begin TLS negotiation'),
  stlsUnavailable: err('STLS not available'),
  stlsAlreadyActive: err('command not permitted when TLS active'),

  // TRANSACTION state (RFC 1939 5)
  stat: (count: number, octets: number) => ok(`${count} ${octets}`),
  listHeader: (count: number, octets: number) => ok(`${count} messages (${octets} octets)`),
  listOne: (n: number, octets: number) => ok(`${n} ${octets}`),
  uidlHeader: ok('unique-id listing follows'),
  uidlOne: (n: number, id: string) => ok(`${n} ${id}`),
  retrHeader: (octets: number) => ok(`${octets} octets`),
  topHeader: ok('top of message follows'),
  deleted: (n: number) => ok(`message ${n} deleted`),
  reset: (count: number, octets: number) => ok(`maildrop has ${count} messages (${octets} octets)`),
  noop: ok(''),
  capaHeader: ok('capability list follows'),

  // UPDATE state and QUIT (RFC 1939 6)
  signOffAuthorization: ok('bye'),
  signOff: (left: number) => ok(`bye, ${left} messages left`),
  updateFailed: err('deleted messages not removed, try again later', RESPONSE_CODES.SYS_TEMP),
} as const;
