import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Exit, Fiber, Option, Scope } from "effect"
import { concatBatches, Link, TxMeta } from "../../src/link/Link.js"
import * as LinkMemory from "../../src/link/LinkMemory.js"
import { linkStats as stats } from "../support/LinkFixtures.js"

const MAC_A = new Uint8Array([0x02, 0, 0, 0, 0, 0x0a])
const MAC_B = new Uint8Array([0x02, 0, 0, 0, 0, 0x0b])

/** An Ethernet II frame from `src` to `dst` with `payloadLen` octets of `tag`. */
const frame = (dst: Uint8Array, src: Uint8Array, tag: number, payloadLen = 46): Uint8Array => {
  const f = new Uint8Array(14 + payloadLen)
  f.set(dst, 0)
  f.set(src, 6)
  f[12] = 0x88
  f[13] = 0xb5 // IEEE 802 local experimental EtherType
  f.fill(tag & 0xff, 14)
  return f
}


describe("LinkMemory", () => {
  it.scoped("delivers A→B and B→A", () =>
    Effect.gen(function* () {
      const [a, b] = yield* LinkMemory.makePair({ macA: MAC_A, macB: MAC_B })
      expect(a.mac).toEqual(MAC_A)
      expect(b.mac).toEqual(MAC_B)
      expect(a.mtu).toBe(1500)

      const ab = frame(MAC_B, MAC_A, 1)
      yield* a.send(ab)
      const gotB = yield* b.receive.take
      expect(gotB).toHaveLength(1)
      expect(gotB[0]).toBe(ab) // delivered as-is, no copy

      const ba = frame(MAC_A, MAC_B, 2)
      yield* b.send(ba)
      const gotA = yield* a.receive.take
      expect(gotA).toEqual([ba])

      expect(yield* a.receive.size).toEqual(Option.some(0))
      expect(yield* b.receive.size).toEqual(Option.some(0))
      expect(yield* a.stats).toEqual(stats({ rxFrames: 1, txFrames: 1 }))
      expect(yield* b.stats).toEqual(stats({ rxFrames: 1, txFrames: 1 }))
    }))

  it.scoped("preserves batches: one sendBatch is one receive element", () =>
    Effect.gen(function* () {
      const [a, b] = yield* LinkMemory.makePair({ macA: MAC_A, macB: MAC_B })
      const first = [1, 2, 3].map((i) => frame(MAC_B, MAC_A, i))
      const second = [4, 5].map((i) => frame(MAC_B, MAC_A, i))
      yield* a.sendBatch(first)
      yield* a.sendBatch(second)
      yield* a.sendBatch([]) // nothing: batches are never empty
      const batches = Chunk.toReadonlyArray(yield* b.receive.clear)
      expect(batches).toHaveLength(2)
      expect(batches[0]).toEqual(first)
      expect(batches[1]).toEqual(second)
      // a fresh array, so the caller may reuse its own
      expect(batches[0]).not.toBe(first)
      expect((yield* b.stats).rxFrames).toBe(5)
      expect((yield* a.stats).txFrames).toBe(5)
    }))

  it.scoped("drops frames longer than mtu + 14 and counts them in the sender's txTooBig", () =>
    Effect.gen(function* () {
      const [a, b] = yield* LinkMemory.makePair({ macA: MAC_A, macB: MAC_B, mtu: 100 })
      const fits = frame(MAC_B, MAC_A, 1, 100) // 114 octets: exactly mtu + 14
      const tooBig = frame(MAC_B, MAC_A, 2, 101)
      yield* a.send(tooBig)
      yield* a.sendBatch([fits, tooBig, fits])
      const batches = Chunk.toReadonlyArray(yield* b.receive.clear)
      expect(batches).toEqual([[fits, fits]])
      expect(yield* a.stats).toEqual(stats({ txFrames: 2, txDropped: 2, txTooBig: 2 }))
      expect(yield* b.stats).toEqual(stats({ rxFrames: 2 }))
    }))

  it.scoped("drops batches when the receive mailbox is full and counts frames in the receiver's rxDropped", () =>
    Effect.gen(function* () {
      const [a, b] = yield* LinkMemory.makePair({ macA: MAC_A, macB: MAC_B, capacity: 2 })
      yield* a.send(frame(MAC_B, MAC_A, 1))
      yield* a.sendBatch([frame(MAC_B, MAC_A, 2), frame(MAC_B, MAC_A, 3)])
      yield* a.sendBatch([frame(MAC_B, MAC_A, 4), frame(MAC_B, MAC_A, 5)]) // full: dropped
      yield* a.send(frame(MAC_B, MAC_A, 6)) // full: dropped
      expect(yield* b.receive.size).toEqual(Option.some(2))
      expect(yield* b.stats).toEqual(stats({ rxFrames: 3, rxDropped: 3 }))
      expect(yield* a.stats).toEqual(stats({ txFrames: 6 }))

      // draining makes room again
      yield* b.receive.clear
      yield* a.send(frame(MAC_B, MAC_A, 7))
      const got = yield* b.receive.take
      expect(got[0]![14]).toBe(7)
    }))

  it.effect("closing the scope releases a waiting receiver and later sends are counted drops", () =>
    Effect.gen(function* () {
      const scope = yield* Scope.make()
      const [a, b] = yield* LinkMemory.makePair({ macA: MAC_A, macB: MAC_B }).pipe(Scope.extend(scope))
      const waiter = yield* Effect.fork(b.receive.takeAll())
      yield* Effect.yieldNow()
      yield* Scope.close(scope, Exit.void)
      // released: takeAll returns with nothing and the done flag set
      const [messages, done] = yield* Fiber.join(waiter)
      expect(done).toBe(true)
      expect(Chunk.isEmpty(messages)).toBe(true)
      expect(yield* b.receive.size).toEqual(Option.none())

      yield* a.send(frame(MAC_B, MAC_A, 1)) // must not interrupt the sender
      expect(yield* a.stats).toEqual(stats({ txDropped: 1, txErrors: 1 }))
    }))

  it.scoped("a gathered frame arrives as one buffer: its pieces back to back, copied during the send", () =>
    Effect.gen(function* () {
      const [a, b] = yield* LinkMemory.makePair({ macA: MAC_A, macB: MAC_B })
      const whole = frame(MAC_B, MAC_A, 3, 60)
      const expected = whole.slice()
      // header, an empty piece, and the payload cut unevenly
      const pieces = [whole.subarray(0, 14), new Uint8Array(0), whole.subarray(14, 17), whole.subarray(17)]
      const single = [frame(MAC_B, MAC_A, 4)] // one piece is still a gathered frame
      const singleExpected = single[0]!.slice()
      yield* a.sendBatch([pieces, single])
      // The send has completed: the sender may reuse its pieces now (Link.ts).
      whole.fill(0xaa)
      single[0]!.fill(0xbb)
      const [batch] = Chunk.toReadonlyArray(yield* b.receive.clear)
      expect(batch).toHaveLength(2)
      expect(batch![0]).toBeInstanceOf(Uint8Array)
      expect(batch![0]).toEqual(expected)
      expect(batch![1]).toEqual(singleExpected)
      expect(yield* a.stats).toEqual(stats({ txFrames: 2 }))
    }))

  it.scoped("a gathered frame longer than mtu + 14 in total is refused and counted in txTooBig", () =>
    Effect.gen(function* () {
      const [a, b] = yield* LinkMemory.makePair({ macA: MAC_A, macB: MAC_B, mtu: 100 })
      const head = frame(MAC_B, MAC_A, 5, 50) // 64 octets
      const fits = [head, new Uint8Array(50)] // 114: exactly mtu + 14
      const tooBig = [head, new Uint8Array(51)] // 115: every piece fits, the whole does not
      yield* a.sendBatch([tooBig, fits])
      yield* a.send(tooBig)
      const batches = Chunk.toReadonlyArray(yield* b.receive.clear)
      expect(batches.map((batch) => batch.map((f) => f.length))).toEqual([[114]])
      expect(yield* a.stats).toEqual(stats({ txFrames: 1, txDropped: 2, txTooBig: 2 }))
    }))

  it.scoped("with offloads, a frame sent for segmentation arrives whole, vouched for, with its segment size (a veth's GSO packet)", () =>
    Effect.gen(function* () {
      const [a, b] = yield* LinkMemory.makePair({ macA: MAC_A, macB: MAC_B, offload: true })
      const frames = [frame(MAC_B, MAC_A, 1), frame(MAC_B, MAC_A, 2, 4000), frame(MAC_B, MAC_A, 3)]
      yield* a.sendBatch(frames, [TxMeta.partialChecksum, TxMeta.segmented(1448), TxMeta.none])
      yield* a.sendBatch([frame(MAC_B, MAC_A, 4)], [TxMeta.partialChecksum])
      const [first, second] = Chunk.toReadonlyArray(yield* b.receive.clear)
      expect(first).toHaveLength(3)
      expect(Array.from(first!.checksumOk ?? [])).toEqual([1, 1, 0])
      expect(Array.from(first!.gsoSize ?? [])).toEqual([0, 1448, 0])
      expect(second!.gsoSize).toBeUndefined()
      // batches taken together keep it, frame by frame
      const both = concatBatches([first!, second!])
      expect(Array.from(both.checksumOk ?? [])).toEqual([1, 1, 0, 1])
      expect(Array.from(both.gsoSize ?? [])).toEqual([0, 1448, 0, 0])
    }))

  it.scoped("layer provides one side as the Link service", () =>
    Effect.gen(function* () {
      const [a, b] = yield* LinkMemory.makePair({ macA: MAC_A, macB: MAC_B })
      const f = frame(MAC_B, MAC_A, 9)
      yield* Effect.flatMap(Link, (link) => link.send(f)).pipe(Effect.provide(LinkMemory.layer(a)))
      expect(yield* b.receive.take).toEqual([f])
    }))
})
