/**
 * The stack's runner: a scheduler that resumes fibers woken from outside
 * every fiber (the TAP's read callback, a timer) in that same call, one
 * after the other, instead of in later microtasks.
 *
 * Why: a packet climbs the stack through one fiber per dealer (link →
 * Ethernet → IPv4 → TCP → the connection's halves → the application), each
 * woken by the one below it. On Effect's default scheduler every wake-up is
 * a task of its own, run in a later microtask through a per-fiber runner (a
 * bucket array and a promise per drain). On this one the TAP callback's
 * offer resumes the Ethernet dealer in the callback itself; what that
 * dealer hands up is queued while it finishes its batch, and runs next in
 * the same call, in order: a request and its reply in one run, as a
 * callback-style responder would do it. Every dealer is still a fiber with
 * its own bounded inbox, and each still takes a whole batch per wake-up.
 *
 * Contract:
 * - **Runs start only outside every fiber.** A task scheduled while no
 *   fiber is executing (an I/O or timer callback, or plain code) starts a
 *   run and runs before the call returns. A task scheduled from inside a
 *   fiber that is not in a run (on another scheduler, in a test, after a
 *   hand-off) goes to `fallback`, exactly as it would without this runner:
 *   no fiber ever sees another one run inside its own call. (Running there
 *   would let a consumer act before its producer finished the step it was
 *   in: a connection's reader writing back before the receive half had
 *   posted the ACK the write should carry.)
 * - **FIFO, never nested.** A task scheduled during a run is appended and
 *   runs before the run returns. Effect schedules a fiber's task only while
 *   that fiber is not running, so no fiber is re-entered.
 * - **Bounded.** After `budget` tasks in one run the rest go to `fallback`
 *   (Effect's default scheduler: microtasks, then a timer after 2048 in a
 *   row), so fibers that keep yielding cannot hold the thread.
 * - **A throwing task strands nothing**: what is queued goes to `fallback`
 *   and the error propagates to the caller.
 * - **The event loop gets its turns.** After `HAND_OFFS_PER_TURN` tasks
 *   handed to `fallback`, the next one, and every one handed off until then,
 *   waits for the next turn of Node's event loop (`setImmediate`), which
 *   runs them in order. Effect's default scheduler keeps a runner per
 *   fiber since 3.20, each counting its own microtask drains towards the
 *   timer it yields with, and a runner that empties starts again from 0: a
 *   ping-pong between fibers over the loopback or an in-memory link (each
 *   side's runner drains one task, then the other's) stays in microtasks for
 *   good, and no timer or I/O callback ran (measured: 1.9 s of such traffic,
 *   not one 100 ms sleep woken, and every TIME-WAIT record held until the
 *   ports ran out). This bounds the run of microtasks from the stack's side.
 * - Yielding (the op budget) is decided as `fallback` decides it, once a
 *   fiber has run 2048 operations in a row (Effect's default budget; a
 *   smaller one set on a fiber here counts from there); the one priority
 *   the stack uses is not reordered.
 * - One runner per fallback scheduler (`make` memoizes), so the stack and
 *   the handlers its services fork on it (tcp/Services.ts, `Udp.serveEcho`)
 *   share one run.
 *
 * @since 0.1.0
 */
import type { Scheduler } from "effect"
import { Effect, Fiber, FiberRef, Option } from "effect"

class Trampoline implements Scheduler.Scheduler {
  /**
   * The run's tasks, [head, tail) still to run. Kept from run to run (each
   * slot emptied once its task ran or left): a run per TAP callback with a
   * fresh array would allocate its backing store again at every sparse packet.
   * Up to `KEPT_SLOTS`: a burst's longer array goes at the end of its run.
   */
  private readonly queue: Array<Scheduler.Task | undefined> = []
  private head = 0
  private tail = 0
  private running = false
  /** tasks handed to `fallback` since the event loop's last turn was asked for */
  private handedOff = 0
  /** while a turn of the event loop is awaited: the tasks that wait for it, in order */
  private deferred: Array<Scheduler.Task> | undefined = undefined

  constructor(readonly fallback: Scheduler.Scheduler, readonly budget: number) {}

