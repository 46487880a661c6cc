/**
 * Network namespaces for tests that need a real kernel peer (DESIGN.md §6).
 *
 * - `canUseTap()` says whether this process can run them at all (root,
 *   /dev/net/tun, iproute2); test files skip with the printed reason otherwise.
 * - `makeNetns(tag)` creates a namespace named after the test file's tag and
 *   this process id (vitest runs files in parallel, one process each), sets
 *   `lo` up, and deletes the namespace when the scope closes.
 * - `exec` runs a bounded command inside a namespace; `spawnIn` starts a
 *   long-running one that the scope kills (by PID).
 * - `moveLinkToNetns` moves an interface there and gives it an address.
 *
 * Network-safety rule: every address handed to these helpers must lie in
 * 198.18.0.0/15 (RFC 2544); anything else is a defect, so a test can never
 * send traffic anywhere else.
 */
import { Data, Effect } from "effect"
import type { Scope } from "effect"
import { execFile, execFileSync, spawn } from "node:child_process"
import type { ChildProcess } from "node:child_process"
import { existsSync } from "node:fs"
import { constants } from "node:os"
import { delimiter, join } from "node:path"
import * as TapAddon from "../../src/link/TapAddon.js"

/**
 * A helper command could not run, or failed where success was required.
 */
export class NetnsError extends Data.TaggedError("NetnsError")<{
  readonly argv: ReadonlyArray<string>
  readonly code: number
  readonly stderr: string
}> {
  override get message(): string {
    return `${this.argv.join(" ")} exited with ${this.code}: ${this.stderr.trim()}`
  }
}

/** A network namespace created by `makeNetns`. */
export interface Netns {
  readonly name: string
}

/** What `exec` returns; a non-zero `code` is not a failure. */
export interface ExecResult {
  readonly stdout: string
  readonly stderr: string
  /** exit status; 124 when killed for exceeding `timeoutMs`, 128+n for signal n */
  readonly code: number
}

const ipBinary = (): string | undefined =>
  ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"].find((p) => existsSync(p))

/** Whether TAP + netns tests can run here, and if not, why. */
export const canUseTap = (): { readonly ok: true } | { readonly ok: false; readonly reason: string } => {
  if (process.platform !== "linux") return { ok: false, reason: "not Linux" }
  if (process.getuid?.() !== 0) return { ok: false, reason: "not running as root" }
  if (!existsSync("/dev/net/tun")) return { ok: false, reason: "/dev/net/tun is missing" }
  const ip = ipBinary()
  if (ip === undefined) return { ok: false, reason: "iproute2 (ip) is not installed" }
  try {
    execFileSync(ip, ["netns", "list"], { stdio: "ignore", timeout: 5_000 })
  } catch {
    return { ok: false, reason: "`ip netns` does not work here" }
  }
  return { ok: true }
}

/** Where `tool` is: on PATH, or in root's sbin directories; undefined when nowhere. */
export const which = (tool: string): string | undefined =>
  [...(process.env["PATH"] ?? "").split(delimiter), "/usr/sbin", "/sbin"]
    .filter((dir) => dir !== "")
    .map((dir) => join(dir, tool))
    .find((p) => existsSync(p))

/**
 * Why a real-TAP test cannot run here, or undefined: `canUseTap`'s reasons,
 * the addon not built, or one of `tools` missing. A missing tool that
 * .ci/run installs (`ciInstalls`) throws instead when CI=true: a skip there
 * would hide a broken install step.
 */
export const tapSkipReason = (
  options: { readonly tools?: ReadonlyArray<string>; readonly ciInstalls?: ReadonlyArray<string> } = {}
): string | undefined => {
  const tap = canUseTap()
  if (!tap.ok) return tap.reason
  try {
    TapAddon.loadSync()
  } catch (e) {
    return `the TAP addon is not built (${e instanceof Error ? e.message : String(e)})`
  }
  for (const tool of [...(options.tools ?? []), ...(options.ciInstalls ?? [])]) {
    if (which(tool) !== undefined) continue
    if (process.env["CI"] === "true" && options.ciInstalls?.includes(tool)) {
      throw new Error(`CI=true but ${tool} is not installed`)
    }
    return `${tool} is not installed`
  }
  return undefined
}

