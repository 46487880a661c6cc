/**
 * The IPv4 layer (RFC 791, RFC 1122 §3.2-3.3): the IPv4 dealer, the fragment
 * assemblers, the build-in-place send path with fragmentation, ICMP error
 * generation, and the delivery of received ICMP errors to the transports.
 *
 * Receive
 * - One dealer fiber takes batches of frames from the interface and
 *   validates each datagram in place (`Ipv4Header.check`: version, IHL, total
 *   length against the frame, header checksum; options skipped). It accepts
 *   datagrams for our address and the limited or directed broadcast, and
 *   drops the rest (a host does not forward, RFC 1122 §3.3.1.5). It drops
 *   and counts datagrams from martian sources (RFC 1122 §3.2.1.3, a MUST:
 *   `Route.martianSource`) and unicast datagrams that came in a link-layer
 *   broadcast (§3.3.6). TTL is not checked on receipt: §3.2.1.7 forbids a host
 *   to discard a datagram for a low TTL. Options are walked once
 *   (`optionsVerdict`): a source route is dropped (RFC 7126 §4.3-4.4), a
 *   malformed option drops the datagram and is answered with an ICMP
 *   Parameter Problem pointing at it (RFC 1122 §3.2.2.5, as Linux), under
 *   the same rate limits as every ICMP error.
 * - Whole datagrams are dealt by protocol number to the protocols that `bind`
 *   one, one batch per protocol per wake-up, through bounded mailboxes that
 *   drop and count. An unbound protocol gets ICMP protocol unreachable.
 * - Fragments go to one assembler fiber per (src, dst, id, protocol), forked
 *   in the layer's scope (the paper's fragment assembler). The dealer hands
 *   each fragment over with a synchronous, never-failing offer to the
 *   assembler's mailbox (an assembler that has just ended refuses it, which
 *   is counted, never fatal). The assembler copies the data into its own
 *   buffer (`Reassembly`), delivers the datagram when whole, or at its one
 *   deadline, `reassembly.timeout` after it started, gives up and sends ICMP
 *   time exceeded (code 1) if fragment zero had arrived (RFC 792, RFC 1122
 *   §3.3.2). The number of assemblies and the octets they really hold are
 *   bounded; fragments beyond either are dropped and counted.
 *
 * Send (build in place)
 * - A transport takes a route once (`route(dst)`, the interface's), writes
 *   its header and payload at `TRANSPORT_OFFSET` in a buffer (`allocate`),
 *   and calls `emit(tx, route, protocol, buf, end)`: the IPv4 header goes
 *   into the headroom before it (with an IP ID from a per-destination
 *   counter, RFC 7739 §5.1), then the interface frames it. A payload may stay
 *   where it is (`payload`, sent by a gather write). Datagrams larger than the
 *   MTU are fragmented (RFC 791 §3.2) with the payload gathered, not copied,
 *   unless DF is set (then `emit` returns "FragmentationNeeded"), or the
 *   datagram is a TCP segment the link is asked to cut (`meta` with a TSO
 *   segment size, `Link.TxMeta`): it goes whole, up to 65535 octets. A
 *   datagram without DF is cut to the path MTU towards its destination
 *   when a router lowered it (below), as Linux's ip_fragment cuts to
 *   dst_mtu; one sent with `dontFragment: "Want"` (Linux's
 *   IP_PMTUDISC_WANT, UDP's and ping's) goes with DF when it fits that MTU.
 *   `send` refuses a datagram with DF that is longer than that MTU
 *   ("FragmentationNeeded"), as Linux refuses it to an IP_PMTUDISC_DO socket.
 *   `flush(tx)`
 *   sends the batch in one link call; datagrams for our own addresses are
 *   dealt to ourselves without touching the link.
 * - `icmpErrors` sends destination unreachable / time exceeded about
 *   received datagrams, obeying RFC 1122 §3.2.2 (never about an ICMP error, a
 *   broadcast, a link-layer broadcast or a non-initial fragment), a token
 *   bucket for the stack (RFC 1812 §4.3.2.8) and one per host behind it
 *   (HostLimiter.ts, Linux's icmp_ratelimit), so one host cannot use up
 *   what the others are owed; errors about our own datagrams (over the
 *   loopback) are not limited, as Linux's __icmp_send.
 * - ICMP errors we receive about a datagram we sent reach the protocol that
 *   sent it (RFC 1122 §3.2.2, §4.1.3.3 MUST): the ICMP layer parses them and
 *   calls `reportIcmpError`, which hands them to the handler that protocol
 *   registered with `onIcmpError`; the handler says whether a socket of its
 *   own sent the datagram.
 * - The path MTU per destination (PathMtu.ts, Linux's route exceptions):
 *   a transport that believed a "fragmentation needed" (TCP: it quotes a
 *   segment in flight; UDP: a bound socket sent the datagram; ICMP: one of
 *   our pings) calls `reportPathMtu`; every user of that destination sees it
 *   (`pathMtu`, `pathMtuGeneration`), until it expires 10 minutes after the
 *   last report that lowered it, or repeated it once half of that had passed
 *   (RFC 1191 §6.3, Linux's __ip_rt_update_pmtu). At most `MAX_PATH_MTUS`
 *   destinations are held; the oldest report makes room (counted).
 * - ICMP redirects the ICMP layer parsed go first to the protocol that sent
 *   the quoted datagram, by the same `reportIcmpError` (TCP: a connection
 *   with the sequence number in flight; UDP: the socket the reply would
 *   reach), and then, claimed or not, to the interface (`redirect`), which
 *   owns the choice of next hop and believes only a claimed one (Interface.ts,
 *   Route.ts).
 *
 * @since 0.1.0
 */
import { Context, Data, Effect, FiberSet, Layer, Mailbox, Option } from "effect"
import type { Scope } from "effect"
import { Config } from "../Config.js"
import * as Iface from "../iface/Interface.js"
import * as RouteRules from "../iface/Route.js"
import { ChurnMap } from "../internal/ChurnMap.js"
import { bindDropping, consumeBatches, runAll } from "../internal/Handoff.js"
import type { Inbox } from "../internal/Inbox.js"
import * as Slab from "../internal/Slab.js"
import { concatBatches, type FrameBatch, frameLength, type LinkOffload, TxMeta } from "../link/Link.js"
import * as Eth from "../wire/EthernetFrame.js"
import * as IcmpWire from "../wire/IcmpMessage.js"
import * as Ip from "../wire/Ipv4Header.js"
import * as Addr from "../wire/Ipv4Addr.js"
import type { WireReason } from "../wire/WireError.js"
import * as PathMtu from "./PathMtu.js"
import * as Reassembly from "./Reassembly.js"
import * as HostLimiter from "./HostLimiter.js"
import * as TokenBucket from "./TokenBucket.js"

