/**
 * The TCP header codec (RFC 9293 §3.1-§3.2, RFC 7323, RFC 2018) against
 * segments the Linux kernel sent (test/fixtures/tcpGoldens.ts): a SYN with
 * Linux's four SYN options, the SYN-ACK, the handshake's ACK, a data
 * segment with an odd payload, a FIN, an RST from a closed port, a SYN
 * without timestamps (the other padding), an ECN-setup SYN (ECE and CWR)
 * and a duplicate ACK with three SACK blocks. Field values come from each
 * golden's `tcpdump -n -t -e -vv -S` line, e.g. for TCP_SYN:
 *
 *   198.18.0.1.40000 > 198.18.0.2.9000: Flags [S], cksum 0xaa2d (correct), seq 2751930887,
 *   win 65280, options [mss 960,sackOK,TS val 1917787348 ecr 0,nop,wscale 10], length 0
 *
 * Four shapes per golden (STYLE.md §6a): deconstruct (read each field at its
 * offset), construct (writeHeader with the payload summed from its own
 * buffer), parse (bytes to repr) and emit (repr to bytes); then the negative
 * cases and the properties.
 */
import { describe, expect, it } from "@effect/vitest"
import { Either, FastCheck as fc, type Types } from "effect"
import * as S from "../../src/tcp/SeqNum.js"
import * as Checksum from "../../src/wire/Checksum.js"
import * as Tcp from "../../src/wire/TcpHeader.js"
import type { TcpOptions, TcpRepr, TcpSegment } from "../../src/wire/TcpHeader.js"
import type { WireError } from "../../src/wire/WireError.js"
import * as Arb from "../support/Arbitraries.js"
import * as TcpArb from "../support/TcpArbitraries.js"
import * as G from "../fixtures/tcpGoldens.js"

const ADDR_A = 0xc6120001 // 198.18.0.1
const ADDR_B = 0xc6120002 // 198.18.0.2
const ADDR_OTHER = 0xc6120003 // 198.18.0.3

const { ACK, CWR, ECE, FIN, PSH, RST, SYN } = Tcp.Flag

/** The TCP segment inside a golden frame: after Ethernet and the IPv4 header, up to the IPv4 total length. */
const tcpOf = (hex: string): Uint8Array => {
  const frame = G.bytes(hex)
  const ihl = (frame[14]! & 0x0f) * 4
  const total = (frame[16]! << 8) | frame[17]!
  return frame.subarray(14 + ihl, 14 + total)
}
const tcpHex = (hex: string): string => G.toHex(tcpOf(hex))

const text = (s: string): Uint8Array => new TextEncoder().encode(s)
const u16 = (b: Uint8Array, o: number): number => (b[o]! << 8) | b[o + 1]!
const u32 = (b: Uint8Array, o: number): number => ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0
const seq = S.make
const EMPTY = new Uint8Array(0)

/**
 * Independent reference for the TCP checksum (RFC 9293 §3.1): the pseudo-header
 * words and then the segment's, with its checksum field taken as zero.
 */
const referenceChecksum = (segment: Uint8Array, src: number, dst: number): number => {
  const words = [src >>> 16, src & 0xffff, dst >>> 16, dst & 0xffff, 6, segment.length]
  let sum = words.reduce((a, w) => a + w, 0)
  for (let i = 0; i < segment.length; i += 2) {
    if (i !== 16) sum += (segment[i]! << 8) | (segment[i + 1] ?? 0)
  }
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000)
  return ~sum & 0xffff
}

/** Recompute the checksum of `b` in place, so a test changes exactly one thing. */
const refresh = (b: Uint8Array, src = ADDR_A, dst = ADDR_B): Uint8Array => {
  const c = referenceChecksum(b, src, dst)
  b[16] = c >>> 8
  b[17] = c & 0xff
  return b
}

/** Option kinds in order, walking NOPs and lengths (for the layout tests; independent of the codec). */
const optionKinds = (b: Uint8Array): ReadonlyArray<number> => {
  const kinds: Array<number> = []
  const end = (b[12]! >>> 4) * 4
  for (let i = 20; i < end;) {
    kinds.push(b[i]!)
    if (b[i]! <= 1) i++
    else i += b[i + 1]!
  }
  return kinds
}

interface Golden {
  readonly hex: string
  readonly src: number
  readonly dst: number
  readonly repr: TcpRepr
  readonly payload: Uint8Array
  /** data offset times 4 */
  readonly headerLen: number
  /** the checksum field as the kernel sent it */
  readonly checksum: number
  /** option kinds in wire order, NOPs included, from the tcpdump line */
  readonly kinds: ReadonlyArray<number>
}

const SYN_OPTIONS = (value: number, echo: number): TcpOptions => ({
  mss: 960,
  sackPermitted: true,
  timestamp: { value, echo },
  windowScale: 10
})
const TS_ONLY = (value: number, echo: number): TcpOptions => ({ sackPermitted: false, timestamp: { value, echo } })

