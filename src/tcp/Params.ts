/**
 * The numbers a TCP connection runs by, as one plain record the pure rules
 * take (Config's `tcp` section fills it; tests build their own). Durations
 * are Clock milliseconds, sizes octets.
 *
 * Defaults follow Linux where the RFCs leave a choice, and say so.
 *
 * @since 0.1.0
 */
import type * as Congestion from "./congestion/Congestion.js"
import type * as Memory from "./Memory.js"
import * as Rtt from "./Rtt.js"

/** @category models */
export interface TcpParams {
  /** RFC 6298 estimator bounds: initial 1 s, floor 200 ms (Linux, not the RFC's 1 s), ceiling 120 s */
  readonly rtt: Rtt.RttParams
  /**
   * told of every RTT measurement a send half takes, ms (not a setting: the
   * stack's metrics hook, one per stack, so no connection carries a field for it)
   */
  readonly onRttSample?: ((ms: number) => void) | undefined
  /** told of segments that drew a challenge ACK (`answered`) or found the rate limit spent (RFC 5961 §7); a metrics hook too */
  readonly onChallenge?: ((segments: number, answered: boolean) => void) | undefined
  /**
   * the stack-wide accountant every connection of the stack charges with what it holds (Memory.ts,
   * Linux's tcp_mem); not a setting but one shared record, as the hooks above. Undefined: no bound
   */
  readonly memory?: Memory.TcpMemory | undefined
  /** receive buffer per connection: the most unread octets held, and the window advertised */
  readonly receiveBuffer: number
  /** the largest receive buffer a connection may grow to; the window scale we offer is chosen for it */
  readonly maxReceiveBuffer: number
  /** send buffer per connection: writes wait while this many octets are unacknowledged */
  readonly sendBuffer: number
  /** the largest the send buffer grows to with the congestion window (Linux tcp_wmem max: 4 MiB) */
  readonly maxSendBuffer: number
  /** delayed ACK: at most this long after data that was not acknowledged at once (RFC 9293 §3.8.6.3: < 0.5 s; Linux 40 ms) */
  readonly delayedAck: number
  /**
   * Quick-ACK mode (Linux's): this many ACKs of new data at a connection's start, and again after an
   * idle RTO or a segment wholly below RCV.NXT (a resend of data we had), go at once instead of delayed, unless the exchange is interactive
   * (we answered within the delayed-ACK time: the ACK rides on the answer). Linux TCP_MAX_QUICKACKS:
   * the most; fewer when half the window then announced holds fewer segments (Sender.quickAckCount).
   */
  readonly quickAcks: number
  /**
   * Linux's tcp_retries2 (15) boundary: the connection fails with TimedOut at the first retransmission
   * timeout this long after its first retransmission: the time `retries` retransmissions backed off
   * from 200 ms (TCP_RTO_MIN) up to the RTO's cap would take (tcp_model_timeout: 924.6 s for 15). A time,
   * not a count: an RTO above 200 ms spends it in fewer resends. Also the unanswered zero-window probes'
   * count (tcp_probe_timer)
   */
  readonly retries: number
  /**
   * the same, and unanswered window probes, once the application has closed the connection, in place
   * of `retries`: by default an orphan nobody reads from gives up sooner (Linux tcp_orphan_retries,
   * whose 0 means 8: 102.2 s from the first retransmission, against 924.6 s for `retries` 15); with
   * `retries` set below it, later, as Linux's (not the lesser of the two)
   */
  readonly orphanRetries: number
  /**
   * retransmissions of a SYN before connect fails with TimedOut (Linux tcp_syn_retries = 6); as for
   * `retries` also the time they would take from the initial RTO, from the first SYN (127 s for 6),
   * which the count reaches at the same expiry (with `synLinearTimeouts`, the time may come first)
   */
  readonly synRetries: number
  /**
   * how many of a connect's SYN timeouts keep the RTO at the initial one before it doubles (Linux 6.5+'s
   * tcp_syn_linear_timeouts, 6.18's default 4: SYNs again at 1, 2, 3, 4, 5, 7, 11, ... s); 0 (the
   * default): RFC 6298 §5.5's doubling from the first. SYN-SENT only, as Linux's: not a simultaneous
   * open's SYN-RECEIVED, nor a listener's SYN-ACKs. The count `synRetries` is then `synRetries` + this
   * (tcp_write_timeout's max_retransmits), the time stays `synRetries`' from the initial RTO
   */
  readonly synLinearTimeouts: number
  /** retransmissions of a SYN-ACK before a half-open connection is dropped (Linux tcp_synack_retries = 5) */
  readonly synAckRetries: number
  /** TIME-WAIT: 2 × MSL (RFC 9293 §3.4.2; Linux 60 s) */
  readonly timeWait: number
  /**
   * how long a connection closed by its application waits in FIN-WAIT-2 for the peer's FIN (Linux
   * tcp_fin_timeout 60 s); above 60 s, as Linux, it waits twice what passes 60 s; at least 3.5 RTOs
   * (tcp_fin_time; `Sender.orphanLife`)
   */
  readonly finWait2: number
  /**
   * zero-window probes: first interval is the RTO, doubling up to this ceiling (RFC 9293 §3.8.6.1,
   * RFC 1122 §4.2.2.17, which name none): the largest RTO, 120 s, as Linux's tcp_probe0_when caps
   * the probes at TCP_RTO_MAX (the socket's rto_max since 6.15), and the stack sets it from tcp.maxRto
   */
  readonly maxPersist: number
  /** keepalive idle time; undefined: off (RFC 1122 §4.2.3.6: off by default, ≥ 2 h when on) */
  readonly keepaliveIdle: number | undefined
  /** the idle ms a connection's `setKeepAlive(true)` uses when it names none (the stack's `tcp.keepaliveIdle`) */
  readonly keepaliveIdleAsked: number
  /** between keepalive probes */
  readonly keepaliveInterval: number
  /** unanswered keepalive probes before the connection fails with TimedOut */
  readonly keepaliveProbes: number
  /** congestion control for new connections */
  readonly congestion: Congestion.Name
  /** HyStart++ (RFC 9406) in the initial slow start: leave it when the delay grows, before a full queue drops a round */
  readonly hystart: boolean
  /** offer and accept the timestamps option (RFC 7323) */
  readonly timestamps: boolean
  /** offer and accept SACK (RFC 2018) */
  readonly sack: boolean
  /** offer and accept window scaling (RFC 7323 §2) */
  readonly windowScaling: boolean
  /**
   * F-RTO (RFC 5682, the SACK-enhanced algorithm; Linux tcp_frto = 2): after a timeout, new data
   * before old, so that a spurious timeout is seen and undone (connections with SACK only)
   */
  readonly frto: boolean
  /**
   * ECN (RFC 3168 §6.1; RFC 9293 §3.8.2 SHLD-8), as Linux's tcp_ecn: "accept" (Linux's default 2)
   * takes it when a peer's SYN asks, "on" also asks in our SYNs, "off" neither
   */
  readonly ecn: EcnMode
  /**
   * challenge ACKs per second per connection (RFC 5961 §7), after the connection's one per
   * `Acceptance.OOW_ACK_INTERVAL` (so it bites only below 2). Linux's tcp_challenge_ack_limit was
   * host-wide at 1000 until 6.0; since then it is per network namespace and INT_MAX (off) by default
   */
  readonly challengeAcksPerSecond: number
  /** segments held out of order: most octets and most separate blocks */
  readonly outOfOrderBlocks: number
}

