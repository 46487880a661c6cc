/**
 * The `gonet` commands: a thin shell over the same Layers a program uses
 * (DESIGN.md §2). Flag text goes through the pure `Options` module first, so
 * a bad flag is reported before any device is touched.
 *
 * - `gonet up` first applies `--realtime` (`Scheduling`, held until it
 *   exits), opens the TAP (`LinkTap`, wrapped in `LinkPcap` with
 *   `--pcap`), builds `Stack.layer` (with `--tcp-cc`), starts the `--serve`
 *   services (UDP echo; TCP echo, discard, chargen; the HTTP status
 *   service), prints
 *   where it is, and waits. An interrupt (SIGINT/SIGTERM, delivered by
 *   `NodeRuntime.runMain` as fiber interruption) closes the scopes inside
 *   out: services, then every stack fiber, then the pcap recorder (which
 *   writes what is queued and closes the file), then the TAP. Only then is
 *   the final counters line printed.
 * - `gonet ping` brings the stack up the same way and pings from it, by
 *   default the kernel side of the TAP, printing what ping(8) prints.
 *
 * Errors: every expected failure (a bad flag, `ConfigError`, `LinkError`,
 * `PcapError`, `SchedulingError`, `UdpError`, `TcpError`, a fatal `PingError`, and @effect/cli's own
 * validation errors) becomes one line on stderr, `gonet: <message>`, and a
 * non-zero exit code: 2 for usage errors, 1 for the rest. A defect prints one
 * line too; `--log-level debug` adds the full cause. stdout closed by its
 * reader (`gonet ping | head -n 1`) ends the command as SIGPIPE ends ping(8):
 * interrupted, scopes closed, nothing printed, status 141.
 *
 * @since 0.1.0
 */
import * as fs from "node:fs"
import type { ServeError } from "@effect/platform/HttpServerError"
import { Args, type CliApp, Command, HelpDoc, Options, ValidationError } from "@effect/cli"
import { Cause, Clock, Console, Duration, Effect, Either, Layer, Logger, LogLevel, Option, Random } from "effect"
import { Config, type ConfigError } from "../Config.js"
import { Icmp, type PingError } from "../icmp/Icmp.js"
import { Link, type LinkError, type LinkService } from "../link/Link.js"
import * as LinkPcap from "../link/LinkPcap.js"
import * as LinkTap from "../link/LinkTap.js"
import * as StatusService from "../http/StatusService.js"
import * as Demo from "./Demo.js"
import * as Fetch from "./Fetch.js"
import * as Dns from "../dns/Dns.js"
import * as NodeDns from "../node/Dns.js"
import type { LookupFunction } from "../node/Net.js"
import * as Scheduling from "../Scheduling.js"
import * as Stack from "../Stack.js"
import * as Congestion from "../tcp/congestion/Congestion.js"
import * as TcpServices from "../tcp/Services.js"
import type { TcpError } from "../tcp/TcpError.js"
import { serveEcho, type UdpError } from "../udp/Udp.js"
import * as Format from "./Format.js"
import * as Flags from "./Options.js"
import * as Addr from "../wire/Ipv4Addr.js"
import * as Mac from "../wire/Mac.js"

/** A random locally administered MAC, for when --mac is absent (Random, so tests can seed it). */
const randomMac = Effect.map(
  Effect.forEach(Array.from({ length: 6 }), () => Random.nextIntBetween(0, 256)),
  (octets) => Mac.locallyAdministered(Uint8Array.from(octets))
)

// -----------------------------------------------------------------------------
// flags
// -----------------------------------------------------------------------------

