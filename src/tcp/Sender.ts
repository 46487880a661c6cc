/**
 * The send half of a connection, as pure rules over one plain record
 * (gVisor's `snd.go`; the paper's writing process). It owns the connection's
 * RFC 9293 state, SND.UNA/NXT/WND, the send buffer, the retransmission
 * timer and RTT estimator (RFC 6298), congestion control (behind
 * `congestion/Congestion.ts`), and the one deadline of the connection. It is
 * the only part that sends: data, ACKs for what the receive half took,
 * window updates, FIN, RST, probes.
 *
 * Every entry point takes `now` (Clock ms) and an `out` array it appends
 * segments to; nothing here reads a clock or does I/O. Inputs:
 *
 * - `onReport`: the receive half's summary of one batch (Receiver.ts): the
 *   ACK fields of each accepted segment, in order, then what the batch asks
 *   of us (acknowledge now or later, the peer's FIN, a reset).
 * - `write`, `end`, `abort`, `onRead`: the application.
 * - `onTimer`: the deadline (`deadline(s)`) passed.
 *
 * Rules, with where they come from:
 *
 * - Sending (RFC 9293 §3.8.6.2, RFC 1122 §4.2.3.4): within the peer's window
 *   and `cwnd`; at most the MSS less the options this segment carries
 *   (RFC 6691), and at most half the largest window the peer offered (as
 *   Linux's tcp_bound_to_half_wnd; `segmentPayload`); a partial segment only when it empties the buffer, and then
 *   (Nagle, with Minshall's rule as Linux) only when no earlier small
 *   segment is unacknowledged, unless `noDelay`. The FIN rides on the last
 *   data segment when it can.
 * - ACKs (RFC 9293 §3.8.6.3, RFC 5681 §4.2): at once when the receive half
 *   asks (out-of-order data, a gap filled, an unacceptable segment), for the
 *   peer's FIN in FIN-WAIT or before any data came, but in ESTABLISHED after
 *   the delayed-ACK time, the exchange then interactive, so that the
 *   application's answer carries it (Linux's tcp_fin),
 *   when more than one of the peer's segments waits unacknowledged (in
 *   octets of their size as the receive half guesses it, RcvMss.ts: Linux's
 *   rcv_nxt - rcv_wup > rcv_mss), when a read opens the window
 *   meaningfully (at least doubling it), and when a read empties the buffer
 *   after data that ended a write, outside an interactive exchange
 *   (tcp_cleanup_rbuf's ICSK_ACK_PUSHED, RcvMss.ts); in quick-ACK mode (a
 *   connection's first `quickAcks` ACKs of new data, and as many again after
 *   an idle RTO or a resend of data we had, two after a CE or Not-ECT
 *   data after ECT (Linux's tcp_data_ecn_check), unless the exchange is
 *   interactive; each ACK that acknowledges data spends one, as Linux's
 *   tcp_dec_quickack_mode, however many segments it covers), as Linux; otherwise
 *   after at most `delayedAck`. Any segment we send carries the ACK. One
 *   ACK per batch.
 * - Receive window (RFC 9293 §3.8.6.2.2, RFC 1122 §4.2.3.3): the right edge
 *   we announce moves only by at least min(buffer / 2, MSS) and never back.
 * - Retransmission (RFC 6298): one timer for the oldest outstanding
 *   segment, restarted by each ACK of new data, doubled per expiry (but a
 *   connect's first `synLinearTimeouts` in SYN-SENT, which keep the initial
 *   RTO: Linux's tcp_syn_linear_timeouts, tcp_retransmit_timer); RTT
 *   at every ACK from the send times of what it delivers that went once
 *   (Karn's rule per segment), else from timestamps (RFC 7323 §4), as
 *   Linux's tcp_ack_update_rtt, taken when the batch arrived; 3 s once
 *   established when the handshake gave no sample
 *   (RFC 6298 §5.7, as Linux; with timestamps a resent SYN's echo is one), and the first window
 *   one segment if the handshake lost a SYN or SYN-ACK (RFC 5681 §3.1), which as Linux's
 *   tcp_init_transfer takes more than one sent again, not shown needless by the echo
 *   (`handshakeLost`); once the time `retries` backed-off retransmissions
 *   would take from 200 ms has passed since the first, the next expiry
 *   fails the connection with TimedOut (Linux's tcp_model_timeout,
 *   `retriesTimedOut`; a SYN's: `synRetries` from the initial RTO, timed
 *   from the first SYN, or that many resends, + `synLinearTimeouts` in
 *   SYN-SENT, whichever comes first). An expiry resends from SND.UNA (go-back-N
 *   within `cwnd`, RFC 5681 §3.1; with SACK, what the scoreboard does not
 *   hold, nor what went within RACK.rtt of the expiry, which stays in flight
 *   until RACK finds it lost, the window then what is in flight + 1 segment:
 *   RFC 8985 §6.3, Linux's tcp_timeout_mark_lost and tcp_enter_loss); with SACK, F-RTO (RFC 5682 §3.1, as Linux) first: once the
 *   first segment's retransmission is acknowledged, two new segments go
 *   instead of old ones, and an ACK of data sent only before the timeout
 *   shows it spurious and undoes its congestion cut. With timestamps, SACK
 *   or not, an ACK echoing a timestamp older than an episode's first
 *   retransmission shows it spurious too (RFC 3522) and undoes its cut
 *   (RFC 4015, as Linux's tcp_try_undo_recovery and tcp_try_undo_loss); in a
 *   fast recovery at a partial ACK already (tcp_try_undo_partial, SACK or not:
 *   undone when no resend is still out, else the recovery marks and resends
 *   nothing at that ACK; `undoPartial`, `sackUndoPartial`); timestamps or
 *   not, a partial ACK of a recovery that has resent nothing yet too, and with
 *   SACK that recovery's end (tcp_packet_delayed with retrans_stamp 0,
 *   `nothingResent`). A timeout's episode whose resends all came back
 *   D-SACKed is undone at the next ACK that moves SND.UNA, short of its end
 *   too (tcp_process_loss → tcp_try_undo_loss, tcp_may_undo).
 * - Loss recovery: without SACK, fast retransmit and NewReno (RFC 5681
 *   §3.2, RFC 6582) on the third duplicate ACK (an ACK of nothing new, no
 *   data, with data outstanding: a window update is not a duplicate, nor, as
 *   Linux's tcp_may_update_window has it, an ACK whose SEQ is past SND.WL1),
 *   its sends paced by PRR over the duplicates counted as
 *   segments out of the network, as Linux runs it for Reno (not RFC 5681's
 *   window inflation; a partial ACK's hole goes again when PRR's window has
 *   room for it); with SACK, RFC 6675 recovery over the scoreboard
 *   (Scoreboard.ts), whose duplicate is an ACK that SACKs something new
 *   (§2) and whose blocks count for whole segments only (as Linux's),
 *   with RACK's time-based loss detection (RFC 8985 §6,
 *   Rack.ts), the first retransmission stopping at the first SACKed octet,
 *   its sends paced by Proportional Rate Reduction (RFC 6937).
 *   A peer that reneges on what it SACKed (RFC 2018 §8: an ACK that moves
 *   SND.UNA onto SACKed octets and no further, Scoreboard.reneged) gets,
 *   as from Linux, a retransmission timer of max(SRTT / 2, 10 ms) instead of
 *   the RTO (tcp_check_sack_reneging; that ACK takes no recovery step), and
 *   a timeout that finds SND.UNA still SACKed clears the scoreboard before
 *   going back to SND.UNA (tcp_timeout_mark_lost): the SACKed octets go
 *   again, where before the board kept them skipped until each RTO in turn.
 *   A tail loss probe (RFC 8985 §7) after PTO = 2 × SRTT (plus the peer's
 *   worst delayed ACK when one segment is out) brings the ACK that starts
 *   recovery instead of the RTO. New data sent while a probe's episode is
 *   open turns the RTO into a probe timer as Linux's one timer a socket does
 *   (tcp_schedule_loss_probe), whose expiry only re-arms the RTO from the
 *   first unacknowledged segment's send time (tcp_send_loss_probe's "at most
 *   one outstanding TLP", tcp_rearm_rto).
 * - Zero window (RFC 9293 §3.8.6.1, RFC 1122 §4.2.2.17): a window that shuts
 *   with data out leaves it in flight (SND.NXT stays) under the retransmission
 *   timer, whose expiry resends the first segment whole as the probe, backed
 *   off, with no retry counted unless the application has closed, and the
 *   connection timed out only by a peer silent for twice the RTO's cap (Linux's
 *   tcp_retransmit_timer, "receiver dastardly shrinks window", and
 *   tcp_rtx_probe0_timed_out; tcp_check_probe_timer arms its probe timer only
 *   with nothing out). With nothing out, while the peer's
 *   window is 0 and data waits, probes of one octet go out at RTO intervals
 *   that double up to `maxPersist`, forever while the peer answers them
 *   (RFC 1122 §4.2.2.17); after `retries` in a row unanswered the connection
 *   fails with TimedOut, as Linux's tcp_probe_timer gives up after
 *   tcp_retries2, so a peer gone with its window shut does not hold it forever;
 *   once the application has closed, answered or not, after `orphanRetries`
 *   backoffs with the interval at its cap (Linux's SOCK_DEAD rule there), so
 *   that a peer cannot hold orphans by keeping its window shut; and an
 *   orphan the stack cannot keep (too many orphans, or memory past `high`:
 *   Memory.checkOom) is reset at its close, and at its retransmission and
 *   probe timeouts (Linux's __tcp_close and tcp_out_of_resources);
 *   the same timer sends what fits into a window too small for sender-side
 *   silly-window avoidance (RFC 9293 §3.8.6.2.1's override). A bare FIN
 *   waits for the window too (it takes a sequence number), probed meanwhile
 *   with a segment at SND.UNA - 1, as Linux's tcp_xmit_probe_skb; a FIN
 *   sent that the window shut on before it was taken is that timer's probe
 *   (its answers time nothing out, where the RTO's retries would), unless
 *   the application has closed (an orphan's RTO times it out, as Linux's).
 * - Buffers: the receive buffer grows with what the application reads per
 *   RTT (auto-tuning, as Linux's tcp_rcv_space_adjust), the send buffer to
 *   twice `cwnd` (tcp_sndbuf_expand), each up to its configured maximum.
 * - Keepalive (RFC 1122 §4.2.3.6), off unless asked for: probes after
 *   `idle` of silence, TimedOut after the configured unanswered ones.
 * - ICMP errors (RFC 1122 §4.2.3.9, RFC 5927): fragmentation needed lowers
 *   the MSS (the path MTU not below 552, and below that without DF, as
 *   Linux) and resends the segments in flight longer than it, not those the
 *   router passed (RFC 1191; Linux's tcp_simple_retransmit, by the
 *   transmission log, Rack.ts), for 10 minutes (then the route's MTU is
 *   tried again: RFC 1191 §6.3, Linux's mtu_expires); only an error quoting a sequence number
 *   in flight is believed, and none in TIME-WAIT; any other error fails a
 *   connect in SYN-SENT or SYN-RECEIVED (as Linux's tcp_v4_err) and is only
 *   a soft error after it, a net or host unreachable about SND.UNA undoing
 *   one backoff of the retransmission timer (RFC 6069, TCP-LD). Either way
 *   as the errno it stands for (icmp/ErrorConvert.ts, Linux's
 *   icmp_err_convert); a connection that times out (retransmissions, window
 *   or keepalive probes) after a soft error fails with it, not TimedOut,
 *   unless an acceptable ACK cleared it meanwhile (Linux's tcp_write_err,
 *   tcp_ack). The path MTU is the
 *   destination's, not only the connection's (ipv4/PathMtu.ts, Linux's route
 *   exception): a connection opens at what the stack holds for the address
 *   (`connect`, `established`), and takes what another user of it learnt on
 *   its next send (`onPathMtu`, as Linux's tcp_current_mss syncs to
 *   dst_mtu), its own router's report about a segment sized before then
 *   still resending it.
 * - Closing (RFC 9293 §3.6, §3.10.4): FIN after the data; TIME-WAIT of
 *   `timeWait` restarted by a retransmitted FIN, and RSTs ignored there
 *   (RFC 1337); FIN-WAIT-2 ends after `finWait2` once the application has
 *   closed (above 60 s after Linux's two parts, and 3.5 RTOs at least: `orphanLife`).
 * - RFC 5961 challenge ACKs through a token bucket that only they draw on.
 * - ECN (RFC 3168 §6.1), when the handshake set it up (`params.ecn`: asked
 *   in our SYN when "on", a retransmitted SYN without; a peer's ask taken
 *   unless "off"): new data goes ECT(0), never a retransmission, window
 *   probe or pure ACK; an ECE cuts ssthresh as a loss would, and cwnd by
 *   PRR at each ACK after, as Linux's CWR state (`cwrStep`), once per
 *   window of data (held: no other cut, a loss's included, and no growth
 *   until data above it is acknowledged, then cwnd = ssthresh) and not inside a loss episode,
 *   whose cut it then forbids undoing; the next new data after any cut
 *   says CWR (withdrawn if the cut is undone); every segment says ECE while
 *   the receive half asks.
 *
 * @since 0.1.0
 */
import * as ErrorConvert from "../icmp/ErrorConvert.js"
import type { IcmpReport } from "../ipv4/Ipv4.js"
import * as PathMtu from "../ipv4/PathMtu.js"
import * as TokenBucket from "../ipv4/TokenBucket.js"
import * as IcmpWire from "../wire/IcmpMessage.js"
import type { SackBlock, TcpOptions } from "../wire/TcpHeader.js"
import * as Congestion from "./congestion/Congestion.js"
import * as Acceptance from "./Acceptance.js"
import * as Memory from "./Memory.js"
import * as Negotiation from "./Negotiation.js"
import type { TcpParams } from "./Params.js"
import type { AckInfo, Report, SendView } from "./Receiver.js"
import * as Rtt from "./Rtt.js"
import * as Rack from "./Rack.js"
import * as RcvMss from "./RcvMss.js"
import * as Scoreboard from "./Scoreboard.js"
import type { OutSegment } from "./Segment.js"
import { ACK, CWR, ECE, FIN, PSH, RST, SYN, URG } from "./Segment.js"
import * as SendBuffer from "./SendBuffer.js"
import * as Seq from "./SeqNum.js"

/** The RFC 9293 §3.3.2 states a connection passes through (LISTEN lives in the listener). @category models */
export type State =
  | "SynSent"
  | "SynReceived"
  | "Established"
  | "FinWait1"
  | "FinWait2"
  | "CloseWait"
  | "Closing"
  | "LastAck"
  | "TimeWait"
  | "Closed"

/**
 * Why a connection ended other than by an orderly close: the peer's reset
 * (Refused in SYN-SENT), our abort, a timeout, or the errno of an ICMP error:
 * one that ended a connect, or the soft error a timeout ended with (Linux's
 * tcp_write_err). @category models
 */
export type Failure = "Refused" | "Reset" | "ResetAfterFin" | "TimedOut" | "Aborted" | ErrorConvert.Errno

/** What a passive or simultaneous handshake settled. @category models */
export interface Negotiated {
  readonly localPort: number
  readonly remotePort: number
  readonly iss: Seq.SeqNum
  readonly irs: Seq.SeqNum
  /**
   * the peer's window, octets: an active open's from its SYN-ACK (never scaled); a passive open's
   * from the ACK that completed the handshake (scaled by the SYN's shift, RFC 7323 §2.2)
   */
  readonly window: number
  /** the peer's window shift for its later segments; 0 without scaling */
  readonly sndShift: number
  /** our window shift; 0 when the peer did not offer scaling */
  readonly rcvShift: number
  /** the MSS the peer announced (undefined: none) */
  readonly peerMss: number | undefined
  /** our IP MTU towards the peer */
  readonly mtu: number
  readonly tsOk: boolean
  readonly tsRecent: number
  /** what our timestamp clock adds towards this peer (`Negotiation.tsOffset`; 0 when not given) */
  readonly tsOffset?: number
  readonly sackOk: boolean
  /** ECN was negotiated (RFC 3168 §6.1.1) */
  readonly ecnOk: boolean
  /** the handshake lost a SYN or SYN-ACK, as `handshakeLost` reads it: cwnd starts at one segment (RFC 5681 §3.1) */
  readonly synLost: boolean
  /** a first RTT measurement from the handshake, ms */
  readonly rttSample: number | undefined
  /**
   * a passive open's: the SEQ of the ACK that completed the handshake, SND.WL1 to start from (Linux's
   * tcp_init_wl in SYN-RECV); IRS + 1 but where that ACK came past a segment lost (or for a cookie, always)
   */
  readonly ackSeq: Seq.SeqNum
}

/** @category models */
export interface Sender {
  state: State
  /** why it ended, when it failed */
  failure: Failure | undefined
  readonly params: TcpParams
  readonly localPort: number
  readonly remotePort: number
  readonly iss: Seq.SeqNum
  /** SND.UNA: the oldest unacknowledged sequence number */
  sndUna: Seq.SeqNum
  /** SND.NXT: the next sequence number to send (moved back to SND.UNA by a retransmission timeout) */
  sndNxt: Seq.SeqNum
  /** the highest sequence number ever sent */
  sndMax: Seq.SeqNum
  /** SND.WND, octets (scaled) */
  sndWnd: number
  /**
   * SND.WL1: the SEQ of the segment that last set the window. No SND.WL2: a segment that
   * acknowledges new data sets it anyway, and one that does not may only grow or shut it (Linux's
   * tcp_may_update_window, `onAck`)
   */
  sndWl1: Seq.SeqNum
  /** MAX.SND.WND (RFC 5961 §5.2) */
  maxSndWnd: number
  /**
   * sequence space of ours the peer has acknowledged (Linux's bytes_acked): the data and FIN, and the
   * SYN of an active or simultaneous open (tcp_ack acknowledged it), not a passive open's (the SYN-ACK's
   * acknowledgement came before the connection was made: tcp_create_openreq_child starts at ISS + 1)
   */
  bytesAcked: number
  /** the peer's window shift */
  sndShift: number
  /** ours */
  rcvShift: number
  /** window scaling was offered both ways (a shift of 0 is an offer too): a SYN-ACK answers it */
  scaling: boolean
  /** our IP MTU towards the peer */
  mtu: number
  /**
   * a router named a path MTU below `MIN_PMTU`: `mtu` stays at that floor and the segments go
   * without DF, for the router to fragment (Linux's locked MTU, ip_dont_fragment)
   */
  pmtuLocked: boolean
  /** when the connection was made, Clock ms (a SYN-ACK's echo from before it is no sample) */
  readonly connectAt: number
  /** the route's MTU, which `mtu` starts at and goes back to when a lowered path MTU expires */
  readonly routeMtu: number
  /** when a path MTU lowered by a router expires (Clock ms; undefined: not lowered) */
  pmtuExpiresAt: number | undefined
  /**
   * The connection took a lower path MTU that another user of the route learnt (`onPathMtu`) with
   * data in flight: what was sent below `until` went at up to `mtu`, and a router's report about it
   * naming less still resends it (undefined: none such)
   */
  pmtuResend: { readonly until: Seq.SeqNum; readonly mtu: number } | undefined
  /**
   * a router's report marked segments longer than the new MSS lost (`resendTooLong`) and some
   * still wait for room in the window: each ACK sends more of them (Linux's CA_Loss after
   * tcp_simple_retransmit); cleared once none is left
   */
  pmtuLost: boolean
  /** send MSS (RFC 9293 §3.7.1, floored as Linux) */
  mss: number
  /** the MSS the peer announced (undefined: none) */
  peerMss: number | undefined
  /**
   * the errno of the last ICMP error about this connection that did not end it (RFC 1122 §4.2.3.9
   * soft errors, Linux's sk_err_soft): a timeout fails with it; an acceptable ACK clears it
   */
  softError: ErrorConvert.Errno | undefined
  /** the MSS we announced (Linux's advmss): the receive window's steps and auto-tuning count in it */
  readonly rcvMss: number
  /**
   * the peer's segment size as the receive half guesses it from what arrives (Linux's
   * icsk_ack.rcv_mss, RcvMss.ts): more than one of it unacknowledged makes an immediate ACK, and
   * quick-ACK mode counts the window in it
   */
  ackMss: number
  /**
   * unacknowledged data ends a write (the receive half's `pushed`: Linux's ICSK_ACK_PUSHED), 2 for
   * two such segments (PUSHED2): a read that empties the buffer then sends the ACK at once, not in
   * an interactive exchange unless 2 (tcp_cleanup_rbuf); an ACK clears it
   */
  ackPushed: number
  readonly buffer: SendBuffer.SendBuffer
  /** the application ended its side: a FIN follows the data */
  finQueued: boolean
  /** the application closed for good (FIN-WAIT-2 then times out) */
  appClosed: boolean
  tsOk: boolean
  sackOk: boolean
  /** ECN negotiated (RFC 3168 §6.1.1): new data goes ECN-capable, and ECE is answered */
  ecnOk: boolean
  /** ECN: the receive half asks our segments to say ECE (a CE came, no CWR since; RFC 3168 §6.1.3) */
  ecnEcho: boolean
  /** ECN: the window was reduced for an ECE; the next new data segment says CWR (RFC 3168 §6.1.2) */
  cwrPending: boolean
  /**
   * ECN: SND.MAX at the last reduction for an ECE; another waits until SND.UNA
   * is past it, one per window of data (RFC 3168 §6.1.2; Linux's CWR state)
   */
  ecnRecover: Seq.SeqNum | undefined
  /**
   * ECN: the cut for an ECE under way (Linux's CWR state): PRR (RFC 6937) spreads it over the ACKs
   * until SND.UNA passes `ecnRecover`, as Linux's tcp_cwnd_reduction runs at each ACK in CWR
   * (`cwrStep`); undefined outside it, and once a recovery or a timeout takes over
   */
  cwr: Cwr | undefined
  /** the peer's ISN; with `reads.consumed` it places our receive window */
  irs: Seq.SeqNum
  /** receive buffer, octets: grows by auto-tuning up to `params.maxReceiveBuffer` */
  capacity: number
  /** send buffer, octets: grows with the congestion window up to `params.maxSendBuffer` */
  sendCapacity: number
  /** auto-tuning's measurement: when it began, and the application's read position then */
  rcvSpaceAt: number
  rcvSpaceConsumed: number
  /** RCV.NXT as of the receive half's last report */
  rcvNxt: Seq.SeqNum
  /** TS.Recent to echo */
  tsRecent: number
  /** what our timestamp clock adds towards this peer: our TSvals are `tsOf(s, ms)` (`Negotiation.tsOffset`) */
  readonly tsOffset: number
  /** our SACK blocks to send (a D-SACK block goes only on the ACK point of its segment: Receiver.ts) */
  ourSack: ReadonlyArray<SackBlock>
  /** the right edge of the receive window we announced last */
  advEdge: Seq.SeqNum
  /**
   * the receive half refused in-order data for want of stack-wide memory (dropped, or forced in) (`Report.nomem`): the next
   * segment we send with ACK announces a window of 0 and pulls the edge back to RCV.NXT (Linux's
   * ICSK_ACK_NOMEM, which tcp_select_window reads and the ACK sent clears)
   */
  rcvNoMem: boolean
  /**
   * the last window we announced is that zero window, retracted for memory: every read wakes the
   * send half (`Connection.consumed`), whose window update goes as soon as the window is open again
   * (tcp_cleanup_rbuf: from a window of 0 any new one is at least twice it)
   */
  memShut: boolean
  /**
   * the most the window may offer past RCV.NXT, octets (Linux's rcv_ssthresh), since a cut: the
   * receive half's clamp found it held past what it may (`Report.clamped`; tcp_clamp_window cuts it
   * to 2 × advmss), or memory pressure cut it to 4 × advmss (`pressureCut`, tcp_adjust_rcv_ssthresh:
   * under half the buffer free, room to grow, or a refusal, `Report.pressed`). Grown by in-order data
   * out of pressure (tcp_grow_window), and no bound again (Infinity) once it reaches the buffer
   * (window_clamp). Infinity before any cut: this stack offers its buffer's edge
   */
  rcvSsthresh: number
  /** how much the application has read, written by the application side only */
  readonly reads: { consumed: number }
  /** quick-ACK mode: ACKs of new data still to send at once (Params.quickAcks) */
  quickAcks: number
  /**
   * data came that no ACK has acknowledged yet (the receive half's `ackScheduled`): the next ACK we
   * send, on its own or on data, spends a quick ACK (Linux's tcp_dec_quickack_mode, from
   * tcp_event_ack_sent: one per ACK, whatever it covers)
   */
  ackScheduled: boolean
  /** interactive: we sent data within the delayed-ACK time of data arriving, so ACKs wait to ride on answers */
  pingpong: boolean
  /** when in-order data last arrived (undefined: never) */
  lastDataAt: number | undefined
  /** an ACK is owed now */
  ackNow: boolean
  /** the delayed-ACK deadline */
  ackDue: number | undefined
  rtt: Rtt.Rtt
  /** the retransmission deadline, while anything is outstanding */
  rtoAt: number | undefined
  /** consecutive retransmission timeouts (or SYN retransmissions) */
  retries: number
  /** our SYN being timed for an RTT sample (Karn: never a retransmitted one); data is timed at every ACK from RACK's log (`ackRtt`) */
  timing: { readonly end: Seq.SeqNum; readonly at: number } | undefined
  /** the latest retransmission: where it started and when (an echo older than it is no RTT sample) */
  lastRetransmit: { readonly seq: Seq.SeqNum; readonly at: number } | undefined
  /** zero-window probing: the next probe's deadline */
  persistAt: number | undefined
  /** probes sent since the window closed */
  persistBackoff: number
  cc: Congestion.State
  readonly algorithm: Congestion.Algorithm
  /** duplicate ACKs in a row (with SACK, RFC 6675 §2's: ACKs that SACKed something new) */
  dupAcks: number
  /** in fast recovery (RFC 6582) */
  recovering: boolean
  /** RFC 6582 "recover": the highest sequence number sent when recovery began */
  recover: Seq.SeqNum
  /**
   * Without SACK, in fast recovery: the segments the duplicate ACKs say have left the network
   * (Linux's sacked_out for a Reno connection: tcp_add_reno_sack counts one a duplicate, at most
   * all but one of what is out, tcp_limit_reno_sacked; tcp_remove_reno_sacks takes all but one
   * of a partial ACK's segments off), so that PRR's pipe leaves them out; 0 outside a recovery
   */
  renoSacked: number
  /**
   * Without SACK, the duplicates' count that starts a fast retransmit, segments: Linux's
   * tp->reordering for a Reno connection, 3 (sysctl_tcp_reordering) until more duplicates come than
   * segments are out, when tcp_check_reno_reordering sets it to what was out (at most 300,
   * sysctl_tcp_max_reordering), or lower when fewer are out. A timeout leaves it: tcp_enter_loss's
   * reset to sysctl_tcp_reordering asks sacked_out, which tcp_timeout_mark_lost has reset for Reno
   */
  renoReordering: number
  /** what the peer SACKed (RFC 6675 scoreboard) */
  readonly board: Scoreboard.Scoreboard
  /** RFC 6675 HighRxt: the end of the last hole retransmitted in this recovery */
  highRxt: Seq.SeqNum
  /** RFC 8985 tail loss probe deadline, while data is outstanding */
  tlpAt: number | undefined
  /** a probe went out and no ACK of new data has come since */
  tlpOut: boolean
  /**
   * SND.MAX when the probe went or `tlpAt` was last armed or re-armed for new
   * data (`armTailProbe`, `armProbeOut`): new data since moves SND.MAX past
   * it, and the timer is re-armed from that send
   */
  tlpArmedMax: Seq.SeqNum
  /**
   * Linux's loss-probe timer where the probe cannot go (the last segment wholly past a window the
   * peer shrank, nothing new that the window takes): `armTailProbe` arms no `tlpAt` then, and
   * `tailProbe` records one that went off without a probe. `at` is when it expires or expired; it
   * holds while SND.UNA and SND.MAX stay as they were (`una`, `max`) and no timeout comes. Before
   * `at` a window that opens lets the probe go at `at`; from `at` on none is armed, as Linux's
   * tcp_send_loss_probe leaves ICSK_TIME_RETRANS pending (tcp_rearm_rto) and only an ACK of new data
   * (tcp_set_xmit_timer) or new data sent (tcp_write_xmit) arms a probe again
   */
  tlpBlocked: { readonly at: number; readonly una: Seq.SeqNum; readonly max: Seq.SeqNum } | undefined
  /**
   * RFC 8985 §7.4 TLP.end_seq: SND.MAX when the last probe went, while its
   * episode is open (no further probe until it closes); with where the
   * probe's octets began, whether it resent old data (TLP.is_retrans) and
   * the flight it was sent into
   */
  tlpEpisode: {
    readonly start: Seq.SeqNum
    readonly end: Seq.SeqNum
    readonly retrans: boolean
    readonly flight: number
  } | undefined
  /** segments sent beyond cwnd on the first two duplicate ACKs (RFC 3042 limited transmit), octets; not FlightSize for the cut */
  limitedOut: number
  /** RFC 8985 §6 RACK: the transmission log and its state (kept only with SACK) */
  readonly rack: Rack.Rack
  /**
   * The last loss episode (a fast recovery, or timeouts) while the peer may
   * still prove it spurious (RFC 2883 §5, Linux's undo_marker): where it
   * began, its retransmissions not yet D-SACKed, and cwnd and ssthresh from
   * before it cut them. Every fast recovery has one (Linux's tcp_init_undo at
   * tcp_enter_recovery, SACK or not: `beginUndo`); a timeout's only where a
   * proof can come (SACK, timestamps, or F-RTO).
   */
  undo: Undo | undefined
  /**
   * F-RTO (RFC 5682 §3.1, SACK-enhanced; Linux's tp->frto with high_seq):
   * while a timeout may yet prove spurious, SND.MAX when it fired
   */
  frto: Seq.SeqNum | undefined
  /** F-RTO step 2 sent new data instead of old; the next ACK decides (step 3) */
  frtoNewSent: boolean
  /** Proportional Rate Reduction (RFC 6937) of the fast recovery under way (with SACK) */
  prr: Prr | undefined
  /** RFC 6937 DeliveredData of the ACK being processed: octets it acknowledged or SACKed anew */
  ackDelivered: number
  /**
   * Octets SND.UNA moved into the segment at it without reaching its end (an ACK inside a
   * segment), not yet counted delivered: Linux frees that one-segment skb, and counts it, only
   * when an ACK covers it whole (tcp_clean_rtx_queue), so they count with the ACK that passes its end
   */
  unaPartial: number
  /**
   * The ACK being processed moved SND.UNA past a segment's end (Linux's FLAG_DATA_ACKED, FLAG_ACKED:
   * tcp_clean_rtx_queue freed a whole skb), which growth outside a recovery asks (tcp_may_raise_cwnd),
   * and without which the ACK re-arms no timer (FLAG_SET_XMIT_TIMER) and takes no echo's RTT
   */
  ackWhole: boolean
  /**
   * the ACK being processed moved SND.UNA and RACK marked nothing lost on it: PRR-SSRB's extra
   * segment (Linux's tcp_cwnd_reduction: FLAG_SND_UNA_ADVANCED && !newly_lost)
   */
  ackSafe: boolean
  /**
   * a duplicate or partial ACK of the batch being processed asks a SACK recovery for its sends
   * (RFC 6675 §5 (C)): they are made at the batch's end (`rackDetect`), after RACK has marked
   * what the batch shows lost, so that PRR's window is worked out from what is then in flight
   */
  recoverDue: boolean
  /**
   * the ACK being processed may have been held by the peer's delayed-ACK timer: it took one
   * segment shorter than a full one, whole, and nothing was SACKed before or by it (Linux's
   * FLAG_ACK_MAYBE_DELAYED, tcp_clean_rtx_queue); its RTT samples lower the minimum RTT only
   */
  ackMaybeDelayed: boolean
  /**
   * the ACK being processed moved SND.UNA onto octets the peer had SACKed, and no further: it
   * reneged (Scoreboard.reneged; Linux's FLAG_SACK_RENEGING with FLAG_SND_UNA_ADVANCED). Its
   * loss rules wait for the short timer it armed (`renegeDelay`): no RACK marking, no recovery step
   */
  ackReneged: boolean
  /** RACK's reordering timer: when the next segment sent before the last delivered one is due to be lost */
  rackAt: number | undefined
  /** end of the last partial segment sent (Minshall's Nagle: one small segment in flight at most) */
  sndSml: Seq.SeqNum
  /**
   * where the highest-sequence segment sent began (the one that last moved
   * SND.MAX): what a tail loss probe resends (RFC 8985 §7.3)
   */
  lastSegStart: Seq.SeqNum
  noDelay: boolean
  /** SND.UP: the octet after the urgent data the application marked, until the peer has acknowledged it */
  sndUp: Seq.SeqNum | undefined
  /** when we last sent data (idle restart, RFC 5681 §4.1) */
  lastSendAt: number
  /**
   * the largest flight (SND.MAX - SND.UNA) of the window being acknowledged, and where that
   * window ends: while the application, not the window, limits what goes, slow start grows the
   * congestion window only while it is below twice this (Linux's max_packets_out and
   * cwnd_usage_seq, kept by tcp_cwnd_validate as it sends; tcp_is_cwnd_limited; the maxFS of
   * draft-ietf-ccwg-ratelimited-increase §3, whose limit(maxFS) cap the stack no longer applies).
   * Taken as a new window's first flight once SND.UNA passed `maxFlightEnd`, so it follows what
   * the application did in the last round trip, not the largest flight ever.
   */
  maxFlight: number
  maxFlightEnd: Seq.SeqNum
  /**
   * a send of the window ending at `maxFlightEnd` filled cwnd (Linux's is_cwnd_limited): the window
   * was the limit, and every ACK may grow it, until a send finds SND.UNA past `maxFlightEnd`
   * without filling it (`noteFlight`)
   */
  maxFlightFull: boolean
  /** when the peer last sent anything (keepalive) */
  lastHeardAt: number
  /**
   * When the loss episode's retransmissions began, ms (Linux's retrans_stamp: set by the first
   * timeout's or fast retransmit's resend, cleared once back in Open with nothing resent in flight);
   * undefined: none. A shut window's timeout asks it (`onRto`, tcp_rtx_probe0_timed_out)
   */
  retransStamp: number | undefined
  /**
   * the user timeout, ms (RFC 9293 §3.10.8; Linux's TCP_USER_TIMEOUT, icsk_user_timeout); 0: off, the
   * default. Set, it replaces the retransmissions' time (`retries`' tcp_model_timeout) and the keepalive probes' count,
   * and bounds zero-window probing (`setUserTimeout`)
   */
  userTimeout: number
  /** when our first SYN went (Linux's tcp_connect sets retrans_stamp there): a SYN-SENT's user timeout runs from it, a simultaneous open's SYN-RECEIVED's too */
  synSentAt: number | undefined
  /** when the persist timer's first probe went since the window shut (Linux's icsk_probes_tstamp), for the user timeout; undefined: none yet */
  probesStamp: number | undefined
  keepaliveProbes: number
  /** zero-window probes sent since the peer was last heard */
  windowProbes: number
  keepaliveAt: number | undefined
  /** idle ms before the first keepalive probe; undefined: no keepalive (the stack's setting, or `setKeepAlive`'s) */
  keepaliveIdle: number | undefined
  timeWaitAt: number | undefined
  finWait2At: number | undefined
  /**
   * once Linux's socket is a timewait sock (the orphan's FIN-WAIT-2 part, `Report.twWnd`; TIME-WAIT,
   * from its first ACK): the window it announces, octets (tw_rcv_wnd), whatever the buffer does since
   */
  twWnd: number | undefined
  /** our SYN went again: the next goes without the ECN setup (Linux's tcp_ecn_fallback) */
  synRetransmitted: boolean
  /** RFC 5961 §7 challenge ACKs left; made full by the first challenge (most connections never draw one) */
  challengeBucket: TokenBucket.Bucket | undefined
  /** written here, read by the receive half */
  readonly view: SendView
  /** an ACK of new data arrived since the shell last looked (it confirms the neighbour, RFC 4861 §7.3.1) */
  progress: boolean
  // counters
  segmentsSent: number
  /**
   * the window last announced, octets (Linux's rcv_wnd: 0 after a window of 0, that of a memory drop
   * included), for the counters below; not 0 before the first
   */
  rcvWnd: number
  /** the counters of rarer events (`Counters`): made at the first (`count`); read them with `counters` */
  counted: Counters | undefined
}

/**
 * A connection's counters of rarer events (losses, recoveries, undos, window edges; Linux's MIB
 * counters, kept per socket). Made at the connection's first such event (`count`): a connection
 * that never met one, an idle one the most common, carries one field instead of thirteen (issue 8
 * section 2's heap per idle connection). None is counted on every ACK or segment sent.
 */
export interface Counters {
  /** segments sent again (a timeout's, a fast retransmit's, RACK's, a probe's; our SYN again) */
  retransmits: number
  fastRetransmits: number
  /**
   * expiries of the retransmission timer, not those with the peer's window shut (Linux's TCPTimeouts,
   * counted before tcp_write_timeout: the expiry that gives up too, so a connect that times out after 6
   * resends counts 7; tcpi_total_rto, counted by tcp_update_rto_stats after it, would be 6)
   */
  timeouts: number
  tailProbes: number
  /** losses a tail probe's retransmission repaired, found at its episode's end (RFC 8985 §7.4.2), each with a congestion response */
  tlpRepairs: number
  /** loss episodes whose every retransmission the peer D-SACKed: their cwnd cut undone (a timeout's, in its episode: `eifelUndos`, Linux's TCPLossUndo) */
  undos: number
  /** retransmission timeouts proved spurious (by F-RTO, the timestamp echo, or the D-SACKs of all their resends): their cwnd cut undone, the old flight not sent again */
  spuriousTimeouts: number
  /**
   * loss episodes (fast recoveries or timeouts) undone because an ACK echoed a timestamp from before
   * their first retransmission (RFC 3522), or because they had resent nothing yet, or (a timeout's)
   * because every resend came back D-SACKed: Linux's TCPLossUndo, TCPFullUndo and TCPPartialUndo
   */
  eifelUndos: number
  /** congestion windows reduced for the peer's ECE (RFC 3168 §6.1.2) */
  ecnReductions: number
  /** windows of 0 announced after an open one (Linux's TCPToZeroWindowAdv; not the zero window of a memory drop, which tcp_select_window does not count) */
  toZeroWindow: number
  /** open windows announced after one of 0 (Linux's TCPFromZeroWindowAdv) */
  fromZeroWindow: number
  /**
   * windows our buffer would have shut (less free than a segment of the peer's as guessed, `ackMss`, or than a sixteenth of
   * the buffer, once under half of it is free: __tcp_select_window's "try to move to zero-window")
   * that the edge already announced kept open (Linux's TCPWantZeroWindowAdv)
   */
  wantZeroWindow: number
  /** timeouts that found the peer had reneged on SACKed data (RFC 2018 §8): the scoreboard cleared (Linux's TCPSACKReneging) */
  reneges: number
  /**
   * segments the peer has D-SACKed, believable by length (Linux's tp->dsack_dups, a block's length
   * in segments, one at least): past `retransmits` (total_retrans) a D-SACK is not ours (`dsackSeen`)
   */
  dsackDups: number
}

/**
 * RFC 6937 §3 state of one fast recovery: what the peer has received since
 * it began (`delivered`), what we sent in it (`out`), the divisor of its
 * proportional part (`recoverFs`: the window before the cut, as Linux's
 * prior_cwnd; RFC 6937's RecoverFS, the flight at the start, went with an
 * ssthresh from FlightSize, and against one from cwnd a flight short of the
 * window let out more than beta of what arrived, 28/36 for 0.7), and the
 * window its sends are held to, worked out once per ACK (`wnd`, as Linux
 * keeps it: in flight + sndcnt). @category models
 */
export interface Prr {
  delivered: number
  out: number
  readonly recoverFs: number
  wnd: number
  /** an ACK came since `wnd` was worked out */
  stale: boolean
  /**
   * what PRR-SSRB let out for the earlier ACKs of the batch being taken, not yet sent (the
   * window is worked out once a batch, after RACK's marks; Linux's tcp_cwnd_reduction runs once
   * an ACK, each with its own DeliveredData floor and +1): octets, 0 once the window is worked out
   */
  owed: number
  /**
   * the recovery began in a timeout's go-back (RACK's reordering timer, `rackRecover`): what is in
   * flight is the log's count (`Rack.inFlight`, Linux's tcp_packets_in_flight), as the go-back's
   * resends and the segments the timeout held lie among the scoreboard's holes
   */
  readonly byLog: boolean
  /**
   * Without SACK: the octets the duplicates' count (`renoSacked`) takes out of the pipe, fixed when
   * the count is (at most all of it beyond a segment at SND.UNA, `renoCount`). Linux's sacked_out
   * counts packets and stays as it is between the duplicates and ACKs that set it, so that new data
   * sent meanwhile raises in_flight by a packet a segment; a bound taken at each look, after a runt
   * beyond the head, grew with what went and gave room again (`renoPipe`)
   */
  renoCredit: number
  /**
   * Without SACK: the recovery was undone at its recovery point and holds there (`undoAtHold`):
   * the ACK past it leaves cwnd at PRR's window (`wnd`), not ssthresh, as Linux's
   * tcp_end_cwnd_reduction resets cwnd only while undo_marker is set
   */
  undone: boolean
  /**
   * Without SACK: the episode's undo record after an ECE in this recovery (`onEce`). Linux's
   * tcp_fastretrans_alert zeroes prior_ssthresh at an ECE ("prohibit cwnd undoing") and leaves
   * undo_marker: an echo older than the first resend still undoes the recovery
   * (tcp_try_undo_partial, tcp_try_undo_recovery), giving back neither cwnd nor ssthresh
   */
  cutKept: Undo | undefined
}

/**
 * The proportional rate reduction of an ECN cut (Linux's CWR state, tcp_init_cwnd_reduction):
 * the window before the cut (prior_cwnd), and what was delivered (prr_delivered) and sent
 * (prr_out) since, in octets. @category models
 */
export interface Cwr {
  readonly priorCwnd: number
  delivered: number
  out: number
  /**
   * the ACK being taken has made its step (`cwrStep`): a recovery entered after it (RACK's marks at
   * a batch's end) counts its delivery once (`enterRecovery`)
   */
  stepped: boolean
}

/** A loss episode that D-SACKs, a timestamp echo, F-RTO, or a partial ACK before any resend may yet show spurious (`Sender.undo`). @category models */
export interface Undo {
  /** SND.UNA and SND.MAX when it began: its retransmissions lie between */
  readonly marker: Seq.SeqNum
  readonly end: Seq.SeqNum
  /** segments retransmitted in it */
  sent: number
  /** of those, the ones not yet reported received twice */
  retrans: number
  /** the timestamp (`tsOf`) the episode's first retransmission carried: an echo older than it was sent for an original (RFC 3522) */
  retransTs: number | undefined
  /**
   * the octets the episode sent again and no D-SACK has reported yet, as
   * [from, to) pairs of offsets from `marker`, in the order sent, at most
   * UNDO_RANGES of them (more: undefined, and every D-SACK below SND.UNA in
   * the episode counts, as Linux counts those it no longer has the queue to
   * check). A D-SACK for an original the network duplicated is no proof
   * that a retransmission was needed for nothing
   */
  ranges: Array<number> | undefined
  /** the congestion state from before the episode cut it */
  readonly cc: Congestion.Saved
  /**
   * a fast recovery entered during an ECN cut: its undo gives nothing back (Linux's tcp_enter_recovery
   * leaves prior_ssthresh 0 inside a cwnd reduction), PRR's window stays (`tryUndo`, `endRecovery`);
   * so for a SACK recovery that an ECE came in (`onEce`: tcp_fastretrans_alert zeroes prior_ssthresh)
   */
  nothingBack?: true
  /**
   * a resend was in flight, or the head had been resent, when the recovery began, and no earlier
   * record's first resend came with it: Linux's tcp_enter_recovery keeps retrans_stamp then
   * (tcp_retrans_stamp_cleanup), so tcp_packet_delayed compares the echo with an older resend and
   * does not take "nothing resent yet" for delayed (`nothingResent`)
   */
  stampKept?: true
}

/** Timestamp clock: Clock ms mod 2^32 (RFC 7323 §5.4: between 1 ms and 1 s per tick). */
export const tsClock = (now: number): number => Math.floor(now) >>> 0

/**
 * The TSval towards one peer at Clock time `now`: the timestamp clock plus
 * that peer's secret offset (RFC 7323 §5.4, `Negotiation.tsOffset`). Every
 * TSval we send and every echo we compare is in this clock.
 */
export const tsWithOffset = (now: number, offset: number): number => (tsClock(now) + offset) >>> 0
const tsOf = (s: Sender, now: number): number => tsWithOffset(now, s.tsOffset)

const TS_OPTION = 12
/** the TCP header without options, octets */
const TCP_HEADER = 20

/** No SACK blocks to send: one array for every connection (never written). */
const NO_SACK: ReadonlyArray<SackBlock> = []

const base = (
  params: TcpParams,
  localPort: number,
  remotePort: number,
  iss: Seq.SeqNum,
  routeMtu: number,
  reads: { consumed: number },
  now: number,
  tsOffset: number,
  pmtu: PathMtuView | undefined
): Sender => {
  const algorithm = Congestion.byName(params.congestion)
  // the route's MTU, or the path's when a router lowered it for this destination (Linux: the
  // socket's route carries the exception, so tcp_sync_mss starts from dst_mtu)
  const mtu = PathMtu.effective(pmtu, routeMtu)
  const mss = Negotiation.sendMss(undefined, mtu)
  return {
    state: "SynSent",
    failure: undefined,
    params,
    localPort,
    remotePort,
    iss,
    sndUna: iss,
    sndNxt: iss,
    sndMax: iss,
    sndWnd: 0,
    sndWl1: Seq.ZERO,
    maxSndWnd: 0,
    bytesAcked: 0,
    sndShift: 0,
    rcvShift: 0,
    scaling: false,
    mtu,
    mss,
    peerMss: undefined,
    softError: undefined,
    rcvMss: Negotiation.announcedMss(mtu),
    ackMss: RcvMss.DEFAULT_MSS,
    ackPushed: 0,
    buffer: SendBuffer.make(Seq.add(iss, 1)),
    finQueued: false,
    appClosed: false,
    tsOk: false,
    sackOk: false,
    ecnOk: false,
    ecnEcho: false,
    cwrPending: false,
    ecnRecover: undefined,
    cwr: undefined,
    irs: Seq.ZERO,
    capacity: params.receiveBuffer,
    sendCapacity: params.sendBuffer,
    rcvSpaceAt: now,
    rcvSpaceConsumed: 0,
    rcvNxt: Seq.ZERO,
    tsRecent: 0,
    tsOffset,
    ourSack: NO_SACK,
    advEdge: Seq.ZERO,
    rcvNoMem: false,
    memShut: false,
    rcvSsthresh: Number.POSITIVE_INFINITY,
    reads,
    // (set at the first data: `enterQuickAck`)
    quickAcks: 0,
    ackScheduled: false,
    pingpong: false,
    lastDataAt: undefined,
    ackNow: false,
    ackDue: undefined,
    rtt: Rtt.initial(params.rtt),
    rtoAt: undefined,
    retries: 0,
    timing: undefined,
    lastRetransmit: undefined,
    persistAt: undefined,
    persistBackoff: 0,
    cc: algorithm.init(mss, now),
    algorithm,
    dupAcks: 0,
    recovering: false,
    recover: iss,
    renoSacked: 0,
    renoReordering: RENO_REORDERING,
    board: Scoreboard.make(),
    highRxt: iss,
    tlpAt: undefined,
    tlpOut: false,
    tlpArmedMax: iss,
    tlpBlocked: undefined,
    tlpEpisode: undefined,
    limitedOut: 0,
    rack: Rack.make(iss),
    rackAt: undefined,
    undo: undefined,
    frto: undefined,
    frtoNewSent: false,
    prr: undefined,
    ackDelivered: 0,
    unaPartial: 0,
    ackWhole: false,
    ackSafe: false,
    recoverDue: false,
    ackMaybeDelayed: false,
    ackReneged: false,
    sndSml: iss,
    lastSegStart: iss,
    noDelay: false,
    sndUp: undefined,
    lastSendAt: now,
    maxFlight: 0,
    maxFlightEnd: iss,
    maxFlightFull: false,
    lastHeardAt: now,
    retransStamp: undefined,
    userTimeout: 0,
    synSentAt: undefined,
    probesStamp: undefined,
    keepaliveProbes: 0,
    windowProbes: 0,
    keepaliveAt: undefined,
    keepaliveIdle: params.keepaliveIdle,
    timeWaitAt: undefined,
    finWait2At: undefined,
    twWnd: undefined,
    synRetransmitted: false,
    pmtuLocked: pmtu?.locked ?? false,
    routeMtu,
    connectAt: now,
    pmtuExpiresAt: pmtu?.expiresAt,
    pmtuResend: undefined,
    pmtuLost: false,
    challengeBucket: undefined,
    view: {
      sndUna: iss,
      sndWl1: Seq.ZERO,
      sndWnd: 0,
      sndShift: 0,
      rto: params.rtt.initialRto,
      sndMax: iss,
      ackReach: 0,
      timeWait: false,
      synReceived: false,
      orphanFinWait2At: undefined,
      orphanFinEnd: undefined,
      finEnd: undefined,
      rcvCapacity: params.receiveBuffer,
      lastAckSent: undefined,
      rcvEdge: undefined,
      rcvShut: false,
      rcvMss: Negotiation.announcedMss(mtu),
      sndMss: mss,
      tsOffset,
      synTs: undefined,
      tsTaken: undefined,
      tsTakenAt: 0
    },
    progress: false,
    segmentsSent: 0,
    rcvWnd: 1,
    counted: undefined
  }
}

const newCounters = (): Counters => ({
  retransmits: 0,
  fastRetransmits: 0,
  timeouts: 0,
  tailProbes: 0,
  tlpRepairs: 0,
  undos: 0,
  spuriousTimeouts: 0,
  eifelUndos: 0,
  ecnReductions: 0,
  toZeroWindow: 0,
  fromZeroWindow: 0,
  wantZeroWindow: 0,
  reneges: 0,
  dsackDups: 0
})
/** All zero: the counters of a connection that has counted nothing yet (frozen, shared). */
const NO_COUNTS: Readonly<Counters> = Object.freeze(newCounters())
/** The connection's counters to add to: made at its first counted event. */
const count = (s: Sender): Counters => s.counted ?? (s.counted = newCounters())
/** The connection's counters (all zero before its first counted event). @category accessors */
export const counters = (s: Sender): Readonly<Counters> => s.counted ?? NO_COUNTS

/**
 * Our SYN's options: everything the parameters allow (RFC 7323, RFC 2018), MSS from the MTU (the
 * path's, when a router lowered it: Linux's ipv4_default_advmss reads ipv4_mtu, exception included).
 */
export const synOptions = (params: TcpParams, mtu: number, now: number, tsOffset = 0): TcpOptions => ({
  mss: Negotiation.announcedMss(mtu),
  sackPermitted: params.sack,
  ...(params.timestamps ? { timestamp: { value: tsWithOffset(now, tsOffset), echo: 0 } } : {}),
  ...(params.windowScaling ? { windowScale: Negotiation.windowShiftFor(params.maxReceiveBuffer) } : {})
})

/** An active open (RFC 9293 §3.10.1): the sender in SYN-SENT; the SYN goes into `out`. @category constructors */
export const connect = (
  params: TcpParams,
  ports: { readonly localPort: number; readonly remotePort: number },
  iss: Seq.SeqNum,
  mtu: number,
  reads: { consumed: number },
  now: number,
  out: Array<OutSegment>,
  /** the timestamp offset towards the peer (`Negotiation.tsOffset`) */
  tsOffset = 0,
  /** the path MTU the stack holds for the peer's address (`Ipv4.pathMtu`), if a router lowered it */
  pmtu?: PathMtuView
): Sender => {
  const s = base(params, ports.localPort, ports.remotePort, iss, mtu, reads, now, tsOffset, pmtu)
  // (the earliest TSval a SYN-ACK may echo: the receive half checks it)
  if (params.timestamps) s.view.synTs = tsOf(s, now)
  s.synSentAt = now
  sendSyn(s, now, out)
  sync(s)
  return s
}

/** A connection whose handshake the listener completed: ESTABLISHED. @category constructors */
export const established = (
  params: TcpParams,
  n: Negotiated,
  reads: { consumed: number },
  now: number,
  /** the path MTU the stack holds for the peer's address (`Ipv4.pathMtu`), if a router lowered it */
  pmtu?: PathMtuView,
  /** the route's MTU, when `n.mtu` (what the SYN-ACK's MSS was from) was the path's */
  routeMtu = n.mtu
): Sender => {
  const s = base(params, n.localPort, n.remotePort, n.iss, routeMtu, reads, now, n.tsOffset ?? 0, pmtu)
  s.sndUna = Seq.add(n.iss, 1)
  s.sndNxt = s.sndUna
  s.sndMax = s.sndUna
  s.sndSml = s.sndUna
  // RFC 6582 §3.2 step 1: "recover" starts at ISS (as base() sets it), so that a loss of the
  // very first window may still be fast-retransmitted (the third duplicate ACK of ISS + 1 is above it)
  synchronize(s, n.irs, n.window, n.sndShift, n.rcvShift, n.peerMss, n.tsOk, n.tsRecent, n.sackOk)
  // (the window is the completing ACK's, and so is SND.WL1: its SEQ, as Linux's tcp_rcv_state_process
  // in SYN-RECV calls tcp_init_wl with it; from the SYN's, the next segment at IRS + 1 that
  // acknowledges nothing new could shrink the window, which tcp_may_update_window would not let it;
  // and from IRS + 1 where that ACK came further on, a segment lost before it and sent again could
  // grow the window, which tcp_may_update_window would not let it either)
  s.sndWl1 = n.ackSeq
  if (n.rttSample !== undefined) rttSample(s, n.rttSample, now)
  else noHandshakeSample(s)
  s.ecnOk = n.ecnOk
  s.state = "Established"
  s.cc = s.algorithm.init(fullPayload(s), now, n.synLost, s.params.hystart)
  armKeepalive(s, now)
  sync(s)
  return s
}

/**
 * RFC 6298 §5.7: when the handshake gave no RTT sample (its SYN or SYN-ACK was
 * retransmitted), the RTO is re-initialized to 3 s once data transmission
 * begins; Linux (tcp_init_metrics, TCP_TIMEOUT_FALLBACK) sets exactly 3 s
 * whatever the SYN's backoff reached. An initial RTO configured above 3 s stays.
 */
const noHandshakeSample = (s: Sender): void => {
  if (s.rtt.srtt !== undefined) return
  const p = s.params.rtt
  s.rtt = { ...Rtt.initial(p), rto: Math.min(p.maxRto, Math.max(p.initialRto, SYN_FALLBACK_RTO)) }
}
const SYN_FALLBACK_RTO = 3000

/**
 * Whether a handshake counts as having lost a SYN or SYN-ACK, so that the data starts at one
 * segment (RFC 5681 §3.1: "if the SYN or SYN/ACK is lost, the initial window ... MUST be one
 * segment"). As Linux's tcp_init_transfer reads it: only after more than one retransmission
 * (`retransmitted`, every SYN or SYN-ACK sent again, Linux's total_retrans), Linux's reason being
 * RFC 6298 §2.1's initial RTO of 1 s (down from 3 s): one retransmission may be a path slower
 * than that, not a loss; only if one at least went for the timer (`byTimer`: a SYN-ACK re-sent
 * only for the peer's SYN again answers that SYN, and ours may never have been lost; Linux sets
 * the undo marker only when num_timeout, tcp_create_openreq_child); and not when the answer
 * echoes the first one's TSval (`firstEchoed`): that one arrived, so none was lost (RFC 3522's
 * detection, Linux's tcp_try_undo_spurious_syn). This relaxes the RFC's MUST; the stack
 * follows Linux so that its connections start as Linux's do (test/kernel/Conformance*.test.ts).
 */
export const handshakeLost = (h: { readonly retransmitted: number; readonly byTimer: boolean; readonly firstEchoed: boolean }): boolean =>
  h.retransmitted > 1 && h.byTimer && !h.firstEchoed
/** After our RST to an unacceptable ACK in SYN-SENT, the SYN again this much later, ms (Linux: TCP_TIMEOUT_MIN). */
const SYN_AFTER_RESET = 2

const synchronize = (
  s: Sender,
  irs: Seq.SeqNum,
  window: number,
  sndShift: number,
  rcvShift: number,
  peerMss: number | undefined,
  tsOk: boolean,
  tsRecent: number,
  sackOk: boolean
): void => {
  s.irs = irs
  s.rcvNxt = Seq.add(irs, 1)
  s.sndWnd = window
  s.maxSndWnd = window
  s.sndShift = sndShift
  s.rcvShift = rcvShift
  s.peerMss = peerMss
  s.mss = Negotiation.sendMss(peerMss, s.mtu)
  s.tsOk = tsOk
  s.tsRecent = tsRecent
  s.sackOk = sackOk
  s.advEdge = Seq.add(s.rcvNxt, s.capacity)
}

// ---------------------------------------------------------------------------
// what the sender exposes
// ---------------------------------------------------------------------------

/** The connection's one deadline: the earliest of its timers, or undefined. */
export const deadline = (s: Sender): number | undefined =>
  earlier(
    earlier(earlier(s.ackDue, s.rtoAt), earlier(s.tlpAt, s.persistAt)),
    earlier(earlier(s.timeWaitAt, s.finWait2At), earlier(s.keepaliveAt, s.rackAt))
  )

const earlier = (a: number | undefined, b: number | undefined): number | undefined =>
  a === undefined ? b : b === undefined || a <= b ? a : b

/** The connection is over (the fiber shell then tears it down). */
export const isClosed = (s: Sender): boolean => s.state === "Closed"

/** Data octets sent and not yet acknowledged. */
export const inFlight = (s: Sender): number => Seq.sub(s.sndNxt, s.sndUna)

/** Octets the application may still write before `write` should wait. */
export const writable = (s: Sender): number => s.sendCapacity - s.buffer.length

/**
 * Send-buffer auto-tuning (Linux's tcp_sndbuf_expand): the buffer holds at
 * least twice the congestion window, so a writer that keeps it full never
 * leaves the window unused while its next write waits a round trip; it
 * only grows, up to `maxSendBuffer`. Memory is spent only on what the
 * application really wrote and the peer has not acknowledged.
 */
const expandSendBuffer = (s: Sender): void => {
  // (not under the stack-wide bound's pressure, nor from its low mark on: tcp_should_expand_sndbuf)
  if (!Memory.mayGrowSend(s.params.memory)) return
  const target = Math.min(s.params.maxSendBuffer, 2 * s.cc.cwnd)
  if (target > s.sendCapacity) s.sendCapacity = target
}

/** The states in which the application's data may still go out. */
const sending = (s: Sender): boolean =>
  s.state === "Established" || s.state === "CloseWait" || s.state === "FinWait1" || s.state === "Closing" ||
  s.state === "LastAck"

/** Linux's TCP_TIMEWAIT_LEN, which bounds how long its orphan in FIN-WAIT-2 stays a full socket (whatever `params.timeWait` is) */
const TCP_TIMEWAIT_LEN = 60_000

/**
 * Linux's floor of 3.5 RTOs, `(rto << 2) - (rto >> 1)` (`rto` ms for jiffies), under the FIN-WAIT-2
 * timeout (tcp_fin_time) and under the life tcp_time_wait gives a timewait sock in FIN-WAIT-2 (not in
 * TIME-WAIT, whose TCP_TIMEWAIT_LEN it leaves alone: the stack's `params.timeWait` has no floor either).
 */
const rtoFloor = (rto: number): number => 4 * rto - Math.floor(rto / 2)

/** The orphan's FIN-WAIT-2 timeout, ms: `finWait2`, but at least 3.5 RTOs (Linux's tcp_fin_time). */
export const finTime = (finWait2: number, rto: number): number => Math.max(finWait2, rtoFloor(rto))

/**
 * How long the orphan in FIN-WAIT-2 is Linux's timewait sock, ms, for a FIN-WAIT-2 timeout
 * (`finTime`): all of it up to TCP_TIMEWAIT_LEN (tcp_time_wait(sk, TCP_FIN_WAIT2, tmo) at once);
 * past it, the full socket first waits `finTime - TCP_TIMEWAIT_LEN` on its keepalive timer, whose
 * tcp_keepalive_timer then makes a timewait sock for that again (tcp_fin_time - TCP_TIMEWAIT_LEN),
 * not for the TCP_TIMEWAIT_LEN left of the timeout, but for 3.5 RTOs at least (tcp_time_wait's floor).
 * (The RTO is the one at the ACK of our FIN: nothing the orphan does in FIN-WAIT-2 changes it.)
 */
export const orphanTimewaitPart = (finWait2: number, rto: number): number => {
  const tmo = finTime(finWait2, rto)
  return tmo <= TCP_TIMEWAIT_LEN ? tmo : Math.max(tmo - TCP_TIMEWAIT_LEN, rtoFloor(rto))
}

/**
 * How long the orphan in FIN-WAIT-2 lives from the ACK of its FIN (or the close, in FIN-WAIT-2), ms:
 * the timeout (`finTime`) up to TCP_TIMEWAIT_LEN; past it the full socket's part and the timewait
 * sock's (`orphanTimewaitPart`), twice `finTime - TCP_TIMEWAIT_LEN` in all unless 3.5 RTOs are more
 * (Linux 6.18, RTO 200 ms: 61 s gives 2 s, 120 s gives 120 s, 200 s gives 280 s).
 */
export const orphanLife = (finWait2: number, rto: number): number => {
  const tmo = finTime(finWait2, rto)
  return tmo <= TCP_TIMEWAIT_LEN ? tmo : tmo - TCP_TIMEWAIT_LEN + orphanTimewaitPart(finWait2, rto)
}

/** Keep the receive half's view of our bounds current. */
const sync = (s: Sender): void => {
  s.view.sndUna = s.sndUna
  s.view.sndWl1 = s.sndWl1
  s.view.sndWnd = s.sndWnd
  s.view.sndShift = s.sndShift
  s.view.rto = s.rtt.rto
  s.view.sndMax = s.sndMax
  // RFC 5961 §5.2's reach below SND.UNA, but no further back than the peer ever acknowledged: an ACK
  // of less is no reordered old one (Linux's tcp_ack: min(max_window, bytes_acked)), and data under it
  // is a blind injection's guess
  s.view.ackReach = Math.min(s.maxSndWnd, s.bytesAcked)
  s.view.timeWait = s.state === "TimeWait"
  s.view.synReceived = s.state === "SynReceived"
  // (Linux's orphan in FIN-WAIT-2 is a timewait sock for the last `orphanTimewaitPart` of its life:
  // all of it by default; tcp_close and tcp_rcv_state_process arm the keepalive timer for the
  // first part of a longer one, and tcp_keepalive_timer makes the timewait sock)
  s.view.orphanFinWait2At = s.appClosed && s.state === "FinWait2" && s.finWait2At !== undefined
    ? s.finWait2At - orphanTimewaitPart(s.params.finWait2, s.rtt.rto)
    : undefined
  s.view.orphanFinEnd = s.appClosed && s.state === "FinWait1" && finTime(s.params.finWait2, s.rtt.rto) <= TCP_TIMEWAIT_LEN
    ? finEnd(s)
    : undefined
  // (an ACK past SND.MAX is never taken: one of a FIN not yet sent cannot reach it)
  s.view.finEnd = s.state === "FinWait1" || s.state === "FinWait2" ? finEnd(s) : undefined
  s.view.rcvCapacity = s.capacity
  s.view.sndMss = s.mss
}

// ---------------------------------------------------------------------------
// building segments
// ---------------------------------------------------------------------------

/**
 * The least the window's right edge moves by (RFC 1122 §4.2.3.3 receiver
 * silly-window avoidance: min(buffer / 2, MSS)). The application side uses
 * it too, to wake the send half only for reads that can matter.
 */
export const windowStep = (s: Sender): number => Math.min(Math.floor(s.capacity / 2), s.rcvMss)

/**
 * The read position (octets the application has read since the handshake)
 * from which the window's edge could move a step past the one last
 * announced: reads wake the send half from there (Connection.consumed), so
 * that a read which reopens a shut window is announced at once.
 */
export const readWakeFrom = (s: Sender): number =>
  // (measured from the read position, so that only a small difference wraps at 2^32: after 2^31
  // octets read, the edge's distance from IRS alone would)
  s.reads.consumed + Seq.sub(s.advEdge, Seq.add(s.irs, 1 + s.reads.consumed + s.capacity)) + windowStep(s)

/**
 * The right edge the receive buffer offers: the read position plus the
 * buffer, but no further than `rcvSsthresh` past RCV.NXT (__tcp_select_window's
 * cap at rcv_ssthresh). Under the stack-wide bound's pressure (Memory.ts) with
 * under half the buffer free, it first cuts `rcvSsthresh` to four of our
 * segments (`pressureCut`), as __tcp_select_window calls
 * tcp_adjust_rcv_ssthresh there: the callers are Linux's, a window chosen for a
 * segment sent (tcp_select_window) or for a read (tcp_cleanup_rbuf). An edge
 * already announced is kept (the callers move `advEdge` only forward: RFC 9293
 * §3.8.6.2.2).
 */
const offeredEdge = (s: Sender, rcvNxt: Seq.SeqNum): Seq.SeqNum => {
  const edge = Seq.add(s.irs, 1 + s.reads.consumed + s.capacity)
  // (free_space < full_space >> 1, both as tcp_space and min(window_clamp, tcp_full_space) measure
  // them: the buffer less the unread octets, against the buffer)
  if (Memory.underPressure(s.params.memory) && 2 * Seq.sub(edge, rcvNxt) < s.capacity) pressureCut(s)
  if (s.rcvSsthresh === Number.POSITIVE_INFINITY) return edge
  const cut = Seq.add(rcvNxt, s.rcvSsthresh)
  return Seq.lt(cut, edge) ? cut : edge
}

/**
 * Linux's tcp_adjust_rcv_ssthresh (no SO_RESERVE_MEM here, so sk_unused_reserved_mem is 0):
 * rcv_ssthresh = min(rcv_ssthresh, 4 × advmss), from __tcp_select_window with under half the buffer
 * free, tcp_grow_window with room to grow, and tcp_prune_queue within sk_rcvbuf, each only under
 * memory pressure. The cut stays after the pressure ends: tcp_grow_window regrows it (`clampWindow`).
 * A bound at or past the buffer is none (Infinity, the buffer's rcv_ssthresh = window_clamp).
 */
const pressureCut = (s: Sender): void => {
  const cap = Memory.pressureWindow(s.rcvMss)
  if (cap < s.capacity && cap < s.rcvSsthresh) s.rcvSsthresh = cap
}

/**
 * Linux's rcv_ssthresh after a cut (`Sender.rcvSsthresh`), for one batch's report: cut to
 * min(window_clamp, 2 × advmss) when the receive half's clamp left it past what it may hold; to
 * 4 × advmss when memory refused it within that (tcp_prune_queue's tcp_adjust_rcv_ssthresh); else,
 * with room (min(window_clamp, tcp_space) past it), grown by the batch's in-order data as
 * tcp_grow_window grows it per segment out of memory pressure (from tcp_event_data_recv:
 * max(2 × advmss, 2 × skb->len) each), here by max(2 × advmss × segments, 2 × octets), the room
 * measured once after the batch (the buffer's free space past RCV.NXT), or under pressure cut to
 * 4 × advmss (tcp_grow_window's other branch). At the buffer it bounds nothing more: Infinity.
 * Arithmetic only, once per report.
 */
const clampWindow = (s: Sender, r: Report): void => {
  if (r.clamped) {
    s.rcvSsthresh = Math.min(s.capacity, 2 * s.rcvMss)
    // (and the quick ACKs left are spent: tcp_clamp_window's icsk_ack.quick = 0)
    s.quickAcks = 0
    return
  }
  // (tcp_prune_queue within sk_rcvbuf under pressure: `Report.pressed`)
  if (r.pressed) pressureCut(s)
  if (s.rcvSsthresh === Number.POSITIVE_INFINITY || r.dataSegments === 0) return
  const free = Seq.sub(Seq.add(s.irs, 1 + s.reads.consumed + s.capacity), s.rcvNxt)
  const room = Math.min(s.capacity, free) - s.rcvSsthresh
  if (room <= 0) return
  // (with room, under pressure tcp_grow_window cuts instead: tcp_adjust_rcv_ssthresh)
  if (Memory.underPressure(s.params.memory)) {
    pressureCut(s)
    return
  }
  s.rcvSsthresh += Math.min(room, Math.max(2 * s.rcvMss * r.dataSegments, 2 * r.dataOctets))
  // a window that grows is acknowledged at once (tcp_grow_window's icsk_ack.quick |= 1), so the
  // peer hears of it with the segment that grew it, not a delayed ACK later
  s.quickAcks |= 1
  if (s.rcvSsthresh >= s.capacity) s.rcvSsthresh = Number.POSITIVE_INFINITY
}

/** The window field to send, and the announced right edge moved as RFC 1122 §4.2.3.3 allows. */
const windowField = (s: Sender, syn: boolean, rcvNxt: Seq.SeqNum): number => {
  // In-order data dropped for want of memory: a window of 0 at RCV.NXT, the edge pulled back to it
  // (Linux 6.x's tcp_select_window on ICSK_ACK_NOMEM: rcv_wnd = 0, rcv_wup = rcv_nxt; 8c670bdfa58e).
  // The one place an announced edge retracts: the peer learns at once that nothing fits, and
  // probes, where it would otherwise resend into silence until its backed-off timer; the read that
  // frees room reopens it (`onRead`). A timewait sock keeps the window it has
  if (s.rcvNoMem && !syn && s.twWnd === undefined) {
    s.rcvNoMem = false
    s.advEdge = rcvNxt
    s.view.rcvEdge = rcvNxt
    s.memShut = true
    // (tcp_select_window returns before its counters: no "to zero" for it; the reopening is a "from zero")
    s.rcvWnd = 0
    return 0
  }
  const edge = offeredEdge(s, rcvNxt)
  if (Seq.sub(edge, s.advEdge) >= windowStep(s)) s.advEdge = edge
  const wnd = Math.max(0, Seq.sub(s.advEdge, rcvNxt))
  // The SYN's window is never scaled (RFC 7323 §2.2); later ones round up.
  // Before the peer's SYN there is no RCV.NXT to measure from: our SYN offers the buffer.
  if (syn) return Math.min(s.state === "SynSent" ? s.capacity : wnd, 0xffff)
  const unit = Negotiation.windowUnit(s.rcvShift)
  // A timewait sock announces the window it kept, rounded down (tcp_v4_timewait_ack: tw_rcv_wnd >>
  // tw_rcv_wscale), in TIME-WAIT too: its RCV.NXT past the FIN does not make it one octet less
  if (s.twWnd !== undefined) return Math.min(0xffff, Math.floor(s.twWnd / unit))
  let field = Math.ceil(wnd / unit)
  // The right edge once announced does not move back (RFC 9293 §3.8.6, SHLD-14: a receiver should
  // not shrink the window; RFC 7323 §2.4). Linux's tcp_select_window, with net.ipv4.tcp_shrink_window at its
  // default 0: a window __tcp_select_window chose below cur_win (rcv_wup + rcv_wnd - rcv_nxt, what
  // is left of the furthest edge announced) is sent as ALIGN(cur_win, 1 << rcv_wscale). Rounded up
  // from a RCV.NXT that moved by other than whole units, the edge of the buffer would be announced
  // up to a unit short of the last one, or as 0 once the peer's data reached past the buffer's
  // edge into what an earlier window's rounding up announced: an edge pulled back, data the peer
  // sent in good faith refused, and its ACKs read only by the special allowance (stop 47's lossy
  // echo). So the edge creeps instead, by less than a unit per ACK, while the peer leaves a part of
  // a unit of it; it closes at 0 only where the peer filled it to the octet (ALIGN(0) = 0). What it
  // holds past the buffer is bounded by the receive half (`Receiver.overBuffer`: Linux's sk_rcvbuf
  // test in tcp_try_rmem_schedule), whose refusal is the one retraction: the window of 0 above
  const announced = s.view.rcvEdge
  if (announced !== undefined) {
    const kept = Seq.sub(announced, rcvNxt)
    if (kept > field * unit) field = Math.ceil(kept / unit)
  }
  field = Math.min(0xffff, field)
  // (what the buffer has free, not the edge offered: that is capped at rcv_ssthresh, which
  // __tcp_select_window applies after its zero-window test)
  // (and the window as announced, Linux's rcv_wnd = ALIGN(cur_win): not the buffer's, which may be 0
  // under a window kept open)
  countZeroWindows(s, field, field * unit, s.capacity - Seq.sub(rcvNxt, Seq.add(s.irs, 1 + s.reads.consumed)))
  // TIME-WAIT from a full socket: Linux's tcp_time_wait keeps the window its last ACK announced (the
  // ACK of the FIN, tcp_fin's tcp_send_ack before it), and the timewait sock's ACKs repeat it
  if (s.state === "TimeWait") s.twWnd = field * unit
  return field
}

/**
 * tcp_select_window's counters, for a window `field` announced (`wnd` octets unscaled), where our
 * buffer has `offered` octets free past RCV.NXT (tcp_space, as __tcp_select_window judges it before
 * any cap): a window our buffer would shut (__tcp_select_window returns 0
 * below a sixteenth of the buffer or an MSS, once under half of it is free) kept open by the edge
 * announced is a "want zero"; a window of 0 after an open one a "to zero", an open one after 0 a
 * "from zero". Arithmetic only: per segment sent.
 */
const countZeroWindows = (s: Sender, field: number, wnd: number, offered: number): void => {
  // (the peer's segment size as guessed, icsk_ack.rcv_mss there, not the MSS we announced)
  if (field > 0 && (offered <= 0 || (offered < s.capacity / 2 && (offered < s.ackMss || offered < s.capacity / 16)))) {
    count(s).wantZeroWindow++
  }
  if (field === 0) {
    if (s.rcvWnd > 0) count(s).toZeroWindow++
  } else if (s.rcvWnd === 0) count(s).fromZeroWindow++
  s.rcvWnd = wnd
}

const optionsFor = (s: Sender, now: number, withSack: boolean): TcpOptions =>
  optionsWith(s, now, withSack && s.sackOk && s.ourSack.length > 0 ? s.ourSack : undefined)
const NONE: TcpOptions = { sackPermitted: false }

/** The timestamp if negotiated (echoing TS.Recent, or `echo`: an ACK point's own), and `sack` if given. */
const optionsWith = (
  s: Sender,
  now: number,
  sack: ReadonlyArray<SackBlock> | undefined,
  echo: number = s.tsRecent
): TcpOptions => {
  if (!s.tsOk) return sack === undefined ? NONE : { sackPermitted: false, sack }
  const timestamp = { value: tsOf(s, now), echo }
  return sack === undefined ? { sackPermitted: false, timestamp } : { sackPermitted: false, timestamp, sack }
}

const optionsLength = (o: TcpOptions): number =>
  (o.timestamp !== undefined ? TS_OPTION : 0) + (o.sack !== undefined ? 4 + 8 * o.sack.length : 0)

/** Emit one segment with ACK and window filled in; an ACK we send settles what was owed. */
const emit = (
  s: Sender,
  out: Array<OutSegment>,
  seq: Seq.SeqNum,
  flags: number,
  payload: Uint8Array | undefined,
  options: TcpOptions,
  rcvNxt: Seq.SeqNum = s.rcvNxt,
  ect = false
): void => {
  const acking = (flags & ACK) !== 0
  // RFC 3168 §6.1.3: while a CE is unanswered by the peer's CWR, everything we send says ECE
  if (acking && s.ecnEcho && s.ecnOk && (flags & (SYN | RST)) === 0) flags |= ECE
  // RFC 9293 §3.8.5: a segment before SND.UP points to it (from its own SEQ); one too far
  // behind for 16 bits says 0xFFFF, "more urgent data ahead", while that is still ahead of SND.NXT
  // (Linux's __tcp_transmit_skb)
  let urgent = 0
  const up = s.sndUp
  if (up !== undefined && acking && (flags & (SYN | RST)) === 0 && Seq.gt(up, seq)) {
    const ahead = Seq.sub(up, seq)
    if (ahead <= 0xffff) urgent = ahead
    else if (Seq.gt(Seq.add(seq, 0xffff), s.sndNxt)) urgent = 0xffff
    if (urgent > 0) flags |= URG
  }
  const syn = (flags & SYN) !== 0
  const window = (flags & RST) !== 0 ? 0 : windowField(s, syn, rcvNxt)
  if (acking && (flags & RST) === 0) {
    // the furthest right edge announced: the receive half takes data up to it
    const right = Seq.add(rcvNxt, syn ? window : window * Negotiation.windowUnit(s.rcvShift))
    if (s.view.rcvEdge === undefined || Seq.gt(right, s.view.rcvEdge)) s.view.rcvEdge = right
    s.view.rcvShut = window === 0 && !syn
    if (window !== 0) s.memShut = false
  }
  out.push({
    srcPort: s.localPort,
    dstPort: s.remotePort,
    seq,
    ack: acking ? rcvNxt : Seq.ZERO,
    flags,
    window,
    urgent,
    options,
    payload,
    ect
  })
  s.segmentsSent++
  if (acking && s.ackScheduled && (flags & (SYN | RST)) === 0) {
    if (s.quickAcks > 0) s.quickAcks--
    // (an ACK point below RCV.NXT leaves the rest of the batch's data to the next one)
    if (rcvNxt === s.rcvNxt) s.ackScheduled = false
  }
  if (acking) {
    s.view.lastAckSent = rcvNxt
    s.ackNow = false
    s.ackDue = undefined
    s.ackPushed = 0
  }
}

const sendSyn = (s: Sender, now: number, out: Array<OutSegment>): void => {
  const options = synOptions(s.params, s.mtu, now, s.tsOffset)
  // An ECN-setup SYN (RFC 3168 §6.1.1) when we ask for ECN; a retransmitted SYN goes without, in
  // case ECE and CWR are what lost it (Linux's tcp_ecn_fallback)
  const flags = s.state === "SynReceived" ? SYN | ACK : s.params.ecn === "on" && !s.synRetransmitted ? SYN | ECE | CWR : SYN
  emit(s, out, s.iss, flags, undefined, s.state === "SynReceived" ? answerSyn(s, options) : options)
  s.sndNxt = Seq.add(s.iss, 1)
  if (Seq.gt(s.sndNxt, s.sndMax)) s.sndMax = s.sndNxt
  if (s.timing === undefined && s.retries === 0) s.timing = { end: s.sndNxt, at: now }
  if (s.rtoAt === undefined) s.rtoAt = now + s.rtt.rto
}

/** A SYN-ACK answers only what the peer's SYN offered (RFC 7323 §1.3, RFC 2018 §2). */
const answerSyn = (s: Sender, offered: TcpOptions): TcpOptions => ({
  mss: offered.mss ?? s.rcvMss,
  sackPermitted: s.sackOk,
  ...(s.tsOk ? { timestamp: { value: offered.timestamp?.value ?? 0, echo: s.tsRecent } } : {}),
  ...(s.scaling ? { windowScale: s.rcvShift } : {})
})

/**
 * Send the sequence space [seq, seq + payload + FIN), keeping SND.NXT/MAX,
 * the timer and RTT timing right; the payload octets sent, which the
 * options the segment carries may make fewer than `len`.
 */
const sendData = (
  s: Sender,
  out: Array<OutSegment>,
  seq: Seq.SeqNum,
  len: number,
  fin: boolean,
  now: number,
  probing = false
): number => {
  const options = optionsFor(s, now, true)
  // (the segment's payload less the options beyond the timestamps it always has, SACK blocks: RFC 6691)
  const room = Math.max(1, segmentPayload(s) + (s.tsOk ? TS_OPTION : 0) - optionsLength(options))
  if (len > room) {
    len = room
    fin = false
  }
  const payload = len > 0 ? SendBuffer.slice(s.buffer, seq, len) : undefined
  const unsentAfter = Seq.sub(SendBuffer.end(s.buffer), Seq.add(seq, len))
  let flags = ACK | (len > 0 && unsentAfter === 0 ? PSH : 0) | (fin ? FIN : 0)
  // ECN-capable (ECT(0)) only for data never sent before: not a retransmission (RFC 3168 §6.1.5),
  // a window probe (§6.1.6) or a segment without data; the first of them after a reduction for ECE
  // carries CWR (§6.1.2)
  const ect = s.ecnOk && len > 0 && !Seq.lt(seq, s.sndMax) && s.sndWnd > 0
  if (ect && s.cwrPending) {
    flags |= CWR
    s.cwrPending = false
  }
  // data going with nothing in flight (Linux's tcp_event_data_sent, CA_EVENT_TX_START): RFC 9438 §4.2,
  // CUBIC's t leaves out the pause since the last data sent; once per pause, as only data moves the stamp.
  // Not the octet of a probe into a shut window (`probing`): Linux's carries none (tcp_xmit_probe_skb)
  if (len > 0 && !probing && inFlight(s) === 0 && s.sndMax !== s.iss) s.algorithm.onTxStart(s.cc, now - s.lastSendAt, now)
  emit(s, out, seq, flags, payload, options, s.rcvNxt, ect)
  const end = Seq.add(seq, len + (fin ? 1 : 0))
  // (the log without SACK too: a path MTU report resends by its segment edges, `resendTooLong`)
  // (a probe's octet is no packet in flight: `Rack.onSend`'s `probe`)
  if (Seq.gt(end, seq)) Rack.onSend(s.rack, seq, end, now, probing)
  if (s.prr !== undefined) s.prr.out += len
  else if (s.cwr !== undefined) s.cwr.out += len
  // data going out soon after data came in: an interactive exchange, whose ACKs ride on the answers
  if (len > 0 && s.lastDataAt !== undefined && now - s.lastDataAt < s.params.delayedAck) s.pingpong = true
  const retransmission = Seq.lt(seq, s.sndMax)
  if (retransmission) {
    count(s).retransmits++
    // (only the episode's own: a later probe of newer data is no part of it)
    const u = s.undo
    if (u !== undefined && Seq.gte(seq, u.marker) && Seq.lt(seq, u.end)) {
      u.sent++
      u.retrans++
      if (u.retransTs === undefined) u.retransTs = tsOf(s, now)
      if (u.ranges !== undefined) noteResent(u, Seq.sub(seq, u.marker), Seq.sub(Seq.min(end, u.end), u.marker))
    }
    s.lastRetransmit = { seq, at: now }
  }
  if (Seq.gt(end, s.sndNxt)) s.sndNxt = end
  if (Seq.gt(s.sndNxt, s.sndMax)) {
    s.sndMax = s.sndNxt
    s.lastSegStart = seq
  }
  if (len > 0 && len < room) s.sndSml = end
  // Data out arms the retransmission timer when none is pending, but not beside RACK's reordering
  // timer: Linux has one timer a socket (icsk_pending), and with ICSK_TIME_REO_TIMEOUT pending
  // neither tcp_xmit_retransmit_queue's resend of the head (`rearm_timer` only when that timer is
  // not pending) nor tcp_event_new_data_sent (packets were out) re-arms it. Its expiry or the next
  // ACK's tcp_rearm_rto then sets the RTO from the head's send time (`rackDetect`). Armed here, the
  // resend of a recovery's head dropped RACK's timer at the batch's end, and a SACK of data sent
  // before that resend restarted a whole RTO from itself, where Linux's ran from the resend
  // (test/kernel/ConformanceLoss.test.ts, "a SACK of data sent before the head's resend, RACK's
  // reordering timer pending")
  if (s.rtoAt === undefined && s.rackAt === undefined) s.rtoAt = now + s.rtt.rto
  // the last data sent (Linux's lsndtime, which tcp_event_data_sent stamps only for a segment with
  // payload: `skb->len != tcp_header_size` in __tcp_transmit_skb): a bare FIN is none
  if (len > 0) s.lastSendAt = now
  return len
}

/**
 * Payload of a full-sized segment: the MSS less the timestamps every segment
 * carries (RFC 6691). It is also the congestion window's SMSS, which leaves
 * options out (RFC 5681 §2): the initial window is ten segments of it (RFC
 * 6928), as Linux's counts ten packets.
 */
const fullPayload = (s: Sender): number => s.mss - (s.tsOk ? TS_OPTION : 0)

/**
 * The payload a segment is cut to: a full-sized one, but no more than half
 * the largest window the peer offered (`Negotiation.boundToHalfWindow`, as
 * Linux's mss_cache through tcp_sync_mss): against a peer window of 2000
 * octets two 1000-octet segments go, not one of 1460 and a 540-octet tail
 * that silly-window avoidance holds back. New data and retransmissions alike
 * (Linux resends at tcp_current_mss); the congestion window's SMSS stays
 * `fullPayload`.
 */
const segmentPayload = (s: Sender): number =>
  Negotiation.boundToHalfWindow(fullPayload(s), s.maxSndWnd, TCP_HEADER + (s.tsOk ? TS_OPTION : 0))

/** The sequence number just past our FIN, if the application ended its side. */
const finEnd = (s: Sender): Seq.SeqNum | undefined =>
  s.finQueued ? Seq.add(SendBuffer.end(s.buffer), 1) : undefined

/**
 * Whether a resend of `len` octets from `seq` ending at the data's end carries the FIN.
 * A FIN that went with the last data is in that segment (Linux's one skb) and goes again with it.
 * One that went as its own segment (`lastSegStart` at the data's end: tcp_send_fin queues a new skb
 * when all data had gone) stays its own skb, and Linux's __tcp_retransmit_skb joins it to the last
 * data skb only where tcp_retrans_try_collapse can: a one-segment skb shorter than
 * min(avail_wnd, cur_mss), whose room takes the FIN's skb whole (tcp_collapse_retrans moves the FIN
 * flag). A full segment collapses nothing, and the FIN's skb goes after it as a packet of its own,
 * when cwnd has room (`push`'s bare FIN). Put on a full last resend, the FIN went at the timeout
 * with 1-1001 where Linux resends 1-1001 alone and the FIN at its ACK
 * (test/kernel/ConformanceLoss.test.ts, "the timeout resends a full head without the bare FIN",
 * "the go-back resends a full last segment without the bare FIN").
 */
const finRidesResend = (s: Sender, seq: Seq.SeqNum, len: number): boolean => {
  const bufEnd = SendBuffer.end(s.buffer)
  // (a FIN never sent, that cwnd held after all the data went (fin60), is its own skb in the write
  // queue, which tcp_retrans_try_collapse never walks: the last data goes again alone, and the FIN
  // after it as new data when cwnd has room; test/kernel/ConformanceLoss.test.ts, "the go-back
  // resends the last segment without a FIN cwnd held")
  if (len > 0 && Seq.lt(s.sndMax, Seq.add(bufEnd, 1))) return false
  if (len === 0 || s.lastSegStart !== bufEnd) return true
  // (nor one the peer SACKed: tcp_retrans_try_collapse stops at an skb tcp_can_collapse refuses, a
  // TCPCB_SACKED_ACKED one among them, and the FIN's skb stays in the queue, SACKed, never resent.
  // Put on the resend, the FIN went with the short last data at each resend while SACKed;
  // test/tcp/Close.test.ts, "a bare FIN the peer SACKed")
  if (Scoreboard.skip(s.board, bufEnd) !== bufEnd) return false
  // (avail_wnd: the peer's window from `seq`, which the FIN's sequence number must fit too: the
  // collapse stops at an skb ending past tcp_wnd_end, so none into a shut window)
  return len < Math.min(segmentPayload(s), Seq.sub(Seq.add(s.sndUna, s.sndWnd), seq))
}

/** Send what the windows, Nagle and the state allow. */
const push = (s: Sender, now: number, out: Array<OutSegment>): void => {
  if (!sending(s) || s.persistAt !== undefined) return
  if (s.pmtuExpiresAt !== undefined && now >= s.pmtuExpiresAt) pmtuExpired(s)
  const bufEnd = SendBuffer.end(s.buffer)
  let sent = false
  for (;;) {
    // resending after a timeout: what the peer SACKed needs no second copy, nor what the timeout
    // held as sent too recently to be lost (Rack.markTimeout), until RACK finds it lost
    if (s.board.ranges.length > 0 && Seq.lt(s.sndNxt, s.sndMax)) s.sndNxt = Scoreboard.skip(s.board, s.sndNxt)
    if (s.rack.held > 0 && Seq.lt(s.sndNxt, s.sndMax)) {
      s.sndNxt = Rack.skipHeld(s.rack, s.sndNxt)
      if (s.board.ranges.length > 0 && Seq.lt(s.sndNxt, s.sndMax)) s.sndNxt = Scoreboard.skip(s.board, s.sndNxt)
    }
    // Without SACK, the go-back after F-RTO gave up ends at the old flight's end: what F-RTO sent past
    // it (step 2.b) went after the timeout and is in flight, not lost, and Linux's
    // tcp_xmit_retransmit_queue resends only LOST skbs (it stops at retrans_out >= lost_out), then
    // tcp_write_xmit goes on from snd_nxt with data never sent. Gone on through, the go-back sent
    // F-RTO's two segments again where Linux sends the next new one
    // (test/kernel/ConformanceLoss.test.ts, "the go-back resends the old flight only")
    if (Seq.lt(s.sndNxt, s.sndMax) && !Seq.lt(s.sndNxt, s.recover) && renoPastRecover(s)) s.sndNxt = s.sndMax
    const unsent = Seq.sub(bufEnd, s.sndNxt)
    const finPending = s.finQueued && Seq.lte(s.sndNxt, bufEnd)
    if (unsent < 0) break
    // (what a timeout held, `Rack.markTimeout`, is in flight, also where the go-back has not yet
    // reached it: its window, in flight + 1 segment, counts it, and so does the room left here)
    // (and the segment at SND.UNA counts whole while an ACK inside it has freed none of it: Linux's
    // one-segment skb stays one packet in tcp_packets_in_flight until an ACK frees it whole,
    // tcp_clean_rtx_queue. Counted by the octets left, an ACK of 2501 inside the resent 2001-3001 of
    // a timeout's go-back at cwnd 3 let a 500-octet segment go where Linux sends nothing;
    // test/kernel/ConformanceLoss.test.ts, "without SACK, an ACK inside a resent segment in a
    // timeout's go-back")
    // (and each segment in flight counts a full one, a runt or a bare FIN too: Linux's tcp_cwnd_test
    // holds sending to cwnd - tcp_packets_in_flight, in packets, `runtPad`. By octets, ten 100-octet
    // writes with Nagle off left 9000 of cwnd 10000 and the eleventh went where Linux holds it;
    // test/kernel/ConformanceCwnd.test.ts, "runts count as packets: with Nagle off")
    const flight = Math.max(0, inFlight(s) + renoLossBeyond(s)) + (s.unaPartial > 0 && Seq.gt(s.sndNxt, s.sndUna) ? s.unaPartial : 0) +
      (s.rack.held > 0 && Seq.lt(s.sndNxt, s.sndMax) ? Rack.heldFrom(s.rack, s.sndNxt) : 0) + runtPad(s)
    // new data waiting after a pause with nothing in flight: the algorithm hears how long (RFC 5681
    // §4.1's restart after more than an RTO, which Linux checks at the write and at a window that
    // opens: tcp_slow_start_after_idle_check). CUBIC's epoch moves when the data goes (`sendData`)
    // (not for a bare FIN: Linux checks at a write, tcp_skb_entail, which tcp_send_fin's tcp_queue_skb
    // skips; and with nothing in flight the window never holds it)
    if (unsent > 0 && flight === 0 && now > s.lastSendAt && s.sndMax !== s.iss) {
      s.algorithm.onIdle(s.cc, now - s.lastSendAt, s.rtt.rto, now)
    }
    const wndRoom = Seq.sub(Seq.add(s.sndUna, s.sndWnd), s.sndNxt)
    // in fast recovery PRR's window holds `pipe` (RFC 6675 §5; without SACK, Linux's in_flight over
    // the duplicates' count, `pipe`), else what is in flight; outside any loss episode, the first two
    // duplicate ACKs each let one segment more go (RFC 3042 limited transmit, RFC 5681 §3.2's
    // SHOULD: FlightSize up to cwnd + 2 SMSS, cwnd as it is); without SACK one a counted duplicate,
    // as Linux's in_flight leaves out sacked_out in Disorder: the first two, or more while a raised
    // `renoReordering` holds the fast retransmit back)
    const cwndBase = Math.floor(s.cc.cwnd) - flight
    // (without SACK, not while SND.UNA is the recovery point itself: Linux holds a Reno connection
    // in Recovery until data above high_seq is acknowledged, tcp_is_non_sack_preventing_reopen, and
    // a duplicate there resets its counted duplicates, tcp_reset_reno_sack, and delivers nothing to
    // tcp_cwnd_reduction: nothing goes, where limited transmit sent a new segment at each of two)
    const limited = s.dupAcks > 0 && !s.recovering && (s.sackOk ? !Seq.lt(s.sndUna, s.recover) : Seq.gt(s.sndUna, s.recover))
    // With SACK, outside a loss episode and a timeout's go-back, what the peer SACKed is not in
    // flight either: Linux's tcp_cwnd_test holds sending to cwnd - tcp_packets_in_flight, which is
    // packets_out - sacked_out - lost_out + retrans_out in every state (lost_out is 0 here: a RACK
    // mark starts a recovery). It matters where SACKed octets outlive a recovery: one that ends at
    // a duplicate ACK after the peer reneged (`endRecoveryPastRecover`) leaves them from SND.UNA on,
    // and FlightSize held cwnd with them until the short timer. Before a recovery the SACKed
    // octets are the duplicates' limited transmit (RFC 3042) in Linux's terms, which is at least the
    // one segment a duplicate lets go here, and more for a SACK of several segments at once.
    // In a timeout's go-back (Linux's TCP_CA_Loss, the same tcp_packets_in_flight) the SACKed octets
    // SND.NXT has passed again are not in flight: counted, they held the go-back to cwnd less them,
    // and the next hole and the lost segments after them waited for later ACKs or the next timeout
    // (test/kernel/ConformanceLoss.test.ts, "in a timeout's go-back the SACKed octets are not in flight")
    const sackedOut = !s.sackOk || s.recovering || s.board.sacked === 0
      ? 0
      : !Seq.lt(s.sndUna, s.recover)
      ? (s.sndNxt === s.sndMax ? s.board.sacked : 0)
      : s.board.sacked - Scoreboard.sackedAbove(s.board, s.sndNxt)
    const cwndRoom = s.recovering && s.prr !== undefined
      ? Math.floor(recoveryWindow(s)) - pipe(s)
      : limited
      ? cwndBase + (s.sackOk ? Math.max(Math.min(s.dupAcks, 2) * segmentPayload(s), sackedOut) : s.renoSacked * segmentPayload(s))
      : cwndBase + sackedOut
    const full = segmentPayload(s)
    if (unsent === 0) {
      // only the FIN is left. It takes a sequence number, so it waits for the window to hold one
      // (a receiver whose window is 0 drops it, RFC 9293 §3.10.7.4's table; Linux's tcp_write_xmit
      // holds a bare FIN at tcp_snd_wnd_test too): the persist timer probes meanwhile. And it is a
      // packet like any other for the congestion window: Linux 6.10 removed tcp_cwnd_test's
      // exception for a one-segment FIN skb ("tcp: remove dubious FIN exception from
      // tcp_cwnd_test()"), so the FIN's skb waits while in_flight >= cwnd, for the ACK that opens
      // room (or goes as the tail probe's new data, `sendProbe`). Room for a whole segment here, as
      // Linux counts packets (the octets left below a full segment are no packet); with nothing in
      // flight always, as in_flight 0 is below any cwnd. Sent whatever cwnd, it went at the
      // shutdown behind ten segments at cwnd 10 (test/kernel/ConformanceCwnd.test.ts, "a bare FIN
      // behind a full congestion window")
      // (and it is a packet of the flight for the window's use, as tcp_write_xmit's tcp_cwnd_validate
      // runs after any skb sent: the FIN that takes cwnd's last packet makes the flight cwnd-limited,
      // `noteFlight`; test/tcp/Close.test.ts, "a bare FIN that fills cwnd")
      if (finPending && wndRoom > 0 && (cwndRoom >= full || flight === 0)) {
        sendData(s, out, s.sndNxt, 0, true, now)
        sent = true
      }
      // (on: a window that closed with everything in flight leaves it to the retransmission timer,
      // `enterPersistIfStalled`)
      break
    }
    // (there the room is whole segments, as `resendLostAfterTimeout`'s: Linux counts packets, and a
    // runt the go-back resent up to a SACKed range leaves no room for another; the timeout's one
    // segment took a second with it)
    if (sackedOut > 0 && Seq.lt(s.sndUna, s.recover) && cwndRoom < full) break
    const room = Math.min(wndRoom, cwndRoom)
    let len = Math.min(unsent, full, room)
    if (len <= 0) break
    // (a resend of the go-back ends where octets the peer SACKed begin, as Linux resends the skb of
    // the hole, which tcp_sacktag_write_queue cut at the SACK's edge, and never SACKed data: so the
    // SACKed octets below SND.NXT are those the go-back passed over, out of flight above. Sent
    // through, a resend that crossed into a SACKed range counted its tail out of flight too, and the
    // timeout's one segment took another with it)
    const holeEnd = Seq.lt(s.sndNxt, s.sndMax) && s.board.ranges.length > 0 ? Scoreboard.nextHoleEnd(s.board, s.sndNxt) : undefined
    const holeCut = holeEnd !== undefined && Seq.sub(holeEnd, s.sndNxt) <= len
    if (holeCut) len = Seq.sub(holeEnd, s.sndNxt)
    // (and a resend there ends at `recover`, as Linux's resends the lost skb, whatever F-RTO's new data
    // after it: no SWS test, it is owed, as the hole's above)
    const flightCut = Seq.lt(s.sndNxt, s.recover) && Seq.sub(s.recover, s.sndNxt) < len && renoPastRecover(s)
    if (flightCut) len = Seq.sub(s.recover, s.sndNxt)
    // (a resend of what went before, after a timeout's go-back, that the peer's window alone cuts:
    // owed already, and Linux's retransmissions send the piece up to the window's edge at the ACK,
    // __tcp_retransmit_skb with avail_wnd under an MSS, with no SWS or Nagle test. Held to SWS
    // avoidance, the piece went only at the retransmission timer, and with every octet a
    // retransmission no RTT sample cleared its backoff: 100 octets every 120 s)
    const windowCutResend = Seq.lt(s.sndNxt, s.sndMax) && wndRoom <= cwndRoom
    if (len < full && len < unsent && !windowCutResend && !holeCut && !flightCut) {
      // window- or cwnd-limited: no silly segments (RFC 9293 §3.8.6.2.1), unless half the largest
      // window fits, and with Nagle on only while nothing is in flight (case 3's "[SND.NXT = SND.UNA
      // and]"). Linux's tcp_mss_split_point sends the piece up to the window's edge where its Nagle
      // test would let a short segment go: a difference kept (ConformanceWindow.test.ts's header)
      if (len < s.maxSndWnd / 2 || wndRoom > cwndRoom) break
      if (!s.noDelay && Seq.gt(s.sndNxt, s.sndUna)) break
    }
    // Nagle, for new data only (a resend after a timeout or a smaller path MTU is owed already, as
    // Linux's retransmissions skip tcp_nagle_test), unless urgent data waits (as Linux's test in
    // urgent mode)
    if (
      len === unsent && len < full && !s.noDelay && !s.finQueued && s.sndUp === undefined &&
      // a small segment in flight: SND.SML beyond SND.UNA and not beyond SND.NXT (Linux's
      // tcp_minshall_check: after 2^31 octets of full segments an old SND.SML would seem ahead)
      Seq.gt(s.sndSml, s.sndUna) && !Seq.gt(s.sndSml, s.sndNxt) && !Seq.lt(s.sndNxt, s.sndMax)
    ) break
    len = Math.min(len, unsent)
    if (limited && len > cwndBase) s.limitedOut += len - Math.max(0, cwndBase)
    // (not with a FIN that went past `recover` after the timeout, F-RTO's new data: the go-back
    // resends the old flight, which it was no part of. Linux's tcp_xmit_retransmit_queue resends
    // the skbs tcp_timeout_mark_lost marked, the last data skb alone (a full one: no
    // tcp_retrans_try_collapse), never the FIN's skb sent after them; test/tcp/Close.test.ts,
    // "F-RTO's FIN, then the loss real")
    const finGone = Seq.lt(s.sndNxt, s.recover) && renoPastRecover(s)
    // (and a FIN sent as its own segment, or never sent, rides on the last data's resend only where
    // Linux's skbs put it there, `finRidesResend`; else it goes after, as the bare FIN above)
    const finOldAlone = Seq.lt(s.sndNxt, s.sndMax) && !finRidesResend(s, s.sndNxt, len)
    sendData(s, out, s.sndNxt, len, finPending && len === unsent && !finGone && !finOldAlone, now)
    sent = true
  }
  if (sent) noteFlight(s)
  enterPersistIfStalled(s, now)
}

/**
 * Runts as packets (fin61's design): the octets that count the log's segments in flight a full
 * segment each beyond what their octets count, with the part of the head segment earlier ACKs
 * moved SND.UNA into (`unaPartial`, which the callers count already) taken as its own. Linux
 * counts packets against cwnd (tcp_packets_in_flight: packets_out - sacked_out - lost_out +
 * retrans_out) where the stack counts octets: for full-sized segments the two agree and this is
 * 0; a runt (Nagle off, a write PSH bounds, a window's edge) or a bare FIN weighs a whole segment.
 * Without SACK in a timeout's go-back the log is not marked (the go-back is SND.NXT's,
 * `markedInFlight`): its entries past SND.NXT are not in flight there, and nothing is added.
 */
const runtPad = (s: Sender): number =>
  s.sackOk || !Seq.lt(s.sndNxt, s.sndMax)
    ? Math.max(0, Rack.inFlightSegments(s.rack) * segmentPayload(s) - Rack.inFlight(s.rack) - s.unaPartial)
    : 0

/**
 * After a send: the flight joins the window's largest (`maxFlight`), or starts a new window's
 * once the last one is acknowledged (Linux's tcp_cwnd_validate, called by tcp_write_xmit when it
 * sent something; the ACKs that only drain a flight change nothing). A send that fills cwnd (no
 * room for one more full segment, the test `NewReno.cwndLimited` makes at the ACK) starts the
 * window again from here and marks it the limit (`maxFlightFull`), as tcp_cwnd_validate since
 * "tcp: fix tcp_cwnd_validate() to not forget is_cwnd_limited" (2022): a later send that does not
 * fill it, before SND.UNA passed this one, leaves that mark, and the ACKs of what this send let go
 * may grow the window. Only the flight moved `maxFlightEnd`, so a window refilled at the same
 * flight ended at its first send's end, and a small write after it took the rest of its ACKs for
 * application-limited (test/tcp/RateLimited.test.ts, "a window refilled to cwnd by a later send").
 */
const noteFlight = (s: Sender): void => {
  // (in packets as Linux's max_packets_out: each segment in flight a full one, `runtPad`)
  const flight = Seq.sub(s.sndMax, s.sndUna) + runtPad(s)
  const full = flight + segmentPayload(s) > Math.floor(s.cc.cwnd)
  if (!Seq.lt(s.sndUna, s.maxFlightEnd) || full || (!s.maxFlightFull && flight > s.maxFlight)) {
    s.maxFlightFull = full
    s.maxFlight = flight
    s.maxFlightEnd = s.sndMax
  }
}

/**
 * The flight an ACK reports to the algorithm's `onAck` (its `inFlightBefore`): the window's
 * largest, or cwnd itself while the window was the limit (`maxFlightFull`), which
 * `NewReno.cwndLimited` then takes as full: Linux's tcp_is_cwnd_limited, is_cwnd_limited first.
 */
const ackFlight = (s: Sender, flightBefore: number): number =>
  Math.max(flightBefore, s.maxFlight, s.maxFlightFull ? Math.floor(s.cc.cwnd) : 0)

/**
 * All data acknowledged and our FIN not yet sent: a bare FIN that a shut window holds back
 * (`push`; Linux's tcp_write_xmit holds it at tcp_snd_wnd_test). With nothing out it waits under
 * the persist timer, whose probes (SND.UNA - 1, Linux's tcp_xmit_probe_skb) never time the
 * connection out while answered (RFC 1122 §4.2.2.17). A FIN already sent is out, as data is
 * (Linux's packets_out counts it): its retransmission timer stays (and a loss probe armed before
 * it), and resends it into the shut window at each expiry, no retry counted unless the
 * application has closed (`onRto`, Linux's tcp_retransmit_timer; tcp_check_probe_timer arms the
 * probe timer only with nothing out). Under the persist timer its probes went at the RTO, then at
 * twice it, where Linux's loss probe and then its RTO resend it at about the RTO and once more an
 * RTO later (test/kernel/ConformanceClose.test.ts, "shutdown behind data, the ACK of the data
 * shuts the window").
 */
const finWaits = (s: Sender): boolean => {
  const bufEnd = SendBuffer.end(s.buffer)
  return s.finQueued && s.sndUna === bufEnd && s.sndMax === bufEnd
}

/** RFC 9293 §3.8.6.1: data (or a bare FIN) waits behind a zero window: probe instead of retransmitting. */
const enterPersistIfStalled = (s: Sender, now: number): void => {
  if (s.persistAt !== undefined || !sending(s)) return
  const bufEnd = SendBuffer.end(s.buffer)
  if (s.sndWnd === 0) {
    if (Seq.sub(bufEnd, s.sndUna) <= 0 && !finWaits(s)) return
    // Data still out: it stays in flight (no go-back: SND.NXT where it was, and what the peer takes
    // once its window opens is acknowledged as usual), and the retransmission timer stays this
    // data's, as Linux's one timer a socket: tcp_check_probe_timer arms the probe timer only with
    // nothing out (`!packets_out`, from __tcp_push_pending_frames when tcp_write_xmit returns
    // `!packets_out && write queue not empty`), and tcp_ack_probe runs only for an ACK that found
    // nothing out. Its expiry with the window still shut resends the first segment as the probe,
    // backed off, and counts no retry while the peer answers (`onRto`, tcp_retransmit_timer's
    // "receiver dastardly shrinks window"). A tail probe or RACK's timer armed before stays too: it
    // is that one timer (a probe that cannot go re-arms the RTO, `tailProbe`). Sent back to SND.UNA,
    // a window that opened sent what was out again before any new data, where Linux goes on from
    // snd_nxt (test/kernel/ConformanceWindow.test.ts, "a window that shuts with data in flight")
    if (Seq.gt(s.sndMax, s.sndUna) && Seq.gt(bufEnd, s.sndUna)) {
      if (s.rtoAt === undefined && s.tlpAt === undefined && s.rackAt === undefined) s.rtoAt = now + s.rtt.rto
      return
    }
    // Nothing out (but a probe's octet) and a FIN not yet sent, or data, waiting: the persist timer
    // takes over, and probes; no retransmission timer runs meanwhile, nor a tail probe or RACK's
    // reordering timer armed before. (A FIN sent is out, and never comes here: `finWaits`)
    s.sndNxt = s.sndUna
    s.rtoAt = undefined
    s.tlpAt = undefined
    s.rackAt = undefined
    s.timing = undefined
    // (what a timeout held, Rack.markTimeout, is data out, which never comes here: released all the
    // same, as the go-back from SND.UNA when the window opens would skip it and hang, 1609954)
    Rack.releaseHeld(s.rack)
  } else if (Seq.sub(bufEnd, s.sndNxt) <= 0 || Seq.gt(s.sndNxt, s.sndUna)) {
    return
  } else if (Seq.gt(s.sndMax, s.sndUna)) {
    // A window too small for what waits, with data still out past SND.NXT (a timeout's go-back
    // that the peer's window, shrunk, stopped): the retransmission timer is this data's, and Linux
    // arms the probe timer only with nothing out (tcp_check_probe_timer: !packets_out, and one timer
    // a socket, icsk_pending). A persist timer besides fired in the same instant as the RTO, and
    // its probe sent SND.UNA's first octet again after the timeout's own resend. (The timer is
    // running unless a shut window stopped it, above, and a window update opened it a little.)
    if (s.rtoAt === undefined) s.rtoAt = now + s.rtt.rto
    return
  }
  // Data waits and nothing is in flight: either the window is 0, or it is open
  // too little for sender-side SWS avoidance to use it and no ACK will come to
  // change that (the receiver avoids silly windows too, and may never widen it
  // until it is read). RFC 9293 §3.8.6.2.1's override timer: the persist timer
  // sends what fits when it fires (as Linux's probe timer does).
  s.persistBackoff = 0
  s.probesStamp = undefined
  s.persistAt = now + s.rtt.rto
}

// ---------------------------------------------------------------------------
// the receive half's report
// ---------------------------------------------------------------------------

/**
 * Every ACK of the batch `onReport` is taking so far was one Linux's tcp_ack_is_dubious lets by: it
 * came in Open (no recovery, nothing SACKed, no ECN cut held, nothing in the log sent twice) and
 * moved SND.UNA or carried data, with no SACK block and no ECE. Linux runs no tcp_fastretrans_alert
 * for such an ACK, so RACK marks nothing at it (`rackDetect` is not run for the batch). One flag for
 * the module: `onReport` sets it, its ACKs clear it and it reads it in one synchronous pass (a
 * field on every Sender was 8 octets of every idle connection).
 */
let batchNotDubious = false

/** The ACK being taken undid a Reno recovery by a partial ACK with an ECE, which enters no CWR (`undoPartial`). */
let eceTakenByUndo = false

/**
 * The ACK being taken is a partial ACK of a SACK recovery whose echo showed the hole filled by its
 * original while a resend is still out (`sackUndoPartial`): Linux's tcp_try_undo_partial returns
 * true, and tcp_fastretrans_alert returns before tcp_identify_packet_loss and REXMIT_LOST. RACK
 * marks nothing for it and no resend goes, only new data under PRR's window (`rackDetect`,
 * `rackInBatch`). Set per ACK (`onAck`); the batch's end reads its last ACK's.
 */
let undoHeld = false

/**
 * A SACK duplicate before the batch's last (`onAckLosses`) whose own sends wait for the end of its
 * `onAck`, after the growth a SACK-only ACK may make there (tcp_cong_control before
 * tcp_data_snd_check). Cleared per ACK.
 */
let dupSendDue = false

/**
 * The ACK being taken says ECE on an ECN connection: Linux's tcp_fastretrans_alert zeroes
 * prior_ssthresh before any undo on it ("ECE, hence prohibit cwnd undoing"; `spuriousTimeout`).
 */
let ackEce = false

/**
 * A SACK recovery undone in it by an ACK with ECE (`sackUndoPartial`, `tryUndo`): Linux's
 * tcp_fastretrans_alert then runs RACK on that ACK and, for what it marks, tcp_enter_recovery(sk,
 * ece_ack), which leaves prior_ssthresh 0: that new recovery's undo gives nothing back either. The
 * stack's RACK look and entry for it come after the ACK's own turn (`rackInBatch` at an ACK before the
 * batch's last, `rackDetect` at its end), with the ACK's ECE gone, so this carries it there
 * (`enterRecovery`). Cleared per ACK (`onAck`), unless `eceUndoCarried`, and after the batch's end.
 */
let eceUndone = false

/**
 * An ECE undo at an ACK before the batch's last whose RACK look there (`rackInBatch`) marked nothing
 * by the tick's grace though the plain window would have (`pending`): the recovery the batch's end
 * enters for those marks stands for the one Linux's µs clock starts at that ACK, with its ECE
 * (tcp_enter_recovery(sk, ece_ack)), so `eceUndone` lives on to it. Cleared once a recovery took it
 * (`enterRecovery`) and after the batch's end.
 */
let eceUndoCarried = false

/**
 * The batch's last ACK said ECE on an ECN connection, read by a recovery RACK's look at the batch's
 * end enters for it (`rackDetect`, `enterRecovery`), after that ACK's `onAck` cleared `ackEce`:
 * Linux's tcp_enter_recovery(sk, ece_ack) takes that ACK's FLAG_ECE. Mostly `onEce` already said so
 * (a CWR entered on it, `cwrKept`), but not in a timeout's episode, where it enters none: there a
 * go-back resend found lost again (FLAG_LOST_RETRANS) falls through to tcp_enter_recovery(sk, true),
 * prior_ssthresh 0 (test/tcp/Recovery.test.ts, "an ECE on the ACK that finds a timeout's resend lost
 * again"). Set for the batch's end only.
 */
let batchEndEce = false

/**
 * Without SACK, what the ACK being taken frees of the log as Linux's tcp_clean_rtx_queue frees
 * skbs (`renoFreed`, before the log lets go): `renoAckSegs`, the whole segments (pkts_acked: a
 * one-segment skb the ACK covers in part stops the walk), and `renoAcked`, their octets with the
 * part of the first that earlier ACKs moved SND.UNA into (`unaPartial`). Module-wide, as the flags
 * above: read in the same synchronous pass (`renoPrrStep`, `newAck`).
 */
/**
 * RACK's marks for the ACK being taken are in, made by `rackInBatch` at an ACK before the batch's
 * last with its ticked window (the plain one in a recovery whose window is 0): the recovery's sends
 * there (`enterRecovery`, `sackRecover`) are those marks and nothing else, as Linux's
 * tcp_xmit_recovery → tcp_xmit_retransmit_queue resends only LOST skbs. Neither marks again at the plain window (what lies within a tick of the delivered
 * segment may be the batch's next ACK's, stop 30) nor resends a hole RACK did not mark (RFC 6675's
 * hole past HighRxt): both sent, at that ACK, a segment the batch's next ACK SACKed, and its resend
 * then made the head's look lost again at the batch's end, resent twice (test/tcp/Recovery.test.ts,
 * "above one sent in its own tick that the batch's next ACK reports"). Set and cleared within one
 * `rackInBatch`.
 */
let innerMarks = false

/**
 * Where the batch `onReport` is taking began in RACK's order of sends (`Rack.sends`): what went from
 * there on (a resend `rackInBatch` made at an earlier ACK of the batch) left after every ACK of the
 * batch arrived, and none of them reports it (`Rack.onAck`'s `sentFrom`). Infinity outside a batch.
 */
let batchSends = Infinity

let renoAckSegs = 0
let renoAcked = 0

/** Take the receive half's report of one batch. */
export const onReport = (s: Sender, r: Report, now: number, out: Array<OutSegment>): void => {
  // in a simultaneous open's SYN-RECEIVED, what the receive half would acknowledge (the peer's SYN
  // again) is answered with our SYN-ACK again, as Linux does, instead of waiting for our RTO
  const synReceived = s.state === "SynReceived"
  s.lastHeardAt = r.at
  s.keepaliveProbes = 0
  s.windowProbes = 0
  if (r.rstReply !== undefined) {
    // (`<SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>` to a segment without ACK)
    if (r.rstAck !== undefined) emit(s, out, r.rstReply, RST | ACK, undefined, NONE, r.rstAck)
    else emit(s, out, r.rstReply, RST, undefined, NONE)
    // an unacceptable ACK in SYN-SENT is often a peer's old incarnation of this 4-tuple (its
    // TIME-WAIT answering our SYN with an ACK); the RST clears it, and the SYN goes again in a
    // moment instead of at the RTO (Linux: TCP_TIMEOUT_MIN, when no SYN was retransmitted yet)
    // (not after a SYN-ACK refused for its TSecr: Linux leaves the timer then)
    if (s.state === "SynSent" && s.retries === 0 && s.rtoAt !== undefined && !r.pawsActiveRejected) {
      s.rtoAt = Math.min(s.rtoAt, now + SYN_AFTER_RESET)
    }
  }
  // RFC 1337: TIME-WAIT ignores resets (its 2 MSL protect the next incarnation), and the rest of
  // the batch goes on: a retransmitted FIN beside the RST is still ACKed, and the timer restarts
  // The RST is the batch's last segment taken (the receive half stops at it): ACKs before it go
  // through first, with what they send, as Linux takes each segment in order (tcp_ack and
  // tcp_data_snd_check at each) before tcp_reset at the RST; the connection fails at the end
  // (so too the answers to segments before it that took no ACK: a refused segment's duplicate ACK,
  // tcp_send_dupack, or an in-window RST's challenge, tcp_send_challenge_ack, went there and then,
  // before tcp_reset; only an RST with nothing before it to answer fails at once)
  // (nor one that came behind the peer's FIN that made TIME-WAIT in this batch: `Report.timeWait`)
  const reset = r.reset && s.state !== "TimeWait" && !r.timeWait
  if (reset && r.acks.length === 0 && r.ackPoints.length === 0 && r.challenges === 0 && r.challengesLimited === 0) {
    resetBy(s)
    return
  }
  if (r.syn !== undefined && s.state === "SynSent") onSyn(s, r, now, out)
  // (those the connection's limit of answers held back: counted as left unanswered)
  if (r.challengesLimited > 0) s.params.onChallenge?.(r.challengesLimited, false)
  // The challenge ACKs the stack's rate lets go, the first ones: each is a tcp_send_ack whatever went
  // before it, not a pending ACK that a data segment satisfies. Each goes at its ACK point, where its
  // segment lay (`Report.challengePoints`: before what a later segment's ACK sends, after what an
  // earlier one's did), the rest skipped there (`deniedChallenge`); in SYN-RECEIVED, after the batch
  let challengeAcks = 0
  for (let i = 0; i < r.challenges; i++) {
    const rate = s.params.challengeAcksPerSecond
    const b = TokenBucket.take(s.challengeBucket ?? TokenBucket.full(rate, now), now, rate, rate)
    if (b === undefined) {
      s.params.onChallenge?.(r.challenges - i, false)
      break
    }
    s.challengeBucket = b
    challengeAcks++
    s.params.onChallenge?.(1, true)
  }
  challengesGranted = challengeAcks
  // (RCV.NXT before the batch: an inner ACK's segment that moves it brought data, `AckInfo.rcvNxt`)
  let rcvNxtAt = s.rcvNxt
  s.rcvNxt = r.rcvNxt
  // (before anything this report sends carries a window: Linux's tcp_clamp_window and tcp_grow_window
  // run as the segment is queued, before the ACK or data that answers it)
  clampWindow(s, r)
  if (r.twWnd !== undefined && s.twWnd === undefined) s.twWnd = r.twWnd
  s.tsRecent = r.tsRecent
  s.ecnEcho = r.ece
  // (the blocks before the batch: what a send at an ACK before the batch's first ACK point carries)
  const sackBefore = s.ourSack
  // (a report's own array, kept; the shared empty one when it has none)
  s.ourSack = r.sack.length > 0 ? r.sack : NO_SACK
  // A TSval this half took at an earlier report stays handed over until the receive half has it: that
  // half may have taken this batch before the earlier report was answered (Connection.ts: it takes a
  // wake-up's arrivals one after another), its TS.Recent then behind Linux's, which went on from it
  const tsPending = s.view.tsTaken
  let tsOwn = false
  if (tsPending !== undefined && s.tsOk && Acceptance.tsOlder(tsPending, r.tsRecent)) {
    s.tsRecent = tsPending
    tsOwn = true
  } else s.view.tsTaken = undefined
  batchNotDubious = true
  undoHeld = false
  // (module-wide, so none is left from a report that returned early: a closed connection's)
  eceUndone = false
  eceUndoCarried = false
  const unaBefore = s.sndUna
  const acks = r.acks
  // (the last ACK with SACK blocks or an ECE: one before it may send at once, `limitedTransmitInBatch`;
  // after it, or in a batch with none, the batch's end sends what each ACK would have)
  let lastDubious = -1
  batchSends = s.rack.sends
  if (s.sackOk && acks.length > 1) {
    for (let i = acks.length - 1; i > 0; i--) {
      const a = acks[i]!
      if ((a.sack !== undefined && a.sack.length > 0) || (a.ece && s.ecnOk)) {
        lastDubious = i
        break
      }
    }
  }
  // The ACK points a segment sent at an inner ACK answered (those of that ACK's own segment:
  // `AckInfo.points`, when none of an earlier segment is left unsent), whether such a send
  // acknowledged anything, and whether it made this half take a TSval the receive half did not
  let pointsFrom = 0
  let pointsBefore = 0
  let innerAcked = false
  // (the first point of the last ACK's own segment; those before it Linux sent before its sends)
  let lastFrom = 0
  // (the last ACK as the receive half saw it: sends after it, at an inner ACK here or at an earlier
  // report the receive half had not seen answered, moved rcv_wup before this batch's segments)
  const lastAckBefore = r.lastAckSeen
  for (let i = 0; i < acks.length; i++) {
    const a = acks[i]!
    // (what goes at an ACK before the batch's last echoes that ACK's TSval, as Linux's, which takes
    // each segment by itself: limited transmit's segments, a recovery's first resend; then the
    // batch's, for what goes at its end)
    // (not back past one this half took below: the receive half did not see that send)
    if (a.tsRecent !== undefined && !(tsOwn && Acceptance.tsOlder(s.tsRecent, a.tsRecent))) s.tsRecent = a.tsRecent
    // A send at an earlier ACK of the batch acknowledged this segment's start: Linux's
    // tcp_replace_ts_recent takes its TSval (seq not after rcv_wup, which that send's
    // tcp_select_window moved to rcv_nxt), where the receive half, which saw no send, did not
    const sentTo = s.view.lastAckSent
    if (
      a.tsVal !== undefined && s.tsOk && sentTo !== undefined && sentTo !== lastAckBefore &&
      Seq.lte(a.seq, sentTo) && !Acceptance.tsOlder(s.tsRecent, a.tsVal)
    ) {
      if (s.tsRecent !== a.tsVal) tsOwn = true
      s.tsRecent = a.tsVal
    }
    // What goes at this ACK acknowledges the peer's data up to this segment, with our blocks as they
    // stood then (Linux's tcp_rcv_established queues the segment's payload before
    // tcp_data_snd_check, and __tcp_transmit_skb writes rcv_nxt and the window of that moment)
    const inner = i < acks.length - 1
    const points = a.points === undefined ? 0 : Math.min(a.points, r.ackPoints.length)
    // (where this ACK's segment began among the points: after the refused segments' before it,
    // which have no ACK of their own here, `Report.refusedPoints`)
    const segFrom = a.points === undefined ? pointsBefore : pointsBefore + refusedIn(r, pointsBefore, points)
    if (!inner) lastFrom = segFrom
    if (inner && a.rcvNxt !== undefined) {
      if (a.rcvNxt !== rcvNxtAt) {
        // The segment brought data, as Linux's tcp_event_data_recv takes it before the sends: quick-ACK
        // mode at the first data (or after an idle RTO), its time (the pingpong test of what goes
        // now), and a scheduled ACK, which a segment sent now carries and spends a quick ACK for
        // (tcp_event_ack_sent's tcp_dec_quickack_mode). The batch's end does the same for the rest
        if (r.ackMss > 0) s.ackMss = r.ackMss
        if (s.lastDataAt === undefined || r.at - s.lastDataAt > s.rtt.rto) enterQuickAck(s)
        s.lastDataAt = r.at
        s.ackScheduled = true
        rcvNxtAt = a.rcvNxt
      }
      s.rcvNxt = a.rcvNxt
      s.ourSack = points > 0 ? r.ackPointSacks[points - 1]! : sackBefore
      // (a D-SACK goes once: an earlier segment's point carries it, before these sends, and Linux's
      // tcp_options_write clears rx_opt.dsack once written, so they carry the blocks after it; the
      // ACK's own point is carried by its sends, D-SACK and all)
      if (points > 0 && points <= segFrom && Rack.dsackOf(s.ourSack, r.ackPoints[points - 1]!) !== undefined) {
        s.ourSack = s.ourSack.slice(1)
      }
    }
    const sent = s.segmentsSent
    // (ACK points of earlier segments not yet sent: where they go if this ACK sends, `earlierPoints`)
    const pending = inner && pointsFrom < segFrom
    const mark = pending ? out.length : 0
    const seqAt = pending ? ackSeq(s) : s.sndNxt
    onAck(s, a, r.at, now, out, i > 0, i < lastDubious, inner)
    if (s.state === "Closed") {
      batchSends = Infinity
      eceUndone = false
      eceUndoCarried = false
      return
    }
    // A segment sent here carried this segment's ACK and blocks: its ACK points are said, as
    // Linux's __tcp_ack_snd_check finds no ACK scheduled after it; an earlier segment's points, which
    // Linux sent at that segment, go first (`earlierPoints`). (One that announces a memory drop's
    // window of 0 keeps them all for the batch's end, after these sends, as before)
    if (inner && a.rcvNxt !== undefined && s.segmentsSent > sent && s.view.lastAckSent === a.rcvNxt) {
      innerAcked = true
      if (pending && (r.nomemPoint < pointsFrom || r.nomemPoint >= segFrom)) {
        earlierPoints(s, r, pointsFrom, segFrom, seqAt, mark, now, out)
        pointsFrom = segFrom
      }
      if (pointsFrom >= segFrom && points > pointsFrom) pointsFrom = points
    }
    if (a.points !== undefined) pointsBefore = points
  }
  batchSends = Infinity
  s.rcvNxt = r.rcvNxt
  s.ourSack = r.sack.length > 0 ? r.sack : NO_SACK
  if (!tsOwn || !Acceptance.tsOlder(s.tsRecent, r.tsRecent)) s.tsRecent = r.tsRecent
  if (tsOwn && s.tsRecent !== tsPending) {
    s.view.tsTaken = s.tsRecent
    s.view.tsTakenAt = r.at
  }
  // Everything the batch brought was acknowledged by a segment sent at an inner ACK (its last data
  // and FIN, no ACK point after): Linux's tcp_event_ack_sent cleared the pending ACK there, and the
  // segments after it (pure ACKs) scheduled none
  // (refused segments' points after it are their own ACKs, tcp_send_dupack's, which ask for no other)
  const innerAnswered = innerAcked && refusedIn(r, pointsFrom, r.ackPoints.length) === r.ackPoints.length - pointsFrom &&
    s.view.lastAckSent === r.rcvNxt
  // RACK's loss marking (RFC 8985 §6.2 step 5) once the batch's ACKs are all in: they arrived
  // together, as one tick of the Clock sees them, and an earlier one's view (a segment SACKed
  // whose elder, reordered, the next ACK reports) is no loss. With the reordering window at 0 on
  // a path shorter than a tick, marking after each ACK resent what the batch had delivered
  // (not after an ACK that reneged: the short timer it armed decides, and Linux's tcp_rack_mark_lost
  // is in the part of tcp_fastretrans_alert that tcp_check_sack_reneging skips)
  // Not after ACKs Linux finds no dubious one in (`batchNotDubious`): tcp_ack runs no
  // tcp_fastretrans_alert for them, so tcp_rack_mark_lost neither marks nor re-arms. When one moved
  // SND.UNA, its FLAG_SET_XMIT_TIMER makes tcp_set_xmit_timer's tcp_schedule_loss_probe(sk, true)
  // replace a pending reordering timer with the probe's (`armTailProbe`, below, from the RTO the ACK
  // restarted); else a pending one stays as it was. Run after them, RACK marked data sent before a
  // resend it saw delivered, or waited for it anew, where Linux waits for the probe or for the timer
  // it had (test/tcp/Recovery.test.ts, "an ACK of new data in Open after a fast recovery marks
  // nothing", "the peer's data in Open after a fast recovery")
  if (s.sackOk && r.acks.length > 0 && !s.ackReneged) {
    if (!batchNotDubious) {
      const last = acks[acks.length - 1]!
      batchEndEce = last.ece && s.ecnOk
      rackDetect(s, now, out)
      batchEndEce = false
    }
    else {
      if (s.sndUna !== unaBefore) s.rackAt = undefined
      // (a timer with data out, as `rackDetect` leaves one: the persist timer's, stopped by a window
      // that opened on the peer's data, whose probe octet is out)
      if (s.rackAt === undefined && s.rtoAt === undefined && s.tlpAt === undefined && s.persistAt === undefined && Seq.gt(s.sndMax, s.sndUna)) {
        s.rtoAt = now + s.rtt.rto
      }
    }
  }
  // (without SACK no RACK: the batch's duplicate and partial ACKs make their recovery's sends here)
  else if (!s.sackOk && s.recoverDue && s.recovering) renoRecover(s, now, out)
  // (a batch whose last ACK reneged makes no recovery step: its short timer decides, as above)
  s.recoverDue = false
  // The peer's FIN in ESTABLISHED (to CLOSE-WAIT): its ACK waits for the delayed-ACK timer, quick
  // ACKs or not, so that the application's answer (its own FIN, or data) carries it, as Linux's
  // tcp_fin enters pingpong mode (no quick ACKs) and schedules a delayed ACK; but at once before any
  // data came (Linux's delayed-ACK interval is 0 until tcp_event_data_recv sets it), and in
  // FIN-WAIT (tcp_fin's tcp_send_ack: a simultaneous close, or TIME-WAIT's first ACK)
  let finWaits = false
  if (r.fin) {
    finWaits = (s.state === "Established" || s.state === "SynReceived") && (s.lastDataAt !== undefined || r.dataSegments > 0)
    onFin(s, now)
    if (!finWaits) s.ackNow = true
  }
  // The segments owed an ACK of their own (more than a segment's worth in order, every one into or beyond a hole,
  // every duplicate) get it, in the order they came, with the ACK number and the SACK blocks of
  // their moment (the receive half's report says why). The batch's own ACK follows, unless the
  // last of them said all it would: the same number and blocks (then it is left to the batch's
  // ACK), or those after a D-SACK block (then the batch's ACK would only repeat it)
  // quick-ACK mode again after a resend of data we had (the receive half's `quickAck`), as Linux's
  // tcp_enter_quickack_mode: the sender is likely in slow start after a timeout, and an ACK we
  // delay holds its window for the delayed-ACK time
  if (r.quickAck || r.quickAckEcn) {
    // (a CE's, or Not-ECT data's after ECT: two at most, Linux's tcp_data_ecn_check)
    enterQuickAck(s, r.quickAck ? s.params.quickAcks : Math.min(2, s.params.quickAcks))
    s.pingpong = false
  }
  // (the FIN's pingpong mode after them: Linux's tcp_data_ecn_check, in tcp_event_data_recv, comes
  // before tcp_fin on the same segment, so data without ECT that brings the FIN leaves the quick
  // ACKs to wait, and the FIN's ACK with them)
  if (finWaits) s.pingpong = true
  // (measured before quick-ACK mode counts in it, as Linux's tcp_event_data_recv does)
  if (r.ackMss > 0) s.ackMss = r.ackMss
  if (r.dataSegments > 0) {
    // quick-ACK mode at the first data, and again after an idle RTO (Linux's tcp_event_data_recv)
    if (s.lastDataAt === undefined || r.at - s.lastDataAt > s.rtt.rto) enterQuickAck(s)
    s.lastDataAt = r.at
  }
  if (r.ackScheduled && !innerAnswered) s.ackScheduled = true
  let answered = innerAnswered
  // whether the last ACK point was left to the batch's ACK
  let leftToBatch = false
  // whether an ACK point announced the window of 0 of a memory drop
  let noMemSent = false
  // Refused segments behind the batch's last ACK (PAWS, outside the window) are answered after what
  // that ACK sends, each by tcp_send_dupack's ACK there and then (`trailingPoints`); the ACK points
  // before, here, before it
  const lastAck = acks.length > 0 ? acks[acks.length - 1]! : undefined
  const trailFrom = lastAck?.points === undefined ? r.ackPoints.length : Math.max(pointsFrom, Math.min(lastAck.points, r.ackPoints.length))
  if (trailFrom > pointsFrom && s.state !== "SynReceived" && s.state !== "SynSent") {
    const last = trailFrom - 1
    for (let i = pointsFrom; i <= last; i++) {
      if (deniedChallenge(r, i)) continue
      const point = r.ackPoints[i]!
      const sack = r.ackPointSacks[i]!
      const refused = refusedIn(r, i, i + 1) > 0
      // An earlier point at RCV.NXT (data beyond a hole) spent the batch's scheduled ACK; each
      // further one but a D-SACK of data below it (a resend of what we had acknowledged) is a
      // segment's own ACK, and spends one too (Linux schedules one per segment beyond a hole, held
      // already or not, tcp_data_queue_ofo; its tcp_send_dupack, none)
      if (!s.ackScheduled && r.ackScheduled && !refused) {
        const dsack = Rack.dsackOf(sack, point)
        if (dsack === undefined || Seq.gt(dsack.right, point)) s.ackScheduled = true
      }
      // (only a point of the last ACK's own segment: what that ACK sends goes after the ACKs of
      // earlier segments, as Linux sent each at its own, __tcp_ack_snd_check or tcp_send_dupack)
      const says = point === s.rcvNxt && sameBlocks(sack, r.sack)
      // (a challenge ACK is no pending ACK the batch's may stand for: it goes, `answered` after it)
      if (i === last && says && i >= lastFrom && !challengeAt(r, i)) {
        leftToBatch = true
        break
      }
      // (not a challenge ACK behind data in quick-ACK mode: Linux's quick ACK went at that data's
      // segment, before the challenge, and is still owed; here after it, with the batch's echo, as
      // a batch's quick ACKs are not kept per segment)
      if (i === last && says) answered = !(challengeAt(r, i) && r.dataSegments > 0 && (s.quickAcks > 0 || r.quickAckEcn) && !s.pingpong)
      // A duplicate ACK for a resend wholly below the last ACK we sent, with nothing new owed before
      // it, acknowledges nothing the peer has not heard: Linux answers it from tcp_send_dupack with
      // no ACK scheduled, and it spends none (new data later in the batch still does)
      const heard = s.ackScheduled && point === s.view.lastAckSent ? Rack.dsackOf(sack, point) : undefined
      const spares = heard !== undefined && Seq.lt(heard.right, point)
      if (spares) s.ackScheduled = false
      // (the D-SACK of a segment whose new part memory refused, last in the batch: its ACK is the
      // one that announces the window of 0, `windowField`, and no second ACK follows for it)
      if (i === last && i === r.nomemPoint) {
        s.rcvNoMem = true
        noMemSent = true
      }
      emit(s, out, ackSeq(s), ACK, undefined, optionsWith(s, now, sack.length > 0 ? sack : undefined, r.ackPointTs[i]!), point)
      if (spares) s.ackScheduled = true
      // (its blocks after the D-SACK are the batch's, as many as the D-SACK left room for)
      if (i === last && point === s.rcvNxt && Rack.dsackOf(sack, point) !== undefined && sameBlocks(sack.slice(1), r.sack.slice(0, sack.length - 1))) {
        answered = true
      }
    }
  }
  // (after the ACK points, which cleared what came before them)
  if (r.pushed > 0 && !innerAnswered) s.ackPushed = Math.min(2, s.ackPushed + r.pushed)
  if (r.dataSegments > 0) {
    // in quick-ACK mode, at once (the ACK spends one: `emit`)
    // (after a CE, or Not-ECT data after ECT, so even with `quickAcks` at 0: Linux's
    // tcp_enter_quickack_mode gives at least the two quick ACKs tcp_data_ecn_check asks for)
    if ((s.quickAcks > 0 || r.quickAckEcn) && !s.pingpong && !answered) s.ackNow = true
    if (!answered) {
      // Only what came after the last ACK point waits: the points acknowledged the rest, so three
      // full-sized segments together draw an ACK after the second and leave the third to the
      // timer, as they would one by one (RFC 5681 §4.2's every second segment; Linux's
      // __tcp_ack_snd_check runs per segment of a batch, and the receive half put the points where
      // it would ACK). A last point left to the batch's own ACK still asks for it
      if (leftToBatch || owedBeyondMss(s)) s.ackNow = true
      else if (s.ackDue === undefined) s.ackDue = now + s.params.delayedAck
    }
  }
  // The application may have read this data already: its fiber, woken by the delivery, can run
  // before this half has the report. That read emptied the buffer after the segment came, where
  // Linux's tcp_cleanup_rbuf (after the segment's processing) sends the ACK owed for pushed data;
  // the read found `pushedAckOnRead` false then (this report not yet in) and woke nobody, so it is
  // asked here. (Once only: an ACK clears `ackPushed`, and a read after this finds it clear.)
  if (r.dataOctets > 0 && pushedAckOnRead(s)) s.ackNow = true
  // A bare FIN after data left waiting: its one may make more than a segment's worth unacknowledged
  // (tcp_fin, then __tcp_ack_snd_check's rcv_nxt - rcv_wup > rcv_mss), and the ACK goes at once
  if (finWaits && r.dataSegments === 0 && owedBeyondMss(s)) s.ackNow = true
  const trailing = trailFrom < r.ackPoints.length && s.state !== "SynReceived" && s.state !== "SynSent"
  if ((trailing ? r.ackNowAtLast : r.ackNow) && !answered) s.ackNow = true
  // in-order data memory refused (dropped, or forced in): an ACK at once, whatever the ACK points said, and it
  // announces a window of 0 (`windowField`; Linux's ICSK_ACK_NOMEM | ICSK_ACK_NOW), unless the
  // ACK point of the dropped segment's duplicate part was that ACK
  if (r.nomem && !noMemSent) {
    s.rcvNoMem = true
    s.ackNow = true
  }
  if (finWaits && !s.ackNow && s.ackDue === undefined && !innerAnswered) s.ackDue = now + s.params.delayedAck
  if (r.ackNow && s.state === "TimeWait") s.timeWaitAt = now + s.params.timeWait // a retransmitted FIN
  armKeepalive(s, now)
  if (synReceived && s.state === "SynReceived" && r.ackNow) {
    sendSyn(s, now, out)
    s.ackNow = false
  }
  push(s, now, out)
  undoHeld = false
  eceUndone = false
  eceUndoCarried = false
  if (trailing) trailingPoints(s, r, trailFrom, now, out)
  flushAck(s, now, out)
  // SYN-RECEIVED's challenge ACKs (no ACK points there), after what the batch sent and the ACK it owed
  for (let i = 0; r.challengePoints === undefined && i < challengeAcks; i++) {
    s.ackNow = true
    flushAck(s, now, out)
  }
  if (reset) {
    resetBy(s)
    return
  }
  armTailProbe(s, now)
  sync(s)
}

/**
 * An acceptable RST ends the connection: refused in SYN-SENT; after the peer's FIN, in CLOSE-WAIT,
 * what is left to fail is our sending (Linux's tcp_reset gives EPIPE there, ECONNRESET elsewhere).
 */
const resetBy = (s: Sender): void =>
  fail(s, s.state === "SynSent" ? "Refused" : s.state === "CloseWait" ? "ResetAfterFin" : "Reset")

/**
 * The ACK points of refused segments behind the batch's last ACK (PAWS, outside the window), after
 * what that ACK sent: its own ACK first when one is owed at once and nothing sent carried it (its
 * __tcp_ack_snd_check), then each refused segment's, as Linux's tcp_validate_incoming sends
 * tcp_send_dupack's at it. Each acknowledges RCV.NXT, so nothing is owed after them (tcp_event_ack_sent
 * clears the delayed ACK).
 */
const trailingPoints = (s: Sender, r: Report, from: number, now: number, out: Array<OutSegment>): void => {
  flushAck(s, now, out)
  for (let i = from; i < r.ackPoints.length; i++) {
    if (deniedChallenge(r, i)) continue
    const sack = r.ackPointSacks[i]!
    emit(s, out, ackSeq(s), ACK, undefined, optionsWith(s, now, sack.length > 0 ? sack : undefined, r.ackPointTs[i]!), r.ackPoints[i]!)
  }
}

/**
 * How many challenge ACKs of the report being taken the stack's rate let go (`onReport`): those
 * first in `Report.challengePoints`. Module-wide, as the flags above: read in the same pass.
 */
let challengesGranted = 0

/** Is ACK point `i` a challenge ACK's (`Report.challengePoints`)? */
const challengeAt = (r: Report, i: number): boolean => r.challengePoints !== undefined && r.challengePoints.includes(i)

/** Is ACK point `i` a challenge ACK the stack's rate held back (`challengesGranted`)? Then it goes unsent. */
const deniedChallenge = (r: Report, i: number): boolean => {
  const c = r.challengePoints
  if (c === undefined) return false
  for (let k = challengesGranted; k < c.length; k++) if (c[k] === i) return true
  return false
}

/** How many of the ACK points [from, to) are refused segments' (`Report.refusedPoints`). */
const refusedIn = (r: Report, from: number, to: number): number => {
  const refused = r.refusedPoints
  if (refused === undefined) return 0
  let n = 0
  for (const i of refused) if (i >= from && i < to) n++
  return n
}

/**
 * The ACK points [from, to) of segments before an inner ACK that has just sent (from `mark` in
 * `out`), sent before those segments, as Linux sent each at its own segment (__tcp_ack_snd_check)
 * before the later segment's tcp_data_snd_check: SEQ as it stood then (`seq`), each point's ACK
 * number, blocks and echo, each spending a quick ACK. Then the order in `out` is made so (a
 * rotation in place, nothing allocated), and the state the sends left is kept: the last ACK sent is
 * theirs, and the ACK they cleared stays cleared. Only in a batch with both directions busy.
 */
const earlierPoints = (
  s: Sender,
  r: Report,
  from: number,
  to: number,
  seq: Seq.SeqNum,
  mark: number,
  now: number,
  out: Array<OutSegment>
): void => {
  const lastSent = s.view.lastAckSent
  const end = out.length
  for (let i = from; i < to; i++) {
    if (deniedChallenge(r, i)) continue
    const sack = r.ackPointSacks[i]!
    // (the segment that made the point had scheduled its ACK: the ACK spends a quick one; a refused
    // segment's, tcp_send_dupack's, schedules none)
    s.ackScheduled = refusedIn(r, i, i + 1) === 0
    emit(s, out, seq, ACK, undefined, optionsWith(s, now, sack.length > 0 ? sack : undefined, r.ackPointTs[i]!), r.ackPoints[i]!)
  }
  s.ackScheduled = false
  s.view.lastAckSent = lastSent
  reverse(out, mark, end - 1)
  reverse(out, end, out.length - 1)
  reverse(out, mark, out.length - 1)
}

const reverse = (out: Array<OutSegment>, from: number, to: number): void => {
  for (let i = from, j = to; i < j; i++, j--) {
    const x = out[i]!
    out[i] = out[j]!
    out[j] = x
  }
}

/**
 * More than one of the peer's segments (`ackMss`) has come since the last ACK we sent (Linux's
 * `rcv_nxt - rcv_wup > rcv_mss`, in __tcp_ack_snd_check and tcp_cleanup_rbuf).
 */
const owedBeyondMss = (s: Sender): boolean =>
  // (before any ACK of ours, after a passive open: the listener's SYN-ACK acknowledged the SYN)
  Seq.sub(s.rcvNxt, s.view.lastAckSent ?? Seq.add(s.irs, 1)) > s.ackMss

/**
 * The quick ACKs that entering quick-ACK mode grants (Linux's tcp_incr_quickack): as many as half
 * the window last announced holds segments of the peer's size as we guess it (`ackMss`) (a sender in slow start is not held a
 * delayed-ACK time while it has room for more; past that, every second segment draws the ACK
 * anyway); two when the window holds less than two segments; at most `most` (Params.quickAcks,
 * Linux's TCP_MAX_QUICKACKS; 0 turns the mode off).
 */
export const quickAckCount = (window: number, mss: number, most: number): number =>
  Math.min(Math.floor(window / (2 * mss)) || 2, most)

/**
 * Quick-ACK mode: at least `quickAckCount` for the window we announced last still to send at once,
 * `most` at most (Linux's max_quickacks).
 */
const enterQuickAck = (s: Sender, most: number = s.params.quickAcks): void => {
  // (Linux's tp->rcv_wnd: the window our last ACK announced)
  s.quickAcks = Math.max(s.quickAcks, quickAckCount(RcvMss.lastWindow(s.view, s.capacity), s.ackMss, most))
}

const sameBlocks = (a: ReadonlyArray<SackBlock>, b: ReadonlyArray<SackBlock>): boolean =>
  a.length === b.length && a.every((x, i) => x.left === b[i]!.left && x.right === b[i]!.right)

/** Send the ACK owed, if no segment carried it. */
const flushAck = (s: Sender, now: number, out: Array<OutSegment>): void => {
  if (!s.ackNow || s.state === "Closed" || s.state === "SynSent") return
  if (s.state === "SynReceived") {
    // the SYN-ACK is the acknowledgment: nothing stays owed for after the handshake
    s.ackNow = false
    return
  }
  emit(s, out, ackSeq(s), ACK, undefined, optionsFor(s, now, true))
}

/**
 * The sequence number a segment without data carries: SND.NXT, or the
 * right edge of the peer's window when SND.NXT lies beyond it (as Linux's
 * tcp_acceptable_seq). A segment that went past a window the peer has since
 * shut (data sent before its ACK came, or a retransmission) leaves SND.NXT
 * out there; a receiver drops a segment whose SEQ is outside its window
 * without reading its ACK (RFC 9293 §3.10.7.4), so ACKs at SND.NXT would
 * never reach it: a Linux peer whose buffer was full then kept resending
 * what we had acknowledged, and both sides stalled.
 */
const ackSeq = (s: Sender): Seq.SeqNum => {
  const edge = Seq.add(s.sndUna, s.sndWnd)
  return Seq.gt(s.sndNxt, edge) ? edge : s.sndNxt
}

/** SYN-SENT: the peer's SYN arrived (RFC 9293 §3.10.7.3, fourth). */
const onSyn = (s: Sender, r: Report, now: number, out: Array<OutSegment>): void => {
  const syn = r.syn!
  const scaled = s.params.windowScaling && syn.windowScale !== undefined
  synchronize(
    s,
    syn.irs,
    syn.window,
    scaled ? Math.min(syn.windowScale!, 14) : 0,
    scaled ? Negotiation.windowShiftFor(s.params.maxReceiveBuffer) : 0,
    syn.mss,
    s.params.timestamps && syn.tsVal !== undefined,
    syn.tsVal ?? 0,
    s.params.sack && syn.sackPermitted
  )
  s.scaling = scaled
  s.ecnOk = s.params.ecn === "on" && syn.acked && syn.ecnSetup
  s.sndWl1 = syn.irs
  if (syn.acked) {
    const sample = synAckRtt(s, r)
    if (sample !== undefined) rttSample(s, sample, now)
    establish(s, now, synSentLost(s, r.syn?.tsEcr))
    s.ackNow = true
  } else {
    // simultaneous open (RFC 9293 §3.5 figure 7): our SYN again, now with the ACK
    s.state = "SynReceived"
    sendSyn(s, now, out)
  }
}

/**
 * The RTT sample a SYN-ACK gives, ms: the timed SYN's, or when the SYN was resent (Karn's rule: no
 * clock sample), its echoed timestamp, which names the copy answered (RFC 7323 §4.1), as Linux's
 * tcp_ack_update_rtt takes the TSecr; believed only within this connect. Without one the RTO is
 * 3 s (RFC 6298 §5.7) and there is no SRTT, so no tail loss probe, until data is timed.
 */
const synAckRtt = (s: Sender, r: Report): number | undefined => {
  if (s.timing !== undefined) return r.at - s.timing.at
  const echo = r.syn?.tsEcr
  if (!s.tsOk || echo === undefined || echo === 0) return undefined
  const sample = (tsOf(s, r.at) - echo) >>> 0
  return sample <= r.at - s.connectAt ? sample : undefined
}

/**
 * Whether the SYN-ACK that answers our connect shows a SYN lost (`handshakeLost`): every
 * retransmission so far was of our SYN, each for the timer (Linux's total_retrans, and the undo
 * marker its timer set); `echo` is the SYN-ACK's TSecr, which says whether our first SYN was
 * answered after all.
 */
const synSentLost = (s: Sender, echo: number | undefined): boolean =>
  handshakeLost({
    retransmitted: counters(s).retransmits,
    byTimer: counters(s).retransmits > 0,
    firstEchoed: s.tsOk && echo !== undefined && echo === tsOf(s, s.connectAt)
  })

/**
 * Our SYN is acknowledged (RFC 9293 §3.10.7.3 fourth, §3.10.7.4 fifth): ESTABLISHED, timers and
 * cwnd fresh, one segment if the handshake lost a SYN (`synLost`).
 */
const establish = (s: Sender, now: number, synLost: boolean): void => {
  s.sndUna = Seq.add(s.iss, 1)
  // the SYN is acknowledged octets, as Linux's tcp_ack counts it here: an ACK of ISS is then an old
  // one (its data taken), where a passive open's, whose SYN-ACK's ACK made the connection, is not
  s.bytesAcked = 1
  s.sndSml = s.sndUna
  s.timing = undefined
  s.rtoAt = undefined
  s.retries = 0
  noHandshakeSample(s)
  s.state = "Established"
  s.cc = s.algorithm.init(fullPayload(s), now, synLost, s.params.hystart)
}

/** One segment's ACK fields (RFC 9293 §3.10.7.4, fifth). */
const onAck = (
  s: Sender,
  a: AckInfo,
  at: number,
  now: number,
  out: Array<OutSegment>,
  inBatch = false,
  more = false,
  later = false
): void => {
  // (this ACK's RTT samples come from its own `Rack.onAck`, never an earlier one's)
  Rack.clearAckRtt()
  undoHeld = false
  if (!eceUndoCarried) eceUndone = false
  dupSendDue = false
  if (s.cwr !== undefined) s.cwr.stepped = false
  if (s.state === "SynReceived") {
    // simultaneous open: the ACK of our SYN-ACK completes it (RFC 9293 §3.10.7.4, fifth); any
    // other drew its RST in the receive half
    if (!Seq.gt(a.ack, s.iss) || Seq.gt(a.ack, s.sndMax)) return
    s.sndWl1 = a.seq
    // at the initial window however many SYNs went, as Linux's is (seen against it): by its code,
    // its tcp_ack, run in SYN-RECV before the spurious-SYN check, clears the SYN's retransmission
    // stamp for this very ACK, then takes the loss for none (tcp_packet_delayed: "nothing was
    // retransmitted") and undoes it
    establish(s, now, false)
  }
  // FlightSize when the peer sent this ACK: what an ECE in it speaks of
  const flightBefore = Seq.sub(s.sndMax, s.sndUna)
  ackEce = a.ece && s.ecnOk
  // the window, from the most recent segment only (SND.WL1, below), or from any that acknowledges new
  // data (as Linux's tcp_may_update_window): a peer's retransmission carries an older SEQ than its
  // newest segment, but its ACK and window are newer, and the window may have shut meanwhile
  // (and never from an ACK below SND.UNA, RFC 9293 §3.10.7.4 "If SND.UNA =< SEG.ACK =< SND.NXT":
  // a reordered old segment with a newer SEQ would bring back a window the peer has since shut;
  // Linux's tcp_ack takes such an ACK as old_ack, without tcp_may_update_window)
  const acksNew = Seq.gt(a.ack, s.sndUna) && Seq.lte(a.ack, s.sndMax)
  const current = Seq.gte(a.ack, s.sndUna) && Seq.lte(a.ack, s.sndMax)
  // the peer is heard acknowledging: whatever a router said before, the path works (Linux's tcp_ack
  // clears sk_err_soft for any ACK neither below SND.UNA, old_ack, nor beyond SND.NXT)
  if (current) s.softError = undefined
  // (a reordered duplicate ACK let past PAWS sets none: Receiver's markReordered says why)
  // From a segment no newer than the last that set it (SEG.SEQ = SND.WL1) and acknowledging nothing
  // new, the window is taken only when it grows or shuts, as Linux's tcp_may_update_window (RFC 9293
  // would take a smaller one too): a peer's ACKs of one moment reordered on the way then cannot
  // shrink it back, and Linux's peers never retract their right edge that way
  const nwin = a.syn === true ? a.window : a.window * Negotiation.windowUnit(s.sndShift)
  // (and such an ACK is no duplicate, whether or not the window it brings differs: Linux's
  // tcp_ack_update_window sets FLAG_WIN_UPDATE, one of FLAG_NOT_DUP, whenever
  // tcp_may_update_window holds; the peer's first pure ACK after data of its own, SEQ past
  // SND.WL1, is one. Taken for a duplicate it counted towards the fast retransmit, and in a
  // recovery without SACK one segment out of the network, where Linux counts none)
  const winUpdate = a.reordered !== true && (acksNew || current && (Seq.lt(s.sndWl1, a.seq) || (s.sndWl1 === a.seq && (nwin > s.sndWnd || nwin === 0))))
  if (winUpdate) {
    s.sndWnd = nwin
    s.sndWl1 = a.seq
    if (s.sndWnd > s.maxSndWnd) s.maxSndWnd = s.sndWnd
    // (the timer and its backoff end only for a window that takes what waits, a segment of it or a
    // bare FIN: Linux's tcp_ack_probe clears them when the head fits, and otherwise re-arms the timer
    // backed off, below, whose expiry sends what fits, tcp_write_wakeup; tcp_snd_wnd_test sends
    // nothing before. Ended at any window, the probe's octet, dropped, made what fits a resend owed,
    // and it went at the update: test/kernel/ConformanceWindow.test.ts, "a window opened below the
    // data waiting")
    if (s.sndWnd > 0 && s.persistAt !== undefined) {
      // a probe's octet the closed window dropped goes again first, not past (a hole of one octet)
      s.sndNxt = s.sndUna
    }
    if (s.sndWnd > 0 && s.persistAt !== undefined &&
      s.sndWnd >= Math.max(1, Math.min(Seq.sub(SendBuffer.end(s.buffer), s.sndUna), segmentPayload(s)))) {
      s.persistAt = undefined
      endProbeBackoff(s)
      s.probesStamp = undefined
      // SND.UNA still SACKed: the peer reneged (Scoreboard.reneged) and its window shut before the
      // short timer could answer it (entering persist stopped it). `push` skips what the board holds,
      // so nothing may go from SND.UNA now and nothing would arm a timer: the connection hung. The
      // short timer runs from here (Linux's retransmission timer runs through a shut window, and its
      // tcp_check_sack_reneging timer would have cleared the board there, tcp_enter_loss)
      if (s.sackOk && Scoreboard.reneged(s.board, s.sndUna)) s.rtoAt = now + renegeDelay(s)
    }
  }
  // An ACK while the persist timer runs with the window still shut, or open below what waits (a
  // probe's answer, or any other):
  // the next probe goes a backed-off interval from now, as Linux's tcp_ack_probe re-arms the probe
  // timer at now + tcp_probe0_when for an ACK that found nothing out and a head that does not fit;
  // timed from the probe's send, a peer answering late was probed again that much sooner
  // (test/tcp/Established.test.ts, "an answered probe re-arms the persist timer from the answer")
  if (s.persistAt !== undefined && current) s.persistAt = now + persistInterval(s, now)
  const sackedBefore = s.board.sacked
  const advances = Seq.gt(a.ack, s.sndUna) && Seq.lte(a.ack, s.sndMax)
  // (Linux's tcp_ack_is_dubious, in the state before this ACK: a duplicate (neither FLAG_DATA nor
  // FLAG_ACKED; a bare window update, FLAG_WIN_UPDATE, is taken for one here, RACK's run as before),
  // an ACK with SACK blocks or an ECE, or any ACK outside Open. Open here is the stricter: a
  // retransmission in the log, which Linux's Disorder holds once a dubious ACK saw it, is out of it)
  if (!(advances || a.len > 0) || (a.sack !== undefined && a.sack.length > 0) || (a.ece && s.ecnOk) || !openState(s)) {
    batchNotDubious = false
  }
  s.ackReneged = false
  // An earlier ACK of this batch left PRR's window to the batch's end (`Prr.owed`, below): its
  // count is taken at the pipe it left, before this ACK's blocks and SND.UNA
  const prrFold = s.sackOk && s.prr !== undefined && inBatch && s.prr.stale && s.ackDelivered > 0
  const pipeBefore = prrFold ? pipe(s) : 0
  if (s.sackOk && a.sack !== undefined) {
    // each block counts for the whole segments inside it only (Rack.segmentEdgeAtOrAfter says why)
    const fin = finEnd(s)
    const una = advances ? a.ack : s.sndUna
    for (const b of a.sack) {
      // a block reversed, past SND.MAX or not above the ACK is ignored whole (Linux's tcp_is_sackblock_valid)
      if (!Scoreboard.blockValid(b.left, b.right, una, s.sndMax)) continue
      const left = Rack.segmentEdgeAtOrAfter(s.rack, b.left)
      let right = Rack.segmentEdgeAtOrBefore(s.rack, b.right)
      // A block that stops at our FIN, inside the segment that carried it with the last data, takes
      // it in: a receiver may report that segment's data alone (FreeBSD's does; Linux's, and ours,
      // cover the FIN). Not when the FIN went alone (a segment of ours ends where the block does:
      // the FIN may be the loss), nor for a block at or below the ACK, which says the FIN is not in
      if (fin !== undefined && Seq.add(b.right, 1) === fin && right !== b.right && Seq.gt(b.right, a.ack)) right = fin
      Scoreboard.add(s.board, left, right, s.sndUna, s.sndMax)
    }
  }
  // octets this ACK SACKed that were neither acknowledged nor SACKed before (the board is pruned later)
  const newlySacked = s.board.sacked - sackedBefore
  let dsack: SackBlock | undefined
  // (this ACK delivered something, so makes a PRR step in a recovery: `rackInBatch`)
  let delivers = false
  if (s.sackOk) {
    const una = advances ? a.ack : s.sndUna
    // An earlier ACK of this batch left PRR's window to the batch's end: what it let out by its own
    // count is owed (`recoveryWindow`), as Linux's tcp_cwnd_reduction counts each ACK and sends
    // before the next. Worked out once from the last ACK's alone, a batch of partial ACKs let out a
    // segment less for each ACK before the last (PRR-SSRB's +1 and DeliveredData floor), and one
    // whose earlier ACKs found pipe above ssthresh took the last's pipe, with nothing sent in
    // between, for PRR-SSRB's, whose room could be none: the proportional sends went missing
    const p = s.prr
    // (a D-SACK first: Linux's tcp_check_dsack runs at the top of tcp_sacktag_write_queue; one it
    // takes for no D-SACK, dubious or beyond what was resent, tcp_dsack_seen, counts for nothing)
    dsack = Rack.dsackOf(a.sack, a.ack)
    if (dsack !== undefined && !dsackSeen(s, dsack)) dsack = undefined
    // RFC 6937 DeliveredData: the change in SND.UNA plus the change in what is SACKed above it, and,
    // as Linux counts it, a D-SACK's segments: tcp_dsack_seen adds them to sack_delivered ("A
    // spurious retransmission is delivered"), tcp_ack to tp->delivered (tcp_count_delivered), and
    // tcp_cong_control hands the ACK's whole delivery to tcp_cwnd_reduction (newly_acked_sacked) or
    // tcp_cong_avoid (acked_sacked). Left out, a D-SACK in a recovery made no PRR step where Linux's
    // may send (test/kernel/ConformanceLoss.test.ts, "a D-SACK in recovery counts as delivered")
    // SND.UNA's move counts to the last segment edge it passed, and the part of the segment it
    // ends inside counts when an ACK passes that segment's end, as Linux's tcp_clean_rtx_queue
    // frees (and tcp_count_delivered counts) only a one-segment skb the ACK covers whole: an ACK
    // inside the resent head delivers nothing, and makes no PRR step unless it SACKs something
    // (test/kernel/ConformanceLoss.test.ts, "with SACK, an ACK inside the resent head")
    const edge = advances ? Rack.segmentEdgeAtOrBefore(s.rack, a.ack) : s.sndUna
    const whole = advances && Seq.gt(edge, s.sndUna)
    const unaDelivered = whole ? Seq.sub(edge, s.sndUna) + s.unaPartial : 0
    if (advances) s.unaPartial = whole ? Seq.sub(a.ack, edge) : s.unaPartial + Seq.sub(a.ack, s.sndUna)
    s.ackWhole = whole
    const dsackDelivered = dsack === undefined ? 0 : dsackSegments(s, dsack) * segmentPayload(s)
    const delivered = Math.max(0, unaDelivered + Scoreboard.sackedAbove(s.board, una) - sackedBefore) + dsackDelivered
    // In recovery an ACK that delivers nothing and moves nothing (a window update, a duplicate with
    // no new SACK nor a D-SACK) makes no PRR step: Linux's tcp_cwnd_reduction returns at newly_acked_sacked 0,
    // and cwnd stays what the last ACK that delivered set (what RACK marks lost meanwhile leaves
    // room under it). Taken for a step, it worked the count out again at a pipe the forced first
    // resend had raised above ssthresh, and the proportional count let a new segment go; and after
    // an earlier ACK of the batch it became the batch's last, so the earlier's +1 went with the
    // count owed though RACK's marks at the batch's end fell on it
    // Nor does an ACK below SND.UNA (a reordered one, with blocks): Linux's tcp_ack takes it at
    // old_ack, where tcp_sacktag_write_queue (its D-SACK seen, tcp_dsack_seen) and
    // tcp_fastretrans_alert run but neither tcp_count_delivered nor tcp_cong_control, so no
    // tcp_cwnd_reduction; taken for a step, its D-SACK's segment let a new one go
    // (test/kernel/ConformanceLoss.test.ts, "a D-SACK in an ACK below SND.UNA in recovery")
    delivers = (delivered > 0 || whole) && !Seq.lt(a.ack, s.sndUna)
    const prrStep = p === undefined || delivers
    if (prrStep) {
      if (prrFold && p !== undefined) p.owed += Math.max(0, prrOwed(s, p, pipeBefore))
      s.ackDelivered = delivered
      s.ackSafe = advances
      if (p !== undefined) {
        p.delivered += delivered
        p.stale = true
      }
    }
    if (dsack !== undefined) {
      dsackReceived(s, dsack, una, delivered, now)
      // RFC 8985 §6.2 step 4: a D-SACK (RFC 2883) says a retransmission was spurious: the reordering
      // window grows at this or the next ACK that delivers (`Rack.onDsack`), unless it reports the
      // probe's copy (Linux's FLAG_DSACK_TLP: one segment or less, ending at tlp_high_seq; the
      // probe is timer-driven, not RACK's doing). Before the ACK's own tags, as tcp_dsack_seen
      // reads reord_seen before tcp_sacktag_write_queue's tcp_check_sack_reordering
      const e = s.tlpEpisode
      Rack.onDsack(s.rack, e !== undefined && dsack.right === e.end && Seq.sub(dsack.right, dsack.left) <= segmentPayload(s))
    }
    // (a D-SACK for a resent segment the peer had SACKed is reordering seen, as Linux's
    // tcp_sacktag_one → tcp_check_sack_reordering, which TCP_CA_Loss skips once nothing is left to
    // undo: RACK's window is min RTT / 4 from then on in recovery and after a timeout, not 0;
    // test/tcp/Recovery.test.ts, "a D-SACK for a resent segment the peer had SACKed")
    const sackReorders = s.recovering || !Seq.lt(s.sndUna, s.recover) || s.undo !== undefined
    if (dsack !== undefined && sackReorders) Rack.onDsackReordering(s.rack, dsack)
    s.ackMaybeDelayed = advances && sackedBefore === 0 && newlySacked === 0 && dsack === undefined && maybeDelayed(s, a)
    // steps 1-3, at the batch's arrival time, with the scoreboard as this ACK left it
    // (the echo less our offset: RACK compares it with its log's send times on the bare clock)
    Rack.onAck(s.rack, una, s.board, at, s.tsOk && a.tsEcr !== undefined ? (a.tsEcr - s.tsOffset) >>> 0 : undefined, tsClock, s.ackMaybeDelayed, batchSends)
    // (in a recovery, PRR's count of what this ACK delivered in packets, as Linux's tcp_cwnd_reduction
    // gets newly_acked_sacked: each segment freed whole or newly SACKed a full one however short,
    // `Rack.deliveredSegments`, known once the log has taken the ACK; the D-SACK's part is in
    // segments already. By octets a SACK of a 100-octet runt counted 100 and PRR-SSRB held the
    // waiting full segment Linux sends; test/tcp/Recovery.test.ts, "PRR counts runts as packets")
    if (prrStep && p !== undefined) {
      const extra = Rack.deliveredSegments() * segmentPayload(s) - (delivered - dsackDelivered)
      if (extra > 0) {
        s.ackDelivered += extra
        p.delivered += extra
      }
    }
    // and how far out of order the peer delivered (Linux's tp->reordering: tcp_sacktag_write_queue
    // and tcp_clean_rtx_queue call tcp_check_sack_reordering), the SACK side not in a timeout's
    // episode with nothing left to undo, as the D-SACK's above
    Rack.checkReordering(s.rack, una, s.board, segmentPayload(s), sackReorders)
    // A duplicate that SACKs data sent once is an RTT sample too (Linux's sack_rtt_us, taken by
    // tcp_clean_rtx_queue at any ACK neither old nor beyond SND.NXT; the echo counts only for an
    // ACK of new data, RFC 7323 §4.1); an ACK of new data takes its own in `newAck`
    if (!advances && a.ack === s.sndUna && Rack.ackRtt.sack >= 0) {
      rttSample(s, Rack.ackRtt.sack, at)
      // and when that sample predates the head's last send (the first segment it newly SACKed went
      // before the head's resend), the ACK re-arms the timer as one of new data would: Linux's
      // tcp_clean_rtx_queue sets FLAG_SET_XMIT_TIMER then ("Do not re-arm RTO if the sack RTT is
      // measured from data sent after when the head was last (re)transmitted"), with the new RTO.
      // Left at the resend's, the timeout of a recovery whose resend was lost came while the SACKs
      // of the window's originals were still coming in (test/tcp/Recovery.test.ts, "a SACK of data
      // sent before the head's resend re-arms the retransmission timer")
      const head = headSentAt(s)
      if (head !== undefined && at - Rack.ackRtt.sack < head) setXmitTimer(s, now)
    }
  } else {
    renoFreed(s, a.ack, advances)
    // (outside a recovery this ACK's DeliveredData is set below, for an ECN cut's step: `cwrStep`)
    if (s.prr === undefined) s.ackDelivered = 0
    // (before the log lets go: the step reads the pipe this ACK found)
    if (s.prr !== undefined) renoPrrStep(s, a, advances, winUpdate, inBatch)
    if (advances) {
      s.ackMaybeDelayed = maybeDelayed(s, a)
      // without SACK the log only lets go of what is acknowledged (its scoreboard is empty)
      Rack.onAck(s.rack, a.ack, s.board, at, undefined, tsClock, s.ackMaybeDelayed, batchSends)
    } else {
      s.ackMaybeDelayed = false
      // (nor did it deliver anything: an earlier ACK's originals are no F-RTO proof at this one)
      s.rack.lastOriginalEnd = undefined
    }
  }
  if (s.tlpEpisode !== undefined) tlpEpisodeAck(s, a, advances, winUpdate, dsack, now)
  endRecoveryPastRecover(s, a, advances, now)
  const renoBefore = s.renoSacked
  onAckLosses(s, a, at, now, out, advances, winUpdate, newlySacked, more, later)
  // (an ACK before the batch's last that SACKs something new where a recovery may start, or in a
  // SACK recovery any that makes a PRR step: `rackInBatch`; never without SACK, whose board stays
  // empty, nor at a batch's last or only ACK, whose end runs RACK and sends as before; nor at a
  // partial ACK whose echo held the recovery, `undoHeld`, which marks and resends nothing)
  // An ACK with ECE runs it too, before its `onEce`: Linux's tcp_fastretrans_alert runs
  // tcp_identify_packet_loss and, for what it marks, tcp_enter_recovery(sk, ece_ack) (prior_ssthresh
  // 0: `enterRecovery` reads `ackEce`) before tcp_try_to_open's tcp_enter_cwr, which a recovery then
  // makes a no-op; where RACK marks nothing here, `onEce` enters its CWR as before. So in Open (left
  // out, the ECE's CWR came first and the batch's end's recovery inside it counted the next ACK's
  // step as a segment delivered: two resends echoing it where Linux resends one echoing the ECE's
  // ACK, test/tcp/Recovery.test.ts, "an ECE ACK inside a batch in Open whose RACK look marks"); after
  // an undo on that ACK (`eceUndone`, rack.advanced set by tcp_try_undo_partial or
  // tcp_try_undo_dsack: left to the batch's end, a later ACK's turn cleared `eceUndone` and the
  // recovery's undo gave back the first cut, "an ECE partial ACK that undoes inside a batch"; and
  // without new SACK blocks, the `eceUndone` term below, "whose undo's re-look marks without new SACK
  // blocks"); in a SACK recovery, where an ECE only marks the record (Linux's Recovery case takes it
  // as any other ACK but for prior_ssthresh 0: "an ECE partial ACK inside a batch in a SACK recovery
  // that undoes nothing"); and in a timeout's episode, where a resend RACK finds lost again
  // (FLAG_LOST_RETRANS) falls through from TCP_CA_Loss to tcp_enter_recovery(sk, ece_ack) on that
  // ACK (left to the batch's end after a later ACK without ECE, its record gave back the timeout's
  // ssthresh at the D-SACK undo: "inside a batch with a duplicate after it, the recovery still starts
  // at the ECE's ACK")
  if (later && (newlySacked > 0 || (s.sackOk && s.recovering) || eceUndone) && !undoHeld) rackInBatch(s, at, now, out, delivers)
  // A partial ACK held by its echo (`undoHeld`) before the batch's last sends its new data at itself
  // under PRR's window for it: Linux's tcp_try_undo_partial returns true with a resend out, so
  // tcp_fastretrans_alert returns before any mark or resend (REXMIT_NONE), but tcp_cong_control's
  // tcp_cwnd_reduction and tcp_data_snd_check still run for it before the next segment, each segment
  // echoing this ACK. Left to the batch's end, that data went with the last ACK's echo
  // (test/tcp/Recovery.test.ts, "the hold inside a batch sends its new data at itself";
  // test/kernel/ConformanceLoss.test.ts, "with SACK, the hold inside a burst")
  // (an ECE on it too: the hold leaves the state Recovery, where an ECE only zeroes prior_ssthresh
  // and enters no CWR (`onEce` marks the record), so tcp_data_snd_check's sends go at it all the
  // same. Kept out as an ECE outside a recovery is, they went at the batch's end echoing the next
  // ACK: test/tcp/Recovery.test.ts, "the hold inside a batch with ECE on the held ACK")
  else if (later && undoHeld && delivers && s.recovering && !s.ackReneged) push(s, now, out)
  // Without SACK, an ACK before the batch's last that made a PRR step in a recovery (a duplicate
  // tcp_add_reno_sack counted, a partial ACK whose head tcp_newreno_mark_lost marked: `renoPrrStep`,
  // `Prr.stale`) sends at itself what PRR's window for it allows, the head first (`renoRecover`), then
  // new data, as Linux's tcp_ack runs tcp_cwnd_reduction, tcp_xmit_recovery and tcp_data_snd_check
  // before the next segment is read, each echoing this ACK. Left to the batch's end, the sends went
  // with the last ACK's echo, and a partial ACK's head that a later ACK of the batch acknowledged went
  // unsent (test/tcp/Recovery.test.ts, "without SACK: a recovery's duplicates and partial ACKs inside a
  // batch"; test/kernel/ConformanceLoss.test.ts, "without SACK, a burst of duplicates in recovery").
  // The batch's end runs `renoRecover` and `push` again, which find PRR's window worked out here
  // (not with an ECE, whose handling comes later in this ACK)
  // (so too the ACK of `recover` itself, the hold, `renoHold`: tcp_try_undo_recovery returns true
  // before any mark, but tcp_cong_control's tcp_cwnd_reduction and tcp_data_snd_check still run for
  // it, its new data echoing it. Left to the batch's end, that data went with the next ACK's echo;
  // test/tcp/Recovery.test.ts, "without SACK, the hold inside a batch sends its new data at itself")
  else if (
    later && !s.sackOk && s.recovering && (s.recoverDue || renoHold(s, a)) && s.prr !== undefined && s.prr.stale &&
    !(a.ece && s.ecnOk)
  ) {
    renoRecover(s, now, out)
    push(s, now, out)
  }
  // (without SACK, a duplicate the count took is a segment delivered: Linux's tcp_add_reno_sack)
  if (!s.sackOk && s.prr === undefined && !advances && s.renoSacked > renoBefore) {
    s.ackDelivered = (s.renoSacked - renoBefore) * segmentPayload(s)
  }
  if (s.pmtuLost && sending(s)) resendMarkedLost(s, now, out)
  // (not on an ACK that reneged: Linux's tcp_fastretrans_alert returns before tcp_process_loss)
  // (before the ECE's cut: F-RTO's proof on an ACK with ECE undoes with nothing given back and then
  // the ECE cuts from the timeout's window, tcp_try_undo_loss then tcp_try_to_open, `spuriousTimeout`)
  if (s.frto !== undefined && sending(s) && !s.ackReneged) {
    const duplicate = !advances && a.ack === s.sndUna && a.len === 0 && !winUpdate
    frtoOnAck(s, advances, duplicate, now, out)
  }
  // (not when a Reno partial ACK's undo took this ECE, `undoPartial`: Linux's tcp_fastretrans_alert
  // returns before tcp_try_to_open, so no CWR on this ACK)
  // (nor at a batch's last or only ACK whose RACK look at the batch's end will start a recovery,
  // `endRackRecovers`: Linux's tcp_fastretrans_alert runs tcp_identify_packet_loss and
  // tcp_enter_recovery(sk, ece_ack) before tcp_try_to_open, so that ACK enters Recovery and never
  // CWR; the end's recovery reads the ECE, `batchEndEce`. Entered first, the CWR counted an ECN
  // reduction Linux never makes and the recovery went on inside it, `cwrKept`:
  // test/tcp/Recovery.test.ts, "an ECE ACK alone or last in its batch in Open whose RACK look marks")
  if (a.ece && s.ecnOk && !eceTakenByUndo && (later || !endRackRecovers(s, now))) onEce(s, flightBefore, now)
  // An ECN cut under way (entered on this ACK or before) takes this ACK's PRR step: Linux's
  // tcp_cong_control runs tcp_cwnd_reduction in CWR, after tcp_fastretrans_alert entered it. Not for
  // an ACK below SND.UNA, nor one that found nothing in flight (a late D-SACK after all was
  // acknowledged): Linux's tcp_ack takes those at old_ack and no_queue, without tcp_cong_control
  if (s.cwr !== undefined && flightBefore > 0 && !Seq.lt(a.ack, s.sndUna)) cwrStep(s, advances)
  // An ACK before the batch's last in an ECN cut sends what the cut's PRR step for it lets go, at
  // it: Linux's tcp_ack runs tcp_cong_control's tcp_cwnd_reduction in CWR, then tcp_data_snd_check,
  // before the next segment is read (`inBatchSends` leaves the cut's ACKs to here). Left to the
  // batch's end, the last ACK's step found the earlier steps' room unsent, the flight lower, and PRR
  // below ssthresh let less go: two ACKs of new data in a cut sent nothing where Linux sends a
  // segment at each; sent before the step (a later SACK), the room came from the last ACK's window
  // (test/tcp/Ecn.test.ts, "in an ECN cut, each ACK inside a batch sends what its PRR step allows")
  if (later && s.cwr !== undefined && !(a.ece && s.ecnOk)) limitedTransmitInBatch(s, now, out)
  // An ACK that only SACKs grows the window once the peer has been seen to reorder by more than
  // three segments (Linux's tcp_may_raise_cwnd: tp->reordering above sysctl_tcp_reordering asks
  // FLAG_FORWARD_PROGRESS, SACKs too, not FLAG_DATA_ACKED), by what it delivered (acked_sacked), as
  // tcp_cong_control runs tcp_cong_avoid after tcp_fastretrans_alert: not once it entered a recovery
  // or an ECN cut (tcp_in_cwnd_reduction), nor for an ACK below SND.UNA (old_ack) or an ECE. An ACK
  // of data takes the same rule in `newAck`. Nor when RACK will find a loss at the batch's end and
  // start a recovery (`rackDetect`; looked at here without marking, as `limitedTransmitInBatch`):
  // Linux's RACK marks within this ACK's tcp_fastretrans_alert, and the recovery is cut from the
  // window before the growth (test/tcp/Recovery.test.ts, "a SACK-only ACK that shows a loss")
  // (an ECE stops it only where it cuts, as in `newAck`: in a timeout's episode Linux's
  // tcp_fastretrans_alert returns from TCP_CA_Loss before tcp_try_to_open's tcp_enter_cwr, and
  // TCP_CA_Loss is no tcp_in_cwnd_reduction, so tcp_cong_avoid runs; test/tcp/Recovery.test.ts,
  // "in a timeout's episode a SACK-only ACK with ECE grows")
  if (!advances && s.sackOk && s.rack.lastSacked && s.rack.degree > Rack.REORDERING && a.ack === s.sndUna &&
    !s.recovering && s.cwr === undefined && !(s.ecnOk && ((a.ece && !Seq.lt(s.sndUna, s.recover)) || ecnHeld(s))) &&
    !(mayRecoverAgain(s) && Rack.wouldMarkLost(s.rack, now, Rack.reorderingWindow(s.rack, s.rtt.srtt, false)))) {
    const sample = Rack.ackRtt.sack >= 0 ? s.rack.lastOriginalRtt : undefined
    s.algorithm.onAck(s.cc, s.ackDelivered, now, Rack.minRtt(s.rack), ackFlight(s, flightBefore), sample, s.sndUna, s.sndMax)
  }
  // A SACK duplicate before the batch's last sends what it lets go here, after that growth: Linux's
  // tcp_ack runs tcp_cong_control (tcp_cong_avoid under tcp_may_raise_cwnd's FLAG_FORWARD_PROGRESS
  // once tp->reordering is above 3) before tcp_data_snd_check, so the growth's segment leaves with
  // the rest, echoing this ACK. Sent from `onAckLosses` before the growth, that segment waited for
  // the batch's next ACK or its end, with a later echo (test/tcp/Recovery.test.ts, "above 3, a
  // SACK-only ACK inside a batch sends its growth at itself")
  if (dupSendDue) {
    dupSendDue = false
    limitedTransmitInBatch(s, now, out)
  }
  eceTakenByUndo = false
  // (back in Open with nothing resent in the log: the next episode's retransmissions start the clock
  // again, as Linux zeroes retrans_stamp there, tcp_fastretrans_alert in Open, tcp_try_to_open)
  if (s.retransStamp !== undefined && openState(s)) s.retransStamp = undefined
  ackEce = false
}

/**
 * RFC 8985 §7.4.2 (TLP_process_ack; Linux's tcp_process_tlp_ack): a probe
 * that resent the last segment may have repaired a loss that no other
 * signal will show, since its ACK looks like any cumulative ACK. The episode
 * closes at the first ACK at or past its end that settles the question: a
 * D-SACK for the probe (the original arrived too), a bare duplicate of it
 * (both arrived), or an ACK beyond it without either: then the probe did
 * repair a loss, and congestion control responds as to a fast recovery. An
 * ACK exactly at the end is ambiguous (the original's ACK comes first, the
 * probe's D-SACK after it) and leaves the episode open.
 */
const tlpEpisodeAck = (
  s: Sender,
  a: AckInfo,
  advances: boolean,
  winUpdate: boolean,
  dsack: SackBlock | undefined,
  now: number
): void => {
  const e = s.tlpEpisode!
  if (Seq.lt(a.ack, e.end)) return
  // (a D-SACK of any of the probe's octets: its block stops short of the end when a FIN came with it)
  if (!e.retrans || dsack !== undefined && Seq.gt(dsack.right, e.start) && Seq.lt(dsack.left, e.end)) {
    s.tlpEpisode = undefined
  } else if (Seq.gt(a.ack, e.end)) {
    s.tlpEpisode = undefined
    count(s).tlpRepairs++
    // one cut per window: not inside a loss episode or an ECN cut, whose cut covers it already
    if (s.recovering || Seq.lt(s.sndUna, s.recover) || ecnHeld(s)) return
    s.undo = undefined
    s.algorithm.onLoss(s.cc, e.flight, now)
    if (s.ecnOk) s.cwrPending = true
  } else if (!advances && (a.sack === undefined || a.sack.length === 0) && a.len === 0 && !winUpdate) {
    // (a duplicate as RFC 5681 §2 has it, the same window too: a window update is news, not the
    // probe's echo; Linux's FLAG_WIN_UPDATE is one of FLAG_NOT_DUP)
    s.tlpEpisode = undefined
  }
}

/**
 * The peer saw congestion on our data (an ECE, RFC 3168 §6.1.2): ssthresh
 * is reduced as for a loss, without retransmitting (CUBIC too, RFC 9438
 * §4.6), and cwnd follows PRR from the window before (`cwrStep`, Linux's
 * CWR state), at most once per window of data; the next new data segment says
 * CWR. Not inside a loss episode, whose cut covers the same window (Linux
 * enters its CWR state only from Open). No undo can give back such a cut.
 */
const onEce = (s: Sender, flight: number, now: number): void => {
  // the congestion is real whatever else this window shows: no undo may give back its cut, the
  // loss episode's either (Linux's tcp_fastretrans_alert: "ECE, hence prohibit cwnd undoing")
  const u = s.undo
  s.undo = undefined
  // (that zeroes prior_ssthresh only: in a Reno recovery the record stays for the echo, whose undo
  // still ends the recovery, giving nothing back: `Prr.cutKept`, `undoAtHold`, `undoPartial`)
  if (u !== undefined && !s.sackOk && s.recovering && s.prr !== undefined) s.prr.cutKept = u
  // (in a SACK recovery it stays as it is, giving nothing back (`Undo.nothingBack`): the echo at the
  // recovery's end, or D-SACKs, still undo it, and Linux's tcp_end_cwnd_reduction, finding
  // undo_marker 0, then leaves PRR's last window (`endRecovery`). Dropped, the recovery ended at
  // ssthresh: four new segments where Linux sends five, test/kernel/ConformanceLoss.test.ts, "an ECE
  // inside a SACK recovery leaves the echo's undo at its end")
  if (u !== undefined && s.sackOk && s.recovering) {
    u.nothingBack = true
    s.undo = u
  }
  if (s.recovering || Seq.lt(s.sndUna, s.recover) || !sending(s) || ecnHeld(s)) return
  // FlightSize from before this ACK (`flight`): the CE was on data of that flight, and an ECE on
  // the ACK of all of it (a receiver's quick ACK of a marked last segment) would otherwise find
  // none left and cut to 2 SMSS (Linux takes its ssthresh from cwnd there)
  // (the cut's window is PRR's from here, as Linux's tcp_enter_cwr: tcp_init_cwnd_reduction sets
  // ssthresh and leaves cwnd to tcp_cwnd_reduction at each ACK, from prior_cwnd, `cwrStep`; cut to
  // ssthresh at once, nothing went until the flight fell below it where Linux sends one segment in
  // about ssthresh / prior_cwnd of what is delivered: test/kernel/ConformanceLoss.test.ts, "the cut
  // for an ECE is spread over the next ACKs by PRR")
  const priorCwnd = s.cc.cwnd
  s.algorithm.onLoss(s.cc, flight, now)
  s.cc.cwnd = priorCwnd
  s.cwr = { priorCwnd, delivered: 0, out: 0, stepped: false }
  s.ecnRecover = s.sndMax
  s.cwrPending = true
  count(s).ecnReductions++
}

/**
 * One ACK's step of an ECN cut (Linux's tcp_cwnd_reduction in CWR, RFC 6937): none for an ACK
 * that delivers nothing; while what is in flight is above ssthresh, sends follow what was
 * delivered, scaled by ssthresh over the window before the cut (rounded up in whole segments, as
 * Linux counts packets); below it, they grow back to ssthresh no faster than slow start (PRR-SSRB:
 * at most what was delivered, plus a segment on an ACK that moved SND.UNA). At least one segment
 * before any went (`sndcnt = max(sndcnt, prr_out ? 0 : 1)`). cwnd = in flight + that count, in
 * flight as Linux's tcp_packets_in_flight: what is out less what the peer SACKed (without SACK,
 * the duplicates counted). The cut ends in `newAck` (`endCwr`).
 */
const cwrStep = (s: Sender, advances: boolean): void => {
  const c = s.cwr!
  const delivered = s.ackDelivered
  if (delivered <= 0) return
  c.delivered += delivered
  c.stepped = true
  const full = segmentPayload(s)
  const sacked = s.sackOk ? (s.sndNxt === s.sndMax ? s.board.sacked : 0) : Math.min(s.renoSacked * full, inFlight(s))
  const flight = Math.max(0, inFlight(s) - sacked)
  const ssthresh = s.cc.ssthresh
  const sndcnt = flight > ssthresh
    ? Math.ceil((c.delivered * ssthresh) / Math.max(1, c.priorCwnd) / full) * full - c.out
    : Math.min(ssthresh - flight, Math.max(c.delivered - c.out, delivered) + (advances ? full : 0))
  s.cc.cwnd = Math.max(full, flight + Math.max(sndcnt, c.out > 0 ? 0 : full))
}

/**
 * An ECN cut ends once SND.UNA is past SND.MAX at the cut (the segment that said CWR went after
 * it): cwnd = ssthresh, as Linux's tcp_fastretrans_alert leaves CWR (tcp_end_cwnd_reduction) before
 * tcp_cong_control, so the same ACK then grows the window as any other.
 */
const endCwr = (s: Sender, now: number): void => {
  s.cwr = undefined
  s.algorithm.onRecoveryEnd(s.cc, inFlight(s), now)
}

/**
 * A cut for an ECE is held: until data above SND.MAX at the cut is
 * acknowledged (the segment that said CWR went after it; Linux's CWR state
 * ends on "something above high_seq"). Meanwhile no other ECE cuts, a loss
 * in the same window does not cut again, and ACKs do not grow the window.
 */
const ecnHeld = (s: Sender): boolean => s.ecnRecover !== undefined && Seq.lte(s.sndUna, s.ecnRecover)

/**
 * Linux's Open state, as far as the stack can tell it: no fast recovery, no timeout's (SND.UNA at
 * `recover`, no F-RTO), nothing SACKed (Disorder), no ECN cut held (CWR), and nothing in the log
 * sent more than once (tcp_any_retrans_done's Disorder; stricter than Linux, which enters it only at
 * a dubious ACK)
 */
const openState = (s: Sender): boolean =>
  !s.recovering && !Seq.lt(s.sndUna, s.recover) && s.frto === undefined && s.board.ranges.length === 0 &&
  !ecnHeld(s) && s.rack.retransmitted === 0

/**
 * F-RTO, steps 2 and 3 of RFC 5682 §3.1 (the SACK-enhanced algorithm) as
 * Linux's tcp_process_loss runs them, for each ACK after a timeout:
 * - data sent before the timeout and never sent again was delivered (acknowledged
 *   or SACKed): not all of the flight was lost, so the timeout was spurious
 *   (step 3.b; Linux decides so at any ACK of the episode, step 2's too);
 * - everything sent before the timeout acknowledged: F-RTO is over (step 2.a);
 * - after new data went (step 2.b), a SACK or a duplicate ACK: the loss was
 *   real (step 3.a), and the go-back-N of an ordinary timeout resumes (any
 *   other ACK: still undecided; what RACK finds lost goes as cwnd allows);
 * - the ACK of the retransmission (SND.UNA moves, not to the end): new data
 *   goes instead of the next old segment (step 2.b); with none to send, the
 *   ordinary go-back-N.
 */
const frtoOnAck = (s: Sender, advances: boolean, duplicate: boolean, now: number, out: Array<OutSegment>): void => {
  const high = s.frto!
  if (frtoProves(s)) {
    spuriousTimeout(s, true)
    return
  }
  if (!Seq.lt(s.sndUna, high)) {
    s.frto = undefined
    return
  }
  if (s.frtoNewSent) {
    if (s.rack.lastSacked || duplicate) frtoGiveUp(s)
    return
  }
  if (!advances) return
  // Step 2.b at an ACK inside the resent head, which frees no whole segment: Linux's tcp_process_loss
  // asks for new data all the same (FLAG_SND_UNA_ADVANCED, REXMIT_NEW), but tcp_cong_control grows
  // nothing without FLAG_DATA_ACKED, so at cwnd 1 with the head's rest in flight
  // tcp_xmit_recovery's __tcp_push_pending_frames sends nothing, and F-RTO ends (tp->frto = 0): the
  // go-back-N goes on. Sent anyway, two new segments went at that ACK where Linux's resent the next
  // two old ones at the ACK of the head's rest (test/kernel/ConformanceLoss.test.ts, "F-RTO's first
  // ACK inside the resent head")
  if (!s.ackWhole) {
    frtoGiveUp(s)
    return
  }
  if (!frtoSendNew(s, now, out)) frtoGiveUp(s)
}

/**
 * F-RTO's step 3.b on the ACK being taken: it delivered data sent before the timeout and never sent
 * again (`frtoOnAck`). Without SACK not when it also acknowledges a segment sent twice: Linux's
 * tcp_clean_rtx_queue drops FLAG_ORIG_SACK_ACKED for a Reno connection then ("non-SACK case cannot
 * confirm that progress was due to original transmission"), and RACK's sequence RTT sample is none
 * for such an ACK.
 */
const frtoProves = (s: Sender): boolean => {
  const original = s.rack.lastOriginalEnd
  return s.frto !== undefined && original !== undefined && Seq.lte(original, s.frto) && (s.sackOk || Rack.ackRtt.seq >= 0)
}

/** F-RTO ends without proof: the ordinary recovery after a timeout, from SND.UNA (what the scoreboard holds is skipped). */
const frtoGiveUp = (s: Sender): void => {
  s.frto = undefined
  if (s.frtoNewSent) s.sndNxt = s.sndUna
}

/**
 * F-RTO step 2.b: up to two segments of data never sent, past SND.MAX,
 * within the peer's window (the congestion window after a timeout counts
 * the whole old flight; RFC 5682 sends them anyway, and Nagle stands aside).
 * False when there is nothing new to send.
 */
const frtoSendNew = (s: Sender, now: number, out: Array<OutSegment>): boolean => {
  const bufEnd = SendBuffer.end(s.buffer)
  const edge = Seq.add(s.sndUna, s.sndWnd)
  const full = segmentPayload(s)
  let sent = 0
  for (let seq = s.sndMax; sent < 2; sent++) {
    const len = Math.min(Seq.sub(bufEnd, seq), Seq.sub(edge, seq), full)
    if (len <= 0) {
      // a bare FIN never sent (the congestion window held it, `push`) is new data too: Linux's
      // tcp_process_loss asks for REXMIT_NEW while the write queue is not empty (write_seq, past
      // the FIN, beyond snd_nxt) and the window reaches past snd_nxt, and tcp_xmit_recovery's
      // __tcp_push_pending_frames sends the FIN's skb (the rest is marked lost, nothing in
      // flight). Given up, the go-back resent the next two old segments where Linux sends the FIN
      // (test/tcp/Close.test.ts, "F-RTO: at the ACK of the timeout's resent head")
      if (s.finQueued && seq === bufEnd && Seq.gt(edge, seq)) {
        sendData(s, out, seq, 0, true, now)
        sent++
      }
      break
    }
    const fin = s.finQueued && Seq.add(seq, len) === bufEnd
    sendData(s, out, seq, len, fin, now)
    seq = s.sndMax
  }
  if (sent > 0) s.frtoNewSent = true
  return sent > 0
}

/**
 * The congestion state `u` saved goes back (`Congestion.undo`, Linux's tcp_undo_cwnd_reduction), and
 * the CWR a cut queued is withdrawn only if the undo raised ssthresh: tcp_ecn_withdraw_cwr runs
 * under `prior_ssthresh > snd_ssthresh` alone. A record that gives no ssthresh back (a recovery
 * entered during an ECN cut, saved at the cut's; a timeout after a recovery reached its point,
 * saved at the recovery's) leaves the cut the peer was told of, or is about to be: withdrawn, the
 * peer never heard CWR and went on saying ECE (test/tcp/Ecn.test.ts, "an undo that gives no ssthresh
 * back withdraws no CWR").
 */
const undoCut = (s: Sender, u: Undo): void => {
  // (a record that gives nothing back, `Undo.nothingBack`, whoever undoes it: a timeout that cut a
  // recovery short keeps the recovery's record, and F-RTO's or the echo's proof of it
  // (`spuriousTimeout`) then runs Linux's tcp_undo_cwnd_reduction under the same prior_ssthresh 0)
  if (u.nothingBack === true) return
  const raised = u.cc.ssthresh > s.cc.ssthresh
  Congestion.undo(s.cc, u.cc)
  if (raised) s.cwrPending = false
}

/**
 * The timeout was spurious (F-RTO's step 3.b, RFC 5682, or the timestamp
 * echo, RFC 3522): the congestion state goes back to what it was before it
 * (RFC 4015's response, as Linux's tcp_try_undo_loss), the old flight is in
 * the network after all (nothing of it goes again by go-back-N; what RACK
 * finds lost by its own rule still does), and later losses may start a fast
 * recovery again. `frto`: F-RTO's proof (tcp_try_undo_loss(sk, true)), not
 * the echo's (tcp_may_undo), which differ without SACK (the state after it).
 */
const spuriousTimeout = (s: Sender, frto: boolean): void => {
  s.frto = undefined
  count(s).spuriousTimeouts++
  const u = s.undo
  if (u !== undefined) {
    s.undo = undefined
    // An ECE on the ACK that proves it: Linux's prior_ssthresh is 0 first, so tcp_try_undo_loss's
    // tcp_undo_cwnd_reduction gives nothing back. With SACK (or F-RTO's proof) it sets Open and the
    // fall-through's tcp_try_to_open enters CWR for the ECE, cut from the timeout's window (`onEce`,
    // after this). Without SACK the echo's undo leaves CA_Loss as it is, and the function returns
    // before tcp_try_to_open: no cut for the ECE (`eceTakenByUndo`). Given back, then cut for the
    // ECE, the window was the old one's cut where Linux's is the timeout's (test/tcp/Ecn.test.ts,
    // "an ECE on the ACK that shows a timeout spurious")
    // F-RTO's undo without SACK (`frto`) sets Open too (`frto_undo || tcp_is_sack`), and so cuts for
    // the ECE, except at the old flight's end itself, where tcp_is_non_sack_preventing_reopen keeps
    // CA_Loss (below). Taken as the echo's, the ECE cut nothing and the ACK grew the window by slow
    // start where Linux's PRR sends from the timeout's (test/kernel/ConformanceLoss.test.ts, "F-RTO's
    // proof on an ACK with ECE ... enters CWR")
    if (!ackEce) undoCut(s, u)
  }
  // (and so with no record at all, F-RTO's undo asking none: a timeout during an ECN cut takes none,
  // `onRto`, yet tcp_try_undo_loss(sk, true) at the old flight's end holds CA_Loss all the same.
  // Inside the record's test only, the ECE cut again there where Linux enters no CWR:
  // test/tcp/Ecn.test.ts, "F-RTO's proof at the old flight's end of a timeout during an ECN cut")
  if (ackEce && !s.sackOk && (!frto || s.sndUna === s.recover)) eceTakenByUndo = true
  if (Seq.lt(s.sndNxt, s.sndMax)) s.sndNxt = s.sndMax
  // Without SACK, not at the timeout's `recover` itself (the ACK of exactly the old flight): Linux's
  // tcp_try_undo_loss undoes, but tcp_is_non_sack_preventing_reopen holds TCP_CA_Loss until data
  // above high_seq is acknowledged, and a duplicate there counts nothing (tcp_process_loss returns at
  // `recovered` before tcp_add_reno_sack): no limited transmit, no fast retransmit. `recover` left
  // at SND.UNA does that here (`mayRecoverAgain`, `limited`), and the next ACK of data past it moves
  // it on (`newAck`). Reopened, the duplicates each sent a new segment and the third resent SND.UNA
  // (test/kernel/ConformanceLoss.test.ts, "F-RTO's proof at the old flight's end")
  if (s.sackOk || s.sndUna !== s.recover) s.recover = Seq.add(s.sndUna, -1)
  // (and nothing of it is lost by the timeout's marks any more, Linux's tcp_undo_cwnd_reduction,
  // which also has RACK look again at its next run, rack.advanced)
  if (s.sackOk) {
    Rack.unmarkLost(s.rack)
    Rack.forceAdvanced(s.rack)
  }
}

/**
 * With SACK, what this ACK delivered (`ackDelivered`, RFC 6937's DeliveredData) with each segment it
 * freed whole or newly SACKed counted a full segment however short (`Rack.deliveredSegments`, read in
 * the pass of this ACK's `Rack.onAck`): Linux's tcp_cong_avoid grows by acked_sacked in packets
 * (tcp_clean_rtx_queue's pkts_acked, tcp_sacktag_write_queue's newly SACKed skbs); the octets as
 * they were for full-sized segments, and for an entry longer than a segment (a FIN on a full one, a
 * segment sent before a smaller MSS).
 */
const packetsDelivered = (s: Sender): number => Math.max(s.ackDelivered, Rack.deliveredSegments() * segmentPayload(s))

/** What an ACK says about the data in flight: new data acknowledged, a duplicate, or losses shown by SACK. */
const onAckLosses = (
  s: Sender,
  a: AckInfo,
  at: number,
  now: number,
  out: Array<OutSegment>,
  advances: boolean,
  winUpdate: boolean,
  newlySacked: number,
  more: boolean,
  later: boolean
): void => {
  if (advances) {
    newAck(s, a, at, now)
    // (without SACK, a count left at tp->reordering by a partial ACK's undo, `undoPartial`: Linux's
    // tcp_newreno_mark_lost marks the head lost in Disorder and tcp_time_to_recover starts a new
    // recovery on that ACK. Outside that undo an ACK of data leaves no count outside a recovery)
    if (!s.sackOk && !s.recovering && s.renoSacked >= s.renoReordering && mayRecoverAgain(s) && Seq.gt(s.sndMax, s.sndUna)) {
      enterRecovery(s, now, out)
    }
    if (inBatchSends(s, a, more, later)) limitedTransmitInBatch(s, now, out)
  } else if (
    s.persistAt === undefined && Seq.gt(s.sndMax, s.sndUna) &&
    // RFC 6675 §2: with SACK, a duplicate is an ACK that SACKs octets not SACKed before (a D-SACK
    // for a copy the peer already had, or blocks that report nothing new, show no loss; Linux counts
    // SACKed segments too); without, RFC 5681 §2's: same ACK, no data, no window update (`winUpdate`)
    (s.sackOk ? newlySacked > 0 : a.ack === s.sndUna && a.len === 0 && !winUpdate)
  ) {
    duplicateAck(s, now, out)
    // Without SACK, limited transmit's segment goes at its own duplicate (RFC 3042), as Linux sends
    // after each ACK (tcp_ack, then tcp_data_snd_check): a batch's first two duplicates each let one
    // go before its third starts the recovery, whose PRR window at the batch's end let the resend
    // go alone (test/tcp/Recovery.test.ts, "three duplicates in one batch"). Not for an ECE, whose
    // cut comes later in this ACK (`onEce`); with SACK see `limitedTransmitInBatch`. Nor in an ECN
    // cut, whose window for this duplicate is its PRR step at the end of the ACK (`cwrStep`, Linux's
    // tcp_cong_control in CWR, before tcp_data_snd_check): sent first, from the window the last ACK
    // left, a segment went at a duplicate where Linux's PRR sends none (test/tcp/Ecn.test.ts,
    // "without SACK, a duplicate during an ECN cut sends what the cut's PRR step allows")
    if (!s.sackOk && !s.recovering && !(s.ecnOk && a.ece) && s.cwr === undefined) push(s, now, out)
    // (with SACK outside an ECN cut and F-RTO, after the growth a SACK-only ACK may make at the end
    // of `onAck`: `dupSendDue`)
    else if (inBatchSends(s, a, more, later)) {
      if (s.sackOk && s.cwr === undefined && s.frto === undefined) dupSendDue = true
      else limitedTransmitInBatch(s, now, out)
    }
  } else if (
    s.sackOk && !s.recovering && mayRecoverAgain(s) && s.persistAt === undefined && sackShowsLoss(s)
  ) {
    enterRecovery(s, now, out)
  } else if (winUpdate && (inBatchSends(s, a, more, later) || (!s.sackOk && later && !(s.ecnOk && a.ece)))) {
    // A window update before a later ACK of the batch that may start a recovery or a cut sends what
    // the window it opens lets go, as Linux's tcp_ack for it runs tcp_data_snd_check before the next
    // ACK is taken; left to the batch's end, the recovery's window held that new data back
    // (test/tcp/Recovery.test.ts, "a window update, then a SACK that starts a recovery"). Without
    // SACK any later ACK of the batch may be the duplicate that starts it (`more` is SACK's only:
    // "a window update, then the third duplicate"; review53b)
    limitedTransmitInBatch(s, now, out)
  }
}

/**
 * An ACK before the batch's last sends what it lets go at itself (`limitedTransmitInBatch`), outside
 * an ECN cut (in one, `onAck` sends after the cut's PRR step, `cwrStep`).
 * Linux's tcp_rcv_established takes each segment by itself, tcp_ack (tcp_cong_control's growth in
 * Open, or the recovery's end, tcp_end_cwnd_reduction) then tcp_data_snd_check, so what an ACK of a
 * burst lets go leaves echoing that ACK's timestamp, and at the cwnd of that moment. Left to the
 * batch's end, a batch of ACKs in Open (a bulk transfer's usual case) sent all of it with the last
 * ACK's echo (test/tcp/Recovery.test.ts, "in Open, each ACK of new data inside a batch", "an ACK
 * inside a batch that ends a recovery"; test/kernel/ConformanceCwnd.test.ts, "a burst of ACKs in
 * slow start"). The segments still go in the batch's one write (`out`); only the moment of the
 * decision moves. Not with an ECE on this ACK, whose cut comes later in it (`onEce`).
 */
const inBatchSends = (s: Sender, a: AckInfo, more: boolean, later: boolean): boolean =>
  !(s.ecnOk && a.ece) && (more || later) && s.cwr === undefined

/**
 * With SACK, a duplicate or an ACK of new data before the batch's last ACK with SACK blocks or an
 * ECE (`more`: a later ACK that may start a recovery or a cut, whose window would hold back what
 * this one lets go) sends what it lets go when RACK would mark nothing at it. So an ACK of new data
 * followed in the batch by a SACK that starts a recovery sends the segments its room and slow
 * start's growth allow, then the recovery resends (Linux: tcp_ack, tcp_data_snd_check, then the
 * next ACK; test/tcp/Recovery.test.ts, "an ACK of new data, then a SACK that starts a recovery, in
 * one batch"). Linux takes each ACK by itself (tcp_ack: tcp_fastretrans_alert's
 * tcp_rack_mark_lost, then tcp_data_snd_check), so a SACK that leaves the hole below it within
 * RACK's reordering window (min RTT / 4 while sacked_out is under tp->reordering, tcp_rack_reo_wnd)
 * lets a new segment go in Disorder (RFC 3042; in_flight = packets_out - sacked_out) before the
 * batch's third SACK marks the hole lost and PRR's window holds the resend alone. Left to the
 * batch's end, that window sent the resend and nothing of the two (test/tcp/Recovery.test.ts and
 * test/kernel/ConformanceLoss.test.ts, "three duplicates in one batch"/"in one burst").
 * RACK only looks here (`Rack.detectLoss` without marking, its ADVANCED bit left for the batch's
 * end, `rackDetect`): where it would mark something the ACK sends nothing and the batch's end
 * decides, so a segment an earlier ACK of the batch shows above a hole that a later one fills is
 * still no loss (the Clock's tick, "a batch's ACKs are all taken before RACK marks losses").
 * Only outside a recovery and a timeout's episode (whose sends are RACK's and PRR's, at the batch's
 * end) and with new data (or our FIN) to send within the peer's window: elsewhere nothing differs on the wire,
 * and the batch keeps its one run of RACK.
 */
const limitedTransmitInBatch = (s: Sender, now: number, out: Array<OutSegment>): void => {
  if (s.recovering || !mayRecoverAgain(s) || s.persistAt !== undefined || s.ackReneged || s.frto !== undefined) return
  // (or our FIN, unsent behind data that filled the peer's window, once one sequence number fits:
  // Linux's tcp_write_xmit sends the FIN's skb at this ACK, tcp_snd_wnd_test (`push` decides the
  // rest as for data). Asked for data alone, the FIN waited for the batch's end and the last ACK's echo;
  // test/tcp/Recovery.test.ts, "a FIN the window held goes at the ACK inside a batch")
  const bufEnd = SendBuffer.end(s.buffer)
  const edge = Seq.add(s.sndUna, s.sndWnd)
  if (!Seq.lt(s.sndMax, Seq.min(bufEnd, edge)) && !(s.finQueued && s.sndMax === bufEnd && Seq.gt(edge, bufEnd))) return
  if (Rack.wouldMarkLost(s.rack, now, Rack.reorderingWindow(s.rack, s.rtt.srtt, false))) return
  push(s, now, out)
}

/**
 * RACK's marks at an ACK before the batch's last (RFC 8985 §6.2 step 5), where the losses it finds
 * do not hang on the order of sends within one tick of the Clock. Linux takes each ACK by itself:
 * tcp_ack's tcp_fastretrans_alert runs tcp_identify_packet_loss → tcp_rack_mark_lost, then
 * tcp_time_to_recover → tcp_enter_recovery, and tcp_xmit_recovery resends before the next ACK is
 * read. So a SACK above a hole sent well before the SACKed segment, then the ACK that fills the hole,
 * make Linux resend the hole and cut at the first; left to the batch's end, RACK found it
 * acknowledged and the stack neither resent nor cut (test/tcp/Recovery.test.ts, "a SACK above a hole
 * sent a tick and more before it"; test/kernel/ConformanceCwnd.test.ts, "a burst of a SACK above a
 * hole and the ACK that fills it").
 * Marked here only what was sent more than the reordering window and a whole tick before the most
 * recently delivered segment: the ACKs of a batch share one tick, and on a path shorter than it the
 * window reads 0, so a segment sent in the same tick as the SACKed one (reordered within the batch,
 * its ACK next) would look lost where Linux's microsecond clock sees it sent just before and waits
 * min RTT / 4 (stop 30: per-ACK marking resent a third more in the fault soak; "a batch's ACKs are
 * all taken before RACK marks losses"). A tick more than the window: the two sends were more than
 * the window apart, whatever their times within their ticks. What this pass finds the batch's end
 * would find too unless a later ACK hides it; the batch's end still runs RACK with the whole window
 * (its ADVANCED bit set again), its sends and timers as before.
 * In a recovery the same, without the tick while RACK's window is 0 (no reordering seen: Linux's
 * is 0 there too, and send order decides), at every ACK that makes a PRR step: what it marks, and
 * what earlier marks left unsent, goes at this ACK as far as PRR's window for it allows, then new
 * data (`sackRecover`, `push`, which take the batch's earlier ACKs' counts, `Prr.owed`, and leave
 * the next ACK to count afresh, as a batch ending here would), unless RACK's plain window would
 * mark more here (`pending`: the batch's end decides, its resends first), where Linux's tcp_xmit_recovery and tcp_data_snd_check send it; left to the batch's end,
 * a hole a later ACK SACKed went unsent and a resend RACK found lost again waited
 * (test/tcp/Recovery.test.ts, "in recovery, a SACK of data sent a tick and more after a hole"; "...
 * that lets PRR resend a segment marked lost before"). Else only where a recovery may
 * start: not in a timeout's episode (its go-back's; but at an ACK whose look finds a resend lost
 * again, `lossRetrans` below), F-RTO's, a shut window or after an ACK that reneged, which keep their
 * batch-end decision.
 */
const rackInBatch = (s: Sender, at: number, now: number, out: Array<OutSegment>, delivers: boolean): void => {
  // (in a timeout's episode only at an ACK whose look finds a resend lost again, below)
  const lossRetrans = s.sackOk && !s.recovering && !mayRecoverAgain(s)
  if (!(s.recovering || mayRecoverAgain(s) || lossRetrans) || s.persistAt !== undefined || s.ackReneged || s.frto !== undefined) return
  // (not in a recovery whose window is 0, no reordering seen: Linux's tcp_rack_reo_wnd returns 0 in
  // Recovery whatever its min RTT, so what went before the SACKed segment is lost by send order
  // alone, tcp_rack_sent_after, which the log keeps within a tick too (`Rack.detectLoss`); the
  // tick's grace stands for a µs window that the Clock reads 0, and there is none. With it, holes
  // sent in the SACKed segment's tick waited for the batch's end, resent with its last ACK's echo:
  // test/kernel/ConformanceLoss.test.ts, "in recovery, a burst whose first ACK SACKs above holes
  // sent with the SACKed data")
  const plainWnd = Rack.reorderingWindow(s.rack, s.rtt.srtt, s.recovering || lossRetrans)
  const reoWnd = plainWnd + ((s.recovering || lossRetrans) && plainWnd === 0 ? 0 : CLOCK_TICK)
  // At an ACK in a timeout's episode: a resend RACK finds lost again starts the recovery here, as
  // Linux's TCP_CA_Loss branch falls through to tcp_enter_recovery(sk, ece_ack) for
  // FLAG_LOST_RETRANS (with ECE prior_ssthresh 0: `enterRecovery` reads `ackEce`), its resends
  // echoing this ACK (ece62 for an ECE ACK, whose undo gave back at the end; review62b for any:
  // left to the batch's end, the resend echoed the last ACK, test/tcp/Recovery.test.ts, "without the
  // ECE, inside a batch: the recovery still starts at the ACK that finds the resend lost again").
  // Otherwise Linux stays in Loss, and the go-back's sends stay the batch's end's (`rackDetect`,
  // `resendLostAfterTimeout`): nothing is marked here then, whose count the end's look would miss.
  // (The window is 0 there with no reordering seen, tcp_rack_reo_wnd's TCP_CA_Loss, as in a recovery)
  if (lossRetrans && !Rack.wouldMarkRetransLost(s.rack, at, reoWnd)) return
  // (judged at the batch's arrival, where this ACK's RACK.rtt was taken (`Rack.onAck`): an entry is
  // then lost by the gap between its send and the delivered one's alone, as Linux's per-ACK
  // tcp_rack_detect_loss takes rack.rtt_us and the skb's age from the one tcp_mstamp. At the send
  // half's `now`, a batch taken a tick or more after it came read the lag as part of that gap and
  // the tick guard was gone: test/tcp/Recovery.test.ts, "a batch's ACKs taken a tick after they
  // came". What time alone makes lost since is the batch's end's, at `now`)
  const marked = Rack.detectLoss(s.rack, at, reoWnd).lost > 0
  if (marked) {
    s.ackSafe = false
    Rack.forceAdvanced(s.rack)
  }
  // What RACK's plain window would mark at this ACK beyond the ticked marks (a hole sent in the
  // SACKed segment's own tick, or within a tick of the window): Linux's tcp_rack_mark_lost marks it
  // here (its µs clock sees it sent before), and tcp_xmit_retransmit_queue resends it before
  // tcp_data_snd_check's new data. Left unmarked for a later ACK of the batch that may report it, it
  // is out of RFC 6675's pipe already (a hole below the highest SACK), so PRR's window for this ACK
  // went to new data and the hole waited: new data goes at this ACK only when nothing is left for
  // the batch's end to mark; else the batch's end decides, its resends first (test/tcp/Recovery.test.ts,
  // "in recovery, a SACK inside a batch above holes sent in its own tick")
  const pending = Rack.wouldMarkLost(s.rack, at, plainWnd)
  if (s.recovering) {
    // In a recovery every ACK that delivers sends what PRR's window for it allows, at it: Linux's
    // tcp_ack runs tcp_cong_control's tcp_cwnd_reduction, tcp_xmit_recovery (the LOST skbs,
    // tcp_xmit_retransmit_queue: this ACK's marks and an earlier ACK's left unsent alike) and then
    // tcp_data_snd_check's new data before the next ACK is read, each echoing this ACK's
    // timestamp. Sent at the batch's end only unless RACK newly marked something here, a segment an
    // earlier batch marked lost waited, and a later ACK of the batch that acknowledged it (its
    // original late) left it unsent where Linux resent it; new data went with the last ACK's echo
    // (test/tcp/Recovery.test.ts and test/kernel/ConformanceLoss.test.ts, "in recovery, a SACK
    // inside a batch that lets PRR resend a segment marked lost before" / "a burst whose first ACK
    // lets PRR resend"). So too at an ACK whose RFC 6675 IsLost started the recovery here
    // (`onAckLosses`): its new data went at the batch's end ("a recovery entered at an ACK inside a
    // batch sends the new data"). (Not for an ACK that delivered nothing: Linux's tcp_cwnd_reduction
    // leaves cwnd as it was at newly_acked_sacked 0; nor the hole loop past RACK's marks, `innerMarks`)
    if (!marked && (!delivers || pending)) return
    innerMarks = true
    if (sending(s)) {
      sackRecover(s, now, out)
      if (!pending) push(s, now, out)
    }
    innerMarks = false
    return
  }
  if (!marked) {
    // (an ECE undo's marks the tick held over: the batch's end enters for them, `eceUndoCarried`)
    if (eceUndone && pending) eceUndoCarried = true
    return
  }
  innerMarks = true
  enterRecovery(s, now, out)
  // (and the new data the entry's PRR window leaves room for, at this ACK: Linux's
  // tcp_data_snd_check after tcp_xmit_recovery, echoing this ACK's timestamp, as above)
  // (not while the plain window would mark more: `pending`)
  if (s.recovering && sending(s) && !pending) push(s, now, out)
  innerMarks = false
}

/**
 * Whether the batch's end will start a recovery for its last ACK (`rackDetect` → `rackRecover` →
 * `enterRecovery`), looked at with the same clock and window, marking nothing: asked only at a last
 * ACK with ECE where `onEce` would enter a CWR (Open, SACK, no cut held), so once a window at most.
 */
const endRackRecovers = (s: Sender, now: number): boolean =>
  s.sackOk && !s.recovering && mayRecoverAgain(s) && !ecnHeld(s) && s.persistAt === undefined && !s.ackReneged &&
  !undoHeld && sending(s) && Rack.advancedPending(s.rack) &&
  Rack.wouldMarkLost(s.rack, now, Rack.reorderingWindow(s.rack, s.rtt.srtt, false))

/** The Clock's resolution, ms (its `unsafeCurrentTimeMillis`): two times in one tick may be a tick apart. */
const CLOCK_TICK = 1

/**
 * A new fast recovery may start: the window an earlier one (or a timeout)
 * recovered from is acknowledged. With SACK, RFC 6675 §5.1: once HighACK
 * reaches RecoveryPoint (SND.UNA ≥ recover), as Linux returns to its Open
 * state when SND.UNA reaches high_seq. Without, RFC 6582 §3.2 step 2: only
 * an ACK that covers more than recover, as duplicates of an ACK at recover
 * may be the old window's.
 */
const mayRecoverAgain = (s: Sender): boolean =>
  s.sackOk ? Seq.gte(s.sndUna, s.recover) : Seq.gt(s.sndUna, s.recover)

/**
 * RFC 6675 §5: with SACK, loss shows without three duplicates (IsLost of the
 * first unacknowledged octet). RFC 8985 §7.4: a SACK for the tail probe
 * shows every hole below it lost at once (what RACK concludes: those octets
 * were sent before the probe, which arrived).
 *
 * IsLost asks about the first octet not SACKed: with SND.UNA itself SACKed
 * (the peer reneged, `Scoreboard.reneged`) what lies above it counts for the
 * first hole, not for SND.UNA, whose octets are the short timer's question
 * (was it dropped?), not a loss; else a duplicate ACK after a reneging ACK
 * started a recovery, with its cut, on a scoreboard showing no hole at all,
 * where Linux stays Open (tcp_time_to_recover asks only lost_out, RACK's marks)
 *
 * IsLost stands for RACK's window of 0 (Linux's tcp_rack_reo_wnd with no reordering seen and
 * sacked_out at tp->reordering, 3 then): once reordering was seen (RACK.reord, reord_seen) the
 * window is min RTT / 4 whatever is SACKed, and only RACK's marks start a recovery (`rackDetect`).
 * Taken at once, three segments SACKed above a hole after a reordering started a recovery where
 * Linux's sent new data (test/kernel/ConformanceCwnd.test.ts, "reordered by six segments, then a
 * third SACKed")
 */
const sackShowsLoss = (s: Sender): boolean =>
  (!s.rack.reordering && Scoreboard.isLost(s.board, Scoreboard.skip(s.board, s.sndUna), segmentPayload(s))) ||
  s.tlpOut && Scoreboard.nextHole(s.board, s.sndUna) !== undefined

/**
 * RFC 8985 §6.2 steps 4-5: mark what RACK finds lost, start recovery for it
 * (or resend it, in recovery), and arm the reordering timer for what may
 * yet be. Losses of a window already recovered from (RFC 6582's "recover",
 * after a timeout) start no new recovery: the retransmission timer's
 * go-back-N resends them. A SACK recovery's sends for the batch's duplicate
 * and partial ACKs (`recoverDue`) are made here too, after the marks. At a
 * batch's end, or (`expired`) at the reordering timer's expiry, whose
 * handling of the connection's other timers follows Linux's one timer.
 */
const rackDetect = (s: Sender, now: number, out: Array<OutSegment>, expired = false): void => {
  const due = s.recoverDue
  s.recoverDue = false
  // (a shut window is the persist timer's: no recovery starts, and no retransmission timer with it;
  // the ACK that opens the window looks again)
  if (s.persistAt !== undefined) {
    s.rackAt = undefined
    return
  }
  const pending = s.rackAt
  // (the window is 0 with no reordering seen in a timeout's episode too: Linux's tcp_rack_reo_wnd
  // asks icsk_ca_state >= TCP_CA_Recovery, and TCP_CA_Loss is above it; with min RTT / 4 there a
  // segment held by the timeout stayed in flight past RACK.rtt, test/tcp/Recovery.test.ts, "in the
  // timeout's episode RACK's reordering window is 0")
  const loss = s.recovering || Seq.lt(s.sndUna, s.recover)
  // (a resend marked lost again: Linux's FLAG_LOST_RETRANS, retrans_out fallen in tcp_identify_packet_loss)
  const lostRetransBefore = s.rack.lostRetransOctets
  // (at a batch's end only when something was delivered since RACK's last run: Linux's
  // tcp_rack_mark_lost returns at once without rack.advanced, `Rack.takeAdvanced`, leaving the
  // pending reordering timer as it was; its expiry, tcp_rack_reo_timeout, always looks)
  // (nor after a partial ACK whose echo held the recovery, `undoHeld`: Linux's tcp_fastretrans_alert
  // returns before tcp_identify_packet_loss, leaving rack.advanced for the next ACK, and sets no
  // REXMIT_LOST: no resend, new data only, `push`)
  const held = undoHeld && !expired
  const { lost, timeout } = !held && (expired || Rack.takeAdvanced(s.rack))
    ? Rack.detectLoss(s.rack, now, Rack.reorderingWindow(s.rack, s.rtt.srtt, loss))
    : NOTHING_LOST
  if (lost > 0) s.ackSafe = false
  if (sending(s) && !held) rackRecover(s, now, out, lost, due, expired, s.rack.lostRetransOctets > lostRetransBefore)
  // One timer a socket in Linux (icsk_pending), and RACK's is one of its kinds:
  if (expired) {
    // tcp_rack_reo_timeout drops the timeout its tcp_rack_detect_loss worked out, and re-arms the
    // RTO from the head's send time (tcp_rearm_rto with ICSK_TIME_REO_TIMEOUT pending, a jiffy at
    // least), over what the resends set (tcp_xmit_retransmit_queue re-arms nothing while the
    // reordering timer is pending)
    s.rackAt = undefined
    if (Seq.gt(s.sndMax, s.sndUna)) rearmFromHead(s, now)
  } else if (timeout > 0) {
    // tcp_rack_mark_lost's inet_csk_reset_xmit_timer(ICSK_TIME_REO_TIMEOUT) replaces the RTO or the
    // loss probe (and the ACK's FLAG_SET_XMIT_TIMER is dropped, tcp_identify_packet_loss): an RTO
    // kept beside it fired first when it was due sooner, a timeout where Linux recovers by RACK
    // (test/tcp/Recovery.test.ts, "RACK's reordering timer replaces the RTO")
    // Its delay is tcp_rack_mark_lost's usecs_to_jiffies(timeout + TCP_TIMEOUT_MIN_US): what RACK
    // still waits for, 2 ms more, in whole jiffies rounded up (test/tcp/Recovery.test.ts, "RACK's
    // reordering timer waits 2 ms past the reordering window"), held to the current (backed-off) RTO:
    // tcp_rack_mark_lost passes icsk_rto as inet_csk_reset_xmit_timer's max_when. RACK.rtt is the
    // last delivered segment's, so an ACK of a resent head and an older original makes an entry sent
    // between them wait past the RTO; at the capped expiry nothing is lost yet, the RTO is re-armed
    // from the head's send time (a tick when past, above) and the timeout follows, as in Linux
    // (test/tcp/Recovery.test.ts, "RACK's reordering timer is held to the RTO"). The RTO samples
    // every ACK as Linux's does (`ackRtt`), timestamps or not: the cap no longer lacks samples
    // Linux's has (the estimator is RFC 6298's, not tcp_rtt_estimator's)
    s.rackAt = now + Math.min(usecsToJiffies(timeout + TIMEOUT_MIN), s.rtt.rto)
    s.rtoAt = undefined
    s.tlpAt = undefined
  } else if (s.rtoAt !== undefined || s.tlpAt !== undefined || !Seq.gt(s.sndMax, s.sndUna)) {
    s.rackAt = undefined
    // (an ACK's re-arm while the reordering timer was pending: tcp_rearm_rto from the head's send time)
    if (pending !== undefined && s.rtoAt !== undefined) rearmFromHead(s, now)
  }
  // (else nothing for RACK to wait for, and no other timer: the pending one stays, as Linux's
  // tcp_rack_mark_lost arms none then and leaves it; its expiry re-arms the RTO)
  // No timer at all with data out, and none was pending here (each branch above leaves one when it
  // was): the persist timer's, stopped by a window that opened, whose probe octet is out. Linux's
  // tcp_rearm_rto with neither a loss-probe nor a reordering timer pending arms a whole RTO from
  // now, as the resend from SND.UNA that follows would (RFC 6298 §5.1). From the head's send time,
  // the probe's, a window that opened more than an RTO after it timed out a tick after the resend,
  // the RTO doubled and cwnd cut (test/tcp/Recovery.test.ts, "the window opens more than an RTO
  // after the persist probe")
  if (s.rackAt === undefined && s.rtoAt === undefined && s.tlpAt === undefined && Seq.gt(s.sndMax, s.sndUna)) s.rtoAt = now + s.rtt.rto
}

/** RACK's answer when it does not run (`rackDetect`): nothing marked, nothing to wait for. */
const NOTHING_LOST = { lost: 0, timeout: 0 } as const

/**
 * An ACK that moved no SND.UNA asks for the timer (Linux's FLAG_SET_XMIT_TIMER from a SACK's RTT
 * sample, above): tcp_ack's tcp_set_xmit_timer, after tcp_fastretrans_alert, unless RACK's marks
 * arm the reordering timer (`rackDetect`, at the batch's end, replaces this as
 * tcp_identify_packet_loss drops the flag). An ACK with SACK blocks leaves Linux's Open
 * (tcp_try_keep_open: Disorder; CWR stays CWR, but there the head was never resent, so no such
 * sample arises), so tcp_schedule_loss_probe arms no probe and tcp_rearm_rto does:
 * from the head's send time with a probe or reordering timer pending (tcp_rto_delta_us; with the
 * reordering timer `rackDetect` makes it so once it knows RACK waits for nothing), else a whole RTO
 * from now. Not in persist (its timer is the window's).
 */
const setXmitTimer = (s: Sender, now: number): void => {
  if (s.persistAt !== undefined || !Seq.gt(s.sndMax, s.sndUna)) return
  if (s.tlpAt !== undefined) {
    s.tlpAt = undefined
    rearmFromHead(s, now)
  } else {
    s.rtoAt = now + s.rtt.rto
  }
}

/** The RTO from the head's send time, a tick at least (Linux's tcp_rearm_rto with a loss-probe or reordering timer pending: tcp_rto_delta_us). */
const rearmFromHead = (s: Sender, now: number): void => {
  if (s.persistAt !== undefined) return
  const head = headSentAt(s)
  s.rtoAt = Math.max(head === undefined ? now : head + s.rtt.rto, now + TIMER_TICK)
}

/**
 * RACK's marks are in: the recovery's sends for them (and for the batch's ACKs, `due`); `expired`,
 * at the reordering timer's own expiry.
 */
const rackRecover = (s: Sender, now: number, out: Array<OutSegment>, lost: number, due: boolean, expired: boolean, lostRetrans: boolean): void => {
  // In recovery PRR's window is worked out from pipe once what RACK found lost has left it, as
  // Linux's tcp_fastretrans_alert marks at every ACK in Recovery (tcp_identify_packet_loss) before
  // tcp_cong_control's tcp_cwnd_reduction sets cwnd = in_flight + sndcnt, no +1 for an ACK that
  // marked a loss. Sent at the ACK before the marks, from a pipe that still held what they took
  // out of it, the window let as many more go as were marked: a lost resend went again with a new
  // segment where Linux's cwnd held the resend alone (test/kernel/ConformanceLoss.test.ts, "in fast
  // recovery RACK's losses are marked before PRR's window")
  if (s.recovering) {
    if (lost > 0 || due) sackRecover(s, now, out)
  } else if (lost === 0) return
  // (at the reordering timer's expiry a timeout's go-back becomes a fast recovery too: Linux's
  // tcp_rack_reo_timeout calls tcp_enter_recovery in any state but Recovery, TCP_CA_Loss included,
  // then tcp_cwnd_reduction with one segment delivered; left in the go-back, slow start's cwnd sent
  // what PRR's holds back, test/tcp/Recovery.test.ts, "RACK's reordering timer expiring in a
  // timeout's episode starts a fast recovery")
  // And at an ACK that finds a resend lost again (FLAG_LOST_RETRANS): tcp_fastretrans_alert's
  // TCP_CA_Loss branch falls through to tcp_enter_recovery then, and tcp_cwnd_reduction sets cwnd
  // from what is in flight; left in the go-back, slow start's cwnd sent the next lost segment with
  // the resend (test/tcp/Recovery.test.ts, "a go-back-N retransmission lost again")
  else if (mayRecoverAgain(s) || expired || lostRetrans) enterRecovery(s, now, out)
  else resendLostAfterTimeout(s, now, out)
}

/**
 * After a retransmission timeout, until SND.UNA reaches `recover`, there is
 * no fast recovery for that window (RFC 6582) and the sender goes back to
 * SND.UNA; a retransmission of that go-back-N lost again would wait for the
 * next, backed-off timeout. RACK goes on finding losses after a timeout
 * (RFC 8985 §6.3): what it marks lost behind SND.NXT goes again as the
 * congestion window allows, counting in flight what the log says is in the
 * network (neither SACKed nor lost).
 */
const resendLostAfterTimeout = (s: Sender, now: number, out: Array<OutSegment>): void => {
  const full = segmentPayload(s)
  for (;;) {
    // (a runt in flight counting a full segment, as Linux's in_flight counts packets: `runtPad`)
    if (Math.floor(s.cc.cwnd) - Rack.inFlight(s.rack) - runtPad(s) < full) return
    if (resendFirstLost(s, now, out, s.sndNxt) === undefined) return
  }
}

/**
 * Resend the first segment RACK marks lost (the part of it one segment
 * holds, with the FIN if it ends there), if it starts before `before`; with
 * `run`, a segment may reach into the lost ones right after it.
 * Returns where what was sent ends; undefined when nothing went.
 */
const resendFirstLost = (
  s: Sender,
  now: number,
  out: Array<OutSegment>,
  before?: Seq.SeqNum,
  run = false
): Seq.SeqNum | undefined => {
  const i = Rack.firstLost(s.rack)
  if (i < 0) return undefined
  const lostStart = Rack.entryStart(s.rack, i)
  if (before !== undefined && !Seq.lt(lostStart, before)) return undefined
  const lostEnd = Rack.lostRunEnd(s.rack, i, run)
  // (never below SND.UNA: the log trims what an ACK took of an entry, and this holds if it did not)
  const start = Seq.max(lostStart, s.sndUna)
  const fin = finEnd(s)
  const len = Math.max(0, Math.min(segmentPayload(s), Seq.sub(lostEnd, start), Seq.sub(SendBuffer.end(s.buffer), start)))
  // (a FIN that went with the last data rides when the lost entry holds it; one that went alone is
  // its own skb, which Linux's __tcp_retransmit_skb joins to the last data's resend only where
  // tcp_retrans_try_collapse does, `finRidesResend`, whatever its LOST mark (the collapse reads
  // none): RACK's resend of a short last segment took no FIN the mark had not reached, and with
  // `run` a full one took the FIN's lost entry with it; test/tcp/Close.test.ts, "in a SACK
  // recovery RACK's resend of a short last segment")
  // (but not in a path MTU drop's resends, `run`: Linux's tcp_simple_retransmit marked the skbs
  // longer than the new MSS, and tcp_xmit_retransmit_queue resends each whole as cwnd allows, so a
  // short last piece is the tail of a multi-packet skb, whose length tcp_retrans_try_collapse's
  // `skb->len < avail_wnd` refuses; the FIN's skb, no longer than the MSS, is never marked there.
  // Joined, the FIN went on the 52-octet tail of 2896 octets cut at 948:
  // test/kernel/ConformancePmtu.test.ts, "a FIN sent after the data")
  const bufEnd = SendBuffer.end(s.buffer)
  const withFin = fin !== undefined && Seq.add(start, len + 1) === fin && Seq.lte(fin, s.sndMax) &&
    (s.lastSegStart !== bufEnd || len === 0 || run ? lostEnd === fin : finRidesResend(s, start, len))
  if (len === 0 && !withFin) return undefined
  const sent = resend(s, out, start, len, withFin, now)
  if (sent === undefined) return undefined
  // SND.UNA's segment went again: the retransmission timer restarts from this resend, as Linux's
  // tcp_xmit_retransmit_queue re-arms it (a whole icsk_rto) when what it resends is the rtx queue's
  // head, unless the reordering timer is pending (whose expiry re-arms from the head, `rackDetect`).
  // Left running from an earlier send of it, the timeout came early after a lost retransmission
  // that RACK found (test/tcp/Recovery.test.ts, "the first segment sent again in recovery restarts
  // the retransmission timer")
  if (start === s.sndUna && s.rackAt === undefined && s.persistAt === undefined) s.rtoAt = now + s.rtt.rto
  return Seq.add(start, sent)
}

/**
 * The RTT sample of an ACK that acknowledges new data, ms, as Linux's tcp_ack_update_rtt chooses
 * it: from the send time of a segment it acknowledges that went once (`Rack.ackRtt`'s, Linux's
 * seq_rtt_us: Karn's rule per segment, none if it acknowledges any segment sent twice), else of one
 * it newly SACKs (sack_rtt_us), and only when neither exists the echoed timestamp's
 * (`echoed`; RFC 7323 §4.1; Linux prefers its own clock: "broken middle-boxes or peers may corrupt
 * TS-ECR fields"). An ACK of one segment a round trip's timed segment (RFC 6298 §3 with Karn) left
 * the RTO without the samples Linux takes, so its timer differed from Linux's
 * (test/kernel/ConformanceLoss.test.ts, "without timestamps every ACK of data sent once is an RTT
 * sample"). `Rack.onAck` has taken this ACK.
 */
const ackRtt = (echoed: number | undefined): number | undefined =>
  Rack.ackRtt.seq >= 0 ? Rack.ackRtt.seq : Rack.ackRtt.sack >= 0 ? Rack.ackRtt.sack : echoed

/** The echoed timestamp's RTT sample, ms (RFC 7323 §4.1), unless it wrapped or predates a retransmission it acknowledges. */
const echoRtt = (s: Sender, a: AckInfo, at: number): number | undefined => {
  const r = (tsOf(s, at) - a.tsEcr!) >>> 0
  return r < 0x7fffffff && !echoPredatesRetransmission(s, a) ? r : undefined
}

/**
 * Linux's FLAG_ACK_MAYBE_DELAYED, the rest of it (tcp_clean_rtx_queue: pkts_acked == 1, fully acked,
 * under mss_cache, no ECE): the ACK takes exactly the log's first segment, shorter than a full one.
 * A lone runt is what a receiver's delayed-ACK timer holds; its RTT holds the timer too.
 */
const maybeDelayed = (s: Sender, a: AckInfo): boolean =>
  a.ece !== true && Seq.sub(a.ack, s.sndUna) < segmentPayload(s) && Rack.headSegmentEndsAt(s.rack, s.sndUna, a.ack)

const newAck = (s: Sender, a: AckInfo, at: number, now: number): void => {
  const flightBefore = Seq.sub(s.sndMax, s.sndUna)
  const unaBefore = s.sndUna
  // (before SND.UNA moves: still inside a timeout's episode, and answering an original)
  const afterTimeout = !s.recovering && Seq.lt(s.sndUna, s.recover)
  const delayed = echoPredatesEpisode(s, a)
  // (without SACK, the record an ECE in the recovery kept, `Prr.cutKept`, is asked too: Linux's
  // undo_marker outlives the ECE, which zeroes prior_ssthresh only; and an ECE on this ACK, taken
  // first by tcp_fastretrans_alert, leaves the undo nothing to give back either)
  const kept = s.sackOk ? undefined : s.prr?.cutKept
  const renoDelayed = delayed || (kept !== undefined && echoPredatesEpisode(s, a, kept))
  const giveBack = !(s.ecnOk && a.ece)
  s.progress = true
  // RTT (RFC 6298 §2) at every ACK, as Linux's tcp_ack_update_rtt takes it (`ackRtt`); HyStart++
  // takes one per ACK too, the one Linux's CUBIC gets (rs->rtt_us, tcp_clean_rtx_queue's ca_rtt_us):
  // the newest segment sent once this ACK delivered, from the log's send times, while the ACK gives a
  // send-time sample (with SACK the newest newly SACKed, Linux's last_sackt; none when it acknowledges
  // a resent segment and SACKs nothing); else the echo. The echo first let a peer's stale TSecr end
  // slow start on a steady path (test/tcp/congestion/HyStart.test.ts, "HyStart++'s RTT sample from
  // the send times"). CUBIC looks the minimum RTT ahead (RACK's filter, as Linux's tcp_min_rtt, for
  // CUBIC's delay_min, bictcp_update), not SRTT, which a queue lifts (Cubic.test.ts, "the look-ahead")
  // (the echo only when the ACK frees a whole segment: Linux's tcp_ack_update_rtt asks FLAG_ACKED
  // for it, so an ACK inside a one-segment skb samples nothing and leaves a backed-off RTO backed
  // off; test/tcp/PartialAck.test.ts)
  const echo = s.tsOk && a.tsEcr !== undefined && a.tsEcr !== 0 && s.ackWhole
  const echoed = echo ? echoRtt(s, a, at) : undefined
  const measured = ackRtt(echoed)
  if (measured !== undefined) rttSample(s, measured, at, s.ackMaybeDelayed, a.ack)
  const sample = Rack.ackRtt.seq >= 0 || Rack.ackRtt.sack >= 0 ? s.rack.lastOriginalRtt : echoed
  SendBuffer.release(s.buffer, a.ack)
  s.bytesAcked += Seq.sub(a.ack, s.sndUna)
  s.sndUna = a.ack
  // the urgent data is acknowledged: urgent mode ends
  if (s.sndUp !== undefined && Seq.gte(s.sndUna, s.sndUp)) s.sndUp = undefined
  if (Seq.lt(s.sndNxt, s.sndUna)) s.sndNxt = s.sndUna
  // (without SACK, SND.UNA at or past the end of a timeout's old flight with F-RTO's new data beyond:
  // the go-back is over, and that data is in flight, not owed again: `push`)
  if (afterTimeout && !s.sackOk && !Seq.lt(s.sndUna, s.recover) && Seq.lt(s.sndNxt, s.sndMax)) s.sndNxt = s.sndMax
  Scoreboard.prune(s.board, s.sndUna)
  // RFC 2018 §8: SND.UNA moved onto octets the peer SACKed, and no further: it dropped them (or
  // its ACKs are odd for a moment). As Linux's tcp_check_sack_reneging: no recovery step on this
  // ACK, and the retransmission timer at max(SRTT / 2, 10 ms), time for ACKs that set the board
  // right, after which the timeout clears it and resends (`onRto`)
  const reneged = s.sackOk && Scoreboard.reneged(s.board, s.sndUna)
  s.ackReneged = reneged
  if (Seq.lt(s.highRxt, s.sndUna)) s.highRxt = s.sndUna
  s.retries = 0
  // (an ACK that frees no whole segment leaves the pending timer, the probe's too: below; unless its
  // SACK RTT sample predates the head's last send, which sets FLAG_SET_XMIT_TIMER all the same:
  // tcp_clean_rtx_queue's "Do not re-arm RTO if the sack RTT is measured from data sent after when
  // the head was last (re)transmitted", as for a duplicate in `onAck`. Kept, a recovery's RTO ran
  // from the resend where Linux's runs from the ACK; test/tcp/PartialAck.test.ts, "an ACK inside
  // the resent head that SACKs data sent before the resend")
  const head = headSentAt(s)
  const xmitTimer = s.ackWhole || (Rack.ackRtt.sack >= 0 && head !== undefined && at - Rack.ackRtt.sack < head)
  if (xmitTimer) s.tlpAt = undefined
  s.tlpOut = false
  if (s.recovering) {
    if (reneged) {
      // (the recovery goes on, or ends, at a later ACK or at the timeout). PRR's window is still
      // worked out from this ACK, as Linux's tcp_cong_control runs tcp_cwnd_reduction after
      // tcp_fastretrans_alert returned: the timeout may cut again from it (`onRto`)
      if (s.prr !== undefined) recoveryWindow(s)
    } else if (renoHold(s, a)) {
      // Without SACK, SND.UNA at `recover` itself: Linux holds Recovery "until something *above*
      // high_seq is ACKed" (tcp_try_undo_recovery for a Reno connection, RFC 6582's false fast
      // retransmits), and tcp_cong_control runs tcp_cwnd_reduction for this ACK: PRR's window,
      // worked out at the batch's end from what `renoPrrStep` counted (its segments less the
      // duplicates' count, the count gone, and PRR-SSRB's +1: nothing is marked lost here), not
      // cwnd = ssthresh. Its duplicates count nothing and send nothing (`renoPrrStep`); the ACK
      // past it ends the recovery (test/kernel/ConformanceLoss.test.ts, "the ACK of the recovery
      // point itself"). With an echo that shows the retransmission needless (`delayed`) it holds
      // too, undone first: ssthresh given back (`undoAtHold`)
      if (renoDelayed) undoAtHold(s, giveBack)
    } else if (Seq.gte(a.ack, s.recover)) {
      // RFC 6582 §3.2 step 3, full acknowledgment
      // (the ACK that ends it grows the window from ssthresh by what it delivered: Linux's
      // tcp_fastretrans_alert sets Open (tcp_try_undo_recovery) and cwnd = ssthresh
      // (tcp_end_cwnd_reduction), then tcp_cong_control, out of cwnd reduction, runs tcp_cong_avoid
      // with that ACK's acked_sacked (tcp_may_raise_cwnd: FLAG_DATA_ACKED, SND.UNA moved over
      // data). With SACK, DeliveredData; without, max(its segments - the duplicates' count, 1),
      // `renoPrrStep`, and not at `recover` itself, where only an undo ends it)
      // (with SACK on FLAG_DATA_ACKED, `ackWhole`, though all it acknowledged was SACKed before and
      // it delivers 0: tcp_may_raise_cwnd asks the flag, not acked_sacked, and CUBIC's
      // cubictcp_cong_avoid starts its epoch at that ACK: Cubic.ts `onAck`; test/tcp/Recovery.test.ts,
      // "the ACK that ends a SACK recovery acknowledging only SACKed data")
      const grow = s.sackOk ? s.ackWhole : Seq.gt(a.ack, s.recover) && s.ackDelivered > 0
      // (with SACK each segment it delivered counts a full one, however short, as tcp_cong_avoid's
      // acked_sacked counts packets (`packetsDelivered`); by octets, the ACK of a runt's resend that
      // ended the recovery added 100 to Reno's count and CUBIC's ack_cnt where Linux adds a packet:
      // test/tcp/Recovery.test.ts, "the ACK that ends a SACK recovery of runts". Without SACK
      // `renoPrrStep` counted it in segments already)
      const delivered = s.sackOk ? packetsDelivered(s) : s.ackDelivered
      // Without SACK, past the recovery point with no hold (its ACK lost), the echo showing the
      // retransmission needless by the record an ECE in the recovery kept (`Prr.cutKept`; the live
      // one, given back, is `tryUndo`'s): Linux's tcp_try_undo_recovery undoes with prior_ssthresh 0,
      // giving nothing back, but clears undo_marker and sets Open, so tcp_end_cwnd_reduction leaves
      // cwnd as PRR's last step set it, not ssthresh (`Prr.undone`, `endRecovery`). Ended with cwnd =
      // ssthresh, a segment or more went short of Linux's (test/tcp/Recovery.test.ts, "the hold's ACK
      // lost")
      if (s.undo === undefined && kept !== undefined && kept.sent > 0 && s.prr !== undefined && s.prr.wnd > 0 &&
        echoPredatesEpisode(s, a, kept)) {
        s.prr.undone = true
        s.prr.cutKept = undefined
        count(s).eifelUndos++
      }
      endRecovery(s, now, delayed)
      if (grow && !(s.ecnOk && (a.ece || ecnHeld(s)))) {
        s.algorithm.onAck(s.cc, delivered, now, Rack.minRtt(s.rack), ackFlight(s, flightBefore), sample, s.sndUna, s.sndMax, s.ackWhole)
      }
    } else if (!s.sackOk && (renoDelayed || nothingResent(s, unaBefore, s.undo ?? kept)) && !Seq.gt(s.highRxt, s.sndUna)) {
      // without SACK, a partial ACK whose echo shows the hole filled by its original, no resend
      // still out: undone at once (Linux's tcp_try_undo_partial), and the ACK grows the window
      // (or with nothing resent since the recovery began, timestamps or not: 6.x's
      // tcp_packet_delayed answers true with retrans_stamp 0 below high_seq for a Reno connection
      // too, `nothingResent`. Taken for a plain partial ACK, the head was marked lost and resent
      // where Linux sends nothing: test/kernel/ConformanceLoss.test.ts, "without SACK, ECN: a
      // partial ACK of a recovery that has resent nothing yet")
      undoPartial(s, giveBack, now)
      if (!giveBack) eceTakenByUndo = true
      // (not when the count left starts a new recovery on this ACK, `onAckLosses`: Linux's
      // tcp_cong_control then runs tcp_cwnd_reduction, the cut taken from the window given back.
      // An ECE on it grows it all the same: tcp_may_raise_cwnd asks no FLAG_ECE, and no CWR is
      // entered on this ACK)
      if (s.renoSacked < s.renoReordering && !(s.ecnOk && ecnHeld(s))) {
        s.algorithm.onAck(s.cc, s.ackDelivered, now, Rack.minRtt(s.rack), ackFlight(s, flightBefore), sample, s.sndUna, s.sndMax)
      }
    } else if (s.sackOk && (delayed || nothingResent(s, unaBefore))) {
      // with SACK the same (Linux's tcp_try_undo_partial runs for SACK and Reno alike): the echo
      // shows the hole filled by its original, late; or nothing was resent yet, timestamps or not
      // (`nothingResent`)
      if (sackUndoPartial(s, unaBefore) && !(s.ecnOk && ecnHeld(s)) &&
        (s.ackWhole || (s.rack.lastSacked && s.rack.degree > Rack.REORDERING)) &&
        !Rack.wouldMarkLost(s.rack, now, Rack.reorderingWindow(s.rack, s.rtt.srtt, false))) {
        // undone: out of cwnd reduction, tcp_cong_control grows the window by what the ACK delivered
        // (tcp_may_raise_cwnd; an ECE on it grows it too, as without SACK), unless RACK, looking
        // again at once (rack.advanced), starts a new recovery on this ACK (`rackDetect`, at the
        // batch's end): tcp_cong_control then runs PRR, cut from the window given back
        // (each segment delivered a full one, `packetsDelivered`: by octets the undo's ACK of a
        // 100-octet runt grew slow start by 100, where Linux's acked_sacked is a packet;
        // test/tcp/Recovery.test.ts, "a partial ACK's undo: slow start by one packet")
        s.algorithm.onAck(s.cc, packetsDelivered(s), now, Rack.minRtt(s.rack), ackFlight(s, flightBefore), sample, s.sndUna, s.sndMax, s.ackWhole)
      }
    } else {
      // RFC 6675 §5 (C): retransmit the holes the scoreboard shows while pipe allows, once RACK
      // has marked what the batch shows lost (`rackDetect`). Without SACK, RFC 6582 §3.2 step 3's
      // partial acknowledgment: the segment at the new SND.UNA is lost too (Linux's
      // tcp_newreno_mark_lost marks the head), and goes again first at the batch's end when PRR's
      // window has room for it (`renoRecover`), as Linux's tcp_xmit_retransmit_queue sends a LOST
      // skb only while cwnd - in_flight allows: not at once whatever the window, as RFC 6582's
      // deflation (cwnd - acked + 1 SMSS) let it go with new data besides
      s.recoverDue = true
    }
  } else {
    s.dupAcks = 0
    // (without SACK the ACK takes its segments off the duplicates' count, all but one, and may show
    // reordering, as Linux's tcp_remove_reno_sacks; then tcp_fastretrans_alert resets the count.
    // What it delivered is its segments less the count, one at least: the duplicates counted the
    // rest, and grew nothing, tcp_may_raise_cwnd; so the window grows by that, tcp_cong_avoid's
    // acked_sacked: test/tcp/Recovery.test.ts, "an ACK of data after counted duplicates")
    // By whole segments, as Linux's pkts_acked counts the skbs tcp_clean_rtx_queue frees (`renoFreed`):
    // an ACK inside a segment frees none, delivers nothing and grows nothing (no FLAG_DATA_ACKED,
    // no tcp_remove_reno_sacks; in Disorder tcp_fastretrans_alert's tcp_reset_reno_sack clears the
    // count all the same, FLAG_SND_UNA_ADVANCED), and the segment counts whole with the ACK of its
    // rest; an ACK of 2.5 segments after one duplicate delivers max(2 - 1, 1). By the octets SND.UNA
    // moved, the stack grew by half segments and counted three there (test/tcp/PartialAck.test.ts)
    // (and each whole segment freed counts a full one, however short: runts as packets, pkts_acked)
    let grownReno = Math.max(renoAcked, renoAckSegs * segmentPayload(s))
    if (!s.sackOk && s.renoSacked > 0) {
      if (s.ackWhole) {
        const full = segmentPayload(s)
        const segs = Math.max(1, renoAckSegs)
        grownReno = Math.min(grownReno, Math.max(segs - s.renoSacked, 1) * full)
        renoLimit(s, Math.max(0, s.renoSacked - (segs - 1)), s.sndUna, segs)
      }
      s.renoSacked = 0
    }
    // (without SACK, what the ACK delivered, for an ECN cut's step: `cwrStep`)
    if (!s.sackOk) s.ackDelivered = grownReno
    // SND.UNA past the ECN cut's SND.MAX: the cut ends before this ACK's growth (`endCwr`)
    if (s.cwr !== undefined && !ecnHeld(s)) endCwr(s, now)
    s.limitedOut = 0
    // a timeout whose first retransmission was not needed: undone as F-RTO would (RFC 3522's
    // detection, RFC 4015's response; Linux's tcp_try_undo_loss with tcp_may_undo)
    // (or whose resends all came back D-SACKed, this ACK's D-SACKs counted first (`dsackReceived`):
    // tcp_may_undo's !undo_retrans, asked by tcp_process_loss at every ACK that moves SND.UNA in
    // TCP_CA_Loss, at the episode's end or short of it, LINUX_MIB_TCPLOSSUNDO. `tryUndo` takes no
    // D-SACK undo inside the episode (tcp_try_undo_dsack runs only up to Disorder), and nothing asked
    // again here: the cut stood, and at the end RACK's reo_wnd_persist lost one where Linux's, undone,
    // keeps it: test/tcp/Recovery.test.ts, "a timeout's episode whose resends all came back D-SACKed")
    const dsacked = afterTimeout && s.undo !== undefined && s.undo.sent > 0 && s.undo.retrans === 0
    let undoneHere = false
    if (afterTimeout && (delayed || dsacked) && !reneged) {
      count(s).eifelUndos++
      spuriousTimeout(s, false)
      undoneHere = true
    } else if (afterTimeout && s.frto !== undefined && !reneged && frtoProves(s)) {
      // F-RTO's proof on this ACK (step 3.b: data sent once before the timeout acknowledged) undoes
      // before the ACK's growth too: Linux's tcp_process_loss (tcp_try_undo_loss(sk, true)) runs in
      // tcp_fastretrans_alert, before tcp_cong_control grows the window given back. After the
      // growth, the undo's max(cwnd, prior_cwnd) swallowed it (test/kernel/ConformanceLoss.test.ts,
      // "without SACK, an RTO found spurious (F-RTO)")
      spuriousTimeout(s, true)
    }
    // The timeout's recovery ends (SND.UNA at its `recover`, Linux's high_seq): one recovery off
    // RACK's reo_wnd_persist unless it was undone, as tcp_process_loss's tcp_try_undo_recovery
    // takes one only in its branch without tcp_may_undo. An undone episode's record is gone (the
    // D-SACKs', F-RTO's, the echo's undo: `tryUndo`, `spuriousTimeout`); one kept means nothing
    // undid it. (A record the peer's ECE or a new MSS dropped counts as undone here: Linux's
    // undo_marker is 0 then and it would take one; rare, left.) (test/tcp/Recovery.test.ts, "a
    // timeout's recovery takes one off ... where it ends without an undo")
    if (afterTimeout && s.sackOk && !Seq.lt(s.sndUna, s.recover) && s.undo !== undefined) Rack.onRecoveryEnd(s.rack)
    // RFC 3168 §6.1.2: no growth while a cut for an ECE is held (Linux's CWR state, whose ACKs take
    // PRR's steps, `cwrStep`), nor for an ECE that starts one on this ACK. An ECE that starts none
    // grows the window as any ACK: Linux's tcp_may_raise_cwnd asks no FLAG_ECE, and in a timeout's
    // episode (CA_Loss) tcp_fastretrans_alert returns before tcp_try_to_open unless the episode ends
    // on this ACK or F-RTO proves it spurious (`frtoProves`). Taken for no growth, the ACK of a
    // timeout's resend with ECE sent one segment where Linux's slow start sends two
    // (test/kernel/ConformanceLoss.test.ts, "an ECE on the ACK of a timeout's resend still grows")
    const eceCuts = ackEce && !eceTakenByUndo && (!Seq.lt(s.sndUna, s.recover) || frtoProves(s))
    // (nor after that undo when RACK, looking again at once (rack.advanced), starts a recovery on this
    // ACK (`rackDetect`, at the batch's end; looked at here without marking, as for the partial ACK's
    // undo): Linux's tcp_fastretrans_alert, Open after tcp_try_undo_loss, runs tcp_enter_recovery on
    // the same ACK, cut from the window given back, and tcp_cong_control, in the reduction, grows
    // nothing. Grown first, the cut came from the grown window: test/tcp/Recovery.test.ts, "a
    // timeout's episode undone by D-SACKs on an ACK whose RACK look starts a recovery")
    const recoversHere = undoneHere && s.sackOk && mayRecoverAgain(s) &&
      Rack.wouldMarkLost(s.rack, now, Rack.reorderingWindow(s.rack, s.rtt.srtt, false))
    if (!(s.ecnOk && (eceCuts || ecnHeld(s))) && !recoversHere) {
      // (the window's largest flight, not only this ACK's, as Linux's max_packets_out: in slow start an
      // application-limited window still grows while below twice what the window sent, however far
      // the ACKs have drained it, and then by all this ACK acknowledged (it may end past twice the
      // flight by less than one ACK); in avoidance only if a send of the window filled it (`ackFlight`).
      // Linux's tcp_is_cwnd_limited, asked once per ACK: NewReno.cwndLimited.
      // With SACK by what the ACK delivered, RFC 6937's DeliveredData, as Linux's tcp_cong_avoid gets
      // tcp_ack's acked_sacked: octets SACKed before count when they were SACKed, by an ACK that grew
      // nothing (tcp_may_raise_cwnd: no FLAG_DATA_ACKED), not again when SND.UNA passes them)
      // (and only when it acknowledged a whole segment: tcp_may_raise_cwnd asks FLAG_DATA_ACKED, which
      // an ACK inside a segment does not set, whatever it SACKs; test/tcp/Recovery.test.ts, "outside
      // a recovery, an ACK inside a segment grows nothing")
      // (with the reordering degree above 3, an ACK inside a segment that SACKs data grows too:
      // FLAG_FORWARD_PROGRESS, `onAck`)
      const grows = s.ackWhole || (s.rack.lastSacked && s.rack.degree > Rack.REORDERING)
      // (runts as packets: what it delivered counts a full segment for each segment it freed whole
      // or newly SACKed, however short, as Linux's tcp_cong_avoid grows by acked_sacked in packets,
      // `Rack.deliveredSegments`; the same octets as before for full-sized segments. By octets, the
      // ACK of ten 100-octet runts grew 1000 where Linux grows ten segments; test/kernel/
      // ConformanceCwnd.test.ts, "runts count as packets: the ACK of ten runts")
      const grown = s.sackOk ? (grows ? packetsDelivered(s) : 0) : grownReno
      // (`ackWhole` as FLAG_DATA_ACKED: an ACK of segments all SACKed before delivers 0 but runs
      // Linux's tcp_cong_avoid all the same, which CUBIC acts on: Cubic.ts `onAck`)
      s.algorithm.onAck(s.cc, grown, now, Rack.minRtt(s.rack), ackFlight(s, flightBefore), sample, s.sndUna, s.sndMax, s.ackWhole)
    }
    expandSendBuffer(s)
  }
  // Once the episode is over (SND.UNA past recover), recover follows just behind SND.UNA, which
  // leaves every comparison with it as it was: left alone, 2^31 octets later without a loss (under
  // 3 s at 6 Gbit/s) SND.UNA would wrap to before it, and the next loss be taken for one of a
  // timeout's window: no fast recovery, no tail probe
  if (!s.recovering && Seq.gt(s.sndUna, s.recover)) s.recover = Seq.add(s.sndUna, -1)
  // (and an ECN cut's mark goes once passed, before 2^31 octets could bring it round ahead again)
  if (s.ecnRecover !== undefined && Seq.gt(s.sndUna, s.ecnRecover)) s.ecnRecover = undefined
  // and an episode's undo record, kept for D-SACKs that come late, goes before its octets could
  // wrap round to look like new ones (a D-SACK for them then would undo a cut long past)
  if (s.undo !== undefined && !s.recovering && Seq.sub(s.sndUna, s.undo.end) > UNDO_HORIZON) s.undo = undefined
  // RFC 6298 §5.2-5.3: stop the timer when all is acknowledged, else restart it. Not for an ACK that
  // frees no whole segment (inside the one at SND.UNA): Linux's tcp_clean_rtx_queue sets no
  // FLAG_ACKED then, so no FLAG_SET_XMIT_TIMER, and tcp_ack's tcp_set_xmit_timer does not run: the
  // pending timer (the RTO from the head's resend, a loss probe) runs on. Restarted, a recovery's
  // resend lost after such an ACK timed out an RTO after the ACK, where Linux's came an RTO after
  // the resend (test/tcp/PartialAck.test.ts). (Reneging sets its own, tcp_check_sack_reneging; and
  // with no timer pending one is armed, as with data out Linux always has one)
  const keep = !xmitTimer && !reneged && s.persistAt === undefined && Seq.gt(s.sndMax, s.sndUna) &&
    (s.rtoAt !== undefined || s.tlpAt !== undefined || s.rackAt !== undefined)
  if (!keep) {
    s.rtoAt = Seq.sub(s.sndMax, s.sndUna) > 0 && s.persistAt === undefined ? now + (reneged ? renegeDelay(s) : s.rtt.rto) : undefined
    // (one timer in Linux: the retransmission timer set for reneging replaces RACK's reordering timer)
    if (reneged) s.rackAt = undefined
    // (and with a probe's episode open, the timer Linux's tcp_set_xmit_timer sets here is a probe's)
    else if (s.tlpEpisode !== undefined && s.rtoAt !== undefined) armProbeOut(s, now, true)
  }
  const fin = finEnd(s)
  if (fin !== undefined && s.sndUna === fin) finAcked(s, now)
}

/**
 * A fast recovery is over (SND.UNA at or past `recover`): the window is
 * ssthresh (RFC 6937, Linux's tcp_end_cwnd_reduction), and an episode whose
 * retransmissions all proved needless is undone (`tryUndo`).
 */
const endRecovery = (s: Sender, now: number, delayed: boolean): void => {
  // (a recovery undone where it held, `undoAtHold`, keeps the window PRR set there)
  const held = s.prr?.undone === true ? s.prr.wnd : undefined
  // (PRR's window as the last ACK left it, Linux's cwnd here, and whether an undo on this ACK would
  // give nothing back: a recovery entered during an ECN cut, or an ECE on this ACK, `tryUndo`)
  const last = s.prr !== undefined && s.prr.wnd > 0 ? s.prr.wnd : undefined
  const nothingBack = s.undo !== undefined && (s.undo.nothingBack === true || ackEce)
  s.recovering = false
  s.prr = undefined
  s.renoSacked = 0
  s.dupAcks = 0
  s.algorithm.onRecoveryEnd(s.cc, Seq.sub(s.sndMax, s.sndUna), now)
  if (held !== undefined) s.cc.cwnd = held
  // (a recovery counts against RACK's grown window only when nothing undoes it: Linux's
  // tcp_try_undo_recovery takes one off reo_wnd_persist in its branch without tcp_may_undo)
  if (!tryUndo(s, now, delayed)) {
    if (s.sackOk) Rack.onRecoveryEnd(s.rack)
  } else if (nothingBack && last !== undefined) {
    // Undone here with nothing given back: Linux's tcp_try_undo_recovery zeroes undo_marker
    // (tcp_undo_cwnd_reduction), so tcp_end_cwnd_reduction, which sets cwnd = ssthresh only in CWR
    // or while undo_marker is set, leaves cwnd as the last tcp_cwnd_reduction set it, PRR's window,
    // and this ACK's tcp_cong_control (or an ECE's tcp_enter_cwr, `onEce`) goes on from that. Left at
    // ssthresh, the window was 5 (grown to 6) where Linux's is 7: four new segments for Linux's five
    // (test/kernel/ConformanceLoss.test.ts, "the echo's undo at the end of a SACK recovery entered
    // during the cut"; test/tcp/Ecn.test.ts, "the echo's undo at the end of a recovery entered during
    // an ECN cut")
    s.cc.cwnd = Math.max(fullPayload(s), Math.floor(last))
  }
}

/**
 * A SACK recovery that an ACK which reneged took to its `recover` or past
 * (that ACK ended nothing: `newAck`) ends at the next ACK that does not
 * renege, one that moves SND.UNA no further included: Linux's
 * tcp_fastretrans_alert checks `!before(snd_una, high_seq)` on every ACK it
 * sees in Recovery, before the state's own work, and only
 * tcp_check_sack_reneging (an ACK that moves SND.UNA onto a SACKed segment)
 * returns ahead of it. It sees a duplicate whenever data is out (tcp_ack's
 * `!prior_packets` goes round it), an ACK below SND.UNA only when it carries
 * SACK blocks (tcp_ack's old_ack). So the window goes to ssthresh there, and
 * a loss that ACK or a later one shows starts a recovery of its own, with
 * its own cut (tcp_enter_recovery from Open), where the old one would have
 * gone on resending under the earlier ssthresh until the short timer.
 */
const endRecoveryPastRecover = (s: Sender, a: AckInfo, advances: boolean, now: number): void => {
  if (!s.recovering || !s.sackOk || advances || Seq.lt(s.sndUna, s.recover) || !Seq.gt(s.sndMax, s.sndUna)) return
  // (an ACK past SND.MAX is not this one's: the receive half answered it; below SND.UNA, with blocks only)
  if (Seq.gt(a.ack, s.sndMax) || (Seq.lt(a.ack, s.sndUna) && a.sack === undefined)) return
  endRecovery(s, now, echoPredatesEpisode(s, a))
}

/**
 * How long a sender waits after the peer reneged before it takes the SACKed
 * octets for lost (ms): max(SRTT / 2, 10 ms), Linux's tcp_check_sack_reneging
 * (`srtt_us >> 4` of an srtt_us that holds 8 × SRTT; 10 ms with no sample),
 * rounded up to the millisecond as its usecs_to_jiffies rounds up.
 */
export const renegeDelay = (s: Sender): number => Math.max(RENEGE_MIN_DELAY, Math.ceil((s.rtt.srtt ?? 0) / 2))

/** Linux's msecs_to_jiffies(10) floor in tcp_check_sack_reneging. */
const RENEGE_MIN_DELAY = 10

/** Octets past an episode's end after which its undo record is dropped: 1 GiB, far beyond any late D-SACK. */
const UNDO_HORIZON = 2 ** 30

/**
 * Karn's ambiguity, with timestamps: an ACK of data we retransmitted that
 * echoes a timestamp older than that retransmission was clocked out by a
 * later copy than the one it echoes. This happens when the peer's ACK of an
 * earlier copy was lost: the copies after it arrive as duplicates, which do
 * not move TS.Recent (RFC 7323 §4.3), so the ACK that finally gets through
 * echoes the earlier copy's time. Its "round trip" would include every
 * backed-off timeout in between (a 99 s sample seen over a 20 % lossy link,
 * which then held the RTO at its 120 s ceiling): no sample from it.
 */
const echoPredatesRetransmission = (s: Sender, a: AckInfo): boolean => {
  const r = s.lastRetransmit
  return r !== undefined && Seq.lt(r.seq, a.ack) && echoBefore(a, tsOf(s, r.at))
}

/** The ACK echoes a timestamp (RFC 7323) older than `ts` (`tsOf`): it answers a segment sent before then. */
const echoBefore = (a: AckInfo, ts: number): boolean =>
  a.tsEcr !== undefined && a.tsEcr !== 0 && ((a.tsEcr - ts) | 0) < 0

/**
 * RFC 5681 §3.2, RFC 6582 §3.2: the third duplicate starts fast retransmit;
 * in recovery each sends what PRR's window allows, at the batch's end
 * (without SACK over the duplicates' count, `renoPrrStep`, as Linux: not
 * RFC 5681's inflation). With SACK (RFC 6675 §5, RFC 8985), the first that
 * shows loss on the scoreboard, or RACK at the batch's end.
 */
const duplicateAck = (s: Sender, now: number, out: Array<OutSegment>): void => {
  s.dupAcks++
  // (without SACK, outside a recovery, the duplicate counts a segment out of the network as Linux's
  // tcp_add_reno_sack in Disorder: at most all but one of what is out, tcp_limit_reno_sacked, and
  // more duplicates than that are reordering, tcp_check_reno_reordering. Not in a timeout's
  // go-back, to SND.UNA = recover included: Linux's tcp_process_loss counts Reno duplicates only
  // for new data F-RTO sent past high_seq, and holds Loss at high_seq itself, tcp_try_undo_recovery;
  // test/tcp/Recovery.test.ts, "duplicates in a timeout's go-back count nothing")
  // (and in a timeout's go-back with data sent past its `recover`, F-RTO's new data: Linux's
  // tcp_process_loss counts a Reno duplicate there, `after(snd_nxt, high_seq)`, and its in_flight
  // leaves it out, `renoLossBeyond`)
  if (!s.sackOk && !s.recovering && (mayRecoverAgain(s) || (Seq.lt(s.sndUna, s.recover) && Seq.gt(s.sndMax, s.recover)))) {
    s.renoSacked = renoLimit(s, s.renoSacked + 1, s.sndUna, 0)
  }
  if (s.recovering) {
    // (a recovery's sends wait for the batch's end: RACK's marks first with SACK, `rackDetect`;
    // `renoRecover` without)
    s.recoverDue = true
    return
  }
  // not again for losses of the window already recovered. With SACK the duplicates are not
  // counted: loss shows on the scoreboard (IsLost) or in RACK's marks at the batch's end
  // (`rackDetect`, RFC 8985 §6: RACK replaces the count of duplicates), as Linux's
  // tcp_time_to_recover asks only lost_out. Counted, three duplicates that SACKed segments with no
  // hole below them (SND.UNA itself SACKed, after the peer reneged) started a recovery and its cut
  if (
    mayRecoverAgain(s) &&
    // without SACK, the count at tp->reordering (3 unless raised): Linux's tcp_newreno_mark_lost
    // marks the head lost in Disorder once sacked_out >= reordering, and tcp_time_to_recover asks
    // lost_out. As the count is at most all but one of what is out, a flight of three segments or
    // fewer is never fast-retransmitted, however many duplicates the network makes of the two it can
    // draw (test/tcp/Recovery.test.ts, "three segments out")
    (s.sackOk ? sackShowsLoss(s) : s.renoSacked >= s.renoReordering)
  ) enterRecovery(s, now, out)
}

/** Fast retransmit: loss detected without a timeout (RFC 5681 §3.2, RFC 6582 §3.2, RFC 6675 §5). */
const enterRecovery = (s: Sender, now: number, out: Array<OutSegment>): void => {
  // (from a timeout's go-back: RACK's reordering timer, `rackRecover`)
  const fromLoss = Seq.lt(s.sndUna, s.recover)
  // (and then the episode's first retransmission stays Eifel's mark while any of its resends is in
  // flight or the head was sent again: Linux's tcp_enter_recovery zeroes retrans_stamp only when
  // !tcp_any_retrans_done (tcp_retrans_stamp_cleanup), and tcp_packet_delayed asks it. From this
  // recovery's first resend, an ACK echoing a go-back resend sent before it undid the cut,
  // test/tcp/Recovery.test.ts, "keeps the episode's first retransmission for Eifel")
  const episodeTs = fromLoss && s.sackOk && Rack.anyRetransDone(s.rack) ? s.undo?.retransTs : undefined
  // (the fast retransmit starts the clock unless resends are still out: tcp_retrans_stamp_cleanup)
  if (s.retransStamp === undefined || !Rack.anyRetransDone(s.rack)) s.retransStamp = now
  beginUndo(s, false, true)
  if (episodeTs !== undefined && s.undo !== undefined) s.undo.retransTs = episodeTs
  else if (s.undo !== undefined && Rack.anyRetransDone(s.rack)) s.undo.stampKept = true
  // (and the go-back's resends still in flight are this recovery's to D-SACK: Linux's tcp_init_undo
  // sets undo_retrans = retrans_out, and tcp_try_undo_dsack / tcp_try_undo_recovery undo only when
  // all of them are reported twice. Counting its own resends only, a D-SACK of those undid the cut
  // though a go-back resend was needed, test/tcp/Recovery.test.ts, "counts the go-back's resends
  // still out for its D-SACK undo")
  if (fromLoss && s.sackOk && s.undo !== undefined) countResendsOut(s, s.undo)
  s.recovering = true
  // A recovery entered during an ECN cut takes the cut's reduction over rather than starting its
  // own: Linux's tcp_enter_recovery runs tcp_init_cwnd_reduction only outside CWR
  // (tcp_in_cwnd_reduction), so high_seq stays the cut's SND.NXT (the recovery ends once SND.UNA
  // reaches it, and a loss of data sent after it is a new recovery, cut again) and PRR goes on with
  // the cut's prior_cwnd, prr_delivered and prr_out (below). Held to SND.MAX here, the recovery took
  // such a loss inside it, with no cut and no CWR (test/tcp/Ecn.test.ts, "a recovery entered during
  // an ECN cut ends at the cut's point"). Without SACK too: the cut's counts go on over the
  // duplicates' (`renoCount`), as tcp_enter_recovery is the same for a Reno connection; started
  // afresh, the third duplicate resent SND.UNA at once (prr_out 0) where Linux's window, at ssthresh,
  // sends nothing (test/kernel/ConformanceLoss.test.ts, "without SACK, ECN: a recovery entered
  // during the cut goes on with the cut's PRR")
  const cwrKept = s.cwr
  s.recover = cwrKept !== undefined && s.ecnRecover !== undefined ? s.ecnRecover : s.sndMax
  // (and its undo gives nothing back: tcp_enter_recovery sets prior_ssthresh only outside a cwnd
  // reduction. Given back, the undo restored the cut's window at the entry, 10 where Linux keeps
  // PRR's 7: test/tcp/Ecn.test.ts, "an undo of a recovery entered during an ECN cut gives nothing
  // back"; without SACK, Reno's undo paths, `undoAtHold` and `undoPartial`, read it too)
  if (cwrKept !== undefined && s.undo !== undefined) s.undo.nothingBack = true
  // (and for one RACK starts after an undo on an ACK with ECE: tcp_enter_recovery(sk, ece_ack) leaves
  // prior_ssthresh 0, `eceUndone`. Given back, its undo restored the first cut's ssthresh:
  // test/tcp/Recovery.test.ts, "whose RACK look starts a new recovery")
  // (so too for any entry on the ACK being taken when it says ECE, `ackEce`: without SACK, the new
  // recovery a partial ACK's undo leaves the duplicates' count to start on that ACK (`onAckLosses`
  // after `undoPartial`, which took the ECE: no `onEce` drops this record). Given back, its undo at
  // the end restored the first cut: seven new segments where Linux sends six,
  // test/kernel/ConformanceLoss.test.ts, "without SACK, ECN: a partial ACK that echoes the original
  // with ECE, the count left at the threshold". Elsewhere `onEce` follows on that ACK and drops or
  // marks the record as this does)
  // (and for one RACK starts at the batch's end on its last ACK's ECE, `batchEndEce`: in a timeout's
  // episode no `onEce` CWR says so)
  else if ((eceUndone || ackEce || batchEndEce) && s.undo !== undefined) s.undo.nothingBack = true
  eceUndoCarried = false
  // (the ECN cut's PRR gives way to the recovery's, below)
  s.cwr = undefined
  // (a window already cut for an ECE is not cut again, RFC 3168 §6.1.2: one cut per window, as
  // Linux's tcp_enter_recovery skips its reduction while in CWR)
  // PRR's divisor: the window before the cut (Linux's prior_cwnd, tcp_init_cwnd_reduction); under
  // an ECN cut held, which this recovery does not cut again, the cut's own prior_cwnd and counts go
  // on (`cwrKept` below; the flight if no cut's counts are at hand)
  let recoverFs = Seq.sub(s.sndMax, s.sndUna)
  if (!ecnHeld(s)) {
    recoverFs = Math.max(segmentPayload(s), Math.floor(s.cc.cwnd))
    // (what limited transmit sent is not FlightSize here: RFC 5681 §3.2, RFC 6675 §5 step 4.2)
    s.algorithm.onLoss(s.cc, Math.max(0, Seq.sub(s.sndMax, s.sndUna) - s.limitedOut), now)
    // RFC 3168 §6.1.2: any reduction of the window, this one too, is announced with CWR
    if (s.ecnOk) s.cwrPending = true
  }
  // The recovery replaces an ECN cut under way (Linux's tcp_enter_recovery sets Recovery over CWR),
  // and its `recover` covers the cut's window: no mark is held past it. Kept, an undo of this
  // recovery short of the mark left it held, where Linux's undo goes to Open: the next ACK grew
  // nothing and its ECE cut nothing (test/tcp/Ecn.test.ts, "an undo of a recovery entered during
  // an ECN cut leaves no cut held")
  s.ecnRecover = undefined
  count(s).fastRetransmits++
  s.tlpAt = undefined
  // RFC 8985 §7.1: fast recovery ends any probe's episode (its cut covers the window)
  s.tlpEpisode = undefined
  s.limitedOut = 0
  // RFC 6937 §3: the reduction is spread over the recovery's ACKs, from the flight at its start; a
  // recovery RACK's reordering timer starts counts one segment delivered, as Linux's
  // tcp_rack_reo_timeout calls tcp_cwnd_reduction with one (a timer delivers nothing itself)
  // Without SACK PRR runs too, as Linux's tcp_fastretrans_alert → tcp_cong_control →
  // tcp_cwnd_reduction does for a Reno connection: the three duplicates are three segments out of
  // the network (tcp_add_reno_sack's sacked_out, `renoSacked`), the first segment is lost
  // (tcp_newreno_mark_lost), and this duplicate delivered one segment (newly_acked_sacked 1, no +1:
  // SND.UNA did not move). RFC 6582's inflation (cwnd = ssthresh + 3 SMSS, one SMSS a duplicate)
  // sent nothing for the first duplicates and then one segment each, where PRR sends ssthresh /
  // prior cwnd of a segment each while pipe is above ssthresh, then one each
  // (test/kernel/ConformanceLoss.test.ts, "without SACK, fast recovery is PRR")
  if (!s.sackOk) {
    s.ackDelivered = segmentPayload(s)
    s.ackSafe = false
  }
  const entryDelivered = s.ackDelivered > 0 ? s.ackDelivered : segmentPayload(s)
  s.prr = {
    // (the cut's counts go on, this ACK's delivery once: `Cwr.stepped` when RACK's marks at a
    // batch's end start the recovery after the ACK's own step)
    delivered: cwrKept === undefined ? entryDelivered : cwrKept.delivered + (cwrKept.stepped ? 0 : entryDelivered),
    out: cwrKept === undefined ? 0 : cwrKept.out,
    recoverFs: cwrKept === undefined ? recoverFs : cwrKept.priorCwnd,
    wnd: 0,
    stale: true,
    owed: 0,
    byLog: fromLoss,
    renoCredit: 0,
    undone: false,
    cutKept: undefined
  }
  if (!s.sackOk) renoCount(s, s.prr, Math.min(s.renoSacked, renoSackedCap(s)), s.sndUna)
  // The go-back ends there: Linux has none (its snd_nxt is SND.MAX; what the timeout marked lost
  // waits in the queue as LOST skbs), so what it has not reached is resent as RACK's marks are, in
  // order under PRR (`sackRecover`), new data goes from SND.MAX, and F-RTO (tcp_process_loss's,
  // which Recovery no longer runs) is over
  if (fromLoss) {
    s.sndNxt = s.sndMax
    s.highRxt = s.sndMax
    s.frto = undefined
  }
  // the first unacknowledged segment goes at once, whatever pipe says (RFC 6675 §5 step 4.3), and
  // only up to the first octets the peer reported holding: a byte stream keeps no segment
  // boundaries, and a full segment from SND.UNA would carry SACKed data again. Not when the
  // episode this ACK ended has resent it already (HighRxt past SND.UNA): the new one goes on from
  // there, and RACK resends what it finds lost again (Linux retransmits only what is lost and not
  // yet retransmitted, TCPCB_SACKED_RETRANS; with ssthresh as the window after recovery the
  // holes went twice in one millisecond, test/e2e/TcpLoss.test.ts)
  // SND.UNA itself SACKed: the peer reneged, and a later ACK ended the recovery that reneging ACK
  // was in (`endRecoveryPastRecover`). Nothing at SND.UNA is known lost: Linux's
  // tcp_xmit_retransmit_queue resends only LOST skbs (the holes RACK marks), and re-arms its timer
  // only when it resends the head, so the short timer the reneging ACK set runs on (its expiry
  // clears the board, `onRto`), whether or not the old episode's resends reach past SND.UNA
  const reneged = s.sackOk && Scoreboard.reneged(s.board, s.sndUna)
  if (s.sackOk && Seq.gt(s.highRxt, s.sndUna)) {
    sackRecover(s, now, out)
    firstLostAtEntry(s, now, out)
    // (not beside RACK's reordering timer, as at the entry below: Linux's one timer stays that one,
    // tcp_xmit_retransmit_queue re-arming only with it not pending. Armed, `rackDetect` dropped
    // RACK's at the batch's end and a SACK of data sent before the head's last send re-armed a
    // whole RTO from itself, where Linux's tcp_rearm_rto, REO pending, runs from the head's send:
    // test/tcp/Recovery.test.ts, "a recovery entered again with the head resent before")
    if (!reneged && s.rackAt === undefined) s.rtoAt = now + s.rtt.rto
    return
  }
  if (reneged) {
    s.highRxt = s.sndUna
    if (s.prr !== undefined) Rack.detectLoss(s.rack, now, Rack.reorderingWindow(s.rack, s.rtt.srtt, false))
    sackRecover(s, now, out)
    firstLostAtEntry(s, now, out)
    return
  }
  s.highRxt = s.sndUna
  {
    // what RACK finds lost by this ACK is marked before PRR's window is worked out from pipe, as
    // Linux's tcp_fastretrans_alert runs tcp_identify_packet_loss before tcp_cong_control (here RACK
    // runs once a batch, after it: with the window worked out first from a pipe that still held
    // them, the losses it then marked all went at once, a spurious timeout's old flight the case).
    // (Without SACK no RACK: Linux's tcp_identify_packet_loss takes tcp_newreno_mark_lost for Reno)
    // (not again after `rackInBatch`'s marks for this ACK, `innerMarks`)
    if (s.sackOk && !innerMarks) Rack.detectLoss(s.rack, now, Rack.reorderingWindow(s.rack, s.rtt.srtt, false))
    // PRR's window is worked out here, from what was in flight before the first retransmission,
    // and that retransmission goes inside it: Linux's tcp_fastretrans_alert runs tcp_enter_recovery,
    // then tcp_cwnd_reduction (cwnd = tcp_packets_in_flight + sndcnt, sndcnt at least 1 while
    // prr_out is 0), and only then tcp_xmit_recovery sends. Worked out after it (at sackRecover's
    // first turn), the retransmission was counted in pipe and in `prr.out` while PRR-SSRB's
    // max(delivered - out, DeliveredData) still gave the ACK's whole delivery: one segment more
    // went at recovery's start than Linux sends (test/kernel/ConformanceLoss.test.ts, "fast
    // recovery's first retransmission is inside PRR's window"). (Linux's floor of one needs no
    // counterpart: the retransmission below goes whatever the window says, RFC 6675 §5 step 4.3)
    recoveryWindow(s)
  }
  // (once the ECN cut it took over has sent, its first retransmission waits for PRR's window as
  // any other: Linux's tcp_cwnd_reduction forces one segment only while prr_out is 0, and
  // tcp_xmit_retransmit_queue stops at cwnd. Forced, the head went at a SACK where Linux's window
  // held it: test/tcp/Ecn.test.ts, "PRR of a recovery entered during an ECN cut goes on")
  if (cwrKept !== undefined && cwrKept.out > 0) {
    if (s.sackOk) sackRecover(s, now, out)
    else renoRecover(s, now, out)
    return
  }
  const hole = s.sackOk ? Scoreboard.nextHole(s.board, s.sndUna) : undefined
  s.highRxt = Seq.add(s.sndUna, retransmitFirst(s, now, out, hole?.end))
  if (s.sackOk) sackRecover(s, now, out)
  // The head's resend restarts the RTO (tcp_xmit_retransmit_queue's `rearm_timer`), unless RACK's
  // reordering timer is pending: Linux's one timer stays that one then (the third SACK marks the
  // head lost and tcp_rack_mark_lost, finding nothing more to wait for, leaves it armed), and its
  // expiry, or an ACK's tcp_rearm_rto before it, sets the RTO from the head's send time (`rackDetect`)
  if (s.rackAt === undefined) s.rtoAt = now + s.rtt.rto
}

/**
 * A loss episode begins (before its cwnd cut): what a later proof that it
 * was spurious restores (RFC 2883 §5; Linux's tcp_init_undo). Only where a
 * proof can come: D-SACKs need SACK, but the timestamp echo of RFC 3522
 * needs only timestamps (Linux undoes a Reno connection's episode by it too,
 * tcp_try_undo_recovery and tcp_try_undo_loss). A fast recovery always: one
 * that has resent nothing yet is undone by a partial ACK, timestamps or not
 * (6.x's tcp_packet_delayed with retrans_stamp 0, `nothingResent`).
 */
const beginUndo = (s: Sender, frto = false, recovery = false): void => {
  s.undo = s.sackOk || s.tsOk || frto || recovery
    ? { marker: s.sndUna, end: s.sndMax, sent: 0, retrans: 0, retransTs: undefined, ranges: [], cc: Congestion.saveForUndo(s.cc) }
    : undefined
  // A tail probe's retransmission still out (its episode open) is the new episode's to D-SACK too:
  // Linux 6.18's tcp_init_undo adds one to undo_retrans for it (tlp_high_seq && tlp_retrans), in
  // tcp_enter_recovery before tcp_init_cwnd_reduction and in tcp_enter_loss before either clears
  // tlp_high_seq. Left out, the D-SACK of a recovery's own resend undid the cut while the probe's
  // copy was unreported (test/tcp/Recovery.test.ts, "a fast recovery entered with a probe's
  // retransmission out counts it"). (The probe's send counted in no record: `s.undo` was none, or
  // the old episode's, which this one replaces.)
  const e = s.tlpEpisode
  const u = s.undo
  if (e !== undefined && e.retrans && u !== undefined && !Seq.lt(e.start, u.marker) && Seq.lt(e.start, u.end)) {
    u.sent++
    u.retrans++
    if (u.ranges !== undefined) noteResent(u, Seq.sub(e.start, u.marker), Seq.sub(Seq.min(e.end, u.end), u.marker))
  }
}

/**
 * A new undo record takes the retransmissions still in flight as its own (Linux's tcp_init_undo:
 * undo_retrans = retrans_out): each a segment resent in the episode and not yet D-SACKed. The
 * other segments ever resent (SACKed since, or lost again) are noted without being counted: a
 * D-SACK of one still takes one off, as Linux's tcp_sacktag_one tests TCPCB_RETRANS, which holds
 * TCPCB_EVER_RETRANS, for any skb above undo_marker (test/tcp/Recovery.test.ts, "a D-SACK of a
 * resend SACKed before the recovery's entry counts for the undo")
 */
const countResendsOut = (s: Sender, u: Undo): void => {
  const triples = Rack.retransmissions(s.rack)
  for (let i = 0; i < triples.length; i += 3) {
    const from = triples[i]! as Seq.SeqNum
    const to = Seq.min(triples[i + 1]! as Seq.SeqNum, u.end)
    if (!Seq.gt(to, from) || Seq.lt(from, u.marker)) continue
    if (triples[i + 2] === 1) {
      u.sent++
      u.retrans++
    }
    if (u.ranges !== undefined) noteResent(u, Seq.sub(from, u.marker), Seq.sub(to, u.marker))
  }
}

/** Ranges an undo record keeps at most (16 octets each); a longer episode counts its D-SACKs as Linux does. */
const UNDO_RANGES = 32

/** The episode sent [from, to) (offsets from its marker) again: keep it, joined to the last range when they touch. */
const noteResent = (u: Undo, from: number, to: number): void => {
  const r = u.ranges!
  if (to <= from) return
  const n = r.length
  if (n > 0 && r[n - 1] === from) r[n - 1] = to
  else if (n < 2 * UNDO_RANGES) r.push(from, to)
  else u.ranges = undefined
}

/**
 * Octets of [from, to) among the ranges still unreported, each counted once
 * (octets sent again twice are in two ranges, and one D-SACK reports one
 * extra copy), which then leave the range that counted them.
 */
const takeResent = (r: Array<number>, from: number, to: number): number => {
  let octets = 0
  // what of the block no range has counted yet: sorted, disjoint [from, to) pairs
  let left = [from, to]
  for (let i = 0; i < r.length && left.length > 0;) {
    const lo = r[i]!
    const hi = r[i + 1]!
    const keep: Array<number> = []
    const rest: Array<number> = []
    let at = lo
    for (let j = 0; j < left.length; j += 2) {
      const pl = left[j]!
      const pr = left[j + 1]!
      const a = Math.max(lo, pl)
      const b = Math.min(hi, pr)
      if (b <= a) {
        rest.push(pl, pr)
        continue
      }
      octets += b - a
      if (pl < a) rest.push(pl, a)
      if (b < pr) rest.push(b, pr)
      if (at < a) keep.push(at, a)
      at = b
    }
    if (at < hi) keep.push(at, hi)
    // the range gives up what it counted (nothing, one piece or several)
    r.splice(i, 2, ...keep)
    i += keep.length
    left = rest
  }
  return octets
}

/**
 * The peer reports `block` received twice. Within the episode's octets,
 * what of it the episode sent again was sent for nothing, counted in
 * segments: below `una` (what the ACK that carries it acknowledges, or
 * SND.UNA) as Linux's tcp_check_dsack counts what it acknowledged before,
 * and above it as tcp_sacktag_walk's dup_sack tagging does, which checks
 * each segment's "retransmitted" mark (tcp_sacktag_one) whether or not
 * SND.UNA has passed it: it tags before it frees, so a D-SACK on the ACK
 * that also acknowledges the retransmission counts, and so does one for a
 * resend the peer holds beyond a hole (both copies of a late segment came
 * while an earlier one was missing; left out, that resend never counted and
 * a needless recovery was never undone: test/tcp/Recovery.test.ts, "a D-SACK
 * above SND.UNA of a resend counts for the undo too"). Above `una` only
 * with the episode's resent ranges kept: without them nothing tells a
 * resend from an original there.
 */
/**
 * Whether a D-SACK block is believable, as Linux 6.18's tcp_dsack_seen judges it (a dubious one
 * makes tcp_check_dsack return false: no undo count, no reordering window growth, no reordering):
 * not empty, no longer than the largest window the peer offered (`Rack.dsackPlausible`), and, once
 * its segments (its length over the MSS, rounded up, one at least) are added to those D-SACKed
 * before, no more D-SACKed segments than were ever sent again: a duplicate of what we never resent
 * is the network's or the peer's doing, not a spurious retransmission of ours. The count is kept
 * from the first D-SACK of the right length on, believed or not, as Linux's dsack_dups is.
 */
const dsackSeen = (s: Sender, block: SackBlock): boolean => {
  if (!Rack.dsackPlausible(block, s.maxSndWnd)) return false
  const c = count(s)
  c.dsackDups += dsackSegments(s, block)
  return c.dsackDups <= c.retransmits
}

/** The segments a D-SACK block reports received twice, one at least (Linux's tcp_dsack_seen: dup_segs). */
const dsackSegments = (s: Sender, block: SackBlock): number =>
  Math.max(1, Math.ceil(Seq.sub(block.right, block.left) / segmentPayload(s)))

const dsackReceived = (s: Sender, block: SackBlock, una: Seq.SeqNum, delivered: number, now: number): void => {
  const u = s.undo
  if (u === undefined || u.retrans === 0) return
  if (!Seq.gt(block.right, u.marker) || Seq.gt(block.right, u.end)) return
  if (Seq.gt(block.right, una) && u.ranges === undefined) return
  const octets = u.ranges === undefined
    ? Seq.sub(block.right, block.left)
    : takeResent(u.ranges, Math.max(0, Seq.sub(block.left, u.marker)), Seq.sub(block.right, u.marker))
  if (octets <= 0) return
  u.retrans = Math.max(0, u.retrans - Math.ceil(octets / segmentPayload(s)))
  // (undone by D-SACKs, in a recovery or after it: Linux's tcp_try_undo_dsack, which adds one to
  // reo_wnd_persist, at most 16; test/tcp/Recovery.test.ts, "a recovery undone by D-SACKs adds one")
  if (tryUndo(s, now, false, una, delivered)) {
    Rack.onDsackUndo(s.rack)
  }
}

/**
 * Every retransmission of the episode came back D-SACKed and the episode is
 * over: the losses were not losses (reordering, or a timer too quick), so
 * the congestion state goes back to what it was (Linux's tcp_try_undo_dsack;
 * RFC 2883 §5; cwnd and ssthresh only, CUBIC's curve too as Linux's
 * tcp_reno_undo_cwnd, not RFC 9438 §4.9.2: Congestion.undo).
 *
 * In a fast recovery too, at the D-SACK that leaves no resend unreported
 * (`undoInRecovery`), with nothing marked lost still to resend: Linux 6.18's
 * tcp_fastretrans_alert runs tcp_try_undo_dsack in TCP_CA_Recovery ("tcp:
 * undo on DSACK during recovery") and then tcp_try_to_open, and
 * tcp_time_to_recover (lost_out 0) starts no new recovery. Waiting for
 * SND.UNA to pass the recovery point held PRR's pace over data still out
 * (test/tcp/Recovery.test.ts, "undoes during the recovery"). With anything
 * still marked lost, resent or not, Linux undoes and at once starts a new
 * recovery, cut again from the window the undo leaves: so here (below).
 */
const tryUndo = (s: Sender, now: number, delayed = false, una: Seq.SeqNum = s.sndUna, delivered = 0): boolean => {
  const u = s.undo
  // (a SACK recovery that ends having resent nothing is undone too: Linux's tcp_try_undo_recovery asks
  // tcp_may_undo, whose tcp_packet_delayed answers true with retrans_stamp 0 for SACK, "no retransmit
  // yet" (undo_retrans is -1 then, tcp_init_undo, so no D-SACK undo). Only at the end, out of the
  // recovery (`endRecovery`): a D-SACK never finds such a record, its `retrans` 0. Without SACK,
  // tcp_packet_delayed answers false at high_seq. Asked for a resend, the recovery ended at ssthresh
  // where Linux keeps PRR's last window (test/tcp/Ecn.test.ts, "the end of a SACK recovery that has
  // resent nothing is an undo")
  const unresent = u !== undefined && !s.recovering && nothingResent(s, una)
  if (u === undefined || (u.sent === 0 && !unresent) || (u.retrans > 0 && !delayed)) return false
  if (s.recovering) {
    if (delayed || !s.sackOk) return false
    // A resend of this recovery still out (the count reached 0 by a D-SACK of a segment resent
    // before it, `countResendsOut`): Linux's skb is LOST with its resend out, so after
    // tcp_try_undo_dsack's undo tcp_time_to_recover (lost_out) starts a recovery at once, cut again
    // from the window given back (max(cwnd, prior_cwnd): the same cut when PRR held cwnd under
    // it), with a new undo record (tcp_init_undo: undo_retrans = retrans_out, the marker at
    // SND.UNA) and high_seq at SND.NXT. The recovery runs on here with that record and point, the
    // undo counted (LINUX_MIB_TCPDSACKUNDO, reo_wnd_persist + 1 and rack.advanced as
    // tcp_try_undo_dsack and tcp_undo_cwnd_reduction set them); ended and undone, the window came
    // back whole where Linux's is cut again (test/tcp/Recovery.test.ts, "a D-SACK of a resend
    // SACKed before the recovery's entry ... a resend still out")
    // (what the ACK in hand acknowledges, `una`, is out no more: Linux's tcp_clean_rtx_queue runs
    // before tcp_fastretrans_alert)
    // Lost data still to resend (not SACKed by this ACK) hands a recovery on just the same: Linux's
    // tcp_try_undo_dsack runs whenever undo_retrans reaches 0, and tcp_undo_cwnd_reduction(sk, false)
    // keeps the LOST marks, so lost_out starts the recovery again on this ACK. Left with no undo at
    // all, the recovery went on under the first cut's ssthresh and record where Linux's, after an ECE,
    // is cut again from PRR's window (test/tcp/Ecn.test.ts, "an ECE on the D-SACK that undoes a SACK
    // recovery with lost data unsent")
    const resendOut = Rack.anyRetransOut(s.rack, una)
    if (resendOut || Rack.anyLostAbove(s.rack, una, (q) => Scoreboard.skip(s.board, q))) {
      // The undo itself first (tcp_try_undo_dsack's tcp_undo_cwnd_reduction): the window as PRR's
      // last step left it (Linux's cwnd in Recovery), and with something given back max(that, the
      // record's) and ssthresh max(ssthresh, the record's); nothing for a record that gives nothing
      // back (`Undo.nothingBack`) or on an ACK with ECE (prior_ssthresh 0 either way). Then the new
      // recovery from Disorder: tcp_enter_recovery records that window (prior_cwnd; prior_ssthresh
      // tcp_current_ssthresh, out of a cwnd reduction max(ssthresh, 3/4 cwnd), or none with ECE) and,
      // not in a cwnd reduction, tcp_init_cwnd_reduction cuts ssthresh again from it and queues CWR.
      // Given back that is the first cut's window and the same ssthresh; given nothing back it is
      // PRR's window, below the one the first cut came from, and the second cut is deeper. The stack
      // kept the first cut's ssthresh and record: four segments at the recovery's end where Linux
      // sends two (test/kernel/ConformanceLoss.test.ts, "the recovery a D-SACK undo hands on after
      // an ECE"); and before a7c935f the old record's saved state, which gave back the window from
      // before an ECE's cut (test/tcp/Ecn.test.ts, "the record a D-SACK undo hands on")
      const p = s.prr
      if (p !== undefined && p.wnd > 0) s.cc.cwnd = Math.max(fullPayload(s), Math.floor(p.wnd))
      s.cc.reducing = false
      if (!ackEce && u.nothingBack !== true) Congestion.undo(s.cc, u.cc)
      // (the episode's first resend stays the clock's start while a resend is out or the head was
      // ever resent: Linux's tcp_retrans_stamp_cleanup, tcp_any_retrans_done. Else retrans_stamp is
      // 0 and the new recovery's first resend sets it, as at an entry, `enterRecovery`)
      const stampKept = resendOut || Rack.everResentAt(s.rack, una)
      if (!stampKept) s.retransStamp = now
      const fresh: Undo = { marker: una, end: s.sndMax, sent: 0, retrans: 0, retransTs: stampKept ? u.retransTs : undefined, ranges: [], cc: Congestion.saveForUndo(s.cc) }
      if (ackEce) fresh.nothingBack = true
      const priorCwnd = Math.max(fullPayload(s), Math.floor(s.cc.cwnd))
      s.algorithm.onLoss(s.cc, Seq.sub(s.sndMax, una), now)
      if (s.ecnOk) s.cwrPending = true
      countResendsOut(s, fresh)
      s.undo = fresh
      s.recover = s.sndMax
      count(s).undos++
      // (and a new recovery: Linux's tcp_enter_recovery adds one to TCPSACKRECOVERY at each entry)
      count(s).fastRetransmits++
      Rack.onDsackUndo(s.rack)
      Rack.forceAdvanced(s.rack)
      // PRR starts again, as Linux's tcp_enter_recovery finds no cwnd reduction running (the undo
      // left Recovery for Disorder) and runs tcp_init_cwnd_reduction: prior_cwnd the window the undo
      // left (above), prr_delivered and prr_out 0; then tcp_cwnd_reduction counts this ACK's
      // delivery, the D-SACK's segments in it (tcp_dsack_seen's sack_delivered: "A spurious
      // retransmission is delivered", `delivered`). Kept, the old count (prr_out its resends, and no
      // delivery for a D-SACK) held back the segment Linux sends at this ACK
      // (test/tcp/Recovery.test.ts, "starts PRR again")
      if (p !== undefined) {
        s.prr = { ...p, recoverFs: priorCwnd, delivered, out: 0, stale: true, owed: 0 }
        s.ackDelivered = delivered
      }
      return false
    }
    // (PRR's window as the last ACK left it: Linux's cwnd, which an undo with ECE keeps, below)
    const kept = s.prr !== undefined && s.prr.wnd > 0 ? s.prr.wnd : undefined
    undoInRecovery(s)
    // An ECE on this ACK: Linux's prior_ssthresh is 0 first, so tcp_undo_cwnd_reduction gives back
    // nothing (cwnd PRR's, ssthresh the recovery's) and withdraws no CWR; tcp_try_keep_open leaves
    // Recovery, and the Recovery case returns with nothing lost before any tcp_try_to_open: no CWR
    // entered, no cut for the ECE (`eceTakenByUndo`), and tcp_cong_control, out of any reduction,
    // may grow the window. Given back and then cut for the ECE, the next write sent one segment
    // where Linux sends PRR's window (test/kernel/ConformanceLoss.test.ts, "the D-SACK undo during
    // the recovery on an ACK with ECE")
    // (the same for a recovery entered during an ECN cut, `Undo.nothingBack`, whatever this ACK says)
    if (ackEce || u.nothingBack === true) {
      if (kept !== undefined) s.cc.cwnd = Math.max(fullPayload(s), Math.floor(kept))
      s.cc.reducing = false
      if (ackEce) {
        eceTakenByUndo = true
        eceUndone = true
      }
    }
  } else if (Seq.lt(s.sndUna, s.recover)) {
    return false
  }
  s.undo = undefined
  // An ECE on this ACK, out of a recovery (a late D-SACK in Open, or the echo at a SACK recovery's
  // end): Linux's prior_ssthresh is 0 first, so tcp_undo_cwnd_reduction gives nothing back, and
  // tcp_try_to_open then enters CWR from the window as it is (`onEce`, after this). Given back, the
  // ECE's cut came from the old window (test/tcp/Ecn.test.ts, "an ECE on the ACK whose late D-SACK
  // shows a recovery needless"). (At a recovery's end Linux's window is PRR's last: `endRecovery`
  // sets it. In a recovery: above)
  if (!ackEce && u.nothingBack !== true) undoCut(s, u)
  // (Linux's tcp_undo_cwnd_reduction: RACK looks again at its next run, rack.advanced)
  Rack.forceAdvanced(s.rack)
  // (the echo's, or nothing resent: tcp_packet_delayed's; all resends D-SACKed: the D-SACKs')
  if (u.retrans > 0 || unresent) count(s).eifelUndos++
  else count(s).undos++
  return true
}

/**
 * Without SACK, the ACK of the recovery point itself echoes a timestamp older than the recovery's
 * first retransmission (`delayed`): Linux 6.18's tcp_try_undo_recovery undoes (tcp_may_undo:
 * tcp_packet_delayed; its 6.16 fix for tcp_is_non_sack_preventing_reopen stops only an undo where
 * retrans_stamp is 0, nothing resent) and then holds Recovery there all the same. The undo gives
 * back ssthresh (tcp_undo_cwnd_reduction), but the cwnd it gives back is gone at once:
 * tcp_cong_control, still in Recovery, runs tcp_cwnd_reduction for the ACK, so cwnd = in_flight +
 * PRR-SSRB's count under the ssthresh given back (`recoveryWindow`, at the batch's end). Undo_marker
 * is 0 after it, so the ACK past the recovery point goes to Open without cwnd = ssthresh
 * (tcp_end_cwnd_reduction asks undo_marker): `Prr.undone`, `endRecovery`. Ended and undone whole
 * (RFC 4015), the window sent ten segments where Linux sends eight
 * (test/kernel/ConformanceLoss.test.ts, "the undo at the recovery point itself").
 */
const undoAtHold = (s: Sender, giveBack: boolean): void => {
  const live = s.undo
  const u = live ?? s.prr?.cutKept
  if (u === undefined || u.sent === 0 || s.prr === undefined) return
  s.undo = undefined
  s.prr.cutKept = undefined
  // (after an ECE, this ACK's or one before in the recovery, Linux's prior_ssthresh is 0:
  // tcp_undo_cwnd_reduction gives back nothing and withdraws no CWR, yet clears undo_marker, so the
  // hold's PRR goes on under the cut's ssthresh and the ACK past it keeps PRR's window:
  // test/kernel/ConformanceLoss.test.ts, "the undo at the recovery point itself with ECE"). So
  // for a recovery entered during an ECN cut (`Undo.nothingBack`: tcp_enter_recovery in CWR leaves
  // prior_ssthresh 0)
  if (live !== undefined && giveBack && live.nothingBack !== true) {
    undoCut(s, u)
  }
  s.prr.undone = true
  count(s).eifelUndos++
  // (PRR's window for this ACK now, with the ssthresh given back, as Linux's tcp_cong_control sets
  // cwnd for it before the next ACK: an ACK past the recovery point later in the same batch then
  // keeps this window, not the one before the hold's)
  recoveryWindow(s)
}

/**
 * Without SACK, a partial ACK in a fast recovery whose echo is older than the recovery's first
 * retransmission (`delayed`), with no resend still out (HighRxt at SND.UNA, Linux's retrans_out 0):
 * the hole was filled by its original, late. Linux's tcp_try_undo_partial undoes at once
 * (tcp_undo_cwnd_reduction: cwnd max(cwnd, prior_cwnd), ssthresh given back, undo_marker 0) and
 * tcp_try_keep_open leaves Recovery for Disorder, the duplicates still counted (sacked_out after
 * tcp_remove_reno_sacks), high_seq = snd_nxt; tcp_check_sack_reordering raises no tp->reordering
 * for a Reno connection there (TCP_INFO's reordering stayed 3). No loss is marked unless the count
 * is at tp->reordering (tcp_newreno_mark_lost in Disorder; then tcp_time_to_recover starts a new
 * recovery at once: `onAckLosses`), and tcp_cong_control, out of cwnd reduction, grows cwnd by
 * what the ACK delivered (the caller). Taken for a plain partial ACK, the head was marked lost and
 * PRR's window held everything (test/kernel/ConformanceLoss.test.ts, "a partial ACK that echoes the
 * original"). With a resend still out Linux undoes nothing and marks nothing, as the plain path
 * here, whose head is not lost while HighRxt is past SND.UNA.
 */
const undoPartial = (s: Sender, giveBack: boolean, now: number): void => {
  const live = s.undo
  const u = live ?? s.prr?.cutKept
  if (u !== undefined) {
    s.undo = undefined
    count(s).eifelUndos++
    if (live !== undefined && giveBack && live.nothingBack !== true) {
      undoCut(s, u)
    } else {
      // After an ECE (this ACK's or one before in the recovery), or for a recovery entered during
      // an ECN cut (`Undo.nothingBack`), Linux's prior_ssthresh is 0:
      // tcp_undo_cwnd_reduction gives back nothing and withdraws no CWR, but the recovery ends all
      // the same (tcp_try_keep_open), cwnd as tcp_cwnd_reduction last set it (PRR's window) and
      // ssthresh the cut's. Given back whole, then cut again for the ECE, the window sent nothing
      // where Linux sends a segment (test/kernel/ConformanceLoss.test.ts, "without SACK, ECN")
      const wnd = s.prr !== undefined && s.prr.wnd > 0 ? s.prr.wnd : s.cc.cwnd
      s.algorithm.onRecoveryEnd(s.cc, Seq.sub(s.sndMax, s.sndUna), now)
      s.cc.cwnd = wnd
    }
  }
  s.recovering = false
  s.prr = undefined
  // (Disorder: the count stays, and lets as many segments go as it holds, `limited`)
  s.dupAcks = s.renoSacked
  s.limitedOut = 0
  s.recover = Seq.add(s.sndUna, -1)
}

/**
 * With SACK, a partial ACK in a fast recovery whose echo is older than the recovery's first
 * retransmission (`delayed`: Linux's undo_marker and tcp_packet_delayed), or of a recovery that has
 * resent nothing yet (`nothingResent`, tcp_packet_delayed with retrans_stamp 0): the hole at the
 * SND.UNA before it, `unaBefore`, was filled by its original. Linux's tcp_try_undo_partial first counts the
 * reordering from there (tcp_check_sack_reordering(sk, prior_snd_una, 1): reord_seen, and the degree
 * up to the highest SACKed sequence, `Rack.reorderedFrom`). With a resend still out (retrans_out,
 * `Rack.anyRetransOut`) the recovery goes on but nothing more is marked or resent at this ACK
 * (`undoHeld`): new data goes under PRR's window. Else tcp_undo_cwnd_reduction(sk, true): cwnd
 * max(PRR's window, prior_cwnd) and ssthresh given back (nothing after an ECE or for a recovery
 * entered in an ECN cut: prior_ssthresh 0), every LOST mark cleared and RACK to look again
 * (rack.advanced); LINUX_MIB_TCPPARTIALUNDO (`eifelUndos`, as without SACK, `undoPartial`);
 * tcp_try_keep_open leaves Recovery (Open or Disorder, which the stack reads from the scoreboard
 * and log, `openState`), retrans_stamp 0 unless the head was ever resent. tcp_identify_packet_loss
 * then runs RACK, and tcp_time_to_recover starts a new recovery only for what it marks (`rackDetect`
 * at the batch's end). True when it undid.
 */
const sackUndoPartial = (s: Sender, unaBefore: Seq.SeqNum): boolean => {
  Rack.reorderedFrom(s.rack, unaBefore, s.sndUna, s.board, segmentPayload(s))
  if (Rack.anyRetransOut(s.rack, s.sndUna)) {
    undoHeld = true
    return false
  }
  const u = s.undo!
  // (PRR's window as the last ACK left it: Linux's cwnd in Recovery, which tcp_undo_cwnd_reduction
  // raises to prior_cwnd at most, or keeps when it gives nothing back)
  const p = s.prr
  if (p !== undefined && p.wnd > 0) s.cc.cwnd = Math.max(fullPayload(s), Math.floor(p.wnd))
  s.cc.reducing = false
  s.undo = undefined
  if (!ackEce && u.nothingBack !== true) undoCut(s, u)
  // (an ECE on this ACK: tcp_try_keep_open left Recovery and tcp_time_to_recover returns before any
  // tcp_try_to_open, so no CWR is entered for it, as the D-SACK's undo in a recovery, `tryUndo`; a
  // recovery RACK starts for it gives nothing back, `eceUndone`)
  else if (ackEce) {
    eceTakenByUndo = true
    eceUndone = true
  }
  undoInRecovery(s)
  Rack.unmarkLost(s.rack)
  Rack.forceAdvanced(s.rack)
  if (!Rack.everResentAt(s.rack, s.sndUna)) s.retransStamp = undefined
  count(s).eifelUndos++
  return true
}

/**
 * A fast recovery proved needless before SND.UNA reached its recovery point
 * ends here, its window to be given back (`tryUndo`) rather than deflated to
 * ssthresh (`endRecovery`'s onRecoveryEnd; Linux's tcp_undo_cwnd_reduction
 * with no tcp_end_cwnd_reduction). `recover` goes just behind SND.UNA, as
 * after a spurious timeout: Linux's Open (tcp_try_to_open), where a new loss
 * may start a recovery at once, not a timeout's episode (SND.UNA short of it).
 */
const undoInRecovery = (s: Sender): void => {
  s.recovering = false
  s.prr = undefined
  s.renoSacked = 0
  s.dupAcks = 0
  // (no recovery off RACK's reo_wnd_persist: the D-SACK undo adds one instead, `dsackReceived`)
  s.recover = Seq.add(s.sndUna, -1)
}

/**
 * Eifel detection (RFC 3522; Linux's tcp_packet_delayed): the ACK echoes a
 * timestamp older than the loss episode's first retransmission, so the
 * segment it answers was sent before any of them: an original arrived, and
 * what the episode resent up to this ACK was not needed.
 */
const echoPredatesEpisode = (s: Sender, a: AckInfo, u: Undo | undefined = s.undo): boolean => {
  return u !== undefined && u.retransTs !== undefined && s.tsOk && echoBefore(a, u.retransTs)
}

/**
 * Linux 6.x's tcp_packet_delayed with retrans_stamp 0, for a fast recovery: nothing resent since it
 * began (tcp_enter_recovery cleared the stamp, tcp_retrans_stamp_cleanup, and only a resend sets it
 * again, tcp_retransmit_skb), so SND.UNA moving shows a hole filled by its original, with no echo to
 * ask ("no retransmit yet ... apparently a packet was merely delayed, not lost"). The stack's
 * recoveries resend at once, except one entered during an ECN cut that has sent (PRR's window holds
 * the first resend, `enterRecovery`). Not when the stamp was kept at the entry (`Undo.stampKept`),
 * nor for a record this ACK's own D-SACK undo handed on (`tryUndo`: its marker at this ACK's
 * SND.UNA, not at or below `unaBefore`): Linux's tcp_try_undo_partial runs before
 * tcp_try_undo_dsack, on the recovery that resent. Without SACK only below the recovery point
 * (tcp_packet_delayed's exception: tcp_is_non_sack_preventing_reopen clears the stamp at high_seq
 * after resends too), on the live record or the one an ECE in the recovery kept (`Prr.cutKept`:
 * Linux's undo_marker outlives the ECE)
 */
const nothingResent = (s: Sender, unaBefore: Seq.SeqNum, u: Undo | undefined = s.undo): boolean =>
  u !== undefined && u.sent === 0 && u.retransTs === undefined && u.stampKept !== true &&
  Seq.lte(u.marker, unaBefore) && (s.sackOk || Seq.lt(s.sndUna, s.recover))

/**
 * A SACK recovery once reordering was seen (RACK.reord, Linux's reord_seen): RACK's window there is
 * min RTT / 4, not 0 (tcp_rack_reo_wnd), so a hole below the highest SACKed octet is not lost until
 * RACK marks it. Linux resends LOST skbs only (tcp_xmit_retransmit_queue) and counts an unmarked hole
 * in flight (tcp_packets_in_flight), so the recovery goes by RACK's marks and the log's count, not by
 * the scoreboard's holes (RFC 6675's NextSeg and pipe, which take every hole there for lost: exact
 * while RACK's window is 0). Taken by the holes, after tcp_try_undo_partial's hold (which sets
 * reord_seen) the next SACK resent a segment RACK was still waiting for (test/tcp/Recovery.test.ts,
 * "after the hold, reordering seen")
 */
const byRack = (s: Sender): boolean => s.recovering && s.rack.reordering

/**
 * RFC 6675 §4 pipe, octets in the network: the scoreboard's estimate, less
 * the retransmissions RACK has found lost again (RFC 6675 counts everything
 * retransmitted below HighRxt as in flight).
 */
export const pipe = (s: Sender): number => {
  if (!s.sackOk) return renoPipe(s)
  // (and in a recovery once reordering was seen, `byRack`: the partial ACK held by its echo, `undoHeld`,
  // sets reord_seen itself, so the holes below the highest SACKed octet RACK has not marked are in
  // flight as Linux's tcp_packets_in_flight counts them, at that ACK and after it, not taken for lost
  // as the scoreboard's estimate below takes them)
  if (s.prr?.byLog === true || byRack(s)) return Rack.inFlight(s.rack) + runtPad(s)
  const top = Scoreboard.highest(s.board)
  // (and less what RACK marked lost above the highest SACKed octet, which RFC 6675's pipe counts
  // in flight there, Linux's in_flight not: packets_out - (sacked_out + lost_out) + retrans_out; a
  // spurious timeout's originals, found lost by age, went again all at one ACK)
  const from = top === undefined ? s.highRxt : Seq.max(top, s.highRxt)
  // (each segment in flight by the log a full one, however short: Linux's tcp_packets_in_flight counts
  // packets, `runtPad`; 0 for full-sized segments)
  return Scoreboard.pipe(s.board, s.sndUna, s.sndMax, s.highRxt) - Rack.lostRetransmitted(s.rack, s.highRxt) -
    Rack.lostFrom(s.rack, from) + runtPad(s)
}

/**
 * The window a SACK recovery's sends are held to: RFC 6937's PRR, worked
 * out once per ACK from the current pipe, as Linux's tcp_cwnd_reduction sets
 * cwnd to what is in flight plus `sndcnt`. While pipe is above ssthresh,
 * sending follows what the peer received, scaled by ssthresh over the flight
 * at the start (proportional rate reduction); below it, it grows back
 * towards ssthresh no faster than slow start (PRR-SSRB: at most what was
 * delivered, plus one segment on an ACK that moved SND.UNA and showed no
 * new loss, as Linux's tcp_cwnd_reduction and RFC 6937bis: a SACK alone,
 * or a loss, sends only what was delivered).
 */
const recoveryWindow = (s: Sender): number => {
  const p = s.prr
  if (p === undefined) return s.cc.cwnd
  if (p.stale) {
    const inFlight = pipe(s)
    const ssthresh = s.cc.ssthresh
    const full = segmentPayload(s)
    // (what the batch's earlier ACKs let out, `Prr.owed`, counts in flight for the branch, as
    // Linux's sends at those ACKs would: the proportional total is then what one at a time sends,
    // at least those; and the batch's total is held to ssthresh - pipe, or to the proportional
    // target where that is more, as the earlier counts were taken without RACK's marks)
    const prop = prrProportional(s, p)
    const sndcnt = inFlight + p.owed > ssthresh
      ? Math.min(Math.max(p.owed, prop), Math.max(ssthresh - inFlight, prop))
      : Math.min(ssthresh - inFlight, p.owed + Math.max(p.delivered - p.out - p.owed, s.ackDelivered) + (s.ackSafe ? full : 0))
    p.wnd = inFlight + Math.max(0, sndcnt)
    p.stale = false
    p.owed = 0
  }
  return p.wnd
}

/**
 * PRR's proportional target (RFC 6937, Linux's tcp_cwnd_reduction with pipe above ssthresh):
 * ceil(prr_delivered × ssthresh / RecoverFS) - prr_out, in whole segments, rounded up, as Linux
 * counts it in packets (in octets a fraction of a segment would hold back a send that Linux makes).
 */
const prrProportional = (s: Sender, p: Prr): number => {
  const full = segmentPayload(s)
  return Math.ceil((p.delivered * s.cc.ssthresh) / Math.max(1, p.recoverFs) / full) * full - p.out
}

/**
 * What an earlier ACK of a batch let out (`Prr.owed`), by its own DeliveredData and SND.UNA's
 * advance (`ackDelivered`, `ackSafe`) and the pipe it left, with the batch's earlier counts in
 * flight as if sent: the proportional target above ssthresh, else PRR-SSRB's without its cap
 * (the pipe here still holds what RACK marks only at the batch's end: the cap is the batch's,
 * `recoveryWindow`).
 */
const prrOwed = (s: Sender, p: Prr, pipeThen: number): number =>
  pipeThen + p.owed > s.cc.ssthresh
    ? prrProportional(s, p) - p.owed
    : Math.max(p.delivered - p.out - p.owed, s.ackDelivered) + (s.ackSafe ? segmentPayload(s) : 0)

/**
 * Without SACK, a timeout's episode (SND.UNA short of its `recover`, Linux's high_seq) with data
 * sent past `recover`: F-RTO's new data (step 2.b). The timeout marked lost only what was out when
 * it fired (tcp_timeout_mark_lost), so that data is in flight, never resent by the go-back.
 */
const renoPastRecover = (s: Sender): boolean =>
  !s.sackOk && !s.recovering && Seq.lt(s.sndUna, s.recover) && Seq.gt(s.sndMax, s.recover)

/**
 * In a timeout's go-back without SACK with data sent past its `recover` (`renoPastRecover`: F-RTO's
 * new data, step 2.b, whose ACK went back over the old flight): octets in flight besides
 * SND.NXT - SND.UNA, what lies past both SND.NXT and `recover` (none once the go-back has reached
 * `recover` and SND.NXT has gone on to SND.MAX, `push`), less the duplicates counted since (Linux's
 * tcp_packets_in_flight in TCP_CA_Loss, packets_out - (sacked_out + lost_out) + retrans_out, with
 * tcp_process_loss's tcp_add_reno_sack). Left out, the go-back after F-RTO's proof of a real loss
 * sent two old segments a duplicate where Linux sends one (test/kernel/ConformanceLoss.test.ts,
 * "without SACK, an RTO whose loss was real"). May be negative (the duplicates count resends too);
 * 0 elsewhere.
 */
const renoLossBeyond = (s: Sender): number =>
  // (never below 0: Linux's tcp_limit_reno_sacked holds sacked_out to packets_out - lost_out, the
  // packets sent past the timeout's flight, so duplicates beyond those count nothing. Below 0, a
  // lone F-RTO packet (a bare FIN) and two duplicates took a segment off the go-back's resends in
  // flight, and a third old segment went at the second duplicate where Linux sends nothing:
  // test/kernel/ConformanceLoss.test.ts, "after F-RTO's FIN a real loss")
  renoPastRecover(s) ? Math.max(0, Seq.sub(s.sndMax, Seq.max(s.sndNxt, s.recover)) - s.renoSacked * segmentPayload(s)) : 0

/**
 * Without SACK, Linux's in_flight for a Reno connection (tcp_packets_in_flight: packets_out -
 * (sacked_out + lost_out) + retrans_out), in octets: what is out, less the segments the
 * duplicates counted (`renoSacked`, at most all but one segment of it: tcp_limit_reno_sacked; in
 * octets as they were when the count was set, `Prr.renoCredit`), less
 * the segment at SND.UNA while it is marked lost and not yet sent again (lost_out 1, retrans_out
 * 0: tcp_newreno_mark_lost marks the head at the recovery's start and at each partial ACK; once
 * resent, HighRxt is past SND.UNA and the two cancel). What a go-back in the recovery has sent
 * again from SND.UNA (SND.NXT short of SND.MAX) counts besides, as Linux's retrans_out: its
 * originals are still in `out`, and left out the whole go-back went at the first duplicate that
 * gave PRR room. (A shut window made such a go-back until window53; it now keeps what is out in
 * flight, as Linux's, and the term is 0 there.)
 */
const renoPipe = (s: Sender): number => {
  const out = Seq.sub(s.sndMax, s.sndUna)
  const full = segmentPayload(s)
  const sacked = s.prr === undefined ? 0 : Math.min(s.prr.renoCredit, Math.max(0, out - full))
  const lost = s.recovering && !Seq.gt(s.highRxt, s.sndUna) && Seq.lt(s.sndUna, s.recover) ? Math.min(full, out - sacked) : 0
  const resent = Seq.lt(s.sndNxt, s.sndMax) ? Seq.sub(s.sndNxt, s.sndUna) : 0
  return Math.max(0, out - sacked - lost) + resent
}

/**
 * Without SACK, an ACK that takes SND.UNA to `recover` exactly, in a fast recovery: Linux holds a
 * Reno connection in Recovery there (tcp_try_undo_recovery: "Hold old state until something
 * *above* high_seq is ACKed"), so that duplicates of the window just recovered start no false fast
 * retransmit (RFC 6582 §3.2 step 1's concern).
 */
const renoHold = (s: Sender, a: AckInfo): boolean => !s.sackOk && s.recovering && a.ack === s.recover

/**
 * The most segments duplicates may count out of the network: all but one of those out from `una`
 * (Linux's tcp_limit_reno_sacked, after each duplicate and each ACK of data, tcp_check_reno_reordering).
 */
const renoSackedCap = (s: Sender, una = s.sndUna): number => Math.max(0, Math.ceil(Seq.sub(s.sndMax, una) / segmentPayload(s)) - 1)

/**
 * A duplicates' count held to all but one of the segments out from `una` (Linux's
 * tcp_limit_reno_sacked), and, when it had to be, reordering seen: Linux's
 * tcp_check_reno_reordering sets tp->reordering to the segments out plus `addend` (the segments
 * the ACK took, for an ACK of data: tcp_remove_reno_sacks), at most 300. The count held.
 */
const renoLimit = (s: Sender, count: number, una: Seq.SeqNum, addend: number): number => {
  const cap = renoSackedCap(s, una)
  if (count <= cap) return count
  s.renoReordering = Math.min(cap + 1 + addend, RENO_MAX_REORDERING)
  return cap
}

/** Linux's sysctl_tcp_reordering and sysctl_tcp_max_reordering defaults (segments). */
const RENO_REORDERING = 3
const RENO_MAX_REORDERING = 300

/**
 * Sets the duplicates' count, and the octets it takes out of the pipe with what is out from `una`
 * then: its segments, at most all of it beyond one segment (Linux's tcp_limit_reno_sacked, whose
 * packets_out - 1 is in packets; in octets beyond a runt the bound is the runt). Fixed until the
 * count is set again, as Linux's sacked_out is: data sent meanwhile is in flight whole.
 */
const renoCount = (s: Sender, p: Prr, count: number, una: Seq.SeqNum): void => {
  const full = segmentPayload(s)
  s.renoSacked = count
  p.renoCredit = Math.min(count * full, Math.max(0, Seq.sub(s.sndMax, una) - full))
}

/**
 * Without SACK, what an ACK to `ack` frees of the log before it lets go (Linux's
 * tcp_clean_rtx_queue): whether it passes a segment's end (`ackWhole`, FLAG_ACKED), the segments it
 * frees whole (`renoAckSegs`, pkts_acked) and their octets (`renoAcked`), the part of the first
 * that SND.UNA had moved into before counted with them; what it moves into the next is kept for
 * the ACK that frees it (`unaPartial`), as the SACK path does (`onAck`).
 */
const renoFreed = (s: Sender, ack: Seq.SeqNum, advances: boolean): void => {
  s.ackWhole = false
  renoAckSegs = 0
  renoAcked = 0
  if (!advances) return
  const edge = Rack.segmentEdgeAtOrBefore(s.rack, ack)
  if (!Seq.gt(edge, s.sndUna)) {
    s.unaPartial += Seq.sub(ack, s.sndUna)
    return
  }
  s.ackWhole = true
  renoAckSegs = Rack.entriesEndingBy(s.rack, ack)
  renoAcked = Seq.sub(edge, s.sndUna) + s.unaPartial
  s.unaPartial = Seq.sub(ack, edge)
}

/**
 * One ACK's PRR step in a fast recovery without SACK, before it moves SND.UNA (Linux's tcp_ack for a
 * Reno connection in Recovery). A duplicate counts one segment out of the network and delivered
 * (tcp_add_reno_sack: sacked_out + 1, tp->delivered + 1), unless all but one are counted already
 * (tcp_limit_reno_sacked: then it delivers nothing). A partial ACK of n segments delivers
 * max(n - counted, 1): the hole, the rest "eat duplicate ACKs" (tcp_remove_reno_sacks, which takes
 * n - 1 off the count); it gets no PRR-SSRB +1, as tcp_newreno_mark_lost marks the new head lost on
 * it (tcp_cwnd_reduction's newly_lost). One that acknowledges no whole segment (inside the resent
 * head) delivers nothing and counts nothing (tcp_clean_rtx_queue frees no skb). An ACK that delivers nothing makes no step
 * (tcp_cwnd_reduction returns at newly_acked_sacked 0). An earlier ACK of the batch is folded into
 * `Prr.owed` first, as with SACK (`onAck`). The ACK that reaches `recover` itself holds the
 * recovery (`renoHold`): the count goes, and its step has the +1; the ACK past it ends the
 * recovery after this (`newAck`): cwnd = ssthresh, Linux's tcp_end_cwnd_reduction.
 */
const renoPrrStep = (s: Sender, a: AckInfo, advances: boolean, winUpdate: boolean, inBatch: boolean): void => {
  const p = s.prr
  if (p === undefined) return
  const full = segmentPayload(s)
  const fold = inBatch && p.stale && s.ackDelivered > 0
  const pipeBefore = fold ? pipe(s) : 0
  let delivered = 0
  let safe = false
  if (advances) {
    // An ACK that ends inside the segment at SND.UNA acknowledges no whole one (in practice one
    // inside the resent head): Linux's tcp_clean_rtx_queue stops at a one-segment skb the ACK only
    // partly covers, so no FLAG_DATA_ACKED, no tcp_remove_reno_sacks (the count stays), nothing
    // delivered, and tcp_cwnd_reduction returns at newly_acked_sacked 0; tcp_newreno_mark_lost finds
    // the head LOST already. No step, then, where one segment counted delivered let a new one go
    // (test/tcp/Recovery.test.ts, "an ACK inside the resent head delivers nothing")
    if (!s.ackWhole) return
    // (the whole segments it frees: an ACK of 2.5 segments frees two, Linux's pkts_acked, where
    // ceil(octets / segment) counted three and delivered one more than Linux's max(2 - counted, 1);
    // test/tcp/PartialAck.test.ts)
    const segs = Math.max(1, renoAckSegs)
    delivered = Math.max(segs - s.renoSacked, 1) * full
    // (and held to all but one of what is still out, as tcp_remove_reno_sacks's
    // tcp_check_reno_reordering holds it: a count at the old cap, after duplicates past what was
    // out, stood a segment above the new one, and the next duplicate took that off PRR's delivered.
    // At `recover` itself, the hold, the count goes (tcp_reset_reno_sack), and no loss is marked:
    // tcp_fastretrans_alert returns before tcp_newreno_mark_lost, so PRR-SSRB's +1 is due)
    safe = renoHold(s, a)
    const left = renoLimit(s, Math.max(0, s.renoSacked - (segs - 1)), a.ack, segs)
    renoCount(s, p, safe ? 0 : left, a.ack)
  } else if (
    // (at the hold a duplicate counts nothing: tcp_fastretrans_alert resets the count and returns
    // before tcp_add_reno_sack)
    s.persistAt === undefined && Seq.gt(s.sndMax, s.sndUna) && Seq.lt(s.sndUna, s.recover) &&
    a.ack === s.sndUna && a.len === 0 && !winUpdate
  ) {
    const before = s.renoSacked
    renoCount(s, p, renoLimit(s, before + 1, s.sndUna, 0), s.sndUna)
    // (tcp_add_reno_sack counts only delivered > 0)
    delivered = Math.max(0, s.renoSacked - before) * full
  }
  if (delivered === 0) return
  if (fold) p.owed += Math.max(0, prrOwed(s, p, pipeBefore))
  s.ackDelivered = delivered
  s.ackSafe = safe
  p.delivered += delivered
  p.stale = true
}

/**
 * A fast recovery without SACK, at the batch's end: the segment at SND.UNA goes again first, if
 * it is lost and not yet resent (a partial ACK's, RFC 6582 §3.2 step 3) and PRR's window has room
 * for it, as Linux's tcp_xmit_retransmit_queue sends the LOST head while cwnd - in_flight allows,
 * before tcp_data_snd_check's new data (`push`, after). Its resend restarts the timer
 * (tcp_xmit_retransmit_queue re-arms it for the head).
 */
const renoRecover = (s: Sender, now: number, out: Array<OutSegment>): void => {
  if (!sending(s) || s.persistAt !== undefined || Seq.gt(s.highRxt, s.sndUna) || !Seq.lt(s.sndUna, s.recover)) return
  if (Math.floor(recoveryWindow(s)) - pipe(s) < segmentPayload(s)) return
  const sent = retransmitFirst(s, now, out)
  if (sent > 0) {
    s.highRxt = Seq.add(s.sndUna, sent)
    s.rtoAt = now + s.rtt.rto
  }
}

/**
 * Resend, while cwnd - pipe has room for a segment: first what RACK marked
 * lost (RFC 8985 §6: a lost retransmission too), then the holes the
 * scoreboard shows (RFC 6675 §5 NextSeg (1)).
 */
const sackRecover = (s: Sender, now: number, out: Array<OutSegment>): void => {
  const full = segmentPayload(s)
  const dataEnd = SendBuffer.end(s.buffer)
  for (;;) {
    if (Math.floor(recoveryWindow(s)) - pipe(s) < full) return
    const end = resendFirstLost(s, now, out)
    if (end === undefined) break
    if (Seq.gt(end, s.highRxt)) s.highRxt = end
  }
  // (at an ACK inside a batch, RACK's marks only: `innerMarks`; and once reordering was seen,
  // `byRack`)
  if (innerMarks || byRack(s)) return
  for (;;) {
    if (Math.floor(recoveryWindow(s)) - pipe(s) < full) return
    const hole = Scoreboard.nextHole(s.board, Seq.max(s.highRxt, s.sndUna))
    if (hole === undefined) return
    const len = Math.min(full, Seq.sub(hole.end, hole.start), Seq.sub(dataEnd, hole.start))
    if (len <= 0) return
    // (nothing sent: the hole lies past a window the peer has shrunk, and so do those after it)
    const sent = resend(s, out, hole.start, len, false, now)
    if (sent === undefined) return
    s.highRxt = Seq.add(hole.start, sent)
  }
}

/**
 * A recovery that starts without the first retransmission from SND.UNA
 * (`enterRecovery`: the episode before resent it, or the peer SACKed it)
 * still sends one segment when PRR's window has no room: Linux's
 * tcp_cwnd_reduction forces a fast retransmit at a recovery's start
 * (`sndcnt = max(sndcnt, prr_out ? 0 : 1)`), and tcp_xmit_retransmit_queue
 * sends the first LOST skb. (Where the first retransmission goes, it is that
 * one segment: RFC 6675 §5 step 4.3.) Nothing when RACK marked none lost.
 */
const firstLostAtEntry = (s: Sender, now: number, out: Array<OutSegment>): void => {
  if (s.prr === undefined || s.prr.out > 0 || !sending(s)) return
  const end = resendFirstLost(s, now, out)
  if (end !== undefined && Seq.gt(end, s.highRxt)) s.highRxt = end
}

/**
 * Send octets already sent once (a hole, the oldest segment, the tail again)
 * without moving SND.NXT back; the data octets sent, or undefined when none
 * went. Held to the peer's window as Linux's tcp_retransmit_skb holds it: a
 * peer that has shrunk its window since drops what lies past it, so that is
 * not sent again, and a segment reaching past the edge is cut there. Into a
 * shut window only the segment at SND.UNA goes again, whole: Linux's
 * __tcp_retransmit_skb lets it serve as the zero-window probe (avail_wnd =
 * cur_mss), as the retransmission timer sends it with data out (`onRto`); a
 * bare FIN sent before too (a FIN never sent waits, `push`).
 */
const resend = (
  s: Sender,
  out: Array<OutSegment>,
  seq: Seq.SeqNum,
  len: number,
  fin: boolean,
  now: number
): number | undefined => {
  const room = Seq.sub(Seq.add(s.sndUna, s.sndWnd), seq)
  if (room <= 0 && seq !== s.sndUna) return undefined
  if (room > 0 && len > room) {
    len = room
    fin = false
  }
  const nxt = s.sndNxt
  const sent = sendData(s, out, seq, len, fin, now)
  if (Seq.gt(nxt, s.sndNxt)) s.sndNxt = nxt
  return sent
}

/** Resend the oldest unacknowledged segment (ending before `limit` if given); the data octets resent. */
const retransmitFirst = (s: Sender, now: number, out: Array<OutSegment>, limit?: Seq.SeqNum): number => {
  const data = Math.max(0, Seq.sub(SendBuffer.end(s.buffer), s.sndUna))
  // (a head sent again before goes as it went, less what an ACK inside it took, joined with whole
  // ones after it that fit: Linux's resent head is a one-segment skb, which __tcp_retransmit_skb
  // resends trimmed to SND.UNA, tcp_trim_head, and tcp_retrans_try_collapse joins only skbs that
  // fit whole in the MSS, `Rack.resendEnd`. A full segment from SND.UNA after an ACK of 501 inside
  // the resent 1000-octet head sent 501-1501 where Linux sends 501-1001;
  // test/kernel/ConformanceLoss.test.ts, "the RTO after an ACK inside the resent head")
  const head = Rack.resendEnd(s.rack, s.sndUna, segmentPayload(s))
  const room = head === undefined ? data : Math.max(1, Seq.sub(head, s.sndUna))
  const len = Math.min(segmentPayload(s), data, room, limit === undefined ? data : Math.max(0, Seq.sub(limit, s.sndUna)))
  const fin = finEnd(s)
  const withFin = fin !== undefined && len === data && Seq.lte(fin, s.sndMax) && finRidesResend(s, s.sndUna, len)
  if (len === 0 && !withFin) return 0
  return resend(s, out, s.sndUna, len, withFin, now) ?? 0
}

const finAcked = (s: Sender, now: number): void => {
  switch (s.state) {
    case "FinWait1":
      s.state = "FinWait2"
      if (s.appClosed) s.finWait2At = now + orphanLife(s.params.finWait2, s.rtt.rto)
      return
    case "Closing":
      // No ACK goes as Linux's socket becomes a timewait sock here, which keeps the window its last
      // ACK announced (tcp_time_wait's tw_rcv_wnd): the one of the peer's FIN, as a read after that
      // FIN announces nothing (tcp_cleanup_rbuf, RCV_SHUTDOWN). Pinned now, as the receive half
      // pins the orphan's (`Receiver.twWnd`), or TIME-WAIT's first ACK would open it by that read
      if (s.twWnd === undefined) {
        s.twWnd = s.view.rcvShut || s.view.rcvEdge === undefined ? 0 : Math.max(0, Seq.sub(s.view.rcvEdge, s.rcvNxt))
      }
      enterTimeWait(s, now)
      return
    case "LastAck":
      close(s)
      return
  }
}

/** The peer's FIN was taken (RFC 9293 §3.10.7.4, eighth). */
const onFin = (s: Sender, now: number): void => {
  switch (s.state) {
    case "SynReceived":
    case "Established":
      s.state = "CloseWait"
      return
    case "FinWait1":
      s.state = "Closing"
      return
    case "FinWait2":
      enterTimeWait(s, now)
      return
  }
}

const enterTimeWait = (s: Sender, now: number): void => {
  s.state = "TimeWait"
  s.timeWaitAt = now + s.params.timeWait
  s.finWait2At = undefined
  s.rtoAt = undefined
  s.persistAt = undefined
  s.keepaliveAt = undefined
}

const close = (s: Sender): void => {
  s.state = "Closed"
  s.rtoAt = undefined
  s.persistAt = undefined
  s.ackDue = undefined
  s.timeWaitAt = undefined
  s.finWait2At = undefined
  s.keepaliveAt = undefined
}

const fail = (s: Sender, why: Failure): void => {
  s.failure = why
  close(s)
}

/**
 * The connection gives up on a peer that stopped answering (retransmissions, window probes or
 * keepalive probes): with the soft error an ICMP error left, if one did, as what went wrong, else
 * TimedOut (Linux's tcp_write_err: `sk_err = sk_err_soft ?: ETIMEDOUT`, which tcp_write_timeout,
 * tcp_probe_timer and tcp_keepalive_timer call). A router's "host unreachable" says more than the
 * silence it caused. (In SYN-SENT and SYN-RECEIVED none is ever kept: an ICMP error ends the
 * connect at once.)
 */
const timedOut = (s: Sender): void => fail(s, s.softError ?? "TimedOut")

// ---------------------------------------------------------------------------
// the application
// ---------------------------------------------------------------------------

/** The application wrote `data` (the shell has checked there is room: `writable`). */
/**
 * The application marks everything it has written so far as urgent (RFC
 * 9293 §3.8.5): SND.UP is the end of the send buffer, and what is unsent goes
 * at once, Nagle or not, each segment pointing to SND.UP until it is
 * acknowledged.
 */
export const markUrgent = (s: Sender, now: number, out: Array<OutSegment>): void => {
  if (s.finQueued || s.state === "Closed") return
  const end = SendBuffer.end(s.buffer)
  if (Seq.lte(end, s.sndUna)) return // nothing unacknowledged to mark
  s.sndUp = end
  push(s, now, out)
  flushAck(s, now, out)
  // what went is new data as a write's (Linux's MSG_OOB send: tcp_push, tcp_write_xmit's
  // tcp_schedule_loss_probe): a tail probe, or with one out the timer `armProbeOut` sets
  armTailProbe(s, now)
  sync(s)
}

/**
 * Queue `data` and send what may go. With `urgent`, the data is urgent: SND.UP
 * moves past it before anything is sent (RFC 9293 §3.8.5; Linux's
 * tcp_sendmsg marks SND.UP for MSG_OOB before its push), so that the segments
 * that carry it at once point to its end (marked after, data the windows took
 * at once would have gone without URG, and the peer never heard of it).
 */
export const write = (s: Sender, data: Uint8Array, now: number, out: Array<OutSegment>, urgent = false): void => {
  if (s.finQueued || s.state === "Closed") return
  SendBuffer.append(s.buffer, data)
  if (urgent && Seq.gt(SendBuffer.end(s.buffer), s.sndUna)) s.sndUp = SendBuffer.end(s.buffer)
  push(s, now, out)
  flushAck(s, now, out)
  armTailProbe(s, now)
  sync(s)
}

/**
 * An ICMP error quoting a segment we sent (RFC 792): its type and code, and
 * the next-hop MTU of a "fragmentation needed" (RFC 1191; else 0).
 * @category models
 */
export type IcmpError = Pick<IcmpReport, "type" | "code" | "mtu">

/** The error is a "fragmentation needed" (destination unreachable, code 4): a path MTU, not a failure. */
export const isFragmentationNeeded = (e: Pick<IcmpError, "type" | "code">): boolean =>
  e.type === "DstUnreachable" && e.code === IcmpWire.DstUnreachableCode.FragmentationNeeded

/** The least path MTU a "fragmentation needed" may set (Linux's net.ipv4.route.min_pmtu). */
export const MIN_PMTU = PathMtu.MIN_PMTU

/**
 * How long a path MTU a router lowered holds before the route's MTU is tried
 * again, ms: RFC 1191 §6.3 ("the PMTU value should be increased periodically
 * ... recommended 10 minutes"), Linux's net.ipv4.route.mtu_expires (600 s).
 * A path that is still narrower answers the first full-sized segment with a
 * new report, which lowers it again.
 */
export const PMTU_EXPIRES = PathMtu.EXPIRES

/** The path MTU the stack holds for a destination (ipv4/PathMtu.ts), as a connection takes it. @category models */
export type PathMtuView = PathMtu.Entry

/**
 * A lowered path MTU expired: back to the route's, DF again, the window
 * keeping its segments (Linux: the route's PMTU exception expires, and
 * tcp_current_mss syncs the MSS to the route's MTU on the next send).
 */
const pmtuExpired = (s: Sender): void => {
  s.pmtuExpiresAt = undefined
  s.pmtuLocked = false
  s.pmtuResend = undefined
  if (s.mtu === s.routeMtu) return
  s.mtu = s.routeMtu
  s.mss = Negotiation.sendMss(s.peerMss, s.mtu)
  // (as a lower MTU's, takeMtu: PRR's counts and the undo record with the window)
  resizeWindow(s)
}

/**
 * Whether an ICMP message quoting our segment with sequence number `seq` may be about this
 * connection: `seq` in [SND.UNA, SND.MAX] (RFC 5927 §4.1: a blind attacker cannot guess one), and
 * not CLOSED or TIME-WAIT: in TIME-WAIT nothing of ours is in flight, yet SND.UNA = SND.MAX (past
 * our FIN) is a number a forger who saw the close can quote; Linux's tcp_v4_err returns for a
 * TIME-WAIT socket before anything. The check tcp_v4_err makes for every ICMP error and redirect.
 */
export const quotesInFlight = (s: Sender, seq: Seq.SeqNum): boolean =>
  s.state !== "Closed" && s.state !== "TimeWait" && !Seq.lt(seq, s.sndUna) && !Seq.gt(seq, s.sndMax)

/**
 * An ICMP error quoting our segment with sequence number `seq`. Only one
 * quoting a sequence number in [SND.UNA, SND.MAX] is believed (RFC 5927
 * §4.1: a blind attacker cannot guess it), and none in TIME-WAIT (Linux's
 * tcp_v4_err). "Fragmentation needed" lowers the MSS to the path's MTU (not
 * below `MIN_PMTU`: a smaller one locks it there, and the connection's
 * segments go without DF) and resends the segments in flight longer than
 * the new MSS, cut to it (RFC 1191 §3, as Linux's tcp_v4_mtu_reduced and
 * tcp_simple_retransmit; `resendTooLong`). Any other error stands for
 * an errno (icmp_err_convert, `ErrorConvert`: a net unreachable is
 * ENETUNREACH, a host unreachable EHOSTUNREACH, a port unreachable
 * ECONNREFUSED, ...). While connecting (SYN-SENT, or SYN-RECEIVED after a
 * simultaneous open) it ends the attempt at once with that errno (as
 * Linux's tcp_v4_err; RFC 1122 §4.2.3.9 would keep net and host
 * unreachable, time exceeded and parameter problem soft, and a SYN to
 * nobody would be retried for two minutes: RFC 5461 describes this widely
 * implemented departure); once synchronized it is a soft error, and the
 * connection goes on (RFC 1122 §4.2.3.9): the error a later timeout fails
 * with instead of TimedOut, until an acceptable ACK clears it (Linux's
 * sk_err_soft, tcp_write_err, tcp_ack). True when the error was
 * believed (the stack's path MTU for the address may then take it too).
 */
export const onIcmpError = (
  s: Sender,
  e: IcmpError,
  seq: Seq.SeqNum,
  now: number,
  out: Array<OutSegment>
): boolean => {
  // (TIME-WAIT too, the path MTU included. The dealer keeps no connection in TIME-WAIT; this one
  // reached it in the wake-up that also brought the error.)
  if (!quotesInFlight(s, seq)) return false
  const connecting = s.state === "SynSent" || s.state === "SynReceived"
  if (isFragmentationNeeded(e)) {
    const mtu = e.mtu
    // never below 552 (Linux's min_pmtu; RFC 1191 §3 allows down to 68): a forged report could
    // otherwise cut every segment to 28 octets of payload. A path whose MTU really is smaller
    // gets segments of that floor without DF, which its router fragments (as Linux locks the
    // MTU and clears DF). A router that names no MTU (0: it predates RFC 1191) is such a path
    // too: 552 without DF, as Linux's __ip_rt_update_pmtu takes it (ignored, every full segment
    // would be dropped again until the connection timed out); no plateau is guessed
    const lock = mtu < MIN_PMTU && !s.pmtuLocked
    const pmtu = Math.max(MIN_PMTU, mtu)
    if (pmtu >= s.mtu && !lock) {
      // the connection took this MTU from another user of the route (`onPathMtu`) after it had
      // sent the quoted segment at a larger size: that segment was dropped all the same, and goes
      // again as it would have had this report come first (once: the rest of that flight with it)
      const r = s.pmtuResend
      if (r !== undefined && Seq.lt(seq, r.until) && pmtu < r.mtu && !connecting) {
        s.pmtuResend = undefined
        if (Seq.gt(s.sndMax, s.sndUna)) {
          resendTooLong(s, now, out)
          sync(s)
        }
      }
      return true
    }
    // (all in flight longer than the new MSS goes again below: nothing sized earlier is left to resend)
    s.pmtuResend = undefined
    if (lock) s.pmtuLocked = true
    // the report holds for PMTU_EXPIRES from the last one that lowered (or locked) it
    s.pmtuExpiresAt = now + PMTU_EXPIRES
    if (pmtu < s.mtu) takeMtu(s, pmtu)
    if (!connecting && Seq.gt(s.sndMax, s.sndUna)) resendTooLong(s, now, out)
    sync(s)
    return true
  }
  // (no such unreachable code, above 15: the ICMP layer hands none on, and tcp_v4_err ignores it)
  const converted = ErrorConvert.convert(e.type, e.code)
  if (converted === undefined) return false
  // while connecting, any of them ends the attempt (Linux's tcp_v4_err: tcp_done_with_error in
  // SYN-SENT and SYN-RECEIVED, whatever the error): a firewall's "administratively prohibited"
  // or a routing loop's time exceeded would otherwise cost the SYN retries, two minutes
  if (connecting) {
    fail(s, converted.errno)
    return true
  }
  s.softError = converted.errno
  // (net and host unreachable, codes 0 and 1, alone: RFC 6069 names those two, as Linux's tcp_v4_err)
  const netOrHost = e.code === IcmpWire.DstUnreachableCode.NetUnreachable || e.code === IcmpWire.DstUnreachableCode.HostUnreachable
  if (e.type === "DstUnreachable" && netOrHost && seq === s.sndUna) revertBackoff(s, now, out)
  return true
}

/**
 * A net or host unreachable about SND.UNA while its retransmission timer is
 * backed off (RFC 6069, TCP-LD, as Linux's tcp_ld_RTO_revert): the timeouts
 * were a connectivity disruption that a router reports, not congestion, so
 * one backoff is undone and the timer runs from the segment's last send at
 * the RTO so reverted; the segment goes again at once when that has already
 * passed. Each retransmission of the segment armed the timer, so it was
 * last sent one (unreverted) RTO before the timer's expiry.
 */
const revertBackoff = (s: Sender, now: number, out: Array<OutSegment>): void => {
  if (s.retries === 0 || s.rtt.backoffs === 0 || s.rtoAt === undefined || s.persistAt !== undefined) return
  const sentAt = s.rtoAt - s.rtt.rto
  s.rtt = Rtt.revertBackoff(s.rtt, s.params.rtt)
  const due = sentAt + s.rtt.rto
  if (due > now) s.rtoAt = due
  else onRto(s, now, out)
  sync(s)
}

/**
 * The stack's path MTU towards the peer moved (`p`: what it holds now for
 * the address; undefined: nothing, or it expired): another connection, a UDP
 * socket or a ping to the same address heard of a narrower path. Taken as
 * Linux's tcp_current_mss takes dst_mtu on the next send: a lower MTU cuts
 * the MSS (the window keeping its segments, as `onIcmpError`), a lock takes
 * DF off, and the expiry follows the stack's. What is in flight is not
 * resent here (it may have been smaller, or have passed before the path
 * narrowed); a router's report about it does that (`pmtuResend`). A higher
 * MTU changes nothing: what the connection heard itself stands until it
 * expires.
 */
export const onPathMtu = (s: Sender, p: PathMtuView | undefined): void => {
  if (p === undefined || s.state === "Closed" || p.mtu > s.mtu) return
  if (p.mtu === s.mtu) {
    // the same MTU (this connection's own report, most often): a lock and a later expiry count
    if (p.locked) s.pmtuLocked = true
    if (s.pmtuExpiresAt === undefined || p.expiresAt > s.pmtuExpiresAt) s.pmtuExpiresAt = p.expiresAt
    return
  }
  if (Seq.gt(s.sndMax, s.sndUna)) s.pmtuResend = { until: s.sndMax, mtu: Math.max(s.mtu, s.pmtuResend?.mtu ?? 0) }
  s.pmtuLocked = p.locked
  s.pmtuExpiresAt = p.expiresAt
  takeMtu(s, p.mtu)
}

/**
 * The path MTU is `mtu`, lower than the connection's: the MSS cut to it. Once
 * synchronized, the window keeps its segments, not its octets (Linux's cwnd
 * counts packets), and so does a loss episode's undo record (`resizeWindow`).
 */
const takeMtu = (s: Sender, mtu: number): void => {
  s.mtu = mtu
  s.mss = Negotiation.sendMss(s.peerMss, mtu)
  if (s.state !== "SynSent" && s.state !== "SynReceived") resizeWindow(s)
}

/**
 * The segment size changed (a lower path MTU, or a lowered one expired): the window keeps its
 * segments, a recovery's PRR counts too (Linux counts packets), and an episode's undo record is
 * scaled with them (kept in octets of the old size, restored at a larger size it would be a window
 * of fewer segments, at a smaller one of more).
 */
const resizeWindow = (s: Sender): void => {
  const before = s.cc.smss
  Congestion.resize(s.cc, fullPayload(s))
  if (before === s.cc.smss) return
  // (the undo record in segments too: Linux's prior_cwnd and prior_ssthresh count packets, and
  // undo_marker outlives a smaller MTU in CA_Loss (tcp_simple_retransmit leaves that state alone)
  // and wherever nothing is marked lost; `resendTooLong` drops the record where Linux clears it.
  // Dropped here, a timeout's undo by the original's echo after a report was lost:
  // test/tcp/IcmpError.test.ts, "a report after a timeout keeps its undo")
  const u = s.undo
  if (u !== undefined) s.undo = { ...u, cc: Congestion.resizeSaved(u.cc, before, s.cc.smss) }
  // (and the window's largest flight, which counts a full segment for each segment sent (`noteFlight`,
  // `runtPad`): Linux's max_packets_out counts packets, the same count at the new size. Left in
  // octets of the old size, the flight of four segments at 988 (a runt among them, charged whole)
  // made a window of ten at 724 cwnd-limited and the undo's ACK grew it, where Linux's
  // tcp_is_cwnd_limited (10 < 2 × 4 false) grows nothing: test/tcp/IcmpError.test.ts, "a report
  // after a timeout keeps its undo")
  s.maxFlight = s.maxFlight * (s.cc.smss / before)
  const p = s.prr
  if (p !== undefined) {
    const r = s.cc.smss / before
    s.prr = {
      delivered: p.delivered * r,
      out: p.out * r,
      recoverFs: p.recoverFs * r,
      wnd: p.wnd * r,
      stale: p.stale,
      owed: p.owed * r,
      byLog: p.byLog,
      renoCredit: p.renoCredit * r,
      undone: p.undone,
      cutKept: p.cutKept === undefined ? undefined : { ...p.cutKept, cc: Congestion.resizeSaved(p.cutKept.cc, before, s.cc.smss) }
    }
  }
}

/**
 * After a router's report (RFC 1191 §3): the segments in flight longer than the MSS now were
 * dropped, and go again cut to it; a shorter one passed the router and does not, nor one the peer
 * SACKed (Linux's tcp_simple_retransmit: only the skbs longer than the new MSS are marked lost).
 * Adjacent lost segments go again as one stretch of octets cut to the MSS (948, 948, 948, 52 for
 * two of 1448 at 948, not 948, 500, 948, 500), as Linux resends a multi-segment skb (one write's
 * segments); Linux keeps separate writes' skbs apart, which a byte stream does not know of. No
 * congestion response: the path is narrower, not congested (the window keeps its segments,
 * `takeMtu`). What the window has no room for goes as ACKs make room (`pmtuLost`).
 */
const resendTooLong = (s: Sender, now: number, out: Array<OutSegment>): void => {
  const marked = Rack.markLongerLost(s.rack, segmentPayload(s), SendBuffer.end(s.buffer))
  // Nothing longer than the new MSS: nothing to resend, and no new episode, unless something is
  // lost already: Linux's tcp_simple_retransmit returns only when lost_out is 0, and a Reno recovery
  // short of its recovery point holds its head marked lost (tcp_newreno_mark_lost, at the entry and
  // each partial ACK, until acknowledged), so it goes to CA_Loss all the same. Kept in the recovery,
  // the duplicate after the partial ACK resent the new head under PRR where Linux sends nothing
  // (test/kernel/ConformancePmtu.test.ts, "an MTU all segments fit"). In a SACK recovery lost_out
  // counts what RACK marked, resent or not (tcp_mark_skb_lost sets TCPCB_LOST and a resend keeps
  // it until the segment is SACKed or acknowledged): the stack's marks not yet sent again, and the
  // resends in flight (a recovery resends only what was marked). Kept in the recovery, the partial
  // ACK after the report sent one segment under PRR where Linux, in CA_Loss, marked everything sent
  // before the delivered resend and sent seven ("SACK on, in recovery, an MTU all segments fit")
  const lostOut = s.recovering && (s.sackOk ? s.rack.lostOctets > 0 || Rack.anyRetransOut(s.rack, s.sndUna) : Seq.lt(s.sndUna, s.recover))
  if (marked === 0 && !lostOut) return
  // What is in flight now is a loss episode's, as after a timeout (Linux's tcp_simple_retransmit
  // enters CA_Loss with high_seq = SND.NXT, and clears its undo marker): the duplicate ACKs (or SACKs)
  // of the shorter segments the router passed start no fast recovery for it (RFC 6582's recover),
  // which would cut the window and send the first piece a second time. Not inside a timeout's
  // episode already (Linux keeps high_seq in CA_Loss)
  const fast = s.recovering
  // Out of any loss episode (Linux's Open, Disorder or CWR) the threshold takes what the window
  // already vouches for: tcp_simple_retransmit sets snd_ssthresh = tcp_current_ssthresh before it
  // enters CA_Loss (max(ssthresh, 3/4 of cwnd in packets) out of a cwnd reduction, ssthresh itself in
  // CWR; the window in segments at the new MSS, `takeMtu`). Kept, a later slow start stopped a segment
  // or more short of Linux's (test/tcp/IcmpError.test.ts, "ssthresh rises to 3/4 of the window").
  // (In a fast recovery tcp_current_ssthresh is ssthresh: nothing to do)
  if (!fast && !Seq.lt(s.sndUna, s.recover)) s.cc.ssthresh = Congestion.currentSsthresh(s.cc)
  if (fast) {
    // A fast recovery too (Linux's tcp_simple_retransmit leaves every state but CA_Loss for it):
    // PRR's reduction ends there, cwnd stays what PRR last made it (Linux's snd_cwnd, which
    // tcp_cwnd_reduction sets each ACK) and ssthresh as it is (tcp_current_ssthresh in Recovery),
    // high_seq = SND.NXT; from here the ACKs are a timeout's episode's, whose window grows as they
    // come (CA_Loss is no cwnd reduction: tcp_cong_control's tcp_cong_avoid). Kept in the recovery,
    // its PRR held the window at the recovery point (7 segments where Linux had grown to 9:
    // test/kernel/ConformancePmtu.test.ts, "without SACK, in recovery")
    const wnd = s.prr !== undefined ? recoveryWindow(s) : s.cc.cwnd
    s.recovering = false
    s.prr = undefined
    // (Linux's tcp_limit_reno_sacked holds sacked_out to packets_out - lost_out: none left when
    // every segment out was marked, as it was the duplicates' count when nothing was)
    if (marked > 0) s.renoSacked = 0
    s.dupAcks = 0
    s.algorithm.onRecoveryEnd(s.cc, Seq.sub(s.sndMax, s.sndUna), now)
    s.cc.cwnd = wnd
  }
  if (fast || !Seq.lt(s.sndUna, s.recover)) {
    s.recover = s.sndMax
    s.undo = undefined
  }
  s.pmtuLost = true
  resendMarkedLost(s, now, out)
}

/**
 * The segments marked lost go again as the window allows: a SACK recovery's own rules (PRR, what
 * RACK marked first), else the congestion window against what the log says is in the network
 * (Linux's tcp_xmit_retransmit_queue in CA_Loss). Those past SND.NXT (a go-back-N after a
 * timeout) are `push`'s.
 */
const resendMarkedLost = (s: Sender, now: number, out: Array<OutSegment>): void => {
  const full = segmentPayload(s)
  const sackRecovery = s.recovering && s.sackOk
  for (;;) {
    // (in flight by the log: what is marked lost has left the network, as Linux's
    // packets_out - sacked_out - lost_out + retrans_out; a SACK recovery's window is PRR's)
    const wnd = sackRecovery ? recoveryWindow(s) : s.cc.cwnd
    if (Math.floor(wnd) - markedInFlight(s) < full) break
    const end = resendFirstLost(s, now, out, s.sndNxt, true)
    if (end === undefined) break
    // (the holes a SACK recovery resends next start past it)
    if (sackRecovery && Seq.gt(end, s.highRxt)) s.highRxt = end
  }
  if (Rack.firstLost(s.rack) < 0) s.pmtuLost = false
}

/**
 * What is in flight for `resendMarkedLost`: the log's count, less what is marked lost. Without SACK
 * in a timeout's go-back (SND.NXT short of SND.MAX) the timeout marked nothing in the log (the
 * go-back is SND.NXT's), where Linux's tcp_timeout_mark_lost marks all but what was sent within
 * RACK's window: in flight is then what the go-back resent and is not marked lost again, and what
 * the timeout held (as `push` counts it). Taken from the log, a runt beyond SND.NXT counted in
 * flight and the report's cut head did not go in the timeout's window of one segment, where Linux
 * resends it (test/kernel/ConformancePmtu.test.ts, "without SACK, after a timeout").
 */
const markedInFlight = (s: Sender): number => {
  if (s.sackOk || !Seq.lt(s.sndNxt, s.sndMax)) return Rack.inFlight(s.rack)
  const lostBelow = s.rack.lostOctets - Rack.lostFrom(s.rack, s.sndNxt)
  return Math.max(0, Seq.sub(s.sndNxt, s.sndUna) - lostBelow) + (s.rack.held > 0 ? Rack.heldFrom(s.rack, s.sndNxt) : 0)
}

/** The application ended its side (shutdown for writing): FIN after the data (RFC 9293 §3.10.4). */
export const end = (s: Sender, now: number, out: Array<OutSegment>): void => {
  if (s.finQueued) return
  switch (s.state) {
    case "SynSent":
      close(s)
      return
    case "SynReceived":
    case "Established":
      s.state = "FinWait1"
      break
    case "CloseWait":
      s.state = "LastAck"
      break
    default:
      return
  }
  s.finQueued = true
  push(s, now, out)
  armTailProbe(s, now)
  sync(s)
}

/** The application closed for good: ends its side, and FIN-WAIT-2 will not wait forever. */
export const closeByApp = (s: Sender, now: number, out: Array<OutSegment>): void => {
  s.appClosed = true
  if (s.state === "FinWait2") {
    if (s.finWait2At === undefined) s.finWait2At = now + orphanLife(s.params.finWait2, s.rtt.rto)
    // (no keepalive probes from the orphan: `armKeepalive`)
    armKeepalive(s, now)
  }
  end(s, now, out)
  // An orphan the stack cannot keep, too many of them or memory past `high`, is reset at once
  // (Linux's __tcp_close: tcp_check_oom(sk, 0) once the close's FIN is queued, then
  // tcp_set_state(TCP_CLOSE) and tcp_send_active_reset; the connection already counts among the
  // orphans, Connection.countOrphan). Not one left in FIN-WAIT-2 that Linux holds as a timewait sock
  // from here on (tcp_time_wait for a FIN-WAIT-2 timeout within TCP_TIMEWAIT_LEN: no socket, no check)
  if (
    s.state !== "Closed" && s.state !== "TimeWait" &&
    !(s.state === "FinWait2" && finTime(s.params.finWait2, s.rtt.rto) <= TCP_TIMEWAIT_LEN) &&
    Memory.checkOom(s.params.memory, 0, s.buffer.length)
  ) {
    abortOnMemory(s, now, out, true)
  }
}

/** Linux's 2 × TCP_RTO_MAX (120 s, whatever `maxRto` is): an orphan silent that long counts double in `outOfResources`. */
const ORPHAN_SILENT = 240_000

/**
 * Linux's tcp_out_of_resources, at an orphan's retransmission timeout (`doReset`: its RTO still
 * under the cap, or its retries not yet spent, as tcp_write_timeout passes it) or zero-window probe
 * timeout (always): reset it (`abortOnMemory`) when the stack cannot keep it (`Memory.checkOom`),
 * with its orphan count doubled once for an orphan whose last data went out more than 240 s ago or
 * that is being given up on anyway (`!doReset`), and once more with an ICMP soft error kept. Sent
 * only with `doReset`, or when its last data went within TCP_TIMEWAIT_LEN or its window is shut with
 * nothing in flight (Linux's "exceptional cases, when connection requires reset"). True when it ended.
 */
const outOfResources = (s: Sender, now: number, doReset: boolean, out: Array<OutSegment>): boolean => {
  const m = s.params.memory
  if (m === undefined) return false
  let shift = 0
  if (now - s.lastSendAt > ORPHAN_SILENT || !doReset) shift++
  if (s.softError !== undefined) shift++
  if (!Memory.checkOom(m, shift, s.buffer.length)) return false
  abortOnMemory(s, now, out, doReset || now - s.lastSendAt <= TCP_TIMEWAIT_LEN || (s.sndWnd === 0 && inFlight(s) === 0))
  return true
}

/** The orphan ends for resources (`checkOom`): with a reset if `reset` (Linux's tcp_send_active_reset), counted (TCPAbortOnMemory). */
const abortOnMemory = (s: Sender, now: number, out: Array<OutSegment>, reset: boolean): void => {
  if (reset) emit(s, out, ackSeq(s), RST | ACK, undefined, resetOptions(s, now))
  if (s.params.memory !== undefined) s.params.memory.abortedOnMemory++
  fail(s, "Aborted")
}

/**
 * Abort (RFC 9293 §3.10.5): RST to the peer unless nothing was synchronized, and Closed at once.
 * `unread`: the application closed with data unread (RFC 1122 §4.2.2.13, RFC 2525 §2.17): the peer
 * is told in every synchronized state, as Linux's tcp_close resets whatever the state; the user's
 * ABORT sends nothing in CLOSING and LAST-ACK (§3.10.5; Linux's tcp_need_reset).
 */
export const abort = (s: Sender, now: number, out: Array<OutSegment>, unread = false): void => {
  if (s.state === "Closed") return
  const reset = unread ? s.state !== "SynSent" && s.state !== "TimeWait" : RESET_ON_ABORT.has(s.state)
  if (reset) emit(s, out, ackSeq(s), RST | ACK, undefined, resetOptions(s, now))
  fail(s, "Aborted")
}

/**
 * New data came after the application closed (RFC 1122 §4.2.2.13: a reset shows it was lost). The
 * reset answers the segment, `<SEQ=SEG.ACK><CTL=RST>` of the last one that carried an ACK, with no
 * options, as Linux's (tcp_rcv_state_process hands the segment back to tcp_v4_send_reset); none with
 * an ACK (dropped before it was looked at): the connection's own reset.
 */
export const resetOnData = (s: Sender, r: Report, now: number, out: Array<OutSegment>): void => {
  const last = r.acks.at(-1)
  if (last === undefined || s.state === "Closed") return abort(s, now, out, true)
  emit(s, out, last.ack, RST, undefined, NONE)
  fail(s, "Aborted")
}

/**
 * A connection's own reset carries the timestamp (RFC 7323 §3.2: SHOULD be sent in an <RST>) and our
 * SACK blocks, as every segment of Linux's does (tcp_send_active_reset goes through tcp_transmit_skb,
 * whose tcp_established_options adds both), so that a peer checking PAWS on resets takes it. (A reset
 * for no connection has neither: there is nothing to echo.)
 */
const resetOptions = (s: Sender, now: number): TcpOptions => optionsFor(s, now, true)

const RESET_ON_ABORT: ReadonlySet<State> = new Set<State>(["SynReceived", "Established", "FinWait1", "FinWait2", "CloseWait"])

/**
 * The application read (Linux's tcp_cleanup_rbuf): a read that empties the
 * buffer sends the ACK owed for data that ended a write (`ackPushed`), the
 * sender likely waiting on it; and the window goes out at once when the read
 * at least doubled the one announced (tcp_receive_window), but not once the peer's FIN is in (CLOSE-WAIT, or our
 * FIN queued after it): no data can come into the window any more, and
 * Linux sends no update after RCV_SHUTDOWN either.
 */
export const onRead = (s: Sender, now: number, out: Array<OutSegment>): void => {
  if (s.state === "Closed" || s.state === "SynSent" || s.state === "TimeWait") return
  autotune(s, now)
  if (pushedAckOnRead(s)) {
    s.ackNow = true
    flushAck(s, now, out)
    sync(s)
    return
  }
  if (s.state === "CloseWait" || s.finQueued && s.state !== "FinWait1" && s.state !== "FinWait2") return
  // (measured from the furthest edge announced, Linux's tcp_receive_window: a kept edge may lie past
  // the buffer's, `windowField`, and a read that moves the buffer's no further than it would only
  // repeat the last ACK, a duplicate ACK to the peer; none either for a buffer still full)
  const announced = s.view.rcvEdge !== undefined && Seq.gt(s.view.rcvEdge, s.advEdge) ? s.view.rcvEdge : s.advEdge
  const before = Math.max(0, Seq.sub(announced, s.rcvNxt))
  const edge = offeredEdge(s, s.rcvNxt)
  const after = Math.max(0, Seq.sub(edge, s.rcvNxt))
  if (Seq.sub(edge, s.advEdge) >= windowStep(s) && after > 0 && after >= 2 * before) {
    s.ackNow = true
    flushAck(s, now, out)
  }
  sync(s)
}

/**
 * The read emptied the buffer and an ACK is owed for data that ended a write, outside an
 * interactive exchange or for two such segments (tcp_cleanup_rbuf: ICSK_ACK_PUSHED without
 * pingpong, or PUSHED2, and no memory left in the receive queues: out-of-order data held keeps it).
 * After the peer's FIN too, as Linux's (no state in that rule): one such segment then waits, the
 * FIN's pingpong mode holding its ACK for the application's answer (tcp_fin), but two do not. The
 * application side asks it too, to wake the send half for such a read.
 */
export const pushedAckOnRead = (s: Sender): boolean =>
  s.ackPushed > 0 && s.ackScheduled && (s.ackPushed > 1 || !s.pingpong) &&
  READ_ACK_STATES.has(s.state) && s.ourSack.length === 0 &&
  // (every octet read: RCV.NXT less the FIN's one once it is in)
  Seq.add(s.irs, 1 + s.reads.consumed + (FIN_IN.has(s.state) ? 1 : 0)) === s.rcvNxt

/** The states in which a read may still owe the peer an ACK (data came, and no FIN of ours was acknowledged into TIME-WAIT). */
const READ_ACK_STATES: ReadonlySet<State> = new Set<State>(["Established", "FinWait1", "FinWait2", "CloseWait", "Closing", "LastAck"])

/** The states past the peer's FIN: RCV.NXT counts its one. */
const FIN_IN: ReadonlySet<State> = new Set<State>(["CloseWait", "Closing", "LastAck", "TimeWait"])

/**
 * Receive-buffer auto-tuning (Linux's tcp_rcv_space_adjust, gVisor's
 * rcvBufAutoTune; "dynamic right-sizing"): once per RTT, the buffer becomes
 * at least twice what the application read in that RTT plus 16 segments,
 * so the window never limits a sender the reader keeps up with; it only
 * grows, up to `maxReceiveBuffer` (the window scale was chosen for that;
 * without scaling the window cannot pass 65535, so neither does the buffer).
 */
const autotune = (s: Sender, now: number): void => {
  const rtt = Math.max(1, s.rtt.srtt ?? s.params.rtt.initialRto)
  if (now - s.rcvSpaceAt < rtt) return
  const copied = s.reads.consumed - s.rcvSpaceConsumed
  s.rcvSpaceAt = now
  s.rcvSpaceConsumed = s.reads.consumed
  // (measured still, but no growth under the stack-wide bound's pressure: Memory.ts)
  if (!Memory.mayGrowReceive(s.params.memory)) return
  const max = s.rcvShift > 0 ? s.params.maxReceiveBuffer : Math.min(0xffff, s.params.maxReceiveBuffer)
  const target = Math.min(max, 2 * copied + 16 * s.rcvMss)
  if (target > s.capacity) s.capacity = target
}

// ---------------------------------------------------------------------------
// timers
// ---------------------------------------------------------------------------

/** The deadline passed: run whichever timers are due at `now`. */
export const onTimer = (s: Sender, now: number, out: Array<OutSegment>): void => {
  // (a timer delivers nothing: a recovery RACK starts from it counts no DeliveredData)
  s.ackDelivered = 0
  s.ackSafe = false
  if (s.timeWaitAt !== undefined && s.timeWaitAt <= now) {
    close(s)
    return
  }
  if (s.finWait2At !== undefined && s.finWait2At <= now && s.state === "FinWait2") {
    close(s)
    return
  }
  // a probe due at the RTO's own time goes instead of the timeout (RFC 8985 §7.2), which it restarts
  if (s.rtoAt !== undefined && s.rtoAt <= now && s.tlpAt !== undefined && s.tlpAt <= now) tailProbe(s, now, out)
  if (s.rtoAt !== undefined && s.rtoAt <= now) onRto(s, now, out)
  if (isClosed(s)) return
  // (the timer's own expiry, Linux's tcp_rack_reo_timeout; a batch's ACKs that come first, when the
  // timer is overdue, re-arm it as any ACK's would)
  if (s.rackAt !== undefined && s.rackAt <= now) rackDetect(s, now, out, true)
  if (s.tlpAt !== undefined && s.tlpAt <= now) tailProbe(s, now, out)
  if (s.persistAt !== undefined && s.persistAt <= now) probe(s, now, out)
  if (s.keepaliveAt !== undefined && s.keepaliveAt <= now) keepalive(s, now, out)
  if (isClosed(s)) return
  if (s.ackDue !== undefined && s.ackDue <= now) {
    s.ackNow = true
    // no answer came to carry the ACK: not interactive after all (Linux's delayed-ACK timer)
    s.pingpong = false
  }
  flushAck(s, now, out)
  armTailProbe(s, now)
  sync(s)
}

/**
 * The retransmissions' boundary (a time, `retriesTimedOut`) or unanswered probes' count before giving
 * up: once the application has closed, `orphanRetries` in place of `retries`, not the lesser of the
 * two (Linux's tcp_write_timeout and tcp_probe_timer: for SOCK_DEAD, retry_until / max_probes =
 * tcp_orphan_retries(sk, alive) alone), so an orphan goes on longer than an open connection when
 * `retries` is set below it (test/kernel/ConformanceClose.test.ts, "an orphan's boundary is
 * tcp_orphan_retries even above tcp_retries2")
 */
const retryLimit = (s: Sender): number => s.appClosed ? s.params.orphanRetries : s.params.retries

/** RFC 6298 §5.4-5.7: the retransmission timer expired. */
const onRto = (s: Sender, now: number, out: Array<OutSegment>): void => {
  const synPhase = s.state === "SynSent" || s.state === "SynReceived"
  // The peer's window shut with data out (`enterPersistIfStalled` leaves the timer running there):
  // Linux's tcp_retransmit_timer ("receiver dastardly shrinks window") enters loss and resends the
  // first segment whole as the zero-window probe (__tcp_retransmit_skb: avail_wnd = cur_mss at
  // snd_una), backs the timer off, and counts no retry (icsk_retransmits unchanged): a peer that
  // keeps answering is never timed out. One silent for twice the RTO's cap is
  // (tcp_rtx_probe0_timed_out: 2 × TCP_RTO_MAX since the last segment heard, and the retransmissions
  // gone on as long too, rtx_delta: since retrans_stamp, or the head's send before any resend. The
  // first resend of a long RTO comes well after the peer was last heard: test/tcp/Established.test.ts,
  // "only once the retransmissions too have lasted twice the RTO's cap"). Not for an orphan (SOCK_DEAD: "we cannot allow such beasts to hang infinitely"), whose retries count
  const shut = s.sndWnd === 0 && !synPhase && !s.appClosed
  // (a shut window's expiry is no timeout to count: Linux's zero-window branch goes to
  // out_reset_timer before the TCPTimeouts count and tcp_update_rto_stats, tcpi_total_rto; its
  // resend counts as a retransmission all the same)
  if (!shut) count(s).timeouts++
  if (shut && shutTimedOut(s, now)) {
    timedOut(s)
    return
  }
  // (an orphan the stack cannot keep ends here, before its retries are looked at: Linux's
  // tcp_write_timeout for SOCK_DEAD, whose do_reset is "alive", its RTO under the cap, or its
  // retries not spent by the model's time alone, retransmits_timed_out with no user timeout)
  if (
    s.appClosed && !synPhase &&
    outOfResources(s, now, s.rtt.rto < s.params.rtt.maxRto || !retriesTimedOut(s, now, false, 0), out)
  ) {
    return
  }
  if (!shut && retriesTimedOut(s, now, synPhase)) {
    timedOut(s)
    return
  }
  // (counted for the episode's rules below, and given back at the end when the window is shut: to
  // them each such expiry is a first timeout, as Linux's tcp_enter_loss sees icsk_retransmits 0)
  s.retries++
  s.tlpBlocked = undefined
  // (a connect's first `synLinearTimeouts` timeouts keep the initial RTO: Linux's tcp_retransmit_timer
  // doubles in SYN-SENT only once `total_rto > tcp_syn_linear_timeouts`, total_rto counting this
  // expiry; `retries` is that count in SYN-SENT, which starts it at 0 and has no TCP-LD revert)
  if (!(s.state === "SynSent" && s.retries <= s.params.synLinearTimeouts)) s.rtt = Rtt.backoff(s.rtt, s.params.rtt)
  s.timing = undefined
  s.rtoAt = undefined
  if (synPhase) {
    s.synRetransmitted = true
    count(s).retransmits++
    sendSyn(s, now, out)
    clampRtoToUserTimeout(s, now)
    return
  }
  // (the head resent below: the episode's first retransmission, if none came before it)
  if (s.retransStamp === undefined) s.retransStamp = now
  // RFC 2018 §8: SND.UNA still SACKed at a timeout (the short timer a reneging ACK set, or any
  // RTO): the peer dropped what it SACKed. As Linux's tcp_timeout_mark_lost, every SACK mark goes,
  // so that the go-back from SND.UNA below resends those octets too (the board made `push` skip
  // them, and each waited for an RTO of its own)
  const reneged = s.sackOk && Scoreboard.reneged(s.board, s.sndUna)
  if (reneged) {
    count(s).reneges++
    Scoreboard.clear(s.board)
    Rack.renege(s.rack)
  }
  // RFC 8985 §6.3, as Linux's tcp_timeout_mark_lost: the log's entries are lost but for those sent
  // within RACK.rtt (held: RACK would not call them lost yet, and the peer's ACK of them may be on
  // its way), which stay in flight: the go-back skips them (`push`) until RACK or the next timeout
  // finds them lost, and the window after the timeout counts them (tcp_enter_loss: cwnd = in flight
  // + 1). All of them after reneging. (With SACK only: without, nothing would find them lost before
  // the next timeout, where Linux's tcp_newreno_mark_lost takes the head at each partial ACK)
  // (with SACK, a timeout in Open or Disorder, not in a recovery, a timeout's episode or an ECN cut,
  // with three segments or more SACKed says the reordering degree was over-estimated: Linux's
  // tcp_enter_loss takes tp->reordering back to 3, sacked_out read after tcp_timeout_mark_lost
  // cleared it for a renege, as `Rack.renege` above)
  if (s.sackOk && !s.recovering && !Seq.lt(s.sndUna, s.recover) && s.cwr === undefined) Rack.timeoutReordering(s.rack)
  const held = s.sackOk ? Rack.markTimeout(s.rack, now, reneged) : 0
  // the first timeout of a series begins an episode, unless it cuts short a fast recovery, whose it is,
  // or comes during an ECN cut short of its end: Linux's tcp_enter_cwr zeroed prior_ssthresh and
  // undo_marker, and tcp_enter_loss from CWR with high_seq ahead of snd_una takes no record (no
  // tcp_init_undo), so nothing proves the timeout spurious but F-RTO, whose undo (prior_ssthresh 0)
  // gives nothing back. Recorded, F-RTO's proof gave the cut's window back where Linux keeps the
  // timeout's (test/tcp/Ecn.test.ts, "a timeout during an ECN cut takes no undo record")
  if (s.retries === 1 && !s.recovering) {
    if (ecnHeld(s) && Seq.lt(s.sndUna, s.ecnRecover!)) s.undo = undefined
    // (without SACK or timestamps too when F-RTO may run: its proof gives the cut back with neither,
    // Linux's tcp_try_undo_loss(sk, true) from the prior_ssthresh tcp_enter_loss saved; nothing else
    // reads such a record, as no D-SACK or echo can come)
    else beginUndo(s, s.params.frto)
  }
  // F-RTO step 1 (RFC 5682 §3.1), with SACK or without (Linux's tcp_enter_loss asks no SACK, and
  // tcp_process_loss runs the steps for a Reno connection on cumulative ACKs: without, the ACK of
  // the resend sent the old flight again where Linux sends new data, and a spurious timeout's cut
  // stood; test/tcp/Recovery.test.ts, "F-RTO without SACK"): not when the timeout cuts short a fast recovery, whose
  // retransmissions could make it look spurious, nor an earlier timeout's recovery an ACK of new
  // data went on with (SND.UNA short of its `recover`: Linux's tcp_enter_loss takes F-RTO only for
  // a new recovery, from Open, Disorder or CWR, or a timeout that recurs without such an ACK,
  // `new_recovery || icsk_retransmits`; the reneging timer's expiry there would otherwise send new
  // data before the octets the peer dropped, or take an original it kept for a spurious timeout);
  // again on a timeout that recurs (as Linux)
  const episode = s.recovering || Seq.lt(s.sndUna, s.recover)
  // A fast recovery a reneging ACK took to its `recover` or past (that ACK ends no recovery, as
  // Linux's tcp_check_sack_reneging returns before tcp_fastretrans_alert's exit): the window it
  // recovered from is acknowledged, so this timeout's loss is a new window's and ssthresh is cut
  // again, from the window PRR had reached, with an undo record of its own (Linux's tcp_enter_loss:
  // `!after(high_seq, snd_una)`, the cut from snd_cwnd, then tcp_init_undo)
  if (s.recovering && Seq.gte(s.sndUna, s.recover)) {
    if (s.prr !== undefined) s.cc.cwnd = Math.max(fullPayload(s), Math.floor(s.prr.wnd))
    // (the record first, while the reduction still runs: Linux's tcp_current_ssthresh in Recovery
    // is snd_ssthresh itself, not 3/4 of PRR's window, `Congestion.saveForUndo`). Without SACK or
    // timestamps too when F-RTO may run, as for a first timeout above: none runs for this one (a
    // timeout from Recovery), but a later one's does (Linux's `new_recovery || icsk_retransmits`),
    // and its proof gives this record back (tcp_try_undo_loss(sk, true)). Without one, a Reno
    // connection's timeout at the hold (SND.UNA at `recover`, `renoHold`) kept its cut after that
    // proof (test/kernel/ConformanceLoss.test.ts, "without SACK, a timeout at the recovery point
    // itself takes an undo record")
    beginUndo(s, s.params.frto)
    s.cc.reducing = false
  }
  s.frto = s.params.frto && (!episode || s.retries > 1) ? s.sndMax : undefined
  s.frtoNewSent = false
  // (a shut window's expiry with no counted timeout before it in the episode is a first one to
  // Linux's tcp_enter_loss, TCP_CA_Loss with icsk_retransmits 0: ssthresh again, from the window
  // the last expiry left, one segment: 2. Held as a repeated timeout's, the window reopened into
  // slow start up to the first expiry's ssthresh: ConformanceWindow "two timeouts of a shut window")
  if (shut && s.retries === 1) s.cc.rtoPending = false
  // An ECN cut held at its point itself (all sent before it acknowledged, nothing above) covers no
  // more of the window: Linux's tcp_enter_loss cuts again unless `after(high_seq, snd_una)` in CWR,
  // from the window PRR has reached (the record above kept the cut's ssthresh, tcp_current_ssthresh
  // in CWR). Held as a cut under way (`reducing`), the timeout slow-started back to the old
  // ssthresh (test/tcp/Ecn.test.ts, "a timeout during an ECN cut with SND.UNA at the cut's point")
  if (s.cwr !== undefined && s.ecnRecover !== undefined && !Seq.lt(s.sndUna, s.ecnRecover)) s.cc.reducing = false
  s.algorithm.onRto(s.cc, Seq.sub(s.sndMax, s.sndUna), now)
  if (held > 0) s.cc.cwnd += held
  if (s.ecnOk) s.cwrPending = true
  // An ECN cut's hold ends here: Linux's tcp_enter_loss takes CWR to CA_Loss, which is no cwnd
  // reduction (tcp_in_cwnd_reduction), so the timeout's slow start grows the window at each ACK of
  // data (tcp_cong_control's tcp_cong_avoid); the episode's `recover` (SND.MAX now, past the cut's)
  // keeps a second cut out of that window. Held, the window stayed at one segment until SND.UNA
  // passed the cut's SND.MAX (test/tcp/Ecn.test.ts, "a timeout during an ECN cut ends the cut's hold")
  s.ecnRecover = undefined
  s.cwr = undefined
  s.highRxt = s.sndUna
  s.tlpAt = undefined
  // RFC 8985 §7.1: an RTO recovery ends any probe's episode (its cut covers the window), and with
  // it §7.4's reading of a SACK for the probe (`sackShowsLoss`), as Linux's tcp_enter_loss clears
  // tlp_high_seq: kept, a SACK after the timeout proved spurious (F-RTO, Eifel: Open again, its
  // marks undone) started a fast recovery for a hole nothing showed lost
  // (test/tcp/Recovery.test.ts, "after a timeout that proved spurious, a SACK below the probe")
  s.tlpEpisode = undefined
  s.tlpOut = false
  s.limitedOut = 0
  // (a timeout's recovery counts once for RACK's reordering window, §6.2 step 4, where it ends
  // without an undo, `newAck`: not here, as Linux's tcp_enter_loss leaves reo_wnd_persist)
  // (`renoReordering` stays: Linux's tcp_enter_loss lowers tp->reordering to sysctl_tcp_reordering
  // after sacked_out >= 3 in Open or Disorder, but for a Reno connection tcp_timeout_mark_lost,
  // which it calls first, has reset sacked_out already, tcp_reset_reno_sack: test/tcp/Recovery.test.ts,
  // "a timeout after duplicates below a raised count")
  s.recovering = false
  s.prr = undefined
  s.renoSacked = 0
  s.dupAcks = 0
  // RFC 6582 §3.2 step 4: no fast retransmit for losses of what was already in flight
  s.recover = s.sndMax
  // go back to SND.UNA: the first segment now, the rest as ACKs open cwnd again
  s.sndNxt = s.sndUna
  if (s.pmtuExpiresAt !== undefined && now >= s.pmtuExpiresAt) pmtuExpired(s)
  // (up to the first octets the peer SACKed: Linux resends the head skb, cut at the SACK's edge)
  retransmitFirst(s, now, out, s.sackOk ? Scoreboard.nextHole(s.board, s.sndUna)?.end : undefined)
  push(s, now, out)
  if (s.rtoAt === undefined && Seq.gt(s.sndMax, s.sndUna)) s.rtoAt = now + s.rtt.rto
  clampRtoToUserTimeout(s, now)
  if (shut) s.retries--
}

/**
 * The retransmission timer's expiry gives up (not a shut window's: `shutTimedOut`) once a time has
 * passed since the first retransmission, as Linux's tcp_write_timeout, where retransmits_timed_out(sk,
 * retry_until, icsk_user_timeout) measures from retrans_stamp (the first retransmission's send,
 * tcp_retransmit_skb), `>=` at the instant, and only once one was made (icsk_retransmits, `retries`).
 * The time is the user timeout when one is set (it replaces tcp_retries2 and an orphan's count, longer
 * or shorter); else tcp_model_timeout: how long `retries` (an orphan's `orphanRetries`; a SYN's
 * `synRetries`) retransmissions would take backed off from TCP_RTO_MIN (a SYN's: the initial RTO,
 * tcp_timeout_init) up to the RTO's cap (`Rtt.modelTimeout`). A bound on time, not on this
 * connection's resends: with an RTO above that base fewer go, and more after TCP-LD's reverted
 * backoffs (RFC 6069, `revertBackoff`), which would spend a count early (why Linux made it a time).
 * Timed from the first resend, not the original send, the model's time is one base RTO longer than
 * its resends: with the RTO exactly 200 ms, one more resend than the boundary. A SYN's count still
 * holds first (`expired = icsk_retransmits >= max_retransmits`), and its model (timed from the first
 * SYN) comes at the same expiry; with `synLinearTimeouts` N the count in SYN-SENT is `synRetries` + N
 * while the model stays `synRetries`', so the model comes first once N reaches 2^synRetries (with 4:
 * `synRetries` 1 or 2, 3 and 7 s), else at the same expiry (131 s for 6), and a user timeout in
 * its place leaves the count to end it.
 */
const retriesTimedOut = (s: Sender, now: number, synPhase: boolean, userTimeout = s.userTimeout): boolean => {
  // (in SYN-SENT the count is tcp_syn_retries + tcp_syn_linear_timeouts, max_retransmits: the
  // linear timeouts spend resends faster than the doubling the model times; SYN-RECEIVED's is not)
  const synLimit = s.params.synRetries + (s.state === "SynSent" ? s.params.synLinearTimeouts : 0)
  if (synPhase && s.retries >= synLimit) return true
  if (s.retries === 0) return false
  const timeout = userTimeout > 0
    ? userTimeout
    : synPhase
    ? Rtt.modelTimeout(s.params.synRetries, Rtt.initialRto(s.params.rtt), s.params.rtt.maxRto)
    : Rtt.modelTimeout(retryLimit(s), Rtt.MODEL_RTO_BASE, s.params.rtt.maxRto)
  return now - (userTimeoutStart(s) ?? now) >= timeout
}

/**
 * Where the retransmissions' user timeout runs from (Linux's retrans_stamp): in SYN-SENT the first
 * SYN's send (tcp_connect), and in the SYN-RECEIVED of a simultaneous open still that (the crossed
 * SYN's tcp_rcv_synsent_state_process leaves retrans_stamp as it was; the stack's SynReceived sender
 * is only ever a connect's); else the episode's first retransmission (tcp_retransmit_skb)
 */
const userTimeoutStart = (s: Sender): number | undefined =>
  s.state === "SynSent" || s.state === "SynReceived" ? s.synSentAt : s.retransStamp

/**
 * A shut window's expiry gives up (Linux's tcp_rtx_probe0_timed_out): the peer silent for twice the
 * RTO's cap and the retransmissions gone on as long (rtx_delta: since retrans_stamp, or the head's
 * send before any resend). With a user timeout, once the retransmissions have gone on longer than
 * it ("it does not want win 0 packets to 'reset the timer' while retransmits are not making
 * progress"), and the cap is the user timeout when that is shorter.
 */
const shutTimedOut = (s: Sender, now: number): boolean => {
  const rtxDelta = now - (s.retransStamp ?? headSentAt(s) ?? now)
  let limit = 2 * s.params.rtt.maxRto
  if (s.userTimeout > 0) {
    if (rtxDelta > s.userTimeout) return true
    limit = Math.min(limit, s.userTimeout)
  }
  return now - s.lastHeardAt > limit && rtxDelta > limit
}

/**
 * The retransmission timer re-armed by an expiry waits no longer than the user timeout has left since
 * the first retransmission, and fires at once (a jiffy: 1 ms) once it has passed, so that the
 * connection fails at the user timeout, not an RTO after it (Linux's tcp_clamp_rto_to_user_timeout,
 * which tcp_retransmit_timer's out_reset_timer applies, a SYN's too; the RTO armed by a send is not
 * clamped). Linux's "at once" is one jiffy (4 ms at HZ 250); here 1 ms, the Clock's tick.
 */
const clampRtoToUserTimeout = (s: Sender, now: number): void => {
  const start = userTimeoutStart(s)
  if (s.userTimeout === 0 || s.rtoAt === undefined || start === undefined) return
  const remaining = s.userTimeout - (now - start)
  s.rtoAt = Math.min(s.rtoAt, now + (remaining <= 0 ? 1 : remaining))
}

/**
 * RFC 8985 §7 tail loss probe: a tail of lost segments draws no duplicate
 * ACKs, so without a probe it waits for the RTO. After PTO = 2 × SRTT (plus
 * the peer's worst delayed ACK when one segment is out, at most the RTO)
 * without an ACK of new data, one segment goes: new data if the windows
 * allow, else the last segment again. Its ACK, with SACK, shows what is
 * missing, and recovery starts. One probe per tail (until an ACK of new data).
 */
const armTailProbe = (s: Sender, now: number): void => {
  // New data went since the timer was last armed (SND.MAX past `tlpArmedMax`): Linux's tcp_write_xmit
  // re-arms it at every send of new data, tcp_schedule_loss_probe(sk, false), whether or not a
  // probe's episode is open (it has no tlp_high_seq test): the PTO from the last send (RFC 8985
  // §7.2), capped at the head's send time + RTO (`armProbeOut`). Armed from the first send after the
  // last ACK and left, a second write tens of ms later found the probe due a PTO after the first
  // (test/kernel/ConformanceLoss.test.ts, "a second write outside a probe's episode")
  if (Seq.gt(s.sndMax, s.tlpArmedMax)) {
    armProbeOut(s, now)
    return
  }
  // RFC 8985 §7.2: SACK in use, nothing SACKed, not in recovery (fast or after a timeout: SND.UNA
  // has not yet reached the recovery point), no probe out already
  // (and one probe per episode: none while the last one's is open, §7.4; Linux's "at most one
  // outstanding TLP")
  if (s.tlpAt !== undefined || s.tlpOut || s.tlpEpisode !== undefined || !s.sackOk || s.persistAt !== undefined) return
  if (!probeState(s)) return
  const flight = Seq.sub(s.sndMax, s.sndUna)
  // (with no RTT sample as well: `probeTimeout` is then Linux's TCP_TIMEOUT_INIT, see `armProbeOut`)
  if (flight <= 0 || !sending(s) || s.rtoAt === undefined) return
  // nothing new to send that the window takes (`sendProbe`'s test, Linux's tcp_snd_wnd_test on the
  // send head), and the last segment lies wholly past a window the peer shrank: no probe could go
  // (tailProbe would send nothing, and this would arm it again and again; with the RTO re-armed a
  // tick on at each such expiry, `tailProbe`, for ever: test/tcp/RandomLoss.test.ts, seed 285, with
  // data unsent that the window did not take). Unless it is the segment at SND.UNA, which `resend`
  // lets go whole into a shut window (Linux's __tcp_retransmit_skb): one segment, or a FIN alone,
  // out when the window shut is probed as Linux's tcp_schedule_loss_probe arms it at the ACK
  // (test/kernel/ConformanceLoss.test.ts, "SACK: one segment out when the window shuts";
  // ConformanceClose.test.ts, "shutdown behind data, the ACK of the data shuts the window")
  const unsent = Seq.sub(SendBuffer.end(s.buffer), s.sndNxt)
  if (!(unsent > 0 && Seq.sub(Seq.add(s.sndUna, s.sndWnd), s.sndNxt) >= Math.min(unsent, segmentPayload(s)))) {
    const last = lastSegment(s).start
    if (!Seq.lt(last, Seq.add(s.sndUna, s.sndWnd)) && last !== s.sndUna) {
      // The RTO all the same where Linux's would come: its tcp_schedule_loss_probe asks no window,
      // so the ACK arms the probe's timer (below), whose expiry sends nothing (__tcp_retransmit_skb:
      // -EAGAIN) and re-arms the RTO from the head's send time, a jiffy after it at least
      // (tcp_send_loss_probe → tcp_rearm_rto, `tailProbe`). Never later than the RTO armed: once
      // that is Linux's (after the probe's expiry, or at a later call) it stands. Kept, an ACK of
      // new data that shrank the window past the last segment timed out an RTO after itself, where
      // Linux's came an RTO after the head's send (test/tcp/Recovery.test.ts, "an ACK of new data
      // that shrinks the window past the last segment")
      const probeDue = Math.min(now + probeTimeout(s, flight), s.rtoAt)
      const head = headSentAt(s)
      s.rtoAt = Math.min(s.rtoAt, Math.max(head === undefined ? probeDue : head + s.rtt.rto, probeDue + TIMER_TICK))
      // (Linux's probe timer, pending until then: a window that opens before it lets the probe go
      // at that time, not a PTO after the window update, which arms no timer; one that opens after
      // it arms none, `blockedProbe`)
      if (blockedProbe(s) === undefined) s.tlpBlocked = { at: probeDue, una: s.sndUna, max: s.sndMax }
      return
    }
  }
  // A probe's timer that could not go holds (Linux's, armed at the last ACK of new data: a window
  // update, which acknowledges nothing, arms none, tcp_ack's FLAG_SET_XMIT_TIMER being unset): the
  // probe goes at its time if that is still to come, else none is armed and the RTO it left comes.
  // Armed from the window update, a probe went a PTO after it, or at the RTO's time instead of the
  // timeout, where Linux resends the head (test/tcp/Recovery.test.ts, "a window that opens after the
  // probe's timer found the last segment past it arms no probe")
  const blocked = blockedProbe(s)
  if (blocked !== undefined) {
    if (blocked.at > now) s.tlpAt = Math.min(blocked.at, s.rtoAt)
    return
  }
  // RFC 8985 §7.2: when the RTO would fire before the probe, the probe goes at the RTO's time instead
  // (Linux's tcp_schedule_loss_probe: min(PTO, time to the RTO)); with one segment out, 2 SRTT +
  // WCDelAckT is always past the RTO, and a lone lost segment would otherwise always cost a timeout
  s.tlpAt = Math.min(now + probeTimeout(s, flight), s.rtoAt)
}

/**
 * New data went (outside a probe's episode as inside one: Linux's
 * tcp_write_xmit schedules the loss probe at every send of new data), or
 * (`acked`) an ACK of new data came that leaves a probe's episode open
 * (Linux's tlp_high_seq). Linux
 * keeps one timer a socket (icsk_pending): tcp_write_xmit's
 * tcp_schedule_loss_probe, which has no tlp_high_seq test, turns it into a
 * loss-probe timer at min(PTO, the head's send time + RTO - now, when
 * positive), over the RTO the probe restarted (tcp_event_new_data_sent
 * re-arms nothing with packets out); at its expiry tcp_send_loss_probe finds
 * the probe out and only re-arms the RTO from the head's send time
 * (`tailProbe`). So the RTO this replaces (probe + RTO) goes, and the timeout
 * comes at the first unacknowledged segment's send time + RTO (once that is
 * past, at PTO from the last new data). The ACK's timer is tcp_set_xmit_timer's
 * tcp_schedule_loss_probe(sk, true): min(PTO, RTO) from now, and its expiry
 * likewise. In Linux's Open or CWR state, with SACK (`probeState`): not in a
 * recovery, nothing SACKed (Disorder) unless an ECN cut is held, not in persist.
 */
const armProbeOut = (s: Sender, now: number, acked = false): void => {
  s.tlpArmedMax = s.sndMax
  if (!s.sackOk || s.persistAt !== undefined || !probeState(s)) return
  const flight = Seq.sub(s.sndMax, s.sndUna)
  // No RTT sample yet (a handshake whose SYN or SYN-ACK went again, without timestamps; or only
  // retransmitted data acknowledged since, Karn's rule) arms it too: Linux's tcp_schedule_loss_probe
  // has no such return, its timeout is then TCP_TIMEOUT_INIT (1 s) capped at the head's send time +
  // RTO (3 s after such a handshake, tcp_init_metrics), so the probe goes 1 s after the last send
  // where the stack waited for the timeout (test/kernel/ConformanceLoss.test.ts, "a tail loss probe
  // before any RTT sample")
  if (flight <= 0 || !sending(s)) return
  const pto = probeTimeout(s, flight)
  const head = acked ? undefined : headSentAt(s)
  const due = acked ? now + s.rtt.rto : head === undefined ? undefined : head + s.rtt.rto
  s.tlpAt = due !== undefined && due > now ? Math.min(now + pto, due) : now + pto
  // (Outside an episode the RTO the ACK or the first send armed stays beside it while it would come
  // no sooner: the probe goes first and restarts it, or `tailProbe` re-arms it when none could go.
  // Sooner, it goes: Linux has no RTO then, its one timer is the loss probe's)
  if (s.tlpEpisode !== undefined || (s.rtoAt !== undefined && s.rtoAt < s.tlpAt)) s.rtoAt = undefined
  // and RACK's reordering timer goes too: tcp_reset_xmit_timer(ICSK_TIME_LOSS_PROBE) replaces whatever
  // was pending. Only in Open (checked above), which a fast recovery's last ACK can leave with RACK
  // waiting for new data sent just before its last retransmission: kept, it fired first and resent
  // that data where Linux waits for the probe (test/tcp/Recovery.test.ts, "new data in Open after a
  // fast recovery replaces RACK's pending reordering timer"). An ACK's marks re-arm it (`rackDetect`)
  s.rackAt = undefined
}

/**
 * Linux's Open or CWR state, where tcp_schedule_loss_probe arms the probe: no fast recovery, no
 * timeout's (SND.UNA short of `recover`), and nothing SACKed (Disorder) unless an ECN cut is held:
 * Linux's CWR holds through SACKs (tcp_try_to_open leaves it, no tcp_try_keep_open), and the probe
 * has no sacked_out test (test/tcp/Recovery.test.ts, "new data sent in CWR with a SACK hole")
 */
const probeState = (s: Sender): boolean =>
  !s.recovering && !Seq.lt(s.sndUna, s.recover) && (s.board.ranges.length === 0 || ecnHeld(s))

/** When the first unacknowledged segment last went (Linux's tcp_rto_delta_us: the rtx queue head's skb_mstamp). */
const headSentAt = (s: Sender): number | undefined =>
  s.rack.head < s.rack.starts.length ? s.rack.sentAt[s.rack.head] : undefined

/** The least delay a timer re-armed for a time already past waits, ms (Linux's one jiffy at HZ 1000). */
const TIMER_TICK = 1

/**
 * What a tail probe with nothing new to send resends: the last segment as it
 * was cut (RFC 8985 §7.3: "the highest-sequence segment sent so far"; Linux's
 * tcp_send_loss_probe resends its last skb's last MSS), not the last MSS of
 * data, which would take the tail of the segment before it too; what of it the
 * peer has is left out, and at most a full segment's worth. With the FIN if
 * it was sent; a FIN that went alone after the data was the last segment
 * itself, and goes alone again (Linux's probe is its FIN skb, tcp_send_fin's
 * own when the data before it had gone).
 */
const lastSegment = (s: Sender): { readonly start: Seq.SeqNum; readonly len: number; readonly finSent: boolean } => {
  const fin = finEnd(s)
  const finSent = fin !== undefined && Seq.gte(s.sndMax, fin)
  const dataEnd = finSent ? SendBuffer.end(s.buffer) : s.sndMax
  if (finSent && s.lastSegStart === dataEnd) return { start: dataEnd, len: 0, finSent }
  const from = Seq.lt(s.lastSegStart, dataEnd) ? Seq.max(s.lastSegStart, s.sndUna) : s.sndUna
  const len = Math.min(segmentPayload(s), Math.max(0, Seq.sub(dataEnd, from)))
  return { start: Seq.add(dataEnd, -len), len, finSent }
}

/**
 * The probe timeout, ms (RFC 8985 §7.2's PTO as Linux 6.18's
 * tcp_schedule_loss_probe works it out): 2 SRTT (srtt_us >> 2), plus the
 * socket's minimum RTO (tcp_rto_min_us, Linux's stand-in for RFC 8985's
 * WCDelAckT: the peer may hold a lone segment's ACK) when one packet is out,
 * else plus TCP_TIMEOUT_MIN_US (2 ms), in whole jiffies rounded up
 * (usecs_to_jiffies; a jiffy is 1 ms here, HZ 1000). No floor besides: on a
 * path of microseconds the probe goes ~2-3 ms after the send (a 10 ms floor
 * kept it waiting 10: test/kernel/ConformanceLoss.test.ts, "tail loss probe
 * on a short path"). With no SRTT yet, TCP_TIMEOUT_INIT (1 s). The caller
 * takes the min with the RTO's remaining time (tcp_rto_delta_us).
 */
const probeTimeout = (s: Sender, flight: number): number =>
  s.rtt.srtt === undefined
    ? TIMEOUT_INIT
    : usecsToJiffies(2 * s.rtt.srtt + (flight <= segmentPayload(s) ? s.params.rtt.minRto : TIMEOUT_MIN))

/** Linux's TCP_TIMEOUT_MIN_US, ms: what its probe and reordering timers add to the time they wait for. */
const TIMEOUT_MIN = 2
/** Linux's TCP_TIMEOUT_INIT, ms: the probe timeout before any RTT sample. */
const TIMEOUT_INIT = 1000

/**
 * A delay of `ms` in whole jiffies (ms, HZ 1000), rounded up as Linux's
 * usecs_to_jiffies rounds its microseconds (taken to the microsecond first,
 * so that a float's last bit does not cost a jiffy).
 */
const usecsToJiffies = (ms: number): number => Math.ceil(Math.round(ms * 1000) / 1000)

const tailProbe = (s: Sender, now: number, out: Array<OutSegment>): void => {
  s.tlpAt = undefined
  // the timer `armProbeOut` set finding a probe out already (RFC 8985 §7.4, one a tail) sends none
  const tried = s.tlpEpisode === undefined
  if (tried && sendProbe(s, now, out)) return
  // No probe went (none could, or one was out): Linux's tcp_send_loss_probe ends in tcp_rearm_rto
  // with ICSK_TIME_LOSS_PROBE still pending (tcp_write_timer_handler clears only RETRANS and
  // PROBE0 before their handlers), the RTO from the head's send time (tcp_rto_delta_us, a jiffy
  // when that is past). That replaces the RTO an ACK or a send had left beside the probe (`armProbeOut`,
  // `armTailProbe`), when the probe could not go: kept, a last segment wholly past a window the peer
  // shrank timed out an RTO after the last ACK, where Linux's came an RTO after the head's send
  // (test/tcp/Recovery.test.ts, "a tail probe that cannot go re-arms the RTO from the head's send
  // time"). With a probe out, `armProbeOut` had put the RTO off; one armed since (a resend of the
  // head) stands
  if (s.persistAt === undefined && Seq.gt(s.sndMax, s.sndUna) && (tried || s.rtoAt === undefined)) rearmFromHead(s, now)
  // (and no probe again until an ACK of new data or new data sent, `tlpBlocked`)
  if (tried && Seq.gt(s.sndMax, s.sndUna)) s.tlpBlocked = { at: now, una: s.sndUna, max: s.sndMax }
}

/** `tlpBlocked` while it holds: SND.UNA and SND.MAX where they were when the probe's timer was armed or went off. */
const blockedProbe = (s: Sender): { readonly at: number } | undefined => {
  const b = s.tlpBlocked
  if (b === undefined) return undefined
  if (b.una === s.sndUna && b.max === s.sndMax) return b
  s.tlpBlocked = undefined
  return undefined
}

/** The tail probe goes if it can: whether it went. */
const sendProbe = (s: Sender, now: number, out: Array<OutSegment>): boolean => {
  // (never in persist: entering it calls the probe off, and armTailProbe arms none there)
  if (s.recovering || !sending(s) || Seq.sub(s.sndMax, s.sndUna) <= 0) return false
  const full = segmentPayload(s)
  const bufEnd = SendBuffer.end(s.buffer)
  const unsent = Seq.sub(bufEnd, s.sndNxt)
  const room = Seq.sub(Seq.add(s.sndUna, s.sndWnd), s.sndNxt)
  const fin = finEnd(s)
  // (new data here is also a bare FIN that the congestion window held, `push`: Linux's
  // tcp_send_loss_probe sends its send head, the FIN's skb, by tcp_write_xmit with push_one 2, whose
  // cwnd test gives way for the probe, once tcp_snd_wnd_test finds room for its one sequence number)
  const finNew = unsent === 0 && fin !== undefined && Seq.lt(s.sndMax, fin) && room > 0
  const retrans = !finNew && !(unsent > 0 && room >= Math.min(unsent, full))
  let start = s.sndNxt
  if (!retrans) {
    const len = Math.min(unsent, full)
    sendData(s, out, s.sndNxt, len, fin !== undefined && len === unsent, now)
  } else {
    // the last segment again (with the FIN if it was sent)
    const last = lastSegment(s)
    // past a window the peer shrank it cannot go (Linux's __tcp_retransmit_skb: -EAGAIN): no probe
    // then, and `tailProbe` re-arms the RTO from the head's send time
    start = last.start
    if (resend(s, out, start, last.len, last.finSent, now) === undefined) return false
  }
  s.tlpOut = true
  s.tlpArmedMax = s.sndMax
  s.tlpEpisode = { start, end: s.sndMax, retrans, flight: Seq.sub(s.sndMax, s.sndUna) }
  count(s).tailProbes++
  // RFC 8985 §7.3: the RTO restarts after a probe
  s.rtoAt = now + s.rtt.rto
  return true
}

const probe = (s: Sender, now: number, out: Array<OutSegment>): void => {
  const waiting = Seq.sub(SendBuffer.end(s.buffer), s.sndUna)
  if (waiting <= 0 && !(finWaits(s) && s.sndWnd === 0)) {
    s.persistAt = undefined
    endProbeBackoff(s)
    s.probesStamp = undefined
    push(s, now, out)
    // (a FIN sent before, whose application has closed since: its retransmission timer again)
    if (s.persistAt === undefined && s.rtoAt === undefined && Seq.gt(s.sndMax, s.sndUna)) s.rtoAt = now + s.rtt.rto
    return
  }
  const room = Seq.sub(Seq.add(s.sndUna, s.sndWnd), s.sndNxt)
  if (s.sndWnd > 0 && room > 0) {
    // a window too small for SWS avoidance: send what fits, as a normal (timed, retransmitted) segment
    s.persistAt = undefined
    endProbeBackoff(s)
    s.probesStamp = undefined
    const full = segmentPayload(s)
    const len = Math.min(room, full, Seq.sub(SendBuffer.end(s.buffer), s.sndNxt))
    const fin = finEnd(s)
    sendData(s, out, s.sndNxt, len, fin !== undefined && Seq.add(s.sndNxt, len + 1) === fin, now)
    return
  }
  // RFC 1122 §4.2.2.17: open while the peer answers; given up after as many unanswered probes
  // as retransmissions (Linux's tcp_probe_timer, tcp_retries2). But an orphan (the application
  // has closed) is given up answered or not once the probes' backoff has reached its cap and
  // counts the orphan retries, as Linux's tcp_probe_timer for SOCK_DEAD (no longer "alive" once
  // the backed-off RTO reaches TCP_RTO_MAX): else a peer keeping its window shut would hold the
  // orphan, and what it had left to send, for ever
  const capped = s.rtt.rto * 2 ** probe0Shift(s) >= s.params.maxPersist
  // With a user timeout, the probes end once it has passed since the first of them, answered or not
  // (Linux's tcp_probe_timer: icsk_probes_tstamp, set at the first expiry, is reset only by a window
  // that opens, tcp_ack_probe, not by the answers that keep icsk_probes_out at 0)
  if (s.probesStamp === undefined) s.probesStamp = now
  else if (s.userTimeout > 0 && now - s.probesStamp >= s.userTimeout) {
    timedOut(s)
    return
  }
  if (s.appClosed && capped && s.persistBackoff >= retryLimit(s)) {
    timedOut(s)
    return
  }
  // (an orphan the stack cannot keep ends here, after the check above and before the probes' count,
  // reset whatever its state: Linux's tcp_probe_timer, tcp_out_of_resources(sk, true))
  if (s.appClosed && outOfResources(s, now, true, out)) return
  if (s.windowProbes >= retryLimit(s)) {
    timedOut(s)
    return
  }
  s.windowProbes++
  if (waiting <= 0 && !Seq.gt(s.sndMax, s.sndUna)) {
    // only a FIN never sent waits: no octet to probe with, so a segment the receiver finds old and
    // answers with its window (Linux's tcp_xmit_probe_skb: SND.UNA - 1, no data)
    emit(s, out, Seq.add(s.sndUna, -1), ACK, undefined, optionsFor(s, now, false))
  } else {
    // one octet of what waits, or the FIN sent before again (Linux's retransmission into a shut
    // window: a receiver that takes a bare FIN at RCV.NXT there, as Linux's and ours, ends it)
    s.sndNxt = s.sndUna
    const keepRto = s.rtoAt
    // (nor is it data sent for the restart after idle: Linux's probe into a shut window carries none
    // and leaves lsndtime, so a window that opens more than an RTO after the last data restarts the
    // window, tcp_ack_update_window's tcp_slow_start_after_idle_check, however recent the probe)
    const keepSend = s.lastSendAt
    sendData(s, out, s.sndUna, waiting <= 0 ? 0 : 1, waiting <= 0, now, true)
    s.rtoAt = keepRto
    s.lastSendAt = keepSend
    s.timing = undefined
  }
  s.persistBackoff++
  s.persistAt = now + persistInterval(s, now)
}

/**
 * The persist timer's interval: the RTO backed off by the probes sent, capped (Linux's tcp_probe0_when);
 * with a user timeout, no longer than it has left since the first probe, at least TCP_TIMEOUT_MIN
 * (Linux's tcp_clamp_probe0_to_user_timeout, in tcp_send_probe0 and tcp_ack_probe)
 */
const persistInterval = (s: Sender, now: number): number => {
  const when = Math.min(s.params.maxPersist, s.rtt.rto * 2 ** probe0Shift(s))
  if (s.userTimeout === 0 || s.probesStamp === undefined) return when
  const remaining = s.userTimeout - Math.max(0, now - s.probesStamp)
  return Math.min(when, Math.max(remaining, PROBE0_MIN))
}

/**
 * The probe timer's shift (Linux's icsk_backoff in tcp_probe0_when): the probes sent and the
 * retransmission timer's doublings since the last RTT sample. Linux counts both in one icsk_backoff
 * and shifts icsk_rto, which the doublings already grew, by it: after a shut window's expiry (RTO
 * 2R, backoff 1) the first probe goes at 2R and the next 8R after it, not 4R
 * (test/kernel/ConformanceWindow.test.ts, "a zero window after a shut window's timeout").
 */
const probe0Shift = (s: Sender): number => s.rtt.backoffs + s.persistBackoff

/**
 * The probes' backoff ends (Linux's tcp_ack_probe for a head that fits, tcp_send_probe0 with data
 * out or nothing to send): icsk_backoff to 0, so the retransmission timer's doublings go with it,
 * while the RTO they grew stays until a sample (the RFC 6069 revert has none left to undo then).
 */
const endProbeBackoff = (s: Sender): void => {
  s.persistBackoff = 0
  if (s.rtt.backoffs !== 0) s.rtt = { ...s.rtt, backoffs: 0 }
}

/** Linux's TCP_TIMEOUT_MIN (2 jiffies), ms as at HZ 1000: the shortest persist timer a user timeout's clamp leaves. */
const PROBE0_MIN = 2

const armKeepalive = (s: Sender, now: number): void => {
  const idle = s.keepaliveIdle
  // every synchronized state (Linux's tcp_keepalive_timer): a half-closed connection whose peer
  // vanished in FIN-WAIT-2 is found out too; while our FIN is in flight its own timer runs instead.
  // Not after a close in FIN-WAIT-2: Linux's orphan there is a timewait sock, or a full socket whose
  // keepalive timer only counts down to one (tcp_keepalive_timer's SOCK_DEAD case); its
  // FIN-WAIT-2 timeout is all that ends it
  if (idle === undefined || !KEEPALIVE_STATES.has(s.state) || (s.appClosed && s.state === "FinWait2")) {
    s.keepaliveAt = undefined
    return
  }
  s.keepaliveAt = (s.keepaliveProbes === 0 ? s.lastHeardAt + idle : now + s.params.keepaliveInterval)
}

const KEEPALIVE_STATES: ReadonlySet<State> = new Set<State>(["Established", "CloseWait", "FinWait1", "FinWait2", "Closing", "LastAck"])

/**
 * Keepalive on (`idle` ms before the first probe) or off (undefined) for
 * this connection (SO_KEEPALIVE with TCP_KEEPIDLE): probing restarts from
 * what was last heard.
 */
export const setKeepalive = (s: Sender, idle: number | undefined, now: number): void => {
  s.keepaliveIdle = idle
  s.keepaliveProbes = 0
  armKeepalive(s, now)
}

/**
 * An RTT measurement (RFC 6298 §2) taken `at`: into the estimator, RACK's minimum, and the stack's
 * tally (`params.onRttSample`). `maybeDelayed`: from an ACK the peer's delayed-ACK timer may have held.
 * `una`: SND.UNA once the ACK is taken (Linux's tcp_rtt_estimator runs after tcp_snd_una_update).
 */
const rttSample = (s: Sender, ms: number, at: number, maybeDelayed = false, una = s.sndUna): void => {
  // (the round trip of Linux's rtt_seq, over which its tcp_rtt_estimator holds the variation: SND.UNA
  // after this ACK against the highest sent, Linux's snd_nxt, which a go-back does not move back)
  s.rtt = Rtt.sample(s.rtt, ms, s.params.rtt, una, s.sndMax)
  // RACK's minimum RTT takes the handshake's sample and the timestamps' too (Linux's tcp_min_rtt,
  // fed by tcp_ack_update_rtt): before any data was delivered a retransmission's ACK is judged
  // against it (RFC 8985 §6.2 step 2), not refused for want of one. (Not a sample of 0 ms, under the
  // clock's tick, which would make every retransmission's ACK its own)
  if (ms > 0) Rack.sampleMinRtt(s.rack, at, ms, maybeDelayed)
  s.params.onRttSample?.(ms)
}

/**
 * The user timeout for this connection, ms, 0 for off (RFC 9293 §3.10.8; Linux's TCP_USER_TIMEOUT,
 * whose tcp_sock_set_user_timeout only records it: the timers running keep their deadlines, and
 * their next expiry or re-arm reads it). The caller checks `ms` (a non-negative integer).
 */
export const setUserTimeout = (s: Sender, ms: number): void => {
  s.userTimeout = ms
}

/** RFC 1122 §4.2.3.6: a keepalive probe is SEG.SEQ = SND.NXT - 1 with no data, which draws an ACK. */
const keepalive = (s: Sender, now: number, out: Array<OutSegment>): void => {
  // data in flight has its own timer (and its retries end the connection), and data or a FIN still
  // to send waits for the window, which the persist timer probes: no probes then, as Linux's
  // tcp_keepalive_timer (packets out, or the write queue not empty)
  if (Seq.gt(s.sndMax, s.sndUna) || Seq.gt(finEnd(s) ?? SendBuffer.end(s.buffer), s.sndMax)) {
    s.keepaliveProbes = 0
    s.keepaliveAt = now + (s.keepaliveIdle ?? 0)
    return
  }
  // With a user timeout, it and not the probes' count says when: once it has passed since the peer
  // was last heard with a probe out (Linux's tcp_keepalive_timer: `elapsed >= user_timeout &&
  // icsk_probes_out > 0`; the count is not asked then)
  if (s.userTimeout > 0 ? s.keepaliveProbes > 0 && now - s.lastHeardAt >= s.userTimeout : s.keepaliveProbes >= s.params.keepaliveProbes) {
    // the peer is told, in case it is there after all (Linux's tcp_send_active_reset)
    emit(s, out, ackSeq(s), RST | ACK, undefined, resetOptions(s, now))
    timedOut(s)
    return
  }
  s.keepaliveProbes++
  emit(s, out, Seq.add(s.sndUna, -1), ACK, undefined, optionsFor(s, now, false))
  armKeepalive(s, now)
}
