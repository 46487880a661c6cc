/**
 * The stack's configuration: a typed service, validated once at start.
 *
 * Callers give a `StackConfigInput` (only the address is required); `make`
 * fills in defaults and checks every field, failing with a `ConfigError`
 * whose message is one line a person can act on. Nothing reads globals or
 * the environment: a Layer carries the value (STYLE.md §5).
 *
 * Durations are `Duration` values; sizes say their unit in the field doc.
 *
 * @since 0.1.0
 */
import { Context, Data, Duration, Effect, Layer } from "effect"
import type { Mac } from "./wire/Mac.js"
import * as Addr from "./wire/Ipv4Addr.js"

/** @category models */
export interface StackConfig {
  /** our MAC; undefined means the link's */
  readonly mac: Mac | undefined
  /** our IPv4 address */
  readonly address: Addr.Ipv4Addr
  /** on-link prefix length, 0..32 */
  readonly prefixLength: number
  /** default router for off-link destinations; undefined: off-link is unreachable */
  readonly gateway: Addr.Ipv4Addr | undefined
  /** IP MTU in octets; undefined means the link's */
  readonly mtu: number | undefined
  /** TTL of datagrams we originate (RFC 1122 §3.2.1.7: must not be 0) */
  readonly ttl: number
  readonly arp: {
    /** most entries the neighbour cache holds; the oldest goes first */
    readonly cacheSize: number
    /** how long a learned mapping is trusted */
    readonly entryTtl: Duration.Duration
    /** requests sent for one address before giving up (RFC 1122 §2.3.2.1: at most one per second) */
    readonly retries: number
    readonly retryInterval: Duration.Duration
    /** frames held per unresolved address; more are dropped and counted */
    readonly pendingFrames: number
    /** unresolved addresses being resolved at once */
    readonly maxResolving: number
  }
  readonly reassembly: {
    /** RFC 1122 §3.3.2: a fixed timeout between 60 s and 120 s is suggested; Linux uses 30 s */
    readonly timeout: Duration.Duration
    /** datagrams reassembled at once */
    readonly maxAssemblies: number
    /** octets held by all assemblies together */
    readonly maxBytes: number
  }
  readonly icmp: {
    /** ICMP error messages per second we may send (token bucket refill), RFC 1812 §4.3.2.8 */
    readonly errorsPerSecond: number
    /** token bucket depth */
    readonly errorBurst: number
    /**
     * pings of our own waiting for their reply at once (each is a waiting
     * fiber, ~4 KB); 65536 is every sequence number of the stack's identifier
     */
    readonly maxOutstandingPings: number
  }
  readonly queues: {
    /** batches of frames waiting for each protocol dealer */
    readonly dealer: number
    /** datagrams waiting in one UDP socket */
    readonly udpSocket: number
  }
}

/** What callers may give; everything but the address has a default. */
export interface StackConfigInput {
  readonly mac?: Mac
  readonly address: Addr.Ipv4Addr | string
  readonly prefixLength?: number
  readonly gateway?: Addr.Ipv4Addr | string
  readonly mtu?: number
  readonly ttl?: number
  readonly arp?: Partial<StackConfig["arp"]>
  readonly reassembly?: Partial<StackConfig["reassembly"]>
  readonly icmp?: Partial<StackConfig["icmp"]>
  readonly queues?: Partial<StackConfig["queues"]>
}

/** @category errors */
export class ConfigError extends Data.TaggedError("ConfigError")<{ readonly detail: string }> {
  override get message(): string {
    return this.detail
  }
}

/** @category tags */
export class Config extends Context.Tag("gonet/Config")<Config, StackConfig>() {}

export const defaults = {
  prefixLength: 24,
  ttl: 64,
  arp: {
    cacheSize: 1024,
    entryTtl: Duration.seconds(60),
    retries: 3,
    retryInterval: Duration.seconds(1),
    pendingFrames: 64,
    maxResolving: 256
  },
  reassembly: { timeout: Duration.seconds(30), maxAssemblies: 256, maxBytes: 4 * 1024 * 1024 },
  icmp: { errorsPerSecond: 100, errorBurst: 50, maxOutstandingPings: 65536 },
  queues: { dealer: 1024, udpSocket: 1024 }
} as const

