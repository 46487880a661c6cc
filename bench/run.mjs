#!/usr/bin/env node
// `npm run bench`: the whole suite in one command (issue 8 §4). Runs the
// existing bench scripts one after the other as child processes, turns each
// script's result file into rows { experiment, system, n, metric, value, unit },
// writes bench/results/latest.json (a header + the rows), redraws the paper's
// Fig. 3 (ping RTT vs flows) and Fig. 4 (N clients x 4 KB) as SVG, and prints
// a table.
//
//   sudo node bench/run.mjs [--quick] [--quiet-wait S] [--only ping,tcp4k,bulk,rr,flood,conns]
//        [--keep-files] [--tree DIR] [--profile]
//
// --quick: smaller sizes and no quiet waits (under 3 minutes; the full run
// under 15). --quiet-wait S: passed to every step (each script then waits up
// to S s before each measurement for the shared machine's CPUs to be <= 20 %
// busy); default 10, 0 with --quick. --only: a subset of the experiments.
// --keep-files: keep each step's own result file and its log (by default the
// files this run caused are deleted at the end: latest.json is the one kept).
// --tree DIR: passed to every step (measure the stack built in another checkout).
// --dry-run: print the steps and their commands, run nothing.
// --profile: a V8 CPU profile of the stack during each of its bulk transfers (bulk.mjs
// --profile), written to bench/results/profile/ (emptied first; not in git), summarized in
// latest.json's header (`profile`: time by category and the top functions per transfer) and
// printed after the tables. The bulk figures of such a run are taken under the profiler
// (sampling every 250 µs), and the header says so.
//
// Rows are only what was measured: experiments (or parts of them) that cannot
// run yet are absent, and the header's `skipped` says which and why. A step
// that fails is recorded in the header's `failed` (with the tail of its log)
// and the run goes on with the next one.
//
// Safety: this driver itself makes no namespace and sends no packet; every
// load is made by the scripts, under their own rules (bench/README.md,
// "Network safety"). It signals only the step it started, by PID: on a step's
// time bound (SIGTERM, which makes the script clean up; SIGKILL 30 s later)
// and when it is itself interrupted (the signal is passed on).
import { opt, flag } from "./args.mjs"
import { spawn } from "node:child_process"
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from "node:fs"
import { tmpdir } from "node:os"
import { basename, join } from "node:path"
import { BENCH_DIR, busyBetween, cpuStat, machine, printTable, ROOT, round, sleep, tempDir, TREE, treeInfo } from "./lib.mjs"

const QUICK = flag("quick")
const KEEP = flag("keep-files")
const QUIET_WAIT = Number(opt("quiet-wait", QUICK ? "0" : "10"))
if (!(Number.isInteger(QUIET_WAIT) && QUIET_WAIT >= 0 && QUIET_WAIT <= 600)) throw new Error("--quiet-wait 0..600")
const EXPERIMENTS = ["ping", "tcp4k", "bulk", "rr", "flood", "conns"]
const ONLY = opt("only", EXPERIMENTS.join(",")).split(",")
if (ONLY.some((e) => !EXPERIMENTS.includes(e))) throw new Error(`--only: any of ${EXPERIMENTS.join(",")}`)
const TREE_ARGS = opt("tree", undefined) !== undefined ? ["--tree", TREE] : []
const RESULTS = join(BENCH_DIR, "results")
// where latest.json and the SVGs go (default bench/results; another directory for trying the rendering out)
const OUT = opt("out", RESULTS)
// The time this class of machine is allowed (issue 8 §4); printed against the measured time.
const BUDGET_S = QUICK ? 180 : 900
// A step that runs longer than this is stopped (a safety net; the scripts bound their own loads).
const STEP_LIMIT_S = QUICK ? 300 : 1200
const REALTIME = 10
const PROFILE = flag("profile")
const PROFILE_DIR = join(RESULTS, "profile")

// The paper's GoNet figures (DESIGN.md §7): other hardware and a Go stack, for scale only.
const PAPER = {
  pingMeanMs: { 1: 0.234, 1000: 0.717 },
  tcp4kMbitPerSec: { 1: 7.3, 100: 284.9 }
}

const SKIPPED = []

// ---------------------------------------------------------------------------
// the steps

const qw = ["--quiet-wait", String(QUIET_WAIT)]
const quickArg = QUICK ? ["--quick"] : []

/**
 * Fig. 3 flows: gonet (default scheduling) and the kernel over veth; gonet at
 * SCHED_FIFO; the floors at N = 1. The full run makes a step per N (a fresh,
 * warmed stack for each); --quick runs all N of a configuration in one step,
 * which saves a stack start and warm-up per N (about 5 s each).
 */
const PING_FLOWS = [1, 10, 100, 1000]
// pings per flow (at 0.2 s): 20 as in the paper; 10 with --quick (each configuration then takes
// 2 s less, and a lossy one 2 s less again: its -w deadline is count x 0.2 + 5 s)
const PING_COUNT = QUICK ? 10 : 20
const pc = ["--count", String(PING_COUNT)]
const PING_RT_FLOWS = QUICK ? [1, 1000] : [1, 10, 100, 1000]
const pingGroups = (flows) => (QUICK ? [flows.join(",")] : flows)

