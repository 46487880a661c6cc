/**
 * How the operating system schedules the process that runs the stack: a
 * real-time priority and a CPU of its own. Both are optional, process-level
 * settings (`gonet up --realtime PRIO --cpu N`), held for the life of a scope.
 *
 * Contract
 * - `realtime(priority)` moves every thread the process has (the Node main
 *   thread, which runs every fiber of the stack and does the TAP's reads and
 *   writes, and V8's helper threads) to `SCHED_FIFO` at `priority` 1..99, and
 *   back to `SCHED_OTHER` when the scope closes. Threads and processes
 *   created later (the libuv pool, children) keep the normal policy: the
 *   addon sets `SCHED_RESET_ON_FORK`.
 * - `pin(cpus)` lets the main thread run on those CPUs only, and restores the
 *   mask it had when the scope closes. Threads it creates meanwhile inherit
 *   the mask.
 * - Errors are `SchedulingError`s: `NotPermitted` (a real-time priority
 *   needs root, CAP_SYS_NICE or an RLIMIT_RTPRIO that allows it),
 *   `InvalidPriority`, `InvalidCpu` (not a CPU number, or none of them online
 *   and allowed), `Unsupported` (not Linux, or the addon is not built), `Io`.
 *
 * Why (bench/README.md has the runs)
 * - The kernel does its own packet work in softirq context, ahead of every
 *   process. A user-space stack under the fair scheduler competes with the
 *   processes it serves instead: with 1000 `ping` processes on 2 vCPUs its
 *   main thread waited 0.3-0.5 ms in the run queue per wake-up and the mean
 *   RTT was 96-307 ms; at SCHED_FIFO, 0.15-0.24 ms.
 * - Every thread, not the main thread alone: the main thread waits for V8's
 *   helpers (parallel scavenges). Raising only the main thread left them
 *   behind the 1000 pings, a priority inversion: mean 24-31 ms, p99 201-409 ms.
 * - A CPU of its own: on this VM, switching a CPU from another process's
 *   address space back to the stack's sometimes stalls 1-2 ms before the
 *   stack runs (perf shows no syscall, fault or context switch in the gap).
 *   Sharing its CPU with `ping`, 40 % of sparse echoes took ~2 ms; alone on
 *   its CPU, none did.
 * - Safety: the kernel's real-time throttling (`sched_rt_runtime_us`, 95 %
 *   of each period by default) still leaves the rest of the machine its share
 *   if a thread ever spins.
 *
 * @since 0.1.0
 */
import { Data, Effect, type Scope } from "effect"
import * as TapAddon from "./TapAddon.js"

/**
 * Why a scheduling setting could not be applied.
 * @category errors
 */
export class SchedulingError extends Data.TaggedError("SchedulingError")<{
  readonly reason: "NotPermitted" | "InvalidPriority" | "InvalidCpu" | "Unsupported" | "Io"
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
/** CPU numbers are below this (glibc's CPU_SETSIZE). @category constants */
export const CPU_LIMIT = 1024

/**
 * Whether `priority` is a SCHED_FIFO priority Linux accepts.
 * @category predicates
 */
export const isPriority = (priority: number): boolean =>
  Number.isInteger(priority) && priority >= MIN_PRIORITY && priority <= MAX_PRIORITY

/**
 * Whether `cpu` can name a CPU (whether it is online is for the kernel to say).
 * @category predicates
 */
export const isCpu = (cpu: number): boolean => Number.isInteger(cpu) && cpu >= 0 && cpu < CPU_LIMIT

/** The calling thread's policy, as the kernel reports it. @category models */
export type Scheduler = ReturnType<TapAddon.TapNative["getScheduler"]>

const toSchedulingError = (e: unknown, invalid: SchedulingError["reason"], hint: string): SchedulingError => {
  const code = typeof e === "object" && e !== null ? (e as { code?: unknown }).code : undefined
  const message = e instanceof Error ? e.message : String(e)
  switch (code) {
    case "EPERM":
    case "EACCES":
      return new SchedulingError({ reason: "NotPermitted", detail: `${message} (${hint})` })
    case "EINVAL":
      return new SchedulingError({ reason: invalid, detail: message })
    case "ENOTSUP":
      return new SchedulingError({ reason: "Unsupported", detail: message })
    default:
      return new SchedulingError({ reason: "Io", detail: message })
  }
}

const addon: Effect.Effect<TapAddon.TapNative, SchedulingError> = TapAddon.load.pipe(
  Effect.mapError((e) => new SchedulingError({ reason: "Unsupported", detail: e.detail }))
)

const call = <A>(
  f: (native: TapAddon.TapNative) => A,
  invalid: SchedulingError["reason"],
  hint: string
): Effect.Effect<A, SchedulingError> =>
  Effect.flatMap(addon, (native) =>
    Effect.try({ try: () => f(native), catch: (e) => toSchedulingError(e, invalid, hint) }))

const setPriority = (priority: number) =>
  call(
    (native) => native.setRealtime(priority),
    "InvalidPriority",
    `run as root, grant CAP_SYS_NICE, or raise RLIMIT_RTPRIO to ${priority}`
  )

/**
 * The calling thread's scheduling policy and priority.
 * @category getters
 */
export const current: Effect.Effect<Scheduler, SchedulingError> = call(
  (native) => native.getScheduler(),
  "Io",
  "cannot happen"
)

/**
 * The CPUs the calling thread may run on, ascending.
 * @category getters
 */
export const affinity: Effect.Effect<ReadonlyArray<number>, SchedulingError> = call(
  (native) => native.getAffinity(),
  "Io",
  "cannot happen"
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

const setAffinity = (cpus: ReadonlyArray<number>) =>
  call((native) => native.setAffinity(cpus), "InvalidCpu", "the CPU set may be restricted by a cgroup")

/**
 * Run the calling thread on `cpus` only until the scope closes, then on the
 * CPUs it had before.
 * @category constructors
 */
export const pin = (cpus: ReadonlyArray<number>): Effect.Effect<void, SchedulingError, Scope.Scope> => {
  const bad = cpus.find((cpu) => !isCpu(cpu))
  if (cpus.length === 0 || bad !== undefined) {
    return Effect.fail(
      new SchedulingError({
        reason: "InvalidCpu",
        detail: cpus.length === 0 ? "no CPU given" : `${bad} is not a CPU number (0..${CPU_LIMIT - 1})`
      })
    )
  }
  return Effect.acquireRelease(
    Effect.zipLeft(affinity, setAffinity(cpus)),
    (before) => Effect.ignore(setAffinity(before))
  ).pipe(Effect.asVoid)
}
