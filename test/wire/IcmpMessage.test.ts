/**
 * ICMP for IPv4 (RFC 792) against messages the Linux kernel sent
 * (test/fixtures/goldens.ts): echo request/reply from `ping`, port
 * unreachable from a closed UDP port, and time exceeded / fragmentation
 * needed from a forwarding namespace. Field values come from each golden's
 * `tcpdump -n -t -e -vv` lines, e.g. for ICMP_ECHO_REQUEST:
 *
 *   198.18.0.1 > 198.18.0.2: ICMP echo request, id 10010, seq 1, length 64
 */
import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import * as Checksum from "../../src/wire/Checksum.js"
import * as Icmpv4 from "../../src/wire/IcmpMessage.js"
import type { Icmpv4Repr } from "../../src/wire/IcmpMessage.js"
import * as Ipv4 from "../../src/wire/Ipv4Header.js"
import * as Udp from "../../src/wire/UdpHeader.js"
import type { WireError } from "../../src/wire/WireError.js"
import * as Arb from "../support/Arbitraries.js"
import * as G from "../fixtures/goldens.js"

const ADDR_A = 0xc6120001 // 198.18.0.1
const ADDR_C = 0xc6120102 // 198.18.1.2, behind the router 198.18.0.2

/** The ICMP message inside a golden frame (after the Ethernet and IPv4 headers). */
const icmpOf = (hex: string): Uint8Array => {
  const frame = G.bytes(hex)
  const ihl = (frame[14]! & 0x0f) * 4
  const total = (frame[16]! << 8) | frame[17]!
  return frame.subarray(14 + ihl, 14 + total)
}
const ipOf = (hex: string): Uint8Array => G.bytes(hex).subarray(14)

const u16 = (b: Uint8Array, o: number): number => (b[o]! << 8) | b[o + 1]!

/**
 * What iputils ping puts in 56 data octets: a 16-octet struct timeval (the
 * send time, little-endian, copied from the -xx dump) and then data[i] = i.
 */
const pingData = (timeval: string, length: number): Uint8Array => {
  const data = new Uint8Array(length)
  for (let i = 16; i < length; i++) data[i] = i & 0xff
  data.set(G.bytes(timeval))
  return data
}

const ECHO_DATA = pingData("04570a6b000000004273070000000000", 56)
const RR_ECHO_DATA = pingData("04570a6b0000000046040b0000000000", 56)

const ECHO_REQUEST: Icmpv4Repr = { _tag: "EchoRequest", ident: 10010, seq: 1, data: ECHO_DATA }
const ECHO_REPLY: Icmpv4Repr = { _tag: "EchoReply", ident: 10010, seq: 1, data: ECHO_DATA }
const RR_ECHO_REQUEST: Icmpv4Repr = { _tag: "EchoRequest", ident: 10012, seq: 1, data: RR_ECHO_DATA }
const PORT_UNREACHABLE: Icmpv4Repr = {
  _tag: "DstUnreachable",
  code: Icmpv4.DstUnreachableCode.PortUnreachable,
  nextHopMtu: 0,
  data: ipOf(G.UDP_TO_CLOSED_PORT) // Linux quotes the whole 46-octet datagram
}

interface Golden {
  readonly hex: string
  readonly type: number
  readonly code: number
  /** the checksum field as the kernel sent it */
  readonly checksum: number
  readonly repr: () => Icmpv4Repr
}

