/**
 * RACK (RFC 8985 §6): loss detection by time, not by counting duplicate
 * ACKs. A segment is lost when a segment sent after it has been delivered
 * (cumulatively acknowledged or SACKed) and more than RACK.rtt plus a
 * reordering window has passed since it was sent. This finds what
 * RFC 6675's IsLost cannot: a lost retransmission (before, only the RTO
 * found it), and a loss in a flight too short for three duplicate ACKs.
 * The tail loss probe (RFC 8985 §7) lives in Sender.ts.
 *
 * Plain data owned by one send half, pure functions over it:
 *
 * - the transmission log: every data segment (or FIN) in flight, in
 *   sequence order, with when it was last sent and whether it was
 *   retransmitted, SACKed, or deemed lost. It is kept as parallel arrays of
 *   numbers from `head` on, so a bulk transfer adds no object per segment;
 *   acknowledged entries leave from the front.
 * - `onAck` (§6.2 steps 1-3): the newly delivered entries update RACK.xmit_ts,
 *   RACK.end_seq and RACK.rtt (skipping a retransmission whose ACK may be for
 *   the original), the minimum RTT, and whether reordering has been seen.
 *   The minimum RTT is Linux's tcp_min_rtt: the smallest sample of the last
 *   300 s (WindowedMin.ts, tcp_min_rtt_wlen), one sample an ACK (its newest
 *   delivered segment's, ca_rtt_us in tcp_clean_rtx_queue), taken after the
 *   ACK's entries were judged against the minimum before it (tcp_rack_advance
 *   runs before tcp_ack_update_rtt), and none larger than the minimum from an
 *   ACK that may have been delayed (tcp_update_rtt_min's
 *   FLAG_ACK_MAYBE_DELAYED: a peer that delays every ACK would otherwise
 *   make its delay the path's once the window passed). An all-time minimum
 *   never forgot a path that grew longer, and the reordering window built on
 *   it stayed too small for good. It looks only at what the scoreboard holds
 *   beyond the ranges the last ACK left (`tags`, Linux's recv_sack_cache),
 *   each part's entries found by a binary search: an ACK costs what it
 *   changed, not the flight.
 * - `reorderingWindow` (§6.2 step 4) and `detectLoss` (step 5): mark the
 *   entries now lost, and say how long until the next could be (the
 *   reordering timer, §6.2 step 5), judging only the entries between those
 *   ranges and none past the first sent after the most recently delivered
 *   (`retransEnd`). The window grows with the peer's
 *   D-SACKs (`onDsack`, RFC 2883: our retransmission was spurious) and
 *   shrinks back after 16 recoveries without one (`onRecoveryEnd`).
 * - `markTimeout` (§6.3): a retransmission timeout marks the log lost but
 *   for what went within RACK.rtt of it, held in flight: the go-back skips
 *   it (`skipHeld`) and counts it in flight ahead of SND.NXT (`heldFrom`); a
 *   shut window lets go of it (`releaseHeld`), a spurious timeout unmarks
 *   everything (`unmarkLost`, Linux's tcp_undo_cwnd_reduction).
 * - `lostFrom` and `lostRetransmitted`: what RACK marked lost that RFC
 *   6675's pipe counts in flight (the sender's `pipe` asks 3-4 times an ACK
 *   in recovery). Every change of a LOST mark goes through `setFlags`, which
 *   keeps the octets marked lost (and lost again after a resend) and a bound
 *   on where they end, as Linux keeps lost_out beside its queue
 *   (tcp_mark_skb_lost adds, tcp_sacktag_one and tcp_clean_rtx_queue take
 *   away) for tcp_packets_in_flight rather than walk it: with none lost, or
 *   the boundary past them all, these answer at once; else they scan the
 *   shorter side of it. `firstLost`, which a recovery's resends take each
 *   turn, starts from a bound on where they start (retransmit_skb_hint),
 *   and answers with the entry's index, allocating nothing. `inFlight`
 *   (what the window holds after a timeout, each ACK) is a count kept the
 *   same way, of the octets neither SACKed nor lost.
 *
 * RACK needs SACK (without it, later segments cannot be seen delivered): its
 * rules run only when SACK was negotiated. The log is kept without SACK too,
 * its acknowledged entries leaving it (`onAck` with an empty scoreboard), for
 * `markLongerLost`: a path MTU report resends the segments longer than the new
 * MSS, which only the log's segment edges tell.
 *
 * @since 0.1.0
 */
import type { SackBlock } from "../wire/TcpHeader.js"
import type { Scoreboard } from "./Scoreboard.js"
import * as Seq from "./SeqNum.js"
import * as WindowedMin from "./WindowedMin.js"

const RETRANSMITTED = 1
const SACKED = 2
const LOST = 4
/**
 * Not marked lost at a retransmission timeout because sent within RACK.rtt
 * of it (`markTimeout`): in flight still, and not sent again by the
 * timeout's go-back until RACK marks it lost or the next timeout does
 */
const HELD = 8
/**
 * A window probe's octet (the persist timer's, `Sender`): data in flight by its octet, but no
 * packet of `outSegs`, as Linux's probe into a shut window carries no data (tcp_xmit_probe_skb)
 * and leaves packets_out; a resend over it makes it a packet as any
 */
const PROBE = 16

/** Entry marks `f` count a packet in flight (`outSegs`): neither SACKED nor LOST, nor a probe's octet */
const packet = (f: number): boolean => (f & (LOST | SACKED | PROBE)) === 0

/**
 * The empty log: four fields of every idle connection point here, and
 * `onSend` gives the log arrays of its own before its first entry. Never
 * written (frozen, so a write would throw).
 */
const NO_LOG: Array<number> = Object.freeze([]) as unknown as Array<number>

/** @category models */
export interface Rack {
  /** the log, entry i (from `head`) covering [starts[i], ends[i]) */
  starts: Array<number>
  ends: Array<number>
  /** Clock ms the entry was last sent */
  sentAt: Array<number>
  /**
   * the entry's place in the order of sends (`sends` when it was last
   * sent): RACK's "sent after" (§6.2) compares these, not times. The RFC
   * orders by time and breaks ties by sequence number, which assumes a
   * clock fine enough that only one send falls in a tick; this one counts
   * milliseconds, and a path a millisecond long (a TAP) sends a
   * retransmission in the same tick as the later segments it must be
   * ordered after: ordered by sequence number, it looked sent before the
   * segment SACKed next and was marked lost again at every duplicate ACK
   */
  order: Array<number>
  /** sends so far (each `onSend` is one, however many entries it covers) */
  sends: number
  flags: Array<number>
  head: number
  /**
   * RACK.end_seq and that segment's place in the order of sends (none: -1):
   * the most recently sent segment delivered so far
   */
  endSeq: Seq.SeqNum
  xmitOrder: number
  /**
   * RACK.xmit_ts, the Clock ms that segment went (none: -Infinity). The rules
   * order by `xmitOrder` and time each entry by its own `sentAt`; this is
   * kept to be looked at (the tests follow RACK's choice of segment by it)
   */
  xmitAt: number
  /** RACK.rtt: that segment's RTT, ms */
  rtt: number
  /** the smallest RTT measured within the last `WindowedMin.RTT_WINDOW` (`minRtt` gives it), ms */
  readonly minRttFilter: WindowedMin.WindowedMin
  /** RACK.fack: the highest sequence number delivered */
  fack: Seq.SeqNum
  /** RACK.reord: a segment was delivered below RACK.fack without being retransmitted */
  reordering: boolean
  /**
   * Linux's tp->reordering for a SACK connection: how far, in segments, the peer has been seen to
   * deliver out of order (3, sysctl_tcp_reordering, until shown more; at most 300,
   * sysctl_tcp_max_reordering). Raised by `checkReordering`, brought back to 3 by a timeout after
   * three segments or more were SACKed outside a recovery (`timeoutReordering`). Above 3, an ACK
   * that SACKs new data grows the window outside a recovery (Linux's tcp_may_raise_cwnd)
   */
  degree: number
  /** entries SACKed and not yet cumulatively acknowledged */
  sacked: number
  /** entries in the log sent more than once */
  retransmitted: number
  /** entries HELD by the last timeout (`markTimeout`), not yet sent again, SACKed, lost or acknowledged */
  held: number
  /**
   * Octets of the entries marked LOST, and of those among them also
   * RETRANSMITTED (a resend lost again), kept by `setFlags` and the ACK's
   * trimming, so `lostFrom` and `lostRetransmitted` need not scan the log
   */
  lostOctets: number
  lostRetransOctets: number
  /**
   * Octets of the entries neither SACKED nor LOST (`inFlight`'s answer),
   * kept by `setFlags`, the sends, the ACK's trimming and the bulk unmarks
   * (`renege`, `unmarkLost`), so the congestion window's check after a
   * timeout does not walk the log
   */
  outOctets: number
  /**
   * Entries neither SACKED nor LOST: the wire's segments in flight, each one packet as Linux's
   * tcp_packets_in_flight counts skbs (packets_out - sacked_out - lost_out + retrans_out), however
   * short (`inFlightSegments`). Kept beside `outOctets` by the same changes, and a split's piece
   */
  outSegs: number
  /**
   * At or after the end of every entry marked LOST (`lostEnd`) and every
   * one LOST and RETRANSMITTED (`lostRetransEnd`): raised at each mark,
   * never lowered while anything counted is left (entries' ends only move
   * down, by a split); meaningless while the count is 0
   */
  lostEnd: Seq.SeqNum
  lostRetransEnd: Seq.SeqNum
  /**
   * At or before the start of every entry marked LOST: lowered at each mark,
   * raised by `firstLost` to the first it finds (entries' starts only move
   * up, by a trim or a split), so a recovery's resends, each taking the
   * first lost entry, do not walk the log from its head each time (Linux's
   * retransmit_skb_hint); meaningless while `lostOctets` is 0
   */
  lostStart: Seq.SeqNum
  /**
   * At or after the end of every entry sent more than once (raised at each
   * resend, never lowered: ends only move down, by a split); meaningless
   * while `retransmitted` is 0. The entries from there on were sent once, in
   * sequence order, so those sent after the most recently delivered segment
   * are the last ones (`detectLoss` stops at the first of them)
   */
  retransEnd: Seq.SeqNum
  /** RACK.reo_wnd_mult: the reordering window in quarters of the minimum RTT, grown by D-SACKs (§6.2 step 4) */
  reoWndMult: number
  /**
   * `sends` when the window last grew (0: never): an ACK whose newest delivered entry went before
   * then drops a D-SACK seen (Linux's rack.last_delivered, tp->delivered then, against the rate
   * sample's prior_delivered, the delivered count when that entry went: one round trip by delivered
   * data, told here by the order of sends)
   */
  reoRound: number
  /**
   * Linux's rack.reo_wnd_persist:5, dsack_seen:1 and advanced:1, in one small integer as Linux keeps
   * them in one byte (a field each was a slot more on every connection): the recoveries left before
   * a grown window goes back to one quarter (`& PERSIST`); `DSACK_SEEN`; `ADVANCED`, something was
   * delivered (an entry `update` took, not a resend whose ACK may be the original's) since RACK's
   * last marking run (`takeAdvanced`)
   */
  reoBits: number
  /**
   * What the last `onAck` delivered, for F-RTO (RFC 5682 §3.1): the end of
   * the lowest entry it delivered that was never sent twice (undefined:
   * none; the lowest, so that data sent before a timeout shows even when
   * the same ACK covers newer data too), and whether it SACKed any entry
   */
  lastOriginalEnd: Seq.SeqNum | undefined
  lastSacked: boolean
  /**
   * The RTT, ms, of the most recently sent entry the last `onAck` delivered
   * that was never sent twice (Karn). Linux's ca_rtt_us for congestion
   * control (last_sackt's, else last_ackt's) when `ackRtt` has a sample, which
   * the Sender checks first (Linux has none from an ACK of a resent segment
   * that SACKs nothing): HyStart++'s sample per ACK, timestamps on or off.
   * Undefined: none.
   */
  lastOriginalRtt: number | undefined
  /**
   * The scoreboard's ranges as the last `onAck` left them (`Tags`; undefined with no log, or none
   * yet): every entry wholly inside one was SACKED then,
   * so the next ACK looks only at what its board holds beyond them (Linux's recv_sack_cache, which
   * lets tcp_sacktag_write_queue skip the blocks it has walked before). Since then only a split or
   * a new entry can make an entry not SACKED lie wholly inside one (a trim is `onAck`'s own); each such
   * entry is inside the tags' dirty span (`lo`..`hi`, while `dirty`), and a range meeting that span is looked
   * at whole. `renege` forgets them all.
   */
  tags: Tags | undefined
}

