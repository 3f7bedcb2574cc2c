import { defineConfig } from 'vitest/config';

/** `npm run measure`: the catcher's list/search timings (scripts/measure.test.ts), not part of `npm test`. */
export default defineConfig({ test: { include: ['scripts/measure.test.ts'] } });
