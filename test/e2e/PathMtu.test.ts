/**
 * The path MTU per destination (RFC 1191 §3, §6.3), as Linux keeps it on the
 * route (its next-hop exception, net/ipv4/route.c): a router's "fragmentation
 * needed" that one connection believed holds for every user of the route to
 * that address. A new connection starts at it (its SYN's MSS too, as Linux's
 * ipv4_default_advmss reads ipv4_mtu), the other connections take it on their
 * next send, UDP and ping fragment to it; it expires for all 10 minutes after
 * the last report that lowered it, and other addresses never see it. A raw
 * peer over the in-memory link, virtual time.
 */
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Exit, Fiber, TestClock } from "effect"
import type { Connection } from "../../src/tcp/Tcp.js"
import { Tcp } from "../../src/tcp/Tcp.js"
import { Udp } from "../../src/udp/Udp.js"
import * as Seq from "../../src/tcp/SeqNum.js"
import * as Eth from "../../src/wire/EthernetFrame.js"
import * as Addr from "../../src/wire/Ipv4Addr.js"
import * as IcmpWire from "../../src/wire/IcmpMessage.js"
import * as Ip from "../../src/wire/Ipv4Header.js"
import * as TcpWire from "../../src/wire/TcpHeader.js"
import { settle } from "../support/Clock.js"
import { Ipv4, MAX_PATH_MTUS } from "../../src/ipv4/Ipv4.js"
import * as PathMtu from "../../src/ipv4/PathMtu.js"
import { arpRequest, asIpv4, asTcp, ipRepr, PEER_ADDR, PEER_MAC, type Peer, peerSegment, synAckTo, tcpRepr } from "../support/Peer.js"
import { ADDR_A, MAC_A, pingFrom, run, stackWithPeer } from "../support/TestNet.js"
import type { StackContext } from "../support/TestNet.js"

const PEER_PORT = 5000
/** a second address the raw peer answers for */
const OTHER_ADDR = Addr.parse("198.18.0.9")!
const PEER_ISN = Seq.make(0x10000)

/** A router's "fragmentation needed" naming next-hop MTU `mtu`, quoting `frame`'s IP header and 8 octets. */
const fragmentationNeeded = (frame: Uint8Array, mtu: number) => {
  const quote = frame.subarray(Eth.HEADER_LEN, Eth.HEADER_LEN + 28)
  const icmp = new Uint8Array(IcmpWire.HEADER_LEN + quote.length)
  IcmpWire.encode({ _tag: "DstUnreachable", code: IcmpWire.DstUnreachableCode.FragmentationNeeded, nextHopMtu: mtu, data: quote }, icmp, 0)
  return ipRepr({ src: PEER_ADDR, dst: ADDR_A, protocol: Ip.Protocol.ICMP, payload: icmp })
}

/** Every frame the stack sent so far, after letting it settle. */
const sentNow = (peer: Peer) => Effect.zipRight(settle, peer.drain)

/** The frames carrying TCP data among `frames`. */
const dataOf = (frames: ReadonlyArray<Uint8Array>) => frames.filter((f) => (asTcp(f)?.payload.length ?? 0) > 0)
const payloadLengths = (frames: ReadonlyArray<Uint8Array>) => dataOf(frames).map((f) => asTcp(f)!.payload.length)

/**
 * The stack connects to port 5000 at `addr` (the peer's unless told); the peer answers the SYN
 * with a SYN-ACK offering an MSS of 1460 and nothing else. The connection, the SYN as sent, the
 * stack's ISN + 1, and helpers to acknowledge and to send.
 */
const connect = (stack: StackContext, peer: Peer, addr: Addr.Ipv4Addr = PEER_ADDR) =>
  Effect.gen(function*() {
    const opening = yield* Effect.fork(Context.get(stack, Tcp).connect({ address: addr, port: PEER_PORT }))
    const syn = (yield* sentNow(peer)).map(asTcp).find((t) => t !== undefined && (t.flags & TcpWire.Flag.SYN) !== 0)!
    const ours = Seq.add(syn.seq, 1)
    yield* peer.sendIp(
      synAckTo(syn, PEER_PORT, PEER_ISN, addr, ADDR_A),
      MAC_A
    )
    const conn: Connection = yield* Fiber.join(opening)
    yield* sentNow(peer) // the handshake's ACK
    /** the peer acknowledges `n` octets of this connection's data */
    const ackTo = (n: number) =>
      peer.sendIp(
        tcpRepr({
          srcPort: PEER_PORT,
          dstPort: syn.srcPort,
          seq: Seq.add(PEER_ISN, 1),
          ack: Seq.add(ours, n),
          flags: TcpWire.Flag.ACK,
          window: 64240,
          urgent: 0,
          options: TcpWire.NO_OPTIONS
        }, new Uint8Array(0), addr, ADDR_A),
        MAC_A
      )
    /** write `n` octets; the data frames that went */
    const send = (n: number) => Effect.zipRight(conn.write(new Uint8Array(n)), Effect.map(sentNow(peer), dataOf))
    return { conn, syn, ours, ackTo, send }
  })

