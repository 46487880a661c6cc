#!/usr/bin/env node
// Fig. 3 of the GoNet paper: ping RTT from the Linux kernel to our stack over a
// TAP, with 1 and 1000 concurrent ping flows, beside the same experiment against
// the Linux kernel over a veth pair, in the same run.
//
//   sudo node bench/ping.mjs [--flows 1,1000] [--count 20] [--interval 0.2]
//        [--targets stack,veth,js-floor,c-floor] [--socket dgram|raw] [--quiet-wait 120] [--rounds 1]
//        [--realtime PRIO] [--stack-cpu LIST] [--ping-cpu LIST] [--stack-nice N] [--warmup PINGS] [--memory-reducer] [--node-args "..."]
//        [--tree DIR]   (measure the stack built in another checkout; see lib.mjs)
//
// All flows of a configuration are forked first and held at a start barrier
// (a FIFO each opens before exec'ing ping), then released together, so the
// 1000 flows really overlap (reported as "conc.": peak number of flows whose
// first..last reply intervals overlap). Each ping is bounded by -c and by
// -w (count*interval + 5 s); the harness SIGKILLs the batch's process group
// (which it created) if it is still running 20 s after that.
// --quiet-wait S waits (up to S s) before each configuration until the shared
// machine's CPUs are <= 20 % busy; the busy fraction before/during is reported.
// For the stack, the run also reports the TAP's tx_dropped (echo requests the
// kernel dropped because the stack did not read them in time) and the stack
// main thread's run-queue wait per wake-up and CPU per echo (schedstat).
// For every responder alike (the stack and the floors) CPU per echo is the
// main thread's run time over the echo requests ping sent (its "transmitted"),
// unrounded; "other threads" is the run time of the responder's other threads
// (V8's GC and compiler helpers) in the same window, so a collection that lands
// in a round shows.
//
// The two Node responders (the stack and js-floor) run under the same node
// flags: --node-args (default: bin/gonet.js's, as the stack runs), and V8's
// memory reducer off (--no-memory-reducer) unless --memory-reducer is given.
// The js-floor ran with none of them before 2026-12-06. The reducer: after the
// 5000-echo warm-up grows a Node responder's heap, V8 waits for the allocation
// rate to fall and then runs up to three full collections (on the stack's heap
// 50-200 ms of CPU over its main thread and four helpers), 16-32 s after the
// warm-up on this class: inside whichever timed round was then running, the
// stack's own (its CPU per echo read 1.2-1.3 ms instead of 0.3-0.4) or a
// floor's, beside which it then ran on the other core. It collects what the
// harness's warm-up burst left, not a cost of the sparse echoes; a responder
// that serves one echo per 0.2 s allocates too little to set it off. Each
// round records the CPU of every Node responder's threads (the measured one's
// helpers as "other threads", the idle one's as "idle responder"), so a
// collection in a round shows.
//
// --rounds R: each configuration R times, the targets' order rotated from round
// to round, and each target's RTTs pooled over the rounds (the per-round
// figures are kept beside). At 1 flow a round is 20 RTTs, whose mean one slow
// echo can double; the stack and its floors were each measured in one 4 s
// window of their own, minutes apart in a full run.
//
// One flow = one `ping -D -c COUNT -i INTERVAL -w DEADLINE` process (iputils).
// Every `time=` line is parsed, so the figures are the per-packet RTT
// distribution (mean, p50, p99, max) plus loss, and also per-flow averages.
//
// Socket type: --socket dgram (default) sets net.ipv4.ping_group_range to
// "0 2147483647" inside the namespace and runs ping as uid/gid 65534 through
// setpriv, so iputils opens an ICMP datagram socket (SOCK_DGRAM, IPPROTO_ICMP);
// --socket raw leaves the range at the kernel default ("1 0") and runs ping as
// root, so iputils falls back to a raw socket. Either way the script samples
// /proc/net/icmp (datagram ping sockets) and /proc/net/raw in the namespace
// while the flows run and reports which kind it actually saw.
//
// Targets: stack (the stack server), veth (the kernel), and the floors
// js-floor / c-floor: bench/floor/echo.cjs (plain JS on the addon, no Effect)
// and bench/floor/echo.c (C, poll + read + write), minimal ARP + ICMP echo
// responders for 198.18.0.2 on the same TAP path, measured with the same pings
// and the same warm-up as the stack (--warmup PINGS, default 5000 by `ping -f`,
// before the timed pings; see bench/floor/README.md). Each floor
// program is started here, in its own namespace, bounded by its own time
// argument, and stopped by PID after the last configuration. --realtime,
// --stack-nice and --stack-cpu apply to the stack only.
//
// Topology (all in namespaces made and deleted here; 198.18.0.0/15 only):
//   stack: ns gbench-ps-PID-N: kernel 198.18.0.1/24 on TAP gbench0 <-> stack 198.18.0.2
//   floors: ns gbench-pj-PID-N (js-floor), gbench-pc-PID-N (c-floor): the same, the floor program on gbench0
//   veth:  ns gbench-va-PID-N 198.18.1.1/24 (gbva) <-> ns gbench-vb-PID-N 198.18.1.2/24 (gbvb)
import { cpuListOpt, flag, intOpt, opt } from "./args.mjs"
import { execFileSync, spawn } from "node:child_process"
import { closeSync, constants, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import {
  runMain, assertBenchAddress, BENCH_DIR, busyBetween, cpuStat, inNs, IP, linkStats, machine, makeNs, preflight, printTable, round, schedDelta,
  schedstat, schedstatAll, sleep, startStack, startTapProgram, summarize, tempDir, track, treeInfo, treeText, waitExit, waitQuiet, writeResult, nodeArgsOpt
} from "./lib.mjs"

const FLOWS = opt("flows", "1,1000").split(",").map(Number)
const COUNT = Number(opt("count", "20"))
const INTERVAL = Number(opt("interval", "0.2"))
const TARGETS = opt("targets", "stack,veth").split(",")
const SOCKET = opt("socket", "dgram")
const QUIET_WAIT = Number(opt("quiet-wait", "120"))
const STACK_NICE = intOpt("stack-nice", 0, -20, 19)
const REALTIME = intOpt("realtime", 0, 0, 99)
const ROUNDS = intOpt("rounds", 1, 1, 20)
// 5000 (a `ping -f` burst of about 0.5 s) since 2026-12-02; 200 before. A responder that has
// answered 200 echoes still runs them in V8's baseline tier, which is not the stack a user runs
// (it serves traffic all day) nor what the cold path is about (caches cold after 0.2 s idle).
// The floors get the same warm-up. `--warmup 200` gives the old figures.
const WARMUP = intOpt("warmup", 5000, 1, 100_000)
const MEMORY_REDUCER = flag("memory-reducer")
const STACK_CPU = cpuListOpt("stack-cpu")
const PING_CPU = cpuListOpt("ping-cpu")
// (both Node responders: see above)
const NODE_ARGS = [...nodeArgsOpt(), ...(MEMORY_REDUCER ? [] : ["--no-memory-reducer"])]
if (!["dgram", "raw"].includes(SOCKET)) throw new Error("--socket dgram|raw")
const FLOORS = ["js-floor", "c-floor"]
if (TARGETS.some((t) => !["stack", "veth", ...FLOORS].includes(t))) throw new Error("--targets: any of stack,veth,js-floor,c-floor")
if (FLOWS.some((n) => !Number.isInteger(n) || n < 1 || n > 2000)) throw new Error("--flows: 1..2000 each")
if (!(COUNT >= 1 && COUNT <= 100) || !(INTERVAL >= 0.2 && INTERVAL <= 1)) {
  throw new Error("--count 1..100, --interval 0.2..1 (bounded load)")
}
// ping exits by itself after DEADLINE seconds whatever happens; the harness
// SIGKILLs the whole batch (by its process group, which it created) after HARD_MS.
const DEADLINE = Math.ceil(COUNT * INTERVAL + 5)
const HARD_MS = (DEADLINE + 20) * 1000
// The stack server and the floors exit by themselves after this many seconds: every configuration,
// round and target in turn, each with its quiet wait (a bound, not a schedule; it was one
// configuration's worth per flow count, and the fourth of five rounds outlived the floors)
const RESPONDER_SECONDS = 60 + FLOWS.length * ROUNDS * TARGETS.length * (DEADLINE + Math.min(QUIET_WAIT, 60) + 10)

preflight()

const PING_RANGE = SOCKET === "dgram" ? "0 2147483647" : "1 0"
const PING_PREFIX = [
  ...(PING_CPU !== undefined ? ["taskset", "-c", PING_CPU] : []),
  ...(SOCKET === "dgram" ? ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] : [])
]

