/**
 * CUBIC (RFC 9438) step by step, with SMSS = 1000 so that windows read as
 * segments times a thousand. The scenario most tests start from: slow start
 * to 100 segments, a loss at 1000 ms with the window full, and recovery
 * ending at 1100 ms. That gives W_max = 100 segments, cwnd = ssthresh = 70,
 * and K = cbrt((100 - 70) / 0.4) = cbrt(75) ≈ 4.217 s once congestion
 * avoidance begins.
 *
 * Expected values are computed here from the RFC's formulas, written out
 * with literal constants (C = 0.4, beta = 0.7), not from the module's own
 * helpers.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Congestion from "../../../src/tcp/congestion/Congestion.js"
import * as Cubic from "../../../src/tcp/congestion/Cubic.js"
import * as T from "../../support/TcpSocket.js"

const SMSS = 1000
const RTT = 100
const A = Cubic.algorithm
const ALPHA = (3 * 0.3) / 1.7
/** Figure 1 in octets, t in seconds. */
const curve = (wMax: number, k: number, t: number) => 0.4 * SMSS * (t - k) ** 3 + wMax

/** Slow start to 100 segments, a loss at 1000 ms with 100 segments in flight, recovery over at 1100 with 70 in flight. */
const afterFirstLoss = (): Congestion.State => {
  const s = A.init(SMSS, 0)
  for (let t = 100; s.cwnd < 100 * SMSS; t++) A.onAck(s, SMSS, t, RTT, s.cwnd)
  expect(s.cwnd).toBe(100 * SMSS)
  A.onLoss(s, 100 * SMSS, 1000)
  A.onRecoveryEnd(s, 70 * SMSS, 1100)
  return s
}

/**
 * Round trips of a sender that keeps the window full from `from` until
 * `until` (ms): each round acknowledges the window in one-segment ACKs
 * spread evenly over `rtt`. `afterRound(end)` runs after each round.
 */
const run = (s: Congestion.State, from: number, until: number, rtt: number, afterRound?: (end: number) => void): number => {
  let now = from
  while (now < until) {
    const n = Math.max(1, Math.floor(s.cwnd / SMSS))
    for (let i = 0; i < n; i++) A.onAck(s, SMSS, now + (rtt * i) / n, rtt, s.cwnd)
    now += rtt
    afterRound?.(now)
  }
  return now
}

