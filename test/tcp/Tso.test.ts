/**
 * TSO runs (DESIGN.md §4): which segments of one send may travel as one
 * large segment that the kernel cuts back into exactly those segments.
 *
 * The reference here is the kernel's cut as Linux `tcp_gso_segment`
 * (net/ipv4/tcp_offload.c) does it: every piece gets the large segment's
 * header with `seq` advanced by the segment size, the options copied
 * unchanged, FIN and PSH cleared on all but the last piece, CWR cleared on
 * all but the first (`th->cwr &= ecn_cwr_mask`, without AccECN). A run is
 * right when that cut gives back its segments field for field and octet for
 * octet; it is as long as it may be when one more segment would not be.
 *
 * Sequence numbers start just below 2^32, so runs cross the wrap.
 */
import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import { isDeepStrictEqual } from "node:util"
import type { OutSegment } from "../../src/tcp/Segment.js"
import * as Seq from "../../src/tcp/SeqNum.js"
import * as Tso from "../../src/tcp/Tso.js"
import * as TcpWire from "../../src/wire/TcpHeader.js"
import type { TcpOptions } from "../../src/wire/TcpHeader.js"

const { ACK, CWR, ECE, FIN, PSH, RST, SYN, URG } = TcpWire.Flag

const LOCAL_PORT = 40000
const REMOTE_PORT = 9000
/** Our first sequence number: 8 KiB below 2^32, so runs of a few segments wrap. */
const LOCAL_SEQ = Seq.make(0xffffe000)
const REMOTE_SEQ = Seq.make(0x10000000)
const MSS = 1448
const WINDOW = 502

/** One large buffer the payloads are views of, as a large write cut into segments (1 MiB). */
const DATA = Uint8Array.from({ length: 1 << 20 }, (_, i) => (i * 31 + 7 + (i >>> 8)) & 0xff)

/** Timestamps, as a fresh object each time (so equality is by value, not identity). */
const ts = (value = 1000, echo = 2000): TcpOptions => ({ sackPermitted: false, timestamp: { value, echo } })

/**
 * Contiguous ACK segments of the given lengths from `LOCAL_SEQ`, payloads
 * back to back in `DATA` from `offset`; a length 0 is a pure ACK (no payload).
 */
const train = (lens: ReadonlyArray<number>, offset = 0): Array<OutSegment> => {
  const out: Array<OutSegment> = []
  let seq = LOCAL_SEQ
  let at = offset
  for (const len of lens) {
    out.push({
      srcPort: LOCAL_PORT,
      dstPort: REMOTE_PORT,
      seq,
      ack: REMOTE_SEQ,
      flags: ACK,
      window: WINDOW,
      urgent: 0,
      options: ts(),
      payload: len === 0 ? undefined : DATA.subarray(at, at + len)
    })
    seq = Seq.add(seq, len)
    at += len
  }
  return out
}

/** `segs` with segment `i`'s fields replaced. */
const edit = (segs: ReadonlyArray<OutSegment>, i: number, fields: Partial<OutSegment>): Array<OutSegment> =>
  segs.map((s, j) => (j === i ? { ...s, ...fields } : s))

const full = (n: number): Array<number> => new Array<number>(n).fill(MSS)

/** The run lengths from walking the whole list. */
const runs = (segs: ReadonlyArray<OutSegment>): Array<number> => {
  const lengths: Array<number> = []
  for (let i = 0; i < segs.length;) {
    const n = Tso.runLength(segs, i)
    lengths.push(n)
    i += n
  }
  return lengths
}

const payloadLen = (s: OutSegment): number => s.payload?.length ?? 0

const concat = (chunks: ReadonlyArray<Uint8Array>): Uint8Array => {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0))
  let at = 0
  for (const c of chunks) {
    out.set(c, at)
    at += c.length
  }
  return out
}

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** What a piece looks like on the wire, minus its payload. */
const headerOf = (s: OutSegment) => ({
  srcPort: s.srcPort,
  dstPort: s.dstPort,
  seq: s.seq,
  ack: s.ack,
  flags: s.flags,
  window: s.window,
  urgent: s.urgent,
  options: s.options
})