/**
 * `Rack.tags`: made at the first ACK with SACK ranges and let go with the log (`release`), so an
 * idle connection holds none of it (on every connection, a field each and a number's box for each
 * sequence number would be ~80 octets of the ~16 KiB an idle connection holds).
 */
interface Tags {
  /** [left[k], right[k]) for k below `count`: the scoreboard's ranges as the last `onAck` left them */
  readonly left: Array<number>
  readonly right: Array<number>
  count: number
  /** a new entry or a split's piece lies inside a tag: `lo`..`hi` is looked at again */
  dirty: boolean
  lo: Seq.SeqNum
  hi: Seq.SeqNum
}

/** Linux's sysctl_tcp_reordering and sysctl_tcp_max_reordering defaults (segments): `Rack.degree` */
export const REORDERING = 3
const MAX_REORDERING = 300

/** RACK.reo_wnd_persist's start: 16 recoveries without a D-SACK reset the window (§6.2 step 4) */
const REO_WND_PERSIST = 16
/** `reoBits`: the recoveries left (5 bits), a D-SACK waiting to widen the window, something delivered since the last run */
const PERSIST = 31
const DSACK_SEEN = 32
const ADVANCED = 64

/** @category constructors */
export const make = (iss: Seq.SeqNum): Rack => ({
  starts: NO_LOG,
  ends: NO_LOG,
  sentAt: NO_LOG,
  order: NO_LOG,
  sends: 0,
  flags: NO_LOG,
  head: 0,
  xmitAt: -Infinity,
  endSeq: iss,
  xmitOrder: -1,
  rtt: 0,
  minRttFilter: WindowedMin.make(),
  fack: iss,
  reordering: false,
  degree: REORDERING,
  sacked: 0,
  retransmitted: 0,
  held: 0,
  lostOctets: 0,
  lostRetransOctets: 0,
  outOctets: 0,
  outSegs: 0,
  lostEnd: iss,
  lostRetransEnd: iss,
  lostStart: iss,
  retransEnd: iss,
  reoWndMult: 1,
  reoRound: 0,
  reoBits: REO_WND_PERSIST,
  lastOriginalEnd: undefined,
  lastSacked: false,
  lastOriginalRtt: undefined,
  tags: undefined
})

/**
 * RACK_sent_after (§6.2), by the order of sends (`order`): o1/seq1 went
 * after o2/seq2. Entries of one send (split later, or covered by one
 * resend) share a place and are ordered by sequence number, as the RFC's
 * tie-break orders the segments of one TSO burst.
 */
const sentAfter = (o1: number, seq1: number, o2: number, seq2: number): boolean =>
  o1 > o2 || (o1 === o2 && Seq.gt(seq1 as Seq.SeqNum, seq2 as Seq.SeqNum))

/** Entries in the log. */
export const size = (r: Rack): number => r.starts.length - r.head

/**
 * Entry `i`'s marks become `f`. Every change of a LOST mark comes here, and
 * every change of a SACKED mark but the bulk ones (`renege`), so the lost
 * counts (`lostOctets`, `lostRetransOctets`), their bounds and the octets in
 * flight (`outOctets`) follow it; a change of other marks alone costs one
 * test more.
 */
const setFlags = (r: Rack, i: number, f: number): void => {
  const old = r.flags[i]!
  r.flags[i] = f
  if (((old | f) & (LOST | SACKED)) === 0 && ((old ^ f) & PROBE) === 0) return
  const end = r.ends[i]! as Seq.SeqNum
  const len = Seq.sub(end, r.starts[i]! as Seq.SeqNum)
  // (in flight: neither SACKED nor LOST, before or after)
  if ((old & (LOST | SACKED)) === 0) r.outOctets -= len
  if ((f & (LOST | SACKED)) === 0) r.outOctets += len
  if (packet(old)) r.outSegs--
  if (packet(f)) r.outSegs++
  if (((old | f) & LOST) === 0) return
  if ((old & LOST) !== 0) r.lostOctets -= len
  if ((f & LOST) !== 0) {
    const start = r.starts[i]! as Seq.SeqNum
    if (r.lostOctets === 0 || Seq.gt(end, r.lostEnd)) r.lostEnd = end
    if (r.lostOctets === 0 || Seq.lt(start, r.lostStart)) r.lostStart = start
    r.lostOctets += len
  }
  if ((old & (LOST | RETRANSMITTED)) === (LOST | RETRANSMITTED)) r.lostRetransOctets -= len
  if ((f & (LOST | RETRANSMITTED)) === (LOST | RETRANSMITTED)) {
    if (r.lostRetransOctets === 0 || Seq.gt(end, r.lostRetransEnd)) r.lostRetransEnd = end
    r.lostRetransOctets += len
  }
}

/**
 * [start, end) went out at `now`: a new entry for octets beyond the log,
 * and for octets already in it a retransmission (every entry it covers
 * counts as sent again, and is no longer lost). An entry it covers in part
 * (a resend cut at the peer's window or short of room for its options) is
 * split at the resend's edges first, as Linux's tcp_fragment splits the skb:
 * the part not sent again keeps its send time and its marks, so RACK can
 * still find it lost, and a resend after a timeout takes it next.
 */
export const onSend = (r: Rack, start: Seq.SeqNum, end: Seq.SeqNum, now: number, probe = false): void => {
  const n = r.starts.length
  const last = n > r.head ? (r.ends[n - 1]! as Seq.SeqNum) : undefined
  const order = r.sends++
  // a window probe's octet at the head of the segment that follows it: one entry, that segment's,
  // and one packet, as on the wire (Linux's probe carried no data: one skb, this send). Sent again
  // as before (RETRANSMITTED: an ACK of it gives no RTT sample, Karn, as when the resend of the
  // probe's octet was an entry of its own beside the new octets)
  const p = n - 1
  if (!probe && last !== undefined && (r.flags[p]! & (PROBE | SACKED)) === PROBE && r.starts[p] === start && Seq.gt(end, last)) {
    const f = r.flags[p]!
    if (r.retransmitted === 0 || Seq.gt(end, r.retransEnd)) r.retransEnd = end
    if ((f & RETRANSMITTED) === 0) r.retransmitted++
    if ((f & HELD) !== 0) r.held--
    setFlags(r, p, RETRANSMITTED)
    r.ends[p] = end
    r.sentAt[p] = now
    r.order[p] = order
    r.outOctets += Seq.sub(end, last)
    noteEdges(r, start, end)
    return
  }
  let from = start
  if (last !== undefined && Seq.lt(start, last)) {
    // the entries the resend covers, and whether the peer has SACKed any of them
    let first = -1
    let lastCovered = -1
    let sacked = false
    for (let i = r.head; i < r.starts.length && Seq.lt(r.starts[i]! as Seq.SeqNum, end); i++) {
      if (!Seq.gt(r.ends[i]! as Seq.SeqNum, start)) continue
      // (the part before the resend stays entry i; the next turn takes the rest)
      if (Seq.lt(r.starts[i]! as Seq.SeqNum, start)) {
        split(r, i, start)
        continue
      }
      if (Seq.gt(r.ends[i]! as Seq.SeqNum, end)) split(r, i, end)
      r.sentAt[i] = now
      r.order[i] = order
      if (r.retransmitted === 0 || Seq.gt(r.ends[i]! as Seq.SeqNum, r.retransEnd)) r.retransEnd = r.ends[i]! as Seq.SeqNum
      if ((r.flags[i]! & RETRANSMITTED) === 0) r.retransmitted++
      if ((r.flags[i]! & HELD) !== 0) r.held--
      // (a probe again over a probe's octet stays one: no packet)
      setFlags(r, i, (r.flags[i]! | RETRANSMITTED) & ~(LOST | HELD | (probe ? 0 : PROBE)))
      if ((r.flags[i]! & SACKED) !== 0) sacked = true
      if (first < 0) first = i
      lastCovered = i
    }
    // one segment that went again over several entries (pieces of segments a smaller path MTU cut,
    // or short ones a timeout's resend joins) is one entry: the log's edges are the wire's, as
    // Linux's tcp_retrans_try_collapse joins the skbs (a later, smaller path MTU cuts it again whole)
    if (lastCovered > first && !sacked) {
      const k = lastCovered - first
      // (each joined entry is in flight, neither SACKED nor LOST now: the joined one counts what it spans)
      for (let i = first; i <= lastCovered; i++) r.outOctets -= Seq.sub(r.ends[i]! as Seq.SeqNum, r.starts[i]! as Seq.SeqNum)
      r.outOctets += Seq.sub(r.ends[lastCovered]! as Seq.SeqNum, r.starts[first]! as Seq.SeqNum)
      r.outSegs -= k
      r.ends[first] = r.ends[lastCovered]!
      for (const a of [r.starts, r.ends, r.sentAt, r.order, r.flags]) a.splice(first + 1, k)
      r.retransmitted -= k
      // (no `noteEdges`: inside a range the last ACK tagged, each piece not SACKED was noted
      // already, so the span noted holds the joined entry too)
    }
    if (!Seq.gt(end, last)) return
    from = last
  }
  if (r.starts === NO_LOG) {
    r.starts = []
    r.ends = []
    r.sentAt = []
    r.order = []
    r.flags = []
  }
  r.starts.push(from)
  r.ends.push(end)
  r.sentAt.push(now)
  r.order.push(order)
  r.flags.push(probe ? PROBE : 0)
  r.outOctets += Seq.sub(end, from)
  if (!probe) r.outSegs++
  noteEdges(r, from, end)
}

