/**
 * Node's own `http2` over the stack: the sessions, streams, HPACK and flow
 * control are Node's (nghttp2's), only the sockets are the stack's
 * (`Net.ts`), as Http.ts and Https.ts do for HTTP/1.1.
 *
 * - `createServer(options, onRequest)` is `http2.createServer(...)`, HTTP/2
 *   over cleartext TCP with prior knowledge (h2c, RFC 9113 §3.3), and
 *   `createSecureServer({ key, cert, allowHTTP1? }, onRequest)` is
 *   `http2.createSecureServer(...)`, HTTP/2 over TLS chosen by ALPN "h2"
 *   (RFC 9113 §3.2, RFC 7301); their `listen`, `address`, `close` and the
 *   connection bounds are a stack `Net.Server`'s (Http.ts's `listenOver`),
 *   whose connections reach the server through its `'connection'` event,
 *   where Node's http2 (or, secure, `tls.Server` first) takes them. As with
 *   Node's, `close()` stops listening at once and completes when the last
 *   session has ended: Node 20's http2 servers do not end their sessions on
 *   close (a program sends GOAWAY with `session.close()`).
 * - `connect(authority, options?, listener?)` is `http2.connect` whose
 *   socket is a stack socket (the `createConnection` option, which Node's
 *   `connect` takes): `http:` is h2c, `https:` is `tls.connect` over the
 *   stack socket with ALPN "h2", and `servername` (the authority's host
 *   when it is a name), `ca`, `rejectUnauthorized` and the rest as Node's
 *   `connect` gives them to `tls.connect`. A `createConnection` of the
 *   caller's own is used as given.
 * - Everything else (`constants`, `getDefaultSettings`, `getPackedSettings`,
 *   `getUnpackedSettings`, `sensitiveHeaders`, the compatibility API's
 *   classes) is node:http2's own.
 *
 * An h2c client session is `'connect'`ed once its stack socket is, as over
 * Node's own socket: Node waits for a socket that is `connecting` before it
 * sets the session up, but it asks that of the wrapper it puts around a
 * Duplex not its own (below), which is never connecting, so it would set
 * up at once and emit `'connect'` before the TCP handshake (and before an
 * `ECONNREFUSED`). The session's `'connect'` is held until the stack
 * socket's; frames written meanwhile wait in the socket, as writes to a
 * connecting net.Socket do. Under TLS Node waits for `'secureConnect'` of
 * the TLS socket itself, which is right as it is.
 *
 * A session's socket (`session.socket`, and a TLS socket's under it) has
 * the stack connection's addresses: Node reads `remoteAddress`,
 * `localPort` and the rest from the native handle under a socket
 * (`getpeername`/`getsockname`, which a TLS handle asks of the one under
 * it), and the `JSStream` handle it wraps a foreign Duplex in has none, so
 * they were undefined (gRPC's `getPeer()` reads them). That handle answers
 * them here from the stack socket, from when the session exists (a server's
 * `'session'`, or `'secureConnection'` under TLS, where this module's
 * listener runs first; a client's from `connect`).
 *
 * A session takes its socket as Node's takes any Duplex that is not one of
 * its own sockets: through a `JSStreamSocket` wrapper, which destroys the
 * stack socket when the session is destroyed and ends it (FIN after the
 * GOAWAY) when the session closes gracefully.
 *
 * A session's `destroy()` writes its GOAWAY (RFC 9113 §6.8: the error
 * code, the last stream it took) after a write the stack socket has taken.
 * Node's native session (src/node_http2.cc, Http2Session::Close) has
 * nghttp2 queue the GOAWAY and sends it only if none of its writes is under
 * way, then marks itself destroyed, so a write under way is its last. Over
 * a kernel socket a write the kernel takes at once is over when the call
 * returns (libuv tries it first); the JSStreamSocket reports every write
 * done a turn later (`setImmediate`, lib/internal/js_stream_socket.js)
 * though the stack socket took it in the call. So a server that destroyed
 * its session just after its answer, or a client just after its request,
 * ended the connection without a GOAWAY: the peer's session closed without
 * `'goaway'` and, for `destroy(err, code)`, without its error, where over
 * Node's own sockets both came. Such a write is reported when `destroy()`
 * starts and again just before the native destroy (the streams'
 * RST_STREAMs, sent as they are destroyed, may have made one more). A
 * write the stack socket has not taken whole is under way over a kernel
 * socket too (libuv's queue), and its GOAWAY is lost as there. Under TLS
 * the report is the JSStreamSocket's under the TLS socket. Over a kernel
 * socket Node reports a TLS socket's writes among the same turn's
 * immediates (src/crypto/crypto_tls.cc, EncOut: "Simulate asynchronous
 * finishing"), so there a session destroyed in the turn of its last write
 * (from an immediate of the program's, say) loses its GOAWAY, where here it
 * is sent; destroyed later, as once the peer has answered, it sends it on
 * both.
 *
 * An h2c client's stack socket waits for its session before it takes the
 * peer's FIN, so that a stream keeps what it was sent for a reader that has not
 * taken it yet (RFC 9113 §6.8: the streams up to GOAWAY's last id still
 * complete). Over Node's own socket, the session stops reading when it
 * wants no more (nghttp2's want_read is 0 after GOAWAY both ways) or while
 * it writes, and the kernel holds the FIN until it reads again, which it
 * does once its streams are done (lib/internal/http2/core.js,
 * finishSessionClose; src/node_http2.cc, MaybeStopReading). The wrapper
 * instead pauses and resumes the stack socket, and it takes the socket's
 * 'end' as EOF and its 'close' as the session's end, which cancels the
 * streams: so a server that sent 3 MB, GOAWAY and its FIN left a slow
 * reader 2 MB short. Two things keep the FIN for the session here: the
 * socket is half-open (`allowHalfOpen`: one that is not ends and closes at
 * the FIN), and its 'end' is handed on only while the socket is flowing (a
 * Readable that was resumed and paused again in one tick still ends from
 * the resume's `read(0)`, and the session resumes it when a write
 * completes and pauses it as the next one starts). Under TLS the session
 * reads the TLS socket, not the stack socket; the client's stack socket is
 * half-open under a TLS socket that is not, as Https.ts's (`underTls`): a
 * TLS socket made half-open left the client's session open for good when
 * the server destroyed its session (close_notify, then FIN), its own
 * close_notify never written. A server's sockets are handed to TLS as
 * Https.ts's are.
 *
 * @since 0.3.0
 */
