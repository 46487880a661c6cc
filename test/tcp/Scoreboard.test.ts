/**
 * The SACK scoreboard (RFC 6675): merging blocks, clipping to what was
 * sent, pruning by the cumulative ACK, IsLost, NextSeg's holes and pipe,
 * with sequence numbers that wrap at 2^32.
 */
import { describe, expect, it } from "vitest"
import * as Scoreboard from "../../src/tcp/Scoreboard.js"
import * as Seq from "../../src/tcp/SeqNum.js"

/** Relative to a base just below 2^32, so the ranges cross the wrap. */
const BASE = Seq.make(0xffffff00)
const at = (n: number) => Seq.add(BASE, n)
const rel = (b: Scoreboard.Scoreboard) => b.ranges.map((r) => [Seq.sub(r.left, BASE), Seq.sub(r.right, BASE)])
const block = (l: number, r: number) => ({ left: at(l), right: at(r) })

describe("Scoreboard", () => {
  it("merges overlapping and touching blocks, across 2^32, and counts SACKed octets", () => {
    const b = Scoreboard.make()
    Scoreboard.update(b, [block(1000, 2000)], at(0), at(10_000))
    Scoreboard.update(b, [block(3000, 4000), block(2000, 2500)], at(0), at(10_000))
    expect(rel(b)).toEqual([[1000, 2500], [3000, 4000]])
    expect(b.sacked).toBe(2500)
    Scoreboard.update(b, [block(2400, 3100)], at(0), at(10_000))
    expect(rel(b)).toEqual([[1000, 4000]])
    expect(b.sacked).toBe(3000)
  })

  it("ignores what lies outside (SND.UNA, SND.MAX]: old or never sent (RFC 2018 §5)", () => {
    const b = Scoreboard.make()
    Scoreboard.update(b, [block(-500, 100), block(9000, 12_000), block(20_000, 21_000)], at(0), at(10_000))
    expect(rel(b)).toEqual([[0, 100], [9000, 10_000]])
  })

  it("prunes what the cumulative ACK passed, trimming a range it cuts", () => {
    const b = Scoreboard.make()
    Scoreboard.update(b, [block(1000, 2000), block(3000, 4000)], at(0), at(10_000))
    Scoreboard.prune(b, at(3500))
    expect(rel(b)).toEqual([[3500, 4000]])
    expect(b.sacked).toBe(500)
  })

  it("IsLost: more than 2 × SMSS SACKed above (DupThresh 3)", () => {
    const b = Scoreboard.make()
    Scoreboard.update(b, [block(1000, 3000)], at(0), at(10_000))
    expect(Scoreboard.isLost(b, at(0), 1000)).toBe(false) // exactly 2 × SMSS
    Scoreboard.update(b, [block(5000, 5001)], at(0), at(10_000))
    expect(Scoreboard.isLost(b, at(0), 1000)).toBe(true)
    expect(Scoreboard.isLost(b, at(2500), 1000)).toBe(false)
  })

  it("NextSeg: holes below the highest SACK, from a point on; none above it", () => {
    const b = Scoreboard.make()
    Scoreboard.update(b, [block(1000, 2000), block(3000, 4000)], at(0), at(10_000))
    const rh = (h: { start: Seq.SeqNum; end: Seq.SeqNum } | undefined) =>
      h && [Seq.sub(h.start, BASE), Seq.sub(h.end, BASE)]
    expect(rh(Scoreboard.nextHole(b, at(0)))).toEqual([0, 1000])
    expect(rh(Scoreboard.nextHole(b, at(1500)))).toEqual([2000, 3000])
    expect(Scoreboard.nextHole(b, at(4000))).toBeUndefined()
  })

  it("pipe: retransmitted holes plus everything above the highest SACK", () => {
    const b = Scoreboard.make()
    expect(Scoreboard.pipe(b, at(0), at(10_000), at(0))).toBe(10_000)
    Scoreboard.update(b, [block(1000, 2000), block(3000, 4000)], at(0), at(10_000))
    // nothing retransmitted: only the 6000 octets above 4000
    expect(Scoreboard.pipe(b, at(0), at(10_000), at(0))).toBe(6000)
    // the first hole and half the second resent
    expect(Scoreboard.pipe(b, at(0), at(10_000), at(2500))).toBe(6000 + 1000 + 500)
  })

  it("skip: a resend after a timeout jumps over SACKed ranges", () => {
    const b = Scoreboard.make()
    Scoreboard.update(b, [block(1000, 2000)], at(0), at(10_000))
    expect(Seq.sub(Scoreboard.skip(b, at(500)), BASE)).toBe(500)
    expect(Seq.sub(Scoreboard.skip(b, at(1000)), BASE)).toBe(2000)
    expect(Seq.sub(Scoreboard.skip(b, at(1500)), BASE)).toBe(2000)
  })
})
