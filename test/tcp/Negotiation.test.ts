/**
 * Handshake settlements: MSS both ways (RFC 9293 §3.7.1, RFC 6691, Linux's
 * floor of 48), payload per segment with options and against the peer's
 * window, window scale (RFC 7323
 * §2.3), and ISNs (RFC 6528).
 */
import { describe, expect, it } from "@effect/vitest"
import * as Sip from "../../src/internal/SipHash.js"
import * as N from "../../src/tcp/Negotiation.js"
import * as Seq from "../../src/tcp/SeqNum.js"

const KEY = Sip.keyOf(new Uint8Array(16).fill(7))
const T: N.FourTuple = { localAddr: 0xc6120002, localPort: 80, remoteAddr: 0xc6120001, remotePort: 40000 }

describe("MSS", () => {
  it("announces the MTU less 40", () => {
    expect(N.announcedMss(1500)).toBe(1460)
    expect(N.announcedMss(9000)).toBe(8960)
    expect(N.announcedMss(65535)).toBe(65495)
  })
  it("sends with the peer's MSS, 536 when absent, capped by our MTU, floored at 48 (handshakes with MSS absent, 0, 1, 48, 9000)", () => {
    expect(N.sendMss(undefined, 1500)).toBe(536)
    expect(N.sendMss(0, 1500)).toBe(48)
    expect(N.sendMss(1, 1500)).toBe(48)
    expect(N.sendMss(48, 1500)).toBe(48)
    expect(N.sendMss(1460, 1500)).toBe(1460)
    expect(N.sendMss(9000, 1500)).toBe(1460)
    expect(N.sendMss(9000, 9000)).toBe(8960)
  })
  it("payload per segment leaves room for the options (12 octets of timestamps)", () => {
    expect(N.payloadPerSegment(1460, 12)).toBe(1448)
    expect(N.payloadPerSegment(1460, 0)).toBe(1460)
    expect(N.payloadPerSegment(48, 12)).toBe(36)
  })
  it("payload per segment: at most half the largest window offered, all of one up to 536, not below 68 less the header (Linux's tcp_bound_to_half_wnd)", () => {
    expect(N.boundToHalfWindow(1460, 64240, 20)).toBe(1460)
    expect(N.boundToHalfWindow(1460, 2920, 20)).toBe(1460)
    expect(N.boundToHalfWindow(1460, 2000, 20)).toBe(1000)
    expect(N.boundToHalfWindow(1448, 2001, 32)).toBe(1000)
    expect(N.boundToHalfWindow(1460, 537, 20)).toBe(268)
    expect(N.boundToHalfWindow(1460, 536, 20)).toBe(536)
    expect(N.boundToHalfWindow(1460, 10, 20)).toBe(48)
    expect(N.boundToHalfWindow(1448, 10, 32)).toBe(36)
    // no window heard yet
    expect(N.boundToHalfWindow(1460, 0, 20)).toBe(1460)
  })
})

describe("window scale (RFC 7323 §2.3)", () => {
  it("is the smallest shift that fits the buffer in 16 bits, at most 14", () => {
    expect(N.windowShiftFor(65535)).toBe(0)
    expect(N.windowShiftFor(65536)).toBe(1)
    expect(N.windowShiftFor(128 * 1024 - 1)).toBe(1) // 131071 >> 1 = 65535 fits
    expect(N.windowShiftFor(128 * 1024)).toBe(2) // 131072 >> 1 = 65536 does not fit
    expect(N.windowShiftFor(4 * 1024 * 1024)).toBe(7)
    expect(N.windowShiftFor(2 ** 31)).toBe(14)
    expect(N.windowShiftFor(2 ** 32)).toBe(14) // not wrapped to 0 by 32-bit arithmetic
    expect(N.windowShiftFor(2 ** 40)).toBe(14)
  })

  it("is the shift of the smallest power of two that brings the buffer below 65536 (every power-of-two boundary, either side)", () => {
    // the rule as a division by 2^shift, which the function computes by halving
    const byDivision = (b: number): number => {
      let shift = 0
      while (shift < 14 && b / 2 ** shift >= 65536) shift++
      return shift
    }
    const sizes = [0, 1, 1000, 87380, 212992, 6 * 1024 * 1024, Number.MAX_SAFE_INTEGER]
    for (let k = 10; k <= 50; k++) sizes.push(2 ** k - 1, 2 ** k, 2 ** k + 1, 3 * 2 ** k)
    for (const b of sizes) expect([b, N.windowShiftFor(b)]).toEqual([b, byDivision(b)])
  })
})

describe("window unit (RFC 7323 §2.3)", () => {
  it("is 2^shift for every shift, the table's 0..14 and any other", () => {
    for (const shift of [0, 1, 7, 13, 14, 15, 20, 30, 31, 32, 40, -1, 0.5, 1.5]) {
      expect([shift, N.windowUnit(shift)]).toEqual([shift, 2 ** shift])
    }
  })
})

describe("ISN (RFC 6528)", () => {
  it("grows with time on one 4-tuple: 250 per ms (a 4 µs clock)", () => {
    const a = N.isn(KEY, T, 1000)
    const b = N.isn(KEY, T, 1001)
    expect(Seq.sub(b, a)).toBe(250)
    expect(Seq.sub(N.isn(KEY, T, 5000), a)).toBe(1_000_000)
  })
  it("differs across 4-tuples and keys at the same time", () => {
    const base = N.isn(KEY, T, 0)
    expect(N.isn(KEY, { ...T, localAddr: 0xc6120004 }, 0)).not.toBe(base)
    expect(N.isn(KEY, { ...T, localPort: 81 }, 0)).not.toBe(base)
    expect(N.isn(KEY, { ...T, remoteAddr: 0xc6120003 }, 0)).not.toBe(base)
    expect(N.isn(KEY, { ...T, remotePort: 40001 }, 0)).not.toBe(base)
    // the fields are not interchangeable: swapping the two ends is another 4-tuple
    const swapped = { localAddr: T.remoteAddr, localPort: T.remotePort, remoteAddr: T.localAddr, remotePort: T.localPort }
    expect(N.isn(KEY, swapped, 0)).not.toBe(base)
    expect(N.isn(Sip.keyOf(new Uint8Array(16).fill(8)), T, 0)).not.toBe(base)
    // and is the same function of its inputs
    expect(N.isn(KEY, T, 0)).toBe(base)
  })
})
