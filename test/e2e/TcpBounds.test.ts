/**
 * A connection whose application stops reading never makes the stack
 * buffer without bound (issue 10): between two in-memory stacks, in virtual
 * time, a client writes into a connection the server accepted and never
 * reads. The server's stack holds at most its receive buffer (the window
 * closes, RFC 9293 §3.8.6), the client's at most its send buffer (`write`
 * waits), and after a minute of zero-window probing nothing has grown and
 * the connection is still open. Reading then drains it intact.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Option, TestClock } from "effect"
import { Tcp } from "../../src/tcp/Tcp.js"
import { settle } from "../support/Clock.js"
import { ADDR_A, run, twoStacks } from "../support/TestNet.js"

const RECEIVE = 64 * 1024
const SEND = 64 * 1024

describe("a reader that stops", () => {
  it.scoped("holds the server at its receive buffer and the writer at its send buffer, for as long as it lasts", () =>
    Effect.gen(function*() {
      const { a, b } = yield* twoStacks({
        configA: { tcp: { receiveBuffer: RECEIVE, maxReceiveBuffer: RECEIVE } },
        configB: { tcp: { sendBuffer: SEND, maxSendBuffer: SEND } }
      })
      const listener = yield* run(a, Effect.flatMap(Tcp, (t) => t.listen({ port: 9 })))
      const client = yield* Effect.fork(run(b, Effect.flatMap(Tcp, (t) => t.connect({ address: ADDR_A, port: 9 }))))
      yield* settle
      const server = yield* listener.accept
      const conn = yield* Fiber.join(client)
      let written = 0
      const chunk = new Uint8Array(16 * 1024).map((_, i) => i & 0xff)
      // 64 MiB offered, far beyond both buffers
      const writer = yield* Effect.fork(Effect.gen(function*() {
        for (let i = 0; i < 4096; i++) {
          yield* conn.write(chunk)
          written += chunk.length
        }
      }))
      const held = Effect.gen(function*() {
        const s = yield* server.info
        const c = yield* conn.info
        return { received: s.bytesReceived, acked: c.bytesAcked, written, state: c.state }
      })
      for (let i = 0; i < 60; i++) {
        yield* TestClock.adjust("1 second")
        yield* settle
      }
      const after = yield* held
      // at most the buffer and what the rounding up of its scaled window announced beyond it
      const shift = (yield* server.info).rcvShift
      expect(after.received).toBeLessThanOrEqual(RECEIVE + (shift > 0 ? 2 ** shift - 1 : 0))
      expect(after.received).toBeGreaterThan(RECEIVE / 2)
      // what the writer got rid of: what the server holds, plus at most the send buffer and one chunk
      expect(after.written).toBeLessThanOrEqual(after.received + SEND + chunk.length)
      expect(after.state).toBe("Established")
      expect(Option.isNone(yield* Fiber.poll(writer))).toBe(true)
      // the reader comes back: everything flows, in order
      let got = 0
      let bad = 0
      const reader = yield* Effect.fork(Effect.gen(function*() {
        while (got < 2 * 1024 * 1024) {
          const next = yield* server.read
          if (Option.isNone(next)) return
          for (const v of next.value) if (v !== (got++ % chunk.length) % 256) bad++
        }
      }))
      for (let i = 0; i < 600 && got < 2 * 1024 * 1024; i++) {
        yield* TestClock.adjust("10 millis")
        yield* settle
      }
      yield* Fiber.interrupt(reader)
      yield* Fiber.interrupt(writer)
      expect(got).toBeGreaterThanOrEqual(2 * 1024 * 1024)
      expect(bad).toBe(0)
    }), 60_000)
})

describe("orphans (tcp.maxOrphans, Linux's tcp_max_orphans)", () => {
  it.scoped("past the bound an orphan is reset at its close and counted; the orphans held are a gauge that goes back to 0", () =>
    Effect.gen(function*() {
      const { a, b } = yield* twoStacks({
        configA: { tcp: { receiveBuffer: 4096, maxReceiveBuffer: 4096 } },
        configB: { tcp: { maxOrphans: 1 } }
      })
      const listener = yield* run(a, Effect.flatMap(Tcp, (t) => t.listen({ port: 9 })))
      const stats = run(b, Effect.flatMap(Tcp, (t) => t.stats))
      const servers = []
      for (let i = 0; i < 3; i++) {
        const client = yield* Effect.fork(run(b, Effect.flatMap(Tcp, (t) => t.connect({ address: ADDR_A, port: 9 }))))
        yield* settle
        servers.push(yield* listener.accept)
        const conn = yield* Fiber.join(client)
        // more than the server's window takes, never read: the orphan has data and its FIN to send
        yield* Effect.fork(conn.write(new Uint8Array(32 * 1024)))
        yield* TestClock.adjust("10 millis")
        yield* settle
        yield* conn.close
        yield* settle
      }
      const held = yield* stats
      // the first kept, the second and third past the bound of 1 (each counts itself), reset
      expect([held.orphans, held.abortOnMemory]).toEqual([1, 2])
      const states = []
      for (const s of servers) states.push((yield* s.info).state)
      expect(states).toEqual(["Established", "Closed", "Closed"])
      // the kept orphan's data read: it ends (FIN-WAIT-2, its timewait sock), and counts no more
      const drain = yield* Effect.fork(Effect.forever(servers[0]!.read))
      for (let i = 0; i < 100; i++) {
        yield* TestClock.adjust("100 millis")
        yield* settle
      }
      yield* Fiber.interrupt(drain)
      expect((yield* stats).orphans).toBe(0)
    }), 60_000)
})
