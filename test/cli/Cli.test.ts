/**
 * The built `gonet` command, run as a child process (bin/gonet.js imports
 * dist/, so `npm run build` must have run; `npm test` builds first).
 *
 * The TAP tests run as root only, each in a network namespace it creates and
 * deletes (DESIGN.md §6), with addresses in 198.18.0.0/15, bounded waits,
 * and signals sent only to the PIDs they spawned.
 */
import { describe, expect, it } from "@effect/vitest"
import { type ChildProcess, execFile, spawn, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as nodePath from "node:path"
import { afterAll, beforeAll, it as vit } from "vitest"
import { type Staged, stageBuilt, stagingBlocked } from "../support/Staged.js"

const ROOT = nodePath.resolve(import.meta.dirname, "../..")
const BIN = nodePath.join(ROOT, "bin/gonet.js")
const BUILT = fs.existsSync(nodePath.join(ROOT, "dist/cli/main.js"))

if (!BUILT) console.warn("test/cli/Cli.test.ts: skipped, dist/cli/main.js missing (run `npm run build`)")

interface Result {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/**
 * Run `gonet ARGS` (after `prefix`, e.g. `ip netns exec NS`) to completion, at
 * most 60 s (see CHECK_MS); the command is `from`'s bin/gonet.js, run in `from`.
 */
const gonet = (args: ReadonlyArray<string>, prefix: ReadonlyArray<string> = [], from = ROOT): Promise<Result> =>
  new Promise((resolve, reject) => {
    const [cmd, ...rest] = [...prefix, process.execPath, nodePath.join(from, "bin/gonet.js"), ...args]
    execFile(
      cmd!,
      rest,
      { cwd: from, encoding: "utf8", timeout: 60_000, killSignal: "SIGKILL", env: { ...process.env, NO_COLOR: "1" } },
      (error, stdout, stderr) => {
        if (error !== null && typeof error.code !== "number") {
          reject(new Error(`${cmd} ${rest.join(" ")}: ${error.message}`))
        } else {
          resolve({ code: error === null ? 0 : (error.code as number), stdout, stderr })
        }
      }
    )
  })

/** stderr is exactly one line, `gonet: ...`, and there is no stack trace anywhere. */
const expectOneLineError = (r: Result, pattern: RegExp): void => {
  const lines = r.stderr.split("\n").filter((l) => l.length > 0)
  expect(lines, r.stderr).toHaveLength(1)
  expect(lines[0]).toMatch(/^gonet: /)
  expect(lines[0]).toMatch(pattern)
  expect(r.stderr + r.stdout).not.toMatch(/\n\s+at |Error:|\[.*\] ERROR/)
}

// Each check is a fresh `node bin/gonet.js`, and nearly all its time is loading the module graph
// (effect, @effect/cli, @effect/platform-node, the stack): about 1.3 s of CPU, 3-4 s of wall time
// with the machine busy. With two CPU hogs and other test files beside it (load 11-13 on the two
// cores) a start took 10-21 s even alone, so the 20 s kill that `gonet` had was a bound on the
// machine's load, not on the command; it now kills at 60 s, and a check may take 90 s. They run one
// after another, not `concurrent`: five at once (vitest's maxConcurrency) shared the cores five
// ways, each took 18-22 s so loaded, and 14 of the 19 were killed in one run.
const CHECK_MS = 90_000

describe.skipIf(!BUILT)("gonet (built)", () => {
  vit("--help prints usage and exits 0", async () => {
    const r = await gonet(["--help"])
    expect(r.code).toBe(0)
    expect(r.stderr).toBe("")
    expect(r.stdout).toContain("USAGE")
    expect(r.stdout).toMatch(/- up \[--tap NAME\] \[--ip A\.B\.C\.D\/N\]/)
    expect(r.stdout).toMatch(/- ping /)
    expect(r.stdout).not.toContain("\u001b[") // not a terminal: no colour codes
  }, CHECK_MS)

  vit("up --help describes every flag", async () => {
    const r = await gonet(["up", "--help"])
    expect(r.code).toBe(0)
    for (
      const flag of [
        "--tap", "--ip", "--host-ip", "--gateway", "--mac", "--mtu", "--serve", "--tcp-cc", "--tcp-ecn", "--tcp-mem", "--pcap", "--no-host-config",
        "--realtime"
      ]
    ) {
      expect(r.stdout).toContain(flag)
    }
    for (const kind of ["udp-echo", "echo", "discard", "chargen", "newreno", "cubic"]) expect(r.stdout).toContain(kind)
  }, CHECK_MS)

  vit("--version prints the package version", async () => {
    const r = await gonet(["--version"])
    expect(r.code).toBe(0)
    const pkg = JSON.parse(fs.readFileSync(nodePath.join(ROOT, "package.json"), "utf8")) as { version: string }
    expect(r.stdout.trim()).toBe(pkg.version)
  }, CHECK_MS)

  const bad: ReadonlyArray<readonly [ReadonlyArray<string>, RegExp]> = [
    [["up", "--ip", "300.1.1.1/24"], /^gonet: --ip: '300\.1\.1\.1\/24' is not an IPv4 address/],
    [["up", "--mtu", "10"], /^gonet: --mtu: 10 is out of range \(68\.\.65535 octets\)$/],
    [["up", "--host-ip", "198.19.0.1/24"], /^gonet: --host-ip: .* not on the stack's subnet/],
    [["up", "--serve", "tcp-echo:7"], /^gonet: --serve: unknown service 'tcp-echo'/],
    [["up", "--serve", "udp-echo:7,echo:7", "--serve", "chargen:7"], /^gonet: --serve: TCP port 7 is given twice \(echo and chargen\)$/],
    [["up", "--serve", "echo,,discard"], /^gonet: --serve: an empty item in 'echo,,discard'/],
    [["up", "--tcp-cc", "reno"], /^gonet: --tcp-cc: 'reno' is not a congestion control \(use one of newreno, cubic\)$/],
    [["up", "--tcp-ecn", "yes"], /^gonet: --tcp-ecn: 'yes' is not an ECN mode \(use off, accept or on\)$/],
    [["up", "--tcp-mem", "1M,2M"], /^gonet: --tcp-mem: '1M,2M' is not LOW,PRESSURE,HIGH$/],
    [["up", "--mac", "01:00:5e:00:00:01"], /^gonet: --mac: .* multicast/],
    [["up", "--log-level", "verbose"], /^gonet: --log-level: 'verbose' is not a level/],
    [["up", "--realtime", "0"], /^gonet: --realtime: 0 is not a SCHED_FIFO priority \(1\.\.99\)$/],
    // --log-level is accepted after the subcommand (the error is about --mtu)
    [["up", "--log-level", "debug", "--mtu", "10"], /^gonet: --mtu: 10 is out of range/],
    // @effect/cli's own validation errors, folded into one line
    [["up", "--mtu", "abc"], /^gonet: 'abc' is not a integer$/],
    [["up", "--bogus"], /^gonet: Received unknown argument: '--bogus'$/],
    [["frobnicate"], /^gonet: .*subcommand/i],
    [["ping", "-c", "0"], /^gonet: -c: 0 is not a positive count$/]
  ]
  vit.each(bad)("%j: one line on stderr, exit 2, no TAP touched", async (args, pattern) => {
    const r = await gonet(args)
    expect(r.code).toBe(2)
    expectOneLineError(r, pattern)
    expect(r.stdout).toBe("")
  }, CHECK_MS)
})

// -----------------------------------------------------------------------------
// on a real TAP, in a namespace
// -----------------------------------------------------------------------------

const isRoot = process.getuid?.() === 0
const hasTun = fs.existsSync("/dev/net/tun")
const hasAddon = fs.existsSync(nodePath.join(ROOT, "build/Release/gonet_tap.node"))
const hasLinkTap = fs.existsSync(nodePath.join(ROOT, "dist/link/LinkTap.js"))
const hasIp = spawnSync("ip", ["-V"], { encoding: "utf8" }).status === 0
const tapSkip = !BUILT
  ? "dist missing"
  : !isRoot
  ? "not root"
  : !hasTun
  ? "no /dev/net/tun"
  : !hasAddon
  ? "TAP addon not built (build/Release/gonet_tap.node)"
  : !hasLinkTap
  ? "dist/link/LinkTap.js missing"
  : !hasIp
  ? "iproute2 `ip` missing"
  : undefined
if (tapSkip !== undefined) console.warn(`test/cli/Cli.test.ts: TAP tests skipped: ${tapSkip}`)

const UNIQUE = `${process.pid % 100000}`
const NS = `gonet-cli-${UNIQUE}`
const TAP = `gcli${UNIQUE}`
const STACK_ADDR = "198.18.0.2"
const namespaces = new Set<string>()
const children = new Set<ChildProcess>()

const sh = (cmd: string, args: ReadonlyArray<string>, timeout = 10_000) =>
  spawnSync(cmd, args, { encoding: "utf8", timeout })

const addNamespace = (ns: string): void => {
  sh("ip", ["netns", "del", ns]) // a leftover from an aborted run
  const r = sh("ip", ["netns", "add", ns])
  if (r.status !== 0) throw new Error(`ip netns add ${ns}: ${r.stderr}`)
  namespaces.add(ns)
  sh("ip", ["netns", "exec", ns, "ip", "link", "set", "lo", "up"])
}

const delNamespace = (ns: string): void => {
  sh("ip", ["netns", "del", ns])
  namespaces.delete(ns)
}

afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL")
  for (const ns of namespaces) delNamespace(ns)
})

interface Running {
  readonly child: ChildProcess
  readonly stdout: () => string
  readonly stderr: () => string
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

/** Spawn `gonet ARGS` inside `ns`; the PID is the node process (`ip netns exec` execs). */
const spawnIn = (ns: string, args: ReadonlyArray<string>): Running => {
  const child = spawn("ip", ["netns", "exec", ns, process.execPath, BIN, ...args], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, NO_COLOR: "1" }
  })
  children.add(child)
  let out = ""
  let err = ""
  child.stdout!.setEncoding("utf8").on("data", (d: string) => (out += d))
  child.stderr!.setEncoding("utf8").on("data", (d: string) => (err += d))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal }))
  )
  return { child, stdout: () => out, stderr: () => err, exited }
}

