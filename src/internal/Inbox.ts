/**
 * An Effect `Mailbox` with one consumer that waits on a doorbell: what a
 * long-lived fiber that is idle most of the time (each half of a TCP
 * connection) waits in.
 *
 * Every message goes through the Mailbox, in order, bounded and dropping
 * (or not) as the Mailbox was made; only the wait changes. A fiber parked
 * in `Mailbox.takeAll` holds Effect's interruptible wait on its stack
 * (`asyncInterrupt`: the interruptible region, the `onInterrupt` frames, the
 * canceler's closures, its resume in the Mailbox's Set of takers): about
 * 1.5 KiB per parked fiber measured here, paid by every idle connection
 * twice. Parked on the doorbell, the fiber holds one bare `Effect.async`
 * with no canceler, and its resume in one field.
 *
 * Contract:
 * - **One consumer.** Only one fiber takes (`takeAll`); any number offer.
 *   The doorbell has one slot: a second consumer parking would take the
 *   first one's place.
 * - **Every offer rings**, whether the Mailbox took the message or dropped
 *   it (full: the consumer has work anyway; done: it should see the end).
 *   The Mailbox is reachable only through this wrapper, so no offer can
 *   miss the doorbell.
 * - **A ring with nobody parked is remembered**, in the Mailbox itself: the
 *   consumer looks at it before it parks (and again when its wait starts),
 *   and parks only while it is empty and open. What rang is a message still
 *   queued, or the end, so a ring while the consumer is busy is seen at its
 *   next `takeAll`, which returns at once.
 * - **Many offers, one wake-up.** A ring resumes the parked consumer with
 *   the Mailbox's `takeAll` and empties the slot; rings before the consumer
 *   runs find the slot empty and only queue their messages, and that one
 *   `takeAll` takes them all. Resuming a fiber goes through its scheduler:
 *   from inside a fiber the consumer runs after the offerer's step; on the
 *   stack's runner, offered from outside every fiber (the TAP's callback),
 *   it runs before the offer returns (internal/Trampoline.ts).
 * - **Interrupting the parked consumer is safe.** There is no canceler: the
 *   slot keeps the interrupted fiber's resume until the next ring, which
 *   calls it and is ignored (Effect resumes an async wait once, and an
 *   interruption counts as that once). No message is taken by the dead
 *   wait: it stays queued for a next consumer.
 * - **The end wakes the consumer.** `unsafeDone` and `shutdown` ring: the
 *   consumer's `takeAll` returns what is left with `done` (or fails with
 *   the Mailbox's failure), so its loop can end.
 *
 * @since 0.1.0
 */
import type { Cause, Chunk, Exit, Option } from "effect"
import { Effect, Mailbox } from "effect"

/** What a `takeAll` gives: the messages queued, and whether the Mailbox is done. */
type Taken<A> = readonly [messages: Chunk.Chunk<A>, done: boolean]

/** @category models */
export class Inbox<A, E = never> {
  /**
   * Make an inbox in the calling fiber (the Mailbox takes that fiber's
   * scheduler). Options as `Mailbox.make`'s; a "suspend" strategy with a
   * bound gains nothing here, since only synchronous offers are possible.
   */
  static make<A, E = never>(
    options?: { readonly capacity?: number; readonly strategy?: "suspend" | "dropping" | "sliding" }
  ): Effect.Effect<Inbox<A, E>> {
    return Effect.map(Mailbox.make<A, E>(options), Inbox.of)
  }

  /**
   * An inbox over `mailbox`, made by the caller in the fiber it is for (as
   * `make` does): for one that makes several in one step, without an
   * effect of its own per inbox.
   */
  static of<A, E = never>(mailbox: Mailbox.Mailbox<A, E>): Inbox<A, E> {
    return new Inbox(mailbox)
  }

  /** the parked consumer's resume (undefined: nobody parked) */
  private parked: ((taken: Effect.Effect<Taken<A>, E>) => void) | undefined = undefined

  private constructor(private readonly mailbox: Mailbox.Mailbox<A, E>) {}

