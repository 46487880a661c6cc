/**
 * Node's own `http2` over two in-memory stacks (`gonet-ts/node`'s Http2):
 * Node's sessions, streams and flow control, the stack's sockets; h2c with
 * prior knowledge and h2 over TLS (ALPN). The certificate is the test
 * fixture (test/fixtures/tls, self-signed, for gonet.test and the test
 * addresses), which the clients take as their `ca`.
 */
import { createHash } from "node:crypto"
import { readFileSync } from "node:fs"
import type * as http2 from "node:http2"
import type * as tls from "node:tls"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import * as Http2 from "../../src/node/Http2.js"
import * as Https from "../../src/node/Https.js"
import type * as Net from "../../src/node/Net.js"
import { statsOf, type StackContext } from "../support/TestNet.js"
import { collect, HOST_A, HOST_B, once, withNets } from "./NodeNet.js"

const fixture = (name: string) => readFileSync(new URL(`../fixtures/tls/${name}`, import.meta.url))
const key = fixture("key.pem")
const cert = fixture("cert.pem")

const pattern = (n: number): Buffer => {
  const b = Buffer.alloc(n)
  for (let i = 0; i < n; i++) b[i] = (i * 13 + (i >>> 10)) & 0xff
  return b
}
const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex")

/** The stream API: /bytes/N answers N octets of `pattern`; POST /echo answers what it was sent. */
const onStream = (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders) => {
  const path = headers[":path"] ?? ""
  if (headers[":method"] === "POST" && path === "/echo") {
    collect(stream).then((body) => {
      stream.respond({ ":status": 200, "content-length": body.length })
      stream.end(body)
    })
    return
  }
  const m = /^\/bytes\/(\d+)$/.exec(path)
  if (m === null) {
    stream.respond({ ":status": 404 })
    return void stream.end()
  }
  const body = pattern(Number(m[1]))
  stream.respond({ ":status": 200, "content-length": body.length })
  stream.end(body)
}

interface Got {
  readonly status: number
  readonly body: Buffer
}

/** One request on `session`: its status and body. */
const requestOn = (session: http2.ClientHttp2Session, path: string, body?: Buffer): Promise<Got> =>
  new Promise((resolve, reject) => {
    const req = session.request({ ":path": path, ":method": body === undefined ? "GET" : "POST" })
    let status = 0
    req.on("response", (h) => {
      status = Number(h[":status"])
    })
    collect(req).then((b) => resolve({ status, body: b }), reject)
    req.on("error", reject)
    req.end(body)
  })

const closeServer = (server: { close: (cb?: (err?: Error) => void) => unknown }): Promise<void> =>
  new Promise((resolve) => void server.close(() => resolve()))

/** Bounded wait for the stack's TCP connections to be gone (each poll is one turn of the live stacks). */
const connectionsOf = async (stack: StackContext): Promise<number> => {
  for (let i = 0; i < 100 && (await Effect.runPromise(statsOf(stack))).tcp.connections > 0; i++) {
    await new Promise((r) => setTimeout(r, 20))
  }
  return (await Effect.runPromise(statsOf(stack))).tcp.connections
}

