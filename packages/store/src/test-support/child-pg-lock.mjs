/* global process, setInterval */
// Runs in a separate process: opens the PostgreSQL store at argv[2], takes the maildrop lock of
// user argv[3], prints "locked" (or "busy"), then idles until killed. Shows that a killed node's
// advisory lock does not outlive it.
import { openPostgresStore } from '../../dist/index.js';

const [url, userId] = process.argv.slice(2);
const store = await openPostgresStore({ url, poolSize: 2 });
const locked = await store.lockMaildrop(Number(userId), 'child-session');
process.stdout.write(locked ? 'locked\n' : 'busy\n');
setInterval(() => {}, 1000);
