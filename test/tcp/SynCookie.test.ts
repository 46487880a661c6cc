/**
 * SYN cookies (SynCookie.ts): a cookie checks for its own 4-tuple and peer
 * ISN within two time steps and names the MSS; anything else fails; the
 * options carried in the timestamp come back.
 */
import { describe, expect, it } from "@effect/vitest"
import * as fc from "effect/FastCheck"
import * as Sip from "../../src/internal/SipHash.js"
import type { FourTuple } from "../../src/tcp/Negotiation.js"
import * as Seq from "../../src/tcp/SeqNum.js"
import * as SynCookie from "../../src/tcp/SynCookie.js"

const KEY = Sip.keyOf(new Uint8Array(16).map((_, i) => i * 7 + 1))
const OTHER_KEY = Sip.keyOf(new Uint8Array(16).map((_, i) => i * 5 + 3))
const T: FourTuple = { localAddr: 0xc6120002, localPort: 80, remoteAddr: 0xc612000a, remotePort: 40000 }
const ISN = Seq.make(0x12345678)
const STEP = SynCookie.STEP_MS

describe("SYN cookies", () => {
  it("a cookie checks for its 4-tuple and peer ISN in its own time step and the next, and names the MSS", () => {
    const now = 10 * STEP + 1234
    const cookie = SynCookie.make(KEY, T, ISN, 1460, now)
    expect(SynCookie.check(KEY, T, ISN, cookie, now)).toEqual({ mss: 1460 })
    expect(SynCookie.check(KEY, T, ISN, cookie, 11 * STEP + STEP - 1)).toEqual({ mss: 1460 })
    // two steps later it is stale
    expect(SynCookie.check(KEY, T, ISN, cookie, 12 * STEP)).toBeUndefined()
    // 32 steps later the 5-bit stamp matches again, but the MAC covers the full step
    expect(SynCookie.check(KEY, T, ISN, cookie, 42 * STEP + 5)).toBeUndefined()
  })

  it("another 4-tuple, peer ISN or key fails", () => {
    const now = 3 * STEP
    const cookie = SynCookie.make(KEY, T, ISN, 1460, now)
    expect(SynCookie.check(KEY, { ...T, remotePort: 40001 }, ISN, cookie, now)).toBeUndefined()
    expect(SynCookie.check(KEY, { ...T, remoteAddr: 0xc612000b }, ISN, cookie, now)).toBeUndefined()
    expect(SynCookie.check(KEY, { ...T, localPort: 81 }, ISN, cookie, now)).toBeUndefined()
    expect(SynCookie.check(KEY, T, Seq.add(ISN, 1), cookie, now)).toBeUndefined()
    expect(SynCookie.check(OTHER_KEY, T, ISN, cookie, now)).toBeUndefined()
  })

  it("the MSS is the largest table entry not above the peer's (536 when it said nothing)", () => {
    expect([undefined, 100, 536, 1199, 1200, 1459, 1460, 9000, 65535].map(SynCookie.mssIndex).map((i) => SynCookie.MSS_TABLE[i]))
      .toEqual([536, 536, 536, 536, 1200, 1440, 1460, 8960, 8960])
    const now = 5 * STEP
    for (const mss of [536, 1200, 1300, 1380, 1400, 1440, 1460, 8960]) {
      expect(SynCookie.check(KEY, T, ISN, SynCookie.make(KEY, T, ISN, mss, now), now)).toEqual({ mss })
    }
  })

  it("property: any 4-tuple, ISN, MSS and time round-trips; a cookie with any bit flipped fails", () => {
    fc.assert(fc.property(
      fc.record({
        localAddr: fc.integer({ min: 0, max: 0xffffffff }),
        localPort: fc.integer({ min: 1, max: 65535 }),
        remoteAddr: fc.integer({ min: 0, max: 0xffffffff }),
        remotePort: fc.integer({ min: 1, max: 65535 })
      }),
      fc.integer({ min: 0, max: 0xffffffff }),
      fc.integer({ min: 0, max: 65535 }),
      fc.integer({ min: 0, max: 2 ** 40 }),
      fc.integer({ min: 0, max: STEP - 1 }),
      fc.integer({ min: 0, max: 31 }),
      (t, isn, mss, now, later, bit) => {
        const cookie = SynCookie.make(KEY, t, Seq.make(isn), mss, now)
        const back = SynCookie.check(KEY, t, Seq.make(isn), cookie, now + later)
        expect(back).toEqual({ mss: SynCookie.MSS_TABLE[SynCookie.mssIndex(mss)] })
        // a flipped stamp bit may land on the previous step's stamp, which the MAC then refuses
        expect(SynCookie.check(KEY, t, Seq.make(isn), Seq.make(cookie ^ (1 << bit)), now + later)).toBeUndefined()
      }
    ))
  })

  it("the timestamp carries the window shift and SACK, and never runs ahead of the clock", () => {
    fc.assert(fc.property(
      fc.integer({ min: 64, max: 0xffffffff }),
      fc.option(fc.integer({ min: 0, max: 14 }), { nil: undefined }),
      fc.boolean(),
      (clock, windowShift, sackOk) => {
        const v = SynCookie.tsvalFor(clock, { windowShift, sackOk })
        expect(v).toBeLessThanOrEqual(clock)
        expect(clock - v).toBeLessThan(64)
        expect(SynCookie.offeredOf(v)).toEqual({ windowShift, sackOk })
      }
    ))
  })
})