/**
 * [start, end) is a new entry of the log, not SACKED (a new segment, a split's piece): if it lies
 * wholly inside a range the last `onAck` tagged, the next must look there again (`dirty`). The sender's own entries never do (a SACK range's edges are the log's, and what lies
 * inside one is SACKED), so this is a binary search of the tags and nothing more.
 */
const noteEdges = (r: Rack, start: Seq.SeqNum, end: Seq.SeqNum): void => {
  const t = r.tags
  if (t === undefined || t.count === 0) return
  const tn = t.count
  // the first tag that ends after start
  let lo = 0
  let hi = tn
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (Seq.gt(t.right[mid]! as Seq.SeqNum, start)) hi = mid
    else lo = mid + 1
  }
  if (lo === tn || Seq.gt(t.left[lo]! as Seq.SeqNum, start) || Seq.gt(end, t.right[lo]! as Seq.SeqNum)) return
  if (!t.dirty) {
    t.dirty = true
    t.lo = start
    t.hi = end
    return
  }
  if (Seq.lt(start, t.lo)) t.lo = start
  if (Seq.gt(end, t.hi)) t.hi = end
}

/** Entry `i` becomes [its start, `at`) and [`at`, its end) follows it, with the same send time and marks. */
const split = (r: Rack, i: number, at: Seq.SeqNum): void => {
  const f = r.flags[i]!
  r.starts.splice(i + 1, 0, at)
  r.ends.splice(i + 1, 0, r.ends[i]!)
  r.sentAt.splice(i + 1, 0, r.sentAt[i]!)
  r.order.splice(i + 1, 0, r.order[i]!)
  r.flags.splice(i + 1, 0, f)
  r.ends[i] = at
  if ((f & SACKED) !== 0) r.sacked++
  if ((f & RETRANSMITTED) !== 0) r.retransmitted++
  if ((f & HELD) !== 0) r.held++
  // (two packets now, as tcp_fragment's two skbs)
  if (packet(f)) r.outSegs++
  if ((f & SACKED) === 0) {
    noteEdges(r, r.starts[i]! as Seq.SeqNum, at)
    noteEdges(r, at, r.ends[i + 1]! as Seq.SeqNum)
  }
}

/**
 * An ACK arrived at `at` (the batch's arrival time), acknowledging up to
 * `ack`, with `board` the scoreboard after its SACK blocks. Steps 1-3 of
 * §6.2 for every entry it delivered; acknowledged entries leave the log.
 * `tsEcr` (the echoed timestamp, in the sender's timestamp clock `tsOf`) tells
 * a retransmission's ACK from the original's. `maybeDelayed`: the ACK may
 * have waited for the peer's delayed-ACK timer (`sampleMinRtt`). `sentFrom`:
 * sends from this place in their order (`sends`) on went after the ACK
 * arrived, so a resend among them is not what it delivers (`update`).
 *
 * An entry is newly SACKed when it lies wholly inside one of the board's
 * ranges and was not SACKED. Only what the board holds beyond the ranges the
 * last ACK left (`tags`) is looked at, each piece found by a
 * binary search of the log (entries are in sequence order): the work is what
 * the ACK changed, not the whole flight (a long SACK recovery walked every
 * entry below the highest SACK at every ACK, SACKED ones one by one), as
 * Linux's tcp_sacktag_write_queue skips the blocks its recv_sack_cache
 * holds and tcp_sacktag_skip seeks in its rb-tree to each block's first skb.
 * The entries delivered are taken in sequence order (acknowledged, then
 * SACKed), as a walk from the head takes them, so RACK's state is the same.
 */
export const onAck = (
  r: Rack,
  ack: Seq.SeqNum,
  board: Scoreboard,
  at: number,
  tsEcr: number | undefined,
  tsOf: (ms: number) => number,
  maybeDelayed = false,
  sentFrom = Infinity
): void => {
  const n = r.starts.length
  const ranges = board.ranges
  tally.sentFrom = sentFrom
  // RACK.rtt from this ACK (§6.2 step 2 sets it for every segment delivered, sent after RACK.xmit_ts
  // or not): Linux tags SACKed skbs first and then frees the cumulatively acknowledged ones
  // (tcp_sacktag_write_queue before tcp_clean_rtx_queue, each calling tcp_rack_advance), so the
  // last of those, else the last SACKed one, gives it (`tally`)
  tally.cumRtt = -1
  tally.sackRtt = -1
  tally.shortest = Infinity
  tally.original = undefined
  tally.newestOriginal = -Infinity
  tally.sacked = false
  tally.firstAckt = NO_SEND
  tally.retransAcked = false
  tally.firstSackt = NO_SEND
  tally.newestOrder = -1
  // (Linux's prior_fack, tcp_highest_sack_seq before this ACK: only while something is SACKed,
  // else SND.UNA, below everything this ACK delivers; RACK.fack then is the highest SACKed end)
  tally.reordFack = r.sacked > 0 ? r.fack : undefined
  tally.reordLow = undefined
  tally.reordAcked = false
  tally.segments = 0
  // the log is in sequence order: the acknowledged entries are its first ones, and leave it
  let i = r.head
  for (; i < n; i++) {
    const start = r.starts[i]! as Seq.SeqNum
    const end = r.ends[i]! as Seq.SeqNum
    if (Seq.gt(end, ack)) break
    const f = r.flags[i]!
    if ((f & SACKED) !== 0) r.sacked--
    if ((f & RETRANSMITTED) !== 0) {
      r.retransmitted--
      tally.retransAcked = true
    } else if ((f & SACKED) === 0) {
      if (tally.firstAckt === NO_SEND) tally.firstAckt = r.sentAt[i]!
      // a hole sent once and filled below what was SACKed: reordering (Linux's tcp_clean_rtx_queue,
      // `reord` below prior_fack; the first such is the lowest)
      if (tally.reordLow === undefined && tally.reordFack !== undefined && Seq.lt(start, tally.reordFack)) {
        tally.reordLow = start
        tally.reordAcked = true
      }
    }
    if ((f & HELD) !== 0) r.held--
    if ((f & LOST) !== 0) {
      const len = Seq.sub(end, start)
      r.lostOctets -= len
      if ((f & RETRANSMITTED) !== 0) r.lostRetransOctets -= len
    } else if ((f & SACKED) === 0) {
      r.outOctets -= Seq.sub(end, start)
      if ((f & PROBE) === 0) r.outSegs--
    }
    if ((f & SACKED) === 0) deliver(r, i, false, at, tsEcr, tsOf)
  }
  r.head = i
  // acknowledged in part (a segment cut at the peer's window, or the peer took part of it): what is
  // left starts at the ACK, as Linux's tcp_trim_head trims the skb, so that nothing is ever resent
  // from below SND.UNA; its new start may put it inside a range it only met before
  if (i < n && Seq.lt(r.starts[i]! as Seq.SeqNum, ack)) {
    const f = r.flags[i]!
    if ((f & LOST) !== 0) {
      const len = Seq.sub(ack, r.starts[i]! as Seq.SeqNum)
      r.lostOctets -= len
      if ((f & RETRANSMITTED) !== 0) r.lostRetransOctets -= len
    } else if ((f & SACKED) === 0) {
      r.outOctets -= Seq.sub(ack, r.starts[i]! as Seq.SeqNum)
    }
    r.starts[i] = ack
    if ((f & SACKED) === 0 && rangeHolds(ranges, ack, r.ends[i]! as Seq.SeqNum)) tag(r, i, at, tsEcr, tsOf)
  }
  // each range of the board, less the tagged ranges it holds (looked at whole where an entry may
  // have changed inside one since, `dirty`). This needs the board's ranges never to touch (Scoreboard
  // merges touching blocks): an entry across the point where two tags met lies in neither and meets
  // no part looked at, so a range holding both would not be seen to hold it
  const t = r.tags
  const tl = t === undefined ? NO_LOG : t.left
  const tr = t === undefined ? NO_LOG : t.right
  const tn = t === undefined ? 0 : t.count
  let j = 0
  for (let k = 0; k < ranges.length; k++) {
    const left = ranges[k]!.left
    const right = ranges[k]!.right
    if (t !== undefined && t.dirty && Seq.lt(left, t.hi) && Seq.lt(t.lo, right)) {
      sackWithin(r, left, right, left, right, at, tsEcr, tsOf)
      continue
    }
    while (j < tn && !Seq.gt(tr[j]! as Seq.SeqNum, left)) j++
    let cursor = left
    while (j < tn && Seq.lt(tl[j]! as Seq.SeqNum, right)) {
      if (Seq.lt(cursor, tl[j]! as Seq.SeqNum)) sackWithin(r, cursor, tl[j]! as Seq.SeqNum, left, right, at, tsEcr, tsOf)
      if (Seq.gt(tr[j]! as Seq.SeqNum, cursor)) cursor = tr[j]! as Seq.SeqNum
      // (a tag reaching this range's end may meet the next range too, after a clear or a prune)
      if (!Seq.lt(tr[j]! as Seq.SeqNum, right)) break
      j++
    }
    if (Seq.lt(cursor, right)) sackWithin(r, cursor, right, left, right, at, tsEcr, tsOf)
  }
  // every entry wholly inside a range is SACKED now: the ranges are the next ACK's tags
  if (ranges.length > 0 && r.tags === undefined) r.tags = { left: [], right: [], count: 0, dirty: false, lo: r.fack, hi: r.fack }
  const u = r.tags
  if (u !== undefined) {
    for (let k = 0; k < ranges.length; k++) {
      u.left[k] = ranges[k]!.left
      u.right[k] = ranges[k]!.right
    }
    u.count = ranges.length
    u.dirty = false
  }
  if (tally.cumRtt >= 0) r.rtt = tally.cumRtt
  else if (tally.sackRtt >= 0) r.rtt = tally.sackRtt
  if (tally.shortest !== Infinity) sampleMinRtt(r, at, tally.shortest, maybeDelayed)
  r.lastOriginalEnd = tally.original
  r.lastOriginalRtt = tally.newestOriginal === -Infinity ? undefined : Math.max(0, at - tally.newestOriginal)
  r.lastSacked = tally.sacked
  ackRtt.seq = tally.firstAckt === NO_SEND || tally.retransAcked ? -1 : Math.max(0, at - tally.firstAckt)
  ackRtt.sack = tally.firstSackt === NO_SEND ? -1 : Math.max(0, at - tally.firstSackt)
  if (tally.newestOrder >= 0) updateReoWnd(r)
  if (r.head === n) release(r)
  else if (r.head > 64 && r.head * 2 > n) compact(r)
}

