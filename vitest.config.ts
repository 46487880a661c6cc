import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/support/ciGuard.ts"],
    // TAP/netns tests create kernel objects; keep files in separate processes
    // but do not run too many at once on a 2-core machine.
    pool: "forks",
    testTimeout: 30_000,
    hookTimeout: 30_000
  }
})
