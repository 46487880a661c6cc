#!/usr/bin/env node
// TCP request/response: 1-octet ping-pong over one connection (TCP_NODELAY on
// the kernel side), kernel -> TAP -> the stack's TCP echo (Services.echo, as
// `gonet up --serve echo:7`), beside the same client against tcpbench.c's
// echo server, kernel -> veth -> kernel, and against the plain-JS floor
// (bench/floor/tcpecho.cjs) on the same TAP path, in the same run.
//
//   sudo node bench/rr.mjs [--count 20000] [--warmup 1000] [--rounds 3]
//        [--targets stack,veth[,js-floor]] [--seconds 60] [--quiet-wait 60]
//        [--node-args "..."] [--memory-reducer] [--tree DIR] [--quick] [--client-spin] [--time-addon]
//
// One measurement: tcpbench.c rr connects, makes --warmup untimed round trips,
// then --count timed ones (send 1 octet, read it back, checked), and reports
// round trips per second (count / elapsed) and the latency of each round trip
// (mean, p50, p90, p99, max). `--client-spin`: the client polls for each answer
// instead of sleeping in recv(2), so no answer's latency holds the client's own
// wake-up (a diagnostic: on this VM that wake-up is ~17 us; see
// notes/bench-investigations.md, eleventh pass). `--time-addon`: the stack server
// times its TAP callbacks and writes (stack-server.mjs --time-addon), and each
// stack run reports, per callback that answered: the time to its write, the
// write, and the time from the write's return to the callback's end (what the
// client waits for when it runs on the stack's CPU). Bounded by --count and
// --seconds (tcpbench's alarm; SIGKILL by PID 10 s later). Each round runs every target once, the order
// rotated by one from round to round (with two targets: alternating).
// Targets (--targets, default stack,veth):
//   stack:    the stack server's TCP echo; ns gbench-tcp-PID-N, TAP gbench0, 198.18.0.1 <-> 198.18.0.2
//   veth:     tcpbench.c's echo server; ns gbench-ta-PID-N 198.18.1.1 <-> ns gbench-tb-PID-N 198.18.1.2
//             (default offloads: with 1-octet segments they change nothing)
//   js-floor: bench/floor/tcpecho.cjs, a minimal TCP echo in plain JS on the same TAP addon, no stack,
//             no Effect (bench/floor/README.md): the floor the stack's latency is quoted against;
//             ns gbench-rj-PID-N, the program makes TAP gbench0, 198.18.0.1 <-> 198.18.0.2. Started
//             here, bounded by its own time argument, stopped by PID at the end. No stack CPU for it.
// The two Node responders (the stack server and js-floor) run under the same
// node flags: --node-args (default: bin/gonet.js's, as the stack runs), and
// V8's memory reducer off (--no-memory-reducer) unless --memory-reducer is
// given, as ping.mjs does since 2026-12-06 (js-floor ran with none of them
// before). Each run records, from schedstat, the measured responder's
// main-thread and other-thread (V8's GC and compiler helpers) run time and the
// idle Node responder's, so that a collection in a round shows.
// Measured 2026-12-06 (notes/bench-investigations.md, twenty-seventh pass): with
// --quiet-wait 0 a run of 2-12 rounds (10-45 s) saw no memory-reducer collection
// in either responder; with quiet waits (run.mjs's step waits 60 s before every
// measurement) the reducer ran in the stack, in a wait, in 1 of 3 traced runs
// (three "Mark-Compact (reduce)" 24.5-25.8 s after start), never in a timed
// round and never in the floor (its heap never mark-compacts). After a quiet
// wait of 20 s the stack's young generation is shrunk with or without the
// reducer (V8 shrinks it at a GC after a low allocation rate): its next round
// then makes ~250-350 scavenges instead of ~35 (120-280 ms of them on the main
// thread); the floor's 20-32 do not change. That is the stack's idle cost under
// this harness's waits, the same for both; not changed here.
// Every namespace is deleted on exit, error and signals (lib.mjs's cleanup).
import { join } from "node:path"
import { flag, intOpt, opt } from "./args.mjs"
import {
  BENCH_DIR, deleteNs, machine, makeNs, preflight, printTable, round, runMain, schedstat, schedstatAll, startTapProgram, summarize, treeInfo,
  treeText, waitQuiet, writeResult, nodeArgsOpt
} from "./lib.mjs"
import {
  buildTcpbench, cpuSeconds, makeVethPair, runTcpbench, STACK, startTcpbenchServer, startTcpStack, VETH_B
} from "./tcp-common.mjs"

