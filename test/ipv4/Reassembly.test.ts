/**
 * The pure reassembly bookkeeping (RFC 791 §3.2, the RFC 5722 overlap
 * policy): completion in any order, duplicates, overlaps, bounds, and the
 * memory properties a hostile sender probes (data copied out of the frame it
 * came in, what `held` charges, growth within the room given).
 */
import { describe, expect, it } from "@effect/vitest"
import * as Reassembly from "../../src/ipv4/Reassembly.js"
import * as Ip from "../../src/wire/Ipv4Header.js"

/** A fragment carrying `len` octets of `fill` at `offset`, inside a frame of `frameLen` octets. */
const frag = (offset: number, len: number, more: boolean, fill = 0, frameLen = 14 + 20 + len): Reassembly.Fragment => {
  const bytes = new Uint8Array(frameLen)
  bytes[14] = 0x45
  bytes.fill(fill, 34, 34 + len)
  return { bytes, at: 14, headerLen: 20, offset, length: len, more }
}

const addAll = (fs: ReadonlyArray<Reassembly.Fragment>, a = Reassembly.make()) => {
  let last: Reassembly.AddResult | undefined
  for (const f of fs) {
    last = Reassembly.add(a, f)
    if (last !== "Incomplete" && last !== "Duplicate") break
  }
  return { result: last!, a }
}

const payloadOf = (a: Reassembly.Assembly) => {
  const d = Reassembly.datagram(a)
  return d.bytes.subarray(d.offset + d.headerLen)
}

describe("Reassembly (pure)", () => {
  it("completes in any order, with the data in place", () => {
    const { result, a } = addAll([frag(16, 8, false, 3), frag(0, 8, true, 1), frag(8, 8, true, 2)])
    expect(result).toBe("Complete")
    expect(Array.from(payloadOf(a))).toEqual([...Array(8).fill(1), ...Array(8).fill(2), ...Array(8).fill(3)])
  })

  it("hands the datagram up with fragment zero's header made whole: MF clear, offset 0, full length, valid checksum", () => {
    const zero = frag(0, 8, true, 1)
    Ip.writeHeader(zero.bytes, 14, 28, 0x1234, false, true, 0, 64, 1, 0xc6120001, 0xc6120002, 0)
    const last = frag(8, 5, false, 2)
    const { result, a } = addAll([last, zero])
    expect(result).toBe("Complete")
    const d = Reassembly.datagram(a)
    expect(d.offset).toBe(14) // headroom for a reply built in place
    const header = Ip.parse(d.bytes.subarray(d.offset))
    expect(header._tag).toBe("Right")
    if (header._tag === "Right") {
      expect(header.right.moreFragments).toBe(false)
      expect(header.right.fragmentOffset).toBe(0)
      expect(header.right.id).toBe(0x1234)
      expect(header.right.payload.length).toBe(13)
      expect(Ip.totalLength(d.bytes, d.offset)).toBe(33)
    }
  })

  it("ignores a fragment whose blocks all arrived already", () => {
    const { result } = addAll([frag(0, 8, true), frag(0, 8, true), frag(8, 4, false), frag(8, 4, false)])
    expect(result).toBe("Complete")
    const b = addAll([frag(0, 16, true), frag(8, 8, true)])
    expect(b.result).toBe("Duplicate")
  })

  it("discards on any partial overlap (RFC 5722 policy)", () => {
    expect(addAll([frag(0, 16, true), frag(8, 16, false)]).result).toBe("Overlap")
    expect(addAll([frag(8, 16, false), frag(0, 16, true)]).result).toBe("Overlap")
  })

  it("rejects datagrams beyond 65535 octets and inconsistent ends", () => {
    expect(addAll([frag(65512, 8, false)]).result).toBe("TooBig")
    expect(addAll([frag(8, 16, false), frag(32, 8, false)]).result).toBe("Inconsistent")
    expect(addAll([frag(8, 8, false), frag(24, 8, true)]).result).toBe("Inconsistent")
    expect(addAll([frag(0, 7, true)]).result).toBe("Inconsistent")
    // data already received beyond a last fragment's end
    expect(addAll([frag(64, 8, true), frag(0, 8, false)]).result).toBe("Inconsistent")
  })

  it("measures the datagram by fragment zero's header, whatever the other fragments' headers are", () => {
    /** A fragment whose header is `hl` octets (options copied or not). */
    const withHeader = (hl: number, offset: number, len: number, more: boolean): Reassembly.Fragment => {
      const bytes = new Uint8Array(14 + hl + len)
      bytes[14] = 0x40 | (hl >> 2)
      return { bytes, at: 14, headerLen: hl, offset, length: len, more }
    }
    // fragment zero carries 40 octets of options: 60 + 65507 octets is past 65535, though each
    // later fragment's 20-octet header plus its end is not
    expect(addAll([withHeader(60, 0, 8, true), withHeader(20, 8, 65496, true), withHeader(20, 65504, 3, false)]).result).toBe("TooBig")
    expect(addAll([withHeader(20, 8, 65496, true), withHeader(20, 65504, 3, false), withHeader(60, 0, 8, true)]).result).toBe("TooBig")
    // a legal 65535-octet datagram whose last fragment copied a 4-octet option
    const { result, a } = addAll([withHeader(20, 0, 65504, true), withHeader(24, 65504, 11, false)])
    expect(result).toBe("Complete")
    expect(Ip.totalLength(Reassembly.datagram(a).bytes, 14)).toBe(65535)
  })

  it("copies fragment data out of the frame it came in: a held fragment keeps no receive buffer alive", () => {
    const f = frag(8, 8, true, 7, 100_000) // 8 octets inside a 100 KB receive batch
    const { result, a } = addAll([f])
    expect(result).toBe("Incomplete")
    expect(a.pages[0]!.buffer).not.toBe(f.bytes.buffer)
    expect(a.header).toBeUndefined()
    // What it holds is one page and its block map, not the batch.
    expect(Reassembly.held(a)).toBe(Reassembly.PAGE + 1024)
    // Fragment zero's header is a copy too.
    const zero = frag(0, 8, true, 1, 100_000)
    expect(Reassembly.add(a, zero)).toBe("Incomplete")
    expect(a.header!.buffer).not.toBe(zero.bytes.buffer)
    expect(Reassembly.held(a)).toBe(Reassembly.PAGE + 1024 + 20)
  })

  it("holds what arrived, wherever it falls: one tiny fragment at the far end costs one page", () => {
    const a = Reassembly.make()
    expect(Reassembly.held(a)).toBe(Reassembly.BASE_HELD)
    expect(Reassembly.add(a, frag(65496, 8, true))).toBe("Incomplete")
    expect(Reassembly.held(a)).toBe(Reassembly.BASE_HELD + Reassembly.PAGE)
    // A fragment spanning three pages allocates those it touches and copies across them.
    const b = Reassembly.make()
    expect(Reassembly.add(b, frag(1016, 2064, true, 9))).toBe("Incomplete")
    expect(b.pageCount).toBe(4) // octets 1016..3079 touch pages 0, 1, 2 and 3
    expect(b.pages[1]!.every((x) => x === 9)).toBe(true)
  })

  it("refuses a fragment whose pages do not fit the room it is given, leaving the assembly unchanged", () => {
    const a = Reassembly.make()
    expect(Reassembly.add(a, frag(0, 8, true), Reassembly.PAGE - 1)).toBe("NoRoom")
    // Fragment zero's header is held too: a page and 20 octets.
    expect(Reassembly.add(a, frag(0, 8, true), Reassembly.PAGE + 19)).toBe("NoRoom")
    expect(Reassembly.held(a)).toBe(Reassembly.BASE_HELD)
    expect(Reassembly.add(a, frag(0, 8, true), Reassembly.PAGE + 20)).toBe("Incomplete")
    // No new page needed: fits with no room at all.
    expect(Reassembly.add(a, frag(8, 8, true), 0)).toBe("Incomplete")
    expect(Reassembly.held(a)).toBe(Reassembly.BASE_HELD + Reassembly.PAGE + 20)
  })

  it("reassembles 8189 fragments of 8 octets (the most 65 535 allows) in shuffled order (linear bookkeeping)", () => {
    const n = 8189
    const fs = Array.from({ length: n }, (_, i) => frag(i * 8, 8, i < n - 1, i & 0xff))
    // A fixed shuffle (an LCG), so the order is scattered but the test is repeatable.
    let x = 12345
    for (let i = n - 1; i > 0; i--) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0
      const j = x % (i + 1)
      ;[fs[i], fs[j]] = [fs[j]!, fs[i]!]
    }
    const { result, a } = addAll(fs)
    expect(result).toBe("Complete")
    const p = payloadOf(a)
    expect(p.length).toBe(n * 8)
    for (let i = 0; i < n; i++) expect(p[i * 8]).toBe(i & 0xff)
  })

  it("plans fragments of multiples of 8 that fit the MTU", () => {
    const plan = Reassembly.fragmentPlan(8008, 20, 1500)
    expect(plan.map((p) => p.length)).toEqual([1480, 1480, 1480, 1480, 1480, 608])
    expect(plan.map((p) => p.more)).toEqual([true, true, true, true, true, false])
  })
})

