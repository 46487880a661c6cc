/**
 * TIME-WAIT as a small record instead of a connection (Linux's
 * inet_timewait_sock): once our side has closed and the peer's FIN is
 * acknowledged, nothing is left to send or deliver, yet the 4-tuple must be
 * held for 2 × MSL (RFC 9293 §3.4.2, §3.10.7.4) so that a retransmitted FIN
 * is acknowledged again and old duplicates cannot reach a new incarnation.
 * The connection's fibers, queues and buffers go; the dealer keeps this
 * record (a few numbers) on the timer wheel.
 *
 * What a segment for a TIME-WAIT 4-tuple does (pure):
 * - RST: ignored (RFC 1337: an RST must not cut TIME-WAIT short);
 * - a SYN without ACK beyond RCV.NXT (or, with timestamps, with a newer
 *   TSval: RFC 6191): a new incarnation; the record goes and the listener
 *   takes the SYN, as Linux does;
 * - a FIN (the peer's, again: our ACK was lost): ACK it and restart the
 *   2 MSL timer (RFC 9293 §3.10.7.4, TIME-WAIT, eighth);
 * - anything else: ACK it (it is outside the window: RFC 9293 §3.10.7.4 first).
 *
 * A connect of ours may take a record's 4-tuple over (Linux's tcp_tw_reuse
 * at its default, 2: over the loopback only) once timestamps were on and a
 * second has passed since the peer was last heard: the peer's PAWS then
 * takes the new incarnation's timestamps as newer, and its ISS starts past
 * every sequence number the old one could have used (SND.NXT + 2^16 + 1, as
 * Linux's tcp_twsk_unique). Without it a host that opens short connections
 * to itself runs out of ephemeral ports after 28 232 in 2 × MSL.
 *
 * @since 0.1.0
 */
import type * as TcpWire from "../wire/TcpHeader.js"
import type { Segment } from "./Segment.js"
import { ACK, FIN, RST, SYN } from "./Segment.js"
import { tsClock } from "./Sender.js"
import * as Seq from "./SeqNum.js"

/** @category models */
export interface TimeWait {
  readonly localPort: number
  readonly remotePort: number
  /** our SND.NXT (past our FIN) */
  readonly sndNxt: Seq.SeqNum
  /** RCV.NXT (past the peer's FIN) */
  readonly rcvNxt: Seq.SeqNum
  readonly tsOk: boolean
  readonly tsRecent: number
  /** the window field our ACKs carry */
  readonly window: number
  /** when the record goes, Clock ms */
  deadline: number
}

/** @category models */
export type Verdict =
  | { readonly _tag: "Ignore" }
  /** answer with `ackFor`; restart the timer when it was the FIN again */
  | { readonly _tag: "Ack"; readonly restart: boolean }
  /** a new connection: forget the record and let the listener take the SYN */
  | { readonly _tag: "Reopen" }

const IGNORE: Verdict = { _tag: "Ignore" }
const ACK_ONLY: Verdict = { _tag: "Ack", restart: false }
const ACK_RESTART: Verdict = { _tag: "Ack", restart: true }
const REOPEN: Verdict = { _tag: "Reopen" }

export const onSegment = (tw: TimeWait, seg: Segment): Verdict => {
  if ((seg.flags & RST) !== 0) return IGNORE
  if ((seg.flags & SYN) !== 0) {
    if ((seg.flags & ACK) !== 0) return ACK_ONLY
    const ts = seg.options.timestamp
    const newer = tw.tsOk && ts !== undefined ? ((ts.value - tw.tsRecent) | 0) > 0 : Seq.gt(seg.seq, tw.rcvNxt)
    return newer ? REOPEN : ACK_ONLY
  }
  return (seg.flags & FIN) !== 0 ? ACK_RESTART : ACK_ONLY
}

/** How long after the peer was last heard a connect may take the 4-tuple over, ms (Linux: the next second). */
export const REUSE_AFTER = 1000

/**
 * Whether a connect may take this record's 4-tuple over at `now` (the caller
 * checks that the peer is ourselves); `timeWait` is the 2 × MSL that each
 * segment heard restarts, so the peer was last heard at deadline - timeWait.
 */
export const reusableForConnect = (tw: TimeWait, now: number, timeWait: number): boolean =>
  tw.tsOk && now - (tw.deadline - timeWait) >= REUSE_AFTER

/** The ISS of the incarnation that takes the 4-tuple over: past the old one's window. */
export const reuseIss = (tw: TimeWait): Seq.SeqNum => Seq.add(tw.sndNxt, 0xffff + 2)

/** The ACK a TIME-WAIT record sends: `<SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>`. */
export const ackFor = (tw: TimeWait, now: number): TcpWire.TcpRepr => ({
  srcPort: tw.localPort,
  dstPort: tw.remotePort,
  seq: tw.sndNxt,
  ack: tw.rcvNxt,
  flags: ACK,
  window: tw.window,
  urgent: 0,
  options: tw.tsOk
    ? { sackPermitted: false, timestamp: { value: tsClock(now), echo: tw.tsRecent } }
    : { sackPermitted: false }
})
