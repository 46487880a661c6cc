/**
 * Loopback (127/8) through the whole stack in one process: whatever answers a
 * datagram sent to 127.x answers from that 127.x (RFC 1122 §3.2.1.3 (g)),
 * for every transport, because the route to 127.x carries it as the source.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Fiber, Option, TestClock } from "effect"
import * as Services from "../../src/tcp/Services.js"
import { Tcp } from "../../src/tcp/Tcp.js"
import { serveEcho, Udp } from "../../src/udp/Udp.js"
import * as Addr from "../../src/wire/Ipv4Addr.js"
import { boundedWait, settle } from "../support/Clock.js"
import { ADDR_A, run, stackWithPeer } from "../support/TestNet.js"

const LOOPBACK = Addr.parse("127.0.0.9")!

describe("loopback", () => {
  it.scoped("a UDP echo to 127.0.0.9 comes back from 127.0.0.9, without touching the link", () =>
    Effect.gen(function*() {
      const { stack, peer } = yield* stackWithPeer()
      const got = yield* run(stack, Effect.gen(function*() {
        yield* serveEcho(7)
        const s = yield* Effect.flatMap(Udp, (u) => u.bind())
        yield* s.send(LOOPBACK, 7, new Uint8Array([1, 2, 3]))
        return yield* boundedWait(s.receive, "the loopback echo")
      }))
      expect(got.src).toBe(LOOPBACK)
      expect(got.dst).toBe(LOOPBACK)
      expect(Array.from(got.payload)).toEqual([1, 2, 3])
      yield* settle
      expect(Option.isNone(yield* peer.poll)).toBe(true)
    }))

  for (const [name, address] of [["127.0.0.9", LOOPBACK], ["the stack's own address", ADDR_A]] as const) {
    it.scoped(`two programs on one stack talk TCP over ${name}, without touching the link`, () =>
      Effect.gen(function*() {
        const { stack, peer } = yield* stackWithPeer()
        const echoed = yield* run(stack, Effect.gen(function*() {
          yield* Services.serve(7, Services.echo)
          const conn = yield* Effect.flatMap(Tcp, (t) => t.connect({ address, port: 7 }))
          expect(conn.localAddress).toBe(address)
          // loopback carries the largest IPv4 datagram: 65535 less the IPv4 and TCP headers
          expect((yield* conn.info).mss).toBe(65495)
          const data = new Uint8Array(100_000).map((_, i) => i * 13)
          yield* conn.write(data)
          yield* conn.end
          const chunks: Array<Uint8Array> = []
          for (;;) {
            const c = yield* boundedWait(conn.read, "the echo")
            if (Option.isNone(c)) break
            chunks.push(c.value)
          }
          return { got: Buffer.concat(chunks), data }
        }))
        expect(Buffer.compare(echoed.got, Buffer.from(echoed.data))).toBe(0)
        yield* settle
        expect(Option.isNone(yield* peer.poll)).toBe(true)
      }))
  }

  it.scoped("many small segments over the loopback arrive intact, held unread meanwhile (each under 1 KiB is flattened into a shared slab)", () =>
    Effect.gen(function*() {
      const { stack } = yield* stackWithPeer()
      const { got, retransmits, sent } = yield* run(stack, Effect.gen(function*() {
        const tcp = yield* Tcp
        const listener = yield* tcp.listen({ port: 7 })
        const conn = yield* Effect.fork(tcp.connect({ address: LOOPBACK, port: 7, noDelay: true }))
        yield* settle
        const client = yield* Fiber.join(conn)
        const server = yield* boundedWait(listener.accept, "the accept")
        // 300 writes of 1..199 octets, each a segment of its own (no Nagle), each a different
        // pattern; the server reads none of them until the last is in, so every one of them is
        // still held where it arrived while the later ones are cut and sent
        const writes = Array.from({ length: 300 }, (_, i) => Uint8Array.from({ length: 1 + (i * 37) % 199 }, (_, j) => (i * 7 + j) & 0xff))
        for (const w of writes) yield* client.write(w)
        yield* client.end
        yield* settle
        const chunks: Array<Uint8Array> = []
        for (;;) {
          const c = yield* boundedWait(server.read, "the data")
          if (Option.isNone(c)) break
          chunks.push(c.value)
        }
        // (the loopback carries no checksum: a frame overwritten before it was read would be lost
        // and resent, and the data would still arrive intact; nothing is ever lost here)
        const { retransmits } = yield* client.info
        return { got: Buffer.concat(chunks), sent: Buffer.concat(writes), retransmits }
      }))
      expect(got.length).toBe(sent.length)
      expect(Buffer.compare(got, sent)).toBe(0)
      expect(retransmits).toBe(0)
    }))

  it.scoped("a connect to ourselves from an ephemeral port takes over its 4-tuple's TIME-WAIT more than a second after the close (Linux's tcp_tw_reuse), not before: at 1000 ms on the Clock (whole-millisecond readings make that as little as 999.x) it is still held (Linux's tcp_twsk_unique: time_after32(tcp_clock_ms(), tw_entry_stamp + tcp_tw_reuse_delay))", () =>
    Effect.gen(function*() {
      // one ephemeral port: the second connect's only choice is the first's 4-tuple
      const { stack } = yield* stackWithPeer({ config: { tcp: { timeWait: "60 seconds", localPortRange: [40_000, 40_000] } } })
      yield* run(stack, Effect.gen(function*() {
        const tcp = yield* Tcp
        const listener = yield* tcp.listen({ port: 7 })
        const open = Effect.gen(function*() {
          const conn = yield* Effect.fork(tcp.connect({ address: LOOPBACK, port: 7 }))
          yield* settle
          return { client: yield* Fiber.join(conn), server: yield* boundedWait(listener.accept, "the accept") }
        })
        const first = yield* open
        expect(first.client.localPort).toBe(40_000)
        // the client closes first: its end holds the 4-tuple in TIME-WAIT
        yield* first.client.end
        yield* settle
        yield* first.server.end
        yield* settle
        expect((yield* tcp.stats).timeWait).toBe(1)
        // (a connect that succeeds where it should not is written "connected": a Connection as the
        // test's error would be printed whole)
        const reason = Effect.map(
          Effect.either(tcp.connect({ address: LOOPBACK, port: 7 })),
          (r) => (Either.isLeft(r) ? r.left.reason : "connected")
        )
        expect(yield* reason).toBe("NoEphemeralPorts")
        yield* TestClock.adjust("1000 millis")
        expect(yield* reason).toBe("NoEphemeralPorts")
        yield* TestClock.adjust("1 millis")
        const second = yield* open
        expect(second.client.localPort).toBe(40_000)
        yield* second.client.write(new Uint8Array([42]))
        expect(Option.map(yield* boundedWait(second.server.read, "the data"), (c) => Array.from(c))).toEqual(Option.some([42]))
        expect(yield* tcp.stats).toMatchObject({ timeWait: 0, timeWaitReused: 1, passiveOpens: 2 })
      }))
    }))

  it.scoped("a connect to ourselves from the port a TIME-WAIT holds takes it over at once (bind then connect: Linux's tcp_twsk_unique asked with no twp)", () =>
    Effect.gen(function*() {
      const { stack } = yield* stackWithPeer({ config: { tcp: { timeWait: "60 seconds" } } })
      yield* run(stack, Effect.gen(function*() {
        const tcp = yield* Tcp
        const listener = yield* tcp.listen({ port: 7 })
        const open = Effect.gen(function*() {
          const conn = yield* Effect.fork(tcp.connect({ address: LOOPBACK, port: 7, localPort: 40_000 }))
          yield* settle
          return { client: yield* Fiber.join(conn), server: yield* boundedWait(listener.accept, "the accept") }
        })
        const first = yield* open
        yield* first.client.end
        yield* settle
        yield* first.server.end
        yield* settle
        expect((yield* tcp.stats).timeWait).toBe(1)
        const second = yield* open
        yield* second.client.write(new Uint8Array([42]))
        expect(Option.map(yield* boundedWait(second.server.read, "the data"), (c) => Array.from(c))).toEqual(Option.some([42]))
        expect(yield* tcp.stats).toMatchObject({ timeWait: 0, timeWaitReused: 1, passiveOpens: 2 })
      }))
    }))

  it.scoped("with every ephemeral port's 4-tuple in TIME-WAIT, a connect to ourselves fails until more than a second has passed, then takes over the port held longest", () =>
    Effect.gen(function*() {
      const { stack } = yield* stackWithPeer({ config: { tcp: { timeWait: "60 seconds", localPortRange: [40_000, 40_003] } } })
      yield* run(stack, Effect.gen(function*() {
        const tcp = yield* Tcp
        const listener = yield* tcp.listen({ port: 7 })
        const open = Effect.gen(function*() {
          const conn = yield* Effect.fork(tcp.connect({ address: LOOPBACK, port: 7 }))
          yield* settle
          return { client: yield* Fiber.join(conn), server: yield* boundedWait(listener.accept, "the accept") }
        })
        const used: Array<number> = []
        for (let i = 0; i < 4; i++) {
          const { client, server } = yield* open
          used.push(client.localPort)
          // the client closes first: its end holds the 4-tuple in TIME-WAIT
          yield* client.end
          yield* settle
          yield* server.end
          yield* settle
        }
        expect(new Set(used)).toEqual(new Set([40_000, 40_001, 40_002, 40_003]))
        expect((yield* tcp.stats).timeWait).toBe(4)
        // (written "connected" if it succeeds: a Connection as the test's error would be printed whole)
        const early = yield* Effect.either(tcp.connect({ address: LOOPBACK, port: 7 }))
        expect(Either.isLeft(early) ? early.left.reason : "connected").toBe("NoEphemeralPorts")
        yield* TestClock.adjust("1001 millis")
        const again = yield* open
        expect(again.client.localPort).toBe(used[0])
        yield* again.client.write(new Uint8Array([42]))
        expect(Option.map(yield* boundedWait(again.server.read, "the data"), (c) => Array.from(c))).toEqual(Option.some([42]))
        expect(yield* tcp.stats).toMatchObject({ timeWait: 3, timeWaitReused: 1 })
      }))
    }))
})
