/**
 * The IPv4 header (RFC 791 §3.1).
 *
 * Every function is pure: bytes in, bytes or plain data out. `parse` checks
 * what RFC 1122 §3.2.1 requires of a receiver before anything else looks at a
 * datagram: version 4, a header length of at least five words that fits the
 * buffer, a total length that covers the header and does not exceed the
 * buffer, and the header checksum. Octets past the total length (Ethernet
 * padding) are cut off. Options are kept as raw octets and skipped: this stack
 * acts on none of them (RFC 1122 §3.2.1.8 allows ignoring unknown ones).
 * `payload` and `options` are views into the input.
 *
 * Fragment offsets are in octets here (the wire carries 8-octet units).
 *
 * @since 0.1.0
 */
import { Either } from "effect"
import * as Checksum from "./Checksum.js"
import type { Ipv4Addr } from "./Ipv4Addr.js"
import * as Addr from "./Ipv4Addr.js"
import { WireError } from "./WireError.js"
import * as Bytes from "./Bytes.js"

export const Field = {
  verIhl: 0,
  tos: 1,
  totalLength: 2,
  id: 4,
  flagsFrag: 6,
  ttl: 8,
  protocol: 9,
  checksum: 10,
  src: 12,
  dst: 16,
  options: 20
} as const

export const MIN_HEADER_LEN = 20
export const MAX_HEADER_LEN = 60
/** The largest datagram the 16-bit total length can describe. */
export const MAX_PACKET_LEN = 65535

const FLAG_DF = 0x4000
const FLAG_MF = 0x2000
const FRAG_MASK = 0x1fff

export const Protocol = { ICMP: 1, TCP: 6, UDP: 17 } as const

export interface Ipv4Repr {
  /** type of service / DSCP+ECN octet */
  readonly tos: number
  readonly id: number
  readonly dontFragment: boolean
  readonly moreFragments: boolean
  /** offset of this fragment's data in the original datagram, in octets (a multiple of 8) */
  readonly fragmentOffset: number
  readonly ttl: number
  readonly protocol: number
  readonly src: Ipv4Addr
  readonly dst: Ipv4Addr
  /** raw options, length a multiple of 4 (emit pads), at most 40 octets */
  readonly options: Uint8Array
  readonly payload: Uint8Array
}

export interface ParseOptions {
  /** default true; a NIC with checksum offload may let callers skip it */
  readonly verifyChecksum?: boolean
}

/**
 * The reasons `check` reports: it returns `-(i + 1)` for `CHECK_REASONS[i]`.
 */
export const CHECK_REASONS: ReadonlyArray<WireError["reason"]> = [
  "Truncated",
  "BadVersion",
  "BadHeaderLen",
  "BadLength",
  "BadChecksum",
  "Malformed"
]
const TRUNCATED = -1
const BAD_VERSION = -2
const BAD_HEADER_LEN = -3
const BAD_LENGTH = -4
const BAD_CHECKSUM = -5
const MALFORMED = -6

/**
 * Validate the datagram that starts at `b[off]` and may extend to `b[end]`,
 * allocating nothing: the receive path's form of `parse`, which runs per
 * packet. Returns the header length (>= 20) when the header is sound, else a
 * negative code naming the reason (see `CHECK_REASONS`). On success the
 * datagram ends at `off + totalLength(b, off)`.
 */
export const check = (b: Uint8Array, off: number, end: number, verifyChecksum = true): number => {
  const avail = end - off
  if (avail < MIN_HEADER_LEN) return TRUNCATED
  const verIhl = b[off + Field.verIhl]!
  if (verIhl >>> 4 !== 4) return BAD_VERSION
  const headerLen = (verIhl & 0x0f) * 4
  if (headerLen < MIN_HEADER_LEN) return BAD_HEADER_LEN
  if (headerLen > avail) return TRUNCATED
  const totalLength = Bytes.u16(b, off + Field.totalLength)
  if (totalLength < headerLen) return BAD_LENGTH
  if (totalLength > avail) return TRUNCATED
  if (verifyChecksum && Checksum.checksum(b, off, off + headerLen) !== 0) return BAD_CHECKSUM
  if ((b[off + Field.flagsFrag]! & 0x80) !== 0) return MALFORMED // the reserved flag must be zero
  return headerLen
}

/**
 * What a host makes of a header's options (`optionsVerdict`): fine, a source
 * route, or malformed at `pointer`, the offset in the header of the option
 * at fault (what an ICMP Parameter Problem points at).
 */
