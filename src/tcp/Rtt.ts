/**
 * The retransmission timeout (RFC 6298), as plain functions over an
 * immutable estimator value. Times are milliseconds on Effect's Clock; the
 * caller measures a round trip and hands it in, nothing here reads a clock.
 *
 * - Before any measurement RTO is `initialRto` (RFC 6298 §2.1: 1 s).
 * - The first measurement R sets SRTT = R, RTTVAR = R/2 (§2.2); later ones
 *   update SRTT with alpha = 1/8 (§2.3) and the variation as Linux's
 *   tcp_rtt_estimator does (net/ipv4/tcp_input.c, 6.18): a mean deviation
 *   `mdev` with beta = 1/4 at every sample (1/32 for the part of a sample
 *   below SRTT beyond mdev, its "Eifel" damping), the round's largest
 *   `mdevMax`, and RTTVAR, the RTO's variation term, raised to mdevMax at
 *   once but lowered only once a round trip, a quarter of the way to it, when
 *   SND.UNA passes `rttSeq` (SND.NXT at the round's start), mdevMax then
 *   reset to the floor. RFC 6298's RTTVAR decays by a quarter per sample:
 *   with a sample at every ACK (Linux's tcp_ack_update_rtt), a window of ten
 *   ACKs took an excursion's variation away in one round trip, and a stall
 *   that Linux's RTO rides out fired the stack's timer
 *   (test/tcp/Retransmission.test.ts, "the RTO's variation over a round trip").
 * - RTO = SRTT + max(G, 4 * RTTVAR, minRto), at most maxRto. RFC 6298 §2.4
 *   asks for a 1 s floor under the whole RTO; on a link with microsecond
 *   round trips that floor makes every tail loss cost a second (TCP-PITFALLS:
 *   smoltcp #1190), so the floor is a parameter (the stack uses Linux's
 *   200 ms), and it bounds the variation term as Linux's tcp_rtt_estimator
 *   bounds RTTVAR (rto_min): the RTO stays at least `minRto` above SRTT. Under
 *   the whole RTO, a steady 180 ms path had an RTO of 200 ms, and a peer's
 *   delayed ACK of a lone segment (40 ms) lost to the timer every time.
 * - Each expiry doubles the RTO up to `maxRto` (§5.5, "back off the
 *   timer": `backoff`, which the sender skips for a connect's first
 *   `synLinearTimeouts` expiries, Linux's tcp_syn_linear_timeouts); a new measurement (§5.7 with Karn's rule: never from a
 *   retransmitted segment unless timestamps tell them apart, which is the
 *   caller's to enforce) computes it afresh.
 *
 * @since 0.1.0
 */
import * as Seq from "./SeqNum.js"

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
  /** round-trip time variation, ms: the RTO's variation term over 4 (Linux's rttvar_us / 4) */
  readonly rttvar: number
  /** the mean deviation of the samples, ms (Linux's mdev_us / 4) */
  readonly mdev: number
  /** the largest `mdev` of this round trip, at least the floor / 4, ms (Linux's mdev_max_us / 4) */
  readonly mdevMax: number
  /** the round trip ends when SND.UNA passes this (Linux's rtt_seq); undefined: at the next sample */
  readonly rttSeq: Seq.SeqNum | undefined
  /** the current retransmission timeout, ms, backoff included */
  readonly rto: number
  /** doublings since the last measurement, one per expiry but a connect's linear ones (Linux's icsk_backoff: tcp_retransmit_timer counts it only where it doubles the RTO) */
  readonly backoffs: number
}

export const initial = (p: RttParams): Rtt => ({
  srtt: undefined,
  rttvar: 0,
  mdev: 0,
  mdevMax: 0,
  rttSeq: undefined,
  rto: initialRto(p),
  backoffs: 0
})

/** The RTO before any sample: `initialRto` within the bounds (a SYN's, and the give-up model's base for SYNs). */
export const initialRto = (p: RttParams): number => clamp(p.initialRto, p)

const clamp = (rto: number, p: RttParams): number => Math.min(p.maxRto, Math.max(p.minRto, rto))

