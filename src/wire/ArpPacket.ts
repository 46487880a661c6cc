/**
 * ARP for IPv4 over Ethernet (RFC 826).
 *
 * Every function is pure: bytes in, bytes or plain data out. `parse` accepts
 * only hardware type 1 (Ethernet), protocol type 0x0800 (IPv4) and the
 * matching address lengths 6 and 4; anything else is `Unsupported`, which
 * RFC 826 ("?Do I have the hardware type in ar$hrd?") says to discard.
 * Trailing octets (Ethernet padding) are ignored.
 *
 * @since 0.1.0
 */
import { Either } from "effect"
import * as Ipv4Addr from "./Ipv4Addr.js"
import { WireError } from "./WireError.js"
import * as Bytes from "./Bytes.js"

export const Field = {
  htype: 0,
  ptype: 2,
  hlen: 4,
  plen: 5,
  op: 6,
  senderMac: 8,
  senderIp: 14,
  targetMac: 18,
  targetIp: 24
} as const

/** Length of an Ethernet/IPv4 ARP packet in octets. */
export const PACKET_LEN = 28

export const Op = { Request: 1, Reply: 2 } as const

export interface ArpRepr {
  /** 1 request, 2 reply; other values parse but are ignored by the resolver */
  readonly op: number
  readonly senderMac: Uint8Array
  readonly senderIp: Ipv4Addr.Ipv4Addr
  readonly targetMac: Uint8Array
  readonly targetIp: Ipv4Addr.Ipv4Addr
}

const err = (reason: WireError["reason"]) => Either.left(new WireError({ layer: "arp", reason }))

export const parse = (b: Uint8Array): Either.Either<ArpRepr, WireError> => {
  if (b.length < PACKET_LEN) return err("Truncated")
  const htype = Bytes.u16(b, Field.htype)
  const ptype = Bytes.u16(b, Field.ptype)
  if (htype !== 1 || ptype !== 0x0800 || b[Field.hlen] !== 6 || b[Field.plen] !== 4) return err("Unsupported")
  return Either.right({
    op: Bytes.u16(b, Field.op),
    senderMac: b.slice(Field.senderMac, Field.senderMac + 6),
    senderIp: Ipv4Addr.read(b, Field.senderIp),
    targetMac: b.slice(Field.targetMac, Field.targetMac + 6),
    targetIp: Ipv4Addr.read(b, Field.targetIp)
  })
}

export const encode = (repr: ArpRepr, out: Uint8Array, offset: number): number => {
  out[offset + Field.htype] = 0
  out[offset + Field.htype + 1] = 1
  out[offset + Field.ptype] = 0x08
  out[offset + Field.ptype + 1] = 0x00
  out[offset + Field.hlen] = 6
  out[offset + Field.plen] = 4
  Bytes.put16(out, offset + Field.op, repr.op)
  out.set(repr.senderMac.subarray(0, 6), offset + Field.senderMac)
  Ipv4Addr.write(out, offset + Field.senderIp, repr.senderIp)
  out.set(repr.targetMac.subarray(0, 6), offset + Field.targetMac)
  Ipv4Addr.write(out, offset + Field.targetIp, repr.targetIp)
  return offset + PACKET_LEN
}

export const emit = (repr: ArpRepr): Uint8Array => {
  const out = new Uint8Array(PACKET_LEN)
  encode(repr, out, 0)
  return out
}
