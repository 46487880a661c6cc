/**
 * The IPv4 layer (RFC 791, RFC 1122 §3.2-3.3): the IPv4 dealer, the fragment
 * assemblers, the send path with fragmentation, and ICMP error generation.
 *
 * Receive
 * - One dealer fiber takes batches of frames from the Ethernet dealer and
 *   validates each datagram in place (`Ipv4.check`: version, IHL, total length
 *   against the frame, header checksum; options skipped). It accepts datagrams for our
 *   address and the limited or directed broadcast, and drops the rest (a host
 *   does not forward, RFC 1122 §3.3.1.5). A source that is broadcast or
 *   multicast is dropped (RFC 1122 §3.2.1.3). TTL is not checked on receipt:
 *   RFC 1122 §3.2.1.7 forbids a host to discard a datagram for a low TTL.
 * - Whole datagrams are dealt by protocol number to the protocols that `bind`
 *   one, one batch per protocol per wake-up, through bounded mailboxes that
 *   drop and count. An unbound protocol gets ICMP protocol unreachable.
 * - Fragments go to one assembler fiber per (src, dst, id, protocol), forked
 *   in the layer's scope. It owns the `Reassembly` state, completes the
 *   datagram or, after `reassembly.timeout` on the Clock from its first
 *   fragment, gives up and sends ICMP time exceeded (code 1) if the first
 *   fragment had arrived (RFC 792, RFC 1122 §3.3.2). The number of assemblies
 *   and the octets they hold are bounded; fragments beyond either are dropped
 *   and counted.
 *
 * Send
 * - `send` routes (`Route.select`), builds whole frames, and fragments
 *   datagrams larger than the MTU (RFC 791 §3.2) unless DF is set, in which
 *   case it fails with `Ipv4Error("FragmentationNeeded")`. Frames go through
 *   ARP, which never makes the caller wait. Datagrams to our own address loop
 *   back into the dealer without touching the link.
 * - `icmpError` sends destination unreachable / time exceeded about a received
 *   datagram, obeying RFC 1122 §3.2.2 (never about an ICMP error, a broadcast,
 *   a link-layer broadcast, a non-initial fragment or a non-unicast source)
 *   and a token-bucket rate limit (RFC 1812 §4.3.2.8).
 *
 * @since 0.1.0
 */
import { Clock, Context, Data, Duration, Effect, Either, FiberSet, Layer, Mailbox, Option, Queue, Random } from "effect"
import type { Scope } from "effect"
import { Arp } from "../arp/Arp.js"
import { Config } from "../Config.js"
import { Ethernet } from "../ethernet/Ethernet.js"
import { bindDropping, consumeBatches, runAll } from "../internal/Handoff.js"
import * as Eth from "../wire/EthernetFrame.js"
import * as Icmp from "../wire/IcmpMessage.js"
import * as Ip from "../wire/Ipv4Header.js"
import * as Addr from "../wire/Ipv4Addr.js"
import type { WireReason } from "../wire/WireError.js"
import * as Reassembly from "./Reassembly.js"
import * as Route from "./Route.js"
import * as TokenBucket from "./TokenBucket.js"

/**
 * A received datagram (reassembled if it came in fragments), as protocols see
 * it. It points into the buffer it arrived in instead of slicing it: the
 * receive path runs per packet, and every view it does not create is garbage
 * it does not collect. `payloadOf` and `quoteOf` make the views on demand.
 * The receiver owns `bytes`.
 */
export interface Ipv4Packet {
  readonly src: Addr.Ipv4Addr
  readonly dst: Addr.Ipv4Addr
  readonly protocol: number
  readonly ttl: number
  readonly tos: number
  /** the buffer holding the datagram (for a reassembled one: fragment zero's header, then the data) */
  readonly bytes: Uint8Array
  /** where the IP header starts in `bytes` */
  readonly offset: number
  /** IP header length in octets, options included */
  readonly headerLen: number
  /** transport octets, starting at `offset + headerLen` */
  readonly payloadLength: number
  /** sent to a broadcast IP address or Ethernet broadcast: never answered with ICMP errors */
  readonly broadcast: boolean
}

