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
import { Context, Data, Duration, Effect, Either, Layer, Option } from "effect"
import { totalmem } from "node:os"
import * as Addr from "./wire/Ipv4Addr.js"
import * as Reassembly from "./ipv4/Reassembly.js"
import * as Mac from "./wire/Mac.js"
import * as Congestion from "./tcp/congestion/Congestion.js"
import * as Memory from "./tcp/Memory.js"
import { ECN_MODES, type EcnMode } from "./tcp/Params.js"

/** @category models */
export interface StackConfig {
  /** our MAC; undefined means the link's */
  readonly mac: Mac.Mac | undefined
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
    /** most neighbour entries held; when full, an idle settled entry makes room, or a new address is refused */
    readonly cacheSize: number
    /** how long a confirmation keeps a neighbour reachable (Linux base_reachable_time) */
    readonly reachableTime: Duration.Duration
    /** how long a stale neighbour in use waits for a confirmation before it is probed (delay_first_probe_time) */
    readonly delayFirstProbe: Duration.Duration
    /** broadcast requests for an unresolved address before giving up (mcast_solicit) */
    readonly retries: number
    /** unicast requests re-confirming a stale neighbour before it is dropped (ucast_solicit) */
    readonly unicastProbes: number
    /** between two requests for one address (RFC 1122 §2.3.2.1: at most one per second) */
    readonly retryInterval: Duration.Duration
    /** frames held per unresolved address; beyond it the oldest is dropped and counted (unres_qlen) */
    readonly pendingFrames: number
    /** how long an entry must go unused before a full cache may evict it (Linux: 5 s) */
    readonly idleBeforeEviction: Duration.Duration
    /** unresolved addresses being resolved at once */
    readonly maxResolving: number
  }
  readonly reassembly: {
    /** RFC 1122 §3.3.2: a fixed timeout between 60 s and 120 s is suggested; Linux uses 30 s */
    readonly timeout: Duration.Duration
    /** datagrams reassembled at once */
    readonly maxAssemblies: number
    /**
     * octets all assemblies may hold together: their buffers, block maps and
     * headers, and fragments queued for them; at least one largest datagram's
     * worth (`Reassembly.MAX_HELD`)
     */
    readonly maxBytes: number
  }
  readonly icmp: {
    /** ICMP error messages per second we may send (token bucket refill), RFC 1812 §4.3.2.8 */
    readonly errorsPerSecond: number
    /** token bucket depth */
    readonly errorBurst: number
    /**
     * ICMP errors per second to any one host (Linux: one per icmp_ratelimit, 1 s), behind the
     * stack-wide bucket; 0: no limit per host
     */
    readonly hostErrorsPerSecond: number
    /** that bucket's depth (Linux: 6, XRLIM_BURST_FACTOR) */
    readonly hostErrorBurst: number
    /**
     * pings of our own waiting for their reply at once (each is a waiting
     * fiber, ~4 KB); 65536 is every sequence number of the stack's identifier
     */
    readonly maxOutstandingPings: number
    /**
     * act on ICMP redirects (RFC 1122 §3.2.2.2) that pass a host's checks (Route.ts
     * `redirectRefusal`), as a Linux host does by default (net.ipv4.conf.*.accept_redirects=1, not
     * forwarding); off: each is ignored and counted
     */
    readonly acceptRedirects: boolean
  }
  readonly queues: {
    /** batches of frames waiting for each protocol dealer */
    readonly dealer: number
    /** datagrams waiting in one UDP socket */
    readonly udpSocket: number
    /** ICMP error reports waiting in one UDP socket (`UdpSocket.receiveError`) */
    readonly udpErrors: number
    /** batches of segments waiting for one TCP connection's receive half */
    readonly tcpSegments: number
  }
  readonly tcp: {
    /** congestion control of new connections: RFC 9438 CUBIC (Linux's default) or RFC 6582 NewReno */
    readonly congestion: Congestion.Name
    /**
     * HyStart++ (RFC 9406) in each connection's initial slow start: it ends when the round-trip
     * delay grows, before the window overruns the path's queue (Linux's CUBIC runs HyStart)
     */
    readonly hystart: boolean
    /** RTO before any RTT measurement (RFC 6298 §2.1: 1 s) */
    readonly initialRto: Duration.Duration
    /**
     * lower bound of the RTO's variation term, so the RTO is at least SRTT + this (Linux's rto_min,
     * 200 ms; the RFC's 1 s floor under the whole RTO cripples a microsecond-RTT TAP link)
     */
    readonly minRto: Duration.Duration
    /** upper bound of the RTO, backoff included (RFC 6298 §2.5: at least 60 s; Linux 120 s) */
    readonly maxRto: Duration.Duration
    /** receive buffer per connection, octets: what the window advertises */
    readonly receiveBuffer: number
    /** the largest receive buffer; the window scale we offer is chosen for it (RFC 7323 §2.3) */
    readonly maxReceiveBuffer: number
    /** send buffer per connection, octets: writes wait while this much is unacknowledged */
    readonly sendBuffer: number
    /** the largest the send buffer grows to with the congestion window (auto-tuning, as Linux's) */
    readonly maxSendBuffer: number
    /** longest an ACK is delayed (RFC 9293 §3.8.6.3 requires < 0.5 s; Linux 40 ms) */
    readonly delayedAck: Duration.Duration
    /**
     * Linux's tcp_retries2: the connection fails with TimedOut at the first retransmission timeout
     * at or past the time this many retransmissions backed off from 200 ms would take, from the first
     * retransmission (tcp_model_timeout: 924.6 s for 15); a longer RTO resends fewer times
     */
    readonly retries: number
    /**
     * the same (a time) once the application has closed the connection, in place of `retries` even
     * when that is lower (Linux tcp_orphan_retries, its 0 meaning 8: 102.2 s)
     */
    readonly orphanRetries: number
    /** SYN retransmissions before connect fails with TimedOut (Linux tcp_syn_retries) */
    readonly synRetries: number
    /**
     * SYN timeouts (of a connect) that keep the RTO at `initialRto` before it doubles, as Linux 6.5+'s
     * tcp_syn_linear_timeouts (6.18's default 4: SYNs again at 1, 2, 3, 4, 5, 7, 11, ... s); 0 (the
     * default): RFC 6298's doubling. 0..127, Linux's range. The connect then gives up after `synRetries`
     * + this resends, or at the first expiry once `synRetries`' time (127 s for 6) has passed since the
     * first SYN, whichever comes first (with 4 and 6: the tenth resend's expiry, 131 s)
     */
    readonly synLinearTimeouts: number
    /** SYN-ACK retransmissions before a half-open connection is dropped (Linux tcp_synack_retries) */
    readonly synAckRetries: number
    /** TIME-WAIT, 2 × MSL (RFC 9293 §3.4.2; Linux 60 s) */
    readonly timeWait: Duration.Duration
    /** FIN-WAIT-2 after the application closed (Linux tcp_fin_timeout; above 60 s twice what passes 60 s, as Linux) */
    readonly finWait2: Duration.Duration
    /** send keepalive probes on idle connections (RFC 1122 §4.2.3.6: off by default) */
    readonly keepalive: boolean
    /** idle time before the first keepalive probe (RFC 1122: at least 2 hours by default) */
    readonly keepaliveIdle: Duration.Duration
    /** between keepalive probes */
    readonly keepaliveInterval: Duration.Duration
    /** unanswered keepalive probes before TimedOut */
    readonly keepaliveProbes: number
    readonly timestamps: boolean
    readonly sack: boolean
    readonly windowScaling: boolean
    /** F-RTO after a retransmission timeout (RFC 5682; Linux tcp_frto): a spurious timeout is undone */
    readonly frto: boolean
    /**
     * ECN (RFC 3168): "accept" takes it when a peer's SYN asks (Linux's default, tcp_ecn = 2),
     * "on" asks in our SYNs too (tcp_ecn = 1), "off" neither
     */
    readonly ecn: EcnMode
    /** challenge ACKs per second per connection (RFC 5961 §7) */
    readonly challengeAcksPerSecond: number
    /** connections at once (all states but LISTEN and half-open); beyond it new ones are refused and counted */
    readonly maxConnections: number
    /**
     * 4-tuples held in TIME-WAIT at once (Linux tcp_max_tw_buckets); beyond
     * it a connection closes without TIME-WAIT, counted
     */
    readonly maxTimeWait: number
    /**
     * connections the application closed that the stack keeps finishing at once (Linux
     * tcp_max_orphans); past it an orphan is reset at its close, and at a retransmission or probe
     * timeout from half of it on (a quarter for one silent for 240 s or given up on), counted
     */
    readonly maxOrphans: number
    /**
     * fibers kept waiting for the next connection's half once theirs is over
     * (internal/FiberPool.ts), at most: a new connection's halves then cost
     * no fresh fiber each. About 0.9 KiB each; 0 makes a fiber per half
     */
    readonly idleFibers: number
    /**
     * half-open connections per listener (the SYN queue); beyond it SYNs are
     * answered with SYN cookies (`synCookies`) or dropped, and counted
     */
    readonly synBacklog: number
    /** answer SYNs with SYN cookies (RFC 4987 §3.6) while a listener's SYN queue is full (Linux tcp_syncookies=1) */
    readonly synCookies: boolean
    /** listen(2)'s backlog per listener, unless `listen` names its own: one more than it may wait for `accept`, as in Linux */
    readonly acceptBacklog: number
    /** the largest backlog a listener gets, whatever `listen` or `acceptBacklog` asks (Linux net.core.somaxconn) */
    readonly maxAcceptBacklog: number
    /** the ephemeral ports, first and last (Linux ip_local_port_range): a connect's own port, a listen on port 0 */
    readonly localPortRange: readonly [number, number]
    /**
     * the stack-wide bound on what every connection holds together, octets (Linux's tcp_mem, in
     * pages there; src/tcp/Memory.ts): unacknowledged data written, unread data in order and data
     * held out of order. Above `pressure` (until below `low`) no buffer grows and windows are
     * capped; above `high` new data is dropped but in order into an empty receive queue, and writers wait.
     * Default as Linux's tcp_init_mem from the memory the process may use (`Memory.defaultsFor(memoryOfProcess())`:
     * os.totalmem(), or a cgroup's smaller limit):
     * pressure at a sixteenth of it, low 3/4 of that, high twice low
     */
    readonly memory: Memory.Limits
  }
}

