/**
 * The stack's TCP connections as @effect/platform `Socket`s, and a
 * `SocketServer` over the stack's listeners: Effect programs written
 * against the platform's interfaces (`Socket.run`, `Socket.writer`,
 * `Socket.toChannel`, `SocketServer.run`) run over the stack by swapping
 * the layer (`layerNet` for `NodeSocket.layerNet`, `layerServer` for
 * `NodeSocketServer.layer`).
 *
 * Semantics follow @effect/platform-node's sockets:
 * - `run(handler)` opens the connection (for `makeNet`: a fresh one per
 *   run, closed when the run ends), calls `handler` with each chunk in
 *   order, runs the effects it returns in a FiberSet (concurrently, as the
 *   Node socket does), succeeds at the peer's FIN and fails with
 *   `SocketGenericError` (`Read`) when the connection is reset or times
 *   out, or with the first failure of a handler's effect;
 * - `writer` waits until the socket is open; a `CloseEvent` closes the
 *   connection (FIN, or RST if data was left unread: `close(2)`) and ends
 *   the run at once, failing it with `SocketCloseError` 1000 (a code above
 *   1000: `SocketGenericError` `Read`), as NodeSocket's destroy does; releasing
 *   the writer's scope ends our side (FIN) if nothing did already. Written
 *   chunks are copied: the stack keeps data until it is acknowledged.
 * - `SocketServer.run(handler)` runs `handler` once per accepted
 *   connection, each in its own fiber; a handler's failure is logged and
 *   ends only that connection.
 *
 * @since 0.1.0
 */
import * as Socket from "@effect/platform/Socket"
import * as SocketServer from "@effect/platform/SocketServer"
import { Cause, type Context, Deferred, Effect, FiberSet, Layer, Option, Scope } from "effect"
import { type Connection, Tcp } from "../tcp/Tcp.js"
import type { TcpError } from "../tcp/TcpError.js"
import { boundAddress } from "../node/Hosts.js"

const encoder = new TextEncoder()

/** Octets a read takes at most, as a Node socket's (libuv's 64 KiB read buffer). */
const READ_SIZE = 65536

/** What a socket's `run` and its writer share: the connection of the run in progress. */
interface RunState {
  current: Connection | undefined
  /** ends the current run with `error`, as the Node socket's 'error' or 'close' ends NodeSocket's */
  endRun: ((error: Socket.SocketError) => Effect.Effect<void>) | undefined
  /** open while a run's connection is open: writes wait for it */
  readonly latch: Effect.Latch
}

/**
 * One run of a socket: open the connection in `scope`, hand each read to `handler` until the
 * peer's FIN. A generator function made once, its state passed in: one written inside `run` would
 * be a function object per socket, each with a hidden class of its own in V8's old generation that
 * keeps the socket's run reachable until a full collection (notes/bench-investigations.md, 32nd pass).
 */
function* runOn<RO, _, E, R>(
  state: RunState,
  scope: Scope.Scope,
  open: Effect.Effect<Connection, Socket.SocketError, RO | Scope.Scope>,
  openContext: Context.Context<Exclude<RO, Scope.Scope>>,
  handler: (_: Uint8Array) => Effect.Effect<_, E, R> | void,
  opts: { readonly onOpen?: Effect.Effect<void> | undefined } | undefined
) {
  const fibers = yield* FiberSet.make<unknown, Socket.SocketError | E>().pipe(Scope.extend(scope))
  const conn = yield* Scope.extend(open, scope).pipe(Effect.provide(openContext))
  const runFork = yield* FiberSet.runtime(fibers)<R>()
  state.current = conn
  state.endRun = (error) => Effect.asVoid(Deferred.fail(fibers.deferred, error))
  yield* state.latch.open
  if (opts?.onOpen !== undefined) yield* opts.onOpen
  // (what is queued, up to 64 KiB, as one chunk: what NodeSocket's handler gets per read)
  const read = Effect.either(conn.readUpTo(READ_SIZE))
  const readLoop: Effect.Effect<void> = Effect.flatMap(
    read,
    (r) => {
      if (r._tag === "Left") {
        return Deferred.fail(fibers.deferred, new Socket.SocketGenericError({ reason: "Read", cause: r.left }))
      }
      if (Option.isNone(r.right)) return Deferred.succeed(fibers.deferred, undefined)
      const result = handler(r.right.value)
      if (Effect.isEffect(result)) runFork(result)
      return readLoop
    }
  )
  runFork(readLoop)
  return yield* FiberSet.join(fibers)
}

/**
 * A platform `Socket` whose `run` opens its connection with `open` (in the
 * run's scope).
 */
