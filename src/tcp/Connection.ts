/**
 * A TCP connection's fiber shell: the paper's TCB as two supervised fibers
 * (DESIGN.md §2) over the pure halves, Receiver.ts and Sender.ts.
 *
 * - The **receive half** is the only consumer of `arrivals`, the bounded,
 *   dropping mailbox the TCP dealer offers this connection's segments to,
 *   one array per dealer wake-up, stamped with its arrival time. It owns the
 *   `Receiver` record: per batch it runs the acceptability rules, hands
 *   in-order data to the application's queue, and posts one `Report` to the
 *   send half.
 * - The **send half** is the only consumer of `events`: reports, the
 *   application's writes and closes, reads that open the window, and timer
 *   expiries. It owns the `Sender` record, and it alone transmits: per
 *   wake-up it applies every event, then writes all the segments produced
 *   in place on the send path (`ip.emit`, payload gathered from the send
 *   buffer) and sends them in one `ip.flush`.
 *
 * Both inboxes are `Inbox`es (internal/Inbox.ts): an Effect Mailbox whose
 * one consumer, when idle, parks on a doorbell that every offer rings
 * instead of inside the Mailbox's interruptible wait (about 1.3 KiB less per
 * parked half); every message still goes through the Mailbox, in order, and
 * each wake-up takes all that is queued.
 *
 * Neither half writes the other's record. What crosses is a message (the
 * report, the events) or a counter with one writer and one reader: the
 * send half's `SendView` (its bounds, for the receive half's ACK checks),
 * and `reads.consumed` (octets the application has read, which both halves
 * use to place the receive window's right edge).
 *
 * Timers: the send half keeps the one deadline of the connection
 * (`Sender.deadline`) in the stack-wide timer wheel after every wake-up; the
 * wheel posts a `Timer` event when it is due. No fiber or sleep per
 * segment, so TestClock drives every TCP timer.
 *
 * The application's side: in-order data waits in `incoming`, a
 * `ChunkQueue` (internal/ChunkQueue.ts: what an Effect Mailbox did here, for
 * a tenth of the memory; unbounded as a queue, but never holding more than
 * the receive buffer: the window the peer may fill is the buffer less what
 * is unread); a write takes what room the send buffer has and waits for
 * more (`writers`) until all of it is in, as write(2) on a blocking socket
 * does: the buffer never holds more than its size, and a write completes
 * when its last octet was taken. A waiting writer is woken once a useful
 * piece fits (its whole rest, or a quarter of the buffer up to 64 KiB), not
 * for every ACK's worth of room. A waiting write ends with the connection's
 * writing side, not with the connection (Linux's sk_stream_wait_memory
 * returns at once on SEND_SHUTDOWN or sk_err, and tcp_sendmsg_locked's
 * sk_stream_error gives the socket's error, else EPIPE): `end` or `close`
 * fails it at once with `Closed` (EPIPE), what it had put into the send
 * buffer still going before the FIN (but for a close that resets, data
 * unread: RFC 1122 §4.2.2.13); an abort or the peer's RST tears the
 * connection down, which fails it with the connection's error. Either error
 * names what of the write was taken (`written`, write(2)'s short count).
 *
 * The stack-wide bound (Memory.ts, Linux's tcp_mem): the connection charges
 * the stack's accountant with what it holds (`recharge`: unacknowledged
 * data written, in-order data unread, data held out of order), the change
 * since its last charge, after each batch taken, each send-half wake-up,
 * each read and write, and at the end (then only what the application has
 * still to read, nothing once it closed or nobody will read: a listener's
 * unaccepted connection, the stack closing). Above `high` a writer whose
 * connection holds its minimum (`Memory.MIN_SEND`) waits until its own
 * ACKs empty its send side or the total falls below `high` (Linux's
 * sk_stream_wait_memory, woken by its own write space): one that holds
 * data in flight is always woken by that data's ACKs.
 *
 * @since 0.1.0
 */
import type { Clock } from "effect"
import { Chunk, Effect, Exit, Mailbox, Option, Stream } from "effect"
import { ChunkQueue } from "../internal/ChunkQueue.js"
import { Inbox } from "../internal/Inbox.js"
import type * as ErrorConvert from "../icmp/ErrorConvert.js"
import type { Route, Tx } from "../iface/Interface.js"
import { Tx as TxBatch } from "../iface/Interface.js"
import { Signal } from "../internal/Signal.js"
import type { EmitOptions, Ipv4Service } from "../ipv4/Ipv4.js"
import { TRANSPORT_OFFSET } from "../ipv4/Ipv4.js"
import { flatten, frameLength, TxMeta } from "../link/Link.js"
import * as Checksum from "../wire/Checksum.js"
import type * as Addr from "../wire/Ipv4Addr.js"
import * as Ip from "../wire/Ipv4Header.js"
import * as TcpWire from "../wire/TcpHeader.js"
import * as Delivery from "./Delivery.js"
import * as Memory from "./Memory.js"
import * as Receiver from "./Receiver.js"
import type { OutSegment, Segment } from "./Segment.js"
import { FIN, PSH } from "./Segment.js"
import * as SendBuffer from "./SendBuffer.js"
import * as Sender from "./Sender.js"
import * as Tso from "./Tso.js"
import type * as Seq from "./SeqNum.js"
import { TcpError } from "./TcpError.js"

/** Segments for one connection from one dealer wake-up. @category models */
export interface Arrival {
  /** Clock ms when the batch reached the dealer */
  readonly at: number
  readonly segments: Array<Segment>
}

/** What the send half takes. @category models */
export type Event =
  | { readonly _tag: "Report"; readonly report: Receiver.Report }
  /** with `urgent`, the data is urgent data (its end SND.UP), marked before it goes */
  | { readonly _tag: "Write"; readonly data: Uint8Array; readonly urgent?: true }
  /** what was written so far is urgent (after the Write events of it) */
  | { readonly _tag: "Urgent" }
  | { readonly _tag: "End" }
  | { readonly _tag: "Close" }
  | { readonly _tag: "Abort" }
  | { readonly _tag: "Read" }
  | { readonly _tag: "Timer" }
  | { readonly _tag: "NoDelay"; readonly on: boolean }
  /** keepalive probes after `idle` ms of silence, or none (undefined) */
  | { readonly _tag: "Keepalive"; readonly idle: number | undefined }
  | { readonly _tag: "UserTimeout"; readonly ms: number }
  | {
    readonly _tag: "IcmpError"
    /** what the ICMP error said (its type, code and next-hop MTU) */
    readonly error: Sender.IcmpError
    /** the sequence number of the segment it quotes */
    readonly seq: number
  }