/** Some fields of a settings group; durations in any form `Duration.decode` reads ("300 millis", 5000, ...). */
export type Settings<T> = { readonly [K in keyof T]?: T[K] extends Duration.Duration ? Duration.DurationInput : T[K] }

/** What callers may give; everything but the address has a default. */
export interface StackConfigInput {
  readonly mac?: Mac.Mac
  readonly address: Addr.Ipv4Addr | string
  readonly prefixLength?: number
  readonly gateway?: Addr.Ipv4Addr | string
  readonly mtu?: number
  readonly ttl?: number
  readonly arp?: Settings<StackConfig["arp"]>
  readonly reassembly?: Settings<StackConfig["reassembly"]>
  readonly icmp?: Settings<StackConfig["icmp"]>
  readonly queues?: Settings<StackConfig["queues"]>
  readonly tcp?: Settings<StackConfig["tcp"]>
}

/**
 * A configuration field is wrong. `field` names it as `StackConfigInput`
 * spells it (`"gateway"`, `"arp.retries"`), so a front end can name its own
 * flag for it; `detail` says what is wrong in words.
 * @category errors
 */
export class ConfigError extends Data.TaggedError("ConfigError")<{
  readonly field: string
  readonly reason: "NotAnAddress" | "NotAHostAddress" | "NotOnSubnet" | "OutOfRange" | "NotPositive" | "BadMac" | "ExceedsLink"
  readonly detail: string
}> {
  override get message(): string {
    return `${this.field}: ${this.detail}`
  }
}

