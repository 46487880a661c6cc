/**
 * TCP (RFC 9293) over the IPv4 layer: the TCP dealer, listeners, the
 * stack-wide timer wheel, and the API (`listen`, `connect`).
 *
 * - **The dealer** is one fiber over IPv4's protocol-6 mailbox. Per batch it
 *   stamps the arrival time once (RTT samples use it, not the time a
 *   connection got round to the segment), validates each segment in place
 *   (`TcpHeader.check`; malformed ones are counted by reason and dropped;
 *   options never make a segment malformed, as in Linux: TcpHeader.ts),
 *   drops segments sent to a broadcast address (RFC 1122 §4.2.3.10), and
 *   sorts the rest by 4-tuple: each connection gets one array per wake-up
 *   into its bounded, dropping queue (Connection.ts); a segment for no
 *   connection goes to the listener of its port and destination address
 *   (one bound to that address, or to every one), or draws the CLOSED-state
 *   reset (RFC 9293 §3.10.7.1: `<SEQ=SEG.ACK><CTL=RST>` if it had ACK,
 *   else `<SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>`; an RST is never
 *   answered).
 * - **Listeners** answer SYNs themselves (Handshake.ts): a half-open
 *   connection is a small record in the listener's bounded SYN queue, with
 *   its SYN-ACK retransmission on the timer wheel; the peer's ACK turns it
 *   into a connection (two fibers) in the listener's bounded accept queue.
 *   A full SYN queue drops SYNs, a full accept queue drops the completing
 *   ACK (the SYN-ACK is then re-sent, as Linux does); both are counted.
 * - **The timer wheel** is one fiber that keeps every connection's and
 *   half-open record's next deadline in a heap (internal/Deadlines.ts), the
 *   TIME-WAIT records' in a second one, and wakes whoever is due. It waits
 *   on a signal; a small alarm fiber sleeps on Effect's Clock until the
 *   earliest deadline and raises it. A deadline
 *   moved earlier than the wheel's target raises it at once (the wheel then
 *   sets a new alarm, interrupting the old one). So no TCP timer is a fiber
 *   or a sleep of its own, and TestClock drives all of them. (A race of the
 *   sleep against the signal cost two forks and ~65 µs per wake-up.)
 * - **TIME-WAIT** is a small record in the dealer (TimeWait.ts), not a
 *   connection: once a connection reaches it, its fibers go and the record
 *   holds the 4-tuple for 2 × MSL on the timer wheel, re-acknowledging a
 *   retransmitted FIN, ignoring RSTs (RFC 1337) and letting a newer SYN
 *   open a new incarnation.
 * - **Local ports**: who holds each (PortIndex.ts: ephemeral connects apart
 *   from bound sockets, by local address) is kept with the connections and
 *   TIME-WAIT records, entry for entry, so that a bind's conflict check is
 *   a lookup (Linux's bind hash), not a walk over every connection.
 * - **Closing the stack's scope** aborts every connection (an RST to each
 *   peer, RFC 9293 §3.10.5) and stops every fiber. Its listeners leave
 *   their ports first, in the step that lists the connections (Linux's
 *   inet_csk_listen_stop): a handshake completing during the close opens
 *   nothing and its peer is reset.
 *
 * @since 0.1.0
 */
import { Context, Duration, Effect, Exit, Fiber, FiberId, FiberRef, FiberRefs, FiberSet, Layer, Option, Runtime, Stream } from "effect"
import type { Scope } from "effect"
import * as Metric from "effect/Metric"
import * as MetricBoundaries from "effect/MetricBoundaries"
import * as MetricLabel from "effect/MetricLabel"
import { Config, type StackConfig } from "../Config.js"
import * as Iface from "../iface/Interface.js"
import { Tx } from "../iface/Interface.js"
import { ChurnMap } from "../internal/ChurnMap.js"
import { consumeBatches } from "../internal/Handoff.js"
import * as Deadlines from "../internal/Deadlines.js"
import * as FiberPool from "../internal/FiberPool.js"
import * as SharedRunner from "../internal/SharedRunner.js"
import { Signal } from "../internal/Signal.js"
import { TakeQueue } from "../internal/TakeQueue.js"
import * as Sip from "../internal/SipHash.js"
import { Ipv4, type Ipv4Packet } from "../ipv4/Ipv4.js"
import * as PathMtu from "../ipv4/PathMtu.js"
import * as Addr from "../wire/Ipv4Addr.js"
import * as Ip from "../wire/Ipv4Header.js"
import * as TcpWire from "../wire/TcpHeader.js"
import type { WireReason } from "../wire/WireError.js"
import { Conn, type ConnectionInfo, emitSegment, type Env, withQueues } from "./Connection.js"
import * as Handshake from "./Handshake.js"
import * as PortIndex from "./PortIndex.js"
import * as PortSelection from "./PortSelection.js"
import * as TimeWait from "./TimeWait.js"
import * as Negotiation from "./Negotiation.js"
import * as Memory from "./Memory.js"
import { QUICK_ACKS, type TcpParams } from "./Params.js"
import * as Receiver from "./Receiver.js"
import * as Segment from "./Segment.js"
import * as Sender from "./Sender.js"
import * as Seq from "./SeqNum.js"
import * as SynCookie from "./SynCookie.js"
import { TcpError } from "./TcpError.js"

export { TcpError } from "./TcpError.js"
export type { ConnectionInfo } from "./Connection.js"

/** @category models */
export interface TcpStats {
  readonly received: number
  readonly malformed: Readonly<Partial<Record<WireReason, number>>>
  /** to a broadcast address, dropped unanswered (RFC 1122 §4.2.3.10) */
  readonly broadcastDropped: number
  /** resets received for a port with no connection, dropped (RFC 9293 §3.10.7.1) */
  readonly resetsIgnored: number
  /** resets sent for segments to a port with no connection or listener */
  readonly resetsSent: number
  /** resets not sent: no route back to the sender */
  readonly resetsUnroutable: number
  /** segments sent by connections and listeners (resets to closed ports not included) */
  readonly segmentsSent: number
  /** connections we opened (connect) and connections a listener accepted (handshake completed) */
  readonly activeOpens: number
  readonly passiveOpens: number
  /** connections open now (SYN-SENT to LAST-ACK; TIME-WAIT is counted in `timeWait`) */
  readonly connections: number
  /** half-open connections held by listeners now */
  readonly halfOpen: number
  /** SYNs dropped because the listener's SYN queue was full (with `tcp.synCookies` off) */
  readonly synQueueFull: number
  /** SYNs answered with a SYN cookie because the SYN queue was full (RFC 4987 §3.6) */
  readonly synCookiesSent: number
  /** connections a returning SYN cookie opened */
  readonly synCookiesAccepted: number
  /** ACKs to a listener, while cookies were out, that returned no valid cookie (answered with an RST) */
  readonly synCookiesRejected: number
  /** SYNs and completing ACKs dropped because the accept queue was full */
  readonly acceptQueueFull: number
  /** half-open connections dropped after their SYN-ACK retransmissions ran out */
  readonly synAckTimeouts: number
  /** batches dropped because a connection's queue was full */
  readonly arrivalsDropped: number
  /** new connections refused because `tcp.maxConnections` were open */
  readonly connectionLimit: number
  /** ICMP errors that quoted one of our connections */
  readonly icmpErrors: number
  /** segments that drew a challenge ACK (RFC 5961: an RST or SYN in the window, data with an unacceptable ACK) */
  readonly challengeAcks: number
  /**
   * such segments left unanswered: the connection had answered a refused segment in the last 500 ms
   * (Linux's per-socket limit), or its challenge-ACK rate (`tcp.challengeAcksPerSecond`) was spent
   */
  readonly challengeAcksLimited: number
  /** segments sent again, by any means, over every connection (open or over) */
  readonly retransmits: number
  /** of those: fast retransmissions (three duplicate ACKs, SACK or RACK loss detection) */
  readonly fastRetransmits: number
  /** retransmission timeouts (RFC 6298 §5.4-5.6); not the expiries with the peer's window shut, which are its probes (Linux's TCPTimeouts) */
  readonly timeouts: number
  /** tail loss probes (RFC 8985 §7) */
  readonly tailProbes: number
  /** loss episodes undone: every retransmission came back D-SACKed (RFC 2883 §5; Linux's TCPDSACKUndo); a timeout's, in its episode, counts in `eifelUndos` (TCPLossUndo) */
  readonly dsackUndos: number
  /** retransmission timeouts found spurious and undone, by F-RTO (RFC 5682; Linux's TCPSpuriousRTOs), by the timestamp echo, or by the D-SACKs of every resend */
  readonly spuriousTimeouts: number
  /** loss episodes undone because an ACK echoed a timestamp from before their first retransmission (RFC 3522), because they had resent nothing yet, or (a timeout's) because every resend came back D-SACKed (Linux's TCPLossUndo, TCPFullUndo and TCPPartialUndo); not the D-SACK undos of `dsackUndos` */
  readonly eifelUndos: number
  /** initial slow starts HyStart++ ended because the round-trip delay grew (RFC 9406; Linux's TCPHystartDelayDetect) */
  readonly hystartExits: number
  /** fibers waiting now for the next connection's half (`tcp.idleFibers` at most; internal/FiberPool.ts) */
  readonly idleFibers: number
  /** 4-tuples held in TIME-WAIT now (as small records, not connections) */
  readonly timeWait: number
  /** local ports that connections and TIME-WAIT records hold now, each once however many hold it (Linux's bind buckets; listeners' ports not counted) */
  readonly portsHeld: number
  /** connections closed without TIME-WAIT because `tcp.maxTimeWait` records were held (Linux's TCPTimeWaitOverflow) */
  readonly timeWaitOverflow: number
  /** ACKs sent from TIME-WAIT (a retransmitted FIN, or another stray segment) */
  readonly timeWaitAcks: number
  /** 4-tuples in TIME-WAIT that a connect took over (from its chosen port, or to ourselves: Linux's tcp_tw_reuse, loopback) */
  readonly timeWaitReused: number
  /**
   * octets every connection holds now (Memory.ts, Linux's tcp_memory_allocated): unacknowledged data
   * written, unread data in order and data held out of order; bounded by `tcp.memory`
   */
  readonly memory: number
  /** times the stack entered TCP memory pressure, above `tcp.memory.pressure` (Linux's TCPMemoryPressures) */
  readonly memoryPressure: number
  /** data segments dropped unacknowledged because TCP memory was above `tcp.memory.high` (Linux's TCPRcvQDrop and TCPOFODrop) */
  readonly rcvQueueDropped: number
  /** times an out-of-order queue was pruned to make room under that bound (Linux's OfoPruned) */
  readonly ofoPruned: number
  /** connections the application closed, still finishing (Linux's tcp_orphan_count; bounded by `tcp.maxOrphans`) */
  readonly orphans: number
  /** orphans reset for `tcp.maxOrphans` or for TCP memory past `tcp.memory.high` (Linux's TCPAbortOnMemory) */
  readonly abortOnMemory: number
  /**
   * TCP sockets now, the divisor of that bound's fair share (Linux's tcp_sockets_allocated, sockstat's
   * "alloc"): connections, orphans included but for Linux's timewait socks, and listeners; not
   * half-open entries nor TIME-WAIT records (Memory.ts)
   */
  readonly sockets: number
  /** windows of 0 announced after an open one, over every connection (Linux's TCPToZeroWindowAdv; the zero window of a memory drop not counted, as there) */
  readonly toZeroWindowAdv: number
  /** open windows announced after one of 0, over every connection (Linux's TCPFromZeroWindowAdv) */
  readonly fromZeroWindowAdv: number
  /** windows a connection's buffer would have shut that the edge announced kept open (Linux's TCPWantZeroWindowAdv; Sender.wantZeroWindow) */
  readonly wantZeroWindowAdv: number
}