const TIMER: Event = { _tag: "Timer" }
const READ: Event = { _tag: "Read" }
const URGENT: Event = { _tag: "Urgent" }

/** What a connection needs of the stack. @category models */
export interface Env {
  readonly ip: Ipv4Service
  readonly clock: Clock.Clock
  /** set (or clear, with undefined) the connection's deadline in the timer wheel (which calls its `fire`) */
  readonly schedule: (c: Conn, at: number | undefined) => void
  /** the connection is over: forget its 4-tuple */
  readonly forget: (c: Conn) => void
  /** the connection reached TIME-WAIT: the stack holds the 4-tuple as a small record from here (TimeWait.ts) */
  readonly enterTimeWait: (c: Conn) => void
  /** an ACK of new data arrived: the next hop is reachable (RFC 4861 §7.3.1) */
  readonly confirm: (route: Route) => void
  /** count the segments that went out */
  readonly sent: (segments: number) => void
  /** run a fiber in the stack's scope, from synchronous code */
  readonly fork: (effect: Effect.Effect<void>) => void
}

/** Counters and state of a connection, for people and tests. @category models */
export interface ConnectionInfo {
  readonly state: Sender.State
  /** smoothed RTT, ms (undefined before a sample) */
  readonly srtt: number | undefined
  readonly rto: number
  readonly cwnd: number
  readonly ssthresh: number
  readonly mss: number
  /** the peer's window, octets */
  readonly sndWnd: number
  readonly segmentsSent: number
  readonly retransmits: number
  readonly fastRetransmits: number
  /** RFC 8985 tail loss probes sent */
  readonly tailProbes: number
  /** loss episodes undone: every retransmission came back D-SACKed (RFC 2883 §5); a timeout's, in its episode, counts in `eifelUndos` */
  readonly dsackUndos: number
  /** retransmission timeouts found spurious and undone (F-RTO, RFC 5682, the timestamp echo, or the D-SACKs of every resend) */
  readonly spuriousTimeouts: number
  /** loss episodes undone because an ACK echoed a timestamp from before their first retransmission (RFC 3522), because they had resent nothing yet, or (a timeout's) because every resend came back D-SACKed (Linux's TCPLossUndo, TCPFullUndo, TCPPartialUndo) */
  readonly eifelUndos: number
  /** ECN was negotiated (RFC 3168) */
  readonly ecn: boolean
  /** congestion windows reduced for the peer's ECE (RFC 3168 §6.1.2) */
  readonly ecnReductions: number
  /** HyStart++ ended the initial slow start because the delay grew (RFC 9406): once at most, unless CSS found it spurious */
  readonly hystartExits: number
  readonly timeouts: number
  /** timeouts that found the peer had reneged on SACKed data and cleared the scoreboard (RFC 2018 §8; Linux's TCPSACKReneging) */
  readonly sackReneges: number
  readonly bytesAcked: number
  /** octets the application's writes have put into the stream (an interrupted write may have put a prefix of its data) */
  readonly bytesWritten: number
  readonly bytesReceived: number
  /** batches dropped because the receive half's queue was full */
  readonly arrivalsDropped: number
  readonly timestamps: boolean
  readonly sack: boolean
  /** the errno of the last ICMP error that did not end the connection, until an acceptable ACK clears it */
  readonly softError: string | undefined
  readonly sndShift: number
  readonly rcvShift: number
}

/** The queues between a connection's fibers (see the module header). @category models */
export interface Queues {
  readonly events: Inbox<Event>
  readonly arrivals: Inbox<Arrival>
}

/**
 * Make a connection's queues, in the calling fiber (`Effect.runSync` would
 * run a fiber of its own per queue, and leave each queue on that fiber's
 * synchronous scheduler), and go on with `f`. `segmentQueue` bounds
 * `arrivals` (dropping). The two Mailboxes and `f` in one chain: no
 * `Effect.map` per inbox nor a zip of them (an operation and a continuation
 * each, per connection, on the path of every open).
 */
export const withQueues = <A, E>(segmentQueue: number, f: (queues: Queues) => Effect.Effect<A, E>): Effect.Effect<A, E> =>
  Effect.flatMap(Mailbox.make<Event>(), (events) =>
    Effect.flatMap(
      Mailbox.make<Arrival>({ capacity: segmentQueue, strategy: "dropping" }),
      (arrivals) => f({ events: Inbox.of(events), arrivals: Inbox.of(arrivals) })
    ))

