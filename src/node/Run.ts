/**
 * Running the stack's effects from Node callback code: the adapters' one
 * bridge between a program's event-loop world and the stack's fibers.
 *
 * @since 0.1.0
 */
import { Cause, Exit, type Fiber, Option, Runtime } from "effect"
import type { Effect } from "effect"

/**
 * Run `effect` on `runtime`; `onExit` runs after, on the next tick, outside
 * the fiber. A defect (a program's event handler that threw inside one of
 * our fibers) is thrown again on the next tick, where Node would have thrown
 * it: an uncaught exception, not a silently dead fiber.
 */
export const runOn = <A, E, R>(
  runtime: Runtime.Runtime<R>,
  effect: Effect.Effect<A, E, R>,
  onExit?: (exit: Exit.Exit<A, E>) => void
): Fiber.RuntimeFiber<A, E> => {
  const fiber = Runtime.runFork(runtime)(effect)
  fiber.addObserver((exit) => {
    if (Exit.isFailure(exit)) {
      const [first] = Cause.defects(exit.cause)
      if (first !== undefined) {
        process.nextTick(() => {
          throw first
        })
        return
      }
    }
    if (onExit !== undefined) process.nextTick(onExit, exit)
  })
  return fiber
}

/** The typed failure of an exit, if it failed with one (not an interruption or defect). */
export const failureOf = <E>(exit: Exit.Exit<unknown, E>): Option.Option<E> =>
  Exit.isFailure(exit) ? Cause.failureOption(exit.cause) : Option.none()
