/**
 * Congestion control: how large a window the network lets the sender use,
 * as strategies behind one small interface (gVisor's `congestionControl` in
 * `snd.go`, smoltcp's `congestion::Controller`). Two strategies:
 *
 * - `"newreno"`: RFC 5681 slow start and congestion avoidance with RFC 3465
 *   byte counting, the RFC 6582 exit from fast recovery (NewReno.ts);
 *   slow start without RFC 3465's L, growing by all an ACK acknowledged as
 *   Linux's tcp_slow_start (`NewReno.slowStart` says why);
 * - `"cubic"`: RFC 9438, the Linux default (Cubic.ts).
 *
 * Both start from the RFC 6928 initial window and restart after idle as
 * Linux does (tcp_cwnd_restart: halved per idle RTO down to RFC 5681 §4.1's
 * restart window, `NewReno.restart`).
 *
 * Every function is pure in the sense of the rest of `src/tcp`: no clock, no
 * Effect, no I/O. Time (`now`, ms on Effect's Clock) and the smoothed RTT come
 * in as arguments. Windows are in **octets**, not segments (RFC 5681 counts
 * in bytes, and gVisor's segment counting needs a second conversion whenever
 * SMSS and the segment sizes disagree). Durations are in ms, and CUBIC
 * converts to seconds for its formula.
 *
 * ## Who owns the state, and why it is mutable
 *
 * A `State` is one plain record per connection, owned by the connection's
 * send half (the fiber that owns the Tcb), and the hooks change it in
 * place. `onAck` runs for nearly every segment received. An immutable record
 * returned per ACK would allocate on that hot path (CUBIC's state has a dozen
 * fields) for no gain, because nothing else ever sees the state: the
 * connection fiber is its only owner (STYLE §3, "no shared mutable state").
 * The receive side's `OutOfOrder` queue does the same. One record shape
 * serves both algorithms (NewReno leaves CUBIC's fields at their initial
 * values). So `byName` returns one `Algorithm` type whose hooks take one
 * `State` type, with no casts or generics. V8 also sees a single hidden class.
 *
 * ## What is the sender's, and what is here
 *
 * Loss *detection* and *recovery* belong to the sender: counting duplicate
 * ACKs, fast retransmit, fast recovery's window (Proportional Rate Reduction,
 * RFC 6937, with SACK and without, as Linux), NewReno's partial ACKs (RFC
 * 6582 §3.2 step 3), the SACK scoreboard and `pipe`
 * (RFC 6675), RACK, and the retransmission timer (`Rtt.ts`). This module
 * only answers one question: how big `cwnd` and `ssthresh` are after each
 * event.
 *
 * `cwnd` here is never inflated. During fast recovery it holds the
 * reduced window (`ssthresh`), and the sender's sends follow PRR's window
 * over its `pipe` (RFC 6937; without SACK the duplicates count as segments
 * out of the network, Linux's tcp_add_reno_sack, where RFC 6582 would
 * inflate: `inFlight < cwnd + dupAcks * SMSS`). That window is the sender's
 * arithmetic on its own counters, and nothing has to be undone here when
 * recovery ends.
 *
 * ## When the sender calls each hook
 *
 * 1. `init(smss, now, synLost)`: once the connection is
 *    established and the effective send MSS is known. Pass `synLost` when
 *    the handshake lost a SYN or SYN-ACK (the sender's rule,
 *    `Sender.handshakeLost`): then the initial window is one segment
 *    (RFC 5681 §3.1).
 * 2. `onAck(s, acked, now, minRtt, inFlightBefore)`: for every ACK that
 *    advances SND.UNA *outside fast recovery*. That includes the ACKs after
 *    an RTO, which drive the slow start that follows it. `acked` is what
 *    the ACK delivered: the data octets newly acknowledged, with SACK RFC
 *    6937's DeliveredData (octets SACKed earlier counted then, not again:
 *    Linux's acked_sacked). `inFlightBefore` is the data
 *    in flight when the ACK arrived, before it was taken off (SND.MAX -
 *    SND.UNA), or the largest flight of the window this ACK belongs to if
 *    that was more (the sender's `maxFlight`: maxFS below), or cwnd while a
 *    send of that window filled it (Linux's is_cwnd_limited). `minRtt` is
 *    the minimum RTT (`Rack.minRtt`), how far ahead CUBIC aims (Linux's
 *    delay_min). Duplicate ACKs and pure window updates call nothing.
 * 3. `onLoss(s, flightSize, now)`: once per recovery episode, when the
 *    sender decides a segment is lost without a timeout and enters fast
 *    recovery. That happens on the third duplicate ACK (RFC 5681 §3.2 step 2,
 *    RFC 6582 §3.2 step 2), on RFC 6675's loss trigger, or on a RACK loss
 *    mark. It is not called again until the recovery point is acknowledged
 *    (RFC 6582 §3.2 step 2's "recover" guard). `flightSize` is the data
 *    outstanding at that moment (RFC 5681's FlightSize); both algorithms
 *    here take ssthresh from cwnd instead, as Linux's do (NewReno.halfWindow).
 * 4. Partial ACKs during recovery call nothing. The sender retransmits the
 *    next hole as PRR's window allows (RFC 6582 §3.2 step 3, "partial
 *    acknowledgments").
 * 5. `onRecoveryEnd(s, flightSize, now)`: when an ACK covers the recovery
 *    point (RFC 6582 §3.2 step 3, "full acknowledgment"). `flightSize` is what
 *    is still outstanding after that ACK (unused: cwnd becomes ssthresh, as
 *    Linux's tcp_end_cwnd_reduction). That ACK is then passed to `onAck`
 *    with what it delivered (Linux's tcp_cong_control after
 *    tcp_fastretrans_alert set Open); without SACK only one past the
 *    recovery point (at it Linux holds Recovery).
 * 6. `onRto(s, flightSize, now)`: on every expiry of the retransmission
 *    timer, repeated expiries included (this module keeps ssthresh as it is
 *    on those, RFC 5681 §3.1, and on one during a recovery or an ECN cut, as
 *    Linux's tcp_enter_loss). An RTO during fast recovery ends recovery
 *    without `onRecoveryEnd` (RFC 6582 §3.2 step 4). `flightSize` is the data outstanding when the
 *    timer fired (unused, as in `onLoss`).
 * 7. `onIdle(s, idleMs, rto, now)`: when new data waits to be sent with
 *    nothing in flight (at a write, or a window that opens). `idleMs` is the
 *    time since it last sent data, and `rto` is the current RTO in ms (RFC
 *    5681 §4.1's restart; Linux's tcp_slow_start_after_idle_check, which its
 *    tcp_skb_entail and tcp_ack_update_window call).
 * 7a. `onTxStart(s, idleMs, now)`: when a segment with data goes with nothing
 *    in flight, `idleMs` after the last one with data (Linux's
 *    CA_EVENT_TX_START from tcp_event_data_sent): once per pause, however
 *    many writes found the window shut before it.
 * 8. `resize(s, smss)` (not a hook: the same for both): when a smaller path
 *    MTU lowers the send MSS (RFC 1191); the window keeps its segments.
 *
 * The sender then sends while `inFlight + segment <= min(cwnd, rwnd)` (plus
 * the recovery arithmetic above). `cwnd` may carry a fraction of an octet
 * (after `resize`), so compare it; don't index with it.
 *
 * ## Growth only when the window was the limit
 *
 * A window that was never filled says nothing about the path, so `onAck`
 * grows `cwnd` only when the data in flight justifies it (RFC 7661's
 * concern), as Linux's `tcp_is_cwnd_limited` decides it
 * (`NewReno.cwndLimited`), once per ACK, before slow start and avoidance:
 *
 * - In slow start while `cwnd < 2 * inFlightBefore` (Linux's
 *   `cwnd < 2 * max_packets_out`; inFlightBefore the largest flight of the
 *   window being acknowledged, the sender's maxFS, so that the ACKs
 *   draining a flight of six segments take cwnd to twelve, not eleven), or
 *   while the window was the limit (below). The ACK that may grow it grows
 *   it by all it acknowledged, as Linux's tcp_slow_start: a flight of six
 *   acknowledged at once takes ten to sixteen. That is Linux's, not
 *   draft-ietf-ccwg-ratelimited-increase §3's `limit(maxFS) = 2 * maxFS`,
 *   which the stack applied as a cap until stop 51 (twelve there).
 * - In congestion avoidance nothing grows, and NewReno's `bytesAcked` and
 *   CUBIC's W_est earn nothing, unless the window could not fit one more
 *   full segment: `inFlightBefore + SMSS > cwnd`, with `cwnd` as it was
 *   before this ACK (RFC 9438 §5.8: CUBIC does not grow when limited by
 *   the application or by rwnd; Linux's is_cwnd_limited). The rest of an
 *   ACK that took slow start past ssthresh counts on slow start's answer.
 *
 * An application that trickles data therefore cannot build up a window it
 * never used, and then dump it into the network in one burst.
 *
 * ## Undoing a reduction that proved spurious
 *
 * `saveForUndo` copies what a loss episode is about to change, before its
 * first hook runs; `undo` puts it back once the peer proves the episode
 * spurious (the sender's D-SACK check, F-RTO, the timestamp echo).
 *
 * ssthresh and cwnd are Linux's, as a Linux peer's next windows show
 * (test/kernel/ConformanceLoss.test.ts, "Reno: the undo at the recovery
 * point after an earlier loss"): the record saves tcp_current_ssthresh
 * (`NewReno.currentSsthresh`: outside a cwnd reduction at least 3/4 of the
 * window, (cwnd >> 1) + (cwnd >> 2) in whole segments; inside one ssthresh
 * itself), Linux's prior_ssthresh from tcp_enter_recovery and
 * tcp_enter_loss, and `undo` gives it back whenever it is larger than the
 * ssthresh then (tcp_undo_cwnd_reduction), with cwnd = max(cwnd, saved)
 * (tcp_reno_undo_cwnd, CUBIC's undo_cwnd too). So "at least", not
 * exactly: after an earlier loss a window grown past 4/3 of its ssthresh
 * comes back with 3/4 of that window as ssthresh (a Reno flow at 8 segments
 * over an ssthresh of 5 gets 6, a CUBIC one at 12 over 7 gets 9, above the
 * cut's own 8, which an exact restore lowered), and a proof that comes
 * after the window has grown past the saved one still gives ssthresh back
 * (a recovery from a timeout's slow start, saved at 4 segments over a
 * timeout's ssthresh of 7, cut to 2: the undo gives back 7). Until stop 53
 * the record kept RFC 9438 §4.9.2's exact restore; a flow's next slow
 * start or PRR window then fell a segment or more short of Linux's. Where
 * Linux's prior_ssthresh is 0 (an ECE on the ACK that starts the recovery
 * or on one in it) nothing is given back: the sender then calls no `undo`
 * (Sender.ts's `onEce`, `Prr.cutKept`). A recovery entered during an ECN
 * cut (Linux's CWR: prior_ssthresh 0 too) saves the cut window and
 * ssthresh, so its `undo` changes neither.
 *
 * CUBIC's own variables (cwnd_prior, W_max, K, t_epoch, W_est, RFC 9438
 * §4.9.2's list) do not go back: the stack follows Linux here, not the RFC.
 * Linux's CUBIC undo_cwnd is tcp_reno_undo_cwnd and nothing of its own goes
 * back, so it keeps the loss's last_max_cwnd (fast convergence applied; 0
 * after a timeout, bictcp_reset) and, its epoch_start zeroed by the loss
 * (cubictcp_recalc_ssthresh), begins a new epoch at the next ACK from the
 * restored window: K = 0 there (the window is not below last_max_cwnd), the
 * convex curve and a Reno estimate from that window. Until stop 55 the
 * stack restored §4.9.2's list and went on along the curve the episode
 * interrupted: below the old W_max it climbed on at the concave curve's
 * pace where a Linux peer starts the convex curve from its window, slow at
 * first (a segment per ~2 windows, the Reno estimate's).
 *
 * HyStart++ (RFC 9406) ends the initial slow start of either algorithm when
 * the delay grows (HyStart.ts; `NewReno.slowStartAck` runs it).
 *
 * ECN's response (RFC 3168 §6.1.2; RFC 9438 §4.6 for CUBIC) is `onLoss`'s
 * ssthresh, called by the sender without a recovery episode; the sender
 * puts cwnd back and spreads the cut over the ACKs by PRR, as Linux's CWR
 * state, then `onRecoveryEnd` (Sender.ts's `cwrStep`, `endCwr`). Not here:
 * RFC 7661's non-validated phase, and pacing. (A cut
 * is undone on three proofs, all in Sender.ts: D-SACKs, RFC 2883; F-RTO,
 * RFC 5682; an echoed timestamp older than the first retransmission, RFC
 * 3522.)
 *
 * @since 0.1.0
 */
