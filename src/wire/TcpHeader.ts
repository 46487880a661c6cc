/**
 * The TCP header and its options (RFC 9293 §3.1-§3.2; window scale and
 * timestamps from RFC 7323, selective acknowledgment from RFC 2018).
 *
 * Every function is pure: bytes in, bytes or plain data out. Nothing here
 * opens a socket, reads a clock or keeps state between calls; the state
 * machine decides what a segment means, this module only what it says.
 *
 * Receiving. `check` validates a segment in place and allocates nothing (the
 * receive path's form of `parse`): at least 20 octets; a data offset of at
 * least five words that fits the segment; the checksum over the IPv4
 * pseudo-header (RFC 9293 §3.1: source, destination, zero, protocol 6, TCP
 * length) and the whole segment; no options Linux refuses the segment for
 * (below). A segment `check` accepts always parses.
 * `parse` gives the same verdict as a `WireError`, or a `TcpRepr` plus the
 * payload (a view into the input). The segment's length is the IP layer's
 * (total length minus the IP header): TCP has no length field of its own,
 * so every octet given is covered by the checksum and octets past the
 * header are payload.
 *
 * Options (RFC 9293 §3.2) are read as Linux's tcp_parse_options reads them,
 * and the segment goes on with what was read, with one exception that
 * `check` makes: the segment is dropped whole (Malformed) where Linux's
 * tcp_inbound_hash drops it, before any state sees it (and
 * tcp_v4_send_reset sends no reset for it either). Linux (6.7 on) walks
 * every segment's options for an MD5 (RFC 2385) or TCP-AO (RFC 5925)
 * signature, tcp_do_parse_auth_options, while at least 18 octets of them
 * are left (an MD5 option's length, on a kernel built without TCP-AO, as
 * the reference kernel the tests run against is; 5 with TCP-AO, which drops
 * more): a length below 2 or past the options area there, an MD5 option of
 * a length not 18 or a TCP-AO option of 4 octets or less is -EINVAL, and an
 * MD5 option it holds no key for (we hold none) is TCP_MD5UNEXPECTED
 * (`refusedOptions`). RFC 9293 §3.1 (RFC 1122 §4.2.2.5, MUST-7) asks only
 * that an illegal option length not crash TCP, and suggests a reset; a drop
 * is what the peer that matters does. (Linux's TIME-WAIT sockets skip that
 * walk, tcp_v4_rcv handling them before it, so a FIN again with such
 * options is acknowledged there; here it is dropped before any lookup: a
 * difference left, for a segment no honest peer sends.) Nearer the end than
 * 18 octets, and otherwise: EOL ends the list (what follows is padding);
 * NOP is one octet; every other kind is kind, length (counting both), data. A length below 2 ("silly options"),
 * or an option or its length octet running past the options area ("don't
 * parse partial options"), ends the walk there, keeping what came before.
 * A known kind with a length not its own is skipped by its length and the
 * walk goes on; so are unknown kinds. Known kinds: MSS (2, length 4; an MSS
 * of 0 is no announcement, as Linux skips it, and 536 applies), window
 * scale (3, length 3; a shift above 14 is read as 14, RFC 7323 §2.3,
 * Linux's "Illegal window scaling value"), SACK-permitted (4, length 2),
 * SACK (5, length 2 + 8n with n ≥ 1, Linux's `(opsize - TCPOLEN_SACK_BASE)
 * % TCPOLEN_SACK_PERBLOCK == 0`; at most the first 4 blocks are read, as
 * Linux's tcp_sacktag_write_queue), timestamps (8, length 10). Where a kind
 * repeats, the last one read counts (Linux overwrites). `parseOptions` says
 * what the walk stepped over (`OptionsParse`). The codec reads options on
 * any segment: that MSS (RFC 9293 §3.2, MUST-65), window scale (RFC 7323
 * §2.2) and SACK-permitted (RFC 2018 §2) mean something only on a SYN, a
 * SACK only once SACK-permitted was exchanged, a timestamp only once both
 * sent one, is for the state machine to enforce (Linux's tcp_parse_options
 * checks the SYN flag and its `estab` argument there).
 *
 * Flags. `flags` is the octet at offset 13: CWR ECE URG ACK PSH RST SYN FIN.
 * The four bits beside the data offset (reserved in RFC 9293; the old NS
 * bit) are ignored on receipt and sent as zero, as §3.1 requires. `ack` is
 * carried whatever the ACK flag says and means something only when it is set.
 *
 * Sending. `writeHeader` writes header and options in place and finishes the
 * checksum from a sum the caller already holds for the pseudo-header and
 * the payload, so a payload sent from a separate buffer (a gather write) is
 * summed once and never copied here. Options go out in the order, and with
 * the NOP padding, Linux uses (checked against its SYNs in
 * test/fixtures/tcpGoldens.ts): MSS; then SACK-permitted and timestamps
 * sharing a word (`4,2,8,10`), or `NOP,NOP,8,10` without SACK-permitted, or
 * `NOP,NOP,4,2` without timestamps; then `NOP,3,3,shift`; then `NOP,NOP,5,len`
 * and the SACK blocks. Each piece is a whole number of 32-bit words, so the
 * header needs no trailing padding and every field stays aligned. Options
 * beyond 40 octets, a shift above 14, an MSS above 65535 or more than four
 * SACK blocks are caller bugs and throw `RangeError`.
 *
 * @since 0.1.0
 */
