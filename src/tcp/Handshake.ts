/**
 * The passive open (RFC 9293 §3.5, §3.10.7.2-3): what a listener does with
 * a SYN, and with the segments that follow for a connection still
 * half-open, as pure rules over plain data (gVisor's `accept.go`).
 *
 * A half-open connection is a small record held by its listener, not a
 * connection with fibers: it costs a few hundred octets, so a bounded SYN
 * queue can hold many, and nothing is built for the connection until the
 * peer's ACK proves the address is real (the ACK completes the handshake).
 *
 * - A SYN draws a SYN-ACK whose options answer only what the SYN offered
 *   (RFC 7323 §1.3: window scaling and timestamps only if offered; RFC 2018
 *   §2: SACK-permitted only if offered), with our MSS from the MTU, and an
 *   unscaled window (RFC 7323 §2.2).
 * - An RST or a segment without ACK to a LISTEN port is not answered
 *   ("an incoming RST should be ignored"); an ACK draws `<SEQ=SEG.ACK><CTL=RST>`.
 * - In SYN-RECEIVED: the same SYN again re-sends the SYN-ACK (at most once per
 *   `Acceptance.OOW_ACK_INTERVAL`, as the entry's other answers) and restarts
 *   the timer from then (Linux's tcp_check_req); an RST at RCV.NXT
 *   removes the entry (elsewhere in the window: a challenge ACK, RFC 5961
 *   §3.2); an ACK of ISS + 1 settles the connection (`Negotiated`, for
 *   Sender.established / Receiver.open), any other ACK draws an RST; a
 *   segment whose TSval is older than the SYN's is refused by PAWS (RFC 7323
 *   §5.3) with an ACK, an RST too but unanswered, while the entry is younger
 *   than 60 s (Linux's tcp_paws_reject; the RFC exempts RSTs).
 * - The SYN-ACK is re-sent by a timer (1 s, doubling: `synAckTimeout`) up to
 *   `synAckRetries` times, after which the entry goes; a re-send for the
 *   peer's SYN counts toward neither the limit nor the doubling (Linux's
 *   num_timeout). Once the listener's SYN queue is more than half full, old
 *   entries get fewer (`synAckRetryLimit`, Linux's
 *   reqsk_timer_handler in net/ipv4/inet_connection_sock.c): under a SYN
 *   flood the entries nobody will answer give way sooner to new ones, which
 *   keep their full retries while they are young.
 * - With the SYN queue full, a SYN may be answered with a SYN cookie
 *   (RFC 4987 §3.6, SynCookie.ts) and no record: `cookieSynAck`; the ACK
 *   that returns it is the whole handshake: `cookieEstablished`. Options the
 *   cookie cannot carry are not offered (window scaling, SACK and ECN only
 *   when the SYN had timestamps to carry them in).
 *
 * @since 0.1.0
 */
import type * as TcpWire from "../wire/TcpHeader.js"
import { oowLimited, PAWS_MSL_MS, tsOlder } from "./Acceptance.js"
import * as Negotiation from "./Negotiation.js"
import type { TcpParams } from "./Params.js"
import type { Segment } from "./Segment.js"
import { ACK, CWR, ECE, FIN, RST, seqLength, SYN } from "./Segment.js"
import type { Negotiated } from "./Sender.js"
import { handshakeLost, tsWithOffset } from "./Sender.js"
import * as Seq from "./SeqNum.js"
import type * as Sip from "../internal/SipHash.js"
import type { FourTuple } from "./Negotiation.js"
import * as SynCookie from "./SynCookie.js"

