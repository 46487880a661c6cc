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

export const Field = { srcPort: 0, dstPort: 2, length: 4, checksum: 6 } as const
export const HEADER_LEN = 8
const PROTOCOL_UDP = 17

export interface UdpRepr {
  readonly srcPort: number
  readonly dstPort: number
  readonly payload: Uint8Array
}

const err = (reason: WireError["reason"]) => Either.left(new WireError({ layer: "udp", reason }))

export const parse = (b: Uint8Array, src: Ipv4Addr, dst: Ipv4Addr): Either.Either<UdpRepr, WireError> => {
  if (b.length < HEADER_LEN) return err("Truncated")
  const length = (b[Field.length]! << 8) | b[Field.length + 1]!
  if (length < HEADER_LEN) return err("BadLength")
  if (length > b.length) return err("Truncated")
  const sent = (b[Field.checksum]! << 8) | b[Field.checksum + 1]!
  if (sent !== 0) {
    const c = Checksum.finish(Checksum.sum(b, Checksum.pseudoHeaderSum(src, dst, PROTOCOL_UDP, length), 0, length))
    if (c !== 0) return err("BadChecksum")
  }
  return Either.right({
    srcPort: (b[Field.srcPort]! << 8) | b[Field.srcPort + 1]!,
    dstPort: (b[Field.dstPort]! << 8) | b[Field.dstPort + 1]!,
    payload: b.subarray(HEADER_LEN, length)
  })
}

export const bufferLen = (repr: UdpRepr): number => HEADER_LEN + repr.payload.length

/** Write header and payload into `out` at `offset`, checksum included; returns the end offset. */
export const encode = (repr: UdpRepr, src: Ipv4Addr, dst: Ipv4Addr, out: Uint8Array, offset: number): number => {
  const length = HEADER_LEN + repr.payload.length
  if (length > 0xffff) throw new RangeError(`UDP datagram of ${length} octets exceeds 65535`)
  out[offset + Field.srcPort] = repr.srcPort >>> 8
  out[offset + Field.srcPort + 1] = repr.srcPort & 0xff
  out[offset + Field.dstPort] = repr.dstPort >>> 8
  out[offset + Field.dstPort + 1] = repr.dstPort & 0xff
  out[offset + Field.length] = length >>> 8
  out[offset + Field.length + 1] = length & 0xff
  out[offset + Field.checksum] = 0
  out[offset + Field.checksum + 1] = 0
  out.set(repr.payload, offset + HEADER_LEN)
  let c = Checksum.finish(
    Checksum.sum(out, Checksum.pseudoHeaderSum(src, dst, PROTOCOL_UDP, length), offset, offset + length)
  )
  if (c === 0) c = 0xffff
  out[offset + Field.checksum] = c >>> 8
  out[offset + Field.checksum + 1] = c & 0xff
  return offset + length
}

export const emit = (repr: UdpRepr, src: Ipv4Addr, dst: Ipv4Addr): Uint8Array => {
  const out = new Uint8Array(bufferLen(repr))
  encode(repr, src, dst, out, 0)
  return out
}