const GOLDENS: Record<string, Golden> = {
  ICMP_ECHO_REQUEST: { hex: G.ICMP_ECHO_REQUEST, type: 8, code: 0, checksum: 0xb9dc, repr: () => ECHO_REQUEST },
  ICMP_ECHO_REPLY: { hex: G.ICMP_ECHO_REPLY, type: 0, code: 0, checksum: 0xc1dc, repr: () => ECHO_REPLY },
  IPV4_RECORD_ROUTE_REQUEST: {
    hex: G.IPV4_RECORD_ROUTE_REQUEST,
    type: 8,
    code: 0,
    checksum: 0xb249,
    repr: () => RR_ECHO_REQUEST
  },
  ICMP_PORT_UNREACHABLE: {
    hex: G.ICMP_PORT_UNREACHABLE,
    type: 3,
    code: 3,
    checksum: 0x8950,
    repr: () => PORT_UNREACHABLE
  },
  ICMP_TIME_EXCEEDED: {
    hex: G.ICMP_TIME_EXCEEDED,
    type: 11,
    code: 0,
    checksum: 0xf4ff,
    repr: () => ({ _tag: "TimeExceeded", code: 0, data: icmpOf(G.ICMP_TIME_EXCEEDED).subarray(8) })
  },
  ICMP_FRAGMENTATION_NEEDED: {
    hex: G.ICMP_FRAGMENTATION_NEEDED,
    type: 3,
    code: 4,
    checksum: 0x9fec,
    repr: () => ({
      _tag: "DstUnreachable",
      code: 4,
      nextHopMtu: 576,
      data: icmpOf(G.ICMP_FRAGMENTATION_NEEDED).subarray(8)
    })
  }
}

const expectReason = (r: Either.Either<Icmpv4Repr, WireError>, reason: WireError["reason"]): void => {
  expect(Either.isLeft(r)).toBe(true)
  if (Either.isLeft(r)) expect({ layer: r.left.layer, reason: r.left.reason }).toEqual({ layer: "icmp", reason })
}

const expectReasonIpv4 = (r: Either.Either<unknown, WireError>, reason: WireError["reason"]): void => {
  expect(Either.isLeft(r) && { layer: r.left.layer, reason: r.left.reason }).toEqual({ layer: "ipv4", reason })
}

const refreshChecksum = (m: Uint8Array): Uint8Array => {
  m[2] = 0
  m[3] = 0
  const c = Checksum.checksum(m)
  m[2] = c >>> 8
  m[3] = c & 0xff
  return m
}

