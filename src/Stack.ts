/**
 * The whole stack over one `Link`: Ethernet dealer, ARP, IPv4 (with
 * reassembly and ICMP errors), ICMP echo and ping, UDP.
 *
 * `Stack.layer(config)` needs a `Link` and provides every protocol service
 * plus `Stack` (addresses and one place to read all counters). Building the
 * layer validates the config (failing with `ConfigError`), starts every
 * dealer fiber in the layer's scope and sends a gratuitous ARP; closing the
 * scope stops every fiber and releases the link.
 *
 * ```ts
 * const live = Stack.layer({ address: "198.18.0.2", prefixLength: 24 }).pipe(
 *   Layer.provide(LinkTap.layer({ name: "tap0", mac }))
 * )
 * ```
 *
 * @since 0.1.0
 */
import { Context, Effect, Layer } from "effect"
import { Arp, type ArpStats } from "./arp/Arp.js"
import * as ArpLayer from "./arp/Arp.js"
import { Config, type StackConfigInput } from "./Config.js"
import * as ConfigLayer from "./Config.js"
import { Ethernet, type EthernetStats } from "./ethernet/Ethernet.js"
import * as EthernetLayer from "./ethernet/Ethernet.js"
import { Icmp, type IcmpStats } from "./icmp/Icmp.js"
import * as IcmpLayer from "./icmp/Icmp.js"
import { Ipv4, type Ipv4Stats } from "./ipv4/Ipv4.js"
import * as Ipv4Layer from "./ipv4/Ipv4.js"
import { Link, type LinkStats } from "./link/Link.js"
import type { Mac } from "./wire/Mac.js"
import { Udp, type UdpStats } from "./udp/Udp.js"
import * as UdpLayer from "./udp/Udp.js"
import type { Ipv4Addr } from "./wire/Ipv4Addr.js"

/** @category models */
export interface StackStats {
  readonly link: LinkStats
  readonly ethernet: EthernetStats
  readonly arp: ArpStats
  readonly ipv4: Ipv4Stats
  readonly icmp: IcmpStats
  readonly udp: UdpStats
}

/** @category models */
export interface StackService {
  readonly mac: Mac
  readonly address: Ipv4Addr
  readonly prefixLength: number
  readonly gateway: Ipv4Addr | undefined
  readonly mtu: number
  readonly stats: Effect.Effect<StackStats>
}

/** @category tags */
export class Stack extends Context.Tag("gonet/Stack")<Stack, StackService>() {}

const makeStack = Effect.gen(function*() {
  const link = yield* Link
  const config = yield* Config
  const eth = yield* Ethernet
  const arp = yield* Arp
  const ip = yield* Ipv4
  const icmp = yield* Icmp
  const udp = yield* Udp
  return Stack.of({
    mac: eth.mac,
    address: config.address,
    prefixLength: config.prefixLength,
    gateway: config.gateway,
    mtu: ip.mtu,
    stats: Effect.all({
      link: link.stats,
      ethernet: eth.stats,
      arp: arp.stats,
      ipv4: ip.stats,
      icmp: icmp.stats,
      udp: udp.stats
    })
  })
})

/** Everything `Stack.layer` provides. */
export type Services = Stack | Config | Ethernet | Arp | Ipv4 | Icmp | Udp

/**
 * The stack over the `Link` in context, configured by `input`.
 * @category layers
 */
export const layer = (input: StackConfigInput): Layer.Layer<Services, ConfigLayer.ConfigError, Link> => {
  const config = ConfigLayer.layer(input)
  const ethernet = Layer.unwrapEffect(
    Effect.map(Config, (c) =>
      EthernetLayer.layer({
        ...(c.mac !== undefined ? { mac: c.mac } : {}),
        ...(c.mtu !== undefined ? { mtu: c.mtu } : {})
      }))
  )
  const base = Layer.provideMerge(ethernet, config)
  const arp = Layer.provideMerge(ArpLayer.layer, base)
  const ip = Layer.provideMerge(Ipv4Layer.layer, arp)
  const upper = Layer.provideMerge(Layer.merge(IcmpLayer.layer, UdpLayer.layer), ip)
  return Layer.provideMerge(Layer.effect(Stack, makeStack), upper)
}