import type * as Seq from "../SeqNum.js"
import * as Cubic from "./Cubic.js"
import * as HyStart from "./HyStart.js"
import * as NewReno from "./NewReno.js"

/** The algorithms on offer. Linux's `tcp_congestion_control` calls the first one "reno". @category models */
export type Name = "newreno" | "cubic"

/** Every `Name`, for option parsing and help text. @category models */
export const names: ReadonlyArray<Name> = ["newreno", "cubic"]

/** `u` names an algorithm. @category guards */
export const isName = (u: unknown): u is Name => u === "newreno" || u === "cubic"

/**
 * One connection's congestion-control variables, changed in place by the
 * hooks of the `Algorithm` that made it (see the module doc for why it is
 * mutable). Only the sender's congestion code writes it; the sender reads
 * `cwnd`, and `ssthresh` for logging and tests.
 *
 * @category models
 */
export interface State {
  /** the algorithm whose `init` made this state; pass it only to that algorithm's hooks */
  readonly name: Name
  /** sender maximum segment size (RFC 5681 §2 SMSS), octets: > 0; changed only by `resize` (a smaller path MTU) */
  smss: number
  /**
   * congestion window, octets: in `[smss, MAX_CWND]`, always finite. It may
   * hold a fraction of an octet after `resize`. During fast recovery this is
   * the reduced window, never inflated (the module doc explains why).
   */
  cwnd: number
  /**
   * slow start threshold, octets: `INFINITE_SSTHRESH` until the first
   * congestion event, after that at least `2 * smss`. Slow start while
   * `cwnd < ssthresh`, congestion avoidance otherwise.
   */
  ssthresh: number
  /**
   * octets acknowledged in congestion avoidance that have not yet grown
   * `cwnd`: RFC 3465 §2.1's `bytes_acked` (NewReno), CUBIC's count toward
   * its next whole segment (Linux's snd_cwnd_cnt), in `[0, 2^32]`
   */
  bytesAcked: number
  /**
   * an RTO happened and no ACK of new data has come since: a further RTO is
   * a retransmission of the same segment timing out again, so ssthresh is
   * kept (RFC 5681 §3.1, after equation 4)
   */
  rtoPending: boolean
  /**
   * `onLoss` cut the window (a loss, or an ECN echo) and no ACK outside
   * recovery has come since: Linux's Recovery and CWR states. An RTO then
   * keeps ssthresh (tcp_enter_loss reduces once a window), and so does an
   * idle restart (tcp_current_ssthresh).
   */
  reducing: boolean
  /**
   * CUBIC's W_max (RFC 9438 §4.1.2): the window just before the last
   * reduction, after fast convergence (§4.7), in octets. 0 means there is
   * none yet, or it was dropped by an RTO (§4.8). NewReno leaves it at 0.
   */
  wMax: number
  /**
   * CUBIC's cwnd_prior: `cwnd` when ssthresh was last set, in octets; 0 until
   * then. §4.3 has alpha_cubic become 1 once W_est reaches it; Linux's
   * estimate, followed here, keeps alpha, so no rule reads it now: it is set
   * at each reduction and scaled; the undo leaves it (Linux's tcp_reno_undo_cwnd).
   */
  cwndPrior: number
  /** CUBIC's K: seconds from the start of the epoch until W_cubic reaches W_max (§4.2, Figure 2); 0 outside CUBIC */
  k: number
  /**
   * CUBIC's t_epoch: `now` (ms) when the current congestion avoidance stage
   * began, moved forward by idle periods (§4.2). It is undefined in slow
   * start and recovery, and after a reduction; the first ACK processed in
   * congestion avoidance sets it.
   */
  epochStart: number | undefined
  /** CUBIC's cwnd_epoch: `cwnd` at the start of the epoch, in octets (§4.2). 0 before any epoch. */
  cwndEpoch: number
  /**
   * CUBIC's W_est: the window Reno would have by now, in octets (§4.3), in whole segments as
   * Linux's tcp_cwnd (a segment per `floor(15 cwnd / 8)` acknowledged). 0 before any epoch.
   */
  wEst: number
  /**
   * CUBIC's octets acknowledged in the epoch not yet counted into `wEst` (Linux's ack_cnt, in
   * octets). Scaled by `resize`; left alone by the undo, as Linux's.
   */
  ackCnt: number
  /**
   * CUBIC's `cnt` as Linux's bictcp_update last worked it out: the segments to acknowledge per
   * segment of growth (at least 2 once set; 0 before any, and after an RTO). Not scaled by
   * `resize` (a count of segments, as Linux's).
   */
  cnt: number
  /**
   * CUBIC's window, in whole segments, when `cnt` was last worked out from the curve (Linux's
   * last_cwnd); 0 before, and after an RTO (bictcp_reset), which no window equals.
   */
  lastCwnd: number
  /** The jiffy (`now` / 4 ms, HZ 250, rounded down) at which `lastCwnd` was taken: Linux's last_time. */
  lastJiffy: number
  /**
   * HyStart++ (RFC 9406, HyStart.ts) for the initial slow start; undefined when not in use.
   * `HyStart.FRESH` (shared, never written) until the first write (`HyStart.own`).
   */
  hystart: HyStart.HyStart | undefined
}