describe("Cubic", () => {
  it("starts like Reno: RFC 6928's window, slow start, no W_max", () => {
    const s = A.init(SMSS, 0)
    expect(s.name).toBe("cubic")
    expect(s.cwnd).toBe(10 * SMSS)
    expect(s.ssthresh).toBe(Congestion.INFINITE_SSTHRESH)
    expect(s.wMax).toBe(0)
    A.onAck(s, 4 * SMSS, 100, RTT, s.cwnd) // all four, as in NewReno (§4.10; Linux's tcp_slow_start)
    expect(s.cwnd).toBe(14 * SMSS)
  })

  describe("multiplicative decrease (§4.6)", () => {
    it("ssthresh = 0.7 FlightSize, cwnd = ssthresh, W_max = cwnd_prior = the window before", () => {
      const s = afterFirstLoss()
      expect(s.ssthresh).toBe(70 * SMSS)
      expect(s.cwnd).toBe(70 * SMSS)
      expect(s.wMax).toBe(100 * SMSS)
      expect(s.cwndPrior).toBe(100 * SMSS)
      expect(s.epochStart).toBeUndefined()
    })

    it("in whole segments, as Linux's cwnd counts packets (cubictcp_recalc_ssthresh: cwnd * 717 / 1024), and never below 2 SMSS", () => {
      const s = A.init(SMSS, 0)
      A.onAck(s, SMSS, 100, RTT, s.cwnd) // cwnd 11 SMSS
      A.onLoss(s, 11 * SMSS, 500)
      expect(s.ssthresh).toBe(7 * SMSS) // 7.7 segments in octets: Linux's 7
      // a window with a fraction of a segment (CUBIC's growth) counts its whole ones: 20.9 give 14
      const u = A.init(SMSS, 0)
      u.cwnd = 20.9 * SMSS
      u.ssthresh = 20 * SMSS
      A.onRto(u, 20 * SMSS, 500)
      expect(u.ssthresh).toBe(14 * SMSS)
      for (const t of [600, 700, 800, 900]) {
        A.onRecoveryEnd(s, 0, t)
        A.onLoss(s, 2 * SMSS, t + 50)
      }
      expect(s.ssthresh).toBe(2 * SMSS)
      expect(s.cwnd).toBe(2 * SMSS)
    })

    it("ssthresh is 0.7 of cwnd, not of FlightSize, when the application left the window unfilled (Linux's cubictcp_recalc_ssthresh; §4.6 lets cwnd stand in, cwnd not growing app-limited, §5.8)", () => {
      const s = A.init(SMSS, 0)
      for (let t = 100; s.cwnd < 20 * SMSS; t++) A.onAck(s, SMSS, t, RTT, s.cwnd)
      A.onLoss(s, 10 * SMSS, 500)
      expect(s.ssthresh).toBe(14 * SMSS)
      expect(s.cwnd).toBe(14 * SMSS)
    })

    it("the window after recovery is ssthresh, however little is left in flight (RFC 6937; Linux's tcp_end_cwnd_reduction)", () => {
      const t = A.init(SMSS, 0)
      for (let i = 100; t.cwnd < 20 * SMSS; i++) A.onAck(t, SMSS, i, RTT, t.cwnd)
      A.onLoss(t, 10 * SMSS, 500)
      A.onRecoveryEnd(t, 0, 600)
      expect(t.cwnd).toBe(14 * SMSS)
    })

    it("an RTO during recovery keeps the ssthresh the loss set (Linux's tcp_enter_loss: once a window)", () => {
      const s = A.init(SMSS, 0)
      for (let t = 100; s.cwnd < 20 * SMSS; t++) A.onAck(s, SMSS, t, RTT, s.cwnd)
      A.onLoss(s, 20 * SMSS, 500)
      A.onRto(s, 14 * SMSS, 800)
      expect(s.ssthresh).toBe(14 * SMSS)
      expect(s.cwnd).toBe(SMSS)
    })
  })

  describe("the cubic window (§4.2, §4.4, §4.5)", () => {
    it("computes K = cbrt((W_max - cwnd_epoch) / C) when congestion avoidance begins (Figure 2)", () => {
      const s = afterFirstLoss()
      A.onAck(s, SMSS, 2000, RTT, s.cwnd)
      expect(s.epochStart).toBe(2000)
      expect(s.cwndEpoch).toBe(70 * SMSS)
      expect(s.k).toBeCloseTo(Math.cbrt(75), 12) // = cbrt(W_max (1 - beta) / C) = 4.2171633...
      expect(s.k).toBeCloseTo(4.2171633265, 9)
      // The curve starts at cwnd_epoch and passes through W_max at t = K.
      expect(Cubic.wCubic(s, 0)).toBeCloseTo(70 * SMSS, 6)
      expect(Cubic.wCubic(s, s.k)).toBe(s.wMax)
    })

    // Linux's bictcp_update and tcp_cong_avoid_ai: the target one RTT ahead (Figure 3) in whole
    // segments (rounded up below W_max: the origin less the curve's drop rounded down), cnt =
    // cwnd / (target - cwnd) segments acknowledged per segment of growth, the count carried over
    it("grows in whole segments: one per cnt = cwnd / (target - cwnd) segments acknowledged, target = W_cubic(t + RTT) rounded up below W_max (Linux's bictcp_update, tcp_cong_avoid_ai)", () => {
      const s = afterFirstLoss()
      // W_cubic(0.1) = 100 - 0.4 (K - 0.1)^3 ≈ 72.08 segments: the target is 73, cnt = 70 / 3 = 23
      expect(curve(100 * SMSS, Math.cbrt(75), 0.1) / SMSS).toBeCloseTo(72.08, 2)
      for (let i = 0; i < 22; i++) A.onAck(s, SMSS, 2000, RTT, s.cwnd)
      expect(s.cwnd).toBe(70 * SMSS)
      expect(s.bytesAcked).toBe(22 * SMSS)
      A.onAck(s, SMSS, 2000, RTT, s.cwnd)
      expect(s.cwnd).toBe(71 * SMSS)
      expect(s.bytesAcked).toBe(0)
      // a stretch ACK counts all it delivered: 71 / (73 - 71) = 35 segments a segment, 40 acknowledged
      // (a jiffy on: within the jiffy of the last update Linux's bictcp_update keeps the curve's cnt)
      A.onAck(s, 40 * SMSS, 2004, RTT, s.cwnd)
      expect(s.cwnd).toBe(72 * SMSS)
      expect(s.bytesAcked).toBe(5 * SMSS)
      // a whole segment of the window lets one more segment go: never a fraction
      expect(s.cwnd % SMSS).toBe(0)
    })

    it("the ACK that starts the epoch right after a loss grows the window as Linux's does: 7 segments after a window of 10, 7 delivered, give 8", () => {
      // renoprr50's script (test/kernel/ConformanceLoss.test.ts, "CUBIC in whole segments"): K =
      // cbrt(3 / 0.4) ≈ 1.96 s, W_cubic(0.02) ≈ 7.09 segments, the target 8, cnt 7
      const s = A.init(SMSS, 0)
      A.onLoss(s, 10 * SMSS, 1000)
      A.onRecoveryEnd(s, 0, 1100)
      expect([s.cwnd, s.wMax]).toEqual([7 * SMSS, 10 * SMSS])
      A.onAck(s, 7 * SMSS, 1100, 20, 12 * SMSS)
      expect(s.cwnd).toBe(8 * SMSS)
    })

    it("looks no time ahead before the first RTT sample: at t = 0 the target is the window itself", () => {
      const s = afterFirstLoss()
      for (let i = 0; i < 100; i++) A.onAck(s, SMSS, 2000, undefined, s.cwnd)
      expect(s.cwnd).toBe(70 * SMSS)
      const r = afterFirstLoss()
      for (let i = 0; i < 23; i++) A.onAck(r, SMSS, 2000, RTT, r.cwnd)
      expect(r.cwnd).toBe(71 * SMSS)
    })

    // Linux's bictcp_update: "The initial growth of cubic function may be too conservative when
    // the available bandwidth is still unknown": while last_max_cwnd is 0 (no loss yet, or since
    // an RTO: cubictcp_state's bictcp_reset on TCP_CA_Loss) cnt is at most 20, a segment per 20
    // acknowledged (5% a round), where the curve from K = 0 asks almost nothing (cnt 100 cwnd)
    it("with no W_max yet (no loss, or since a timeout), grows at least a segment per 20 acknowledged, as Linux's bictcp_update while last_max_cwnd is 0", () => {
      const s = A.init(SMSS, 0)
      s.cwnd = 100 * SMSS
      s.ssthresh = 100 * SMSS // (HyStart++ ended slow start: no loss, no W_max)
      for (let i = 0; i < 19; i++) A.onAck(s, SMSS, 1000, RTT, s.cwnd)
      expect([s.cwnd, s.k, s.wMax]).toEqual([100 * SMSS, 0, 0])
      A.onAck(s, SMSS, 1000, RTT, s.cwnd)
      expect(s.cwnd).toBe(101 * SMSS)
      // the curve's origin is the window at the epoch's start, as Linux's bic_origin_point
      expect(Cubic.wCubic(s, 1)).toBeCloseTo(100 * SMSS + 0.4 * SMSS, 9)
      // after a loss W_max is known: no floor, the plateau asks for nothing
      const r = A.init(SMSS, 0)
      r.cwnd = 100 * SMSS
      A.onLoss(r, 100 * SMSS, 500) // W_max 100, cwnd 70
      A.onRecoveryEnd(r, 0, 600)
      r.cwnd = 100 * SMSS // (at the plateau, the target not above cwnd)
      for (let i = 0; i < 40; i++) A.onAck(r, SMSS, 1000, RTT, r.cwnd)
      expect(r.cwnd).toBe(100 * SMSS)
    })

    it("never aims more than 1.5 cwnd ahead: a long silence gives a segment per two acknowledged (Linux's cnt of at least 2)", () => {
      const s = afterFirstLoss()
      A.onAck(s, SMSS, 2000, RTT, s.cwnd)
      A.onAck(s, SMSS, 2000 + 3_600_000, RTT, s.cwnd) // an hour on: W_cubic is astronomically high
      expect(s.cwnd).toBe(71 * SMSS)
      A.onAck(s, 10 * SMSS, 2000 + 3_600_000, RTT, s.cwnd)
      expect(s.cwnd).toBe(76 * SMSS)
    })

    it("reaches W_max at t = K, climbing ever more slowly before it and ever faster after (concave, then convex)", () => {
      const s = afterFirstLoss()
      const rounds: Array<{ t: number; cwnd: number; wEst: number }> = []
      run(s, 2000, 2000 + 6000, RTT, (end) => rounds.push({ t: (end - s.epochStart!) / 1000, cwnd: s.cwnd, wEst: s.wEst }))
      const k = s.k
      // Whole segments throughout, within a segment or so of the curve one RTT ahead (the target
      // rounded up below W_max); at t = K (the round ending nearest to it) W_max itself.
      expect(rounds.every((r) => r.cwnd % SMSS === 0)).toBe(true)
      // (two at the first round's end: cnt is worked out again only once cwnd changes or HZ / 32
      // has passed, bictcp_update, so the first round's 70 ACKs follow a target up to 28 ms old)
      expect(rounds.every((r) => Math.abs(r.cwnd - Cubic.wCubic(s, r.t + RTT / 1000)) < 2.2 * SMSS)).toBe(true)
      const atK = rounds.reduce((a, b) => (Math.abs(b.t - k) < Math.abs(a.t - k) ? b : a))
      expect(Math.abs(atK.t - k)).toBeLessThan(RTT / 1000)
      expect(atK.cwnd).toBe(100 * SMSS)
      // Growth per second shrinks on the way up to W_max (two segments a round at first, none
      // near it) ...
      const growth = (from: number, to: number) => {
        const a = rounds.find((r) => r.t >= from)!
        const b = rounds.find((r) => r.t >= to)!
        return b.cwnd - a.cwnd
      }
      expect(growth(0, 1)).toBeGreaterThan(growth(1, 2))
      expect(growth(1, 2)).toBeGreaterThan(growth(2, 3))
      expect(growth(k - 1, k)).toBeLessThanOrEqual(SMSS)
      expect(rounds.filter((r) => r.t < k - 0.2).every((r) => r.cwnd <= 100 * SMSS)).toBe(true)
      // ... and grows past it, ever faster.
      expect(growth(k, k + 1)).toBeLessThan(growth(k + 1, k + 1.7))
      expect(rounds.filter((r) => r.t > k + 1.5).every((r) => r.cwnd > 100 * SMSS)).toBe(true)
    })
  })

  describe("the Reno-friendly region (§4.3)", () => {
    it("W_est grows a segment per floor(15 cwnd / 8) acknowledged (alpha_cubic a window), past cwnd_prior too (Linux's tcp_friendliness keeps beta_scale; §4.3's SHOULD of 1 not taken)", () => {
      // (15 / 8 = (1 + beta) / (3 (1 - beta)) = 1 / alpha_cubic with Linux's integer beta_scale)
      expect(Math.floor((8 * 1741) / 3 / 307) / 8).toBeCloseTo(1 / ALPHA, 1)
      // at 70 segments: 131 acknowledged leave the estimate at 70, 132 take it to 71 (ack_cnt > delta)
      for (const [acked, est] of [[131, 70], [132, 71]]) {
        const e = afterFirstLoss()
        A.onAck(e, acked * SMSS, 2000, RTT, e.cwnd)
        expect(e.wEst).toBe(est * SMSS)
      }
      const s = afterFirstLoss()
      A.onAck(s, SMSS, 2000, RTT, s.cwnd)
      // Past cwnd_prior (100 segments) alpha is still 0.53: Linux's Reno estimate (tcp_cwnd) grows a
      // segment per cwnd * beta_scale / 8 = 15 cwnd / 8 acknowledged whatever the window before the
      // loss was. (RFC 9438's 1 there doubled the Reno-friendly growth on short round trips, where
      // the estimate sets the window: a segment per window where a Linux peer adds one per 1.9)
      const t = run(s, 2002, 2002 + 700, 1)
      expect(s.wEst).toBeGreaterThan(s.cwndPrior)
      const w = s.wEst
      // (HZ / 32 on, bictcp_update asks the estimate again: all acknowledged since it was last
      // asked, a segment per floor(15 cwnd / 8) of it, the rest carried)
      const per = Math.floor((Math.floor(s.cwnd / SMSS) * 15) / 8) * SMSS
      const counted = s.ackCnt + SMSS
      A.onAck(s, SMSS, t + 40, 1, s.cwnd)
      expect(s.wEst - w).toBe((Math.ceil(counted / per) - 1) * SMSS)
      expect(s.ackCnt).toBe(counted - (Math.ceil(counted / per) - 1) * per)
    })

    it("takes over on short round trips, where Reno's ACK-clocked growth outruns the curve", () => {
      // 1 ms round trips (a TAP link): after 500 ms the window is W_est, far above the curve.
      const fast = afterFirstLoss()
      run(fast, 2000, 2500, 1)
      const t = (2500 - fast.epochStart!) / 1000
      // (W_est sets cnt, not cwnd, and cnt is worked out at most once a jiffy, or every HZ / 32
      // while cwnd holds, bictcp_update: with a round a millisecond the estimate catches up by
      // steps and the cnt it asked is kept through the jiffy's rounds, so cwnd runs ahead of it)
      expect(fast.cwnd).toBeGreaterThanOrEqual(fast.wEst)
      expect(fast.cwnd).toBeGreaterThan(Cubic.wCubic(fast, t) + 100 * SMSS)
      // 100 ms round trips over the same 500 ms: the curve governs, W_est lags it.
      const slow = afterFirstLoss()
      run(slow, 2000, 2500, RTT)
      expect(slow.cwnd).toBeGreaterThan(slow.wEst + 5 * SMSS)
    })
  })

  describe("fast convergence (§4.7)", () => {
    it("a loss below the previous W_max lowers W_max to cwnd (1 + beta) / 2; at or above it, W_max = cwnd", () => {
      const s = afterFirstLoss() // W_max 100 segments, cwnd 70
      A.onLoss(s, 70 * SMSS, 2000) // lost again before regaining W_max
      expect(s.wMax).toBe(59 * SMSS) // 70 * 1741 / 2048 = 59.5 segments, Linux's whole 59
      expect(s.cwndPrior).toBe(70 * SMSS)
      expect(s.ssthresh).toBe(49 * SMSS)
      expect(s.cwnd).toBe(49 * SMSS)
      A.onRecoveryEnd(s, 49 * SMSS, 2100)
      // The next epoch aims at the lowered W_max.
      A.onAck(s, SMSS, 2200, RTT, s.cwnd)
      expect(s.k).toBeCloseTo(Math.cbrt((59 - 49) / 0.4), 12)
      // Grown past W_max, a loss takes W_max = cwnd as it is.
      run(s, 2201, 2201 + 10_000, RTT)
      expect(s.cwnd).toBeGreaterThan(59 * SMSS)
      const cwnd = s.cwnd
      A.onLoss(s, 80 * SMSS, 12_300)
      expect(s.wMax).toBe(cwnd)
      // The loss ended that epoch: the next one starts at the first ACK after recovery, aiming at the new W_max.
      const ss = Math.floor((Math.floor(cwnd / SMSS) * 717) / 1024) * SMSS // (Linux's whole packets)
      A.onRecoveryEnd(s, ss, 12_400)
      expect(s.cwnd).toBe(ss)
      A.onAck(s, SMSS, 12_500, RTT, s.cwnd)
      expect(s.epochStart).toBe(12_500)
      expect(s.k).toBeCloseTo(Math.cbrt((cwnd - ss) / (0.4 * SMSS)), 12)
    })
    // Linux's cubictcp_recalc_ssthresh: last_max_cwnd = snd_cwnd * (1024 + 717) / 2048 in whole
    // packets, so bictcp_update's origin (and K, from last_max_cwnd - cwnd) is a whole segment. A
    // W_max of 5.95 segments in octets put the target, rounded up below it, at 6 where Linux's is 5:
    // cnt 2 where Linux's is 4, a segment early
    it("lowers W_max in whole segments, as Linux's cubictcp_recalc_ssthresh: 7 segments below a W_max of 10 give 5, not 5.95", () => {
      const s = A.init(SMSS, 0)
      A.onLoss(s, 10 * SMSS, 1000) // W_max 10, cwnd 7
      A.onRecoveryEnd(s, 0, 1100)
      A.onLoss(s, 7 * SMSS, 2000) // 7 < 10: fast convergence, 7 * 1741 / 2048 = 5.95 -> 5; ssthresh 4
      A.onRecoveryEnd(s, 0, 2100)
      expect([s.cwnd, s.ssthresh, s.wMax]).toEqual([4 * SMSS, 4 * SMSS, 5 * SMSS])
      // the epoch begins: K = cbrt((5 - 4) / 0.4) ≈ 1.357 s; target 5 (5 - 0.79 rounded up), cnt 4
      A.onAck(s, SMSS, 3000, RTT, 4 * SMSS)
      expect(s.k).toBeCloseTo(Math.cbrt(1 / 0.4), 12)
      expect(s.cwnd).toBe(4 * SMSS)
      // 1.3 s ahead, just short of K: Linux's target 5 - 0 = 5, cnt 4, and 3 acknowledged grow nothing
      A.onAck(s, 2 * SMSS, 4200, RTT, 4 * SMSS)
      expect(s.cwnd).toBe(4 * SMSS)
      expect(s.bytesAcked).toBe(3 * SMSS)
      A.onAck(s, SMSS, 4200, RTT, 4 * SMSS)
      expect(s.cwnd).toBe(5 * SMSS)
    })
  })

  describe("retransmission timeout (§4.8)", () => {
    it("ssthresh = 0.7 cwnd, cwnd = 1 SMSS; the next epoch starts with K = 0 from the window reached", () => {
      const s = afterFirstLoss()
      run(s, 2000, 3000, RTT)
      const cwnd = s.cwnd
      const ss = Math.floor((Math.floor(cwnd / SMSS) * 717) / 1024) * SMSS // (Linux's whole packets)
      A.onRto(s, 80 * SMSS, 3100)
      expect(s.ssthresh).toBe(ss)
      expect(s.cwnd).toBe(SMSS)
      expect(s.cwndPrior).toBe(cwnd)
      expect(s.wMax).toBe(0)
      // A repeated expiry keeps ssthresh and cwnd_prior.
      A.onRto(s, SMSS, 3500)
      expect(s.ssthresh).toBe(ss)
      expect(s.cwndPrior).toBe(cwnd)
      // Slow start back to ssthresh, a 2-segment ACK growing it by two (Linux's tcp_slow_start, no
      // RFC 3465 §2.3 L = 1) ...
      A.onAck(s, 2 * SMSS, 3600, RTT, s.cwnd + SMSS)
      expect(s.cwnd).toBe(3 * SMSS)
      let t = 3601
      while (s.cwnd < s.ssthresh) A.onAck(s, Math.min(SMSS, s.ssthresh - s.cwnd), t++, RTT, s.cwnd)
      // ... then congestion avoidance from ssthresh.
      expect(s.cwnd).toBe(ss)
      expect(s.epochStart).toBeUndefined()
      A.onAck(s, SMSS, 4000, RTT, s.cwnd)
      expect(s.epochStart).toBe(4000)
      expect(s.k).toBe(0)
      // (W_max stays 0, Linux's last_max_cwnd after bictcp_reset: the origin is cwnd_epoch)
      expect([s.wMax, s.cwndEpoch]).toEqual([0, ss])
      // (Linux's tcp_cwnd from cwnd, ack_cnt 1: a segment of 15 cwnd / 8 toward the next)
      expect([s.wEst, s.ackCnt]).toEqual([ss, SMSS])
      // From there only the convex half: W_cubic(t) = C t^3 + cwnd_epoch.
      expect(Cubic.wCubic(s, 2)).toBeCloseTo(ss + 0.4 * SMSS * 8, 9)
      // New data was acknowledged since: the next timeout sets ssthresh and cwnd_prior afresh.
      const grown = s.cwnd
      A.onRto(s, 40 * SMSS, 5000)
      expect(s.ssthresh).toBe(Math.floor((Math.floor(grown / SMSS) * 717) / 1024) * SMSS)
      expect(s.cwndPrior).toBe(grown)
    })
  })

  describe("idle and application-limited periods", () => {
    // (the restart is checked where data waits, `onIdle`; the epoch moves when data goes, `onTxStart`,
    // as Linux's tcp_slow_start_after_idle_check and CA_EVENT_TX_START)
    it("an idle period shorter than the RTO moves the epoch on, so t does not count it (§4.2)", () => {
      const s = afterFirstLoss()
      run(s, 2000, 3000, RTT)
      const cwnd = s.cwnd
      A.onIdle(s, 500, 1000)
      A.onTxStart(s, 500, 3500)
      expect(s.cwnd).toBe(cwnd)
      expect(s.epochStart).toBe(2500)
    })

    it("an idle shift never puts the epoch past now (bictcp_cwnd_event caps it there)", () => {
      const s = afterFirstLoss()
      run(s, 2000, 3000, RTT)
      // the last ACK came after the last send: the idle since that send reaches back before it
      A.onIdle(s, 1500, 2000, 3400)
      A.onTxStart(s, 1500, 3400)
      expect(s.epochStart).toBe(3400)
    })

    it("idle longer than the RTO: the window restarts (Linux's tcp_cwnd_restart), and the epoch moves on by the idle time, not started over (CA_EVENT_TX_START)", () => {
      const s = afterFirstLoss()
      run(s, 2000, 3000, RTT)
      const [k, wMax] = [s.k, s.wMax]
      A.onIdle(s, 5000, 1000, 8000)
      A.onTxStart(s, 5000, 8000)
      expect(s.cwnd).toBe(10 * SMSS)
      expect(s.ssthresh).toBe(70 * SMSS)
      expect([s.epochStart, s.k, s.wMax]).toEqual([7000, k, wMax])
      expect(Congestion.inSlowStart(s)).toBe(true)
      // Slow start back to ssthresh; then the curve goes on where it stood when the sending stopped.
      let t = 8000
      while (s.cwnd < s.ssthresh) A.onAck(s, SMSS, t++, RTT, s.cwnd)
      expect(s.epochStart).toBe(7000)
    })

    it("a restart keeps the count toward the next segment: back at ssthresh, the first ACK in congestion avoidance grows the window when the count reached cnt (Linux's tcp_cwnd_restart leaves snd_cwnd_cnt; tcp_cong_avoid_ai)", () => {
      const s = afterFirstLoss()
      // 64 ACKs from 2000: 72 segments, 12 of them counted toward the next (cnt 23, kept by
      // bictcp_update while cwnd stays 70 within HZ / 32; 35 at 71; 23 again at 2052, when HZ / 32
      // had passed: the 30 counted add a segment, then one; 36 from the next jiffy at 72)
      for (let i = 0; i < 64; i++) A.onAck(s, SMSS, 2000 + i, RTT, s.cwnd)
      expect([s.cwnd, s.bytesAcked]).toEqual([72 * SMSS, 12 * SMSS])
      // idle 5 s past an RTO of 1 s: the restart window, ssthresh max(70, 3/4 of 72) = 70
      A.onIdle(s, 5000, 1000, 7060)
      A.onTxStart(s, 5000, 7060)
      expect([s.cwnd, s.ssthresh]).toEqual([10 * SMSS, 70 * SMSS])
      expect(s.bytesAcked).toBe(12 * SMSS)
      // slow start back to 70 leaves the count alone (tcp_slow_start); then the curve (t 0.16 s into
      // the epoch once the idle time is out, 0.26 s with the RTT ahead: a target of 76, cnt 11): 12
      // counted >= 11 add one segment at the first ACK and the count starts over, as
      // tcp_cong_avoid_ai's first step (zeroed, the count was 11 ACKs more: 71 at the 11th)
      let t = 7100
      while (s.cwnd < s.ssthresh) A.onAck(s, SMSS, t++, RTT, s.cwnd)
      expect(s.cwnd).toBe(70 * SMSS)
      A.onAck(s, SMSS, t, RTT, s.cwnd)
      expect([s.cwnd, s.bytesAcked]).toEqual([71 * SMSS, SMSS])
    })

    it("after a restart, ACKs take the window back up at most a segment per two acknowledged (past the one the kept count adds), even with W_est far above (Linux's ca->cnt of at least 2)", () => {
      const s = afterFirstLoss()
      // a short RTT: W_est (about 0.53 segments a round) runs ahead of the curve (the Reno-friendly region)
      run(s, 2000, 3000, 10)
      expect(s.wEst).toBeGreaterThan(Cubic.wCubic(s, 1))
      A.onIdle(s, 5000, 1000, 8000)
      A.onTxStart(s, 5000, 8000)
      let t = 8000
      while (s.cwnd < s.ssthresh) A.onAck(s, SMSS, t++, 10, s.cwnd)
      const ss = s.cwnd
      // (122 segments before the idle: ssthresh 3/4 of them, 91; W_est 122, 123 at the next ACK
      // with the 220 counted toward it since (170 a segment at 91), gives cnt 91 / 32 = 2)
      expect([ss, Math.floor(s.wEst / SMSS)]).toEqual([91 * SMSS, 122])
      // (the 24 segments counted before the idle, below the curve's cnt there, are kept, as
      // tcp_cwnd_restart keeps snd_cwnd_cnt: past cnt, they add one segment at the first ACK and the
      // count starts over from it)
      expect(s.bytesAcked).toBe(24 * SMSS)
      A.onAck(s, SMSS, t, 10, s.cwnd)
      expect([s.cwnd, s.bytesAcked]).toEqual([ss + SMSS, SMSS])
      // (at 92 segments in the same jiffy Linux's bictcp_update keeps cnt 2, min(2, 92 / 31): its
      // goto tcp_friendliness, the curve not asked again)
      A.onAck(s, SMSS, t, 10, s.cwnd)
      expect([s.cwnd, s.bytesAcked]).toEqual([ss + 2 * SMSS, 0])
      A.onAck(s, SMSS, t, 10, s.cwnd)
      expect([s.cwnd, s.bytesAcked]).toEqual([ss + 2 * SMSS, SMSS])
      A.onAck(s, 4 * SMSS, t, 10, s.cwnd)
      expect([s.cwnd, s.bytesAcked]).toEqual([ss + 4 * SMSS, SMSS])
    })

    it("does not grow, nor earn W_est, nor start its epoch while the window is not the limit (§5.8)", () => {
      const s = afterFirstLoss()
      for (let i = 0; i < 50; i++) A.onAck(s, SMSS, 2000 + i * 10, RTT, 60 * SMSS)
      expect(s.cwnd).toBe(70 * SMSS)
      expect(s.wEst).toBe(0)
      expect(s.epochStart).toBeUndefined()
    })

    it("never shrinks the window on an ACK, even when the clock steps back into the Reno-friendly region", () => {
      const s = afterFirstLoss()
      for (let i = 0; i < 23; i++) A.onAck(s, SMSS, 2000, RTT, s.cwnd) // the curve's lookahead lifts cwnd above W_est
      expect(s.cwnd).toBeGreaterThan(s.wEst)
      const cwnd = s.cwnd
      A.onAck(s, SMSS, 1000, RTT, s.cwnd) // t < 0 reads as 0, where W_cubic(0) < W_est < cwnd
      expect(s.wEst).toBeLessThan(cwnd)
      expect(s.cwnd).toBe(cwnd)
    })

    it("reads a NaN clock as no time elapsed", () => {
      const s = afterFirstLoss()
      A.onAck(s, SMSS, 2000, RTT, s.cwnd)
      for (let i = 0; i < 200; i++) A.onAck(s, SMSS, Number.NaN, Number.NaN, s.cwnd)
      expect(Number.isFinite(s.cwnd)).toBe(true)
      expect(Number.isFinite(s.bytesAcked)).toBe(true)
      // (t = 0 and no lookahead: the curve is the window; W_est's 0.53 segments a window lead)
      expect(s.cwnd).toBe(71 * SMSS)
    })
  })
})