/** A connection in SYN-RECEIVED, held by its listener. @category models */
export interface HalfOpen {
  readonly localPort: number
  readonly remotePort: number
  readonly iss: Seq.SeqNum
  readonly irs: Seq.SeqNum
  /** the SYN's window (never scaled) */
  readonly window: number
  readonly peerMss: number | undefined
  /** the peer offered window scaling (a shift of 0 is an offer too), and we take it */
  readonly scaleOffered: boolean
  readonly sndShift: number
  readonly rcvShift: number
  readonly tsOk: boolean
  tsRecent: number
  /** what our timestamp clock adds towards this peer (`Negotiation.tsOffset`) */
  readonly tsOffset: number
  readonly sackOk: boolean
  /** the SYN asked for ECN (an ECN-setup SYN: ECE and CWR) and we take it: our SYN-ACK says so with ECE (RFC 3168 §6.1.1) */
  readonly ecnOk: boolean
  readonly mtu: number
  /** Clock ms the first SYN-ACK went */
  readonly firstSentAt: number
  /** SYN-ACKs re-sent by the timer: what `synAckRetries` limits and the timer doubles by (Linux's num_timeout) */
  retries: number
  /**
   * SYN-ACKs re-sent for the peer's SYN again: their ACK cannot be told from the first's but by its
   * TSecr (Linux counts them with the timer's in num_retrans: for Karn's rule, and towards the
   * first window's loss, `Sender.handshakeLost`, though they alone never make one)
   */
  resent: number
  /** when to re-send the SYN-ACK, or give up */
  deadline: number
  /** when it last answered a refused segment without data with an ACK, Clock ms (`Acceptance.OOW_ACK_INTERVAL`) */
  lastOowAckAt: number | undefined
}

/** What a segment to a listener's port does. @category models */
export type ListenVerdict =
  | { readonly _tag: "Ignore" }
  /** answer `<SEQ=SEG.ACK><CTL=RST>` */
  | { readonly _tag: "Reset"; readonly seq: Seq.SeqNum }
  | { readonly _tag: "Syn" }

/** RFC 9293 §3.10.7.2: LISTEN. */
export const inListen = (seg: Segment): ListenVerdict => {
  if ((seg.flags & RST) !== 0) return IGNORE
  if ((seg.flags & ACK) !== 0) return { _tag: "Reset", seq: seg.ack }
  // (SYN and FIN together: no connection, as Linux discards them; a SYN+FIN flood opens nothing)
  if ((seg.flags & (SYN | FIN)) === SYN) return SYN_VERDICT
  return IGNORE
}
const IGNORE: ListenVerdict = { _tag: "Ignore" }
const SYN_VERDICT: ListenVerdict = { _tag: "Syn" }

/** The half-open record for a SYN, with `iss` chosen by the caller (RFC 6528). @category constructors */
export const halfOpen = (
  params: TcpParams,
  ports: { readonly localPort: number; readonly remotePort: number },
  seg: Segment,
  iss: Seq.SeqNum,
  mtu: number,
  now: number,
  /** the timestamp offset towards the peer (`Negotiation.tsOffset`) */
  tsOffset = 0
): HalfOpen => {
  const o = seg.options
  const scaled = params.windowScaling && o.windowScale !== undefined
  const tsOk = params.timestamps && o.timestamp !== undefined
  return {
    localPort: ports.localPort,
    remotePort: ports.remotePort,
    iss,
    irs: seg.seq,
    window: seg.window,
    // an MSS of 0 is no announcement: Linux's tcp_parse_options skips it, and 536 applies (RFC 9293 §3.7.1)
    peerMss: o.mss === 0 ? undefined : o.mss,
    scaleOffered: scaled,
    sndShift: scaled ? Math.min(o.windowScale!, 14) : 0,
    rcvShift: scaled ? Negotiation.windowShiftFor(params.maxReceiveBuffer) : 0,
    tsOk,
    tsRecent: tsOk ? o.timestamp!.value : 0,
    tsOffset,
    sackOk: params.sack && o.sackPermitted,
    ecnOk: takesEcn(params, seg),
    mtu,
    firstSentAt: now,
    retries: 0,
    resent: 0,
    deadline: now + synAckTimeout(params, 0),
    lastOowAckAt: undefined
  }
}

/** The SYN is an ECN-setup SYN (ECE and CWR, RFC 3168 §6.1.1) and ECN is not off here. */
const takesEcn = (params: TcpParams, syn: Segment): boolean =>
  params.ecn !== "off" && (syn.flags & (ECE | CWR)) === (ECE | CWR)

