/**
 * TCP timers between two whole stacks, in virtual time (TestClock): every
 * retransmission, probe and TIME-WAIT lands at an exact instant, asserted to
 * the millisecond, and a 1 MB transfer survives loss, reordering and
 * duplication for fixed seeds. Stack B (198.18.0.3) is the client; a watch
 * on its link records each segment it sends with the Clock time, and drops
 * the ones a test names.
 */
import { describe, expect, it } from "@effect/vitest"
import { Cause, Clock, Effect, Either, Exit, Fiber, Metric, Option, TestClock } from "effect"
import * as Prometheus from "../../src/metrics/Prometheus.js"
import { createHash } from "node:crypto"
import * as LinkFault from "../../src/link/LinkFault.js"
import type { LinkService } from "../../src/link/Link.js"
import { type Connection, Tcp } from "../../src/tcp/Tcp.js"
import type { StackConfigInput } from "../../src/Config.js"
import { boundedWait, runAdvancing, runToEnd, settle } from "../support/Clock.js"
import { isFin, isSyn, makeWatch, type Watch, watching, withData } from "../support/TcpWatch.js"
import { ADDR_A, run, type StackContext, statsOf, twoStacks } from "../support/TestNet.js"

const PORT = 80

const world = (
  watch: Watch,
  config?: Partial<StackConfigInput> | { readonly configA: Partial<StackConfigInput> }
) =>
  Effect.gen(function*() {
    const { a, b } = yield* twoStacks({
      wrapB: watching(watch),
      ...(config === undefined ? {} : "configA" in config ? config : { configA: config, configB: config })
    })
    const listener = yield* run(a, Effect.flatMap(Tcp, (t) => t.listen({ port: PORT })))
    return { a, b, listener }
  })

/** B connects to A; the server side is accepted too. */
const connect = (b: StackContext) => run(b, Effect.flatMap(Tcp, (t) => t.connect({ address: ADDR_A, port: PORT })))

/** The world, with B connected to A: both ends of the connection. */
const connected = (watch: Watch, config?: Partial<StackConfigInput>) =>
  Effect.gen(function*() {
    const { b, listener } = yield* world(watch, config)
    const client = yield* Effect.fork(connect(b))
    yield* settle
    const server = yield* listener.accept
    const conn = yield* Fiber.join(client)
    return { b, server, conn }
  })

/**
 * Advance virtual time by `ms` in one step, then let fibers run. The wheel
 * sleeps to the earliest deadline, so a timer due inside the step would fire
 * late: the tests step exactly to each expected instant (and one tick short).
 */
const advance = (ms: number) => Effect.zipRight(TestClock.adjust(ms), settle)

const now = Clock.currentTimeMillis

/** Read until the peer ends; the octets. */
const readAll = (c: Connection) =>
  Effect.gen(function*() {
    const chunks: Array<Uint8Array> = []
    for (;;) {
      const next = yield* c.read
      if (Option.isNone(next)) break
      chunks.push(next.value)
    }
    return Buffer.concat(chunks)
  })

