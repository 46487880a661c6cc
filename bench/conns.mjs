#!/usr/bin/env node
// Connection scale (issue 8 §2): N concurrent TCP connections from the kernel to the stack's echo
// service, a trickle of traffic on each, then all closed. What a connection costs the stack (heap,
// RSS, fibers), how fast it accepts them, and whether closing them all gives everything back.
//
//   sudo node bench/conns.mjs [--n 10000] [--trickle-seconds 10] [--inflight 256] [--warmup N]
//        [--seconds 300] [--quiet-wait 30] [--node-args "..."]
//        [--service echo|echo-read] [--heap-snapshot DIR] [--tree DIR] [--quick]
//
// The stack runs as bench/stack-server.mjs in its own namespace (TAP gbench0, 198.18.0.1 <->
// 198.18.0.2, offloads on: the default) with --tcp echo:7,echo:8 (Services.echo, as `gonet up
// --serve echo:7`) and --count-fibers (a counting Supervisor: live fibers), under node
// --expose-gc, so that each memory sample ("gc-stats") follows two full GCs. The kernel side is
// connsbench.c (built into bench/.build/), in the same namespace:
//
//   0. warm-up: --warmup connections (default N) through the whole cycle below with a 1 s
//      trickle, to the same echo on port 8 (see WARMUP_PORT), unsampled: the JIT's code for
//      these paths, the first connection's one-time allocations, the neighbour entry and V8's
//      tables grown to N belong to the baseline, not to the connections measured (a "cold"
//      sample before it shows what they came to);
//   1. baseline: two samples 1 s apart (their difference is the noise of a sample), with no
//      connection open;
//   2. connect: N non-blocking connects, at most --inflight outstanding (the stack holds at most
//      tcp.synBacklog = 1024 half-open connections and tcp.acceptBacklog = 511 unaccepted ones;
//      a kernel that sends 10 000 SYNs at once would only meet drops and its own 1 s SYN timer);
//      accept rate = N / (first connect() .. last connection established), as the client saw it;
//      then a sample ("established": connections that never carried data);
//   3. trickle: --trickle-seconds rounds of 1 s, each connection sends 1 octet per round and reads
//      the echo back (checked), then waits (at most 60 s) for the last echoes; then a sample
//      ("loaded": the headline figures). Beside it, the kernel's side: the TAP's tx_dropped
//      (frames the stack did not read in time) and the client's TCP retransmissions;
//   4. close: the client shuts down every connection (at most --inflight at a time) and waits for
//      the stack's FIN; the harness polls the stack until it holds no connection, no half-open
//      one and no TIME-WAIT record (bounded), then samples ("after close").
//
// Per connection = (sample - baseline) / connections established. Heap is V8's heapUsed after the
// GCs; external and arrayBuffers (memory outside the heap: the stack's buffers) are given beside
// it, and RSS. Fibers are the supervisor's live count. Leftovers = after close - baseline.
// --heap-snapshot DIR: also V8 heap snapshots at the baseline, the loaded sample and after the
// close (this pauses the stack; meant for small N), summarized as the kinds of object that grew
// most per connection, and those that stayed. --service echo-read: the echo as a loop of read
// and write instead of Services.echo's Stream (what the Stream costs a connection).
//
// Bounded: connsbench stops at its alarm (--seconds, at most 900; the harness SIGKILLs it by PID
// 15 s later); every wait on the stack is bounded; the stack server exits by itself after its
// --max-seconds, or when this process's stdin to it closes.
// Network safety: the namespace is made and deleted here (also on error and signals); its
// addresses are 198.18.0.1 and 198.18.0.2 only, and connsbench refuses any destination outside
// 198.18.0.0/15. If N needs more local ports than the namespace's ip_local_port_range has, the
// range is widened in that namespace only (the host's setting is checked unchanged).
import { execFileSync, spawn } from "node:child_process"
import { existsSync, mkdirSync, readFileSync, statSync } from "node:fs"
import { join } from "node:path"
import { flag, intOpt, opt } from "./args.mjs"
import {
  BENCH_DIR, busyBetween, cpuStat, inNs, IP, linkStats, machine, makeNs, onJsonLines, preflight, printTable, round, runMain, sleep, startStack,
  track, treeInfo, treeText, waitExit, waitQuiet, writeResult, nodeArgsOpt
} from "./lib.mjs"
import { cpuSeconds, STACK } from "./tcp-common.mjs"

