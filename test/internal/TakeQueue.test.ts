/**
 * TakeQueue: a listener's queue of established connections. Items and
 * takers both FIFO; an interrupted taker gets nothing; the end fails every
 * take and hands back what was never taken; an offer wakes a taker through
 * the taker's fiber, never inside the offer.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Fiber } from "effect"
import { TakeQueue } from "../../src/internal/TakeQueue.js"

describe("TakeQueue", () => {
  it.effect("items queued before any take leave in order, each mapped once as it is taken", () =>
    Effect.gen(function*() {
      const mapped: Array<number> = []
      const q = new TakeQueue<number, string, string>((n) => {
        mapped.push(n)
        return `#${n}`
      })
      expect(q.offer(1)).toBe(true)
      expect(q.offer(2)).toBe(true)
      expect(q.size).toBe(2)
      expect(mapped).toEqual([])
      expect(yield* q.take).toBe("#1")
      expect(yield* q.take).toBe("#2")
      expect(mapped).toEqual([1, 2])
      expect(q.size).toBe(0)
    }))

  it.effect("waiting takers are served in the order they came; an offer does not run the taker in its own call", () =>
    Effect.gen(function*() {
      const q = new TakeQueue<number, number, string>((n) => n)
      const a = yield* Effect.fork(q.take)
      yield* Effect.yieldNow()
      const b = yield* Effect.fork(q.take)
      yield* Effect.yieldNow()
      const ran: Array<string> = []
      const c = yield* Effect.fork(Effect.tap(q.take, () => Effect.sync(() => ran.push("c took"))))
      yield* Effect.yieldNow()
      q.offer(10)
      q.offer(20)
      q.offer(30)
      ran.push("offered")
      expect(q.size).toBe(0)
      expect(yield* Fiber.join(a)).toBe(10)
      expect(yield* Fiber.join(b)).toBe(20)
      expect(yield* Fiber.join(c)).toBe(30)
      expect(ran).toEqual(["offered", "c took"])
    }))

  it.effect("an interrupted taker gets nothing: the next offer goes to the next taker, or waits", () =>
    Effect.gen(function*() {
      const q = new TakeQueue<number, number, string>((n) => n)
      const a = yield* Effect.fork(q.take)
      const b = yield* Effect.fork(q.take)
      yield* Effect.yieldNow()
      yield* Fiber.interrupt(a)
      q.offer(1)
      expect(yield* Fiber.join(b)).toBe(1)
      const c = yield* Effect.fork(q.take)
      yield* Effect.yieldNow()
      yield* Fiber.interrupt(c)
      q.offer(2)
      expect(q.size).toBe(1)
      expect(yield* q.take).toBe(2)
    }))

  it.effect("the end fails waiting and later takes, refuses offers, and hands back what was never taken", () =>
    Effect.gen(function*() {
      const q = new TakeQueue<number, number, string>((n) => n)
      const waiting = yield* Effect.fork(q.take)
      yield* Effect.yieldNow()
      expect(q.end(() => "closed")).toEqual([])
      expect(yield* Fiber.await(waiting)).toStrictEqual(Exit.fail("closed"))
      expect(yield* Effect.exit(q.take)).toStrictEqual(Exit.fail("closed"))
      expect(q.offer(1)).toBe(false)

      const r = new TakeQueue<number, number, string>((n) => n)
      r.offer(1)
      r.offer(2)
      expect(yield* r.take).toBe(1)
      r.offer(3)
      expect(r.end(() => "closed")).toEqual([2, 3])
      expect(r.end(() => "again")).toEqual([])
      expect(yield* Effect.exit(r.take)).toStrictEqual(Exit.fail("closed"))
    }))

  it.effect("the end's failure is made for each take that meets it, and not at all when none does", () =>
    Effect.gen(function*() {
      let made = 0
      const failure = () => {
        made++
        return `closed ${made}`
      }
      const q = new TakeQueue<number, number, string>((n) => n)
      expect(q.end(failure)).toEqual([])
      expect(made).toBe(0)
      expect(yield* Effect.exit(q.take)).toStrictEqual(Exit.fail("closed 1"))
      expect(yield* Effect.exit(q.take)).toStrictEqual(Exit.fail("closed 2"))

      made = 0
      const r = new TakeQueue<number, number, string>((n) => n)
      const a = yield* Effect.fork(r.take)
      const b = yield* Effect.fork(r.take)
      yield* Effect.yieldNow()
      r.end(failure)
      expect(yield* Fiber.await(a)).toStrictEqual(Exit.fail("closed 1"))
      expect(yield* Fiber.await(b)).toStrictEqual(Exit.fail("closed 2"))
      expect(made).toBe(2)
    }))
})