/** The SYN-ACK for `h` at `now`. */
export const synAck = (params: TcpParams, h: HalfOpen, now: number): TcpWire.TcpRepr => ({
  srcPort: h.localPort,
  dstPort: h.remotePort,
  seq: h.iss,
  ack: Seq.add(h.irs, 1),
  flags: h.ecnOk ? SYN | ACK | ECE : SYN | ACK,
  window: Math.min(0xffff, params.receiveBuffer),
  urgent: 0,
  options: {
    mss: Negotiation.announcedMss(h.mtu),
    sackPermitted: h.sackOk,
    ...(h.tsOk ? { timestamp: { value: tsWithOffset(now, h.tsOffset), echo: h.tsRecent } } : {}),
    ...(h.scaleOffered ? { windowScale: h.rcvShift } : {})
  }
})

/**
 * How long the SYN-ACK timer waits after `retries` timer retransmissions, ms: the initial RTO
 * doubled once per retransmission, at most the largest RTO (RFC 6298 §5.5; Linux's
 * tcp_reqsk_timeout: req->timeout, TCP_TIMEOUT_INIT, shifted by num_timeout, at most TCP_RTO_MAX,
 * which a `synAckRetries` of 7 or more reaches). The same whether the timer or the peer's SYN again
 * sent the last SYN-ACK: the latter restarts the wait but does not double it.
 */
export const synAckTimeout = (params: TcpParams, retries: number): number =>
  Math.min(params.rtt.initialRto * 2 ** retries, params.rtt.maxRto)

/**
 * How many timer retransmissions of its SYN-ACK a half-open connection may have when its timer
 * fires (it goes once it has had that many), from the listener's state then (Linux's
 * reqsk_timer_handler, net/ipv4/inet_connection_sock.c).
 *
 * While the SYN queue holds no more than half of max(8, backlog) (Linux compares against the
 * listen(2) backlog, sk_max_ack_backlog, not the SYN queue's own bound), everyone gets `limit`.
 * Past that, the queue is assumed to be filling with requests nobody will complete, and the limit
 * drops by one for each halving the young requests (`young`: those whose SYN-ACK was never
 * re-sent by the timer, Linux's num_timeout == 0, reqsk_queue_len_young) would need to stay above
 * the queue: it stays at `limit` while young > queued / 2, is `limit - 1` while young > queued / 4,
 * and so on, never below 2 (nor is a limit of 2 or less lowered). With no young request at all,
 * the old ones get 2: dropped at 7 s instead of 63 s with Linux's default 5. The effect is that
 * about half the queue is kept for requests still in their first second. (Linux's
 * TCP_DEFER_ACCEPT, which also bears on the limit there, the stack does not have.)
 */
export const synAckRetryLimit = (limit: number, queued: number, young: number, backlog: number): number => {
  if (queued * 2 <= Math.max(8, backlog)) return limit
  let allowed = limit
  // the young, doubled once per retry given up, until they outnumber the queue
  for (let share = young * 2; allowed > 2 && share <= queued; share *= 2) allowed--
  return allowed
}

/** What a segment for a half-open connection does. @category models */
export type HalfOpenVerdict =
  | { readonly _tag: "Ignore" }
  /** the SYN again: re-send the SYN-ACK (the entry's `deadline` has moved on from it) */
  | { readonly _tag: "Resend" }
  /** RST in the window: forget the entry */
  | { readonly _tag: "Drop" }
  /** answer `<SEQ=SEG.ACK><CTL=RST>` */
  | { readonly _tag: "Reset"; readonly seq: Seq.SeqNum }
  /** outside the window: answer with an ACK (`ackFor`) and drop it */
  | { readonly _tag: "Ack" }
  /** the handshake is complete; the segment's data and FIN go to the new connection */
  | { readonly _tag: "Established"; readonly negotiated: Negotiated }