const QUICK = flag("quick")
const N = intOpt("n", QUICK ? 2000 : 10000, 1, 60000)
const TRICKLE_S = intOpt("trickle-seconds", QUICK ? 3 : 10, 0, 300)
const INFLIGHT = intOpt("inflight", 256, 1, 1024)
const WARMUP = intOpt("warmup", N, 0, 60000)
const SECONDS = intOpt("seconds", 300, 30, 900)
const QUIET_WAIT = intOpt("quiet-wait", QUICK ? 0 : 30, 0, 600)
const NODE_ARGS = nodeArgsOpt()
const SNAPSHOT_DIR = opt("heap-snapshot", undefined)
// echo: Services.echo (a Stream per connection; the figure reported); echo-read: the same echo as a
// loop of read and write (stack-server.mjs), to tell the TCB's cost from the Stream's
const SERVICE = opt("service", "echo")
if (SERVICE !== "echo" && SERVICE !== "echo-read") throw new Error("--service echo|echo-read")
const PORT = 7
// the warm-up connects to another port of the same echo: its 4-tuples, in TIME-WAIT on the kernel's
// side for 60 s, then never collide with the measured ones. (With the same port, the kernel's
// search for a free local port for each connect() makes its way past the warm-up's TIME-WAIT
// entries: 8000 connects to a kernel echo took 0.45 s, then 2.0 s and 6.7 s with 8000 and 16 000
// TIME-WAIT entries behind; the client, not the stack, set the pace.)
const WARMUP_PORT = 8
// after the client's last FIN, how long the stack may take to let go of everything (TIME-WAIT
// excepted: if the stack held any, its 60 s are waited for on top)
const SETTLE_S = 30

preflight()

/** bench/connsbench.c built into bench/.build/connsbench (again when the source is newer). */
const buildConnsbench = () => {
  const dir = join(BENCH_DIR, ".build")
  mkdirSync(dir, { recursive: true })
  const src = join(BENCH_DIR, "connsbench.c")
  const bin = join(dir, "connsbench")
  if (!existsSync(bin) || statSync(bin).mtimeMs < statSync(src).mtimeMs) {
    execFileSync("cc", ["-O2", "-Wall", "-o", bin, src], { stdio: "inherit", timeout: 60_000 })
  }
  return bin
}

/**
 * connsbench in `ns` with SYNC 1: `next(event)` waits for its JSON line of that event
 * ("connected", "trickled") or its result; `go()` lets it on to the next phase.
 */
const startClient = (ns, bin, n, trickle, port) => {
  const args = [STACK, String(port), String(n), String(SECONDS), String(trickle), String(INFLIGHT), "1"]
  const child = track(spawn(IP, ["netns", "exec", ns, bin, ...args], { stdio: ["pipe", "pipe", "pipe"] }))
  child.stdin.on("error", () => {})
  const lines = []
  const waiting = []
  let err = ""
  const poke = () => {
    for (const w of waiting.slice()) {
      const found = lines.find(w.pred)
      if (found !== undefined) {
        waiting.splice(waiting.indexOf(w), 1)
        w.resolve(found)
      }
    }
  }
  onJsonLines(child.stdout, (value) => {
    lines.push(value)
    poke()
  }, (line) => (err += `(stdout) ${line}\n`))
  child.stderr.setEncoding("utf8").on("data", (d) => (err += d))
  const exited = waitExit(child, (SECONDS + 15) * 1000)
  const next = (pred, what) =>
    new Promise((resolve, reject) => {
      waiting.push({ pred, resolve })
      poke()
      exited.then((code) => setTimeout(() => {
        const found = lines.find(pred)
        if (found !== undefined) resolve(found)
        else reject(new Error(`connsbench exited (${code}) before ${what}: ${err.trim().slice(0, 800)}`))
      }, 500))
    })
  return {
    pid: child.pid,
    args,
    next: (event) => next((l) => l.event === event, event),
    result: () => next((l) => l.mode === "conns", "its result"),
    go: () => child.stdin.write("go\n"),
    exited,
    stderr: () => err
  }
}

