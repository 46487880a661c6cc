/**
 * Offloads between two stacks on an in-memory cable that offers them, as a
 * veth pair does (LinkMemory `offload: true`): TCP leaves its checksums
 * partial and sends runs of segments as one TSO segment; the receiving stack
 * takes the segment whole and trusts the checksum the link vouched for.
 * Beside it, the same exchange on a cable without offloads: every frame fits
 * the MTU and carries a complete checksum.
 */
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Stream, TestClock } from "effect"
import { TxMeta } from "../../src/link/Link.js"
import * as Seq from "../../src/tcp/SeqNum.js"
import { Tcp } from "../../src/tcp/Tcp.js"
import * as Checksum from "../../src/wire/Checksum.js"
import * as Eth from "../../src/wire/EthernetFrame.js"
import * as TcpWire from "../../src/wire/TcpHeader.js"
import { settle } from "../support/Clock.js"
import { asIpv4, ipFrame, PEER_ADDR, peerSegment } from "../support/Peer.js"
import { ADDR_A, MAC_A, recordSends, run, stackWithPeer, statsOf, twoStacks } from "../support/TestNet.js"

const MTU = 1500
const bytes = (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 7 + (i >>> 8)) & 0xff)

/** The TCP segments among `frames` (IPv4, protocol 6, no IP options): where the header starts, and its length. */
const tcpSegments = (frames: ReadonlyArray<Uint8Array>) =>
  frames.filter((f) => f.length > 34 && f[12] === 0x08 && f[13] === 0x00 && f[23] === 6).map((f) => {
    const ipLen = (f[16]! << 8) | f[17]!
    return { frame: f, at: Eth.HEADER_LEN + 20, tcpLength: ipLen - 20 }
  })

/** The checksum of the segment as it stands (pseudo-header included): 0 when complete and right. */
const verify = (f: Uint8Array, at: number, tcpLength: number): number => {
  const src = ((f[26]! << 24) | (f[27]! << 16) | (f[28]! << 8) | f[29]!) >>> 0
  const dst = ((f[30]! << 24) | (f[31]! << 16) | (f[32]! << 8) | f[33]!) >>> 0
  return Checksum.finish(Checksum.sum(f, Checksum.pseudoHeaderSum(src, dst, TcpWire.PROTOCOL, tcpLength), at, at + tcpLength))
}

/** Complete a partial checksum as the link would (sum the segment as it stands, store the complement). */
const complete = (f: Uint8Array, at: number, tcpLength: number): Uint8Array => {
  const g = f.slice()
  const c = Checksum.finish(Checksum.sum(g, 0, at, at + tcpLength))
  g[at + 16] = c >>> 8
  g[at + 17] = c & 0xff
  return g
}

/** B sends `data` to an echo service on A and reads it back; B's frames are recorded. */
const echoOver = (offload: boolean, data: Uint8Array) =>
  Effect.gen(function*() {
    const sent: Array<Uint8Array> = []
    const { a, b } = yield* twoStacks({ offload, wrapB: (l) => recordSends(sent)(l) })
    const listener = yield* run(a, Effect.flatMap(Tcp, (t) => t.listen({ port: 7 })))
    yield* run(a, Effect.gen(function*() {
      const conn = yield* listener.accept
      yield* conn.stream.pipe(Stream.runForEach((chunk) => conn.write(chunk)))
      yield* conn.end
    })).pipe(Effect.forkScoped)
    const conn = yield* run(b, Effect.flatMap(Tcp, (t) => t.connect({ address: ADDR_A, port: 7 })))
    const reader = yield* conn.stream.pipe(Stream.runCollect, Effect.fork)
    for (let o = 0; o < data.length; o += 65536) yield* conn.write(data.subarray(o, o + 65536))
    yield* conn.end
    const echoed = Buffer.concat(Chunk.toReadonlyArray(yield* reader.await.pipe(Effect.flatten)))
    return { echoed, sent, statsA: yield* statsOf(a), statsB: yield* statsOf(b) }
  })

