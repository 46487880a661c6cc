/**
 * The smallest value seen within a sliding window of time, in constant space
 * and constant time per sample: what Linux keeps a connection's minimum RTT
 * in (tcp_min_rtt over the last `tcp_min_rtt_wlen`, 300 s, lib/win_minmax's
 * running minimum), and what RFC 8985 §6.2 (RACK's reordering window, the
 * test of a retransmission's sample) and HyStart++ mean by "min RTT". A
 * connection's all-time minimum never forgets a path that has since grown
 * longer (a route change, a queue that stays): the reordering window built
 * on it stays too small for good.
 *
 * Kathleen Nichols' scheme: three candidates, the best (`v0`, what `get`
 * gives), the best since it, and the best since that, each with the time it
 * was seen, times non-decreasing. A sample at or below a candidate replaces
 * it and those after it (a newer value as small makes an older one useless).
 * When the best has been held a whole window without a better sample, the
 * second takes its place; and so that the others are not all stale by then,
 * the second is refreshed with the current sample after a quarter of the
 * window and the third after half of it while they still equal the one
 * before. The answer is exact when the samples fall, and when they rise it
 * is at most a quarter of the window older than the true windowed minimum.
 *
 * A mutable record of six numbers, updated in place: nothing is allocated
 * per sample (it runs on every ACK that measures).
 *
 * @since 0.1.0
 */

/** Linux's tcp_min_rtt_wlen: 300 s, in ms. */
export const RTT_WINDOW = 300_000

/** @category models */
export interface WindowedMin {
  t0: number
  v0: number
  t1: number
  v1: number
  t2: number
  v2: number
}

/** Nothing seen yet: `get` is Infinity, and the first sample becomes the minimum. */
export const make = (): WindowedMin => ({ t0: 0, v0: Infinity, t1: 0, v1: Infinity, t2: 0, v2: Infinity })

/** The minimum within the window as of the last sample (Infinity before any). */
export const get = (m: WindowedMin): number => m.v0

/** Forget everything but `value`, seen `at`. */
export const reset = (m: WindowedMin, at: number, value: number): void => {
  m.t0 = m.t1 = m.t2 = at
  m.v0 = m.v1 = m.v2 = value
}

/** Take `value`, seen `at` (times non-decreasing), into a window of `window`: the minimum after it. */
export const update = (m: WindowedMin, window: number, at: number, value: number): number => {
  // a new best, or even the newest candidate is older than the window: start again from this one
  if (value <= m.v0 || at - m.t2 > window) {
    reset(m, at, value)
    return value
  }
  if (value <= m.v1) {
    m.t1 = m.t2 = at
    m.v1 = m.v2 = value
  } else if (value <= m.v2) {
    m.t2 = at
    m.v2 = value
  }
  const held = at - m.t0
  if (held > window) {
    // the best has aged out: each candidate moves up, this sample the newest (and once more when
    // the second was also older than the window; the third is within it, tested above)
    shift(m, at, value)
    if (at - m.t0 > window) shift(m, at, value)
  } else if (m.t1 === m.t0 && held > window / 4) {
    // a quarter of the window with one candidate: the second (and third) from this quarter on
    m.t1 = m.t2 = at
    m.v1 = m.v2 = value
  } else if (m.t2 === m.t1 && held > window / 2) {
    // half of it with two: the third from the second half on
    m.t2 = at
    m.v2 = value
  }
  return m.v0
}

const shift = (m: WindowedMin, at: number, value: number): void => {
  m.t0 = m.t1
  m.v0 = m.v1
  m.t1 = m.t2
  m.v1 = m.v2
  m.t2 = at
  m.v2 = value
}