/** RFC 6298 §2.3's RTO, the variation term at least `minRto` (Linux's floor under RTTVAR). */
const rtoOf = (srtt: number, rttvar: number, p: RttParams): number =>
  clamp(srtt + Math.max(p.granularity, 4 * rttvar, p.minRto), p)

/**
 * `seq` as a signed 32-bit integer: the same point mod 2^32 for `Seq`'s comparisons, and a small
 * integer to V8, where a sequence number past 2^31 is a heap number of its own on every record.
 */
const small = (seq: Seq.SeqNum | undefined): Seq.SeqNum | undefined => seq === undefined ? undefined : (seq | 0) as Seq.SeqNum

/**
 * The estimator after one round-trip measurement of `r` ms (RFC 6298 §2.2-2.4, the variation as
 * Linux's tcp_rtt_estimator), taken at an ACK that left SND.UNA at `una` with `nxt` the highest
 * sequence sent (Linux's snd_nxt); without them every sample ends a round trip.
 */
export const sample = (e: Rtt, r: number, p: RttParams, una?: Seq.SeqNum, nxt?: Seq.SeqNum): Rtt => {
  const measured = Math.max(0, r)
  const floor = p.minRto / 4
  if (e.srtt === undefined) {
    const mdev = measured / 2
    const rttvar = Math.max(mdev, floor)
    return { srtt: measured, rttvar, mdev, mdevMax: rttvar, rttSeq: small(nxt), rto: rtoOf(measured, rttvar, p), backoffs: 0 }
  }
  const err = measured - e.srtt
  const srtt = e.srtt + err / 8
  // beta = 1/4; a sample below SRTT by more than mdev moves mdev up by 1/32 of that only
  const d = Math.abs(err) - e.mdev
  const mdev = e.mdev + (err < 0 && d > 0 ? d / 32 : d / 4)
  let mdevMax = e.mdevMax
  let rttvar = e.rttvar
  if (mdev > mdevMax) {
    mdevMax = mdev
    if (mdevMax > rttvar) rttvar = mdevMax
  }
  let rttSeq = e.rttSeq
  if (una === undefined || rttSeq === undefined || Seq.gt(una, rttSeq)) {
    if (mdevMax < rttvar) rttvar -= (rttvar - mdevMax) / 4
    rttSeq = small(nxt)
    mdevMax = floor
  }
  return { srtt, rttvar, mdev, mdevMax, rttSeq, rto: rtoOf(srtt, rttvar, p), backoffs: 0 }
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

/**
 * Linux's TCP_RTO_MIN (HZ / 5): the RTO the give-up model backs off from for data, whatever floor the
 * connection's RTO has (`minRto`, as Linux's route or sysctl rto_min: retransmits_timed_out passes the
 * constant, not tcp_rto_min(sk))
 */
export const MODEL_RTO_BASE = 200

/**
 * How long `boundary` retransmissions take, ms, backed off from `base` and doubling up to `max` (Linux's
 * tcp_model_timeout, net/ipv4/tcp_timer.c): the sum of the `boundary` + 1 timeouts base, 2 base, 4 base,
 * ..., each at most `max`. Below ilog2(max / base) doublings, (2^(boundary+1) - 1) × base; each past it,
 * `max`. The connection gives up at the first expiry this long after its first retransmission
 * (retransmits_timed_out), so a retry count is a time: an RTO above `base` spends it in fewer resends.
 */
export const modelTimeout = (boundary: number, base: number, max: number): number => {
  // (a base at or above the cap times every retransmission at the cap: ilog2(max / base) is 0)
  const b = Math.max(1, Math.min(base, max))
  const ratio = Math.floor(max / b)
  let threshold = 0
  while (2 ** (threshold + 1) <= ratio) threshold++
  if (boundary <= threshold) return (2 ** (boundary + 1) - 1) * b
  return (2 ** (threshold + 1) - 1) * b + (boundary - threshold) * max
}

/** The estimator after the retransmission timer expired (RFC 6298 §5.5): the RTO doubles, at most `maxRto`. */
export const backoff = (e: Rtt, p: RttParams): Rtt => ({
  ...e,
  rto: Math.min(p.maxRto, e.rto * 2),
  backoffs: e.backoffs + 1
})
