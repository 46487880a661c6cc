/**
 * Path MTU discovery for TCP through the whole stack (RFC 1191 §3, as
 * Linux): a router's "fragmentation needed" quoting one of our data
 * segments reaches the connection through the IPv4 and ICMP dealers, the
 * connection's MSS follows the router's MTU and the segments in flight
 * longer than it go again at that size (not the 80-octet tail, which the
 * router passed: Linux's tcp_simple_retransmit); a smaller MTU than Linux's 552 is taken as 552, and
 * the segments lose DF. Over the
 * fake TAP, a raw peer, virtual time.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, TestClock } from "effect"
import { flatten, Link } from "../../src/link/Link.js"
import * as LinkTap from "../../src/link/LinkTap.js"
import * as Stack from "../../src/Stack.js"
import * as Seq from "../../src/tcp/SeqNum.js"
import * as Checksum from "../../src/wire/Checksum.js"
import * as Eth from "../../src/wire/EthernetFrame.js"
import * as IcmpWire from "../../src/wire/IcmpMessage.js"
import * as Ip from "../../src/wire/Ipv4Header.js"
import * as TcpWire from "../../src/wire/TcpHeader.js"
import * as VirtioNet from "../../src/wire/VirtioNet.js"
import { deliverFromCallback, FAKE_STACK_ADDR, fakeAddon, peerOpens, stackOnFakeTap, tcpOf } from "../support/FakeTap.js"
import { asIpv4, ipFrame, ipRepr, PEER_ADDR, peerSegment } from "../support/Peer.js"

const STACK_MAC = new Uint8Array([0x02, 0x67, 0x6e, 0x00, 0x00, 0x02])
const PEER_MAC = new Uint8Array([0x02, 0x00, 0x00, 0x00, 0x00, 0x99])
const ISN = Seq.make(0x7ffffff0)

/** A router's "fragmentation needed" (DF set) with next-hop MTU `mtu`, quoting `frame`'s IP header and 8 octets. */
const fragmentationNeeded = (frame: Uint8Array, mtu: number) => {
  const quote = frame.subarray(Eth.HEADER_LEN, Eth.HEADER_LEN + 28)
  const icmp = new Uint8Array(IcmpWire.HEADER_LEN + quote.length)
  IcmpWire.encode({ _tag: "DstUnreachable", code: IcmpWire.DstUnreachableCode.FragmentationNeeded, nextHopMtu: mtu, data: quote }, icmp, 0)
  return ipFrame(ipRepr({ src: PEER_ADDR, dst: FAKE_STACK_ADDR, protocol: Ip.Protocol.ICMP, payload: icmp }), STACK_MAC, PEER_MAC)
}

const settle = Effect.gen(function*() {
  for (let i = 0; i < 200; i++) yield* Effect.yieldNow()
})

/** The frames carrying TCP data that `frames` gained while `step` ran (and the stack settled after it). */
const dataSentBy = <E>(frames: () => ReadonlyArray<Uint8Array>, step: Effect.Effect<unknown, E>) =>
  Effect.gen(function*() {
    const from = frames().length
    yield* step
    yield* settle
    return frames().slice(from).filter((f) => (tcpOf(f)?.payload.length ?? 0) > 0)
  })

const payloadLengths = (sent: ReadonlyArray<Uint8Array>) => sent.map((f) => tcpOf(f)!.payload.length)

/**
 * A connection the raw peer opened to the stack's port 80, with 3000 octets of the stack's in
 * flight, and `report(mtu)`: a router's "fragmentation needed" about the first of them, and the
 * data frames the stack sent in answer.
 */
const inFlight = Effect.gen(function*() {
  const { fake, frames, stack } = yield* stackOnFakeTap(STACK_MAC)
  const { conn, ours } = yield* peerOpens(fake, frames, stack, STACK_MAC, PEER_MAC, ISN)
  const sent = yield* dataSentBy(frames, conn.write(new Uint8Array(3000)))
  expect(payloadLengths(sent)).toEqual([1460, 1460, 80])
  const first = sent[0]!
  const report = (mtu: number) => dataSentBy(frames, deliverFromCallback(fake, frames, [fragmentationNeeded(first, mtu)]))
  /** the peer acknowledges all `n` octets the stack sent */
  const ackAll = (n: number) =>
    deliverFromCallback(fake, frames, [
      ipFrame(
        peerSegment({ seq: Seq.add(ISN, 1), ack: Seq.add(ours, n), flags: TcpWire.Flag.ACK }, new Uint8Array(0), PEER_ADDR, FAKE_STACK_ADDR),
        STACK_MAC,
        PEER_MAC
      )
    ])
  const send = (data: Uint8Array) => dataSentBy(frames, conn.write(data))
  return { conn, first, report, ackAll, send }
})

