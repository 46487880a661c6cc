/**
 * Waiting on the real world in tests that talk to the Linux kernel (which
 * runs on wall-clock time): bounded retries, never an assertion on duration.
 */
import { Duration, Effect } from "effect"

/** Re-run `check` until `ok`, at most 100 times 100 ms apart; then fail saying `what` and the last value. */
export const eventually = <A, E>(check: Effect.Effect<A, E>, ok: (a: A) => boolean, what: string) =>
  Effect.gen(function*() {
    let last: A | undefined
    for (let i = 0; i < 100; i++) {
      last = yield* check
      if (ok(last)) return last
      yield* Effect.sleep(Duration.millis(100))
    }
    return yield* Effect.fail(new Error(`${what}: still not the case, last: ${JSON.stringify(last)}`))
  })
