/**
 * The receive half of a connection, as pure rules over one plain record
 * (gVisor's `rcv.go`; the paper's reading process): RCV.NXT, the
 * out-of-order queue, TS.Recent, the peer's FIN. It takes one batch of the
 * connection's segments at a time and returns one `Report`: the in-order
 * data for the application, and everything the send half needs from the
 * batch (the ACK fields of each segment, whether to acknowledge now, the
 * FIN, a reset). The send half alone sends; this module never builds a
 * segment.
 *
 * Per segment, in the order of RFC 9293 §3.10.7.4 "SEGMENT ARRIVES" as
 * RFC 5961 and RFC 7323 harden it (see Acceptance.ts):
 *
 * 1. PAWS (RFC 7323 §5.3): an old timestamp marks a stale duplicate: ACK, drop;
 *    but a duplicate ACK the network reordered goes on (`Acceptance.disorderedAck`).
 * 2. The acceptability test against the window: outside it, ACK and drop
 *    (an RST outside it is dropped silently, RFC 5961 §3.2). A bare FIN at
 *    RCV.NXT passes even a zero window, as in Linux. One that ends past the
 *    window's right edge while data waits unread is outside it too, however
 *    much of it lies inside (Linux 6.17's tcp_sequence); with nothing unread
 *    it is trimmed to the edge, or at the edge gives its ACK field (RFC 9293's
 *    "special allowance").
 * 3. RST: only exactly at RCV.NXT does it reset; elsewhere in the window it
 *    draws a challenge ACK (RFC 5961 §3.2).
 * 4. SYN: a challenge ACK, never a reset (RFC 5961 §4.2); but in a
 *    simultaneous open the peer's SYN-ACK of our SYN is taken for its ACK,
 *    as Linux does.
 * 5. ACK: required; one acknowledging data never sent draws an ACK and the
 *    segment is dropped, one far too old a challenge ACK (RFC 5961 §5.2).
 *    The send half's bounds for this come through `SendView`, which only
 *    the send half writes.
 * 6. URG (RFC 9293 §3.8.5, §3.10.7.4 sixth): RCV.UP moves up to the
 *    octet after the urgent data the segment marks, unless the peer's FIN
 *    is in; the report says when it advanced, and the application learns
 *    of it (MUST-32) and of how much urgent data it has still to read
 *    (MUST-33: `urgentPending`). The data stays in line, in order (RFC 6093
 *    §6: what Linux gives with SO_OOBINLINE; no octet leaves the stream).
 * 7. Data, trimmed to the window: in order, it is delivered and the
 *    out-of-order queue drains behind it; out of order, it is held (copied,
 *    bounded) and acknowledged at once with SACK blocks (RFC 5681 §4.2,
 *    RFC 2018). Octets that came before (below RCV.NXT, in step 2 too, or
 *    held out of order already) are acknowledged at once and, with SACK,
 *    reported in a D-SACK block (RFC 2883 §4, as Linux's tcp_dsack_set), so a
 *    sender can tell a spurious retransmission from a loss (so are those of
 *    a segment PAWS drops, in step 1).
 *    Each segment beyond a hole, each into one and each that came twice
 *    (with SACK) is owed an ACK of its own, and so is an in-order one that
 *    brings more than one of the peer's segments since the last ACK (RFC
 *    5681 §4.2's every second full-sized segment, counted in octets of the
 *    segment size guessed from what arrives, RcvMss.ts, as Linux's
 *    __tcp_ack_snd_check counts in its rcv_mss; a FIN counts its one);
 *    the report lists them as ACK points, in the order the segments came,
 *    each with the ACK number and the SACK blocks of its moment (a D-SACK
 *    first for a duplicate), as Linux answers segment by segment: the first
 *    block names the segment that drew the ACK (RFC 2018 §4), and every
 *    duplicate of a batch is reported (RFC 2883 §4).
 * 8. FIN: taken when everything before it has arrived, however the segments
 *    were ordered; one beyond a hole, bare or not, is out-of-order data:
 *    acknowledged at once, SACKed (the block it ends covers it, or
 *    [FIN, FIN + 1) alone) and D-SACKed when it comes again, as Linux's
 *    tcp_data_queue_ofo holds it.
 *
 * After a close, once our FIN is acknowledged (FIN-WAIT-2 with the default
 * timeout), Linux's socket is a timewait sock, and its rules replace these:
 * an RST anywhere in the window ends the connection, one outside it (or
 * refused by PAWS, which has no replay window there and refuses RSTs too) an
 * ACK, and a SYN at or past RCV.NXT, data or a FIN beyond a hole a reset
 * (`timewaitSegment`, tcp_timewait_state_process; `SendView.orphanFinWait2At`
 * says from when).
 *
 * TS.Recent (RFC 7323 §4.3) moves only for a segment at or below the last
 * ACK sent (`lastAck`), so an ACK echoes the oldest segment it covers. A
 * connect that took a TIME-WAIT over starts SYN-SENT with its TS.Recent, and
 * a SYN without ACK older than that is dropped (Linux's tcp_twsk_unique and
 * tcp_rcv_synsent_state_process); the SYN-ACK's TSval replaces it. With
 * ECN negotiated (RFC 3168 §6.1.3), a CE on an accepted data segment makes
 * every ACK say ECE (`Report.ece`) until a segment with CWR arrives; it, and
 * data without ECT after ECT data (a retransmission, §6.1.5), ask for two
 * quick ACKs (`Report.quickAckEcn`, Linux's tcp_data_ecn_check).
 *
 * The receive window's right edge is the application's read position plus
 * the buffer size: octets held for the application never exceed the buffer,
 * whatever the peer sends (what lies beyond the edge is trimmed).
 *
 * @since 0.1.0
 */
import type { SackBlock } from "../wire/TcpHeader.js"
import * as Acceptance from "./Acceptance.js"
import * as Memory from "./Memory.js"
import * as Negotiation from "./Negotiation.js"
import * as OutOfOrder from "./OutOfOrder.js"
import * as Rack from "./Rack.js"
import * as RcvMss from "./RcvMss.js"
import type { TcpParams } from "./Params.js"
import type { Segment } from "./Segment.js"
import type { Negotiated } from "./Sender.js"
import { tsWithOffset } from "./Sender.js"
import { ACK, CWR, ECE, FIN, RST, seqLength, SYN, URG } from "./Segment.js"
import * as Seq from "./SeqNum.js"

/** @category models */
export type ReceiverState =
  /** our SYN is out; waiting for the peer's */
  | "SynSent"
  /** synchronized: RCV.NXT is known */
  | "Open"
  /** reset or refused: nothing more is taken */
  | "Closed"

/** What the receive half reads of the send half's state (the send half writes it). @category models */
export interface SendView extends Acceptance.SendWindow {
  sndUna: Seq.SeqNum
  /** SND.WL1: the SEQ of the segment that last set the window (for PAWS's reordered duplicate ACKs) */
  sndWl1: Seq.SeqNum
  /** SND.WND, scaled */
  sndWnd: number
  /** the peer's window shift */
  sndShift: number
  /** the send half's RTO, ms (PAWS's replay window for reordered duplicate ACKs) */
  rto: number
  /** the highest sequence number sent (SND.NXT, or beyond it after a go-back-N retransmission) */
  sndMax: Seq.SeqNum
  /**
   * how far below SND.UNA an ACK may be and still be an old one (RFC 5961 §5.2's MAX.SND.WND, the
   * largest window the peer ever offered, but no more than it ever acknowledged: Linux's tcp_ack)
   */
  ackReach: number
  /** the connection is in TIME-WAIT: an RST does not end it (RFC 1337), so the receive half goes on */
  timeWait: boolean
  /** the send half is in SYN-RECEIVED (a simultaneous open): only an ACK of our SYN-ACK is acceptable */
  synReceived: boolean
  /**
   * the application closed and the send half is in FIN-WAIT-2: from this time on Linux's socket is a
   * timewait sock (tcp_time_wait with TCP_FIN_WAIT2), whose rules `timewaitSegment` follows
   * (tcp_timewait_state_process); undefined otherwise. At once with a FIN-WAIT-2 timeout of at most 60 s, as by
   * default; a longer one keeps the full socket for tcp_fin_time less TCP_TIMEWAIT_LEN (on the
   * keepalive timer), and the timewait sock then lasts as long again (`Sender.orphanLife`)
   */
  orphanFinWait2At: number | undefined
  /**
   * the application closed, we are in FIN-WAIT-1 and a FIN-WAIT-2 would be a timewait sock at once
   * (its timeout at most 60 s): the sequence number past our FIN. An ACK of it (without a FIN) makes
   * Linux's socket a timewait sock for the segments behind it, in the same batch or the next ones the
   * receive half takes before the send half has read its report, which `orphanFinWait2At` cannot say
   * yet (the send half writes the view after it reads the report: `Receiver.twAhead`)
   */
  orphanFinEnd: Seq.SeqNum | undefined
  /**
   * in FIN-WAIT-1 or FIN-WAIT-2: the sequence number past our FIN (queued or sent). The peer's
   * FIN taken once an ACK of it came makes TIME-WAIT (`Receiver.timeWait`); undefined otherwise
   */
  finEnd: Seq.SeqNum | undefined
  /** the receive buffer as the send half's auto-tuning has grown it (it only grows) */
  rcvCapacity: number
  /**
   * the ACK number of the last segment the send half sent with ACK (RFC 7323
   * §4.3's Last.ACK.sent); undefined before its first
   */
  lastAckSent: Seq.SeqNum | undefined
  /** the furthest right edge of the window the send half has announced (RCV.NXT + window); undefined before the first */
  rcvEdge: Seq.SeqNum | undefined
  /** the last ACK the send half sent announced a zero window */
  rcvShut: boolean
  /** the MSS we announced: a segment longer than it is an aggregate (TSO/GRO) of that many full-sized ones */
  readonly rcvMss: number
  /** the MSS we send with (the first guess of the peer's segment size takes the least: `RcvMss.initial`) */
  sndMss: number
  /** what our timestamp clock adds towards this peer (`Negotiation.tsOffset`): our TSvals are `tsWithOffset(ms, tsOffset)` */
  readonly tsOffset: number
  /** the TSval our first SYN carried (an active open that offered timestamps); undefined otherwise */
  synTs: number | undefined
  /**
   * a TSval the send half took as TS.Recent in its last report, which this half did not (`tsTakenAt`:
   * that report's arrival): a segment of the batch that a send at an earlier ACK of it had covered
   * (Linux's tcp_replace_ts_recent against rcv_wup, which that send moved: `AckInfo.tsVal`). Taken
   * here at the next batch, so PAWS and the ACKs after it go on from it; undefined when none
   */
  tsTaken: number | undefined
  tsTakenAt: number
}

