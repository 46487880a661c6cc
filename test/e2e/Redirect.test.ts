/**
 * ICMP redirects over the in-memory link, virtual time (RFC 1122 §3.2.2.2,
 * §3.3.1.2; Linux's icmp_redirect and __ip_do_redirect with a host's
 * defaults): the stack (198.18.0.2, gateway 198.18.0.1) sends towards
 * 198.19.1.1 through its gateway; the gateway redirects it to a second router
 * (198.18.0.5) on the same link, and the destination's next frames, UDP and
 * ICMP alike, go to that router's MAC, other destinations' still to the
 * gateway's, until the redirect expires 300 s later (ip_rt_gc_timeout). The
 * raw peer plays both routers: it sees every frame and tells them apart by
 * destination MAC.
 *
 * A redirect is believed only when the protocol that sent the quoted datagram
 * claims it, as Linux's icmp_redirect hands it to that protocol's error
 * handler, which acts on it only for a socket of its own (RFC 5927 §4.1: a
 * blind attacker cannot name one): a TCP connection of that 4-tuple with the
 * quoted sequence number in flight (tcp_v4_err), a UDP socket the reply
 * would reach (__udp4_lib_err), an echo of ours still waiting (ping_err).
 * So the UDP socket that sent the first datagram stays open here.
 */
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Fiber, Option, TestClock } from "effect"
import { Interface, MAX_REDIRECTS } from "../../src/iface/Interface.js"
import * as Route from "../../src/iface/Route.js"
import * as Seq from "../../src/tcp/SeqNum.js"
import { Tcp } from "../../src/tcp/Tcp.js"
import { Udp } from "../../src/udp/Udp.js"
import * as TcpWire from "../../src/wire/TcpHeader.js"
import * as Eth from "../../src/wire/EthernetFrame.js"
import * as Addr from "../../src/wire/Ipv4Addr.js"
import * as IcmpWire from "../../src/wire/IcmpMessage.js"
import * as Ip from "../../src/wire/Ipv4Header.js"
import * as Mac from "../../src/wire/Mac.js"
import { settle } from "../support/Clock.js"
import { arpReply, arpRequest, asArp, asIpv4, asTcp, ipFrame, ipRepr, PEER_ADDR, PEER_MAC, type Peer, synAckTo, tcpRepr } from "../support/Peer.js"
import { ADDR_A, MAC_A, pingFrom, run, sendUdp, stackWithPeer } from "../support/TestNet.js"
import type { StackContext } from "../support/TestNet.js"

const ROUTER2 = Addr.parse("198.18.0.5")!
const ROUTER2_MAC = new Uint8Array([0x02, 0, 0, 0, 0, 0x98])
const FAR = Addr.parse("198.19.1.1")!
const FAR2 = Addr.parse("198.19.1.2")!

/** Who answers ARP for which address on the link. */
const ROUTERS: ReadonlyArray<readonly [Addr.Ipv4Addr, Uint8Array]> = [[PEER_ADDR, PEER_MAC], [ROUTER2, ROUTER2_MAC]]

/**
 * A redirect from `from` (the gateway unless told), naming `gateway` for the destination of the
 * datagram in `about` (a frame the stack sent), quoting its header and 8 octets.
 */
const redirectFrame = (about: Uint8Array, gateway: Addr.Ipv4Addr, from = PEER_ADDR, fromMac = PEER_MAC, code: number = IcmpWire.RedirectCode.Host) =>
  ipFrame(
    ipRepr({
      src: from,
      dst: ADDR_A,
      protocol: Ip.Protocol.ICMP,
      payload: IcmpWire.emit({ _tag: "Redirect", code, gateway, data: about.subarray(Eth.HEADER_LEN, Eth.HEADER_LEN + 28) })
    }),
    MAC_A,
    fromMac
  )

/**
 * The IPv4 frames the stack sent after `send`, as [destination MAC, IP destination]; ARP requests
 * for the routers are answered by the router asked, so a frame that waited for one goes out too.
 */
