/**
 * The IPv4 header (RFC 791 §3.1, receiver checks of RFC 1122 §3.2.1) against
 * datagrams the Linux kernel sent over a veth (test/fixtures/goldens.ts).
 * The expected values in `EXPECTED` are read off each golden's
 * `tcpdump -n -t -e -vv` line, e.g. for ICMP_ECHO_REQUEST:
 *
 *   (tos 0x0, ttl 64, id 9285, offset 0, flags [DF], proto ICMP (1), length 84)
 *   198.18.0.1 > 198.18.0.2
 */
import { describe, expect, it } from "@effect/vitest"
import { Either, FastCheck as fc } from "effect"
import * as Checksum from "../../src/wire/Checksum.js"
import * as Ethernet from "../../src/wire/EthernetFrame.js"
import * as Icmpv4 from "../../src/wire/IcmpMessage.js"
import * as Ipv4 from "../../src/wire/Ipv4Header.js"
import type { Ipv4Repr } from "../../src/wire/Ipv4Header.js"
import type { WireError } from "../../src/wire/WireError.js"
import * as Arb from "../support/Arbitraries.js"
import * as G from "../fixtures/goldens.js"

const ADDR_A = 0xc6120001 // 198.18.0.1
const ADDR_B = 0xc6120002 // 198.18.0.2
const MAC_A = new Uint8Array([0x02, 0x67, 0x77, 0x00, 0x00, 0x01])
const MAC_B = new Uint8Array([0x02, 0x67, 0x77, 0x00, 0x00, 0x02])

/** The IPv4 datagram inside a golden frame (a fresh copy). */
const ipOf = (hex: string): Uint8Array => G.bytes(hex).subarray(14)
const ipHex = (hex: string): string => hex.slice(28)

/** 40 octets of options as `ping -R` sent them: NOP, RR len 39 ptr 8, slot 1 = 198.18.0.1, 8 empty slots. */
const RR_REQUEST_OPTIONS = new Uint8Array(40)
RR_REQUEST_OPTIONS.set([0x01, 0x07, 39, 8, 198, 18, 0, 1])

/** The reply's RR option: len 39 ptr 16, slots 198.18.0.1, 198.18.0.2, 198.18.0.2, then EOL padding. */
const RR_REPLY_OPTIONS = new Uint8Array(40)
RR_REPLY_OPTIONS.set([0x07, 39, 16, 198, 18, 0, 1, 198, 18, 0, 2, 198, 18, 0, 2])

interface Expected {
  readonly hex: string
  readonly fields: Omit<Ipv4Repr, "options" | "payload">
  readonly options: Uint8Array
  /** tcpdump's "length": the total length */
  readonly totalLength: number
}

/**
 * A golden's expected header: `fields` as its tcpdump line gives them, and
 * what every golden here shares unless it says otherwise (tos 0, ttl 64,
 * ICMP, neither DF nor MF, offset 0, no options).
 */
const expected = (
  hex: string,
  totalLength: number,
  fields: Partial<Expected["fields"]> & Pick<Expected["fields"], "id" | "src" | "dst">,
  options: Uint8Array = new Uint8Array(0)
): Expected => ({
  hex,
  fields: { tos: 0, ttl: 64, protocol: 1, dontFragment: false, moreFragments: false, fragmentOffset: 0, ...fields },
  options,
  totalLength
})

const A_TO_B = { src: ADDR_A, dst: ADDR_B } as const
const B_TO_A = { src: ADDR_B, dst: ADDR_A } as const
/** Linux sends ICMP errors with IPTOS_PREC_INTERNETCONTROL. */
const ICMP_ERROR_TOS = 0xc0

