/**
 * What a connection settles in its handshake, as plain functions: the
 * segment sizes (RFC 9293 §3.7.1, RFC 6691, RFC 879), the window scale we
 * offer (RFC 7323 §2), and the initial sequence number (RFC 6528).
 *
 * - MSS we announce: the MTU less the IPv4 and TCP base headers (RFC 6691:
 *   without options).
 * - MSS we send with: the peer's announced MSS, 536 when it sent none
 *   (RFC 9293 §3.7.1, RFC 1122 §4.2.2.6), never above what our own MTU
 *   carries, and never below 48: a peer announcing 0..47 is not obeyed
 *   literally, as Linux's tcp_min_snd_mss (48) does not, since a tiny MSS
 *   makes the sender loop on near-empty segments (TCP-PITFALLS: smoltcp #1161).
 * - Payload per segment: that MSS less the options each segment carries
 *   (12 octets of timestamps when negotiated): the MSS counts options
 *   (RFC 6691), so payload + options never exceed it; and no more than half
 *   the largest window the peer offered (`boundToHalfWindow`, as Linux).
 * - Window scale: the smallest shift that lets the largest receive buffer be
 *   advertised in 16 bits, at most 14 (RFC 7323 §2.3).
 * - ISN (RFC 6528 §3): M + F(local, remote, key), M a timer ticking every
 *   4 µs, F a keyed pseudo-random function of the 4-tuple (SipHash-2-4, as
 *   Linux's secure_tcp_seq; the key is drawn once per stack from the
 *   platform's cryptographic generator by the caller), so sequence numbers
 *   of successive connections on one 4-tuple increase with time and are
 *   unguessable across 4-tuples.
 * - Timestamp offset (RFC 7323 §5.4, "the same function with a different
 *   secret key"; Linux's secure_tcp_ts_off): our TSvals towards a peer are
 *   the timestamp clock plus F(local address, remote address) under a key of
 *   their own. A bare clock would tell every peer the host's clock (its
 *   uptime, here its wall time) and let an observer link the connections of
 *   one host across addresses and count the hosts behind a NAT (§7.1). Per
 *   address pair, not per 4-tuple, as Linux: the TSvals of successive
 *   connections to one peer still rise together, which TIME-WAIT's reuse by
 *   a newer timestamp (RFC 6191) and the peer's PAWS rely on.
 *
 * @since 0.1.0
 */
import * as Sip from "../internal/SipHash.js"
import { MAX_WINDOW_SHIFT } from "../wire/TcpHeader.js"
import * as Seq from "./SeqNum.js"

/** IPv4 (20) + TCP (20) base headers, octets. */
const BASE_HEADERS = 40

/** RFC 9293 §3.7.1: the MSS a peer that announced none can receive. */
export const DEFAULT_MSS = 536

/** The smallest MSS we send with (Linux's tcp_min_snd_mss). */
export const MIN_SEND_MSS = 48

/** The MSS we announce for an IP MTU of `mtu` octets. */
export const announcedMss = (mtu: number): number => Math.min(65535, mtu - BASE_HEADERS)

/** The MSS we send with, from the peer's announcement (undefined: none) and our MTU. */
export const sendMss = (peerMss: number | undefined, mtu: number): number =>
  Math.max(MIN_SEND_MSS, Math.min(peerMss ?? DEFAULT_MSS, announcedMss(mtu)))

/** Payload octets per segment: the send MSS less the options every segment carries. */
export const payloadPerSegment = (mss: number, optionsLength: number): number => Math.max(1, mss - optionsLength)

/**
 * The payload a segment is cut to against the largest window the peer has
 * offered, `maxWindow` (Linux's tcp_bound_to_half_wnd): no more than half of
 * it, so that two segments fit in flight and a window that opens by half
 * lets one go (sender-side silly-window avoidance, RFC 9293 §3.8.6.2.1's
 * Fs = 1/2), or all of it when it is at most 536 octets (halving a tiny
 * window only makes more tiny segments); never below 68 octets (the
 * smallest MTU, RFC 791) less the TCP header `tcpHeaderLen`, as Linux's.
 * 0 (no window heard yet) bounds nothing.
 */
export const boundToHalfWindow = (payload: number, maxWindow: number, tcpHeaderLen: number): number => {
  const cutoff = maxWindow > DEFAULT_MSS ? Math.floor(maxWindow / 2) : maxWindow
  return cutoff > 0 && payload > cutoff ? Math.max(cutoff, MIN_MTU - tcpHeaderLen) : payload
}

/** RFC 791: the datagram every IPv4 module takes unfragmented. */
const MIN_MTU = 68

/** The window-scale shift to offer for a receive buffer of `bufferOctets` (RFC 7323 §2.3: at most 14). */
export const windowShiftFor = (bufferOctets: number): number => {
  let shift = 0
  // Halving, not `>>>`: a 32-bit shift would wrap a buffer of 2^32 octets or more to a small one.
  // (Halving a double is exact, so each step is bufferOctets / 2^shift; `2 ** shift` with the shift
  // a variable cost ~0.38 µs a call here against ~0.01, and a connection pair makes five calls.)
  let left = bufferOctets
  while (shift < MAX_WINDOW_SHIFT && left >= 65536) {
    left /= 2
    shift++
  }
  return shift
}

const WINDOW_UNITS: ReadonlyArray<number> = Array.from({ length: MAX_WINDOW_SHIFT + 1 }, (_, i) => 2 ** i)

/**
 * 2^`shift`: what a window field counts in under that scale (RFC 7323 §2.3), from a table for the
 * shifts a connection has (0..14). `2 ** shift` with the shift a variable is a Math.pow call in V8,
 * ~0.11 µs, and a window is scaled several times per segment (the ACK's window, the one we send,
 * the right edge we announce, the pure-ACK check). Any other shift: the power itself.
 */
export const windowUnit = (shift: number): number => WINDOW_UNITS[shift] ?? 2 ** shift

/** The 4-tuple, from our side. @category models */
export interface FourTuple {
  readonly localAddr: number
  readonly localPort: number
  readonly remoteAddr: number
  readonly remotePort: number
}

/** The offset our timestamp clock carries towards `remoteAddr` from `localAddr` (RFC 7323 §5.4), uint32; `key` not the ISN's. */
export const tsOffset = (key: Sip.SipKey, localAddr: number, remoteAddr: number): number =>
  Sip.hash3(key, localAddr >>> 0, remoteAddr >>> 0, 0) >>> 0

/**
 * The initial sequence number for a connection on `t` at Clock time `nowMs`
 * (RFC 6528 §3), with `key` the stack's secret (16 random octets, `SipHash.keyOf`).
 */
export const isn = (key: Sip.SipKey, t: FourTuple, nowMs: number): Seq.SeqNum => {
  const f = Sip.hash3(key, t.localAddr >>> 0, ((t.localPort << 16) | t.remotePort) >>> 0, t.remoteAddr >>> 0)
  // M: a 4 µs timer, 250 ticks per ms, taken mod 2^32.
  const m = Math.floor(nowMs * 250) % 0x100000000
  return Seq.make(f + m)
}