import { Either, type Types } from "effect"
import type { SeqNum } from "../tcp/SeqNum.js"
import * as Checksum from "./Checksum.js"
import type { Ipv4Addr } from "./Ipv4Addr.js"
import { WireError } from "./WireError.js"
import { put16, put32, u16, u32 } from "./Bytes.js"

/**
 * Offsets of the header fields, in octets from the start of the header.
 *
 * @category models
 */
export const Field = {
  srcPort: 0,
  dstPort: 2,
  seq: 4,
  ack: 8,
  /** high nibble: header length in 32-bit words; low nibble: reserved */
  dataOffset: 12,
  flags: 13,
  window: 14,
  checksum: 16,
  urgent: 18,
  options: 20
} as const

/** The header without options, in octets. */
export const HEADER_LEN = 20
/** The largest header the 4-bit data offset describes (15 words), in octets. */
export const MAX_HEADER_LEN = 60
/** Room for options, in octets. */
export const MAX_OPTIONS_LEN = MAX_HEADER_LEN - HEADER_LEN
/** IPv4 protocol number of TCP, for the pseudo-header. */
export const PROTOCOL = 6

/**
 * The control bits of the `flags` octet (RFC 9293 §3.1; ECE and CWR from
 * RFC 3168 §6.1).
 *
 * @category models
 */
export const Flag = {
  FIN: 0x01,
  SYN: 0x02,
  RST: 0x04,
  PSH: 0x08,
  ACK: 0x10,
  URG: 0x20,
  ECE: 0x40,
  CWR: 0x80
} as const

/**
 * Option kinds (RFC 9293 §3.2, RFC 7323, RFC 2018).
 *
 * @category models
 */
export const OptionKind = {
  EOL: 0,
  NOP: 1,
  MSS: 2,
  WINDOW_SCALE: 3,
  SACK_PERMITTED: 4,
  SACK: 5,
  TIMESTAMPS: 8,
  /** the TCP MD5 signature (RFC 2385): 18 octets */
  MD5: 19,
  /** TCP-AO (RFC 5925 §2.2): a 4-octet header, then the MAC */
  AO: 29
} as const

const LEN_MSS = 4
const LEN_WINDOW_SCALE = 3
const LEN_SACK_PERMITTED = 2
const LEN_TIMESTAMPS = 10
const LEN_SACK_BLOCK = 8
/** Options left below which Linux's signature walk stops: an MD5 option's length (TCPOLEN_MD5SIG) */
const AUTH_WALK_MIN = 18
const LEN_AO_HEADER = 4

/** The largest window shift RFC 7323 §2.3 allows: windows up to 2^30 octets. */
export const MAX_WINDOW_SHIFT = 14
/** SACK blocks that fit in 40 octets of options (RFC 2018 §3). */
export const MAX_SACK_BLOCKS = 4

/**
 * One block of data the receiver holds beyond the cumulative ACK
 * (RFC 2018 §3): sequence numbers `left` up to, not including, `right`.
 *
 * @category models
 */
export interface SackBlock {
  /** first sequence number of the block */
  readonly left: SeqNum
  /** sequence number just after the last octet of the block */
  readonly right: SeqNum
}

/**
 * The timestamps option (RFC 7323 §3): two 32-bit values in units of the
 * sender's timestamp clock, which only their sender interprets.
 *
 * @category models
 */
export interface Timestamp {
  /** TSval: the sender's timestamp clock when it sent the segment, in its own ticks, uint32 */
  readonly value: number
  /** TSecr: the most recent TSval received from the peer (0 on a SYN), uint32 */
  readonly echo: number
}