describe("Node's http2 over gonet-ts/node", () => {
  it("h2c with prior knowledge: concurrent streams on one session, 4 MB each way with flow control", () =>
    withNets(async ({ a, b, stackA, stackB }) => {
      const server = Http2.fromNet(a).createServer()
      server.on("stream", onStream)
      let sessions = 0
      server.on("session", () => sessions++)
      server.listen(80)
      await once(server, "listening")
      expect(server.address()).toMatchObject({ port: 80, family: "IPv4" })

      const client = Http2.fromNet(b)
      const session = client.connect(`http://${HOST_A}`)
      await once(session, "connect")
      expect(session.alpnProtocol).toBe("h2c")
      const sizes = [10, 1000, 100_000, 4 * 1024 * 1024]
      const got = await Promise.all(sizes.map((n) => requestOn(session, `/bytes/${n}`)))
      got.forEach((g, i) => {
        expect(g.status).toBe(200)
        expect(sha(g.body)).toBe(sha(pattern(sizes[i]!)))
      })
      const sent = pattern(4 * 1024 * 1024).reverse()
      const echoed = await requestOn(session, "/echo", sent)
      expect(sha(echoed.body)).toBe(sha(sent))
      expect(sessions).toBe(1)

      session.close()
      await once(session, "close")
      await closeServer(server)
      expect(await connectionsOf(stackA)).toBe(0)
      expect(await connectionsOf(stackB)).toBe(0)
    }), 60_000)

  it("h2 over TLS by ALPN: the certificate verifies against the authority; the compatibility API answers", () =>
    withNets(async ({ a, b, stackB }) => {
      const server = Http2.fromNet(a).createSecureServer({ key, cert }, (req, res) => res.end(`hello ${req.url}`))
      server.listen(443)
      await once(server, "listening")
      const client = Http2.fromNet(b)
      const session = client.connect(`https://${HOST_A}`, { ca: cert })
      await once(session, "connect")
      expect(session.alpnProtocol).toBe("h2")
      expect(session.encrypted).toBe(true)
      const socket = session.socket as tls.TLSSocket
      expect(socket.authorized).toBe(true)
      expect(socket.getPeerCertificate().subject.CN).toBe("gonet.test")
      const got = await requestOn(session, "/there")
      expect(got.status).toBe(200)
      expect(got.body.toString()).toBe("hello /there")
      // three at once on the one session
      const three = await Promise.all([1, 2, 3].map((i) => requestOn(session, `/x${i}`)))
      expect(three.map((g) => g.body.toString())).toEqual(["hello /x1", "hello /x2", "hello /x3"])
      session.destroy()
      await once(session, "close")
      expect(await connectionsOf(stackB)).toBe(0)
      await closeServer(server)
    }), 60_000)

  it("GOAWAY: the server's session.close() lets the open stream finish, refuses new ones, and ends the sessions; server.close() completes only then", () =>
    withNets(async ({ a, b, stackA, stackB }) => {
      const server = Http2.fromNet(a).createServer()
      let held: http2.ServerHttp2Stream | undefined
      server.on("stream", (stream, headers) => {
        if (headers[":path"] === "/hold") held = stream
        else onStream(stream, headers)
      })
      const sessions: Array<http2.ServerHttp2Session> = []
      server.on("session", (s) => sessions.push(s))
      server.listen(8080)
      await once(server, "listening")
      const session = Http2.fromNet(b).connect(`http://${HOST_A}:8080`)
      const pending = requestOn(session, "/hold")
      await requestOn(session, "/bytes/5")
      expect(held).toBeDefined()

      // close() stops listening at once; it completes when the session has ended
      let serverClosed = false
      const closing = new Promise<void>((resolve) =>
        server.close(() => {
          serverClosed = true
          resolve()
        })
      )
      expect(server.listening).toBe(false)

      const goaway = once<[number, number]>(session, "goaway")
      sessions[0]!.close()
      const [code, lastStreamID] = await goaway
      expect(code).toBe(Http2.fromNet(b).constants.NGHTTP2_NO_ERROR)
      expect(lastStreamID).toBe(3)
      // after GOAWAY the client makes no new stream
      expect(() => session.request({ ":path": "/bytes/1" })).toThrow(/ERR_HTTP2_GOAWAY_SESSION|closed|GOAWAY/i)
      expect(serverClosed).toBe(false)

      // the stream opened before the GOAWAY still completes
      held!.respond({ ":status": 200 })
      held!.end("late")
      const late = await pending
      expect(late.body.toString()).toBe("late")
      await once(session, "close")
      await closing
      expect(await connectionsOf(stackA)).toBe(0)
      expect(await connectionsOf(stackB)).toBe(0)
    }), 30_000)

  it("a client session's destroy() closes its stack socket; the server's session hears it and closes", () =>
    withNets(async ({ a, b, stackA, stackB }) => {
      const server = Http2.fromNet(a).createSecureServer({ key, cert })
      server.on("stream", onStream)
      const serverSession = once<[http2.ServerHttp2Session]>(server, "session")
      server.listen(443)
      await once(server, "listening")
      const session = Http2.fromNet(b).connect(`https://${HOST_A}`, { ca: cert })
      await requestOn(session, "/bytes/10")
      const [theirs] = await serverSession
      const theirsClosed = once(theirs, "close")
      expect((await Effect.runPromise(statsOf(stackB))).tcp.connections).toBe(1)
      session.destroy()
      await once(session, "close")
      await theirsClosed
      expect(await connectionsOf(stackB)).toBe(0)
      expect(await connectionsOf(stackA)).toBe(0)
      await closeServer(server)
    }), 30_000)

  it("a session is 'connect'ed once its stack socket is; a refused connection is the session's ECONNREFUSED and no 'connect'", () =>
    withNets(async ({ a, b }) => {
      const client = Http2.fromNet(b)
      for (const url of [`http://${HOST_A}:81`, `https://${HOST_A}:81`]) {
        const events: Array<string> = []
        const session = client.connect(url, { ca: cert }, () => events.push("listener"))
        session.on("connect", () => events.push("connect"))
        session.on("error", (e: NodeJS.ErrnoException) => events.push(`error ${e.code}`))
        await once(session, "close")
        expect(events, url).toEqual(["error ECONNREFUSED"])
      }
      const server = Http2.fromNet(a).createServer()
      server.on("stream", onStream)
      server.listen(81)
      await once(server, "listening")
      const session = client.connect(`http://${HOST_A}:81`)
      // as Node's connect over its own socket: 'connect' comes after the TCP handshake, with the session's socket
      const [connected, socket] = await once<[http2.ClientHttp2Session, unknown]>(session, "connect")
      expect(connected).toBe(session)
      expect(socket).toBeDefined()
      expect((await requestOn(session, "/bytes/3")).body.length).toBe(3)
      session.close()
      await closeServer(server)
    }), 30_000)

  it("a session's socket has the stack connection's addresses and ports, on both sides, over h2c and TLS", () =>
    withNets(async ({ a, b }) => {
      const h2a = Http2.fromNet(a)
      const servers = [h2a.createServer(), h2a.createSecureServer({ key, cert })]
      const peers: Array<unknown> = []
      for (const server of servers) {
        server.on("session", (s: http2.ServerHttp2Session) => peers.push({ address: s.socket.remoteAddress, family: s.socket.remoteFamily, port: s.socket.remotePort }))
        server.on("stream", (stream: http2.ServerHttp2Stream) => {
          const sock = stream.session!.socket
          stream.respond({ ":status": 200 })
          stream.end(`${sock.localAddress}:${sock.localPort} ${sock.remoteAddress}:${sock.remotePort}`)
        })
      }
      servers[0]!.listen(80)
      servers[1]!.listen(443)
      await Promise.all(servers.map((s) => once(s, "listening")))
      const client = Http2.fromNet(b)
      for (const url of [`http://${HOST_A}`, `https://${HOST_A}`]) {
        const session = client.connect(url, { ca: cert })
        await once(session, "connect")
        const got = await requestOn(session, "/")
        const mine = session.socket
        expect(mine.remoteAddress, url).toBe(HOST_A)
        expect(mine.remotePort, url).toBe(url.startsWith("https") ? 443 : 80)
        expect(mine.remoteFamily, url).toBe("IPv4")
        expect(mine.localAddress, url).toBe(HOST_B)
        // what the server sees is the client's side, seen from the other end
        expect(got.body.toString(), url).toBe(`${HOST_A}:${mine.remotePort} ${HOST_B}:${mine.localPort}`)
        expect(peers.pop(), url).toEqual({ address: HOST_B, family: "IPv4", port: mine.localPort })
        session.close()
        await once(session, "close")
      }
      await Promise.all(servers.map(closeServer))
    }), 30_000)

  it("a client session's stack socket does without Nagle's algorithm, as Node's http2 asks of its sockets (h2c and TLS)", () =>
    withNets(async ({ a, b }) => {
      const h2a = Http2.fromNet(a)
      const servers = [h2a.createServer(), h2a.createSecureServer({ key, cert })]
      for (const server of servers) server.on("stream", onStream)
      servers[0]!.listen(80)
      servers[1]!.listen(443)
      await Promise.all(servers.map((s) => once(s, "listening")))
      // the stack's net, with what each new socket is opened with written down
      const opened: Array<Net.ConnectOptions> = []
      const createConnection = ((options: Net.ConnectOptions) => {
        opened.push(options)
        return b.createConnection(options)
      }) as Net.Net["createConnection"]
      const client = Http2.fromNet({ ...b, connect: createConnection, createConnection })
      for (const url of [`http://${HOST_A}`, `https://${HOST_A}`]) {
        const session = client.connect(url, { ca: cert })
        await requestOn(session, "/bytes/10")
        session.close()
        await once(session, "close")
      }
      expect(opened.map((o) => o.noDelay)).toEqual([true, true])
      await Promise.all(servers.map(closeServer))
    }), 30_000)

  it("connect over TLS offers ALPN h2 whatever ALPNProtocols it is given, as Node's connect does; allowHTTP1 serves HTTP/1.1 clients too", () =>
    withNets(async ({ a, b }) => {
      const server = Http2.fromNet(a).createSecureServer({ key, cert, allowHTTP1: true }, (req, res) => res.end(`HTTP/${req.httpVersion}`))
      server.listen(443)
      await once(server, "listening")
      const session = Http2.fromNet(b).connect(`https://${HOST_A}`, { ca: cert, ALPNProtocols: ["http/1.1"] })
      const got = await requestOn(session, "/")
      expect(session.alpnProtocol).toBe("h2")
      expect(got.body.toString()).toBe("HTTP/2.0")
      session.close()
      const h1 = Https.fromNet(b)
      const body = await new Promise<Buffer>((resolve, reject) => {
        h1.get(`https://${HOST_A}/`, { ca: cert, agent: false }, (res) => void collect(res).then(resolve, reject)).on("error", reject)
      })
      expect(body.toString()).toBe("HTTP/1.1")
      await closeServer(server)
    }), 30_000)

  it("a reader that takes its time gets all of a body the server's session sent before closing (GOAWAY, then FIN); the connections then close", () =>
    withNets(async ({ a, b, stackA, stackB }) => {
      const h2a = Http2.fromNet(a)
      const body = pattern(3 * 1024 * 1024)
      const servers = [h2a.createServer(), h2a.createSecureServer({ key, cert })]
      for (const server of servers) {
        server.on("stream", (stream) => {
          stream.respond({ ":status": 200 })
          stream.end(body, () => stream.session!.close())
        })
      }
      servers[0]!.listen(80)
      servers[1]!.listen(443)
      await Promise.all(servers.map((s) => once(s, "listening")))
      const client = Http2.fromNet(b)
      for (const url of [`http://${HOST_A}`, `https://${HOST_A}`]) {
        // a stream window the whole body fits in: the server sends it all, then GOAWAY and its FIN,
        // while the reader still holds most of it
        const session = client.connect(url, { ca: cert, settings: { initialWindowSize: 4 * 1024 * 1024 } })
        const got = await new Promise<Buffer>((resolve, reject) => {
          const req = session.request({ ":path": "/" })
          const chunks: Array<Buffer> = []
          req.on("data", (c: Buffer) => {
            chunks.push(c)
            req.pause()
            setTimeout(() => req.resume(), 1)
          })
          req.on("end", () => resolve(Buffer.concat(chunks)))
          req.on("close", () => reject(new Error(`closed after ${Buffer.concat(chunks).length} octets`)))
          req.on("error", reject)
        })
        expect(got.length, url).toBe(body.length)
        expect(sha(got), url).toBe(sha(body))
        await once(session, "close")
      }
      await Promise.all(servers.map(closeServer))
      expect(await connectionsOf(stackA)).toBe(0)
      expect(await connectionsOf(stackB)).toBe(0)
    }), 60_000)

  it("when the server destroys its session, the client's session closes and the stack connections end (h2c and TLS)", () =>
    withNets(async ({ a, b, stackA, stackB }) => {
      const h2a = Http2.fromNet(a)
      const servers = [h2a.createServer(), h2a.createSecureServer({ key, cert })]
      const sessions: Array<http2.ServerHttp2Session> = []
      for (const server of servers) {
        server.on("stream", onStream)
        server.on("session", (s: http2.ServerHttp2Session) => sessions.push(s))
      }
      servers[0]!.listen(80)
      servers[1]!.listen(443)
      await Promise.all(servers.map((s) => once(s, "listening")))
      const client = Http2.fromNet(b)
      for (const url of [`http://${HOST_A}`, `https://${HOST_A}`]) {
        const session = client.connect(url, { ca: cert })
        session.on("error", () => {})
        await requestOn(session, "/bytes/10")
        const closed = once(session, "close")
        sessions.pop()!.destroy()
        await closed
        expect(session.destroyed, url).toBe(true)
      }
      await Promise.all(servers.map(closeServer))
      expect(await connectionsOf(stackA)).toBe(0)
      expect(await connectionsOf(stackB)).toBe(0)
    }), 30_000)

  it("a session destroyed just after a write still sends its GOAWAY (NO_ERROR, or the code given), as over Node's own sockets: the server's after its answer (h2c and TLS), the client's after its request (h2c)", () =>
    withNets(async ({ a, b, stackA, stackB }) => {
      const h2a = Http2.fromNet(a)
      const { NGHTTP2_INTERNAL_ERROR: INTERNAL } = h2a.constants
      const servers = [h2a.createServer(), h2a.createSecureServer({ key, cert })]
      // each server session, with what it says
      const sessions: Array<{ readonly session: http2.ServerHttp2Session; readonly seen: Array<string> }> = []
      for (const server of servers) {
        server.on("stream", (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders) => {
          // a destroy with an error, ours or the peer's GOAWAY's, also fails the streams still open
          // (the one just asked for, or one whose last frame is still being written): what is
          // checked here is the sessions' account, not theirs
          stream.on("error", () => {})
          onStream(stream, headers)
        })
        server.on("session", (session: http2.ServerHttp2Session) => {
          const seen: Array<string> = []
          session.on("goaway", (code: number, last: number) => seen.push(`goaway ${code} ${last}`))
          session.on("error", (e: NodeJS.ErrnoException) => seen.push(`error ${e.code ?? e.message}`))
          session.on("close", () => seen.push("close"))
          sessions.push({ session, seen })
        })
      }
      servers[0]!.listen(80)
      servers[1]!.listen(443)
      await Promise.all(servers.map((s) => once(s, "listening")))
      const client = Http2.fromNet(b)
      const connect = (url = `http://${HOST_A}`) => {
        const session = client.connect(url, { ca: cert })
        const seen: Array<string> = []
        session.on("goaway", (code: number, last: number) => seen.push(`goaway ${code} ${last}`))
        session.on("error", (e: NodeJS.ErrnoException) => seen.push(`error ${e.code ?? e.message}`))
        const closed = once(session, "close").then(() => seen.push("close"))
        return { session, seen, closed }
      }
      // what Node 20 says over kernel sockets (127.0.0.1) for the same steps: a write the kernel
      // takes at once is over at once, so destroy()'s GOAWAY (nghttp2_session_terminate_session)
      // goes, with the last stream the destroying side took (over TLS a write is over a moment
      // later, long before the answer has reached the client over the kernel's loopback)
      const destroys = [
        { destroy: (s: http2.Http2Session) => s.destroy(), code: 0, error: [] },
        { destroy: (s: http2.Http2Session) => s.destroy(new Error("boom"), INTERNAL), code: INTERNAL, error: ["error ERR_HTTP2_SESSION_ERROR"] }
      ]
      for (const url of [`http://${HOST_A}`, `https://${HOST_A}`]) {
        for (const { code, destroy, error } of destroys) {
          // the server, once its answer is out
          const { closed, seen, session } = connect(url)
          await requestOn(session, "/bytes/10")
          destroy(sessions.at(-1)!.session)
          await closed
          expect(seen, `${url}: server's destroy ${code}`).toEqual([`goaway ${code} 1`, ...error, "close"])
        }
      }
      for (const { code, destroy, error } of destroys) {
        // the client, a turn after it asked again (the request's frames written, their report not yet)
        const { closed, session } = connect()
        session.on("error", () => {})
        await requestOn(session, "/bytes/10")
        const theirs = sessions.at(-1)!
        const theirsClosed = once(theirs.session, "close")
        const req = session.request({ ":path": "/bytes/5" })
        req.on("error", () => {})
        req.end()
        setImmediate(() => destroy(session))
        await Promise.all([closed, theirsClosed])
        expect(theirs.seen, `client's destroy ${code}`).toEqual([`goaway ${code} 0`, ...error, "close"])
      }
      await Promise.all(servers.map(closeServer))
      expect(await connectionsOf(stackA)).toBe(0)
      expect(await connectionsOf(stackB)).toBe(0)
    }), 30_000)

  it("performServerHandshake over a stack socket makes a session as createServer's: its socket's addresses are the stack socket's, and destroyed after its answer it sends its GOAWAY", () =>
    withNets(async ({ a, b, stackA, stackB }) => {
      const h2a = Http2.fromNet(a)
      const sessions: Array<http2.ServerHttp2Session> = []
      const server = a.createServer((socket) => {
        const session = h2a.performServerHandshake(socket as never)
        session.on("error", () => {})
        session.on("stream", onStream)
        sessions.push(session)
      })
      server.listen(80)
      await once(server, "listening")
      const session = Http2.fromNet(b).connect(`http://${HOST_A}`)
      const seen: Array<string> = []
      session.on("goaway", (code: number, last: number) => seen.push(`goaway ${code} ${last}`))
      session.on("error", (e: NodeJS.ErrnoException) => seen.push(`error ${e.code ?? e.message}`))
      const closed = once(session, "close")
      expect((await requestOn(session, "/bytes/10")).status).toBe(200)
      const theirs = sessions[0]!
      expect([theirs.socket.remoteAddress, theirs.socket.localAddress, theirs.socket.localPort]).toEqual([HOST_B, HOST_A, 80])
      theirs.destroy()
      await closed
      expect(seen).toEqual(["goaway 0 1"])
      await closeServer(server)
      expect(await connectionsOf(stackA)).toBe(0)
      expect(await connectionsOf(stackB)).toBe(0)
    }), 30_000)

  it("what is not about sockets is node:http2's own", () => {
    const h = Http2.fromNet({} as never)
    // a scheme that is neither http: nor https: is refused as Node's connect refuses it, before any socket
    expect(() => h.connect("ftp://198.18.0.2")).toThrow(expect.objectContaining({ code: "ERR_HTTP2_UNSUPPORTED_PROTOCOL" }))
    expect(h.constants.HTTP2_HEADER_PATH).toBe(":path")
    expect(h.getDefaultSettings().initialWindowSize).toBe(65535)
    expect(h.getUnpackedSettings(h.getPackedSettings({ maxConcurrentStreams: 7 }))).toMatchObject({ maxConcurrentStreams: 7 })
    expect(typeof h.sensitiveHeaders).toBe("symbol")
  })
})
