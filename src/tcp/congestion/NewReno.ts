/**
 * NewReno's window rules, in octets: RFC 5681 (slow start, congestion
 * avoidance, the loss and timeout responses) with
 * RFC 3465 byte counting in congestion avoidance, RFC 6582's exit from fast
 * recovery and RFC 6928's initial window; slow start grows by every segment
 * acknowledged, with no RFC 3465 L, as Linux's tcp_slow_start (`slowStart`).
 * Everything else NewReno is the sender's: duplicate-ACK counting, the
 * retransmissions, fast recovery's window (PRR, as Linux, in place of RFC
 * 5681 §3.2 steps 3-4's inflation) and RFC 6582's partial ACKs (see
 * Congestion.ts). Restart after idle is Linux's (tcp_cwnd_restart, RFC
 * 2861's decay), not RFC 5681 §4.1's.
 *
 * This module also holds the rules every window-based algorithm here
 * shares, because RFC 9438 has CUBIC use them unchanged: the initial window,
 * slow start (§4.10), the RTO's one-segment loss window (§4.8), the RFC 6582
 * exit from recovery, and the restart after idle. Cubic.ts imports them from
 * here. NewReno.ts and Cubic.ts take only types from Congestion.ts, which
 * imports both for `byName`, so the modules form no runtime import cycle.
 *
 * Hooks change the caller's `State` in place and allocate nothing.
 *
 * @since 0.1.0
 */
import type * as Seq from "../SeqNum.js"
import type { Algorithm, Name, State } from "./Congestion.js"
import * as HyStart from "./HyStart.js"

/**
 * `ssthresh` before any congestion event. RFC 5681 §3.1 says "arbitrarily
 * high". This is finite, so arithmetic on it never produces Infinity or NaN,
 * and no window ever reaches it.
 *
 * @category constants
 */
export const INFINITE_SSTHRESH = Number.MAX_SAFE_INTEGER

/**
 * The largest `cwnd`, in octets. A peer can offer at most a 2^30-octet window
 * (RFC 7323 §2.3, a 16-bit window shifted by 14), and a larger cwnd could
 * never be used.
 *
 * @category constants
 */
export const MAX_CWND = 2 ** 30

/**
 * The initial window, in octets (RFC 6928 §2):
 * `min(10 * SMSS, max(2 * SMSS, 14600))`. That is 14600 for a 1460-octet
 * SMSS, 5360 for 536 and 18000 for 9000.
 *
 * @category constants
 */
export const initialWindow = (smss: number): number => Math.min(10 * smss, Math.max(2 * smss, 14600))

/**
 * A size argument made safe. Negative or NaN becomes 0, and anything above
 * 2^32 (more than the sequence space holds) becomes 2^32. Garbage in then
 * never turns into NaN in `cwnd`.
 */
export const octets = (x: number): number => (x > 0 ? Math.min(x, 2 ** 32) : 0)

/** A new state: RFC 6928's initial window (1 SMSS after a SYN loss, RFC 5681 §3.1), no ssthresh yet. */
export const makeState = (name: Name, smss: number, synLost: boolean, hystart: boolean): State => {
  if (!(Number.isInteger(smss) && smss > 0)) throw new RangeError(`congestion: SMSS must be a positive integer, got ${smss}`)
  return {
    name,
    smss,
    cwnd: synLost ? smss : initialWindow(smss),
    ssthresh: INFINITE_SSTHRESH,
    bytesAcked: 0,
    rtoPending: false,
    reducing: false,
    wMax: 0,
    cwndPrior: 0,
    k: 0,
    epochStart: undefined,
    cwndEpoch: 0,
    wEst: 0,
    ackCnt: 0,
    cnt: 0,
    lastCwnd: 0,
    lastJiffy: 0,
    hystart: hystart ? HyStart.FRESH : undefined
  }
}

