#!/usr/bin/env node
// Frames per second the stack's Ethernet dealer receives from a kernel UDP
// flood of minimum-size frames, over a TAP in a namespace made and deleted
// here, beside the same flood kernel-to-kernel over a veth pair.
//
//   sudo node bench/flood.mjs [--rates 0,300000] [--modes open,closed]
//        [--packets 3000000] [--seconds 5] [--payload 18] [--batch 64]
//        [--baseline veth|none] [--quiet-wait 120] [--profile [--keep-profile F]]
//        [--node-args "--max-semi-space-size=64"] [--receive-capacity N]
//
// Frame size: payload 18 -> 14 Ethernet + 20 IPv4 + 8 UDP + 18 = 60 octets as
// the TAP delivers them (no FCS), i.e. a 64-octet frame on a real wire.
//
// Each (rate, mode) is one flood by bench/udpflood.c (built here with cc -O2
// into bench/.build/): rate 0 = as fast as the kernel takes sendmmsg batches
// of --batch, N = paced to N datagrams/s. Every flood is bounded by --packets
// AND --seconds (inside udpflood.c; the harness also SIGKILLs it, by PID,
// after --seconds + 10 s). Modes: open = UDP port 9, where the stack server
// runs a discard socket (the normal receive path up to a socket); closed =
// UDP port 10, nobody bound (ICMP port unreachable, rate-limited by the stack).
// ARP is resolved (20 pings) before the first flood.
//
// Measured on the stack side from Stack.stats, sampled every 100 ms by
// bench/stack-server.mjs:
//   received/s = delta of ethernet.received / the window in which it grew
// plus link.rxDropped (frames lost because the link's receive mailbox was full),
// ethernet/ipv4 queue drops, the kernel TAP's tx_dropped (frames the kernel
// dropped because our reader did not keep up), the CPU the stack process used
// (/proc/PID/stat) and its main thread's run / run-queue-wait time
// (/proc/PID/task/PID/schedstat): the machine is a shared 2-vCPU VM, so
// "frames per CPU-second" is the figure least disturbed by neighbours.
// --quiet-wait S waits (up to S s) before each flood until the CPUs are <= 20 % busy.
// --profile: a V8 CPU profile of the stack over the floods only (stdin command
// to the stack server), summarized by bench/profile-summary.mjs.
import { flag, opt } from "./args.mjs"
import { execFileSync, spawn } from "node:child_process"
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from "node:fs"
import { join } from "node:path"
import {
  runMain, assertBenchAddress, BENCH_DIR, busyBetween, cpuStat, deleteNs, inNs, IP, machine, makeNs, preflight,
  round, schedDelta, schedstat, sleep, startStack, summarize, track, waitExit, waitQuiet, writeResult
} from "./lib.mjs"
import { printProfile, summarizeProfile } from "./profile-summary.mjs"

const RATES = opt("rates", "0,300000").split(",").map(Number)
// open: UDP port 9, where the stack server runs a discard socket (the normal receive path);
// closed: UDP port 10, nobody bound (every datagram -> ICMP port unreachable, rate-limited).
const MODES = opt("modes", "open,closed").split(",")
if (MODES.some((m) => !["open", "closed"].includes(m))) throw new Error("--modes open,closed")
const PORTS = { open: 9, closed: 10 }
const PACKETS = Number(opt("packets", "3000000"))
const SECONDS = Number(opt("seconds", "5"))
const PAYLOAD = Number(opt("payload", "18"))
const BATCH = Number(opt("batch", "64"))
const PROFILE = flag("profile")
const QUIET_WAIT = Number(opt("quiet-wait", "120"))
// --baseline veth: also flood the Linux kernel over a veth pair (same flooder,
// closed port, 198.18.1.1 -> 198.18.1.2) for a same-run reference.
const BASELINE = opt("baseline", "veth")
// --node-args "...": node flags for the stack process (default: the CLI's --max-semi-space-size=64)
const NODE_ARGS = (opt("node-args", "--max-semi-space-size=64") ?? "").split(" ").filter((a) => a.length > 0)
const RECEIVE_CAPACITY = opt("receive-capacity", undefined)
if (RATES.some((r) => !(r >= 0 && r <= 10_000_000))) throw new Error("--rates: 0 (unpaced) or 1..1e7 each")
if (!(PACKETS >= 1 && PACKETS <= 20_000_000) || !(SECONDS > 0 && SECONDS <= 30)) {
  throw new Error("--packets 1..2e7, --seconds (0,30] (bounded load)")
}
const TAP = "gbench0"
const DST = "198.18.0.2"

