/**
 * `gonet up --serve http --stats S` (built; root, in a namespace this test
 * makes): the kernel's curl gets the status page, /bytes/N and /metrics from
 * the stack; counter lines come while it is up; SIGINT (to the PID this
 * test spawned) ends it cleanly with the down line.
 */
import { spawn, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as nodePath from "node:path"
import { describe, expect, it } from "vitest"
import { tapSkipReason } from "../support/Netns.js"

const ROOT = nodePath.resolve(import.meta.dirname, "../..")
const BIN = nodePath.join(ROOT, "bin/gonet.js")

const skipReason = (): string | undefined =>
  fs.existsSync(nodePath.join(ROOT, "dist/http/StatusService.js")) ? tapSkipReason({ ciInstalls: ["curl"] }) : "dist/http/StatusService.js missing (run `npm run build`)"
const SKIP = skipReason()
if (SKIP !== undefined) console.warn(`test/cli/UpHttp.test.ts skipped: ${SKIP}`)

const NS = `gn-uphttp-${process.pid}`
const curl = (args: ReadonlyArray<string>) =>
  spawnSync("ip", ["netns", "exec", NS, "curl", "-sS", "--max-time", "20", ...args], { timeout: 30_000, maxBuffer: 32 << 20 })

describe.skipIf(SKIP !== undefined)("gonet up --serve http", () => {
  it("serves the page, /bytes/N and /metrics to the kernel's curl, prints counter lines, stops on SIGINT", async () => {
    spawnSync("ip", ["netns", "add", NS])
    try {
      const child = spawn("ip", ["netns", "exec", NS, process.execPath, BIN, "up", "--tap", "guphttp0", "--serve", "http", "--stats", "0.5"], {
        cwd: ROOT,
        env: { ...process.env, NO_COLOR: "1" }
      })
      let out = ""
      child.stdout.setEncoding("utf8").on("data", (d: string) => (out += d))
      child.stderr.setEncoding("utf8").on("data", (d: string) => (out += d))
      const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)))
      for (let i = 0; i < 300 && !/^gonet up on /m.test(out); i++) await new Promise((r) => setTimeout(r, 50))
      expect(out).toContain("serving http:80")

      const page = curl(["http://198.18.0.2/"])
      expect(page.status, page.stderr.toString()).toBe(0)
      expect(page.stdout.toString()).toContain("<title>gonet-ts status</title>")
      const bytes = curl(["-o", "/dev/null", "-w", "%{http_code} %{size_download}", "http://198.18.0.2/bytes/5000000"])
      expect(bytes.stdout.toString()).toBe("200 5000000")
      const metrics = curl(["http://198.18.0.2/metrics"]).stdout.toString()
      expect(metrics).toMatch(/^gonet_tcp_passive_opens_total\{stack="198\.18\.0\.2"\} [3-9]$/m)
      expect(metrics).toMatch(/^gonet_icmp_echo_requests_total\{stack="198\.18\.0\.2"\} 0$/m)

      for (let i = 0; i < 100 && !/^gonet stats: .*tcp opens passive [3-9]/m.test(out); i++) await new Promise((r) => setTimeout(r, 50))
      expect(out).toMatch(/^gonet stats: frames rx \d+ tx \d+; .*; tcp connections \d+$/m)
      expect(out).toMatch(/^gonet stats: .*tcp opens passive [3-9]/m)

      process.kill(child.pid!, "SIGINT")
      expect(await exited).toBe(0)
      expect(out).toMatch(/^gonet down: .*tcp opens passive [3-9]/m)
    } finally {
      spawnSync("ip", ["netns", "del", NS])
    }
  }, 90_000)
})
