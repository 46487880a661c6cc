/**
 * The stack-wide bound on TCP memory (Memory.ts, Linux's tcp_mem), between
 * two in-memory stacks in virtual time:
 *
 * - several connections into stack A whose readers stall, each with a
 *   receive buffer that alone fits under `tcp.memory.high` but together do
 *   not: A enters pressure, then above `high` drops further data
 *   unacknowledged (the writers' `bytesAcked` never passes what A holds), and
 *   what A holds never passes `high` by more than each connection's minimum
 *   and a segment; the readers come back, memory falls, every transfer
 *   completes intact and the gauge returns to 0;
 * - nothing leaks: connections closed every way (an orderly close through
 *   TIME-WAIT, an abort with data unread, a reset from the peer while data is
 *   unread, a listener closed over unaccepted connections holding data, data
 *   held out of order) leave the gauge at 0 on both stacks.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Option, Scope, TestClock } from "effect"
import type { Connection } from "../../src/tcp/Tcp.js"
import { Tcp } from "../../src/tcp/Tcp.js"
import * as Memory from "../../src/tcp/Memory.js"
import { settle } from "../support/Clock.js"
import * as LinkFault from "../../src/link/LinkFault.js"
import { ADDR_A, run, statsOf, twoStacks } from "../support/TestNet.js"
import type { StackContext } from "../support/TestNet.js"

const BUFFER = 256 * 1024
const LIMITS = { low: 384 * 1024, pressure: 512 * 1024, high: 640 * 1024 }
const CONNECTIONS = 4
const EACH = 1024 * 1024
const MSS = 1460

const pattern = (i: number, n: number) => ((i * 7 + n) & 0xff)

/** `seconds` of virtual time in steps of 100 ms, everything settled after each. */
const advance = (seconds: number) =>
  Effect.gen(function*() {
    for (let i = 0; i < seconds * 10; i++) {
      yield* TestClock.adjust("100 millis")
      yield* settle
    }
  })

/**
 * Virtual time in steps of 100 ms, at most `seconds`, until `c`'s view of its peer's window is 0.
 * A stack past its share in pressure shuts the window only at the ACK of the segment it drops (a
 * NOMEM ACK, Linux's tcp_select_window); the ACK of the next probe, out of that shut window, carries
 * the window free space allows again (__tcp_select_window), so the peer's view alternates between 0
 * and that window at each of its timer's probes. A test of what a read does to a shut window waits
 * for the shut phase rather than sampling at a fixed instant, whose phase any change in what goes
 * when would move.
 */
const untilShut = (c: Connection, seconds = 30) =>
  Effect.gen(function*() {
    for (let i = 0; i < seconds * 10 && (yield* c.info).sndWnd !== 0; i++) {
      yield* TestClock.adjust("100 millis")
      yield* settle
    }
    expect((yield* c.info).sndWnd).toBe(0)
  })

/** Two stacks, A with receive buffers of `buffer` (no auto-tuning past it) and `memory`'s tcp_mem. */
const boundedA = (buffer: number, memory?: Memory.Limits) =>
  twoStacks({ configA: { tcp: { receiveBuffer: buffer, maxReceiveBuffer: buffer, ...(memory ? { memory } : {}) } } })

/** A's listener on port 9. */
const listenA = (a: StackContext) => run(a, Effect.flatMap(Tcp, (t) => t.listen({ port: 9 })))

/** B's connection to A's port 9 (the listener every test here opens there). */
const connectB = (b: StackContext, port = 9) => run(b, Effect.flatMap(Tcp, (t) => t.connect({ address: ADDR_A, port })))

/**
 * One pair: B's `connect` forked, A's end accepted once `wait` has run (the handshake's time: a
 * settle, or seconds over a lossy link), then B's joined.
 */
const openPair = <E>(b: StackContext, listener: { readonly accept: Effect.Effect<Connection, E> }, wait: Effect.Effect<void> = settle) =>
  Effect.gen(function*() {
    const client = yield* Effect.fork(connectB(b))
    yield* wait
    const server = yield* listener.accept
    return { client: yield* Fiber.join(client), server }
  })

