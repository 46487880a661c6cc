/**
 * One task runner for many fibers: the scheduling Effect had before 3.20, for
 * fibers that do not need what 3.20 added.
 *
 * Since Effect 3.20 the default scheduler keeps a runner per fiber that ever
 * yields (a WeakMap entry, the runner, its bucket array and drain closure:
 * about 0.27 KiB per fiber, measured with 1000 idle connections), so that each
 * fiber's tasks run in microtasks of their own and AsyncLocalStorage contexts
 * stay apart between concurrent runs (Effect-TS/effect#6124). The stack's
 * fibers hold no such context. Called without the fiber, the scheduler hands
 * every task to its one fallback runner instead.
 *
 * Used for the TCP connections' fibers (memory per idle connection). Not for
 * the dealers: with them on it too, a connection over the loopback took longer
 * (tcp/Tcp.ts has the figures).
 *
 * Contract: `shared(s)` schedules on `s` and yields as `s` says; wrapping a
 * shared scheduler again returns it as it is.
 *
 * @since 0.1.0
 */
import type { Scheduler } from "effect"

class Shared implements Scheduler.Scheduler {
  constructor(readonly inner: Scheduler.Scheduler) {}
  scheduleTask(task: Scheduler.Task, priority: number): void {
    this.inner.scheduleTask(task, priority)
  }
  shouldYield(fiber: Parameters<Scheduler.Scheduler["shouldYield"]>[0]): number | false {
    return this.inner.shouldYield(fiber)
  }
}

/** `scheduler` with one task runner for every fiber. */
export const shared = (scheduler: Scheduler.Scheduler): Scheduler.Scheduler =>
  scheduler instanceof Shared ? scheduler : new Shared(scheduler)
