/**
 * The virtio-net header: the 10 octets a TAP opened with `IFF_VNET_HDR` puts
 * before every frame, both ways (virtio 1.x §5.1.6 "struct virtio_net_hdr",
 * the layout without `num_buffers`; little-endian, which the addon asks the
 * kernel for with TUNSETVNETLE). It carries the two offloads the stack uses
 * (DESIGN.md §4):
 *
 * - checksum: `NEEDS_CSUM` says the TCP/UDP checksum is partial: the field
 *   at `csumStart + csumOffset` holds only the pseudo-header sum, and whoever
 *   delivers the frame onwards completes it over `[csumStart, end)`.
 *   `DATA_VALID` (receive only) says the kernel already verified it.
 * - segmentation (TSO/GSO): `gsoType` TCPV4 says the frame is one TCP
 *   segment of up to 64 KiB whose payload is to be cut into `gsoSize`-octet
 *   segments (the kernel cuts what we send; what it sends us is one segment
 *   it did not cut, which a host may take whole as Linux's GRO does).
 *
 * Contract: `read` and `write` are the codec. `rxVerdict` decides what the
 * stack may believe about a received frame: the checksum flag it earns, or
 * why its header is refused (a TAP frame with a header we cannot honour is
 * dropped and counted, never guessed at). `txHeader` writes the header for a
 * frame the stack sends with the offloads of `TxMeta` (Link.ts).
 *
 * Pure functions over bytes; nothing here allocates.
 *
 * @since 0.2.0
 */
import * as Eth from "./EthernetFrame.js"
import * as TcpWire from "./TcpHeader.js"

/** Octets of the header. */
export const LEN = 10

/** `flags` bits. */
export const Flag = {
  NeedsCsum: 1,
  DataValid: 2
} as const

/** `gsoType` values; `Ecn` is a bit added to one of them. */
export const Gso = {
  None: 0,
  TcpV4: 1,
  Udp: 3,
  TcpV6: 4,
  UdpL4: 5,
  Ecn: 0x80
} as const

/** Offsets of the fields. */
export const Field = {
  flags: 0,
  gsoType: 1,
  hdrLen: 2,
  gsoSize: 4,
  csumStart: 6,
  csumOffset: 8
} as const

/** The header's fields. @category models */
export interface VirtioNetHeader {
  readonly flags: number
  readonly gsoType: number
  /** octets of headers before the payload (a hint for the receiver) */
  readonly hdrLen: number
  /** payload octets per segment the frame is cut into */
  readonly gsoSize: number
  /** where the checksummed range starts, from the frame's first octet */
  readonly csumStart: number
  /** where the checksum field is, from `csumStart` */
  readonly csumOffset: number
}

const u16 = (b: Uint8Array, at: number): number => b[at]! | (b[at + 1]! << 8)
const put16 = (b: Uint8Array, at: number, v: number): void => {
  b[at] = v & 0xff
  b[at + 1] = (v >>> 8) & 0xff
}

/** The header at `b[at, at + 10)`. */
export const read = (b: Uint8Array, at: number): VirtioNetHeader => ({
  flags: b[at + Field.flags]!,
  gsoType: b[at + Field.gsoType]!,
  hdrLen: u16(b, at + Field.hdrLen),
  gsoSize: u16(b, at + Field.gsoSize),
  csumStart: u16(b, at + Field.csumStart),
  csumOffset: u16(b, at + Field.csumOffset)
})

/** Write `h` at `b[at, at + 10)`. */
export const write = (b: Uint8Array, at: number, h: VirtioNetHeader): void => {
  b[at + Field.flags] = h.flags
  b[at + Field.gsoType] = h.gsoType
  put16(b, at + Field.hdrLen, h.hdrLen)
  put16(b, at + Field.gsoSize, h.gsoSize)
  put16(b, at + Field.csumStart, h.csumStart)
  put16(b, at + Field.csumOffset, h.csumOffset)
}

const IPV4 = 0x0800
const TCP = 6
const UDP = 17
/** Where the checksum field is in a TCP and in a UDP header. */
const TCP_CSUM_OFFSET = 16
const UDP_CSUM_OFFSET = 6

/** Why a received header was refused. @category models */
export type Malformed =
  /** a GSO type other than TCPv4 (we never enable the others) */
  | "UnexpectedGso"
  /** TCPv4 GSO with a zero `gsoSize`, or on a frame that is not IPv4/TCP, or without NEEDS_CSUM */
  | "BadGso"
  /** NEEDS_CSUM whose `csumStart`/`csumOffset` are not the TCP or UDP checksum of an IPv4 frame */
  | "BadCsumOffsets"
  /** flag bits we do not know */
  | "UnknownFlags"

/** Every `Malformed`, indexed by `-verdict - 1`. */
export const MALFORMED: ReadonlyArray<Malformed> = ["UnexpectedGso", "BadGso", "BadCsumOffsets", "UnknownFlags"]

/** `rxVerdict`'s answer for a frame whose TCP/UDP checksum the kernel vouches for. */
export const CHECKSUM_OK = 1

