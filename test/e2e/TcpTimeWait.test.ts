/**
 * TIME-WAIT records (TimeWait.ts) against a raw peer and between two stacks:
 * what they answer and what they leave unanswered (RFC 9293 §3.10.7.4,
 * RFC 1122 §4.2.2.13, RFC 6191; Linux's tcp_timewait_state_process).
 */
import { describe, expect, it } from "@effect/vitest"
import { Clock, Effect, Fiber, TestClock } from "effect"
import * as Seq from "../../src/tcp/SeqNum.js"
import { Tcp } from "../../src/tcp/Tcp.js"
import * as IcmpWire from "../../src/wire/IcmpMessage.js"
import * as Ip from "../../src/wire/Ipv4Header.js"
import * as TcpWire from "../../src/wire/TcpHeader.js"
import { settle } from "../support/Clock.js"
import { asTcp, ipFrame, ipRepr, PEER_ADDR, peerSegment } from "../support/Peer.js"
import { ADDR_A, MAC_A, recordSends, run, stackWithPeer, statsOf, twoStacks } from "../support/TestNet.js"

const { SYN, ACK, FIN } = TcpWire.Flag
const ISN = Seq.make(1_000_000)

const frame = (over: Partial<TcpWire.TcpRepr>, payload = new Uint8Array(0)) =>
  ipFrame(peerSegment({ seq: ISN, ...over }, payload, PEER_ADDR, ADDR_A), MAC_A)

const segmentOf = (f: Uint8Array) => asTcp(f)!

/**
 * The stack listens on 80, the raw peer connects from 40000, the stack sends `octets` and
 * closes first; the peer ACKs and sends its FIN: the stack's end holds the 4-tuple in TIME-WAIT.
 * `alongFin` gives frames to send in the same batch as that FIN. Returns the stack's SND.NXT (past
 * its FIN) and the peer's next sequence number.
 */
/**
 * The TIME-WAIT record is still held a millisecond before Clock time `deadline` and gone a
 * millisecond after (the clock moved there from now).
 */
const heldUntil = (stats: Effect.Effect<{ readonly tcp: { readonly timeWait: number } }>, deadline: number) =>
  Effect.gen(function*() {
    yield* TestClock.adjust(`${deadline - 1 - (yield* Clock.currentTimeMillis)} millis`)
    yield* settle
    expect((yield* stats).tcp.timeWait).toBe(1)
    yield* TestClock.adjust("2 millis")
    yield* settle
    expect((yield* stats).tcp.timeWait).toBe(0)
  })

const passiveTimeWait = (octets: number, alongFin: (sndNxt: Seq.SeqNum) => ReadonlyArray<Uint8Array> = () => []) =>
  Effect.gen(function*() {
    const env = yield* stackWithPeer({ config: { tcp: { timestamps: false } } })
    const { peer, stack } = env
    const listener = yield* run(stack, Effect.flatMap(Tcp, (t) => t.listen({ port: 80 })))
    yield* peer.sendFrame(frame({ flags: SYN, options: { mss: 1460, sackPermitted: false } }))
    const synAck = segmentOf(yield* peer.next)
    expect(synAck.flags).toBe(SYN | ACK)
    const iss = synAck.seq
    yield* peer.sendFrame(frame({ seq: Seq.add(ISN, 1), ack: Seq.add(iss, 1) }))
    const conn = yield* listener.accept
    yield* conn.setNoDelay(true)
    if (octets > 0) yield* conn.write(new Uint8Array(octets))
    yield* conn.end
    // read what the stack sends until its FIN, ACKing as we go
    let sndNxt = Seq.add(iss, 1)
    for (;;) {
      const s = segmentOf(yield* peer.next)
      const end = Seq.add(s.seq, s.payload.length + ((s.flags & FIN) !== 0 ? 1 : 0))
      if (Seq.gt(end, sndNxt)) sndNxt = end
      yield* peer.sendFrame(frame({ seq: Seq.add(ISN, 1), ack: sndNxt }))
      if ((s.flags & FIN) !== 0) break
    }
    // the peer's FIN (with what else the test sends in the same batch)
    yield* peer.link.sendBatch([frame({ seq: Seq.add(ISN, 1), ack: sndNxt, flags: FIN | ACK }), ...alongFin(sndNxt)])
    const lastAck = segmentOf(yield* peer.next)
    expect(lastAck.ack).toBe(Seq.add(ISN, 2))
    yield* settle
    expect((yield* env.stats).tcp.timeWait).toBe(1)
    return { ...env, iss, sndNxt, peerNxt: Seq.add(ISN, 2) }
  })

