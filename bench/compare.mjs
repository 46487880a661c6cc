#!/usr/bin/env node
// Ranges of the figures in bench result files, one column per measured tree
// (the commit in each file's `tree`, marked * when its src/ differed from that
// commit): the before/after table of bench/README.md.
//
//   node bench/compare.mjs bench/results/flood-2026-12-01T*.json bench/results/ping-2026-12-01T*.json
//   node bench/compare.mjs --since 2026-12-01T16:00   # every result file started since then
//
// No root, no network: it only reads JSON.
import { readdirSync } from "node:fs"
import { basename, join } from "node:path"
import { opt } from "./args.mjs"
import { BENCH_DIR, printTable, readJson } from "./lib.mjs"

const since = opt("since", undefined)
const files = process.argv.slice(2).filter((a, i, all) => !a.startsWith("--") && all[i - 1] !== "--since")
if (since !== undefined) {
  const dir = join(BENCH_DIR, "results")
  for (const f of readdirSync(dir).sort()) {
    if (!f.endsWith(".json")) continue
    const r = readJson(join(dir, f))
    if (r.startedAt >= since) files.push(join(dir, f))
  }
}
if (files.length === 0) {
  console.error("usage: node bench/compare.mjs FILE.json... | --since ISO-TIME")
  process.exit(2)
}

const rate = (pps) => (pps === 0 ? "unpaced" : `${pps / 1000} k/s`)
/** [row label, value] pairs of one result file. */
const figures = (r) => {
  const out = []
  if (r.bench === "flood") {
    for (const f of r.floods) {
      const what = `${f.mode} ${rate(f.targetPps)}`
      out.push([`flood ${what}: offered /s`, f.sentPerSec])
      out.push([`flood ${what}: stack received /s`, f.stack.receivedPerSec])
      if (f.kernel !== undefined) {
        out.push([`flood ${what}: stack sent /s`, f.stack.sentPerSec])
        out.push([`flood ${what}: kernel got replies /s`, f.kernel.repliesPerSec])
        out.push([`flood ${what}: replies % of offered`, f.kernel.repliesPctOfSent])
        out.push([`flood ${what}: stack sent per CPU-s`, f.stack.sentPerCpuSecond])
      } else {
        out.push([`flood ${what}: stack received per CPU-s`, f.stack.receivedPerCpuSecond])
      }
      // the machine is shared: how busy all CPUs were during the flood (flooder and stack included)
      out.push([`flood ${what}: machine busy during`, f.machineBusyDuring])
    }
    for (const b of r.baseline ?? []) {
      const kind = b.kind ?? "receive"
      out.push([
        `flood ${kind} ${rate(b.targetPps)}: KERNEL over veth ${kind === "receive" ? "received" : "replies"} /s`,
        kind === "receive" ? b.receivedPerSec : b.kernel.repliesPerSec
      ])
    }
  } else if (r.bench === "ping") {
    for (const x of r.runs) {
      const what = `ping ${x.flows} flow(s)${r.params.realtime > 0 ? " --realtime" : ""}${r.params.socket === "raw" ? " raw" : ""}`
      out.push([`${what}: ${x.target === "stack" ? "stack" : "KERNEL over veth"} mean ms`, x.rttMs.mean])
      out.push([`${what}: ${x.target === "stack" ? "stack" : "KERNEL over veth"} p50 ms`, x.rttMs.p50])
      if (x.target === "stack") out.push([`${what}: stack loss %`, x.lossPct])
      if (x.target === "stack") out.push([`${what}: machine busy during`, x.machineBusyDuring])
    }
  }
  return out
}

const columns = new Map() // tree label -> { files, values: Map(row -> number[]) }
const rows = []
for (const file of files) {
  const r = readJson(file)
  const label = r.tree ? `${r.tree.commit.slice(0, 7)}${r.tree.srcChanged.length > 0 ? "*" : ""} ${r.tree.path}` : "(no tree recorded)"
  if (!columns.has(label)) columns.set(label, { files: [], values: new Map() })
  const col = columns.get(label)
  col.files.push(basename(file))
  for (const [row, v] of figures(r)) {
    if (!rows.includes(row)) rows.push(row)
    if (!col.values.has(row)) col.values.set(row, [])
    if (typeof v === "number" && Number.isFinite(v)) col.values.get(row).push(v)
  }
}

const fmt = (x) => (Math.abs(x) >= 1000 ? Math.round(x).toLocaleString("en-US") : String(Number(x.toPrecision(3))))
const range = (vs) => {
  if (vs === undefined || vs.length === 0) return "-"
  const lo = Math.min(...vs)
  const hi = Math.max(...vs)
  return `${lo === hi ? fmt(lo) : `${fmt(lo)}–${fmt(hi)}`} (${vs.length})`
}
const labels = [...columns.keys()]
const header = ["figure (range over runs, (n) runs)", ...labels]
const body = rows.map((row) => [row, ...labels.map((l) => range(columns.get(l).values.get(row)))])
printTable(header, body, { leftFirst: true })
console.log()
for (const l of labels) console.log(`${l}: ${columns.get(l).files.join(" ")}`)
