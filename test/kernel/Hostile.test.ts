/**
 * Hostile traffic from the kernel side of a real TAP (issue 10): while a
 * TCP echo stream and pings run through the stack, frames crafted with scapy
 * (test/kernel/hostile/attacks.py) arrive from the namespace's end of the
 * TAP, one named attack after another. For each attack:
 *
 * - during it, the live stream keeps flowing: the kernel-side client
 *   (test/kernel/hostile/stream.py) measures the longest time between two
 *   arrivals of echoed data, which must stay under STALL_LIMIT_MS (a
 *   liveness bound, not a benchmark), checks every echoed octet against what
 *   it wrote (an injected segment the stack took would show), and its pings
 *   are answered;
 * - the stack saw and counted it: the counters the attack must move moved
 *   (malformed by reason, reassembly failures and drops, the ARP cache's
 *   refusals, ...), or, for injection against the live connection, the
 *   sniffer in attacks.py saw the stack's challenge ACKs;
 * - afterwards the process is alive, a fresh 1 MB echo over a new connection
 *   comes back intact (sha256), and the heap and RSS stay under the bounds
 *   stated in the README ("Bounds under attack").
 *
 * It prints a table (attack, frames sent, counters moved, peak heap and RSS,
 * longest stall); notes/hardening.md keeps the figures of a run.
 *
 * The world is made once for the file: a namespace, a TAP opened here
 * (offloads on, LinkTap's default) and moved into it (host side
 * 198.18.0.1/24), the stack at 198.18.0.2/24 in this process with echo on
 * ports 7 (the live stream, the fresh echoes) and 80 (the SYN flood's
 * target). Every frame goes to the TAP in that namespace; every address is
 * in 198.18.0.0/15 (spoofed sources 198.18.0.10-250, on the TAP's /24, so
 * the stack has a route back); every attack is bounded in frames and
 * seconds; the helpers are killed by PID and the namespace deleted when the
 * file ends, on failure too.
 *
 * Live clock; waits are bounded safety nets. Needs root, /dev/net/tun,
 * iproute2, the TAP addon, python3 and scapy (Debian python3-scapy; in CI
 * its absence fails instead of skipping).
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Context, Effect, Exit, Layer, Option, Scope } from "effect"
import { fileURLToPath } from "node:url"
import * as Iface from "../../src/iface/Interface.js"
import { Link } from "../../src/link/Link.js"
import * as LinkTap from "../../src/link/LinkTap.js"
import * as Services from "../../src/tcp/Services.js"
import * as Stack from "../../src/Stack.js"
import * as Addr from "../../src/wire/Ipv4Addr.js"
import { assertBenchAddress, exec, ifName, makeNetns, moveLinkToNetns, run, tapSkipReason, tcpExt } from "../support/Netns.js"
import type { Netns } from "../support/Netns.js"
import { type Piped, spawnPiped } from "./hostile/Piped.js"
import { scapyPython } from "./hostile/Scapy.js"

const PYTHON_SCAPY = process.platform === "linux" ? scapyPython() : undefined

const skipReason = (): string | undefined => {
  const base = tapSkipReason({ tools: ["python3"] })
  if (base !== undefined) return base
  if (PYTHON_SCAPY === undefined) {
    // CI installs python3-scapy (.ci/run): a skip there would hide a broken install step
    if (process.env["CI"] === "true") throw new Error("CI=true but scapy (python3-scapy) is not installed")
    return "scapy (python3-scapy) is not installed"
  }
  return undefined
}
const SKIP = skipReason()
if (SKIP !== undefined) console.warn(`skipping the hostile-traffic tests: ${SKIP}`)

const STACK_MAC_TEXT = "02:67:6e:00:00:0a"
const STACK_MAC = new Uint8Array(STACK_MAC_TEXT.split(":").map((h) => parseInt(h, 16)))
const STACK_IP = "198.18.0.2"
const HOST_IP = "198.18.0.1"
const ECHO_PORT = 7
const FLOOD_PORT = 80
const ATTACKS = fileURLToPath(new URL("./hostile/attacks.py", import.meta.url))
const STREAM = fileURLToPath(new URL("./hostile/stream.py", import.meta.url))
const PEER = fileURLToPath(new URL("./tcp_peer.py", import.meta.url))
const MB = 1024 * 1024
const MiB = 1024 * 1024

/** The longest the live stream may go without an echoed octet during an attack (liveness, not timing). */
const STALL_LIMIT_MS = 5_000
/**
 * The memory bounds stated in README.md ("Bounds under attack"): this
 * process's heap and RSS (the stack, vitest's worker and everything the
 * test holds) at any sample during the matrix.
 */