/** @category models */
export interface Receiver {
  state: ReceiverState
  /** our initial send sequence number: in SYN-SENT an ACK must acknowledge ISS + 1 */
  readonly iss: Seq.SeqNum
  /** the peer's initial sequence number */
  irs: Seq.SeqNum
  /** RCV.NXT */
  rcvNxt: Seq.SeqNum
  /** receive buffer, octets: the window's right edge is the read position plus this */
  capacity: number
  /**
   * our window shift (RFC 7323 §2.3): what we advertise is rounded to 2^shift, so accept that much beyond.
   * In SYN-SENT the shift our SYN offered; 0 once the peer's SYN offers none.
   */
  rcvShift: number
  readonly ooo: OutOfOrder.OutOfOrder
  /** most blocks held out of order */
  readonly maxBlocks: number
  /** the FIN's sequence number, once seen (it may arrive before the data ahead of it) */
  finSeq: Seq.SeqNum | undefined
  /** when the FIN came (the out-of-order queue's tick, `OutOfOrder.tick`): its SACK block's place while it lies beyond a hole */
  finTouched: number
  /** the FIN was taken: RCV.NXT is past it, nothing more will come */
  finReceived: boolean
  /** RCV.UP: the octet after the last urgent data the peer marked (undefined: none yet) */
  rcvUp: Seq.SeqNum | undefined
  /** timestamps negotiated (RFC 7323) */
  tsOk: boolean
  /** TS.Recent: the timestamp to echo (RFC 7323 §4.3) */
  tsRecent: number
  /** Clock ms when TS.Recent was recorded (PAWS ignores a TS.Recent older than Acceptance.PAWS_IDLE_MS) */
  tsRecentAt: number
  /**
   * an ACK of our FIN after a close made Linux's socket a timewait sock (`SendView.orphanFinEnd`), which
   * the send half's view may not say yet, or say from later: it is written after the send half reads
   * the report, and the receive half may take further batches before (Connection runs every arrival
   * it finds at once), or batches that reached the dealer before (their `at` earlier than
   * `orphanFinWait2At`); it holds while the view says FIN-WAIT-1 or the orphan's FIN-WAIT-2
   */
  twAhead: boolean
  /**
   * the peer's FIN was taken after an ACK of ours (`SendView.finEnd`): the connection is in TIME-WAIT
   * from that segment on, though the view may say so only once the send half has read the report
   * (segments behind the FIN in its batch, or in batches taken before then, are TIME-WAIT's)
   */
  timeWait: boolean
  /** when a refused segment without data was last answered, Clock ms (the rate limit of `answerOutOfWindow`) */
  lastOowAckAt: number | undefined
  /**
   * a segment came to the orphan once Linux's socket was a timewait sock (`timewaitSegment`): from
   * then on `lastOowAckAt` is the timewait sock's own, which started afresh (tcp_time_wait sets
   * tw_last_oow_ack_time to 0) and goes on into TIME-WAIT (the same sock, its substate moved), and
   * nothing is held out of order any more
   */
  twSeen: boolean
  /**
   * the timewait sock's window, octets from RCV.NXT as it was when Linux's socket became one (its
   * tw_rcv_wnd: tcp_time_wait stores tcp_receive_window(), the window last announced); undefined
   * before. Its acceptability test reads this, not the buffer's edge, and the send half announces it
   * (`Report.twWnd`) from then on, TIME-WAIT included
   */
  twWnd: number | undefined
  /**
   * RFC 7323 §4.3's Last.ACK.sent as this half knows it: the later of what
   * the send half says it sent (`SendView.lastAckSent`, as of its last
   * report) and this half's ACK points, which the send half sends as they
   * stand. A segment starting at or below it moves TS.Recent; one beyond it
   * (a second segment that one ACK will cover with the first) does not, so
   * an ACK echoes the oldest segment it acknowledges and a delayed ACK's
   * wait is in the peer's RTT sample (Linux: rcv_wup)
   */
  lastAck: Seq.SeqNum
  /**
   * the peer's segment size as we guess it from what arrives (Linux's
   * icsk_ack.rcv_mss, RcvMss.ts): more than one of it in order since the
   * last ACK (`owed`) is an ACK point
   */
  readonly ackMss: RcvMss.RcvMss
  /**
   * in-order octets since the last ACK this half knows of (its own ACK
   * points, or the send half's ACK of everything), each segment counted
   * for no more than `ackMss` (an aggregate as one segment: see `segment`),
   * and a FIN for its one; counted across batches, so a segment a delayed
   * ACK waits for and the next batch's first draw the ACK together
   */
  owed: number
  /** SACK negotiated (RFC 2018) */
  sackOk: boolean
  /** ECN negotiated (RFC 3168 §6.1.1) */
  ecnOk: boolean
  /**
   * a data segment came with CE and no CWR has come since: every ACK says
   * ECE until the peer's CWR does (RFC 3168 §6.1.3; Linux's TCP_ECN_DEMAND_CWR)
   */
  demandCwr: boolean
  /** ECN-capable data came, ECT or CE (Linux's TCP_ECN_SEEN): later data without ECT is a retransmission */
  ectSeen: boolean
  /** the stack-wide accountant (Memory.ts; `TcpParams.memory`); undefined: no bound */
  readonly memory: Memory.TcpMemory | undefined
  /** what this half held (`holding`) when the batch being taken began: the connection charges after each batch */
  heldAtBatch: number
  /**
   * what the connection's send side holds (unacknowledged data written, octets), set by the
   * connection before each batch: with `holding`, what the connection holds for the fair share
   * (Memory.mayReceive; Linux's sk_wmem_queued beside sk_rmem_alloc)
   */
  sendHeld: number
  /**
   * what this half may hold as `tcpClampWindow` last raised it, octets (Linux's sk_rcvbuf after
   * tcp_clamp_window); 0 before: the bound is then twice the buffer (`rcvbuf`)
   */
  rcvbufRaised: number
  /** the most `tcpClampWindow` raises it to, octets: twice `maxReceiveBuffer` (Linux's tcp_rmem[2]) */
  readonly rcvbufMax: number
  /** what our SYN offered, to settle the negotiation from the peer's SYN-ACK */
  readonly offer: { readonly timestamps: boolean; readonly sack: boolean; readonly ecn: boolean }
}

/** The ACK fields of one accepted segment, for the send half. @category models */
export interface AckInfo {
  readonly seq: Seq.SeqNum
  readonly ack: Seq.SeqNum
  /** window field, unscaled */
  readonly window: number
  /** sequence space of the segment (data, FIN) */
  readonly len: number
  /** TSecr, when the segment carried timestamps */
  readonly tsEcr: number | undefined
  /** the peer's SACK blocks */
  readonly sack: ReadonlyArray<SackBlock> | undefined
  /** the segment was a SYN (a simultaneous open's SYN-ACK): its window is never scaled (RFC 7323 §2.2) */
  readonly syn?: boolean
  /** it said ECE: the peer saw congestion (RFC 3168 §6.1.2; meaningful once ECN is negotiated) */
  readonly ece: boolean
  /** it came past PAWS as a reordered duplicate ACK (`Acceptance.disorderedAck`): it sets no window */
  readonly reordered?: boolean
  /**
   * TS.Recent once this segment was taken (RFC 7323 §4.3): what a segment the send half sends at
   * this ACK, before the batch's later ones, echoes (Linux takes each segment by itself,
   * tcp_replace_ts_recent then tcp_ack's sends)
   */
  readonly tsRecent?: number
  /** the segment's TSval, when it carried timestamps */
  readonly tsVal?: number | undefined
  /**
   * RCV.NXT once this segment's own data and FIN were taken: what a segment the send half sends at
   * this ACK acknowledges (Linux's tcp_rcv_established queues a segment's payload, tcp_data_queue or
   * the fast path's tcp_queue_rcv, before tcp_data_snd_check sends, and __tcp_transmit_skb writes
   * ack_seq = rcv_nxt then); undefined where the segment is the batch's only word (RCV.NXT after it)
   */
  rcvNxt?: Seq.SeqNum
  /** the batch's ACK points (`Report.ackPoints`) made up to this segment's end, its own included */
  points?: number
}

/** The peer's SYN, seen in SYN-SENT. @category models */
export interface SynInfo {
  readonly irs: Seq.SeqNum
  /** the SYN's window: never scaled (RFC 7323 §2.2) */
  readonly window: number
  readonly mss: number | undefined
  /** the peer's window shift, undefined when it did not offer scaling */
  readonly windowScale: number | undefined
  /** it acknowledged our SYN (a SYN-ACK); otherwise a simultaneous open */
  readonly acked: boolean
  readonly tsVal: number | undefined
  /** the TSval of ours it echoes (a SYN-ACK's: which of our SYNs it answers) */
  readonly tsEcr: number | undefined
  /** it offered SACK (RFC 2018 §2) */
  readonly sackPermitted: boolean
  /** an ECN-setup SYN-ACK: ECE without CWR (RFC 3168 §6.1.1) */
  readonly ecnSetup: boolean
}

