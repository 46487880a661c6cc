/**
 * How dealers hand work to the protocols above them.
 *
 * A protocol binds a key (EtherType, IP protocol number) and gets its own
 * bounded, dropping `Inbox` (an Effect `Mailbox` whose one consumer waits
 * on a doorbell: internal/Inbox.ts), which the dealer finds in `registry`
 * and fills with `unsafeOffer` (synchronous, never waiting, false when
 * full). The protocol's single reader fiber drains it with
 * `consumeBatches`, which takes everything queued in one `takeAll`: under
 * load one wake-up serves many batches.
 *
 * Why a Mailbox and not a `Queue`: measured here (bench notes in the README),
 * a `Queue.take` on an empty queue allocates a `Deferred` per wake-up, and a
 * fiber-to-fiber round trip costs ~13 µs; the Mailbox parks its reader with
 * a plain resume callback and the same round trip costs ~4 µs, with far less
 * garbage. Why the doorbell on top (2026-12-02): a reader parked in
 * `Mailbox.takeAll` runs Effect's interruptible wait (an interruptible
 * region, `onInterrupt` frames, a canceler, its resume in a Set) on every
 * wake-up; parked on the doorbell it runs one bare `Effect.async`. Every
 * message still goes through the Mailbox, in order, bounded and dropping.
 * A dealer is idle between packets on a sparse path, so every packet of it
 * pays one wake-up per hop: that is the cold path of DESIGN.md §3.
 *
 * The scope that bound a key unbinds it and ends the inbox, which releases
 * the reader. Binding a key twice is a programming error (a defect).
 *
 * @since 0.1.0
 */
import { Chunk, Effect } from "effect"
import type { Scope } from "effect"
import { Inbox } from "./Inbox.js"

export const bindDropping = <K, A>(
  registry: Map<K, Inbox<A>>,
  key: K,
  capacity: number,
  describe: (key: K) => string
): Effect.Effect<Inbox<A>, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.flatMap(Inbox.make<A>({ capacity, strategy: "dropping" }), (mb) =>
      registry.has(key)
        ? Effect.dieMessage(`${describe(key)} bound twice`)
        : Effect.sync(() => {
          registry.set(key, mb)
          return mb
        })),
    (mb) =>
      Effect.zipRight(
        Effect.sync(() => {
          if (registry.get(key) === mb) registry.delete(key)
        }),
        mb.shutdown
      )
  )

/**
 * Run `handle` on every message of `inbox`, in order, until it is done:
 * the body of a fiber that must keep message boundaries (a link middleware
 * relays batches as they came). Each wake-up takes all queued messages at once.
 */
export const consume = <A, E, R>(
  inbox: Inbox<A>,
  handle: (message: A) => Effect.Effect<void, E, R>
): Effect.Effect<void, E, R> =>
  untilDone(inbox, (messages) => Effect.forEach(messages, handle, { discard: true }))

/**
 * The body of a dealer fiber: run `handle` once per wake-up on every item of
 * every batch queued meanwhile, in order, until the inbox is done. A dealer
 * then does its per-batch work (a Clock read, one offer per protocol above,
 * one batched send) once per wake-up, however many batches the layer below
 * queued while it was busy.
 *
 * `handle` is called in the consumer fiber at the wake-up, and only there:
 * it may do its synchronous work at once and return the effect of what is
 * left (a send), with no `Effect.suspend` or `sync` of its own (a closure
 * and an operation per wake-up saved, on the path every packet takes).
 */
export const consumeBatches = <A, E, R, B extends ReadonlyArray<A> = ReadonlyArray<A>>(
  inbox: Inbox<B>,
  handle: (items: B) => Effect.Effect<void, E, R>,
  /** several batches as one (default: their items in order; Link.concatBatches keeps what a frame batch carries) */
  merge: (batches: ReadonlyArray<B>) => B = (batches) => concat(batches) as unknown as B
): Effect.Effect<void, E, R> =>
  untilDone(inbox, (batches) => {
    const items = batches.length === 1 ? Chunk.unsafeHead(batches) : merge(Chunk.toReadonlyArray(batches))
    return items.length === 0 ? Effect.void : handle(items)
  })

/**
 * The items of `batches`, in order, in one array: `batches.flat()` for dense
 * arrays. V8's `flat` costs ~0.15-0.25 µs per inner array against ~0.015 for
 * this loop (10 batches of 2: 2.8 µs against 0.14); a TCP dealer merged ~600
 * batches per Fig. 4 round at N = 100.
 */
export const concat = <A>(batches: ReadonlyArray<ReadonlyArray<A>>): Array<A> => {
  const out: Array<A> = []
  for (let b = 0; b < batches.length; b++) {
    const batch = batches[b]!
    for (let i = 0; i < batch.length; i++) out.push(batch[i]!)
  }
  return out
}

/**
 * Take everything queued per wake-up and run `handle` on it, until the inbox is done.
 *
 * The next wait is asked for in the step itself, after `handle`'s synchronous
 * work, when `handle` left nothing to run (`Effect.void`, a dealer's usual
 * answer), and in the continuation of what it left otherwise: no
 * `Effect.suspend` and no `zipRight` per wake-up. A wake-up of a dealer is
 * then five Effect operations (the flatMap on the wait, the park's two, the
 * Mailbox's takeAll and its success) where it was eight, and builds no effect
 * of its own (the flatMap on the wait is made once: Inbox.continueWith). Each
 * operation is a closure or two of Effect's run loop, on the path every packet
 * of a sparse flow takes once per dealer (bench notes, stop 53).
 */
const untilDone = <A, E, R>(
  inbox: Inbox<A>,
  handle: (messages: Chunk.Chunk<A>) => Effect.Effect<void, E, R>
): Effect.Effect<void, E, R> => {
  // (an Inbox's takeAll looks at the queue when called: asked anew per wake-up, only once
  // `handle` has done what it does; `step` and `next` made once)
  const step = ([messages, done]: readonly [Chunk.Chunk<A>, boolean]): Effect.Effect<void, E, R> => {
    const left = handle(messages)
    if (done) return left
    return left === Effect.void ? next() : Effect.flatMap(left, next)
  }
  // (the wait and its continuation made once: Inbox.continueWith)
  const next: () => Effect.Effect<void, E, R> = inbox.continueWith(step)
  return Effect.suspend(next)
}

/**
 * Run the effects one batch produced, in order: no combinator for zero or one
 * (on a dealer's path `Effect.all` costs more than the work it runs).
 */
export const runAll = (effects: ReadonlyArray<Effect.Effect<void>>): Effect.Effect<void> =>
  effects.length === 0 ? Effect.void : effects.length === 1 ? effects[0]! : Effect.all(effects, { discard: true })
