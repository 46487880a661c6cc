/**
 * ARP (RFC 826) for IPv4 over Ethernet: the resolver and the responder.
 *
 * Fibers
 * - One reader fiber takes batches of ARP frames from the Ethernet dealer. It
 *   answers requests for our address, merges senders into the cache by RFC
 *   826's rule, and completes resolutions that were waiting for a sender.
 * - One resolver fiber per unresolved address (the paper's "each ARP request
 *   waits in its own process"): it broadcasts a request, waits
 *   `retryInterval` on the Clock for the answer, retries up to `retries`
 *   times (RFC 1122 §2.3.2.1: at most one request per second per address),
 *   then fails every waiter with `ArpError("Timeout")`.
 *
 * Sending through ARP
 * `send(nextHop, frames)` is how IPv4 hands over frames: with a fresh cache
 * entry the destination MAC is written in and the frames go out at once;
 * otherwise they wait (at most `pendingFrames` per address, like Linux's
 * unres_qlen) and go out when the answer comes, or are dropped and counted
 * when the resolution times out. The caller never waits for ARP.
 * `resolve(ip)` is for callers that want the MAC itself; concurrent calls for
 * one address share one resolver fiber and one series of requests.
 *
 * A gratuitous ARP (an announcement, RFC 5227 §2.3) goes out at start so
 * neighbours that cached an older MAC for our address update it.
 *
 * @since 0.1.0
 */
import { Clock, Context, Data, Deferred, Duration, Effect, Either, FiberSet, Layer, Option } from "effect"
import { Config } from "../Config.js"
import { Ethernet } from "../ethernet/Ethernet.js"
import { consumeBatches, runAll } from "../internal/Handoff.js"
import type { Mac } from "../wire/Mac.js"
import * as ArpWire from "../wire/ArpPacket.js"
import * as Eth from "../wire/EthernetFrame.js"
import * as Addr from "../wire/Ipv4Addr.js"
import * as ArpCache from "./ArpCache.js"

/** @category errors */
export class ArpError extends Data.TaggedError("ArpError")<{
  readonly reason: "Timeout" | "TooManyPending"
  readonly address: Addr.Ipv4Addr
}> {
  override get message(): string {
    return this.reason === "Timeout"
      ? `no ARP reply from ${Addr.format(this.address)}`
      : `too many addresses being resolved; ${Addr.format(this.address)} refused`
  }
}

/** @category models */
export interface ArpStats {
  readonly requestsSent: number
  readonly requestsReceived: number
  readonly repliesSent: number
  readonly repliesReceived: number
  readonly malformed: number
  /** packets claiming our own address from another MAC (RFC 5227 conflict) */
  readonly conflicts: number
  readonly resolveTimeouts: number
  /** frames dropped: their resolution timed out, or the per-address queue was full */
  readonly pendingDropped: number
  readonly cacheEvictions: number
  readonly cacheSize: number
}

/** @category models */
export interface ArpService {
  readonly resolve: (ip: Addr.Ipv4Addr) => Effect.Effect<Mac, ArpError>
  /**
   * Send whole Ethernet frames (source MAC and EtherType written, destination
   * to be filled in) to the neighbour `nextHop`. Never waits for resolution.
   */
  readonly send: (nextHop: Addr.Ipv4Addr, frames: ReadonlyArray<Uint8Array>) => Effect.Effect<void>
  /** the cached MAC, if fresh */
  readonly lookup: (ip: Addr.Ipv4Addr) => Effect.Effect<Option.Option<Mac>>
  readonly stats: Effect.Effect<ArpStats>
}

/** @category tags */
export class Arp extends Context.Tag("gonet/Arp")<Arp, ArpService>() {}

interface Resolution {
  readonly done: Deferred.Deferred<Mac, ArpError>
  readonly pending: Array<Uint8Array>
}

const ZERO_MAC = new Uint8Array(6)

