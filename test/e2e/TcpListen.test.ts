/**
 * A listener against a raw peer, where the order of segments inside one
 * link batch is the test's to choose: the handshake's last ACK and the
 * data right behind it arrive in one batch, as a kernel client's do when
 * its first write follows connect() at once.
 */
import { describe, expect, it } from "@effect/vitest"
import { Clock, Effect, Either, Exit, Fiber, Option, Scope, TestClock } from "effect"
import * as Seq from "../../src/tcp/SeqNum.js"
import { Tcp } from "../../src/tcp/Tcp.js"
import * as TcpWire from "../../src/wire/TcpHeader.js"
import * as Eth from "../../src/wire/EthernetFrame.js"
import * as IcmpWire from "../../src/wire/IcmpMessage.js"
import * as Ip from "../../src/wire/Ipv4Header.js"
import { boundedWait, settle } from "../support/Clock.js"
import * as Addr from "../../src/wire/Ipv4Addr.js"
import * as ArpWire from "../../src/wire/ArpPacket.js"
import { arpReply, arpRequest, asArp, asIpv4, asTcp, ipFrame, ipRepr, PEER_ADDR, peerSegment, tcpRepr } from "../support/Peer.js"
import { ADDR_A, MAC_A, run, stackWithPeer, twoStacks } from "../support/TestNet.js"
import { failureOf } from "../support/Failure.js"

const ISN = Seq.make(0xfffffff0)

const frame = (over: Partial<TcpWire.TcpRepr>, payload = new Uint8Array(0)) =>
  ipFrame(peerSegment({ seq: ISN, ...over }, payload, PEER_ADDR, ADDR_A), MAC_A)

const segmentOf = (f: Uint8Array) => asTcp(f)!

describe("TCP listener, raw peer", () => {
  it.scoped("the completing ACK and data behind it in one batch: the data reaches the accepted connection", () =>
    Effect.gen(function*() {
      const { peer, stack } = yield* stackWithPeer()
      const listener = yield* run(stack, Effect.flatMap(Tcp, (t) => t.listen({ port: 80 })))
      yield* peer.sendFrame(frame({ flags: TcpWire.Flag.SYN, options: { mss: 1460, sackPermitted: false } }))
      const synAck = segmentOf(yield* peer.next)
      expect(synAck.flags).toBe(TcpWire.Flag.SYN | TcpWire.Flag.ACK)
      const data = Uint8Array.from({ length: 10 }, (_, i) => i + 1)
      const ack = Seq.add(synAck.seq, 1)
      // one link batch: the ACK that completes the handshake, then data, then more data
      yield* peer.link.sendBatch([
        frame({ seq: Seq.add(ISN, 1), ack }),
        frame({ seq: Seq.add(ISN, 1), ack, flags: TcpWire.Flag.ACK | TcpWire.Flag.PSH }, data.subarray(0, 4)),
        frame({ seq: Seq.add(ISN, 5), ack, flags: TcpWire.Flag.ACK | TcpWire.Flag.PSH }, data.subarray(4))
      ])
      const conn = yield* listener.accept
      const got: Array<number> = []
      while (got.length < data.length) {
        const chunk = yield* boundedWait(conn.read, "the data behind the completing ACK")
        got.push(...Option.getOrThrow(chunk))
      }
      expect(got).toEqual([...data])
      // and the stack acknowledges all of it
      let acked = ISN
      while (Seq.lt(acked, Seq.add(ISN, 11))) acked = segmentOf(yield* peer.next).ack
      expect(acked).toBe(Seq.add(ISN, 11))
    }))
})

