/**
 * Node's own `https` over the stack: TLS (Node's, OpenSSL's) on top of the
 * stack's TCP sockets, with Node's HTTP machinery above it, as Http.ts does
 * for plain HTTP. Nothing of TLS is the stack's own: a stack `Socket` is a
 * `stream.Duplex`, and Node's `TLSSocket` runs over any Duplex.
 *
 * - `createServer(options, listener)` is `https.createServer(...)` whose
 *   `listen`, `address`, `close` and the connection bounds are a stack
 *   `Net.Server`'s (Http.ts's `listenOver`): each connection the stack
 *   accepts goes to the server's `'connection'` event, where `tls.Server`
 *   starts the handshake on it, then to Node's HTTP as on any https server.
 * - `Agent` is an `https.Agent` whose connections are `tls.connect` over a
 *   stack socket (the `socket` option): certificate checks against the
 *   request's `servername` or host, `ca`, `rejectUnauthorized`, ALPN and TLS
 *   session reuse between a pool's connections are Node's, unchanged.
 * - `request`/`get` are Node's with this module's `globalAgent` unless an
 *   agent (or `createConnection`) is given; `agent: false` is a fresh stack
 *   `Agent`, as in Http.ts.
 *
 * A stack socket under TLS is half-open, and its TLS socket is not (unless
 * the program asked: a server made with `allowHalfOpen`, a request's
 * option), on either side (`underTls`), as over a host's sockets. Node
 * runs TLS over a Duplex that is not its own socket through a wrapper that
 * destroys the TLS socket when the Duplex closes, and a socket that is not
 * half-open ends and closes at the peer's FIN, which dropped what the TLS
 * socket still held for a reader that had not taken it (a paused reader of
 * a 3 MB body lost its last 48 KiB when the server closed). A TLS socket
 * that is half-open never ends at the peer's close: a client's kept an
 * idle keep-alive connection the server had closed in its agent's pool,
 * and a server's never ended at a FIN before its handshake, which held the
 * server's close when a client refused the certificate. Over a host's
 * sockets TLS takes the TCP handle from the `net.Socket` it is given,
 * which then reads nothing and sees no FIN; the TLS socket sees it, after
 * everything before it, and being made with that socket's `allowHalfOpen`
 * (the server's option, false by default) ends and closes itself once its
 * reader took all (close_notify and FIN after what it still had to send).
 * A server's stack socket that ended itself at the client's FIN closed
 * under TLS and took with it what the TLS socket held and all it had yet to
 * send (a client that sent, then half-closed, never got its answer).
 *
 * Names resolve as for `net`: through the `lookup` option (an Agent's own,
 * or the request's), e.g. the stack's DNS client; certificates are checked
 * against the name asked for, not the address it resolved to.
 *
 * @since 0.3.0
 */
import type * as http from "node:http"
import * as https from "node:https"
import type * as tls from "node:tls"
import { Effect } from "effect"
import type * as Stack from "../Stack.js"
import type { Tcp } from "../tcp/Tcp.js"
import { listenOver, requestOver, socketOptions } from "./Http.js"
import * as Net from "./Net.js"

/**
 * Start TLS over a stack socket as over a host's socket (see the header): the TLS socket
 * takes its socket's `allowHalfOpen` when it is made (Node's TLSSocket), so `start` runs
 * with the socket set to `tlsHalfOpen` (what the TLS socket should be: false unless the
 * program asked); after that the stack's socket is half-open, so that only TLS ends it
 * (close_notify, then FIN) and destroys it, and the peer's FIN cannot close it under a
 * TLS socket that still holds data for its reader. `start` must make the TLS socket
 * synchronously (tls.connect, tls.Server's 'connection' listener do).
 */
export const underTls = <T>(socket: Net.Socket, tlsHalfOpen: boolean, start: () => T): T => {
  socket.allowHalfOpen = tlsHalfOpen
  try {
    return start()
  } finally {
    socket.allowHalfOpen = true
  }
}

/** Hand a connection the stack accepted to a TLS server, as net.Server's `allowHalfOpen` says (false by default). */
export const acceptUnderTls = (server: tls.Server) => (socket: Net.Socket): void =>
  underTls(socket, (server as tls.Server & { readonly allowHalfOpen?: boolean }).allowHalfOpen === true, () => {
    server.emit("connection", socket)
  })

/** Node's HTTPS over one stack. @category models */
export interface Https {
  readonly createServer: typeof https.createServer
  /** `https.Agent` with TLS over the stack's sockets */
  readonly Agent: new (options?: https.AgentOptions) => https.Agent
  /** the agent `request` and `get` share, with Node 20's https.globalAgent options (keep-alive, timeout 5 s, LIFO) */
  readonly globalAgent: https.Agent
  readonly request: typeof https.request
  readonly get: typeof https.get
  /** `new https.Server(...)`, listening on the stack (what `createServer` makes) */
  readonly Server: typeof https.Server
}

/** Node's `https` over the stack `net` belongs to. @category constructors */
export const fromNet = (net: Net.Net): Https => {
  class Server extends https.Server {
    constructor(...args: Array<unknown>) {
      super(...(args as []))
      listenOver(this, net, acceptUnderTls(this))
    }
  }
  // (as Node's: createServer is `new Server`)
  const createServer = ((...args: Array<unknown>) => new Server(...args)) as typeof https.createServer

  class Agent extends https.Agent {
    /**
     * https.Agent's own createConnection is `tls.connect(options)` with the TLS session it
     * cached for this host, port and TLS options (`_agentKey`) and the hooks that cache the
     * next one; given a `socket`, tls.connect starts TLS on it instead of dialling. So the
     * socket is the stack's and everything else stays Node's. The TLS handshake's first
     * flight is written while the stack's socket is still connecting: it holds writes until
     * 'connect', as net.Socket does.
     */
    override createConnection(options: http.ClientRequestArgs & Net.SocketOptions & tls.ConnectionOptions): tls.TLSSocket {
      // the stack's socket half-open under a TLS socket that is not (`underTls`, see the header).
      // The agent's idle timeout runs on the stack's socket (Effect's Clock), and its 'timeout' is
      // the TLS socket's, which the request and the agent listen to (tls.connect arms a timer of
      // its own only when it dials itself)
      const socket = net.createConnection(socketOptions(options, 443))
      const connect = https.Agent.prototype.createConnection as unknown as (
        this: https.Agent,
        o: tls.ConnectionOptions
      ) => tls.TLSSocket
      const secure = underTls(socket, options.allowHalfOpen === true, () => connect.call(this, { ...options, socket }))
      if (options.timeout !== undefined) socket.on("timeout", () => secure.emit("timeout"))
      return secure
    }
  }

  /** As Node 20's https.globalAgent: keep-alive, LIFO, an idle timeout of 5 s (see Http.ts). */
  const globalAgent = new Agent({ keepAlive: true, timeout: 5000, scheduling: "lifo" })
  const { get, request } = requestOver(https.request, globalAgent, Agent)
  return { createServer, Agent, globalAgent, request, get, Server: Net.callable(Server) as unknown as typeof https.Server }
}

/** Node's HTTPS over the stack in context. @category constructors */
export const make: Effect.Effect<Https, never, Tcp | Stack.Stack> = Effect.map(Net.make, fromNet)
