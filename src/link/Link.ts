/**
 * The link: the one thing the stack knows about the wire below Ethernet.
 *
 * Contract
 * - `receive` is a bounded Effect `Mailbox` of *batches* of whole Ethernet II
 *   frames (no preamble, no FCS), in arrival order, inside an `Inbox`
 *   (internal/Inbox.ts: its one consumer parks on a doorbell instead of in
 *   the Mailbox's interruptible wait). A batch is never empty.
 *   Exactly one fiber (the Ethernet dealer, or a wrapping link) drains it,
 *   typically with `takeAll()` (`consume` in internal/Handoff.ts), which hands
 *   over every queued batch per wake-up: DESIGN.md §3, one consumer per
 *   queue. A Mailbox and not a `Queue` because an empty `Queue.take` allocates
 *   a `Deferred` per wake-up (Handoff.ts has the measurements); this is the
 *   hottest hand-off in the stack. Once taken, the consumer owns the frames
 *   and may keep or mutate them; the link never touches a delivered frame
 *   again. When the link closes, the mailbox is done (shut down, or ended by a
 *   wrapping link once its inner link is done): `takeAll` then reports
 *   `done = true` and the consumer stops.
 * - `send`/`sendBatch` hand frames to the medium. A frame is one buffer or,
 *   for a gather write, its pieces in order (`OutFrame`: the headers a
 *   transport built and a payload that stays in its send buffer). They never
 *   block on the medium: when it is full the frame is dropped and counted in
 *   `txDropped` (and `txQueueFull`; other refusals in `txErrors`), as a NIC
 *   does, and every protocol above recovers from loss. Ownership: a
 *   single-buffer frame is given up with the send (the link, or whoever it
 *   delivers the frame to, owns it); a gathered frame's pieces come back to
 *   the caller once the send's effect has completed, and may then be reused,
 *   so a link that keeps such a frame longer (a delay line, an in-memory
 *   cable, a pcap writer) copies it.
 * - `mac` is the stack's own address on this link; `mtu` is the largest IP
 *   packet (Ethernet payload) the medium carries, 1500 on Ethernet.
 * - Offloads (`offload`, absent on a link that has none): a link that can
 *   complete partial TCP/UDP checksums, or cut a TCP segment of up to 64 KiB
 *   into MSS-sized ones (TSO), says so, and a frame to send asks for them
 *   with its `TxMeta` (the `meta` of `sendBatch`, per frame; a frame asking
 *   for segmentation may exceed the MTU). On receive, a link may vouch for
 *   the TCP/UDP checksum of some frames (the sending kernel verified it, or
 *   left it partial because it built the frame itself): the batch then
 *   carries `checksumOk`, and the stack does not verify those checksums.
 *
 * Implementations: `LinkTap` (a Linux TAP through the project's N-API addon),
 * `LinkMemory` (a connected pair in one process), and the middlewares
 * `LinkFault` (seeded loss/duplication/reordering/corruption/delay) and
 * `LinkPcap` (records both directions to a pcap file).
 *
 * @since 0.1.0
 */
import { Context, Data, Effect } from "effect"
import { concat } from "../internal/Handoff.js"
import type { Inbox } from "../internal/Inbox.js"

import type { Mac } from "../wire/Mac.js"

/**
 * A batch of received frames. `checksumOk`, when present, has one entry
 * per frame: 1 when the link vouches for that frame's TCP or UDP checksum
 * (see the module's contract), 0 otherwise. A plain array vouches for none.
 * `gsoSize`, when present, has one entry per frame too: for a TCP segment
 * the sending kernel left uncut (a GSO frame: its TSO, handed over whole),
 * the length of the segments it holds (the virtio-net header's `gso_size`,
 * Linux's skb_shinfo(skb)->gso_size, which the receiver's guess of the
 * peer's segment size reads: Receiver.ts), 0 for any other frame. Only a
 * frame the link vouches for can have one.
 * @category models
 */
export interface FrameBatch extends ReadonlyArray<Uint8Array> {
  readonly checksumOk?: Uint8Array | undefined
  readonly gsoSize?: Uint16Array | undefined
}

/**
 * `frames` as a batch carrying `checksumOk` (one entry per frame), and `gsoSize` when given.
 * @category constructors
 */
export const vouched = (frames: Array<Uint8Array>, checksumOk: Uint8Array, gsoSize?: Uint16Array): FrameBatch =>
  Object.assign(frames, gsoSize === undefined ? { checksumOk } : { checksumOk, gsoSize })

