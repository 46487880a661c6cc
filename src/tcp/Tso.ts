/**
 * TCP segmentation offload on the send side (DESIGN.md §4): which segments
 * of one send-half wake-up may travel as ONE large segment that the link
 * (the kernel behind the TAP) cuts back into exactly those segments.
 *
 * The pure rules keep deciding per MSS-sized segment (RFC 9293 §3.8.6
 * sending, RFC 5681 windows, RFC 8985 per-segment bookkeeping); only the
 * shell merges. So the merge must be exact: the kernel's cut (Linux
 * tcp_gso_segment) gives every piece the first header with the sequence
 * number advanced, copies the options unchanged, keeps PSH and FIN only on
 * the last piece and CWR only on the first. A run is therefore segments that
 * - carry data, and neither SYN, RST nor URG;
 * - follow each other in sequence space;
 * - have the same ACK number, window and options (timestamps, SACK blocks);
 * - are all exactly the first one's size (the segment size the link cuts
 *   to), but the last, which may be shorter;
 * - have PSH or FIN only on the last, and CWR only on the first;
 * - are all ECN-capable or none (`ect`: the run has one IP header);
 * - fit one IPv4 datagram (65535 octets with headers).
 *
 * @since 0.2.0
 */
import * as TcpWire from "../wire/TcpHeader.js"
import type { OutSegment } from "./Segment.js"
import * as Seq from "./SeqNum.js"

const { CWR, FIN, PSH, RST, SYN, URG } = TcpWire.Flag
/** What the cut changes per piece: PSH and FIN stay on the last, CWR on the first. */
const CUT = PSH | FIN | CWR
/** Largest IPv4 datagram; its header is 20 octets (we send no IP options). */
const MAX_DATAGRAM = 65535
const IP_HEADER = 20

const sameOptions = (a: TcpWire.TcpOptions, b: TcpWire.TcpOptions): boolean => {
  if (a === b) return true
  if (a.mss !== b.mss || a.windowScale !== b.windowScale || a.sackPermitted !== b.sackPermitted) return false
  const ta = a.timestamp
  const tb = b.timestamp
  if (ta !== tb && (ta === undefined || tb === undefined || ta.value !== tb.value || ta.echo !== tb.echo)) return false
  const sa = a.sack
  const sb = b.sack
  if (sa === sb) return true
  if (sa === undefined || sb === undefined || sa.length !== sb.length) return false
  for (let i = 0; i < sa.length; i++) {
    if (sa[i]!.left !== sb[i]!.left || sa[i]!.right !== sb[i]!.right) return false
  }
  return true
}

/**
 * How many segments from `out[from]` on make one run (at least 1; a run of
 * one is a segment sent as it is).
 */
export const runLength = (out: ReadonlyArray<OutSegment>, from: number): number => {
  const first = out[from]!
  const size = first.payload === undefined ? 0 : first.payload.length
  if (size === 0 || (first.flags & (SYN | RST | URG | PSH | FIN)) !== 0) return 1
  const room = MAX_DATAGRAM - IP_HEADER - TcpWire.headerLen(first)
  let total = size
  let next = Seq.add(first.seq, size)
  let n = 1
  for (let i = from + 1; i < out.length; i++) {
    const s = out[i]!
    const len = s.payload === undefined ? 0 : s.payload.length
    if (
      len === 0 || len > size || total + len > room ||
      (s.flags & (SYN | RST | URG | CWR)) !== 0 || (s.flags & ~CUT) !== (first.flags & ~CUT) ||
      s.seq !== next || s.ack !== first.ack || s.window !== first.window || !sameOptions(s.options, first.options) ||
      // (one IP header for the run: ECN-capable or not, all alike)
      s.ect !== first.ect
    ) break
    n++
    total += len
    next = Seq.add(next, len)
    // only the last piece may be short, or carry PSH or FIN
    if (len < size || (s.flags & (PSH | FIN)) !== 0) break
  }
  return n
}

/**
 * The payloads of `out[from, from + n)` as few pieces as possible: views
 * that lie back to back in one buffer (a large write cut into segments) are
 * joined into one view.
 */
export const runPayload = (out: ReadonlyArray<OutSegment>, from: number, n: number): Array<Uint8Array> => {
  const pieces: Array<Uint8Array> = []
  let head = out[from]!.payload!
  let length = head.length
  for (let i = from + 1; i < from + n; i++) {
    const p = out[i]!.payload!
    if (p.buffer === head.buffer && head.byteOffset + length === p.byteOffset) {
      length += p.length
    } else {
      pieces.push(length === head.length ? head : new Uint8Array(head.buffer, head.byteOffset, length))
      head = p
      length = p.length
    }
  }
  pieces.push(length === head.length ? head : new Uint8Array(head.buffer, head.byteOffset, length))
  return pieces
}
