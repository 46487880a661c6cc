/**
 * The index of local ports (PortIndex.ts): counts by kind and by local
 * address, lookups as Linux's bind conflict check makes them, and no record
 * left once the last holder of a port goes.
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
    expect(index.size).toBe(2)
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
    expect(index.size).toBe(1)
    P.remove(index, 50_000, OTHER_LOOPBACK, false)
    expect(index.size).toBe(0)
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
