/**
 * HyStart++ (RFC 9406): leave the initial slow start when the round-trip
 * delay starts to grow, before the window overshoots the path and a whole
 * round of segments is lost at a full queue.
 *
 * Slow start doubles the window every round trip. Once it passes the path's
 * bandwidth-delay product the excess waits in the bottleneck's queue (the
 * RTT grows), and once it passes that queue's size too, segments are
 * dropped: as many as half a window in one round, which costs a recovery
 * and, on paths without SACK, often a timeout. HyStart++ watches each
 * round's smallest RTT sample (§4.2):
 *
 * - A round starts when the ACK of the round before's SND.NXT arrives
 *   (`roundEnd`). Per round: the smallest of its RTT samples (`roundMin`) and
 *   how many there were.
 * - Slow start: once a round has `N_RTT_SAMPLE` samples and the round before
 *   has a minimum, if `roundMin >= lastRoundMin + RttThresh`, with
 *   `RttThresh = clamp(lastRoundMin / 8, 4 ms, 16 ms)`, the delay grew: slow
 *   start ends, and Conservative Slow Start (CSS) begins with that round's
 *   minimum as its baseline.
 * - CSS: the window grows a quarter as fast (`CSS_GROWTH_DIVISOR`). If a
 *   round's minimum (with `N_RTT_SAMPLE` samples) falls below the baseline,
 *   the exit was spurious (jitter, not a queue) and slow start resumes.
 *   After `CSS_ROUNDS` rounds in CSS, congestion avoidance begins:
 *   `ssthresh = cwnd` (the caller does that when `cssDone` says so).
 * - A loss or a timeout during either ends HyStart++ (`stop`); the
 *   algorithm's own response sets ssthresh as it always does.
 *
 * Only the initial slow start uses it (§4.3's SHOULD): after a loss,
 * ssthresh holds what the path was found to carry, and the slow starts that
 * follow stop there. A reduction found spurious and undone puts the initial
 * slow start back, and HyStart++ where it was (`save`, `restore`). An idle
 * period that cuts the window to the restart window starts it over
 * (`restart`; §4.3 allows it for the restart window).
 *
 * The RTT samples are the sender's, one per ACK of new data that yields one,
 * the sample Linux's CUBIC gets (tcp_clean_rtx_queue's ca_rtt_us, passed on
 * as rs->rtt_us to cubictcp_acked): from the transmission log's send time of
 * the newest segment sent only once that the ACK acknowledged or newly
 * SACKed (none from the acknowledged ones when any of them was sent twice,
 * Karn), and from the timestamp echo only when the log gives none. With or
 * without timestamps and SACK a round has a sample per ACK. The echo first
 * would let a peer or middlebox that echoes a stale TSval (Linux: "broken
 * middle-boxes or peers may corrupt TS-ECR fields") end slow start on a path
 * whose delay never grew.
 *
 * Slow start's own growth per ACK is Linux's tcp_slow_start, everything the
 * ACK acknowledged (NewReno.ts `slowStart`), not §4.2's L = 8 for unpaced
 * senders (Linux's CUBIC, the reference peer, limits nothing); CSS divides
 * whatever slow start would have grown by CSS_GROWTH_DIVISOR, as §4.2.
 *
 * Linux's CUBIC runs HyStart (Ha and Rhee, 2011): a delay rule with the same
 * 4-16 ms clamp and 8 samples, but against the lowest RTT the connection has
 * seen rather than the round before's, plus an ACK-train rule, and it goes
 * straight to congestion avoidance. RFC 9406's CSS and its way back are what
 * keep a jittery path from ending slow start early for good. Like Linux, the
 * delay rule waits for a window of LOW_WINDOW segments, and a round moves
 * between slow start and CSS at most once (see `roundPhase`).
 *
 * Pure: the record is the send half's, changed in place, allocating nothing.
 *
 * @since 0.1.0
 */
import * as Seq from "../SeqNum.js"

