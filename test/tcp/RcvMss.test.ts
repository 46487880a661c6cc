/**
 * The receiver's guess of the peer's segment size (src/tcp/RcvMss.ts; Linux's
 * tcp_initialize_rcv_mss and tcp_measure_rcv_mss).
 */
import { describe, expect, it } from "vitest"
import * as RcvMss from "../../src/tcp/RcvMss.js"
import { ACK, PSH } from "../../src/tcp/Segment.js"

const ADV = 1460

/** A guess started as a connection with a large window starts it (536). */
const fresh = () => {
  const m = RcvMss.make()
  m.mss = RcvMss.initial(ADV, ADV, 65535)
  return m
}

describe("the first guess (tcp_initialize_rcv_mss)", () => {
  it("is 536, RFC 9293's default, unless the MSS either side uses or half the window is less", () => {
    expect(RcvMss.initial(1460, 1460, 65535)).toBe(536)
    expect(RcvMss.initial(1460, 400, 65535)).toBe(400)
    expect(RcvMss.initial(300, 1460, 65535)).toBe(300)
    expect(RcvMss.initial(1460, 1460, 600)).toBe(300)
  })
  it("is never below 88 (Linux's TCP_MIN_MSS)", () => {
    expect(RcvMss.initial(1460, 1460, 100)).toBe(88)
  })
})

describe("measuring in-order data (tcp_measure_rcv_mss)", () => {
  it("a segment at least as long raises it to its length, at most the MSS we announced (an aggregate measured by its length, no segment size given, counts as one of ours)", () => {
    const m = fresh()
    RcvMss.measure(m, 1000, 0, 0, ACK, ADV)
    expect(m.mss).toBe(1000)
    RcvMss.measure(m, 64000, 0, 0, ACK, ADV)
    expect(m.mss).toBe(ADV)
  })
  it("a shorter one lowers it only when the next has the same length", () => {
    const m = fresh()
    RcvMss.measure(m, 200, 0, 0, ACK, ADV)
    expect(m.mss).toBe(536)
    RcvMss.measure(m, 300, 0, 0, ACK, ADV)
    expect(m.mss).toBe(536)
    RcvMss.measure(m, 300, 0, 0, ACK, ADV)
    expect(m.mss).toBe(300)
  })
  it("but not when they say PSH, FIN, URG or SYN and are under 536 octets with their header: the end of a write is no measure", () => {
    const m = fresh()
    RcvMss.measure(m, 200, 0, 0, ACK | PSH, ADV)
    RcvMss.measure(m, 200, 0, 0, ACK | PSH, ADV)
    expect(m.mss).toBe(536)
    // (536 octets or more with its header, it counts, pushed or not: 540 + 20)
    const n = RcvMss.make()
    n.mss = 1000
    RcvMss.measure(n, 540, 0, 0, ACK | PSH, ADV)
    RcvMss.measure(n, 540, 0, 0, ACK | PSH, ADV)
    expect(n.mss).toBe(540)
  })
  it("nor when under 88 octets with their header", () => {
    const m = fresh()
    RcvMss.measure(m, 60, 0, 0, ACK, ADV)
    RcvMss.measure(m, 60, 0, 0, ACK, ADV)
    expect(m.mss).toBe(536)
  })
  it("SACK blocks on the peer's data count towards the length, the timestamps do not: a block that comes and goes makes two lengths", () => {
    const m = fresh()
    // 300 octets with timestamps (12) on both, a SACK block (12) on the first
    RcvMss.measure(m, 300, 24, 12, ACK, ADV)
    RcvMss.measure(m, 300, 12, 12, ACK, ADV)
    expect(m.mss).toBe(536)
    RcvMss.measure(m, 300, 12, 12, ACK, ADV)
    expect(m.mss).toBe(300)
  })
})

describe("a segment that likely ends a write (ICSK_ACK_PUSHED: the read that empties the buffer ACKs it)", () => {
  it("one shorter than the guess that leaves it where it is, pushed or not", () => {
    const m = fresh()
    expect(RcvMss.measure(m, 200, 0, 0, ACK, ADV)).toBe(true)
    expect(RcvMss.measure(m, 300, 0, 0, ACK | PSH, ADV)).toBe(true)
  })
  it("not one that lowers the guess, nor one as long unpushed; one as long and pushed, yes", () => {
    const m = fresh()
    RcvMss.measure(m, 300, 0, 0, ACK, ADV)
    expect(RcvMss.measure(m, 300, 0, 0, ACK, ADV)).toBe(false)
    expect(RcvMss.measure(m, 1000, 0, 0, ACK, ADV)).toBe(false)
    expect(RcvMss.measure(m, 1000, 0, 0, ACK | PSH, ADV)).toBe(true)
  })
})
