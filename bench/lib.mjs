// Shared helpers for the bench scripts: namespaces with guaranteed cleanup,
// the stack process, statistics, result files. Plain Node ESM, no deps.
//
// Network safety (DESIGN.md §6): every address goes through assertBenchAddress
// (198.18.0.0/15 only); every namespace made here is deleted by cleanup(),
// which runs on normal exit, on error and on SIGINT/SIGTERM; only PIDs this
// process started are ever signalled.
import { execFileSync, spawn } from "node:child_process"
import { createRequire } from "node:module"
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { cpus, loadavg } from "node:os"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { opt, parseBenchCidr } from "./args.mjs"

export const BENCH_DIR = dirname(fileURLToPath(import.meta.url))
export const ROOT = dirname(BENCH_DIR)
/**
 * The tree whose stack is measured (`--tree DIR`, default: this checkout):
 * the stack server loads DIR/dist/ (and DIR's own effect and addon), while
 * the harness, the flooder and the results stay here. Two trees, one harness:
 * before/after runs interleaved in one session (bench/README.md).
 */
export const TREE = resolve(opt("tree", ROOT))
/** A module of the measured tree (`--tree`), e.g. fromTree("dist/Stack.js"), for benches that run the stack in-process. */
export const fromTree = (path) => import(pathToFileURL(join(TREE, path)).href)
/** The `effect` that the tree's dist/ imports (its own node_modules), so layers and runtime are one copy. */
export const effectOfTree = () => {
  const pkgFile = createRequire(join(TREE, "package.json")).resolve("effect/package.json")
  const entry = JSON.parse(readFileSync(pkgFile, "utf8")).exports["."].import
  return import(pathToFileURL(join(dirname(pkgFile), entry)).href)
}
/**
 * The V8 flags of the measured tree's own binary (the `node` flags on the first line of
 * DIR/bin/gonet.js): every bench runs the stack, and the systems beside it in one process,
 * under them unless `--node-args` says otherwise. Read when first asked for, so that a bench
 * that starts no stack does not depend on the file.
 */
let stackNodeArgsRead
export const stackNodeArgs = () => {
  if (stackNodeArgsRead !== undefined) return stackNodeArgsRead
  const file = join(TREE, "bin", "gonet.js")
  const first = readFileSync(file, "utf8").split("\n", 1)[0]
  const m = /^#!.*\bnode((?:\s+--\S+)*)\s*$/.exec(first)
  if (m === null) throw new Error(`${file}: no node flags on its first line: ${first}`)
  stackNodeArgsRead = m[1].split(/\s+/).filter((a) => a.length > 0)
  return stackNodeArgsRead
}
/** `--node-args "..."` as an array, the binary's flags when not given. */
export const nodeArgsOpt = () => {
  const given = opt("node-args", undefined)
  return given === undefined ? stackNodeArgs() : given.split(" ").filter((a) => a.length > 0)
}
export const IP = ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"].find((p) => existsSync(p)) ?? "ip"

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

// ---------------------------------------------------------------------------
// preconditions

export const preflight = () => {
  const problems = []
  if (process.platform !== "linux") problems.push("not Linux")
  if (process.getuid?.() !== 0) problems.push("not root (needs CAP_NET_ADMIN for netns/TAP)")
  if (!existsSync("/dev/net/tun")) problems.push("/dev/net/tun missing")
  if (!existsSync(join(TREE, "dist", "Stack.js"))) problems.push(`${TREE}/dist/ missing: run \`npm run build\` there`)
  if (!existsSync(join(TREE, "build", "Release", "gonet_tap.node"))) {
    problems.push(`${TREE}/build/Release/gonet_tap.node missing: run \`npx node-gyp rebuild\` there`)
  }
  if (problems.length > 0) {
    console.error(`cannot run: ${problems.join("; ")}`)
    process.exit(2)
  }
}

// ---------------------------------------------------------------------------
// network-safety rule

export const assertBenchAddress = (cidr) => {
  parseBenchCidr(cidr)
  return cidr
}

// ---------------------------------------------------------------------------
// commands and namespaces

/** Run a bounded command; throws on non-zero exit unless allowFail. */
export const sh = (argv, { timeoutMs = 10_000, allowFail = false } = {}) => {
  try {
    return execFileSync(argv[0], argv.slice(1), { timeout: timeoutMs, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] })
  } catch (e) {
    if (allowFail) return (e.stdout ?? "") + (e.stderr ?? "")
    throw new Error(`${argv.join(" ")} failed: ${(e.stderr ?? e.message).toString().trim()}`)
  }
}