/** A stack with one connection to the peer whose 3000 octets in flight met a router's MTU of `mtu`. */
const lowered = (mtu: number) =>
  Effect.gen(function*() {
    const { peer, stack, stats } = yield* stackWithPeer()
    const first = yield* connect(stack, peer)
    const flight = yield* first.send(3000)
    expect(payloadLengths(flight)).toEqual([1460, 1460, 80])
    yield* peer.sendIp(fragmentationNeeded(flight[0]!, mtu), MAC_A)
    const again = yield* sentNow(peer)
    return { peer, stack, stats, first, flight, again }
  })

describe("path MTU per destination: TCP", () => {
  it.scoped("a new connection to an address whose path MTU a router lowered starts at it: SYN's MSS and segments", () =>
    Effect.gen(function*() {
      const { again, peer, stack } = yield* lowered(1000)
      // (the 80-octet segment passed the router: only the two of 1460 go again, cut to 960)
      expect(payloadLengths(again)).toEqual([960, 960, 960, 40])
      const second = yield* connect(stack, peer)
      // Linux announces the MSS from the route's MTU with its exception (ipv4_default_advmss reads
      // ipv4_mtu), and sends at it (tcp_sync_mss from dst_mtu)
      expect(second.syn.options.mss).toBe(960)
      expect((yield* second.conn.info).mss).toBe(960)
      const sent = yield* second.send(3000)
      expect(payloadLengths(sent)).toEqual([960, 960, 960, 120])
      // with DF: the path MTU was lowered, not locked
      expect(sent.map((f) => asIpv4(f)!.dontFragment)).toEqual([true, true, true, true])
    }))

  it.scoped("a new connection to an address whose path MTU is locked (a router's MTU below 552): no DF from its SYN on", () =>
    Effect.gen(function*() {
      const { peer, stack } = yield* lowered(296)
      const opening = yield* Effect.fork(Context.get(stack, Tcp).connect({ address: PEER_ADDR, port: PEER_PORT }))
      const syn = (yield* sentNow(peer)).filter((f) => ((asTcp(f)?.flags ?? 0) & TcpWire.Flag.SYN) !== 0)
      expect(syn.map((f) => [asTcp(f)!.options.mss, asIpv4(f)!.dontFragment])).toEqual([[512, false]])
      yield* Fiber.interrupt(opening)
    }))

  it.scoped("a connection the peer opens to such an address: the SYN-ACK's MSS and the segments start at the path's MTU", () =>
    Effect.gen(function*() {
      const { peer, stack } = yield* lowered(1000)
      const listener = yield* Context.get(stack, Tcp).listen({ port: 80 })
      const segment = (over: Partial<TcpWire.TcpRepr>) => peerSegment({ seq: PEER_ISN, ...over }, new Uint8Array(0), PEER_ADDR, ADDR_A)
      yield* peer.sendIp(segment({ flags: TcpWire.Flag.SYN, options: { mss: 1460, sackPermitted: false } }), MAC_A)
      const synAck = (yield* sentNow(peer)).map(asTcp).find((t) => t !== undefined && t.dstPort === 40000)!
      // Linux's tcp_make_synack: dst_metric_advmss, from ipv4_mtu with the exception
      expect(synAck.options.mss).toBe(960)
      yield* peer.sendIp(segment({ seq: Seq.add(PEER_ISN, 1), ack: Seq.add(synAck.seq, 1) }), MAC_A)
      const conn = yield* listener.accept
      expect((yield* conn.info).mss).toBe(960)
      yield* conn.write(new Uint8Array(3000))
      expect(payloadLengths(yield* sentNow(peer))).toEqual([960, 960, 960, 120])
    }))

  it.scoped("it expires for every user 10 minutes after the report that lowered it (RFC 1191 §6.3, mtu_expires)", () =>
    Effect.gen(function*() {
      const { first, peer, stack, stats } = yield* lowered(1000)
      yield* first.ackTo(3000)
      yield* sentNow(peer)
      expect((yield* stats).ipv4.pathMtus).toBe(1)
      yield* TestClock.adjust(PathMtu.EXPIRES - 1)
      const before = yield* connect(stack, peer)
      expect(before.syn.options.mss).toBe(960)
      yield* TestClock.adjust(1)
      const after = yield* connect(stack, peer)
      expect(after.syn.options.mss).toBe(1460)
      expect(payloadLengths(yield* after.send(3000))).toEqual([1460, 1460, 80])
      // the connections that had it go back to the route's MTU at the same instant
      expect(payloadLengths(yield* before.send(3000))).toEqual([1460, 1460, 80])
      expect(payloadLengths(yield* first.send(3000))).toEqual([1460, 1460, 80])
    }))
})

