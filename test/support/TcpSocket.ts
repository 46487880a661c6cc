/**
 * One TCP connection's pure halves put together without fibers, for
 * smoltcp-style state-machine tests: the receive half takes a segment, its
 * report goes to the send half, and what the send half sends comes back.
 * The connection's fiber shell (src/tcp/Connection.ts) does exactly this
 * across two fibers; here every step takes an explicit `now`.
 */
import * as Handshake from "../../src/tcp/Handshake.js"
import * as Params from "../../src/tcp/Params.js"
import * as Receiver from "../../src/tcp/Receiver.js"
import * as Segment from "../../src/tcp/Segment.js"
import * as Sender from "../../src/tcp/Sender.js"
import * as Seq from "../../src/tcp/SeqNum.js"
import type * as TcpWire from "../../src/wire/TcpHeader.js"

export const LOCAL_PORT = 80
export const REMOTE_PORT = 49500
/** Near 2^32, so sequence numbers wrap during the tests. */
export const REMOTE_ISN = Seq.make(0xfffffff0)
export const LOCAL_ISN = Seq.make(0xffffff00)
export const MTU = 1500

export class TcpSocket {
  /** octets the application has read: the send half reads this counter (it places the window) */
  readonly reads: { consumed: number }
  /** in-order data handed to the application, not yet read */
  readonly received: Array<Uint8Array> = []
  constructor(readonly rcv: Receiver.Receiver, readonly snd: Sender.Sender) {
    this.reads = snd.reads
  }

  /** The peer's segments arrive (one batch) at `now`; returns what we send in answer. */
  send(now: number, ...segments: ReadonlyArray<Segment.Segment>): Array<Segment.OutSegment> {
    return this.sendLate(now, now, ...segments)
  }

  /**
   * The peer's segments arrive (one batch) at `arrived`, and the send half
   * gets round to the report only at `now` (a busy fiber): what we send then.
   */
  sendLate(arrived: number, now: number, ...segments: ReadonlyArray<Segment.Segment>): Array<Segment.OutSegment> {
    const report = Receiver.onBatch(this.rcv, segments, arrived, this.reads.consumed, this.snd.view)
    for (const d of report.data) this.received.push(d)
    const out: Array<Segment.OutSegment> = []
    Sender.onReport(this.snd, report, now, out)
    return out
  }

  /** Time passes to `now`: run the timers if the deadline is due. */
  tick(now: number): Array<Segment.OutSegment> {
    const out: Array<Segment.OutSegment> = []
    const at = Sender.deadline(this.snd)
    if (at !== undefined && at <= now) Sender.onTimer(this.snd, now, out)
    return out
  }

  write(now: number, data: Uint8Array | string): Array<Segment.OutSegment> {
    const out: Array<Segment.OutSegment> = []
    Sender.write(this.snd, typeof data === "string" ? new TextEncoder().encode(data) : data, now, out)
    return out
  }

  end(now: number): Array<Segment.OutSegment> {
    const out: Array<Segment.OutSegment> = []
    Sender.end(this.snd, now, out)
    return out
  }

  /** The application closes for good (Sender.closeByApp): its end, and FIN-WAIT-2 will time out. */
  close(now: number): Array<Segment.OutSegment> {
    const out: Array<Segment.OutSegment> = []
    Sender.closeByApp(this.snd, now, out)
    return out
  }

  /** The application reads everything held; returns it, and what the read made us send. */
  read(now: number, max = Infinity): { data: Uint8Array; out: Array<Segment.OutSegment> } {
    const chunks: Array<Uint8Array> = []
    let n = 0
    while (this.received.length > 0 && n < max) {
      const c = this.received[0]!
      if (n + c.length <= max) {
        chunks.push(c)
        n += c.length
        this.received.shift()
      } else {
        chunks.push(c.subarray(0, max - n))
        this.received[0] = c.subarray(max - n)
        n = max
      }
    }
    const data = new Uint8Array(n)
    let o = 0
    for (const c of chunks) {
      data.set(c, o)
      o += c.length
    }
    this.reads.consumed += n
    const out: Array<Segment.OutSegment> = []
    Sender.onRead(this.snd, now, out)
    return { data, out }
  }

