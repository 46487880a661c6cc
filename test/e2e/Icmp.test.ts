/**
 * ICMP against a raw peer in virtual time: ping timeout at exactly the
 * deadline, ping ended by a destination unreachable that quotes it, protocol
 * unreachable for unknown protocols, the error rate limit (RFC 1812
 * §4.3.2.8), DF respected on send, broadcast echo ignored.
 */
import { describe, expect, it } from "@effect/vitest"
import { Clock, Effect, Either, Exit, Fiber, Option, TestClock } from "effect"
import { Icmp } from "../../src/icmp/Icmp.js"
import { Ipv4 } from "../../src/ipv4/Ipv4.js"
import * as TokenBucket from "../../src/ipv4/TokenBucket.js"
import * as Route from "../../src/iface/Route.js"
import * as Eth from "../../src/wire/EthernetFrame.js"
import * as IcmpWire from "../../src/wire/IcmpMessage.js"
import * as Ip from "../../src/wire/Ipv4Header.js"
import * as Addr from "../../src/wire/Ipv4Addr.js"
import * as UdpWire from "../../src/wire/UdpHeader.js"
import { Udp } from "../../src/udp/Udp.js"
import { awaitSleeps, boundedWait, runAdvancing, settle } from "../support/Clock.js"
import { arpRequest, asIpv4, ipFrame, ipRepr, PEER_ADDR } from "../support/Peer.js"
import { ADDR_A, MAC_A, pingFrom, run, stackWithPeer } from "../support/TestNet.js"
import type { StackConfigInput } from "../../src/Config.js"

const setup = (config?: Partial<StackConfigInput>) => stackWithPeer(config ? { config } : {})