describe("undoing a spurious reduction: Linux's tcp_reno_undo_cwnd, not RFC 9438 §4.9.2", () => {
  /** Past the first loss, six seconds into congestion avoidance: an epoch under way, W_est and the curve past W_max. */
  const cruising = (): Congestion.State => {
    const s = afterFirstLoss()
    // (the curve stays within W_max's segment until t + RTT ≈ K + 1.36 s ≈ 5.6 s)
    run(s, 1100, 7100, RTT)
    expect(s.epochStart).toBe(1100)
    expect(s.cwnd).toBeGreaterThan(100 * SMSS)
    return s
  }

  /**
   * What the undo gives ssthresh back as: Linux's prior_ssthresh, tcp_current_ssthresh when the
   * episode began, max(ssthresh, (cwnd >> 1) + (cwnd >> 2)) in whole segments (the window here is
   * far past 4/3 of the first loss's ssthresh: 3/4 of it), given back as it is larger than the cut
   * (tcp_undo_cwnd_reduction)
   */
  const priorSsthresh = (st: Congestion.State): number => {
    const n = Math.floor(st.cwnd / SMSS)
    return Math.max(st.ssthresh, ((n >> 1) + (n >> 2)) * SMSS)
  }

  // Linux's CUBIC undo is tcp_reno_undo_cwnd (cubictcp's undo_cwnd): cwnd = max(cwnd, prior_cwnd),
  // and tcp_undo_cwnd_reduction the larger ssthresh; nothing of CUBIC's own goes back. The loss's
  // cubictcp_recalc_ssthresh (epoch_start 0, last_max_cwnd with fast convergence) stands, so the next
  // ACK in congestion avoidance starts a new epoch from the restored window. Until stop 55 the stack
  // put W_max, K, the epoch and W_est back (RFC 9438 §4.9.2) and the old curve went on
  it("a loss proved spurious gives back cwnd and ssthresh only: the loss's W_max stays and the next ACK starts a new epoch from the restored window", () => {
    const s = cruising()
    const before = { ...s }
    const saved = Congestion.saveForUndo(s)
    expect(saved.ssthresh).toBe(priorSsthresh(before))
    expect(saved.ssthresh).toBeGreaterThan(before.ssthresh)
    A.onLoss(s, s.cwnd, 7100)
    // the cut: fast convergence does not apply (cwnd above W_max), W_max becomes the window, no epoch
    expect([s.wMax, s.cwndPrior, s.epochStart]).toEqual([before.cwnd, before.cwnd, undefined])
    expect(s.cwnd).toBeLessThan(before.cwnd)
    const cut = { ...s }
    Congestion.undo(s, saved)
    // (the count toward the next whole segment starts over as Linux's snd_cwnd_cnt:
    // tcp_init_cwnd_reduction zeroes it, tcp_undo_cwnd_reduction leaves it)
    expect(s).toEqual({ ...cut, cwnd: before.cwnd, ssthresh: priorSsthresh(before), reducing: false })
    // The next ACK, 40 ms on (past HZ / 32 of the last update), starts the epoch at the restored
    // window: W_max (the window at the loss, whole segments) is not above it, so K 0, the origin the
    // window, and W_est from it. The old curve, 6 s on and past K, asked for a segment per few ACKs
    A.onAck(s, SMSS, 7140, RTT, s.cwnd)
    expect([s.epochStart, s.k, s.cwndEpoch, Math.floor(s.wEst / SMSS)]).toEqual([7140, 0, before.cwnd, Math.floor(before.cwnd / SMSS)])
    const twin = { ...before, bytesAcked: 0, ssthresh: priorSsthresh(before) }
    A.onAck(twin, SMSS, 7140, RTT, twin.cwnd)
    // A second of full windows on: the new epoch's convex curve from 102 (and Reno's estimate, 0.53
    // segments a window) against the old curve 6 s past its K, rising ~4 segments a second
    run(s, 7200, 8200, RTT)
    run(twin, 7200, 8200, RTT)
    expect([s.cwnd / SMSS, twin.cwnd / SMSS]).toEqual([107, 110])
  })

  it("after a timeout proved spurious, W_max stays forgotten (TCP_CA_Loss's bictcp_reset): only the window and ssthresh come back", () => {
    const s = cruising()
    const before = { ...s }
    const saved = Congestion.saveForUndo(s)
    A.onRto(s, s.cwnd, 7100)
    expect([s.wMax, s.cwnd]).toEqual([0, SMSS])
    const cut = { ...s }
    Congestion.undo(s, saved)
    // (cnt and last_cwnd, which bictcp_reset zeroed and tcp_undo_cwnd_reduction leaves: the next
    // ACK works cnt out afresh, from a new epoch with W_max 0: K 0 and cnt at most 20)
    expect(s).toEqual({ ...cut, cwnd: before.cwnd, ssthresh: priorSsthresh(before), rtoPending: false })
    expect([s.wMax, s.epochStart, s.cnt, s.lastCwnd]).toEqual([0, undefined, 0, 0])
    A.onAck(s, SMSS, 7140, RTT, s.cwnd)
    expect([s.epochStart, s.k, s.cnt]).toEqual([7140, 0, 20])
  })

  it("a window that has grown past the old one by the time of the proof keeps its own state, but for the larger ssthresh (tcp_undo_cwnd_reduction)", () => {
    const s = cruising()
    const saved = Congestion.saveForUndo(s)
    A.onLoss(s, s.cwnd, 7100)
    A.onRecoveryEnd(s, s.cwnd, 7200)
    run(s, 7200, 30000, RTT)
    expect(s.cwnd).toBeGreaterThan(saved.cwnd)
    const grown = { ...s }
    Congestion.undo(s, saved)
    // (the cut's ssthresh, 0.7 of the window at the loss, is below the saved 3/4 of it)
    expect(saved.ssthresh).toBeGreaterThan(grown.ssthresh)
    expect(s).toEqual({ ...grown, ssthresh: saved.ssthresh })
  })
})