/**
 * What one `onAck` gathers from the entries it delivers, reset at its
 * start: one record for the module, so that an ACK allocates nothing (an
 * `onAck` runs to its end without yielding, and nothing else writes it).
 * RACK.rtt's candidates (-1: none), the ACK's minimum-RTT sample, the end of
 * the lowest entry never sent twice, the newest send time of those, and
 * whether any entry was SACKed; for the retransmission timer's samples (`ackRtt`) the
 * send time of the first entry acknowledged whole that was neither SACKed nor sent twice
 * (Linux's first_ackt), whether any acknowledged whole was sent twice (FLAG_RETRANS_DATA_ACKED),
 * and the send time of the first newly SACKed entry never sent twice (first_sackt).
 */
const tally = {
  /** entries delivered (acknowledged whole and not SACKED before, or newly SACKed), no probe's octet */
  segments: 0,
  cumRtt: -1,
  sackRtt: -1,
  shortest: Infinity,
  original: undefined as Seq.SeqNum | undefined,
  newestOriginal: -Infinity,
  sacked: false,
  firstAckt: -Infinity,
  retransAcked: false,
  firstSackt: -Infinity,
  newestOrder: -1,
  reordFack: undefined as Seq.SeqNum | undefined,
  reordLow: undefined as Seq.SeqNum | undefined,
  reordAcked: false,
  reordDsack: undefined as Seq.SeqNum | undefined,
  /** `onAck`'s `sentFrom`: the first place in the order of sends made after the ACK arrived */
  sentFrom: Infinity
}

/**
 * The RTT samples, ms, the last `onAck` gives the retransmission timer (-1: none), from the log's
 * own send times, as Linux's tcp_clean_rtx_queue and tcp_sacktag_one take them (Karn's rule per
 * segment: never from an entry sent twice). `seq`: from the first entry the ACK acknowledged whole
 * that was neither SACKed before nor sent twice, none when any entry it acknowledged whole was
 * sent twice (Linux's seq_rtt_us from first_ackt, dropped for FLAG_RETRANS_DATA_ACKED). `sack`:
 * from the first entry it newly SACKed that was never sent twice (sack_rtt_us from first_sackt).
 * One record for the module, as `tally`, read by the caller right after its `onAck` (`clearAckRtt`
 * before, so that no other connection's ACK is read): kept on each RACK, the two numbers were
 * 16 octets or more of every idle connection.
 */
export const ackRtt = { seq: -1, sack: -1 }

/** No samples yet for the ACK about to be taken (`ackRtt`). */
export const clearAckRtt = (): void => {
  ackRtt.seq = -1
  ackRtt.sack = -1
}

/** `tally`'s send times before one is found (a send time may be 0 on a virtual clock). */
const NO_SEND = -Infinity

/** Entry `i` was delivered (SACKed: `sacked`, else acknowledged): steps 1-3 of §6.2 (`update`), and `tally`. */
const deliver = (
  r: Rack,
  i: number,
  sacked: boolean,
  at: number,
  tsEcr: number | undefined,
  tsOf: (ms: number) => number
): void => {
  if ((r.flags[i]! & PROBE) === 0) tally.segments++
  // (the rate sample's prior_delivered comes from the newest sent of all it delivers, resends too)
  if (r.order[i]! > tally.newestOrder) tally.newestOrder = r.order[i]!
  if ((r.flags[i]! & RETRANSMITTED) === 0) {
    if (tally.original === undefined) tally.original = r.ends[i]! as Seq.SeqNum
    if (r.sentAt[i]! > tally.newestOriginal) tally.newestOriginal = r.sentAt[i]!
  }
  // (the echo is asked for an acknowledged entry only, as Linux's tcp_clean_rtx_queue asks
  // tcp_skb_spurious_retrans; tcp_sacktag_one's tcp_rack_advance takes a SACKed resend on the
  // minimum RTT alone. A SACK above a hole echoes the peer's last in-sequence segment, older than
  // any resend: held to the echo, a SACKed resend never moved RACK nor set ADVANCED, and a resend
  // lost again before it waited for the RTO; test/tcp/Recovery.test.ts, "with timestamps, a SACKed
  // resend moves RACK")
  const rtt = update(r, i, at, sacked ? undefined : tsEcr, tsOf)
  if (rtt >= 0) {
    // (Linux's tcp_rack_advance sets rack.advanced for each, `takeAdvanced`)
    r.reoBits |= ADVANCED
    if (sacked) tally.sackRtt = rtt
    else tally.cumRtt = rtt
    if (rtt < tally.shortest) tally.shortest = rtt
  }
}

/** Entry `i`, not SACKED, lies wholly inside a range of the board: SACKed now, and delivered. */
const tag = (r: Rack, i: number, at: number, tsEcr: number | undefined, tsOf: (ms: number) => number): void => {
  const f = r.flags[i]!
  // delivered after all: no longer lost, whatever marked it so (RACK, or a smaller path MTU) before
  // its resend went (Linux's tcp_sacktag_one clears TCPCB_LOST): else it went again, SACKed, and
  // a lost run (`firstLost`) reached across it, and pipe counted it out twice (`lostRetransmitted`)
  if ((f & HELD) !== 0) r.held--
  setFlags(r, i, (f | SACKED) & ~(LOST | HELD))
  r.sacked++
  tally.sacked = true
  if ((f & RETRANSMITTED) === 0) {
    if (tally.firstSackt === NO_SEND) tally.firstSackt = r.sentAt[i]!
    // SACKed below what was SACKed before, sent once: reordering (Linux's tcp_sacktag_one, start_seq
    // before tcp_highest_sack_seq; the walk goes up, so only what was SACKed before lies above)
    if (tally.reordLow === undefined && tally.reordFack !== undefined && Seq.lt(r.starts[i]! as Seq.SeqNum, tally.reordFack)) {
      tally.reordLow = r.starts[i]! as Seq.SeqNum
    }
  }
  deliver(r, i, true, at, tsEcr, tsOf)
}

/**
 * The entries meeting [from, to) that lie wholly inside the board's range
 * [left, right) and are not SACKED yet: SACKed now, in sequence order. The
 * first is found by a binary search (the first entry ending after `from`).
 */
const sackWithin = (
  r: Rack,
  from: Seq.SeqNum,
  to: Seq.SeqNum,
  left: Seq.SeqNum,
  right: Seq.SeqNum,
  at: number,
  tsEcr: number | undefined,
  tsOf: (ms: number) => number
): void => {
  const n = r.starts.length
  for (let i = firstNotBelow(r, r.ends, from, true); i < n && Seq.lt(r.starts[i]! as Seq.SeqNum, to); i++) {
    if ((r.flags[i]! & SACKED) !== 0) continue
    if (Seq.lt(r.starts[i]! as Seq.SeqNum, left) || Seq.gt(r.ends[i]! as Seq.SeqNum, right)) continue
    tag(r, i, at, tsEcr, tsOf)
  }
}

/** Some range of `ranges` (sorted, disjoint) holds [start, end) whole: a binary search for the first ending after `start`. */
const rangeHolds = (ranges: Scoreboard["ranges"], start: Seq.SeqNum, end: Seq.SeqNum): boolean => {
  let lo = 0
  let hi = ranges.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (Seq.gt(ranges[mid]!.right, start)) hi = mid
    else lo = mid + 1
  }
  const range = ranges[lo]
  return range !== undefined && Seq.lte(range.left, start) && Seq.lte(end, range.right)
}

/**
 * The peer reneged on what it SACKed (RFC 2018 §8; Scoreboard.reneged): no
 * entry is delivered until cumulatively acknowledged, as Linux's
 * tcp_timeout_mark_lost clears TCPCB_SACKED_ACKED on every skb when the head
 * of its queue was SACKed at a timeout. RACK's state from those SACKs
 * (RACK.xmit_ts, RACK.rtt, RACK.fack) stays, as Linux's does.
 */
export const renege = (r: Rack): void => {
  for (let i = r.head; i < r.starts.length; i++) {
    const f = r.flags[i]!
    // (a SACKED entry is never LOST too: it is in flight again)
    if ((f & (SACKED | LOST)) === SACKED) {
      r.outOctets += Seq.sub(r.ends[i]! as Seq.SeqNum, r.starts[i]! as Seq.SeqNum)
      if ((f & PROBE) === 0) r.outSegs++
    }
    r.flags[i] = f & ~SACKED
  }
  r.sacked = 0
  // (no range is known SACKED any more: the next ACK looks at every range of its board whole)
  if (r.tags !== undefined) {
    r.tags.count = 0
    r.tags.dirty = false
  }
}

/**
 * A retransmission timeout (RFC 8985 §6.3, as Linux's tcp_timeout_mark_lost):
 * the first entry and every other not SACKed is lost, but for those sent
 * within RACK.rtt of `now` (not lost yet, as RACK's own rule would not find
 * them so: Linux skips an skb whose tcp_rack_skb_timeout is still positive),
 * which are HELD: in flight, and sent again only once RACK, or the next
 * timeout, finds them lost. After the peer reneged (`renege` first) every
 * entry is lost. Returns the octets held.
 */
