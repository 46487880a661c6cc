/**
 * NewReno's window, step by step: RFC 6928's initial window, RFC 5681
 * slow start growing by all each ACK acknowledged (Linux's tcp_slow_start, no
 * RFC 3465 L),
 * congestion avoidance at one SMSS per window acknowledged, the loss and
 * timeout responses, RFC 6582's exit from recovery, and the restart after
 * idle (Linux's tcp_cwnd_restart, where RFC 5681 §4.1 would take RW at once).
 *
 * Every step carries the time it happens at (ms). NewReno ignores time, but
 * the timestamps keep the sequence readable as a trace: one round trip is
 * `RTT` ms, and the ACKs of a round arrive one ms apart.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Congestion from "../../../src/tcp/congestion/Congestion.js"
import * as NewReno from "../../../src/tcp/congestion/NewReno.js"

const SMSS = 1460
const IW = 14_600
const RTT = 100
const A = NewReno.algorithm

/**
 * One round trip of a sender that always fills the window: `count` ACKs of
 * `size` octets each, arriving from `t0` one ms apart. Each finds the
 * window full (`inFlightBefore = cwnd`). Returns cwnd after each ACK.
 */
const fullRound = (s: Congestion.State, t0: number, count: number, size: number): Array<number> => {
  const seen: Array<number> = []
  for (let i = 0; i < count; i++) {
    A.onAck(s, size, t0 + i, RTT, s.cwnd)
    seen.push(s.cwnd)
  }
  return seen
}

/** A fresh state slow-started to a window of `n` segments, each ACK finding it full. */
const grownTo = (n: number): Congestion.State => {
  const s = A.init(SMSS, 0)
  for (let t = 10; s.cwnd < n * SMSS; t++) A.onAck(s, SMSS, t, RTT, s.cwnd)
  expect(s.cwnd).toBe(n * SMSS)
  return s
}

/** A state after a loss at a window of 40 SMSS: ssthresh = cwnd = 20 SMSS, in congestion avoidance. */
const inCongestionAvoidance = (): Congestion.State => {
  const s = grownTo(40)
  A.onLoss(s, 40 * SMSS, 1000)
  A.onRecoveryEnd(s, 20 * SMSS, 1100)
  expect(s.cwnd).toBe(20 * SMSS)
  expect(s.ssthresh).toBe(20 * SMSS)
  return s
}

