/**
 * ICMP for IPv4 (RFC 792), the messages this stack sends and understands.
 *
 * Every function is pure. `parse` verifies the checksum over the whole
 * message. Echo request/reply carry identifier, sequence number and data;
 * destination unreachable and time exceeded carry the invoking datagram's
 * header plus at least 8 octets of its data (RFC 792; RFC 1812 §4.3.2.3 lets a
 * sender include more, which we do not). Other types parse as `Other` so a
 * dealer can count them. Data is a view into the input.
 *
 * @since 0.1.0
 */
import { Either } from "effect"
import * as Checksum from "./Checksum.js"
import { WireError } from "./WireError.js"
import * as Bytes from "./Bytes.js"

export const Field = { type: 0, code: 1, checksum: 2, ident: 4, seq: 6, mtu: 6, data: 8 } as const
export const HEADER_LEN = 8

export const Type = {
  EchoReply: 0,
  DstUnreachable: 3,
  EchoRequest: 8,
  TimeExceeded: 11,
  ParameterProblem: 12
} as const

export const DstUnreachableCode = {
  NetUnreachable: 0,
  HostUnreachable: 1,
  ProtocolUnreachable: 2,
  PortUnreachable: 3,
  FragmentationNeeded: 4
} as const

export const TimeExceededCode = { TtlExceeded: 0, FragmentReassembly: 1 } as const

export type Icmpv4Repr =
  | { readonly _tag: "EchoRequest"; readonly ident: number; readonly seq: number; readonly data: Uint8Array }
  | { readonly _tag: "EchoReply"; readonly ident: number; readonly seq: number; readonly data: Uint8Array }
  | {
    readonly _tag: "DstUnreachable"
    readonly code: number
    /** next-hop MTU for code 4 (RFC 1191), else 0 */
    readonly nextHopMtu: number
    /** the invoking datagram's IP header and leading data */
    readonly data: Uint8Array
  }
  | { readonly _tag: "TimeExceeded"; readonly code: number; readonly data: Uint8Array }
  | {
    readonly _tag: "Other"
    readonly type: number
    readonly code: number
    /** octets 4..7 of the header, as a 32-bit value */
    readonly rest: number
    readonly data: Uint8Array
  }

const err = (reason: WireError["reason"]) => Either.left(new WireError({ layer: "icmp", reason }))

export const parse = (b: Uint8Array): Either.Either<Icmpv4Repr, WireError> => {
  if (b.length < HEADER_LEN) return err("Truncated")
  if (Checksum.checksum(b) !== 0) return err("BadChecksum")
  const type = b[Field.type]!
  const code = b[Field.code]!
  const w1 = Bytes.u16(b, Field.ident)
  const w2 = Bytes.u16(b, Field.seq)
  const data = b.subarray(HEADER_LEN)
  switch (type) {
    case Type.EchoRequest:
      return code === 0 ? Either.right({ _tag: "EchoRequest", ident: w1, seq: w2, data }) : err("Malformed")
    case Type.EchoReply:
      return code === 0 ? Either.right({ _tag: "EchoReply", ident: w1, seq: w2, data }) : err("Malformed")
    case Type.DstUnreachable:
      return Either.right({ _tag: "DstUnreachable", code, nextHopMtu: code === 4 ? w2 : 0, data })
    case Type.TimeExceeded:
      return Either.right({ _tag: "TimeExceeded", code, data })
    default:
      return Either.right({ _tag: "Other", type, code, rest: ((w1 << 16) | w2) >>> 0, data })
  }
}

/**
 * Validate the message at `b[off, off + len)` in place, allocating nothing
 * (the receive path's form of `parse`): returns its type (>= 0) when the
 * checksum verifies and an echo's code is 0, else -1 truncated, -2 bad
 * checksum, -3 malformed. Fields are then read at the `Field` offsets.
 */
export const check = (b: Uint8Array, off: number, len: number): number => {
  if (len < HEADER_LEN) return -1
  if (Checksum.checksum(b, off, off + len) !== 0) return -2
  const type = b[off + Field.type]!
  if ((type === Type.EchoRequest || type === Type.EchoReply) && b[off + Field.code] !== 0) return -3
  return type
}

export const bufferLen = (repr: Icmpv4Repr): number => HEADER_LEN + repr.data.length

/** Write the message into `out` at `offset`, checksum included; returns the end offset. */
export const encode = (repr: Icmpv4Repr, out: Uint8Array, offset: number): number => {
  let type: number
  let code: number
  let rest: number
  switch (repr._tag) {
    case "EchoRequest":
    case "EchoReply":
      type = repr._tag === "EchoRequest" ? Type.EchoRequest : Type.EchoReply
      code = 0
      rest = (((repr.ident & 0xffff) << 16) | (repr.seq & 0xffff)) >>> 0
      break
    case "DstUnreachable":
      type = Type.DstUnreachable
      code = repr.code
      rest = repr.nextHopMtu & 0xffff
      break
    case "TimeExceeded":
      type = Type.TimeExceeded
      code = repr.code
      rest = 0
      break
    case "Other":
      type = repr.type
      code = repr.code
      rest = repr.rest
      break
  }
  out[offset + Field.type] = type
  out[offset + Field.code] = code
  out[offset + Field.checksum] = 0
  out[offset + Field.checksum + 1] = 0
  Bytes.put32(out, offset + 4, rest)
  out.set(repr.data, offset + HEADER_LEN)
  const end = offset + HEADER_LEN + repr.data.length
  const c = Checksum.checksum(out, offset, end)
  Bytes.put16(out, offset + Field.checksum, c)
  return end
}

export const emit = (repr: Icmpv4Repr): Uint8Array => {
  const out = new Uint8Array(bufferLen(repr))
  encode(repr, out, 0)
  return out
}