/** One connection: the two fibers' records and the queues between them and the application. @category models */
export class Conn {
  readonly events: Inbox<Event>
  readonly arrivals: Inbox<Arrival>
  /** in-order data for the application; ends at the peer's FIN, fails on reset or timeout */
  readonly incoming = new ChunkQueue<Uint8Array, TcpError>()
  /** done when the handshake completes; failed when it does not (made when waited for or settled: `Signal.settle`) */
  private opened: Signal<TcpError> | undefined = undefined
  /** done when the connection is over (CLOSED); failed on reset, timeout or abort (made as `opened` is) */
  private closedSignal: Signal<TcpError> | undefined = undefined
  readonly reads: { consumed: number }
  /** octets the application wrote, and how many of them the send half has taken into its buffer */
  written = 0
  taken = 0
  /** the send buffer's length, published by the send half after every wake-up */
  buffered = 0
  /** a write waiting for room, woken by the send half */
  writers: Signal | undefined = undefined
  /** the room that wakes them: the least any waiting writer needs to go on */
  writersNeed = Number.POSITIVE_INFINITY
  /** the application ended (or closed) its side: writes fail */
  writeClosed = false
  /** the application closed for good: data still arriving is dropped */
  readClosed = false
  /** data arrived after the application closed (the receive half saw it): the send half resets */
  dataAfterClose = false
  /**
   * the receive half refused in-order data for memory (`Report.nomem`) and no read has woken the send
   * half since: the next read does, whether or not the window of 0 has gone yet (`consumed`)
   */
  private memRefused = false
  arrivalsDropped = 0
  bytesReceived = 0
  /**
   * its port was an ephemeral one a connect chose with nothing bound, neither a local port nor
   * address (those are bound with SO_REUSEADDR, as Node's, and a listener's are): it and its
   * TIME-WAIT then hold the port against a bind (TimeWait.reuse). Set before the connection goes
   * into the stack's table, never after: the port index counts it by this (PortIndex.ts)
   */
  ephemeralPort = false
  /** where small payloads are copied together while the application is behind (Delivery.ts) */
  smallStore: Uint8Array | undefined = undefined
  smallUsed = 0
  /** `opened` is done: the handshake completed */
  private isOpen = false
  /** octets charged to the stack-wide accountant (Memory.ts) */
  private charged = 0
  /** nobody will read what is queued (a listener's unaccepted connection, the stack closing): not charged */
  private released = false
  /**
   * counted among the stack's TCP sockets (`countSocket`); among its orphans too once the application
   * closed it (`snd.appClosed`, set only by the close that counts it: `countOrphan`)
   */
  private socketCounted = false
  /**
   * What the connection's segments go with: DF (unless the path MTU is locked: Sender.pmtuLocked),
   * and the TOS the application set (RFC 1122 §4.2.4.2: the application MUST be able to; its ECN
   * bits are TCP's, cleared as Linux does)
   */
  private emitOptions: EmitOptions = DF
  /** the same, ECN-capable: ECT(0) in the TOS's low bits (RFC 3168 §5), for the segments the send half marks `ect` */
  private emitOptionsEct: EmitOptions = DF_ECT
  /** done when the peer's urgent pointer next advances (made when waited for, replaced each time) */
  private urgentSignal: Signal | undefined = undefined
  bytesAcked = 0
  private done = false
  /** the connection's place in the stack's timer wheel (internal/Deadlines.ts) */
  deadlineAt = 0
  deadlineIndex = -1
  /**
   * `ip.pathMtuGeneration()` when the send half last took the stack's path MTU for the peer; none
   * at first, so the first wake-up looks once: a passive open's sender was made in the dealer's
   * batch, and a report may have come between it and this connection
   */
  private pmtuGeneration = -1

  constructor(
    readonly env: Env,
    readonly key: string,
    readonly localAddress: Addr.Ipv4Addr,
    readonly remoteAddress: Addr.Ipv4Addr,
    readonly route: Route,
    readonly rcv: Receiver.Receiver,
    readonly snd: Sender.Sender,
    queues: Queues
  ) {
    this.reads = snd.reads
    this.events = queues.events
    this.arrivals = queues.arrivals
    // opened towards an address whose path MTU a router locked below 552: no DF from the SYN on
    // (the wake-ups keep it in step after; the SYN goes before the first)
    if (snd.pmtuLocked) this.emitWith(0)
  }

  get localPort(): number {
    return this.snd.localPort
  }
  get remotePort(): number {
    return this.snd.remotePort
  }

  /** Start both halves (in the stack's scope) and send what the constructor produced. */
  start(first: Array<OutSegment>): void {
    this.env.fork(this.receiveHalf())
    this.env.fork(this.sendHalf(first))
  }

  /** The dealer hands over one wake-up's segments; false when the queue was full (dropped, counted). */
  offer(a: Arrival): boolean {
    if (this.arrivals.unsafeOffer(a)) return true
    this.arrivalsDropped++
    return false
  }

  // --- receive half --------------------------------------------------------
  private receiveHalf(): Effect.Effect<void> {
    // (takeAll() looks at the inbox when called: asked anew per wake-up, just before the wait starts)
    const loop = (): Effect.Effect<void> => Effect.flatMap(this.arrivals.takeAll(), handle)
    const handle = ([batch, finished]: readonly [Chunk.Chunk<Arrival>, boolean]): Effect.Effect<void> => {
      // (the Chunk's own array, indexed: `for...of` on a Chunk makes an iterator per wake-up)
      const arrivals = Chunk.toReadonlyArray(batch)
      for (let i = 0; i < arrivals.length; i++) this.receive(arrivals[i]!)
      return finished ? Effect.void : loop()
    }
    return Effect.suspend(loop)
  }

  private receive(a: Arrival): void {
    if (this.rcv.state === "Closed") return
    // (what the send side holds, for the fair share of the stack-wide bound: Memory.mayReceive)
    if (this.rcv.memory !== undefined) this.rcv.sendHeld = this.done ? 0 : this.written - this.taken + this.snd.buffer.length
    const report = Receiver.onBatch(this.rcv, a.segments, a.at, this.reads.consumed, this.snd.view)
    if (report.dataOctets > 0) {
      this.bytesReceived += report.dataOctets
      if (this.readClosed) {
        this.reads.consumed += report.dataOctets
        this.dataAfterClose = true
      } else {
        Delivery.deliver(this.incoming, report.data, this)
      }
    }
    // (out of order, or a FIN beyond a hole, counts too: Linux resets on anything past RCV.NXT)
    if (report.pastRcvNxt && this.readClosed) this.dataAfterClose = true
    if (report.fin) this.incoming.done(Exit.void)
    if (report.nomem) this.memRefused = true
    if (report.urgent !== undefined && this.urgentSignal !== undefined) {
      // RFC 9293 MUST-32: the application hears of each advance of the urgent pointer
      const s = this.urgentSignal
      this.urgentSignal = undefined
      s.unsafeDone(Exit.void)
    }
    this.events.unsafeOffer({ _tag: "Report", report })
    this.recharge()
  }

  /** Charge the stack-wide accountant with the change in what the connection holds (see the module header). */
  private recharge(): void {
    const m = this.snd.params.memory
    if (m === undefined) return
    const unread = this.released || this.readClosed ? 0 : this.bytesReceived - this.reads.consumed
    const held = this.done ? unread : unread + this.rcv.ooo.octets + this.written - this.taken + this.snd.buffer.length
    if (held === this.charged) return
    Memory.charge(m, held - this.charged)
    this.charged = held
  }

