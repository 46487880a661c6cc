/**
 * How the operating system schedules the process that runs the stack: an
 * optional real-time priority (`gonet up --realtime PRIO`), held for the life
 * of a scope.
 *
 * Contract
 * - `realtime(priority)` moves every thread the process has (the Node main
 *   thread, which runs every fiber of the stack and does the TAP's reads and
 *   writes, and V8's helper threads) to `SCHED_FIFO` at `priority` 1..99, and
 *   back to `SCHED_OTHER` when the scope closes. Threads and processes
 *   created later (the libuv pool, children) keep the normal policy: the
 *   addon sets `SCHED_RESET_ON_FORK`.
 * - Errors are `SchedulingError`s: `NotPermitted` (a real-time priority
 *   needs root, CAP_SYS_NICE or an RLIMIT_RTPRIO that allows it),
 *   `InvalidPriority`, `Unsupported` (not Linux, or the addon is not built), `Io`.
 *
 * Why (bench/README.md has the runs)
 * - The kernel does its own packet work in softirq context, ahead of every
 *   process. A user-space stack under the fair scheduler competes with the
 *   processes it serves instead: with 1000 `ping` processes on 2 vCPUs its
 *   main thread waited 0.3-0.5 ms in the run queue per wake-up and the mean
 *   RTT was 21-370 ms; at SCHED_FIFO, 0.15-0.24 ms.
 * - Every thread, not the main thread alone: the main thread waits for V8's
 *   helpers (parallel scavenges). Raising only the main thread left them
 *   behind the 1000 pings, a priority inversion: mean 24-31 ms, p99 201-409 ms.
 * - Safety: the kernel's real-time throttling (`sched_rt_runtime_us`, 95 %
 *   of each period by default) still leaves the rest of the machine its share
 *   if a thread ever spins.
 *
 * @since 0.1.0
 */
import { Data, Effect, type Scope } from "effect"
import * as TapAddon from "./link/TapAddon.js"

/**
 * Why a scheduling setting could not be applied.
 * @category errors
 */
export class SchedulingError extends Data.TaggedError("SchedulingError")<{
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

const toSchedulingError = (e: unknown, hint: string): SchedulingError => {
  const message = TapAddon.oneLine(e)
  switch (TapAddon.codeOf(e)) {
    case "EPERM":
    case "EACCES":
      return new SchedulingError({ reason: "NotPermitted", detail: `${message} (${hint})` })
    case "EINVAL":
      return new SchedulingError({ reason: "InvalidPriority", detail: message })
    case "ENOTSUP":
      return new SchedulingError({ reason: "Unsupported", detail: message })
    default:
      return new SchedulingError({ reason: "Io", detail: message })
  }
}

const addon: Effect.Effect<TapAddon.TapNative, SchedulingError> = TapAddon.load.pipe(
  Effect.mapError((e) => new SchedulingError({ reason: "Unsupported", detail: e.detail }))
)

/** Call the addon; `hint` says what to do when the kernel refuses. */
const call = <A>(f: (native: TapAddon.TapNative) => A, hint: string): Effect.Effect<A, SchedulingError> =>
  Effect.flatMap(addon, (native) => Effect.try({ try: () => f(native), catch: (e) => toSchedulingError(e, hint) }))

const setPriority = (priority: number) =>
  call(
    (native) => native.setRealtime(priority),
    `run as root, grant CAP_SYS_NICE, or raise RLIMIT_RTPRIO to ${priority}`
  )

/**
 * The calling thread's scheduling policy and priority.
 * @category getters
 */
export const current: Effect.Effect<Scheduler, SchedulingError> = call(
  (native) => native.getScheduler(),
  "reading one's own policy needs no privilege"
)

/**
 * Run the process's threads at SCHED_FIFO `priority` until the scope closes,
 * then at SCHED_OTHER again.
 * @category constructors
 */
export const realtime = (priority: number): Effect.Effect<void, SchedulingError, Scope.Scope> =>
  isPriority(priority)
    ? Effect.acquireRelease(
      setPriority(priority),
      // Leaving SCHED_FIFO for SCHED_OTHER lowers the priority, which is
      // always allowed; should it fail anyway, the process is ending.
      () => Effect.ignore(setPriority(0))
    )
    : Effect.fail(
      new SchedulingError({
        reason: "InvalidPriority",
        detail: `real-time priority ${priority} is not an integer ${MIN_PRIORITY}..${MAX_PRIORITY}`
      })
    )
