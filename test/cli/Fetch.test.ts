/**
 * `gonet fetch` (built; root, in a namespace this test makes): the stack
 * comes up on a TAP there, GETs from Python's http.server on the kernel
 * side with Node's HTTP client over its own TCP, writes the body where
 * asked, and reports a refused connection as one line and exit status 1.
 * With `-o FILE` nothing is created or clobbered until body octets arrive
 * (curl's rule); an HTTP error status writes nothing (curl --fail); a body
 * cut short is exit 1 with what came kept. Signals go only to the PIDs this
 * test spawned.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process"
import { createHash, randomBytes } from "node:crypto"
import * as fs from "node:fs"
import * as os from "node:os"
import * as nodePath from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { tapSkipReason } from "../support/Netns.js"

const ROOT = nodePath.resolve(import.meta.dirname, "../..")
const BIN = nodePath.join(ROOT, "bin/gonet.js")

const skipReason = (): string | undefined =>
  fs.existsSync(nodePath.join(ROOT, "dist/cli/Fetch.js")) ? tapSkipReason({ tools: ["python3"] }) : "dist/cli/Fetch.js missing (run `npm run build`)"
const SKIP = skipReason()
if (SKIP !== undefined) console.warn(`test/cli/Fetch.test.ts skipped: ${SKIP}`)

const DNSMASQ = ["/usr/sbin/dnsmasq", "/usr/bin/dnsmasq"].find((p) => fs.existsSync(p))
if (SKIP === undefined && DNSMASQ === undefined) console.warn("test/cli/Fetch.test.ts: the --resolver case skipped: dnsmasq missing")

const NS = `gn-fetch-${process.pid}`
const DIR = fs.mkdtempSync(nodePath.join(os.tmpdir(), "gonet-fetch-"))
const BODY = randomBytes(3 * 1024 * 1024)
let server: ChildProcess | undefined

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex")

/** SIGKILL a process this test spawned, unless it has exited already. */
const stop = (c: ChildProcess): void => {
  if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL")
}

/**
 * A one-connection HTTP server in the namespace on `port` (every address):
 * it reads the request, answers 200 with `Content-Length: 100000` and only
 * 5000 octets of body, then closes (`fin`) or resets (`rst`: SO_LINGER 0,
 * after a pause so the 5000 octets are acknowledged first) or waits (`hang`,
 * at most 30 s). Exits after one connection or 60 s.
 */
const cutShortServer = (port: number, mode: "fin" | "rst" | "hang"): ChildProcess =>
  spawn("ip", ["netns", "exec", NS, "python3", "-c", `
import socket, struct, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", ${port})); s.listen(1); s.settimeout(60)
c, _ = s.accept(); c.settimeout(60)
got = b""
while b"\\r\\n\\r\\n" not in got:
    more = c.recv(4096)
    if not more: break
    got += more
c.sendall(b"HTTP/1.1 200 OK\\r\\nContent-Length: 100000\\r\\n\\r\\n" + b"x" * 5000)
if "${mode}" == "rst":
    time.sleep(0.5)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
if "${mode}" == "hang":
    c.settimeout(30)
    try: c.recv(1)
    except Exception: pass
c.close()
`], { stdio: "ignore" })

/** `gonet ARGS` in the namespace, to completion (at most 60 s). */
const gonet = (args: ReadonlyArray<string>) =>
  spawnSync("ip", ["netns", "exec", NS, process.execPath, BIN, ...args], {
    cwd: ROOT,
    timeout: 60_000,
    killSignal: "SIGKILL",
    maxBuffer: 16 << 20,
    env: { ...process.env, NO_COLOR: "1" }
  })

