#!/usr/bin/env node
// The GoNet paper's Fig. 4: N concurrent clients, each sending 4 KB to one
// server, over the stack's own loopback, in one process. Beside it, in the
// same run and the same process, the same program over Node's `net` on the
// kernel loopback (127.0.0.1): the "node-net" system. No root needed.
//
//   node bench/tcp4k.mjs [--clients 1,10,100] [--rounds 10] [--warmup 3000] [--bytes 4096]
//        [--timeout 20] [--quiet-wait 30] [--rewarm-ms 250] [--prime-ms 10] [--record-ms 10] [--record-min 3] [--fresh-stack] [--no-prime]
//        [--node-args "..."]
//        [--tree DIR] [--quick]
//
// gonet-ts: one stack (Stack.layer over one side of an in-memory LinkMemory
// pair; the other side is never read: traffic to our own address never
// touches the link) at 198.18.0.2, up for the whole run as the kernel is for
// node-net; each measurement opens a fresh listener on port 5001 of that
// address, the clients connect to it, and the listener is closed after it.
// The clients' ends stay in TIME-WAIT as the kernel's do. `--fresh-stack`:
// a fresh stack per measurement instead (the method before 2026-12-02, which
// also timed each stack's first connections).
// node-net: net.createServer on 127.0.0.1 (a kernel-chosen port) and
// net.connect clients, in this process too.
//
// The process runs with the V8 flags of the stack's own binary (bin/gonet.js's
// first line: a 64 MiB young generation, no allocation-site pretenuring), for
// both systems; `--node-args` replaces them.
// The script starts itself again with them when they are missing.
// One heap for both systems: a collection falls in whichever measurement is
// running. Traced 2026-12-06 (--trace-gc, 4 runs, notes/bench-investigations.md,
// twenty-seventh pass): V8's memory reducer never ran (left on); one full
// mark-compact per run inside the rounds (12-23 ms), each time in a node-net
// measurement, though most of the heap is the stack's garbage: it moves a
// cell's min, not its median (one measurement of 10-140). Left as it is.
//
// One measurement: the clock starts just before the N connects are issued
// (all at once) and stops when the server has received N x --bytes octets in
// all; Mbit/s = N x bytes x 8 / that time. Each client connects, writes its
// bytes (a fixed pattern, checked by the server per connection), and ends its
// side; the server closes its end when it has read the client's FIN (as
// Node's net server does without allowHalfOpen), and after the clock has
// stopped the measurement waits (bounded) until every server end is closed.
// Rounds interleave the systems and N (the order of the two systems
// alternates per round). Each recorded measurement comes right after
// unrecorded ones of the same system and N, as many as take --prime-ms (at
// least one; `--no-prime`: none), so that neither system is timed on caches
// the quiet wait or the other system left cold: Fig. 4 is throughput; the cold
// path is Fig. 3's. One was not enough (measured back to back at N = 1: after
// node-net's N = 100 and one primed measurement the stack took 158-221 us
// against 91-110 with nothing before it, and node-net after the stack's N = 100
// 180 against 85; after 10 ms of primed measurements 107 and 110;
// notes/bench-investigations.md, thirteenth pass). After a quiet wait, and before the round,
// each system first runs unrecorded measurements at the largest N for --rewarm-ms (0: none): on
// this VM memory left alone for a second or two is several times slower to touch again
// (measured: 64 MiB written one octet per page in 2.1-2.4 ms after a 2 s sleep, 0.2 ms right
// after the last pass; notes/bench-investigations.md, twelfth pass), and each measurement
// allocates into young-generation pages last used before the wait, which one priming
// measurement does not reach; a plain-JS allocation loop slows the same way (30-100 %). A
// server under load never leaves its memory idle that long. After the prime, a round records
// every measurement of that system and N made within --record-ms (at least --record-min), and
// the summary's median is over all of them: at N = 1 one measurement is ~0.1 ms, a single draw
// from a spread whose p10 and p90 are 2x apart back to back (58 / 70 / 120 us for the stack,
// 76 / 79-101 / 110-194 for node-net, p10 / p50 / p90 of 3000), so one per round gave a median
// of ten draws that moved 30 % between runs of the same command. The same window takes one
// or two measurements at N = 100 (~10 ms each), hence --record-min (3). `first` in the summary is the median of each
// round's first recorded measurement alone (the method before 2026-12-03).
// Every measurement is bounded by --timeout seconds
// (armed before the clock starts, for both systems):
// a measurement that does not complete is recorded as stalled with what the
// server got and each connection's state, and the rest goes on.
// Network safety: 198.18.0.2 never leaves this process (LinkMemory); the
// node-net baseline uses 127.0.0.1 only.
import { flag, intOpt, opt } from "./args.mjs"
import { spawnSync } from "node:child_process"
import net from "node:net"
import { performance } from "node:perf_hooks"
import {
  assertBenchAddress, effectOfTree, fromTree, machine, MEMORY_PROBE, memoryLatencyNs, printTable, round, runMain, summarize, treeInfo, treeText,
  waitQuiet, writeResult, nodeArgsOpt
} from "./lib.mjs"

