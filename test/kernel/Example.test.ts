/**
 * The README's examples run as written, each in a namespace this test makes:
 * examples/hello-http.mjs (Node's APIs from gonet-ts/node) brings the stack
 * up on a TAP and the kernel's curl, socat and a UDP datagram reach its
 * HTTP, TCP echo and UDP listeners; examples/hello-effect.mjs serves an
 * @effect/platform HttpRouter over the stack to curl. SIGINT (to the PID
 * this test spawned) ends each with status 0.
 * Needs root, /dev/net/tun, the addon, the build, curl and socat; skips with
 * the printed reason otherwise.
 */
import { spawn, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as nodePath from "node:path"
import { describe, expect, it } from "vitest"
import { tapSkipReason } from "../support/Netns.js"

const ROOT = nodePath.resolve(import.meta.dirname, "../..")
const EXAMPLE = nodePath.join(ROOT, "examples/hello-http.mjs")

const skipReason = (): string | undefined =>
  fs.existsSync(nodePath.join(ROOT, "dist/node/index.js")) ? tapSkipReason({ ciInstalls: ["curl", "socat"] }) : "dist/node/index.js missing (run `npm run build`)"
const SKIP = skipReason()
if (SKIP !== undefined) console.warn(`test/kernel/Example.test.ts skipped: ${SKIP}`)

const NS = `gn-example-${process.pid}`
const inNs = (argv: ReadonlyArray<string>, input?: string) =>
  spawnSync("ip", ["netns", "exec", NS, ...argv], { encoding: "utf8", timeout: 20_000, killSignal: "SIGKILL", input })

/** Start `example` in the namespace; resolves once it printed its "up:" line. */
const startExample = async (example: string) => {
  const child = spawn("ip", ["netns", "exec", NS, process.execPath, nodePath.join(ROOT, "examples", example)], { cwd: ROOT })
  const state = { out: "" }
  child.stdout.setEncoding("utf8").on("data", (d: string) => (state.out += d))
  child.stderr.setEncoding("utf8").on("data", (d: string) => (state.out += d))
  const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)))
  for (let i = 0; i < 200 && !state.out.includes("up: "); i++) await new Promise((r) => setTimeout(r, 50))
  return { child, state, exited }
}

describe.skipIf(SKIP !== undefined)("the README's examples", () => {
  it("examples/hello-effect.mjs serves its HttpRouter over the stack, and stops on SIGINT", async () => {
    spawnSync("ip", ["netns", "add", NS])
    try {
      inNs(["ip", "link", "set", "lo", "up"])
      const { child, state, exited } = await startExample("hello-effect.mjs")
      expect(state.out).toContain("up: curl http://198.18.0.2/hello/you")
      const http = inNs(["curl", "-sS", "--max-time", "10", "--retry", "3", "--retry-connrefused", "http://198.18.0.2/hello/you"])
      expect(http.stdout, http.stderr + state.out).toBe("hello, you\n")
      process.kill(child.pid!, "SIGINT")
      expect(await exited).toBe(0)
    } finally {
      spawnSync("ip", ["netns", "del", NS])
    }
  }, 60_000)

  it("examples/hello-http.mjs serves HTTP, TCP echo and UDP on the stack, and stops on SIGINT", async () => {
    spawnSync("ip", ["netns", "add", NS])
    try {
      inNs(["ip", "link", "set", "lo", "up"])
      const child = spawn("ip", ["netns", "exec", NS, process.execPath, EXAMPLE], { cwd: ROOT })
      let out = ""
      child.stdout.setEncoding("utf8").on("data", (d: string) => (out += d))
      child.stderr.setEncoding("utf8").on("data", (d: string) => (out += d))
      const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)))
      for (let i = 0; i < 200 && !out.includes("up: "); i++) await new Promise((r) => setTimeout(r, 50))
      expect(out).toContain("up: curl http://198.18.0.2/")
      const http = inNs(["curl", "-sS", "--max-time", "10", "--retry", "3", "--retry-connrefused", "http://198.18.0.2/"])
      expect(http.stdout, http.stderr).toBe("hello from gonet-ts, 198.18.0.1\n")
      const echo = inNs(["socat", "-t", "2", "-", "tcp:198.18.0.2:7"], "echo me\n")
      expect(echo.stdout).toBe("echo me\n")
      inNs(["socat", "-u", "-", "udp:198.18.0.2:5353"], "a datagram")
      for (let i = 0; i < 100 && !out.includes("a datagram"); i++) await new Promise((r) => setTimeout(r, 50))
      expect(out).toMatch(/udp from 198\.18\.0\.1:\d+: a datagram/)
      // `ip netns exec` execs node: this PID is the example's own
      process.kill(child.pid!, "SIGINT")
      expect(await exited).toBe(0)
    } finally {
      spawnSync("ip", ["netns", "del", NS])
    }
  }, 60_000)
})
