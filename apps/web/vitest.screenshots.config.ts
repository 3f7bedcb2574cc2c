import { defineConfig } from 'vitest/config';

/** `npm run screenshots`: the screenshot script only. */
export default defineConfig({
  test: { include: ['scripts/screenshots.test.ts'], testTimeout: 120_000, hookTimeout: 120_000 },
});
