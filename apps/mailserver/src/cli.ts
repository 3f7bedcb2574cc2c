#!/usr/bin/env node
import path from 'node:path';
import { run } from './main.js';

// `minimail user list | head -1`: once the reader is gone, the rest of the output has nowhere to go.
// Stop quietly with success, as a command killed by SIGPIPE would in a shell, not with a stack trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

// Installed as /usr/sbin/sendmail (a symlink to this bin), it is `minimail sendmail`.
const invokedAs = path.basename(process.argv[1] ?? '');
const argv = process.argv.slice(2);
process.exitCode = await run(invokedAs === 'sendmail' ? ['sendmail', ...argv] : argv, {
  env: process.env,
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
});
