/**
 * Node's `http2` over the stack against the Linux kernel: the kernel's
 * `curl` (libcurl with nghttp2) speaks HTTP/2 to Node http2 servers on the
 * stack, with prior knowledge over cleartext (h2c, RFC 9113 §3.3) and by
 * ALPN over TLS (RFC 9113 §3.2), and a Node http2 client on the stack talks
 * to a Node http2 server the kernel runs in its namespace. The world is
 * NodeHttp.test.ts's: a namespace made here, a TAP moved into it
 * (198.18.0.1/24 on the kernel side), the stack at 198.18.0.2/24.
 *
 * Live clock; waits are bounded safety nets, nothing asserts on durations.
 * Needs root, /dev/net/tun, iproute2, the addon and curl; skips with the
 * printed reason otherwise (in CI a missing curl fails instead).
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import type { Scope } from "effect"
import { createHash, randomBytes } from "node:crypto"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import type * as http2 from "node:http2"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type * as tls from "node:tls"
import * as Http2 from "../../src/node/Http2.js"
import { eventually } from "../support/Live.js"
import { exec, spawnIn, tapSkipReason } from "../support/Netns.js"
import { CERT_FILE, describeExec, HOST_IP, KEY_FILE, type NetOnTap, netOnTap, STACK_IP } from "../support/NodeTap.js"

const skipReason = (): string | undefined => tapSkipReason({ ciInstalls: ["curl"] })
const SKIP = skipReason()
if (SKIP !== undefined) console.warn(`skipping Node http2 over the TAP: ${SKIP}`)

const STACK_MAC = new Uint8Array([0x02, 0x67, 0x6e, 0x00, 0x00, 0x0a])
const MB = 1024 * 1024

interface World {
  readonly ns: NetOnTap["ns"]
  readonly stack: NetOnTap["stack"]
  readonly http2: Http2.Http2
}

const makeWorld = (index: number): Effect.Effect<World, unknown, Scope.Scope> =>
  Effect.map(netOnTap("nht", index, STACK_MAC), ({ ns, net, stack }) => ({ ns, stack, http2: Http2.fromNet(net) }))

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex")

/** The body /bytes/N serves: octet i is a function of i (the same expression runs in the kernel-side server). */
const FILL = "(n) => (n * 31 + (n >>> 8) + (n >>> 20)) & 0xff"
const fillOf = eval(FILL) as (n: number) => number
const bytes = (n: number): Buffer => {
  const b = Buffer.alloc(n)
  for (let i = 0; i < n; i++) b[i] = fillOf(i)
  return b
}

/** A stream handler: /bytes/N answers N octets of `bytes`, POST /sha answers the sha256 of what it was sent. */
const HANDLER = `(stream, headers) => {
  const path = headers[":path"] || ""
  if (headers[":method"] === "POST" && path === "/sha") {
    const h = require("node:crypto").createHash("sha256")
    let n = 0
    stream.on("data", (c) => { h.update(c); n += c.length })
    stream.on("end", () => { stream.respond({ ":status": 200 }); stream.end(n + " " + h.digest("hex")) })
    return
  }
  const m = /^\\/bytes\\/(\\d+)$/.exec(path)
  if (m === null) { stream.respond({ ":status": 404 }); return void stream.end() }
  const fill = ${FILL}
  const total = Number(m[1])
  const b = Buffer.alloc(total)
  for (let i = 0; i < total; i++) b[i] = fill(i)
  stream.respond({ ":status": 200, "content-length": total })
  stream.end(b)
}`
const onStream = eval(HANDLER) as (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders) => void

/** One request on `session`: status and body. */
const requestOn = (session: http2.ClientHttp2Session, path: string, body?: Buffer) =>
  Effect.async<{ status: number; body: Buffer }, Error>((resume) => {
    const req = session.request({ ":path": path, ":method": body === undefined ? "GET" : "POST" })
    let status = 0
    const chunks: Array<Buffer> = []
    req.on("response", (h) => (status = Number(h[":status"])))
    req.on("data", (c: Buffer) => chunks.push(c))
    req.on("end", () => resume(Effect.succeed({ status, body: Buffer.concat(chunks) })))
    req.on("error", (e) => resume(Effect.fail(e)))
    req.end(body)
  })