// ---------------------------------------------------------------------------
// names

const MAX_IFNAME = 15
let counter = 0

/**
 * A TAP/interface name unique to this test file (`tag`, 1..4 letters) and
 * process: `g<tag><pid>`, then `i<index>` for an index other than 0 (the
 * letter keeps pid 1234's index 56 apart from pid 12345's index 6), at most
 * 15 octets.
 */
export const ifName = (tag: string, index = 0): string => {
  const name = `g${tag}${process.pid}${index === 0 ? "" : `i${index}`}`
  if (!/^[a-z]{1,4}$/.test(tag) || name.length > MAX_IFNAME) {
    throw new Error(`ifName: tag must be 1..4 lowercase letters and the name at most ${MAX_IFNAME} octets: ${name}`)
  }
  return name
}

// ---------------------------------------------------------------------------
// the network-safety rule

const BENCH_NET = 0xc6120000 // 198.18.0.0
const BENCH_MASK = 0xfffe0000 // /15

const parseV4 = (text: string): number | undefined => {
  const parts = text.split(".")
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return undefined
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0) >>> 0
}

/** Dies unless `cidr` ("a.b.c.d/len" or "a.b.c.d") lies inside 198.18.0.0/15. */
export const assertBenchAddress = (cidr: string): void => {
  const [addr, len, ...rest] = cidr.split("/")
  const a = addr === undefined ? undefined : parseV4(addr)
  const prefix = len === undefined ? 32 : Number(len)
  if (
    a === undefined || rest.length > 0 || !Number.isInteger(prefix) || prefix < 15 || prefix > 32 ||
    ((a & BENCH_MASK) >>> 0) !== BENCH_NET
  ) {
    throw new Error(`network-safety rule: tests use 198.18.0.0/15 only (prefix >= 15), got ${cidr}`)
  }
}

// ---------------------------------------------------------------------------
// running commands

const codeOf = (error: (Error & { code?: unknown; signal?: unknown; killed?: boolean }) | null): number => {
  if (error === null) return 0
  if (typeof error.code === "number") return error.code
  if (error.killed === true) return 124
  if (typeof error.signal === "string") {
    const n = (constants.signals as Record<string, number | undefined>)[error.signal]
    return n === undefined ? 128 : 128 + n
  }
  return -1
}

/**
 * Run `argv` in the current (root) namespace. Fails with `NetnsError` only
 * when the command cannot be started; interruption kills it.
 */
export const execHost = (
  argv: ReadonlyArray<string>,
  options: { readonly timeoutMs?: number } = {}
): Effect.Effect<ExecResult, NetnsError> =>
  Effect.async<ExecResult, NetnsError>((resume, signal) => {
    const [file, ...args] = argv
    if (file === undefined) {
      resume(Effect.fail(new NetnsError({ argv, code: -1, stderr: "empty argv" })))
      return
    }
    execFile(
      file,
      args,
      { timeout: options.timeoutMs ?? 10_000, signal, maxBuffer: 16 * 1024 * 1024, encoding: "utf8" },
      (error, stdout, stderr) => {
        const spawnFailed = error !== null && typeof (error as { code?: unknown }).code === "string" &&
          (error as { code: string }).code !== "ABORT_ERR"
        if (spawnFailed) {
          resume(Effect.fail(new NetnsError({ argv, code: -1, stderr: error.message })))
        } else {
          resume(Effect.succeed({ stdout, stderr, code: codeOf(error) }))
        }
      }
    )
  })

const nsName = (ns: Netns | string): string => typeof ns === "string" ? ns : ns.name