const steps = []
if (ONLY.includes("ping")) {
  for (const n of pingGroups(PING_FLOWS)) {
    // at N = 1 the floors in the same step (the stack's 1-flow figure is quoted as a ratio to js-floor's),
    // in 5 rounds that rotate the targets: 100 RTTs each, pooled, instead of one 20-ping window each
    const floors = String(n) === "1"
    steps.push({
      experiment: "ping", n, systems: floors ? "gonet, kernel, js-floor, c-floor" : "gonet, kernel", script: "ping",
      args: ["--flows", String(n), "--targets", floors ? "stack,veth,js-floor,c-floor" : "stack,veth", ...(floors ? ["--rounds", "5"] : []), ...pc, ...qw]
    })
  }
  for (const n of pingGroups(PING_RT_FLOWS)) {
    steps.push({ experiment: "ping", n, systems: `gonet --realtime ${REALTIME}`, script: "ping", args: ["--flows", String(n), "--targets", "stack", "--realtime", String(REALTIME), ...pc, ...qw] })
  }
  // (--quick runs every N in one step: the floors there get a step of their own)
  if (QUICK) steps.push({ experiment: "ping", n: 1, systems: "js-floor, c-floor", script: "ping", args: ["--flows", "1", "--targets", "js-floor,c-floor", ...pc, ...qw] })
}
if (ONLY.includes("tcp4k")) {
  steps.push({ experiment: "tcp4k", n: "1,10,100", systems: "gonet, node-net", script: "tcp4k", args: ["--clients", "1,10,100", ...quickArg, ...qw] })
}
if (ONLY.includes("bulk")) {
  // 1 and 8 concurrent connections (each MB/N), interleaved in one step
  const profileArgs = PROFILE ? ["--profile", PROFILE_DIR] : []
  steps.push({ experiment: "bulk", n: "1,8", systems: "gonet, kernel (offloads off, on)", script: "bulk", args: ["--conns", "1,8", ...quickArg, ...qw, ...profileArgs] })
}
if (ONLY.includes("rr")) {
  // the stack, the kernel over veth and the plain-JS floor (floor/tcpecho.cjs), rounds interleaved in one step
  steps.push({ experiment: "rr", n: 1, systems: "gonet, kernel, js-floor", script: "rr", args: ["--targets", "stack,veth,js-floor", ...quickArg, ...qw] })
}
if (ONLY.includes("flood")) {
  // receive side, 64-octet frames: unpaced and 300 k/s, to the open and the closed port (quick: unpaced, open port, 3 s)
  const floodArgs = QUICK ? ["--modes", "open", "--rates", "0", "--seconds", "3"] : ["--modes", "open,closed", "--rates", "0,300000"]
  steps.push({ experiment: "flood", n: 1, systems: "gonet, kernel", script: "flood", args: [...floodArgs, ...qw] })
}
// connection scale (issue 8 §2): N kernel connections to the stack's echo, a 1-octet trickle on each
// for 10 s (quick: 3 s), all closed; a warm-up cycle of N first (conns.mjs)
const CONNS_N = QUICK ? 2000 : 10000
if (ONLY.includes("conns")) {
  steps.push({ experiment: "conns", n: CONNS_N, systems: "gonet", script: "conns", args: ["--n", String(CONNS_N), ...quickArg, ...qw] })
}

// ---------------------------------------------------------------------------
// result files -> rows
//
// A row is { experiment, system, n, metric, value, unit }. Where one system is
// measured in more than one configuration, the configuration is part of the
// metric, in brackets: "mean [realtime 10]", "to-stack [offloads off]",
// "received [open port, unpaced]". Values are medians over a script's rounds
// where it has rounds (tcp4k also gives its min and max as rows, for Fig. 4's
// bars); the other ranges stay in the header's step details.

const SYSTEM = { stack: "gonet", veth: "kernel", "js-floor": "js-floor", "c-floor": "c-floor", "gonet-ts": "gonet", "node-net": "node-net", "kernel veth": "kernel" }

const row = (experiment, system, n, metric, value, unit) =>
  typeof value === "number" && Number.isFinite(value) ? [{ experiment, system, n, metric, value, unit }] : []

const tag = (metric, variant) => (variant ? `${metric} [${variant}]` : metric)