const QUICK = flag("quick")
const COUNT = intOpt("count", QUICK ? 2000 : 20000, 1, 1_000_000)
const CLIENT_SPIN = flag("client-spin")
const TIME_ADDON = flag("time-addon")
const WARMUP = intOpt("warmup", QUICK ? 200 : 1000, 0, 100_000)
const ROUNDS = intOpt("rounds", QUICK ? 1 : 3, 1, 20)
const SECONDS = intOpt("seconds", 60, 5, 120)
const QUIET_WAIT = intOpt("quiet-wait", QUICK ? 0 : 60, 0, 600)
const MEMORY_REDUCER = flag("memory-reducer")
// (both Node responders: see above)
const NODE_ARGS = [...nodeArgsOpt(), ...(MEMORY_REDUCER ? [] : ["--no-memory-reducer"])]
const ALL_TARGETS = ["stack", "veth", "js-floor"]
const TARGETS = opt("targets", "stack,veth").split(",")
if (TARGETS.length === 0 || TARGETS.some((t) => !ALL_TARGETS.includes(t)) || new Set(TARGETS).size !== TARGETS.length) {
  throw new Error(`--targets: any of ${ALL_TARGETS.join(",")}, each once`)
}
const PORT = 7
// the system names in the result file (run.mjs maps them to its rows' systems)
const SYSTEM = { stack: "gonet-ts", veth: "kernel veth", "js-floor": "js-floor" }
// what the stack server and the floor program may live at most: every round of every target, each bounded
const MAX_SECONDS = 120 + ROUNDS * TARGETS.length * (SECONDS + QUIET_WAIT + 10)

preflight()

const rrArgs = (dst) => ["rr", dst, String(PORT), String(COUNT), String(SECONDS), String(WARMUP), ...(CLIENT_SPIN ? ["spin"] : [])]

const complete = (c) => c.error === undefined && !c.timedOut && c.roundTrips === COUNT && c.mismatches === 0

/** Per answering callback, from stack-server's --time-addon totals before and after a run: us before the write, in it, after it. */
const callbackSplit = (before, after) => {
  const d = (k) => after[k] - before[k]
  const n = d("writingCallbacks")
  if (!(n > 0)) return undefined
  return {
    callbacks: d("callbacks"), writingCallbacks: n,
    preWriteUs: round((1000 * d("preWriteMs")) / n, 1), writeUs: round((1000 * d("writeMs")) / d("writes"), 1),
    postWriteUs: round((1000 * d("postWriteMs")) / n, 1)
  }
}

const stackRr = async (s, bin) => {
  const before = await s.stats()
  const cpu0 = cpuSeconds(s.stack.pid)
  const client = await runTcpbench(s.ns, bin, rrArgs(STACK), SECONDS)
  const after = await s.stats()
  const cpu = cpuSeconds(s.stack.pid) - cpu0
  return {
    ...(TIME_ADDON ? { addonSplit: callbackSplit(before.addonTiming, after.addonTiming) } : {}),
    system: SYSTEM.stack, client, complete: complete(client),
    // CPU per round trip (warm-up included): the figure least disturbed by neighbours
    stackCpuUsPerRoundTrip: round((cpu / (COUNT + WARMUP)) * 1e6, 1),
    tcpSegmentsIn: after.tcp.received - before.tcp.received, tcpSegmentsOut: after.tcp.segmentsSent - before.tcp.segmentsSent
  }
}

const vethRr = async (v, bin) => {
  const server = await startTcpbenchServer(v.b, bin, ["serve-echo", VETH_B, String(PORT), String(SECONDS)], SECONDS)
  const client = await runTcpbench(v.a, bin, rrArgs(VETH_B), SECONDS)
  return { system: SYSTEM.veth, client, server: await server.result(), complete: complete(client) }
}

