/**
 * The retransmission timeout (RFC 6298), as plain functions over an
 * immutable estimator value. Times are milliseconds on Effect's Clock; the
 * caller measures a round trip and hands it in, nothing here reads a clock.
 *
 * - Before any measurement RTO is `initialRto` (RFC 6298 §2.1: 1 s).
 * - The first measurement R sets SRTT = R, RTTVAR = R/2 (§2.2); later ones
 *   update RTTVAR first, then SRTT, with alpha = 1/8 and beta = 1/4 (§2.3).
 * - RTO = SRTT + max(G, 4 * RTTVAR, minRto), at most maxRto. RFC 6298 §2.4
 *   asks for a 1 s floor under the whole RTO; on a link with microsecond
 *   round trips that floor makes every tail loss cost a second (TCP-PITFALLS:
 *   smoltcp #1190), so the floor is a parameter (the stack uses Linux's
 *   200 ms), and it bounds the variation term as Linux's tcp_rtt_estimator
 *   bounds RTTVAR (rto_min): the RTO stays at least `minRto` above SRTT. Under
 *   the whole RTO, a steady 180 ms path had an RTO of 200 ms, and a peer's
 *   delayed ACK of a lone segment (40 ms) lost to the timer every time.
 * - Each expiry doubles the RTO up to `maxRto` (§5.5, "back off the
 *   timer"); a new measurement (§5.7 with Karn's rule: never from a
 *   retransmitted segment unless timestamps tell them apart, which is the
 *   caller's to enforce) computes it afresh.
 *
 * @since 0.1.0
 */

/** @category models */
export interface RttParams {
  /** RTO before the first measurement, ms */
  readonly initialRto: number
  /** lower bound of the RTO's variation term (so of SRTT + it: Linux's rto_min), ms */
  readonly minRto: number
  /** upper bound of the RTO, backoff included, ms (RFC 6298 §2.5: at least 60 s) */
  readonly maxRto: number
  /** clock granularity G, ms */
  readonly granularity: number
}

/** Linux's choices: 1 s initial, 200 ms floor, 120 s ceiling, 1 ms granularity. */
export const defaults: RttParams = { initialRto: 1000, minRto: 200, maxRto: 120_000, granularity: 1 }

/** @category models */
export interface Rtt {
  /** smoothed round-trip time, ms; undefined before the first measurement */
  readonly srtt: number | undefined
  /** round-trip time variation, ms */
  readonly rttvar: number
  /** the current retransmission timeout, ms, backoff included */
  readonly rto: number
  /** expiries since the last measurement (each doubled the RTO) */
  readonly backoffs: number
}

export const initial = (p: RttParams): Rtt => ({ srtt: undefined, rttvar: 0, rto: clamp(p.initialRto, p), backoffs: 0 })

const clamp = (rto: number, p: RttParams): number => Math.min(p.maxRto, Math.max(p.minRto, rto))

/** RFC 6298 §2.3's RTO, the variation term at least `minRto` (Linux's floor under RTTVAR). */
const rtoOf = (srtt: number, rttvar: number, p: RttParams): number =>
  clamp(srtt + Math.max(p.granularity, 4 * rttvar, p.minRto), p)

/** The estimator after one round-trip measurement of `r` ms (RFC 6298 §2.2-2.4). */
export const sample = (e: Rtt, r: number, p: RttParams): Rtt => {
  const measured = Math.max(0, r)
  if (e.srtt === undefined) {
    const rttvar = measured / 2
    return { srtt: measured, rttvar, rto: rtoOf(measured, rttvar, p), backoffs: 0 }
  }
  const rttvar = 0.75 * e.rttvar + 0.25 * Math.abs(e.srtt - measured)
  const srtt = 0.875 * e.srtt + 0.125 * measured
  return { srtt, rttvar, rto: rtoOf(srtt, rttvar, p), backoffs: 0 }
}

/**
 * One backoff undone (RFC 6069 §3, TCP-LD; Linux's tcp_ld_RTO_revert): the
 * RTO of the estimate (the initial one before any measurement, as Linux's
 * TCP_TIMEOUT_INIT) doubled once fewer than before, at most `maxRto`.
 * Unchanged without a backoff.
 */
export const revertBackoff = (e: Rtt, p: RttParams): Rtt => {
  if (e.backoffs === 0) return e
  const base = e.srtt === undefined ? clamp(p.initialRto, p) : rtoOf(e.srtt, e.rttvar, p)
  const backoffs = e.backoffs - 1
  return { ...e, rto: Math.min(p.maxRto, base * 2 ** backoffs), backoffs }
}

/** The estimator after the retransmission timer expired (RFC 6298 §5.5): the RTO doubles, at most `maxRto`. */
export const backoff = (e: Rtt, p: RttParams): Rtt => ({
  ...e,
  rto: Math.min(p.maxRto, e.rto * 2),
  backoffs: e.backoffs + 1
})