/** `n` pairs, one at a time. */
const openPairs = <E>(b: StackContext, listener: { readonly accept: Effect.Effect<Connection, E> }, n = CONNECTIONS) =>
  Effect.gen(function*() {
    const clients: Array<Connection> = []
    const servers: Array<Connection> = []
    for (let i = 0; i < n; i++) {
      const { client, server } = yield* openPair(b, listener)
      clients.push(client)
      servers.push(server)
    }
    return { clients, servers }
  })

/** Client `n` writes `total` octets of its pattern in writes of `size`, then ends. */
const writePattern = (c: Connection, n: number, total: number, size: number) =>
  Effect.gen(function*() {
    const chunk = new Uint8Array(size)
    for (let off = 0; off < total; off += size) {
      for (let i = 0; i < size; i++) chunk[i] = pattern(off + i, n)
      yield* c.write(chunk.slice())
    }
    yield* c.end
  })

/** Read to the end what client `n` wrote: the octets read, and how many differ from its pattern. */
const readPattern = (s: Connection, n: number) =>
  Effect.gen(function*() {
    let got = 0
    let bad = 0
    for (;;) {
      const next = yield* s.read
      if (Option.isNone(next)) return { got, bad }
      for (const v of next.value) if (v !== pattern(got++, n)) bad++
    }
  })

describe("TCP memory above its stack-wide bound", () => {
  const stalledReaders = (lossy: boolean) =>
    Effect.gen(function*() {
      const { a, b } = yield* twoStacks({
        configA: { tcp: { receiveBuffer: BUFFER, maxReceiveBuffer: BUFFER, memory: LIMITS } },
        ...(lossy ? { wrapB: (l) => LinkFault.make(l, { seed: 3, tx: { loss: 0.02 } }) } : {})
      })
      const listener = yield* listenA(a)
      const { clients, servers } = yield* openPairs(b, listener)
      const writers = yield* Effect.forEach(clients, (c, n) => Effect.fork(writePattern(c, n, EACH, 16 * 1024)))
      // the readers stall for a minute of virtual time
      let peak = 0
      for (let i = 0; i < 600; i++) {
        yield* TestClock.adjust("100 millis")
        yield* settle
        peak = Math.max(peak, (yield* statsOf(a)).tcp.memory)
      }
      const stalled = (yield* statsOf(a)).tcp
      const held = yield* Effect.forEach(servers, (s) => Effect.map(s.info, (i) => i.bytesReceived))
      const acked = yield* Effect.forEach(clients, (c) => Effect.map(c.info, (i) => i.bytesAcked))
      // more was offered than A may hold: A went into pressure, then refused data past `high`
      expect(stalled.memoryPressure).toBeGreaterThanOrEqual(1)
      expect(stalled.rcvQueueDropped).toBeGreaterThan(0)
      // with losses, data held out of order was pruned: SACKed octets the sender must send again (RFC 2018 §8)
      if (lossy) expect(stalled.ofoPruned).toBeGreaterThan(0)
      expect(peak).toBeGreaterThan(LIMITS.pressure)
      // never above `high` but for each connection's minimum and a segment
      expect(peak).toBeLessThanOrEqual(LIMITS.high + CONNECTIONS * (Memory.MIN_RECEIVE + MSS))
      // what A holds is what it received; nothing it dropped was acknowledged
      expect(stalled.memory).toBe(held.reduce((x, y) => x + y, 0))
      for (let n = 0; n < CONNECTIONS; n++) expect(acked[n]!).toBeLessThanOrEqual(held[n]!)
      // every connection is still open, and none got all of its data
      for (const s of servers) expect((yield* s.info).state).toBe("Established")
      expect(held.every((h) => h < EACH)).toBe(true)
      // the readers come back: everything arrives, in order
      const readers = yield* Effect.forEach(servers, (s, n) =>
        Effect.fork(readPattern(s, n)))
      const results: Array<{ got: number; bad: number }> = []
      let resumed = 0
      for (let i = 0; i < 6000 && results.length < CONNECTIONS; i++) {
        resumed += 100
        yield* TestClock.adjust("100 millis")
        yield* settle
        results.length = 0
        for (const r of readers) {
          const p = yield* Fiber.poll(r)
          if (Option.isSome(p) && Exit.isSuccess(p.value)) results.push(p.value.value)
        }
      }
      expect(results).toEqual(Array.from({ length: CONNECTIONS }, () => ({ got: EACH, bad: 0 })))
      // and within one backed-off timer: each in-order drop drew a zero-window ACK (Linux 6.x's
      // ICSK_ACK_NOMEM), so B's senders, their data out, ran their retransmission timers through the
      // shut windows as Linux's zero-window branch does (the first segment whole at each expiry, no
      // retry counted: none timed out), and the readers' first reads reopened the windows at once
      // (tcp_cleanup_rbuf). B then waits for that timer (TCP_CA_Loss, cwnd 1 with the resend in
      // flight: Linux sends nothing at the window update either, ConformanceWindow "the window shut
      // with data in flight"), at most the RTO's cap: 42 s here. Over the lossy link the resend at
      // that timer may be lost too (2% of segments), and then the next timer, doubled, runs: one more
      // cap (this seed: one connection's resend 46 s in was lost, its next timer 106 s; 152 s). (Until
      // window53 the shut window sent B to its persist timer and back to SND.UNA, and the transfers
      // resumed within 5 s)
      expect(resumed).toBeLessThanOrEqual(lossy ? 240_000 : 120_000)
      // A's prunes reneged on octets it had SACKed: B's senders found it (an ACK stopping where the
      // SACKed octets began) and resent them after a short timer, not each at an RTO (RFC 2018 §8)
      if (lossy) expect((yield* Effect.forEach(clients, (c) => Effect.map(c.info, (i) => i.sackReneges))).reduce((x, y) => x + y, 0)).toBeGreaterThan(0)
      for (const w of writers) expect(Exit.isSuccess(yield* Fiber.join(w).pipe(Effect.exit))).toBe(true)
      // everything read: nothing held on A
      expect((yield* statsOf(a)).tcp.memory).toBe(0)
      for (const s of servers) yield* s.close
      for (let i = 0; i < 200; i++) {
        yield* TestClock.adjust("1 second")
        yield* settle
      }
      expect((yield* statsOf(a)).tcp.memory).toBe(0)
      expect((yield* statsOf(b)).tcp.memory).toBe(0)
    })

  it.scoped("stalled readers: data past `high` dropped unacknowledged, the total held near `high`; resumed, every transfer completes", () =>
    stalledReaders(false), 120_000)

  it.scoped("the same over a lossy link: out-of-order data pruned (SACKed octets reneged), every transfer still completes", () =>
    stalledReaders(true), 120_000)
})

