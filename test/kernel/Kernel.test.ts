/**
 * The whole stack against the real Linux kernel (DESIGN.md §6).
 *
 * Each test builds its own world: a fresh network namespace, a TAP opened by
 * this process (so the stack's fibers run here) and moved into that
 * namespace with the host side at 198.18.0.1/24, then `Stack.layer` at
 * 198.18.0.2/24 over that TAP (wrapped in `LinkPcap` for the capture test).
 * The kernel inside the namespace is the peer: `ping`, `socat`, `tcpdump`,
 * `ip neigh`, test/kernel/tcp_peer.py (Python's sockets) and the
 * namespace's own TCP counters, and `tshark` reads the capture afterwards.
 * The test scope owns everything: closing it stops the stack's fibers, closes
 * the TAP fd (the kernel deletes the TAP), kills every process spawned here
 * (by PID) and deletes the namespace, whether the test passed or not.
 *
 * The kernel runs on wall-clock time, so these tests use the live clock
 * (`it.scopedLive`) instead of STYLE.md §6d's TestClock rule, which is for
 * tests where our stack is alone. Waits are bounded safety nets; nothing
 * asserts on durations.
 *
 * Needs root, /dev/net/tun, iproute2 and the built TAP addon; skips with the
 * printed reason otherwise. A test whose external tool (socat, tcpdump,
 * tshark, ss, ping, python3) is missing skips alone, also with a printed reason.
 */
import { describe, expect, it } from "@effect/vitest"
import { Context, Duration, Effect, Layer } from "effect"
import type { Scope } from "effect"
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { delimiter, join } from "node:path"
import { fileURLToPath } from "node:url"
import type { StackConfigInput } from "../../src/Config.js"
import { Icmp } from "../../src/icmp/Icmp.js"
import { Link } from "../../src/link/Link.js"
import * as Mac from "../../src/wire/Mac.js"
import type { LinkService } from "../../src/link/Link.js"
import * as LinkPcap from "../../src/link/LinkPcap.js"
import * as LinkTap from "../../src/link/LinkTap.js"
import * as TapAddon from "../../src/link/TapAddon.js"
import * as Stack from "../../src/Stack.js"
import * as Udp from "../../src/udp/Udp.js"
import * as ArpWire from "../../src/wire/ArpPacket.js"
import * as Eth from "../../src/wire/EthernetFrame.js"
import * as Addr from "../../src/wire/Ipv4Addr.js"
import { canUseTap, exec, execHost, ifName, makeNetns, moveLinkToNetns, spawnIn, tcpExt } from "../support/Netns.js"
import { eventually } from "../support/Live.js"
import type { ExecResult, Netns, Spawned } from "../support/Netns.js"
import { asArp } from "../support/Peer.js"
import { recordSends } from "../support/TestNet.js"

// -----------------------------------------------------------------------------
// can we run at all?

const addonStatus = (): { readonly ok: true } | { readonly ok: false; readonly reason: string } => {
  try {
    TapAddon.loadSync()
    return { ok: true }
  } catch (e) {
    return { ok: false, reason: `the TAP addon is not built (${e instanceof Error ? e.message : String(e)})` }
  }
}

const TAP = canUseTap()
const ADDON = TAP.ok ? addonStatus() : TAP
const SKIP_ALL = !TAP.ok ? TAP.reason : !ADDON.ok ? ADDON.reason : undefined
if (SKIP_ALL !== undefined) console.warn(`skipping e2e kernel tests: ${SKIP_ALL}`)

const onPath = (tool: string): boolean =>
  (process.env["PATH"] ?? "").split(delimiter).some((dir) => dir !== "" && existsSync(join(dir, tool)))

/** True (and says why) when one of `tools` is missing. */
const missing = (what: string, tools: ReadonlyArray<string>): boolean => {
  if (SKIP_ALL !== undefined) return true
  const absent = tools.filter((t) => !onPath(t))
  if (absent.length > 0) console.warn(`skipping "${what}": ${absent.join(", ")} not installed`)
  return absent.length > 0
}