  get state(): Sender.State {
    return this.snd.state
  }
}

export interface Options {
  readonly params?: Partial<Params.TcpParams>
  /** the peer's SYN options */
  readonly peerOptions?: TcpWire.TcpOptions
  /** control bits the peer's SYN carries besides SYN (ECE | CWR: an ECN-setup SYN) */
  readonly peerSynFlags?: number
  readonly peerWindow?: number
  readonly now?: number
  /** our SYN-ACK had to be sent again (established): the handshake gives no RTT sample (Karn) */
  readonly synAckRetransmitted?: boolean
  /** our timestamp offset towards the peer (`Negotiation.tsOffset`; synSent only) */
  readonly tsOffset?: number
  /** TS.Recent taken from a TIME-WAIT the connect took over, and when it was recorded (synSent only) */
  readonly inherited?: { readonly tsRecent: number; readonly at: number }
  /** the MTU towards the peer (established only; MTU by default) */
  readonly mtu?: number
}

export const params = (p?: Partial<Params.TcpParams>): Params.TcpParams => ({ ...Params.defaults, ...p })

/** The peer's SYN. */
export const peerSyn = (o: Options = {}): Segment.Segment =>
  Segment.make({
    seq: REMOTE_ISN,
    flags: Segment.SYN | (o.peerSynFlags ?? 0),
    window: o.peerWindow ?? 64240,
    options: o.peerOptions ?? { sackPermitted: false }
  })

/**
 * A connection in ESTABLISHED after a passive open (the listener's handshake
 * with the peer's SYN carrying `peerOptions`, none by default): RCV.NXT =
 * REMOTE_ISN + 1, SND.NXT = LOCAL_ISN + 1.
 */
export const established = (o: Options = {}): TcpSocket => {
  const p = params(o.params)
  const now = o.now ?? 0
  const h = Handshake.halfOpen(p, { localPort: LOCAL_PORT, remotePort: REMOTE_PORT }, peerSyn(o), LOCAL_ISN, o.mtu ?? MTU, now)
  if (o.synAckRetransmitted === true) h.retries = 1
  const v = Handshake.inSynReceived(
    p,
    h,
    Segment.make({
      seq: Seq.add(REMOTE_ISN, 1),
      ack: Seq.add(LOCAL_ISN, 1),
      flags: Segment.ACK,
      window: o.peerWindow ?? 64240,
      ...(h.tsOk ? { options: { sackPermitted: false, timestamp: { value: 2, echo: Sender.tsClock(now) } } } : {})
    }),
    now
  )
  if (v._tag !== "Established") throw new Error(`handshake: ${v._tag}`)
  const n = v.negotiated
  const reads = { consumed: 0 }
  const rcv = Receiver.open(p, n, now)
  const snd = Sender.established(p, n, reads, now)
  return new TcpSocket(rcv, snd)
}

/** A connection in SYN-SENT: our SYN went out at `now` (returned as `syn`). */
export const synSent = (o: Options = {}): { socket: TcpSocket; syn: Segment.OutSegment } => {
  const p = params(o.params)
  const now = o.now ?? 0
  const reads = { consumed: 0 }
  const out: Array<Segment.OutSegment> = []
  const snd = Sender.connect(p, { localPort: LOCAL_PORT, remotePort: REMOTE_PORT }, LOCAL_ISN, MTU, reads, now, out, o.tsOffset ?? 0)
  const rcv = Receiver.synSent(p, LOCAL_ISN, o.inherited)
  return { socket: new TcpSocket(rcv, snd), syn: out[0]! }
}