/** ECN's uses (`TcpParams.ecn`). */
export const ECN_MODES = ["off", "accept", "on"] as const
/** @category models */
export type EcnMode = typeof ECN_MODES[number]
export const isEcnMode = (v: unknown): v is EcnMode => ECN_MODES.some((m) => m === v)

/** Linux's TCP_MAX_QUICKACKS: data segments acknowledged at once at a connection's start. */
export const QUICK_ACKS = 16

/** @category constructors */
export const defaults: TcpParams = {
  rtt: Rtt.defaults,
  receiveBuffer: 256 * 1024,
  maxReceiveBuffer: 4 * 1024 * 1024,
  sendBuffer: 256 * 1024,
  maxSendBuffer: 4 * 1024 * 1024,
  delayedAck: 40,
  quickAcks: QUICK_ACKS,
  retries: 15,
  orphanRetries: 8,
  synRetries: 6,
  synLinearTimeouts: 0,
  synAckRetries: 5,
  timeWait: 60_000,
  finWait2: 60_000,
  maxPersist: Rtt.defaults.maxRto,
  keepaliveIdle: undefined,
  keepaliveIdleAsked: 2 * 60 * 60 * 1000,
  keepaliveInterval: 75_000,
  keepaliveProbes: 9,
  congestion: "cubic",
  hystart: true,
  timestamps: true,
  sack: true,
  windowScaling: true,
  frto: true,
  ecn: "accept",
  challengeAcksPerSecond: 1000,
  outOfOrderBlocks: 64
}