describe("NewReno", () => {
  describe("initial window (RFC 6928 §2: min(10 SMSS, max(2 SMSS, 14600)))", () => {
    it("is ten segments of 1460, capped at 14600 octets for larger ones, floored at two", () => {
      expect(A.init(1460, 0).cwnd).toBe(14_600)
      expect(A.init(536, 0).cwnd).toBe(5360)
      expect(A.init(4000, 0).cwnd).toBe(14_600)
      expect(A.init(9000, 0).cwnd).toBe(18_000)
      expect(Congestion.initialWindow(1000)).toBe(10_000)
    })

    it("starts with an 'infinite' but finite ssthresh, in slow start", () => {
      const s = A.init(SMSS, 0)
      expect(s.ssthresh).toBe(Congestion.INFINITE_SSTHRESH)
      expect(Number.isFinite(s.ssthresh)).toBe(true)
      expect(Congestion.inSlowStart(s)).toBe(true)
      expect(s.name).toBe("newreno")
    })

    it("is one segment when the handshake lost a SYN or SYN-ACK (RFC 5681 §3.1)", () => {
      expect(A.init(SMSS, 0, true).cwnd).toBe(SMSS)
    })

    it("refuses an SMSS that is not a positive integer", () => {
      for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) expect(() => A.init(bad, 0)).toThrow(RangeError)
    })
  })

  describe("slow start (RFC 5681 §3.1; Linux's tcp_slow_start)", () => {
    it("an ACK per segment doubles cwnd every round trip", () => {
      const s = A.init(SMSS, 0)
      // Round 1: the 10 segments sent at 0 are acknowledged at 100..109, +1 SMSS each.
      expect(fullRound(s, 100, 10, SMSS)).toEqual([11, 12, 13, 14, 15, 16, 17, 18, 19, 20].map((n) => n * SMSS))
      // Round 2 at 200..219: 20 ACKs, 40 segments. Round 3 at 300..339: 80.
      fullRound(s, 200, 20, SMSS)
      expect(s.cwnd).toBe(40 * SMSS)
      fullRound(s, 300, 40, SMSS)
      expect(s.cwnd).toBe(80 * SMSS)
    })

    it("delayed ACKs (one per two segments) double it just the same: byte counting", () => {
      const s = A.init(SMSS, 0)
      expect(fullRound(s, 100, 5, 2 * SMSS)).toEqual([12, 14, 16, 18, 20].map((n) => n * SMSS))
      fullRound(s, 200, 10, 2 * SMSS)
      expect(s.cwnd).toBe(40 * SMSS)
    })

    it("in the slow start after an RTO an ACK of two segments grows cwnd by two (no RFC 3465 §2.3 L = 1: Linux's tcp_slow_start), until cwnd reaches ssthresh", () => {
      const s = grownTo(20)
      A.onRto(s, 20 * SMSS, 1000) // ssthresh 10 SMSS, cwnd 1 SMSS
      A.onAck(s, 2 * SMSS, 1100, RTT, s.cwnd + SMSS)
      expect(s.cwnd).toBe(3 * SMSS)
      for (let t = 1200; s.cwnd < s.ssthresh; t += 1) A.onAck(s, 2 * SMSS, t, RTT, s.cwnd)
      expect(s.cwnd).toBe(10 * SMSS)
    })

    it("stops at ssthresh and counts the rest of that ACK toward congestion avoidance", () => {
      const s = A.init(SMSS, 0)
      // (a window of 5 SMSS below an ssthresh of 20, as after an idle restart kept ssthresh)
      s.cwnd = 5 * SMSS
      s.ssthresh = 20 * SMSS
      expect(fullRound(s, 1200, 7, 2 * SMSS)).toEqual([7, 9, 11, 13, 15, 17, 19].map((n) => n * SMSS))
      // 2 SMSS acknowledged at 19 SMSS: one takes cwnd to ssthresh, the other is bytes_acked.
      A.onAck(s, 2 * SMSS, 1207, RTT, s.cwnd)
      expect(s.cwnd).toBe(20 * SMSS)
      expect(s.bytesAcked).toBe(SMSS)
      expect(Congestion.inSlowStart(s)).toBe(false)
    })

    it("grows only up to twice what was in flight when the application sends less than the window", () => {
      const s = A.init(SMSS, 0)
      // 3 segments in flight under a 10-segment window: 2 * 3 < 10, nothing grows.
      A.onAck(s, SMSS, 100, RTT, 3 * SMSS)
      expect(s.cwnd).toBe(IW)
      // 6 in flight: cwnd may reach 12 segments and no more.
      A.onAck(s, 2 * SMSS, 200, RTT, 6 * SMSS)
      A.onAck(s, 2 * SMSS, 201, RTT, 6 * SMSS)
      expect(s.cwnd).toBe(12 * SMSS)
    })

    // Linux's tcp_slow_start: cwnd = min(cwnd + acked, ssthresh), every segment acknowledged counted,
    // no RFC 3465 L (a stretch ACK from a GRO'd or ACK-thinning receiver, ConformanceCwnd's "stretch ACKs")
    it("a stretch ACK grows cwnd by every segment it acknowledges, as Linux's tcp_slow_start (no L)", () => {
      const s = A.init(SMSS, 0)
      A.onAck(s, 4 * SMSS, 100, RTT, IW)
      expect(s.cwnd).toBe(IW + 4 * SMSS)
      A.onAck(s, 6 * SMSS, 101, RTT, 14 * SMSS)
      expect(s.cwnd).toBe(IW + 10 * SMSS)
      // A partial segment counts by its octets.
      A.onAck(s, 500, 102, RTT, s.cwnd)
      expect(s.cwnd).toBe(IW + 10 * SMSS + 500)
    })

    // tcp_slow_start has no smaller L after a timeout either: a go-back's cumulative ACK of many
    // segments grows the window by all of them, up to ssthresh, the rest to tcp_cong_avoid_ai
    it("after an RTO a stretch ACK grows cwnd by all it acknowledges up to ssthresh, the rest counted toward avoidance", () => {
      const s = grownTo(20)
      A.onRto(s, 20 * SMSS, 1000) // ssthresh 10 SMSS, cwnd 1 SMSS
      A.onAck(s, 6 * SMSS, 1100, RTT, 20 * SMSS)
      expect(s.cwnd).toBe(7 * SMSS)
      A.onAck(s, 6 * SMSS, 1101, RTT, 20 * SMSS)
      expect(s.cwnd).toBe(10 * SMSS)
      expect(s.bytesAcked).toBe(3 * SMSS)
    })

    // Linux's tcp_is_cwnd_limited in slow start: cwnd < 2 * max_packets_out lets the ACK grow the
    // window by all it acknowledged (tcp_slow_start), past twice the flight if the ACK is large
    it("an application-limited flight of six acknowledged at once grows the window by all six (10 < 2 x 6)", () => {
      const s = A.init(SMSS, 0)
      A.onAck(s, 6 * SMSS, 100, RTT, 6 * SMSS)
      expect(s.cwnd).toBe(16 * SMSS)
    })

    // tcp_reno_cong_avoid asks tcp_is_cwnd_limited once, before tcp_slow_start: in slow start its
    // loose test (cwnd < 2 * max_packets_out), which then lets the rest past ssthresh count too
    it("the rest of an ACK past ssthresh counts toward avoidance when slow start's looser test let it grow", () => {
      const s = A.init(SMSS, 0)
      s.cwnd = 9 * SMSS
      s.ssthresh = 10 * SMSS
      // six in flight: room for three more (not cwnd-limited), but 9 < 2 x 6
      A.onAck(s, 3 * SMSS, 100, RTT, 6 * SMSS)
      expect(s.cwnd).toBe(10 * SMSS)
      expect(s.bytesAcked).toBe(2 * SMSS)
    })

    it("ignores an ACK of nothing, or of a negative or NaN amount", () => {
      const s = A.init(SMSS, 0)
      for (const acked of [0, -SMSS, Number.NaN]) A.onAck(s, acked, 100, RTT, IW)
      expect(s.cwnd).toBe(IW)
    })
  })

  describe("congestion avoidance (RFC 5681 §3.1 byte counting, RFC 3465 §2.1)", () => {
    it("adds one SMSS per window acknowledged", () => {
      const s = inCongestionAvoidance()
      // 20 ACKs of one segment at 1200..1219: the 20th completes a window of 20 SMSS.
      const seen = fullRound(s, 1200, 20, SMSS)
      expect(seen.slice(0, 19).every((c) => c === 20 * SMSS)).toBe(true)
      expect(seen[19]).toBe(21 * SMSS)
      expect(s.bytesAcked).toBe(0)
      // The next window is 21 segments long.
      expect(fullRound(s, 1300, 21, SMSS).at(-1)).toBe(22 * SMSS)
    })

    it("carries what a window did not use, so increments do not depend on ACK sizes", () => {
      const s = inCongestionAvoidance()
      // 14 ACKs of 1.5 SMSS: 21 SMSS acknowledged, one increment, 1 SMSS carried over.
      fullRound(s, 1200, 14, 1.5 * SMSS)
      expect(s.cwnd).toBe(21 * SMSS)
      expect(s.bytesAcked).toBe(SMSS)
    })

    it("does not grow, nor count, while the window is not the limit (RFC 9438 §5.8 spirit)", () => {
      const s = inCongestionAvoidance()
      // Room for one more full segment: application-limited.
      for (let i = 0; i < 100; i++) A.onAck(s, SMSS, 1200 + i, RTT, 19 * SMSS)
      expect(s.cwnd).toBe(20 * SMSS)
      expect(s.bytesAcked).toBe(0)
      // Less than a segment of room counts: the next segment could not be sent.
      A.onAck(s, SMSS, 1300, RTT, 19 * SMSS + 1)
      expect(s.bytesAcked).toBe(SMSS)
    })
  })

  describe("fast retransmit / fast recovery (RFC 5681 §3.2, RFC 6582 §3.2)", () => {
    it("onLoss sets ssthresh = max(cwnd / 2, 2 SMSS) whatever FlightSize (Linux's tcp_reno_ssthresh), and cwnd = ssthresh, without inflation", () => {
      const s = A.init(SMSS, 0)
      fullRound(s, 100, 10, SMSS) // cwnd 20 SMSS
      A.onLoss(s, 12 * SMSS, 300) // the application left the window unfilled: FlightSize 12
      expect(s.ssthresh).toBe(10 * SMSS)
      expect(s.cwnd).toBe(s.ssthresh)
      A.onRecoveryEnd(s, 20 * SMSS, 350) // cwnd = ssthresh
      A.onLoss(s, 3 * SMSS, 400) // cwnd 10: 5
      expect(s.ssthresh).toBe(5 * SMSS)
      A.onRecoveryEnd(s, 20 * SMSS, 450)
      A.onLoss(s, 3 * SMSS, 500)
      A.onRecoveryEnd(s, 20 * SMSS, 550)
      A.onLoss(s, 3 * SMSS, 600) // never below 2 SMSS
      expect(s.ssthresh).toBe(2 * SMSS)
      expect(s.cwnd).toBe(2 * SMSS)
    })

    it("ssthresh counts whole segments, as Linux's cwnd counts packets (tcp_reno_ssthresh: cwnd >> 1): 11 segments give 5, not 5.5", () => {
      const s = grownTo(11)
      A.onLoss(s, 11 * SMSS, 300)
      expect(s.ssthresh).toBe(5 * SMSS)
      expect(s.cwnd).toBe(5 * SMSS)
      const t = grownTo(11)
      A.onRto(t, 11 * SMSS, 300)
      expect(t.ssthresh).toBe(5 * SMSS)
    })

    it("onRecoveryEnd sets cwnd = ssthresh, however little is left in flight (RFC 6582 §3.2 step 3's second option, RFC 6937; Linux's tcp_end_cwnd_reduction)", () => {
      const s = grownTo(40)
      A.onLoss(s, 40 * SMSS, 1000) // ssthresh 20 SMSS
      A.onRecoveryEnd(s, 30 * SMSS, 1200)
      expect(s.cwnd).toBe(20 * SMSS)
      A.onLoss(s, 20 * SMSS, 2000) // ssthresh 10 SMSS
      A.onRecoveryEnd(s, 0, 2200)
      expect(s.cwnd).toBe(10 * SMSS) // nothing in flight: still ssthresh, not 2 SMSS
    })

    it("an RTO during recovery keeps the ssthresh the loss set (Linux's tcp_enter_loss reduces once a window)", () => {
      const s = A.init(SMSS, 0)
      fullRound(s, 100, 10, SMSS) // cwnd 20 SMSS
      A.onLoss(s, 20 * SMSS, 300) // ssthresh 10
      A.onRto(s, 10 * SMSS, 600)
      expect(s.ssthresh).toBe(10 * SMSS)
      expect(s.cwnd).toBe(SMSS)
    })
  })

  describe("retransmission timeout (RFC 5681 §3.1 equation 4, from cwnd as Linux's)", () => {
    it("sets ssthresh = max(cwnd / 2, 2 SMSS) and cwnd = 1 SMSS whatever the initial window", () => {
      const s = A.init(SMSS, 0)
      fullRound(s, 100, 10, SMSS) // cwnd 20 SMSS
      A.onRto(s, 14 * SMSS, 1300)
      expect(s.ssthresh).toBe(10 * SMSS)
      expect(s.cwnd).toBe(SMSS)
      expect(Congestion.inSlowStart(s)).toBe(true)
    })

    it("keeps ssthresh when the same data times out again, recomputes after new data is acknowledged", () => {
      const s = A.init(SMSS, 0)
      fullRound(s, 100, 10, SMSS) // cwnd 20 SMSS
      A.onRto(s, 20 * SMSS, 1000)
      A.onRto(s, SMSS, 3000) // backed off, cwnd the one retransmission
      expect(s.ssthresh).toBe(10 * SMSS)
      expect(s.cwnd).toBe(SMSS)
      A.onAck(s, SMSS, 3100, RTT, SMSS) // new data acknowledged: cwnd 2 SMSS
      A.onAck(s, SMSS, 3101, RTT, 2 * SMSS)
      A.onAck(s, SMSS, 3102, RTT, 2 * SMSS)
      A.onAck(s, SMSS, 3103, RTT, 3 * SMSS) // cwnd 5 SMSS
      A.onRto(s, 2 * SMSS, 4000) // a new timeout: from cwnd again, in whole segments (5 >> 1)
      expect(s.ssthresh).toBe(2 * SMSS)
      expect(s.cwnd).toBe(SMSS)
    })
  })

  describe("restart after idle (Linux's tcp_cwnd_restart: RFC 2861's decay)", () => {
    it("after more than an RTO without sending, cwnd halves once per RTO past the first, down to min(IW, cwnd)", () => {
      const s = A.init(SMSS, 0)
      fullRound(s, 100, 10, SMSS)
      fullRound(s, 200, 20, SMSS) // cwnd 40 SMSS
      A.onIdle(s, 300, 300) // exactly one RTO: not longer than it
      expect(s.cwnd).toBe(40 * SMSS)
      A.onIdle(s, 301, 300) // between one and two: halved once
      expect(s.cwnd).toBe(20 * SMSS)
      expect(s.ssthresh).toBe(Congestion.INFINITE_SSTHRESH)
      A.onIdle(s, 650, 300) // between two and three from 20: 10, which is IW
      expect(s.cwnd).toBe(IW)
    })

    it("halves whole segments (21 become 10), never below the initial window, however long the idle", () => {
      const s = A.init(SMSS, 0)
      fullRound(s, 100, 10, SMSS)
      A.onAck(s, SMSS, 200, RTT, s.cwnd) // cwnd 21 SMSS
      expect(s.cwnd).toBe(21 * SMSS)
      A.onIdle(s, 500, 300)
      expect(s.cwnd).toBe(IW) // 21 / 2 = 10 segments
      const t = A.init(SMSS, 0)
      fullRound(t, 100, 10, SMSS)
      fullRound(t, 200, 20, SMSS)
      A.onIdle(t, 1_000_000, 300)
      expect(t.cwnd).toBe(IW)
    })

    it("raises ssthresh to 3/4 of the window it restarts from (tcp_current_ssthresh), in whole segments", () => {
      const s = A.init(SMSS, 0)
      fullRound(s, 100, 10, SMSS)
      A.onLoss(s, 20 * SMSS, 300) // ssthresh 10 SMSS
      A.onRecoveryEnd(s, 10 * SMSS, 400)
      for (let i = 0; i < 300 && s.cwnd < 23 * SMSS; i++) A.onAck(s, SMSS, 500 + i, RTT, s.cwnd) // cwnd 23 SMSS
      expect(s.cwnd).toBe(23 * SMSS)
      A.onIdle(s, 500, 300)
      expect(s.cwnd).toBe(11 * SMSS)
      expect(s.ssthresh).toBe((11 + 5) * SMSS)
      // and never lowers it: a window at or below 4/3 of ssthresh leaves it
      A.onIdle(s, 500, 300)
      expect(s.ssthresh).toBe(16 * SMSS)
    })

    it("keeps the count toward the next segment of congestion avoidance (tcp_cwnd_restart leaves snd_cwnd_cnt)", () => {
      const s = A.init(SMSS, 0)
      fullRound(s, 100, 10, SMSS)
      A.onLoss(s, 20 * SMSS, 300)
      A.onRecoveryEnd(s, 10 * SMSS, 400)
      for (let i = 0; i < 15; i++) A.onAck(s, SMSS, 500 + i, RTT, s.cwnd) // 10 of them: 11 SMSS, 5 counted
      expect([s.cwnd, s.bytesAcked]).toEqual([11 * SMSS, 5 * SMSS])
      A.onIdle(s, 1000, 300)
      expect([s.cwnd, s.ssthresh, s.bytesAcked]).toEqual([IW, 10 * SMSS, 5 * SMSS])
    })

    it("a kept count of a window or more adds one segment at the first ACK past ssthresh and starts over, as Linux's tcp_cong_avoid_ai (tcp_reno_cong_avoid)", () => {
      const s = inCongestionAvoidance()
      // 20 + 21 + 22 + 23 ACKs: 24 segments, then 22 counted toward the 25th
      for (let i = 0; i < 86 + 22; i++) A.onAck(s, SMSS, 1200 + i, RTT, s.cwnd)
      expect([s.cwnd, s.bytesAcked]).toEqual([24 * SMSS, 22 * SMSS])
      // idle: the restart window, ssthresh max(20, 18 + 0) = 20 (tcp_current_ssthresh), the count kept
      A.onIdle(s, 1000, 300)
      expect([s.cwnd, s.ssthresh, s.bytesAcked]).toEqual([IW, 20 * SMSS, 22 * SMSS])
      // slow start back to 20 leaves the count alone (tcp_slow_start)
      let t = 3000
      while (s.cwnd < s.ssthresh) A.onAck(s, SMSS, t++, RTT, s.cwnd)
      expect([s.cwnd, s.bytesAcked]).toEqual([20 * SMSS, 22 * SMSS])
      // Linux's tcp_cong_avoid_ai(w = 20): "credits accumulated at a higher w" (22 >= 20) give one
      // segment and the count is zeroed before this ACK's is added: 21 segments, 1 counted. Carrying
      // the 2 over (RFC 3465's bytes_acked -= cwnd) put the next segment two ACKs early
      A.onAck(s, SMSS, t++, RTT, s.cwnd)
      expect([s.cwnd, s.bytesAcked]).toEqual([21 * SMSS, SMSS])
      // then a whole window of 21: the 20th ACK after it makes 22, not the 18th
      const seen = fullRound(s, t, 20, SMSS)
      expect(seen.slice(0, 19).every((c) => c === 21 * SMSS)).toBe(true)
      expect(seen[19]).toBe(22 * SMSS)
    })

    // Linux 6.x tcp_cong_control runs tcp_cong_avoid when tcp_may_raise_cwnd (FLAG_DATA_ACKED), with
    // acked_sacked 0 for an ACK of segments all SACKed before; tcp_reno_cong_avoid then calls
    // tcp_cong_avoid_ai(tp, cwnd, 0), whose first step applies a count left from a larger window
    it("an ACK of only SACKed data (acked_sacked 0, FLAG_DATA_ACKED) past ssthresh applies a kept count of a window or more, as Linux's tcp_cong_avoid_ai with acked 0", () => {
      const s = inCongestionAvoidance()
      for (let i = 0; i < 86 + 22; i++) A.onAck(s, SMSS, 1200 + i, RTT, s.cwnd)
      A.onIdle(s, 1000, 300)
      let t = 3000
      while (s.cwnd < s.ssthresh) A.onAck(s, SMSS, t++, RTT, s.cwnd)
      expect([s.cwnd, s.bytesAcked]).toEqual([20 * SMSS, 22 * SMSS])
      // no whole segment acknowledged (no FLAG_DATA_ACKED): no tcp_cong_avoid, nothing moves
      A.onAck(s, 0, t++, RTT, s.cwnd)
      expect([s.cwnd, s.bytesAcked]).toEqual([20 * SMSS, 22 * SMSS])
      // a whole segment acknowledged that was SACKed before: one segment, the count zeroed
      A.onAck(s, 0, t++, RTT, s.cwnd, undefined, undefined, undefined, true)
      expect([s.cwnd, s.bytesAcked]).toEqual([21 * SMSS, 0])
    })

    it("in slow start an ACK of only SACKed data grows nothing (tcp_slow_start of 0 returns 0)", () => {
      const s = A.init(SMSS, 0)
      A.onAck(s, 0, 100, RTT, s.cwnd, undefined, undefined, undefined, true)
      expect([s.cwnd, s.bytesAcked]).toEqual([IW, 0])
    })

    it("leaves a window already below the initial one as it is", () => {
      const s = A.init(SMSS, 0)
      A.onRto(s, 4 * SMSS, 1000) // cwnd 1 SMSS
      A.onIdle(s, 10_000, 1000)
      expect(s.cwnd).toBe(SMSS)
    })
  })
})
