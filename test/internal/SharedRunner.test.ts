/**
 * SharedRunner: the scheduler in force, called without the fiber (one task
 * runner for all), for everything a Layer forks while it is built.
 */
import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, FiberRef, Layer, type Scheduler } from "effect"
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

  it.effect("a Layer's fibers, forked while it is built, run on the shared form of the scheduler in force", () =>
    Effect.gen(function*() {
      const { fibers, s } = recording()
      const seen = yield* Deferred.make<Scheduler.Scheduler>()
      const forking = Layer.scopedDiscard(
        Effect.forkScoped(Effect.flatMap(FiberRef.get(FiberRef.currentScheduler), (x) => Deferred.succeed(seen, x)))
      )
      const got = yield* Layer.build(SharedRunner.layer(forking)).pipe(
        Effect.zipRight(Deferred.await(seen)),
        Effect.withScheduler(s),
        Effect.scoped
      )
      // the fiber's scheduler is the shared form (wrapping it again gives it back), not `s` itself
      expect(got).not.toBe(s)
      expect(SharedRunner.shared(got)).toBe(got)
      // and it hands tasks to `s`, without the fiber
      const before = fibers.length
      got.scheduleTask(() => {}, 0, {} as never)
      expect(fibers.slice(before)).toEqual([undefined])
    }))
})
