/**
 * The virtio-net header (virtio 1.x §5.1.6 `struct virtio_net_hdr` without
 * `num_buffers`, little-endian): the codec against a hand-written example,
 * `rxVerdict` against frames built octet by octet (Ethernet, IPv4 with and
 * without options, TCP/UDP/ICMP) behind a header, and `txHeader` against the
 * fields the kernel needs to complete a checksum and cut a TSO segment.
 *
 * Frames sit at odd offsets after junk octets, so a field read from the
 * wrong base shows.
 */
import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import { TxMeta } from "../../src/link/Link.js"
import * as VirtioNet from "../../src/wire/VirtioNet.js"
import type { VirtioNetHeader } from "../../src/wire/VirtioNet.js"
import * as Arb from "../support/Arbitraries.js"
import { vnetHeader as hdr } from "../support/LinkFixtures.js"

const { DataValid, NeedsCsum } = VirtioNet.Flag
const { Ecn, None, TcpV4, TcpV6, Udp, UdpL4 } = VirtioNet.Gso

const ETH = 14
const ETHERTYPE_IPV4 = 0x0800
const ETHERTYPE_ARP = 0x0806
const PROTO_ICMP = 1
const PROTO_TCP = 6
const PROTO_UDP = 17
/** Where the checksum field is in a TCP and a UDP header (RFC 9293 §3.1, RFC 768). */
const TCP_CSUM = 16
const UDP_CSUM = 6


interface FrameSpec {
  readonly etherType?: number
  /** IPv4 header length in words (5: no options) */
  readonly ihl?: number
  readonly version?: number
  readonly protocol?: number
  /** TCP header length in octets (20..60) */
  readonly tcpHeaderLen?: number
  readonly payloadLen?: number
}

/**
 * An Ethernet frame built octet by octet: Ethernet II header, an IPv4 header
 * of `ihl` words (options are NOPs), then a TCP header of `tcpHeaderLen`
 * octets, a UDP header or an ICMP echo header, then the payload.
 */
const frame = (spec: FrameSpec = {}): Uint8Array => {
  const etherType = spec.etherType ?? ETHERTYPE_IPV4
  const ihl = spec.ihl ?? 5
  const protocol = spec.protocol ?? PROTO_TCP
  const l4Len = protocol === PROTO_TCP ? (spec.tcpHeaderLen ?? 20) : 8
  const payloadLen = spec.payloadLen ?? 24
  const ipLen = ihl * 4 + l4Len + payloadLen
  const f = new Uint8Array(ETH + ipLen)
  f.set([0x02, 0x67, 0x77, 0, 0, 2, 0x02, 0x67, 0x77, 0, 0, 1], 0)
  f[12] = etherType >>> 8
  f[13] = etherType & 0xff
  const ip = ETH
  f[ip] = ((spec.version ?? 4) << 4) | ihl
  f[ip + 2] = ipLen >>> 8
  f[ip + 3] = ipLen & 0xff
  f[ip + 8] = 64
  f[ip + 9] = protocol
  f.set([198, 18, 0, 1, 198, 18, 0, 2], ip + 12)
  f.fill(1, ip + 20, ip + ihl * 4) // NOP options
  const l4 = ip + ihl * 4
  f.set([0x9c, 0x40, 0x23, 0x28], l4) // ports 40000 -> 9000
  if (protocol === PROTO_TCP) {
    f[l4 + 12] = (l4Len / 4) << 4
    f[l4 + 13] = 0x10 // ACK
    f.fill(1, l4 + 20, l4 + l4Len) // NOP options
  } else if (protocol === PROTO_UDP) {
    f[l4 + 4] = (8 + payloadLen) >>> 8
    f[l4 + 5] = (8 + payloadLen) & 0xff
  } else {
    f[l4] = 8 // ICMP echo request
    f[l4 + 1] = 0
  }
  for (let i = 0; i < payloadLen; i++) f[l4 + l4Len + i] = (i * 7 + 3) & 0xff
  return f
}

/** Junk before the header, so a read from offset 0 instead of `hdrAt` shows. */
const LEAD = 5