/** Octets before the IPv4 header in a buffer: the link's headroom. */
export const HEADROOM = Iface.HEADROOM
/** Where a transport writes its header in a buffer from `allocate`. */
export const TRANSPORT_OFFSET = HEADROOM + Ip.MIN_HEADER_LEN

/**
 * A received datagram (reassembled if it came in fragments), as protocols see
 * it. It points into the buffer it arrived in instead of slicing it: the
 * receive path runs per packet, and every view it does not create is garbage
 * it does not collect. `payloadOf` and `quoteOf` make the views on demand.
 * The receiver owns `bytes`, headroom included, and may build a reply in it.
 */
export interface Ipv4Packet {
  readonly src: Addr.Ipv4Addr
  readonly dst: Addr.Ipv4Addr
  readonly protocol: number
  readonly ttl: number
  readonly tos: number
  /** the frame holding the datagram, Ethernet header (or as much headroom) first */
  readonly bytes: Uint8Array
  /** where the IP header starts in `bytes` (`HEADROOM`) */
  readonly offset: number
  /** IP header length in octets, options included */
  readonly headerLen: number
  /** transport octets, starting at `offset + headerLen` */
  readonly payloadLength: number
  /** sent to a broadcast IP address or Ethernet broadcast: never answered with ICMP errors */
  readonly broadcast: boolean
  /**
   * the transport checksum need not be verified: the link vouched for it
   * (`Link.FrameBatch.checksumOk`: the sending kernel verified it, or left it
   * partial because it built the datagram), or we sent the datagram to
   * ourselves (a loopback checksum is not even computed, as on Linux's lo)
   */
  readonly checksumOk: boolean
  /**
   * the datagram is a TCP segment the sending kernel left uncut (`Link.FrameBatch.gsoSize`): the
   * length of the segments it holds; 0 otherwise
   */
  readonly gsoSize: number
}

/** The transport payload of a packet, as a view. */
export const payloadOf = (p: Ipv4Packet): Uint8Array =>
  p.bytes.subarray(p.offset + p.headerLen, p.offset + p.headerLen + p.payloadLength)

/**
 * Octets of the offending datagram an ICMP error of ours quotes at most: as much as keeps the error
 * within 576 octets (RFC 1812 §4.3.2.3; Linux's icmp_send), beyond RFC 792's header and 8 octets.
 */
export const MAX_QUOTE = 576 - Ip.MIN_HEADER_LEN - IcmpWire.HEADER_LEN

/** What an ICMP error quotes: the datagram from its IP header on, up to `max` octets (MAX_QUOTE). */
export const quoteOf = (p: Ipv4Packet, max = MAX_QUOTE): Uint8Array =>
  p.bytes.subarray(p.offset, p.offset + Math.min(max, p.headerLen + p.payloadLength))

/**
 * How much an ICMP error over a path of `mtu` octets, carrying `optionsLen` octets of IP options
 * back, quotes: MAX_QUOTE less the options, less again where the path is narrower than 576 octets,
 * so that the error goes whole (Linux's icmp_send: room is the route's MTU, at most 576, less the
 * headers and the options echoed). An error whose room is no more than an IP header
 * (`QUOTE_FLOOR`) is not sent at all, as Linux's icmp_send guards against a tiny MTU.
 */
export const quoteRoom = (mtu: number, optionsLen = 0): number =>
  Math.min(576, mtu) - Ip.MIN_HEADER_LEN - IcmpWire.HEADER_LEN - optionsLen

/** An ICMP error whose quote would hold no more than this (one IP header) says nothing: not sent. */
export const QUOTE_FLOOR = Ip.MIN_HEADER_LEN

/**
 * The TOS of an ICMP error: precedence 6, internetwork control, with the offending datagram's TOS
 * bits (Linux's icmp_send: RT_TOS(tos) | IPTOS_PREC_INTERNETCONTROL), so that routers that queue
 * by precedence let errors through before data.
 */
export const errorTos = (about: Ipv4Packet): number => 0xc0 | (about.tos & 0x1e)

/** RFC 791's timestamps count milliseconds since midnight UT. */
const MS_PER_DAY = 86_400_000

/** Header fields of what we send; absent ones take the defaults (TTL from the config, TOS 0, DF clear). @category models */
export interface EmitOptions {
  readonly ttl?: number
  readonly tos?: number
  /**
   * DF (RFC 791, RFC 1191): true sets it (the sender sized the datagram, or wants it refused:
   * Linux's IP_PMTUDISC_DO); false, the default, clears it, and a datagram larger than the path
   * MTU is fragmented to it; "Want" is Linux's IP_PMTUDISC_WANT, its datagram sockets' default
   * (ip_dont_fragment, __ip_make_skb): DF on a datagram that fits the path MTU, unless a router
   * locked that below 552, so that a narrower path says so; fragments without DF otherwise
   */
  readonly dontFragment?: boolean | "Want"
  /**
   * IP options after the 20-octet header (a multiple of 4 octets, at most 40: `Ip.echoOptions`);
   * they go only on a datagram that needs no fragments, one that does goes without them
   */
  readonly ipOptions?: Uint8Array
}

/** Why `emit` could not send a datagram. @category models */
export type EmitFailure = "FragmentationNeeded" | "TooBig"

/** A datagram with its payload in one buffer, for `send`. @category models */
export interface SendOptions extends EmitOptions {
  readonly dst: Addr.Ipv4Addr
  readonly protocol: number
  readonly payload: Uint8Array
}

/** @category errors */
export class Ipv4Error extends Data.TaggedError("Ipv4Error")<{
  readonly reason: "NoRoute" | EmitFailure
  readonly dst: Addr.Ipv4Addr
}> {
  override get message(): string {
    switch (this.reason) {
      case "NoRoute":
        return `no route to ${Addr.format(this.dst)}`
      case "FragmentationNeeded":
        return `datagram to ${Addr.format(this.dst)} exceeds the MTU and has DF set`
      case "TooBig":
        return `datagram to ${Addr.format(this.dst)} exceeds 65535 octets`
    }
  }
}

/**
 * An ICMP error about a datagram we sent (RFC 792), as the protocol that
 * sent it receives it.
 * @category models
 */
export interface IcmpReport {
  readonly type: "DstUnreachable" | "TimeExceeded" | "ParameterProblem"
  readonly code: number
  /** the next-hop MTU of a "fragmentation needed" (RFC 1191), else 0 */
  readonly mtu: number
  /** who sent the error (a router, or the destination) */
  readonly reporter: Addr.Ipv4Addr
  /** the quoted datagram's source: one of our addresses (the stack's, or over the loopback a 127/8 one) */
  readonly src: Addr.Ipv4Addr
  /** the quoted datagram's destination */
  readonly dst: Addr.Ipv4Addr
  readonly protocol: number
  /** the quoted transport octets (RFC 792: at least the first 8: the ports) */
  readonly transport: Uint8Array
}