/** The transport payload of a packet, as a view. */
export const payloadOf = (p: Ipv4Packet): Uint8Array =>
  p.bytes.subarray(p.offset + p.headerLen, p.offset + p.headerLen + p.payloadLength)

/** What an ICMP error quotes: the IP header and the first 8 payload octets (RFC 792). */
export const quoteOf = (p: Ipv4Packet): Uint8Array =>
  p.bytes.subarray(p.offset, p.offset + p.headerLen + Math.min(8, p.payloadLength))

/** @category models */
export interface SendOptions {
  readonly dst: Addr.Ipv4Addr
  readonly protocol: number
  readonly payload: Uint8Array
  readonly ttl?: number
  readonly tos?: number
  readonly dontFragment?: boolean
}

/** @category errors */
export class Ipv4Error extends Data.TaggedError("Ipv4Error")<{
  readonly reason: "NoRoute" | "FragmentationNeeded" | "TooBig"
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

/** @category models */
export interface Ipv4Stats {
  readonly received: number
  readonly delivered: number
  readonly malformed: Readonly<Partial<Record<WireReason, number>>>
  readonly notForUs: number
  readonly badSource: number
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
  readonly assemblyBytes: number
  readonly sent: number
  /** datagrams `sendAll` could not send (no route, too big) */
  readonly sendFailed: number
  readonly fragmentsSent: number
  readonly icmpErrorsSent: number
  readonly icmpErrorsRateLimited: number
}

export type IcmpErrorKind =
  | { readonly _tag: "DstUnreachable"; readonly code: number }
  | { readonly _tag: "TimeExceeded"; readonly code: number }

/** @category models */
export interface Ipv4Service {
  readonly address: Addr.Ipv4Addr
  readonly prefixLength: number
  readonly mtu: number
  /** receive every datagram of `protocol` for us; one consumer; the scope unbinds */
  readonly bind: (
    protocol: number,
    capacity: number
  ) => Effect.Effect<Mailbox.ReadonlyMailbox<ReadonlyArray<Ipv4Packet>>, never, Scope.Scope>
  readonly send: (options: SendOptions) => Effect.Effect<void, Ipv4Error>
  /** send many datagrams best effort (failures counted in `sendFailed`), batched per neighbour */
  readonly sendAll: (batch: ReadonlyArray<SendOptions>) => Effect.Effect<void>
  /** tell the sender of `about` that it failed; suppressed where RFC 1122 §3.2.2 says so */
  readonly icmpError: (about: Ipv4Packet, kind: IcmpErrorKind) => Effect.Effect<void>
  /** `icmpError` for several datagrams at once */
  readonly icmpErrors: (abouts: ReadonlyArray<Ipv4Packet>, kind: IcmpErrorKind) => Effect.Effect<void>
  readonly stats: Effect.Effect<Ipv4Stats>
}

/** @category tags */
export class Ipv4 extends Context.Tag("gonet/Ipv4")<Ipv4, Ipv4Service>() {}

interface Assembler {
  readonly inbox: Queue.Queue<Reassembly.Fragment>
}

/** We send no IP options; one shared empty array instead of one per datagram. */
const NO_OPTIONS = new Uint8Array(0)

/** ICMP types that are errors: never answer them with an error (RFC 1122 §3.2.2). */
const isIcmpError = (type: number) => type === 3 || type === 4 || type === 5 || type === 11 || type === 12

/** @category constructors */
export const make = Effect.gen(function*() {
  const config = yield* Config
  const eth = yield* Ethernet
  const arp = yield* Arp
  // Ethernet was built with the configured MTU when there is one (Stack.layer).
  const mtu = eth.mtu
  const table: Route.RouteTable = config
  const timeoutMs = Duration.toMillis(config.reassembly.timeout)
  const bound = new Map<number, Mailbox.Mailbox<ReadonlyArray<Ipv4Packet>>>()
  const assemblies = new Map<string, Assembler>()
  const fibers = yield* FiberSet.make()
  let nextId = yield* Random.nextIntBetween(0, 0x10000)
  let bucket = TokenBucket.full(config.icmp.errorBurst, yield* Clock.currentTimeMillis)
  const malformed: Partial<Record<WireReason, number>> = {}
  const c = {
    received: 0,
    delivered: 0,
    notForUs: 0,
    badSource: 0,
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
    icmpErrorsRateLimited: 0
  }

  // --- send ------------------------------------------------------------------

  /** Frames for one datagram, fragmented to the MTU; Ethernet dst left zero for ARP to fill. */
  const buildFrames = (o: SendOptions, dstMac: Uint8Array | undefined): Either.Either<Array<Uint8Array>, Ipv4Error> => {
    const id = nextId
    nextId = (nextId + 1) & 0xffff
    const header = {
      tos: o.tos ?? 0,
      id,
      dontFragment: o.dontFragment ?? false,
      moreFragments: false,
      fragmentOffset: 0,
      ttl: o.ttl ?? config.ttl,
      protocol: o.protocol,
      src: config.address,
      dst: o.dst,
      options: NO_OPTIONS
    }
    const payload = o.payload
    if (Ip.MIN_HEADER_LEN + payload.length > Ip.MAX_PACKET_LEN) {
      return Either.left(new Ipv4Error({ reason: "TooBig", dst: o.dst }))
    }
    const frameFor = (offset: number, length: number, more: boolean) => {
      const frame = new Uint8Array(Eth.HEADER_LEN + Ip.MIN_HEADER_LEN + length)
      Eth.encodeHeader(frame, 0, dstMac ?? Eth.BROADCAST, eth.mac, Eth.EtherType.IPv4)
      const at = Ip.encodeHeader({ ...header, moreFragments: more, fragmentOffset: offset }, length, frame, Eth.HEADER_LEN)
      frame.set(payload.subarray(offset, offset + length), at)
      return frame
    }
    if (Ip.MIN_HEADER_LEN + payload.length <= mtu) return Either.right([frameFor(0, payload.length, false)])
    if (header.dontFragment) return Either.left(new Ipv4Error({ reason: "FragmentationNeeded", dst: o.dst }))
    const plan = Reassembly.fragmentPlan(payload.length, Ip.MIN_HEADER_LEN, mtu)
    c.fragmentsSent += plan.length
    return Either.right(plan.map((p) => frameFor(p.offset, p.length, p.more)))
  }

  /** Route one datagram and build its frames; the destination MAC is ours (loopback), broadcast, or ARP's to fill. */
  const prepare = (o: SendOptions): Either.Either<{ readonly route: Route.Route; readonly frames: Array<Uint8Array> }, Ipv4Error> => {
    const route = Route.select(table, o.dst)
    if (route._tag === "NoRoute") return Either.left(new Ipv4Error({ reason: "NoRoute", dst: o.dst }))
    const dstMac = route._tag === "Local" ? eth.mac : route._tag === "Broadcast" ? Eth.BROADCAST : undefined
    return Either.map(buildFrames(o, dstMac), (frames) => {
      c.sent++
      return { route, frames }
    })
  }

  /** Hand prepared frames to where their route says: our own dealer, the link, or ARP. */
  const transmit = (route: Route.Route, frames: ReadonlyArray<Uint8Array>): Effect.Effect<void> => {
    switch (route._tag) {
      case "Local":
        return deal(frames, true)
      case "Broadcast":
        return eth.link.sendBatch(frames)
      case "Direct":
      case "Gateway":
        return arp.send(route.nextHop, frames)
      case "NoRoute":
        return Effect.void
    }
  }

  const send = (o: SendOptions): Effect.Effect<void, Ipv4Error> =>
    Effect.suspend(() => {
      const prepared = prepare(o)
      return Either.isLeft(prepared) ? prepared.left : transmit(prepared.right.route, prepared.right.frames)
    })

  /**
   * Send many datagrams, best effort: those that cannot go (no route, too
   * big) are dropped and counted in `sendFailed`. Frames for one neighbour go
   * to ARP, and so to the link, as one batch: a dealer answering a batch of
   * requests pays the per-send costs once.
   */
  const sendAll = (batch: ReadonlyArray<SendOptions>): Effect.Effect<void> =>
    Effect.suspend(() => {
      const byHop = new Map<Addr.Ipv4Addr, Array<Uint8Array>>()
      const effects: Array<Effect.Effect<void>> = []
      for (const o of batch) {
        const prepared = prepare(o)
        if (Either.isLeft(prepared)) {
          c.sendFailed++
          continue
        }
        const { route, frames } = prepared.right
        if (route._tag !== "Direct" && route._tag !== "Gateway") {
          effects.push(transmit(route, frames))
          continue
        }
        const list = byHop.get(route.nextHop)
        if (list) list.push(...frames)
        else byHop.set(route.nextHop, frames)
      }
      for (const [hop, frames] of byHop) effects.push(arp.send(hop, frames))
      return runAll(effects)
    })

  // --- ICMP errors -------------------------------------------------------------

  /** The error message to send about `about` now, or undefined where policy or the rate limit says no. */
  const icmpErrorFor = (about: Ipv4Packet, kind: IcmpErrorKind, now: number): Uint8Array | undefined => {
    if (about.broadcast) return undefined
    if (about.src === 0 || about.src === Addr.BROADCAST || Addr.isMulticast(about.src)) return undefined
    if (Route.isBroadcastFor(table, about.src)) return undefined
    if (
      about.protocol === Ip.Protocol.ICMP &&
      (about.payloadLength === 0 || isIcmpError(about.bytes[about.offset + about.headerLen]!))
    ) {
      return undefined
    }
    const next = TokenBucket.take(bucket, now, config.icmp.errorsPerSecond, config.icmp.errorBurst)
    if (next === undefined) {
      c.icmpErrorsRateLimited++
      return undefined
    }
    bucket = next
    c.icmpErrorsSent++
    return Icmp.emit(
      kind._tag === "DstUnreachable"
        ? { _tag: "DstUnreachable", code: kind.code, nextHopMtu: 0, data: quoteOf(about) }
        : { _tag: "TimeExceeded", code: kind.code, data: quoteOf(about) }
    )
  }

  /** ICMP errors about several datagrams: one Clock read for the lot (a flood to a closed port is one batch). */
  const icmpErrors = (abouts: ReadonlyArray<Ipv4Packet>, kind: IcmpErrorKind): Effect.Effect<void> =>
    Effect.flatMap(Clock.currentTimeMillis, (now) => {
      const messages: Array<SendOptions> = []
      for (const about of abouts) {
        const payload = icmpErrorFor(about, kind, now)
        if (payload !== undefined) messages.push({ dst: about.src, protocol: Ip.Protocol.ICMP, payload })
      }
      // One batch per neighbour, as for any other batch of sends.
      return messages.length === 0 ? Effect.void : sendAll(messages)
    })

  const icmpError = (about: Ipv4Packet, kind: IcmpErrorKind): Effect.Effect<void> => icmpErrors([about], kind)

  // --- receive -----------------------------------------------------------------

  const deliverAll = (byProto: Map<number, Array<Ipv4Packet>>): Effect.Effect<void> => {
    const effects: Array<Effect.Effect<void>> = []
    for (const [proto, packets] of byProto) {
      const q = bound.get(proto)
      if (q === undefined) {
        c.unknownProtocol += packets.length
        effects.push(icmpErrors(packets, { _tag: "DstUnreachable", code: Icmp.DstUnreachableCode.ProtocolUnreachable }))
        continue
      }
      // Synchronous, never waits: the queue drops when full (see Ethernet.ts).
      if (q.unsafeOffer(packets)) c.delivered += packets.length
      else c.queueDropped += packets.length
    }
    return runAll(effects)
  }

  /**
   * A packet for a datagram held in `bytes` from offset 0: its IP header
   * (fragment zero's, for a reassembled one), then `bytes.length - hl` octets.
   */
  const packetOf = (
    bytes: Uint8Array,
    src: Addr.Ipv4Addr,
    dst: Addr.Ipv4Addr,
    protocol: number,
    broadcast: boolean
  ): Ipv4Packet => {
    const headerLen = (bytes[Ip.Field.verIhl]! & 0x0f) * 4
    return {
      src,
      dst,
      protocol,
      ttl: bytes[Ip.Field.ttl]!,
      tos: bytes[Ip.Field.tos]!,
      bytes,
      offset: 0,
      headerLen,
      payloadLength: bytes.length - headerLen,
      broadcast
    }
  }

  const runAssembler = (
    key: string,
    inbox: Queue.Queue<Reassembly.Fragment>,
    src: Addr.Ipv4Addr,
    dst: Addr.Ipv4Addr,
    protocol: number,
    broadcast: boolean
  ) => {
    // `maxBytes` accounting: the dealer charges each fragment's octets when it
    // queues it here (so a burst cannot overshoot before this fiber runs); on
    // taking it, this fiber swaps that charge for the octets it actually keeps.
    const st = { held: 0 }
    const release = () => {
      c.assemblyBytes -= st.held
      st.held = 0
    }
    const cleanup = Effect.suspend(() => {
      if (assemblies.get(key)?.inbox === inbox) assemblies.delete(key)
      release()
      return Effect.zipRight(
        Effect.map(Queue.takeAll(inbox), (left) => {
          for (const f of left) c.assemblyBytes -= f.data.length
        }),
        Queue.shutdown(inbox)
      )
    })
    return Effect.gen(function*() {
      const deadline = (yield* Clock.currentTimeMillis) + timeoutMs
      let a = Reassembly.empty
      let failed = false
      while (true) {
        const now = yield* Clock.currentTimeMillis
        if (now >= deadline) break
        const next = yield* Queue.take(inbox).pipe(Effect.timeoutOption(Duration.millis(deadline - now)))
        if (Option.isNone(next)) break
        c.assemblyBytes -= next.value.data.length
        if (failed) continue
        const r = Reassembly.add(a, next.value)
        switch (r._tag) {
          case "Incomplete":
            c.assemblyBytes += r.assembly.bytes - st.held
            st.held = r.assembly.bytes
            a = r.assembly
            break
          case "Duplicate":
            a = r.assembly
            break
          case "Complete": {
            yield* cleanup
            c.reassembled++
            const hl = (r.first[0]! & 0x0f) * 4
            const bytes = new Uint8Array(hl + r.payload.length)
            bytes.set(r.first.subarray(0, hl))
            bytes.set(r.payload, hl)
            return yield* deliverAll(new Map([[protocol, [packetOf(bytes, src, dst, protocol, broadcast)]]]))
          }
          default:
            // Overlap, oversize or inconsistency: discard the datagram, and keep
            // swallowing its fragments until the timeout so none restarts it.
            failed = true
            c.reassemblyFailures++
            release()
            a = Reassembly.empty
        }
      }
      yield* cleanup
      if (failed) return
      c.reassemblyTimeouts++
      if (a.first === undefined) return
      // RFC 792 / RFC 1122 §3.3.2: time exceeded, code 1, only when fragment zero arrived.
      yield* icmpError(
        packetOf(a.first, src, dst, protocol, broadcast),
        { _tag: "TimeExceeded", code: Icmp.TimeExceededCode.FragmentReassembly }
      )
    }).pipe(Effect.onInterrupt(() => cleanup))
  }

  // Suspended: the dealer builds these for a whole batch before running them,
  // and each must see the assemblies its predecessors created.
  const toAssembler = (p: Ip.Ipv4Repr, packet: Uint8Array, broadcast: boolean): Effect.Effect<void> =>
    Effect.suspend(() => toAssemblerNow(p, packet, broadcast))

  const toAssemblerNow = (p: Ip.Ipv4Repr, packet: Uint8Array, broadcast: boolean): Effect.Effect<void> => {
    c.fragmentsReceived++
    const key = `${p.src}/${p.dst}/${p.id}/${p.protocol}`
    const frag: Reassembly.Fragment = {
      offset: p.fragmentOffset,
      more: p.moreFragments,
      data: p.payload,
      headerLen: Ip.MIN_HEADER_LEN + p.options.length,
      packet
    }
    if (c.assemblyBytes + p.payload.length > config.reassembly.maxBytes) {
      c.reassemblyDropped++
      return Effect.void
    }
    const charge = (ok: boolean) => {
      if (ok) c.assemblyBytes += frag.data.length
      else c.reassemblyDropped++
    }
    const existing = assemblies.get(key)
    if (existing !== undefined) return Effect.map(Queue.offer(existing.inbox, frag), charge)
    if (assemblies.size >= config.reassembly.maxAssemblies) {
      c.reassemblyDropped++
      return Effect.void
    }
    return Effect.gen(function*() {
      // One datagram has at most 8192 fragments; 64 waiting is plenty for one fiber.
      const inbox = yield* Queue.dropping<Reassembly.Fragment>(64)
      assemblies.set(key, { inbox })
      charge(yield* Queue.offer(inbox, frag))
      yield* FiberSet.run(fibers, runAssembler(key, inbox, p.src, p.dst, p.protocol, broadcast))
    })
  }

  /**
   * Process a batch of frames (from the link, or looped back from `send`).
   * Whole datagrams are validated in place (`Ip.check`) and described by one
   * `Ipv4Packet` each; only fragments take the allocating `Ip.parse` path.
   */
  const deal = (frames: ReadonlyArray<Uint8Array>, local = false): Effect.Effect<void> =>
    Effect.suspend(() => {
      const byProto = new Map<number, Array<Ipv4Packet>>()
      let fragments: Array<Effect.Effect<void>> | undefined
      const off = Eth.HEADER_LEN
      for (const frame of frames) {
        c.received++
        const hl = Ip.check(frame, off, frame.length)
        if (hl < 0) {
          const r = Ip.CHECK_REASONS[-hl - 1]!
          malformed[r] = (malformed[r] ?? 0) + 1
          continue
        }
        const dst = Addr.read(frame, off + Ip.Field.dst)
        const src = Addr.read(frame, off + Ip.Field.src)
        if (!Route.isOurs(table, dst) && !(local && dst >>> 24 === 127)) {
          c.notForUs++
          continue
        }
        if (src === Addr.BROADCAST || Addr.isMulticast(src) || (!local && src === config.address)) {
          c.badSource++
          continue
        }
        const broadcast = Route.isBroadcastFor(table, dst) || (!local && Eth.isBroadcast(frame))
        const total = Ip.totalLength(frame, off)
        if (Ip.isFragment(frame, off)) {
          const packet = frame.subarray(off, off + total)
          // `check` above verified the header; parse only to read the fragment fields.
          const p = Either.getOrThrow(Ip.parse(packet, { verifyChecksum: false }))
          ;(fragments ??= []).push(toAssembler(p, packet, broadcast))
          continue
        }
        const protocol = frame[off + Ip.Field.protocol]!
        const ip: Ipv4Packet = {
          src,
          dst,
          protocol,
          ttl: frame[off + Ip.Field.ttl]!,
          tos: frame[off + Ip.Field.tos]!,
          bytes: frame,
          offset: off,
          headerLen: hl,
          payloadLength: total - hl,
          broadcast
        }
        const arr = byProto.get(protocol)
        if (arr) arr.push(ip)
        else byProto.set(protocol, [ip])
      }
      const delivering = byProto.size > 0 ? deliverAll(byProto) : Effect.void
      return fragments === undefined
        ? delivering
        : Effect.zipRight(delivering, runAll(fragments))
    })

  const inbox = yield* eth.bind(Eth.EtherType.IPv4, config.queues.dealer)
  yield* consumeBatches(inbox, (frames: ReadonlyArray<Uint8Array>) => deal(frames)).pipe(Effect.forkScoped)

  const bind = (protocol: number, capacity: number) =>
    bindDropping(bound, protocol, capacity, (p) => `IP protocol ${p}`)

  return Ipv4.of({
    address: config.address,
    prefixLength: config.prefixLength,
    mtu,
    bind,
    send,
    sendAll,
    icmpError,
    icmpErrors,
    stats: Effect.sync(() => ({ ...c, malformed: { ...malformed }, assemblies: assemblies.size }))
  })
})

/** @category layers */
export const layer = Layer.scoped(Ipv4, make)
