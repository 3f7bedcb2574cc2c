import { ensureDistBuilt } from './dist-build.js';

/** vitest globalSetup of the thread-writer project: its worker runs dist/write-thread.js. */
export default function setup(): void {
  ensureDistBuilt();
}