/**
 * The frames of several batches as one, in order; `checksumOk` and
 * `gsoSize` are kept when any batch has them.
 */
export const concatBatches = (batches: ReadonlyArray<FrameBatch>): FrameBatch => {
  if (batches.length === 1) return batches[0]!
  const frames = concat(batches)
  if (!batches.some((b) => b.checksumOk !== undefined)) return frames
  const ok = new Uint8Array(frames.length)
  const gso = batches.some((b) => b.gsoSize !== undefined) ? new Uint16Array(frames.length) : undefined
  let at = 0
  for (const b of batches) {
    if (b.checksumOk !== undefined) ok.set(b.checksumOk.subarray(0, b.length), at)
    if (gso !== undefined && b.gsoSize !== undefined) gso.set(b.gsoSize.subarray(0, b.length), at)
    at += b.length
  }
  return vouched(frames, ok, gso)
}

/**
 * What a link can do for frames sent through it.
 * @category models
 */
export interface LinkOffload {
  /** completes a TCP/UDP checksum left partial (`TxMeta.partialChecksum`) */
  readonly checksum: boolean
  /** cuts a TCP/IPv4 segment of up to 64 KiB into segments of `TxMeta`'s size (TSO) */
  readonly tcpSegmentation: boolean
}

/** Largest frame a TSO segment may make: a 65535-octet datagram and its Ethernet header. */
export const MAX_SEGMENTED_FRAME = 65535 + 14

/** A link without offloads. */
export const NO_OFFLOAD: LinkOffload = { checksum: false, tcpSegmentation: false }

/**
 * What one frame to send asks of the link's offloads, as a number (a
 * parallel array of them travels with a batch, so a frame stays a plain
 * buffer): 0 for nothing; else bit 0 (`partialChecksum`, the TCP/UDP
 * checksum field holds only the pseudo-header sum, for the link to complete)
 * and, for TSO, the payload octets per segment times two.
 * @category models
 */
export const TxMeta = {
  none: 0,
  partialChecksum: 1,
  /** a TCP segment to cut into `size`-octet segments, checksums completed */
  segmented: (size: number): number => size * 2 + 1,
  /** the segment size a meta asks for, 0 when it asks for none */
  segmentSize: (meta: number): number => meta >>> 1
} as const

/**
 * Counters kept by every link. Frames, not octets.
 * @category models
 */
export interface LinkStats {
  /** frames delivered to `receive` */
  readonly rxFrames: number
  /** frames lost before delivery (receive queue full, no memory for a read batch) */
  readonly rxDropped: number
  /** hard read errors (a TAP stops reading on the first) */
  readonly rxErrors: number
  /** frames dropped on receive because their offload header could not be honoured (VirtioNet.ts) */
  readonly rxMalformed: number
  /** frames handed to the medium */
  readonly txFrames: number
  /** frames the medium refused, for any reason (the sum of the three below) */
  readonly txDropped: number
  /** of `txDropped`: the medium's queue was full (EAGAIN, ENOBUFS: the kernel's TAP queue) */
  readonly txQueueFull: number
  /** of `txDropped`: longer than the MTU allows */
  readonly txTooBig: number
  /** of `txDropped`: any other refusal (device down, closed, I/O error) */
  readonly txErrors: number
}

/**
 * A frame to send: one buffer, or its pieces written back to back (a gather
 * write). Pieces let a transport send a payload straight from its send
 * buffer behind headers it built elsewhere, with no copy on the way down.
 * @category models
 */
export type OutFrame = Uint8Array | ReadonlyArray<Uint8Array>

/** Octets in a frame to send. */
export const frameLength = (frame: OutFrame): number => {
  if (frame instanceof Uint8Array) return frame.length
  let n = 0
  for (const piece of frame) n += piece.length
  return n
}

/**
 * A frame to send as one buffer: the buffer itself, or its pieces copied
 * into a fresh one. Links that keep a frame beyond the send (a delay line,
 * an in-memory cable, a pcap writer) use this; a TAP writes pieces with
 * `writev` instead.
 */
export const flatten = (frame: OutFrame): Uint8Array => flattenInto(frame, freshBuffer)

/**
 * `flatten`, the pieces copied into a buffer from `allocate` (the loopback
 * cuts small frames from a slab: internal/Slab.ts).
 */
