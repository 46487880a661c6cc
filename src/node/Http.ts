/**
 * Node's own `http` over the stack: the server and client are Node's
 * (`http.Server`, `http.ClientRequest`, `http.Agent`), only the sockets
 * are the stack's (`Net.ts`).
 *
 * - `createServer(...)` is `http.createServer(...)` whose `listen`,
 *   `address`, `close` and `listening` are a stack `Net.Server`'s: each
 *   connection the stack accepts goes to Node's HTTP machinery through
 *   the documented injection point, the server's `'connection'` event
 *   (which takes any Duplex). `close` closes idle keep-alive connections,
 *   stops listening, and emits `'close'` when the last connection is gone.
 *   `maxConnections`, `getConnections` and `'drop'` are the stack server's.
 * - `Agent` is an `http.Agent` whose `createConnection` opens stack
 *   sockets; keep-alive pooling, `maxSockets` and the rest are Node's.
 *   `request`/`get` are Node's with this module's `globalAgent` unless an
 *   agent (or `createConnection`) is given; `agent: false` is a fresh stack
 *   `Agent` for the request (Node would make one of its own kind: the
 *   kernel's network).
 *
 * @since 0.1.0
 */
import * as http from "node:http"
import { Effect } from "effect"
import type * as Stack from "../Stack.js"
import type { Tcp } from "../tcp/Tcp.js"
import * as Net from "./Net.js"
import { onAbort } from "./Run.js"

/** Node's HTTP over one stack. @category models */
export interface Http {
  readonly createServer: typeof http.createServer
  /** `http.Agent` with the stack's sockets */
  readonly Agent: new (options?: http.AgentOptions) => http.Agent
  /** the agent `request` and `get` share, with Node 20's globalAgent options (keep-alive, timeout 5 s, LIFO) */
  readonly globalAgent: http.Agent
  readonly request: typeof http.request
  readonly get: typeof http.get
  /** `new http.Server(...)`, listening on the stack (what `createServer` makes) */
  readonly Server: typeof http.Server
  /** `new http.ClientRequest(...)`, over the stack's agent unless given one (what `request` makes) */
  readonly ClientRequest: typeof http.ClientRequest
  // Node's own, which hold no socket
  readonly METHODS: typeof http.METHODS
  readonly STATUS_CODES: typeof http.STATUS_CODES
  readonly IncomingMessage: typeof http.IncomingMessage
  readonly OutgoingMessage: typeof http.OutgoingMessage
  readonly ServerResponse: typeof http.ServerResponse
  readonly validateHeaderName: typeof http.validateHeaderName
  readonly validateHeaderValue: typeof http.validateHeaderValue
  readonly setMaxIdleHTTPParsers: typeof http.setMaxIdleHTTPParsers
  readonly maxHeaderSize: number
}

/** Node sets this interval when an http.Server starts listening and clears it on close; we own the listening. */
const CONNECTION_CHECKS = "http.server.connectionsCheckingInterval"

const stopConnectionChecks = (server: http.Server): void => {
  const fields = server as unknown as Record<symbol, unknown>
  for (const sym of Object.getOwnPropertySymbols(server)) {
    if (sym.description === CONNECTION_CHECKS) clearInterval(fields[sym] as NodeJS.Timeout)
  }
}

/**
 * Give a Node server of `http`'s family (an `http.Server`, or an `https.Server`,
 * which is a `tls.Server` first) the stack's listening: `listen`, `address`,
 * `close`, `listening`, `maxConnections` and `getConnections` become those of
 * a stack `Net.Server`, whose connections go to `server` through its
 * `'connection'` event (for https, TLS starts on them there; `accept` does
 * the handing, which Https.ts makes its own). Returns `server`.
 */
