/**
 * The DNS message codec (RFC 1035 §4.1) against answers dnsmasq sent
 * (goldens.ts), hand-built hostile messages (compression pointers that loop,
 * point forwards or into the header, chains of pointers, names over 255
 * octets, bad label types, RDATA of the wrong length, truncation at every
 * length), name text with escapes (§5.1), and properties: encode/decode
 * round trip, and decode never throws on arbitrary or mutated octets.
 */
import { describe, expect, it } from "@effect/vitest"
import { Either, FastCheck as fc } from "effect"
import * as Msg from "../../src/dns/DnsMessage.js"
import * as Arb from "../support/Arbitraries.js"
import * as G from "./goldens.js"

const reasonOf = <A>(r: Either.Either<A, Msg.DnsMessageError>): string =>
  Either.isLeft(r) ? r.left.reason : "ok"

const decoded = (hex: string): Msg.Message => {
  const r = Msg.decode(G.bytesOf(hex))
  if (Either.isLeft(r)) throw new Error(`golden does not decode: ${r.left.message}`)
  return r.right
}

/** Octets from a mix of numbers and ASCII strings. */
const octets = (...parts: ReadonlyArray<number | string>): Uint8Array =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === "string" ? [...p].map((c) => c.charCodeAt(0)) : [p])))

/** A response header with the given counts. */
const header = (qd: number, an: number) => [0x12, 0x34, 0x81, 0x80, 0, qd, 0, an, 0, 0, 0, 0]

describe("DNS messages: dnsmasq's answers", () => {
  it("deconstruct: a.test A, the owner name a pointer to the question", () => {
    const m = decoded(G.A_RECORD)
    expect(m.header).toEqual({
      id: 0xe680,
      qr: true,
      opcode: 0,
      aa: true,
      tc: false,
      rd: true,
      ra: true,
      z: 0,
      rcode: Msg.Rcode.NoError
    })
    expect(m.questions).toEqual([{ name: "a.test", type: Msg.Type.A, class: Msg.Class.IN }])
    expect(m.answers).toEqual([
      { name: "a.test", type: Msg.Type.A, class: Msg.Class.IN, ttl: 0, data: { _tag: "A", address: 0xc612000a } }
    ])
    expect(Msg.formatA(0xc612000a)).toBe("198.18.0.10")
  })

  it("a CNAME chain whose owner names point into earlier RDATA", () => {
    const m = decoded(G.CNAME_CHAIN)
    expect(m.answers.map((r) => [r.name, r.data])).toEqual([
      ["alias2.test", { _tag: "CNAME", target: "alias.test" }],
      ["alias.test", { _tag: "CNAME", target: "a.test" }],
      ["a.test", { _tag: "A", address: 0xc612000a }]
    ])
  })

  it("NXDOMAIN and NODATA", () => {
    expect(decoded(G.NXDOMAIN).header.rcode).toBe(Msg.Rcode.NXDomain)
    const nodata = decoded(G.NODATA)
    expect(nodata.header.rcode).toBe(Msg.Rcode.NoError)
    expect(nodata.answers).toEqual([])
    expect(nodata.questions[0]!.type).toBe(Msg.Type.AAAA)
  })

  it("construct: the query dnsmasq answered in A_RECORD, octet for octet", () => {
    const q = Msg.encodeQuery(0xe680, "a.test", Msg.Type.A)
    // the answer's first 24 octets with QR/AA/RA and the answer count cleared
    expect(Either.getOrThrow(q)).toEqual(G.bytesOf("e68001000001000000000000016104746573740000010001"))
    expect(Either.getOrThrow(Msg.encodeQuery(0xe680, "a.test.", Msg.Type.A))).toEqual(Either.getOrThrow(q))
  })

  it("truncated at every length: Truncated, never a throw; decodeHead needs only header and question", () => {
    const full = G.bytesOf(G.CNAME_CHAIN)
    for (let n = 0; n < full.length; n++) {
      expect(reasonOf(Msg.decode(full.subarray(0, n))), `length ${n}`).toBe("Truncated")
    }
    // header (12) + question "alias2.test" (13) + type/class (4)
    expect(Either.isRight(Msg.decodeHead(full.subarray(0, 29)))).toBe(true)
    expect(reasonOf(Msg.decodeHead(full.subarray(0, 28)))).toBe("Truncated")
  })
})