const convert = {
  ping: (r) => {
    const rt = r.params.realtime > 0 ? `realtime ${r.params.realtime}` : undefined
    const rows = []
    const details = []
    for (const x of r.runs) {
      const system = SYSTEM[x.target] ?? x.target
      // --realtime applies to the stack only
      const v = system === "gonet" ? rt : undefined
      rows.push(
        ...row("ping", system, x.flows, tag("mean", v), x.rttMs.mean, "ms"),
        ...row("ping", system, x.flows, tag("p50", v), x.rttMs.p50, "ms"),
        ...row("ping", system, x.flows, tag("p99", v), x.rttMs.p99, "ms"),
        ...row("ping", system, x.flows, tag("loss", v), x.lossPct, "%"),
        // gonet only (ping.mjs with --rounds and js-floor among the targets): the median over the
        // rounds of the stack's mean over the floor's in the same round
        ...row("ping", system, x.flows, tag("mean ratio to js-floor, paired by round", v), x.pairedRatioToJsFloor?.mean?.p50, "×")
      )
      details.push({
        system, n: x.flows, variant: v, socket: x.socketType, peakConcurrentFlows: x.peakConcurrentFlows, transmitted: x.transmitted,
        received: x.received, maxMs: x.rttMs.max, tapTxDropped: x.tap?.txDropped, cpuPerEchoUs: x.stackCpuPerEchoUs,
        machineBusyBefore: x.machineBusyBefore, machineBusyDuring: x.machineBusyDuring
      })
    }
    return { rows, details }
  },
  tcp4k: (r) => {
    const rows = []
    for (const s of r.summary) {
      const system = SYSTEM[s.system] ?? s.system
      rows.push(
        ...row("tcp4k", system, s.n, "throughput", s.mbitPerSec.p50, "Mbit/s"),
        ...row("tcp4k", system, s.n, "throughput min", s.mbitPerSec.min, "Mbit/s"),
        ...row("tcp4k", system, s.n, "throughput max", s.mbitPerSec.max, "Mbit/s"),
        ...row("tcp4k", system, s.n, "throughput p10", s.mbitPerSec.p10, "Mbit/s"),
        ...row("tcp4k", system, s.n, "throughput p90", s.mbitPerSec.p90, "Mbit/s"),
        // the median of each round's first recorded measurement: the figure before --record-ms (2026-12-03)
        ...row("tcp4k", system, s.n, "throughput, rounds' first", s.first?.p50, "Mbit/s"),
        // the same median over the cells where the machine's memory was at or below the run's median
        // latency, and above it (tcp4k.mjs: a pointer chase after each cell; both systems alike)
        ...row("tcp4k", system, s.n, "throughput [memory fast half]", s.byMemory?.fastHalf?.p50, "Mbit/s"),
        ...row("tcp4k", system, s.n, "throughput [memory slow half]", s.byMemory?.slowHalf?.p50, "Mbit/s"),
        // gonet only: the median over the rounds of gonet's cell median over node-net's in the same round
        ...row("tcp4k", system, s.n, "throughput ratio to node-net, paired by round", s.pairedRatioToNodeNet?.p50, "×"),
        ...row("tcp4k", system, s.n, "stalled", s.stalled, "runs")
      )
    }
    return { rows, details: { rounds: r.params.rounds, warmupConnections: r.params.warmupConnections, memoryLatencyNs: r.memoryLatencyNs, summary: r.summary } }
  },
  bulk: (r) => {
    const rows = []
    for (const s of r.summary) {
      // the stack with its TAP's offloads ("gonet-ts") and with --no-offload; the kernel over veth with them off and on
      const [system, offloads] = s.system === "gonet-ts"
        ? ["gonet", "on"]
        : s.system === "gonet-ts no-offload"
        ? ["gonet", "off"]
        : ["kernel", /offloads (on|off)/.exec(s.system)?.[1]]
      const v = `offloads ${offloads}`
      // n = concurrent connections (files from before --conns: 1); the figure is the aggregate over them
      const n = s.conns ?? 1
      rows.push(...row("bulk", system, n, tag(s.direction, v), s.gbitPerSec.p50, "Gbit/s"))
      if (system === "gonet") rows.push(...row("bulk", system, n, tag(`${s.direction} stack CPU`, v), s.stackCpuPerSecondP50, "CPU-s/s"))
    }
    // (--profile: each profiled transfer's summary, the top ten functions of it)
    const profiles = (r.transfers ?? []).filter((t) => t.profile !== undefined).map((t) => ({
      system: t.system, direction: t.direction, conns: t.conns, gbitPerSec: t.gbitPerSec, file: basename(t.profile.file),
      busyMs: t.profile.busyMs, idleMs: t.profile.idleMs, categories: t.profile.categories, top: t.profile.top.slice(0, 10)
    }))
    return {
      rows,
      details: {
        mb: r.params.mb, conns: r.params.conns ?? [1], rounds: r.params.rounds, tapFeatures: r.tapFeatures, vethFeatures: r.vethFeatures, summary: r.summary,
        ...(profiles.length > 0 ? { profiles } : {})
      }
    }
  },
  rr: (r) => {
    const rows = []
    // systems "gonet-ts", "kernel veth", "js-floor" (rr.mjs --targets); stack CPU for gonet only
    for (const s of r.summary) {
      const system = SYSTEM[s.system] ?? s.system
      rows.push(
        ...row("rr", system, 1, "round trips/s", s.perSecond.p50, "1/s"),
        ...row("rr", system, 1, "mean latency", s.meanUs.p50, "µs"),
        ...row("rr", system, 1, "p99 latency", s.p99UsP50, "µs"),
        ...row("rr", system, 1, "stack CPU per round trip", s.stackCpuUsPerRoundTripP50, "µs")
      )
    }
    return { rows, details: { count: r.params.count, rounds: r.params.rounds, summary: r.summary } }
  },
  flood: (r) => {
    const rate = (pps) => (pps === 0 ? "unpaced" : `${pps}/s`)
    const rows = []
    const details = []
    for (const f of r.floods) {
      const v = `${f.mode} port, ${rate(f.targetPps)}`
      rows.push(
        ...row("flood", "gonet", 1, tag("offered", v), f.sentPerSec, "frames/s"),
        ...row("flood", "gonet", 1, tag("received", v), f.stack.receivedPerSec, "frames/s"),
        ...row("flood", "gonet", 1, tag("received per CPU-s", v), f.stack.receivedPerCpuSecond, "frames/CPU-s")
      )
      details.push({ system: "gonet", variant: v, lossPct: f.lossPct, tapTxDropped: f.tap.txDropped, machineBusyBefore: f.machineBusyBefore, machineBusyDuring: f.machineBusyDuring })
    }
    for (const b of r.baseline ?? []) {
      if (b.kind !== "receive") continue
      // the kernel baseline floods a closed port of the other namespace
      const v = `closed port, ${rate(b.targetPps)}`
      rows.push(
        ...row("flood", "kernel", 1, tag("offered", v), b.sentPerSec, "frames/s"),
        ...row("flood", "kernel", 1, tag("received", v), b.receivedPerSec, "frames/s")
      )
      details.push({ system: "kernel", variant: v, rxDropped: b.rxDropped, machineBusyBefore: b.machineBusyBefore })
    }
    return { rows, details: { frameOctets: r.params.frameOctets, seconds: r.params.seconds, packets: r.params.packets, runs: details } }
  },
  conns: (r) => {
    const f = r.figures
    const n = r.params.n
    const L = f.leftovers
    const rows = [
      ...row("conns", "gonet", n, "accept rate", f.acceptRate, "conn/s"),
      ...row("conns", "gonet", n, "heap per connection", f.perConnection.heapKiB, "KiB"),
      ...row("conns", "gonet", n, "heap per idle connection", f.perConnectionIdle.heapKiB, "KiB"),
      ...row("conns", "gonet", n, "RSS per connection", f.perConnection.rssKiB, "KiB"),
      ...row("conns", "gonet", n, "fibers per connection", f.perConnection.fibers, "fibers"),
      ...row("conns", "gonet", n, "fibers started per echo", f.fibersStartedPerEcho, "fibers"),
      ...row("conns", "gonet", n, "echoes missing", f.echoesMissing, "echoes"),
      ...row("conns", "gonet", n, "echo p99", f.echoLatencyUs.p99 / 1000, "ms"),
      ...row("conns", "gonet", n, "stack CPU per connection", f.stackCpuPerConnectionUs, "µs"),
      ...row("conns", "gonet", n, "stack CPU per echo", f.stackCpuPerEchoUs, "µs"),
      ...row("conns", "gonet", n, "left after close: connections", L.connections + L.halfOpen + L.timeWait, "connections"),
      ...row("conns", "gonet", n, "left after close: fibers", L.fibers, "fibers"),
      ...row("conns", "gonet", n, "left after close: heap", L.heapKiB, "KiB")
    ]
    return {
      rows,
      details: {
        trickleSeconds: r.params.trickleSeconds, inflight: r.params.inflight, warmup: r.params.warmup, service: r.params.service,
        connected: f.connected, failed: f.failed, connectSeconds: f.connectSeconds, echoes: [f.echoesSent, f.echoesReceived, f.echoesMissing],
        echoLatencyUs: f.echoLatencyUs, closeSeconds: f.closeSeconds, perConnection: f.perConnection, perConnectionIdle: f.perConnectionIdle,
        leftovers: L, leftoversVsCold: f.leftoversVsCold, drops: f.drops, stackCpu: r.run?.stackCpu, machineBusy: r.run?.machineBusy
      }
    }
  }
}

