/**
 * RFC 6298's estimator, with the exact values each step must give.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Rtt from "../../src/tcp/Rtt.js"

const P = Rtt.defaults

describe("Rtt (RFC 6298)", () => {
  it("starts at the initial RTO (§2.1)", () => {
    expect(Rtt.initial(P)).toEqual({ srtt: undefined, rttvar: 0, rto: 1000, backoffs: 0 })
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
    let w = Rtt.sample(Rtt.initial(P), 180, P)
    for (let i = 0; i < 50; i++) w = Rtt.sample(w, 180, P)
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
