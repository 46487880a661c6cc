/**
 * The stack-wide TCP memory gauge (Memory.ts, Linux's tcp_memory_allocated)
 * under churn: waves of connections between two stacks, both under a small
 * `tcp.memory` bound (so pressure, drops above `high` and out-of-order
 * prunes happen), over a lossy, reordering link, each connection ending its
 * own way: an orderly close through TIME-WAIT, a simultaneous close, a close
 * with data unread (RST), an abort in the middle of a transfer, orphans with
 * unsent data (one whose peer reads later, one whose peer never reads and
 * aborts after its zero-window probes), urgent data left unread, a
 * half-close by the server, a reader that stalls behind a zero window then
 * drains; opened in bursts into a SYN queue of 2 (the rest by SYN cookies);
 * refused connects, and a listener closed over unaccepted connections
 * holding data. At the end, nothing is charged on either stack: the gauge
 * is exactly 0, not near it.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Option, Scope, TestClock } from "effect"
import * as LinkFault from "../../src/link/LinkFault.js"
import type { Connection } from "../../src/tcp/Tcp.js"
import { Tcp } from "../../src/tcp/Tcp.js"
import { settle } from "../support/Clock.js"
import { ADDR_A, run, statsOf, twoStacks } from "../support/TestNet.js"
import { seeded } from "../support/Random.js"

const LIMITS = { low: 128 * 1024, pressure: 192 * 1024, high: 256 * 1024 }
const TCP = { memory: LIMITS, receiveBuffer: 64 * 1024, maxReceiveBuffer: 128 * 1024, sendBuffer: 64 * 1024, synBacklog: 2 }
const WAVES = 3
const ENDINGS = 10

const HELLO = new Uint8Array([1])
const data = (n: number) => new Uint8Array(n).map((_, i) => i & 0xff)

/** Read to the end (or the error that ends it): the octets read. */
const drain = (c: Connection) =>
  Effect.gen(function*() {
    let n = 0
    for (;;) {
      const next = yield* c.read
      if (Option.isNone(next)) return n
      n += next.value.length
    }
  }).pipe(Effect.catchAll(() => Effect.succeed(-1)))

/** Read exactly `n` octets (or up to the end or an error). */
const readExactly = (c: Connection, n: number) =>
  Effect.gen(function*() {
    let got = 0
    while (got < n) {
      const next = yield* c.readUpTo(n - got)
      if (Option.isNone(next)) return got
      got += next.value.length
    }
    return got
  }).pipe(Effect.catchAll(() => Effect.succeed(-1)))

const quietly = <A, E>(e: Effect.Effect<A, E>) => Effect.ignore(e)

interface Pair {
  readonly client: Connection
  readonly server: Connection
}