/**
 * Slow start for one ACK of `acked` octets (RFC 5681 §3.1), as Linux's
 * `tcp_slow_start`: `cwnd` grows by everything the ACK acknowledged (with
 * SACK, what it delivered), however many segments that is, up to
 * `ssthresh`; in HyStart++'s Conservative Slow Start by a quarter of it
 * (RFC 9406 §4.2's CSS_GROWTH_DIVISOR). Nothing grows unless the caller's
 * `limited` (`cwndLimited`, Linux's tcp_is_cwnd_limited) says the window
 * was used enough (see "Growth only when the window was the limit" in
 * Congestion.ts); if it was, the ACK grows it by all it acknowledged, past
 * twice the flight if it is large, as Linux's.
 *
 * No RFC 3465 L. §2.2 caps one ACK's growth at L = 2 SMSS (1 SMSS in the
 * slow start after an RTO, §2.3) and leaves more to experiments; Linux has
 * had no L since 2013 (3.8 removed ABC and its tcp_abc sysctl): its
 * tcp_slow_start takes a stretch ACK of N segments as N ACKs of one,
 * answering RFC 3465's ACK-division attack by counting only whole segments
 * acknowledged, and since 2015's stretch-ACK fixes hands what passes
 * ssthresh to congestion avoidance. A receiver that thins its ACKs (GRO merging a burst,
 * Linux's delayed ACK of several segments, ACK thinning on the path) then
 * opens Linux's window as fast as an ACK per segment would, and the stack
 * followed it a round or more behind: an ACK of four segments let six go
 * where Linux sends eight (test/kernel/ConformanceCwnd.test.ts, "stretch
 * ACKs"). Linux is the reference peer. RFC 9406's L = 8 for a sender
 * without pacing is not taken either: Linux's CUBIC limits nothing.
 *
 * Returns the octets of this ACK left over once `cwnd` reached `ssthresh`.
 * The caller feeds them to congestion avoidance, as Linux's `tcp_slow_start`
 * does. The result is 0 while slow start goes on.
 */
export const slowStart = (s: State, acked: number, limited: boolean): number => {
  if (!limited) return 0
  const d = HyStart.divisor(s.hystart)
  const grow = Math.max(0, Math.min(acked / d, s.ssthresh - s.cwnd, MAX_CWND - s.cwnd))
  s.cwnd += grow
  if (s.cwnd < s.ssthresh) return 0
  return acked - grow * d
}

/**
 * One ACK in slow start, HyStart++ included (RFC 9406; HyStart.ts): the
 * ACK's RTT `sample` goes into the round first, which may move slow start
 * into CSS or back; then the window grows (`slowStart`); when CSS has run
 * its rounds, congestion avoidance begins with `ssthresh = cwnd` and this
 * ACK is used up. Returns what `slowStart` returns.
 */
export const slowStartAck = (
  s: State,
  acked: number,
  limited: boolean,
  sample: number | undefined,
  ack: Seq.SeqNum | undefined,
  sndNxt: Seq.SeqNum | undefined
): number => {
  let h = s.hystart
  if (h !== undefined && ack !== undefined && sndNxt !== undefined) {
    // (the first ACK in slow start gives the connection its own record: `HyStart.FRESH`)
    if (h === HyStart.FRESH) h = s.hystart = HyStart.make()
    HyStart.observe(h, sample, ack, sndNxt, s.cwnd / s.smss)
  }
  const rest = slowStart(s, acked, limited)
  if (!HyStart.cssDone(h)) return rest
  s.ssthresh = Math.max(Math.floor(s.cwnd), 2 * s.smss)
  HyStart.stop(h)
  return 0
}

