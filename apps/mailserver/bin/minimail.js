#!/usr/bin/env node
// Thin launcher so `npx minimail` works from the repository root: the CLI itself is compiled TypeScript.
import '../dist/cli.js';
