/**
 * Node's own `http` over two in-memory stacks (`gonet-ts/node`'s Http):
 * Node's server and client, the stack's sockets.
 */
import * as nodeHttp from "node:http"
import type * as http from "node:http"
import { createHash } from "node:crypto"
import { describe, expect, it } from "vitest"
import * as Http from "../../src/node/Http.js"
import type * as Net from "../../src/node/Net.js"
import { collect, HOST_A, once, withNets } from "./NodeNet.js"

const pattern = (n: number): Buffer => {
  const b = Buffer.alloc(n)
  for (let i = 0; i < n; i++) b[i] = (i * 31 + (i >>> 8)) & 0xff
  return b
}
const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex")

/** /bytes/N answers N octets of `pattern`, in 64 KiB writes that respect backpressure */
const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
  const m = /^\/bytes\/(\d+)$/.exec(req.url ?? "")
  if (m === null) {
    res.writeHead(404).end("not found\n")
    return
  }
  const body = pattern(Number(m[1]))
  res.writeHead(200, { "content-type": "application/octet-stream", "content-length": body.length })
  let o = 0
  const pump = () => {
    while (o < body.length) {
      const next = body.subarray(o, o + 65536)
      o += next.length
      if (!res.write(next)) return void res.once("drain", pump)
    }
    res.end()
  }
  pump()
}

const get = (h: Http.Http, url: string): Promise<{ status: number; body: Buffer; headers: http.IncomingHttpHeaders }> =>
  new Promise((resolve, reject) => {
    h.get(url, (res) => {
      collect(res).then((body) => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }), reject)
    }).on("error", reject)
  })

describe("Node's http over gonet-ts/node", () => {
  it("a Node http server on one stack, Node's client on the other: 5 MB intact, keep-alive reuses the connection", () =>
    withNets(async ({ a, b }) => {
      const httpA = Http.fromNet(a)
      const httpB = Http.fromNet(b)
      const server = httpA.createServer(handler)
      let connections = 0
      server.on("connection", () => connections++)
      server.listen(80)
      await once(server, "listening")
      expect(server.listening).toBe(true)
      expect(server.address()).toMatchObject({ port: 80, family: "IPv4" })

      const big = await get(httpB, `http://${HOST_A}/bytes/5000000`)
      expect(big.status).toBe(200)
      expect(big.body.length).toBe(5_000_000)
      expect(sha(big.body)).toBe(sha(pattern(5_000_000)))
      const small = await get(httpB, `http://${HOST_A}/bytes/10`)
      expect(small.body).toEqual(pattern(10))
      const missing = await get(httpB, `http://${HOST_A}/nothing`)
      expect(missing.status).toBe(404)
      // the agent keeps its socket between requests
      expect(connections).toBe(1)

      // close: idle keep-alive connections go, then 'close'
      const closed = once(server, "close")
      server.close()
      await closed
      expect(server.listening).toBe(false)
      httpB.globalAgent.destroy()
    }), 60_000)

  it("http.request with createConnection from the stack's net, and a POST body echoed back", () =>
    withNets(async ({ a, b }) => {
      const server = Http.fromNet(a).createServer((req, res) => {
        res.writeHead(200)
        req.pipe(res)
      })
      await new Promise<void>((r) => server.listen(8080, () => r()))
      const nodeHttp = await import("node:http")
      const body = pattern(300_000)
      const reply = await new Promise<Buffer>((resolve, reject) => {
        const req = nodeHttp.request(
          { host: HOST_A, port: 8080, method: "POST", path: "/", createConnection: () => b.createConnection(8080, HOST_A) },
          (res) => collect(res).then(resolve, reject)
        )
        req.on("error", reject)
        req.end(body)
      })
      expect(sha(reply)).toBe(sha(body))
      await new Promise((r) => server.close(r))
    }), 60_000)
})