describe("the look-ahead is the minimum RTT, not the smoothed (Linux's bictcp_update: t += delay_min)", () => {
  it("a queue that lifts SRTT to 300 ms over a 100 ms path: 10 ACKs one RTT ahead of t = 0 grow 10 segments to 11, as Linux's", () => {
    const MSS = 1460
    // (no handshake sample: the SYN-ACK went twice)
    const s = T.established({
      params: { congestion: "cubic", hystart: false, sack: false, timestamps: false },
      peerOptions: { mss: MSS, sackPermitted: false },
      synAckRetransmitted: true
    })
    // one segment, ACKed 100 ms later: the minimum RTT (and Linux's delay_min) is 100
    s.write(0, T.octets(MSS))
    s.send(100, T.fromPeer({ ack: MSS }))
    // congestion avoidance at 10 segments below a W_max of 20 (K = cbrt(10 / 0.4) = 2.92 s)
    const cc = s.snd.cc
    cc.ssthresh = cc.cwnd
    cc.wMax = 20 * MSS
    expect(s.write(100, T.octets(40 * MSS)).length).toBe(10)
    // the ten ACKed one by one at 500 (400 ms: a queue), SRTT 137 after the first, 321 after the tenth
    for (let i = 1; i <= 10; i++) s.send(500, T.fromPeer({ ack: MSS + i * MSS }))
    expect(s.snd.rtt.srtt).toBeGreaterThan(300)
    // Linux: the epoch begins at the first, t = 0 + delay_min = 0.1 s, target
    // ceil(20 - 0.4 (2.92 - 0.1)^3) = 11, cnt = 10 / (11 - 10) = 10: the tenth ACK makes 11. From
    // SRTT (0.14-0.32 s ahead: targets 12-13, cnt 5-3) the window had 12
    expect(cc.cwnd).toBe(11 * MSS)
  })
})

