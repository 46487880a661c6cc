#!/usr/bin/env node
// Bulk TCP over the TAP, 1 and 8 connections at a time (--conns), both directions:
// kernel -> stack (the kernel client sends --mb MiB to the stack's counting
// discard) and stack -> kernel (the stack's source sends --mb MiB to the
// kernel client), with the TAP's offloads (virtio-net headers: TSO and
// checksum offload both ways, "gonet-ts") and without ("gonet-ts no-offload",
// the stack started with --no-offload). Beside it, in the same run, the same C client against the
// same C program as the server, kernel to kernel over a veth pair, with the
// veth's offloads off (TSO/GSO/GRO/checksum: MTU-sized segments checksummed in
// software, what the kernel does for our TAP) and, for reference, on.
//
//   sudo node bench/bulk.mjs [--mb 256] [--rounds 3] [--directions to-stack,from-stack] [--conns 1,8]
//        [--gonet offload,no-offload] [--veth off,on|none] [--seconds 60] [--quiet-wait 60] [--tcp-verify]
//        [--node-args "..."] [--warmup 1] [--profile DIR] [--tree DIR] [--quick]
//
// The figure is the C client's: from connect() returning to the peer's FIN
// (send: all sent, our FIN sent, the peer read everything and ended; recv: the
// last octet and FIN arrived). Gbit/s = octets x 8 / that time. Data: the
// stream is tcpbench.c's pattern (octet o = o % 251); the kernel client checks
// every octet it receives; the stack's discard counts what it reads (and
// checks it with --tcp-verify, which costs the stack CPU).
// --conns N: N concurrent connections, each of --mb/N MiB (the same total), in
// one tcpbench process (its poll loop over N non-blocking sockets, every
// connection's pattern checked as with one; the kernel baseline's server
// likewise accepts N); the figure is the aggregate: total octets x 8 / (the
// first connection established .. the last FIN). N = 1 is tcpbench's plain
// blocking path, as before. Rounds interleave the systems (and N). Every transfer is bounded by --mb and by --seconds (tcpbench's
// alarm; the harness SIGKILLs it by PID 10 s later). A transfer that does not
// complete is recorded with what arrived, the stack's counters and the
// kernel's `ss -tinm` taken just before the deadline; that direction is then
// not run again on the stack.
// Namespaces: the stack's (TAP gbench0, 198.18.0.1 <-> 198.18.0.2) and a veth
// pair (198.18.1.1 <-> 198.18.1.2), deleted on exit, error and signals.
import { join } from "node:path"
import { flag, intOpt, opt } from "./args.mjs"
import { printProfile, summarizeProfile } from "./diag/profile-summary.mjs"
import {
  machine, preflight, printTable, round, runMain, sleep, summarize, treeInfo, treeText, waitQuiet, writeResult, nodeArgsOpt
} from "./lib.mjs"
import {
  buildTcpbench, cpuSeconds, makeVethPair, runTcpbench, ssInfo, STACK, startTcpbenchServer, startTcpStack, VETH_B
} from "./tcp-common.mjs"

const QUICK = flag("quick")
const MB = intOpt("mb", QUICK ? 32 : 256, 1, 4096)
const BYTES = MB * 1024 * 1024
const ROUNDS = intOpt("rounds", QUICK ? 1 : 3, 1, 20)
// unrecorded stack transfers per direction and N before the rounds: the stack's JIT is then as warm
// as the kernel's code (a fresh stack's first 256 MiB into it ran at 1.8-1.9 Gbit/s, the next at 2.6-6.4)
const WARMUP = intOpt("warmup", 1, 0, 5)
const SECONDS = intOpt("seconds", 60, 5, 120)
const QUIET_WAIT = intOpt("quiet-wait", QUICK ? 0 : 60, 0, 600)
const DIRECTIONS = opt("directions", "to-stack,from-stack").split(",")
if (DIRECTIONS.some((d) => d !== "to-stack" && d !== "from-stack")) throw new Error("--directions: to-stack,from-stack")
const CONNS = opt("conns", "1,8").split(",").map(Number)
if (CONNS.some((n) => !Number.isInteger(n) || n < 1 || n > 64 || BYTES % n !== 0)) throw new Error("--conns N,...: 1..64, each dividing --mb MiB")
// the stack's source port for N connections: each sends BYTES / N
const sourcePort = (n) => (n === 1 ? 19 : 2000 + n)
const GONET = opt("gonet", "offload,no-offload").split(",")
if (GONET.some((g) => g !== "offload" && g !== "no-offload")) throw new Error("--gonet offload,no-offload")
const gonetName = (mode) => (mode === "offload" ? "gonet-ts" : "gonet-ts no-offload")
const VETH = opt("veth", "off,on") === "none" ? [] : opt("veth", "off,on").split(",")
if (VETH.some((v) => v !== "off" && v !== "on")) throw new Error("--veth off,on | none")
const TCP_VERIFY = flag("tcp-verify")
const NODE_ARGS = nodeArgsOpt()
const PORTS = { discard: 9, source: 19 }
// --profile DIR: a V8 CPU profile of the stack during each of its transfers, written to DIR and summarized
const PROFILE_DIR = opt("profile", undefined)
let profiled = 0