export const inNs = (ns, argv, opts) => sh([IP, "netns", "exec", ns, ...argv], opts)

/** A device's counters in `ns` (`ip -s -j link show`: stats64, with rx and tx). */
export const linkStats = (ns, dev) => JSON.parse(inNs(ns, [IP, "-s", "-j", "link", "show", "dev", dev]))[0].stats64

const namespaces = new Set()
const tempDirs = new Set()
/** A directory removed (recursively) by cleanup(). */
export const tempDir = (dir) => {
  tempDirs.add(dir)
  return dir
}
const children = new Set() // ChildProcess objects we spawned and that may still run

let nsCounter = 0
export const makeNs = (tag) => {
  const name = `gbench-${tag}-${process.pid}-${nsCounter++}`
  sh([IP, "netns", "add", name])
  namespaces.add(name)
  inNs(name, [IP, "link", "set", "lo", "up"])
  return name
}

/** Delete one namespace made by makeNs (and everything in it) now. */
export const deleteNs = (name) => {
  if (!namespaces.has(name)) return
  sh([IP, "netns", "del", name], { allowFail: true })
  namespaces.delete(name)
}

/**
 * Kill (by PID) every child we started that is still running, delete every namespace we made.
 * Safe to call more than once (each call acts on what is registered then): it once returned
 * after its first call, so a script that cleaned up between runs leaked the later runs'
 * namespaces.
 */
export const cleanup = () => {
  for (const c of children) {
    if (c.exitCode === null && c.signalCode === null && c.pid !== undefined) {
      try {
        // Our children started detached are group leaders: signal their group (all started by us).
        process.kill(c.detachedGroup ? -c.pid : c.pid, "SIGKILL")
      } catch {
        // already gone
      }
    }
  }
  for (const ns of namespaces) {
    try {
      execFileSync(IP, ["netns", "del", ns], { timeout: 10_000, stdio: "ignore" })
    } catch {
      // best effort; reported below
    }
  }
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true })
  tempDirs.clear()
  if (namespaces.size > 0) {
    const left = sh([IP, "netns", "list"], { allowFail: true })
    for (const ns of namespaces) if (left.includes(ns)) console.error(`WARNING: namespace ${ns} could not be deleted`)
  }
  namespaces.clear()
}

process.on("exit", cleanup)
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(sig, () => {
    console.error(`\n${sig}: cleaning up`)
    cleanup()
    process.exit(130)
  })
}

/** Spawn a child we own; it is tracked for cleanup. */
export const track = (child, { detachedGroup = false } = {}) => {
  child.detachedGroup = detachedGroup
  children.add(child)
  child.on("exit", () => children.delete(child))
  return child
}

/** Read `stream` line by line: each line that parses as JSON to `onJson`, any other to `onOther`. */
export const onJsonLines = (stream, onJson, onOther) => {
  let buf = ""
  stream.setEncoding("utf8").on("data", (d) => {
    buf += d
    let i
    while ((i = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, i)
      buf = buf.slice(i + 1)
      let value
      try {
        value = JSON.parse(line)
      } catch {
        onOther(line)
        continue
      }
      onJson(value)
    }
  })
}

export const waitExit = (child, timeoutMs) =>
  new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode ?? 128)
    const timer = setTimeout(() => {
      try {
        process.kill(child.detachedGroup ? -child.pid : child.pid, "SIGKILL")
      } catch {
        // gone
      }
    }, timeoutMs)
    child.once("exit", (code, sig) => {
      clearTimeout(timer)
      resolve(code ?? (sig ? 128 : 0))
    })
  })

/**
 * A program that creates TAP `tap` itself (a floor of floor/), started in
 * namespace `ns` by `argv`; once its TAP exists (at most 10 s), the kernel's
 * side gets 198.18.0.1/24 and the link goes up, as for the stack. `ip netns
 * exec` execs the program, so its PID is the child's. Returns { ns, pid,
 * stderr(), running(), stop() }; stop() ends it by that PID (SIGTERM, then
 * SIGKILL after 5 s). `label` names it in errors.
 */
