/**
 * The Internet checksum (RFC 1071) against the RFC's own worked example, the
 * checksums the Linux kernel put in the goldens, and the algebraic laws the
 * RFC states (deferred carries, byte-order independence, split sums).
 */
import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import * as Checksum from "../../src/wire/Checksum.js"
import * as Arb from "../support/Arbitraries.js"
import * as G from "../fixtures/goldens.js"

const ETH = 14
const ip = (hex: string): Uint8Array => G.bytes(hex).subarray(ETH)
const ihl = (ipPacket: Uint8Array): number => (ipPacket[0]! & 0x0f) * 4
const totalLength = (ipPacket: Uint8Array): number => (ipPacket[2]! << 8) | ipPacket[3]!

/** Independent reference: RFC 1071 §4.1 "C" code, transliterated. */
const reference = (b: Uint8Array): number => {
  let sum = 0
  let i = 0
  for (; i + 1 < b.length; i += 2) sum += (b[i]! << 8) | b[i + 1]!
  if (i < b.length) sum += b[i]! << 8
  while (sum >>> 16) sum = (sum & 0xffff) + (sum >>> 16)
  return ~sum & 0xffff
}

/**
 * Independent reference for `finish`: RFC 1071 §4.1's fold ("while (sum>>16)
 * sum = (sum & 0xffff) + (sum >> 16)") and complement, in BigInt so that no
 * step is limited to 32 bits.
 */
const referenceFinish = (acc: number): number => {
  let s = BigInt(acc)
  while (s >> 16n) s = (s & 0xffffn) + (s >> 16n)
  return Number(~s & 0xffffn)
}

const IPV4_GOLDENS = {
  ICMP_ECHO_REQUEST: G.ICMP_ECHO_REQUEST,
  ICMP_ECHO_REPLY: G.ICMP_ECHO_REPLY,
  IPV4_FRAGMENT_FIRST: G.IPV4_FRAGMENT_FIRST,
  IPV4_FRAGMENT_MIDDLE: G.IPV4_FRAGMENT_MIDDLE,
  IPV4_FRAGMENT_LAST: G.IPV4_FRAGMENT_LAST,
  IPV4_RECORD_ROUTE_REQUEST: G.IPV4_RECORD_ROUTE_REQUEST,
  IPV4_RECORD_ROUTE_REPLY: G.IPV4_RECORD_ROUTE_REPLY,
  UDP_DATAGRAM: G.UDP_DATAGRAM,
  UDP_ZERO_CHECKSUM: G.UDP_ZERO_CHECKSUM,
  UDP_CHECKSUM_FFFF: G.UDP_CHECKSUM_FFFF,
  UDP_SHORT: G.UDP_SHORT,
  UDP_TO_CLOSED_PORT: G.UDP_TO_CLOSED_PORT,
  ICMP_PORT_UNREACHABLE: G.ICMP_PORT_UNREACHABLE,
  ICMP_TIME_EXCEEDED: G.ICMP_TIME_EXCEEDED,
  ICMP_FRAGMENTATION_NEEDED: G.ICMP_FRAGMENTATION_NEEDED
} as const