const EXPECTED: Record<string, Expected> = {
  ICMP_ECHO_REQUEST: expected(G.ICMP_ECHO_REQUEST, 84, { ...A_TO_B, id: 9285, dontFragment: true }),
  ICMP_ECHO_REPLY: expected(G.ICMP_ECHO_REPLY, 84, { ...B_TO_A, id: 30188 }),
  IPV4_FRAGMENT_FIRST: expected(G.IPV4_FRAGMENT_FIRST, 996, { ...A_TO_B, id: 9297, moreFragments: true }),
  IPV4_FRAGMENT_MIDDLE: expected(G.IPV4_FRAGMENT_MIDDLE, 996, { ...A_TO_B, id: 9297, moreFragments: true, fragmentOffset: 976 }),
  IPV4_FRAGMENT_LAST: expected(G.IPV4_FRAGMENT_LAST, 76, { ...A_TO_B, id: 9297, fragmentOffset: 1952 }),
  IPV4_RECORD_ROUTE_REQUEST: expected(G.IPV4_RECORD_ROUTE_REQUEST, 124, { ...A_TO_B, id: 9315, dontFragment: true }, RR_REQUEST_OPTIONS),
  IPV4_RECORD_ROUTE_REPLY: expected(G.IPV4_RECORD_ROUTE_REPLY, 124, { ...B_TO_A, id: 30232 }, RR_REPLY_OPTIONS),
  UDP_DATAGRAM: expected(G.UDP_DATAGRAM, 45, { ...A_TO_B, protocol: 17, id: 18546, dontFragment: true }),
  UDP_SHORT: expected(G.UDP_SHORT, 29, { ...A_TO_B, protocol: 17, id: 18590, dontFragment: true }),
  ICMP_PORT_UNREACHABLE: expected(G.ICMP_PORT_UNREACHABLE, 74, { ...B_TO_A, tos: ICMP_ERROR_TOS, id: 30278 }),
  ICMP_TIME_EXCEEDED: expected(G.ICMP_TIME_EXCEEDED, 112, { ...B_TO_A, tos: ICMP_ERROR_TOS, id: 30304 }),
  ICMP_FRAGMENTATION_NEEDED: expected(G.ICMP_FRAGMENTATION_NEEDED, 576, { ...B_TO_A, tos: ICMP_ERROR_TOS, id: 30329 })
}

/** Every IPv4 golden, including the ones without an `EXPECTED` entry. */
const IPV4_GOLDENS: ReadonlyArray<readonly [string, string]> = [
  ...Object.entries(EXPECTED).map(([name, e]) => [name, e.hex] as const),
  ["UDP_ZERO_CHECKSUM", G.UDP_ZERO_CHECKSUM],
  ["UDP_CHECKSUM_FFFF", G.UDP_CHECKSUM_FFFF],
  ["UDP_TO_CLOSED_PORT", G.UDP_TO_CLOSED_PORT]
]

const reprOf = (e: Expected): Ipv4Repr => {
  const ip = ipOf(e.hex)
  return { ...e.fields, options: e.options, payload: ip.subarray(20 + e.options.length, e.totalLength) }
}

const expectReason = (r: Either.Either<Ipv4Repr, WireError>, reason: WireError["reason"]): void => {
  expect(Either.isLeft(r)).toBe(true)
  if (Either.isLeft(r)) expect({ layer: r.left.layer, reason: r.left.reason }).toEqual({ layer: "ipv4", reason })
}

/** Rewrite the header checksum after a deliberate edit, so a later check is reached. */
const refreshChecksum = (ip: Uint8Array): Uint8Array => {
  const hl = (ip[0]! & 0x0f) * 4
  ip[10] = 0
  ip[11] = 0
  const c = Checksum.checksum(ip, 0, hl)
  ip[10] = c >>> 8
  ip[11] = c & 0xff
  return ip
}

