/**
 * TestClock helpers (DESIGN.md §3: `TestClock.adjust` does not wait for a
 * fiber to reach its sleep, so wait for the timer to be registered first).
 */
import { Duration, Effect, Fiber, TestClock } from "effect"

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

/** Let every runnable fiber run (a bounded number of yields). */
export const settle = Effect.gen(function*() {
  for (let i = 0; i < 50; i++) yield* Effect.yieldNow()
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