export const flattenInto = (frame: OutFrame, allocate: (length: number) => Uint8Array): Uint8Array => {
  if (frame instanceof Uint8Array) return frame
  const out = allocate(frameLength(frame))
  let at = 0
  for (const piece of frame) {
    out.set(piece, at)
    at += piece.length
  }
  return out
}

const freshBuffer = (length: number): Uint8Array => new Uint8Array(length)

/**
 * @category models
 */
export interface LinkService {
  readonly mac: Mac
  /** largest Ethernet payload in octets (the IP MTU) */
  readonly mtu: number
  /** what the link does for frames sent through it; absent: nothing (`NO_OFFLOAD`) */
  readonly offload?: LinkOffload | undefined
  /** batches of received frames; one consumer only, done when the link closes */
  readonly receive: Inbox<FrameBatch>
  readonly send: (frame: OutFrame) => Effect.Effect<void>
  /** `meta[i]` (`TxMeta`) for `frames[i]`; absent or 0: no offload asked for */
  readonly sendBatch: (frames: ReadonlyArray<OutFrame>, meta?: ReadonlyArray<number>) => Effect.Effect<void>
  readonly stats: Effect.Effect<LinkStats>
}

/** the synchronous send behind each `sendBatch` made by `syncSendBatch` */
const syncSends = new WeakMap<LinkService["sendBatch"], (frames: ReadonlyArray<OutFrame>, meta?: ReadonlyArray<number>) => void>()

/**
 * A `sendBatch` that runs `send` (a synchronous send: it hands the frames to
 * the medium before it returns), for a link whose sends are synchronous
 * anyway (LinkTap's `writev`, LinkMemory's hand-over).
 *
 * Why: the interface flushes a dealer's or a connection's batch inside that
 * fiber's wake-up, and an `Effect.sync` there is an operation, a closure and
 * a continuation per send on the path every packet of a sparse flow takes.
 * `unsafeSendBatchOf` gives the interface `send` itself, but only for this
 * very `sendBatch`: a wrapper that replaces `sendBatch` (a middleware, a
 * test's recorder spreading the link) has none, so nothing bypasses it.
 * @category constructors
 */
export const syncSendBatch = (
  send: (frames: ReadonlyArray<OutFrame>, meta?: ReadonlyArray<number>) => void
): LinkService["sendBatch"] => {
  const sendBatch = (frames: ReadonlyArray<OutFrame>, meta?: ReadonlyArray<number>): Effect.Effect<void> =>
    Effect.sync(() => send(frames, meta))
  syncSends.set(sendBatch, send)
  return sendBatch
}

/**
 * The synchronous send behind `sendBatch` when `syncSendBatch` made it
 * (undefined otherwise): calling it is running `sendBatch(frames, meta)`,
 * now, in the caller's step.
 * @category accessors
 */
export const unsafeSendBatchOf = (
  sendBatch: LinkService["sendBatch"]
): ((frames: ReadonlyArray<OutFrame>, meta?: ReadonlyArray<number>) => void) | undefined => syncSends.get(sendBatch)

/**
 * @category tags
 */
export class Link extends Context.Tag("gonet/Link")<Link, LinkService>() {}

/**
 * Opening or running a link failed. `reason` says which way, `message` gives
 * one line a person can act on.
 * @category errors
 */
export class LinkError extends Data.TaggedError("LinkError")<{
  readonly reason:
    | "NoTunDevice"
    | "NotPermitted"
    | "Busy"
    | "NoSuchDevice"
    | "InvalidName"
    | "Io"
  readonly detail: string
}> {
  override get message(): string {
    return this.detail
  }
}

/**
 * What a link counts: every `LinkStats` field but `txDropped`, which is
 * always the sum of the three refusal kinds and is derived by `linkStats`.
 * @category models
 */
export type LinkCounts = Omit<LinkStats, "txDropped">

/**
 * The `LinkStats` for what a link counted, `txDropped` included. Every link
 * builds its `stats` with this, so the sum is made in one place.
 * @category constructors
 */
export const linkStats = (c: LinkCounts): LinkStats => ({
  rxFrames: c.rxFrames,
  rxDropped: c.rxDropped,
  rxErrors: c.rxErrors,
  rxMalformed: c.rxMalformed,
  txFrames: c.txFrames,
  txDropped: c.txQueueFull + c.txTooBig + c.txErrors,
  txQueueFull: c.txQueueFull,
  txTooBig: c.txTooBig,
  txErrors: c.txErrors
})
