/**
 * @effect/platform's HttpClient over the stack (StackHttpClient), between two
 * in-memory stacks: an HttpRouter served by StackHttpServer on one, over HTTP
 * and over HTTPS (its `tls` option, the fixture certificate of
 * test/fixtures/tls), and the client on the other.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServer from "@effect/platform/HttpServer"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Scope, Exit } from "effect"
import { createHash } from "node:crypto"
import { readFileSync } from "node:fs"
import * as StackHttpClient from "../../src/platform/StackHttpClient.js"
import type * as Net from "../../src/node/Net.js"
import * as StackHttpServer from "../../src/platform/StackHttpServer.js"
import { eventually } from "../support/Live.js"
import { ADDR_A, statsOf, twoStacks } from "../support/TestNet.js"
import type { StackContext } from "../support/TestNet.js"
import * as Addr from "../../src/wire/Ipv4Addr.js"
import { failureOf } from "../support/Failure.js"

const HOST_A = Addr.format(ADDR_A)
const fixture = (name: string) => readFileSync(new URL(`../fixtures/tls/${name}`, import.meta.url))
const key = fixture("key.pem")
const cert = fixture("cert.pem")
const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex")
const big = Buffer.from(Array.from({ length: 1_500_000 }, (_, i) => (i * 13 + (i >>> 10)) & 0xff))

const router = HttpRouter.empty.pipe(
  HttpRouter.get("/", HttpServerResponse.text("hello over the stack\n")),
  HttpRouter.get("/big", HttpServerResponse.uint8Array(big)),
  HttpRouter.post(
    "/upper",
    Effect.flatMap(HttpServerRequest.HttpServerRequest, (r) => Effect.map(r.json, (j) => HttpServerResponse.unsafeJson({ upper: String((j as { s: string }).s).toUpperCase() })))
  )
)

/** The router on `stack`, over HTTP on 80 and HTTPS on 443, until the test's scope ends. */
const serve = (stack: StackContext) =>
  Effect.all([
    Layer.launch(HttpServer.serve(router).pipe(
      Layer.provide(StackHttpServer.layer({ port: 80, shutdown: "reset" })),
      Layer.provide(Layer.succeedContext(stack))
    )).pipe(Effect.forkScoped),
    Layer.launch(HttpServer.serve(router).pipe(
      Layer.provide(StackHttpServer.layer({ port: 443, shutdown: "reset", tls: { key, cert } })),
      Layer.provide(Layer.succeedContext(stack))
    )).pipe(Effect.forkScoped)
  ])

/** `use` with an HttpClient over `stack`, built with `options` in a scope of its own, closed after. */
const withClient = <A, E>(
  stack: StackContext,
  options: StackHttpClient.Options | undefined,
  use: (client: HttpClient.HttpClient) => Effect.Effect<A, E>
) =>
  Effect.gen(function*() {
    const scope = yield* Scope.make()
    const ctx = yield* Layer.buildWithScope(StackHttpClient.layer(options), scope).pipe(Effect.provide(stack))
    const result = yield* Effect.exit(use(ctx.unsafeMap.get(HttpClient.HttpClient.key) as HttpClient.HttpClient))
    yield* Scope.close(scope, Exit.void)
    return yield* result
  })

describe("@effect/platform's HttpClient over the stack", () => {
  it.scopedLive("GET and POST over HTTP and HTTPS (the certificate verified), 1.5 MB intact, one kept-alive connection per scheme", () =>
    Effect.gen(function*() {
      const { a, b } = yield* twoStacks()
      yield* serve(a)
      const before = yield* statsOf(b)
      yield* withClient(b, { agent: { ca: cert } }, (client) =>
        Effect.gen(function*() {
          for (const scheme of ["http", "https"]) {
            const hello = yield* client.get(`${scheme}://${HOST_A}/`).pipe(
              Effect.retry({ times: 20 }), // (the servers start in forked fibers)
              Effect.flatMap((r) => r.text)
            )
            expect(hello).toBe("hello over the stack\n")
            const body = yield* client.get(`${scheme}://${HOST_A}/big`).pipe(Effect.flatMap((r) => r.arrayBuffer))
            expect(body.byteLength).toBe(big.length)
            expect(sha(new Uint8Array(body))).toBe(sha(big))
            const upper = yield* HttpClientRequest.post(`${scheme}://${HOST_A}/upper`).pipe(
              HttpClientRequest.bodyUnsafeJson({ s: "quiet please" }),
              client.execute,
              Effect.flatMap((r) => r.json)
            )
            expect(upper).toEqual({ upper: "QUIET PLEASE" })
            const missing = yield* client.get(`${scheme}://${HOST_A}/nothing`)
            expect(missing.status).toBe(404)
          }
        })
      )
      const after = yield* statsOf(b)
      // the agents kept one connection per scheme alive across their requests (retries aside)
      expect(after.tcp.activeOpens - before.tcp.activeOpens).toBeLessThanOrEqual(4)
      // and closing the client's scope closed them (their FINs go both ways)
      yield* eventually(statsOf(b), (s) => s.tcp.connections === 0, "the client's connections closed")
    }), 60_000)

  it.scopedLive("failures are the platform's RequestError (Transport): an unverifiable certificate, a refused port, a name without a lookup", () =>
    Effect.gen(function*() {
      const { a, b } = yield* twoStacks()
      yield* serve(a)
      const causeCode = (e: unknown) => ((e as { cause?: { code?: string } }).cause?.code)
      // no ca: the self-signed certificate is refused, as Node refuses it
      const untrusted = yield* withClient(b, undefined, (client) =>
        failureOf(client.get(`https://${HOST_A}/`).pipe(
          Effect.retry({ times: 20, while: (e) => causeCode(e) === "ECONNREFUSED" })
        )))
      expect(untrusted).toMatchObject({ _tag: "RequestError", reason: "Transport" })
      expect(causeCode(untrusted)).toBe("DEPTH_ZERO_SELF_SIGNED_CERT")
      const refused = yield* withClient(b, undefined, (client) => failureOf(client.get(`http://${HOST_A}:81/`)))
      expect(refused).toMatchObject({ _tag: "RequestError", reason: "Transport" })
      expect(causeCode(refused)).toBe("ECONNREFUSED")
      const unnamed = yield* withClient(b, undefined, (client) => failureOf(client.get("http://gonet.test/")))
      expect(causeCode(unnamed)).toBe("ENOTFOUND")
    }), 60_000)

  it.scopedLive("a name goes through the lookup option, and the certificate is checked against the name", () =>
    Effect.gen(function*() {
      const { a, b } = yield* twoStacks()
      yield* serve(a)
      const asked: Array<string> = []
      // (answering as dns.lookup does: the list when asked for all, as Node 20's connect asks)
      const lookup: Net.LookupFunction = (host, o, cb) => {
        asked.push(host)
        if (o.all === true) cb(null, [{ address: HOST_A, family: 4 }])
        else cb(null, HOST_A, 4)
      }
      const text = yield* withClient(b, { lookup, agent: { ca: cert } }, (client) =>
        client.get("https://gonet.test/").pipe(Effect.retry({ times: 20 }), Effect.flatMap((r) => r.text)))
      expect(text).toBe("hello over the stack\n")
      expect(asked).toContain("gonet.test")
    }), 60_000)
})
