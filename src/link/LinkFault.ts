/**
 * A fault injector: a middleware link that wraps another link and, per
 * direction, loses, duplicates, reorders, corrupts and delays frames.
 * The same idea as smoltcp's `phy/fault_injector.rs` and Linux `netem`, but
 * deterministic: every decision comes from a small PRNG seeded by
 * `options.seed`, so a failing test replays exactly.
 *
 * Contract
 * - Determinism. Each direction (`rx`, `tx`) has its own generator derived
 *   from the seed, so traffic in one direction never shifts the faults of the
 *   other. Every frame consumes the same six draws whatever its fate and
 *   whatever faults are enabled, so the same seed and the same frame sequence
 *   give the same faults, and e.g. enabling corruption leaves the loss pattern
 *   unchanged. Jitter uses a third, per-direction timing stream.
 * - Order of faults for each frame: loss, then corruption, then duplication,
 *   then reordering. A lost frame is gone. Corruption flips one bit of one
 *   octet of a *copy* (the caller's buffer is never written). A duplicate is a
 *   second, independent copy right after the original. A reordered frame (with
 *   its duplicate, if any) is held back and emitted right after the next frame
 *   that passes in the same direction, in this batch or a later one; while no
 *   further frame passes it stays held (to the peer it looks like a loss until
 *   traffic resumes, and TCP/ARP retransmissions release it).
 * - Delay and jitter run on Effect's `Clock` (so `TestClock` drives them): each
 *   batch that survives the faults is stamped with the deadline
 *   `now + delay + U(0, jitter)` and put on a bounded per-direction `Mailbox`
 *   drained, one batch at a time (so the bound holds), by one fiber that
 *   sleeps until each deadline in turn. Delivery
 *   stays FIFO: a batch never overtakes an earlier one, so jitter shows up as
 *   head-of-line waiting, not as reordering (use `reorder` for that).
 * - A bottleneck (`rate`, bits/s, and `queue`, frames): before the delay,
 *   each frame waits for the frames queued ahead of it and then takes its
 *   length at the rate, so a sender faster than the rate builds a queue and
 *   sees the round-trip time grow, as at a router; beyond `queue` waiting
 *   frames the next is dropped (drop-tail) and counted in `overflowed`.
 *   With `markAbove`, an ECN-capable IPv4 frame (ECT(0) or ECT(1)) that
 *   finds at least that many frames waiting is marked CE (RFC 3168 §5, in a
 *   copy, its header checksum mended; counted in `marked`), as a router's
 *   step-marking AQM does; other frames queue or drop as before. No draw is
 *   made for it, so the other faults keep their pattern.
 *   Each frame then goes through the delay mailbox on its own, at its own
 *   departure time.
 * - Receive side: one fiber is the single consumer of `inner.receive`
 *   (DESIGN.md §3); it drains it with `consume` (one `takeAll` per wake-up,
 *   batches kept as they were) and offers to this link's own bounded,
 *   dropping `Mailbox` of `capacity` batches; when full, the batch is dropped
 *   and counted in `rxDropped`. A full delay mailbox drops and counts likewise
 *   (`rxDropped` / `txDropped`). When `inner.receive` is done, this link's
 *   `receive` ends too: batches it already holds can still be taken, then
 *   `takeAll` reports `done`. Closing the scope shuts it down.
 * - `stats`: `rxFrames` counts frames delivered on this link's `receive`;
 *   `txFrames` and the error counters are the inner link's; the dropped
 *   counters are the inner link's plus this link's own mailbox overflows (a
 *   full delay mailbox on tx counts in `txQueueFull` too: it is this link's
 *   queue). Injected faults are *not* drops: they are counted separately in
 *   `faultStats`.
 * - Batches are never empty: a batch whose frames are all lost or held is not
 *   delivered at all. Frames are otherwise passed on as-is (same buffers),
 *   except that a gathered frame sent on this link is first copied into one
 *   fresh buffer (`flatten`), since delay and reordering keep frames past the
 *   send and its pieces go back to the sender when the send completes; the
 *   inner link therefore only ever gets single buffers from this one.
 * - Offloads: none. This link asks none of the inner link (no `TxMeta` goes
 *   down) and vouches for no checksum on receive (batches it rebuilds lose
 *   `checksumOk`, and a corrupted frame must fail its checksum): put it on a
 *   link whose peer sends complete checksums.
 *
 * @since 0.1.0
 */
import { Duration, Effect, Layer, Mailbox } from "effect"
import type * as Scope from "effect/Scope"
import { flatten, Link, type LinkService } from "./Link.js"
import * as Middleware from "./Middleware.js"
import * as Ip from "../wire/Ipv4Header.js"

