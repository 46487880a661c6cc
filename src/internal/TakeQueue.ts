/**
 * An unbounded FIFO that synchronous code offers to and any number of fibers
 * take from, one item each: a listener's queue of established connections,
 * between the TCP dealer and `accept`.
 *
 * What `Mailbox.take` does for it, without what the accept path paid there:
 * a Mailbox releases a waiting taker through a task on its scheduler at every
 * offer (a hand-off of its own before the taker's fiber is even resumed), and
 * its take parks with `Effect.async`'s interruptible wait and a `zipRight`
 * into a second take after it; the listener then mapped the item and caught
 * the Mailbox's end. Here an offer hands the item to the longest-waiting
 * taker at once, through that taker's `resume`, which wakes its fiber on the
 * fiber's own scheduler (never inside the offerer's call); a take that finds
 * an item succeeds in its first operation; the item is mapped (`taken`) as it
 * leaves the queue.
 *
 * Contract:
 * - **FIFO both ways.** Items leave in the order offered; takers are served
 *   in the order they started waiting.
 * - **Nothing is handed to an interrupted taker.** An interrupted taker is
 *   taken off the list by its canceler; an item offered after that goes to
 *   the next taker or waits. (An item already handed over is the taker's, as
 *   with a Mailbox: its fiber continues with it.)
 * - **The end.** `end(failure)` fails every taker waiting and every later
 *   take with `failure()`, refuses later offers (false), and returns the items
 *   never taken, for the caller to dispose of. The failure is made for each
 *   take that meets the end, and never when none does: a listener's Closed
 *   is an Error, whose construction captures a stack trace, and most
 *   listeners close with nobody waiting in `accept`.
 * - `taken` runs once per item, when a taker gets it.
 *
 * @since 0.1.0
 */
import { Effect } from "effect"

/** @category models */
export class TakeQueue<A, B, E> {
  private items: Array<A> = []
  private head = 0
  /** takers waiting, in the order they came (undefined: none yet) */
  private takers: Array<(taken: Effect.Effect<B, E>) => void> | undefined = undefined
  private failure: Effect.Effect<never, E> | undefined = undefined

  constructor(private readonly taken: (item: A) => B) {}

  /** items queued, not yet taken */
  get size(): number {
    return this.items.length - this.head
  }

  /** Queue `item`, or hand it to the longest-waiting taker; false (nothing done) once ended. */
  offer(item: A): boolean {
    if (this.failure !== undefined) return false
    const takers = this.takers
    if (takers !== undefined && takers.length > 0) {
      takers.shift()!(Effect.succeed(this.taken(item)))
      return true
    }
    this.items.push(item)
    return true
  }

  /** The next item (mapped by `taken`), waiting for one when none is queued; fails once ended. */
  readonly take: Effect.Effect<B, E> = Effect.suspend(() => {
    if (this.head < this.items.length) return Effect.succeed(this.taken(this.shift()))
    if (this.failure !== undefined) return this.failure
    return this.wait
  })

  /** Fail every waiting and later take with `failure()`; the items never taken. Only the first end counts. */
  end(failure: () => E): Array<A> {
    if (this.failure !== undefined) return []
    this.failure = Effect.failSync(failure)
    const left = this.items.slice(this.head)
    this.items = []
    this.head = 0
    const takers = this.takers
    this.takers = undefined
    if (takers !== undefined) for (const t of takers) t(this.failure)
    return left
  }

  private shift(): A {
    const item = this.items[this.head]!
    this.items[this.head++] = undefined as A
    // (emptied: start again from the front, so the array does not grow with every item ever offered)
    if (this.head === this.items.length) {
      this.items.length = 0
      this.head = 0
    }
    return item
  }

  /** the park, one effect for the queue's life (each run registers afresh) */
  private readonly wait: Effect.Effect<B, E> = Effect.async<B, E>((resume) => {
    // (an offer or the end between the look in `take` and this registration)
    if (this.head < this.items.length) {
      resume(Effect.succeed(this.taken(this.shift())))
      return
    }
    if (this.failure !== undefined) {
      resume(this.failure)
      return
    }
    const takers = this.takers ??= []
    takers.push(resume)
    return Effect.sync(() => {
      const i = takers.indexOf(resume)
      if (i >= 0) takers.splice(i, 1)
    })
  })
}