const countSockets = (ns) => {
  const lines = (file) => inNs(ns, ["cat", file], { allowFail: true }).trim().split("\n").length - 1
  return { icmpDgram: lines("/proc/net/icmp"), raw: lines("/proc/net/raw") }
}

const tapTx = (ns) => linkStats(ns, "gbench0").tx

/** bench/floor/echo.c built into bench/.build/floor-echo (again when the source is newer); its path. */
const buildFloorEcho = () => {
  const dir = join(BENCH_DIR, ".build")
  mkdirSync(dir, { recursive: true })
  const src = join(BENCH_DIR, "floor", "echo.c")
  const bin = join(dir, "floor-echo")
  if (!existsSync(bin) || statSync(bin).mtimeMs < statSync(src).mtimeMs) {
    execFileSync("cc", ["-O2", "-o", bin, src], { stdio: "inherit", timeout: 60_000 })
  }
  return bin
}

/**
 * A floor program (js-floor: floor/echo.cjs, c-floor: floor/echo.c) on TAP
 * gbench0 in a namespace of its own, the kernel at 198.18.0.1/24 as for the
 * stack; it answers ARP and ICMP echo for 198.18.0.2 only. The program exits by
 * itself after `seconds`; we stop it by PID when done. Warmed up by the same
 * pings as the stack. Returns { ns, pid, stop() }.
 */