/** §4.3 constants (ms, samples, rounds). */
export const MIN_RTT_THRESH = 4
export const MAX_RTT_THRESH = 16
export const MIN_RTT_DIVISOR = 8
export const N_RTT_SAMPLE = 8
export const CSS_GROWTH_DIVISOR = 4
export const CSS_ROUNDS = 5
/**
 * The window, in segments, below which the delay rule never ends slow start
 * (Linux's hystart_low_window; RFC 9406 dropped draft-03's LOW_CWND). In a
 * JavaScript stack the first rounds run while V8 compiles the path, and a
 * pause of a few ms then delays every sample of a sub-millisecond round
 * alike, which reads as a standing queue; a window this small has no queue
 * worth the name to protect.
 */
export const LOW_WINDOW = 16

/**
 * Where HyStart++ is: `"slowStart"` watching the delay in the initial slow
 * start, `"css"` in Conservative Slow Start, `"done"` once congestion
 * avoidance began or a loss ended it.
 *
 * @category models
 */
export type Phase = "slowStart" | "css" | "done"

/** @category models */
export interface HyStart {
  phase: Phase
  /** SND.NXT when the current round began: the round ends with its ACK (undefined before the first) */
  roundEnd: Seq.SeqNum | undefined
  /** the round before's smallest RTT sample, ms (Infinity: none) */
  lastRoundMin: number
  /** this round's smallest RTT sample so far, ms (Infinity: none) */
  roundMin: number
  /** RTT samples this round */
  samples: number
  /** cssBaselineMinRtt: the round minimum that started CSS, ms (Infinity outside CSS) */
  baseline: number
  /** rounds ended in CSS */
  cssRounds: number
  /**
   * the phase the current round began in: a round moves at most once, slow
   * start to CSS in a round that began in slow start, back in one that began
   * in CSS (§4.2's "CSS rounds"); else a later, lower sample of the round CSS
   * began in would read as the delay falling, and the next as it rising
   */
  roundPhase: Phase
  /** times the delay rule ended slow start (entered CSS); Linux counts TCPHystartDelayDetect */
  delayExits: number
  /** times CSS found its exit spurious and slow start resumed */
  resumed: number
}

/** @category constructors */
export const make = (): HyStart => ({
  phase: "slowStart",
  roundEnd: undefined,
  lastRoundMin: Infinity,
  roundMin: Infinity,
  samples: 0,
  baseline: Infinity,
  cssRounds: 0,
  roundPhase: "slowStart",
  delayExits: 0,
  resumed: 0
})

/**
 * The state of a HyStart++ that has seen no ACK yet, the same for every
 * connection: one frozen record shared by all (`make`'s values), so an idle
 * connection holds no HyStart++ record of its own (the record and its three
 * boxed Infinities are ~150 octets; issue 8 §2's heap per idle connection).
 * `own` gives a connection its own copy at the first write: the first ACK in
 * slow start (`NewReno.slowStartAck`), a loss, an undo. Nothing writes this
 * one (frozen: a write throws).
 */
export const FRESH: HyStart = Object.freeze(make()) as HyStart

/** The connection's HyStart++ record to write in: its own, made from `FRESH` on the first write. */
export const own = (o: { hystart: HyStart | undefined }): HyStart | undefined => {
  const h = o.hystart
  return h === FRESH ? (o.hystart = make()) : h
}

/** §4.2: RttThresh = max(MIN_RTT_THRESH, min(lastRoundMinRTT / MIN_RTT_DIVISOR, MAX_RTT_THRESH)). */
export const rttThresh = (lastRoundMin: number): number =>
  Math.max(MIN_RTT_THRESH, Math.min(lastRoundMin / MIN_RTT_DIVISOR, MAX_RTT_THRESH))

/**
 * One ACK of new data in slow start (or CSS), before the window grows:
 * `rtt` is the sample it gave (undefined: none), `ack` the new SND.UNA,
 * `sndNxt` what has been sent, `segments` the window in segments. Takes the
 * sample into the round, moves between slow start and CSS by §4.2's rules
 * (at most once a round; the delay rule only from LOW_WINDOW segments on),
 * and ends the round when `ack` reaches its end.
 */