preflight()

const gbit = (bytes, s) => (bytes * 8) / s / 1e9

/** Run a client; just before its deadline, record the kernel's view of the connection if it still runs. */
const clientWithWatch = async (ns, bin, args, n) => {
  if (n > 1) args = [...args, String(n)]
  let ss
  const watch = setTimeout(() => (ss = ssInfo(ns)), (SECONDS - 2) * 1000)
  const r = await runTcpbench(ns, bin, args, SECONDS)
  clearTimeout(watch)
  return { ...r, ...(ss !== undefined ? { ssBeforeDeadline: ss } : {}) }
}

const stackTransfer = async (s, bin, direction, n, profiling = PROFILE_DIR !== undefined) => {
  const system = gonetName(s.mode)
  const before = await s.stats()
  if (profiling) await s.stack.command("prof-start", "profiling")
  const cpu0 = cpuSeconds(s.stack.pid)
  const client = direction === "to-stack"
    ? await clientWithWatch(s.ns, bin, ["send", STACK, String(PORTS.discard), String(BYTES / n), String(SECONDS)], n)
    : await clientWithWatch(s.ns, bin, ["recv", STACK, String(sourcePort(n)), String(BYTES / n), String(SECONDS)], n)
  await sleep(200)
  const after = await s.stats()
  const cpu = cpuSeconds(s.stack.pid) - cpu0
  let profile
  if (profiling) {
    const file = join(PROFILE_DIR, `bulk-${s.mode}-${direction}-${++profiled}.cpuprofile`)
    const ev = await s.stack.command(`prof-stop ${file}`, "profile", 60_000)
    if (ev.error) throw new Error(`profiling failed: ${ev.error}`)
    profile = summarizeProfile(file, 25)
    printProfile(profile)
  }
  const stackBytes = direction === "to-stack"
    ? after.tcpBench.discard.bytes - before.tcpBench.discard.bytes
    : after.tcpBench.source.bytes - before.tcpBench.source.bytes
  const mismatches = direction === "to-stack" ? after.tcpBench.discard.mismatches - before.tcpBench.discard.mismatches : client.mismatches ?? 0
  const complete = client.error === undefined && !client.timedOut && !(client.errors > 0) && client.bytes === BYTES && stackBytes === BYTES
  // the connections the stack finished during this transfer (its last 16), their retransmissions summed
  const conns = after.tcpBench.last.slice(-n)
  return {
    system, path: "TAP", direction, conns: n, complete, client,
    stackBytes, mismatches, gbitPerSec: complete ? round(gbit(BYTES, client.seconds), 3) : undefined,
    stackCpuSeconds: round(cpu, 2), stackCpuPerSecond: round(cpu / (client.seconds || 1), 2),
    tcpSegmentsIn: after.tcp.received - before.tcp.received, tcpSegmentsOut: after.tcp.segmentsSent - before.tcp.segmentsSent,
    linkRxDropped: after.link.rxDropped - before.link.rxDropped, linkTxDropped: after.link.txDropped - before.link.txDropped,
    tcpArrivalsDropped: after.tcp.arrivalsDropped - before.tcp.arrivalsDropped,
    connection: n === 1 ? after.tcpBench.last.at(-1) : sumInfo(conns),
    ...(profile !== undefined ? { profile } : {}),
    ...(complete ? {} : { stackStats: after })
  }
}

