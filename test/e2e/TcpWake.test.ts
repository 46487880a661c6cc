/**
 * One wake-up of a connection's send half: what the receive half reported
 * counts before what the application asked in the same wake-up, so the data
 * that leaves carries the newest acknowledgment (as Linux fills a segment's
 * ACK when it transmits) and no ACK stays owed for it.
 *
 * The order is forced as it happens in a program: the application's write
 * wakes the send half from its own fiber (a task for later), and before that
 * task runs, the TAP's callback brings the peer's next segment, whose report
 * joins the write in the send half's inbox.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Option, TestClock } from "effect"
import * as Seq from "../../src/tcp/SeqNum.js"
import * as TcpWire from "../../src/wire/TcpHeader.js"
import { deliverFromCallback, FAKE_STACK_ADDR, peerOpens, stackOnFakeTap, tcpOf } from "../support/FakeTap.js"
import { ipFrame, PEER_ADDR, peerSegment } from "../support/Peer.js"

const STACK_MAC = new Uint8Array([0x02, 0x67, 0x6e, 0x00, 0x00, 0x02])
const PEER_MAC = new Uint8Array([0x02, 0x00, 0x00, 0x00, 0x00, 0x99])
const ISN = Seq.make(0xfffffff0)
const PUSH = TcpWire.Flag.ACK | TcpWire.Flag.PSH

const segment = (over: Partial<TcpWire.TcpRepr>, payload: ReadonlyArray<number> = []) =>
  ipFrame(peerSegment({ seq: ISN, ...over }, Uint8Array.from(payload), PEER_ADDR, FAKE_STACK_ADDR), STACK_MAC, PEER_MAC)

/** The TCP segments written after the first `from` frames, once the stack has settled. */
const segmentsAfter = (frames: () => ReadonlyArray<Uint8Array>, from: number) =>
  Effect.gen(function*() {
    for (let i = 0; i < 200; i++) yield* Effect.yieldNow()
    return frames().slice(from).map(tcpOf).filter((t) => t !== undefined).map((t) => ({
      ack: t!.ack,
      payload: Array.from(t!.payload)
    }))
  })

describe("TCP: one wake-up of the send half", () => {
  it.scoped("a write and the peer's segment in one wake-up: the data carries that segment's ACK, and no ACK is owed after it", () =>
    Effect.gen(function*() {
      const { fake, frames, stack } = yield* stackOnFakeTap(STACK_MAC)
      const { conn, ours: ack } = yield* peerOpens(fake, frames, stack, STACK_MAC, PEER_MAC, ISN)
      yield* conn.setNoDelay(true)

      // An interactive exchange first (answered within the delayed-ACK time), so that the
      // stack's ACKs from here on are delayed ones (Linux's pingpong), not quick ones.
      yield* deliverFromCallback(fake, frames, [segment({ seq: Seq.add(ISN, 1), ack, flags: PUSH }, [1])])
      expect(Option.getOrThrow(yield* conn.read)).toEqual(new Uint8Array([1]))
      let from = frames().length
      yield* conn.write(new Uint8Array([2]))
      expect(yield* segmentsAfter(frames, from)).toEqual([{ ack: Seq.add(ISN, 2), payload: [2] }])

      // The write wakes the send half from a fiber (a task for later); the peer's next segment,
      // acknowledging our octet, arrives before that task runs.
      from = frames().length
      yield* deliverFromCallback(
        fake,
        frames,
        [segment({ seq: Seq.add(ISN, 2), ack: Seq.add(ack, 1), flags: PUSH }, [3])],
        () => Effect.runSync(conn.write(new Uint8Array([4])))
      )
      expect(yield* segmentsAfter(frames, from)).toEqual([{ ack: Seq.add(ISN, 3), payload: [4] }])
      // and nothing is owed: past the delayed-ACK time (40 ms), no pure ACK follows
      yield* TestClock.adjust("100 millis")
      expect(yield* segmentsAfter(frames, from)).toEqual([{ ack: Seq.add(ISN, 3), payload: [4] }])
      expect(Option.getOrThrow(yield* conn.read)).toEqual(new Uint8Array([3]))
    }))
})
