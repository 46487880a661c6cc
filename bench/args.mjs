// Command-line options shared by the bench scripts (`--name value`), and the
// network-safety address rule. No side effects on import: the stack server
// uses it too.
const args = process.argv.slice(2)

/** The value after `--name`, or `fallback` when absent. */
export const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`)
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback
}

/** Whether `--name` was given (a flag without a value). */
export const flag = (name) => args.includes(`--${name}`)

/** `--name N`, an integer in min..max (every load a bench makes is bounded), or `fallback`. */
export const intOpt = (name, fallback, min, max) => {
  const v = Number(opt(name, String(fallback)))
  if (!Number.isInteger(v) || v < min || v > max) throw new Error(`--${name} ${min}..${max}`)
  return v
}

/** `--name LIST`, a `taskset -c` CPU list (`1`, `0,2`, `0-3`), or undefined. */
export const cpuListOpt = (name) => {
  const v = opt(name, undefined)
  if (v !== undefined && !/^\d{1,4}(-\d{1,4})?(,\d{1,4}(-\d{1,4})?)*$/.test(v)) throw new Error(`--${name} LIST (taskset -c)`)
  return v
}

/**
 * Network-safety rule (DESIGN.md §6): `A.B.C.D/LEN` (LEN 15..32, 32 when
 * absent) inside 198.18.0.0/15, or it throws.
 */
export const parseBenchCidr = (cidr) => {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\/(\d{1,2}))?$/.exec(cidr ?? "")
  const parts = m === null ? [] : m.slice(1, 5).map(Number)
  const u32 = parts.reduce((a, p) => a * 256 + p, 0) >>> 0
  const prefixLength = m?.[5] === undefined ? 32 : Number(m[5])
  if (m === null || parts.some((p) => p > 255) || ((u32 & 0xfffe0000) >>> 0) !== 0xc6120000 || prefixLength < 15 || prefixLength > 32) {
    throw new Error(`network-safety rule: 198.18.0.0/15 only, got ${cidr}`)
  }
  return { text: parts.join("."), u32, prefixLength }
}