describe("TOS (RFC 1122 §4.2.4.2: the application sets it)", () => {
  it.scoped("an accepted connection's setTos marks what it sends from then on, its ECN bits left to TCP", () =>
    Effect.gen(function*() {
      const { peer, stack } = yield* stackWithPeer()
      const listener = yield* run(stack, Effect.flatMap(Tcp, (t) => t.listen({ port: 80 })))
      yield* peer.sendFrame(frame({ flags: TcpWire.Flag.SYN, options: { mss: 1460, sackPermitted: false } }))
      const synAck = asIpv4(yield* peer.next)!
      expect(synAck.tos).toBe(0)
      const ack = Seq.add(Either.getOrThrow(TcpWire.parse(synAck.payload, synAck.src, synAck.dst)).seq, 1)
      yield* peer.sendFrame(frame({ seq: Seq.add(ISN, 1), ack }))
      const conn = yield* listener.accept
      yield* conn.setNoDelay(true) // each write its own segment
      expect((yield* failureOf(conn.setTos(256))).reason).toBe("InvalidArgument")
      yield* conn.setTos(0xbb) // DSCP EF with both ECN bits: TCP keeps those
      yield* conn.write(new Uint8Array([1, 2, 3]))
      const data = asIpv4(yield* peer.next)!
      expect([data.tos, data.payload.length > 20]).toEqual([0xb8, true])
      yield* conn.setTos(0)
      yield* conn.write(new Uint8Array([4]))
      expect(asIpv4(yield* peer.next)!.tos).toBe(0)
    }))

  it.scoped("connect({ tos }) marks the SYN too; a TOS out of range is refused", () =>
    Effect.gen(function*() {
      const { peer, stack } = yield* stackWithPeer()
      const refused = yield* run(stack, failureOf(Effect.flatMap(Tcp, (t) => t.connect({ address: PEER_ADDR, port: 80, tos: -1 }))))
      expect(refused.reason).toBe("InvalidArgument")
      const opening = yield* run(stack, Effect.fork(Effect.flatMap(Tcp, (t) => t.connect({ address: PEER_ADDR, port: 80, tos: 0x28 }))))
      // (the stack may ask ARP for the peer first)
      let syn = asIpv4(yield* peer.next)
      for (let i = 0; i < 5 && syn === undefined; i++) syn = asIpv4(yield* peer.next)
      expect(syn!.tos).toBe(0x28)
      yield* Fiber.interrupt(opening)
    }))
})

describe("a half-open connection whose SYN-ACK cannot be delivered", () => {
  it.scoped("goes as soon as its peer's address fails to resolve (host unreachable), not after its SYN-ACK retries", () =>
    Effect.gen(function*() {
      const { stack, peer, stats } = yield* stackWithPeer()
      yield* run(stack, Effect.flatMap(Tcp, (t) => t.listen({ port: 80 })))
      // a SYN from an on-link address nobody answers ARP for (a spoofed source)
      const spoofed = Addr.parse("198.18.0.77")!
      const syn = tcpRepr({
        srcPort: 40000,
        dstPort: 80,
        seq: Seq.make(1000),
        ack: Seq.ZERO,
        flags: TcpWire.Flag.SYN,
        window: 64240,
        urgent: 0,
        options: { sackPermitted: false, mss: 1460 }
      }, new Uint8Array(0), spoofed, ADDR_A)
      yield* peer.sendIp(syn, MAC_A)
      yield* settle
      expect((yield* stats).tcp.halfOpen).toBe(1)
      // ARP gives up after its retries (3, 1 s apart): the SYN-ACK's datagram is unresolved
      yield* TestClock.adjust("4 seconds")
      yield* settle
      const s = yield* stats
      expect(s.ipv4.unresolved).toBeGreaterThan(0)
      expect(s.tcp).toMatchObject({ halfOpen: 0, icmpErrors: 1, synAckTimeouts: 0 })
    }))
})

describe("a half-open connection and ICMP errors about its SYN-ACK (as Linux's tcp_v4_err / tcp_req_err)", () => {
  /** An ICMP error from the peer of `type`/`code` quoting `ip` (the SYN-ACK's datagram). */
  const icmpAbout = (ip: Uint8Array, type: number, code: number, mtu = 0) => {
    const quote = ip.subarray(Eth.HEADER_LEN, Eth.HEADER_LEN + 28)
    const msg = type === 3
      ? { _tag: "DstUnreachable" as const, code, nextHopMtu: mtu, data: quote }
      : { _tag: "TimeExceeded" as const, code, data: quote }
    const icmp = new Uint8Array(IcmpWire.HEADER_LEN + quote.length)
    IcmpWire.encode(msg, icmp, 0)
    return ipFrame(ipRepr({ src: PEER_ADDR, dst: ADDR_A, protocol: Ip.Protocol.ICMP, payload: icmp }), MAC_A)
  }
  it.scoped("stays on fragmentation needed, port unreachable and the like; goes on net/host unreachable or time exceeded", () =>
    Effect.gen(function*() {
      const { peer, stack, stats } = yield* stackWithPeer()
      yield* run(stack, Effect.flatMap(Tcp, (t) => t.listen({ port: 80 })))
      yield* peer.sendFrame(frame({ flags: TcpWire.Flag.SYN, options: { mss: 1460, sackPermitted: false } }))
      const synAck = yield* peer.next
      expect(segmentOf(synAck).flags).toBe(TcpWire.Flag.SYN | TcpWire.Flag.ACK)
      // not fatal to a request (Linux drops it only for the abort codes): the SYN-ACK still retries
      for (const [code, mtu] of [[4, 576], [3, 0], [2, 0], [13, 0]] as const) {
        yield* peer.sendFrame(icmpAbout(synAck, 3, code, mtu))
        yield* settle
        expect((yield* stats).tcp.halfOpen).toBe(1)
      }
      // time exceeded (a routing loop on the way back) is
      yield* peer.sendFrame(icmpAbout(synAck, 11, 0))
      yield* settle
      expect((yield* stats).tcp.halfOpen).toBe(0)
    }))
})

