/**
 * WHATWG `fetch` over the stack: undici's `fetch` (the library Node's own
 * global `fetch` is built from) with a dispatcher whose connections are the
 * stack's sockets (Net.ts), and for `https:` Node's TLS over them, as
 * Https.ts does. Pooling, keep-alive, redirects, bodies as streams and the
 * rest are undici's, unchanged.
 *
 * ```ts
 * const { fetch, close } = Fetch.fromNet(stack.net)
 * const res = await fetch("http://198.18.0.1:8000/")
 * console.log(res.status, await res.text())
 * await close()
 * ```
 *
 * The `dispatcher` also serves Node's global `fetch` and undici's own
 * `request`/`stream` (their `dispatcher` option). Names resolve through the
 * `lookup` option (Node's signature; e.g. the stack's DNS client), as for
 * `net`; a certificate is checked against the name asked for. A failure is
 * fetch's `TypeError: fetch failed` whose `cause` is the socket's error
 * (`ECONNREFUSED`, `ENOTFOUND`, a certificate's), as with Node's fetch.
 *
 * TLS sessions are kept between connections as undici's own connector keeps
 * them: the last session (a TLS 1.3 ticket) a connection was given, per
 * server name (the address when the URL has none), for the next connection
 * to that name to resume (RFC 8446 §2.2), at most `maxCachedSessions` names
 * (100, undici's default; 0 keeps none).
 *
 * @since 0.3.0
 */
import { isIP } from "node:net"
import type * as tls from "node:tls"
import { connect as tlsConnect } from "node:tls"
import { Effect } from "effect"
import type { Scope } from "effect"
import { Agent, fetch as undiciFetch } from "undici"
import type { Dispatcher } from "undici"
import type * as Stack from "../Stack.js"
import type { Tcp } from "../tcp/Tcp.js"
import { underTls } from "./Https.js"
import * as Net from "./Net.js"

/** @category models */
export interface Options {
  /** resolves host names to IPv4 addresses (Node's `lookup` signature) */
  readonly lookup?: Net.LookupFunction
  /** TLS options for `https:` (`ca`, `rejectUnauthorized`, `cert`/`key` for a client certificate, ...) */
  readonly tls?: tls.ConnectionOptions
  /** the dispatcher's pooling options, as undici's `Agent` takes them (`connections`, `keepAliveTimeout`, ...) */
  readonly agent?: Omit<Agent.Options, "connect">
  /** TLS sessions kept for resumption, one per server name (undici's option; 100 unless given, 0 for none) */
  readonly maxCachedSessions?: number
}

/** fetch over one stack. @category models */
export interface StackFetch {
  readonly fetch: typeof undiciFetch
  /** the dispatcher fetch uses (for Node's global fetch, or undici's other APIs) */
  readonly dispatcher: Dispatcher
  /** close the dispatcher's connections (after the requests in flight) */
  readonly close: () => Promise<void>
}

/** undici's connector: what a pool calls for each new connection. */
type Connect = NonNullable<Agent.Options["connect"]>

/** The TLS sessions a connector keeps, by server name: the newest `max` names, the least recently stored going first. */
interface SessionCache {
  readonly get: (name: string) => Buffer | undefined
  readonly set: (name: string, session: Buffer) => void
}

const sessionCache = (max: number): SessionCache => {
  // a Map iterates in insertion order: storing a name again moves it to the end
  const sessions = new Map<string, Buffer>()
  return {
    get: (name) => sessions.get(name),
    set: (name, session) => {
      if (max <= 0) return
      sessions.delete(name)
      if (sessions.size >= max) sessions.delete(sessions.keys().next().value!)
      sessions.set(name, session)
    }
  }
}

/** A connector that opens the stack's sockets (TLS over them for https:). */
const connector = (net: Net.Net, options?: Options): Connect => {
  const sessions = sessionCache(options?.maxCachedSessions ?? 100)
  return ((opts: { hostname: string; protocol: string; port: string; servername?: string | null }, callback: (err: Error | null, socket: unknown) => void) => {
    const secure = opts.protocol === "https:"
    const port = opts.port === "" ? (secure ? 443 : 80) : Number(opts.port)
    const socket = net.createConnection({
      host: opts.hostname,
      port,
      noDelay: true,
      ...(options?.lookup !== undefined ? { lookup: options.lookup } : {})
    })
    // the callback once: the first of ready or failed
    let called = false
    const done = (err: Error | null, s: unknown) => {
      if (called) return
      called = true
      callback(err, s)
    }
    if (!secure) {
      socket.once("connect", () => done(null, socket))
      socket.once("error", (err) => done(err, null))
      return
    }
    // TLS starts on the stack's socket (it holds the first flight until connected), as Https.ts's Agent
    // (the certificate is checked against `host`; SNI carries names only, RFC 6066 §3). undici's
    // servername is the URL's host name, "" for an address, null before a request set it.
    const name = opts.servername !== undefined && opts.servername !== null && opts.servername !== "" ? opts.servername : opts.hostname
    // a session given in the TLS options is the one to use, as undici's `session` option
    const session = options?.tls?.session ?? sessions.get(name)
    // (the stack's socket half-open under a TLS socket that is not, as Https.ts's `underTls` explains)
    const secured = underTls(socket, false, () =>
      tlsConnect({
        ALPNProtocols: ["http/1.1"],
        ...options?.tls,
        host: opts.hostname,
        ...(isIP(name) === 0 ? { servername: name } : {}),
        ...(session !== undefined ? { session } : {}),
        socket
      }))
    // the newest wins: a TLS 1.3 server may send several tickets, each for one resumption
    secured.on("session", (s: Buffer) => sessions.set(name, s))
    secured.once("secureConnect", () => done(null, secured))
    secured.once("error", (err) => done(err, null))
  }) as unknown as Connect
}

/** fetch over the stack `net` belongs to. @category constructors */
export const fromNet = (net: Net.Net, options?: Options): StackFetch => {
  const dispatcher = new Agent({ ...options?.agent, connect: connector(net, options) })
  const fetch = ((input: Parameters<typeof undiciFetch>[0], init?: Parameters<typeof undiciFetch>[1]) =>
    undiciFetch(input, { ...init, dispatcher: init?.dispatcher ?? dispatcher })) as typeof undiciFetch
  return { fetch, dispatcher, close: () => dispatcher.close() }
}

/** fetch over the stack in context, its dispatcher closed with the scope. @category constructors */
export const make = (options?: Options): Effect.Effect<StackFetch, never, Tcp | Stack.Stack | Scope.Scope> =>
  Effect.acquireRelease(
    Effect.map(Net.make, (net) => fromNet(net, options)),
    (f) => Effect.promise(() => f.dispatcher.destroy())
  )
