/**
 * CUBIC congestion control (RFC 9438, which obsoletes RFC 8312), in octets.
 *
 * After a reduction the window follows a cubic curve of the time since the
 * congestion avoidance stage began (§4.2, Figure 1):
 *
 *     W_cubic(t) = C * (t - K)^3 + W_max,   K = cbrt((W_max - cwnd_epoch) / C)
 *
 * The RFC counts windows in segments and t in seconds, with C = 0.4
 * segments/s^3 and beta_cubic = 0.7. Here the windows are octets, so the
 * curve is `C * SMSS * (t - K)^3 + W_max` and K divides by `C * SMSS`.
 * Times are ms, converted to seconds for the formula. The curve rises
 * steeply toward W_max, flattens there (the "concave" region, t < K: the
 * last window that lost is probably near capacity), then probes past it
 * ever faster (the "convex" region, t > K).
 *
 * Per ACK in congestion avoidance, in whole segments as Linux's CUBIC
 * (bictcp_update, tcp_cong_avoid_ai; its cwnd counts packets):
 * - W_est, the window Reno would have reached, grows by
 *   `alpha_cubic * SMSS * acked / cwnd` (§4.3, Figure 4), with
 *   `alpha_cubic = 3 (1 - beta) / (1 + beta)`, in whole segments as Linux's
 *   estimate (tcp_friendliness: tcp_cwnd a segment more per floor(15 cwnd / 8)
 *   acknowledged, its ack_cnt here `ackCnt`: 0.56 segments a window at 10,
 *   where 0.53 fractions left it a segment behind at 37 acknowledged), and
 *   stays so once W_est reaches cwnd_prior, where §4.3 says it SHOULD become
 *   1: on short round trips, where the estimate sets the window, 1 grew a
 *   segment per window where a Linux peer grows one per 1.9 windows.
 * - The target is `W_cubic(t + RTT)` (§4.4, Figure 3) in whole segments,
 *   RTT the minimum RTT, as Linux's delay_min, where RFC 9438 §4.1.2 takes
 *   the smoothed RTT (RFC 6298): SRTT grows with a standing queue, and aimed
 *   the curve further ahead than a Linux peer's, so the window grew sooner:
 *   rounded up while `t + RTT < K` (below W_max, Linux's bic_target is the
 *   origin less the curve's drop rounded down), down after. `cnt`, the
 *   segments to acknowledge for one segment of growth, is
 *   `cwnd / (target - cwnd)` in whole segments (100 cwnd when the target
 *   is not above cwnd), lowered to `cwnd / (W_est - cwnd)` when W_est, in
 *   whole segments, is ahead (the Reno-friendly region, §4.3: short round
 *   trips, where Reno's ACK-clocked growth beats a curve that runs on
 *   wall-clock time), and at least 2: at most half a segment per segment
 *   acknowledged, §4.5's 1.5 cwnd cap on the target.
 * - What is acknowledged adds up in `bytesAcked` (Linux's snd_cwnd_cnt in
 *   octets), and each `cnt` segments of it add one SMSS to cwnd. So the
 *   window lets one more segment go when Linux's does. RFC 9438's
 *   `cwnd += (target - cwnd) * acked / cwnd` in octets let it go only once
 *   the fractions made a segment, after the curve had passed it: a segment
 *   late right after a loss (7 segments after a window of 10, an ACK of 7
 *   gives Linux 8: target 8, cnt 7).
 *
 * The epoch (t = 0) starts at the first ACK processed in congestion
 * avoidance, with `cwnd_epoch = W_est = cwnd`. When W_max is not above
 * cwnd_epoch (after an RTO, which drops W_max per §4.8, or when slow start
 * ends without a loss), `K = 0` and the curve's origin is cwnd_epoch, so
 * only the convex half remains (§4.8); W_max stays as the last loss set it
 * (Linux's last_max_cwnd, which fast convergence compares with), and while
 * it is 0 cnt is at most 20, as Linux's. Idle time is taken out of t (§4.2:
 * "t ... MUST NOT include these periods"), the epoch kept through an idle
 * restart as Linux keeps it (`onIdle`). Other stretches where the
 * application sent less than the window still count toward t, as in Linux.
 * The window does not grow during them (§5.8), and cnt's floor of 2
 * bounds the catch-up afterwards.
 *
 * On loss (§4.6, §4.7): fast convergence first. If cwnd is below the
 * previous W_max, the flow is losing share, and W_max becomes
 * `cwnd * (1 + beta) / 2` instead of cwnd, so that it makes room for newer
 * flows; in whole segments, as Linux's (with its beta of 717 / 1024: 7
 * segments give 5). Then `ssthresh = max(cwnd * beta, 2 * SMSS)` in whole segments (`reducedSsthresh`) and
 * `cwnd = ssthresh`. On an RTO, ssthresh is set the same way and cwnd
 * becomes 1 SMSS as in Reno (§4.8). Slow start, the exit from recovery and
 * the restart after idle are Reno's (NewReno.ts; §4.10).
 *
 * A reduction proved spurious is undone by `Congestion.undo`: cwnd and
 * ssthresh only, as Linux's CUBIC (tcp_reno_undo_cwnd), not RFC 9438
 * §4.9.2's restore of this module's variables: the loss's W_max stays and
 * the next ACK starts a new epoch (Congestion.ts, "Undoing a reduction
 * that proved spurious").
 *
 * HyStart++ (RFC 9406, which §4.10 recommends) ends the initial slow
 * start when the delay grows (HyStart.ts, run by `Reno.slowStartAck`).
 * Not implemented: ECN's smaller floor (§4.6 `reduction_on_loss`). Linux's:
 * cnt kept while cwnd is unchanged and no more than HZ / 32 jiffies have
 * passed since it was worked out (7 at the reference kernel's HZ of 250),
 * and within the jiffy of the last update only Reno's estimate asked again
 * (bictcp_update; jiffies here `now` / 4 ms). Linux's: t + RTT in whole
 * jiffies, the RTT rounded up to one, then 1/1024 s (`aheadSeconds`). Not
 * Linux's: C 0.4 where its bic_scale gives 410 / 1024, and K from `Math.cbrt`
 * in seconds where its cubic_root gives 1/1024 s (a few ms apart); its
 * delay_min CUBIC's own (reset by a timeout, no samples from the first
 * second of an epoch; here RACK's windowed minimum).
 * Linux's: cnt at most 20 while W_max is 0 (no loss yet, or since an RTO).
 *
 * Hooks change the caller's `State` in place and allocate nothing.
 *
 * @since 0.1.0
 */
