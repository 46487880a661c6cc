#!/usr/bin/env node
// Bulk TCP over the TAP, one connection at a time, both directions:
// kernel -> stack (the kernel client sends --mb MiB to the stack's counting
// discard) and stack -> kernel (the stack's source sends --mb MiB to the
// kernel client), with the TAP's offloads (virtio-net headers: TSO and
// checksum offload both ways, "gonet-ts") and without ("gonet-ts no-offload",
// the stack started with --no-offload). Beside it, in the same run, the same C client against the
// same C program as the server, kernel to kernel over a veth pair, with the
// veth's offloads off (TSO/GSO/GRO/checksum: MTU-sized segments checksummed in
// software, what the kernel does for our TAP) and, for reference, on.
//
//   sudo node bench/bulk.mjs [--mb 256] [--rounds 3] [--directions to-stack,from-stack]
//        [--gonet offload,no-offload] [--veth off,on|none] [--seconds 60] [--quiet-wait 60] [--tcp-verify]
//        [--node-args "--max-semi-space-size=64"] [--profile DIR] [--tree DIR] [--quick]
//
// The figure is the C client's: from connect() returning to the peer's FIN
// (send: all sent, our FIN sent, the peer read everything and ended; recv: the
// last octet and FIN arrived). Gbit/s = octets x 8 / that time. Data: the
// stream is tcpbench.c's pattern (octet o = o % 251); the kernel client checks
// every octet it receives; the stack's discard counts what it reads (and
// checks it with --tcp-verify, which costs the stack CPU). Rounds interleave
// the systems. Every transfer is bounded by --mb and by --seconds (tcpbench's
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
  machine, preflight, printTable, round, runMain, sleep, summarize, treeInfo, treeText, waitQuiet, writeResult
} from "./lib.mjs"
import {
  buildTcpbench, cpuSeconds, makeVethPair, runTcpbench, ssInfo, STACK, startTcpbenchServer, startTcpStack, VETH_B
} from "./tcp-common.mjs"

const QUICK = flag("quick")
const MB = intOpt("mb", QUICK ? 32 : 256, 1, 4096)
const BYTES = MB * 1024 * 1024
const ROUNDS = intOpt("rounds", QUICK ? 1 : 3, 1, 20)
const SECONDS = intOpt("seconds", 60, 5, 120)
const QUIET_WAIT = intOpt("quiet-wait", QUICK ? 0 : 60, 0, 600)
const DIRECTIONS = opt("directions", "to-stack,from-stack").split(",")
if (DIRECTIONS.some((d) => d !== "to-stack" && d !== "from-stack")) throw new Error("--directions: to-stack,from-stack")
const GONET = opt("gonet", "offload,no-offload").split(",")
if (GONET.some((g) => g !== "offload" && g !== "no-offload")) throw new Error("--gonet offload,no-offload")
const gonetName = (mode) => (mode === "offload" ? "gonet-ts" : "gonet-ts no-offload")
const VETH = opt("veth", "off,on") === "none" ? [] : opt("veth", "off,on").split(",")
if (VETH.some((v) => v !== "off" && v !== "on")) throw new Error("--veth off,on | none")
const TCP_VERIFY = flag("tcp-verify")
const NODE_ARGS = (opt("node-args", "--max-semi-space-size=64") ?? "").split(" ").filter((a) => a.length > 0)
const PORTS = { discard: 9, source: 19 }
// --profile DIR: a V8 CPU profile of the stack during each of its transfers, written to DIR and summarized
const PROFILE_DIR = opt("profile", undefined)
let profiled = 0

preflight()

const gbit = (bytes, s) => (bytes * 8) / s / 1e9

/** Run a client; just before its deadline, record the kernel's view of the connection if it still runs. */
const clientWithWatch = async (ns, bin, args) => {
  let ss
  const watch = setTimeout(() => (ss = ssInfo(ns)), (SECONDS - 2) * 1000)
  const r = await runTcpbench(ns, bin, args, SECONDS)
  clearTimeout(watch)
  return { ...r, ...(ss !== undefined ? { ssBeforeDeadline: ss } : {}) }
}

