/**
 * ICMP error buckets per host (HostLimiter.ts): a new host starts with a
 * full burst, refills at its rate, and the table keeps at most `capacity`
 * hosts, dropping the one limited longest ago.
 */
import { describe, expect, it } from "@effect/vitest"
import * as HostLimiter from "../../src/ipv4/HostLimiter.js"

const takeAll = (l: HostLimiter.HostLimiter, host: number, now: number, n: number): number => {
  let allowed = 0
  for (let i = 0; i < n; i++) if (HostLimiter.allow(l, host, now, 1, 6)) allowed++
  return allowed
}

describe("ICMP error buckets per host", () => {
  it("gives a new host its burst, then one per interval; hosts do not share", () => {
    const l = HostLimiter.make(16)
    expect(takeAll(l, 1, 0, 10)).toBe(6)
    expect(takeAll(l, 2, 0, 10)).toBe(6)
    expect(takeAll(l, 1, 999, 3)).toBe(0)
    expect(takeAll(l, 1, 1000, 3)).toBe(1)
    // a long silence refills to the burst, not beyond
    expect(takeAll(l, 2, 60_000, 10)).toBe(6)
  })

  it("keeps at most `capacity` hosts, forgetting the one used longest ago", () => {
    const l = HostLimiter.make(3)
    for (const host of [1, 2, 3]) expect(takeAll(l, host, 0, 6)).toBe(6)
    // host 1 used again (refused, which changes nothing, then allowed a second later): 2 is now the oldest
    expect(takeAll(l, 1, 1000, 1)).toBe(1)
    expect(takeAll(l, 4, 1000, 1)).toBe(1)
    expect(HostLimiter.hosts(l)).toEqual([3, 1, 4])
    // host 2 was forgotten: it starts again with a full burst
    expect(takeAll(l, 2, 1000, 10)).toBe(6)
    expect(HostLimiter.hosts(l)).toEqual([1, 4, 2])
    expect(l.entries.size).toBe(3)
    expect(l.entries.has(3)).toBe(false)
    // the oldest used again, then the newest: the order follows, and a use never re-adds a key to
    // the Map (its order is the order hosts came in: why, HostLimiter.ts)
    expect(takeAll(l, 1, 5000, 1)).toBe(1)
    expect(takeAll(l, 1, 6000, 1)).toBe(1)
    expect(takeAll(l, 4, 7000, 1)).toBe(1)
    expect(HostLimiter.hosts(l)).toEqual([2, 1, 4])
    expect([...l.entries.keys()]).toEqual([1, 4, 2])
    expect(takeAll(l, 5, 7000, 1)).toBe(1)
    expect(HostLimiter.hosts(l)).toEqual([1, 4, 5])
  })
})
