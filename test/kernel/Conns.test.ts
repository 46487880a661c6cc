/**
 * Connection scale, the leak test (issue 8 §2; the full figure is
 * bench/conns.mjs): N kernel connections to the stack's echo service, a
 * trickle of traffic on each, then all closed; afterwards the stack holds
 * no connection, no half-open one and no TIME-WAIT record, runs no more
 * fibers than before, and its heap is back near where it was.
 *
 * The world is Tcp.test.ts's: a fresh namespace, a TAP opened here (offloads
 * on, the default) and moved into it (host side 198.18.0.1/24), the stack at
 * 198.18.0.2/24 over it, in this process. The kernel side is
 * bench/connsbench.c (built here with `cc`), in the namespace: N non-blocking
 * connects, TRICKLE rounds of 1 s in which every connection sends 1 octet and
 * reads the echo back (checked), then a shutdown of each and a wait for the
 * stack's FIN. Its SYNC mode stops after each phase until told to go on,
 * so this test samples the stack at full load.
 *
 * Fibers: a counting Supervisor over the building of the stack and over the
 * echo service, so every fiber they fork (dealers, timer wheel, the two
 * halves of each connection, each handler and its stream) is counted while
 * it lives. Heap: `heapUsed` after two full GCs (`gc` exposed in this worker
 * with v8.setFlagsFromString). A first cycle of the same N warms up first:
 * the JIT's code for the connection paths and the hash tables grown to N
 * are made then and belong to the baseline, so what the measured cycle
 * leaves behind is what it kept.
 *
 * The heap bound, measured first (2026-12-01, N = 500, 11 runs on a busy
 * 2-vCPU machine): the connections held 21.7-21.8 MiB at full load (44.5
 * KiB each); what stayed after the close was 428-561 KiB, and two baseline
 * samples 1 s apart differed by 23-63 KiB. What stays is code: a heap
 * snapshot diff over further cycles shows only V8's compiled code and its
 * dependency lists growing (no object of ours), and it shrinks cycle by
 * cycle (500, 250, 180, 130, 105 KiB over five). The bound is a tenth of
 * what the connections held (about 2.2 MiB, four times the worst seen): a
 * leak of a tenth of each connection's memory shows. Tried (each a scratch
 * change to src/tcp/Connection.ts's teardown, in a separate worktree): the
 * receive half's queue not ended fails the fiber check (500 receive halves
 * left waiting; 7 MiB stayed); the connection not forgotten fails the
 * connection check; every torn-down Conn kept in a global array (no fiber,
 * no table entry) fails this heap check alone (4.5 MiB stayed). Since issue 8
 * §2's memory work (2026-12-02) a connection holds 17.9 KiB here (8.8 MiB for
 * the 500), so the bound is about 0.9 MiB; 425 KiB stayed in that run.
 *
 * Live clock; waits are bounded safety nets, nothing asserts on durations.
 * Needs root, /dev/net/tun, iproute2, the TAP addon and a C compiler (`cc`;
 * in CI its absence fails instead of skipping).
 */
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Layer } from "effect"
import type { Scope } from "effect"
import { execFileSync, spawn } from "node:child_process"
import { existsSync, mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { Link } from "../../src/link/Link.js"
import * as LinkTap from "../../src/link/LinkTap.js"
import * as Services from "../../src/tcp/Services.js"
import * as Stack from "../../src/Stack.js"
import { CountingSupervisor, heapAfterGc } from "../support/Heap.js"
import { eventually } from "../support/Live.js"
import { ifName, makeNetns, moveLinkToNetns, tapSkipReason } from "../support/Netns.js"
import type { Netns } from "../support/Netns.js"

// cc: .ci/run installs g++ (and with it a C compiler); a skip in CI would hide a broken image
const skipReason = (): string | undefined => tapSkipReason({ ciInstalls: ["cc"] })
const SKIP = skipReason()
if (SKIP !== undefined) console.warn(`skipping the connection-scale leak test: ${SKIP}`)

const N = 500
const TRICKLE_S = 2
const STACK_MAC = new Uint8Array([0x02, 0x67, 0x6e, 0x00, 0x00, 0x08])
const STACK_IP = "198.18.0.2"
const HOST_IP = "198.18.0.1"
const PORT = 7
const SOURCE = fileURLToPath(new URL("../../bench/connsbench.c", import.meta.url))
const IP = ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"].find((p) => existsSync(p)) ?? "ip"
/** connsbench's own alarm: every phase stops by then */
const CLIENT_SECONDS = 60

// ---------------------------------------------------------------------------
// heap and fibers

// ---------------------------------------------------------------------------
// the world

interface World {
  readonly ns: Netns
  readonly stack: Context.Context<Stack.Services>
  readonly fibers: CountingSupervisor
  readonly bin: string
}

/** connsbench.c, compiled into a directory removed with the scope. */
const buildClient = Effect.acquireRelease(
  Effect.sync(() => mkdtempSync(join(tmpdir(), "gonet-conns-"))),
  (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
).pipe(Effect.map((dir) => {
  const bin = join(dir, "connsbench")
  execFileSync("cc", ["-O2", "-Wall", "-o", bin, SOURCE], { stdio: "inherit", timeout: 60_000 })
  return bin
}))

const makeWorld: Effect.Effect<World, unknown, Scope.Scope> = Effect.gen(function*() {
  const bin = yield* buildClient
  const ns = yield* makeNetns("kc")
  const ifname = ifName("kc")
  const tap = yield* LinkTap.make({ name: ifname, mac: STACK_MAC })
  yield* moveLinkToNetns(ifname, ns, { address: `${HOST_IP}/24` })
  const fibers = new CountingSupervisor()
  // every fiber the layer forks (FiberSet.runtime, forkScoped) inherits the supervisor from here
  const stack = yield* Effect.supervised(
    Layer.build(Stack.layer({ address: STACK_IP, prefixLength: 24 }).pipe(Layer.provide(Layer.succeed(Link, tap)))),
    fibers
  )
  yield* Effect.supervised(Effect.provide(Services.serve(PORT, Services.echo), stack), fibers)
  return { ns, stack, fibers, bin }
})

const tcpStats = (w: World) => Effect.provide(Effect.map(Effect.flatMap(Stack.Stack, (s) => s.stats), (s) => s.tcp), w.stack)

// ---------------------------------------------------------------------------
// the kernel client, in SYNC mode (stdin: "go" after each phase)

type Line = Record<string, unknown>

interface Client {
  /** the JSON line of `event` ("connected", "trickled"), or the result ("result") */
  readonly next: (event: string) => Effect.Effect<Line, Error>
  readonly go: Effect.Effect<void>
}

const startClient = (w: World, n: number, trickle: number): Effect.Effect<Client, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const args = [STACK_IP, String(PORT), String(n), String(CLIENT_SECONDS), String(trickle), "128", "1"]
      const child = spawn(IP, ["netns", "exec", w.ns.name, w.bin, ...args], { stdio: ["pipe", "pipe", "pipe"] })
      child.stdin.on("error", () => {})
      const lines: Array<Line> = []
      let buf = ""
      let err = ""
      child.stdout.setEncoding("utf8").on("data", (d: string) => {
        buf += d
        for (let i = buf.indexOf("\n"); i >= 0; i = buf.indexOf("\n")) {
          lines.push(JSON.parse(buf.slice(0, i)) as Line)
          buf = buf.slice(i + 1)
        }
      })
      child.stderr.setEncoding("utf8").on("data", (d: string) => (err += d))
      const find = (event: string) => lines.find((l) => (event === "result" ? l["mode"] === "conns" : l["event"] === event))
      // polled: at most CLIENT_SECONDS + 5 s (its alarm has stopped it by then)
      const next = (event: string) =>
        Effect.gen(function*() {
          for (let i = 0; i < (CLIENT_SECONDS + 5) * 10; i++) {
            const l = find(event)
            if (l !== undefined) return l
            if (child.exitCode !== null && i > 0) break
            yield* Effect.sleep("100 millis")
          }
          return yield* Effect.fail(new Error(`connsbench: no ${event} line (exit ${child.exitCode}): ${err.trim()}`))
        })
      return { child, client: { next, go: Effect.sync(() => void child.stdin.write("go\n")) } }
    }),
    ({ child }) =>
      Effect.async<void>((resume) => {
        if (child.exitCode !== null || child.signalCode !== null) return resume(Effect.void)
        child.once("exit", () => resume(Effect.void))
        try {
          process.kill(child.pid!, "SIGKILL")
        } catch {
          resume(Effect.void)
        }
      })
  ).pipe(Effect.map(({ client }) => client))

