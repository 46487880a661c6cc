/**
 * The UDP header (RFC 768).
 *
 * Every function is pure. `parse` needs the IPv4 source and destination for
 * the pseudo-header checksum. A zero checksum means the sender computed none
 * and is accepted (RFC 768, RFC 1122 §4.1.3.4); a computed zero is sent as
 * 0xffff. The length field must cover the header and fit the datagram; octets
 * beyond it are cut off. The payload is a view into the input.
 *
 * @since 0.1.0
 */
import { Either } from "effect"
import * as Checksum from "./Checksum.js"
import type { Ipv4Addr } from "./Ipv4Addr.js"
import { WireError } from "./WireError.js"
import * as Bytes from "./Bytes.js"

export const Field = { srcPort: 0, dstPort: 2, length: 4, checksum: 6 } as const
export const HEADER_LEN = 8
const PROTOCOL_UDP = 17

export interface UdpRepr {
  readonly srcPort: number
  readonly dstPort: number
  readonly payload: Uint8Array
}

/**
 * Validate the datagram at `b[off, off + avail)` from `src` to `dst`,
 * allocating nothing (the receive path's form of `parse`). Returns the UDP
 * length (>= 8; the payload is `b[off + 8, off + length)`), or -1 when
 * truncated, -2 for a bad length field, -3 for a bad checksum. With
 * `checksumOk` (someone vouched for it) the checksum is not checked.
 */
export const check = (
  b: Uint8Array,
  off: number,
  avail: number,
  src: Ipv4Addr,
  dst: Ipv4Addr,
  checksumOk = false
): number => {
  if (avail < HEADER_LEN) return -1
  const length = Bytes.u16(b, off + Field.length)
  if (length < HEADER_LEN) return -2
  if (length > avail) return -1
  if (!checksumOk && (b[off + Field.checksum] !== 0 || b[off + Field.checksum + 1] !== 0)) {
    const c = Checksum.finish(Checksum.sum(b, Checksum.pseudoHeaderSum(src, dst, PROTOCOL_UDP, length), off, off + length))
    if (c !== 0) return -3
  }
  return length
}

const CHECK_REASONS: ReadonlyArray<WireError["reason"]> = ["Truncated", "BadLength", "BadChecksum"]

/** The reason a negative `check` result stands for. */
export const checkReason = (code: number): WireError["reason"] => CHECK_REASONS[-code - 1] ?? "Malformed"

/** Source port of the header at `b[off]`. */
export const srcPortAt = (b: Uint8Array, off: number): number => Bytes.u16(b, off + Field.srcPort)
/** Destination port of the header at `b[off]`. */
export const dstPortAt = (b: Uint8Array, off: number): number => Bytes.u16(b, off + Field.dstPort)

export const parse = (b: Uint8Array, src: Ipv4Addr, dst: Ipv4Addr): Either.Either<UdpRepr, WireError> => {
  const length = check(b, 0, b.length, src, dst)
  if (length < 0) return Either.left(new WireError({ layer: "udp", reason: checkReason(length) }))
  return Either.right({
    srcPort: srcPortAt(b, 0),
    dstPort: dstPortAt(b, 0),
    payload: b.subarray(HEADER_LEN, length)
  })
}

export const bufferLen = (repr: UdpRepr): number => HEADER_LEN + repr.payload.length

/** Write header and payload into `out` at `offset`, checksum included; returns the end offset. */
export const encode = (repr: UdpRepr, src: Ipv4Addr, dst: Ipv4Addr, out: Uint8Array, offset: number): number => {
  const length = HEADER_LEN + repr.payload.length
  if (length > 0xffff) throw new RangeError(`UDP datagram of ${length} octets exceeds 65535`)
  out.set(repr.payload, offset + HEADER_LEN)
  const sum = Checksum.sum(repr.payload, Checksum.pseudoHeaderSum(src, dst, PROTOCOL_UDP, length))
  writeHeader(out, offset, repr.srcPort, repr.dstPort, length, sum)
  return offset + length
}

/**
 * Write the 8-octet header at `out[offset]` for a datagram of `length`
 * octets whose payload is elsewhere (a gather write), given `sum`: the
 * unfolded sum of the pseudo-header and the payload (`Checksum.sum`). The
 * header's own words are added here, so the payload is summed only once.
 */
export const writeHeader = (
  out: Uint8Array,
  offset: number,
  srcPort: number,
  dstPort: number,
  length: number,
  sum: number
): void => {
  Bytes.put16(out, offset + Field.srcPort, srcPort)
  Bytes.put16(out, offset + Field.dstPort, dstPort)
  Bytes.put16(out, offset + Field.length, length)
  let c = Checksum.finish(sum + srcPort + dstPort + length)
  if (c === 0) c = 0xffff // RFC 768: a computed zero is sent as all ones
  Bytes.put16(out, offset + Field.checksum, c)
}

export const emit = (repr: UdpRepr, src: Ipv4Addr, dst: Ipv4Addr): Uint8Array => {
  const out = new Uint8Array(bufferLen(repr))
  encode(repr, src, dst, out, 0)
  return out
}
