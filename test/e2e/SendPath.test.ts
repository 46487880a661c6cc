/**
 * The build-in-place send path and the receive-side MUSTs of RFC 1122, over
 * LinkMemory in virtual time: martian sources dropped (§3.2.1.3), unicast in
 * a link-layer broadcast dropped (§3.3.6), echo replies built in the
 * request's buffer with an incrementally updated checksum (RFC 1624), IP IDs
 * per destination (RFC 7739), and ICMP errors delivered to the UDP socket
 * that sent the datagram (§4.1.3.3).
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Option } from "effect"
import { Ipv4, TRANSPORT_OFFSET } from "../../src/ipv4/Ipv4.js"
import { Udp } from "../../src/udp/Udp.js"
import * as Checksum from "../../src/wire/Checksum.js"
import * as Eth from "../../src/wire/EthernetFrame.js"
import * as IcmpWire from "../../src/wire/IcmpMessage.js"
import * as Ip from "../../src/wire/Ipv4Header.js"
import * as Addr from "../../src/wire/Ipv4Addr.js"
import { boundedWait, settle } from "../support/Clock.js"
import { arpReply, asArp, asIpv4, ipRepr, PEER_ADDR } from "../support/Peer.js"
import { ADDR_A, ADDR_B, MAC_A, pingFrom, run, sendUdp, stackWithPeer, statsOf, twoStacks } from "../support/TestNet.js"
import { failureOf } from "../support/Failure.js"

const echoRequest = (src: number, seq = 1, data = new Uint8Array([1, 2, 3, 4])) =>
  ipRepr({
    src,
    dst: ADDR_A,
    protocol: Ip.Protocol.ICMP,
    payload: IcmpWire.emit({ _tag: "EchoRequest", ident: 0x4242, seq, data })
  })

describe("martian sources (RFC 1122 §3.2.1.3)", () => {
  const martians: ReadonlyArray<readonly [string, string]> = [
    ["our subnet's directed broadcast", "198.18.0.255"],
    ["0/8 'this network'", "0.1.2.3"],
    ["0.0.0.0 to a unicast destination", "0.0.0.0"],
    ["127/8 loopback", "127.0.0.1"],
    ["class E", "240.0.0.1"],
    ["multicast", "224.0.0.5"],
    ["the limited broadcast", "255.255.255.255"],
    ["our own address", "198.18.0.2"]
  ]
  it.scoped.each(martians)("an echo request from %s is dropped, counted, never answered", ([, source]) =>
    Effect.gen(function*() {
      const { peer, stats } = yield* stackWithPeer()
      yield* peer.sendIp(echoRequest(Addr.parse(source)!), MAC_A)
      yield* settle
      expect(Option.isNone(yield* peer.poll)).toBe(true)
      const s = yield* stats
      expect(s.ipv4.martianSource).toBe(1)
      expect(s.icmp.echoRequests).toBe(0)
      // The same request from a real neighbour is answered.
      yield* peer.sendIp(echoRequest(PEER_ADDR, 2), MAC_A)
      expect(asIpv4(yield* peer.next)?.dst).toBe(PEER_ADDR)
    }))

  it.scoped("0.0.0.0 to the limited broadcast is accepted (a host configuring itself, BOOTP)", () =>
    Effect.gen(function*() {
      const { stack, peer, stats } = yield* stackWithPeer()
      const got = yield* run(stack, Effect.gen(function*() {
        const s = yield* Effect.flatMap(Udp, (u) => u.bind(67))
        yield* peer.sendIp(ipRepr({
          src: 0,
          dst: Addr.BROADCAST,
          protocol: Ip.Protocol.UDP,
          payload: new Uint8Array([0, 68, 0, 67, 0, 9, 0, 0, 7]) // zero checksum: none computed
        }), Eth.BROADCAST)
        return yield* boundedWait(s.receive, "the datagram from 0.0.0.0")
      }))
      expect(got.src).toBe(0)
      expect(Array.from(got.payload)).toEqual([7])
      expect((yield* stats).ipv4.martianSource).toBe(0)
    }))

  it.scoped("a datagram to a group (the stack joins none) draws no echo reply and no unreachable, as Linux", () =>
    Effect.gen(function*() {
      const { peer, stats } = yield* stackWithPeer()
      const group = Addr.parse("224.0.0.1")!
      const groupMac = new Uint8Array([0x01, 0x00, 0x5e, 0x00, 0x00, 0x01])
      const datagrams = [
        { ...echoRequest(PEER_ADDR), dst: group },
        ipRepr({ src: PEER_ADDR, dst: group, protocol: Ip.Protocol.UDP, payload: new Uint8Array([0x9c, 0x41, 0x27, 0x0f, 0, 9, 0, 0, 7]) }),
        ipRepr({ src: PEER_ADDR, dst: group, protocol: 253, payload: new Uint8Array(8) })
      ]
      // to the group's MAC (RFC 1112 §6.4), and to ours (a sender that got it wrong)
      for (const d of datagrams) yield* peer.sendIp(d, groupMac)
      for (const d of datagrams) yield* peer.sendIp(d, MAC_A)
      yield* settle
      expect(Option.isNone(yield* peer.poll)).toBe(true)
      const s = yield* stats
      expect([s.ethernet.notForUs, s.ipv4.notForUs]).toEqual([3, 3])
      // the same echo to our address is answered
      yield* peer.sendIp(echoRequest(PEER_ADDR, 2), MAC_A)
      expect(asIpv4(yield* peer.next)?.dst).toBe(PEER_ADDR)
    }))

  it.scoped("a unicast datagram in a link-layer broadcast frame is dropped (RFC 1122 §3.3.6)", () =>
    Effect.gen(function*() {
      const { peer, stats } = yield* stackWithPeer()
      yield* peer.sendIp(echoRequest(PEER_ADDR), Eth.BROADCAST)
      yield* settle
      expect(Option.isNone(yield* peer.poll)).toBe(true)
      expect((yield* stats).ipv4.linkBroadcastUnicast).toBe(1)
    }))
})

describe("echo replies built in place (RFC 1624)", () => {
  it.scoped("the reply carries the request's data and a checksum equal to a full recomputation", () =>
    Effect.gen(function*() {
      const { peer } = yield* stackWithPeer()
      for (let seq = 0; seq < 64; seq++) {
        const data = new Uint8Array(seq * 7 + 1).map((_, i) => (i * 31 + seq) & 0xff)
        yield* peer.sendIp(echoRequest(PEER_ADDR, seq, data), MAC_A)
        const ip = asIpv4(yield* peer.next)!
        expect(ip.src).toBe(ADDR_A)
        expect(ip.dst).toBe(PEER_ADDR)
        const reply = Either.getOrThrow(IcmpWire.parse(ip.payload)) // verifies the checksum
        expect(reply).toMatchObject({ _tag: "EchoReply", ident: 0x4242, seq })
        if (reply._tag !== "EchoReply") throw new Error(reply._tag)
        expect(Array.from(reply.data)).toEqual(Array.from(data))
        const recomputed = new Uint8Array(ip.payload)
        recomputed[2] = 0
        recomputed[3] = 0
        expect((ip.payload[2]! << 8) | ip.payload[3]!).toBe(Checksum.checksum(recomputed))
      }
    }))

  it.scoped("a request with IP options is answered too (copied once: its payload is not at the usual place)", () =>
    Effect.gen(function*() {
      const { peer } = yield* stackWithPeer()
      const options = new Uint8Array([1, 1, 1, 0]) // NOP NOP NOP EOL
      yield* peer.sendIp({ ...echoRequest(PEER_ADDR, 9), options }, MAC_A)
      const ip = asIpv4(yield* peer.next)!
      expect(ip.options.length).toBe(0) // we send no options
      expect(Either.getOrThrow(IcmpWire.parse(ip.payload))).toMatchObject({ _tag: "EchoReply", seq: 9 })
    }))
})

describe("loopback", () => {
  it.scoped("a ping to 127.0.0.1 is answered from 127.0.0.1 (RFC 1122 §3.2.2.6), without touching the link", () =>
    Effect.gen(function*() {
      const { stack, peer } = yield* stackWithPeer()
      const reply = yield* boundedWait(pingFrom(stack, Addr.parse("127.0.0.1")!), "the loopback echo reply")
      expect(reply.size).toBe(56)
      yield* settle
      expect(Option.isNone(yield* peer.poll)).toBe(true)
    }))
})

describe("ping options", () => {
  it.scoped("a ping with TTL 0, 256 or 1.5 is refused (RFC 1122 §3.2.1.7), not sent", () =>
    Effect.gen(function*() {
      const { stack, peer } = yield* stackWithPeer()
      for (const ttl of [0, 256, 1.5]) {
        const e = yield* boundedWait(failureOf(pingFrom(stack, PEER_ADDR, { ttl })), `the ping with TTL ${ttl} to be refused`)
        expect(e.reason).toBe("BadTtl")
      }
      yield* settle
      expect(Option.isNone(yield* peer.poll)).toBe(true)
    }))
})

describe("IP IDs (RFC 7739)", () => {
  it.scoped("are a counter per destination, not one global sequence", () =>
    Effect.gen(function*() {
      const { stack, peer } = yield* stackWithPeer()
      const OTHER = Addr.parse("198.18.0.9")!
      // The peer answers for a second address too, so both destinations are resolved.
      yield* sendUdp(stack, OTHER, [0])
      expect(asArp(yield* peer.next)?.targetIp).toBe(OTHER)
      yield* peer.sendFrame(arpReply(MAC_A, ADDR_A, { ip: OTHER }))
      yield* peer.next // the held datagram
      yield* sendUdp(stack, PEER_ADDR, [1])
      yield* sendUdp(stack, OTHER, [2])
      yield* sendUdp(stack, PEER_ADDR, [3])
      const [x1, y, x2] = [asIpv4(yield* peer.next)!, asIpv4(yield* peer.next)!, asIpv4(yield* peer.next)!]
      expect([x1.dst, y.dst, x2.dst]).toEqual([PEER_ADDR, OTHER, PEER_ADDR])
      // One global counter would give x2 = x1 + 2.
      expect((x2.id - x1.id) & 0xffff).toBe(1)
    }))
})

describe("ICMP errors reach the UDP socket that sent the datagram (RFC 1122 §4.1.3.3)", () => {
  it.scoped("port unreachable from the destination", () =>
    Effect.gen(function*() {
      const { a } = yield* twoStacks()
      const report = yield* run(a, Effect.gen(function*() {
        const s = yield* Effect.flatMap(Udp, (u) => u.bind(4001))
        yield* s.send(ADDR_B, 9999, new Uint8Array([1, 2, 3]))
        return yield* boundedWait(s.receiveError, "the socket's ICMP error report")
      }))
      expect(report).toMatchObject({
        type: "DstUnreachable",
        code: IcmpWire.DstUnreachableCode.PortUnreachable,
        reporter: ADDR_B,
        dst: ADDR_B,
        dstPort: 9999
      })
      const s = yield* statsOf(a)
      expect(s.icmp.errorsDelivered).toBe(1)
      expect(s.udp.errorsReported).toBe(1)
    }))

  // A router (the peer) reports on a datagram A sent from `srcPort` to FAR:53,
  // quoting its header and first 8 octets as RFC 792 says.
  const FAR = Addr.parse("198.18.0.50")!
  const quoted = (srcPort: number, fragmentOffset = 0) =>
    Ip.emit(ipRepr({
      src: ADDR_A,
      dst: FAR,
      protocol: Ip.Protocol.UDP,
      fragmentOffset,
      payload: new Uint8Array([srcPort >> 8, srcPort & 0xff, 0, 53, 0, 8, 0, 0])
    }))
  const fragmentationNeeded = (quote: Uint8Array): IcmpWire.Icmpv4Repr => ({
    _tag: "DstUnreachable",
    code: IcmpWire.DstUnreachableCode.FragmentationNeeded,
    nextHopMtu: 1400,
    data: quote
  })
  const fromRouter = (message: IcmpWire.Icmpv4Repr) =>
    ipRepr({ src: PEER_ADDR, dst: ADDR_A, protocol: Ip.Protocol.ICMP, payload: IcmpWire.emit(message) })
  /** Bind port 4002 on A, have the router send `message`, and return the report the socket gets. */
  const reportTo4002 = (message: IcmpWire.Icmpv4Repr) =>
    Effect.gen(function*() {
      const { stack, peer, stats } = yield* stackWithPeer()
      const report = yield* run(stack, Effect.gen(function*() {
        const s = yield* Effect.flatMap(Udp, (u) => u.bind(4002))
        yield* peer.sendIp(fromRouter(message), MAC_A)
        return yield* boundedWait(s.receiveError, "the socket's ICMP error report")
      }))
      return { report, stats: yield* stats }
    })

  it.scoped("fragmentation needed from a router, with its next-hop MTU", () =>
    Effect.gen(function*() {
      const { report, stats } = yield* reportTo4002(fragmentationNeeded(quoted(4002)))
      expect(report).toEqual({ type: "DstUnreachable", code: 4, mtu: 1400, reporter: PEER_ADDR, dst: FAR, dstPort: 53 })
      expect(stats.udp.errorsReported).toBe(1)
    }))

  it.scoped("a parameter problem reaches the socket too (RFC 1122 §3.2.2.5)", () =>
    Effect.gen(function*() {
      const { report } = yield* reportTo4002({ _tag: "Other", type: 12, code: 0, rest: 20 << 24, data: quoted(4002) })
      expect(report).toEqual({ type: "ParameterProblem", code: 0, mtu: 0, reporter: PEER_ADDR, dst: FAR, dstPort: 53 })
    }))

  it.scoped("an error about a port nobody has bound is counted and reported to no socket", () =>
    Effect.gen(function*() {
      const { peer, stats } = yield* stackWithPeer()
      yield* peer.sendIp(fromRouter(fragmentationNeeded(quoted(4999))), MAC_A)
      yield* settle
      const s = yield* stats
      expect(s.icmp.errorsReceived).toBe(1)
      expect(s.udp.errorsDropped).toBe(1)
      expect(s.udp.errorsReported).toBe(0)
    }))

  it.scoped("an error quoting a non-initial fragment (no ports in it) is matched to no socket", () =>
    Effect.gen(function*() {
      const { stack, peer, stats } = yield* stackWithPeer()
      yield* run(stack, Effect.flatMap(Udp, (u) => u.bind(4002)))
      yield* peer.sendIp(fromRouter(fragmentationNeeded(quoted(4002, 1480))), MAC_A)
      yield* settle
      const s = yield* stats
      expect(s.icmp.errorsReceived).toBe(1)
      expect(s.icmp.errorsIgnored).toBe(1)
      expect(s.udp.errorsReported + s.udp.errorsDropped).toBe(0)
    }))
})

describe("send buffers (Ipv4.allocate)", () => {
  it.scoped("small buffers are zeroed and never share an octet, across slabs; large ones stand alone", () =>
    Effect.gen(function*() {
      const { stack } = yield* stackWithPeer()
      const ip = yield* run(stack, Ipv4)
      const bufs: Array<Uint8Array> = []
      // enough 100-octet transport buffers to fill several 64 KiB slabs
      for (let i = 0; i < 3000; i++) {
        const b = ip.allocate(100)
        expect(b.length).toBe(TRANSPORT_OFFSET + 100)
        expect(b.every((x) => x === 0)).toBe(true)
        b.fill((i % 255) + 1)
        bufs.push(b)
      }
      // every buffer still holds what was written to it: no two overlap
      bufs.forEach((b, i) => expect(b.every((x) => x === (i % 255) + 1), `buffer ${i}`).toBe(true))
      const big = ip.allocate(1500)
      expect(big.byteOffset).toBe(0)
      expect(big.buffer.byteLength).toBe(TRANSPORT_OFFSET + 1500)
    }))
})