// -----------------------------------------------------------------------------
// the test network

const TAG = "ke"
const STACK_MAC = new Uint8Array([0x02, 0x67, 0x6e, 0x00, 0x00, 0x02])
const STACK_MAC_TEXT = Mac.format(STACK_MAC)
const STACK_IP = "198.18.0.2"
const HOST_IP = "198.18.0.1"
const HOST_CIDR = `${HOST_IP}/24`
const HOST_ADDR = Addr.parse(HOST_IP)!

/** Safety net for one helper command; never reached when things work. */
const CMD_TIMEOUT_MS = 20_000
const PEER = fileURLToPath(new URL("./tcp_peer.py", import.meta.url))

interface World {
  readonly ns: Netns
  readonly ifname: string
  readonly link: LinkService
  readonly stack: Context.Context<Stack.Services>
}

/**
 * Namespace, TAP moved into it (host side 198.18.0.1/24, up), then the stack
 * at 198.18.0.2/24 over the TAP. `wrap` may put middleware on the link;
 * `beforeStack` runs once the kernel side is up and before the stack starts
 * (and so before its announcement goes out). `index` keeps the TAP name
 * unique within this file.
 */
const makeWorld = <E = never>(
  index: number,
  options: {
    readonly wrap?: (tap: LinkService) => Effect.Effect<LinkService, E, Scope.Scope>
    readonly beforeStack?: (ns: Netns, ifname: string) => Effect.Effect<void, E, Scope.Scope>
    readonly config?: Partial<StackConfigInput>
  } = {}
) =>
  Effect.gen(function*() {
    // Acquired in this order, released in reverse: the stack's fibers stop,
    // the TAP fd closes, then the namespace goes.
    const ns = yield* makeNetns(TAG)
    const ifname = ifName(TAG, index)
    const tap = yield* LinkTap.make({ name: ifname, mac: STACK_MAC })
    yield* moveLinkToNetns(ifname, ns, { address: HOST_CIDR })
    const link = options.wrap ? yield* options.wrap(tap) : tap
    if (options.beforeStack) yield* options.beforeStack(ns, ifname)
    const stack = yield* Layer.build(
      Stack.layer({ address: STACK_IP, prefixLength: 24, ...options.config }).pipe(Layer.provide(Layer.succeed(Link, link)))
    )
    return { ns, ifname, link, stack } satisfies World
  })

const stats = (world: World) => Effect.flatMap(Stack.Stack, (s) => s.stats).pipe(Effect.provide(world.stack))

// -----------------------------------------------------------------------------
// helpers


/** Wait for a spawned process to say something on stderr. */
const waitForStderr = (p: Spawned, text: string, what: string) =>
  eventually(Effect.sync(() => p.stderr()), (e) => e.includes(text), what)

const describeExec = (r: ExecResult) => `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`