/** A connection, for the application. @category models */
export interface Connection {
  readonly localAddress: Addr.Ipv4Addr
  readonly localPort: number
  readonly remoteAddress: Addr.Ipv4Addr
  readonly remotePort: number
  /** the next chunk of data in order, or None once the peer has ended its side */
  readonly read: Effect.Effect<Option.Option<Uint8Array>, TcpError>
  /**
   * what is queued, up to `max` octets, as one chunk (the oldest chunk whole if it alone is
   * longer), or None once the peer has ended its side: read(2) into a buffer of `max`
   */
  readonly readUpTo: (max: number) => Effect.Effect<Option.Option<Uint8Array>, TcpError>
  /** the data as a stream, ending at the peer's FIN */
  readonly stream: Stream.Stream<Uint8Array, TcpError>
  /**
   * queue `data` for sending: it completes once all of it is in the send buffer, waiting for room
   * as it fills (an empty `data` completes at once); do not change `data` afterwards. Interrupted
   * (a timeout, say) while it waits, it may have queued a prefix of `data` already, which will be
   * sent: `info`'s `bytesWritten` before and after says how much, so that a retry sends only the
   * rest (as a blocking send(2) cut short by a signal returns the count it took). Waiting, it
   * fails at once when our side is ended or closed (`Closed`, EPIPE: the prefix it queued is
   * sent, then the FIN, unless a close with data unread resets instead) or the connection is
   * reset or aborted (its error), as Linux's sk_stream_wait_memory returns on SEND_SHUTDOWN or a
   * socket error
   */
  readonly write: (data: Uint8Array) => Effect.Effect<void, TcpError>
  /**
   * `write`, then mark all written so far as urgent data (RFC 9293 §3.8.5): the segments point to
   * its end until the peer has acknowledged it, and it goes at once, Nagle or not. (Linux's
   * receivers without SO_OOBINLINE take the last urgent octet out of the stream; new
   * applications should not use the mechanism, RFC 9293 SHLD-13)
   */
  readonly writeUrgent: (data: Uint8Array) => Effect.Effect<void, TcpError>
  /** end our side (half-close): a FIN follows the data; reading goes on; a write waiting for room fails (`Closed`) */
  readonly end: Effect.Effect<void>
  /** end both sides: FIN after the data; an RST instead if data was unread or more arrives (as Linux: RFC 1122 §4.2.2.13); a write waiting for room fails (`Closed`) */
  readonly close: Effect.Effect<void>
  /** reset the connection at once (RST) */
  readonly abort: Effect.Effect<void>
  /** Nagle's algorithm off (true) or on (RFC 1122 §4.2.3.4) */
  readonly setNoDelay: (on: boolean) => Effect.Effect<void>
  /** the TOS (DiffServ field, 0..255) of the segments sent from now on (RFC 1122 §4.2.4.2); its ECN bits are ignored */
  readonly setTos: (tos: number) => Effect.Effect<void, TcpError>
  /**
   * keepalive probes (RFC 1122 §4.2.3.6) for this connection: on after `idle`
   * of silence (default the stack's `tcp.keepaliveIdle`), or off; interval
   * and count stay the stack's (`tcp.keepaliveInterval`, `tcp.keepaliveProbes`)
   */
  readonly setKeepAlive: (on: boolean, idle?: Duration.DurationInput) => Effect.Effect<void>
  /**
   * the user timeout, ms, from now on (RFC 9293 §3.10.8 USER TIMEOUT; Linux's TCP_USER_TIMEOUT); 0
   * turns it off, the default. Set, data left unacknowledged that long after its first
   * retransmission, zero-window probes that long after the first, or a peer silent that long with a
   * keepalive probe out, fails the connection with TimedOut, in place of `tcp.retries`' time (and an
   * orphan's `tcp.orphanRetries`) and the count of `tcp.keepaliveProbes` (Sender.ts). A negative or
   * fractional one is InvalidArgument
   */
  readonly setUserTimeout: (ms: number) => Effect.Effect<void, TcpError>
  /**
   * Octets of urgent data (RFC 9293 §3.8.5) the peer has marked that have not been read yet,
   * 0 when none is pending (MUST-33). The data itself comes in line, in order, by `read`.
   */
  readonly urgent: Effect.Effect<number>
  /** waits until the peer's urgent pointer next advances (MUST-32), or the connection ends, then gives `urgent` */
  readonly nextUrgent: Effect.Effect<number>
  /** completes when the connection is CLOSED; fails if it was reset, timed out or aborted */
  readonly closed: Effect.Effect<void, TcpError>
  /** state and counters */
  readonly info: Effect.Effect<ConnectionInfo>
}

/** @category models */
export interface Listener {
  readonly port: number
  /** the next established connection, waiting for one */
  readonly accept: Effect.Effect<Connection, TcpError>
}

/** @category models */
export interface ListenOptions {
  /**
   * 1..65535, or 0 for a free ephemeral port, one no listener, connection or TIME-WAIT holds (the
   * listener's `port` says which). A port an ephemeral connect holds, its connection or TIME-WAIT,
   * is AddressInUse (the bind, with SO_REUSEADDR as Node's, meets a socket without it)
   */
  readonly port: number
  /**
   * the address to take connections for (bind(2) before listen(2)): the stack's, a 127/8 one, or
   * `0.0.0.0` (the default: every address of the stack, 127/8 included). Another is
   * AddressNotAvailable. A listener bound to one address answers no SYN to another, which draws a
   * reset as a closed port's: `127.0.0.1` keeps a service off the link. Listeners on one port may
   * not overlap (the same address, or either every one: AddressInUse, as Linux's
   * inet_csk_bind_conflict, where SO_REUSEADDR does not cover a listener)
   */
  readonly address?: Addr.Ipv4Addr | string
  /**
   * listen(2)'s backlog (default `tcp.acceptBacklog`): established connections wait for `accept`
   * until one more than it are waiting, as in Linux (sk_acceptq_is_full), 0 allowing one; none above
   * `tcp.maxAcceptBacklog` (Linux's somaxconn), and a negative one is that, as Linux makes it
   */
  readonly backlog?: number
  /**
   * the user timeout, ms, of every connection it accepts (`Connection.setUserTimeout`), as Linux's
   * accepted sockets inherit TCP_USER_TIMEOUT from the listener (inet_csk_clone_lock copies it); 0
   * (the default): off. Not the SYN-ACK's retries, which `tcp.synAckRetries` alone ends, as Linux's
   * reqsk_timer_handler
   */
  readonly userTimeout?: number
}

/** @category models */
export interface ConnectOptions {
  readonly address: Addr.Ipv4Addr | string
  readonly port: number
  /**
   * our port, 0..65535; default (or 0) an ephemeral one (`tcp.localPortRange`: 32768..60999, as Linux),
   * never one a listener or another bound socket holds (a chosen-port or local-address connect's
   * connection or TIME-WAIT, an accepted connection), as Linux's __inet_hash_connect.
   * A chosen port is bound as Node's (SO_REUSEADDR, then connect(2)): a port a listener holds, or
   * one an ephemeral connect holds towards any peer (its connection or TIME-WAIT: no SO_REUSEADDR
   * there), is AddressInUse; a 4-tuple another connection holds, or a TIME-WAIT without timestamps,
   * TupleInUse; a TIME-WAIT with timestamps gives way at once (Linux's tcp_twsk_unique, TimeWait.ts)
   */
  readonly localPort?: number
  /**
   * our address (bind(2) before connect(2)): the stack's, a 127/8 one, or `0.0.0.0` (the default:
   * the route's source). Another is AddressNotAvailable; a 127/8 one towards another host
   * InvalidArgument (a loopback source never leaves the host: Linux's __mkroute_output, EINVAL).
   * Given, the connection's port is bound as a chosen one is (SO_REUSEADDR, as Node's bind of the
   * address and port 0), whichever port the stack picks: a chosen-port connect may share it.
   * A failure after the bind (no route, a 127/8 source towards another host) names the port it
   * took on the error (`TcpError.localPort`), as getsockname does after Linux's failed connect(2)
   */
  readonly localAddress?: Addr.Ipv4Addr | string
  /** Nagle off from the start */
  readonly noDelay?: boolean
  /** the TOS (DiffServ field) of the connection's segments, the SYN included (RFC 1122 §4.2.4.2); its ECN bits are ignored */
  readonly tos?: number
  /**
   * the user timeout, ms (`Connection.setUserTimeout`), from the SYN on: set before connect(2), as
   * Linux's TCP_USER_TIMEOUT, it ends the SYN's retransmissions too once it has passed since the
   * first SYN (tcp_write_timeout in SYN-SENT), or `tcp.synRetries` resends (+ `tcp.synLinearTimeouts` in SYN-SENT),
   * whichever comes first; 0 (the default): off
   */
  readonly userTimeout?: number
}

/** @category models */
export interface TcpService {
  /** listen on `port` (0: a free ephemeral one) until the scope closes */
  readonly listen: (options: ListenOptions) => Effect.Effect<Listener, TcpError, Scope.Scope>
  /** open a connection (RFC 9293 §3.10.1), waiting for the handshake */
  readonly connect: (options: ConnectOptions) => Effect.Effect<Connection, TcpError>
  readonly stats: Effect.Effect<TcpStats>
  /** every open connection (SYN-SENT to LAST-ACK) with its state and counters, for status pages and metrics */
  readonly connections: Effect.Effect<ReadonlyArray<ConnectionSummary>>
}

