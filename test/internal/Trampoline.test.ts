/**
 * Trampoline: the stack's runner. Runs start only outside every fiber, run
 * FIFO without nesting, hand the rest to the fallback after the budget or a
 * throw; inside a fiber it is the fallback. And what it is for: a frame the
 * TAP's callback brings is answered before that callback returns.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Queue, type Scheduler } from "effect"
import * as Trampoline from "../../src/internal/Trampoline.js"
import * as Seq from "../../src/tcp/SeqNum.js"
import * as Services from "../../src/tcp/Services.js"
import * as IcmpWire from "../../src/wire/IcmpMessage.js"
import * as Addr from "../../src/wire/Ipv4Addr.js"
import * as TcpWire from "../../src/wire/TcpHeader.js"
import * as UdpWire from "../../src/wire/UdpHeader.js"
import * as Udp from "../../src/udp/Udp.js"
import { deliverFromCallback, stackOnFakeTap } from "../support/FakeTap.js"
import { arpRequest, asArp, asIpv4, echoRequestFrame, ipFrame, PEER_ADDR, peerSegment } from "../support/Peer.js"

/** A fallback that keeps what it is given (task and fiber argument) and runs nothing by itself. */
const keeping = () => {
  const given: Array<{ readonly task: Scheduler.Task; readonly fiber: unknown }> = []
  const s: Scheduler.Scheduler = {
    scheduleTask: (task, _priority, fiber) => {
      given.push({ task, fiber })
    },
    shouldYield: () => false
  }
  return { s, given }
}