describe("listen on port 0", () => {
  it.scopedLive("takes a free ephemeral port, a different one each time, and accepts on it", () =>
    Effect.gen(function*() {
      const { a, b } = yield* twoStacks()
      const first = yield* run(a, Effect.flatMap(Tcp, (t) => t.listen({ port: 0 })))
      const second = yield* run(a, Effect.flatMap(Tcp, (t) => t.listen({ port: 0 })))
      for (const l of [first, second]) {
        expect(l.port).toBeGreaterThanOrEqual(32768)
        expect(l.port).toBeLessThanOrEqual(60999)
      }
      expect(second.port).not.toBe(first.port)
      const client = yield* Effect.fork(run(b, Effect.flatMap(Tcp, (t) => t.connect({ address: ADDR_A, port: second.port }))))
      const server = yield* second.accept
      expect(server.localPort).toBe(second.port)
      yield* Fiber.join(client)
    }), 30_000)
})

describe("a listener bound to one address (bind(2) before listen(2))", () => {
  const SYN = { flags: TcpWire.Flag.SYN, options: { mss: 1460, sackPermitted: false } }

  it.scoped("on 127.0.0.1: a SYN from the link to the stack's address draws a reset, as a closed port's", () =>
    Effect.gen(function*() {
      const { peer, stack, stats } = yield* stackWithPeer()
      yield* run(stack, Effect.flatMap(Tcp, (t) => t.listen({ port: 80, address: "127.0.0.1" })))
      yield* peer.sendFrame(frame(SYN))
      const answer = segmentOf(yield* peer.next)
      expect(answer.flags).toBe(TcpWire.Flag.RST | TcpWire.Flag.ACK)
      expect((yield* stats).tcp.halfOpen).toBe(0)
    }))

  it.scoped("on the stack's address: the link's SYN is answered", () =>
    Effect.gen(function*() {
      const { peer, stack } = yield* stackWithPeer()
      yield* run(stack, Effect.flatMap(Tcp, (t) => t.listen({ port: 80, address: ADDR_A })))
      yield* peer.sendFrame(frame(SYN))
      expect(segmentOf(yield* peer.next).flags).toBe(TcpWire.Flag.SYN | TcpWire.Flag.ACK)
    }))

  it.scopedLive("over the loopback: a connect to its address is accepted, one to another address of ours refused", () =>
    Effect.gen(function*() {
      const { a } = yield* twoStacks()
      const listener = yield* run(a, Effect.flatMap(Tcp, (t) => t.listen({ port: 80, address: "127.0.0.1" })))
      const client = yield* Effect.fork(run(a, Effect.flatMap(Tcp, (t) => t.connect({ address: "127.0.0.1", port: 80 }))))
      const server = yield* listener.accept
      expect(server.localAddress).toBe(Addr.parse("127.0.0.1"))
      yield* Fiber.join(client)
      for (const other of [ADDR_A, Addr.parse("127.0.0.2")!]) {
        const refused = yield* failureOf(run(a, Effect.flatMap(Tcp, (t) => t.connect({ address: other, port: 80 }))))
        expect([Addr.format(other), refused.reason]).toEqual([Addr.format(other), "ConnectionRefused"])
      }
    }), 30_000)

  it.scopedLive("two listeners on one port, each on its own address, each take their own connections", () =>
    Effect.gen(function*() {
      const { a, b } = yield* twoStacks()
      const local = yield* run(a, Effect.flatMap(Tcp, (t) => t.listen({ port: 80, address: "127.0.0.1" })))
      const outside = yield* run(a, Effect.flatMap(Tcp, (t) => t.listen({ port: 80, address: ADDR_A })))
      const fromB = yield* Effect.fork(run(b, Effect.flatMap(Tcp, (t) => t.connect({ address: ADDR_A, port: 80 }))))
      expect((yield* outside.accept).localAddress).toBe(ADDR_A)
      yield* Fiber.join(fromB)
      const fromA = yield* Effect.fork(run(a, Effect.flatMap(Tcp, (t) => t.connect({ address: "127.0.0.1", port: 80 }))))
      expect((yield* local.accept).localAddress).toBe(Addr.parse("127.0.0.1"))
      yield* Fiber.join(fromA)
    }), 30_000)

  it.scoped("listeners may not overlap on a port: the same address, or either every address, is AddressInUse", () =>
    Effect.gen(function*() {
      const { stack } = yield* stackWithPeer()
      const listen = (port: number, address?: string) =>
        run(stack, Effect.flatMap(Tcp, (t) => t.listen({ port, ...(address !== undefined ? { address } : {}) })))
      yield* listen(80, "127.0.0.1")
      expect((yield* failureOf(listen(80, "127.0.0.1"))).reason).toBe("AddressInUse")
      expect((yield* failureOf(listen(80))).reason).toBe("AddressInUse")
      expect((yield* failureOf(listen(80, "0.0.0.0"))).reason).toBe("AddressInUse")
      yield* listen(81)
      expect((yield* failureOf(listen(81, "127.0.0.1"))).reason).toBe("AddressInUse")
      expect((yield* failureOf(listen(81, Addr.format(ADDR_A)))).reason).toBe("AddressInUse")
      // another 127/8 address is another address
      yield* listen(80, "127.0.0.2")
    }))

  it.scoped("an address that is not the stack's is AddressNotAvailable, one that is no address InvalidArgument", () =>
    Effect.gen(function*() {
      const { stack } = yield* stackWithPeer()
      const listen = (address: string) => run(stack, Effect.flatMap(Tcp, (t) => t.listen({ port: 80, address })))
      expect((yield* failureOf(listen(Addr.format(PEER_ADDR)))).reason).toBe("AddressNotAvailable")
      expect((yield* failureOf(listen("no.such.address"))).reason).toBe("InvalidArgument")
      // none of them took the port
      yield* listen("0.0.0.0")
    }))

  it.scopedLive("a listener's port frees when its scope closes, and the other one on it stays", () =>
    Effect.gen(function*() {
      const { a, b } = yield* twoStacks()
      const scope = yield* Scope.make()
      yield* run(a, Effect.flatMap(Tcp, (t) => Scope.extend(t.listen({ port: 80, address: "127.0.0.1" }), scope)))
      const outside = yield* run(a, Effect.flatMap(Tcp, (t) => t.listen({ port: 80, address: ADDR_A })))
      yield* Scope.close(scope, Exit.void)
      const refused = yield* failureOf(run(a, Effect.flatMap(Tcp, (t) => t.connect({ address: "127.0.0.1", port: 80 }))))
      expect(refused.reason).toBe("ConnectionRefused")
      const fromB = yield* Effect.fork(run(b, Effect.flatMap(Tcp, (t) => t.connect({ address: ADDR_A, port: 80 }))))
      yield* outside.accept
      yield* Fiber.join(fromB)
      yield* run(a, Effect.flatMap(Tcp, (t) => t.listen({ port: 80, address: "127.0.0.1" })))
    }), 30_000)
})