export type OptionsVerdict = "Ok" | "SourceRoute" | { readonly _tag: "Malformed"; readonly pointer: number }

const OPT_EOL = 0
const OPT_NOP = 1
/** loose and strict source route (RFC 791 §3.1: copied, class 0, numbers 3 and 9) */
const OPT_LSRR = 0x83
const OPT_SSRR = 0x89

/**
 * The options of the sound header at `b[off]` (`headerLen` octets, from
 * `check`), walked as RFC 791 §3.1 lays them out (EOL ends them, NOP is one
 * octet, every other is type, length, data): malformed when an option's
 * length is below 2 or runs past the header, pointing at that option's type
 * octet (Linux's ip_options_compile drops such a datagram and answers it
 * with a Parameter Problem pointing there), `SourceRoute` when one is a loose
 * or strict source route, which a host drops (RFC 7126 §4.3-4.4; Linux's
 * accept_source_route is off for hosts: a forged route turns the host into a
 * relay). A Record Route or Timestamp option is malformed too where it
 * cannot be filled as RFC 791 §3.1 lays it out, or comes twice, pointing
 * where Linux's ip_options_compile points (`slotFault`).
 */
export const optionsVerdict = (b: Uint8Array, off: number, headerLen: number): OptionsVerdict => {
  const end = off + headerLen
  let i = off + MIN_HEADER_LEN
  let seenMask = 0
  while (i < end) {
    const type = b[i]!
    if (type === OPT_EOL) return "Ok"
    if (type === OPT_NOP) {
      i++
      continue
    }
    if (i + 1 >= end) return { _tag: "Malformed", pointer: i - off }
    const len = b[i + 1]!
    if (len < 2 || i + len > end) return { _tag: "Malformed", pointer: i - off }
    if (type === OPT_LSRR || type === OPT_SSRR) return "SourceRoute"
    if (type === OPT_RR || type === OPT_TS) {
      const seen = type === OPT_RR ? SEEN_RR : SEEN_TS
      if ((seen & seenMask) !== 0) return { _tag: "Malformed", pointer: i - off }
      seenMask |= seen
      const fault = slotFault(b, i, len)
      if (fault !== undefined) return { _tag: "Malformed", pointer: i - off + fault }
    }
    i += len
  }
  return "Ok"
}

/**
 * Where the option holding header octet `pointer` starts, as an offset into the header (the
 * header's length when it is past the options): what a Parameter Problem's `pointer` is part of.
 */
export const optionAt = (b: Uint8Array, off: number, headerLen: number, pointer: number): number => {
  let i = MIN_HEADER_LEN
  while (i < headerLen) {
    const type = b[off + i]!
    const len = type === OPT_EOL || type === OPT_NOP || i + 1 >= headerLen ? 1 : Math.max(1, b[off + i + 1]!)
    if (pointer < i + len) return i
    i += len
  }
  return headerLen
}

const SEEN_RR = 1
const SEEN_TS = 2

/**
 * Where a Record Route or Timestamp option of `len` octets at `b[i]` is at fault, as an offset
 * into it, or undefined when sound (RFC 791 §3.1; the checks and offsets of Linux's
 * ip_options_compile): the length octet when the option has no pointer (or no flags octet), the
 * pointer when it is before the first slot or names a slot (a stamp, or an address and its stamp)
 * the option cannot hold whole, and a full timestamp's flags octet when its overflow count is full
 * too (RFC 791: "the original datagram is considered to be in error"). A full option is sound:
 * the datagram goes on without recording. A timestamp flag RFC 791 does not define is left alone.
 */
const slotFault = (b: Uint8Array, i: number, len: number): number | undefined => {
  const ts = b[i] === OPT_TS
  if (len < (ts ? 4 : 3)) return 1
  const ptr = b[i + 2]!
  if (ptr < (ts ? 5 : 4)) return 2
  if (ptr > len) return ts && b[i + 3]! >>> 4 === 15 ? 3 : undefined
  if (ptr + 3 > len) return 2
  const flag = b[i + 3]! & 0x0f
  if (ts && (flag === TS_ADDR || flag === TS_PRESPEC) && ptr + 7 > len) return 2
  return undefined
}

/** record route and timestamp (RFC 791 §3.1: not copied into fragments, numbers 7 and 4) */
const OPT_RR = 0x07
const OPT_TS = 0x44
/** the timestamp option's flags: timestamps only, address and timestamp, prespecified addresses */
const TS_ONLY = 0
const TS_ADDR = 1
const TS_PRESPEC = 3