/**
 * The kernel's cut (Linux tcp_gso_segment) of the large segment the shell
 * sends for `run`: the first segment's header with PSH and FIN as the last
 * segment has them, the payload `joined`, cut into pieces of the first
 * segment's payload length.
 */
const kernelCut = (run: ReadonlyArray<OutSegment>, joined: Uint8Array): Array<OutSegment> => {
  const first = run[0]!
  const last = run[run.length - 1]!
  const size = payloadLen(first)
  const flags = (first.flags & ~(PSH | FIN)) | (last.flags & (PSH | FIN))
  const pieces: Array<OutSegment> = []
  for (let off = 0, k = 0; off < joined.length; off += size, k++) {
    const isLast = off + size >= joined.length
    let f = isLast ? flags : flags & ~(PSH | FIN)
    if (k > 0) f &= ~CWR
    pieces.push({ ...first, seq: Seq.add(first.seq, off), flags: f, payload: joined.subarray(off, off + size) })
  }
  return pieces
}

/** Largest IPv4 datagram, and its header (no IP options). */
const MAX_DATAGRAM = 65535
const IP_HEADER = 20

/**
 * Independent of the module: may `segs[from, from + n)` go as one segment?
 * One segment always may; more must carry data, start without SYN/RST/URG,
 * fit one datagram, and come back exactly from the kernel's cut.
 */
const cutsBackExactly = (segs: ReadonlyArray<OutSegment>, from: number, n: number): boolean => {
  if (n === 1) return true
  const run = segs.slice(from, from + n)
  const first = run[0]!
  if (payloadLen(first) === 0 || (first.flags & (SYN | RST | URG)) !== 0) return false
  const joined = concat(run.map((s) => s.payload ?? new Uint8Array(0)))
  if (IP_HEADER + TcpWire.headerLen(first) + joined.length > MAX_DATAGRAM) return false
  const pieces = kernelCut(run, joined)
  if (pieces.length !== run.length) return false
  return pieces.every((p, k) => {
    const s = run[k]!
    const a = headerOf(p)
    const b = headerOf(s)
    return a.seq === b.seq && a.ack === b.ack && a.flags === b.flags && a.window === b.window &&
      a.urgent === b.urgent && a.srcPort === b.srcPort && a.dstPort === b.dstPort &&
      isDeepStrictEqual(a.options, b.options) && sameBytes(p.payload!, s.payload ?? new Uint8Array(0))
  })
}

