/* global process, setInterval */
// Runs in a separate process: takes the maildrop lock of user argv[3], prints "locked", then
// idles until killed. Used to show that a killed holder's lock does not outlive it.
import { openStore } from '../../dist/index.js';

const [path, userId] = process.argv.slice(2);
const store = openStore({ path });
const locked = await store.lockMaildrop(Number(userId), 'child-session');
process.stdout.write(locked ? 'locked\n' : 'busy\n');
setInterval(() => {}, 1000);
