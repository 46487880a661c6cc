/**
 * Effect metrics as Prometheus text (exposition format 0.0.4): what
 * `/metrics` serves. Pure: a snapshot (`Metric.snapshot`) in, text out.
 *
 * - counters are `counter`, gauges `gauge`, histograms `histogram` with
 *   cumulative `_bucket{le=…}` lines (Effect's histogram state is already
 *   cumulative), `+Inf`, `_sum` and `_count`; summaries are `summary` with
 *   `quantile` lines; frequencies become one counter per observed value
 *   (label `key`);
 * - metric names are made legal (`[a-zA-Z_:][a-zA-Z0-9_:]*`), label values
 *   escaped (backslash, quote, newline), series of one name grouped under
 *   one `# HELP`/`# TYPE`, names sorted so the output is stable.
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

const escapeLabel = (v: string): string => v.replace(/\\/g, "\\\\").replace(/"/g, "\\\"").replace(/\n/g, "\\n")
const escapeHelp = (v: string): string => v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n")

const labels = (tags: ReadonlyArray<readonly [string, string]>): string =>
  tags.length === 0 ? "" : `{${tags.map(([k, v]) => `${legalName(k)}="${escapeLabel(v)}"`).join(",")}}`

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
  lines: Array<string>
}

/** Prometheus text for a metrics snapshot. @category formatting */
export const render = (snapshot: ReadonlyArray<MetricPair.MetricPair.Untyped>): string => {
  const families = new Map<string, Family>()
  const family = (name: string, type: Family["type"], help: string | undefined): Family => {
    let f = families.get(name)
    if (f === undefined) {
      f = { type, help, lines: [] }
      families.set(name, f)
    }
    return f
  }
  for (const pair of snapshot) {
    const key = pair.metricKey
    const name = legalName(key.name)
    const tags = key.tags.map((t) => [t.key, t.value] as const)
    const help = Option.getOrUndefined(key.description)
    const state = pair.metricState
    if (MetricState.isCounterState(state)) {
      family(name, "counter", help).lines.push(`${name}${labels(tags)} ${num(state.count)}`)
    } else if (MetricState.isGaugeState(state)) {
      family(name, "gauge", help).lines.push(`${name}${labels(tags)} ${num(state.value)}`)
    } else if (MetricState.isHistogramState(state)) {
      const f = family(name, "histogram", help)
      for (const [le, count] of state.buckets) {
        if (le === Infinity) continue
        f.lines.push(`${name}_bucket${labels([...tags, ["le", num(le)]])} ${count}`)
      }
      f.lines.push(`${name}_bucket${labels([...tags, ["le", "+Inf"]])} ${state.count}`)
      f.lines.push(`${name}_sum${labels(tags)} ${num(state.sum)}`)
      f.lines.push(`${name}_count${labels(tags)} ${state.count}`)
    } else if (MetricState.isSummaryState(state)) {
      const f = family(name, "summary", help)
      for (const [q, v] of state.quantiles) {
        f.lines.push(`${name}${labels([...tags, ["quantile", num(q)]])} ${Option.match(v, { onNone: () => "NaN", onSome: num })}`)
      }
      f.lines.push(`${name}_sum${labels(tags)} ${num(state.sum)}`)
      f.lines.push(`${name}_count${labels(tags)} ${state.count}`)
    } else if (MetricState.isFrequencyState(state)) {
      const f = family(name, "counter", help)
      for (const [k, n] of state.occurrences) f.lines.push(`${name}${labels([...tags, ["key", k]])} ${n}`)
    }
  }
  const out: Array<string> = []
  for (const name of [...families.keys()].sort()) {
    const f = families.get(name)!
    if (f.help !== undefined) out.push(`# HELP ${name} ${escapeHelp(f.help)}`)
    out.push(`# TYPE ${name} ${f.type}`)
    out.push(...f.lines.sort())
  }
  return out.length === 0 ? "" : `${out.join("\n")}\n`
}