import type * as Seq from "../SeqNum.js"
import type { Algorithm, State } from "./Congestion.js"
import * as HyStart from "./HyStart.js"
import * as Reno from "./NewReno.js"

/** C, the cubic curve's scaling constant, in segments / s^3 (RFC 9438 §4.1.1: 0.4). @category constants */
export const C = 0.4

/** beta_cubic, the multiplicative decrease factor (§4.1.1: 0.7). @category constants */
export const BETA = 0.7

/** alpha_cubic = 3 (1 - beta) / (1 + beta), Reno-friendly growth in segments per RTT (§4.3, about 0.53). @category constants */
export const ALPHA = (3 * (1 - BETA)) / (1 + BETA)

/**
 * `W_cubic(t)` in octets, where `t` is in seconds since the epoch began
 * (§4.2, Figure 1). By construction `wCubic(s, s.k) === s.wMax` when W_max
 * is above the window the epoch began with; otherwise K = 0 and the curve
 * starts at that window.
 *
 * @category combinators
 */
export const wCubic = (s: State, t: number): number => {
  const d = t - s.k
  // (the origin: W_max, or with K = 0 the window the epoch began with, as Linux's
  // bic_origin_point; W_max itself is left as the last loss set it, Linux's last_max_cwnd)
  return C * s.smss * d * d * d + (s.k > 0 ? s.wMax : s.cwndEpoch)
}

/**
 * Linux's beta_scale, 8 (1024 + 717) / 3 / (1024 - 717) in integers: 15, so that Reno's estimate
 * grows a segment per floor(15 cwnd / 8) acknowledged (tcp_friendliness), alpha_cubic = 3 (1 - beta)
 * / (1 + beta) per window with beta 717 / 1024.
 */
const RENO_SCALE = 15

/** The reference kernel's CONFIG_HZ. */
const HZ = 250

/** A jiffy of the reference kernel, in ms (4 at HZ 250). */
const JIFFY_MS = 1000 / HZ

/** HZ / 32 in jiffies (integer division, as Linux's: 7 at HZ 250), bictcp_update's hold on cnt. */
const HZ_32 = Math.floor(HZ / 32)