/**
 * A congestion-control strategy. Every hook changes `s` in place and
 * allocates nothing. The module doc says when the sender calls each one. All
 * sizes are in octets, all times in ms. Any size argument that is negative
 * or NaN is read as 0.
 *
 * @category models
 */
export interface Algorithm {
  readonly name: Name
  /**
   * Fresh state for a connection with send MSS `smss` (a positive integer,
   * else RangeError). `cwnd` is the RFC 6928 initial window (1 SMSS if
   * `synLost`, RFC 5681 §3.1) and `ssthresh` is `INFINITE_SSTHRESH`.
   * With `hystart`, the initial slow start runs HyStart++ (RFC 9406).
   */
  readonly init: (smss: number, now: number, synLost?: boolean, hystart?: boolean) => State
  /**
   * `ackedOctets` of new data were acknowledged at `now`, outside fast
   * recovery. `rttMs` is the minimum RTT (undefined or Infinity before the
   * first sample; CUBIC then looks no time ahead). `inFlightBefore` is the data in
   * flight just before this ACK. For HyStart++: `sample`, the RTT this ACK
   * measured (ms; undefined: none), `ack`, the new SND.UNA, and `sndNxt`
   * (without `ack`, HyStart++ sees nothing of this ACK). `dataAcked`: the
   * ACK freed a whole segment (Linux's FLAG_DATA_ACKED) though `ackedOctets`
   * is 0, all of it SACKed before: Linux's tcp_cong_control still runs
   * tcp_cong_avoid with acked_sacked 0, which congestion avoidance past
   * ssthresh acts on (CUBIC's bictcp_update; both algorithms'
   * tcp_cong_avoid_ai, whose count may already be at its threshold); in
   * slow start, or without it, 0 does nothing.
   */
  readonly onAck: (
    s: State,
    ackedOctets: number,
    now: number,
    rttMs: number | undefined,
    inFlightBefore: number,
    sample?: number,
    ack?: Seq.SeqNum,
    sndNxt?: Seq.SeqNum,
    dataAcked?: boolean
  ) => void
  /** Entering fast recovery with `inFlight` octets outstanding (FlightSize). */
  readonly onLoss: (s: State, inFlight: number, now: number) => void
  /** Fast recovery ended by a full ACK; `inFlight` is what is still outstanding after it. */
  readonly onRecoveryEnd: (s: State, inFlight: number, now: number) => void
  /** The retransmission timer expired with `inFlight` octets outstanding. */
  readonly onRto: (s: State, inFlight: number, now: number) => void
  /** New data waits at `now`, `idleMs` after the last data sent, with nothing in flight; `rto` is the current RTO, ms. */
  readonly onIdle: (s: State, idleMs: number, rto: number, now?: number) => void
  /** A segment with data goes at `now` with nothing in flight, `idleMs` after the last one with data. */
  readonly onTxStart: (s: State, idleMs: number, now: number) => void
}