export const startTapProgram = async (ns, argv, label, tap = "gbench0") => {
  const child = track(spawn(IP, ["netns", "exec", ns, ...argv], { stdio: ["ignore", "ignore", "pipe"] }))
  let stderr = ""
  child.stderr.setEncoding("utf8").on("data", (d) => (stderr += d))
  const running = () => child.exitCode === null && child.signalCode === null
  const present = new RegExp(`^\\d+: ${tap}[:@]`, "m")
  for (let i = 0; !present.test(inNs(ns, [IP, "link", "show"], { allowFail: true })); i++) {
    if (!running()) throw new Error(`${label} exited before its TAP appeared: ${stderr.trim()}`)
    if (i >= 100) throw new Error(`${label}: TAP ${tap} did not appear within 10 s`)
    await sleep(100)
  }
  inNs(ns, [IP, "addr", "add", assertBenchAddress("198.18.0.1/24"), "dev", tap])
  inNs(ns, [IP, "link", "set", tap, "up"])
  return {
    ns,
    pid: child.pid,
    stderr: () => stderr.trim(),
    running,
    stop: async () => {
      if (running()) process.kill(child.pid, "SIGTERM")
      await waitExit(child, 5_000)
    }
  }
}

// ---------------------------------------------------------------------------
// the stack process

/**
 * Start bench/stack-server.mjs inside `ns`; resolves once it printed "ready".
 * Returns { child, pid, events, last(event), stop() }.
 */
export const startStack = async (ns, {
  tap = "gbench0",
  ip = "198.18.0.2/24",
  hostIp = "198.18.0.1/24",
  statsMs = 0,
  maxSeconds = 120,
  // bin/gonet.js's V8 flags, as the stack runs
  nodeArgs = stackNodeArgs(),
  receiveCapacity,
  discard,
  // "udp-echo:PORT": the stack's own UDP echo service (as `gonet up --serve udp-echo:PORT`)
  serve,
  // Scheduling of the stack: nice (0 leaves it alone), and SCHED_FIFO 1..99
  // for its threads (the server's --realtime, as `gonet up --realtime`; 0
  // leaves the policy alone).
  nice = 0,
  realtime = 0,
  // CPUs for the whole stack process (taskset -c LIST); undefined: any
  cpu,
  serverArgs = []
} = {}) => {
  assertBenchAddress(ip)
  assertBenchAddress(hostIp)
  const argv = [
    IP, "netns", "exec", ns, ...(nice !== 0 ? ["nice", "-n", String(nice)] : []),
    ...(cpu !== undefined ? ["taskset", "-c", String(cpu)] : []), process.execPath, ...nodeArgs, join(BENCH_DIR, "stack-server.mjs"),
    "--tree", TREE, "--tap", tap, "--ip", ip, "--host-ip", hostIp, "--stats-ms", String(statsMs), "--max-seconds", String(maxSeconds), "--exit-on-stdin-close",
    ...(receiveCapacity !== undefined ? ["--receive-capacity", String(receiveCapacity)] : []),
    ...(discard !== undefined ? ["--discard", String(discard)] : []),
    ...(serve !== undefined ? ["--serve", String(serve)] : []),
    ...(realtime !== 0 ? ["--realtime", String(realtime)] : []),
    ...serverArgs
  ]
  // `ip netns exec` (and `nice`, `taskset`) exec node, so child.pid is the stack's own PID.
  const child = track(spawn(argv[0], argv.slice(1), { stdio: ["pipe", "pipe", "pipe"] }))
  child.stdin.on("error", () => {})
  const events = []
  const rawLines = []
  let stderr = ""
  const listeners = []
  onJsonLines(child.stdout, (ev) => {
    events.push(ev)
    for (const l of listeners.slice()) l(ev)
  }, (line) => rawLines.push(line)) // not ours (e.g. --trace-gc output)
  child.stderr.setEncoding("utf8").on("data", (d) => (stderr += d))
  const next = (pred, timeoutMs) =>
    new Promise((resolve, reject) => {
      const found = events.find(pred)
      if (found) return resolve(found)
      const timer = setTimeout(() => done(new Error(`stack: timed out; stderr: ${stderr.trim()}`)), timeoutMs)
      const onExit = () => done(new Error(`stack exited early (${child.exitCode}); stderr: ${stderr.trim()}`))
      const l = (ev) => pred(ev) && done(null, ev)
      const done = (err, ev) => {
        clearTimeout(timer)
        child.off("exit", onExit)
        listeners.splice(listeners.indexOf(l), 1)
        err ? reject(err) : resolve(ev)
      }
      listeners.push(l)
      child.once("exit", onExit)
    })
  const ready = await next((e) => e.event === "ready" || e.event === "error", 15_000)
  if (ready.event === "error") throw new Error(`stack failed to start: ${ready.message}`)
  return {
    child,
    pid: child.pid,
    events,
    rawLines,
    stderr: () => stderr,
    /** ask for a stats line now (SIGUSR2) and wait for it */
    snapshot: async () => {
      const n = events.length
      process.kill(child.pid, "SIGUSR2")
      let seen = n
      return next((e) => e.event === "stats" && events.indexOf(e) >= seen, 5_000)
    },
    /** send a stdin command ("stats", "prof-start", "prof-stop FILE") and wait for the event it answers with */
    command: (line, event, timeoutMs = 10_000) => {
      const n = events.length
      child.stdin.write(line + "\n")
      return next((e) => e.event === event && events.indexOf(e) >= n, timeoutMs)
    },
    /** SIGTERM, wait for the final stats line and the exit */
    stop: async () => {
      if (child.exitCode !== null) return events.find((e) => e.event === "final")
      process.kill(child.pid, "SIGTERM")
      const fin = await next((e) => e.event === "final", 5_000).catch(() => undefined)
      await waitExit(child, 5_000)
      return fin
    }
  }
}

