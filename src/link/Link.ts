/**
 * The link: the one thing the stack knows about the wire below Ethernet.
 *
 * Contract
 * - `receive` is a bounded Effect `Mailbox` of *batches* of whole Ethernet II
 *   frames (no preamble, no FCS), in arrival order. A batch is never empty.
 *   Exactly one fiber (the Ethernet dealer, or a wrapping link) drains it,
 *   typically with `takeAll` (`consume` in internal/Registry.ts), which hands
 *   over every queued batch per wake-up: DESIGN.md §3, one consumer per
 *   queue. A Mailbox and not a `Queue` because an empty `Queue.take` allocates
 *   a `Deferred` per wake-up (Registry.ts has the measurements); this is the
 *   hottest hand-off in the stack. Once taken, the consumer owns the frames
 *   and may keep or mutate them; the link never touches a delivered frame
 *   again. When the link closes, the mailbox is done (shut down, or ended by a
 *   wrapping link once its inner link is done): `takeAll` then reports
 *   `done = true` and the consumer stops.
 * - `send`/`sendBatch` hand frames to the medium. They never block on the
 *   medium: when it is full the frame is dropped and counted in `txDropped`
 *   (a NIC does the same, and every protocol above recovers from loss). The
 *   caller must not mutate a frame after handing it over.
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
import { Context, Data, Effect, Random } from "effect"
import type * as Mailbox from "effect/Mailbox"

/**
 * A 6-octet Ethernet address.
 * @category models
 */
export type Mac = Uint8Array

/**
 * Counters kept by every link. Frames, not octets.
 * @category models
 */
export interface LinkStats {
  /** frames delivered to `receive` */
  readonly rxFrames: number
  /** frames lost before delivery (receive queue full, read errors) */
  readonly rxDropped: number
  /** frames handed to the medium */
  readonly txFrames: number
  /** frames the medium refused (full, down, too large) */
  readonly txDropped: number
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
  readonly send: (frame: Uint8Array) => Effect.Effect<void>
  readonly sendBatch: (frames: ReadonlyArray<Uint8Array>) => Effect.Effect<void>
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
 * Mutable counters behind `stats`; owned by one link implementation.
 * @category constructors
 */
export const makeCounters = () => {
  const c = { rxFrames: 0, rxDropped: 0, txFrames: 0, txDropped: 0 }
  return {
    counters: c,
    stats: Effect.sync((): LinkStats => ({ ...c }))
  }
}

/** Format a MAC as `aa:bb:cc:dd:ee:ff`. */
export const formatMac = (mac: Mac): string =>
  Array.from(mac, (b) => b.toString(16).padStart(2, "0")).join(":")

/** Parse `aa:bb:cc:dd:ee:ff` (or with `-`); undefined when malformed. */
export const parseMac = (text: string): Mac | undefined => {
  const parts = text.trim().split(/[:-]/)
  if (parts.length !== 6) return undefined
  const out = new Uint8Array(6)
  for (let i = 0; i < 6; i++) {
    const p = parts[i]!
    if (!/^[0-9a-fA-F]{1,2}$/.test(p)) return undefined
    out[i] = parseInt(p, 16)
  }
  return out
}

/**
 * A random unicast, locally administered MAC (RFC 7042 §2.1: the U/L bit set,
 * the I/G bit clear). Randomness comes from Effect's `Random` so tests can
 * seed it.
 */
export const randomMac: Effect.Effect<Mac> = Effect.gen(function* () {
  const out = new Uint8Array(6)
  for (let i = 0; i < 6; i++) out[i] = yield* Random.nextIntBetween(0, 256)
  out[0] = (out[0]! & 0xfc) | 0x02
  return out
})