// Linux 6.18 net/ipv4/tcp_cubic.c, bictcp_update: `ca->ack_cnt += acked;` then
// `if (ca->last_cwnd == cwnd && (s32)(tcp_jiffies32 - ca->last_time) <= HZ / 32) return;` keeps
// the previous `cnt` while the window has not changed and no more than HZ / 32 jiffies (7 at the
// reference kernel's HZ of 250, 28 ms) have passed since it was last worked out; and
// `if (ca->epoch_start && tcp_jiffies32 == ca->last_time) goto tcp_friendliness;` keeps the
// curve's cnt within a jiffy (4 ms) of the last update, re-running only the Reno estimate.
describe("cnt kept while cwnd is unchanged for HZ / 32 (Linux's bictcp_update)", () => {
  /** Two timeouts (W_max 0, ssthresh 2 segments), then the window back to 2 in slow start. */
  const afterTimeouts = (): Congestion.State => {
    const s = A.init(SMSS, 0)
    A.onRto(s, 10 * SMSS, 1000)
    A.onRto(s, 10 * SMSS, 2000)
    s.ssthresh = 2 * SMSS // the "two timeouts" script's: from the window of one the first left
    A.onAck(s, SMSS, 2500, undefined, SMSS) // slow start to 2
    expect(s.cwnd).toBe(2 * SMSS)
    return s
  }

  it("an ACK 20 ms after the epoch began keeps cnt 20 (W_max 0): the window stays at 2", () => {
    const s = afterTimeouts()
    // epoch starts: target 2 (K = 0), cnt 100 * 2 capped at 20; Reno's estimate 2 (ack_cnt 2 <= 3)
    A.onAck(s, 2 * SMSS, 2510, 1, 2 * SMSS)
    expect(s.cwnd).toBe(2 * SMSS)
    // 20 ms on: Linux returns before tcp_friendliness (cnt 20 kept, 4 of 20 counted), where a
    // recomputation would take the Reno estimate's cnt 2 (ack_cnt 4 > 3: tcp_cwnd 3) and grow to 4
    A.onAck(s, 2 * SMSS, 2530, 1, 2 * SMSS)
    expect(s.cwnd).toBe(2 * SMSS)
  })

  // (`(s32)(tcp_jiffies32 - ca->last_time) <= HZ / 32`: 7 jiffies still hold, 8 do not; review55b)
  it("holds cnt at exactly HZ / 32, 7 jiffies on (2510 is jiffy 627, 2538 jiffy 634), and not at 8 (2542)", () => {
    const held = afterTimeouts()
    A.onAck(held, 2 * SMSS, 2510, 1, 2 * SMSS)
    A.onAck(held, 2 * SMSS, 2538, 1, 2 * SMSS)
    expect(held.cwnd).toBe(2 * SMSS)
    const redone = afterTimeouts()
    A.onAck(redone, 2 * SMSS, 2510, 1, 2 * SMSS)
    A.onAck(redone, 2 * SMSS, 2542, 1, 2 * SMSS)
    expect(redone.cwnd).toBe(4 * SMSS)
  })

  it("recomputes once more than HZ / 32 has passed, or when cwnd changed", () => {
    const s = afterTimeouts()
    A.onAck(s, 2 * SMSS, 2510, 1, 2 * SMSS)
    A.onAck(s, 2 * SMSS, 2550, 1, 2 * SMSS) // 40 ms on: cnt from tcp_friendliness, 2: 4 acked, 2 more
    expect(s.cwnd).toBe(4 * SMSS)
  })
})