/** The kernel's side in the namespace: the TAP's drops (frames for the stack it could not queue) and TCP's retransmissions. */
const kernelSide = (ns) => {
  const tap = linkStats(ns, "gbench0")
  const snmp = inNs(ns, ["cat", "/proc/net/snmp"]).split("\n").filter((l) => l.startsWith("Tcp:"))
  const tcp = Object.fromEntries(snmp[0].split(/\s+/).slice(1).map((k, i) => [k, Number(snmp[1].split(/\s+/)[i + 1])]))
  return { tapTxDropped: tap.tx.dropped, tapTxPackets: tap.tx.packets, retransSegs: tcp.RetransSegs, outSegs: tcp.OutSegs, inSegs: tcp.InSegs }
}

/** The stack's memory and counters after two full GCs, and the kernel's side. */
const sample = async (s, label) => {
  const kernel = kernelSide(s.ns)
  const ev = await s.stack.command("gc-stats", "gc-stats", 120_000)
  if (!ev.gc) throw new Error("the stack server has no gc(): node must run with --expose-gc")
  const t = ev.stats.tcp
  return {
    label,
    gcMs: round(ev.gcMs, 1),
    heapUsed: ev.memory.heapUsed,
    heapTotal: ev.memory.heapTotal,
    external: ev.memory.external,
    arrayBuffers: ev.memory.arrayBuffers,
    rss: ev.memory.rss,
    fibers: ev.stats.fibers.live,
    fibersStarted: ev.stats.fibers.started,
    tcp: {
      connections: t.connections, halfOpen: t.halfOpen, timeWait: t.timeWait, passiveOpens: t.passiveOpens,
      synQueueFull: t.synQueueFull, acceptQueueFull: t.acceptQueueFull, arrivalsDropped: t.arrivalsDropped,
      connectionLimit: t.connectionLimit, segmentsSent: t.segmentsSent, received: t.received
    },
    link: { rxDropped: ev.stats.link.rxDropped, txDropped: ev.stats.link.txDropped },
    kernel
  }
}

const stats = async (s) => (await s.stack.command("stats", "stats")).stats

/** Poll the stack (every 250 ms, at most SETTLE_S, plus TIME-WAIT's 60 s if it holds any) until it holds nothing. */
const waitIdle = async (s, fibersBaseline) => {
  const t0 = Date.now()
  let st
  for (;;) {
    st = await stats(s)
    const t = st.tcp
    const idle = t.connections === 0 && t.halfOpen === 0 && t.timeWait === 0
    if (idle && st.fibers.live <= fibersBaseline) return { seconds: round((Date.now() - t0) / 1000, 2), idle: true, tcp: t, fibers: st.fibers.live }
    const bound = (SETTLE_S + (t.timeWait > 0 ? 65 : 0)) * 1000
    if (Date.now() - t0 > bound) return { seconds: round((Date.now() - t0) / 1000, 2), idle, tcp: t, fibers: st.fibers.live }
    await sleep(250)
  }
}

// --- heap snapshots (--heap-snapshot DIR) ----------------------------------------------------