  // --- send half -----------------------------------------------------------
  private sendHalf(first: Array<OutSegment>): Effect.Effect<void> {
    // (takeAll() looks at the inbox when called: only after the transmit, in the suspend)
    const loop = (): Effect.Effect<void> => Effect.flatMap(this.events.takeAll(), handle)
    const handle = ([events, finished]: readonly [Chunk.Chunk<Event>, boolean]): Effect.Effect<void> => {
      const out: Array<OutSegment> = []
      const now = this.env.clock.unsafeCurrentTimeMillis()
      // a path MTU towards some address moved since the last wake-up (another connection, a UDP
      // socket or a ping was told of a narrower path): ours is looked up, and taken before anything
      // is sent, as Linux's next transmit finds the route's new MTU. One number compared otherwise
      const generation = this.env.ip.pathMtuGeneration()
      if (generation !== this.pmtuGeneration) {
        this.pmtuGeneration = generation
        Sender.onPathMtu(this.snd, this.env.ip.pathMtu(this.remoteAddress))
      }
      // What the receive half reported first, then the rest in order: the peer's segments have
      // already arrived, so the data this wake-up sends carries their ACK (and the window and
      // the ACKs they bring count before a write is pushed or a timer fires), as Linux fills a
      // segment's ACK when it transmits. The application's own events keep their order.
      // (the Chunk's own array, indexed: `for...of` on a Chunk makes an iterator per loop)
      const list = Chunk.toReadonlyArray(events)
      let others = false
      for (let i = 0; i < list.length; i++) {
        const e = list[i]!
        if (e._tag === "Report") this.apply(e, now, out)
        else others = true
      }
      if (others) {
        for (let i = 0; i < list.length; i++) {
          const e = list[i]!
          if (e._tag !== "Report") this.apply(e, now, out)
        }
      }
      // (the path MTU locked below the floor, or unlocked when that expired: DF follows, before the sends)
      if (this.snd.pmtuLocked === this.emitOptions.dontFragment) this.emitWith(this.emitOptions.tos ?? 0)
      const sending = this.transmit(out, true)
      if (finished) return Effect.zipRight(sending, last)
      // (nothing to send: settle and ask for the next wait in this step, with no operation of its own)
      return sending === Effect.void ? next() : Effect.flatMap(sending, next)
    }
    // after each wake-up's transmit (made once: nothing allocated per wake-up for them)
    const next = (): Effect.Effect<void> => (this.settle() ? Effect.void : loop())
    const last: Effect.Effect<void> = Effect.sync(() => {
      this.settle()
    })
    // (the first segments, a connect's SYN, go out in the half's first step as a wake-up's do)
    return Effect.suspend(() => {
      const sending = this.transmit(first, true)
      return sending === Effect.void ? next() : Effect.flatMap(sending, next)
    })
  }

  private apply(e: Event, now: number, out: Array<OutSegment>): void {
    const s = this.snd
    if (Sender.isClosed(s)) return
    switch (e._tag) {
      case "Report":
        // New data after the application closed: nobody will read it, and the peer must not take it
        // as delivered. RST instead of an ACK (RFC 1122 §4.2.2.13 SHOULD; Linux's tcp_rcv_state_process
        // in FIN-WAIT-1/2, TCPAbortOnData), whether or not the close has reached this half yet. (Seen
        // by the receive half as the data came: a report of data delivered before the close may reach
        // this half after it, and is no reason to reset.)
        if (this.dataAfterClose) {
          Sender.resetOnData(s, e.report, now, out)
          return
        }
        Sender.onReport(s, e.report, now, out)
        return
      case "Write":
        this.taken += e.data.length
        Sender.write(s, e.data, now, out, e.urgent === true)
        return
      case "Urgent":
        Sender.markUrgent(s, now, out)
        return
      case "End":
        Sender.end(s, now, out)
        return
      case "Close":
        // Linux: closing with unread data resets the connection (RFC 2525 §2.17; RFC 1122
        // §4.2.2.13), the peer's FIN behind it or not (tcp_close counts the data, not the FIN)
        if (this.incoming.size > 0) {
          Sender.abort(s, now, out, true)
          return
        }
        this.countOrphan()
        Sender.closeByApp(s, now, out)
        return
      case "Abort":
        Sender.abort(s, now, out)
        return
      case "Read":
        Sender.onRead(s, now, out)
        return
      case "Timer":
        Sender.onTimer(s, now, out)
        return
      case "NoDelay":
        s.noDelay = e.on
        if (e.on) Sender.write(s, EMPTY, now, out)
        return
      case "Keepalive":
        Sender.setKeepalive(s, e.idle, now)
        return
      case "UserTimeout":
        Sender.setUserTimeout(s, e.ms)
        return
      case "IcmpError":
        // a believed "fragmentation needed" holds for the address, for every user of it (Linux's
        // tcp_v4_mtu_reduced updates the route's exception through inet_csk_update_pmtu)
        if (Sender.onIcmpError(s, e.error, e.seq as Seq.SeqNum, now, out) && Sender.isFragmentationNeeded(e.error)) {
          this.env.ip.reportPathMtu(this.remoteAddress, e.error.mtu)
        }
        return
    }
  }

  /**
   * Write the segments in place and send them in one batch; with TSO, runs
   * of segments that the link would cut back into exactly the same ones
   * (`Tso.runLength`) go as one. With `inStep` (called in the send half's
   * wake-up, which runs the result next) the batch goes at once where the
   * link allows it (Ipv4's `flushNow`); otherwise when the effect returned runs.
   */
  private transmit(out: Array<OutSegment>, inStep = false): Effect.Effect<void> {
    if (out.length === 0) return Effect.void
    const tx: Tx = new TxBatch()
    const ip = this.env.ip
    const r = this.route
    const mode = checksumMode(ip, r)
    const o = this.emitOptions
    const oEct = this.emitOptionsEct
    if (mode !== "Segmented") {
      for (const seg of out) emitSegment(ip, tx, r, seg, seg.payload, mode, 0, seg.ect === true ? oEct : o)
    } else {
      for (let i = 0; i < out.length;) {
        const n = Tso.runLength(out, i)
        const first = out[i]!
        const fo = first.ect === true ? oEct : o
        if (n === 1) {
          emitSegment(ip, tx, r, first, first.payload, mode, 0, fo)
        } else {
          // the run's header is its first segment's, with PSH and FIN as its last one has them
          const last = out[i + n - 1]!
          const flags = (first.flags & ~(PSH | FIN)) | (last.flags & (PSH | FIN))
          const header = flags === first.flags ? first : { ...first, flags }
          emitSegment(ip, tx, r, header, Tso.runPayload(out, i, n), mode, first.payload!.length, fo)
        }
        i += n
      }
    }
    this.env.sent(out.length)
    return inStep ? ip.flushNow(tx) : ip.flush(tx)
  }