describe("Icmpv4", () => {
  describe("deconstruct", () => {
    for (const [name, g] of Object.entries(GOLDENS)) {
      it(`${name}: type ${g.type}, code ${g.code}, checksum 0x${g.checksum.toString(16)}`, () => {
        const m = icmpOf(g.hex)
        expect(m[Icmpv4.Field.type]).toBe(g.type)
        expect(m[Icmpv4.Field.code]).toBe(g.code)
        expect(u16(m, Icmpv4.Field.checksum)).toBe(g.checksum)
        expect(Checksum.checksum(m)).toBe(0)
        expect(Either.isRight(Icmpv4.parse(m))).toBe(true)
      })
    }

    it("ICMP_ECHO_REQUEST: echo request, id 10010, seq 1, length 64", () => {
      const r = Either.getOrThrow(Icmpv4.parse(icmpOf(G.ICMP_ECHO_REQUEST)))
      if (r._tag !== "EchoRequest") throw new Error(r._tag)
      expect(r.ident).toBe(10010)
      expect(r.seq).toBe(1)
      expect(Icmpv4.HEADER_LEN + r.data.length).toBe(64)
      expect(r.data).toEqual(ECHO_DATA)
    })

    it("ICMP_ECHO_REPLY: echo reply, id 10010, seq 1, length 64, the request's data echoed", () => {
      const r = Either.getOrThrow(Icmpv4.parse(icmpOf(G.ICMP_ECHO_REPLY)))
      if (r._tag !== "EchoReply") throw new Error(r._tag)
      expect([r.ident, r.seq, r.data.length]).toEqual([10010, 1, 56])
      expect(r.data).toEqual(ECHO_DATA)
    })

    it("ICMP_PORT_UNREACHABLE: udp port 9 unreachable, quoting the whole UDP_TO_CLOSED_PORT datagram", () => {
      const r = Either.getOrThrow(Icmpv4.parse(icmpOf(G.ICMP_PORT_UNREACHABLE)))
      if (r._tag !== "DstUnreachable") throw new Error(r._tag)
      expect(r.code).toBe(Icmpv4.DstUnreachableCode.PortUnreachable)
      expect(r.nextHopMtu).toBe(0)
      expect(r.data.length).toBe(54 - 8)
      expect(G.toHex(r.data)).toBe(G.UDP_TO_CLOSED_PORT.slice(28))
      // (tos 0x0, ttl 64, id 18603, ..., flags [DF], proto UDP (17), length 46) 198.18.0.1.40002 > 198.18.0.2.9
      const quoted = Either.getOrThrow(Ipv4.parse(r.data))
      expect([quoted.id, quoted.ttl, quoted.dontFragment, quoted.protocol]).toEqual([18603, 64, true, 17])
      const udp = Either.getOrThrow(Udp.parse(quoted.payload, quoted.src, quoted.dst))
      expect([udp.srcPort, udp.dstPort]).toEqual([40002, 9])
    })

    it("ICMP_TIME_EXCEEDED: time exceeded in-transit, quoting the TTL-1 echo request whole", () => {
      const r = Either.getOrThrow(Icmpv4.parse(icmpOf(G.ICMP_TIME_EXCEEDED)))
      if (r._tag !== "TimeExceeded") throw new Error(r._tag)
      expect(r.code).toBe(Icmpv4.TimeExceededCode.TtlExceeded)
      expect(r.data.length).toBe(92 - 8)
      // (tos 0x0, ttl 1, id 44303, offset 0, flags [DF], proto ICMP (1), length 84) 198.18.0.1 > 198.18.1.2
      const quoted = Either.getOrThrow(Ipv4.parse(r.data))
      expect([quoted.ttl, quoted.id, quoted.dontFragment, quoted.src, quoted.dst]).toEqual([1, 44303, true, ADDR_A, ADDR_C])
      const inner = Either.getOrThrow(Icmpv4.parse(quoted.payload))
      expect(inner._tag === "EchoRequest" && [inner.ident, inner.seq]).toEqual([10018, 1])
    })

    it("ICMP_FRAGMENTATION_NEEDED: need to frag (mtu 576), quoting 548 of the 828 octets", () => {
      const r = Either.getOrThrow(Icmpv4.parse(icmpOf(G.ICMP_FRAGMENTATION_NEEDED)))
      if (r._tag !== "DstUnreachable") throw new Error(r._tag)
      expect(r.code).toBe(Icmpv4.DstUnreachableCode.FragmentationNeeded)
      expect(r.nextHopMtu).toBe(576)
      expect(r.data.length).toBe(556 - 8)
      // (tos 0x0, ttl 64, id 0, offset 0, flags [DF], proto ICMP (1), length 828) 198.18.0.1 > 198.18.1.2
      const q = r.data
      expect([q[0], u16(q, 2), u16(q, 4), u16(q, 6), q[8], q[9]]).toEqual([0x45, 828, 0, 0x4000, 64, 1])
      expect(Checksum.checksum(q, 0, 20)).toBe(0) // the quoted header is intact ...
      expectReasonIpv4(Ipv4.parse(q), "Truncated") // ... but the datagram is cut at 576 octets in all
    })
  })

  describe("construct / emit", () => {
    for (const [name, g] of Object.entries(GOLDENS)) {
      it(`${name}: the repr emits the kernel's octets, checksum included`, () => {
        expect(G.toHex(Icmpv4.emit(g.repr()))).toBe(G.toHex(icmpOf(g.hex)))
      })
    }

    it("encode writes at an offset inside an IPv4 datagram (ICMP_ECHO_REPLY)", () => {
      const ip = ipOf(G.ICMP_ECHO_REPLY)
      const out = new Uint8Array(ip.length)
      out.set(ip.subarray(0, 20))
      expect(Icmpv4.encode(ECHO_REPLY, out, 20)).toBe(84)
      expect(G.toHex(out)).toBe(G.toHex(ip))
      expect(Icmpv4.bufferLen(ECHO_REPLY)).toBe(64)
    })

    it("hand-constructed: Other (timestamp request, type 13) keeps octets 4..7 as `rest`", () => {
      const repr: Icmpv4Repr = { _tag: "Other", type: 13, code: 0, rest: (0x1234 << 16) | 7, data: new Uint8Array(12) }
      const m = Icmpv4.emit(repr)
      expect(G.toHex(m.subarray(0, 2))).toBe("0d00")
      expect(G.toHex(m.subarray(4, 8))).toBe("12340007")
      expect(Checksum.checksum(m)).toBe(0)
      expect(Icmpv4.parse(m)).toEqual(Either.right(repr))
    })

    it("hand-constructed: an odd-length echo pads the checksum with a zero octet (RFC 1071)", () => {
      const repr: Icmpv4Repr = { _tag: "EchoRequest", ident: 0xbeef, seq: 0xffff, data: new Uint8Array([0xab]) }
      const m = Icmpv4.emit(repr)
      expect(m.length).toBe(9)
      // words: 0800 + 0000 + beef + ffff + ab00
      expect(u16(m, 2)).toBe(Checksum.finish(0x0800 + 0xbeef + 0xffff + 0xab00))
      expect(Icmpv4.parse(m)).toEqual(Either.right(repr))
    })
  })

  describe("parse -> repr", () => {
    for (const [name, g] of Object.entries(GOLDENS)) {
      it(name, () => {
        expect(Icmpv4.parse(icmpOf(g.hex))).toEqual(Either.right(g.repr()))
      })
    }
  })

  describe("emit(parse(x)) == x", () => {
    for (const [name, g] of Object.entries(GOLDENS)) {
      it(name, () => {
        const m = icmpOf(g.hex)
        expect(G.toHex(Icmpv4.emit(Either.getOrThrow(Icmpv4.parse(m))))).toBe(G.toHex(m))
      })
    }
  })

  describe("negative cases", () => {
    it("is Truncated at every length below 8", () => {
      const m = icmpOf(G.ICMP_ECHO_REQUEST)
      for (let n = 0; n < Icmpv4.HEADER_LEN; n++) expectReason(Icmpv4.parse(m.subarray(0, n)), "Truncated")
    })

    it("a message cut anywhere from 8 octets on fails its checksum", () => {
      for (const hex of [G.ICMP_ECHO_REQUEST, G.ICMP_PORT_UNREACHABLE]) {
        const m = icmpOf(hex)
        for (let n = Icmpv4.HEADER_LEN; n < m.length; n++) expectReason(Icmpv4.parse(m.subarray(0, n)), "BadChecksum")
      }
    })

    it("any single flipped bit is BadChecksum", () => {
      for (const hex of [G.ICMP_ECHO_REPLY, G.ICMP_TIME_EXCEEDED]) {
        const pristine = icmpOf(hex)
        for (let at = 0; at < pristine.length; at++) {
          for (let bit = 0; bit < 8; bit++) {
            const m = Uint8Array.from(pristine)
            m[at] ^= 1 << bit
            expectReason(Icmpv4.parse(m), "BadChecksum")
          }
        }
      }
    })

    it("echo request or reply with a non-zero code is Malformed", () => {
      for (const hex of [G.ICMP_ECHO_REQUEST, G.ICMP_ECHO_REPLY]) {
        const m = Uint8Array.from(icmpOf(hex))
        m[Icmpv4.Field.code] = 1
        expectReason(Icmpv4.parse(refreshChecksum(m)), "Malformed")
      }
    })

    it("the next-hop MTU is read only for code 4 (RFC 1191); other codes report 0", () => {
      const m = Uint8Array.from(icmpOf(G.ICMP_FRAGMENTATION_NEEDED))
      m[Icmpv4.Field.code] = Icmpv4.DstUnreachableCode.HostUnreachable
      const r = Either.getOrThrow(Icmpv4.parse(refreshChecksum(m)))
      expect(r._tag === "DstUnreachable" && [r.code, r.nextHopMtu]).toEqual([1, 0])
    })

    it("types without a variant parse as Other (a timestamp request made from ICMP_PORT_UNREACHABLE)", () => {
      const m = Uint8Array.from(icmpOf(G.ICMP_PORT_UNREACHABLE))
      m[Icmpv4.Field.type] = 13
      m.set([198, 18, 0, 254], 4)
      const r = Either.getOrThrow(Icmpv4.parse(refreshChecksum(m)))
      expect(r).toEqual({ _tag: "Other", type: 13, code: 3, rest: 0xc61200fe, data: m.subarray(8) })
    })
  })

  describe("redirect (type 5, RFC 792)", () => {
    /** A redirect made from ICMP_PORT_UNREACHABLE: its quote (the whole 46-octet UDP datagram) kept. */
    const redirectOf = (code: number, gateway: number[] = [198, 18, 0, 254]): Uint8Array => {
      const m = Uint8Array.from(icmpOf(G.ICMP_PORT_UNREACHABLE))
      m[Icmpv4.Field.type] = Icmpv4.Type.Redirect
      m[Icmpv4.Field.code] = code
      m.set(gateway, Icmpv4.Field.gateway)
      return refreshChecksum(m)
    }

    it("each of codes 0-3 parses with the gateway (octets 4..7) and the quoted datagram", () => {
      for (const code of [0, 1, 2, 3]) {
        const m = redirectOf(code)
        expect(Either.getOrThrow(Icmpv4.parse(m))).toEqual({
          _tag: "Redirect",
          code,
          gateway: 0xc61200fe,
          data: m.subarray(8)
        })
      }
    })

    it("the quote's addresses are the redirected datagram's (UDP_TO_CLOSED_PORT: 198.18.0.1 > 198.18.0.2)", () => {
      const r = Either.getOrThrow(Icmpv4.parse(redirectOf(Icmpv4.RedirectCode.Host)))
      if (r._tag !== "Redirect") throw new Error("expected a redirect")
      expect([Icmpv4.quotedSource(r.data), Icmpv4.quotedDestination(r.data)]).toEqual([0xc6120001, 0xc6120002])
    })

    it("emit(parse(x)) == x, and parse(emit(r)) == r", () => {
      const m = redirectOf(Icmpv4.RedirectCode.HostTos, [198, 18, 0, 7])
      const r = Either.getOrThrow(Icmpv4.parse(m))
      expect(G.toHex(Icmpv4.emit(r))).toBe(G.toHex(m))
      expect(Either.getOrThrow(Icmpv4.parse(Icmpv4.emit(r)))).toEqual(r)
    })

    it("a code above 3 is Malformed: RFC 792 defines 0-3 (Linux masks the code with 7, aliasing 8-11; we do not)", () => {
      for (const code of [4, 7, 8, 11, 255]) expectReason(Icmpv4.parse(redirectOf(code)), "Malformed")
    })

    it("a quote shorter than an IP header and 8 octets is Truncated (Linux's icmp_redirect, icmp_socket_deliver)", () => {
      const whole = redirectOf(Icmpv4.RedirectCode.Host)
      // 8 octets of ICMP header, then 0..27 octets of quote
      for (let quote = 0; quote < 28; quote++) {
        expectReason(Icmpv4.parse(refreshChecksum(Uint8Array.from(whole.subarray(0, 8 + quote)))), "Truncated")
      }
      expect(Either.isRight(Icmpv4.parse(refreshChecksum(Uint8Array.from(whole.subarray(0, 8 + 28)))))).toBe(true)
    })

    it("a quote with options needs its whole header and 8 octets more", () => {
      const whole = redirectOf(Icmpv4.RedirectCode.Host)
      const m = Uint8Array.from(whole.subarray(0, 8 + 28))
      m[8] = 0x46 // IHL 6: 24 octets of header, 32 with the 8 after it
      expectReason(Icmpv4.parse(refreshChecksum(m)), "Truncated")
      const longer = Uint8Array.from(whole.subarray(0, 8 + 32))
      longer[8] = 0x46
      expect(Either.isRight(Icmpv4.parse(refreshChecksum(longer)))).toBe(true)
    })

    it("a quote that is not an IPv4 header (version 6, or IHL below 5) is Malformed", () => {
      for (const first of [0x65, 0x44, 0x40]) {
        const m = redirectOf(Icmpv4.RedirectCode.Host)
        m[8] = first
        expectReason(Icmpv4.parse(refreshChecksum(m)), "Malformed")
      }
    })

    it("check passes a redirect through by type, its fields read in place", () => {
      const m = redirectOf(Icmpv4.RedirectCode.Network)
      expect(Icmpv4.check(m, 0, m.length)).toBe(Icmpv4.Type.Redirect)
    })
  })

  describe("properties", () => {
    it.prop(
      "parse(emit(r)) == r for every variant",
      [Arb.icmpv4Repr],
      ([r]) => {
        const m = Icmpv4.emit(r)
        expect(Checksum.checksum(m)).toBe(0)
        expect(Icmpv4.parse(m)).toEqual(Either.right(r))
      },
      { fastCheck: { numRuns: 500 } }
    )

    it.prop(
      "parse never throws on arbitrary octets",
      [Arb.anyBytes],
      ([b]) => {
        const r = Icmpv4.parse(b)
        if (b.length < 8) expectReason(r, "Truncated")
      },
      { fastCheck: { numRuns: 1000 } }
    )

    it.prop(
      "parse never throws on arbitrary octets with a valid checksum, and accepts all but non-zero echo codes and redirects",
      [Arb.withValidChecksum(Arb.anyBytes, Icmpv4.Field.checksum, (b) => Checksum.checksum(b))],
      ([b]) => {
        const r = Icmpv4.parse(b)
        if (b.length < 8) return expectReason(r, "Truncated")
        const echo = b[0] === Icmpv4.Type.EchoRequest || b[0] === Icmpv4.Type.EchoReply
        // (a redirect is refused unless its code and quote hold: the tests above)
        if (b[0] !== Icmpv4.Type.Redirect) expect(Either.isRight(r)).toBe(!echo || b[1] === 0)
      },
      { fastCheck: { numRuns: 1000 } }
    )

    it.prop(
      "parse never throws on mutated goldens",
      [Arb.mutationOf(Object.values(GOLDENS).map((g) => icmpOf(g.hex)))],
      ([b]) => {
        expect(() => Icmpv4.parse(b)).not.toThrow()
      },
      { fastCheck: { numRuns: 500 } }
    )
  })
})

