/**
 * In-order data on its way to the reader (src/tcp/Delivery.ts): views as
 * they came while the reader keeps up; small payloads copied together while
 * it is behind, so that one-octet segments held unread cost about their
 * octets, not a frame and an object each; nothing a reader took changes.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, FastCheck as fc, Fiber } from "effect"
import { ChunkQueue } from "../../src/internal/ChunkQueue.js"
import type * as Coalesce from "../../src/internal/Coalesce.js"
import * as Delivery from "../../src/tcp/Delivery.js"

/** A payload of `n` octets as a view into a frame of its own (what a link hands the stack), octets from `from`. */
const payload = (n: number, from: number) => {
  const frame = new Uint8Array(66 + n)
  for (let i = 0; i < n; i++) frame[66 + i] = (from + i) & 0xff
  return frame.subarray(66)
}

const small = (): Coalesce.Small => ({ smallStore: undefined, smallUsed: 0 })

/** Frames of `FRAME` octets in one fresh ArrayBuffer, as the TAP's addon hands a wake's batch over. */
const FRAME = 1514
const batchOf = (frames: number) => new Uint8Array(new ArrayBuffer(FRAME * frames))

/** `n` payload octets (from `from`) in frame `i` of `batch`, as a view (behind a 54-octet header). */
const inBatch = (batch: Uint8Array, i: number, n: number, from: number) => {
  const at = i * FRAME + 54
  for (let k = 0; k < n; k++) batch[at + k] = (from + k) & 0xff
  return batch.subarray(at, at + n)
}

/** The octets of every distinct ArrayBuffer the views reach: what holding them keeps alive. */
const retained = (views: ReadonlyArray<Uint8Array>) => {
  const buffers = new Set<ArrayBufferLike>(views.map((v) => v.buffer))
  let sum = 0
  for (const b of buffers) sum += b.byteLength
  return sum
}