describe("a listener whose accept queue is full", () => {
  it.scoped("drops a new SYN unanswered (Linux's tcp_conn_request), and answers the next once the application accepts", () =>
    Effect.gen(function*() {
      const { peer, stack, stats } = yield* stackWithPeer()
      const listener = yield* run(stack, Effect.flatMap(Tcp, (t) => t.listen({ port: 80, backlog: 0 })))
      const syn = (srcPort: number) => frame({ srcPort, flags: TcpWire.Flag.SYN, options: { mss: 1460, sackPermitted: false } })
      const answersTo = (srcPort: number) => Effect.map(peer.drain, (fs) => fs.map(segmentOf).filter((s) => s.dstPort === srcPort).map((s) => s.flags))
      // nobody accepts: the first client's connection fills the queue of one
      yield* peer.sendFrame(syn(40000))
      const synAck = segmentOf(yield* peer.next)
      expect(synAck.flags).toBe(TcpWire.Flag.SYN | TcpWire.Flag.ACK)
      yield* peer.sendFrame(frame({ srcPort: 40000, seq: Seq.add(ISN, 1), ack: Seq.add(synAck.seq, 1) }))
      yield* settle
      // a second client's SYN: no SYN-ACK (the client would think itself connected while its ACK and data were dropped)
      yield* peer.sendFrame(syn(40001))
      yield* settle
      expect(yield* answersTo(40001)).toEqual([])
      expect((yield* stats).tcp.acceptQueueFull).toBe(1)
      // the application accepts: the client's SYN again is answered
      yield* listener.accept
      yield* peer.sendFrame(syn(40001))
      yield* settle
      expect(yield* answersTo(40001)).toEqual([TcpWire.Flag.SYN | TcpWire.Flag.ACK])
    }))
})

