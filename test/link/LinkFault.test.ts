import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Exit, Layer, Option, Scope, TestClock } from "effect"
import type { Inbox } from "../../src/internal/Inbox.js"
import { Link } from "../../src/link/Link.js"
import * as LinkFault from "../../src/link/LinkFault.js"
import * as LinkMemory from "../../src/link/LinkMemory.js"
import * as Checksum from "../../src/wire/Checksum.js"

const MAC_A = new Uint8Array([0x02, 0, 0, 0, 0, 0x0a])
const MAC_B = new Uint8Array([0x02, 0, 0, 0, 0, 0x0b])
const SEED = 42
const FRAME_COUNT = 1000

/** An Ethernet II frame A→B carrying `index` in its first two payload octets. */
const frame = (index: number): Uint8Array => {
  const f = new Uint8Array(60)
  f.set(MAC_B, 0)
  f.set(MAC_A, 6)
  f[12] = 0x88
  f[13] = 0xb5
  f[14] = index >> 8
  f[15] = index & 0xff
  for (let i = 16; i < f.length; i++) f[i] = (index * 7 + i) & 0xff
  return f
}
const indexOf = (f: Uint8Array): number => (f[14]! << 8) | f[15]!

/** Every frame already delivered (without waiting), batches flattened. */
const drain = (q: Inbox<ReadonlyArray<Uint8Array>>) =>
  Effect.map(q.clear, (c) => Chunk.toReadonlyArray(c).flat())

const popcount = (x: number): number => {
  let n = 0
  for (let v = x; v !== 0; v &= v - 1) n++
  return n
}

/** Wait until some fiber is asleep on the TestClock (DESIGN.md §3). */
const awaitSleeper = Effect.gen(function* () {
  for (let i = 0; i < 10_000; i++) {
    if (Chunk.isNonEmpty(yield* TestClock.sleeps())) return
    yield* Effect.yieldNow()
  }
  return yield* Effect.dieMessage("no fiber went to sleep on the TestClock")
})

const pair = LinkMemory.makePair({ macA: MAC_A, macB: MAC_B, capacity: 4096 })

/** Send FRAME_COUNT frames one by one through tx faults; return the indexes B got. */
const runTxLoss = (seed: number) =>
  Effect.scoped(
    Effect.gen(function* () {
      const [a, b] = yield* pair
      const fa = yield* LinkFault.make(a, { seed, tx: { loss: 0.3 } })
      for (let i = 0; i < FRAME_COUNT; i++) yield* fa.send(frame(i))
      const got = (yield* drain(b.receive)).map(indexOf)
      return { got, stats: yield* fa.faultStats }
    })
  )