/**
 * bench/floor/tcpecho.cjs on TAP gbench0 in a namespace of its own, the kernel
 * at 198.18.0.1/24 as for the stack; it answers ARP and TCP on 198.18.0.2:PORT
 * only. It exits by itself after `seconds`; stop() ends it by PID before that.
 * Returns { ns, pid, stderr(), stop() }.
 */
const startJsFloor = async (seconds) => {
  const ns = makeNs("rj")
  const argv = [process.execPath, ...NODE_ARGS, join(BENCH_DIR, "floor", "tcpecho.cjs"), "gbench0", String(seconds), String(PORT)]
  const floor = await startTapProgram(ns, argv, "js-floor")
  return {
    ...floor,
    stop: async () => {
      await floor.stop()
      deleteNs(ns)
    }
  }
}

const floorRr = async (f, bin) => {
  const cpu0 = f.running() ? cpuSeconds(f.pid) : undefined
  const client = await runTcpbench(f.ns, bin, rrArgs(STACK), SECONDS)
  // the floor's own CPU (its whole process), for the record; not a stack figure
  const cpu = cpu0 !== undefined && f.running() ? cpuSeconds(f.pid) - cpu0 : undefined
  return {
    system: SYSTEM["js-floor"], client, complete: complete(client),
    floorCpuUsPerRoundTrip: cpu !== undefined ? round((cpu / (COUNT + WARMUP)) * 1e6, 1) : undefined,
    ...(f.stderr() ? { floorStderr: f.stderr().slice(0, 500) } : {})
  }
}