/** @category constructors */
export const make = Effect.gen(function*() {
  const config = yield* Config
  const eth = yield* Ethernet
  const link = eth.link
  const mac = eth.mac
  const ttlMs = Duration.toMillis(config.arp.entryTtl)
  const cache = ArpCache.empty()
  const resolving = new Map<Addr.Ipv4Addr, Resolution>()
  const fibers = yield* FiberSet.make()
  const c = {
    requestsSent: 0,
    requestsReceived: 0,
    repliesSent: 0,
    repliesReceived: 0,
    malformed: 0,
    conflicts: 0,
    resolveTimeouts: 0,
    pendingDropped: 0,
    cacheEvictions: 0
  }

  const arpFrame = (dst: Mac, repr: ArpWire.ArpRepr): Uint8Array => {
    const frame = new Uint8Array(Eth.HEADER_LEN + ArpWire.PACKET_LEN)
    Eth.encodeHeader(frame, 0, dst, mac, Eth.EtherType.ARP)
    ArpWire.encode(repr, frame, Eth.HEADER_LEN)
    return frame
  }

  const sendRequest = (target: Addr.Ipv4Addr) =>
    Effect.suspend(() => {
      c.requestsSent++
      return link.send(arpFrame(Eth.BROADCAST, {
        op: ArpWire.Op.Request,
        senderMac: mac,
        senderIp: config.address,
        targetMac: ZERO_MAC,
        targetIp: target
      }))
    })

  const fill = (frames: ReadonlyArray<Uint8Array>, dst: Mac) => {
    for (const f of frames) f.set(dst, 0)
    return frames
  }

  /** A mapping for `ip` is known: release everything that waited for it. */
  const resolved = (ip: Addr.Ipv4Addr, hw: Mac) =>
    Effect.suspend(() => {
      const r = resolving.get(ip)
      if (r === undefined) return Effect.void
      resolving.delete(ip)
      const out = r.pending.length > 0 ? link.sendBatch(fill(r.pending, hw)) : Effect.void
      return Effect.zipRight(out, Deferred.succeed(r.done, hw))
    })

  /** The resolver fiber for one address. */
  const runResolver = (ip: Addr.Ipv4Addr, r: Resolution) =>
    Effect.gen(function*() {
      for (let attempt = 0; attempt < config.arp.retries; attempt++) {
        yield* sendRequest(ip)
        const answer = yield* Deferred.await(r.done).pipe(
          Effect.timeoutOption(config.arp.retryInterval),
          Effect.option
        )
        if (Option.isSome(answer) && Option.isSome(answer.value)) return
        if (resolving.get(ip) !== r) return
      }
      resolving.delete(ip)
      c.resolveTimeouts++
      c.pendingDropped += r.pending.length
      r.pending.length = 0
      yield* Deferred.fail(r.done, new ArpError({ reason: "Timeout", address: ip }))
    })

  /** Find or start the resolution of `ip`; undefined when too many are running. */
  const resolution = (ip: Addr.Ipv4Addr): Effect.Effect<Resolution | undefined> =>
    Effect.suspend(() => {
      const existing = resolving.get(ip)
      if (existing !== undefined) return Effect.succeed(existing)
      if (resolving.size >= config.arp.maxResolving) return Effect.succeed(undefined)
      return Effect.gen(function*() {
        const r: Resolution = { done: yield* Deferred.make<Mac, ArpError>(), pending: [] }
        resolving.set(ip, r)
        yield* FiberSet.run(fibers, runResolver(ip, r))
        return r
      })
    })

  const lookupNow = (ip: Addr.Ipv4Addr) =>
    Effect.map(Clock.currentTimeMillis, (now) => ArpCache.lookup(cache, ip, now))

  const resolve = (ip: Addr.Ipv4Addr): Effect.Effect<Mac, ArpError> =>
    Effect.flatMap(lookupNow(ip), (hit) =>
      hit !== undefined
        ? Effect.succeed(hit)
        : Effect.flatMap(resolution(ip), (r) =>
          r === undefined
            ? Effect.fail(new ArpError({ reason: "TooManyPending", address: ip }))
            : Deferred.await(r.done)))

  const send = (nextHop: Addr.Ipv4Addr, frames: ReadonlyArray<Uint8Array>): Effect.Effect<void> =>
    Effect.flatMap(lookupNow(nextHop), (hit) => {
      if (hit !== undefined) return link.sendBatch(fill(frames, hit))
      return Effect.map(resolution(nextHop), (r) => {
        if (r === undefined) {
          c.pendingDropped += frames.length
          return
        }
        const room = config.arp.pendingFrames - r.pending.length
        for (let i = 0; i < frames.length; i++) {
          if (i < room) r.pending.push(frames[i]!)
          else c.pendingDropped++
        }
      })
    })

  // --- the reader fiber -----------------------------------------------------
  const onFrame = (frame: Uint8Array, now: number): Effect.Effect<void> => {
    const parsed = ArpWire.parse(frame.subarray(Eth.HEADER_LEN))
    if (Either.isLeft(parsed)) {
      c.malformed++
      return Effect.void
    }
    const p = parsed.right
    if (p.senderIp === config.address) {
      // Someone else claims our address (or our own broadcast came back).
      if (!Eth.macEquals(p.senderMac, mac)) c.conflicts++
      return Effect.void
    }
    if (Eth.isMulticast(p.senderMac) || p.senderIp === 0) {
      // RFC 5227 probes use sender 0.0.0.0; never cache group MACs.
      if (p.op === ArpWire.Op.Request && p.targetIp === config.address && p.senderIp === 0) {
        c.requestsReceived++
      } else {
        return Effect.void
      }
    }
    const forUs = p.targetIp === config.address
    const effects: Array<Effect.Effect<void>> = []
    if (p.senderIp !== 0) {
      // An address being resolved counts as an entry we hold (Linux keeps an
      // INCOMPLETE one): RFC 826 then merges the sender in, gratuitous or not.
      const held = forUs || resolving.has(p.senderIp)
      const m = ArpCache.merge(cache, p.senderIp, p.senderMac, held, now, ttlMs, config.arp.cacheSize)
      c.cacheEvictions += m.evicted
      if (m.learned) effects.push(resolved(p.senderIp, p.senderMac))
    }
    if (p.op === ArpWire.Op.Reply) {
      c.repliesReceived++
    } else if (p.op === ArpWire.Op.Request && forUs) {
      if (p.senderIp !== 0) c.requestsReceived++
      c.repliesSent++
      effects.push(link.send(arpFrame(p.senderMac, {
        op: ArpWire.Op.Reply,
        senderMac: mac,
        senderIp: config.address,
        targetMac: p.senderMac,
        targetIp: p.senderIp
      })))
    }
    return runAll(effects)
  }

  const inbox = yield* eth.bind(Eth.EtherType.ARP, config.queues.dealer)
  yield* consumeBatches(inbox, (batch: ReadonlyArray<Uint8Array>) =>
    Effect.flatMap(Clock.currentTimeMillis, (now) => Effect.forEach(batch, (f) => onFrame(f, now), { discard: true }))
  ).pipe(Effect.forkScoped)

  // Announce ourselves (RFC 5227 §2.3: an ARP request with sender = target = our address).
  yield* sendRequest(config.address)

  return Arp.of({
    resolve,
    send,
    lookup: (ip) => Effect.map(lookupNow(ip), Option.fromNullable),
    stats: Effect.sync(() => ({ ...c, cacheSize: cache.size }))
  })
})

/** @category layers */
export const layer = Layer.scoped(Arp, make)
