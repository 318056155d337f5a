import os from 'node:os';
import path from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Builds dist/ when stale: tests that spawn the CLI run it (test/global-setup.ts).
    globalSetup: ['test/global-setup.ts'],
    // Integration tests boot real QEMU guests and build real kernels; they set their own timeouts.
    testTimeout: 60_000,
    hookTimeout: 1_800_000,
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
    // The same kernel trees, build folders and ccache as `npm test` (scripts/test.sh), also when
    // one test file is run by hand with `npx vitest run FILE`: a cold cache costs minutes.
    env: { DAXBOT_CACHE_DIR: process.env.DAXBOT_CACHE_DIR ?? path.join(os.homedir(), '.cache', 'daxbot') },
  },
});