/**
 * t + RTT as Linux's bictcp_update works it out, in seconds: whole jiffies since the epoch began
 * (`tcp_jiffies32 - ca->epoch_start`) plus delay_min rounded up to whole jiffies
 * (`usecs_to_jiffies(ca->delay_min)`, a sample of 0 counted as 1 us: a jiffy at the least), then
 * `t <<= BICTCP_HZ; do_div(t, HZ)`: 1/1024 s rounded down. No RTT sample: no look-ahead (delay_min
 * 0). A clock that stepped back, or NaN, reads as no time elapsed.
 */
const aheadSeconds = (jiffy: number, epochStart: number, rttMs: number | undefined): number => {
  let j = jiffy - Math.floor(epochStart / JIFFY_MS)
  if (!(j > 0)) j = 0
  if (rttMs !== undefined && rttMs < Infinity && rttMs >= 0) j += Math.max(1, Math.ceil(rttMs / JIFFY_MS))
  return Math.floor((j * 1024) / HZ) / 1024
}

/**
 * ssthresh after a congestion event (§4.6, Figure 5): cwnd * 0.7 in whole
 * octets, at least 2 SMSS. From cwnd, as Linux's cubictcp_recalc_ssthresh,
 * not §4.6's flight_size: the RFC lets cwnd stand in where cwnd does not
 * grow while the application leaves it unfilled (§5.8, as here), and a peer
 * then sees Linux's cut (20 segments of window with 10 in flight: 14). In
 * whole segments of the window's whole segments, with Linux's beta of
 * 717 / 1024 (its cwnd counts packets): 11 segments give 7, not 7.7, and
 * 100 give 70.
 */
const reducedSsthresh = (s: State): number =>
  Math.max(Math.floor((Math.floor(s.cwnd / s.smss) * 717) / 1024), 2) * s.smss

/** A congestion avoidance stage begins at `now` (§4.2 t_epoch and K, §4.3 W_est, §4.8). */
const startEpoch = (s: State, now: number): void => {
  s.epochStart = now
  s.cwndEpoch = s.cwnd
  // (Linux's tcp_cwnd = cwnd in whole segments, ack_cnt from this ACK's, added by `onAck`)
  s.wEst = Math.max(1, Math.floor(s.cwnd / s.smss)) * s.smss
  s.ackCnt = 0
  // (W_max not raised to cwnd when below it: Linux's bictcp_update takes cwnd as the origin and
  // leaves last_max_cwnd, whose 0 means no loss since the start or a timeout: see `onAck`'s 20)
  s.k = s.wMax > s.cwnd ? Math.cbrt((s.wMax - s.cwnd) / (C * s.smss)) : 0
}

const init = (smss: number, _now: number, synLost = false, hystart = false): State =>
  Reno.makeState("cubic", smss, synLost, hystart)

