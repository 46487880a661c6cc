/**
 * The interface: the one place that turns IP packets into Ethernet frames
 * and frames into packets for the protocols (smoltcp's `iface`, gVisor's NIC
 * plus `Route`). It owns the Ethernet framing, the neighbour (ARP, RFC 826)
 * cache and its protocol, and the choice of next hop. IPv4 above it never
 * touches a MAC address; nothing below it builds a frame.
 *
 * Receive
 * - One dealer fiber takes batches of frames from the link, keeps those for
 *   our MAC or broadcast, and deals them by EtherType to the protocols that
 *   `bind` one, one array per protocol per wake-up, through bounded mailboxes
 *   that drop and count when full (DESIGN.md §3). Frames handed up are whole
 *   (Ethernet header included) and owned by the receiver.
 * - ARP frames go to this module's own reader fiber: it answers requests for
 *   our address, merges senders into the neighbour cache (RFC 826's rule,
 *   Linux's reachability states: NeighbourCache.ts) and releases frames that
 *   waited for a resolution.
 *
 * Send (build in place)
 * - `route(dst)` chooses once how to reach `dst` (RFC 1122 §3.3.1: on-link,
 *   through the gateway, broadcast, or our own address) and returns a
 *   `Route`: next hop, source address, MTU and the address part of the
 *   transport pseudo-header sum. Routes are cached per destination; a route
 *   holds its next hop's neighbour entry, which the cache updates in place and
 *   marks `removed` when it goes, so a held route stays right.
 * - ICMP redirects (RFC 1122 §3.2.2.2, §3.3.1.2): `redirect` believes one by
 *   a host's rules (Route.ts `redirectRefusal`, Linux's __ip_do_redirect)
 *   once the router it names has a MAC here (else it asks for it, and the
 *   redirect is not taken), and then the destination's frames go to that
 *   router instead of the gateway, from every sender and every held route,
 *   until the redirect expires (`Route.REDIRECT_EXPIRES`, 300 s, Linux's
 *   route exception). The first hops held are bounded (`MAX_REDIRECTS`).
 * - A sender builds a packet in a buffer that starts with `HEADROOM` free
 *   octets for the link header, then calls `output(tx, route, frame)`:
 *   synchronous, no Effect per packet. The interface writes the Ethernet
 *   header into that headroom and adds the frame to `tx`, or, while the next
 *   hop is being resolved, holds it (at most `arp.pendingFrames` per
 *   address, like Linux's unres_qlen; more are dropped and counted): a copy
 *   when it is gathered, or a view that is under half of its buffer (an
 *   echo reply built in its request's frame, in the link's receive batch;
 *   a cut of a slab), so what waits keeps alive about its own octets.
 *   `flush(tx)` then hands every frame of the batch to the link in one call.
 *   A frame may be gathered (`Link.OutFrame`): the headers in one buffer, a
 *   payload in another. When a resolution fails, the frames that waited for
 *   it go to the handler `onResolutionFailed` registered (IPv4 reports host
 *   unreachable to the protocols that sent them, as Linux does).
 * - Neighbour timers: one fiber per entry that needs one (being resolved,
 *   or re-confirmed after going stale), the paper's "each ARP request waits
 *   in its own process"; it sleeps to the entry's one deadline on the Clock.
 *   It is forked the moment the entry needs it, from whichever fiber sent,
 *   so no interruption between a send and its flush can leave an entry
 *   without its timer.
 * - The cache is bounded; when full, only an idle entry (settled and unused
 *   for `arp.idleBeforeEviction`) is evicted, and with none idle a new
 *   address is refused and counted (`cacheFull`): a flood of new addresses
 *   cannot push out the neighbours traffic flows through. Only a request
 *   addressed to us creates an entry from the wire (Linux's arp_accept=0: an
 *   unsolicited reply does not).
 * - A packet claiming a new MAC for a neighbour we hold one for is not
 *   believed (`NeighbourCache.learn`): the held MAC is probed by unicast at
 *   once, and only its silence lets the entry go and be resolved afresh. A
 *   forged ARP reply cannot redirect the traffic of a neighbour that still
 *   answers (counted: `macChangesRefused`).
 *
 * A gratuitous ARP (an announcement, RFC 5227 §2.3) goes out at start so
 * neighbours that cached an older MAC for our address update it.
 *
 * @since 0.1.0
 */