/**
 * What a loss episode may change, saved before it does (`saveForUndo`), for
 * `undo`. A copy: the state goes on changing in place.
 *
 * @category models
 */
export interface Saved {
  readonly cwnd: number
  readonly ssthresh: number
  /** where HyStart++ was (undefined: not in use) */
  readonly hystart: HyStart.Saved | undefined
}

/**
 * Copy what the coming loss episode's hooks will change (call it before `onLoss` or the first
 * `onRto`). ssthresh is saved as Linux's prior_ssthresh, tcp_current_ssthresh: at least 3/4 of the
 * window unless a cut is already under way (`reducing`; the module doc says why).
 *
 * @category constructors
 */
export const saveForUndo = (s: State): Saved => ({
  cwnd: s.cwnd,
  ssthresh: NewReno.currentSsthresh(s),
  hystart: s.hystart === undefined ? undefined : HyStart.save(s.hystart)
})

/**
 * The episode `saved` was taken before proved spurious, as Linux's tcp_undo_cwnd_reduction: ssthresh
 * goes back to the saved one if that is larger, cwnd to the saved one if it is below it, and the cut
 * is over (a later timeout or loss cuts afresh: Linux is Open again, or holds a Reno recovery whose
 * timeout cuts anyway). Nothing of CUBIC's own goes back: the stack follows Linux here, whose CUBIC
 * undo is tcp_reno_undo_cwnd (cwnd and ssthresh only), not RFC 9438 §4.9.2 (W_max, K, the epoch and
 * W_est back). The loss's W_max (fast convergence applied; 0 after a timeout, bictcp_reset) stays
 * and, the epoch ended by the loss, the next ACK in congestion avoidance starts a new one from the
 * restored window (Cubic.test.ts, "undoing a spurious reduction").
 *
 * @category combinators
 */
