/**
 * ICMP for IPv4 (RFC 792), the messages this stack sends and understands.
 *
 * Every function is pure. `parse` verifies the checksum over the whole
 * message. Echo request/reply carry identifier, sequence number and data;
 * destination unreachable and time exceeded carry the invoking datagram's
 * header plus at least 8 octets of its data (RFC 792; RFC 1812 §4.3.2.3 lets a
 * sender include more, which we do not). A redirect (RFC 792 type 5, codes
 * 0-3; RFC 1122 §3.2.2.2) carries the gateway to use instead and the
 * datagram that drew it: its header and at least 8 octets are required (as
 * Linux's icmp_redirect and icmp_socket_deliver require them), since the
 * quoted destination is what the redirect is about. Other types parse as
 * `Other` so a dealer can count them. Data is a view into the input.
 *
 * @since 0.1.0
 */
import { Either } from "effect"
import * as Checksum from "./Checksum.js"
import { WireError } from "./WireError.js"
import * as Bytes from "./Bytes.js"

export const Field = { type: 0, code: 1, checksum: 2, ident: 4, seq: 6, mtu: 6, gateway: 4, data: 8 } as const
export const HEADER_LEN = 8

export const Type = {
  EchoReply: 0,
  DstUnreachable: 3,
  Redirect: 5,
  EchoRequest: 8,
  TimeExceeded: 11,
  ParameterProblem: 12,
  TimestampRequest: 13,
  TimestampReply: 14
} as const

export const DstUnreachableCode = {
  NetUnreachable: 0,
  HostUnreachable: 1,
  ProtocolUnreachable: 2,
  PortUnreachable: 3,
  FragmentationNeeded: 4
} as const

export const TimeExceededCode = { TtlExceeded: 0, FragmentReassembly: 1 } as const

/**
 * RFC 792's redirect codes: for the network, the host, and either for one type of service. A host
 * treats them all as host redirects (RFC 1122 §3.2.2.2: "a host SHOULD treat a Network Redirect
 * the same as a Host Redirect", RFC 1812 §5.2.7.2 deprecates the network ones; Linux's
 * __ip_do_redirect takes the four alike).
 */
export const RedirectCode = { Network: 0, Host: 1, NetworkTos: 2, HostTos: 3 } as const

/** The least quote a redirect must carry: an IPv4 header without options and 8 octets of its data. */
const MIN_QUOTE = 28

/** The source address of the datagram a redirect (or error) quotes in `data`. */
export const quotedSource = (data: Uint8Array): number => Bytes.u32(data, 12)
/** The destination address of the datagram quoted in `data`: what a redirect is about. */
export const quotedDestination = (data: Uint8Array): number => Bytes.u32(data, 16)

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
    readonly _tag: "Redirect"
    /** `RedirectCode`: 0-3 */
    readonly code: number
    /** the gateway to send the quoted datagram's destination's traffic to (RFC 792) */
    readonly gateway: number
    /** the redirected datagram's IPv4 header and at least 8 octets of its data */
    readonly data: Uint8Array
  }
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
    case Type.Redirect: {
      // RFC 792 defines codes 0-3 only. (Linux's __ip_do_redirect switches on `code & 7`, so
      // 8-11 pass as 0-3 there; no RFC gives them that meaning, and we refuse them.)
      if (code > RedirectCode.HostTos) return err("Malformed")
      if (data.length < MIN_QUOTE) return err("Truncated")
      const first = data[0]!
      const hl = (first & 0x0f) * 4
      if (first >>> 4 !== 4 || hl < 20) return err("Malformed")
      if (data.length < hl + 8) return err("Truncated")
      return Either.right({ _tag: "Redirect", code, gateway: ((w1 << 16) | w2) >>> 0, data })
    }
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
    case "Redirect":
      type = Type.Redirect
      code = repr.code
      rest = repr.gateway >>> 0
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