const framesOf = <E>(peer: Peer, send: Effect.Effect<unknown, E>) =>
  Effect.gen(function*() {
    yield* send
    const out: Array<readonly [string, string]> = []
    for (let round = 0; round < 3; round++) {
      yield* settle
      for (const f of yield* peer.drain) {
        const arp = asArp(f)
        if (arp !== undefined) {
          const router = ROUTERS.find(([ip]) => ip === arp.targetIp)
          if (arp.op === 1 && router !== undefined) {
            yield* peer.sendFrame(arpReply(MAC_A, ADDR_A, { mac: router[1], ip: router[0] }))
          }
          continue
        }
        const ip = asIpv4(f)
        if (ip !== undefined) out.push([Mac.format(f.subarray(0, 6)), Addr.format(ip.dst)])
      }
    }
    return out
  })

/** Frames of one UDP datagram from the stack to `dst`. */
const udpTo = (peer: Peer, stack: StackContext, dst: Addr.Ipv4Addr) => framesOf(peer, sendUdp(stack, dst, [1, 2, 3]))

const GATEWAY_MAC = Mac.format(PEER_MAC)
const ROUTER2_MAC_S = Mac.format(ROUTER2_MAC)

/**
 * The stack with a gateway, the second router known to it (it asked for our MAC), and one datagram
 * to FAR sent from a UDP socket that stays open for the test (the one a redirect about it must
 * find); `closed`: from one closed at once, so no socket of ours holds its port any more.
 */
const setup = (config: { readonly acceptRedirects?: boolean } = {}, closed = false) =>
  Effect.gen(function*() {
    const { peer, stack, stats } = yield* stackWithPeer({ config: { gateway: PEER_ADDR, icmp: config } })
    yield* peer.sendFrame(arpRequest(ADDR_A, { mac: ROUTER2_MAC, ip: ROUTER2 }))
    yield* settle
    yield* peer.drain // our ARP reply
    if (closed) yield* sendUdp(stack, FAR, [1, 2, 3])
    else {
      const socket = yield* run(stack, Effect.flatMap(Udp, (u) => u.bind()))
      yield* socket.send(FAR, 9, new Uint8Array([1, 2, 3]))
    }
    yield* settle
    const sent = (yield* peer.drain).filter((f) => asIpv4(f) !== undefined)
    expect(sent.map((f) => Mac.format(f.subarray(0, 6)))).toEqual([GATEWAY_MAC])
    return { peer, stack, stats, first: sent[0]! }
  })

/** `frame` (a TCP segment the stack sent, 20-octet IP header) with sequence number `seq`. */
const withTcpSeq = (frame: Uint8Array, seq: Seq.SeqNum): Uint8Array => {
  const f = Uint8Array.from(frame)
  new DataView(f.buffer).setUint32(Eth.HEADER_LEN + 20 + TcpWire.Field.seq, seq)
  return f
}

/** A connection from the stack to FAR:5000, through the gateway: its SYN and handshake ACK frames. */
const connected = (peer: Peer, stack: StackContext) =>
  Effect.gen(function*() {
    const opening = yield* Effect.fork(Context.get(stack, Tcp).connect({ address: FAR, port: 5000 }))
    yield* settle
    const synFrame = (yield* peer.drain).find((f) => ((asTcp(f)?.flags ?? 0) & TcpWire.Flag.SYN) !== 0)!
    expect(Mac.format(synFrame.subarray(0, 6))).toBe(GATEWAY_MAC)
    const syn = asTcp(synFrame)!
    yield* peer.sendIp(
      synAckTo(syn, 5000, Seq.make(0x10000), FAR, ADDR_A),
      MAC_A
    )
    const conn = yield* Fiber.join(opening)
    yield* settle
    const ack = (yield* peer.drain).find((f) => asTcp(f) !== undefined)!
    return { conn, syn: synFrame, ack }
  })

