/**
 * UDP (RFC 768) between two stacks and against a raw peer: exchange, echo,
 * port unreachable, zero checksum, bounded socket queues, typed errors.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Option } from "effect"
import { DATAGRAM_OVERHEAD, serveEcho, Udp } from "../../src/udp/Udp.js"
import * as Eth from "../../src/wire/EthernetFrame.js"
import * as Ip from "../../src/wire/Ipv4Header.js"
import * as UdpWire from "../../src/wire/UdpHeader.js"
import { boundedWait, settle } from "../support/Clock.js"
import { asIpv4, ipRepr, PEER_ADDR } from "../support/Peer.js"
import { ADDR_A, ADDR_B, MAC_A, run, stackWithPeer, statsOf, twoStacks } from "../support/TestNet.js"
import { failureOf } from "../support/Failure.js"

const text = (s: string) => new TextEncoder().encode(s)
/** the broadcast address of the test subnet, 198.18.0.0/24 */
const SUBNET_BROADCAST = 0xc61200ff
const str = (b: Uint8Array) => new TextDecoder().decode(b)

describe("UDP between two stacks", () => {
  it.scoped("a datagram goes A → B and the echo comes back", () =>
    Effect.gen(function*() {
      const { a, b } = yield* twoStacks()
      const port = yield* run(b, serveEcho(7))
      expect(port).toBe(7)
      const got = yield* run(a, Effect.gen(function*() {
        const s = yield* Effect.flatMap(Udp, (u) => u.bind())
        expect(s.port).toBeGreaterThanOrEqual(49152)
        yield* s.send(ADDR_B, 7, text("hello over gonet"))
        return yield* s.receive
      }))
      expect(str(got.payload)).toBe("hello over gonet")
      expect(got.src).toBe(ADDR_B)
      expect(got.srcPort).toBe(7)
      expect(got.dst).toBe(ADDR_A)
    }))

  it.scoped("a 20000-octet datagram is fragmented and reassembled", () =>
    Effect.gen(function*() {
      const { a, b } = yield* twoStacks()
      yield* run(b, serveEcho(7))
      const payload = new Uint8Array(20000).map((_, i) => (i * 7) & 0xff)
      const got = yield* run(a, Effect.gen(function*() {
        const s = yield* Effect.flatMap(Udp, (u) => u.bind())
        yield* s.send(ADDR_B, 7, payload)
        return yield* s.receive
      }))
      expect(got.payload).toEqual(payload)
    }))

  it.scoped("a closed port answers with ICMP port unreachable", () =>
    Effect.gen(function*() {
      const { a, b } = yield* twoStacks()
      yield* run(a, Effect.gen(function*() {
        const s = yield* Effect.flatMap(Udp, (u) => u.bind())
        yield* s.send(ADDR_B, 9999, text("anyone?"))
      }))
      yield* settle
      const sb = yield* statsOf(b)
      const sa = yield* statsOf(a)
      expect(sb.udp.noPort).toBe(1)
      expect(sb.ipv4.icmpErrorsSent).toBe(1)
      expect(sa.icmp.errorsReceived).toBe(1)
    }))

  it.scoped("binding a bound port fails with AddrInUse; bad ports and oversize payloads are typed errors", () =>
    Effect.gen(function*() {
      const { a } = yield* twoStacks()
      yield* run(a, Effect.gen(function*() {
        const udp = yield* Udp
        const s = yield* udp.bind(5353)
        const again = yield* Effect.exit(udp.bind(5353))
        expect(again).toMatchObject({ _tag: "Failure", cause: { error: { reason: "AddrInUse" } } })
        const bad = yield* Effect.exit(udp.bind(70000))
        expect(bad).toMatchObject({ _tag: "Failure", cause: { error: { reason: "InvalidPort" } } })
        const big = yield* Effect.exit(s.send(ADDR_B, 7, new Uint8Array(65508)))
        expect(big).toMatchObject({ _tag: "Failure", cause: { error: { reason: "MessageTooLong" } } })
      }))
    }))

  it.scoped("closing the socket's scope unbinds the port", () =>
    Effect.gen(function*() {
      const { a } = yield* twoStacks()
      yield* run(a, Effect.gen(function*() {
        const udp = yield* Udp
        yield* Effect.scoped(udp.bind(6000))
        const again = yield* Effect.exit(Effect.scoped(udp.bind(6000)))
        expect(Exit.isSuccess(again)).toBe(true)
      }))
    }))

  it.scoped("an ephemeral port is in 49152..65535 and searched from a fresh random start per bind (RFC 6056 §3.3.1): ports bound in turn do not follow each other", () =>
    Effect.gen(function*() {
      const { a } = yield* twoStacks()
      yield* run(a, Effect.gen(function*() {
        const udp = yield* Udp
        const ports: Array<number> = []
        // each released before the next: a sequential choice would hand out p, p + 1, p + 2, ...
        for (let i = 0; i < 16; i++) ports.push(yield* Effect.scoped(Effect.map(udp.bind(), (s) => s.port)))
        expect(ports.every((p) => p >= 49152 && p <= 65535)).toBe(true)
        expect(new Set(ports).size).toBeGreaterThanOrEqual(14)
        expect(ports.slice(1).filter((p, i) => p === ports[i]! + 1).length).toBeLessThan(3)
        // held at once, they are distinct
        const held = yield* Effect.forEach([1, 2, 3, 4, 5, 6, 7, 8], () => Effect.map(udp.bind(), (s) => s.port))
        expect(new Set(held).size).toBe(held.length)
      }))
    }))
})

