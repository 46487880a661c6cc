/**
 * The doorbell inbox of a connection's halves: a message offered while the
 * consumer is busy is taken at its next `takeAll` without parking; many
 * offers make one wake-up; an interrupted parked consumer loses no message;
 * the end (done, failure, shutdown) wakes the consumer so its loop ends.
 */
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Exit, Fiber, Option } from "effect"
import { Inbox } from "../../src/internal/Inbox.js"

/** The consumer loop of a connection half: every wake-up's messages as one batch, until done. */
const consume = <A, E>(inbox: Inbox<A, E>, batches: Array<ReadonlyArray<A>>): Effect.Effect<void, E> => {
  const loop = (): Effect.Effect<void, E> =>
    Effect.flatMap(inbox.takeAll(), ([messages, done]) => {
      if (Chunk.size(messages) > 0) batches.push(Chunk.toReadonlyArray(messages))
      return done ? Effect.void : loop()
    })
  return Effect.suspend(loop)
}

/** Let forked fibers run until they park (a few scheduler rounds). */
const settle = Effect.repeatN(Effect.yieldNow(), 4)

/** An inbox with a consumer forked on it and parked: what each case starts from. */
const parkedConsumer = <A, E = never>(options?: Parameters<typeof Inbox.make>[0]) =>
  Effect.gen(function*() {
    const inbox = yield* Inbox.make<A, E>(options)
    const batches: Array<ReadonlyArray<A>> = []
    const fiber = yield* Effect.fork(consume(inbox, batches))
    yield* settle
    expect(inbox.isParked).toBe(true)
    return { inbox, batches, fiber }
  })