const QUICK = flag("quick")
const CLIENTS = opt("clients", "1,10,100").split(",").map(Number)
if (CLIENTS.some((n) => !Number.isInteger(n) || n < 1 || n > 1000)) throw new Error("--clients: 1..1000 each")
const ROUNDS = intOpt("rounds", QUICK ? 3 : 10, 1, 50)
const BYTES = intOpt("bytes", 4096, 1, 1 << 20)
const TIMEOUT_S = intOpt("timeout", 20, 1, 120)
const QUIET_WAIT = intOpt("quiet-wait", QUICK ? 0 : 30, 0, 600)
// (the same warm-up for --quick: with 1000 connections the stack's N = 100 rounds still ran at 44-51 Mbit/s, cold JIT
// and a young generation still growing, against 90-247 with 3000; it costs a few seconds)
const WARMUP = intOpt("warmup", 3000, 0, 100000)
const STACK_ADDRESS = assertBenchAddress("198.18.0.2")
const PORT = 5001
const FRESH_STACK = flag("fresh-stack")
const PRIME = !flag("no-prime")
const PRIME_MS = intOpt("prime-ms", 10, 0, 1000)
const RECORD_MS = intOpt("record-ms", 10, 0, 1000)
// (at least this many recorded per cell: at N = 100 one measurement outlasts --record-ms, and a
// median of ten single draws, one per round, moved with whichever stretch of the machine each
// round found; notes/bench-investigations.md, thirty-third pass)
const RECORD_MIN = intOpt("record-min", 3, 1, 100)
// (per system; 250 ms: about 20 measurements at N = 100 each, the stack's a few times its 64 MiB young generation)
const REWARM_MS = intOpt("rewarm-ms", 250, 0, 10000)
const NODE_ARGS = nodeArgsOpt()

// the V8 flags first: start again with them (once; GONET_TCP4K_CHILD marks the second start)
if (process.env.GONET_TCP4K_CHILD === undefined && NODE_ARGS.some((a) => !process.execArgv.includes(a))) {
  const r = spawnSync(process.execPath, [...NODE_ARGS, ...process.argv.slice(1)], {
    stdio: "inherit",
    env: { ...process.env, GONET_TCP4K_CHILD: "1" }
  })
  process.exit(r.status ?? 1)
}
// The paper's GoNet figures (DESIGN.md section 7); the paper's N = 10 figure is not in our notes.
const PAPER = { 1: 7.3, 100: 284.9 }

const { Deferred, Effect, Exit, Fiber, Layer, Scope } = await effectOfTree()
const LinkMemory = await fromTree("dist/link/LinkMemory.js")
const Stack = await fromTree("dist/Stack.js")
const Tcp = await fromTree("dist/tcp/Tcp.js")

/** What every client sends: octet j is (j * 31 + 7) & 255, the same for each client, checked per connection. */
const PAYLOAD = Uint8Array.from({ length: BYTES }, (_, j) => (j * 31 + 7) & 255)