describe("DNS messages: the record types of node:dns's resolveMx, resolveTxt… (dnsmasq's answers)", () => {
  const ascii = (t: string) => Uint8Array.from([...t].map((c) => c.charCodeAt(0)))
  const data = (hex: string) => decoded(hex).answers.map((r) => r.data)

  it("MX (RFC 1035 §3.3.9): preference and exchange, in the order sent", () => {
    expect(data(G.MX)).toEqual([
      { _tag: "MX", preference: 5, exchange: "mail2.test" },
      { _tag: "MX", preference: 10, exchange: "mail1.test" }
    ])
  })

  it("TXT (§3.3.14): each record its character-strings, as octets", () => {
    expect(data(G.TXT)).toEqual([
      { _tag: "TXT", strings: [ascii("other")] },
      { _tag: "TXT", strings: [ascii("v=spf1 -all"), ascii("second part")] }
    ])
  })

  it("SRV (RFC 2782): priority, weight, port, target; the additional A record decoded too", () => {
    const m = decoded(G.SRV)
    expect(m.answers.map((r) => r.data)).toEqual([
      { _tag: "SRV", priority: 0, weight: 5, port: 8080, target: "b.test" },
      { _tag: "SRV", priority: 1, weight: 2, port: 80, target: "a.test" }
    ])
    expect(m.additionals.map((r) => [r.name, r.data])).toEqual([["a.test", { _tag: "A", address: 0xc612000a }]])
  })

  it("PTR (§3.3.12) under in-addr.arpa", () => {
    const m = decoded(G.PTR)
    expect(m.questions[0]!.name).toBe("12.0.18.198.in-addr.arpa")
    expect(m.answers.map((r) => r.data)).toEqual([{ _tag: "PTR", target: "two.test" }, { _tag: "PTR", target: "one.test" }])
  })

  it("NAPTR (RFC 3403 §4.1): its three character-strings and a root replacement", () => {
    expect(data(G.NAPTR)).toEqual([{
      _tag: "NAPTR",
      order: 100,
      preference: 10,
      flags: ascii("U"),
      services: ascii("E2U+sip"),
      regexp: ascii("!^.*$!sip:info@example.test!"),
      replacement: ""
    }])
  })

  it("CAA (RFC 8659 §4.1): flags, tag and value", () => {
    expect(data(G.CAA)).toEqual([{ _tag: "CAA", flags: 0, tag: ascii("issue"), value: ascii("ca.test") }])
  })

  it("NS (§3.3.11) and SOA (§3.3.13) from dnsmasq's authoritative mode; the SOA answer's NS record has a pointer for its owner", () => {
    expect(data(G.NS)).toEqual([{ _tag: "NS", target: "ns.test" }])
    const soa = decoded(G.SOA)
    expect(soa.answers.map((r) => r.data)).toEqual([{
      _tag: "SOA",
      mname: "ns.test",
      rname: "hostmaster.zone.test",
      serial: 2024010101,
      refresh: 1200,
      retry: 180,
      expire: 1209600,
      minimum: 600
    }])
    expect(soa.authorities.map((r) => [r.name, r.data])).toEqual([["zone.test", { _tag: "NS", target: "ns.test" }]])
  })

  it("each, truncated at every length, is Truncated, never a throw", () => {
    for (const hex of [G.MX, G.TXT, G.SRV, G.PTR, G.NAPTR, G.CAA, G.NS, G.SOA]) {
      const full = G.bytesOf(hex)
      for (let n = 0; n < full.length; n++) expect(reasonOf(Msg.decode(full.subarray(0, n))), `${hex} at ${n}`).toBe("Truncated")
    }
  })
})