describe("Inbox", () => {
  it.effect("a message offered while the consumer is busy is taken at its next takeAll, without parking", () =>
    Effect.gen(function*() {
      const inbox = yield* Inbox.make<number>()
      const batches: Array<ReadonlyArray<number>> = []
      let offeredWhileBusy = false
      // a consumer that, while handling its first batch, is sent another message (a ring with nobody parked)
      const loop = (): Effect.Effect<void> =>
        Effect.flatMap(inbox.takeAll(), ([messages, done]) => {
          batches.push(Chunk.toReadonlyArray(messages))
          if (!offeredWhileBusy) {
            offeredWhileBusy = true
            inbox.unsafeOffer(2)
            expect(inbox.isParked).toBe(false)
          }
          return done ? Effect.void : loop()
        })
      const fiber = yield* Effect.fork(Effect.suspend(loop))
      yield* settle
      expect(inbox.isParked).toBe(true)
      inbox.unsafeOffer(1)
      yield* settle
      // the second message was seen without another ring: the consumer took it, and only then parked
      expect(batches).toEqual([[1], [2]])
      expect(inbox.isParked).toBe(true)
      inbox.unsafeDone(Exit.void)
      yield* Fiber.join(fiber)
    }))

  it.effect("messages queued before the consumer starts are taken at once, in order", () =>
    Effect.gen(function*() {
      const inbox = yield* Inbox.make<number>()
      inbox.unsafeOffer(1)
      inbox.unsafeOffer(2)
      inbox.unsafeDone(Exit.void)
      const batches: Array<ReadonlyArray<number>> = []
      yield* consume(inbox, batches)
      expect(batches).toEqual([[1, 2]])
    }))

  it.effect("many offers to a parked consumer make one wake-up with all of them", () =>
    Effect.gen(function*() {
      const { batches, fiber, inbox } = yield* parkedConsumer<number>()
      for (let i = 0; i < 100; i++) inbox.unsafeOffer(i)
      expect(inbox.isParked).toBe(false) // the first ring emptied the slot; the others only queued
      yield* settle
      expect(batches).toEqual([Array.from({ length: 100 }, (_, i) => i)])
      expect(inbox.isParked).toBe(true)
      inbox.unsafeDone(Exit.void)
      yield* Fiber.join(fiber)
    }))

  it.effect("a bounded, dropping inbox drops past its capacity and still wakes its consumer", () =>
    Effect.gen(function*() {
      const { batches, fiber, inbox } = yield* parkedConsumer<number>({ capacity: 2, strategy: "dropping" })
      expect([1, 2, 3].map((i) => inbox.unsafeOffer(i))).toEqual([true, true, false])
      yield* settle
      expect(batches).toEqual([[1, 2]])
      inbox.unsafeDone(Exit.void)
      yield* Fiber.join(fiber)
    }))

  it.effect("interrupting the parked consumer is safe: the stale ring is ignored, no message is lost", () =>
    Effect.gen(function*() {
      const { batches: first, fiber: a, inbox } = yield* parkedConsumer<number>()
      expect(Exit.isInterrupted(yield* Fiber.interrupt(a))).toBe(true)
      inbox.unsafeOffer(1) // rings the interrupted fiber's resume: ignored
      yield* settle
      expect(first).toEqual([])
      expect(inbox.unsafeSize()).toStrictEqual(Option.some(1))
      // a next consumer finds the message
      const second: Array<ReadonlyArray<number>> = []
      const b = yield* Effect.fork(consume(inbox, second))
      yield* settle
      inbox.unsafeOffer(2)
      yield* settle
      expect(second).toEqual([[1], [2]])
      inbox.unsafeDone(Exit.void)
      yield* Fiber.join(b)
    }))

  it.effect("done wakes the parked consumer, which ends; offers after it are dropped", () =>
    Effect.gen(function*() {
      const { batches, fiber, inbox } = yield* parkedConsumer<number>()
      expect(inbox.unsafeDone(Exit.void)).toBe(true)
      expect(yield* Fiber.await(fiber)).toStrictEqual(Exit.void)
      expect(batches).toEqual([])
      expect(inbox.unsafeOffer(1)).toBe(false) // offers after the end are dropped
    }))

  it.effect("a failure ends the parked consumer with it", () =>
    Effect.gen(function*() {
      const { fiber, inbox } = yield* parkedConsumer<number, string>()
      inbox.unsafeDone(Exit.fail("reset"))
      expect(yield* Fiber.await(fiber)).toStrictEqual(Exit.fail("reset"))
    }))

  it.effect("shutdown wakes the parked consumer, which ends", () =>
    Effect.gen(function*() {
      const { batches, fiber, inbox } = yield* parkedConsumer<number>()
      yield* inbox.shutdown
      expect(yield* Fiber.await(fiber)).toStrictEqual(Exit.void)
      expect(batches).toEqual([])
      expect(inbox.unsafeSize()).toStrictEqual(Option.none())
    }))

  it.effect("end wakes the parked consumer, which takes what is queued and ends (a link closing)", () =>
    Effect.gen(function*() {
      const { batches, fiber, inbox } = yield* parkedConsumer<number>()
      expect(yield* inbox.end).toBe(true)
      expect(yield* Fiber.await(fiber)).toStrictEqual(Exit.void)
      expect(batches).toEqual([])
      expect(yield* inbox.size).toStrictEqual(Option.none())
    }))

  it.effect("take, size and clear go to the Mailbox itself: one at a time, in order, nothing lost", () =>
    Effect.gen(function*() {
      const inbox = yield* Inbox.make<number>()
      // a taker waiting in the Mailbox's own take is completed by an offer, no doorbell involved
      const taker = yield* Effect.fork(inbox.take)
      yield* settle
      expect(inbox.isParked).toBe(false)
      inbox.unsafeOffer(1)
      expect(yield* Fiber.join(taker)).toBe(1)
      inbox.unsafeOffer(2)
      inbox.unsafeOffer(3)
      expect(yield* inbox.size).toStrictEqual(Option.some(2))
      expect(yield* inbox.take).toBe(2)
      expect(Chunk.toReadonlyArray(yield* inbox.clear)).toEqual([3])
      expect(yield* inbox.size).toStrictEqual(Option.some(0))
    }))
})