import type * as http from "node:http"
import * as http2 from "node:http2"
import { isIP } from "node:net"
import { constants as os } from "node:os"
import * as tls from "node:tls"
import { Effect } from "effect"
import type * as Stack from "../Stack.js"
import type { Tcp } from "../tcp/Tcp.js"
import { listenOver, socketOptions } from "./Http.js"
import { acceptUnderTls, underTls } from "./Https.js"
import * as Net from "./Net.js"

/** Node's HTTP/2 over one stack. @category models */
export interface Http2 {
  readonly createServer: typeof http2.createServer
  readonly createSecureServer: typeof http2.createSecureServer
  readonly connect: typeof http2.connect
  readonly constants: typeof http2.constants
  readonly getDefaultSettings: typeof http2.getDefaultSettings
  readonly getPackedSettings: typeof http2.getPackedSettings
  readonly getUnpackedSettings: typeof http2.getUnpackedSettings
  readonly sensitiveHeaders: typeof http2.sensitiveHeaders
  readonly Http2ServerRequest: typeof http2.Http2ServerRequest
  readonly Http2ServerResponse: typeof http2.Http2ServerResponse
  /** Node's: a server session over a socket the program already has (over a stack socket, with createServer's care) */
  readonly performServerHandshake: typeof http2.performServerHandshake
}

/** The authority `http2.connect` is given, as it reads it: a URL, or an object with its fields. */
type Authority = string | URL | {
  readonly protocol?: string | undefined
  readonly port?: string | number | undefined
  readonly hostname?: string | undefined
  readonly host?: string | undefined
}

/** The protocol, port and host `http2.connect` takes from an authority (its own defaults: https:, 443 or 80, localhost). */
const parseAuthority = (authority: Authority, options: { readonly protocol?: string | undefined }) => {
  const a = typeof authority === "string" ? new URL(authority) : authority
  const protocol = a.protocol !== undefined && a.protocol !== "" ? a.protocol : options.protocol ?? "https:"
  const port = a.port !== undefined && a.port !== "" ? Number(a.port) : a.protocol === "http:" ? 80 : 443
  const named = a.hostname !== undefined && a.hostname !== "" ? a.hostname : a.host !== undefined && a.host !== "" ? a.host : "localhost"
  const host = named.startsWith("[") ? named.slice(1, -1) : named
  return { protocol, port, host }
}