// Linux 6.18 net/ipv4/tcp_cubic.c, bictcp_update's tcp_friendliness: Reno's estimate in whole
// segments, `delta = (cwnd * scale) >> 3;` (beta_scale 8 (1024 + 717) / 3 / (1024 - 717) = 15, so
// floor(15 cwnd / 8) segments: 18 at a window of 10), `while (ca->ack_cnt > delta) { ca->ack_cnt
// -= delta; ca->tcp_cwnd++; }`, ack_cnt counting every segment acknowledged from the epoch's start
// (`ca->ack_cnt = acked` there, `ca->ack_cnt += acked` at each ACK), tcp_cwnd from cwnd.
describe("Reno's estimate in whole segments (Linux's tcp_friendliness: ack_cnt, tcp_cwnd)", () => {
  it("37 segments acknowledged at a window of 10 make the estimate 12 (36 / 18 = 2 steps past the first segment), cnt 10 / 2 = 5", () => {
    const s = A.init(SMSS, 0)
    s.ssthresh = 10 * SMSS
    s.cwnd = 10 * SMSS
    s.wMax = 10 * SMSS // K = 0 from a window of 10: the curve asks cnt 100 * 10, the estimate decides
    A.onAck(s, SMSS, 2000, 1, 10 * SMSS)
    // 15 ACKs of two within HZ / 32: cnt kept, ack_cnt 31, no growth (31 < 1000)
    for (let i = 1; i <= 15; i++) A.onAck(s, 2 * SMSS, 2000 + i, 1, 10 * SMSS)
    expect([s.cwnd, s.bytesAcked]).toEqual([10 * SMSS, 31 * SMSS])
    // 40 ms on: ack_cnt 37 > 18 twice, tcp_cwnd 12, cnt 5: tcp_cong_avoid_ai's 31 counted add one
    // (11), then 6 of 5 one more (12). An estimate of alpha_cubic = 0.53 segments per window (here
    // 11.96 segments, 11 whole) asked cnt 10 and left the window at 11
    A.onAck(s, 6 * SMSS, 2040, 1, 10 * SMSS)
    expect([s.cwnd, s.bytesAcked]).toEqual([12 * SMSS, SMSS])
  })
})