const GOLDENS: Record<string, Golden> = {
  TCP_SYN: {
    hex: G.TCP_SYN,
    src: ADDR_A,
    dst: ADDR_B,
    repr: {
      srcPort: 40000,
      dstPort: 9000,
      seq: seq(2751930887),
      ack: seq(0),
      flags: SYN,
      window: 65280,
      urgent: 0,
      options: SYN_OPTIONS(1917787348, 0)
    },
    payload: EMPTY,
    headerLen: 40,
    checksum: 0xaa2d,
    kinds: [2, 4, 8, 1, 3]
  },
  TCP_SYN_ACK: {
    hex: G.TCP_SYN_ACK,
    src: ADDR_B,
    dst: ADDR_A,
    repr: {
      srcPort: 9000,
      dstPort: 40000,
      seq: seq(2975097063),
      ack: seq(2751930888),
      flags: SYN | ACK,
      window: 65412,
      urgent: 0,
      options: SYN_OPTIONS(3692444848, 1917787348)
    },
    payload: EMPTY,
    headerLen: 40,
    checksum: 0x7e95,
    kinds: [2, 4, 8, 1, 3]
  },
  TCP_ACK: {
    hex: G.TCP_ACK,
    src: ADDR_A,
    dst: ADDR_B,
    repr: {
      srcPort: 40000,
      dstPort: 9000,
      seq: seq(2751930888),
      ack: seq(2975097064),
      flags: ACK,
      window: 64,
      urgent: 0,
      options: TS_ONLY(1917787349, 3692444848)
    },
    payload: EMPTY,
    headerLen: 32,
    checksum: 0xaab4,
    kinds: [1, 1, 8]
  },
  TCP_DATA: {
    hex: G.TCP_DATA,
    src: ADDR_A,
    dst: ADDR_B,
    repr: {
      srcPort: 40000,
      dstPort: 9000,
      seq: seq(2751930888),
      ack: seq(2975097064),
      flags: PSH | ACK,
      window: 64,
      urgent: 0,
      options: TS_ONLY(1917787351, 3692444848)
    },
    payload: text("gonet tcp golden\n"),
    headerLen: 32,
    checksum: 0x38de,
    kinds: [1, 1, 8]
  },
  TCP_FIN: {
    hex: G.TCP_FIN,
    src: ADDR_A,
    dst: ADDR_B,
    repr: {
      srcPort: 40000,
      dstPort: 9000,
      seq: seq(2751930905),
      ack: seq(2975097064),
      flags: FIN | ACK,
      window: 64,
      urgent: 0,
      options: TS_ONLY(1917787351, 3692444851)
    },
    payload: EMPTY,
    headerLen: 32,
    checksum: 0xaa9d,
    kinds: [1, 1, 8]
  },
  TCP_RST: {
    hex: G.TCP_RST,
    src: ADDR_B,
    dst: ADDR_A,
    repr: {
      srcPort: 9,
      dstPort: 40001,
      seq: seq(0),
      ack: seq(1604194638),
      flags: RST | ACK,
      window: 0,
      urgent: 0,
      options: Tcp.NO_OPTIONS
    },
    payload: EMPTY,
    headerLen: 20,
    checksum: 0x1672,
    kinds: []
  },
  TCP_SYN_NO_TIMESTAMPS: {
    hex: G.TCP_SYN_NO_TIMESTAMPS,
    src: ADDR_A,
    dst: ADDR_B,
    repr: {
      srcPort: 40002,
      dstPort: 9000,
      seq: seq(2206144799),
      ack: seq(0),
      flags: SYN,
      window: 65280,
      urgent: 0,
      options: { mss: 960, sackPermitted: true, windowScale: 10 }
    },
    payload: EMPTY,
    headerLen: 32,
    checksum: 0x89d0,
    kinds: [2, 1, 1, 4, 1, 3]
  },
  TCP_SYN_ECN: {
    hex: G.TCP_SYN_ECN,
    src: ADDR_A,
    dst: ADDR_B,
    repr: {
      srcPort: 40003,
      dstPort: 9000,
      seq: seq(3428427066),
      ack: seq(0),
      flags: SYN | ECE | CWR,
      window: 65280,
      urgent: 0,
      options: SYN_OPTIONS(332636414, 0)
    },
    payload: EMPTY,
    headerLen: 40,
    checksum: 0xd836,
    kinds: [2, 4, 8, 1, 3]
  },
  TCP_SACK: {
    hex: G.TCP_SACK,
    src: ADDR_B,
    dst: ADDR_A,
    repr: {
      srcPort: 9002,
      dstPort: 40004,
      seq: seq(3156660608),
      ack: seq(705982452),
      flags: ACK,
      window: 67,
      urgent: 0,
      options: {
        sackPermitted: false,
        timestamp: { value: 1163581895, echo: 1178523123 },
        sack: [
          { left: seq(705987192), right: seq(705987800) },
          { left: seq(705985296), right: seq(705986244) },
          { left: seq(705983400), right: seq(705984348) }
        ]
      }
    },
    payload: EMPTY,
    headerLen: 60,
    checksum: 0x6904,
    kinds: [1, 1, 8, 1, 1, 5]
  }
}

const MSS_1460_OPTIONS: TcpOptions = { sackPermitted: false, mss: 1460 }

const expectReason = (r: Either.Either<unknown, WireError>, reason: WireError["reason"]): void => {
  expect(Either.isLeft(r)).toBe(true)
  if (Either.isLeft(r)) expect({ layer: r.left.layer, reason: r.left.reason }).toEqual({ layer: "tcp", reason })
}

/**
 * A segment 40000 -> 9000 (ACK) whose options are exactly `options` (a
 * multiple of 4 octets), with a correct checksum, so the options are the
 * only thing wrong with it.
 */
const withOptions = (options: ReadonlyArray<number>, payload: ReadonlyArray<number> = []): Uint8Array => {
  if (options.length % 4 !== 0 || options.length > 40) throw new Error("test bug: options must be whole words, <= 40")
  const hl = 20 + options.length
  const b = new Uint8Array(hl + payload.length)
  b.set([0x9c, 0x40, 0x23, 0x28, 0, 0, 0, 1, 0, 0, 0, 2, (hl / 4) << 4, ACK, 0x10, 0x00])
  b.set(options, 20)
  b.set(payload, hl)
  return refresh(b)
}

/** The parsed options of a `withOptions` segment (parse never fails on options: it throws if it did). */
const optionsOf = (options: ReadonlyArray<number>): TcpOptions =>
  Either.getOrThrow(Tcp.parse(withOptions(options), ADDR_A, ADDR_B)).options

/**
 * Linux's tcp_parse_options (net/ipv4/tcp_input.c) restated as a walk over
 * an array, independent of the codec: the options it reads from these
 * octets. EOL ends; NOP is one octet; a length below 2 or past the end
 * stops the walk; a known kind with a length not its own is skipped; a
 * repeated kind overwrites; an MSS of 0 is not taken.
 */
const referenceLinux = (octets: ReadonlyArray<number>): TcpOptions => {
  const o: Types.Mutable<TcpOptions> = { sackPermitted: false }
  let length = octets.length
  let p = 0
  while (length > 0) {
    const opcode = octets[p++]!
    if (opcode === 0) break
    if (opcode === 1) {
      length--
      continue
    }
    if (length < 2) break
    const opsize = octets[p++]!
    if (opsize < 2 || opsize > length) break
    const data = octets.slice(p, p + opsize - 2)
    const be32 = (k: number) => ((data[k]! << 24) | (data[k + 1]! << 16) | (data[k + 2]! << 8) | data[k + 3]!) >>> 0
    if (opcode === 2 && opsize === 4 && ((data[0]! << 8) | data[1]!) !== 0) o.mss = (data[0]! << 8) | data[1]!
    if (opcode === 3 && opsize === 3) o.windowScale = Math.min(14, data[0]!)
    if (opcode === 4 && opsize === 2) o.sackPermitted = true
    if (opcode === 5 && opsize >= 10 && (opsize - 2) % 8 === 0) {
      o.sack = Array.from({ length: Math.min(4, (opsize - 2) >> 3) }, (_, k) => ({ left: seq(be32(8 * k)), right: seq(be32(8 * k + 4)) }))
    }
    if (opcode === 8 && opsize === 10) o.timestamp = { value: be32(0), echo: be32(4) }
    p += opsize - 2
    length -= opsize
  }
  return o
}