const vethTransfer = async (v, bin, direction, n) => {
  const more = n > 1 ? [String(n)] : []
  const server = direction === "to-stack"
    ? await startTcpbenchServer(v.b, bin, ["serve-discard", VETH_B, String(PORTS.discard), String(SECONDS), ...more], SECONDS)
    : await startTcpbenchServer(v.b, bin, ["serve-source", VETH_B, String(PORTS.source), String(BYTES / n), String(SECONDS), ...more], SECONDS)
  const client = direction === "to-stack"
    ? await clientWithWatch(v.a, bin, ["send", VETH_B, String(PORTS.discard), String(BYTES / n), String(SECONDS)], n)
    : await clientWithWatch(v.a, bin, ["recv", VETH_B, String(PORTS.source), String(BYTES / n), String(SECONDS)], n)
  const srv = await server.result()
  const mismatches = direction === "to-stack" ? srv.mismatches ?? 0 : client.mismatches ?? 0
  const complete = client.error === undefined && !client.timedOut && !(client.errors > 0) && !(srv.errors > 0) && client.bytes === BYTES && srv.bytes === BYTES
  return {
    system: `kernel veth offloads ${v.offloads}`, path: "veth", direction, conns: n, complete, client, server: srv, mismatches,
    gbitPerSec: complete ? round(gbit(BYTES, client.seconds), 3) : undefined
  }
}

/** N connections' ConnectionInfo: the counters summed, the rest (srtt, cwnd, mss, ...) as each connection's. */
const COUNTERS = ["segmentsSent", "retransmits", "fastRetransmits", "tailProbes", "timeouts", "bytesAcked", "bytesReceived", "arrivalsDropped"]
const sumInfo = (infos) => {
  const out = { kind: infos[0]?.kind, connections: infos.length }
  for (const k of COUNTERS) out[k] = infos.reduce((a, i) => a + (typeof i[k] === "number" ? i[k] : 0), 0)
  out.each = infos.map((i) => Object.fromEntries(Object.entries(i).filter(([k]) => !COUNTERS.includes(k) && k !== "kind")))
  return out
}

/** The spread of N connections' own times (first established .. last FIN is the figure). */
const spread = (client) =>
  Array.isArray(client.perConn) ? ` [per connection ${round(Math.min(...client.perConn.map((c) => c.seconds)), 2)}-${round(Math.max(...client.perConn.map((c) => c.seconds)), 2)} s]` : ""

const line = (r) =>
  `${r.system.padEnd(24)} ${r.direction.padEnd(10)} x${String(r.conns).padEnd(2)} ` +
  (r.complete ? `${r.gbitPerSec} Gbit/s (${round(r.client.seconds, 3)} s)${spread(r.client)}` : `INCOMPLETE: client ${JSON.stringify({ bytes: r.client.bytes, timedOut: r.client.timedOut, error: r.client.error, stderr: r.client.stderr })}, ${r.server !== undefined ? `server ${JSON.stringify(r.server)}` : `stack got ${r.stackBytes}`}`) +
  (r.stackCpuPerSecond !== undefined ? `, stack CPU ${r.stackCpuPerSecond} s/s` : "") +
  (r.mismatches > 0 ? `  DATA MISMATCH: ${r.mismatches} octets` : "") +
  (r.connection ? `, retransmits ${r.connection.retransmits} (fast ${r.connection.fastRetransmits}, timeouts ${r.connection.timeouts})` : "")

