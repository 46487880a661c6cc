/**
 * Real-time scheduling for the process that runs the stack.
 *
 * Contract
 * - `scoped(priority)` moves every thread the process has (the Node main
 *   thread, which runs every fiber of the stack and does the TAP's reads and
 *   writes, and V8's helper threads) to `SCHED_FIFO` at `priority` 1..99 for
 *   the life of the scope, and back to `SCHED_OTHER` when the scope closes.
 *   Threads and processes created later (the libuv pool, children) keep the
 *   normal policy: the addon sets `SCHED_RESET_ON_FORK`.
 * - Why: the kernel does its own packet work in softirq context, ahead of
 *   every process. A user-space stack under the fair scheduler competes with
 *   the processes it serves instead: with 1000 `ping` processes on 2 vCPUs its
 *   main thread waited 0.3-0.5 ms in the run queue per wake-up and the mean
 *   RTT was 96-307 ms (bench/README.md).
 * - Why every thread: the main thread waits for V8's helpers (parallel
 *   scavenges). Raising the main thread alone left them behind the 1000
 *   pings, a priority inversion: mean 24-31 ms, p99 201-409 ms.
 * - Safety: the kernel's real-time throttling (`sched_rt_runtime_us`, 95 %
 *   of each period by default) still leaves the rest of the machine its share
 *   if a thread ever spins.
 * - Errors are `RealtimeError`s: `NotPermitted` (needs root, CAP_SYS_NICE or
 *   an RLIMIT_RTPRIO that allows the priority), `InvalidPriority`,
 *   `Unsupported` (not Linux, or the addon is not built) and `Io`.
 *
 * @since 0.1.0
 */
import { Data, Effect, type Scope } from "effect"
import * as TapAddon from "./TapAddon.js"

/**
 * Why the scheduling policy could not be set.
 * @category errors
 */
export class RealtimeError extends Data.TaggedError("RealtimeError")<{
  readonly reason: "NotPermitted" | "InvalidPriority" | "Unsupported" | "Io"
  readonly detail: string
}> {
  override get message(): string {
    return this.detail
  }
}

/** Lowest and highest SCHED_FIFO priority on Linux. @category constants */
export const MIN_PRIORITY = 1
/** @category constants */
export const MAX_PRIORITY = 99

/**
 * Whether `priority` is a SCHED_FIFO priority Linux accepts.
 * @category predicates
 */
export const isPriority = (priority: number): boolean =>
  Number.isInteger(priority) && priority >= MIN_PRIORITY && priority <= MAX_PRIORITY

/** The calling thread's policy, as the kernel reports it. @category models */
export type Scheduler = ReturnType<TapAddon.TapNative["getScheduler"]>

const toRealtimeError = (e: unknown, priority: number): RealtimeError => {
  const code = typeof e === "object" && e !== null ? (e as { code?: unknown }).code : undefined
  const message = e instanceof Error ? e.message : String(e)
  switch (code) {
    case "EPERM":
    case "EACCES":
      return new RealtimeError({
        reason: "NotPermitted",
        detail: `${message} (run as root, grant CAP_SYS_NICE, or raise RLIMIT_RTPRIO to ${priority})`
      })
    case "EINVAL":
      return new RealtimeError({ reason: "InvalidPriority", detail: message })
    case "ENOTSUP":
      return new RealtimeError({ reason: "Unsupported", detail: message })
    default:
      return new RealtimeError({ reason: "Io", detail: message })
  }
}

const addon: Effect.Effect<TapAddon.TapNative, RealtimeError> = TapAddon.load.pipe(
  Effect.mapError((e) => new RealtimeError({ reason: "Unsupported", detail: e.detail }))
)

const setPriority = (native: TapAddon.TapNative, priority: number): Effect.Effect<void, RealtimeError> =>
  Effect.try({ try: () => native.setRealtime(priority), catch: (e) => toRealtimeError(e, priority) })

/**
 * The calling thread's scheduling policy and priority.
 * @category getters
 */
export const current: Effect.Effect<Scheduler, RealtimeError> = Effect.flatMap(addon, (native) =>
  Effect.try({ try: () => native.getScheduler(), catch: (e) => toRealtimeError(e, 0) }))

/**
 * Run the process's threads at SCHED_FIFO `priority` until the scope closes,
 * then at SCHED_OTHER again.
 * @category constructors
 */
export const scoped = (priority: number): Effect.Effect<void, RealtimeError, Scope.Scope> =>
  isPriority(priority)
    ? Effect.flatMap(addon, (native) =>
      Effect.acquireRelease(
        setPriority(native, priority),
        // Leaving SCHED_FIFO for SCHED_OTHER lowers the priority, which is
        // always allowed; should it fail anyway, the process is ending.
        () => Effect.ignore(setPriority(native, 0))
      ))
    : Effect.fail(
      new RealtimeError({
        reason: "InvalidPriority",
        detail: `real-time priority ${priority} is not an integer ${MIN_PRIORITY}..${MAX_PRIORITY}`
      })
    )