// -----------------------------------------------------------------------------
// models
// -----------------------------------------------------------------------------

/**
 * Faults for one direction. Probabilities are per frame, in `[0, 1]`;
 * absent means 0.
 *
 * @since 0.1.0
 * @category models
 */
export interface DirectionFaults {
  /** probability that a frame is lost */
  readonly loss?: number
  /** probability that a frame is delivered twice (the copy right after it) */
  readonly duplicate?: number
  /** probability that a frame is held back and emitted after the next one */
  readonly reorder?: number
  /** probability that one random bit of one random octet is flipped (in a copy) */
  readonly corrupt?: number
  /** fixed delay added to every batch, on Effect's Clock */
  readonly delay?: Duration.DurationInput
  /** extra delay per batch, uniform in `[0, jitter]`; delivery stays FIFO */
  readonly jitter?: Duration.DurationInput
  /**
   * a bottleneck: the link's rate, bits per second. Each frame waits until
   * the ones before it have gone out (its length at this rate each), then
   * takes `delay` (and `jitter`) on top; absent means no limit
   */
  readonly rate?: number
  /**
   * with `rate`: how many frames may wait for the bottleneck (a drop-tail
   * queue, as a router's or `netem limit`); a frame arriving at a full
   * queue is dropped and counted in `overflowed`. Default 100
   */
  readonly queue?: number
  /**
   * with `rate`: an ECN-capable frame arriving to find at least this many
   * frames waiting is marked CE (RFC 3168 §5); absent: no marking
   */
  readonly markAbove?: number
}

/**
 * @since 0.1.0
 * @category models
 */
export interface FaultOptions {
  /** PRNG seed, taken as a 32-bit integer; the same seed replays the same faults */
  readonly seed: number
  /** faults on frames coming up from the inner link */
  readonly rx?: DirectionFaults
  /** faults on frames going down to the inner link */
  readonly tx?: DirectionFaults
  /**
   * capacity of the receive mailbox and of each delay mailbox, in batches;
   * default 1024. With a bottleneck (`rate`) each frame is its own batch in
   * the delay mailbox from its arrival to its delivery: raise it above the
   * frames queued plus those in transit (rate × delay / frame size), or the
   * excess is refused and counted in txQueueFull / rxDropped
   */
  readonly capacity?: number
}

/**
 * What was injected in one direction, in frames.
 *
 * @since 0.1.0
 * @category models
 */
export interface DirectionFaultStats {
  /** frames dropped by `loss` */
  readonly lost: number
  /** extra copies delivered by `duplicate` */
  readonly duplicated: number
  /** frames held back by `reorder` (a duplicate held with its original counts too) */
  readonly reordered: number
  /** frames with one bit flipped by `corrupt` */
  readonly corrupted: number
  /** frames that went through the delay mailbox */
  readonly delayed: number
  /** frames dropped at a full bottleneck queue (`rate`, `queue`) */
  readonly overflowed: number
  /** ECN-capable frames marked CE at the bottleneck (`markAbove`) */
  readonly marked: number
}

/**
 * @since 0.1.0
 * @category models
 */
export interface FaultStats {
  readonly rx: DirectionFaultStats
  readonly tx: DirectionFaultStats
}

/**
 * The wrapped link plus the injection counters.
 *
 * @since 0.1.0
 * @category models
 */
export interface LinkFaultService extends LinkService {
  readonly faultStats: Effect.Effect<FaultStats>
}

// -----------------------------------------------------------------------------
// PRNG (pure)
// -----------------------------------------------------------------------------

/** The murmur3 32-bit finalizer: a bijection on uint32 that mixes every bit. */
const mix32 = (x: number): number => {
  let z = x | 0
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
  return (z ^ (z >>> 16)) >>> 0
}

/**
 * A small deterministic generator of floats in `[0, 1)`: a Weyl sequence
 * (the state advances by an odd constant, period 2^32) passed through
 * `mix32`. Plenty for fault injection; not for anything cryptographic.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makePrng = (seed: number): (() => number) => {
  let state = mix32(seed)
  return () => {
    state = (state + 0x9e3779b9) | 0
    return mix32(state) / 4294967296
  }
}

/** Salts that give each direction and purpose its own stream. */
const Stream = {
  rxFrames: 0x52580001,
  txFrames: 0x54580002,
  rxTiming: 0x52540003,
  txTiming: 0x54540004
} as const

// -----------------------------------------------------------------------------
// one direction (pure apart from its own mutable state)
// -----------------------------------------------------------------------------