// ---------------------------------------------------------------------------
// running a step

let current // the step's child process while it runs
// lib.mjs's own handlers exit on these signals; ours run first and pass the
// signal on to the running step (our child, by PID), which cleans up after itself.
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.prependListener(sig, () => {
    if (current !== undefined && current.exitCode === null && current.signalCode === null) {
      try {
        process.kill(current.pid, sig)
      } catch {
        // already gone
      }
    }
  })
}

// the steps' logs (their stdout and stderr); removed at the end (also on a signal, by lib.mjs's cleanup) unless --keep-files
let logDir

/** Run one step to its end; resolves with { code, log, file, elapsedS }. Output goes to a log file, not the terminal. */
const runStep = (step, i) =>
  new Promise((resolve) => {
    const log = join(logDir, `${String(i + 1).padStart(2, "0")}-${step.script}.log`)
    const fd = openSync(log, "w")
    const argv = [join(BENCH_DIR, `${step.script}.mjs`), ...step.args, ...TREE_ARGS]
    const t0 = Date.now()
    const child = spawn(process.execPath, argv, { cwd: ROOT, stdio: ["ignore", fd, fd] })
    closeSync(fd)
    current = child
    let killer
    const limit = setTimeout(() => {
      // SIGTERM first: the script's cleanup deletes its namespaces; SIGKILL only if it does not exit
      try {
        process.kill(child.pid, "SIGTERM")
      } catch {
        // gone
      }
      killer = setTimeout(() => {
        try {
          process.kill(child.pid, "SIGKILL")
        } catch {
          // gone
        }
      }, 30_000)
    }, STEP_LIMIT_S * 1000)
    child.on("exit", (code, signal) => {
      clearTimeout(limit)
      clearTimeout(killer)
      current = undefined
      const text = readFileSync(log, "utf8")
      // the scripts print `result: FILE` last; only a file written since the step began counts
      const printed = [...text.matchAll(/^result: (.+\.json)\s*$/gm)].pop()?.[1]
      const file = printed !== undefined && existsSync(printed) && statSync(printed).mtimeMs >= t0 - 1000 ? printed : undefined
      resolve({ code: code ?? 128, signal, log, file, text, elapsedS: (Date.now() - t0) / 1000, timedOut: Date.now() - t0 >= STEP_LIMIT_S * 1000 })
    })
  })

// ---------------------------------------------------------------------------
// the table

const fmt = (v) => {
  if (typeof v !== "number") return "-"
  // four significant digits (a run on this VM does not give more), whole numbers from 1000 up
  return Math.abs(v) >= 1000 ? String(Math.round(v)) : String(Number(v.toPrecision(4)))
}

/** "mean [realtime 10]" -> ["mean", "realtime 10"] */
const splitMetric = (m) => {
  const x = /^(.*) \[(.*)\]$/.exec(m)
  return x ? [x[1], x[2]] : [m, undefined]
}

/** One table per experiment: a line per (system, configuration, N), a column per metric. */
const printTables = (rows) => {
  for (const experiment of EXPERIMENTS) {
    const rs = rows.filter((r) => r.experiment === experiment)
    if (rs.length === 0) continue
    const cols = []
    const lines = new Map()
    for (const r of rs) {
      const [metric, variant] = splitMetric(r.metric)
      const col = `${metric} (${r.unit})`
      if (!cols.includes(col)) cols.push(col)
      const key = `${r.system}\u0000${variant ?? ""}\u0000${r.n}`
      if (!lines.has(key)) lines.set(key, { system: variant ? `${r.system} [${variant}]` : r.system, n: r.n, values: {} })
      lines.get(key).values[col] = r.value
    }
    const body = [...lines.values()]
    // ping: by N, then gonet, gonet [realtime], kernel, the floors (the order of Fig. 3's legend)
    const order = (l) => ["gonet", "gonet [", "kernel", "js-floor", "c-floor"].findIndex((p) => l.system === p || (p.endsWith("[") && l.system.startsWith(p)))
    if (experiment === "ping") body.sort((a, b) => a.n - b.n || order(a) - order(b))
    // bulk: by system and configuration, N = 1 above N = 8
    if (experiment === "bulk") body.sort((a, b) => a.system.localeCompare(b.system) || a.n - b.n)
    console.log(`\n${experiment}`)
    printTable(["system", "n", ...cols], body.map((l) => [l.system, l.n, ...cols.map((c) => fmt(l.values[c]))]), { leftFirst: true })
  }
}

// ---------------------------------------------------------------------------
// the plots: plain SVG, built as strings (no dependency)

const esc = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;")
const num = (x) => Number(x.toFixed(2))

/** Ticks of a log axis: the powers of ten from lo to hi. */
const logTicks = (lo, hi) => {
  const out = []
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) out.push(10 ** e)
  return out
}

/** Ticks of a linear axis from 0: a 1-2-5 step giving about 6 ticks. */
const linearTicks = (hi) => {
  const raw = hi / 6
  const p = 10 ** Math.floor(Math.log10(raw))
  const step = [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw)
  // up to the first tick at or above hi, so the highest point is inside the plot
  const out = [0]
  while (out.at(-1) < hi) out.push(Number((out.at(-1) + step).toPrecision(12)))
  return out
}