/** RFC 9293 §3.10.7.4 for SYN-RECEIVED. */
export const inSynReceived = (params: TcpParams, h: HalfOpen, seg: Segment, now: number): HalfOpenVerdict => {
  const rcvNxt = Seq.add(h.irs, 1)
  // the window our SYN-ACK offered (never more than 2^16 - 1: a SYN's window is not scaled)
  const inWindow = Seq.gte(seg.seq, rcvNxt) && Seq.lt(seg.seq, Seq.add(rcvNxt, SYN_ACK_WINDOW))
  // PAWS (RFC 7323 §5.3 R1): a TSval older than the SYN's marks an old duplicate. Linux's
  // tcp_check_req (tcp_paws_reject) answers it with a rate-limited ACK, as a segment outside the
  // window, after its ACK check
  const ts = seg.options.timestamp
  const paws = h.tsOk && ts !== undefined && tsOlder(h.tsRecent, ts.value)
  if ((seg.flags & RST) !== 0) {
    // An RST too, unanswered, while the half-open connection is younger than TCP_PAWS_MSL (RFC 7323
    // lets an RST by PAWS; Linux's tcp_check_req does not: tcp_paws_reject relaxes it only once the
    // request looks 60 s old, its age taken as its current SYN-ACK timeout, reqsk_timeout)
    if (paws && synAckTimeout(params, h.retries) < PAWS_MSL_MS) return IGNORE
    // RFC 5961 §3.2 (every state but SYN-SENT): only the exact sequence number resets; elsewhere in
    // the window a challenge ACK, outside it nothing
    return seg.seq === rcvNxt ? DROP : inWindow ? oowAck(h, now) : IGNORE
  }
  if ((seg.flags & SYN) !== 0) {
    if (paws) return oowAck(h, now)
    if (seg.seq === h.irs && (seg.flags & ACK) === 0) {
      // the peer's SYN again: our SYN-ACK again, under the limit of the entry's other answers
      // (Linux's tcp_check_req: only if !tcp_oow_rate_limited), so that a SYN repeated fast (a
      // peer's bug, or a forger's reflection of SYN-ACKs at a third host) draws one per 500 ms
      if (oowLimited(h, now)) return IGNORE
      h.resent++
      // and the timer starts again from this SYN-ACK, as after a fast retransmit (Linux's
      // tcp_check_req: mod_timer_pending to tcp_reqsk_timeout): a timer's SYN-ACK soon after would
      // only repeat it. The wait is the timer's own, not doubled, and the retry limit counts only
      // the timer's (`retries`, Linux's num_timeout)
      h.deadline = now + synAckTimeout(params, h.retries)
      return RESEND
    }
    // another SYN: outside the window an ACK (RFC 9293 §3.10.7.4, first); inside it, a passive
    // open returns to LISTEN (fourth): the entry goes, and the peer's next SYN starts afresh
    return inWindow ? DROP : oowAck(h, now)
  }
  if ((seg.flags & ACK) === 0) return IGNORE
  if (seg.ack !== Seq.add(h.iss, 1)) return { _tag: "Reset", seq: seg.ack }
  // the ACK must also lie in the window we offered; outside it, an ACK answers (RFC 9293
  // §3.10.7.4 first check; Linux's tcp_check_req does the same, after the ACK check above)
  if (paws || Seq.lt(seg.seq, rcvNxt) || Seq.gt(seg.seq, Seq.add(rcvNxt, SYN_ACK_WINDOW))) {
    return seg.payload.length > 0 ? ACK_VERDICT : oowAck(h, now)
  }
  return {
    _tag: "Established",
    negotiated: {
      localPort: h.localPort,
      remotePort: h.remotePort,
      iss: h.iss,
      irs: h.irs,
      window: seg.window * Negotiation.windowUnit(h.sndShift),
      sndShift: h.sndShift,
      rcvShift: h.rcvShift,
      peerMss: h.peerMss,
      mtu: h.mtu,
      tsOk: h.tsOk,
      tsRecent: h.tsOk && ts !== undefined ? ts.value : h.tsRecent,
      tsOffset: h.tsOffset,
      sackOk: h.sackOk,
      ecnOk: h.ecnOk,
      // Linux's child socket counts every SYN-ACK re-sent (total_retrans = num_retrans) and marks a
      // loss only if the timer sent one (num_timeout); the first SYN-ACK's TSval echoed undoes it
      synLost: handshakeLost({
        retransmitted: h.retries + h.resent,
        byTimer: h.retries > 0,
        firstEchoed: h.tsOk && ts !== undefined && ts.echo === tsWithOffset(h.firstSentAt, h.tsOffset)
      }),
      rttSample: handshakeRtt(h, ts?.echo, now),
      ackSeq: seg.seq
    }
  }
}
/**
 * The handshake's RTT sample, ms: from the echoed timestamp when there is one, which names the
 * SYN-ACK it answers even when that was resent (RFC 7323 §4.1; Linux's tcp_synack_rtt_meas, whose
 * tcp_ack_update_rtt takes the TSecr when Karn's rule leaves no clock sample), believed only
 * if it lies within this handshake; else, by Karn's rule, from the clock when no SYN-ACK was resent.
 */
