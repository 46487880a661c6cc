import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Exit, Fiber, Option, Scope } from "effect"
import { Link } from "../../src/link/Link.js"
import * as LinkMemory from "../../src/link/LinkMemory.js"

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
      expect(yield* a.stats).toEqual({ rxFrames: 1, rxDropped: 0, txFrames: 1, txDropped: 0 })
      expect(yield* b.stats).toEqual({ rxFrames: 1, rxDropped: 0, txFrames: 1, txDropped: 0 })
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

  it.scoped("drops frames longer than mtu + 14 and counts them in the sender's txDropped", () =>
    Effect.gen(function* () {
      const [a, b] = yield* LinkMemory.makePair({ macA: MAC_A, macB: MAC_B, mtu: 100 })
      const fits = frame(MAC_B, MAC_A, 1, 100) // 114 octets: exactly mtu + 14
      const tooBig = frame(MAC_B, MAC_A, 2, 101)
      yield* a.send(tooBig)
      yield* a.sendBatch([fits, tooBig, fits])
      const batches = Chunk.toReadonlyArray(yield* b.receive.clear)
      expect(batches).toEqual([[fits, fits]])
      expect(yield* a.stats).toEqual({ rxFrames: 0, rxDropped: 0, txFrames: 2, txDropped: 2 })
      expect(yield* b.stats).toEqual({ rxFrames: 2, rxDropped: 0, txFrames: 0, txDropped: 0 })
    }))

  it.scoped("drops batches when the receive mailbox is full and counts frames in the receiver's rxDropped", () =>
    Effect.gen(function* () {
      const [a, b] = yield* LinkMemory.makePair({ macA: MAC_A, macB: MAC_B, capacity: 2 })
      yield* a.send(frame(MAC_B, MAC_A, 1))
      yield* a.sendBatch([frame(MAC_B, MAC_A, 2), frame(MAC_B, MAC_A, 3)])
      yield* a.sendBatch([frame(MAC_B, MAC_A, 4), frame(MAC_B, MAC_A, 5)]) // full: dropped
      yield* a.send(frame(MAC_B, MAC_A, 6)) // full: dropped
      expect(yield* b.receive.size).toEqual(Option.some(2))
      expect(yield* b.stats).toEqual({ rxFrames: 3, rxDropped: 3, txFrames: 0, txDropped: 0 })
      expect(yield* a.stats).toEqual({ rxFrames: 0, rxDropped: 0, txFrames: 6, txDropped: 0 })

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
      const waiter = yield* Effect.fork(b.receive.takeAll)
      yield* Effect.yieldNow()
      yield* Scope.close(scope, Exit.void)
      // released: takeAll returns with nothing and the done flag set
      const [messages, done] = yield* Fiber.join(waiter)
      expect(done).toBe(true)
      expect(Chunk.isEmpty(messages)).toBe(true)
      expect(yield* b.receive.size).toEqual(Option.none())

      yield* a.send(frame(MAC_B, MAC_A, 1)) // must not interrupt the sender
      expect((yield* a.stats).txDropped).toBe(1)
    }))

  it.scoped("layer provides one side as the Link service", () =>
    Effect.gen(function* () {
      const [a, b] = yield* LinkMemory.makePair({ macA: MAC_A, macB: MAC_B })
      const f = frame(MAC_B, MAC_A, 9)
      yield* Effect.flatMap(Link, (link) => link.send(f)).pipe(Effect.provide(LinkMemory.layer(a)))
      expect(yield* b.receive.take).toEqual([f])
    }))
})