const startFloor = async (kind, seconds) => {
  const ns = makeNs(kind === "c-floor" ? "pc" : "pj")
  inNs(ns, ["sysctl", "-q", "-w", `net.ipv4.ping_group_range=${PING_RANGE}`])
  const argv = kind === "c-floor"
    ? [buildFloorEcho(), "gbench0", String(seconds)]
    : [process.execPath, ...NODE_ARGS, join(BENCH_DIR, "floor", "echo.cjs"), "gbench0", String(seconds)]
  const floor = await startTapProgram(ns, argv, kind)
  inNs(ns, ["ping", "-n", "-q", "-c", String(WARMUP), ...(WARMUP > 200 ? ["-f"] : ["-i", "0.005"]), "-w", "30", "198.18.0.2"], { allowFail: true, timeoutMs: 40_000 })
  return floor
}

/** Parse one `ping -D` output (non -q). */
const parsePing = (text) => {
  const rtts = []
  const stamps = []
  let dups = 0
  for (const m of text.matchAll(/^\[(\d+\.\d+)\] \d+ bytes from [^:]+: icmp_seq=\d+ ttl=\d+ time=([\d.]+) ms( \(DUP!\))?/gm)) {
    if (m[3]) {
      dups++
      continue
    }
    stamps.push(Number(m[1]))
    rtts.push(Number(m[2]))
  }
  const s = /(\d+) packets transmitted, (\d+) received/.exec(text)
  return {
    transmitted: s ? Number(s[1]) : undefined,
    received: s ? Number(s[2]) : undefined,
    rtts,
    first: stamps[0],
    last: stamps[stamps.length - 1],
    dups,
    error: s ? undefined : text.trim().split("\n").slice(-2).join(" | ")
  }
}