  /** Queue `message` (false when the Mailbox dropped it: full or done) and ring. */
  unsafeOffer(message: A): boolean {
    const taken = this.mailbox.unsafeOffer(message)
    this.ring()
    return taken
  }

  /** End the Mailbox (messages queued are still taken first) and ring; false if it had ended. */
  unsafeDone(exit: Exit.Exit<void, E>): boolean {
    const ended = this.mailbox.unsafeDone(exit)
    this.ring()
    return ended
  }

  /** End the Mailbox now, dropping what is queued, and ring. */
  get shutdown(): Effect.Effect<boolean> {
    return Effect.map(this.mailbox.shutdown, (r) => {
      this.ring()
      return r
    })
  }

  /** End the Mailbox after what is queued (as `Mailbox.end`) and ring. */
  get end(): Effect.Effect<boolean> {
    return Effect.map(this.mailbox.end, (r) => {
      this.ring()
      return r
    })
  }

  /** Messages queued; None once the Mailbox is done. */
  unsafeSize(): Option.Option<number> {
    return this.mailbox.unsafeSize()
  }

  /** Messages queued; None once the Mailbox is done (as `Mailbox.size`). */
  get size(): Effect.Effect<Option.Option<number>> {
    return this.mailbox.size
  }

  /**
   * One message, waiting in the Mailbox's own `take` when there is none (not
   * on the doorbell: an offer completes that wait by itself). For a consumer
   * that takes one at a time, such as a test; the one consumer must not mix
   * it with `takeAll` at the same time.
   */
  get take(): Effect.Effect<A, E | Cause.NoSuchElementException> {
    return this.mailbox.take
  }

  /** Take what is queued without waiting (as `Mailbox.clear`). */
  get clear(): Effect.Effect<Chunk.Chunk<A>, E> {
    return this.mailbox.clear
  }

  /** A consumer is parked on the doorbell (for tests). */
  get isParked(): boolean {
    return this.parked !== undefined
  }

  /**
   * Every message queued (at least one) and whether the Mailbox is done;
   * when none is queued and it is open, park on the doorbell first. For the
   * one consumer only. Call it when the wait should start: the emptiness
   * is looked at in the call (the park itself is one effect, `wait`).
   */
  takeAll(): Effect.Effect<Taken<A>, E> {
    return this.ready() ? this.mailbox.takeAll : this.wait
  }

  /**
   * `() => Effect.flatMap(this.takeAll(), f)`, for a consumer loop that
   * continues with the same `f` at every wake-up (a dealer's): the two
   * effects it can be (the Mailbox's takeAll when something is queued, the
   * park otherwise) are made here, once, so a wake-up builds no `flatMap` of
   * its own. Like `takeAll`, each call looks at the queue when it is made.
   */
  continueWith<B, E2, R>(f: (taken: Taken<A>) => Effect.Effect<B, E2, R>): () => Effect.Effect<B, E | E2, R> {
    const ready = Effect.flatMap(this.mailbox.takeAll, f)
    const parked = Effect.flatMap(this.wait, f)
    return () => (this.ready() ? ready : parked)
  }

  /**
   * The park, one effect for the inbox's life (an `Effect.async` is a
   * description: each run registers afresh), so a wake-up allocates no
   * closure and no primitive of ours.
   */
  private readonly wait: Effect.Effect<Taken<A>, E> = Effect.async<Taken<A>, E>((resume) => {
    // something may have come between the look in takeAll and the wait starting
    if (this.ready()) resume(this.mailbox.takeAll)
    else this.parked = resume
  })

  /** a message is queued, or the Mailbox is done: its takeAll returns at once */
  private ready(): boolean {
    const size = this.mailbox.unsafeSize()
    return size._tag === "None" || size.value > 0
  }

  private ring(): void {
    const resume = this.parked
    if (resume === undefined) return
    this.parked = undefined
    // (rung after an offer or the end: the Mailbox holds a message or is done, so this takeAll never waits)
    resume(this.mailbox.takeAll)
  }
}