describe("path MTU per destination: a report repeated", () => {
  it.scoped("the same MTU reported again after half the expiry renews it for every user (Linux's __ip_rt_update_pmtu)", () =>
    Effect.gen(function*() {
      const { first, peer, stack } = yield* lowered(1000)
      yield* first.ackTo(3000)
      yield* sentNow(peer)
      yield* TestClock.adjust(PathMtu.EXPIRES / 2)
      // the router still drops what is larger than 1000 and says so again, about a segment in flight
      const flight = yield* first.send(1000)
      expect(payloadLengths(flight)).toEqual([960, 40])
      yield* peer.sendIp(fragmentationNeeded(flight[0]!, 1000), MAC_A)
      yield* sentNow(peer)
      yield* first.ackTo(4000)
      yield* sentNow(peer)
      // where the first report would have expired, the path's MTU still holds: for a new connection
      // and for the one that heard it
      yield* TestClock.adjust(PathMtu.EXPIRES / 2)
      const second = yield* connect(stack, peer)
      expect(second.syn.options.mss).toBe(960)
      expect(payloadLengths(yield* first.send(3000))).toEqual([960, 960, 960, 120])
      yield* first.ackTo(7000)
      yield* sentNow(peer)
      // 10 minutes after the repeated report, the route's MTU again
      yield* TestClock.adjust(PathMtu.EXPIRES / 2)
      const third = yield* connect(stack, peer)
      expect(third.syn.options.mss).toBe(1460)
      expect(payloadLengths(yield* first.send(3000))).toEqual([1460, 1460, 80])
    }))
})

