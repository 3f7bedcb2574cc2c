export { freePort, hasRspamd, startRspamd, type RspamdServer } from './rspamd-server.js';