/**
 * The options an echo reply carries back (RFC 1122 §3.2.2.6: a Record
 * Route or Timestamp option in an echo request SHOULD be updated to
 * include this host and returned in the reply), as Linux does it: each is
 * taken from the request and filled twice where there is room, once as the
 * request arriving here (ip_options_compile) and once as the reply leaving
 * (ip_options_build), with our address `self` and, for a timestamp,
 * `msSinceMidnight` (RFC 791: milliseconds since midnight UT); a timestamp
 * without room as the request arrives counts once in its overflow field.
 * Other options are not echoed.
 * Undefined when the request has neither, or one is malformed (its pointer
 * outside the option): then the reply goes without options. The result is
 * padded with EOL to a multiple of 4 octets.
 */
export const echoOptions = (
  b: Uint8Array,
  off: number,
  headerLen: number,
  self: Ipv4Addr,
  msSinceMidnight: number
): Uint8Array | undefined => {
  const end = off + headerLen
  const kept: Array<Uint8Array> = []
  let i = off + MIN_HEADER_LEN
  while (i < end) {
    const type = b[i]!
    if (type === OPT_EOL) break
    if (type === OPT_NOP) {
      i++
      continue
    }
    if (i + 1 >= end) return undefined
    const len = b[i + 1]!
    if (len < 2 || i + len > end) return undefined
    if (type === OPT_RR || type === OPT_TS) {
      const o = b.slice(i, i + len)
      if (!(type === OPT_RR ? recordTwice(o, self) : stampTwice(o, self, msSinceMidnight))) return undefined
      kept.push(o)
    }
    i += len
  }
  if (kept.length === 0) return undefined
  const total = kept.reduce((n, o) => n + o.length, 0)
  const out = new Uint8Array((total + 3) & ~3) // EOL (0) pads it
  let at = 0
  for (const o of kept) {
    out.set(o, at)
    at += o.length
  }
  return out
}

/** Record Route: `self` into the next free slot, twice if there is room; false when malformed. */
const recordTwice = (o: Uint8Array, self: Ipv4Addr): boolean => {
  // the pointer is 1-based from the option's start; the first slot is at 4
  if (o.length < 3 || o[2]! < 4) return false
  for (let k = 0; k < 2; k++) {
    const ptr = o[2]!
    if (ptr + 3 > o.length) break // full (RFC 791: the datagram goes on without recording)
    Addr.write(o, ptr - 1, self)
    o[2] = ptr + 4
  }
  return true
}

/**
 * Timestamp: ours (with our address, by the flag), twice if there is room. Without room as the
 * request arrives, the overflow count goes up once and nothing is stamped as the reply leaves;
 * with room for the arriving stamp only, the reply adds none and counts nothing (Linux: the reply
 * stamps only where ip_options_compile stamped, __ip_options_echo).
 */
const stampTwice = (o: Uint8Array, self: Ipv4Addr, ms: number): boolean => {
  if (o.length < 4 || o[2]! < 5) return false
  const flag = o[3]! & 0x0f
  if (flag !== TS_ONLY && flag !== TS_ADDR && flag !== TS_PRESPEC) {
    // a flag RFC 791 does not define: nothing to stamp, the option goes back as it came, but for
    // the overflow a full one counts (Linux's ip_options_compile looks at the flag only with room)
    const overflow = o[3]! >>> 4
    if (o[2]! > o.length && overflow < 15) o[3] = ((overflow + 1) << 4) | flag
    return true
  }
  const entry = flag === TS_ONLY ? 4 : 8
  for (let k = 0; k < 2; k++) {
    const ptr = o[2]!
    if (ptr + entry - 1 > o.length) {
      const overflow = o[3]! >>> 4
      if (k === 0 && overflow < 15) o[3] = ((overflow + 1) << 4) | flag
      break
    }
    if (flag === TS_PRESPEC) {
      // only where the sender named us, in order
      if (Addr.read(o, ptr - 1) !== self) break
      Bytes.put32(o, ptr + 3, ms)
    } else if (flag === TS_ADDR) {
      Addr.write(o, ptr - 1, self)
      Bytes.put32(o, ptr + 3, ms)
    } else {
      Bytes.put32(o, ptr - 1, ms)
    }
    o[2] = ptr + entry
  }
  return true
}

/**
 * Make the header at `out[offset]` (written by `writeHeader`, its total
 * length counting them) carry `options` after its 20 octets: the IHL and
 * the checksum, summed over the options too. `options`' length is a
 * multiple of 4, at most 40.
 */