/**
 * An ICMP redirect (RFC 792 type 5) about a datagram we sent, as the protocol that sent it is asked
 * whether it is its own (Linux's icmp_redirect hands it to the protocol's error handler as any
 * ICMP error): the fields as `IcmpReport`'s.
 * @category models
 */
export interface RedirectReport {
  readonly type: "Redirect"
  readonly reporter: Addr.Ipv4Addr
  readonly src: Addr.Ipv4Addr
  readonly dst: Addr.Ipv4Addr
  readonly protocol: number
  readonly transport: Uint8Array
}

/** @category models */
export interface Ipv4Stats {
  readonly received: number
  readonly delivered: number
  readonly malformed: Readonly<Partial<Record<WireReason, number>>>
  readonly notForUs: number
  /** from a source no host may have (RFC 1122 §3.2.1.3): 0/8, 127/8, 224/4, 240/4, our subnet's broadcast, our own address */
  readonly martianSource: number
  /** unicast to us but in a link-layer broadcast frame (RFC 1122 §3.3.6) */
  readonly linkBroadcastUnicast: number
  /** carrying a loose or strict source route, dropped as a host does (RFC 7126 §4.3-4.4) */
  readonly sourceRouted: number
  readonly unknownProtocol: number
  readonly queueDropped: number
  readonly fragmentsReceived: number
  readonly reassembled: number
  readonly reassemblyTimeouts: number
  /** datagrams discarded for overlapping, inconsistent or oversized fragments */
  readonly reassemblyFailures: number
  /** fragments refused because the assembly count or octet bound was reached */
  readonly reassemblyDropped: number
  readonly assemblies: number
  /** octets the assemblies hold (buffers, block maps, headers) plus fragments queued for them */
  readonly assemblyBytes: number
  readonly sent: number
  /** datagrams we could not send (no route, too big, DF and too big for the MTU) */
  readonly sendFailed: number
  readonly fragmentsSent: number
  readonly icmpErrorsSent: number
  readonly icmpErrorsRateLimited: number
  /** of those, refused by the per-host bucket (`icmp.hostErrorsPerSecond`) */
  readonly icmpErrorsHostLimited: number
  /** datagrams whose next hop never answered ARP, reported to their protocol as host unreachable */
  readonly unresolved: number
  /** destinations whose path MTU a router lowered, held now (PathMtu.ts; expired ones until looked up) */
  readonly pathMtus: number
  /** path MTUs forgotten to make room for another destination's (`MAX_PATH_MTUS`) */
  readonly pathMtuEvictions: number
}

export type IcmpErrorKind =
  | { readonly _tag: "DstUnreachable"; readonly code: number }
  | { readonly _tag: "TimeExceeded"; readonly code: number }
  /** RFC 792 type 12 code 0: the header octet at `pointer` is at fault */
  | { readonly _tag: "ParameterProblem"; readonly pointer: number }

/** @category models */
export interface Ipv4Service {
  readonly address: Addr.Ipv4Addr
  readonly prefixLength: number
  readonly mtu: number
  /** what the link does for what we send (`Link.LinkOffload`); a `Local` route needs no checksum at all */
  readonly offload: LinkOffload
  /** receive every datagram of `protocol` for us; one consumer; the scope unbinds */
  readonly bind: (
    protocol: number,
    capacity: number
  ) => Effect.Effect<Inbox<ReadonlyArray<Ipv4Packet>>, never, Scope.Scope>
  /** how to reach `dst` (cached), or undefined when there is no route */
  readonly route: (dst: Addr.Ipv4Addr) => Iface.Route | undefined
  /** a zeroed buffer for `length` transport octets at `TRANSPORT_OFFSET` */
  readonly allocate: (length: number) => Uint8Array
  /**
   * Send the transport octets `buf[TRANSPORT_OFFSET, end)`, followed by
   * `payload` if given (one buffer or pieces, sent from where they are), as
   * one datagram of `protocol` through `route`, into `tx`. Synchronous.
   * Writes the IPv4 header into `buf`'s headroom; `buf` belongs to the stack
   * from here on, `payload` until `flush(tx)` has completed. `meta`
   * (`Link.TxMeta`) asks the link's offloads for it; only ask for what
   * `offload` offers.
   */
  readonly emit: (
    tx: Iface.Tx,
    route: Iface.Route,
    protocol: number,
    buf: Uint8Array,
    end: number,
    options?: EmitOptions,
    payload?: Uint8Array | ReadonlyArray<Uint8Array>,
    meta?: number
  ) => EmitFailure | undefined
  /** send what `tx` holds: one link call; datagrams to ourselves dealt to ourselves */
  readonly flush: (tx: Iface.Tx) => Effect.Effect<void>
  /**
   * `flush`, with the link call made at once where the link allows it
   * (Interface's `flushNow`), and then the datagrams to ourselves dealt at once
   * too (into their protocols' inboxes): for a fiber's wake-up, which runs the
   * effect returned (what is left, if anything: a link send that could not go
   * at once, and the datagrams to ourselves behind it) next.
   */
  readonly flushNow: (tx: Iface.Tx) => Effect.Effect<void>
  /** one datagram, for callers without a send path of their own (copies nothing: the payload is gathered) */
  readonly send: (options: SendOptions) => Effect.Effect<void, Ipv4Error>
  /** tell the senders of `abouts` that they failed; suppressed where RFC 1122 §3.2.2 says so */
  readonly icmpErrors: (abouts: ReadonlyArray<Ipv4Packet>, kind: IcmpErrorKind) => Effect.Effect<void>
  /**
   * receive ICMP errors and redirects about datagrams of `protocol` we sent, until the scope
   * closes; the handler says whether the datagram was one of its sockets' (a redirect is believed
   * only then: Route.ts `Unclaimed`)
   */
  readonly onIcmpError: (
    protocol: number,
    handler: (report: IcmpReport | RedirectReport) => boolean
  ) => Effect.Effect<void, never, Scope.Scope>
  /** hand an ICMP error or redirect to its protocol's handler (the ICMP layer calls this); false when none took it */
  readonly reportIcmpError: (report: IcmpReport | RedirectReport) => boolean
  /**
   * The path MTU towards `dst` that a router lowered and that has not expired (PathMtu.ts), or
   * undefined: the route's MTU holds.
   */
  readonly pathMtu: (dst: Addr.Ipv4Addr) => PathMtu.Entry | undefined
  /**
   * A "fragmentation needed" about a datagram to `dst`, naming next-hop MTU `mtu` (0: none), that
   * the transport which sent the datagram believed: the checks are the transport's (RFC 5927 §4.1),
   * as Linux's error handlers update the route only for a socket of theirs. True when it lowered,
   * locked or renewed the path MTU.
   */
  readonly reportPathMtu: (dst: Addr.Ipv4Addr, mtu: number) => boolean
  /** goes up whenever any path MTU is lowered or renewed (PathMtu.generation): a holder looks again only when it moved */
  readonly pathMtuGeneration: () => number
  /**
   * An ICMP redirect the ICMP layer parsed (the interface's `redirect`: Route.ts's rules, Linux's
   * __ip_do_redirect): undefined when believed, and the destination's datagrams go to the router
   * it names from now on, from every sender, for 300 s; else why not. An ARP request may go into `tx`.
   */
  readonly redirect: (tx: Iface.Tx, notice: RouteRules.RedirectNotice) => RouteRules.RedirectRefusal | undefined
  /** destinations whose redirect was forgotten to make room for another's (`Interface.MAX_REDIRECTS`) */
  readonly redirectEvictions: () => number
  readonly stats: Effect.Effect<Ipv4Stats>
}

