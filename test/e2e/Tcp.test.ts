/**
 * TCP between two whole stacks over an in-memory link: handshake, data
 * both ways, half-close and close, as applications use the API.
 */
import { describe, expect, it } from "@effect/vitest"
import { Cause, Chunk, Deferred, Effect, Either, Exit, Fiber, Option, Scope, Stream, Supervisor, TestClock } from "effect"
import { flatten, type LinkService } from "../../src/link/Link.js"
import * as LinkMemory from "../../src/link/LinkMemory.js"
import * as Services from "../../src/tcp/Services.js"
import { Tcp, type TcpError } from "../../src/tcp/Tcp.js"
import { boundedWait, runAdvancing, settle } from "../support/Clock.js"
import { ADDR_A, ADDR_B, MAC_A, MAC_B, run, type StackContext, stackOn, statsOf, twoStacks } from "../support/TestNet.js"

const bytes = (n: number, seed = 1): Uint8Array => {
  const b = new Uint8Array(n)
  let x = seed
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0
    b[i] = x >>> 24
  }
  return b
}

const concat = (chunks: ReadonlyArray<Uint8Array>): Uint8Array => {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0))
  let o = 0
  for (const c of chunks) {
    out.set(c, o)
    o += c.length
  }
  return out
}

describe("TCP between two stacks", () => {
  it.scopedLive("connect, echo 1 MB, half-close, close", () =>
    Effect.gen(function*() {
      const { a, b } = yield* twoStacks()
      const listener = yield* run(a, Effect.flatMap(Tcp, (t) => t.listen({ port: 7 })))
      // echo server on A: everything read is written back, then our side ends
      yield* run(a, Effect.gen(function*() {
        const conn = yield* listener.accept
        yield* conn.stream.pipe(Stream.runForEach((chunk) => conn.write(chunk)))
        yield* conn.end
      })).pipe(Effect.forkScoped)
      const conn = yield* run(b, Effect.flatMap(Tcp, (t) => t.connect({ address: ADDR_A, port: 7 })))
      const data = bytes(1 << 20)
      const reader = yield* conn.stream.pipe(Stream.runCollect, Effect.fork)
      for (let o = 0; o < data.length; o += 65536) yield* conn.write(data.subarray(o, o + 65536))
      yield* conn.end
      const echoed = concat(Chunk.toReadonlyArray(yield* reader.await.pipe(Effect.flatten)))
      expect(echoed.length).toBe(data.length)
      expect(Buffer.compare(Buffer.from(echoed), Buffer.from(data))).toBe(0)
      const info = yield* conn.info
      expect(["FinWait2", "TimeWait", "Closing"]).toContain(info.state)
      expect(Option.isNone(yield* conn.read)).toBe(true)
    }), 30_000)

  it.scopedLive("two fibers reading one connection at once share the data between them: none lost, none twice", () =>
    Effect.gen(function*() {
      const { a, b } = yield* twoStacks()
      const listener = yield* run(a, Effect.flatMap(Tcp, (t) => t.listen({ port: 9 })))
      const conn = yield* run(b, Effect.flatMap(Tcp, (t) => t.connect({ address: ADDR_A, port: 9 })))
      const server = yield* listener.accept
      const data = bytes(256 * 1024)
      const reader = Effect.gen(function*() {
        const got: Array<Uint8Array> = []
        for (;;) {
          const next = yield* server.read
          if (Option.isNone(next)) return got
          got.push(next.value)
          // a reader that pauses after each chunk, so the other takes what arrives meanwhile
          yield* Effect.sleep("1 millis")
        }
      })
      const readers = yield* Effect.all([reader, reader], { concurrency: 2 }).pipe(Effect.fork)
      for (let o = 0; o < data.length; o += 4096) yield* conn.write(data.subarray(o, o + 4096))
      yield* conn.end
      const [one, two] = yield* Fiber.join(readers)
      // every octet once: the chunks, put back in sequence order by where they sit in the data, are the data
      const total = [...one, ...two].reduce((n, c) => n + c.length, 0)
      expect(total).toBe(data.length)
      expect(one.length).toBeGreaterThan(0)
      expect(two.length).toBeGreaterThan(0)
    }), 30_000)

  it.scoped("closing a stack's scope resets every connection, opened either way, and ends every fiber the stack started", () =>
    Effect.gen(function*() {
      const fibers = yield* Supervisor.track
      const [la, lb] = yield* LinkMemory.makePair({ macA: MAC_A, macB: MAC_B })
      const b = yield* stackOn(lb, { address: ADDR_B, prefixLength: 24 })
      const scopeA = yield* Scope.make()
      // stack A and everything it runs (its connections' halves included) is tracked
      const a = yield* Effect.supervised(stackOn(la, { address: ADDR_A, prefixLength: 24 }), fibers).pipe(Scope.extend(scopeA))
      const onA = <X, E>(effect: Effect.Effect<X, E, Tcp | Scope.Scope>) => Effect.supervised(run(a, effect), fibers).pipe(Scope.extend(scopeA))
      const listenerA = yield* onA(Effect.flatMap(Tcp, (t) => t.listen({ port: 7 })))
      const listenerB = yield* run(b, Effect.flatMap(Tcp, (t) => t.listen({ port: 8 })))
      // three connections from B to A, two from A to B
      const toA = yield* Effect.forEach([1, 2, 3], () => Effect.fork(run(b, Effect.flatMap(Tcp, (t) => t.connect({ address: ADDR_A, port: 7 })))))
      const toB = yield* Effect.forEach([1, 2], () => Effect.fork(onA(Effect.flatMap(Tcp, (t) => t.connect({ address: ADDR_B, port: 8 })))))
      yield* settle
      const bEnds = [...(yield* Effect.forEach(toA, Fiber.join)), ...(yield* Effect.forEach(toB, () => listenerB.accept))]
      yield* Effect.forEach(toA, () => listenerA.accept)
      yield* Effect.forEach(toB, Fiber.join)
      expect((yield* statsOf(a)).tcp.connections).toBe(5)
      const readers = yield* Effect.forEach(bEnds, (c) => Effect.fork(c.read))
      yield* settle
      expect((yield* fibers.value).length).toBeGreaterThan(10)
      yield* Scope.close(scopeA, Exit.void)
      yield* settle
      const reasons = yield* Effect.forEach(readers, (r) =>
        Effect.map(boundedWait(Fiber.await(r), "the reset from the closing stack"), (exit) =>
          Exit.isFailure(exit) ? Option.getOrUndefined(Option.map(Cause.failureOption(exit.cause), (e) => e.reason)) : "read"))
      expect(reasons).toEqual(["ConnectionReset", "ConnectionReset", "ConnectionReset", "ConnectionReset", "ConnectionReset"])
      expect((yield* statsOf(b)).tcp.connections).toBe(0)
      // nothing stack A started is still running
      expect((yield* fibers.value).length).toBe(0)
    }))

  it.scoped("a handshake that completes while the stack closes opens no connection: its peer is refused, an accept waiting meanwhile fails, nothing is left (inet_csk_listen_stop)", () =>
    Effect.gen(function*() {
      const fibers = yield* Supervisor.track
      const [la, lb] = yield* LinkMemory.makePair({ macA: MAC_A, macB: MAC_B })
      // A's link holds the first reset it sends, while `gate` is set, until `release`: the close is
      // then paused between its look at the connections (the reset is the first one's abort) and
      // the listeners' close, with A's dealer still running
      const release = yield* Deferred.make<void>()
      let gate = false
      let held = 0
      const isReset = (frame: Uint8Array): boolean => {
        if (frame[12] !== 0x08 || frame[13] !== 0x00 || frame[14 + 9] !== 6) return false
        return (frame[14 + (frame[14]! & 0x0f) * 4 + 13]! & 0x04) !== 0
      }
      const gated: LinkService = {
        ...la,
        send: (frame) => gated.sendBatch([frame]),
        sendBatch: (frames, meta) =>
          Effect.suspend(() => {
            if (!gate || !frames.some((f) => isReset(flatten(f)))) return la.sendBatch(frames, meta)
            gate = false
            held++
            return Effect.zipRight(Deferred.await(release), la.sendBatch(frames, meta))
          })
      }
      const b = yield* stackOn(lb, { address: ADDR_B, prefixLength: 24 })
      const scopeA = yield* Scope.make()
      const a = yield* Effect.supervised(stackOn(gated, { address: ADDR_A, prefixLength: 24 }), fibers).pipe(Scope.extend(scopeA))
      // the application's listener, in a scope of its own that outlives the stack's
      const listenScope = yield* Scope.make()
      const listener = yield* Effect.supervised(run(a, Effect.flatMap(Tcp, (t) => t.listen({ port: 7 }))), fibers).pipe(Scope.extend(listenScope))
      const connectAndRead = Effect.gen(function*() {
        const conn = yield* run(b, Effect.flatMap(Tcp, (t) => t.connect({ address: ADDR_A, port: 7 })))
        return yield* conn.read
      })
      const outcome = (fiber: Fiber.RuntimeFiber<Option.Option<Uint8Array>, TcpError>) =>
        Effect.map(boundedWait(Fiber.await(fiber), "the client's end"), (exit) =>
          Exit.isFailure(exit) ? Option.getOrElse(Option.map(Cause.failureOption(exit.cause), (e) => e.reason), () => "died") : "read")
      // one connection open before the close
      const first = yield* Effect.fork(connectAndRead)
      yield* settle
      yield* listener.accept
      gate = true
      const closing = yield* Effect.fork(Scope.close(scopeA, Exit.void))
      yield* settle
      expect(held).toBe(1)
      // meanwhile a handshake completes, and the application waits in accept
      const second = yield* Effect.fork(connectAndRead)
      yield* settle
      const accepting = yield* Effect.fork(Effect.either(listener.accept))
      yield* settle
      yield* Deferred.succeed(release, undefined)
      yield* boundedWait(Fiber.join(closing), "the stack's close")
      yield* settle
      expect(yield* outcome(first)).toBe("ConnectionReset")
      // Linux's closing listener resets what reaches it (the SYN or the completing ACK)
      expect(["ConnectionRefused", "ConnectionReset"]).toContain(yield* outcome(second))
      const accepted = yield* boundedWait(Fiber.join(accepting), "the accept")
      expect(Either.isLeft(accepted) ? accepted.left.reason : "accepted").toBe("Closed")
      const { tcp } = yield* statsOf(a)
      expect({ connections: tcp.connections, halfOpen: tcp.halfOpen, portsHeld: tcp.portsHeld }).toEqual({ connections: 0, halfOpen: 0, portsHeld: 0 })
      expect((yield* statsOf(b)).tcp.connections).toBe(0)
      expect((yield* fibers.value).length).toBe(0)
      yield* Scope.close(listenScope, Exit.void)
    }))

  it.scoped("a half-open connection of a listener the stack's close takes out goes with it: no SYN-ACK is sent again while the close waits on its resets (Linux's reqsk_timer_handler drops a request whose listener left LISTEN)", () =>
    Effect.gen(function*() {
      const [la, lb] = yield* LinkMemory.makePair({ macA: MAC_A, macB: MAC_B })
      // A's link holds the first reset it sends once `gate` is set, until `release`, and counts the
      // SYN-ACKs A sends meanwhile; B's link drops B's pure ACKs while `dropAcks` is set
      const release = yield* Deferred.make<void>()
      let gate = false
      let held = 0
      let synAcksWhileClosing = 0
      const tcpFlags = (frame: Uint8Array): number | undefined =>
        frame[12] !== 0x08 || frame[13] !== 0x00 || frame[14 + 9] !== 6 ? undefined : frame[14 + (frame[14]! & 0x0f) * 4 + 13]!
      const gated: LinkService = {
        ...la,
        send: (frame) => gated.sendBatch([frame]),
        sendBatch: (frames, meta) =>
          Effect.suspend(() => {
            const flags = frames.map((f) => tcpFlags(flatten(f)))
            if (held > 0) synAcksWhileClosing += flags.filter((f) => f !== undefined && (f & 0x12) === 0x12).length
            if (!gate || !flags.some((f) => f !== undefined && (f & 0x04) !== 0)) return la.sendBatch(frames, meta)
            gate = false
            held++
            return Effect.zipRight(Deferred.await(release), la.sendBatch(frames, meta))
          })
      }
      let dropAcks = false
      const lossyB: LinkService = {
        ...lb,
        send: (frame) => lossyB.sendBatch([frame]),
        sendBatch: (frames, meta) =>
          Effect.suspend(() => {
            const kept = dropAcks ? frames.filter((f) => tcpFlags(flatten(f)) !== 0x10) : frames
            return kept.length === 0 ? Effect.void : lb.sendBatch(kept, meta)
          })
      }
      const b = yield* stackOn(lossyB, { address: ADDR_B, prefixLength: 24 })
      const scopeA = yield* Scope.make()
      const a = yield* stackOn(gated, { address: ADDR_A, prefixLength: 24 }).pipe(Scope.extend(scopeA))
      const listenScope = yield* Scope.make()
      const listener = yield* run(a, Effect.flatMap(Tcp, (t) => t.listen({ port: 7 }))).pipe(Scope.extend(listenScope))
      // one connection, whose reset the close will wait on
      yield* Effect.fork(run(b, Effect.flatMap(Tcp, (t) => t.connect({ address: ADDR_A, port: 7 }))))
      yield* settle
      yield* listener.accept
      // and one handshake whose completing ACK is lost: half-open on A, its SYN-ACK due again in 1 s
      dropAcks = true
      yield* Effect.fork(run(b, Effect.flatMap(Tcp, (t) => t.connect({ address: ADDR_A, port: 7 }))))
      yield* settle
      dropAcks = false
      expect((yield* statsOf(a)).tcp.halfOpen).toBe(1)
      gate = true
      const closing = yield* Effect.fork(Scope.close(scopeA, Exit.void))
      yield* settle
      const heldAtClose = held
      // the listener is gone: its half-open connection with it, and no SYN-ACK says otherwise
      const halfOpenWhileClosing = (yield* statsOf(a)).tcp.halfOpen
      yield* TestClock.adjust("1500 millis")
      yield* settle
      yield* Deferred.succeed(release, undefined)
      yield* boundedWait(Fiber.join(closing), "the stack's close")
      yield* Scope.close(listenScope, Exit.void)
      expect({ heldAtClose, halfOpenWhileClosing, synAcksWhileClosing }).toEqual({ heldAtClose: 1, halfOpenWhileClosing: 0, synAcksWhileClosing: 0 })
    }))

  it.scoped("connections that end leave nothing behind: no connection, half-open or TIME-WAIT entry, no fiber", () =>
    Effect.gen(function*() {
      // every fiber the stacks start, connections' halves included, is tracked from here
      const fibers = yield* Supervisor.track
      yield* Effect.supervised(twentyConnections(fibers), fibers)
    }))

  it.scoped("connections that end abnormally leave nothing behind: abort, RST on an unread close, refused, a listener closed over an unaccepted one", () =>
    Effect.gen(function*() {
      const fibers = yield* Supervisor.track
      yield* Effect.supervised(abnormalEndings(fibers), fibers)
    }))
})