describe("listen(2)'s backlog, as Linux counts it", () => {
  /** two handshakes completed and left unaccepted, then a third SYN: answered or not */
  const thirdSynAnswered = (
    backlog: number | undefined,
    config?: { readonly tcp: { readonly acceptBacklog?: number; readonly maxAcceptBacklog?: number } }
  ) =>
    Effect.gen(function*() {
      const { peer, stack, stats } = yield* stackWithPeer(config === undefined ? undefined : { config })
      yield* run(stack, Effect.flatMap(Tcp, (t) => t.listen(backlog === undefined ? { port: 80 } : { port: 80, backlog })))
      const syn = (srcPort: number) => frame({ srcPort, flags: TcpWire.Flag.SYN, options: { mss: 1460, sackPermitted: false } })
      for (const srcPort of [40000, 40001]) {
        yield* peer.sendFrame(syn(srcPort))
        const synAck = segmentOf(yield* peer.next)
        expect([synAck.dstPort, synAck.flags]).toEqual([srcPort, TcpWire.Flag.SYN | TcpWire.Flag.ACK])
        yield* peer.sendFrame(frame({ srcPort, seq: Seq.add(ISN, 1), ack: Seq.add(synAck.seq, 1) }))
        yield* settle
      }
      yield* peer.sendFrame(syn(40002))
      yield* settle
      const answered = (yield* peer.drain).length > 0
      return { answered, tcp: (yield* stats).tcp }
    })

  it.scoped("a backlog of 1 lets two connections wait for accept, the third SYN goes unanswered (sk_acceptq_is_full: more than the backlog)", () =>
    Effect.gen(function*() {
      const { answered, tcp } = yield* thirdSynAnswered(1)
      expect(answered).toBe(false)
      expect(tcp).toMatchObject({ passiveOpens: 2, acceptQueueFull: 1 })
    }))

  it.scoped("a backlog that is not a finite number is an InvalidArgument (it would bound nothing)", () =>
    Effect.gen(function*() {
      const { stack } = yield* stackWithPeer()
      for (const backlog of [Number.NaN, Number.POSITIVE_INFINITY]) {
        const r = yield* run(stack, Effect.either(Effect.flatMap(Tcp, (t) => t.listen({ port: 80, backlog }))))
        expect(Either.isLeft(r) && r.left.reason).toBe("InvalidArgument")
      }
    }))

  it.scoped("a negative backlog is the system's largest, tcp.maxAcceptBacklog (Linux's __sys_listen: somaxconn, by an unsigned compare), not 0 nor the default", () =>
    Effect.gen(function*() {
      // the largest 1: as with listen(fd, 1), the third waits in vain
      expect((yield* thirdSynAnswered(-1, { tcp: { maxAcceptBacklog: 1 } })).answered).toBe(false)
      // a default of 1 is not what a negative one asks: the largest (4096) has room for the third
      expect((yield* thirdSynAnswered(-1, { tcp: { acceptBacklog: 1 } })).answered).toBe(true)
    }))

  it.scoped("a backlog above tcp.maxAcceptBacklog is cut to it, the default backlog too (Linux's __sys_listen: min(backlog, somaxconn))", () =>
    Effect.gen(function*() {
      // listen(fd, 8) under somaxconn 1: two wait, the third SYN goes unanswered
      expect((yield* thirdSynAnswered(8, { tcp: { maxAcceptBacklog: 1 } })).answered).toBe(false)
      expect((yield* thirdSynAnswered(undefined, { tcp: { maxAcceptBacklog: 1 } })).answered).toBe(false)
      // under the limit, the backlog as asked
      expect((yield* thirdSynAnswered(8, { tcp: { maxAcceptBacklog: 8 } })).answered).toBe(true)
    }))
})