describe("DNS messages: hostile RDATA of MX, TXT, SRV, PTR, NS, NAPTR and CAA", () => {
  /** A message with one answer of `type` whose RDATA is `rdata`, after a question for "a" at octet 12. */
  const rr = (type: number, rdata: ReadonlyArray<number | string>, rdLength?: number) => {
    const body = octets(...rdata)
    return octets(...header(1, 1), 1, "a", 0, 0, 1, 0, 1, 0xc0, 12, type >> 8, type & 0xff, 0, 1, 0, 0, 0, 0, 0, rdLength ?? body.length, ...body)
  }
  const one = (b: Uint8Array) => {
    const m = Msg.decode(b)
    return Either.isLeft(m) ? m.left.reason : m.right.answers[0]!.data
  }

  it("names inside RDATA may be compressed (pointers back into the message)", () => {
    expect(one(rr(Msg.Type.MX, [0, 7, 4, "mail", 0xc0, 12]))).toEqual({ _tag: "MX", preference: 7, exchange: "mail.a" })
    expect(one(rr(Msg.Type.PTR, [0xc0, 12]))).toEqual({ _tag: "PTR", target: "a" })
    expect(one(rr(Msg.Type.NS, [2, "ns", 0xc0, 12]))).toEqual({ _tag: "NS", target: "ns.a" })
    expect(one(rr(Msg.Type.SRV, [0, 1, 0, 2, 0, 3, 0xc0, 12]))).toEqual({ _tag: "SRV", priority: 1, weight: 2, port: 3, target: "a" })
  })

  it("a pointer in RDATA that loops or points forwards is BadPointer", () => {
    // the PTR's RDATA starts at octet 31: a pointer to itself, and one past it
    expect(one(rr(Msg.Type.PTR, [0xc0, 31]))).toBe("BadPointer")
    expect(one(rr(Msg.Type.MX, [0, 1, 0xc0, 40]))).toBe("BadPointer")
  })

  it("RDATA too short for its fixed fields, or a name running past it, is BadRData", () => {
    expect(one(rr(Msg.Type.MX, [0]))).toBe("BadRData")
    expect(one(rr(Msg.Type.MX, [0, 1]))).toBe("BadRData")
    expect(one(rr(Msg.Type.SRV, [0, 1, 0, 2, 0]))).toBe("BadRData")
    expect(one(rr(Msg.Type.CAA, []))).toBe("BadRData")
    expect(one(rr(Msg.Type.NAPTR, [0, 1, 0, 2]))).toBe("BadRData")
    // the name "mail" is not ended within RDLENGTH (the zero after it lies outside)
    expect(one(rr(Msg.Type.MX, [0, 1, 4, "mail", 0], 7))).toBe("BadRData")
    // a name that ends before the RDATA does
    expect(one(rr(Msg.Type.PTR, [1, "b", 0, 9]))).toBe("BadRData")
    expect(one(rr(Msg.Type.SRV, [0, 1, 0, 2, 0, 3, 0, 9]))).toBe("BadRData")
  })

  it("a character-string whose length runs past the RDATA is BadRData (TXT, NAPTR, CAA's tag)", () => {
    expect(one(rr(Msg.Type.TXT, [5, "abc"]))).toBe("BadRData")
    expect(one(rr(Msg.Type.TXT, [3, "abc", 2, "x"]))).toBe("BadRData")
    expect(one(rr(Msg.Type.NAPTR, [0, 1, 0, 2, 1, "U", 9, "E2U", 0, 0]))).toBe("BadRData")
    expect(one(rr(Msg.Type.CAA, [0, 9, "issue"]))).toBe("BadRData")
    // RFC 8659 §4.1: the tag is at least one octet
    expect(one(rr(Msg.Type.CAA, [0, 0, "x"]))).toBe("BadRData")
    // TXT is one or more character-strings (RFC 1035 §3.3.14); an empty one is fine, none is not
    expect(one(rr(Msg.Type.TXT, [0]))).toEqual({ _tag: "TXT", strings: [new Uint8Array(0)] })
    expect(one(rr(Msg.Type.TXT, []))).toBe("BadRData")
  })
})

