#!/usr/bin/env node
// Floods of minimum-size frames from the Linux kernel into the stack over a
// TAP, in a namespace made and deleted here, beside the same floods kernel to
// kernel over a veth pair in the same run. Receive side (modes open, closed):
// frames per second the stack's Ethernet dealer takes in. Send side (modes
// udp-echo, icmp-echo): echo replies per second the kernel gets back.
//
//   sudo node bench/flood.mjs [--rates 0,300000] [--modes open,closed]
//        [--packets 3000000] [--seconds 5] [--payload 18] [--batch 64]
//        [--baseline veth|none] [--quiet-wait 120] [--profile [--keep-profile F]]
//        [--node-args "..."] [--receive-capacity N] [--tree DIR]
//   sudo node bench/flood.mjs --modes udp-echo,icmp-echo    # the send side (rates default 0,50000)
//
// Frame size: payload 18 -> 14 Ethernet + 20 IPv4 + 8 UDP (or ICMP) + 18 = 60
// octets as the TAP carries them (no FCS), i.e. a 64-octet frame on a wire.
//
// Each (rate, mode) is one flood by bench/udpflood.c (built here with cc -O2
// into bench/.build/): rate 0 = as fast as the kernel takes sendmmsg batches
// of --batch, N = paced to N datagrams/s. Every flood is bounded by --packets
// AND --seconds (inside udpflood.c; in the echo modes its reader stops at most
// 5 s after the last send; the harness also SIGKILLs it, by PID, after
// --seconds + 10 s). Modes:
//   open       UDP port 9, where the stack server runs a discard socket (the
//              normal receive path up to a socket)
//   closed     UDP port 10, nobody bound (ICMP port unreachable, rate-limited by the stack)
//   udp-echo   UDP port 7, the stack's echo service (Udp.serveEcho, as `gonet up
//              --serve udp-echo:7`); the flooder reads the echoes off its own socket
//   icmp-echo  ICMP echo requests from an ICMP datagram socket (ping_group_range is
//              set in the namespace); the flooder reads the echo replies
// ARP is resolved (20 pings) before the first flood.
//
// Measured on the stack side from Stack.stats, sampled every 100 ms by
// bench/stack-server.mjs:
//   received/s = delta of ethernet.received / the window in which it grew
//   sent/s     = delta of link.txFrames / the window in which it grew
// plus link.rxDropped (frames lost because the link's receive mailbox was full),
// link.txDropped (frames the TAP refused), ethernet/ipv4 queue drops, the
// kernel TAP's tx_dropped (frames the kernel dropped because our reader did
// not keep up), the CPU the stack process used (/proc/PID/stat) and its main
// thread's run / run-queue-wait time (/proc/PID/task/PID/schedstat): the
// machine is a shared 2-vCPU VM, so "frames per CPU-second" is the figure
// least disturbed by neighbours. On the kernel side, for the echo modes: the
// replies the flooder read (replies/s over its first..last reply window), and
// the namespace's /proc/net/snmp (Udp InDatagrams/RcvbufErrors, Icmp InEchoReps).
// --quiet-wait S waits (up to S s) before each flood until the CPUs are <= 20 % busy.
// --profile: a V8 CPU profile of the stack over the floods only (stdin command
// to the stack server), summarized by bench/diag/profile-summary.mjs.
// --tree DIR: measure the stack built in another checkout (see lib.mjs).
import { flag, opt } from "./args.mjs"
import { execFileSync, spawn } from "node:child_process"
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from "node:fs"
import { join } from "node:path"
import {
  runMain, assertBenchAddress, BENCH_DIR, busyBetween, cpuStat, deleteNs, inNs, IP, linkStats, machine, makeNs,
  preflight, printTable, round, schedDelta, schedstat, sleep, startStack, summarize, track, treeInfo, treeText,
  waitExit, waitQuiet, writeResult, nodeArgsOpt
} from "./lib.mjs"
import { printProfile, summarizeProfile } from "./diag/profile-summary.mjs"