interface Resolved {
  readonly loss: number
  readonly duplicate: number
  readonly reorder: number
  readonly corrupt: number
  /** milliseconds */
  readonly delayMs: number
  /** milliseconds */
  readonly jitterMs: number
  /** bits per ms; Infinity: no bottleneck */
  readonly bitsPerMs: number
  /** frames that may wait for the bottleneck */
  readonly queue: number
  /** mark ECN-capable frames CE from this many waiting on; Infinity: never */
  readonly markAbove: number
}

const probability = (name: string, value: number | undefined): number => {
  const p = value ?? 0
  if (!Number.isFinite(p) || p < 0 || p > 1) {
    throw new RangeError(`LinkFault: ${name} must be a probability in [0, 1], got ${p}`)
  }
  return p
}

const millis = (name: string, value: Duration.DurationInput | undefined): number => {
  if (value === undefined) return 0
  const d = Duration.decodeUnknown(value)
  if (d._tag === "None" || !Duration.isFinite(d.value)) {
    throw new RangeError(`LinkFault: ${name} must be a finite duration`)
  }
  return Duration.toMillis(d.value)
}

const rate = (name: string, value: number | undefined): number => {
  if (value === undefined) return Infinity
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`LinkFault: ${name} must be a positive number of bits per second, got ${value}`)
  return value / 1000
}

const queueLimit = (name: string, value: number | undefined): number => {
  const q = value ?? 100
  if (!Number.isInteger(q) || q < 1) throw new RangeError(`LinkFault: ${name} must be a positive whole number of frames, got ${q}`)
  return q
}

const resolve = (dir: string, f: DirectionFaults | undefined): Resolved => ({
  loss: probability(`${dir}.loss`, f?.loss),
  duplicate: probability(`${dir}.duplicate`, f?.duplicate),
  reorder: probability(`${dir}.reorder`, f?.reorder),
  corrupt: probability(`${dir}.corrupt`, f?.corrupt),
  delayMs: millis(`${dir}.delay`, f?.delay),
  jitterMs: millis(`${dir}.jitter`, f?.jitter),
  bitsPerMs: rate(`${dir}.rate`, f?.rate),
  queue: queueLimit(`${dir}.queue`, f?.queue),
  markAbove: f?.markAbove === undefined ? Infinity : queueLimit(`${dir}.markAbove`, f.markAbove)
})

interface Direction {
  readonly faults: Resolved
  /** true when no frame is ever touched: the fast path skips the PRNG */
  readonly passThrough: boolean
  /** true when batches go through the delay mailbox */
  readonly delayed: boolean
  readonly stats: {
    lost: number
    duplicated: number
    reordered: number
    corrupted: number
    delayed: number
    overflowed: number
    marked: number
  }
  readonly nextFrame: () => number
  readonly nextTiming: () => number
  /** the frames held back by `reorder`, waiting for the next frame */
  held: Array<Uint8Array> | undefined
  /** the last deadline handed to the delay mailbox (keeps delivery FIFO), ms */
  lastDeadline: number
  /** with a bottleneck: when each frame still queued for it leaves it, ms, from `departuresHead` on */
  readonly departures: Array<number>
  departuresHead: number
  /** with a bottleneck: frames the last arrival found waiting */
  waiting: number
}

const makeDirection = (faults: Resolved, seed: number, frames: number, timing: number): Direction => ({
  faults,
  passThrough:
    faults.loss === 0 && faults.duplicate === 0 && faults.reorder === 0 && faults.corrupt === 0,
  delayed: faults.delayMs > 0 || faults.jitterMs > 0 || faults.bitsPerMs !== Infinity,
  stats: { lost: 0, duplicated: 0, reordered: 0, corrupted: 0, delayed: 0, overflowed: 0, marked: 0 },
  nextFrame: makePrng(seed ^ frames),
  nextTiming: makePrng(seed ^ timing),
  held: undefined,
  lastDeadline: Number.NEGATIVE_INFINITY,
  departures: [],
  departuresHead: 0,
  waiting: 0
})

/**
 * The bottleneck (`rate`, `queue`) for one frame arriving at `now`: when it
 * would leave the bottleneck, ms, or undefined when the queue is full and it
 * is dropped (counted). A frame waits for every frame queued before it, then
 * takes its own length at the link's rate. It holds its place only once its
 * departure is pushed on `departures` (when the delay mailbox took it).
 */