const tickText = (v) => (v >= 1 ? String(v) : String(Number(v.toPrecision(3))))

/**
 * A chart: x and y axes (log or linear), one polyline per series with markers,
 * an optional vertical bar per point (lo..hi), an optional note per point, a
 * legend. series: [{ name, color, dash?, hollow?, line? (default true), points: [{ x, y, lo?, hi?, note? }] }]
 */
const chart = ({ title, subtitle, xLabel, yLabel, xLog, yLog, xDomain, yDomain, xTicks, yTicks, series, footnote }) => {
  const W = 760
  const H = 480
  const m = { left: 78, right: 210, top: 62, bottom: 70 }
  const pw = W - m.left - m.right
  const ph = H - m.top - m.bottom
  const scale = (log, [a, b], len) => (v) => (log ? (Math.log10(v) - Math.log10(a)) / (Math.log10(b) - Math.log10(a)) : (v - a) / (b - a)) * len
  const sx = scale(xLog, xDomain, pw)
  const sy = scale(yLog, yDomain, ph)
  const X = (v) => num(m.left + sx(v))
  const Y = (v) => num(m.top + ph - sy(v))
  const clampY = (v) => Math.min(Math.max(v, yDomain[0]), yDomain[1])
  const out = []
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="12">`)
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`)
  out.push(`<text x="${m.left}" y="24" font-size="16" font-weight="bold">${esc(title)}</text>`)
  if (subtitle) out.push(`<text x="${m.left}" y="44" font-size="11" fill="#555">${esc(subtitle)}</text>`)
  // grid and ticks
  for (const t of yTicks) {
    out.push(`<line x1="${m.left}" x2="${m.left + pw}" y1="${Y(t)}" y2="${Y(t)}" stroke="#e3e3e3"/>`)
    out.push(`<text x="${m.left - 8}" y="${Y(t) + 4}" text-anchor="end">${esc(tickText(t))}</text>`)
  }
  for (const t of xTicks) {
    out.push(`<line x1="${X(t)}" x2="${X(t)}" y1="${m.top}" y2="${m.top + ph}" stroke="#e3e3e3"/>`)
    out.push(`<text x="${X(t)}" y="${m.top + ph + 18}" text-anchor="middle">${esc(tickText(t))}</text>`)
  }
  out.push(`<rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`)
  out.push(`<text x="${m.left + pw / 2}" y="${H - 28}" text-anchor="middle" font-size="13">${esc(xLabel)}</text>`)
  out.push(`<text transform="translate(20 ${m.top + ph / 2}) rotate(-90)" text-anchor="middle" font-size="13">${esc(yLabel)}</text>`)
  if (footnote) out.push(`<text x="${m.left}" y="${H - 8}" font-size="10" fill="#555">${esc(footnote)}</text>`)
  // series
  series.forEach((s, k) => {
    const pts = s.points.filter((p) => Number.isFinite(p.y)).sort((a, b) => a.x - b.x)
    // a small sideways shift per series, so bars at the same x do not hide each other
    const shift = (k - (series.length - 1) / 2) * 3
    const px = (p) => num(X(p.x) + shift)
    if (s.line !== false && pts.length > 1) {
      out.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2"${s.dash ? ` stroke-dasharray="${s.dash}"` : ""} points="${pts.map((p) => `${px(p)},${Y(clampY(p.y))}`).join(" ")}"/>`)
    }
    for (const p of pts) {
      if (Number.isFinite(p.lo) && Number.isFinite(p.hi)) {
        out.push(`<line x1="${px(p)}" x2="${px(p)}" y1="${Y(clampY(p.lo))}" y2="${Y(clampY(p.hi))}" stroke="${s.color}" stroke-width="1.2" opacity="0.7"/>`)
        for (const v of [p.lo, p.hi]) out.push(`<line x1="${px(p) - 4}" x2="${px(p) + 4}" y1="${Y(clampY(v))}" y2="${Y(clampY(v))}" stroke="${s.color}" opacity="0.7"/>`)
      }
      // the marker, with its values as a tooltip
      out.push(`<g><title>${esc(`${s.name}: ${p.x}, ${p.y}${Number.isFinite(p.lo) ? ` (${p.lo}..${p.hi})` : ""}`)}</title>` + (s.hollow
        ? `<rect x="${px(p) - 5}" y="${Y(clampY(p.y)) - 5}" width="10" height="10" transform="rotate(45 ${px(p)} ${Y(clampY(p.y))})" fill="white" stroke="${s.color}" stroke-width="2"/>`
        : `<circle cx="${px(p)}" cy="${Y(clampY(p.y))}" r="4" fill="${s.color}"/>`) + "</g>")
      if (p.note) out.push(`<text x="${px(p) + 7}" y="${Y(clampY(p.y)) - 7}" font-size="10" fill="${s.color}">${esc(p.note)}</text>`)
    }
  })
  // legend, right of the plot
  const lx = m.left + pw + 16
  series.forEach((s, k) => {
    const ly = m.top + 10 + k * 22
    // a line in the legend only for a series drawn as one (not for a single point)
    if (s.line !== false && s.points.filter((p) => Number.isFinite(p.y)).length > 1) out.push(`<line x1="${lx}" x2="${lx + 26}" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="2"${s.dash ? ` stroke-dasharray="${s.dash}"` : ""}/>`)
    out.push(s.hollow
      ? `<rect x="${lx + 8}" y="${ly - 5}" width="10" height="10" transform="rotate(45 ${lx + 13} ${ly})" fill="white" stroke="${s.color}" stroke-width="2"/>`
      : `<circle cx="${lx + 13}" cy="${ly}" r="4" fill="${s.color}"/>`)
    out.push(`<text x="${lx + 34}" y="${ly + 4}">${esc(s.name)}</text>`)
  })
  out.push("</svg>")
  return out.join("\n") + "\n"
}

