/**
 * The classic small TCP services, served over the stack's own TCP: echo
 * (RFC 862), discard (RFC 863) and character generator (RFC 864). They are
 * what `gonet up --serve echo:7,discard:9,chargen:19` runs, and handy peers
 * for the kernel's `nc` and `socat` in tests and benchmarks.
 *
 * Each service listens until its scope closes; each connection is served by
 * one fiber (forked under the accept loop, so closing the scope stops them
 * all). A connection the peer resets or that times out just ends. They read
 * with `read` (every chunk queued is taken in one wake-up, then handed out
 * one by one), not through a `Stream`: a stream's machinery costs ~20 KiB
 * and a fiber per connection (measured with 10 000 connections), more than
 * the connection itself.
 *
 * @since 0.1.0
 */
import { Effect, Fiber } from "effect"
import type { Scope } from "effect"
import * as Trampoline from "../internal/Trampoline.js"
import { type Connection, Tcp, type TcpError } from "./Tcp.js"

/** @category models */
export type TcpServiceKind = "echo" | "discard" | "chargen"

/** Serve every connection accepted on `port` with `handle`, until the scope closes. */
export const serve = (
  port: number,
  handle: (c: Connection) => Effect.Effect<void, TcpError>
): Effect.Effect<void, TcpError, Tcp | Scope.Scope> =>
  Effect.gen(function*() {
    const tcp = yield* Tcp
    const listener = yield* tcp.listen({ port })
    const loop = Effect.forever(
      // (catchAll with one shared function: what the handler's fiber keeps on its stack for its life)
      Effect.flatMap(listener.accept, (c) => Effect.fork(Effect.catchAll(handle(c), ignore)))
    )
    // (on the stack's runner: a handler woken by a segment runs in the same run as the stack's fibers)
    yield* Effect.forkScoped(Trampoline.onRunner(loop.pipe(Effect.ignore)))
  })

const ignore = (): Effect.Effect<void> => Effect.void

/** RFC 862: send back everything received; end when the peer ends. */
export const echo = (c: Connection): Effect.Effect<void, TcpError> => {
  // (`c.read` and `c.write` asked for per chunk, not held: held, they cost every connection ~0.3 KiB
  // for its life, for ~0.1 KiB less garbage per round trip; notes/bench-investigations.md, 36th pass)
  const loop: Effect.Effect<void, TcpError> = Effect.flatMap(
    c.read,
    (chunk) => chunk._tag === "None" ? c.end : Effect.zipRight(c.write(chunk.value), loop)
  )
  return loop
}

/** Read until the peer ends, throwing everything away. */
const drain = (c: Connection): Effect.Effect<void, TcpError> => {
  const loop: Effect.Effect<void, TcpError> = Effect.flatMap(c.read, (chunk) => chunk._tag === "None" ? Effect.void : loop)
  return loop
}

/** RFC 863: throw away everything received; end when the peer ends. */
export const discard = (c: Connection): Effect.Effect<void, TcpError> => Effect.zipRight(drain(c), c.end)

/** RFC 864's 95 printing characters, from which each 72-character line is taken, shifted by one per line. */
const PRINTABLE = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join("")

/**
 * One full cycle of RFC 864 lines (95 of them, 74 octets each with CR LF):
 * line i starts at character i. Sent over and over, it is the RFC's stream.
 */
export const chargenCycle: Uint8Array = new TextEncoder().encode(
  Array.from({ length: 95 }, (_, i) => (PRINTABLE + PRINTABLE).slice(i, i + 72) + "\r\n").join("")
)

/**
 * RFC 864: send lines "until the calling user terminates the connection";
 * what it sends is discarded. Its FIN ends only its side (a client that
 * half-closes at once, `nc -N` or `socat ... </dev/null`, still gets the
 * lines, as from xinetd's chargen); the write failing (the peer's reset:
 * Linux resets a closed socket that data still reaches) ends the service.
 */
export const chargen = (c: Connection): Effect.Effect<void, TcpError> => Effect.gen(() => chargenOn(c))

// (a generator function made once, its connection an argument: one written inside `chargen` would be
// a function object per connection, each with a hidden class of its own in V8's old generation that
// keeps the connection reachable until a full collection; notes/bench-investigations.md, 32nd pass)
function* chargenOn(c: Connection) {
  const reader = yield* Effect.fork(Effect.ignore(drain(c)))
  yield* Effect.ignore(Effect.forever(c.write(chargenCycle)))
  yield* Fiber.interrupt(reader)
  yield* c.close
}

/** The handler for a service kind. */
export const handlerFor = (kind: TcpServiceKind): (c: Connection) => Effect.Effect<void, TcpError> =>
  kind === "echo" ? echo : kind === "discard" ? discard : chargen
