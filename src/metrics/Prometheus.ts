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
 * - The format's "Text format details" also ask for one TYPE per name before
 *   its samples, a family's samples together, and each name and label set
 *   once. Effect's registry allows what breaks that, so the program's own
 *   metrics beside the stack's cannot: a counter and a gauge of one name, a
 *   counter named as a histogram's `_count`, two names made legal alike, one
 *   name with two descriptions, tags in two orders. The first family (by name,
 *   then type) keeps a name, the first metric a series; what is left out is
 *   said in a `# gonet: left out ...` comment at the end (comments are ignored
 *   by a scraper). A tag whose label name is taken (a histogram's `le`, a
 *   summary's `quantile`, a frequency's `key`, an earlier tag's) or reserved
 *   (`__` first) is written as `exported_<name>`, Prometheus's own renaming.
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

type FamilyType = "counter" | "gauge" | "histogram" | "summary"

/** Label names a type's own samples carry, which no tag may take. */
const RESERVED: Readonly<Record<FamilyType, ReadonlyArray<string>>> = {
  counter: [],
  gauge: [],
  histogram: ["le"],
  summary: ["quantile"]
}

/**
 * A series' tags as legal label names, each once: a name the family's own
 * samples use (`le`, `quantile`, a frequency's `key`), one an earlier tag
 * already took (two tags made legal alike, or one tag given twice) or one the
 * format reserves (`__` first) gets `exported_` in front, as Prometheus
 * renames a scraped label that clashes with one of its own; the value stays.
 */
const labelPairs = (
  tags: ReadonlyArray<readonly [string, string]>,
  reserved: ReadonlyArray<string>
): Array<readonly [string, string]> => {
  const used = new Set(reserved)
  return tags.map(([k, v]) => {
    let name = legalLabelName(k)
    if (name.startsWith("__")) name = `exported${name}`
    while (used.has(name)) name = `exported_${name}`
    used.add(name)
    return [name, v] as const
  })
}

const labels = (pairs: ReadonlyArray<readonly [string, string]>): string =>
  pairs.length === 0 ? "" : `{${pairs.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(",")}}`

/** A label set whatever its order: two Effect metrics whose tags differ only in order are one series. */
const canonical = (pairs: ReadonlyArray<readonly [string, string]>): string =>
  JSON.stringify([...pairs].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))

/** Every sample name a family writes: a histogram's `_bucket`, `_sum`, `_count`, a summary's own and `_sum`, `_count`. */
const sampleNames = (name: string, type: FamilyType): ReadonlyArray<string> =>
  type === "histogram"
    ? [name, `${name}_bucket`, `${name}_sum`, `${name}_count`]
    : type === "summary"
    ? [name, `${name}_sum`, `${name}_count`]
    : [name]

const num = (n: number | bigint): string => {
  if (typeof n === "bigint") return n.toString()
  if (Number.isNaN(n)) return "NaN"
  if (n === Infinity) return "+Inf"
  if (n === -Infinity) return "-Inf"
  return String(n)
}

interface Series {
  /** the labels as written: the sort key */
  readonly key: string
  /** the label set, for finding a second metric with the same series */
  readonly canonical: string
  /** its lines, in the order they must appear */
  readonly lines: ReadonlyArray<string>
}

interface Family {
  readonly name: string
  readonly type: FamilyType
  help: string | undefined
  readonly series: Array<Series>
}