const COLORS = { gonet: "#1f77b4", "gonet-rt": "#17becf", kernel: "#2ca02c", "node-net": "#2ca02c", "js-floor": "#ff7f0e", "c-floor": "#9467bd", paper: "#d62728" }

/** Fig. 3: ping RTT (mean, with a p50..p99 bar) against the number of flows; log x, log y. */
const fig3 = (rows, header) => {
  const ping = rows.filter((r) => r.experiment === "ping")
  const get = (system, n, metric) => ping.find((r) => r.system === system && r.n === n && r.metric === metric)?.value
  const seriesOf = (system, variant, name, color, dash) => {
    const ns = [...new Set(ping.filter((r) => r.system === system && r.metric === tag("mean", variant)).map((r) => r.n))]
    return {
      name, color, dash,
      points: ns.map((n) => {
        const loss = get(system, n, tag("loss", variant))
        return { x: n, y: get(system, n, tag("mean", variant)), lo: get(system, n, tag("p50", variant)), hi: get(system, n, tag("p99", variant)), note: loss > 0 ? `${fmt(loss)} % loss` : undefined }
      })
    }
  }
  const series = [
    seriesOf("gonet", undefined, "gonet (default)", COLORS.gonet),
    seriesOf("gonet", `realtime ${REALTIME}`, `gonet --realtime ${REALTIME}`, COLORS["gonet-rt"], "6 3"),
    seriesOf("kernel", undefined, "Linux kernel (veth)", COLORS.kernel),
    seriesOf("js-floor", undefined, "js-floor (plain JS)", COLORS["js-floor"]),
    seriesOf("c-floor", undefined, "c-floor (C)", COLORS["c-floor"]),
    { name: "GoNet (paper)", color: COLORS.paper, hollow: true, line: false, points: Object.entries(PAPER.pingMeanMs).map(([n, y]) => ({ x: Number(n), y })) }
  ].filter((s) => s.points.some((p) => Number.isFinite(p.y)))
  const ys = series.flatMap((s) => s.points.flatMap((p) => [p.y, p.lo, p.hi])).filter((v) => Number.isFinite(v) && v > 0)
  const lo = 10 ** Math.floor(Math.log10(Math.min(...ys, 0.01)))
  const hi = 10 ** Math.ceil(Math.log10(Math.max(...ys, 1)))
  return chart({
    title: "Fig. 3: ping RTT against concurrent flows",
    subtitle: `${header.mode} run ${header.date.slice(0, 16)}Z, commit ${header.commit.slice(0, 7)}${header.tree.srcChanged.length > 0 ? " (src/ changed)" : ""}, ${header.cpuModel ?? ""}`,
    xLabel: `concurrent ping flows (${header.pingCount ?? 20} pings each at 0.2 s, ICMP datagram sockets)`,
    yLabel: "RTT, ms (log scale): mean, bar p50..p99",
    xLog: true, yLog: true, xDomain: [0.6, 1700], yDomain: [lo, hi], xTicks: [1, 10, 100, 1000], yTicks: logTicks(lo, hi),
    series,
    footnote: "GoNet (paper): other hardware, a Go stack; for scale only (DESIGN.md §7)."
  })
}

/** Fig. 4: Mbit/s (median, min..max bar) against N clients x 4 KB; log x, linear y. */
const fig4 = (rows, header) => {
  const t = rows.filter((r) => r.experiment === "tcp4k")
  const get = (system, n, metric) => t.find((r) => r.system === system && r.n === n && r.metric === metric)?.value
  const seriesOf = (system, name, color) => ({
    name, color,
    points: [...new Set(t.filter((r) => r.system === system).map((r) => r.n))].map((n) => {
      const stalled = get(system, n, "stalled")
      // (p10..p90 where the run has them: with many measurements per round, min and max are single outliers)
      const lo = get(system, n, "throughput p10") ?? get(system, n, "throughput min")
      const hi = get(system, n, "throughput p90") ?? get(system, n, "throughput max")
      return { x: n, y: get(system, n, "throughput"), lo, hi, note: stalled > 0 ? `${stalled} stalled` : undefined }
    })
  })
  const series = [
    seriesOf("gonet", "gonet (own loopback)", COLORS.gonet),
    seriesOf("node-net", "node-net (127.0.0.1)", COLORS["node-net"]),
    { name: "GoNet (paper)", color: COLORS.paper, hollow: true, line: false, points: Object.entries(PAPER.tcp4kMbitPerSec).map(([n, y]) => ({ x: Number(n), y })) }
  ].filter((s) => s.points.some((p) => Number.isFinite(p.y)))
  const hiData = Math.max(...series.flatMap((s) => s.points.flatMap((p) => [p.y, p.hi])).filter(Number.isFinite))
  const ticks = linearTicks(hiData * 1.05)
  return chart({
    title: "Fig. 4: N clients × 4 KB to one server over loopback",
    subtitle: `${header.mode} run ${header.date.slice(0, 16)}Z, commit ${header.commit.slice(0, 7)}${header.tree.srcChanged.length > 0 ? " (src/ changed)" : ""}, ${header.cpuModel ?? ""}`,
    xLabel: "concurrent clients N (each connects, writes 4096 octets, ends)",
    yLabel: t.some((r) => r.metric === "throughput p10") ? "Mbit/s: median of the recorded measurements, bar p10..p90" : "Mbit/s: median over rounds, bar min..max",
    xLog: true, yLog: false, xDomain: [0.6, 170], yDomain: [0, ticks.at(-1)], xTicks: [1, 10, 100], yTicks: ticks,
    series,
    footnote: "GoNet (paper): 7.3 at N = 1, 284.9 at N = 100; other hardware, a Go stack; for scale only (DESIGN.md §7)."
  })
}

// ---------------------------------------------------------------------------

const offloadsOf = (rows, stepsDone) => {
  const bulk = stepsDone.find((s) => s.experiment === "bulk" && s.details !== undefined)?.details
  return {
    gonet: "bulk: on (IFF_VNET_HDR, TSO4 and checksum offload both ways) and off (--no-offload) (metric [offloads on|off]); ping, rr, flood, tcp4k: on (the default)",
    kernel: "bulk: veth offloads off and on (metric [offloads off|on]); ping, rr, flood: veth defaults (on)",
    ...(bulk !== undefined ? { tapFeatures: bulk.tapFeatures, vethFeatures: bulk.vethFeatures } : {})
  }
}