const stackTransfer = async (s, bin, direction) => {
  const system = gonetName(s.mode)
  const before = await s.stats()
  if (PROFILE_DIR !== undefined) await s.stack.command("prof-start", "profiling")
  const cpu0 = cpuSeconds(s.stack.pid)
  const client = direction === "to-stack"
    ? await clientWithWatch(s.ns, bin, ["send", STACK, String(PORTS.discard), String(BYTES), String(SECONDS)])
    : await clientWithWatch(s.ns, bin, ["recv", STACK, String(PORTS.source), String(BYTES), String(SECONDS)])
  await sleep(200)
  const after = await s.stats()
  const cpu = cpuSeconds(s.stack.pid) - cpu0
  let profile
  if (PROFILE_DIR !== undefined) {
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
  const complete = client.error === undefined && !client.timedOut && client.bytes === BYTES && stackBytes === BYTES
  return {
    system, path: "TAP", direction, complete, client,
    stackBytes, mismatches, gbitPerSec: complete ? round(gbit(BYTES, client.seconds), 3) : undefined,
    stackCpuSeconds: round(cpu, 2), stackCpuPerSecond: round(cpu / (client.seconds || 1), 2),
    tcpSegmentsIn: after.tcp.received - before.tcp.received, tcpSegmentsOut: after.tcp.segmentsSent - before.tcp.segmentsSent,
    linkRxDropped: after.link.rxDropped - before.link.rxDropped, linkTxDropped: after.link.txDropped - before.link.txDropped,
    tcpArrivalsDropped: after.tcp.arrivalsDropped - before.tcp.arrivalsDropped,
    connection: after.tcpBench.last.at(-1),
    ...(profile !== undefined ? { profile } : {}),
    ...(complete ? {} : { stackStats: after })
  }
}

const vethTransfer = async (v, bin, direction) => {
  const server = direction === "to-stack"
    ? await startTcpbenchServer(v.b, bin, ["serve-discard", VETH_B, String(PORTS.discard), String(SECONDS)], SECONDS)
    : await startTcpbenchServer(v.b, bin, ["serve-source", VETH_B, String(PORTS.source), String(BYTES), String(SECONDS)], SECONDS)
  const client = direction === "to-stack"
    ? await clientWithWatch(v.a, bin, ["send", VETH_B, String(PORTS.discard), String(BYTES), String(SECONDS)])
    : await clientWithWatch(v.a, bin, ["recv", VETH_B, String(PORTS.source), String(BYTES), String(SECONDS)])
  const srv = await server.result()
  const mismatches = direction === "to-stack" ? srv.mismatches ?? 0 : client.mismatches ?? 0
  const complete = client.error === undefined && !client.timedOut && client.bytes === BYTES && srv.bytes === BYTES
  return {
    system: `kernel veth offloads ${v.offloads}`, path: "veth", direction, complete, client, server: srv, mismatches,
    gbitPerSec: complete ? round(gbit(BYTES, client.seconds), 3) : undefined
  }
}

const line = (r) =>
  `${r.system.padEnd(24)} ${r.direction.padEnd(10)} ` +
  (r.complete ? `${r.gbitPerSec} Gbit/s (${round(r.client.seconds, 3)} s)` : `INCOMPLETE: client ${JSON.stringify({ bytes: r.client.bytes, timedOut: r.client.timedOut, error: r.client.error, stderr: r.client.stderr })}, ${r.server !== undefined ? `server ${JSON.stringify(r.server)}` : `stack got ${r.stackBytes}`}`) +
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
    params: { mb: MB, bytes: BYTES, rounds: ROUNDS, seconds: SECONDS, directions: DIRECTIONS, gonet: GONET, veth: VETH, tcpVerify: TCP_VERIFY, quietWaitS: QUIET_WAIT, ports: PORTS, stackNodeArgs: NODE_ARGS },
    transfers: []
  }
  // one stack per mode, each in its own namespace, alive for the whole run
  const stacks = []
  for (const mode of GONET) {
    const st = await startTcpStack({
      tcp: `discard:${PORTS.discard},source:${PORTS.source}`,
      sourceBytes: BYTES,
      tcpVerify: TCP_VERIFY,
      maxSeconds: 120 + ROUNDS * (DIRECTIONS.length * (GONET.length + VETH.length)) * (SECONDS + QUIET_WAIT + 10),
      nodeArgs: NODE_ARGS,
      offload: mode === "offload"
    })
    stacks.push({ ...st, mode })
  }
  result.tapFeatures = Object.fromEntries(stacks.map((st) => [st.mode, st.tapFeatures]))
  const vethPairs = VETH.map((o) => makeVethPair(o))
  result.vethFeatures = Object.fromEntries(vethPairs.map((v) => [v.offloads, v.features]))
  const stalled = new Set()
  try {
    for (let r = 0; r < ROUNDS; r++) {
      for (const direction of DIRECTIONS) {
        const runs = [
          ...stacks.filter((st) => !stalled.has(`${st.mode} ${direction}`)).map((st) => () => stackTransfer(st, bin, direction)),
          ...vethPairs.map((v) => () => vethTransfer(v, bin, direction))
        ]
        if (r % 2 === 1) runs.reverse()
        for (const run of runs) {
          const quiet = QUIET_WAIT > 0 ? await waitQuiet(QUIET_WAIT * 1000) : undefined
          const t = { round: r, machineBusyBefore: quiet?.busy, ...(await run()) }
          result.transfers.push(t)
          console.log(`round ${r + 1}/${ROUNDS}  ${line(t)}`)
          if (t.path === "TAP" && !t.complete) {
            stalled.add(`${t.system === "gonet-ts" ? "offload" : "no-offload"} ${direction}`)
            console.log(`  stack did not complete ${direction}; not run again. kernel ss before the deadline:\n${t.client.ssBeforeDeadline ?? "(client had ended)"}`)
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
  for (const direction of DIRECTIONS) {
    for (const system of [...GONET.map(gonetName), ...VETH.map((o) => `kernel veth offloads ${o}`)]) {
      const ts = result.transfers.filter((t) => t.direction === direction && t.system === system)
      const ok = ts.filter((t) => t.complete && t.mismatches === 0)
      const g = summarize(ok.map((t) => t.gbitPerSec))
      result.summary.push({
        direction, system, runs: ts.length, complete: ok.length,
        gbitPerSec: { min: round(g.min, 3), p50: round(g.p50, 3), max: round(g.max, 3) },
        ...(system.startsWith("gonet-ts") ? { stackCpuPerSecondP50: round(summarize(ok.map((t) => t.stackCpuPerSecond)).p50, 2) } : {})
      })
    }
  }
  result.finishedAt = new Date().toISOString()
  const file = writeResult("bulk", result)
  console.log(`\nbulk TCP, one connection, ${MB} MiB per transfer, ${ROUNDS} round(s); ${treeText(result.tree)}; load ${result.machine.loadavg.join(" ")}`)
  printTable(
    ["direction", "system", "runs", "complete", "Gbit/s min", "median", "max", "stack CPU s/s"],
    result.summary.map((x) => [x.direction, x.system, x.runs, x.complete, x.gbitPerSec.min, x.gbitPerSec.p50, x.gbitPerSec.max, x.stackCpuPerSecondP50 ?? ""]),
    { leftFirst: true }
  )
  console.log(`result: ${file}`)
}

runMain(main)
