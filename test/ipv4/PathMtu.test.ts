/**
 * The path MTU per destination (PathMtu.ts), as Linux's route exceptions
 * (net/ipv4/route.c __ip_rt_update_pmtu, ipv4_mtu): a report lowers one
 * address's MTU, never below 552 (lower locks it there), for 10 minutes after
 * the last report that lowered it; the table holds a bounded number of
 * addresses and counts what it evicts.
 */
import { describe, expect, it } from "@effect/vitest"
import * as PathMtu from "../../src/ipv4/PathMtu.js"

const ROUTE = 1500
const A = 0xc6120001
const B = 0xc6120002

describe("path MTU per destination", () => {
  it("a report lowers one address's MTU; a higher one, or an equal one within half the expiry, changes nothing, not even the expiry", () => {
    const c = PathMtu.make(16)
    expect(PathMtu.report(c, A, 1400, ROUTE, 1000)).toEqual({ mtu: 1400, locked: false, expiresAt: 601_000 })
    expect(c.generation).toBe(1)
    // another address keeps its route's MTU
    expect(PathMtu.mtuFor(c, B, ROUTE, 1000)).toBe(ROUTE)
    expect(PathMtu.lookup(c, B, 1000)).toBeUndefined()
    // RFC 1191 §3: only a lower report counts (a higher MTU is found by the expiry)
    expect(PathMtu.report(c, A, 1450, ROUTE, 2000)).toBeUndefined()
    expect(PathMtu.report(c, A, 1400, ROUTE, 2000)).toBeUndefined()
    // above the route's own MTU: nothing
    expect(PathMtu.report(c, B, 9000, ROUTE, 2000)).toBeUndefined()
    expect(c.generation).toBe(1)
    expect(PathMtu.mtuFor(c, A, ROUTE, 2000)).toBe(1400)
    // lower again: the expiry counts from this report
    expect(PathMtu.report(c, A, 1300, ROUTE, 5000)).toEqual({ mtu: 1300, locked: false, expiresAt: 605_000 })
    expect(c.generation).toBe(2)
  })

  it("the same MTU reported again renews the expiry once half of it has passed (Linux's __ip_rt_update_pmtu)", () => {
    const c = PathMtu.make(16)
    PathMtu.report(c, A, 1400, ROUTE, 0)
    PathMtu.report(c, B, 1300, ROUTE, 1)
    // within the first half: nothing (a router repeating itself for every segment in flight costs no update)
    expect(PathMtu.report(c, A, 1400, ROUTE, PathMtu.EXPIRES / 2 - 1)).toBeUndefined()
    expect(c.generation).toBe(2)
    // from the half on (time_before(jiffies, expires - mtu_expires / 2) no longer holds): 10 minutes from now
    expect(PathMtu.report(c, A, 1400, ROUTE, PathMtu.EXPIRES / 2)).toEqual({
      mtu: 1400,
      locked: false,
      expiresAt: PathMtu.EXPIRES / 2 + PathMtu.EXPIRES
    })
    // holders look again (their expiry moved), and A is now the one reported last
    expect(c.generation).toBe(3)
    expect([...c.entries.keys()]).toEqual([B, A])
    expect(PathMtu.mtuFor(c, A, ROUTE, PathMtu.EXPIRES)).toBe(1400)
    expect(PathMtu.mtuFor(c, A, ROUTE, PathMtu.EXPIRES / 2 + PathMtu.EXPIRES - 1)).toBe(1400)
    expect(PathMtu.mtuFor(c, A, ROUTE, PathMtu.EXPIRES / 2 + PathMtu.EXPIRES)).toBe(ROUTE)
    // a higher one never renews, however late; B expires as it was
    expect(PathMtu.report(c, B, 1350, ROUTE, PathMtu.EXPIRES - 1)).toBeUndefined()
    expect(PathMtu.mtuFor(c, B, ROUTE, PathMtu.EXPIRES + 1)).toBe(ROUTE)
    // the route's own MTU reported with nothing held: nothing to hold (Linux's exception at the
    // device's MTU changes no MTU, and follows the device's)
    expect(PathMtu.report(c, B, ROUTE, ROUTE, PathMtu.EXPIRES + 2)).toBeUndefined()
    expect(c.entries.has(B)).toBe(false)
  })

  it("a locked MTU is not renewed by any report; one a lock replaces is (a lock always updates)", () => {
    const c = PathMtu.make(16)
    PathMtu.report(c, A, 296, ROUTE, 0)
    expect(PathMtu.report(c, A, 296, ROUTE, PathMtu.EXPIRES - 1)).toBeUndefined()
    expect(PathMtu.mtuFor(c, A, ROUTE, PathMtu.EXPIRES)).toBe(ROUTE)
    // unlocked at 552, then a smaller MTU at once (before half the expiry): locked, and 10 minutes from it
    PathMtu.report(c, B, 552, ROUTE, 0)
    expect(PathMtu.report(c, B, 300, ROUTE, 10)).toEqual({ mtu: 552, locked: true, expiresAt: PathMtu.EXPIRES + 10 })
  })

  it("expires 10 minutes after the last report that lowered it (RFC 1191 §6.3, Linux's mtu_expires)", () => {
    const c = PathMtu.make(16)
    PathMtu.report(c, A, 1000, ROUTE, 0)
    expect(PathMtu.mtuFor(c, A, ROUTE, PathMtu.EXPIRES - 1)).toBe(1000)
    expect(PathMtu.mtuFor(c, A, ROUTE, PathMtu.EXPIRES)).toBe(ROUTE)
    expect(c.entries.size).toBe(0)
    // once expired, a report of the old value lowers it again
    expect(PathMtu.report(c, A, 1000, ROUTE, PathMtu.EXPIRES)?.mtu).toBe(1000)
  })

  it("never below 552 (Linux's min_pmtu): a smaller MTU, or none named, locks it at 552; nothing lowers a locked MTU", () => {
    const c = PathMtu.make(16)
    expect(PathMtu.report(c, A, 68, ROUTE, 0)).toEqual({ mtu: 552, locked: true, expiresAt: PathMtu.EXPIRES })
    expect(PathMtu.report(c, A, 0, ROUTE, 10)).toBeUndefined()
    expect(PathMtu.report(c, A, 552, ROUTE, 10)).toBeUndefined()
    expect(PathMtu.lookup(c, A, 10)).toEqual({ mtu: 552, locked: true, expiresAt: PathMtu.EXPIRES })
    // a router that names no MTU (0: before RFC 1191)
    expect(PathMtu.report(c, B, 0, ROUTE, 0)).toEqual({ mtu: 552, locked: true, expiresAt: PathMtu.EXPIRES })
    // a report of 552 itself lowers without locking
    const d = PathMtu.make(16)
    expect(PathMtu.report(d, A, 552, ROUTE, 0)).toEqual({ mtu: 552, locked: false, expiresAt: PathMtu.EXPIRES })
    // then a smaller one locks it, at 552
    expect(PathMtu.report(d, A, 296, ROUTE, 1)).toEqual({ mtu: 552, locked: true, expiresAt: PathMtu.EXPIRES + 1 })
  })

  it("holds at most `capacity` addresses: forged reports for many evict the one reported longest ago, counted", () => {
    const c = PathMtu.make(4)
    for (let i = 0; i < 4; i++) PathMtu.report(c, A + i, 1000, ROUTE, i)
    // A is reported again (lower): it becomes the newest
    PathMtu.report(c, A, 900, ROUTE, 10)
    for (let i = 0; i < 1000; i++) PathMtu.report(c, 0x0a000000 + i, 600, ROUTE, 20 + i)
    expect(c.entries.size).toBe(4)
    expect(c.evictions).toBe(1000)
    expect(PathMtu.mtuFor(c, A, ROUTE, 2000)).toBe(ROUTE)
    expect(PathMtu.mtuFor(c, 0x0a000000 + 999, ROUTE, 2000)).toBe(600)
    // before the flood, A (reported last) outlived A + 1, A + 2 and A + 3
    const e = PathMtu.make(4)
    for (let i = 0; i < 4; i++) PathMtu.report(e, A + i, 1000, ROUTE, i)
    PathMtu.report(e, A, 900, ROUTE, 10)
    PathMtu.report(e, 0x0a000000, 600, ROUTE, 20)
    expect([...e.entries.keys()]).toEqual([A + 2, A + 3, A, 0x0a000000])
    expect(e.evictions).toBe(1)
  })
})
