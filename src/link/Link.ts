/**
 * The link: the one thing the stack knows about the wire below Ethernet.
 *
 * Contract
 * - `receive` is a bounded Effect `Mailbox` of *batches* of whole Ethernet II
 *   frames (no preamble, no FCS), in arrival order. A batch is never empty.
 *   Exactly one fiber (the Ethernet dealer, or a wrapping link) drains it,
 *   typically with `takeAll` (`consume` in internal/Handoff.ts), which hands
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
 *
 * Implementations: `LinkTap` (a Linux TAP through the project's N-API addon),
 * `LinkMemory` (a connected pair in one process), and the middlewares
 * `LinkFault` (seeded loss/duplication/reordering/corruption/delay) and
 * `LinkPcap` (records both directions to a pcap file).
 *
 * @since 0.1.0
 */
import { Context, Data, Effect } from "effect"
import type * as Mailbox from "effect/Mailbox"

import type { Mac } from "../wire/Mac.js"

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
export const flatten = (frame: OutFrame): Uint8Array => {
  if (frame instanceof Uint8Array) return frame
  if (frame.length === 1) return frame[0]!.slice()
  const out = new Uint8Array(frameLength(frame))
  let at = 0
  for (const piece of frame) {
    out.set(piece, at)
    at += piece.length
  }
  return out
}

/**
 * @category models
 */
export interface LinkService {
  readonly mac: Mac
  /** largest Ethernet payload in octets (the IP MTU) */
  readonly mtu: number
  /** batches of received frames; one consumer only, done when the link closes */
  readonly receive: Mailbox.ReadonlyMailbox<ReadonlyArray<Uint8Array>>
  readonly send: (frame: OutFrame) => Effect.Effect<void>
  readonly sendBatch: (frames: ReadonlyArray<OutFrame>) => Effect.Effect<void>
  readonly stats: Effect.Effect<LinkStats>
}

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
  txFrames: c.txFrames,
  txDropped: c.txQueueFull + c.txTooBig + c.txErrors,
  txQueueFull: c.txQueueFull,
  txTooBig: c.txTooBig,
  txErrors: c.txErrors
})