/**
 * Hold `session`'s `'connect'` until `socket` (its stack socket, under no TLS) has connected
 * (see the header); a socket that fails to connect destroys the session with its error, with
 * no `'connect'` before, as Node's own sockets do.
 */
const connectAfterSocket = (session: http2.ClientHttp2Session, socket: Net.Socket): void => {
  if (!socket.connecting) return
  const emit = session.emit
  session.emit = function(this: http2.ClientHttp2Session, event: string | symbol, ...args: Array<unknown>): boolean {
    if (event !== "connect") return emit.call(this, event, ...args)
    delete (session as { emit?: unknown }).emit
    if (!socket.connecting) return emit.call(this, event, ...args)
    socket.once("connect", () => {
      if (!session.destroyed) emit.call(session, event, ...args)
    })
    return session.listenerCount(event) > 0
  } as typeof session.emit
}

/**
 * The part of Node's internals this module reaches for the addresses (see the header): the
 * native handle under a socket; under a TLS socket, the TLS handle's own `_parent` handle.
 */
interface Handled {
  readonly _handle?: { readonly _parent?: object } | null
  /** a JSStreamSocket's Duplex */
  readonly stream?: unknown
}

/** getpeername(2)'s answer for a socket with no peer (yet): libuv's -ENOTCONN */
const NOT_CONNECTED = -os.errno.ENOTCONN

interface Address {
  address?: string | undefined
  family?: string | undefined
  port?: number | undefined
}

const fill = (out: Address, from: Address): number => {
  if (from.address === undefined) return NOT_CONNECTED
  out.address = from.address
  out.family = from.family
  out.port = from.port
  return 0
}

/** Let `handle` (a JSStream) answer getpeername/getsockname, as a TCP handle does, with `socket`'s addresses. */
const answerAddresses = (handle: object | null | undefined, socket: unknown): void => {
  if (handle === null || handle === undefined || !(socket instanceof Net.Socket)) return
  Object.defineProperties(handle, {
    getpeername: {
      value: (out: Address) => fill(out, { address: socket.remoteAddress, family: socket.remoteFamily, port: socket.remotePort }),
      configurable: true
    },
    getsockname: { value: (out: Address) => fill(out, socket.address() as Address), configurable: true }
  })
}

/** A session's socket is a JSStreamSocket over the stack socket: its handle answers with the stack socket's addresses. */
const sessionAddresses = (session: http2.Http2Session): void => {
  const socket = session.socket as unknown as Handled
  if (!(socket instanceof Net.Socket)) answerAddresses(socket._handle, socket.stream)
}

/** A TLS socket over a JSStreamSocket over the stack socket: the TLS handle asks the JSStream handle, which answers. */
const tlsAddresses = (tlsSocket: tls.TLSSocket, socket?: Net.Socket): void => {
  const handle = (tlsSocket as unknown as Handled)._handle
  const wrap = (handle as { readonly _parentWrap?: Handled } | null | undefined)?._parentWrap
  answerAddresses(handle?._parent, socket ?? wrap?.stream)
}

/**
 * Hand `socket`'s `'end'` (the peer's FIN) on only while its reader is reading (see the header):
 * when it comes while the socket is paused, it waits for the next `'resume'` that leaves the
 * socket flowing. Only the event waits; the socket's own state (ended, half-open) is as it was.
 */
const endWhileReading = (socket: Net.Socket): void => {
  const emit = socket.emit
  const deliver = (): void => {
    if (socket.readableFlowing === true) emit.call(socket, "end")
    else socket.once("resume", deliver)
  }
  socket.emit = function(this: Net.Socket, event: string | symbol, ...args: Array<unknown>): boolean {
    if (event !== "end" || this.readableFlowing === true) return emit.call(this, event, ...args)
    socket.once("resume", deliver)
    return this.listenerCount("end") > 0
  } as typeof socket.emit
}

/** A symbol-keyed field of one of Node's own objects, found by the symbol's description (Node 20's internals). */
const internal = (o: object, description: string): unknown => {
  const key = Object.getOwnPropertySymbols(o).find((k) => k.description === description)
  return key === undefined ? undefined : (o as Record<symbol, unknown>)[key]
}

