/**
 * UDP (RFC 768, RFC 1122 §4.1): sockets over the IPv4 layer.
 *
 * - One dealer fiber takes batches of UDP datagrams from IPv4, verifies them
 *   (`Udp.parse`: length, checksum, a zero checksum accepted), and deals them
 *   to the bound sockets, one batch per socket per IPv4 batch, as Linux's
 *   socket lookup chooses (`selectUnicast`, `takesBroadcast`): a unicast
 *   goes to one socket, a socket bound to its destination address before one
 *   bound to every address (`0.0.0.0`), a connected socket whose peer sent it
 *   before an unconnected one, and between equals the one bound last; a
 *   broadcast goes to every socket on the port that takes it. A datagram no
 *   socket takes gets ICMP port unreachable (RFC 1122 §4.1.3.1), which
 *   `Ipv4.icmpError` suppresses for broadcasts and rate-limits.
 * - A socket is bound to a port and to one address of ours or to every one
 *   (`BindOptions.address`). Two sockets whose addresses overlap (equal, or
 *   either every address) may share a port only when both set `reuseAddr`
 *   (SO_REUSEADDR: Linux's udp_lib_lport_inuse); else the second bind is
 *   `AddrInUse`. `connect` fixes a peer: only its datagrams arrive, and a
 *   socket bound to every address takes the route's source address as its
 *   own until `disconnect` (ip4_datagram_connect, __udp_disconnect), which
 *   also lets go of a port the stack chose: the next send or connect takes
 *   a fresh one (inet_autobind), as on Linux. A socket bound to a 127/8
 *   address reaches no other host: a send or connect to one is
 *   `LoopbackSource` (Linux's __mkroute_output: EINVAL).
 * - Each socket's receive side is bounded in datagrams (`queues.udpSocket` or
 *   the bind option), or, once `setReceiveBuffer` gave one, in octets as
 *   Linux's SO_RCVBUF bounds it (each datagram charged its payload and
 *   `DATAGRAM_OVERHEAD`); beyond it datagrams are dropped and counted, as a
 *   kernel's full socket buffer does. One fiber should read a socket.
 *   A datagram is queued as a view of the frame it came in, unless that
 *   frame's receive batch (one ArrayBuffer per link read: LinkTap's up to
 *   64 frames under 16 KiB) is larger than what the socket's datagrams from it are
 *   charged: then it is copied out (`unpin`), so what a socket holds stays
 *   within its charge however an attacker mixes its frames into batches.
 * - A datagram received carries its IPv4 TOS and options up to the
 *   application (RFC 1122 §3.2.1.6, §4.1.4).
 * - Per socket, as the socket options of RFC 1122 §4.1.4 and Linux: a send
 *   to a broadcast address is refused unless `setBroadcast(true)`
 *   (SO_BROADCAST: one program's mistake should not reach every host of
 *   the link), and `setTtl` and `setTos` set the TTL and TOS of what it
 *   sends (IP_TTL, IP_TOS: RFC 1122 §4.1.4, an application MUST be able to).
 * - `bind(port)` takes a given port or, with 0/undefined, an ephemeral one
 *   from 49152..65535 (RFC 6335 §6), searched from a random start drawn
 *   afresh for each bind (RFC 6056 §3.3.1, as Linux's `udp_lib_get_port`):
 *   an off-path attacker who saw one of our ports must not be able to guess
 *   the next (RFC 5452 §9.2 asks it of every DNS client, and a program over
 *   the Node adapter may be one). Closing the scope unbinds.
 * - Sending builds the 8-octet header in place behind the IPv4 headroom and
 *   sends the payload from where it is (a gather write): no copy of the
 *   payload, one checksum pass over it. `sendAll` sends many datagrams as one
 *   batch (one link call). DF as Linux's default for datagram sockets
 *   (IP_PMTUDISC_WANT): on a datagram that fits the path MTU towards its
 *   destination, while a larger one is fragmented to that MTU (RFC 1191;
 *   `Ipv4.EmitOptions`).
 * - ICMP errors about datagrams a socket sent (port unreachable, host
 *   unreachable, fragmentation needed, time exceeded: RFC 1122 §4.1.3.3, a
 *   MUST) reach that socket's error queue (`receiveError`, bounded by
 *   `queues.udpErrors`, dropping), as Linux's IP_RECVERR error queue does.
 *   A "fragmentation needed" about a bound socket's datagram also lowers the
 *   path MTU towards that address for the whole stack (`Ipv4.reportPathMtu`,
 *   as Linux's __udp4_lib_err updates the route).
 *
 * @since 0.1.0
 */
import { Chunk, Context, Data, Effect, Either, FiberRef, Layer, Mailbox } from "effect"
import type { Scope } from "effect"
import { Config } from "../Config.js"
import * as ErrorConvert from "../icmp/ErrorConvert.js"
import { type Route, routeFrom, Tx } from "../iface/Interface.js"
import { consumeBatches } from "../internal/Handoff.js"
import * as Trampoline from "../internal/Trampoline.js"
import { type EmitOptions, type IcmpReport, Ipv4, type Ipv4Packet, TRANSPORT_OFFSET } from "../ipv4/Ipv4.js"
import * as Checksum from "../wire/Checksum.js"
import * as IcmpWire from "../wire/IcmpMessage.js"
import * as Ip from "../wire/Ipv4Header.js"
import * as Addr from "../wire/Ipv4Addr.js"
import * as UdpWire from "../wire/UdpHeader.js"

/** The largest payload one IPv4 datagram can carry: 65535 - 20 - 8. */
export const MAX_PAYLOAD = Ip.MAX_PACKET_LEN - Ip.MIN_HEADER_LEN - UdpWire.HEADER_LEN