export const setOptions = (out: Uint8Array, offset: number, options: Uint8Array): void => {
  out[offset + Field.verIhl] = 0x40 | ((MIN_HEADER_LEN + options.length) >>> 2)
  Bytes.put16(out, offset + Field.checksum, 0)
  const sum = Checksum.sum(options, Checksum.sum(out, 0, offset, offset + MIN_HEADER_LEN))
  Bytes.put16(out, offset + Field.checksum, Checksum.finish(sum))
}

/** The total-length field of the header at `b[off]`. */
export const totalLength = (b: Uint8Array, off: number): number =>
  Bytes.u16(b, off + Field.totalLength)

/** Whether the header at `b[off]` is a fragment (MF set or a non-zero offset). */
export const isFragment = (b: Uint8Array, off: number): boolean =>
  ((b[off + Field.flagsFrag]! & 0x3f) | b[off + Field.flagsFrag + 1]!) !== 0

/** The fragment offset of the header at `b[off]`, in octets (0 for fragment zero and whole datagrams). */
export const fragmentOffsetAt = (b: Uint8Array, off: number): number =>
  (Bytes.u16(b, off + Field.flagsFrag) & FRAG_MASK) * 8

/** Whether the header at `b[off]` has MF (more fragments) set. */
export const moreFragmentsAt = (b: Uint8Array, off: number): boolean => (b[off + Field.flagsFrag]! & 0x20) !== 0

export const parse = (b: Uint8Array, options?: ParseOptions): Either.Either<Ipv4Repr, WireError> => {
  const headerLen = check(b, 0, b.length, options?.verifyChecksum !== false)
  if (headerLen < 0) return Either.left(new WireError({ layer: "ipv4", reason: CHECK_REASONS[-headerLen - 1]! }))
  const totalLength = Bytes.u16(b, Field.totalLength)
  const flagsFrag = Bytes.u16(b, Field.flagsFrag)
  return Either.right({
    tos: b[Field.tos]!,
    id: Bytes.u16(b, Field.id),
    dontFragment: (flagsFrag & FLAG_DF) !== 0,
    moreFragments: (flagsFrag & FLAG_MF) !== 0,
    fragmentOffset: (flagsFrag & FRAG_MASK) * 8,
    ttl: b[Field.ttl]!,
    protocol: b[Field.protocol]!,
    src: Addr.read(b, Field.src),
    dst: Addr.read(b, Field.dst),
    options: b.subarray(MIN_HEADER_LEN, headerLen),
    payload: b.subarray(headerLen, totalLength)
  })
}

/** Header length in octets that `emit` will produce for these options. */
export const headerLen = (options: Uint8Array): number => MIN_HEADER_LEN + ((options.length + 3) & ~3)

/** Total octets `emit` produces. */
export const bufferLen = (repr: Ipv4Repr): number => headerLen(repr.options) + repr.payload.length

/**
 * Write the header for `repr` (ignoring `repr.payload` except for its length,
 * given as `payloadLen`) into `out` at `offset`, checksum included. Returns
 * the offset of the payload. Callers that build a frame in one allocation
 * write the payload there themselves.
 */
export const encodeHeader = (
  repr: Omit<Ipv4Repr, "payload">,
  payloadLen: number,
  out: Uint8Array,
  offset: number
): number => {
  const hl = headerLen(repr.options)
  const total = hl + payloadLen
  if (total > MAX_PACKET_LEN) throw new RangeError(`IPv4 datagram of ${total} octets exceeds 65535`)
  if (repr.options.length > 40) throw new RangeError("IPv4 options exceed 40 octets")
  out[offset + Field.verIhl] = 0x40 | (hl >>> 2)
  out[offset + Field.tos] = repr.tos
  Bytes.put16(out, offset + Field.totalLength, total)
  Bytes.put16(out, offset + Field.id, repr.id)
  const ff = (repr.dontFragment ? FLAG_DF : 0) | (repr.moreFragments ? FLAG_MF : 0) |
    ((repr.fragmentOffset >>> 3) & FRAG_MASK)
  Bytes.put16(out, offset + Field.flagsFrag, ff)
  out[offset + Field.ttl] = repr.ttl
  out[offset + Field.protocol] = repr.protocol
  out[offset + Field.checksum] = 0
  out[offset + Field.checksum + 1] = 0
  Addr.write(out, offset + Field.src, repr.src)
  Addr.write(out, offset + Field.dst, repr.dst)
  out.fill(0, offset + MIN_HEADER_LEN, offset + hl)
  out.set(repr.options, offset + MIN_HEADER_LEN)
  const c = Checksum.checksum(out, offset, offset + hl)
  Bytes.put16(out, offset + Field.checksum, c)
  return offset + hl
}