describe("TIME-WAIT against a raw peer", () => {
  it.scoped("a new SYN that reopens a TIME-WAIT 4-tuple gets an ISS above the old incarnation's SND.NXT (RFC 1122 §4.2.2.13 (1); Linux: tw_snd_nxt + 65537)", () =>
    Effect.gen(function*() {
      const { peer, sndNxt, peerNxt } = yield* passiveTimeWait(4000)
      yield* TestClock.adjust("10 millis")
      // a new incarnation's SYN, its sequence number beyond RCV.NXT: the record gives way
      yield* peer.sendFrame(frame({ seq: Seq.add(peerNxt, 100_000), flags: SYN, options: { mss: 1460, sackPermitted: false } }))
      const synAck = segmentOf(yield* peer.next)
      expect(synAck.flags).toBe(SYN | ACK)
      // the new ISS must lie beyond every sequence number the old incarnation used
      // (Linux: tw_snd_nxt + 65535 + 2)
      expect(Seq.sub(synAck.seq, sndNxt)).toBeGreaterThan(0)
    }))

  it.scoped("a bare in-window ACK to a TIME-WAIT 4-tuple is not answered (RFC 9293 §3.10.7.4 TIME-WAIT; Linux tcp_timewait_state_process): two such records would ACK each other without end", () =>
    Effect.gen(function*() {
      const { peer, sndNxt, peerNxt, stats } = yield* passiveTimeWait(0)
      // exactly what a peer's own TIME-WAIT sends in answer: <SEQ=RCV.NXT><ACK=SND.NXT><CTL=ACK>
      for (let i = 0; i < 5; i++) {
        yield* peer.sendFrame(frame({ seq: peerNxt, ack: sndNxt }))
        yield* settle
      }
      const answers = yield* peer.drain
      expect({ answers: answers.length, timeWaitAcks: (yield* stats).tcp.timeWaitAcks }).toEqual({ answers: 0, timeWaitAcks: 0 })
    }))
})

/**
 * A router's "fragmentation needed" naming MTU 600 about a segment of the stack's port 80 to the
 * peer's port 40000 with sequence number `seq`: what a forger who saw the connection can build.
 */
const fragmentationNeeded = (seq: Seq.SeqNum) => {
  const quotedTcp = new Uint8Array(8)
  const v = new DataView(quotedTcp.buffer)
  v.setUint16(0, 80)
  v.setUint16(2, 40000)
  v.setUint32(4, seq)
  const quoted = Ip.emit(ipRepr({ src: ADDR_A, dst: PEER_ADDR, protocol: Ip.Protocol.TCP, dontFragment: true, payload: quotedTcp }))
  const icmp = IcmpWire.emit({ _tag: "DstUnreachable", code: IcmpWire.DstUnreachableCode.FragmentationNeeded, nextHopMtu: 600, data: quoted })
  return ipFrame(ipRepr({ src: PEER_ADDR, dst: ADDR_A, protocol: Ip.Protocol.ICMP, payload: icmp }), MAC_A)
}

