/**
 * ARP (RFC 826) against a raw peer, in virtual time: the announcement at
 * start, answering requests, resolution with retries and a typed timeout,
 * shared resolutions, frames held until resolution, and cache expiry.
 */
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Exit, Fiber, Option, TestClock } from "effect"
import { Arp } from "../../src/arp/Arp.js"
import * as ArpCache from "../../src/arp/ArpCache.js"
import { Udp } from "../../src/udp/Udp.js"
import * as ArpWire from "../../src/wire/ArpPacket.js"
import * as Eth from "../../src/wire/EthernetFrame.js"
import * as Addr from "../../src/wire/Ipv4Addr.js"
import { awaitSleeps, settle } from "../support/Clock.js"
import { arpFrame, asArp, asIpv4, PEER_ADDR, PEER_MAC } from "../support/Peer.js"
import type { StackConfigInput } from "../../src/Config.js"
import { ADDR_A, MAC_A, run, stackWithPeer } from "../support/TestNet.js"

const UNKNOWN = Addr.parse("198.18.0.77")!

/** Stack A on one end of a cable, a raw peer on the other; the announcement consumed. */
const setup = (config?: Partial<StackConfigInput>) =>
  stackWithPeer({ introduce: false, ...(config ? { config } : {}) })

const requestFromPeer = (target: number) =>
  arpFrame(PEER_MAC, Eth.BROADCAST, {
    op: ArpWire.Op.Request,
    senderMac: PEER_MAC,
    senderIp: PEER_ADDR,
    targetMac: new Uint8Array(6),
    targetIp: target
  })

