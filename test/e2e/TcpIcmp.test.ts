/**
 * ICMP errors about our TCP segments (RFC 1122 §4.2.3.9, RFC 1191,
 * RFC 5927), against a raw peer: "port unreachable" for our SYN refuses the
 * connect at once; a failed neighbour resolution fails it with HostUnreachable
 * after the ARP retries instead of two minutes of SYN retransmissions; an
 * error quoting a sequence number we never sent is not believed; one about
 * our data is kept as a soft error, which an established connection that
 * then times out fails with (Linux's tcp_write_err), under virtual time.
 */
import { describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Exit, Fiber, Option, TestClock } from "effect"
import { Tcp } from "../../src/tcp/Tcp.js"
import * as Eth from "../../src/wire/EthernetFrame.js"
import * as IcmpWire from "../../src/wire/IcmpMessage.js"
import * as Ip from "../../src/wire/Ipv4Header.js"
import * as Addr from "../../src/wire/Ipv4Addr.js"
import * as TcpWire from "../../src/wire/TcpHeader.js"
import { boundedWait, settle } from "../support/Clock.js"
import * as Seq from "../../src/tcp/SeqNum.js"
import { asIpv4, asTcp, ipRepr, PEER_ADDR, synAckTo } from "../support/Peer.js"
import { ADDR_A, MAC_A, run, stackWithPeer } from "../support/TestNet.js"

/** The peer's ICMP "destination unreachable" quoting `about` (an IP packet we sent). */
const unreachable = (about: Uint8Array, code: number) => {
  const quote = about.subarray(0, 28)
  const icmp = new Uint8Array(IcmpWire.HEADER_LEN + quote.length)
  IcmpWire.encode({ _tag: "DstUnreachable", code, nextHopMtu: 0, data: quote }, icmp, 0)
  return ipRepr({ src: PEER_ADDR, dst: ADDR_A, protocol: Ip.Protocol.ICMP, payload: icmp })
}

const reasonOf = <A>(exit: Exit.Exit<A, { reason: string }>) =>
  Exit.isFailure(exit) ? Option.map(Cause.failureOption(exit.cause), (e) => e.reason) : Option.none()

/** The next frame from the stack that is a TCP segment. */
const nextTcpFrame = (peer: { next: Effect.Effect<Uint8Array> }) =>
  Effect.gen(function*() {
    for (;;) {
      const f = yield* boundedWait(peer.next, "a TCP segment")
      if (asTcp(f) !== undefined) return f
    }
  })

/** The next frame from the stack that is a TCP segment, as its IP packet bytes. */
const nextTcp = (peer: { next: Effect.Effect<Uint8Array> }) =>
  Effect.gen(function*() {
    for (;;) {
      const f = yield* peer.next
      const ip = asIpv4(f)
      if (ip !== undefined && ip.protocol === Ip.Protocol.TCP) return f.subarray(Eth.HEADER_LEN)
    }
  })