/** Neither stack holds a connection, a half-open entry or a TIME-WAIT record, nor a port for one. */
const nothingLeft = (...stacks: ReadonlyArray<StackContext>) =>
  Effect.forEach(stacks, (s) =>
    Effect.map(statsOf(s), ({ tcp }) =>
      expect({ connections: tcp.connections, halfOpen: tcp.halfOpen, timeWait: tcp.timeWait, portsHeld: tcp.portsHeld }).toEqual({
        connections: 0,
        halfOpen: 0,
        timeWait: 0,
        portsHeld: 0
      })), { discard: true })

/**
 * Twenty connections opened, used and closed between two stacks; then
 * everything they held is gone. The live fibers are counted after a first
 * connection (it resolves the neighbours, and each stack keeps a neighbour
 * timer fiber from then on) has ended.
 */
const twentyConnections = (fibers: Supervisor.Supervisor<Array<unknown>>) =>
  Effect.gen(function*() {
    const { a, b } = yield* twoStacks({ configA: { tcp: { timeWait: "1 second" } }, configB: { tcp: { timeWait: "1 second" } } })
    const listener = yield* run(a, Effect.flatMap(Tcp, (t) => t.listen({ port: 7 })))
    const cycle = (i: number) =>
      Effect.gen(function*() {
        const client = yield* Effect.fork(run(b, Effect.flatMap(Tcp, (t) => t.connect({ address: ADDR_A, port: 7 }))))
        yield* settle
        const server = yield* listener.accept
        const conn = yield* Fiber.join(client)
        yield* conn.write(new Uint8Array([i]))
        yield* conn.end
        yield* settle
        expect(Option.getOrThrow(yield* server.read)[0]).toBe(i)
        yield* server.end
        yield* settle
      })
    // the closing side waits in TIME-WAIT; after it, nothing is left on either stack
    const afterTimeWait = Effect.zipRight(TestClock.adjust("1 second"), settle)
    yield* cycle(0)
    yield* afterTimeWait
    const baseline = (yield* fibers.value).length
    for (let i = 1; i < 20; i++) yield* cycle(i)
    yield* afterTimeWait
    yield* nothingLeft(a, b)
    expect((yield* statsOf(a)).tcp.passiveOpens).toBe(20)
    // each connection ran two fibers on each stack; none is left
    expect((yield* fibers.value).length).toBe(baseline)
  })