/** A fresh temporary directory, removed with the scope. */
const tempDir = Effect.acquireRelease(
  Effect.sync(() => mkdtempSync(join(tmpdir(), "gonet-e2e-"))),
  (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
)

/** `n` printable octets that do not repeat with any short period. */
const payload = (n: number, seed: number): string => {
  let s = ""
  for (let i = 0; i < n; i++) s += String.fromCharCode(33 + ((i * 7 + (i >> 7) + seed) % 94))
  return s
}

/**
 * `socat` in `ns`: send the contents of `file` as one datagram to
 * `dst:port` from a connected UDP socket, print what comes back, and give up
 * `wait` seconds after sending (socat's `-t`).
 */
const socatUdp = (ns: Netns, file: string, port: number, wait = 2) =>
  exec(ns, ["sh", "-c", `exec socat -t ${wait} - UDP:${STACK_IP}:${port} < "$1"`, "sh", file], {
    timeoutMs: CMD_TIMEOUT_MS
  })

const ROOT_WARNING = /^Running as user "root" and group "root"\. This could be dangerous\.$/

/** tshark reads a file, so it runs in this process's namespace. */
const tsharkRun = (args: ReadonlyArray<string>) => execHost(["tshark", ...args], { timeoutMs: CMD_TIMEOUT_MS })

/** The fields the capture test reads, one tab-separated column each. */
const FIELDS = [
  "frame.number",
  "arp.opcode",
  "arp.src.hw_mac",
  "arp.src.proto_ipv4",
  "arp.dst.proto_ipv4",
  "ip.src",
  "ip.dst",
  "ip.checksum.status",
  "icmp.type",
  "icmp.checksum.status",
  "_ws.expert.severity"
] as const
type Field = (typeof FIELDS)[number]

/** Wireshark's checksum status "Bad" (Good is 1, Unverified 2). */
const CHECKSUM_BAD = "0"
/**
 * Wireshark's expert severity PI_ERROR (epan/proto.h): malformed and
 * truncated packets and bad IPv4 checksums carry it. (`_ws.malformed` has no
 * value, so it prints nothing in a fields column even when present.)
 */
const PI_ERROR = 0x00800000

const parseFields = (stdout: string): ReadonlyArray<Record<Field, string>> =>
  stdout.split("\n").filter((l) => l !== "").map((line) => {
    const cols = line.split("\t")
    return Object.fromEntries(FIELDS.map((f, i) => [f, cols[i] ?? ""])) as Record<Field, string>
  })

/** Every expert-info severity tshark attached to a frame. */
const severities = (f: Record<Field, string>): ReadonlyArray<number> =>
  f["_ws.expert.severity"] === "" ? [] : f["_ws.expert.severity"].split(",").map(Number)

/** tshark's stderr without the known warning about running as root. */
const tsharkErrors = (r: ExecResult) =>
  r.stderr.split("\n").filter((l) => l.trim() !== "" && !ROOT_WARNING.test(l.trim()))

// -----------------------------------------------------------------------------
// tests

describe.skipIf(SKIP_ALL !== undefined)("the stack against the Linux kernel over a TAP", () => {
  it.scopedLive.skipIf(missing("ping -R", ["ping"]))(
    "answers ping -R and ping -T with the route and the timestamps recorded (RFC 1122 §3.2.2.6), ours in the two slots Linux fills",
    () =>
      Effect.gen(function*() {
        const world = yield* makeWorld(0)
        const r = yield* exec(world.ns, ["ping", "-n", "-R", "-c", "1", "-W", "2", STACK_IP], { timeoutMs: CMD_TIMEOUT_MS })
        expect(r.code, `ping -R: ${describeExec(r)}`).toBe(0)
        // "RR: \t198.18.0.1\n\t198.18.0.2\n\t198.18.0.2\n\t198.18.0.1": the kernel's own slots, then ours
        const route = r.stdout.slice(r.stdout.indexOf("RR:")).split("\n").slice(0, 4).map((l) => l.replace("RR:", "").trim())
        expect(route, describeExec(r)).toEqual([HOST_IP, STACK_IP, STACK_IP, HOST_IP])
        // and the timestamp option (ping -T tsaddr): each stamp with its address, ours twice
        const ts = yield* exec(world.ns, ["ping", "-n", "-T", "tsandaddr", "-c", "1", "-W", "2", STACK_IP], { timeoutMs: CMD_TIMEOUT_MS })
        expect(ts.code, `ping -T: ${describeExec(ts)}`).toBe(0)
        const stamped = ts.stdout.slice(ts.stdout.indexOf("TS:")).split("\n").slice(0, 4).map((l) => l.replace("TS:", "").trim().split(/\s+/)[0])
        expect(stamped, describeExec(ts)).toEqual([HOST_IP, STACK_IP, STACK_IP, HOST_IP])
        const s = yield* stats(world)
        expect(s.icmp.echoRequests).toBe(2)
      })
  )

  it.scopedLive.skipIf(missing("ping sizes", ["ping"]))(
    "answers the kernel's ping at 56, 1472, 1473, 8000 and 65507 octets, and the kernel learns our MAC",
    () =>
      Effect.gen(function*() {
        const world = yield* makeWorld(0)
        // 1472 is the largest unfragmented payload at MTU 1500; from 1473 up
        // the kernel fragments its requests and we fragment our replies.
        for (const size of [56, 1472, 1473, 8000, 65507]) {
          const r = yield* exec(
            world.ns,
            ["ping", "-n", "-c", "3", "-i", "0.2", "-W", "2", "-s", String(size), STACK_IP],
            { timeoutMs: CMD_TIMEOUT_MS }
          )
          expect(r.stdout, `ping -s ${size}: ${describeExec(r)}`).toContain(
            "3 packets transmitted, 3 received, 0% packet loss"
          )
          expect(r.code, `ping -s ${size}: ${describeExec(r)}`).toBe(0)
        }

        const s = yield* stats(world)
        expect(s.icmp.echoRequests).toBe(15)
        // 1473 (2 fragments), 8000 (6) and 65507 (45), three times each
        expect(s.ipv4.reassembled).toBe(9)
        expect(s.ipv4.fragmentsSent).toBe(3 * (2 + 6 + 45))
        expect(s.ipv4.reassemblyFailures).toBe(0)
        expect(s.link.rxDropped).toBe(0)
        expect(s.link.txDropped).toBe(0)

        // The kernel's neighbour table holds our MAC, in a usable state.
        const neigh = yield* eventually(
          exec(world.ns, ["ip", "-4", "neigh", "show", STACK_IP, "dev", world.ifname]),
          (r) => /\b(REACHABLE|STALE|DELAY)\b/.test(r.stdout),
          "kernel neighbour entry for 198.18.0.2"
        )
        expect(neigh.stdout.trim()).toMatch(
          new RegExp(`^198\\.18\\.0\\.2 lladdr ${STACK_MAC_TEXT} (REACHABLE|STALE|DELAY)$`)
        )
      })
  )

  it.scopedLive.skipIf(missing("udp echo", ["socat"]))(
    "echoes UDP from the kernel's socat, small and fragmented both ways",
    () =>
      Effect.gen(function*() {
        const world = yield* makeWorld(1)
        const port = yield* Effect.provide(Udp.serveEcho(7), world.stack)
        expect(port).toBe(7)
        const dir = yield* tempDir
        const small = "hello, gonet"
        const large = payload(3000, 1) // > 1472: fragmented by the kernel and by us
        writeFileSync(join(dir, "small"), small)
        writeFileSync(join(dir, "large"), large)

        const [rs, rl] = yield* Effect.all(
          [socatUdp(world.ns, join(dir, "small"), 7), socatUdp(world.ns, join(dir, "large"), 7)],
          { concurrency: "unbounded" }
        )
        expect(rs.stdout, describeExec(rs)).toBe(small)
        expect(rs.code, describeExec(rs)).toBe(0)
        expect(rl.stdout.length, describeExec(rl)).toBe(large.length)
        expect(rl.stdout === large, "the 3000-octet echo differs from what was sent").toBe(true)
        expect(rl.code, describeExec(rl)).toBe(0)

        const s = yield* stats(world)
        expect(s.udp.received).toBe(2)
        expect(s.udp.sent).toBe(2)
        expect(s.udp.malformed).toBe(0)
        expect(s.ipv4.reassembled).toBe(1) // the kernel's 3 fragments
        expect(s.ipv4.fragmentsSent).toBe(3) // our reply's
      })
  )

  it.scopedLive.skipIf(missing("port unreachable", ["socat"]))(
    "UDP to a closed port: the kernel matches our ICMP port unreachable (ECONNREFUSED)",
    () =>
      Effect.gen(function*() {
        const world = yield* makeWorld(2)
        const dir = yield* tempDir
        writeFileSync(join(dir, "probe"), "anyone there?")
        // A connected UDP socket gets ECONNREFUSED on its next read only if
        // the kernel accepted our ICMP error and matched the quoted datagram
        // to it (RFC 1122 §4.1.3.3).
        const r = yield* socatUdp(world.ns, join(dir, "probe"), 9999, 5)
        expect(r.stderr, describeExec(r)).toMatch(/Connection refused/)
        expect(r.code, describeExec(r)).not.toBe(0)
        expect(r.stdout).toBe("")

        const s = yield* stats(world)
        expect(s.udp.noPort).toBe(1)
        expect(s.ipv4.icmpErrorsSent).toBe(1)
        expect(s.ipv4.icmpErrorsRateLimited).toBe(0)
      })
  )

  it.scopedLive.skipIf(missing("announcement", ["tcpdump"]))(
    "announces itself with a gratuitous ARP when it starts",
    () =>
      Effect.gen(function*() {
        let tcpdump: Spawned | undefined
        const world = yield* makeWorld(3, {
          beforeStack: (ns, ifname) =>
            Effect.gen(function*() {
              const p = yield* spawnIn(ns, [
                "tcpdump", "-i", ifname, "-n", "-e", "-l", "-c", "1", `ether src ${STACK_MAC_TEXT} and arp`
              ])
              // tcpdump says "listening on" once its filter is attached
              yield* waitForStderr(p, "listening on", "tcpdump ready")
              tcpdump = p
            })
        })
        const p = tcpdump!
        const code = yield* p.exited.pipe(
          Effect.timeoutFail({ duration: Duration.seconds(10), onTimeout: () => new Error(`tcpdump saw nothing: ${p.stderr()}`) })
        )
        expect(code, p.stderr()).toBe(0)
        // RFC 5227 §2.3: an ARP request with sender = target = our address
        expect(p.stdout()).toContain(`${STACK_MAC_TEXT} > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806)`)
        expect(p.stdout()).toContain(`Request who-has ${STACK_IP} tell ${STACK_IP}`)

        const s = yield* stats(world)
        expect(s.arp.requestsSent).toBe(1)
        expect(s.link.txDropped).toBe(0)
      })
  )

  it.scopedLive("pings the kernel: ARP resolution, then echo replies, small and fragmented", () =>
    Effect.gen(function*() {
      const world = yield* makeWorld(4)
      const replies = yield* Effect.provide(
        Effect.gen(function*() {
          const icmp = yield* Icmp
          const first = yield* icmp.ping(HOST_ADDR, { timeout: Duration.seconds(5) })
          const large = yield* icmp.ping(HOST_ADDR, { size: 4000, timeout: Duration.seconds(5) })
          return { first, large }
        }),
        world.stack
      )
      expect(replies.first.size).toBe(56)
      expect(replies.first.ttl).toBe(64) // Linux's default TTL
      expect(replies.large.size).toBe(4000)

      const s = yield* stats(world)
      // the announcement, then at least one request for 198.18.0.1
      expect(s.arp.requestsSent).toBeGreaterThanOrEqual(2)
      expect(s.arp.repliesReceived).toBeGreaterThanOrEqual(1)
      expect(s.arp.resolveTimeouts).toBe(0)
      expect(s.icmp.pingsSent).toBe(2)
      expect(s.icmp.pingTimeouts).toBe(0)
      expect(s.ipv4.fragmentsSent).toBe(3) // 4008 octets of ICMP in 3 fragments
      expect(s.ipv4.reassembled).toBe(1) // the kernel's fragmented reply

      const neigh = yield* exec(world.ns, ["ip", "-4", "neigh", "show", STACK_IP, "dev", world.ifname])
      expect(neigh.stdout).toContain(`lladdr ${STACK_MAC_TEXT}`)
    }))

  it.scopedLive.skipIf(missing("udp to the kernel", ["socat", "ss"]))(
    "sends UDP that the kernel's socat receives, small and fragmented",
    () =>
      Effect.gen(function*() {
        const world = yield* makeWorld(5)
        const receiver = yield* spawnIn(world.ns, ["socat", "-u", "UDP-RECV:5000", "-"])
        yield* eventually(
          exec(world.ns, ["ss", "-Hlun", "sport = :5000"]),
          (r) => r.stdout.includes(":5000"),
          "socat bound to UDP 5000"
        )
        const small = "hello from gonet\n"
        const large = payload(3000, 2)
        const sock = yield* Effect.provide(
          Effect.flatMap(Udp.Udp, (udp) => udp.bind()),
          world.stack
        )
        yield* sock.send(HOST_ADDR, 5000, new TextEncoder().encode(small))
        yield* sock.send(HOST_ADDR, 5000, new TextEncoder().encode(large))
        const got = yield* eventually(
          Effect.sync(() => receiver.stdout()),
          (out) => out.length >= small.length + large.length,
          "socat received both datagrams"
        )
        expect(got.length).toBe(small.length + large.length)
        expect(got === small + large, "socat received other octets than were sent").toBe(true)

        const s = yield* stats(world)
        expect(s.udp.sent).toBe(2)
        expect(s.ipv4.fragmentsSent).toBe(3)
        expect(s.icmp.errorsReceived).toBe(0)
      })
  )

  it.scopedLive.skipIf(missing("neighbour re-confirmation", ["socat", "ss"]))(
    "keeps the kernel as a neighbour while in use: stale, unicast probe, answered, no frame waits or is lost",
    () =>
      Effect.gen(function*() {
        // Short reachability times, so the entry goes stale several times in a second or two.
        const sent: Array<Uint8Array> = []
        const world = yield* makeWorld(7, {
          wrap: recordSends(sent),
          config: { arp: { reachableTime: "300 millis", delayFirstProbe: "150 millis", retryInterval: "200 millis" } }
        })
        const receiver = yield* spawnIn(world.ns, ["socat", "-u", "UDP-RECV:5001", "-"])
        yield* eventually(
          exec(world.ns, ["ss", "-Hlun", "sport = :5001"]),
          (r) => r.stdout.includes(":5001"),
          "socat bound to UDP 5001"
        )
        const sock = yield* Effect.provide(Effect.flatMap(Udp.Udp, (udp) => udp.bind()), world.stack)
        const count = 30
        for (let i = 0; i < count; i++) {
          yield* sock.send(HOST_ADDR, 5001, new TextEncoder().encode(`${String(i).padStart(3, "0")}\n`))
          yield* Effect.sleep("60 millis")
        }
        const got = yield* eventually(
          Effect.sync(() => receiver.stdout()),
          (out) => out.length >= count * 4,
          "socat received every datagram"
        )
        expect(got).toBe(Array.from({ length: count }, (_, i) => `${String(i).padStart(3, "0")}\n`).join(""))
        const s = yield* stats(world)
        expect(s.arp.probesSent).toBeGreaterThanOrEqual(1) // re-confirmed by unicast...
        expect(s.arp.probeFailures).toBe(0) // ...which the kernel answered
        expect(s.arp.resolveTimeouts).toBe(0)
        expect(s.arp.pendingDropped).toBe(0)
        // Broadcasts: the announcement and one resolution; the rest were unicast.
        expect(s.arp.requestsSent - s.arp.probesSent).toBe(2)
        // ...as the wire shows: the re-confirmations went to one MAC, the kernel's, not to everyone.
        const requests = sent.filter((f) => asArp(f)?.op === ArpWire.Op.Request)
        const unicast = requests.filter((f) => !Eth.isBroadcast(f))
        expect(requests.length - unicast.length).toBe(2)
        expect(unicast.length).toBeGreaterThanOrEqual(1)
        expect(new Set(unicast.map((f) => Mac.format(f.subarray(0, 6)))).size).toBe(1)
      })
  )

  it.scopedLive.skipIf(missing("udp errors", []))(
    "the kernel's port unreachable reaches the UDP socket that sent the datagram",
    () =>
      Effect.gen(function*() {
        const world = yield* makeWorld(8)
        const report = yield* Effect.provide(
          Effect.gen(function*() {
            const sock = yield* Effect.flatMap(Udp.Udp, (udp) => udp.bind(4444))
            yield* sock.send(HOST_ADDR, 9, new TextEncoder().encode("anyone there?"))
            return yield* sock.receiveError.pipe(
              Effect.timeoutFail({ duration: Duration.seconds(10), onTimeout: () => new Error("no error report") })
            )
          }),
          world.stack
        )
        expect(report).toMatchObject({ type: "DstUnreachable", code: 3, reporter: HOST_ADDR, dst: HOST_ADDR, dstPort: 9 })
        const s = yield* stats(world)
        expect(s.icmp.errorsDelivered).toBe(1)
        expect(s.udp.errorsReported).toBe(1)
      })
  )

  it.scopedLive.skipIf(missing("udp port sharing", ["socat"]))(
    "the kernel's unicast goes to the socket bound to the stack's address, its broadcast to each socket sharing the port on every address (SO_REUSEADDR)",
    () =>
      Effect.gen(function*() {
        const world = yield* makeWorld(10)
        const { own, one, two } = yield* Effect.provide(
          Effect.gen(function*() {
            const udp = yield* Udp.Udp
            const one = yield* udp.bind(5002, { reuseAddr: true })
            const own = yield* udp.bind(5002, { address: Addr.parse(STACK_IP)!, reuseAddr: true })
            const two = yield* udp.bind(5002, { reuseAddr: true })
            return { own, one, two }
          }),
          world.stack
        )
        // one datagram from the kernel's socat, to the stack's address or (SO_BROADCAST) the subnet's broadcast
        const send = (dst: string, text: string, broadcast: boolean) =>
          exec(world.ns, ["sh", "-c", `printf %s "$1" | exec socat -u - UDP-DATAGRAM:${dst}:5002${broadcast ? ",broadcast" : ""}`, "sh", text], {
            timeoutMs: CMD_TIMEOUT_MS
          })
        const next = (s: Udp.UdpSocket, what: string) =>
          s.receive.pipe(
            Effect.map((d) => new TextDecoder().decode(d.payload)),
            Effect.timeoutFail({ duration: Duration.seconds(10), onTimeout: () => new Error(`nothing for ${what}`) })
          )
        const r1 = yield* send(STACK_IP, "unicast", false)
        expect(r1.code, describeExec(r1)).toBe(0)
        expect(yield* next(own, "the socket bound to the stack's address")).toBe("unicast")
        const r2 = yield* send("198.18.0.255", "broadcast", true)
        expect(r2.code, describeExec(r2)).toBe(0)
        expect(yield* next(one, "the first socket on every address")).toBe("broadcast")
        expect(yield* next(two, "the second socket on every address")).toBe("broadcast")
        // (dealt in the same call as the others' copies: had it been one of them, it would be queued now)
        expect((yield* Effect.timeoutOption(own.receive, 0))._tag).toBe("None")
        const s = yield* stats(world)
        expect(s.udp.noPort).toBe(0)
      })
  )

  it.scopedLive.skipIf(missing("tcp refused", ["python3"]))(
    "a kernel TCP connect to a closed port is refused at once by our reset (RFC 9293 §3.10.7.1)",
    () =>
      Effect.gen(function*() {
        const world = yield* makeWorld(9)
        // One connect() from the kernel (tcp_peer.py, 10 s timeout). ECONNREFUSED with
        // no SYN retransmitted (the namespace's own count) and one segment received
        // proves the reset answered the first SYN; none would leave connect() timing out.
        const r = yield* exec(world.ns, ["python3", PEER, "refused", STACK_IP, "80"], { timeoutMs: CMD_TIMEOUT_MS })
        expect(r.code, describeExec(r)).toBe(0)
        const said = JSON.parse(r.stdout.trim().split("\n").at(-1)!) as { error: string | null; seconds: number }
        expect(said.error, describeExec(r)).toBe("ECONNREFUSED")
        expect((yield* tcpExt(world.ns))["TCPSynRetrans"]).toBe(0)
        const s = yield* stats(world)
        expect(s.tcp.received).toBe(1) // the one SYN, never retransmitted
        expect(s.tcp.resetsSent).toBe(1)
        expect(s.tcp.malformed).toEqual({}) // the kernel's SYN, options and checksum, parsed cleanly
      })
  )

  it.scopedLive.skipIf(missing("pcap", ["ping", "tshark"]))(
    "records a capture that tshark reads: the ARP exchange and the echo request/reply",
    () =>
      Effect.gen(function*() {
        const dir = yield* tempDir
        const file = join(dir, "kernel.pcap")
        // The inner scope ends before tshark runs, so the file is complete.
        const recorded = yield* Effect.scoped(
          Effect.gen(function*() {
            let pcap: LinkPcap.LinkPcapService | undefined
            const world = yield* makeWorld(6, {
              wrap: (tap) =>
                Effect.map(LinkPcap.make(tap, { path: file }), (l) => {
                  pcap = l
                  return l
                })
            })
            const r = yield* exec(world.ns, ["ping", "-n", "-c", "2", "-i", "0.2", "-W", "2", "-s", "2000", STACK_IP], {
              timeoutMs: CMD_TIMEOUT_MS
            })
            expect(r.stdout, describeExec(r)).toContain("2 packets transmitted, 2 received, 0% packet loss")
            return yield* pcap!.pcapStats
          })
        )
        expect(recorded.dropped).toBe(0)
        expect(recorded.recorded).toBeGreaterThan(0)

        // A plain read of the whole file: exit 0, no complaints, every frame.
        const all = yield* tsharkRun(["-r", file])
        expect(all.code, describeExec(all)).toBe(0)
        expect(tsharkErrors(all)).toEqual([])
        expect(all.stdout.trim().split("\n").length).toBe(recorded.recorded)

        // Every frame dissected: nothing malformed or truncated, IPv4 and ICMP
        // checksums verified.
        const dissected = yield* tsharkRun([
          "-r", file, "-o", "ip.check_checksum:TRUE", "-T", "fields", ...FIELDS.flatMap((f) => ["-e", f])
        ])
        expect(dissected.code, describeExec(dissected)).toBe(0)
        expect(tsharkErrors(dissected)).toEqual([])
        const frames = parseFields(dissected.stdout)
        expect(frames.length).toBe(recorded.recorded)
        expect(frames.filter((f) => f["ip.checksum.status"] === CHECKSUM_BAD)).toEqual([])
        expect(frames.filter((f) => f["icmp.checksum.status"] === CHECKSUM_BAD)).toEqual([])
        expect(frames.filter((f) => severities(f).some((v) => v >= PI_ERROR))).toEqual([])

        // The ARP exchange: our announcement, the kernel's request, our reply.
        const arp = frames
          .filter((f) => f["arp.opcode"] !== "")
          .map((f) => `${f["arp.opcode"]} ${f["arp.src.hw_mac"]} ${f["arp.src.proto_ipv4"]} > ${f["arp.dst.proto_ipv4"]}`)
        expect(arp).toContain(`1 ${STACK_MAC_TEXT} ${STACK_IP} > ${STACK_IP}`)
        expect(arp.filter((l) => l.startsWith("1 ") && l.endsWith(`${HOST_IP} > ${STACK_IP}`)).length).toBeGreaterThan(0)
        expect(arp).toContain(`2 ${STACK_MAC_TEXT} ${STACK_IP} > ${HOST_IP}`)

        // Echo requests (8) from the kernel and our replies (0), reassembled.
        const icmp = frames
          .filter((f) => f["icmp.type"] !== "")
          .map((f) => `${f["icmp.type"]} ${f["ip.src"]} > ${f["ip.dst"]}`)
        expect(icmp.filter((l) => l === `8 ${HOST_IP} > ${STACK_IP}`).length).toBe(2)
        expect(icmp.filter((l) => l === `0 ${STACK_IP} > ${HOST_IP}`).length).toBe(2)
      })
  )
})