  scheduleTask(task: Scheduler.Task, priority: number, fiber?: Fiber.RuntimeFiber<unknown, unknown>): void {
    if (this.running) {
      if (this.tail < this.queue.length) this.queue[this.tail] = task
      else this.queue.push(task)
      this.tail++
      return
    }
    if (Option.isSome(Fiber.getCurrentFiber())) {
      this.handOff(task, priority, fiber)
      return
    }
    this.running = true
    let ran = 0
    try {
      task()
      ran = 1
      while (this.head < this.tail && ran < this.budget) {
        const next = this.queue[this.head]!
        this.queue[this.head++] = undefined
        next()
        ran++
      }
    } finally {
      // what is left (over the budget, or after a task threw: rare) is taken out before it is
      // handed off, so that a fallback which ran a task at once, starting a run here, finds the
      // queue empty
      const rest = this.head < this.tail ? this.queue.slice(this.head, this.tail) : undefined
      for (let i = this.head; i < this.tail; i++) this.queue[i] = undefined
      // (a burst's slots are let go: kept, they would be held for the runner's life, which is the
      // process's; a sparse packet's run needs a handful)
      if (this.queue.length > KEPT_SLOTS) this.queue.length = 0
      this.head = 0
      this.tail = 0
      this.running = false
      if (rest !== undefined) for (const task of rest) this.handOff(task!, priority)
    }
  }

  /**
   * `task` to `fallback`; after `HAND_OFFS_PER_TURN` of them, it and every
   * task handed off after it wait for the event loop's next turn
   * (`setImmediate`: a macrotask, not a timer), so that the microtasks run
   * out and the loop reaches its timers and I/O first; that turn then runs
   * them in order, outside every fiber.
   */
  private handOff(task: Scheduler.Task, priority: number, fiber?: Fiber.RuntimeFiber<unknown, unknown>): void {
    if (this.deferred !== undefined) {
      this.deferred.push(task)
      return
    }
    if (++this.handedOff < HAND_OFFS_PER_TURN) {
      this.fallback.scheduleTask(task, priority, fiber)
      return
    }
    this.handedOff = 0
    const waiting = [task]
    this.deferred = waiting
    turnsAwaited++
    setImmediate(() => {
      this.deferred = undefined
      turnsAwaited--
      let i = 0
      try {
        for (; i < waiting.length; i++) waiting[i]!()
      } finally {
        // (a task that threw strands nothing: the rest go on)
        for (i++; i < waiting.length; i++) this.fallback.scheduleTask(waiting[i]!, priority)
      }
    })
  }

  shouldYield(fiber: Fiber.RuntimeFiber<unknown, unknown>): number | false {
    // (Effect's default scheduler reads the fiber's budget, a FiberRef: a Map lookup, on every
    // operation of every fiber; a fiber here asks it only once it has run that many in a row)
    return fiber.currentOpCount > YIELD_AFTER ? this.fallback.shouldYield(fiber) : false
  }
}

/**
 * Tasks handed to the fallback scheduler between two turns of the event loop
 * that the runner asks for. With 100 connections at a time opening, echoing
 * and closing between two in-memory stacks (8000 in 2.75 s either way), a
 * repeated 100 ms sleep woke 18 times at 8192 and 23 at 2048; without the
 * turns, not once in 1.9 s.
 */
const HAND_OFFS_PER_TURN = 8192

/** Runners whose tasks wait for the event loop's next turn (`handOff`), in this process. */
let turnsAwaited = 0

/**
 * Whether some runner's tasks wait for the event loop's next turn: a wait made of yields alone
 * (microtasks) never reaches them. For tests that let every runnable fiber run (test/support's
 * `settle`), whose bounded yields ran out while the stack's tasks waited for that turn.
 */
export const awaitsTurn = (): boolean => turnsAwaited > 0

/**
 * Slots of the run queue kept between runs: a run that queued more (one callback waking that many
 * fibers) lets its array go, as the queue did after every run before it was kept.
 */
const KEPT_SLOTS = 1024

/** Effect's default `maxOpsBeforeYield`: no fiber on the runner yields before it. */
const YIELD_AFTER = 2048

const runners = new WeakMap<Scheduler.Scheduler, Trampoline>()

/**
 * The runner over `fallback` (one per fallback; a runner given as the
 * fallback is returned as it is). `budget`: tasks per run before the rest go
 * to `fallback` (default 4096); only the first call for a fallback sets it.
 */
export const make = (fallback: Scheduler.Scheduler, budget = 4096): Scheduler.Scheduler => {
  if (fallback instanceof Trampoline) return fallback
  let runner = runners.get(fallback)
  if (runner === undefined) {
    runner = new Trampoline(fallback, budget)
    runners.set(fallback, runner)
  }
  return runner
}

/**
 * Run `effect`, and every fiber it forks, on the runner over the scheduler in
 * force: a fiber the stack wakes from the TAP's callback then runs in that
 * same run, not a microtask later.
 */
export const onRunner = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.flatMap(FiberRef.get(FiberRef.currentScheduler), (s) => Effect.withScheduler(effect, make(s)))
