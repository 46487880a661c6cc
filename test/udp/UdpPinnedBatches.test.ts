/**
 * What a UDP socket's queue keeps alive of the link's receive batches
 * (src/udp/Udp.ts): the TAP's addon hands each wake's frames over as views
 * into one fresh ArrayBuffer, and a datagram queued as such a view keeps the
 * whole batch alive. Over LinkTap on the fake addon, batches laid out as the
 * addon lays them out:
 *
 * - a socket nobody reads, sent one small datagram per batch among 63
 *   frames of something else, holds no more than what the bounds table
 *   charges its datagrams (payload + DATAGRAM_OVERHEAD each), not a batch
 *   each; its IPv4 options come with it;
 * - a flood that fills its batches for one socket is queued as it came, no
 *   copy.
 */
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect } from "effect"
import { type Datagram, DATAGRAM_OVERHEAD, Udp } from "../../src/udp/Udp.js"
import * as Eth from "../../src/wire/EthernetFrame.js"
import * as Addr from "../../src/wire/Ipv4Addr.js"
import * as Ip from "../../src/wire/Ipv4Header.js"
import * as UdpWire from "../../src/wire/UdpHeader.js"
import { batchOf, deliverFromCallback, FAKE_STACK_ADDR, otherFrame, retained, stackOnFakeTap } from "../support/FakeTap.js"
import { arpRequest, ipFrame, PEER_ADDR } from "../support/Peer.js"

const STACK_MAC = new Uint8Array([0x02, 0x67, 0x6e, 0x00, 0x00, 0x02])
const PEER_MAC = new Uint8Array([0x02, 0x00, 0x00, 0x00, 0x00, 0x99])
const PORT = 5000
const BATCH = 64
/** four NOPs: IPv4 options the socket must pass up as they came */
const NOPS = new Uint8Array([1, 1, 1, 1])
/** the broadcast address of the fake stack's /24 */
const BROADCAST = Addr.parse("198.18.0.255")!

const datagram = (payload: Uint8Array, options = new Uint8Array(0)) =>
  ipFrame(
    {
      tos: 0,
      id: 1,
      dontFragment: true,
      moreFragments: false,
      fragmentOffset: 0,
      ttl: 64,
      protocol: Ip.Protocol.UDP,
      src: PEER_ADDR,
      dst: FAKE_STACK_ADDR,
      options,
      payload: UdpWire.emit({ srcPort: 40000, dstPort: PORT, payload }, PEER_ADDR, FAKE_STACK_ADDR)
    },
    STACK_MAC,
    PEER_MAC
  )

const other = () => otherFrame(STACK_MAC, PEER_MAC)



const reachable = (ds: ReadonlyArray<Datagram>) => ds.flatMap((d) => d.ipOptions.length > 0 ? [d.payload, d.ipOptions] : [d.payload])

describe("UDP: what a socket's queue keeps alive of the link's receive batches", () => {
  it.scoped("a socket nobody reads, sent one small datagram per batch, holds what its datagrams are charged, not a batch each", () =>
    Effect.gen(function*() {
      const { fake, frames, stack } = yield* stackOnFakeTap(STACK_MAC)
      const socket = yield* Context.get(stack, Udp).bind(PORT)
      yield* deliverFromCallback(fake, frames, [arpRequest(FAKE_STACK_ADDR, { mac: PEER_MAC })])
      const n = 300
      for (let i = 0; i < n; i++) {
        const options = i % 2 === 0 ? NOPS : new Uint8Array(0)
        yield* deliverFromCallback(fake, frames, batchOf([datagram(new Uint8Array([i & 0xff]), options), ...Array.from({ length: BATCH - 1 }, other)]))
      }
      const queued = yield* socket.receiveBatch
      expect(queued.map((d) => d.payload[0])).toEqual(Array.from({ length: n }, (_, i) => i & 0xff))
      expect(queued.map((d) => Array.from(d.ipOptions))).toEqual(Array.from({ length: n }, (_, i) => i % 2 === 0 ? [1, 1, 1, 1] : []))
      const charged = queued.reduce((a, d) => a + d.payload.length + DATAGRAM_OVERHEAD, 0)
      expect(retained(reachable(queued))).toBeLessThanOrEqual(charged)
    }))

  it.scoped("a flood that fills its batches for one socket is queued as it came: no copy", () =>
    Effect.gen(function*() {
      const { fake, frames, stack } = yield* stackOnFakeTap(STACK_MAC)
      const socket = yield* Context.get(stack, Udp).bind(PORT)
      yield* deliverFromCallback(fake, frames, [arpRequest(FAKE_STACK_ADDR, { mac: PEER_MAC })])
      const batches = new Set<ArrayBufferLike>()
      for (let i = 0; i < 8; i++) {
        const batch = batchOf([
          ...Array.from({ length: 48 }, (_, k) => datagram(new Uint8Array(1000).fill(k), k % 2 === 0 ? NOPS : new Uint8Array(0))),
          ...Array.from({ length: BATCH - 48 }, other)
        ])
        batches.add(batch[0]!.buffer)
        yield* deliverFromCallback(fake, frames, batch)
      }
      const queued = yield* socket.receiveBatch
      expect(queued.length).toBe(8 * 48)
      expect(reachable(queued).every((v) => batches.has(v.buffer))).toBe(true)
    }))
})

describe("UDP: a broadcast with IP options, to every socket on its port", () => {
  it.scoped("each socket but the first gets a copy, its options too: none keeps the batch alive but through the first", () =>
    Effect.gen(function*() {
      const { fake, frames, stack } = yield* stackOnFakeTap(STACK_MAC)
      const udp = Context.get(stack, Udp)
      const sockets = [yield* udp.bind(PORT, { reuseAddr: true }), yield* udp.bind(PORT, { reuseAddr: true })]
      yield* deliverFromCallback(fake, frames, [arpRequest(FAKE_STACK_ADDR, { mac: PEER_MAC })])
      const broadcast = ipFrame(
        {
          tos: 0,
          id: 1,
          dontFragment: true,
          moreFragments: false,
          fragmentOffset: 0,
          ttl: 64,
          protocol: Ip.Protocol.UDP,
          src: PEER_ADDR,
          dst: BROADCAST,
          options: NOPS,
          payload: UdpWire.emit({ srcPort: 40000, dstPort: PORT, payload: new Uint8Array(1000) }, PEER_ADDR, BROADCAST)
        },
        Eth.BROADCAST,
        PEER_MAC
      )
      // most of the batch is the broadcast: the first socket keeps its view
      const batch = batchOf([broadcast])
      yield* deliverFromCallback(fake, frames, batch)
      const got = yield* Effect.forEach(sockets, (s) => s.receive)
      expect(got.map((d) => Array.from(d.ipOptions))).toEqual([[1, 1, 1, 1], [1, 1, 1, 1]])
      const throughBatch = got.filter((d) => d.payload.buffer === batch[0]!.buffer || d.ipOptions.buffer === batch[0]!.buffer)
      expect(throughBatch.length).toBe(1)
    }))
})
