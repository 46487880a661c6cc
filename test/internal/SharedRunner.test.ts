/**
 * SharedRunner: the scheduler in force, called without the fiber (one task
 * runner for all).
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, type Scheduler } from "effect"
import * as SharedRunner from "../../src/internal/SharedRunner.js"

/** A scheduler that records the fiber argument of every task and runs tasks at once. */
const recording = () => {
  const fibers: Array<unknown> = []
  const s: Scheduler.Scheduler = {
    scheduleTask: (task, _priority, fiber) => {
      fibers.push(fiber)
      queueMicrotask(task)
    },
    shouldYield: () => false
  }
  return { s, fibers }
}

describe("SharedRunner", () => {
  it("schedules on the inner scheduler without the fiber, and wraps once", () => {
    const { fibers, s } = recording()
    const shared = SharedRunner.shared(s)
    expect(SharedRunner.shared(shared)).toBe(shared)
    let ran = 0
    shared.scheduleTask(() => ran++, 0, {} as never)
    expect(fibers).toEqual([undefined])
    return Effect.runPromise(Effect.promise(() => new Promise((r) => queueMicrotask(() => r(ran))))).then((n) => expect(n).toBe(1))
  })
})