// open: UDP port 9, where the stack server runs a discard socket (the normal receive path);
// closed: UDP port 10, nobody bound (every datagram -> ICMP port unreachable, rate-limited);
// udp-echo: UDP port 7, the stack's echo service; icmp-echo: ICMP echo requests (no port).
const MODES = opt("modes", "open,closed").split(",")
const PORTS = { open: 9, closed: 10, "udp-echo": 7, "icmp-echo": 0 }
if (MODES.some((m) => !(m in PORTS))) throw new Error("--modes: any of open,closed,udp-echo,icmp-echo")
const ECHO = new Set(["udp-echo", "icmp-echo"])
// default rates: unpaced, and a paced rate the stack is meant to take whole
// (receive: 300 k/s; echo: 50 k/s, where the send side has to keep up too)
const RATES = opt("rates", MODES.every((m) => ECHO.has(m)) ? "0,50000" : "0,300000").split(",").map(Number)
const PACKETS = Number(opt("packets", "3000000"))
const SECONDS = Number(opt("seconds", "5"))
const PAYLOAD = Number(opt("payload", "18"))
const BATCH = Number(opt("batch", "64"))
const PROFILE = flag("profile")
const QUIET_WAIT = Number(opt("quiet-wait", "120"))
// --baseline veth: also flood the Linux kernel over a veth pair (same flooder,
// closed port, 198.18.1.1 -> 198.18.1.2) for a same-run reference.
const BASELINE = opt("baseline", "veth")
// --node-args "...": node flags for the stack process (default: bin/gonet.js's, lib.mjs stackNodeArgs)
const NODE_ARGS = nodeArgsOpt()
const RECEIVE_CAPACITY = opt("receive-capacity", undefined)
if (RATES.some((r) => !(r >= 0 && r <= 10_000_000))) throw new Error("--rates: 0 (unpaced) or 1..1e7 each")
if (!(PACKETS >= 1 && PACKETS <= 20_000_000) || !(SECONDS > 0 && SECONDS <= 30)) {
  throw new Error("--packets 1..2e7, --seconds (0,30] (bounded load)")
}
const TAP = "gbench0"
const DST = "198.18.0.2"

preflight()