/** Per connection: count octets and check them against PAYLOAD. */
const checker = () => {
  let off = 0
  let bad = 0
  return {
    take(chunk) {
      for (let k = 0; k < chunk.length; k++) if (chunk[k] !== (((off + k) * 31 + 7) & 255)) bad++
      off += chunk.length
      return chunk.length
    },
    get offset() { return off },
    get mismatches() { return bad }
  }
}

// ---------------------------------------------------------------------------
// gonet-ts over its own loopback

/** A stack at STACK_ADDRESS over one side of an in-memory link pair, in `scope`: its Tcp and Stack services. */
const makeStack = (scope) =>
  Effect.gen(function*() {
    const [la] = yield* LinkMemory.makePair({
      macA: new Uint8Array([0x02, 0, 0, 0, 0, 0x0a]),
      macB: new Uint8Array([0x02, 0, 0, 0, 0, 0x0b])
    })
    const ctx = yield* Layer.build(Stack.layer({ address: STACK_ADDRESS, prefixLength: 24 }).pipe(Layer.provide(LinkMemory.layer(la))))
    return { tcp: ctx.unsafeMap.get(Tcp.Tcp.key), stack: ctx.unsafeMap.get(Stack.Stack.key) }
  }).pipe(Scope.extend(scope))

// The server's and each client's code are generator functions made once, here, not a `function*`
// written inside the measurement: V8 gives every generator function object the hidden class of
// its generators of its own, made in the old generation, and that map keeps the function, and so
// everything it closes over (the connection, the measurement), reachable in every young-generation
// collection until the next full one. Written inside, each connection's objects were promoted
// when the next scavenges came (12.3 KiB per pair at N = 100 against 3.2 KiB, 16-17 % of the time
// in collections against 8-9 %: notes/bench-investigations.md, thirty-second pass).

/** One server end: read the client's octets, check them, close on its FIN (as Node's net server does without allowHalfOpen). */
function* serveGen(m, c, check) {
  for (;;) {
    const chunk = yield* c.read
    if (chunk._tag === "None") break
    m.received += check.take(chunk.value)
    if (m.received >= m.target && m.tLast === undefined) {
      m.tLast = performance.now()
      yield* Deferred.succeed(m.done, undefined)
    }
  }
  yield* c.close
}

/** One client: connect, write PAYLOAD, end its side. */
function* clientGen(m, i) {
  const c = yield* m.tcp.connect({ address: STACK_ADDRESS, port: PORT })
  m.clients[i] = c
  yield* c.write(PAYLOAD)
  yield* c.end
}

