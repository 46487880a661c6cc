/**
 * Node's own `http` over two in-memory stacks (`gonet-ts/node`'s Http):
 * Node's server and client, the stack's sockets.
 */
import type * as http from "node:http"
import { createHash } from "node:crypto"
import { describe, expect, it } from "vitest"
import * as Http from "../../src/node/Http.js"
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