const onAck = (
  s: State,
  ackedOctets: number,
  now: number,
  rttMs: number | undefined,
  inFlightBefore: number,
  sample?: number,
  ack?: Seq.SeqNum,
  sndNxt?: Seq.SeqNum,
  dataAcked?: boolean
): void => {
  let acked = Reno.octets(ackedOctets)
  // An ACK of data all SACKed before (`dataAcked`, nothing new delivered) still reaches Linux's
  // cubictcp_cong_avoid (tcp_cong_control asks FLAG_DATA_ACKED, not acked_sacked): in slow start
  // tcp_slow_start of 0 returns at once, in congestion avoidance bictcp_update runs with 0 (cnt
  // worked out again past HZ / 32, last_cwnd and last_time moved, an epoch started) and
  // tcp_cong_avoid_ai applies a count gathered under a larger cnt. Returning here, the window grew
  // an ACK late (test/kernel/ConformanceCwnd.test.ts, "an ACK of only SACKed data")
  if (Reno.nothingAcked(s, acked, dataAcked)) return
  const flight = Reno.octets(inFlightBefore)
  const limited = Reno.cwndLimited(s, flight)
  s.rtoPending = false
  s.reducing = false
  if (s.cwnd < s.ssthresh) {
    acked = Reno.slowStartAck(s, acked, limited, sample, ack, sndNxt)
    if (acked === 0) return
  }
  // §5.8: no growth, and no W_est credit, while the window was not the limit (Linux's
  // tcp_is_cwnd_limited, asked before slow start: its slow-start answer for what passed ssthresh).
  if (!limited) return
  const cwnd = s.cwnd
  const smss = s.smss
  const n = Math.max(1, Math.floor(cwnd / smss))
  const jiffy = Math.floor(now / JIFFY_MS)
  let cnt: number
  if (s.lastCwnd === n && jiffy - s.lastJiffy <= HZ_32) {
    // Linux's bictcp_update returns before anything else (after ack_cnt += acked) while cwnd is
    // the one cnt was last worked out for and no more than HZ / 32 jiffies have passed: the
    // earlier cnt stands, Reno's estimate counts the ACK but is not asked (a cnt of 20 at a window
    // of 2, with no W_max, kept over an ACK that recomputed would take the estimate's 2)
    s.ackCnt += acked
    cnt = s.cnt
  } else {
    // Within the jiffy of the last update, with an epoch under way, Linux keeps the curve's cnt
    // and asks only Reno's estimate again (bictcp_update's goto tcp_friendliness), last_cwnd and
    // last_time left as they were
    const sameJiffy = s.epochStart !== undefined && jiffy === s.lastJiffy
    if (!sameJiffy) {
      s.lastCwnd = n
      s.lastJiffy = jiffy
    }
    if (s.epochStart === undefined) startEpoch(s, now)
    s.ackCnt += acked
    if (sameJiffy) cnt = s.cnt
    else {
      // The window in whole segments, as Linux's bictcp_update counts it: the target one RTT
      // ahead (Figure 3) rounded to a whole segment as its integer bic_target is, up below W_max
      // (the origin less the curve's drop rounded down) and down above it; `cnt`, the segments to
      // acknowledge per segment of growth, cwnd / (target - cwnd) in whole segments, lowered to
      // what W_est asks (§4.3, Linux's tcp_friendliness) and at least 2 (§4.5's 1.5 cwnd cap)
      // (one minimum RTT ahead, Linux's t += delay_min: none before a sample, Infinity from an empty filter)
      const ahead = aheadSeconds(jiffy, s.epochStart!, rttMs)
      // (less a hair: at t = 0 the curve is cwnd_epoch itself, which cbrt's rounding may leave a
      // fraction above a whole segment)
      const w = wCubic(s, ahead) / smss
      const target = ahead < s.k ? Math.ceil(w - 1e-9) : Math.floor(w + 1e-9)
      cnt = target > n ? Math.floor(n / (target - n)) : 100 * n
      // Linux's bictcp_update while last_max_cwnd is 0 (no loss yet, or none since a timeout, whose
      // TCP_CA_Loss resets it, cubictcp_state): "the initial growth of cubic function may be too
      // conservative when the available bandwidth is still unknown", cnt at most 20, 5% a round.
      // Without it a window that left slow start with no loss (HyStart++) or came back after a
      // timeout grew at the curve's C t^3 from K = 0 and Reno's estimate, far below Linux's
      if (s.wMax === 0 && cnt > 20) cnt = 20
    }
    // Reno's estimate as Linux's tcp_friendliness, in whole segments: a segment more per
    // floor(15 cwnd / 8) acknowledged (beta_scale 15 / 8: alpha_cubic, 0.53 segments a window, with
    // the floor's rounding, 0.56 at 10), counted once past it (its `ack_cnt > delta`), the rest
    // carried; past cwnd_prior too, not §4.3's 1 there (on short round trips, where the estimate
    // sets the window, 1 grew a segment per window where a Linux peer grows one per 1.9)
    const per = Math.floor((n * RENO_SCALE) / 8) * smss
    if (s.ackCnt > per) {
      const steps = Math.ceil(s.ackCnt / per) - 1
      s.ackCnt -= steps * per
      s.wEst += steps * smss
    }
    const reno = Math.floor(s.wEst / smss + 1e-9)
    if (reno > n) cnt = Math.min(cnt, Math.floor(n / (reno - n)))
    if (cnt < 2) cnt = 2
    s.cnt = cnt
  }
  // Linux's tcp_cong_avoid_ai: what is acknowledged adds up (`bytesAcked`, its snd_cwnd_cnt in
  // octets), and each `cnt` segments of it add a whole segment; a count left from a larger cnt
  // adds one first. A window in octets that grew by fractions (RFC 9438's
  // (target - cwnd) / cwnd per segment) let a segment more go only once the fractions made one,
  // after the curve had passed the next whole segment: later than Linux, a whole segment late
  // below W_max, where Linux's target is the curve rounded up
  const every = cnt * smss
  let grow = 0
  if (s.bytesAcked >= every) {
    s.bytesAcked = 0
    grow = smss
  }
  s.bytesAcked += acked
  if (s.bytesAcked >= every) {
    const d = Math.floor(s.bytesAcked / every)
    s.bytesAcked -= d * every
    grow += d * smss
  }
  s.cwnd = Math.min(cwnd + grow, Reno.MAX_CWND)
}