/** What this module reaches of Node's JSStreamSocket (lib/internal/js_stream_socket.js). */
interface StreamWrapper {
  readonly stream?: unknown
  /** its JSStream handle, null once closed */
  readonly _handle: object | null
  /** report the write under way done with `status` (a no-op when none is) */
  finishWrite(handle: object | null, status: number): void
}

/** The JSStreamSocket over a session's stack socket: the session's own (h2c), or the one under its TLS socket. */
const wrapperOf = (socket: Handled | undefined): StreamWrapper | undefined => {
  if (socket === undefined) return undefined
  if (socket.stream instanceof Net.Socket) return socket as unknown as StreamWrapper
  const parent = (socket._handle as { readonly _parentWrap?: Handled } | null | undefined)?._parentWrap
  return parent?.stream instanceof Net.Socket ? parent as unknown as StreamWrapper : undefined
}

/**
 * Report now what the JSStreamSocket under `session` would report on its next turn: a write the
 * stack socket has taken whole (see the header). `finishWrite` is the wrapper's own report; the
 * report may start the session's next write (a pending RST_STREAM), taken at once as well, so a
 * few rounds. The wrapper's own later call then reports whatever write is under way by then,
 * after a destroy the GOAWAY's, maybe before the stack socket took all of it: the socket's end
 * that follows still waits for it (a Writable ends after what it holds).
 */
const reportTakenWrites = (session: http2.Http2Session): void => {
  const wrapper = wrapperOf(internal(session, "socket") as Handled | undefined)
  if (wrapper === undefined) return
  for (let round = 0; round < 8 && takenUnreported(wrapper); round++) wrapper.finishWrite(wrapper._handle, 0)
}

/**
 * The wrapper has a write to report that the stack socket has taken whole, and nothing behind it.
 * One the stack socket has not taken all of is a write under way over a kernel socket too
 * (libuv's queue), whose session loses the GOAWAY there as well; so does one with a shutdown
 * waiting behind it (the peer's FIN ended a socket that is not half-open), as libuv refuses a
 * write after a shutdown (EPIPE), and the wrapper a write while it shuts down.
 */
const takenUnreported = (wrapper: StreamWrapper): boolean => {
  const writing = internal(wrapper, "kCurrentWriteRequest")
  const stack = wrapper.stream as Net.Socket
  return writing !== null && writing !== undefined && wrapper._handle !== null && !stack.destroyed &&
    stack.writableLength === 0 && internal(wrapper, "kPendingShutdownRequest") === null
}

/** The native session's destroy (src/node_http2.cc, Http2Session::Close): GOAWAY, unless its socket is closed. */
interface NativeSession {
  destroy(code: number, socketClosed: boolean): void
}

/**
 * Let `session`'s destroy write its GOAWAY after writes the stack socket took (see the header):
 * they are reported as it starts, as over a kernel socket they would be over, and again just
 * before the native destroy, after the session's streams were destroyed.
 */
const goawayOnDestroy = (session: http2.Http2Session): void => {
  const destroy = session.destroy
  Object.defineProperty(session, "destroy", {
    value: function(this: http2.Http2Session, ...args: Array<unknown>) {
      const handle = internal(this, "kHandle") as NativeSession | undefined
      if (!this.destroyed && handle !== undefined) reportTakenWrites(this)
      // (the report runs the callbacks of the writes it ends, which may have destroyed the session)
      if (!this.destroyed && handle !== undefined) {
        Object.defineProperty(handle, "destroy", {
          value: (code: number, socketClosed: boolean) => {
            delete (handle as Partial<NativeSession>).destroy
            if (!socketClosed) reportTakenWrites(this)
            handle.destroy(code, socketClosed)
          },
          configurable: true
        })
      }
      return (destroy as (...a: Array<unknown>) => void).apply(this, args)
    },
    configurable: true,
    writable: true
  })
}

