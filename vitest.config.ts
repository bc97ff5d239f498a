import {defineConfig} from 'vitest/config'

// Two projects: `unit` (pure logic, no broker, seconds) and `integration` (the built CLI against
// real Kafka brokers that test/integration/global-setup.ts starts and stops; it first refuses a
// dist/kafkit.cjs older than src/, naming the fix: npm run build).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/integration/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
})