describe("TCP retransmission in virtual time", () => {
  it.scoped("a lost data segment is sent again exactly one RTO later (200 ms after a sub-ms RTT), not a tick earlier", () =>
    Effect.gen(function*() {
      const watch = makeWatch()
      const { server, conn } = yield* connected(watch)
      // the first segment with data is lost
      watch.drop = (seg) => seg.payload.length > 0 && withData(watch).length === 0
      const t0 = yield* now
      yield* conn.write(new TextEncoder().encode("hello"))
      yield* settle
      expect(withData(watch).map((s) => [s.at - t0, s.dropped])).toEqual([[0, true]])
      yield* advance(199)
      expect(withData(watch)).toHaveLength(1)
      yield* advance(1)
      expect(withData(watch).map((s) => [s.at - t0, s.dropped])).toEqual([[0, true], [200, false]])
      const got = yield* server.read
      expect(new TextDecoder().decode(Option.getOrThrow(got))).toBe("hello")
      expect((yield* conn.info).retransmits).toBe(1)
    }))

  it.scoped("over a 200 ms path the RTO is SRTT + 4 RTTVAR of the handshake's sample: a lost segment goes again 600 ms later, not a tick earlier", () =>
    Effect.gen(function*() {
      const watch = makeWatch()
      const oneWay = (l: LinkService) => LinkFault.make(l, { seed: 1, tx: { delay: "100 millis" } })
      const { a, b } = yield* twoStacks({ wrapA: oneWay, wrapB: (l) => Effect.flatMap(oneWay(l), watching(watch)) })
      const listener = yield* run(a, Effect.flatMap(Tcp, (t) => t.listen({ port: PORT })))
      // a first connection resolves the neighbours (the SYN's sample would include ARP's round trip)
      const open = Effect.flatMap(runToEnd(Effect.zip(connect(b), listener.accept, { concurrent: true })), (r) => r.exit)
      yield* open
      const [conn] = yield* open
      // one sample, R = 200: SRTT 200, RTTVAR 100, RTO = 200 + 4 x 100 (RFC 6298 §2.2)
      const info = yield* conn.info
      expect([info.srtt, info.rto]).toEqual([200, 600])
      watch.drop = (seg) => seg.payload.length > 0 && withData(watch).length === 0
      const t0 = yield* now
      yield* conn.write(new TextEncoder().encode("hello"))
      yield* settle
      yield* advance(599)
      expect(withData(watch).map((s) => s.at - t0)).toEqual([0])
      yield* advance(1)
      expect(withData(watch).map((s) => [s.at - t0, s.dropped])).toEqual([[0, true], [600, false]])
    }))

  it.scoped("tcp.congestion reaches the connections: one loss halves ssthresh under NewReno, takes it to 0.7 under CUBIC", () =>
    Effect.gen(function*() {
      const ssthreshAfterOneLoss = (congestion: "newreno" | "cubic") =>
        Effect.scoped(Effect.gen(function*() {
          const watch = makeWatch()
          const { server, conn } = yield* connected(watch, { tcp: { congestion } })
          const first = yield* conn.info
          // SMSS: what a segment carries, the timestamps (10 octets and 2 of padding) left out (RFC 5681 §2)
          const mss = first.mss - (first.timestamps ? 12 : 0)
          watch.drop = (seg) => seg.payload.length > 0 && withData(watch).length === 0
          // ten segments, the initial window (RFC 6928): the first lost, SACK shows it at once
          yield* conn.write(new Uint8Array(10 * mss))
          const r = yield* runToEnd(Effect.gen(function*() {
            let got = 0
            while (got < 10 * mss) got += Option.getOrThrow(yield* server.read).length
          }), "10 seconds")
          expect(Exit.isSuccess(r.exit)).toBe(true)
          const info = yield* conn.info
          expect(info.fastRetransmits).toBe(1)
          return info.ssthresh / mss
        }))
      expect(yield* ssthreshAfterOneLoss("newreno")).toBe(5)
      expect(yield* ssthreshAfterOneLoss("cubic")).toBe(7)
    }))

  it.scoped("ACKs lost for a while (the data arrived): the timeout is found spurious, by F-RTO or by the echoed timestamp, and its cwnd cut undone, or by the D-SACK of the resend; with none of them it stays", () =>
    Effect.gen(function*() {
      const after = (frto: boolean, timestamps: boolean, sack = true) =>
        Effect.scoped(Effect.gen(function*() {
          const watch = makeWatch()
          // A's pure ACKs are dropped while `blackout` holds: the data gets through, the news of it does not
          const acks = makeWatch()
          let blackout = false
          acks.drop = (seg) => blackout && seg.payload.length === 0
          const { a, b } = yield* twoStacks({ wrapA: watching(acks), wrapB: watching(watch), configA: { tcp: { frto, timestamps, sack } }, configB: { tcp: { frto, timestamps, sack } } })
          const listener = yield* run(a, Effect.flatMap(Tcp, (t) => t.listen({ port: PORT })))
          const client = yield* Effect.fork(connect(b))
          yield* settle
          const server = yield* listener.accept
          const conn = yield* Fiber.join(client)
          const mss = (yield* conn.info).mss
          const reading = yield* Effect.fork(readAll(server))
          const before = (yield* conn.info).cwnd
          blackout = true
          const t0 = yield* now
          // more than the initial window: ten segments go, the rest waits for ACKs that do not come
          yield* conn.write(new Uint8Array(30 * mss).map((_, i) => i & 0xff))
          yield* settle
          expect(withData(watch)).toHaveLength(10)
          // the tail probe (new data, the eleventh segment) 2 ms after (2 SRTT + TCP_TIMEOUT_MIN_US, SRTT
          // 0 in virtual time: Linux's tcp_schedule_loss_probe); then the timeout
          yield* advance(100)
          blackout = false
          const t = (yield* conn.info).rto
          yield* advance(t)
          // the first segment went twice: at the timeout, 200 ms (the RTO floor) after the probe, which
          // went 2 ms after the write (2 SRTT + 2 ms, SRTT 0); without SACK no probe (Linux's
          // tcp_schedule_loss_probe asks tcp_is_sack), the timeout 200 ms after the write
          expect(t).toBe(200)
          expect(withData(watch).filter((x) => x.seg.seq === withData(watch)[0]!.seg.seq).map((x) => x.at - t0)).toEqual([0, sack ? 202 : 200])
          const info = yield* conn.info
          yield* conn.end
          const r = yield* runToEnd(Fiber.join(reading), "1 minute")
          expect(Exit.isSuccess(r.exit) && r.exit.value.length).toBe(30 * mss)
          expect([info.timeouts, info.retransmits]).toEqual([1, 1])
          const stack = (yield* statsOf(b)).tcp
          return { spurious: info.spuriousTimeouts, eifel: info.eifelUndos, cwndKept: info.cwnd >= before, stack: [stack.spuriousTimeouts, stack.eifelUndos] }
        }))
      // F-RTO on: the ACK of the retransmission covers the whole old flight, sent once (RFC 5682 §3.1),
      // but it D-SACKs the resend too, and Linux's tcp_process_loss asks tcp_try_undo_loss(sk, false)
      // first: undo_retrans 0, tcp_may_undo, LINUX_MIB_TCPLOSSUNDO (`eifelUndos`), as the echo's below
      // (review59a: before, the stack took no D-SACK undo in a timeout's episode and F-RTO's proof came)
      expect(yield* after(true, false)).toEqual({ spurious: 1, eifel: 1, cwndKept: true, stack: [1, 1] })
      // the same ACK echoes the probe's timestamp, older than the retransmission (RFC 3522)
      expect(yield* after(false, true)).toEqual({ spurious: 1, eifel: 1, cwndKept: true, stack: [1, 1] })
      // neither, with SACK: the D-SACK alone (tcp_try_undo_loss with tcp_may_undo's !undo_retrans)
      expect(yield* after(false, false)).toEqual({ spurious: 1, eifel: 1, cwndKept: true, stack: [1, 1] })
      // none of the three: the cut stays
      expect(yield* after(false, false, false)).toEqual({ spurious: 0, eifel: 0, cwndKept: false, stack: [0, 0] })
    }))

  it.scoped("a send buffer smaller than the MSS still moves data, written in pieces of the buffer (mTCP #493 stalled)", () =>
    Effect.gen(function*() {
      const watch = makeWatch()
      const { server, conn } = yield* connected(watch, { tcp: { sendBuffer: 1024, maxSendBuffer: 1024 } })
      expect((yield* conn.info).mss).toBeGreaterThan(1024)
      const data = new Uint8Array(16 * 1024).map((_, i) => i * 7)
      const writeAll = Effect.zipRight(
        Effect.forEach(Array.from({ length: 16 }, (_, i) => data.subarray(i * 1024, (i + 1) * 1024)), (piece) => conn.write(piece)),
        conn.end
      )
      const r = yield* runToEnd(Effect.zip(
        writeAll,
        readAll(server),
        { concurrent: true }
      ), "10 seconds")
      expect(Exit.isSuccess(r.exit) && Buffer.compare(r.exit.value[1], Buffer.from(data))).toBe(0)
      // each piece waits at most for the peer's delayed ACK of the one before (40 ms): slow, never stalled
      const at = withData(watch).map((s) => s.at)
      expect(Math.max(...at.slice(1).map((t, i) => t - at[i]!))).toBeLessThanOrEqual(40)
    }))

  it.scoped("a write larger than the send buffer completes only once its last octet is in, as write(2) does; nothing is lost", () =>
    Effect.gen(function*() {
      const watch = makeWatch()
      const { server, conn } = yield* connected(watch, {
        tcp: { sendBuffer: 16_384, maxSendBuffer: 16_384, receiveBuffer: 8192, maxReceiveBuffer: 8192 }
      })
      const data = new Uint8Array(64 * 1024).map((_, i) => (i * 13) & 0xff)
      const writing = yield* Effect.fork(conn.write(data))
      // the reader has not read: the peer's 8 KiB and our 16 KiB hold a third of it at most
      for (let i = 0; i < 5; i++) yield* advance(200)
      expect(writing.unsafePoll()).toBeNull()
      const r = yield* runToEnd(Effect.zip(Effect.zipRight(Fiber.join(writing), conn.end), readAll(server), { concurrent: true }), "1 minute")
      expect(Exit.isSuccess(r.exit) && Buffer.compare(r.exit.value[1], Buffer.from(data))).toBe(0)
    }))

  it.scoped("the stack's retransmission counters keep a connection's counts after it is over; RTT samples go to gonet_tcp_rtt_ms", () =>
    Effect.gen(function*() {
      const watch = makeWatch()
      const { b, server, conn } = yield* connected(watch)
      // the segment and its tail probe (at the RTO's time, 200 ms) lost; the RTO's copy at 400 ms arrives
      watch.drop = (seg) => seg.payload.length > 0 && withData(watch).length < 2
      yield* conn.write(new TextEncoder().encode("hello"))
      yield* advance(200)
      yield* advance(200)
      yield* server.read
      const counts = { retransmits: 2, timeouts: 1, tailProbes: 1, fastRetransmits: 0 }
      expect((yield* statsOf(b)).tcp).toMatchObject(counts)
      yield* conn.abort
      yield* settle
      expect((yield* statsOf(b)).tcp).toMatchObject({ connections: 0, ...counts })
      // B (198.18.0.3) measured its handshake and the retransmitted segment's ACK, at least
      const text = Prometheus.render(yield* Metric.snapshot)
      const count = /^gonet_tcp_rtt_ms_count\{stack="198\.18\.0\.3"\} (\d+)$/m.exec(text)
      expect(Number(count?.[1])).toBeGreaterThanOrEqual(1)
    }))

  it.scoped("a lost SYN is sent again after 1 s, and again 2 s later (RFC 6298 §2.1, §5.5)", () =>
    Effect.gen(function*() {
      const watch = makeWatch()
      const { b, listener } = yield* world(watch)
      watch.drop = (seg) => isSyn(seg) && watch.sent.filter((s) => isSyn(s.seg)).length < 2
      const t0 = yield* now
      const client = yield* Effect.fork(connect(b))
      yield* settle
      yield* advance(999)
      expect(watch.sent.filter((s) => isSyn(s.seg)).map((s) => s.at - t0)).toEqual([0])
      yield* advance(1)
      yield* advance(1999)
      expect(watch.sent.filter((s) => isSyn(s.seg)).map((s) => s.at - t0)).toEqual([0, 1000])
      yield* advance(1)
      expect(watch.sent.filter((s) => isSyn(s.seg)).map((s) => [s.at - t0, s.dropped])).toEqual([
        [0, true],
        [1000, true],
        [3000, false]
      ])
      const conn = yield* Fiber.join(client)
      yield* listener.accept
      // the SYN was lost twice: cwnd starts at one segment (RFC 5681 §3.1; Linux's tcp_init_transfer,
      // which the stack follows, asks more than one retransmission), of what a segment carries (SMSS
      // leaves the timestamps out, §2)
      const info = yield* conn.info
      expect(info.cwnd).toBe(info.mss - (info.timestamps ? 12 : 0))
    }))

  // Linux 6.5+'s tcp_syn_linear_timeouts (6.18's default 4; the stack's default 0 keeps RFC 6298's
  // doubling above): the SYN's RTO held at its initial 1 s for the first four timeouts, doubled after
  // (tcp_retransmit_timer: total_rto > 4); the connect fails at the first expiry at or past
  // tcp_model_timeout(tcp_syn_retries 6, 1 s) = 127 s from the first SYN, the count's (6 + 4 resends) too
  it.scoped("tcp.synLinearTimeouts 4, every SYN lost: SYN at 0, 1, 2, 3, 4, 5, 7, 11, 19, 35, 67 s, none a tick earlier; connect fails TimedOut at 131 s", () =>
    Effect.gen(function*() {
      const watch = makeWatch()
      const { b } = yield* world(watch, { tcp: { synLinearTimeouts: 4 } })
      watch.drop = (seg) => isSyn(seg)
      const t0 = yield* now
      const client = yield* Effect.fork(connect(b))
      yield* settle
      const syns = () => watch.sent.filter((s) => isSyn(s.seg)).map((s) => s.at - t0)
      const expected = [0, 1000, 2000, 3000, 4000, 5000, 7000, 11_000, 19_000, 35_000, 67_000]
      let at = 0
      for (const next of expected.slice(1)) {
        yield* advance(next - 1 - at)
        expect(syns().at(-1)).toBe(at)
        yield* advance(1)
        at = next
      }
      expect(syns()).toEqual(expected)
      yield* advance(131_000 - 1 - at)
      expect(client.unsafePoll()).toBeNull()
      yield* advance(1)
      const exit = yield* Fiber.await(client)
      const failure = Exit.isFailure(exit) ? Cause.failureOption(exit.cause) : Option.none()
      expect(Option.map(failure, (e) => e.reason)).toEqual(Option.some("TimedOut"))
      expect(syns()).toEqual(expected)
    }))

  it.scoped("a connect given up while its SYN is unanswered leaves nothing: no SYN is sent again, no connection is left", () =>
    Effect.gen(function*() {
      const watch = makeWatch()
      const { b } = yield* world(watch)
      watch.drop = (seg) => isSyn(seg)
      const client = yield* Effect.fork(connect(b))
      yield* settle
      expect((yield* statsOf(b)).tcp.connections).toBe(1)
      yield* Fiber.interrupt(client)
      yield* settle
      expect((yield* statsOf(b)).tcp.connections).toBe(0)
      // the SYN's retransmission timer went with the connection
      yield* advance(10_000)
      expect(watch.sent.filter((s) => isSyn(s.seg)).length).toBe(1)
    }))

  it.scoped("a connect under Effect.timeout that expires leaves nothing behind: no SYN at 1 s, no connection", () =>
    Effect.gen(function*() {
      const watch = makeWatch()
      const { b } = yield* world(watch)
      watch.drop = (seg) => isSyn(seg)
      const client = yield* Effect.fork(Effect.timeout(connect(b), "500 millis"))
      yield* settle
      yield* advance(500)
      const exit = yield* Fiber.await(client)
      expect(Exit.isFailure(exit) && Cause.isFailType(exit.cause) && exit.cause.error._tag).toBe("TimeoutException")
      expect((yield* statsOf(b)).tcp.connections).toBe(0)
      yield* advance(1000)
      expect(watch.sent.filter((s) => isSyn(s.seg)).length).toBe(1)
    }))

  // Linux's give-up rule (tcp_write_timeout, retransmits_timed_out): the first expiry at least
  // tcp_model_timeout(tcp_retries2, TCP_RTO_MIN, rto max) after the first retransmission, the time
  // `retries` resends backed off from 200 ms would take: with `retries` 3, 200 + 400 + 800 + 1600 ms
  it.scoped("with every segment lost, the connection fails with TimedOut at the first expiry 3 s after the first retransmission (`retries` 3)", () =>
    Effect.gen(function*() {
      const watch = makeWatch()
      const { conn } = yield* connected(watch, { tcp: { retries: 3 } })
      watch.drop = () => true
      const t0 = yield* now
      yield* conn.write(new Uint8Array(100))
      const closed = yield* Effect.fork(conn.closed)
      // RTO 200 ms. A lone segment's tail probe would come after it (2 SRTT + 200 ms), so it goes at
      // the RTO's time instead and restarts the timer (RFC 8985 §7.2, as Linux); then the RTO, doubled
      // at each retransmission: the first at 400 (retrans_stamp), then 800, 1600, and 3200, 2800 after
      // the first, short of 3000; 6400, 6000 after it, ends it
      for (const step of [200, 200, 400, 800, 1600, 3199]) yield* advance(step)
      expect(closed.unsafePoll()).toBeNull()
      expect(withData(watch).map((s) => s.at - t0)).toEqual([0, 200, 400, 800, 1600, 3200])
      const info = yield* conn.info
      expect({ tailProbes: info.tailProbes, timeouts: info.timeouts }).toEqual({ tailProbes: 1, timeouts: 4 })
      yield* advance(1)
      const exit = yield* Fiber.await(closed)
      const failure = Exit.isFailure(exit) ? Cause.failureOption(exit.cause) : Option.none()
      expect(Option.map(failure, (e) => e.reason)).toEqual(Option.some("TimedOut"))
      expect(withData(watch)).toHaveLength(6)
    }))

  // The same rule with the RTO above the 200 ms the model assumes (tcp.minRto raised to 1 s, as a
  // route's rto_min; a longer RTT does the same): the time, 924.6 s for the default `retries` 15, runs
  // out after 13 resends, not 15 (1 s doubled to the 120 s cap: 2, 4, ... 64 s, then 120 s each)
  it.scoped("with the RTO at 1 s and the default `retries` 15: TimedOut at the first expiry 924.6 s after the first retransmission, after 13 resends", () =>
    Effect.gen(function*() {
      const watch = makeWatch()
      const { conn } = yield* connected(watch, { tcp: { minRto: "1 second" } })
      expect((yield* conn.info).rto).toBe(1000)
      watch.drop = () => true
      const t0 = yield* now
      yield* conn.write(new Uint8Array(100))
      const closed = yield* Effect.fork(conn.closed)
      // the tail probe at 1000 (the RTO's time), the timer restarted from it: the first retransmission
      // at 2000 (retrans_stamp)
      const gaps = [2000, 4000, 8000, 16_000, 32_000, 64_000, 120_000, 120_000, 120_000, 120_000, 120_000, 120_000]
      const resends = gaps.reduce((at, gap) => [...at, at.at(-1)! + gap], [2000])
      yield* advance(1000)
      yield* advance(1000)
      let last = 2000
      for (const at of resends.slice(1)) {
        yield* advance(at - last)
        last = at
      }
      expect(withData(watch).map((s) => s.at - t0)).toEqual([0, 1000, ...resends])
      expect(resends.at(-1)! - 2000).toBe(846_000)
      yield* advance(120_000 - 1)
      expect(closed.unsafePoll()).toBeNull()
      yield* advance(1)
      expect(closed.unsafePoll()).not.toBeNull()
      const exit = yield* Fiber.await(closed)
      const failure = Exit.isFailure(exit) ? Cause.failureOption(exit.cause) : Option.none()
      expect(Option.map(failure, (e) => e.reason)).toEqual(Option.some("TimedOut"))
      expect((yield* now) - t0 - 2000).toBe(966_000)
      expect(withData(watch)).toHaveLength(2 + 13)
    }))

  it.scoped("a tail drop is recovered by a probe after 2 SRTT and SACK, not by an RTO (RFC 8985)", () =>
    Effect.gen(function*() {
      const watch = makeWatch()
      const { server, conn } = yield* connected(watch)
      // ten full segments; the last two are lost
      const data = new Uint8Array(10 * 1448).map((_, i) => i)
      watch.drop = (seg) => {
        const sent = withData(watch).length
        return seg.payload.length > 0 && (sent === 8 || sent === 9)
      }
      const t0 = yield* now
      yield* conn.write(data)
      yield* settle
      const reader = yield* Effect.fork(readAll(server))
      yield* settle
      // SRTT is 0 in virtual time: the probe timeout is Linux's 2 SRTT + TCP_TIMEOUT_MIN_US, 2 ms
      // (tcp_schedule_loss_probe, more than one packet out; no floor besides)
      yield* advance(1)
      expect(withData(watch)).toHaveLength(10)
      yield* advance(1)
      yield* settle
      const sent = withData(watch).map((s) => [s.at - t0, s.seg.seq - withData(watch)[0]!.seg.seq, s.dropped])
      // the probe resends the last segment at 2 ms; its SACK shows the 9th lost, resent at once
      expect(sent.slice(10)).toEqual([[2, 9 * 1448, false], [2, 8 * 1448, false]])
      yield* conn.end
      yield* settle
      const got = yield* Fiber.join(reader)
      expect(Buffer.compare(got, Buffer.from(data))).toBe(0)
      const info = yield* conn.info
      expect(info.timeouts).toBe(0)
      expect(info.tailProbes).toBe(1)
    }))

  it.scoped("TIME-WAIT: the connection is done at once, the 4-tuple is held exactly 2 MSL (RFC 9293 §3.10.7.4)", () =>
    Effect.gen(function*() {
      const watch = makeWatch()
      const { b, server, conn } = yield* connected(watch, { tcp: { timeWait: "30 seconds" } })
      yield* conn.end
      yield* settle
      yield* server.end
      yield* settle
      expect((yield* conn.info).state).toBe("TimeWait")
      // nothing is left for the application: closed now; a small record keeps the 4-tuple
      expect(Exit.isSuccess(yield* Effect.exit(boundedWait(conn.closed, "closed")))).toBe(true)
      const t0 = yield* now
      expect(watch.sent.at(-1)!.at).toBe(t0)
      const tcpStats = Effect.map(statsOf(b), (s) => s.tcp)
      expect(yield* tcpStats).toMatchObject({ connections: 0, timeWait: 1 })
      yield* TestClock.adjust(29_999)
      yield* settle
      expect((yield* tcpStats).timeWait).toBe(1)
      yield* TestClock.adjust(1)
      yield* settle
      expect((yield* tcpStats).timeWait).toBe(0)
      expect(watch.sent.filter((s) => isFin(s.seg))).toHaveLength(1)
    }))

  it.scoped("TIME-WAIT re-acknowledges a retransmitted FIN and holds the 4-tuple 2 MSL from then", () =>
    Effect.gen(function*() {
      const watch = makeWatch()
      const { b, server, conn } = yield* connected(watch, { tcp: { timeWait: "30 seconds" } })
      yield* conn.end
      yield* settle
      // B's ACK of A's FIN is lost: A, in LAST-ACK, sends its FIN again one RTO (200 ms) later
      const before = watch.sent.length
      watch.drop = (seg) => !isFin(seg) && seg.payload.length === 0 && watch.sent.filter((x) => x.dropped).length === 0
      yield* server.end
      yield* settle
      const t0 = yield* now
      const serverClosed = yield* Effect.fork(server.closed)
      yield* TestClock.adjust(199)
      yield* settle
      expect(serverClosed.unsafePoll()).toBeNull()
      yield* TestClock.adjust(1)
      yield* settle
      // the record answered: A is closed, and B sent a second ACK at t0 + 200
      expect(Exit.isSuccess(yield* Fiber.await(serverClosed))).toBe(true)
      const acks = watch.sent.slice(before).map((x) => [x.at - t0, x.dropped])
      expect(acks).toEqual([[0, true], [200, false]])
      const tcp = (yield* statsOf(b)).tcp
      expect(tcp.timeWaitAcks).toBe(1)
      // 2 MSL counts from the retransmitted FIN
      yield* TestClock.adjust(29_999)
      yield* settle
      expect((yield* statsOf(b)).tcp.timeWait).toBe(1)
      yield* TestClock.adjust(1)
      yield* settle
      expect((yield* statsOf(b)).tcp.timeWait).toBe(0)
    }))

  it.scoped("a reader that stops makes the sender probe the zero window with backoff; reading resumes the transfer", () =>
    Effect.gen(function*() {
      const watch = makeWatch()
      const { server, conn } = yield* connected(watch, { tcp: { receiveBuffer: 4096, maxReceiveBuffer: 4096 } })
      const data = new Uint8Array(20_000).map((_, i) => i * 7)
      const writer = yield* Effect.fork(conn.write(data))
      yield* settle
      const t0 = yield* now
      // Two full segments leave 1200 octets of A's 4096: too little for sender SWS
      // avoidance, so the persist timer sends them one RTO (200 ms) later (RFC 9293
      // §3.8.6.2.1's override). A's window of 4096 holds one pair of segments: one quick ACK
      // (Linux's tcp_incr_quickack), which the first two spent, so A acknowledges the 1200 after
      // the delayed-ACK time (40 ms) with a zero window; then 1-octet probes one RTO (now 205 ms,
      // with that 40 ms sample) later, doubling (RFC 9293 §3.8.6.1).
      for (const step of [200, 200, 400, 800, 100]) yield* advance(step)
      expect(withData(watch).map((s) => [s.at - t0, s.seg.payload.length])).toEqual([
        [0, 1448],
        [0, 1448],
        [200, 1200],
        [445, 1],
        [855, 1],
        [1675, 1]
      ])
      yield* Fiber.join(writer)
      yield* conn.end
      const got = yield* Effect.fork(readAll(server))
      const all = yield* runAdvancing(Fiber.join(got), "1 millis", "1 minute")
      expect(Exit.isSuccess(all)).toBe(true)
      if (Exit.isSuccess(all)) expect(Buffer.compare(all.value, Buffer.from(data))).toBe(0)
    }))
})