describe("an http server's sockets are half-open, as Node's http.Server makes its own", () => {
  it("an upgraded connection whose client sent, then half-closed, still gets the answer written after the FIN", () =>
    withNets(async ({ a, b }) => {
      const server = Http.fromNet(a).createServer()
      expect((server as http.Server & { readonly allowHalfOpen?: boolean }).allowHalfOpen).toBe(true)
      server.on("upgrade", (_req, socket: Net.Socket, head: Buffer) => {
        const chunks = [head]
        socket.on("data", (c: Buffer) => chunks.push(c))
        // the program answers a moment after the client's FIN came: a host's socket can still write
        const answer = () =>
          socket.end(`HTTP/1.1 101 Switching Protocols\r\nconnection: upgrade\r\nupgrade: test\r\n\r\n${Buffer.concat(chunks).length} ${sha(Buffer.concat(chunks))}`)
        socket.on("end", () => setTimeout(answer, 20))
      })
      server.listen(8080)
      await once(server, "listening")
      const sent = pattern(5000)
      const client = b.createConnection({ host: HOST_A, port: 8080, allowHalfOpen: true })
      await once(client, "connect")
      client.write("GET /ws HTTP/1.1\r\nhost: gonet.test\r\nconnection: upgrade\r\nupgrade: test\r\n\r\n")
      client.end(sent)
      const answer = (await collect(client)).toString("latin1")
      expect(answer.slice(answer.indexOf("\r\n\r\n") + 4)).toBe(`${sent.length} ${sha(sent)}`)
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }))
})