describe("DNS messages: hostile compression (RFC 1035 §4.1.4)", () => {
  it("a pointer to itself is BadPointer", () => {
    expect(reasonOf(Msg.decode(octets(...header(1, 0), 0xc0, 12, 0, 1, 0, 1)))).toBe("BadPointer")
  })

  it("a label followed by a pointer back to that label (a loop through labels) is BadPointer", () => {
    // 12: 3 "abc", 16: pointer to 12 — backwards, yet it would come round for ever
    expect(reasonOf(Msg.decode(octets(...header(1, 0), 3, "abc", 0xc0, 12, 0, 1, 0, 1)))).toBe("BadPointer")
  })

  it("a forward pointer, a pointer past the end and a pointer into the header are BadPointer", () => {
    expect(reasonOf(Msg.decode(octets(...header(1, 0), 0xc0, 14, 1, "a", 0, 0, 1, 0, 1)))).toBe("BadPointer")
    expect(reasonOf(Msg.decode(octets(...header(1, 0), 0xc0, 0xff, 0, 1, 0, 1)))).toBe("BadPointer")
    expect(reasonOf(Msg.decode(octets(...header(1, 0), 0xc0, 2, 0, 1, 0, 1)))).toBe("BadPointer")
  })

  it("a two-pointer cycle is BadPointer", () => {
    // question name at 12 is fine ("a"); the answer's owner at 19 jumps to 21 (forward)
    const m = octets(...header(1, 1), 1, "a", 0, 0, 1, 0, 1, 0xc0, 21, 0xc0, 19)
    expect(reasonOf(Msg.decode(m))).toBe("BadPointer")
  })

  it("a chain of more than 127 pointers is TooManyPointers; 127 is fine", () => {
    // 12: "a", then pointers each to the one before
    const parts: Array<number | string> = [...header(0, 0), 1, "a", 0]
    const at: Array<number> = [12]
    for (let i = 0; i < 200; i++) {
      const prev = at[at.length - 1]!
      at.push(parts.length) // one part per octet here
      parts.push(0xc0 | (prev >> 8), prev & 0xff)
    }
    const b = octets(...parts)
    expect(Msg.decodeName(b, at[127]!)).toEqual(Either.right({ value: "a", next: at[127]! + 2 }))
    expect(reasonOf(Msg.decodeName(b, at[128]!))).toBe("TooManyPointers")
    expect(reasonOf(Msg.decodeName(b, at[200]!))).toBe("TooManyPointers")
  })

  it("a name over 255 octets built from pointers is NameTooLong", () => {
    // four labels of 63 chained with pointers: 4·64 + 1 = 257 octets on the wire
    const l63 = "x".repeat(63)
    const b = octets(...header(0, 0), 63, l63, 0, 63, l63, 0xc0, 12, 63, l63, 0xc0, 77, 63, l63, 0xc0, 143)
    expect(Either.getOrThrow(Msg.decodeName(b, 143)).value).toBe([l63, l63, l63].join("."))
    expect(reasonOf(Msg.decodeName(b, 209))).toBe("NameTooLong")
  })

  it("label types 01 and 10 are BadLabelType", () => {
    expect(reasonOf(Msg.decode(octets(...header(1, 0), 0x41, 0, 0, 1, 0, 1)))).toBe("BadLabelType")
    expect(reasonOf(Msg.decode(octets(...header(1, 0), 0x80, 0, 0, 1, 0, 1)))).toBe("BadLabelType")
  })

  it("RDATA of the wrong length, and a CNAME running past its RDATA, are BadRData", () => {
    const rr = (type: number, rdata: ReadonlyArray<number | string>) =>
      octets(...header(0, 1), 0, 0, type, 0, 1, 0, 0, 0, 0, 0, rdata.length, ...rdata, 0)
    expect(reasonOf(Msg.decode(rr(Msg.Type.A, [1, 2, 3])))).toBe("BadRData")
    expect(reasonOf(Msg.decode(rr(Msg.Type.AAAA, [1, 2, 3, 4])))).toBe("BadRData")
    // RDLENGTH 2 but the name "a" needs 3 (the octet after it is a 0 that would end it)
    expect(reasonOf(Msg.decode(rr(Msg.Type.CNAME, [1, "a"])))).toBe("BadRData")
    // a name ending before its RDATA does
    expect(reasonOf(Msg.decode(rr(Msg.Type.CNAME, [1, "a", 0, 7])))).toBe("BadRData")
    // an unknown type is kept raw
    expect(Either.getOrThrow(Msg.decode(rr(99, [1, 2, 3]))).answers[0]!.data).toEqual({
      _tag: "Raw",
      bytes: Uint8Array.of(1, 2, 3)
    })
  })
})