const onLoss = (s: State, _inFlight: number, _now: number): void => {
  HyStart.stop(HyStart.own(s))
  // §4.7 fast convergence, on the window before the reduction, in whole segments as Linux's
  // cubictcp_recalc_ssthresh (last_max_cwnd = cwnd * (1024 + 717) / 2048, its cwnd in packets):
  // bictcp_update's origin is a whole segment, and K comes from whole segments. A W_max with a
  // fraction put the target, rounded up below it, a segment above Linux's (5.95 segments after 7
  // below 10: target 6 where Linux's is 5, cnt 2 where its is 4)
  s.ssthresh = reducedSsthresh(s)
  const n = Math.floor(s.cwnd / s.smss)
  s.wMax = (n * s.smss < s.wMax ? Math.floor((n * 1741) / 2048) : n) * s.smss
  s.cwndPrior = s.cwnd
  s.cwnd = Math.min(s.ssthresh, Reno.MAX_CWND)
  s.epochStart = undefined
  s.bytesAcked = 0
  s.rtoPending = false
  s.reducing = true
}

const onRecoveryEnd = (s: State, _inFlight: number, _now: number): void => Reno.endRecovery(s)

/**
 * §4.8: ssthresh as on loss (held on a repeated expiry, as in Reno), cwnd 1
 * SMSS, and W_max forgotten. The first congestion avoidance stage after
 * the timeout then starts with K = 0 from the window it reached.
 */
const onRto = (s: State, _inFlight: number, _now: number): void => {
  if (!s.rtoPending && !s.reducing) {
    s.cwndPrior = s.cwnd
    s.ssthresh = reducedSsthresh(s)
  }
  s.wMax = 0
  s.epochStart = undefined
  // (cubictcp_state on TCP_CA_Loss, bictcp_reset: cnt and last_cwnd 0, so the next ACK in
  // congestion avoidance works cnt out afresh)
  s.cnt = 0
  s.lastCwnd = 0
  Reno.lossWindow(s)
}

/**
 * The restart after idle (`Reno.restart`, Linux's tcp_cwnd_restart): CUBIC
 * leaves CA_EVENT_CWND_RESTART alone, so the epoch waits for `onTxStart`,
 * and W_est, W_max and the count toward the next segment (`bytesAcked`,
 * snd_cwnd_cnt) stay as they were.
 */
const onIdle = (s: State, idleMs: number, rto: number): void => {
  Reno.restart(s, idleMs, rto)
}

/**
 * §4.2's rule that t must not count the idle time: when data goes again with
 * nothing in flight the epoch moves on by the time since the last data sent,
 * never past `now`, whether or not the window was cut, as Linux's
 * bictcp_cwnd_event on CA_EVENT_TX_START. A cut window slow-starts back to
 * its raised ssthresh, then goes on along the curve where it stood when the
 * sending stopped, not along a new one from the cut window (which would
 * climb back towards W_max as slowly as after a loss).
 */
const onTxStart = (s: State, idleMs: number, now: number): void => {
  if (s.epochStart === undefined || !(idleMs > 0)) return
  // In whole jiffies, as Linux's `tcp_jiffies32 - lsndtime` (and only when above 0): bictcp_update
  // counts t in jiffies from epoch_start, and the idle's milliseconds moved the epoch's jiffy a jiffy
  // off Linux's where the two roundings parted (2 ms within one jiffy moved it; 2 ms across an edge
  // did not). Whole jiffies of 4 ms keep `epochStart`'s place within its jiffy
  const jiffies = Math.floor(now / JIFFY_MS) - Math.floor((now - idleMs) / JIFFY_MS)
  if (!(jiffies > 0)) return
  s.epochStart += jiffies * JIFFY_MS
  if (Math.floor(s.epochStart / JIFFY_MS) > Math.floor(now / JIFFY_MS)) s.epochStart = now
}

/** CUBIC as a `Congestion.Algorithm`. @category constructors */
export const algorithm: Algorithm = { name: "cubic", init, onAck, onLoss, onRecoveryEnd, onRto, onIdle, onTxStart }
