/**
 * What a test that expects a failure reads: the error, never the success
 * value. `Effect.flip` would make a success the test's error, and vitest
 * prints an error whole: a Connection, a socket or an HTTP response, with
 * their fibers and buffers, took the main process minutes at full CPU to
 * print, and the file hung instead of failing.
 */
import { Effect, Either } from "effect"

/** The error `effect` fails with; a short defect, its value left unprinted, if it succeeds. */
export const failureOf = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<E, never, R> =>
  Effect.flatMap(
    Effect.either(effect),
    (r) => (Either.isLeft(r) ? Effect.succeed(r.left) : Effect.dieMessage("succeeded where a failure was expected"))
  )