export const observe = (
  h: HyStart,
  rtt: number | undefined,
  ack: Seq.SeqNum,
  sndNxt: Seq.SeqNum,
  segments: number
): void => {
  if (h.phase === "done") return
  if (h.roundEnd === undefined) {
    h.roundEnd = sndNxt
    h.roundPhase = h.phase
  }
  if (rtt !== undefined && rtt >= 0) {
    if (rtt < h.roundMin) h.roundMin = rtt
    h.samples++
  }
  if (h.samples >= N_RTT_SAMPLE && h.phase === h.roundPhase) {
    if (h.phase === "slowStart") {
      if (
        segments >= LOW_WINDOW && h.lastRoundMin !== Infinity &&
        h.roundMin >= h.lastRoundMin + rttThresh(h.lastRoundMin)
      ) {
        h.baseline = h.roundMin
        h.phase = "css"
        h.cssRounds = 0
        h.delayExits++
      }
    } else if (h.roundMin < h.baseline) {
      // the delay went back below where CSS began: it was jitter, not a queue
      h.baseline = Infinity
      h.phase = "slowStart"
      h.resumed++
    }
  }
  if (!Seq.lt(ack, h.roundEnd)) {
    if (h.phase === "css") h.cssRounds++
    h.lastRoundMin = h.roundMin
    h.roundMin = Infinity
    h.samples = 0
    h.roundEnd = sndNxt
    h.roundPhase = h.phase
  }
}

/** What slow start's growth is divided by: CSS_GROWTH_DIVISOR in CSS, else 1. */
export const divisor = (h: HyStart | undefined): number => (h !== undefined && h.phase === "css" ? CSS_GROWTH_DIVISOR : 1)

/** CSS has run its CSS_ROUNDS rounds: congestion avoidance begins (the caller sets ssthresh = cwnd, then `stop`). */
export const cssDone = (h: HyStart | undefined): boolean => h !== undefined && h.phase === "css" && h.cssRounds >= CSS_ROUNDS

/** Congestion avoidance began, or a loss or a timeout ended slow start: HyStart++ is over for the connection. */
export const stop = (h: HyStart | undefined): void => {
  if (h === undefined) return
  h.phase = "done"
  h.baseline = Infinity
}

/** What `restore` puts back: where HyStart++ was when a loss episode began (`Congestion.saveForUndo`). */
export interface Saved {
  readonly phase: Phase
  readonly lastRoundMin: number
  readonly baseline: number
  readonly cssRounds: number
}

/** @category constructors */
export const save = (h: HyStart): Saved => ({
  phase: h.phase,
  lastRoundMin: h.lastRoundMin,
  baseline: h.baseline,
  cssRounds: h.cssRounds
})

/**
 * The loss episode that ended HyStart++ was undone: it goes on where it
 * was, in slow start or in CSS with its baseline and rounds, the round
 * before's minimum kept so that the delay rule can compare at once; the
 * round in progress starts afresh at the next ACK (the episode's ACKs
 * measured nothing of it).
 */
export const restore = (h: HyStart | undefined, saved: Saved): void => {
  if (h === undefined || saved.phase === "done") return
  h.phase = saved.phase
  h.lastRoundMin = saved.lastRoundMin
  h.baseline = saved.baseline
  h.cssRounds = saved.cssRounds
  h.roundEnd = undefined
  h.roundMin = Infinity
  h.samples = 0
}

/**
 * The window went back to the restart window after an idle period (RFC 5681
 * §4.1) while HyStart++ still ran: the queue it measured has drained, and
 * its rounds and CSS count describe a window that is gone. It starts over
 * in slow start from a fresh round, as RFC 9406 §4.3 allows for the restart
 * window (a CSS left running would end at the restart window's size).
 */
export const restart = (h: HyStart | undefined): void => {
  // (FRESH is already what a restart makes: nothing to write)
  if (h === undefined || h === FRESH || h.phase === "done") return
  h.phase = "slowStart"
  h.roundEnd = undefined
  h.lastRoundMin = Infinity
  h.roundMin = Infinity
  h.samples = 0
  h.baseline = Infinity
  h.cssRounds = 0
}