const addr = (what: string, v: Addr.Ipv4Addr | string): Effect.Effect<Addr.Ipv4Addr, ConfigError> => {
  if (typeof v === "number") {
    return Number.isInteger(v) && v >= 0 && v <= 0xffffffff
      ? Effect.succeed(v >>> 0)
      : Effect.fail(new ConfigError({ detail: `${what}: ${v} is not an IPv4 address` }))
  }
  const a = Addr.parse(v)
  return a === undefined
    ? Effect.fail(new ConfigError({ detail: `${what}: '${v}' is not an IPv4 address (expected A.B.C.D)` }))
    : Effect.succeed(a)
}

const int = (what: string, v: number, min: number, max: number): Effect.Effect<number, ConfigError> =>
  Number.isInteger(v) && v >= min && v <= max
    ? Effect.succeed(v)
    : Effect.fail(new ConfigError({ detail: `${what}: ${v} is out of range (${min}..${max})` }))

const positive = (what: string, d: Duration.Duration): Effect.Effect<Duration.Duration, ConfigError> =>
  Duration.greaterThan(d, Duration.zero)
    ? Effect.succeed(d)
    : Effect.fail(new ConfigError({ detail: `${what} must be positive` }))

/** Validate an input and fill in the defaults. */
export const make = (input: StackConfigInput): Effect.Effect<StackConfig, ConfigError> =>
  Effect.gen(function*() {
    const address = yield* addr("address", input.address)
    const prefixLength = yield* int("prefix length", input.prefixLength ?? defaults.prefixLength, 0, 32)
    const problem = Addr.hostProblem(address, prefixLength)
    if (problem === "SubnetBroadcast" || problem === "NetworkAddress") {
      return yield* new ConfigError({
        detail: `address ${Addr.format(address)}/${prefixLength} is the network or broadcast address of its subnet`
      })
    }
    if (problem !== undefined) {
      return yield* new ConfigError({ detail: `address ${Addr.format(address)} is not a unicast address` })
    }
    const gateway = input.gateway === undefined ? undefined : yield* addr("gateway", input.gateway)
    if (gateway !== undefined && !Addr.sameSubnet(gateway, address, prefixLength)) {
      return yield* new ConfigError({
        detail: `gateway ${Addr.format(gateway)} is not on the subnet ${Addr.format(address)}/${prefixLength}`
      })
    }
    if (input.mac !== undefined && (input.mac.length !== 6 || (input.mac[0]! & 1) === 1)) {
      return yield* new ConfigError({ detail: "mac must be a 6-octet unicast address" })
    }
    const mtu = input.mtu === undefined ? undefined : yield* int("mtu", input.mtu, 68, 65535)
    const arp = { ...defaults.arp, ...input.arp }
    const reassembly = { ...defaults.reassembly, ...input.reassembly }
    const icmp = { ...defaults.icmp, ...input.icmp }
    const queues = { ...defaults.queues, ...input.queues }
    yield* int("arp.cacheSize", arp.cacheSize, 1, 1 << 20)
    yield* int("arp.retries", arp.retries, 1, 100)
    yield* int("arp.pendingFrames", arp.pendingFrames, 0, 1 << 16)
    yield* int("arp.maxResolving", arp.maxResolving, 1, 1 << 16)
    yield* positive("arp.entryTtl", Duration.decode(arp.entryTtl))
    yield* positive("arp.retryInterval", Duration.decode(arp.retryInterval))
    yield* positive("reassembly.timeout", Duration.decode(reassembly.timeout))
    yield* int("reassembly.maxAssemblies", reassembly.maxAssemblies, 1, 1 << 16)
    yield* int("reassembly.maxBytes", reassembly.maxBytes, 65535, 1 << 30)
    yield* int("icmp.errorsPerSecond", icmp.errorsPerSecond, 0, 1_000_000)
    yield* int("icmp.errorBurst", icmp.errorBurst, 1, 1_000_000)
    yield* int("icmp.maxOutstandingPings", icmp.maxOutstandingPings, 1, 65536)
    yield* int("queues.dealer", queues.dealer, 1, 1 << 20)
    yield* int("queues.udpSocket", queues.udpSocket, 1, 1 << 20)
    return {
      mac: input.mac,
      address,
      prefixLength,
      gateway,
      mtu,
      ttl: yield* int("ttl", input.ttl ?? defaults.ttl, 1, 255),
      arp: {
        ...arp,
        entryTtl: Duration.decode(arp.entryTtl),
        retryInterval: Duration.decode(arp.retryInterval)
      },
      reassembly: { ...reassembly, timeout: Duration.decode(reassembly.timeout) },
      icmp,
      queues
    }
  })

/** @category layers */
export const layer = (input: StackConfigInput): Layer.Layer<Config, ConfigError> =>
  Layer.effect(Config, make(input))