/**
 * Linux's tcp_do_parse_auth_options (net/ipv4/tcp_input.c, without TCP-AO)
 * restated, independent of the codec, with tcp_inbound_hash's verdict for a
 * socket without keys: whether the segment is dropped for its options.
 */
const referenceLinuxRefuses = (octets: ReadonlyArray<number>): boolean => {
  let length = octets.length
  let p = 0
  while (length >= 18) {
    const opcode = octets[p++]!
    if (opcode === 0) return false
    if (opcode === 1) {
      length--
      continue
    }
    const opsize = octets[p++]!
    if (opsize < 2 || opsize > length) return true // -EINVAL
    if (opcode === 19) return true // -EINVAL, or TCP_MD5UNEXPECTED
    if (opcode === 29 && opsize <= 4) return true // -EINVAL
    p += opsize - 2
    length -= opsize
  }
  return false
}

describe("TcpHeader", () => {
  describe("deconstruct: every field at its offset", () => {
    for (const [name, g] of Object.entries(GOLDENS)) {
      const { ack, dstPort, flags, seq, srcPort, window } = g.repr
      it(`${name}: ${srcPort} > ${dstPort}, seq ${seq}, ack ${ack}, flags 0x${flags.toString(16)}, win ${window}`, () => {
        const b = tcpOf(g.hex)
        expect(u16(b, Tcp.Field.srcPort)).toBe(g.repr.srcPort)
        expect(u16(b, Tcp.Field.dstPort)).toBe(g.repr.dstPort)
        expect(u32(b, Tcp.Field.seq)).toBe(g.repr.seq)
        expect(u32(b, Tcp.Field.ack)).toBe(g.repr.ack)
        expect(b[Tcp.Field.dataOffset]! >>> 4).toBe(g.headerLen / 4)
        expect(b[Tcp.Field.dataOffset]! & 0x0f).toBe(0) // reserved bits, as Linux sends them
        expect(b[Tcp.Field.flags]).toBe(g.repr.flags)
        expect(u16(b, Tcp.Field.window)).toBe(g.repr.window)
        expect(u16(b, Tcp.Field.checksum)).toBe(g.checksum)
        expect(u16(b, Tcp.Field.urgent)).toBe(g.repr.urgent)
        expect(optionKinds(b)).toEqual(g.kinds)
        expect(b.length - g.headerLen).toBe(g.payload.length)
        // the accessors read the same octets, at an offset inside a larger buffer
        const frame = G.bytes(g.hex)
        const off = 14 + 20
        expect([
          Tcp.srcPortAt(frame, off),
          Tcp.dstPortAt(frame, off),
          Tcp.seqAt(frame, off),
          Tcp.ackAt(frame, off),
          Tcp.headerLenAt(frame, off),
          Tcp.flagsAt(frame, off),
          Tcp.windowAt(frame, off),
          Tcp.checksumAt(frame, off),
          Tcp.urgentAt(frame, off)
        ]).toEqual([
          g.repr.srcPort,
          g.repr.dstPort,
          g.repr.seq,
          g.repr.ack,
          g.headerLen,
          g.repr.flags,
          g.repr.window,
          g.checksum,
          g.repr.urgent
        ])
        expect(Tcp.parseOptions(b, Tcp.HEADER_LEN, g.headerLen)).toEqual({ options: g.repr.options, stopped: undefined, skipped: 0 })
      })
    }

    it("the checksum the kernel sent is the RFC 9293 §3.1 sum (independent reference)", () => {
      for (const g of Object.values(GOLDENS)) expect(referenceChecksum(tcpOf(g.hex), g.src, g.dst)).toBe(g.checksum)
    })

    it("the payload is a view into the input (module contract)", () => {
      const b = tcpOf(G.TCP_DATA)
      const r = Either.getOrThrow(Tcp.parse(b, ADDR_A, ADDR_B))
      expect(r.payload.buffer).toBe(b.buffer)
      expect(r.payload.byteOffset).toBe(b.byteOffset + 32)
    })

    it("a segment with no options shares NO_OPTIONS (parse allocates no options record)", () => {
      const r = Either.getOrThrow(Tcp.parse(tcpOf(G.TCP_RST), ADDR_B, ADDR_A))
      expect(r.options).toBe(Tcp.NO_OPTIONS)
    })
  })

  describe("construct: writeHeader with the payload summed from its own buffer", () => {
    for (const [name, g] of Object.entries(GOLDENS)) {
      it(`${name}: the kernel's header octets, written at an offset, nothing outside touched`, () => {
        const headroom = 14 + 20
        const out = new Uint8Array(headroom + g.headerLen + 8).fill(0xee)
        const sum = Checksum.pseudoHeaderSum(g.src, g.dst, Tcp.PROTOCOL, g.headerLen + g.payload.length) +
          Checksum.sum(g.payload)
        expect(Tcp.writeHeader(out, headroom, g.repr, g.payload.length, sum)).toBe(headroom + g.headerLen)
        expect(G.toHex(out.subarray(headroom, headroom + g.headerLen))).toBe(G.toHex(tcpOf(g.hex).subarray(0, g.headerLen)))
        expect(out.subarray(0, headroom).every((x) => x === 0xee)).toBe(true)
        expect(out.subarray(headroom + g.headerLen).every((x) => x === 0xee)).toBe(true)
        expect(Tcp.optionsLength(g.repr)).toBe(g.headerLen - 20)
        expect(Tcp.headerLen(g.repr)).toBe(g.headerLen)
      })
    }

    it("writes into a buffer that held junk: every header octet is set, checksum and reserved bits included", () => {
      const g = GOLDENS["TCP_SACK"]!
      const out = new Uint8Array(g.headerLen).fill(0xff)
      const sum = Checksum.pseudoHeaderSum(g.src, g.dst, Tcp.PROTOCOL, g.headerLen)
      Tcp.writeHeader(out, 0, g.repr, 0, sum)
      expect(G.toHex(out)).toBe(tcpHex(g.hex))
    })
  })

  describe("parse -> repr", () => {
    for (const [name, g] of Object.entries(GOLDENS)) {
      it(name, () => {
        const expected: TcpSegment = { ...g.repr, payload: g.payload }
        expect(Tcp.parse(tcpOf(g.hex), g.src, g.dst)).toEqual(Either.right(expected))
        expect(Tcp.check(tcpOf(g.hex), 0, g.headerLen + g.payload.length, g.src, g.dst)).toBe(g.headerLen)
      })
    }

    it("check validates in place at an offset, covering only len octets", () => {
      for (const g of Object.values(GOLDENS)) {
        const frame = new Uint8Array(G.bytes(g.hex).length + 5).fill(0x5a) // trailing junk is not ours
        frame.set(G.bytes(g.hex))
        const len = g.headerLen + g.payload.length
        expect(Tcp.check(frame, 34, len, g.src, g.dst)).toBe(g.headerLen)
        expect(Tcp.check(frame, 34, len + 1, g.src, g.dst)).toBe(-3) // one junk octet more: the sum breaks
      }
    })
  })

  describe("emit", () => {
    for (const [name, g] of Object.entries(GOLDENS)) {
      it(`${name}: the repr and payload emit the kernel's octets`, () => {
        expect(G.toHex(Tcp.emit(g.repr, g.payload, g.src, g.dst))).toBe(tcpHex(g.hex))
      })
    }

    it("emit(parse(x)) == x for every golden", () => {
      for (const g of Object.values(GOLDENS)) {
        const s = Either.getOrThrow(Tcp.parse(tcpOf(g.hex), g.src, g.dst))
        const { payload, ...repr } = s
        expect(G.toHex(Tcp.emit(repr, payload, g.src, g.dst))).toBe(tcpHex(g.hex))
      }
    })

    it("the option layout is Linux's for every combination (module doc)", () => {
      const base = GOLDENS["TCP_ACK"]!.repr
      const layout = (options: TcpOptions): string =>
        G.toHex(Tcp.emit({ ...base, options }, EMPTY, ADDR_A, ADDR_B).subarray(20))
      const ts = { value: 0x01020304, echo: 0x05060708 }
      const block = { left: seq(0x11111111), right: seq(0x22222222) }
      expect(layout(Tcp.NO_OPTIONS)).toBe("")
      expect(layout({ sackPermitted: false, mss: 1460 })).toBe("020405b4")
      expect(layout({ sackPermitted: true })).toBe("01010402")
      expect(layout({ sackPermitted: false, timestamp: ts })).toBe("0101080a0102030405060708")
      expect(layout({ sackPermitted: true, timestamp: ts })).toBe("0402080a0102030405060708")
      expect(layout({ sackPermitted: false, windowScale: 7 })).toBe("01030307")
      expect(layout({ sackPermitted: false, sack: [block] })).toBe("0101050a1111111122222222")
      expect(layout({ sackPermitted: false, sack: [] })).toBe("") // an empty list is no option
      expect(layout({ mss: 536, sackPermitted: true, timestamp: ts, windowScale: 14, sack: [block] })).toBe(
        "02040218" + "0402080a0102030405060708" + "0103030e" + "0101050a1111111122222222"
      )
    })

    it("refuses what the header cannot carry (RangeError: a caller bug)", () => {
      const base = GOLDENS["TCP_ACK"]!.repr
      const ts = { value: 1, echo: 2 }
      const block = { left: seq(1), right: seq(2) }
      const emitWith = (options: TcpOptions, payload = EMPTY) => () =>
        Tcp.emit({ ...base, options }, payload, ADDR_A, ADDR_B)
      const four = [block, block, block, block]
      expect(emitWith({ sackPermitted: false, timestamp: ts, sack: four })).toThrow(RangeError) // 48 octets
      expect(emitWith({ sackPermitted: false, sack: [block, block, block, block, block] })).toThrow(RangeError)
      expect(emitWith({ sackPermitted: false, windowScale: 15 })).toThrow(RangeError)
      expect(emitWith({ sackPermitted: false, windowScale: -1 })).toThrow(RangeError)
      expect(emitWith({ sackPermitted: false, mss: 65536 })).toThrow(RangeError)
      expect(emitWith(Tcp.NO_OPTIONS, new Uint8Array(65535 - 20 + 1))).toThrow(RangeError)
      // the limits themselves are fine
      expect(Tcp.emit({ ...base, options: { sackPermitted: false, sack: four } }, EMPTY, 1, 2).length).toBe(56)
      expect(Tcp.emit({ ...base, options: { sackPermitted: false, mss: 960, sack: four } }, EMPTY, 1, 2).length).toBe(60)
      expect(Tcp.emit({ ...base, options: Tcp.NO_OPTIONS }, new Uint8Array(65535 - 20), 1, 2).length).toBe(65535)
    })

    it("fields are written modulo their width and reserved bits as zero", () => {
      const r: TcpRepr = { ...GOLDENS["TCP_RST"]!.repr, flags: 0xff }
      const b = Tcp.emit(r, EMPTY, ADDR_B, ADDR_A)
      expect(b[Tcp.Field.dataOffset]).toBe(0x50)
      expect(b[Tcp.Field.flags]).toBe(0xff)
      expect(Either.getOrThrow(Tcp.parse(b, ADDR_B, ADDR_A)).flags).toBe(0xff)
    })
  })

  describe("checksum corner cases", () => {
    it("swapping source and destination keeps the checksum valid (the sum commutes)", () => {
      expect(Either.isRight(Tcp.parse(tcpOf(G.TCP_DATA), ADDR_B, ADDR_A))).toBe(true)
    })

    it("a wrong pseudo-header address is BadChecksum", () => {
      expectReason(Tcp.parse(tcpOf(G.TCP_DATA), ADDR_OTHER, ADDR_B), "BadChecksum")
      expectReason(Tcp.parse(tcpOf(G.TCP_SYN), ADDR_A, ADDR_OTHER), "BadChecksum")
    })

    it("a computed checksum of zero is sent as zero (no 0xffff rule as in UDP), and 0xffff verifies too", () => {
      // Solve the last payload word w so that the one's complement sum is 0xffff:
      // with w = 0 the checksum is c = ~S, and S + c = 0xffff without a carry.
      const repr = GOLDENS["TCP_DATA"]!.repr
      const payload = new Uint8Array([...text("zero sum!!"), 0, 0]) // the last word starts at an even offset
      const c = u16(Tcp.emit(repr, payload, ADDR_A, ADDR_B), Tcp.Field.checksum)
      payload[10] = c >>> 8
      payload[11] = c & 0xff
      const out = Tcp.emit(repr, payload, ADDR_A, ADDR_B)
      expect(u16(out, Tcp.Field.checksum)).toBe(0)
      expect(referenceChecksum(out, ADDR_A, ADDR_B)).toBe(0)
      expect(Tcp.parse(out, ADDR_A, ADDR_B)).toEqual(Either.right({ ...repr, payload }))
      const allOnes = Uint8Array.from(out)
      allOnes[Tcp.Field.checksum] = 0xff
      allOnes[Tcp.Field.checksum + 1] = 0xff
      expect(Either.isRight(Tcp.parse(allOnes, ADDR_A, ADDR_B))).toBe(true)
    })
  })

  describe("negative cases", () => {
    it("is Truncated at every length below the header, BadChecksum once the header fits but data is missing", () => {
      for (const g of Object.values(GOLDENS)) {
        const b = tcpOf(g.hex)
        for (let n = 0; n < b.length; n++) {
          const r = Tcp.parse(b.subarray(0, n), g.src, g.dst)
          expectReason(r, n < g.headerLen ? "Truncated" : "BadChecksum")
          expect(Tcp.check(b, 0, n, g.src, g.dst)).toBe(n < g.headerLen ? -1 : -3)
        }
      }
    })

    it("check is Truncated when len reaches past the buffer", () => {
      const b = tcpOf(G.TCP_DATA)
      expect(Tcp.check(b, 0, b.length + 1, ADDR_A, ADDR_B)).toBe(-1)
      expect(Tcp.check(b, 1, b.length, ADDR_A, ADDR_B)).toBe(-1)
      expect(Tcp.check(b, b.length, 20, ADDR_A, ADDR_B)).toBe(-1)
    })

    it("a data offset under 5 words is BadHeaderLen", () => {
      for (let words = 0; words < 5; words++) {
        const b = Uint8Array.from(tcpOf(G.TCP_DATA))
        b[12] = words << 4
        expectReason(Tcp.parse(refresh(b), ADDR_A, ADDR_B), "BadHeaderLen")
      }
    })

    it("a data offset past the end of the segment is Truncated", () => {
      for (let words = 6; words <= 15; words++) {
        const b = Uint8Array.from(tcpOf(G.TCP_RST)) // 20 octets in all
        b[12] = words << 4
        expectReason(Tcp.parse(refresh(b, ADDR_B, ADDR_A), ADDR_B, ADDR_A), "Truncated")
      }
      for (let words = 13; words <= 15; words++) {
        const b = Uint8Array.from(tcpOf(G.TCP_DATA)) // 49 octets: 12 words fit, 13 do not
        b[12] = words << 4
        expectReason(Tcp.parse(refresh(b), ADDR_A, ADDR_B), "Truncated")
      }
    })

    it("reserved bits beside the data offset are ignored on receipt (RFC 9293 §3.1)", () => {
      const b = Uint8Array.from(tcpOf(G.TCP_SYN))
      b[12] |= 0x0f
      const r = Tcp.parse(refresh(b), ADDR_A, ADDR_B)
      expect(r).toEqual(Either.right({ ...GOLDENS["TCP_SYN"]!.repr, payload: EMPTY }))
    })

    it("any single flipped bit is rejected; outside the data-offset octet it is BadChecksum", () => {
      for (const g of Object.values(GOLDENS)) {
        const pristine = tcpOf(g.hex)
        for (let at = 0; at < pristine.length; at++) {
          for (let bit = 0; bit < 8; bit++) {
            const b = Uint8Array.from(pristine)
            b[at] ^= 1 << bit
            const r = Tcp.parse(b, g.src, g.dst)
            expect(Either.isLeft(r)).toBe(true)
            if (at !== Tcp.Field.dataOffset) expectReason(r, "BadChecksum")
          }
        }
      }
    })

    it("a checksum field of zero is not 'none computed' as in UDP: it is checked", () => {
      const b = Uint8Array.from(tcpOf(G.TCP_DATA))
      b[16] = 0
      b[17] = 0
      expectReason(Tcp.parse(b, ADDR_A, ADDR_B), "BadChecksum")
    })

    describe("malformed options are read as Linux's tcp_parse_options reads them, and the segment is kept", () => {
      // Each of these made the segment Malformed (dropped) before: RFC 9293 §3.1 (RFC 1122 §4.2.2.5)
      // allows that, but Linux keeps the segment with the options read so far, and so do we, where
      // fewer than 18 octets of options are left at the bad one (else tcp_inbound_hash drops it: below).
      type Case = readonly [string, ReadonlyArray<number>, TcpOptions, OptionsStop, number]
      type OptionsStop = Tcp.OptionsParse["stopped"]
      const NONE: TcpOptions = { sackPermitted: false }
      const MSS_1460: TcpOptions = { sackPermitted: false, mss: 1460 }
      const CASES: ReadonlyArray<Case> = [
        // "silly options": a length below 2 ends the walk
        ["length 0 on an unknown kind", [30, 0, 1, 1], NONE, "ShortLength", 0],
        ["length 1 on an unknown kind", [30, 1, 1, 1], NONE, "ShortLength", 0],
        ["length 0 on MSS", [2, 0, 0, 0], NONE, "ShortLength", 0],
        ["length 1 on SACK-permitted", [4, 1, 1, 1], NONE, "ShortLength", 0],
        ["length 0 then a good MSS: the MSS is never reached", [30, 0, 2, 4, 5, 0xb4, 1, 1], NONE, "ShortLength", 0],
        ["a good MSS, then a length of 1: the MSS is kept", [2, 4, 5, 0xb4, 30, 1, 0, 0], MSS_1460, "ShortLength", 0],
        // "don't parse partial options": an option past the options area ends the walk
        ["an unknown kind running past the header", [30, 6, 0, 0], NONE, "PastEnd", 0],
        ["MSS running past the header", [1, 1, 2, 4], NONE, "PastEnd", 0],
        ["timestamps cut short by the data offset", [1, 1, 8, 10, 0, 0, 0, 0], NONE, "PastEnd", 0],
        ["a kind with no room for its length octet", [1, 1, 1, 2], NONE, "PastEnd", 0],
        ["a good MSS, then an option past the end: the MSS is kept", [2, 4, 5, 0xb4, 1, 1, 30, 3], MSS_1460, "PastEnd", 0],
        // a known kind with a length not its own: skipped by its length, the walk goes on
        ["MSS of length 3", [2, 3, 5, 1], NONE, undefined, 1],
        ["MSS of length 5", [2, 5, 5, 0xb4, 0, 1, 1, 1], NONE, undefined, 1],
        ["window scale of length 2", [3, 2, 1, 1], NONE, undefined, 1],
        ["window scale of length 4", [3, 4, 7, 0], NONE, undefined, 1],
        ["SACK-permitted of length 3", [4, 3, 0, 1], NONE, undefined, 1],
        ["timestamps of length 8", [8, 8, 0, 0, 0, 1, 0, 0], NONE, undefined, 1],
        ["timestamps of length 12", [8, 12, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0], NONE, undefined, 1],
        ["SACK with no block (length 2)", [5, 2, 1, 1], NONE, undefined, 1],
        ["SACK with half a block (length 6)", [5, 6, 0, 0, 0, 1, 1, 1], NONE, undefined, 1],
        ["SACK of length 11 (not 2 + 8n)", [5, 11, 0, 0, 0, 1, 0, 0, 0, 2, 9, 1], NONE, undefined, 1],
        ["timestamps of length 8, then a good MSS: the MSS is read", [8, 8, 0, 0, 0, 1, 0, 0, 2, 4, 5, 0xb4], MSS_1460, undefined, 1],
        [
          "good timestamps, then timestamps of length 8: the good ones stand",
          [1, 1, 8, 10, 0, 0, 0, 7, 0, 0, 0, 9, 8, 8, 0, 0, 0, 1, 0, 0],
          { sackPermitted: false, timestamp: { value: 7, echo: 9 } },
          undefined,
          1
        ],
        [
          "a good SACK block, then a SACK of length 11: the good block stands",
          [1, 1, 5, 10, 0, 0, 0, 1, 0, 0, 0, 2, 5, 11, 0, 0, 0, 1, 0, 0, 0, 2, 9, 1],
          { sackPermitted: false, sack: [{ left: seq(1), right: seq(2) }] },
          undefined,
          1
        ],
        [
          "a SYN's options, SACK-permitted mangled to length 3: the others are read",
          [2, 4, 5, 0xb4, 4, 3, 0, 1, 8, 10, 0, 0, 0, 7, 0, 0, 0, 9, 1, 3, 3, 7, 1, 1],
          { sackPermitted: false, mss: 1460, windowScale: 7, timestamp: { value: 7, echo: 9 } },
          undefined,
          1
        ]
      ]
      for (const [what, options, expected, stopped, skipped] of CASES) {
        it(`${what}: parse keeps the segment, check passes it, parseOptions says what it stepped over`, () => {
          expect(optionsOf(options)).toEqual(expected)
          const b = withOptions(options)
          expect(Tcp.check(b, 0, b.length, ADDR_A, ADDR_B)).toBe(20 + options.length)
          expect(Tcp.parseOptions(Uint8Array.from(options))).toEqual({ options: expected, stopped, skipped })
          expect(referenceLinux(options)).toEqual(expected) // the reference reads the same
        })
      }

      it("a malformed option does not stop the payload: the segment parses with all its data", () => {
        const r = Either.getOrThrow(Tcp.parse(withOptions([1, 1, 8, 8, 0, 0, 0, 1, 0, 0, 1, 1], [1, 2, 3]), ADDR_A, ADDR_B))
        expect([r.options, [...r.payload]]).toEqual([{ sackPermitted: false }, [1, 2, 3]])
      })

      it("SACK with 5 blocks (42 octets, only possible outside a header): the first 4 are read, as Linux's tcp_sacktag_write_queue", () => {
        const blocks = (n: number) => Array.from({ length: n * 8 }, (_, i) => i)
        const five = Tcp.parseOptions(Uint8Array.from([5, 42, ...blocks(5)]))
        expect(five.options.sack).toHaveLength(4)
        expect([five.stopped, five.skipped]).toEqual([undefined, 0])
        const four = optionsOf([1, 1, 5, 34, ...blocks(4)])
        expect(four.sack).toHaveLength(4)
        expect(four.sack![3]).toEqual({ left: seq(0x18191a1b), right: seq(0x1c1d1e1f) })
      })

      it("the checksum is still checked: a damaged segment with a malformed option is BadChecksum", () => {
        const b = withOptions([30, 0, 1, 1])
        b[5] ^= 1
        expectReason(Tcp.parse(b, ADDR_A, ADDR_B), "BadChecksum")
      })
    })

    describe("a segment whose options Linux's tcp_inbound_hash refuses is dropped whole (Malformed), no reset", () => {
      // Linux (6.7 on) walks the options of every segment for an MD5 or TCP-AO signature
      // (tcp_do_parse_auth_options) while at least 18 octets are left (5 on a kernel with
      // TCP-AO; the reference kernel has none): a length below 2 or past the header there is
      // -EINVAL, and so is an MD5 option of a length not 18 or a TCP-AO option of 4 octets or
      // less; an MD5 option we hold no key for is TCP_MD5UNEXPECTED. Either way the segment is
      // dropped (and tcp_v4_send_reset sends no reset for it). Played against Linux in
      // test/kernel/ConformanceHeader.test.ts.
      const md5 = [19, 18, ...Array.from({ length: 16 }, (_, i) => i)]
      const ones = (n: number) => new Array<number>(n).fill(1)
      const REFUSED: ReadonlyArray<readonly [string, ReadonlyArray<number>]> = [
        ["length 0 with 20 octets left", [30, 0, ...ones(18)]],
        ["length 1 with 20 octets left", [30, 1, 2, 4, 5, 0xb4, ...ones(14)]],
        ["length 0, then a good MSS, with 24 octets left", [30, 0, 2, 4, 5, 0xb4, ...ones(18)]],
        ["a length past the header with 20 octets left", [8, 24, ...new Array<number>(18).fill(0)]],
        ["a good MSS, then a length of 0 with 20 octets left", [2, 4, 5, 0xb4, 30, 0, ...ones(18)]],
        ["an MD5 signature (RFC 2385) we hold no key for", [...md5, 1, 1]],
        ["an MD5 option of length 10", [19, 10, ...new Array<number>(8).fill(0), ...ones(10)]],
        ["a TCP-AO option of 4 octets (no MAC, RFC 5925 §2.2)", [29, 4, 0, 0, ...ones(16)]]
      ]
      for (const [what, options] of REFUSED) {
        it(`${what}: check says Malformed, parse fails`, () => {
          const b = withOptions(options)
          expect(Tcp.checkReason(Tcp.check(b, 0, b.length, ADDR_A, ADDR_B))).toBe("Malformed")
          expectReason(Tcp.parse(b, ADDR_A, ADDR_B), "Malformed")
          expect(referenceLinuxRefuses(options)).toBe(true)
        })
      }

      const KEPT: ReadonlyArray<readonly [string, ReadonlyArray<number>]> = [
        ["length 0 with 16 octets left", [2, 4, 5, 0xb4, 30, 0, ...ones(14)]],
        ["NOPs, then length 0 with 16 octets left", [1, 1, 1, 1, 30, 0, ...ones(14)]],
        ["EOL, then what would be refused", [0, 30, 0, 1, ...md5, 1, 1]],
        ["a TCP-AO option with a MAC (a kind we do not know)", [29, 8, 0, 0, 1, 1, 1, 1, ...ones(12)]]
      ]
      for (const [what, options] of KEPT) {
        it(`${what}: kept`, () => {
          const b = withOptions(options)
          expect(Tcp.check(b, 0, b.length, ADDR_A, ADDR_B)).toBe(20 + options.length)
          expect(referenceLinuxRefuses(options)).toBe(false)
        })
      }

      it("a bad checksum is still BadChecksum", () => {
        const b = withOptions([30, 0, ...ones(18)])
        b[5] ^= 1
        expectReason(Tcp.parse(b, ADDR_A, ADDR_B), "BadChecksum")
      })
    })

    describe("options that parse", () => {
      it("unknown kinds are skipped by their length", () => {
        expect(optionsOf([30, 6, 9, 9, 9, 9, 254, 4, 0xf9, 0x89, 2, 4, 0x05, 0xb4, 1, 1])).toEqual({ sackPermitted: false, mss: 1460 })
      })

      it("unknown kinds of every length 2..40 are skipped, and an MSS behind them is read", () => {
        for (let len = 2; len <= 36; len++) {
          const options = [99, len, ...new Array<number>(len - 2).fill(0xee), 2, 4, 0x05, 0xb4]
          while (options.length % 4 !== 0) options.push(1)
          expect(optionsOf(options)).toEqual({ sackPermitted: false, mss: 1460 })
        }
        expect(optionsOf([99, 40, ...new Array<number>(38).fill(0)])).toEqual({ sackPermitted: false })
      })

      it("EOL ends the list: what follows is padding, never read, even if it looks like options", () => {
        expect(optionsOf([2, 4, 0x05, 0xb4, 0, 30, 0, 0xff])).toEqual({ sackPermitted: false, mss: 1460 })
        expect(optionsOf([0, 2, 4, 1])).toEqual({ sackPermitted: false })
        expect(optionsOf([1, 0, 1, 1, 3, 3, 7, 1])).toEqual({ sackPermitted: false }) // a window scale after EOL
        expect(Tcp.parseOptions(Uint8Array.from([2, 4, 0x05, 0xb4, 0, 30, 0, 0xff]))).toEqual({ options: MSS_1460_OPTIONS, stopped: undefined, skipped: 0 })
      })

      it("NOPs alone are no options", () => {
        expect(optionsOf([1, 1, 1, 1, 1, 1, 1, 1])).toEqual(Tcp.NO_OPTIONS)
      })

      it("a window shift above 14 is read as 14 (RFC 7323 §2.3; Linux's \"Illegal window scaling value\")", () => {
        for (const [sent, read] of [[0, 0], [13, 13], [14, 14], [15, 14], [255, 14]] as const) {
          expect(optionsOf([1, 3, 3, sent])).toEqual({ sackPermitted: false, windowScale: read })
        }
      })

      it("a repeated option: the last one read counts (Linux overwrites)", () => {
        expect(optionsOf([2, 4, 0x05, 0xb4, 2, 4, 0x02, 0x18])).toEqual({ sackPermitted: false, mss: 536 })
        expect(optionsOf([1, 3, 3, 2, 1, 3, 3, 9])).toEqual({ sackPermitted: false, windowScale: 9 })
        expect(optionsOf([8, 10, 0, 0, 0, 1, 0, 0, 0, 2, 8, 10, 0, 0, 0, 3, 0, 0, 0, 4, 1, 1, 1, 1])).toEqual({
          sackPermitted: false,
          timestamp: { value: 3, echo: 4 }
        })
        expect(optionsOf([1, 1, 5, 10, 0, 0, 0, 1, 0, 0, 0, 2, 1, 1, 5, 10, 0, 0, 0, 5, 0, 0, 0, 6])).toEqual({
          sackPermitted: false,
          sack: [{ left: seq(5), right: seq(6) }]
        })
      })

      it("an MSS of 0 is no announcement, and does not overwrite an earlier one (Linux's tcp_parse_options: if (in_mss))", () => {
        expect(optionsOf([2, 4, 0, 0])).toEqual({ sackPermitted: false })
        expect(optionsOf([2, 4, 0x05, 0xb4, 2, 4, 0, 0])).toEqual({ sackPermitted: false, mss: 1460 })
        expect(optionsOf([2, 4, 0, 0, 2, 4, 0x02, 0x18])).toEqual({ sackPermitted: false, mss: 536 })
      })

      it("an option may end exactly at the data offset", () => {
        expect(optionsOf([1, 1, 8, 10, 0, 0, 0, 7, 0, 0, 0, 9])).toEqual({ sackPermitted: false, timestamp: { value: 7, echo: 9 } })
      })

      it("parseOptions defaults to the whole buffer, and an empty range is no options", () => {
        expect(Tcp.parseOptions(Uint8Array.from([4, 2]))).toEqual({ options: { sackPermitted: true }, stopped: undefined, skipped: 0 })
        expect(Tcp.parseOptions(new Uint8Array(0))).toEqual({ options: Tcp.NO_OPTIONS, stopped: undefined, skipped: 0 })
      })
    })
  })

  describe("properties", () => {
    it.prop(
      "parse(emit(r, p)) == r with p; the checksum verifies and equals the reference",
      [TcpArb.tcpRepr, Arb.payload(1500), Arb.ipv4Addr, Arb.ipv4Addr],
      ([r, p, src, dst]) => {
        const out = Tcp.emit(r, p, src, dst)
        expect(out.length).toBe(20 + Tcp.optionsLength(r) + p.length)
        expect(Tcp.optionsLength(r) % 4).toBe(0)
        expect(u16(out, Tcp.Field.checksum)).toBe(referenceChecksum(out, src, dst))
        expect(Checksum.finish(Checksum.sum(out, Checksum.pseudoHeaderSum(src, dst, 6, out.length)))).toBe(0)
        expect(Tcp.check(out, 0, out.length, src, dst)).toBe(Tcp.headerLen(r))
        expect(Tcp.parse(out, src, dst)).toEqual(Either.right({ ...r, payload: p }))
      },
      { fastCheck: { numRuns: 500 } }
    )

    it.prop(
      "writeHeader at an offset with a gathered payload writes what emit writes",
      [TcpArb.tcpRepr, Arb.payload(600), Arb.ipv4Addr, Arb.ipv4Addr, fc.integer({ min: 0, max: 64 })],
      ([r, p, src, dst, off]) => {
        const hl = Tcp.headerLen(r)
        const out = new Uint8Array(off + hl)
        const sum = Checksum.pseudoHeaderSum(src, dst, Tcp.PROTOCOL, hl + p.length) + Checksum.sum(p)
        expect(Tcp.writeHeader(out, off, r, p.length, sum)).toBe(off + hl)
        const whole = new Uint8Array(hl + p.length)
        whole.set(out.subarray(off))
        whole.set(p, hl)
        expect(G.toHex(whole)).toBe(G.toHex(Tcp.emit(r, p, src, dst)))
      },
      { fastCheck: { numRuns: 300 } }
    )

    it.prop(
      "check and parse never throw on arbitrary octets, offsets and lengths, and agree",
      [Arb.anyBytes, fc.nat(220), fc.nat(220), Arb.ipv4Addr, Arb.ipv4Addr],
      ([b, off, len, src, dst]) => {
        const c = Tcp.check(b, off, len, src, dst)
        expect(c === -1 || c === -2 || c === -3 || (c >= 20 && c <= 60 && c % 4 === 0)).toBe(true)
        const r = Tcp.parse(b, src, dst)
        const whole = Tcp.check(b, 0, b.length, src, dst)
        expect(Either.isRight(r)).toBe(whole >= 0)
        if (Either.isLeft(r)) expect(r.left.reason).toBe(Tcp.checkReason(whole))
        if (b.length < 20) expectReason(r, "Truncated")
      },
      { fastCheck: { numRuns: 2000 } }
    )

    it.prop(
      "random options past a valid checksum: dropped where Linux's signature walk refuses them, else what the reference walk of Linux's rules reads",
      [TcpArb.segmentWithRandomOptions(ADDR_A, ADDR_B)],
      ([b]) => {
        const hl = (b[12]! >>> 4) * 4
        const r = Tcp.parse(b, ADDR_A, ADDR_B)
        if (referenceLinuxRefuses([...b.subarray(20, hl)])) {
          expectReason(r, "Malformed")
          return
        }
        expect(Tcp.check(b, 0, b.length, ADDR_A, ADDR_B)).toBe(hl)
        expect(Either.isRight(r)).toBe(true)
        if (Either.isRight(r)) {
          expect(r.right.options).toEqual(referenceLinux([...b.subarray(20, hl)]))
          expect(r.right.payload.length).toBe(b.length - hl)
          const ws = r.right.options.windowScale
          if (ws !== undefined) expect(ws).toBeLessThanOrEqual(14)
          const sack = r.right.options.sack
          if (sack !== undefined) expect(sack.length >= 1 && sack.length <= 4).toBe(true)
        }
      },
      { fastCheck: { numRuns: 3000 } }
    )

    it.prop(
      "parse never throws on mutated goldens, and check agrees with it",
      [Arb.mutationOf(Object.values(GOLDENS).map((g) => tcpOf(g.hex)))],
      ([b]) => {
        const r = Tcp.parse(b, ADDR_A, ADDR_B)
        expect(Either.isRight(r)).toBe(Tcp.check(b, 0, b.length, ADDR_A, ADDR_B) >= 0)
      },
      { fastCheck: { numRuns: 1000 } }
    )
  })
})

