/**
 * Recording calls that may throw, for the behaviour tables (scenarios.ts,
 * dgramScenarios.ts) that compare the stack's Node adapters with Node's own
 * modules: the trace has each error's class name, code and syscall, so a
 * RangeError where Node throws a TypeError is a difference too.
 */

/**
 * A call into `trace`: `what -> <its result as JSON>` (or `what went` when the result is not the
 * point), or `what threw <name> <code> <syscall>: <message>`. A message is cut at `cut` where
 * Node's carries what ours need not match (an errno's text after " (", a value after ": ").
 */
export const attempter = (trace: Array<string>, options: { readonly result?: boolean; readonly cut?: string } = {}) =>
(what: string, f: () => unknown): void => {
  try {
    const r = f()
    trace.push(options.result === false ? `${what} went` : `${what} -> ${JSON.stringify(r)}`)
  } catch (e) {
    const err = e as NodeJS.ErrnoException
    const message = options.cut === undefined ? err.message : err.message.split(options.cut)[0]
    trace.push(`${what} threw ${err.name} ${err.code}${err.syscall === undefined ? "" : ` ${err.syscall}`}: ${message}`)
  }
}