/** @category tags */
export class Config extends Context.Tag("gonet/Config")<Config, StackConfig>() {}

export const defaults = {
  prefixLength: 24,
  ttl: 64,
  arp: {
    cacheSize: 1024,
    reachableTime: Duration.seconds(30),
    delayFirstProbe: Duration.seconds(5),
    retries: 3,
    unicastProbes: 3,
    retryInterval: Duration.seconds(1),
    idleBeforeEviction: Duration.seconds(5),
    pendingFrames: 64,
    maxResolving: 256
  },
  reassembly: { timeout: Duration.seconds(30), maxAssemblies: 256, maxBytes: 4 * 1024 * 1024 },
  icmp: { errorsPerSecond: 100, errorBurst: 50, hostErrorsPerSecond: 1, hostErrorBurst: 6, maxOutstandingPings: 65536, acceptRedirects: true },
  queues: { dealer: 1024, udpSocket: 1024, udpErrors: 16, tcpSegments: 256 },
  tcp: {
    congestion: "cubic" as Congestion.Name,
    hystart: true,
    initialRto: Duration.seconds(1),
    minRto: Duration.millis(200),
    maxRto: Duration.seconds(120),
    receiveBuffer: 256 * 1024,
    maxReceiveBuffer: 4 * 1024 * 1024,
    sendBuffer: 256 * 1024,
    maxSendBuffer: 4 * 1024 * 1024,
    delayedAck: Duration.millis(40),
    retries: 15,
    orphanRetries: 8,
    synRetries: 6,
    synLinearTimeouts: 0,
    synAckRetries: 5,
    timeWait: Duration.seconds(60),
    finWait2: Duration.seconds(60),
    keepalive: false,
    keepaliveIdle: Duration.hours(2),
    keepaliveInterval: Duration.seconds(75),
    keepaliveProbes: 9,
    timestamps: true,
    sack: true,
    windowScaling: true,
    frto: true,
    ecn: "accept",
    challengeAcksPerSecond: 1000,
    maxConnections: 65536,
    maxTimeWait: 65536,
    maxOrphans: 65536,
    idleFibers: 1024,
    synBacklog: 1024,
    synCookies: true,
    acceptBacklog: 511,
    maxAcceptBacklog: 4096,
    localPortRange: [32768, 60999] as readonly [number, number]
  }
} as const