/**
 * The options of one segment, parsed. A key is absent when its option was
 * not in the segment.
 *
 * @category models
 */
export interface TcpOptions {
  /** maximum segment size the sender can receive, in octets (RFC 9293 §3.7.1), 1..65535 (0 reads as absent) */
  readonly mss?: number
  /** the sender's receive-window shift count, 0..14 (RFC 7323 §2; larger values read as 14) */
  readonly windowScale?: number
  /** the sender can receive SACK options (RFC 2018 §2) */
  readonly sackPermitted: boolean
  /** 1 to 4 blocks received out of order, the most recent first (RFC 2018 §4); never empty when present */
  readonly sack?: ReadonlyArray<SackBlock>
  /** the timestamps option (RFC 7323 §3) */
  readonly timestamp?: Timestamp
}

/** Options of a segment that carries none (shared: parse allocates nothing for them). */
export const NO_OPTIONS: TcpOptions = Object.freeze({ sackPermitted: false })

/**
 * A TCP header, validated.
 *
 * @category models
 */
export interface TcpRepr {
  /** source port, 0..65535 */
  readonly srcPort: number
  /** destination port, 0..65535 */
  readonly dstPort: number
  /** sequence number of the first octet (or of the SYN) */
  readonly seq: SeqNum
  /** the next sequence number the sender expects; meaningful only with `Flag.ACK` */
  readonly ack: SeqNum
  /** the control bits, an OR of `Flag` values, 0..255 */
  readonly flags: number
  /** the window field as sent, in octets before any window scaling (RFC 7323 §2.2), 0..65535 */
  readonly window: number
  /** the urgent pointer, an offset in octets from `seq`; meaningful only with `Flag.URG` */
  readonly urgent: number
  readonly options: TcpOptions
}

/**
 * A parsed segment: the header and its payload.
 *
 * @category models
 */
export type TcpSegment = TcpRepr & {
  /** the data after the header, a view into the parsed buffer */
  readonly payload: Uint8Array
}

// ---------------------------------------------------------------------------
// receiving
// ---------------------------------------------------------------------------

/** The reasons `check` reports: it returns `-(i + 1)` for `CHECK_REASONS[i]`. */
export const CHECK_REASONS: ReadonlyArray<WireError["reason"]> = [
  "Truncated",
  "BadHeaderLen",
  "BadChecksum",
  "Malformed"
]
const TRUNCATED = -1
const BAD_HEADER_LEN = -2
const BAD_CHECKSUM = -3
const MALFORMED = -4

/** The reason a negative `check` result stands for. */
export const checkReason = (code: number): WireError["reason"] => CHECK_REASONS[-code - 1] ?? "Malformed"

/**
 * What reading one options area gave (`parseOptions`): the options, and
 * what the walk stepped over on the way, as Linux's tcp_parse_options does
 * without a word (see the module doc). For tests, tools and counters; the
 * segment is processed with `options` whatever the rest says.
 *
 * @category models
 */
export interface OptionsParse {
  readonly options: TcpOptions
  /**
   * Why the walk ended before the options area did, if it did: `ShortLength`
   * an option length below 2; `PastEnd` an option, or its length octet,
   * running past the area. What followed was not read. (EOL is an end, not
   * a stop: undefined.)
   */
  readonly stopped: "ShortLength" | "PastEnd" | undefined
  /** options of a known kind skipped for a length not their own */
  readonly skipped: number
}

/** `TcpOptions` as the option walker fills it in. */
type OptionsBuilder = Types.Mutable<TcpOptions>

/**
 * Parse the options in `b[start, end)` (the octets between the fixed header
 * and the data offset) as Linux's tcp_parse_options does: never a failure;
 * see the module doc.
 *
 * @category constructors
 */
