#!/usr/bin/env node
// Thin launcher so `npx minimail` works from the repository root: the CLI itself is compiled
// TypeScript. `npm ci` builds it (the root `prepare` script); a checkout installed with
// --ignore-scripts has no dist/ yet, which deserves one line rather than a stack trace.
try {
  await import('../dist/cli.js');
} catch (error) {
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist/cli.js')) {
    process.stderr.write('minimail: not built yet: run `npm run build` at the repository root\n');
    process.exit(1);
  }
  throw error;
}