preflight()

const buildFlooder = () => {
  const dir = join(BENCH_DIR, ".build")
  mkdirSync(dir, { recursive: true })
  const src = join(BENCH_DIR, "udpflood.c")
  const bin = join(dir, "udpflood")
  if (!existsSync(bin) || statSync(bin).mtimeMs < statSync(src).mtimeMs) {
    execFileSync("cc", ["-O2", "-Wall", "-o", bin, src], { stdio: "inherit", timeout: 60_000 })
  }
  return bin
}

/** CPU seconds (user, system) the stack process has used so far, from /proc/PID/stat. */
const CLK_TCK = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100
const cpuSeconds = (pid) => {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
  return { user: Number(f[11]) / CLK_TCK, system: Number(f[12]) / CLK_TCK }
}

const tapCounters = (ns) => {
  const j = JSON.parse(inNs(ns, [IP, "-s", "-j", "link", "show", "dev", TAP]))[0]
  return { tx: j.stats64.tx, rx: j.stats64.rx }
}

const flood = async (ns, bin, pps, port, dst = DST) => {
  assertBenchAddress(dst)
  const argv = [bin, dst, String(port), String(PAYLOAD), String(PACKETS), String(SECONDS), String(BATCH), String(pps)]
  const child = track(spawn(IP, ["netns", "exec", ns, ...argv], { stdio: ["ignore", "pipe", "pipe"] }))
  let out = ""
  let err = ""
  child.stdout.setEncoding("utf8").on("data", (d) => (out += d))
  child.stderr.setEncoding("utf8").on("data", (d) => (err += d))
  const code = await waitExit(child, (SECONDS + 10) * 1000)
  if (code !== 0) throw new Error(`udpflood exited ${code}: ${err.trim()}`)
  return JSON.parse(out.trim().split("\n").pop())
}

const linkStats = (ns, dev) => JSON.parse(inNs(ns, [IP, "-s", "-j", "link", "show", "dev", dev]))[0].stats64

/** The same flood, kernel to kernel over a veth pair: what the receiving kernel takes in. */
const vethBaseline = async (bin, pps) => {
  const a = makeNs("fa")
  const b = makeNs("fb")
  try {
    inNs(a, [IP, "link", "add", "gbfa", "type", "veth", "peer", "name", "gbfb", "netns", b])
    inNs(a, [IP, "addr", "add", assertBenchAddress("198.18.1.1/24"), "dev", "gbfa"])
    inNs(b, [IP, "addr", "add", assertBenchAddress("198.18.1.2/24"), "dev", "gbfb"])
    inNs(a, [IP, "link", "set", "gbfa", "up"])
    inNs(b, [IP, "link", "set", "gbfb", "up"])
    inNs(a, ["ping", "-n", "-q", "-c", "3", "-i", "0.2", "-w", "5", "198.18.1.2"], { allowFail: true })
    const quiet = QUIET_WAIT > 0 ? await waitQuiet(QUIET_WAIT * 1000) : undefined
    const before = linkStats(b, "gbfb").rx
    const sent = await flood(a, bin, pps, PORTS.closed, "198.18.1.2")
    await sleep(300)
    const after = linkStats(b, "gbfb").rx
    const received = after.packets - before.packets
    return {
      target: "kernel over veth (closed port)",
      targetPps: pps,
      flooder: sent,
      sentPerSec: round(sent.pps, 0),
      received,
      receivedPerSec: round(received / sent.elapsed, 0),
      rxDropped: after.dropped - before.dropped,
      machineBusyBefore: quiet?.busy
    }
  } finally {
    deleteNs(a)
    deleteNs(b)
  }
}

/** Wait until ethernet.received stops moving (the stack drained its queues). */
const settle = async (stack) => {
  let prev = -1
  for (let i = 0; i < 100; i++) {
    const s = (await stack.snapshot()).stats.ethernet.received
    if (s === prev) return
    prev = s
    await sleep(300)
  }
}