describe("ARP", () => {
  it.scoped("announces itself at start with a gratuitous request (RFC 5227 §2.3)", () =>
    Effect.gen(function*() {
      const { announcement } = yield* setup()
      const a = asArp(announcement)!
      expect(a.op).toBe(ArpWire.Op.Request)
      expect(a.senderIp).toBe(ADDR_A)
      expect(a.targetIp).toBe(ADDR_A)
      expect(Array.from(a.senderMac)).toEqual(Array.from(MAC_A))
      expect(Eth.isBroadcast(announcement)).toBe(true)
    }))

  it.scoped("answers a request for our address and learns the asker", () =>
    Effect.gen(function*() {
      const { stack, peer } = yield* setup()
      yield* peer.sendFrame(requestFromPeer(ADDR_A))
      const reply = yield* peer.next
      const r = asArp(reply)!
      expect(r.op).toBe(ArpWire.Op.Reply)
      expect(r.senderIp).toBe(ADDR_A)
      expect(Array.from(r.senderMac)).toEqual(Array.from(MAC_A))
      expect(r.targetIp).toBe(PEER_ADDR)
      expect(Array.from(reply.subarray(0, 6))).toEqual(Array.from(PEER_MAC))
      const known = yield* run(stack, Effect.flatMap(Arp, (arp) => arp.lookup(PEER_ADDR)))
      expect(Option.map(known, (m) => Array.from(m))).toEqual(Option.some(Array.from(PEER_MAC)))
    }))

  it.scoped("ignores requests for other addresses and does not cache their senders (RFC 826 merge)", () =>
    Effect.gen(function*() {
      const { stack, peer } = yield* setup()
      yield* peer.sendFrame(requestFromPeer(UNKNOWN))
      yield* settle
      expect(Option.isNone(yield* peer.poll)).toBe(true)
      const known = yield* run(stack, Effect.flatMap(Arp, (arp) => arp.lookup(PEER_ADDR)))
      expect(Option.isNone(known)).toBe(true)
    }))

  it.scoped("retries once per second and fails with a typed Timeout after 3 requests", () =>
    Effect.gen(function*() {
      const { stack, peer } = yield* setup()
      const fiber = yield* run(stack, Effect.flatMap(Arp, (arp) => arp.resolve(UNKNOWN))).pipe(Effect.fork)
      const second = yield* run(stack, Effect.flatMap(Arp, (arp) => arp.resolve(UNKNOWN))).pipe(Effect.fork)
      yield* awaitSleeps(1)
      const first = asArp(yield* peer.next)!
      expect(first.op).toBe(ArpWire.Op.Request)
      expect(first.targetIp).toBe(UNKNOWN)
      // A concurrent resolve shares the request: still one frame.
      yield* TestClock.adjust("999 millis")
      yield* settle
      expect(Option.isNone(yield* peer.poll)).toBe(true)
      yield* TestClock.adjust("1 millis")
      yield* settle
      expect(asArp(yield* peer.next)!.targetIp).toBe(UNKNOWN)
      expect(Option.isNone(yield* peer.poll)).toBe(true)
      yield* TestClock.adjust("1 second")
      yield* settle
      expect(asArp(yield* peer.next)!.targetIp).toBe(UNKNOWN)
      yield* TestClock.adjust("999 millis")
      yield* settle
      expect(fiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust("1 millis")
      const exit = yield* Fiber.await(fiber)
      const exit2 = yield* Fiber.await(second)
      for (const e of [exit, exit2]) {
        expect(Exit.isFailure(e)).toBe(true)
        if (Exit.isFailure(e)) expect(e.cause).toMatchObject({ error: { _tag: "ArpError", reason: "Timeout" } })
      }
      expect(Option.isNone(yield* peer.poll)).toBe(true)
      const stats = yield* run(stack, Effect.flatMap(Arp, (arp) => arp.stats))
      expect(stats.requestsSent).toBe(4) // the announcement and three requests
      expect(stats.resolveTimeouts).toBe(1)
    }))

  it.scoped("holds datagrams until the reply and sends them with the learned MAC", () =>
    Effect.gen(function*() {
      const { stack, peer } = yield* setup()
      yield* run(stack, Effect.gen(function*() {
        const udp = yield* Udp
        const s = yield* udp.bind(5000)
        yield* s.send(PEER_ADDR, 9, new Uint8Array([1, 2, 3]))
        yield* s.send(PEER_ADDR, 9, new Uint8Array([4, 5, 6]))
      }))
      const req = asArp(yield* peer.next)!
      expect(req.targetIp).toBe(PEER_ADDR)
      expect(Option.isNone(yield* peer.poll)).toBe(true)
      yield* peer.sendFrame(arpFrame(PEER_MAC, MAC_A, {
        op: ArpWire.Op.Reply,
        senderMac: PEER_MAC,
        senderIp: PEER_ADDR,
        targetMac: MAC_A,
        targetIp: ADDR_A
      }))
      const f1 = yield* peer.next
      const f2 = yield* peer.next
      for (const f of [f1, f2]) {
        expect(Array.from(f.subarray(0, 6))).toEqual(Array.from(PEER_MAC))
        expect(asIpv4(f)!.dst).toBe(PEER_ADDR)
      }
      expect(Array.from(asIpv4(f1)!.payload.subarray(8))).toEqual([1, 2, 3])
      expect(Array.from(asIpv4(f2)!.payload.subarray(8))).toEqual([4, 5, 6])
    }))

  it.scoped("drops held datagrams, counted, when resolution times out", () =>
    Effect.gen(function*() {
      const { stack, peer } = yield* setup()
      yield* run(stack, Effect.gen(function*() {
        const s = yield* Effect.flatMap(Udp, (u) => u.bind())
        yield* s.send(UNKNOWN, 9, new Uint8Array(10))
      }))
      yield* awaitSleeps(1)
      yield* TestClock.adjust("3 seconds")
      yield* settle
      const frames = yield* peer.drain
      expect(frames.every((f) => asArp(f) !== undefined)).toBe(true)
      const stats = yield* run(stack, Effect.flatMap(Arp, (arp) => arp.stats))
      expect(stats.pendingDropped).toBe(1)
    }))

  it.scoped("forgets an entry after entryTtl and asks again", () =>
    Effect.gen(function*() {
      const { stack, peer } = yield* setup({ arp: { entryTtl: Duration.seconds(60) } })
      yield* peer.sendFrame(requestFromPeer(ADDR_A))
      yield* peer.next // our reply
      const lookup = run(stack, Effect.flatMap(Arp, (arp) => arp.lookup(PEER_ADDR)))
      yield* TestClock.adjust("59999 millis")
      expect(Option.isSome(yield* lookup)).toBe(true)
      yield* TestClock.adjust("1 millis")
      expect(Option.isNone(yield* lookup)).toBe(true)
    }))
})

describe("ArpCache (pure)", () => {
  it("evicts the least recently confirmed entry beyond capacity", () => {
    const cache = ArpCache.empty()
    const mac = new Uint8Array(6)
    expect(ArpCache.insert(cache, 1, mac, 0, 1000, 2)).toBe(0)
    expect(ArpCache.insert(cache, 2, mac, 0, 1000, 2)).toBe(0)
    expect(ArpCache.insert(cache, 1, mac, 5, 1000, 2)).toBe(0) // refresh 1
    expect(ArpCache.insert(cache, 3, mac, 6, 1000, 2)).toBe(1) // evicts 2
    expect([...cache.keys()]).toEqual([1, 3])
  })
  it("merge creates entries only for packets addressed to us, but updates existing ones", () => {
    const cache = ArpCache.empty()
    const m1 = new Uint8Array([2, 0, 0, 0, 0, 1])
    const m2 = new Uint8Array([2, 0, 0, 0, 0, 2])
    expect(ArpCache.merge(cache, 7, m1, false, 0, 1000, 8).learned).toBe(false)
    expect(ArpCache.merge(cache, 7, m1, true, 0, 1000, 8).learned).toBe(true)
    expect(ArpCache.merge(cache, 7, m2, false, 0, 1000, 8).learned).toBe(true)
    expect(ArpCache.lookup(cache, 7, 999)).toBe(m2)
    expect(ArpCache.lookup(cache, 7, 1000)).toBeUndefined()
    expect(cache.size).toBe(0)
  })
})
