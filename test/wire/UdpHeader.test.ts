/**
 * UDP (RFC 768) against datagrams the Linux kernel sent with socat
 * (test/fixtures/goldens.ts), including the two checksum corner cases the
 * RFC defines: a zero checksum field means "none computed" (SO_NO_CHECK made
 * the kernel send one), and a computed zero is sent as 0xffff (the kernel did
 * so for a payload solved to sum to zero). Field values come from each
 * golden's tcpdump line, e.g. for UDP_DATAGRAM:
 *
 *   198.18.0.1.40000 > 198.18.0.2.9000: [udp sum ok] UDP, length 17
 */
import { describe, expect, it } from "@effect/vitest"
import { Either, FastCheck as fc } from "effect"
import * as Checksum from "../../src/wire/Checksum.js"
import * as Udp from "../../src/wire/UdpHeader.js"
import type { UdpRepr } from "../../src/wire/UdpHeader.js"
import type { WireError } from "../../src/wire/WireError.js"
import * as Arb from "../support/Arbitraries.js"
import * as G from "../fixtures/goldens.js"

const ADDR_A = 0xc6120001 // 198.18.0.1
const ADDR_B = 0xc6120002 // 198.18.0.2
const ADDR_OTHER = 0xc6120003 // 198.18.0.3

/** The UDP datagram inside a golden frame (all UDP goldens have a 20-octet IPv4 header). */
const udpOf = (hex: string): Uint8Array => G.bytes(hex).subarray(14 + 20)
const udpHex = (hex: string): string => hex.slice(2 * (14 + 20))

const text = (s: string): Uint8Array => new TextEncoder().encode(s)
const u16 = (b: Uint8Array, o: number): number => (b[o]! << 8) | b[o + 1]!

interface Golden {
  readonly hex: string
  readonly repr: UdpRepr
  /** the length field: header plus payload */
  readonly length: number
  /** the checksum field as the kernel sent it */
  readonly checksum: number
}

const GOLDENS: Record<string, Golden> = {
  UDP_DATAGRAM: {
    hex: G.UDP_DATAGRAM,
    repr: { srcPort: 40000, dstPort: 9000, payload: text("gonet udp golden\n") },
    length: 25,
    checksum: 0x416f
  },
  UDP_ZERO_CHECKSUM: {
    hex: G.UDP_ZERO_CHECKSUM,
    repr: { srcPort: 40001, dstPort: 9000, payload: text("gonet zero checksum\n") },
    length: 28,
    checksum: 0
  },
  UDP_CHECKSUM_FFFF: {
    hex: G.UDP_CHECKSUM_FFFF,
    repr: { srcPort: 40003, dstPort: 9000, payload: new Uint8Array([...text("gonet 0xffff"), 0x6c, 0xf4]) },
    length: 22,
    checksum: 0xffff
  },
  UDP_SHORT: {
    hex: G.UDP_SHORT,
    repr: { srcPort: 40004, dstPort: 9000, payload: text("!") },
    length: 9,
    checksum: 0x9347
  },
  UDP_TO_CLOSED_PORT: {
    hex: G.UDP_TO_CLOSED_PORT,
    repr: { srcPort: 40002, dstPort: 9, payload: text("gonet closed port\n") },
    length: 26,
    checksum: 0x5120
  }
}

const expectReason = (r: Either.Either<UdpRepr, WireError>, reason: WireError["reason"]): void => {
  expect(Either.isLeft(r)).toBe(true)
  if (Either.isLeft(r)) expect({ layer: r.left.layer, reason: r.left.reason }).toEqual({ layer: "udp", reason })
}

/** Independent reference for the checksum `encode` must compute (RFC 768), before the 0 -> 0xffff rule. */
const referenceChecksum = (repr: UdpRepr, src: number, dst: number): number => {
  const len = 8 + repr.payload.length
  const words = [src >>> 16, src & 0xffff, dst >>> 16, dst & 0xffff, 17, len, repr.srcPort, repr.dstPort, len]
  let sum = words.reduce((a, w) => a + w, 0)
  for (let i = 0; i < repr.payload.length; i += 2) sum += (repr.payload[i]! << 8) | (repr.payload[i + 1] ?? 0)
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000)
  return ~sum & 0xffff
}