const main = async () => {
  const bin = buildFlooder()
  const profDir = join(BENCH_DIR, ".build", `prof-${process.pid}`)
  const ns = makeNs("fl")
  const stack = await startStack(ns, {
    statsMs: 100,
    maxSeconds: 60 + RATES.length * MODES.length * (SECONDS + 40),
    discard: PORTS.open,
    nodeArgs: NODE_ARGS,
    receiveCapacity: RECEIVE_CAPACITY
  })
  // Resolve ARP before the flood (and warm the stack's receive path up a little).
  const warm = inNs(ns, ["ping", "-n", "-q", "-c", "20", "-i", "0.01", "-w", "5", DST], { allowFail: true, timeoutMs: 10_000 })
  if (!/ 0% packet loss/.test(warm)) throw new Error(`stack does not answer ping before the flood:\n${warm}`)
  const neigh = inNs(ns, [IP, "neigh", "show", DST]).trim()

  const result = {
    bench: "flood",
    startedAt: new Date().toISOString(),
    machine: machine(),
    params: { rates: RATES, modes: MODES, ports: PORTS, packets: PACKETS, seconds: SECONDS, payload: PAYLOAD, frameOctets: 14 + 20 + 8 + PAYLOAD, batch: BATCH, quietWaitS: QUIET_WAIT, stackNodeArgs: NODE_ARGS },
    neighbour: neigh,
    floods: []
  }

  if (PROFILE) {
    mkdirSync(profDir, { recursive: true })
    await stack.command("prof-start", "profiling")
  }
  for (const pps of RATES) for (const mode of MODES) {
    process.stdout.write(`flood ${pps === 0 ? "unpaced" : `${pps}/s`} to ${mode} port ${PORTS[mode]} ... `)
    const quiet = QUIET_WAIT > 0 ? await waitQuiet(QUIET_WAIT * 1000) : undefined
    const cpu0 = cpuStat()
    const tapBefore = tapCounters(ns)
    const before = await stack.snapshot()
    const cpuBefore = cpuSeconds(stack.pid)
    const schedBefore = schedstat(stack.pid)
    const sent = await flood(ns, bin, pps, PORTS[mode])
    await settle(stack)
    const after = await stack.snapshot()
    const cpuAfter = cpuSeconds(stack.pid)
    const schedAfter = schedstat(stack.pid)
    const tapAfter = tapCounters(ns)
    const machineBusyDuring = busyBetween(cpu0, cpuStat())

    // The window in which ethernet.received grew, from the 100 ms samples.
    const samples = stack.events.filter((e) => e.event === "stats" && e.t >= before.t && e.t <= after.t)
    let first
    let last
    for (let i = 1; i < samples.length; i++) {
      if (samples[i].stats.ethernet.received > samples[i - 1].stats.ethernet.received) {
        first ??= samples[i - 1]
        last = samples[i]
      }
    }
    const received = after.stats.ethernet.received - before.stats.ethernet.received
    const windowS = first && last ? (last.t - first.t) / 1000 : NaN
    // Per-interval rates strictly inside the window (steady state).
    const inner = []
    for (let i = 1; i < samples.length; i++) {
      const a = samples[i - 1]
      const b = samples[i]
      if (first && a.t > first.t && b.t < last.t) {
        inner.push((b.stats.ethernet.received - a.stats.ethernet.received) / ((b.t - a.t) / 1000))
      }
    }
    const d = (f) => f(after.stats) - f(before.stats)
    const r = {
      mode,
      port: PORTS[mode],
      targetPps: pps,
      flooder: sent,
      sentPerSec: round(sent.pps, 0),
      stack: {
        received,
        windowS: round(windowS, 3),
        receivedPerSec: round(received / windowS, 0),
        steadyPerSec: Object.fromEntries(Object.entries(summarize(inner)).map(([k, v]) => [k, round(v, 0)])),
        cpuUserS: round(cpuAfter.user - cpuBefore.user, 2),
        cpuSystemS: round(cpuAfter.system - cpuBefore.system, 2),
        // CPU the stack got during the window, and frames per CPU-second it used:
        // the machine-noise-resistant figure (a busy neighbour steals wall time, not CPU time).
        cpuUtilization: round((cpuAfter.user - cpuBefore.user + cpuAfter.system - cpuBefore.system) / windowS, 2),
        receivedPerCpuSecond: round(received / (cpuAfter.user - cpuBefore.user + cpuAfter.system - cpuBefore.system), 0),
        // main JS thread only: time on a CPU, and time runnable but waiting for one (CPU contention)
        mainThread: schedDelta(schedBefore, schedAfter),
        linkRxFrames: d((s) => s.link.rxFrames),
        linkRxDropped: d((s) => s.link.rxDropped),
        ethernetQueueDropped: d((s) => s.ethernet.queueDropped),
        ipv4Received: d((s) => s.ipv4.received),
        ipv4QueueDropped: d((s) => s.ipv4.queueDropped),
        udpReceived: d((s) => s.udp.received),
        udpNoPort: d((s) => s.udp.noPort),
        udpQueueDropped: d((s) => s.udp.queueDropped),
        discardReceived: d((s) => s.discard?.received ?? 0),
        icmpErrorsSent: d((s) => s.ipv4.icmpErrorsSent),
        icmpErrorsRateLimited: d((s) => s.ipv4.icmpErrorsRateLimited)
      },
      tap: {
        txPackets: tapAfter.tx.packets - tapBefore.tx.packets,
        txDropped: tapAfter.tx.dropped - tapBefore.tx.dropped,
        rxPackets: tapAfter.rx.packets - tapBefore.rx.packets
      }
    }
    r.machineBusyBefore = quiet?.busy
    r.machineBusyDuring = machineBusyDuring
    r.lossPct = round((100 * (sent.sent - received)) / sent.sent, 2)
    result.floods.push(r)
    console.log(`sent ${r.sentPerSec}/s, stack received ${r.stack.receivedPerSec}/s`)
    await sleep(500)
  }

  if (PROFILE) {
    // The profile covers the floods only (from before the first to after the last settled).
    const file = join(profDir, "stack.cpuprofile")
    const ev = await stack.command(`prof-stop ${file}`, "profile", 30_000)
    if (ev.error) throw new Error(`profiling failed: ${ev.error}`)
    result.profile = summarizeProfile(file, 30)
    const keep = opt("keep-profile", undefined)
    if (keep) execFileSync("cp", [file, keep])
    result.profile.file = keep ?? "(not kept; pass --keep-profile FILE)"
    rmSync(profDir, { recursive: true, force: true })
  }
  result.stackFinal = (await stack.stop())?.stats
  if (BASELINE === "veth") {
    result.baseline = []
    for (const pps of RATES) {
      process.stdout.write(`baseline: flood ${pps === 0 ? "unpaced" : `${pps}/s`} kernel -> kernel over veth ... `)
      const r = await vethBaseline(bin, pps)
      result.baseline.push(r)
      console.log(`sent ${r.sentPerSec}/s, kernel received ${r.receivedPerSec}/s`)
    }
  }
  result.finishedAt = new Date().toISOString()
  const file = writeResult("flood", result)

  console.log(`\nUDP flood into the stack, ${result.params.frameOctets}-octet frames (TAP view); load ${result.machine.loadavg.join(" ")}`)
  const hdr = ["port", "CPU busy before", "offered", "sent/s", "stack recv/s", "steady p50/s", "window s", "stack CPU", "main run s", "main runq-wait s", "recv/CPU-s", "lost %", "link rxDropped", "eth qDrop", "ip qDrop", "tap tx_dropped"]
  const rows = result.floods.map((f) => [
    `${f.mode} ${f.port}`,
    f.machineBusyBefore ?? "-",
    f.targetPps === 0 ? "unpaced" : f.targetPps, f.sentPerSec, f.stack.receivedPerSec, f.stack.steadyPerSec.p50 ?? "-",
    f.stack.windowS, f.stack.cpuUtilization, f.stack.mainThread.runS, f.stack.mainThread.waitS, f.stack.receivedPerCpuSecond, f.lossPct, f.stack.linkRxDropped, f.stack.ethernetQueueDropped, f.stack.ipv4QueueDropped, f.tap.txDropped
  ])
  const w = hdr.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)))
  for (const line of [hdr, ...rows]) console.log(line.map((c, i) => String(c).padStart(w[i])).join("  "))
  for (const b of result.baseline ?? []) {
    const same = result.floods.filter((f) => f.targetPps === b.targetPps)
    console.log(`baseline ${b.targetPps === 0 ? "unpaced" : b.targetPps}: kernel over veth received ${b.receivedPerSec}/s of ${b.sentPerSec}/s sent` +
      same.map((f) => `; stack (${f.mode}) ${f.stack.receivedPerSec}/s = ${round(f.stack.receivedPerSec / b.receivedPerSec, 2)}x`).join(""))
  }
  const best = Math.max(...result.floods.map((f) => f.stack.receivedPerSec))
  console.log(`target >= 300000 frames/s received: ${best >= 300_000 ? "MET" : "MISSED"} (best ${best}/s)`)
  if (result.profile) printProfile(result.profile)
  console.log(`\nresult: ${file}`)
}

runMain(main)
