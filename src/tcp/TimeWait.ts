/**
 * TIME-WAIT as a small record instead of a connection (Linux's
 * inet_timewait_sock): once our side has closed and the peer's FIN is
 * acknowledged, nothing is left to send or deliver, yet the 4-tuple must be
 * held for 2 × MSL (RFC 9293 §3.4.2, §3.10.7.4) so that a retransmitted FIN
 * is acknowledged again and old duplicates cannot reach a new incarnation.
 * The connection's fibers, queues and buffers go; the dealer keeps this
 * record (a few numbers) on the timer wheel.
 *
 * What a segment for a TIME-WAIT 4-tuple does (pure; Linux's
 * tcp_timewait_state_process):
 * - RST: ignored (RFC 1337: an RST must not cut TIME-WAIT short);
 * - a SYN without ACK beyond RCV.NXT, or with a newer TSval (RFC 6191 §2),
 *   and not refused by PAWS: a new incarnation, whose ISS starts past every
 *   sequence number the old one used (RFC 1122 §4.2.2.13: SND.NXT + 2^16 + 1,
 *   Linux's tcp_tw_isn); the record goes when a listener takes the SYN;
 * - a FIN (the peer's, again: our ACK was lost): ACK it and restart the
 *   2 MSL timer (RFC 9293 §3.10.7.4, TIME-WAIT, eighth);
 * - a bare ACK at RCV.NXT: in the window, nothing to answer. Answering it,
 *   two records that face each other (after a simultaneous close) would
 *   ACK each other's ACKs without end. Unless PAWS refuses it, its TSval
 *   becomes TS.Recent (RFC 7323 §4.3: SEG.SEQ is Last.ACK.sent; Linux's
 *   tcp_timewait_state_process), which our ACKs echo and PAWS and RFC 6191
 *   then measure against;
 * - anything else is outside the window and gets an ACK (RFC 9293
 *   §3.10.7.4, first), but one without data at most every
 *   `Acceptance.OOW_ACK_INTERVAL` per record (Linux's tcp_oow_rate_limited), so that
 *   no loop of ACKs can run through a record at the speed of the link.
 *
 * A connect of ours from a port it chose (bind(2) then connect(2)) may take
 * a record's 4-tuple over at once whenever timestamps were on, towards any
 * peer: Linux's __inet_hash_connect asks tcp_twsk_unique about a bound port
 * with no TIME-WAIT to hand back (twp NULL), and that skips tcp_tw_reuse and
 * its delay (PAWS alone guards the new incarnation; the application asked
 * for that 4-tuple). Either way the new connection inherits the record's
 * TS.Recent (`inheritedTsRecent`), against which SYN-SENT measures a SYN. From an ephemeral port it may (Linux's tcp_tw_reuse
 * at its default, 2: over the loopback only) once timestamps were on and
 * more than a second has passed since the peer's FIN last came: the peer's
 * timestamp clock has ticked since (RFC 7323 §5.4 lets it tick as slowly as
 * once a second), so PAWS can tell the old incarnation's segments from the
 * new one's (RFC 7323 Appendix B.2), and the new ISS starts past every
 * sequence number the old one could have used (SND.NXT + 2^16 + 1, as
 * Linux's tcp_twsk_unique). Without it a host that opens short connections
 * to itself runs out of ephemeral ports after 28 232 in 2 × MSL.
 *
 * @since 0.1.0
 */
import type * as TcpWire from "../wire/TcpHeader.js"
import { oowLimited, tsNewer, tsOlder } from "./Acceptance.js"
import type { Segment } from "./Segment.js"
import { ACK, FIN, RST, SYN } from "./Segment.js"
import { tsWithOffset } from "./Sender.js"
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
  /**
   * its port was bound with SO_REUSEADDR (as Node binds a chosen port and a listener's, whose
   * connections inherit it), not an ephemeral one a connect chose: only then may a bind (a
   * connect from a chosen port) share it (Linux's inet_bind_conflict: sk_reuse on both)
   */
  readonly reuse: boolean
  /** the peer's TSval to echo (RFC 7323 §4.3): a bare ACK at RCV.NXT updates it */
  tsRecent: number
  /**
   * Clock ms when TS.Recent was recorded (at the entry into TIME-WAIT, the peer's FIN or the ACK of
   * ours has just recorded it): a connect that takes the record over inherits both
   * (`inheritedTsRecent`)
   */
  tsRecentAt: number
  /** what the connection's timestamp clock added (`Negotiation.tsOffset`): its TSvals go on (0 when not given) */
  readonly tsOffset?: number
  /** the window field our ACKs carry */
  readonly window: number
  /** when the record goes, Clock ms */
  deadline: number
  /**
   * when it last answered a segment without data outside the window, Clock ms (the rate limit); after
   * a close in FIN-WAIT-2 it goes on from the orphan's (Linux's timewait sock only moves its substate)
   */
  lastOowAckAt: number | undefined
}