/** Peak number of flows whose [first reply, last reply] intervals overlap. */
const peakConcurrency = (flows) => {
  const ev = []
  for (const f of flows) if (f.first !== undefined) ev.push([f.first, 1], [f.last, -1])
  ev.sort((a, b) => a[0] - b[0] || b[1] - a[1])
  let cur = 0
  let peak = 0
  for (const [, d] of ev) peak = Math.max(peak, (cur += d))
  return peak
}

/** Run `n` concurrent ping flows in `ns` to `dst`; returns the parsed figures. */
const runFlows = async (ns, dst, n, label) => {
  assertBenchAddress(dst)
  const dir = join(tempDir(join(tmpdir(), `gbench-ping-${process.pid}`)), `${label}-${n}`)
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  // One shell in the namespace forks the n flows; each flow first opens a FIFO
  // (a start barrier: open() blocks until a writer opens it), then execs ping.
  // Once every flow is forked, the harness opens the FIFO for writing and keeps
  // it open until the end, so all flows start together and none can block.
  const fifo = join(dir, "start.fifo")
  execFileSync("mkfifo", ["-m", "600", fifo])
  const ping = [...PING_PREFIX, "ping", "-D", "-n", "-c", String(COUNT), "-i", String(INTERVAL), "-w", String(DEADLINE), dst]
  const flow = `: <${fifo}; exec ${ping.join(" ")}`
  const script = `i=0; while [ $i -lt ${n} ]; do sh -c '${flow}' >${dir}/$i.out 2>&1 & i=$((i+1)); done; echo forked; wait`
  const tSpawn = performance.now()
  const child = track(
    spawn(IP, ["netns", "exec", ns, "sh", "-c", script], { stdio: ["ignore", "pipe", "ignore"], detached: true }),
    { detachedGroup: true }
  )
  await new Promise((resolve) => {
    let out = ""
    child.stdout.setEncoding("utf8").on("data", (d) => {
      out += d
      if (out.includes("forked")) resolve()
    })
    child.once("exit", resolve)
  })
  const forkMs = performance.now() - tSpawn
  // Give the last forked shells a moment to reach the barrier, then release all.
  await sleep(Math.min(2000, 50 + n))
  // A non-blocking open for writing fails (ENXIO) while no flow has reached the
  // barrier yet: retry for up to 10 s. Without a writer the flows never start and
  // are SIGKILLed (by their process group) after HARD_MS.
  let writer
  for (let tries = 0; writer === undefined && tries < 100; tries++) {
    try {
      writer = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK)
    } catch {
      await sleep(100)
    }
  }
  const t0 = performance.now()
  // Sample the socket table while the flows run.
  let peakSockets = { icmpDgram: 0, raw: 0 }
  let sampling = true
  const sampler = (async () => {
    await sleep(Math.min(1500, COUNT * INTERVAL * 500))
    while (sampling) {
      const s = countSockets(ns)
      peakSockets = { icmpDgram: Math.max(peakSockets.icmpDgram, s.icmpDgram), raw: Math.max(peakSockets.raw, s.raw) }
      await sleep(250)
    }
  })()
  const code = await waitExit(child, HARD_MS)
  if (writer !== undefined) closeSync(writer)
  sampling = false
  await sampler
  const wallMs = performance.now() - t0
  const flows = readdirSync(dir).filter((f) => f.endsWith(".out")).map((f) => parsePing(readFileSync(join(dir, f), "utf8")))
  rmSync(join(tmpdir(), `gbench-ping-${process.pid}`), { recursive: true, force: true })
  const all = flows.flatMap((f) => f.rtts)
  const transmitted = flows.reduce((a, f) => a + (f.transmitted ?? COUNT), 0)
  const received = flows.reduce((a, f) => a + (f.received ?? f.rtts.length), 0)
  const perFlowAvgs = flows.filter((f) => f.rtts.length > 0).map((f) => f.rtts.reduce((a, b) => a + b, 0) / f.rtts.length)
  const firsts = flows.map((f) => f.first).filter((x) => x !== undefined)
  const socketType = peakSockets.icmpDgram > 0 && peakSockets.raw === 0
    ? "SOCK_DGRAM (ICMP datagram)"
    : peakSockets.raw > 0 && peakSockets.icmpDgram === 0
    ? "SOCK_RAW"
    : `mixed/unknown (icmp ${peakSockets.icmpDgram}, raw ${peakSockets.raw})`
  return {
    target: label,
    flows: n,
    exitCode: code,
    forkMs: round(forkMs, 0),
    wallMs: round(wallMs, 0),
    socketType,
    peakSockets,
    peakConcurrentFlows: peakConcurrency(flows),
    startSpreadMs: firsts.length ? round((Math.max(...firsts) - Math.min(...firsts)) * 1000, 0) : undefined,
    flowsWithoutSummary: flows.filter((f) => f.error !== undefined).length,
    sampleErrors: [...new Set(flows.filter((f) => f.error).map((f) => f.error))].slice(0, 3),
    transmitted,
    received,
    duplicates: flows.reduce((a, f) => a + f.dups, 0),
    lossPct: lossPct(transmitted, received),
    rttMs: summaryMs(all),
    perFlowAvgMs: summaryMs(perFlowAvgs),
    // (taken out before the result is written; pooled over rounds)
    rtts: all,
    flowAvgs: perFlowAvgs
  }
}