describe("DNS names (RFC 1035 §2.3.4, §5.1)", () => {
  const labelsOf = (n: string) => Either.map(Msg.parseName(n), (ls) => ls.map((l) => String.fromCharCode(...l)))

  it("labels of 1..63 octets, 255 octets on the wire", () => {
    expect(labelsOf("www.example.test.")).toEqual(Either.right(["www", "example", "test"]))
    expect(labelsOf("")).toEqual(Either.right([]))
    expect(labelsOf(".")).toEqual(Either.right([]))
    expect(reasonOf(Msg.parseName("x".repeat(64)))).toBe("BadLabel")
    expect(reasonOf(Msg.parseName("a..b"))).toBe("BadLabel")
    expect(reasonOf(Msg.parseName(".a"))).toBe("BadLabel")
    // 3·(1+63) + (1+61) + 1 = 255: the longest name; one more octet is too long
    const longest = ["x".repeat(63), "x".repeat(63), "x".repeat(63), "x".repeat(61)].join(".")
    expect(Either.isRight(Msg.parseName(longest))).toBe(true)
    expect(reasonOf(Msg.parseName(longest + "x"))).toBe("NameTooLong")
  })

  it("escapes: \\. and \\\\ inside labels, \\DDD for any octet", () => {
    expect(labelsOf("a\\.b.c")).toEqual(Either.right(["a.b", "c"]))
    expect(labelsOf("\\065\\\\")).toEqual(Either.right(["A\\"]))
    expect(reasonOf(Msg.parseName("a\\25"))).toBe("BadEscape")
    expect(reasonOf(Msg.parseName("a\\256"))).toBe("BadEscape")
    expect(reasonOf(Msg.parseName("a\\"))).toBe("BadEscape")
    expect(Msg.formatName([Uint8Array.of(0x61, 0x2e, 0x00, 0x5c, 0xff)])).toBe("a\\.\\000\\\\\\255")
    expect(Either.getOrThrow(Msg.normalizeName("A\\066c.test."))).toBe("ABc.test")
  })

  it("names compare case-insensitively in ASCII only (RFC 4343)", () => {
    expect(Msg.equalNames("WWW.Example.TEST", "www.example.test")).toBe(true)
    expect(Msg.equalNames("a.test", "b.test")).toBe(false)
  })

  it("AAAA text is RFC 5952's", () => {
    const v6 = (...groups: Array<number>) => Uint8Array.from(groups.flatMap((g) => [g >> 8, g & 0xff]))
    expect(Msg.formatAaaa(v6(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0x10))).toBe("2001:db8::10")
    expect(Msg.formatAaaa(v6(0, 0, 0, 0, 0, 0, 0, 0))).toBe("::")
    expect(Msg.formatAaaa(v6(0, 0, 0, 0, 0, 0, 0, 1))).toBe("::1")
    expect(Msg.formatAaaa(v6(0x2001, 0xdb8, 0, 1, 1, 1, 1, 1))).toBe("2001:db8:0:1:1:1:1:1")
    expect(Msg.formatAaaa(v6(0x2001, 0xdb8, 0, 0, 1, 0, 0, 1))).toBe("2001:db8::1:0:0:1")
    // IPv4-mapped and -compatible: the last 32 bits in dotted decimal (RFC 5952 §5, as Node writes them)
    expect(Msg.formatAaaa(v6(0, 0, 0, 0, 0, 0xffff, 0xc000, 0x0201))).toBe("::ffff:192.0.2.1")
    expect(Msg.formatAaaa(v6(0, 0, 0, 0, 0, 0, 0xc000, 0x0201))).toBe("::192.0.2.1")
    expect(Msg.formatAaaa(v6(0, 0, 0, 0, 0, 0xfffe, 0xc000, 0x0201))).toBe("::fffe:c000:201")
    expect(Msg.formatAaaa(v6(0x2001, 0, 0, 1, 0, 0, 0, 1))).toBe("2001:0:0:1::1")
  })
})

