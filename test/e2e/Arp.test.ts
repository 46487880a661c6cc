/**
 * ARP (RFC 826) and the neighbour states (Linux's NUD, RFC 4861 §7.3) against
 * a raw peer, in virtual time: the announcement at start, answering
 * requests, the RFC 826 merge, resolution with retries and a typed timeout,
 * shared resolutions, frames held until resolution, and a neighbour in use
 * going stale and being re-confirmed by unicast without ever blocking.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Option, TestClock } from "effect"
import type { StackConfigInput } from "../../src/Config.js"
import { Interface } from "../../src/iface/Interface.js"
import { Udp } from "../../src/udp/Udp.js"
import * as ArpWire from "../../src/wire/ArpPacket.js"
import * as Eth from "../../src/wire/EthernetFrame.js"
import * as Addr from "../../src/wire/Ipv4Addr.js"
import { awaitSleeps, boundedWait, settle } from "../support/Clock.js"
import { arpReply, arpRequest, asArp, asIpv4, PEER_ADDR, PEER_MAC } from "../support/Peer.js"
import { ADDR_A, MAC_A, run, sendUdp, stackWithPeer, type StackContext, statsOf } from "../support/TestNet.js"

const UNKNOWN = Addr.parse("198.18.0.77")!
const OTHER_MAC = new Uint8Array([0x02, 0, 0, 0, 0, 0x55])

/** Stack A on one end of a cable, a raw peer on the other; the announcement consumed. */
const setup = (config?: Partial<StackConfigInput>) => stackWithPeer({ introduce: false, ...(config ? { config } : {}) })

/** The peer's unicast reply to the stack: proof it hears the stack (makes the entry Reachable). */
const replyFromPeer = arpReply(MAC_A, ADDR_A)

