/**
 * The stack's HTTP service (StatusService) on one in-memory stack, read by
 * Node's http client on another: the page, /status.json with the open
 * connections, /bytes/N, /metrics.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Layer, Scope } from "effect"
import * as StatusService from "../../src/http/StatusService.js"
import * as LinkMemory from "../../src/link/LinkMemory.js"
import * as Services from "../../src/tcp/Services.js"
import { type Connection, Tcp } from "../../src/tcp/Tcp.js"
import { serveEcho } from "../../src/udp/Udp.js"
import { runAdvancing } from "../support/Clock.js"
import * as NodeHttp from "../../src/node/Http.js"
import * as Net from "../../src/node/Net.js"
import * as Addr from "../../src/wire/Ipv4Addr.js"
import * as PromText from "../support/PromText.js"
import { ADDR_A, ADDR_B, MAC_A, MAC_B, run, stackOn, statsOf, twoStacks } from "../support/TestNet.js"

const HOST_A = Addr.format(ADDR_A)

const get = (http: NodeHttp.Http, path: string, port = 80, host = HOST_A) =>
  Effect.async<{ status: number; type: string; body: Buffer }, Error>((resume) => {
    const req = http.get({ host, port, path }, (res) => {
      const chunks: Array<Buffer> = []
      res.on("data", (c: Buffer) => chunks.push(c))
      res.on("end", () =>
        resume(Effect.succeed({ status: res.statusCode ?? 0, type: String(res.headers["content-type"]), body: Buffer.concat(chunks) })))
    })
    req.on("error", (e) => resume(Effect.fail(e)))
  })

describe("the stack's HTTP service", () => {
  it.scopedLive("serves the page, status.json (its own connection listed), /bytes/N and /metrics", () =>
    Effect.gen(function*() {
      const { a, b } = yield* twoStacks()
      yield* Layer.build(StatusService.layer(80).pipe(Layer.provide(Layer.succeedContext(a))))
      const http = NodeHttp.fromNet(yield* run(b, Net.make))

      const page = yield* get(http, "/")
      expect(page.status).toBe(200)
      expect(page.type).toMatch(/text\/html/)
      expect(page.body.toString()).toContain("<title>gonet-ts status</title>")
      expect(page.body.toString()).toContain('fetch("/status.json"')

      const status = yield* get(http, "/status.json")
      const s = JSON.parse(status.body.toString()) as StatusService.Status
      expect(s).toMatchObject({ address: HOST_A, prefixLength: 24, mtu: 1500 })
      expect(s.stats.tcp.passiveOpens).toBeGreaterThanOrEqual(1)
      // the keep-alive connection this request came on is open, from stack B
      expect(s.connections.some((c) => c.state === "Established" && c.remote.startsWith("198.18.0.3:") && c.local === `${HOST_A}:80`)).toBe(true)

      const bytes = yield* get(http, "/bytes/200000")
      expect(bytes.status).toBe(200)
      expect(bytes.body.length).toBe(200_000)
      expect(bytes.body.every((v, i) => v === StatusService.byteAt(i))).toBe(true)
      expect((yield* get(http, "/bytes/0")).body.length).toBe(0)
      expect((yield* get(http, "/bytes/abc")).status).toBe(400)
      expect((yield* get(http, `/bytes/${2 ** 40 + 1}`)).status).toBe(400)

      const metrics = yield* get(http, "/metrics")
      expect(metrics.type).toMatch(/^text\/plain; version=0\.0\.4/)
      const text = metrics.body.toString()
      expect(text).toMatch(new RegExp(`^gonet_link_rx_frames_total\\{stack="${HOST_A}"\\} [1-9]\\d*$`, "m"))
      expect(text).toContain(`gonet_tcp_connections_by_state{stack="${HOST_A}",state="Established"} 1`)
      expect(text).toContain("# TYPE gonet_tcp_connections gauge")
      // valid text format 0.0.4, read strictly
      expect(PromText.check(text)).toEqual([])
      http.globalAgent.destroy()
    }), 30_000)

  it.scopedLive("two services on one stack (--serve http:80,http:8080) show the same totals: a counter is not counted once per service", () =>
    Effect.gen(function*() {
      // (an address of its own: the registry's series are per stack address, and the test above used A's)
      const host = "198.18.0.4"
      const { a, b } = yield* twoStacks({ configA: { address: host } })
      yield* Layer.build(StatusService.layer(80).pipe(Layer.provide(Layer.succeedContext(a))))
      yield* Layer.build(StatusService.layer(8080).pipe(Layer.provide(Layer.succeedContext(a))))
      const http = NodeHttp.fromNet(yield* run(b, Net.make))
      const series = `gonet_arp_requests_sent_total{stack="${host}"} `
      const valueOf = (text: string) => Number(text.split("\n").find((l) => l.startsWith(series))?.slice(series.length))
      const first = (yield* get(http, "/metrics", 80, host)).body.toString()
      const second = (yield* get(http, "/metrics", 8080, host)).body.toString()
      const sent = (yield* statsOf(a)).arp.requestsSent
      expect([valueOf(first), valueOf(second)]).toEqual([sent, sent])
      http.globalAgent.destroy()
    }), 30_000)
})

const ask = (http: NodeHttp.Http, method: string, path: string) =>
  Effect.async<{ status: number; allow: string | undefined; type: string | undefined; body: string }, Error>((resume) => {
    const req = http.request({ host: HOST_A, port: 80, path, method }, (res) => {
      const chunks: Array<Buffer> = []
      res.on("data", (c: Buffer) => chunks.push(c))
      res.on("end", () =>
        resume(Effect.succeed({
          status: res.statusCode ?? 0,
          allow: res.headers.allow,
          type: res.headers["content-type"],
          body: Buffer.concat(chunks).toString()
        })))
    })
    req.on("error", (e) => resume(Effect.fail(e)))
    req.end()
  })

describe("the stack's HTTP service, asked what a browser or curl may ask", () => {
  it.scopedLive("a method other than GET or HEAD on a page that exists is 405 with Allow (RFC 9110 §15.5.6); an unknown path is 404 with a body saying so", () =>
    Effect.gen(function*() {
      const { a, b } = yield* twoStacks()
      yield* Layer.build(StatusService.layer(80).pipe(Layer.provide(Layer.succeedContext(a))))
      const http = NodeHttp.fromNet(yield* run(b, Net.make))
      for (const [method, path] of [["POST", "/"], ["DELETE", "/metrics"], ["PUT", "/status.json"], ["POST", "/bytes/10"]] as const) {
        const r = yield* ask(http, method, path)
        expect({ method, path, status: r.status, allow: r.allow }).toEqual({ method, path, status: 405, allow: "GET, HEAD" })
      }
      const missing = yield* ask(http, "GET", "/nope")
      expect(missing.status).toBe(404)
      expect(missing.type).toMatch(/^text\/plain/)
      expect(missing.body).toMatch(/not found/i)
      expect((yield* ask(http, "POST", "/nope")).status).toBe(404)
      expect((yield* ask(http, "HEAD", "/")).status).toBe(200)
      http.globalAgent.destroy()
    }), 30_000)
})

/** `gonet up --serve udp-echo,echo,chargen,http` on stack A (in its own scope), clients on B; then A's scope closes. */
const closeWhile = (client: (tcp: Tcp["Type"]) => Effect.Effect<unknown, unknown>) =>
  Effect.gen(function*() {
    const [la, lb] = yield* LinkMemory.makePair({ macA: MAC_A, macB: MAC_B })
    const scopeA = yield* Scope.make()
    const a = yield* stackOn(la, { address: ADDR_A, prefixLength: 24 }).pipe(Scope.extend(scopeA))
    const b = yield* stackOn(lb, { address: ADDR_B, prefixLength: 24 })
    yield* run(a, Effect.gen(function*() {
      yield* serveEcho(7)
      yield* Services.serve(7, Services.echo)
      yield* Services.serve(19, Services.chargen)
      yield* Layer.build(StatusService.layer(80))
    })).pipe(Scope.extend(scopeA))
    const connected = yield* runAdvancing(run(b, Effect.flatMap(Tcp, client)), "10 millis", "1 minute")
    expect(Exit.isSuccess(connected)).toBe(true)
    yield* runAdvancing(Effect.sleep("5 seconds"), "100 millis", "10 seconds")
    // SIGINT: the main fiber is interrupted and the scopes close
    const closing = yield* Effect.fork(Scope.close(scopeA, Exit.void))
    return yield* runAdvancing(Fiber.join(closing), "100 millis", "2 minutes").pipe(Effect.exit)
  })