describe("TCP memory above `high`, many small connections", () => {
  it.scoped("connections each holding less than tcp_rmem[0] cannot carry the total past `high` by more than a segment each (in order into an empty queue); read, all arrives", () =>
    Effect.gen(function*() {
      const SMALL = { low: 16 * 1024, pressure: 24 * 1024, high: 32 * 1024 }
      const N = 24
      const EACH_SMALL = 4000 // under tcp_rmem[0] (4096): a per-connection minimum would take all of it
      const { a, b } = yield* twoStacks({ configA: { tcp: { memory: SMALL } } })
      const listener = yield* run(a, Effect.flatMap(Tcp, (t) => t.listen({ port: 9, backlog: N })))
      const { clients, servers } = yield* openPairs(b, listener, N)
      for (const [n, c] of clients.entries()) yield* c.write(new Uint8Array(EACH_SMALL).map((_, i) => pattern(i, n)))
      // nobody reads for ten seconds
      let peak = 0
      for (let i = 0; i < 100; i++) {
        yield* TestClock.adjust("100 millis")
        yield* settle
        peak = Math.max(peak, (yield* statsOf(a)).tcp.memory)
      }
      // N × 4000 offered; past `high`, one segment each into an empty receive queue at most
      expect(peak).toBeLessThanOrEqual(SMALL.high + N * MSS)
      expect((yield* statsOf(a)).tcp.rcvQueueDropped).toBeGreaterThan(0)
      const got = yield* Effect.forEach(servers, (s, n) =>
        Effect.fork(Effect.gen(function*() {
          let count = 0
          let bad = 0
          while (count < EACH_SMALL) {
            const next = yield* s.read
            if (Option.isNone(next)) break
            for (const v of next.value) if (v !== pattern(count++, n)) bad++
          }
          return { count, bad }
        })))
      for (let i = 0; i < 1200; i++) {
        yield* TestClock.adjust("100 millis")
        yield* settle
        if ((yield* Effect.forEach(got, Fiber.poll)).every(Option.isSome)) break
      }
      for (const g of got) expect(yield* Fiber.join(g)).toEqual({ count: EACH_SMALL, bad: 0 })
      expect((yield* statsOf(a)).tcp.memory).toBe(0)
    }), 120_000)
})