// Linux 6.18 tcp_input.c tcp_cong_control: `else if (tcp_may_raise_cwnd(sk, flag))
// tcp_cong_avoid(sk, ack, acked_sacked);`, FLAG_DATA_ACKED asked, not acked_sacked: an ACK of
// segments all SACKed before (acked_sacked 0) reaches cubictcp_cong_avoid, whose bictcp_update runs
// with 0 and tcp_cong_avoid_ai(tp, ca->cnt, 0) applies `if (tp->snd_cwnd_cnt >= w)` (cubicundo56)
describe("an ACK that delivers nothing new but acknowledges data (Linux's tcp_cong_avoid with acked_sacked 0)", () => {
  /** A window of 10 with K = 0, an epoch at 2000, then 15 ACKs of two within HZ / 32 (cnt 1000 kept: ack_cnt 31, 31 counted). */
  const held = (): Congestion.State => {
    const s = A.init(SMSS, 0)
    s.ssthresh = 10 * SMSS
    s.cwnd = 10 * SMSS
    s.wMax = 10 * SMSS
    A.onAck(s, SMSS, 2000, 1, 10 * SMSS)
    for (let i = 1; i <= 15; i++) A.onAck(s, 2 * SMSS, 2000 + i, 1, 10 * SMSS)
    expect([s.cwnd, s.bytesAcked, s.cnt]).toEqual([10 * SMSS, 31 * SMSS, 1000])
    return s
  }

  it("40 ms on, it works cnt out again (ack_cnt 31 past 18: tcp_cwnd 11, cnt 10) and the 31 counted add a segment there", () => {
    const s = held()
    A.onAck(s, 0, 2040, 1, 10 * SMSS, undefined, undefined, undefined, true)
    expect([s.cwnd, s.bytesAcked, s.cnt]).toEqual([11 * SMSS, 0, 10])
  })

  it("an ACK that acknowledged no whole segment (no FLAG_DATA_ACKED) changes nothing", () => {
    const s = held()
    A.onAck(s, 0, 2040, 1, 10 * SMSS)
    expect([s.cwnd, s.bytesAcked, s.cnt]).toEqual([10 * SMSS, 31 * SMSS, 1000])
  })

  it("in slow start nothing either (tcp_slow_start of 0 returns at once)", () => {
    const s = A.init(SMSS, 0)
    A.onAck(s, 0, 100, 1, 10 * SMSS, undefined, undefined, undefined, true)
    expect([s.cwnd, s.bytesAcked, s.epochStart]).toEqual([10 * SMSS, 0, undefined])
  })
})