/** An open connection, as `TcpService.connections` lists it. @category models */
export interface ConnectionSummary {
  readonly localAddress: Addr.Ipv4Addr
  readonly localPort: number
  readonly remoteAddress: Addr.Ipv4Addr
  readonly remotePort: number
  readonly info: ConnectionInfo
}

/** @category tags */
export class Tcp extends Context.Tag("gonet/Tcp")<Tcp, TcpService>() {}

/** A connection's loss-recovery and zero-window counters, as the stack's stats total them (kept per stack, added to). */
type RecoveryCounts = {
  -readonly [
    K in
      | "retransmits"
      | "fastRetransmits"
      | "timeouts"
      | "tailProbes"
      | "dsackUndos"
      | "spuriousTimeouts"
      | "eifelUndos"
      | "hystartExits"
      | "toZeroWindowAdv"
      | "fromZeroWindowAdv"
      | "wantZeroWindowAdv"
  ]:
    TcpStats[K]
}

/** Add what a connection's send half counted to `t` (for the connections open and over alike). */
const addRecoveryCounts = (t: RecoveryCounts, s: Sender.Sender): void => {
  const c = Sender.counters(s)
  t.retransmits += c.retransmits
  t.fastRetransmits += c.fastRetransmits
  t.timeouts += c.timeouts
  t.tailProbes += c.tailProbes
  t.dsackUndos += c.undos
  t.spuriousTimeouts += c.spuriousTimeouts
  t.eifelUndos += c.eifelUndos
  t.hystartExits += s.cc.hystart?.delayExits ?? 0
  t.toZeroWindowAdv += c.toZeroWindow
  t.fromZeroWindowAdv += c.fromZeroWindow
  t.wantZeroWindowAdv += c.wantZeroWindow
}

/** The pure rules' parameters from the stack's configuration. */
export const paramsOf = (c: Omit<StackConfig["tcp"], "memory">): TcpParams => ({
  rtt: {
    initialRto: Duration.toMillis(c.initialRto),
    minRto: Duration.toMillis(c.minRto),
    maxRto: Duration.toMillis(c.maxRto),
    granularity: 1
  },
  receiveBuffer: c.receiveBuffer,
  maxReceiveBuffer: c.maxReceiveBuffer,
  sendBuffer: c.sendBuffer,
  maxSendBuffer: c.maxSendBuffer,
  delayedAck: Duration.toMillis(c.delayedAck),
  quickAcks: QUICK_ACKS,
  retries: c.retries,
  orphanRetries: c.orphanRetries,
  synRetries: c.synRetries,
  synLinearTimeouts: c.synLinearTimeouts,
  synAckRetries: c.synAckRetries,
  timeWait: Duration.toMillis(c.timeWait),
  finWait2: Duration.toMillis(c.finWait2),
  // (Linux's tcp_probe0_when: the probes back off up to the largest RTO)
  maxPersist: Duration.toMillis(c.maxRto),
  keepaliveIdle: c.keepalive ? Duration.toMillis(c.keepaliveIdle) : undefined,
  keepaliveIdleAsked: Duration.toMillis(c.keepaliveIdle),
  keepaliveInterval: Duration.toMillis(c.keepaliveInterval),
  keepaliveProbes: c.keepaliveProbes,
  congestion: c.congestion,
  hystart: c.hystart,
  timestamps: c.timestamps,
  sack: c.sack,
  windowScaling: c.windowScaling,
  frto: c.frto,
  ecn: c.ecn,
  challengeAcksPerSecond: c.challengeAcksPerSecond,
  outOfOrderBlocks: 64
})

/** RTT samples, ms: from a loopback's fraction of a millisecond to a satellite path's seconds. */
export const RTT_HISTOGRAM = Metric.histogram(
  "gonet_tcp_rtt_ms",
  MetricBoundaries.fromIterable([0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000]),
  "RTT measurements of TCP connections (RFC 6298 samples), ms"
)

/**
 * The first port of `low..high` that `free` accepts, from a random start (RFC 6056 §3.3.1's
 * simple form): a listen on port 0, as bind(2) picks one (Linux's inet_csk_find_open_port, without
 * its preference for one half and one parity of the range, which keeps it apart from connect's). (A connect's port:
 * PortSelection.ts.)
 */
const freePort = (low: number, high: number, free: (port: number) => boolean): number | undefined => {
  const span = high - low + 1
  const start = Math.floor(Math.random() * span)
  for (let i = 0; i < span; i++) {
    const port = low + ((start + i) % span)
    if (free(port)) return port
  }
  return undefined
}

/**
 * The key of a 4-tuple, from our side: its 96 bits as six UTF-16 code units, an opaque Map key.
 * (Decimal text cost the dealer ~2 µs per segment on the cold path: four number-to-string
 * conversions, one of them an address above 2^31, and the concatenations.)
 */
const keyOf = (localAddr: number, localPort: number, remoteAddr: number, remotePort: number): string =>
  String.fromCharCode(remoteAddr >>> 16, remoteAddr & 0xffff, remotePort, localPort, localAddr >>> 16, localAddr & 0xffff)

/** Something with a deadline on the wheel. */
/** What the timer wheel holds: a connection, a half-open or a TIME-WAIT record. */
interface Timed extends Deadlines.Owner {
  fire(now: number, tx: Tx): void
}

/** Linux's sk_acceptq_is_full: listen(2)'s backlog waiting is not yet full, one more is. */
const acceptQueueFull = (l: ListenerState): boolean => l.waiting > l.backlog

interface ListenerState {
  readonly port: number
  /** the address it takes connections for: one of ours, or `Addr.ANY` for every one (Linux's inet_rcv_saddr) */
  readonly address: Addr.Ipv4Addr
  /** the next listener on the same port (each bound to an address of its own: `listenerFor`) */
  next: ListenerState | undefined
  readonly backlog: number
  /** the user timeout its accepted connections start with, ms (0: off; `ListenOptions.userTimeout`) */
  readonly userTimeout: number
  readonly halfOpen: ChurnMap<string, HalfOpenEntry>
  /** half-open entries whose SYN-ACK the timer has not re-sent yet (Linux's young requests: Handshake.synAckRetryLimit) */
  young: number
  /** established connections for `accept`, each a `Connection` as it is taken */
  readonly accepted: TakeQueue<Conn, Connection, TcpError>
  /** established, not yet accepted */
  waiting: number
  /** Clock ms of the last SYN answered with a cookie: cookie ACKs are looked for only while one can be valid */
  cookiesAt: number | undefined
}

class TimeWaitEntry implements Timed {
  deadlineAt = 0
  deadlineIndex = -1
  constructor(
    readonly key: string,
    readonly tw: TimeWait.TimeWait,
    readonly route: Iface.Route,
    readonly onFire: (e: TimeWaitEntry) => void
  ) {}
  fire(): void {
    this.onFire(this)
  }
}

/** A handshake completed in the batch being dealt; its connection is made at the batch's end. */
interface Opening {
  readonly key: string
  readonly listener: ListenerState
  readonly localAddress: Addr.Ipv4Addr
  readonly remoteAddress: Addr.Ipv4Addr
  readonly route: Iface.Route
  readonly rcv: Receiver.Receiver
  readonly snd: Sender.Sender
  readonly segments: Array<Segment.Segment>
}

class HalfOpenEntry implements Timed {
  deadlineAt = 0
  deadlineIndex = -1
  constructor(
    readonly key: string,
    readonly listener: ListenerState,
    readonly h: Handshake.HalfOpen,
    readonly localAddress: Addr.Ipv4Addr,
    readonly remoteAddress: Addr.Ipv4Addr,
    readonly route: Iface.Route,
    readonly onFire: (e: HalfOpenEntry, now: number, tx: Tx) => void
  ) {}
  fire(now: number, tx: Tx): void {
    this.onFire(this, now, tx)
  }
}

/**
 * The application's view of a connection. Its effects are made when asked
 * for (getters), not up front: a connection that never closes or aborts
 * from the API costs no effects for them.
 */
/** Why `tos` cannot be a connection's TOS (undefined: it can). */
const tosError = (tos: number): TcpError | undefined =>
  Number.isInteger(tos) && tos >= 0 && tos <= 255
    ? undefined
    : new TcpError({ reason: "InvalidArgument", detail: `TOS ${tos} is not 0..255` })

/** Why `ms` cannot be a user timeout (undefined: it can): Linux's do_tcp_setsockopt answers EINVAL to a negative one. */
const userTimeoutError = (ms: number): TcpError | undefined =>
  Number.isSafeInteger(ms) && ms >= 0
    ? undefined
    : new TcpError({ reason: "InvalidArgument", detail: `user timeout ${ms} is not a whole number of ms, 0 or more` })

class Handle implements Connection {
  constructor(private readonly conn: Conn) {}
  get localAddress() {
    return this.conn.localAddress
  }
  get localPort() {
    return this.conn.localPort
  }
  get remoteAddress() {
    return this.conn.remoteAddress
  }
  get remotePort() {
    return this.conn.remotePort
  }
  get read() {
    return Effect.suspend(() => this.conn.read())
  }
  get readUpTo() {
    return (max: number) => Effect.suspend(() => this.conn.readUpTo(max))
  }
  get stream() {
    return Stream.suspend(() => this.conn.stream())
  }
  // functions made when asked for, not methods: they may be passed around unbound
  // (`Effect.forEach(chunks, c.write)`); not fields either, which would cost every connection two closures
  get write() {
    return (data: Uint8Array) => this.conn.write(data)
  }
  get writeUrgent() {
    return (data: Uint8Array) => this.conn.writeUrgent(data)
  }
  get end() {
    return this.conn.end()
  }
  get close() {
    return this.conn.close()
  }
  get abort() {
    return this.conn.abort()
  }
  get setNoDelay() {
    return (on: boolean) => this.conn.setNoDelay(on)
  }
  get setTos() {
    return (tos: number) => {
      const bad = tosError(tos)
      return bad === undefined ? Effect.sync(() => this.conn.setTos(tos)) : Effect.fail(bad)
    }
  }
  get urgent() {
    return Effect.sync(() => this.conn.urgentPending())
  }
  get nextUrgent() {
    return Effect.suspend(() => this.conn.nextUrgent())
  }
  get setKeepAlive() {
    return (on: boolean, idle?: Duration.DurationInput) =>
      this.conn.setKeepalive(
        on ? (idle === undefined ? this.conn.snd.params.keepaliveIdleAsked : Duration.toMillis(idle)) : undefined
      )
  }
  get setUserTimeout() {
    return (ms: number) => {
      const bad = userTimeoutError(ms)
      return bad === undefined ? this.conn.setUserTimeout(ms) : Effect.fail(bad)
    }
  }
  get closed() {
    return Effect.suspend(() => this.conn.waitClosed())
  }
  get info() {
    return Effect.sync(() => this.conn.info())
  }
}

