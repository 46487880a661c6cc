/**
 * RFC 6298's estimator, with the exact values each step must give.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Rtt from "../../src/tcp/Rtt.js"
import type * as Seq from "../../src/tcp/SeqNum.js"

const P = Rtt.defaults

describe("Rtt (RFC 6298)", () => {
  it("starts at the initial RTO (§2.1)", () => {
    expect(Rtt.initial(P)).toEqual({ srtt: undefined, rttvar: 0, mdev: 0, mdevMax: 0, rttSeq: undefined, rto: 1000, backoffs: 0 })
  })

  it("the first measurement sets SRTT = R, RTTVAR = R/2, RTO = SRTT + 4 RTTVAR (§2.2)", () => {
    const e = Rtt.sample(Rtt.initial(P), 100, P)
    expect(e.srtt).toBe(100)
    expect(e.rttvar).toBe(50)
    expect(e.rto).toBe(300)
  })

  it("later measurements update RTTVAR before SRTT, alpha 1/8, beta 1/4 (§2.3)", () => {
    const e = Rtt.sample(Rtt.sample(Rtt.initial(P), 100, P), 180, P)
    // RTTVAR = 3/4 * 50 + 1/4 * |100 - 180| = 57.5; SRTT = 7/8 * 100 + 1/8 * 180 = 110
    expect(e.rttvar).toBe(57.5)
    expect(e.srtt).toBe(110)
    expect(e.rto).toBe(110 + 4 * 57.5)
  })

  it("keeps the variation term at least the floor, as Linux floors RTTVAR, and uses G when RTTVAR is tiny (§2.4)", () => {
    let e = Rtt.sample(Rtt.initial(P), 0.05, P)
    expect(e.rto).toBeCloseTo(200.05, 6)
    for (let i = 0; i < 100; i++) e = Rtt.sample(e, 0.05, P)
    expect(e.rto).toBeCloseTo(200.05, 6)
    // a steady 180 ms path: SRTT + 200, not 200 (a peer's 40 ms delayed ACK of a lone segment beats the timer)
    // (the first sample's RTTVAR, 90, falls to the floor's 50 a quarter of the way each round trip)
    let w = Rtt.sample(Rtt.initial(P), 180, P)
    for (let i = 0; i < 100; i++) w = Rtt.sample(w, 180, P)
    expect(w.rto).toBeCloseTo(380, 6)
    const noFloor = { ...P, minRto: 0 }
    let f = Rtt.sample(Rtt.initial(noFloor), 10, noFloor)
    for (let i = 0; i < 200; i++) f = Rtt.sample(f, 10, noFloor)
    expect(f.rto).toBeCloseTo(10 + 1, 6) // SRTT + G once RTTVAR has decayed below G/4
  })

  it("doubles on each expiry up to the ceiling, and a new measurement starts afresh (§5.5, §5.7)", () => {
    let e = Rtt.sample(Rtt.initial(P), 100, P)
    e = Rtt.backoff(e, P)
    expect(e.rto).toBe(600)
    e = Rtt.backoff(e, P)
    expect(e.rto).toBe(1200)
    expect(e.backoffs).toBe(2)
    for (let i = 0; i < 20; i++) e = Rtt.backoff(e, P)
    expect(e.rto).toBe(120_000)
    e = Rtt.sample(e, 100, P)
    expect(e.backoffs).toBe(0)
    expect(e.rto).toBeLessThan(1000)
  })
})

// Linux's tcp_model_timeout (net/ipv4/tcp_timer.c, 6.18): how long `boundary` retransmissions take,
// backed off from `rto_base`, doubling until the cap and then at the cap: (2^(b+1) - 1) × base below
// ilog2(max / base), and each retransmission past it the cap
describe("Rtt.modelTimeout (Linux's tcp_model_timeout)", () => {
  it("tcp_retries2 15 from TCP_RTO_MIN with TCP_RTO_MAX: 924.6 s (ip-sysctl's figure)", () => {
    expect(Rtt.modelTimeout(15, 200, 120_000)).toBe(924_600)
  })
  it("below the cap, the sum of the doubled RTOs: 3 from 200 is 200 + 400 + 800 + 1600", () => {
    expect(Rtt.modelTimeout(3, 200, 120_000)).toBe(3000)
    expect(Rtt.modelTimeout(0, 200, 120_000)).toBe(200)
    // ilog2(600) = 9: the ninth still doubles (1023 × 200), the tenth is the cap
    expect(Rtt.modelTimeout(9, 200, 120_000)).toBe(204_600)
    expect(Rtt.modelTimeout(10, 200, 120_000)).toBe(324_600)
  })
  it("tcp_syn_retries 6 from TCP_TIMEOUT_INIT: 127 s (ip-sysctl's figure)", () => {
    expect(Rtt.modelTimeout(6, 1000, 120_000)).toBe(127_000)
  })
  it("a lower cap (tcp_rto_max_ms): ilog2 of the integer ratio, then the cap per retransmission", () => {
    // ilog2(1000 / 300) = ilog2(3) = 1: 300 + 600, then 1000 each
    expect(Rtt.modelTimeout(4, 300, 1000)).toBe(900 + 3 * 1000)
    // a base at the cap: the base, then the cap each
    expect(Rtt.modelTimeout(2, 1000, 1000)).toBe(3000)
  })
})

// Linux's tcp_rtt_estimator (net/ipv4/tcp_input.c, 6.18): RTTVAR, the RTO's variation term, takes the
// round trip's largest mean deviation (mdev_max) at once, and falls a quarter of the way to it only
// when SND.UNA passes rtt_seq, the SND.NXT of the round's start; a sample below SRTT raises mdev by
// 1/32 of its excess only
describe("Rtt's variation over a round trip (Linux's tcp_rtt_estimator)", () => {
  const seq = (n: number) => n as Seq.SeqNum
  it("holds RTTVAR through a round trip's samples and lowers it a quarter of the way at the round's end", () => {
    // first sample 100 at SND.NXT 10: RTTVAR 50, the round ends past 10
    let e = Rtt.sample(Rtt.initial(P), 100, P, seq(1), seq(10))
    // 300: mdev 50 + (200 - 50) / 4 = 87.5, RTTVAR at once 87.5; SND.UNA 2: the same round
    e = Rtt.sample(e, 300, P, seq(2), seq(11))
    expect([e.mdev, e.rttvar]).toEqual([87.5, 87.5])
    // samples at SRTT's level within the round: mdev falls, RTTVAR holds
    for (let u = 3; u <= 10; u++) e = Rtt.sample(e, e.srtt!, P, seq(u), seq(u + 9))
    expect(e.mdev).toBeLessThan(10)
    expect(e.rttvar).toBe(87.5)
    // SND.UNA 11 passes 10: RTTVAR falls a quarter of the way to the round's largest mdev (87.5): stays
    e = Rtt.sample(e, e.srtt!, P, seq(11), seq(20))
    expect(e.rttvar).toBe(87.5)
    // the next round's largest is the floor's 50: RTTVAR 87.5 - (87.5 - 50) / 4
    for (let u = 12; u <= 21; u++) e = Rtt.sample(e, e.srtt!, P, seq(u), seq(u + 9))
    expect(e.rttvar).toBeCloseTo(87.5 - 37.5 / 4, 9)
  })

  it("a sample below SRTT raises mdev by 1/32 of what exceeds it (Linux's Eifel damping)", () => {
    let e = Rtt.sample(Rtt.initial(P), 100, P) // mdev 50
    e = Rtt.sample(e, 0, P) // |err| 100: mdev 50 + 50 / 32
    expect(e.mdev).toBe(50 + 50 / 32)
    expect(e.srtt).toBe(87.5)
  })
})
