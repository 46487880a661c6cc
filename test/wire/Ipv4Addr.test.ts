/**
 * IPv4 addresses as unsigned 32-bit numbers: dotted-quad text, CIDR text,
 * masks and subnets, and reading/writing them in network order. Examples use
 * the benchmarking block 198.18.0.0/15 (RFC 2544) that the goldens use.
 */
import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import * as Ipv4Addr from "../../src/wire/Ipv4Addr.js"
import * as Arb from "../support/Arbitraries.js"
import * as G from "../fixtures/goldens.js"

const popcount = (x: number): number => {
  let n = 0
  for (let v = x >>> 0; v !== 0; v >>>= 1) n += v & 1
  return n
}

describe("Ipv4Addr", () => {
  describe("parse / format", () => {
    it("parses dotted quads into unsigned 32-bit numbers", () => {
      expect(Ipv4Addr.parse("198.18.0.1")).toBe(0xc6120001)
      expect(Ipv4Addr.parse("0.0.0.0")).toBe(Ipv4Addr.ANY)
      expect(Ipv4Addr.parse("255.255.255.255")).toBe(Ipv4Addr.BROADCAST)
      expect(Ipv4Addr.parse("128.0.0.0")).toBe(0x80000000) // not negative
      expect(Ipv4Addr.parse("  198.19.255.254\n")).toBe(0xc613fffe) // surrounding whitespace is trimmed
    })

    it("hostProblem names why an address cannot be a host's, and accepts a /31 pair", () => {
      const p = (t: string, n: number) => Ipv4Addr.hostProblem(Ipv4Addr.parse(t)!, n)
      expect(p("198.18.0.2", 24)).toBeUndefined()
      expect(p("0.0.0.0", 24)).toBe("Unspecified")
      expect(p("224.0.0.1", 24)).toBe("Multicast")
      expect(p("255.255.255.255", 24)).toBe("LimitedBroadcast")
      expect(p("127.0.0.2", 8)).toBe("Loopback")
      expect(p("240.0.0.1", 24)).toBe("Reserved")
      expect(p("198.18.0.255", 24)).toBe("SubnetBroadcast")
      expect(p("198.18.0.0", 24)).toBe("NetworkAddress")
      expect(p("198.18.0.0", 31)).toBeUndefined()
    })

    it("rejects leading zeros, which inet_aton would read as octal", () => {
      expect(Ipv4Addr.parse("010.0.0.1")).toBeUndefined()
      expect(Ipv4Addr.parse("198.018.0.1")).toBeUndefined()
      expect(Ipv4Addr.parse("198.18.0.0")).toBe(0xc6120000)
      expect(Ipv4Addr.parseCidr("198.18.0.1/024")).toBeUndefined()
      expect(Ipv4Addr.parseCidr("198.18.0.1 /24")).toBeUndefined()
      expect(Ipv4Addr.parseCidr("198.18.0.1/ 24")).toBeUndefined()
      expect(Ipv4Addr.mask(33)).toBe(0xffffffff)
    })

    it("rejects anything that is not exactly four decimal octets 0..255", () => {
      for (const text of [
        "",
        "198.18.0",
        "198.18.0.1.2",
        "256.0.0.1",
        "198.18.0.256",
        "198.18.0.-1",
        "198.18.0.a",
        "198..18.0",
        "198.18.0.1/24",
        "1234.1.1.1",
        "+1.2.3.4",
        "0x1.2.3.4",
        "1e2.0.0.1",
        "1.2. 3.4",
        "\uff11.2.3.4" // FULLWIDTH DIGIT ONE: \d must mean ASCII digits only
      ]) {
        expect(Ipv4Addr.parse(text), JSON.stringify(text)).toBeUndefined()
      }
    })

    it.prop(
      "reads text of digits and dots as the rule written as a split and regular expressions does",
      [fc.array(fc.constantFrom("0", "1", "2", "5", "9", ".", " ", "a"), { maxLength: 20 })
        .chain((cs) => fc.constant(cs.join(""))), fc.tuple(fc.nat(300), fc.nat(300), fc.nat(300), fc.nat(300))],
      ([text, quad]) => {
        // the rule (Ipv4Addr.parse's doc), written plainly
        const byRule = (t: string): number | undefined => {
          const parts = t.trim().split(".")
          if (parts.length !== 4 || !parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255)) return undefined
          return parts.reduce((v, p) => v * 256 + Number(p), 0) >>> 0
        }
        for (const t of [text, quad.join("."), `0${quad.join(".")}`, ` ${quad.join(".")}`, `${quad.join(".")}\n`]) {
          expect([t, Ipv4Addr.parse(t)]).toEqual([t, byRule(t)])
        }
      }
    )

    it("formats without leading zeros", () => {
      expect(Ipv4Addr.format(0xc6120001)).toBe("198.18.0.1")
      expect(Ipv4Addr.format(0)).toBe("0.0.0.0")
      expect(Ipv4Addr.format(0xffffffff)).toBe("255.255.255.255")
      expect(Ipv4Addr.format(0x0a000001)).toBe("10.0.0.1")
    })
  })

  describe("parseCidr", () => {
    it("parses A.B.C.D/N", () => {
      expect(Ipv4Addr.parseCidr("198.18.0.1/24")).toEqual({ address: 0xc6120001, prefixLength: 24 })
      expect(Ipv4Addr.parseCidr("198.18.0.0/15")).toEqual({ address: 0xc6120000, prefixLength: 15 })
      expect(Ipv4Addr.parseCidr("0.0.0.0/0")).toEqual({ address: 0, prefixLength: 0 })
      expect(Ipv4Addr.parseCidr("198.18.0.2/32")).toEqual({ address: 0xc6120002, prefixLength: 32 })
    })

    it("rejects malformed CIDR text", () => {
      for (const text of [
        "198.18.0.1",
        "198.18.0.1/",
        "198.18.0.1/33",
        "198.18.0.1/100",
        "198.18.0.1/-1",
        "198.18.0.1/2.5",
        "198.18.0.1/24/1",
        "198.18.0/24",
        "/24",
        "x/24"
      ]) {
        expect(Ipv4Addr.parseCidr(text), JSON.stringify(text)).toBeUndefined()
      }
    })
  })

  describe("masks and subnets", () => {
    it("mask", () => {
      expect(Ipv4Addr.mask(0)).toBe(0)
      expect(Ipv4Addr.mask(1)).toBe(0x80000000)
      expect(Ipv4Addr.mask(8)).toBe(0xff000000)
      expect(Ipv4Addr.mask(15)).toBe(0xfffe0000)
      expect(Ipv4Addr.mask(24)).toBe(0xffffff00)
      expect(Ipv4Addr.mask(31)).toBe(0xfffffffe)
      expect(Ipv4Addr.mask(32)).toBe(0xffffffff)
    })

    it("sameSubnet", () => {
      const a = 0xc6120001 // 198.18.0.1
      const c = 0xc6120102 // 198.18.1.2
      expect(Ipv4Addr.sameSubnet(a, c, 15)).toBe(true)
      expect(Ipv4Addr.sameSubnet(a, c, 23)).toBe(true)
      expect(Ipv4Addr.sameSubnet(a, c, 24)).toBe(false)
      expect(Ipv4Addr.sameSubnet(a, 0xc6140001, 15)).toBe(false) // 198.20.0.1 is outside 198.18.0.0/15
      expect(Ipv4Addr.sameSubnet(0x80000000, 0xffffffff, 1)).toBe(true) // top bit set on both: no sign trouble
    })

    it("broadcastOf", () => {
      expect(Ipv4Addr.broadcastOf(0xc6120001, 24)).toBe(0xc61200ff)
      expect(Ipv4Addr.broadcastOf(0xc6120001, 15)).toBe(0xc613ffff)
      expect(Ipv4Addr.broadcastOf(0xc6120001, 32)).toBe(0xc6120001)
      expect(Ipv4Addr.broadcastOf(0xc6120001, 0)).toBe(Ipv4Addr.BROADCAST)
    })

    it("isMulticast is 224.0.0.0/4", () => {
      expect(Ipv4Addr.isMulticast(0xe0000001)).toBe(true) // 224.0.0.1
      expect(Ipv4Addr.isMulticast(0xefffffff)).toBe(true) // 239.255.255.255
      expect(Ipv4Addr.isMulticast(0xdfffffff)).toBe(false) // 223.255.255.255
      expect(Ipv4Addr.isMulticast(0xf0000000)).toBe(false) // 240.0.0.0
      expect(Ipv4Addr.isMulticast(Ipv4Addr.BROADCAST)).toBe(false)
    })
  })

  describe("read / write in network order", () => {
    it("reads the source and destination of a golden frame", () => {
      const frame = G.bytes(G.ICMP_ECHO_REQUEST) // 198.18.0.1 > 198.18.0.2
      expect(Ipv4Addr.read(frame, 14 + 12)).toBe(0xc6120001)
      expect(Ipv4Addr.read(frame, 14 + 16)).toBe(0xc6120002)
    })

    it("writes big-endian at an offset", () => {
      const b = new Uint8Array(6)
      Ipv4Addr.write(b, 1, 0xc6120102)
      expect([...b]).toEqual([0, 198, 18, 1, 2, 0])
    })
  })

  describe("properties", () => {
    it.prop(
      "parse(format(a)) == a, and format gives canonical dotted-quad text",
      [Arb.ipv4Addr],
      ([a]) => {
        const text = Ipv4Addr.format(a)
        expect(text).toMatch(/^(0|[1-9]\d{0,2})(\.(0|[1-9]\d{0,2})){3}$/)
        expect(Ipv4Addr.parse(text)).toBe(a)
      },
      { fastCheck: { numRuns: 1000 } }
    )

    it.prop(
      "format(parse(t)) == t for canonical text",
      [fc.tuple(Arb.u8, Arb.u8, Arb.u8, Arb.u8).map((o) => o.join("."))],
      ([text]) => {
        const a = Ipv4Addr.parse(text)
        expect(a).toBeDefined()
        expect(Ipv4Addr.format(a!)).toBe(text)
      },
      { fastCheck: { numRuns: 500 } }
    )

    it.prop(
      "parseCidr round trip",
      [Arb.ipv4Addr, Arb.prefixLength],
      ([address, prefixLength]) => {
        expect(Ipv4Addr.parseCidr(`${Ipv4Addr.format(address)}/${prefixLength}`)).toEqual({ address, prefixLength })
      },
      { fastCheck: { numRuns: 500 } }
    )

    it.prop(
      "parse and parseCidr never throw on arbitrary text",
      [fc.oneof(fc.string({ maxLength: 24 }), fc.string({ unit: fc.constantFrom(..."0123456789./ x-"), maxLength: 24 }))],
      ([text]) => {
        const a = Ipv4Addr.parse(text)
        if (a !== undefined) expect(a >= 0 && a <= 0xffffffff && Number.isInteger(a)).toBe(true)
        const c = Ipv4Addr.parseCidr(text)
        if (c !== undefined) expect(c.prefixLength >= 0 && c.prefixLength <= 32).toBe(true)
      },
      { fastCheck: { numRuns: 1000 } }
    )

    it.prop(
      "mask(n) is n leading ones: unsigned, popcount n, contiguous, and nested in mask(n + 1)",
      [Arb.prefixLength],
      ([n]) => {
        const m = Ipv4Addr.mask(n)
        expect(m).toBeGreaterThanOrEqual(0)
        expect(popcount(m)).toBe(n)
        const host = ~m >>> 0
        expect((host & (host + 1)) >>> 0).toBe(0) // host part is 2^k - 1
        if (n < 32) expect((m & Ipv4Addr.mask(n + 1)) >>> 0).toBe(m)
      },
      { fastCheck: { numRuns: 200 } }
    )

    it.prop(
      "sameSubnet is reflexive and symmetric, always true at /0, equality at /32",
      [Arb.ipv4Addr, Arb.ipv4Addr, Arb.prefixLength],
      ([a, b, n]) => {
        expect(Ipv4Addr.sameSubnet(a, a, n)).toBe(true)
        expect(Ipv4Addr.sameSubnet(a, b, n)).toBe(Ipv4Addr.sameSubnet(b, a, n))
        expect(Ipv4Addr.sameSubnet(a, b, 0)).toBe(true)
        expect(Ipv4Addr.sameSubnet(a, b, 32)).toBe(a === b)
      },
      { fastCheck: { numRuns: 500 } }
    )

    it.prop(
      "sameSubnet holds exactly when the network parts agree, and is transitive",
      [Arb.ipv4Addr, Arb.u32, Arb.u32, Arb.prefixLength],
      ([a, hostB, hostC, n]) => {
        const m = Ipv4Addr.mask(n)
        const b = ((a & m) | (hostB & ~m)) >>> 0 // same network as a, any host part
        const c = ((b & m) | (hostC & ~m)) >>> 0
        expect(Ipv4Addr.sameSubnet(a, b, n)).toBe(true)
        expect(Ipv4Addr.sameSubnet(b, c, n)).toBe(true)
        expect(Ipv4Addr.sameSubnet(a, c, n)).toBe(true)
        if (n > 0) {
          const outside = (a ^ (1 << (32 - n))) >>> 0 // flip the last network bit
          expect(Ipv4Addr.sameSubnet(a, outside, n)).toBe(false)
        }
      },
      { fastCheck: { numRuns: 500 } }
    )

    it.prop(
      "broadcastOf(a, n) is in a's subnet with every host bit set",
      [Arb.ipv4Addr, Arb.prefixLength],
      ([a, n]) => {
        const bc = Ipv4Addr.broadcastOf(a, n)
        expect(bc).toBeGreaterThanOrEqual(0)
        expect(Ipv4Addr.sameSubnet(a, bc, n)).toBe(true)
        expect((bc & ~Ipv4Addr.mask(n)) >>> 0).toBe(~Ipv4Addr.mask(n) >>> 0)
      },
      { fastCheck: { numRuns: 500 } }
    )

    it.prop(
      "read(write(a)) == a at any offset",
      [Arb.ipv4Addr, fc.integer({ min: 0, max: 8 })],
      ([a, o]) => {
        const b = new Uint8Array(12)
        Ipv4Addr.write(b, o, a)
        expect(Ipv4Addr.read(b, o)).toBe(a)
        expect(Ipv4Addr.format(a)).toBe([...b.subarray(o, o + 4)].join("."))
      },
      { fastCheck: { numRuns: 500 } }
    )

    it.prop(
      "isMulticast agrees with the first octet 224..239",
      [Arb.ipv4Addr],
      ([a]) => {
        const first = a >>> 24
        expect(Ipv4Addr.isMulticast(a)).toBe(first >= 224 && first <= 239)
      },
      { fastCheck: { numRuns: 500 } }
    )
  })
})