/** Each ending, as what the two applications do (their errors ignored: only that they end matters). */
const ending = (k: number, { client, server }: Pair, size: number): Effect.Effect<void> => {
  switch (k) {
    case 0: // orderly, both ways, the client first (its TIME-WAIT)
      return Effect.gen(function*() {
        const r = yield* Effect.fork(drain(server))
        yield* quietly(client.write(data(size)))
        yield* client.end
        yield* Fiber.join(r)
        yield* quietly(server.write(data(size >> 1)))
        yield* server.close
        yield* drain(client)
        yield* client.close
      })
    case 1: // simultaneous close, everything read first
      return Effect.gen(function*() {
        const rs = yield* Effect.fork(readExactly(server, size))
        const rc = yield* Effect.fork(readExactly(client, size))
        yield* Effect.all([quietly(client.write(data(size))), quietly(server.write(data(size)))], { concurrency: 2 })
        yield* Fiber.join(rs)
        yield* Fiber.join(rc)
        yield* Effect.all([client.close, server.close])
      })
    case 2: // the server closes with data unread (RST), the client's write cut short
      return Effect.gen(function*() {
        const w = yield* Effect.fork(quietly(client.write(data(size))))
        yield* Effect.sleep("300 millis")
        yield* server.close
        yield* Fiber.join(w)
        yield* client.close
      })
    case 3: // the client aborts in the middle of a transfer; the server, reset, closes without reading what came
      return Effect.gen(function*() {
        const w = yield* Effect.fork(quietly(client.write(data(4 * size))))
        yield* Effect.sleep("150 millis")
        yield* client.abort
        yield* Fiber.join(w)
        yield* Effect.sleep("1 second")
        yield* server.close
      })
    case 4: // an orphan with unsent data into a stalled reader, which reads it all later
      return Effect.gen(function*() {
        const w = yield* Effect.fork(quietly(client.write(data(4 * size))))
        yield* Effect.sleep("1 second")
        yield* client.close
        yield* Effect.sleep("3 seconds")
        yield* drain(server)
        yield* server.close
        // (a write still waiting when its connection closed ends with the connection)
        yield* Fiber.join(w)
      })
    case 5: // an orphan whose peer never reads: zero-window probes, then the peer aborts
      return Effect.gen(function*() {
        const w = yield* Effect.fork(quietly(client.write(data(4 * size))))
        yield* Effect.sleep("1 second")
        yield* client.close
        yield* Effect.sleep("20 seconds")
        yield* server.abort
        yield* Fiber.join(w)
      })
    case 6: // urgent data, never read: the server's close resets
      return Effect.gen(function*() {
        yield* quietly(client.writeUrgent(data(Math.min(size, 2000))))
        yield* Effect.sleep("500 millis")
        yield* server.close
        yield* Effect.sleep("500 millis")
        // (the server's RST may be lost on this link, and the client, with nothing to send, would wait
        // for good: an octet of its own draws the closed port's reset)
        yield* quietly(client.write(HELLO))
        yield* drain(client)
        yield* client.close
      })
    case 7: // the server half-closes first; the client writes on, reads the end, closes
      return Effect.gen(function*() {
        yield* server.end
        const r = yield* Effect.fork(drain(server))
        yield* quietly(client.write(data(size)))
        yield* drain(client)
        yield* client.close
        yield* Fiber.join(r)
        yield* server.close
      })
    case 8: // a reader stalled behind a zero window for a while, then draining; the writer ends
      return Effect.gen(function*() {
        const w = yield* Effect.fork(Effect.zipRight(quietly(client.write(data(6 * size))), client.end))
        yield* Effect.sleep("15 seconds")
        yield* drain(server)
        yield* Fiber.join(w)
        yield* server.close
        yield* drain(client)
        yield* client.close
      })
    default: // both abort with data in flight both ways
      return Effect.gen(function*() {
        yield* Effect.fork(quietly(client.write(data(size))))
        yield* Effect.fork(quietly(server.write(data(size))))
        yield* Effect.sleep("100 millis")
        yield* server.abort
        yield* client.abort
      })
  }
}