describe("TIME-WAIT and ICMP errors", () => {
  it.scoped("a 'fragmentation needed' quoting a TIME-WAIT record's 4-tuple and SND.NXT is ignored: no path MTU (Linux's tcp_v4_err)", () =>
    Effect.gen(function*() {
      const { peer, sndNxt, stats } = yield* passiveTimeWait(0)
      yield* peer.sendFrame(fragmentationNeeded(sndNxt))
      yield* settle
      expect((yield* stats).ipv4.pathMtus).toBe(0)
    }))

  it.scoped("one that comes in the same batch as the peer's FIN that ends in TIME-WAIT is ignored too", () =>
    Effect.gen(function*() {
      const { stats } = yield* passiveTimeWait(0, (sndNxt) => [fragmentationNeeded(sndNxt)])
      yield* settle
      expect((yield* stats).ipv4.pathMtus).toBe(0)
    }))
})

describe("TIME-WAIT of an active close, nobody listening on the port", () => {
  it.scoped("a SYN that would reopen it, with nobody listening, leaves the record in place and draws an ACK, not an RST (Linux tcp_v4_rcv TCP_TW_SYN falls through to TCP_TW_ACK)", () =>
    Effect.gen(function*() {
      const { peer, stack, stats } = yield* stackWithPeer({ config: { tcp: { timestamps: false } } })
      const opening = yield* run(stack, Effect.fork(Effect.flatMap(Tcp, (t) => t.connect({ address: PEER_ADDR, port: 80 }))))
      const syn = segmentOf(yield* peer.next)
      expect(syn.flags & SYN).toBe(SYN)
      const local = syn.srcPort
      const pframe = (over: Partial<TcpWire.TcpRepr>) =>
        ipFrame(peerSegment({ srcPort: 80, dstPort: local, ...over }, new Uint8Array(0), PEER_ADDR, ADDR_A), MAC_A)
      yield* peer.sendFrame(pframe({ seq: ISN, ack: Seq.add(syn.seq, 1), flags: SYN | ACK, options: { mss: 1460, sackPermitted: false } }))
      const conn = yield* Fiber.join(opening)
      expect(segmentOf(yield* peer.next).flags).toBe(ACK)
      yield* conn.end
      const fin = segmentOf(yield* peer.next)
      expect(fin.flags & FIN).toBe(FIN)
      const sndNxt = Seq.add(fin.seq, 1)
      yield* peer.sendFrame(pframe({ seq: Seq.add(ISN, 1), ack: sndNxt, flags: FIN | ACK }))
      expect(segmentOf(yield* peer.next).ack).toBe(Seq.add(ISN, 2))
      yield* settle
      expect((yield* stats).tcp.timeWait).toBe(1)
      // the peer's SYN to our (client) port, beyond RCV.NXT
      yield* peer.sendFrame(pframe({ seq: Seq.add(ISN, 100_000), flags: SYN, options: { mss: 1460, sackPermitted: false } }))
      const answer = segmentOf(yield* peer.next)
      expect({ flags: answer.flags, timeWait: (yield* stats).tcp.timeWait }).toEqual({ flags: ACK, timeWait: 1 })
    }))
})