export const markTimeout = (r: Rack, now: number, reneged: boolean): number => {
  let held = 0
  r.held = 0
  for (let i = r.head; i < r.starts.length; i++) {
    const f = r.flags[i]! & ~HELD
    if ((f & SACKED) !== 0) {
      setFlags(r, i, f)
      continue
    }
    // (one marked lost already, by RACK or a smaller path MTU, stays so: Linux's loop only skips it)
    if (!reneged && i !== r.head && (f & LOST) === 0 && now - r.sentAt[i]! < r.rtt) {
      setFlags(r, i, f | HELD)
      r.held++
      held += Seq.sub(r.ends[i]! as Seq.SeqNum, r.starts[i]! as Seq.SeqNum)
    } else {
      setFlags(r, i, f | LOST)
    }
  }
  return held
}

/**
 * Where the timeout's go-back-N goes on from `seq`: past the entries from
 * there that are HELD (`markTimeout`) or SACKed, which need no copy now
 * (`seq` itself when the entry there is neither, or none starts there).
 */
export const skipHeld = (r: Rack, seq: Seq.SeqNum): Seq.SeqNum => {
  if (r.held === 0) return seq
  const n = r.starts.length
  let i = firstNotBelow(r, r.starts, seq, false)
  if (i >= n || r.starts[i] !== seq) return seq
  while (i < n && (r.flags[i]! & (HELD | SACKED)) !== 0 && r.starts[i] === seq) {
    seq = r.ends[i]! as Seq.SeqNum
    i++
  }
  return seq
}

/**
 * A timeout proved spurious (F-RTO, or the timestamp echo): nothing in the
 * log is lost, nor held, as Linux's tcp_try_undo_loss unmarks every skb
 * (tcp_undo_cwnd_reduction with unmark_loss). Else what `markTimeout` marked
 * stays lost: the next recovery resent the whole old flight, still in the
 * network, before its own loss, and the log counted none of it in flight.
 */
export const unmarkLost = (r: Rack): void => {
  for (let i = r.head; i < r.starts.length; i++) {
    const f = r.flags[i]!
    if ((f & (SACKED | LOST)) === LOST) {
      r.outOctets += Seq.sub(r.ends[i]! as Seq.SeqNum, r.starts[i]! as Seq.SeqNum)
      if ((f & PROBE) === 0) r.outSegs++
    }
    r.flags[i] = f & ~(LOST | HELD)
  }
  r.held = 0
  r.lostOctets = 0
  r.lostRetransOctets = 0
}

/**
 * Nothing is held any more: what the last timeout held is in flight as any
 * other entry, and a go-back from SND.UNA sends it again (the peer's window
 * shut with it beyond the edge: it was dropped, `Sender`'s persist).
 */
export const releaseHeld = (r: Rack): void => {
  if (r.held === 0) return
  for (let i = r.head; i < r.starts.length; i++) r.flags[i] = r.flags[i]! & ~HELD
  r.held = 0
}

/**
 * Octets of the entries HELD (`markTimeout`) that start at or after `seq`:
 * the timeout's go-back-N has not reached them, yet they are in flight (its
 * window counts them, Linux's tcp_packets_in_flight), and `push` counts
 * them with SND.NXT - SND.UNA.
 */
export const heldFrom = (r: Rack, seq: Seq.SeqNum): number => {
  if (r.held === 0) return 0
  let octets = 0
  const n = r.starts.length
  for (let i = firstNotBelow(r, r.starts, seq, false); i < n; i++) {
    if ((r.flags[i]! & HELD) !== 0) octets += Seq.sub(r.ends[i]! as Seq.SeqNum, r.starts[i]! as Seq.SeqNum)
  }
  return octets
}

/**
 * Everything was acknowledged: the log lets go of its arrays (an idle
 * connection keeps none; the first push on each array reserved room for 17
 * numbers, held for the connection's life otherwise).
 */
const release = (r: Rack): void => {
  if (r.starts === NO_LOG) return
  r.starts = NO_LOG
  r.ends = NO_LOG
  r.sentAt = NO_LOG
  r.order = NO_LOG
  r.flags = NO_LOG
  r.head = 0
  r.held = 0
  r.lostOctets = 0
  r.lostRetransOctets = 0
  r.outOctets = 0
  r.outSegs = 0
  r.tags = undefined
}


/**
 * Steps 1-3 of §6.2 for entry `i`, just delivered: its RTT sample (which
 * `onAck` makes RACK.rtt: every segment delivered sets it, as RFC 8985's
 * RACK_update and Linux's tcp_rack_advance do, whether or not it was sent
 * after RACK.xmit_ts; so after a spurious timeout the originals' late
 * deliveries make it long, and what went with them is judged by their age,
 * not by the retransmission's short RTT), or -1 when it gives none (a
 * retransmission whose ACK may be the original's).
 */
const update = (r: Rack, i: number, at: number, tsEcr: number | undefined, tsOf: (ms: number) => number): number => {
  const sent = r.sentAt[i]!
  const end = r.ends[i]!
  const rtt = at - sent
  if ((r.flags[i]! & RETRANSMITTED) !== 0) {
    // the ACK may be for the original transmission: with timestamps, an echo older than the
    // retransmission says so (`tsEcr`, given for an acknowledged entry only, `deliver`); else an
    // RTT below the minimum does (§6.2 step 2, Linux's tcp_rack_advance)
    if (tsEcr !== undefined && ((tsEcr - tsOf(sent)) | 0) < 0) return -1
    if (rtt < minRtt(r)) return -1
    // nor a resend made after the ACK arrived (`onAck`'s `sentFrom`: at an earlier ACK of its batch,
    // the Sender's `rackInBatch`), which it cannot report: Linux's µs RTT of such a resend is always
    // below min_rtt, where the Clock's tick reads 0 and a minimum RTT of 0 let it through
    if (r.order[i]! >= tally.sentFrom) return -1
  }
  const order = r.order[i]!
  if (sentAfter(order, end, r.xmitOrder, r.endSeq)) {
    r.xmitAt = sent
    r.xmitOrder = order
    r.endSeq = end as Seq.SeqNum
  }
  // step 3: delivered below the highest delivered, and not because it was sent again
  if (Seq.lt(end as Seq.SeqNum, r.fack)) {
    if ((r.flags[i]! & RETRANSMITTED) === 0) r.reordering = true
  } else {
    r.fack = end as Seq.SeqNum
  }
  return rtt
}

/** The log's first entry in flight runs from `from` to `to` exactly (one segment, Linux's pkts_acked == 1). */
export const headSegmentEndsAt = (r: Rack, from: Seq.SeqNum, to: Seq.SeqNum): boolean =>
  r.head < r.starts.length && r.starts[r.head] === from && r.ends[r.head] === to

/** The minimum RTT (Linux's tcp_min_rtt): the smallest sample of the last 300 s, ms (Infinity before any). */
export const minRtt = (r: Rack): number => WindowedMin.get(r.minRttFilter)

/**
 * An RTT sample `rtt` (ms) taken `at`, for the minimum (Linux's tcp_update_rtt_min): `maybeDelayed`,
 * the ACK may have been held by the peer's delayed-ACK timer, and then only a sample no larger than
 * the minimum counts.
 */
export const sampleMinRtt = (r: Rack, at: number, rtt: number, maybeDelayed: boolean): void => {
  if (maybeDelayed && rtt > WindowedMin.get(r.minRttFilter)) return
  WindowedMin.update(r.minRttFilter, WindowedMin.RTT_WINDOW, at, rtt)
}

const compact = (r: Rack): void => {
  const h = r.head
  r.starts.splice(0, h)
  r.ends.splice(0, h)
  r.sentAt.splice(0, h)
  r.order.splice(0, h)
  r.flags.splice(0, h)
  r.head = 0
}

/**
 * §6.2 step 4, RACK.reo_wnd: 0 while no reordering has been seen and the
 * sender is in recovery or has DupThresh segments SACKed (so RACK is no
 * slower than RFC 6675 then); otherwise RACK.reo_wnd_mult quarters of the
 * minimum RTT, at most SRTT. `recovering`: fast recovery or a timeout's
 * (Linux's tcp_rack_reo_wnd: icsk_ca_state >= TCP_CA_Recovery, TCP_CA_Loss
 * included). DupThresh is Linux's tp->reordering (`degree`: tcp_rack_reo_wnd's `sacked_out >=
 * tp->reordering`), which only reordering seen raises above 3, so with none seen it is 3.
 */
export const reorderingWindow = (r: Rack, srtt: number | undefined, recovering: boolean): number => {
  if (!r.reordering && (recovering || r.sacked >= r.degree)) return 0
  const min = minRtt(r)
  const quarters = min === Infinity ? 0 : (r.reoWndMult * min) / 4
  return srtt === undefined ? quarters : Math.min(quarters, srtt)
}

/**
 * §6.2 step 4, the window's adaptation: a D-SACK says a retransmission was
 * spurious (the original arrived after all, reordered by more than the
 * window), so the window grows by a quarter of the minimum RTT, at most once
 * a round trip, and the growth persists for 16 recoveries. As Linux 6.18:
 * tcp_dsack_seen notes it (rack.dsack_seen) only once reordering was seen
 * (reord_seen, before this ACK's own tags: RACK.reord here) and not for a
 * probe's D-SACK (FLAG_DSACK_TLP, `probe`), and tcp_rack_update_reo_wnd acts
 * on it at an ACK that delivers (`updateReoWnd`, from `onAck`), the same ACK
 * when it does. Grown at once, at a D-SACK alone, by an SND.NXT round, the
 * window widened where Linux's waits for data delivered, and at D-SACKs
 * with no reordering seen (test/tcp/Recovery.test.ts, "a D-SACK widens the
 * window at the next ACK that delivers").
 */
export const onDsack = (r: Rack, probe: boolean): void => {
  if (r.reordering && !probe) r.reoBits |= DSACK_SEEN
}

/**
 * Linux's tcp_rack_update_reo_wnd, at an ACK that delivered (rs->prior_delivered set): a D-SACK
 * seen counts only when the newest entry this ACK delivered went after the window last grew
 * (`reoRound`: a round trip by delivered data, else it is dropped); then the window grows a
 * quarter (reo_wnd_steps, at most 255) and persists 16 recoveries. With no D-SACK and no recovery
 * left to persist, the window is back to one quarter.
 */