// ---------------------------------------------------------------------------
// numbers

export const percentile = (sorted, p) => {
  if (sorted.length === 0) return NaN
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[idx]
}

export const summarize = (values) => {
  const s = Float64Array.from(values).sort()
  const n = s.length
  if (n === 0) return { n: 0 }
  let sum = 0
  for (const v of s) sum += v
  const mean = sum / n
  let sq = 0
  for (const v of s) sq += (v - mean) ** 2
  return {
    n,
    mean,
    stdev: Math.sqrt(sq / n),
    min: s[0],
    p10: percentile(s, 10),
    p50: percentile(s, 50),
    p90: percentile(s, 90),
    p99: percentile(s, 99),
    max: s[n - 1]
  }
}

export const round = (x, digits = 3) => (typeof x === "number" && Number.isFinite(x) ? Number(x.toFixed(digits)) : x)

// ---------------------------------------------------------------------------
// environment and results

export const machine = () => ({
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model,
  loadavg: loadavg().map((x) => round(x, 2)),
  node: process.version,
  kernel: sh(["uname", "-r"], { allowFail: true }).trim()
})


// The machine's memory latency, as a plain-JS pointer chase: MEMORY_PROBE.loads dependent loads
// through one random cycle over a fixed MEMORY_PROBE.mib MiB array (Sattolo's shuffle, a fixed
// seed: every call walks the same cycle), in ns per load. On this VM class it is not a constant: the
// same chase, the array never moved, takes ~45-55 ns per load for stretches of seconds and then
// ~90-110 for the next, and at one moment the two vCPUs can be in different states, while a loop of
// arithmetic alone keeps its speed (measured 2026-12-07, notes/bench-investigations.md,
// thirty-third pass): the host's memory, not the process. Fig. 4 at N = 100 moves with it
// (the stack 7-8 ms against 14-16 per measurement), so the benches record it beside their figures.
export const MEMORY_PROBE = { mib: 4, loads: 100_000 }
let chase
export const memoryLatencyNs = () => {
  if (chase === undefined) {
    const n = (MEMORY_PROBE.mib << 20) >> 2
    chase = new Uint32Array(n)
    for (let i = 0; i < n; i++) chase[i] = i
    let seed = 0x9e3779b9
    for (let i = n - 1; i > 0; i--) {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0
      const j = seed % i
      const t = chase[i]
      chase[i] = chase[j]
      chase[j] = t
    }
  }
  let k = 0
  const t0 = performance.now()
  for (let i = 0; i < MEMORY_PROBE.loads; i++) k = chase[k]
  const ns = ((performance.now() - t0) * 1e6) / MEMORY_PROBE.loads
  // (k is kept, so that the chase is not dead code)
  return k === -1 ? -1 : ns
}
/** Which code a result measured: the tree, its commit, and whether src/ or native/ differ from it. */
export const treeInfo = () => {
  const git = (...a) => sh(["git", "-C", TREE, ...a], { allowFail: true }).trim()
  return {
    path: TREE,
    commit: git("rev-parse", "HEAD"),
    subject: git("log", "-1", "--format=%s").slice(0, 120),
    srcChanged: git("status", "--porcelain", "--", "src", "native", "binding.gyp").split("\n").filter((l) => l.length > 0)
  }
}