const lossPct = (transmitted, received) => round(transmitted > 0 ? (100 * (transmitted - received)) / transmitted : NaN, 3)

const summaryMs = (values) => Object.fromEntries(Object.entries(summarize(values)).map(([k, v]) => [k, round(v, 4)]))

/** One target's runs of one configuration (one per round) as one run: RTTs pooled, counts summed, each round's figures beside. */
const pool = (runs) => {
  const [first] = runs
  const sum = (f) => runs.reduce((a, r) => a + (f(r) ?? 0), 0)
  const transmitted = sum((r) => r.transmitted)
  const received = sum((r) => r.received)
  const pooled = {
    ...first,
    transmitted,
    received,
    duplicates: sum((r) => r.duplicates),
    flowsWithoutSummary: sum((r) => r.flowsWithoutSummary),
    lossPct: lossPct(transmitted, received),
    rttMs: summaryMs(runs.flatMap((r) => r.rtts)),
    perFlowAvgMs: summaryMs(runs.flatMap((r) => r.flowAvgs)),
    machineBusyBefore: runs.some((r) => r.machineBusyBefore !== undefined) ? Math.max(...runs.map((r) => r.machineBusyBefore ?? 0)) : undefined,
    machineBusyDuring: Math.max(...runs.map((r) => r.machineBusyDuring)),
    ...(first.stackMainThread !== undefined
      ? {
        stackMainThread: (() => {
          const runS = sum((r) => r.stackMainThread.runS)
          const waitS = sum((r) => r.stackMainThread.waitS)
          const slices = sum((r) => r.stackMainThread.slices)
          return { runS: round(runS, 3), waitS: round(waitS, 3), slices, waitPerSliceUs: round((waitS / Math.max(1, slices)) * 1e6, 1) }
        })()
      }
      : {}),
    ...(first.tap !== undefined ? { tap: { txPackets: sum((r) => r.tap.txPackets), txDropped: sum((r) => r.tap.txDropped) } } : {}),
    ...(first.stackCpuPerEchoUs !== undefined ? { stackCpuPerEchoUs: round(sum((r) => r.stackCpuPerEchoUs) / runs.length, 1) } : {}),
    ...(first.otherThreadsMs !== undefined ? { otherThreadsMs: round(sum((r) => r.otherThreadsMs), 1) } : {}),
    idleResponderMs: round(sum((r) => r.idleResponderMs), 1)
  }
  if (runs.length > 1) {
    pooled.rounds = runs.map((r) => ({ round: r.round, rttMs: { mean: r.rttMs.mean, p50: r.rttMs.p50, p99: r.rttMs.p99 }, lossPct: r.lossPct, machineBusyBefore: r.machineBusyBefore, machineBusyDuring: r.machineBusyDuring, stackCpuPerEchoUs: r.stackCpuPerEchoUs, otherThreadsMs: r.otherThreadsMs, idleResponderMs: r.idleResponderMs }))
  }
  delete pooled.rtts
  delete pooled.flowAvgs
  delete pooled.round
  return pooled
}

