import { defineConfig } from "vitest/config"

// `npm run soak`: the long runs of issue 10, not part of `npm test`.
export default defineConfig({
  test: {
    include: ["test/soak/**/*.soak.ts"],
    globalSetup: ["test/support/ciGuard.ts"],
    pool: "forks",
    testTimeout: 300_000,
    hookTimeout: 60_000
  }
})