const tap = Options.text("tap").pipe(
  Options.withPseudoName("NAME"),
  Options.withDefault(Flags.DEFAULTS.tap),
  Options.withDescription(`TAP interface to attach to; created if missing (default ${Flags.DEFAULTS.tap}).`)
)
const ip = Options.text("ip").pipe(
  Options.withPseudoName("A.B.C.D/N"),
  Options.withDefault(Flags.DEFAULTS.ip),
  Options.withDescription(`The stack's own address (default ${Flags.DEFAULTS.ip}).`)
)
const hostIp = Options.text("host-ip").pipe(
  Options.withPseudoName("A.B.C.D/N"),
  Options.withDescription(
    "Address given to the kernel side of the TAP, on the stack's subnet " +
      `(default: the first other address of --ip's subnet, ${Flags.DEFAULTS.hostIp} with the default --ip).`
  ),
  Options.optional
)
const gateway = Options.text("gateway").pipe(
  Options.withPseudoName("A.B.C.D"),
  Options.withDescription("Default router for off-link destinations, on the stack's subnet."),
  Options.optional
)
const mac = Options.text("mac").pipe(
  Options.withPseudoName("MAC"),
  Options.withDescription("The stack's MAC, aa:bb:cc:dd:ee:ff (default: random, locally administered)."),
  Options.optional
)
const mtu = Options.integer("mtu").pipe(
  Options.withPseudoName("OCTETS"),
  Options.withDefault(Flags.DEFAULTS.mtu),
  Options.withDescription(`IP MTU of the TAP and the stack, 68..65535 (default ${Flags.DEFAULTS.mtu}).`)
)
const pcap = Options.text("pcap").pipe(
  Options.withPseudoName("FILE"),
  Options.withDescription("Record every frame, both directions, to this pcap file."),
  Options.optional
)
const noHostConfig = Options.boolean("no-host-config").pipe(
  Options.withDescription("Leave the kernel side of the TAP as it is (no address, no link up).")
)
const noOffload = Options.boolean("no-offload").pipe(
  Options.withDescription(
    "Open the TAP without virtio-net headers: no checksum or TCP segmentation offload (every segment MTU-sized, checksummed in software)."
  )
)
const serve = Options.text("serve").pipe(
  Options.withPseudoName("KIND[:PORT]"),
  Options.withDescription(
    "Run services while up: udp-echo (RFC 862 over UDP), echo, discard, chargen (RFC 862, 863, 864 over TCP), " +
      "http (a live status page at /, /bytes/N, /metrics), " +
      "each KIND or KIND:PORT (default ports 7, 7, 9, 19, 80), comma-separated; repeatable " +
      "(e.g. udp-echo:7,echo:7,discard:9,chargen:19,http:80)."
  ),
  Options.repeated,
  Options.withDefault([])
)
const tcpCc = Options.text("tcp-cc").pipe(
  Options.withPseudoName("NAME"),
  Options.withDescription(
    `TCP congestion control: ${Congestion.names.join(" or ")} (default ${Flags.DEFAULTS.tcpCc}).`
  ),
  Options.optional
)

const tcpEcn = Options.text("tcp-ecn").pipe(
  Options.withPseudoName("MODE"),
  Options.withDescription(
    "TCP's use of ECN (RFC 3168): accept (take it when a peer asks, Linux's default), on (ask too) or off."
  ),
  Options.optional
)

const tcpMem = Options.text("tcp-mem").pipe(
  Options.withPseudoName("LOW,PRESSURE,HIGH"),
  Options.withDescription(
    "The stack-wide bound on TCP memory, octets (K, M, G: binary multiples), as Linux's tcp_mem: above PRESSURE " +
      "(until below LOW) buffers stop growing, windows of connections short of buffer shrink to four segments (growing back " +
      "after) and a connection past its 4 KiB minimum " +
      "holding its share of HIGH (HIGH / TCP sockets) takes no more, above HIGH new data is dropped " +
      "(but in order into an empty receive queue) and writers wait. Default from the memory the process may use (the machine's, or its cgroup's limit), as Linux: " +
      "LOW 3/64, PRESSURE 1/16, HIGH 3/32 of it."
  ),
  Options.optional
)