const EPHEMERAL_LOW = 49152
const EPHEMERAL_SPAN = 65536 - EPHEMERAL_LOW

/**
 * What a queued datagram costs a receive buffer beyond its payload: the
 * kernel charges an skb's truesize, about this much more than the payload
 * for a small datagram, so a buffer of N octets holds about as many small
 * datagrams here as on Linux. It also bounds what the datagram keeps alive
 * of its receive batch (`unpin`).
 */
export const DATAGRAM_OVERHEAD = 768

/** The most datagrams one socket queues, whatever its buffer (the bound behind the octet bound). */
const MAX_QUEUED = 1 << 16

/** @category models */
export interface Datagram {
  readonly src: Addr.Ipv4Addr
  readonly srcPort: number
  readonly dst: Addr.Ipv4Addr
  readonly dstPort: number
  readonly payload: Uint8Array
  /** the IPv4 TOS it came with (RFC 1122 §3.2.1.6: passed up to the transport, and here on) */
  readonly tos: number
  /** its IPv4 options as received, empty when none (RFC 1122 §4.1.4: UDP MUST pass them to the application) */
  readonly ipOptions: Uint8Array
}

/** A datagram to send. @category models */
export interface OutDatagram {
  readonly dst: Addr.Ipv4Addr
  readonly dstPort: number
  readonly payload: Uint8Array
}

/**
 * An ICMP error about a datagram this socket sent (RFC 1122 §4.1.3.3).
 * @category models
 */
export interface UdpErrorReport {
  readonly type: IcmpReport["type"]
  /** ICMP code: for destination unreachable 3 is port unreachable, 4 fragmentation needed */
  readonly code: number
  /** next-hop MTU of a fragmentation needed, else 0 */
  readonly mtu: number
  /** who sent the ICMP error */
  readonly reporter: Addr.Ipv4Addr
  /** where the datagram was going */
  readonly dst: Addr.Ipv4Addr
  readonly dstPort: number
}

/**
 * The errno a connected socket's next receive gives for `r`, or undefined
 * when the report is soft and a socket without IP_RECVERR never sees it
 * (Linux's __udp4_lib_err with icmp_err_convert's `fatal` column,
 * `ErrorConvert`). RFC 1122 §3.2.2.1 makes net and host unreachable (codes
 * 0, 1, 11, 12) and source route failed (5) transient; fragmentation needed
 * (4) updates the path MTU and is EMSGSIZE, hard under anything but
 * IP_PMTUDISC_DONT: a datagram socket's default, IP_PMTUDISC_WANT, sent the
 * datagram with DF (these sockets too); time exceeded is soft, a parameter
 * problem hard (EPROTO: __udp4_lib_err sets harderr for it, the quoted
 * header was bad). A client that moved on at a soft error (a DNS stub, an
 * application) would give up on a server that a route change or a retry
 * would still reach.
 */
export const hardErrno = (r: Pick<UdpErrorReport, "type" | "code">): string | undefined => {
  // (__udp4_lib_err's own case for code 4 when the socket is not IP_PMTUDISC_DONT)
  if (r.type === "DstUnreachable" && r.code === IcmpWire.DstUnreachableCode.FragmentationNeeded) return "EMSGSIZE"
  const e = ErrorConvert.convert(r.type, r.code)
  return e?.fatal === true ? e.errno : undefined
}

/** @category errors */
export class UdpError extends Data.TaggedError("UdpError")<{
  readonly reason:
    | "AddrInUse"
    /** a bind to an address that is not ours (Linux: EADDRNOTAVAIL) */
    | "AddrNotAvailable"
    | "NoEphemeralPorts"
    | "InvalidPort"
    | "MessageTooLong"
    | "NoRoute"
    | "FragmentationNeeded"
    /** to a broadcast address without `setBroadcast(true)` (Linux: EACCES) */
    | "BroadcastNotAllowed"
    /** a TTL outside 1..255, a TOS outside 0..255, a receive buffer below one octet */
    | "InvalidOption"
    /** from a socket bound to a 127/8 address to another host (Linux's __mkroute_output: EINVAL) */
    | "LoopbackSource"
  readonly detail: string
}> {
  override get message(): string {
    return this.detail
  }
}