  /** The timer wheel found this connection due: its send half runs its timers. */
  fire(): void {
    this.events.unsafeOffer(TIMER)
  }

  /**
   * After a wake-up: publish counters, move the deadline, wake writers and
   * waiters, tear down when over (then true).
   */
  private settle(): boolean {
    const s = this.snd
    this.buffered = s.buffer.length
    this.recharge()
    if (s.progress) {
      s.progress = false
      this.env.confirm(this.route)
    }
    // (held back by the stack-wide bound, a writer goes on once its send side is empty: it may hold its minimum)
    if (this.writers !== undefined && this.room() >= (this.memoryLimited() ? Math.min(this.writersNeed, Memory.MIN_SEND) : this.writersNeed)) {
      this.wakeWriters()
    }
    if (!this.isOpen && s.state !== "SynSent" && s.state !== "SynReceived" && s.state !== "Closed") {
      this.isOpen = true
      this.opened = Signal.settle(this.opened, Exit.void)
    }
    // (an orphan in FIN-WAIT-2 is Linux's timewait sock from `orphanFinWait2At` on: no socket then.
    // Later than now with a FIN-WAIT-2 timeout past TCP_TIMEWAIT_LEN, that time is a wake-up of its
    // own, as Linux's keepalive timer makes the timewait sock: no other wake-up need come before the
    // orphan's end, and it would count until then)
    let twFrom = s.view.orphanFinWait2At
    if (twFrom !== undefined && this.socketCounted && this.env.clock.unsafeCurrentTimeMillis() >= twFrom) this.uncountSocket()
    if (!this.socketCounted) twFrom = undefined
    if (Sender.isClosed(s)) {
      this.teardown()
      return true
    }
    if (s.state === "TimeWait") {
      // nothing is left to send or deliver: the fibers go, a record keeps the 4-tuple for 2 MSL
      this.env.enterTimeWait(this)
      this.teardown()
      return true
    }
    const due = Sender.deadline(s)
    this.env.schedule(this, twFrom !== undefined && (due === undefined || twFrom < due) ? twFrom : due)
    return this.done
  }

  /** Wake every waiting writer: each looks again (room, or a side closed for writing: `put`). */
  private wakeWriters(): void {
    const w = this.writers
    if (w === undefined) return
    this.writers = undefined
    this.writersNeed = Number.POSITIVE_INFINITY
    w.unsafeDone(Exit.void)
  }

  /** Wait for the handshake: `value` when it completed, its failure when it did not; `onInterrupt` runs if the waiter is interrupted while it waits (Signal.waitAs). */
  waitOpenedAs<A>(value: A, onInterrupt: Effect.Effect<void>): Effect.Effect<A, TcpError> {
    return (this.opened ??= new Signal()).waitAs(value, onInterrupt)
  }

  /** Wait for the end: done when CLOSED, failed on reset, timeout or abort. */
  waitClosed(): Effect.Effect<void, TcpError> {
    return (this.closedSignal ??= new Signal()).wait()
  }

  /** The TOS (DiffServ field) of the segments sent from now on; its ECN bits are ignored. */
  setTos(tos: number): void {
    this.emitWith(tos & 0xfc)
  }

  /** The segments go with TOS `tos` and DF, unless the path MTU is locked (Sender.pmtuLocked). */
  private emitWith(tos: number): void {
    const df = !this.snd.pmtuLocked
    this.emitOptions = tos === 0 && df ? DF : { dontFragment: df, tos }
    this.emitOptionsEct = tos === 0 && df ? DF_ECT : { dontFragment: df, tos: tos | Ip.Ecn.Ect0 }
  }

  /** Octets of urgent data the application has not read yet (RFC 9293 MUST-33). */
  urgentPending(): number {
    return Receiver.urgentPending(this.rcv, this.reads.consumed)
  }

  /** Wait for the peer's urgent pointer to advance (RFC 9293 MUST-32); then the urgent octets not yet read. */
  nextUrgent(): Effect.Effect<number> {
    // (a connection that is over has no urgent pointer left to advance: at once, with what is pending)
    return Effect.suspend(() =>
      this.done
        ? Effect.sync(() => this.urgentPending())
        : Effect.map((this.urgentSignal ??= new Signal()).wait(), () => this.urgentPending())
    )
  }

  /** Octets the application may write before waiting. */
  room(): number {
    const held = this.written - this.taken + this.buffered
    // (no further than the stack-wide `high`, nor under pressure than the connection's fair share,
    // both sides together, but for its minimum: Memory.sendRoom)
    const m = this.snd.params.memory
    if (m === undefined) return this.snd.sendCapacity - held
    const received = this.released || this.readClosed ? 0 : this.bytesReceived - this.reads.consumed + this.rcv.ooo.octets
    return Memory.sendRoom(m, this.snd.sendCapacity - held, held, held + received)
  }

  /**
   * The connection counts among the stack's TCP sockets (`Memory.TcpMemory.sockets`, Linux's
   * tcp_sockets_allocated: the fair share's divisor) from now: made by the stack as it enters its
   * table (tcp_init_sock, sk_clone_lock).
   */
  countSocket(): void {
    const m = this.snd.params.memory
    if (m === undefined || this.socketCounted) return
    this.socketCounted = true
    m.sockets++
  }

  /**
   * It counts no more: it left the stack's table (its end, or its TIME-WAIT record), or as an orphan
   * in FIN-WAIT-2 it is what Linux holds as a timewait sock (tcp_v4_destroy_sock). Once.
   */
  uncountSocket(): void {
    const m = this.snd.params.memory
    if (m === undefined || !this.socketCounted) return
    this.socketCounted = false
    m.sockets--
    if (this.snd.appClosed) m.orphans--
  }