/**
 * What the header at `b[hdrAt]` lets the stack believe about the frame at
 * `b[frameAt, frameAt + frameLen)`: `CHECKSUM_OK` when the kernel verified
 * the frame's TCP/UDP checksum or left it partial (it built the frame
 * itself), 0 when it says nothing, and a negative value (`-(i + 1)` for
 * `MALFORMED[i]`) when the header cannot be honoured.
 *
 * A partial checksum is only taken where the stack knows the field: the TCP
 * or UDP checksum of an IPv4 datagram, right after its IP header.
 */
export const rxVerdict = (b: Uint8Array, hdrAt: number, frameAt: number, frameLen: number): number => {
  const flags = b[hdrAt + Field.flags]!
  const type = b[hdrAt + Field.gsoType]!
  const gso = type & ~Gso.Ecn
  if ((flags & ~(Flag.NeedsCsum | Flag.DataValid)) !== 0) return -4
  if (gso !== Gso.None && gso !== Gso.TcpV4) return -1
  // the ECN bit qualifies a GSO type; alone it is malformed (Linux refuses it too)
  if (type === Gso.Ecn) return -2
  if (flags === 0) return gso === Gso.None ? 0 : -2
  // The L4 header of an IPv4 frame, if this is one with a whole IP header.
  let l4 = -1
  let protocol = -1
  if (frameLen >= Eth.HEADER_LEN + 20 && ((b[frameAt + 12]! << 8) | b[frameAt + 13]!) === IPV4) {
    const vihl = b[frameAt + Eth.HEADER_LEN]!
    const ihl = (vihl & 0x0f) * 4
    if (vihl >> 4 === 4 && ihl >= 20 && Eth.HEADER_LEN + ihl <= frameLen) {
      l4 = Eth.HEADER_LEN + ihl
      protocol = b[frameAt + Eth.HEADER_LEN + 9]!
    }
  }
  if (gso === Gso.TcpV4) {
    if ((flags & Flag.NeedsCsum) === 0 || protocol !== TCP || u16(b, hdrAt + Field.gsoSize) === 0) return -2
  }
  if ((flags & Flag.NeedsCsum) !== 0) {
    const start = u16(b, hdrAt + Field.csumStart)
    const offset = u16(b, hdrAt + Field.csumOffset)
    const want = protocol === TCP ? TCP_CSUM_OFFSET : protocol === UDP ? UDP_CSUM_OFFSET : -1
    if (l4 < 0 || want < 0 || start !== l4 || offset !== want || start + offset + 2 > frameLen) return -3
    return CHECKSUM_OK
  }
  // DATA_VALID alone: vouches for the checksum of whatever transport it is.
  return l4 >= 0 && (protocol === TCP || protocol === UDP) ? CHECKSUM_OK : 0
}

/**
 * The segment size the header at `b[hdrAt]` gives a TCPv4 GSO frame (`gsoSize`: the sender's TSO
 * left the frame uncut), 0 for any other frame. Meaningful for a header `rxVerdict` accepted.
 */
export const rxGsoSize = (b: Uint8Array, hdrAt: number): number =>
  (b[hdrAt + Field.gsoType]! & ~Gso.Ecn) === Gso.TcpV4 ? u16(b, hdrAt + Field.gsoSize) : 0

/**
 * Write at `out[at, at + 10)` the header for the frame whose first piece is
 * `head` (Ethernet, IPv4 and transport headers; `HEADROOM` + IP header + the
 * transport header at least), sent with the offloads `meta` asks for
 * (Link.ts `TxMeta`: a partial checksum, and a segment size to cut TCP
 * payload into). `meta` 0 writes the all-zero header (no offload).
 */
export const txHeader = (out: Uint8Array, at: number, meta: number, head: Uint8Array): void => {
  out.fill(0, at, at + LEN)
  if (meta === 0) return
  const ihl = (head[Eth.HEADER_LEN]! & 0x0f) * 4
  const start = Eth.HEADER_LEN + ihl
  const protocol = head[Eth.HEADER_LEN + 9]!
  out[at + Field.flags] = Flag.NeedsCsum
  put16(out, at + Field.csumStart, start)
  put16(out, at + Field.csumOffset, protocol === UDP ? UDP_CSUM_OFFSET : TCP_CSUM_OFFSET)
  const gsoSize = meta >>> 1
  if (gsoSize > 0 && protocol === TCP) {
    // a run whose first header says CWR is marked ECN, as Linux's tcp_ecn_send marks its skb
    // (SKB_GSO_TCP_ECN): a device that cannot keep CWR on the first piece alone leaves the cut to
    // software, which does
    out[at + Field.gsoType] = (TcpWire.flagsAt(head, start) & TcpWire.Flag.CWR) !== 0 ? Gso.TcpV4 | Gso.Ecn : Gso.TcpV4
    put16(out, at + Field.hdrLen, start + (head[start + 12]! >>> 4) * 4)
    put16(out, at + Field.gsoSize, gsoSize)
  }
}