/** One line naming the tree a result measured (treeInfo), for the human summaries. */
export const treeText = (tree) => `tree ${tree.path} ${tree.commit.slice(0, 7)}${tree.srcChanged.length > 0 ? " (src/ changed)" : ""}`

/** Print a table, columns two spaces apart, right-aligned (the first one left-aligned with leftFirst). */
export const printTable = (header, rows, { leftFirst = false } = {}) => {
  const w = header.map((h, i) => Math.max(String(h).length, ...rows.map((r) => String(r[i]).length)))
  for (const line of [header, ...rows]) {
    console.log(line.map((c, i) => (leftFirst && i === 0 ? String(c).padEnd(w[i]) : String(c).padStart(w[i]))).join("  "))
  }
}

export const writeResult = (name, result) => {
  const dir = join(BENCH_DIR, "results")
  mkdirSync(dir, { recursive: true })
  const stamp = new Date().toISOString().replace(/[:.]/g, "-").replace(/-\d{3}Z$/, "Z")
  const file = join(dir, `${name}-${stamp}.json`)
  writeFileSync(file, JSON.stringify(result, null, 2) + "\n")
  return file
}

/**
 * The scheduler's view of one thread (default: the process's main thread), from
 * /proc/PID/task/TID/schedstat: seconds on a CPU, seconds runnable but waiting
 * for a CPU, and the number of times it was scheduled in. The wait per slice
 * is the latency CPU contention adds to each wake-up.
 */
export const schedstat = (pid, tid = pid) => {
  const [run, wait, slices] = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").trim().split(" ").map(Number)
  return { runS: run / 1e9, waitS: wait / 1e9, slices }
}

/**
 * schedstat's run and wait seconds summed over every thread of process `pid` (main thread, V8's
 * helpers that run parallel and concurrent GC and compilation, libuv's pool), and the number of threads.
 */
export const schedstatAll = (pid) => {
  let runS = 0
  let waitS = 0
  let threads = 0
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const [run, wait] = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").trim().split(" ").map(Number)
      runS += run / 1e9
      waitS += wait / 1e9
      threads++
    } catch {
      // the thread has just ended
    }
  }
  return { runS, waitS, threads }
}

export const schedDelta = (a, b) => ({
  runS: round(b.runS - a.runS, 3),
  waitS: round(b.waitS - a.waitS, 3),
  slices: b.slices - a.slices,
  waitPerSliceUs: round(((b.waitS - a.waitS) / Math.max(1, b.slices - a.slices)) * 1e6, 1)
})

/** Machine-wide CPU counters (jiffies) from /proc/stat. */
export const cpuStat = () => {
  const f = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number)
  const idle = f[3] + (f[4] ?? 0)
  const total = f.slice(0, 8).reduce((a, b) => a + b, 0)
  return { idle, total }
}

/** Fraction of all CPUs busy between two cpuStat readings. */
export const busyBetween = (a, b) => round(1 - (b.idle - a.idle) / Math.max(1, b.total - a.total), 2)

/**
 * The machine is shared: wait (at most maxMs) until the CPUs are at most
 * `maxBusy` busy over a 2 s sample; returns the last sample.
 */
export const waitQuiet = async (maxMs, maxBusy = 0.2) => {
  const deadline = Date.now() + maxMs
  for (;;) {
    const a = cpuStat()
    await sleep(2000)
    const busy = busyBetween(a, cpuStat())
    if (busy <= maxBusy || Date.now() >= deadline) return { busy, waitedUntilQuiet: busy <= maxBusy }
    process.stdout.write(`(machine ${Math.round(busy * 100)} % busy, waiting) `)
  }
}

export const readJson = (file) => JSON.parse(readFileSync(file, "utf8"))

/** Run a bench's `main`, then clean up whatever it left, also on failure (exit 1). */
export const runMain = (main) =>
  main().then(
    () => cleanup(),
    (e) => {
      console.error(e)
      cleanup()
      process.exit(1)
    }
  )