const main = async () => {
  const bin = buildTcpbench()
  const result = {
    bench: "rr",
    startedAt: new Date().toISOString(),
    machine: machine(),
    tree: treeInfo(),
    params: { count: COUNT, warmup: WARMUP, rounds: ROUNDS, seconds: SECONDS, quietWaitS: QUIET_WAIT, port: PORT, targets: TARGETS, memoryReducer: MEMORY_REDUCER, stackNodeArgs: NODE_ARGS, jsFloorNodeArgs: NODE_ARGS, clientSpin: CLIENT_SPIN, timeAddon: TIME_ADDON },
    runs: []
  }
  // (a start that fails leaves what was started to lib.mjs's cleanup: killed by PID, namespaces deleted)
  const s = TARGETS.includes("stack") ? await startTcpStack({ tcp: `echo:${PORT}`, maxSeconds: MAX_SECONDS, nodeArgs: NODE_ARGS, timeAddon: TIME_ADDON }) : undefined
  const f = TARGETS.includes("js-floor") ? await startJsFloor(MAX_SECONDS) : undefined
  const v = TARGETS.includes("veth") ? makeVethPair("on") : undefined
  try {
    const measure = { stack: () => stackRr(s, bin), veth: () => vethRr(v, bin), "js-floor": () => floorRr(f, bin) }
    // every Node responder, to see what each does in every run (the measured one's main thread and
    // other threads, the idle one's all threads: a collection in a run shows)
    const responders = [...(s !== undefined ? [["stack", s.stack.pid]] : []), ...(f !== undefined ? [["js-floor", f.pid]] : [])]
    const threads = () => responders.map(([name, pid]) => {
      try {
        return [name, schedstat(pid).runS, schedstatAll(pid).runS]
      } catch {
        return [name, NaN, NaN] // (ended)
      }
    })
    for (let r = 0; r < ROUNDS; r++) {
      const k = r % TARGETS.length
      for (const target of [...TARGETS.slice(k), ...TARGETS.slice(0, k)]) {
        const quiet = QUIET_WAIT > 0 ? await waitQuiet(QUIET_WAIT * 1000) : undefined
        const t0 = threads()
        const x = { round: r, machineBusyBefore: quiet?.busy, ...(await measure[target]()) }
        const t1 = threads()
        const ms = (v) => round(v * 1000, 1)
        const mine = t0.findIndex(([name]) => name === target)
        if (mine >= 0) {
          x.mainThreadMs = ms(t1[mine][1] - t0[mine][1])
          x.otherThreadsMs = ms(t1[mine][2] - t0[mine][2] - (t1[mine][1] - t0[mine][1]))
        }
        x.idleResponderMs = ms(t0.reduce((a, [name, , all], i) => (name === target ? a : a + t1[i][2] - all), 0))
        result.runs.push(x)
        const c = x.client
        console.log(`round ${r + 1}/${ROUNDS}  ${x.system.padEnd(11)} ` +
          (x.complete
            ? `${round(c.perSecond, 0)} round trips/s, mean ${c.meanUs} us, p50 ${c.p50Us}, p90 ${c.p90Us}, p99 ${c.p99Us}, max ${c.maxUs}`
            : `INCOMPLETE: ${JSON.stringify(c)}`) +
          (x.stackCpuUsPerRoundTrip !== undefined ? `; stack CPU ${x.stackCpuUsPerRoundTrip} us per round trip` : "") +
          (x.floorCpuUsPerRoundTrip !== undefined ? `; floor CPU ${x.floorCpuUsPerRoundTrip} us per round trip` : "") +
          (x.addonSplit !== undefined
            ? `; per answering callback: ${x.addonSplit.preWriteUs} us to the write, ${x.addonSplit.writeUs} in it, ${x.addonSplit.postWriteUs} after it`
            : "") +
          (x.otherThreadsMs !== undefined ? `; main thread ${x.mainThreadMs} ms, other threads ${x.otherThreadsMs} ms` : "") +
          (responders.length > 1 || x.otherThreadsMs === undefined ? `; idle responder ${x.idleResponderMs} ms` : ""))
        if (x.system === SYSTEM.stack && !x.complete) throw new Error("the stack did not complete the ping-pong; stopping (see the result above)")
      }
    }
  } finally {
    v?.remove()
    if (f !== undefined) {
      await f.stop()
      if (f.stderr()) result.floorStderr = f.stderr().slice(0, 2000)
    }
    if (s !== undefined) result.stackFinal = (await s.stack.stop())?.stats
    result.finishedAt = new Date().toISOString()
    result.summary = ALL_TARGETS.filter((t) => TARGETS.includes(t)).map((t) => SYSTEM[t]).map((system) => {
      const ok = result.runs.filter((x) => x.system === system && x.complete)
      const fig = (k) => summarize(ok.map((x) => x.client[k]))
      return {
        system, runs: result.runs.filter((x) => x.system === system).length, complete: ok.length,
        perSecond: { min: round(fig("perSecond").min, 0), p50: round(fig("perSecond").p50, 0), max: round(fig("perSecond").max, 0) },
        meanUs: { min: fig("meanUs").min, p50: fig("meanUs").p50, max: fig("meanUs").max },
        p99UsP50: fig("p99Us").p50,
        ...(system === SYSTEM.stack ? { stackCpuUsPerRoundTripP50: summarize(ok.map((x) => x.stackCpuUsPerRoundTrip)).p50 } : {})
      }
    })
    const file = writeResult("rr", result)
    console.log(`\nTCP 1-octet request/response over one connection, ${COUNT} timed round trips per run (${WARMUP} warm-up); ${treeText(result.tree)}; load ${result.machine.loadavg.join(" ")}`)
    printTable(
      ["system", "runs", "complete", "rt/s min", "median", "max", "mean us min", "median", "max", "p99 us (median run)", "stack CPU us/rt"],
      result.summary.map((x) => [x.system, x.runs, x.complete, x.perSecond.min, x.perSecond.p50, x.perSecond.max, x.meanUs.min, x.meanUs.p50, x.meanUs.max, x.p99UsP50, x.stackCpuUsPerRoundTripP50 ?? ""]),
      { leftFirst: true }
    )
    // the stack's mean latency as a ratio to each other system's (medians over the rounds)
    const of = (system) => result.summary.find((x) => x.system === system)?.meanUs.p50
    const stackMean = of(SYSTEM.stack)
    for (const other of [SYSTEM["js-floor"], SYSTEM.veth]) {
      const m = of(other)
      if (typeof stackMean === "number" && typeof m === "number" && m > 0) console.log(`mean latency, ${SYSTEM.stack} / ${other}: ${round(stackMean / m, 2)}x`)
    }
    console.log(`result: ${file}`)
  }
}

runMain(main)