/** Everything one batch produced. @category models */
export interface Report {
  /** Clock ms when the batch arrived (RTT samples use it, not the time it was processed) */
  readonly at: number
  readonly acks: Array<AckInfo>
  /** RCV.NXT after the batch */
  rcvNxt: Seq.SeqNum
  /**
   * the send half's last ACK (`SendView.lastAckSent`) as this half saw it when it took the batch: a
   * send of the send half after that (at an inner ACK of this report, or of an earlier report this
   * half had not yet seen answered) moved Linux's rcv_wup before these segments
   */
  lastAckSeen: Seq.SeqNum | undefined
  /** in-order data for the application */
  readonly data: Array<Uint8Array>
  dataOctets: number
  /** in-order data segments */
  dataSegments: number
  /**
   * new sequence space past RCV.NXT came that was not delivered in order: data held out of order, a
   * FIN beyond a hole, data refused at the window's edge. After a close Linux resets on it as on
   * in-order data (tcp_rcv_state_process in FIN-WAIT-1/2: `after(end_seq - fin, rcv_nxt)`)
   */
  pastRcvNxt: boolean
  /** the peer's segment size as guessed after the batch (`Receiver.ackMss`): the send half's ACK rules count in it */
  ackMss: number
  /**
   * in-order segments after the batch's last ACK point that likely end a write (`RcvMss.measure`,
   * Linux's ICSK_ACK_PUSHED and PUSHED2), two at most: the read that empties the buffer sends their ACK
   */
  pushed: number
  /**
   * data reached the queue, in order or not: the next ACK acknowledges something new to the peer and
   * spends a quick ACK (Linux's inet_csk_schedule_ack, from tcp_event_data_recv and tcp_data_queue_ofo)
   */
  ackScheduled: boolean
  /**
   * RCV.NXT after every in-order data segment that brings it more than the
   * peer's segment size (`Receiver.ackMss`) past the last ACK, after
   * every one into a hole (out-of-order data held), after every one beyond a
   * hole, and (with SACK) after every one that came twice, in the order they
   * came: the send half acknowledges each (RFC 1122 §4.2.3.2, RFC 5681 §4.2:
   * at least every second full-sized segment, at once for one that fills a
   * gap, and a duplicate ACK at once for each out-of-order segment, which a
   * sender counting duplicate ACKs needs one by one), besides the batch's own
   * ACK, which the last point makes needless when it says the same
   */
  readonly ackPoints: Array<Seq.SeqNum>
  /**
   * our SACK blocks as they stood at each ack point (same index; the shared
   * empty array while nothing was held out of order): an ACK for the first
   * half of a batch must not report blocks that only its second half
   * brought, or the sender reads everything between as a hole (RFC 2018 §4:
   * a block reports what the receiver holds when the ACK is sent; Linux
   * builds each ACK as it goes through the batch); after a D-SACK block for a
   * duplicate, which `Rack.dsackOf` tells from the rest as the peer does
   * (below the point's ACK number, or inside the next block)
   */
  readonly ackPointSacks: Array<ReadonlyArray<SackBlock>>
  /** TS.Recent at each ack point (same index): what its ACK echoes (RFC 7323 §4.3) */
  readonly ackPointTs: Array<number>
  /** acknowledge at once: out-of-order or duplicate data, a gap filled, an unacceptable segment (a FIN: `fin`) */
  ackNow: boolean
  /**
   * the ACK points (indexes into `ackPoints`) of segments refused before their ACK was read (PAWS,
   * outside the window: `dupAck`), each Linux's tcp_send_dupack, which schedules no ACK of data;
   * undefined when none (made only then)
   */
  refusedPoints: Array<number> | undefined
  /**
   * the ACK points (indexes into `ackPoints`, each in `refusedPoints` too) of the challenge ACKs
   * (RFC 5961) the connection's limit let by, in the order they came: Linux's
   * tcp_send_challenge_ack is a tcp_send_ack there and then, between what the segments before and
   * after it send; the send half's rate (`Params.challengeAcksPerSecond`) may still hold some back
   * (the last ones). Undefined when none (made only then), and in SYN-RECEIVED, where `challenges`
   * alone counts them
   */
  challengePoints: Array<number> | undefined
  /**
   * `ackNow` as it stood once the segment of the batch's last ACK (`acks`' last) was taken: the
   * refused segments behind it (their points past that ACK's `points`) are answered after its sends,
   * each by its own ACK, and ask for nothing of that ACK's
   */
  ackNowAtLast: boolean
  /**
   * in-order data was refused for want of stack-wide memory (`admit`), dropped or forced into an
   * empty receive queue: the send half's next ACK goes at once and announces a window of 0 (Linux's
   * ICSK_ACK_NOMEM | ICSK_ACK_NOW from tcp_data_queue)
   */
  nomem: boolean
  /**
   * the ACK point of the duplicate part of the segment whose new part that drop refused (its D-SACK),
   * -1 when it had none: when it is the batch's last, its ACK is the one that announces the window
   * of 0, one ACK as Linux's (tcp_dsack_set, then queue_and_out's drop: one tcp_send_ack carries both)
   */
  nomemPoint: number
  /**
   * what this half holds was still past what it may hold after `tcpClampWindow` (its raise refused,
   * or at its most): the send half cuts the window it offers to twice our MSS, to grow again with the
   * data that comes (Linux's tcp_clamp_window: rcv_ssthresh = min(window_clamp, 2 * advmss) when
   * sk_rmem_alloc is still past sk_rcvbuf; `Sender.rcvSsthresh`)
   */
  clamped: boolean
  /**
   * the stack-wide bound refused new octets at first (`admit`: tcp_try_rmem_schedule's
   * sk_rmem_schedule failed, which here means memory pressure) while what this half holds was within
   * what it may hold: the send half cuts the window it offers to four of our segments, a cut that
   * outlives the pressure (Linux's tcp_prune_queue: tcp_adjust_rcv_ssthresh when tcp_can_ingest and
   * tcp_under_memory_pressure; `Sender.rcvSsthresh`)
   */
  pressed: boolean
  /**
   * data that came before, wholly below RCV.NXT: the sender resends what we acknowledged (our ACK
   * was lost, or its timer fired), or data into a shut window or at its edge (a probe): the send
   * half goes back to quick-ACK mode (Linux's tcp_enter_quickack_mode, from tcp_data_queue and
   * tcp_send_dupack)
   */
  quickAck: boolean
  /**
   * a CE on data asked for the peer's CWR, or data came Not-ECT after ECT data (RFC 3168 §6.1.5: a
   * retransmission): quick-ACK mode too, but for two ACKs at most (Linux's tcp_data_ecn_check:
   * tcp_enter_quickack_mode(sk, 2); the sender's window may be one segment)
   */
  quickAckEcn: boolean
  /** the timewait sock's window (`Receiver.twWnd`), once Linux's socket is one: every ACK announces it */
  twWnd: number | undefined
  /** challenge ACKs asked for (RFC 5961), which the send half rate-limits */
  challenges: number
  /** segments that would have drawn a challenge ACK but for the connection's limit of answers (`challenge`) */
  challengesLimited: number
  /** the peer's FIN was taken in this batch (the send half says when its ACK goes) */
  fin: boolean
  /**
   * the receive half is in TIME-WAIT (`Receiver.timeWait`): a `reset` it reports is one TIME-WAIT
   * ignores (RFC 1337), though the send half's state before the batch (FIN-WAIT) would take it
   */
  timeWait: boolean
  /** an acceptable RST: the connection is reset (refused, in SYN-SENT) */
  reset: boolean
  /** TS.Recent after the batch */
  tsRecent: number
  /** ECN: the ACKs after the batch say ECE (`Receiver.demandCwr`) */
  ece: boolean
  /** our SACK blocks after the batch (empty unless SACK was negotiated) */
  sack: ReadonlyArray<SackBlock>
  /** SYN-SENT: the peer's SYN */
  syn: SynInfo | undefined
  /**
   * SYN-SENT: answer a bad ACK with `<SEQ=SEG.ACK><CTL=RST>` (RFC 9293 §3.10.7.3); the orphan's
   * timewait sock (`timewaitSegment`) answers a SYN or new data so too, and one without ACK with
   * `<SEQ=0><ACK=rstAck><CTL=RST,ACK>`
   */
  rstReply: Seq.SeqNum | undefined
  /** with `rstReply`: the reset carries ACK, with this number (SEG.SEQ + SEG.LEN of a segment without ACK) */
  rstAck: Seq.SeqNum | undefined
  /**
   * SYN-SENT: that RST answers a SYN-ACK whose TSecr no SYN of ours carried (Linux's
   * PAWSActiveRejected), not a bad ACK: the SYN's timer stays as it is
   */
  pawsActiveRejected: boolean
  /** RCV.UP after the batch, when the batch moved it (an urgent indication for the application) */
  urgent: Seq.SeqNum | undefined
}

type Offer = Receiver["offer"]
/** The eight `offer` records, frozen and shared: an offer is three flags, not a record per connection (issue 8 §2). */
const OFFERS: ReadonlyArray<Offer> = Array.from({ length: 8 }, (_, i) =>
  Object.freeze({ timestamps: (i & 4) !== 0, sack: (i & 2) !== 0, ecn: (i & 1) !== 0 })
)
const offerOf = (timestamps: boolean, sack: boolean, ecn: boolean): Offer =>
  OFFERS[(timestamps ? 4 : 0) | (sack ? 2 : 0) | (ecn ? 1 : 0)]!

/**
 * A receiver for an active open (our SYN is out), offering what `params` allow. A connect that
 * took a TIME-WAIT over starts from its TS.Recent (`inherited`, TimeWait.inheritedTsRecent); the
 * peer's SYN-ACK replaces it whatever its TSval, as Linux's tcp_store_ts_recent there.
 * @category constructors
 */
export const synSent = (
  params: TcpParams,
  iss: Seq.SeqNum,
  inherited?: { readonly tsRecent: number; readonly at: number }
): Receiver => ({
  state: "SynSent",
  iss,
  irs: Seq.ZERO,
  rcvNxt: Seq.ZERO,
  capacity: params.receiveBuffer,
  // the shift our SYN offers; the peer's SYN-ACK settles whether it is used
  rcvShift: params.windowScaling ? Negotiation.windowShiftFor(params.maxReceiveBuffer) : 0,
  ooo: OutOfOrder.make(),
  maxBlocks: params.outOfOrderBlocks,
  finSeq: undefined,
  finTouched: 0,
  finReceived: false,
  rcvUp: undefined,
  tsOk: false,
  tsRecent: inherited?.tsRecent ?? 0,
  tsRecentAt: inherited?.at ?? 0,
  twAhead: false,
  timeWait: false,
  lastOowAckAt: undefined,
  twSeen: false,
  twWnd: undefined,
  lastAck: Seq.ZERO,
  ackMss: RcvMss.make(),
  owed: 0,
  sackOk: false,
  ecnOk: false,
  demandCwr: false,
  ectSeen: false,
  memory: params.memory,
  heldAtBatch: 0,
  sendHeld: 0,
  rcvbufRaised: 0,
  rcvbufMax: 2 * params.maxReceiveBuffer,
  offer: offerOf(params.timestamps, params.sack, params.ecn === "on")
})

/** A receiver synchronized by a handshake the listener completed (a passive open). @category constructors */
export const open = (params: TcpParams, n: Negotiated, now: number): Receiver => ({
  ...synSent(params, n.iss),
  state: "Open",
  irs: n.irs,
  rcvNxt: Seq.add(n.irs, 1),
  rcvShift: n.rcvShift,
  tsOk: n.tsOk,
  tsRecent: n.tsRecent,
  tsRecentAt: now,
  lastOowAckAt: undefined,
  lastAck: Seq.add(n.irs, 1),
  sackOk: n.sackOk,
  ecnOk: n.ecnOk,
  offer: offerOf(n.tsOk, n.sackOk, n.ecnOk)
})

/**
 * The receive window: from RCV.NXT to the right edge, which is the read
 * position (`consumed` octets read by the application since the
 * handshake) plus the buffer size.
 */
export const window = (r: Receiver, consumed: number): number =>
  Math.max(0, Seq.sub(rightEdge(r, consumed), r.rcvNxt))

/** The right edge of the receive buffer (`consumed`: octets the application has read). */
export const rightEdge = (r: Receiver, consumed: number): Seq.SeqNum => Seq.add(r.irs, 1 + consumed + r.capacity)

/**
 * The octets this half holds (what the stack-wide bound charges it,
 * Memory.ts): in order and not yet read (`consumed`: octets read since the
 * handshake; the FIN taken is no octet), and held out of order.
 */
export const holding = (r: Receiver, consumed: number): number =>
  r.state !== "Open" ? 0 : Seq.sub(r.rcvNxt, Seq.add(r.irs, 1 + consumed)) - (r.finReceived ? 1 : 0) + r.ooo.octets

