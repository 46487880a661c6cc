/**
 * Scheduling: the process's scheduling policy for the life of a scope.
 * Setting SCHED_FIFO needs root (or CAP_SYS_NICE); those cases skip without it.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import * as fs from "node:fs"
import * as nodePath from "node:path"
import * as Scheduling from "../src/Scheduling.js"
import { failureOf } from "./support/Failure.js"

const ROOT = nodePath.resolve(import.meta.dirname, "..")
const hasAddon = fs.existsSync(nodePath.join(ROOT, "build/Release/gonet_tap.node"))
const isRoot = process.getuid?.() === 0

describe("Scheduling", () => {
  it("isPriority: integers 1..99 only", () => {
    expect([1, 50, 99].map(Scheduling.isPriority)).toEqual([true, true, true])
    expect([0, 100, -1, 1.5, Number.NaN].map(Scheduling.isPriority)).toEqual([false, false, false, false, false])
  })

  it.effect("an invalid priority fails with InvalidPriority and leaves the policy alone", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(Effect.scoped(Scheduling.realtime(0)))
      expect(exit).toStrictEqual(Exit.fail(new Scheduling.SchedulingError({
        reason: "InvalidPriority",
        detail: "real-time priority 0 is not an integer 1..99"
      })))
    }))

  it.effect.skipIf(!hasAddon || !isRoot)("an invalid priority changes nothing: inside a SCHED_FIFO 5 scope, 0 and 100 leave it at 5", () =>
    Effect.gen(function*() {
      const inside = yield* Effect.scoped(Effect.gen(function*() {
        yield* Scheduling.realtime(5)
        const refused = yield* Effect.forEach([0, 100], (p) => failureOf(Effect.scoped(Scheduling.realtime(p))))
        expect(refused.map((e) => e.reason)).toEqual(["InvalidPriority", "InvalidPriority"])
        return yield* Scheduling.current
      }))
      expect(inside).toEqual({ policy: "fifo", priority: 5 })
      expect(yield* Scheduling.current).toEqual({ policy: "other", priority: 0 })
    }))

  it.effect.skipIf(!hasAddon || !isRoot)("scoped(7): SCHED_FIFO 7 inside the scope, SCHED_OTHER after it", () =>
    Effect.gen(function*() {
      expect(yield* Scheduling.current).toEqual({ policy: "other", priority: 0 })
      const inside = yield* Effect.scoped(Effect.zipRight(Scheduling.realtime(7), Scheduling.current))
      expect(inside).toEqual({ policy: "fifo", priority: 7 })
      expect(yield* Scheduling.current).toEqual({ policy: "other", priority: 0 })
    }))

  it.effect.skipIf(!hasAddon || !isRoot)("the policy is restored when the scope fails too", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(Effect.scoped(Effect.zipRight(Scheduling.realtime(3), Effect.fail("boom"))))
      expect(Exit.isFailure(exit)).toBe(true)
      expect(yield* Scheduling.current).toEqual({ policy: "other", priority: 0 })
    }))
})
