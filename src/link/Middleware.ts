/**
 * What every middleware link (`LinkFault`, `LinkPcap`) shares: a receive side
 * of its own that the inner link feeds, and counters that add to the inner
 * link's.
 *
 * - `makeReceiveSide(capacity)`: this link's bounded, dropping receive
 *   mailbox and `deliver`, which offers a batch to it, counting `rxFrames`
 *   or, when full, `rxDropped`.
 * - `relay(inner, side, handle)`: the one fiber that consumes
 *   `inner.receive` (batch boundaries kept, each batch as it came, with its
 *   `checksumOk`) and hands each batch to `handle`;
 *   when the inner link is done, this link's receive *ends*, so batches
 *   already delivered can still be taken before `done`.
 * - `stats(inner, own)`: the inner link's counters plus this link's own
 *   drops; `rxFrames` is what this link delivered. A middleware refuses a
 *   frame to send only when a queue of its own is full: `own.txQueueFull`
 *   (and so `txDropped`).
 *
 * @since 0.1.0
 */
import { Effect } from "effect"
import type { Scope } from "effect"
import { consume } from "../internal/Handoff.js"
import { Inbox } from "../internal/Inbox.js"
import { type FrameBatch, type LinkService, type LinkStats, linkStats } from "./Link.js"

type Batch = FrameBatch

/** Counters a middleware keeps on top of the inner link's. */
export interface OwnCounters {
  rxFrames: number
  rxDropped: number
  /** frames to send refused because a queue of this link's own was full */
  txQueueFull: number
}

export interface ReceiveSide {
  readonly receive: Inbox<Batch>
  readonly deliver: (batch: Batch) => void
  readonly own: OwnCounters
}

export const makeReceiveSide = (capacity: number): Effect.Effect<ReceiveSide, never, Scope.Scope> =>
  Effect.gen(function*() {
    const receive = yield* Inbox.make<Batch>({ capacity, strategy: "dropping" })
    yield* Effect.addFinalizer(() => receive.shutdown)
    const own: OwnCounters = { rxFrames: 0, rxDropped: 0, txQueueFull: 0 }
    const deliver = (batch: Batch): void => {
      if (receive.unsafeOffer(batch)) own.rxFrames += batch.length
      else own.rxDropped += batch.length
    }
    return { receive, deliver, own }
  })

export const relay = <E, R>(
  inner: LinkService,
  side: ReceiveSide,
  handle: (batch: Batch) => Effect.Effect<void, E, R>
): Effect.Effect<unknown, never, R | Scope.Scope> =>
  consume(inner.receive, handle).pipe(Effect.ensuring(side.receive.end), Effect.forkScoped)

export const stats = (inner: LinkService, own: OwnCounters): Effect.Effect<LinkStats> =>
  Effect.map(inner.stats, (s) =>
    linkStats({
      ...s,
      rxFrames: own.rxFrames,
      rxDropped: s.rxDropped + own.rxDropped,
      txQueueFull: s.txQueueFull + own.txQueueFull
    }))