const departure = (d: Direction, now: number, length: number): number | undefined => {
  const q = d.departures
  while (d.departuresHead < q.length && q[d.departuresHead]! <= now) d.departuresHead++
  if (d.departuresHead > 1024 && d.departuresHead * 2 > q.length) {
    q.splice(0, d.departuresHead)
    d.departuresHead = 0
  }
  const waiting = q.length - d.departuresHead
  d.waiting = waiting
  // (the frame being sent is not waiting: `queue` frames may wait behind it)
  if (waiting > d.faults.queue) {
    d.stats.overflowed++
    return undefined
  }
  const start = waiting > 0 ? q[q.length - 1]! : now
  return start + (length * 8) / d.faults.bitsPerMs
}

/** Where an Ethernet frame's IPv4 header starts. */
const IP_AT = 14

/**
 * `frame` marked CE (RFC 3168 §5) in a copy, with its IPv4 header checksum
 * mended (RFC 1624), when it is an ECN-capable IPv4 frame; else itself.
 */
const markCe = (d: Direction, frame: Uint8Array): Uint8Array => {
  if (frame.length < IP_AT + Ip.MIN_HEADER_LEN || frame[12] !== 0x08 || frame[13] !== 0x00) return frame
  const ecn = Ip.ecnAt(frame, IP_AT)
  if (ecn === Ip.Ecn.NotEct || ecn === Ip.Ecn.Ce) return frame
  const copy = frame.slice()
  Ip.markCe(copy, IP_AT)
  d.stats.marked++
  return copy
}

/**
 * Apply loss, corruption, duplication and reordering to one batch. Returns
 * the frames to pass on, in order (possibly none).
 */
const inject = (d: Direction, batch: ReadonlyArray<Uint8Array>): Array<Uint8Array> => {
  const f = d.faults
  const s = d.stats
  const out: Array<Uint8Array> = []
  for (const frame of batch) {
    // Always six draws per frame: see "Determinism" in the module doc.
    const uLoss = d.nextFrame()
    const uCorrupt = d.nextFrame()
    const uOctet = d.nextFrame()
    const uBit = d.nextFrame()
    const uDuplicate = d.nextFrame()
    const uReorder = d.nextFrame()
    if (uLoss < f.loss) {
      s.lost++
      continue
    }
    let current = frame
    if (uCorrupt < f.corrupt && frame.length > 0) {
      current = frame.slice()
      const octet = Math.floor(uOctet * current.length)
      current[octet] = current[octet]! ^ (1 << Math.floor(uBit * 8))
      s.corrupted++
    }
    let unit: Array<Uint8Array>
    if (uDuplicate < f.duplicate) {
      unit = [current, current.slice()]
      s.duplicated++
    } else {
      unit = [current]
    }
    if (d.held !== undefined) {
      for (const x of unit) out.push(x)
      for (const x of d.held) out.push(x)
      d.held = undefined
    } else if (uReorder < f.reorder) {
      d.held = unit
      s.reordered += unit.length
    } else {
      for (const x of unit) out.push(x)
    }
  }
  return out
}

// -----------------------------------------------------------------------------
// constructors
// -----------------------------------------------------------------------------

type Batch = ReadonlyArray<Uint8Array>

