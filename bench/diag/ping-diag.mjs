#!/usr/bin/env node
// Diagnostics for the ping path (root; namespaces made and deleted here,
// 198.18.0.0/15 only): where an echo's time goes in the stack.
//
//   node bench/diag/ping-diag.mjs [--profile FILE.cpuprofile]
//
// 1. RTT against the ping interval (0.2 s .. 2 ms, and ping -f): how much the
//    cost of an echo depends on the path being hot.
// 2. Per echo: the addon's writeBatch() time and the JS read-callback time (the
//    stack server's --time-addon wrappers), and the main thread's CPU per echo
//    (schedstat).
// 3. Optionally a CPU profile of the stack during ping -f, summarized.
// Each ping is bounded by -c and -w; ICMP datagram sockets (ping_group_range set).
import { opt } from "../args.mjs"
import { runMain, inNs, makeNs, preflight, schedDelta, schedstat, startStack } from "../lib.mjs"
import { printProfile, summarizeProfile } from "./profile-summary.mjs"

const PROFILE = opt("profile", undefined)

preflight()

const main = async () => {
  const ns = makeNs("pd")
  inNs(ns, ["sysctl", "-q", "-w", "net.ipv4.ping_group_range=0 2147483647"])
  const stack = await startStack(ns, { maxSeconds: 120, serverArgs: ["--time-addon"] })
  inNs(ns, ["ping", "-n", "-q", "-c", "300", "-i", "0.005", "-w", "10", "198.18.0.2"], { allowFail: true, timeoutMs: 20_000 })
  const runs = [
    ["-i", "0.2", "-c", "25"],
    ["-i", "0.05", "-c", "60"],
    ["-i", "0.01", "-c", "200"],
    ["-i", "0.002", "-c", "500"],
    ["-f", "-c", "20000"]
  ]
  for (const r of runs) {
    const profiling = PROFILE !== undefined && r[0] === "-f"
    if (profiling) await stack.command("prof-start", "profiling")
    const a = (await stack.snapshot()).stats.addonTiming
    const sa = schedstat(stack.pid)
    const out = inNs(ns, ["ping", "-n", "-q", ...r, "-w", "30", "198.18.0.2"], { allowFail: true, timeoutMs: 40_000 })
    const d = schedDelta(sa, schedstat(stack.pid))
    const b = (await stack.snapshot()).stats.addonTiming
    if (profiling) await stack.command(`prof-stop ${PROFILE}`, "profile", 30_000)
    const n = Math.max(1, b.writes - a.writes)
    const rtt = /= ([\d.]+)\/([\d.]+)\/([\d.]+)/.exec(out)
    console.log(
      `ping ${r.join(" ").padEnd(16)} RTT min/avg/max ${rtt ? `${rtt[1]}/${rtt[2]}/${rtt[3]}` : "?"} ms | per echo: ` +
        `main-thread CPU ${((d.runS / n) * 1e6).toFixed(1)} µs, writeBatch() ${(((b.writeMs - a.writeMs) / n) * 1000).toFixed(1)} µs, ` +
        `JS read callback ${(((b.callbackMs - a.callbackMs) / Math.max(1, b.callbackFrames - a.callbackFrames)) * 1000).toFixed(1)} µs, ` +
        `run-queue wait/wake ${d.waitPerSliceUs} µs`
    )
  }
  await stack.stop()
  if (PROFILE !== undefined) printProfile(summarizeProfile(PROFILE, 25))
}

runMain(main)
