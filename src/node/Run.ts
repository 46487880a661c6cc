/**
 * Running the stack's effects from Node callback code: the adapters' one
 * bridge between a program's event-loop world and the stack's fibers.
 *
 * @since 0.1.0
 */
import { Cause, Chunk, Exit, type Fiber, Option, Runtime } from "effect"
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

/**
 * Run `effect` on `runtime` in the caller's own call, as far as it goes
 * without waiting: its exit when it completed there, or, when it had to
 * wait, the fiber that goes on with it. What Node does in a call that the
 * kernel can complete at once (a write the socket buffer takes, a bind)
 * completes in the call here too; only what must wait goes on later.
 */
export const runNow = <A, E, R>(
  runtime: Runtime.Runtime<R>,
  effect: Effect.Effect<A, E, R>
): { readonly _tag: "Done"; readonly exit: Exit.Exit<A, E> } | { readonly _tag: "Waiting"; readonly fiber: Fiber.RuntimeFiber<A, E> } => {
  const exit = Runtime.runSyncExit(runtime)(effect)
  if (Exit.isFailure(exit)) {
    const waiting = Cause.defects(exit.cause).pipe(Chunk.findFirst(Runtime.isAsyncFiberException))
    if (Option.isSome(waiting)) return { _tag: "Waiting", fiber: waiting.value.fiber as Fiber.RuntimeFiber<A, E> }
  }
  return { _tag: "Done", exit }
}

/**
 * Run `f` when `signal` aborts (on the next tick when it already has); `until` gets the function
 * that takes the listener off, for when its owner closes.
 */
export const onAbort = (signal: AbortSignal, f: () => void, until: (off: () => void) => void): void => {
  if (signal.aborted) {
    process.nextTick(f)
    return
  }
  signal.addEventListener("abort", f, { once: true })
  until(() => signal.removeEventListener("abort", f))
}