describe("TCP path MTU (RFC 1191)", () => {
  it.scoped("fragmentation needed quoting our data: the MSS follows the router's MTU, the segments longer than it go again cut to it", () =>
    Effect.gen(function*() {
      const { conn, first, report } = yield* inFlight
      const again = yield* report(1000)
      // (the 1460s; the 80-octet segment passed the router)
      expect(payloadLengths(again)).toEqual([960, 960, 960, 40])
      expect(tcpOf(again[0]!)!.seq).toBe(tcpOf(first)!.seq)
      expect((yield* conn.info).mss).toBe(960)
    }))

  it.scoped("an MTU below 552 is taken as 552 (Linux's min_pmtu), and the segments go without DF for the router to cut", () =>
    Effect.gen(function*() {
      const { conn, first, report } = yield* inFlight
      const again = yield* report(296)
      expect((yield* conn.info).mss).toBe(512)
      expect(payloadLengths(again)).toEqual([512, 512, 512, 512, 512, 360])
      expect(again.map((f) => asIpv4(f)!.dontFragment)).toEqual(again.map(() => false))
      // the data before the report went with DF
      expect(asIpv4(first)!.dontFragment).toBe(true)
    }))

  it.scoped("a lowered, locked path MTU expires after 10 minutes (Linux's mtu_expires): full segments with DF again", () =>
    Effect.gen(function*() {
      const { ackAll, conn, report, send } = yield* inFlight
      yield* report(296)
      yield* ackAll(3000)
      yield* settle
      // within the 10 minutes: 512 octets a segment, without DF
      yield* TestClock.adjust(599_000)
      const before = yield* send(new Uint8Array(1000))
      expect(payloadLengths(before)).toEqual([512, 488])
      expect(before.map((f) => asIpv4(f)!.dontFragment)).toEqual([false, false])
      yield* ackAll(4000)
      yield* settle
      // after them the route's MTU is tried again, with DF, so that a router still narrower says so
      yield* TestClock.adjust(1_000)
      const after = yield* send(new Uint8Array(2000))
      expect(payloadLengths(after)).toEqual([1460, 540])
      expect(after.map((f) => asIpv4(f)!.dontFragment)).toEqual([true, true])
      expect((yield* conn.info).mss).toBe(1460)
    }))
})

/** The frame with a partial checksum completed as the kernel would (sum over [csumStart, end)). */
const completed = (f: Uint8Array, headers: Uint8Array | undefined, i: number): Uint8Array => {
  if (headers === undefined) return f
  const h = VirtioNet.read(headers, i * VirtioNet.LEN)
  if ((h.flags & VirtioNet.Flag.NeedsCsum) === 0) return f
  const g = f.slice()
  const at = h.csumStart + h.csumOffset
  const c = Checksum.finish(Checksum.sum(g, 0, h.csumStart, g.length))
  g[at] = c >>> 8
  g[at + 1] = c & 0xff
  return g
}

/*
 * The IPv4 identification of a TSO segment sent without DF. The kernel cuts a TSO segment
 * (virtio-net GSO TCPV4) into n datagrams and gives the i-th the segment's ID + i (Linux's
 * inet_gso_segment, unless SKB_GSO_TCP_FIXEDID), which is why Linux reserves n IDs for it
 * (ip_select_ident_segs). A non-atomic datagram (DF clear) must not repeat an ID for the same
 * (src, dst, protocol) within the MSL (RFC 791, RFC 6864 §4.1).
 */
describe("TSO without DF: IP IDs", () => {
  it.scoped("the datagram after a TSO segment of n pieces takes none of the n IDs the kernel gives them", () =>
    Effect.gen(function*() {
      const fake = fakeAddon(() => true)
      const link = yield* Effect.orDie(LinkTap.make({ name: "gfake0", mac: STACK_MAC }, fake.addon))
      expect(link.offload).toEqual({ checksum: true, tcpSegmentation: true })
      const stack = yield* Layer.build(
        Stack.layer({ address: "198.18.0.2", prefixLength: 24 }).pipe(Layer.provide(Layer.succeed(Link, link)))
      ).pipe(Effect.orDie)
      // every frame written, with its virtio-net header
      const written = () =>
        fake.log.written.flatMap((w) =>
          w.frames.map((f, i) => ({
            frame: completed(flatten(f), w.headers, i),
            header: w.headers === undefined ? undefined : VirtioNet.read(w.headers, i * VirtioNet.LEN)
          }))
        )
      const frames = () => written().map((w) => w.frame)
      const { conn, ours } = yield* peerOpens(fake, frames, stack, STACK_MAC, PEER_MAC, ISN)

      let from = written().length
      yield* conn.write(new Uint8Array(3000))
      yield* settle
      const first = written().slice(from).find((w) => (tcpOf(w.frame)?.payload.length ?? 0) > 0)!
      expect(first.header?.gsoSize).toBe(1460)

      // a router's MTU of 296: taken as 552, segments of 512 without DF, resent as one TSO segment
      from = written().length
      yield* deliverFromCallback(fake, frames, [fragmentationNeeded(first.frame, 296)])
      yield* settle
      const resent = written().slice(from).filter((w) => (tcpOf(w.frame)?.payload.length ?? 0) > 0)
      expect(resent.length).toBe(1)
      const tso = resent[0]!
      const tsoIp = asIpv4(tso.frame)!
      expect(tsoIp.dontFragment).toBe(false)
      expect(tso.header?.gsoSize).toBe(512)
      const pieces = Math.ceil(tcpOf(tso.frame)!.payload.length / 512)
      expect(pieces).toBe(6)

      // the peer acknowledges it all; the next segment goes (without DF)
      yield* deliverFromCallback(fake, frames, [
        ipFrame(peerSegment({ seq: Seq.add(ISN, 1), ack: Seq.add(ours, 3000) }, new Uint8Array(0), PEER_ADDR, FAKE_STACK_ADDR), STACK_MAC, PEER_MAC)
      ])
      from = written().length
      yield* conn.write(new Uint8Array(100))
      yield* settle
      const next = written().slice(from).find((w) => (tcpOf(w.frame)?.payload.length ?? 0) > 0)!
      const nextIp = asIpv4(next.frame)!
      expect(nextIp.dontFragment).toBe(false)
      // the kernel gave the pieces tsoIp.id .. tsoIp.id + 5: the next must be none of them
      const after = (nextIp.id - tsoIp.id) & 0xffff
      expect({ tsoId: tsoIp.id, nextId: nextIp.id, reusedPiece: after < pieces }).toMatchObject({ reusedPiece: false })
    }))
})