const HEAP_BOUND = 160 * MiB
const RSS_BOUND = 400 * MiB

interface World {
  readonly ns: Netns
  readonly stack: Context.Context<Stack.Services>
  readonly attacker: Piped
  readonly stream: Piped
  /** the live connection: the kernel's port and the stack's */
  readonly conn: { readonly port: number; readonly stackPort: number }
  /** the MAC of the kernel's side of the TAP */
  readonly hostMac: string
}

const makeWorld: Effect.Effect<World, unknown, Scope.Scope> = Effect.gen(function*() {
  assertBenchAddress(`${HOST_IP}/24`)
  assertBenchAddress(STACK_IP)
  const ns = yield* makeNetns("kh")
  const ifname = ifName("kh")
  const tap = yield* LinkTap.make({ name: ifname, mac: STACK_MAC })
  yield* moveLinkToNetns(ifname, ns, { address: `${HOST_IP}/24` })
  // ICMP datagram sockets for the stream's pings (DESIGN.md §6)
  yield* run(ns, ["sysctl", "-q", "-w", "net.ipv4.ping_group_range=0 2147483647"])
  const stack = yield* Layer.build(
    Stack.layer({ address: STACK_IP, prefixLength: 24 }).pipe(Layer.provide(Layer.succeed(Link, tap)))
  )
  yield* Effect.provide(Services.serve(ECHO_PORT, Services.echo), stack)
  yield* Effect.provide(Services.serve(FLOOD_PORT, Services.echo), stack)
  const attacker = yield* spawnPiped(ns, [PYTHON_SCAPY!, ATTACKS, "serve", ifname, STACK_IP, STACK_MAC_TEXT])
  const ready = yield* attacker.next(30_000)
  expect(ready["ready"]).toBe(true)
  const stream = yield* spawnPiped(ns, ["python3", STREAM, STACK_IP, String(ECHO_PORT)])
  const hello = yield* stream.next(15_000)
  expect(hello["connected"]).toBe(true)
  return {
    ns,
    stack,
    attacker,
    stream,
    conn: { port: hello["localPort"] as number, stackPort: ECHO_PORT },
    hostMac: ready["mac"] as string
  }
})

// ---------------------------------------------------------------------------
// counters

type Flat = Record<string, number>

/** Every numeric counter of the stats, by dotted path. */
const flatten = (o: unknown, prefix = "", out: Flat = {}): Flat => {
  if (typeof o === "number") out[prefix] = o
  else if (o !== null && typeof o === "object") {
    for (const [k, v] of Object.entries(o)) flatten(v, prefix === "" ? k : `${prefix}.${k}`, out)
  }
  return out
}

/** Gauges, not counters: they may go down and are reported as they are after the attack. */
const GAUGES = new Set([
  "ipv4.assemblies",
  "ipv4.assemblyBytes",
  "icmp.outstanding",
  "tcp.connections",
  "tcp.halfOpen",
  "tcp.timeWait",
  "arp.cacheSize",
  "udp.bound"
])