/** @category models */
export interface UdpSocket {
  /**
   * the port bound; 0 after a `disconnect` let go of one the stack chose, until the next send or
   * `connect` takes another (Linux's __udp_disconnect and inet_autobind)
   */
  readonly port: number
  /** the next datagram, waiting if none is queued */
  readonly receive: Effect.Effect<Datagram>
  /** every datagram queued now, at least one (waits for the first) */
  readonly receiveBatch: Effect.Effect<ReadonlyArray<Datagram>>
  /** one datagram; the payload is sent from where it is and may be reused once this completes */
  readonly send: (dst: Addr.Ipv4Addr, dstPort: number, payload: Uint8Array) => Effect.Effect<void, UdpError>
  /** many datagrams in one batch, best effort: those that cannot go are counted in `sendFailed` */
  readonly sendAll: (datagrams: ReadonlyArray<OutDatagram>) => Effect.Effect<void>
  /** the next ICMP error about a datagram this socket sent, waiting if none is queued */
  readonly receiveError: Effect.Effect<UdpErrorReport>
  /** datagrams dropped because this socket's queue was full */
  readonly dropped: Effect.Effect<number>
  /** SO_BROADCAST: whether sends to a broadcast address may go (off when bound) */
  readonly setBroadcast: (on: boolean) => Effect.Effect<void>
  /** IP_TTL: the TTL of the datagrams this socket sends, 1..255 (the stack's `ttl` when bound) */
  readonly setTtl: (ttl: number) => Effect.Effect<void, UdpError>
  /** IP_TOS: the TOS (DiffServ field and ECN bits) of the datagrams this socket sends, 0..255 (0 when bound) */
  readonly setTos: (tos: number) => Effect.Effect<void, UdpError>
  /**
   * SO_RCVBUF: bound the receive queue by `octets` (each datagram charged
   * its payload and DATAGRAM_OVERHEAD) instead of a count of datagrams.
   */
  readonly setReceiveBuffer: (octets: number) => Effect.Effect<void, UdpError>
  /** the receive queue's bound in octets, undefined while it is a count of datagrams */
  readonly receiveBuffer: Effect.Effect<number | undefined>
  /** the address it takes datagrams for: `Addr.ANY` for every address of ours (getsockname's) */
  readonly localAddress: Effect.Effect<Addr.Ipv4Addr>
  /**
   * Fix the peer (connect(2) on a datagram socket): from then on only its datagrams arrive, and
   * a socket bound to every address takes the route's source address as its own. As Linux's
   * ip4_datagram_connect: `NoRoute` without a route to it, `BroadcastNotAllowed` for a broadcast
   * address without `setBroadcast(true)`; the peer is left as it was then.
   */
  readonly connect: (dst: Addr.Ipv4Addr, dstPort: number) => Effect.Effect<void, UdpError>
  /**
   * Forget the peer; an address the socket took at `connect` goes too (one named at bind stays),
   * and so does a port the stack chose (`port` is 0 until the next send or connect).
   */
  readonly disconnect: Effect.Effect<void>
}

/** @category models */
export interface UdpStats {
  readonly received: number
  readonly malformed: number
  readonly noPort: number
  readonly queueDropped: number
  readonly sent: number
  /** datagrams not sent: no route, too big, DF set and too big for the MTU */
  readonly sendFailed: number
  /** ICMP errors handed to a socket's error queue */
  readonly errorsReported: number
  /** ICMP errors for a port nobody has bound, or for a full error queue */
  readonly errorsDropped: number
  readonly bound: number
}

/** A socket's settings from the start (each also has its setter on `UdpSocket`). @category models */
export interface BindOptions {
  /** datagrams the receive queue holds (default `queues.udpSocket`) */
  readonly capacity?: number
  /** SO_BROADCAST from the start */
  readonly broadcast?: boolean
  /** IP_TTL from the start, 1..255 */
  readonly ttl?: number
  /** IP_TOS from the start, 0..255 */
  readonly tos?: number
  /** SO_RCVBUF from the start: the receive queue bounded in octets instead (`setReceiveBuffer`) */
  readonly receiveBuffer?: number
  /** the address to take datagrams for: one of ours (the stack's, 127/8, a broadcast address of its subnet); `Addr.ANY` or absent, every one */
  readonly address?: Addr.Ipv4Addr
  /** SO_REUSEADDR: share the address and port with sockets that set it too */
  readonly reuseAddr?: boolean
}

/** @category models */
export interface UdpService {
  readonly bind: (
    port?: number,
    options?: BindOptions
  ) => Effect.Effect<UdpSocket, UdpError, Scope.Scope>
  readonly stats: Effect.Effect<UdpStats>
}

/** @category tags */
export class Udp extends Context.Tag("gonet/Udp")<Udp, UdpService>() {}

/** A bound socket's place in the table: what the dealer and the binds see of it. */
interface Binding {
  /** the address it takes datagrams for, `Addr.ANY` for every one (Linux's inet_rcv_saddr) */
  local: Addr.Ipv4Addr
  /** `local` was named at bind, so a disconnect keeps it (SOCK_BINDADDR_LOCK) */
  readonly named: boolean
  /** SO_REUSEADDR */
  readonly reuse: boolean
  /** the peer once connected (inet_daddr, inet_dport), else undefined */
  peer: Addr.Ipv4Addr | undefined
  peerPort: number
  readonly queue: Mailbox.Mailbox<ReadonlyArray<Datagram>>
  readonly errors: Mailbox.Mailbox<UdpErrorReport>
  /** datagrams that may be queued */
  capacity: number
  /** octets (payload and DATAGRAM_OVERHEAD each) that may be queued, or Infinity */
  octets: number
  /** datagrams queued and not yet taken */
  queued: number
  /** their octets, as `octets` counts them */
  queuedOctets: number
  dropped: number
}

/** What a socket sends with. */
interface SendOptions {
  broadcast: boolean
  /** undefined: the stack's */
  ttl: number | undefined
  tos: number
  /** what IPv4 gets for them (`emitOptionsOf`), made when they change, not per datagram */
  emit: EmitOptions | undefined
}

const cost = (d: Datagram): number => d.payload.length + DATAGRAM_OVERHEAD

/** what a datagram without IP options has for them: one empty view for all */
const NO_IP_OPTIONS = new Uint8Array(0)

/**
 * Copy out of their receive batch those of `ds` (one socket's datagrams of
 * one wake-up, queued as views) whose batch is larger than what they are
 * charged: payload and `DATAGRAM_OVERHEAD` each, summed over the socket's
 * datagrams from that batch. So a socket holds no more than its charge,
 * whoever else's frames shared the batch (one datagram per batch among
 * others' frames is copied: up to 64 frames, or 1 MiB with TCP aggregates,
 * would otherwise stay alive per datagram), while a flood that fills its
 * batches for one socket is queued as it came. Linux charges each skb its
 * truesize against the socket's buffer (and clones a shared one), which
 * DATAGRAM_OVERHEAD stands for; this keeps it true. A batch's views stay
 * alive until the last of them is read: the reader takes in order, so at
 * most one batch is part read at a time.
 */
