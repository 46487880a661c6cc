/**
 * Fibers kept between jobs: a job (a TCP connection's half) runs on a fiber
 * that waits for the next one when it ends, instead of a fiber made for it
 * and thrown away, as Go's runtime keeps a finished goroutine's G on a free
 * list for the next `go` statement (runtime.gfput / gfget).
 *
 * What a fresh fiber costs that a parked one does not: its FiberRefs copied,
 * a `FiberRuntime` and its id, the supervisor's start, an entry in Effect's
 * global roots Set and in the owner's set, each with an observer, and at its
 * end the exit value, the observers and both sets' deletes. The roots Set goes
 * from a few entries to thousands and back in a burst of connections and its
 * tables are replaced as it does, each one made in the old generation and
 * keeping the fibers it held alive until the next full collection
 * (notes/bench-investigations.md, "Stop 52 ... (gc52)").
 *
 * Contract:
 * - `run(job)` runs `job` on a fiber of the pool: an idle one, resumed
 *   through its scheduler (it runs a hop later, not inside `run`), else a new
 *   one from `fork` (which may run it at once). Each job has its fiber to
 *   itself from start to end: a half is still a fiber of its own while it
 *   lives.
 * - A job that dies (it cannot fail: `Effect<void>`) ends its fiber with
 *   that defect, as a fiber forked for it alone would end; an interrupted
 *   one ends too. Only a job that succeeds returns its fiber to the pool.
 * - At most `maxIdle` fibers wait; one that finds that many waiting ends.
 *   A waiting fiber holds one bare `Effect.async` (no canceler, its resume in
 *   the list): interrupting it (the owner's scope closing) ends it.
 * - `close()`: no job goes to a waiting fiber from then on (the owner's scope
 *   interrupts them), each goes to `fork`, which the owner has closed too.
 * - Jobs must leave their fiber's FiberRefs as they found them: the next job
 *   runs with them. The TCP halves set none.
 *
 * @since 0.1.0
 */
import { Effect } from "effect"

type Resume = (job: Effect.Effect<void>) => void

/** @category models */
export class FiberPool {
  /** the waiting fibers' resumes, the most recent last (warmest first) */
  private readonly idle: Array<Resume> = []
  private closed = false
  /** after a job: wait for the next, or end when enough wait (made once) */
  private readonly next: () => Effect.Effect<void>
  private readonly wait: Effect.Effect<void>

  constructor(
    private readonly fork: (job: Effect.Effect<void>) => void,
    readonly maxIdle: number
  ) {
    // (the resume is given the job itself: the fiber goes on with it, then asks `next`)
    this.wait = Effect.flatMap(Effect.async<void>((resume) => {
      this.idle.push(resume)
    }), () => this.next())
    this.next = () => (this.closed || this.idle.length >= this.maxIdle ? Effect.void : this.wait)
  }

  /** Run `job` on a waiting fiber, or on a new one. */
  run(job: Effect.Effect<void>): void {
    const resume = this.closed ? undefined : this.idle.pop()
    if (resume !== undefined) resume(job)
    else this.fork(Effect.flatMap(job, this.next))
  }

  /** Fibers waiting for a job now. */
  get waiting(): number {
    return this.idle.length
  }

  /** No more jobs to waiting fibers (their owner interrupts them). */
  close(): void {
    this.closed = true
    this.idle.length = 0
  }
}