/** What moved between two samples (counters that grew), leaving out the link's and the live stream's traffic. */
const moved = (before: Flat, after: Flat): Flat => {
  const out: Flat = {}
  for (const [k, v] of Object.entries(after)) {
    if (GAUGES.has(k) || k.startsWith("link.")) continue
    const d = v - (before[k] ?? 0)
    if (d !== 0) out[k] = d
  }
  return out
}

const statsOf = (w: World) => Effect.provide(Effect.flatMap(Stack.Stack, (s) => s.stats), w.stack)

const formatMac = (m: Uint8Array) => Array.from(m, (b) => b.toString(16).padStart(2, "0")).join(":")

/** The stack's neighbour entry for the kernel's side of the TAP. */
const hostNeighbour = (w: World) =>
  Effect.provide(
    Effect.flatMap(Iface.Interface, (i) => i.neighbour(Addr.parse(HOST_IP)!)).pipe(
      Effect.map(Option.map((n) => ({ mac: n.mac === undefined ? "" : formatMac(n.mac), state: n.state as string }))),
      Effect.map(Option.getOrUndefined)
    ),
    w.stack
  )

// ---------------------------------------------------------------------------
// memory

interface Peak {
  heap: number
  rss: number
}

/** Sample heap and RSS every 50 ms while `effect` runs; the peaks. */
const withPeak = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<[A, Peak], E, R> =>
  Effect.suspend(() => {
    const peak: Peak = { heap: 0, rss: 0 }
    const sample = () => {
      const m = process.memoryUsage()
      peak.heap = Math.max(peak.heap, m.heapUsed)
      peak.rss = Math.max(peak.rss, m.rss)
    }
    sample()
    // a test-side sampler (wall clock is fine here, never in src/)
    const timer = setInterval(sample, 50)
    return effect.pipe(
      Effect.map((a): [A, Peak] => {
        sample()
        return [a, peak]
      }),
      Effect.ensuring(Effect.sync(() => clearInterval(timer)))
    )
  })

// ---------------------------------------------------------------------------
// the attacks

interface Seen {
  readonly frames: number
  readonly tcpRst: number
  readonly tcpSynAck: number
  readonly connPureAcks: number
  readonly connData: number
  readonly icmpEchoReplies: number
  readonly icmpErrors: number
  readonly arpRequests: number
  readonly arpReplies: number
}

interface Outcome {
  readonly sent: number
  readonly refused: number
  readonly seen: Seen
  /** counters that grew during the attack */
  readonly moved: Flat
  /** the namespace's TcpExt counters that grew during it (the kernel's TCP, the live stream's peer) */
  readonly kernel: Flat
  /** the stats right after it */
  readonly after: Flat
  /** the stack's neighbour entry for the kernel's side of the TAP, right after it */
  readonly neighbour: { readonly mac: string; readonly state: string } | undefined
  /** the MAC of the kernel's side of the TAP */
  readonly hostMac: string
}

interface Attack {
  readonly title: string
  readonly command: Record<string, unknown>
  /** the attack was seen and counted, and did what it must not do nowhere */
  readonly check: (o: Outcome) => void
}

const sum = (m: Flat, prefix: string) =>
  Object.entries(m).filter(([k]) => k.startsWith(prefix)).reduce((a, [, v]) => a + v, 0)

