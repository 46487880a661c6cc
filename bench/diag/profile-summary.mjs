#!/usr/bin/env node
// Summarize a V8 .cpuprofile (node --cpu-prof): top functions by self time,
// and time by category (our dist/ code, effect, node internals, GC, native).
//
//   node bench/diag/profile-summary.mjs FILE.cpuprofile [TOP]
import { readFileSync } from "node:fs"
import { pathToFileURL } from "node:url"

// Every call from JavaScript into the TAP addon (N-API) shows in V8's profile under one name, that
// of the module's last export, getScheduler: the callbacks share one native entry, which V8
// symbolises once. On the stack's paths it is writeBatch, the TAP write syscall (in which the
// kernel also receives the frames: its TCP, for a kernel peer, runs there).
const ADDON_ALIAS = "getScheduler"
const ADDON_NAME = "(addon calls: writeBatch's TAP writes; V8 names them getScheduler)"

const category = (url, name) => {
  if (name === ADDON_NAME) return "addon calls (TAP writes)"
  if (name === "(garbage collector)") return "gc"
  if (name === "(program)") return "program (native/VM, incl. addon + syscalls)"
  if (name === "(idle)") return "idle"
  if (url.includes("/node_modules/effect/")) return "effect runtime"
  if (url.includes("/dist/")) return "gonet-ts (dist/)"
  if (url.includes("/bench/")) return "bench harness"
  if (url.startsWith("node:")) return "node internals"
  if (url === "") return "native/builtin"
  return "other"
}

export const summarizeProfile = (file, top = 25) => {
  const prof = JSON.parse(readFileSync(file, "utf8"))
  const byId = new Map(prof.nodes.map((n) => [n.id, n]))
  // self time per node from samples and timeDeltas (µs)
  const self = new Map()
  for (let i = 0; i < prof.samples.length; i++) {
    const dt = prof.timeDeltas[i + 1] ?? 0
    self.set(prof.samples[i], (self.get(prof.samples[i]) ?? 0) + dt)
  }
  const fns = new Map()
  const cats = new Map()
  let total = 0
  let idle = 0
  for (const [id, us] of self) {
    const n = byId.get(id)
    const { functionName, url, lineNumber } = n.callFrame
    const name = functionName === ADDON_ALIAS && url === "" ? ADDON_NAME : functionName || "(anonymous)"
    const short = url.replace(/^file:\/\/.*?\/(node_modules|dist|bench)\//, "$1/")
    const key = `${name} ${short}:${lineNumber + 1}`
    const cat = category(url, name)
    if (cat === "idle") {
      idle += us
      continue
    }
    total += us
    fns.set(key, (fns.get(key) ?? 0) + us)
    cats.set(cat, (cats.get(cat) ?? 0) + us)
  }
  const pct = (us) => Number(((100 * us) / total).toFixed(1))
  return {
    file,
    busyMs: Math.round(total / 1000),
    idleMs: Math.round(idle / 1000),
    categories: [...cats].sort((a, b) => b[1] - a[1]).map(([c, us]) => ({ category: c, ms: Math.round(us / 1000), pct: pct(us) })),
    top: [...fns].sort((a, b) => b[1] - a[1]).slice(0, top).map(([f, us]) => ({ fn: f, ms: Math.round(us / 1000), pct: pct(us) }))
  }
}

export const printProfile = (s) => {
  console.log(`profile ${s.file}: busy ${s.busyMs} ms, idle ${s.idleMs} ms`)
  for (const c of s.categories) console.log(`  ${String(c.pct).padStart(5)} %  ${c.category}`)
  console.log("  top self time (% of busy):")
  for (const t of s.top) console.log(`  ${String(t.pct).padStart(5)} %  ${t.fn}`)
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  printProfile(summarizeProfile(process.argv[2], Number(process.argv[3] ?? 25)))
}