describe("TCP memory held by writers", () => {
  it.scoped("writers into stalled readers wait once their stack holds `high`, each keeping its minimum; the readers back, all completes", () =>
    Effect.gen(function*() {
      const SEND = { low: 96 * 1024, pressure: 128 * 1024, high: 192 * 1024 }
      const { a, b } = yield* twoStacks({
        configA: { tcp: { receiveBuffer: 64 * 1024, maxReceiveBuffer: 64 * 1024 } },
        configB: { tcp: { memory: SEND } }
      })
      const listener = yield* listenA(a)
      const { clients, servers } = yield* openPairs(b, listener)
      const TOTAL = 512 * 1024
      const writers = yield* Effect.forEach(clients, (c, n) => Effect.fork(writePattern(c, n, TOTAL, 64 * 1024)))
      let peak = 0
      for (let i = 0; i < 300; i++) {
        yield* TestClock.adjust("100 millis")
        yield* settle
        peak = Math.max(peak, (yield* statsOf(b)).tcp.memory)
      }
      // the send buffers (256 KiB each) would hold 1 MiB; the stack holds `high` and each connection's minimum at most
      expect(peak).toBeGreaterThan(SEND.pressure)
      expect(peak).toBeLessThanOrEqual(SEND.high + CONNECTIONS * Memory.MIN_SEND)
      expect((yield* statsOf(b)).tcp.memoryPressure).toBeGreaterThanOrEqual(1)
      for (const w of writers) expect(Option.isNone(yield* Fiber.poll(w))).toBe(true)
      const readers = yield* Effect.forEach(servers, (s, n) =>
        Effect.fork(readPattern(s, n)))
      for (let i = 0; i < 3000; i++) {
        yield* TestClock.adjust("100 millis")
        yield* settle
        if ((yield* Effect.forEach(readers, Fiber.poll)).every(Option.isSome)) break
      }
      for (const r of readers) expect(yield* Fiber.join(r)).toEqual({ got: TOTAL, bad: 0 })
      for (const w of writers) yield* Fiber.join(w)
      expect((yield* statsOf(b)).tcp.memory).toBe(0)
    }), 120_000)
})