const realtime = Options.integer("realtime").pipe(
  Options.withPseudoName("PRIO"),
  Options.withDescription(
    "Run the stack's threads at SCHED_FIFO priority PRIO (1..99), ahead of the processes it serves, " +
      "as the kernel's own packet work is (needs root or CAP_SYS_NICE)."
  ),
  Options.optional
)
const linkFlags = { tap, ip, hostIp, gateway, mac, mtu, pcap, noHostConfig, noOffload } as const

const count = Options.integer("count").pipe(
  Options.withPseudoName("COUNT"),
  Options.withAlias("c"),
  Options.withDescription("Stop after this many echo requests (default: until interrupted)."),
  Options.optional
)
const size = Options.integer("size").pipe(
  Options.withPseudoName("OCTETS"),
  Options.withAlias("s"),
  Options.withDefault(Flags.DEFAULTS.pingSize),
  Options.withDescription(`Data octets per request, 0..${Flags.MAX_PING_SIZE} (default ${Flags.DEFAULTS.pingSize}).`)
)
const interval = Options.float("interval").pipe(
  Options.withPseudoName("SECONDS"),
  Options.withAlias("i"),
  Options.withDefault(Flags.DEFAULTS.pingIntervalSeconds),
  Options.withDescription(`Seconds between requests (default ${Flags.DEFAULTS.pingIntervalSeconds}).`)
)
const timeout = Options.float("timeout").pipe(
  Options.withPseudoName("SECONDS"),
  Options.withAlias("W"),
  Options.withDefault(Flags.DEFAULTS.pingTimeoutSeconds),
  Options.withDescription(`Seconds to wait for each reply (default ${Flags.DEFAULTS.pingTimeoutSeconds}).`)
)
const resolver = Options.text("resolver").pipe(
  Options.withPseudoName("A.B.C.D"),
  Options.withDescription("DNS server to look names up with (over the stack's own UDP, TCP when truncated)."),
  Options.optional
)
const dest = Args.text({ name: "DEST" }).pipe(
  Args.withDescription("Address to ping, or a name with --resolver (default: the host side, --host-ip)."),
  Args.optional
)

interface RawLinkFlags {
  readonly tap: string
  readonly ip: string
  readonly hostIp: Option.Option<string>
  readonly gateway: Option.Option<string>
  readonly mac: Option.Option<string>
  readonly mtu: number
  readonly pcap: Option.Option<string>
  readonly noHostConfig: boolean
  readonly noOffload: boolean
}

const toLinkFlags = (raw: RawLinkFlags): Flags.LinkFlags => ({
  tap: raw.tap,
  ip: raw.ip,
  hostIp: Option.getOrUndefined(raw.hostIp),
  gateway: Option.getOrUndefined(raw.gateway),
  mac: Option.getOrUndefined(raw.mac),
  mtu: raw.mtu,
  pcap: Option.getOrUndefined(raw.pcap),
  noHostConfig: raw.noHostConfig,
  noOffload: raw.noOffload
})

// -----------------------------------------------------------------------------
// the stack over a TAP
// -----------------------------------------------------------------------------

const out = (lines: ReadonlyArray<string>): Effect.Effect<void> => Console.log(lines.join("\n"))

/**
 * Open the TAP (and the recorder) in the current scope. With `--pcap` the
 * recorder is opened after the TAP, so on close it is flushed first and the
 * TAP closed last.
 */
const openLink = (plan: Flags.LinkPlan) =>
  Effect.gen(function*() {
    const tapLink = yield* LinkTap.make(plan.tap)
    if (plan.pcap === undefined) return { link: tapLink as LinkService, pcapStats: undefined }
    const recorder = yield* LinkPcap.make(tapLink, { path: plan.pcap })
    return { link: recorder as LinkService, pcapStats: recorder.pcapStats }
  })

/** The stack over `link`, configured by the plan. */
const stackLayer = (plan: Flags.LinkPlan, link: LinkService) =>
  Stack.layer(plan.stack).pipe(Layer.provide(Layer.succeed(Link, link)))

// -----------------------------------------------------------------------------
// gonet up
// -----------------------------------------------------------------------------