/**
 * Wrap `inner` with seeded faults. The returned link takes over
 * `inner.receive` (its fiber becomes the one consumer); use only the returned
 * link afterwards. Fibers are forked in the current scope.
 *
 * Invalid options (a probability outside `[0, 1]`, an infinite delay) are a
 * defect.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  inner: LinkService,
  options: FaultOptions
): Effect.Effect<LinkFaultService, never, Scope.Scope> =>
  Effect.gen(function* () {
    const rxFaults = yield* Effect.try(() => resolve("rx", options.rx)).pipe(Effect.orDie)
    const txFaults = yield* Effect.try(() => resolve("tx", options.tx)).pipe(Effect.orDie)
    const capacity = options.capacity ?? 1024
    const seed = options.seed | 0
    const rx = makeDirection(rxFaults, seed, Stream.rxFrames, Stream.rxTiming)
    const tx = makeDirection(txFaults, seed, Stream.txFrames, Stream.txTiming)
    const side = yield* Middleware.makeReceiveSide(capacity)
    const own = side.own

    // Sinks: where a finished batch goes in each direction.
    const deliverUp = side.deliver
    const deliverDown = (batch: Batch): Effect.Effect<void> => inner.sendBatch(batch)

    /**
     * The delay stage of one direction: a bounded mailbox of (deadline, batch)
     * and one fiber that sleeps until each deadline, then hands the batch to
     * the sink. The fiber takes one entry at a time (`take`, not `takeAll`):
     * an entry leaves the mailbox only when its turn comes, so at most
     * `capacity` batches wait here. Returns the function that schedules a
     * batch (synchronously; false when the mailbox is full or done).
     */
    const delayStage = (d: Direction, sink: (batch: Batch) => Effect.Effect<void>) =>
      Effect.gen(function* () {
        const pending = yield* Mailbox.make<readonly [number, Batch]>({ capacity, strategy: "dropping" })
        yield* Effect.addFinalizer(() => pending.shutdown)
        yield* Effect.gen(function* () {
          const [deadline, batch] = yield* pending.take
          const now = yield* Effect.clockWith((clock) => clock.currentTimeMillis)
          if (deadline > now) yield* Effect.sleep(Duration.millis(deadline - now))
          yield* sink(batch)
        }).pipe(
          Effect.forever,
          // `take` fails with NoSuchElementException once the mailbox is done
          Effect.catchTag("NoSuchElementException", () => Effect.void),
          Effect.forkScoped
        )
        /** frames of `batch` the full mailbox refused (all or none) */
        const offer = (from: number, batch: Batch): number => {
          const f = d.faults
          const wanted = from + f.delayMs + (f.jitterMs > 0 ? d.nextTiming() * f.jitterMs : 0)
          const deadline = Math.max(wanted, d.lastDeadline)
          if (!pending.unsafeOffer([deadline, batch] as const)) return batch.length
          d.lastDeadline = deadline
          d.stats.delayed += batch.length
          return 0
        }
        if (d.faults.bitsPerMs === Infinity) return offer
        // a bottleneck: each frame leaves it at its own time, so each is its own entry
        return (now: number, batch: Batch): number => {
          let refused = 0
          for (const arrived of batch) {
            const leaves = departure(d, now, arrived.length)
            if (leaves === undefined) continue
            // (the frame on the wire is not waiting, as for `queue`)
            const frame = d.waiting > d.faults.markAbove ? markCe(d, arrived) : arrived
            // (a frame the full mailbox refused takes no time at the bottleneck)
            const no = offer(leaves, [frame])
            if (no === 0) d.departures.push(leaves)
            refused += no
          }
          return refused
        }
      })

    const currentMillis = Effect.clockWith((clock) => clock.currentTimeMillis)

    // ---- transmit path: runs in the caller's fiber, synchronously up to the inner send
    const scheduleTx = tx.delayed
      ? yield* delayStage(tx, deliverDown)
      : undefined
    const forwardTx = (batch: Batch): Effect.Effect<void> => {
      const out = tx.passThrough ? batch : inject(tx, batch)
      if (out.length === 0) return Effect.void
      if (scheduleTx === undefined) return deliverDown(out)
      return Effect.map(currentMillis, (now) => {
        own.txQueueFull += scheduleTx(now, out)
      })
    }

    // ---- receive path: one fiber, the single consumer of inner.receive
    const scheduleRx = rx.delayed
      ? yield* delayStage(rx, (batch) => Effect.sync(() => deliverUp(batch)))
      : undefined
    yield* Middleware.relay(inner, side, (batch) => {
      const out = rx.passThrough ? batch : inject(rx, batch)
      if (out.length === 0) return Effect.void
      if (scheduleRx === undefined) {
        deliverUp(out)
        return Effect.void
      }
      return Effect.map(currentMillis, (now) => {
        own.rxDropped += scheduleRx(now, out)
      })
    })

    const stats = Middleware.stats(inner, own)

    const faultStats: Effect.Effect<FaultStats> = Effect.sync(() => ({
      rx: { ...rx.stats },
      tx: { ...tx.stats }
    }))

    return {
      mac: inner.mac,
      mtu: inner.mtu,
      receive: side.receive,
      // Frames may be held (delay, reorder) past the send: keep our own copy of gathered ones.
      send: (frame) => Effect.suspend(() => forwardTx([flatten(frame)])),
      sendBatch: (frames) => Effect.suspend(() => forwardTx(frames.map(flatten))),
      stats,
      faultStats
    } satisfies LinkFaultService
  })

// -----------------------------------------------------------------------------
// layers
// -----------------------------------------------------------------------------

/**
 * Wrap the `Link` in context with seeded faults. To read `faultStats`, use
 * `make` directly.
 *
 * @example
 * const link = LinkFault.layer({ seed: 7, tx: { loss: 0.01 } }).pipe(
 *   Layer.provide(LinkMemory.layer(a))
 * )
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: FaultOptions): Layer.Layer<Link, never, Link> =>
  Layer.scoped(
    Link,
    Effect.flatMap(Link, (inner) => make(inner, options))
  )
