/** @minimail/managesieve: the ManageSieve server (RFC 5804) over the store's Sieve scripts. */
export { createManageSieveServer, type ManageSieveListener, type ManageSieveOptions } from './server.js';
export { MANAGESIEVE_COMMANDS } from './command-names.js';