/** Node's `http2` over the stack `net` belongs to. @category constructors */
export const fromNet = (net: Net.Net): Http2 => {
  const createServer = ((...args: Array<unknown>) => {
    const server = (http2.createServer as (...a: Array<unknown>) => http2.Http2Server)(...args)
    // listenOver's close ends an http server's idle keep-alive connections; an Http2Server (a
    // net.Server) has none of its own to end and no such method (Http2SecureServer's does nothing
    // without allowHTTP1), so the server's close is net.Server's: wait for the sessions
    Object.defineProperty(server, "closeIdleConnections", { value: () => {}, configurable: true, writable: true })
    server.prependListener("session", (session: http2.ServerHttp2Session) => {
      sessionAddresses(session)
      goawayOnDestroy(session)
    })
    return listenOver(server as unknown as http.Server, net) as unknown as http2.Http2Server
  }) as typeof http2.createServer

  const createSecureServer = ((...args: Array<unknown>) => {
    const server = (http2.createSecureServer as (...a: Array<unknown>) => http2.Http2SecureServer)(...args)
    server.prependListener("secureConnection", (socket: tls.TLSSocket) => tlsAddresses(socket))
    server.prependListener("session", goawayOnDestroy)
    return listenOver(server as unknown as http.Server, net, acceptUnderTls(server)) as unknown as http2.Http2SecureServer
  }) as typeof http2.createSecureServer

  const connect = ((authority: Authority, options?: unknown, listener?: unknown) => {
    if (typeof options === "function") {
      listener = options
      options = undefined
    }
    const o = (options ?? {}) as http2.SecureClientSessionOptions & Net.SocketOptions
    if (o.createConnection !== undefined) return http2.connect(authority as string, o, listener as never)
    const { host, port, protocol } = parseAuthority(authority, o)
    // another scheme: Node's connect throws ERR_HTTP2_UNSUPPORTED_PROTOCOL before it opens anything
    if (protocol !== "http:" && protocol !== "https:") return http2.connect(authority as string, o, listener as never)
    let cleartext: Net.Socket | undefined
    const createConnection = () => {
      // without Nagle's algorithm: Node's session asks it of its socket (setNoDelay), but asks the
      // JSStreamSocket it wraps ours in, which passes it to no one; with Nagle on, a small frame (a
      // WINDOW_UPDATE, a SETTINGS or PING ack) waits behind unacknowledged data for the peer's ACK
      // (RFC 9293 §3.7.4), which it never does on Node's own http2 sockets
      const where = { ...socketOptions({ ...o, host, hostname: host, port } as never, port), noDelay: true }
      // over h2c half-open, under TLS not (see the header)
      if (protocol !== "https:") {
        cleartext = net.createConnection({ ...where, allowHalfOpen: true })
        endWhileReading(cleartext)
        return cleartext
      }
      const socket = net.createConnection(where)
      // as Node's connect: tls.connect(port, host, options) offering ALPN h2 only, whatever
      // ALPNProtocols the options hold (Node's initializeTLSOptions sets it over theirs), and the
      // host as servername when it is a name; the host is also what the certificate is checked against
      const secure = underTls(socket, false, () =>
        tls.connect({
          ...(isIP(host) === 0 ? { servername: host } : {}),
          ...o,
          ...((o as { ALPNCallback?: unknown }).ALPNCallback === undefined ? { ALPNProtocols: ["h2"] } : {}),
          host,
          port,
          socket
        }))
      tlsAddresses(secure, socket)
      return secure
    }
    const session = http2.connect(authority as string, { ...o, createConnection }, listener as never)
    goawayOnDestroy(session)
    if (cleartext !== undefined) {
      connectAfterSocket(session, cleartext)
      sessionAddresses(session)
    }
    return session
  }) as typeof http2.connect

  // a server session over a socket the program has: over a stack socket (a JSStreamSocket under
  // it), the same care as createServer's sessions: the stack socket's addresses, and a GOAWAY
  // after writes it took
  const performServerHandshake = ((...args: Parameters<typeof http2.performServerHandshake>) => {
    const session = http2.performServerHandshake(...args)
    sessionAddresses(session)
    goawayOnDestroy(session)
    return session
  }) as typeof http2.performServerHandshake

  return {
    createServer,
    createSecureServer,
    connect,
    constants: http2.constants,
    getDefaultSettings: http2.getDefaultSettings,
    getPackedSettings: http2.getPackedSettings,
    getUnpackedSettings: http2.getUnpackedSettings,
    sensitiveHeaders: http2.sensitiveHeaders,
    Http2ServerRequest: http2.Http2ServerRequest,
    Http2ServerResponse: http2.Http2ServerResponse,
    performServerHandshake
  }
}

/** Node's HTTP/2 over the stack in context. @category constructors */
export const make: Effect.Effect<Http2, never, Tcp | Stack.Stack> = Effect.map(Net.make, fromNet)
