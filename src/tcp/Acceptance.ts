/**
 * Whether an arriving segment is taken, in a synchronized state (ESTABLISHED
 * and after): the first checks of RFC 9293 §3.10.7.4 "SEGMENT ARRIVES", as
 * RFC 5961 hardens them against blind injection, and PAWS (RFC 7323 §5).
 * Plain functions over numbers; the receive half of a connection asks them
 * in this order, and acts on the verdict:
 *
 * 1. `paws`: a timestamped segment older than TS.Recent is a duplicate from
 *    an earlier wrap of the sequence space: send an ACK, drop it (not for RST),
 *    unless it is a reordered pure duplicate ACK (`disorderedAck`).
 * 2. `acceptable`: the segment overlaps the receive window (the four cases of
 *    §3.10.7.4). If not: send an ACK and drop it (an RST is just dropped,
 *    but for one at RCV.NXT - 1 after the peer's FIN: `resetsAfterFin`).
 * 3. `onRst`: only an RST exactly at RCV.NXT (or, with SACK, at the right
 *    edge of the highest block held out of order) resets the connection; one
 *    elsewhere in the window draws a challenge ACK (RFC 5961 §3.2), outside
 *    it is dropped. (The caller applies this before the window test's ACK.)
 * 4. A SYN in a synchronized state, in or out of the window, draws a
 *    challenge ACK and is dropped (RFC 5961 §4.2), never a reset.
 * 5. `onAck`: an ACK is taken when SND.UNA - MAX.SND.WND <= SEG.ACK <= SND.NXT
 *    (RFC 5961 §5.2); one for data not yet sent draws an ACK and is dropped,
 *    one older than the acceptable range is dropped with a challenge ACK.
 *
 * The orphan in FIN-WAIT-2 that Linux has made a timewait sock answers to
 * other rules (Receiver's `timewaitSegment`): its window test is
 * `inTimewaitWindow`, its PAWS `timewaitPawsRejects`.
 *
 * Challenge ACKs are rate limited (RFC 5961 §7) by the caller with a token
 * bucket (ipv4/TokenBucket.ts); a limit must never swallow the ACKs that
 * recovery needs (TCP-PITFALLS: smoltcp #1162), so only challenge ACKs draw
 * on it. Before it, a challenge ACK meets the connection's limit of answers to
 * refused segments (`oowLimited`), which it shares with the ACKs to segments
 * outside the window, as Linux's tcp_send_challenge_ack checks the socket's.
 *
 * @since 0.1.0
 */
import { windowUnit } from "./Negotiation.js"
import * as Seq from "./SeqNum.js"

/**
 * RFC 9293 §3.10.7.4, the acceptability test: does a segment of `len`
 * octets of sequence space (SYN and FIN count one each) starting at `seq`
 * overlap the receive window [RCV.NXT, RCV.NXT + RCV.WND)? For data in an
 * open window the RFC tests whether the first or the last octet lies inside;
 * that misses a segment that starts before the window and ends after it,
 * which Linux (tcp_sequence) accepts as any overlap and trims. We do as Linux.
 *
 * A segment without data is taken at the window's right edge too
 * (RCV.NXT =< SEG.SEQ =< RCV.NXT + RCV.WND, where the RFC has <), as Linux
 * takes it: a Linux sender whose SND.NXT lies beyond our window puts its
 * ACKs exactly there (tcp_acceptable_seq), and so do we (Sender.ackSeq).
 * Dropped as the RFC says, those ACKs would never be read, and a sender
 * waiting for them would stall.
 */
export const acceptable = (rcvNxt: Seq.SeqNum, rcvWnd: number, seq: Seq.SeqNum, len: number): boolean => {
  if (len === 0) return Seq.gte(seq, rcvNxt) && Seq.lte(seq, Seq.add(rcvNxt, rcvWnd))
  if (rcvWnd === 0) return false
  return Seq.lt(seq, Seq.add(rcvNxt, rcvWnd)) && Seq.gt(Seq.add(seq, len), rcvNxt)
}

