/**
 * The receiver's guess of the peer's segment size (Linux's icsk_ack.rcv_mss,
 * tcp_initialize_rcv_mss and tcp_measure_rcv_mss in net/ipv4/tcp_input.c),
 * as pure rules over one small record.
 *
 * The ACK rules count in it: an ACK goes at once when more than one of these
 * arrived since the last ACK (RFC 1122 §4.2.3.2 and RFC 5681 §4.2's "at
 * least every second full-sized segment", which Linux's __tcp_ack_snd_check
 * reads as `rcv_nxt - rcv_wup > rcv_mss`), and quick-ACK mode grants as many
 * ACKs as half the window holds of them (tcp_incr_quickack). The MSS we
 * announced is only the largest the peer may send: a peer whose writes are
 * 1000 octets, or whose path is narrower, sends less, and counting in our MSS
 * would then leave two of its segments waiting for the delayed-ACK timer.
 *
 * - It starts low, since an underestimate is found and mended by the first
 *   larger segment while an overestimate delays ACKs: the least of the MSS we
 *   announced, the MSS we send with, half the window and 536 (RFC 9293
 *   §3.7.1's default), but not below 88 (Linux's TCP_MIN_MSS).
 * - An in-order data segment at least as long raises it to its length (at
 *   most the MSS we announced). An aggregate of several segments (the
 *   sender's TSO handed over uncut) is measured by the length of the
 *   segments it holds, as Linux measures `gso_size ?: skb->len`: the caller
 *   passes `Segment.gsoSize` where the link said it (Link.FrameBatch), so a
 *   peer whose segments are shorter than our MSS (timestamps: 1448 of 1460;
 *   a narrower path) is not taken for one that sends ours; an aggregate whose
 *   link said nothing counts as one of ours.
 * - A shorter segment lowers it only when two in a row have the same length,
 *   less the option octets that vary from segment to segment (SACK blocks),
 *   and only a segment that looks full-sized: 536 octets or more with its
 *   header, or 88 or more without PSH, FIN, URG or SYN (a peer that does not
 *   push would have filled it; the end of a write is no measure).
 * - A segment that leaves the guess where it was, shorter than it, or as long
 *   and pushed, likely ends a write: the sender may wait for its ACK, and the
 *   read that empties the receive buffer sends it at once (`measure`'s
 *   answer; Linux's ICSK_ACK_PUSHED, which tcp_cleanup_rbuf reads).
 *
 * @since 0.1.0
 */
import { FIN, PSH, SYN, URG } from "./Segment.js"
import * as Seq from "./SeqNum.js"

/** Linux's TCP_MIN_MSS: the guess goes no lower. */
export const MIN_MSS = 88

/** RFC 9293 §3.7.1's default MSS (Linux's TCP_MSS_DEFAULT): the guess starts no higher. */
export const DEFAULT_MSS = 536

/** The fixed TCP header, octets. */
const HEADER = 20

/** The flags that mark a segment that need not be full-sized (Linux's TCP_REMNANT): the end of a write, or more than data. */
const REMNANT = FIN | URG | SYN | PSH

/** @category models */
export interface RcvMss {
  /** the guess, octets of payload (0 before the first data: `initial` sets it then) */
  mss: number
  /** the length of the last shorter segment that looked full-sized, options that vary left out; 0: none */
  lastSegSize: number
}

/** @category constructors */
export const make = (): RcvMss => ({ mss: 0, lastSegSize: 0 })

/**
 * The first guess (Linux's tcp_initialize_rcv_mss): `advMss` the MSS we announced, `sndMss` the one
 * we send with, `window` the receive window we announced.
 */
export const initial = (advMss: number, sndMss: number, window: number): number =>
  Math.max(MIN_MSS, Math.min(advMss, sndMss, Math.floor(window / 2), DEFAULT_MSS))

/**
 * An in-order data segment arrived (Linux's tcp_measure_rcv_mss, from tcp_event_data_recv): `len`
 * octets of payload, `options` octets of TCP options, of which `fixedOptions` come on every segment
 * (the timestamps, when negotiated), `flags` its TCP flags; `advMss` is the MSS we announced. True
 * when it likely ends a write (ICSK_ACK_PUSHED): shorter than the guess and not lowering it, or as
 * long and pushed.
 */
export const measure = (
  m: RcvMss,
  len: number,
  options: number,
  fixedOptions: number,
  flags: number,
  advMss: number
): boolean => {
  const last = m.lastSegSize
  m.lastSegSize = 0
  if (len >= m.mss) {
    m.mss = Math.min(len, advMss)
    return (flags & PSH) !== 0
  }
  const whole = HEADER + options + len
  if (whole >= HEADER + DEFAULT_MSS || (whole >= HEADER + MIN_MSS && (flags & REMNANT) === 0)) {
    // (SACK blocks come and go on a peer's data segments; the timestamps stay)
    const size = len + options - fixedOptions
    m.lastSegSize = size
    if (size === last) {
      m.mss = size
      return false
    }
  }
  return true
}

/**
 * The window our last ACK announced (Linux's tp->rcv_wnd), which the first guess halves and the
 * quick-ACK count divides: 0 if it shut the window; before any ACK, after a passive open, the
 * listener's SYN-ACK's, which no scale multiplies (Handshake.synAck), from `capacity`, the receive
 * buffer. `last` is the send half's view of what it announced (Receiver.SendView).
 */
export const lastWindow = (
  last: { readonly rcvEdge: Seq.SeqNum | undefined; readonly lastAckSent: Seq.SeqNum | undefined; readonly rcvShut: boolean },
  capacity: number
): number =>
  last.rcvShut
    ? 0
    : last.rcvEdge === undefined || last.lastAckSent === undefined
    ? Math.min(0xffff, capacity)
    : Math.max(0, Seq.sub(last.rcvEdge, last.lastAckSent))