describe("TIME-WAIT facing TIME-WAIT", () => {
  it.scoped("after a simultaneous close, one duplicated ACK does not start an endless ACK exchange", () =>
    Effect.gen(function*() {
      const sentA: Array<Uint8Array> = []
      const { a, b, linkA } = yield* twoStacks({
        wrapA: recordSends(sentA),
        configA: { tcp: { timestamps: false } },
        configB: { tcp: { timestamps: false } }
      })
      const listener = yield* run(a, Effect.flatMap(Tcp, (t) => t.listen({ port: 80 })))
      const client = yield* Effect.fork(run(b, Effect.flatMap(Tcp, (t) => t.connect({ address: ADDR_A, port: 80 }))))
      const server = yield* listener.accept
      const conn = yield* Fiber.join(client)
      yield* settle
      // both ends close at once: the FINs cross (FIN-WAIT-1 → CLOSING → TIME-WAIT on both sides)
      yield* Effect.all([server.end, conn.end], { concurrency: "unbounded" })
      yield* settle
      const tw = [(yield* statsOf(a)).tcp.timeWait, (yield* statsOf(b)).tcp.timeWait]
      expect(tw).toEqual([1, 1])
      // the network duplicates A's last ACK of the closing exchange
      const acks = sentA.filter((f) => {
        const s = asTcp(f)
        return s !== undefined && s.flags === TcpWire.Flag.ACK && s.payload.length === 0
      })
      const before = [(yield* statsOf(a)).tcp.timeWaitAcks, (yield* statsOf(b)).tcp.timeWaitAcks]
      yield* linkA.send(acks[acks.length - 1]!)
      for (let i = 0; i < 20; i++) yield* settle
      const after = [(yield* statsOf(a)).tcp.timeWaitAcks, (yield* statsOf(b)).tcp.timeWaitAcks]
      // no answer at all: the duplicate is a bare ACK at B's RCV.NXT (as in RFC 9293 and Linux);
      // answered, it drew A's answer, and so on, for ever (166 ACKs each in 20 settles, seen)
      expect(after).toEqual(before)
    }))
})

describe("the index of local ports (PortIndex.ts) as connections and TIME-WAIT records come and go", () => {
  it.scoped("counts each held port once (stats.portsHeld) and is empty once all is over: ephemeral, chosen-port and local-address connects and passive opens; TIME-WAITs expired, taken over by a connect, reopened by a SYN, or never made (the table full)", () =>
    Effect.gen(function*() {
      const { a, b } = yield* twoStacks({
        configA: { tcp: { timeWait: "1 second" } },
        configB: { tcp: { timeWait: "1 second", maxTimeWait: 20 } }
      })
      const listener = yield* run(a, Effect.flatMap(Tcp, (t) => t.listen({ port: 80 })))
      const portsHeld = (s: typeof a) => Effect.map(statsOf(s), (x) => x.tcp.portsHeld)
      const open = (o: { readonly localPort?: number; readonly localAddress?: string }) =>
        Effect.gen(function*() {
          const client = yield* Effect.fork(run(b, Effect.flatMap(Tcp, (t) => t.connect({ address: ADDR_A, port: 80, ...o }))))
          yield* settle
          return { client: yield* Fiber.join(client), server: yield* listener.accept }
        })
      type Pair = Effect.Effect.Success<ReturnType<typeof open>>
      /** the client's end first: its side holds the 4-tuple in TIME-WAIT (or would, with room) */
      const closeFromClient = (pairs: ReadonlyArray<Pair>) =>
        Effect.gen(function*() {
          for (const p of pairs) yield* p.client.end
          yield* settle
          for (const p of pairs) yield* p.server.end
          yield* settle
        })
      const pairs: Array<Pair> = []
      for (let i = 0; i < 10; i++) pairs.push(yield* open({}))
      for (let i = 0; i < 5; i++) pairs.push(yield* open({ localPort: 20_000 + i }))
      for (let i = 0; i < 5; i++) pairs.push(yield* open({ localAddress: "198.18.0.3" }))
      // B: twenty ports, one a connection; A: every connection on its port 80
      expect([yield* portsHeld(b), yield* portsHeld(a)]).toEqual([20, 1])
      const last = yield* open({})
      yield* closeFromClient(pairs)
      expect((yield* statsOf(b)).tcp).toMatchObject({ connections: 1, timeWait: 20, portsHeld: 21 })
      expect(yield* portsHeld(a)).toBe(1)
      // the table is full: the last one goes without a TIME-WAIT record, and its port is free
      yield* closeFromClient([last])
      expect((yield* statsOf(b)).tcp).toMatchObject({ connections: 0, timeWait: 20, timeWaitOverflow: 1, portsHeld: 20 })
      expect(yield* portsHeld(a)).toBe(0)
      // a chosen-port connect takes its TIME-WAIT over: the port is held once, by the connection
      const again = yield* open({ localPort: 20_000 })
      expect((yield* statsOf(b)).tcp).toMatchObject({ connections: 1, timeWait: 19, timeWaitReused: 1, portsHeld: 20 })
      // the server's end first this time: A holds the TIME-WAIT, on its port 80
      yield* again.server.end
      yield* settle
      yield* again.client.end
      yield* settle
      expect([(yield* statsOf(a)).tcp.timeWait, yield* portsHeld(a)]).toEqual([1, 1])
      // a SYN from that 4-tuple reopens it, its timestamp newer (RFC 6191): A's record gives way to
      // the listener's new connection
      yield* TestClock.adjust("10 millis")
      const reopened = yield* open({ localPort: 20_000 })
      expect((yield* statsOf(a)).tcp).toMatchObject({ connections: 1, timeWait: 0, portsHeld: 1 })
      yield* reopened.client.abort
      yield* settle
      // the TIME-WAITs run out
      yield* TestClock.adjust("1 second")
      yield* settle
      for (const s of [a, b]) {
        expect((yield* statsOf(s)).tcp).toMatchObject({ connections: 0, timeWait: 0, halfOpen: 0, portsHeld: 0 })
      }
    }))
})