/**
 * Octets of urgent data the application has still to read (RFC 9293 MUST-33):
 * from the read position (`consumed` octets read since the handshake) up to
 * RCV.UP; 0 when none is pending.
 */
export const urgentPending = (r: Receiver, consumed: number): number =>
  r.rcvUp === undefined ? 0 : Math.max(0, Seq.sub(r.rcvUp, Seq.add(r.irs, 1 + consumed)))

/** A fresh report for a batch that arrived at `at`. @category constructors */
export const report = (r: Receiver, at: number): Report => ({
  at,
  acks: [],
  rcvNxt: r.rcvNxt,
  lastAckSeen: undefined,
  data: [],
  dataOctets: 0,
  dataSegments: 0,
  pastRcvNxt: false,
  ackMss: r.ackMss.mss,
  pushed: 0,
  ackScheduled: false,
  ackPoints: [],
  ackPointSacks: [],
  ackPointTs: [],
  ackNow: false,
  refusedPoints: undefined,
  challengePoints: undefined,
  ackNowAtLast: false,
  nomem: false,
  nomemPoint: -1,
  clamped: false,
  pressed: false,
  quickAck: false,
  quickAckEcn: false,
  twWnd: r.twWnd,
  challenges: 0,
  challengesLimited: 0,
  fin: false,
  timeWait: r.timeWait,
  reset: false,
  tsRecent: r.tsRecent,
  ece: false,
  sack: [],
  syn: undefined,
  rstReply: undefined,
  rstAck: undefined,
  pawsActiveRejected: false,
  urgent: undefined
})

/**
 * Take one batch of segments that arrived at `at`. `consumed` is how many
 * octets the application has read so far; `view` the send half's bounds.
 */
export const onBatch = (
  r: Receiver,
  segments: ReadonlyArray<Segment>,
  at: number,
  consumed: number,
  view: SendView
): Report => {
  const out = report(r, at)
  out.lastAckSeen = view.lastAckSent
  // (while the view says FIN-WAIT-1 or the orphan's FIN-WAIT-2: `orphanFinWait2At` is the send
  // half's clock when it read the report, later than a batch that reached the dealer before then)
  if (view.orphanFinEnd === undefined && view.orphanFinWait2At === undefined) r.twAhead = false
  // the window the send half announces follows the grown buffer: take it before judging segments
  if (view.rcvCapacity > r.capacity) r.capacity = view.rcvCapacity
  // urgent data the application has read past is no longer pending: forget RCV.UP, so that a
  // pointer left far behind cannot look ahead again once the distance wraps 2^31
  if (r.rcvUp !== undefined && urgentPending(r, consumed) === 0) r.rcvUp = undefined
  if (view.lastAckSent !== undefined && Seq.gt(view.lastAckSent, r.lastAck)) r.lastAck = view.lastAckSent
  // (the send half acknowledged up to its last ACK, by its delayed ACK, a segment of its own or the
  // batch's ACK: what lies below it is owed no more, all of it or, when this half has taken more
  // since, a part, as Linux's rcv_wup moves with every ACK sent)
  if (view.lastAckSent !== undefined) r.owed = Math.min(r.owed, Math.max(0, Seq.sub(r.rcvNxt, view.lastAckSent)))
  if (r.memory !== undefined) r.heldAtBatch = holding(r, consumed)
  // a TSval the send half took in the last report (a send inside it had covered the segment)
  if (view.tsTaken !== undefined && r.tsOk && !Acceptance.tsOlder(r.tsRecent, view.tsTaken)) {
    r.tsRecent = view.tsTaken
    r.tsRecentAt = view.tsTakenAt
  }
  for (const seg of segments) {
    if (r.state === "Closed") break
    if (r.state === "SynSent") synSentSegment(r, seg, out, at, view)
    else {
      const n = out.acks.length
      segment(r, seg, out, at, consumed, view)
      // The FIN after an ACK of ours makes TIME-WAIT (tcp_fin's tcp_time_wait in FIN-WAIT-2, the
      // FIN_WAIT1 case's with the FIN on that ACK), before the next segment: an RST behind it in the
      // batch is TIME-WAIT's, as it would be in a batch of its own
      if (out.fin && !r.timeWait && view.finEnd !== undefined && finAcked(out, view.sndUna, view.finEnd)) {
        r.timeWait = true
        out.timeWait = true
      }
      // (what a send at this segment's ACK acknowledges, and the ACK points it would answer)
      if (out.acks.length > n) {
        const a = out.acks[n]!
        out.ackNowAtLast = out.ackNow
        if (a.points !== undefined) {
          a.rcvNxt = r.rcvNxt
          a.points = out.ackPoints.length
        }
      }
    }
  }
  // an ACK point right before the FIN the batch ended on acknowledges what the batch's own ACK does,
  // less the FIN: one ACK for both, as Linux sends
  // (one that reports a duplicate becomes that ACK, with its D-SACK block: a resent segment of
  // data and FIN, partly had, draws one ACK that takes the FIN and says what came twice)
  const last = out.ackPoints.length - 1
  // (not a refused segment's: Linux's tcp_send_dupack sent it before the FIN came)
  const refusedLast = out.refusedPoints !== undefined && out.refusedPoints[out.refusedPoints.length - 1] === last
  if (out.fin && last >= 0 && !refusedLast && Seq.add(out.ackPoints[last]!, 1) === r.rcvNxt) {
    out.ackPointTs.pop()
    const dup = Rack.dsackOf(out.ackPointSacks.pop(), out.ackPoints.pop()!)
    if (dup !== undefined) ackPoint(r, out, dup)
    else {
      // The point was owed at once (a second segment, a gap filled), and so is the ACK that now
      // takes its place, FIN or not: the FIN's own ACK may wait for the delayed-ACK time, but
      // Linux's tcp_fin comes before the segment's __tcp_ack_snd_check, whose ACK covers it
      out.ackNow = true
    }
  }
  out.rcvNxt = r.rcvNxt
  out.ackMss = r.ackMss.mss
  out.tsRecent = r.tsRecent
  out.ece = r.demandCwr
  out.sack = ourSack(r)
  return out
}

const NO_BLOCKS: ReadonlyArray<SackBlock> = Object.freeze([])

/**
 * May `size` new octets from `start` be held, with the stack-wide memory
 * as it stands (Memory.ts)? Within `high`, and under pressure within the
 * connection's fair share (or its minimum), yes (`TAKEN`). Otherwise, as
 * tcp_try_rmem_schedule, the out-of-order queue above `start` goes first,
 * all of it (tcp_prune_ofo_queue stops at its goal only out of pressure,
 * and every refusal here comes under it), and what fits then is taken as
 * usual; in order into an empty receive queue, what still does not fit is
 * taken all the same, as memory refused it (`FORCED`: tcp_data_queue's
 * sk_forced_mem_schedule, with ICSK_ACK_NOMEM set: a reader that keeps up
 * is never stopped, and the peer hears of the squeeze); the rest is dropped
 * and counted (`REFUSED`; TCPRcvQDrop, TCPOFODrop), however little this
 * half holds (no tcp_rmem[0] minimum above `high`: Memory.ts).
 */
const admit = (r: Receiver, m: Memory.TcpMemory, consumed: number, start: Seq.SeqNum, size: number, out: Report, over: boolean): number => {
  const now = holding(r, consumed)
  const pending = now - r.heldAtBatch
  if (Memory.mayReceive(m, pending, size, now, now + r.sendHeld)) return TAKEN
  // (tcp_prune_queue's first step: past sk_rcvbuf the clamp, `Report.clamped`, reported by the
  // caller; within it, under pressure (every refusal here is), rcv_ssthresh's cut to 4 × advmss)
  if (!over) out.pressed = true
  const freed = OutOfOrder.prune(r.ooo, start, Number.POSITIVE_INFINITY)
  if (freed > 0) {
    m.ofoPruned++
    if (Memory.mayReceive(m, pending - freed, size, now - freed, now - freed + r.sendHeld)) return TAKEN
  }
  // (nothing unread in order: all it holds is out of order)
  if (start === r.rcvNxt && now - freed === r.ooo.octets) return FORCED
  m.rcvQueueDropped++
  return REFUSED
}
/**
 * What this half may hold, octets (Linux's sk_rcvbuf): twice its buffer, or what `tcpClampWindow`
 * raised it to. The window announced may reach past the buffer's edge: rounded up to the scale's
 * unit, and kept when the buffer's shrinks (Sender.windowField: tcp_select_window's ALIGN(cur_win),
 * never pulled back), it creeps by less than a unit with each ACK while the peer leaves part of a
 * unit of it, without end for a peer of segments shorter than a unit and a reader that stopped.
 * Linux bounds that by sk_rcvbuf (tcp_try_rmem_schedule: tcp_can_ingest false, tcp_prune_queue,
 * then the drop and ICSK_ACK_NOMEM), which holds about twice the window's octets
 * (tcp_win_from_space's scaling_ratio, and tcp_collapse packs them); so here, in octets. A peer that
 * fills the window sent each time never meets it (the creep stays under a unit per ACK).
 */
const rcvbuf = (r: Receiver): number => Math.max(2 * r.capacity, r.rcvbufRaised)

/**
 * Is what this half holds, before new octets, past what it may hold? Linux's tcp_can_ingest as
 * 6.18's stable line has it (sk_rmem_alloc <= sk_rcvbuf: "tcp: give up on stronger sk_rcvbuf checks
 * (for now)" took the segment's own length back out), so the segment that crosses the bound is
 * taken, the next one is not.
 */
const overBuffer = (r: Receiver, consumed: number): boolean => holding(r, consumed) > rcvbuf(r)

/**
 * Linux's tcp_clamp_window, the first step of tcp_prune_queue once sk_rmem_alloc reached sk_rcvbuf:
 * sk_rcvbuf is raised to what is held, up to tcp_rmem[2] (`rcvbufMax`), unless the application
 * locked it (SOCK_RCVBUF_LOCK: the stack has no SO_RCVBUF for TCP, so never), the stack is under
 * memory pressure, or its total has reached tcp_mem[0] (`low`; with `pending`, what this batch took
 * before the connection charged it). So an auto-tuned connection out of pressure is bound by twice
 * the largest buffer, not twice its own; the window is not raised with it (tcp_rcvbuf_grow alone
 * moves window_clamp). Raised, it stays (sk_rcvbuf never shrinks).
 */
const tcpClampWindow = (r: Receiver, consumed: number): void => {
  if (rcvbuf(r) >= r.rcvbufMax) return
  if (!Memory.mayRaiseReceive(r.memory, holding(r, consumed) - r.heldAtBatch)) return
  r.rcvbufRaised = Math.max(r.rcvbufRaised, Math.min(holding(r, consumed), r.rcvbufMax))
}

/** What `admit` says of new octets (numbers: nothing made per segment) */
const REFUSED = 0
const TAKEN = 1
const FORCED = 2