import { Clock, Context, Data, Deferred, Duration, Effect, Either, Exit, FiberId, FiberSet, Layer, Option } from "effect"
import type { Fiber } from "effect"
import type { Scope } from "effect"
import { Config, ConfigError } from "../Config.js"
import { bindDropping, consumeBatches } from "../internal/Handoff.js"
import type { Inbox } from "../internal/Inbox.js"
import * as Slab from "../internal/Slab.js"
import {
  concatBatches,
  flatten,
  flattenInto,
  type FrameBatch,
  Link,
  type LinkOffload,
  type LinkService,
  NO_OFFLOAD,
  type OutFrame,
  unsafeSendBatchOf,
  vouched
} from "../link/Link.js"
import * as ArpWire from "../wire/ArpPacket.js"
import * as Eth from "../wire/EthernetFrame.js"
import * as Addr from "../wire/Ipv4Addr.js"
import type { Mac } from "../wire/Mac.js"
import * as Neighbour from "./NeighbourCache.js"
import * as RouteRules from "./Route.js"

/** Octets a sender leaves free at the start of a frame buffer for the link header. */
export const HEADROOM = Eth.HEADER_LEN

/** @category errors */
export class NeighbourError extends Data.TaggedError("NeighbourError")<{
  readonly reason: "Timeout" | "TooManyPending"
  readonly address: Addr.Ipv4Addr
}> {
  override get message(): string {
    return this.reason === "Timeout"
      ? `no ARP reply from ${Addr.format(this.address)}`
      : `too many addresses being resolved; ${Addr.format(this.address)} refused`
  }
}

/**
 * How to reach one destination. Returned by `route`; hold it and send
 * through it as long as you like.
 * @category models
 */
export interface Route {
  /** Local: our own address or 127/8 (loopback, never on the link) */
  readonly _tag: "Local" | "Broadcast" | "Direct" | "Gateway"
  readonly dst: Addr.Ipv4Addr
  /**
   * the source of what we send through this route: our address, or for a
   * loopback destination 127.x that 127.x itself, so whatever answers a
   * datagram sent to 127.x answers from it (RFC 1122 §3.2.1.3 (g), as Linux)
   */
  readonly src: Addr.Ipv4Addr
  /**
   * the neighbour frames go to: `dst` on-link, else the gateway, unless a redirect named another
   * router for `dst` (`redirect`): `output` sends there while it holds
   */
  readonly nextHop: Addr.Ipv4Addr
  /** largest IP packet, octets */
  readonly mtu: number
  /** unfolded sum of `src` and `dst`: a transport adds protocol and length for its pseudo-header (RFC 768, RFC 9293 §3.1) */
  readonly addressSum: number
  /** the next hop's neighbour entry (Direct/Gateway), looked up again once removed */
  entry: Neighbour.Entry | undefined
}

/**
 * `r` with `src` as its source: a local route to one of our addresses, taken
 * from another of them (a socket bound to the stack's address sending to
 * 127.0.0.1, or the answer to what came that way, which goes back from the
 * address it was sent to). Only for `Local` routes: on the link the source
 * is always the stack's address.
 */
export const routeFrom = (r: Route, src: Addr.Ipv4Addr): Route =>
  r.src === src ? r : {
    ...r,
    src,
    addressSum: (src >>> 16) + (src & 0xffff) + (r.dst >>> 16) + (r.dst & 0xffff)
  }

/**
 * What one batch of sends produced: frames for the link, and packets for our
 * own addresses (which IPv4 delivers to itself). Make one per batch,
 * `output` into it, `flush` it.
 * @category models
 */
export class Tx {
  readonly frames: Array<OutFrame> = []
  /** `Link.TxMeta` per frame of `frames` (kept in step by `add`): the offloads it asks of the link */
  readonly meta: Array<number> = []
  /** a frame for the link, with the offloads it asks for */
  add(frame: OutFrame, meta = 0): void {
    this.frames.push(frame)
    this.meta.push(meta)
  }
  /** whole frames (headroom included) addressed to ourselves */
  readonly local: Array<Uint8Array> = []
}

/** @category models */
export interface EthernetStats {
  readonly received: number
  /** addressed to another unicast or a multicast group we did not join */
  readonly notForUs: number
  /** shorter than an Ethernet header */
  readonly truncated: number
  /** EtherType nobody bound */
  readonly unknownEtherType: number
  /** frames lost because a protocol queue was full */
  readonly queueDropped: number
}

/** @category models */
export interface ArpStats {
  /** broadcast and unicast requests, the announcement included */
  readonly requestsSent: number
  /** of `requestsSent`: unicast re-confirmations of a stale entry */
  readonly probesSent: number
  readonly requestsReceived: number
  readonly repliesSent: number
  readonly repliesReceived: number
  /** unparsable, or the ARP sender's hardware address is not the frame's source */
  readonly malformed: number
  /** packets claiming our own address from another MAC (RFC 5227 conflict) */
  readonly conflicts: number
  /** packets claiming a new MAC for a neighbour we hold one for: not believed, the held MAC probed instead */
  readonly macChangesRefused: number
  /** packets whose sender address no neighbour can have (loopback, multicast or reserved, our subnet's broadcast): ignored, as Linux's arp_process */
  readonly martianSenders: number
  /** resolutions that got no answer */
  readonly resolveTimeouts: number
  /** stale entries whose unicast probes went unanswered */
  readonly probeFailures: number
  /** frames dropped: their resolution failed, the per-address queue was full, or too many were resolving */
  readonly pendingDropped: number
  readonly cacheEvictions: number
  /** new addresses refused: the cache was full of entries in use */
  readonly cacheFull: number
  readonly cacheSize: number
}

