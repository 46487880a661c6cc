/**
 * Ethernet II framing against frames captured from a Linux veth (see
 * test/fixtures/goldens.ts for how each was produced). Expected field values
 * come from each golden's `tcpdump -n -t -e -vv` line.
 */
import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import * as Arp from "../../src/wire/ArpPacket.js"
import * as Ethernet from "../../src/wire/EthernetFrame.js"
import * as Ipv4 from "../../src/wire/Ipv4Header.js"
import * as Udp from "../../src/wire/UdpHeader.js"
import * as Arb from "../support/Arbitraries.js"
import * as G from "../fixtures/goldens.js"

const MAC_A = new Uint8Array([0x02, 0x67, 0x77, 0x00, 0x00, 0x01])
const MAC_B = new Uint8Array([0x02, 0x67, 0x77, 0x00, 0x00, 0x02])
const BROADCAST = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff])
const ADDR_A = 0xc6120001 // 198.18.0.1
const ADDR_B = 0xc6120002 // 198.18.0.2

const ALL_GOLDENS: Record<string, string> = Object.fromEntries(
  Object.entries(G).filter((e): e is [string, string] => typeof e[1] === "string")
)

const getRight = <A, E>(e: Either.Either<A, E>): A => {
  if (Either.isLeft(e)) throw new Error(`expected Right, got Left ${String(e.left)}`)
  return e.right
}