const MATRIX: ReadonlyArray<Attack> = [
  {
    title: "truncated and garbage frames",
    command: { attack: "garbage", count: 3000, seconds: 2 },
    check: (o) => {
      expect(o.moved["ethernet.unknownEtherType"]).toBeGreaterThan(0)
      expect(sum(o.moved, "ipv4.malformed.")).toBeGreaterThan(0)
      expect(o.moved["arp.malformed"]).toBeGreaterThan(0)
    }
  },
  {
    title: "bad checksums (IP, ICMP, TCP, UDP)",
    command: { attack: "badcsum", count: 2000, seconds: 2, port: ECHO_PORT },
    check: (o) => {
      expect(o.moved["ipv4.malformed.BadChecksum"]).toBeGreaterThan(0)
      expect(o.moved["icmp.malformed"]).toBeGreaterThan(0)
      expect(o.moved["tcp.malformed.BadChecksum"]).toBeGreaterThan(0)
      expect(o.moved["udp.malformed"]).toBeGreaterThan(0)
      // none of them opened anything (the stream's pings are the only echo requests counted)
      expect(o.moved["tcp.passiveOpens"]).toBeUndefined()
    }
  },
  {
    title: "bad header and total lengths",
    command: { attack: "badlen", count: 3000, seconds: 2, port: ECHO_PORT },
    check: (o) => {
      expect(o.moved["ipv4.malformed.BadHeaderLen"]).toBeGreaterThan(0)
      expect(o.moved["ipv4.malformed.BadLength"]).toBeGreaterThan(0)
      expect(o.moved["ipv4.malformed.Truncated"]).toBeGreaterThan(0)
      expect(sum(o.moved, "tcp.malformed.")).toBeGreaterThan(0)
      expect(o.moved["udp.malformed"]).toBeGreaterThan(0)
    }
  },
  {
    title: "malformed IP options and source routes",
    command: { attack: "ipopts", count: 2000, seconds: 2 },
    check: (o) => {
      expect(o.moved["ipv4.malformed.Malformed"]).toBeGreaterThan(0)
      expect(o.moved["ipv4.sourceRouted"]).toBeGreaterThan(0)
      // malformed options draw Parameter Problems (RFC 1122 §3.2.2.5), but not one each: all come
      // from one host, whose bucket (icmp.hostErrorBurst 6, 1 a second) caps them over the attack's
      // 2 s, the linger and the time the stack takes to catch up
      expect(o.seen.icmpErrors).toBeGreaterThan(0)
      expect(o.moved["ipv4.icmpErrorsHostLimited"]).toBeGreaterThan(0)
      expect(o.moved["ipv4.icmpErrorsSent"]).toBeLessThanOrEqual(6 + 10)
    }
  },
  {
    title: "TTL 0 and 1 (a host does not discard them: RFC 1122 §3.2.1.7)",
    command: { attack: "ttl0", count: 1000, seconds: 2 },
    check: (o) => {
      expect(o.moved["icmp.echoRequests"]).toBeGreaterThanOrEqual(o.sent)
      // the sniffer is a Python thread on a busy machine and misses some (it saw 38 of 66 once): half will do
      expect(o.seen.icmpEchoReplies).toBeGreaterThanOrEqual(o.sent * 0.5)
    }
  },
  {
    title: "overlapping fragments (and RFC 1858's TCP flag rewrite)",
    command: { attack: "overlap", count: 100, seconds: 2, port: ECHO_PORT },
    check: (o) => {
      expect(o.moved["ipv4.reassemblyFailures"]).toBeGreaterThanOrEqual(20)
      expect(o.moved["ipv4.reassembled"]).toBeUndefined()
    }
  },
  {
    title: "teardrop and bonk fragments",
    command: { attack: "teardrop", count: 100, seconds: 2 },
    check: (o) => {
      expect(o.moved["ipv4.reassemblyFailures"]).toBeGreaterThanOrEqual(40)
      expect(o.moved["ipv4.reassembled"]).toBeUndefined()
    }
  },
  {
    title: "tiny (8-octet) fragments, in and out of order",
    command: { attack: "tiny", count: 600, seconds: 2 },
    check: (o) => {
      expect(o.moved["ipv4.reassembled"]).toBeGreaterThanOrEqual(50)
      // each reassembled echo request was answered (the stream's pings come on top)
      expect(o.moved["icmp.echoRequests"]).toBeGreaterThanOrEqual(o.moved["ipv4.reassembled"]!)
    }
  },
  {
    title: "reassembly beyond 65 535 octets (ping of death)",
    command: { attack: "oversize", count: 200, seconds: 2 },
    check: (o) => {
      expect(o.moved["ipv4.reassemblyFailures"]).toBeGreaterThanOrEqual(30)
      expect(o.moved["ipv4.reassembled"]).toBeUndefined()
    }
  },
  {
    title: "in-window RSTs against the live connection (RFC 5961 §3.2)",
    command: { attack: "inject-rst", kind: "in", count: 400, seconds: 1.5 },
    check: (o) => {
      // not the exact RCV.NXT: challenge ACKs, never a reset. One per 500 ms at most (the
      // connection's limit of answers, as Linux's), and it may ride on the stream's data rather than
      // go as a pure ACK the sniffer counts: the stack's own count says it went
      expect(o.moved["tcp.challengeAcks"]).toBeGreaterThan(0)
    }
  },
  {
    title: "out-of-window RSTs against the live connection",
    command: { attack: "inject-rst", kind: "out", count: 400, seconds: 1.5 },
    check: (o) => {
      expect(o.moved["tcp.received"]).toBeGreaterThanOrEqual(o.sent)
    }
  },
  {
    title: "exact RSTs with a bad checksum against the live connection",
    command: { attack: "inject-rst", kind: "csum", count: 400, seconds: 1.5 },
    check: (o) => {
      expect(o.moved["tcp.malformed.BadChecksum"]).toBeGreaterThanOrEqual(o.sent * 0.9)
    }
  },
  {
    title: "in-window SYNs against the live connection (RFC 5961 §4.2)",
    command: { attack: "inject-syn", kind: "in", count: 400, seconds: 1.5 },
    check: (o) => {
      // (challenge ACKs, counted by the stack: see the in-window RSTs)
      expect(o.moved["tcp.challengeAcks"]).toBeGreaterThan(0)
    }
  },
  {
    title: "out-of-window SYNs against the live connection",
    command: { attack: "inject-syn", kind: "out", count: 400, seconds: 1.5 },
    check: (o) => {
      // (challenge ACKs too, RFC 5961 §4.2: see the in-window RSTs)
      expect(o.moved["tcp.challengeAcks"]).toBeGreaterThan(0)
    }
  },
  {
    title: "in-window data with an impossible or no ACK (RFC 5961 §5.2)",
    command: { attack: "inject-data", kind: "in", count: 400, seconds: 1.5 },
    check: (o) => {
      expect(o.moved["tcp.received"]).toBeGreaterThanOrEqual(o.sent)
    }
  },
  {
    title: "out-of-window data against the live connection",
    command: { attack: "inject-data", kind: "out", count: 400, seconds: 1.5 },
    check: (o) => {
      expect(o.seen.connPureAcks).toBeGreaterThan(0)
    }
  },
  {
    title: "duplicates of data already received on the live connection (RFC 2883 D-SACK)",
    command: { attack: "inject-data", kind: "dup", count: 400, seconds: 1.5 },
    check: (o) => {
      // dropped (the stream stayed intact: checked for every attack), each ACKed at once with a
      // D-SACK block, which the kernel's TCP took as one
      expect(o.seen.connPureAcks).toBeGreaterThan(0)
      expect(o.kernel["TCPDSACKRecv"]).toBeGreaterThan(0)
    }
  },
  {
    title: "ACK flood (the live connection, the listener, a closed port)",
    command: { attack: "ackflood", count: 6000, seconds: 2 },
    check: (o) => {
      expect(o.moved["tcp.received"]).toBeGreaterThanOrEqual(o.sent * 0.9)
      expect(o.moved["tcp.resetsSent"]).toBeGreaterThan(0)
    }
  },
  {
    title: "ARP flood from many addresses",
    command: { attack: "arpflood", count: 4000, seconds: 2 },
    check: (o) => {
      expect(o.moved["arp.requestsReceived"]).toBeGreaterThan(1024)
      expect((o.moved["arp.cacheFull"] ?? 0) + (o.moved["arp.cacheEvictions"] ?? 0)).toBeGreaterThan(0)
      expect(o.after["arp.cacheSize"]).toBeLessThanOrEqual(1024)
    }
  },
  {
    title: "spoofed ARP replies for the stack's neighbour",
    command: { attack: "arpspoof", count: 150, seconds: 3 },
    check: (o) => {
      expect(o.moved["arp.repliesReceived"]).toBeGreaterThanOrEqual(o.sent * 0.9)
      // not one forged MAC believed: each refused, the held MAC probed (and answering)
      expect(o.moved["arp.macChangesRefused"]).toBeGreaterThanOrEqual(o.sent * 0.9)
      expect(o.neighbour).toEqual({ mac: o.hostMac, state: expect.stringMatching(/^(Reachable|Probe|Delay)$/) })
    }
  },
  {
    title: "a flood of incomplete datagrams from many sources",
    command: { attack: "fragflood", count: 6000, seconds: 2.5 },
    check: (o) => {
      expect(o.moved["ipv4.reassemblyDropped"]).toBeGreaterThan(0)
      expect(o.after["ipv4.assemblies"]).toBeLessThanOrEqual(256)
      expect(o.after["ipv4.assemblyBytes"]).toBeLessThanOrEqual(4 * MiB)
    }
  },
  {
    title: "SYN flood from spoofed sources",
    command: { attack: "synflood", count: 5000, seconds: 2, port: FLOOD_PORT },
    check: (o) => {
      // the SYN queue fills, then SYNs are answered with cookies (RFC 4987) and nothing is kept
      expect(o.moved["tcp.synCookiesSent"]).toBeGreaterThan(0)
      expect(o.after["tcp.halfOpen"]).toBeLessThanOrEqual(1024)
    }
  }
]

