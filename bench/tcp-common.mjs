// Shared pieces of the TCP benches over the TAP (bulk.mjs, rr.mjs): the C
// peer tcpbench.c (built into bench/.build/), run as a client or a server in a
// namespace, bounded in time; the stack's namespace and the kernel-to-kernel
// veth pair; the CPU a process used. Network safety as in lib.mjs: every
// address goes through assertBenchAddress, and tcpbench.c refuses any address
// (and any accepted peer) outside 198.18.0.0/15 itself.
import { execFileSync, spawn } from "node:child_process"
import { existsSync, mkdirSync, readFileSync, statSync } from "node:fs"
import { join } from "node:path"
import {
  assertBenchAddress, BENCH_DIR, deleteNs, inNs, IP, makeNs, sh, startStack, track, waitExit
} from "./lib.mjs"

export const STACK = "198.18.0.2"
export const VETH_A = "198.18.1.1"
export const VETH_B = "198.18.1.2"

/** bench/tcpbench.c built into bench/.build/tcpbench (again when the source is newer); its path. */
export const buildTcpbench = () => {
  const dir = join(BENCH_DIR, ".build")
  mkdirSync(dir, { recursive: true })
  const src = join(BENCH_DIR, "tcpbench.c")
  const bin = join(dir, "tcpbench")
  if (!existsSync(bin) || statSync(bin).mtimeMs < statSync(src).mtimeMs) {
    execFileSync("cc", ["-O2", "-Wall", "-o", bin, src], { stdio: "inherit", timeout: 60_000 })
  }
  return bin
}

/**
 * Resolves when the child's stdio has closed: "exit" can come before the last
 * "data" of its stdout, so a result read at "exit" may lack its last line.
 */
const stdioClosed = (child) => new Promise((resolve) => child.once("close", resolve))
/** The child's exit code (waitExit's SIGKILL bound), then its output complete (at most 2 s more). */
const finished = async (child, closed, timeoutMs) => {
  const code = await waitExit(child, timeoutMs)
  await Promise.race([closed, new Promise((r) => setTimeout(r, 2000))])
  return code
}

const parseLast = (out, err, code) => {
  const last = out.trim().split("\n").pop() ?? ""
  try {
    return { ...JSON.parse(last), exitCode: code, ...(err.trim() ? { stderr: err.trim().slice(0, 500) } : {}) }
  } catch {
    return { error: `tcpbench printed no result (exit ${code}): ${err.trim().slice(0, 500)}`, exitCode: code }
  }
}

/**
 * Run tcpbench in `ns` to completion: its own alarm stops it at its SECONDS
 * argument; we SIGKILL it (by PID) 10 s after that. Resolves with its JSON line.
 */
/** tcpbench started in `ns` (tracked for cleanup), its stdout and stderr collected as they come. */
const spawnTcpbench = (ns, bin, args) => {
  const child = track(spawn(IP, ["netns", "exec", ns, bin, ...args], { stdio: ["ignore", "pipe", "pipe"] }))
  const io = { child, closed: stdioClosed(child), out: "", err: "" }
  child.stdout.setEncoding("utf8").on("data", (d) => (io.out += d))
  child.stderr.setEncoding("utf8").on("data", (d) => (io.err += d))
  return io
}

export const runTcpbench = async (ns, bin, args, seconds) => {
  const io = spawnTcpbench(ns, bin, args)
  const code = await finished(io.child, io.closed, (seconds + 10) * 1000)
  return parseLast(io.out, io.err, code)
}

/** Start a tcpbench server mode in `ns`; resolves once it printed "ready". `result()` waits for its JSON line. */
export const startTcpbenchServer = async (ns, bin, args, seconds) => {
  const io = spawnTcpbench(ns, bin, args)
  const { child } = io
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("tcpbench server: not ready within 5 s")), 5000)
    child.stdout.on("data", () => io.out.includes("ready") && (clearTimeout(timer), resolve()))
    child.once("exit", (c) => (clearTimeout(timer), reject(new Error(`tcpbench server exited ${c} before it was ready: ${io.err.trim()}`))))
  })
  return {
    pid: child.pid,
    result: async () => {
      const code = await finished(child, io.closed, (seconds + 10) * 1000)
      return parseLast(io.out.replace(/^ready\n/, ""), io.err, code)
    }
  }
}