/** Our SACK blocks now (the shared empty array when SACK is off or nothing is held out of order). */
const ourSack = (r: Receiver): ReadonlyArray<SackBlock> =>
  r.sackOk && (r.ooo.blocks.length > 0 || finBeyondHole(r))
    ? OutOfOrder.sackBlocks(r.ooo, r.tsOk ? 3 : 4, finBeyondHole(r) ? { seq: r.finSeq!, touched: r.finTouched } : undefined)
    : NO_BLOCKS

/**
 * The peer's FIN came, but not everything before it: it waits beyond a hole. (Beyond, not only
 * elsewhere: in-order data that runs past it, from a peer sending beyond its own FIN, leaves it
 * behind RCV.NXT, forgotten as Linux's tcp_ofo_queue drops it; a block for it there would sit
 * below every later ACK, a D-SACK to the peer each time.)
 */
const finBeyondHole = (r: Receiver): boolean => r.finSeq !== undefined && !r.finReceived && Seq.gt(r.finSeq, r.rcvNxt)

/** [left, right) as a D-SACK block (RFC 2883), when SACK was negotiated and the range is not empty. */
const twice = (r: Receiver, left: Seq.SeqNum, right: Seq.SeqNum): SackBlock | undefined =>
  r.sackOk && Seq.lt(left, right) ? { left, right } : undefined

/** The timestamps option as sent, padded to a word (RFC 7323 Appendix A): octets. */
const TS_OPTION = 12

/**
 * The option octets a segment carried, as a peer lays them out (timestamps and SACK blocks each after
 * two NOPs, RFC 7323 Appendix A, RFC 2018 §3): what its header held beyond the fixed 20 octets.
 */
const optionOctets = (seg: Segment): number => {
  const o = seg.options
  return (o.timestamp !== undefined ? TS_OPTION : 0) + (o.sack !== undefined && o.sack.length > 0 ? 4 + 8 * o.sack.length : 0)
}

/**
 * An ACK owed here, in the batch: RCV.NXT and our blocks as they stand now
 * (RFC 2018 §4: the first is the block of the segment that drew it), after a
 * D-SACK block for `dup` (RFC 2883 §4: first, then the block holding it when
 * it lay out of order, which `ourSack` puts first), as many as fit.
 */
const ackPoint = (r: Receiver, out: Report, dup: SackBlock | undefined): void => {
  out.ackPoints.push(r.rcvNxt)
  out.ackPointTs.push(r.tsRecent)
  r.lastAck = r.rcvNxt
  r.owed = 0
  // (an ACK clears what Linux's pending ACK flags said: inet_csk_clear_xmit_timer)
  out.pushed = 0
  if (dup === undefined) {
    out.ackPointSacks.push(ourSack(r))
    return
  }
  const blocks = [dup]
  for (const b of ourSack(r)) {
    if (blocks.length === (r.tsOk ? 3 : 4)) break
    blocks.push(b)
  }
  out.ackPointSacks.push(blocks)
}

/**
 * A segment dropped before its data was looked at (PAWS, or outside the
 * window) is acknowledged at once, and, with SACK, its octets below RCV.NXT
 * came twice: an ACK of its own reports them (RFC 2883 §4; Linux's
 * tcp_send_dupack).
 */
const dupAck = (r: Receiver, out: Report, seg: Segment, refused: boolean): void => {
  out.ackNow = true
  // the data and a FIN that came twice (Linux's tcp_send_dupack reports the segment's whole space
  // below RCV.NXT, so a peer learns its FIN's retransmission was spurious too)
  const len = seg.payload.length + ((seg.flags & FIN) !== 0 ? 1 : 0)
  let dup: SackBlock | undefined
  if (len > 0 && Seq.lt(seg.seq, r.rcvNxt)) {
    out.quickAck = true
    dup = twice(r, seg.seq, Seq.min(Seq.add(seg.seq, len), r.rcvNxt))
  }
  // Refused before its ACK was read (PAWS, tcp_sequence): Linux's tcp_validate_incoming answers it
  // with tcp_send_dupack, whose tcp_send_ack goes there and then, whatever the segment carried: an
  // ACK point at its place in the batch, between what the ACKs before and after it send (its D-SACK
  // block, if any, first). One whose ACK was taken (the window's special allowance) passed Linux's
  // tcp_sequence: tcp_data_queue drops its data and schedules the segment's own ACK, which what
  // goes at that ACK carries; only its D-SACK needs a point (tcp_dsack_set)
  if (refused) {
    ackPoint(r, out, dup)
    if (out.refusedPoints === undefined) out.refusedPoints = []
    out.refusedPoints.push(out.ackPoints.length - 1)
  } else if (dup !== undefined) ackPoint(r, out, dup)
}

/**
 * RFC 7323 §4.3: TS.Recent follows the segment that covers the last ACK we sent, and never goes
 * back (SEG.TSval >= TS.Recent: a reordered duplicate ACK past PAWS has an older one, and so may a
 * segment PAWS's replay window let by), but after PAWS_IDLE_MS idle, when TS.Recent proves nothing
 * and the peer's clock may have gone 2^31 on (§5.5):
 * then the next TSval is taken whatever it is, as Linux's tcp_replace_ts_recent (tcp_paws_check
 * passes on ts_recent_stamp's age); else TS.Recent would stay behind for good and every ACK echo it.
 */
const takeTsRecent = (r: Receiver, seg: Segment, at: number): void => {
  const ts = seg.options.timestamp
  if (
    r.tsOk && ts !== undefined && Seq.lte(seg.seq, r.lastAck) &&
    (!Acceptance.tsOlder(r.tsRecent, ts.value) || at - r.tsRecentAt >= Acceptance.PAWS_IDLE_MS)
  ) {
    r.tsRecent = ts.value
    r.tsRecentAt = at
  }
}

/**
 * Step 5 of RFC 9293 §3.10.7.4, the ACK field, for the send half: false when
 * the segment goes no further (an ACK of data never sent, one to challenge,
 * or, in SYN-RECEIVED, one that draws an RST). `len` is the segment's
 * sequence space (data and FIN), which tells a duplicate ACK from one that
 * came with data.
 */
const takeAck = (r: Receiver, seg: Segment, out: Report, at: number, view: SendView, len: number): boolean => {
  // In SYN-RECEIVED an ACK outside SND.UNA < SEG.ACK =< SND.NXT draws <SEQ=SEG.ACK><CTL=RST> and the
  // segment goes (RFC 9293 §3.10.7.4, fifth; Linux's tcp_rcv_state_process resets it too)
  if (view.synReceived && !(Seq.gt(seg.ack, view.sndUna) && Seq.lte(seg.ack, view.sndMax))) {
    out.rstReply = seg.ack
    return false
  }
  const verdict = Acceptance.onAck(view.sndUna, view.sndMax, view.ackReach, seg.ack)
  if (verdict === "AckAndDrop") {
    out.ackNow = true
    return false
  }
  if (verdict === "ChallengeAck") {
    challenge(r, out, at, view)
    return false
  }
  takeTsRecent(r, seg, at)
  // (this ACK of our FIN leaves a timewait sock for what follows it, in this batch and any the
  // receive half takes before the send half's view says FIN-WAIT-2; one with a FIN goes on to
  // TIME-WAIT instead, tcp_rcv_state_process's FIN_WAIT1 case)
  if (view.orphanFinEnd !== undefined && (seg.flags & FIN) === 0 && Seq.gte(seg.ack, view.orphanFinEnd)) r.twAhead = true
  out.acks.push({
    seq: seg.seq,
    ack: seg.ack,
    window: seg.window,
    len,
    tsEcr: seg.options.timestamp?.echo,
    sack: seg.options.sack,
    ece: (seg.flags & ECE) !== 0,
    tsRecent: r.tsRecent,
    tsVal: seg.options.timestamp?.value,
    // (both set once the segment is taken: `onBatch`)
    rcvNxt: r.rcvNxt,
    points: 0
  })
  return true
}

/**
 * A segment refused (PAWS, or outside the window) draws a duplicate ACK: at
 * once when it brought data or a FIN (`dupAck`); one without sequence space,
 * or a SYN, at most once per `Acceptance.OOW_ACK_INTERVAL` (Linux's
 * tcp_oow_rate_limited), so that two ends that disagree about the window
 * cannot ACK each other's ACKs at link speed. (A FIN again is a peer's
 * retransmission, as data is: it would go on sending it unanswered.)
 */
const answerOutOfWindow = (r: Receiver, out: Report, seg: Segment, at: number, refused: boolean): void => {
  if (oowLimitedFor(r, seg, at)) return
  dupAck(r, out, seg, refused)
}

/**
 * A challenge ACK (RFC 5961 §3.2, §4.2, §5.2), under the connection's limit of answers to refused
 * segments first, as Linux's tcp_send_challenge_ack checks it (__tcp_oow_rate_limited, on the stamp
 * the ACKs to segments outside the window share: one answer of either kind per
 * `Acceptance.OOW_ACK_INTERVAL`, whatever the segment carried), then the send half's limit
 * (RFC 5961 §7, `Params.challengeAcksPerSecond`).
 */
const challenge = (r: Receiver, out: Report, at: number, view: SendView): void => {
  if (Acceptance.oowLimited(r, at)) {
    out.challengesLimited++
    return
  }
  out.challenges++
  // (SYN-RECEIVED's batch has no ACK points: the send half answers its challenges after the batch)
  if (view.synReceived) return
  // An ACK of RCV.NXT as it stands here, at the challenged segment's place in the batch, before what
  // a later segment's ACK sends (tcp_send_ack moves rcv_wup and clears the pending ACK, as an ACK
  // point does); like a refused segment's, it schedules no ACK of data
  ackPoint(r, out, undefined)
  const i = out.ackPoints.length - 1
  if (out.refusedPoints === undefined) out.refusedPoints = []
  out.refusedPoints.push(i)
  if (out.challengePoints === undefined) out.challengePoints = []
  out.challengePoints.push(i)
}

/** Whether the answer to a refused `seg` must wait (`answerOutOfWindow`); when it need not, it is stamped. */
const oowLimitedFor = (r: Receiver, seg: Segment, at: number): boolean =>
  (seqLength(seg) === 0 || (seg.flags & SYN) !== 0) && Acceptance.oowLimited(r, at)

/** The ACK `takeAck` just queued came past PAWS as a reordered duplicate: no window from it. */
const markReordered = (out: Report): void => {
  const last = out.acks.length - 1
  out.acks[last] = { ...out.acks[last]!, reordered: true }
}