describe("the stack's http.Agent", () => {
  it("hands the socket options Node's Agent passes (noDelay, timeout, keepAlive) on to the socket it opens", () =>
    withNets(async ({ a, b }) => {
      const seen: Array<Record<string, unknown>> = []
      const spied: Net.Net = {
        ...b,
        createConnection: ((o: Net.ConnectOptions) => {
          seen.push({ ...o })
          return b.createConnection(o)
        }) as Net.Net["createConnection"]
      }
      const server = Http.fromNet(a).createServer((_req, res) => res.end("ok"))
      await new Promise<void>((r) => server.listen(80, () => r()))
      const h = Http.fromNet(spied)
      const agent = new h.Agent({ keepAlive: true, keepAliveMsecs: 3000, timeout: 700 })
      for (const via of [undefined, agent]) {
        const status = await new Promise<number>((resolve, reject) => {
          h.get({ host: HOST_A, port: 80, path: "/", ...(via !== undefined ? { agent: via } : {}) }, (res) => {
            res.resume()
            res.on("end", () => resolve(res.statusCode ?? 0))
          }).on("error", reject)
        })
        expect(status).toBe(200)
      }
      // node:http's own Agent asks net.createConnection for these (noDelay is http.Agent's default)
      expect(seen).toHaveLength(2)
      expect(seen[0]).toMatchObject({ noDelay: true, keepAlive: true, timeout: 5000 })
      expect(seen[1]).toMatchObject({ noDelay: true, keepAlive: true, timeout: 700 })
      agent.destroy()
      h.globalAgent.destroy()
      server.closeAllConnections()
      await new Promise((r) => server.close(r))
    }), 30_000)

  it("a request's localAddress is the socket's (Node's Agent hands it to net.createConnection)", () =>
    withNets(async ({ a }) => {
      const h = Http.fromNet(a)
      const server = h.createServer((req, res) => res.end(req.socket.remoteAddress))
      await new Promise<void>((r) => server.listen(80, () => r()))
      const from = await new Promise<string>((resolve, reject) => {
        h.get({ host: HOST_A, port: 80, path: "/", localAddress: "127.0.0.7", agent: false }, (res) => {
          collect(res).then((b) => resolve(b.toString()), reject)
        }).on("error", reject)
      })
      expect(from).toBe("127.0.0.7")
      server.closeAllConnections()
      await new Promise((r) => server.close(r))
    }), 30_000)

  it("agent: false opens a fresh connection over the stack, not over the kernel's network", () =>
    withNets(async ({ a, b }) => {
      const server = Http.fromNet(a).createServer((_req, res) => res.end("ok"))
      await new Promise<void>((r) => server.listen(80, () => r()))
      const h = Http.fromNet(b)
      // (should the request reach for Node's own Agent, whose connections are the kernel's, it fails
      // here instead of leaving the machine: the stack's Agent has a createConnection of its own)
      const kernelAgent = nodeHttp.Agent.prototype as unknown as { createConnection: unknown }
      const real = kernelAgent.createConnection
      kernelAgent.createConnection = () => {
        throw new Error("the kernel's network")
      }
      try {
        const r = await new Promise<{ status: number; connection: string | undefined }>((resolve, reject) => {
          h.get({ host: HOST_A, port: 80, path: "/", agent: false }, (res) => {
            res.resume()
            res.on("end", () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection }))
          }).on("error", reject)
        })
        // no pooling: Node's agent: false asks the server to close
        expect(r).toEqual({ status: 200, connection: "close" })
      } finally {
        kernelAgent.createConnection = real
      }
      server.closeAllConnections()
      await new Promise((r) => server.close(r))
    }), 30_000)

  it("agent: null (and _defaultAgent unset) is the stack's globalAgent, not Node's over the kernel's network", () =>
    withNets(async ({ a, b }) => {
      const server = Http.fromNet(a).createServer((_req, res) => res.end("ok"))
      await new Promise<void>((r) => server.listen(80, () => r()))
      const h = Http.fromNet(b)
      // Node's ClientRequest takes agent null as undefined: its default agent, http.globalAgent (the
      // kernel's network). Should the request reach for it, it fails here instead of leaving the machine.
      const kernelAgent = nodeHttp.Agent.prototype as unknown as { createConnection: unknown }
      const real = kernelAgent.createConnection
      kernelAgent.createConnection = () => {
        throw new Error("the kernel's network")
      }
      try {
        const r = await new Promise<{ status: number; agent: boolean }>((resolve, reject) => {
          const req = h.get({ host: HOST_A, port: 80, path: "/", agent: null as unknown as undefined }, (res) => {
            res.resume()
            res.on("end", () => resolve({ status: res.statusCode ?? 0, agent: (req as unknown as { agent: unknown }).agent === h.globalAgent }))
          })
          req.on("error", reject)
        })
        expect(r).toEqual({ status: 200, agent: true })
      } finally {
        kernelAgent.createConnection = real
      }
      h.globalAgent.destroy()
      server.closeAllConnections()
      await new Promise((r) => server.close(r))
    }), 30_000)

  it("request(url, undefined, callback) as Node takes it: no options, the callback hears the response", () =>
    withNets(async ({ a, b }) => {
      const server = Http.fromNet(a).createServer((_req, res) => res.end("ok"))
      await new Promise<void>((r) => server.listen(80, () => r()))
      const h = Http.fromNet(b)
      const kernelAgent = nodeHttp.Agent.prototype as unknown as { createConnection: unknown }
      const real = kernelAgent.createConnection
      kernelAgent.createConnection = () => {
        throw new Error("the kernel's network")
      }
      try {
        const status = await new Promise<number>((resolve, reject) => {
          const req = h.request(`http://${HOST_A}/`, undefined as unknown as http.RequestOptions, (res) => {
            res.resume()
            res.on("end", () => resolve(res.statusCode ?? 0))
          })
          req.on("error", reject)
          req.end()
        })
        expect(status).toBe(200)
      } finally {
        kernelAgent.createConnection = real
      }
      h.globalAgent.destroy()
      server.closeAllConnections()
      await new Promise((r) => server.close(r))
    }), 30_000)

  it("the globalAgent has Node's globalAgent options", () =>
    withNets(async ({ b }) => {
      const ours = (Http.fromNet(b).globalAgent as unknown as { options: Record<string, unknown> }).options
      const node = (nodeHttp.globalAgent as unknown as { options: Record<string, unknown> }).options
      expect({ ...ours }).toEqual({ ...node })
    }), 30_000)
})