describe("Icmpv4.check (in place)", () => {
  it("agrees with parse on the goldens: the type when parse succeeds", () => {
    for (const hex of [G.ICMP_ECHO_REQUEST, G.ICMP_ECHO_REPLY]) {
      const m = icmpOf(hex)
      const padded = new Uint8Array(m.length + 10)
      padded.set(m, 5)
      expect(Icmpv4.check(padded, 5, m.length)).toBe(m[0])
    }
  })
  it("reports truncation, a bad checksum and an echo with a non-zero code", () => {
    const m = icmpOf(G.ICMP_ECHO_REQUEST)
    expect(Icmpv4.check(m, 0, 7)).toBe(-1)
    const bad = m.slice()
    bad[bad.length - 1]! ^= 1
    expect(Icmpv4.check(bad, 0, bad.length)).toBe(-2)
    const code = Icmpv4.emit({ _tag: "Other", type: 8, code: 1, rest: 0, data: new Uint8Array(4) })
    expect(Icmpv4.check(code, 0, code.length)).toBe(-3)
  })
  it.prop("never throws, and is non-negative exactly when parse succeeds", [Arb.anyBytes], ([b]) => {
    const r = Icmpv4.check(b, 0, b.length)
    expect(r >= 0).toBe(Either.isRight(Icmpv4.parse(b)))
  })
})