const runUp = (flags: Flags.UpFlags) =>
  Effect.gen(function*() {
    const plan = yield* Flags.planUp(flags, yield* randomMac)
    const report: {
      stats?: Effect.Effect<Stack.StackStats>
      pcap?: Effect.Effect<LinkPcap.PcapStats> | undefined
    } = {}
    const finalLine = Effect.suspend(() => {
      const stats = report.stats
      if (stats === undefined) return Effect.void
      return Effect.flatMap(
        Effect.all([stats, report.pcap ?? Effect.succeed(undefined)]),
        ([s, p]) => Console.log(Format.downLine(s, p))
      )
    })
    yield* Effect.gen(function*() {
      if (plan.realtime !== undefined) yield* Scheduling.realtime(plan.realtime)
      const { link, pcapStats } = yield* openLink(plan)
      report.pcap = pcapStats
      yield* Effect.gen(function*() {
        const stack = yield* Stack.Stack
        report.stats = stack.stats
        for (const s of plan.serve) {
          switch (s.kind) {
            case "udp-echo":
              yield* serveEcho(s.port)
              break
            case "echo":
            case "discard":
            case "chargen":
              yield* TcpServices.serve(s.port, TcpServices.handlerFor(s.kind))
              break
            case "http":
              // in this scope: the service stops before the stack does
              yield* Layer.build(StatusService.layer(s.port))
              break
          }
        }
        yield* out(Format.upLines({
          tap: plan.tap.name,
          mac: stack.mac,
          address: stack.address,
          prefixLength: stack.prefixLength,
          gateway: stack.gateway,
          mtu: stack.mtu,
          host: plan.host,
          serve: plan.serve,
          // what the stack was configured with, not only what was asked for
          tcpCc: (yield* Config).tcp.congestion,
          pcap: plan.pcap,
          realtime: plan.realtime
        }))
        if (plan.statsEveryMillis !== undefined) {
          const every = Duration.millis(plan.statsEveryMillis)
          const line = Effect.flatMap(
            Effect.all([stack.stats, report.pcap ?? Effect.succeed(undefined)]),
            ([s, p]) => Console.log(Format.statsLine(s, p))
          )
          yield* Effect.forkScoped(Effect.forever(Effect.zipRight(Effect.sleep(every), line)))
        }
        yield* Effect.logDebug("up; waiting for SIGINT or SIGTERM")
        return yield* Effect.never
      }).pipe(Effect.scoped, Effect.provide(stackLayer(plan, link)))
    }).pipe(
      Effect.scoped,
      Effect.onInterrupt(() => Effect.logDebug("interrupted; services, stack, recorder and TAP closed")),
      // after every scope above has closed: the TAP is released, the pcap file complete
      Effect.ensuring(finalLine)
    )
  })

const statsEvery = Options.float("stats").pipe(
  Options.withPseudoName("SECONDS"),
  Options.withDescription("Print a line of counters every SECONDS while up."),
  Options.optional
)

const up = Command.make(
  "up",
  { ...linkFlags, serve, tcpCc, tcpEcn, tcpMem, realtime, statsEvery },
  (raw) =>
    runUp({
      ...toLinkFlags(raw),
      serve: raw.serve,
      tcpCc: Option.getOrUndefined(raw.tcpCc),
      tcpEcn: Option.getOrUndefined(raw.tcpEcn),
      tcpMem: Option.getOrUndefined(raw.tcpMem),
      realtime: Option.getOrUndefined(raw.realtime),
      stats: Option.getOrUndefined(raw.statsEvery)
    })
).pipe(
  Command.withDescription(
    "Run the stack on a TAP until SIGINT/SIGTERM (needs root or CAP_NET_ADMIN)."
  )
)

// -----------------------------------------------------------------------------
// gonet ping
// -----------------------------------------------------------------------------

const FATAL_PING: ReadonlySet<PingError["reason"]> = new Set(["NoRoute", "TooBig", "FragmentationNeeded"])