const fromOpen = <RO>(open: Effect.Effect<Connection, Socket.SocketError, RO | Scope.Scope>): Effect.Effect<Socket.Socket, never, Exclude<RO, Scope.Scope>> =>
  Effect.map(Effect.context<Exclude<RO, Scope.Scope>>(), (openContext) => {
    const state: RunState = { current: undefined, endRun: undefined, latch: Effect.unsafeMakeLatch(false) }
    const { latch } = state

    const run = <_, E, R>(
      handler: (_: Uint8Array) => Effect.Effect<_, E, R> | void,
      opts?: { readonly onOpen?: Effect.Effect<void> | undefined }
    ): Effect.Effect<void, Socket.SocketError | E, R> =>
      Effect.scopedWith((scope) => Effect.gen(() => runOn(state, scope, open, openContext, handler, opts))).pipe(
        Effect.ensuring(Effect.sync(() => {
          latch.unsafeClose()
          state.current = undefined
          state.endRun = undefined
        })),
        Effect.interruptible
      )

    const write = (chunk: Uint8Array | string | Socket.CloseEvent): Effect.Effect<void, Socket.SocketError> =>
      latch.whenOpen(Effect.suspend((): Effect.Effect<void, Socket.SocketError> => {
        const conn = state.current
        if (conn === undefined) return Effect.fail(new Socket.SocketCloseError({ reason: "Close", code: 1000 }))
        if (Socket.isCloseEvent(chunk)) {
          // NodeSocket destroys its socket: the run ends then, whether or not the peer has ended
          // its side; with SocketCloseError 1000 ('close' without an error) or, for a code above
          // 1000 (destroy with an error), the 'error' that comes first
          const end = state.endRun
          const error = chunk.code > 1000
            ? new Socket.SocketGenericError({ reason: "Read", cause: new Error(`closed with code ${chunk.code}`) })
            : new Socket.SocketCloseError({ reason: "Close", code: 1000 })
          return Effect.zipRight(conn.close, end === undefined ? Effect.void : end(error))
        }
        const data = typeof chunk === "string" ? encoder.encode(chunk) : new Uint8Array(chunk)
        return Effect.mapError(conn.write(data), (cause: TcpError) => new Socket.SocketGenericError({ reason: "Write", cause }))
      }))

    const writer = Effect.acquireRelease(
      Effect.succeed(write),
      () => Effect.suspend(() => (state.current === undefined ? Effect.void : state.current.end))
    )

    return Socket.Socket.of({ [Socket.TypeId]: Socket.TypeId, run, runRaw: run, writer })
  })

/** Options of `makeNet`: where to connect. */
export interface NetOptions {
  readonly host: string
  readonly port: number
}

/**
 * A platform `Socket` that connects to `host:port` over the stack on each
 * `run` (as `NodeSocket.makeNet`); connect errors are `SocketGenericError`
 * (`Open`).
 *
 * @category constructors
 */
export const makeNet = (options: NetOptions): Effect.Effect<Socket.Socket, never, Tcp> =>
  Effect.flatMap(Tcp, (tcp) =>
    fromOpen(
      Effect.acquireRelease(
        Effect.mapError(tcp.connect({ address: options.host, port: options.port }), (cause) =>
          new Socket.SocketGenericError({ reason: "Open", cause })),
        (conn) => conn.close
      )
    ))

/** `makeNet` as a layer providing `Socket.Socket`. @category layers */
export const layerNet = (options: NetOptions): Layer.Layer<Socket.Socket, never, Tcp> =>
  Layer.effect(Socket.Socket, makeNet(options))

/**
 * A platform `Socket` over a connection that is already open (one a
 * listener accepted); closed (`close(2)`) when the run ends.
 *
 * @category constructors
 */
export const fromConnection = (conn: Connection): Effect.Effect<Socket.Socket> =>
  fromOpen(Effect.acquireRelease(Effect.succeed(conn), (c) => c.close))

/** Options of `makeServer`. */
export interface ServerOptions {
  readonly port: number
  /**
   * the address to take connections on, as NodeSocketServer's `host` (an IPv4 literal of the
   * stack: its own, one of 127/8, or `localhost`); absent, empty, `0.0.0.0` or `::`: every address
   */
  readonly host?: string
  /** listen(2)'s backlog; absent or 0: the stack's default (`tcp.acceptBacklog`), as Node listens with `backlog || 511` */
  readonly backlog?: number
}

/**
 * A platform `SocketServer` listening on the stack until the scope closes;
 * a port already taken is `SocketServerError` (`Open`).
 *
 * @category constructors
 */
export const makeServer = (
  options: ServerOptions
): Effect.Effect<SocketServer.SocketServer["Type"], SocketServerError, Tcp | Scope.Scope> =>
  Effect.gen(function*() {
    const tcp = yield* Tcp
    // (an empty host is none, as Node's listen takes it)
    const host = options.host
    const bound = boundAddress(host)
    const listener = yield* Effect.mapError(
      tcp.listen({
        port: options.port,
        ...(bound !== undefined ? { address: bound } : {}),
        ...(options.backlog !== undefined && options.backlog > 0 ? { backlog: options.backlog } : {})
      }),
      (cause) => new SocketServer.SocketServerError({ reason: "Open", cause })
    )
    const run = <R, E, _>(handler: (socket: Socket.Socket) => Effect.Effect<_, E, R>): Effect.Effect<never, SocketServer.SocketServerError, R> =>
      Effect.scoped(Effect.gen(function*() {
        const fibers = yield* FiberSet.make()
        const runFork = yield* FiberSet.runtime(fibers)<R>()
        return yield* Effect.forever(Effect.flatMap(
          Effect.mapError(listener.accept, (cause) => new SocketServer.SocketServerError({ reason: "Unknown", cause })),
          (conn) =>
            Effect.sync(() => {
              runFork(Effect.flatMap(fromConnection(conn), handler).pipe(
                Effect.catchAllCause((cause) =>
                  Cause.isInterruptedOnly(cause) ? Effect.void : Effect.logError("a socket handler failed", cause)
                ),
                Effect.ensuring(conn.close)
              ))
            })
        ))
      }))
    return SocketServer.SocketServer.of({
      address: { _tag: "TcpAddress", hostname: bound ?? "0.0.0.0", port: listener.port },
      run
    })
  })

type SocketServerError = SocketServer.SocketServerError

/** `makeServer` as a layer providing `SocketServer`. @category layers */
export const layerServer = (options: ServerOptions): Layer.Layer<SocketServer.SocketServer, SocketServerError, Tcp> =>
  Layer.scoped(SocketServer.SocketServer, makeServer(options))