/**
 * Congestion avoidance for one ACK, counting bytes (RFC 5681 §3.1's
 * recommended way, RFC 3465 §2.1) as Linux's tcp_reno_cong_avoid counts
 * them (tcp_cong_avoid_ai with w = cwnd, its snd_cwnd_cnt in octets here):
 * acknowledged octets add up in `bytesAcked`, and each whole `cwnd` of them
 * adds one SMSS, the rest kept for the next ACK; so a whole window
 * acknowledged adds one segment. A count already at `cwnd` or more when the
 * ACK comes, left from a larger window (the restart after idle keeps it,
 * `restart`), adds one segment and starts over from this ACK's octets
 * ("credits accumulated at a higher w, apply them gently now"), not RFC
 * 3465's carry of what it exceeds the window by, which grew the next
 * segment early. The caller has already checked that the window was the
 * limit.
 */
const congestionAvoidance = (s: State, acked: number): void => {
  const w = s.cwnd
  let grow = 0
  if (s.bytesAcked >= w) {
    s.bytesAcked = 0
    grow = s.smss
  }
  s.bytesAcked = Math.min(s.bytesAcked + acked, 2 ** 32)
  if (s.bytesAcked >= w) {
    const d = Math.floor(s.bytesAcked / w)
    s.bytesAcked -= d * w
    grow += d * s.smss
  }
  s.cwnd = Math.min(w + grow, MAX_CWND)
}

/**
 * Whether this ACK may grow the window, as Linux's `tcp_is_cwnd_limited`
 * (include/net/tcp.h), asked once per ACK before slow start and congestion
 * avoidance (tcp_reno_cong_avoid, cubictcp_cong_avoid):
 *
 * - the window was the limit: it could not fit one more full segment
 *   (`inFlightBefore + SMSS > cwnd`, `cwnd` as before the ACK), Linux's
 *   is_cwnd_limited (tcp_cwnd_validate: packets in flight reached cwnd in
 *   the window being acknowledged), RFC 9438 §5.8's test;
 * - or, in slow start, `cwnd < 2 * inFlightBefore`, Linux's
 *   `cwnd < 2 * max_packets_out`: an application that used half the window
 *   may still double it.
 *
 * In slow start the ACK then grows the window by all it acknowledged
 * (`slowStart`): six segments in flight under a window of ten, acknowledged
 * at once, make it sixteen, not twelve (twice the flight, the cap the stack
 * had, draft-ietf-ccwg-ratelimited-increase's limit(maxFS)); and the rest of
 * an ACK that passes ssthresh counts toward congestion avoidance on the
 * same answer, as Linux's tcp_slow_start hands it to tcp_cong_avoid_ai.
 */
export const cwndLimited = (s: State, inFlightBefore: number): boolean =>
  inFlightBefore + s.smss > s.cwnd || (s.cwnd < s.ssthresh && s.cwnd < 2 * inFlightBefore)

/**
 * Nothing for congestion control to do with this ACK: it acknowledged no octets, and either no
 * whole segment either (`dataAcked`, Linux's FLAG_DATA_ACKED) or the window is in slow start,
 * where Linux's tcp_slow_start of 0 adds nothing. An ACK of data all SACKed before, past ssthresh,
 * still runs congestion avoidance with 0 (tcp_cong_control asks tcp_may_raise_cwnd, the flag, not
 * acked_sacked): both algorithms' `onAck` return on this, and only on this.
 */
export const nothingAcked = (s: State, ackedOctets: number, dataAcked: boolean | undefined): boolean =>
  ackedOctets === 0 && (dataAcked !== true || s.cwnd < s.ssthresh)

/**
 * RFC 5681 §3.1 equation 4 on the window, as Linux's tcp_reno_ssthresh:
 * `ssthresh = max(cwnd / 2, 2 * SMSS)`, on loss detection (§3.2 step 2), an
 * ECN echo and a timeout. The RFC halves FlightSize and warns against cwnd,
 * which an application-limited sender may have grown past anything it
 * sent; here cwnd grows only while below twice what was in flight (by at
 * most one ACK's worth past it), nor at all in
 * congestion avoidance while the window is not the limit ("Growth only when
 * the window was the limit" in Congestion.ts; RFC 9438 §4.6 allows cwnd on
 * that condition), and FlightSize taken after an ACK that covered most of
 * the flight (RACK marking a loss on it) cut far below the window the path
 * had carried. In whole segments, as Linux's cwnd counts packets (cwnd >> 1):
 * 11 segments give 5, not 5.5, whose half segment would change nothing the
 * window lets out yet would move every later step (PRR's share, the growth
 * back) off Linux's.
 */