export const parseOptions = (b: Uint8Array, start = 0, end = b.length): OptionsParse => {
  const out: OptionsBuilder = { sackPermitted: false }
  let skipped = 0
  let i = start
  while (i < end) {
    const kind = b[i]!
    if (kind === OptionKind.EOL) break
    if (kind === OptionKind.NOP) {
      i++
      continue
    }
    if (end - i < 2) return { options: out, stopped: "PastEnd", skipped } // no room for the length octet
    const len = b[i + 1]!
    if (len < 2) return { options: out, stopped: "ShortLength", skipped }
    if (len > end - i) return { options: out, stopped: "PastEnd", skipped }
    switch (kind) {
      case OptionKind.MSS: {
        if (len !== LEN_MSS) {
          skipped++
          break
        }
        const mss = u16(b, i + 2)
        if (mss !== 0) out.mss = mss
        break
      }
      case OptionKind.WINDOW_SCALE:
        if (len !== LEN_WINDOW_SCALE) skipped++
        else out.windowScale = Math.min(b[i + 2]!, MAX_WINDOW_SHIFT)
        break
      case OptionKind.SACK_PERMITTED:
        if (len !== LEN_SACK_PERMITTED) skipped++
        else out.sackPermitted = true
        break
      case OptionKind.SACK: {
        if (len < 2 + LEN_SACK_BLOCK || (len - 2) % LEN_SACK_BLOCK !== 0) {
          skipped++
          break
        }
        const sack: Array<SackBlock> = []
        const last = i + Math.min(len, 2 + MAX_SACK_BLOCKS * LEN_SACK_BLOCK)
        for (let j = i + 2; j < last; j += LEN_SACK_BLOCK) {
          sack.push({ left: u32(b, j) as SeqNum, right: u32(b, j + 4) as SeqNum })
        }
        out.sack = sack
        break
      }
      case OptionKind.TIMESTAMPS:
        if (len !== LEN_TIMESTAMPS) skipped++
        else out.timestamp = { value: u32(b, i + 2), echo: u32(b, i + 6) }
        break
      default:
        break // unknown kind: skipped by its length (RFC 9293 §3.2, RFC 1122 §4.2.2.5)
    }
    i += len
  }
  return { options: out, stopped: undefined, skipped }
}

/**
 * Whether the options in `b[start, end)` make Linux drop the segment whole
 * (see the module doc): its tcp_do_parse_auth_options walk, while at least
 * 18 octets are left, meets a length below 2 or past `end`, an MD5 option
 * (of the wrong length, or one we hold no key for: we hold none) or a
 * TCP-AO option too short for a MAC. EOL ends the walk.
 */
export const refusedOptions = (b: Uint8Array, start: number, end: number): boolean => {
  let i = start
  while (end - i >= AUTH_WALK_MIN) {
    const kind = b[i]!
    if (kind === OptionKind.EOL) return false
    if (kind === OptionKind.NOP) {
      i++
      continue
    }
    const len = b[i + 1]!
    if (len < 2 || len > end - i) return true
    if (kind === OptionKind.MD5) return true
    if (kind === OptionKind.AO && len <= LEN_AO_HEADER) return true
    i += len
  }
  return false
}

/**
 * Validate the segment at `b[off, off + len)` from `src` to `dst`,
 * allocating nothing: the receive path's form of `parse`, run per segment.
 * `len` is the TCP length the IP layer gave (its total length minus its
 * header). Returns the header length in octets (20..60; the payload is
 * `b[off + headerLength, off + len)`), or a negative code naming the reason
 * (see `CHECK_REASONS`): -1 truncated (under 20 octets, or a data offset past
 * the segment), -2 a data offset under 5 words, -3 a bad checksum, -4
 * options Linux drops the segment for (`refusedOptions`, module doc). With
 * `checksumOk` (someone vouched for it: `Ipv4Packet.checksumOk`) the
 * checksum is not checked at all.
 */
export const check = (
  b: Uint8Array,
  off: number,
  len: number,
  src: Ipv4Addr,
  dst: Ipv4Addr,
  checksumOk = false
): number => {
  if (len < HEADER_LEN || off + len > b.length) return TRUNCATED
  const headerLen = (b[off + Field.dataOffset]! >>> 4) * 4
  if (headerLen < HEADER_LEN) return BAD_HEADER_LEN
  if (headerLen > len) return TRUNCATED
  if (!checksumOk && Checksum.finish(Checksum.sum(b, Checksum.pseudoHeaderSum(src, dst, PROTOCOL, len), off, off + len)) !== 0) {
    return BAD_CHECKSUM
  }
  if (headerLen > HEADER_LEN && refusedOptions(b, off + HEADER_LEN, off + headerLen)) return MALFORMED
  return headerLen
}