/** Linux's MAX_TCP_SYNCNT (127): the most tcp_syn_linear_timeouts (and tcp_syn_retries) takes. */
export const MAX_SYN_LINEAR_TIMEOUTS = 127

const fail = (field: string, reason: ConfigError["reason"], detail: string) =>
  Either.left(new ConfigError({ field, reason, detail }))

const addr = (field: string, v: Addr.Ipv4Addr | string): Either.Either<Addr.Ipv4Addr, ConfigError> => {
  if (typeof v === "number") {
    return Number.isInteger(v) && v >= 0 && v <= 0xffffffff
      ? Either.right(v >>> 0)
      : fail(field, "NotAnAddress", `${v} is not an IPv4 address`)
  }
  const a = Addr.parse(v)
  return a === undefined ? fail(field, "NotAnAddress", `'${v}' is not an IPv4 address (expected A.B.C.D)`) : Either.right(a)
}

const int = (field: string, v: number, min: number, max: number, unit = ""): Either.Either<number, ConfigError> =>
  Number.isInteger(v) && v >= min && v <= max
    ? Either.right(v)
    : fail(field, "OutOfRange", `${v} is out of range (${min}..${max}${unit})`)

/**
 * A finite duration, > 0 (or >= 0 with `allowZero`). Anything else is a
 * `ConfigError`, not a throw: input may come from JSON ("1 sec" does not
 * decode) or be `Duration.infinity` (a timer that never fires would leave an
 * entry or an assembly stuck for good).
 */