/**
 * The window test of Linux's timewait sock (tcp_in_window in tcp_timewait_state_process), which
 * the orphan in FIN-WAIT-2 answers to (Receiver's `timewaitSegment`): a segment at RCV.NXT, one
 * that reaches past RCV.NXT and starts before the window's right edge, or an empty one at that
 * edge. `len` counts SYN and FIN; `rcvWnd` is the window last announced. Unlike `acceptable`, a
 * segment at RCV.NXT is in even when the window is zero.
 */
export const inTimewaitWindow = (rcvNxt: Seq.SeqNum, rcvWnd: number, seq: Seq.SeqNum, len: number): boolean => {
  const right = Seq.add(rcvNxt, rcvWnd)
  if (seq === rcvNxt) return true
  if (Seq.gt(Seq.add(seq, len), rcvNxt) && Seq.lt(seq, right)) return true
  return len === 0 && seq === right
}

/** What an RST in a synchronized state does (RFC 5961 §3.2). @category models */
export type RstVerdict = "Reset" | "ChallengeAck" | "Drop"

/**
 * `sackedTo`: with SACK, the right edge of the highest block we hold out of order. The peer's
 * SND.NXT is there when only a hole keeps RCV.NXT behind, and its RST (an abort) carries it;
 * Linux resets on it too (tcp_validate_incoming), where a challenge ACK would cost a round trip
 * or, rate-limited or unanswered, leave the connection open. One exact number, as RCV.NXT.
 */
export const onRst = (rcvNxt: Seq.SeqNum, rcvWnd: number, seq: Seq.SeqNum, sackedTo?: Seq.SeqNum): RstVerdict => {
  if (seq === rcvNxt || seq === sackedTo) return "Reset"
  // A zero window still holds RCV.NXT (handled above) and nothing else.
  return rcvWnd > 0 && Seq.inWindow(seq, rcvNxt, rcvWnd) ? "ChallengeAck" : "Drop"
}

/**
 * An RST outside the window that still resets: once the peer's FIN is in (CLOSE-WAIT, LAST-ACK,
 * CLOSING; not TIME-WAIT, RFC 1337), one at the FIN's own sequence number, RCV.NXT - 1. A peer
 * that aborts after its FIN may number its RST so (macOS does); answered with a challenge ACK that
 * the closed peer may never answer, the connection would stay in CLOSE-WAIT. Linux takes it
 * (tcp_reset_check, "tcp: accept RST for rcv_nxt - 1 after receiving a FIN"); a blind attacker
 * still has to hit one exact number, as for RCV.NXT.
 */
export const resetsAfterFin = (rcvNxt: Seq.SeqNum, seq: Seq.SeqNum, finReceived: boolean, timeWait: boolean): boolean =>
  finReceived && !timeWait && seq === Seq.add(rcvNxt, -1)

/** What an ACK field does (RFC 9293 §3.10.7.4 "fifth, check the ACK field", RFC 5961 §5.2). @category models */
export type AckVerdict =
  /** acknowledges new data: SND.UNA < SEG.ACK <= SND.NXT */
  | "New"
  /** acknowledges nothing new but is within the acceptable range (duplicate or window update) */
  | "Old"
  /** acknowledges data never sent: send an ACK, drop the segment */
  | "AckAndDrop"
  /** too old to be from this connection's recent past: drop, answer with a challenge ACK */
  | "ChallengeAck"

/**
 * `reach`: how far below SND.UNA an old ACK may be, RFC 5961 §5.2's MAX.SND.WND (the caller bounds it
 * by what the peer ever acknowledged, as Linux's tcp_ack does).
 */
export const onAck = (
  sndUna: Seq.SeqNum,
  sndNxt: Seq.SeqNum,
  reach: number,
  ack: Seq.SeqNum
): AckVerdict => {
  if (Seq.gt(ack, sndNxt)) return "AckAndDrop"
  if (Seq.gt(ack, sndUna)) return "New"
  // RFC 5961 §5.2: acceptable if SND.UNA - MAX.SND.WND <= SEG.ACK.
  return Seq.gte(ack, Seq.add(sndUna, -reach)) ? "Old" : "ChallengeAck"
}

