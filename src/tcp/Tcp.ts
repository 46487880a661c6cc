/**
 * TCP (RFC 9293) over the IPv4 layer: the TCP dealer.
 *
 * This first step holds no connections yet: every port is CLOSED, and the
 * dealer does what RFC 9293 §3.10.7.1 asks of that state, so a peer learns
 * at once that nobody listens (Linux's `connect` then fails with
 * ECONNREFUSED instead of waiting for SYN retransmissions to time out):
 *
 * - One dealer fiber takes batches of TCP segments from IPv4 and validates
 *   each in place (`TcpHeader.check`: data offset, options, the
 *   pseudo-header checksum); malformed segments are counted by reason and
 *   dropped.
 * - A segment sent to a broadcast address is dropped (RFC 1122 §4.2.3.10:
 *   a MUST; never answered).
 * - An RST is dropped (§3.10.7.1: "an incoming segment containing a RST is
 *   discarded"): an RST is never answered with an RST.
 * - Any other segment draws a reset, built in place on the send path and
 *   sent with the batch's other resets in one link call: if the segment had
 *   ACK set, `<SEQ=SEG.ACK><CTL=RST>`; otherwise
 *   `<SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>`, where SEG.LEN counts the
 *   data and one each for SYN and FIN.
 *
 * Connections, listeners and the two fibers per TCB come next (issue 7;
 * notes/tcp-plan.md); they will take the segments this dealer answers now.
 *
 * @since 0.1.0
 */
import { Context, Effect, Layer } from "effect"
import { Config } from "../Config.js"
import { Tx } from "../iface/Interface.js"
import { consumeBatches } from "../internal/Handoff.js"
import { Ipv4, type Ipv4Packet, TRANSPORT_OFFSET } from "../ipv4/Ipv4.js"
import * as Ip from "../wire/Ipv4Header.js"
import * as TcpWire from "../wire/TcpHeader.js"
import type { WireReason } from "../wire/WireError.js"
import * as Seq from "./SeqNum.js"

/** @category models */
export interface TcpStats {
  readonly received: number
  readonly malformed: Readonly<Partial<Record<WireReason, number>>>
  /** to a broadcast address, dropped unanswered (RFC 1122 §4.2.3.10) */
  readonly broadcastDropped: number
  /** resets received for a port with no connection, dropped (RFC 9293 §3.10.7.1) */
  readonly resetsIgnored: number
  /** resets sent for segments to a port with no connection */
  readonly resetsSent: number
  /** resets not sent: no route back to the sender */
  readonly resetsUnroutable: number
}

/** @category models */
export interface TcpService {
  readonly stats: Effect.Effect<TcpStats>
}

/** @category tags */
export class Tcp extends Context.Tag("gonet/Tcp")<Tcp, TcpService>() {}

/** @category constructors */
export const make = Effect.gen(function*() {
  const config = yield* Config
  const ip = yield* Ipv4
  const malformed: Partial<Record<WireReason, number>> = {}
  const c = { received: 0, broadcastDropped: 0, resetsIgnored: 0, resetsSent: 0, resetsUnroutable: 0 }

  /** RFC 9293 §3.10.7.1: the reset a segment to a CLOSED port draws, into `tx`. */
  const reset = (p: Ipv4Packet, at: number, headerLen: number, tx: Tx): void => {
    const b = p.bytes
    const flags = TcpWire.flagsAt(b, at)
    const r = ip.route(p.src)
    if (r === undefined) {
      c.resetsUnroutable++
      return
    }
    const acked = (flags & TcpWire.Flag.ACK) !== 0
    const segLen = p.payloadLength - headerLen + ((flags & TcpWire.Flag.SYN) !== 0 ? 1 : 0) +
      ((flags & TcpWire.Flag.FIN) !== 0 ? 1 : 0)
    const repr: TcpWire.TcpRepr = {
      srcPort: TcpWire.dstPortAt(b, at),
      dstPort: TcpWire.srcPortAt(b, at),
      seq: acked ? TcpWire.ackAt(b, at) : Seq.ZERO,
      ack: acked ? Seq.ZERO : Seq.add(TcpWire.seqAt(b, at), segLen),
      flags: acked ? TcpWire.Flag.RST : TcpWire.Flag.RST | TcpWire.Flag.ACK,
      window: 0,
      urgent: 0,
      options: TcpWire.NO_OPTIONS
    }
    const buf = ip.allocate(TcpWire.HEADER_LEN)
    // The pseudo-header (RFC 9293 §3.1): addresses, protocol, segment length; no payload.
    TcpWire.writeHeader(buf, TRANSPORT_OFFSET, repr, 0, r.addressSum + Ip.Protocol.TCP + TcpWire.HEADER_LEN)
    if (ip.emit(tx, r, Ip.Protocol.TCP, buf, buf.length) === undefined) c.resetsSent++
  }

  const deal = (batch: ReadonlyArray<Ipv4Packet>): Effect.Effect<void> =>
    Effect.suspend(() => {
      const tx = new Tx()
      for (const p of batch) {
        c.received++
        const at = p.offset + p.headerLen
        const hl = TcpWire.check(p.bytes, at, p.payloadLength, p.src, p.dst)
        if (hl < 0) {
          const reason = TcpWire.checkReason(hl)
          malformed[reason] = (malformed[reason] ?? 0) + 1
          continue
        }
        if (p.broadcast) {
          c.broadcastDropped++
          continue
        }
        if ((TcpWire.flagsAt(p.bytes, at) & TcpWire.Flag.RST) !== 0) {
          c.resetsIgnored++
          continue
        }
        reset(p, at, hl, tx)
      }
      return ip.flush(tx)
    })

  const inbox = yield* ip.bind(Ip.Protocol.TCP, config.queues.dealer)
  yield* consumeBatches(inbox, deal).pipe(Effect.forkScoped)

  return Tcp.of({ stats: Effect.sync(() => ({ ...c, malformed: { ...malformed } })) })
})

/** @category layers */
export const layer = Layer.scoped(Tcp, make)