describe("a TIME-WAIT record's own deadline (its heap apart from the connections', Tcp.ts's wheel)", () => {
  // RFC 9293 §3.10.7.4: TIME-WAIT lasts 2 MSL from its start, restarted by a retransmitted FIN
  // (Linux's tcp_timewait_state_process re-arms inet_twsk_reschedule with TCP_TIMEWAIT_LEN). The
  // stack holds the record alone here: no connection or half-open has a deadline, so only the
  // records' heap can wake the wheel.
  it.scoped("is held until 2 MSL after the FIN and gone the millisecond after, with no other deadline held", () =>
    Effect.gen(function*() {
      const start = yield* Clock.currentTimeMillis
      const { stats } = yield* passiveTimeWait(0)
      yield* heldUntil(stats, start + 60_000)
    }))

  it.scoped("restarts on a retransmitted FIN and is then held 2 MSL from it, not from the first", () =>
    Effect.gen(function*() {
      const { peer, sndNxt, stats } = yield* passiveTimeWait(0)
      yield* TestClock.adjust("30000 millis")
      yield* settle
      const finAt = yield* Clock.currentTimeMillis
      yield* peer.sendFrame(frame({ seq: Seq.add(ISN, 1), ack: sndNxt, flags: FIN | ACK }))
      const ack = segmentOf(yield* peer.next)
      expect(ack.ack).toBe(Seq.add(ISN, 2))
      yield* settle
      // past the first deadline: still held
      yield* TestClock.adjust("40000 millis")
      yield* settle
      expect((yield* stats).tcp.timeWait).toBe(1)
      yield* heldUntil(stats, finAt + 60_000)
    }))

  it.scoped("a half-open's deadline, earlier than the record's, still wakes the wheel; a clock jumped past the record's drops it", () =>
    Effect.gen(function*() {
      const { peer, stats } = yield* passiveTimeWait(0)
      yield* TestClock.adjust("10 millis")
      // a new SYN to the listener from another port: a live half-open with its own deadline
      yield* peer.sendFrame(ipFrame(peerSegment({ seq: ISN, flags: SYN, srcPort: 40001, options: { mss: 1460, sackPermitted: false } }, new Uint8Array(0), PEER_ADDR, ADDR_A), MAC_A))
      const synAck = segmentOf(yield* peer.next)
      expect(synAck.flags).toBe(SYN | ACK)
      // the SYN-ACK's retransmission (1 s) comes while the record is held
      yield* TestClock.adjust("1100 millis")
      const again = segmentOf(yield* peer.next)
      expect(again.flags).toBe(SYN | ACK)
      expect((yield* stats).tcp.timeWait).toBe(1)
      yield* TestClock.adjust("120000 millis")
      yield* settle
      expect((yield* stats).tcp.timeWait).toBe(0)
    }))
})
