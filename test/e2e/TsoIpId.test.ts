/**
 * The IPv4 identification of a TSO segment sent without DF.
 *
 * The kernel cuts a TSO segment (virtio-net GSO TCPV4) into gso_segs datagrams and gives the
 * n-th the large segment's ID + n (Linux inet_gso_segment: `iph->id = htons(id++)` unless
 * SKB_GSO_TCP_FIXEDID), which is why Linux reserves that many IDs for it
 * (ip_select_ident_segs(net, skb, sk, segs)). RFC 791 / RFC 6864 §4.1: a non-atomic datagram
 * (DF clear) MUST NOT repeat an ID for the same (src, dst, protocol) within the MSL. The stack
 * sends without DF after a "fragmentation needed" below 552 (pmtuLocked), with TSO on.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { flatten, Link } from "../../src/link/Link.js"
import * as LinkTap from "../../src/link/LinkTap.js"
import * as Stack from "../../src/Stack.js"
import * as Seq from "../../src/tcp/SeqNum.js"
import * as Checksum from "../../src/wire/Checksum.js"
import * as Eth from "../../src/wire/EthernetFrame.js"
import * as IcmpWire from "../../src/wire/IcmpMessage.js"
import * as Ip from "../../src/wire/Ipv4Header.js"
import * as VirtioNet from "../../src/wire/VirtioNet.js"
import { deliverFromCallback, FAKE_STACK_ADDR, fakeAddon, peerOpens, tcpOf } from "../support/FakeTap.js"
import { asIpv4, ipFrame, ipRepr, PEER_ADDR, peerSegment } from "../support/Peer.js"

const STACK_MAC = new Uint8Array([0x02, 0x67, 0x6e, 0x00, 0x00, 0x02])
const PEER_MAC = new Uint8Array([0x02, 0x00, 0x00, 0x00, 0x00, 0x99])
const ISN = Seq.make(0x7ffffff0)

const fragmentationNeeded = (frame: Uint8Array, mtu: number) => {
  const quote = frame.subarray(Eth.HEADER_LEN, Eth.HEADER_LEN + 28)
  const icmp = new Uint8Array(IcmpWire.HEADER_LEN + quote.length)
  IcmpWire.encode({ _tag: "DstUnreachable", code: IcmpWire.DstUnreachableCode.FragmentationNeeded, nextHopMtu: mtu, data: quote }, icmp, 0)
  return ipFrame(ipRepr({ src: PEER_ADDR, dst: FAKE_STACK_ADDR, protocol: Ip.Protocol.ICMP, payload: icmp }), STACK_MAC, PEER_MAC)
}

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

const settle = Effect.gen(function*() {
  for (let i = 0; i < 200; i++) yield* Effect.yieldNow()
})

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
