import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores here: browser tests and the language model load are heavy; keep workers few.
    maxWorkers: 2,
    // Node's process warnings as log lines, the known-harmless DEP0111 of restify left out (as in production).
    setupFiles: ['./bot/process-warnings.ts'],
  },
});
