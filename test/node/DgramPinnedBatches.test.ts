/**
 * What the 'message' Buffers of a Node `dgram` socket over the stack keep
 * alive (src/node/Dgram.ts): a datagram is queued as a view into its
 * receive batch (one ArrayBuffer per TAP read, up to 64 frames) when the
 * socket's datagrams fill that batch (src/udp/Udp.ts); an application that
 * keeps a few of its messages would keep the whole batch alive for each.
 * Node's sockets hand each message a buffer of its size. Over LinkTap on the
 * fake addon, batches laid out as the addon lays them out.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as Dgram from "../../src/node/Dgram.js"
import * as Ip from "../../src/wire/Ipv4Header.js"
import * as UdpWire from "../../src/wire/UdpHeader.js"
import { batchOf, deliverFromCallback, FAKE_STACK_ADDR, otherFrame, retained, stackOnFakeTap } from "../support/FakeTap.js"
import { arpRequest, ipFrame, ipRepr, PEER_ADDR, PEER_MAC } from "../support/Peer.js"

const STACK_MAC = new Uint8Array([0x02, 0x67, 0x6e, 0x00, 0x00, 0x02])
const PORT = 5000

const datagram = (payload: Uint8Array) =>
  ipFrame(
    ipRepr({ src: PEER_ADDR, dst: FAKE_STACK_ADDR, protocol: Ip.Protocol.UDP, payload: UdpWire.emit({ srcPort: 40000, dstPort: PORT, payload }, PEER_ADDR, FAKE_STACK_ADDR) }),
    STACK_MAC
  )

const other = () => otherFrame(STACK_MAC, PEER_MAC)


describe("node:dgram over the stack: what kept messages keep alive", () => {
  it.scoped("a few messages kept out of batches the socket's datagrams filled keep alive about their octets, not a batch each", () =>
    Effect.gen(function*() {
      const { fake, frames, stack } = yield* stackOnFakeTap(STACK_MAC)
      const dgram = yield* Effect.provide(Dgram.make, stack)
      const kept: Array<Buffer> = []
      let seen = 0
      const socket = dgram.createSocket("udp4", (msg) => {
        if (seen++ % 48 === 0) kept.push(msg)
      })
      socket.bind(PORT)
      yield* Effect.addFinalizer(() => Effect.sync(() => socket.close()))
      for (let i = 0; i < 20; i++) yield* Effect.yieldNow()
      yield* deliverFromCallback(fake, frames, [arpRequest(FAKE_STACK_ADDR, { mac: PEER_MAC })])
      for (let b = 0; b < 8; b++) {
        yield* deliverFromCallback(fake, frames, batchOf([
          ...Array.from({ length: 48 }, (_, k) => datagram(new Uint8Array(1000).fill(b * 48 + k))),
          ...Array.from({ length: 16 }, other)
        ]))
        for (let k = 0; k < 20; k++) yield* Effect.yieldNow()
      }
      expect(seen).toBe(8 * 48)
      expect(kept.map((m) => m[0])).toEqual(Array.from({ length: 8 }, (_, b) => (b * 48) & 0xff))
      const held = kept.reduce((a, m) => a + m.length, 0)
      let alive = 0
      alive += retained(kept)
      expect(alive).toBeLessThanOrEqual(2 * held)
    }))
})