/**
 * Write a 20-octet header (no options) at `out[offset]`, checksum included,
 * from its fields: the send path's form of `encodeHeader`, which builds no
 * repr per packet. `fragmentOffset` is in octets (a multiple of 8).
 */
export const writeHeader = (
  out: Uint8Array,
  offset: number,
  totalLength: number,
  id: number,
  dontFragment: boolean,
  moreFragments: boolean,
  fragmentOffset: number,
  ttl: number,
  protocol: number,
  src: Ipv4Addr,
  dst: Ipv4Addr,
  tos: number
): void => {
  const ff = (dontFragment ? FLAG_DF : 0) | (moreFragments ? FLAG_MF : 0) | ((fragmentOffset >>> 3) & FRAG_MASK)
  // The octets as stored, so that the checksum sums exactly what is written.
  tos &= 0xff
  ttl &= 0xff
  protocol &= 0xff
  out[offset + Field.verIhl] = 0x45
  out[offset + Field.tos] = tos
  Bytes.put16(out, offset + Field.totalLength, totalLength)
  Bytes.put16(out, offset + Field.id, id)
  Bytes.put16(out, offset + Field.flagsFrag, ff)
  out[offset + Field.ttl] = ttl
  out[offset + Field.protocol] = protocol
  Addr.write(out, offset + Field.src, src)
  Addr.write(out, offset + Field.dst, dst)
  // The sum of the nine other words, folded once (RFC 1071).
  const sum = 0x4500 + tos + totalLength + (id & 0xffff) + ff + ((ttl << 8) | protocol) +
    (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff)
  const c = Checksum.finish(sum)
  Bytes.put16(out, offset + Field.checksum, c)
}

/**
 * Make the header at `b[off]` describe a whole datagram of `totalLength`
 * octets: MF clear, offset 0, the new length, the checksum recomputed. A
 * reassembled datagram gets its first fragment's header so, and ICMP errors
 * that quote it then quote what the sender sent (RFC 791 §3.2).
 */
export const makeWhole = (b: Uint8Array, off: number, totalLength: number): void => {
  const hl = (b[off + Field.verIhl]! & 0x0f) * 4
  Bytes.put16(b, off + Field.totalLength, totalLength)
  b[off + Field.flagsFrag] = b[off + Field.flagsFrag]! & 0x40 // keep DF, clear MF and the offset
  b[off + Field.flagsFrag + 1] = 0
  b[off + Field.checksum] = 0
  b[off + Field.checksum + 1] = 0
  const c = Checksum.checksum(b, off, off + hl)
  Bytes.put16(b, off + Field.checksum, c)
}

/** The ECN field, the low two bits of the TOS octet (RFC 3168 §5), and its codepoints. */
export const ECN_MASK = 0x03
export const Ecn = { NotEct: 0, Ect1: 1, Ect0: 2, Ce: 3 } as const

/** The ECN codepoint of the header at `b[off]`. */
export const ecnAt = (b: Uint8Array, off: number): number => b[off + Field.tos]! & ECN_MASK

/**
 * Mark the header at `b[off]` CE (RFC 3168 §5: what a congested router does
 * to an ECN-capable packet), its checksum mended for the one changed word
 * (RFC 1624). False, and nothing written, unless it was ECT(0) or ECT(1).
 */
export const markCe = (b: Uint8Array, off: number): boolean => {
  const ecn = ecnAt(b, off)
  if (ecn === Ecn.NotEct || ecn === Ecn.Ce) return false
  const word = Bytes.u16(b, off + Field.verIhl)
  b[off + Field.tos] = b[off + Field.tos]! | ECN_MASK
  Bytes.put16(b, off + Field.checksum, Checksum.update(Bytes.u16(b, off + Field.checksum), word, Bytes.u16(b, off + Field.verIhl)))
  return true
}

/** A fresh datagram: header and a copy of the payload. Throws RangeError beyond 65535 octets (a caller bug). */
export const emit = (repr: Ipv4Repr): Uint8Array => {
  const out = new Uint8Array(bufferLen(repr))
  const at = encodeHeader(repr, repr.payload.length, out, 0)
  out.set(repr.payload, at)
  return out
}
