/**
 * The fibers kept between jobs (a TCP connection's halves): a job runs on a
 * waiting fiber when there is one, a failed job takes its fiber with it, at
 * most `maxIdle` wait, and a closed pool hands nothing to a waiting fiber.
 */
import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Exit, Fiber, FiberId, FiberSet } from "effect"
import { FiberPool } from "../../src/internal/FiberPool.js"

/** A pool whose fibers join `set`, with the fibers it made in `made`. */
const poolIn = (set: FiberSet.FiberSet, maxIdle: number) => {
  const made: Array<Fiber.RuntimeFiber<void>> = []
  const run = FiberSet.runtime(set)<never>()
  return Effect.map(run, (fork) => {
    const pool = new FiberPool((job) => {
      made.push(fork(job))
    }, maxIdle)
    return { pool, made }
  })
}

/** A job that records the fiber it ran on. */
const recordOn = (ids: Array<FiberId.FiberId>) => Effect.flatMap(Effect.fiberId, (id) => Effect.sync(() => ids.push(id)))

describe("FiberPool", () => {
  it.scoped("a job after another ends runs on the same fiber; jobs at once each have their own", () =>
    Effect.gen(function*() {
      const set = yield* FiberSet.make()
      const { made, pool } = yield* poolIn(set, 8)
      const ids: Array<FiberId.FiberId> = []
      pool.run(recordOn(ids))
      yield* Effect.yieldNow()
      expect(pool.waiting).toBe(1)
      pool.run(recordOn(ids))
      yield* Effect.yieldNow()
      expect(made).toHaveLength(1)
      expect(ids).toHaveLength(2)
      expect(ids[1]).toStrictEqual(ids[0])
      // two that overlap: the waiting fiber takes one, a new fiber the other
      const gate = yield* Deferred.make<void>()
      pool.run(Deferred.await(gate))
      pool.run(Deferred.await(gate))
      yield* Effect.yieldNow()
      expect(made).toHaveLength(2)
      expect(pool.waiting).toBe(0)
      yield* Deferred.succeed(gate, undefined)
      yield* Effect.yieldNow()
      yield* Effect.yieldNow()
      expect(pool.waiting).toBe(2)
    }))

  it.scoped("a job that dies ends its fiber with that defect; the next job gets another", () =>
    Effect.gen(function*() {
      const set = yield* FiberSet.make()
      const { made, pool } = yield* poolIn(set, 8)
      // on a new fiber
      pool.run(Effect.die("refused"))
      expect(yield* Fiber.await(made[0]!)).toStrictEqual(Exit.die("refused"))
      expect(pool.waiting).toBe(0)
      // on a waiting one
      pool.run(Effect.void)
      yield* Effect.yieldNow()
      expect(pool.waiting).toBe(1)
      pool.run(Effect.die("boom"))
      expect(yield* Fiber.await(made[1]!)).toStrictEqual(Exit.die("boom"))
      expect(pool.waiting).toBe(0)
      pool.run(Effect.void)
      yield* Effect.yieldNow()
      expect(made).toHaveLength(3)
      expect(pool.waiting).toBe(1)
    }))

  it.scoped("at most maxIdle wait; the fibers past it end; 0 keeps none", () =>
    Effect.gen(function*() {
      const set = yield* FiberSet.make()
      const { made, pool } = yield* poolIn(set, 2)
      const gate = yield* Deferred.make<void>()
      for (let i = 0; i < 5; i++) pool.run(Deferred.await(gate))
      yield* Effect.yieldNow()
      expect(made).toHaveLength(5)
      yield* Deferred.succeed(gate, undefined)
      yield* Effect.forEach(made.slice(2), Fiber.await)
      expect(pool.waiting).toBe(2)
      expect(made.filter((f) => f.unsafePoll() === null)).toHaveLength(2)

      const none = yield* poolIn(set, 0)
      none.pool.run(Effect.void)
      none.pool.run(Effect.void)
      yield* Effect.forEach(none.made, Fiber.await)
      expect([none.made.length, none.pool.waiting]).toEqual([2, 0])
    }))

  it.scoped("closed: jobs go to new fibers, none to the waiting ones, which the owner's scope interrupts", () =>
    Effect.gen(function*() {
      const set = yield* FiberSet.make()
      const { made, pool } = yield* poolIn(set, 8)
      pool.run(Effect.void)
      yield* Effect.yieldNow()
      expect(pool.waiting).toBe(1)
      pool.close()
      expect(pool.waiting).toBe(0)
      const ids: Array<FiberId.FiberId> = []
      pool.run(recordOn(ids))
      yield* Effect.yieldNow()
      expect(made).toHaveLength(2)
      expect(ids).toHaveLength(1)
      // the first fiber still waits, with no job to come: interrupting it ends it
      yield* FiberSet.clear(set)
      expect(Exit.isInterrupted((yield* Fiber.await(made[0]!)))).toBe(true)
    }))
})