// ---------------------------------------------------------------------------
// properties

const label = fc.uint8Array({ minLength: 1, maxLength: 63 })
/** names as canonical text: up to 4 labels, so within 255 octets */
const name = fc.array(label, { maxLength: 4 }).map(Msg.formatName)
const ttl = fc.integer({ min: 0, max: 0x7fffffff })
const rdata: fc.Arbitrary<{ type: number; data: Msg.RData }> = fc.oneof(
  Arb.u32.map((address) => ({ type: Msg.Type.A, data: { _tag: "A" as const, address } })),
  fc.uint8Array({ minLength: 16, maxLength: 16 }).map((address) => ({
    type: Msg.Type.AAAA,
    data: { _tag: "AAAA" as const, address }
  })),
  name.map((target) => ({ type: Msg.Type.CNAME, data: { _tag: "CNAME" as const, target } })),
  fc.record({ mname: name, rname: name, serial: Arb.u32, refresh: Arb.u32, retry: Arb.u32, expire: Arb.u32, minimum: Arb.u32 })
    .map((soa) => ({ type: Msg.Type.SOA, data: { _tag: "SOA" as const, ...soa } })),
  fc.tuple(fc.constantFrom(Msg.Type.NS, Msg.Type.PTR), name).map(([type, target]) => ({
    type,
    data: type === Msg.Type.NS ? { _tag: "NS" as const, target } : { _tag: "PTR" as const, target }
  })),
  fc.record({ preference: Arb.u16, exchange: name }).map((mx) => ({ type: Msg.Type.MX, data: { _tag: "MX" as const, ...mx } })),
  fc.array(fc.uint8Array({ maxLength: 255 }), { minLength: 1, maxLength: 4 })
    .map((strings) => ({ type: Msg.Type.TXT, data: { _tag: "TXT" as const, strings } })),
  fc.record({ priority: Arb.u16, weight: Arb.u16, port: Arb.u16, target: name })
    .map((srv) => ({ type: Msg.Type.SRV, data: { _tag: "SRV" as const, ...srv } })),
  fc.record({
    order: Arb.u16,
    preference: Arb.u16,
    flags: fc.uint8Array({ maxLength: 5 }),
    services: fc.uint8Array({ maxLength: 40 }),
    regexp: fc.uint8Array({ maxLength: 60 }),
    replacement: name
  }).map((naptr) => ({ type: Msg.Type.NAPTR, data: { _tag: "NAPTR" as const, ...naptr } })),
  fc.record({ flags: Arb.u8, tag: fc.uint8Array({ minLength: 1, maxLength: 15 }), value: fc.uint8Array({ maxLength: 40 }) })
    .map((caa) => ({ type: Msg.Type.CAA, data: { _tag: "CAA" as const, ...caa } })),
  fc.tuple(Arb.u16.filter((t) => ![1, 2, 5, 6, 12, 15, 16, 28, 33, 35, 257].includes(t)), fc.uint8Array({ maxLength: 40 })).map(([type, bytes]) => ({
    type,
    data: { _tag: "Raw" as const, bytes }
  }))
)
const record: fc.Arbitrary<Msg.ResourceRecord> = fc.tuple(name, rdata, Arb.u16, ttl).map(([n, rd, klass, t]) => ({
  name: n,
  type: rd.type,
  class: klass,
  ttl: t,
  data: rd.data
}))
const message: fc.Arbitrary<Msg.Message> = fc.record({
  header: fc.record({
    id: Arb.u16,
    qr: fc.boolean(),
    opcode: fc.integer({ min: 0, max: 15 }),
    aa: fc.boolean(),
    tc: fc.boolean(),
    rd: fc.boolean(),
    ra: fc.boolean(),
    z: fc.integer({ min: 0, max: 7 }),
    rcode: fc.integer({ min: 0, max: 15 })
  }),
  questions: fc.array(fc.record({ name, type: Arb.u16, class: Arb.u16 }), { maxLength: 3 }),
  answers: fc.array(record, { maxLength: 5 }),
  authorities: fc.array(record, { maxLength: 3 }),
  additionals: fc.array(record, { maxLength: 3 })
})