// ---------------------------------------------------------------------------

interface Row {
  attack: string
  sent: number
  moved: string
  peakHeapMiB: number
  peakRssMiB: number
  stallMs: number
  pings: string
  ok: boolean
}

const rows: Array<Row> = []
const mib = (n: number) => Math.round((n / MiB) * 10) / 10

describe.skipIf(SKIP !== undefined)("hostile traffic from the kernel side of a real TAP", () => {
  let scope: Scope.CloseableScope | undefined
  let world: World | undefined

  beforeAll(async () => {
    scope = Effect.runSync(Scope.make())
    world = await Effect.runPromise(Scope.extend(makeWorld, scope))
    // the stream settles before the first attack
    await Effect.runPromise(Effect.sleep("1 second"))
    await Effect.runPromise(world.stream.ask("report", 10_000))
  }, 60_000)

  afterAll(async () => {
    if (rows.length > 0) {
      console.log("\nhostile traffic: what each attack did to the stack\n")
      console.table(rows)
    }
    if (scope !== undefined) await Effect.runPromise(Scope.close(scope, Exit.void))
  }, 30_000)

  const fresh1MbEcho = (w: World) =>
    Effect.flatMap(
      exec(w.ns, ["python3", PEER, "client-echo", STACK_IP, String(ECHO_PORT), String(MB)], { timeoutMs: 30_000 }),
      (r) => {
        expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0)
        const out = JSON.parse(r.stdout.trim().split("\n").at(-1)!) as Record<string, unknown>
        expect(out["received"]).toBe(MB)
        expect(out["shaReceived"]).toBe(out["shaSent"])
        return Effect.void
      }
    )

  for (const attack of MATRIX) {
    it(attack.title, async () => {
      const w = world!
      const row: Row = { attack: String(attack.command["attack"]) + (attack.command["kind"] ? `:${String(attack.command["kind"])}` : ""), sent: 0, moved: "", peakHeapMiB: 0, peakRssMiB: 0, stallMs: 0, pings: "", ok: false }
      rows.push(row)
      await Effect.runPromise(Effect.gen(function*() {
        const before = flatten(yield* statsOf(w))
        const kernelBefore = yield* tcpExt(w.ns)
        yield* w.stream.ask("report", 10_000) // start the stream's window here
        const [result, peak] = yield* withPeak(
          w.attacker.ask(JSON.stringify({ ...attack.command, conn: w.conn }), 60_000)
        )
        const during = yield* w.stream.ask("report", 10_000)
        const afterStats = flatten(yield* statsOf(w))
        const kernelAfter = yield* tcpExt(w.ns)
        const outcome: Outcome = {
          sent: result["sent"] as number,
          refused: result["refused"] as number,
          seen: result["seen"] as Seen,
          moved: moved(before, afterStats),
          kernel: Object.fromEntries(
            Object.entries(kernelAfter).filter(([k, v]) => v > (kernelBefore[k] ?? 0)).map(([k, v]) => [k, v - (kernelBefore[k] ?? 0)])
          ),
          after: afterStats,
          neighbour: yield* hostNeighbour(w),
          hostMac: w.hostMac
        }
        row.sent = outcome.sent
        row.moved = Object.entries(outcome.moved).map(([k, v]) => `${k}+${v}`).join(" ")
        row.peakHeapMiB = mib(peak.heap)
        row.peakRssMiB = mib(peak.rss)
        row.stallMs = during["maxGapMs"] as number
        row.pings = `${String(during["pingsAnswered"])}/${String(during["pingsSent"])}`
        const seen = JSON.stringify({ result, during, moved: outcome.moved })
        // the attack ran
        expect(outcome.sent, seen).toBeGreaterThan(0)
        // during: the stream flowed, intact, and pings were answered
        expect(during["error"], seen).toBeNull()
        expect(during["corruptAt"], seen).toBeNull()
        expect(during["maxGapMs"] as number, seen).toBeLessThan(STALL_LIMIT_MS)
        expect(during["pingsAnswered"] as number, seen).toBeGreaterThanOrEqual(Math.max(1, (during["pingsSent"] as number) / 2))
        // it was seen and counted
        attack.check(outcome)
        // after: alive, a fresh connection echoes 1 MB intact, memory bounded
        yield* fresh1MbEcho(w)
        const m = process.memoryUsage()
        row.peakHeapMiB = Math.max(row.peakHeapMiB, mib(m.heapUsed))
        row.peakRssMiB = Math.max(row.peakRssMiB, mib(m.rss))
        expect(peak.heap, seen).toBeLessThan(HEAP_BOUND)
        expect(peak.rss, seen).toBeLessThan(RSS_BOUND)
        expect(m.heapUsed, seen).toBeLessThan(HEAP_BOUND)
        expect(m.rss, seen).toBeLessThan(RSS_BOUND)
        row.ok = true
      }))
    }, 60_000)
  }

  // The SYN flood fills the listener's SYN queue (tcp.synBacklog, 1024) with half-open
  // connections whose SYN-ACKs never leave (their spoofed sources never answer ARP). Without
  // SYN cookies every SYN to that port was then dropped for ~63 s, a legitimate client's too;
  // with them (RFC 4987, tcp.synCookies, on by default) a full queue answers with a cookie and
  // the client's ACK opens the connection. And each stuck entry goes as soon as the ARP
  // failure comes back as host unreachable (as Linux's tcp_req_err), not after its retries.
  it("SYN flood: a legitimate client still connects to the flooded port (SYN cookies)", async () => {
    const w = world!
    const r = await Effect.runPromise(exec(w.ns, [
      "python3",
      "-c",
      `import socket; socket.create_connection(("${STACK_IP}", ${FLOOD_PORT}), timeout=3).close()`
    ], { timeoutMs: 10_000 }))
    expect(r.code, r.stderr).toBe(0)
  }, 20_000)
})