/** `ip netns exec NS argv...`, see `execHost`. */
export const exec = (
  ns: Netns | string,
  argv: ReadonlyArray<string>,
  options: { readonly timeoutMs?: number } = {}
): Effect.Effect<ExecResult, NetnsError> => execHost([ipBinary() ?? "ip", "netns", "exec", nsName(ns), ...argv], options)

/** Like `execHost`, but a non-zero exit is a `NetnsError`. */
export const runHost = (
  argv: ReadonlyArray<string>,
  options: { readonly timeoutMs?: number } = {}
): Effect.Effect<ExecResult, NetnsError> =>
  Effect.flatMap(execHost(argv, options), (r) =>
    r.code === 0 ? Effect.succeed(r) : Effect.fail(new NetnsError({ argv, code: r.code, stderr: r.stderr })))

/** Like `exec`, but a non-zero exit is a `NetnsError`. */
export const run = (
  ns: Netns | string,
  argv: ReadonlyArray<string>,
  options: { readonly timeoutMs?: number } = {}
): Effect.Effect<ExecResult, NetnsError> =>
  Effect.flatMap(exec(ns, argv, options), (r) =>
    r.code === 0 ? Effect.succeed(r) : Effect.fail(new NetnsError({ argv, code: r.code, stderr: r.stderr })))

// ---------------------------------------------------------------------------
// namespaces and processes

/** Whether process `pid` is alive (ESRCH: gone; EPERM: alive, not ours to signal). */
const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as { code?: unknown }).code === "EPERM"
  }
}

let swept = false

/**
 * Namespaces `makeNetns` made in processes that are gone (`gn-<tag>-<pid>-<n>`, the pid not
 * alive), deleted: a test process killed before its finalizers ran (a worker ended on a
 * timeout) leaves its namespaces, and so did a deletion that failed while a failed test's
 * processes were still going. Once per process, before its first namespace. Only our own names
 * of dead processes: a namespace of a live process (another test file's) is never touched.
 */
const sweepStale = (ip: string): Effect.Effect<void, NetnsError> =>
  Effect.suspend(() => {
    if (swept) return Effect.void
    swept = true
    return Effect.flatMap(execHost([ip, "netns", "list"]), (r) =>
      Effect.forEach(
        r.stdout.split("\n").flatMap((line) => {
          const m = /^(gn-[a-z0-9]+-(\d+)-\d+)(\s|$)/.exec(line)
          return m !== null && Number(m[2]) !== process.pid && !alive(Number(m[2])) ? [m[1]!] : []
        }),
        (name) => execHost([ip, "netns", "del", name]),
        { discard: true }
      ))
  })

/** `ip netns del`, once more after 200 ms if it failed (the namespace's last processes still exiting). */
const deleteNetns = (name: string): Effect.Effect<void> => {
  const del = execHost([ipBinary() ?? "ip", "netns", "del", name])
  return Effect.ignore(Effect.flatMap(del, (r) => r.code === 0 ? Effect.void : Effect.zipRight(Effect.sleep("200 millis"), del)))
}

/**
 * A fresh namespace `gn-<tag>-<pid>-<n>` with `lo` up, deleted (with every
 * interface still in it) when the scope closes. The first one a process makes
 * deletes those that processes now gone left (`sweepStale`).
 */
export const makeNetns = (tag: string): Effect.Effect<Netns, NetnsError, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.gen(function*() {
      const name = `gn-${tag}-${process.pid}-${counter++}`
      const ip = ipBinary() ?? "ip"
      yield* sweepStale(ip)
      yield* runHost([ip, "netns", "add", name])
      yield* run(name, [ip, "link", "set", "lo", "up"]).pipe(
        Effect.tapError(() => deleteNetns(name))
      )
      return { name } satisfies Netns
    }),
    (ns) => deleteNetns(ns.name)
  )

/** A long-running process started by `spawnIn`. */
export interface Spawned {
  readonly pid: number
  readonly child: ChildProcess
  /** everything written to stdout so far */
  readonly stdout: () => string
  /** everything written to stderr so far */
  readonly stderr: () => string
  /** completes with the exit code (128+n for signal n) */
  readonly exited: Effect.Effect<number>
}