describe("ICMP errors about TCP segments", () => {
  it.scoped("port unreachable for our SYN refuses the connect at once", () =>
    Effect.gen(function*() {
      const { stack, peer, stats } = yield* stackWithPeer()
      const connecting = yield* Effect.fork(run(stack, Effect.flatMap(Tcp, (t) => t.connect({ address: PEER_ADDR, port: 80 }))))
      const syn = yield* nextTcp(peer)
      yield* peer.sendIp(unreachable(syn, IcmpWire.DstUnreachableCode.PortUnreachable), MAC_A)
      yield* settle
      expect(reasonOf(yield* boundedWait(Fiber.await(connecting), "connect to fail"))).toEqual(Option.some("ConnectionRefused"))
      expect((yield* stats).tcp.icmpErrors).toBe(1)
    }))

  it.scoped("a firewall's 'administratively prohibited' or a time exceeded for our SYN fails the connect at once with HostUnreachable (Linux's tcp_v4_err)", () =>
    Effect.gen(function*() {
      const { stack, peer } = yield* stackWithPeer()
      // iptables' REJECT --reject-with icmp-host-prohibited (code 10) / icmp-admin-prohibited (code 13)
      const timeExceeded = (about: Uint8Array) => {
        const quote = about.subarray(0, 28)
        const icmp = new Uint8Array(IcmpWire.HEADER_LEN + quote.length)
        IcmpWire.encode({ _tag: "TimeExceeded", code: IcmpWire.TimeExceededCode.TtlExceeded, data: quote }, icmp, 0)
        return ipRepr({ src: PEER_ADDR, dst: ADDR_A, protocol: Ip.Protocol.ICMP, payload: icmp })
      }
      for (const answer of [(syn: Uint8Array) => unreachable(syn, 13), (syn: Uint8Array) => unreachable(syn, 10), timeExceeded]) {
        const connecting = yield* Effect.fork(run(stack, Effect.flatMap(Tcp, (t) => t.connect({ address: PEER_ADDR, port: 80 }))))
        const syn = yield* nextTcp(peer)
        yield* peer.sendIp(answer(syn), MAC_A)
        yield* settle
        // at once: no SYN retransmission (the first goes after a second) was needed to see it
        expect(reasonOf(yield* boundedWait(Fiber.await(connecting), "connect to fail"))).toEqual(Option.some("HostUnreachable"))
      }
    }))

  it.scoped("a net unreachable for our SYN fails the connect with NetworkUnreachable (ENETUNREACH, as Linux's icmp_err_convert), not HostUnreachable", () =>
    Effect.gen(function*() {
      const { stack, peer } = yield* stackWithPeer()
      const connecting = yield* Effect.fork(run(stack, Effect.flatMap(Tcp, (t) => t.connect({ address: PEER_ADDR, port: 80 }))))
      const syn = yield* nextTcp(peer)
      yield* peer.sendIp(unreachable(syn, IcmpWire.DstUnreachableCode.NetUnreachable), MAC_A)
      yield* settle
      expect(reasonOf(yield* boundedWait(Fiber.await(connecting), "connect to fail"))).toEqual(Option.some("NetworkUnreachable"))
    }))

  it.scoped("an error quoting a sequence number we never sent is ignored (RFC 5927 §4.1)", () =>
    Effect.gen(function*() {
      const { stack, peer } = yield* stackWithPeer()
      const connecting = yield* Effect.fork(run(stack, Effect.flatMap(Tcp, (t) => t.connect({ address: PEER_ADDR, port: 80 }))))
      const syn = Uint8Array.from(yield* nextTcp(peer))
      // a blind attacker's guess: the ports are right, the sequence number is not
      const ihl = (syn[0]! & 0x0f) * 4
      const seq = TcpWire.seqAt(syn, ihl)
      new DataView(syn.buffer).setUint32(ihl + 4, (seq + 100_000) >>> 0)
      yield* peer.sendIp(unreachable(syn, IcmpWire.DstUnreachableCode.PortUnreachable), MAC_A)
      yield* settle
      expect(connecting.unsafePoll()).toBeNull()
      yield* Fiber.interrupt(connecting)
    }))

  it.scoped("a neighbour that never answers ARP fails the connect with HostUnreachable (EHOSTUNREACH) after the ARP retries", () =>
    Effect.gen(function*() {
      const { stack } = yield* stackWithPeer()
      const silent = Addr.parse("198.18.0.77")!
      const connecting = yield* Effect.fork(run(stack, Effect.flatMap(Tcp, (t) => t.connect({ address: silent, port: 80 }))))
      yield* settle
      // three requests one second apart, then the resolution fails (arp.retries, arp.retryInterval)
      for (let i = 0; i < 3; i++) {
        yield* TestClock.adjust("1 second")
        yield* settle
      }
      expect(reasonOf(yield* boundedWait(Fiber.await(connecting), "connect to fail"))).toEqual(Option.some("HostUnreachable"))
    }))

  it.scoped("an established connection whose data drew a host unreachable and then timed out fails with HostUnreachable, not TimedOut (tcp_write_err)", () =>
    Effect.gen(function*() {
      const { stack, peer } = yield* stackWithPeer({ config: { tcp: { retries: 3 } } })
      // the peer answers the SYN, then goes silent after our data
      const connecting = yield* Effect.fork(run(stack, Effect.flatMap(Tcp, (t) => t.connect({ address: PEER_ADDR, port: 80 }))))
      const syn = asTcp(yield* nextTcpFrame(peer))!
      yield* peer.sendIp(
        synAckTo(syn, 80, Seq.make(5000), PEER_ADDR, ADDR_A),
        MAC_A
      )
      const conn = yield* boundedWait(Fiber.join(connecting), "the connect")
      yield* conn.write(new Uint8Array(100))
      let frame = yield* nextTcpFrame(peer)
      while (asTcp(frame)!.payload.length === 0) frame = yield* nextTcpFrame(peer)
      const data = frame.subarray(Eth.HEADER_LEN)
      // a router on the way reports the host unreachable, about our data
      yield* peer.sendIp(unreachable(data, IcmpWire.DstUnreachableCode.HostUnreachable), MAC_A)
      yield* settle
      // three retransmissions and the wait after the last go unanswered (a few seconds of virtual time)
      const ended = yield* Effect.fork(conn.closed)
      for (let i = 0; i < 20 && ended.unsafePoll() === null; i++) {
        yield* TestClock.adjust("1 second")
        yield* settle
      }
      expect(reasonOf(yield* boundedWait(Fiber.await(ended), "the connection to time out"))).toEqual(Option.some("HostUnreachable"))
    }))
})
