import { defineConfig } from 'vitest/config';

// Two tiers by file name: *.unit.test.ts (pure, fast) and *.int.test.ts (real
// nats-server / redis-server / haproxy started by @ferry/testing). Sources of the
// workspace libraries are resolved through the "@ferry/source" export condition,
// so tests never need a build first.
const shared = {
  resolve: { conditions: ['@ferry/source'] },
  ssr: { resolve: { conditions: ['@ferry/source'] } },
} as const;

export default defineConfig({
  test: {
    pool: 'forks',
    maxWorkers: 2,
    projects: [
      {
        ...shared,
        test: {
          name: 'unit',
          include: ['{libs,services,deploy,tools}/*/test/**/*.unit.test.ts'],
          testTimeout: 10_000,
        },
      },
      {
        ...shared,
        test: {
          name: 'int',
          include: ['{libs,services,deploy,tools}/*/test/**/*.int.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          teardownTimeout: 30_000,
        },
      },
    ],
  },
});
