/**
 * The out-of-order queue and its SACK blocks (RFC 9293 §3.10.7.4, RFC 2018),
 * with sequence numbers that wrap during the test (TCP-PITFALLS: SACK near 2^32).
 */
import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import * as Ooo from "../../src/tcp/OutOfOrder.js"
import * as Seq from "../../src/tcp/SeqNum.js"

/** RCV.NXT near the wrap, so blocks straddle 2^32. */
const RCV_NXT = Seq.make(0xfffffff0)
const at = (offset: number) => Seq.add(RCV_NXT, offset)
/** `len` octets whose values are their offsets from RCV_NXT (mod 256). */
const bytes = (offset: number, len: number) => Uint8Array.from({ length: len }, (_, i) => (offset + i) & 0xff)
const joined = (chunks: ReadonlyArray<Uint8Array>) => Array.from(chunks.flatMap((c) => Array.from(c)))
const spans = (q: Ooo.OutOfOrder) => q.blocks.map((b) => [Seq.sub(b.start, RCV_NXT), Seq.sub(b.end, RCV_NXT)])

describe("OutOfOrder", () => {
  it("holds segments beyond the gap, merges touching ones, and delivers once the gap fills", () => {
    const q = Ooo.make()
    expect(Ooo.insert(q, at(20), bytes(20, 10), 1 << 20, 64)).toBe("Held") // across the wrap: 0x...04..0x...0e
    expect(Ooo.insert(q, at(40), bytes(40, 10), 1 << 20, 64)).toBe("Held")
    expect(Ooo.insert(q, at(30), bytes(30, 10), 1 << 20, 64)).toBe("Held") // joins both
    expect(spans(q)).toEqual([[20, 50]])
    expect(q.octets).toBe(30)
    // Nothing is in order yet.
    expect(Ooo.advance(q, RCV_NXT).chunks).toEqual([])
    // In-order data [0, 25) arrives (the caller delivered it): the rest follows.
    const r = Ooo.advance(q, at(25))
    expect(r.rcvNxt).toBe(at(50))
    expect(joined(r.chunks)).toEqual(Array.from(bytes(25, 25)))
    expect(q.blocks.length).toBe(0)
    expect(q.octets).toBe(0)
  })

  it("keeps what it holds on overlap and copies only new octets; a covered segment is a duplicate", () => {
    const q = Ooo.make()
    Ooo.insert(q, at(10), bytes(10, 10), 1 << 20, 64)
    Ooo.insert(q, at(30), bytes(30, 10), 1 << 20, 64)
    expect(Ooo.insert(q, at(12), bytes(12, 5), 1 << 20, 64)).toBe("Duplicate")
    const other = new Uint8Array(40).fill(0xee) // different octets for [5, 45): only the gaps are taken
    expect(Ooo.insert(q, at(5), other, 1 << 20, 64)).toBe("Held")
    expect(spans(q)).toEqual([[5, 45]])
    expect(q.octets).toBe(40)
    const r = Ooo.advance(q, at(5))
    const got = joined(r.chunks)
    expect(got.slice(5, 15)).toEqual(Array.from(bytes(10, 10))) // the held octets were kept
    expect(got.slice(0, 5)).toEqual([0xee, 0xee, 0xee, 0xee, 0xee])
  })

  it("copies data in: a held segment keeps no receive buffer alive", () => {
    const q = Ooo.make()
    const batch = new Uint8Array(100_000)
    Ooo.insert(q, at(8), batch.subarray(5000, 5008), 1 << 20, 64)
    expect(Ooo.held(q.blocks[0]!).buffer).not.toBe(batch.buffer)
    expect(Ooo.held(q.blocks[0]!).buffer.byteLength).toBe(8)
  })

  it("a run of one-octet segments after a gap, either way round, grows one store in place (SegmentSmack: not a piece per octet)", () => {
    for (const backwards of [false, true]) {
      const q = Ooo.make()
      const n = 20_000
      const stores = new Set<Uint8Array>()
      for (let k = 0; k < n; k++) {
        const o = backwards ? 10 + n - k : 11 + k
        expect(Ooo.insert(q, at(o), bytes(o, 1), 1 << 20, 64)).toBe("Held")
        stores.add(q.blocks[0]!.store)
      }
      expect(spans(q)).toEqual([[11, 11 + n]])
      // the store doubles when it is outgrown: a handful of copies in all, not one per segment
      expect(stores.size).toBeLessThanOrEqual(Math.log2(n) + 2)
      expect(q.blocks[0]!.store.length).toBeLessThanOrEqual(2 * n)
      expect(Array.from(Ooo.advance(q, at(11)).chunks[0]!)).toEqual(Array.from(bytes(11, n)))
    }
  })

  it("a block grown at both ends in turn keeps room on both sides: a handful of stores, not one per segment", () => {
    const q = Ooo.make()
    const n = 20_000
    const mid = 10 + n
    const stores = new Set<Uint8Array>()
    Ooo.insert(q, at(mid), bytes(mid, 1), 1 << 20, 64)
    for (let k = 1; k < n; k++) {
      // one octet after the block, then one before it
      const o = k % 2 === 1 ? mid + ((k + 1) >> 1) : mid - (k >> 1)
      expect(Ooo.insert(q, at(o), bytes(o, 1), 1 << 20, 64)).toBe("Held")
      stores.add(q.blocks[0]!.store)
    }
    expect(q.blocks.length).toBe(1)
    expect(stores.size).toBeLessThanOrEqual(2 * Math.log2(n))
    const first = Seq.sub(q.blocks[0]!.start, RCV_NXT)
    expect(Array.from(Ooo.advance(q, at(first)).chunks[0]!)).toEqual(Array.from(bytes(first, n)))
  })

  it("refuses beyond its octet and block bounds, unchanged", () => {
    const q = Ooo.make()
    expect(Ooo.insert(q, at(10), bytes(10, 10), 15, 64)).toBe("Held")
    expect(Ooo.insert(q, at(30), bytes(30, 10), 15, 64)).toBe("NoRoom")
    expect(spans(q)).toEqual([[10, 20]])
    // One-octet segments with gaps: at most 3 blocks; one that joins a block still fits.
    const r = Ooo.make()
    for (const o of [2, 4, 6]) expect(Ooo.insert(r, at(o), bytes(o, 1), 1 << 20, 3)).toBe("Held")
    expect(Ooo.insert(r, at(8), bytes(8, 1), 1 << 20, 3)).toBe("NoRoom")
    expect(Ooo.insert(r, at(5), bytes(5, 1), 1 << 20, 3)).toBe("Held") // joins [4,5) and [6,7)
    expect(spans(r)).toEqual([[2, 3], [4, 7]])
  })

  it("reports SACK blocks with the most recently received first (RFC 2018 §4)", () => {
    const q = Ooo.make()
    Ooo.insert(q, at(10), bytes(10, 5), 1 << 20, 64)
    Ooo.insert(q, at(30), bytes(30, 5), 1 << 20, 64)
    Ooo.insert(q, at(50), bytes(50, 5), 1 << 20, 64)
    Ooo.insert(q, at(15), bytes(15, 5), 1 << 20, 64) // extends the first block: now the most recent
    const sack = Ooo.sackBlocks(q, 3)
    expect(sack.map((b) => [Seq.sub(b.left, RCV_NXT), Seq.sub(b.right, RCV_NXT)])).toEqual([[10, 20], [50, 55], [30, 35]])
    expect(Ooo.sackBlocks(q, 1).length).toBe(1)
    // A duplicate still marks its block as the most recent.
    Ooo.insert(q, at(31), bytes(31, 2), 1 << 20, 64)
    expect(Seq.sub(Ooo.sackBlocks(q, 3)[0]!.left, RCV_NXT)).toBe(30)
  })

  it.prop(
    "agrees with a model of the octets held: verdicts, bounds, blocks, SACK's first block, and delivery",
    [
      fc.array(
        fc.tuple(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 60 }), fc.integer({ min: 0, max: 255 })),
        { maxLength: 40, size: "max" }
      ),
      fc.integer({ min: 1, max: 8 }),
      fc.integer({ min: 30, max: 400 }),
      fc.integer({ min: 0, max: 400 })
    ],
    ([segments, maxBlocks, maxOctets, fillTo]) => {
      const q = Ooo.make()
      /** offset from RCV_NXT -> the octet held there (the first one offered wins) */
      const model = new Map<number, number>()
      /** [start, end) offsets of each run of held octets, in order */
      const runs = (offsets: Iterable<number>) => {
        const out: Array<[number, number]> = []
        for (const o of [...offsets].sort((a, b) => a - b)) {
          const last = out[out.length - 1]
          if (last !== undefined && last[1] === o) last[1] = o + 1
          else out.push([o, o + 1])
        }
        return out
      }
      for (const [o, len, tag] of segments) {
        const data = Uint8Array.from({ length: len }, (_, i) => (o + i + tag) & 0xff)
        const fresh = data.reduce((n, _, i) => (model.has(o + i) ? n : n + 1), 0)
        const after = runs(new Set([...model.keys(), ...Array.from({ length: len }, (_, i) => o + i)]))
        const expected = fresh === 0
          ? "Duplicate"
          : model.size + fresh > maxOctets || after.length > maxBlocks
          ? "NoRoom"
          : "Held"
        expect(Ooo.insert(q, at(o), data, maxOctets, maxBlocks)).toBe(expected)
        if (expected === "Held") data.forEach((v, i) => model.has(o + i) || model.set(o + i, v))
        // Blocks are the model's runs (sorted, disjoint, non-adjacent), holding its octets.
        expect(spans(q)).toEqual(runs(model.keys()))
        expect(q.octets).toBe(model.size)
        for (const b of q.blocks) {
          const from = Seq.sub(b.start, RCV_NXT)
          expect(Array.from(Ooo.held(b))).toEqual(Array.from({ length: Seq.sub(b.end, b.start) }, (_, i) => model.get(from + i)))
          // a store has room for its block to grow, never more than its size again
          expect(b.store.length).toBeLessThanOrEqual(Math.max(2 * Seq.sub(b.end, b.start), Ooo.MIN_STORE))
        }
        // RFC 2018 §4: the first SACK block holds the segment just received.
        if (expected !== "NoRoom") {
          const [first] = Ooo.sackBlocks(q, 4)
          expect(Seq.sub(first!.left, RCV_NXT)).toBeLessThanOrEqual(o)
          expect(Seq.sub(first!.right, RCV_NXT)).toBeGreaterThanOrEqual(o + len)
        }
      }
      // In-order data up to `fillTo` arrived: what is held below is dropped, the run from there comes out.
      let n = 0
      while (model.has(fillTo + n)) n++
      const r = Ooo.advance(q, at(fillTo))
      expect(joined(r.chunks)).toEqual(Array.from({ length: n }, (_, i) => model.get(fillTo + i)))
      expect(r.rcvNxt).toBe(at(fillTo + n))
      const left = [...model.keys()].filter((k) => k > fillTo + n)
      expect(spans(q)).toEqual(runs(left))
      expect(q.octets).toBe(left.length)
    },
    { fastCheck: { numRuns: 300 } }
  )
})