const runPing = (flags: Flags.PingFlags) =>
  Effect.gen(function*() {
    let plan = yield* Flags.planPing(flags, yield* randomMac)
    const st = { transmitted: 0, received: 0, errors: 0, rtts: [] as Array<number>, startedAt: -1, endedAt: -1 }
    const summary = Effect.suspend(() => {
      if (st.startedAt < 0) return Effect.void
      return Effect.flatMap(Clock.currentTimeMillis, (now) =>
        out(["", ...Format.pingSummaryLines(plan.dest, {
          transmitted: st.transmitted,
          received: st.received,
          errors: st.errors,
          rtts: st.rtts,
          elapsedMillis: (st.endedAt >= 0 ? st.endedAt : now) - st.startedAt
        })]))
    })
    yield* Effect.gen(function*() {
      const { link } = yield* openLink(plan)
      yield* Effect.gen(function*() {
        const stack = yield* Stack.Stack
        const icmp = yield* Icmp
        if (plan.name !== undefined) {
          // a name: its first A record, asked of --resolver over the stack's own UDP (TCP when truncated)
          const dns = yield* Dns.make({ servers: [Addr.format(plan.resolver!)] })
          const found = yield* dns.resolve4(plan.name)
          plan = { ...plan, dest: Addr.parse(found[0]!)! }
        }
        yield* out([Format.pingHeader(plan.dest, stack.address, plan.tap.name, plan.size, plan.name)])
        st.startedAt = yield* Clock.currentTimeMillis
        for (let seq = 1; plan.count === undefined || seq <= plan.count; seq++) {
          const sentAt = yield* Clock.currentTimeMillis
          st.transmitted++
          const result = yield* Effect.either(
            icmp.ping(plan.dest, { size: plan.size, timeout: Duration.millis(plan.timeoutMillis) })
          )
          if (result._tag === "Right") {
            const r = result.right
            const ms = Duration.toMillis(r.rtt)
            st.received++
            st.rtts.push(ms)
            yield* out([Format.pingReplyLine(plan.dest, seq, r.ttl, r.size, ms)])
          } else {
            const e = result.left
            if (FATAL_PING.has(e.reason)) {
              st.startedAt = -1 // no statistics after a failure to send at all, as ping(8)
              return yield* e
            }
            if (e.reason !== "Timeout") st.errors++
            yield* out([Format.pingFailLine(seq, e.message)])
          }
          if (plan.count !== undefined && seq >= plan.count) break
          const now = yield* Clock.currentTimeMillis
          const wait = plan.intervalMillis - (now - sentAt)
          if (wait > 0) yield* Effect.sleep(Duration.millis(wait))
        }
        st.endedAt = yield* Clock.currentTimeMillis
      }).pipe(Effect.provide(stackLayer(plan, link)))
    }).pipe(
      Effect.scoped,
      Effect.onExit((exit) =>
        exit._tag === "Success" || Cause.isInterruptedOnly(exit.cause)
          ? Effect.zipRight(
            summary,
            // ping(8): exit status 1 when no reply at all was received
            Effect.sync(() => {
              if (st.startedAt >= 0 && st.received === 0) process.exitCode = 1
            })
          )
          : Effect.void
      )
    )
  })

const ping = Command.make(
  "ping",
  { ...linkFlags, count, size, interval, timeout, resolver, dest },
  (raw) =>
    runPing({
      ...toLinkFlags(raw),
      dest: Option.getOrUndefined(raw.dest),
      resolver: Option.getOrUndefined(raw.resolver),
      count: Option.getOrUndefined(raw.count),
      size: raw.size,
      interval: raw.interval,
      timeout: raw.timeout
    })
).pipe(
  Command.withDescription(
    "Ping from the stack (brought up as `up` does), by default the host side, like ping(8)."
  )
)

// -----------------------------------------------------------------------------
// gonet fetch
// -----------------------------------------------------------------------------