/** @category models */
export type Verdict =
  | { readonly _tag: "Ignore" }
  /** answer with `ackFor`; restart the timer when it was the FIN again */
  | { readonly _tag: "Ack"; readonly restart: boolean }
  /** a new connection, with this ISS: a listener may take the SYN (and the record goes) */
  | { readonly _tag: "Reopen"; readonly iss: Seq.SeqNum }

const IGNORE: Verdict = { _tag: "Ignore" }
const ACK_ONLY: Verdict = { _tag: "Ack", restart: false }
const ACK_RESTART: Verdict = { _tag: "Ack", restart: true }

export const onSegment = (tw: TimeWait, seg: Segment, now: number): Verdict => {
  const flags = seg.flags
  if ((flags & RST) !== 0) return IGNORE
  const ts = tw.tsOk ? seg.options.timestamp : undefined
  // PAWS (RFC 7323 §5): a TSval older than TS.Recent is an old duplicate (never against a TS.Recent
  // of 0: Acceptance.tsOlder, as Linux's tcp_paws_reject here)
  const paws = ts !== undefined && tsOlder(tw.tsRecent, ts.value)
  if ((flags & (SYN | ACK)) === SYN && !paws && (Seq.gt(seg.seq, tw.rcvNxt) || (ts !== undefined && tsNewer(tw.tsRecent, ts.value)))) {
    return { _tag: "Reopen", iss: reuseIss(tw) }
  }
  if ((flags & FIN) !== 0) return ACK_RESTART
  if ((flags & SYN) === 0) {
    // (data gets its ACK each time: the peer would go on sending it otherwise)
    if (seg.payload.length > 0) return ACK_ONLY
    if (!paws && seg.seq === tw.rcvNxt) {
      if (ts !== undefined) {
        tw.tsRecent = ts.value
        tw.tsRecentAt = now
      }
      return IGNORE
    }
  }
  return oowLimited(tw, now) ? IGNORE : ACK_ONLY
}

/** How long after the peer's FIN a connect may take the 4-tuple over, ms: more than this (Linux's tcp_tw_reuse_delay, 1000). */
export const REUSE_AFTER = 1000

/**
 * Whether a connect may take this record's 4-tuple over at `now`. From a
 * port the caller chose (`bound`): whenever timestamps were on (Linux's
 * tcp_twsk_unique with twp NULL; without them connect(2) says EADDRNOTAVAIL).
 * From an ephemeral port (the caller checks that the peer is ourselves):
 * with timestamps, and only later, as follows. `timeWait` is the 2 × MSL that the
 * peer's FIN (again) restarts, so its FIN was last heard at deadline -
 * timeWait. More than REUSE_AFTER, not as much: Clock readings are whole
 * milliseconds, and 1000 between two of them may be 999.x ms, short of the
 * peer clock's slowest tick; Linux (6.14 on) asks the same, time_after32(
 * tcp_clock_ms(), tw_entry_stamp + tcp_tw_reuse_delay), "never shorter than
 * the configured value" (ip-sysctl). Linux counts from the entry into
 * TIME-WAIT and a FIN again does not move it; here it does, as the peer's
 * clock was read later (up to 6.13 Linux counted from the last TS.Recent
 * update, to the second, which a bare ACK at RCV.NXT moved too).
 */
export const reusableForConnect = (tw: TimeWait, now: number, timeWait: number, bound: boolean): boolean =>
  tw.tsOk && (bound || now - (tw.deadline - timeWait) > REUSE_AFTER)

/**
 * What a connect from a port the caller chose (bind(2) with SO_REUSEADDR, as Node's, then
 * connect(2)) meets in this record of its 4-tuple: the bind refused when the record's socket had
 * no SO_REUSEADDR (EADDRINUSE, inet_bind_conflict); else the record gives way when timestamps were
 * on (reusableForConnect), or connect(2) refuses (EADDRNOTAVAIL, __inet_check_established).
 */
export const boundConnect = (tw: TimeWait, now: number, timeWait: number): "TakeOver" | "AddressInUse" | "TupleInUse" =>
  !tw.reuse ? "AddressInUse" : reusableForConnect(tw, now, timeWait, true) ? "TakeOver" : "TupleInUse"

/**
 * What a connect that takes the record over inherits of it, as Linux's tcp_twsk_unique copies
 * tw_ts_recent and its stamp into the connecting socket: TS.Recent and when it was recorded, so
 * that in SYN-SENT a SYN of the old incarnation (a TSval older than TS.Recent) is refused by PAWS
 * (RFC 7323 §5.3 R1; Receiver.synSent) rather than taken for a simultaneous open. Nothing without
 * timestamps (no record without them is taken over). An incoming SYN that takes a record over
 * inherits nothing: its request is made fresh, as Linux's TCP_TW_SYN (tcp_conn_request).
 */
export const inheritedTsRecent = (tw: TimeWait): { readonly tsRecent: number; readonly at: number } | undefined =>
  tw.tsOk ? { tsRecent: tw.tsRecent, at: tw.tsRecentAt } : undefined

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
    ? { sackPermitted: false, timestamp: { value: tsWithOffset(now, tw.tsOffset ?? 0), echo: tw.tsRecent } }
    : { sackPermitted: false }
})