describe("Delivery", () => {
  it("a reader that keeps up gets the payload as it came, no copy", () => {
    const q = new ChunkQueue<Uint8Array, never>()
    const s = small()
    const p = payload(1, 0)
    Delivery.deliver(q, [p], s)
    expect(q.take()).toBe(p)
    expect(s.smallStore).toBeUndefined()
  })

  it("one-octet payloads to a reader that is behind are copied together: a few items hold them all, and no frame", () => {
    const q = new ChunkQueue<Uint8Array, never>()
    const s = small()
    const n = 10_000
    for (let i = 0; i < n; i++) Delivery.deliver(q, [payload(1, i)], s)
    // the first went as it came (nothing was queued); the rest fill stores of STORE octets, one item each
    expect(q.size).toBe(1 + Math.ceil((n - 1) / Delivery.STORE))
    const items = q.takeAll()
    expect(items.slice(1).every((c) => c.buffer.byteLength === Delivery.STORE)).toBe(true)
    const all = items.flatMap((c) => Array.from(c))
    expect(all).toEqual(Array.from({ length: n }, (_, i) => i & 0xff))
  })

  it("full payloads go as they came, behind or not; a view a reader took is never written", () => {
    const q = new ChunkQueue<Uint8Array, never>()
    const s = small()
    Delivery.deliver(q, [payload(1, 0)], s)
    const big = payload(Delivery.SMALL, 1)
    Delivery.deliver(q, [big, payload(3, 1 + Delivery.SMALL)], s)
    const items = q.takeAll()
    expect(items[1]).toBe(big)
    const copied = items[2]!
    expect(Array.from(copied)).toEqual([1, 2, 3].map((k) => (k + Delivery.SMALL) & 0xff))
    // behind again: new octets go after the taken view in the same store, in an item of their own
    Delivery.deliver(q, [payload(1, 50)], s)
    Delivery.deliver(q, [payload(2, 51)], s)
    expect(Array.from(copied)).toEqual([1, 2, 3].map((k) => (k + Delivery.SMALL) & 0xff))
    expect(q.takeAll().map((c) => Array.from(c))).toEqual([[50], [51, 52]])
  })

  it("a stalled reader sent one 600-octet segment per link batch holds about its octets, not a batch per segment", () => {
    const q = new ChunkQueue<Uint8Array, never>()
    const s = small()
    const n = 400
    const size = 600
    // each batch: our segment among 63 frames of anything else (another connection's, a closed port's)
    for (let i = 0; i < n; i++) Delivery.deliver(q, [inBatch(batchOf(64), i % 64, size, i * size)], s)
    const items = q.takeAll()
    const held = items.reduce((a, c) => a + c.length, 0)
    expect(held).toBe(n * size)
    // the first went as it came (the reader was not behind yet): one batch, and the rest about themselves
    expect(retained(items)).toBeLessThan(2 * held + FRAME * 64)
    expect(items.flatMap((c) => Array.from(c))).toEqual(Array.from({ length: n * size }, (_, i) => i & 0xff))
  })

  it("a batch that is (mostly) one connection's bulk data goes as it came, even to a reader that is behind", () => {
    const q = new ChunkQueue<Uint8Array, never>()
    const s = small()
    Delivery.deliver(q, [payload(1, 0)], s)
    for (let b = 0; b < 4; b++) {
      const batch = batchOf(64)
      // 40 full segments of ours, 24 frames of anything else
      const chunks = Array.from({ length: 40 }, (_, i) => inBatch(batch, i, 1460, 0))
      Delivery.deliver(q, chunks, s)
      const items = q.takeAll().filter((c) => c.length === 1460)
      expect(items).toEqual(chunks)
      expect(items.every((c, i) => c === chunks[i])).toBe(true)
      Delivery.deliver(q, [payload(1, 0)], s)
    }
  })

  it("a reader that keeps up (waiting when the segment comes) takes each segment as it came, whatever its share of the batch", () =>
    Effect.runPromise(Effect.gen(function*() {
      const q = new ChunkQueue<Uint8Array, never>()
      const s = small()
      for (let i = 0; i < 100; i++) {
        const waiting = yield* Effect.fork(q.wait())
        yield* Effect.yieldNow()
        expect(q.parked).toBe(1)
        const c = inBatch(batchOf(64), 3, 600, i)
        Delivery.deliver(q, [c], s)
        yield* Fiber.join(waiting)
        expect(q.take()).toBe(c)
      }
      expect(s.smallStore).toBeUndefined()
    })))

  it("a reader that stopped waiting (its read timed out, or lost a race) is nobody waiting: a small part of a large batch is copied", () =>
    Effect.runPromise(Effect.gen(function*() {
      const q = new ChunkQueue<Uint8Array, never>()
      const s = small()
      // (a read under a timeout: the wait runs in a fiber of its own, interrupted when the time is up)
      const timedOut = yield* Effect.fork(q.wait().pipe(Effect.timeout("1 millis")))
      yield* Effect.yieldNow()
      expect(q.parked).toBe(1)
      yield* Effect.sleep("5 millis")
      expect((yield* Fiber.join(timedOut).pipe(Effect.either))._tag).toBe("Left")
      // (an entry of a fiber that is done stays until the next wake-up: no canceler, see ChunkQueue)
      expect(q.parked).toBe(1)
      const batch = batchOf(64)
      const c = inBatch(batch, 3, 600, 0)
      Delivery.deliver(q, [c], s)
      const got = q.take()!
      expect(Array.from(got)).toEqual(Array.from(c))
      expect(got.buffer).not.toBe(batch.buffer)
      // an interrupted read, the same
      const gone = yield* Effect.fork(q.wait())
      yield* Effect.yieldNow()
      yield* Fiber.interrupt(gone)
      expect(q.parked).toBe(1)
      const other = batchOf(64)
      Delivery.deliver(q, [inBatch(other, 5, 600, 600)], s)
      expect(q.take()!.buffer).not.toBe(other.buffer)
    })))

  it("with nobody waiting (a reader gone, a connection not yet accepted), a small part of a large batch is copied even into an empty queue", () => {
    const q = new ChunkQueue<Uint8Array, never>()
    const s = small()
    const n = 50
    const items: Array<Uint8Array> = []
    for (let i = 0; i < n; i++) {
      Delivery.deliver(q, [inBatch(batchOf(64), 3, 600, i * 600)], s)
      // (taken at once, so the queue is empty when the next comes: only the rule for nobody waiting applies)
      items.push(q.take()!)
    }
    expect(items.flatMap((c) => Array.from(c))).toEqual(Array.from({ length: n * 600 }, (_, i) => i & 0xff))
    expect(retained(items)).toBeLessThan(2 * n * 600)
    // a payload in a frame of its own, or a batch this connection fills, still goes as it came
    const own = payload(600, 0)
    Delivery.deliver(q, [own], s)
    expect(q.take()).toBe(own)
    const batch = batchOf(64)
    const bulk = Array.from({ length: 40 }, (_, i) => inBatch(batch, i, 1460, 0))
    Delivery.deliver(q, bulk, s)
    expect(q.takeAll().every((c, i) => c === bulk[i])).toBe(true)
  })

  it("an ended queue takes nothing more, small or large: not even joined to its last item", () => {
    const q = new ChunkQueue<Uint8Array, never>()
    const s = small()
    Delivery.deliver(q, [payload(1, 0)], s)
    Delivery.deliver(q, [payload(1, 1)], s)
    q.done(Exit.void)
    Delivery.deliver(q, [payload(1, 2)], s)
    Delivery.deliver(q, [payload(600, 3)], s)
    expect(q.takeAll().map((c) => Array.from(c))).toEqual([[0], [1]])
  })

  it("payloads in shared link batches, dense or sparse, delivered and taken in any order: every octet once, in order, what a reader took unchanged, and what is queued keeps alive at most about twice its octets", () =>
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.record({
              take: fc.constant(false),
              sizes: fc.array(fc.oneof(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 300, max: 1460 })), { minLength: 1, maxLength: 12 }),
              // (frames of anything else in the batch: none (a batch of ours), or up to 63)
              others: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 63 }))
            }),
            fc.record({ take: fc.constant(true), all: fc.boolean() })
          ),
          { maxLength: 80 }
        ),
        (steps) => {
          const q = new ChunkQueue<Uint8Array, never>()
          const s = small()
          let next = 0
          const taken: Array<{ view: Uint8Array; copy: Array<number> }> = []
          const keep = (c: Uint8Array) => taken.push({ view: c, copy: Array.from(c) })
          const batches = new Set<ArrayBufferLike>()
          for (const step of steps) {
            if ("sizes" in step) {
              const batch = batchOf(step.sizes.length + step.others)
              batches.add(batch.buffer)
              // (ours first, the others' frames after them: where they lie in the batch does not matter)
              const chunks = step.sizes.map((n, i) => {
                const c = inBatch(batch, i, n, next)
                next += n
                return c
              })
              Delivery.deliver(q, chunks, s)
              // nothing a reader took changed: a copy is written only past the store's last piece
              for (const t of taken) expect(Array.from(t.view)).toEqual(t.copy)
              const queued: Array<Uint8Array> = []
              for (let c = q.takeAll(); c.length > 0; c = []) queued.push(...c)
              const octets = queued.reduce((a, c) => a + c.length, 0)
              // (the oldest batch may be part read, and the store being filled part used: one of each)
              expect(retained(queued)).toBeLessThanOrEqual(2 * octets + FRAME * 64 + Delivery.STORE)
              q.offerAll(queued)
            } else if (step.all) {
              q.takeAll().forEach(keep)
            } else {
              const c = q.take()
              if (c !== undefined) keep(c)
            }
          }
          q.takeAll().forEach(keep)
          expect(taken.flatMap((t) => t.copy)).toEqual(Array.from({ length: next }, (_, i) => i & 0xff))
          for (const t of taken) expect(Array.from(t.view)).toEqual(t.copy)
        }
      ),
      { numRuns: 300 }
    ))

  it("whatever is delivered and taken, in any order, the reader gets every octet once, in order, and what it took stays as it was", () =>
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.record({ take: fc.constant(false), sizes: fc.array(fc.oneof(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 300, max: 700 })), { minLength: 1, maxLength: 6 }) }),
            fc.record({ take: fc.constant(true), all: fc.boolean() })
          ),
          { maxLength: 80 }
        ),
        (steps) => {
          const q = new ChunkQueue<Uint8Array, never>()
          const s = small()
          let next = 0
          const taken: Array<{ view: Uint8Array; copy: Array<number> }> = []
          const keep = (c: Uint8Array) => taken.push({ view: c, copy: Array.from(c) })
          for (const step of steps) {
            if ("sizes" in step) {
              const chunks = step.sizes.map((n) => {
                const p = payload(n, next)
                next += n
                return p
              })
              Delivery.deliver(q, chunks, s)
            } else if (step.all) {
              q.takeAll().forEach(keep)
            } else {
              const c = q.take()
              if (c !== undefined) keep(c)
            }
          }
          q.takeAll().forEach(keep)
          expect(taken.flatMap((t) => t.copy)).toEqual(Array.from({ length: next }, (_, i) => i & 0xff))
          for (const t of taken) expect(Array.from(t.view)).toEqual(t.copy)
        }
      ),
      { numRuns: 300 }
    ))
})