export const halfWindow = (s: State): number => Math.max(Math.floor(s.cwnd / s.smss) >> 1, 2) * s.smss

/**
 * The window on leaving fast recovery: `ssthresh` (RFC 6582 §3.2 step 3's
 * second option, RFC 6937's end of PRR, Linux's tcp_end_cwnd_reduction).
 * With little left in flight the sender may then send most of a window at
 * once, as Linux's does; the first option,
 * `min(ssthresh, max(FlightSize, SMSS) + SMSS)`, left a flow whose
 * application had nothing more to send at two segments, to slow-start up
 * again from there where a Linux peer goes on at ssthresh.
 */
export const endRecovery = (s: State): void => {
  s.cwnd = Math.min(s.ssthresh, MAX_CWND)
  s.bytesAcked = 0
  s.reducing = false
}

/**
 * The timeout's loss window (RFC 5681 §3.1). `cwnd` becomes one segment
 * whatever the initial window was, and slow start begins, growing by all
 * each ACK acknowledged as any other (Linux's tcp_slow_start; not RFC 3465
 * §2.3's L = 1 SMSS). The caller has already set ssthresh if this is the
 * first expiry.
 */
export const lossWindow = (s: State): void => {
  HyStart.stop(HyStart.own(s))
  s.cwnd = s.smss
  s.bytesAcked = 0
  s.rtoPending = true
  s.reducing = false
}

/**
 * Linux's tcp_current_ssthresh: inside a cwnd reduction (its CWR and Recovery states, `reducing`)
 * ssthresh itself, otherwise at least 3/4 of the window, in whole segments as Linux's
 * `(cwnd >> 1) + (cwnd >> 2)`: the threshold the window's size already vouches for. What an idle
 * restart raises ssthresh to (`restart`), and what a loss episode saves to give back if it proves
 * spurious (Linux's prior_ssthresh; `Congestion.saveForUndo`).
 */
export const currentSsthresh = (s: State): number => {
  if (s.reducing) return s.ssthresh
  const segs = Math.floor(s.cwnd / s.smss)
  return Math.max(s.ssthresh, ((segs >> 1) + (segs >> 2)) * s.smss)
}

/**
 * Restart after idle, as Linux's tcp_cwnd_restart (tcp_slow_start_after_idle
 * = 1, its default): if nothing was sent for longer than an RTO, the ACK
 * clock is gone. `cwnd` is halved once for each whole RTO of the idle time
 * past the first, no lower than `RW = min(IW, cwnd)` (RFC 2861's decay, in
 * whole segments as Linux counts them): 22 segments idle 1.5 RTOs come back
 * as 11, idle 2.5 RTOs as 10. RFC 5681 §4.1 takes RW at once; a peer sees
 * Linux's rule, and the next burst after a short pause then is Linux's.
 * `ssthresh` rises to at least 3/4 of the window before the restart
 * (tcp_current_ssthresh), so slow start brings the window most of the way
 * back. A HyStart++ still running starts over (`HyStart.restart`). The count
 * toward the next segment of congestion avoidance (`bytesAcked`) is kept, as
 * tcp_cwnd_restart leaves snd_cwnd_cnt: the first ACK past ssthresh then
 * grows the window by one segment, the count starting over, when the count
 * had reached a segment's worth (CUBIC's cnt, Reno's cwnd) before the idle
 * (tcp_cong_avoid_ai's first step; `congestionAvoidance`). Returns whether
 * `cwnd` shrank.
 */