/** Source port of the header at `b[off]`. */
export const srcPortAt = (b: Uint8Array, off: number): number => u16(b, off + Field.srcPort)
/** Destination port of the header at `b[off]`. */
export const dstPortAt = (b: Uint8Array, off: number): number => u16(b, off + Field.dstPort)
/** Sequence number of the header at `b[off]`. */
export const seqAt = (b: Uint8Array, off: number): SeqNum => u32(b, off + Field.seq) as SeqNum
/** Acknowledgment number of the header at `b[off]`. */
export const ackAt = (b: Uint8Array, off: number): SeqNum => u32(b, off + Field.ack) as SeqNum
/** Header length of the header at `b[off]`, in octets (the data offset times 4). */
export const headerLenAt = (b: Uint8Array, off: number): number => (b[off + Field.dataOffset]! >>> 4) * 4
/** The control bits of the header at `b[off]` (see `Flag`). */
export const flagsAt = (b: Uint8Array, off: number): number => b[off + Field.flags]!
/** The window field of the header at `b[off]`, in octets before scaling. */
export const windowAt = (b: Uint8Array, off: number): number => u16(b, off + Field.window)
/** The checksum field of the header at `b[off]`. */
export const checksumAt = (b: Uint8Array, off: number): number => u16(b, off + Field.checksum)
/** The urgent pointer of the header at `b[off]`. */
export const urgentAt = (b: Uint8Array, off: number): number => u16(b, off + Field.urgent)

/**
 * Parse the whole of `b` as one segment from `src` to `dst`. The same
 * verdict as `check`, as a value; the payload is a view into `b`.
 *
 * @category constructors
 */
export const parse = (b: Uint8Array, src: Ipv4Addr, dst: Ipv4Addr): Either.Either<TcpSegment, WireError> => {
  const headerLen = check(b, 0, b.length, src, dst)
  if (headerLen < 0) return Either.left(new WireError({ layer: "tcp", reason: checkReason(headerLen) }))
  const options = headerLen > HEADER_LEN ? parseOptions(b, HEADER_LEN, headerLen).options : NO_OPTIONS
  return Either.right({
    srcPort: srcPortAt(b, 0),
    dstPort: dstPortAt(b, 0),
    seq: seqAt(b, 0),
    ack: ackAt(b, 0),
    flags: flagsAt(b, 0),
    window: windowAt(b, 0),
    urgent: urgentAt(b, 0),
    options,
    payload: b.subarray(headerLen)
  })
}

// ---------------------------------------------------------------------------
// sending
// ---------------------------------------------------------------------------

/**
 * Octets of options `writeHeader` writes for `repr`, NOP padding included:
 * always a multiple of 4 (see the module doc for the layout).
 */
export const optionsLength = (repr: TcpRepr): number => {
  const o = repr.options
  let n = 0
  if (o.mss !== undefined) n += 4
  if (o.timestamp !== undefined) n += 12 // SACK-permitted, if any, rides in the timestamps' pad word
  else if (o.sackPermitted) n += 4
  if (o.windowScale !== undefined) n += 4
  if (o.sack !== undefined && o.sack.length > 0) n += 4 + LEN_SACK_BLOCK * o.sack.length
  return n
}

/** Header length `writeHeader` writes for `repr`, in octets (20..60). */
export const headerLen = (repr: TcpRepr): number => HEADER_LEN + optionsLength(repr)

const assertSendable = (o: TcpOptions, optLen: number, segmentLen: number): void => {
  if (optLen > MAX_OPTIONS_LEN) throw new RangeError(`TCP options of ${optLen} octets exceed ${MAX_OPTIONS_LEN}`)
  if (segmentLen > 0xffff) throw new RangeError(`TCP segment of ${segmentLen} octets exceeds 65535`)
  if (o.mss !== undefined && !(o.mss >= 0 && o.mss <= 0xffff)) throw new RangeError(`MSS ${o.mss} is not 0..65535`)
  if (o.windowScale !== undefined && !(o.windowScale >= 0 && o.windowScale <= MAX_WINDOW_SHIFT)) {
    throw new RangeError(`window shift ${o.windowScale} is not 0..${MAX_WINDOW_SHIFT} (RFC 7323 §2.3)`)
  }
  if (o.sack !== undefined && o.sack.length > MAX_SACK_BLOCKS) {
    throw new RangeError(`${o.sack.length} SACK blocks exceed ${MAX_SACK_BLOCKS}`)
  }
}