/**
 * Connections that end otherwise than by a clean close each way: a client's abort, an RST from a
 * close with data unread, a refused connect, and a connection established but never accepted whose
 * listener closes. Afterwards nothing is left of them, fibers included (counted after a first,
 * normal connection has resolved the neighbours).
 */
const abnormalEndings = (fibers: Supervisor.Supervisor<Array<unknown>>) =>
  Effect.gen(function*() {
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
    yield* nothingLeft(a, b)
    expect((yield* fibers.value).length).toBe(baseline)
  })

describe("the small services (RFC 862, 864)", () => {
  it.scoped("chargen keeps sending after the client's half-close (`nc -N`, `socat ... </dev/null`): only the end of the connection stops it", () =>
    Effect.gen(function*() {
      const { a, b } = yield* twoStacks()
      yield* run(a, Services.serve(19, Services.chargen))
      const exit = yield* runAdvancing(run(b, Effect.gen(function*() {
        const conn = yield* Effect.flatMap(Tcp, (t) => t.connect({ address: ADDR_A, port: 19 }))
        yield* conn.end
        let got = 0
        while (got < 1_000_000) {
          const c = yield* conn.read
          if (Option.isNone(c)) break
          got += c.value.length
        }
        yield* conn.abort
        return got
      })), "10 millis", "2 minutes")
      expect(Exit.isSuccess(exit) ? exit.value : exit).toBeGreaterThanOrEqual(1_000_000)
    }))
})