const updateReoWnd = (r: Rack): void => {
  if (tally.newestOrder < r.reoRound) r.reoBits &= ~DSACK_SEEN
  if ((r.reoBits & DSACK_SEEN) !== 0) {
    // (bounded as Linux's reo_wnd_steps; the window itself never exceeds SRTT)
    r.reoWndMult = Math.min(255, r.reoWndMult + 1)
    r.reoBits = (r.reoBits & ~(DSACK_SEEN | PERSIST)) | REO_WND_PERSIST
    r.reoRound = r.sends
  } else if ((r.reoBits & PERSIST) === 0) {
    r.reoWndMult = 1
  }
}

/**
 * §6.2 step 4: a recovery (fast or after a timeout) ended; 16 without a D-SACK put the window back
 * (Linux's tcp_try_undo_recovery takes one off reo_wnd_persist; tcp_rack_update_reo_wnd puts the
 * window back at the next ACK that delivers, `updateReoWnd`).
 */
export const onRecoveryEnd = (r: Rack): void => {
  if ((r.reoBits & PERSIST) > 0) r.reoBits--
}

/**
 * A recovery undone by D-SACKs (Linux 6.18's tcp_try_undo_dsack): reo_wnd_persist gains one, at
 * most 16 (TCP_RACK_RECOVERY_THRESH), so a grown window outlasts needless recoveries.
 */
export const onDsackUndo = (r: Rack): void => {
  if ((r.reoBits & PERSIST) < REO_WND_PERSIST) r.reoBits++
}

/**
 * Whether anything was delivered since RACK last marked (`ADVANCED`), which this clears: Linux
 * 6.18's tcp_rack_mark_lost returns at once unless rack.advanced, and resets it before its walk
 * ("to avoid unnecessary queue scanning"). An ACK that delivers nothing new (a duplicate, a D-SACK
 * or an ECE alone) then neither marks nor re-arms: the pending reordering timer decides. Run anyway,
 * RACK marked in the 2 ms between an entry's time and its timer, and re-armed the timer later after
 * a D-SACK had widened the window (test/tcp/Recovery.test.ts, "an ACK that delivers nothing leaves
 * RACK's pending reordering timer"). The timer's own expiry (tcp_rack_reo_timeout) does not ask.
 */
export const takeAdvanced = (r: Rack): boolean => {
  if ((r.reoBits & ADVANCED) === 0) return false
  r.reoBits &= ~ADVANCED
  return true
}

/** Whether RACK's next run at a batch's end will look (`takeAdvanced` would hold), clearing nothing. */
export const advancedPending = (r: Rack): boolean => (r.reoBits & ADVANCED) !== 0

/** RACK looks again at its next run whatever the ACK delivers: Linux's tcp_undo_cwnd_reduction sets rack.advanced ("Force RACK to re-exam losses"). */
export const forceAdvanced = (r: Rack): void => {
  r.reoBits |= ADVANCED
}

/**
 * The D-SACK block an ACK's SACK blocks start with, if they do (RFC 2883 §4,
 * as Linux's tcp_check_dsack): the first lies below the cumulative ACK, or
 * within the second.
 */
export const dsackOf = (sack: ReadonlyArray<SackBlock> | undefined, ack: Seq.SeqNum): SackBlock | undefined => {
  const first = sack?.[0]
  if (first === undefined) return undefined
  if (Seq.lt(first.left, ack)) return first
  const second = sack?.[1]
  return second !== undefined && Seq.gte(first.left, second.left) && Seq.lte(first.right, second.right) ? first : undefined
}

/**
 * Whether a D-SACK block (`dsackOf`) is believable, as Linux's tcp_dsack_seen
 * judges it: not empty or reversed, and no longer than `maxWindow`, the
 * largest window the peer offered (it cannot have received more twice than
 * it could hold). A dubious one (a mangled or forged option) is no D-SACK:
 * it neither widens the reordering window nor undoes a recovery.
 */
export const dsackPlausible = (block: SackBlock, maxWindow: number): boolean =>
  Seq.lt(block.left, block.right) && Seq.sub(block.right, block.left) <= maxWindow

/**
 * §6.2 step 5: mark lost every entry sent before the most recently
 * delivered one whose time is up. Returns how many were newly marked, and
 * the time (ms from `now`) until the next entry's would be (0: none).
 * (`wouldMarkLost` asks the same without marking.)
 */
export const detectLoss = (r: Rack, now: number, reoWnd: number): { readonly lost: number; readonly timeout: number } => {
  scan(r, now, reoWnd, true, false)
  return { lost: scanned.lost, timeout: scanned.timeout }
}

/**
 * Whether step 5 would mark anything lost now, marking nothing, allocating nothing and stopping
 * at the first entry found lost (the Sender asks it at an ACK inside a batch before a limited
 * transmit, and at every ACK that only SACKs once the reordering degree is above 3, `onAck`).
 */
export const wouldMarkLost = (r: Rack, now: number, reoWnd: number): boolean => {
  scan(r, now, reoWnd, false, true)
  return scanned.lost > 0
}

/**
 * Whether step 5 would mark lost an entry sent more than once (a resend lost again: Linux's
 * FLAG_LOST_RETRANS, tcp_identify_packet_loss's retrans_out fall), marking nothing, allocating
 * nothing and stopping at the first found. The Sender asks it at an ACK that SACKs something new
 * inside a batch in a timeout's episode, where that flag starts the recovery at that very ACK
 * (`rackInBatch`). Only the entries below `retransEnd` can be such.
 */
export const wouldMarkRetransLost = (r: Rack, now: number, reoWnd: number): boolean => {
  if (r.retransmitted === 0 || r.xmitOrder < 0) return false
  for (let i = r.head; i < r.starts.length && Seq.lt(r.starts[i]! as Seq.SeqNum, r.retransEnd); i++) {
    if ((r.flags[i]! & RETRANSMITTED) !== 0 && judge(r, i, now, reoWnd, false) < 0) return true
  }
  return false
}

/** What the last `scan` found: entries lost (marked or not), the time until the next would be. */
const scanned = { lost: 0, timeout: 0 }

/** `detectLoss`'s walk, into `scanned`; `firstOnly`: stop at the first entry found lost. */
const scan = (r: Rack, now: number, reoWnd: number, mark: boolean, firstOnly: boolean): void => {
  let lost = 0
  let timeout = 0
  scanned.lost = 0
  scanned.timeout = 0
  if (r.xmitOrder < 0) return
  const n = r.starts.length
  // With nothing SACKed or sent twice in the log, its entries went out in sequence order, so the
  // first went first: when even it was sent after the most recently delivered segment (a clean bulk
  // transfer), nothing is to scan on each ACK. (Not when a retransmission, since acknowledged and
  // gone from the log, was delivered: what was sent before it is found here.)
  if (r.sacked === 0 && r.retransmitted === 0 && (n === r.head || !sentAfter(r.xmitOrder, r.endSeq, r.order[r.head]!, r.ends[r.head]!))) {
    return
  }
  // Only the entries neither SACKED nor LOST can be found lost, and none of those lies wholly inside
  // a range the last ACK tagged but in the dirty span (`tags`): the log is looked at between the
  // tags, each tag's entries passed over by a binary search, and in the dirty span, as Linux's
  // tcp_rack_detect_loss goes through its tsorted_sent_queue, which holds no SACKed skb. (An entry
  // looked at twice is judged the same: marked lost the first time, or the same time left.)
  // Nor can an entry sent after the most recently delivered one: past the last entry sent twice the
  // log went in sequence order, so those are its last entries, found by a binary search (Linux's walk
  // of tsorted_sent_queue, in send order, stops at the first such skb)
  const last = sentOnceFrom(r, r.retransmitted === 0 ? r.head : firstNotBelow(r, r.starts, r.retransEnd, false))
  const t = r.tags
  const tn = t === undefined ? 0 : t.count
  let i = r.head
  for (let k = 0; k <= tn; k++) {
    for (; i < last && (k === tn || Seq.lt(r.starts[i]! as Seq.SeqNum, t!.left[k]! as Seq.SeqNum)); i++) {
      const x = judge(r, i, now, reoWnd, mark)
      if (x < 0) {
        lost++
        if (firstOnly) {
          scanned.lost = lost
          return
        }
      } else if (x > timeout) timeout = x
    }
    // (from i every entry starts inside or after tag k: those ending inside it lie wholly in it)
    if (k < tn) i = firstEndingAfter(r, i, t!.right[k]! as Seq.SeqNum)
  }
  if (t !== undefined && t.dirty) {
    for (let j = firstEndingAfter(r, r.head, t.lo); j < last && Seq.lt(r.starts[j]! as Seq.SeqNum, t.hi); j++) {
      const x = judge(r, j, now, reoWnd, mark)
      if (x < 0) {
        lost++
        if (firstOnly) break
      } else if (x > timeout) timeout = x
    }
  }
  scanned.lost = lost
  scanned.timeout = timeout
}

/**
 * `detectLoss` for entry `i`: -1 when it is marked lost now (sent before
 * the most recently delivered segment, RACK.rtt + `reoWnd` ago or more), else
 * the ms left until it would be (0: it cannot be, SACKED, LOST, or sent after).
 */
const judge = (r: Rack, i: number, now: number, reoWnd: number, mark: boolean): number => {
  const f = r.flags[i]!
  if ((f & (SACKED | LOST)) !== 0) return 0
  if (!sentAfter(r.xmitOrder, r.endSeq, r.order[i]!, r.ends[i]!)) return 0
  const remaining = r.sentAt[i]! + r.rtt + reoWnd - now
  if (remaining > 0) return remaining
  if (!mark) return -1
  if ((f & HELD) !== 0) r.held--
  setFlags(r, i, (f | LOST) & ~HELD)
  return -1
}

/**
 * The first entry from `from` on (entries sent once, in sequence order, so
 * in the order of sends) sent after the most recently delivered segment (a
 * binary search; the log's length when none).
 */
const sentOnceFrom = (r: Rack, from: number): number => {
  let lo = from
  let hi = r.starts.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (sentAfter(r.order[mid]!, r.ends[mid]!, r.xmitOrder, r.endSeq)) hi = mid
    else lo = mid + 1
  }
  return lo
}

/** The first entry from `from` on that ends after `seq` (a binary search; the log's length when none). */
const firstEndingAfter = (r: Rack, from: number, seq: Seq.SeqNum): number => {
  let lo = from
  let hi = r.ends.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (Seq.gt(r.ends[mid]! as Seq.SeqNum, seq)) hi = mid
    else lo = mid + 1
  }
  return lo
}