export const handshakeRtt = (h: HalfOpen, echo: number | undefined, now: number): number | undefined => {
  if (h.tsOk && echo !== undefined && echoesOurs(h, echo, now)) return (tsWithOffset(now, h.tsOffset) - echo) >>> 0
  // (Karn: after a second SYN-ACK, for the timer or the peer's SYN again, the send time may be the wrong
  // copy's; Linux's tcp_synack_rtt_meas takes it only when num_retrans, which inet_rtx_syn_ack counts both ways, is 0)
  return h.retries === 0 && h.resent === 0 ? now - h.firstSentAt : undefined
}

const RESEND: HalfOpenVerdict = { _tag: "Resend" }

/**
 * The TSecr echoes a TSval one of our SYN-ACKs carried: one from the first's
 * time up to now (wrapping). Any other echo (0, a peer's bug, a forged one)
 * would make an RTT sample of up to 2^32 ms, and the RTO would start at its
 * ceiling: the SYN-ACK's send time is used then, as Linux's
 * tcp_synack_rtt_meas always does when the SYN-ACK went once.
 */
const echoesOurs = (h: HalfOpen, echo: number, now: number): boolean => {
  const first = tsWithOffset(h.firstSentAt, h.tsOffset)
  return echo !== 0 && ((echo - first) | 0) >= 0 && ((tsWithOffset(now, h.tsOffset) - echo) | 0) >= 0
}
const SYN_ACK_WINDOW = 0xffff

/** An ACK for a refused segment without data, rate-limited (`Acceptance.oowLimited`; Linux's tcp_check_req). */
const oowAck = (h: HalfOpen, now: number): HalfOpenVerdict => oowLimited(h, now) ? IGNORE : ACK_VERDICT
const ACK_VERDICT: HalfOpenVerdict = { _tag: "Ack" }

/** The ACK a half-open connection answers an out-of-window segment with: `<SEQ=ISS+1><ACK=IRS+1>`. */
export const ackFor = (params: TcpParams, h: HalfOpen, now: number): TcpWire.TcpRepr => ({
  srcPort: h.localPort,
  dstPort: h.remotePort,
  seq: Seq.add(h.iss, 1),
  ack: Seq.add(h.irs, 1),
  flags: ACK,
  window: Math.min(0xffff, params.receiveBuffer),
  urgent: 0,
  options: h.tsOk ? { sackPermitted: false, timestamp: { value: tsWithOffset(now, h.tsOffset), echo: h.tsRecent } } : { sackPermitted: false }
})
const DROP: HalfOpenVerdict = { _tag: "Drop" }

/** Whether the segment completing the handshake carries more than the ACK (data or FIN for the connection). */
export const carriesMore = (seg: Segment): boolean => seqLength(seg) > 0

// --- SYN cookies (RFC 4987 §3.6) -------------------------------------------------------

/**
 * The SYN-ACK answering `seg` with a cookie (`SynCookie.make`) as `iss`;
 * nothing is kept. Window scaling and SACK are offered only when the SYN
 * had timestamps, whose low bits then carry the peer's shift and SACK.
 */
