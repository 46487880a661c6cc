/**
 * The stack's own HTTP service (`gonet up --serve http:80`), an
 * @effect/platform `HttpRouter` served over the stack's TCP
 * (StackHttpServer):
 *
 * - `GET /` — a live status page: addresses, uptime, counters per layer,
 *   open connections with state, RTT and cwnd. The page is static HTML
 *   whose script reads `/status.json` once a second, so it updates by
 *   itself with no framework and no connection held open.
 * - `GET /status.json` — the same data for programs.
 * - `GET /bytes/N` — N octets (0 ≤ N ≤ 2^40) for downloads, streamed in
 *   64 KiB chunks under backpressure with a `content-length`.
 * - `GET /metrics` — every Effect metric in Prometheus text format, the
 *   stack's counters synced into them first (StackMetrics.ts).
 * - HEAD of each (headers only); another method on these paths is 405 with
 *   `Allow: GET, HEAD`, any other path 404.
 *
 * @since 0.1.0
 */
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServer from "@effect/platform/HttpServer"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { Clock, Effect, Layer, Metric, Option, Stream } from "effect"
import * as Prometheus from "../metrics/Prometheus.js"
import * as StackMetrics from "../metrics/StackMetrics.js"
import * as StackHttpServer from "../platform/StackHttpServer.js"
import * as Stack from "../Stack.js"
import type * as Sender from "../tcp/Sender.js"
import { Tcp } from "../tcp/Tcp.js"
import * as Addr from "../wire/Ipv4Addr.js"
import * as Mac from "../wire/Mac.js"
import { PAGE } from "./StatusPage.js"

/** The largest /bytes/N served: a terabyte is more than any test needs, and keeps N a safe integer. */
export const MAX_BYTES = 2 ** 40

const CHUNK = 64 * 1024

/** One 64 KiB block, repeated: octet i of a download is i mod 251 (a prime, so blocks do not look aligned). */
const BLOCK = Uint8Array.from({ length: CHUNK }, (_, i) => i % 251)

/** Octet `i` of every /bytes download, for checking one. */
export const byteAt = (i: number): number => (i % CHUNK) % 251

/** The body of /bytes/N as a stream of chunks (the last one cut short). */
export const bytesBody = (n: number): Stream.Stream<Uint8Array> =>
  Stream.unfold(0, (sent) => {
    if (sent >= n) return Option.none()
    const len = Math.min(CHUNK, n - sent)
    return Option.some([len === CHUNK ? BLOCK : BLOCK.subarray(0, len), sent + len] as const)
  })

/** A connection, as the status page shows it. */
export interface ConnectionRow {
  readonly local: string
  readonly remote: string
  readonly state: string
  readonly srttMs: number | undefined
  readonly rtoMs: number
  readonly cwnd: number
  readonly mss: number
  readonly bytesAcked: number
  readonly bytesReceived: number
  readonly retransmits: number
}

/** What `/status.json` answers. */
export interface Status {
  readonly address: string
  readonly prefixLength: number
  readonly gateway: string | undefined
  readonly mac: string
  readonly mtu: number
  readonly uptimeSeconds: number
  readonly stats: Stack.StackStats
  readonly connections: ReadonlyArray<ConnectionRow>
}

/**
 * The service's routes, for the stack in context; `startedAt` (Clock
 * milliseconds) is when the stack came up.
 *
 * @category constructors
 */