/**
 * Start `argv` inside `ns` (`ip netns exec` execs it, so the PID is the
 * command's own). The scope's finalizer kills it by PID with SIGKILL and waits
 * for it to exit. Its stdin is closed unless `options.stdin` asks for a pipe
 * (`child.stdin`).
 */
export const spawnIn = (
  ns: Netns | string,
  argv: ReadonlyArray<string>,
  options: { readonly stdin?: "pipe" } = {}
): Effect.Effect<Spawned, NetnsError, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.async<Spawned, NetnsError>((resume) => {
      const fullArgv = [ipBinary() ?? "ip", "netns", "exec", nsName(ns), ...argv]
      const child = spawn(fullArgv[0]!, fullArgv.slice(1), { stdio: [options.stdin ?? "ignore", "pipe", "pipe"] })
      let out = ""
      let err = ""
      child.stdout!.setEncoding("utf8").on("data", (d: string) => (out += d))
      child.stderr!.setEncoding("utf8").on("data", (d: string) => (err += d))
      let exitCode: number | undefined
      const waiters: Array<(code: number) => void> = []
      child.on("exit", (code, sig) => {
        exitCode = code ?? 128 + (sig === null ? 0 : (constants.signals[sig] ?? 0))
        for (const w of waiters.splice(0)) w(exitCode)
      })
      const exited = Effect.async<number>((done) => {
        if (exitCode !== undefined) done(Effect.succeed(exitCode))
        else waiters.push((c) => done(Effect.succeed(c)))
      })
      child.once("error", (e) => resume(Effect.fail(new NetnsError({ argv: fullArgv, code: -1, stderr: e.message }))))
      child.once("spawn", () =>
        resume(Effect.succeed({ pid: child.pid!, child, stdout: () => out, stderr: () => err, exited })))
    }),
    (p) =>
      Effect.suspend(() => {
        if (p.child.exitCode !== null || p.child.signalCode !== null) return Effect.void
        try {
          process.kill(p.pid, "SIGKILL")
        } catch {
          return Effect.void // already gone
        }
        return Effect.asVoid(p.exited)
      })
  )

/**
 * Move `ifname` from this namespace into `ns`, then inside it add `address`
 * (CIDR, 198.18.0.0/15 only) and bring the link up. Moving a link flushes its
 * addresses and takes it down, hence the order.
 */
export const moveLinkToNetns = (
  ifname: string,
  ns: Netns | string,
  options: { readonly address: string; readonly mtu?: number }
): Effect.Effect<void, NetnsError> =>
  Effect.gen(function*() {
    assertBenchAddress(options.address)
    const ip = ipBinary() ?? "ip"
    yield* runHost([ip, "link", "set", ifname, "netns", nsName(ns)])
    if (options.mtu !== undefined) yield* run(ns, [ip, "link", "set", ifname, "mtu", String(options.mtu)])
    yield* run(ns, [ip, "addr", "add", options.address, "dev", ifname])
    yield* run(ns, [ip, "link", "set", ifname, "up"])
  })

/** The TcpExt counters of /proc/net/netstat's text (a header line of names, then one of values). */
export const parseTcpExt = (netstat: string): Record<string, number> => {
  const [names, values] = netstat.split("\n").filter((l) => l.startsWith("TcpExt:")).map((l) => l.trim().split(/\s+/))
  if (names === undefined || values === undefined || names.length !== values.length) {
    throw new Error(`no TcpExt counters in:\n${netstat}`)
  }
  return Object.fromEntries(names.slice(1).map((n, i) => [n, Number(values[i + 1])]))
}

/** The kernel's TcpExt counters in `ns` (each namespace counts alone), e.g. `TCPSynRetrans`. */
export const tcpExt = (ns: Netns | string): Effect.Effect<Record<string, number>, NetnsError> =>
  Effect.map(run(ns, ["cat", "/proc/net/netstat"], { timeoutMs: 10_000 }), (r) => parseTcpExt(r.stdout))
