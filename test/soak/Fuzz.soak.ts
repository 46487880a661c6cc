/**
 * The fuzz soak (issue 10): ten seeds of 100 000 hostile frames each, a
 * million in all, injected into a stack while a TCP transfer runs into it
 * (test/support/Fuzz.ts). `SOAK_FUZZ_SEEDS=N` runs N seeds.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { fuzzRun, malformedDrops } from "../support/Fuzz.js"

const SEEDS = Number(process.env.SOAK_FUZZ_SEEDS ?? 10)
const FRAMES = 100_000

describe(`${FRAMES} hostile frames per seed while a TCP transfer runs, ${SEEDS} seeds`, () => {
  for (let seed = 1; seed <= SEEDS; seed++) {
    it.effect(`seed ${seed * 7919}`, () =>
      Effect.gen(function*() {
        const { injected, stats } = yield* fuzzRun(seed * 7919, FRAMES)
        expect(injected).toBe(FRAMES)
        console.log(`seed ${seed * 7919}: ${injected} frames injected, ${malformedDrops(stats)} dropped as malformed`)
      }), 600_000)
  }
})