describe("path MTU per destination: established connections", () => {
  it.scoped("another connection to the same address takes the lowered MTU on its next send, without a report of its own", () =>
    Effect.gen(function*() {
      const { peer, stack } = yield* stackWithPeer()
      const a = yield* connect(stack, peer)
      const b = yield* connect(stack, peer)
      const flight = yield* a.send(3000)
      yield* peer.sendIp(fragmentationNeeded(flight[0]!, 1000), MAC_A)
      expect(payloadLengths(yield* sentNow(peer))).toEqual([960, 960, 960, 40])
      // Linux: b's next transmit finds the route's new MTU (tcp_current_mss → tcp_sync_mss)
      const sent = yield* b.send(3000)
      expect(payloadLengths(sent)).toEqual([960, 960, 960, 120])
      expect(sent.map((f) => asIpv4(f)!.dontFragment)).toEqual([true, true, true, true])
      expect((yield* b.conn.info).mss).toBe(960)
    }))

  it.scoped("a locked path MTU (a router's MTU below 552) takes DF off the other connections' segments too", () =>
    Effect.gen(function*() {
      const { peer, stack } = yield* stackWithPeer()
      const a = yield* connect(stack, peer)
      const b = yield* connect(stack, peer)
      const flight = yield* a.send(3000)
      yield* peer.sendIp(fragmentationNeeded(flight[0]!, 296), MAC_A)
      yield* sentNow(peer)
      const sent = yield* b.send(1000)
      expect(payloadLengths(sent)).toEqual([512, 488])
      expect(sent.map((f) => asIpv4(f)!.dontFragment)).toEqual([false, false])
    }))

  it.scoped("a connection that took it still resends at once what a router reports it sent earlier at the larger size", () =>
    Effect.gen(function*() {
      const { peer, stack } = yield* stackWithPeer()
      const a = yield* connect(stack, peer)
      const b = yield* connect(stack, peer)
      const flightA = yield* a.send(3000)
      const flightB = yield* b.send(3000)
      expect(payloadLengths(flightB)).toEqual([1460, 1460, 80])
      yield* peer.sendIp(fragmentationNeeded(flightA[0]!, 1000), MAC_A)
      yield* sentNow(peer)
      // the router's report about b's own first segment: b's flight was dropped too, and goes again
      // cut to the MTU b already took (as Linux's tcp_v4_mtu_reduced would, had it come first)
      yield* peer.sendIp(fragmentationNeeded(flightB[0]!, 1000), MAC_A)
      const again = yield* sentNow(peer)
      expect(payloadLengths(again)).toEqual([960, 960, 960, 40])
      expect(asTcp(again[0]!)!.seq).toBe(asTcp(flightB[0]!)!.seq)
      // only once: the next report about that flight sends nothing
      yield* peer.sendIp(fragmentationNeeded(flightB[1]!, 1000), MAC_A)
      expect(payloadLengths(yield* sentNow(peer))).toEqual([])
    }))

  it.scoped("a report about one address changes nothing for a connection to another", () =>
    Effect.gen(function*() {
      const { peer, stack } = yield* stackWithPeer()
      const a = yield* connect(stack, peer)
      yield* peer.sendFrame(arpRequest(ADDR_A, { mac: PEER_MAC, ip: OTHER_ADDR }))
      yield* sentNow(peer)
      const other = yield* connect(stack, peer, OTHER_ADDR)
      const flight = yield* a.send(3000)
      yield* peer.sendIp(fragmentationNeeded(flight[0]!, 1000), MAC_A)
      yield* sentNow(peer)
      expect(payloadLengths(yield* other.send(3000))).toEqual([1460, 1460, 80])
      const third = yield* connect(stack, peer, OTHER_ADDR)
      expect(third.syn.options.mss).toBe(1460)
    }))
})

/** The IPv4 datagrams among `frames` of protocol `protocol`: total length, DF, more fragments, offset. */
const datagrams = (frames: ReadonlyArray<Uint8Array>, protocol: number) =>
  frames.map(asIpv4).filter((ip) => ip !== undefined && ip.protocol === protocol).map((ip) => ({
    length: Ip.headerLen(ip!.options) + ip!.payload.length,
    df: ip!.dontFragment,
    more: ip!.moreFragments,
    offset: ip!.fragmentOffset
  }))

/** A UDP socket of the stack; `send(n)` sends n octets to the peer's port 7 and gives the datagrams that went. */
const udpSocket = (stack: StackContext, peer: Peer) =>
  Effect.map(run(stack, Effect.flatMap(Udp, (u) => u.bind())), (socket) => ({
    socket,
    send: (n: number, to: Addr.Ipv4Addr = PEER_ADDR) =>
      Effect.zipRight(socket.send(to, 7, new Uint8Array(n)), Effect.map(sentNow(peer), (f) => datagrams(f, Ip.Protocol.UDP)))
  }))

