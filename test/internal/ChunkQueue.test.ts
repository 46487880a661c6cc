/**
 * The queue behind a connection's `read`: items in order, each to one
 * reader; the end (or failure) seen after the last item; parked readers
 * woken by offers and by the end; interrupted readers forgotten without
 * losing an item.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Option } from "effect"
import { ChunkQueue } from "../../src/internal/ChunkQueue.js"

/** What a connection's read does: take one item, or the end, or wait and look again. */
const read = <A, E>(q: ChunkQueue<A, E>): Effect.Effect<Option.Option<A>, E> =>
  Effect.suspend(() => {
    const item = q.take()
    if (item !== undefined) return Effect.succeed(Option.some(item))
    const end = q.end
    if (end === undefined) return Effect.flatMap(q.wait(), () => read(q))
    return Exit.isSuccess(end) ? Effect.succeed(Option.none()) : Effect.flatMap(end, () => Effect.succeed(Option.none()))
  })

describe("ChunkQueue", () => {
  it("hands items out in order, one at a time or all at once", () => {
    const q = new ChunkQueue<number, string>()
    expect(q.take()).toBeUndefined()
    expect(q.takeAll()).toEqual([])
    q.offerAll([1, 2])
    q.offerAll([3])
    q.offerAll([])
    expect(q.size).toBe(3)
    expect(q.take()).toBe(1)
    expect(q.size).toBe(2)
    expect(q.takeAll()).toEqual([2, 3])
    expect(q.size).toBe(0)
    q.offerAll([4, 5])
    expect(q.take()).toBe(4)
    q.offerAll([6])
    expect(q.takeAll()).toEqual([5, 6])
  })

  it("ends once: items queued before the end come first, offers after it are dropped", () => {
    const q = new ChunkQueue<number, string>()
    q.offerAll([1, 2])
    expect(q.done(Exit.fail("reset"))).toBe(true)
    expect(q.done(Exit.void)).toBe(false) // the first outcome stays
    q.offerAll([3])
    expect(q.isDone).toBe(true)
    expect(q.end).toBeUndefined() // items are still queued
    expect(q.take()).toBe(1)
    expect(q.take()).toBe(2)
    expect(q.take()).toBeUndefined()
    expect(q.end).toStrictEqual(Exit.fail("reset"))
  })

  it.effect("a parked reader wakes for an offer, and for the end", () =>
    Effect.gen(function*() {
      const q = new ChunkQueue<number, string>()
      const a = yield* Effect.fork(read(q))
      yield* Effect.yieldNow()
      expect(q.parked).toBe(1)
      expect(a.unsafePoll()).toBeNull()
      q.offerAll([7])
      expect(yield* Fiber.join(a)).toStrictEqual(Option.some(7))
      const b = yield* Effect.fork(read(q))
      yield* Effect.yieldNow()
      q.done(Exit.fail("timed out"))
      expect(yield* Fiber.await(b)).toStrictEqual(Exit.fail("timed out"))
    }))

  it.effect("two parked readers share the items: each once, none lost", () =>
    Effect.gen(function*() {
      const q = new ChunkQueue<number, never>()
      const a = yield* Effect.fork(read(q))
      const b = yield* Effect.fork(read(q))
      yield* Effect.yieldNow()
      expect(q.parked).toBe(2)
      q.offerAll([1]) // both wake; one takes it, the other parks again
      yield* Effect.yieldNow()
      expect(q.parked).toBe(1)
      q.offerAll([2])
      const got = [yield* Fiber.join(a), yield* Fiber.join(b)].map(Option.getOrThrow).sort()
      expect(got).toEqual([1, 2])
      expect(q.size).toBe(0)
    }))

  it.effect("an interrupted reader is forgotten when another parks, and takes nothing", () =>
    Effect.gen(function*() {
      const q = new ChunkQueue<number, never>()
      const a = yield* Effect.fork(read(q))
      yield* Effect.yieldNow()
      yield* Fiber.interrupt(a)
      expect(q.parked).toBe(1) // no canceler: the entry stays until someone looks
      expect(q.waiting).toBe(false) // but nobody waits (tcp/Delivery.ts asks)
      const b = yield* Effect.fork(read(q))
      yield* Effect.yieldNow()
      expect(q.parked).toBe(1) // a's entry went when b parked
      expect(q.waiting).toBe(true)
      q.offerAll([9])
      expect(yield* Fiber.join(b)).toStrictEqual(Option.some(9))
      expect(Exit.isInterrupted(yield* Fiber.await(a))).toBe(true)
    }))

  it.effect("a reader interrupted while an item waits for it leaves the item to the next reader", () =>
    Effect.gen(function*() {
      const q = new ChunkQueue<number, never>()
      const a = yield* Effect.fork(read(q))
      yield* Effect.yieldNow()
      q.offerAll([5]) // a is woken, but interrupted before it runs
      yield* Fiber.interrupt(a)
      expect(q.size).toBe(1)
      expect(yield* read(q)).toStrictEqual(Option.some(5))
    }))
})