describe("Checksum", () => {
  describe("RFC 1071 examples", () => {
    // RFC 1071 §3: the words 0001 f203 f4f5 f6f7 sum to 2ddf0, which folds to ddf2.
    const example = new Uint8Array([0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7])

    it("sums the words without folding", () => {
      expect(Checksum.sum(example)).toBe(0x2ddf0)
    })

    it("folds the carries and complements", () => {
      expect(Checksum.finish(0x2ddf0)).toBe(~0xddf2 & 0xffff)
      expect(Checksum.checksum(example)).toBe(0x220d)
    })

    it("pads an odd final octet with zero (RFC 1071 §4.1)", () => {
      expect(Checksum.sum(new Uint8Array([0xab]))).toBe(0xab00)
      expect(Checksum.checksum(new Uint8Array([0x00, 0x01, 0xf2]))).toBe(~(0x0001 + 0xf200) & 0xffff)
    })

    it("gives 0xffff for nothing and for all zeros", () => {
      expect(Checksum.checksum(new Uint8Array(0))).toBe(0xffff)
      expect(Checksum.checksum(new Uint8Array(20))).toBe(0xffff)
      expect(Checksum.finish(0)).toBe(0xffff)
    })

    it("treats a sum of 0xffff (one's complement -0) as a verified checksum", () => {
      expect(Checksum.finish(0xffff)).toBe(0)
      expect(Checksum.finish(0x1fffe)).toBe(0)
    })

    it("sums only [start, end)", () => {
      const b = new Uint8Array([0xff, 0x00, 0x01, 0xf2, 0x03, 0xff])
      expect(Checksum.sum(b, 0, 1, 5)).toBe(0x0001 + 0xf203)
      expect(Checksum.checksum(b, 1, 5)).toBe(~(0x0001 + 0xf203) & 0xffff)
    })

    it("adds to an initial sum", () => {
      expect(Checksum.sum(example, 7)).toBe(0x2ddf0 + 7)
    })
  })

  describe("pseudoHeaderSum", () => {
    it("equals the sum of the 12-octet pseudo-header written out (RFC 768)", () => {
      // 198.18.0.1 -> 198.18.0.2, UDP, length 25 (UDP_DATAGRAM)
      const pseudo = new Uint8Array([198, 18, 0, 1, 198, 18, 0, 2, 0, 17, 0, 25])
      expect(Checksum.pseudoHeaderSum(0xc6120001, 0xc6120002, 17, 25)).toBe(Checksum.sum(pseudo))
    })

    it.prop(
      "equals the written-out pseudo-header for any addresses, protocol and length",
      [Arb.ipv4Addr, Arb.ipv4Addr, Arb.u8, Arb.u16],
      ([src, dst, protocol, length]) => {
        const p = new Uint8Array(12)
        new DataView(p.buffer).setUint32(0, src)
        new DataView(p.buffer).setUint32(4, dst)
        p[9] = protocol
        new DataView(p.buffer).setUint16(10, length)
        expect(Checksum.finish(Checksum.pseudoHeaderSum(src, dst, protocol, length))).toBe(Checksum.checksum(p))
      },
      { fastCheck: { numRuns: 500 } }
    )
  })

  describe("goldens from the Linux kernel", () => {
    for (const [name, hex] of Object.entries(IPV4_GOLDENS)) {
      it(`${name}: the IPv4 header verifies to 0`, () => {
        const p = ip(hex)
        expect(Checksum.checksum(p, 0, ihl(p))).toBe(0)
      })
    }

    it("ICMP messages verify to 0 over the whole message", () => {
      for (
        const hex of [
          G.ICMP_ECHO_REQUEST,
          G.ICMP_ECHO_REPLY,
          G.IPV4_RECORD_ROUTE_REQUEST,
          G.ICMP_PORT_UNREACHABLE,
          G.ICMP_TIME_EXCEEDED,
          G.ICMP_FRAGMENTATION_NEEDED
        ]
      ) {
        const p = ip(hex)
        expect(Checksum.checksum(p, ihl(p), totalLength(p))).toBe(0)
      }
    })

    it("UDP datagrams verify to 0 with the pseudo-header", () => {
      for (const hex of [G.UDP_DATAGRAM, G.UDP_CHECKSUM_FFFF, G.UDP_SHORT, G.UDP_TO_CLOSED_PORT]) {
        const p = ip(hex)
        const len = totalLength(p) - 20
        const pseudo = Checksum.pseudoHeaderSum(0xc6120001, 0xc6120002, 17, len)
        expect(Checksum.finish(Checksum.sum(p, pseudo, 20, 20 + len))).toBe(0)
      }
    })

    it("recomputes the kernel's IPv4 header checksum from a zeroed field", () => {
      const p = ip(G.ICMP_ECHO_REQUEST).slice(0, 20)
      const sent = (p[10]! << 8) | p[11]!
      p[10] = 0
      p[11] = 0
      expect(Checksum.checksum(p)).toBe(sent)
      expect(sent).toBe(0x8a3c) // read from the -xx dump of ICMP_ECHO_REQUEST
    })
  })

  describe("properties", () => {
    it.prop(
      "matches the RFC 1071 reference implementation",
      [fc.uint8Array({ maxLength: 2000 })],
      ([b]) => {
        expect(Checksum.checksum(b)).toBe(reference(b))
      },
      { fastCheck: { numRuns: 300 } }
    )

    it.prop(
      "a buffer with its checksum field filled checksums to 0",
      [fc.uint8Array({ minLength: 2, maxLength: 2000 }), fc.nat()],
      ([raw, at]) => {
        const b = Uint8Array.from(raw)
        const field = (at % Math.floor(b.length / 2)) * 2 // a word-aligned field
        b[field] = 0
        b[field + 1] = 0
        const c = Checksum.checksum(b)
        b[field] = c >>> 8
        b[field + 1] = c & 0xff
        expect(Checksum.checksum(b)).toBe(0)
      },
      { fastCheck: { numRuns: 500 } }
    )

    it.prop(
      "sums may be split at any even offset (deferred carries, RFC 1071 §2(B))",
      [fc.uint8Array({ maxLength: 2000 }), fc.nat()],
      ([b, k]) => {
        const split = b.length === 0 ? 0 : (k % (b.length + 1)) & ~1
        const pieces = Checksum.sum(b, Checksum.sum(b, 0, 0, split), split, b.length)
        expect(Checksum.finish(pieces)).toBe(Checksum.checksum(b))
      },
      { fastCheck: { numRuns: 300 } }
    )

    it.prop(
      "is byte-order independent: swapping the octets of every word swaps the checksum (RFC 1071 §2(B))",
      [fc.uint8Array({ maxLength: 1000 }).map((b) => (b.length % 2 === 0 ? b : b.subarray(1)))],
      ([b]) => {
        const swapped = new Uint8Array(b.length)
        for (let i = 0; i < b.length; i += 2) {
          swapped[i] = b[i + 1]!
          swapped[i + 1] = b[i]!
        }
        const c = Checksum.checksum(b)
        expect(Checksum.checksum(swapped)).toBe(((c & 0xff) << 8) | (c >>> 8))
      },
      { fastCheck: { numRuns: 300 } }
    )

    it.prop(
      "an odd-length buffer checksums like the same buffer padded with one zero octet",
      [fc.uint8Array({ minLength: 1, maxLength: 999 }).filter((b) => b.length % 2 === 1)],
      ([b]) => {
        const padded = new Uint8Array(b.length + 1)
        padded.set(b)
        expect(Checksum.checksum(b)).toBe(Checksum.checksum(padded))
      },
      { fastCheck: { numRuns: 300 } }
    )

    it.prop(
      "finish of any unfolded sum up to 2^53 is the RFC 1071 fold of it, complemented",
      [
        fc.oneof(
          // the edges: -0, the first carry, sums that fold to 0xffff, sums past 32 and 48 bits
          fc.constantFrom(0, 0xffff, 0x10000, 0x1fffe, 0xfffeffff, 0xffffffff, 2 ** 32, 2 ** 48 - 1, 2 ** 48, Number.MAX_SAFE_INTEGER),
          fc.integer({ min: 0, max: 0xffffffff }),
          fc.maxSafeNat()
        )
      ],
      ([acc]) => {
        expect(Checksum.finish(acc)).toBe(referenceFinish(acc))
      },
      { fastCheck: { numRuns: 1000 } }
    )
  })
})