/** RFC 9293 §3.10.7.3: a segment in SYN-SENT. */
const synSentSegment = (r: Receiver, seg: Segment, out: Report, at: number, view: SendView): void => {
  const flags = seg.flags
  const hasAck = (flags & ACK) !== 0
  // Only SND.NXT = ISS + 1 is outstanding: an acceptable ACK acknowledges exactly it.
  const ackOk = hasAck && seg.ack === Seq.add(r.iss, 1)
  if (hasAck && !ackOk) {
    if ((flags & RST) === 0) out.rstReply = seg.ack
    return
  }
  // With an acceptable ACK, a TSecr other than 0 must echo one of our SYNs: a timestamp from
  // [our first SYN's, now] in our offset clock. Anything else answers a SYN we never sent (an old
  // duplicate, or a forgery that guessed the ACK): Linux's tcp_rcv_synsent_state_process rejects it
  // (PAWSActiveRejected, reset_and_undo: an RST to a SYN-ACK, an RST dropped) and stays in SYN-SENT.
  // RFC 7323 gives no rule for SYN-SENT's TSecr, and forbids none; a TSecr of 0 is not checked, as
  // Linux does not (a peer may echo nothing)
  const echo = seg.options.timestamp?.echo
  if (
    ackOk && r.offer.timestamps && view.synTs !== undefined && echo !== undefined && echo !== 0 &&
    ((echo - view.synTs) >>> 0) > ((tsWithOffset(at, view.tsOffset) - view.synTs) >>> 0)
  ) {
    if ((flags & RST) === 0) {
      out.rstReply = seg.ack
      out.pawsActiveRejected = true
    }
    return
  }
  if ((flags & RST) !== 0) {
    // Without an acceptable ACK an RST cannot be tied to our SYN: dropped.
    if (ackOk) {
      out.reset = true
      r.state = "Closed"
    }
    return
  }
  if ((flags & SYN) === 0) return
  const o = seg.options
  // A SYN without ACK after a connect took a TIME-WAIT over: PAWS against the TS.Recent inherited
  // from it (RFC 7323 §5.3 R1), so that an old duplicate of the previous incarnation's SYN opens no
  // simultaneous one; dropped unanswered, as Linux's tcp_rcv_synsent_state_process (discard_and_undo).
  // A fresh connect has none (0: nothing is older). A SYN-ACK is not measured: its TSval replaces it
  if (
    !hasAck && r.offer.timestamps && o.timestamp !== undefined &&
    Acceptance.pawsRejects(r.tsRecent, o.timestamp.value, false, at - r.tsRecentAt)
  ) return
  r.irs = seg.seq
  r.rcvNxt = Seq.add(seg.seq, 1)
  r.state = "Open"
  r.lastAck = r.rcvNxt
  r.tsOk = r.offer.timestamps && o.timestamp !== undefined
  if (r.tsOk) {
    r.tsRecent = o.timestamp!.value
    r.tsRecentAt = at
  }
  r.sackOk = r.offer.sack && o.sackPermitted
  const ecnSetup = (flags & (ECE | CWR)) === ECE
  // (not in a simultaneous open, whose SYN sets up no ECN)
  r.ecnOk = r.offer.ecn && ackOk && ecnSetup
  // RFC 7323 §2.2: without the peer's shift neither side scales; our windows go out unscaled
  if (o.windowScale === undefined) r.rcvShift = 0
  out.syn = {
    irs: seg.seq,
    window: seg.window,
    // an MSS of 0 is no announcement: Linux's tcp_parse_options skips it, and 536 applies (RFC 9293 §3.7.1)
    mss: o.mss === 0 ? undefined : o.mss,
    windowScale: o.windowScale,
    acked: ackOk,
    tsVal: o.timestamp?.value,
    tsEcr: o.timestamp?.echo,
    sackPermitted: o.sackPermitted,
    ecnSetup
  }
  // Data or a FIN on a SYN is not taken; the peer sends it again once acknowledged.
  out.ackNow = true
}

/** Our FIN (ending at `finEnd`) is acknowledged: before the batch (`sndUna`), or by an ACK it took. */
const finAcked = (out: Report, sndUna: Seq.SeqNum, finEnd: Seq.SeqNum): boolean => {
  if (Seq.gte(sndUna, finEnd)) return true
  for (const a of out.acks) if (Seq.gte(a.ack, finEnd)) return true
  return false
}

/**
 * After a close in FIN-WAIT-2, Linux's socket is a timewait sock by `at` (`SendView.orphanFinWait2At`),
 * or since an earlier segment acknowledged our FIN (`SendView.orphanFinEnd`), in this batch or one
 * taken before the send half's view caught up (`Receiver.twAhead`).
 */
const timewaitSock = (r: Receiver, view: SendView, at: number): boolean =>
  r.twAhead || view.orphanFinWait2At !== undefined && at >= view.orphanFinWait2At

/**
 * Whether everything delivered (the peer's FIN aside) has been read: Linux's sk_receive_queue is
 * then empty, or holds at most the FIN's own skb, which the read that meets the end of the stream
 * takes (the stack cannot tell that read from the last one: counted as taken).
 */
const queueEmpty = (r: Receiver, consumed: number): boolean =>
  Seq.sub(r.rcvNxt, Seq.add(r.irs, 1)) - (r.finReceived ? 1 : 0) <= consumed

/**
 * The receive window as the acceptability test reads it: from RCV.NXT to the buffer's right edge,
 * moved on by what the rounding up of a scaled window may have announced beyond it, and at least to
 * the furthest edge announced; 0 while the last ACK announced it shut.
 */
const receiveWindow = (r: Receiver, consumed: number, view: SendView): number => {
  // (a fixed edge, so data taken past the buffer, a zero-window probe, uses that rounding up instead
  // of finding it again each time; the send half never pulls the furthest edge announced back, and
  // it may creep past the buffer's by less than a unit per ACK, bounded by `overBuffer`:
  // Sender.windowField)
  const slack = r.rcvShift > 0 ? (1 << r.rcvShift) - 1 : 0
  let right = Seq.add(rightEdge(r, consumed), slack)
  if (view.rcvEdge !== undefined && Seq.gt(view.rcvEdge, right)) right = view.rcvEdge
  // A window announced shut takes no data (RFC 9293 §3.10.7.4: "If the RCV.WND is zero, no segments
  // will be acceptable"; Linux's tcp_data_queue drops them), neither into room a read made that was
  // too little to announce (the reduction of §3.8.6.2.2's receiver SWS avoidance) nor into what
  // the rounding of a scaled window would reach past the buffer: the peer's probe is answered with
  // the window as it is, and the data comes again once it is announced open
  return view.rcvShut ? 0 : Math.max(0, Seq.sub(right, r.rcvNxt))
}

/**
 * A segment for the orphan once Linux's socket is a timewait sock in FIN-WAIT-2 (`timewaitSock`):
 * tcp_timewait_state_process's FIN_WAIT2 rules, not RFC 5961's, in their order:
 * 1. PAWS without a replay window, an RST refused too while TS.Recent is younger than
 *    TCP_PAWS_MSL (`Acceptance.timewaitPawsRejects`), or a segment outside the window
 *    (`Acceptance.inTimewaitWindow`): an ACK, at most one per `Acceptance.OOW_ACK_INTERVAL` unless
 *    the segment brings data or a FIN without SYN (tcp_timewait_check_oow_rate_limit); an RST
 *    outside the window draws one too, where RFC 9293 drops it;
 * 2. an RST in the window ends the connection silently, wherever it lies (no challenge ACK);
 * 3. a SYN at or past RCV.NXT draws a reset and ends it (TCP_TW_RST);
 * 4. a segment without ACK, or that brings no sequence space, is dropped: no ACK, and no TS.Recent
 *    from it;
 * 5. anything else but the FIN exactly at RCV.NXT (data, a FIN beyond a hole) draws a reset and
 *    ends it: new data after a half-duplex close;
 * 6. the FIN at RCV.NXT gives TS.Recent and moves the connection to TIME-WAIT, whatever its ACK field
 *    says (the timewait sock reads none; it is passed on only when RFC 5961 §5.2 finds it acceptable).
 * The resets are tcp_v4_send_reset's: `<SEQ=SEG.ACK><CTL=RST>`, or without ACK
 * `<SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>` (RFC 9293 §3.10.7.1), and they carry no timestamp.
 */
const timewaitSegment = (r: Receiver, seg: Segment, out: Report, at: number, view: SendView): void => {
  const flags = seg.flags
  const rst = (flags & RST) !== 0
  const len = seqLength(seg)
  const ts = seg.options.timestamp
  // What the full socket held is gone with it: the timewait sock's limit of answers starts afresh,
  // and it holds nothing out of order (its ACKs, tcp_v4_timewait_ack's, carry no SACK blocks; data
  // into the hole is new data, reset below)
  if (!r.twSeen) {
    r.twSeen = true
    // (the window last announced: the edge the send half keeps, tcp_receive_window's rcv_wup +
    // rcv_wnd; none while the last ACK announced it shut. A read since that announced nothing, less
    // than a step, leaves the buffer's edge beyond it: the timewait sock knows nothing of that)
    r.twWnd = view.rcvShut || view.rcvEdge === undefined ? 0 : Math.max(0, Seq.sub(view.rcvEdge, r.rcvNxt))
    out.twWnd = r.twWnd
    r.lastOowAckAt = undefined
    OutOfOrder.clear(r.ooo)
    if (!r.finReceived) r.finSeq = undefined
  }
  const paws = r.tsOk && ts !== undefined && Acceptance.timewaitPawsRejects(r.tsRecent, ts.value, rst, at - r.tsRecentAt)
  if (paws || !Acceptance.inTimewaitWindow(r.rcvNxt, r.twWnd ?? 0, seg.seq, len)) {
    if (oowLimitedFor(r, seg, at)) return
    out.ackNow = true
    return
  }
  if (rst) {
    out.reset = true
    r.state = "Closed"
    return
  }
  const hasAck = (flags & ACK) !== 0
  const reset = (): void => {
    out.rstReply = hasAck ? seg.ack : Seq.ZERO
    out.rstAck = hasAck ? undefined : Seq.add(seg.seq, len)
    out.reset = true
    r.state = "Closed"
  }
  if ((flags & SYN) !== 0 && Seq.gte(seg.seq, r.rcvNxt)) return reset()
  if (!hasAck || len === 0 || !Seq.gt(Seq.add(seg.seq, len), r.rcvNxt)) return
  if ((flags & FIN) === 0 || Seq.add(seg.seq, len) !== Seq.add(r.rcvNxt, 1)) return reset()
  const verdict = Acceptance.onAck(view.sndUna, view.sndMax, view.ackReach, seg.ack)
  if (verdict === "New" || verdict === "Old") {
    out.acks.push({
      seq: seg.seq,
      ack: seg.ack,
      window: seg.window,
      len,
      tsEcr: ts?.echo,
      sack: seg.options.sack,
      ece: (flags & ECE) !== 0
    })
  }
  if (r.tsOk && ts !== undefined) {
    r.tsRecent = ts.value
    r.tsRecentAt = at
  }
  r.finSeq = r.rcvNxt
  r.finTouched = OutOfOrder.tick(r.ooo)
  r.rcvNxt = Seq.add(r.rcvNxt, 1)
  r.finReceived = true
  out.fin = true
}

