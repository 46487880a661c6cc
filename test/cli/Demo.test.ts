/**
 * `gonet demo` (built; root): it runs to the end saying what happened, and
 * leaves no namespace behind, also when interrupted with SIGINT half-way.
 * Signals go only to the PID this test spawned.
 */
import { spawn, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as nodePath from "node:path"
import { describe, expect, it } from "vitest"
import { tapSkipReason } from "../support/Netns.js"

const ROOT = nodePath.resolve(import.meta.dirname, "../..")
const BIN = nodePath.join(ROOT, "bin/gonet.js")

const skipReason = (): string | undefined =>
  fs.existsSync(nodePath.join(ROOT, "dist/cli/Demo.js")) ? tapSkipReason({ tools: ["ping"] }) : "dist/cli/Demo.js missing (run `npm run build`)"
const SKIP = skipReason()
if (SKIP !== undefined) console.warn(`test/cli/Demo.test.ts skipped: ${SKIP}`)

const namespacesOf = (pid: number): Array<string> =>
  spawnSync("ip", ["netns", "list"], { encoding: "utf8" }).stdout.split("\n").filter((l) => l.startsWith(`gonet-demo-${pid}`))

/** Run the demo; `onLine` may act on each line of its output. Resolves with its exit code and output. */
const demo = (onLine?: (line: string, pid: number) => void, args: ReadonlyArray<string> = []) =>
  new Promise<{ code: number | null; signal: string | null; out: string; pid: number }>((resolve) => {
    const child = spawn(process.execPath, [BIN, "demo", ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: "1" } })
    let out = ""
    let partial = ""
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      out += d
      partial += d
      const lines = partial.split("\n")
      partial = lines.pop()!
      for (const l of lines) onLine?.(l, child.pid!)
    })
    child.stderr.setEncoding("utf8").on("data", (d: string) => (out += d))
    // a safety net: the demo bounds every step itself
    const guard = setTimeout(() => child.kill("SIGKILL"), 120_000)
    child.on("exit", (code, signal) => {
      clearTimeout(guard)
      resolve({ code, signal, out, pid: child.pid! })
    })
  })

describe.skipIf(SKIP !== undefined)("gonet demo", () => {
  it("pings and fetches from the stack with the kernel's tools, says so, records a pcap, and removes the namespace", async () => {
    const pcap = nodePath.join(fs.mkdtempSync(nodePath.join(os.tmpdir(), "gonet-demo-")), "demo.pcap")
    const r = await demo(undefined, ["--pcap", pcap])
    const recorded = fs.readFileSync(pcap)
    fs.rmSync(nodePath.dirname(pcap), { recursive: true, force: true })
    // a pcap global header (little-endian magic) and far more than a few frames (a 10 MB download)
    expect(recorded.readUInt32LE(0)).toBe(0xa1b2c3d4)
    expect(recorded.length).toBeGreaterThan(10_000_000)
    expect(r.out).toContain(`Every frame both ways is in ${pcap}`)
    expect(r.code, r.out).toBe(0)
    expect(r.out).toMatch(/^Made network namespace gonet-demo-\d+ and TAP gdemo\d+\./m)
    expect(r.out).toMatch(/: 3 of 3 echo requests answered; round trips/)
    expect(r.out).toMatch(/fetched the status page \(http:\/\/198\.18\.0\.2\/\): HTTP 200, \d+ octets\./)
    expect(r.out).toMatch(/downloaded 10000000 octets from \/bytes\/10000000: HTTP 200/)
    expect(r.out).toMatch(/it answered \d+ ARP requests? and 3 pings, and accepted [1-9]\d* TCP connections?\./)
    expect(r.out).toMatch(/^Removed namespace gonet-demo-\d+ and the TAP with it\.$/m)
    expect(namespacesOf(r.pid)).toEqual([])
  }, 150_000)

  it("removes everything when interrupted (SIGINT) half-way", async () => {
    let sent = false
    const r = await demo((line, pid) => {
      if (!sent && line.startsWith("The stack is up")) {
        sent = true
        process.kill(pid, "SIGINT")
      }
    })
    expect(sent, r.out).toBe(true)
    expect(r.out).toMatch(/^Removed namespace gonet-demo-\d+ and the TAP with it\.$/m)
    expect(r.out).not.toMatch(/downloaded/)
    expect(namespacesOf(r.pid)).toEqual([])
  }, 150_000)
})