/** What one cycle measured: the client's result, and the stack at full load. */
interface Cycle {
  readonly result: Line
  readonly loaded: { readonly heap: number; readonly fibers: number; readonly connections: number }
}

/** Connect N, trickle, sample at full load (after the trickle), close; then wait until the stack holds nothing. */
const cycle = (w: World, n: number, trickle: number, baselineFibers: number) =>
  Effect.scoped(Effect.gen(function*() {
    const client = yield* startClient(w, n, trickle)
    const connected = yield* client.next("connected")
    expect(connected["connected"], JSON.stringify(connected)).toBe(n)
    yield* client.go
    yield* client.next("trickled")
    const stats = yield* tcpStats(w)
    const loaded = {
      heap: yield* heapAfterGc,
      fibers: yield* w.fibers.value,
      idleFibers: stats.idleFibers,
      connections: stats.connections
    }
    yield* client.go
    const result = yield* client.next("result")
    // the stack's side: its last ACK arrives after the client has seen the FIN
    yield* eventually(
      Effect.zip(tcpStats(w), w.fibers.value),
      ([t, f]) => t.connections === 0 && t.halfOpen === 0 && t.timeWait === 0 && f <= baselineFibers,
      "the stack let go of every connection and fiber"
    ).pipe(Effect.ignore)
    return { result, loaded } satisfies Cycle
  }))