describe("Udp", () => {
  describe("deconstruct", () => {
    for (const [name, g] of Object.entries(GOLDENS)) {
      it(`${name}: ${g.repr.srcPort} > ${g.repr.dstPort}, length ${g.length - 8}, checksum 0x${g.checksum.toString(16)}`, () => {
        const b = udpOf(g.hex)
        expect(u16(b, Udp.Field.srcPort)).toBe(g.repr.srcPort)
        expect(u16(b, Udp.Field.dstPort)).toBe(g.repr.dstPort)
        expect(u16(b, Udp.Field.length)).toBe(g.length)
        expect(u16(b, Udp.Field.checksum)).toBe(g.checksum)
        const r = Either.getOrThrow(Udp.parse(b, ADDR_A, ADDR_B))
        expect(r.srcPort).toBe(g.repr.srcPort)
        expect(r.dstPort).toBe(g.repr.dstPort)
        expect(r.payload).toEqual(g.repr.payload)
      })
    }

    it("the payload is a view into the input (module contract)", () => {
      const b = udpOf(G.UDP_DATAGRAM)
      const r = Either.getOrThrow(Udp.parse(b, ADDR_A, ADDR_B))
      expect(r.payload.buffer).toBe(b.buffer)
      expect(r.payload.byteOffset).toBe(b.byteOffset + 8)
    })
  })

  describe("construct / emit", () => {
    for (const [name, g] of Object.entries(GOLDENS)) {
      if (g.checksum === 0) continue
      it(`${name}: the repr emits the kernel's octets, checksum included`, () => {
        expect(G.toHex(Udp.emit(g.repr, ADDR_A, ADDR_B))).toBe(udpHex(g.hex))
      })
    }

    it("UDP_ZERO_CHECKSUM: emit always computes a checksum, so only octets 6..7 differ from the kernel's", () => {
      // The kernel sent 0 because the socket asked for SO_NO_CHECK; emit has
      // no such option (RFC 1122 §4.1.3.4: checksums SHOULD be on by default).
      const g = GOLDENS["UDP_ZERO_CHECKSUM"]!
      const out = Udp.emit(g.repr, ADDR_A, ADDR_B)
      const kernel = udpOf(g.hex)
      expect(G.toHex(out.subarray(0, 6)) + G.toHex(out.subarray(8))).toBe(
        G.toHex(kernel.subarray(0, 6)) + G.toHex(kernel.subarray(8))
      )
      expect(u16(out, 6)).toBe(referenceChecksum(g.repr, ADDR_A, ADDR_B))
      expect(u16(out, 6)).not.toBe(0)
    })

    it("encode writes at an offset and returns the end offset", () => {
      const g = GOLDENS["UDP_TO_CLOSED_PORT"]!
      const out = new Uint8Array(3 + 26)
      expect(Udp.encode(g.repr, ADDR_A, ADDR_B, out, 3)).toBe(29)
      expect(G.toHex(out.subarray(3))).toBe(udpHex(g.hex))
      expect(Udp.bufferLen(g.repr)).toBe(26)
    })

    it("refuses a datagram beyond 65535 octets (RangeError: a caller bug)", () => {
      expect(() => Udp.emit({ srcPort: 1, dstPort: 2, payload: new Uint8Array(65535 - 8 + 1) }, ADDR_A, ADDR_B)).toThrow(
        RangeError
      )
      expect(Udp.emit({ srcPort: 1, dstPort: 2, payload: new Uint8Array(65535 - 8) }, ADDR_A, ADDR_B).length).toBe(65535)
    })
  })

  describe("parse -> repr", () => {
    for (const [name, g] of Object.entries(GOLDENS)) {
      it(name, () => {
        expect(Udp.parse(udpOf(g.hex), ADDR_A, ADDR_B)).toEqual(Either.right(g.repr))
      })
    }
  })

  describe("emit(parse(x)) == x", () => {
    for (const [name, g] of Object.entries(GOLDENS)) {
      if (g.checksum === 0) continue // see "UDP_ZERO_CHECKSUM: emit always computes a checksum"
      it(name, () => {
        const r = Either.getOrThrow(Udp.parse(udpOf(g.hex), ADDR_A, ADDR_B))
        expect(G.toHex(Udp.emit(r, ADDR_A, ADDR_B))).toBe(udpHex(g.hex))
      })
    }
  })

  describe("checksum corner cases (RFC 768)", () => {
    it("a zero checksum field is accepted as 'none computed', whatever the payload and addresses", () => {
      const b = Uint8Array.from(udpOf(G.UDP_ZERO_CHECKSUM))
      b[8] ^= 0xff // damage the payload: nothing can tell
      const r = Either.getOrThrow(Udp.parse(b, ADDR_OTHER, ADDR_OTHER))
      expect(r.srcPort).toBe(40001)
      expect(r.payload[0]).toBe("g".charCodeAt(0) ^ 0xff)
    })

    it("UDP_CHECKSUM_FFFF: the kernel sent a computed zero as 0xffff, and emit does the same", () => {
      const g = GOLDENS["UDP_CHECKSUM_FFFF"]!
      expect(referenceChecksum(g.repr, ADDR_A, ADDR_B)).toBe(0)
      const out = Udp.emit(g.repr, ADDR_A, ADDR_B)
      expect(u16(out, Udp.Field.checksum)).toBe(0xffff)
      expect(Udp.parse(out, ADDR_A, ADDR_B)).toEqual(Either.right(g.repr))
    })

    it("brute force: a payload whose checksum computes to zero is sent as 0xffff", () => {
      // Search the last two payload octets for a total sum of 0xffff (which
      // complements to 0). For a fixed prefix some 16-bit value must work.
      const prefix = text("brute force ")
      const payload = new Uint8Array(prefix.length + 2)
      payload.set(prefix)
      let found: UdpRepr | undefined
      for (let x = 0; x <= 0xffff && found === undefined; x++) {
        payload[prefix.length] = x >>> 8
        payload[prefix.length + 1] = x & 0xff
        const repr = { srcPort: 53, dstPort: 33434, payload }
        if (referenceChecksum(repr, ADDR_B, ADDR_A) === 0) found = repr
      }
      expect(found).toBeDefined()
      const out = Udp.emit(found!, ADDR_B, ADDR_A)
      expect(u16(out, Udp.Field.checksum)).toBe(0xffff)
      expect(Checksum.finish(Checksum.sum(out, Checksum.pseudoHeaderSum(ADDR_B, ADDR_A, 17, out.length)))).toBe(0)
      expect(Udp.parse(out, ADDR_B, ADDR_A)).toEqual(Either.right(found))
    })

    it("swapping source and destination keeps the checksum valid (the sum commutes)", () => {
      expect(Either.isRight(Udp.parse(udpOf(G.UDP_DATAGRAM), ADDR_B, ADDR_A))).toBe(true)
    })

    it("a wrong pseudo-header address is BadChecksum", () => {
      expectReason(Udp.parse(udpOf(G.UDP_DATAGRAM), ADDR_OTHER, ADDR_B), "BadChecksum")
      expectReason(Udp.parse(udpOf(G.UDP_CHECKSUM_FFFF), ADDR_A, ADDR_OTHER), "BadChecksum")
    })
  })

  describe("negative cases", () => {
    it("is Truncated at every length below the header and below the length field", () => {
      for (const g of Object.values(GOLDENS)) {
        const b = udpOf(g.hex)
        for (let n = 0; n < b.length; n++) expectReason(Udp.parse(b.subarray(0, n), ADDR_A, ADDR_B), "Truncated")
      }
    })

    it("a length field below 8 is BadLength", () => {
      for (let len = 0; len < 8; len++) {
        const b = Uint8Array.from(udpOf(G.UDP_DATAGRAM))
        b[4] = 0
        b[5] = len
        expectReason(Udp.parse(b, ADDR_A, ADDR_B), "BadLength")
      }
    })

    it("a length field beyond the buffer is Truncated", () => {
      for (const len of [26, 0xffff]) {
        const b = Uint8Array.from(udpOf(G.UDP_DATAGRAM)) // 25 octets
        b[4] = len >>> 8
        b[5] = len & 0xff
        expectReason(Udp.parse(b, ADDR_A, ADDR_B), "Truncated")
      }
    })

    it("octets past the length field are cut off and not summed", () => {
      const b = new Uint8Array(25 + 7).fill(0x77)
      b.set(udpOf(G.UDP_DATAGRAM))
      expect(Udp.parse(b, ADDR_A, ADDR_B)).toEqual(Either.right(GOLDENS["UDP_DATAGRAM"]!.repr))
    })

    it("any single flipped bit is rejected; outside the length field it is BadChecksum", () => {
      for (const hex of [G.UDP_DATAGRAM, G.UDP_CHECKSUM_FFFF, G.UDP_SHORT]) {
        const pristine = udpOf(hex)
        for (let at = 0; at < pristine.length; at++) {
          for (let bit = 0; bit < 8; bit++) {
            const b = Uint8Array.from(pristine)
            b[at] ^= 1 << bit
            const r = Udp.parse(b, ADDR_A, ADDR_B)
            expect(Either.isLeft(r)).toBe(true)
            if (at !== 4 && at !== 5) expectReason(r, "BadChecksum")
          }
        }
      }
    })
  })

  describe("properties", () => {
    it.prop(
      "parse(emit(r)) == r, and the emitted checksum is never 0 and verifies",
      [Arb.udpRepr, Arb.ipv4Addr, Arb.ipv4Addr],
      ([r, src, dst]) => {
        const out = Udp.emit(r, src, dst)
        const sent = u16(out, Udp.Field.checksum)
        expect(sent).not.toBe(0)
        expect(sent).toBe(referenceChecksum(r, src, dst) || 0xffff)
        expect(Checksum.finish(Checksum.sum(out, Checksum.pseudoHeaderSum(src, dst, 17, out.length)))).toBe(0)
        expect(Udp.parse(out, src, dst)).toEqual(Either.right(r))
      },
      { fastCheck: { numRuns: 300 } }
    )

    it.prop(
      "parse never throws on arbitrary octets and addresses",
      [Arb.anyBytes, Arb.ipv4Addr, Arb.ipv4Addr],
      ([b, src, dst]) => {
        const r = Udp.parse(b, src, dst)
        if (b.length < 8) expectReason(r, "Truncated")
      },
      { fastCheck: { numRuns: 1000 } }
    )

    it.prop(
      "with a zero checksum field, parse is Right exactly when 8 <= length <= buffer",
      [
        fc.uint8Array({ minLength: 8, maxLength: 200 }).chain((raw) =>
          fc.integer({ min: 0, max: raw.length + 8 }).map((len) => {
            const b = Uint8Array.from(raw)
            b[4] = len >>> 8
            b[5] = len & 0xff
            b[6] = 0
            b[7] = 0
            return b
          })
        )
      ],
      ([b]) => {
        const len = u16(b, 4)
        const r = Udp.parse(b, ADDR_A, ADDR_B)
        expect(Either.isRight(r)).toBe(len >= 8 && len <= b.length)
        if (Either.isRight(r)) expect(r.right.payload.length).toBe(len - 8)
      },
      { fastCheck: { numRuns: 500 } }
    )

    it.prop(
      "parse never throws on mutated goldens",
      [Arb.mutationOf(Object.values(GOLDENS).map((g) => udpOf(g.hex)))],
      ([b]) => {
        expect(() => Udp.parse(b, ADDR_A, ADDR_B)).not.toThrow()
      },
      { fastCheck: { numRuns: 500 } }
    )
  })
})