const GET = (path: string) => new TextEncoder().encode(`GET ${path} HTTP/1.1\r\nHost: 198.18.0.2\r\n\r\n`)

describe("`gonet up --serve ...` shutting down (its stack's scope closes) with clients connected", () => {
  it.scoped("ends with chargen and echo clients that do not read", () =>
    Effect.gen(function*() {
      const done = yield* closeWhile((tcp) =>
        Effect.gen(function*() {
          yield* tcp.connect({ address: ADDR_A, port: 19 })
          const echo: Connection = yield* tcp.connect({ address: ADDR_A, port: 7 })
          yield* Effect.forkDaemon(echo.write(new Uint8Array(2_000_000)))
        })
      )
      expect(Exit.isSuccess(done)).toBe(true)
    }), 60_000)

  it.scoped("ends with a client connected to the http service that has not sent a request yet (a browser's preconnect)", () =>
    Effect.gen(function*() {
      const done = yield* closeWhile((tcp) => tcp.connect({ address: ADDR_A, port: 80 }))
      expect(Exit.isSuccess(done)).toBe(true)
    }), 60_000)

  it.scoped("ends with a /bytes/N download the client has stopped reading", () =>
    Effect.gen(function*() {
      const done = yield* closeWhile((tcp) =>
        Effect.flatMap(tcp.connect({ address: ADDR_A, port: 80 }), (c) => c.write(GET("/bytes/100000000")))
      )
      expect(Exit.isSuccess(done)).toBe(true)
    }), 60_000)
})
