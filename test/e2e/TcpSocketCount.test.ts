/**
 * The count of TCP sockets (`tcp.sockets`, Linux's tcp_sockets_allocated:
 * the fair share's divisor, Memory.ts) between two in-memory stacks in
 * virtual time, through every way a socket comes and goes: a listener; a
 * connect refused, one that times out towards nobody, one given up by its
 * caller; a connection accepted then aborted, one reset by its peer before
 * it is accepted, one never accepted when its listener closes; an orderly
 * close (TIME-WAIT records are no sockets), TIME-WAIT's table full, a
 * simultaneous close; an orphan in FIN-WAIT-2 (Linux's timewait sock at
 * once by default, after tcp_fin_timeout - TCP_TIMEWAIT_LEN with a longer
 * timeout: tcp_close arms the keepalive timer for that first part);
 * connections over the loopback. After each, the count is exactly what it
 * was (Linux counts from tcp_init_sock and sk_clone_lock, and lets go in
 * tcp_v4_destroy_sock).
 */
import { describe, expect, it } from "@effect/vitest"
import * as Addr from "../../src/wire/Ipv4Addr.js"
import { Duration, Effect, Either, Exit, Fiber, Option, Scope, TestClock } from "effect"
import type { Connection } from "../../src/tcp/Tcp.js"
import { Tcp } from "../../src/tcp/Tcp.js"
import { settle } from "../support/Clock.js"
import { ADDR_A, run, statsOf, twoStacks } from "../support/TestNet.js"

/** Let `s` seconds of virtual time pass, a second at a time. */
const pass = (s: number) =>
  Effect.gen(function*() {
    for (let i = 0; i < s; i++) {
      yield* TestClock.adjust("1 second")
      yield* settle
    }
  })

/** Read to the end, or the error that ends it. */
const drain = (c: Connection) =>
  Effect.gen(function*() {
    for (;;) if (Option.isNone(yield* c.read)) return
  }).pipe(Effect.ignore)

