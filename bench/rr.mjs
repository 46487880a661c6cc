#!/usr/bin/env node
// TCP request/response: 1-octet ping-pong over one connection (TCP_NODELAY on
// the kernel side), kernel -> TAP -> the stack's TCP echo (Services.echo, as
// `gonet up --serve echo:7`), beside the same client against tcpbench.c's
// echo server, kernel -> veth -> kernel, in the same run.
//
//   sudo node bench/rr.mjs [--count 20000] [--warmup 1000] [--rounds 3]
//        [--seconds 60] [--quiet-wait 60] [--node-args "..."] [--tree DIR] [--quick]
//
// One measurement: tcpbench.c rr connects, makes --warmup untimed round trips,
// then --count timed ones (send 1 octet, read it back, checked), and reports
// round trips per second (count / elapsed) and the latency of each round trip
// (mean, p50, p99, max). Bounded by --count and --seconds (tcpbench's alarm;
// SIGKILL by PID 10 s later). Rounds alternate which system goes first.
// Namespaces: the stack's (TAP gbench0, 198.18.0.1 <-> 198.18.0.2) and a veth
// pair (198.18.1.1 <-> 198.18.1.2, default offloads: with 1-octet segments
// they change nothing), deleted on exit, error and signals.
import { flag, intOpt, opt } from "./args.mjs"
import {
  machine, preflight, printTable, round, runMain, summarize, treeInfo, treeText, waitQuiet, writeResult
} from "./lib.mjs"
import {
  buildTcpbench, cpuSeconds, makeVethPair, runTcpbench, STACK, startTcpbenchServer, startTcpStack, VETH_B
} from "./tcp-common.mjs"

const QUICK = flag("quick")
const COUNT = intOpt("count", QUICK ? 2000 : 20000, 1, 1_000_000)
const WARMUP = intOpt("warmup", QUICK ? 200 : 1000, 0, 100_000)
const ROUNDS = intOpt("rounds", QUICK ? 1 : 3, 1, 20)
const SECONDS = intOpt("seconds", 60, 5, 120)
const QUIET_WAIT = intOpt("quiet-wait", QUICK ? 0 : 60, 0, 600)
const NODE_ARGS = (opt("node-args", "--max-semi-space-size=64") ?? "").split(" ").filter((a) => a.length > 0)
const PORT = 7

preflight()

const rrArgs = (dst) => ["rr", dst, String(PORT), String(COUNT), String(SECONDS), String(WARMUP)]

const complete = (c) => c.error === undefined && !c.timedOut && c.roundTrips === COUNT && c.mismatches === 0

const stackRr = async (s, bin) => {
  const before = await s.stats()
  const cpu0 = cpuSeconds(s.stack.pid)
  const client = await runTcpbench(s.ns, bin, rrArgs(STACK), SECONDS)
  const after = await s.stats()
  const cpu = cpuSeconds(s.stack.pid) - cpu0
  return {
    system: "gonet-ts", client, complete: complete(client),
    // CPU per round trip (warm-up included): the figure least disturbed by neighbours
    stackCpuUsPerRoundTrip: round((cpu / (COUNT + WARMUP)) * 1e6, 1),
    tcpSegmentsIn: after.tcp.received - before.tcp.received, tcpSegmentsOut: after.tcp.segmentsSent - before.tcp.segmentsSent
  }
}

const vethRr = async (v, bin) => {
  const server = await startTcpbenchServer(v.b, bin, ["serve-echo", VETH_B, String(PORT), String(SECONDS)], SECONDS)
  const client = await runTcpbench(v.a, bin, rrArgs(VETH_B), SECONDS)
  return { system: "kernel veth", client, server: await server.result(), complete: complete(client) }
}

const main = async () => {
  const bin = buildTcpbench()
  const result = {
    bench: "rr",
    startedAt: new Date().toISOString(),
    machine: machine(),
    tree: treeInfo(),
    params: { count: COUNT, warmup: WARMUP, rounds: ROUNDS, seconds: SECONDS, quietWaitS: QUIET_WAIT, port: PORT, stackNodeArgs: NODE_ARGS },
    runs: []
  }
  const s = await startTcpStack({ tcp: `echo:${PORT}`, maxSeconds: 120 + ROUNDS * 2 * (SECONDS + QUIET_WAIT + 10), nodeArgs: NODE_ARGS })
  const v = makeVethPair("on")
  try {
    for (let r = 0; r < ROUNDS; r++) {
      const runs = r % 2 === 0 ? [() => stackRr(s, bin), () => vethRr(v, bin)] : [() => vethRr(v, bin), () => stackRr(s, bin)]
      for (const run of runs) {
        const quiet = QUIET_WAIT > 0 ? await waitQuiet(QUIET_WAIT * 1000) : undefined
        const x = { round: r, machineBusyBefore: quiet?.busy, ...(await run()) }
        result.runs.push(x)
        const c = x.client
        console.log(`round ${r + 1}/${ROUNDS}  ${x.system.padEnd(11)} ` +
          (x.complete
            ? `${round(c.perSecond, 0)} round trips/s, mean ${c.meanUs} us, p50 ${c.p50Us}, p99 ${c.p99Us}, max ${c.maxUs}`
            : `INCOMPLETE: ${JSON.stringify(c)}`) +
          (x.stackCpuUsPerRoundTrip !== undefined ? `; stack CPU ${x.stackCpuUsPerRoundTrip} us per round trip` : ""))
        if (x.system === "gonet-ts" && !x.complete) throw new Error("the stack did not complete the ping-pong; stopping (see the result above)")
      }
    }
  } finally {
    v.remove()
    result.stackFinal = (await s.stack.stop())?.stats
    result.finishedAt = new Date().toISOString()
    result.summary = ["gonet-ts", "kernel veth"].map((system) => {
      const ok = result.runs.filter((x) => x.system === system && x.complete)
      const f = (k) => summarize(ok.map((x) => x.client[k]))
      return {
        system, runs: result.runs.filter((x) => x.system === system).length, complete: ok.length,
        perSecond: { min: round(f("perSecond").min, 0), p50: round(f("perSecond").p50, 0), max: round(f("perSecond").max, 0) },
        meanUs: { min: f("meanUs").min, p50: f("meanUs").p50, max: f("meanUs").max },
        p99UsP50: f("p99Us").p50,
        ...(system === "gonet-ts" ? { stackCpuUsPerRoundTripP50: summarize(ok.map((x) => x.stackCpuUsPerRoundTrip)).p50 } : {})
      }
    })
    const file = writeResult("rr", result)
    console.log(`\nTCP 1-octet request/response over one connection, ${COUNT} timed round trips per run (${WARMUP} warm-up); ${treeText(result.tree)}; load ${result.machine.loadavg.join(" ")}`)
    printTable(
      ["system", "runs", "complete", "rt/s min", "median", "max", "mean us min", "median", "max", "p99 us (median run)", "stack CPU us/rt"],
      result.summary.map((x) => [x.system, x.runs, x.complete, x.perSecond.min, x.perSecond.p50, x.perSecond.max, x.meanUs.min, x.meanUs.p50, x.meanUs.max, x.p99UsP50, x.stackCpuUsPerRoundTripP50 ?? ""]),
      { leftFirst: true }
    )
    console.log(`result: ${file}`)
  }
}

runMain(main)
