/**
 * Ethernet II framing (IEEE 802.3 with an EtherType, RFC 894).
 *
 * Every function is pure: bytes in, bytes or plain data out. Nothing here
 * touches a device. Frames carry no preamble and no FCS (a TAP hands us
 * neither). `parse` never throws: short input is a `WireError`. The payload
 * of a parsed frame is a view into the input, not a copy; it may include the
 * padding that brings short frames to 60 octets, which the layer above trims
 * with its own length field.
 *
 * @since 0.1.0
 */
import { Either } from "effect"
import { WireError } from "./WireError.js"
import * as Bytes from "./Bytes.js"

/** Octet offsets of the header fields. */
export const Field = { dst: 0, src: 6, etherType: 12 } as const

/** Header length in octets. */
export const HEADER_LEN = 14

/** EtherType values this stack knows (IEEE registry). */
export const EtherType = { IPv4: 0x0800, ARP: 0x0806, IPv6: 0x86dd, VLAN: 0x8100 } as const

/** ff:ff:ff:ff:ff:ff */
export const BROADCAST: Uint8Array = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff])

/** The validated frame. `payload` is a view into the parsed buffer. */
export interface EthernetRepr {
  readonly dst: Uint8Array
  readonly src: Uint8Array
  readonly etherType: number
  readonly payload: Uint8Array
}

export const parse = (frame: Uint8Array): Either.Either<EthernetRepr, WireError> => {
  if (frame.length < HEADER_LEN) return Either.left(new WireError({ layer: "ethernet", reason: "Truncated" }))
  return Either.right({
    dst: frame.subarray(Field.dst, Field.dst + 6),
    src: frame.subarray(Field.src, Field.src + 6),
    etherType: Bytes.u16(frame, Field.etherType),
    payload: frame.subarray(HEADER_LEN)
  })
}

/** Read the EtherType without building a repr (hot-path dispatch). Undefined when truncated. */
export const etherTypeOf = (frame: Uint8Array): number | undefined =>
  frame.length < HEADER_LEN ? undefined : Bytes.u16(frame, Field.etherType)

/** Write the 14-octet header into `out` at `offset`; returns the offset after it. */
export const encodeHeader = (
  out: Uint8Array,
  offset: number,
  dst: Uint8Array,
  src: Uint8Array,
  etherType: number
): number => {
  // Octet by octet: no view per call (this runs for every frame sent).
  for (let i = 0; i < 6; i++) {
    out[offset + Field.dst + i] = dst[i]!
    out[offset + Field.src + i] = src[i]!
  }
  Bytes.put16(out, offset + Field.etherType, etherType)
  return offset + HEADER_LEN
}

/** A fresh frame: header followed by a copy of the payload. */
export const emit = (repr: EthernetRepr): Uint8Array => {
  const out = new Uint8Array(HEADER_LEN + repr.payload.length)
  encodeHeader(out, 0, repr.dst, repr.src, repr.etherType)
  out.set(repr.payload, HEADER_LEN)
  return out
}

export const isBroadcast = (mac: Uint8Array): boolean =>
  mac[0] === 0xff && mac[1] === 0xff && mac[2] === 0xff && mac[3] === 0xff && mac[4] === 0xff && mac[5] === 0xff

/** The I/G bit: group (multicast or broadcast) addresses. */
export const isMulticast = (mac: Uint8Array): boolean => (mac[0]! & 1) === 1

export const macEquals = (a: Uint8Array, b: Uint8Array): boolean =>
  a[0] === b[0] && a[1] === b[1] && a[2] === b[2] && a[3] === b[3] && a[4] === b[4] && a[5] === b[5]
