/**
 * Effect metrics as Prometheus text (exposition format 0.0.4): what
 * `/metrics` serves. Pure: a snapshot (`Metric.snapshot`) in, text out.
 *
 * - counters are `counter`, gauges `gauge`, histograms `histogram` with
 *   cumulative `_bucket{le=…}` lines (Effect's histogram state is already
 *   cumulative), `+Inf`, `_sum` and `_count`; summaries are `summary` with
 *   `quantile` lines; frequencies become one counter per observed value
 *   (label `key`);
 * - metric names are made legal (`[a-zA-Z_:][a-zA-Z0-9_:]*`), label names
 *   too (`[a-zA-Z_][a-zA-Z0-9_]*`: no colon), label values escaped
 *   (backslash, quote, newline), series of one name grouped under one
 *   `# HELP`/`# TYPE`; names and then series sorted so the output is stable,
 *   each series' lines kept in their order (a histogram's buckets in
 *   increasing `le`, `+Inf` last, as the format requires).
 *
 * @since 0.1.0
 */
import { Option } from "effect"
import type * as MetricPair from "effect/MetricPair"
import * as MetricState from "effect/MetricState"

const legalName = (name: string): string => {
  const s = name.replace(/[^a-zA-Z0-9_:]/g, "_")
  return /^[a-zA-Z_:]/.test(s) ? s : `_${s}`
}

const legalLabelName = (name: string): string => {
  const s = name.replace(/[^a-zA-Z0-9_]/g, "_")
  return /^[a-zA-Z_]/.test(s) ? s : `_${s}`
}

const escapeLabel = (v: string): string => v.replace(/\\/g, "\\\\").replace(/"/g, "\\\"").replace(/\n/g, "\\n")
const escapeHelp = (v: string): string => v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n")

const labels = (tags: ReadonlyArray<readonly [string, string]>): string =>
  tags.length === 0 ? "" : `{${tags.map(([k, v]) => `${legalLabelName(k)}="${escapeLabel(v)}"`).join(",")}}`

const num = (n: number | bigint): string => {
  if (typeof n === "bigint") return n.toString()
  if (Number.isNaN(n)) return "NaN"
  if (n === Infinity) return "+Inf"
  if (n === -Infinity) return "-Inf"
  return String(n)
}

interface Family {
  type: "counter" | "gauge" | "histogram" | "summary"
  help: string | undefined
  /** one entry per series: its labels (the sort key) and its lines, in the order they must appear */
  series: Array<{ readonly key: string; readonly lines: Array<string> }>
}

/** Prometheus text for a metrics snapshot. @category formatting */
export const render = (snapshot: ReadonlyArray<MetricPair.MetricPair.Untyped>): string => {
  const families = new Map<string, Family>()
  const family = (name: string, type: Family["type"], help: string | undefined): Family => {
    let f = families.get(name)
    if (f === undefined) {
      f = { type, help, series: [] }
      families.set(name, f)
    }
    return f
  }
  for (const pair of snapshot) {
    const metricKey = pair.metricKey
    const name = legalName(metricKey.name)
    const tags = metricKey.tags.map((t) => [t.key, t.value] as const)
    const help = Option.getOrUndefined(metricKey.description)
    const state = pair.metricState
    const key = labels(tags)
    const lines: Array<string> = []
    if (MetricState.isCounterState(state)) {
      family(name, "counter", help).series.push({ key, lines })
      lines.push(`${name}${key} ${num(state.count)}`)
    } else if (MetricState.isGaugeState(state)) {
      family(name, "gauge", help).series.push({ key, lines })
      lines.push(`${name}${key} ${num(state.value)}`)
    } else if (MetricState.isHistogramState(state)) {
      family(name, "histogram", help).series.push({ key, lines })
      const buckets = [...state.buckets].filter(([le]) => le !== Infinity).sort(([a], [b]) => a - b)
      for (const [le, count] of buckets) lines.push(`${name}_bucket${labels([...tags, ["le", num(le)]])} ${count}`)
      lines.push(`${name}_bucket${labels([...tags, ["le", "+Inf"]])} ${state.count}`)
      lines.push(`${name}_sum${key} ${num(state.sum)}`)
      lines.push(`${name}_count${key} ${state.count}`)
    } else if (MetricState.isSummaryState(state)) {
      family(name, "summary", help).series.push({ key, lines })
      const quantiles = [...state.quantiles].sort(([a], [b]) => a - b)
      for (const [q, v] of quantiles) {
        lines.push(`${name}${labels([...tags, ["quantile", num(q)]])} ${Option.match(v, { onNone: () => "NaN", onSome: num })}`)
      }
      lines.push(`${name}_sum${key} ${num(state.sum)}`)
      lines.push(`${name}_count${key} ${state.count}`)
    } else if (MetricState.isFrequencyState(state)) {
      // (one series per observed value: each its own entry, sorted with the rest)
      const f = family(name, "counter", help)
      for (const [k, n] of state.occurrences) {
        const one = labels([...tags, ["key", k]])
        f.series.push({ key: one, lines: [`${name}${one} ${n}`] })
      }
    }
  }
  const out: Array<string> = []
  for (const name of [...families.keys()].sort()) {
    const f = families.get(name)!
    if (f.help !== undefined) out.push(`# HELP ${name} ${escapeHelp(f.help)}`)
    out.push(`# TYPE ${name} ${f.type}`)
    f.series.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    for (const one of f.series) out.push(...one.lines)
  }
  return out.length === 0 ? "" : `${out.join("\n")}\n`
}