const duration = (field: string, d: unknown, allowZero = false): Either.Either<Duration.Duration, ConfigError> => {
  const decoded = Duration.decodeUnknown(d)
  if (Option.isNone(decoded)) return fail(field, "NotPositive", `${JSON.stringify(d)} is not a duration`)
  const v = decoded.value
  if (!Duration.isFinite(v)) return fail(field, "NotPositive", "must be finite")
  return Duration.greaterThan(v, Duration.zero) || (allowZero && Duration.equals(v, Duration.zero))
    ? Either.right(v)
    : fail(field, "NotPositive", allowZero ? "must not be negative" : "must be positive")
}
const positive = (field: string, d: unknown) => duration(field, d)

/** A port range `[first, last]`, 1 <= first <= last <= 65535. */
const portRange = (field: string, v: unknown): Either.Either<readonly [number, number], ConfigError> => {
  if (!Array.isArray(v) || v.length !== 2) return fail(field, "OutOfRange", `${String(v)} is not [first, last]`)
  const [low, high] = v as [unknown, unknown]
  if (typeof low !== "number" || typeof high !== "number" || !Number.isInteger(low) || !Number.isInteger(high)) {
    return fail(field, "OutOfRange", `${String(v)} is not two port numbers`)
  }
  if (low < 1 || high > 65535 || low > high) return fail(field, "OutOfRange", `${low}..${high} is not a range within 1..65535`)
  return Either.right([low, high] as const)
}
const nonNegative = (field: string, d: unknown) => duration(field, d, true)

/** One of `choices` (input may come from JSON, untyped). */
const oneOf = <const C extends ReadonlyArray<string>>(field: string, v: unknown, choices: C): Either.Either<C[number], ConfigError> =>
  typeof v === "string" && choices.includes(v)
    ? Either.right(v as C[number])
    : fail(field, "OutOfRange", `'${String(v)}' is not one of ${choices.join(", ")}`)

/** Why an address cannot be a host's (`Ipv4Addr.hostProblem`), in words: "is the broadcast address of its /24". */
export const hostProblemText = (problem: Addr.HostProblem, prefixLength: number): string => {
  switch (problem) {
    case "Unspecified":
      return "is the unspecified address"
    case "Multicast":
      return "is a multicast address"
    case "LimitedBroadcast":
      return "is the broadcast address"
    case "Loopback":
      return "is a loopback address"
    case "Reserved":
      return "is a reserved (class E) address"
    case "SubnetBroadcast":
      return `is the broadcast address of its /${prefixLength}`
    case "NetworkAddress":
      return `is the network address of its /${prefixLength}`
  }
}

const subnetOf = (a: Addr.Ipv4Addr, prefixLength: number) =>
  `${Addr.format((a & Addr.mask(prefixLength)) >>> 0)}/${prefixLength}`

/**
 * `tcp.memory`: three whole octet counts, low <= pressure <= high, high at
 * least two minimum connections' worth (Memory.MIN_RECEIVE + MIN_SEND).
 */
const memoryLimits = (field: string, v: unknown): Either.Either<Memory.Limits, ConfigError> => {
  if (v === null || typeof v !== "object") return fail(field, "OutOfRange", `${String(v)} is not { low, pressure, high }`)
  const o = v as Record<string, unknown>
  const each = (k: "low" | "pressure" | "high") =>
    typeof o[k] === "number" ? int(`${field}.${k}`, o[k], 0, Number.MAX_SAFE_INTEGER, " octets") : fail(`${field}.${k}`, "OutOfRange", `${String(o[k])} is not a number of octets`)
  return Either.gen(function*() {
    const low = yield* each("low")
    const pressure = yield* each("pressure")
    const high = yield* each("high")
    if (high < 2 * (Memory.MIN_RECEIVE + Memory.MIN_SEND)) {
      return yield* fail(`${field}.high`, "OutOfRange", `must be at least ${2 * (Memory.MIN_RECEIVE + Memory.MIN_SEND)} octets`)
    }
    if (pressure > high) return yield* fail(`${field}.pressure`, "OutOfRange", "must not be above high")
    if (low > pressure) return yield* fail(`${field}.low`, "OutOfRange", "must not be above pressure")
    return { low, pressure, high }
  })
}

