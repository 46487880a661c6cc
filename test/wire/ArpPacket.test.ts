/**
 * ARP (RFC 826) against the request and reply the Linux kernel exchanged
 * over a veth pair (test/fixtures/goldens.ts). Field values come from:
 *
 *   ARP_REQUEST: Ethernet (len 6), IPv4 (len 4), Request who-has 198.18.0.2 tell 198.18.0.1, length 28
 *   ARP_REPLY:   Ethernet (len 6), IPv4 (len 4), Reply 198.18.0.2 is-at 02:67:77:00:00:02, length 28
 */
import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import * as Arp from "../../src/wire/ArpPacket.js"
import type { ArpRepr } from "../../src/wire/ArpPacket.js"
import * as Arb from "../support/Arbitraries.js"
import * as G from "../fixtures/goldens.js"

const MAC_A = new Uint8Array([0x02, 0x67, 0x77, 0x00, 0x00, 0x01])
const MAC_B = new Uint8Array([0x02, 0x67, 0x77, 0x00, 0x00, 0x02])
const ADDR_A = 0xc6120001 // 198.18.0.1
const ADDR_B = 0xc6120002 // 198.18.0.2

/** The 28-octet ARP packet inside a golden frame. */
const arpOf = (hex: string): Uint8Array => G.bytes(hex).subarray(14)
const arpHex = (hex: string): string => hex.slice(28)

const REQUEST_REPR: ArpRepr = {
  op: Arp.Op.Request,
  senderMac: MAC_A,
  senderIp: ADDR_A,
  targetMac: new Uint8Array(6), // Linux leaves the unknown target hardware address zero
  targetIp: ADDR_B
}

const REPLY_REPR: ArpRepr = {
  op: Arp.Op.Reply,
  senderMac: MAC_B,
  senderIp: ADDR_B,
  targetMac: MAC_A,
  targetIp: ADDR_A
}

const expectReason = (r: Either.Either<ArpRepr, { layer: string; reason: string }>, reason: string): void => {
  expect(Either.isLeft(r)).toBe(true)
  if (Either.isLeft(r)) expect({ layer: r.left.layer, reason: r.left.reason }).toEqual({ layer: "arp", reason })
}