describe("TCP over a lossy, reordering, duplicating link (fixed seeds, virtual time)", () => {
  const transfer = (seed: number) =>
    Effect.gen(function*() {
      const fault = { loss: 0.03, reorder: 0.03, duplicate: 0.03 }
      const { a, b } = yield* twoStacks({
        wrapA: (l) => LinkFault.make(l, { seed, tx: fault, rx: fault }),
        wrapB: (l) => LinkFault.make(l, { seed: seed + 1, tx: fault })
      })
      const listener = yield* run(a, Effect.flatMap(Tcp, (t) => t.listen({ port: PORT })))
      const data = new Uint8Array(1 << 20).map((_, i) => (i * 2654435761) >>> 24)
      const received = yield* Effect.fork(Effect.flatMap(listener.accept, readAll))
      const sent = yield* Effect.fork(Effect.gen(function*() {
        const conn = yield* connect(b)
        for (let o = 0; o < data.length; o += 65536) yield* conn.write(data.subarray(o, o + 65536))
        yield* conn.end
        return conn
      }))
      const exit = yield* runAdvancing(Fiber.join(received), "5 millis", "10 minutes")
      expect(Exit.isSuccess(exit)).toBe(true)
      const got = Exit.isSuccess(exit) ? exit.value : Buffer.alloc(0)
      expect(got.length).toBe(data.length)
      expect(createHash("sha256").update(got).digest("hex")).toBe(createHash("sha256").update(data).digest("hex"))
      const conn = yield* Fiber.join(sent)
      return yield* conn.info
    }).pipe(Effect.scoped)

  for (const seed of [1, 2, 3]) {
    it.effect(`1 MB arrives intact, seed ${seed}`, () =>
      Effect.gen(function*() {
        const info = yield* transfer(seed)
        expect(info.retransmits).toBeGreaterThan(0)
      }), 120_000)
  }
})