/** bench/NAME.c built into bench/.build/NAME (again when the source is newer); its path. */
const buildC = (name, flags = []) => {
  const dir = join(BENCH_DIR, ".build")
  mkdirSync(dir, { recursive: true })
  const src = join(BENCH_DIR, `${name}.c`)
  const bin = join(dir, name)
  if (!existsSync(bin) || statSync(bin).mtimeMs < statSync(src).mtimeMs) {
    execFileSync("cc", ["-O2", "-Wall", ...flags, "-o", bin, src], { stdio: "inherit", timeout: 60_000 })
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

/** The namespace's kernel counters: the Udp and Icmp rows of /proc/net/snmp. */
const snmp = (ns) => {
  const lines = inNs(ns, ["cat", "/proc/net/snmp"]).trim().split("\n")
  const out = {}
  for (let i = 0; i + 1 < lines.length; i += 2) {
    const [proto, ...names] = lines[i].split(/\s+/)
    const values = lines[i + 1].split(/\s+/).slice(1).map(Number)
    out[proto.replace(/:$/, "")] = Object.fromEntries(names.map((n, k) => [n, values[k]]))
  }
  return out
}
const snmpDelta = (a, b) => ({
  udpInDatagrams: b.Udp.InDatagrams - a.Udp.InDatagrams,
  udpRcvbufErrors: b.Udp.RcvbufErrors - a.Udp.RcvbufErrors,
  udpInErrors: b.Udp.InErrors - a.Udp.InErrors,
  icmpInEchoReps: b.Icmp.InEchoReps - a.Icmp.InEchoReps,
  icmpInMsgs: b.Icmp.InMsgs - a.Icmp.InMsgs,
  icmpInErrors: b.Icmp.InErrors - a.Icmp.InErrors
})

const flood = async (ns, bin, pps, mode, dst = DST) => {
  assertBenchAddress(dst)
  // udpflood.c's mode: the echo modes by name, else send; it ignores the port in icmp-echo
  const argv = [bin, dst, String(PORTS[mode]), String(PAYLOAD), String(PACKETS), String(SECONDS), String(BATCH), String(pps), ECHO.has(mode) ? mode : "send"]
  const child = track(spawn(IP, ["netns", "exec", ns, ...argv], { stdio: ["ignore", "pipe", "pipe"] }))
  let out = ""
  let err = ""
  child.stdout.setEncoding("utf8").on("data", (d) => (out += d))
  child.stderr.setEncoding("utf8").on("data", (d) => (err += d))
  const code = await waitExit(child, (SECONDS + 10) * 1000)
  if (code !== 0) throw new Error(`udpflood exited ${code}: ${err.trim()}`)
  return JSON.parse(out.trim().split("\n").pop())
}

/** The echo replies a flood got back, as the flooder counted them. */
const replyFigures = (sent) => ({
  replies: sent.replies,
  badReplies: sent.badReplies,
  repliesPerSec: round(sent.replyPps, 0),
  repliesPctOfSent: round((100 * sent.replies) / Math.max(1, sent.sent), 2),
  replyWindowS: round(sent.lastReply - sent.firstReply, 3)
})

/**
 * The same flood, kernel to kernel over a veth pair. kind "receive": to a
 * closed port, what the receiving kernel takes in; "icmp-echo": the kernel's
 * own echo replies; "udp-echo": replies of udpecho.c (recvmmsg/sendmmsg in C)
 * on the receiving side, counted as the stack's are.
 */
const vethBaseline = async ({ bin, echoBin }, pps, kind) => {
  const a = makeNs("fa")
  const b = makeNs("fb")
  let server
  try {
    inNs(a, [IP, "link", "add", "gbfa", "type", "veth", "peer", "name", "gbfb", "netns", b])
    inNs(a, [IP, "addr", "add", assertBenchAddress("198.18.1.1/24"), "dev", "gbfa"])
    inNs(b, [IP, "addr", "add", assertBenchAddress("198.18.1.2/24"), "dev", "gbfb"])
    inNs(a, [IP, "link", "set", "gbfa", "up"])
    inNs(b, [IP, "link", "set", "gbfb", "up"])
    inNs(a, ["sysctl", "-q", "-w", "net.ipv4.ping_group_range=0 2147483647"])
    inNs(a, ["ping", "-n", "-q", "-c", "3", "-i", "0.2", "-w", "5", "198.18.1.2"], { allowFail: true })
    const quiet = QUIET_WAIT > 0 ? await waitQuiet(QUIET_WAIT * 1000) : undefined
    let serverOut = ""
    if (kind === "udp-echo") {
      // started after the quiet wait: its own bound (--seconds + 15) has to cover the flood
      const argv = [echoBin, assertBenchAddress("198.18.1.2"), String(PORTS["udp-echo"]), String(SECONDS + 15), String(PACKETS)]
      server = track(spawn(IP, ["netns", "exec", b, ...argv], { stdio: ["ignore", "pipe", "pipe"] }))
      server.stdout.setEncoding("utf8").on("data", (d) => (serverOut += d))
      await new Promise((resolve, reject) => {
        server.stdout.on("data", () => serverOut.includes("ready") && resolve())
        server.once("exit", (c) => reject(new Error(`udpecho exited ${c} before it was ready`)))
      })
    }
    const before = linkStats(b, "gbfb").rx
    const snmpBefore = snmp(a)
    const sent = await flood(a, bin, pps, kind === "receive" ? "closed" : kind, "198.18.1.2")
    await sleep(300)
    const after = linkStats(b, "gbfb").rx
    const received = after.packets - before.packets
    let echoServer
    if (server !== undefined) {
      // our child (ip netns exec execs udpecho): on SIGTERM it prints its counts and exits
      if (server.exitCode === null && server.signalCode === null) process.kill(server.pid, "SIGTERM")
      await waitExit(server, 5_000)
      // Its last line is its counts; if it was stopped before printing them, say so instead of failing the run.
      const last = serverOut.trim().split("\n").pop() ?? ""
      try {
        echoServer = JSON.parse(last)
      } catch {
        echoServer = { error: `udpecho printed no counts (last line: ${JSON.stringify(last)})` }
      }
    }
    return {
      target: kind === "receive" ? "kernel over veth (closed port)" : kind === "icmp-echo" ? "kernel over veth (its ICMP echo)" : "kernel over veth + udpecho.c",
      kind,
      targetPps: pps,
      flooder: sent,
      sentPerSec: round(sent.pps, 0),
      received,
      receivedPerSec: round(received / sent.elapsed, 0),
      rxDropped: after.dropped - before.dropped,
      ...(kind === "receive" ? {} : { kernel: { ...replyFigures(sent), snmp: snmpDelta(snmpBefore, snmp(a)) }, echoServer }),
      machineBusyBefore: quiet?.busy
    }
  } finally {
    if (server !== undefined && server.exitCode === null && server.signalCode === null) process.kill(server.pid, "SIGKILL")
    deleteNs(a)
    deleteNs(b)
  }
}

/** Wait until ethernet.received and link.txFrames stop moving (the stack drained its queues). */
const settle = async (stack) => {
  let prev = ""
  for (let i = 0; i < 100; i++) {
    const st = (await stack.snapshot()).stats
    const s = `${st.ethernet.received} ${st.link.txFrames}`
    if (s === prev) return
    prev = s
    await sleep(300)
  }
}

/**
 * From the 100 ms stats samples: the window in which counter f grew (from the
 * sample before its first rise to the sample of its last), the growth in it,
 * and the per-interval rates strictly inside it (steady state).
 */
const growth = (samples, f) => {
  let first
  let last
  for (let i = 1; i < samples.length; i++) {
    if (f(samples[i].stats) > f(samples[i - 1].stats)) {
      first ??= samples[i - 1]
      last = samples[i]
    }
  }
  if (first === undefined) return { count: 0, windowS: NaN, perSec: 0, steadyPerSec: {} }
  const inner = []
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1]
    const b = samples[i]
    if (a.t > first.t && b.t < last.t) inner.push((f(b.stats) - f(a.stats)) / ((b.t - a.t) / 1000))
  }
  const count = f(last.stats) - f(first.stats)
  const windowS = (last.t - first.t) / 1000
  return {
    count,
    windowS: round(windowS, 3),
    perSec: round(count / windowS, 0),
    steadyPerSec: Object.fromEntries(Object.entries(summarize(inner)).map(([k, v]) => [k, round(v, 0)]))
  }
}

