#!/usr/bin/env node
import { run } from './main.js';

// `minimail user list | head -1`: once the reader is gone, the rest of the output has nowhere to go.
// Stop quietly with success, as a command killed by SIGPIPE would in a shell, not with a stack trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

process.exitCode = await run(process.argv.slice(2), {
  env: process.env,
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
});
