/**
 * Node's `http` over the stack against the Linux kernel (issue 9): the
 * kernel's `curl` downloads 100 MB from a Node `http` server running on the
 * stack, and a Node `http` client on the stack fetches from a server in the
 * kernel's namespace (Python's http.server), and curl talks to an
 * @effect/platform HttpRouter served over the stack. The world is Tcp.test.ts's: a
 * namespace made here, a TAP moved into it (198.18.0.1/24 on the kernel
 * side), the stack at 198.18.0.2/24 (offloads on, LinkTap's default).
 *
 * Live clock; waits are bounded safety nets, nothing asserts on durations
 * (the download's speed is printed, for the record). Needs root,
 * /dev/net/tun, iproute2, the addon, curl and python3; skips with the printed
 * reason otherwise (in CI a missing curl fails instead).
 */
import { describe, expect, it } from "@effect/vitest"
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServer from "@effect/platform/HttpServer"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { Effect, Layer } from "effect"
import type { Scope } from "effect"
import { createHash, randomBytes } from "node:crypto"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import type * as http from "node:http"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as Http from "../../src/node/Http.js"
import * as Https from "../../src/node/Https.js"
import * as StackHttpServer from "../../src/platform/StackHttpServer.js"
import { eventually } from "../support/Live.js"
import { exec, spawnIn, tapSkipReason } from "../support/Netns.js"
import { CERT_FILE, describeExec, HOST_IP, KEY_FILE, type NetOnTap, netOnTap, STACK_IP } from "../support/NodeTap.js"

const skipReason = (): string | undefined => tapSkipReason({ tools: ["python3"], ciInstalls: ["curl"] })
const SKIP = skipReason()
if (SKIP !== undefined) console.warn(`skipping Node http over the TAP: ${SKIP}`)

const STACK_MAC = new Uint8Array([0x02, 0x67, 0x6e, 0x00, 0x00, 0x09])
const MB = 1024 * 1024

interface World {
  readonly ns: NetOnTap["ns"]
  readonly stack: NetOnTap["stack"]
  readonly http: Http.Http
  readonly https: Https.Https
}

const makeWorld = (index: number): Effect.Effect<World, unknown, Scope.Scope> =>
  Effect.map(netOnTap("nh", index, STACK_MAC), ({ ns, net, stack }) => ({ ns, stack, http: Http.fromNet(net), https: Https.fromNet(net) }))


/** The body /bytes/N serves: octet i is a function of i, so a download can be checked without keeping it. */
const fill = (b: Buffer, offset: number): Buffer => {
  for (let i = 0; i < b.length; i++) {
    const n = offset + i
    b[i] = (n * 31 + (n >>> 8) + (n >>> 20)) & 0xff
  }
  return b
}
const CHUNK = 256 * 1024

/** sha256 of the first `n` octets of the /bytes body */
const shaOfBytes = (n: number): string => {
  const h = createHash("sha256")
  const b = Buffer.alloc(CHUNK)
  for (let o = 0; o < n; o += CHUNK) h.update(fill(b, o).subarray(0, Math.min(CHUNK, n - o)))
  return h.digest("hex")
}

/** Node handler: /bytes/N, written in 256 KiB chunks that wait for 'drain' */
const bytesHandler = (req: http.IncomingMessage, res: http.ServerResponse) => {
  const m = /^\/bytes\/(\d+)$/.exec(req.url ?? "")
  if (m === null) return void res.writeHead(404).end()
  const total = Number(m[1])
  res.writeHead(200, { "content-type": "application/octet-stream", "content-length": total })
  let o = 0
  const pump = () => {
    while (o < total) {
      const chunk = fill(Buffer.alloc(Math.min(CHUNK, total - o)), o)
      o += chunk.length
      if (!res.write(chunk)) return void res.once("drain", pump)
    }
    res.end()
  }
  pump()
}