/** One measurement on `net` (a stack from makeStack): a fresh listener, N clients, the listener closed after. */
function* measureGen(net, n) {
  const { tcp, stack } = net
  const listener = yield* tcp.listen({ port: PORT, backlog: Math.max(128, n) })
  const target = n * BYTES
  // the measurement's state, which the server's and clients' generators share
  const m = { received: 0, target, tLast: undefined, done: yield* Deferred.make(), tcp, clients: [] }
  const { clients, done } = m
  const served = []
  const serveOne = (c) => {
    const check = checker()
    served.push({ c, check })
    return Effect.gen(() => serveGen(m, c, check))
  }
  yield* Effect.forkScoped(Effect.forever(Effect.flatMap(listener.accept, (c) => Effect.forkScoped(Effect.ignore(serveOne(c))))))
  // The bound on the measurement is armed before the clock starts, as node-net's setTimeout is:
  // a watchdog fiber, already asleep, fails `done` if the server has not got everything in time
  // (`Effect.timeout` on the wait, after t0, forked a race and armed its timer inside the timed part).
  yield* Effect.forkScoped(Effect.zipRight(Effect.sleep(TIMEOUT_S * 1000), Deferred.fail(done, "timeout")))
  yield* Effect.yieldNow()
  const t0 = performance.now()
  // One fiber per client, forked one after another: Effect's form of Go's `go client(i)` and of
  // node-net's `net.connect` per client (an `Effect.forEach` with unbounded concurrency ran its own
  // fiber and join machinery first: 35 against 20 µs from t0 to the first client's start at N = 1)
  const clientFibers = []
  for (let i = 0; i < n; i++) {
    clientFibers.push(yield* Effect.forkScoped(Effect.either(Effect.gen(() => clientGen(m, i)))))
  }
  const finished = yield* Deferred.await(done).pipe(Effect.exit)
  const clientErrors = []
  const clientExit = yield* Fiber.join(Fiber.all(clientFibers)).pipe(Effect.timeout(1000), Effect.exit)
  if (Exit.isSuccess(clientExit)) for (const e of clientExit.value) if (e._tag === "Left") clientErrors.push(String(e.left?.message ?? e.left?._tag ?? e.left))
  const mismatches = served.reduce((a, s) => a + s.check.mismatches, 0)
  const base = { received: m.received, target, accepted: served.length, mismatches, clientErrors: clientErrors.slice(0, 5), clientErrorCount: clientErrors.length }
  if (Exit.isFailure(finished)) {
    const infos = []
    for (const c of clients) infos.push(c === undefined ? { state: "not connected" } : yield* c.info)
    const serverInfos = []
    for (const s of served) serverInfos.push({ got: s.check.offset, ...(yield* s.c.info) })
    const states = {}
    for (const i of infos) states[i.state] = (states[i.state] ?? 0) + 1
    // a stalled measurement's connections are aborted, so that the next one starts clean
    for (const c of clients) if (c !== undefined) yield* c.abort
    for (const s of served) yield* s.c.abort
    return { ...base, stalled: true, clientStates: states, clients: infos, servers: serverInfos, tcpStats: (yield* stack.stats).tcp }
  }
  const seconds = (m.tLast - t0) / 1000
  // untimed: every server end closed (its FIN acknowledged: the clients' ends are in TIME-WAIT),
  // so that nothing of this measurement is left for the next but the TIME-WAIT records. One bound
  // over all the waits, not a timeout per end: that raced a fiber and a timer per connection, 38 of
  // the 215 KiB a connection pair allocated at N = 100, garbage whose scavenges then landed in the
  // next measurements (notes/bench-investigations.md, eleventh pass).
  const allClosed = yield* Effect.forEach(served, (s) => Effect.either(s.c.closed), { discard: true })
    .pipe(Effect.timeout(2000), Effect.isSuccess)
  // (only when the bound ran out, each end is looked at: how many are still open)
  let unclosed = 0
  if (!allClosed) for (const s of served) if ((yield* s.c.info).state !== "Closed") unclosed++
  // the clients' send halves: MSS, segments, retransmissions (a retransmission on loopback is a finding)
  const senders = { mss: undefined, segmentsSent: 0, retransmits: 0, fastRetransmits: 0, timeouts: 0 }
  for (const c of clients) {
    if (c === undefined) continue
    const i = yield* c.info
    senders.mss ??= i.mss
    senders.segmentsSent += i.segmentsSent
    senders.retransmits += i.retransmits
    senders.fastRetransmits += i.fastRetransmits
    senders.timeouts += i.timeouts
  }
  const tcpStats = (yield* stack.stats).tcp
  return { ...base, seconds, mbitPerSec: (target * 8) / seconds / 1e6, senders, unclosed, connectionsOpenAfter: tcpStats.connections, timeWait: tcpStats.timeWait, tcpStats }
}
const measureOn = (net, n) => Effect.scoped(Effect.gen(() => measureGen(net, n)))

// one stack for the run (unless --fresh-stack), closed at exit with the process
const runScope = Effect.runSync(Scope.make())
let runStack
const measureStack = async (n) => {
  if (FRESH_STACK) return Effect.runPromise(Effect.scoped(Effect.flatMap(Effect.scope, (scope) => Effect.flatMap(makeStack(scope), (net) => measureOn(net, n)))))
  runStack ??= await Effect.runPromise(makeStack(runScope))
  return Effect.runPromise(measureOn(runStack, n))
}