describe("TCP memory, nothing leaked", () => {
  const data = (n: number) => new Uint8Array(n).map((_, i) => i & 0xff)
  const drain = (c: Connection) =>
    Effect.gen(function*() {
      let n = 0
      for (;;) {
        const next = yield* c.read
        if (Option.isNone(next)) return n
        n += next.value.length
      }
    })

  it.scoped("closed every way (TIME-WAIT, abort and reset with data unread, a listener closed over unaccepted connections holding data), the gauge is back at 0 on both stacks", () =>
    Effect.gen(function*() {
      const { a, b } = yield* twoStacks()
      const memoryOf = (s: typeof a) => Effect.map(statsOf(s), (x) => x.tcp.memory)
      const listener = yield* listenA(a)
      const open = openPair(b, listener)
      // 1. an orderly close: both sides read everything, the client ends first (TIME-WAIT on its side)
      const one = yield* open
      yield* one.client.write(data(100_000))
      yield* one.server.write(data(50_000))
      yield* advance(1)
      expect(yield* memoryOf(a)).toBe(100_000)
      expect(yield* memoryOf(b)).toBe(50_000)
      yield* one.client.end
      const readA = yield* Effect.fork(drain(one.server))
      const readB = yield* Effect.fork(drain(one.client))
      yield* advance(1)
      expect(yield* Fiber.join(readA)).toBe(100_000)
      yield* one.server.close
      yield* advance(1)
      expect(yield* Fiber.join(readB)).toBe(50_000)
      expect((yield* statsOf(b)).tcp.timeWait).toBe(1)
      expect([yield* memoryOf(a), yield* memoryOf(b)]).toEqual([0, 0])
      // 2. the server aborts with 30 000 octets unread; the client's unacknowledged data goes with its reset
      const two = yield* open
      yield* two.client.write(data(30_000))
      yield* advance(1)
      expect(yield* memoryOf(a)).toBe(30_000)
      yield* two.server.abort
      yield* advance(1)
      expect([yield* memoryOf(a), yield* memoryOf(b)]).toEqual([0, 0])
      // 3. the client resets while the server has 20 000 unread: they stay charged until read or closed
      const three = yield* open
      yield* three.client.write(data(20_000))
      yield* advance(1)
      yield* three.client.abort
      yield* advance(1)
      expect(yield* memoryOf(a)).toBe(20_000)
      yield* three.server.close
      expect([yield* memoryOf(a), yield* memoryOf(b)]).toEqual([0, 0])
      // 4. a listener closed over two unaccepted connections holding data
      const scope = yield* Scope.make()
      const other = yield* run(a, Effect.flatMap(Tcp, (t) => Scope.extend(t.listen({ port: 10 }), scope)))
      void other
      const unaccepted = yield* Effect.forEach([0, 1], () => Effect.fork(connectB(b, 10)))
      yield* advance(1)
      for (const f of unaccepted) yield* (yield* Fiber.join(f)).write(data(10_000))
      yield* advance(1)
      expect(yield* memoryOf(a)).toBe(20_000)
      yield* Scope.close(scope, Exit.void)
      yield* advance(1)
      expect([yield* memoryOf(a), yield* memoryOf(b)]).toEqual([0, 0])
      // and TIME-WAIT expires with nothing changed
      yield* advance(61)
      expect([yield* memoryOf(a), yield* memoryOf(b)]).toEqual([0, 0])
    }), 120_000)

  it.scoped("over a lossy link (data held out of order), transfers and a reset in the middle of one leave the gauge at 0", () =>
    Effect.gen(function*() {
      const { a, b } = yield* twoStacks({ wrapB: (l) => LinkFault.make(l, { seed: 7, tx: { loss: 0.05, reorder: 0.05 } }) })
      const memoryOf = (s: typeof a) => Effect.map(statsOf(s), (x) => x.tcp.memory)
      const listener = yield* listenA(a)
      const open = openPair(b, listener, advance(3))
      const one = yield* open
      const two = yield* open
      const w1 = yield* Effect.fork(Effect.zipRight(one.client.write(data(400_000)), one.client.end))
      yield* Effect.fork(two.client.write(data(400_000)))
      const r1 = yield* Effect.fork(drain(one.server))
      // the second's reader stays away; its writer resets half-way
      yield* advance(0.3)
      yield* two.client.abort
      yield* advance(30)
      yield* Fiber.join(w1)
      expect(yield* Fiber.join(r1)).toBe(400_000)
      expect((yield* statsOf(a)).tcp.received).toBeGreaterThan(0)
      expect((yield* statsOf(b)).tcp.retransmits).toBeGreaterThan(0)
      yield* one.server.close
      yield* two.server.close
      yield* advance(70)
      expect([yield* memoryOf(a), yield* memoryOf(b)]).toEqual([0, 0])
    }), 120_000)
})