/**
 * Write the header and options for `repr` at `out[off]` and its checksum,
 * for a segment whose payload of `payloadLength` octets follows (in `out`
 * or in a buffer of its own, sent gathered). Returns the offset where the
 * payload goes (`off + headerLen(repr)`).
 *
 * `sum` is the unfolded sum (`Checksum.sum`, not yet `finish`ed) of the
 * pseudo-header and the payload:
 * `Checksum.pseudoHeaderSum(src, dst, PROTOCOL, headerLen(repr) + payloadLength)
 * + Checksum.sum(payload)`. The header's own words are added here; the header
 * is a whole number of words, so the payload's sum lines up with it. TCP
 * sends a computed checksum of zero as zero (unlike UDP, it has no "no
 * checksum" value). Throws `RangeError` for options that do not fit or hold
 * out-of-range values, or a segment over 65535 octets (caller bugs).
 */
export const writeHeader = (out: Uint8Array, off: number, repr: TcpRepr, payloadLength: number, sum: number): number => {
  const o = repr.options
  const optLen = optionsLength(repr)
  const hl = HEADER_LEN + optLen
  assertSendable(o, optLen, hl + payloadLength)
  put16(out, off + Field.srcPort, repr.srcPort)
  put16(out, off + Field.dstPort, repr.dstPort)
  put32(out, off + Field.seq, repr.seq)
  put32(out, off + Field.ack, repr.ack)
  out[off + Field.dataOffset] = (hl >>> 2) << 4 // reserved bits zero (RFC 9293 §3.1)
  out[off + Field.flags] = repr.flags & 0xff
  put16(out, off + Field.window, repr.window)
  out[off + Field.checksum] = 0
  out[off + Field.checksum + 1] = 0
  put16(out, off + Field.urgent, repr.urgent)
  let i = off + HEADER_LEN
  if (o.mss !== undefined) {
    out[i] = OptionKind.MSS
    out[i + 1] = LEN_MSS
    put16(out, i + 2, o.mss)
    i += 4
  }
  if (o.timestamp !== undefined) {
    if (o.sackPermitted) {
      out[i] = OptionKind.SACK_PERMITTED
      out[i + 1] = LEN_SACK_PERMITTED
    } else {
      out[i] = OptionKind.NOP
      out[i + 1] = OptionKind.NOP
    }
    out[i + 2] = OptionKind.TIMESTAMPS
    out[i + 3] = LEN_TIMESTAMPS
    put32(out, i + 4, o.timestamp.value)
    put32(out, i + 8, o.timestamp.echo)
    i += 12
  } else if (o.sackPermitted) {
    out[i] = OptionKind.NOP
    out[i + 1] = OptionKind.NOP
    out[i + 2] = OptionKind.SACK_PERMITTED
    out[i + 3] = LEN_SACK_PERMITTED
    i += 4
  }
  if (o.windowScale !== undefined) {
    out[i] = OptionKind.NOP
    out[i + 1] = OptionKind.WINDOW_SCALE
    out[i + 2] = LEN_WINDOW_SCALE
    out[i + 3] = o.windowScale
    i += 4
  }
  if (o.sack !== undefined && o.sack.length > 0) {
    out[i] = OptionKind.NOP
    out[i + 1] = OptionKind.NOP
    out[i + 2] = OptionKind.SACK
    out[i + 3] = 2 + LEN_SACK_BLOCK * o.sack.length
    i += 4
    for (const block of o.sack) {
      put32(out, i, block.left)
      put32(out, i + 4, block.right)
      i += LEN_SACK_BLOCK
    }
  }
  const c = Checksum.finish(Checksum.sum(out, sum, off, off + hl))
  put16(out, off + Field.checksum, c)
  return off + hl
}

/**
 * Overwrite the checksum of the header at `out[off]` with the partial one
 * checksum offload wants (`Checksum.partial` of the pseudo-header sum for a
 * segment of `tcpLength` octets): the link completes it over the header and
 * payload.
 */
export const writePartialChecksum = (out: Uint8Array, off: number, addressSum: number, tcpLength: number): void => {
  put16(out, off + Field.checksum, Checksum.partial(addressSum + PROTOCOL + tcpLength))
}

/**
 * A fresh segment: header, options and a copy of `payload`, checksum
 * included. The send path uses `writeHeader`; this is for tests and tools.
 *
 * @category constructors
 */
export const emit = (repr: TcpRepr, payload: Uint8Array, src: Ipv4Addr, dst: Ipv4Addr): Uint8Array => {
  const hl = headerLen(repr)
  const out = new Uint8Array(hl + payload.length)
  out.set(payload, hl)
  const sum = Checksum.pseudoHeaderSum(src, dst, PROTOCOL, hl + payload.length) + Checksum.sum(payload)
  writeHeader(out, 0, repr, payload.length, sum)
  return out
}