const url = Args.text({ name: "URL" }).pipe(
  Args.withDescription("What to GET: http[s]://A.B.C.D[:PORT]/PATH, or a name with --resolver.")
)
const cacert = Options.file("cacert", { exists: "yes" }).pipe(
  Options.withPseudoName("FILE"),
  Options.withDescription(
    "For https://, trust the certificates in this PEM file instead of Node's bundled CAs (as curl --cacert)."
  ),
  Options.optional
)
const output = Options.text("output").pipe(
  Options.withPseudoName("FILE"),
  Options.withAlias("o"),
  Options.withDescription(
    "Write the body to FILE instead of stdout; FILE is created (or truncated) only when body octets arrive, as curl -o."
  ),
  Options.optional
)
const maxTime = Options.float("max-time").pipe(
  Options.withPseudoName("SECONDS"),
  Options.withDefault(30),
  Options.withDescription("Give up after this many seconds (default 30).")
)

/** A Node-style lookup over the stack's DNS client (its own UDP, TCP when truncated), asking `server`. */
const resolverLookup = (server: Addr.Ipv4Addr) =>
  Effect.map(NodeDns.makeWith({ servers: [Addr.format(server)] }), (f): LookupFunction => f)

const runFetch = (flags: Flags.FetchFlags) =>
  Effect.gen(function*() {
    const plan = yield* Flags.planFetch(flags, yield* randomMac)
    yield* Effect.gen(function*() {
      const { link } = yield* openLink(plan)
      yield* Effect.gen(function*() {
        const lookup = plan.resolver === undefined ? undefined : yield* resolverLookup(plan.resolver)
        yield* Fetch.fetch({ url: plan.url, output: plan.output, maxTimeMillis: plan.maxTimeMillis, lookup, cacert: plan.cacert })
      }).pipe(Effect.provide(stackLayer(plan, link)))
    }).pipe(Effect.scoped)
  })

const fetchCommand = Command.make(
  "fetch",
  { ...linkFlags, output, resolver, maxTime, cacert, url },
  (raw) =>
    runFetch({
      ...toLinkFlags(raw),
      url: raw.url,
      output: Option.getOrUndefined(raw.output),
      resolver: Option.getOrUndefined(raw.resolver),
      maxTime: raw.maxTime,
      cacert: Option.getOrUndefined(raw.cacert)
    })
).pipe(
  Command.withDescription(
    "GET a URL from the stack (brought up as `up` does) with Node's HTTP client over its TCP (https:// with Node's TLS " +
      "over it): body to stdout, status to stderr. " +
      "Exit 1 when the body is not all there: no answer, an HTTP status of 400 or more (nothing written, as curl --fail), " +
      "or a body cut short (what came is kept)."
  )
)

// -----------------------------------------------------------------------------
// gonet demo
// -----------------------------------------------------------------------------

const demoCommand = Command.make("demo", { pcap }, (raw) => Demo.demo({ pcap: Option.getOrUndefined(raw.pcap) })).pipe(
  Command.withDescription(
    "Show the stack in a throw-away namespace: a TAP, the stack with its HTTP service, the kernel's ping and curl " +
      "against it, what happened in plain words; everything removed after (needs root)."
  )
)

// -----------------------------------------------------------------------------
// gonet
// -----------------------------------------------------------------------------

const readVersion = (): string => {
  try {
    const pkg = JSON.parse(fs.readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
      version?: unknown
    }
    return typeof pkg.version === "string" ? pkg.version : "0.0.0"
  } catch {
    return "0.0.0"
  }
}

/** @category commands */
export const gonet = Command.make("gonet").pipe(
  Command.withDescription("A user-space TCP/IP stack over a Linux TAP device."),
  Command.withSubcommands([up, ping, fetchCommand, demoCommand])
)

const cli = Command.run(gonet, { name: "gonet", version: readVersion() })

