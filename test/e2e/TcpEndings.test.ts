/**
 * Connections that end abnormally leave no fiber, map
 * entry or timer behind.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Scope, Supervisor, TestClock } from "effect"
import { Tcp } from "../../src/tcp/Tcp.js"
import { settle } from "../support/Clock.js"
import { ADDR_A, run, statsOf, twoStacks } from "../support/TestNet.js"

describe("abnormal endings leave nothing behind", () => {
  it.scoped("abort, RST on unread close, refused connect, listener closed with an unaccepted connection", () =>
    Effect.gen(function*() {
      const fibers = yield* Supervisor.track
      yield* Effect.supervised(Effect.gen(function*() {
        const { a, b } = yield* twoStacks({ configA: { tcp: { timeWait: "1 second" } }, configB: { tcp: { timeWait: "1 second" } } })
        const listenScope = yield* Scope.make()
        const listener = yield* run(a, Effect.flatMap(Tcp, (t) => t.listen({ port: 7 }))).pipe(Scope.extend(listenScope))
        const open = Effect.gen(function*() {
          const client = yield* Effect.fork(run(b, Effect.flatMap(Tcp, (t) => t.connect({ address: ADDR_A, port: 7 }))))
          yield* settle
          const server = yield* listener.accept
          const conn = yield* Fiber.join(client)
          return { server, conn }
        })
        // warm-up: neighbours resolved, a normal close
        {
          const { server, conn } = yield* open
          yield* conn.close
          yield* settle
          yield* server.close
          yield* settle
          yield* TestClock.adjust("2 seconds")
          yield* settle
        }
        const baseline = (yield* fibers.value).length
        // (a) the client aborts
        {
          const { conn } = yield* open
          yield* conn.abort
          yield* settle
        }
        // (b) the server closes with data unread: RST
        {
          const { server, conn } = yield* open
          yield* conn.write(new Uint8Array([1, 2, 3]))
          yield* settle
          yield* server.close
          yield* settle
          yield* Effect.exit(conn.read)
        }
        // (c) refused
        {
          const e = yield* Effect.exit(run(b, Effect.flatMap(Tcp, (t) => t.connect({ address: ADDR_A, port: 9 }))))
          expect(Exit.isFailure(e)).toBe(true)
        }
        // (d) a connection established but never accepted, then its listener closes
        {
          const client = yield* Effect.fork(run(b, Effect.flatMap(Tcp, (t) => t.connect({ address: ADDR_A, port: 7 }))))
          yield* settle
          const conn = yield* Fiber.join(client)
          yield* Scope.close(listenScope, Exit.void)
          yield* settle
          const r = yield* Effect.exit(conn.read)
          expect(Exit.isFailure(r)).toBe(true)
        }
        yield* TestClock.adjust("2 seconds")
        yield* settle
        for (const s of [a, b]) {
          const tcp = (yield* statsOf(s)).tcp
          expect({ connections: tcp.connections, halfOpen: tcp.halfOpen, timeWait: tcp.timeWait }).toEqual({
            connections: 0,
            halfOpen: 0,
            timeWait: 0
          })
        }
        expect((yield* fibers.value).length).toBe(baseline)
      }), fibers)
    }))
})