describe("Reassembly and ECN (RFC 3168 §5.3)", () => {
  /** `frag` with the ECN codepoint `ecn` in its header's TOS (0 Not-ECT, 1 ECT(1), 2 ECT(0), 3 CE) */
  const withEcn = (f: Reassembly.Fragment, ecn: number): Reassembly.Fragment => {
    f.bytes[f.at + Ip.Field.tos] = 0xb8 | ecn // DSCP EF, kept as it is
    return f
  }
  const tosOf = (a: Reassembly.Assembly) => {
    const d = Reassembly.datagram(a)
    expect(Ip.check(d.bytes, d.offset, d.bytes.length, true)).toBe(20)
    return d.bytes[d.offset + Ip.Field.tos]!
  }
  it("a CE on any fragment marks the datagram CE when the others are ECT", () => {
    const { result, a } = addAll([withEcn(frag(0, 8, true), 2), withEcn(frag(8, 8, true), 3), withEcn(frag(16, 8, false), 2)])
    expect(result).toBe("Complete")
    expect(tosOf(a)).toBe(0xb8 | 3)
  })
  it("the same codepoint throughout is kept as it was (Not-ECT, ECT(1))", () => {
    for (const ecn of [0, 1]) {
      const { result, a } = addAll([withEcn(frag(0, 8, true), ecn), withEcn(frag(8, 8, false), ecn)])
      expect(result).toBe("Complete")
      expect(tosOf(a)).toBe(0xb8 | ecn)
    }
  })
  it("Not-ECT mixed with ECT or CE discards the datagram", () => {
    for (const other of [1, 2, 3]) {
      expect(addAll([withEcn(frag(0, 8, true), 0), withEcn(frag(8, 8, false), other)]).result).toBe("EcnMismatch")
      expect(addAll([withEcn(frag(0, 8, true), other), withEcn(frag(8, 8, false), 0)]).result).toBe("EcnMismatch")
    }
  })
})