/** Exit status for usage errors (bad flags), as most Unix tools use. */
export const EXIT_USAGE = 2
/** Exit status for everything else that went wrong. */
export const EXIT_FAILURE = 1
/** Exit status when stdout's reader went away: what a shell reports for a process SIGPIPE killed (128 + 13). */
export const EXIT_PIPE = 141

/**
 * Resolves when stdout's reader has gone away (`gonet ping | head -n 1`:
 * EPIPE) and no command watches stdout itself (fetch does, and says how
 * much it wrote). Node ignores SIGPIPE, so without a listener the write
 * error is an uncaught 'error' event: a stack trace, and no scope closed.
 */
const stdoutClosed: Effect.Effect<void> = Effect.async<void>((resume) => {
  const onError = (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE" && process.stdout.listenerCount("error") === 1) resume(Effect.void)
  }
  process.stdout.on("error", onError)
  return Effect.sync(() => process.stdout.off("error", onError))
})

type Expected =
  | ValidationError.ValidationError
  | Flags.UsageError
  | ConfigError
  | LinkError
  | LinkPcap.PcapError
  | Scheduling.SchedulingError
  | UdpError
  | TcpError
  | PingError
  | Demo.DemoError
  | Fetch.FetchError
  | Dns.DnsError
  | ServeError

const fail = (message: string, code: number): Effect.Effect<void> =>
  Effect.sync(() => {
    process.stderr.write(Format.errorLine(message) + "\n")
    process.exitCode = code
  })

const report = (e: Expected): Effect.Effect<void> => {
  if (ValidationError.isValidationError(e)) {
    return fail(HelpDoc.toAnsiText(e.error), EXIT_USAGE)
  }
  switch (e._tag) {
    case "UsageError":
      return fail(e.message, EXIT_USAGE)
    case "ConfigError":
      return fail(`bad configuration: ${e.message}`, EXIT_USAGE)
    case "ServeError":
      return fail(`the http service could not start: ${e.cause instanceof Error ? e.cause.message : String(e.cause)}`, EXIT_FAILURE)
    default:
      return fail(e.message, EXIT_FAILURE)
  }
}

/**
 * The whole program for `argv` (as `process.argv`: runtime, script, args).
 * Never fails: errors are printed and turned into `process.exitCode`.
 * @category commands
 */
export const run = (argv: ReadonlyArray<string>): Effect.Effect<void, never, CliApp.CliApp.Environment> => {
  const parsed = Flags.extractLogLevel(argv.slice(2))
  if (Either.isLeft(parsed)) return report(parsed.left)
  const { level, rest } = parsed.right
  return Console.consoleWith((console) =>
    cli([...argv.slice(0, 2), ...rest]).pipe(
      // stdout gone ends the command as SIGPIPE ends ping(8): interrupted (its scopes close, the TAP
      // is released), silently, with the status a shell shows for it
      Effect.raceFirst(Effect.zipRight(stdoutClosed, Effect.succeed("stdout closed" as const))),
      Effect.flatMap((r) => r === "stdout closed" ? Effect.sync(() => (process.exitCode = EXIT_PIPE)) : Effect.void),
      Effect.catchAll(report),
      Effect.catchAllDefect((defect) =>
        Effect.zipRight(
          Effect.logDebug("defect", Cause.die(defect)),
          fail(`internal error: ${defect instanceof Error ? defect.message : String(defect)}`, EXIT_FAILURE)
        )
      ),
      Logger.withMinimumLogLevel(LogLevel.fromLiteral(level)),
      // @effect/cli prints its own validation errors (multi-line, ANSI) with
      // Console.error before failing; `report` prints them as one line
      // instead. Loggers use `console.unsafe`, which stays as it was.
      // Help goes to stdout; without a terminal it is plain text.
      Effect.withConsole({
        ...console,
        error: () => Effect.void,
        log: (...args: ReadonlyArray<unknown>) =>
          process.stdout.isTTY
            ? console.log(...args)
            : console.log(...args.map((a) => (typeof a === "string" ? Format.stripAnsi(a) : a)))
      })
    )
  )
}
