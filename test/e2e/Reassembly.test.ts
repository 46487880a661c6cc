/**
 * IPv4 fragmentation and reassembly (RFC 791 §3.2, RFC 1122 §3.3.2) in a
 * stack fed hand-built fragments by a raw peer, in virtual time: out of
 * order, duplicated, overlapping, timed out, bounded, and raced against the
 * end of an assembly. The pure bookkeeping is in test/ipv4/Reassembly.test.ts.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Option, TestClock } from "effect"
import * as Ipv4 from "../../src/ipv4/Ipv4.js"
import * as Reassembly from "../../src/ipv4/Reassembly.js"
import * as IcmpWire from "../../src/wire/IcmpMessage.js"
import * as Ip from "../../src/wire/Ipv4Header.js"
import { awaitSleeps, settle } from "../support/Clock.js"
import { arpReply, asArp, asIpv4, ipFrame, ipRepr, PEER_ADDR } from "../support/Peer.js"
import { ADDR_A, MAC_A, stackWithPeer } from "../support/TestNet.js"

/** An echo request of `size` data octets, split into fragments of `chunk` octets. */
const echoFragments = (id: number, size: number, chunk: number) => {
  const data = new Uint8Array(size)
  for (let i = 0; i < size; i++) data[i] = i & 0xff
  const icmp = IcmpWire.emit({ _tag: "EchoRequest", ident: 0x1234, seq: 1, data })
  return Reassembly.fragmentPlan(icmp.length, 20, chunk + 20).map((p) =>
    ipRepr({
      src: PEER_ADDR,
      dst: ADDR_A,
      protocol: Ip.Protocol.ICMP,
      id,
      moreFragments: p.more,
      fragmentOffset: p.offset,
      payload: icmp.subarray(p.offset, p.offset + p.length)
    })
  )
}

/** 8 octets of UDP datagram `id` at `fragmentOffset`, more to come: the most held per octet sent. */
const tinyFragment = (id: number, fragmentOffset: number) =>
  ipRepr({
    src: PEER_ADDR,
    dst: ADDR_A,
    protocol: Ip.Protocol.UDP,
    id,
    moreFragments: true,
    fragmentOffset,
    payload: new Uint8Array(8).fill(id & 0xff)
  })

const setup = stackWithPeer()

/**
 * Collect the fragments of the stack's echo reply until it is complete,
 * passing over anything else it sends meanwhile (ARP probes, ICMP errors).
 */
const collectReply = (peer: { next: Effect.Effect<Uint8Array> }, size: number) =>
  Effect.gen(function*() {
    let got = 0
    while (got < size + 8) {
      const ip = asIpv4(yield* peer.next)
      if (ip === undefined || ip.protocol !== Ip.Protocol.ICMP) continue
      if (ip.fragmentOffset === 0 && ip.payload[0] !== IcmpWire.Type.EchoReply) continue
      got += ip.payload.length
    }
    return got
  })

