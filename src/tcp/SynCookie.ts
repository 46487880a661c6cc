/**
 * SYN cookies (RFC 4987 §3.6): when a listener's SYN queue is full, the
 * SYN-ACK's initial sequence number carries what the half-open record would
 * have held, so the stack keeps nothing until the peer's ACK returns it and
 * the connection is built from the ACK alone. A flood of SYNs from spoofed
 * sources then costs no memory and does not lock real clients out.
 *
 * The cookie (our ISS), 32 bits:
 * - 5 bits: the time step (64 s, as Linux's) modulo 32, so a cookie is
 *   accepted in its own step and the next: 64 to 128 s after it was made;
 * - 3 bits: the index of the peer's MSS in `MSS_TABLE` (the largest entry
 *   not above what the peer announced);
 * - 24 bits: a MAC, SipHash-2-4 under the stack's secret of the 4-tuple,
 *   the peer's ISN, the full time step and the MSS index. Guessing one
 *   takes 2^24 tries per 4-tuple and step.
 *
 * What does not fit travels in the timestamp option when the SYN had one
 * (as Linux does): the low 5 bits of our TSval say the peer's window shift
 * (4 bits, 15 for "not offered") and whether it offered SACK. Without
 * timestamps a cookie connection has no window scaling and no SACK: the
 * SYN-ACK offers neither, so both sides agree on that.
 *
 * Pure functions of the key, the segment's numbers and the Clock time.
 *
 * @since 0.1.0
 */
import * as Sip from "../internal/SipHash.js"
import type { FourTuple } from "./Negotiation.js"
import * as Seq from "./SeqNum.js"

/** MSS values a cookie can name, ascending: what peers announce on common paths. */
export const MSS_TABLE: ReadonlyArray<number> = [536, 1200, 1300, 1380, 1400, 1440, 1460, 8960]

/** A cookie's time step, ms. */
export const STEP_MS = 64_000

const stepOf = (nowMs: number): number => Math.floor(nowMs / STEP_MS)

/** The largest table entry not above the peer's MSS (536, RFC 9293's default, when it said nothing or less). */
export const mssIndex = (peerMss: number | undefined): number => {
  const m = peerMss ?? 536
  let i = 0
  while (i + 1 < MSS_TABLE.length && MSS_TABLE[i + 1]! <= m) i++
  return i
}

/** The MAC covers the MSS index too: a flipped index bit must not pass as another MSS. */
const mac = (key: Sip.SipKey, t: FourTuple, peerIsn: Seq.SeqNum, step: number, index: number): number => {
  const flow = Sip.hash3(key, t.localAddr >>> 0, ((t.localPort << 16) | t.remotePort) >>> 0, t.remoteAddr >>> 0)
  return Sip.hash3(key, flow, peerIsn >>> 0, ((step * 8) + index) >>> 0) & 0xffffff
}

/** Our ISS for a SYN answered with a cookie. @category constructors */
export const make = (
  key: Sip.SipKey,
  t: FourTuple,
  peerIsn: Seq.SeqNum,
  peerMss: number | undefined,
  nowMs: number
): Seq.SeqNum => {
  const step = stepOf(nowMs)
  const index = mssIndex(peerMss)
  return Seq.make((((step & 31) << 27) | (index << 24) | mac(key, t, peerIsn, step, index)) >>> 0)
}

/**
 * What a returning cookie says: the MSS to use, or undefined when the
 * cookie is not one we made for this 4-tuple and peer ISN within the last
 * two time steps. `cookie` is SEG.ACK - 1, `peerIsn` SEG.SEQ - 1 of the ACK.
 */
export const check = (
  key: Sip.SipKey,
  t: FourTuple,
  peerIsn: Seq.SeqNum,
  cookie: Seq.SeqNum,
  nowMs: number
): { readonly mss: number } | undefined => {
  const now = stepOf(nowMs)
  const stamp = cookie >>> 27
  for (const step of [now, now - 1]) {
    if (step < 0 || (step & 31) !== stamp) continue
    const index = (cookie >>> 24) & 7
    if (mac(key, t, peerIsn, step, index) === (cookie & 0xffffff)) return { mss: MSS_TABLE[index]! }
  }
  return undefined
}

/** What the SYN offered that the cookie's timestamp carries. @category models */
export interface Offered {
  /** the peer's window shift (0..14), undefined when it offered no scaling */
  readonly windowShift: number | undefined
  readonly sackOk: boolean
  /** an ECN-setup SYN (RFC 3168 §6.1.1) that we took */
  readonly ecn: boolean
}

const NO_SCALE = 0xf

/**
 * Our TSval for a cookie SYN-ACK: the clock's value with its low 6 bits
 * replaced by what the SYN offered (the shift, SACK, ECN: as Linux's
 * cookie_init_timestamp), kept at or below the clock (TSvals must
 * not run ahead of the clock that later ones come from).
 */
export const tsvalFor = (clock: number, offered: Offered): number => {
  const low = (offered.windowShift === undefined ? NO_SCALE : offered.windowShift & 0xf) | (offered.sackOk ? 0x10 : 0) |
    (offered.ecn ? 0x20 : 0)
  const v = ((clock & ~0x3f) | low) >>> 0
  return v > clock >>> 0 ? (v - 64) >>> 0 : v
}

/** What a cookie ACK's TSecr (our TSval, echoed) says the SYN offered. */
export const offeredOf = (tsecr: number): Offered => {
  const shift = tsecr & 0xf
  return { windowShift: shift === NO_SCALE || shift > 14 ? undefined : shift, sackOk: (tsecr & 0x10) !== 0, ecn: (tsecr & 0x20) !== 0 }
}
