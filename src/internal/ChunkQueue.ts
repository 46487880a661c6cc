/**
 * The in-order data of one connection, waiting for the application's
 * readers: a queue of chunks that ends (or fails) once, read by any number
 * of fibers.
 *
 * What an unbounded `Mailbox` did here, for less memory per connection
 * (measured with 1000 idle echo connections: the Mailbox with its parked
 * reader held about 3.9 KiB more than this queue with its). A Mailbox builds
 * nine effects, three Sets and a state object per instance, and a reader
 * parked in its `takeAll` holds an interruptible region and an interrupt
 * handler (`Effect.asyncInterrupt`) on its stack while it waits. This queue
 * is four fields while idle, and a reader waits in a bare `Effect.async`
 * that registers no canceler. Its bound is the receive window, which the
 * connection enforces, not this queue.
 *
 * Semantics (those of the Mailbox it replaces): items come out in the order
 * they went in, each to exactly one reader; `done` ends the queue once (the
 * first outcome stays), after which offers are dropped; items queued before
 * the end are still handed out, and the outcome is seen only once the queue
 * is empty.
 *
 * Waiting: a wake-up carries nothing, it only says that something changed;
 * a woken reader takes what it finds, or waits again. So waking a reader
 * that no longer waits loses nothing, and that is what makes the missing
 * canceler safe: an interrupted reader's resume is inert (Effect ignores a
 * resume after interruption). Its entry goes at the next wake-up, or when
 * another reader parks: entries of fibers that are done, and an earlier
 * entry of the fiber parking again, are dropped then. (A fiber interrupted
 * while waiting runs only its finalizers before it is done.)
 *
 * @since 0.1.0
 */
import { Effect, Exit, Fiber } from "effect"

/**
 * A parked reader: its fiber (to tell a stale entry; undefined, never seen so far, if the wait
 * ran outside every fiber: such an entry counts as live until the next wake-up) and how to wake it.
 */
interface Waiter {
  readonly fiber: Fiber.RuntimeFiber<unknown, unknown> | undefined
  readonly resume: (effect: Effect.Effect<void>) => void
}

/** @category models */
export class ChunkQueue<A, E> {
  /** the items, oldest at `head`; undefined while empty (an idle queue holds no array) */
  private items: Array<A> | undefined = undefined
  private head = 0
  private outcome: Exit.Exit<void, E> | undefined = undefined
  /** readers parked in `wait` (undefined: none) */
  private waiters: Array<Waiter> | undefined = undefined

  /** Items queued. */
  get size(): number {
    return this.items === undefined ? 0 : this.items.length - this.head
  }

  /** `done` was called (items may still be queued). */
  get isDone(): boolean {
    return this.outcome !== undefined
  }

  /**
   * The outcome, once the queue is done and empty: what a reader gets
   * instead of an item. Undefined while an item is queued or the queue is
   * open.
   */
  get end(): Exit.Exit<void, E> | undefined {
    return this.items === undefined ? this.outcome : undefined
  }

  /**
   * Queue `items` after those already queued and wake the readers. The
   * array becomes the queue's (it may be kept as it is: do not change it
   * afterwards). Dropped when the queue is done.
   */
  offerAll(items: Array<A>): void {
    if (this.outcome !== undefined || items.length === 0) return
    if (this.items === undefined) {
      this.items = items
      this.head = 0
    } else {
      for (const item of items) this.items.push(item)
    }
    this.wake()
  }

  /** The newest item queued (not yet taken); undefined when none is. */
  get last(): A | undefined {
    const items = this.items
    return items === undefined ? undefined : items[items.length - 1]
  }

  /** Put `item` in the place of the newest item queued (which no reader has taken); nothing when none is. */
  replaceLast(item: A): void {
    const items = this.items
    if (items !== undefined) items[items.length - 1] = item
  }

  /** End the queue with `outcome` and wake the readers; false (nothing changes) if it was done already. */
  done(outcome: Exit.Exit<void, E>): boolean {
    if (this.outcome !== undefined) return false
    this.outcome = outcome
    this.wake()
    return true
  }

  /** The oldest item, taken; undefined when none is queued. */
  take(): A | undefined {
    const items = this.items
    if (items === undefined) return undefined
    const item = items[this.head++]!
    if (this.head === items.length) {
      this.items = undefined
      this.head = 0
    }
    return item
  }

  /** The oldest item queued, not taken; undefined when none is. */
  peek(): A | undefined {
    const items = this.items
    return items === undefined ? undefined : items[this.head]
  }

  /** Every item queued, taken (oldest first); empty when none is. */
  takeAll(): ReadonlyArray<A> {
    const items = this.items
    if (items === undefined) return NONE
    this.items = undefined
    const head = this.head
    this.head = 0
    return head === 0 ? items : items.slice(head)
  }

  /**
   * Wait until an item is queued or the queue is done (at once if either
   * holds already). Then look again: another reader may have taken the item.
   */
  wait(): Effect.Effect<void> {
    if (this.items !== undefined || this.outcome !== undefined) return Exit.void
    return Effect.async<void>((resume) => {
      // the queue may have changed between the check above and this fiber reaching here
      if (this.items !== undefined || this.outcome !== undefined) return resume(Exit.void)
      // (the register runs inside the waiting fiber's own step, where Effect sets it as the current
      // fiber: no `withFiberRuntime` of its own, an operation and a closure per wait fewer)
      const current = Fiber.getCurrentFiber()
      this.park({ fiber: current._tag === "Some" ? current.value : undefined, resume })
    })
  }

  /** Readers parked now, stale entries included (for tests). */
  get parked(): number {
    return this.waiters === undefined ? 0 : this.waiters.length
  }

  /**
   * Whether a reader is waiting for the next item now (tcp/Delivery.ts hands
   * it views as they came): a parked entry whose fiber is not done. An entry
   * stays after its reader gave up (a read under a timeout, or that lost a
   * race, is interrupted and its fiber ends: no canceler, see above), so the
   * count of entries alone would call a connection whose reader left
   * "waiting" until the next wake-up.
   */
  get waiting(): boolean {
    const waiters = this.waiters
    if (waiters === undefined) return false
    for (let i = 0; i < waiters.length; i++) if (live(waiters[i]!)) return true
    return false
  }

  private park(w: Waiter): void {
    const waiters = this.waiters
    if (waiters === undefined) {
      this.waiters = [w]
      return
    }
    let kept = 0
    for (let i = 0; i < waiters.length; i++) {
      const o = waiters[i]!
      if ((o.fiber === undefined || o.fiber !== w.fiber) && live(o)) waiters[kept++] = o
    }
    waiters.length = kept
    waiters.push(w)
  }

  private wake(): void {
    const waiters = this.waiters
    if (waiters === undefined) return
    this.waiters = undefined
    for (const w of waiters) w.resume(Exit.void)
  }
}

const NONE: ReadonlyArray<never> = []

/** the entry's fiber has not ended (an entry whose fiber is unknown counts as live) */
const live = (w: Waiter): boolean => w.fiber === undefined || w.fiber.unsafePoll() === null