  /**
   * The application closed it, and it still counts as a socket: an orphan now (Linux's __tcp_close
   * counts it, tcp_orphan_count_inc, before its tcp_check_oom: Sender.closeByApp, which marks it
   * `appClosed`), until it is no socket (`uncountSocket`). Only at that close, which comes once (a
   * connection already closed never reaches it): no flag of its own.
   */
  private countOrphan(): void {
    const m = this.snd.params.memory
    if (m === undefined || !this.socketCounted || this.snd.appClosed) return
    m.orphans++
  }

  /** The stack-wide bound, not the send buffer, limits `room` now. */
  private memoryLimited(): boolean {
    return this.snd.params.memory !== undefined &&
      this.room() < this.snd.sendCapacity - (this.written - this.taken + this.buffered)
  }

  private teardown(): void {
    if (this.done) return
    this.done = true
    // (the send side and the out-of-order queue go with the connection; unread data stays charged until read)
    this.recharge()
    this.env.schedule(this, undefined)
    this.env.forget(this)
    const failure = this.snd.failure
    const error = failure === undefined ? undefined : toError(failure, this)
    if (error !== undefined) {
      this.opened = Signal.settle(this.opened, Exit.fail(error))
      this.closedSignal = Signal.settle(this.closedSignal, Exit.fail(error))
      this.incoming.done(Exit.fail(error))
    } else {
      // (an error captures a stack trace: only made when someone may still wait for the handshake)
      if (!this.isOpen) {
        this.opened = Signal.settle(
          this.opened,
          Exit.fail(new TcpError({ reason: "Closed", detail: `${describe(this)}: closed before it was established` }))
        )
      }
      this.closedSignal = Signal.settle(this.closedSignal, Exit.void)
      this.incoming.done(Exit.void)
    }
    if (this.writers !== undefined) this.writers.unsafeDone(Exit.void)
    // (a wait for the urgent pointer ends with the connection: it will not advance again)
    this.urgentSignal = Signal.settle(this.urgentSignal, Exit.void)
    this.arrivals.unsafeDone(Exit.void)
    this.events.unsafeDone(Exit.void)
  }

  /** Abort from outside the fibers (the stack or a listener is closing): RST now, then tear down. */
  abortNow(): Effect.Effect<void> {
    return Effect.suspend(() => {
      // (nobody reads what such a connection queued: it is no longer charged)
      this.released = true
      if (this.done) {
        this.recharge()
        return Effect.void
      }
      const out: Array<OutSegment> = []
      Sender.abort(this.snd, this.env.clock.unsafeCurrentTimeMillis(), out)
      return Effect.zipRight(this.transmit(out), Effect.sync(() => this.teardown()))
    })
  }

  // --- the application's side ----------------------------------------------

  write(data: Uint8Array): Effect.Effect<void, TcpError> {
    return this.put(this.own(data), false)
  }

  /** `data`, or a copy of its own where holding it would keep a much larger buffer alive (SendBuffer.own: judged on the whole write, before `put` cuts it into pieces). */
  private own(data: Uint8Array): Uint8Array {
    return SendBuffer.own(data, this.written - this.taken + this.buffered)
  }

  /**
   * Queue `data` as room comes; with `urgent`, its last piece goes as urgent data (see Sender.write).
   * `taken`: octets of the same write queued before (a failure then names them: `written`).
   */
  private put(data: Uint8Array, urgent: boolean, taken = 0): Effect.Effect<void, TcpError> {
    return Effect.suspend(() => {
      if (this.done) return Effect.fail(partly(this.failure() ?? closed(this, "the connection is closed"), taken))
      if (this.writeClosed) {
        return Effect.fail(partly(closed(this, this.readClosed ? "the connection was closed" : "the connection was ended for writing"), taken))
      }
      // nothing to queue: done, full buffer or not (as write(2) of 0 octets returns 0 at once)
      if (data.length === 0) return Effect.void
      const room = this.room()
      // a piece worth a wake-up: the whole rest, or a quarter of the buffer (at most 64 KiB)
      // (held back by the stack-wide bound, its minimum's worth: one whose send side is empty goes on)
      const piece = Math.max(1, Math.min(data.length, this.snd.sendCapacity >> 2, 65536))
      const need = this.memoryLimited() ? Math.min(piece, Memory.MIN_SEND) : piece
      if (room < need) {
        const w = (this.writers ??= new Signal())
        if (need < this.writersNeed) this.writersNeed = need
        return Effect.zipRight(w.wait(), this.put(data, urgent, taken))
      }
      const n = Math.min(room, data.length)
      this.written += n
      this.recharge()
      this.events.unsafeOffer(
        // (two literals, not a spread of `{}` or `{ urgent }`: a spread makes an object per write)
        n === data.length
          ? urgent ? { _tag: "Write", data, urgent: true } : { _tag: "Write", data }
          : { _tag: "Write", data: data.subarray(0, n) }
      )
      return n === data.length ? Effect.void : this.put(data.subarray(n), urgent, taken + n)
    })
  }

  /**
   * Write `data` and mark it urgent (RFC 9293 §3.8.5): the urgent pointer goes
   * to its last octet's successor, marked before the data goes (no data: what
   * was written so far is marked).
   */
  writeUrgent(data: Uint8Array): Effect.Effect<void, TcpError> {
    if (data.length > 0) return this.put(this.own(data), true)
    return Effect.zipRight(
      this.write(data),
      Effect.suspend(() => {
        if (this.done) return Effect.fail(this.failure() ?? closed(this, "the connection is closed"))
        this.events.unsafeOffer(URGENT)
        return Effect.void
      })
    )
  }

  end(): Effect.Effect<void> {
    return Effect.sync(() => {
      if (this.writeClosed || this.done) return
      this.writeClosed = true
      this.events.unsafeOffer({ _tag: "End" })
      // a write waiting for room fails now (EPIPE), not once room comes or the connection ends: the
      // writing side is over (Linux's sk_stream_wait_memory, on SEND_SHUTDOWN). What it put in goes
      this.wakeWriters()
    })
  }

  close(): Effect.Effect<void> {
    return Effect.sync(() => {
      if (this.done) {
        // (what it left unread is let go with it)
        this.readClosed = true
        this.recharge()
        return
      }
      this.writeClosed = true
      this.readClosed = true
      this.events.unsafeOffer({ _tag: "Close" })
      this.recharge()
      // (a waiting write fails now, as at `end`)
      this.wakeWriters()
    })
  }