/** A neighbour as the cache holds it now. @category models */
export interface NeighbourInfo {
  readonly mac: Mac | undefined
  readonly state: Neighbour.State
}

/** @category models */
export interface InterfaceService {
  readonly mac: Mac
  readonly address: Addr.Ipv4Addr
  readonly prefixLength: number
  /** largest IP packet, octets */
  readonly mtu: number
  /** what the link does for frames sent to it (`Link.LinkOffload`) */
  readonly offload: LinkOffload
  /**
   * Receive every frame of `etherType` addressed to us. One consumer; the
   * scope unbinds. Binding a type twice is a defect. A batch carries the
   * link's `checksumOk` for its frames when the link vouched for any, and
   * its `gsoSize` when any was a GSO aggregate.
   */
  readonly bind: (
    etherType: number,
    capacity: number
  ) => Effect.Effect<Inbox<FrameBatch>, never, Scope.Scope>
  /** how to reach `dst`, or undefined when there is no route */
  readonly route: (dst: Addr.Ipv4Addr) => Route | undefined
  /**
   * Frame a packet for `route` into `tx` (synchronous). The frame's first
   * buffer starts with `HEADROOM` octets for the Ethernet header. `Local`
   * routes go to `tx.local`. `meta` (`Link.TxMeta`, default none) asks the
   * link's offloads for this frame; it stays with the frame while it waits
   * for a resolution.
   */
  readonly output: (tx: Tx, route: Route, frame: OutFrame, meta?: number) => void
  /** send what `tx` holds in one link call */
  readonly flush: (tx: Tx) => Effect.Effect<void>
  /**
   * `flush`, but at once, in the caller's step, when the link's sends are
   * synchronous (`Link.unsafeSendBatchOf`): then nothing is left to run and
   * the result is `Effect.void`; otherwise it is `flush(tx)`. For a fiber's
   * wake-up (a dealer's handler, a connection's half), which runs the
   * result next: the send is not an operation of its own there.
   */
  readonly flushNow: (tx: Tx) => Effect.Effect<void>
  /** the MAC of neighbour `ip`, resolving it if needed */
  readonly resolve: (ip: Addr.Ipv4Addr) => Effect.Effect<Mac, NeighbourError>
  readonly neighbour: (ip: Addr.Ipv4Addr) => Effect.Effect<Option.Option<NeighbourInfo>>
  /**
   * An upper layer saw forward progress through `ip` (RFC 4861 §7.3.1): it is
   * reachable. Synchronous, as `output` is: TCP calls it once per wake-up that
   * acknowledged new data, where an `Effect.runSync` would start a fiber.
   */
  readonly confirm: (ip: Addr.Ipv4Addr) => void
  /**
   * The neighbour `route`'s frames go to now: the router a redirect named for its destination while
   * that holds, else its next hop; undefined for a route that meets no neighbour (Local,
   * Broadcast). What an upper layer's progress confirms (Linux's dst_confirm_neigh asks the route,
   * whose gateway a redirect replaced).
   */
  readonly firstHop: (route: Route) => Addr.Ipv4Addr | undefined
  /**
   * Hand the frames that waited for a resolution that failed to `handler`
   * (one handler; the scope unregisters it). Without one they are only counted.
   */
  readonly onResolutionFailed: (
    handler: (frames: ReadonlyArray<Uint8Array>) => void
  ) => Effect.Effect<void, never, Scope.Scope>
  /**
   * An ICMP redirect (`Route.RedirectNotice`), synchronous: undefined when it was believed, and
   * `notice.gateway` is the first hop for `notice.dst` from now on, else why not. An ARP request
   * for a router with no MAC here goes into `tx`.
   */
  readonly redirect: (tx: Tx, notice: RouteRules.RedirectNotice) => RouteRules.RedirectRefusal | undefined
  /** destinations whose redirect was forgotten to make room for another's (`MAX_REDIRECTS`) */
  readonly redirectEvictions: () => number
  readonly stats: Effect.Effect<{ readonly ethernet: EthernetStats; readonly arp: ArpStats }>
}

/** @category tags */
export class Interface extends Context.Tag("gonet/Interface")<Interface, InterfaceService>() {}

