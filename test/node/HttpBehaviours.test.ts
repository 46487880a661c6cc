/**
 * Node's `http` over gonet-ts/node against Node's `http` over the kernel's
 * loopback (127.0.0.1, the reference), as Behaviours.test.ts does for `net`:
 * each script runs over both and the traces must be equal. The server and
 * client machinery is Node's either way; what differs is the sockets under
 * it and the adapter's server and Agent.
 */
import * as nodeHttp from "node:http"
import type * as http from "node:http"
import * as nodeNet from "node:net"
import type { AddressInfo } from "node:net"
import { describe, expect, it } from "vitest"
import * as Http from "../../src/node/Http.js"
import { HOST_A, withNets } from "./NodeNet.js"

interface HttpLike {
  readonly createServer: typeof http.createServer
  readonly Agent: new (options?: http.AgentOptions) => http.Agent
  readonly request: typeof http.request
  readonly globalAgent: http.Agent
}

interface RawSocket extends NodeJS.EventEmitter {
  write(data: string): boolean
  resume(): this
  destroy(): void
}

/** Where a script runs: servers listen on `listenHost`, clients go to `host`; `connect` opens a raw client socket. */
interface HttpWorld {
  readonly server: HttpLike
  readonly client: HttpLike
  readonly host: string
  readonly listenHost: string
  readonly connect: (port: number, host: string) => RawSocket
}

type Script = (w: HttpWorld) => Promise<Array<string>>

const listen = async (server: http.Server, host: string): Promise<number> => {
  await new Promise<void>((r) => server.listen(0, host, () => r()))
  return (server.address() as AddressInfo).port
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const closeServer = (server: http.Server): Promise<void> => new Promise((r) => server.close(() => r()))

const SCRIPTS: Record<string, Script> = {
  "keepAliveTimeout closes an idle keep-alive connection although server.timeout is longer": async (w) => {
    const trace: Array<string> = []
    const server = w.server.createServer((_req, res) => res.end("ok"))
    server.timeout = 60_000
    server.keepAliveTimeout = 100
    let serverSideClosed: Promise<void> = Promise.resolve()
    server.on("connection", (s: NodeJS.EventEmitter) => {
      serverSideClosed = new Promise((r) => s.once("close", () => r()))
    })
    const port = await listen(server, w.listenHost)
    // a raw client: one keep-alive request, then idle (an Agent could close first)
    const c = w.connect(port, w.host)
    let reply = ""
    c.on("data", (d: Buffer) => (reply += d.toString()))
    c.write("GET / HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n")
    for (let i = 0; i < 400 && !reply.endsWith("\r\n\r\nok"); i++) await sleep(5)
    trace.push(`reply ${reply.split("\r\n")[0]}`)
    // bounded: twenty times the keep-alive timeout, far below server.timeout
    const closed = await Promise.race([serverSideClosed.then(() => true), sleep(2000).then(() => false)])
    trace.push(`idle connection closed by the server ${closed}`)
    c.destroy()
    server.closeAllConnections()
    await closeServer(server)
    return trace
  },

  "an http server's maxConnections, getConnections and 'drop' (net.Server's, which http.Server inherits)": async (w) => {
    const trace: Array<string> = []
    const server = w.server.createServer((_req, res) => res.end("ok"))
    server.maxConnections = 1
    let drops = 0
    server.on("drop", () => drops++)
    const port = await listen(server, w.listenHost)
    const first = w.connect(port, w.host)
    first.on("error", () => {})
    await new Promise((r) => first.once("connect", r))
    await sleep(50)
    const second = w.connect(port, w.host)
    second.on("error", () => {})
    let secondClosed = false
    second.on("close", () => (secondClosed = true))
    second.on("end", () => (secondClosed = true))
    second.resume()
    // bounded wait for the server to close the one beyond the limit
    for (let i = 0; i < 100 && !secondClosed; i++) await sleep(10)
    const count = await new Promise<number>((r) => server.getConnections((_e, n) => r(n)))
    trace.push(`second closed by the server ${secondClosed} drops ${drops} getConnections ${count} maxConnections ${server.maxConnections}`)
    first.destroy()
    second.destroy()
    server.closeAllConnections()
    await closeServer(server)
    return trace
  },

  "an Agent's timeout option: a request to a server that never answers hears 'timeout'": async (w) => {
    const trace: Array<string> = []
    const server = w.server.createServer(() => {}) // never answers
    const port = await listen(server, w.listenHost)
    const agent = new w.client.Agent({ timeout: 100 })
    const req = w.client.request({ host: w.host, port, path: "/", agent })
    req.on("error", (e: NodeJS.ErrnoException) => trace.push(`error ${e.code}`))
    // bounded: ten times the agent's timeout
    const timedOut = await new Promise<boolean>((resolve) => {
      req.on("timeout", () => resolve(true))
      setTimeout(() => resolve(false), 1000)
      req.end()
    })
    trace.push(`'timeout' ${timedOut}`)
    req.destroy()
    agent.destroy()
    server.closeAllConnections()
    await closeServer(server)
    return trace
  },

  "listen({ signal }): aborting the signal closes the server": async (w) => {
    const trace: Array<string> = []
    const server = w.server.createServer((_req, res) => res.end("ok"))
    const ac = new AbortController()
    server.on("close", () => trace.push("close"))
    await new Promise<void>((r) => server.listen({ port: 0, host: w.listenHost, signal: ac.signal }, () => r()))
    ac.abort()
    await sleep(50)
    trace.push(`listening ${server.listening}`)
    if (server.listening) await closeServer(server)
    return trace
  },

  "the default agent closes an idle pooled socket before the server's advertised keep-alive runs out": async (w) => {
    const trace: Array<string> = []
    const server = w.server.createServer((_req, res) => res.end("ok"))
    server.keepAliveTimeout = 2000 // advertised as "Keep-Alive: timeout=2"
    let clientEnded: Promise<boolean> = Promise.resolve(false)
    server.on("connection", (s: NodeJS.EventEmitter) => {
      clientEnded = new Promise((r) => {
        s.once("end", () => r(true))
        s.once("close", () => r(false))
      })
    })
    const port = await listen(server, w.listenHost)
    const keepAlive = await new Promise<string>((resolve, reject) => {
      const req = w.client.request({ host: w.host, port, path: "/" }, (res) => {
        res.resume()
        res.on("end", () => resolve(String(res.headers["keep-alive"])))
      })
      req.on("error", reject)
      req.end()
    })
    trace.push(`keep-alive ${keepAlive}`)
    // bounded: the server's own keep-alive timeout closes it at 2 s otherwise
    trace.push(`the client ended the idle socket first ${await clientEnded}`)
    await closeServer(server)
    return trace
  }
}

describe("http behaviours: gonet-ts/node against node:http", () => {
  for (const [name, script] of Object.entries(SCRIPTS)) {
    it(name, async () => {
      const reference = await script({
        server: nodeHttp,
        client: nodeHttp,
        host: "127.0.0.1",
        listenHost: "127.0.0.1",
        connect: (port, host) => nodeNet.connect(port, host)
      })
      const ours = await withNets(({ a, b }) =>
        script({
          server: Http.fromNet(a),
          client: Http.fromNet(b),
          host: HOST_A,
          listenHost: "0.0.0.0",
          connect: (port, host) => b.connect(port, host)
        })
      )
      console.log(`${name}\n  node:http: ${reference.join(" | ")}\n  gonet:     ${ours.join(" | ")}`)
      expect(ours).toEqual(reference)
    }, 30_000)
  }
})
