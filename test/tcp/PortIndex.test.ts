/**
 * The index of local ports (PortIndex.ts): counts by kind and by local
 * address, lookups as Linux's bind conflict check makes them, and no port
 * held once the last holder of it goes; emptied records kept until they
 * outnumber the held ones (why: PortIndex.ts), every lookup the same as with
 * none kept.
 */
import { describe, expect, it } from "@effect/vitest"
import * as P from "../../src/tcp/PortIndex.js"
import * as Addr from "../../src/wire/Ipv4Addr.js"

const OURS = Addr.parse("198.18.0.3")!
const LOOPBACK = Addr.parse("127.0.0.1")!
const OTHER_LOOPBACK = Addr.parse("127.0.0.5")!

describe("the port index", () => {
  it("an ephemeral connect's holders meet a bind of their address or the wildcard, a bound socket's meet none", () => {
    const index = P.make()
    P.add(index, 40_000, OURS, true)
    P.add(index, 40_001, OURS, false)
    expect(P.heldByEphemeral(index, 40_000, Addr.ANY)).toBe(true)
    expect(P.heldByEphemeral(index, 40_000, OURS)).toBe(true)
    expect(P.heldByEphemeral(index, 40_000, LOOPBACK)).toBe(false)
    expect(P.heldByEphemeral(index, 40_001, Addr.ANY)).toBe(false)
    expect(P.heldByEphemeral(index, 40_002, Addr.ANY)).toBe(false)
    // a bind of port 0 passes over both
    expect([40_000, 40_001, 40_002].map((p) => P.held(index, p))).toEqual([true, true, false])
    expect(P.size(index)).toBe(2)
  })

  it("counts holders from several addresses on one port, down to none, and then has no record of it", () => {
    const index = P.make()
    // two from ours (a connection and a TIME-WAIT), one from the loopback, a bound one
    P.add(index, 50_000, OURS, true)
    P.add(index, 50_000, OURS, true)
    P.add(index, 50_000, LOOPBACK, true)
    P.add(index, 50_000, OTHER_LOOPBACK, false)
    expect([OURS, LOOPBACK, OTHER_LOOPBACK].map((a) => P.heldByEphemeral(index, 50_000, a))).toEqual([true, true, false])
    P.remove(index, 50_000, OURS, true)
    expect(P.heldByEphemeral(index, 50_000, OURS)).toBe(true)
    P.remove(index, 50_000, OURS, true)
    expect([OURS, LOOPBACK].map((a) => P.heldByEphemeral(index, 50_000, a))).toEqual([false, true])
    P.remove(index, 50_000, LOOPBACK, true)
    expect(P.heldByEphemeral(index, 50_000, Addr.ANY)).toBe(false)
    expect(P.size(index)).toBe(1)
    P.remove(index, 50_000, OTHER_LOOPBACK, false)
    expect(P.size(index)).toBe(0)
    // and from another address once more: the record starts afresh
    P.add(index, 50_000, LOOPBACK, true)
    expect([OURS, LOOPBACK].map((a) => P.heldByEphemeral(index, 50_000, a))).toEqual([false, true])
  })

  it("an ephemeral connect passes over a port any bound socket holds, whichever kind came first, and shares one only ephemeral connects hold (Linux 6.18's __inet_hash_connect)", () => {
    const index = P.make()
    P.add(index, 40_000, OURS, false)
    P.add(index, 40_001, OURS, true)
    expect([P.heldByBound(index, 40_000), P.heldByBound(index, 40_001), P.heldByBound(index, 40_002)]).toEqual([true, false, false])
    // a bound socket from another address joins the ephemeral connect's port: passed over while it stays
    P.add(index, 40_001, LOOPBACK, false)
    expect(P.heldByBound(index, 40_001)).toBe(true)
    P.remove(index, 40_001, LOOPBACK, false)
    expect(P.heldByBound(index, 40_001)).toBe(false)
    // and a port bind took first is shared once only ephemeral holders are left
    P.add(index, 40_000, LOOPBACK, true)
    P.remove(index, 40_000, OURS, false)
    expect(P.heldByBound(index, 40_000)).toBe(false)
  })

  it("a port emptied and taken again keeps its record (no fresh Map entry per connection); emptied records go at once when they outnumber the held ones", () => {
    const index = P.make()
    // 200 ports held (TIME-WAIT records), and a listener's port taken and left once per connection
    for (let p = 40_000; p < 40_200; p++) P.add(index, p, OURS, true)
    for (let i = 0; i < 1000; i++) {
      P.add(index, 80, OURS, false)
      P.remove(index, 80, OURS, false)
    }
    expect([P.size(index), index.ports.size, index.idle, P.held(index, 80)]).toEqual([200, 201, 1, false])
    // 99 of the 200 go: 100 emptied against 101 held, all kept
    for (let p = 40_000; p < 40_099; p++) P.remove(index, p, OURS, true)
    expect([P.size(index), index.ports.size, index.idle]).toEqual([101, 201, 100])
    // one more: 101 emptied against 100 held, and the emptied go at once
    P.remove(index, 40_099, OURS, true)
    expect([P.size(index), index.ports.size, index.idle]).toEqual([100, 100, 0])
    expect([40_099, 40_100, 80].map((p) => P.held(index, p))).toEqual([false, true, false])
    // and a port swept is taken again from nothing
    P.add(index, 80, OURS, false)
    expect([P.size(index), index.ports.size, P.heldByBound(index, 80)]).toEqual([101, 101, true])
  })

  it("with emptied records kept and swept, every lookup answers as a plain count of holders (8000 random steps over 400 ports, fixed seed)", () => {
    const index = P.make()
    // the model: per port, holders as [address, ephemeral] pairs
    const model = new Map<number, Array<readonly [Addr.Ipv4Addr, boolean]>>()
    const addresses = [OURS, LOOPBACK, OTHER_LOOPBACK]
    let seed = 12345
    const rand = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0
      return (seed >>> 8) % n
    }
    const wrong: Array<string> = []
    let swept = 0
    let sizeBefore = 0
    for (let step = 0; step < 8000; step++) {
      const port = 1000 + rand(400)
      const list = model.get(port) ?? []
      // holders pile up over the first 3000 steps and drain after (so that emptied records come to
      // outnumber the held ones, and are swept)
      if (list.length > 0 && (step >= 3000 || rand(4) === 0)) {
        const [address, ephemeral] = list.splice(rand(list.length), 1)[0]!
        P.remove(index, port, address, ephemeral)
      } else if (step < 3000 || rand(8) === 0) {
        const holder = [addresses[rand(3)]!, rand(2) === 0] as const
        list.push(holder)
        P.add(index, port, holder[0], holder[1])
      }
      model.set(port, list)
      // the port touched at every step, every port at every 100th
      for (let p = step % 100 === 0 ? 1000 : port; p < (step % 100 === 0 ? 1400 : port + 1); p++) {
        const l = model.get(p) ?? []
        const want = [l.length > 0, l.some(([, e]) => !e), ...[Addr.ANY, ...addresses].map((a) => l.some(([x, e]) => e && (a === Addr.ANY || x === a)))]
        const got = [P.held(index, p), P.heldByBound(index, p), ...[Addr.ANY, ...addresses].map((a) => P.heldByEphemeral(index, p, a))]
        if (want.some((w, k) => w !== got[k])) wrong.push(`step ${step} port ${p}: ${got} where ${want}`)
      }
      if (P.size(index) !== [...model.values()].filter((l) => l.length > 0).length) wrong.push(`step ${step}: size ${P.size(index)}`)
      swept += index.ports.size < sizeBefore ? 1 : 0
      sizeBefore = index.ports.size
    }
    expect(wrong.slice(0, 5)).toEqual([])
    // the sweep ran, and the map never held much more than what is held
    expect(swept).toBeGreaterThan(0)
    expect(index.ports.size).toBeLessThan(2 * P.size(index) + 64 + 2)
  })

  it("a remove that no add matched is a bug, and says so", () => {
    const index = P.make()
    expect(() => P.remove(index, 1234, OURS, true)).toThrow(/no ephemeral holder of port 1234/)
    P.add(index, 1234, OURS, true)
    expect(() => P.remove(index, 1234, OURS, false)).toThrow(/no bound holder/)
    expect(() => P.remove(index, 1234, LOOPBACK, true)).toThrow(/from 127\.0\.0\.1/)
    P.add(index, 1234, LOOPBACK, true)
    expect(() => P.remove(index, 1234, OTHER_LOOPBACK, true)).toThrow(/from 127\.0\.0\.5/)
  })
})