describe("timestamp clock offset (RFC 7323 §5.4, §7.1; Linux's secure_tcp_ts_off)", () => {
  it.scoped("TSvals carry a secret offset per address pair: not the stack's clock, different towards another peer, the same for one peer's connections both ways", () =>
    Effect.gen(function*() {
      const { peer, stack } = yield* stackWithPeer()
      const OTHER = Addr.parse("198.18.0.5")!
      yield* peer.sendFrame(arpRequest(ADDR_A, { ip: OTHER }))
      yield* peer.next // A's reply
      yield* run(stack, Effect.flatMap(Tcp, (t) => t.listen({ port: 80 })))
      yield* TestClock.adjust("5 seconds")
      const synFrom = (src: Addr.Ipv4Addr, srcPort: number) =>
        ipFrame(
          peerSegment({
            srcPort,
            seq: ISN,
            flags: TcpWire.Flag.SYN,
            options: { mss: 1460, sackPermitted: false, timestamp: { value: 777, echo: 0 } }
          }, new Uint8Array(0), src, ADDR_A),
          MAC_A
        )
      const offsetOf = (seg: TcpWire.TcpSegment, now: number) => (seg.options.timestamp!.value - Math.floor(now)) >>> 0
      const now = yield* Clock.currentTimeMillis
      yield* peer.sendFrame(synFrom(PEER_ADDR, 40000))
      const a = offsetOf(segmentOf(yield* peer.next), now)
      yield* peer.sendFrame(synFrom(OTHER, 40000))
      const b = offsetOf(segmentOf(yield* peer.next), now)
      // a TSval of the bare clock tells every peer the host's clock and links its connections
      expect(a).not.toBe(0)
      expect(b).not.toBe(0)
      expect(a).not.toBe(b)
      // one peer's connections share the offset (their TSvals keep rising across incarnations, RFC 6191)
      yield* TestClock.adjust("1 second")
      const later = yield* Clock.currentTimeMillis
      yield* peer.sendFrame(synFrom(PEER_ADDR, 40001))
      expect(offsetOf(segmentOf(yield* peer.next), later)).toBe(a)
      yield* run(stack, Effect.forkScoped(Effect.flatMap(Tcp, (t) => t.connect({ address: PEER_ADDR, port: 7 }))))
      let syn = segmentOf(yield* peer.next)
      while ((syn.flags & TcpWire.Flag.SYN) === 0 || (syn.flags & TcpWire.Flag.ACK) !== 0) syn = segmentOf(yield* peer.next)
      expect(offsetOf(syn, later)).toBe(a)
    }))
})