describe("TCP bounds, counted when hit", () => {
  it.scoped("a full accept queue drops the completing ACK; the SYN-ACK is sent again and the connection completes once there is room", () =>
    Effect.gen(function*() {
      const { a, b } = yield* twoStacks()
      const listener = yield* run(a, Effect.flatMap(Tcp, (t) => t.listen({ port: PORT, backlog: 0 })))
      // both SYNs come while the queue has room (a SYN that finds it full goes unanswered:
      // TcpListen.test.ts); the second client's handshake completes on its side, but A has no
      // room left for it when its ACK comes
      const first = yield* Effect.fork(connect(b))
      const second = yield* Effect.fork(connect(b))
      yield* settle
      expect((yield* statsOf(a)).tcp).toMatchObject({ passiveOpens: 1, acceptQueueFull: 1, halfOpen: 1 })
      yield* listener.accept
      // A re-sends its SYN-ACK after 1 s; B's ACK now finds room
      yield* TestClock.adjust("1 second")
      yield* settle
      expect((yield* statsOf(a)).tcp).toMatchObject({ passiveOpens: 2, halfOpen: 0 })
      yield* listener.accept
      yield* Fiber.join(first)
      yield* Fiber.join(second)
    }))

  it.scoped("with SYN cookies off, a full SYN queue drops SYNs and counts them", () =>
    Effect.gen(function*() {
      const watch = makeWatch()
      // B's ACKs are lost: its handshakes stay half-open on A
      watch.drop = (seg) => !isSyn(seg)
      const { a, b } = yield* world(watch, { configA: { tcp: { synBacklog: 2, synCookies: false } } })
      for (let i = 0; i < 3; i++) yield* Effect.fork(connect(b))
      yield* settle
      expect((yield* statsOf(a)).tcp).toMatchObject({ halfOpen: 2, synQueueFull: 1, passiveOpens: 0 })
    }))

  it.scoped("a full SYN queue answers with a SYN cookie (RFC 4987): the next client connects and its data flows", () =>
    Effect.gen(function*() {
      const watch = makeWatch()
      // the ACKs of B's first two handshakes are lost: they stay half-open on A and fill its queue
      const stuck = new Set<number>()
      watch.drop = (seg) => {
        if (isSyn(seg)) {
          if (stuck.size < 2) stuck.add(seg.srcPort)
          return false
        }
        return stuck.has(seg.srcPort)
      }
      const { a, b, listener } = yield* world(watch, { configA: { tcp: { synBacklog: 2 } } })
      for (let i = 0; i < 2; i++) yield* Effect.fork(connect(b))
      yield* settle
      expect((yield* statsOf(a)).tcp).toMatchObject({ halfOpen: 2, synCookiesSent: 0 })
      const third = yield* Effect.fork(connect(b))
      yield* settle
      const conn = yield* Fiber.join(third)
      const server = yield* listener.accept
      expect((yield* statsOf(a)).tcp).toMatchObject({ halfOpen: 2, synCookiesSent: 1, synCookiesAccepted: 1, passiveOpens: 1, synQueueFull: 0 })
      // the connection works both ways, with the options the cookie carried (timestamps on here)
      yield* conn.write(new TextEncoder().encode("through a cookie"))
      yield* conn.end
      expect(new TextDecoder().decode(yield* readAll(server))).toBe("through a cookie")
      yield* settle
      expect(yield* server.info).toMatchObject({ state: "CloseWait", timestamps: true, sack: true })
      expect((yield* server.info).sndShift).toBeGreaterThan(0)
      // every ACK that reached the listener returned a good cookie
      expect((yield* statsOf(a)).tcp.synCookiesRejected).toBe(0)
    }))

  it.scoped("tcp.maxConnections refuses a connect beyond it with TooManyConnections, counted", () =>
    Effect.gen(function*() {
      const { a, b } = yield* twoStacks({ configB: { tcp: { maxConnections: 1 } } })
      yield* run(a, Effect.flatMap(Tcp, (t) => t.listen({ port: PORT })))
      const first = yield* Effect.fork(connect(b))
      yield* settle
      yield* Fiber.join(first)
      // (written "connected" if it succeeds: a Connection as the test's error would be printed whole)
      const refused = yield* Effect.either(connect(b))
      expect(Either.isLeft(refused) ? refused.left.reason : "connected").toBe("TooManyConnections")
      expect((yield* statsOf(b)).tcp.connectionLimit).toBe(1)
    }))
})

