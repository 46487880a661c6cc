/**
 * A write waiting for room, when its connection is closed, between two
 * in-memory stacks in virtual time. B writes more than its send buffer and
 * A's window hold to a reader on A that does not read, so the write waits:
 * for send-buffer room, or, under a small `tcp.memory`, for the stack-wide
 * bound (Memory.sendRoom). Then the connection is closed one way or another,
 * and the write must end at once (no virtual time passing), as Linux's
 * sk_stream_wait_memory returns on SEND_SHUTDOWN or sk_err, and
 * tcp_sendmsg_locked's sk_stream_error gives the socket's error or EPIPE:
 *
 * - `end` or `close` (SEND_SHUTDOWN: shutdown(2), close(2)): `Closed`
 *   (EPIPE); what the write had put into the send buffer before still goes,
 *   and the FIN after it: the reader, back, gets exactly `bytesWritten`
 *   octets, in order, then the end;
 * - `abort`: `Closed` (the abort's error);
 * - the peer's RST: `ConnectionReset` (sk_err ECONNRESET); after the peer's
 *   FIN (CLOSE-WAIT) `BrokenPipe` (tcp_reset's EPIPE there).
 *
 * Each error names what of the write had been taken (`written`): write(2)'s
 * short count in Linux (tcp_sendmsg_locked returns `copied`, the error
 * coming with the next call).
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Fiber, Option, TestClock } from "effect"
import type { Connection } from "../../src/tcp/Tcp.js"
import { Tcp } from "../../src/tcp/Tcp.js"
import type { TcpError } from "../../src/tcp/TcpError.js"
import { settle } from "../support/Clock.js"
import { ADDR_A, run, twoStacks } from "../support/TestNet.js"

const BUFFER = 16 * 1024
const TOTAL = 256 * 1024
const pattern = (i: number) => (i * 13 + 5) & 0xff
const DATA = new Uint8Array(TOTAL).map((_, i) => pattern(i))

/** Time passes in 100 ms steps, every fiber settled after each. */
const advance = (ms: number) =>
  Effect.gen(function*() {
    for (let t = 0; t < ms; t += 100) {
      yield* TestClock.adjust("100 millis")
      yield* settle
    }
  })

/**
 * A pair whose client (B) has a write of TOTAL octets waiting for room: A does not read. `memory`:
 * B's stack-wide bound is small, so the bound (not the send buffer) holds the write back.
 */
const waitingWrite = (memory: boolean) =>
  Effect.gen(function*() {
    const { a, b } = yield* twoStacks({
      configA: { tcp: { receiveBuffer: BUFFER, maxReceiveBuffer: BUFFER } },
      configB: {
        tcp: memory
          ? { sendBuffer: 256 * 1024, maxSendBuffer: 256 * 1024, memory: { low: 8 * 1024, pressure: 12 * 1024, high: 16 * 1024 } }
          : { sendBuffer: BUFFER, maxSendBuffer: BUFFER }
      }
    })
    const listener = yield* run(a, Effect.flatMap(Tcp, (t) => t.listen({ port: 9 })))
    const connecting = yield* Effect.fork(run(b, Effect.flatMap(Tcp, (t) => t.connect({ address: ADDR_A, port: 9 }))))
    yield* settle
    const server = yield* listener.accept
    const client = yield* Fiber.join(connecting)
    const writer = yield* Effect.fork(Effect.either(client.write(DATA)))
    yield* advance(3_000)
    // waiting: A's window is shut, B holds what it may (with `memory`, the send buffer would take
    // all TOTAL octets: the bound holds the write back)
    expect(Option.isNone(yield* Fiber.poll(writer))).toBe(true)
    const written = (yield* client.info).bytesWritten
    expect(written).toBeGreaterThan(0)
    expect(written).toBeLessThan(TOTAL)
    return { client, server, writer, written }
  })

/**
 * The write's outcome once every fiber has run, with no time passing ("still waiting" while it
 * waits): its error's reason and the octets of it the error says were taken (write(2)'s short count).
 */