/** @category tags */
export class Ipv4 extends Context.Tag("gonet/Ipv4")<Ipv4, Ipv4Service>() {}

/** One datagram being reassembled, as the dealer sees it. */
interface Assembler {
  /** undefined until the assembler fiber has started: fragments wait in `early` */
  inbox: Mailbox.Mailbox<Reassembly.Fragment> | undefined
  early: Array<Reassembly.Fragment> | undefined
  /** data octets queued for the assembler and not yet taken (charged to assemblyBytes) */
  queued: number
  /** what the assembly holds (`Reassembly.held`), as charged to assemblyBytes */
  charged: number
}

/** Fragments one assembler may have queued: a 64 KiB datagram in 64-octet fragments. */
const ASSEMBLER_QUEUE = 1024

/** IP ID counters, chosen by a keyed hash of the destination (RFC 7739 §5.1, as Linux's ip_idents). */
const ID_COUNTERS = 2048

/**
 * ICMP types that are errors: never answer them with an error (RFC 1122 §3.2.2). A type beyond 18
 * (Linux's NR_ICMP_TYPES) counts as one, as Linux's __icmp_send assumes ("any unknown ICMP type is
 * an error"): what it is, nobody here knows.
 */
const isIcmpError = (type: number) => type === 3 || type === 4 || type === 5 || type === 11 || type === 12 || type > 18

const NO_OPTIONS: EmitOptions = {}

/** Hosts whose ICMP error buckets are kept (the least recently limited go first). */
const MAX_LIMITED_HOSTS = 4096

/**
 * Destinations whose lowered path MTU is kept (the one reported longest ago goes first). Linux
 * keeps at most 5 exceptions in each of 2048 buckets per next hop (FNHE_RECLAIM_DEPTH,
 * FNHE_HASH_SHIFT); a host talks to far fewer paths narrower than its link, and an entry is ~100
 * octets, so forged reports for many addresses hold at most about 400 KiB.
 */
export const MAX_PATH_MTUS = 4096

/** Push views of the octets `[from, to)` of a payload (one buffer or pieces) onto `out`. */
const pushRange = (out: Array<Uint8Array>, p: Uint8Array | ReadonlyArray<Uint8Array>, from: number, to: number): void => {
  if (p instanceof Uint8Array) {
    out.push(p.subarray(from, to))
    return
  }
  let at = 0
  for (const piece of p) {
    const lo = Math.max(from, at)
    const hi = Math.min(to, at + piece.length)
    if (lo < hi) out.push(piece.subarray(lo - at, hi - at))
    at += piece.length
  }
}