describe("TcpHeader.writePartialChecksum (checksum offload)", () => {
  const addressSum = (src: number, dst: number): number => (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff)

  /** What the link does with NEEDS_CSUM: sum the segment as it stands and store the complement. */
  const complete = (b: Uint8Array, off: number, len: number): number => {
    const c = Checksum.finish(Checksum.sum(b, 0, off, off + len))
    b[off + Tcp.Field.checksum] = c >>> 8
    b[off + Tcp.Field.checksum + 1] = c & 0xff
    return c
  }

  it("TCP_DATA: the field holds the folded pseudo-header sum, and completing it gives the kernel's checksum", () => {
    const b = Uint8Array.from(tcpOf(G.TCP_DATA)) // 49 octets, 198.18.0.1 -> 198.18.0.2
    expect(b.length).toBe(49)
    Tcp.writePartialChecksum(b, 0, addressSum(ADDR_A, ADDR_B), b.length)
    // c612 + 0001 + c612 + 0002 + 0006 + 0031 = 18c5e, folded 8c5f; not complemented
    expect(u16(b, Tcp.Field.checksum)).toBe(0x8c5f)
    expect(G.toHex(b.subarray(0, 16)) + G.toHex(b.subarray(18))).toBe(
      G.toHex(tcpOf(G.TCP_DATA).subarray(0, 16)) + G.toHex(tcpOf(G.TCP_DATA).subarray(18))
    ) // nothing else written
    expect(complete(b, 0, b.length)).toBe(0x38de)
    expect(G.toHex(b)).toBe(tcpHex(G.TCP_DATA))
  })

  it.prop(
    "over a segment emit built, completing the partial checksum gives emit's checksum, which verifies",
    [TcpArb.tcpRepr, Arb.payload(1500), Arb.ipv4Addr, Arb.ipv4Addr, fc.integer({ min: 0, max: 9 })],
    ([r, p, src, dst, off]) => {
      const seg = Tcp.emit(r, p, src, dst)
      const correct = u16(seg, Tcp.Field.checksum)
      // the segment at an offset in a larger buffer, as the send path has it
      const b = new Uint8Array(off + seg.length + 3).fill(0xcc)
      b.set(seg, off)
      Tcp.writePartialChecksum(b, off, addressSum(src, dst), seg.length)
      expect(u16(b, off + Tcp.Field.checksum)).toBe(
        Checksum.partial(Checksum.pseudoHeaderSum(src, dst, Tcp.PROTOCOL, seg.length))
      )
      expect(complete(b, off, seg.length)).toBe(correct)
      expect(Checksum.finish(Checksum.sum(b, Checksum.pseudoHeaderSum(src, dst, Tcp.PROTOCOL, seg.length), off, off + seg.length))).toBe(0)
      expect(Tcp.check(b, off, seg.length, src, dst)).toBe(Tcp.headerLen(r))
    },
    { fastCheck: { numRuns: 300 } }
  )
})