const listen = (server: http2.Http2Server | http2.Http2SecureServer, port: number) =>
  Effect.gen(function*() {
    yield* Effect.async<void>((resume) => void server.listen(port, () => resume(Effect.void)))
    yield* Effect.addFinalizer(() => Effect.async<void>((resume) => void server.close(() => resume(Effect.void))))
  })

describe.skipIf(SKIP !== undefined)("Node's http2 over the stack, with the Linux kernel as the peer", () => {
  it.scopedLive("the kernel's curl --http2-prior-knowledge: 20 MB down, 8 MB up, a session per connection", () =>
    Effect.gen(function*() {
      const w = yield* makeWorld(0)
      const server = w.http2.createServer()
      server.on("stream", onStream)
      let sessions = 0
      server.on("session", (s) => {
        sessions++
        // a peer that resets is its session's 'error', which with no listener throws (as on Node's own)
        s.on("error", () => {})
      })
      yield* listen(server, 80)
      const size = 20 * MB
      const down = yield* exec(w.ns, [
        "sh",
        "-c",
        `curl -sS --fail --http2-prior-knowledge --max-time 60 -w '%{stderr}%{size_download} %{http_version}' http://${STACK_IP}/bytes/${size} | sha256sum`
      ], { timeoutMs: 70_000 })
      expect(down.code, describeExec(down)).toBe(0)
      expect(down.stderr.trim()).toBe(`${size} 2`)
      expect(down.stdout.split(" ")[0]).toBe(sha(bytes(size)))

      const dir = mkdtempSync(join(tmpdir(), "gonet-h2-"))
      yield* Effect.addFinalizer(() => Effect.sync(() => rmSync(dir, { recursive: true, force: true })))
      const upload = randomBytes(8 * MB)
      writeFileSync(join(dir, "up"), upload)
      const up = yield* exec(w.ns, [
        "curl", "-sS", "--fail", "--http2-prior-knowledge", "--max-time", "60", "--data-binary", `@${join(dir, "up")}`,
        `http://${STACK_IP}/sha`
      ], { timeoutMs: 70_000 })
      expect(up.code, describeExec(up)).toBe(0)
      expect(up.stdout).toBe(`${upload.length} ${sha(upload)}`)

      // two transfers, two connections: each curl is one session, and each has ended (curl closes
      // its connection) before server.close in the finalizer, which waits for them
      expect(sessions).toBe(2)
      // (several URLs on one h2c connection are not tried: curl 7.88 fails the second one with
      // "Error in the HTTP2 framing layer" against any server, Node's own in the kernel too; the
      // TLS case below multiplexes three, and the stack's client below runs concurrent streams over h2c)
    }), 150_000)

  it.scopedLive("the kernel's curl --http2 over TLS: ALPN picks h2, the certificate verifies, 20 MB arrives intact, three parallel streams share a session", () =>
    Effect.gen(function*() {
      const w = yield* makeWorld(1)
      const server = w.http2.createSecureServer({ key: readFileSync(KEY_FILE), cert: readFileSync(CERT_FILE) })
      server.on("stream", onStream)
      server.on("session", (s) => s.on("error", () => {}))
      yield* listen(server, 443)
      const size = 20 * MB
      const r = yield* exec(w.ns, [
        "sh",
        "-c",
        `curl -sS --fail --http2 --max-time 60 --cacert ${CERT_FILE} -w '%{stderr}%{size_download} %{http_version} %{ssl_verify_result}' https://${STACK_IP}/bytes/${size} | sha256sum`
      ], { timeoutMs: 70_000 })
      expect(r.code, describeExec(r)).toBe(0)
      expect(r.stderr.trim()).toBe(`${size} 2 0`)
      expect(r.stdout.split(" ")[0]).toBe(sha(bytes(size)))
      // three URLs at once: multiplexed on one session
      let sessions = 0
      server.on("session", () => sessions++)
      const three = yield* exec(w.ns, [
        "sh",
        "-c",
        `curl -sS --fail --http2 --parallel --max-time 30 --cacert ${CERT_FILE} https://${STACK_IP}/bytes/100000 https://${STACK_IP}/bytes/200000 https://${STACK_IP}/bytes/300000 | wc -c`
      ], { timeoutMs: 40_000 })
      expect(three.code, describeExec(three)).toBe(0)
      expect(three.stdout.trim()).toBe("600000")
      expect(sessions).toBe(1)
      // by name: the certificate is for gonet.test
      const named = yield* exec(w.ns, [
        "curl", "-sS", "--fail", "--http2", "--max-time", "20", "--cacert", CERT_FILE, "--resolve", `gonet.test:443:${STACK_IP}`,
        "-w", "%{http_version}", "-o", "/dev/null", "https://gonet.test/bytes/3"
      ], { timeoutMs: 30_000 })
      expect(named.code, describeExec(named)).toBe(0)
      expect(named.stdout).toBe("2")
      // without the certificate as a CA, curl refuses the server (60: peer certificate cannot be authenticated)
      const refused = yield* exec(w.ns, ["curl", "-sS", "--http2", "--max-time", "20", `https://${STACK_IP}/bytes/3`], { timeoutMs: 30_000 })
      expect(refused.code, describeExec(refused)).toBe(60)
    }), 120_000)

  it.scopedLive("a Node http2 client on the stack against a Node http2 server in the kernel's namespace: h2 and h2c, concurrent streams, 8 MB each way", () =>
    Effect.gen(function*() {
      const w = yield* makeWorld(2)
      const script = [
        `const http2 = require("node:http2"), fs = require("node:fs")`,
        `const onStream = ${HANDLER}`,
        `const secure = http2.createSecureServer({ key: fs.readFileSync(${JSON.stringify(KEY_FILE)}), cert: fs.readFileSync(${JSON.stringify(CERT_FILE)}) })`,
        `secure.on("stream", onStream)`,
        `const clear = http2.createServer()`,
        `clear.on("stream", onStream)`,
        `let up = 0`,
        `const ready = () => { if (++up === 2) console.log("Serving HTTP/2") }`,
        `secure.listen(8443, ${JSON.stringify(HOST_IP)}, ready)`,
        `clear.listen(8080, ${JSON.stringify(HOST_IP)}, ready)`
      ].join("\n")
      const server = yield* spawnIn(w.ns, [process.execPath, "-e", script])
      yield* eventually(Effect.sync(() => server.stderr() + server.stdout()), (o) => o.includes("Serving HTTP/2"), "kernel http2 servers up")

      const ca = readFileSync(CERT_FILE)
      for (const [url, options] of [[`https://${HOST_IP}:8443`, { ca }], [`http://${HOST_IP}:8080`, {}]] as const) {
        const session = w.http2.connect(url, options)
        yield* Effect.addFinalizer(() => Effect.sync(() => session.destroy()))
        yield* Effect.async<void, Error>((resume) => {
          session.once("connect", () => resume(Effect.void))
          session.once("error", (e) => resume(Effect.fail(e)))
        })
        if (url.startsWith("https:")) {
          expect(session.alpnProtocol).toBe("h2")
          expect((session.socket as tls.TLSSocket).authorized).toBe(true)
        }
        const sizes = [1000, 300_000, 8 * MB]
        const got = yield* Effect.all(sizes.map((n) => requestOn(session, `/bytes/${n}`)), { concurrency: "unbounded" })
        got.forEach((g, i) => {
          expect(g.status, url).toBe(200)
          expect(g.body.length, url).toBe(sizes[i])
          expect(sha(g.body), url).toBe(sha(bytes(sizes[i]!)))
        })
        const upload = randomBytes(8 * MB)
        const echoed = yield* requestOn(session, "/sha", upload)
        expect(echoed.body.toString(), url).toBe(`${upload.length} ${sha(upload)}`)
        yield* Effect.async<void>((resume) => void session.close(() => resume(Effect.void)))
      }
    }), 120_000)
})
