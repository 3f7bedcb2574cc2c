import os from 'node:os';
import path from 'node:path';
import { defineConfig } from '@playwright/test';

/**
 * The system's Chromium (Debian's `chromium` package, which .ci/run installs), driven by
 * Playwright: no browser download.
 */
export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

export default defineConfig({
  testDir: 'tests',
  testMatch: '**/*.spec.ts',
  outputDir: path.join(os.tmpdir(), 'minimail-signup-app-playwright'),
  reporter: 'list',
  timeout: 60_000,
  workers: 1,
  use: {
    browserName: 'chromium',
    launchOptions: { executablePath: CHROMIUM },
  },
});