describe("a SYN queue more than half full: old half-open connections get fewer SYN-ACK retries (Linux's reqsk_timer_handler)", () => {
  /**
   * A listener with backlog 8 (so "more than half full" is five half-open), SYNs from the peer's
   * ports at the virtual times given (ms), none answered further, watched until `untilMs` from
   * event to event: when each port's SYN-ACKs went, and when each half-open entry went.
   */
  const unanswered = (syns: ReadonlyArray<readonly [at: number, port: number]>, untilMs = 64_000) =>
    Effect.gen(function*() {
      const { peer, stack, stats } = yield* stackWithPeer()
      yield* run(stack, Effect.flatMap(Tcp, (t) => t.listen({ port: 80, backlog: 8 })))
      const start = yield* Clock.currentTimeMillis
      const synAcks = new Map<number, Array<number>>()
      const gone: Array<number> = []
      let held = 0
      for (let now = 0; now <= untilMs;) {
        for (const [at, srcPort] of syns) {
          if (at === now) yield* peer.sendFrame(frame({ srcPort, flags: TcpWire.Flag.SYN, options: { mss: 1460, sackPermitted: false } }))
        }
        yield* settle
        for (const f of yield* peer.drain) {
          // (the peer's address goes stale over a minute: answer the stack's probe)
          if (asArp(f)?.op === ArpWire.Op.Request) yield* peer.sendFrame(arpReply(MAC_A, ADDR_A))
          const s = asTcp(f)
          if (s?.flags === (TcpWire.Flag.SYN | TcpWire.Flag.ACK)) synAcks.set(s.dstPort, [...(synAcks.get(s.dstPort) ?? []), now])
        }
        yield* settle
        const count = (yield* stats).tcp.halfOpen
        for (let i = count; i < held; i++) gone.push(now)
        held = count
        // on to the next SYN or timer (the stack's alarm, ARP's), whichever is first
        let next = untilMs + 1
        for (const [at] of syns) if (at > now) next = Math.min(next, at)
        for (const at of yield* TestClock.sleeps()) next = Math.min(next, at - start)
        yield* TestClock.setTime(start + next)
        now = next
      }
      return { synAcks: Object.fromEntries(synAcks), gone, timeouts: (yield* stats).tcp.synAckTimeouts }
    })

  /** SYNs from `count` ports from `port` on, 100 ms apart from `at` */
  const synsFrom = (port: number, count: number, at: number) =>
    Array.from({ length: count }, (_, i) => [at + 100 * i, port + i] as const)
  /** a SYN-ACK at `at` and its first `n` timer retransmissions (1 s, doubling) */
  const timesFrom = (at: number, n: number) => Array.from({ length: n + 1 }, (_, i) => at + 1000 * (2 ** i - 1))

  it.scoped("six half-open of a backlog of 8 (tcp_synack_retries 5): the two oldest, none young left, go at 7 s after two retransmissions; the rest, half full, get all five", () =>
    Effect.gen(function*() {
      const r = yield* unanswered(synsFrom(40000, 6, 0))
      expect(r.synAcks).toEqual({
        40000: timesFrom(0, 2),
        40001: timesFrom(100, 2),
        40002: timesFrom(200, 5),
        40003: timesFrom(300, 5),
        40004: timesFrom(400, 5),
        40005: timesFrom(500, 5)
      })
      expect(r.gone).toEqual([7000, 7100, 63_200, 63_300, 63_400, 63_500])
      expect(r.timeouts).toBe(6)
    }))

  it.scoped("four half-open of a backlog of 8 (half full, not more): each gets all five retransmissions and goes at 63 s", () =>
    Effect.gen(function*() {
      const r = yield* unanswered(synsFrom(40000, 4, 0))
      expect(r.synAcks).toEqual({
        40000: timesFrom(0, 5),
        40001: timesFrom(100, 5),
        40002: timesFrom(200, 5),
        40003: timesFrom(300, 5)
      })
      expect(r.gone).toEqual([63_000, 63_100, 63_200, 63_300])
    }))

  it.scoped("one half-open, its peer's SYN again at 0.6 s: the SYN-ACK at once restarts the timer (1 s, doubling, from then: Linux's tcp_check_req), and the five timer retransmissions still all go (num_timeout, not num_retrans); gone at 63.6 s", () =>
    Effect.gen(function*() {
      const r = yield* unanswered([[0, 40000], [600, 40000]])
      expect(r.synAcks).toEqual({ 40000: [0, ...timesFrom(600, 5)] })
      expect(r.gone).toEqual([63_600])
      expect(r.timeouts).toBe(1)
    }))

  it.scoped("young requests spare the old: three new SYNs at 6.5 s give five old ones a third retransmission at 7 s (a limit of 4); the new, old in turn, go at 13.5 s, then the oldest", () =>
    Effect.gen(function*() {
      const r = yield* unanswered([...synsFrom(40000, 5, 0), ...synsFrom(40005, 3, 6500)])
      expect(r.synAcks).toEqual({
        40000: timesFrom(0, 3),
        40001: timesFrom(100, 5),
        40002: timesFrom(200, 5),
        40003: timesFrom(300, 5),
        40004: timesFrom(400, 5),
        40005: timesFrom(6500, 2),
        40006: timesFrom(6600, 2),
        40007: timesFrom(6700, 2)
      })
      // (at 15 s five are left, none young: the oldest goes, and the queue is half full again)
      expect(r.gone).toEqual([13_500, 13_600, 13_700, 15_000, 63_100, 63_200, 63_300, 63_400])
    }))
})