export const listenOver = <S extends http.Server>(
  server: S,
  net: Net.Net,
  accept: (socket: Net.Socket) => void = (socket) => server.emit("connection", socket)
): S => {
  // the sockets half-open as the server's own would be: an http.Server is a net.Server made with
  // allowHalfOpen (http ends a socket itself after a response, and an upgraded connection's
  // program may still write after the client's FIN); a tls.Server is not, unless asked
  const allowHalfOpen = (server as S & { readonly allowHalfOpen?: boolean }).allowHalfOpen === true
  const inner = net.createServer({ noDelay: true, allowHalfOpen }, accept)
  inner.on("listening", () => server.emit("listening"))
  inner.on("error", (err) => server.emit("error", err))
  inner.on("close", () => server.emit("close"))
  inner.on("drop", (data) => server.emit("drop", data))
  const listen = (...a: Array<unknown>): S => {
    const last = a[a.length - 1]
    if (typeof last === "function") {
      server.once("listening", last as () => void)
      a = a.slice(0, -1)
    }
    // listen({ signal }): net.Server's listen closes the server when the signal aborts with
    // this.close(), which for an http server is http's close (idle connections end too); so the
    // signal is taken here and not handed to the inner server, whose own close would come twice
    const first = a[0] as { signal?: unknown } | undefined
    const signal = first !== null && typeof first === "object" ? first.signal : undefined
    if (signal instanceof AbortSignal) {
      const { signal: _taken, ...rest } = first as Record<string, unknown>
      a = [rest, ...a.slice(1)]
      onAbort(signal, () => close(), (off) => server.once("close", off))
    }
    ;(inner.listen as (...x: Array<unknown>) => Net.Server)(...a)
    return server
  }
  const close = (cb?: (err?: Error) => void): S => {
    stopConnectionChecks(server)
    server.closeIdleConnections()
    inner.close(cb)
    return server
  }
  Object.defineProperties(server, {
    listen: { value: listen, configurable: true, writable: true },
    close: { value: close, configurable: true, writable: true },
    address: { value: () => inner.address(), configurable: true, writable: true },
    listening: { get: () => inner.listening, configurable: true },
    // what net.Server gives http.Server acts on the connections, which are the stack server's
    maxConnections: {
      get: () => inner.maxConnections,
      set: (n: number | undefined) => {
        inner.maxConnections = n
      },
      configurable: true
    },
    getConnections: {
      value: (cb: (err: Error | null, count: number) => void) => {
        inner.getConnections(cb)
        return server
      },
      configurable: true,
      writable: true
    }
  })
  return server
}

/**
 * What a stack socket takes of the options an `http.Agent` (or `https.Agent`)
 * hands its `createConnection`: the request's merged with the agent's own
 * (Node's Agent does that), so the socket options an Agent is made with come
 * here: `timeout` (the socket's idle timeout, which the request hears as
 * 'timeout'), `noDelay` (http.Agent makes it true unless told otherwise),
 * keepalive, `localPort` and `lookup`, as net.createConnection takes them.
 */
export const socketOptions = (options: http.ClientRequestArgs & Net.SocketOptions, defaultPort: number): Net.ConnectOptions => {
  const lookup = (options as { lookup?: Net.LookupFunction }).lookup
  return {
    port: options.port ?? options.defaultPort ?? defaultPort,
    host: options.hostname ?? options.host ?? "localhost",
    ...(options.localPort !== undefined ? { localPort: options.localPort } : {}),
    ...(options.localAddress !== undefined ? { localAddress: options.localAddress } : {}),
    ...(lookup !== undefined ? { lookup } : {}),
    ...(options.timeout !== undefined ? { timeout: options.timeout } : {}),
    ...(options.noDelay !== undefined ? { noDelay: options.noDelay } : {}),
    ...(options.keepAlive !== undefined ? { keepAlive: options.keepAlive } : {}),
    ...(options.keepAliveInitialDelay !== undefined ? { keepAliveInitialDelay: options.keepAliveInitialDelay } : {})
  }
}

/**
 * `request` and `get` of a Node client module (`http.request`, `https.request`)
 * that go over the stack: `globalAgent` unless the caller chose an agent (or
 * a `createConnection`); `agent: false` a fresh `Agent` of the stack's.
 */