describe.skipIf(SKIP !== undefined)("Node's http over the stack, with the Linux kernel as the peer", () => {
  it.scopedLive("the kernel's curl downloads 100 MB from a Node http server on the stack: right length and sha256", () =>
    Effect.gen(function*() {
      const w = yield* makeWorld(0)
      const server = w.http.createServer(bytesHandler)
      let connections = 0
      server.on("connection", () => connections++)
      yield* Effect.async<void>((resume) => void server.listen(80, () => resume(Effect.void)))
      yield* Effect.addFinalizer(() => Effect.async<void>((resume) => void server.close(() => resume(Effect.void))))
      const size = 100 * MB
      const r = yield* exec(w.ns, [
        "sh",
        "-c",
        `curl -sS --fail --max-time 100 -w '%{stderr}%{size_download} %{speed_download}' http://${STACK_IP}/bytes/${size} | sha256sum`
      ], { timeoutMs: 110_000 })
      expect(r.code, describeExec(r)).toBe(0)
      const [downloaded, speed] = r.stderr.trim().split(" ").map(Number)
      console.log(`curl: ${downloaded} octets at ${((speed! * 8) / 1e6).toFixed(0)} Mbit/s`)
      expect(downloaded).toBe(size)
      expect(r.stdout.split(" ")[0]).toBe(shaOfBytes(size))

      // two URLs in one curl: one kept-alive connection
      const two = yield* exec(w.ns, [
        "sh",
        "-c",
        `curl -sS --fail --max-time 20 http://${STACK_IP}/bytes/10 http://${STACK_IP}/bytes/20 | wc -c`
      ], { timeoutMs: 30_000 })
      expect(two.code, describeExec(two)).toBe(0)
      expect(two.stdout.trim()).toBe("30")
      expect(connections).toBe(2)
    }), 150_000)

  it.scopedLive("the kernel's curl talks to an @effect/platform HttpRouter served over the stack (StackHttpServer)", () =>
    Effect.gen(function*() {
      const w = yield* makeWorld(2)
      const router = HttpRouter.empty.pipe(
        HttpRouter.get("/", HttpServerResponse.text("hello from an HttpRouter on the stack\n")),
        HttpRouter.get("/json", HttpServerResponse.unsafeJson({ stack: "gonet-ts", ok: true })),
        HttpRouter.post("/upper", Effect.map(Effect.flatMap(HttpServerRequest.HttpServerRequest, (r) => r.text), (t) => HttpServerResponse.text(t.toUpperCase())))
      )
      yield* Layer.launch(HttpServer.serve(router).pipe(
        Layer.provide(StackHttpServer.layer({ port: 8080 })),
        Layer.provide(Layer.succeedContext(w.stack))
      )).pipe(Effect.forkScoped)
      const curl = (args: string) =>
        exec(w.ns, ["sh", "-c", `curl -sS --fail --max-time 10 --retry 5 --retry-connrefused --retry-delay 1 ${args}`], { timeoutMs: 60_000 })
      const root = yield* curl(`http://${STACK_IP}:8080/`)
      expect(root.code, describeExec(root)).toBe(0)
      expect(root.stdout).toBe("hello from an HttpRouter on the stack\n")
      const json = yield* curl(`-i http://${STACK_IP}:8080/json`)
      expect(json.code, describeExec(json)).toBe(0)
      expect(json.stdout).toMatch(/content-type: application\/json/i)
      expect(JSON.parse(json.stdout.split("\r\n\r\n")[1]!)).toEqual({ stack: "gonet-ts", ok: true })
      const upper = yield* curl(`-d 'quiet please' http://${STACK_IP}:8080/upper`)
      expect(upper.stdout).toBe("QUIET PLEASE")
      const missing = yield* exec(w.ns, ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", `http://${STACK_IP}:8080/nothing`], { timeoutMs: 20_000 })
      expect(missing.stdout).toBe("404")
    }), 60_000)

  it.scopedLive("a Node http client on the stack fetches 8 MB from a server in the kernel's namespace", () =>
    Effect.gen(function*() {
      const w = yield* makeWorld(1)
      const dir = mkdtempSync(join(tmpdir(), "gonet-http-"))
      yield* Effect.addFinalizer(() => Effect.sync(() => rmSync(dir, { recursive: true, force: true })))
      const body = randomBytes(8 * MB)
      writeFileSync(join(dir, "file"), body)
      const server = yield* spawnIn(w.ns, ["python3", "-m", "http.server", "8000", "--bind", HOST_IP, "--directory", dir])
      yield* eventually(Effect.sync(() => server.stderr() + server.stdout()), (o) => o.includes("Serving HTTP"), "kernel http.server up")
      const got = yield* Effect.async<{ status: number; sha: string; n: number }, Error>((resume) => {
        const req = w.http.get(`http://${HOST_IP}:8000/file`, (res) => {
          const h = createHash("sha256")
          let n = 0
          res.on("data", (c: Buffer) => {
            h.update(c)
            n += c.length
          })
          res.on("end", () => resume(Effect.succeed({ status: res.statusCode ?? 0, sha: h.digest("hex"), n })))
          res.on("error", (e) => resume(Effect.fail(e)))
        })
        req.on("error", (e) => resume(Effect.fail(e)))
      })
      expect(got.status).toBe(200)
      expect(got.n).toBe(body.length)
      expect(got.sha).toBe(createHash("sha256").update(body).digest("hex"))
      w.http.globalAgent.destroy()
    }), 60_000)
  it.scopedLive("the kernel's curl downloads 20 MB over TLS from a Node https server on the stack, and checks its certificate", () =>
    Effect.gen(function*() {
      const w = yield* makeWorld(3)
      const server = w.https.createServer({ key: readFileSync(KEY_FILE), cert: readFileSync(CERT_FILE) }, bytesHandler)
      yield* Effect.async<void>((resume) => void server.listen(443, () => resume(Effect.void)))
      yield* Effect.addFinalizer(() => Effect.async<void>((resume) => void server.close(() => resume(Effect.void))))
      const size = 20 * MB
      const r = yield* exec(w.ns, [
        "sh",
        "-c",
        `curl -sS --fail --max-time 60 --cacert ${CERT_FILE} -w '%{stderr}%{size_download} %{ssl_verify_result}' https://${STACK_IP}/bytes/${size} | sha256sum`
      ], { timeoutMs: 70_000 })
      expect(r.code, describeExec(r)).toBe(0)
      expect(r.stderr.trim()).toBe(`${size} 0`)
      expect(r.stdout.split(" ")[0]).toBe(shaOfBytes(size))
      // by name: the certificate is for gonet.test
      const named = yield* exec(w.ns, [
        "curl", "-sS", "--fail", "--max-time", "20", "--cacert", CERT_FILE, "--resolve", `gonet.test:443:${STACK_IP}`,
        "https://gonet.test/bytes/3"
      ], { timeoutMs: 30_000 })
      expect(named.code, describeExec(named)).toBe(0)
      expect(named.stdout.length).toBe(3)
      // without the certificate as a CA, curl refuses the server (60: peer certificate cannot be authenticated)
      const refused = yield* exec(w.ns, ["curl", "-sS", "--max-time", "20", `https://${STACK_IP}/bytes/3`], { timeoutMs: 30_000 })
      expect(refused.code, describeExec(refused)).toBe(60)
    }), 120_000)

  it.scopedLive("a kernel client that sends 1 MB over TLS and half-closes (its FIN, no close_notify) gets the https server's answer; the server read it all", () =>
    Effect.gen(function*() {
      const w = yield* makeWorld(5)
      const server = w.https.createServer({ key: readFileSync(KEY_FILE), cert: readFileSync(CERT_FILE) }, bytesHandler)
      // an upgraded connection (as a WebSocket's): the program answers 101 at once, reads what
      // follows slowly (TLS holds the rest meanwhile), and at its end says what it got
      server.on("upgrade", (_req, socket: import("node:tls").TLSSocket, head: Buffer) => {
        const h = createHash("sha256").update(head)
        let n = head.length
        socket.write("HTTP/1.1 101 Switching Protocols\r\nconnection: upgrade\r\nupgrade: test\r\n\r\n")
        socket.on("data", (c: Buffer) => {
          h.update(c)
          n += c.length
          socket.pause()
          setTimeout(() => socket.resume(), 1)
        })
        // the TLS socket ends itself after 'end' (not half-open, as over a host's sockets)
        socket.on("end", () => void socket.write(`${n} ${h.digest("hex")}`))
      })
      yield* Effect.async<void>((resume) => void server.listen(443, () => resume(Effect.void)))
      yield* Effect.addFinalizer(() => Effect.async<void>((resume) => void server.close(() => resume(Effect.void))))
      // Python's ssl over memory buffers, on a socket of its own: the TCP FIN is the client's
      // alone (shutdown(SHUT_WR)), TLS goes on reading until the server's close_notify or FIN
      const script = [
        "import hashlib, socket, ssl, sys",
        `ctx = ssl.create_default_context(cafile=${JSON.stringify(CERT_FILE)})`,
        `sock = socket.create_connection((${JSON.stringify(STACK_IP)}, 443), timeout=30)`,
        "inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()",
        "tls = ctx.wrap_bio(inc, out, server_hostname='gonet.test')",
        "def flush():",
        "    d = out.read()",
        "    if d: sock.sendall(d)",
        "def pump():",
        "    d = sock.recv(65536)",
        "    if d: inc.write(d)",
        "    else: inc.write_eof()",
        "def call(f, *a):",
        "    while True:",
        "        try:",
        "            r = f(*a); flush(); return r",
        "        except ssl.SSLWantReadError:",
        "            flush(); pump()",
        "call(tls.do_handshake)",
        "call(tls.write, b'GET /ws HTTP/1.1\\r\\nhost: gonet.test\\r\\nconnection: upgrade\\r\\nupgrade: test\\r\\n\\r\\n')",
        "got = b''",
        "while b'\\r\\n\\r\\n' not in got: got += call(tls.read, 65536)",
        "data = bytes((i * 7 + (i >> 9)) & 0xff for i in range(1 << 20))",
        "call(tls.write, data)",
        "sock.shutdown(socket.SHUT_WR)",
        "while True:",
        "    try: d = call(tls.read, 65536)",
        "    except (ssl.SSLZeroReturnError, ssl.SSLEOFError): break",
        "    if not d: break",
        "    got += d",
        "print(got.split(b'\\r\\n\\r\\n', 1)[1].decode(), hashlib.sha256(data).hexdigest())"
      ].join("\n")
      const r = yield* exec(w.ns, ["python3", "-c", script], { timeoutMs: 60_000 })
      expect(r.code, describeExec(r)).toBe(0)
      // what the server read, then the sha256 of what the client sent
      const [n, read, sent] = r.stdout.trim().split(" ")
      expect(n).toBe(String(1 << 20))
      expect(read).toBe(sent)
    }), 90_000)

  it.scopedLive("a Node https client on the stack fetches 8 MB over TLS from Python's ssl server in the kernel's namespace", () =>
    Effect.gen(function*() {
      const w = yield* makeWorld(4)
      const dir = mkdtempSync(join(tmpdir(), "gonet-https-"))
      yield* Effect.addFinalizer(() => Effect.sync(() => rmSync(dir, { recursive: true, force: true })))
      const body = randomBytes(8 * MB)
      writeFileSync(join(dir, "file"), body)
      const script = [
        "import http.server, ssl, sys",
        "ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)",
        `ctx.load_cert_chain(${JSON.stringify(CERT_FILE)}, ${JSON.stringify(KEY_FILE)})`,
        `handler = lambda *a, **k: http.server.SimpleHTTPRequestHandler(*a, directory=${JSON.stringify(dir)}, **k)`,
        `s = http.server.HTTPServer((${JSON.stringify(HOST_IP)}, 8443), handler)`,
        "s.socket = ctx.wrap_socket(s.socket, server_side=True)",
        "print('Serving HTTPS', flush=True)",
        "s.serve_forever()"
      ].join("\n")
      const server = yield* spawnIn(w.ns, ["python3", "-c", script])
      yield* eventually(Effect.sync(() => server.stderr() + server.stdout()), (o) => o.includes("Serving HTTPS"), "kernel https server up")
      const ca = readFileSync(CERT_FILE)
      const got = yield* Effect.async<{ status: number; sha: string; n: number; protocol: string | null }, Error>((resume) => {
        const req = w.https.get(`https://${HOST_IP}:8443/file`, { ca }, (res) => {
          const h = createHash("sha256")
          let n = 0
          const protocol = (res.socket as import("node:tls").TLSSocket).getProtocol()
          res.on("data", (c: Buffer) => {
            h.update(c)
            n += c.length
          })
          res.on("end", () => resume(Effect.succeed({ status: res.statusCode ?? 0, sha: h.digest("hex"), n, protocol })))
          res.on("error", (e) => resume(Effect.fail(e)))
        })
        req.on("error", (e) => resume(Effect.fail(e)))
      })
      expect(got.status).toBe(200)
      expect(got.n).toBe(body.length)
      expect(got.sha).toBe(createHash("sha256").update(body).digest("hex"))
      expect(got.protocol).toBe("TLSv1.3")
      w.https.globalAgent.destroy()
    }), 60_000)
})