// ---------------------------------------------------------------------------
// the same program over Node's net on the kernel loopback

const measureNodeNet = (n) =>
  new Promise((resolve, reject) => {
    const sockets = new Set()
    const target = n * BYTES
    let received = 0
    let accepted = 0
    let mismatches = 0
    let t0
    let settled = false
    const clientErrors = []
    const finish = (r) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      for (const s of sockets) s.destroy()
      server.close()
      resolve({ received, target, accepted, mismatches, clientErrors: clientErrors.slice(0, 5), clientErrorCount: clientErrors.length, ...r })
    }
    const server = net.createServer((s) => {
      accepted++
      sockets.add(s)
      const check = checker()
      s.on("data", (chunk) => {
        received += check.take(chunk)
        if (received >= target) {
          const seconds = (performance.now() - t0) / 1000
          finish({ seconds, mbitPerSec: (target * 8) / seconds / 1e6 })
        }
      })
      s.on("end", () => { mismatches += check.mismatches })
      s.on("error", () => {})
    })
    const timer = setTimeout(() => finish({ stalled: true }), TIMEOUT_S * 1000)
    server.on("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address()
      t0 = performance.now()
      for (let i = 0; i < n; i++) {
        const c = net.connect(port, "127.0.0.1", () => c.end(PAYLOAD))
        sockets.add(c)
        c.on("error", (e) => clientErrors.push(e.message))
        c.resume()
      }
    })
  })

// ---------------------------------------------------------------------------

const SYSTEMS = { "gonet-ts": measureStack, "node-net": measureNodeNet }