/** @category constructors */
export const make = Effect.gen(function*() {
  const config = yield* Config
  const iface = yield* Iface.Interface
  const clock = yield* Effect.clock
  const mtu = iface.mtu
  const table: RouteRules.RouteTable = config
  const timeout = config.reassembly.timeout
  const bound = new Map<number, Inbox<ReadonlyArray<Ipv4Packet>>>()
  const errorHandlers = new Map<number, (report: IcmpReport | RedirectReport) => boolean>()
  // (a ChurnMap: datagrams come and go, and an assembly holds up to 64 KiB of fragments)
  const assemblies = new ChurnMap<string, Assembler>()
  const fibers = yield* FiberSet.make()
  // IP IDs must not be guessable from outside (RFC 7739 §5.1): counters and
  // key come from the platform's cryptographic generator, not Effect's PCG.
  const ids = globalThis.crypto.getRandomValues(new Uint16Array(ID_COUNTERS))
  const idKey = globalThis.crypto.getRandomValues(new Uint32Array(2))
  let bucket = TokenBucket.full(config.icmp.errorBurst, clock.unsafeCurrentTimeMillis())
  const hosts = HostLimiter.make(MAX_LIMITED_HOSTS)
  const pmtus = PathMtu.make(MAX_PATH_MTUS)
  const malformed: Partial<Record<WireReason, number>> = {}
  const c = {
    received: 0,
    delivered: 0,
    notForUs: 0,
    martianSource: 0,
    linkBroadcastUnicast: 0,
    sourceRouted: 0,
    unknownProtocol: 0,
    queueDropped: 0,
    fragmentsReceived: 0,
    reassembled: 0,
    reassemblyTimeouts: 0,
    reassemblyFailures: 0,
    reassemblyDropped: 0,
    assemblyBytes: 0,
    sent: 0,
    sendFailed: 0,
    fragmentsSent: 0,
    icmpErrorsSent: 0,
    icmpErrorsRateLimited: 0,
    icmpErrorsHostLimited: 0,
    unresolved: 0
  }

  // --- send ------------------------------------------------------------------

  /**
   * The next IP ID towards `dst`: per-destination counters, unpredictable across destinations.
   * `count` IDs are taken: a TSO segment's pieces get the kernel's ID + 0, 1, ... (inet_gso_segment),
   * and without DF none of them may come again soon (RFC 6864 §4.1; Linux's ip_select_ident_segs).
   */
  const nextId = (dst: Addr.Ipv4Addr, protocol: number, count = 1): number => {
    // A keyed mix of the destination and protocol (two rounds, two key words).
    let h = Math.imul((dst ^ idKey[0]!) >>> 0, 0x9e3779b1) ^ protocol
    h = Math.imul(h ^ (h >>> 15), 0x85ebca6b) ^ idKey[1]!
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35)
    const i = (h ^ (h >>> 16)) & (ID_COUNTERS - 1)
    const id = ids[i]!
    ids[i] = id + count
    return id
  }

  // Small buffers (an ACK, a reply, a short segment) are cut from a shared slab (internal/Slab.ts)
  const slab = Slab.make()
  const allocate = (length: number): Uint8Array => slab.cut(TRANSPORT_OFFSET + length)

  const emit = (
    tx: Iface.Tx,
    r: Iface.Route,
    protocol: number,
    buf: Uint8Array,
    end: number,
    o: EmitOptions = NO_OPTIONS,
    payload?: Uint8Array | ReadonlyArray<Uint8Array>,
    meta = 0
  ): EmitFailure | undefined => {
    const inline = end - TRANSPORT_OFFSET
    const length = inline + (payload === undefined ? 0 : frameLength(payload))
    // IP options go only on a datagram that needs no fragments (EmitOptions.ipOptions)
    const asked = o.ipOptions
    const plain = Ip.MIN_HEADER_LEN + length
    const options = asked !== undefined && (r._tag === "Local" || plain + asked.length <= r.mtu) ? asked : undefined
    const total = options === undefined ? plain : plain + options.length
    if (total > Ip.MAX_PACKET_LEN) {
      c.sendFailed++
      return "TooBig"
    }
    const ttl = o.ttl ?? config.ttl
    const tos = o.tos ?? 0
    let df = o.dontFragment === true
    // Without DF a datagram is cut to the path MTU a router reported for its destination (Linux's
    // ip_fragment at dst_mtu); one with DF was sized by its sender (TCP) or wants the router's answer.
    // Looked up only while some path is narrower than its route: nothing more per TCP segment.
    let mtu = r.mtu
    if (!df) {
      const held = pmtus.entries.size === 0 || r._tag === "Local"
        ? undefined
        : PathMtu.lookup(pmtus, r.dst, clock.unsafeCurrentTimeMillis())
      mtu = PathMtu.effective(held, mtu)
      if (o.dontFragment === "Want") df = total <= mtu && held?.locked !== true
    }
    const src = r.src
    const segmentSize = TxMeta.segmentSize(meta)
    // (a TSO segment: at least as many IDs as pieces; the header counted in makes it one more at most)
    const id = nextId(r.dst, protocol, segmentSize > 0 ? Math.ceil(length / segmentSize) : 1)
    // Loopback carries any size (Linux's lo has a 64 KiB MTU), and the link
    // cuts a TSO segment itself: no fragments.
    if (total <= mtu || r._tag === "Local" || segmentSize > 0) {
      Ip.writeHeader(buf, HEADROOM, total, id, df, false, 0, ttl, protocol, src, r.dst, tos)
      c.sent++
      if (options !== undefined) {
        // the options gathered between the 20-octet header and the transport's octets
        Ip.setOptions(buf, HEADROOM, options)
        const pieces = [buf.subarray(0, TRANSPORT_OFFSET), options, buf.subarray(TRANSPORT_OFFSET, end)]
        if (payload !== undefined) pushRange(pieces, payload, 0, frameLength(payload))
        iface.output(tx, r, pieces, meta)
        return undefined
      }
      const head = end === buf.length ? buf : buf.subarray(0, end)
      iface.output(
        tx,
        r,
        payload === undefined ? head : payload instanceof Uint8Array ? [head, payload] : [head, ...payload],
        meta
      )
      return undefined
    }
    if (df) {
      c.sendFailed++
      return "FragmentationNeeded"
    }
    // RFC 791 §3.2: each fragment is a fresh header followed by its slice of
    // the data, gathered from where the data already is.
    const plan = Reassembly.fragmentPlan(length, Ip.MIN_HEADER_LEN, mtu)
    for (const f of plan) {
      const header = new Uint8Array(TRANSPORT_OFFSET)
      Ip.writeHeader(header, HEADROOM, Ip.MIN_HEADER_LEN + f.length, id, false, f.more, f.offset, ttl, protocol, src, r.dst, tos)
      const pieces: Array<Uint8Array> = [header]
      const from = f.offset
      const to = f.offset + f.length
      if (from < inline) pieces.push(buf.subarray(TRANSPORT_OFFSET + from, TRANSPORT_OFFSET + Math.min(to, inline)))
      if (payload !== undefined && to > inline) pushRange(pieces, payload, Math.max(0, from - inline), to - inline)
      iface.output(tx, r, pieces)
    }
    c.sent++
    c.fragmentsSent += plan.length
    return undefined
  }

  const flush = (tx: Iface.Tx): Effect.Effect<void> => {
    const sending = iface.flush(tx)
    return tx.local.length === 0 ? sending : Effect.zipRight(sending, Effect.suspend(() => deal(tx.local, true)))
  }
  const flushNow = (tx: Iface.Tx): Effect.Effect<void> => {
    const sending = iface.flushNow(tx)
    if (tx.local.length === 0) return sending
    // The frames went out (or there were none): the datagrams to ourselves are dealt in this step
    // too, as the caller would run them next. Dealing is synchronous (each protocol's inbox takes
    // its packets or drops them), so a loopback send costs the sender no Effect operation of its
    // own (four before: the zipRight, the suspend and their results; Fig. 4 makes ~8 such sends
    // per connection pair). A link send still to run keeps the datagrams behind it, in order.
    if (sending === Effect.void) return deal(tx.local, true)
    return Effect.zipRight(sending, Effect.suspend(() => deal(tx.local, true)))
  }

  const send = (o: SendOptions): Effect.Effect<void, Ipv4Error> =>
    Effect.suspend(() => {
      const r = iface.route(o.dst)
      if (r === undefined) {
        c.sendFailed++
        return Effect.fail(new Ipv4Error({ reason: "NoRoute", dst: o.dst }))
      }
      // DF asked for, and longer than the path MTU a router reported: refused here, as Linux's
      // __ip_append_data refuses it (EMSGSIZE) for an IP_PMTUDISC_DO socket (`ping -M do`: "message
      // too long, mtu=..."), not sent to be dropped again. Its IP options count, as there
      // (fragheaderlen includes opt->optlen): `emit` keeps them on a datagram that fits the route.
      // (Only here: `emit`'s DF senders, TCP, size their segments to the path MTU themselves, and
      // look nothing up per segment)
      if (o.dontFragment === true && r._tag !== "Local") {
        const held = pathMtu(o.dst)
        const header = Ip.MIN_HEADER_LEN + (o.ipOptions?.length ?? 0)
        if (held !== undefined && header + frameLength(o.payload) > held.mtu) {
          c.sendFailed++
          return Effect.fail(new Ipv4Error({ reason: "FragmentationNeeded", dst: o.dst }))
        }
      }
      const tx = new Iface.Tx()
      const failure = emit(tx, r, o.protocol, allocate(0), TRANSPORT_OFFSET, o, o.payload)
      return failure === undefined ? flush(tx) : Effect.fail(new Ipv4Error({ reason: failure, dst: o.dst }))
    })

  // --- ICMP errors we send -------------------------------------------------------

  /** Build the error about `about` into `tx` now, unless policy or the rate limit says no. */
  const icmpErrorInto = (tx: Iface.Tx, about: Ipv4Packet, kind: IcmpErrorKind, now: number): void => {
    // RFC 1122 §3.2.2's other conditions (a source that is not one host: 0,
    // broadcast, multicast) cannot hold here: the dealer dropped such martians
    // before any protocol saw the datagram.
    if (about.broadcast) return
    if (
      about.protocol === Ip.Protocol.ICMP &&
      (about.payloadLength === 0 || isIcmpError(about.bytes[about.offset + about.headerLen]!))
    ) {
      return
    }
    const r = iface.route(about.src)
    if (r === undefined) return
    // errors about our own datagrams, over the loopback, are not limited at all: Linux's
    // __icmp_send takes neither icmp_global_allow nor icmpv4_xrlim_allow for a datagram that came
    // in on the loopback device (a local program sending to a closed port hears every refusal)
    if (r._tag !== "Local") {
      const next = TokenBucket.take(bucket, now, config.icmp.errorsPerSecond, config.icmp.errorBurst)
      if (next === undefined) {
        c.icmpErrorsRateLimited++
        return
      }
      // then the host's own (Linux: icmp_global_allow, then icmpv4_xrlim_allow)
      const { hostErrorsPerSecond, hostErrorBurst } = config.icmp
      if (hostErrorsPerSecond > 0 && !HostLimiter.allow(hosts, about.src, now, hostErrorsPerSecond, hostErrorBurst)) {
        c.icmpErrorsRateLimited++
        c.icmpErrorsHostLimited++
        return
      }
      bucket = next
    }
    // a Record Route or Timestamp option comes back updated, as in an echo reply (Linux's
    // __icmp_send echoes the options, __ip_options_echo), and takes its room from the quote
    // (a Parameter Problem carries back only the options before the one at fault: Linux's
    // __icmp_send echoes what ip_options_compile took before it failed)
    const upTo = kind._tag === "ParameterProblem"
      ? Ip.optionAt(about.bytes, about.offset, about.headerLen, kind.pointer)
      : about.headerLen
    const echoed = upTo === Ip.MIN_HEADER_LEN
      ? undefined
      : Ip.echoOptions(about.bytes, about.offset, upTo, r.src, now % MS_PER_DAY)
    const optionsLen = echoed?.length ?? 0
    const room = r._tag === "Local" ? MAX_QUOTE - optionsLen : quoteRoom(PathMtu.effective(pathMtu(r.dst), r.mtu), optionsLen)
    // (the options leave no room for the offending datagram's header on a path this narrow)
    if (room <= QUOTE_FLOOR) return
    c.icmpErrorsSent++
    const quote = quoteOf(about, room)
    const buf = allocate(IcmpWire.HEADER_LEN + quote.length)
    IcmpWire.encode(
      kind._tag === "DstUnreachable"
        ? { _tag: "DstUnreachable", code: kind.code, nextHopMtu: 0, data: quote }
        : kind._tag === "TimeExceeded"
        ? { _tag: "TimeExceeded", code: kind.code, data: quote }
        // RFC 792: code 0, the pointer in the first octet after the checksum
        : { _tag: "Other", type: IcmpWire.Type.ParameterProblem, code: 0, rest: (kind.pointer << 24) >>> 0, data: quote },
      buf,
      TRANSPORT_OFFSET
    )
    emit(tx, r, Ip.Protocol.ICMP, buf, buf.length, echoed === undefined ? { tos: errorTos(about) } : { tos: errorTos(about), ipOptions: echoed })
  }

  /** ICMP errors that `each` writes into one batch, with one Clock read for the lot. */
  const sendIcmpErrors = (each: (tx: Iface.Tx, now: number) => void): Effect.Effect<void> =>
    Effect.suspend(() => {
      const tx = new Iface.Tx()
      each(tx, clock.unsafeCurrentTimeMillis())
      return flush(tx)
    })

  /** ICMP errors of one kind about several datagrams (a closed port's flood: nothing made per datagram). */
  const icmpErrors = (abouts: ReadonlyArray<Ipv4Packet>, kind: IcmpErrorKind): Effect.Effect<void> =>
    sendIcmpErrors((tx, now) => {
      for (const about of abouts) icmpErrorInto(tx, about, kind, now)
    })

  // --- ICMP errors we receive ----------------------------------------------------

  const onIcmpError = (protocol: number, handler: (report: IcmpReport | RedirectReport) => boolean) =>
    Effect.acquireRelease(
      Effect.suspend(() =>
        errorHandlers.has(protocol)
          ? Effect.dieMessage(`ICMP error handler for IP protocol ${protocol} registered twice`)
          : Effect.sync(() => {
            errorHandlers.set(protocol, handler)
          })
      ),
      () =>
        Effect.sync(() => {
          if (errorHandlers.get(protocol) === handler) errorHandlers.delete(protocol)
        })
    )

  const reportIcmpError = (report: IcmpReport | RedirectReport): boolean => {
    const handler = errorHandlers.get(report.protocol)
    return handler !== undefined && handler(report)
  }

  // --- path MTU per destination --------------------------------------------------

  const pathMtu = (dst: Addr.Ipv4Addr): PathMtu.Entry | undefined =>
    pmtus.entries.size === 0 ? undefined : PathMtu.lookup(pmtus, dst, clock.unsafeCurrentTimeMillis())

  const reportPathMtu = (dst: Addr.Ipv4Addr, reported: number): boolean => {
    const r = iface.route(dst)
    // (our own addresses never meet a router)
    if (r === undefined || r._tag === "Local") return false
    return PathMtu.report(pmtus, dst, reported, r.mtu, clock.unsafeCurrentTimeMillis()) !== undefined
  }

  const pathMtuGeneration = (): number => pmtus.generation

  // --- receive -----------------------------------------------------------------

  /** `packets`, all of protocol `proto`, to that protocol's inbox; for an unknown protocol, the ICMP errors to send. */
  const deliver = (proto: number, packets: Array<Ipv4Packet>): Effect.Effect<void> | undefined => {
    const q = bound.get(proto)
    if (q === undefined) {
      c.unknownProtocol += packets.length
      return icmpErrors(packets, { _tag: "DstUnreachable", code: IcmpWire.DstUnreachableCode.ProtocolUnreachable })
    }
    // Synchronous, never waits: the queue drops when full (see Interface.ts).
    if (q.unsafeOffer(packets)) c.delivered += packets.length
    else c.queueDropped += packets.length
    return undefined
  }

  /** The packets of a batch by protocol: the first protocol's, then the others' in the order they came. */
  const deliverAll = (
    proto: number,
    packets: Array<Ipv4Packet>,
    others: Map<number, Array<Ipv4Packet>> | undefined
  ): Effect.Effect<void> => {
    const errors = deliver(proto, packets)
    if (others === undefined) return errors ?? Effect.void
    const unknown = errors === undefined ? [] : [errors]
    for (const [p, ps] of others) {
      const e = deliver(p, ps)
      if (e !== undefined) unknown.push(e)
    }
    return runAll(unknown)
  }

  const runAssembler = (
    key: string,
    asm: Assembler,
    inbox: Mailbox.Mailbox<Reassembly.Fragment>,
    src: Addr.Ipv4Addr,
    dst: Addr.Ipv4Addr,
    protocol: number,
    broadcast: boolean
  ): Effect.Effect<void> => {
    let a = Reassembly.make()
    let failed = false
    const recharge = () => {
      const h = Reassembly.held(a)
      c.assemblyBytes += h - asm.charged
      asm.charged = h
    }
    /** Take fragments; true once the datagram is whole. */
    const take = (frags: Iterable<Reassembly.Fragment>): boolean => {
      let complete = false
      for (const f of frags) {
        c.assemblyBytes -= f.length
        asm.queued -= f.length
        if (complete) {
          // more of a datagram that is already whole (duplicates)
          c.reassemblyDropped++
          continue
        }
        if (failed) continue
        // The bound holds for what is really held: growth beyond it is refused.
        const r = Reassembly.add(a, f, config.reassembly.maxBytes - c.assemblyBytes)
        recharge() // at once: the next fragment's room must count this one's pages
        if (r === "NoRoom") {
          c.reassemblyDropped++
          continue
        }
        if (r === "Complete") {
          complete = true
          continue
        }
        if (r === "Overlap" || r === "TooBig" || r === "Inconsistent" || r === "EcnMismatch") {
          // Discard the datagram, and keep swallowing its fragments until the
          // deadline so none of them starts it again.
          failed = true
          c.reassemblyFailures++
          a = Reassembly.make()
        }
      }
      recharge()
      return complete
    }
    const loop: Effect.Effect<boolean> = Effect.flatMap(inbox.takeAll, ([frags, done]) =>
      take(frags) ? Effect.succeed(true) : done ? Effect.succeed(false) : next)
    const next = Effect.suspend(() => loop)
    // Synchronous: once it has run, the dealer no longer finds this assembly
    // and starts a new one for the key; nothing offers to this inbox again.
    const finish = () => {
      if (assemblies.get(key) === asm) assemblies.delete(key)
      c.assemblyBytes -= asm.charged + asm.queued
      asm.charged = 0
      asm.queued = 0
    }
    return loop.pipe(
      // One deadline for the whole assembly, not one per fragment.
      Effect.timeoutOption(timeout),
      Effect.flatMap((outcome) => {
        finish()
        if (Option.isSome(outcome)) {
          if (!outcome.value) return Effect.void
          c.reassembled++
          const d = Reassembly.datagram(a)
          return deliverAll(protocol, [packetAt(d.bytes, d.offset, d.headerLen, src, dst, protocol, broadcast)], undefined)
        }
        if (failed) return Effect.void
        c.reassemblyTimeouts++
        const first = Reassembly.firstFragment(a, MAX_QUOTE)
        if (first === undefined) return Effect.void
        // RFC 792 / RFC 1122 §3.3.2: time exceeded, code 1, only when fragment zero arrived.
        const quoted = new Uint8Array(HEADROOM + first.bytes.length)
        quoted.set(first.bytes, HEADROOM)
        return icmpErrors(
          [{ ...packetAt(quoted, HEADROOM, first.headerLen, src, dst, protocol, broadcast), payloadLength: first.dataLength }],
          { _tag: "TimeExceeded", code: IcmpWire.TimeExceededCode.FragmentReassembly }
        )
      }),
      // Interrupted (the stack closing) or dead of a defect: the assembly goes either way.
      Effect.ensuring(Effect.sync(finish))
    )
  }

  /** A packet for the datagram whose header is at `bytes[offset]`. */
  const packetAt = (
    bytes: Uint8Array,
    offset: number,
    headerLen: number,
    src: Addr.Ipv4Addr,
    dst: Addr.Ipv4Addr,
    protocol: number,
    broadcast: boolean,
    checksumOk = false,
    gsoSize = 0
  ): Ipv4Packet => ({
    src,
    dst,
    protocol,
    ttl: bytes[offset + Ip.Field.ttl]!,
    tos: bytes[offset + Ip.Field.tos]!,
    bytes,
    offset,
    headerLen,
    payloadLength: Ip.totalLength(bytes, offset) - headerLen,
    broadcast,
    checksumOk,
    gsoSize
  })

  /** Start the assemblers a batch created: their mailboxes, then their fibers. */
  const startAssemblers = (fresh: ReadonlyArray<readonly [string, Assembler, Ipv4Packet]>): Effect.Effect<void> =>
    Effect.forEach(fresh, ([key, asm, p]) =>
      Effect.flatMap(Mailbox.make<Reassembly.Fragment>({ capacity: ASSEMBLER_QUEUE, strategy: "dropping" }), (inbox) => {
        const early = asm.early
        if (assemblies.get(key) !== asm || early === undefined) return Effect.void
        for (const f of early) {
          if (!inbox.unsafeOffer(f)) {
            // more fragments of one datagram in one dealer pass than its queue holds
            c.assemblyBytes -= f.length
            asm.queued -= f.length
            c.reassemblyDropped++
          }
        }
        asm.early = undefined
        asm.inbox = inbox
        return FiberSet.run(fibers, runAssembler(key, asm, inbox, p.src, p.dst, p.protocol, p.broadcast))
      }), { discard: true })

  /** Hand one fragment to its assembler, creating it (into `fresh`) when new. */
  const toAssembler = (
    frame: Uint8Array,
    p: Ipv4Packet,
    fresh: Array<readonly [string, Assembler, Ipv4Packet]>
  ): void => {
    c.fragmentsReceived++
    const off = p.offset
    const frag: Reassembly.Fragment = {
      bytes: frame,
      at: off,
      headerLen: p.headerLen,
      offset: Ip.fragmentOffsetAt(frame, off),
      length: p.payloadLength,
      more: Ip.moreFragmentsAt(frame, off)
    }
    if (c.assemblyBytes + frag.length > config.reassembly.maxBytes) {
      c.reassemblyDropped++
      return
    }
    const id = (frame[off + Ip.Field.id]! << 8) | frame[off + Ip.Field.id + 1]!
    const key = `${p.src}/${p.dst}/${id}/${p.protocol}`
    let asm = assemblies.get(key)
    if (asm === undefined) {
      if (
        assemblies.size >= config.reassembly.maxAssemblies ||
        c.assemblyBytes + frag.length + Reassembly.BASE_HELD > config.reassembly.maxBytes
      ) {
        c.reassemblyDropped++
        return
      }
      asm = { inbox: undefined, early: [], queued: 0, charged: Reassembly.BASE_HELD }
      c.assemblyBytes += Reassembly.BASE_HELD
      assemblies.set(key, asm)
      fresh.push([key, asm, p])
    }
    // Never fails, never waits: a full inbox refuses (false), and that is a counted drop.
    if (asm.inbox !== undefined ? asm.inbox.unsafeOffer(frag) : (asm.early!.push(frag), true)) {
      c.assemblyBytes += frag.length
      asm.queued += frag.length
    } else {
      c.reassemblyDropped++
    }
  }

  /**
   * Process a batch of frames (from the link, or our own datagrams looped
   * back by `flush`). Datagrams are validated in place (`Ip.check`) and
   * described by one `Ipv4Packet` each. Works at once, when called: call it
   * where the work belongs (the dealer's wake-up, as `consumeBatches` does;
   * `flush` defers it past the send); what is left is the effect returned.
   */
  const deal = (frames: FrameBatch, local = false): Effect.Effect<void> => {
    // the packets by protocol: a batch is mostly one protocol's (TCP's, say), which needs no map
    let firstProto = -1
    let firstPackets: Array<Ipv4Packet> | undefined
    let others: Map<number, Array<Ipv4Packet>> | undefined
    let fresh: Array<readonly [string, Assembler, Ipv4Packet]> | undefined
    let problems: Array<readonly [Ipv4Packet, IcmpErrorKind]> | undefined
    const off = HEADROOM
    const vouched = frames.checksumOk
    const gsoSizes = frames.gsoSize
    for (let i = 0; i < frames.length; i++) {
      const frame = frames[i]!
      c.received++
      const hl = Ip.check(frame, off, frame.length)
      if (hl < 0) {
        const r = Ip.CHECK_REASONS[-hl - 1]!
        malformed[r] = (malformed[r] ?? 0) + 1
        continue
      }
      const dst = Addr.read(frame, off + Ip.Field.dst)
      const src = Addr.read(frame, off + Ip.Field.src)
      if (hl > Ip.MIN_HEADER_LEN) {
        const options = Ip.optionsVerdict(frame, off, hl)
        if (options === "SourceRoute") {
          c.sourceRouted++
          continue
        }
        if (options !== "Ok") {
          malformed.Malformed = (malformed.Malformed ?? 0) + 1
          // RFC 1122 §3.2.2.5 (SHOULD), as Linux's ip_options_compile: a Parameter Problem
          // pointing at the option, if the datagram is one we may answer (below)
          if (answerable(frame, off, src, dst, local)) {
            const about = packetAt(frame, off, hl, src, dst, frame[off + Ip.Field.protocol]!, false, local)
            ;(problems ??= []).push([about, { _tag: "ParameterProblem", pointer: options.pointer }])
          }
          continue
        }
      }
      if (!RouteRules.isOurs(table, dst) && !(local && dst >>> 24 === 127)) {
        c.notForUs++
        continue
      }
      const dstBroadcast = RouteRules.isBroadcastFor(table, dst)
      if (!local) {
        if (RouteRules.martianSource(table, src, dst) !== undefined) {
          c.martianSource++
          continue
        }
        if (!dstBroadcast && Eth.isBroadcast(frame)) {
          c.linkBroadcastUnicast++
          continue
        }
      }
      const protocol = frame[off + Ip.Field.protocol]!
      const ip = packetAt(frame, off, hl, src, dst, protocol, dstBroadcast, local || vouched?.[i] === 1, gsoSizes === undefined ? 0 : gsoSizes[i]!)
      if (Ip.isFragment(frame, off)) {
        toAssembler(frame, ip, fresh ??= [])
        continue
      }
      if (protocol === firstProto) firstPackets!.push(ip)
      else if (firstPackets === undefined) {
        firstProto = protocol
        firstPackets = [ip]
      } else {
        const arr = (others ??= new Map()).get(protocol)
        if (arr) arr.push(ip)
        else others.set(protocol, [ip])
      }
    }
    let going = firstPackets !== undefined ? deliverAll(firstProto, firstPackets, others) : Effect.void
    if (fresh !== undefined) going = Effect.zipRight(going, startAssemblers(fresh))
    if (problems === undefined) return going
    const answers = problems
    return Effect.zipRight(going, sendIcmpErrors((tx, now) => {
      for (const [about, kind] of answers) icmpErrorInto(tx, about, kind, now)
    }))
  }

  /**
   * A datagram with a header error that an ICMP error may answer: to us (not
   * to a broadcast), from a host that can hear it (not a martian, not in a
   * link-layer broadcast), and its first fragment (RFC 1122 §3.2.2: none
   * about a non-initial fragment). The other conditions of §3.2.2 are
   * `icmpErrorInto`'s.
   */
  const answerable = (frame: Uint8Array, off: number, src: Addr.Ipv4Addr, dst: Addr.Ipv4Addr, local: boolean): boolean =>
    (RouteRules.isOurs(table, dst) || (local && dst >>> 24 === 127)) &&
    !RouteRules.isBroadcastFor(table, dst) &&
    (local || (RouteRules.martianSource(table, src, dst) === undefined && !Eth.isBroadcast(frame))) &&
    Ip.fragmentOffsetAt(frame, off) === 0

  // Datagrams whose next hop never answered: their protocol hears "host
  // unreachable" from us, as Linux reports a failed resolution to the sender.
  yield* iface.onResolutionFailed((frames) => {
    for (const f of frames) {
      // A non-initial fragment carries no transport header to report about.
      if (f.length < TRANSPORT_OFFSET || Ip.fragmentOffsetAt(f, HEADROOM) !== 0) continue
      c.unresolved++
      const hl = (f[HEADROOM]! & 0x0f) * 4
      reportIcmpError({
        type: "DstUnreachable",
        code: IcmpWire.DstUnreachableCode.HostUnreachable,
        mtu: 0,
        reporter: config.address,
        src: Addr.read(f, HEADROOM + Ip.Field.src),
        dst: Addr.read(f, HEADROOM + Ip.Field.dst),
        protocol: f[HEADROOM + Ip.Field.protocol]!,
        transport: f.subarray(HEADROOM + hl)
      })
    }
  })

  const inbox = yield* iface.bind(Eth.EtherType.IPv4, config.queues.dealer)
  yield* consumeBatches(inbox, (frames: FrameBatch) => deal(frames), concatBatches).pipe(Effect.forkScoped)

  const bind = (protocol: number, capacity: number) =>
    bindDropping(bound, protocol, capacity, (p) => `IP protocol ${p}`)

  return Ipv4.of({
    address: config.address,
    prefixLength: config.prefixLength,
    mtu,
    offload: iface.offload,
    bind,
    route: iface.route,
    allocate,
    emit,
    flush,
    flushNow,
    send,
    icmpErrors,
    onIcmpError,
    reportIcmpError,
    pathMtu,
    reportPathMtu,
    pathMtuGeneration,
    redirect: iface.redirect,
    redirectEvictions: iface.redirectEvictions,
    stats: Effect.sync(() => ({
      ...c,
      malformed: { ...malformed },
      assemblies: assemblies.size,
      pathMtus: pmtus.entries.size,
      pathMtuEvictions: pmtus.evictions
    }))
  })
})

/** @category layers */
export const layer = Layer.scoped(Ipv4, make)
