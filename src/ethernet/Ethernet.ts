/**
 * The Ethernet dealer (the paper's lowest "packet dealer").
 *
 * One fiber takes batches of frames from the link, keeps those addressed to
 * our MAC or to broadcast, and deals them out by EtherType to the protocols
 * that `bind` one (IPv4 0x0800, ARP 0x0806). Each bound protocol has its own
 * bounded mailbox whose elements are batches (DESIGN.md §3): the dealer offers
 * at most one array per protocol per wake-up, however many link batches it
 * took. When a protocol's mailbox is full the batch is dropped and counted,
 * never waited for: a slow protocol must not stall the others, and every
 * protocol above tolerates loss.
 *
 * Frames handed to a protocol are whole Ethernet frames (header included), so
 * the protocol can read the source MAC; the receiver owns them.
 *
 * @since 0.1.0
 */
import { Context, Effect, Layer, Mailbox } from "effect"
import type { Scope } from "effect"
import { Link, type LinkService } from "../link/Link.js"
import type { Mac } from "../wire/Mac.js"
import * as Eth from "../wire/EthernetFrame.js"
import { bindDropping, consumeBatches } from "../internal/Handoff.js"

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
export interface EthernetService {
  readonly mac: Mac
  /** largest payload (IP MTU) */
  readonly mtu: number
  readonly link: LinkService
  /**
   * Receive every frame of `etherType` addressed to us. The queue lives as
   * long as the scope; one consumer. Binding a type twice is a defect.
   */
  readonly bind: (
    etherType: number,
    capacity: number
  ) => Effect.Effect<Mailbox.ReadonlyMailbox<ReadonlyArray<Uint8Array>>, never, Scope.Scope>
  readonly stats: Effect.Effect<EthernetStats>
}

/** @category tags */
export class Ethernet extends Context.Tag("gonet/Ethernet")<Ethernet, EthernetService>() {}

/**
 * Start the dealer over a link. `mac` overrides the link's own address
 * (a TAP link reports the stack's MAC already; tests may choose another).
 * @category constructors
 */
export const make = (link: LinkService, mac: Mac = link.mac, mtu: number = link.mtu) =>
  Effect.gen(function*() {
    const bound = new Map<number, Mailbox.Mailbox<ReadonlyArray<Uint8Array>>>()
    const c = { received: 0, notForUs: 0, truncated: 0, unknownEtherType: 0, queueDropped: 0 }

    // Per wake-up: sort frames into one array per EtherType, then one offer
    // each. The offers are `unsafeOffer`: synchronous, never waiting (the
    // queues drop when full), and free of per-batch effect allocations, which
    // on this path cost more than the dealing itself.
    const deal = (batch: ReadonlyArray<Uint8Array>): void => {
      let ipv4: Array<Uint8Array> | undefined
      let other: Map<number, Array<Uint8Array>> | undefined
      for (const frame of batch) {
        c.received++
        if (frame.length < Eth.HEADER_LEN) {
          c.truncated++
          continue
        }
        // Accept our unicast and broadcast only; we join no multicast group.
        if (!Eth.macEquals(frame, mac) && !Eth.isBroadcast(frame)) {
          c.notForUs++
          continue
        }
        const type = (frame[12]! << 8) | frame[13]!
        if (type === Eth.EtherType.IPv4) {
          ;(ipv4 ??= []).push(frame)
        } else {
          other ??= new Map()
          const arr = other.get(type)
          if (arr) arr.push(frame)
          else other.set(type, [frame])
        }
      }
      if (ipv4) offer(Eth.EtherType.IPv4, ipv4)
      if (other) for (const [t, frames] of other) offer(t, frames)
    }
    const offer = (type: number, frames: Array<Uint8Array>): void => {
      const q = bound.get(type)
      if (q === undefined) c.unknownEtherType += frames.length
      else if (!q.unsafeOffer(frames)) c.queueDropped += frames.length
    }

    // Every frame the link queued since the last wake-up is dealt in one pass
    // (`consumeBatches`): under load one fiber resumption serves many link
    // batches and makes one offer per protocol. The fiber ends with the link.
    yield* consumeBatches(link.receive, (frames) => Effect.sync(() => deal(frames))).pipe(Effect.forkScoped)

    const bind = (etherType: number, capacity: number) =>
      bindDropping(bound, etherType, capacity, (t) => `EtherType 0x${t.toString(16)}`)

    return Ethernet.of({
      mac,
      mtu,
      link,
      bind,
      stats: Effect.sync(() => ({ ...c }))
    })
  })

/**
 * @category layers
 */
export const layer = (options?: { readonly mac?: Mac; readonly mtu?: number }) =>
  Layer.scoped(
    Ethernet,
    Effect.flatMap(Link, (link) => make(link, options?.mac ?? link.mac, options?.mtu ?? link.mtu))
  )