/** The output of a run: latest.json (header + rows), the SVGs, the table. */
const render = (header, rows) => {
  mkdirSync(OUT, { recursive: true })
  writeFileSync(join(OUT, "latest.json"), JSON.stringify({ header, rows }, null, 2) + "\n")
  if (rows.some((r) => r.experiment === "ping")) writeFileSync(join(OUT, "fig3-ping.svg"), fig3(rows, header))
  if (rows.some((r) => r.experiment === "tcp4k")) writeFileSync(join(OUT, "fig4-tcp4k.svg"), fig4(rows, header))
  printTables(rows)
}

/**
 * --only a subset, with a latest.json in --out: only those experiments' rows and steps are
 * replaced; the rest of the file (its header, the other experiments' rows and steps) stays.
 * Each replaced step records the run it came from (`rerun`: date, mode, commit, tree, elapsed),
 * and the header's `reruns` lists these runs. Without --only (or without a latest.json): undefined,
 * the file is written whole.
 */
const mergeIntoLatest = (header, rows) => {
  const file = join(OUT, "latest.json")
  if (ONLY.length === EXPERIMENTS.length || !existsSync(file)) return undefined
  const old = JSON.parse(readFileSync(file, "utf8"))
  const mine = (x) => ONLY.includes(x.experiment)
  const rerun = { date: header.date, mode: header.mode, commit: header.commit, tree: header.tree, quietWaitS: header.quietWaitS, cpuBusyAtStart: header.cpuBusyAtStart, elapsedS: header.elapsedS }
  const h = { ...old.header }
  // the new steps where the replaced ones were (at the end if there were none)
  const oldSteps = old.header.steps ?? []
  const at = oldSteps.findIndex(mine)
  const kept = oldSteps.filter((x) => !mine(x))
  const pos = at < 0 ? kept.length : oldSteps.slice(0, at).filter((x) => !mine(x)).length
  h.steps = [...kept.slice(0, pos), ...header.steps.map((x) => ({ ...x, rerun })), ...kept.slice(pos)]
  h.skipped = [...(old.header.skipped ?? []).filter((x) => !mine(x)), ...header.skipped]
  h.failed = [...(old.header.failed ?? []).filter((x) => !mine(x)), ...header.failed]
  h.reruns = [...(old.header.reruns ?? []), { only: ONLY, ...rerun }]
  // (profiles are of this run's bulk: an older run's note goes when bulk is measured again)
  if (ONLY.includes("bulk")) delete h.profile
  if (header.profile !== undefined) h.profile = header.profile
  const merged = [...old.rows.filter((r) => !mine(r)), ...rows]
  h.offloads = offloadsOf(merged, h.steps)
  return { header: h, rows: merged }
}

/**
 * --profile: where the stack's CPU went in each profiled bulk transfer with offloads (the
 * configuration the figures are quoted for; the others are in latest.json), by category and
 * the top functions by self time.
 */
const printProfiles = (header) => {
  const profiles = header.steps.find((x) => x.experiment === "bulk")?.details?.profiles ?? []
  console.log(`\nprofiles (${profiles.length} in ${header.profile.dir}; open one in Chrome DevTools or \`node bench/diag/profile-summary.mjs FILE\`)`)
  const seen = new Set()
  for (const p of profiles) {
    const key = `${p.system} ${p.direction} ${p.conns}`
    if (p.system !== "gonet-ts" || seen.has(key)) continue
    seen.add(key)
    console.log(`\n${key} connection(s), ${p.file}: busy ${p.busyMs} ms, idle ${p.idleMs} ms`)
    console.log(`  ${p.categories.slice(0, 6).map((c) => `${c.category} ${c.pct} %`).join("; ")}`)
    for (const t of p.top) console.log(`  ${String(t.pct).padStart(5)} %  ${t.fn}`)
  }
}

/** A result file's rows and details (also for existing files: --convert FILE,...). */
const convertFile = (file, experiment = basename(file).replace(/-\d{4}-.*$/, "")) => convert[experiment](JSON.parse(readFileSync(file, "utf8")))