describe("the count of TCP sockets (tcp.sockets) under churn", () => {
  it.scoped("every way a socket comes and goes leaves the count where it was", () =>
    Effect.gen(function*() {
      const { a, b } = yield* twoStacks({ configB: { tcp: { synRetries: 1, maxTimeWait: 1 } } })
      const counts = Effect.all([Effect.map(statsOf(a), (s) => s.tcp.sockets), Effect.map(statsOf(b), (s) => s.tcp.sockets)])
      const tcpA = yield* run(a, Tcp)
      const tcpB = yield* run(b, Tcp)
      const scope = yield* Scope.make()
      const listener = yield* Scope.extend(tcpA.listen({ port: 9 }), scope)
      expect(yield* counts).toEqual([1, 0])
      const pair = Effect.gen(function*() {
        const client = yield* Effect.fork(tcpB.connect({ address: ADDR_A, port: 9 }))
        yield* settle
        const server = yield* listener.accept
        return { client: yield* Fiber.join(client), server }
      })

      // a connect refused (no listener: RST), one towards nobody (no ARP answer: timed out), one given up
      expect(Either.isLeft(yield* Effect.either(tcpB.connect({ address: ADDR_A, port: 10 })))).toBe(true)
      const nobody = yield* Effect.fork(Effect.either(tcpB.connect({ address: Addr.parse("198.18.0.99")!, port: 9 })))
      yield* settle
      expect(yield* counts).toEqual([1, 1])
      yield* pass(10)
      expect(Either.isLeft(yield* Fiber.join(nobody))).toBe(true)
      const given = yield* Effect.fork(Effect.either(tcpB.connect({ address: Addr.parse("198.18.0.99")!, port: 9 }).pipe(Effect.timeout(Duration.millis(500)))))
      yield* pass(1)
      yield* Fiber.join(given)
      yield* settle
      expect(yield* counts).toEqual([1, 0])

      // accepted, then aborted; reset by the peer before it is accepted
      let p = yield* pair
      expect(yield* counts).toEqual([2, 1])
      yield* p.server.abort
      yield* pass(1)
      expect(yield* counts).toEqual([1, 0])
      const early = yield* Effect.fork(tcpB.connect({ address: ADDR_A, port: 9 }))
      yield* settle
      const c = yield* Fiber.join(early)
      yield* c.abort
      yield* pass(1)
      const late = yield* listener.accept
      expect(yield* counts).toEqual([1, 0])
      yield* late.close

      // an orderly close: B closes first (its TIME-WAIT record), then one more (TIME-WAIT's table full)
      for (let i = 0; i < 2; i++) {
        p = yield* pair
        yield* p.client.end
        yield* pass(1)
        yield* drain(p.server)
        yield* p.server.close
        yield* pass(1)
        yield* drain(p.client)
        yield* p.client.close
        yield* pass(1)
        expect(yield* counts).toEqual([1, 0])
      }
      // a simultaneous close
      p = yield* pair
      yield* p.client.close
      yield* p.server.close
      yield* pass(1)
      expect(yield* counts).toEqual([1, 0])

      // an orphan in FIN-WAIT-2 (default timeout: Linux's timewait sock at once)
      p = yield* pair
      yield* p.client.close
      yield* pass(1)
      expect(yield* counts).toEqual([2, 0])
      yield* p.server.close
      yield* pass(1)
      expect(yield* counts).toEqual([1, 0])

      // the listener closed over a connection nobody accepted
      const unaccepted = yield* Effect.fork(tcpB.connect({ address: ADDR_A, port: 9 }))
      yield* settle
      const u = yield* Fiber.join(unaccepted)
      expect(yield* counts).toEqual([2, 1])
      yield* Scope.close(scope, Exit.void)
      yield* pass(1)
      expect(yield* counts).toEqual([0, 0])
      expect(Either.isLeft(yield* Effect.either(u.read))).toBe(true)

      // over the loopback: both ends on A
      const loop = yield* Scope.make()
      const self = yield* Scope.extend(tcpA.listen({ port: 11 }), loop)
      const lc = yield* Effect.fork(tcpA.connect({ address: ADDR_A, port: 11 }))
      yield* settle
      const ls = yield* self.accept
      const lcc = yield* Fiber.join(lc)
      expect(yield* counts).toEqual([3, 0])
      yield* lcc.close
      yield* pass(1)
      yield* ls.close
      yield* pass(1)
      yield* Scope.close(loop, Exit.void)
      expect(yield* counts).toEqual([0, 0])
    }), 60_000)

  it.scoped("an orphan in FIN-WAIT-2 with a timeout past TCP_TIMEWAIT_LEN counts until tcp_fin_timeout - TCP_TIMEWAIT_LEN, then is a timewait sock", () =>
    Effect.gen(function*() {
      const { a, b } = yield* twoStacks({ configB: { tcp: { finWait2: Duration.seconds(100) } } })
      const counts = Effect.all([Effect.map(statsOf(a), (s) => s.tcp.sockets), Effect.map(statsOf(b), (s) => s.tcp.sockets)])
      const tcpA = yield* run(a, Tcp)
      const tcpB = yield* run(b, Tcp)
      const listener = yield* tcpA.listen({ port: 9 })
      const client = yield* Effect.fork(tcpB.connect({ address: ADDR_A, port: 9 }))
      yield* settle
      const server = yield* listener.accept
      const c = yield* Fiber.join(client)
      yield* c.close
      yield* pass(1)
      expect((yield* c.info).state).toBe("FinWait2")
      // the full socket for 100 - 60 s (tcp_close: inet_csk_reset_keepalive_timer(sk, tmo - TCP_TIMEWAIT_LEN))
      yield* pass(30)
      expect(yield* counts).toEqual([2, 1])
      // then Linux's tcp_keepalive_timer makes it a timewait sock (tcp_time_wait, tcp_done): no socket
      yield* pass(15)
      expect(yield* counts).toEqual([2, 0])
      yield* server.close
    }), 60_000)
})