export const restart = (s: State, idleMs: number, rto: number): boolean => {
  if (!(idleMs > rto)) return false
  s.ssthresh = currentSsthresh(s)
  const rw = Math.min(initialWindow(s.smss), s.cwnd)
  let cwnd = s.cwnd
  // (bounded: each turn halves cwnd, which stops at rw, whatever rto is)
  for (let left = idleMs - rto; left > 0 && cwnd > rw; left -= rto) cwnd = Math.floor(cwnd / s.smss / 2) * s.smss
  cwnd = Math.max(cwnd, rw)
  if (cwnd >= s.cwnd) return false
  s.cwnd = cwnd
  HyStart.restart(s.hystart)
  return true
}

const init = (smss: number, _now: number, synLost = false, hystart = false): State =>
  makeState("newreno", smss, synLost, hystart)

const onAck = (
  s: State,
  ackedOctets: number,
  _now: number,
  _rttMs: number | undefined,
  inFlightBefore: number,
  sample?: number,
  ack?: Seq.SeqNum,
  sndNxt?: Seq.SeqNum,
  dataAcked?: boolean
): void => {
  let acked = octets(ackedOctets)
  // An ACK of data all SACKed before (`dataAcked`, nothing new delivered) still runs Linux's
  // tcp_reno_cong_avoid (tcp_cong_control asks tcp_may_raise_cwnd, FLAG_DATA_ACKED, not
  // acked_sacked): in slow start tcp_slow_start of 0 returns, past ssthresh tcp_cong_avoid_ai(tp,
  // cwnd, 0) applies a count already at cwnd or more, left from a larger window by an idle restart
  // (`restart`): a segment at this ACK, not the next (test/tcp/congestion/NewReno.test.ts, "an ACK of
  // only SACKed data")
  if (nothingAcked(s, acked, dataAcked)) return
  const flight = octets(inFlightBefore)
  const limited = cwndLimited(s, flight)
  s.rtoPending = false
  s.reducing = false
  if (s.cwnd < s.ssthresh) {
    acked = slowStartAck(s, acked, limited, sample, ack, sndNxt)
    if (acked === 0) return
  }
  if (limited) congestionAvoidance(s, acked)
}

/**
 * Loss detected without a timeout (RFC 5681 §3.2 step 2, RFC 6582 §3.2
 * step 2). `ssthresh = max(cwnd / 2, 2 * SMSS)` (`halfWindow`) and
 * `cwnd = ssthresh`. Fast recovery's window is the sender's (PRR; see
 * Congestion.ts).
 */
const onLoss = (s: State, _inFlight: number, _now: number): void => {
  HyStart.stop(HyStart.own(s))
  s.ssthresh = halfWindow(s)
  s.cwnd = Math.min(s.ssthresh, MAX_CWND)
  s.bytesAcked = 0
  s.rtoPending = false
  s.reducing = true
}

const onRecoveryEnd = (s: State, _inFlight: number, _now: number): void => endRecovery(s)

/**
 * The retransmission timer expired (RFC 5681 §3.1 equation 4). The first
 * expiry sets `ssthresh = max(cwnd / 2, 2 * SMSS)` (`halfWindow`). A
 * repeated one keeps it, because the window is then the single
 * retransmitted segment and halving it would throw away what the path was
 * known to carry; so does one during a recovery or an ECN cut, which has
 * reduced this window already (Linux's tcp_enter_loss). `cwnd = 1 SMSS`
 * either way.
 */
const onRto = (s: State, _inFlight: number, _now: number): void => {
  if (!s.rtoPending && !s.reducing) s.ssthresh = halfWindow(s)
  lossWindow(s)
}

const onIdle = (s: State, idleMs: number, rto: number): void => {
  restart(s, idleMs, rto)
}

/** (Reno keeps no epoch: nothing moves when data goes again) */
const onTxStart = (_s: State, _idleMs: number, _now: number): void => {}

/** NewReno as a `Congestion.Algorithm`. @category constructors */
export const algorithm: Algorithm = { name: "newreno", init, onAck, onLoss, onRecoveryEnd, onRto, onIdle, onTxStart }