  abort(): Effect.Effect<void> {
    return Effect.sync(() => {
      // (what it left unread is let go with it, as by a close)
      this.released = true
      if (this.done) {
        this.recharge()
        return
      }
      this.writeClosed = true
      this.events.unsafeOffer({ _tag: "Abort" })
    })
  }

  setNoDelay(on: boolean): Effect.Effect<void> {
    return Effect.sync(() => {
      this.events.unsafeOffer({ _tag: "NoDelay", on })
    })
  }

  setKeepalive(idle: number | undefined): Effect.Effect<void> {
    return Effect.sync(() => {
      this.events.unsafeOffer({ _tag: "Keepalive", idle })
    })
  }

  /** the user timeout, ms (0: off), for the send half, which owns the timers (TCP_USER_TIMEOUT) */
  setUserTimeout(ms: number): Effect.Effect<void> {
    return Effect.sync(() => {
      this.events.unsafeOffer({ _tag: "UserTimeout", ms })
    })
  }

  /** The application took `n` octets: count them, and let the send half consider a window update. */
  consumed(n: number): void {
    if (n === 0) return
    // (caught up: the store small payloads were copied into goes with the views the reader took)
    if (this.smallStore !== undefined && this.incoming.size === 0) this.smallStore = undefined
    const before = this.reads.consumed
    this.reads.consumed += n
    this.recharge()
    // Only reads that may open the window meaningfully wake the send half (it decides; see Sender.onRead):
    // the read that lets the edge move a step past the one last announced, then one per step more.
    // (the step and the edge are the send half's: published, read here, never written)
    const step = Sender.windowStep(this.snd)
    const from = Sender.readWakeFrom(this.snd)
    const now = this.reads.consumed
    // (and the read that empties the buffer when data that ended a write waits for its ACK)
    if (
      (now >= from && (before < from || Math.floor((before - from) / step) !== Math.floor((now - from) / step))) ||
      (this.incoming.size === 0 && Sender.pushedAckOnRead(this.snd)) ||
      // (and every read while the window is shut for memory: the send half reopens it as soon as it can;
      // also the first read after a refusal whose window of 0 the send half has not sent yet, the reader
      // having run first: that ACK goes before this read reaches the send half, which then reopens the
      // window, as Linux's tcp_cleanup_rbuf after the NOMEM ACK. Without it, nothing but the peer's
      // probe would reopen a window shut after the reader had taken everything)
      this.snd.memShut || this.memRefused
    ) {
      this.memRefused = false
      this.events.unsafeOffer(READ)
    }
  }

  /**
   * The next chunk of data, or None at the end of the stream; waits while
   * none is queued. Each reader takes one chunk, in order (several readers
   * share the data: none lost, none twice).
   */
  read(): Effect.Effect<Option.Option<Uint8Array>, TcpError> {
    const chunk = this.incoming.take()
    if (chunk !== undefined) {
      this.consumed(chunk.length)
      return Effect.succeed(Option.some(chunk))
    }
    const end = this.incoming.end
    if (end === undefined) return Effect.flatMap(this.incoming.wait(), () => this.read())
    return end._tag === "Success" ? NOTHING : Effect.fail(endError(end, this))
  }

  /**
   * What is queued, up to `max` octets, as one chunk (at least the oldest
   * chunk, however long), or None at the end; waits while none is queued.
   * read(2) into a buffer of `max`: a reader that takes what came per call,
   * as Node's sockets do (64 KiB a read), gets a few large chunks where
   * `read` would give one per segment. Several chunks are copied together;
   * one alone is given as it is.
   */
  readUpTo(max: number): Effect.Effect<Option.Option<Uint8Array>, TcpError> {
    const first = this.incoming.take()
    if (first !== undefined) {
      let next = this.incoming.peek()
      if (next === undefined || first.length + next.length > max) {
        this.consumed(first.length)
        return Effect.succeed(Option.some(first))
      }
      const parts = [first]
      let n = first.length
      while (next !== undefined && n + next.length <= max) {
        parts.push(this.incoming.take()!)
        n += next.length
        next = this.incoming.peek()
      }
      const out = new Uint8Array(n)
      let o = 0
      for (const p of parts) {
        out.set(p, o)
        o += p.length
      }
      this.consumed(n)
      return Effect.succeed(Option.some(out))
    }
    const end = this.incoming.end
    if (end === undefined) return Effect.flatMap(this.incoming.wait(), () => this.readUpTo(max))
    return end._tag === "Success" ? NOTHING : Effect.fail(endError(end, this))
  }

  /** Every chunk queued (at least one), for a stream's pull; fails with None at the end. */
  private readAll(): Effect.Effect<Chunk.Chunk<Uint8Array>, Option.Option<TcpError>> {
    const chunks = this.incoming.takeAll()
    if (chunks.length > 0) {
      let n = 0
      for (const c of chunks) n += c.length
      this.consumed(n)
      return Effect.succeed(Chunk.unsafeFromArray(chunks))
    }
    const end = this.incoming.end
    if (end === undefined) return Effect.flatMap(this.incoming.wait(), () => this.readAll())
    return Effect.fail(end._tag === "Success" ? Option.none() : Option.some(endError(end, this)))
  }

  stream(): Stream.Stream<Uint8Array, TcpError> {
    return Stream.repeatEffectChunkOption(Effect.suspend(() => this.readAll()))
  }

  failure(): TcpError | undefined {
    const f = this.snd.failure
    return f === undefined ? undefined : toError(f, this)
  }

  info(): ConnectionInfo {
    const s = this.snd
    const c = Sender.counters(s)
    return {
      state: s.state,
      srtt: s.rtt.srtt,
      rto: s.rtt.rto,
      cwnd: s.cc.cwnd,
      ssthresh: s.cc.ssthresh,
      mss: s.mss,
      sndWnd: s.sndWnd,
      segmentsSent: s.segmentsSent,
      retransmits: c.retransmits,
      fastRetransmits: c.fastRetransmits,
      tailProbes: c.tailProbes,
      dsackUndos: c.undos,
      spuriousTimeouts: c.spuriousTimeouts,
      eifelUndos: c.eifelUndos,
      ecn: s.ecnOk,
      ecnReductions: c.ecnReductions,
      hystartExits: s.cc.hystart?.delayExits ?? 0,
      timeouts: c.timeouts,
      sackReneges: c.reneges,
      bytesAcked: Math.max(0, this.taken - s.buffer.length),
      bytesWritten: this.written,
      bytesReceived: this.bytesReceived,
      arrivalsDropped: this.arrivalsDropped,
      timestamps: s.tsOk,
      softError: s.softError,
      sack: s.sackOk,
      sndShift: s.sndShift,
      rcvShift: s.rcvShift
    }
  }
}