describe.skipIf(SKIP !== undefined)("gonet fetch", () => {
  beforeAll(async () => {
    spawnSync("ip", ["netns", "add", NS])
    spawnSync("ip", ["netns", "exec", NS, "ip", "link", "set", "lo", "up"])
    fs.writeFileSync(nodePath.join(DIR, "file"), BODY)
    fs.writeFileSync(nodePath.join(DIR, "small.txt"), "hello from the kernel side\n")
    // listens on every address of the namespace: the TAP's 198.18.0.1 appears when gonet configures it
    server = spawn("ip", ["netns", "exec", NS, "python3", "-m", "http.server", "8000", "--directory", DIR], { stdio: "ignore" })
    for (let i = 0; i < 100; i++) {
      const up = spawnSync("ip", ["netns", "exec", NS, "python3", "-c", "import socket; socket.create_connection(('127.0.0.1', 8000), 1)"])
      if (up.status === 0) return
      await new Promise((r) => setTimeout(r, 100))
    }
    throw new Error("http.server did not come up")
  }, 30_000)

  afterAll(() => {
    if (server?.pid !== undefined) process.kill(server.pid, "SIGKILL")
    spawnSync("ip", ["netns", "del", NS])
    fs.rmSync(DIR, { recursive: true, force: true })
  })

  it("writes 3 MB to -o FILE intact, and the status line and a summary to stderr", () => {
    const out = nodePath.join(DIR, "got")
    const r = gonet(["fetch", "--tap", "gfetch0", "-o", out, "http://198.18.0.1:8000/file"])
    const stderr = r.stderr.toString()
    expect(r.status, stderr).toBe(0)
    expect(stderr).toMatch(/^HTTP\/1\.[01] 200 OK$/m)
    expect(stderr).toMatch(new RegExp(`^gonet fetch: ${BODY.length} octets in [\\d.]+ s`, "m"))
    expect(sha(fs.readFileSync(out))).toBe(sha(BODY))
  }, 90_000)

  it("writes the body to stdout without -o", () => {
    const r = gonet(["fetch", "--tap", "gfetch1", "http://198.18.0.1:8000/small.txt"])
    expect(r.status, r.stderr.toString()).toBe(0)
    expect(r.stdout.toString()).toBe("hello from the kernel side\n")
  }, 90_000)

  it("https://: 3 MB over Node's TLS on the stack's TCP from Python's ssl server, trusted by --cacert; refused without it", async () => {
    const cert = nodePath.join(ROOT, "test/fixtures/tls/cert.pem")
    const key = nodePath.join(ROOT, "test/fixtures/tls/key.pem")
    const tlsServer = spawn("ip", ["netns", "exec", NS, "python3", "-c", `
import http.server, ssl
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(${JSON.stringify(cert)}, ${JSON.stringify(key)})
handler = lambda *a, **k: http.server.SimpleHTTPRequestHandler(*a, directory=${JSON.stringify(DIR)}, **k)
s = http.server.HTTPServer(("0.0.0.0", 8443), handler)
s.socket = ctx.wrap_socket(s.socket, server_side=True)
s.serve_forever()
`], { stdio: "ignore" })
    try {
      for (let i = 0; i < 100; i++) {
        const up = spawnSync("ip", ["netns", "exec", NS, "python3", "-c", "import socket; socket.create_connection(('127.0.0.1', 8443), 1)"])
        if (up.status === 0) break
        await new Promise((r) => setTimeout(r, 100))
      }
      const out = nodePath.join(DIR, "got-tls")
      const r = gonet(["fetch", "--tap", "gfetch9", "--cacert", cert, "-o", out, "https://198.18.0.1:8443/file"])
      expect(r.status, r.stderr.toString()).toBe(0)
      expect(sha(fs.readFileSync(out))).toBe(sha(BODY))
      // Node's bundled CAs do not include the test's self-signed certificate
      const refused = gonet(["fetch", "--tap", "gfetch9", "https://198.18.0.1:8443/file"])
      expect(refused.status).toBe(1)
      expect(refused.stderr.toString()).toMatch(/self-signed certificate/)
      expect(refused.stdout.length).toBe(0)
    } finally {
      stop(tlsServer)
    }
  }, 120_000)

  it("a refused connection is one line on stderr and exit status 1", () => {
    const r = gonet(["fetch", "--tap", "gfetch2", "http://198.18.0.1:8001/"])
    expect(r.status).toBe(1)
    const lines = r.stderr.toString().split("\n").filter((l) => l !== "")
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/^gonet: connect ECONNREFUSED 198\.18\.0\.1:8001/)
  }, 90_000)

  it("an address with no route is Node's message and the stack's reason on one line (exit 1)", () => {
    // 198.19.5.5 is outside the stack's /24 and no --gateway is given: the connect fails at once, nothing is sent
    const r = gonet(["fetch", "--tap", "gfetch18", "http://198.19.5.5:8000/"])
    expect(r.status).toBe(1)
    const lines = r.stderr.toString().split("\n").filter((l) => l !== "")
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/^gonet: connect ENETUNREACH 198\.19\.5\.5:8000 .*\(no route to 198\.19\.5\.5\)$/)
  }, 90_000)

  it("-o FILE: a refused connection creates no FILE and leaves an existing one as it was (curl -o)", () => {
    const none = nodePath.join(DIR, "refused-none")
    const r1 = gonet(["fetch", "--tap", "gfetch7", "-o", none, "http://198.18.0.1:8001/"])
    expect(r1.status).toBe(1)
    expect(fs.existsSync(none)).toBe(false)
    const kept = nodePath.join(DIR, "refused-kept")
    fs.writeFileSync(kept, "keep me\n")
    const r2 = gonet(["fetch", "--tap", "gfetch8", "-o", kept, "http://198.18.0.1:8001/"])
    expect(r2.status).toBe(1)
    expect(fs.readFileSync(kept, "utf8")).toBe("keep me\n")
  }, 90_000)

  it("an HTTP error status (404) is exit 1 naming the status; nothing written, an existing FILE kept (curl --fail)", () => {
    const kept = nodePath.join(DIR, "404-kept")
    fs.writeFileSync(kept, "keep me\n")
    const r = gonet(["fetch", "--tap", "gfetch9", "-o", kept, "http://198.18.0.1:8000/missing"])
    expect(r.status).toBe(1)
    const lines = r.stderr.toString().split("\n").filter((l) => l !== "")
    expect(lines).toEqual([expect.stringMatching(/^HTTP\/1\.[01] 404 /), expect.stringMatching(/^gonet: HTTP 404 File not found from http:\/\/198\.18\.0\.1:8000\/missing; nothing written$/)])
    expect(fs.readFileSync(kept, "utf8")).toBe("keep me\n")
    const s = gonet(["fetch", "--tap", "gfetch10", "http://198.18.0.1:8000/missing"])
    expect(s.status).toBe(1)
    expect(s.stdout.toString()).toBe("")
  }, 90_000)

  it.each([["fin", 8002, "gfetch11"], ["rst", 8003, "gfetch12"]] as const)(
    "a body cut short (the server's %s after 5000 of 100000 octets) is exit 1 saying how much came, and FILE holds it",
    (mode, port, tapName) => {
      const server = cutShortServer(port, mode)
      try {
        const out = nodePath.join(DIR, `cut-${mode}`)
        const r = gonet(["fetch", "--tap", tapName, "-o", out, `http://198.18.0.1:${port}/`])
        expect(r.status, r.stderr.toString()).toBe(1)
        const lines = r.stderr.toString().split("\n").filter((l) => l !== "")
        expect(lines[0]).toMatch(/^HTTP\/1\.1 200 OK$/)
        expect(lines.slice(1)).toEqual([
          expect.stringMatching(new RegExp(`^gonet: the body ended after 5000 of 100000 octets \\((closed|reset) by the server\\); the 5000 octets that came are in ${out}$`))
        ])
        expect(fs.readFileSync(out)).toEqual(Buffer.alloc(5000, "x"))
      } finally {
        stop(server)
      }
    },
    90_000
  )

  it("--max-time in the middle of a body: exit 1, and the octets that came are in FILE", () => {
    const server = cutShortServer(8004, "hang")
    try {
      const out = nodePath.join(DIR, "cut-hang")
      const r = gonet(["fetch", "--tap", "gfetch13", "--max-time", "2", "-o", out, "http://198.18.0.1:8004/"])
      expect(r.status, r.stderr.toString()).toBe(1)
      expect(r.stderr.toString()).toMatch(
        new RegExp(`^gonet: no complete answer within 2 s \\(--max-time\\); the 5000 octets that came are in ${out}$`, "m")
      )
      expect(fs.readFileSync(out)).toEqual(Buffer.alloc(5000, "x"))
    } finally {
      stop(server)
    }
  }, 90_000)

  it.each(["SIGINT", "SIGTERM"] as const)("%s in the middle of a body: exit 1 (not 0: the body is not all there), and the octets that came are in FILE", async (signal) => {
    const port = signal === "SIGINT" ? 8005 : 8006
    const server = cutShortServer(port, "hang")
    const out = nodePath.join(DIR, `interrupted-${signal}`)
    const child = spawn("ip", ["netns", "exec", NS, process.execPath, BIN, "fetch", "--tap", `gfetch${port - 7990}`, "-o", out, `http://198.18.0.1:${port}/`], {
      cwd: ROOT,
      stdio: ["ignore", "ignore", "pipe"],
      env: { ...process.env, NO_COLOR: "1" }
    })
    let stderr = ""
    child.stderr!.on("data", (c: Buffer) => (stderr += c.toString()))
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
    try {
      // the 5000 octets are in FILE: the fetch is in the middle of the body (at most 30 s)
      for (let i = 0; i < 300 && !(fs.existsSync(out) && fs.statSync(out).size === 5000); i++) await new Promise((r) => setTimeout(r, 100))
      expect(fs.statSync(out).size, stderr).toBe(5000)
      child.kill(signal)
      const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r("still running after 15 s"), 15_000))])
      expect(code, stderr).toBe(1)
      const lines = stderr.split("\n").filter((l) => l !== "")
      expect(lines.at(-1)).toBe(`gonet: interrupted before the body was complete; the 5000 octets that came are in ${out}`)
      expect(fs.readFileSync(out)).toEqual(Buffer.alloc(5000, "x"))
    } finally {
      stop(child)
      stop(server)
    }
  }, 90_000)

  it("stdout closed early (gonet fetch URL | head -c 10): one line and exit 1, no stack trace", async () => {
    const child = spawn("ip", ["netns", "exec", NS, process.execPath, BIN, "fetch", "--tap", "gfetch17", "http://198.18.0.1:8000/file"], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, NO_COLOR: "1" }
    })
    let stderr = ""
    child.stderr!.on("data", (c: Buffer) => (stderr += c.toString()))
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
    try {
      // as head does: read a little, then close the pipe
      child.stdout!.once("data", () => child.stdout!.destroy())
      const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r("still running after 60 s"), 60_000))])
      expect(code, stderr).toBe(1)
      const lines = stderr.split("\n").filter((l) => l !== "")
      expect(lines, stderr).toEqual([expect.stringMatching(/^HTTP\/1\.[01] 200 OK$/), expect.stringMatching(/^gonet: stdout: write EPIPE \(the reader closed it after \d+ octets\)$/)])
    } finally {
      stop(child)
    }
  }, 90_000)

  it.skipIf(DNSMASQ === undefined)("--resolver: fetch and ping look a name up over the stack's own DNS client (dnsmasq in the namespace)", async () => {
    // the wildcard address: the TAP's 198.18.0.1 appears when gonet configures it
    const dnsmasq = spawn("ip", [
      "netns", "exec", NS, DNSMASQ!, "--no-resolv", "--no-hosts", "--no-daemon", "--port", "53", "--pid-file=",
      "--local=/test/", "--host-record=files.test,198.18.0.1"
    ], { stdio: "ignore" })
    try {
      await new Promise((r) => setTimeout(r, 300))
      const r = gonet(["fetch", "--tap", "gfetch4", "--resolver", "198.18.0.1", "http://files.test:8000/small.txt"])
      expect(r.status, r.stderr.toString()).toBe(0)
      expect(r.stdout.toString()).toBe("hello from the kernel side\n")
      const p = gonet(["ping", "--tap", "gfetch5", "--resolver", "198.18.0.1", "-c", "2", "-i", "0.2", "files.test"])
      expect(p.status, p.stderr.toString()).toBe(0)
      expect(p.stdout.toString()).toMatch(/^PING files\.test \(198\.18\.0\.1\) from 198\.18\.0\.2/m)
      expect(p.stdout.toString()).toMatch(/2 packets transmitted, 2 received/)
      const none = nodePath.join(DIR, "nowhere")
      const missing = gonet(["fetch", "--tap", "gfetch6", "--resolver", "198.18.0.1", "-o", none, "http://nowhere.test/"])
      expect(missing.status).toBe(1)
      expect(missing.stderr.toString()).toMatch(/^gonet: .*ENOTFOUND.*nowhere\.test/m)
      expect(fs.existsSync(none)).toBe(false)
    } finally {
      if (dnsmasq.pid !== undefined) process.kill(dnsmasq.pid, "SIGKILL")
    }
  }, 120_000)

  it("a name without --resolver is a usage error (exit 2)", () => {
    const r = gonet(["fetch", "--tap", "gfetch3", "http://example.test/"])
    expect(r.status).toBe(2)
    expect(r.stderr.toString()).toMatch(/give --resolver/)
  }, 90_000)
})