export const undo = (s: State, saved: Saved): void => {
  if (saved.ssthresh > s.ssthresh) s.ssthresh = saved.ssthresh
  s.rtoPending = false
  s.reducing = false
  if (s.cwnd >= saved.cwnd) return
  s.cwnd = saved.cwnd
  if (saved.hystart !== undefined) HyStart.restore(HyStart.own(s), saved.hystart)
}

/**
 * The send MSS became `smss` (a smaller path MTU, RFC 1191): the window keeps
 * its size in segments, as Linux's does (its cwnd counts packets, and
 * tcp_sync_mss leaves it alone), so every octet figure here scales by the new
 * SMSS over the old. In octets kept as they were, a window of ten 1460-octet
 * segments would become 28 segments of 512 the moment the path proved
 * smaller, and the RTO's one-segment window three. CUBIC's K, in seconds,
 * is unchanged (W_max and cwnd_epoch scale together with SMSS).
 *
 * @category combinators
 */
export const resize = (s: State, smss: number): void => {
  if (!(Number.isInteger(smss) && smss > 0) || smss === s.smss) return
  const r = smss / s.smss
  s.cwnd = Math.min(Math.max(s.cwnd * r, smss), NewReno.MAX_CWND)
  if (s.ssthresh !== NewReno.INFINITE_SSTHRESH) s.ssthresh = Math.max(Math.floor(s.ssthresh * r), 2 * smss)
  s.bytesAcked *= r
  s.wMax *= r
  s.cwndPrior *= r
  s.cwndEpoch *= r
  s.wEst *= r
  s.ackCnt *= r
  s.smss = smss
}