describe("LinkFault", () => {
  describe("loss", () => {
    it.effect("loses a deterministic, reproducible share of frames on tx", () =>
      Effect.gen(function* () {
        const first = yield* runTxLoss(SEED)
        const second = yield* runTxLoss(SEED)
        expect(second.got).toEqual(first.got)
        expect(second.stats).toEqual(first.stats)
        expect(first.got.length + first.stats.tx.lost).toBe(FRAME_COUNT)
        // Binomial(1000, 0.3): mean 300, sd ≈ 14.5; ±4 sd
        expect(first.stats.tx.lost).toBeGreaterThanOrEqual(242)
        expect(first.stats.tx.lost).toBeLessThanOrEqual(358)
        // survivors keep their order
        expect([...first.got].sort((x, y) => x - y)).toEqual(first.got)
        // another seed, another pattern
        const other = yield* runTxLoss(SEED + 1)
        expect(other.got).not.toEqual(first.got)
      }))

    it.scoped("loses on rx with its own stream, independent of tx", () =>
      Effect.gen(function* () {
        const [a, b] = yield* pair
        const fb = yield* LinkFault.make(b, { seed: SEED, rx: { loss: 0.3 } })
        yield* a.sendBatch(Array.from({ length: FRAME_COUNT }, (_, i) => frame(i)))
        const got: Array<number> = []
        while (got.length + (yield* fb.faultStats).rx.lost < FRAME_COUNT) {
          for (const f of yield* fb.receive.take) got.push(indexOf(f))
        }
        const { rx } = yield* fb.faultStats
        expect(got.length + rx.lost).toBe(FRAME_COUNT)
        expect(rx.lost).toBeGreaterThanOrEqual(242)
        expect(rx.lost).toBeLessThanOrEqual(358)
        const tx = yield* runTxLoss(SEED)
        expect(got).not.toEqual(tx.got)
        expect((yield* fb.stats).rxFrames).toBe(got.length)
      }))
  })

  it.scoped("duplication delivers an extra, independent copy right after the original", () =>
    Effect.gen(function* () {
      const [a, b] = yield* pair
      const fa = yield* LinkFault.make(a, { seed: SEED, tx: { duplicate: 1 } })
      const sent = [0, 1, 2].map(frame)
      yield* fa.sendBatch(sent)
      const got = yield* drain(b.receive)
      expect(got.map(indexOf)).toEqual([0, 0, 1, 1, 2, 2])
      expect(got[0]).toBe(sent[0])
      expect(got[1]).toEqual(sent[0])
      expect(got[1]).not.toBe(sent[0]) // a copy: the receiver may mutate either
      expect((yield* fa.faultStats).tx.duplicated).toBe(3)


      // at 0.5, about half the frames get a copy
      const [c, d] = yield* pair
      const fc = yield* LinkFault.make(c, { seed: SEED, tx: { duplicate: 0.5 } })
      for (let i = 0; i < 200; i++) yield* fc.send(frame(i))
      const many = yield* drain(d.receive)
      const { duplicated } = (yield* fc.faultStats).tx
      expect(many.length).toBe(200 + duplicated)
      expect(duplicated).toBeGreaterThan(60)
      expect(duplicated).toBeLessThan(140)
    }))

  it.scoped("reordering emits a held frame right after the next one, within and across batches", () =>
    Effect.gen(function* () {
      const [a, b] = yield* pair
      const fa = yield* LinkFault.make(a, { seed: SEED, tx: { reorder: 1 } })
      yield* fa.sendBatch([0, 1, 2, 3].map(frame))
      const batches = Chunk.toReadonlyArray(yield* b.receive.clear)
      expect(batches.map((batch) => batch.map(indexOf))).toEqual([[1, 0, 3, 2]])

      // one frame per send: the held frame waits for the next send
      yield* fa.send(frame(10))
      expect(yield* b.receive.size).toEqual(Option.some(0))
      yield* fa.send(frame(11))
      expect((yield* drain(b.receive)).map(indexOf)).toEqual([11, 10])
      expect((yield* fa.faultStats).tx.reordered).toBe(3)
    }))

  it.scoped("corruption flips exactly one bit in a copy and leaves the sender's frame untouched", () =>
    Effect.gen(function* () {
      const [a, b] = yield* pair
      const fa = yield* LinkFault.make(a, { seed: SEED, tx: { corrupt: 1 } })
      const sent = Array.from({ length: 50 }, (_, i) => frame(i))
      const pristine = sent.map((f) => f.slice())
      yield* fa.sendBatch(sent)
      const got = yield* drain(b.receive)
      expect(got).toHaveLength(sent.length)
      const positions = new Set<number>()
      for (let i = 0; i < sent.length; i++) {
        expect(sent[i]).toEqual(pristine[i]) // original untouched
        expect(got[i]).not.toBe(sent[i])
        expect(got[i]!.length).toBe(sent[i]!.length)
        let flipped = 0
        for (let j = 0; j < sent[i]!.length; j++) {
          const diff = got[i]![j]! ^ sent[i]![j]!
          if (diff !== 0) positions.add(j)
          flipped += popcount(diff)
        }
        expect(flipped).toBe(1)
      }
      expect(positions.size).toBeGreaterThan(10) // spread over the frame
      expect((yield* fa.faultStats).tx.corrupted).toBe(50)
    }))

  describe("delay (TestClock)", () => {
    it.scoped("tx: nothing at delay - 1 ms, delivered at delay, FIFO", () =>
      Effect.gen(function* () {
        const [a, b] = yield* pair
        const fa = yield* LinkFault.make(a, { seed: SEED, tx: { delay: "100 millis" } })
        yield* fa.send(frame(1))
        yield* awaitSleeper
        yield* TestClock.adjust("30 millis")
        yield* fa.send(frame(2)) // due at 130 ms
        yield* TestClock.adjust("69 millis") // t = 99
        yield* Effect.yieldNow()
        expect(yield* b.receive.size).toEqual(Option.some(0))
        yield* TestClock.adjust("1 millis") // t = 100
        expect((yield* b.receive.take).map(indexOf)).toEqual([1])

        yield* awaitSleeper
        yield* TestClock.adjust("29 millis") // t = 129
        yield* Effect.yieldNow()
        expect(yield* b.receive.size).toEqual(Option.some(0))
        yield* TestClock.adjust("1 millis") // t = 130
        expect((yield* b.receive.take).map(indexOf)).toEqual([2])
        expect((yield* fa.faultStats).tx.delayed).toBe(2)
      }))

    it.scoped("rx: nothing at delay - 1 ms, delivered at delay", () =>
      Effect.gen(function* () {
        const [a, b] = yield* pair
        const fb = yield* LinkFault.make(b, { seed: SEED, rx: { delay: "50 millis" } })
        yield* a.sendBatch([frame(1), frame(2)])
        yield* awaitSleeper
        yield* TestClock.adjust("49 millis")
        yield* Effect.yieldNow()
        expect(yield* fb.receive.size).toEqual(Option.some(0))
        yield* TestClock.adjust("1 millis")
        expect((yield* fb.receive.take).map(indexOf)).toEqual([1, 2])
      }))

    it.scoped("jitter stays within [delay, delay + jitter]", () =>
      Effect.gen(function* () {
        const [a, b] = yield* pair
        const fa = yield* LinkFault.make(a, { seed: SEED, tx: { delay: "10 millis", jitter: "10 millis" } })
        yield* fa.send(frame(1))
        yield* awaitSleeper
        yield* TestClock.adjust("9 millis")
        yield* Effect.yieldNow()
        expect(yield* b.receive.size).toEqual(Option.some(0))
        yield* TestClock.adjust("11 millis")
        expect((yield* b.receive.take).map(indexOf)).toEqual([1])
      }))
  })

  describe("bottleneck (TestClock)", () => {
    // 60-octet frames at 48 000 bit/s: 10 ms each on the wire
    const RATE = 48_000
    /** what B has after the clock reaches `t` ms (from 0), in order */
    const at = (b: { receive: Inbox<ReadonlyArray<Uint8Array>> }, t: number, now: { ms: number }) =>
      Effect.gen(function* () {
        yield* TestClock.adjust(`${t - now.ms} millis`)
        now.ms = t
        for (let i = 0; i < 20; i++) yield* Effect.yieldNow()
        return (yield* drain(b.receive)).map(indexOf)
      })

    it.scoped("frames leave one after another at the rate, then take the delay", () =>
      Effect.gen(function* () {
        const [a, b] = yield* pair
        const fa = yield* LinkFault.make(a, { seed: SEED, tx: { rate: RATE, delay: "5 millis" } })
        yield* fa.sendBatch([frame(1), frame(2), frame(3)])
        yield* awaitSleeper
        const now = { ms: 0 }
        // frame 1 leaves at 10 ms and arrives at 15; 2 at 25; 3 at 35
        expect(yield* at(b, 14, now)).toEqual([])
        expect(yield* at(b, 15, now)).toEqual([1])
        expect(yield* at(b, 24, now)).toEqual([])
        expect(yield* at(b, 25, now)).toEqual([2])
        expect(yield* at(b, 35, now)).toEqual([3])
        // an idle bottleneck: the next frame waits for nothing but itself
        yield* TestClock.adjust("65 millis") // t = 100
        now.ms = 100
        yield* fa.send(frame(4))
        expect(yield* at(b, 114, now)).toEqual([])
        expect(yield* at(b, 115, now)).toEqual([4])
      }))

    it.scoped("beyond `queue` waiting frames the next is dropped and counted", () =>
      Effect.gen(function* () {
        const [a, b] = yield* pair
        const fa = yield* LinkFault.make(a, { seed: SEED, tx: { rate: RATE, queue: 2 } })
        // 1 on the wire, 2 and 3 waiting: 4 and 5 find the queue full
        yield* fa.sendBatch([frame(1), frame(2), frame(3), frame(4), frame(5)])
        yield* awaitSleeper
        const now = { ms: 0 }
        // after 15 ms frame 1 is out, 2 is on the wire, 3 waits: room for one
        yield* TestClock.adjust("15 millis")
        now.ms = 15
        yield* fa.sendBatch([frame(6), frame(7)])
        expect(yield* at(b, 100, now)).toEqual([1, 2, 3, 6])
        const st = yield* fa.faultStats
        expect(st.tx.overflowed).toBe(3)
        expect(st.tx.delayed).toBe(4)
      }))

    it.scoped("with `markAbove`, ECN-capable IPv4 frames that find that many waiting are marked CE, in copies, checksums mended", () =>
      Effect.gen(function* () {
        const [a, b] = yield* pair
        const fa = yield* LinkFault.make(a, { seed: SEED, tx: { rate: RATE, queue: 10, markAbove: 2 } })
        /** a 60-octet IPv4 frame, its ECN field `ecn`, carrying `index` in its identification field */
        const ipFrame = (index: number, ecn: number): Uint8Array => {
          const f = new Uint8Array(60)
          f.set(MAC_B, 0)
          f.set(MAC_A, 6)
          f.set([0x08, 0x00, 0x45, ecn, 0, 46, index >> 8, index & 0xff, 0x40, 0, 64, 17, 0, 0, 198, 18, 0, 1, 198, 18, 0, 2], 12)
          const sum = Checksum.checksum(f, 14, 34)
          f[24] = sum >> 8
          f[25] = sum & 0xff
          return f
        }
        // 1 on the wire, 2 and 3 waiting: 4 (ECT(0)), 5 (ECT(1)) and 6 (Not-ECT) find two waiting
        const sent = [ipFrame(1, 2), ipFrame(2, 2), ipFrame(3, 2), ipFrame(4, 2), ipFrame(5, 1), ipFrame(6, 0)]
        yield* fa.sendBatch(sent)
        yield* awaitSleeper
        yield* TestClock.adjust("100 millis")
        for (let i = 0; i < 20; i++) yield* Effect.yieldNow()
        const got = yield* drain(b.receive)
        expect(got.map((f) => [(f[18]! << 8) | f[19]!, f[15]! & 3])).toEqual([[1, 2], [2, 2], [3, 2], [4, 3], [5, 3], [6, 0]])
        // every header still sums right, and what the caller sent is as it was
        expect(got.every((f) => Checksum.checksum(f, 14, 34) === 0)).toBe(true)
        expect(sent.map((f) => f[15]! & 3)).toEqual([2, 2, 2, 2, 1, 0])
        expect((yield* fa.faultStats).tx.marked).toBe(2)
      }))

    it.scoped("a frame the full delay mailbox refused takes no time at the bottleneck", () =>
      Effect.gen(function* () {
        const [a, b] = yield* pair
        const fa = yield* LinkFault.make(a, { seed: SEED, capacity: 1, tx: { rate: RATE } })
        // 1 takes the mailbox's one place; 2 and 3 find it full
        yield* fa.sendBatch([frame(1), frame(2), frame(3)])
        expect((yield* fa.stats).txQueueFull).toBe(2)
        yield* awaitSleeper // the stage has taken 1 (it leaves at 10 ms): room again
        yield* fa.send(frame(4)) // behind 1 only: leaves at 20, not 40
        const now = { ms: 0 }
        expect(yield* at(b, 10, now)).toEqual([1])
        expect(yield* at(b, 19, now)).toEqual([])
        expect(yield* at(b, 20, now)).toEqual([4])
        expect((yield* fa.faultStats).tx.overflowed).toBe(0)
      }))

    it.effect("a rate that is not a positive number is a defect", () =>
      Effect.gen(function* () {
        for (const tx of [{ rate: 0 }, { rate: -1 }, { rate: Number.NaN }, { rate: 1000, queue: 0 }]) {
          const exit = yield* Effect.scoped(Effect.flatMap(pair, ([a]) => LinkFault.make(a, { seed: 1, tx }))).pipe(Effect.exit)
          expect(exit._tag).toBe("Failure")
        }
      }))
  })

  it.scoped("zero faults pass everything through unchanged", () =>
    Effect.gen(function* () {
      const [a, b] = yield* pair
      const fa = yield* LinkFault.make(a, { seed: SEED })
      const fb = yield* LinkFault.make(b, {
        seed: SEED,
        rx: { loss: 0, duplicate: 0, reorder: 0, corrupt: 0 },
        tx: {}
      })
      const sent = [
        [0, 1, 2].map(frame),
        [3].map(frame),
        [4, 5].map(frame)
      ]
      for (const batch of sent) yield* fa.sendBatch(batch)
      const got: Array<ReadonlyArray<Uint8Array>> = []
      while (got.length < sent.length) got.push(yield* fb.receive.take)
      expect(got).toHaveLength(3)
      for (let i = 0; i < sent.length; i++) {
        expect(got[i]).toHaveLength(sent[i]!.length)
        for (let j = 0; j < sent[i]!.length; j++) expect(got[i]![j]).toBe(sent[i]![j])
      }
      // and the other way round (fa's fiber is now the consumer of a.receive)
      const back = frame(9)
      yield* fb.send(back)
      const backBatch = yield* fa.receive.take
      expect(backBatch).toHaveLength(1)
      expect(backBatch[0]).toBe(back)

      const zero = { lost: 0, duplicated: 0, reordered: 0, corrupted: 0, delayed: 0, overflowed: 0, marked: 0 }
      expect(yield* fa.faultStats).toEqual({ rx: zero, tx: zero })
      expect(yield* fb.faultStats).toEqual({ rx: zero, tx: zero })
      expect(yield* fb.stats).toEqual({
        rxFrames: 6,
        rxDropped: 0,
        rxErrors: 0,
        rxMalformed: 0,
        txFrames: 1,
        txDropped: 0,
        txQueueFull: 0,
        txTooBig: 0,
        txErrors: 0
      })
    }))

  it.scoped("a gathered frame held by the delay is a copy: reusing the pieces after the send changes nothing", () =>
    Effect.gen(function* () {
      const [a, b] = yield* pair
      const fa = yield* LinkFault.make(a, { seed: SEED, tx: { delay: "10 millis" } })
      const whole = frame(7)
      const expected = whole.slice()
      yield* fa.sendBatch([[whole.subarray(0, 14), whole.subarray(14)]])
      yield* fa.send([whole.subarray(0, 20), whole.subarray(20)])
      whole.fill(0) // the sends have completed: the pieces are the sender's again
      yield* awaitSleeper
      yield* TestClock.adjust("10 millis")
      const got = yield* drain(b.receive)
      expect(got).toEqual([expected, expected])
    }))

  it.scoped("a full delay mailbox on tx counts in txDropped and txQueueFull", () =>
    Effect.gen(function* () {
      const [a] = yield* pair
      const fa = yield* LinkFault.make(a, { seed: SEED, capacity: 1, tx: { delay: "1 second" } })
      yield* fa.send(frame(1))
      yield* awaitSleeper // the stage fiber has taken the first batch and sleeps
      yield* fa.send(frame(2)) // waits in the mailbox
      yield* fa.send(frame(3)) // no room
      const s = yield* fa.stats
      expect([s.txDropped, s.txQueueFull, s.txErrors, s.txTooBig]).toEqual([1, 1, 0, 0])
    }))

  it.scoped("when the inner link is done, receive delivers what it holds, then reports done", () =>
    Effect.gen(function* () {
      const cable = yield* Scope.make()
      const [a, b] = yield* pair.pipe(Scope.extend(cable))
      const fb = yield* LinkFault.make(b, { seed: SEED })
      yield* a.sendBatch([frame(1), frame(2)])
      while ((yield* fb.stats).rxFrames < 2) yield* Effect.yieldNow()
      yield* Scope.close(cable, Exit.void) // b.receive is shut down
      // let the relay fiber see that and end ours before anything is taken
      for (let i = 0; i < 100; i++) yield* Effect.yieldNow()
      const got: Array<ReadonlyArray<Uint8Array>> = []
      for (;;) {
        const [batches, done] = yield* fb.receive.takeAll()
        got.push(...batches)
        if (done) break
      }
      expect(got.map((batch) => batch.map(indexOf))).toEqual([[1, 2]])
      expect(yield* fb.receive.size).toEqual(Option.none())
    }))

  it.scoped("layer wraps the Link in context", () =>
    Effect.gen(function* () {
      const [a, b] = yield* pair
      const f = frame(1)
      yield* Effect.flatMap(Link, (link) => link.send(f)).pipe(
        Effect.provide(LinkFault.layer({ seed: SEED, tx: { duplicate: 1 } }).pipe(
          Layer.provide(LinkMemory.layer(a))
        ))
      )
      expect((yield* drain(b.receive)).map(indexOf)).toEqual([1, 1])
    }))

  it.effect("invalid probabilities are a defect", () =>
    Effect.gen(function* () {
      const exit = yield* Effect.scoped(
        Effect.flatMap(pair, ([a]) => LinkFault.make(a, { seed: 1, tx: { loss: 1.5 } }))
      ).pipe(Effect.exit)
      expect(exit._tag).toBe("Failure")
    }))

  it("makePrng is deterministic and roughly uniform", () => {
    const r1 = LinkFault.makePrng(7)
    const r2 = LinkFault.makePrng(7)
    const buckets = new Array<number>(10).fill(0)
    for (let i = 0; i < 10_000; i++) {
      const x = r1()
      expect(x).toBe(r2())
      expect(x).toBeGreaterThanOrEqual(0)
      expect(x).toBeLessThan(1)
      buckets[Math.floor(x * 10)]!++
    }
    for (const n of buckets) {
      expect(n).toBeGreaterThan(850)
      expect(n).toBeLessThan(1150)
    }
  })
})