const unpin = (ds: Array<Datagram>): void => {
  let seen: ArrayBufferLike | undefined
  let covered = true
  for (let i = 0; i < ds.length; i++) {
    const d = ds[i]!
    const buffer = d.payload.buffer
    if (buffer !== seen) {
      seen = buffer
      covered = chargedFrom(ds, buffer) >= buffer.byteLength
    }
    if (!covered) ds[i] = detached(d)
  }
}

/** What `ds` are charged for their datagrams whose payload is a view into `buffer`. */
const chargedFrom = (ds: ReadonlyArray<Datagram>, buffer: ArrayBufferLike): number => {
  let n = 0
  for (let i = 0; i < ds.length; i++) if (ds[i]!.payload.buffer === buffer) n += cost(ds[i]!)
  return n
}

/** `d` with its IPv4 options and payload copied into one buffer of their own. */
const detached = (d: Datagram): Datagram => {
  const o = d.ipOptions.length
  const own = new Uint8Array(o + d.payload.length)
  own.set(d.ipOptions, 0)
  own.set(d.payload, o)
  return { ...d, payload: own.subarray(o), ipOptions: o === 0 ? NO_IP_OPTIONS : own.subarray(0, o) }
}

/**
 * DF as Linux's datagram sockets set it by default (IP_PMTUDISC_WANT: `Ipv4.EmitOptions`): on a
 * datagram that fits the path MTU, so that a narrower path says so and the next ones are cut to it
 * here; a larger one is fragmented to the path MTU. (The kernel's own UDP goes with DF:
 * test/fixtures/goldens.ts UDP_DATAGRAM)
 */
const WANT_PMTU: EmitOptions = { dontFragment: "Want" }

/** the IPv4 options a socket's datagrams go with */
const emitOptionsOf = (o: { readonly ttl: number | undefined; readonly tos: number }): EmitOptions =>
  o.ttl === undefined && o.tos === 0
    ? WANT_PMTU
    : { ...(o.ttl === undefined ? {} : { ttl: o.ttl }), tos: o.tos, dontFragment: "Want" }

/** Each socket option's range (a receive buffer has no upper bound but the octets it may hold). */
const OPTION_RANGES = { TTL: [1, 255], TOS: [0, 255], "receive buffer": [1, Number.MAX_SAFE_INTEGER] } as const

/** Why `value` cannot be the socket option `name` (undefined: it can, or it was not given). */
const optionError = (name: keyof typeof OPTION_RANGES, value: number | undefined): UdpError | undefined => {
  if (value === undefined) return undefined
  const [min, max] = OPTION_RANGES[name]
  return Number.isInteger(value) && value >= min && value <= max
    ? undefined
    : new UdpError({
      reason: "InvalidOption",
      detail: `${name} ${value} is not ${max === Number.MAX_SAFE_INTEGER ? `${min} or more` : `${min}..${max}`}`
    })
}

/** Set an option after checking it. */
const setChecked = (name: keyof typeof OPTION_RANGES, value: number, set: () => void): Effect.Effect<void, UdpError> => {
  const bad = optionError(name, value)
  return bad === undefined ? Effect.sync(set) : Effect.fail(bad)
}

/** What the table needs of a socket to choose it (`Binding`'s addressing). @category models */
export interface Addressed {
  readonly local: Addr.Ipv4Addr
  readonly reuse: boolean
  readonly peer: Addr.Ipv4Addr | undefined
  readonly peerPort: number
}

/**
 * Whether a socket bound to `local` (ANY: every address), SO_REUSEADDR `reuse`, may not join
 * `others`, the sockets on its port (Linux's udp_lib_lport_inuse): one of them whose address
 * overlaps it (the same, or either is every address), unless both set SO_REUSEADDR.
 */
export const inUse = (others: ReadonlyArray<Addressed>, local: Addr.Ipv4Addr, reuse: boolean): boolean =>
  others.some((b) => !(b.reuse && reuse) && (b.local === Addr.ANY || local === Addr.ANY || b.local === local))

/** Linux's compute_score, less what is equal here for every socket: -1 no match, 1 its peer sent it, 0 unconnected. */
const score = (b: Addressed, src: Addr.Ipv4Addr, srcPort: number): number =>
  b.peer === undefined ? 0 : b.peer === src && b.peerPort === srcPort ? 1 : -1

/** The best-scoring socket bound to exactly `local`; between equals the first (udp4_lib_lookup2 takes a higher score only). */
const best = <B extends Addressed>(port: ReadonlyArray<B>, local: Addr.Ipv4Addr, src: Addr.Ipv4Addr, srcPort: number): B | undefined => {
  let found: B | undefined
  let top = -1
  for (const b of port) {
    if (b.local !== local) continue
    const s = score(b, src, srcPort)
    if (s > top) {
      found = b
      top = s
    }
  }
  return found
}

/**
 * The socket a unicast from `src`:`srcPort` to `dst` goes to, among `port`, the sockets on its
 * destination port, newest first (Linux's __udp4_lib_lookup): those bound to `dst` itself
 * first, and only when none takes it those bound to every address; among them a connected
 * socket whose peer sent it before an unconnected one, one connected to another peer never, and
 * between equals the one bound last (udp_lib_get_port puts a socket at the head of its chain).
 */