describe("Checksum.sum over long ranges (four octets at a time)", () => {
  it.prop(
    "finishes to the reference checksum for any contents, length and alignment (even and odd offsets)",
    [fc.uint8Array({ minLength: 0, maxLength: 3000, size: "max" }), fc.nat(7), fc.nat(7), fc.nat(0x3ffff)],
    ([data, lead, startShift, initial]) => {
      // the range sits at various alignments of an underlying buffer
      const buf = new Uint8Array(lead + data.length + 8)
      buf.set(data, lead)
      const view = buf.subarray(lead)
      const start = Math.min(startShift, data.length)
      // RFC 1071 §4.1 with the initial sum added, folded in BigInt
      let total = BigInt(initial)
      const d = data.subarray(start)
      for (let i = 0; i < d.length; i += 2) total += BigInt((d[i]! << 8) | (d[i + 1] ?? 0))
      while (total >> 16n) total = (total & 0xffffn) + (total >> 16n)
      const expected = Number(~total & 0xffffn)
      expect(Checksum.finish(Checksum.sum(view, initial, start, data.length))).toBe(expected)
    },
    { fastCheck: { numRuns: 2000 } }
  )
})

describe("Checksum.partial (checksum offload: Linux CHECKSUM_PARTIAL, virtio NEEDS_CSUM)", () => {
  /** RFC 1071 §4.1's fold without the complement, in BigInt. */
  const referenceFold = (acc: number): number => {
    let s = BigInt(acc)
    while (s >> 16n) s = (s & 0xffffn) + (s >> 16n)
    return Number(s)
  }

  it("is the folded sum, not complemented", () => {
    // RFC 1071 §3: 2ddf0 folds to ddf2
    expect(Checksum.partial(0x2ddf0)).toBe(0xddf2)
    expect(Checksum.partial(0x1234)).toBe(0x1234)
    expect(Checksum.partial(0x10000)).toBe(0x0001)
    expect(Checksum.partial(0xffff)).toBe(0xffff)
    expect(Checksum.partial(0)).toBe(0)
  })

  it.prop(
    "partial(acc) is the RFC 1071 fold of acc, the complement of finish(acc)",
    [fc.oneof(fc.integer({ min: 0, max: 0xffffffff }), fc.maxSafeNat(), fc.constantFrom(0, 0xffff, 0x10000, 0x1fffe))],
    ([acc]) => {
      expect(Checksum.partial(acc)).toBe(referenceFold(acc))
      expect(Checksum.partial(acc) ^ Checksum.finish(acc)).toBe(0xffff)
    },
    { fastCheck: { numRuns: 500 } }
  )

  it.prop(
    "completed as offload does (sum the range as it stands, finish), it is the full checksum",
    [fc.uint8Array({ minLength: 2, maxLength: 1500, size: "max" }), fc.nat(), Arb.ipv4Addr, Arb.ipv4Addr, Arb.u8],
    ([raw, k, src, dst, protocol]) => {
      const b = Uint8Array.from(raw)
      const field = (k % Math.floor(b.length / 2)) * 2
      const pseudo = Checksum.pseudoHeaderSum(src, dst, protocol, b.length)
      b[field] = 0
      b[field + 1] = 0
      const full = Checksum.finish(Checksum.sum(b, pseudo))
      const p = Checksum.partial(pseudo)
      b[field] = p >>> 8
      b[field + 1] = p & 0xff
      const completed = Checksum.finish(Checksum.sum(b))
      expect(completed).toBe(full)
      b[field] = completed >>> 8
      b[field + 1] = completed & 0xff
      expect(Checksum.finish(Checksum.sum(b, pseudo))).toBe(0)
    },
    { fastCheck: { numRuns: 300 } }
  )
})
