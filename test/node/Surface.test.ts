/**
 * The stack's Node modules have the names Node's have: a program that swaps
 * `node:http` (or net, https, http2, dgram) for the stack's finds every
 * public name it may use, and the classes it may construct itself (`new
 * http.Server`, `new dgram.Socket`, ...) are the stack's, not the kernel's.
 */
import { readFileSync } from "node:fs"
import * as nodeDgram from "node:dgram"
import * as nodeDns from "node:dns"
import * as nodeHttp from "node:http"
import * as nodeHttp2 from "node:http2"
import * as nodeHttps from "node:https"
import * as nodeNet from "node:net"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import * as Dgram from "../../src/node/Dgram.js"
import * as NodeDns from "../../src/node/Dns.js"
import * as Http from "../../src/node/Http.js"
import * as Http2 from "../../src/node/Http2.js"
import * as Https from "../../src/node/Https.js"
import { run } from "../support/TestNet.js"
import { collect, HOST_A, HOST_B, once, withNets } from "./NodeNet.js"

const fixture = (name: string) => readFileSync(new URL(`../fixtures/tls/${name}`, import.meta.url))

/** The public names of a Node module (not `_`-private ones, nor the ES namespace's `default`) that `ours` lacks. */
const missing = (node: object, ours: object): Array<string> =>
  Object.keys(node).filter((k) => !k.startsWith("_") && k !== "default" && !(k in ours))

describe("the stack's Node modules: Node's names", () => {
  it("every public name of node:net, http, https, http2, dgram and dns (and dns.promises) is on the stack's module", () =>
    withNets(async ({ a, stackA }) => {
      const dgram = await Effect.runPromise(run(stackA, Dgram.make))
      // (made, not asked: no question goes to this server)
      const dns = await Effect.runPromise(run(stackA, NodeDns.makeNodeDnsWith({ servers: ["198.18.0.53"] })))
      const gaps = {
        net: missing(nodeNet, a),
        http: missing(nodeHttp, Http.fromNet(a)),
        https: missing(nodeHttps, Https.fromNet(a)),
        http2: missing(nodeHttp2, Http2.fromNet(a)),
        dgram: missing(nodeDgram, dgram),
        dns: missing(nodeDns, dns),
        "dns.promises": missing(nodeDns.promises, dns.promises)
      }
      expect(gaps).toEqual({ net: [], http: [], https: [], http2: [], dgram: [], dns: [], "dns.promises": [] })
    }), 30_000)

  it("new http.Server and new https.Server listen on the stack, new http.ClientRequest goes over it; createServer makes instances of Server", () =>
    withNets(async ({ a, b }) => {
      const httpA = Http.fromNet(a)
      const httpB = Http.fromNet(b)
      // (the answer says where the request came from: stack B, so over the stacks)
      const server = new httpA.Server((req, res) => res.end(`plain to ${req.socket.remoteAddress}`))
      expect(httpA.createServer()).toBeInstanceOf(httpA.Server)
      server.listen(80)
      await once(server, "listening")
      const req = new httpB.ClientRequest({ host: HOST_A, port: 80, agent: false })
      req.end()
      const [res] = await once<[nodeHttp.IncomingMessage]>(req, "response")
      expect((await collect(res)).toString()).toBe(`plain to ${HOST_B}`)
      await new Promise((r) => server.close(r))

      const httpsA = Https.fromNet(a)
      const httpsB = Https.fromNet(b)
      const secure = new httpsA.Server({ key: fixture("key.pem"), cert: fixture("cert.pem") }, (_req, res) => res.end("secure"))
      expect(httpsA.createServer({})).toBeInstanceOf(httpsA.Server)
      secure.listen(443)
      await once(secure, "listening")
      const got = await new Promise<string>((resolve, reject) => {
        httpsB.get({ host: HOST_A, port: 443, ca: fixture("cert.pem"), servername: "gonet.test", agent: false }, (r) => {
          collect(r).then((body) => resolve(body.toString()), reject)
        }).on("error", reject)
      })
      expect(got).toBe("secure")
      await new Promise((r) => secure.close(r))
    }), 30_000)

  it("new dgram.Socket is the stack's, with createSocket's checks", () =>
    withNets(async ({ stackA, stackB }) => {
      const dgramA = await Effect.runPromise(run(stackA, Dgram.make))
      const dgramB = await Effect.runPromise(run(stackB, Dgram.make))
      const server = new dgramA.Socket("udp4", (msg, rinfo) => server.send(msg, rinfo.port, rinfo.address))
      expect(dgramA.createSocket("udp4")).toBeInstanceOf(dgramA.Socket)
      expect(() => new dgramA.Socket("udp6" as "udp4")).toThrow(expect.objectContaining({ code: "ERR_SOCKET_BAD_TYPE" }))
      server.bind(7, HOST_A)
      await once(server, "listening")
      const client = new dgramB.Socket({ type: "udp4" })
      client.send("ping", 7, HOST_A)
      const [msg] = await once<[Buffer]>(client, "message")
      expect(msg.toString()).toBe("ping")
      client.close()
      server.close()
    }), 30_000)
})