describe("path MTU per destination: UDP and ping (Linux's IP_PMTUDISC_WANT, the datagram sockets' default)", () => {
  it.scoped("a UDP datagram over the path MTU a router reported is fragmented to it, without DF (ip_fragment at dst_mtu)", () =>
    Effect.gen(function*() {
      const { peer, stack } = yield* lowered(1000)
      const udp = yield* udpSocket(stack, peer)
      // 8 + 1400 octets of UDP: 976 in the first fragment (a multiple of 8 in 980), 432 in the second
      expect(yield* udp.send(1400)).toEqual([
        { length: 996, df: false, more: true, offset: 0 },
        { length: 452, df: false, more: false, offset: 976 }
      ])
      // one that fits it goes whole, with DF, as the kernel's UDP does (test/fixtures/goldens.ts UDP_DATAGRAM)
      expect(yield* udp.send(900)).toEqual([{ length: 928, df: true, more: false, offset: 0 }])
    }))

  it.scoped("with the path MTU locked (a router's MTU below 552): fragments of 552, and no DF even on one that fits", () =>
    Effect.gen(function*() {
      const { peer, stack } = yield* lowered(296)
      const udp = yield* udpSocket(stack, peer)
      expect(yield* udp.send(600)).toEqual([
        { length: 548, df: false, more: true, offset: 0 },
        { length: 100, df: false, more: false, offset: 528 }
      ])
      expect(yield* udp.send(100)).toEqual([{ length: 128, df: false, more: false, offset: 0 }])
    }))

  it.scoped("a router's report about a UDP socket's datagram lowers the path MTU for the address: UDP and TCP after it use it", () =>
    Effect.gen(function*() {
      const { peer, stack, stats } = yield* stackWithPeer()
      const udp = yield* udpSocket(stack, peer)
      yield* udp.socket.send(PEER_ADDR, 7, new Uint8Array(1400))
      const sent = (yield* sentNow(peer)).filter((f) => asIpv4(f)?.protocol === Ip.Protocol.UDP)
      expect(sent.map((f) => asIpv4(f)!.dontFragment)).toEqual([true])
      yield* peer.sendIp(fragmentationNeeded(sent[0]!, 1000), MAC_A)
      yield* sentNow(peer)
      // the socket hears it (RFC 1122 §4.1.3.3), and the address's path MTU follows
      expect((yield* udp.socket.receiveError).mtu).toBe(1000)
      expect((yield* stats).ipv4.pathMtus).toBe(1)
      expect((yield* udp.send(1400)).map((d) => d.length)).toEqual([996, 452])
      const conn = yield* connect(stack, peer)
      expect(conn.syn.options.mss).toBe(960)
    }))

  it.scoped("a report about a datagram of a port nobody holds is not believed (Linux's __udp4_lib_err finds no socket)", () =>
    Effect.gen(function*() {
      const { peer, stack, stats } = yield* stackWithPeer()
      const udp = yield* udpSocket(stack, peer)
      yield* udp.socket.send(PEER_ADDR, 7, new Uint8Array(1400))
      const sent = (yield* sentNow(peer)).filter((f) => asIpv4(f)?.protocol === Ip.Protocol.UDP)
      // the same datagram but from another port of ours
      const forged = Uint8Array.from(sent[0]!)
      const at = Eth.HEADER_LEN + Ip.MIN_HEADER_LEN
      forged[at] = 0x12
      forged[at + 1] = 0x34
      yield* peer.sendIp(fragmentationNeeded(forged, 600), MAC_A)
      yield* sentNow(peer)
      expect((yield* stats).ipv4.pathMtus).toBe(0)
      expect((yield* udp.send(1400)).map((d) => d.length)).toEqual([1428])
    }))

  it.scoped("ping: the echo request goes with DF; a router's report about it ends the ping and lowers the path MTU, the next is cut to it", () =>
    Effect.gen(function*() {
      const { peer, stack, stats } = yield* stackWithPeer()
      const first = yield* Effect.fork(pingFrom(stack, PEER_ADDR, { size: 1400 }))
      const request = (yield* sentNow(peer)).filter((f) => asIpv4(f)?.protocol === Ip.Protocol.ICMP)
      expect(datagrams(request, Ip.Protocol.ICMP)).toEqual([{ length: 1428, df: true, more: false, offset: 0 }])
      yield* peer.sendIp(fragmentationNeeded(request[0]!, 1000), MAC_A)
      const failed = yield* Fiber.await(first)
      expect(Exit.isFailure(failed)).toBe(true)
      expect((yield* stats).ipv4.pathMtus).toBe(1)
      const second = yield* Effect.fork(pingFrom(stack, PEER_ADDR, { size: 1400 }))
      expect(datagrams(yield* sentNow(peer), Ip.Protocol.ICMP)).toEqual([
        { length: 996, df: false, more: true, offset: 0 },
        { length: 452, df: false, more: false, offset: 976 }
      ])
      yield* Fiber.interrupt(second)
    }))

  it.scoped("another address keeps its route's MTU", () =>
    Effect.gen(function*() {
      const { peer, stack } = yield* lowered(1000)
      yield* peer.sendFrame(arpRequest(ADDR_A, { mac: PEER_MAC, ip: OTHER_ADDR }))
      yield* sentNow(peer)
      const udp = yield* udpSocket(stack, peer)
      expect(yield* udp.send(1400, OTHER_ADDR)).toEqual([{ length: 1428, df: true, more: false, offset: 0 }])
    }))
})