const outcome = (writer: Fiber.RuntimeFiber<Either.Either<void, TcpError>>) =>
  Effect.gen(function*() {
    yield* settle
    const done = yield* Fiber.poll(writer)
    if (Option.isNone(done)) return "still waiting"
    const exit = done.value
    if (exit._tag === "Failure") return "died"
    return Either.isLeft(exit.value) ? `${exit.value.left.reason}, written ${exit.value.left.written}` : "completed"
  })

/** Everything `c` gives until its end, checked against the pattern: octets and mismatches. */
const readAll = (c: Connection) =>
  Effect.gen(function*() {
    let got = 0
    let bad = 0
    for (;;) {
      const next = yield* c.read
      if (Option.isNone(next)) return { got, bad }
      for (const v of next.value) if (v !== pattern(got++)) bad++
    }
  })

describe("a write waiting for room when its connection is closed", () => {
  for (const memory of [false, true]) {
    const what = memory ? "the stack-wide bound" : "send-buffer room"
    for (const how of ["end", "close"] as const) {
      it.scoped(`waiting for ${what}, ${how}: Closed (EPIPE) at once; what it had put in still goes, then the FIN`, () =>
        Effect.gen(function*() {
          const { client, server, writer, written } = yield* waitingWrite(memory)
          yield* how === "end" ? client.end : client.close
          expect(yield* outcome(writer)).toBe(`Closed, written ${written}`)
          // nothing more was put in once it was told
          expect((yield* client.info).bytesWritten).toBe(written)
          const reader = yield* Effect.fork(readAll(server))
          for (let i = 0; i < 600 && Option.isNone(yield* Fiber.poll(reader)); i++) yield* advance(100)
          expect(yield* Fiber.join(reader)).toEqual({ got: written, bad: 0 })
        }), 60_000)
    }

    it.scoped(`waiting for ${what}, interrupted, then end: what it had put in goes, then the FIN`, () =>
      Effect.gen(function*() {
        const { client, server, writer, written } = yield* waitingWrite(memory)
        yield* Fiber.interrupt(writer)
        expect((yield* client.info).bytesWritten).toBe(written)
        yield* client.end
        const reader = yield* Effect.fork(readAll(server))
        for (let i = 0; i < 600 && Option.isNone(yield* Fiber.poll(reader)); i++) yield* advance(100)
        expect(yield* Fiber.join(reader)).toEqual({ got: written, bad: 0 })
      }), 60_000)

    it.scoped(`waiting for ${what}, close then abort: Closed at once (the close's), the abort after it changes nothing`, () =>
      Effect.gen(function*() {
        const { client, writer, written } = yield* waitingWrite(memory)
        yield* client.close
        yield* client.abort
        expect(yield* outcome(writer)).toBe(`Closed, written ${written}`)
      }), 60_000)

    it.scoped(`waiting for ${what}, abort: Closed at once`, () =>
      Effect.gen(function*() {
        const { client, writer, written } = yield* waitingWrite(memory)
        yield* client.abort
        expect(yield* outcome(writer)).toBe(`Closed, written ${written}`)
      }), 60_000)

    it.scoped(`waiting for ${what}, the peer's RST: ConnectionReset at once`, () =>
      Effect.gen(function*() {
        const { server, writer, written } = yield* waitingWrite(memory)
        yield* server.abort
        expect(yield* outcome(writer)).toBe(`ConnectionReset, written ${written}`)
      }), 60_000)

    it.scoped(`waiting for ${what}, the peer's RST after its FIN (CLOSE-WAIT): BrokenPipe at once`, () =>
      Effect.gen(function*() {
        const { client, server, writer, written } = yield* waitingWrite(memory)
        yield* server.end
        yield* advance(200)
        expect((yield* client.info).state).toBe("CloseWait")
        expect(yield* outcome(writer)).toBe("still waiting")
        yield* server.abort
        expect(yield* outcome(writer)).toBe(`BrokenPipe, written ${written}`)
      }), 60_000)
  }
})
