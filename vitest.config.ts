import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Resolve `authjwt` and its subpaths to src/ so tests exercise the public API without a build.
  resolve: { conditions: ['authjwt-source'] },
  ssr: { resolve: { conditions: ['authjwt-source'] } },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    // Three files at once on a 2-core machine (vitest's default there is one): most tests wait on
    // Redis, a browser or a timer rather than compute, and one file alone idles two minutes (the
    // browser tabs' acceptance test). Measured here: 545 s in one, ~240 s in three; runs with four
    // passed too, so three keeps a margin.
    maxWorkers: 3,
    hookTimeout: 30_000,
    // What a test polls for happens across processes (a browser, Redis, a second app) on a loaded
    // 2-core CI machine: 1 s, the default, is a timing assertion in disguise there.
    expect: { poll: { timeout: 5000 } },
  },
});
