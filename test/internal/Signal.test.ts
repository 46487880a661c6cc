/**
 * The one-shot completion behind a connection's handshake and close: every
 * waiter, before or after, sees the one outcome; an interrupted waiter is
 * forgotten.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Fiber } from "effect"
import { Signal } from "../../src/internal/Signal.js"

describe("Signal", () => {
  it.effect("wakes every waiter with the outcome, and later waiters see it at once", () =>
    Effect.gen(function*() {
      const s = new Signal<string>()
      const a = yield* Effect.fork(s.wait())
      const b = yield* Effect.fork(s.wait())
      yield* Effect.yieldNow()
      expect(s.isDone).toBe(false)
      expect(a.unsafePoll()).toBeNull()
      expect(s.unsafeDone(Exit.fail("reset"))).toBe(true)
      expect(s.unsafeDone(Exit.void)).toBe(false) // once only: the first outcome stays
      expect(yield* Fiber.await(a)).toStrictEqual(Exit.fail("reset"))
      expect(yield* Fiber.await(b)).toStrictEqual(Exit.fail("reset"))
      expect(yield* Effect.exit(s.wait())).toStrictEqual(Exit.fail("reset"))
    }))

  it.effect("succeeds when done with success", () =>
    Effect.gen(function*() {
      const s = new Signal()
      const a = yield* Effect.fork(s.wait())
      yield* Effect.yieldNow()
      s.unsafeDone(Exit.void)
      expect(yield* Fiber.await(a)).toStrictEqual(Exit.void)
    }))

  it.effect("an interrupted waiter is removed and not resumed", () =>
    Effect.gen(function*() {
      const s = new Signal()
      const a = yield* Effect.fork(s.wait())
      const b = yield* Effect.fork(s.wait())
      yield* Effect.yieldNow()
      yield* Fiber.interrupt(a)
      expect((s as unknown as { waiters: Array<unknown> }).waiters).toHaveLength(1)
      s.unsafeDone(Exit.void)
      expect(Exit.isInterrupted(yield* Fiber.await(a))).toBe(true)
      expect(yield* Fiber.await(b)).toStrictEqual(Exit.void)
    }))

  it.effect("settle makes a signal only when needed: a success nobody waited for is one shared done signal", () =>
    Effect.gen(function*() {
      const a = Signal.settle<string>(undefined, Exit.void)
      const b = Signal.settle<string>(undefined, Exit.void)
      expect(a).toBe(b)
      expect(a.isDone).toBe(true)
      expect(Signal.settle(a, Exit.fail("late"))).toBe(a) // done once: the failure changes nothing
      expect(yield* Effect.exit(a.wait())).toStrictEqual(Exit.void)
      const failed = Signal.settle<string>(undefined, Exit.fail("refused"))
      expect(failed).not.toBe(a)
      expect(yield* Effect.exit(failed.wait())).toStrictEqual(Exit.fail("refused"))
      // an existing signal is completed, and its waiter woken
      const s = new Signal<string>()
      const w = yield* Effect.fork(s.wait())
      yield* Effect.yieldNow()
      expect(Signal.settle(s, Exit.fail("reset"))).toBe(s)
      expect(yield* Fiber.await(w)).toStrictEqual(Exit.fail("reset"))
    }))

  it.effect("waitAs: the value on success, the failure as it is, before or after the outcome", () =>
    Effect.gen(function*() {
      const s = new Signal<string>()
      let interrupted = 0
      const a = yield* Effect.fork(s.waitAs(42, Effect.sync(() => interrupted++)))
      yield* Effect.yieldNow()
      expect(a.unsafePoll()).toBeNull()
      s.unsafeDone(Exit.void)
      expect(yield* Fiber.await(a)).toStrictEqual(Exit.succeed(42))
      expect(yield* Effect.exit(s.waitAs("later", Effect.sync(() => interrupted++)))).toStrictEqual(Exit.succeed("later"))
      const f = new Signal<string>()
      const b = yield* Effect.fork(f.waitAs(42, Effect.sync(() => interrupted++)))
      yield* Effect.yieldNow()
      f.unsafeDone(Exit.fail("refused"))
      expect(yield* Fiber.await(b)).toStrictEqual(Exit.fail("refused"))
      expect(yield* Effect.exit(f.waitAs(42, Effect.sync(() => interrupted++)))).toStrictEqual(Exit.fail("refused"))
      expect(interrupted).toBe(0)
    }))

  it.effect("waitAs: an interrupted waiter runs onInterrupt once, is removed, and is not resumed", () =>
    Effect.gen(function*() {
      const s = new Signal()
      let interrupted = 0
      const a = yield* Effect.fork(s.waitAs("a", Effect.sync(() => interrupted++)))
      const b = yield* Effect.fork(s.waitAs("b", Effect.sync(() => interrupted += 10)))
      yield* Effect.yieldNow()
      yield* Fiber.interrupt(a)
      expect(interrupted).toBe(1)
      expect((s as unknown as { waiters: Array<unknown> }).waiters).toHaveLength(1)
      s.unsafeDone(Exit.void)
      expect(Exit.isInterrupted(yield* Fiber.await(a))).toBe(true)
      expect(yield* Fiber.await(b)).toStrictEqual(Exit.succeed("b"))
      // (done: interrupting a waiter that has its outcome runs nothing)
      expect(interrupted).toBe(1)
    }))
})
