/**
 * An in-memory Ethernet cable: two `LinkService`s in one process, connected
 * back to back. What A sends arrives on B's `receive`, and the reverse.
 *
 * Contract
 * - Batches are preserved: `sendBatch(frames)` delivers the accepted frames of
 *   that call as one batch on the peer's `receive`; `send(frame)` delivers a
 *   batch of one. Batches are never empty (a call whose frames are all
 *   refused delivers nothing).
 * - Each direction is one bounded, dropping `Mailbox` of `capacity` *batches*
 *   (default 1024), filled with the synchronous `unsafeOffer` (Link.ts says
 *   why a Mailbox). When the peer's mailbox is full the batch is dropped, and
 *   its frames are counted in the **receiver's** `rxDropped`, as a NIC counts
 *   a full receive ring; the sender still counts them in `txFrames` because
 *   they did reach the medium. `send` never blocks and never fails.
 * - A frame longer than `mtu + 14` octets (an Ethernet II header plus the
 *   payload; no FCS, no VLAN tag) is refused by the medium: dropped and
 *   counted in the **sender's** `txTooBig` (and `txDropped`), never
 *   delivered.
 * - Ownership: a single-buffer frame is delivered as-is, without copying: by
 *   sending it, the sender gives it up. A gathered frame (`OutFrame` pieces)
 *   is copied into one fresh buffer during the send, because its pieces go
 *   back to the sender once the send's effect has completed (`Link.ts`); the
 *   receiver gets that copy. Once taken, the receiver owns what it got and
 *   may keep or mutate it. The batch array is always a fresh array built by
 *   the link, so a caller may reuse the array it passed to `sendBatch`.
 * - Offloads (`offload: true`, as a veth pair with its offloads on): both
 *   sides offer checksum and TCP segmentation offload. A frame sent with a
 *   `TxMeta` arrives whole, in a batch whose `checksumOk` vouches for it (as
 *   a veth hands a partial-checksum or GSO packet to the peer's stack
 *   without completing or cutting it), and a segmented frame may be as large
 *   as a 65535-octet datagram. Without it, `meta` is ignored: a partial
 *   checksum arrives as the wrong checksum it is.
 * - Closing the scope that built the pair shuts both mailboxes down: a fiber
 *   waiting in `receive.takeAll` is released with `done = true` (batches not
 *   yet taken are discarded), and later sends are dropped and counted in the
 *   sender's `txErrors` (and `txDropped`). Nothing is ever counted in
 *   `txQueueFull` or `rxErrors`: a full receive mailbox is the receiver's
 *   `rxDropped`, as above.
 *
 * @since 0.1.0
 */
import { Effect, Layer } from "effect"
import type * as Scope from "effect/Scope"
import { Inbox } from "../internal/Inbox.js"
import * as Eth from "../wire/EthernetFrame.js"
import {
  type FrameBatch,
  flatten,
  frameLength,
  Link,
  type LinkOffload,
  type LinkService,
  linkStats,
  MAX_SEGMENTED_FRAME,
  NO_OFFLOAD,
  type OutFrame,
  syncSendBatch,
  TxMeta,
  vouched
} from "./Link.js"
import type { Mac } from "../wire/Mac.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface PairOptions {
  /** MAC address of side A */
  readonly macA: Mac
  /** MAC address of side B */
  readonly macB: Mac
  /** largest Ethernet payload in octets, both sides; default 1500 */
  readonly mtu?: number
  /** receive mailbox capacity per direction, in batches; default 1024 */
  readonly capacity?: number
  /** offer checksum and TCP segmentation offloads, as a veth pair does; default false */
  readonly offload?: boolean
}

const FULL_OFFLOAD: LinkOffload = { checksum: true, tcpSegmentation: true }

/** What one side counts; a cable never counts `rxErrors` or `txQueueFull`. */
interface Counters {
  rxFrames: number
  rxDropped: number
  txFrames: number
  txTooBig: number
  txErrors: number
}

const makeCounters = (): Counters => ({ rxFrames: 0, rxDropped: 0, txFrames: 0, txTooBig: 0, txErrors: 0 })

/**
 * Build one side. `tx` is the peer's receive mailbox; `peer` are the peer's
 * counters, which own the receiver-side drop accounting.
 */