// Linux 6.18 net/ipv4/tcp_cubic.c, bictcp_update: `t = (s32)(tcp_jiffies32 - ca->epoch_start);
// t += usecs_to_jiffies(ca->delay_min); t <<= BICTCP_HZ; do_div(t, HZ);`: the time since the
// epoch began in whole jiffies (4 ms at HZ 250), the minimum RTT rounded up to whole jiffies (a
// sub-millisecond RTT is a jiffy), then 1/1024 s rounded down.
describe("t + RTT in jiffies, the minimum RTT rounded up to one (Linux's bictcp_update)", () => {
  it("44 ms into the epoch with a 0.3 ms RTT: 12 jiffies (47.9 ms), the target 72 where 44.3 ms gave 71", () => {
    const s = afterFirstLoss()
    A.onAck(s, SMSS, 2000, 0.3, s.cwnd) // the epoch starts (jiffy 500): target 71, cnt 70
    expect([s.cwnd, s.cnt]).toEqual([70 * SMSS, 70])
    // 11 jiffies on (past HZ / 32) plus a jiffy for the RTT: W_cubic(49 / 1024 s) ≈ 71.0 segments,
    // the target 72 (the origin less the drop rounded down), cnt 70 / 2 = 35; 36 counted add one.
    // At 44.3 ms the curve was 70.94, the target 71, cnt 70, and the window stayed at 70
    A.onAck(s, 35 * SMSS, 2044, 0.3, s.cwnd)
    expect([s.cwnd, s.cnt]).toEqual([71 * SMSS, 35])
  })
})

describe("the restart's shift of the epoch in whole jiffies (Linux's cubictcp_cwnd_event on CA_EVENT_TX_START)", () => {
  // Linux moves epoch_start by `tcp_jiffies32 - lsndtime`, both in jiffies, and only when that is
  // above 0: an idle within one jiffy moves nothing, one of 2 ms across a jiffy's edge moves a whole
  // jiffy. bictcp_update's t counts jiffies from epoch_start, so a shift by the idle's milliseconds
  // put the epoch a jiffy off Linux's whenever the two roundings parted (`now` / 4 ms, HZ 250)
  /** After the first loss, an epoch begun by an ACK at `start` (cwnd 70, W_max 100). */
  const epochAt = (start: number): Congestion.State => {
    const s = afterFirstLoss()
    A.onAck(s, SMSS, start, RTT, s.cwnd)
    expect(s.epochStart).toBe(start)
    return s
  }

  it("2 ms idle inside one jiffy (1201 to 1203) moves no jiffy: cnt at 1252 is 11, as without the idle (the shift by 2 ms gave 14)", () => {
    const s = epochAt(1103)
    const twin = structuredClone(s)
    A.onTxStart(s, 2, 1203)
    A.onAck(s, SMSS, 1252, RTT, s.cwnd)
    A.onAck(twin, SMSS, 1252, RTT, twin.cwnd)
    expect([s.cnt, twin.cnt]).toEqual([11, 11])
  })

  it("2 ms idle across a jiffy's edge (1203 to 1205) moves a whole jiffy: cnt as an epoch a jiffy later", () => {
    const s = epochAt(1100)
    const twin = structuredClone(s)
    A.onTxStart(s, 2, 1205)
    twin.epochStart = 1104
    // (Linux's epoch one jiffy on, at 276: the shift by 2 ms left it in 275 and parted at 1252, 1304, ...)
    for (const T of [1252, 1304]) {
      const a = structuredClone(s)
      const b = structuredClone(twin)
      A.onAck(a, SMSS, T, RTT, a.cwnd)
      A.onAck(b, SMSS, T, RTT, b.cwnd)
      expect(a.cnt).toBe(b.cnt)
    }
  })
})
