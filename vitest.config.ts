import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Integration tests boot real QEMU guests and build real kernels; they set their own timeouts.
    testTimeout: 60_000,
    hookTimeout: 1_800_000,
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
  },
});
