// Command-line options shared by the bench scripts: `--name value`.
const args = process.argv.slice(2)

/** The value after `--name`, or `fallback` when absent. */
export const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`)
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback
}

/** Whether `--name` was given (a flag without a value). */
export const flag = (name) => args.includes(`--${name}`)
