/**
 * TCP with every port closed (RFC 9293 §3.10.7.1) against a raw peer: each
 * segment draws the reset the RFC prescribes, an RST draws nothing, a
 * malformed or broadcast segment draws nothing.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Option } from "effect"
import * as Seq from "../../src/tcp/SeqNum.js"
import * as Eth from "../../src/wire/EthernetFrame.js"
import * as Ip from "../../src/wire/Ipv4Header.js"
import * as Addr from "../../src/wire/Ipv4Addr.js"
import * as TcpWire from "../../src/wire/TcpHeader.js"
import { settle } from "../support/Clock.js"
import { asIpv4, PEER_ADDR, tcpRepr } from "../support/Peer.js"
import { ADDR_A, MAC_A, stackWithPeer } from "../support/TestNet.js"

/** The peer's ISN, near 2^32 so SEG.SEQ + SEG.LEN wraps. */
const ISN = Seq.make(0xfffffffe)

const segment = (over: Partial<TcpWire.TcpRepr>, payload = new Uint8Array(0), dst = ADDR_A, src = PEER_ADDR) =>
  tcpRepr(
    {
      srcPort: 40000,
      dstPort: 80,
      seq: ISN,
      ack: Seq.ZERO,
      flags: TcpWire.Flag.SYN,
      window: 64240,
      urgent: 0,
      options: { sackPermitted: true, mss: 1460 },
      ...over
    },
    payload,
    src,
    dst
  )

/** The stack's next frame as a TCP segment (its checksum verified by parse). */
const nextSegment = (peer: { next: Effect.Effect<Uint8Array> }) =>
  Effect.map(peer.next, (f) => {
    const ip = asIpv4(f)!
    expect(ip.protocol).toBe(Ip.Protocol.TCP)
    expect(ip.src).toBe(ADDR_A)
    expect(ip.dst).toBe(PEER_ADDR)
    return Either.getOrThrow(TcpWire.parse(ip.payload, ip.src, ip.dst))
  })

describe("TCP to a closed port (RFC 9293 §3.10.7.1)", () => {
  it.scoped("a SYN draws <SEQ=0><ACK=SEG.SEQ+1><CTL=RST,ACK>, ports swapped", () =>
    Effect.gen(function*() {
      const { peer, stats } = yield* stackWithPeer()
      yield* peer.sendIp(segment({}), MAC_A)
      const rst = yield* nextSegment(peer)
      expect(rst).toMatchObject({ srcPort: 80, dstPort: 40000, seq: 0, ack: Seq.add(ISN, 1), window: 0 })
      expect(rst.flags).toBe(TcpWire.Flag.RST | TcpWire.Flag.ACK)
      expect(rst.payload.length).toBe(0)
      expect(rst.options).toEqual(TcpWire.NO_OPTIONS)
      expect((yield* stats).tcp.resetsSent).toBe(1)
    }))

  it.scoped("a segment with ACK draws <SEQ=SEG.ACK><CTL=RST>", () =>
    Effect.gen(function*() {
      const { peer } = yield* stackWithPeer()
      const theirAck = Seq.make(0x12345678)
      yield* peer.sendIp(segment({ flags: TcpWire.Flag.ACK | TcpWire.Flag.PSH, ack: theirAck }, new Uint8Array(10)), MAC_A)
      const rst = yield* nextSegment(peer)
      expect(rst.flags).toBe(TcpWire.Flag.RST)
      expect(rst.seq).toBe(theirAck)
    }))

  it.scoped("SEG.LEN counts the data, the SYN and the FIN, across the 2^32 wrap", () =>
    Effect.gen(function*() {
      const { peer } = yield* stackWithPeer()
      yield* peer.sendIp(segment({ flags: TcpWire.Flag.SYN | TcpWire.Flag.FIN }, new Uint8Array(5)), MAC_A)
      const rst = yield* nextSegment(peer)
      expect(rst.ack).toBe(Seq.add(ISN, 5 + 2)) // 0xfffffffe + 7 = 5
      expect(rst.ack).toBe(5)
    }))

  it.scoped("an RST, a segment with a bad checksum and one to a broadcast address draw nothing", () =>
    Effect.gen(function*() {
      const { peer, stats } = yield* stackWithPeer()
      yield* peer.sendIp(segment({ flags: TcpWire.Flag.RST }), MAC_A)
      const bad = segment({})
      const corrupted = { ...bad, payload: bad.payload.slice() }
      corrupted.payload[TcpWire.Field.checksum] ^= 0xff
      yield* peer.sendIp(corrupted, MAC_A)
      yield* peer.sendIp(segment({}, new Uint8Array(0), Addr.parse("198.18.0.255")!), Eth.BROADCAST)
      yield* settle
      expect(Option.isNone(yield* peer.poll)).toBe(true)
      const s = (yield* stats).tcp
      expect(s.resetsIgnored).toBe(1)
      expect(s.malformed).toEqual({ BadChecksum: 1 })
      expect(s.broadcastDropped).toBe(1)
      expect(s.resetsSent).toBe(0)
      expect(s.received).toBe(3)
    }))

  it.scoped("a segment from a source with no route back draws nothing and is counted", () =>
    Effect.gen(function*() {
      // Off-link, and the stack has no gateway: there is nowhere to send the reset.
      const { peer, stats } = yield* stackWithPeer()
      yield* peer.sendIp(segment({}, new Uint8Array(0), ADDR_A, Addr.parse("198.18.7.1")!), MAC_A)
      yield* settle
      expect(Option.isNone(yield* peer.poll)).toBe(true)
      const s = (yield* stats).tcp
      expect(s.received).toBe(1)
      expect(s.resetsUnroutable).toBe(1)
      expect(s.resetsSent).toBe(0)
    }))
})