const within = <A>(p: Promise<A>, ms: number, what: string): Promise<A> =>
  Promise.race([
    p,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms))
  ])

const waitFor = async (cond: () => boolean, ms: number, what: string, r: Running): Promise<void> => {
  const deadline = Date.now() + ms
  while (!cond()) {
    if (r.child.exitCode !== null || r.child.signalCode !== null) {
      throw new Error(`gonet exited while waiting for ${what}: ${r.stderr()}`)
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}; stderr: ${r.stderr()}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/** Send one UDP datagram from inside `ns` and print what comes back (or nothing within 2 s). */
const UDP_PROBE = `
const s = require("node:dgram").createSocket("udp4")
const t = setTimeout(() => { s.close(); process.exit(3) }, 2000)
s.on("message", (m) => { process.stdout.write(m.toString()); clearTimeout(t); s.close() })
s.send(Buffer.from(process.argv[1]), 7, process.argv[2])
`

describe.skipIf(tapSkip !== undefined)("gonet on a TAP (root, in a netns)", () => {
  it("up: answers ping and UDP echo, records a pcap, shuts down cleanly on SIGINT", async () => {
    addNamespace(NS)
    const pcap = nodePath.join(os.tmpdir(), `gonet-cli-${UNIQUE}.pcap`)
    try {
      const r = spawnIn(NS, ["up", "--tap", TAP, "--serve", "udp-echo:7", "--pcap", pcap])
      await waitFor(() => /^gonet up on /m.test(r.stdout()), 15_000, "the 'gonet up' line", r)
      expect(r.stdout()).toContain(`gonet up on ${TAP}: stack ${STACK_ADDR}/24`)
      expect(r.stdout()).toContain("host side 198.18.0.1/24")
      expect(r.stdout()).toContain("serving udp-echo:7")

      const ping = sh("ip", ["netns", "exec", NS, "ping", "-c", "2", "-W", "1", STACK_ADDR], 15_000)
      expect(ping.status, ping.stdout + ping.stderr).toBe(0)
      expect(ping.stdout).toMatch(/2 packets transmitted, 2 received/)

      const udp = sh("ip", ["netns", "exec", NS, process.execPath, "-e", UDP_PROBE, "hello gonet", STACK_ADDR], 15_000)
      expect(udp.status, udp.stderr).toBe(0)
      expect(udp.stdout).toBe("hello gonet")

      expect(r.child.kill("SIGINT")).toBe(true)
      const exit = await within(r.exited, 15_000, "gonet to exit after SIGINT")
      expect(exit, r.stderr()).toEqual({ code: 0, signal: null })
      expect(r.stderr()).toBe("")
      const down = r.stdout().split("\n").find((l) => l.startsWith("gonet down: "))
      expect(down, r.stdout()).toBeDefined()
      // ping -c 2 sent two echo requests; the probe one datagram
      expect(/icmp echo requests answered (\d+)/.exec(down!)?.[1]).toBe("2")
      expect(/udp datagrams in (\d+) out (\d+)/.exec(down!)?.slice(1)).toEqual(["1", "1"])
      const recorded = Number(/pcap (\d+) frames/.exec(down!)?.[1])

      // the file is complete: a global header and exactly `recorded` whole
      // records, among them the exchanges above (the rest is ARP and whatever
      // the kernel sends on a new link, e.g. IPv6 router solicitations)
      const bytes = fs.readFileSync(pcap)
      let o = 24
      const frames: Array<Buffer> = []
      while (o + 16 <= bytes.length) {
        const length = bytes.readUInt32LE(o + 8)
        frames.push(bytes.subarray(o + 16, o + 16 + length))
        o += 16 + length
      }
      expect(o).toBe(bytes.length)
      expect(frames.length).toBe(recorded)
      const kinds = frames.map(frameKind)
      expect(kinds.filter((k) => k === "icmp 8 to 198.18.0.2")).toHaveLength(2)
      expect(kinds.filter((k) => k === "icmp 0 to 198.18.0.1")).toHaveLength(2)
      expect(kinds.filter((k) => k === "udp 7 to 198.18.0.2")).toHaveLength(1)
      expect(kinds.filter((k) => k.startsWith("udp") && k.endsWith("to 198.18.0.1"))).toHaveLength(1)

      // the TAP went away with the process
      const link = sh("ip", ["netns", "exec", NS, "ip", "link", "show", TAP])
      expect(link.status).not.toBe(0)
    } finally {
      fs.rmSync(pcap, { force: true })
      delNamespace(NS)
    }
  })

  it("up --serve echo,discard,chargen: kernel socat clients get RFC 862, 863 and 864 over TCP", async () => {
    const ns = `${NS}s`
    addNamespace(ns)
    try {
      const r = spawnIn(ns, [
        "up", "--tap", `${TAP}s`, "--serve", "udp-echo:7,echo:7", "--serve", "discard,chargen:19", "--tcp-cc", "newreno"
      ])
      await waitFor(() => /^gonet up on /m.test(r.stdout()), 15_000, "the 'gonet up' line", r)
      expect(r.stdout()).toContain("  serving udp-echo:7, echo:7, discard:9, chargen:19\n")
      expect(r.stdout()).toContain("  tcp congestion control newreno\n")

      /** `socat ARGS` in the namespace, stdin `input`, at most 15 s; stdout as bytes. */
      const socat = (args: ReadonlyArray<string>, input: Buffer = Buffer.alloc(0)) => {
        const s = spawnSync("ip", ["netns", "exec", ns, "socat", ...args], {
          input,
          timeout: 15_000,
          killSignal: "SIGKILL",
          maxBuffer: 16 << 20
        })
        return { status: s.status, stdout: s.stdout, stderr: s.stderr.toString("utf8") }
      }

      // RFC 862: 200003 octets in (many segments, not a multiple of the MSS),
      // then socat half-closes; every octet comes back, in order, then a FIN.
      const data = Buffer.alloc(200_003)
      for (let i = 0; i < data.length; i++) data[i] = (i * 131 + (i >>> 9)) & 0xff
      const echo = socat(["-t", "10", "-", `TCP:${STACK_ADDR}:7`], data)
      expect(echo.status, echo.stderr).toBe(0)
      expect(echo.stdout.length).toBe(data.length)
      expect(echo.stdout.equals(data)).toBe(true)

      // RFC 863: everything is taken, nothing comes back, our FIN follows the peer's
      const discard = socat(["-t", "10", "-", `TCP:${STACK_ADDR}:9`], data)
      expect(discard.status, discard.stderr).toBe(0)
      expect(discard.stdout.length).toBe(0)

      // RFC 864: 72 printing characters and CR LF per line, each line starting
      // one character further on in the 95 printable ASCII characters; read
      // two full cycles and a bit, then close.
      const want = 2 * 95 * 74 + 100
      const chargen = socat(["-u", `TCP:${STACK_ADDR}:19,readbytes=${want}`, "-"])
      expect(chargen.status, chargen.stderr).toBe(0)
      expect(chargen.stdout.length).toBe(want)
      const text = chargen.stdout.toString("latin1")
      const lines = text.split("\r\n")
      expect(lines.length).toBe(2 * 95 + 2) // 191 full lines, 26 octets of the next
      const lineAt = (k: number): string =>
        Array.from({ length: 72 }, (_, j) => String.fromCharCode(32 + ((k + j) % 95))).join("")
      lines.slice(0, -1).forEach((line, k) => expect(line, `line ${k}`).toBe(lineAt(k)))
      expect(lines.at(-1)).toBe(lineAt(lines.length - 1).slice(0, 26))

      // a port nobody serves is refused at once (the reset counted below)
      const closed = socat(["-", `TCP:${STACK_ADDR}:13`])
      expect(closed.status).not.toBe(0)
      expect(closed.stderr).toMatch(/Connection refused/)

      expect(r.child.kill("SIGINT")).toBe(true)
      const exit = await within(r.exited, 15_000, "gonet to exit after SIGINT")
      expect(exit, r.stderr()).toEqual({ code: 0, signal: null })
      expect(r.stderr()).toBe("")
      const down = r.stdout().split("\n").find((l) => l.startsWith("gonet down: "))
      expect(down, r.stdout()).toBeDefined()
      // three connections accepted (echo, discard, chargen), none opened by us
      expect(/tcp opens passive (\d+) active (\d+)/.exec(down!)?.slice(1)).toEqual(["3", "0"])
      const [segIn, segOut] = /segments in (\d+) out (\d+)/.exec(down!)!.slice(1).map(Number)
      // at least the 400006 octets sent us and the 200003 echoed: what we send is counted in
      // segments of at most 1460 (TSO merges them only on the way to the link); what the kernel
      // sends us arrives whole, in segments of up to 65495 octets with offloads (on by default)
      expect(segIn).toBeGreaterThanOrEqual(Math.ceil(400_006 / 65_495))
      expect(segOut).toBeGreaterThanOrEqual(Math.ceil((200_003 + want) / 1460))
      expect(/resets out (\d+)/.exec(down!)?.[1]).toBe("1")
    } finally {
      delNamespace(ns)
    }
  })

  it("ping: pings the host side like ping(8) and exits 0", async () => {
    const ns = `${NS}p`
    addNamespace(ns)
    try {
      const r = spawnIn(ns, ["ping", "--tap", `${TAP}p`, "-c", "3", "-i", "0.2"])
      const exit = await within(r.exited, 20_000, "gonet ping -c 3")
      expect(exit, r.stderr()).toEqual({ code: 0, signal: null })
      const out = r.stdout()
      expect(out).toMatch(/^PING 198\.18\.0\.1 \(198\.18\.0\.1\) from 198\.18\.0\.2 /m)
      expect(out).toMatch(/^64 bytes from 198\.18\.0\.1: icmp_seq=1 ttl=64 time=[\d.]+ ms$/m)
      expect(out).toMatch(/^3 packets transmitted, 3 received, 0% packet loss/m)
      expect(out).toMatch(/^rtt min\/avg\/max\/mdev = /m)
    } finally {
      delNamespace(ns)
    }
  })

  it("ping | head -n 1: stdout closed by its reader ends the command as SIGPIPE would (status 141, no stack trace, TAP released)", async () => {
    const ns = `${NS}s`
    addNamespace(ns)
    try {
      const r = spawnIn(ns, ["ping", "--tap", `${TAP}s`, "-c", "100", "-i", "0.2"])
      // as head does: read the first line, then close the pipe
      r.child.stdout!.once("data", () => r.child.stdout!.destroy())
      const exit = await within(r.exited, 30_000, "gonet ping to end after its stdout closed")
      expect(exit, r.stderr()).toEqual({ code: 141, signal: null })
      expect(r.stderr()).toBe("")
      // the TAP went with the process's scopes
      expect(sh("ip", ["netns", "exec", ns, "ip", "link", "show", `${TAP}s`]).status).not.toBe(0)
    } finally {
      delNamespace(ns)
    }
  })

  it("a pcap that cannot be created: one line, exit 1, TAP released", async () => {
    const ns = `${NS}e`
    addNamespace(ns)
    try {
      const r = await gonet(["up", "--tap", `${TAP}e`, "--pcap", "/nonexistent-dir/x.pcap"], ["ip", "netns", "exec", ns])
      expect(r.code).toBe(1)
      expectOneLineError(r, /^gonet: pcap open failed for \/nonexistent-dir\/x\.pcap/)
      expect(r.stdout).toBe("")
    } finally {
      delNamespace(ns)
    }
  })

  const hasSetpriv = spawnSync("setpriv", ["--version"], { encoding: "utf8" }).status === 0
  /** `ip netns exec NS` as user nobody, with no capabilities at all. */
  const asNobodyIn = (ns: string) => [
    "ip", "netns", "exec", ns,
    "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all", "--bounding-set=-all"
  ]
  // nobody may not reach the checkout (a clone in root's 0700 home), so these
  // run a world-readable copy of the built command, made here and removed after.
  const nobodySkip = !hasSetpriv ? "setpriv missing" : stagingBlocked()
  if (tapSkip === undefined && nobodySkip !== undefined) {
    console.warn(`test/cli/Cli.test.ts: unprivileged cases skipped: ${nobodySkip}`)
  }
  describe.skipIf(nobodySkip !== undefined)("as user nobody, from a copy of the build under the temporary directory", () => {
    let staged: Staged | undefined
    beforeAll(() => {
      staged = stageBuilt(ROOT)
    })
    afterAll(() => staged?.remove())
    const stagedDir = (): string => {
      if (staged === undefined) throw new Error("the build was not staged")
      return staged.dir
    }

    it("without privileges: one line saying so, exit 1", async () => {
      const ns = `${NS}u`
      addNamespace(ns)
      try {
        // nobody cannot open /dev/net/tun where it is mode 0600; where it is 0666 (the kernel's
        // own default, and some hosts keep it), the open succeeds and creating the TAP needs
        // CAP_NET_ADMIN: either way one line that says which
        const others = fs.statSync("/dev/net/tun").mode & 0o006
        const r = await gonet(["up", "--tap", `${TAP}u`], asNobodyIn(ns), stagedDir())
        expect(r.code, r.stderr).toBe(1)
        expectOneLineError(
          r,
          others === 0o006
            ? new RegExp(`^gonet: cannot create TAP ${TAP}u: not permitted`)
            : /^gonet: cannot open \/dev\/net\/tun: not permitted/
        )
      } finally {
        delNamespace(ns)
      }
    })

    it("--realtime without CAP_SYS_NICE: one line saying what to grant, exit 1", async () => {
      const ns = `${NS}r`
      addNamespace(ns)
      try {
        const r = await gonet(["up", "--tap", `${TAP}r`, "--realtime", "10"], asNobodyIn(ns), stagedDir())
        expect(r.code, r.stderr).toBe(1)
        expectOneLineError(r, /^gonet: cannot set SCHED_FIFO: not permitted \(run as root, grant CAP_SYS_NICE/)
      } finally {
        delNamespace(ns)
      }
    })
  })

  it("up --realtime 10: the stack's threads run SCHED_FIFO 10, pings answered", async () => {
    const ns = `${NS}t`
    addNamespace(ns)
    try {
      const r = spawnIn(ns, ["up", "--tap", `${TAP}t`, "--realtime", "10"])
      await waitFor(() => /^gonet up on /m.test(r.stdout()), 15_000, "the 'gonet up' line", r)
      expect(r.stdout()).toContain("scheduling SCHED_FIFO priority 10")
      const pid = r.child.pid!
      expect(schedOf(pid, pid)).toEqual({ policy: SCHED_FIFO, priority: 10 })
      // V8's helper threads too (the main thread waits for them in a scavenge)
      const others = fs.readdirSync(`/proc/${pid}/task`).map(Number).filter((t) => t !== pid)
      const raised = others.filter((tid) => schedOf(pid, tid).policy === SCHED_FIFO)
      expect(raised.length).toBeGreaterThanOrEqual(4) // node's default V8 platform pool
      const ping = sh("ip", ["netns", "exec", ns, "ping", "-c", "2", "-W", "1", STACK_ADDR], 15_000)
      expect(ping.stdout).toMatch(/2 packets transmitted, 2 received/)
      expect(r.child.kill("SIGINT")).toBe(true)
      const exit = await within(r.exited, 15_000, "gonet to exit after SIGINT")
      expect(exit, r.stderr()).toEqual({ code: 0, signal: null })
    } finally {
      delNamespace(ns)
    }
  })
})

/**
 * What an Ethernet frame carries, read straight from its octets: `icmp TYPE
 * to DST`, `udp DSTPORT to DST`, or `other`.
 */
const frameKind = (f: Buffer): string => {
  if (f.length < 34 || f.readUInt16BE(12) !== 0x0800) return "other"
  const ihl = (f[14]! & 0x0f) * 4
  const dst = [...f.subarray(30, 34)].join(".")
  const l4 = 14 + ihl
  if (f[23] === 1 && f.length > l4) return `icmp ${f[l4]} to ${dst}`
  if (f[23] === 17 && f.length >= l4 + 4) return `udp ${f.readUInt16BE(l4 + 2)} to ${dst}`
  return "other"
}

const SCHED_FIFO = 1

/** Policy and real-time priority of a thread: fields 41 and 40 of /proc/PID/task/TID/stat (proc(5)). */
const schedOf = (pid: number, tid: number): { policy: number; priority: number } => {
  const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8")
  // fields after "(comm)" start at field 3
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
  return { policy: Number(fields[41 - 3]), priority: Number(fields[40 - 3]) }
}