/** RFC 9293 §3.10.7.4: a segment in a synchronized state. */
const segment = (r: Receiver, seg: Segment, out: Report, at: number, consumed: number, view: SendView): void => {
  if (!r.timeWait && timewaitSock(r, view, at)) return timewaitSegment(r, seg, out, at, view)
  const timeWait = view.timeWait || r.timeWait
  const flags = seg.flags
  const rst = (flags & RST) !== 0
  const len = seqLength(seg)
  const ts = seg.options.timestamp
  // 1. PAWS, with Linux's replay window of one tick (Acceptance.PAWS_WINDOW); a segment without a
  // timestamp is taken even after negotiation, as Linux does; a reordered duplicate ACK is taken
  // too (Linux's tcp_paws_discard asks tcp_disordered_ack)
  if (
    r.tsOk && ts !== undefined &&
    Acceptance.pawsRejects(r.tsRecent, ts.value, rst, at - r.tsRecentAt, Acceptance.PAWS_WINDOW)
  ) {
    const pureAck = (flags & ACK) !== 0 && len === 0 && (flags & (SYN | FIN)) === 0
    if (!Acceptance.disorderedAck(r.rcvNxt, seg, pureAck, view, r.tsRecent, ts.value)) {
      // A SYN is challenged (RFC 5961 §4.2), not answered as a duplicate: Linux's tcp_validate_incoming
      // sends it to syn_challenge (tcp_send_challenge_ack: no D-SACK of what it brought, no quick-ACK
      // mode; a 2023 change: before it, tcp_send_dupack)
      if ((flags & SYN) !== 0) {
        challenge(r, out, at, view)
        return
      }
      // An old pure ACK (below RCV.NXT) is common and draws no duplicate ACK: Linux 6.18's
      // tcp_validate_incoming drops it (tcp_disordered_ack_check's SKB_DROP_REASON_TCP_RFC7323_PAWS_ACK,
      // PAWSOldAck) before the rate-limited tcp_send_dupack the others get
      if (pureAck && Seq.lt(seg.seq, r.rcvNxt)) return
      answerOutOfWindow(r, out, seg, at, true)
      return
    }
    // A reordered duplicate ACK goes on as a duplicate only: the view it was judged against may be
    // older than the send half (it writes the view after a whole report, and may not have read the
    // last batch's yet), so a window update that overtook it may not be there; Linux, segment by
    // segment, would find !tcp_may_update_window against the newer SND.WND and take no window from
    // it, and so the send half takes none (`AckInfo.reordered`; its own tcp_may_update_window rule
    // would refuse the older window too, but need not be relied on for a segment PAWS let by)
    if (takeAck(r, seg, out, at, view, len)) markReordered(out)
    return
  }
  // Simultaneous open (RFC 9293 §3.5 figure 7, line 6): the peer's SYN-ACK repeats the SYN we took,
  // now acknowledging ours. RFC 9293 drops it as a duplicate, and the handshake then waits for our
  // SYN-ACK's retransmission; Linux (tcp_validate_incoming, SYN-RECV) takes its ACK, and so do we,
  // its timestamp too (it covers the last ACK we sent). Its SYN is then a retransmission to Linux's
  // tcp_data_queue: acknowledged at once, reported as a D-SACK when SACK is on.
  if (
    (flags & (SYN | ACK | RST | FIN)) === (SYN | ACK) && seg.payload.length === 0 &&
    Seq.add(seg.seq, 1) === r.rcvNxt && view.sndUna === r.iss && seg.ack === Seq.add(r.iss, 1)
  ) {
    takeTsRecent(r, seg, at)
    out.acks.push({ seq: seg.seq, ack: seg.ack, window: seg.window, len: 0, tsEcr: ts?.echo, sack: undefined, syn: true, ece: false })
    out.ackNow = true
    const dup = twice(r, seg.seq, r.rcvNxt)
    if (dup !== undefined) ackPoint(r, out, dup)
    return
  }
  // 2. the acceptability test (`receiveWindow`)
  const wnd = receiveWindow(r, consumed, view)
  // A bare FIN at RCV.NXT is taken even into a zero window, where RFC 9293's test refuses any
  // segment of non-zero length: it takes no buffer, and Linux (tcp_data_queue) queues it too.
  const bareFin = (flags & (FIN | SYN)) === FIN && seg.payload.length === 0 && seg.seq === r.rcvNxt
  // Linux 6.17's tcp_sequence (9ca48d616ed7) refuses whole, as out of the window, a segment that ends
  // past its right edge while data waits unread, however much of it lies inside (a whole aggregate
  // too: one skb): only a receive queue that is empty lets it through, for peers that overrun.
  // Never a sender that keeps to what we announced: the edge here is at least the furthest one
  // announced. A FIN may reach one past it (6.18 lets it, and the bare FIN above); the timewait
  // sock that Linux's TIME-WAIT is asks no tcp_sequence
  const overruns =
    !timeWait && Seq.gt(Seq.add(seg.seq, len - ((flags & FIN) !== 0 ? 1 : 0)), Seq.add(r.rcvNxt, wnd)) &&
    !queueEmpty(r, consumed)
  if (!bareFin && (overruns || !Acceptance.acceptable(r.rcvNxt, wnd, seg.seq, len))) {
    if (rst) {
      if (Acceptance.resetsAfterFin(r.rcvNxt, seg.seq, r.finReceived, timeWait)) {
        out.reset = true
        r.state = "Closed"
      }
      return
    }
    // RFC 5961 §4.2: a SYN, "irrespective of the sequence number", is a challenge (rate limited);
    // not the peer's SYN again in a simultaneous open's SYN-RECEIVED, which our SYN-ACK answers
    if ((flags & SYN) !== 0 && !view.synReceived) {
      challenge(r, out, at, view)
      return
    }
    // RFC 9293 §3.10.7.4: "special allowance should be made to accept valid ACKs" when the window is
    // zero. Linux's tcp_sequence takes the ACK of any segment that ends at or past the last ACK we
    // sent and starts within the window, and only its data goes (with a duplicate ACK): its tail loss
    // probe ending at RCV.NXT still tells us what it received. But since 6.17 (9ca48d616ed7) one that
    // ends past the window's right edge passes only while nothing waits to be read: with data held
    // for the application (a shut window's usual cause) a probe into it is refused whole, a duplicate
    // ACK, its ACK field unread (our data it acknowledges goes again, as Linux's does)
    // (the edge is the furthest one announced: a window we announced shut by rounding, with an edge
    // announced earlier still ahead, must not leave the peer's ACKs of our data unread while it may
    // send up to that edge: each side would then resend what the other refuses, for good)
    let edge = Seq.add(r.rcvNxt, wnd)
    if (view.rcvEdge !== undefined && Seq.gt(view.rcvEdge, edge)) edge = view.rcvEdge
    // (whether its ACK was taken: Linux's tcp_sequence let it by, and tcp_validate_incoming sent nothing)
    let taken = false
    if (
      (flags & ACK) !== 0 && Seq.gte(Seq.add(seg.seq, len), r.lastAck) && Seq.lte(seg.seq, edge) &&
      (!Seq.gt(Seq.add(seg.seq, len), edge) || queueEmpty(r, consumed))
    ) {
      // After the peer's FIN (CLOSE-WAIT, CLOSING, LAST-ACK) such a segment at or past RCV.NXT gets
      // no further than its ACK in Linux when its receive queue is empty (tcp_sequence lets it in
      // only then; here: everything delivered has been read, as after a close): step 7 of
      // tcp_rcv_state_process breaks before tcp_data_queue, so no quick-ACK mode and no duplicate ACK
      if (r.finReceived && Seq.gte(seg.seq, r.rcvNxt) && queueEmpty(r, consumed)) {
        takeAck(r, seg, out, at, view, len)
        return
      }
      // Its data then reaches Linux's tcp_data_queue, which drops it (a resend ending at or past our
      // last ACK, a probe into a shut window, data at its right edge) but enters quick-ACK mode and
      // schedules the ACK, which spends a quick ACK (out_of_window): a sender that probes or resends
      // may be down to a segment, and the window we next open should not wait on a delayed ACK
      taken = takeAck(r, seg, out, at, view, len)
      if (taken && len > 0) {
        out.quickAck = true
        out.ackScheduled = true
        // (after the peer's FIN no data is new: Linux's CLOSING and LAST-ACK ignore it, no reset)
        if (!r.finReceived && Seq.gt(Seq.add(seg.seq, seg.payload.length), r.rcvNxt)) out.pastRcvNxt = true
      }
    }
    answerOutOfWindow(r, out, seg, at, !taken)
    return
  }
  // 3. RST
  if (rst) {
    const held = r.ooo.blocks
    const verdict = Acceptance.onRst(r.rcvNxt, wnd, seg.seq, r.sackOk && held.length > 0 ? held[held.length - 1]!.end : undefined)
    if (verdict === "Reset") {
      out.reset = true
      // RFC 1337: TIME-WAIT ignores it, and must still re-ACK a retransmitted FIN
      if (!timeWait) r.state = "Closed"
    } else if (verdict === "ChallengeAck" && !timeWait) challenge(r, out, at, view)
    // (TIME-WAIT answers no RST: Linux's tcp_timewait_state_process drops one off RCV.NXT without a
    // word, no RFC 5961 challenge there, as the stack's record does, TimeWait.ts; so too the segments
    // behind the FIN that made it in one batch, `Receiver.timeWait`)
    return
  }
  // 4. SYN
  if ((flags & SYN) !== 0) {
    challenge(r, out, at, view)
    return
  }
  // 5. ACK
  if ((flags & ACK) === 0) return
  if (!takeAck(r, seg, out, at, view, len)) return
  // RFC 3168 §6.1.3: the peer's CWR says it has reduced its window; a CE on this segment's data,
  // after that, asks again
  if (r.ecnOk && (flags & CWR) !== 0) {
    r.demandCwr = false
    // at once when it brings data: the sender's window may be down to a segment (Linux's tcp_ecn_accept_cwr)
    if (len > 0) out.ackNow = true
  }
  if (r.ecnOk && seg.ce && seg.payload.length > 0 && !r.demandCwr) {
    r.demandCwr = true
    // at once, as Linux (its quick-ACK mode): the sender may have a window of one segment. (Quick-ACK
    // mode, not an ACK at once whatever comes: a FIN on the segment then puts Linux's tcp_fin in
    // pingpong mode, and the ACK waits; the send half says which)
    out.quickAckEcn = true
  }
  // Data sent Not-ECT after ECT data is likely a retransmission (RFC 3168 §6.1.5: a sender sets no
  // ECT on one): the sender may be down to a segment after a timeout, so quick ACKs, two at most,
  // as Linux's tcp_data_ecn_check (only when the frame's reader said which: `Segment.ect`)
  if (r.ecnOk && seg.payload.length > 0) {
    if (seg.ce || seg.ect === true) r.ectSeen = true
    else if (seg.ect === false && r.ectSeen) out.quickAckEcn = true
  }
  if (r.finReceived) return
  // 6. URG: the pointer is the octet after the urgent data (RFC 9293 §3.8.5); it only moves forward
  if ((flags & URG) !== 0) {
    const up = Seq.add(seg.seq, seg.urgent)
    // (a pointer the application has read past, an old segment's again, is no indication)
    if (Seq.gt(up, Seq.add(r.irs, 1 + consumed)) && (r.rcvUp === undefined || Seq.gt(up, r.rcvUp))) {
      r.rcvUp = up
      out.urgent = up
    }
  }
  if (len === 0) return
  // 7. data, trimmed to [RCV.NXT, right edge)
  const payload = seg.payload
  const edge = Seq.add(r.rcvNxt, wnd)
  const skip = Math.max(0, Seq.sub(r.rcvNxt, seg.seq))
  const fits = Math.max(0, Math.min(payload.length, Seq.sub(edge, seg.seq)))
  const finFits = (flags & FIN) !== 0 && fits === payload.length
  // this segment's own ACK (an ACK point), and the octets it brought twice
  let point = false
  let dup: SackBlock | undefined
  // what the stack-wide bound said of its new octets (`admit`)
  let admitted = TAKEN
  if (skip > 0) {
    // a duplicate, at least in part: acknowledge at once, and say which octets came twice
    out.ackNow = true
    if (payload.length > 0) dup = twice(r, seg.seq, Seq.add(seg.seq, Math.min(skip, payload.length)))
    // (one with nothing new in it fails the acceptability test: `dupAck` turns quick ACKs on for it)
  }
  if (fits > skip) {
    const start = Seq.add(seg.seq, skip)
    const data = skip === 0 && fits === payload.length ? payload : payload.subarray(skip, fits)
    // Above the stack-wide bound (Memory.ts), or past what one connection may hold (`overBuffer`),
    // the new octets may be refused: dropped unacknowledged, FIN and all, as Linux's tcp_data_queue
    // drops what tcp_try_rmem_schedule refuses (a duplicate in the segment is still acknowledged at
    // once). In order, the drop draws an ACK at once that announces a window of 0 (`Report.nomem`:
    // ICSK_ACK_NOMEM | ICSK_ACK_NOW), so the peer probes until a read reopens it; out of order,
    // nothing (tcp_data_queue_ofo: the peer resends later)
    if (r.memory !== undefined) {
      // (past what it may hold before memory's prune: tcp_prune_queue runs tcp_clamp_window first,
      // whatever sk_rmem_schedule said, and a refusal means pressure or a total past `high`, where it
      // raises nothing: the cut alone, `Report.clamped`)
      const over = overBuffer(r, consumed)
      admitted = admit(r, r.memory, consumed, start, data.length, out, over)
      if (admitted !== TAKEN && over) out.clamped = true
    }
    if (admitted === TAKEN && overBuffer(r, consumed)) tcpClampWindow(r, consumed)
    if (admitted === TAKEN && overBuffer(r, consumed)) {
      // (still past it after the clamp: its rcv_ssthresh cut, whatever becomes of the segment)
      out.clamped = true
      // Out-of-order data above these octets goes first, from the highest (tcp_prune_queue's
      // tcp_prune_ofo_queue(sk, in_skb) before the drop, as `admit`'s): else the segment that fills a
      // hole would be refused for the data held beyond it, the peer resending it into that refusal.
      // Linux's stops once tcp_can_ingest, but under memory pressure goes on to the segment
      const excess = Memory.underPressure(r.memory) ? Number.POSITIVE_INFINITY : holding(r, consumed) - rcvbuf(r)
      const freed = OutOfOrder.prune(r.ooo, start, excess)
      if (freed > 0 && r.memory !== undefined) r.memory.ofoPruned++
      // (in order into an empty receive queue it is taken all the same, as `admit`'s FORCED)
      if (overBuffer(r, consumed)) {
        admitted = start === r.rcvNxt && holding(r, consumed) === r.ooo.octets ? FORCED : REFUSED
        // counted with the stack-wide bound's refusals, as Linux's TCPRcvQDrop counts both
        if (admitted === REFUSED && r.memory !== undefined) r.memory.rcvQueueDropped++
      }
    }
    if (admitted === REFUSED) {
      if (dup !== undefined) ackPoint(r, out, dup)
      if (start === r.rcvNxt) {
        // (the first drop's: the ACK that goes after it carries the window of 0)
        if (!out.nomem) out.nomemPoint = dup !== undefined ? out.ackPoints.length - 1 : -1
        out.nomem = true
        out.ackNow = true
      }
      return
    }
    out.ackScheduled = true
    // octets of it already held out of order came twice too, even beside new ones (RFC 2883 §4;
    // Linux's tcp_dsack_set and tcp_dsack_extend): a D-SACK tells the sender its copy was not needed
    const again = r.sackOk && r.ooo.blocks.length > 0 ? OutOfOrder.heldWithin(r.ooo, start, Seq.add(start, data.length)) : undefined
    if (dup === undefined && again !== undefined) dup = again
    if (start === r.rcvNxt) {
      // the peer's segment size, measured on in-order data (Linux's tcp_event_data_recv); an
      // aggregate by the segments it holds (tcp_measure_rcv_mss: `gso_size ?: skb->len`), which the
      // peer's TSO cut to its MSS less the options it carries, not by its length: capped at our MSS,
      // that would be the MSS we announced, a peer of shorter segments (timestamps, a narrower path)
      // counted as sending full ones
      if (r.ackMss.mss === 0) r.ackMss.mss = RcvMss.initial(view.rcvMss, view.sndMss, RcvMss.lastWindow(view, r.capacity))
      const measured = seg.gsoSize > 0 ? seg.gsoSize : payload.length
      if (RcvMss.measure(r.ackMss, measured, optionOctets(seg), r.tsOk ? TS_OPTION : 0, flags, view.rcvMss)) {
        out.pushed = Math.min(2, out.pushed + 1)
      }
      // (a segment longer than our MSS is several full-sized ones the peer's TSO or the kernel's GRO
      // handed over as one: counted as that many)
      const segments = data.length > view.rcvMss ? Math.ceil(data.length / view.rcvMss) : 1
      out.data.push(data)
      out.dataOctets += data.length
      out.dataSegments += segments
      r.rcvNxt = Seq.add(r.rcvNxt, data.length)
      // Out-of-order data held: this segment is a retransmission into a hole, and is acknowledged at
      // once (RFC 5681 §4.2: a segment that fills a gap in part or whole) and on its own (an ACK
      // point below), as Linux acknowledges every segment while it holds data out of order
      const intoHole = r.ooo.blocks.length > 0
      if (intoHole) {
        out.ackNow = true
        const drained = OutOfOrder.advance(r.ooo, r.rcvNxt)
        for (const c of drained.chunks) {
          out.data.push(c)
          out.dataOctets += c.length
        }
        r.rcvNxt = drained.rcvNxt
      }
      // More than one of the peer's segments since the last ACK: acknowledged at once (RFC 5681
      // §4.2's every second full-sized segment, counted in octets of the segment size we guess, as
      // Linux's __tcp_ack_snd_check: rcv_nxt - rcv_wup > rcv_mss). The FIN a segment brings counts
      // its one (tcp_fin comes first), so a segment of a full one's size with the FIN is
      // acknowledged at once, pingpong mode or not. An aggregate (TSO/GRO) counts as one segment
      // here, where Linux ACKs each at once: the ACK points inside a batch stay one per two segments
      // as they came (an ACK point per aggregate cost bulk into the stack a share of its rate; the
      // send half still ACKs a lone one at the batch's end, by the octets it brought)
      r.owed += Math.min(data.length, r.ackMss.mss) + (finFits && !intoHole ? 1 : 0)
      if (r.owed > r.ackMss.mss || intoHole) point = true
    } else {
      // The out-of-order queue may hold at most what the window leaves after the in-order octets.
      // Octets it held already came twice (`again`, above; RFC 2883 §4: their block is then the
      // most recent, the second one reported, as the RFC asks)
      OutOfOrder.insert(r.ooo, start, data, r.capacity, r.maxBlocks)
      out.pastRcvNxt = true
      // a duplicate ACK of its own, at once (RFC 5681 §4.2), with its block first
      out.ackNow = true
      point = true
    }
  }
  if (finFits) {
    const finSeq = Seq.add(seg.seq, payload.length)
    // A FIN beyond a hole that we hold already came twice as well: the D-SACK covers it, with the
    // held octets it ends (RFC 2883 §4: Linux's tcp_data_queue_ofo D-SACKs the whole sequence space
    // of a segment it held, and tcp_dsack_extend adds the FIN a segment of new data covers)
    if (r.sackOk && r.finSeq === finSeq && Seq.gt(finSeq, r.rcvNxt)) {
      if (dup === undefined) dup = { left: finSeq, right: Seq.add(finSeq, 1) }
      else if (dup.right === finSeq) dup = { left: dup.left, right: Seq.add(finSeq, 1) }
    }
    // A FIN beyond a hole is an out-of-order segment too, alone or not: a duplicate ACK at once
    // (RFC 5681 §4.2), its SACK block first (RFC 2018 §4), as Linux's tcp_data_queue_ofo holds a
    // bare FIN and acknowledges it; a peer whose FIN came before the data ahead of it then knows
    if (payload.length === 0 && Seq.gt(finSeq, r.rcvNxt)) {
      out.ackNow = true
      out.pastRcvNxt = true
      point = true
    }
    r.finTouched = OutOfOrder.tick(r.ooo)
    r.finSeq = finSeq
  }
  // (after the FIN's place is known: a block that ends at it covers it)
  if (point || dup !== undefined) ackPoint(r, out, dup)
  // In order into an empty receive queue past the bound: taken, but memory refused it all the same,
  // and the ACK goes at once with a window of 0, as for a drop (tcp_data_queue sets ICSK_ACK_NOMEM |
  // ICSK_ACK_NOW before it looks at the queue; sk_forced_mem_schedule then takes the segment). Its
  // ACK point, if it has one and it ends the batch, is that ACK
  if (admitted === FORCED) {
    if (!out.nomem) out.nomemPoint = point || dup !== undefined ? out.ackPoints.length - 1 : -1
    out.nomem = true
    out.ackNow = true
  }
  // 8. FIN, once everything before it is here. When its ACK goes is the send half's to say (it
  // knows the state the FIN moves it to: Linux's tcp_fin acknowledges at once only in FIN-WAIT);
  // what else asks for an ACK at once (a gap filled, a duplicate) has said so above
  if (r.finSeq !== undefined && r.finSeq === r.rcvNxt) {
    r.rcvNxt = Seq.add(r.rcvNxt, 1)
    r.finReceived = true
    out.fin = true
  }
}