/** A segment from the peer in an established connection: seq/ack relative to the ISNs (+1 for the SYNs). */
export const fromPeer = (
  fields: {
    readonly seq?: number
    readonly ack?: number
    readonly flags?: number
    readonly window?: number
    readonly payload?: Uint8Array | string
    readonly options?: TcpWire.TcpOptions
    /** the urgent pointer field (with URG in `flags`) */
    readonly urgent?: number
    /** its IP header said CE (RFC 3168) */
    readonly ce?: boolean
    /** its IP header said ECT(0) or ECT(1) (true) or Not-ECT (false); unset: not said, as a dealer that reads only CE */
    readonly ect?: boolean
    /** it came as a GSO aggregate of segments this long (the virtio-net header's gso_size, Segment.gsoSize) */
    readonly gsoSize?: number
  }
): Segment.Segment =>
  Segment.make({
    ce: fields.ce ?? false,
    ect: fields.ect,
    gsoSize: fields.gsoSize ?? 0,
    urgent: fields.urgent ?? 0,
    seq: Seq.add(REMOTE_ISN, 1 + (fields.seq ?? 0)),
    ack: Seq.add(LOCAL_ISN, 1 + (fields.ack ?? 0)),
    flags: fields.flags ?? Segment.ACK,
    window: fields.window ?? 64240,
    options: fields.options ?? { sackPermitted: false },
    payload: typeof fields.payload === "string" ? new TextEncoder().encode(fields.payload) : fields.payload ?? Segment.EMPTY
  })

/** Our sequence number relative to LOCAL_ISN + 1, and the peer's relative to REMOTE_ISN + 1. */
export const ourSeq = (s: Segment.OutSegment): number => Seq.sub(s.seq, Seq.add(LOCAL_ISN, 1))
export const ourAck = (s: Segment.OutSegment): number => Seq.sub(s.ack, Seq.add(REMOTE_ISN, 1))
export const text = (b: Uint8Array | undefined): string => (b === undefined ? "" : new TextDecoder().decode(b))

/** Timestamps option (RFC 7323) for a peer segment. */
export const ts = (value: number, echo: number): TcpWire.TcpOptions => ({ sackPermitted: false, timestamp: { value, echo } })

const FLAG_NAMES: ReadonlyArray<readonly [number, string]> = [
  [Segment.SYN, "SYN"],
  [Segment.RST, "RST"],
  [Segment.FIN, "FIN"],
  [Segment.PSH, "PSH"],
  [Segment.ACK, "ACK"],
  [Segment.ECE, "ECE"],
  [Segment.CWR, "CWR"]
]

/** The control bits as a string, e.g. "FIN|PSH|ACK". */
export const flagNames = (flags: number): string =>
  FLAG_NAMES.filter(([f]) => (flags & f) !== 0).map(([, n]) => n).join("|")

/**
 * A segment we sent, as a test compares it: seq/ack relative (ourSeq/ourAck;
 * ack undefined without the ACK flag), flags by name, the window field as
 * sent, the options, and the payload as text (`len` its length).
 */
export interface Seen {
  readonly seq: number
  readonly ack: number | undefined
  readonly flags: string
  readonly window: number
  readonly options: TcpWire.TcpOptions
  readonly len: number
  readonly data: string
}

export const seen = (s: Segment.OutSegment): Seen => ({
  seq: ourSeq(s),
  ack: (s.flags & Segment.ACK) !== 0 ? ourAck(s) : undefined,
  flags: flagNames(s.flags),
  window: s.window,
  options: s.options,
  len: s.payload?.length ?? 0,
  data: text(s.payload)
})

/** Every segment in `out`, seen. */
export const seenAll = (out: ReadonlyArray<Segment.OutSegment>): Array<Seen> => out.map(seen)

/** `n` octets of a repeating a-z pattern (octet `i` of a stream is letter i mod 26), so misplaced octets show. */
export const octets = (n: number, from = 0): Uint8Array => {
  const b = new Uint8Array(n)
  for (let i = 0; i < n; i++) b[i] = 97 + ((from + i) % 26)
  return b
}

/** As `octets`, as the text `seen` renders. */
export const octetsText = (n: number, from = 0): string => text(octets(n, from))