describe("Arp", () => {
  describe("deconstruct", () => {
    it("ARP_REQUEST: the fixed header says Ethernet/IPv4 (htype 1, ptype 0x0800, hlen 6, plen 4)", () => {
      const b = arpOf(G.ARP_REQUEST)
      expect(b.length).toBe(Arp.PACKET_LEN)
      expect((b[Arp.Field.htype]! << 8) | b[Arp.Field.htype + 1]!).toBe(1)
      expect((b[Arp.Field.ptype]! << 8) | b[Arp.Field.ptype + 1]!).toBe(0x0800)
      expect(b[Arp.Field.hlen]).toBe(6)
      expect(b[Arp.Field.plen]).toBe(4)
    })

    it("ARP_REQUEST: Request who-has 198.18.0.2 tell 198.18.0.1", () => {
      const r = Either.getOrThrow(Arp.parse(arpOf(G.ARP_REQUEST)))
      expect(r.op).toBe(1)
      expect(r.senderMac).toEqual(MAC_A)
      expect(r.senderIp).toBe(ADDR_A)
      expect(r.targetMac).toEqual(new Uint8Array(6))
      expect(r.targetIp).toBe(ADDR_B)
    })

    it("ARP_REPLY: Reply 198.18.0.2 is-at 02:67:77:00:00:02", () => {
      const r = Either.getOrThrow(Arp.parse(arpOf(G.ARP_REPLY)))
      expect(r.op).toBe(2)
      expect(r.senderMac).toEqual(MAC_B)
      expect(r.senderIp).toBe(ADDR_B)
      expect(r.targetMac).toEqual(MAC_A)
      expect(r.targetIp).toBe(ADDR_A)
    })

    it("the MACs of a parsed packet are copies, not views (a cache may keep them)", () => {
      const b = arpOf(G.ARP_REPLY)
      const r = Either.getOrThrow(Arp.parse(b))
      b.fill(0)
      expect(r.senderMac).toEqual(MAC_B)
    })
  })

  describe("construct / emit", () => {
    it("ARP_REQUEST", () => {
      expect(G.toHex(Arp.emit(REQUEST_REPR))).toBe(arpHex(G.ARP_REQUEST))
    })

    it("ARP_REPLY", () => {
      expect(G.toHex(Arp.emit(REPLY_REPR))).toBe(arpHex(G.ARP_REPLY))
    })

    it("encode writes at an offset and returns the end offset", () => {
      const out = new Uint8Array(14 + 28)
      out.set(G.bytes(G.ARP_REPLY).subarray(0, 14))
      expect(Arp.encode(REPLY_REPR, out, 14)).toBe(42)
      expect(G.toHex(out)).toBe(G.ARP_REPLY)
    })
  })

  describe("parse -> repr", () => {
    it("ARP_REQUEST", () => {
      expect(Arp.parse(arpOf(G.ARP_REQUEST))).toEqual(Either.right(REQUEST_REPR))
    })

    it("ARP_REPLY", () => {
      expect(Arp.parse(arpOf(G.ARP_REPLY))).toEqual(Either.right(REPLY_REPR))
    })
  })

  describe("emit(parse(x)) == x", () => {
    for (const [name, hex] of [["ARP_REQUEST", G.ARP_REQUEST], ["ARP_REPLY", G.ARP_REPLY]] as const) {
      it(name, () => {
        expect(G.toHex(Arp.emit(Either.getOrThrow(Arp.parse(arpOf(hex)))))).toBe(arpHex(hex))
      })
    }
  })

  describe("negative cases", () => {
    it("is Truncated at every length below 28", () => {
      const b = arpOf(G.ARP_REQUEST)
      for (let n = 0; n < Arp.PACKET_LEN; n++) expectReason(Arp.parse(b.subarray(0, n)), "Truncated")
    })

    it("ignores trailing octets (Ethernet padding)", () => {
      const b = new Uint8Array(46).fill(0x5a)
      b.set(arpOf(G.ARP_REPLY))
      expect(Arp.parse(b)).toEqual(Either.right(REPLY_REPR))
    })

    const withOctet = (at: number, value: number): Uint8Array => {
      const b = Uint8Array.from(arpOf(G.ARP_REQUEST))
      b[at] = value
      return b
    }

    it("a non-Ethernet hardware type is Unsupported (RFC 826: ?Do I have the hardware type in ar$hrd?)", () => {
      expectReason(Arp.parse(withOctet(Arp.Field.htype + 1, 6)), "Unsupported") // IEEE 802 networks
      expectReason(Arp.parse(withOctet(Arp.Field.htype + 1, 32)), "Unsupported") // InfiniBand
      expectReason(Arp.parse(withOctet(Arp.Field.htype, 1)), "Unsupported") // 0x0101
    })

    it("a protocol type other than IPv4 is Unsupported", () => {
      expectReason(Arp.parse(withOctet(Arp.Field.ptype, 0x86)), "Unsupported")
      expectReason(Arp.parse(withOctet(Arp.Field.ptype + 1, 0x06)), "Unsupported")
    })

    it("address lengths other than 6 and 4 are Unsupported", () => {
      expectReason(Arp.parse(withOctet(Arp.Field.hlen, 8)), "Unsupported")
      expectReason(Arp.parse(withOctet(Arp.Field.plen, 16)), "Unsupported")
    })

    it("unknown opcodes parse (the resolver ignores them)", () => {
      const r = Either.getOrThrow(Arp.parse(withOctet(Arp.Field.op + 1, 3))) // RARP request
      expect(r.op).toBe(3)
    })
  })

  describe("properties", () => {
    it.prop(
      "parse(emit(r)) == r",
      [Arb.arpRepr],
      ([r]) => {
        expect(Arp.parse(Arp.emit(r))).toEqual(Either.right(r))
      },
      { fastCheck: { numRuns: 500 } }
    )

    it.prop(
      "parse never throws on arbitrary octets",
      [Arb.anyBytes],
      ([b]) => {
        const r = Arp.parse(b)
        if (b.length < 28) expectReason(r, "Truncated")
      },
      { fastCheck: { numRuns: 1000 } }
    )

    it.prop(
      "parse never throws on mutated goldens",
      [Arb.mutationOf([arpOf(G.ARP_REQUEST), arpOf(G.ARP_REPLY)])],
      ([b]) => {
        expect(() => Arp.parse(b)).not.toThrow()
      },
      { fastCheck: { numRuns: 500 } }
    )
  })
})