/** `f` preceded by header `h` at `LEAD` in one buffer; the verdict with a `frameLen` (default: all of it). */
const verdict = (h: VirtioNetHeader, f: Uint8Array, frameLen = f.length): number => {
  const b = new Uint8Array(LEAD + VirtioNet.LEN + f.length + 7).fill(0xa5)
  VirtioNet.write(b, LEAD, h)
  b.set(f, LEAD + VirtioNet.LEN)
  return VirtioNet.rxVerdict(b, LEAD, LEAD + VirtioNet.LEN, frameLen)
}

/** The name of a negative verdict. */
const reason = (v: number): VirtioNet.Malformed | undefined => VirtioNet.MALFORMED[-v - 1]

/** NEEDS_CSUM pointing at the checksum field of `f`'s transport header. */
const partialFor = (ihl: number, protocol: number, extra: Partial<VirtioNetHeader> = {}): VirtioNetHeader =>
  hdr({ flags: NeedsCsum, csumStart: ETH + ihl * 4, csumOffset: protocol === PROTO_UDP ? UDP_CSUM : TCP_CSUM, ...extra })

describe("VirtioNet", () => {
  describe("codec", () => {
    it("writes the hand-written example: flags, gsoType, then four little-endian u16", () => {
      const h = hdr({ flags: 0x01, gsoType: 0x81, hdrLen: 0x0042, gsoSize: 0x05a8, csumStart: 0x0022, csumOffset: 0x1234 })
      const b = new Uint8Array(14).fill(0xee)
      VirtioNet.write(b, 2, h)
      expect(Array.from(b)).toEqual([
        0xee, 0xee, // before
        0x01, // flags at 0
        0x81, // gsoType at 1
        0x42, 0x00, // hdrLen at 2, LE
        0xa8, 0x05, // gsoSize at 4, LE
        0x22, 0x00, // csumStart at 6, LE
        0x34, 0x12, // csumOffset at 8, LE
        0xee, 0xee // after: untouched
      ])
      expect(VirtioNet.read(b, 2)).toEqual(h)
    })

    it("reads the example from its octets", () => {
      const b = Uint8Array.from([0x99, 0x03, 0x04, 0xff, 0xfe, 0x01, 0x02, 0x80, 0x00, 0xab, 0xcd])
      expect(VirtioNet.read(b, 1)).toEqual({
        flags: 0x03,
        gsoType: 0x04,
        hdrLen: 0xfeff,
        gsoSize: 0x0201,
        csumStart: 0x0080,
        csumOffset: 0xcdab
      })
    })

    it("names its field offsets as the layout has them", () => {
      expect(VirtioNet.LEN).toBe(10)
      expect(VirtioNet.Field).toEqual({ flags: 0, gsoType: 1, hdrLen: 2, gsoSize: 4, csumStart: 6, csumOffset: 8 })
    })

    it.prop(
      "read(write(h)) == h at any offset, and write touches only its ten octets",
      [
        fc.record({ flags: Arb.u8, gsoType: Arb.u8, hdrLen: Arb.u16, gsoSize: Arb.u16, csumStart: Arb.u16, csumOffset: Arb.u16 }),
        fc.integer({ min: 0, max: 16 }),
        Arb.u8
      ],
      ([h, at, fill]) => {
        const b = new Uint8Array(at + VirtioNet.LEN + 4).fill(fill)
        VirtioNet.write(b, at, h)
        expect(VirtioNet.read(b, at)).toEqual(h)
        // little-endian, independently of the codec
        const dv = new DataView(b.buffer)
        expect([b[at], b[at + 1]]).toEqual([h.flags, h.gsoType])
        expect([2, 4, 6, 8].map((o) => dv.getUint16(at + o, true))).toEqual([h.hdrLen, h.gsoSize, h.csumStart, h.csumOffset])
        expect(Array.from(b.subarray(0, at)).every((x) => x === fill)).toBe(true)
        expect(Array.from(b.subarray(at + VirtioNet.LEN)).every((x) => x === fill)).toBe(true)
      },
      { fastCheck: { numRuns: 300 } }
    )
  })

  describe("rxVerdict", () => {
    it("says nothing for flags 0 and no GSO", () => {
      expect(verdict(hdr({}), frame())).toBe(0)
      expect(verdict(hdr({}), frame({ protocol: PROTO_UDP }))).toBe(0)
      expect(verdict(hdr({}), frame({ etherType: ETHERTYPE_ARP }))).toBe(0)
    })

    describe("NEEDS_CSUM", () => {
      for (const ihl of [5, 6]) {
        it(`takes the TCP and UDP checksum fields of an IPv4 frame with IHL ${ihl}`, () => {
          expect(verdict(partialFor(ihl, PROTO_TCP), frame({ ihl }))).toBe(VirtioNet.CHECKSUM_OK)
          expect(verdict(partialFor(ihl, PROTO_UDP), frame({ ihl, protocol: PROTO_UDP }))).toBe(VirtioNet.CHECKSUM_OK)
          // with DATA_VALID too
          expect(verdict(partialFor(ihl, PROTO_TCP, { flags: NeedsCsum | DataValid }), frame({ ihl }))).toBe(1)
        })
      }

      it("refuses a csumStart other than the end of the IP header (BadCsumOffsets)", () => {
        for (const start of [0, ETH, ETH + 20 - 1, ETH + 20 + 1, ETH + 24]) {
          const v = verdict(hdr({ flags: NeedsCsum, csumStart: start, csumOffset: TCP_CSUM }), frame())
          expect(v).toBe(-3)
          expect(reason(v)).toBe("BadCsumOffsets")
        }
        // IHL 6: the 20-octet start is wrong
        expect(verdict(partialFor(5, PROTO_TCP), frame({ ihl: 6 }))).toBe(-3)
      })

      it("refuses a csumOffset other than the transport's checksum field", () => {
        expect(verdict(partialFor(5, PROTO_TCP, { csumOffset: UDP_CSUM }), frame())).toBe(-3)
        expect(verdict(partialFor(5, PROTO_TCP, { csumOffset: TCP_CSUM + 2 }), frame())).toBe(-3)
        expect(verdict(partialFor(5, PROTO_UDP, { csumOffset: TCP_CSUM }), frame({ protocol: PROTO_UDP }))).toBe(-3)
        expect(verdict(partialFor(5, PROTO_UDP, { csumOffset: 0 }), frame({ protocol: PROTO_UDP }))).toBe(-3)
      })

      it("refuses a checksum field past the frame's end, and takes one that ends exactly there", () => {
        const tcp = frame({ payloadLen: 0 })
        const tcpEnd = ETH + 20 + TCP_CSUM + 2
        expect(verdict(partialFor(5, PROTO_TCP), tcp, tcpEnd)).toBe(1)
        expect(verdict(partialFor(5, PROTO_TCP), tcp, tcpEnd - 1)).toBe(-3)
        const udp = frame({ protocol: PROTO_UDP, payloadLen: 0 })
        const udpEnd = ETH + 24 + UDP_CSUM + 2
        expect(verdict(partialFor(6, PROTO_UDP), frame({ ihl: 6, protocol: PROTO_UDP, payloadLen: 0 }), udpEnd)).toBe(1)
        expect(verdict(partialFor(6, PROTO_UDP), frame({ ihl: 6, protocol: PROTO_UDP, payloadLen: 0 }), udpEnd - 1)).toBe(-3)
        expect(verdict(partialFor(5, PROTO_UDP), udp, ETH + 20 + UDP_CSUM + 1)).toBe(-3)
        // shorter than Ethernet + IPv4 header: no transport header at all
        expect(verdict(partialFor(5, PROTO_TCP), tcp, ETH + 19)).toBe(-3)
      })

      it("refuses a frame that is not IPv4/TCP or IPv4/UDP", () => {
        const arp = verdict(partialFor(5, PROTO_TCP), frame({ etherType: ETHERTYPE_ARP }))
        expect(arp).toBe(-3)
        expect(reason(arp)).toBe("BadCsumOffsets")
        expect(verdict(partialFor(5, PROTO_TCP), frame({ protocol: PROTO_ICMP }))).toBe(-3)
        expect(verdict(hdr({ flags: NeedsCsum, csumStart: ETH + 20, csumOffset: 2 }), frame({ protocol: PROTO_ICMP }))).toBe(-3)
        expect(verdict(partialFor(5, PROTO_TCP), frame({ version: 6 }))).toBe(-3)
        expect(verdict(partialFor(4, PROTO_TCP), frame({ ihl: 4 }))).toBe(-3) // IHL under 5 words
      })
    })

    describe("GSO", () => {
      it("refuses every GSO type but TCPv4 (UnexpectedGso)", () => {
        for (const gsoType of [Udp, TcpV6, UdpL4, TcpV6 | Ecn, 2, 6, 0x7f]) {
          const v = verdict(partialFor(5, PROTO_TCP, { gsoType, gsoSize: 1448 }), frame())
          expect(v).toBe(-1)
          expect(reason(v)).toBe("UnexpectedGso")
        }
        expect(verdict(partialFor(5, PROTO_UDP, { gsoType: Udp, gsoSize: 1400 }), frame({ protocol: PROTO_UDP }))).toBe(-1)
        expect(verdict(hdr({ gsoType: UdpL4 }), frame({ protocol: PROTO_UDP }))).toBe(-1)
      })

      it("takes TCPv4, with or without ECN, on a TCP frame with NEEDS_CSUM and a segment size", () => {
        expect(verdict(partialFor(5, PROTO_TCP, { gsoType: TcpV4, gsoSize: 1448, hdrLen: 54 }), frame())).toBe(1)
        expect(verdict(partialFor(5, PROTO_TCP, { gsoType: TcpV4 | Ecn, gsoSize: 1448, hdrLen: 54 }), frame())).toBe(1)
        expect(verdict(partialFor(6, PROTO_TCP, { gsoType: TcpV4, gsoSize: 1 }), frame({ ihl: 6 }))).toBe(1)
      })

      it("refuses TCPv4 with gsoSize 0, without NEEDS_CSUM, or on a frame that is not TCP (BadGso)", () => {
        const zero = verdict(partialFor(5, PROTO_TCP, { gsoType: TcpV4, gsoSize: 0 }), frame())
        expect(zero).toBe(-2)
        expect(reason(zero)).toBe("BadGso")
        expect(verdict(hdr({ gsoType: TcpV4, gsoSize: 1448 }), frame())).toBe(-2)
        expect(verdict(hdr({ flags: DataValid, gsoType: TcpV4, gsoSize: 1448 }), frame())).toBe(-2)
        expect(verdict(hdr({ gsoType: TcpV4 | Ecn, gsoSize: 1448, csumStart: 34, csumOffset: 16 }), frame())).toBe(-2)
        expect(verdict(partialFor(5, PROTO_UDP, { gsoType: TcpV4, gsoSize: 1448 }), frame({ protocol: PROTO_UDP }))).toBe(-2)
        expect(verdict(partialFor(5, PROTO_TCP, { gsoType: TcpV4, gsoSize: 1448 }), frame({ protocol: PROTO_ICMP }))).toBe(-2)
        expect(verdict(partialFor(5, PROTO_TCP, { gsoType: TcpV4, gsoSize: 1448 }), frame({ etherType: ETHERTYPE_ARP }))).toBe(-2)
      })

      it("refuses the ECN bit without a GSO type (BadGso), as Linux's virtio_net_hdr_to_skb does", () => {
        expect(verdict(hdr({ gsoType: Ecn }), frame())).toBe(-2)
        expect(verdict(partialFor(5, PROTO_TCP, { gsoType: Ecn }), frame())).toBe(-2)
      })

      it("TCPv4 with bad checksum offsets is BadCsumOffsets", () => {
        expect(verdict(partialFor(5, PROTO_TCP, { gsoType: TcpV4, gsoSize: 1448, csumStart: 38 }), frame())).toBe(-3)
      })
    })

    it("refuses unknown flag bits, before anything else (UnknownFlags)", () => {
      for (const flags of [4, 8, 0x80, 0xff, NeedsCsum | 4, DataValid | 0x40]) {
        const v = verdict(partialFor(5, PROTO_TCP, { flags }), frame())
        expect(v).toBe(-4)
        expect(reason(v)).toBe("UnknownFlags")
      }
      expect(verdict(hdr({ flags: 4, gsoType: Udp }), frame())).toBe(-4)
    })

    it("DATA_VALID alone vouches for TCP and UDP, says nothing for ICMP or ARP", () => {
      const valid = hdr({ flags: DataValid })
      expect(verdict(valid, frame())).toBe(1)
      expect(verdict(valid, frame({ ihl: 6 }))).toBe(1)
      expect(verdict(valid, frame({ protocol: PROTO_UDP }))).toBe(1)
      expect(verdict(valid, frame({ protocol: PROTO_ICMP }))).toBe(0)
      expect(verdict(valid, frame({ etherType: ETHERTYPE_ARP }))).toBe(0)
      expect(verdict(valid, frame({ version: 6 }))).toBe(0)
    })

    it("vouches for nothing when the IP header claims to run past the frame", () => {
      // IHL 15 (60 octets) on a frame that ends 40 octets after the Ethernet header
      const f = frame({ ihl: 5, payloadLen: 0 })
      f[ETH] = 0x4f
      expect(verdict(hdr({ flags: DataValid }), f, ETH + 40)).toBe(0)
      expect(verdict(partialFor(15, PROTO_TCP), f, ETH + 40)).toBe(-3)
    })

    it("MALFORMED lists the reasons in the order of the negative verdicts", () => {
      expect(VirtioNet.MALFORMED).toEqual(["UnexpectedGso", "BadGso", "BadCsumOffsets", "UnknownFlags"])
      expect(VirtioNet.CHECKSUM_OK).toBe(1)
    })

    /** A buffer and in-range offsets: hdrAt + 10 <= length, frameAt + frameLen <= length. */
    const anyLayout = (bytes: fc.Arbitrary<Uint8Array>) =>
      bytes
        .filter((b) => b.length >= VirtioNet.LEN)
        .chain((b) =>
          fc.tuple(
            fc.constant(b),
            fc.integer({ min: 0, max: b.length - VirtioNet.LEN }),
            fc.integer({ min: 0, max: b.length }).chain((frameAt) =>
              fc.tuple(fc.constant(frameAt), fc.integer({ min: 0, max: b.length - frameAt }))
            )
          )
        )

    /** A header that reaches the deeper branches: known flags and GSO types, offsets near the real ones. */
    const plausibleHeader = fc.record({
      flags: fc.oneof(fc.integer({ min: 0, max: 3 }), Arb.u8),
      gsoType: fc.oneof(fc.constantFrom(None, TcpV4, TcpV4 | Ecn, Udp), Arb.u8),
      hdrLen: Arb.u16,
      gsoSize: fc.oneof(fc.constant(0), Arb.u16),
      csumStart: fc.oneof(fc.constantFrom(34, 38), Arb.u16),
      csumOffset: fc.oneof(fc.constantFrom(6, 16), Arb.u16)
    })
    const nearRealFrames = Arb.mutationOf([
      frame(),
      frame({ ihl: 6 }),
      frame({ protocol: PROTO_UDP }),
      frame({ protocol: PROTO_ICMP }),
      frame({ payloadLen: 0 })
    ])

    it.prop(
      "never throws on arbitrary octets and in-range offsets, and answers -4..1",
      [anyLayout(fc.uint8Array({ maxLength: 120 }))],
      ([[b, hdrAt, [frameAt, frameLen]]]) => {
        const v = VirtioNet.rxVerdict(b, hdrAt, frameAt, frameLen)
        expect(Number.isInteger(v) && v >= -4 && v <= 1).toBe(true)
      },
      { fastCheck: { numRuns: 500 } }
    )

    it.prop(
      "never throws on plausible headers before mutated real frames, and answers -4..1",
      [plausibleHeader, nearRealFrames, fc.integer({ min: 0, max: 80 })],
      ([h, f, cut]) => {
        const b = new Uint8Array(VirtioNet.LEN + f.length)
        VirtioNet.write(b, 0, h)
        b.set(f, VirtioNet.LEN)
        const v = VirtioNet.rxVerdict(b, 0, VirtioNet.LEN, Math.max(0, f.length - cut))
        expect(Number.isInteger(v) && v >= -4 && v <= 1).toBe(true)
      },
      { fastCheck: { numRuns: 500 } }
    )
  })

  describe("txHeader", () => {
    const JUNK = 0x5a
    /** txHeader at offset 3 of a junk-filled buffer; the header it wrote and the octets around it. */
    const tx = (meta: number, head: Uint8Array) => {
      const out = new Uint8Array(3 + VirtioNet.LEN + 3).fill(JUNK)
      VirtioNet.txHeader(out, 3, meta, head)
      const around = [...out.subarray(0, 3), ...out.subarray(3 + VirtioNet.LEN)]
      expect(around.every((x) => x === JUNK)).toBe(true)
      return { h: VirtioNet.read(out, 3), raw: Array.from(out.subarray(3, 3 + VirtioNet.LEN)) }
    }

    it("meta 0 writes ten zeros, over junk too", () => {
      expect(tx(TxMeta.none, frame()).raw).toEqual(new Array(10).fill(0))
      expect(tx(0, frame({ protocol: PROTO_UDP })).raw).toEqual(new Array(10).fill(0))
    })

    it("a partial checksum on TCP: NEEDS_CSUM at the TCP checksum field, no GSO", () => {
      expect(tx(TxMeta.partialChecksum, frame()).h).toEqual(hdr({ flags: NeedsCsum, csumStart: 34, csumOffset: 16 }))
      expect(tx(TxMeta.partialChecksum, frame({ ihl: 6 })).h).toEqual(hdr({ flags: NeedsCsum, csumStart: 38, csumOffset: 16 }))
    })

    it("a partial checksum on UDP: the UDP checksum field", () => {
      expect(tx(TxMeta.partialChecksum, frame({ protocol: PROTO_UDP })).h).toEqual(
        hdr({ flags: NeedsCsum, csumStart: 34, csumOffset: 6 })
      )
    })

    it("a segmented TCP frame: TCPV4, the segment size, and hdrLen up to the end of the TCP header", () => {
      const head = frame({ tcpHeaderLen: 32 })
      expect(TxMeta.segmented(1448)).toBe(1448 * 2 + 1)
      expect(tx(TxMeta.segmented(1448), head).h).toEqual({
        flags: NeedsCsum,
        gsoType: TcpV4,
        hdrLen: 14 + 20 + 32,
        gsoSize: 1448,
        csumStart: 34,
        csumOffset: 16
      })
      expect(tx(TxMeta.segmented(536), frame({ ihl: 6, tcpHeaderLen: 60 })).h).toEqual({
        flags: NeedsCsum,
        gsoType: TcpV4,
        hdrLen: 14 + 24 + 60,
        gsoSize: 536,
        csumStart: 38,
        csumOffset: 16
      })
      // the header alone is enough: txHeader reads no payload
      expect(tx(TxMeta.segmented(65535), head.subarray(0, 14 + 20 + 32)).h.gsoSize).toBe(65535)
    })

    it("a segmented TCP frame whose header says CWR: TCPV4 with the ECN bit (as Linux's SKB_GSO_TCP_ECN)", () => {
      const head = frame()
      head[14 + 20 + 13] = 0x90 // CWR | ACK
      expect(tx(TxMeta.segmented(1448), head).h.gsoType).toBe(TcpV4 | Ecn)
      expect(tx(TxMeta.partialChecksum, head).h.gsoType).toBe(None)
    })

    it("a segment size on a UDP frame asks for no GSO (only the partial checksum)", () => {
      expect(tx(TxMeta.segmented(1400), frame({ protocol: PROTO_UDP })).h).toEqual(
        hdr({ flags: NeedsCsum, csumStart: 34, csumOffset: 6 })
      )
    })

    it.prop(
      "rxVerdict answers CHECKSUM_OK for the header txHeader wrote, for TCP (any offload) and UDP (checksum)",
      [
        fc.integer({ min: 5, max: 15 }),
        fc.integer({ min: 5, max: 15 }).map((w) => w * 4),
        fc.integer({ min: 0, max: 64 }),
        fc.oneof(fc.constant(TxMeta.partialChecksum), fc.integer({ min: 1, max: 0xffff }).map(TxMeta.segmented)),
        fc.boolean()
      ],
      ([ihl, tcpHeaderLen, payloadLen, meta, udp]) => {
        const f = udp ? frame({ ihl, protocol: PROTO_UDP, payloadLen }) : frame({ ihl, tcpHeaderLen, payloadLen })
        const b = new Uint8Array(VirtioNet.LEN + f.length)
        b.set(f, VirtioNet.LEN)
        VirtioNet.txHeader(b, 0, udp ? TxMeta.partialChecksum : meta, f)
        expect(VirtioNet.rxVerdict(b, 0, VirtioNet.LEN, f.length)).toBe(VirtioNet.CHECKSUM_OK)
        const h = VirtioNet.read(b, 0)
        if (!udp && TxMeta.segmentSize(meta) > 0) {
          expect(h.gsoType).toBe(TcpV4)
          expect(h.gsoSize).toBe(TxMeta.segmentSize(meta))
          expect(h.hdrLen).toBe(ETH + ihl * 4 + tcpHeaderLen)
        } else {
          expect([h.gsoType, h.gsoSize, h.hdrLen]).toEqual([0, 0, 0])
        }
      },
      { fastCheck: { numRuns: 300 } }
    )
  })
})