describe("ICMP redirects", () => {
  it.scoped("a redirect from the gateway sends the destination's next datagrams, UDP and ping, to the new router; others still go to the gateway", () =>
    Effect.gen(function*() {
      const { peer, stack, stats, first } = yield* setup()
      yield* peer.sendFrame(redirectFrame(first, ROUTER2))
      yield* settle
      expect(yield* udpTo(peer, stack, FAR)).toEqual([[ROUTER2_MAC_S, "198.19.1.1"]])
      const ping = yield* Effect.fork(pingFrom(stack, FAR, { timeout: "1 second" }))
      expect(yield* framesOf(peer, Effect.void)).toEqual([[ROUTER2_MAC_S, "198.19.1.1"]])
      yield* Fiber.interrupt(ping)
      expect(yield* udpTo(peer, stack, FAR2)).toEqual([[GATEWAY_MAC, "198.19.1.2"]])
      const icmp = (yield* stats).icmp
      expect([icmp.redirects, icmp.redirectsAccepted, icmp.redirectsIgnored, icmp.redirectsRefused]).toEqual([1, 1, 0, {}])
    }))

  it.scoped("a network redirect (code 0) is taken as a host redirect: for the quoted destination alone (RFC 1122 §3.2.2.2)", () =>
    Effect.gen(function*() {
      const { peer, stack, first } = yield* setup()
      yield* peer.sendFrame(redirectFrame(first, ROUTER2, PEER_ADDR, PEER_MAC, IcmpWire.RedirectCode.Network))
      yield* settle
      expect(yield* udpTo(peer, stack, FAR)).toEqual([[ROUTER2_MAC_S, "198.19.1.1"]])
      expect(yield* udpTo(peer, stack, FAR2)).toEqual([[GATEWAY_MAC, "198.19.1.2"]])
    }))

  it.scoped("the redirect expires 300 s later (ip_rt_gc_timeout): the gateway again", () =>
    Effect.gen(function*() {
      const { peer, stack, first } = yield* setup()
      yield* peer.sendFrame(redirectFrame(first, ROUTER2))
      yield* settle
      expect(yield* udpTo(peer, stack, FAR)).toEqual([[ROUTER2_MAC_S, "198.19.1.1"]])
      yield* TestClock.adjust(Route.REDIRECT_EXPIRES - 1)
      expect(yield* udpTo(peer, stack, FAR)).toEqual([[ROUTER2_MAC_S, "198.19.1.1"]])
      yield* TestClock.adjust(1)
      expect(yield* udpTo(peer, stack, FAR)).toEqual([[GATEWAY_MAC, "198.19.1.1"]])
    }))

  it.scoped("once redirected, only the new router may redirect the destination again", () =>
    Effect.gen(function*() {
      const { peer, stack, stats, first } = yield* setup()
      yield* peer.sendFrame(redirectFrame(first, ROUTER2))
      yield* settle
      // the old gateway is not the first hop any more
      yield* peer.sendFrame(redirectFrame(first, Addr.parse("198.18.0.6")!))
      yield* settle
      expect(yield* udpTo(peer, stack, FAR)).toEqual([[ROUTER2_MAC_S, "198.19.1.1"]])
      expect((yield* stats).icmp.redirectsRefused).toEqual({ NotFromGateway: 1 })
      // the new router sends it back to the gateway: believed
      yield* peer.sendFrame(redirectFrame(first, PEER_ADDR, ROUTER2, ROUTER2_MAC))
      yield* settle
      expect(yield* udpTo(peer, stack, FAR)).toEqual([[GATEWAY_MAC, "198.19.1.1"]])
      expect((yield* stats).icmp.redirectsAccepted).toBe(2)
    }))

  it.scoped("a redirect from a host that is not the gateway is refused and counted; nothing changes", () =>
    Effect.gen(function*() {
      const { peer, stack, stats, first } = yield* setup()
      yield* peer.sendFrame(redirectFrame(first, ROUTER2, ROUTER2, ROUTER2_MAC))
      yield* settle
      expect(yield* udpTo(peer, stack, FAR)).toEqual([[GATEWAY_MAC, "198.19.1.1"]])
      expect((yield* stats).icmp.redirectsRefused).toEqual({ NotFromGateway: 1 })
    }))

  it.scoped("a redirect to a router without a known MAC asks for it and is not taken (Linux's neigh_event_send); the next one is", () =>
    Effect.gen(function*() {
      const { peer, stack, stats, first } = yield* setup()
      const ROUTER3 = Addr.parse("198.18.0.7")!
      const ROUTER3_MAC = new Uint8Array([0x02, 0, 0, 0, 0, 0x97])
      yield* peer.sendFrame(redirectFrame(first, ROUTER3))
      yield* settle
      const asked = (yield* peer.drain).map(asArp).filter((a) => a !== undefined)
      expect(asked.map((a) => [a.op, Addr.format(a.targetIp)])).toEqual([[1, "198.18.0.7"]])
      expect((yield* stats).icmp.redirectsRefused).toEqual({ GatewayUnresolved: 1 })
      expect(yield* udpTo(peer, stack, FAR)).toEqual([[GATEWAY_MAC, "198.19.1.1"]])
      // the router answers; the gateway redirects the next datagram again
      yield* peer.sendFrame(arpReply(MAC_A, ADDR_A, { mac: ROUTER3_MAC, ip: ROUTER3 }))
      yield* settle
      yield* peer.sendFrame(redirectFrame(first, ROUTER3))
      yield* settle
      expect(yield* udpTo(peer, stack, FAR)).toEqual([[Mac.format(ROUTER3_MAC), "198.19.1.1"]])
      expect((yield* stats).icmp.redirectsAccepted).toBe(1)
    }))

  it.scoped("with icmp.acceptRedirects off, redirects are ignored and counted", () =>
    Effect.gen(function*() {
      const { peer, stack, stats, first } = yield* setup({ acceptRedirects: false })
      yield* peer.sendFrame(redirectFrame(first, ROUTER2))
      yield* settle
      expect(yield* udpTo(peer, stack, FAR)).toEqual([[GATEWAY_MAC, "198.19.1.1"]])
      const icmp = (yield* stats).icmp
      expect([icmp.redirects, icmp.redirectsAccepted, icmp.redirectsIgnored]).toEqual([1, 0, 1])
    }))

  it.scoped("a redirect with a code above 3, or a quote cut short, is malformed: counted, nothing changes", () =>
    Effect.gen(function*() {
      const { peer, stack, stats, first } = yield* setup()
      yield* peer.sendFrame(redirectFrame(first, ROUTER2, PEER_ADDR, PEER_MAC, 9))
      const short = ipFrame(
        ipRepr({
          src: PEER_ADDR,
          dst: ADDR_A,
          protocol: Ip.Protocol.ICMP,
          payload: IcmpWire.emit({ _tag: "Other", type: IcmpWire.Type.Redirect, code: 1, rest: ROUTER2, data: first.subarray(Eth.HEADER_LEN, Eth.HEADER_LEN + 20) })
        }),
        MAC_A
      )
      yield* peer.sendFrame(short)
      yield* settle
      expect(yield* udpTo(peer, stack, FAR)).toEqual([[GATEWAY_MAC, "198.19.1.1"]])
      const icmp = (yield* stats).icmp
      expect([icmp.redirects, icmp.malformed, icmp.redirectsAccepted]).toEqual([2, 2, 0])
    }))

  it.scoped("the first hops held are bounded: a redirect beyond MAX_REDIRECTS evicts the oldest, counted", () =>
    Effect.gen(function*() {
      const { peer, stack, stats, first } = yield* setup()
      // redirects about datagrams of ours to FAR, FAR + 1, ...: the quote's destination rewritten
      const about = (dst: Addr.Ipv4Addr) => {
        const f = Uint8Array.from(first)
        Addr.write(f, Eth.HEADER_LEN + Ip.Field.dst, dst)
        return f
      }
      // (a settle now and then: the dealers' queues are bounded)
      for (let i = 0; i <= MAX_REDIRECTS; i++) {
        yield* peer.sendFrame(redirectFrame(about(FAR + i), ROUTER2))
        if (i % 64 === 63) yield* settle
      }
      yield* settle
      const icmp = (yield* stats).icmp
      expect([icmp.redirectsAccepted, icmp.redirectEvictions]).toEqual([MAX_REDIRECTS + 1, 1])
      // FAR, redirected first, went; the last one holds
      expect(yield* udpTo(peer, stack, FAR)).toEqual([[GATEWAY_MAC, "198.19.1.1"]])
      expect(yield* udpTo(peer, stack, FAR + MAX_REDIRECTS)).toEqual([[ROUTER2_MAC_S, Addr.format(FAR + MAX_REDIRECTS)]])
    }))

  it.scoped("a TCP connection open before the redirect sends its next segments to the new router (its held route follows)", () =>
    Effect.gen(function*() {
      const { peer, stack } = yield* setup()
      const { conn, ack } = yield* connected(peer, stack)
      // the gateway redirects, quoting the handshake's ACK (its sequence number is SND.UNA)
      yield* peer.sendFrame(redirectFrame(ack, ROUTER2))
      yield* settle
      expect(yield* framesOf(peer, conn.write(new Uint8Array(100)))).toEqual([[ROUTER2_MAC_S, "198.19.1.1"]])
    }))

  it.scoped("a redirected connection's progress confirms the new router as reachable, not the gateway it no longer uses (RFC 4861 §7.3.1, Linux's dst_confirm_neigh through the route's redirected gateway)", () =>
    Effect.gen(function*() {
      const { peer, stack } = yield* setup()
      const { conn, ack } = yield* connected(peer, stack)
      yield* peer.sendFrame(redirectFrame(ack, ROUTER2))
      yield* settle
      // the gateway's entry waits for a confirmation (Delay: the handshake used it), the new router's
      // is stale (learnt from its ARP request): the data and its ACK go by the new router alone
      yield* conn.write(new Uint8Array(100))
      yield* settle
      const data = (yield* peer.drain).map(asTcp).find((t) => t !== undefined && t.payload.length > 0)!
      yield* peer.sendIp(
        tcpRepr({
          srcPort: 5000,
          dstPort: data.srcPort,
          seq: Seq.make(0x10001),
          ack: Seq.add(data.seq, 100),
          flags: TcpWire.Flag.ACK,
          window: 64240,
          urgent: 0,
          options: { sackPermitted: false }
        }, new Uint8Array(0), FAR, ADDR_A),
        MAC_A
      )
      yield* settle
      const state = (ip: Addr.Ipv4Addr) =>
        run(stack, Effect.flatMap(Interface, (i) => i.neighbour(ip))).pipe(Effect.map(Option.map((n) => n.state)))
      expect([yield* state(ROUTER2), yield* state(PEER_ADDR)].map(Option.getOrUndefined)).toEqual(["Reachable", "Delay"])
    }))

  // RFC 5927 §4.1, Linux's tcp_v4_err: the quoted sequence number must be in [SND.UNA, SND.NXT]
  // before do_redirect runs, as for every ICMP error; a blind forger cannot guess one
  it.scoped("a redirect quoting a TCP segment whose sequence number is not in flight is refused as Unclaimed; one in flight is believed", () =>
    Effect.gen(function*() {
      const { peer, stack, stats } = yield* setup()
      const { conn, syn, ack } = yield* connected(peer, stack)
      const una = TcpWire.seqAt(ack, Eth.HEADER_LEN + 20)
      // the SYN (ISS: below SND.UNA once acknowledged), and the ACK with a sequence number past SND.MAX
      yield* peer.sendFrame(redirectFrame(syn, ROUTER2))
      yield* peer.sendFrame(redirectFrame(withTcpSeq(ack, Seq.add(una, 1000)), ROUTER2))
      yield* settle
      expect(yield* framesOf(peer, conn.write(new Uint8Array(100)))).toEqual([[GATEWAY_MAC, "198.19.1.1"]])
      expect((yield* stats).icmp.redirectsRefused).toEqual({ Unclaimed: 2 })
      // 100 octets in flight now: SND.UNA + 50 is a sequence number we sent
      yield* peer.sendFrame(redirectFrame(withTcpSeq(ack, Seq.add(una, 50)), ROUTER2))
      yield* settle
      // (the destination's datagrams, of any sender: a second small write would wait for an ACK, Nagle)
      expect(yield* udpTo(peer, stack, FAR)).toEqual([[ROUTER2_MAC_S, "198.19.1.1"]])
      expect((yield* stats).icmp.redirectsAccepted).toBe(1)
    }))

  it.scoped("a redirect quoting a TCP port of no connection, or a listener's SYN-ACK (Linux's tcp_req_err acts on no redirect), is refused as Unclaimed", () =>
    Effect.gen(function*() {
      const { peer, stack, stats } = yield* setup()
      yield* Context.get(stack, Tcp).listen({ port: 80 })
      yield* peer.sendIp(
        tcpRepr({
          srcPort: 4000,
          dstPort: 80,
          seq: Seq.make(0x20000),
          ack: Seq.make(0),
          flags: TcpWire.Flag.SYN,
          window: 64240,
          urgent: 0,
          options: { mss: 1460, sackPermitted: false }
        }, new Uint8Array(0), FAR, ADDR_A),
        MAC_A
      )
      yield* settle
      const synAck = (yield* peer.drain).find((f) => ((asTcp(f)?.flags ?? 0) & TcpWire.Flag.SYN) !== 0)!
      expect(asTcp(synAck)?.dstPort).toBe(4000)
      yield* peer.sendFrame(redirectFrame(synAck, ROUTER2))
      // the same segment from port 81: nobody's
      const other = Uint8Array.from(synAck)
      other[Eth.HEADER_LEN + 20 + 1] = 81
      yield* peer.sendFrame(redirectFrame(other, ROUTER2))
      yield* settle
      expect(yield* udpTo(peer, stack, FAR)).toEqual([[GATEWAY_MAC, "198.19.1.1"]])
      expect((yield* stats).icmp.redirectsRefused).toEqual({ Unclaimed: 2 })
    }))

  // Linux's tcp_v4_err returns for a TIME-WAIT socket before anything: the 4-tuple's last ACK
  // carries SND.MAX, a number anyone who saw the close can quote
  it.scoped("a redirect quoting the last ACK of a connection now in TIME-WAIT is refused as Unclaimed", () =>
    Effect.gen(function*() {
      const { peer, stack, stats } = yield* setup()
      const { conn, syn } = yield* connected(peer, stack)
      const port = asTcp(syn)!.srcPort
      const fromFar = (seq: Seq.SeqNum, ack: Seq.SeqNum, flags: number) =>
        peer.sendIp(
          tcpRepr({ srcPort: 5000, dstPort: port, seq, ack, flags, window: 64240, urgent: 0, options: { sackPermitted: false } }, new Uint8Array(0), FAR, ADDR_A),
          MAC_A
        )
      yield* conn.end
      yield* settle
      const fin = (yield* peer.drain).map(asTcp).find((t) => t !== undefined && (t.flags & TcpWire.Flag.FIN) !== 0)!
      const peerNxt = Seq.make(0x10001)
      yield* fromFar(peerNxt, Seq.add(fin.seq, 1), TcpWire.Flag.FIN | TcpWire.Flag.ACK)
      yield* settle
      const lastAck = (yield* peer.drain).find((f) => asTcp(f) !== undefined)!
      expect(asTcp(lastAck)!.seq).toBe(Seq.add(fin.seq, 1))
      expect((yield* stats).tcp.timeWait).toBe(1)
      yield* peer.sendFrame(redirectFrame(lastAck, ROUTER2))
      yield* settle
      expect(yield* udpTo(peer, stack, FAR)).toEqual([[GATEWAY_MAC, "198.19.1.1"]])
      expect((yield* stats).icmp.redirectsRefused).toEqual({ Unclaimed: 1 })
    }))

  // Linux's __udp4_lib_err: no socket for the quoted datagram, no ipv4_sk_redirect
  it.scoped("a redirect quoting a UDP datagram from a port no socket holds is refused as Unclaimed; nothing changes", () =>
    Effect.gen(function*() {
      const { peer, stack, stats, first } = yield* setup({}, true)
      yield* peer.sendFrame(redirectFrame(first, ROUTER2))
      yield* settle
      expect(yield* udpTo(peer, stack, FAR)).toEqual([[GATEWAY_MAC, "198.19.1.1"]])
      const icmp = (yield* stats).icmp
      expect([icmp.redirectsAccepted, icmp.redirectsRefused]).toEqual([0, { Unclaimed: 1 }])
    }))

  // Linux's ping_err: ping_lookup must find the socket of the quoted echo's identifier
  it.scoped("a redirect quoting an echo request is believed only while that echo of ours waits for its reply", () =>
    Effect.gen(function*() {
      const { peer, stack, stats } = yield* setup()
      const ping = yield* Effect.fork(pingFrom(stack, FAR, { timeout: "10 seconds" }))
      yield* settle
      const request = (yield* peer.drain).find((f) => asIpv4(f)?.protocol === Ip.Protocol.ICMP)!
      // the same echo with another sequence number: none of ours waits for it
      const forged = Uint8Array.from(request)
      forged[Eth.HEADER_LEN + 20 + 7] ^= 0xff
      yield* peer.sendFrame(redirectFrame(forged, ROUTER2))
      yield* settle
      expect((yield* stats).icmp.redirectsRefused).toEqual({ Unclaimed: 1 })
      expect(yield* udpTo(peer, stack, FAR)).toEqual([[GATEWAY_MAC, "198.19.1.1"]])
      yield* peer.sendFrame(redirectFrame(request, ROUTER2))
      yield* settle
      expect((yield* stats).icmp.redirectsAccepted).toBe(1)
      expect(yield* udpTo(peer, stack, FAR)).toEqual([[ROUTER2_MAC_S, "198.19.1.1"]])
      // the redirect did not end the ping (Linux's ping_err reports it only to IP_RECVERR)
      expect(ping.unsafePoll()).toBeNull()
      yield* Fiber.interrupt(ping)
    }))
})
