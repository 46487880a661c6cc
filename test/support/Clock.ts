/**
 * TestClock helpers (DESIGN.md §3: `TestClock.adjust` does not wait for a
 * fiber to reach its sleep, so wait for the timer to be registered first),
 * and `boundedWait`, which makes a wait that can never end under a TestClock
 * nobody advances fail at once instead of at the runner's timeout.
 */
import { Cause, Clock, Duration, Effect, Fiber, Option, TestClock } from "effect"
import * as Trampoline from "../../src/internal/Trampoline.js"

/** Yield until at least `n` sleeps are registered with the TestClock. */
export const awaitSleeps = (n = 1) =>
  Effect.gen(function*() {
    for (let i = 0; i < 10_000; i++) {
      const sleeps = yield* TestClock.sleeps()
      if (sleeps.length >= n) return
      yield* Effect.yieldNow()
    }
    return yield* Effect.dieMessage(`no ${n} sleeps registered`)
  })

/**
 * Let every runnable fiber run (a bounded number of yields), and, where the stack's runner gave the
 * event loop its turn meanwhile (src/internal/Trampoline.ts: every HAND_OFFS_PER_TURN tasks, the next
 * ones wait for a `setImmediate`), that turn too, then yield again: yields alone are microtasks and
 * never reach it, and a test whose settle fell on such a turn read its counts before the segments
 * were in (counted across a file's tests, so a change elsewhere in the file moved it onto another test).
 */
export const settle = Effect.gen(function*() {
  for (let turn = 0; turn < 4; turn++) {
    for (let i = 0; i < 50; i++) yield* Effect.yieldNow()
    if (!Trampoline.awaitsTurn()) return
    yield* Effect.promise(() => new Promise<void>((resolve) => setImmediate(resolve)))
  }
})

/**
 * Run `effect` in a fiber while advancing the TestClock in `step`s until it
 * ends (at most `limit` of virtual time); returns its exit.
 */
export const runAdvancing = <A, E, R>(
  effect: Effect.Effect<A, E, R>,
  step: Duration.DurationInput = "10 millis",
  limit: Duration.DurationInput = "10 minutes"
) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(effect)
    const steps = Math.ceil(Duration.toMillis(limit) / Duration.toMillis(step))
    for (let i = 0; i < steps; i++) {
      yield* settle
      const done = yield* Fiber.poll(fiber)
      if (done._tag === "Some") return done.value
      yield* TestClock.adjust(step)
    }
    return yield* Effect.dieMessage("runAdvancing: limit reached")
  })

/**
 * Run `effect` in a fiber under the TestClock as a discrete-event
 * simulation until it ends: whenever every fiber has settled, jump straight
 * to the earliest registered sleep (a retransmission deadline, a link's
 * delay line), so virtual time that nothing happens in costs no real time.
 * `effect` dies when nothing is left to wake it, or past `limit` of virtual
 * time. Returns its exit and the virtual time it took.
 */
export const runToEnd = <A, E, R>(
  effect: Effect.Effect<A, E, R>,
  limit: Duration.DurationInput = "1 hour"
) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(effect)
    const start = yield* Clock.currentTimeMillis
    const end = start + Duration.toMillis(limit)
    for (;;) {
      yield* settle
      const done = yield* Fiber.poll(fiber)
      const now = yield* Clock.currentTimeMillis
      if (done._tag === "Some") return { exit: done.value, elapsed: now - start }
      const sleeps = yield* TestClock.sleeps()
      if (sleeps.length === 0) return yield* Effect.dieMessage("runToEnd: nothing left to wake the effect")
      let next = Number.POSITIVE_INFINITY
      for (const at of sleeps) next = Math.min(next, at)
      if (next > end) return yield* Effect.dieMessage("runToEnd: limit reached")
      // to the sleep's instant exactly: `adjust(next - now)` can stop a rounding error short of a
      // fractional deadline (a bottleneck's departure times), and that sleep would never wake
      yield* (next > now ? TestClock.setTime(next) : TestClock.adjust(0))
    }
  })

/**
 * Yields `boundedWait` allows with the TestClock standing still. More than
 * any test spends between two `TestClock.adjust`s (`awaitSleeps` gives up
 * after 10 000), and still only a fraction of a second of real time.
 */
export const STALL_YIELDS = 100_000

/** Under the live clock, `boundedWait` gives up after this much real time. */
export const LIVE_WAIT_LIMIT = Duration.seconds(10)

/** The current Clock when it is a TestClock. */
const currentTestClock: Effect.Effect<Option.Option<TestClock.TestClock>> = Effect.clockWith((clock) =>
  Effect.succeed(
    "adjust" in clock && "sleeps" in clock ? Option.some(clock as unknown as TestClock.TestClock) : Option.none()
  )
)

/** Dies with `message` once virtual time has stood still for `limit` yields in a row. */
const stall = (message: string, limit: number) =>
  Effect.gen(function*() {
    let last = yield* Clock.currentTimeNanos
    let still = 0
    while (still < limit) {
      yield* Effect.yieldNow()
      const now = yield* Clock.currentTimeNanos
      if (now === last) still++
      else {
        last = now
        still = 0
      }
    }
    return yield* Effect.dieMessage(
      `${message}: still waiting after ${limit} yields with the TestClock standing still ` +
        "(what needs virtual time to pass needs TestClock.adjust)"
    )
  })

/**
 * `effect`, a wait, bounded so that a test waiting for what never comes
 * fails fast with `what` in the message. Under a TestClock virtual time does
 * not pass by itself: the wait dies once the clock has stood still for
 * `limit` yields in a row, while a wait that some other fiber keeps alive by
 * advancing the TestClock goes on. Under the live clock it dies after
 * `LIVE_WAIT_LIMIT`.
 */
export const boundedWait = <A, E, R>(effect: Effect.Effect<A, E, R>, what: string, limit = STALL_YIELDS) =>
  Effect.flatMap(currentTestClock, (testClock) =>
    Option.isSome(testClock)
      // disconnected: a wait stuck in an uninterruptible region must not hold the failure up
      ? Effect.raceFirst(Effect.disconnect(effect), stall(what, limit))
      : Effect.timeoutFailCause(Effect.disconnect(effect), {
        duration: LIVE_WAIT_LIMIT,
        onTimeout: () => Cause.die(new Error(`${what}: nothing came within ${Duration.format(LIVE_WAIT_LIMIT)}`))
      }))
