/**
 * Path MTU discovery for TCP through the whole stack (RFC 1191 §3, as
 * Linux): a router's "fragmentation needed" quoting one of our data
 * segments reaches the connection through the IPv4 and ICMP dealers, the
 * connection's MSS follows the router's MTU and what was in flight goes
 * again at that size; a smaller MTU than Linux's 552 is taken as 552, and
 * the segments lose DF. Over the
 * fake TAP, a raw peer, virtual time.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as Seq from "../../src/tcp/SeqNum.js"
import * as Eth from "../../src/wire/EthernetFrame.js"
import * as IcmpWire from "../../src/wire/IcmpMessage.js"
import * as Ip from "../../src/wire/Ipv4Header.js"
import { deliverFromCallback, FAKE_STACK_ADDR, peerOpens, stackOnFakeTap, tcpOf } from "../support/FakeTap.js"
import { asIpv4, ipFrame, ipRepr, PEER_ADDR } from "../support/Peer.js"

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
  const { conn } = yield* peerOpens(fake, frames, stack, STACK_MAC, PEER_MAC, ISN)
  const sent = yield* dataSentBy(frames, conn.write(new Uint8Array(3000)))
  expect(payloadLengths(sent)).toEqual([1460, 1460, 80])
  const first = sent[0]!
  const report = (mtu: number) => dataSentBy(frames, deliverFromCallback(fake, frames, [fragmentationNeeded(first, mtu)]))
  return { conn, first, report }
})

describe("TCP path MTU (RFC 1191)", () => {
  it.scoped("fragmentation needed quoting our data: the MSS follows the router's MTU, the flight goes again cut to it", () =>
    Effect.gen(function*() {
      const { conn, first, report } = yield* inFlight
      const again = yield* report(1000)
      expect(payloadLengths(again)).toEqual([960, 960, 960, 120])
      expect(tcpOf(again[0]!)!.seq).toBe(tcpOf(first)!.seq)
      expect((yield* conn.info).mss).toBe(960)
    }))

  it.scoped("an MTU below 552 is taken as 552 (Linux's min_pmtu), and the segments go without DF for the router to cut", () =>
    Effect.gen(function*() {
      const { conn, first, report } = yield* inFlight
      const again = yield* report(296)
      expect((yield* conn.info).mss).toBe(512)
      expect(payloadLengths(again)).toEqual([512, 512, 512, 512, 512, 440])
      expect(again.map((f) => asIpv4(f)!.dontFragment)).toEqual(again.map(() => false))
      // the data before the report went with DF
      expect(asIpv4(first)!.dontFragment).toBe(true)
    }))
})