/** octets biased towards what names are made of: pointers, short lengths, zeros */
const nameish = fc.uint8Array({ maxLength: 300, size: "max" }).chain((b) =>
  fc.array(fc.constantFrom(0xc0, 0xc0, 0x0c, 0x00, 0x01, 0x3f, 0x40, 0x61), { minLength: b.length, maxLength: b.length })
    .map((xs) => Uint8Array.from(xs.map((x, i) => (i % 3 === 0 ? b[i]! : x))))
)

describe("DNS messages: properties", () => {
  it.prop("decode(encode(m)) == m", [message], ([m]) => {
    const bytes = Msg.encode(m)
    expect(Either.isRight(bytes)).toBe(true)
    expect(Msg.decode(Either.getOrThrow(bytes))).toEqual(Either.right(m))
  }, { fastCheck: { numRuns: 300 } })

  it.prop("formatName/parseName round trip for any labels", [fc.array(label, { maxLength: 4 })], ([labels]) => {
    expect(Msg.parseName(Msg.formatName(labels))).toEqual(Either.right(labels))
  }, { fastCheck: { numRuns: 500 } })

  it.prop("decode and decodeHead never throw on arbitrary octets", [fc.uint8Array({ maxLength: 600 })], ([b]) => {
    Msg.decode(b)
    Msg.decodeHead(b)
  }, { fastCheck: { numRuns: 2000 } })

  it.prop("decodeName never throws or hangs on pointer-heavy octets", [nameish, fc.nat(300)], ([b, at]) => {
    const r = Msg.decodeName(b, at)
    if (Either.isRight(r)) expect(r.right.next).toBeGreaterThan(at)
  }, { fastCheck: { numRuns: 2000 } })

  it.prop(
    "decode never throws on mutated dnsmasq answers",
    [Arb.mutationOf([G.CNAME_CHAIN, G.A_RECORD, G.NXDOMAIN, G.NODATA, G.MX, G.TXT, G.SRV, G.PTR, G.NAPTR, G.CAA, G.SOA].map(G.bytesOf))],
    ([b]) => {
      expect(() => Msg.decode(b)).not.toThrow()
    },
    { fastCheck: { numRuns: 1000 } }
  )
})