describe("IPv4 reassembly in the stack", () => {
  it.scoped("reassembles fragments sent out of order and duplicated, and answers", () =>
    Effect.gen(function*() {
      const { peer, stats } = yield* setup
      const fs = echoFragments(7, 3000, 1000)
      expect(fs.length).toBe(4)
      for (const f of [fs[2]!, fs[0]!, fs[3]!, fs[0]!, fs[1]!, fs[2]!]) yield* peer.sendIp(f, MAC_A)
      expect(yield* collectReply(peer, 3000)).toBe(3008)
      const s = yield* stats
      expect(s.ipv4.reassembled).toBe(1)
      expect(s.icmp.echoRequests).toBe(1)
    }))

  it.scoped("drops the whole datagram when fragments overlap", () =>
    Effect.gen(function*() {
      const { peer, stats } = yield* setup
      const fs = echoFragments(8, 3000, 1000)
      const overlapping = { ...fs[1]!, fragmentOffset: fs[1]!.fragmentOffset - 8 }
      for (const f of [fs[0]!, overlapping, fs[1]!, fs[2]!, fs[3]!]) yield* peer.sendIp(f, MAC_A)
      yield* settle
      expect(Option.isNone(yield* peer.poll)).toBe(true)
      const s = yield* stats
      expect(s.ipv4.reassemblyFailures).toBe(1)
      expect(s.ipv4.reassembled).toBe(0)
      expect(s.icmp.echoRequests).toBe(0)
      // After the timeout the assembly is gone and no time exceeded is sent for it.
      yield* awaitSleeps(1)
      yield* TestClock.adjust("30 seconds")
      yield* settle
      expect(Option.isNone(yield* peer.poll)).toBe(true)
      expect((yield* stats).ipv4.assemblies).toBe(0)
    }))

  it.scoped("times out after 30 s and sends ICMP time exceeded (code 1) quoting fragment zero", () =>
    Effect.gen(function*() {
      const { peer, stats } = yield* setup
      const fs = echoFragments(9, 3000, 1000)
      yield* peer.sendIp(fs[0]!, MAC_A)
      yield* peer.sendIp(fs[2]!, MAC_A)
      yield* awaitSleeps(1)
      yield* TestClock.adjust("29999 millis")
      yield* settle
      expect(Option.isNone(yield* peer.poll)).toBe(true)
      // What it holds: the pages its 2000 octets touch (page 0 for [0, 1000),
      // pages 1 and 2 for [2000, 3000)), the 1024-octet block map, fragment zero's 20-octet header.
      expect((yield* stats).ipv4.assemblyBytes).toBe(3 * Reassembly.PAGE + 1024 + 20)
      yield* TestClock.adjust("1 millis")
      const ip = asIpv4(yield* peer.next)!
      expect(ip.dst).toBe(PEER_ADDR)
      expect(ip.protocol).toBe(Ip.Protocol.ICMP)
      const icmp = Either.getOrThrow(IcmpWire.parse(ip.payload))
      expect(icmp._tag).toBe("TimeExceeded")
      if (icmp._tag === "TimeExceeded") {
        expect(icmp.code).toBe(IcmpWire.TimeExceededCode.FragmentReassembly)
        // The quote is fragment zero as it came, header and data, as much as fits in 576 octets
        // (RFC 1812 §4.3.2.3; Linux's ip_expire quotes the head fragment through icmp_send), as
        // every other error of ours quotes: not RFC 792's header and 8 octets alone
        expect(icmp.data.length).toBe(Ipv4.MAX_QUOTE)
        expect((icmp.data[4]! << 8) | icmp.data[5]!).toBe(9) // the datagram's id
        expect(Ip.totalLength(icmp.data, 0)).toBe(1020) // fragment zero's own header, MF set
        expect(icmp.data[20]).toBe(IcmpWire.Type.EchoRequest)
        // its data as sent: the echo request's header, then octets 0, 1, 2, ...
        expect(Array.from(icmp.data.subarray(28, Ipv4.MAX_QUOTE))).toEqual(
          Array.from({ length: Ipv4.MAX_QUOTE - 28 }, (_, i) => i & 0xff)
        )
      }
      // at internetwork-control precedence, as our other errors (Linux's icmp_send)
      expect(ip.tos).toBe(0xc0)
      const s = yield* stats
      expect(s.ipv4.reassemblyTimeouts).toBe(1)
      expect(s.ipv4.assemblies).toBe(0)
      expect(s.ipv4.assemblyBytes).toBe(0)
    }))

  it.scoped("sends no time exceeded when fragment zero never arrived", () =>
    Effect.gen(function*() {
      const { peer, stats } = yield* setup
      const fs = echoFragments(10, 3000, 1000)
      yield* peer.sendIp(fs[1]!, MAC_A)
      yield* awaitSleeps(1)
      yield* TestClock.adjust("30 seconds")
      yield* settle
      expect(Option.isNone(yield* peer.poll)).toBe(true)
      expect((yield* stats).ipv4.reassemblyTimeouts).toBe(1)
    }))

  it.scoped("bounds the number of assemblies", () =>
    Effect.gen(function*() {
      const { peer, stats } = yield* stackWithPeer({ config: { reassembly: { maxAssemblies: 4 } } })
      for (let id = 100; id < 106; id++) yield* peer.sendIp(echoFragments(id, 3000, 1000)[0]!, MAC_A)
      yield* settle
      const s = yield* stats
      expect(s.ipv4.assemblies).toBe(4)
      expect(s.ipv4.reassemblyDropped).toBe(2)
    }))

  it.scoped("bounds the octets all assemblies hold together, for what they really hold", () =>
    Effect.gen(function*() {
      const maxBytes = Reassembly.MAX_HELD + 20_000
      const { peer, stats } = yield* stackWithPeer({ mtu: 9000, config: { reassembly: { maxBytes } } })
      // First fragments of 8000 octets: each assembly holds 8 pages, its map and a 20-octet header.
      for (let id = 200; id < 220; id++) yield* peer.sendIp(echoFragments(id, 20000, 8000)[0]!, MAC_A)
      yield* settle
      const s = yield* stats
      const each = 8 * Reassembly.PAGE + 1024 + 20
      expect(s.ipv4.assemblyBytes).toBeLessThanOrEqual(maxBytes)
      expect(s.ipv4.assemblies).toBe(Math.floor(maxBytes / each))
      expect(s.ipv4.assemblyBytes).toBe(s.ipv4.assemblies * each)
      expect(s.ipv4.reassemblyDropped).toBe(20 - s.ipv4.assemblies)
    }))

  it.scoped("holds 256 assemblies of worst-case fragments within the bound, then recovers", () =>
    Effect.gen(function*() {
      const maxBytes = 1024 * 1024 + 512 // not a whole number of pages: an overshoot by one page would show
      const { peer, stats } = yield* stackWithPeer({ config: { reassembly: { maxAssemblies: 256, maxBytes } } })
      // The worst ratio of held to sent: 8-octet fragments, each in a page of
      // its own (one far out first), for 256 datagrams at once: 2.5 MiB of
      // pages and maps wanted, 1 MiB allowed.
      const rounds = 8
      for (let round = 0; round < rounds; round++) {
        for (let id = 0; id < 256; id++) {
          const page = round === 0 ? 63 : (id * 7 + round * 5) % 63
          yield* peer.sendIp(tinyFragment(5000 + id, page * Reassembly.PAGE + 8 * round), MAC_A)
        }
        yield* settle
        const s = yield* stats
        expect(s.ipv4.assemblyBytes).toBeLessThanOrEqual(maxBytes)
        expect(s.ipv4.assemblies).toBeLessThanOrEqual(256)
      }
      const s = yield* stats
      expect(s.ipv4.assemblies).toBe(256) // every datagram's first fragment found room
      expect(s.ipv4.fragmentsReceived).toBe(256 * rounds)
      // The bound was reached: what was refused is counted, and no page more fits.
      expect(s.ipv4.reassemblyDropped).toBeGreaterThan(0)
      expect(s.ipv4.assemblyBytes + Reassembly.PAGE).toBeGreaterThan(maxBytes)
      // At the deadline everything is released, and a new datagram reassembles.
      yield* awaitSleeps(1)
      yield* TestClock.adjust("30 seconds")
      yield* settle
      const after = yield* stats
      expect(after.ipv4.assemblies).toBe(0)
      expect(after.ipv4.assemblyBytes).toBe(0)
      for (const f of echoFragments(77, 3000, 1000)) yield* peer.sendIp(f, MAC_A)
      yield* settle
      expect((yield* stats).ipv4.reassembled).toBe(1)
    }))

  it.scoped("one batch of one datagram's fragments cannot overshoot the bound: each is charged before the next is added", () =>
    Effect.gen(function*() {
      const maxBytes = Reassembly.MAX_HELD // the least allowed: one whole datagram's worth
      const { peer, stats } = yield* stackWithPeer({ config: { reassembly: { maxBytes } } })
      // Datagram 1 holds 40 pages (fragment zero's header with the first).
      for (let page = 0; page < 40; page++) yield* peer.sendIp(tinyFragment(1, page * Reassembly.PAGE), MAC_A)
      yield* settle
      const first = 40 * Reassembly.PAGE + Reassembly.BASE_HELD + 20
      expect((yield* stats).ipv4.assemblyBytes).toBe(first)
      // Datagram 2: 64 fragments, a page each, in one batch, so its assembler
      // takes them all at once. The room left after its map is
      // maxBytes - first - BASE_HELD: its page 0 (with the header) and as many
      // more pages as fit; every other fragment is refused and counted.
      yield* peer.link.sendBatch(Array.from({ length: 64 }, (_, page) => ipFrame(tinyFragment(2, page * Reassembly.PAGE), MAC_A)))
      yield* settle
      const s = yield* stats
      const pages = 1 + Math.floor((maxBytes - first - Reassembly.BASE_HELD - Reassembly.PAGE - 20) / Reassembly.PAGE)
      expect(s.ipv4.assemblies).toBe(2)
      expect(s.ipv4.assemblyBytes).toBe(first + Reassembly.BASE_HELD + pages * Reassembly.PAGE + 20)
      expect(s.ipv4.assemblyBytes).toBeLessThanOrEqual(maxBytes)
      expect(s.ipv4.reassemblyDropped).toBe(64 - pages)
    }))

  it.scoped("a fragment racing the end of its assembly is counted, and the dealer lives on", () =>
    Effect.gen(function*() {
      const { peer, stats } = yield* setup
      // Complete one datagram and, in the same batch, send a duplicate of its
      // first fragment: its assembler takes it after the datagram is whole,
      // and drops and counts it (it starts no fresh assembly).
      const fs = echoFragments(31, 3000, 1000)
      yield* peer.link.sendBatch([...fs, fs[0]!].map((f) => ipFrame(f, MAC_A)))
      expect(yield* collectReply(peer, 3000)).toBe(3008)
      const done = yield* stats
      expect(done.ipv4.reassembled).toBe(1)
      expect(done.ipv4.reassemblyDropped).toBe(1)
      expect(done.ipv4.assemblies).toBe(0)
      // Timeout racing new fragments: fragments of another datagram arrive at
      // the very instant its deadline fires.
      const gs = echoFragments(32, 3000, 1000)
      yield* peer.sendIp(gs[1]!, MAC_A)
      yield* awaitSleeps(1)
      yield* TestClock.adjust("30 seconds")
      yield* peer.sendIp(gs[2]!, MAC_A)
      yield* settle
      const mid = yield* stats
      expect(mid.ipv4.reassemblyTimeouts).toBe(1) // datagram 32's first assembly
      expect(mid.ipv4.assemblies).toBe(1) // the fragment that came at its deadline started a new one
      // The dealer is alive: a whole datagram still gets through. (The 30 s also
      // let the peer's neighbour entry go stale and fail its unicast probes, so
      // the reply waits for a fresh resolution, which the peer answers.)
      yield* peer.drain
      for (const f of echoFragments(33, 3000, 1000)) yield* peer.sendIp(f, MAC_A)
      const who = asArp(yield* peer.next)!
      expect(who.targetIp).toBe(PEER_ADDR)
      yield* peer.sendFrame(arpReply(MAC_A, ADDR_A))
      expect(yield* collectReply(peer, 3000)).toBe(3008)
      expect((yield* stats).ipv4.reassembled).toBe(2)
    }))
})