/** Self size and count of the objects in a .heapsnapshot, by "type name" (constructor names for objects). */
const snapshotCensus = (file) => {
  const snap = JSON.parse(readFileSync(file, "utf8"))
  const meta = snap.snapshot.meta
  const fields = meta.node_fields
  const stride = fields.length
  const iType = fields.indexOf("type")
  const iName = fields.indexOf("name")
  const iSize = fields.indexOf("self_size")
  const types = meta.node_types[iType]
  const census = new Map()
  const nodes = snap.nodes
  for (let i = 0; i < nodes.length; i += stride) {
    const type = types[nodes[i + iType]]
    const name = type === "object" || type === "closure" || type === "native" ? snap.strings[nodes[i + iName]] : ""
    const key = `${type}${name ? ` ${name}` : ""}`
    const e = census.get(key) ?? { count: 0, bytes: 0 }
    e.count++
    e.bytes += nodes[i + iSize]
    census.set(key, e)
  }
  return census
}

/** The kinds of object that grew most between two snapshots, per connection. */
const snapshotDiff = (before, after, n, top = 25) => {
  const a = snapshotCensus(before)
  const b = snapshotCensus(after)
  const rows = []
  for (const [key, e] of b) {
    const o = a.get(key) ?? { count: 0, bytes: 0 }
    rows.push({ kind: key, countPerConnection: round((e.count - o.count) / n, 2), bytesPerConnection: round((e.bytes - o.bytes) / n, 1) })
  }
  rows.sort((x, y) => y.bytesPerConnection - x.bytesPerConnection)
  const total = rows.reduce((acc, r) => acc + r.bytesPerConnection, 0)
  return { totalBytesPerConnection: round(total, 1), top: rows.slice(0, top) }
}

// --- the run ---------------------------------------------------------------------------------

/**
 * One client run through all phases; with `measure`, the samples between them. Ends when the stack
 * holds no connection and (given `fibersBaseline`) no more live fibers than that, or at the bound.
 */
const cycle = async (s, bin, n, trickle, measure, port, fibersBaseline = Infinity) => {
  const client = startClient(s.ns, bin, n, trickle, port)
  const out = { n, trickleSeconds: trickle, clientArgs: client.args.join(" ") }
  const cpu0 = cpuSeconds(s.stack.pid)
  const m0 = cpuStat()
  const connected = await client.next("connected")
  out.connected = connected
  out.stackCpuConnect = round(cpuSeconds(s.stack.pid) - cpu0, 2)
  out.machineBusyConnect = busyBetween(m0, cpuStat())
  if (measure) out.established = await sample(s, "established")
  client.go()
  const cpu1 = cpuSeconds(s.stack.pid)
  const m1 = cpuStat()
  await client.next("trickled")
  out.stackCpuTrickle = round(cpuSeconds(s.stack.pid) - cpu1, 2)
  out.machineBusyTrickle = busyBetween(m1, cpuStat())
  if (measure) {
    out.loaded = await sample(s, "loaded")
    if (SNAPSHOT_DIR !== undefined) {
      out.snapshotLoaded = join(SNAPSHOT_DIR, `conns-loaded-${n}.heapsnapshot`)
      await s.stack.command(`heap-snapshot ${out.snapshotLoaded}`, "heap-snapshot", 300_000)
    }
  }
  client.go()
  const cpu2 = cpuSeconds(s.stack.pid)
  out.client = await client.result()
  out.stackCpuClose = round(cpuSeconds(s.stack.pid) - cpu2, 2)
  await client.exited
  out.settle = await waitIdle(s, fibersBaseline)
  return out
}

const kib = (bytes) => round(bytes / 1024, 2)