describe("TCP memory under churn", () => {
  it.scoped("many connections, every kind of ending, over a lossy link under a small bound: the gauge ends at exactly 0 on both stacks", () =>
    Effect.gen(function*() {
      const { a, b } = yield* twoStacks({
        configA: { tcp: TCP },
        configB: { tcp: TCP },
        wrapA: (l) => LinkFault.make(l, { seed: 11, tx: { loss: 0.02, reorder: 0.03 } }),
        wrapB: (l) => LinkFault.make(l, { seed: 12, tx: { loss: 0.02, reorder: 0.03 } })
      })
      const rnd = seeded(46)
      const advance = (seconds: number, until?: () => Effect.Effect<boolean>) =>
        Effect.gen(function*() {
          for (let i = 0; i < seconds * 10; i++) {
            yield* TestClock.adjust("100 millis")
            yield* settle
            if (until !== undefined && (yield* until())) return
          }
        })
      const listener = yield* run(a, Effect.flatMap(Tcp, (t) => t.listen({ port: 9, backlog: 64 })))
      const scenarios: Array<Fiber.RuntimeFiber<void>> = []
      let pressured = 0
      for (let wave = 0; wave < WAVES; wave++) {
        // a burst of connects: the SYN queue holds 2, the rest go by SYN cookies
        const connects = yield* Effect.forEach(Array.from({ length: ENDINGS }), () =>
          Effect.fork(run(b, Effect.flatMap(Tcp, (t) => t.connect({ address: ADDR_A, port: 9 })))))
        yield* advance(30, () => Effect.map(Effect.forEach(connects, Fiber.poll), (ps) => ps.every(Option.isSome)))
        const clients: Array<Connection> = []
        for (const f of connects) {
          const exit = yield* Fiber.await(f)
          if (Exit.isSuccess(exit)) clients.push(exit.value)
        }
        expect(clients.length).toBe(ENDINGS)
        // a first octet from each client: a connection made by a SYN cookie whose last ACK was lost
        // exists on the server only once the client sends (RFC 4987 §3.6)
        for (const c of clients) yield* c.write(HELLO)
        const accepting = yield* Effect.fork(Effect.forEach(clients, () =>
          Effect.tap(listener.accept, (s) => readExactly(s, 1))))
        yield* advance(30, () => Effect.map(Fiber.poll(accepting), Option.isSome))
        const servers = yield* Fiber.join(accepting)
        for (let k = 0; k < clients.length; k++) {
          const client = clients[k]!
          const server = servers.find((s) => s.remotePort === client.localPort)!
          const size = 8 * 1024 + Math.floor(rnd() * 120 * 1024)
          scenarios.push(yield* Effect.fork(ending((k + wave) % ENDINGS, { client, server }, size)))
        }
        // a refused connect (a port nobody listens on) in each wave
        const refused = yield* Effect.fork(run(b, Effect.flatMap(Tcp, (t) => t.connect({ address: ADDR_A, port: 99 }))))
        yield* advance(5)
        const r = yield* Fiber.await(refused)
        expect(Exit.isFailure(r)).toBe(true)
        pressured = Math.max(pressured, (yield* statsOf(a)).tcp.memoryPressure, (yield* statsOf(b)).tcp.memoryPressure)
      }
      // a listener closed over two unaccepted connections that hold data
      const scope = yield* Scope.make()
      yield* run(a, Effect.flatMap(Tcp, (t) => Scope.extend(t.listen({ port: 10 }), scope)))
      const unaccepted = yield* Effect.forEach([0, 1], () =>
        Effect.fork(run(b, Effect.flatMap(Tcp, (t) => t.connect({ address: ADDR_A, port: 10 })))))
      yield* advance(5)
      const held: Array<Connection> = []
      for (const f of unaccepted) {
        const exit = yield* Fiber.await(f)
        if (Exit.isSuccess(exit)) held.push(exit.value)
      }
      for (const c of held) yield* Effect.fork(quietly(c.write(data(20_000))))
      yield* advance(2)
      yield* Scope.close(scope, Exit.void)
      // every scenario ends
      yield* advance(300, () => Effect.map(Effect.forEach(scenarios, Fiber.poll), (ps) => ps.every(Option.isSome)))
      expect((yield* Effect.forEach(scenarios, Fiber.poll)).filter(Option.isNone).length).toBe(0)
      for (const c of held) yield* c.close
      // TIME-WAIT and every orphan's end
      yield* advance(130)
      const sa = (yield* statsOf(a)).tcp
      const sb = (yield* statsOf(b)).tcp
      // the bound was in play: pressure, drops above `high`, SYN cookies
      expect(pressured).toBeGreaterThan(0)
      expect(sa.rcvQueueDropped + sb.rcvQueueDropped).toBeGreaterThan(0)
      expect(sa.synCookiesSent).toBeGreaterThan(0)
      expect([sa.connections, sb.connections]).toEqual([0, 0])
      expect([sa.memory, sb.memory]).toEqual([0, 0])
      // the fair share's count of TCP sockets (Linux's tcp_sockets_allocated) back to the one listener
      // still listening on A, none on B: every connection let go of its count once, whichever way it ended
      expect([sa.sockets, sb.sockets]).toEqual([1, 0])
    }), 180_000)
})