describe("Trampoline", () => {
  it.live("a ping-pong of fibers that only the fallback runs, in microtasks, still lets the event loop turn: a timer fires before it ends", () =>
    Effect.gen(function*() {
      // (Effect's default scheduler keeps a runner per fiber, each one draining a task and emptying:
      // such a ping-pong stays in microtasks for good, and no timer or I/O callback runs meanwhile)
      const N = 50_000
      const toPong = yield* Queue.unbounded<number>()
      const toPing = yield* Queue.unbounded<number>()
      let exchanged = 0
      let sawAwaited = false
      let whenTimerFired: number | undefined
      const timer = setTimeout(() => {
        whenTimerFired = exchanged
        sawAwaited = Trampoline.awaitsTurn()
      }, 0)
      const ping = Effect.gen(function*() {
        for (let i = 0; i < N; i++) {
          yield* Queue.offer(toPong, i)
          yield* Queue.take(toPing)
          exchanged++
        }
      })
      const pong = Effect.gen(function*() {
        for (let i = 0; i < N; i++) yield* Queue.offer(toPing, yield* Queue.take(toPong))
      })
      yield* Trampoline.onRunner(Effect.all([ping, pong], { concurrency: 2, discard: true }))
      clearTimeout(timer)
      expect(exchanged).toBe(N)
      expect(whenTimerFired).toBeDefined()
      expect(whenTimerFired!).toBeLessThan(N / 2)
      // (the timer ran because the fibers' tasks waited for that turn, and `awaitsTurn` said so then;
      // not once the turn has run them: what test/support's `settle` asks before it waits for one)
      expect(sawAwaited).toBe(true)
      yield* Effect.promise(() => new Promise<void>((resolve) => setImmediate(resolve)))
      expect(Trampoline.awaitsTurn()).toBe(false)
    }))

  it("outside every fiber: the task runs now, and what it schedules runs after it, in order, never nested", () => {
    const fb = keeping()
    const t = Trampoline.make(fb.s, 100)
    const log: Array<string> = []
    let depth = 0
    let deepest = 0
    const task = (name: string, then: ReadonlyArray<Scheduler.Task> = []): Scheduler.Task => () => {
      depth++
      deepest = Math.max(deepest, depth)
      log.push(name)
      for (const next of then) t.scheduleTask(next, 0)
      depth--
    }
    t.scheduleTask(task("a", [task("b", [task("d")]), task("c")]), 0)
    expect(log).toEqual(["a", "b", "c", "d"])
    expect(deepest).toBe(1)
    expect(fb.given).toEqual([])
  })

  it("after `budget` tasks in one run the rest go to the fallback, in order", () => {
    const fb = keeping()
    const t = Trampoline.make(fb.s, 2)
    const log: Array<string> = []
    const task = (name: string, then: ReadonlyArray<Scheduler.Task> = []): Scheduler.Task => () => {
      log.push(name)
      for (const next of then) t.scheduleTask(next, 0)
    }
    t.scheduleTask(task("a", [task("b"), task("c"), task("d")]), 0)
    expect(log).toEqual(["a", "b"])
    expect(fb.given.length).toBe(2)
    for (const g of fb.given) g.task()
    expect(log).toEqual(["a", "b", "c", "d"])
    // the run is over: the next task starts a new one
    t.scheduleTask(task("e"), 0)
    expect(log).toEqual(["a", "b", "c", "d", "e"])
  })

  it("a throwing task: the error reaches the caller, what was queued goes to the fallback, the runner goes on", () => {
    const fb = keeping()
    const t = Trampoline.make(fb.s, 100)
    const log: Array<string> = []
    expect(() =>
      t.scheduleTask(() => {
        t.scheduleTask(() => log.push("queued"), 0)
        throw new Error("boom")
      }, 0)
    ).toThrow("boom")
    expect(log).toEqual([])
    expect(fb.given.length).toBe(1)
    fb.given[0]!.task()
    expect(log).toEqual(["queued"])
    t.scheduleTask(() => log.push("next"), 0)
    expect(log).toEqual(["queued", "next"])
  })

  it("the run queue kept from run to run holds no more than a small run needs once a burst has gone", () => {
    // (kept so that a sparse packet's run, a handful of tasks, grows no fresh backing store; but a
    // burst, one callback waking thousands of fibers, must not leave its slots held for the life of
    // the runner, which is the process's: the queue before it kept nothing between runs)
    const fb = keeping()
    const t = Trampoline.make(fb.s, 100_000)
    const held = (): number => (t as unknown as { readonly queue: ReadonlyArray<unknown> }).queue.length
    let ran = 0
    t.scheduleTask(() => {
      for (let i = 0; i < 50_000; i++) t.scheduleTask(() => ran++, 0)
    }, 0)
    expect(ran).toBe(50_000)
    expect(held()).toBeLessThanOrEqual(1024)
    // a small run afterwards still runs in order and keeps its few slots
    const log: Array<number> = []
    t.scheduleTask(() => {
      for (let i = 0; i < 3; i++) t.scheduleTask(() => log.push(i), 0)
    }, 0)
    expect(log).toEqual([0, 1, 2])
    expect(held()).toBe(3)
  })

  it("inside a fiber it is the fallback: the task waits, with its fiber", () => {
    const fb = keeping()
    const t = Trampoline.make(fb.s, 100)
    let ran = false
    const fiber = {} as never
    Effect.runSync(Effect.sync(() => t.scheduleTask(() => (ran = true), 0, fiber)))
    expect(ran).toBe(false)
    expect(fb.given.map((g) => g.fiber)).toEqual([fiber])
  })

  it("yielding: the fallback decides, asked only once a fiber has run Effect's default budget (2048 operations) in a row", () => {
    let asked = 0
    const t = Trampoline.make({
      scheduleTask: () => {},
      shouldYield: () => {
        asked++
        return 7
      }
    })
    expect(t.shouldYield({ currentOpCount: 2048 } as never)).toBe(false)
    expect(asked).toBe(0)
    expect(t.shouldYield({ currentOpCount: 2049 } as never)).toBe(7)
    expect(asked).toBe(1)
  })

  it("one runner per fallback; a runner given as the fallback is itself", () => {
    const fb = keeping()
    const t = Trampoline.make(fb.s)
    expect(Trampoline.make(fb.s)).toBe(t)
    expect(Trampoline.make(t)).toBe(t)
    expect(Trampoline.make(keeping().s)).not.toBe(t)
  })

  describe("the stack on it", () => {
    const STACK_MAC = new Uint8Array([0x02, 0x67, 0x6e, 0x00, 0x00, 0x02])
    const STACK_ADDR = Addr.parse("198.18.0.2")!
    const PEER_MAC = new Uint8Array([0x02, 0x00, 0x00, 0x00, 0x00, 0x99])

    const echoRequest = (seq: number): Uint8Array => echoRequestFrame(seq, STACK_ADDR, STACK_MAC, PEER_MAC)

    /** What a frame the stack wrote is: "arp-reply", "echo-reply SEQ", or "other". */
    const kind = (frame: Uint8Array): string => {
      const arp = asArp(frame)
      if (arp !== undefined) return arp.op === 2 ? "arp-reply" : "other"
      const ip = asIpv4(frame)
      if (ip === undefined || ip.protocol !== 1) return "other"
      const icmp = IcmpWire.parse(ip.payload)
      return icmp._tag === "Right" && icmp.right._tag === "EchoReply" ? `echo-reply ${icmp.right.seq}` : "other"
    }

    it.scoped("a frame the TAP's callback brings is answered before the callback returns; from a fiber, after it", () =>
      Effect.gen(function*() {
        const { fake, frames } = yield* stackOnFakeTap(STACK_MAC)
        const written = () => frames().map(kind)
        const before = written().length

        const answered = yield* deliverFromCallback(fake, frames, [arpRequest(STACK_ADDR, { mac: PEER_MAC }), echoRequest(1)])
        expect(answered.map(kind)).toEqual(["arp-reply", "echo-reply 1"])

        // From inside a fiber the dealers run after it, as on Effect's own scheduler.
        const atReturn = yield* Effect.sync(() => {
          fake.deliver([echoRequest(2)])
          return written().length
        })
        expect(atReturn).toBe(before + 2)
        for (let i = 0; i < 100 && written().length === atReturn; i++) yield* Effect.yieldNow()
        expect(written().slice(atReturn)).toEqual(["echo-reply 2"])
      }))

    it.scoped("TCP echo (Services.serve): a request is answered in the callback that brought it, by one segment that carries its ACK", () =>
      Effect.gen(function*() {
        const { fake, frames, stack } = yield* stackOnFakeTap(STACK_MAC)
        yield* Services.serve(7, Services.echo).pipe(Effect.provide(stack))
        const isn = Seq.make(0xfffffff0)
        const segment = (over: Partial<TcpWire.TcpRepr>, payload = new Uint8Array(0)) =>
          ipFrame(peerSegment({ dstPort: 7, seq: isn, ...over }, payload, PEER_ADDR, STACK_ADDR), STACK_MAC, PEER_MAC)
        const tcpOf = (f: Uint8Array) => {
          const ip = asIpv4(f)
          return ip === undefined || ip.protocol !== 6 ? undefined : Either.getOrThrow(TcpWire.parse(ip.payload, ip.src, ip.dst))
        }
        const opened = yield* deliverFromCallback(fake, frames, [
          arpRequest(STACK_ADDR, { mac: PEER_MAC }),
          segment({ flags: TcpWire.Flag.SYN, options: { mss: 1460, sackPermitted: false } })
        ])
        const synAck = opened.map(tcpOf).find((t) => t !== undefined)!
        expect(synAck.flags).toBe(TcpWire.Flag.SYN | TcpWire.Flag.ACK)
        const ack = Seq.add(synAck.seq, 1)

        // the handshake's last ACK and a request in one wake-up; then a second request, which the
        // handler is already waiting for: answered by one segment, the ACK riding on the echo
        const push = TcpWire.Flag.ACK | TcpWire.Flag.PSH
        const first = yield* deliverFromCallback(fake, frames, [
          segment({ seq: Seq.add(isn, 1), ack }),
          segment({ seq: Seq.add(isn, 1), ack, flags: push }, new Uint8Array([1, 2, 3]))
        ])
        // (a connection just accepted: its ACK may go before the handler has read, as Linux's quick ACKs do)
        expect(first.map(tcpOf).filter((t) => t !== undefined && t.payload.length > 0).map((t) => ({ ack: t!.ack, payload: t!.payload.length })))
          .toEqual([{ ack: Seq.add(isn, 4), payload: 3 }])
        const second = yield* deliverFromCallback(fake, frames, [
          segment({ seq: Seq.add(isn, 4), ack: Seq.add(ack, 3), flags: push }, new Uint8Array([4, 5]))
        ])
        expect(second.map(tcpOf).map((t) => t && { ack: t.ack, payload: t.payload.length })).toEqual([{ ack: Seq.add(isn, 6), payload: 2 }])
      }))

    it.scoped("UDP echo (Udp.serveEcho): a request is answered in the callback that brought it", () =>
      Effect.gen(function*() {
        const { fake, frames, stack } = yield* stackOnFakeTap(STACK_MAC)
        yield* Udp.serveEcho(7).pipe(Effect.provide(stack))
        const request = ipFrame(
          {
            src: PEER_ADDR,
            dst: STACK_ADDR,
            protocol: 17,
            ttl: 64,
            id: 1,
            dontFragment: false,
            moreFragments: false,
            fragmentOffset: 0,
            tos: 0,
            payload: UdpWire.emit({ srcPort: 40000, dstPort: 7, payload: new Uint8Array([9, 8, 7]) }, PEER_ADDR, STACK_ADDR)
          },
          STACK_MAC,
          PEER_MAC
        )
        const answered = yield* deliverFromCallback(fake, frames, [arpRequest(STACK_ADDR, { mac: PEER_MAC }), request])
        const udp = answered.map(asIpv4).filter((ip) => ip !== undefined && ip.protocol === 17)
        expect(udp.map((ip) => Array.from(ip!.payload.subarray(UdpWire.HEADER_LEN)))).toEqual([[9, 8, 7]])
      }))
  })
})