/**
 * `saved` (from `saveForUndo`) for a send MSS that became `smss` from `from`: its octet figures
 * scale as `resize` scales the state's, so that an undo after a smaller path MTU gives the window
 * back in segments, as Linux's does (prior_cwnd and prior_ssthresh count packets, and
 * tcp_simple_retransmit leaves them, and undo_marker, alone in CA_Loss).
 *
 * @category combinators
 */
export const resizeSaved = (saved: Saved, from: number, smss: number): Saved => {
  if (!(Number.isInteger(smss) && smss > 0 && from > 0) || smss === from) return saved
  const r = smss / from
  return {
    ...saved,
    cwnd: Math.min(Math.max(saved.cwnd * r, smss), NewReno.MAX_CWND),
    ssthresh: saved.ssthresh === NewReno.INFINITE_SSTHRESH ? saved.ssthresh : Math.max(Math.floor(saved.ssthresh * r), 2 * smss)
  }
}

/** The strategy called `name`. @category constructors */
export const byName = (name: Name): Algorithm => (name === "cubic" ? Cubic.algorithm : NewReno.algorithm)

/** `s` is in slow start (RFC 5681 §3.1: `cwnd < ssthresh`). @category guards */
export const inSlowStart = (s: State): boolean => s.cwnd < s.ssthresh

export {
  /** Linux's tcp_current_ssthresh: ssthresh inside a cut (`reducing`), else at least 3/4 of the window, octets. */
  currentSsthresh,
  /** RFC 6928's initial window for a given SMSS, octets. */
  initialWindow,
  /** `ssthresh` before any congestion: "arbitrarily high" (RFC 5681 §3.1), yet finite. */
  INFINITE_SSTHRESH,
  /** The largest `cwnd`, octets: the largest window a peer can offer (RFC 7323 §2.3, 2^30). */
  MAX_CWND
} from "./NewReno.js"