describe("ping client", () => {
  it.scoped("times out at exactly the timeout, not a tick earlier", () =>
    Effect.gen(function*() {
      const { stack, peer } = yield* setup()
      const fiber = yield* pingFrom(stack, PEER_ADDR, { timeout: "2 seconds" }).pipe(
        Effect.fork
      )
      const req = asIpv4(yield* peer.next)!
      expect(req.payload[0]).toBe(IcmpWire.Type.EchoRequest)
      yield* awaitSleeps(1)
      yield* TestClock.adjust("1999 millis")
      yield* settle
      expect(fiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust("1 millis")
      const exit = yield* boundedWait(Fiber.await(fiber), "the ping to end")
      expect(exit).toMatchObject({ _tag: "Failure", cause: { error: { _tag: "PingError", reason: "Timeout" } } })
      expect((yield* run(stack, Effect.flatMap(Icmp, (i) => i.stats))).outstanding).toBe(0)
    }))

  it.scoped("beyond icmp.maxOutstandingPings a ping fails at once with Busy; a finished one frees its slot", () =>
    Effect.gen(function*() {
      const { stack, peer } = yield* setup({ icmp: { maxOutstandingPings: 2 } })
      const ping = pingFrom(stack, PEER_ADDR, { timeout: "1 second" })
      const first = yield* Effect.fork(ping)
      yield* peer.next
      const second = yield* Effect.fork(ping)
      yield* peer.next
      const third = yield* boundedWait(Effect.either(ping), "the third ping to fail")
      expect(third).toMatchObject({ _tag: "Left", left: { _tag: "PingError", reason: "Busy" } })
      expect(Either.isLeft(third) && third.left.message).toBe(
        "not pinging 198.18.0.1: as many pings as icmp.maxOutstandingPings allow are waiting for replies"
      )
      // the two time out; then there is room again
      yield* awaitSleeps(2)
      yield* TestClock.adjust("1 second")
      for (const [fiber, which] of [[first, "first"], [second, "second"]] as const) {
        expect(yield* boundedWait(Fiber.await(fiber), `the ${which} ping to time out`)).toMatchObject({
          _tag: "Failure",
          cause: { error: { _tag: "PingError", reason: "Timeout" } }
        })
      }
      const fourth = yield* Effect.fork(ping)
      const req = asIpv4(yield* peer.next)!
      expect(req.payload[0]).toBe(IcmpWire.Type.EchoRequest)
      yield* Fiber.interrupt(fourth)
    }))

  it.scoped("a reply from the peer completes the ping with its sequence number and TTL", () =>
    Effect.gen(function*() {
      const { stack, peer } = yield* setup()
      const fiber = yield* pingFrom(stack, PEER_ADDR, { size: 100 }).pipe(Effect.fork)
      const req = asIpv4(yield* peer.next)!
      const echo = Either.getOrThrow(IcmpWire.parse(req.payload))
      if (echo._tag !== "EchoRequest") throw new Error("expected an echo request")
      expect(echo.data.length).toBe(100)
      yield* peer.sendIp(ipRepr({
        src: PEER_ADDR,
        dst: ADDR_A,
        ttl: 42,
        protocol: Ip.Protocol.ICMP,
        payload: IcmpWire.emit({ _tag: "EchoReply", ident: echo.ident, seq: echo.seq, data: echo.data })
      }), MAC_A)
      const reply = yield* boundedWait(Fiber.join(fiber), "the ping to end")
      expect(reply.seq).toBe(echo.seq)
      expect(reply.ttl).toBe(42)
      expect(reply.size).toBe(100)
    }))

  it.scoped("a destination unreachable quoting the request ends the ping with Unreachable", () =>
    Effect.gen(function*() {
      const { stack, peer } = yield* setup()
      const fiber = yield* pingFrom(stack, PEER_ADDR).pipe(Effect.fork)
      const frame = yield* peer.next
      const quote = frame.subarray(14, 14 + 28)
      yield* peer.sendIp(ipRepr({
        src: PEER_ADDR,
        dst: ADDR_A,
        protocol: Ip.Protocol.ICMP,
        payload: IcmpWire.emit({ _tag: "DstUnreachable", code: 1, nextHopMtu: 0, data: quote })
      }), MAC_A)
      const exit = yield* boundedWait(Fiber.await(fiber), "the ping to end")
      expect(exit).toMatchObject({ _tag: "Failure", cause: { error: { reason: "Unreachable", code: 1 } } })
    }))

  it.scoped("an unreachable of a code above 15 or a reassembly time exceeded reaches no one, as Linux's icmp_unreach drops them", () =>
    Effect.gen(function*() {
      const { stack, peer } = yield* setup()
      const fiber = yield* pingFrom(stack, PEER_ADDR, { timeout: "5 seconds" }).pipe(Effect.fork)
      const quote = (yield* peer.next).subarray(14, 14 + 28)
      const error = (message: IcmpWire.Icmpv4Repr) =>
        peer.sendIp(ipRepr({ src: PEER_ADDR, dst: ADDR_A, protocol: Ip.Protocol.ICMP, payload: IcmpWire.emit(message) }), MAC_A)
      // code 16 (no such code: NR_ICMP_UNREACH is 15), then "fragment reassembly time exceeded" (the peer
      // lost fragments of ours; Linux delivers ICMP_EXC_FRAGTIME to no socket)
      yield* error({ _tag: "DstUnreachable", code: 16, nextHopMtu: 0, data: quote })
      yield* error({ _tag: "TimeExceeded", code: IcmpWire.TimeExceededCode.FragmentReassembly, data: quote })
      yield* settle
      expect(fiber.unsafePoll()).toBeNull()
      expect((yield* run(stack, Effect.flatMap(Icmp, (i) => i.stats))).errorsIgnored).toBe(2)
      // TTL exceeded in transit still ends it
      yield* error({ _tag: "TimeExceeded", code: IcmpWire.TimeExceededCode.TtlExceeded, data: quote })
      const exit = yield* boundedWait(Fiber.await(fiber), "the ping to end")
      expect(exit).toMatchObject({ _tag: "Failure", cause: { error: { reason: "TimeExceeded", code: 0 } } })
    }))

  it.scoped("DF with a datagram over the MTU is a typed FragmentationNeeded", () =>
    Effect.gen(function*() {
      const { stack } = yield* setup()
      const exit = yield* boundedWait(Effect.exit(pingFrom(stack, PEER_ADDR, { size: 1473, dontFragment: true })), "the ping to fail")
      expect(exit).toMatchObject({ _tag: "Failure", cause: { error: { reason: "FragmentationNeeded" } } })
      const ok = yield* run(stack, Effect.flatMap(Ipv4, (ip) =>
        ip.send({ dst: PEER_ADDR, protocol: 253, payload: new Uint8Array(1480), dontFragment: true }))).pipe(Effect.exit)
      expect(Exit.isSuccess(ok)).toBe(true)
    }))

  it.scoped("an off-link destination without a gateway is NoRoute", () =>
    Effect.gen(function*() {
      const { stack } = yield* setup()
      const exit = yield* boundedWait(Effect.exit(pingFrom(stack, Addr.parse("198.19.0.1")!)), "the ping to fail")
      expect(exit).toMatchObject({ _tag: "Failure", cause: { error: { reason: "NoRoute" } } })
    }))
})

describe("ping to an on-link host that never answers ARP", () => {
  it.scoped("ends with Unreachable (host unreachable) when resolution gives up, before its timeout (Linux's arp_error_report)", () =>
    Effect.gen(function*() {
      const { stack } = yield* stackWithPeer()
      const absent = Addr.parse("198.18.0.77")!
      const start = yield* Clock.currentTimeMillis
      const exit = yield* runAdvancing(Effect.either(pingFrom(stack, absent, { timeout: "10 seconds" })), "100 millis", "1 minute")
      const took = (yield* Clock.currentTimeMillis) - start
      expect((yield* run(stack, Effect.flatMap(Ipv4, (i) => i.stats))).unresolved).toBe(1)
      const result = Exit.isSuccess(exit) && Either.isLeft(exit.value) ? { reason: exit.value.left.reason, code: exit.value.left.code } : exit
      expect(result).toEqual({ reason: "Unreachable", code: IcmpWire.DstUnreachableCode.HostUnreachable })
      // three broadcast requests a second apart, then the failure: well before the ping's own 10 s
      expect(took).toBeLessThan(10_000)
      expect((yield* run(stack, Effect.flatMap(Icmp, (i) => i.stats))).outstanding).toBe(0)
    }))
})

describe("ICMP errors and echo policy", () => {
  it.scoped("an unknown protocol gets protocol unreachable", () =>
    Effect.gen(function*() {
      const { peer, stats } = yield* setup()
      yield* peer.sendIp(ipRepr({ src: PEER_ADDR, dst: ADDR_A, protocol: 253, payload: new Uint8Array(16) }), MAC_A)
      const ip = asIpv4(yield* peer.next)!
      const m = Either.getOrThrow(IcmpWire.parse(ip.payload))
      expect(m).toMatchObject({ _tag: "DstUnreachable", code: IcmpWire.DstUnreachableCode.ProtocolUnreachable })
      expect((yield* stats).ipv4.unknownProtocol).toBe(1)
    }))

  it.scoped("one link batch of several protocols reaches each: echo, UDP, an unknown protocol, echo again", () =>
    Effect.gen(function*() {
      const { stack, peer, stats } = yield* setup()
      const socket = yield* run(stack, Effect.flatMap(Udp, (u) => u.bind(7000)))
      const ip = (protocol: number, payload: Uint8Array) => ipFrame(ipRepr({ src: PEER_ADDR, dst: ADDR_A, protocol, payload }), MAC_A)
      const echo = (seq: number) => ip(Ip.Protocol.ICMP, IcmpWire.emit({ _tag: "EchoRequest", ident: 9, seq, data: new Uint8Array(8) }))
      // (the IPv4 dealer sorts a batch by protocol: the first protocol's packets, then the others')
      yield* peer.link.sendBatch([
        echo(1),
        ip(Ip.Protocol.UDP, UdpWire.emit({ srcPort: 5000, dstPort: 7000, payload: new Uint8Array([42]) }, PEER_ADDR, ADDR_A)),
        ip(253, new Uint8Array(16)),
        echo(2)
      ])
      const answers = [yield* peer.next, yield* peer.next, yield* peer.next].map((f) => Either.getOrThrow(IcmpWire.parse(asIpv4(f)!.payload)))
      // (the protocol unreachable goes from the IPv4 dealer itself, the replies a hop later from ICMP's)
      expect(answers.map((m) => (m._tag === "EchoReply" ? `reply ${m.seq}` : m._tag))).toEqual(["DstUnreachable", "reply 1", "reply 2"])
      const d = yield* boundedWait(socket.receive, "the datagram")
      expect([d.srcPort, ...d.payload]).toEqual([5000, 42])
      const s = (yield* stats).ipv4
      expect({ delivered: s.delivered, unknown: s.unknownProtocol }).toEqual({ delivered: 3, unknown: 1 })
    }))

  it.scoped("errors about our own datagrams over the loopback are not rate-limited (Linux's __icmp_send: none for a loopback input)", () =>
    Effect.gen(function*() {
      const { stack, stats } = yield* setup({ icmp: { errorBurst: 5, errorsPerSecond: 10 }, queues: { udpErrors: 64 } })
      // 20 datagrams to a port nobody holds on the stack's own address: every one draws its port
      // unreachable, which the socket hears (RFC 1122 §4.1.3.3)
      const socket = yield* run(stack, Effect.flatMap(Udp, (u) => u.bind()))
      for (let i = 0; i < 20; i++) yield* socket.send(ADDR_A, 9, new Uint8Array(4))
      yield* settle
      const s = (yield* stats).ipv4
      expect({ sent: s.icmpErrorsSent, limited: s.icmpErrorsRateLimited }).toEqual({ sent: 20, limited: 0 })
      for (let i = 0; i < 20; i++) {
        expect((yield* boundedWait(socket.receiveError, "a port unreachable")).code).toBe(IcmpWire.DstUnreachableCode.PortUnreachable)
      }
    }))

  it.scoped("a port unreachable about a datagram to 127.0.0.9 reaches the socket that sent it (from 127.0.0.9)", () =>
    Effect.gen(function*() {
      const { stack, stats } = yield* setup()
      const socket = yield* run(stack, Effect.flatMap(Udp, (u) => u.bind()))
      yield* socket.send(Addr.parse("127.0.0.9")!, 9, new Uint8Array(4))
      yield* settle
      expect((yield* stats).ipv4.icmpErrorsSent).toBe(1)
      const e = yield* boundedWait(socket.receiveError, "the port unreachable")
      expect([e.code, Addr.format(e.dst), e.dstPort]).toEqual([IcmpWire.DstUnreachableCode.PortUnreachable, "127.0.0.9", 9])
    }))

  it.scoped("errors are rate-limited by a token bucket on the Clock", () =>
    Effect.gen(function*() {
      const { peer, stats } = yield* setup({ icmp: { errorBurst: 5, errorsPerSecond: 10 } })
      const udp = (port: number) =>
        ipRepr({
          src: PEER_ADDR,
          dst: ADDR_A,
          protocol: Ip.Protocol.UDP,
          payload: UdpWire.emit({ srcPort: 1, dstPort: port, payload: new Uint8Array(4) }, PEER_ADDR, ADDR_A)
        })
      for (let i = 0; i < 20; i++) yield* peer.sendIp(udp(1000 + i), MAC_A)
      yield* settle
      expect((yield* peer.drain).length).toBe(5)
      yield* TestClock.adjust("99 millis")
      for (let i = 0; i < 3; i++) yield* peer.sendIp(udp(2000 + i), MAC_A)
      yield* settle
      expect((yield* peer.drain).length).toBe(0)
      yield* TestClock.adjust("1 millis")
      for (let i = 0; i < 3; i++) yield* peer.sendIp(udp(3000 + i), MAC_A)
      yield* settle
      expect((yield* peer.drain).length).toBe(1)
      const s = yield* stats
      expect(s.ipv4.icmpErrorsSent).toBe(6)
      expect(s.ipv4.icmpErrorsRateLimited).toBe(20)
    }))

  it.scoped("an echo request's record route comes back with us in it; a reply too big for one frame goes without", () =>
    Effect.gen(function*() {
      const { peer } = yield* setup()
      const peerOctets = [198, 18, 0, 1]
      const selfOctets = [198, 18, 0, 2]
      // a record route with the sender's slot filled and room for two more (pointer 8 of 11... 15)
      const rr = new Uint8Array([7, 15, 8, ...peerOctets, 0, 0, 0, 0, 0, 0, 0, 0, 0])
      const request = (size: number) =>
        ipRepr({ src: PEER_ADDR, dst: ADDR_A, protocol: Ip.Protocol.ICMP, options: rr, payload: IcmpWire.emit({ _tag: "EchoRequest", ident: 7, seq: 1, data: new Uint8Array(size) }) })
      yield* peer.sendIp(request(56), MAC_A)
      const reply = asIpv4(yield* peer.next)!
      expect(Array.from(reply.options)).toEqual([7, 15, 16, ...peerOctets, ...selfOctets, ...selfOctets, 0])
      expect(Either.getOrThrow(IcmpWire.parse(reply.payload))).toMatchObject({ _tag: "EchoReply", ident: 7, seq: 1 })
      // 2000 octets of data, sent in two fragments (the option in the first): the reply is
      // fragmented too, and its fragments carry no options
      const icmp = IcmpWire.emit({ _tag: "EchoRequest", ident: 7, seq: 2, data: new Uint8Array(2000) })
      yield* peer.sendIp(ipRepr({ src: PEER_ADDR, dst: ADDR_A, protocol: Ip.Protocol.ICMP, id: 0x99, moreFragments: true, options: rr, payload: icmp.subarray(0, 1400) }), MAC_A)
      yield* peer.sendIp(ipRepr({ src: PEER_ADDR, dst: ADDR_A, protocol: Ip.Protocol.ICMP, id: 0x99, fragmentOffset: 1400, payload: icmp.subarray(1400) }), MAC_A)
      const first = asIpv4(yield* peer.next)!
      expect(first.moreFragments).toBe(true)
      expect(first.options.length).toBe(0)
    }))

  it.scoped("each host has its own error bucket behind the stack's (Linux: icmp_ratelimit, a burst of six): one busy host does not use up another's", () =>
    Effect.gen(function*() {
      const OTHER = Addr.parse("198.18.0.77")!
      const OTHER_MAC = new Uint8Array([0x02, 0, 0, 0, 0, 0x77])
      const { peer, stats } = yield* setup()
      const closedPort = (src: Addr.Ipv4Addr, port: number) =>
        ipRepr({ src, dst: ADDR_A, protocol: Ip.Protocol.UDP, payload: UdpWire.emit({ srcPort: 1, dstPort: port, payload: new Uint8Array(4) }, src, ADDR_A) })
      /** port unreachables the stack sent to `dst` */
      const unreachablesTo = (frames: ReadonlyArray<Uint8Array>, dst: Addr.Ipv4Addr) =>
        frames.map(asIpv4).filter((ip) => ip !== undefined && ip.dst === dst && ip.protocol === Ip.Protocol.ICMP).length
      // the other host makes itself known (the stack learns its MAC from its request)
      yield* peer.sendFrame(arpRequest(ADDR_A, { ip: OTHER, mac: OTHER_MAC }))
      yield* settle
      yield* peer.drain
      for (let i = 0; i < 10; i++) yield* peer.sendIp(closedPort(PEER_ADDR, 1000 + i), MAC_A)
      for (let i = 0; i < 10; i++) yield* peer.sendIp(closedPort(OTHER, 1000 + i), MAC_A)
      yield* settle
      const first = yield* peer.drain
      expect([unreachablesTo(first, PEER_ADDR), unreachablesTo(first, OTHER)]).toEqual([6, 6])
      expect((yield* stats).ipv4).toMatchObject({ icmpErrorsSent: 12, icmpErrorsHostLimited: 8, icmpErrorsRateLimited: 8 })
      // one more a second later
      yield* TestClock.adjust("999 millis")
      yield* peer.sendIp(closedPort(PEER_ADDR, 2000), MAC_A)
      yield* settle
      expect(unreachablesTo(yield* peer.drain, PEER_ADDR)).toBe(0)
      yield* TestClock.adjust("1 millis")
      for (let i = 0; i < 3; i++) yield* peer.sendIp(closedPort(PEER_ADDR, 3000 + i), MAC_A)
      yield* settle
      expect(unreachablesTo(yield* peer.drain, PEER_ADDR)).toBe(1)
    }))

  it.scoped("with icmp.hostErrorsPerSecond 0 only the stack's bucket limits", () =>
    Effect.gen(function*() {
      const { peer, stats } = yield* setup({ icmp: { hostErrorsPerSecond: 0 } })
      for (let i = 0; i < 10; i++) {
        yield* peer.sendIp(ipRepr({ src: PEER_ADDR, dst: ADDR_A, protocol: Ip.Protocol.UDP, payload: UdpWire.emit({ srcPort: 1, dstPort: 1000 + i, payload: new Uint8Array(4) }, PEER_ADDR, ADDR_A) }), MAC_A)
      }
      yield* settle
      expect((yield* peer.drain).length).toBe(10)
      expect((yield* stats).ipv4.icmpErrorsHostLimited).toBe(0)
    }))

  // The one path on which the stack would send an error about an ICMP
  // message: fragment zero of an ICMP datagram whose reassembly times out
  // (RFC 792 / RFC 1122 §3.3.2 time exceeded, code 1). Two such datagrams
  // time out together: the echo request draws time exceeded, the destination
  // unreachable does not (RFC 1122 §3.2.2: "An ICMP error message MUST NOT
  // be sent as the result of receiving ... an ICMP error message").
  it.scoped("no ICMP error about an ICMP error: a timed-out ICMP error datagram draws no time exceeded", () =>
    Effect.gen(function*() {
      const { peer, stats } = yield* setup()
      /** Fragment zero (more fragments to come, never sent) of an ICMP datagram with id `id`. */
      const firstFragment = (id: number, message: IcmpWire.Icmpv4Repr) =>
        ipRepr({ src: PEER_ADDR, dst: ADDR_A, id, moreFragments: true, protocol: Ip.Protocol.ICMP, payload: IcmpWire.emit(message) })
      const quoted = ipRepr({ src: ADDR_A, dst: PEER_ADDR, protocol: Ip.Protocol.UDP, payload: new Uint8Array(16) })
      yield* peer.sendIp(firstFragment(0x0e01, { _tag: "EchoRequest", ident: 1, seq: 1, data: new Uint8Array(32) }), MAC_A)
      yield* peer.sendIp(firstFragment(0x0e02, {
        _tag: "DstUnreachable",
        code: IcmpWire.DstUnreachableCode.PortUnreachable,
        nextHopMtu: 0,
        data: Ip.emit(quoted).subarray(0, 32) // 40 octets of ICMP: a non-last fragment holds a multiple of 8
      }), MAC_A)
      yield* awaitSleeps(2)
      yield* TestClock.adjust("30 seconds")
      yield* settle
      const sent = yield* peer.drain
      expect(sent).toHaveLength(1)
      const ip = asIpv4(sent[0]!)!
      const m = Either.getOrThrow(IcmpWire.parse(ip.payload))
      expect(m).toMatchObject({ _tag: "TimeExceeded", code: IcmpWire.TimeExceededCode.FragmentReassembly })
      if (m._tag !== "TimeExceeded") throw new Error("expected time exceeded")
      expect((m.data[4]! << 8) | m.data[5]!).toBe(0x0e01) // it quotes the echo request's datagram
      const s = (yield* stats).ipv4
      expect(s.reassemblyTimeouts).toBe(2)
      expect(s.icmpErrorsSent).toBe(1)
    }))

  it.scoped("no ICMP error about an ICMP datagram of a type beyond 18 either (Linux's __icmp_send: NR_ICMP_TYPES)", () =>
    Effect.gen(function*() {
      const { peer, stats } = yield* setup()
      // fragment zero of an ICMP datagram of type 200 (none such), its other fragments never sent,
      // and the same of an echo request: only the echo request's draws time exceeded
      const firstFragment = (id: number, type: number) =>
        ipRepr({
          src: PEER_ADDR,
          dst: ADDR_A,
          id,
          moreFragments: true,
          protocol: Ip.Protocol.ICMP,
          payload: IcmpWire.emit({ _tag: "Other", type, code: 0, rest: 0, data: new Uint8Array(32) })
        })
      yield* peer.sendIp(firstFragment(0x0e03, 200), MAC_A)
      yield* peer.sendIp(firstFragment(0x0e04, IcmpWire.Type.EchoRequest), MAC_A)
      yield* awaitSleeps(2)
      yield* TestClock.adjust("30 seconds")
      yield* settle
      const sent = yield* peer.drain
      expect(sent.map((f) => {
        const m = Either.getOrThrow(IcmpWire.parse(asIpv4(f)!.payload))
        return m._tag === "TimeExceeded" ? (m.data[4]! << 8) | m.data[5]! : m._tag
      })).toEqual([0x0e04])
      expect((yield* stats).ipv4.reassemblyTimeouts).toBe(2)
    }))

  it.scoped("a timestamp request is answered with a timestamp reply: its originate timestamp back, ours (ms since midnight UT) as received and transmitted (RFC 792, RFC 1122 §3.2.2.8; Linux's icmp_timestamp)", () =>
    Effect.gen(function*() {
      const { peer, stats } = yield* setup()
      // 10:00:00.250 UT, a day after the epoch
      yield* TestClock.setTime(86_400_000 + 36_000_250)
      const request = (data: Uint8Array, seq: number, tos = 0) =>
        peer.sendIp(ipRepr({
          src: PEER_ADDR,
          dst: ADDR_A,
          protocol: Ip.Protocol.ICMP,
          tos,
          payload: IcmpWire.emit({ _tag: "Other", type: 13, code: 0, rest: (7 << 16) | seq, data })
        }), MAC_A)
      yield* request(new Uint8Array([0, 1, 2, 3, 0, 0, 0, 0, 0, 0, 0, 0]), 1, 0x10)
      const ip = asIpv4(yield* peer.next)!
      expect([ip.protocol, ip.tos]).toEqual([Ip.Protocol.ICMP, 0x10])
      const reply = Either.getOrThrow(IcmpWire.parse(ip.payload))
      expect(reply).toMatchObject({ _tag: "Other", type: 14, code: 0, rest: (7 << 16) | 1 })
      const stamps = reply._tag === "Other" ? Array.from(reply.data) : []
      const ms = [0x02, 0x25, 0x51, 0xfa] // 36 000 250
      expect(stamps).toEqual([0, 1, 2, 3, ...ms, ...ms])
      // a request with more data is answered with the three stamps; one without an originate
      // timestamp is not answered (Linux: fewer than 4 octets)
      yield* request(new Uint8Array(40).fill(9), 2)
      const longer = Either.getOrThrow(IcmpWire.parse(asIpv4(yield* peer.next)!.payload))
      expect(longer._tag === "Other" ? Array.from(longer.data) : []).toEqual([9, 9, 9, 9, ...ms, ...ms])
      yield* request(new Uint8Array(3), 3)
      yield* settle
      expect(Option.isNone(yield* peer.poll)).toBe(true)
      expect((yield* stats).icmp.timestampRequests).toBe(2)
    }))

  it.scoped("echo to a broadcast address is ignored", () =>
    Effect.gen(function*() {
      const { peer, stats } = yield* setup()
      yield* peer.sendIp(ipRepr({
        src: PEER_ADDR,
        dst: Addr.parse("198.18.0.255")!,
        protocol: Ip.Protocol.ICMP,
        payload: IcmpWire.emit({ _tag: "EchoRequest", ident: 1, seq: 1, data: new Uint8Array(8) })
      }), Eth.BROADCAST)
      // the same request to our own address is answered: the one above was seen and ignored, not lost
      yield* peer.sendIp(ipRepr({
        src: PEER_ADDR,
        dst: ADDR_A,
        protocol: Ip.Protocol.ICMP,
        payload: IcmpWire.emit({ _tag: "EchoRequest", ident: 1, seq: 2, data: new Uint8Array(8) })
      }), MAC_A)
      const reply = Either.getOrThrow(IcmpWire.parse(asIpv4(yield* peer.next)!.payload))
      expect(reply).toMatchObject({ _tag: "EchoReply", seq: 2 })
      yield* settle
      expect(Option.isNone(yield* peer.poll)).toBe(true)
      expect((yield* stats).icmp.broadcastIgnored).toBe(1)
    }))
})

describe("ICMP to a broadcast address (Linux's icmp_rcv takes none but echo requests, and ignores those too)", () => {
  const SUBNET_BROADCAST = Addr.parse("198.18.0.255")!
  /** A destination unreachable with `code` quoting `frame`'s datagram, from the peer to `dst`. */
  const unreachableTo = (dst: Addr.Ipv4Addr, code: number, frame: Uint8Array) =>
    ipRepr({
      src: PEER_ADDR,
      dst,
      protocol: Ip.Protocol.ICMP,
      payload: IcmpWire.emit({ _tag: "DstUnreachable", code, nextHopMtu: 0, data: frame.subarray(14, 14 + 28) })
    })

  it.scoped("a port unreachable sent to the subnet's or the limited broadcast reaches no UDP socket", () =>
    Effect.gen(function*() {
      const { stack, peer } = yield* stackWithPeer()
      const socket = yield* run(stack, Effect.flatMap(Udp, (u) => u.bind(40000)))
      yield* socket.send(PEER_ADDR, 9, new Uint8Array([1, 2, 3]))
      const frame = yield* peer.next
      yield* peer.sendIp(unreachableTo(SUBNET_BROADCAST, 3, frame), Eth.BROADCAST)
      yield* peer.sendIp(unreachableTo(Addr.BROADCAST, 3, frame), Eth.BROADCAST)
      yield* settle
      const icmp = yield* run(stack, Effect.flatMap(Icmp, (i) => i.stats))
      const udp = yield* run(stack, Effect.flatMap(Udp, (u) => u.stats))
      expect({ delivered: icmp.errorsDelivered, reported: udp.errorsReported, ignored: icmp.broadcastIgnored }).toEqual({
        delivered: 0,
        reported: 0,
        ignored: 2
      })
      // the same error to our own address is taken (the control)
      yield* peer.sendIp(unreachableTo(ADDR_A, 3, frame), MAC_A)
      yield* settle
      expect((yield* run(stack, Effect.flatMap(Udp, (u) => u.stats))).errorsReported).toBe(1)
    }))

  it.scoped("a destination unreachable sent to the subnet's broadcast does not end a ping", () =>
    Effect.gen(function*() {
      const { stack, peer } = yield* stackWithPeer()
      const ping = yield* pingFrom(stack, PEER_ADDR, { timeout: "1 second" }).pipe(Effect.fork)
      const frame = yield* peer.next
      yield* peer.sendIp(unreachableTo(SUBNET_BROADCAST, 1, frame), Eth.BROADCAST)
      yield* settle
      expect(ping.unsafePoll()).toBeNull()
      yield* Fiber.interrupt(ping)
    }))
})

describe("IPv4 options on what reaches us", () => {
  const echoWith = (options: ReadonlyArray<number>) =>
    ipRepr({
      src: PEER_ADDR,
      dst: ADDR_A,
      protocol: Ip.Protocol.ICMP,
      options: new Uint8Array(options),
      payload: IcmpWire.emit({ _tag: "EchoRequest", ident: 7, seq: 1, data: new Uint8Array(8) })
    })
  it.scoped("an echo request with record route is answered; a source route is dropped silently, a malformed option draws a Parameter Problem pointing at it (RFC 1122 §3.2.2.5)", () =>
    Effect.gen(function*() {
      const { peer, stack } = yield* stackWithPeer()
      const ipStats = Effect.map(run(stack, Effect.flatMap(Ipv4, (ip) => ip.stats)), (s) => s)
      yield* peer.sendIp(echoWith([7, 7, 4, 0, 0, 0, 0, 0]), MAC_A)
      expect(asIpv4(yield* boundedWait(peer.next, "the echo reply"))?.payload[0]).toBe(0)
      // a loose source route naming a hop after us: a host is not a relay
      yield* peer.sendIp(echoWith([0x83, 7, 4, 198, 18, 0, 99, 0]), MAC_A)
      yield* settle
      expect(Option.isNone(yield* peer.poll)).toBe(true)
      // a NOP, then a timestamp option of length 0: at octet 21 of the header
      const bad = echoWith([1, 68, 0, 0])
      yield* peer.sendIp(bad, MAC_A)
      const answer = asIpv4(yield* boundedWait(peer.next, "the parameter problem"))!
      expect([answer.src, answer.dst, answer.protocol]).toEqual([ADDR_A, PEER_ADDR, Ip.Protocol.ICMP])
      const problem = Either.getOrThrow(IcmpWire.parse(answer.payload))
      expect(problem).toMatchObject({ _tag: "Other", type: IcmpWire.Type.ParameterProblem, code: 0, rest: (21 << 24) >>> 0 })
      // it quotes the whole datagram (within 576 octets, as Linux): the header, options and all, and
      // the ICMP message (the echo's 16 octets)
      const quoted = problem._tag === "Other" ? problem.data : new Uint8Array(0)
      expect([quoted.length, quoted[0], ...quoted.subarray(20, 24), quoted[24]]).toEqual([24 + 16, 0x46, 1, 68, 0, 0, IcmpWire.Type.EchoRequest])
      // none to a datagram sent to the subnet's broadcast, or about a fragment after the first
      yield* peer.sendIp({ ...bad, dst: 0xc61200ff }, Eth.BROADCAST)
      yield* peer.sendIp({ ...bad, fragmentOffset: 8 }, MAC_A)
      yield* settle
      expect(Option.isNone(yield* peer.poll)).toBe(true)
      const s = yield* ipStats
      expect([s.sourceRouted, s.malformed.Malformed]).toEqual([1, 3])
    }))

  it.scoped("a Parameter Problem carries back only the options before the one at fault (Linux's __icmp_send echoes what ip_options_compile took before it failed)", () =>
    Effect.gen(function*() {
      const { peer } = yield* stackWithPeer()
      // a full record route, then a full timestamp whose overflow count is full: at fault, octet 26
      yield* peer.sendIp(echoWith([7, 3, 4, 68, 8, 9, 0xf0, 0, 0, 0, 1, 0]), MAC_A)
      const answer = asIpv4(yield* boundedWait(peer.next, "the parameter problem"))!
      const problem = Either.getOrThrow(IcmpWire.parse(answer.payload))
      expect(problem).toMatchObject({ _tag: "Other", type: IcmpWire.Type.ParameterProblem, rest: (26 << 24) >>> 0 })
      expect(Array.from(answer.options)).toEqual([7, 3, 4, 0])
      // at fault first: nothing to carry back
      yield* peer.sendIp(echoWith([68, 12, 9, 1, 0, 0, 0, 0, 0, 0, 0, 0]), MAC_A)
      const second = asIpv4(yield* boundedWait(peer.next, "the parameter problem"))!
      expect(second.options.length).toBe(0)
    }))
})

describe("TokenBucket and Route (pure)", () => {
  it("refills continuously up to the burst", () => {
    let b = TokenBucket.full(2, 0)
    const step = (now: number) => {
      const next = TokenBucket.take(b, now, 10, 2)
      if (next !== undefined) b = next
      return next !== undefined
    }
    expect([step(0), step(0), step(0)]).toEqual([true, true, false])
    expect(step(99)).toBe(false)
    expect(step(100)).toBe(true)
    expect([step(10_000), step(10_000), step(10_000)]).toEqual([true, true, false])
  })
  it("selects local, broadcast, direct, gateway and no route", () => {
    const t = { address: ADDR_A, prefixLength: 24, gateway: Addr.parse("198.18.0.1")! }
    expect(Route.select(t, ADDR_A)._tag).toBe("Local")
    expect(Route.select(t, Addr.parse("127.0.0.1")!)._tag).toBe("Local")
    expect(Route.select(t, Addr.parse("198.18.0.255")!)._tag).toBe("Broadcast")
    expect(Route.select(t, 0xffffffff)._tag).toBe("Broadcast")
    expect(Route.select(t, Addr.parse("198.18.0.9")!)).toEqual({ _tag: "Direct", nextHop: Addr.parse("198.18.0.9")! })
    expect(Route.select(t, Addr.parse("198.19.1.1")!)).toEqual({ _tag: "Gateway", nextHop: t.gateway })
    expect(Route.select({ ...t, gateway: undefined }, Addr.parse("198.19.1.1")!)._tag).toBe("NoRoute")
    expect(Route.select(t, Addr.parse("224.0.0.1")!)._tag).toBe("NoRoute")
  })
})
