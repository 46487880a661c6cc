/**
 * IPv4 fragmentation and reassembly (RFC 791 §3.2, RFC 1122 §3.3.2): the
 * pure bookkeeping, then a stack fed hand-built fragments by a raw peer in
 * virtual time: out of order, duplicated, overlapping, timed out.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Option, TestClock } from "effect"
import * as Reassembly from "../../src/ipv4/Reassembly.js"
import * as LinkMemory from "../../src/link/LinkMemory.js"
import { Stack } from "../../src/Stack.js"
import * as IcmpWire from "../../src/wire/IcmpMessage.js"
import * as Ip from "../../src/wire/Ipv4Header.js"
import { awaitSleeps, settle } from "../support/Clock.js"
import { asIpv4, ipRepr, makePeer, PEER_ADDR } from "../support/Peer.js"
import { ADDR_A, MAC_A, MAC_B, run, stackOn, stackWithPeer } from "../support/TestNet.js"

const frag = (offset: number, len: number, more: boolean, fill = 0): Reassembly.Fragment => {
  const packet = new Uint8Array(20 + len).fill(fill)
  packet[0] = 0x45
  return { offset, more, data: packet.subarray(20), headerLen: 20, packet }
}

const addAll = (fs: ReadonlyArray<Reassembly.Fragment>) => {
  let a = Reassembly.empty
  let last: Reassembly.AddResult | undefined
  for (const f of fs) {
    last = Reassembly.add(a, f)
    if (last._tag === "Incomplete" || last._tag === "Duplicate") a = last.assembly
    else break
  }
  return last!
}

describe("Reassembly (pure)", () => {
  it("completes in any order", () => {
    const r = addAll([frag(16, 8, false, 3), frag(0, 8, true, 1), frag(8, 8, true, 2)])
    expect(r._tag).toBe("Complete")
    if (r._tag === "Complete") expect(Array.from(r.payload)).toEqual([...Array(8).fill(1), ...Array(8).fill(2), ...Array(8).fill(3)])
  })
  it("ignores exact duplicates", () => {
    const r = addAll([frag(0, 8, true), frag(0, 8, true), frag(8, 4, false), frag(8, 4, false)])
    expect(r._tag).toBe("Complete")
  })
  it("rejects any other overlap (RFC 5722 policy)", () => {
    expect(addAll([frag(0, 16, true), frag(8, 16, false)])._tag).toBe("Overlap")
    expect(addAll([frag(8, 16, false), frag(0, 16, true)])._tag).toBe("Overlap")
    expect(addAll([frag(0, 16, true), frag(0, 8, true)])._tag).toBe("Overlap")
  })
  it("rejects datagrams beyond 65535 octets and inconsistent ends", () => {
    expect(addAll([frag(65512, 8, false)])._tag).toBe("TooBig")
    expect(addAll([frag(8, 16, false), frag(32, 8, false)])._tag).toBe("Inconsistent")
    expect(addAll([frag(8, 8, false), frag(24, 8, true)])._tag).toBe("Inconsistent")
    expect(addAll([frag(0, 7, true)])._tag).toBe("Inconsistent")
  })
  it("plans fragments of multiples of 8 that fit the MTU", () => {
    const plan = Reassembly.fragmentPlan(8008, 20, 1500)
    expect(plan.map((p) => p.length)).toEqual([1480, 1480, 1480, 1480, 1480, 608])
    expect(plan.map((p) => p.more)).toEqual([true, true, true, true, true, false])
  })
})

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

const setup = stackWithPeer()

/** Collect the stack's IPv4 frames until the echo reply is complete. */
const collectReply = (peer: { next: Effect.Effect<Uint8Array> }, size: number) =>
  Effect.gen(function*() {
    let got = 0
    while (got < size + 8) {
      const ip = asIpv4(yield* peer.next)!
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
      expect((yield* stats).ipv4.assemblyBytes).toBe(2000)
      yield* TestClock.adjust("1 millis")
      const ip = asIpv4(yield* peer.next)!
      expect(ip.dst).toBe(PEER_ADDR)
      expect(ip.protocol).toBe(Ip.Protocol.ICMP)
      const icmp = Either.getOrThrow(IcmpWire.parse(ip.payload))
      expect(icmp._tag).toBe("TimeExceeded")
      if (icmp._tag === "TimeExceeded") {
        expect(icmp.code).toBe(IcmpWire.TimeExceededCode.FragmentReassembly)
        // The quote is fragment zero's header and its first 8 data octets (RFC 792).
        expect(icmp.data.length).toBe(28)
        expect((icmp.data[4]! << 8) | icmp.data[5]!).toBe(9) // the datagram's id
        expect(icmp.data[20]).toBe(IcmpWire.Type.EchoRequest)
      }
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
      const [la, lb] = yield* LinkMemory.makePair({ macA: MAC_A, macB: MAC_B })
      const stack = yield* stackOn(la, { address: ADDR_A, prefixLength: 24, reassembly: { maxAssemblies: 4 } })
      const peer = yield* makePeer(lb)
      for (let id = 100; id < 106; id++) yield* peer.sendIp(echoFragments(id, 3000, 1000)[0]!, MAC_A)
      yield* settle
      const s = yield* run(stack, Effect.flatMap(Stack, (x) => x.stats))
      expect(s.ipv4.assemblies).toBe(4)
      expect(s.ipv4.reassemblyDropped).toBe(2)
    }))

  it.scoped("bounds the octets all assemblies hold together", () =>
    Effect.gen(function*() {
      const [la, lb] = yield* LinkMemory.makePair({ macA: MAC_A, macB: MAC_B, mtu: 9000 })
      const stack = yield* stackOn(la, { address: ADDR_A, prefixLength: 24, reassembly: { maxBytes: 65535 } })
      const peer = yield* makePeer(lb)
      // Eight datagrams' first fragments of 8000 octets: 64000 fit, the ninth does not.
      for (let id = 200; id < 209; id++) yield* peer.sendIp(echoFragments(id, 20000, 8000)[0]!, MAC_A)
      yield* settle
      const s = yield* run(stack, Effect.flatMap(Stack, (x) => x.stats))
      expect(s.ipv4.assemblies).toBe(8)
      expect(s.ipv4.assemblyBytes).toBe(64000)
      expect(s.ipv4.reassemblyDropped).toBe(1)
    }))
})