/**
 * PAWS (RFC 7323 §5.3 R1): a segment whose TSval is older than TS.Recent
 * (by wrapping 32-bit comparison) is a stale duplicate and must be dropped,
 * with an ACK, unless it is an RST. `idleMs` is how long since TS.Recent was
 * recorded: after `PAWS_IDLE_MS` the peer's clock may have wrapped, and
 * TS.Recent no longer proves anything (§5.5), so nothing is rejected. Nor
 * while TS.Recent is 0 (`tsOlder`). `window`: how many ticks older a TSval
 * may be and still pass (`PAWS_WINDOW` in a synchronized state, 0 elsewhere).
 */
export const pawsRejects = (tsRecent: number, tsVal: number, rst: boolean, idleMs: number, window = 0): boolean =>
  !rst && idleMs < PAWS_IDLE_MS && tsOlder(tsRecent, tsVal, window)

/**
 * PAWS as Linux's timewait sock applies it (tcp_paws_reject): no replay window, and an RST is
 * refused too unless TS.Recent is `PAWS_MSL_MS` old (RFC 7323 §5.3 lets every RST by; Linux
 * does only once the peer may have rebooted with a fresh clock). As `pawsRejects` otherwise.
 */
export const timewaitPawsRejects = (tsRecent: number, tsVal: number, rst: boolean, idleMs: number): boolean =>
  idleMs < PAWS_IDLE_MS && tsOlder(tsRecent, tsVal) && !(rst && idleMs >= PAWS_MSL_MS)

/** Linux's TCP_PAWS_MSL: how old a TS.Recent must be before PAWS lets an older RST by (tcp_paws_reject) */
export const PAWS_MSL_MS = 60_000

/**
 * `tsVal` is older than `tsRecent` as PAWS reads it (Linux's tcp_paws_check):
 * by wrapping 32-bit comparison, but never older than a TS.Recent of 0. Some
 * stacks send their SYN (or SYN-ACK) with TSval 0 and their real clock after
 * it, and a clock whose top bit is set looks 2^31 behind 0: every segment
 * after the handshake would be refused, the handshake's own ACK first.
 * Measured from TS.Recent, as Linux ((s32)(ts_recent - tsval) > paws_win): a
 * TSval exactly 2^31 away is not older (measured from the TSval it would be).
 * `window` ticks below TS.Recent still pass (0: none).
 */
export const tsOlder = (tsRecent: number, tsVal: number, window = 0): boolean =>
  tsRecent !== 0 && ((tsRecent - tsVal) | 0) > window

/**
 * `tsVal` is newer than `tsRecent`, as TIME-WAIT reads a SYN's (RFC 6191 §2; Linux's
 * tcp_timewait_state_process, (s32)(ts_recent - tsval) < 0): 2^31 ahead is newer.
 */
export const tsNewer = (tsRecent: number, tsVal: number): boolean => ((tsRecent - tsVal) | 0) < 0

/**
 * The replay window of PAWS in a synchronized state: a TSval one tick below TS.Recent is still
 * taken (Linux's TCP_PAWS_WINDOW in tcp_validate_incoming; RFC 7323 does not have it). A peer whose
 * segments of one moment were sent across a tick and reordered on the way would otherwise have the
 * later-sent one, carrying the earlier tick, dropped as an old duplicate. TS.Recent itself never
 * goes back (`tsOlder` with no window, Linux's tcp_replace_ts_recent), nor do SYN-SENT,
 * SYN-RECEIVED and TIME-WAIT allow it (tcp_paws_reject).
 */
export const PAWS_WINDOW = 1