/**
 * Where a SACK block's left edge counts from: the first segment edge of the
 * log at or after `seq` (the start of the first entry that starts there or
 * later; past the last entry, the log's end). With an empty log, `seq`.
 *
 * Together with `segmentEdgeAtOrBefore` this narrows a block to the
 * segments sent that lie wholly inside it, as Linux tags only whole
 * segments (tcp_sacktag_walk, tcp_match_skb_to_sack: a TSO segment is split
 * at MSS multiples, and our log already holds one entry per segment). A
 * peer's blocks land on our segments' edges (our TSO runs are cut by the
 * kernel exactly at them, Tso.ts), so this drops nothing an honest receiver
 * reports, but a hostile one can no longer cut the scoreboard into ranges of
 * one octet each (up to half the octets in flight, each ACK then scanning
 * them all: Linux's CVE-2019-11478 is the same attack on its queue).
 */
export const segmentEdgeAtOrAfter = (r: Rack, seq: Seq.SeqNum): Seq.SeqNum => {
  const n = r.starts.length
  if (n === r.head) return seq
  const i = firstNotBelow(r, r.starts, seq, false)
  return (i < n ? r.starts[i]! : r.ends[n - 1]!) as Seq.SeqNum
}

/**
 * Where a SACK block's right edge counts to: the last segment edge of the
 * log at or before `seq` (the end of the last entry that ends there or
 * earlier; before the first, the log's start). With an empty log, `seq`.
 * See `segmentEdgeAtOrAfter`.
 */
export const segmentEdgeAtOrBefore = (r: Rack, seq: Seq.SeqNum): Seq.SeqNum => {
  if (r.starts.length === r.head) return seq
  // the one before the first entry that ends after seq ends at or before it
  const i = firstNotBelow(r, r.ends, seq, true)
  return (i > r.head ? r.ends[i - 1]! : r.starts[r.head]!) as Seq.SeqNum
}

/**
 * Where a resend of the segment at `from` (the log's first entry, trimmed to SND.UNA) ends when
 * that entry went again before, as Linux's __tcp_retransmit_skb sends the head skb: a head resent
 * alone is an skb of one segment in Linux (tcp_xmit_retransmit_queue's resend cut it to what cwnd let
 * go, tcp_fragment), which an ACK inside it leaves whole and the next resend trims (tcp_trim_head):
 * cut to `max` octets when longer, else joined with the entries right after it while each fits
 * whole within `max` and none is SACKed (tcp_retrans_try_collapse, tcp_can_collapse), never past
 * the log. Undefined (no bound from the log) for an empty log or a head never resent: Linux's
 * original may be one skb of several segments (TSO), which tcp_tso_acked trims to SND.UNA and
 * re-segments from there, full segments from SND.UNA as the stack sends them.
 */
export const resendEnd = (r: Rack, from: Seq.SeqNum, max: number): Seq.SeqNum | undefined => {
  const n = r.starts.length
  const h = r.head
  if (n === h || (r.flags[h]! & RETRANSMITTED) === 0) return undefined
  // A head resent in one burst with the segment after it (the next send, the same instant, neither
  // SACKed since) went as Linux's one skb of several segments: tcp_xmit_retransmit_queue resends a
  // lost TSO skb whole when cwnd lets min(segs, max_segs) go, and tcp_sacktag would have cut it at
  // a SACK's edge. An ACK inside it frees nothing (tcp_tso_acked: the rest still that many segments)
  // and the timeout's __tcp_retransmit_skb cuts one full segment from SND.UNA (tcp_fragment at
  // cur_mss), as for a head never resent: no bound. (test/kernel/ConformanceLoss.test.ts, "a head
  // resent as a two-segment skb": 501 len 1000, where the rest of the first alone sent 501 len 500)
  if (
    h + 1 < n && r.starts[h + 1] === r.ends[h] && (r.flags[h + 1]! & (RETRANSMITTED | SACKED)) === RETRANSMITTED &&
    r.sentAt[h + 1] === r.sentAt[h] && r.order[h + 1] === r.order[h]! + 1
  ) return undefined
  let end = r.ends[h]! as Seq.SeqNum
  if (Seq.sub(end, from) >= max) return Seq.add(from, max)
  for (let j = r.head + 1; j < n; j++) {
    if (r.starts[j] !== r.ends[j - 1] || (r.flags[j]! & SACKED) !== 0) break
    const e = r.ends[j]! as Seq.SeqNum
    if (Seq.sub(e, from) > max) break
    end = e
  }
  return end
}

/**
 * The log's entries that end at or before `seq` (a binary search): the whole segments an ACK of
 * `seq` frees, as Linux's pkts_acked counts its skbs (tcp_clean_rtx_queue). 0 with an empty log.
 */
export const entriesEndingBy = (r: Rack, seq: Seq.SeqNum): number => firstNotBelow(r, r.ends, seq, true) - r.head

/**
 * Binary search of the log from `head`: the first entry whose edge (`edges`:
 * the log's starts or ends, both ascending) is not below `seq` (with
 * `orAt`, not at or below it); the log's length when none.
 */
const firstNotBelow = (r: Rack, edges: Array<number>, seq: Seq.SeqNum, orAt: boolean): number => {
  let lo = r.head
  let hi = edges.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    const e = edges[mid]! as Seq.SeqNum
    if (Seq.lt(e, seq) || orAt && e === seq) lo = mid + 1
    else hi = mid
  }
  return lo
}

/**
 * A router dropped what was longer than `mss` (RFC 1191 §3's "fragmentation
 * needed"): every entry not SACKed whose data (up to `dataEnd`: a FIN's
 * sequence number carries none) is longer is marked lost, as Linux's
 * tcp_simple_retransmit marks each skb longer than the new MSS; a shorter one
 * passed the router and stays in flight. A lost retransmission is lost again.
 * How many entries are marked lost now.
 */
export const markLongerLost = (r: Rack, mss: number, dataEnd: Seq.SeqNum): number => {
  let marked = 0
  const n = r.starts.length
  for (let i = r.head; i < n; i++) {
    const f = r.flags[i]!
    if ((f & SACKED) !== 0) continue
    const start = r.starts[i]! as Seq.SeqNum
    if (Seq.sub(Seq.min(r.ends[i]! as Seq.SeqNum, dataEnd), start) <= mss) continue
    if ((f & HELD) !== 0) r.held--
    setFlags(r, i, (f | LOST) & ~HELD)
    marked++
  }
  return marked
}

/**
 * The first entry marked lost (and not sent again since): its index in the
 * log (`entryStart`, `lostRunEnd` read it; good until the log next changes),
 * -1 when none. An index, not a record, so that a recovery's resends, which
 * ask at each turn, allocate nothing.
 */
export const firstLost = (r: Rack): number => {
  // (no entry is empty: with no octet lost, none is)
  if (r.lostOctets === 0) return -1
  const n = r.starts.length
  for (let i = firstNotBelow(r, r.starts, r.lostStart, false); i < n; i++) {
    if ((r.flags[i]! & LOST) === 0) continue
    r.lostStart = r.starts[i]! as Seq.SeqNum
    return i
  }
  return -1
}

/** Where entry `i` (from `firstLost`) starts. */
export const entryStart = (r: Rack, i: number): Seq.SeqNum => r.starts[i]! as Seq.SeqNum

/**
 * Where lost entry `i` (from `firstLost`) ends; with `run`, where the lost
 * entries right after it (no gap between them) end.
 */
export const lostRunEnd = (r: Rack, i: number, run: boolean): Seq.SeqNum => {
  const n = r.starts.length
  let j = i
  while (run && j + 1 < n && (r.flags[j + 1]! & LOST) !== 0 && r.starts[j + 1] === r.ends[j]) j++
  return r.ends[j]! as Seq.SeqNum
}

/**
 * Octets marked lost below `below` that were retransmitted before: RFC 6675's
 * pipe counts them in flight (they lie below HighRxt), but RACK knows they
 * left the network. An entry `below` cuts counts up to it.
 *
 * From the count `setFlags` keeps: none such, or all ending at or below
 * `below` (the common case: a resend lost again lies below HighRxt, which
 * passed it when it went), is known at once; else the shorter side of
 * `below` is scanned.
 */
export const lostRetransmitted = (r: Rack, below: Seq.SeqNum): number => {
  const total = r.lostRetransOctets
  if (total === 0) return 0
  if (Seq.gte(below, r.lostRetransEnd)) return total
  const n = r.starts.length
  const k = firstNotBelow(r, r.starts, below, false) // the first entry not starting below it
  let octets = 0
  if (k - r.head <= n - k) {
    for (let i = r.head; i < k; i++) {
      if ((r.flags[i]! & (LOST | RETRANSMITTED)) === (LOST | RETRANSMITTED)) {
        octets += Seq.sub(Seq.min(r.ends[i]! as Seq.SeqNum, below), r.starts[i]! as Seq.SeqNum)
      }
    }
    return octets
  }
  // (the rest of the count: the entries from k, and the part of the one before past `below`)
  for (let i = k; i < n; i++) {
    if ((r.flags[i]! & (LOST | RETRANSMITTED)) === (LOST | RETRANSMITTED)) {
      octets += Seq.sub(r.ends[i]! as Seq.SeqNum, r.starts[i]! as Seq.SeqNum)
    }
  }
  const cut = k - 1
  if (cut >= r.head && (r.flags[cut]! & (LOST | RETRANSMITTED)) === (LOST | RETRANSMITTED)) {
    octets += Math.max(0, Seq.sub(r.ends[cut]! as Seq.SeqNum, below))
  }
  return total - octets
}

/**
 * Octets of the entries marked lost (not yet sent again) that start at or
 * after `from`: RFC 6675's pipe counts what lies above the highest SACKed
 * octet in flight, Linux's in_flight not what is lost there.
 *
 * From the count `setFlags` keeps: none lost, or all ending at or below
 * `from` (the common case in a recovery: RACK marks lost below RACK.fack,
 * so below the highest SACK), is known at once; else the shorter side of
 * `from` is scanned.
 */