const main = async () => {
  const t0 = Date.now()
  logDir = mkdtempSync(join(tmpdir(), "gbench-run-"))
  if (!KEEP) tempDir(logDir)
  const cpu0 = cpuStat()
  await sleep(2000)
  const m = machine()
  const tree = treeInfo()
  const distStack = join(TREE, "dist", "Stack.js")
  const header = {
    suite: "gonet-ts bench (npm run bench)",
    date: new Date(t0).toISOString(),
    mode: QUICK ? "quick" : "full",
    commit: tree.commit,
    tree: { path: tree.path, subject: tree.subject, srcChanged: tree.srcChanged, distBuiltAt: existsSync(distStack) ? statSync(distStack).mtime.toISOString() : undefined },
    node: process.version,
    cpuModel: m.cpuModel,
    cpus: m.cpus,
    kernel: m.kernel,
    // how busy the shared machine was when the run began (2 s sample; the load average is no
    // measure here: 1000 pings inflate it for minutes)
    cpuBusyAtStart: busyBetween(cpu0, cpuStat()),
    offloads: undefined,
    scheduling: {
      gonet: `default (CFS, nice 0) unless the metric says [realtime ${REALTIME}]: the stack's threads at SCHED_FIFO ${REALTIME} (ping.mjs --realtime, as \`gonet up --realtime\`)`,
      others: "default (CFS, nice 0)"
    },
    pingSocket: "dgram (ICMP datagram sockets, ping run as an unprivileged uid)",
    pingCount: PING_COUNT,
    pingIntervalS: 0.2,
    quietWaitS: QUIET_WAIT,
    budgetS: BUDGET_S,
    elapsedS: undefined,
    reference: { paperGoNet: PAPER, note: "other hardware and a Go stack: for scale only (DESIGN.md §7)" },
    skipped: SKIPPED.filter((s) => ONLY.includes(s.experiment)),
    failed: [],
    steps: [],
    ...(PROFILE && ONLY.includes("bulk")
      ? { profile: { dir: PROFILE_DIR, note: "bulk's gonet figures in this run were measured under V8's CPU profiler (sampling every 250 µs)" } }
      : {})
  }
  if (header.profile !== undefined) {
    // the latest profiles only (the figures they belong to are latest.json's)
    rmSync(PROFILE_DIR, { recursive: true, force: true })
    mkdirSync(PROFILE_DIR, { recursive: true })
  }
  const rows = []
  const created = []
  console.log(`bench suite (${header.mode}): ${steps.length} steps; commit ${tree.commit.slice(0, 7)}${tree.srcChanged.length > 0 ? " (src/ changed)" : ""}; quiet-wait ${QUIET_WAIT} s; budget ${BUDGET_S / 60} min`)
  for (const s of header.skipped) console.log(`skipped: ${s.experiment}: ${s.why}`)
  for (const [i, step] of steps.entries()) {
    const label = `[${String(i + 1).padStart(2)}/${steps.length}] ${step.experiment.padEnd(5)} N=${String(step.n).padEnd(14)} ${step.systems.padEnd(32)}`
    process.stdout.write(label)
    const r = await runStep(step, i)
    if (r.file !== undefined) created.push(r.file)
    const record = { experiment: step.experiment, n: step.n, systems: step.systems, command: `node bench/${step.script}.mjs ${[...step.args, ...TREE_ARGS].join(" ")}`, elapsedS: round(r.elapsedS, 1), exitCode: r.code, resultFile: r.file !== undefined ? basename(r.file) : undefined }
    let why
    if (r.code !== 0 || r.file === undefined) {
      why = r.timedOut ? `stopped after ${STEP_LIMIT_S} s` : r.file === undefined ? `exit ${r.code}${r.signal ? ` (${r.signal})` : ""}, no result file` : `exit ${r.code}`
    }
    if (r.file !== undefined) {
      try {
        const { rows: got, details } = convertFile(r.file, step.experiment)
        rows.push(...got)
        record.rows = got.length
        record.details = details
      } catch (e) {
        why = `${why ? `${why}; ` : ""}cannot convert ${basename(r.file)}: ${e.message}`
      }
    }
    header.steps.push(record)
    console.log(`${r.elapsedS.toFixed(1).padStart(7)} s  ${why === undefined ? `ok, ${record.rows} rows` : `FAILED: ${why}`}`)
    if (why !== undefined) {
      const tail = r.text.trim().split("\n").slice(-15)
      header.failed.push({ experiment: step.experiment, n: step.n, systems: step.systems, why, logTail: tail })
      for (const l of tail) console.log(`    | ${l}`)
    }
  }
  header.offloads = offloadsOf(rows, header.steps)
  header.finishedAt = new Date().toISOString()
  header.elapsedS = round((Date.now() - t0) / 1000, 1)
  const merged = mergeIntoLatest(header, rows)
  if (merged !== undefined) console.log(`\n--only ${ONLY.join(",")}: merged into ${join(OUT, "latest.json")} (its other experiments' rows and steps kept, from the run of ${merged.header.date})`)
  render(merged?.header ?? header, merged?.rows ?? rows)
  console.log(`\nwrote ${join(OUT, "latest.json")} (${(merged?.rows ?? rows).length} rows${merged !== undefined ? `, ${rows.length} of them from this run` : ""})` +
    `${rows.some((r) => r.experiment === "ping") ? `, ${join(OUT, "fig3-ping.svg")}` : ""}${rows.some((r) => r.experiment === "tcp4k") ? `, ${join(OUT, "fig4-tcp4k.svg")}` : ""}`)
  if (header.profile !== undefined) printProfiles(header)
  for (const s of header.skipped) console.log(`skipped: ${s.experiment}: ${s.why}`)
  for (const f of header.failed) console.log(`FAILED: ${f.experiment} N=${f.n} (${f.systems}): ${f.why}`)
  console.log(`elapsed ${Math.floor(header.elapsedS / 60)} min ${Math.round(header.elapsedS % 60)} s (budget ${BUDGET_S / 60} min: ${header.elapsedS <= BUDGET_S ? "within" : "OVER"})`)
  if (KEEP) {
    console.log(`kept: step result files ${created.map((f) => basename(f)).join(", ")}; logs in ${logDir}`)
  } else {
    // README: keep the latest result per experiment; latest.json is that, the step files go
    for (const f of created) rmSync(f, { force: true })
    rmSync(logDir, { recursive: true, force: true })
  }
  if (header.failed.length > 0) process.exitCode = 1
}

// `node bench/run.mjs --convert FILE[,FILE...] [--render --out DIR]`: no run, no load: convert
// existing result files and print the rows' table (with --render, also write latest.json and
// the SVGs from them into --out).
const CONVERT = opt("convert", undefined)
if (CONVERT !== undefined) {
  const rows = CONVERT.split(",").flatMap((f) => convertFile(f).rows)
  const m = machine()
  const tree = treeInfo()
  const header = { suite: "gonet-ts bench (converted from existing files)", date: new Date().toISOString(), mode: "converted", commit: tree.commit, tree, node: process.version, cpuModel: m.cpuModel, sources: CONVERT.split(",").map((f) => basename(f)), skipped: SKIPPED, steps: [] }
  if (flag("render")) render(header, rows)
  else printTables(rows)
} else if (flag("dry-run")) {
  // --dry-run: the steps and their commands, nothing run
  for (const [i, step] of steps.entries()) console.log(`[${i + 1}/${steps.length}] ${step.experiment} N=${step.n} (${step.systems}): node bench/${step.script}.mjs ${[...step.args, ...TREE_ARGS].join(" ")}`)
  for (const s of SKIPPED) console.log(`skipped: ${s.experiment}: ${s.why}`)
} else {
  main().catch((e) => {
    console.error(e)
    process.exit(1)
  })
}