/** @category constructors */
export const make = Effect.gen(function*() {
  const config = yield* Config
  const ip = yield* Ipv4
  const iface = yield* Iface.Interface
  const clock = yield* Effect.clock
  // every RTT measurement of the stack's connections, as an Effect metric (served at /metrics)
  const rttTags = [MetricLabel.make("stack", Addr.format(ip.address))]
  // what every connection holds, together (Memory.ts): each charges its own changes
  const memory = Memory.make(config.tcp.memory, config.tcp.maxOrphans)
  const params: TcpParams = {
    ...paramsOf(config.tcp),
    memory,
    onRttSample: (ms) => RTT_HISTOGRAM.unsafeUpdate(ms, rttTags),
    onChallenge: (n, answered) => {
      if (answered) c.challengeAcks += n
      else c.challengeAcksLimited += n
    }
  }
  const key = Sip.keyOf(globalThis.crypto.getRandomValues(new Uint8Array(16)))
  // the timestamp offsets' own key (RFC 7323 §5.4: "a different secret key" from the ISN's)
  const tsKey = Sip.keyOf(globalThis.crypto.getRandomValues(new Uint8Array(16)))
  const malformed: Partial<Record<WireReason, number>> = {}
  const c = {
    received: 0,
    broadcastDropped: 0,
    resetsIgnored: 0,
    resetsSent: 0,
    resetsUnroutable: 0,
    segmentsSent: 0,
    activeOpens: 0,
    passiveOpens: 0,
    synQueueFull: 0,
    synCookiesSent: 0,
    synCookiesAccepted: 0,
    synCookiesRejected: 0,
    acceptQueueFull: 0,
    synAckTimeouts: 0,
    arrivalsDropped: 0,
    connectionLimit: 0,
    icmpErrors: 0,
    challengeAcks: 0,
    challengeAcksLimited: 0,
    timeWaitAcks: 0,
    timeWaitOverflow: 0,
    timeWaitReused: 0
  }
  const conns = new ChurnMap<string, Conn>()
  /** what connections that are over counted (the stats add the open ones') */
  const gone: RecoveryCounts = {
    retransmits: 0, fastRetransmits: 0, timeouts: 0, tailProbes: 0, dsackUndos: 0, spuriousTimeouts: 0, eifelUndos: 0,
    hystartExits: 0,
    toZeroWindowAdv: 0,
    fromZeroWindowAdv: 0,
    wantZeroWindowAdv: 0
  }
  const timeWaits = new Map<string, TimeWaitEntry>()
  /**
   * Who holds each local port (PortIndex.ts): every connection in `conns` and record in
   * `timeWaits` counted once, so they change only together, below
   */
  const portIndex = PortIndex.make()
  const addConn = (conn: Conn): void => {
    const before = conns.get(conn.key)
    if (before !== undefined) PortIndex.remove(portIndex, before.localPort, before.localAddress, before.ephemeralPort)
    conns.set(conn.key, conn)
    PortIndex.add(portIndex, conn.localPort, conn.localAddress, conn.ephemeralPort)
    // (a TCP socket for the stack-wide bound's fair share, Memory.ts: the one it replaced is none)
    before?.uncountSocket()
    conn.countSocket()
  }
  const dropConn = (conn: Conn): void => {
    conn.uncountSocket()
    if (conns.get(conn.key) !== conn) return
    conns.delete(conn.key)
    PortIndex.remove(portIndex, conn.localPort, conn.localAddress, conn.ephemeralPort)
  }
  // (a TIME-WAIT holds its port as its connection did: from its local address, the route's source,
  // and as an ephemeral connect's when it did not bind, TimeWait.reuse)
  const addTimeWait = (e: TimeWaitEntry): void => {
    const before = timeWaits.get(e.key)
    if (before !== undefined) PortIndex.remove(portIndex, before.tw.localPort, before.route.src, !before.tw.reuse)
    timeWaits.set(e.key, e)
    PortIndex.add(portIndex, e.tw.localPort, e.route.src, !e.tw.reuse)
  }
  const dropTimeWait = (e: TimeWaitEntry): void => {
    if (timeWaits.get(e.key) !== e) return
    timeWaits.delete(e.key)
    PortIndex.remove(portIndex, e.tw.localPort, e.route.src, !e.tw.reuse)
  }
  /** listeners by port: the first of a chain (`next`) whose addresses do not overlap, most often one */
  const listeners = new Map<number, ListenerState>()
  /**
   * The listener that takes a segment to `dst`:`port`: the one bound to `dst` or to every address
   * (Linux's __inet_lookup_listener; the two cannot both exist on one port, so there is no order
   * of preference to keep).
   */
  const listenerFor = (port: number, dst: Addr.Ipv4Addr): ListenerState | undefined => {
    for (let l = listeners.get(port); l !== undefined; l = l.next) {
      if (l.address === Addr.ANY || l.address === dst) return l
    }
    return undefined
  }
  /** A listener on `port` whose address overlaps `address` (the same, or either is every address). */
  const listenerOverlapping = (port: number, address: Addr.Ipv4Addr): ListenerState | undefined => {
    for (let l = listeners.get(port); l !== undefined; l = l.next) {
      if (l.address === Addr.ANY || address === Addr.ANY || l.address === address) return l
    }
    return undefined
  }
  /** Whether `l` is still listening (closeListener takes it out of its port's chain). */
  const isListening = (l: ListenerState): boolean => {
    for (let m = listeners.get(l.port); m !== undefined; m = m.next) if (m === l) return true
    return false
  }
  /** Every listener, of every port. */
  const allListeners = (): Array<ListenerState> => {
    const all: Array<ListenerState> = []
    for (const head of listeners.values()) for (let l: ListenerState | undefined = head; l !== undefined; l = l.next) all.push(l)
    return all
  }
  /** Take `l` out of its port's chain. */
  const unlink = (l: ListenerState): void => {
    const head = listeners.get(l.port)
    if (head === l) {
      if (l.next === undefined) listeners.delete(l.port)
      else listeners.set(l.port, l.next)
      return
    }
    for (let m = head; m !== undefined; m = m.next) {
      if (m.next === l) {
        m.next = l.next
        return
      }
    }
  }
  let halfOpenCount = 0
  const fibers = yield* FiberSet.make()
  // The connections' fibers run on one shared task runner of the scheduler in force
  // (internal/SharedRunner.ts). Only they: with the dealers on it too, a connection over the
  // loopback took longer (N = 1: 0.29-0.48 ms against 0.23-0.28, three alternated pairs).
  const runner = yield* FiberRef.get(FiberRef.currentScheduler)
  const shared = SharedRunner.shared(runner)
  // What FiberSet.runtime does (fork from synchronous code, the fiber joins `fibers`), with two
  // FiberRef stacks a fiber forked from a runtime would otherwise copy for itself (~0.26 KiB each,
  // a Map entry's stack grown by a spread): the runtime is captured in a child fiber, where the
  // fork-scope override is already none, as in every fiber forked from it (captured here, where the
  // Layer's scope is the override, each fork would put its none on top of a copy); and it holds no
  // currentContext of its own, since Runtime.runFork sets each fiber's from the runtime's context
  // anyway (over an inherited stack, a copy with the fiber's entry on top; over none, one entry).
  const captured = yield* Effect.runtime<never>().pipe(Effect.withScheduler(shared), Effect.fork, Effect.flatMap(Fiber.join))
  const forkInRuntime = Runtime.runFork(Runtime.make({
    context: captured.context,
    runtimeFlags: captured.runtimeFlags,
    fiberRefs: FiberRefs.delete(captured.fiberRefs, FiberRef.currentContext)
  }))
  // (a fiber forked once the set is closed, the stack's scope closing, is interrupted by unsafeAdd)
  const runFork = <A, E>(effect: Effect.Effect<A, E>): Fiber.RuntimeFiber<A, E> => {
    const fiber = forkInRuntime(effect)
    FiberSet.unsafeAdd(fibers, fiber)
    return fiber
  }
  // The connections' halves run on fibers kept between connections (internal/FiberPool.ts): a
  // half's fiber, once its connection is over, waits for the next connection's half
  const halves = new FiberPool.FiberPool((job) => {
    runFork(job)
  }, config.tcp.idleFibers)
  yield* Effect.addFinalizer(() => Effect.sync(() => halves.close()))

  // --- the timer wheel ----------------------------------------------------------------
  const deadlines = Deadlines.make<Timed>()
  // The TIME-WAIT records apart: thousands of them may be held (Fig. 4's loop holds every one
  // of its connections', 60 s each), and in one heap with the live connections each deadline a
  // connection cleared swapped the heap's last record (the latest deadline) down through all
  // their levels: 84 swaps per N = 1 round over ~4000 records, against none here. A record's
  // deadline is most often the latest yet (now + 2 MSL), so it goes in at the bottom in one step.
  const timeWaitDeadlines = Deadlines.make<TimeWaitEntry>()
  let target: number | undefined = undefined
  /** the last millisecond the wheel served */
  let served = -Infinity
  let wake = new Signal()
  const schedule = (owner: Timed, deadline: number | undefined): void => {
    // (an owner sits in one heap: a TIME-WAIT record always in its own)
    const d: Deadlines.Deadlines<Timed> = owner instanceof TimeWaitEntry ? timeWaitDeadlines : deadlines
    if (deadline === undefined) {
      Deadlines.remove(d, owner)
      return
    }
    // Whole milliseconds: an RTO carries fractions of a ms (SRTT is an average),
    // and a sleep of a fraction that the clock cannot represent would wake the
    // wheel at once, forever, without time passing. Rounding up never fires a timer early.
    // Never the millisecond the wheel has just served: an owner woken for
    // nothing (its deadline moved) cannot keep the wheel spinning in one instant.
    const at = Math.max(Math.ceil(deadline), served + 1)
    Deadlines.set(d, owner, at)
    if (target === undefined || at < target) wake.unsafeDone(Exit.void)
  }
  /** the alarm fiber sleeping to `at`, which raises `wake` unless replaced meanwhile */
  let alarm: { readonly at: number; readonly fiber: Fiber.RuntimeFiber<void> } | undefined
  const setAlarm = (at: number | undefined, now: number): void => {
    if (alarm !== undefined && alarm.at === at) return
    if (alarm !== undefined) alarm.fiber.unsafeInterruptAsFork(FiberId.none)
    alarm = undefined
    if (at === undefined) return
    const fiber: Fiber.RuntimeFiber<void> = runFork(Effect.zipRight(
      Effect.sleep(Duration.millis(Math.max(1, at - now))),
      Effect.sync(() => {
        if (alarm?.fiber !== fiber) return
        alarm = undefined
        wake.unsafeDone(Exit.void)
      })
    ))
    alarm = { at, fiber }
  }
  const wheel: Effect.Effect<never> = Effect.suspend(() => {
    wake = new Signal()
    const now = Math.floor(clock.unsafeCurrentTimeMillis())
    served = now
    const due = Deadlines.takeDue(deadlines, now)
    const tx = new Tx()
    // (a record due only leaves the table, timeWaitFire: it sends nothing and nothing due reads it,
    // so the two heaps' owners need no merged order)
    for (const owner of Deadlines.takeDue(timeWaitDeadlines, now)) owner.fire()
    for (const owner of due) owner.fire(now, tx)
    const first = Deadlines.earliest(deadlines)
    const firstRecord = Deadlines.earliest(timeWaitDeadlines)
    target = first === undefined || (firstRecord !== undefined && firstRecord < first) ? firstRecord : first
    setAlarm(target, now)
    const flushed = tx.frames.length + tx.local.length > 0 ? ip.flush(tx) : Effect.void
    return Effect.zipRight(Effect.zipRight(flushed, wake.wait()), wheel)
  })
  yield* Effect.forkScoped(wheel)

  // --- connections --------------------------------------------------------------------
  const env: Env = {
    ip,
    clock,
    schedule,
    forget: (conn) => {
      dropConn(conn)
      // the stack's totals keep what the connection counted
      addRecoveryCounts(gone, conn.snd)
    },
    enterTimeWait: (conn) => {
      // (full: the 4-tuple is not held, as Linux's "time wait bucket table overflow"; a stray segment
      // for it then draws a reset, and a new connection may take it at once)
      if (timeWaits.size >= config.tcp.maxTimeWait) {
        c.timeWaitOverflow++
        return
      }
      const s = conn.snd
      const tw: TimeWait.TimeWait = {
        localPort: s.localPort,
        remotePort: s.remotePort,
        sndNxt: s.sndNxt,
        rcvNxt: s.rcvNxt,
        tsOk: s.tsOk,
        reuse: !conn.ephemeralPort,
        tsRecent: s.tsRecent,
        tsRecentAt: clock.unsafeCurrentTimeMillis(),
        tsOffset: s.tsOffset,
        window: Math.min(0xffff, Math.ceil(s.capacity / Negotiation.windowUnit(s.rcvShift))),
        deadline: s.timeWaitAt ?? clock.unsafeCurrentTimeMillis() + params.timeWait,
        // (after a close in FIN-WAIT-2, Linux's timewait sock goes on into TIME-WAIT with the rate
        // limit of its answers; from a full socket, tcp_time_wait starts it afresh)
        lastOowAckAt: conn.rcv.twSeen ? conn.rcv.lastOowAckAt : undefined
      }
      const e = new TimeWaitEntry(conn.key, tw, conn.route, timeWaitFire)
      addTimeWait(e)
      schedule(e, tw.deadline)
    },
    confirm: (r) => {
      // (the router a redirect named, while it holds: the one the segments went through)
      const hop = iface.firstHop(r)
      if (hop !== undefined) iface.confirm(hop)
    },
    sent: (n) => {
      c.segmentsSent += n
    },
    fork: (effect) => {
      halves.run(effect)
    }
  }
  const timeWaitFire = (e: TimeWaitEntry): void => dropTimeWait(e)
  // --- sending outside connections (resets, SYN-ACKs, TIME-WAIT ACKs) -------------------
  const emitRepr = (tx: Tx, r: Iface.Route, repr: TcpWire.TcpRepr): boolean => emitSegment(ip, tx, r, repr, undefined)

  /**
   * The route an answer to `p` goes back on: from the address `p` was sent to. Over the loopback
   * that may not be the route's own source (a segment from the stack's address to 127.0.0.1 is
   * answered from 127.0.0.1, where the route back to the stack's address would send from that),
   * and a reply from another address would belong to no connection of the peer's.
   */
  const replyRoute = (p: Ipv4Packet): Iface.Route | undefined => {
    const r = ip.route(p.src)
    return r !== undefined && r._tag === "Local" ? Iface.routeFrom(r, p.dst) : r
  }

  /** RFC 9293 §3.10.7.1: the reset a segment to a CLOSED port draws, into `tx`. */
  const resetFor = (p: Ipv4Packet, seg: Segment.Segment, srcPort: number, dstPort: number, tx: Tx): void => {
    const r = replyRoute(p)
    if (r === undefined) {
      c.resetsUnroutable++
      return
    }
    const acked = (seg.flags & Segment.ACK) !== 0
    const repr: TcpWire.TcpRepr = {
      srcPort: dstPort,
      dstPort: srcPort,
      seq: acked ? seg.ack : Seq.ZERO,
      ack: acked ? Seq.ZERO : Seq.add(seg.seq, Segment.seqLength(seg)),
      flags: acked ? Segment.RST : Segment.RST | Segment.ACK,
      window: 0,
      urgent: 0,
      options: TcpWire.NO_OPTIONS
    }
    if (emitRepr(tx, r, repr)) c.resetsSent++
  }

  // --- listeners ------------------------------------------------------------------------
  /** An entry leaves its listener's SYN queue (its timer, if any, is the caller's). */
  const forgetHalfOpen = (e: HalfOpenEntry): void => {
    e.listener.halfOpen.delete(e.key)
    if (e.h.retries === 0) e.listener.young--
    halfOpenCount--
  }

  const halfOpenFire = (e: HalfOpenEntry, now: number, tx: Tx): void => {
    const l = e.listener
    if (l.halfOpen.get(e.key) !== e) return
    // fewer retries for the old once the queue is more than half full (Linux's reqsk_timer_handler)
    if (e.h.retries >= Handshake.synAckRetryLimit(params.synAckRetries, l.halfOpen.size, l.young, l.backlog)) {
      forgetHalfOpen(e)
      c.synAckTimeouts++
      return
    }
    if (e.h.retries === 0) l.young--
    e.h.retries++
    e.h.deadline = now + Handshake.synAckTimeout(params, e.h.retries)
    emitRepr(tx, e.route, Handshake.synAck(params, e.h, now))
    c.segmentsSent++
    schedule(e, e.h.deadline)
  }

  /**
   * The handshakes completed in the batch being dealt, keyed by 4-tuple: their connections are
   * made after the batch (`openAll`), and segments that follow in it go with them. Made in the
   * rare batch that completes one; `deal` hands it on and starts the next batch without.
   */
  let opening: Map<string, Opening> | undefined

  const dropHalfOpen = (e: HalfOpenEntry): void => {
    forgetHalfOpen(e)
    schedule(e, undefined)
  }

  /**
   * A handshake completed (a half-open entry's, or a SYN cookie's): the
   * connection goes to `opening` (built after the batch) unless the accept
   * queue or the connection limit is full (counted; the peer re-sends).
   */
  const establish = (
    l: ListenerState,
    p: Ipv4Packet,
    seg: Segment.Segment,
    k: string,
    at: number,
    route: Iface.Route,
    n: Sender.Negotiated
  ): boolean => {
    if (acceptQueueFull(l)) {
      c.acceptQueueFull++
      return false
    }
    if (conns.size + (opening?.size ?? 0) >= config.tcp.maxConnections) {
      c.connectionLimit++
      return false
    }
    l.waiting++
    // (the SYN-ACK's MSS was from the path's MTU, `n.mtu`; the route's is what it goes back to)
    const snd = Sender.established(params, n, { consumed: 0 }, at, ip.pathMtu(p.src), route.mtu)
    // the listener's user timeout, as Linux's child inherits icsk_user_timeout (inet_csk_clone_lock)
    if (l.userTimeout > 0) Sender.setUserTimeout(snd, l.userTimeout)
    ;(opening ??= new Map()).set(k, {
      key: k,
      listener: l,
      localAddress: p.dst,
      remoteAddress: p.src,
      route,
      rcv: Receiver.open(params, n, at),
      snd,
      // the completing ACK may carry data or a FIN already
      segments: Handshake.carriesMore(seg) ? [seg] : []
    })
    return true
  }

  /**
   * The MTU a SYN-ACK's MSS is from: the route's, or the path's when a router lowered it for the
   * address (Linux's tcp_make_synack takes dst_metric_advmss, which reads ipv4_mtu)
   */
  const mtuTowards = (r: Iface.Route): number => PathMtu.effective(ip.pathMtu(r.dst), r.mtu)

  const toListener = (
    l: ListenerState,
    p: Ipv4Packet,
    seg: Segment.Segment,
    srcPort: number,
    k: string,
    at: number,
    tx: Tx,
    /** the ISS of a new incarnation of a TIME-WAIT 4-tuple (TimeWait.reuseIss), instead of RFC 6528's */
    reopenIss?: Seq.SeqNum
  ): void => {
    const entry = l.halfOpen.get(k)
    if (entry !== undefined) {
      const v = Handshake.inSynReceived(params, entry.h, seg, at)
      switch (v._tag) {
        case "Ignore":
          return
        case "Resend":
          emitRepr(tx, entry.route, Handshake.synAck(params, entry.h, at))
          c.segmentsSent++
          // (the verdict moved the timer on from this SYN-ACK)
          schedule(entry, entry.h.deadline)
          return
        case "Drop":
          dropHalfOpen(entry)
          return
        case "Reset":
          resetFor(p, seg, srcPort, l.port, tx)
          return
        case "Ack":
          emitRepr(tx, entry.route, Handshake.ackFor(params, entry.h, at))
          c.segmentsSent++
          return
        case "Established": {
          if (establish(l, p, seg, k, at, entry.route, v.negotiated)) dropHalfOpen(entry)
          return
        }
      }
    }
    const verdict = Handshake.inListen(seg)
    const tuple = { localAddr: p.dst, localPort: l.port, remoteAddr: p.src, remotePort: srcPort }
    if (verdict._tag === "Reset") {
      // while cookies can be out, an ACK for no half-open connection may be one returning
      if (l.cookiesAt !== undefined && at - l.cookiesAt < 2 * SynCookie.STEP_MS) {
        const r = replyRoute(p)
        const n = r === undefined
          ? undefined
          : Handshake.cookieEstablished(params, key, tuple, seg, mtuTowards(r), at, Negotiation.tsOffset(tsKey, p.dst, p.src))
        if (n !== undefined) {
          if (establish(l, p, seg, k, at, r!, n)) c.synCookiesAccepted++
          return
        }
        c.synCookiesRejected++
      }
      resetFor(p, seg, srcPort, l.port, tx)
      return
    }
    if (verdict._tag === "Ignore") return
    // a full accept queue takes no new SYN (Linux's tcp_conn_request, LISTENOVERFLOWS): answered,
    // the client would think itself connected while its ACK and data are dropped; unanswered, it
    // sends its SYN again later, when the application may have accepted
    if (acceptQueueFull(l)) {
      c.acceptQueueFull++
      return
    }
    if (l.halfOpen.size >= config.tcp.synBacklog) {
      if (!config.tcp.synCookies) {
        c.synQueueFull++
        return
      }
      // RFC 4987 §3.6: answer without keeping anything; the ACK will bring it all back
      const r = replyRoute(p)
      if (r === undefined) {
        c.resetsUnroutable++
        return
      }
      const o = seg.options
      const cookie = SynCookie.make(key, tuple, seg.seq, o.mss === 0 ? undefined : o.mss, at)
      const synAck = Handshake.cookieSynAck(
        params,
        { localPort: l.port, remotePort: srcPort },
        seg,
        cookie,
        mtuTowards(r),
        at,
        Negotiation.tsOffset(tsKey, p.dst, p.src)
      )
      emitRepr(tx, r, synAck)
      c.segmentsSent++
      c.synCookiesSent++
      l.cookiesAt = at
      return
    }
    const r = replyRoute(p)
    if (r === undefined) {
      c.resetsUnroutable++
      return
    }
    const iss = reopenIss ?? Negotiation.isn(key, tuple, at)
    const h = Handshake.halfOpen(
      params,
      { localPort: l.port, remotePort: srcPort },
      seg,
      iss,
      mtuTowards(r),
      at,
      Negotiation.tsOffset(tsKey, p.dst, p.src)
    )
    const e = new HalfOpenEntry(k, l, h, p.dst, p.src, r, halfOpenFire)
    l.halfOpen.set(k, e)
    l.young++
    halfOpenCount++
    emitRepr(tx, r, Handshake.synAck(params, h, at))
    c.segmentsSent++
    schedule(e, h.deadline)
  }

  // --- the dealer -----------------------------------------------------------------------
  /**
   * A batch's Tx that it left empty, for the next batch: most batches send nothing from the dealer
   * (an exchange's segments all go to their connection), and need no Tx of their own. One whose
   * frames went to `flushNow` is never kept.
   */
  let idleTx: Tx | undefined = undefined
  /** One wake-up's segments, dealt at once, when called (by `consumeBatches`, in the dealer's fiber); what is left is the effect returned. */
  const deal = (batch: ReadonlyArray<Ipv4Packet>): Effect.Effect<void> => {
    const at = clock.unsafeCurrentTimeMillis()
    const tx = idleTx ?? new Tx()
    idleTx = undefined
    // Each connection's segments, in the order the connections first appear. A batch is mostly
    // one connection's (an rr exchange, a bulk flow's burst): it needs no map.
    let first: Conn | undefined
    let firstSegments: Array<Segment.Segment> | undefined
    let others: Map<Conn, Array<Segment.Segment>> | undefined
    let lastSrc = -1
    let lastDst = -1
    let lastSrcPort = -1
    let lastDstPort = -1
    let lastKey = ""
    for (const p of batch) {
      c.received++
      const b = p.bytes
      const off = p.offset + p.headerLen
      const hl = TcpWire.check(b, off, p.payloadLength, p.src, p.dst, p.checksumOk)
      if (hl < 0) {
        const reason = TcpWire.checkReason(hl)
        malformed[reason] = (malformed[reason] ?? 0) + 1
        continue
      }
      if (p.broadcast) {
        c.broadcastDropped++
        continue
      }
      const srcPort = TcpWire.srcPortAt(b, off)
      const dstPort = TcpWire.dstPortAt(b, off)
      // a batch is mostly one connection's segments: build its key once
      if (p.src !== lastSrc || srcPort !== lastSrcPort || dstPort !== lastDstPort || p.dst !== lastDst) {
        lastKey = keyOf(p.dst, dstPort, p.src, srcPort)
        lastSrc = p.src
        lastSrcPort = srcPort
        lastDstPort = dstPort
        lastDst = p.dst
      }
      const k = lastKey
      // (the ECN field, RFC 3168 §5: the receive half echoes a CE when ECN was negotiated, and
      // quick-ACKs data without ECT after ECT data, as Linux's tcp_data_ecn_check)
      const ecn = p.tos & Ip.ECN_MASK
      const seg = Segment.read(b, off, hl, p.payloadLength, ecn === Ip.Ecn.Ce, ecn !== Ip.Ecn.NotEct, p.gsoSize)
      const conn = conns.get(k)
      if (conn !== undefined) {
        if (conn === first) firstSegments!.push(seg)
        else if (first === undefined) {
          first = conn
          firstSegments = [seg]
        } else {
          const list = (others ??= new Map()).get(conn)
          if (list === undefined) others.set(conn, [seg])
          else list.push(seg)
        }
        continue
      }
      const o = opening?.get(k)
      if (o !== undefined) {
        o.segments.push(seg)
        continue
      }
      const tw = timeWaits.get(k)
      let reopenIss: Seq.SeqNum | undefined
      if (tw !== undefined) {
        const v = TimeWait.onSegment(tw.tw, seg, at)
        if (v._tag === "Ignore") continue
        // a new incarnation, if someone listens: the record goes, the listener takes the SYN with
        // the record's ISS; with nobody listening the record stays and answers it (Linux's
        // TCP_TW_SYN falling through to TCP_TW_ACK), rather than an RST ending TIME-WAIT early
        const taker = v._tag === "Reopen" ? listenerFor(dstPort, p.dst) : undefined
        if (v._tag !== "Reopen" || taker === undefined) {
          if (emitRepr(tx, tw.route, TimeWait.ackFor(tw.tw, at))) c.timeWaitAcks++
          if (v._tag === "Ack" && v.restart) {
            tw.tw.deadline = at + params.timeWait
            schedule(tw, tw.tw.deadline)
          }
          continue
        }
        dropTimeWait(tw)
        schedule(tw, undefined)
        reopenIss = v.iss
      }
      const l = listenerFor(dstPort, p.dst)
      if (l !== undefined) {
        toListener(l, p, seg, srcPort, k, at, tx, reopenIss)
        continue
      }
      if ((seg.flags & Segment.RST) !== 0) {
        c.resetsIgnored++
        continue
      }
      resetFor(p, seg, srcPort, dstPort, tx)
    }
    if (first !== undefined && !first.offer({ at, segments: firstSegments! })) c.arrivalsDropped++
    if (others !== undefined) {
      for (const [conn, segments] of others) {
        if (!conn.offer({ at, segments })) c.arrivalsDropped++
      }
    }
    const opened = opening
    // (in the dealer's wake-up: sent at once where the link allows it, Ipv4's flushNow)
    if (opened === undefined) {
      if (tx.frames.length + tx.local.length > 0) return ip.flushNow(tx)
      idleTx = tx
      return Effect.void
    }
    opening = undefined
    // (a handshake refused after the batch puts its reset into `tx`: flushed after openAll, in the
    // same wake-up)
    return Effect.flatMap(openAll(opened, at, tx), () => tx.frames.length + tx.local.length > 0 ? ip.flushNow(tx) : Effect.void)
  }

  /**
   * A completed handshake whose listener is gone by the time its connection would be made (closed
   * by its scope, or by the stack's close): no connection, and the completing ACK draws the reset
   * `<SEQ=SEG.ACK><CTL=RST>` (SEG.ACK is our ISS + 1, SND.NXT of the connection not made), as
   * Linux's tcp_v4_rcv drops a request whose listener has left LISTEN and finds no socket for it.
   */
  const refuse = (o: Opening, tx: Tx): void => {
    const repr: TcpWire.TcpRepr = {
      srcPort: o.snd.localPort,
      dstPort: o.snd.remotePort,
      seq: o.snd.sndNxt,
      ack: Seq.ZERO,
      flags: Segment.RST,
      window: 0,
      urgent: 0,
      options: TcpWire.NO_OPTIONS
    }
    if (emitRepr(tx, o.route, repr)) c.resetsSent++
  }

  /**
   * The connections whose handshakes completed in a batch, made after the
   * batch is sorted: their queues are made in the dealer's own fiber, and
   * segments that followed the completing ACK in the batch go with them.
   * The check that the listener still listens and the connection's entry
   * are one synchronous step: the stack's close takes every listener out
   * before it looks at the connections, so a connection made here is either
   * among those it resets or never made.
   */
  const openAll = (opening: Map<string, Opening>, at: number, tx: Tx): Effect.Effect<void> => {
    const open = (o: Opening) =>
      withQueues(config.queues.tcpSegments, (queues) => {
        // the listener closed meanwhile (its scope, or the stack's): the peer is reset
        if (!isListening(o.listener)) {
          o.listener.waiting--
          refuse(o, tx)
          return Effect.void
        }
        const conn = new Conn(env, o.key, o.localAddress, o.remoteAddress, o.route, o.rcv, o.snd, queues)
        addConn(conn)
        c.passiveOpens++
        o.listener.accepted.offer(conn)
        conn.start([])
        if (o.segments.length > 0 && !conn.offer({ at, segments: o.segments })) c.arrivalsDropped++
        return Effect.void
      })
    // one handshake per batch is the usual case: no forEach machinery for it
    return opening.size === 1 ? open(opening.values().next().value!) : Effect.forEach(opening.values(), open, { discard: true })
  }

  // ICMP errors about our segments (RFC 1122 §4.2.3.9): to the connection they quote, as an event.
  // True when a connection (or a half-open one) of ours sent the segment.
  yield* ip.onIcmpError(Ip.Protocol.TCP, (report) => {
    const t = report.transport
    if (t.length < 8) return false
    // by the quoted datagram's own addresses, as tcp_v4_err looks the socket up: its source is the
    // connection's local address even where that is not its route's (bound to another 127/8 one),
    // and routing the quoted destination would put a route in the cache for each forged error
    const k = keyOf(report.src, TcpWire.srcPortAt(t, 0), report.dst, TcpWire.dstPortAt(t, 0))
    const conn = conns.get(k)
    // A redirect is ours only for a connection with the quoted sequence number in flight (Linux's
    // tcp_v4_err checks it before do_redirect, read here from the dealer as the send half left it);
    // not for a half-open one (tcp_req_err acts on no redirect) nor TIME-WAIT (not in `conns`)
    if (report.type === "Redirect") return conn !== undefined && Sender.quotesInFlight(conn.snd, TcpWire.seqAt(t, 0))
    if (conn === undefined) {
      // a SYN-ACK of a half-open connection was undeliverable (a spoofed SYN's source: its next hop
      // never answered ARP): the entry goes now, not after every SYN-ACK retry (Linux's tcp_req_err),
      // for the errors Linux's tcp_v4_err takes as fatal to a request only: net or host unreachable,
      // time exceeded, parameter problem. Not for the rest (fragmentation needed, port or protocol
      // unreachable, administratively prohibited, ...): the SYN-ACK goes on being retried
      const h = listenerFor(TcpWire.srcPortAt(t, 0), report.src)?.halfOpen.get(k)
      const fatal = report.type !== "DstUnreachable" || report.code === 0 || report.code === 1
      if (h !== undefined && fatal && TcpWire.seqAt(t, 0) === h.h.iss) {
        c.icmpErrors++
        dropHalfOpen(h)
        return true
      }
      return false
    }
    c.icmpErrors++
    // (as it came: the send half makes of it a path MTU or the errno it stands for, as tcp_v4_err)
    conn.events.unsafeOffer({
      _tag: "IcmpError",
      error: { type: report.type, code: report.code, mtu: report.mtu },
      seq: TcpWire.seqAt(t, 0)
    })
    return true
  })

  const inbox = yield* ip.bind(Ip.Protocol.TCP, config.queues.dealer)
  yield* consumeBatches(inbox, deal).pipe(Effect.forkScoped)

  /**
   * A listener stops listening, in one synchronous step: it leaves its port, and its half-open
   * entries go with it (none is answered, retried or completed after: Linux's reqsk_timer_handler
   * and tcp_v4_rcv drop a request whose listener left LISTEN; its ACK then draws the closed port's
   * reset). Again on a listener already detached: nothing.
   */
  const detach = (l: ListenerState): void => {
    // (a listening socket counts among the stack's TCP sockets while it listens: Memory.ts)
    if (isListening(l)) memory.sockets--
    unlink(l)
    for (const e of l.halfOpen.values()) dropHalfOpen(e)
  }

  /**
   * A listener goes (its scope, or the stack's, closes): its half-open entries are forgotten, the
   * established connections nobody accepted are reset, and a waiting `accept` fails with Closed.
   */
  const closeListener = (l: ListenerState): Effect.Effect<void> =>
    // (no generator made per call: one per listener would pin it until a full collection, as the
    // thirty-second pass of notes/bench-investigations.md found)
    Effect.suspend(() => {
      detach(l)
      const left = l.accepted.end(() => new TcpError({ reason: "Closed", detail: `the listener on port ${l.port} is closed` }))
      return left.length > 0 ? Effect.forEach(left, (conn: Conn) => conn.abortNow(), { discard: true }) : Effect.void
    })

  // Closing the stack: every connection is reset, every listener closed (an `accept` waiting in a
  // scope of its own fails with Closed), every fiber stops; a later listen or connect fails at once
  // (its fibers would go into a closed FiberSet and never run). The listeners leave their ports in
  // the same synchronous step as the connections are listed, as Linux's inet_csk_listen_stop runs
  // under the listener's lock: the resets below may wait on the link, and the dealer runs
  // meanwhile, but a handshake completing then finds no listener (openAll refuses it with a reset),
  // a SYN draws the closed port's reset, and so no connection is made that the list misses.
  let closing = false
  yield* Effect.addFinalizer(() =>
    Effect.suspend(() => {
      closing = true
      const ls = allListeners()
      // (their half-open entries too: while the resets below wait, no SYN-ACK timer of a listener
      // that has gone may fire)
      for (const l of ls) detach(l)
      return Effect.zipRight(
        Effect.forEach(Array.from(conns.values()), (conn) => conn.abortNow(), { discard: true }),
        Effect.forEach(ls, closeListener, { discard: true })
      )
    })
  )
  const stackClosed = (): TcpError => new TcpError({ reason: "Closed", detail: "the stack is closed" })

  const retransmissions = () => {
    const t = { ...gone }
    for (const conn of conns.values()) addRecoveryCounts(t, conn.snd)
    return t
  }

  // --- the API --------------------------------------------------------------------------
  /**
   * The address a bind(2) of `given` takes (absent: the wildcard, Addr.ANY), or why it cannot: one
   * of our addresses, the whole of 127/8 with it, as Linux's inet_bind takes.
   */
  const bindAddress = (given: Addr.Ipv4Addr | string | undefined): Addr.Ipv4Addr | TcpError => {
    const address = given === undefined ? Addr.ANY : typeof given === "string" ? Addr.parse(given) : given
    if (address === undefined) return new TcpError({ reason: "InvalidArgument", detail: `'${String(given)}' is not an IPv4 address` })
    if (address !== Addr.ANY && address !== ip.address && address >>> 24 !== 127) {
      return new TcpError({ reason: "AddressNotAvailable", detail: `${Addr.format(address)} is not an address of this stack` })
    }
    return address
  }

  const listen = (o: ListenOptions): Effect.Effect<Listener, TcpError, Scope.Scope> =>
    // (no generator made per call: it would pin the listener until a full collection)
    Effect.suspend(() => {
      if (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535) {
        return Effect.fail(new TcpError({ reason: "InvalidArgument", detail: `port ${o.port} is not 0..65535` }))
      }
      // (NaN or infinity would never fill the accept queue: an unbounded one)
      if (o.backlog !== undefined && !Number.isFinite(o.backlog)) {
        return Effect.fail(new TcpError({ reason: "InvalidArgument", detail: `backlog ${o.backlog} is not a number` }))
      }
      const badTimeout = o.userTimeout === undefined ? undefined : userTimeoutError(o.userTimeout)
      if (badTimeout !== undefined) return Effect.fail(badTimeout)
      // (nothing to wait on from here until the listener's entry: a listener made once the stack's
      // close has begun would take connections its close never sees)
      if (closing) return Effect.fail(stackClosed())
      const address = bindAddress(o.address)
      if (address instanceof TcpError) return Effect.fail(address)
      // port 0: a free ephemeral port, as bind(2) gives: none a listener, a connection or a
      // TIME-WAIT holds, of whatever kind (Linux's inet_csk_find_open_port: a port with any socket
      // on it conflicts there, SO_REUSEADDR on both or not, while ip_autobind_reuse is off)
      const port = o.port === 0 ? freePort(portLow, portHigh, (p) => !listeners.has(p) && !PortIndex.held(portIndex, p)) : o.port
      // (none: that bind's EADDRINUSE, which Node's listen reports)
      if (port === undefined) {
        return Effect.fail(new TcpError({ reason: "AddressInUse", detail: "every ephemeral port is held (a listener, a connection or a TIME-WAIT)" }))
      }
      const held = listenerOverlapping(port, address)
      if (held !== undefined) {
        const on = held.address === Addr.ANY ? "every address" : Addr.format(held.address)
        return Effect.fail(new TcpError({ reason: "AddressInUse", detail: `port ${port} is already listening on ${on}` }))
      }
      // nor a port an ephemeral connect holds, its connection or TIME-WAIT, from an address the
      // listener's overlaps: the bind, with SO_REUSEADDR as Node's, meets a socket without it
      // (Linux's inet_csk_bind_conflict, EADDRINUSE). A bound socket's connection or TIME-WAIT is
      // no conflict: both set SO_REUSEADDR, and it is not listening
      if (heldByEphemeral(port, address)) {
        return Effect.fail(new TcpError({ reason: "AddressInUse", detail: `port ${port} is held by an ephemeral connect's connection` }))
      }
      // (none above the system's limit, somaxconn there, `maxAcceptBacklog` here; a negative one is that
      // limit, as Linux's __sys_listen's unsigned compare makes it)
      const asked = o.backlog === undefined ? config.tcp.acceptBacklog : o.backlog < 0 ? config.tcp.maxAcceptBacklog : o.backlog
      const backlog = Math.min(asked, config.tcp.maxAcceptBacklog)
      // (an accepted connection leaves the backlog's count as a taker gets it)
      const accepted = new TakeQueue<Conn, Connection, TcpError>((conn) => {
        l.waiting--
        return new Handle(conn)
      })
      const l: ListenerState = {
        port,
        address,
        next: listeners.get(port),
        backlog,
        userTimeout: o.userTimeout ?? 0,
        halfOpen: new ChurnMap(),
        young: 0,
        accepted,
        waiting: 0,
        cookiesAt: undefined
      }
      listeners.set(port, l)
      memory.sockets++
      const listener: Listener = { port, accept: accepted.take }
      return Effect.as(Effect.addFinalizer(() => closeListener(l)), listener)
    })

  /** Whether a connect to ourselves from an ephemeral port may take over a 4-tuple held in TIME-WAIT now (TimeWait.ts). */
  const reusable = (held: TimeWaitEntry, now: number): boolean => TimeWait.reusableForConnect(held.tw, now, params.timeWait, false)

  const [portLow, portHigh] = config.tcp.localPortRange
  // made at the first connect that needs it (a table of 2^16 counters)
  let ports: PortSelection.PortSelection | undefined
  /**
   * An ephemeral port for a connect (PortSelection.ts): the first of the destination's sequence
   * that is free or, towards ourselves, whose 4-tuple's TIME-WAIT may give way. One pass, as
   * Linux's __inet_hash_connect takes the first port that is either. A connect given a local
   * address binds it (`bound`, Addr.ANY for `0.0.0.0`) with port 0 first: it takes no port an
   * ephemeral connect holds from an address that meets it either, as that bind's conflict check
   * (inet_csk_find_open_port) passes over it.
   */
  const ephemeral = (
    remote: Addr.Ipv4Addr,
    remotePort: number,
    local: Addr.Ipv4Addr,
    bound: Addr.Ipv4Addr | undefined,
    loopback: boolean,
    now: number
  ) => {
    ports ??= PortSelection.make(portLow, portHigh, (n) => globalThis.crypto.getRandomValues(new Uint8Array(n)))
    return PortSelection.select(ports, local, remote, remotePort, (port) => {
      // not a port a bound socket holds (a listener, a chosen-port or local-address connect's
      // connection or TIME-WAIT, an accepted connection): Linux 6.18's __inet_hash_connect passes
      // over a bucket bind has a socket in, whatever the 4-tuple and whichever kind made it, and
      // shares one only ephemeral connects hold, its 4-tuple free
      if (listeners.has(port) || PortIndex.heldByBound(portIndex, port)) return false
      if (bound !== undefined && heldByEphemeral(port, bound)) return false
      const k = keyOf(local, port, remote, remotePort)
      if (conns.has(k)) return false
      const held = timeWaits.get(k)
      return held === undefined || (loopback && reusable(held, now))
    })
  }

  /**
   * Whether a bind(2) of `port` from `bound` (with SO_REUSEADDR, as Node's) meets a socket an
   * ephemeral connect made, which set none: a connection or TIME-WAIT of one on that port, from an
   * address the bind covers (the wildcard covers all), whatever its peer. Linux's
   * inet_csk_bind_conflict looks at every socket bound to the port, not the 4-tuple's alone; the
   * port index counts them (PortIndex.ts).
   */
  const heldByEphemeral = (port: number, bound: Addr.Ipv4Addr): boolean => PortIndex.heldByEphemeral(portIndex, port, bound)

  const connect = (o: ConnectOptions): Effect.Effect<Connection, TcpError> =>
    // the queues first, in this fiber; every check and the port choice after, in one synchronous step
    withQueues(config.queues.tcpSegments, (queues) => {
      if (closing) return Effect.fail(stackClosed())
      const remote = typeof o.address === "string" ? Addr.parse(o.address) : o.address
      if (remote === undefined) {
        return Effect.fail(new TcpError({ reason: "InvalidArgument", detail: `'${String(o.address)}' is not an IPv4 address` }))
      }
      // port 0 too: Linux's connect(2) sends that SYN, and the peer's TCP answers it (a RST, as ours)
      if (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535) {
        return Effect.fail(new TcpError({ reason: "InvalidArgument", detail: `port ${o.port} is not 0..65535` }))
      }
      if (o.localPort !== undefined && (!Number.isInteger(o.localPort) || o.localPort < 0 || o.localPort > 65535)) {
        return Effect.fail(new TcpError({ reason: "InvalidArgument", detail: `local port ${o.localPort} is not 0..65535` }))
      }
      const badTos = o.tos === undefined ? undefined : tosError(o.tos)
      if (badTos !== undefined) return Effect.fail(badTos)
      const badTimeout = o.userTimeout === undefined ? undefined : userTimeoutError(o.userTimeout)
      if (badTimeout !== undefined) return Effect.fail(badTimeout)
      // the bind(2) before the connect(2) first (as Node's internalConnect): what it refuses is
      // refused whatever the destination and its route
      const bound = bindAddress(o.localAddress)
      if (bound instanceof TcpError) return Effect.fail(bound)
      // a port a listener holds is not ours to connect from (bind(2) says EADDRINUSE, even with
      // SO_REUSEADDR: Linux's inet_csk_bind_conflict)
      // port 0 is bind(2)'s "any port": an ephemeral one (Node's localPort: 0 too), never a SYN from port 0
      const asked = o.localPort === 0 ? undefined : o.localPort
      if (asked !== undefined && listenerOverlapping(asked, bound) !== undefined) {
        return Effect.fail(new TcpError({ reason: "AddressInUse", detail: `port ${asked} is listening` }))
      }
      // nor one an ephemeral connect holds, towards whatever peer (EADDRINUSE: that socket set no
      // SO_REUSEADDR)
      if (asked !== undefined && heldByEphemeral(asked, bound)) {
        return Effect.fail(new TcpError({ reason: "AddressInUse", detail: `port ${asked} is held by an ephemeral connect's connection` }))
      }
      // What fails from here fails in connect(2), after the bind: it names the port bound, the one
      // asked for, or for a local address alone the one its bind of port 0 took (Linux's
      // inet_csk_find_open_port, at bind(2): getsockname gives it after the failed connect, and
      // Node's internalConnect names it). The stack picks a port only once it knows the route, so
      // here it picks the one its choice gives from the bound address; with nothing bound, none.
      const failed = (reason: TcpError["reason"], detail: string): Effect.Effect<never, TcpError> => {
        if (o.localAddress === undefined || asked !== undefined) {
          return Effect.fail(new TcpError({ reason, detail, ...(asked !== undefined ? { localPort: asked } : {}) }))
        }
        const port = ephemeral(remote, o.port, bound, bound, false, clock.unsafeCurrentTimeMillis())
        // (a bind that finds no port fails itself, as below)
        return Effect.fail(
          port === undefined
            ? new TcpError({ reason: "AddressInUse", detail: `no free port to bind ${Addr.format(bound)} to` })
            : new TcpError({ reason, detail, localPort: port })
        )
      }
      const r = ip.route(remote)
      if (r === undefined) return failed("NoRoute", `no route to ${Addr.format(remote)}`)
      if (conns.size >= config.tcp.maxConnections) {
        c.connectionLimit++
        return failed("TooManyConnections", `${conns.size} connections are open`)
      }
      const loopback = r._tag === "Local"
      if (bound !== Addr.ANY && !loopback && bound !== r.src) {
        return failed("InvalidArgument", `a connection from ${Addr.format(bound)} cannot reach ${Addr.format(remote)}, another host`)
      }
      const local = bound === Addr.ANY ? r.src : bound
      const now = clock.unsafeCurrentTimeMillis()
      const localPort = asked ?? ephemeral(remote, o.port, local, o.localAddress === undefined ? undefined : bound, loopback, now)
      if (localPort === undefined) {
        // A connect from a local address binds it with port 0 first, and that bind finds no port
        // (Linux's inet_csk_find_open_port: EADDRINUSE, which Node's connect reports, libuv keeping
        // a bind's EADDRINUSE for the connect). Every port it passed over has a socket its bind meets:
        // the 4-tuple checks after the bind's add nothing there. A plain connect finds no port for
        // the 4-tuple (__inet_hash_connect: EADDRNOTAVAIL)
        return Effect.fail(
          o.localAddress !== undefined
            ? new TcpError({ reason: "AddressInUse", detail: `no free port to bind ${Addr.format(bound)} to` })
            : new TcpError({ reason: "NoEphemeralPorts", detail: `no free port towards ${Addr.format(remote)}:${o.port}` })
        )
      }
      const k = keyOf(local, localPort, remote, o.port)
      const held = timeWaits.get(k)
      const live = conns.get(k)
      // From a port the caller chose, whose bind went through above (an ephemeral connect's
      // connection or TIME-WAIT there refused it, this 4-tuple's among them: boundConnect's
      // AddressInUse), Linux's connect asks tcp_twsk_unique with no TIME-WAIT to hand back: any
      // peer, at once, timestamps on (TimeWait.boundConnect). From an ephemeral port the choice
      // above took only a free port or one whose TIME-WAIT gives way.
      const verdict = held === undefined || asked === undefined ? undefined : TimeWait.boundConnect(held.tw, now, params.timeWait)
      const takeOver = held !== undefined && (asked !== undefined ? verdict === "TakeOver" : loopback && reusable(held, now))
      if (live !== undefined || (held !== undefined && !takeOver)) {
        // (the bind went through; connect(2) finds the 4-tuple taken: EADDRNOTAVAIL,
        // __inet_check_established's not_unique)
        const reason = asked !== undefined ? "TupleInUse" : "AddressInUse"
        const named = asked !== undefined || o.localAddress !== undefined ? { localPort } : {}
        return Effect.fail(new TcpError({ reason, detail: `port ${localPort} is in use towards that peer`, ...named }))
      }
      let iss: Seq.SeqNum
      let inherited: { readonly tsRecent: number; readonly at: number } | undefined
      if (held !== undefined) {
        // the 4-tuple's TIME-WAIT gives way to this connection
        dropTimeWait(held)
        schedule(held, undefined)
        c.timeWaitReused++
        iss = TimeWait.reuseIss(held.tw)
        // and hands on its TS.Recent (tcp_twsk_unique), which SYN-SENT measures a SYN against
        inherited = TimeWait.inheritedTsRecent(held.tw)
      } else {
        iss = Negotiation.isn(key, { localAddr: local, localPort, remoteAddr: remote, remotePort: o.port }, now)
      }
      const first: Array<Segment.OutSegment> = []
      const reads = { consumed: 0 }
      // the path MTU a router lowered for this address, if any: the SYN's MSS and the segments start at it
      const pmtu = ip.pathMtu(remote)
      const snd = Sender.connect(params, { localPort, remotePort: o.port }, iss, r.mtu, reads, now, first, Negotiation.tsOffset(tsKey, local, remote), pmtu)
      if (o.noDelay === true) snd.noDelay = true
      if (o.userTimeout !== undefined) Sender.setUserTimeout(snd, o.userTimeout)
      const rcv = Receiver.synSent(params, iss, inherited)
      const conn = new Conn(env, k, local, remote, Iface.routeFrom(r, local), rcv, snd, queues)
      // (a local address alone is bound too, to port 0, as Node's bind of it: with SO_REUSEADDR,
      // though the port is the stack's choice)
      if (asked === undefined && o.localAddress === undefined) conn.ephemeralPort = true
      if (o.tos !== undefined) conn.setTos(o.tos)
      addConn(conn)
      c.activeOpens++
      conn.start(first)
      // A caller that gives up on the handshake (a timeout, an interrupted fiber) leaves nobody to
      // hold the connection: it is aborted (RFC 9293 §3.10.5: in SYN-SENT the TCB just goes; once
      // past it, an RST tells the peer), not left to open and stay ESTABLISHED with no owner.
      return conn.waitOpenedAs(new Handle(conn), conn.abort())
    })

  return Tcp.of({
    listen,
    connect,
    stats: Effect.sync(() => ({
      ...c,
      malformed: { ...malformed },
      connections: conns.size,
      halfOpen: halfOpenCount,
      timeWait: timeWaits.size,
      idleFibers: halves.waiting,
      portsHeld: PortIndex.size(portIndex),
      memory: memory.allocated,
      memoryPressure: memory.pressureEntries,
      rcvQueueDropped: memory.rcvQueueDropped,
      ofoPruned: memory.ofoPruned,
      sockets: memory.sockets,
      orphans: memory.orphans,
      abortOnMemory: memory.abortedOnMemory,
      ...retransmissions()
    })),
    connections: Effect.sync(() =>
      Array.from(conns.values(), (conn) => ({
        localAddress: conn.localAddress,
        localPort: conn.localPort,
        remoteAddress: conn.remoteAddress,
        remotePort: conn.remotePort,
        info: conn.info()
      }))
    )
  })
})


/** @category layers */
export const layer = Layer.scoped(Tcp, make)