export const cookieSynAck = (
  params: TcpParams,
  ports: { readonly localPort: number; readonly remotePort: number },
  seg: Segment,
  iss: Seq.SeqNum,
  mtu: number,
  now: number,
  /** the timestamp offset towards the peer (`Negotiation.tsOffset`) */
  tsOffset = 0
): TcpWire.TcpRepr => {
  const o = seg.options
  const ts = params.timestamps ? o.timestamp : undefined
  const scaled = ts !== undefined && params.windowScaling && o.windowScale !== undefined
  const sackOk = ts !== undefined && params.sack && o.sackPermitted
  const ecn = ts !== undefined && takesEcn(params, seg)
  return {
    srcPort: ports.localPort,
    dstPort: ports.remotePort,
    seq: iss,
    ack: Seq.add(seg.seq, 1),
    flags: ecn ? SYN | ACK | ECE : SYN | ACK,
    window: Math.min(0xffff, params.receiveBuffer),
    urgent: 0,
    options: {
      mss: Negotiation.announcedMss(mtu),
      sackPermitted: sackOk,
      ...(ts !== undefined
        ? {
          timestamp: {
            value: SynCookie.tsvalFor(tsWithOffset(now, tsOffset), { windowShift: scaled ? Math.min(o.windowScale!, 14) : undefined, sackOk, ecn }),
            echo: ts.value
          }
        }
        : {}),
      ...(scaled ? { windowScale: Negotiation.windowShiftFor(params.maxReceiveBuffer) } : {})
    }
  }
}

/**
 * The connection a pure ACK to a listening port proves, when its SEG.ACK - 1
 * is a cookie we made for this 4-tuple and the peer's ISN (SEG.SEQ - 1)
 * within the last two time steps; undefined otherwise (the caller answers
 * as LISTEN does: an RST).
 */
export const cookieEstablished = (
  params: TcpParams,
  key: Sip.SipKey,
  tuple: FourTuple,
  seg: Segment,
  mtu: number,
  now: number,
  /** the timestamp offset towards the peer (`Negotiation.tsOffset`): the connection's TSvals go on from the cookie's */
  tsOffset = 0
): Negotiated | undefined => {
  if ((seg.flags & (SYN | RST | ACK)) !== ACK) return undefined
  const iss = Seq.add(seg.ack, -1)
  const irs = Seq.add(seg.seq, -1)
  const proved = SynCookie.check(key, tuple, irs, iss, now)
  if (proved === undefined) return undefined
  // a peer answers with timestamps only when our SYN-ACK had them, and it had them only when the SYN did;
  // a TSecr of 0 echoes none of ours (a peer's timestamp on an ACK to a SYN-ACK that had none): no
  // timestamps then, and the bits it would carry are not read (Linux's cookie_timestamp_decode)
  const echoed = seg.options.timestamp
  const ts = params.timestamps && echoed !== undefined && echoed.echo !== 0 ? echoed : undefined
  const offered = ts !== undefined ? SynCookie.offeredOf(ts.echo) : { windowShift: undefined, sackOk: false, ecn: false }
  const scaled = offered.windowShift !== undefined && params.windowScaling
  const sndShift = scaled ? offered.windowShift! : 0
  return {
    localPort: tuple.localPort,
    remotePort: tuple.remotePort,
    iss,
    irs,
    window: seg.window * Negotiation.windowUnit(sndShift),
    sndShift,
    rcvShift: scaled ? Negotiation.windowShiftFor(params.maxReceiveBuffer) : 0,
    peerMss: proved.mss,
    mtu,
    tsOk: ts !== undefined,
    tsRecent: ts?.value ?? 0,
    tsOffset,
    sackOk: offered.sackOk && params.sack,
    ecnOk: offered.ecn && params.ecn !== "off",
    // (a cookie's SYN-ACK is never re-sent)
    synLost: false,
    // the echoed TSval had its low bits replaced: no RTT sample from it
    rttSample: undefined,
    // (IRS + 1: the cookie's IRS is this ACK's SEQ less one)
    ackSeq: seg.seq
  }
}