describe("Ethernet", () => {
  describe("deconstruct", () => {
    it("ARP_REQUEST: 02:67:77:00:00:01 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42", () => {
      const r = getRight(Ethernet.parse(G.bytes(G.ARP_REQUEST)))
      expect(r.dst).toEqual(BROADCAST)
      expect(r.src).toEqual(MAC_A)
      expect(r.etherType).toBe(Ethernet.EtherType.ARP)
      expect(r.payload.length).toBe(42 - 14)
    })

    it("ARP_REPLY: 02:67:77:00:00:02 > 02:67:77:00:00:01, ethertype ARP (0x0806), length 42", () => {
      const r = getRight(Ethernet.parse(G.bytes(G.ARP_REPLY)))
      expect(r.dst).toEqual(MAC_A)
      expect(r.src).toEqual(MAC_B)
      expect(r.etherType).toBe(0x0806)
      expect(r.payload.length).toBe(28)
    })

    it("ICMP_ECHO_REQUEST: 02:67:77:00:00:01 > 02:67:77:00:00:02, ethertype IPv4 (0x0800), length 98", () => {
      const frame = G.bytes(G.ICMP_ECHO_REQUEST)
      const r = getRight(Ethernet.parse(frame))
      expect(r.dst).toEqual(MAC_B)
      expect(r.src).toEqual(MAC_A)
      expect(r.etherType).toBe(Ethernet.EtherType.IPv4)
      expect(r.payload.length).toBe(84)
      expect(r.payload[0]).toBe(0x45) // the IPv4 header starts right after the 14-octet header
    })

    it("IPV4_FRAGMENT_FIRST: length 1010, the largest golden (MTU 1000 + 14)", () => {
      const r = getRight(Ethernet.parse(G.bytes(G.IPV4_FRAGMENT_FIRST)))
      expect(r.payload.length).toBe(996)
      expect(r.etherType).toBe(0x0800)
    })

    it("the payload is a view into the frame, not a copy (module contract)", () => {
      const frame = G.bytes(G.UDP_DATAGRAM)
      const r = getRight(Ethernet.parse(frame))
      expect(r.payload.buffer).toBe(frame.buffer)
      expect(r.payload.byteOffset).toBe(14)
    })

    it("etherTypeOf reads the EtherType without a repr", () => {
      expect(Ethernet.etherTypeOf(G.bytes(G.ARP_REPLY))).toBe(0x0806)
      expect(Ethernet.etherTypeOf(G.bytes(G.UDP_SHORT))).toBe(0x0800)
      expect(Ethernet.etherTypeOf(G.bytes(G.UDP_SHORT).subarray(0, 13))).toBeUndefined()
    })

    it("classifies addresses", () => {
      expect(Ethernet.isBroadcast(BROADCAST)).toBe(true)
      expect(Ethernet.isBroadcast(MAC_A)).toBe(false)
      expect(Ethernet.isMulticast(BROADCAST)).toBe(true)
      expect(Ethernet.isMulticast(new Uint8Array([0x01, 0x00, 0x5e, 0x00, 0x00, 0x01]))).toBe(true)
      expect(Ethernet.isMulticast(MAC_A)).toBe(false) // 0x02: locally administered, unicast
      expect(Ethernet.macEquals(MAC_A, new Uint8Array(MAC_A))).toBe(true)
      expect(Ethernet.macEquals(MAC_A, MAC_B)).toBe(false)
      expect(Ethernet.macEquals(Ethernet.BROADCAST, BROADCAST)).toBe(true)
    })
  })

  describe("construct / emit", () => {
    it("ARP_REQUEST: header fields plus the ARP packet give the captured frame", () => {
      const arp = Arp.emit({
        op: Arp.Op.Request,
        senderMac: MAC_A,
        senderIp: ADDR_A,
        targetMac: new Uint8Array(6),
        targetIp: ADDR_B
      })
      const frame = Ethernet.emit({ dst: Ethernet.BROADCAST, src: MAC_A, etherType: Ethernet.EtherType.ARP, payload: arp })
      expect(G.toHex(frame)).toBe(G.ARP_REQUEST)
    })

    it("UDP_DATAGRAM: header fields plus the IPv4 datagram give the captured frame", () => {
      const datagram = G.bytes(G.UDP_DATAGRAM).subarray(14)
      const frame = Ethernet.emit({ dst: MAC_B, src: MAC_A, etherType: 0x0800, payload: datagram })
      expect(G.toHex(frame)).toBe(G.UDP_DATAGRAM)
    })

    it("encodeHeader writes 14 octets at an offset and returns the payload offset", () => {
      const out = new Uint8Array(4 + 14).fill(0xee)
      expect(Ethernet.encodeHeader(out, 4, MAC_A, MAC_B, Ethernet.EtherType.ARP)).toBe(18)
      expect(G.toHex(out)).toBe("eeeeeeee" + G.ARP_REPLY.slice(0, 28))
    })

    it("emit copies the payload", () => {
      const payload = new Uint8Array([1, 2, 3])
      const frame = Ethernet.emit({ dst: MAC_A, src: MAC_B, etherType: 0x88b5, payload })
      payload[0] = 9
      expect(G.toHex(frame)).toBe("026777000001026777000002" + "88b5" + "010203")
    })
  })

  describe("parse -> repr", () => {
    it("ICMP_ECHO_REPLY parses to the expected repr", () => {
      const frame = G.bytes(G.ICMP_ECHO_REPLY)
      expect(Ethernet.parse(frame)).toEqual(
        Either.right({ dst: MAC_A, src: MAC_B, etherType: 0x0800, payload: frame.subarray(14) })
      )
    })
  })

  describe("emit(parse(x)) == x", () => {
    for (const [name, hex] of Object.entries(ALL_GOLDENS)) {
      it(name, () => {
        expect(G.toHex(Ethernet.emit(getRight(Ethernet.parse(G.bytes(hex)))))).toBe(hex)
      })
    }
  })

  describe("negative cases", () => {
    it("is Truncated at every length below 14", () => {
      const frame = G.bytes(G.ARP_REQUEST)
      for (let n = 0; n < Ethernet.HEADER_LEN; n++) {
        const r = Ethernet.parse(frame.subarray(0, n))
        expect(Either.isLeft(r) && r.left.layer === "ethernet" && r.left.reason === "Truncated").toBe(true)
      }
    })

    it("accepts exactly a header with an empty payload", () => {
      const r = getRight(Ethernet.parse(G.bytes(G.ARP_REQUEST).subarray(0, 14)))
      expect(r.payload.length).toBe(0)
    })
  })

  describe("minimum-frame padding (hand-constructed: a veth does not pad)", () => {
    // A real NIC pads frames shorter than 60 octets (64 with the FCS, IEEE
    // 802.3 §4.2.3.3). Linux's veth hands tcpdump the unpadded frame, so the
    // padded versions here are built from the goldens by appending octets.
    const pad = (hex: string, fill: number): Uint8Array => {
      const short = G.bytes(hex)
      const frame = new Uint8Array(60).fill(fill)
      frame.set(short)
      return frame
    }

    for (const fill of [0x00, 0xa5]) {
      it(`UDP_SHORT padded 43 -> 60 with 0x${fill.toString(16)}: IPv4 total length trims the padding`, () => {
        const eth = getRight(Ethernet.parse(pad(G.UDP_SHORT, fill)))
        expect(eth.payload.length).toBe(46) // Ethernet keeps the padding ...
        const ip = getRight(Ipv4.parse(eth.payload))
        expect(ip.payload.length).toBe(9) // ... IPv4 cuts it at total length 29
        const udp = getRight(Udp.parse(ip.payload, ip.src, ip.dst))
        expect(udp.srcPort).toBe(40004)
        expect(udp.dstPort).toBe(9000)
        expect(new TextDecoder().decode(udp.payload)).toBe("!")
      })

      it(`ARP_REQUEST padded 42 -> 60 with 0x${fill.toString(16)}: ARP ignores the trailing octets`, () => {
        const eth = getRight(Ethernet.parse(pad(G.ARP_REQUEST, fill)))
        expect(eth.payload.length).toBe(46)
        const arp = getRight(Arp.parse(eth.payload))
        expect(arp.targetIp).toBe(ADDR_B)
        expect(G.toHex(Arp.emit(arp))).toBe(G.ARP_REQUEST.slice(28))
      })
    }
  })

  describe("properties", () => {
    it.prop(
      "parse(emit(r)) == r",
      [Arb.ethernetRepr],
      ([r]) => {
        expect(Ethernet.parse(Ethernet.emit(r))).toEqual(Either.right(r))
      },
      { fastCheck: { numRuns: 300 } }
    )

    it.prop(
      "parse never throws on arbitrary octets, and is Right exactly from 14 octets",
      [Arb.anyBytes],
      ([b]) => {
        const r = Ethernet.parse(b)
        expect(Either.isRight(r)).toBe(b.length >= 14)
      },
      { fastCheck: { numRuns: 1000 } }
    )

    it.prop(
      "parse never throws on mutated goldens",
      [Arb.mutationOf(Object.values(ALL_GOLDENS).map(G.bytes))],
      ([b]) => {
        expect(() => Ethernet.parse(b)).not.toThrow()
      },
      { fastCheck: { numRuns: 500 } }
    )
  })
})