const main = async () => {
  const result = {
    bench: "ping",
    startedAt: new Date().toISOString(),
    machine: machine(),
    tree: treeInfo(),
    params: { flows: FLOWS, targets: TARGETS, count: COUNT, interval: INTERVAL, deadline: DEADLINE, socket: SOCKET, payload: 56, quietWaitS: QUIET_WAIT, rounds: ROUNDS, stackNice: STACK_NICE, realtime: REALTIME, stackCpu: STACK_CPU, pingCpu: PING_CPU, warmup: WARMUP, memoryReducer: MEMORY_REDUCER, stackNodeArgs: NODE_ARGS, jsFloorNodeArgs: NODE_ARGS },
    pingVersion: execFileSync("ping", ["-V"], { encoding: "utf8" }).split("\n")[0],
    runs: []
  }
  let stack
  let stackNs
  let vethA
  if (TARGETS.includes("stack")) {
    stackNs = makeNs("ps")
    inNs(stackNs, ["sysctl", "-q", "-w", `net.ipv4.ping_group_range=${PING_RANGE}`])
    stack = await startStack(stackNs, { maxSeconds: RESPONDER_SECONDS, nice: STACK_NICE, realtime: REALTIME, cpu: STACK_CPU, nodeArgs: NODE_ARGS })
    // Warm-up (JIT, ARP both ways); not measured. `ping -f` is bounded by -c and -w.
    inNs(stackNs, ["ping", "-n", "-q", "-c", String(WARMUP), ...(WARMUP > 200 ? ["-f"] : ["-i", "0.005"]), "-w", "30", "198.18.0.2"], { allowFail: true, timeoutMs: 40_000 })
  }
  // the floors, each on its own TAP in its own namespace, bounded like the stack server
  const floors = {}
  for (const kind of FLOORS) {
    if (TARGETS.includes(kind)) floors[kind] = await startFloor(kind, RESPONDER_SECONDS)
  }
  if (TARGETS.includes("veth")) {
    vethA = makeNs("va")
    const vethB = makeNs("vb")
    inNs(vethA, [IP, "link", "add", "gbva", "type", "veth", "peer", "name", "gbvb", "netns", vethB])
    inNs(vethA, [IP, "addr", "add", assertBenchAddress("198.18.1.1/24"), "dev", "gbva"])
    inNs(vethB, [IP, "addr", "add", assertBenchAddress("198.18.1.2/24"), "dev", "gbvb"])
    inNs(vethA, [IP, "link", "set", "gbva", "up"])
    inNs(vethB, [IP, "link", "set", "gbvb", "up"])
    inNs(vethA, ["sysctl", "-q", "-w", `net.ipv4.ping_group_range=${PING_RANGE}`])
    inNs(vethA, ["ping", "-n", "-q", "-c", "200", "-i", "0.005", "-w", "10", "198.18.1.2"], { allowFail: true, timeoutMs: 20_000 })
  }
  // every Node responder, to see what the ones not measured do in a round
  const nodeResponders = [...(stack !== undefined ? [["stack", stack.pid]] : []), ...(floors["js-floor"] !== undefined ? [["js-floor", floors["js-floor"].pid]] : [])]
  for (const n of FLOWS) {
    const byTarget = new Map(TARGETS.map((t) => [t, []]))
    for (let round_ = 0; round_ < ROUNDS; round_++) for (const target of TARGETS.map((_, i) => TARGETS[(i + round_) % TARGETS.length])) {
      process.stdout.write(`ping: ${n} flow(s) -> ${target}${ROUNDS > 1 ? ` (round ${round_ + 1}/${ROUNDS})` : ""} ... `)
      const quiet = QUIET_WAIT > 0 ? await waitQuiet(QUIET_WAIT * 1000) : undefined
      const cpu0 = cpuStat()
      // the program on the TAP (the stack or a floor); undefined for veth
      const side = target === "stack" ? { ns: stackNs, pid: stack.pid } : floors[target]
      const before = target === "stack" ? (await stack.snapshot()).stats : undefined
      const schedBefore = side !== undefined ? schedstat(side.pid) : undefined
      const allBefore = side !== undefined ? schedstatAll(side.pid) : undefined
      const idleBefore = nodeResponders.filter(([name]) => name !== target).map(([, pid]) => schedstatAll(pid).runS)
      const tapBefore = side !== undefined ? tapTx(side.ns) : undefined
      const r = side !== undefined
        ? await runFlows(side.ns, "198.18.0.2", n, target)
        : await runFlows(vethA, "198.18.1.2", n, "veth")
      // the CPU of the Node responders not measured in this round (all threads)
      r.idleResponderMs = round(nodeResponders.filter(([name]) => name !== target).reduce((a, [, pid], i) => a + schedstatAll(pid).runS - idleBefore[i], 0) * 1000, 1)
      r.machineBusyBefore = quiet?.busy
      r.machineBusyDuring = busyBetween(cpu0, cpuStat())
      if (side !== undefined) {
        // CPU contention seen by the responder's main thread during the flows (for a floor: the floor program's)
        const schedAfter = schedstat(side.pid)
        r.stackMainThread = schedDelta(schedBefore, schedAfter)
        // the responder's other threads (V8's helpers: parallel and concurrent GC, compilers)
        r.otherThreadsMs = round((schedstatAll(side.pid).runS - allBefore.runS - (schedAfter.runS - schedBefore.runS)) * 1000, 1)
        // the same measure for every responder: main-thread run time, unrounded, per echo request ping sent
        r.stackCpuPerEchoUs = round(((schedAfter.runS - schedBefore.runS) / Math.max(1, r.transmitted)) * 1e6, 1)
        const tapAfter = tapTx(side.ns)
        // kernel -> responder direction of the TAP: frames the kernel queued, and dropped because nobody read them in time
        r.tap = { txPackets: tapAfter.packets - tapBefore.packets, txDropped: tapAfter.dropped - tapBefore.dropped }
      }
      if (target === "stack") {
        const after = (await stack.snapshot()).stats
        r.stackDelta = {
          linkRxFrames: after.link.rxFrames - before.link.rxFrames,
          linkRxDropped: after.link.rxDropped - before.link.rxDropped,
          linkTxDropped: after.link.txDropped - before.link.txDropped,
          ethernetQueueDropped: after.ethernet.queueDropped - before.ethernet.queueDropped,
          ipv4QueueDropped: after.ipv4.queueDropped - before.ipv4.queueDropped,
          echoRequests: after.icmp.echoRequests - before.icmp.echoRequests
        }
      }
      r.round = round_
      byTarget.get(target).push(r)
      console.log(`mean ${r.rttMs.mean} ms, loss ${r.lossPct} %`)
    }
    for (const target of TARGETS) result.runs.push(pool(byTarget.get(target)))
    // The stack against the plain-JS floor round by round: the two ran in the same round, seconds
    // apart, in the same stretch of the machine (whose memory has stretches of two speeds,
    // per vCPU: notes/bench-investigations.md, thirty-third pass), so each round's ratio is
    // paired; the median over the rounds moves least with the stretches.
    const stackRounds = byTarget.get("stack")
    const floorRounds = byTarget.get("js-floor")
    if (stackRounds !== undefined && floorRounds !== undefined && ROUNDS > 1) {
      const ratios = (f) => summarize(stackRounds.flatMap((sr) => floorRounds.filter((fr) => fr.round === sr.round).map((fr) => f(sr) / f(fr))).filter(Number.isFinite))
      const mean = ratios((r) => r.rttMs.mean)
      const p50 = ratios((r) => r.rttMs.p50)
      const run = result.runs.find((r) => r.target === "stack" && r.flows === n)
      if (run !== undefined && mean.n > 0) run.pairedRatioToJsFloor = { rounds: mean.n, mean: { min: round(mean.min, 3), p50: round(mean.p50, 3), max: round(mean.max, 3) }, p50: { min: round(p50.min, 3), p50: round(p50.p50, 3), max: round(p50.max, 3) } }
    }
  }
  if (stack) result.stackFinal = (await stack.stop())?.stats
  for (const f of Object.values(floors)) await f.stop()
  result.finishedAt = new Date().toISOString()
  const file = writeResult("ping", result)

  // Human summary.
  console.log(`\n${treeText(result.tree)}`)
  console.log(`ping RTT (ms), ${COUNT} pings/flow at ${INTERVAL}s, socket ${SOCKET}${REALTIME > 0 ? `, stack threads SCHED_FIFO ${REALTIME}` : ""}${STACK_NICE !== 0 ? `, stack nice ${STACK_NICE}` : ""}${STACK_CPU !== undefined ? `, stack on CPU ${STACK_CPU}` : ""}${PING_CPU !== undefined ? `, pings on CPU ${PING_CPU}` : ""}; load ${result.machine.loadavg.join(" ")}`)
  const hdr = ["target", "flows", "socket", "conc.", "mean", "p50", "p99", "max", "flow-avg p50", "flow-avg p99", "loss %", "tap tx_dropped", "stack runq-wait/wake µs", "stack CPU/echo µs", "other threads ms", "idle responder ms", "CPU busy before/during"]
  const rows = result.runs.map((r) => [
    r.target, r.flows, r.socketType.startsWith("SOCK_DGRAM") ? "dgram" : r.socketType, r.peakConcurrentFlows,
    r.rttMs.mean, r.rttMs.p50, r.rttMs.p99, r.rttMs.max, r.perFlowAvgMs.p50, r.perFlowAvgMs.p99, r.lossPct, r.tap?.txDropped ?? "-",
    r.stackMainThread?.waitPerSliceUs ?? "-", r.stackCpuPerEchoUs ?? "-", r.otherThreadsMs ?? "-", r.idleResponderMs, `${r.machineBusyBefore ?? "-"}/${r.machineBusyDuring}`
  ])
  printTable(hdr, rows)
  for (const n of FLOWS) {
    const s = result.runs.find((r) => r.target === "stack" && r.flows === n)
    const v = result.runs.find((r) => r.target === "veth" && r.flows === n)
    if (s && v) console.log(`${n} flow(s): stack/veth mean ratio ${round(s.rttMs.mean / v.rttMs.mean, 1)}x`)
    if (s?.pairedRatioToJsFloor) console.log(`${n} flow(s): stack / js-floor, the median of the rounds' paired ratios: mean ${s.pairedRatioToJsFloor.mean.p50}x, p50 ${s.pairedRatioToJsFloor.p50.p50}x (${s.pairedRatioToJsFloor.rounds} rounds)`)
    if (s) {
      const target = n === 1 ? 0.15 : n >= 1000 ? 0.7 : undefined
      if (target !== undefined) {
        console.log(`${n} flow(s): target mean <= ${target} ms, no loss: ${s.rttMs.mean <= target && s.lossPct === 0 ? "MET" : "MISSED"}`)
      }
    }
  }
  console.log(`\nresult: ${file}`)
}

runMain(main)