describe("Tso", () => {
  describe("runLength", () => {
    it("five full-size contiguous segments with the same ACK, window and timestamps are one run", () => {
      expect(Tso.runLength(train(full(5)), 0)).toBe(5)
    })

    it("a shorter last segment is included", () => {
      expect(Tso.runLength(train([...full(4), 100]), 0)).toBe(5)
      expect(Tso.runLength(train([MSS, 1]), 0)).toBe(2)
    })

    it("a short segment in the middle ends the run after it", () => {
      const segs = train([MSS, MSS, 700, MSS, MSS])
      expect(Tso.runLength(segs, 0)).toBe(3)
      expect(runs(segs)).toEqual([3, 2])
    })

    it("runs of short segments: all as long as the first, or shorter at the end", () => {
      expect(Tso.runLength(train([500, 500, 500, 499]), 0)).toBe(4)
      // one longer than the first cannot be cut from it
      expect(Tso.runLength(train([500, 501]), 0)).toBe(1)
      expect(Tso.runLength(train([500, 500, MSS]), 0)).toBe(2)
    })

    it("PSH ends the run with that segment; PSH on the first makes a run of one", () => {
      const segs = train(full(5))
      expect(Tso.runLength(edit(segs, 2, { flags: ACK | PSH }), 0)).toBe(3)
      expect(Tso.runLength(edit(segs, 4, { flags: ACK | PSH }), 0)).toBe(5)
      expect(Tso.runLength(edit(segs, 0, { flags: ACK | PSH }), 0)).toBe(1)
      expect(runs(edit(segs, 0, { flags: ACK | PSH }))).toEqual([1, 4])
    })

    it("FIN with data on the last segment is included; FIN on the first is a run of one", () => {
      const segs = train([...full(4), 300])
      expect(Tso.runLength(edit(segs, 4, { flags: ACK | FIN | PSH }), 0)).toBe(5)
      expect(Tso.runLength(edit(segs, 4, { flags: ACK | FIN }), 0)).toBe(5)
      expect(Tso.runLength(edit(segs, 0, { flags: ACK | FIN }), 0)).toBe(1)
    })

    it("SYN, RST or URG: a run of one, and the run before them ends", () => {
      const segs = train(full(4))
      for (const flag of [SYN, RST, URG]) {
        expect(Tso.runLength(edit(segs, 0, { flags: ACK | flag }), 0)).toBe(1)
        expect(Tso.runLength(edit(segs, 2, { flags: ACK | flag }), 0)).toBe(2)
      }
    })

    it("other flags must be the first's: ECE on one segment ends the run before it", () => {
      const segs = train(full(4))
      expect(Tso.runLength(edit(segs, 2, { flags: ACK | ECE }), 0)).toBe(2)
      expect(Tso.runLength(segs.map((s) => ({ ...s, flags: ACK | ECE })), 0)).toBe(4)
    })

    it("a segment without data is a run of one, and ends the run before it", () => {
      expect(Tso.runLength(train([0, MSS, MSS]), 0)).toBe(1)
      expect(Tso.runLength(train([MSS, MSS, 0, MSS]), 0)).toBe(2)
      // an empty view is no data either
      expect(Tso.runLength(edit(train(full(3)), 0, { payload: new Uint8Array(0) }), 0)).toBe(1)
      expect(Tso.runLength(edit(train(full(3)), 1, { payload: new Uint8Array(0) }), 0)).toBe(1)
    })

    it("a sequence gap, a different ACK or window ends the run before that segment", () => {
      const segs = train(full(5))
      expect(Tso.runLength(edit(segs, 2, { seq: Seq.add(segs[2]!.seq, 1) }), 0)).toBe(2)
      expect(Tso.runLength(edit(segs, 2, { seq: Seq.add(segs[2]!.seq, -MSS) }), 0)).toBe(2) // a resend
      expect(Tso.runLength(edit(segs, 2, { ack: Seq.add(REMOTE_SEQ, 1) }), 0)).toBe(2)
      expect(Tso.runLength(edit(segs, 2, { window: WINDOW + 1 }), 0)).toBe(2)
    })

    it("different options end the run: timestamp value or echo, SACK blocks, no timestamps", () => {
      const segs = train(full(5))
      const block = { left: Seq.make(0x20000000), right: Seq.make(0x20000100) }
      const sack = (blocks: ReadonlyArray<TcpWire.SackBlock>): TcpOptions => ({ ...ts(), sack: blocks.map((b) => ({ ...b })) })
      expect(Tso.runLength(edit(segs, 2, { options: ts(1001, 2000) }), 0)).toBe(2)
      expect(Tso.runLength(edit(segs, 2, { options: ts(1000, 2001) }), 0)).toBe(2)
      expect(Tso.runLength(edit(segs, 2, { options: TcpWire.NO_OPTIONS }), 0)).toBe(2)
      expect(Tso.runLength(edit(segs, 2, { options: sack([block]) }), 0)).toBe(2)
      const withSack = segs.map((s) => ({ ...s, options: sack([block]) }))
      expect(Tso.runLength(withSack, 0)).toBe(5) // equal blocks, distinct objects
      expect(Tso.runLength(edit(withSack, 3, { options: sack([{ ...block, right: Seq.add(block.right, 1) }]) }), 0)).toBe(3)
      expect(Tso.runLength(edit(withSack, 3, { options: sack([block, block]) }), 0)).toBe(3)
      expect(Tso.runLength(edit(segs, 3, { options: { ...ts(), mss: 1460 } }), 0)).toBe(3)
      expect(Tso.runLength(edit(segs, 3, { options: { ...ts(), sackPermitted: true } }), 0)).toBe(3)
    })

    it("runs follow sequence numbers across 2^32", () => {
      const segs = train(full(8))
      expect(segs[0]!.seq).toBeGreaterThan(segs[7]!.seq) // the list wraps
      expect(Tso.runLength(segs, 0)).toBe(8)
    })

    it("stays within one IPv4 datagram: 20 + header + payload <= 65535", () => {
      // 1448-octet segments behind a 32-octet header (timestamps): floor((65535 - 20 - 32) / 1448) = 45
      const segs = train(full(60))
      expect(TcpWire.headerLen(segs[0]!)).toBe(32)
      expect(runs(segs)).toEqual([45, 15])
      // a short last segment that fills the datagram exactly is taken; one octet more is not
      const room = 65535 - 20 - 32 - 45 * MSS
      expect(Tso.runLength(train([...full(45), room]), 0)).toBe(46)
      expect(Tso.runLength(train([...full(45), room + 1]), 0)).toBe(45)
      // 11 * 5953 = 65483 = 65535 - 20 - 32 exactly
      expect(runs(train(new Array<number>(12).fill(5953)))).toEqual([11, 1])
      // without options the header is 20 octets: floor((65535 - 40) / 1460) = 44
      expect(Tso.runLength(train(new Array<number>(50).fill(1460)).map((s) => ({ ...s, options: TcpWire.NO_OPTIONS })), 0)).toBe(44)
    })

    it("starts anywhere in the list", () => {
      const segs = train([0, ...full(5), 0, MSS, MSS])
      expect(Tso.runLength(segs, 1)).toBe(5)
      expect(Tso.runLength(segs, 3)).toBe(3)
      expect(Tso.runLength(segs, 6)).toBe(1)
      expect(Tso.runLength(segs, 7)).toBe(2)
      expect(Tso.runLength(segs, 8)).toBe(1)
      expect(runs(segs)).toEqual([1, 5, 1, 2])
    })

    // The kernel clears CWR on every piece but the first (tcp_gso_segment:
    // `th->cwr &= ecn_cwr_mask`, 0 without AccECN), so two segments that both
    // carry CWR cannot come back from one cut (the stack sets no CWR today: no ECN).
    it("segments that all carry CWR are not merged: the cut keeps CWR on the first piece only", () => {
      const segs = train(full(3)).map((s) => ({ ...s, flags: ACK | CWR }))
      const n = Tso.runLength(segs, 0)
      expect(n).toBe(1)
      expect(cutsBackExactly(segs, 0, n)).toBe(true)
    })

    it("CWR on the first segment alone is merged with the rest: the cut gives it back to the first piece only", () => {
      const segs = edit(train(full(3)), 0, { flags: ACK | CWR })
      expect(Tso.runLength(segs, 0)).toBe(3)
      expect(cutsBackExactly(segs, 0, 3)).toBe(true)
    })
  })

  describe("runPayload", () => {
    it("views back to back in one buffer become one view over them", () => {
      const segs = train([...full(4), 100], 10)
      const pieces = Tso.runPayload(segs, 0, 5)
      expect(pieces).toHaveLength(1)
      expect(pieces[0]!.buffer).toBe(DATA.buffer)
      expect(pieces[0]!.byteOffset).toBe(10)
      expect(pieces[0]!.length).toBe(4 * MSS + 100)
      // a part of the list
      const middle = Tso.runPayload(segs, 1, 3)
      expect(middle).toHaveLength(1)
      expect([middle[0]!.byteOffset, middle[0]!.length]).toEqual([10 + MSS, 3 * MSS])
    })

    it("a run of one is its payload as it is", () => {
      const segs = train(full(2))
      const pieces = Tso.runPayload(segs, 1, 1)
      expect(pieces).toHaveLength(1)
      expect(pieces[0]).toBe(segs[1]!.payload)
    })

    it("views of different buffers, or not adjacent, stay separate pieces, in order", () => {
      const segs = train(full(5))
      const copied = edit(segs, 2, { payload: segs[2]!.payload!.slice() }) // same octets, its own buffer
      const a = Tso.runPayload(copied, 0, 5)
      expect(a.map((p) => [p.buffer === DATA.buffer, p.byteOffset, p.length])).toEqual([
        [true, 0, 2 * MSS],
        [false, 0, MSS],
        [true, 3 * MSS, 2 * MSS]
      ])
      expect(a[1]).toBe(copied[2]!.payload)
      // a hole of one octet in the same buffer
      const hole = edit(segs, 3, { payload: DATA.subarray(3 * MSS + 1, 4 * MSS + 1) })
      expect(Tso.runPayload(hole, 0, 5).map((p) => [p.byteOffset, p.length])).toEqual([
        [0, 3 * MSS],
        [3 * MSS + 1, MSS],
        [4 * MSS, MSS]
      ])
      // the same buffer in reverse order: adjacent in memory, but not after each other
      const reversed = [segs[1]!, segs[0]!]
      expect(Tso.runPayload(reversed, 0, 2).map((p) => [p.byteOffset, p.length])).toEqual([[MSS, MSS], [0, MSS]])
      // two buffers whose views would line up by offset alone
      const other = new Uint8Array(DATA.length)
      const twoBuffers = edit(segs, 1, { payload: other.subarray(MSS, 2 * MSS) })
      expect(Tso.runPayload(twoBuffers, 0, 2)).toHaveLength(2)
    })

    it("the pieces joined are the segments' payloads joined", () => {
      const segs = edit(edit(train([...full(5), 33]), 1, { payload: DATA.slice(MSS, 2 * MSS) }), 4, {
        payload: DATA.subarray(9 * MSS, 10 * MSS)
      })
      const want = concat(segs.map((s) => s.payload!))
      expect(sameBytes(concat(Tso.runPayload(segs, 0, 6)), want)).toBe(true)
      expect(Tso.runPayload(segs, 0, 6)).toHaveLength(5)
    })
  })

  describe("the kernel cuts every run back into its segments", () => {
    type Change = "none" | "tsValue" | "tsEcho" | "ack" | "window" | "sackSet" | "sackClear" | "ece"
    /** Something rare, 1 time in `1 + calm` (plans are calm or busy, so some runs reach the 64 KiB limit). */
    const rarely = <A>(usual: A, rare: fc.Arbitrary<A>, calm: number): fc.Arbitrary<A> =>
      fc.oneof({ arbitrary: fc.constant(usual), weight: calm }, { arbitrary: rare, weight: 1 })
    /** One segment a sender writes: its size (-1: the MSS), a seq jump, PSH, a changed header, a copied payload. */
    const step = (calm: number) =>
      fc.record({
        len: rarely(-1, fc.oneof(fc.integer({ min: 1, max: 9000 }), fc.constant(0)), calm),
        gap: rarely(0, fc.integer({ min: -3000, max: 3000 }), calm * 2),
        psh: rarely(false, fc.constant(true), calm),
        change: rarely<Change>("none", fc.constantFrom("tsValue", "tsEcho", "ack", "window", "sackSet", "sackClear", "ece"), calm),
        copied: rarely(false, fc.constant(true), calm),
        undefinedWhenEmpty: fc.boolean()
      })
    const plan = fc.record({
      iss: fc.oneof(fc.integer({ min: 0xffff0000, max: 0xffffffff }), fc.integer({ min: 0, max: 0xffffffff })),
      mss: fc.oneof(fc.constantFrom(536, 1448, 1460, 8960), fc.integer({ min: 1, max: 3000 })),
      timestamps: fc.oneof({ arbitrary: fc.constant(true), weight: 3 }, { arbitrary: fc.constant(false), weight: 1 }),
      steps: fc.constantFrom(4, 60).chain((calm) => fc.array(step(calm), { minLength: 1, maxLength: 80, size: "max" })),
      fin: fc.boolean()
    })

    type Plan = typeof plan extends fc.Arbitrary<infer P> ? P : never

    /** The segments a sender would hand the shell for `p`. */
    const build = (p: Plan): Array<OutSegment> => {
      const out: Array<OutSegment> = []
      let seq = Seq.make(p.iss)
      let at = 0
      let tsValue = 7
      let tsEcho = 9
      let ack = REMOTE_SEQ
      let window = WINDOW
      let sack: ReadonlyArray<TcpWire.SackBlock> | undefined
      p.steps.forEach((s, i) => {
        if (s.change === "tsValue") tsValue++
        else if (s.change === "tsEcho") tsEcho++
        else if (s.change === "ack") ack = Seq.add(ack, 100)
        else if (s.change === "window") window = (window + 1) & 0xffff
        else if (s.change === "sackSet") sack = [{ left: Seq.add(ack, 5000 + i), right: Seq.add(ack, 6000 + i) }]
        else if (s.change === "sackClear") sack = undefined
        seq = Seq.add(seq, s.gap)
        const len = s.len < 0 ? p.mss : Math.min(s.len, p.mss)
        if (at + len > DATA.length) at = 0
        const view = DATA.subarray(at, at + len)
        at += len
        const options: TcpOptions = {
          sackPermitted: false,
          ...(p.timestamps ? { timestamp: { value: tsValue, echo: tsEcho } } : {}),
          ...(sack !== undefined ? { sack: sack.map((b) => ({ ...b })) } : {})
        }
        const last = i === p.steps.length - 1
        out.push({
          srcPort: LOCAL_PORT,
          dstPort: REMOTE_PORT,
          seq,
          ack,
          flags: ACK | (s.psh ? PSH : 0) | (s.change === "ece" ? ECE : 0) | (last && p.fin ? FIN : 0),
          window,
          urgent: 0,
          options,
          payload: len === 0 && s.undefinedWhenEmpty ? undefined : s.copied ? view.slice() : view
        })
        seq = Seq.add(seq, len)
      })
      return out
    }

    it.prop(
      "every run comes back exactly from the kernel's cut, runs cover the list once, and none could be longer",
      [plan],
      ([p]) => {
        const segs = build(p)
        let covered = 0
        for (let i = 0; i < segs.length;) {
          const n = Tso.runLength(segs, i)
          expect(n).toBeGreaterThanOrEqual(1)
          expect(i + n).toBeLessThanOrEqual(segs.length)
          const run = segs.slice(i, i + n)
          if (n > 1) {
            const pieces = Tso.runPayload(segs, i, n)
            // as few pieces as possible: no two neighbours lie back to back in one buffer
            for (let k = 1; k < pieces.length; k++) {
              const a = pieces[k - 1]!
              const b = pieces[k]!
              expect(a.buffer === b.buffer && a.byteOffset + a.length === b.byteOffset).toBe(false)
            }
            const joined = concat(pieces)
            expect(sameBytes(joined, concat(run.map((s) => s.payload!)))).toBe(true)
            expect(IP_HEADER + TcpWire.headerLen(run[0]!) + joined.length).toBeLessThanOrEqual(MAX_DATAGRAM)
            const cut = kernelCut(run, joined)
            expect(cut.map(headerOf)).toEqual(run.map(headerOf))
            cut.forEach((c, k) => expect(sameBytes(c.payload!, run[k]!.payload!)).toBe(true))
          }
          // maximal: one segment more would not come back exactly
          if (i + n < segs.length) expect(cutsBackExactly(segs, i, n + 1)).toBe(false)
          covered += n
          i += n
        }
        expect(covered).toBe(segs.length)
      },
      { fastCheck: { numRuns: 300 } }
    )
  })
})