describe("Ipv4", () => {
  describe("deconstruct", () => {
    for (const [name, e] of Object.entries(EXPECTED)) {
      it(`${name}: every header field`, () => {
        const ip = ipOf(e.hex)
        expect(ip[0]! >>> 4).toBe(4)
        expect((ip[0]! & 0x0f) * 4).toBe(20 + e.options.length)
        expect((ip[2]! << 8) | ip[3]!).toBe(e.totalLength)
        const r = Either.getOrThrow(Ipv4.parse(ip))
        expect({
          tos: r.tos,
          id: r.id,
          dontFragment: r.dontFragment,
          moreFragments: r.moreFragments,
          fragmentOffset: r.fragmentOffset,
          ttl: r.ttl,
          protocol: r.protocol,
          src: r.src,
          dst: r.dst
        }).toEqual(e.fields)
        expect(r.options).toEqual(e.options)
        expect(r.payload.length).toBe(e.totalLength - 20 - e.options.length)
      })
    }

    it("payload and options are views into the input (module contract)", () => {
      const ip = ipOf(G.IPV4_RECORD_ROUTE_REQUEST)
      const r = Either.getOrThrow(Ipv4.parse(ip))
      expect(r.options.buffer).toBe(ip.buffer)
      expect(r.payload.buffer).toBe(ip.buffer)
      expect(r.payload.byteOffset).toBe(ip.byteOffset + 60)
    })

    it("fragment offsets are octets on our side, 8-octet units on the wire (976 = 122 units)", () => {
      const ip = ipOf(G.IPV4_FRAGMENT_MIDDLE)
      expect(((ip[6]! << 8) | ip[7]!) & 0x1fff).toBe(122)
      expect(Either.getOrThrow(Ipv4.parse(ip)).fragmentOffset).toBe(976)
    })

    it("the kernel's fragments reassemble into the 2008-octet echo request (ping -s 2000)", () => {
      const frags = [G.IPV4_FRAGMENT_LAST, G.IPV4_FRAGMENT_FIRST, G.IPV4_FRAGMENT_MIDDLE]
        .map((hex) => Either.getOrThrow(Ipv4.parse(ipOf(hex))))
        .sort((a, b) => a.fragmentOffset - b.fragmentOffset)
      expect(new Set(frags.map((f) => f.id))).toEqual(new Set([9297]))
      expect(frags.map((f) => f.moreFragments)).toEqual([true, true, false])
      const whole = new Uint8Array(2008)
      let next = 0
      for (const f of frags) {
        expect(f.fragmentOffset).toBe(next) // no holes, no overlaps
        whole.set(f.payload, f.fragmentOffset)
        next = f.fragmentOffset + f.payload.length
      }
      expect(next).toBe(2008)
      const icmp = Either.getOrThrow(Icmpv4.parse(whole)) // the checksum spans all three fragments
      expect(icmp._tag).toBe("EchoRequest")
      if (icmp._tag !== "EchoRequest") return
      expect(icmp.ident).toBe(10011)
      expect(icmp.seq).toBe(1)
      expect(icmp.data.length).toBe(2000)
      // ping: a 16-octet timeval, then data[i] = i mod 256
      for (let i = 16; i < 2000; i++) expect(icmp.data[i]).toBe(i & 0xff)
    })
  })

  describe("construct / emit", () => {
    for (const [name, e] of Object.entries(EXPECTED)) {
      it(`${name}: the repr emits the kernel's octets, header checksum included`, () => {
        expect(G.toHex(Ipv4.emit(reprOf(e)))).toBe(ipHex(e.hex))
      })
    }

    it("encodeHeader builds a whole frame in one buffer (ICMP_PORT_UNREACHABLE)", () => {
      const e = EXPECTED["ICMP_PORT_UNREACHABLE"]!
      const repr = reprOf(e)
      const frame = new Uint8Array(14 + Ipv4.bufferLen(repr))
      const at = Ethernet.encodeHeader(frame, 0, MAC_A, MAC_B, Ethernet.EtherType.IPv4)
      const payloadAt = Ipv4.encodeHeader(repr, repr.payload.length, frame, at)
      expect(payloadAt).toBe(34)
      frame.set(repr.payload, payloadAt)
      expect(G.toHex(frame)).toBe(G.ICMP_PORT_UNREACHABLE)
    })

    it("headerLen and bufferLen", () => {
      expect(Ipv4.headerLen(new Uint8Array(0))).toBe(20)
      expect(Ipv4.headerLen(RR_REQUEST_OPTIONS)).toBe(60)
      expect(Ipv4.headerLen(new Uint8Array(1))).toBe(24)
      expect(Ipv4.bufferLen(reprOf(EXPECTED["IPV4_FRAGMENT_FIRST"]!))).toBe(996)
    })

    it("pads options that are not whole words with zeros (EOL)", () => {
      const repr = { ...reprOf(EXPECTED["UDP_SHORT"]!), options: new Uint8Array([0x94, 0x04, 0x00]) } // Router Alert, 3 of 4 octets
      const out = Ipv4.emit(repr)
      expect(out[0]).toBe(0x46)
      expect(G.toHex(out.subarray(20, 24))).toBe("94040000")
      expect(Either.getOrThrow(Ipv4.parse(out)).options).toEqual(new Uint8Array([0x94, 0x04, 0x00, 0x00]))
    })

    it("refuses more than 40 octets of options or 65535 octets in all (RangeError: a caller bug)", () => {
      const base = reprOf(EXPECTED["UDP_SHORT"]!)
      expect(() => Ipv4.emit({ ...base, options: new Uint8Array(44) })).toThrow(RangeError)
      expect(() => Ipv4.emit({ ...base, payload: new Uint8Array(65535 - 20 + 1) })).toThrow(RangeError)
      expect(Ipv4.emit({ ...base, payload: new Uint8Array(65535 - 20) }).length).toBe(65535)
    })
  })

  describe("parse -> repr", () => {
    for (const [name, e] of Object.entries(EXPECTED)) {
      it(name, () => {
        expect(Ipv4.parse(ipOf(e.hex))).toEqual(Either.right(reprOf(e)))
      })
    }
  })

  describe("emit(parse(x)) == x", () => {
    for (const [name, hex] of IPV4_GOLDENS) {
      it(name, () => {
        expect(G.toHex(Ipv4.emit(Either.getOrThrow(Ipv4.parse(ipOf(hex)))))).toBe(ipHex(hex))
      })
    }
  })

  describe("negative cases", () => {
    it("every strict prefix is Truncated (below 20, below the header length, below the total length)", () => {
      for (const hex of [G.ICMP_ECHO_REQUEST, G.IPV4_RECORD_ROUTE_REQUEST, G.UDP_SHORT]) {
        const ip = ipOf(hex)
        for (let n = 0; n < ip.length; n++) expectReason(Ipv4.parse(ip.subarray(0, n)), "Truncated")
      }
    })

    it("a version other than 4 is BadVersion", () => {
      for (let v = 0; v < 16; v++) {
        if (v === 4) continue
        const ip = ipOf(G.ICMP_ECHO_REQUEST)
        ip[0] = (v << 4) | 5
        expectReason(Ipv4.parse(ip), "BadVersion")
      }
    })

    it("an IHL below 5 words is BadHeaderLen", () => {
      for (let ihl = 0; ihl < 5; ihl++) {
        const ip = ipOf(G.ICMP_ECHO_REQUEST)
        ip[0] = 0x40 | ihl
        expectReason(Ipv4.parse(ip), "BadHeaderLen")
      }
    })

    it("an IHL beyond the buffer is Truncated", () => {
      const ip = ipOf(G.UDP_SHORT) // 29 octets
      ip[0] = 0x48 // 32-octet header
      expectReason(Ipv4.parse(ip), "Truncated")
      ip[0] = 0x4f
      expectReason(Ipv4.parse(ip), "Truncated")
    })

    it("a total length smaller than the header is BadLength", () => {
      for (const [hex, hl] of [[G.ICMP_ECHO_REQUEST, 20], [G.IPV4_RECORD_ROUTE_REQUEST, 60]] as const) {
        for (let total = 0; total < hl; total++) {
          const ip = ipOf(hex)
          ip[2] = total >>> 8
          ip[3] = total & 0xff
          expectReason(Ipv4.parse(ip), "BadLength")
        }
      }
    })

    it("a total length larger than the buffer is Truncated", () => {
      for (const total of [85, 1500, 65535]) {
        const ip = ipOf(G.ICMP_ECHO_REQUEST) // 84 octets
        ip[2] = total >>> 8
        ip[3] = total & 0xff
        expectReason(Ipv4.parse(refreshChecksum(ip)), "Truncated")
      }
    })

    it("a total length equal to the header length gives an empty payload", () => {
      const ip = ipOf(G.ICMP_ECHO_REQUEST)
      ip[2] = 0
      ip[3] = 20
      expect(Either.getOrThrow(Ipv4.parse(refreshChecksum(ip))).payload.length).toBe(0)
    })

    it("any single flipped bit in the header is rejected; outside the version/IHL and length fields it is BadChecksum", () => {
      for (const hex of [G.ICMP_ECHO_REQUEST, G.IPV4_RECORD_ROUTE_REPLY, G.ICMP_PORT_UNREACHABLE]) {
        const pristine = ipOf(hex)
        const hl = (pristine[0]! & 0x0f) * 4
        for (let at = 0; at < hl; at++) {
          for (let bit = 0; bit < 8; bit++) {
            const ip = Uint8Array.from(pristine)
            ip[at] ^= 1 << bit
            const r = Ipv4.parse(ip)
            expect(Either.isLeft(r)).toBe(true)
            if (at !== 0 && at !== 2 && at !== 3) expectReason(r, "BadChecksum")
          }
        }
      }
    })

    it("verifyChecksum: false skips the checksum (for checksum-offloading NICs)", () => {
      const ip = ipOf(G.ICMP_ECHO_REQUEST)
      ip[8] = 1 // ttl 64 -> 1, checksum now stale
      expectReason(Ipv4.parse(ip), "BadChecksum")
      expect(Either.getOrThrow(Ipv4.parse(ip, { verifyChecksum: false })).ttl).toBe(1)
      expect(Either.isRight(Ipv4.parse(ipOf(G.ICMP_ECHO_REQUEST), { verifyChecksum: true }))).toBe(true)
    })

    it("the reserved flag bit set is Malformed (RFC 791: must be zero)", () => {
      const ip = ipOf(G.ICMP_ECHO_REQUEST)
      ip[6] |= 0x80
      expectReason(Ipv4.parse(refreshChecksum(ip)), "Malformed")
    })

    it("malformed options are carried raw, not interpreted (the stack acts on none, RFC 1122 §3.2.1.8)", () => {
      // RR with an option length of 0 (a classic infinite loop for option
      // walkers) and of 255 (beyond the header): the header still parses.
      for (const len of [0, 1, 255]) {
        const ip = ipOf(G.IPV4_RECORD_ROUTE_REQUEST)
        ip[20 + 2] = len // NOP, then RR's length octet
        const r = Either.getOrThrow(Ipv4.parse(refreshChecksum(ip)))
        expect(r.options.length).toBe(40)
        expect(r.options[2]).toBe(len)
      }
    })

    it("octets past the total length are cut off", () => {
      const ip = ipOf(G.UDP_DATAGRAM)
      const padded = new Uint8Array(ip.length + 11).fill(0xcc)
      padded.set(ip)
      const r = Either.getOrThrow(Ipv4.parse(padded))
      expect(r.payload.length).toBe(25)
      expect(G.toHex(Ipv4.emit(r))).toBe(ipHex(G.UDP_DATAGRAM))
    })
  })

  describe("properties", () => {
    it.prop(
      "parse(emit(r)) == r (options of whole words <= 40 octets, offsets multiple of 8, payloads <= 4 KiB)",
      [Arb.ipv4Repr],
      ([r]) => {
        const out = Ipv4.emit(r)
        expect(out.length).toBe(20 + r.options.length + r.payload.length)
        expect(Checksum.checksum(out, 0, 20 + r.options.length)).toBe(0)
        expect(Ipv4.parse(out)).toEqual(Either.right(r))
      },
      { fastCheck: { numRuns: 300 } }
    )

    it.prop(
      "encodeHeader at any offset writes the same octets as emit",
      [Arb.ipv4Repr.map((r) => ({ ...r, payload: r.payload.subarray(0, 64) })), fc.integer({ min: 0, max: 33 })],
      ([r, offset]) => {
        const out = new Uint8Array(offset + Ipv4.bufferLen(r))
        const at = Ipv4.encodeHeader(r, r.payload.length, out, offset)
        out.set(r.payload, at)
        expect(G.toHex(out.subarray(offset))).toBe(G.toHex(Ipv4.emit(r)))
      },
      { fastCheck: { numRuns: 200 } }
    )

    it.prop(
      "parse never throws on arbitrary octets (with and without checksum verification)",
      [Arb.anyBytes],
      ([b]) => {
        expect(() => Ipv4.parse(b)).not.toThrow()
        expect(() => Ipv4.parse(b, { verifyChecksum: false })).not.toThrow()
        if (b.length < 20) expectReason(Ipv4.parse(b), "Truncated")
      },
      { fastCheck: { numRuns: 1000 } }
    )

    it.prop(
      "parse never throws on version-4 headers with a valid checksum (reaching the later checks)",
      [
        Arb.withValidChecksum(
          fc
            .tuple(
              fc.oneof(
                { arbitrary: fc.integer({ min: 5, max: 15 }), weight: 4 },
                { arbitrary: fc.integer({ min: 0, max: 4 }), weight: 1 }
              ),
              fc.uint8Array({ minLength: 60, maxLength: 300 }),
              fc.integer({ min: 0, max: 1100 }),
              fc.boolean()
            )
            .map(([ihl, b, permille, reserved]) => {
              const out = Uint8Array.from(b)
              const total = Math.floor((permille * out.length) / 1000)
              out[0] = 0x40 | ihl
              out[2] = total >>> 8
              out[3] = total & 0xff
              if (!reserved) out[6] &= 0x7f
              return out
            }),
          10,
          (b) => Checksum.checksum(b, 0, Math.min(b.length, Math.max(20, (b[0]! & 0x0f) * 4)))
        )
      ],
      ([b]) => {
        const r = Ipv4.parse(b)
        if (Either.isRight(r)) {
          expect(r.right.payload.byteOffset + r.right.payload.length).toBeLessThanOrEqual(b.byteOffset + b.length)
          expect(r.right.options.length % 4).toBe(0)
        }
      },
      { fastCheck: { numRuns: 1000 } }
    )

    it.prop(
      "parse never throws on mutated goldens",
      [Arb.mutationOf(IPV4_GOLDENS.map(([, hex]) => ipOf(hex)))],
      ([b]) => {
        expect(() => Ipv4.parse(b)).not.toThrow()
      },
      { fastCheck: { numRuns: 1000 } }
    )
  })
})

