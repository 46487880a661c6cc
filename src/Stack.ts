/**
 * The whole stack over one `Link`: the interface (Ethernet, ARP, next hop),
 * IPv4 (with reassembly and ICMP errors), ICMP echo and ping, UDP, and TCP
 * (listeners, connections, and resets for the ports nobody listens on).
 *
 * `Stack.layer(config)` needs a `Link` and provides every protocol service
 * plus `Stack` (addresses and one place to read all counters). Building the
 * layer validates the config (failing with `ConfigError`, which names the
 * field), starts every dealer fiber in the layer's scope and sends a
 * gratuitous ARP; closing the scope stops every fiber and releases the link.
 *
 * ```ts
 * const live = Stack.layer({ address: "198.18.0.2", prefixLength: 24 }).pipe(
 *   Layer.provide(LinkTap.layer({ name: "tap0", mac }))
 * )
 * ```
 *
 * @since 0.1.0
 */
import { Context, Effect, FiberRef, Layer } from "effect"
import * as Trampoline from "./internal/Trampoline.js"
import * as Config from "./Config.js"
import * as Icmp from "./icmp/Icmp.js"
import * as Iface from "./iface/Interface.js"
import * as Ipv4 from "./ipv4/Ipv4.js"
import * as Link from "./link/Link.js"
import * as Tcp from "./tcp/Tcp.js"
import * as Udp from "./udp/Udp.js"
import type * as Addr from "./wire/Ipv4Addr.js"
import type { Mac } from "./wire/Mac.js"

/** @category models */
export interface StackStats {
  readonly link: Link.LinkStats
  readonly ethernet: Iface.EthernetStats
  readonly arp: Iface.ArpStats
  readonly ipv4: Ipv4.Ipv4Stats
  readonly icmp: Icmp.IcmpStats
  readonly udp: Udp.UdpStats
  readonly tcp: Tcp.TcpStats
}

/** @category models */
export interface StackService {
  readonly mac: Mac
  readonly address: Addr.Ipv4Addr
  readonly prefixLength: number
  readonly gateway: Addr.Ipv4Addr | undefined
  readonly mtu: number
  readonly stats: Effect.Effect<StackStats>
}

/** @category tags */
export class Stack extends Context.Tag("gonet/Stack")<Stack, StackService>() {}

const makeStack = Effect.gen(function*() {
  const link = yield* Link.Link
  const config = yield* Config.Config
  const iface = yield* Iface.Interface
  const ip = yield* Ipv4.Ipv4
  const icmp = yield* Icmp.Icmp
  const udp = yield* Udp.Udp
  const tcp = yield* Tcp.Tcp
  return Stack.of({
    mac: iface.mac,
    address: config.address,
    prefixLength: config.prefixLength,
    gateway: config.gateway,
    mtu: ip.mtu,
    stats: Effect.map(
      Effect.all({ link: link.stats, iface: iface.stats, ipv4: ip.stats, icmp: icmp.stats, udp: udp.stats, tcp: tcp.stats }),
      (s) => ({ link: s.link, ethernet: s.iface.ethernet, arp: s.iface.arp, ipv4: s.ipv4, icmp: s.icmp, udp: s.udp, tcp: s.tcp })
    )
  })
})

/** Everything `Stack.layer` provides. */
export type Services = Stack | Config.Config | Iface.Interface | Ipv4.Ipv4 | Icmp.Icmp | Udp.Udp | Tcp.Tcp

/**
 * The stack over the `Link` in context, configured by `input`.
 * @category layers
 */
export const layer = (input: Config.StackConfigInput): Layer.Layer<Services, Config.ConfigError, Link.Link> => {
  const base = Layer.provideMerge(Iface.layer, Config.layer(input))
  const ip = Layer.provideMerge(Ipv4.layer, base)
  const upper = Layer.provideMerge(Layer.mergeAll(Icmp.layer, Udp.layer, Tcp.layer), ip)
  // Every fiber of the stack on the stack's runner (internal/Trampoline.ts): a frame the TAP's
  // callback brings climbs the dealers, and its reply goes out, in that callback.
  return Layer.provideMerge(Layer.effect(Stack, makeStack), upper).pipe(
    Layer.locallyWith(FiberRef.currentScheduler, (s) => Trampoline.make(s))
  )
}

/**
 * Run `effect`, and every fiber it forks, on the stack's runner: a fiber
 * that reads from a connection or socket is then woken in the same call as
 * the stack's fibers that woke it (the TAP's read callback), not in a later
 * microtask. The stack's own services run so (`Services.serve`,
 * `Udp.serveEcho`). Inside a fiber that is not on it, the runner behaves as
 * the scheduler it wraps.
 * @category combinators
 */
export const onRunner: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R> = Trampoline.onRunner