describe("UDP against a raw peer", () => {
  const setup = stackWithPeer()

  const udpFrom = (payload: Uint8Array, dstPort: number, zeroChecksum = false, srcPort = 4000) => {
    const u = UdpWire.emit({ srcPort, dstPort, payload }, PEER_ADDR, ADDR_A)
    if (zeroChecksum) u[6] = u[7] = 0
    return ipRepr({ src: PEER_ADDR, dst: ADDR_A, protocol: Ip.Protocol.UDP, payload: u })
  }

  it.scoped("on a link narrower than 576 octets, port unreachable quotes only what fits in the link's MTU, unfragmented (Linux's icmp_send: room = min(dst_mtu, 576))", () =>
    Effect.gen(function*() {
      const { peer } = yield* stackWithPeer({ mtu: 400 })
      // a datagram of 1008 octets reaches us in fragments of 376 data octets, reassembled
      const u = UdpWire.emit({ srcPort: 4000, dstPort: 4444, payload: new Uint8Array(1000) }, PEER_ADDR, ADDR_A)
      for (let offset = 0; offset < u.length; offset += 376) {
        const payload = u.subarray(offset, offset + 376)
        yield* peer.sendIp(
          ipRepr({ src: PEER_ADDR, dst: ADDR_A, protocol: Ip.Protocol.UDP, id: 0x4d54, moreFragments: offset + 376 < u.length, fragmentOffset: offset, payload }),
          MAC_A
        )
      }
      const ip = asIpv4(yield* peer.next)!
      expect([ip.protocol, ip.payload[0], ip.payload[1]]).toEqual([Ip.Protocol.ICMP, 3, 3])
      expect([ip.moreFragments, ip.fragmentOffset]).toEqual([false, 0])
      expect(Ip.MIN_HEADER_LEN + ip.payload.length).toBe(400)
      yield* settle
      expect(Option.isNone(yield* peer.poll)).toBe(true)
    }))

  it.scoped("on a 68-octet link, the options an ICMP error carries back take its quote's room, and with 20 octets or less left no error goes (Linux's icmp_send)", () =>
    Effect.gen(function*() {
      const { peer } = yield* stackWithPeer({ mtu: 68 })
      const rr = (len: number) => {
        const o = new Uint8Array((len + 3) & ~3)
        o.set([7, len, 4])
        return o
      }
      const send = (options: Uint8Array) =>
        peer.sendIp(ipRepr({ src: PEER_ADDR, dst: ADDR_A, protocol: Ip.Protocol.UDP, options, payload: UdpWire.emit({ srcPort: 4000, dstPort: 4444, payload: new Uint8Array(0) }, PEER_ADDR, ADDR_A) }), MAC_A)
      // 40 and 20 octets of Record Route leave 0 and 20 octets of a 68-octet error to quote in
      yield* send(rr(39))
      yield* send(rr(19))
      yield* settle
      expect((yield* peer.drain).map(asIpv4).filter((r) => r?.protocol === Ip.Protocol.ICMP)).toEqual([])
      // 16 octets leave 24: the error goes whole, its options and 24 octets of the datagram
      yield* send(rr(15))
      const ip = asIpv4(yield* peer.next)!
      expect([ip.protocol, ip.payload[0], ip.payload[1]]).toEqual([Ip.Protocol.ICMP, 3, 3])
      expect([ip.moreFragments, ip.options.length, ip.payload.length - 8]).toEqual([false, 16, 24])
    }))

  it.scoped("a datagram whose UDP length is shorter than the IP payload ends there: the port unreachable quotes no octet past it (RFC 768; Linux's __udp4_lib_rcv trims the skb to the UDP length before icmp_send)", () =>
    Effect.gen(function*() {
      const { peer } = yield* stackWithPeer()
      const u = UdpWire.emit({ srcPort: 4000, dstPort: 4444, payload: new Uint8Array(20).fill(0x75) }, PEER_ADDR, ADDR_A)
      const payload = new Uint8Array(u.length + 10).fill(0x74)
      payload.set(u)
      yield* peer.sendIp(ipRepr({ src: PEER_ADDR, dst: ADDR_A, protocol: Ip.Protocol.UDP, payload }), MAC_A)
      const ip = asIpv4(yield* peer.next)!
      expect([ip.protocol, ip.payload[0], ip.payload[1]]).toEqual([Ip.Protocol.ICMP, 3, 3])
      // the quote: the IP header (its total length as it came) and the 28-octet UDP datagram
      const quote = ip.payload.subarray(8)
      expect(quote.length).toBe(20 + 28)
      expect(Array.from(quote.subarray(20))).toEqual(Array.from(u))
    }))

  it.scoped("udp-echo answers a datagram from port 1024 up, not one from below (another echo there would ping-pong with it for ever)", () =>
    Effect.gen(function*() {
      const { stack, peer } = yield* setup
      yield* run(stack, serveEcho(7))
      const echoed = (srcPort: number) =>
        Effect.gen(function*() {
          yield* peer.sendIp(udpFrom(text("loop?"), 7, false, srcPort), MAC_A)
          yield* settle
          return (yield* peer.drain).map(asIpv4).filter((r) => r?.protocol === Ip.Protocol.UDP).length
        })
      expect(yield* echoed(7)).toBe(0)
      expect(yield* echoed(19)).toBe(0)
      expect(yield* echoed(1023)).toBe(0)
      expect(yield* echoed(1024)).toBe(1)
    }))

  it.scoped("accepts a zero checksum (RFC 768: none computed) and drops a bad one", () =>
    Effect.gen(function*() {
      const { stack, peer } = yield* setup
      const [first, stats] = yield* run(stack, Effect.gen(function*() {
        const s = yield* Effect.flatMap(Udp, (u) => u.bind(8000))
        yield* peer.sendIp(udpFrom(text("no checksum"), 8000, true), MAC_A)
        const d = yield* s.receive
        const bad = udpFrom(text("corrupt"), 8000)
        bad.payload[bad.payload.length - 1]! ^= 0xff
        yield* peer.sendIp(bad, MAC_A)
        yield* settle
        return [d, yield* Effect.flatMap(Udp, (u) => u.stats)] as const
      }))
      expect(str(first.payload)).toBe("no checksum")
      expect(stats.malformed).toBe(1)
    }))

  it.scoped("a broadcast is refused until the socket's broadcast option is on (SO_BROADCAST), and nothing reaches the link", () =>
    Effect.gen(function*() {
      const { stack, peer } = yield* setup
      const errors = yield* run(stack, Effect.gen(function*() {
        const s = yield* Effect.flatMap(Udp, (u) => u.bind())
        const directed = yield* failureOf(s.send(SUBNET_BROADCAST, 5000, text("to everyone")))
        const limited = yield* failureOf(s.send(0xffffffff, 5000, text("to everyone")))
        return [directed.reason, limited.reason]
      }))
      expect(errors).toEqual(["BroadcastNotAllowed", "BroadcastNotAllowed"])
      yield* settle
      expect(Option.isNone(yield* peer.poll)).toBe(true)
    }))

  it.scoped("a socket's TTL and TOS (IP_TTL, IP_TOS) go on what it sends; out of range they are refused", () =>
    Effect.gen(function*() {
      const { stack, peer } = yield* setup
      const refused = yield* run(stack, Effect.gen(function*() {
        const s = yield* Effect.flatMap(Udp, (u) => u.bind())
        yield* s.send(PEER_ADDR, 9, text("default"))
        yield* s.setTtl(7)
        yield* s.send(PEER_ADDR, 9, text("seven"))
        yield* s.setTos(0xb8)
        yield* s.send(PEER_ADDR, 9, text("expedited"))
        return [
          (yield* failureOf(s.setTtl(0))).reason,
          (yield* failureOf(s.setTtl(256))).reason,
          (yield* failureOf(s.setTos(256))).reason
        ]
      }))
      expect(refused).toEqual(["InvalidOption", "InvalidOption", "InvalidOption"])
      const first = asIpv4(yield* peer.next)!
      const second = asIpv4(yield* peer.next)!
      const third = asIpv4(yield* peer.next)!
      expect([first.ttl, first.tos, second.ttl, second.tos, third.ttl, third.tos]).toEqual([64, 0, 7, 0, 7, 0xb8])
    }))

  it.scoped("a receive buffer in octets (SO_RCVBUF) bounds the queue by payload and overhead, not by count", () =>
    Effect.gen(function*() {
      const { stack, peer } = yield* setup
      const [kept, dropped, later] = yield* run(stack, Effect.gen(function*() {
        const s = yield* Effect.flatMap(Udp, (u) => u.bind(8002, { capacity: 1000 }))
        // room for two 100-octet datagrams and their overhead: a third is taken while what is held
        // (two) is within the buffer, as Linux takes one more, and a fourth is not
        yield* s.setReceiveBuffer(2 * (100 + DATAGRAM_OVERHEAD) + 50)
        expect(yield* s.receiveBuffer).toBe(2 * (100 + DATAGRAM_OVERHEAD) + 50)
        for (let i = 0; i < 4; i++) yield* peer.sendIp(udpFrom(new Uint8Array(100).fill(i), 8002), MAC_A)
        yield* settle
        const kept = (yield* s.receiveBatch).map((d) => d.payload[0])
        const dropped = yield* s.dropped
        // read, the room is back
        yield* peer.sendIp(udpFrom(new Uint8Array(100).fill(9), 8002), MAC_A)
        yield* settle
        return [kept, dropped, (yield* s.receive).payload[0]] as const
      }))
      expect(kept).toEqual([0, 1, 2])
      expect(dropped).toBe(1)
      expect(later).toBe(9)
    }))

  it.scoped("an empty socket takes a datagram larger than its receive buffer (Linux: \"always allow at least one packet\")", () =>
    Effect.gen(function*() {
      const { stack, peer } = yield* setup
      const got = yield* run(stack, Effect.gen(function*() {
        // a 1400-octet datagram is charged 1400 + DATAGRAM_OVERHEAD, more than the whole buffer
        const s = yield* Effect.flatMap(Udp, (u) => u.bind(8004, { receiveBuffer: 2048 }))
        yield* peer.sendIp(udpFrom(new Uint8Array(1400).fill(7), 8004), MAC_A)
        yield* settle
        return [(yield* s.dropped), (yield* boundedWait(s.receive, "the datagram")).payload.length] as const
      }))
      expect(got).toEqual([0, 1400])
    }))

  it.scoped("the options may be given at bind: broadcast, TTL, a receive buffer; a bad one binds nothing", () =>
    Effect.gen(function*() {
      const { stack, peer } = yield* setup
      const [reasons, buffer, port] = yield* run(stack, Effect.gen(function*() {
        const udp = yield* Udp
        const reasons = [
          (yield* failureOf(udp.bind(8003, { ttl: 0 }))).reason,
          (yield* failureOf(udp.bind(8003, { receiveBuffer: 0 }))).reason
        ]
        // nothing was bound by those: the port is free
        const s = yield* udp.bind(8003, { broadcast: true, ttl: 9, tos: 0x28, receiveBuffer: 5000 })
        yield* s.send(SUBNET_BROADCAST, 5000, text("to everyone"))
        return [reasons, yield* s.receiveBuffer, s.port] as const
      }))
      expect(reasons).toEqual(["InvalidOption", "InvalidOption"])
      expect([buffer, port]).toEqual([5000, 8003])
      const out = asIpv4(yield* peer.next)!
      expect([out.dst, out.ttl, out.tos]).toEqual([SUBNET_BROADCAST, 9, 0x28])
    }))

  it.scoped("a broadcast we send reaches the link and our own socket on that port too (as Linux loops it back)", () =>
    Effect.gen(function*() {
      const { stack, peer } = yield* setup
      const got = yield* run(stack, Effect.gen(function*() {
        const listening = yield* Effect.flatMap(Udp, (u) => u.bind(5000))
        const sender = yield* Effect.flatMap(Udp, (u) => u.bind())
        yield* sender.setBroadcast(true)
        yield* sender.send(SUBNET_BROADCAST, 5000, text("to everyone"))
        return yield* boundedWait(listening.receive, "the broadcast looped back")
      }))
      expect(str(got.payload)).toBe("to everyone")
      expect(got.dst).toBe(SUBNET_BROADCAST)
      const out = asIpv4(yield* peer.next)!
      expect([out.dst, out.protocol]).toEqual([SUBNET_BROADCAST, Ip.Protocol.UDP])
      // and no port unreachable for the sender's own port, or anything else
      yield* settle
      expect(Option.isNone(yield* peer.poll)).toBe(true)
    }))

  it.scoped("port unreachable quotes the offending datagram, as much as fits in 576 octets, at internetwork-control precedence, and is not sent for broadcasts", () =>
    Effect.gen(function*() {
      const { peer } = yield* setup
      yield* peer.sendIp({ ...udpFrom(text("x"), 4444), tos: 0x10 }, MAC_A)
      const ip = asIpv4(yield* peer.next)!
      expect(ip.protocol).toBe(Ip.Protocol.ICMP)
      expect(ip.payload[0]).toBe(3)
      expect(ip.payload[1]).toBe(3)
      // the whole datagram (20 + 8 + 1) comes back (Linux's icmp_send: as much as fits in 576,
      // RFC 1812 §4.3.2.3); the TOS is precedence 6 with the datagram's TOS bits (IPTOS_PREC_INTERNETCONTROL)
      expect(ip.payload.length).toBe(8 + 29)
      expect(ip.tos).toBe(0xc0 | 0x10)
      expect((ip.payload[8 + 20 + 2]! << 8) | ip.payload[8 + 20 + 3]!).toBe(4444)
      // a long one: cut at 576 octets of ICMP datagram (548 of the quote)
      yield* peer.sendIp(udpFrom(new Uint8Array(1200), 4444), MAC_A)
      const long = asIpv4(yield* peer.next)!
      expect(Ip.MIN_HEADER_LEN + long.payload.length).toBe(576)
      expect(long.tos).toBe(0xc0)
      yield* peer.sendIp({ ...udpFrom(text("x"), 4444), dst: 0xffffffff }, Eth.BROADCAST)
      yield* settle
      expect(Option.isNone(yield* peer.poll)).toBe(true)
    }))

  it.scoped("a datagram comes with its TOS and IP options, as received (RFC 1122 §3.2.1.6, §4.1.4)", () =>
    Effect.gen(function*() {
      const { stack, peer } = yield* setup
      const rr = new Uint8Array([7, 7, 4, 0, 0, 0, 0, 0]) // record route, one empty slot, then EOL
      const got = yield* run(stack, Effect.gen(function*() {
        const s = yield* Effect.flatMap(Udp, (u) => u.bind(8004))
        yield* peer.sendIp(ipRepr({
          src: PEER_ADDR,
          dst: ADDR_A,
          protocol: Ip.Protocol.UDP,
          tos: 0xb8,
          options: rr,
          payload: UdpWire.emit({ srcPort: 1, dstPort: 8004, payload: text("marked") }, PEER_ADDR, ADDR_A)
        }), MAC_A)
        yield* peer.sendIp(udpFrom(text("plain"), 8004), MAC_A)
        yield* settle
        return yield* s.receiveBatch
      }))
      expect(got.map((d) => [str(d.payload), d.tos, Array.from(d.ipOptions)])).toEqual([
        ["marked", 0xb8, Array.from(rr)],
        ["plain", 0, []]
      ])
    }))

  it.scoped("a full socket queue drops and counts", () =>
    Effect.gen(function*() {
      const { stack, peer } = yield* setup
      const dropped = yield* run(stack, Effect.gen(function*() {
        const s = yield* Effect.flatMap(Udp, (u) => u.bind(8001, { capacity: 3 }))
        for (let i = 0; i < 5; i++) yield* peer.sendIp(udpFrom(new Uint8Array([i]), 8001), MAC_A)
        yield* settle
        const batch = yield* s.receiveBatch
        expect(batch.map((d) => d.payload[0])).toEqual([0, 1, 2])
        return yield* s.dropped
      }))
      expect(dropped).toBe(2)
    }))
})