export const router = (startedAt: number) =>
  Effect.gen(function*() {
    const stack = yield* Stack.Stack
    const tcp = yield* Tcp
    const sync = syncFor(stack)
    const status = Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      const stats = yield* stack.stats
      const conns = yield* tcp.connections
      const rows: Array<ConnectionRow> = conns.map((c) => ({
        local: `${Addr.format(c.localAddress)}:${c.localPort}`,
        remote: `${Addr.format(c.remoteAddress)}:${c.remotePort}`,
        state: c.info.state,
        srttMs: c.info.srtt,
        rtoMs: c.info.rto,
        cwnd: c.info.cwnd,
        mss: c.info.mss,
        bytesAcked: c.info.bytesAcked,
        bytesReceived: c.info.bytesReceived,
        retransmits: c.info.retransmits
      }))
      return {
        address: Addr.format(stack.address),
        prefixLength: stack.prefixLength,
        gateway: stack.gateway === undefined ? undefined : Addr.format(stack.gateway),
        mac: Mac.format(stack.mac),
        mtu: stack.mtu,
        uptimeSeconds: Math.max(0, Math.floor((now - startedAt) / 1000)),
        stats,
        connections: rows
      } satisfies Status
    })
    const metrics = Effect.gen(function*() {
      yield* sync(yield* stack.stats)
      yield* syncConnections(Addr.format(stack.address), (yield* tcp.connections).map((c) => c.info.state))
      return Prometheus.render(yield* Metric.snapshot)
    })
    const routes = HttpRouter.empty.pipe(
      HttpRouter.get("/", HttpServerResponse.html(PAGE)),
      HttpRouter.get(
        "/status.json",
        Effect.map(status, (s) => HttpServerResponse.unsafeJson(s, { headers: { "cache-control": "no-store" } }))
      ),
      HttpRouter.get(
        "/metrics",
        Effect.map(metrics, (text) => HttpServerResponse.text(text, { contentType: "text/plain; version=0.0.4; charset=utf-8" }))
      ),
      HttpRouter.get(
        "/bytes/:n",
        Effect.map(HttpRouter.params, (p) => {
          const text = p["n"] ?? ""
          const n = /^\d{1,13}$/.test(text) ? Number(text) : NaN
          if (!Number.isSafeInteger(n) || n > MAX_BYTES) {
            return HttpServerResponse.text(`N must be an integer from 0 to ${MAX_BYTES}\n`, { status: 400 })
          }
          return HttpServerResponse.stream(bytesBody(n), { contentType: "application/octet-stream", contentLength: n })
        })
      )
    )
    // the router answers any request it has no route for with an empty 404, a POST to a page that
    // exists too; curl and browsers are told which it is
    return Effect.catchTag(routes, "RouteNotFound", (e) => Effect.succeed(notFound(e.request.method, e.request.url)))
  })

/** A path this service has pages at (GET and HEAD), whatever the query. */
export const isPage = (url: string): boolean => {
  const path = url.split("?", 1)[0] ?? ""
  return path === "/" || path === "/status.json" || path === "/metrics" || /^\/bytes\/[^/]+$/.test(path)
}

/**
 * What a request no route took gets: a page that exists asked with another method is 405 with
 * the methods it takes in `Allow` (RFC 9110 §15.5.6: the origin server MUST send Allow with a 405);
 * anything else 404, with a line of text rather than nothing.
 */
export const notFound = (method: string, url: string): HttpServerResponse.HttpServerResponse =>
  isPage(url)
    ? HttpServerResponse.text(`${method} is not allowed here: GET or HEAD\n`, { status: 405, headers: { allow: "GET, HEAD" } })
    : HttpServerResponse.text("not found\n", { status: 404 })

/** Connections by state, as a gauge per state: every state at 0 first, so a state no connection is in reads 0. */
const syncConnections = (stack: string, states: ReadonlyArray<Sender.State>): Effect.Effect<void> => {
  // a record over the State union: the compiler says when a state is added and not listed here
  const counts: Record<Sender.State, number> = {
    SynSent: 0,
    SynReceived: 0,
    Established: 0,
    FinWait1: 0,
    FinWait2: 0,
    CloseWait: 0,
    Closing: 0,
    LastAck: 0,
    TimeWait: 0,
    Closed: 0
  }
  for (const state of states) counts[state]++
  return Effect.forEach(Object.entries(counts), ([state, n]) =>
    Metric.set(
      Metric.gauge("gonet_tcp_connections_by_state", { description: "open TCP connections in each state" }).pipe(
        Metric.tagged("stack", stack),
        Metric.tagged("state", state)
      ),
      n
    ), { discard: true })
}

/**
 * One metrics syncer per stack, whatever number of services serve its
 * metrics (`--serve http:80,http:8080`): the counters live in Effect's one
 * registry, and a syncer adds what grew since its own last look, so two of
 * them would each add the same growth.
 */
const syncers = new WeakMap<Stack.Stack["Type"], ReturnType<typeof StackMetrics.makeSync>>()
const syncFor = (stack: Stack.Stack["Type"]) => {
  let sync = syncers.get(stack)
  if (sync === undefined) {
    sync = StackMetrics.makeSync(Addr.format(stack.address))
    syncers.set(stack, sync)
  }
  return sync
}

/**
 * The service on `port` of the stack in context, until the layer's scope
 * closes.
 *
 * @category layers
 */
export const layer = (port: number) =>
  Layer.unwrapEffect(Effect.gen(function*() {
    const startedAt = yield* Clock.currentTimeMillis
    // built once: the metrics syncer keeps the counters' last values between scrapes
    const app = yield* router(startedAt)
    // (its stack goes with it, `gonet up`'s Ctrl-C: a quiet client, a browser's preconnect or a download
    // nobody reads, must not hold the shutdown; the stack resets every connection anyway)
    return HttpServer.serve(app).pipe(Layer.provide(StackHttpServer.layer({ port, shutdown: "reset" })))
  }))