const main = async () => {
  const result = {
    bench: "tcp4k",
    startedAt: new Date().toISOString(),
    machine: machine(),
    tree: treeInfo(),
    params: { clients: CLIENTS, rounds: ROUNDS, warmupConnections: WARMUP, bytes: BYTES, timeoutS: TIMEOUT_S, quietWaitS: QUIET_WAIT, rewarmMs: QUIET_WAIT > 0 ? REWARM_MS : 0, stackAddress: STACK_ADDRESS, port: PORT, stackPer: FRESH_STACK ? "measurement" : "run", primed: PRIME, primeMs: PRIME ? PRIME_MS : 0, recordMs: RECORD_MS, recordMin: RECORD_MIN, nodeArgs: process.execArgv },
    paperMbitPerSec: PAPER,
    warmup: [],
    measurements: []
  }
  // warm-up, unrecorded: rounds of every N for each system until each has made --warmup connections,
  // so that both measure code the JIT has settled on (a server in its steady state), not the first
  // few hundred calls: the stack's N = 1 time halved between 300 and 3000 connections made
  let made = 0
  while (made < WARMUP) {
    for (const n of CLIENTS) for (const [system, f] of Object.entries(SYSTEMS)) {
      const r = await f(n)
      result.warmup.push({ system, n, mbitPerSec: round(r.mbitPerSec, 2), stalled: r.stalled ?? false })
    }
    made += CLIENTS.reduce((a, n) => a + n, 0)
  }
  for (let r = 0; r < ROUNDS; r++) {
    const quiet = QUIET_WAIT > 0 ? await waitQuiet(QUIET_WAIT * 1000) : undefined
    // memory the quiet wait left idle touched again by both systems, unrecorded (the header says why)
    // (the systems take turns, so that neither is left idle for the other's whole share)
    if (quiet !== undefined && REWARM_MS > 0) {
      const until = performance.now() + 2 * REWARM_MS
      while (performance.now() < until) for (const f of Object.values(SYSTEMS)) await f(Math.max(...CLIENTS))
    }
    const order = r % 2 === 0 ? ["gonet-ts", "node-net"] : ["node-net", "gonet-ts"]
    for (const n of CLIENTS) for (const system of order) {
      // unrecorded measurements of the same system and N first (for --prime-ms, at least one): Fig. 4
      // is a throughput figure, and the recorded one should not be the first work after the quiet
      // wait or after the other system (caches and branch predictors cold: that is the cold path of
      // ping's Fig. 3)
      if (PRIME) {
        const until = performance.now() + PRIME_MS
        do await SYSTEMS[system](n)
        while (performance.now() < until)
      }
      // every measurement within --record-ms recorded (at least --record-min), the first marked as such
      const until = performance.now() + RECORD_MS
      let first = true
      let recorded = 0
      do {
        recorded++
        const m = await SYSTEMS[system](n)
        const odd = m.stalled || m.mismatches > 0 || m.unclosed > 0 || m.clientErrorCount > 0
        // (the round's first, and any that went wrong, whole; the rest by their figures alone)
        const rec = first || odd
          ? { round: r, system, n, first, machineBusyBefore: quiet?.busy, ...m, seconds: round(m.seconds, 6), mbitPerSec: round(m.mbitPerSec, 2) }
          : { round: r, system, n, first, seconds: round(m.seconds, 6), mbitPerSec: round(m.mbitPerSec, 2), mismatches: m.mismatches }
        result.measurements.push(rec)
        if (first || odd) {
          console.log(`round ${r + 1}/${ROUNDS}  ${system.padEnd(8)} N=${String(n).padStart(4)}  ` +
            (m.stalled
              ? `STALLED: ${m.received} of ${m.target} octets after ${TIMEOUT_S} s, ${m.accepted} accepted${m.clientStates ? `, client states ${JSON.stringify(m.clientStates)}` : ""}`
              : `${rec.mbitPerSec} Mbit/s (${round(m.seconds * 1000, 2)} ms)${first ? "" : " (not the round's first)"}`) +
            (m.mismatches > 0 ? `  DATA MISMATCH: ${m.mismatches} octets` : "") +
            (m.unclosed > 0 ? `  ${m.unclosed} server ends not closed after 2 s` : "") +
            (m.clientErrorCount > 0 ? `  client errors: ${m.clientErrorCount} (${m.clientErrors[0]})` : ""))
        }
        first = false
      } while (performance.now() < until || recorded < RECORD_MIN)
      const mine = result.measurements.filter((m) => m.round === r && m.system === system && m.n === n && !m.stalled)
      // the machine's memory latency right after the cell (untimed; the header of lib.mjs's
      // memoryLatencyNs says why), recorded with each of the cell's measurements
      const memNs = round(memoryLatencyNs(), 1)
      for (const m of result.measurements) if (m.round === r && m.system === system && m.n === n) m.memNs = memNs
      if (mine.length > 1) console.log(`          ${system.padEnd(8)} N=${String(n).padStart(4)}  ${mine.length} recorded, median ${round(summarize(mine.map((m) => m.mbitPerSec)).p50, 2)} Mbit/s, memory ${memNs} ns`)
      else console.log(`          memory ${memNs} ns`)
    }
  }
  result.summary = []
  // The run's memory latency, one sample per cell, and its median: each system's figures are also
  // summarised over the cells at or below it (the machine's faster memory) and above it, so that
  // both systems are compared in the same state of the machine as well as over the whole run.
  const memSamples = summarize(result.measurements.filter((m) => m.first).map((m) => m.memNs))
  result.memoryLatencyNs = { method: `pointer chase, ${MEMORY_PROBE.loads} dependent loads over ${MEMORY_PROBE.mib} MiB, after each cell`, min: round(memSamples.min, 1), p50: round(memSamples.p50, 1), max: round(memSamples.max, 1) }
  for (const n of CLIENTS) for (const system of Object.keys(SYSTEMS)) {
    const ms = result.measurements.filter((m) => m.n === n && m.system === system)
    const ok = ms.filter((m) => !m.stalled && m.mismatches === 0)
    const s = summarize(ok.map((m) => m.mbitPerSec))
    const f = summarize(ok.filter((m) => m.first).map((m) => m.mbitPerSec))
    const fast = summarize(ok.filter((m) => m.memNs <= memSamples.p50).map((m) => m.mbitPerSec))
    const slow = summarize(ok.filter((m) => m.memNs > memSamples.p50).map((m) => m.mbitPerSec))
    result.summary.push({
      system, n, runs: ms.length, rounds: new Set(ms.map((m) => m.round)).size, stalled: ms.filter((m) => m.stalled).length, mismatched: ms.filter((m) => m.mismatches > 0).length,
      mbitPerSec: { min: round(s.min, 2), p10: round(s.p10, 2), p50: round(s.p50, 2), p90: round(s.p90, 2), max: round(s.max, 2) },
      // the time of the median measurement itself (a nearest-rank median of the times would be
      // the other middle round when the count is even, and disagree with the Mbit/s beside it)
      ms: s.n > 0 ? (n * BYTES * 8) / (s.p50 * 1e6) * 1000 : undefined,
      first: { runs: f.n, p50: round(f.p50, 2) },
      byMemory: { fastHalf: { runs: fast.n, p50: round(fast.p50, 2) }, slowHalf: { runs: slow.n, p50: round(slow.p50, 2) } }
    })
  }
  // The stack against node-net round by round: in each round both systems ran the same N within
  // a few tens of ms of each other, in the same stretch of the machine (its memory's speed holds
  // for seconds), so the ratio of the two cells' medians is paired; its median over the rounds is
  // the comparison the machine's stretches move least. (The two medians over the whole run can
  // both favour one system in each half of the run and the other overall, when the cells of one
  // land in the slow stretches more often.)
  for (const n of CLIENTS) {
    const ratios = []
    for (let r = 0; r < ROUNDS; r++) {
      const cell = (system) => summarize(result.measurements.filter((m) => m.round === r && m.n === n && m.system === system && !m.stalled && m.mismatches === 0).map((m) => m.mbitPerSec))
      const g = cell("gonet-ts")
      const k = cell("node-net")
      if (g.n > 0 && k.n > 0) ratios.push(g.p50 / k.p50)
    }
    const q = summarize(ratios)
    const s = result.summary.find((x) => x.n === n && x.system === "gonet-ts")
    if (s !== undefined && q.n > 0) s.pairedRatioToNodeNet = { rounds: q.n, min: round(q.min, 3), p50: round(q.p50, 3), max: round(q.max, 3) }
  }
  await Effect.runPromise(Scope.close(runScope, Exit.void))
  result.finishedAt = new Date().toISOString()
  const file = writeResult("tcp4k", result)
  console.log(`\nFig. 4: N clients x ${BYTES} octets to one server, loopback, Mbit/s from the first connect to the last octet received; ` +
    `${ROUNDS} rounds; ${treeText(result.tree)}; load ${result.machine.loadavg.join(" ")}`)
  printTable(
    ["N", "system", "runs", "stalled", "Mbit/s min", "median", "max", "median ms", "rounds' first, median", "memory fast / slow half, median", "paper GoNet"],
    result.summary.map((s) => [s.n, s.system, s.runs, s.stalled, s.mbitPerSec.min, s.mbitPerSec.p50, s.mbitPerSec.max, round(s.ms, 2), s.first.p50, `${s.byMemory.fastHalf.p50 ?? "-"} / ${s.byMemory.slowHalf.p50 ?? "-"}`, s.system === "gonet-ts" ? (PAPER[s.n] ?? "-") : ""]),
    { leftFirst: true }
  )
  console.log(`gonet-ts / node-net, the median of the rounds' paired ratios: ${CLIENTS.map((n) => `N = ${n} ${result.summary.find((x) => x.n === n && x.system === "gonet-ts")?.pairedRatioToNodeNet?.p50 ?? "-"}`).join(", ")}`)
  const mem = result.memoryLatencyNs
  console.log(`memory latency (${mem.method}): min ${mem.min}, median ${mem.p50}, max ${mem.max} ns`)
  console.log(`result: ${file}`)
}

runMain(main)
