/**
 * What the `data` Buffers of a Node `net.Socket` over the stack keep alive
 * (src/node/Net.ts): a chunk read is a view into what it came in, the
 * link's receive batch (one ArrayBuffer per TAP read, up to 64 frames). An
 * application that keeps its chunks (a body collected until 'end') while
 * each came in a batch of its own, among other frames, would keep a batch
 * alive per chunk; Node's own sockets hand each read a buffer of its size.
 * Over LinkTap on the fake addon, batches laid out as the addon lays them
 * out.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as Net from "../../src/node/Net.js"
import * as Seq from "../../src/tcp/SeqNum.js"
import * as TcpWire from "../../src/wire/TcpHeader.js"
import { batchOf, deliverFromCallback, FAKE_STACK_ADDR, otherFrame, retained, stackOnFakeTap, tcpOf } from "../support/FakeTap.js"
import { arpRequest, ipFrame, PEER_ADDR, PEER_MAC, peerSegment } from "../support/Peer.js"

const STACK_MAC = new Uint8Array([0x02, 0x67, 0x6e, 0x00, 0x00, 0x02])
const ISN = Seq.make(0x20000)
const BATCH = 64

const segment = (over: Partial<TcpWire.TcpRepr>, payload = new Uint8Array(0)) =>
  ipFrame(peerSegment({ seq: ISN, ...over }, payload, PEER_ADDR, FAKE_STACK_ADDR), STACK_MAC, PEER_MAC)

const other = () => otherFrame(STACK_MAC, PEER_MAC)


describe("node:net over the stack: what kept 'data' chunks keep alive", () => {
  // (every chunk kept; or one in ten, as a parser keeping a header: a copy cut from Node's 8 KiB
  // Buffer pool, as a small Buffer.from is, would keep a pool alive for each of those)
  for (const every of [1, 10]) {
    it.scoped(`chunks that each came in a batch of their own keep alive about their octets, not a batch each (one in ${every} kept)`, () =>
      Effect.gen(function*() {
        const { fake, frames, stack } = yield* stackOnFakeTap(STACK_MAC)
        const net = yield* Effect.provide(Net.make, stack)
        const kept: Array<Buffer> = []
        let seen = 0
        net.createServer((s) => s.on("data", (b: Buffer) => seen++ % every === 0 && kept.push(b)).on("error", () => {})).listen(80)
        for (let i = 0; i < 20; i++) yield* Effect.yieldNow()
        const opened = yield* deliverFromCallback(fake, frames, [
          arpRequest(FAKE_STACK_ADDR, { mac: PEER_MAC }),
          segment({ flags: TcpWire.Flag.SYN, options: { mss: 1460, sackPermitted: false } })
        ])
        const synAck = opened.map(tcpOf).find((t) => t !== undefined)!
        const ack = Seq.add(synAck.seq, 1)
        yield* deliverFromCallback(fake, frames, [segment({ seq: Seq.add(ISN, 1), ack })])
        const n = 50
        const size = 600
        for (let i = 0; i < n; i++) {
          const data = segment({ seq: Seq.add(ISN, 1 + i * size), ack, flags: TcpWire.Flag.ACK | TcpWire.Flag.PSH }, new Uint8Array(size).fill(i))
          yield* deliverFromCallback(fake, frames, batchOf([data, ...Array.from({ length: BATCH - 1 }, other)]))
          for (let k = 0; k < 20; k++) yield* Effect.yieldNow()
        }
        const held = kept.reduce((a, b) => a + b.length, 0)
        expect(seen).toBe(n)
        expect(held).toBe(Math.ceil(n / every) * size)
        expect(Buffer.concat(kept)).toEqual(Buffer.concat(Array.from({ length: Math.ceil(n / every) }, (_, i) => Buffer.alloc(size, i * every))))
        let alive = 0
        alive += retained(kept)
        expect(alive).toBeLessThanOrEqual(2 * held)
      }))
  }
})
