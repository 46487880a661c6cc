/**
 * Segments as the pure TCP rules see them: an arriving segment (header fields
 * read once by the dealer, the payload a view into the received frame) and
 * a segment to send (a full header description plus its payload, which the
 * shell writes in place on the send path).
 *
 * @since 0.1.0
 */
import * as TcpWire from "../wire/TcpHeader.js"
import type * as Seq from "./SeqNum.js"

export const { ACK, CWR, ECE, FIN, PSH, RST, SYN, URG } = TcpWire.Flag

/** An arriving segment, validated. @category models */
export interface Segment {
  readonly seq: Seq.SeqNum
  readonly ack: Seq.SeqNum
  readonly flags: number
  /** the window field as received, before scaling */
  readonly window: number
  /** the urgent pointer field (meaningful with URG): an offset from `seq` to the octet after the urgent data */
  readonly urgent: number
  readonly options: TcpWire.TcpOptions
  readonly payload: Uint8Array
  /** the IP header's ECN field said CE, congestion experienced (RFC 3168 §5) */
  readonly ce: boolean
  /**
   * the IP header's ECN field said the sender is ECN-capable, ECT(0), ECT(1) or CE (true), or
   * Not-ECT (false), RFC 3168 §5; undefined when the reader of the frame did not say (then only
   * `ce` is known)
   */
  readonly ect: boolean | undefined
  /**
   * the segment came as a GSO aggregate (the sender's TSO left uncut, or a receiver's GRO): the
   * length of the segments it holds, the last possibly shorter (the virtio-net header's
   * `gso_size`, Linux's skb_shinfo(skb)->gso_size); 0 for a segment as it was sent
   */
  readonly gsoSize: number
}

/** Sequence space the segment occupies: its data plus one each for SYN and FIN (RFC 9293 §3.4). */
export const seqLength = (s: Segment): number =>
  s.payload.length + ((s.flags & SYN) !== 0 ? 1 : 0) + ((s.flags & FIN) !== 0 ? 1 : 0)

/** A segment to send: the header to write and the payload to gather after it. @category models */
export interface OutSegment extends TcpWire.TcpRepr {
  readonly payload: Uint8Array | undefined
  /** send it ECN-capable, ECT(0) in the IP header (RFC 3168 §6.1.2: new data of an ECN connection only) */
  readonly ect?: boolean
}

/**
 * Read the segment at `b[at, at + len)` whose header (`hl` octets) `TcpWire.check` accepted; `ce`: its
 * IP header said CE; `ect`: it said ECT(0), ECT(1) or CE (true) or Not-ECT (false), when the caller says.
 */
export const read = (b: Uint8Array, at: number, hl: number, len: number, ce = false, ect?: boolean, gsoSize = 0): Segment => {
  return {
    seq: TcpWire.seqAt(b, at),
    ack: TcpWire.ackAt(b, at),
    flags: TcpWire.flagsAt(b, at),
    window: TcpWire.windowAt(b, at),
    urgent: TcpWire.urgentAt(b, at),
    // options as Linux reads them: a malformed one ends the walk or is skipped, never drops the segment
    options: hl === TcpWire.HEADER_LEN ? TcpWire.NO_OPTIONS : TcpWire.parseOptions(b, at + TcpWire.HEADER_LEN, at + hl).options,
    payload: b.subarray(at + hl, at + len),
    ce,
    ect,
    gsoSize
  }
}

/** A segment for tests and the listener: fields by name, the rest defaulted. */
export const make = (fields: Partial<Segment> & { readonly seq: Seq.SeqNum; readonly flags: number }): Segment => ({
  ack: 0 as Seq.SeqNum,
  window: 65535,
  urgent: 0,
  options: TcpWire.NO_OPTIONS,
  payload: EMPTY,
  ce: false,
  ect: undefined,
  gsoSize: 0,
  ...fields
})

export const EMPTY = new Uint8Array(0)