/** Stack fibers that come and go by themselves (see the fiber checks). */
const TRANSIENT_FIBERS = 4

describe.skipIf(SKIP !== undefined)("connection scale against the Linux kernel", () => {
  it.scopedLive(`${N} kernel connections with a trickle each, all closed: connections, fibers and heap return`, () =>
    Effect.gen(function*() {
      const w = yield* makeWorld
      // warm-up: the same cycle, unmeasured (the JIT, tables grown to N); its leftovers are the baseline's.
      // Twice: what a cycle leaves is V8's code for the paths it ran, less each cycle (see above), and
      // with connections leaner than when the bound was set (13.2 KiB each in 2026-12-07's runs, so a
      // bound of ~660 KiB) the first cycle after one warm-up left 613-682 KiB of it: at the bound
      const warm = yield* cycle(w, N, 1, Infinity)
      expect(warm.result["echoesMissing"], JSON.stringify(warm.result)).toBe(0)
      const warm2 = yield* cycle(w, N, 1, Infinity)
      expect(warm2.result["echoesMissing"], JSON.stringify(warm2.result)).toBe(0)
      const t0 = yield* tcpStats(w)
      expect({ connections: t0.connections, halfOpen: t0.halfOpen, timeWait: t0.timeWait }).toEqual({
        connections: 0,
        halfOpen: 0,
        timeWait: 0
      })
      const baseFibers = yield* w.fibers.value
      // (the halves' fibers the warm-up left waiting for the next connections: internal/FiberPool.ts)
      const baseIdle = t0.idleFibers
      const baseHeap = yield* heapAfterGc
      const baseHeap2 = yield* Effect.zipRight(Effect.sleep("1 second"), heapAfterGc)

      const { loaded, result } = yield* cycle(w, N, TRICKLE_S, baseFibers)
      const t = yield* tcpStats(w)
      const fibers = yield* w.fibers.value
      const held = loaded.heap - baseHeap2
      // what is left, after a GC; on a loaded machine a few hundred KiB more can still be held at the
      // first look (seen once in CI: 875 KiB against a usual 510-590), so it is looked at again a
      // second later, up to three times: a leak stays, such a remainder goes
      let heap = yield* heapAfterGc
      for (let i = 0; i < 3 && heap - baseHeap2 >= held / 10; i++) heap = yield* Effect.zipRight(Effect.sleep("1 second"), heapAfterGc)
      const left = heap - baseHeap2
      const report = {
        n: N,
        acceptRate: result["acceptRate"],
        echoes: [result["echoesSent"], result["echoesReceived"], result["echoesMissing"], result["mismatches"]],
        fibers: {
          baseline: baseFibers,
          baselineIdle: baseIdle,
          loaded: loaded.fibers,
          loadedIdle: loaded.idleFibers,
          after: fibers,
          afterIdle: t.idleFibers,
          perConnection: (loaded.fibers - loaded.idleFibers - (baseFibers - baseIdle)) / N
        },
        heapKiB: {
          perConnection: Math.round(held / N / 1024 * 10) / 10,
          held: Math.round(held / 1024),
          leftAfterClose: Math.round(left / 1024),
          baselineNoise: Math.round((baseHeap2 - baseHeap) / 1024)
        },
        closeSeconds: result["closeSeconds"]
      }
      console.log(`connection scale: ${JSON.stringify(report)}`)

      // the client: every connection made, every echo back intact, every FIN received
      expect(result["connected"], JSON.stringify(result)).toBe(N)
      expect(result["echoesSent"]).toBe(N * TRICKLE_S)
      expect([result["echoesMissing"], result["mismatches"], result["closedEarly"]]).toEqual([0, 0, 0])
      expect([result["finsReceived"], result["closeErrors"], result["timedOut"]]).toEqual([N, 0, false])
      // at full load the stack held every connection, each with its fibers (two halves and the handler at
      // least), busy: the halves' fibers the warm-up left waiting took the new connections' halves. A few
      // fibers of slack in each count: some come and go by themselves (the timer wheel's alarm while a
      // deadline is pending, a neighbour's timer while it is probed), so a sample may or may not include
      // them; a leak per connection is hundreds.
      expect(loaded.connections).toBe(N)
      expect(loaded.fibers - loaded.idleFibers - (baseFibers - baseIdle)).toBeGreaterThanOrEqual(3 * N - TRANSIENT_FIBERS)
      // afterwards: no connection, half-open one or TIME-WAIT record; no more fibers than before
      expect({ connections: t.connections, halfOpen: t.halfOpen, timeWait: t.timeWait }).toEqual({
        connections: 0,
        halfOpen: 0,
        timeWait: 0
      })
      expect(fibers, JSON.stringify(report)).toBeLessThanOrEqual(baseFibers + TRANSIENT_FIBERS)
      // and the heap: what the connections held is (nearly) all given back
      expect(held, JSON.stringify(report)).toBeGreaterThan(0)
      expect(left, JSON.stringify(report)).toBeLessThan(held / 10)
    }), 120_000)
})
