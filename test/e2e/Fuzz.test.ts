/**
 * Hostile frames injected into a stack while a TCP transfer runs into it
 * (issue 10, fuzzing; test/support/Fuzz.ts has the method): the transfer
 * arrives intact, what is malformed is counted, and the stack still answers
 * a ping and takes a new connection. One seed of 5000 frames here; the fuzz
 * soak (`npm run soak`) injects a million.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { fuzzRun, malformedDrops } from "../support/Fuzz.js"

describe("hostile frames injected while a TCP transfer runs (seeded, virtual time)", () => {
  for (const seed of [1]) {
    it.effect(`seed ${seed}: 5000 frames; the transfer arrives intact; the stack still pings and accepts`, () =>
      Effect.gen(function*() {
        const { injected, stats } = yield* fuzzRun(seed, 5000)
        expect(injected).toBe(5000)
        // it saw them, and dropped what was malformed
        expect(stats.ethernet.received).toBeGreaterThan(5000)
        expect(malformedDrops(stats)).toBeGreaterThan(500)
      }), 120_000)
  }
})