const EMPTY = new Uint8Array(0)
const NOTHING: Effect.Effect<Option.Option<never>> = Effect.succeed(Option.none())

/** TCP sets DF (RFC 1191 path MTU discovery; segments are sized to fit, as Linux does). */
const DF: EmitOptions = { dontFragment: true }
const DF_ECT: EmitOptions = { dontFragment: true, tos: Ip.Ecn.Ect0 }

/**
 * How the checksum of a segment through `r` is made (RFC 9293 §3.1: it
 * covers the pseudo-header, the header and the payload): `Local` needs none
 * (we deliver it to ourselves and vouch for it, as Linux's lo does), a link
 * with checksum offload completes a partial one, else we sum the payload
 * where it lies. `Segmented` adds TSO: runs of segments go as one.
 */
export type ChecksumMode = "Local" | "Offload" | "Segmented" | "Software"

export const checksumMode = (ip: Ipv4Service, r: Route): ChecksumMode =>
  r._tag === "Local"
    ? "Local"
    : ip.offload.tcpSegmentation && ip.offload.checksum
    ? "Segmented"
    : ip.offload.checksum
    ? "Offload"
    : "Software"

/**
 * Write `repr`'s header in place and emit it with `payload` gathered after
 * it, the checksum made as `mode` says. `segmentSize` > 0 (with mode
 * `Segmented` only) sends a TSO segment that the link cuts into pieces of
 * that many payload octets. False when IPv4 could not send it. Connections
 * and the dealer's own answers (resets, SYN-ACKs, TIME-WAIT ACKs) all send
 * through here.
 */
export const emitSegment = (
  ip: Ipv4Service,
  tx: Tx,
  r: Route,
  repr: TcpWire.TcpRepr,
  payload: Uint8Array | ReadonlyArray<Uint8Array> | undefined,
  mode: ChecksumMode = checksumMode(ip, r),
  segmentSize = 0,
  options: EmitOptions = DF
): boolean => {
  const hl = TcpWire.headerLen(repr)
  const buf = ip.allocate(hl)
  const plen = payload === undefined ? 0 : frameLength(payload)
  let meta: number = TxMeta.none
  if (mode === "Software") {
    // pieces come only with TSO; a piece of odd length would shift the words after it
    const data = payload === undefined || payload instanceof Uint8Array ? payload : flatten(payload)
    TcpWire.writeHeader(buf, TRANSPORT_OFFSET, repr, plen, r.addressSum + TcpWire.PROTOCOL + hl + plen + (data === undefined ? 0 : Checksum.sum(data)))
  } else {
    TcpWire.writeHeader(buf, TRANSPORT_OFFSET, repr, plen, 0)
    if (mode !== "Local") {
      TcpWire.writePartialChecksum(buf, TRANSPORT_OFFSET, r.addressSum, hl + plen)
      meta = segmentSize > 0 ? TxMeta.segmented(segmentSize) : TxMeta.partialChecksum
    }
  }
  return ip.emit(tx, r, TcpWire.PROTOCOL, buf, buf.length, options, payload, meta) === undefined
}


const describe = (c: Conn): string => `${c.localPort} -> ${c.remotePort}`

const closed = (c: Conn, why: string) => new TcpError({ reason: "Closed", detail: `${describe(c)}: ${why}` })

/** `e` for a write of which `taken` octets were queued before it failed (none: `e` itself, shared). */
const partly = (e: TcpError, taken: number): TcpError =>
  taken === 0 ? e : new TcpError({ reason: e.reason, detail: e.detail, localPort: e.localPort, written: taken })

/** The error `incoming` ended with (teardown ends it with `Exit.fail` of the connection's error). */
const endError = (end: Exit.Exit<void, TcpError>, c: Conn): TcpError =>
  end._tag === "Failure" && end.cause._tag === "Fail" ? end.cause.error : closed(c, "the connection failed")

const toError = (f: Sender.Failure, c: Conn): TcpError => {
  switch (f) {
    case "Refused":
      return new TcpError({ reason: "ConnectionRefused", detail: `connection to port ${c.remotePort} refused` })
    case "Reset":
      return new TcpError({ reason: "ConnectionReset", detail: `${describe(c)}: connection reset by the peer` })
    case "ResetAfterFin":
      return new TcpError({ reason: "BrokenPipe", detail: `${describe(c)}: connection reset by the peer after its FIN` })
    case "TimedOut":
      return new TcpError({ reason: "TimedOut", detail: `${describe(c)}: the peer stopped answering` })
    case "Aborted":
      return new TcpError({ reason: "Closed", detail: `${describe(c)}: the connection was aborted` })
    default: {
      const [reason, said] = ICMP_ERRORS[f]
      return new TcpError({ reason, detail: `${describe(c)}: an ICMP error said ${said}` })
    }
  }
}

/**
 * The TcpError of each errno an ICMP error stands for (icmp/ErrorConvert.ts), with what it says:
 * the reason is named after the errno, as TcpError's are.
 */
const ICMP_ERRORS: { readonly [E in ErrorConvert.Errno]: readonly [TcpError["reason"], string] } = {
  ENETUNREACH: ["NetworkUnreachable", "the network is unreachable"],
  EHOSTUNREACH: ["HostUnreachable", "the host is unreachable"],
  ENOPROTOOPT: ["ProtocolNotAvailable", "the host does not run TCP (protocol unreachable)"],
  ECONNREFUSED: ["ConnectionRefused", "the port is unreachable"],
  EOPNOTSUPP: ["NotSupported", "the source route failed"],
  EHOSTDOWN: ["HostDown", "the host is unknown"],
  ENONET: ["NotOnNetwork", "this host is isolated"],
  EPROTO: ["ProtocolError", "a header of ours was bad (parameter problem)"]
}
