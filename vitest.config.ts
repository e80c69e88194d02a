import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Resolve `authjwt` and its subpaths to src/ so tests exercise the public API without a build.
  resolve: { conditions: ['authjwt-source'] },
  ssr: { resolve: { conditions: ['authjwt-source'] } },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
