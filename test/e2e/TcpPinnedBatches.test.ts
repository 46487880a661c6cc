/**
 * What a connection's unread data keeps alive of the link's receive batches
 * (src/tcp/Delivery.ts): the TAP's addon hands each wake's frames over as
 * views into one fresh ArrayBuffer, and a payload queued as such a view
 * keeps the whole batch alive. Over LinkTap on the fake addon, batches laid
 * out as the addon lays them out:
 *
 * - a reader that has stopped (or never started), sent one 600-octet
 *   segment per batch among 63 frames of something else, holds about its
 *   octets, not a batch each;
 * - a reader waiting for each segment takes it as it came (no copy); one
 *   whose read was given up (a timeout, a race lost) is not waiting;
 * - bulk data that fills (most of) its batches is never copied, whether the
 *   reader keeps up or is behind.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Option } from "effect"
import type { Connection } from "../../src/tcp/Tcp.js"
import * as Seq from "../../src/tcp/SeqNum.js"
import * as TcpWire from "../../src/wire/TcpHeader.js"
import { flatten } from "../../src/link/Link.js"
import { batchOf, deliverFromCallback, FAKE_STACK_ADDR, otherFrame, peerOpens, retained, stackOnFakeTap, tcpOf } from "../support/FakeTap.js"
import { ipFrame, PEER_ADDR, peerSegment } from "../support/Peer.js"

const STACK_MAC = new Uint8Array([0x02, 0x67, 0x6e, 0x00, 0x00, 0x02])
const PEER_MAC = new Uint8Array([0x02, 0x00, 0x00, 0x00, 0x00, 0x99])
const ISN = Seq.make(0x10000)
const PUSH = TcpWire.Flag.ACK | TcpWire.Flag.PSH
const BATCH = 64

/** The peer's data segment carrying `n` octets from stream offset `at` (octet k is (at + k) & 0xff). */
const data = (ack: Seq.SeqNum, at: number, n: number) =>
  ipFrame(
    peerSegment(
      { seq: Seq.add(ISN, 1 + at), ack, flags: PUSH },
      Uint8Array.from({ length: n }, (_, k) => (at + k) & 0xff),
      PEER_ADDR,
      FAKE_STACK_ADDR
    ),
    STACK_MAC,
    PEER_MAC
  )

const other = () => otherFrame(STACK_MAC, PEER_MAC)


/** Read until `octets` have come (bounded): the chunks as the reader gets them. */
const readAll = (conn: Connection, octets: number) =>
  Effect.gen(function*() {
    const chunks: Array<Uint8Array> = []
    let got = 0
    for (let i = 0; i < 100_000 && got < octets; i++) {
      const c = Option.getOrThrow(yield* conn.read)
      chunks.push(c)
      got += c.length
    }
    return chunks
  })


const octetsOf = (chunks: ReadonlyArray<Uint8Array>) => chunks.flatMap((c) => Array.from(c))
const stream = (from: number, n: number) => Array.from({ length: n }, (_, k) => (from + k) & 0xff)

