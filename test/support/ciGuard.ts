/**
 * vitest global setup. The real-TAP tests skip (with a printed reason) on a
 * machine without root, /dev/net/tun or the kernel-side tools. In CI
 * (CI=true) a skip would hide a broken install step, so there every such
 * prerequisite is required and a missing one fails the run up front.
 */
import { execFileSync } from "node:child_process"
import { accessSync, constants } from "node:fs"
import { createRequire } from "node:module"

const TOOLS = ["ip", "ping", "socat", "tshark", "tcpdump", "setpriv"]

export default function setup(): void {
  if (process.env.CI !== "true") return
  const problems: Array<string> = []
  if (process.getuid?.() !== 0) problems.push("not running as root")
  try {
    accessSync("/dev/net/tun", constants.R_OK | constants.W_OK)
  } catch {
    problems.push("/dev/net/tun is missing or not accessible")
  }
  for (const tool of TOOLS) {
    try {
      execFileSync("sh", ["-c", `command -v ${tool}`], { stdio: "ignore" })
    } catch {
      problems.push(`${tool} is not installed`)
    }
  }
  try {
    createRequire(import.meta.url)("../../build/Release/gonet_tap.node")
  } catch (e) {
    problems.push(`the TAP addon does not load: ${(e as Error).message}`)
  }
  if (problems.length > 0) {
    throw new Error(`CI=true but the real-TAP tests cannot run: ${problems.join("; ")}`)
  }
}