const main = async () => {
  const bin = buildTcpbench()
  const result = {
    bench: "bulk",
    startedAt: new Date().toISOString(),
    machine: machine(),
    tree: treeInfo(),
    params: { mb: MB, bytes: BYTES, conns: CONNS, rounds: ROUNDS, warmup: WARMUP, seconds: SECONDS, directions: DIRECTIONS, gonet: GONET, veth: VETH, tcpVerify: TCP_VERIFY, quietWaitS: QUIET_WAIT, ports: PORTS, stackNodeArgs: NODE_ARGS },
    transfers: []
  }
  // one stack per mode, each in its own namespace, alive for the whole run
  const stacks = []
  for (const mode of GONET) {
    const st = await startTcpStack({
      tcp: [`discard:${PORTS.discard}`, ...CONNS.map((n) => (n === 1 ? `source:${sourcePort(1)}` : `source:${sourcePort(n)}:${BYTES / n}`))].join(","),
      sourceBytes: BYTES,
      tcpVerify: TCP_VERIFY,
      maxSeconds: 120 + ROUNDS * (DIRECTIONS.length * CONNS.length * (GONET.length + VETH.length)) * (SECONDS + QUIET_WAIT + 10),
      nodeArgs: NODE_ARGS,
      offload: mode === "offload"
    })
    stacks.push({ ...st, mode })
  }
  result.tapFeatures = Object.fromEntries(stacks.map((st) => [st.mode, st.tapFeatures]))
  const vethPairs = VETH.map((o) => makeVethPair(o))
  result.vethFeatures = Object.fromEntries(vethPairs.map((v) => [v.offloads, v.features]))
  // a stack (its mode), direction and N that did not complete: not run again
  const stalled = new Set()
  const stallKey = (mode, direction, n) => `${mode} ${direction} ${n}`
  result.warmup = []
  try {
    // --warmup: each stack's paths run before anything is recorded (not profiled, not in the figures)
    for (let w = 0; w < WARMUP; w++) {
      for (const direction of DIRECTIONS) for (const n of CONNS) for (const st of stacks) {
        if (stalled.has(stallKey(st.mode, direction, n))) continue
        const t = await stackTransfer(st, bin, direction, n, false)
        result.warmup.push({ direction, conns: n, system: t.system, complete: t.complete, gbitPerSec: t.gbitPerSec })
        console.log(`warm-up     ${line(t)}`)
        if (!t.complete) stalled.add(stallKey(st.mode, direction, n))
      }
    }
    for (let r = 0; r < ROUNDS; r++) {
      for (const direction of DIRECTIONS) for (const n of CONNS) {
        const runs = [
          ...stacks.filter((st) => !stalled.has(stallKey(st.mode, direction, n))).map((st) => () => stackTransfer(st, bin, direction, n)),
          ...vethPairs.map((v) => () => vethTransfer(v, bin, direction, n))
        ]
        if (r % 2 === 1) runs.reverse()
        for (const run of runs) {
          const quiet = QUIET_WAIT > 0 ? await waitQuiet(QUIET_WAIT * 1000) : undefined
          const t = { round: r, machineBusyBefore: quiet?.busy, ...(await run()) }
          result.transfers.push(t)
          console.log(`round ${r + 1}/${ROUNDS}  ${line(t)}`)
          if (t.path === "TAP" && !t.complete) {
            stalled.add(stallKey(t.system === "gonet-ts" ? "offload" : "no-offload", direction, n))
            console.log(`  stack did not complete ${direction} with ${n} connection(s); not run again. kernel ss before the deadline:\n${t.client.ssBeforeDeadline ?? "(client had ended)"}`)
          }
        }
      }
    }
  } finally {
    for (const v of vethPairs) v.remove()
    result.stackFinal = {}
    for (const st of stacks) result.stackFinal[st.mode] = (await st.stack.stop())?.stats
  }
  result.summary = []
  for (const direction of DIRECTIONS) for (const conns of CONNS) {
    for (const system of [...GONET.map(gonetName), ...VETH.map((o) => `kernel veth offloads ${o}`)]) {
      const ts = result.transfers.filter((t) => t.direction === direction && t.conns === conns && t.system === system)
      const ok = ts.filter((t) => t.complete && t.mismatches === 0)
      const g = summarize(ok.map((t) => t.gbitPerSec))
      result.summary.push({
        direction, conns, system, runs: ts.length, complete: ok.length,
        gbitPerSec: { min: round(g.min, 3), p50: round(g.p50, 3), max: round(g.max, 3) },
        ...(system.startsWith("gonet-ts") ? { stackCpuPerSecondP50: round(summarize(ok.map((t) => t.stackCpuPerSecond)).p50, 2) } : {})
      })
    }
  }
  result.finishedAt = new Date().toISOString()
  const file = writeResult("bulk", result)
  console.log(`\nbulk TCP, ${CONNS.join(" and ")} connection(s), ${MB} MiB per transfer (MB/N each), ${ROUNDS} round(s); ${treeText(result.tree)}; load ${result.machine.loadavg.join(" ")}`)
  printTable(
    ["direction", "conns", "system", "runs", "complete", "Gbit/s min", "median", "max", "stack CPU s/s"],
    result.summary.map((x) => [x.direction, x.conns, x.system, x.runs, x.complete, x.gbitPerSec.min, x.gbitPerSec.p50, x.gbitPerSec.max, x.stackCpuPerSecondP50 ?? ""]),
    { leftFirst: true }
  )
  console.log(`result: ${file}`)
}

runMain(main)