export const lostFrom = (r: Rack, from: Seq.SeqNum): number => {
  const total = r.lostOctets
  if (total === 0 || Seq.gte(from, r.lostEnd)) return 0
  const n = r.starts.length
  const k = firstNotBelow(r, r.starts, from, false)
  let octets = 0
  if (n - k <= k - r.head) {
    for (let i = k; i < n; i++) {
      if ((r.flags[i]! & LOST) !== 0) octets += Seq.sub(r.ends[i]! as Seq.SeqNum, r.starts[i]! as Seq.SeqNum)
    }
    return octets
  }
  for (let i = r.head; i < k; i++) {
    if ((r.flags[i]! & LOST) !== 0) octets += Seq.sub(r.ends[i]! as Seq.SeqNum, r.starts[i]! as Seq.SeqNum)
  }
  return total - octets
}

/**
 * Octets in the network by the log: sent, neither SACKed nor lost (Linux's
 * packets_out - sacked - lost + retrans), from the count `setFlags` and the
 * sends and ACKs keep (`outOctets`), as Linux keeps those counts beside its
 * queue rather than walk it.
 */
export const inFlight = (r: Rack): number => r.outOctets

/**
 * Segments in the network by the log (`outSegs`): Linux's tcp_packets_in_flight, which counts a
 * runt, a bare FIN and the head a partial ACK trimmed each one packet, where `inFlight` counts
 * their octets.
 */
export const inFlightSegments = (r: Rack): number => r.outSegs

/**
 * The segments the last `onAck` delivered: entries acknowledged whole that were not SACKed before,
 * and entries it newly SACKed, each one packet however short, as Linux's tcp_clean_rtx_queue and
 * tcp_sacktag_write_queue count skbs (pkts_acked, sacked); a window probe's octet none. An ACK
 * inside an entry delivers none of it. Read in the same synchronous pass as that `onAck`.
 */
export const deliveredSegments = (): number => tally.segments


/**
 * A retransmission is in flight past `una` (sent again, neither SACKed nor lost again since, and
 * not acknowledged by the ACK in hand, whose SND.UNA is `una`): Linux's retrans_out, whose skbs a
 * recovery resent as LOST and still holds in lost_out. A scan, for the rare D-SACK that leaves a
 * recovery nothing to undo (`Sender.tryUndo`).
 */
export const anyRetransOut = (r: Rack, una: Seq.SeqNum): boolean => {
  if (r.retransmitted === 0) return false
  for (let i = r.head; i < r.starts.length; i++) {
    if ((r.flags[i]! & (RETRANSMITTED | SACKED | LOST)) === RETRANSMITTED && Seq.gt(r.ends[i]! as Seq.SeqNum, una)) return true
  }
  return false
}

/**
 * An entry above `una` is marked lost and not SACKed up to its end (`sackedTo`: where a SACKed
 * range from a sequence number reaches, the scoreboard's, which holds the ACK in hand's blocks
 * already): Linux's lost_out once tcp_clean_rtx_queue and tcp_sacktag_write_queue have taken that
 * ACK, for a check made before the log catches up (`Sender.tryUndo`). A scan, for the rare D-SACK
 * undo in a recovery.
 */
export const anyLostAbove = (r: Rack, una: Seq.SeqNum, sackedTo: (seq: Seq.SeqNum) => Seq.SeqNum): boolean => {
  if (r.lostOctets === 0 || !Seq.gt(r.lostEnd, una)) return false
  for (let i = firstNotBelow(r, r.ends, una, true); i < r.starts.length; i++) {
    if ((r.flags[i]! & LOST) === 0) continue
    const start = r.starts[i]! as Seq.SeqNum
    if (Seq.lt(sackedTo(Seq.gt(start, una) ? start : una), r.ends[i]! as Seq.SeqNum)) return true
  }
  return false
}

/**
 * The first entry above `una` was ever sent again (Linux's TCPCB_EVER_RETRANS on the head skb, once
 * tcp_clean_rtx_queue has taken the ACK in hand): with `anyRetransOut`, Linux's tcp_any_retrans_done
 * for a check made before the log is trimmed to `una`.
 */
export const everResentAt = (r: Rack, una: Seq.SeqNum): boolean => {
  if (r.retransmitted === 0) return false
  const i = firstNotBelow(r, r.ends, una, true)
  return i < r.starts.length && (r.flags[i]! & RETRANSMITTED) !== 0
}

/**
 * Linux's tcp_any_retrans_done: a retransmission is in flight (sent again,
 * neither SACKed nor lost again since: retrans_out), or the head entry was
 * ever sent again (TCPCB_EVER_RETRANS). A scan, for the rare entry into a
 * fast recovery from a timeout's episode (`Sender.enterRecovery`).
 */
export const anyRetransDone = (r: Rack): boolean => {
  if (r.retransmitted === 0 || r.head === r.starts.length) return false
  if ((r.flags[r.head]! & RETRANSMITTED) !== 0) return true
  for (let i = r.head + 1; i < r.starts.length; i++) {
    if ((r.flags[i]! & (RETRANSMITTED | SACKED | LOST)) === RETRANSMITTED) return true
  }
  return false
}

/**
 * The entries ever sent again (Linux's TCPCB_EVER_RETRANS), as [start, end, out] triples in
 * sequence order, `out` 1 for the retransmissions in flight (neither SACKed nor lost again since:
 * Linux's retrans_out, TCPCB_SACKED_RETRANS), else 0. A scan and an array, for the rare entry into
 * a fast recovery from a timeout's episode (`Sender.enterRecovery`, tcp_init_undo).
 */
export const retransmissions = (r: Rack): Array<number> => {
  const triples: Array<number> = []
  if (r.retransmitted === 0) return triples
  for (let i = r.head; i < r.starts.length; i++) {
    const f = r.flags[i]!
    if ((f & RETRANSMITTED) !== 0) triples.push(r.starts[i]!, r.ends[i]!, (f & (SACKED | LOST)) === 0 ? 1 : 0)
  }
  return triples
}

/**
 * A D-SACK `block` above SND.UNA reports a second copy of a segment sent
 * again and already SACKed (both copies arrived: the original was late, not
 * lost), below RACK.fack: reordering seen (Linux's tcp_sacktag_one sets
 * state->reord for a dup_sack on a TCPCB_RETRANS skb that is
 * TCPCB_SACKED_ACKED, and tcp_check_sack_reordering counts reord_seen when
 * that lies below the highest SACKed sequence). Before the ACK's own tags; the entry's start is
 * this ACK's lowest reordered sequence for `checkReordering` (state->reord), which the ACK's
 * `onAck` keeps. A D-SACK is rare: the search runs at each.
 */
export const onDsackReordering = (r: Rack, block: SackBlock): void => {
  tally.reordDsack = undefined
  if (!Seq.lt(block.left as Seq.SeqNum, r.fack)) return
  const right = block.right as Seq.SeqNum
  for (let i = firstNotBelow(r, r.ends, block.left as Seq.SeqNum, true); i < r.starts.length; i++) {
    if (!Seq.lt(r.starts[i]! as Seq.SeqNum, right)) break
    if ((r.flags[i]! & (RETRANSMITTED | SACKED)) === (RETRANSMITTED | SACKED)) {
      r.reordering = true
      tally.reordDsack = r.starts[i]! as Seq.SeqNum
      return
    }
  }
}

/**
 * Linux's tcp_check_sack_reordering, after an ACK's `onAck` (and `onDsackReordering`): the lowest
 * sequence that ACK showed delivered out of order (a segment sent once, SACKed or cumulatively
 * acknowledged below what was SACKed before; a D-SACKed resend the peer had SACKed), against the
 * highest SACKed sequence after it (SND.UNA, `ack`, when nothing above it is SACKed: Linux's
 * tcp_highest_sack_seq), raises `degree` to that distance in segments of `mss` (rounded up, at
 * most 300) when it exceeds the degree. `sackCounts`: the SACK side counts (Linux's
 * tcp_sacktag_write_queue checks unless in TCP_CA_Loss with nothing left to undo; the cumulative
 * side, tcp_clean_rtx_queue's, always checks). Reordering seen is `reordering` (RACK.reord, set by
 * `onAck`). Allocates nothing: a few comparisons an ACK.
 */
export const checkReordering = (r: Rack, ack: Seq.SeqNum, board: Scoreboard, mss: number, sackCounts: boolean): void => {
  let low = tally.reordAcked ? tally.reordLow : undefined
  if (sackCounts) {
    if (low === undefined) low = tally.reordLow
    const d = tally.reordDsack
    if (d !== undefined && (low === undefined || Seq.lt(d, low))) low = d
  }
  tally.reordDsack = undefined
  if (low !== undefined) raiseDegree(r, low, ack, board, mss)
}

/**
 * tcp_check_sack_reordering's measure: when `low` lies below the highest SACKed sequence after the
 * ACK (SND.UNA, `ack`, with nothing SACKed above it), the degree rises to that distance in segments
 * of `mss` where it exceeds it. Whether `low` was below it (reordering seen).
 */
const raiseDegree = (r: Rack, low: Seq.SeqNum, ack: Seq.SeqNum, board: Scoreboard, mss: number): boolean => {
  if (mss <= 0) return false
  const highest = board.ranges.length > 0 ? board.ranges[board.ranges.length - 1]!.right : ack
  const fack = Seq.gt(highest, ack) ? highest : ack
  if (!Seq.lt(low, fack)) return false
  const metric = Seq.sub(fack, low)
  if (metric > r.degree * mss) r.degree = Math.min(Math.ceil(metric / mss), MAX_REORDERING)
  return true
}

/**
 * Linux's tcp_check_sack_reordering called with a sequence number of its own, `low` (tcp_try_undo_partial's
 * prior_snd_una, when a partial ACK's echo shows the hole there filled by its original): below the
 * highest SACKed sequence after the ACK (SND.UNA, `ack`, with nothing SACKed above it), reordering is
 * seen (reord_seen), and the degree rises to that distance in segments of `mss` when it exceeds it.
 */
export const reorderedFrom = (r: Rack, low: Seq.SeqNum, ack: Seq.SeqNum, board: Scoreboard, mss: number): void => {
  if (raiseDegree(r, low, ack, board, mss)) r.reordering = true
}

/**
 * A retransmission timeout outside a recovery, a timeout's episode or an ECN cut (Linux's
 * tcp_enter_loss in Open or Disorder) with three segments or more SACKed: the degree was
 * over-estimated ("Timeout in disordered state after receiving substantial DUPACKs"), and goes
 * back to 3 (sysctl_tcp_reordering) if above. Before the timeout's marks, after a renege's
 * (tcp_timeout_mark_lost clears sacked_out for a SACKed head first).
 */
export const timeoutReordering = (r: Rack): void => {
  if (r.sacked >= REORDERING && r.degree > REORDERING) r.degree = REORDERING
}