/** A header carrying `options` (padded to a multiple of 4 with EOL). */
const headerWith = (options: ReadonlyArray<number>): { b: Uint8Array; hl: number } => {
  const padded = [...options, ...Array((4 - (options.length % 4)) % 4).fill(0)]
  const hl = 20 + padded.length
  const b = new Uint8Array(hl)
  b[0] = 0x40 | (hl >> 2)
  b.set(padded, 20)
  return { b, hl }
}

describe("Ipv4 options, as a host reads them (optionsVerdict)", () => {
  const verdict = (options: ReadonlyArray<number>) => {
    const { b, hl } = headerWith(options)
    return Ipv4.optionsVerdict(b, 0, hl)
  }
  it("record route, timestamps, NOPs and an early EOL are fine", () => {
    expect(verdict([7, 7, 4, 0, 0, 0, 0])).toBe("Ok") // record route, one empty slot
    expect(verdict([68, 8, 5, 0, 0, 0, 0, 0])).toBe("Ok") // timestamp
    expect(verdict([1, 1, 1, 0, 0x83, 0])).toBe("Ok") // anything after EOL is padding
  })
  it("a loose or a strict source route is dropped by a host (RFC 7126 §4.3-4.4)", () => {
    expect(verdict([0x83, 7, 4, 198, 18, 0, 99])).toBe("SourceRoute")
    expect(verdict([1, 0x89, 7, 4, 198, 18, 0, 99])).toBe("SourceRoute")
  })
  it("an option shorter than 2 octets, or running past the header, is malformed, pointing at its type octet", () => {
    const at = (pointer: number) => ({ _tag: "Malformed", pointer })
    expect(verdict([68, 0, 0, 0])).toEqual(at(20))
    expect(verdict([68, 1, 0, 0])).toEqual(at(20))
    expect(verdict([7, 9, 4, 0])).toEqual(at(20))
    expect(verdict([1, 1, 1, 7])).toEqual(at(23)) // a type with no length octet
    expect(verdict([1, 7, 7, 4, 0, 0, 0, 0, 68, 1, 0, 0])).toEqual(at(28)) // after a sound record route
  })
  it("record route and timestamp pointers that name no whole slot, a full timestamp whose overflow is full too, or either twice, are malformed where Linux's ip_options_compile points", () => {
    const at = (pointer: number) => ({ _tag: "Malformed", pointer })
    expect(verdict([7, 2, 0, 0])).toEqual(at(21)) // record route without a pointer
    expect(verdict([7, 7, 3, 0, 0, 0, 0])).toEqual(at(22)) // before the first slot
    expect(verdict([7, 9, 8, 0, 0, 0, 0, 0, 0])).toEqual(at(22)) // a slot cut short
    expect(verdict([7, 7, 8, 0, 0, 0, 0])).toBe("Ok") // full: the datagram goes on
    expect(verdict([68, 3, 5, 0])).toEqual(at(21)) // timestamp without a flags octet
    expect(verdict([68, 8, 4, 0, 0, 0, 0, 0])).toEqual(at(22)) // before the first slot
    expect(verdict([68, 8, 6, 0, 0, 0, 0, 0])).toEqual(at(22)) // a stamp cut short
    expect(verdict([68, 12, 9, 1, 0, 0, 0, 0, 0, 0, 0, 0])).toEqual(at(22)) // an address without its stamp
    expect(verdict([68, 8, 9, 0xe0, 0, 0, 0, 0])).toBe("Ok") // full: one more overflow to count
    expect(verdict([68, 8, 9, 0xf0, 0, 0, 0, 0])).toEqual(at(23)) // RFC 791: the overflow count overflows
    expect(verdict([68, 8, 5, 2, 0, 0, 0, 0])).toBe("Ok") // an unknown flag: left alone on receipt
    expect(verdict([7, 3, 4, 7, 3, 4, 0, 0])).toEqual(at(23)) // a second record route
  })
})