/** The send half's window state that `disorderedAck` reads (SND.UNA, SND.WL1, SND.WND, the peer's shift, the RTO). */
export interface SendWindow {
  readonly sndUna: Seq.SeqNum
  readonly sndWl1: Seq.SeqNum
  /** SND.WND, scaled */
  readonly sndWnd: number
  /** the peer's window shift (RFC 7323 §2.3) */
  readonly sndShift: number
  /** the retransmission timeout, ms */
  readonly rto: number
}

/**
 * Whether a segment PAWS would refuse is a reordered duplicate ACK, to be taken
 * all the same (Linux's tcp_disordered_ack, tcp_disordered_ack_check since 6.9,
 * which tcp_paws_discard asks): a pure ACK (no data, SYN or FIN) at RCV.NXT that
 * acknowledges exactly SND.UNA, cannot change the window, and whose TSval lies at
 * most about one RTO behind TS.Recent. The peer sent its duplicate ACKs in order,
 * the network swapped them; dropped, they are duplicate ACKs that fast retransmit
 * (RFC 5681 §3.2) never counts, and the loss waits for the RTO. Such an ACK
 * carries nothing a replay could harm: it moves neither SND.UNA nor the window.
 *
 * The window test is Linux's tcp_may_update_window (a newer SEQ than SND.WL1, or
 * the same with a larger window or a zero one), which the send half applies too
 * (Sender's `onAck`): a smaller window at SND.WL1 is not taken, so such an ACK
 * leaves the window as it is and stays a duplicate. The replay window is the RTO
 * in units of a 1200 Hz clock, the fastest Linux allows a peer's TSval clock
 * (tcp_tsval_replay): RTO ms x 1.2.
 */
export const disorderedAck = (
  rcvNxt: Seq.SeqNum,
  seg: { readonly seq: Seq.SeqNum; readonly ack: Seq.SeqNum; readonly window: number },
  pureAck: boolean,
  snd: SendWindow,
  tsRecent: number,
  tsVal: number
): boolean => {
  if (!pureAck || seg.seq !== rcvNxt || seg.ack !== snd.sndUna) return false
  const wnd = seg.window * windowUnit(snd.sndShift)
  const mayUpdate = Seq.gt(seg.seq, snd.sndWl1) || (seg.seq === snd.sndWl1 && (wnd > snd.sndWnd || wnd === 0))
  if (mayUpdate) return false
  return ((tsRecent - tsVal) | 0) <= Math.floor((snd.rto * 1200) / 1000)
}

/**
 * At most one answer per this many ms, per connection (or half-open entry, or
 * TIME-WAIT record), to segments without data that are refused: outside the
 * window, PAWS, challenges of a half-open connection (Linux's
 * tcp_oow_rate_limited with tcp_invalid_ratelimit): two ends that disagree
 * cannot ACK each other's ACKs at the speed of the link. Segments with data
 * or a FIN (and no SYN) are answered each time: the peer would go on sending
 * them otherwise.
 */
export const OOW_ACK_INTERVAL = 500

/**
 * Whether an answer to a refused segment without data must wait: one went
 * from `holder` less than `OOW_ACK_INTERVAL` before `now`. When it need not,
 * the answer about to go is stamped on `holder`.
 */
export const oowLimited = (holder: { lastOowAckAt: number | undefined }, now: number): boolean => {
  if (holder.lastOowAckAt !== undefined && now - holder.lastOowAckAt < OOW_ACK_INTERVAL) return true
  holder.lastOowAckAt = now
  return false
}

/**
 * How long TS.Recent proves anything (RFC 7323 §5.5): Linux's TCP_PAWS_WRAP since 6.7, INT_MAX /
 * USEC_PER_SEC seconds (2147 s), the time a 1 MHz timestamp clock (Linux's tcp_usec_ts) takes to
 * go 2^31 ticks on; RFC 7323's 24 days assume a clock of at most 1 kHz. A peer whose TSval after
 * that idle looks older is taken at its word, as Linux takes it.
 */
export const PAWS_IDLE_MS = 2147 * 1000