describe("path MTU per destination: DF asked for", () => {
  it.scoped("a ping with DF over the path MTU a router reported is refused at once, nothing sent (Linux: EMSGSIZE for IP_PMTUDISC_DO)", () =>
    Effect.gen(function*() {
      const { peer, stack } = yield* lowered(1000)
      const refused = yield* Effect.fork(pingFrom(stack, PEER_ADDR, { size: 1000, dontFragment: true }))
      expect(datagrams(yield* sentNow(peer), Ip.Protocol.ICMP)).toEqual([])
      expect(refused.unsafePoll()).toMatchObject({ _tag: "Failure", cause: { error: { reason: "FragmentationNeeded" } } })
      // one that fits goes, with DF
      const fits = yield* Effect.fork(pingFrom(stack, PEER_ADDR, { size: 972, dontFragment: true }))
      expect(datagrams(yield* sentNow(peer), Ip.Protocol.ICMP)).toEqual([{ length: 1000, df: true, more: false, offset: 0 }])
      yield* Fiber.interrupt(fits)
    }))

  it.scoped("a datagram with DF and IP options is measured with its options: over the path MTU with them, refused (Linux's __ip_append_data counts opt->optlen)", () =>
    Effect.gen(function*() {
      const { peer, stack } = yield* lowered(1000)
      const ip = Context.get(stack, Ipv4)
      // 40 octets of NOPs: 20 + 40 + 960 = 1020 octets, over 1000, though 20 + 960 is not
      const ipOptions = new Uint8Array(40).fill(1)
      const refused = yield* Effect.exit(ip.send({ dst: PEER_ADDR, protocol: 253, payload: new Uint8Array(960), dontFragment: true, ipOptions }))
      expect(datagrams(yield* sentNow(peer), 253)).toEqual([])
      expect(refused).toMatchObject({ _tag: "Failure", cause: { error: { reason: "FragmentationNeeded" } } })
      // with them within it, it goes whole, options and DF kept
      yield* ip.send({ dst: PEER_ADDR, protocol: 253, payload: new Uint8Array(940), dontFragment: true, ipOptions })
      expect(datagrams(yield* sentNow(peer), 253)).toEqual([{ length: 1000, df: true, more: false, offset: 0 }])
    }))
})

describe("path MTU per destination: bounds", () => {
  it.scoped("forged reports for many addresses, quoting a bound UDP port: the table stays at its bound, the oldest evicted and counted", () =>
    Effect.gen(function*() {
      const { peer, stack, stats } = yield* stackWithPeer({ config: { gateway: PEER_ADDR } })
      yield* run(stack, Effect.flatMap(Udp, (u) => u.bind(7)))
      /** "fragmentation needed" naming 600, quoting a datagram of ours from port 7 to `dst` */
      const forged = (dst: Addr.Ipv4Addr) => {
        const quoted = Ip.emit(ipRepr({ src: ADDR_A, dst, protocol: Ip.Protocol.UDP, dontFragment: true, payload: new Uint8Array([0, 7, 0, 7, 0, 8, 0, 0]) }))
        const icmp = IcmpWire.emit({ _tag: "DstUnreachable", code: IcmpWire.DstUnreachableCode.FragmentationNeeded, nextHopMtu: 600, data: quoted })
        return ipRepr({ src: PEER_ADDR, dst: ADDR_A, protocol: Ip.Protocol.ICMP, payload: icmp })
      }
      const n = MAX_PATH_MTUS + 1000
      for (let i = 0; i < n; i++) {
        yield* peer.sendIp(forged(Addr.parse(`10.${(i >>> 16) & 0xff}.${(i >>> 8) & 0xff}.${i & 0xff}`)!), MAC_A)
        if (i % 256 === 255) yield* sentNow(peer)
      }
      yield* sentNow(peer)
      const s = (yield* stats).ipv4
      expect({ held: s.pathMtus, evicted: s.pathMtuEvictions }).toEqual({ held: MAX_PATH_MTUS, evicted: 1000 })
      // the newest are held, the first forgotten: a datagram to the first goes whole, to the last cut to 600
      const udp = yield* udpSocket(stack, peer)
      expect((yield* udp.send(1000, Addr.parse("10.0.0.0")!)).map((d) => d.length)).toEqual([1028])
      const last = n - 1
      const lastAddr = Addr.parse(`10.${(last >>> 16) & 0xff}.${(last >>> 8) & 0xff}.${last & 0xff}`)!
      expect((yield* udp.send(1000, lastAddr)).map((d) => d.length)).toEqual([596, 452])
    }))
})