describe("TIME-WAIT and a new incarnation", () => {
  it.scoped("tcp.maxTimeWait: a connection that would hold one record more closes without TIME-WAIT, counted (Linux's tw_buckets)", () =>
    Effect.gen(function*() {
      const { a, b } = yield* twoStacks({ configA: { tcp: { maxTimeWait: 2 } } })
      const listener = yield* run(a, Effect.flatMap(Tcp, (t) => t.listen({ port: PORT })))
      // three connections, each closed by the server (A) first: A would hold each 4-tuple in TIME-WAIT
      for (let i = 0; i < 3; i++) {
        const opening = yield* Effect.fork(connect(b))
        yield* settle
        const server = yield* listener.accept
        const conn = yield* Fiber.join(opening)
        yield* server.end
        yield* settle
        yield* conn.end
        yield* settle
        expect((yield* statsOf(a)).tcp.timeWait).toBe(Math.min(i + 1, 2))
      }
      expect((yield* statsOf(a)).tcp).toMatchObject({ timeWait: 2, timeWaitOverflow: 1, connections: 0 })
    }))

  it.scoped("a new SYN on a 4-tuple held in TIME-WAIT opens a new connection (RFC 6191: newer timestamp)", () =>
    Effect.gen(function*() {
      const { a, b } = yield* twoStacks()
      const listener = yield* run(a, Effect.flatMap(Tcp, (t) => t.listen({ port: PORT })))
      const open = (localPort: number) =>
        run(b, Effect.flatMap(Tcp, (t) => t.connect({ address: ADDR_A, port: PORT, localPort })))
      const first = yield* Effect.fork(open(50_000))
      yield* settle
      const server = yield* listener.accept
      const conn = yield* Fiber.join(first)
      // the server closes first, so A holds the 4-tuple in TIME-WAIT
      yield* server.end
      yield* settle
      yield* conn.end
      yield* settle
      expect((yield* statsOf(a)).tcp.timeWait).toBe(1)
      // a second later (a newer timestamp and ISN), B opens the same 4-tuple again
      yield* TestClock.adjust("1 second")
      const again = yield* Effect.fork(open(50_000))
      yield* settle
      const server2 = yield* boundedWait(listener.accept, "the new incarnation accepted")
      yield* Fiber.join(again)
      expect(server2.remotePort).toBe(50_000)
      expect((yield* statsOf(a)).tcp).toMatchObject({ timeWait: 0, passiveOpens: 2 })
    }))
})