export const requestOver = <Req extends typeof http.request>(
  nodeRequest: Req,
  globalAgent: http.Agent,
  Agent: new () => http.Agent
): { readonly request: Req; readonly get: Req; readonly withAgent: (args: Array<unknown>) => Array<unknown> } => {
  const withAgent = (args: Array<unknown>): Array<unknown> => {
    const i = args.findIndex((a) => a !== null && typeof a === "object" && !(a instanceof URL))
    if (i === -1) {
      // (url[, cb]), or (url, undefined[, cb]), which Node takes as no options: ours go in the
      // options' place (put before the callback after an undefined, they would be taken for it)
      const cb = args.find((a) => typeof a === "function")
      const options = { agent: globalAgent }
      return cb === undefined ? [args[0], options] : [args[0], options, cb]
    }
    const o = args[i] as http.RequestOptions
    // agent: false is "no pooling", a fresh Agent for this request, which Node makes of its own
    // global agent's class: the kernel's network. Ours then, so that the request stays on the stack.
    if (o.agent === false) {
      const copy = [...args]
      copy[i] = { ...o, agent: new Agent() }
      return copy
    }
    // agent null is no choice either: Node's ClientRequest takes null as undefined, its own
    // globalAgent (the kernel's network), unless a createConnection is given
    if ((o.agent !== undefined && o.agent !== null) || o.createConnection !== undefined) return args
    const copy = [...args]
    copy[i] = { ...o, agent: globalAgent }
    return copy
  }
  const request = ((...args: Array<unknown>) =>
    (nodeRequest as (...a: Array<unknown>) => http.ClientRequest)(...withAgent(args))) as Req
  const get = ((...args: Array<unknown>) => {
    const req = (request as (...a: Array<unknown>) => http.ClientRequest)(...args)
    req.end()
    return req
  }) as Req
  return { request, get, withAgent }
}

/** Node's `http` over the stack `net` belongs to. @category constructors */
export const fromNet = (net: Net.Net): Http => {
  class Server extends http.Server {
    constructor(...args: Array<unknown>) {
      super(...(args as []))
      listenOver(this, net)
    }
  }
  // (as Node's: createServer is `new Server`)
  const createServer = ((...args: Array<unknown>) => new Server(...args)) as typeof http.createServer

  class Agent extends http.Agent {
    override createConnection(options: http.ClientRequestArgs & Net.SocketOptions): Net.Socket {
      return net.createConnection(socketOptions(options, 80))
    }
  }

  /**
   * As Node 20's http.globalAgent: keep-alive, LIFO, and an idle timeout of 5 s, which is also
   * what lets the agent drop a pooled socket before a server's advertised keep-alive runs out
   * (without a timeout of its own the agent ignores the server's `Keep-Alive: timeout=` hint);
   * noDelay is http.Agent's default.
   */
  const globalAgent = new Agent({ keepAlive: true, timeout: 5000, scheduling: "lifo" })
  const { get, request, withAgent } = requestOver(http.request, globalAgent, Agent)
  class ClientRequest extends http.ClientRequest {
    constructor(...args: Array<unknown>) {
      super(...(withAgent(args) as [string]))
    }
  }
  return {
    createServer,
    Agent,
    globalAgent,
    request,
    get,
    Server: Net.callable(Server) as unknown as typeof http.Server,
    ClientRequest: ClientRequest as unknown as typeof http.ClientRequest,
    METHODS: http.METHODS,
    STATUS_CODES: http.STATUS_CODES,
    IncomingMessage: http.IncomingMessage,
    OutgoingMessage: http.OutgoingMessage,
    ServerResponse: http.ServerResponse,
    validateHeaderName: http.validateHeaderName,
    validateHeaderValue: http.validateHeaderValue,
    setMaxIdleHTTPParsers: http.setMaxIdleHTTPParsers,
    maxHeaderSize: http.maxHeaderSize
  }
}

/** Node's HTTP over the stack in context. @category constructors */
export const make: Effect.Effect<Http, never, Tcp | Stack.Stack> = Effect.map(Net.make, fromNet)