describe("TCP memory: the zero window of an in-order drop", () => {
  it.scoped("a read smaller than a window step reopens the window at once (every read wakes the send half while it stands: tcp_cleanup_rbuf, from a window of 0)", () =>
    Effect.gen(function*() {
      const SMALL = { low: 16 * 1024, pressure: 24 * 1024, high: 32 * 1024 }
      const { a, b } = yield* boundedA(64 * 1024, SMALL)
      const listener = yield* listenA(a)
      const { client: c, server } = yield* openPair(b, listener)
      yield* Effect.fork(c.write(new Uint8Array(128 * 1024)))
      // the reader stalls: A holds `high`, and drops what comes in order behind it, with a zero window
      yield* advance(3)
      yield* untilShut(c)
      const stalled = (yield* statsOf(a)).tcp
      expect(stalled.rcvQueueDropped).toBeGreaterThan(0)
      // one segment read (its chunk whole), less than the window's step (our MSS: the peer's segments
      // carry timestamps): the update goes in that instant, no timer run (without the wake-up no
      // segment went until the peer's probe)
      const got = Option.getOrThrow(yield* server.readUpTo(1000)).length
      expect(got).toBeLessThan(MSS)
      yield* settle
      expect((yield* statsOf(a)).tcp.segmentsSent).toBeGreaterThan(stalled.segmentsSent)
    }), 60_000)

  it.scoped("a read of a hundred octets, far under a window step, reopens the window at once: the read wake while it stands (the step rule alone wakes only a read that crosses a step)", () =>
    Effect.gen(function*() {
      const SMALL = { low: 16 * 1024, pressure: 24 * 1024, high: 32 * 1024 }
      const { a, b } = yield* boundedA(64 * 1024, SMALL)
      const listener = yield* listenA(a)
      const { client: c, server } = yield* openPair(b, listener)
      // a message of a hundred octets, its own segment (nothing in flight: sent at once), then bulk
      yield* c.write(new Uint8Array(100))
      yield* settle
      yield* Effect.fork(c.write(new Uint8Array(128 * 1024)))
      yield* advance(3)
      yield* untilShut(c)
      const stalled = (yield* statsOf(a)).tcp
      expect(stalled.rcvQueueDropped).toBeGreaterThan(0)
      // the message read, a hundred octets: the update goes in that instant, no timer run, and the peer
      // takes the window it opened. Without the wake nothing went until the peer's timer. (Its data
      // is out, past that small window: it goes again at the peer's retransmission timer, as
      // Linux's, not at the update; until window53 the peer went back to SND.UNA and sent into it)
      const got = Option.getOrThrow(yield* server.readUpTo(100)).length
      expect(got).toBe(100)
      yield* settle
      expect((yield* statsOf(a)).tcp.segmentsSent).toBeGreaterThan(stalled.segmentsSent)
      expect((yield* c.info).sndWnd).toBeGreaterThan(0)
    }), 60_000)
})

