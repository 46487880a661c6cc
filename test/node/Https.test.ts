/**
 * Node's own `https` over two in-memory stacks (`gonet-ts/node`'s Https):
 * Node's TLS and HTTP, the stack's sockets. The server's certificate is a
 * test fixture (test/fixtures/tls, self-signed, for gonet.test and the test
 * addresses), so the clients verify it for real with it as their `ca`.
 */
import { createHash } from "node:crypto"
import { readFileSync } from "node:fs"
import type * as http from "node:http"
import type * as tls from "node:tls"
import { connect as tlsConnect } from "node:tls"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import * as Https from "../../src/node/Https.js"
import { statsOf } from "../support/TestNet.js"
import { collect, HOST_A, once, withNets } from "./NodeNet.js"

const fixture = (name: string) => readFileSync(new URL(`../fixtures/tls/${name}`, import.meta.url))
const key = fixture("key.pem")
const cert = fixture("cert.pem")

const pattern = (n: number): Buffer => {
  const b = Buffer.alloc(n)
  for (let i = 0; i < n; i++) b[i] = (i * 7 + (i >>> 9)) & 0xff
  return b
}
const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex")

/** /bytes/N answers N octets of `pattern`; POST /echo answers what it was sent */
const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
  if (req.method === "POST" && req.url === "/echo") {
    collect(req).then((body) => res.writeHead(200, { "content-length": body.length }).end(body))
    return
  }
  const m = /^\/bytes\/(\d+)$/.exec(req.url ?? "")
  if (m === null) return void res.writeHead(404).end("not found\n")
  const body = pattern(Number(m[1]))
  res.writeHead(200, { "content-length": body.length })
  res.end(body)
}

interface Got {
  readonly status: number
  readonly body: Buffer
  readonly socket: tls.TLSSocket
}

const fetchOn = (h: Https.Https, url: string, options: Record<string, unknown>, body?: Buffer): Promise<Got> =>
  new Promise((resolve, reject) => {
    const req = h.request(url, { method: body === undefined ? "GET" : "POST", ...options }, (res) => {
      const socket = res.socket as tls.TLSSocket
      collect(res).then((b) => resolve({ status: res.statusCode ?? 0, body: b, socket }), reject)
    })
    req.on("error", reject)
    req.end(body)
  })

/** Resolves once `agent` holds a socket for reuse. */
const pooled = (agent: http.Agent): Promise<void> =>
  Object.keys(agent.freeSockets).length > 0 ? Promise.resolve() : new Promise((resolve) => agent.once("free", () => setImmediate(resolve)))

const failureOf = (h: Https.Https, url: string, options: Record<string, unknown>): Promise<NodeJS.ErrnoException> =>
  fetchOn(h, url, options).then(
    (got) => {
      throw new Error(`expected a failure, got HTTP ${got.status}`)
    },
    (err: NodeJS.ErrnoException) => err
  )