/**
 * The memory the process may use, octets: the machine's (`total`), or less
 * where a cgroup limits the process (`constrained`, Node's
 * process.constrainedMemory(): 0 or undefined when it knows of no limit, and
 * cgroup v2's "max" comes as a number past any machine). In a container
 * os.totalmem() is the host's, and a bound derived from it would never be
 * reached before the container's OOM killer; Linux itself charges socket
 * memory to the memcg, whose limit puts TCP under pressure
 * (mem_cgroup_under_socket_pressure).
 */
export const memoryOfProcess = (
  total: number = totalmem(),
  constrained: number | undefined = typeof process.constrainedMemory === "function" ? process.constrainedMemory() : undefined
): number => (constrained !== undefined && constrained > 0 && constrained < total ? constrained : total)

/**
 * Validate an input and fill in the defaults: the one set of rules for every
 * front end (the CLI checks its flags through this, and maps `field` to the
 * flag). Pure, but for one fact of the machine: `tcp.memory`'s default is
 * derived from `totalMemory` (the memory the process may use, octets;
 * default `memoryOfProcess()`: the machine's, or its cgroup's limit), as
 * Linux's tcp_init_mem derives tcp_mem from the free pages at boot. (Node's
 * buffers live outside the V8 heap, so that memory, not the heap limit, is
 * what they exhaust.)
 */
