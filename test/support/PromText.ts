/**
 * A strict reader of Prometheus text exposition format 0.0.4, for tests:
 * it lists every way a text breaks the format's rules rather than guessing
 * past them (https://prometheus.io/docs/instrumenting/exposition_formats/,
 * "Text format details"):
 *
 * - the text ends with a line feed; a metric name matches
 *   `[a-zA-Z_:][a-zA-Z0-9_:]*`, a label name `[a-zA-Z_][a-zA-Z0-9_]*` and does
 *   not begin with `__` (reserved); a label name appears once per sample;
 * - label values escape only backslash, double quote and line feed
 *   (`\\`, `\"`, `\n`); HELP text only backslash and line feed;
 * - at most one HELP and one TYPE per metric name, the TYPE before the
 *   family's first sample; the samples of one family (a histogram's
 *   `_bucket`, `_sum`, `_count` with it) come as one group;
 * - no two samples with the same name and label set;
 * - a histogram's `_bucket` has `le`, with a `+Inf` bucket per series; a
 *   summary's samples without a suffix have `quantile`; values are numbers,
 *   `+Inf`, `-Inf` or `NaN`.
 *
 * `check` returns the problems found, one line each (none: a valid text).
 */
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/
const TYPES = new Set(["counter", "gauge", "histogram", "summary", "untyped"])
const VALUE = /^(?:[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)|[+-]Inf|NaN)$/

/** A sample's labels, or a problem with them. */
const parseLabels = (text: string): { labels: Array<[string, string]> } | { problem: string } => {
  const labels: Array<[string, string]> = []
  let i = 0
  while (i < text.length) {
    const eq = text.indexOf("=", i)
    if (eq < 0) return { problem: `no '=' after label name at ${i}` }
    const name = text.slice(i, eq)
    if (!LABEL_NAME.test(name)) return { problem: `label name '${name}' is not legal` }
    if (text[eq + 1] !== "\"") return { problem: `label ${name}: value not quoted` }
    let j = eq + 2
    let value = ""
    for (;;) {
      const c = text[j]
      if (c === undefined) return { problem: `label ${name}: value not closed` }
      if (c === "\"") break
      if (c === "\n") return { problem: `label ${name}: a raw line feed` }
      if (c === "\\") {
        const e = text[j + 1]
        if (e === "\\") value += "\\"
        else if (e === "\"") value += "\""
        else if (e === "n") value += "\n"
        else return { problem: `label ${name}: escape '\\${e ?? ""}' is not one of \\\\, \\", \\n` }
        j += 2
        continue
      }
      value += c
      j++
    }
    labels.push([name, value])
    j++
    if (j === text.length) break
    if (text[j] !== ",") return { problem: `label ${name}: ',' or end expected after the value` }
    i = j + 1
  }
  return { labels }
}

/** Every rule of the format `text` breaks; empty when it is valid. */
export const check = (text: string): Array<string> => {
  const problems: Array<string> = []
  if (text.length > 0 && !text.endsWith("\n")) problems.push("the last line does not end with a line feed")
  const types = new Map<string, string>()
  const helps = new Set<string>()
  /** families that have had samples, and the family of the group now open */
  const sampled = new Set<string>()
  const sampleNames = new Set<string>()
  let open: string | undefined
  const series = new Set<string>()
  /** per histogram series (family + labels without le): whether +Inf came */
  const infSeen = new Map<string, boolean>()
  const familyOf = (name: string): { family: string; suffix: string } => {
    if (types.has(name) && types.get(name) !== "histogram") return { family: name, suffix: "" }
    for (const suffix of ["_bucket", "_sum", "_count"]) {
      if (!name.endsWith(suffix)) continue
      const base = name.slice(0, -suffix.length)
      const t = types.get(base)
      if (t === "histogram" || (t === "summary" && suffix !== "_bucket")) return { family: base, suffix }
    }
    return { family: name, suffix: "" }
  }
  const lines = text.split("\n")
  if (lines.at(-1) === "") lines.pop()
  lines.forEach((line, n) => {
    const at = `line ${n + 1}`
    if (line.trim() === "") return
    if (line.startsWith("#")) {
      const m = /^#\s*(HELP|TYPE)\s+(\S+)(?:\s(.*))?$/.exec(line)
      if (m === null) return // a comment
      const [, kind, name, rest = ""] = m as unknown as [string, string, string, string | undefined]
      if (!METRIC_NAME.test(name)) problems.push(`${at}: ${kind} for illegal metric name '${name}'`)
      if (kind === "HELP") {
        if (helps.has(name)) problems.push(`${at}: a second HELP for ${name}`)
        helps.add(name)
        if (/\\[^\\n]|\\$/.test(rest.replace(/\\\\/g, ""))) problems.push(`${at}: HELP of ${name} has an escape other than \\\\ and \\n`)
      } else {
        const type = rest.trim()
        if (!TYPES.has(type)) problems.push(`${at}: TYPE ${name} '${type}' is not a type`)
        if (types.has(name)) problems.push(`${at}: a second TYPE for ${name} (${types.get(name)}, then ${type})`)
        if (sampled.has(name) || sampleNames.has(name)) problems.push(`${at}: TYPE ${name} after samples of ${name}`)
        const owner = familyOf(name).family
        if (owner !== name) problems.push(`${at}: TYPE ${name}: the name of samples of ${owner} (${types.get(owner)})`)
        types.set(name, type)
      }
      return
    }
    const m = /^([^\s{]+)(?:\{(.*)\})?\s+(\S+)(?:\s+(-?\d+))?$/.exec(line)
    if (m === null) {
      problems.push(`${at}: not a sample: ${line}`)
      return
    }
    const [, name, labelText, value] = m as unknown as [string, string, string | undefined, string]
    if (!METRIC_NAME.test(name)) problems.push(`${at}: illegal metric name '${name}'`)
    if (!VALUE.test(value)) problems.push(`${at}: '${value}' is not a value`)
    const parsed = labelText === undefined || labelText === "" ? { labels: [] } : parseLabels(labelText)
    if ("problem" in parsed) {
      problems.push(`${at}: ${parsed.problem}`)
      return
    }
    const names = parsed.labels.map(([k]) => k)
    for (const k of names) if (k.startsWith("__")) problems.push(`${at}: label name '${k}' is reserved`)
    const dup = names.find((k, i) => names.indexOf(k) !== i)
    if (dup !== undefined) problems.push(`${at}: label '${dup}' twice`)
    const key = `${name}{${[...parsed.labels].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(",")}}`
    if (series.has(key)) problems.push(`${at}: a second sample of ${key}`)
    series.add(key)
    sampleNames.add(name)
    const { family, suffix } = familyOf(name)
    if (family !== open) {
      if (sampled.has(family)) problems.push(`${at}: samples of ${family} are not together`)
      open = family
    }
    sampled.add(family)
    const type = types.get(family)
    if (type === "histogram" && suffix === "_bucket") {
      const le = parsed.labels.find(([k]) => k === "le")
      if (le === undefined) problems.push(`${at}: histogram bucket without le`)
      const rest = parsed.labels.filter(([k]) => k !== "le").map(([k, v]) => `${k}=${v}`).sort().join(",")
      const sk = `${family}{${rest}}`
      infSeen.set(sk, (infSeen.get(sk) ?? false) || le?.[1] === "+Inf")
    }
    if (type === "summary" && suffix === "" && !names.includes("quantile")) problems.push(`${at}: summary sample without quantile`)
  })
  for (const [sk, inf] of infSeen) if (!inf) problems.push(`histogram ${sk} has no +Inf bucket`)
  return problems
}