const main = async () => {
  const bin = buildConnsbench()
  const result = {
    bench: "conns",
    startedAt: new Date().toISOString(),
    machine: machine(),
    tree: treeInfo(),
    params: { n: N, service: SERVICE, trickleSeconds: TRICKLE_S, inflight: INFLIGHT, warmup: WARMUP, seconds: SECONDS, quietWaitS: QUIET_WAIT, port: PORT, warmupPort: WARMUP_PORT, stackNodeArgs: [...NODE_ARGS, "--expose-gc"], offload: true }
  }
  const ns = makeNs("conns")
  // enough local ports for N in this namespace (ip_local_port_range is per namespace)
  const range = inNs(ns, ["cat", "/proc/sys/net/ipv4/ip_local_port_range"]).trim().split(/\s+/).map(Number)
  result.localPortRange = range
  if (range[1] - range[0] + 1 < N + WARMUP + 100) {
    const host = readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8")
    inNs(ns, ["sysctl", "-q", "-w", "net.ipv4.ip_local_port_range=1024 65535"])
    if (readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8") !== host) throw new Error("ip_local_port_range changed outside the namespace")
    result.localPortRange = inNs(ns, ["cat", "/proc/sys/net/ipv4/ip_local_port_range"]).trim().split(/\s+/).map(Number)
  }
  const stack = await startStack(ns, {
    maxSeconds: 120 + 2 * SECONDS + QUIET_WAIT,
    nodeArgs: [...NODE_ARGS, "--expose-gc"],
    serverArgs: ["--tcp", `${SERVICE}:${PORT},${SERVICE}:${WARMUP_PORT}`, "--count-fibers"]
  })
  const s = { ns, stack }
  try {
    const warm = inNs(ns, ["ping", "-n", "-q", "-c", "10", "-i", "0.01", "-w", "5", STACK], { allowFail: true, timeoutMs: 10_000 })
    if (!/ 0% packet loss/.test(warm)) throw new Error(`stack does not answer ping:\n${warm}`)
    const cold = await sample(s, "cold")
    if (WARMUP > 0) {
      process.stdout.write(`warm-up: ${WARMUP} connections ... `)
      const w = await cycle(s, bin, WARMUP, 1, false, WARMUP_PORT)
      result.warmup = { client: w.client, settle: w.settle }
      console.log(`${w.client.connected} connected, ${w.client.echoesReceived}/${w.client.echoesSent} echoes, stack idle after ${w.settle.seconds} s`)
      if (!w.settle.idle) throw new Error(`the stack did not let go of the warm-up's connections: ${JSON.stringify(w.settle)}`)
    }
    const quiet = QUIET_WAIT > 0 ? await waitQuiet(QUIET_WAIT * 1000) : undefined
    result.machineBusyBefore = quiet?.busy
    const base1 = await sample(s, "baseline")
    await sleep(1000)
    const base2 = await sample(s, "baseline 2")
    if (SNAPSHOT_DIR !== undefined) {
      mkdirSync(SNAPSHOT_DIR, { recursive: true })
      result.snapshotBaseline = join(SNAPSHOT_DIR, "conns-baseline.heapsnapshot")
      await stack.command(`heap-snapshot ${result.snapshotBaseline}`, "heap-snapshot", 300_000)
    }
    console.log(`baseline: heap ${kib(base2.heapUsed)} KiB, rss ${kib(base2.rss)} KiB, ${base2.fibers} fibers (noise between two samples: heap ${kib(base2.heapUsed - base1.heapUsed)} KiB)`)
    process.stdout.write(`${N} connections, trickle ${TRICKLE_S} s ... `)
    const run = await cycle(s, bin, N, TRICKLE_S, true, PORT, base2.fibers).catch((e) => {
      throw new Error(`the measured run failed: ${e.message}`)
    })
    const after = await sample(s, "after close")
    if (SNAPSHOT_DIR !== undefined) {
      result.snapshotAfterClose = join(SNAPSHOT_DIR, "conns-after-close.heapsnapshot")
      await stack.command(`heap-snapshot ${result.snapshotAfterClose}`, "heap-snapshot", 300_000)
    }
    const c = run.client
    const conns = c.connected
    const per = (x, k) => (conns > 0 ? (x[k] - base2[k]) / conns : NaN)
    result.samples = { cold, baseline: base1, baseline2: base2, established: run.established, loaded: run.loaded, afterClose: after }
    result.run = { client: c, settle: run.settle, stackCpu: { connect: run.stackCpuConnect, trickle: run.stackCpuTrickle, close: run.stackCpuClose }, machineBusy: { connect: run.machineBusyConnect, trickle: run.machineBusyTrickle } }
    result.figures = {
      connected: conns,
      failed: c.failed,
      acceptRate: c.acceptRate,
      connectSeconds: c.connectSeconds,
      // every connection was accepted by the stack's listener, handshake completed
      stackPassiveOpens: run.loaded.tcp.passiveOpens - base2.tcp.passiveOpens,
      stackConnectionsLoaded: run.loaded.tcp.connections,
      echoesSent: c.echoesSent,
      echoesReceived: c.echoesReceived,
      echoesMissing: c.echoesMissing,
      mismatches: c.mismatches,
      echoLatencyUs: c.echoLatencyUs,
      // no fiber per segment: fibers the stack started during the trickle, per echo (the timer
      // wheel's race when it re-arms is what starts any)
      fibersStartedPerEcho: round((run.loaded.fibersStarted - run.established.fibersStarted) / Math.max(1, c.echoesReceived), 4),
      // CPU of the stack process (all threads; the kernel's TCP work done in its TAP writes included)
      stackCpuPerConnectionUs: round((run.stackCpuConnect / Math.max(1, conns)) * 1e6, 0),
      stackCpuPerEchoUs: round((run.stackCpuTrickle / Math.max(1, c.echoesReceived)) * 1e6, 0),
      closeSeconds: c.closeSeconds,
      finsReceived: c.finsReceived,
      stackIdleAfterCloseS: run.settle.seconds,
      perConnectionIdle: {
        heapKiB: kib(per(run.established, "heapUsed")),
        externalKiB: kib(per(run.established, "external")),
        rssKiB: kib(per(run.established, "rss")),
        fibers: round(per(run.established, "fibers"), 3)
      },
      perConnection: {
        heapKiB: kib(per(run.loaded, "heapUsed")),
        externalKiB: kib(per(run.loaded, "external")),
        arrayBuffersKiB: kib(per(run.loaded, "arrayBuffers")),
        rssKiB: kib(per(run.loaded, "rss")),
        fibers: round(per(run.loaded, "fibers"), 3)
      },
      leftovers: {
        connections: after.tcp.connections,
        halfOpen: after.tcp.halfOpen,
        timeWait: after.tcp.timeWait,
        fibers: after.fibers - base2.fibers,
        heapKiB: kib(after.heapUsed - base2.heapUsed),
        externalKiB: kib(after.external - base2.external),
        rssKiB: kib(after.rss - base2.rss),
        // the two baseline samples' difference: what "no change" looks like
        heapNoiseKiB: kib(base2.heapUsed - base1.heapUsed)
      },
      // the same against the sample before the warm-up: the one-time costs included
      leftoversVsCold: {
        fibers: after.fibers - cold.fibers,
        heapKiB: kib(after.heapUsed - cold.heapUsed),
        rssKiB: kib(after.rss - cold.rss)
      },
      drops: {
        synQueueFull: run.loaded.tcp.synQueueFull - base2.tcp.synQueueFull,
        acceptQueueFull: run.loaded.tcp.acceptQueueFull - base2.tcp.acceptQueueFull,
        arrivalsDropped: after.tcp.arrivalsDropped - base2.tcp.arrivalsDropped,
        linkRxDropped: after.link.rxDropped - base2.link.rxDropped,
        linkTxDropped: after.link.txDropped - base2.link.txDropped,
        // the kernel's TAP queue towards the stack overflowed (the stack did not read in time), and
        // the kernel client's TCP retransmitted: during the connects, during the trickle
        tapTxDroppedConnect: run.established.kernel.tapTxDropped - base2.kernel.tapTxDropped,
        tapTxDroppedTrickle: run.loaded.kernel.tapTxDropped - run.established.kernel.tapTxDropped,
        kernelRetransmitsConnect: run.established.kernel.retransSegs - base2.kernel.retransSegs,
        kernelRetransmitsTrickle: run.loaded.kernel.retransSegs - run.established.kernel.retransSegs
      }
    }
    if (SNAPSHOT_DIR !== undefined) {
      result.heapSnapshotDiff = snapshotDiff(result.snapshotBaseline, run.snapshotLoaded, conns)
      // what stayed after the close, in all (n = 1): the kinds that grew most
      result.heapSnapshotLeft = snapshotDiff(result.snapshotBaseline, result.snapshotAfterClose, 1, 15)
    }
  } finally {
    result.stackFinal = (await stack.stop())?.stats
  }
  result.finishedAt = new Date().toISOString()
  const file = writeResult("conns", result)
  const f = result.figures
  const L = f.leftovers
  console.log(`done`)
  console.log(`\nconnection scale: ${N} kernel connections to the stack's ${SERVICE === "echo" ? "echo (Services.echo)" : "echo-read (read/write loop)"}, ${TRICKLE_S} s trickle (1 octet/s each); ${treeText(result.tree)}; load ${result.machine.loadavg.join(" ")}`)
  printTable(["figure", "value"], [
    ["connected / failed", `${f.connected} / ${f.failed}`],
    ["accept rate (conn/s)", `${round(f.acceptRate, 0)} (${round(f.connectSeconds, 2)} s, ${INFLIGHT} connects in flight)`],
    ["echoes sent / received / missing", `${f.echoesSent} / ${f.echoesReceived} / ${f.echoesMissing}${f.mismatches > 0 ? `, ${f.mismatches} WRONG` : ""}`],
    ["echo latency p50 / p99 / max (ms)", `${round(f.echoLatencyUs.p50 / 1000, 2)} / ${round(f.echoLatencyUs.p99 / 1000, 2)} / ${round(f.echoLatencyUs.max / 1000, 2)}`],
    ["TAP drops / kernel retransmissions: connect, trickle", `${f.drops.tapTxDroppedConnect} / ${f.drops.kernelRetransmitsConnect}, ${f.drops.tapTxDroppedTrickle} / ${f.drops.kernelRetransmitsTrickle}`],
    ["heap per connection, idle (KiB)", f.perConnectionIdle.heapKiB],
    ["heap per connection, after trickle (KiB)", `${f.perConnection.heapKiB} (external ${f.perConnection.externalKiB})`],
    ["RSS per connection (KiB)", f.perConnection.rssKiB],
    ["fibers per connection", `${f.perConnection.fibers}; started during the trickle: ${f.fibersStartedPerEcho} per echo`],
    ["stack CPU per connection / per echo (us)", `${f.stackCpuPerConnectionUs} / ${f.stackCpuPerEchoUs}`],
    ["close: last FIN after (s)", `${round(f.closeSeconds, 2)}; stack idle ${f.stackIdleAfterCloseS} s after the client's end`],
    ["left after close: connections, half-open, TIME-WAIT", `${L.connections}, ${L.halfOpen}, ${L.timeWait}`],
    ["left after close: fibers", L.fibers],
    ["left after close: heap (KiB)", `${L.heapKiB} (noise between two baseline samples ${L.heapNoiseKiB}); rss ${L.rssKiB}`],
    ["the same against the cold sample", `fibers ${f.leftoversVsCold.fibers}, heap ${f.leftoversVsCold.heapKiB} KiB, rss ${f.leftoversVsCold.rssKiB} KiB`]
  ], { leftFirst: true })
  if (result.heapSnapshotDiff !== undefined) {
    console.log(`\nheap snapshot, loaded - baseline, per connection: ${result.heapSnapshotDiff.totalBytesPerConnection} B`)
    printTable(["kind", "objects", "bytes"], result.heapSnapshotDiff.top.map((r) => [r.kind.slice(0, 60), r.countPerConnection, r.bytesPerConnection]), { leftFirst: true })
    console.log(`\nheap snapshot, after close - baseline, in all: ${result.heapSnapshotLeft.totalBytesPerConnection} B`)
    printTable(["kind", "objects", "bytes"], result.heapSnapshotLeft.top.map((r) => [r.kind.slice(0, 60), r.countPerConnection, r.bytesPerConnection]), { leftFirst: true })
  }
  console.log(`result: ${file}`)
}

runMain(main)