export const selectUnicast = <B extends Addressed>(
  port: ReadonlyArray<B>,
  src: Addr.Ipv4Addr,
  srcPort: number,
  dst: Addr.Ipv4Addr
): B | undefined => {
  // (one socket on the port, the usual case and a flood's: one look, not two passes)
  if (port.length === 1) {
    const b = port[0]!
    return (b.local === dst || b.local === Addr.ANY) && score(b, src, srcPort) >= 0 ? b : undefined
  }
  return best(port, dst, src, srcPort) ?? best(port, Addr.ANY, src, srcPort)
}

/**
 * Whether `b` takes a broadcast from `src`:`srcPort` to `dst` (Linux's __udp4_lib_mcast_deliver,
 * __udp_is_mcast_sock: every socket on the port bound to every address or to `dst`, unless
 * connected to another peer; a socket bound to a unicast address hears none).
 */
export const takesBroadcast = (b: Addressed, src: Addr.Ipv4Addr, srcPort: number, dst: Addr.Ipv4Addr): boolean =>
  (b.local === Addr.ANY || b.local === dst) && score(b, src, srcPort) >= 0

/** @category constructors */
export const make = Effect.gen(function*() {
  const config = yield* Config
  const ip = yield* Ipv4
  // the sockets on each port, newest first (a connect or disconnect that changes a socket's
  // address puts it first again, as Linux's rehash puts it at the head of its new chain)
  const ports = new Map<number, Array<Binding>>()
  let bound = 0
  // a socket's queues are made on the stack's scheduler (its runner, under Stack.layer), whoever binds:
  // a Mailbox releases its waiting reader through a task on the scheduler it was made on
  const runner = yield* FiberRef.get(FiberRef.currentScheduler)
  const c = { received: 0, malformed: 0, noPort: 0, queueDropped: 0, sent: 0, sendFailed: 0, errorsReported: 0, errorsDropped: 0 }

  // The quote's first octets are our source port, then the destination port.
  yield* ip.onIcmpError(Ip.Protocol.UDP, (r) => {
    // RFC 792 quotes at least 8 octets (the ICMP layer checked): both ports are there. The
    // socket is the one a reply from the datagram's destination would reach (__udp4_lib_err looks
    // it up reversed, to the quoted source: a socket bound to one address of ours sends from it
    // to another, whose route's source may differ).
    const dstPort = UdpWire.dstPortAt(r.transport, 0)
    const port = ports.get(UdpWire.srcPortAt(r.transport, 0))
    const b = port === undefined ? undefined : selectUnicast(port, r.dst, dstPort, r.src)
    // a redirect: ours when a socket is found (Linux's __udp4_lib_err runs ipv4_sk_redirect only
    // then, and reports nothing to the socket)
    if (r.type === "Redirect") return b !== undefined
    const report: UdpErrorReport = {
      type: r.type,
      code: r.code,
      mtu: r.mtu,
      reporter: r.reporter,
      dst: r.dst,
      dstPort
    }
    if (b !== undefined && b.errors.unsafeOffer(report)) c.errorsReported++
    else c.errorsDropped++
    // a path MTU a router named for a datagram a socket of ours sent holds for the address (Linux's
    // __udp4_lib_err: ipv4_sk_update_pmtu, once it found the socket; a port nobody holds is no proof)
    if (b !== undefined && r.type === "DstUnreachable" && r.code === IcmpWire.DstUnreachableCode.FragmentationNeeded) {
      ip.reportPathMtu(r.dst, r.mtu)
    }
    return b !== undefined
  })

  /**
   * Whether a socket bound to `local` would send through `r` from a 127/8 address to another host:
   * a loopback source never leaves the host (RFC 1122 §3.2.1.3 (g)), so Linux's __mkroute_output
   * refuses the route (EINVAL) to sendto and to connect alike.
   */
  const loopbackToHost = (local: Addr.Ipv4Addr, r: Route): boolean =>
    local >>> 24 === 127 && (r._tag === "Direct" || r._tag === "Gateway")
  const loopbackSource = (local: Addr.Ipv4Addr, dst: Addr.Ipv4Addr) =>
    new UdpError({ reason: "LoopbackSource", detail: `a socket bound to ${Addr.format(local)} cannot reach ${Addr.format(dst)}, another host` })

  /** Whether `a` is a broadcast address of ours: the limited one, or our subnet's (RTN_BROADCAST). */
  const isOurBroadcast = (a: Addr.Ipv4Addr): boolean =>
    a === Addr.BROADCAST || (config.prefixLength < 31 && a === Addr.broadcastOf(config.address, config.prefixLength))

  /**
   * Build one datagram into `tx`: the header in a small buffer behind the
   * IPv4 headroom, the payload gathered from where it is, the checksum summed
   * once over both (RFC 768).
   */
  const emitInto = (tx: Tx, srcPort: number, local: Addr.Ipv4Addr, d: OutDatagram, o: SendOptions): UdpError | undefined => {
    if (!Number.isInteger(d.dstPort) || d.dstPort < 1 || d.dstPort > 65535) {
      return new UdpError({ reason: "InvalidPort", detail: `UDP port ${d.dstPort} is not in 1..65535` })
    }
    if (d.payload.length > MAX_PAYLOAD) {
      return new UdpError({
        reason: "MessageTooLong",
        detail: `UDP payload of ${d.payload.length} octets exceeds ${MAX_PAYLOAD}`
      })
    }
    const routed = ip.route(d.dst)
    if (routed === undefined) return new UdpError({ reason: "NoRoute", detail: `no route to ${Addr.format(d.dst)}` })
    if (routed._tag === "Broadcast" && !o.broadcast) {
      return new UdpError({ reason: "BroadcastNotAllowed", detail: `${Addr.format(d.dst)} is a broadcast address and the socket's broadcast option is off` })
    }
    if (loopbackToHost(local, routed)) return loopbackSource(local, d.dst)
    // a socket with an address of its own sends from it (udp_sendmsg's saddr = inet_saddr), so that
    // the answer comes back to it: between two addresses of ours, where the route's source is the
    // destination's (127.x) or the stack's, that may be another one. Not one bound to a broadcast
    // address: that one only receives on it, and sends from the route's (inet_bind: inet_saddr = 0)
    const r = local === Addr.ANY || routed._tag !== "Local" || routed.src === local || isOurBroadcast(local)
      ? routed
      : routeFrom(routed, local)
    const length = UdpWire.HEADER_LEN + d.payload.length
    const buf = ip.allocate(UdpWire.HEADER_LEN)
    const sum = Checksum.sum(d.payload, r.addressSum + Ip.Protocol.UDP + length)
    UdpWire.writeHeader(buf, TRANSPORT_OFFSET, srcPort, d.dstPort, length, sum)
    // Cannot be refused: the size check above keeps the datagram within
    // 65535 octets, and DF goes only on one that fits, so a large one is fragmented.
    ip.emit(tx, r, Ip.Protocol.UDP, buf, buf.length, o.emit, d.payload)
    c.sent++
    return undefined
  }

  /** One wake-up's datagrams, dealt at once, when called (by `consumeBatches`, in the dealer's fiber); what is left is the effect returned. */
  const deal = (batch: ReadonlyArray<Ipv4Packet>): Effect.Effect<void> => {
    const bySocket = new Map<Binding, Array<Datagram>>()
    let unreachable: Array<Ipv4Packet> | undefined
    /** queue the datagram at `at` for `b`, a copy of its payload when `copy` (another socket has the frame's) */
    const offer = (b: Binding, p: Ipv4Packet, at: number, length: number, srcPort: number, dstPort: number, copy: boolean): void => {
      // (the bounds first: a full socket under a flood allocates nothing per datagram). In octets, as
      // Linux's __udp_enqueue_schedule_skb: dropped once what is held already exceeds the buffer, so
      // an empty socket takes a datagram of any size ("always allow at least one packet"), and a
      // buffer below a datagram's charge does not lose every one for good
      const charge = length - UdpWire.HEADER_LEN + DATAGRAM_OVERHEAD
      if (b.queued >= b.capacity || b.queuedOctets > b.octets) {
        b.dropped++
        c.queueDropped++
        return
      }
      b.queued++
      b.queuedOctets += charge
      const view: Datagram = {
        src: p.src,
        srcPort,
        dst: p.dst,
        dstPort,
        payload: p.bytes.subarray(at + UdpWire.HEADER_LEN, at + length),
        tos: p.tos,
        ipOptions: p.headerLen === Ip.MIN_HEADER_LEN ? NO_IP_OPTIONS : p.bytes.subarray(p.offset + Ip.MIN_HEADER_LEN, at)
      }
      // (a copy's options are copied with its payload: a view of them would keep the batch alive)
      const d = copy ? detached(view) : view
      const arr = bySocket.get(b)
      if (arr) arr.push(d)
      else bySocket.set(b, [d])
    }
    for (const p of batch) {
      c.received++
      const at = p.offset + p.headerLen
      const length = UdpWire.check(p.bytes, at, p.payloadLength, p.src, p.dst, p.checksumOk)
      if (length < 0) {
        c.malformed++
        continue
      }
      const dstPort = UdpWire.dstPortAt(p.bytes, at)
      const srcPort = UdpWire.srcPortAt(p.bytes, at)
      const port = ports.get(dstPort)
      if (p.broadcast) {
        // to every socket that takes it, each its own copy but the first (as Linux clones the skb)
        // (each socket that takes it, found in place: a broadcast flood allocates nothing per frame here)
        let taken = 0
        if (port !== undefined) {
          for (const b of port) {
            if (takesBroadcast(b, p.src, srcPort, p.dst)) offer(b, p, at, length, srcPort, dstPort, taken++ > 0)
          }
        }
        if (taken > 0) continue
      } else {
        const b = port === undefined ? undefined : selectUnicast(port, p.src, srcPort, p.dst)
        if (b !== undefined) {
          offer(b, p, at, length, srcPort, dstPort, false)
          continue
        }
      }
      c.noPort++
      // the datagram ends where its UDP length says (RFC 768): octets past it are not quoted (Linux's
      // __udp4_lib_rcv trims the skb to the UDP length before icmp_send)
      ;(unreachable ??= []).push(length === p.payloadLength ? p : { ...p, payloadLength: length })
    }
    // Synchronous; the datagram count was checked against the capacity above.
    for (const [b, ds] of bySocket) {
      unpin(ds)
      b.queue.unsafeOffer(ds)
    }
    return unreachable === undefined
      ? Effect.void
      : ip.icmpErrors(unreachable, { _tag: "DstUnreachable", code: IcmpWire.DstUnreachableCode.PortUnreachable })
  }

  const inbox = yield* ip.bind(Ip.Protocol.UDP, config.queues.dealer)
  yield* consumeBatches(inbox, deal).pipe(Effect.forkScoped)

  /** Whether `a` is an address a socket may be bound to: every one, ours, 127/8, or a broadcast address of ours (Linux's inet_bind: RTN_LOCAL or RTN_BROADCAST). */
  const bindable = (a: Addr.Ipv4Addr): boolean =>
    a === Addr.ANY || a === config.address || a >>> 24 === 127 || isOurBroadcast(a)

  const pickPort = (requested: number | undefined, local: Addr.Ipv4Addr, reuse: boolean): Either.Either<number, UdpError> => {
    if (requested !== undefined && requested !== 0) {
      if (!Number.isInteger(requested) || requested < 1 || requested > 65535) {
        return Either.left(new UdpError({ reason: "InvalidPort", detail: `UDP port ${requested} is not in 1..65535` }))
      }
      const others = ports.get(requested)
      return others !== undefined && inUse(others, local, reuse)
        ? Either.left(new UdpError({ reason: "AddrInUse", detail: `UDP port ${requested} is already bound on ${Addr.format(local)}` }))
        : Either.right(requested)
    }
    // (crypto, not Effect's seeded Random: the point is that nobody can predict it)
    const start = globalThis.crypto.getRandomValues(new Uint16Array(1))[0]! % EPHEMERAL_SPAN
    for (let i = 0; i < EPHEMERAL_SPAN; i++) {
      const port = EPHEMERAL_LOW + ((start + i) % EPHEMERAL_SPAN)
      // (a port nobody holds on any address: Linux may also give one held on another address only)
      if (!ports.has(port)) return Either.right(port)
    }
    return Either.left(new UdpError({ reason: "NoEphemeralPorts", detail: "no free ephemeral UDP port" }))
  }

  /** Put `b` first among its port's sockets (a bind, or an address that changed: Linux's hash and rehash put it at the head). */
  const toFront = (p: number, b: Binding): void => {
    const list = ports.get(p)
    if (list === undefined) ports.set(p, [b])
    else {
      const i = list.indexOf(b)
      if (i >= 0) list.splice(i, 1)
      list.unshift(b)
    }
  }

  const bind = (port?: number, options?: BindOptions) =>
    Effect.gen(function*() {
      const local = options?.address ?? Addr.ANY
      if (!bindable(local)) {
        return yield* new UdpError({ reason: "AddrNotAvailable", detail: `${Addr.format(local)} is not an address of this stack` })
      }
      const reuse = options?.reuseAddr === true
      const chosen = pickPort(port, local, reuse)
      if (Either.isLeft(chosen)) return yield* chosen.left
      // the port, 0 while a disconnect has let go of an ephemeral one (until `autobind`)
      let p = chosen.right
      // a port named at bind stays through a disconnect (Linux's SOCK_BINDPORT_LOCK)
      const portNamed = port !== undefined && port !== 0
      const ttl = options?.ttl
      const tos = options?.tos ?? 0
      const receiveBuffer = options?.receiveBuffer
      const bad = optionError("TTL", ttl) ?? optionError("TOS", tos) ?? optionError("receive buffer", receiveBuffer)
      if (bad !== undefined) return yield* bad
      const capacity = options?.capacity ?? config.queues.udpSocket
      const [queue, errors] = yield* Effect.withScheduler(
        Effect.zip(
          Mailbox.make<ReadonlyArray<Datagram>>({ capacity: MAX_QUEUED, strategy: "dropping" }),
          Mailbox.make<UdpErrorReport>({ capacity: config.queues.udpErrors, strategy: "dropping" })
        ),
        runner
      )
      const binding: Binding = {
        local,
        named: local !== Addr.ANY,
        reuse,
        peer: undefined,
        peerPort: 0,
        // `queued` and `queuedOctets` bound the datagrams; batches never outnumber datagrams, and a
        // socket never queues more than MAX_QUEUED of them (the bound a receive buffer in octets lifts to)
        queue,
        errors,
        capacity: receiveBuffer === undefined ? Math.min(capacity, MAX_QUEUED) : MAX_QUEUED,
        octets: receiveBuffer ?? Number.POSITIVE_INFINITY,
        queued: 0,
        queuedOctets: 0,
        dropped: 0
      }
      const sendOptions: SendOptions = { broadcast: options?.broadcast === true, ttl, tos, emit: emitOptionsOf({ ttl, tos }) }
      toFront(p, binding)
      bound++
      /** Out of the table: no datagram reaches it, its port is free (a close, or a disconnect's udp_lib_unhash). */
      const unhash = (): void => {
        const list = ports.get(p)
        const i = list === undefined ? -1 : list.indexOf(binding)
        if (i < 0) return
        bound--
        if (list!.length === 1) ports.delete(p)
        else list!.splice(i, 1)
        p = 0
      }
      /** A fresh ephemeral port when a disconnect let go of it: a send or connect takes one first (inet_autobind). */
      const autobind = (): UdpError | undefined => {
        if (p !== 0) return undefined
        const again = pickPort(undefined, binding.local, reuse)
        if (Either.isLeft(again)) return again.left
        p = again.right
        toFront(p, binding)
        bound++
        return undefined
      }
      yield* Effect.addFinalizer(() =>
        Effect.zipRight(
          Effect.sync(unhash),
          Effect.zipRight(binding.queue.shutdown, binding.errors.shutdown)
        )
      )
      // Datagrams taken from the mailbox but not yet returned: leftover[head..]
      // (one reader only; an index, not shift(), keeps draining linear).
      let leftover: Array<Datagram> = []
      let head = 0
      const refill: Effect.Effect<void> = Effect.flatMap(binding.queue.takeAll, ([batches, done]) => {
        if (Chunk.isEmpty(batches)) return done ? Effect.interrupt : refill
        leftover = []
        head = 0
        for (const ds of batches) for (const d of ds) leftover.push(d)
        return Effect.void
      })
      const receiveBatch = Effect.suspend(() => {
        const give = () => {
          const out = head === 0 ? leftover : leftover.slice(head)
          leftover = []
          head = 0
          binding.queued -= out.length
          for (const d of out) binding.queuedOctets -= cost(d)
          return out as ReadonlyArray<Datagram>
        }
        return head < leftover.length ? Effect.sync(give) : Effect.map(refill, give)
      })
      const receive = Effect.suspend(() => {
        const give = () => {
          binding.queued--
          const d = leftover[head++]!
          binding.queuedOctets -= cost(d)
          return d
        }
        return head < leftover.length ? Effect.sync(give) : Effect.map(refill, give)
      })
      const send = (dst: Addr.Ipv4Addr, dstPort: number, payload: Uint8Array): Effect.Effect<void, UdpError> =>
        Effect.suspend(() => {
          const tx = new Tx()
          const failed = autobind() ?? emitInto(tx, p, binding.local, { dst, dstPort, payload }, sendOptions)
          if (failed !== undefined) {
            c.sendFailed++
            return Effect.fail(failed)
          }
          return ip.flush(tx)
        })
      const sendAll = (datagrams: ReadonlyArray<OutDatagram>): Effect.Effect<void> =>
        Effect.suspend(() => {
          const tx = new Tx()
          if (autobind() !== undefined) {
            c.sendFailed += datagrams.length
            return Effect.void
          }
          for (const d of datagrams) if (emitInto(tx, p, binding.local, d, sendOptions) !== undefined) c.sendFailed++
          return ip.flush(tx)
        })
      const receiveError: Effect.Effect<UdpErrorReport> = Effect.flatMap(binding.errors.take, Effect.succeed).pipe(
        Effect.catchAll(() => Effect.interrupt)
      )
      return {
        get port() {
          return p
        },
        receive,
        receiveBatch,
        send,
        sendAll,
        receiveError,
        dropped: Effect.sync(() => binding.dropped),
        setBroadcast: (on) =>
          Effect.sync(() => {
            sendOptions.broadcast = on
          }),
        setTtl: (ttl) =>
          setChecked("TTL", ttl, () => {
            sendOptions.ttl = ttl
            sendOptions.emit = emitOptionsOf(sendOptions)
          }),
        setTos: (tos) =>
          setChecked("TOS", tos, () => {
            sendOptions.tos = tos
            sendOptions.emit = emitOptionsOf(sendOptions)
          }),
        setReceiveBuffer: (octets) =>
          setChecked("receive buffer", octets, () => {
            binding.octets = octets
            binding.capacity = MAX_QUEUED
          }),
        receiveBuffer: Effect.sync(() => Number.isFinite(binding.octets) ? binding.octets : undefined),
        localAddress: Effect.sync(() => binding.local),
        connect: (dst, dstPort) =>
          Effect.suspend(() => {
            // ip4_datagram_connect: the route first (ENETUNREACH without one), a broadcast only
            // with SO_BROADCAST (EACCES); the port is checked as a send checks it
            if (!Number.isInteger(dstPort) || dstPort < 1 || dstPort > 65535) {
              return Effect.fail(new UdpError({ reason: "InvalidPort", detail: `UDP port ${dstPort} is not in 1..65535` }))
            }
            const r = ip.route(dst)
            if (r === undefined) return Effect.fail(new UdpError({ reason: "NoRoute", detail: `no route to ${Addr.format(dst)}` }))
            if (r._tag === "Broadcast" && !sendOptions.broadcast) {
              return Effect.fail(new UdpError({ reason: "BroadcastNotAllowed", detail: `${Addr.format(dst)} is a broadcast address and the socket's broadcast option is off` }))
            }
            if (loopbackToHost(binding.local, r)) return Effect.fail(loopbackSource(binding.local, dst))
            const unbound = autobind()
            if (unbound !== undefined) return Effect.fail(unbound)
            binding.peer = dst
            binding.peerPort = dstPort
            // a socket bound to every address takes the route's source as its own (and moves
            // to that address's chain, first)
            if (binding.local === Addr.ANY) {
              binding.local = r.src
              toFront(p, binding)
            }
            return Effect.void
          }),
        // __udp_disconnect: the address a connect took goes; a port the socket named stays (and the
        // socket moves to its chain's head), an ephemeral one is let go until the next send or connect
        disconnect: Effect.sync(() => {
          binding.peer = undefined
          binding.peerPort = 0
          const moved = !binding.named && binding.local !== Addr.ANY
          if (moved) binding.local = Addr.ANY
          if (!portNamed) unhash()
          else if (moved) toFront(p, binding)
        })
      } satisfies UdpSocket
    })

  return Udp.of({
    bind,
    stats: Effect.sync(() => ({ ...c, bound }))
  })
})

/** @category layers */
export const layer = Layer.scoped(Udp, make)

/**
 * Echo every datagram back to its sender (RFC 862) on `port`, until the
 * scope closes. Not one from a port below 1024: another echo or chargen
 * service there (or a source forged to be one) would answer, and the two
 * would ping-pong without end (CVE-1999-0103; xinetd's bad_port_check,
 * FreeBSD inetd's check_loop).
 */
export const serveEcho = (port: number) =>
  Effect.gen(function*() {
    const udp = yield* Udp
    const socket = yield* udp.bind(port)
    // Each batch of requests is answered as one batch; the replies carry the
    // requests' payloads from where they arrived (gathered, not copied).
    const replies = (ds: ReadonlyArray<Datagram>) => {
      const out: Array<OutDatagram> = []
      for (const d of ds) if (d.srcPort >= 1024) out.push({ dst: d.src, dstPort: d.srcPort, payload: d.payload })
      return out
    }
    yield* socket.receiveBatch.pipe(
      Effect.flatMap((ds) => socket.sendAll(replies(ds))),
      Effect.forever,
      // (on the stack's runner: a batch of requests is answered in the run that brought it)
      Trampoline.onRunner,
      Effect.forkScoped
    )
    return socket.port
  })

