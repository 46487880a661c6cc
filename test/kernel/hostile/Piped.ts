/**
 * A long-running helper in a test namespace that talks a line protocol: the
 * test writes one line on its stdin and waits for the next line it prints
 * (test/kernel/hostile/attacks.py and stream.py). `spawnPiped` starts it
 * with `ip netns exec` (which execs, so the PID is the helper's own); the
 * scope's finalizer kills it by that PID and waits for it to exit.
 */
import { Data, Effect } from "effect"
import type { Scope } from "effect"
import { spawn } from "node:child_process"
import { existsSync } from "node:fs"
import type { Netns } from "../../support/Netns.js"

/** The helper died, printed something unparsable, or did not answer in time. */
export class PipedError extends Data.TaggedError("PipedError")<{
  readonly what: string
  readonly stderr: string
}> {
  override get message(): string {
    return `${this.what}; stderr: ${this.stderr.trim().slice(-2000)}`
  }
}

export interface Piped {
  readonly pid: number
  /** the next line it prints (waiting at most `timeoutMs`), parsed as JSON */
  readonly next: (timeoutMs: number) => Effect.Effect<Record<string, unknown>, PipedError>
  /** write `line` and wait for the answer */
  readonly ask: (line: string, timeoutMs: number) => Effect.Effect<Record<string, unknown>, PipedError>
  readonly stderr: () => string
}

const IP = ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"].find((p) => existsSync(p)) ?? "ip"

export const spawnPiped = (ns: Netns, argv: ReadonlyArray<string>): Effect.Effect<Piped, PipedError, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.async<{ piped: Piped; kill: Effect.Effect<void> }, PipedError>((resume) => {
      const child = spawn(IP, ["netns", "exec", ns.name, ...argv], { stdio: ["pipe", "pipe", "pipe"] })
      let err = ""
      let buffered = ""
      const lines: Array<string> = []
      let waiter: ((line: string | undefined) => void) | undefined
      let exited = false
      const exitWaiters: Array<() => void> = []
      child.stderr.setEncoding("utf8").on("data", (d: string) => (err += d))
      child.stdout.setEncoding("utf8").on("data", (d: string) => {
        buffered += d
        for (let nl = buffered.indexOf("\n"); nl >= 0; nl = buffered.indexOf("\n")) {
          lines.push(buffered.slice(0, nl))
          buffered = buffered.slice(nl + 1)
        }
        if (waiter !== undefined && lines.length > 0) {
          const w = waiter
          waiter = undefined
          w(lines.shift())
        }
      })
      child.stdin.on("error", () => {}) // a dead helper is reported by `next`, not by an EPIPE
      child.on("exit", () => {
        exited = true
        if (waiter !== undefined) {
          const w = waiter
          waiter = undefined
          w(undefined)
        }
        for (const w of exitWaiters.splice(0)) w()
      })
      const next = (timeoutMs: number) =>
        Effect.async<Record<string, unknown>, PipedError>((done) => {
          const fail = (what: string) => done(Effect.fail(new PipedError({ what: `${argv.join(" ")}: ${what}`, stderr: err })))
          const take = (line: string | undefined) => {
            clearTimeout(timer)
            if (line === undefined) return fail("exited before answering")
            try {
              done(Effect.succeed(JSON.parse(line) as Record<string, unknown>))
            } catch {
              fail(`printed ${line}`)
            }
          }
          // a bounded safety net (tests only): a helper that hangs fails the test instead of stalling it
          const timer = setTimeout(() => {
            waiter = undefined
            fail(`no answer within ${timeoutMs} ms`)
          }, timeoutMs)
          if (lines.length > 0) take(lines.shift())
          else if (exited) take(undefined)
          else waiter = take
        })
      const piped: Piped = {
        pid: child.pid ?? -1,
        next,
        ask: (line, timeoutMs) => Effect.zipRight(Effect.sync(() => child.stdin.write(line + "\n")), next(timeoutMs)),
        stderr: () => err
      }
      const kill = Effect.async<void>((done) => {
        if (exited || child.pid === undefined) return done(Effect.void)
        exitWaiters.push(() => done(Effect.void))
        try {
          process.kill(child.pid, "SIGKILL")
        } catch {
          done(Effect.void)
        }
      })
      child.once("error", (e) => resume(Effect.fail(new PipedError({ what: `${argv.join(" ")}: ${e.message}`, stderr: err }))))
      child.once("spawn", () => resume(Effect.succeed({ piped, kill })))
    }),
    (p) => p.kill
  ).pipe(Effect.map((p) => p.piped))