const rateText = (pps) => (pps === 0 ? "unpaced" : `${pps}/s`)
const modeText = (mode) => (mode === "icmp-echo" ? mode : `${mode} port ${PORTS[mode]}`)

const main = async () => {
  const bins = { bin: buildC("udpflood", ["-pthread"]), echoBin: buildC("udpecho") }
  const profDir = join(BENCH_DIR, ".build", `prof-${process.pid}`)
  const ns = makeNs("fl")
  // ICMP datagram sockets for the flooder (icmp-echo), which runs as root
  inNs(ns, ["sysctl", "-q", "-w", "net.ipv4.ping_group_range=0 2147483647"])
  const stack = await startStack(ns, {
    statsMs: 100,
    maxSeconds: 60 + RATES.length * MODES.length * (SECONDS + 40),
    discard: PORTS.open,
    serve: MODES.includes("udp-echo") ? `udp-echo:${PORTS["udp-echo"]}` : undefined,
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
    tree: treeInfo(),
    params: { rates: RATES, modes: MODES, ports: PORTS, packets: PACKETS, seconds: SECONDS, payload: PAYLOAD, frameOctets: 14 + 20 + 8 + PAYLOAD, batch: BATCH, quietWaitS: QUIET_WAIT, stackNodeArgs: NODE_ARGS },
    neighbour: neigh,
    floods: []
  }

  if (PROFILE) {
    mkdirSync(profDir, { recursive: true })
    await stack.command("prof-start", "profiling")
  }
  for (const pps of RATES) for (const mode of MODES) {
    process.stdout.write(`flood ${rateText(pps)} to ${modeText(mode)} ... `)
    const quiet = QUIET_WAIT > 0 ? await waitQuiet(QUIET_WAIT * 1000) : undefined
    const cpu0 = cpuStat()
    const tapBefore = linkStats(ns, TAP)
    const snmpBefore = snmp(ns)
    const before = await stack.snapshot()
    const cpuBefore = cpuSeconds(stack.pid)
    const schedBefore = schedstat(stack.pid)
    const sent = await flood(ns, bins.bin, pps, mode)
    await settle(stack)
    const after = await stack.snapshot()
    const cpuAfter = cpuSeconds(stack.pid)
    const schedAfter = schedstat(stack.pid)
    const tapAfter = linkStats(ns, TAP)
    const snmpAfter = snmp(ns)
    const machineBusyDuring = busyBetween(cpu0, cpuStat())

    const samples = stack.events.filter((e) => e.event === "stats" && e.t >= before.t && e.t <= after.t)
    const rx = growth(samples, (s) => s.ethernet.received)
    const tx = growth(samples, (s) => s.link.txFrames)
    const received = after.stats.ethernet.received - before.stats.ethernet.received
    const cpuS = cpuAfter.user - cpuBefore.user + cpuAfter.system - cpuBefore.system
    // the stack's busy window: receiving and (echo modes) sending
    const busyS = Math.max(rx.windowS, ECHO.has(mode) ? tx.windowS : 0)
    const d = (f) => f(after.stats) - f(before.stats)
    const r = {
      mode,
      port: PORTS[mode],
      targetPps: pps,
      flooder: sent,
      sentPerSec: round(sent.pps, 0),
      stack: {
        received,
        windowS: rx.windowS,
        receivedPerSec: round(received / rx.windowS, 0),
        steadyPerSec: rx.steadyPerSec,
        sent: d((s) => s.link.txFrames),
        sentWindowS: tx.windowS,
        sentPerSec: tx.perSec,
        sentSteadyPerSec: tx.steadyPerSec,
        cpuUserS: round(cpuAfter.user - cpuBefore.user, 2),
        cpuSystemS: round(cpuAfter.system - cpuBefore.system, 2),
        // CPU the stack got during the window, and frames per CPU-second it used:
        // the machine-noise-resistant figure (a busy neighbour steals wall time, not CPU time).
        cpuUtilization: round(cpuS / busyS, 2),
        receivedPerCpuSecond: round(received / cpuS, 0),
        sentPerCpuSecond: round(d((s) => s.link.txFrames) / cpuS, 0),
        // main JS thread only: time on a CPU, and time runnable but waiting for one (CPU contention)
        mainThread: schedDelta(schedBefore, schedAfter),
        linkRxFrames: d((s) => s.link.rxFrames),
        linkRxDropped: d((s) => s.link.rxDropped),
        linkTxFrames: d((s) => s.link.txFrames),
        linkTxDropped: d((s) => s.link.txDropped),
        linkTxQueueFull: d((s) => s.link.txQueueFull ?? NaN),
        ethernetQueueDropped: d((s) => s.ethernet.queueDropped),
        ipv4Received: d((s) => s.ipv4.received),
        ipv4QueueDropped: d((s) => s.ipv4.queueDropped),
        udpReceived: d((s) => s.udp.received),
        udpNoPort: d((s) => s.udp.noPort),
        udpQueueDropped: d((s) => s.udp.queueDropped),
        udpSent: d((s) => s.udp.sent),
        icmpEchoRequests: d((s) => s.icmp.echoRequests),
        discardReceived: d((s) => s.discard?.received ?? 0),
        icmpErrorsSent: d((s) => s.ipv4.icmpErrorsSent),
        icmpErrorsRateLimited: d((s) => s.ipv4.icmpErrorsRateLimited)
      },
      tap: {
        // kernel -> stack
        txPackets: tapAfter.tx.packets - tapBefore.tx.packets,
        txDropped: tapAfter.tx.dropped - tapBefore.tx.dropped,
        // stack -> kernel
        rxPackets: tapAfter.rx.packets - tapBefore.rx.packets,
        rxDropped: tapAfter.rx.dropped - tapBefore.rx.dropped
      },
      ...(ECHO.has(mode) ? { kernel: { ...replyFigures(sent), snmp: snmpDelta(snmpBefore, snmpAfter) } } : {})
    }
    r.machineBusyBefore = quiet?.busy
    r.machineBusyDuring = machineBusyDuring
    r.lossPct = round((100 * (sent.sent - received)) / sent.sent, 2)
    result.floods.push(r)
    console.log(`sent ${r.sentPerSec}/s, stack received ${r.stack.receivedPerSec}/s` +
      (r.kernel ? `, stack sent ${r.stack.sentPerSec}/s, kernel got ${r.kernel.repliesPerSec} replies/s (${r.kernel.repliesPctOfSent} % of sent)` : ""))
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
    const kinds = [
      ...(MODES.some((m) => !ECHO.has(m)) ? ["receive"] : []),
      ...MODES.filter((m) => ECHO.has(m))
    ]
    for (const pps of RATES) for (const kind of kinds) {
      process.stdout.write(`baseline: flood ${rateText(pps)} kernel -> kernel over veth (${kind}) ... `)
      const r = await vethBaseline(bins, pps, kind)
      result.baseline.push(r)
      console.log(`sent ${r.sentPerSec}/s, kernel received ${r.receivedPerSec}/s` +
        (r.kernel ? `, replies ${r.kernel.repliesPerSec}/s (${r.kernel.repliesPctOfSent} % of sent)` : ""))
    }
  }
  result.finishedAt = new Date().toISOString()
  const file = writeResult("flood", result)

  console.log(`\nfloods into the stack, ${result.params.frameOctets}-octet frames (TAP view); load ${result.machine.loadavg.join(" ")}; ${treeText(result.tree)}`)
  const recv = result.floods.filter((f) => !ECHO.has(f.mode))
  if (recv.length > 0) {
    console.log("receive side:")
    printTable(
      ["mode", "CPU busy before", "offered", "sent/s", "stack recv/s", "steady p50/s", "window s", "stack CPU", "main run s", "main runq-wait s", "recv/CPU-s", "lost %", "link rxDropped", "eth qDrop", "ip qDrop", "tap tx_dropped"],
      recv.map((f) => [
        modeText(f.mode), f.machineBusyBefore ?? "-", rateText(f.targetPps), f.sentPerSec, f.stack.receivedPerSec, f.stack.steadyPerSec.p50 ?? "-",
        f.stack.windowS, f.stack.cpuUtilization, f.stack.mainThread.runS, f.stack.mainThread.waitS, f.stack.receivedPerCpuSecond, f.lossPct, f.stack.linkRxDropped, f.stack.ethernetQueueDropped, f.stack.ipv4QueueDropped, f.tap.txDropped
      ])
    )
  }
  const echo = result.floods.filter((f) => ECHO.has(f.mode))
  if (echo.length > 0) {
    console.log("send side (echo):")
    printTable(
      ["mode", "CPU busy before", "offered", "sent/s", "stack recv/s", "stack sent/s", "kernel replies/s", "replies % of sent", "stack CPU", "main runq-wait s", "sent/CPU-s", "tap tx_dropped", "link txDropped", "kernel rcvbuf drops"],
      echo.map((f) => [
        f.mode, f.machineBusyBefore ?? "-", rateText(f.targetPps), f.sentPerSec, f.stack.receivedPerSec, f.stack.sentPerSec, f.kernel.repliesPerSec, f.kernel.repliesPctOfSent,
        f.stack.cpuUtilization, f.stack.mainThread.waitS, f.stack.sentPerCpuSecond, f.tap.txDropped, f.stack.linkTxDropped, f.kernel.snmp.udpRcvbufErrors
      ])
    )
  }
  for (const b of result.baseline ?? []) {
    const same = result.floods.filter((f) => f.targetPps === b.targetPps && (b.kind === "receive" ? !ECHO.has(f.mode) : f.mode === b.kind))
    if (b.kind === "receive") {
      console.log(`baseline ${rateText(b.targetPps)}: kernel over veth received ${b.receivedPerSec}/s of ${b.sentPerSec}/s sent` +
        same.map((f) => `; stack (${f.mode}) ${f.stack.receivedPerSec}/s = ${round(f.stack.receivedPerSec / b.receivedPerSec, 2)}x`).join(""))
    } else {
      console.log(`baseline ${rateText(b.targetPps)} ${b.kind}: ${b.target} answered ${b.kernel.repliesPerSec} replies/s of ${b.sentPerSec}/s sent` +
        same.map((f) => `; stack ${f.kernel.repliesPerSec}/s = ${round(f.kernel.repliesPerSec / b.kernel.repliesPerSec, 2)}x`).join(""))
    }
  }
  if (recv.length > 0) {
    const best = Math.max(...recv.map((f) => f.stack.receivedPerSec))
    console.log(`target >= 300000 frames/s received: ${best >= 300_000 ? "MET" : "MISSED"} (best ${best}/s)`)
  }
  if (result.profile) printProfile(result.profile)
  console.log(`\nresult: ${file}`)
}

runMain(main)