describe("TCP memory under pressure: the fair share", () => {
  it.scoped("the count of TCP sockets (Linux's tcp_sockets_allocated): a listener while it listens, a connection from its handshake; an orphan in FIN-WAIT-2 counts no more (Linux's timewait sock), though the stack still keeps it", () =>
    Effect.gen(function*() {
      const { a, b } = yield* twoStacks()
      const scope = yield* Scope.make()
      const listener = yield* run(a, Effect.flatMap(Tcp, (t) => Scope.extend(t.listen({ port: 9 }), scope)))
      expect((yield* statsOf(a)).tcp.sockets).toBe(1)
      const { client: c, server } = yield* openPair(b, listener)
      expect([(yield* statsOf(a)).tcp.sockets, (yield* statsOf(b)).tcp.sockets]).toEqual([2, 1])
      // B closes, A does not: B's connection, FIN acknowledged, waits in FIN-WAIT-2 as an orphan
      yield* c.close
      yield* TestClock.adjust("1 second")
      yield* settle
      expect((yield* c.info).state).toBe("FinWait2")
      expect([(yield* statsOf(b)).tcp.connections, (yield* statsOf(b)).tcp.sockets]).toEqual([1, 0])
      // the listener closed: A's accepted connection alone
      yield* Scope.close(scope, Exit.void)
      expect((yield* statsOf(a)).tcp.sockets).toBe(1)
      yield* server.close
      for (let i = 0; i < 130; i++) {
        yield* TestClock.adjust("1 second")
        yield* settle
      }
      expect([(yield* statsOf(a)).tcp.sockets, (yield* statsOf(b)).tcp.sockets]).toEqual([0, 0])
    }))

  // 5 sockets on A (the listener and four connections): a share of 128 KiB of `high` each
  const FAIR = { low: 128 * 1024, pressure: 192 * 1024, high: 640 * 1024 }
  const BIG = 512 * 1024
  const SMALL_EACH = 96 * 1024
  it.scoped("a hog whose reader stalls is refused past its share once the stack is in pressure, well before `high` or its buffer; small connections that are read keep going; the hog read, all completes", () =>
    Effect.gen(function*() {
      const { a, b } = yield* boundedA(BIG, FAIR)
      const listener = yield* listenA(a)
      const { clients, servers } = yield* openPairs(b, listener)
      // Linux's tcp_sockets_allocated: the listener and the four connections on A, the four on B
      expect([(yield* statsOf(a)).tcp.sockets, (yield* statsOf(b)).tcp.sockets]).toEqual([5, 4])
      // the hog (connection 0) writes a MiB nobody reads for now
      const hogWriter = yield* Effect.fork(writePattern(clients[0]!, 0, EACH, 16 * 1024))
      yield* advance(10)
      const hogHeld = (yield* servers[0]!.info).bytesReceived
      const stalled = (yield* statsOf(a)).tcp
      // in pressure (above `pressure` once: the hog alone holds more than `low` since, so still), and
      // the hog refused at its share (high / 5 = 128 KiB) plus what one batch brings past it, where
      // without the share it would have filled its buffer or `high` (512 KiB)
      expect(stalled.memoryPressure).toBe(1)
      expect(stalled.rcvQueueDropped).toBeGreaterThan(0)
      expect(hogHeld).toBeGreaterThan(FAIR.low)
      expect(hogHeld).toBeLessThan(FAIR.pressure + 64 * 1024)
      // each refusal of the hog's in-order data was a zero window (ICSK_ACK_NOMEM), which Linux's
      // tcp_select_window does not count as "to zero", and each answer to a probe that reopened it
      // (four segments, under pressure) a "from zero"; no buffer filled
      expect([stalled.toZeroWindowAdv, stalled.fromZeroWindowAdv > 0]).toEqual([0, true])
      // the others, read as data comes, get through under pressure, the hog still stalled
      const smallWriters = yield* Effect.forEach([1, 2, 3], (n) => Effect.fork(writePattern(clients[n]!, n, SMALL_EACH, 16 * 1024)))
      const smallReaders = yield* Effect.forEach([1, 2, 3], (n) => Effect.fork(readPattern(servers[n]!, n)))
      const done: Array<{ got: number; bad: number }> = []
      for (let i = 0; i < 600 && done.length < 3; i++) {
        yield* TestClock.adjust("100 millis")
        yield* settle
        done.length = 0
        for (const r of smallReaders) {
          const p = yield* Fiber.poll(r)
          if (Option.isSome(p) && Exit.isSuccess(p.value)) done.push(p.value.value)
        }
      }
      expect(done).toEqual([1, 2, 3].map(() => ({ got: SMALL_EACH, bad: 0 })))
      for (const w of smallWriters) expect(Exit.isSuccess(yield* Fiber.join(w).pipe(Effect.exit))).toBe(true)
      // all the while in the pressure entered once, the hog no further
      expect((yield* statsOf(a)).tcp.memoryPressure).toBe(1)
      expect((yield* servers[0]!.info).bytesReceived).toBeLessThan(FAIR.pressure + 64 * 1024)
      // the hog read: its MiB arrives intact
      const hogReader = yield* Effect.fork(readPattern(servers[0]!, 0))
      let hog: Option.Option<Exit.Exit<{ got: number; bad: number }, unknown>> = Option.none()
      for (let i = 0; i < 600 && Option.isNone(hog); i++) {
        yield* TestClock.adjust("100 millis")
        yield* settle
        hog = yield* Fiber.poll(hogReader)
      }
      expect(Option.isSome(hog) && Exit.isSuccess(hog.value) ? hog.value.value : undefined).toEqual({ got: EACH, bad: 0 })
      expect(Exit.isSuccess(yield* Fiber.join(hogWriter).pipe(Effect.exit))).toBe(true)
      for (const s of servers) yield* s.close
      for (let i = 0; i < 200; i++) {
        yield* TestClock.adjust("1 second")
        yield* settle
      }
      // the connections gone (TIME-WAIT records are no sockets): the listener alone on A, none on B
      expect([(yield* statsOf(a)).tcp.sockets, (yield* statsOf(b)).tcp.sockets]).toEqual([1, 0])
      expect([(yield* statsOf(a)).tcp.memory, (yield* statsOf(b)).tcp.memory]).toEqual([0, 0])
    }), 120_000)

  // 2 sockets on A (the listener and one connection): a share of 96 KiB, as much as `pressure`
  const ONE = { low: 64 * 1024, pressure: 96 * 1024, high: 192 * 1024 }
  it.scoped("a connection past its share under pressure with nothing in flight still writes: its minimum each time its send side empties (tcp_wmem[0]), woken by its own ACKs; no wake-up from elsewhere is needed", () =>
    Effect.gen(function*() {
      const { a, b } = yield* boundedA(BIG, ONE)
      const listener = yield* listenA(a)
      const { client: c, server } = yield* openPair(b, listener)
      // B sends more than A will hold for it, unread: A in pressure, the connection past its share
      const hog = yield* Effect.fork(writePattern(c, 0, 256 * 1024, 16 * 1024))
      yield* advance(5)
      const held = (yield* statsOf(a)).tcp
      expect(held.memoryPressure).toBe(1)
      expect(held.memory).toBeGreaterThan(ONE.high / 2)
      // A writes 128 KiB the other way, read as it comes: 4 KiB at a time, each once the last is acknowledged
      const reply = 128 * 1024
      const writer = yield* Effect.fork(server.write(new Uint8Array(reply).fill(7)))
      const reader = yield* Effect.fork(Effect.gen(function*() {
        let got = 0
        while (got < reply) {
          const next = yield* c.read
          if (Option.isNone(next)) return got
          got += next.value.length
        }
        return got
      }))
      // (held back: without the share the send buffer would take it all at once)
      yield* settle
      expect(Option.isNone(yield* Fiber.poll(writer))).toBe(true)
      let wrote: Option.Option<Exit.Exit<void, unknown>> = Option.none()
      for (let i = 0; i < 600 && Option.isNone(wrote); i++) {
        yield* TestClock.adjust("100 millis")
        yield* settle
        wrote = yield* Fiber.poll(writer)
      }
      expect(Option.isSome(wrote) && Exit.isSuccess(wrote.value)).toBe(true)
      expect(yield* Fiber.join(reader)).toBe(reply)
      // the stack stayed in pressure throughout, the hog's data unread
      expect((yield* statsOf(a)).tcp.memoryPressure).toBe(1)
      expect((yield* statsOf(a)).tcp.memory).toBeGreaterThan(ONE.low)
      yield* Fiber.interrupt(hog)
    }), 60_000)

  // pressure just below `high`: a hog alone, out of pressure mode until then, fills the stack to it
  const NEAR = { low: 64 * 1024, pressure: 127 * 1024, high: 128 * 1024 }
  it.scoped("a reader that keeps up above `high`: the segment refused behind unread data draws a window of 0, and the read that takes that data reopens the window at once, even when it ran before that ACK went (Linux's tcp_cleanup_rbuf after the NOMEM ACK), not the peer's probe", () =>
    Effect.gen(function*() {
      const { a, b } = yield* boundedA(BIG, NEAR)
      const listener = yield* listenA(a)
      const hog = yield* openPair(b, listener)
      const quick = yield* openPair(b, listener)
      // the hog's reader stalls: A holds about `high`
      yield* Effect.fork(writePattern(hog.client, 0, 512 * 1024, 16 * 1024))
      yield* advance(5)
      expect((yield* statsOf(a)).tcp.memory).toBeGreaterThan(NEAR.high - 4096)
      // a reader waiting in `read`, and three segments for it: the first taken, the next past `high` behind
      // it refused (ICSK_ACK_NOMEM: the ACK goes at once with a window of 0), and the reader takes the first
      // at once, maybe before the send half has sent that ACK
      const reader = yield* Effect.fork(quick.server.read)
      yield* settle
      const held = (yield* statsOf(a)).tcp
      expect(held.memory + 2 * 1448).toBeGreaterThan(NEAR.high)
      yield* quick.client.write(new Uint8Array(3 * 1448).fill(1))
      yield* settle
      const got = yield* Fiber.join(reader)
      expect(Option.isSome(got) ? got.value.length : 0).toBe(1448)
      yield* TestClock.adjust("10 millis")
      yield* settle
      // the window shut for memory, and reopened by that read (Linux: the NOMEM ACK goes first, and the
      // read's tcp_cleanup_rbuf finds rcv_wnd 0 and sends the update), not 200 ms on by B's probe
      expect((yield* statsOf(a)).tcp.rcvQueueDropped).toBeGreaterThan(held.rcvQueueDropped)
      expect((yield* quick.client.info).sndWnd).toBeGreaterThan(0)
    }), 60_000)
})