const makeSide = (
  mac: Mac,
  mtu: number,
  rx: Inbox<FrameBatch>,
  tx: Inbox<FrameBatch>,
  c: Counters,
  peer: Counters,
  cable: { open: boolean },
  offload: LinkOffload
): LinkService => {
  const maxFrame = mtu + Eth.HEADER_LEN

  // Synchronous on purpose: `unsafeOffer` never suspends and allocates no
  // effect per batch; on a full or shut-down mailbox it just returns false.
  // A send after scope close is a counted drop (`cable.open` catches it first).
  const deliver = (batch: FrameBatch): void => {
    if (!cable.open) {
      c.txErrors += batch.length
      return
    }
    c.txFrames += batch.length
    if (tx.unsafeOffer(batch)) {
      peer.rxFrames += batch.length
    } else {
      peer.rxDropped += batch.length
    }
  }

  // A single-buffer frame is handed over as it is (the sender gave it up); a
  // gathered one is copied into one buffer, since its pieces go back to the
  // sender once the send completes.
  // (synchronous: the interface calls it in place inside a wake-up, Link.syncSendBatch)
  const sendBatch = syncSendBatch((frames: ReadonlyArray<OutFrame>, meta?: ReadonlyArray<number>): void => {
    const batch: Array<Uint8Array> = []
    let ok: Array<number> | undefined
    let gso: Array<number> | undefined
    for (let i = 0; i < frames.length; i++) {
      const frame = frames[i]!
      const m = offload.checksum && meta !== undefined ? meta[i] ?? 0 : 0
      const size = TxMeta.segmentSize(m)
      if (frameLength(frame) > (size > 0 ? MAX_SEGMENTED_FRAME : maxFrame)) {
        c.txTooBig += 1
        continue
      }
      if (m !== 0) (ok ??= new Array<number>(batch.length).fill(0)).push(1)
      else ok?.push(0)
      // (a segmented frame arrives whole, with the segment size it asked for, as a veth's GSO packet)
      if (size > 0) (gso ??= new Array<number>(batch.length).fill(0)).push(size)
      else gso?.push(0)
      batch.push(flatten(frame))
    }
    if (batch.length > 0) {
      deliver(ok === undefined ? batch : vouched(batch, Uint8Array.from(ok), gso === undefined ? undefined : Uint16Array.from(gso)))
    }
  })
  const send = (frame: OutFrame): Effect.Effect<void> => sendBatch([frame])

  const stats = Effect.sync(() => linkStats({ ...c, rxErrors: 0, rxMalformed: 0, txQueueFull: 0 }))

  return { mac, mtu, offload, receive: rx, send, sendBatch, stats }
}

/**
 * A connected pair of links `[a, b]`. See the module doc for the contract.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makePair = (
  options: PairOptions
): Effect.Effect<readonly [LinkService, LinkService], never, Scope.Scope> =>
  Effect.gen(function* () {
    const mtu = options.mtu ?? 1500
    const capacity = options.capacity ?? 1024
    const toA = yield* Inbox.make<FrameBatch>({ capacity, strategy: "dropping" })
    const toB = yield* Inbox.make<FrameBatch>({ capacity, strategy: "dropping" })
    const offload = options.offload === true ? FULL_OFFLOAD : NO_OFFLOAD
    const cable = { open: true }
    yield* Effect.addFinalizer(() =>
      Effect.suspend(() => {
        cable.open = false
        return Effect.zipRight(toA.shutdown, toB.shutdown)
      })
    )
    const countersA = makeCounters()
    const countersB = makeCounters()
    const a = makeSide(options.macA, mtu, toA, toB, countersA, countersB, cable, offload)
    const b = makeSide(options.macB, mtu, toB, toA, countersB, countersA, cable, offload)
    return [a, b] as const
  })

/**
 * Provide one side of a pair as the `Link` service.
 *
 * @example
 * const [a, b] = yield* LinkMemory.makePair({ macA, macB })
 * yield* program.pipe(Effect.provide(LinkMemory.layer(a)))
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (link: LinkService): Layer.Layer<Link> => Layer.succeed(Link, link)
