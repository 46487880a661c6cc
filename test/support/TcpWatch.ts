/**
 * Link middleware for TCP tests in virtual time: records every TCP segment a
 * stack sends with the Clock time it left, and drops the ones a test names,
 * so a test can say "the first data segment is lost" and then assert the
 * exact virtual instant of each retransmission.
 */
import { Effect, Either } from "effect"
import { flatten, type LinkService } from "../../src/link/Link.js"
import * as Ip from "../../src/wire/Ipv4Header.js"
import * as TcpWire from "../../src/wire/TcpHeader.js"
import { asIpv4 } from "./Peer.js"

/** One segment as sent. */
export interface Sent {
  /** Clock ms when it was handed to the link */
  readonly at: number
  readonly seg: TcpWire.TcpSegment
  /** it was dropped by the watch */
  readonly dropped: boolean
}

export interface Watch {
  readonly sent: Array<Sent>
  /** drop a segment when this says so (it sees the segment and how many went before it) */
  drop: (seg: TcpWire.TcpSegment, index: number) => boolean
}

export const makeWatch = (): Watch => ({ sent: [], drop: () => false })

/** Middleware recording (and maybe dropping) the TCP segments sent through the link. */
export const watching = (watch: Watch) => (link: LinkService): Effect.Effect<LinkService> =>
  Effect.map(Effect.clock, (clock) => {
    const keep = (frame: Uint8Array): boolean => {
      const ip = asIpv4(frame)
      if (ip === undefined || ip.protocol !== Ip.Protocol.TCP) return true
      const seg = Either.getOrThrow(TcpWire.parse(ip.payload, ip.src, ip.dst))
      const dropped = watch.drop(seg, watch.sent.length)
      watch.sent.push({ at: clock.unsafeCurrentTimeMillis(), seg, dropped })
      return !dropped
    }
    return {
      ...link,
      send: (frame) => Effect.suspend(() => (keep(flatten(frame)) ? link.send(frame) : Effect.void)),
      sendBatch: (frames) =>
        Effect.suspend(() => {
          const kept = frames.filter((f) => keep(flatten(f)))
          return kept.length === 0 ? Effect.void : link.sendBatch(kept)
        })
    }
  })

/** Segments carrying data. */
export const withData = (w: Watch): Array<Sent> => w.sent.filter((s) => s.seg.payload.length > 0)

export const isSyn = (seg: TcpWire.TcpSegment): boolean => (seg.flags & TcpWire.Flag.SYN) !== 0
export const isFin = (seg: TcpWire.TcpSegment): boolean => (seg.flags & TcpWire.Flag.FIN) !== 0
