/**
 * The stack's counters as Effect Metrics. Every layer keeps its counters as
 * plain numbers on its hot path (a metric update per frame would cost an
 * effect per frame); `sync` reads `Stack.stats` and brings the Effect
 * metrics up to date: a counter field becomes a counter (incremented by
 * what it grew since the last sync), a field that says "how many now"
 * becomes a gauge, a per-reason record becomes one series per reason
 * (label `reason`). Every series carries `stack` (the stack's address), so
 * several stacks in one process stay apart. The `/metrics` endpoint syncs,
 * then renders `Metric.snapshot` (Prometheus.ts), so a program's own Effect
 * metrics are served beside the stack's.
 *
 * Names: `gonet_<layer>_<field in snake case>`, counters with `_total`
 * (`gonet_link_rx_frames_total`, `gonet_ipv4_malformed_total{reason=…}`,
 * `gonet_tcp_connections`).
 *
 * @since 0.1.0
 */
import { Effect, Metric } from "effect"
import * as MetricLabel from "effect/MetricLabel"
import type { StackStats } from "../Stack.js"

/** Fields that are a level, not a count of events: gauges. */
const GAUGES: ReadonlySet<string> = new Set([
  "arp.cacheSize",
  "ipv4.assemblies",
  "ipv4.assemblyBytes",
  "ipv4.pathMtus",
  "icmp.outstanding",
  "udp.bound",
  "tcp.connections",
  "tcp.halfOpen",
  "tcp.timeWait",
  "tcp.idleFibers",
  "tcp.portsHeld",
  "tcp.memory",
  "tcp.sockets",
  "tcp.orphans"
])

const snake = (s: string): string => s.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase()

/** One series: a metric name, its labels, its value, and whether it is a gauge. */
export interface Sample {
  readonly name: string
  readonly kind: "counter" | "gauge"
  readonly labels: ReadonlyArray<readonly [string, string]>
  readonly value: number
}

/** The stack's stats as series (pure). @category conversions */
export const samples = (stats: StackStats): ReadonlyArray<Sample> => {
  const out: Array<Sample> = []
  for (const [layer, fields] of Object.entries(stats) as Array<[string, Record<string, unknown>]>) {
    for (const [field, value] of Object.entries(fields)) {
      const gauge = GAUGES.has(`${layer}.${field}`)
      const name = `gonet_${layer}_${snake(field)}${gauge ? "" : "_total"}`
      if (typeof value === "number") {
        out.push({ name, kind: gauge ? "gauge" : "counter", labels: [], value })
      } else if (value !== null && typeof value === "object") {
        for (const [reason, n] of Object.entries(value as Record<string, unknown>)) {
          if (typeof n === "number") out.push({ name, kind: "counter", labels: [["reason", reason]], value: n })
        }
      }
    }
  }
  return out
}

const seriesKey = (stack: string, s: Sample): string => `${stack}|${s.name}|${s.labels.map(([k, v]) => `${k}=${v}`).join(",")}`

/**
 * A syncer for one stack: each call brings the Effect metrics up to the
 * stats given. Counters grow by the difference since the previous call.
 *
 * @category constructors
 */
export const makeSync = (stack: string): ((stats: StackStats) => Effect.Effect<void>) => {
  const last = new Map<string, number>()
  return (stats) =>
    Effect.forEach(samples(stats), (s) => {
      const tags: Record<string, string> = { stack }
      for (const [k, v] of s.labels) tags[k] = v
      if (s.kind === "gauge") return Metric.set(Metric.gauge(s.name).pipe(Metric.taggedWithLabels(toLabels(tags))), s.value)
      const key = seriesKey(stack, s)
      const delta = s.value - (last.get(key) ?? 0)
      // the counters only grow, so a lower total is a stale snapshot (a scrape that read the stats
      // before a concurrent one synced newer ones): keep the higher, or the next sync would add the
      // growth between the two a second time
      if (delta > 0) last.set(key, s.value)
      if (delta <= 0) {
        // make the series exist at 0, so a scrape shows every counter from the start
        return delta === 0 && s.value === 0 ? Metric.incrementBy(Metric.counter(s.name).pipe(Metric.taggedWithLabels(toLabels(tags))), 0) : Effect.void
      }
      return Metric.incrementBy(Metric.counter(s.name).pipe(Metric.taggedWithLabels(toLabels(tags))), delta)
    }, { discard: true })
}

const toLabels = (tags: Record<string, string>) => Object.entries(tags).map(([k, v]) => MetricLabel.make(k, v))
