/**
 * The user timeout (RFC 9293 §3.10.8; Linux's TCP_USER_TIMEOUT) between two whole stacks in virtual
 * time: a connection whose data stays unacknowledged fails with TimedOut exactly the user timeout
 * after its first retransmission (Linux's retransmits_timed_out from retrans_stamp, the RTO clamped by
 * tcp_clamp_rto_to_user_timeout), not a tick before; the option comes from connect, from the listener
 * (inherited by what it accepts, as Linux's inet_csk_clone_lock copies it) or the setter; bad values are
 * InvalidArgument. The pure rules, step by step: test/tcp/UserTimeout.test.ts.
 */
import { describe, expect, it } from "@effect/vitest"
import { Cause, Clock, Effect, Exit, Fiber, Option, TestClock } from "effect"
import { Tcp, type TcpError } from "../../src/tcp/Tcp.js"
import { settle } from "../support/Clock.js"
import { makeWatch, type Watch, watching, withData } from "../support/TcpWatch.js"
import { ADDR_A, run, twoStacks } from "../support/TestNet.js"

const PORT = 80
const advance = (ms: number) => Effect.zipRight(TestClock.adjust(ms), settle)
const now = Clock.currentTimeMillis

const connected = (watch: Watch, o: { readonly listen?: number; readonly connect?: number } = {}) =>
  Effect.gen(function*() {
    const { a, b } = yield* twoStacks({ wrapB: watching(watch) })
    const listener = yield* run(a, Effect.flatMap(Tcp, (t) => t.listen({ port: PORT, ...(o.listen !== undefined ? { userTimeout: o.listen } : {}) })))
    const client = yield* Effect.fork(
      run(b, Effect.flatMap(Tcp, (t) => t.connect({ address: ADDR_A, port: PORT, ...(o.connect !== undefined ? { userTimeout: o.connect } : {}) })))
    )
    yield* settle
    const server = yield* listener.accept
    const conn = yield* Fiber.join(client)
    return { a, b, server, conn }
  })

const reasonOf = (exit: Exit.Exit<unknown, TcpError>) =>
  Exit.isFailure(exit) ? Option.map(Cause.failureOption(exit.cause), (e) => e.reason) : Option.none()

/** Step to `at` ms after `t0` through `stops`, then check `closed` is still open one tick before the end and failed at it. */
const failsAt = (closed: Fiber.RuntimeFiber<void, TcpError>, stops: ReadonlyArray<number>) =>
  Effect.gen(function*() {
    let at = 0
    for (const s of stops.slice(0, -1)) {
      yield* advance(s - at)
      at = s
    }
    const end = stops[stops.length - 1]!
    yield* advance(end - 1 - at)
    expect(closed.unsafePoll()).toBeNull()
    yield* advance(1)
    return reasonOf(yield* Fiber.await(closed))
  })

describe("TCP user timeout in virtual time", () => {
  it.scoped("connect's user timeout: TimedOut exactly 1000 ms after the first retransmission, the RTO clamped to it", () =>
    Effect.gen(function*() {
      const watch = makeWatch()
      const { conn } = yield* connected(watch, { connect: 1000 })
      watch.drop = () => true
      const t0 = yield* now
      yield* conn.write(new Uint8Array(100))
      const closed = yield* Effect.fork(conn.closed)
      // the tail probe at 200 (no retransmission to Linux's retrans_stamp: tcp_send_loss_probe), the
      // RTO at 400 (retrans_stamp), 400 backed off: 800; 800 backed off but 600 left: 1400, not 1600
      expect(yield* failsAt(closed, [200, 400, 800, 1400])).toEqual(Option.some("TimedOut"))
      expect(withData(watch).map((s) => s.at - t0)).toEqual([0, 200, 400, 800])
    }))

  it.scoped("a listener's user timeout is its accepted connections' (the peer's ACKs lost: the server fails at it)", () =>
    Effect.gen(function*() {
      const watch = makeWatch()
      const { server } = yield* connected(watch, { listen: 1000 })
      watch.drop = () => true
      yield* server.write(new Uint8Array(100))
      const closed = yield* Effect.fork(server.closed)
      expect(yield* failsAt(closed, [200, 400, 800, 1400])).toEqual(Option.some("TimedOut"))
    }))

  it.scoped("the setter on an open connection sets it from then on; 0 is accepted (off)", () =>
    Effect.gen(function*() {
      const watch = makeWatch()
      const { conn } = yield* connected(watch)
      yield* conn.setUserTimeout(1000)
      watch.drop = () => true
      yield* conn.write(new Uint8Array(100))
      const closed = yield* Effect.fork(conn.closed)
      expect(yield* failsAt(closed, [200, 400, 800, 1400])).toEqual(Option.some("TimedOut"))
      const other = yield* connected(makeWatch(), { connect: 1000 })
      yield* other.conn.setUserTimeout(0)
      expect(yield* Effect.exit(other.conn.setUserTimeout(0))).toEqual(Exit.void)
    }))

  it.scoped("a negative or fractional user timeout is InvalidArgument: connect, listen and the setter", () =>
    Effect.gen(function*() {
      const watch = makeWatch()
      const { a, b, conn } = yield* connected(watch)
      const reason = (e: Effect.Effect<unknown, TcpError, never>) => Effect.map(Effect.exit(e), reasonOf)
      const bad = Option.some("InvalidArgument")
      expect(yield* reason(conn.setUserTimeout(-1))).toEqual(bad)
      expect(yield* reason(conn.setUserTimeout(1.5))).toEqual(bad)
      expect(yield* reason(conn.setUserTimeout(Number.NaN))).toEqual(bad)
      expect(yield* reason(run(b, Effect.flatMap(Tcp, (t) => t.connect({ address: ADDR_A, port: PORT, userTimeout: -5 }))))).toEqual(bad)
      expect(yield* reason(Effect.scoped(run(a, Effect.flatMap(Tcp, (t) => t.listen({ port: 81, userTimeout: 0.5 })))))).toEqual(bad)
    }))
})