describe("Node's https over gonet-ts/node", () => {
  it("a Node https server on one stack, Node's client on the other: the certificate verifies, 3 MB and a POST arrive intact", () =>
    withNets(async ({ a, b }) => {
      const server = Https.fromNet(a).createServer({ key, cert }, handler)
      let connections = 0
      server.on("connection", () => connections++)
      let handshakes = 0
      server.on("secureConnection", () => handshakes++)
      server.listen(443)
      await once(server, "listening")
      expect(server.address()).toMatchObject({ port: 443, family: "IPv4" })

      const client = Https.fromNet(b)
      const agent = new client.Agent({ keepAlive: true, ca: cert })
      const got = await fetchOn(client, `https://${HOST_A}/bytes/3000000`, { agent })
      expect(got.status).toBe(200)
      expect(got.body.length).toBe(3_000_000)
      expect(sha(got.body)).toBe(sha(pattern(3_000_000)))
      expect(got.socket.authorized).toBe(true)
      expect(got.socket.getProtocol()).toBe("TLSv1.3")
      expect(got.socket.getPeerCertificate().subject.CN).toBe("gonet.test")

      // The agent takes the socket back a tick after the response's end, and only once the
      // request's own write has completed: over TLS on a socket that is not Node's own
      // (JSStreamSocket) that completion waits for a setImmediate, which two stacks in one process
      // can answer before. Over a TAP the reply comes in a later turn of the event loop.
      await pooled(agent)
      const sent = pattern(200_000).reverse()
      const echoed = await fetchOn(client, `https://${HOST_A}/echo`, { agent }, sent)
      expect(sha(echoed.body)).toBe(sha(sent))
      // keep-alive: the second request went over the first one's TLS connection
      expect(connections).toBe(1)
      expect(handshakes).toBe(1)

      agent.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      expect(server.listening).toBe(false)
    }))

  it("the agent keeps the TLS session: a second connection resumes it", () =>
    withNets(async ({ a, b }) => {
      const server = Https.fromNet(a).createServer({ key, cert }, handler)
      server.listen(443)
      await once(server, "listening")
      const client = Https.fromNet(b)
      // no keep-alive: each request is a connection of its own
      const agent = new client.Agent({ keepAlive: false, ca: cert, maxCachedSessions: 10 })
      const first = await fetchOn(client, `https://${HOST_A}/bytes/10`, { agent })
      expect(first.socket.isSessionReused()).toBe(false)
      // a TLS 1.3 ticket comes after the handshake: wait for the agent to have cached one
      for (let i = 0; i < 50 && Object.keys((agent as unknown as { _sessionCache: { map: object } })._sessionCache.map).length === 0; i++) {
        await new Promise((r) => setImmediate(r))
      }
      const second = await fetchOn(client, `https://${HOST_A}/bytes/10`, { agent })
      expect(second.status).toBe(200)
      expect(second.socket.isSessionReused()).toBe(true)
      agent.destroy()
      server.close()
    }))

  it("request/get with no agent use the stack's global agent; the certificate is checked as Node checks it", () =>
    withNets(async ({ a, b }) => {
      const server = Https.fromNet(a).createServer({ key, cert }, handler)
      server.listen(443)
      await once(server, "listening")
      const client = Https.fromNet(b)

      // no ca: a self-signed certificate is refused, as on the kernel's network
      const selfSigned = await failureOf(client, `https://${HOST_A}/bytes/1`, {})
      expect(selfSigned.code).toBe("DEPTH_ZERO_SELF_SIGNED_CERT")
      // the right ca, the wrong name: the name is what is checked, not the address
      const wrongName = await failureOf(client, `https://${HOST_A}/bytes/1`, { ca: cert, servername: "other.test" })
      expect(wrongName.code).toBe("ERR_TLS_CERT_ALTNAME_INVALID")
      // the right ca and name (the address is in the certificate), through get with the global agent
      const body = await new Promise<Buffer>((resolve, reject) => {
        client.get(`https://${HOST_A}/bytes/1000`, { ca: cert }, (res) => void collect(res).then(resolve, reject))
          .on("error", reject)
      })
      expect(sha(body)).toBe(sha(pattern(1000)))
      // a name: resolved by the agent's lookup, checked against the certificate as the name
      // (answering as dns.lookup does: the list when asked for all, as Node 20's connect asks)
      const lookup = (_h: string, o: { all?: boolean }, cb: (e: null, a: string | Array<{ address: string; family: number }>, f?: number) => void) =>
        o.all === true ? cb(null, [{ address: HOST_A, family: 4 }]) : cb(null, HOST_A, 4)
      const named = await fetchOn(client, "https://gonet.test/bytes/5", { ca: cert, lookup, agent: false })
      expect(named.status).toBe(200)
      expect(named.socket.servername).toBe("gonet.test")
      client.globalAgent.destroy()
      server.close()
    }))

  it("a reader that takes its time gets all of a body the server ends by closing; the connections then close", () =>
    withNets(async ({ a, b, stackB }) => {
      const body = pattern(3 * 1024 * 1024)
      const server = Https.fromNet(a).createServer({ key, cert }, (_req, res) => {
        res.writeHead(200, { "content-length": body.length, connection: "close" })
        res.end(body)
      })
      server.listen(443)
      await once(server, "listening")
      const client = Https.fromNet(b)
      // each chunk pauses the response for a moment: the TLS socket holds what comes meanwhile
      const got = await new Promise<Buffer>((resolve, reject) => {
        client.get(`https://${HOST_A}/`, { ca: cert, agent: false }, (res) => {
          const chunks: Array<Buffer> = []
          res.on("data", (c: Buffer) => {
            chunks.push(c)
            res.pause()
            setTimeout(() => res.resume(), 1)
          })
          res.on("end", () => resolve(Buffer.concat(chunks)))
          res.on("aborted", () => reject(new Error(`aborted after ${Buffer.concat(chunks).length} octets`)))
        }).on("error", reject)
      })
      expect(got.length).toBe(body.length)
      expect(sha(got)).toBe(sha(body))
      // TLS ended and destroyed the half-open socket under it: nothing left open
      for (let i = 0; i < 100 && (await Effect.runPromise(statsOf(stackB))).tcp.connections > 0; i++) {
        await new Promise((r) => setTimeout(r, 20))
      }
      expect((await Effect.runPromise(statsOf(stackB))).tcp.connections).toBe(0)
      server.close()
    }), 60_000)

  it("a client that sends, then half-closes: the server takes all it sent after the FIN came, and its answer arrives (an upgraded connection)", () =>
    withNets(async ({ a, b }) => {
      const server = Https.fromNet(a).createServer({ key, cert }, handler)
      // the stack's socket of each connection, under the TLS socket http hands the upgrade
      const raws: Array<NodeJS.EventEmitter & { readonly readableEnded: boolean }> = []
      server.on("connection", (raw) => raws.push(raw))
      let upgraded: () => void = () => {}
      const upgrade = new Promise<void>((resolve) => (upgraded = resolve))
      server.on("upgrade", (_req, socket: tls.TLSSocket, head: Buffer) => {
        upgraded()
        // the program reads only once the client's FIN reached the stack's socket, and a moment
        // later: on a host's socket TLS holds what came until its reader takes it, FIN or not
        const read = () => {
          const chunks = [head]
          socket.on("data", (c: Buffer) => chunks.push(c))
          // as on a host, the TLS socket (not half-open) ends itself after 'end': the answer goes here
          socket.on("end", () => {
            const all = Buffer.concat(chunks)
            socket.write(`HTTP/1.1 101 Switching Protocols\r\nconnection: upgrade\r\nupgrade: test\r\n\r\n${all.length} ${sha(all)}`)
          })
        }
        const raw = raws[raws.length - 1]!
        const later = () => setTimeout(read, 20)
        if (raw.readableEnded) later()
        else raw.once("end", later)
      })
      server.listen(443)
      await once(server, "listening")
      // a TLS client over a half-open stack socket: the upgrade request; once it is taken, 10 kB
      // and its FIN (close_notify first, as TLS's end() sends it); it reads on until the server's
      const sent = pattern(10_000)
      const raw = b.createConnection({ host: HOST_A, port: 443, allowHalfOpen: true })
      const client = tlsConnect({ socket: raw, ca: cert, servername: "gonet.test" })
      await once(client, "secureConnect")
      client.write("GET /ws HTTP/1.1\r\nhost: gonet.test\r\nconnection: upgrade\r\nupgrade: test\r\n\r\n")
      await upgrade
      client.end(sent)
      const answer = (await collect(client)).toString("latin1")
      expect(answer.split("\r\n")[0]).toBe("HTTP/1.1 101 Switching Protocols")
      expect(answer.slice(answer.indexOf("\r\n\r\n") + 4)).toBe(`${sent.length} ${sha(sent)}`)
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }))

  it("an idle keep-alive connection the server closes leaves the agent's pool and closes on both stacks, as over a host's sockets", () =>
    withNets(async ({ a, b }) => {
      const server = Https.fromNet(a).createServer({ key, cert }, handler)
      server.listen(443)
      await once(server, "listening")
      const h = Https.fromNet(b)
      const agent = new h.Agent({ keepAlive: true, ca: cert })
      const got = await fetchOn(h, `https://${HOST_A}/bytes/100`, { agent })
      expect(got.status).toBe(200)
      await pooled(agent)
      // close() ends the idle connection (close_notify, then FIN): the client's TLS socket ends
      // too, not being half-open, and the agent lets it go
      const closed = once(got.socket, "close")
      server.close()
      await closed
      expect(Object.keys(agent.freeSockets)).toEqual([])
      agent.destroy()
    }))

  it("a client that refuses the certificate, or sends its FIN before any TLS: the server's TLS socket ends, the connection closes, close() completes", () =>
    withNets(async ({ a, b, stackA }) => {
      const server = Https.fromNet(a).createServer({ key, cert }, handler)
      server.listen(443)
      await once(server, "listening")
      // as over a host's sockets: the TLS socket ends at the client's FIN before its handshake
      // finished, which the server reports as 'socket hang up'
      const hangUp = () => once<[NodeJS.ErrnoException]>(server, "tlsClientError").then(([err]) => err.code)
      // no ca: the client refuses the self-signed certificate and closes
      const first = hangUp()
      const refused = await failureOf(Https.fromNet(b), `https://${HOST_A}/bytes/1`, { agent: false })
      expect(refused.code).toBe("DEPTH_ZERO_SELF_SIGNED_CERT")
      expect(await first).toBe("ECONNRESET")
      // a client that connects and half-closes without a word of TLS
      const second = hangUp()
      const silent = b.createConnection({ host: HOST_A, port: 443, allowHalfOpen: true })
      await once(silent, "connect")
      silent.end()
      silent.resume()
      expect(await second).toBe("ECONNRESET")
      await once(silent, "close")
      // nothing holds the server's close
      await new Promise<void>((resolve) => server.close(() => resolve()))
      expect((await Effect.runPromise(statsOf(stackA))).tcp.connections).toBe(0)
    }))

  it("an agent's idle timeout reaches the request as 'timeout' (the stack's socket's timer, on Effect's Clock)", () =>
    withNets(async ({ a, b }) => {
      // a server that takes the request and never answers
      const server = Https.fromNet(a).createServer({ key, cert }, () => {})
      server.listen(443)
      await once(server, "listening")
      const client = Https.fromNet(b)
      const agent = new client.Agent({ ca: cert, timeout: 300 })
      const req = client.get(`https://${HOST_A}/`, { agent })
      req.on("error", () => {})
      await once(req, "timeout")
      req.destroy()
      agent.destroy()
      server.closeAllConnections()
      server.close()
    }), 30_000)

  it("a refused connection is the request's ECONNREFUSED", () =>
    withNets(async ({ b }) => {
      const client = Https.fromNet(b)
      const err = await failureOf(client, `https://${HOST_A}:8443/`, { ca: cert, agent: false })
      expect(err.code).toBe("ECONNREFUSED")
    }))
})