/** One metric's series; frequencies give one counter series per observed value. */
const seriesOf = (
  name: string,
  tags: ReadonlyArray<readonly [string, string]>,
  state: MetricState.MetricState.Untyped
): { type: FamilyType; series: Array<Series> } | undefined => {
  const one = (type: FamilyType, pairs: ReadonlyArray<readonly [string, string]>, lines: Array<string>) => ({
    type,
    series: [{ key: labels(pairs), canonical: canonical(pairs), lines }]
  })
  if (MetricState.isCounterState(state)) {
    const own = labelPairs(tags, RESERVED.counter)
    return one("counter", own, [`${name}${labels(own)} ${num(state.count)}`])
  }
  if (MetricState.isGaugeState(state)) {
    const own = labelPairs(tags, RESERVED.gauge)
    return one("gauge", own, [`${name}${labels(own)} ${num(state.value)}`])
  }
  if (MetricState.isHistogramState(state)) {
    const own = labelPairs(tags, RESERVED.histogram)
    const key = labels(own)
    const lines: Array<string> = []
    const buckets = [...state.buckets].filter(([le]) => le !== Infinity).sort(([a], [b]) => a - b)
    for (const [le, count] of buckets) lines.push(`${name}_bucket${labels([...own, ["le", num(le)]])} ${count}`)
    lines.push(`${name}_bucket${labels([...own, ["le", "+Inf"]])} ${state.count}`)
    lines.push(`${name}_sum${key} ${num(state.sum)}`)
    lines.push(`${name}_count${key} ${state.count}`)
    return one("histogram", own, lines)
  }
  if (MetricState.isSummaryState(state)) {
    const own = labelPairs(tags, RESERVED.summary)
    const key = labels(own)
    const lines: Array<string> = []
    const quantiles = [...state.quantiles].sort(([a], [b]) => a - b)
    for (const [q, v] of quantiles) {
      lines.push(`${name}${labels([...own, ["quantile", num(q)]])} ${Option.match(v, { onNone: () => "NaN", onSome: num })}`)
    }
    lines.push(`${name}_sum${key} ${num(state.sum)}`)
    lines.push(`${name}_count${key} ${state.count}`)
    return one("summary", own, lines)
  }
  if (MetricState.isFrequencyState(state)) {
    const own = labelPairs(tags, ["key"])
    const series: Array<Series> = []
    for (const [k, n] of state.occurrences) {
      const pairs = [...own, ["key", k] as const]
      series.push({ key: labels(pairs), canonical: canonical(pairs), lines: [`${name}${labels(pairs)} ${n}`] })
    }
    return { type: "counter", series }
  }
  return undefined
}

const byKey = (a: { readonly key: string }, b: { readonly key: string }) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)

/** Prometheus text for a metrics snapshot. @category formatting */
export const render = (snapshot: ReadonlyArray<MetricPair.MetricPair.Untyped>): string => {
  // families by name and type: Effect keeps a counter and a gauge of one name apart, the format cannot
  const families = new Map<string, Family>()
  for (const pair of snapshot) {
    const metricKey = pair.metricKey
    const name = legalName(metricKey.name)
    const found = seriesOf(name, metricKey.tags.map((t) => [t.key, t.value] as const), pair.metricState)
    if (found === undefined) continue
    const id = `${name} ${found.type}`
    let f = families.get(id)
    if (f === undefined) {
      f = { name, type: found.type, help: undefined, series: [] }
      families.set(id, f)
    }
    f.help ??= Option.getOrUndefined(metricKey.description)
    f.series.push(...found.series)
  }
  const out: Array<string> = []
  const leftOut: Array<string> = []
  // every sample name to the family that writes it, in order of name then type: the first family to
  // need a name has it, a later one that would write the same sample names is left out (one TYPE per
  // name, a family's samples together), and said so in a comment
  const owner = new Map<string, Family>()
  const ordered = [...families.values()].sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : a.type < b.type ? -1 : a.type > b.type ? 1 : 0
  )
  for (const f of ordered) {
    const names = sampleNames(f.name, f.type)
    const clash = names.find((n) => owner.has(n))
    if (clash !== undefined) {
      const other = owner.get(clash)!
      leftOut.push(
        other.name === f.name
          ? `# gonet: left out ${f.name} (${f.type}): the name is already a ${other.type}`
          : `# gonet: left out ${f.name} (${f.type}): ${clash} is already a sample name of ${other.name} (${other.type})`
      )
      continue
    }
    for (const n of names) owner.set(n, f)
    if (f.help !== undefined) out.push(`# HELP ${f.name} ${escapeHelp(f.help)}`)
    out.push(`# TYPE ${f.name} ${f.type}`)
    // one line per series: two metrics that come to the same name and label set (names made legal
    // alike, another description, tags in another order) keep the first
    const seen = new Set<string>()
    for (const one of f.series.sort(byKey)) {
      if (seen.has(one.canonical)) {
        leftOut.push(`# gonet: left out a second ${f.name}${one.key} (${f.type}): two metrics, one series`)
        continue
      }
      seen.add(one.canonical)
      out.push(...one.lines)
    }
  }
  out.push(...leftOut)
  return out.length === 0 ? "" : `${out.join("\n")}\n`
}