describe("TCP over a link with checksum and segmentation offload", () => {
  it.scopedLive("1 MB echoed intact; B's data leaves as TSO segments with partial checksums, far fewer frames than segments", () =>
    Effect.gen(function*() {
      const data = bytes(1 << 20)
      const r = yield* echoOver(true, data)
      expect(Buffer.compare(r.echoed, Buffer.from(data))).toBe(0)

      const segs = tcpSegments(r.sent)
      const big = segs.filter((s) => s.frame.length > MTU + Eth.HEADER_LEN)
      // the data went out in frames above the MTU, each at most one 65535-octet datagram
      expect(big.length).toBeGreaterThan(0)
      for (const s of big) expect(s.frame.length).toBeLessThanOrEqual(65535 + Eth.HEADER_LEN)
      // every TCP checksum was left partial: wrong as it stands, right once the link completes it
      for (const s of segs) {
        expect(verify(s.frame, s.at, s.tcpLength)).not.toBe(0)
        expect(verify(complete(s.frame, s.at, s.tcpLength), s.at, s.tcpLength)).toBe(0)
      }
      // TCP counted MSS-sized segments; the link carried far fewer frames
      expect(r.statsB.tcp.segmentsSent).toBeGreaterThan(Math.ceil(data.length / 1460))
      expect(r.statsB.link.txFrames * 4).toBeLessThan(r.statsB.tcp.segmentsSent)
      // A received B's segments whole: fewer segments than 1 MB needs at MSS 1460
      expect(r.statsA.tcp.received).toBeLessThan(data.length / 1460)
      expect(r.statsA.link.rxMalformed).toBe(0)
    }), 30_000)

  it.scopedLive("without offloads: every frame fits the MTU and every TCP checksum is complete", () =>
    Effect.gen(function*() {
      const data = bytes(256 * 1024)
      const r = yield* echoOver(false, data)
      expect(Buffer.compare(r.echoed, Buffer.from(data))).toBe(0)
      const segs = tcpSegments(r.sent)
      expect(segs.length).toBeGreaterThan(data.length / 1460)
      for (const s of segs) {
        expect(s.frame.length).toBeLessThanOrEqual(MTU + Eth.HEADER_LEN)
        expect(verify(s.frame, s.at, s.tcpLength)).toBe(0)
      }
    }), 30_000)
})

describe("a GSO frame's segment size reaches the receive half (Link.FrameBatch.gsoSize, Segment.gsoSize)", () => {
  it.scoped("an aggregate of two 500-octet segments is more than one segment: ACKed at once, as Linux measures gso_size (tcp_measure_rcv_mss)", () =>
    Effect.gen(function*() {
      const { stack, peer } = yield* stackWithPeer({ offload: true })
      // (a listener whose connection nobody accepts: nothing is read, no read sends an ACK)
      yield* run(stack, Effect.flatMap(Tcp, (t) => t.listen({ port: 80 })))
      const ISN = Seq.make(1000)
      const frame = (over: Partial<TcpWire.TcpRepr>, payload = new Uint8Array(0)) =>
        ipFrame(peerSegment({ seq: ISN, ...over }, payload, PEER_ADDR, ADDR_A), MAC_A)
      /** the TCP segments the stack sent, read from their headers (a partial checksum is no matter here) */
      const sent = Effect.map(peer.drain, (frames) =>
        frames.flatMap((f) => {
          const ip = asIpv4(f)
          return ip?.protocol === 6 ? [{ seq: TcpWire.seqAt(ip.payload, 0), ack: TcpWire.ackAt(ip.payload, 0) }] : []
        }))
      yield* peer.sendFrame(frame({ flags: TcpWire.Flag.SYN, options: { mss: 1460, sackPermitted: false } }))
      yield* settle
      const [synAck] = yield* sent
      const ack = Seq.add(synAck!.seq, 1)
      yield* peer.sendFrame(frame({ seq: Seq.add(ISN, 1), ack }))
      let next = Seq.add(ISN, 1)
      // quick-ACK mode at the first data ACKs each segment at once (tcp_incr_quickack, up to 16):
      // pushed 100-octet segments spend it (they leave the guess at 536), until one's ACK waits
      let waited = false
      for (let i = 0; i < 40 && !waited; i++) {
        yield* peer.sendFrame(frame({ seq: next, ack, flags: TcpWire.Flag.ACK | TcpWire.Flag.PSH }, new Uint8Array(100)))
        next = Seq.add(next, 100)
        yield* settle
        waited = (yield* sent).length === 0
      }
      expect(waited).toBe(true)
      // its delayed ACK goes
      yield* TestClock.adjust("200 millis")
      yield* settle
      expect((yield* sent).map((s) => s.ack)).toEqual([next])
      // the aggregate, as a veth hands over a peer's TSO segment: 1000 octets cut in 500s
      yield* peer.link.sendBatch([frame({ seq: next, ack }, new Uint8Array(1000))], [TxMeta.segmented(500)])
      yield* settle
      expect((yield* sent).map((s) => s.ack)).toEqual([Seq.add(next, 1000)])
    }))
})
