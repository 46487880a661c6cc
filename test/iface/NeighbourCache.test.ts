/**
 * The neighbour cache's rules as plain functions (RFC 826 merge, Linux's
 * reachability states), every step at an explicit time in ms.
 */
import { describe, expect, it } from "@effect/vitest"
import * as N from "../../src/iface/NeighbourCache.js"

const P: N.Params = { reachableMs: 30_000, delayMs: 5_000, retransMs: 1_000, broadcastProbes: 3, unicastProbes: 3 }
const MAC_1 = new Uint8Array([2, 0, 0, 0, 0, 1])
const MAC_2 = new Uint8Array([2, 0, 0, 0, 0, 2])

describe("NeighbourCache (pure)", () => {
  it("an Incomplete entry holds frames, broadcasts every retransMs, and fails after broadcastProbes", () => {
    const e = N.incomplete(7, 1000) // the first request went out at 1000
    expect(N.use(e, 1000, P)).toBeUndefined()
    expect(N.deadline(e, P)).toBe(2000)
    expect(N.onTimer(e, 2000, P)).toBe("Broadcast")
    expect(N.deadline(e, P)).toBe(3000)
    expect(N.onTimer(e, 3000, P)).toBe("Broadcast")
    expect(N.onTimer(e, 4000, P)).toBe("Fail")
  })

  it("a solicited reply makes it Reachable; a request or unsolicited reply only Stale", () => {
    const a = N.incomplete(7, 0)
    expect(N.learn(a, MAC_1, true, 500)).toBe("Resolved") // left Incomplete
    expect(a.state).toBe("Reachable")
    const b = N.incomplete(8, 0)
    expect(N.learn(b, MAC_1, false, 500)).toBe("Resolved")
    expect(b.state).toBe("Stale")
    // The same MAC again, unsolicited: a Reachable entry stays Reachable.
    expect(N.learn(a, MAC_1, false, 600)).toBe("None")
    expect(a.state).toBe("Reachable")
  })

  it("a different MAC for a held entry is not believed: the held MAC is probed, and only its silence lets a new one in", () => {
    // a forged reply, unicast to us as if we had asked (the hostile-traffic test's spoofed ARP replies)
    const a = N.incomplete(7, 0)
    N.learn(a, MAC_1, true, 500)
    expect(N.learn(a, MAC_2, true, 700)).toBe("Verify") // the shell sends a unicast probe to MAC_1 now
    expect(Array.from(a.mac!)).toEqual(Array.from(MAC_1))
    expect(a.state).toBe("Probe")
    expect(N.use(a, 800, P)).toBe(MAC_1) // still usable, at the held MAC
    expect(N.deadline(a, P)).toBe(1700)
    // more forgeries while probing change nothing and ask for no more probes
    expect(N.learn(a, MAC_2, false, 900)).toBe("Refused")
    expect(Array.from(a.mac!)).toEqual(Array.from(MAC_1))
    // the real neighbour answers the probe: Reachable at the held MAC
    expect(N.learn(a, MAC_1, true, 1000)).toBe("None")
    expect(a.state).toBe("Reachable")
    // a neighbour that really moved: the held MAC stays silent, the entry fails and is resolved afresh
    const b = N.incomplete(8, 0)
    N.learn(b, MAC_1, false, 0) // Stale
    expect(N.learn(b, MAC_2, false, 100)).toBe("Verify")
    expect(N.onTimer(b, 1100, P)).toBe("Unicast")
    expect(N.onTimer(b, 2100, P)).toBe("Unicast")
    expect(N.onTimer(b, 3100, P)).toBe("Fail")
  })

  it("Reachable until reachableMs after the confirmation, then used as Delay with a timer", () => {
    const e = N.incomplete(7, 0)
    N.learn(e, MAC_1, true, 1000)
    expect(N.use(e, 30_999, P)).toBe(MAC_1)
    expect(N.deadline(e, P)).toBeUndefined()
    expect(N.needsTimer(e, P)).toBe(false)
    expect(N.use(e, 31_000, P)).toBe(MAC_1)
    expect(e.state).toBe("Delay")
    expect(N.deadline(e, P)).toBe(36_000)
    expect(N.needsTimer(e, P)).toBe(true)
    e.timer = true // the shell armed it
    expect(N.use(e, 32_000, P)).toBe(MAC_1)
    expect(N.needsTimer(e, P)).toBe(false)
  })

  it("Delay without confirmation probes by unicast, usable meanwhile, and fails after unicastProbes", () => {
    const e = N.incomplete(7, 0)
    N.learn(e, MAC_1, false, 0) // Stale
    N.use(e, 10_000, P)
    expect(N.onTimer(e, 15_000, P)).toBe("Unicast")
    expect(e.state).toBe("Probe")
    expect(N.use(e, 15_500, P)).toBe(MAC_1)
    expect(N.deadline(e, P)).toBe(16_000)
    expect(N.onTimer(e, 16_000, P)).toBe("Unicast")
    expect(N.onTimer(e, 17_000, P)).toBe("Unicast")
    expect(N.onTimer(e, 18_000, P)).toBe("Fail")
  })

  it("a confirmation while delaying or probing makes the entry Reachable and stops the probes", () => {
    const e = N.incomplete(7, 0)
    N.learn(e, MAC_1, false, 0)
    N.use(e, 10_000, P)
    N.confirm(e, 12_000)
    expect(e.state).toBe("Reachable")
    expect(N.onTimer(e, 15_000, P)).toBe("None")
    expect(N.deadline(e, P)).toBeUndefined()
    // Probing: confirmed after the first unicast probe.
    const f = N.incomplete(8, 0)
    N.learn(f, MAC_1, false, 0)
    N.use(f, 10_000, P)
    expect(N.onTimer(f, 15_000, P)).toBe("Unicast")
    N.confirm(f, 15_500)
    expect(f.state).toBe("Reachable")
    expect(N.deadline(f, P)).toBeUndefined()
    expect(N.onTimer(f, 16_000, P)).toBe("None")
  })

  it("a full cache evicts the oldest idle settled entry, and refuses when every entry is in use", () => {
    const cache: N.Cache = new Map()
    const settled = (ip: number, at: number) => {
      const e = N.incomplete(ip, at)
      N.learn(e, MAC_1, false, at) // Stale
      return e
    }
    const [a, b, c] = [settled(1, 0), settled(2, 0), settled(3, 0)]
    expect(N.add(cache, a, 2, 0, 5000)).toEqual({ added: true, evicted: undefined })
    expect(N.add(cache, b, 2, 0, 5000)).toEqual({ added: true, evicted: undefined })
    // At 4000 both were "used" at 0 but not idle for 5 s yet: refused.
    expect(N.add(cache, c, 2, 4000, 5000)).toEqual({ added: false, evicted: undefined })
    expect([...cache.keys()]).toEqual([1, 2])
    // a is in use (a frame sent through it at 4000); at 6000 only b is idle.
    N.use(a, 4000, P)
    expect(N.add(cache, c, 2, 6000, 5000)).toEqual({ added: true, evicted: b })
    expect(b.removed).toBe(true)
    expect([...cache.keys()]).toEqual([1, 3])
    // An entry being resolved is never evicted, however old.
    const d = N.incomplete(4, 0)
    const small: N.Cache = new Map()
    N.add(small, d, 1, 0, 5000)
    expect(N.add(small, settled(5, 0), 1, 100_000, 5000).added).toBe(false)
    N.remove(small, d)
    expect(d.removed).toBe(true)
    expect(small.size).toBe(0)
  })

  it("an unsolicited packet with the MAC held does not restore probes (a neighbour that ignores probes still fails)", () => {
    const e = N.incomplete(7, 0)
    N.learn(e, MAC_1, false, 0)
    N.use(e, 10, P)
    expect(N.onTimer(e, 5010, P)).toBe("Unicast")
    expect(N.onTimer(e, 6010, P)).toBe("Unicast")
    N.learn(e, MAC_1, false, 6500) // its broadcast, same MAC
    expect(N.onTimer(e, 7010, P)).toBe("Unicast")
    expect(N.onTimer(e, 8010, P)).toBe("Fail")
  })
})