describe("TCP: what unread data keeps alive of the link's receive batches", () => {
  it.scoped("a stalled reader sent one 600-octet segment per batch holds about its octets, not a batch per segment", () =>
    Effect.gen(function*() {
      const { fake, frames, stack } = yield* stackOnFakeTap(STACK_MAC)
      const { conn, ours: ack } = yield* peerOpens(fake, frames, stack, STACK_MAC, PEER_MAC, ISN)
      // (the peer's SYN offered no window scale: the window is at most 65535 octets)
      const n = 100
      const size = 600
      let batchOctets = 0
      for (let i = 0; i < n; i++) {
        const batch = batchOf([data(ack, i * size, size), ...Array.from({ length: BATCH - 1 }, other)])
        batchOctets = batch[0]!.buffer.byteLength
        yield* deliverFromCallback(fake, frames, batch)
      }
      const chunks = yield* readAll(conn, n * size)
      expect(octetsOf(chunks)).toEqual(stream(0, n * size))
      // (nobody was waiting for the first either: none went as it came)
      expect(batchOctets).toBeGreaterThan(64 * 1500)
      expect(retained(chunks)).toBeLessThan(2 * n * size)
    }))

  it.scoped("a reader waiting when each segment comes takes it as it came, however small a part of its batch", () =>
    Effect.gen(function*() {
      const { fake, frames, stack } = yield* stackOnFakeTap(STACK_MAC)
      const { conn, ours: ack } = yield* peerOpens(fake, frames, stack, STACK_MAC, PEER_MAC, ISN)
      const size = 600
      for (let i = 0; i < 20; i++) {
        const reading = yield* Effect.fork(conn.read)
        for (let k = 0; k < 20; k++) yield* Effect.yieldNow()
        const batch = batchOf([data(ack, i * size, size), ...Array.from({ length: BATCH - 1 }, other)])
        yield* deliverFromCallback(fake, frames, batch)
        const c = Option.getOrThrow(yield* Fiber.join(reading))
        expect(c.buffer).toBe(batch[0]!.buffer)
        expect(Array.from(c)).toEqual(stream(i * size, size))
      }
    }))

  it.scoped("a read given up (a timeout, a race lost) leaves nobody waiting: segments sent after it hold about their octets", () =>
    Effect.gen(function*() {
      const { fake, frames, stack } = yield* stackOnFakeTap(STACK_MAC)
      const { conn, ours: ack } = yield* peerOpens(fake, frames, stack, STACK_MAC, PEER_MAC, ISN)
      const reading = yield* Effect.fork(conn.read)
      for (let k = 0; k < 20; k++) yield* Effect.yieldNow()
      yield* Fiber.interrupt(reading)
      const n = 20
      const size = 600
      for (let i = 0; i < n; i++) {
        yield* deliverFromCallback(fake, frames, batchOf([data(ack, i * size, size), ...Array.from({ length: BATCH - 1 }, other)]))
      }
      const chunks = yield* readAll(conn, n * size)
      expect(octetsOf(chunks)).toEqual(stream(0, n * size))
      expect(retained(chunks)).toBeLessThan(2 * n * size)
    }))

  it.scoped("bulk data that fills its batches is never copied: to a reader that keeps up, or one that is behind", () =>
    Effect.gen(function*() {
      const { fake, frames, stack } = yield* stackOnFakeTap(STACK_MAC)
      const { conn, ours: ack } = yield* peerOpens(fake, frames, stack, STACK_MAC, PEER_MAC, ISN)
      const full = 1460
      const ours = 40
      let at = 0
      const batches = new Set<ArrayBufferLike>()
      const bulk = () => {
        const batch = batchOf([
          ...Array.from({ length: ours }, (_, k) => data(ack, at + k * full, full)),
          ...Array.from({ length: BATCH - ours }, other)
        ])
        at += ours * full
        batches.add(batch[0]!.buffer)
        return batch
      }
      // a reader that keeps up: each batch read before the next comes
      for (let i = 0; i < 8; i++) {
        const from = at
        yield* deliverFromCallback(fake, frames, bulk())
        const chunks = yield* readAll(conn, ours * full)
        expect(octetsOf(chunks)).toEqual(stream(from, ours * full))
        expect(chunks.every((c) => batches.has(c.buffer))).toBe(true)
      }
      // a reader that is behind (one octet queued unread), then a batch of bulk data: as it came too
      const from = at
      yield* deliverFromCallback(fake, frames, batchOf([data(ack, at, 1)]))
      at += 1
      yield* deliverFromCallback(fake, frames, bulk())
      const chunks = yield* readAll(conn, 1 + ours * full)
      expect(octetsOf(chunks)).toEqual(stream(from, 1 + ours * full))
      expect(chunks.slice(1).every((c) => batches.has(c.buffer))).toBe(true)
    }))
})

describe("TCP: what the send buffer keeps of a write", () => {
  it.scoped("a write larger than the send buffer is sent from the application's buffer as it came, cut as room comes: no copy", () =>
    Effect.gen(function*() {
      const { fake, frames, stack } = yield* stackOnFakeTap(STACK_MAC)
      const { conn, ours } = yield* peerOpens(fake, frames, stack, STACK_MAC, PEER_MAC, ISN)
      // (twice the send buffer: cut into pieces as acknowledgements make room)
      const size = 1 << 19
      const data = Uint8Array.from({ length: size }, (_, i) => (i * 7) & 0xff)
      const writing = yield* Effect.fork(conn.write(data))
      const ackOf = (n: number) =>
        ipFrame(
          peerSegment({ seq: Seq.add(ISN, 1), ack: Seq.add(ours, n), flags: TcpWire.Flag.ACK }, new Uint8Array(0), PEER_ADDR, FAKE_STACK_ADDR),
          STACK_MAC,
          PEER_MAC
        )
      // the peer acknowledges all that came, wake by wake (bounded)
      let acked = 0
      let fromApp = 0
      let looked = 0
      const got = new Uint8Array(size)
      for (let round = 0; round < 5000 && acked < size; round++) {
        for (let k = 0; k < 5; k++) yield* Effect.yieldNow()
        for (; looked < fake.log.written.length; looked++) {
          for (const frame of fake.log.written[looked]!.frames) {
            const t = tcpOf(flatten(frame))
            if (t === undefined || t.payload.length === 0) continue
            const at = Seq.sub(t.seq, ours)
            got.set(t.payload, at)
            acked = Math.max(acked, at + t.payload.length)
            // (a segment within one chunk of the send buffer goes gathered, its payload a view of the chunk)
            const piece = Array.isArray(frame) ? frame[frame.length - 1] : undefined
            if (piece !== undefined && piece.length === t.payload.length && piece.buffer === data.buffer) fromApp += piece.length
          }
        }
        yield* deliverFromCallback(fake, frames, [ackOf(acked)])
      }
      yield* Fiber.join(writing)
      expect(acked).toBe(size)
      expect(got).toEqual(data)
      // (a segment that spans two of the pieces the write was cut into is copied: a few)
      expect(fromApp).toBeGreaterThan(0.95 * size)
    }))
})
