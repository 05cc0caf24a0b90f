import { defineConfig } from 'vitest/config';

// Three layers (DESIGN.md "Tests"): unit (pure, fast), integration (real server over HTTP on
// SQLite and PostgreSQL), e2e (the built app in real Chromium). `npm test` builds first.
export default defineConfig({
  test: {
    // Vitest's default on 2 cores is one worker, which ran every file in turn (CI took 17 min).
    // The browser files run one at a time (fileParallelism below), as their clocks and timings
    // assume a browser to themselves; vitest then runs them only after every other file, so
    // `npm test` starts them in a second process beside the rest (scripts/run-tests.mjs).
    maxWorkers: 2,
    projects: [
      {
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts'],
          environment: 'node',
          // Under `npm test` the unit files share 2 cores with test servers and Chromium, and the
          // property tests (thousands of generated cases each) took past vitest's default 5 s.
          testTimeout: 30_000,
          // Files share their worker's modules (as the browser files do): importing them afresh for
          // each file was 40 % of this project's time (30 s against 12 s alone on CI's machine).
          isolate: false,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          // One migrated, seeded database per engine, copied for each test server (harness.ts).
          globalSetup: ['tests/integration/global-setup.ts'],
          environment: 'node',
          testTimeout: 30_000,
          hookTimeout: 60_000,
          // Files share their worker's modules: each file imported the server and its libraries
          // again, 60 s of worker time; the project alone took 290 s isolated against 227 s.
          isolate: false,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
          // One process runs the browser files in turn and keeps its modules between them: each
          // file otherwise imported the server again and remade the demo's password hashes and
          // area clipping (startServer's first call in a process), seconds a file. Every file
          // still starts its own server, database and Chromium.
          isolate: false,
        },
      },
    ],
  },
});