describe("options an echo reply carries back (echoOptions, RFC 1122 §3.2.2.6)", () => {
  const SELF = 0xc6120002 // 198.18.0.2
  const SELF_OCTETS = [198, 18, 0, 2]
  const PEER_OCTETS = [198, 18, 0, 1]
  const echo = (options: ReadonlyArray<number>, ms = 0x01020304) => {
    const { b, hl } = headerWith(options)
    const out = Ipv4.echoOptions(b, 0, hl, SELF, ms)
    return out === undefined ? undefined : Array.from(out)
  }

  it("record route: our address into the next two free slots (arriving, then leaving), as Linux", () => {
    // ping -R's 9 slots, the sender's own already in the first
    const rr = [7, 39, 8, ...PEER_OCTETS, ...Array(32).fill(0)]
    const got = echo([1, ...rr])!
    expect(got.length).toBe(40)
    expect(got.slice(0, 3)).toEqual([7, 39, 16])
    expect(got.slice(3, 15)).toEqual([...PEER_OCTETS, ...SELF_OCTETS, ...SELF_OCTETS])
    expect(got.slice(15, 39)).toEqual(Array(24).fill(0))
  })
  it("record route with room for one more, or none: what fits, the rest as it came", () => {
    expect(echo([7, 11, 8, ...PEER_OCTETS, 0, 0, 0, 0])).toEqual([7, 11, 12, ...PEER_OCTETS, ...SELF_OCTETS, 0])
    expect(echo([7, 7, 8, ...PEER_OCTETS])).toEqual([7, 7, 8, ...PEER_OCTETS, 0])
  })
  it("timestamps: ours twice (ms since midnight UT), with our address when the flag asks for it", () => {
    const ms = [1, 2, 3, 4]
    expect(echo([68, 12, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0])).toEqual([68, 12, 13, 0, ...ms, ...ms])
    expect(echo([68, 20, 5, 1, ...Array(16).fill(0)])).toEqual([68, 20, 21, 1, ...SELF_OCTETS, ...ms, ...SELF_OCTETS, ...ms])
  })
  it("timestamps without room count in the overflow field once, as the request arrives; prespecified ones only where we are named", () => {
    expect(echo([68, 4, 5, 0])).toEqual([68, 4, 5, 0x10])
    expect(echo([68, 8, 9, 0x10, 9, 9, 9, 9])).toEqual([68, 8, 9, 0x20, 9, 9, 9, 9])
    // room for the arriving stamp only: the reply leaving adds none and counts no overflow (Linux's
    // __ip_options_echo asks for a stamp only where ip_options_compile made one)
    expect(echo([68, 8, 5, 0, 0, 0, 0, 0])).toEqual([68, 8, 9, 0, 1, 2, 3, 4])
    // named first, then someone else: one stamp
    expect(echo([68, 20, 5, 3, ...SELF_OCTETS, 0, 0, 0, 0, ...PEER_OCTETS, 0, 0, 0, 0])).toEqual(
      [68, 20, 13, 3, ...SELF_OCTETS, 1, 2, 3, 4, ...PEER_OCTETS, 0, 0, 0, 0]
    )
  })
  it("nothing to echo, or a malformed pointer: no options in the reply", () => {
    expect(echo([1, 1, 1, 1])).toBeUndefined()
    expect(echo([0x94, 4, 0, 0])).toBeUndefined() // router alert: not echoed
    expect(echo([7, 7, 3, 0, 0, 0, 0])).toBeUndefined() // RR pointer before the first slot
    expect(echo([68, 8, 4, 0, 0, 0, 0, 0])).toBeUndefined() // TS pointer before the first slot
  })
  it("a timestamp flag RFC 791 does not define: the option comes back as it came (Linux's ip_options_compile leaves it alone)", () => {
    expect(echo([68, 8, 5, 2, 0, 0, 0, 0])).toEqual([68, 8, 5, 2, 0, 0, 0, 0])
    // (full, it still counts an overflow: that is the flag's business only where there is room)
    expect(echo([68, 8, 9, 0x12, 0, 0, 0, 0])).toEqual([68, 8, 9, 0x22, 0, 0, 0, 0])
  })
  it("setOptions makes a header with options that checks", () => {
    const options = new Uint8Array([7, 7, 8, ...PEER_OCTETS, 0])
    const out = new Uint8Array(20)
    Ipv4.writeHeader(out, 0, 20 + 8 + 8, 1, false, false, 0, 64, 1, SELF, 0xc6120001, 0)
    Ipv4.setOptions(out, 0, options)
    const whole = new Uint8Array(36)
    whole.set(out)
    whole.set(options, 20)
    expect(whole[0]).toBe(0x47)
    expect(Ipv4.check(whole, 0, whole.length, true)).toBe(28)
  })
})