const ZERO_MAC = new Uint8Array(6)

/** `frame` itself when it is most of its buffer, else a copy of its own (what a frame held for long keeps alive). */
const ownFrame = (frame: Uint8Array): Uint8Array => 2 * frame.length < frame.buffer.byteLength ? frame.slice() : frame
/** The MTU of routes to our own addresses and 127/8: the largest IPv4 datagram (RFC 791). */
const LOOPBACK_MTU = 65535
/** The slabs small frames to ourselves are cut from (internal/Slab.ts): Node's Buffer pool's size. */
const LOCAL_SLAB_OCTETS = 8 * 1024

/** Routes kept at most; the oldest is forgotten first (it is cheap to make again). */
const ROUTE_CACHE = 4096

/**
 * Destinations whose first hop a redirect set, kept at most (the one redirected longest ago goes
 * first). Linux keeps at most 5 exceptions in each of 2048 buckets per next hop
 * (FNHE_RECLAIM_DEPTH, FNHE_HASH_SHIFT); as for path MTUs (Ipv4.MAX_PATH_MTUS), 4096 entries of
 * ~100 octets bound what forged redirects can hold.
 */
export const MAX_REDIRECTS = 4096

/** @category constructors */
export const make = (link: LinkService) =>
  Effect.gen(function*() {
    const config = yield* Config
    const mac = config.mac ?? link.mac
    if (config.mtu !== undefined && config.mtu > link.mtu) {
      return yield* new ConfigError({
        field: "mtu",
        reason: "ExceedsLink",
        detail: `${config.mtu} exceeds the link's MTU of ${link.mtu}`
      })
    }
    const mtu = config.mtu ?? link.mtu
    const clock = yield* Effect.clock
    const fibers = yield* FiberSet.make()
    const table: RouteRules.RouteTable = config
    const p: Neighbour.Params = {
      reachableMs: Duration.toMillis(config.arp.reachableTime),
      delayMs: Duration.toMillis(config.arp.delayFirstProbe),
      retransMs: Duration.toMillis(config.arp.retryInterval),
      broadcastProbes: config.arp.retries,
      unicastProbes: config.arp.unicastProbes
    }
    const cache: Neighbour.Cache = new Map()
    const waiters = new Map<Neighbour.Entry, Deferred.Deferred<Mac, NeighbourError>>()
    const routes = new Map<Addr.Ipv4Addr, Route>()
    const redirects = RouteRules.makeRedirects(MAX_REDIRECTS)
    const bound = new Map<number, Inbox<FrameBatch>>()
    let resolving = 0
    const e = { received: 0, notForUs: 0, truncated: 0, unknownEtherType: 0, queueDropped: 0 }
    const a = {
      requestsSent: 0,
      probesSent: 0,
      requestsReceived: 0,
      repliesSent: 0,
      repliesReceived: 0,
      malformed: 0,
      conflicts: 0,
      macChangesRefused: 0,
      martianSenders: 0,
      resolveTimeouts: 0,
      probeFailures: 0,
      pendingDropped: 0,
      cacheEvictions: 0,
      cacheFull: 0
    }
    const idleMs = Duration.toMillis(config.arp.idleBeforeEviction)
    let failedHandler: ((frames: ReadonlyArray<Uint8Array>) => void) | undefined
    // Forks a neighbour's timer fiber synchronously, from any fiber (into `fibers`).
    const forkTimer = yield* FiberSet.runtime(fibers)<never>()

    // --- receive: the Ethernet dealer -------------------------------------------
    // Per wake-up: sort frames into one array per EtherType, then one
    // synchronous offer each (the mailboxes drop when full).
    const deal = (batch: FrameBatch): void => {
      let ipv4: Array<Uint8Array> | undefined
      let ipv4Ok: Array<number> | undefined
      let ipv4Gso: Array<number> | undefined
      let other: Map<number, Array<Uint8Array>> | undefined
      const checksumOk = batch.checksumOk
      const gsoSize = batch.gsoSize
      for (let i = 0; i < batch.length; i++) {
        const frame = batch[i]!
        e.received++
        if (frame.length < Eth.HEADER_LEN) {
          e.truncated++
          continue
        }
        // Our unicast and broadcast only; we join no multicast group.
        if (!Eth.macEquals(frame, mac) && !Eth.isBroadcast(frame)) {
          e.notForUs++
          continue
        }
        const type = (frame[Eth.Field.etherType]! << 8) | frame[Eth.Field.etherType + 1]!
        if (type === Eth.EtherType.IPv4) {
          ;(ipv4 ??= []).push(frame)
          if (checksumOk !== undefined) (ipv4Ok ??= []).push(checksumOk[i]!)
          if (gsoSize !== undefined) (ipv4Gso ??= []).push(gsoSize[i]!)
        } else {
          other ??= new Map()
          const arr = other.get(type)
          if (arr) arr.push(frame)
          else other.set(type, [frame])
        }
      }
      if (ipv4) {
        offer(
          Eth.EtherType.IPv4,
          ipv4Ok === undefined ? ipv4 : vouched(ipv4, Uint8Array.from(ipv4Ok), ipv4Gso === undefined ? undefined : Uint16Array.from(ipv4Gso))
        )
      }
      if (other) for (const [t, frames] of other) offer(t, frames)
    }
    const offer = (type: number, frames: FrameBatch): void => {
      const q = bound.get(type)
      if (q === undefined) e.unknownEtherType += frames.length
      else if (!q.unsafeOffer(frames)) e.queueDropped += frames.length
    }
    yield* consumeBatches(link.receive, (frames) => {
      deal(frames)
      return Effect.void
    }, concatBatches).pipe(
      Effect.forkScoped
    )

    const bind = (etherType: number, capacity: number) =>
      bindDropping(bound, etherType, capacity, (t) => `EtherType 0x${t.toString(16)}`)

    // --- framing -------------------------------------------------------------------
    const arpFrame = (dst: Mac, op: number, targetMac: Mac, targetIp: Addr.Ipv4Addr): Uint8Array => {
      const frame = new Uint8Array(Eth.HEADER_LEN + ArpWire.PACKET_LEN)
      Eth.encodeHeader(frame, 0, dst, mac, Eth.EtherType.ARP)
      ArpWire.encode({ op, senderMac: mac, senderIp: config.address, targetMac, targetIp }, frame, Eth.HEADER_LEN)
      return frame
    }
    const request = (target: Addr.Ipv4Addr, dst: Mac): Uint8Array => {
      a.requestsSent++
      return arpFrame(dst, ArpWire.Op.Request, ZERO_MAC, target)
    }
    /** Write the Ethernet header of an IPv4 frame into its headroom. */
    const frameTo = (frame: OutFrame, dst: Mac): void => {
      const head = frame instanceof Uint8Array ? frame : frame[0]!
      Eth.encodeHeader(head, 0, dst, mac, Eth.EtherType.IPv4)
    }

    // --- the neighbour cache -----------------------------------------------------
    /** Complete whoever waits in `resolve` for `n`. */
    const wake = (n: Neighbour.Entry, exit: Exit.Exit<Mac, NeighbourError>): void => {
      const w = waiters.get(n)
      if (w === undefined) return
      waiters.delete(n)
      Deferred.unsafeDone(w, exit)
    }
    /** A resolution or a probe failed: drop (and report) what `n` held, fail its waiters. */
    const release = (n: Neighbour.Entry): void => {
      if (n.pending.length > 0) {
        a.pendingDropped += n.pending.length
        const frames = n.pending.slice()
        n.pending.length = 0
        n.pendingMeta.length = 0
        failedHandler?.(frames)
      }
      if (n.state === "Incomplete") resolving--
      wake(n, Exit.fail(new NeighbourError({ reason: "Timeout", address: n.ip })))
    }
    /** Add `n` to the cache; false when it is full of entries in use. */
    const insert = (n: Neighbour.Entry, now: number): boolean => {
      const r = Neighbour.add(cache, n, config.arp.cacheSize, now, idleMs)
      if (r.evicted !== undefined) a.cacheEvictions++ // idle: nothing waits on it, no timer runs
      if (!r.added) a.cacheFull++
      return r.added
    }
    /** The entry for `ip`, starting its resolution (first request into `tx`) when new. */
    const entryFor = (ip: Addr.Ipv4Addr, tx: Tx): Neighbour.Entry | undefined => {
      const known = cache.get(ip)
      if (known !== undefined) return known
      if (resolving >= config.arp.maxResolving) return undefined
      const now = clock.unsafeCurrentTimeMillis()
      const n = Neighbour.incomplete(ip, now)
      if (!insert(n, now)) return undefined
      resolving++
      tx.add(request(ip, Eth.BROADCAST))
      arm(n)
      return n
    }
    /** `n` has a MAC now: its waiting frames go out in `tx`, its waiters are released. */
    const resolved = (n: Neighbour.Entry, tx: Tx): void => {
      resolving--
      const hw = n.mac!
      for (let i = 0; i < n.pending.length; i++) {
        const f = n.pending[i]!
        frameTo(f, hw)
        tx.add(f, n.pendingMeta[i])
      }
      n.pending.length = 0
      n.pendingMeta.length = 0
      wake(n, Exit.succeed(hw))
    }

    /**
     * Each entry's running timer: what it sleeps to, and its fiber. A state change that moves the
     * deadline later needs nothing (the timer wakes, reads the deadline again, sleeps on); one that
     * moves it earlier (a new MAC claimed for an entry in Delay: Probe, 1 s instead of 5) replaces
     * the timer, as Linux's neigh_update re-arms the entry's timer on every change of state.
     */
    const timers = new WeakMap<Neighbour.Entry, Timer>()
    type Timer = { sleepsTo: number | undefined; fiber: Fiber.RuntimeFiber<void> | undefined }

    /** The timer fiber of one entry: sleeps to its deadline, acts, until it needs none. */
    const runTimer = (n: Neighbour.Entry, t: Timer): Effect.Effect<void> =>
      Effect.gen(function*() {
        while (!n.removed) {
          const due = Neighbour.deadline(n, p)
          if (due === undefined) return
          const now = yield* Clock.currentTimeMillis
          if (now < due) {
            t.sleepsTo = due
            yield* Effect.sleep(Duration.millis(due - now))
            t.sleepsTo = undefined
            continue
          }
          switch (Neighbour.onTimer(n, now, p)) {
            case "Broadcast":
              yield* link.send(request(n.ip, Eth.BROADCAST))
              break
            case "Unicast":
              a.probesSent++
              yield* link.send(request(n.ip, n.mac!))
              break
            case "Fail":
              if (n.state === "Incomplete") a.resolveTimeouts++
              else a.probeFailures++
              release(n)
              Neighbour.remove(cache, n)
              return
            case "None":
              break
          }
        }
      }).pipe(Effect.ensuring(Effect.sync(() => {
        // (a timer replaced meanwhile leaves the flag to its successor)
        if (timers.get(n) === t) {
          timers.delete(n)
          n.timer = false
        }
      })))

    /** Start the entry's timer fiber now (it sleeps first, so it never runs ahead of this send). */
    const arm = (n: Neighbour.Entry): void => {
      n.timer = true
      const t: Timer = { sleepsTo: undefined, fiber: undefined }
      timers.set(n, t)
      t.fiber = forkTimer(runTimer(n, t))
    }
    /** After a change of state: a timer if the entry needs one, a new one if its deadline came before the running one's. */
    const timerFor = (n: Neighbour.Entry): void => {
      if (Neighbour.needsTimer(n, p)) {
        arm(n)
        return
      }
      const t = timers.get(n)
      const due = Neighbour.deadline(n, p)
      if (t === undefined || due === undefined || t.sleepsTo === undefined || due >= t.sleepsTo) return
      timers.delete(n)
      t.fiber?.unsafeInterruptAsFork(FiberId.none)
      arm(n)
    }
    /** The MAC to send through `n` now (undefined: resolving), arming its timer when sending made it need one. */
    const macFor = (n: Neighbour.Entry): Mac | undefined => {
      const hw = Neighbour.use(n, clock.unsafeCurrentTimeMillis(), p)
      if (Neighbour.needsTimer(n, p)) arm(n)
      return hw
    }

    // --- send ----------------------------------------------------------------------
    const route = (dst: Addr.Ipv4Addr): Route | undefined => {
      const cached = routes.get(dst)
      if (cached !== undefined) return cached
      const r = RouteRules.select(table, dst)
      if (r._tag === "NoRoute") return undefined
      if (routes.size >= ROUTE_CACHE) routes.delete(routes.keys().next().value as Addr.Ipv4Addr)
      const src = r._tag === "Local" && dst >>> 24 === 127 ? dst : config.address
      const made: Route = {
        _tag: r._tag,
        dst,
        src,
        nextHop: r._tag === "Direct" || r._tag === "Gateway" ? r.nextHop : dst,
        // loopback never meets the link: the largest IP datagram (Linux's lo: 65536), so
        // TCP between two programs on one stack uses 64 KB segments
        mtu: r._tag === "Local" ? LOOPBACK_MTU : mtu,
        addressSum: (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff),
        entry: undefined
      }
      routes.set(dst, made)
      return made
    }

    // A gathered frame to ourselves becomes one buffer (the pieces may be views of a send
    // buffer that is reused once acknowledged); a small one is cut from a slab, not given
    // a backing store of its own: a 1-octet segment is 67 octets (internal/Slab.ts). Small
    // slabs, as Node's Buffer pool: the receiver keeps its data as views of the frame until
    // the application reads it, so an unread chunk holds its whole slab (at most 8 KiB here)
    const localSlab = Slab.make(LOCAL_SLAB_OCTETS)
    const output = (tx: Tx, r: Route, frame: OutFrame, meta = 0): void => {
      switch (r._tag) {
        case "Local":
          tx.local.push(flattenInto(frame, localSlab.cut))
          return
        case "Broadcast":
          frameTo(frame, Eth.BROADCAST)
          tx.add(frame, meta)
          // we are on the subnet too: our own sockets hear it, as Linux loops a broadcast back
          // (a copy: the link may still hold the frame when the loopback's reader has it;
          // flatten makes one already for a gathered frame)
          tx.local.push(frame instanceof Uint8Array ? frame.slice() : flatten(frame))
          return
        case "Direct":
        case "Gateway": {
          let n = r.entry
          // a redirect for this destination: its router instead of the gateway (looked up only
          // while some redirect is held; nothing more per frame otherwise)
          const via = r._tag === "Gateway" && redirects.entries.size > 0
            ? RouteRules.redirectedTo(redirects, r.dst, clock.unsafeCurrentTimeMillis())
            : undefined
          if (via !== undefined) {
            n = entryFor(via, tx)
            if (n === undefined) {
              a.pendingDropped++
              return
            }
          } else if (n === undefined || n.removed) {
            n = entryFor(r.nextHop, tx)
            r.entry = n
            if (n === undefined) {
              a.pendingDropped++
              return
            }
          }
          const hw = macFor(n)
          if (hw !== undefined) {
            frameTo(frame, hw)
            tx.add(frame, meta)
            return
          }
          // Held past this send: keep our own copy of a gathered frame, and of one that is a
          // small part of a larger buffer (an echo reply built in its request's frame, a view
          // into the link's receive batch; a cut of the 64 KiB slab), which would keep all of
          // that alive while it waits. When the queue is full the oldest goes (RFC 1122
          // §2.3.2.2: keep the latest).
          if (n.pending.length >= config.arp.pendingFrames) {
            n.pending.shift()
            n.pendingMeta.shift()
            a.pendingDropped++
          }
          n.pending.push(frame instanceof Uint8Array ? ownFrame(frame) : flatten(frame))
          n.pendingMeta.push(meta)
        }
      }
    }

    const flush = (tx: Tx): Effect.Effect<void> =>
      tx.frames.length > 0 ? link.sendBatch(tx.frames, tx.meta) : Effect.void
    const sendNow = unsafeSendBatchOf(link.sendBatch)
    const flushNow = (tx: Tx): Effect.Effect<void> => {
      if (tx.frames.length === 0) return Effect.void
      if (sendNow === undefined) return link.sendBatch(tx.frames, tx.meta)
      sendNow(tx.frames, tx.meta)
      return Effect.void
    }

    const resolve = (ip: Addr.Ipv4Addr): Effect.Effect<Mac, NeighbourError> =>
      Effect.suspend(() => {
        const tx = new Tx()
        const n = entryFor(ip, tx)
        if (n === undefined) return Effect.fail(new NeighbourError({ reason: "TooManyPending", address: ip }))
        const hw = macFor(n)
        if (hw !== undefined) return Effect.as(flush(tx), hw)
        let w = waiters.get(n)
        if (w === undefined) {
          w = Deferred.unsafeMake<Mac, NeighbourError>(FiberId.none)
          waiters.set(n, w)
        }
        return Effect.zipRight(flush(tx), Deferred.await(w))
      })

    // --- ICMP redirects ---------------------------------------------------------------
    const redirect = (tx: Tx, notice: RouteRules.RedirectNotice): RouteRules.RedirectRefusal | undefined => {
      const now = clock.unsafeCurrentTimeMillis()
      const refusal = RouteRules.redirectRefusal(table, RouteRules.redirectedTo(redirects, notice.dst, now), notice)
      if (refusal !== undefined) return refusal
      // Linux's __ip_do_redirect takes a redirect only to a neighbour in a NUD_VALID state (a MAC
      // known: reachable, stale, delay or probe); for any other it sends neigh_event_send (an ARP
      // request) and drops the redirect: the router repeats it for our next datagram
      const n = cache.get(notice.gateway)
      if (n === undefined || n.mac === undefined) {
        entryFor(notice.gateway, tx)
        return "GatewayUnresolved"
      }
      RouteRules.holdRedirect(redirects, notice.dst, notice.gateway, now)
      return undefined
    }

    // --- the ARP reader ---------------------------------------------------------------
    const onArp = (frame: Uint8Array, now: number, tx: Tx): void => {
      const parsed = ArpWire.parse(frame.subarray(Eth.HEADER_LEN))
      if (Either.isLeft(parsed)) {
        a.malformed++
        return
      }
      const q = parsed.right
      // The sender's hardware address is written twice, in the Ethernet header and in the ARP
      // packet, and ARP has no checksum: copies that disagree are a damaged (or forged by
      // someone careless) packet. Believing it would point the neighbour's entry at a MAC
      // nobody answers at until the entry is next probed (30 s).
      if (!Eth.macEquals(frame.subarray(Eth.Field.src, Eth.Field.src + 6), q.senderMac)) {
        a.malformed++
        return
      }
      if (q.senderIp === config.address) {
        // Someone else claims our address (or our own broadcast came back).
        if (!Eth.macEquals(q.senderMac, mac)) a.conflicts++
        return
      }
      // No neighbour has a loopback, group, reserved or subnet-broadcast address: answering or
      // caching one would let a forged request poison the cache and draw replies for nothing
      // (Linux's arp_process routes the sender and drops a martian). 0.0.0.0 is a probe, below.
      if (q.senderIp !== 0 && RouteRules.martianSource(table, q.senderIp, q.targetIp) !== undefined) {
        a.martianSenders++
        return
      }
      const forUs = q.targetIp === config.address
      if (Eth.isMulticast(q.senderMac) || q.senderIp === 0) {
        // RFC 5227 probes use sender 0.0.0.0: answer, never cache (nor group MACs).
        if (q.op !== ArpWire.Op.Request || !forUs || q.senderIp !== 0) return
      } else {
        // RFC 826: update an entry we hold (one being resolved counts, as
        // Linux's INCOMPLETE does); create one only for a request addressed
        // to us (Linux's arp_accept=0: an unsolicited reply creates nothing).
        const n = cache.get(q.senderIp)
        if (n === undefined) {
          if (forUs && q.op === ArpWire.Op.Request) insert(Neighbour.stale(q.senderIp, q.senderMac, now), now)
        } else {
          // A unicast reply to our request proves the neighbour hears us.
          const solicited = q.op === ArpWire.Op.Reply && forUs && Eth.macEquals(frame, mac)
          switch (Neighbour.learn(n, q.senderMac, solicited, now)) {
            case "Resolved":
              resolved(n, tx)
              break
            case "Verify":
              // a new MAC, maybe forged: ask the held one now; the entry's timer follows up
              a.macChangesRefused++
              a.probesSent++
              tx.add(request(n.ip, n.mac!))
              // (its deadline is now Probe's, sooner than the Delay timer's that may be sleeping)
              timerFor(n)
              break
            case "Refused":
              a.macChangesRefused++
              break
            case "None":
              break
          }
          Neighbour.touch(cache, n)
        }
      }
      if (q.op === ArpWire.Op.Reply) {
        a.repliesReceived++
      } else if (q.op === ArpWire.Op.Request && forUs) {
        a.requestsReceived++
        a.repliesSent++
        tx.add(arpFrame(q.senderMac, ArpWire.Op.Reply, q.senderMac, q.senderIp))
      }
    }
    const arpInbox = yield* bind(Eth.EtherType.ARP, config.queues.dealer)
    yield* consumeBatches(arpInbox, (batch: ReadonlyArray<Uint8Array>) =>
      Effect.suspend(() => {
        const tx = new Tx()
        const now = clock.unsafeCurrentTimeMillis()
        for (const f of batch) onArp(f, now, tx)
        return flush(tx)
      })).pipe(Effect.forkScoped)

    // Announce ourselves (RFC 5227 §2.3: an ARP request with sender = target = our address).
    yield* link.send(request(config.address, Eth.BROADCAST))

    return Interface.of({
      mac,
      address: config.address,
      prefixLength: config.prefixLength,
      mtu,
      offload: link.offload ?? NO_OFFLOAD,
      bind,
      route,
      output,
      flush,
      flushNow,
      resolve,
      neighbour: (ip) =>
        Effect.sync(() => {
          const n = cache.get(ip)
          return n === undefined ? Option.none() : Option.some({ mac: n.mac, state: n.state })
        }),
      confirm: (ip) => {
        const n = cache.get(ip)
        if (n !== undefined) Neighbour.confirm(n, clock.unsafeCurrentTimeMillis())
      },
      firstHop: (r) =>
        r._tag === "Direct"
          ? r.nextHop
          : r._tag === "Gateway"
          ? RouteRules.redirectedTo(redirects, r.dst, clock.unsafeCurrentTimeMillis()) ?? r.nextHop
          : undefined,
      onResolutionFailed: (handler) =>
        Effect.acquireRelease(
          Effect.sync(() => {
            failedHandler = handler
          }),
          () =>
            Effect.sync(() => {
              if (failedHandler === handler) failedHandler = undefined
            })
        ),
      redirect,
      redirectEvictions: () => redirects.evictions,
      stats: Effect.sync(() => ({ ethernet: { ...e }, arp: { ...a, cacheSize: cache.size } }))
    })
  })

/** The interface over the `Link` in context. @category layers */
export const layer = Layer.scoped(Interface, Effect.flatMap(Link, make))