export const check = (input: StackConfigInput, totalMemory: number = memoryOfProcess()): Either.Either<StackConfig, ConfigError> =>
  Either.gen(function*() {
    const address = yield* addr("address", input.address)
    const prefixLength = yield* int("prefixLength", input.prefixLength ?? defaults.prefixLength, 0, 32)
    const problem = Addr.hostProblem(address, prefixLength)
    if (problem !== undefined) {
      return yield* fail("address", "NotAHostAddress", `${Addr.format(address)}/${prefixLength} ${hostProblemText(problem, prefixLength)}`)
    }
    const gateway = input.gateway === undefined ? undefined : yield* addr("gateway", input.gateway)
    if (gateway !== undefined) {
      if (gateway === address) {
        return yield* fail("gateway", "NotAHostAddress", `${Addr.format(gateway)} is the stack's own address`)
      }
      if (!Addr.sameSubnet(gateway, address, prefixLength)) {
        return yield* fail(
          "gateway",
          "NotOnSubnet",
          `${Addr.format(gateway)} is not on the stack's subnet ${subnetOf(address, prefixLength)}`
        )
      }
      const gProblem = Addr.hostProblem(gateway, prefixLength)
      if (gProblem !== undefined) {
        return yield* fail("gateway", "NotAHostAddress", `${Addr.format(gateway)} ${hostProblemText(gProblem, prefixLength)}`)
      }
    }
    if (input.mac !== undefined) {
      if (input.mac.length !== 6) return yield* fail("mac", "BadMac", `a MAC has 6 octets, not ${input.mac.length}`)
      if ((input.mac[0]! & 1) === 1) {
        return yield* fail("mac", "BadMac", `${Mac.format(input.mac)} is a multicast address; the stack needs a unicast MAC`)
      }
      if (Mac.isZero(input.mac)) return yield* fail("mac", "BadMac", "00:00:00:00:00:00 is not a usable MAC address")
    }
    const mtu = input.mtu === undefined ? undefined : yield* int("mtu", input.mtu, 68, 65535, " octets")
    const arp = { ...defaults.arp, ...input.arp }
    const reassembly = { ...defaults.reassembly, ...input.reassembly }
    const icmp = { ...defaults.icmp, ...input.icmp }
    const queues = { ...defaults.queues, ...input.queues }
    const tcp = { ...defaults.tcp, ...input.tcp }
    if (!Congestion.isName(tcp.congestion)) {
      return yield* fail("tcp.congestion", "OutOfRange", `'${String(tcp.congestion)}' is not one of ${Congestion.names.join(", ")}`)
    }
    const minRto = yield* positive("tcp.minRto", tcp.minRto)
    const maxRto = yield* positive("tcp.maxRto", tcp.maxRto)
    if (Duration.lessThan(maxRto, minRto)) return yield* fail("tcp.maxRto", "OutOfRange", "must not be below tcp.minRto")
    const receiveBuffer = yield* int("tcp.receiveBuffer", tcp.receiveBuffer, 1024, 1 << 30, " octets")
    const maxReceiveBuffer = yield* int("tcp.maxReceiveBuffer", tcp.maxReceiveBuffer, 1024, 1 << 30, " octets")
    if (maxReceiveBuffer < receiveBuffer) {
      return yield* fail("tcp.maxReceiveBuffer", "OutOfRange", "must not be below tcp.receiveBuffer")
    }
    const sendBuffer = yield* int("tcp.sendBuffer", tcp.sendBuffer, 1024, 1 << 30, " octets")
    const maxSendBuffer = yield* int("tcp.maxSendBuffer", tcp.maxSendBuffer, 1024, 1 << 30, " octets")
    if (maxSendBuffer < sendBuffer) {
      return yield* fail("tcp.maxSendBuffer", "OutOfRange", "must not be below tcp.sendBuffer")
    }
    return {
      mac: input.mac,
      address,
      prefixLength,
      gateway,
      mtu,
      ttl: yield* int("ttl", input.ttl ?? defaults.ttl, 1, 255),
      arp: {
        cacheSize: yield* int("arp.cacheSize", arp.cacheSize, 1, 1 << 20),
        reachableTime: yield* positive("arp.reachableTime", arp.reachableTime),
        delayFirstProbe: yield* positive("arp.delayFirstProbe", arp.delayFirstProbe),
        retries: yield* int("arp.retries", arp.retries, 1, 100),
        unicastProbes: yield* int("arp.unicastProbes", arp.unicastProbes, 1, 100),
        retryInterval: yield* positive("arp.retryInterval", arp.retryInterval),
        pendingFrames: yield* int("arp.pendingFrames", arp.pendingFrames, 1, 1 << 16),
        idleBeforeEviction: yield* nonNegative("arp.idleBeforeEviction", arp.idleBeforeEviction),
        maxResolving: yield* int("arp.maxResolving", arp.maxResolving, 1, 1 << 16)
      },
      reassembly: {
        timeout: yield* positive("reassembly.timeout", reassembly.timeout),
        maxAssemblies: yield* int("reassembly.maxAssemblies", reassembly.maxAssemblies, 1, 1 << 16),
        maxBytes: yield* int("reassembly.maxBytes", reassembly.maxBytes, Reassembly.MAX_HELD, 1 << 30)
      },
      icmp: {
        errorsPerSecond: yield* int("icmp.errorsPerSecond", icmp.errorsPerSecond, 0, 1_000_000),
        errorBurst: yield* int("icmp.errorBurst", icmp.errorBurst, 1, 1_000_000),
        hostErrorsPerSecond: yield* int("icmp.hostErrorsPerSecond", icmp.hostErrorsPerSecond, 0, 1_000_000),
        hostErrorBurst: yield* int("icmp.hostErrorBurst", icmp.hostErrorBurst, 1, 1_000_000),
        maxOutstandingPings: yield* int("icmp.maxOutstandingPings", icmp.maxOutstandingPings, 1, 65536),
        acceptRedirects: icmp.acceptRedirects
      },
      queues: {
        dealer: yield* int("queues.dealer", queues.dealer, 1, 1 << 20),
        udpSocket: yield* int("queues.udpSocket", queues.udpSocket, 1, 1 << 20),
        udpErrors: yield* int("queues.udpErrors", queues.udpErrors, 1, 1 << 16),
        tcpSegments: yield* int("queues.tcpSegments", queues.tcpSegments, 1, 1 << 16)
      },
      tcp: {
        congestion: tcp.congestion,
        hystart: tcp.hystart,
        initialRto: yield* positive("tcp.initialRto", tcp.initialRto),
        minRto,
        maxRto,
        receiveBuffer,
        maxReceiveBuffer,
        sendBuffer,
        maxSendBuffer,
        delayedAck: yield* positive("tcp.delayedAck", tcp.delayedAck),
        retries: yield* int("tcp.retries", tcp.retries, 1, 100),
        orphanRetries: yield* int("tcp.orphanRetries", tcp.orphanRetries, 1, 100),
        synRetries: yield* int("tcp.synRetries", tcp.synRetries, 0, 100),
        // (Linux's sysctl: proc_dou8vec_minmax, 0..MAX_TCP_SYNCNT)
        synLinearTimeouts: yield* int("tcp.synLinearTimeouts", tcp.synLinearTimeouts, 0, MAX_SYN_LINEAR_TIMEOUTS),
        synAckRetries: yield* int("tcp.synAckRetries", tcp.synAckRetries, 0, 100),
        timeWait: yield* nonNegative("tcp.timeWait", tcp.timeWait),
        finWait2: yield* positive("tcp.finWait2", tcp.finWait2),
        keepalive: tcp.keepalive,
        keepaliveIdle: yield* positive("tcp.keepaliveIdle", tcp.keepaliveIdle),
        keepaliveInterval: yield* positive("tcp.keepaliveInterval", tcp.keepaliveInterval),
        keepaliveProbes: yield* int("tcp.keepaliveProbes", tcp.keepaliveProbes, 1, 1000),
        timestamps: tcp.timestamps,
        sack: tcp.sack,
        windowScaling: tcp.windowScaling,
        frto: tcp.frto,
        ecn: yield* oneOf("tcp.ecn", tcp.ecn, ECN_MODES),
        challengeAcksPerSecond: yield* int("tcp.challengeAcksPerSecond", tcp.challengeAcksPerSecond, 1, 1_000_000),
        maxConnections: yield* int("tcp.maxConnections", tcp.maxConnections, 1, 1 << 24),
        maxTimeWait: yield* int("tcp.maxTimeWait", tcp.maxTimeWait, 0, 1 << 24),
        maxOrphans: yield* int("tcp.maxOrphans", tcp.maxOrphans, 0, 1 << 24),
        idleFibers: yield* int("tcp.idleFibers", tcp.idleFibers, 0, 1 << 20),
        synBacklog: yield* int("tcp.synBacklog", tcp.synBacklog, 1, 1 << 20),
        synCookies: tcp.synCookies,
        acceptBacklog: yield* int("tcp.acceptBacklog", tcp.acceptBacklog, 0, 1 << 20),
        maxAcceptBacklog: yield* int("tcp.maxAcceptBacklog", tcp.maxAcceptBacklog, 0, 1 << 20),
        localPortRange: yield* portRange("tcp.localPortRange", tcp.localPortRange),
        memory: input.tcp?.memory === undefined ? Memory.defaultsFor(totalMemory) : yield* memoryLimits("tcp.memory", input.tcp.memory)
      }
    }
  })

/** `check` as an Effect. */
export const make = (input: StackConfigInput): Effect.Effect<StackConfig, ConfigError> => check(input)

/** @category layers */
export const layer = (input: StackConfigInput): Layer.Layer<Config, ConfigError> =>
  Layer.effect(Config, make(input))