/**
 * Two namespaces joined by a veth pair: a = 198.18.1.1, b = 198.18.1.2.
 * offloads "off": TSO, GSO, GRO and checksum offload off on both ends, so
 * the kernel moves MTU-sized segments and checksums them in software, as it
 * must for a TAP without a virtio-net header (what LinkTap opens); "on": the
 * veth defaults. Returns { a, b, offloads, features, remove() }.
 */
export const makeVethPair = (offloads) => {
  const a = makeNs("ta")
  const b = makeNs("tb")
  try {
    inNs(a, [IP, "link", "add", "gbva", "type", "veth", "peer", "name", "gbvb", "netns", b])
    inNs(a, [IP, "addr", "add", assertBenchAddress(`${VETH_A}/24`), "dev", "gbva"])
    inNs(b, [IP, "addr", "add", assertBenchAddress(`${VETH_B}/24`), "dev", "gbvb"])
    if (offloads === "off") {
      for (const [ns, dev] of [[a, "gbva"], [b, "gbvb"]]) {
        // not allowFail: a baseline labelled "offloads off" must be one
        inNs(ns, ["ethtool", "-K", dev, "tso", "off", "gso", "off", "gro", "off", "tx", "off", "rx", "off"])
      }
    }
    inNs(a, [IP, "link", "set", "gbva", "up"])
    inNs(b, [IP, "link", "set", "gbvb", "up"])
    inNs(a, ["ping", "-n", "-q", "-c", "3", "-i", "0.2", "-w", "5", VETH_B], { allowFail: true })
    const features = inNs(a, ["ethtool", "-k", "gbva"], { allowFail: true })
      .split("\n")
      .filter((l) => /^(tcp-segmentation-offload|generic-segmentation-offload|generic-receive-offload|tx-checksumming|rx-checksumming):/.test(l))
      .map((l) => l.trim())
    return { a, b, offloads, features, remove: () => (deleteNs(a), deleteNs(b)) }
  } catch (e) {
    deleteNs(a)
    deleteNs(b)
    throw e
  }
}

/**
 * The stack server in its own namespace with the TAP (stack 198.18.0.2, kernel
 * 198.18.0.1), serving `tcp` (stack-server.mjs --tcp LIST); ARP resolved by pings.
 */
export const startTcpStack = async ({ tcp, sourceBytes, tcpVerify = false, maxSeconds, nodeArgs, offload = true, timeAddon = false }) => {
  const ns = makeNs("tcp")
  const stack = await startStack(ns, {
    maxSeconds,
    nodeArgs,
    serverArgs: [
      "--tcp", tcp,
      ...(sourceBytes !== undefined ? ["--source-bytes", String(sourceBytes)] : []),
      ...(tcpVerify ? ["--tcp-verify"] : []),
      ...(offload ? [] : ["--no-offload"]),
      ...(timeAddon ? ["--time-addon"] : [])
    ]
  })
  const warm = inNs(ns, ["ping", "-n", "-q", "-c", "10", "-i", "0.01", "-w", "5", STACK], { allowFail: true, timeoutMs: 10_000 })
  if (!/ 0% packet loss/.test(warm)) throw new Error(`stack does not answer ping:\n${warm}`)
  const features = inNs(ns, ["ethtool", "-k", "gbench0"], { allowFail: true })
    .split("\n")
    .filter((l) => /^(tcp-segmentation-offload|generic-segmentation-offload|generic-receive-offload|tx-checksumming):/.test(l))
    .map((l) => l.trim())
  return { ns, stack, tapFeatures: features, stats: async () => (await stack.command("stats", "stats")).stats }
}

/** The kernel's view of TCP sockets in `ns` (ss -tin), for a stall's record. */
export const ssInfo = (ns) => inNs(ns, ["ss", "-tinm"], { allowFail: true }).trim()

/** CPU seconds (user + system) a process has used so far, from /proc/PID/stat. */
const CLK_TCK = Number(sh(["getconf", "CLK_TCK"]).trim()) || 100
export const cpuSeconds = (pid) => {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
  return (Number(f[11]) + Number(f[12])) / CLK_TCK
}