const arpStats = (stack: StackContext) => Effect.map(statsOf(stack), (s) => s.arp)
const neighbour = (stack: StackContext, ip: number) => run(stack, Effect.flatMap(Interface, (i) => i.neighbour(ip)))
/** The neighbour's state, none when the cache holds no entry for it. */
const stateOf = (stack: StackContext, ip: number) => Effect.map(neighbour(stack, ip), Option.map((n) => n.state))
/** The neighbour's MAC as an array, none when the cache holds no entry for it. */
const macOf = (stack: StackContext, ip: number) => Effect.map(neighbour(stack, ip), Option.map((n) => Array.from(n.mac ?? [])))

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

  it.scoped("answers a request for our address and learns the asker as Stale (not yet proven reachable)", () =>
    Effect.gen(function*() {
      const { stack, peer } = yield* setup()
      yield* peer.sendFrame(arpRequest(ADDR_A))
      const reply = yield* peer.next
      const r = asArp(reply)!
      expect(r.op).toBe(ArpWire.Op.Reply)
      expect(r.senderIp).toBe(ADDR_A)
      expect(Array.from(r.senderMac)).toEqual(Array.from(MAC_A))
      expect(r.targetIp).toBe(PEER_ADDR)
      expect(Array.from(reply.subarray(0, 6))).toEqual(Array.from(PEER_MAC))
      expect(yield* macOf(stack, PEER_ADDR)).toEqual(Option.some(Array.from(PEER_MAC)))
      expect(yield* stateOf(stack, PEER_ADDR)).toEqual(Option.some("Stale"))
    }))

  it.scoped("ignores requests for other addresses and does not cache their senders (RFC 826 merge)", () =>
    Effect.gen(function*() {
      const { stack, peer } = yield* setup()
      yield* peer.sendFrame(arpRequest(UNKNOWN))
      yield* settle
      expect(Option.isNone(yield* peer.poll)).toBe(true)
      expect(Option.isNone(yield* neighbour(stack, PEER_ADDR))).toBe(true)
    }))

  it.scoped("ignores a request from a sender no neighbour can be (loopback, multicast, our subnet's broadcast): no reply, no entry, counted", () =>
    Effect.gen(function*() {
      const { stack, peer } = yield* setup()
      const martians = ["127.0.0.1", "224.0.0.5", "198.18.0.255"].map((a) => Addr.parse(a)!)
      for (const ip of martians) yield* peer.sendFrame(arpRequest(ADDR_A, { ip }))
      yield* settle
      expect(Option.isNone(yield* peer.poll)).toBe(true)
      for (const ip of martians) expect(Option.isNone(yield* neighbour(stack, ip))).toBe(true)
      expect((yield* arpStats(stack)).martianSenders).toBe(3)
      // a neighbour's own request is still answered
      yield* peer.sendFrame(arpRequest(ADDR_A))
      expect(asArp(yield* peer.next)?.op).toBe(ArpWire.Op.Reply)
    }))

  it.scoped("a gratuitous ARP with a new MAC creates no entry, and for a held entry is not believed: the held MAC is probed by unicast; when it stays silent the entry goes and is resolved afresh", () =>
    Effect.gen(function*() {
      const { stack, peer } = yield* setup()
      const gratuitous = arpRequest(PEER_ADDR, { mac: OTHER_MAC })
      yield* peer.sendFrame(gratuitous)
      yield* settle
      expect(Option.isNone(yield* neighbour(stack, PEER_ADDR))).toBe(true)
      // Resolved and confirmed: Reachable at PEER_MAC.
      yield* sendUdp(stack, PEER_ADDR, [1])
      yield* peer.next // the request
      yield* peer.sendFrame(replyFromPeer)
      yield* peer.next // the datagram
      expect(yield* stateOf(stack, PEER_ADDR)).toEqual(Option.some("Reachable"))
      // A new MAC: not taken (it may be forged); the held one is asked, by unicast, at once.
      yield* peer.sendFrame(gratuitous)
      const probe = yield* peer.next
      expect(asArp(probe)?.op).toBe(ArpWire.Op.Request)
      expect(asArp(probe)?.targetIp).toBe(PEER_ADDR)
      expect(Array.from(probe.subarray(0, 6))).toEqual(Array.from(PEER_MAC))
      expect(yield* macOf(stack, PEER_ADDR)).toEqual(Option.some(Array.from(PEER_MAC)))
      expect(yield* stateOf(stack, PEER_ADDR)).toEqual(Option.some("Probe"))
      expect((yield* arpStats(stack)).macChangesRefused).toBe(1)
      // Nobody answers at the held MAC (the neighbour really moved): two more probes, then the entry goes.
      yield* awaitSleeps(1)
      yield* TestClock.adjust("1 second")
      yield* peer.next
      yield* awaitSleeps(1)
      yield* TestClock.adjust("1 second")
      yield* peer.next
      yield* awaitSleeps(1)
      yield* TestClock.adjust("1 second")
      yield* settle
      expect(Option.isNone(yield* neighbour(stack, PEER_ADDR))).toBe(true)
      expect((yield* arpStats(stack)).probeFailures).toBe(1)
      // The next datagram resolves afresh, and the new MAC answers.
      yield* sendUdp(stack, PEER_ADDR, [2])
      yield* peer.next // the broadcast request
      yield* peer.sendFrame(arpReply(MAC_A, ADDR_A, { mac: OTHER_MAC }))
      const datagram = yield* peer.next
      expect(Array.from(datagram.subarray(0, 6))).toEqual(Array.from(OTHER_MAC))
    }))

  it.scoped("an ARP packet whose sender MAC disagrees with its frame's source is dropped and counted: a damaged reply cannot redirect a neighbour", () =>
    Effect.gen(function*() {
      const { stack, peer } = yield* setup()
      yield* sendUdp(stack, PEER_ADDR, [1])
      yield* peer.next // the request
      // the reply to it, one bit flipped in the ARP sender address (the Ethernet source is right)
      const damaged = arpReply(MAC_A, ADDR_A)
      damaged[Eth.HEADER_LEN + 8 + 1] ^= 0x80
      yield* peer.sendFrame(damaged)
      yield* settle
      expect(yield* stateOf(stack, PEER_ADDR)).toEqual(Option.some("Incomplete"))
      expect((yield* arpStats(stack)).malformed).toBe(1)
      // the intact reply resolves it to the right MAC
      yield* peer.sendFrame(replyFromPeer)
      yield* peer.next // the datagram
      expect(yield* macOf(stack, PEER_ADDR)).toEqual(Option.some(Array.from(PEER_MAC)))
      expect(yield* stateOf(stack, PEER_ADDR)).toEqual(Option.some("Reachable"))
    }))

  it.scoped("retries once per second with broadcast requests and fails with a typed Timeout after 3", () =>
    Effect.gen(function*() {
      const { stack, peer } = yield* setup()
      const resolve = run(stack, Effect.flatMap(Interface, (i) => i.resolve(UNKNOWN)))
      const fiber = yield* Effect.fork(resolve)
      const second = yield* Effect.fork(resolve)
      yield* awaitSleeps(1)
      const isRequestForUnknown = (f: Uint8Array) => {
        const a = asArp(f)
        return a !== undefined && a.op === ArpWire.Op.Request && a.targetIp === UNKNOWN && Eth.isBroadcast(f)
      }
      expect(isRequestForUnknown(yield* peer.next)).toBe(true)
      // The concurrent resolve shares the request: still one frame until 1 s.
      yield* TestClock.adjust("999 millis")
      yield* settle
      expect(Option.isNone(yield* peer.poll)).toBe(true)
      yield* TestClock.adjust("1 millis")
      yield* settle
      expect(isRequestForUnknown(yield* peer.next)).toBe(true)
      expect(Option.isNone(yield* peer.poll)).toBe(true)
      yield* TestClock.adjust("1 second")
      yield* settle
      expect(isRequestForUnknown(yield* peer.next)).toBe(true)
      yield* TestClock.adjust("999 millis")
      yield* settle
      expect(fiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust("1 millis")
      for (const f of [fiber, second]) {
        const e = yield* boundedWait(Fiber.await(f), "the resolution to fail")
        expect(Exit.isFailure(e)).toBe(true)
        if (Exit.isFailure(e)) expect(e.cause).toMatchObject({ error: { _tag: "NeighbourError", reason: "Timeout" } })
      }
      expect(Option.isNone(yield* peer.poll)).toBe(true)
      const stats = yield* arpStats(stack)
      expect(stats.requestsSent).toBe(4) // the announcement and three requests
      expect(stats.resolveTimeouts).toBe(1)
      expect(Option.isNone(yield* neighbour(stack, UNKNOWN))).toBe(true)
    }))

  it.scoped("holds datagrams until the reply and sends them with the learned MAC; the entry is Reachable", () =>
    Effect.gen(function*() {
      const { stack, peer } = yield* setup()
      yield* sendUdp(stack, PEER_ADDR, [1, 2, 3])
      yield* sendUdp(stack, PEER_ADDR, [4, 5, 6])
      const req = asArp(yield* peer.next)!
      expect(req.targetIp).toBe(PEER_ADDR)
      expect(Option.isNone(yield* peer.poll)).toBe(true)
      yield* peer.sendFrame(replyFromPeer)
      const f1 = yield* peer.next
      const f2 = yield* peer.next
      for (const f of [f1, f2]) {
        expect(Array.from(f.subarray(0, 6))).toEqual(Array.from(PEER_MAC))
        expect(asIpv4(f)!.dst).toBe(PEER_ADDR)
      }
      expect(Array.from(asIpv4(f1)!.payload.subarray(8))).toEqual([1, 2, 3])
      expect(Array.from(asIpv4(f2)!.payload.subarray(8))).toEqual([4, 5, 6])
      expect(yield* stateOf(stack, PEER_ADDR)).toEqual(Option.some("Reachable"))
    }))

  it.scoped("drops held datagrams, counted, when resolution times out", () =>
    Effect.gen(function*() {
      const { stack, peer } = yield* setup()
      yield* sendUdp(stack, UNKNOWN, [0, 0, 0])
      yield* awaitSleeps(1)
      yield* TestClock.adjust("3 seconds")
      yield* settle
      const frames = yield* peer.drain
      expect(frames.length).toBe(3)
      for (const f of frames) expect(asArp(f)?.targetIp).toBe(UNKNOWN)
      const stats = yield* arpStats(stack)
      expect(stats.pendingDropped).toBe(1)
      expect(stats.resolveTimeouts).toBe(1)
    }))

  it.scoped("a neighbour in use goes stale and is re-confirmed by unicast, never blocking a send", () =>
    Effect.gen(function*() {
      const { stack, peer } = yield* setup()
      yield* sendUdp(stack, PEER_ADDR, [1])
      yield* peer.next // the broadcast request
      yield* peer.sendFrame(replyFromPeer)
      yield* peer.next // the datagram
      // After reachableTime (30 s) the entry is stale, but a send goes out at once.
      yield* TestClock.adjust("30 seconds")
      yield* sendUdp(stack, PEER_ADDR, [2])
      const sent = yield* peer.next
      expect(asIpv4(sent)?.dst).toBe(PEER_ADDR)
      expect(Array.from(sent.subarray(0, 6))).toEqual(Array.from(PEER_MAC))
      expect(yield* stateOf(stack, PEER_ADDR)).toEqual(Option.some("Delay"))
      // delayFirstProbe (5 s) later: a unicast request to the MAC we hold, not a broadcast.
      yield* awaitSleeps(1)
      yield* TestClock.adjust("4999 millis")
      yield* settle
      expect(Option.isNone(yield* peer.poll)).toBe(true)
      yield* TestClock.adjust("1 millis")
      const probe = yield* peer.next
      expect(asArp(probe)?.targetIp).toBe(PEER_ADDR)
      expect(Array.from(probe.subarray(0, 6))).toEqual(Array.from(PEER_MAC))
      // Sends meanwhile still go out at once.
      yield* sendUdp(stack, PEER_ADDR, [3])
      expect(asIpv4(yield* peer.next)?.dst).toBe(PEER_ADDR)
      yield* peer.sendFrame(replyFromPeer)
      yield* settle
      expect(yield* stateOf(stack, PEER_ADDR)).toEqual(Option.some("Reachable"))
      yield* TestClock.adjust("10 seconds")
      yield* settle
      expect(Option.isNone(yield* peer.poll)).toBe(true) // no more probes
      const stats = yield* arpStats(stack)
      expect(stats.probesSent).toBe(1)
      expect(stats.requestsSent).toBe(3) // the announcement, one broadcast, one unicast probe
    }))

  it.scoped("an unanswered neighbour is probed 3 times by unicast, then forgotten and resolved afresh", () =>
    Effect.gen(function*() {
      const { stack, peer } = yield* setup()
      yield* peer.sendFrame(arpRequest(ADDR_A)) // learned Stale
      yield* peer.next
      yield* sendUdp(stack, PEER_ADDR, [1])
      yield* peer.next // the datagram, sent through the stale entry
      yield* awaitSleeps(1)
      yield* TestClock.adjust("5 seconds")
      for (let i = 0; i < 3; i++) {
        const probe = yield* peer.next
        expect(asArp(probe)?.targetIp).toBe(PEER_ADDR)
        expect(Eth.isBroadcast(probe)).toBe(false)
        yield* TestClock.adjust("1 second")
      }
      yield* settle
      expect(Option.isNone(yield* neighbour(stack, PEER_ADDR))).toBe(true)
      expect((yield* arpStats(stack)).probeFailures).toBe(1)
      yield* sendUdp(stack, PEER_ADDR, [2])
      const again = yield* peer.next
      expect(asArp(again)?.targetIp).toBe(PEER_ADDR)
      expect(Eth.isBroadcast(again)).toBe(true)
    }))

  it.scoped("an unsolicited reply creates no entry (Linux's arp_accept=0), a request for us does", () =>
    Effect.gen(function*() {
      const { stack, peer } = yield* setup()
      yield* peer.sendFrame(replyFromPeer)
      yield* settle
      expect(Option.isNone(yield* neighbour(stack, PEER_ADDR))).toBe(true)
      yield* peer.sendFrame(arpRequest(ADDR_A))
      yield* peer.next
      expect(Option.isSome(yield* neighbour(stack, PEER_ADDR))).toBe(true)
    }))

  it.scoped("while resolving, the newest frames are kept: beyond pendingFrames the oldest goes (RFC 1122 §2.3.2.2)", () =>
    Effect.gen(function*() {
      const { stack, peer } = yield* setup({ arp: { pendingFrames: 2 } })
      for (const b of [1, 2, 3]) yield* sendUdp(stack, PEER_ADDR, [b])
      yield* peer.next // the request
      yield* peer.sendFrame(replyFromPeer)
      const sent = [asIpv4(yield* peer.next)!, asIpv4(yield* peer.next)!].map((ip) => ip.payload[8])
      expect(sent).toEqual([2, 3])
      expect((yield* arpStats(stack)).pendingDropped).toBe(1)
    }))

  it.scoped("a failed resolution is reported to the UDP socket that sent the held datagram (host unreachable)", () =>
    Effect.gen(function*() {
      const { stack } = yield* setup()
      const report = yield* run(stack, Effect.gen(function*() {
        const s = yield* Effect.flatMap(Udp, (u) => u.bind(4100))
        yield* s.send(UNKNOWN, 53, new Uint8Array([1]))
        yield* awaitSleeps(1)
        yield* TestClock.adjust("3 seconds")
        return yield* boundedWait(s.receiveError, "the host unreachable report")
      }))
      expect(report).toMatchObject({ type: "DstUnreachable", code: 1, reporter: ADDR_A, dst: UNKNOWN, dstPort: 53 })
    }))

  it.scoped("a flood of ARP requests from new addresses cannot evict a neighbour in use", () =>
    Effect.gen(function*() {
      const { stack, peer } = yield* setup({ arp: { cacheSize: 4 } })
      yield* sendUdp(stack, PEER_ADDR, [1])
      yield* peer.next
      yield* peer.sendFrame(replyFromPeer)
      yield* peer.next
      for (let i = 0; i < 50; i++) {
        const spoofed = Addr.parse(`198.18.0.${100 + i}`)!
        yield* peer.sendFrame(arpRequest(ADDR_A, { mac: OTHER_MAC, ip: spoofed }, MAC_A))
        if (i % 10 === 0) yield* sendUdp(stack, PEER_ADDR, [2]) // the neighbour stays in use
        yield* TestClock.adjust("100 millis")
      }
      yield* settle
      expect(yield* macOf(stack, PEER_ADDR)).toEqual(Option.some(Array.from(PEER_MAC)))
      const s = yield* arpStats(stack)
      expect(s.cacheSize).toBe(4)
      expect(s.cacheFull).toBeGreaterThan(0) // the flood filled the cache, then was refused
      expect(s.repliesSent).toBe(50) // every request was still answered
    }))

  it.scoped("an upper layer's confirmation (confirm) spares the probe", () =>
    Effect.gen(function*() {
      const { stack, peer } = yield* setup()
      yield* peer.sendFrame(arpRequest(ADDR_A))
      yield* peer.next
      yield* sendUdp(stack, PEER_ADDR, [1])
      yield* peer.next
      yield* run(stack, Effect.map(Interface, (i) => i.confirm(PEER_ADDR)))
      yield* TestClock.adjust("6 seconds")
      yield* settle
      expect(Option.isNone(yield* peer.poll)).toBe(true)
      expect(yield* stateOf(stack, PEER_ADDR)).toEqual(Option.some("Reachable"))
    }))

  it.scoped("a new MAC claimed for an entry in Delay: the held MAC is probed each second and the entry goes 3 s later, not at the Delay timer's 5 s", () =>
    Effect.gen(function*() {
      const other = new Uint8Array([0x02, 0, 0, 0, 0, 0x55])
      const { stack, peer } = yield* stackWithPeer({ introduce: false })
      yield* peer.sendFrame(arpRequest(ADDR_A)) // learned Stale
      yield* peer.next // our reply
      yield* sendUdp(stack, PEER_ADDR, [1]) // through the stale entry: Delay, its timer asleep for 5 s
      yield* peer.next
      yield* awaitSleeps(1)
      expect(yield* stateOf(stack, PEER_ADDR)).toEqual(Option.some("Delay"))
      // not believed: the held MAC is probed at once, and the entry is in Probe
      yield* peer.sendFrame(arpRequest(PEER_ADDR, { mac: other }))
      const first = yield* peer.next
      expect(asArp(first)?.op).toBe(ArpWire.Op.Request)
      expect(Array.from(first.subarray(0, 6))).toEqual(Array.from(PEER_MAC))
      expect(yield* stateOf(stack, PEER_ADDR)).toEqual(Option.some("Probe"))
      // nobody answers: a unicast probe each second (Probe's retransmission time), then the entry goes
      const probesAt: Array<number> = []
      for (let ms = 250; ms <= 3000; ms += 250) {
        yield* TestClock.adjust("250 millis")
        yield* settle
        for (const f of yield* peer.drain) if (asArp(f) !== undefined && !Eth.isBroadcast(f)) probesAt.push(ms)
      }
      expect(probesAt).toEqual([1000, 2000])
      expect(yield* stateOf(stack, PEER_ADDR)).toEqual(Option.none())
      expect((yield* statsOf(stack)).arp.probeFailures).toBe(1)
    }))
})
